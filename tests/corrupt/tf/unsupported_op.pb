
2
xPlaceholder*
dtype0*
shape
:

y
FancyNewOpx*
T0"