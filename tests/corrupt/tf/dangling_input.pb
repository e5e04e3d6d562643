
2
xPlaceholder*
dtype0*
shape
:

yRelunowhere*
T0"