#!/bin/sh
# Installs everything frost needs to build, test and benchmark on Debian 12, from Debian's packages
# (and npm for the TensorFlow.js fixture generator and ONNX Runtime peer). Run as root or via sudo.
# Idempotent: re-running only installs what is missing.
set -eu

# Build: compiler, CMake, pkg-config. Importers: protobuf-c (GraphDef, ONNX), libzip (.keras), cJSON
# (Keras configs, TF.js), zlib (HDF5 deflate, gzip'd MNIST IDX files), libsnappy
# (Snappy blocks of TensorFlow checkpoint indexes). libhdf5: tests only (Keras
# fixture writers, the oracle for frost's own HDF5 reader).
PACKAGES="build-essential cmake pkg-config
  libprotobuf-c-dev protobuf-c-compiler protobuf-compiler
  libhdf5-dev libzip-dev libcjson-dev zlib1g-dev libsnappy-dev
  clang libclang-rt-14-dev valgrind
  python3 python3-numpy python3-dev python3-setuptools python3-pytest python3-flatbuffers
  dataset-fashion-mnist
  libonnx-testdata
  libmicrohttpd-dev python3-yaml curl haproxy wrk"
# libonnx-testdata: ONNX's backend test suite, run by tests/onnx_conformance.
# frost serve: libmicrohttpd-dev (its HTTP server); python3-yaml (tests/serve's deployment manifest
# check), curl (docs' examples), haproxy and wrk (bench/serve's load test behind a balancer).
# python3-dev, python3-setuptools: build the Python extension module (python/, the stable ABI);
# python3-pytest runs its tests (tests/python). NumPy is optional for the module itself.
# python3-flatbuffers: writes the .tflite fixtures (scripts/gen_tflite_fixtures.py) and is the
# oracle frost's own FlatBuffers reader is compared with (tests/import/test_tflite_parse.c).
# Optional, for fixture generation only (not needed to build or test): python3-torch, used by
# scripts/gen_onnx_fixtures.py to re-export the committed ONNX fixtures in tests/data/onnx, and
# python3-onnx, used by scripts/gen_onnx_control_fixtures.py (tests/data/onnx/control).

missing=""
for p in $PACKAGES; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q
  # shellcheck disable=SC2086
  $SUDO apt-get install -y -q --no-install-recommends $missing
fi
