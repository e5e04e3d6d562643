
5
threeConst*
dtype0*
valueB: