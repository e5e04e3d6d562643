

xPlaceholder*
dtype0

yRelux*
T0

xReluy*
T0