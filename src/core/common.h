/* common.h — what every frost source file needs: allocation through the caller's allocator, error
 * reporting into the caller's frost_error, overflow-checked size arithmetic, and shapes.
 * Private: never installed. Everything non-static is prefixed frost__. */
#ifndef FROST_CORE_COMMON_H
#define FROST_CORE_COMMON_H

#include "frost.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#if defined(__GNUC__)
#define FROST_PRINTF(fmt_idx, arg_idx) __attribute__((format(printf, fmt_idx, arg_idx)))
#define FROST_LIKELY(x) __builtin_expect(!!(x), 1)
#define FROST_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define FROST_PRINTF(fmt_idx, arg_idx)
#define FROST_LIKELY(x) (x)
#define FROST_UNLIKELY(x) (x)
#endif

#define FROST_MIN(a, b) ((a) < (b) ? (a) : (b))
#define FROST_MAX(a, b) ((a) > (b) ? (a) : (b))
#define FROST_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Propagates a non-OK status. */
#define FROST_TRY(expr)                                 \
    do {                                                \
        frost_status frost__st_ = (expr);               \
        if (frost__st_ != FROST_OK) return frost__st_;  \
    } while (0)

/* ==== Allocation ============================================================================== */

/* The allocator every model/session copies from its options (malloc/free when NULL). */
const frost_allocator *frost__default_allocator(void);
void *frost__alloc(const frost_allocator *a, size_t bytes);          /* 64-byte aligned */
void *frost__calloc(const frost_allocator *a, size_t n, size_t elem); /* zeroed, overflow-checked */
void frost__free(const frost_allocator *a, void *p);
/* Grows *arr (elements of `elem` bytes) to hold at least `need`; doubles. Returns false on OOM. */
bool frost__grow(const frost_allocator *a, void **arr, int *cap, int need, size_t elem);
char *frost__strdup(const frost_allocator *a, const char *s);
char *frost__strndup(const frost_allocator *a, const char *s, size_t n);

/* ==== Errors ================================================================================== */

/* Fills `err` (may be NULL) and returns `code`. `node`/`op` may be NULL; offset -1 if unknown. */
frost_status frost__fail(frost_error *err, frost_status code, const char *node, const char *op,
                         int64_t file_offset, const char *fmt, ...) FROST_PRINTF(6, 7);
frost_status frost__vfail(frost_error *err, frost_status code, const char *node, const char *op,
                          int64_t file_offset, const char *fmt, va_list ap);
void frost__clear_error(frost_error *err);

/* ==== Overflow-checked arithmetic ============================================================= */

static inline bool frost__mul_ok(int64_t a, int64_t b, int64_t *out) {
    return !__builtin_mul_overflow(a, b, out);
}
static inline bool frost__add_ok(int64_t a, int64_t b, int64_t *out) {
    return !__builtin_add_overflow(a, b, out);
}
static inline bool frost__size_mul_ok(size_t a, size_t b, size_t *out) {
    return !__builtin_mul_overflow(a, b, out);
}

/* ==== Shapes ================================================================================== */

/* rank -1: not even the rank is known (only during load-time inference). d[i] == -1: unknown dim. */
typedef struct frost__shape {
    int rank;
    int64_t d[FROST_MAX_RANK];
} frost__shape;

static inline frost__shape frost__shape_make(int rank, const int64_t *dims) {
    frost__shape s;
    memset(&s, 0, sizeof s);
    s.rank = rank;
    for (int i = 0; i < rank && i < FROST_MAX_RANK; i++) s.d[i] = dims[i];
    return s;
}
static inline frost__shape frost__shape_unknown(void) {
    frost__shape s;
    memset(&s, 0, sizeof s);
    s.rank = -1;
    return s;
}
/* True when the rank and every dimension are known. */
bool frost__shape_known(const frost__shape *s);
/* Element count, or -1 if unknown or if it overflows int64 (check with frost__shape_numel_ok). */
int64_t frost__shape_numel(const frost__shape *s);
/* Element count into *out; false if unknown, negative or overflowing. */
bool frost__shape_numel_ok(const frost__shape *s, int64_t *out);
bool frost__shape_equal(const frost__shape *a, const frost__shape *b);
/* "[?,28,28,1]" into buf (always terminated). Returns buf. */
char *frost__shape_str(const frost__shape *s, char *buf, size_t cap);
/* Numpy broadcasting of a and b into *out. Unknown dims stay unknown where they decide the result.
 * Returns false when the shapes cannot broadcast. */
bool frost__shape_broadcast(const frost__shape *a, const frost__shape *b, frost__shape *out);

/* Row-major element strides of a known shape (strides[rank-1] == 1). */
void frost__shape_strides(const frost__shape *s, int64_t *strides);

/* Bytes of numel elements of dtype, or false on overflow / unknown. */
bool frost__tensor_bytes(frost_dtype t, const frost__shape *s, size_t *out);

/* Reads element i of an integer tensor of dtype (I32, I64, U8, I8, I16, U16, BOOL) as int64. */
int64_t frost__read_int(frost_dtype t, const void *data, int64_t i);
/* Reads element i of a float or integer tensor as double. */
double frost__read_double(frost_dtype t, const void *data, int64_t i);
/* Stores v as element i of a numeric or bool tensor. False when the dtype has no numeric value or
 * v is not exactly representable as an integer of that dtype (fractions, out of range, NaN). */
bool frost__write_double(frost_dtype t, void *data, int64_t i, double v);
bool frost__dtype_is_int(frost_dtype t);
bool frost__dtype_is_float(frost_dtype t);

#endif /* FROST_CORE_COMMON_H */
