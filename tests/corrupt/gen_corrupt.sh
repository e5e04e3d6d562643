#!/bin/sh
# gen_corrupt.sh — regenerates every handcrafted file of tests/corrupt: gen_corrupt_keras (built in
# BUILD_DIR, default build) forges the Keras files that need libhdf5/libzip, then gen_corrupt.py
# writes the protobuf and TF.js files and damages the Keras bases byte by byte. Never touches the
# fuzz-*.bin files scripts/fuzz.sh adds, nor index.tsv (expected results are written by hand).
set -e
HERE=$(cd "$(dirname "$0")" && pwd)
BUILD=${1:-$HERE/../../build}
cmake --build "$BUILD" --target gen_corrupt_keras >/dev/null
mkdir -p "$HERE/keras_h5" "$HERE/keras_v3"
"$(find "$BUILD" -name gen_corrupt_keras -type f -perm -u+x | head -1)" "$HERE"
python3 "$HERE/gen_corrupt.py"
