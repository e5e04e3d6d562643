

xPlaceholder*
dtype0
$
yAddxmissing_node:0*
T0