#!/bin/sh
# Installs the peer runtimes bench/compare measures frost against — heavy, optional, never needed to
# build or test frost (that is scripts/setup-debian.sh): OpenCV DNN and libtorch C++ headers,
# PyTorch for Python (also the model generator scripts/train_fashion.py), OpenBLAS (without it
# Debian's torch falls back to the reference BLAS and its dense layers run ~50x slower, which would
# be an unfair comparison), gnuplot for the chart, ONNX Runtime from npm (onnxruntime-node ships
# libonnxruntime.so; its GPU download step is skipped by bench/peers/ort/.npmrc) and TensorFlow.js
# from npm (to write the Keras-format copy of the expert).
#
# usage: scripts/setup-peers.sh [BUILD_DIR]   (default build-bench; ONNX Runtime goes to BUILD_DIR/peers/ort)
# Idempotent. Anything that cannot be installed is reported and left out; bench/compare then
# skips that peer with a note instead of failing.
set -u
cd "$(dirname "$0")/.."
BUILD=${1:-build-bench}

PACKAGES="g++ zlib1g-dev python3 python3-numpy python3-torch libtorch-dev libopencv-dnn-dev
  libopenblas0-pthread gnuplot-nox dataset-fashion-mnist"

missing=""
for p in $PACKAGES; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
# Node may come from elsewhere than Debian (e.g. a nodejs package that bundles npm): ask for the commands.
command -v npm >/dev/null 2>&1 || missing="$missing nodejs npm"
if [ -n "$missing" ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  if [ -n "$SUDO" ] && ! command -v sudo >/dev/null 2>&1; then
    echo "setup-peers: not root and no sudo; missing:$missing (those peers will be skipped)" >&2
  else
    export DEBIAN_FRONTEND=noninteractive
    { $SUDO apt-get update -q && \
      # shellcheck disable=SC2086
      $SUDO apt-get install -y -q --no-install-recommends $missing; } >&2 ||
      echo "setup-peers: apt-get could not install:$missing (those peers will be skipped)" >&2
  fi
fi

# ONNX Runtime: the npm package pinned in bench/peers/ort/package.json, installed outside the source tree.
ORT_DIR="$BUILD/peers/ort"
ORT_LIB="$ORT_DIR/node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime.so.1"
if [ ! -f "$ORT_LIB" ] && command -v npm >/dev/null 2>&1; then
  mkdir -p "$ORT_DIR"
  cp bench/peers/ort/package.json bench/peers/ort/.npmrc "$ORT_DIR/"
  (cd "$ORT_DIR" && npm install --no-audit --no-fund --loglevel=error >&2) ||
    echo "setup-peers: npm install onnxruntime-node failed (the ONNX Runtime peer will be skipped)" >&2
fi
# TensorFlow.js (pure JavaScript) to derive the Keras-format copy of the expert (scripts/export_fashion_tfjs.mjs).
TFJS_DIR="$BUILD/tfjs"
if [ ! -d "$TFJS_DIR/node_modules/@tensorflow/tfjs" ] && command -v npm >/dev/null 2>&1; then
  mkdir -p "$TFJS_DIR"
  (cd "$TFJS_DIR" && npm install --no-audit --no-fund --loglevel=error @tensorflow/tfjs@4.22.0 >&2) ||
    echo "setup-peers: npm install @tensorflow/tfjs failed (frost-keras will run only the committed Keras files)" >&2
fi
exit 0
