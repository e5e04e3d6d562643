#!/bin/sh
# run_compare.sh FROST CLI_TOOL MODEL INPUT.npy EXPECTED.npy OUT.npy [ATOL]: `frost run` writes
# OUT.npy from INPUT.npy, which must match EXPECTED.npy. Exit 77 (skip) when a file is missing.
frost=$1 tool=$2 model=$3 input=$4 expected=$5 out=$6 atol=${7:-1e-5}
for f in "$model" "$input" "$expected"; do
  if [ ! -f "$f" ]; then echo "SKIP: $f not found"; exit 77; fi
done
rm -f "$out"
if ! msg=$("$frost" run "$model" -i "$input" -o "$out" 2>&1); then
  echo "$msg"
  echo "FAIL: frost run $model"; echo "0 passed, 1 failed"; exit 1
fi
if ! "$tool" compare "$out" "$expected" "$atol"; then
  echo "0 passed, 1 failed"; exit 1
fi
echo "1 passed, 0 failed"
