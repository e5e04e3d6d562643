#!/bin/sh
# onnx_control.sh FROST CLI_TOOL DATA_DIR OUT_DIR: ONNX control flow through `frost run`, against
# onnxruntime-node's outputs (tests/data/onnx/control: models by scripts/gen_onnx_control_fixtures.py,
# references by scripts/gen_onnx_refs.mjs):
#   - if_nested.onnx (Silero VAD's pattern: If on a sample rate `sr`, a nested If on the batch
#     size, outer-scope names and a branch initializer): `--set sr=16000` resolves the If at load
#     (inspect reports it), and with sr fed at run time every path matches: 16 kHz with a batch of
#     1 and of 2 (the nested If both ways), and 8 kHz;
#   - if_shapes.onnx: an If whose else branch cannot run at the fed shape: the then branch runs,
#     and a run that takes the else branch fails naming the If;
#   - if_data.onnx (openWakeWord's pattern: If on a score computed from the input): each input
#     takes its own branch in the same session;
#   - lstm/gru_dynamic.onnx: recurrent layers of a sequence length known only at run time;
#   - loop.onnx: a Loop with a trip count known at load, unrolled (loop-carried and scan outputs);
#     loop_fed.onnx, the same with its trip count fed at run time: refused, naming Loop and why.
frost=$1 tool=$2 data=$3 out=$4
mkdir -p "$out"
fails=0 passes=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
for f in if_nested.onnx if_data.onnx loop.onnx loop_fed.onnx ref_nested_16k_b1_y.npy; do
  [ -f "$data/$f" ] || { echo "SKIP: $data/$f not found"; exit 77; }
done
# run CASE MODEL OUTPUTS ARGS...: frost run with ARGS, writing each of OUTPUTS (space-separated)
# to OUT/CASE_NAME.npy, compared with ref_CASE_NAME.npy.
run() {
  case_=$1 model=$2 outs=$3; shift 3
  args=""
  for o in $outs; do args="$args -o $o=$out/${case_}_$o.npy"; done
  # shellcheck disable=SC2086
  if ! msg=$("$frost" run "$data/$model" "$@" $args 2>&1); then
    fail "frost run $model $* ($msg)"
    return
  fi
  for o in $outs; do
    if "$tool" compare "$out/${case_}_$o.npy" "$data/ref_${case_}_$o.npy" 1e-5 >/dev/null; then
      passes=$((passes + 1))
    else
      fail "$case_: output $o differs from onnxruntime's"
    fi
  done
}
run nested_16k_b1 if_nested.onnx y --set sr=16000 -i x="$data/x1.npy"
run nested_16k_b2 if_nested.onnx y --set sr=16000 -i x="$data/x2.npy"
run nested_8k_b1 if_nested.onnx y --set sr=8000 -i x="$data/x1.npy"
run nested_16k_b1 if_nested.onnx y -i x="$data/x1.npy" -i sr="$data/sr16k.npy"
run nested_16k_b2 if_nested.onnx y -i x="$data/x2.npy" -i sr="$data/sr16k.npy"
run nested_8k_b1 if_nested.onnx y -i x="$data/x1.npy" -i sr="$data/sr8k.npy"
run shapes_16k if_shapes.onnx y -i x="$data/x16.npy" -i sr="$data/sr16k.npy"
# The else branch of if_shapes.onnx cannot run on 16 values: a run taking it is refused by name.
msg=$("$frost" run "$data/if_shapes.onnx" -i x="$data/x16.npy" -i sr="$data/sr8k.npy" 2>&1); rc=$?
[ $rc -eq 1 ] || fail "if_shapes.onnx with sr 8000: exit $rc, want 1"
case "$msg" in *"If 'y': the run takes the else branch, which cannot run"*) passes=$((passes + 1)) ;;
  *) fail "if_shapes.onnx with sr 8000: $msg" ;; esac
run data_pos if_data.onnx y -i x="$data/pos.npy"
run data_neg if_data.onnx y -i x="$data/neg.npy"
run lstm lstm_dynamic.onnx "y y_h y_c" -i x="$data/seq.npy"
run gru gru_dynamic.onnx "y y_h" -i x="$data/seq.npy"
# --set resolves the If at load: nothing of the untaken branch is left.
rep=$("$frost" inspect "$data/if_nested.onnx" --set sr=16000 --nodes 2>&1)
case "$rep" in *"resolved 1 If with constant conditions (1 then, 0 else)"*) passes=$((passes + 1)) ;;
  *) fail "inspect --set sr=16000 does not report the resolved If: $rep" ;; esac
case "$rep" in *"xw2"*) fail "the else branch's MatMul is still there: $rep" ;; esac
# Without --set the If stays and both branches are there.
rep=$("$frost" inspect "$data/if_nested.onnx" --nodes 2>&1)
case "$rep" in *"If"*) passes=$((passes + 1)) ;; *) fail "no If without --set: $rep" ;; esac
run loop loop.onnx "y ys" -i x="$data/pos.npy"
msg=$("$frost" run "$data/loop_fed.onnx" -i x="$data/pos.npy" 2>&1); rc=$?
[ $rc -eq 1 ] || fail "loop_fed.onnx: exit $rc, want 1"
case "$msg" in *"unsupported op: Loop (trip count known only at run time)"*) passes=$((passes + 1)) ;;
  *) fail "loop_fed.onnx is not refused by name: $msg" ;; esac
# The profile of a model with an If: synthetic inputs in [0, 1) always take the then side, so the
# else side's step never runs and reports no time (not a "never ran" sentinel).
prof=$("$frost" bench "$data/if_data.onnx" --profile --json --n 20 --loops 1 2>&1)
case "$prof" in
  *'"node": "negated", "op": "Neg", "kernel": "Unary", "us_per_call": 0.000, "fastest_us": 0.000,'*)
    passes=$((passes + 1)) ;;
  *) fail "profile of if_data.onnx: the untaken Neg step does not report 0: $prof" ;;
esac
echo "$passes passed, $fails failed"
[ $fails -eq 0 ]
