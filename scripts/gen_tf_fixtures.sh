#!/bin/sh
# Regenerates the binary TensorFlow GraphDef fixtures under tests/data/tf/ from their .pbtxt
# sources with `protoc --encode` against frost's own schema (src/import/tf/tf_graph.proto), plus
# the two fixtures that text format cannot express (a truncated file and garbage bytes).
# Needs protoc (Debian protobuf-compiler). Deterministic: re-running gives identical bytes.
set -eu
export LC_ALL=C
root=$(cd "$(dirname "$0")/.." && pwd)
dir="$root/tests/data/tf"
proto_dir="$root/src/import/tf"

for src in "$dir"/*.pbtxt; do
  out="${src%.pbtxt}.pb"
  protoc --proto_path="$proto_dir" --encode=frost_tf.GraphDef "$proto_dir/tf_graph.proto" \
    < "$src" > "$out"
done

# Truncated: the MLP fixture without its last 20 bytes (cuts a node record in half).
size=$(wc -c < "$dir/mlp.pb")
head -c $((size - 20)) "$dir/mlp.pb" > "$dir/truncated.pb"

# Garbage: 256 bytes of a fixed pseudo-random sequence (not protobuf: the first byte already has
# an invalid wire type, 7).
awk 'BEGIN { x = 12345; printf "%c", 255;
             for (i = 1; i < 256; i++) { x = (x * 1103515245 + 12345) % 2147483648;
                                         printf "%c", int(x / 65536) % 256 } }' \
  > "$dir/garbage.pb"
echo "wrote $(ls "$dir"/*.pb | wc -l) fixtures to $dir"
