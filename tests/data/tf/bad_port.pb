

xPlaceholder*
dtype0

rRelux*
T0

yNegr:3*
T0