#!/bin/sh
# Installs ONNX Runtime for the benchmarks' side-by-side tables — light (npm's onnxruntime-node, pinned
# in bench/peers/ort/package.json: ~70 MB, no compiler, no root; only its libonnxruntime.so is used,
# through the C API, by bench/peers/ort_peer.c and ort_model.c). Part of the default setup: the demo
# (scripts/demo.sh) and scripts/setup-peers.sh run it, so a first table has frost and ONNX Runtime
# side by side. Without npm or the registry it says so and returns 0: the peer is then skipped.
#
# usage: scripts/setup-ort.sh [BUILD_DIR]   (default build-bench; installs into BUILD_DIR/peers/ort)
# Prints the library's path on stdout when it is there. Idempotent.
set -u
cd "$(dirname "$0")/.."
BUILD=${1:-build-bench}
ORT_DIR="$BUILD/peers/ort"
ORT_LIB="$ORT_DIR/node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime.so.1"
if [ ! -f "$ORT_LIB" ]; then
  if ! command -v npm >/dev/null 2>&1; then
    echo "setup-ort: no npm (Debian: apt-get install npm); the ONNX Runtime peer will be skipped" >&2
    exit 0
  fi
  mkdir -p "$ORT_DIR"
  cp bench/peers/ort/package.json bench/peers/ort/.npmrc "$ORT_DIR/"
  (cd "$ORT_DIR" && npm install --no-audit --no-fund --loglevel=error >&2) ||
    echo "setup-ort: npm install onnxruntime-node failed (the ONNX Runtime peer will be skipped)" >&2
fi
[ -f "$ORT_LIB" ] && echo "$ORT_LIB"
exit 0
