#!/bin/bash
# fuzz.sh — builds frost's libFuzzer targets (tests/fuzz, clang + -DFROST_FUZZ=ON) in their own
# build folder, makes the seed corpora from tests/data (and tests/corrupt), runs each target for a
# bounded time, and reports executions and crashes per target. Every crash, timeout or OOM a target
# finds is copied into tests/corrupt/<format>/ and listed in tests/corrupt/index.tsv as an open
# crash (status "open": the replay ctest skips it until someone fixes the bug and writes the
# expected status and message in its place).
#
# usage: scripts/fuzz.sh [-t SECONDS_PER_TARGET] [-p PARALLEL] [-b BUILD_DIR] [TARGET...]
#   defaults: 60 s per target, 2 targets at once (each a single process), build-fuzz,
#   targets: fuzz_tf fuzz_onnx fuzz_keras_h5 fuzz_keras_v3 fuzz_tfjs fuzz_tflite fuzz_run
#            fuzz_tensor_bundle fuzz_savedmodel
# Exit 1 when a target found a new crash. scripts/test.sh (CI) runs it with -t 20 and reports a
# new crash loudly without failing the run (fuzzing is not deterministic); the saved file becomes a
# regression replayed by ctest corrupt_replay once committed.
#
# It never deletes anything outside the build folder; the corpora it grows stay there
# (BUILD/fuzz/corpus/<target>) so later runs continue where earlier ones stopped. A summary line per
# target is appended to BUILD/fuzz/history.tsv (date, target, seconds, executions, crashes).
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SECONDS_EACH=60
PARALLEL=2
BUILD=$ROOT/build-fuzz
while getopts "t:p:b:h" opt; do
  case $opt in
    t) SECONDS_EACH=$OPTARG ;;
    p) PARALLEL=$OPTARG ;;
    b) BUILD=$(realpath -m "$OPTARG") ;;
    *) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
TARGETS=${*:-fuzz_tf fuzz_onnx fuzz_keras_h5 fuzz_keras_v3 fuzz_tfjs fuzz_tflite fuzz_run fuzz_tensor_bundle
  fuzz_savedmodel}

# ---- build ----------------------------------------------------------------------------------
if [ ! -f "$BUILD/CMakeCache.txt" ]; then
  CC=${CC:-clang} cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFROST_FUZZ=ON \
    -DFROST_BUILD_BENCH=OFF >/dev/null || exit 1
fi
cmake --build "$BUILD" -j2 --target fuzz_all >/dev/null || { echo "fuzz.sh: build failed" >&2; exit 1; }
F=$BUILD/fuzz

# ---- seeds ----------------------------------------------------------------------------------
SEEDS=$F/seeds
rm -rf "$SEEDS"
mkdir -p "$SEEDS"/{fuzz_tf,fuzz_onnx,fuzz_keras_h5,fuzz_keras_v3,fuzz_tfjs,fuzz_tflite,fuzz_run,fuzz_tensor_bundle,fuzz_savedmodel}
cp "$ROOT"/tests/data/tf/*.pb "$SEEDS/fuzz_tf/" 2>/dev/null
cp "$ROOT"/tests/data/onnx/*.onnx "$SEEDS/fuzz_onnx/" 2>/dev/null
# TFLite: the committed fixtures, and the real files of ../shared when present (never committed).
cp "$ROOT"/tests/data/tflite/*.tflite "$SEEDS/fuzz_tflite/" 2>/dev/null
find "$ROOT/../shared/testdata/real/tflite" -name '*.tflite' -size -400k -exec cp {} "$SEEDS/fuzz_tflite/" \; 2>/dev/null
"$F/make_keras_seeds" "$ROOT/tests/data/keras/tfjs" "$SEEDS/fuzz_keras_h5" "$SEEDS/fuzz_keras_v3"
# TF.js: model.json, a NUL byte, then the fixture's shards joined (the manifest rewritten to name
# that single weights.bin), the layout fuzz_tfjs.c splits.
python3 - "$ROOT/tests/data/keras/tfjs" "$SEEDS/fuzz_tfjs" <<'PY'
import json, os, sys
src, out = sys.argv[1], sys.argv[2]
for name in sorted(os.listdir(src)):
    d = os.path.join(src, name)
    if not os.path.isfile(os.path.join(d, 'model.json')):
        continue
    model = json.load(open(os.path.join(d, 'model.json')))
    blob = b''
    for group in model.get('weightsManifest', []):
        for p in group['paths']:
            blob += open(os.path.join(d, p), 'rb').read()
        group['paths'] = ['weights.bin']
    with open(os.path.join(out, name + '.tfjs'), 'wb') as f:
        f.write(json.dumps(model).encode() + b'\0' + blob)
PY
# Checkpoint indexes: the committed fixtures (tests/data/savedmodel) and, when present, the real
# SavedModels' own variables.index files from ../shared.
find "$ROOT/tests/data/savedmodel" "$ROOT/../shared/testdata/real/savedmodel" -name '*.index' \
  2>/dev/null | while read -r f; do cp "$f" "$SEEDS/fuzz_tensor_bundle/$(echo "$f" | sha1sum | cut -c1-12).index"; done
# SavedModels: saved_model.pb, variables.index and the one data shard in fuzz_savedmodel.c's layout.
/usr/bin/python3 - "$ROOT/tests/data/savedmodel" "$SEEDS/fuzz_savedmodel" <<'PY'
import os, struct, sys
src, out = sys.argv[1], sys.argv[2]
for name in sorted(os.listdir(src)):
    d = os.path.join(src, name)
    shard = os.path.join(d, 'variables', 'variables.data-00000-of-00001')
    if not os.path.isfile(os.path.join(d, 'saved_model.pb')) or not os.path.isfile(shard):
        continue
    pb = open(os.path.join(d, 'saved_model.pb'), 'rb').read()
    index = open(os.path.join(d, 'variables', 'variables.index'), 'rb').read()
    with open(os.path.join(out, name + '.sm'), 'wb') as f:
        f.write(struct.pack('<I', len(pb)) + pb + struct.pack('<I', len(index)) + index + open(shard, 'rb').read())
PY
# The corrupt-file suite is a good seed too (each file sits one step from a valid one).
for pair in tf:fuzz_tf onnx:fuzz_onnx keras_h5:fuzz_keras_h5 keras_v3:fuzz_keras_v3; do
  cp "$ROOT/tests/corrupt/${pair%%:*}"/* "$SEEDS/${pair##*:}/" 2>/dev/null
done
cp "$SEEDS"/fuzz_{tf,onnx,keras_h5,keras_v3}/* "$SEEDS/fuzz_run/" 2>/dev/null

# Dictionaries: the op, layer and key names the importers look for, straight from their sources,
# so mutations reach op-specific code instead of stopping at "unknown op".
DICTS=$F/dicts
mkdir -p "$DICTS"
dict_from() { cat "$@" | grep -ohE '"[A-Za-z_][A-Za-z0-9_]{1,40}"' | sort -u; }
S=$ROOT/src/import
dict_from "$S"/tf/*.c >"$DICTS/fuzz_tf.dict"
dict_from "$S"/onnx/*.c >"$DICTS/fuzz_onnx.dict"
dict_from "$S"/keras/*.c >"$DICTS/fuzz_keras_h5.dict"
cp "$DICTS/fuzz_keras_h5.dict" "$DICTS/fuzz_keras_v3.dict"
cp "$DICTS/fuzz_keras_h5.dict" "$DICTS/fuzz_tfjs.dict"
dict_from "$S"/tflite/*.c >"$DICTS/fuzz_tflite.dict"
cat "$DICTS"/fuzz_{tf,onnx,keras_h5}.dict | sort -u >"$DICTS/fuzz_run.dict"
printf '%s\n' '"\x57\xfb\x80\x8b\x24\x75\x47\xdb"' '"/.ATTRIBUTES/VARIABLE_VALUE"' \
  '"_CHECKPOINTABLE_OBJECT_GRAPH"' >"$DICTS/fuzz_tensor_bundle.dict"
{ dict_from "$S"/tf/*.c "$S"/savedmodel/*.c; cat "$DICTS/fuzz_tensor_bundle.dict"; } | sort -u \
  >"$DICTS/fuzz_savedmodel.dict"

# ---- run ------------------------------------------------------------------------------------
format_of() {
  case $1 in
    fuzz_tf) echo tf ;; fuzz_onnx) echo onnx ;; fuzz_keras_h5) echo keras_h5 ;;
    fuzz_keras_v3) echo keras_v3 ;; fuzz_tfjs) echo tfjs ;; fuzz_tflite) echo tflite ;;
    fuzz_run) echo run ;;
    fuzz_tensor_bundle) echo tensor_bundle ;; fuzz_savedmodel) echo savedmodel ;;
  esac
}

run_one() {
  local t=$1
  local corpus=$F/corpus/$t artifacts=$F/artifacts/$t/ log=$F/logs/$t.log
  # Earlier runs' finds are already in tests/corrupt (or were deliberately dropped from it).
  rm -rf "$artifacts"
  mkdir -p "$corpus" "$artifacts" "$F/logs"
  # -fork=1: one worker process at a time that libFuzzer restarts after a crash, so one bad input
  # does not end the run; crashes, timeouts and OOMs are all kept as artifacts.
  # -rss_limit_mb=0: no RSS-watching thread, so the worker stays single-threaded like most callers
  # and src/fmt/hdf5.c isolates libhdf5 in a forked child (with a second thread it runs libhdf5
  # in-process, where corrupted .h5 files still crash libhdf5 1.10: see docs/robustness.md). Single
  # allocations stay capped by -malloc_limit_mb and fuzz_common.h's allocator.
  "$F/$t" -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
    -max_total_time="$SECONDS_EACH" -timeout=20 -rss_limit_mb=0 -malloc_limit_mb=2048 \
    -max_len=1048576 -dict="$DICTS/$t.dict" \
    -artifact_prefix="$artifacts" -print_final_stats=1 \
    "$corpus" "$SEEDS/$t" >"$log" 2>&1
  local execs crashes
  execs=$(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -d '#')
  crashes=$(ls "$artifacts" 2>/dev/null | grep -cE '^(crash|timeout|oom|leak)-')
  printf '%s\t%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$t" "$SECONDS_EACH" "${execs:-0}" "$crashes" \
    >>"$F/history.tsv"
  printf '%-15s %6ss  %12s executions  %3s crash/timeout/oom artifacts  (log: %s)\n' "$t" \
    "$SECONDS_EACH" "${execs:-0}" "$crashes" "$log"
}

running=0
for t in $TARGETS; do
  [ -x "$F/$t" ] || { echo "fuzz.sh: no target $t" >&2; exit 2; }
  run_one "$t" &
  running=$((running + 1))
  if [ "$running" -ge "$PARALLEL" ]; then wait -n; running=$((running - 1)); fi
done
wait

# ---- crashes become regression files ----------------------------------------------------------
INDEX=$ROOT/tests/corrupt/index.tsv
new=0
for t in $TARGETS; do
  fmt=$(format_of "$t")
  for a in "$F/artifacts/$t"/*; do
    [ -f "$a" ] || continue
    kind=$(basename "$a" | cut -d- -f1)
    sum=$(sha1sum "$a" | cut -c1-12)
    # fuzz_run inputs are any format: keep them under run/; TF.js ones keep fuzz_tfjs's layout.
    dest=$fmt/fuzz-$kind-$sum.bin
    [ -f "$ROOT/tests/corrupt/$dest" ] && continue
    mkdir -p "$ROOT/tests/corrupt/$fmt"
    cp "$a" "$ROOT/tests/corrupt/$dest"
    printf '%s\t%s\topen\t%s found by %s on %s\n' "$dest" "$fmt" "$kind" "$t" "$(date -u +%F)" \
      >>"$INDEX"
    echo "NEW $kind from $t: tests/corrupt/$dest (listed in tests/corrupt/index.tsv as open)"
    new=$((new + 1))
  done
done
[ "$new" -eq 0 ] || { echo "fuzz.sh: $new new crash(es): see above" >&2; exit 1; }
exit 0
