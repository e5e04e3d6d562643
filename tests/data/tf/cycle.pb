

xPlaceholder*
dtype0

aAddxc*
T0

bRelua*
T0

cNegb*
T0

outIdentityc*
T0