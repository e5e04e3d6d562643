#!/bin/sh
# run_tsv.sh FROST CLI_TOOL RUN.TSV DIR OUT_DIR: replays RUN.TSV (written into each fixture's ref/
# by scripts/gen_tfjs_graph_fixtures.mjs, or by hand for the models in ../shared) the way a user
# would: one `frost run MODEL -i NAME=FILE ... -o NAME=FILE ...`, then every written output is
# compared with the reference (cli_tool compare: within ATOL + 1e-4 |ref| for floats, exactly for
# integers and booleans). run.tsv lines, tab-separated, paths relative to DIR:
#   model  FILE            input  NAME  FILE.npy        output  NAME  FILE.npy  ATOL
#   note   TEXT
# Exit 77 (skip) when DIR (../shared, for its models) is missing.
frost=$1 tool=$2 tsv=$3 dir=$4 out=$5
[ -f "$tsv" ] || { echo "FAIL: $tsv not found"; exit 1; }
[ -d "$dir" ] || { echo "SKIP: $dir not found (../shared absent?)"; exit 77; }
mkdir -p "$out" || exit 1
model= args= checks= tab=$(printf '\t')
while IFS=$tab read -r kind a b c; do
  case $kind in
    model) model=$dir/$a ;;
    input) args="$args -i $a=$dir/$b" ;;
    output)
      o=$out/$(echo "$a" | tr -c 'A-Za-z0-9_.\n-' '_').npy
      rm -f "$o"
      args="$args -o $a=$o"
      checks="$checks $o:$dir/$b:$c" ;;
    note) echo "note: $a" ;;
  esac
done <"$tsv"
[ -n "$model" ] || { echo "FAIL: $tsv names no model"; exit 1; }
# shellcheck disable=SC2086  # the names and paths come from our own run.tsv, without spaces
if ! "$frost" run "$model" $args; then
  echo "FAIL: frost run $model"; exit 1
fi
failed=0 passed=0
for chk in $checks; do
  got=${chk%%:*} rest=${chk#*:}
  want=${rest%%:*} atol=${rest#*:}
  if "$tool" compare "$got" "$want" "$atol"; then passed=$((passed + 1))
  else echo "FAIL: $got vs $want"; failed=$((failed + 1)); fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
