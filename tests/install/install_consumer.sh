#!/bin/sh
# install_consumer.sh SOURCE_DIR BUILD_DIR MODEL: installs the built frost into a temporary prefix
# and builds a program outside the tree against it four ways — CMake find_package with the shared
# and the static library, pkg-config with the shared and (--static) the static one — then runs each
# on MODEL. What a user does after `cmake --install`.
set -eu
src=$1 build=$2 model=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix
cmake --install "$build" --prefix "$prefix" > "$tmp/install.log"
libdir=$(ls -d "$prefix"/lib*/ | head -1)
consumer=$src/tests/install/consumer
fails=0
try() { # try LABEL BINARY: runs the consumer on the model
  if out=$(LD_LIBRARY_PATH="$libdir" "$2" "$model" 2>&1); then
    echo "ok   $1: $out"
  else
    echo "FAIL $1: $out"; fails=$((fails + 1))
  fi
}
for link in shared static; do
  if cmake -S "$consumer" -B "$tmp/cmake_$link" -DCMAKE_PREFIX_PATH="$prefix" \
       -DFROST_LINK=frost::frost_$link > "$tmp/cmake_$link.log" 2>&1 &&
     cmake --build "$tmp/cmake_$link" > "$tmp/cmake_${link}_build.log" 2>&1; then
    try "find_package, $link" "$tmp/cmake_$link/consumer"
  else
    echo "FAIL find_package, $link:"; cat "$tmp/cmake_$link.log" "$tmp/cmake_${link}_build.log" 2>/dev/null | tail -20
    fails=$((fails + 1))
  fi
done
export PKG_CONFIG_PATH="$libdir/pkgconfig"
cc=${CC:-cc}
if $cc "$consumer/main.c" -o "$tmp/pc_shared" $(pkg-config --cflags --libs frost) 2> "$tmp/pc.log"; then
  try "pkg-config, shared" "$tmp/pc_shared"
else
  echo "FAIL pkg-config, shared:"; cat "$tmp/pc.log"; fails=$((fails + 1))
fi
# Static: only libfrost.a is offered to the linker for -lfrost, the rest as pkg-config says.
mkdir -p "$tmp/static_only"
cp "$libdir/libfrost.a" "$tmp/static_only/"
if $cc "$consumer/main.c" -o "$tmp/pc_static" $(pkg-config --cflags frost) -L"$tmp/static_only" \
     $(pkg-config --static --libs frost) 2> "$tmp/pcs.log"; then
  try "pkg-config --static" "$tmp/pc_static"
else
  echo "FAIL pkg-config --static:"; cat "$tmp/pcs.log"; fails=$((fails + 1))
fi
[ $fails -eq 0 ]
