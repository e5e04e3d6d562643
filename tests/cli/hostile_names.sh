#!/bin/sh
# hostile_names.sh FROST DATA_DIR: names in a model file are data. hostile_names.pb holds a
# terminal escape, bytes that are not UTF-8 and a title-setting sequence in its node and op names;
# whatever frost prints about it (inspect, check, run errors; text and JSON) must contain no control
# character other than newline and no invalid UTF-8.
frost=$1 data=$2
model=$data/hostile_names.pb
fails=0
clean() { # clean LABEL FILE: exits non-zero when FILE has a raw control byte or invalid UTF-8
  /usr/bin/python3 - "$1" "$2" <<'PY' || fails=$((fails + 1))
import sys
label, path = sys.argv[1], sys.argv[2]
data = open(path, "rb").read()
bad = [b for b in data if (b < 0x20 and b not in (0x0a,)) or b == 0x7f]
try:
    data.decode("utf-8")
    utf8 = True
except UnicodeDecodeError:
    utf8 = False
if bad or not utf8:
    print(f"FAIL {label}: raw control bytes {sorted(set(bad))} / valid UTF-8: {utf8}")
    print(data[:600])
    sys.exit(1)
PY
}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$frost" inspect "$model" > "$out/inspect_refused.txt" 2>&1
grep -q 'Frob\\x1b\]0;pwned\\x07' "$out/inspect_refused.txt" || { echo "FAIL: op not escaped"; fails=$((fails+1)); }
clean "inspect (refused)" "$out/inspect_refused.txt"
"$frost" run "$model" -o "$(printf 'relu\200\377')=$out/r.npy" > "$out/run.txt" 2>&1
clean "run" "$out/run.txt"
"$frost" check "$model" > "$out/check.txt" 2>&1
clean "check" "$out/check.txt"
"$frost" check --json "$model" > "$out/check.json" 2>&1
clean "check --json" "$out/check.json"
/usr/bin/python3 -c "import json,sys; json.load(open('$out/check.json'))" || { echo "FAIL: check --json is not JSON"; fails=$((fails+1)); }
[ $fails -eq 0 ] && echo "hostile_names: all passed" && exit 0
exit 1
