#!/bin/sh
# expect.sh CODE NEEDLE COMMAND [ARGS...]: runs COMMAND, and passes when it exits with CODE and its
# stdout+stderr contain NEEDLE (a fixed string; "" matches anything). Prints the output otherwise.
# NEEDLE may also be "!TEXT": the output must NOT contain TEXT.
want_code=$1
needle=$2
shift 2
out=$("$@" 2>&1)
code=$?
fail=""
if [ "$code" != "$want_code" ]; then
  fail="exit code $code, want $want_code"
fi
case "$needle" in
  "") ;;
  "!"*)
    if printf '%s' "$out" | grep -qF -- "${needle#!}"; then fail="$fail; output contains '${needle#!}'"; fi ;;
  *)
    if ! printf '%s' "$out" | grep -qF -- "$needle"; then fail="$fail; output lacks '$needle'"; fi ;;
esac
if [ -n "$fail" ]; then
  echo "FAIL: $*"
  echo "  $fail"
  echo "---- output ----"
  printf '%s\n' "$out"
  echo "0 passed, 1 failed"
  exit 1
fi
echo "1 passed, 0 failed"
exit 0
