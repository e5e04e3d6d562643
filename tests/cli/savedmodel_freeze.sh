#!/bin/sh
# savedmodel_freeze.sh FROST CLI_TOOL MODEL EXPECTED.npy ATOL OUT_DIR OUTPUT_KEY [RUN ARGS...]:
# `frost run MODEL RUN_ARGS -o OUTPUT_KEY=...` must match EXPECTED.npy within ATOL; then
# `frost freeze MODEL` (with the same --signature/--tag/--outputs found in RUN_ARGS) writes a
# GraphDef, and `frost run FROZEN.pb` with the same inputs must give a file identical to the byte.
# Exit 77 (skip) when MODEL or EXPECTED is not on this machine.
frost=$1 tool=$2 model=$3 expected=$4 atol=$5 out=$6 key=$7
shift 7
for f in "$model" "$expected"; do
  if [ ! -e "$f" ]; then echo "SKIP: $f not found"; exit 77; fi
done
mkdir -p "$out"
fail() { echo "FAIL: $*"; echo "0 passed, 1 failed"; exit 1; }
rm -f "$out/direct.npy" "$out/frozen.npy" "$out/frozen.pb"
"$frost" run "$model" "$@" -o "$key=$out/direct.npy" || fail "frost run $model"
"$tool" compare "$out/direct.npy" "$expected" "$atol" || fail "outputs of $model"
# Freeze with the model-choosing options only; run the frozen graph with the inputs only.
freeze_args="" run_args=""
while [ $# -gt 0 ]; do
  case $1 in
    --signature|--tag|--outputs) freeze_args="$freeze_args $1 $2"; shift 2 ;;
    *) run_args="$run_args $1"; shift ;;
  esac
done
# shellcheck disable=SC2086
"$frost" freeze "$model" $freeze_args -o "$out/frozen.pb" || fail "frost freeze $model"
# shellcheck disable=SC2086
"$frost" run "$out/frozen.pb" $run_args -o "$key=$out/frozen.npy" || fail "frost run frozen.pb"
cmp "$out/direct.npy" "$out/frozen.npy" || fail "the frozen graph's output differs from the SavedModel's"
echo "1 passed, 0 failed"
