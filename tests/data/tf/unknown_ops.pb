

xPlaceholder*
dtype0
&
noiseRandomUniformx*
dtype0

frobFrobnicateV7xnoise
 
yAddfrob:2noise*
T0

dead	DecodeWavx