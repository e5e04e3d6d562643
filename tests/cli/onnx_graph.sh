#!/bin/sh
# onnx_graph.sh FROST CLI_TOOL DATA_DIR OUT_DIR: the graph passes and op paths the real-model suite's
# slow rows needed, through `frost run` and `frost inspect`, against onnxruntime-node's outputs
# (tests/data/onnx/graph: models by scripts/gen_onnx_graph_fixtures.py, references by
# scripts/gen_onnx_refs.mjs):
#   - stft.onnx: a PyTorch STFT front end (Conv1d outputs squeezed, unsqueezed and transposed to
#     frames x bins): the layout pass leaves no transpose, and the strided 1-D convs read their
#     windows in place; conv1d.onnx: an 8-channel strided Conv1d the same way;
#   - pools.onnx: global average and max pools over H x W (run as pool windows) and a
#     squeeze-excitation product;
#   - rnn_dynamic.onnx, gru_lbr_dynamic.onnx: recurrent layers of a sequence length known only at
#     run time (packed weights).
#   - dft.onnx: the same with a windowed DFT basis (Hann, 256-point frames): both convs become one
#     real FFT (inspect reports it), at 28 frames (16 per batch) and 6 (4 per batch);
#   - clamps.onnx: a constant Max/Min after a conv's activation on each conv path, folded into the
#     conv (inspect counts 11), also at the AVX2 level; clamps_nofuse.onnx: a computed Max
#     operand and an activation read twice, which must stay apart (inspect counts 0).
# Every case runs at the portable ISA level too (FROST_MAX_ISA=ref), whose kernels differ.
frost=$1 tool=$2 data=$3 out=$4
mkdir -p "$out"
fails=0 passes=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
for f in stft.onnx dft.onnx conv1d.onnx pools.onnx rnn_dynamic.onnx gru_lbr_dynamic.onnx ref_stft_mel.npy ref_gru_lbr_y.npy \
         clamps.onnx clamps_nofuse.onnx ref_clamps_y_gemm.npy ref_clamps_nofuse_y_twice.npy; do
  [ -f "$data/$f" ] || { echo "SKIP: $data/$f not found"; exit 77; }
done
# run CASE MODEL OUTPUTS ARGS...: frost run with ARGS, each of OUTPUTS compared with
# ref_CASE_NAME.npy, at the CPU's best ISA and at the portable one (and the levels in $ISAS).
run() {
  case_=$1 model=$2 outs=$3; shift 3
  for isa in best ref $ISAS; do
    args=""
    for o in $outs; do args="$args -o $o=$out/${case_}_${isa}_$o.npy"; done
    # shellcheck disable=SC2086
    if [ $isa != best ]; then
      msg=$(FROST_MAX_ISA=$isa "$frost" run "$data/$model" "$@" $args 2>&1) || { fail "frost run $model at $isa ($msg)"; continue; }
    else
      msg=$("$frost" run "$data/$model" "$@" $args 2>&1) || { fail "frost run $model ($msg)"; continue; }
    fi
    for o in $outs; do
      if "$tool" compare "$out/${case_}_${isa}_$o.npy" "$data/ref_${case_}_$o.npy" 1e-4 >/dev/null; then
        passes=$((passes + 1))
      else
        fail "$case_ ($isa): output $o differs from onnxruntime's"
      fi
    done
  done
}
run stft stft.onnx mel -i audio="$data/audio.npy"
run dft28 dft.onnx "power im" -i audio="$data/audio2000.npy"
run dft6 dft.onnx "power im" -i audio="$data/audio600.npy"
run conv1d conv1d.onnx feat -i sig3="$data/sig3.npy"
run pools pools.onnx "y gmax" -i x="$data/map.npy"
run rnn rnn_dynamic.onnx "y y_h" -i x="$data/seq.npy"
run gru_lbr gru_lbr_dynamic.onnx "y y_h" -i x="$data/seq.npy"
ISAS=avx2 run clamps clamps.onnx "y_gemm y_relu_min y_wino y_narrow y_dw y_dwpw y_sig y_bare" \
  -i x="$data/clamp_x.npy" -i m="$data/clamp_m.npy"
ISAS=avx2 run clamps_nofuse clamps_nofuse.onnx "y_var y_twice" -i x="$data/clamp_x.npy"
# The eleven Max/Min of clamps.onnx fold into their convs; neither of clamps_nofuse.onnx's may.
rep=$("$frost" inspect "$data/clamps.onnx" 2>&1)
case "$rep" in *" 11 constant Max/Min after an activation"*) passes=$((passes + 1)) ;;
  *) fail "clamps.onnx: not every constant Max/Min folded: $(echo "$rep" | grep -i 'fused\|Max\|Min')" ;; esac
rep=$("$frost" inspect "$data/clamps_nofuse.onnx" 2>&1)
case "$rep" in *"Max/Min after an activation"*) case "$rep" in *" 0 constant Max/Min after"*) passes=$((passes + 1)) ;;
    *) fail "clamps_nofuse.onnx: a Max folded that must not: $(echo "$rep" | grep -i 'fused')" ;; esac ;;
  *) fail "clamps_nofuse.onnx: no fuse report: $(echo "$rep" | grep -i fused)" ;; esac
# The STFT's transposes cancel through the rank changes: none is left to run.
rep=$("$frost" inspect "$data/stft.onnx" 2>&1)
case "$rep" in *"layout: "*" transposes -> 0 "*) passes=$((passes + 1)) ;;
  *) fail "stft.onnx: transposes left after the layout pass: $(echo "$rep" | grep layout)" ;; esac
rep=$("$frost" inspect "$data/dft.onnx" 2>&1)
case "$rep" in *"stft: 2 strided Conv1d with a windowed DFT basis -> 1 real-FFT node"*) passes=$((passes + 1)) ;;
  *) fail "dft.onnx: the DFT convs were not computed by FFT: $(echo "$rep" | grep -i stft)" ;; esac
rep=$("$frost" inspect "$data/stft.onnx" 2>&1)
case "$rep" in *"stft:"*) fail "stft.onnx (random filters) taken for a DFT: $(echo "$rep" | grep stft)" ;;
  *) passes=$((passes + 1)) ;; esac
echo "onnx_graph: $passes passed, $fails failed"
[ $fails -eq 0 ]
