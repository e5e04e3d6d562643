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
# A malformed node record inside a well-formed file: node 'probs' has its op field's tag turned
# from wire type 2 (length-delimited) into 3 (deprecated group start), which protobuf refuses.
cp "$dir/mlp.pb" "$dir/bad_record.pb"
off=$(grep -obUaP '\x12\x07Softmax' "$dir/bad_record.pb" | head -n 1 | cut -d: -f1)
printf '\023' | dd of="$dir/bad_record.pb" bs=1 seek="$off" conv=notrunc 2>/dev/null

echo "wrote $(ls "$dir"/*.pb | wc -l) fixtures to $dir"
