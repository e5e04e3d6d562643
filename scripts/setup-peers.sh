#!/bin/sh
# Installs the peer runtimes bench/compare measures frost against — heavy, optional, never needed to
# build or test frost (that is scripts/setup-debian.sh): OpenCV DNN and libtorch C++ headers,
# PyTorch for Python (also the model generator scripts/train_fashion.py), OpenBLAS (without it
# Debian's torch falls back to the reference BLAS and its dense layers run ~50x slower, which would
# be an unfair comparison), OpenBLAS and BLIS development files (frost's optional
# -DFROST_CBLAS=openblas|blis build, measured by bench/blas_compare), gnuplot for the chart, ONNX Runtime from npm (onnxruntime-node ships
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
  libopenblas0-pthread gnuplot-nox dataset-fashion-mnist
  libopenblas-dev libopenblas-pthread-dev libblis-dev libblis-pthread-dev libblis4-pthread"

# Installing a BLAS registers it with Debian's alternatives for libblas.so.3 / liblapack.so.3 (and
# the -dev links libblas.so / liblapack.so, cblas.h, blas.pc), and in auto mode the highest
# priority wins: OpenBLAS (100) or BLIS (75) over the reference BLAS (10). Other programs on the
# machine (tests, peers, numpy) load whatever libblas.so.3 points to, so whatever those links were
# before this script, they are put back after it (as a manual choice, so later installs keep it).
# The torch peers get OpenBLAS explicitly through LD_LIBRARY_PATH (bench/compare), and frost's
# -DFROST_CBLAS build links libopenblas.so / libblis.so by their own names, never libblas.
BLAS_GROUPS="libblas.so.3 liblapack.so.3 libblas.so liblapack.so"
ARCH=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)
alt_value() { update-alternatives --query "$1-$ARCH" 2>/dev/null | sed -n "s/^$2: //p"; }
BLAS_BEFORE=""                                 # "group=path" words, as found before apt-get
for g in $BLAS_GROUPS; do
  v=$(alt_value "$g" Value)
  [ -n "$v" ] && BLAS_BEFORE="$BLAS_BEFORE $g=$v"
done
pin_blas_alternatives() {
  for gv in $BLAS_BEFORE; do
    g=${gv%%=*} was=${gv#*=}
    [ "$(alt_value "$g" Value)" = "$was" ] && [ "$(alt_value "$g" Status)" = manual ] && continue
    if $SUDO update-alternatives --set "$g-$ARCH" "$was" >/dev/null 2>&1; then
      echo "setup-peers: kept $g-$ARCH on $was" >&2
    else
      echo "setup-peers: could not pin $g-$ARCH back to $was" >&2
    fi
  done
}

missing=""
for p in $PACKAGES; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
# Node may come from elsewhere than Debian (e.g. a nodejs package that bundles npm): ask for the commands.
command -v npm >/dev/null 2>&1 || missing="$missing nodejs npm"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
if [ -n "$missing" ]; then
  if [ -n "$SUDO" ] && ! command -v sudo >/dev/null 2>&1; then
    echo "setup-peers: not root and no sudo; missing:$missing (those peers will be skipped)" >&2
  else
    export DEBIAN_FRONTEND=noninteractive
    { $SUDO apt-get update -q && \
      # shellcheck disable=SC2086
      $SUDO apt-get install -y -q --no-install-recommends $missing; } >&2 ||
      echo "setup-peers: apt-get could not install:$missing (those peers will be skipped)" >&2
    pin_blas_alternatives
  fi
fi

# ONNX Runtime: the npm package pinned in bench/peers/ort/package.json, installed outside the source
# tree by scripts/setup-ort.sh (also part of the default setup: scripts/demo.sh runs it).
./scripts/setup-ort.sh "$BUILD" > /dev/null
# TensorFlow.js (pure JavaScript) to derive the Keras-format copy of the expert (scripts/export_fashion_tfjs.mjs).
TFJS_DIR="$BUILD/tfjs"
if [ ! -d "$TFJS_DIR/node_modules/@tensorflow/tfjs" ] && command -v npm >/dev/null 2>&1; then
  mkdir -p "$TFJS_DIR"
  (cd "$TFJS_DIR" && npm install --no-audit --no-fund --loglevel=error @tensorflow/tfjs@4.22.0 >&2) ||
    echo "setup-peers: npm install @tensorflow/tfjs failed (frost-keras will run only the committed Keras files)" >&2
fi
exit 0
