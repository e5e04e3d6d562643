#!/bin/sh
# The main job, as the README's first command runs it: frost's founding benchmark — 10,000
# single-image predictions, one call per image — on Fashion-MNIST from Debian's package, with the
# bundled beginner (softmax regression) and expert (CNN) models. Peers (ONNX Runtime, OpenCV DNN,
# libtorch, PyTorch) side by side: bench/compare.
set -eu
cd "$(dirname "$0")/.."
DATA=${FROST_DATA:-/usr/share/datasets/fashion-mnist}
FROST=${FROST:-./build/frost}
for model in beginner expert; do
  echo "== $model =="
  "$FROST" bench "models/fashion/$model.onnx" --data "$DATA" --n 10000 --loops 3
  echo
done
