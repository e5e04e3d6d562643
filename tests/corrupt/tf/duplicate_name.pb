
2
xPlaceholder*
dtype0*
shape
:

yRelux*
T0

yTanhx*
T0"