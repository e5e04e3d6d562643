
4
xPlaceholder*
dtype0*
shape:
†ç

yRelux*
T0"