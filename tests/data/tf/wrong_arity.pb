

xPlaceholder*
dtype0

mmMatMulx*
T0