/* test.h — the tiny harness every frost test uses. A test executable calls CHECK* as often as it
 * likes and ends with `return frost_test_finish();`, which prints "N passed, N failed" (the line
 * CI reads) and returns non-zero on any failure. frost_test_skip() exits with 77, which ctest
 * reports as skipped. */
#ifndef FROST_TEST_H
#define FROST_TEST_H

#include "frost.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

extern int frost_test_passed, frost_test_failed;

#define CHECK(cond) frost_test_check((cond), #cond, __FILE__, __LINE__, NULL)
#define CHECK_MSG(cond, ...) \
    frost_test_check((cond), #cond, __FILE__, __LINE__, frost_test_fmt(__VA_ARGS__))
/* A frost call that must succeed; prints err.message otherwise. */
#define CHECK_OK(call, errp) frost_test_check_ok((call), #call, __FILE__, __LINE__, (errp))
/* A frost call that must fail with `code`, with a message containing `needle` (may be NULL). */
#define CHECK_FAILS(call, code, errp, needle) \
    frost_test_check_fails((call), (code), #call, __FILE__, __LINE__, (errp), (needle))

bool frost_test_check(bool ok, const char *expr, const char *file, int line, const char *msg);
bool frost_test_check_ok(frost_status st, const char *expr, const char *file, int line,
                         const frost_error *err);
bool frost_test_check_fails(frost_status st, frost_status want, const char *expr, const char *file,
                            int line, const frost_error *err, const char *needle);
const char *frost_test_fmt(const char *fmt, ...);   /* static buffer */
int frost_test_finish(void);
_Noreturn void frost_test_skip(const char *why);

/* Max |a-b| over n floats; *where receives the index of the worst (may be NULL). */
double frost_test_max_abs_diff(const float *a, const float *b, size_t n, size_t *where);
/* True when every element satisfies |a-b| <= atol + rtol*|b|; prints the worst on failure. */
bool frost_test_close(const float *got, const float *want, size_t n, double atol, double rtol,
                      const char *what);

/* Deterministic pseudo-random numbers (xorshift), uniform in [lo, hi). */
void frost_test_seed(uint64_t seed);
float frost_test_uniform(float lo, float hi);
void frost_test_fill(float *x, size_t n, float lo, float hi);

/* Path under ../shared (FROST_SHARED_DIR), or NULL when that folder is absent. Static buffer. */
const char *frost_test_shared(const char *rel);
/* Path under tests/data. Static buffer. */
const char *frost_test_data(const char *rel);
/* A file of the real-model corpus cache (FROST_CORPUS_DIR, else ~/.cache/frost/corpus): the path of
 * pkgs/<rel>, or NULL when it is absent (the caller skips, saying so). Static buffer. */
const char *frost_test_corpus(const char *rel);
/* Reads a whole file (malloc'd, caller frees); NULL when missing. */
void *frost_test_read_file(const char *path, size_t *size);

/* A counting allocator: wraps malloc/free and counts calls, for zero-allocation tests. */
typedef struct frost_test_counting {
    frost_allocator a;
    long allocs, frees; /* successful allocations, frees of non-NULL pointers */
    long calls;         /* allocation calls, failed ones included */
    long fail_at;       /* > 0: the fail_at-th allocation call returns NULL (OOM injection) */
} frost_test_counting;
void frost_test_counting_init(frost_test_counting *c);

#endif
