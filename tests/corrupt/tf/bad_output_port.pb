
2
xPlaceholder*
dtype0*
shape
:

yRelux:7*
T0"