
7
x[31mPlaceholder*
dtype0*
shape
:

relu€ÿRelux[31m*
T0
0
odd]0;pwnedFrob]0;pwnedrelu€ÿ*
T0