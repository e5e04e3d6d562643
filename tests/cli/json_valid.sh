#!/bin/sh
# json_valid.sh COMMAND [ARGS...]: COMMAND must exit 0 and print exactly one valid JSON object on
# stdout (notes and progress belong on stderr). Exit 77 (skip) without python3 to check it.
PY=""
for p in /usr/bin/python3 python3; do
  if command -v "$p" >/dev/null 2>&1 && "$p" -c "import json" 2>/dev/null; then PY=$p; break; fi
done
if [ -z "$PY" ]; then echo "SKIP: no python3 to validate JSON"; exit 77; fi
out=$("$@")
code=$?
if [ "$code" != 0 ]; then
  echo "FAIL: exit code $code: $*"; echo "0 passed, 1 failed"; exit 1
fi
if ! printf '%s' "$out" | "$PY" -c "import json, sys; d = json.load(sys.stdin); assert isinstance(d, dict)"; then
  echo "FAIL: not one JSON object:"; printf '%s\n' "$out"; echo "0 passed, 1 failed"; exit 1
fi
echo "1 passed, 0 failed"
