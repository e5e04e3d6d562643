#!/bin/sh
# bench_accuracy.sh FROST MODEL DATA_DIR WANT TOL [ARGS...]: `frost bench --json` over the whole
# test set must report an accuracy within TOL of WANT and no allocations in the timed loops.
# Exit 77 (skip) when the model or the data is not on this machine.
frost=$1 model=$2 data=$3 want=$4 tol=$5
shift 5
if [ ! -e "$model" ]; then echo "SKIP: $model not found"; exit 77; fi
if [ ! -d "$data" ]; then echo "SKIP: $data not found"; exit 77; fi
json=$("$frost" bench "$model" --data "$data" --loops 1 --warmup 10 --json "$@" 2>&1)
code=$?
echo "$json"
acc=$(printf '%s' "$json" | sed -n 's/.*"accuracy": \([0-9.]*\).*/\1/p')
allocs=$(printf '%s' "$json" | sed -n 's/.*"allocations_during_timed_loops": \([0-9]*\).*/\1/p')
if [ "$code" != 0 ] || [ -z "$acc" ] || [ "$allocs" != 0 ]; then
  echo "FAIL: exit $code, accuracy '$acc', allocations '$allocs'"; echo "0 passed, 1 failed"; exit 1
fi
if ! awk -v a="$acc" -v w="$want" -v t="$tol" 'BEGIN { d = a - w; if (d < 0) d = -d; exit !(d <= t) }'; then
  echo "FAIL: accuracy $acc, want $want +- $tol"; echo "0 passed, 1 failed"; exit 1
fi
echo "1 passed, 0 failed"
