#!/bin/sh
# The main job, as the README's first command runs it: frost's founding benchmark — 10,000
# single-image predictions, one call per image — on Fashion-MNIST from Debian's package, with the
# bundled beginner (softmax regression) and expert (CNN) models, printed as the founding
# experiment's table. Peers (ONNX Runtime, OpenCV DNN, libtorch, PyTorch) join the table when they
# are installed (scripts/setup-peers.sh, or bench/compare without --no-setup); else they are skipped
# with a note.
set -eu
cd "$(dirname "$0")/.."
exec bench/compare --frost ./build/frost --no-setup --no-doc --loops 3 --stat median "$@"
