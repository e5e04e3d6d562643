
6
xPlaceholder*
dtype0*
shape:
:
mConst*
dtype0*!
valueB"ÿÿÿÿÿÿÿÿÿ
*
tTilexm*
T0*

Tmultiples0

ySoftmaxt*
T0"