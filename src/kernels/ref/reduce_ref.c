/* reduce_ref.c — portable reductions and arg-min/max (see kernels/reduce.h). A reduction walks the
 * collapsed input once, row by row along its innermost axis: a reduced innermost axis folds a
 * contiguous row into one output, a kept one combines a row elementwise into a row of outputs.
 * Integer shape computations (Prod of an int32 shape) run here too, so integer arithmetic is done
 * in unsigned types: overflow wraps and is never undefined. Never allocates. */
#include "kernels/reduce.h"

#include <math.h>

#include "core/params.h"

bool frost__reduce_plan_make(const frost__shape *in, const bool *reduce_axis,
                             frost__reduce_plan *p) {
    memset(p, 0, sizeof *p);
    if (in->rank < 0 || in->rank > FROST_MAX_RANK) return false;
    int64_t n_out = 1, n_red = 1;
    int r = 0;
    for (int i = 0; i < in->rank; i++) {
        const int64_t d = in->d[i];
        if (d < 0) return false;
        if (reduce_axis[i])
            n_red *= d;
        else
            n_out *= d;
        if (d == 1) continue;
        if (r > 0 && p->reduced[r - 1] == reduce_axis[i]) {
            p->dims[r - 1] *= d;
        } else {
            p->dims[r] = d;
            p->reduced[r] = reduce_axis[i];
            r++;
        }
    }
    if (r == 0) {
        p->dims[0] = 1;
        p->reduced[0] = false;
        r = 1;
    }
    p->rank = r;
    p->n_out = n_out;
    p->n_red = n_red;
    p->n_in = n_out * n_red;
    return true;
}

bool frost__reduce_supported(int fn, frost_dtype t) {
    switch (t) {
    case FROST_DTYPE_F32:
    case FROST_DTYPE_F64: return fn >= FROST__RED_SUM && fn <= FROST__RED_SUM_SQUARE;
    case FROST_DTYPE_I32:
    case FROST_DTYPE_I64:
        return fn == FROST__RED_SUM || fn == FROST__RED_MEAN || fn == FROST__RED_MAX ||
               fn == FROST__RED_MIN || fn == FROST__RED_PROD;
    case FROST_DTYPE_BOOL: return fn == FROST__RED_ANY || fn == FROST__RED_ALL;
    default: return false;
    }
}

/* Calls row(ctx, x_off, y_off) for every innermost row of the collapsed input, in memory order. */
typedef void (*row_fn)(void *ctx, int64_t x_off, int64_t y_off);

static void walk_rows(const frost__reduce_plan *p, row_fn row, void *ctx) {
    if (p->n_in == 0) return;
    const int r = p->rank;
    int64_t ostride[FROST_MAX_RANK], idx[FROST_MAX_RANK] = {0};
    int64_t s = 1;
    for (int d = r - 1; d >= 0; d--) {
        ostride[d] = p->reduced[d] ? 0 : s;
        if (!p->reduced[d]) s *= p->dims[d];
    }
    const int64_t len = p->dims[r - 1];
    const int64_t rows = p->n_in / len;
    int64_t o = 0;
    for (int64_t i = 0; i < rows; i++) {
        row(ctx, i * len, o);
        for (int d = r - 2; d >= 0; d--) {
            o += ostride[d];
            if (++idx[d] < p->dims[d]) break;
            o -= idx[d] * ostride[d];
            idx[d] = 0;
        }
    }
}

/* ---- floating point ------------------------------------------------------------------------ */

enum { COMB_ADD, COMB_MUL, COMB_MAX, COMB_MIN };
enum { PRE_NONE, PRE_ABS, PRE_SQUARE, PRE_EXP_SHIFTED };

/* One definition for f32 and f64; f32 accumulates long rows in double. */
#define FLOAT_REDUCE(NAME, T, EXP, ABS, SQRT, LOG)                                                 \
typedef struct NAME##_ctx {                                                                        \
    const T *x;                                                                                    \
    T *y;                                                                                          \
    const T *shift; /* PRE_EXP_SHIFTED: per-output max subtracted before exp */                    \
    int64_t len;                                                                                   \
    bool inner_reduced;                                                                            \
    int comb, pre;                                                                                 \
} NAME##_ctx;                                                                                      \
                                                                                                   \
static inline T NAME##_pre(int pre, T v, T shift) {                                                \
    switch (pre) {                                                                                 \
    case PRE_ABS: return ABS(v);                                                                   \
    case PRE_SQUARE: return v * v;                                                                 \
    case PRE_EXP_SHIFTED: return EXP(v - shift);                                                   \
    default: return v;                                                                             \
    }                                                                                              \
}                                                                                                  \
                                                                                                   \
static void NAME##_row(void *vctx, int64_t xo, int64_t yo) {                                       \
    const NAME##_ctx *c = vctx;                                                                    \
    const T *x = c->x + xo;                                                                        \
    const int64_t n = c->len;                                                                      \
    if (c->inner_reduced) {                                                                        \
        T *y = c->y + yo;                                                                          \
        const T sh = c->shift ? c->shift[yo] : (T)0;                                               \
        switch (c->comb) {                                                                         \
        case COMB_ADD: {                                                                           \
            /* Double accumulation: long rows (global pooling) lose no precision. */               \
            double acc = 0;                                                                        \
            if (c->pre == PRE_NONE)                                                                \
                for (int64_t i = 0; i < n; i++) acc += x[i];                                       \
            else                                                                                   \
                for (int64_t i = 0; i < n; i++) acc += NAME##_pre(c->pre, x[i], sh);               \
            *y = (T)((double)*y + acc);                                                            \
            break;                                                                                 \
        }                                                                                          \
        case COMB_MUL: {                                                                           \
            double acc = 1;                                                                        \
            for (int64_t i = 0; i < n; i++) acc *= x[i];                                           \
            *y = (T)((double)*y * acc);                                                            \
            break;                                                                                 \
        }                                                                                          \
        case COMB_MAX: {                                                                           \
            T m = *y;                                                                              \
            for (int64_t i = 0; i < n; i++) m = x[i] > m ? x[i] : m;                               \
            *y = m;                                                                                \
            break;                                                                                 \
        }                                                                                          \
        case COMB_MIN: {                                                                           \
            T m = *y;                                                                              \
            for (int64_t i = 0; i < n; i++) m = x[i] < m ? x[i] : m;                               \
            *y = m;                                                                                \
            break;                                                                                 \
        }                                                                                          \
        }                                                                                          \
    } else {                                                                                       \
        T *y = c->y + yo;                                                                          \
        switch (c->comb) {                                                                         \
        case COMB_ADD:                                                                             \
            if (c->pre == PRE_NONE)                                                                \
                for (int64_t i = 0; i < n; i++) y[i] += x[i];                                      \
            else if (c->pre == PRE_EXP_SHIFTED)                                                    \
                for (int64_t i = 0; i < n; i++) y[i] += EXP(x[i] - c->shift[yo + i]);              \
            else                                                                                   \
                for (int64_t i = 0; i < n; i++) y[i] += NAME##_pre(c->pre, x[i], (T)0);            \
            break;                                                                                 \
        case COMB_MUL:                                                                             \
            for (int64_t i = 0; i < n; i++) y[i] *= x[i];                                          \
            break;                                                                                 \
        case COMB_MAX:                                                                             \
            for (int64_t i = 0; i < n; i++) y[i] = x[i] > y[i] ? x[i] : y[i];                      \
            break;                                                                                 \
        case COMB_MIN:                                                                             \
            for (int64_t i = 0; i < n; i++) y[i] = x[i] < y[i] ? x[i] : y[i];                      \
            break;                                                                                 \
        }                                                                                          \
    }                                                                                              \
}                                                                                                  \
                                                                                                   \
static void NAME##_pass(const frost__reduce_plan *p, const T *x, T *y, int comb, int pre,          \
                     const T *shift) {                                                             \
    T init = comb == COMB_MUL   ? (T)1                                                             \
                 : comb == COMB_MAX ? -INFINITY                                                    \
                 : comb == COMB_MIN ? INFINITY                                                     \
                                    : (T)0;                                                        \
    for (int64_t i = 0; i < p->n_out; i++) y[i] = init;                                            \
    NAME##_ctx c = {x, y, shift, p->dims[p->rank - 1], p->reduced[p->rank - 1], comb, pre};        \
    walk_rows(p, NAME##_row, &c);                                                                  \
}                                                                                                  \
                                                                                                   \
void frost_k_##NAME##_reduce__ref(const frost__reduce_plan *p, int fn, const T *x, T *y,           \
                             T *tmp) {                                                             \
    const int64_t n = p->n_out;                                                                    \
    switch (fn) {                                                                                  \
    case FROST__RED_SUM: NAME##_pass(p, x, y, COMB_ADD, PRE_NONE, NULL); break;                    \
    case FROST__RED_MEAN: {                                                                        \
        NAME##_pass(p, x, y, COMB_ADD, PRE_NONE, NULL);                                            \
        const T inv = (T)1 / (T)p->n_red; /* n_red == 0: 0 * inf = NaN, as TF */                   \
        for (int64_t i = 0; i < n; i++) y[i] *= inv;                                               \
        break;                                                                                     \
    }                                                                                              \
    case FROST__RED_MAX: NAME##_pass(p, x, y, COMB_MAX, PRE_NONE, NULL); break;                    \
    case FROST__RED_MIN: NAME##_pass(p, x, y, COMB_MIN, PRE_NONE, NULL); break;                    \
    case FROST__RED_PROD: NAME##_pass(p, x, y, COMB_MUL, PRE_NONE, NULL); break;                   \
    case FROST__RED_L1: NAME##_pass(p, x, y, COMB_ADD, PRE_ABS, NULL); break;                      \
    case FROST__RED_L2:                                                                            \
        NAME##_pass(p, x, y, COMB_ADD, PRE_SQUARE, NULL);                                          \
        for (int64_t i = 0; i < n; i++) y[i] = SQRT(y[i]);                                         \
        break;                                                                                     \
    case FROST__RED_SUM_SQUARE: NAME##_pass(p, x, y, COMB_ADD, PRE_SQUARE, NULL); break;           \
    case FROST__RED_LOG_SUM:                                                                       \
        NAME##_pass(p, x, y, COMB_ADD, PRE_NONE, NULL);                                            \
        for (int64_t i = 0; i < n; i++) y[i] = LOG(y[i]);                                          \
        break;                                                                                     \
    case FROST__RED_LOG_SUM_EXP:                                                                   \
        /* max first, so exp never overflows: lse = m + log(sum(exp(x - m))). */                   \
        NAME##_pass(p, x, tmp, COMB_MAX, PRE_NONE, NULL);                                          \
        for (int64_t i = 0; i < n; i++)                                                            \
            if (!isfinite(tmp[i])) tmp[i] = (T)0; /* all -inf (or empty): log(0) = -inf */         \
        NAME##_pass(p, x, y, COMB_ADD, PRE_EXP_SHIFTED, tmp);                                      \
        for (int64_t i = 0; i < n; i++) y[i] = tmp[i] + LOG(y[i]);                                 \
        break;                                                                                     \
    default:                                                                                       \
        for (int64_t i = 0; i < n; i++) y[i] = NAN;                                                \
        break;                                                                                     \
    }                                                                                              \
}

FLOAT_REDUCE(f32, float, expf, fabsf, sqrtf, logf)
FLOAT_REDUCE(f64, double, exp, fabs, sqrt, log)

/* ---- integers ------------------------------------------------------------------------------- */

#define INT_REDUCE(NAME, T, UT, TMIN, TMAX)                                                        \
    typedef struct NAME##_ctx {                                                                    \
        const T *x;                                                                                \
        T *y;                                                                                      \
        int64_t len;                                                                               \
        bool inner_reduced;                                                                        \
        int comb;                                                                                  \
    } NAME##_ctx;                                                                                  \
    static inline T NAME##_comb(int comb, T a, T b) {                                              \
        switch (comb) {                                                                            \
        case COMB_ADD: return (T)((UT)a + (UT)b);                                                  \
        case COMB_MUL: return (T)((UT)a * (UT)b);                                                  \
        case COMB_MAX: return a > b ? a : b;                                                       \
        default: return a < b ? a : b;                                                             \
        }                                                                                          \
    }                                                                                              \
    static void NAME##_row(void *vctx, int64_t xo, int64_t yo) {                                   \
        const NAME##_ctx *c = vctx;                                                                \
        const T *x = c->x + xo;                                                                    \
        T *y = c->y + yo;                                                                          \
        if (c->inner_reduced) {                                                                    \
            T acc = *y;                                                                            \
            for (int64_t i = 0; i < c->len; i++) acc = NAME##_comb(c->comb, acc, x[i]);            \
            *y = acc;                                                                              \
        } else {                                                                                   \
            for (int64_t i = 0; i < c->len; i++) y[i] = NAME##_comb(c->comb, y[i], x[i]);          \
        }                                                                                          \
    }                                                                                              \
    void frost_k_##NAME##_reduce__ref(const frost__reduce_plan *p, int fn, const T *x, T *y) {     \
        int comb = fn == FROST__RED_PROD  ? COMB_MUL                                               \
                   : fn == FROST__RED_MAX ? COMB_MAX                                               \
                   : fn == FROST__RED_MIN ? COMB_MIN                                               \
                                          : COMB_ADD;                                              \
        T init = comb == COMB_MUL ? 1 : comb == COMB_MAX ? TMIN : comb == COMB_MIN ? TMAX : 0;     \
        for (int64_t i = 0; i < p->n_out; i++) y[i] = init;                                        \
        NAME##_ctx c = {x, y, p->dims[p->rank - 1], p->reduced[p->rank - 1], comb};                \
        walk_rows(p, NAME##_row, &c);                                                              \
        if (fn == FROST__RED_MEAN && p->n_red > 0)                                                 \
            for (int64_t i = 0; i < p->n_out; i++) y[i] = (T)((int64_t)y[i] / p->n_red);           \
    }

INT_REDUCE(i32, int32_t, uint32_t, INT32_MIN, INT32_MAX)
INT_REDUCE(i64, int64_t, uint64_t, INT64_MIN, INT64_MAX)

typedef struct bool_ctx {
    const uint8_t *x;
    uint8_t *y;
    int64_t len;
    bool inner_reduced, any;
} bool_ctx;

static void bool_row(void *vctx, int64_t xo, int64_t yo) {
    const bool_ctx *c = vctx;
    const uint8_t *x = c->x + xo;
    uint8_t *y = c->y + yo;
    if (c->inner_reduced) {
        uint8_t acc = *y;
        for (int64_t i = 0; i < c->len; i++)
            acc = c->any ? (acc | (x[i] != 0)) : (acc & (x[i] != 0));
        *y = acc;
    } else {
        for (int64_t i = 0; i < c->len; i++)
            y[i] = c->any ? (y[i] | (x[i] != 0)) : (y[i] & (x[i] != 0));
    }
}

void frost_k_bool_reduce__ref(const frost__reduce_plan *p, int fn, const uint8_t *x, uint8_t *y) {
    const bool any = fn == FROST__RED_ANY;
    for (int64_t i = 0; i < p->n_out; i++) y[i] = any ? 0 : 1;
    bool_ctx c = {x, y, p->dims[p->rank - 1], p->reduced[p->rank - 1], any};
    walk_rows(p, bool_row, &c);
}

/* ---- arg-min / arg-max ---------------------------------------------------------------------- */

static inline void put_index(frost_dtype yt, void *y, int64_t i, int64_t v) {
    if (yt == FROST_DTYPE_I32)
        ((int32_t *)y)[i] = (int32_t)v;
    else
        ((int64_t *)y)[i] = v;
}

void frost_k_argminmax__ref(frost_dtype xt, const void *x, frost_dtype yt, void *y, int64_t outer,
                            int64_t len, int64_t inner, bool is_max, bool select_last) {
    for (int64_t o = 0; o < outer; o++) {
        for (int64_t in = 0; in < inner; in++) {
            const int64_t base = o * len * inner + in;
            int64_t best = 0;
            if (xt == FROST_DTYPE_F32) {
                const float *xf = (const float *)x + base;
                float bv = len > 0 ? xf[0] : 0.0f;
                for (int64_t k = 1; k < len; k++) {
                    const float v = xf[k * inner];
                    const bool better = is_max ? (select_last ? v >= bv : v > bv)
                                               : (select_last ? v <= bv : v < bv);
                    if (better) {
                        bv = v;
                        best = k;
                    }
                }
            } else if (xt == FROST_DTYPE_I64) {
                /* Exact for every int64, which a detour through double would not be. */
                const int64_t *xi = (const int64_t *)x + base;
                int64_t bv = len > 0 ? xi[0] : 0;
                for (int64_t k = 1; k < len; k++) {
                    const int64_t v = xi[k * inner];
                    const bool better = is_max ? (select_last ? v >= bv : v > bv)
                                               : (select_last ? v <= bv : v < bv);
                    if (better) {
                        bv = v;
                        best = k;
                    }
                }
            } else {
                double bv = len > 0 ? frost__read_double(xt, x, base) : 0.0;
                for (int64_t k = 1; k < len; k++) {
                    const double v = frost__read_double(xt, x, base + k * inner);
                    const bool better = is_max ? (select_last ? v >= bv : v > bv)
                                               : (select_last ? v <= bv : v < bv);
                    if (better) {
                        bv = v;
                        best = k;
                    }
                }
            }
            put_index(yt, y, o * inner + in, best);
        }
    }
}
