/* eltwise_ref.c — portable elementwise kernels: unary functions (activations included), binary
 * functions over a collapsed broadcast plan, casts and select.
 *
 * The f32 activations use a branch-free exp (Cody-Waite reduction + polynomial, ~1 ulp) so their
 * loops vectorize; the rarer transcendental functions call libm one element at a time. Kernels
 * never allocate and never trap on data: integer arithmetic wraps, integer division by zero gives
 * 0 (and INT_MIN / -1 wraps), float -> int casts saturate with NaN -> 0. */
#if defined(__GNUC__) && !defined(__clang__) /* clang has no per-file optimize pragma */
#pragma GCC optimize("no-math-errno", "no-trapping-math")
#endif

#include "kernels/eltwise.h"

#include <math.h>

#include "core/params.h"

/* ==== Unary f32 ============================================================================= */

#define FROST_F32_UNARY_NAME frost_k_f32_unary__ref
#include "kernels/ref/eltwise_unary_f32.inc"

/* ==== Unary, other dtypes ===================================================================== */

static double unary_f64(int fn, double v, double alpha, double beta) {
    switch (fn) {
    case FROST__ACT_NONE: case FROST__UN_IDENTITY: return v;
    case FROST__ACT_RELU: return v < 0 ? 0 : v;
    case FROST__ACT_RELU6: return v < 0 ? 0 : (v > 6 ? 6 : v);
    case FROST__ACT_CLIP: return v < alpha ? alpha : (v > beta ? beta : v);
    case FROST__ACT_LEAKY_RELU: return v < 0 ? alpha * v : v;
    case FROST__ACT_ELU: return v < 0 ? alpha * expm1(v) : v;
    case FROST__ACT_SELU: return (double)SELU_SCALE * (v < 0 ? (double)SELU_ALPHA * expm1(v) : v);
    case FROST__ACT_SIGMOID: return 1 / (1 + exp(-v));
    case FROST__ACT_TANH: return tanh(v);
    case FROST__ACT_HARD_SIGMOID: return fmax(0, fmin(1, alpha * v + beta));
    case FROST__ACT_SOFTPLUS: return v > 30 ? v : log1p(exp(v));
    case FROST__ACT_SOFTSIGN: return v / (1 + fabs(v));
    case FROST__ACT_SWISH: return v / (1 + exp(-v));
    case FROST__ACT_GELU: return 0.5 * v * (1 + erf(v * 0.70710678118654752));
    case FROST__ACT_GELU_TANH:
        return 0.5 * v * (1 + tanh(0.79788456080286536 * (v + 0.044715 * v * v * v)));
    case FROST__ACT_HARD_SWISH: return v * fmin(fmax(v + 3, 0), 6) / 6;
    case FROST__UN_NEG: return -v;
    case FROST__UN_ABS: return fabs(v);
    case FROST__UN_SIGN: return v > 0 ? 1 : (v < 0 ? -1 : v);
    case FROST__UN_EXP: return exp(v);
    case FROST__UN_LOG: return log(v);
    case FROST__UN_SQRT: return sqrt(v);
    case FROST__UN_RSQRT: return 1 / sqrt(v);
    case FROST__UN_SQUARE: return v * v;
    case FROST__UN_RECIPROCAL: return 1 / v;
    case FROST__UN_FLOOR: return floor(v);
    case FROST__UN_CEIL: return ceil(v);
    case FROST__UN_ROUND: return rint(v);
    case FROST__UN_ERF: return erf(v);
    case FROST__UN_SIN: return sin(v);
    case FROST__UN_COS: return cos(v);
    case FROST__UN_TAN: return tan(v);
    case FROST__UN_ASIN: return asin(v);
    case FROST__UN_ACOS: return acos(v);
    case FROST__UN_ATAN: return atan(v);
    case FROST__UN_SINH: return sinh(v);
    case FROST__UN_COSH: return cosh(v);
    case FROST__UN_ASINH: return asinh(v);
    case FROST__UN_ACOSH: return acosh(v);
    case FROST__UN_ATANH: return atanh(v);
    case FROST__UN_EXPM1: return expm1(v);
    case FROST__UN_LOG1P: return log1p(v);
    default: return v;
    }
}

/* Integer unary functions wrap like two's complement hardware (no UB on INT_MIN). */
static int64_t unary_i64(int fn, int64_t v) {
    uint64_t u = (uint64_t)v;
    switch (fn) {
    case FROST__UN_NEG: return (int64_t)(0 - u);
    case FROST__UN_ABS: return v < 0 ? (int64_t)(0 - u) : v;
    case FROST__UN_SIGN: return v > 0 ? 1 : (v < 0 ? -1 : 0);
    case FROST__UN_SQUARE: return (int64_t)(u * u);
    case FROST__ACT_RELU: return v < 0 ? 0 : v;
    case FROST__ACT_RELU6: return v < 0 ? 0 : (v > 6 ? 6 : v);
    default: return v; /* identity */
    }
}

static bool unary_int_fn(int fn) {
    return fn == FROST__ACT_NONE || fn == FROST__UN_IDENTITY || fn == FROST__UN_NEG ||
           fn == FROST__UN_ABS || fn == FROST__UN_SIGN || fn == FROST__UN_SQUARE ||
           fn == FROST__ACT_RELU || fn == FROST__ACT_RELU6;
}

bool frost_k_unary_supported(int fn, frost_dtype in) {
    if (fn < 0 || fn >= FROST__UN_COUNT) return false;
    if (fn == FROST__UN_NOT) return in == FROST_DTYPE_BOOL;
    if (fn == FROST__UN_ISNAN || fn == FROST__UN_ISINF)
        return in == FROST_DTYPE_F32 || in == FROST_DTYPE_F64;
    if (in == FROST_DTYPE_F32 || in == FROST_DTYPE_F64) return true;
    if (in == FROST_DTYPE_BOOL) return fn == FROST__UN_IDENTITY || fn == FROST__ACT_NONE;
    if (frost__dtype_is_int(in)) return unary_int_fn(fn);
    return false;
}

#define UNARY_INT_CASE(DT, T)                                                   \
    case DT: {                                                                  \
        const T *xs = x;                                                        \
        T *ys = y;                                                              \
        for (int64_t i = 0; i < n; i++) ys[i] = (T)unary_i64(fn, (int64_t)xs[i]); \
        return;                                                                 \
    }

void frost_k_unary__ref(int fn, frost_dtype in, const void *x, void *y, int64_t n, float alpha,
                        float beta) {
    if (fn == FROST__UN_NOT) {
        const uint8_t *xs = x;
        uint8_t *ys = y;
        for (int64_t i = 0; i < n; i++) ys[i] = !xs[i];
        return;
    }
    if (fn == FROST__UN_ISNAN || fn == FROST__UN_ISINF) {
        uint8_t *ys = y;
        bool nan = fn == FROST__UN_ISNAN;
        for (int64_t i = 0; i < n; i++) {
            double v = in == FROST_DTYPE_F32 ? ((const float *)x)[i] : ((const double *)x)[i];
            ys[i] = nan ? isnan(v) != 0 : isinf(v) != 0;
        }
        return;
    }
    switch (in) {
    case FROST_DTYPE_F32: frost_k_f32_unary__ref(fn, x, y, n, alpha, beta); return;
    case FROST_DTYPE_F64: {
        const double *xs = x;
        double *ys = y;
        for (int64_t i = 0; i < n; i++) ys[i] = unary_f64(fn, xs[i], alpha, beta);
        return;
    }
    case FROST_DTYPE_BOOL:
        if (x != y) memmove(y, x, (size_t)n);
        return;
    UNARY_INT_CASE(FROST_DTYPE_I8, int8_t)
    UNARY_INT_CASE(FROST_DTYPE_I16, int16_t)
    UNARY_INT_CASE(FROST_DTYPE_I32, int32_t)
    UNARY_INT_CASE(FROST_DTYPE_I64, int64_t)
    UNARY_INT_CASE(FROST_DTYPE_U8, uint8_t)
    UNARY_INT_CASE(FROST_DTYPE_U16, uint16_t)
    UNARY_INT_CASE(FROST_DTYPE_U32, uint32_t)
    UNARY_INT_CASE(FROST_DTYPE_U64, uint64_t)
    default:
        return;
    }
}
#undef UNARY_INT_CASE

/* ==== Binary ================================================================================== */

/* One function per (fn, dtype); the four sa/sb cases get their own loops so each vectorizes. */
#define BIN_LOOP(name, T, TO, expr)                                                       \
    static void name(const void *a_, const void *b_, void *o_, int64_t n, int sa, int sb) { \
        const T *a = a_;                                                                  \
        const T *b = b_;                                                                  \
        TO *o = o_;                                                                       \
        if (sa && sb) {                                                                   \
            for (int64_t i = 0; i < n; i++) {                                             \
                T x = a[i], y = b[i];                                                     \
                o[i] = (TO)(expr);                                                        \
            }                                                                             \
        } else if (sa) {                                                                  \
            T y = b[0];                                                                   \
            for (int64_t i = 0; i < n; i++) {                                             \
                T x = a[i];                                                               \
                o[i] = (TO)(expr);                                                        \
            }                                                                             \
        } else if (sb) {                                                                  \
            T x = a[0];                                                                   \
            for (int64_t i = 0; i < n; i++) {                                             \
                T y = b[i];                                                               \
                o[i] = (TO)(expr);                                                        \
            }                                                                             \
        } else {                                                                          \
            T x = a[0], y = b[0];                                                         \
            TO v = (TO)(expr);                                                            \
            for (int64_t i = 0; i < n; i++) o[i] = v;                                     \
        }                                                                                 \
    }

static inline float floormod_f(float x, float y) {
    float r = fmodf(x, y);
    return (r != 0 && ((r < 0) != (y < 0))) ? r + y : r;
}
static inline double floormod_d(double x, double y) {
    double r = fmod(x, y);
    return (r != 0 && ((r < 0) != (y < 0))) ? r + y : r;
}

/* Signed integer helpers in int64 (callers narrow; narrowing wraps). */
static inline int64_t sdiv_trunc(int64_t a, int64_t b) {
    if (b == 0) return 0;
    if (b == -1) return (int64_t)(0 - (uint64_t)a);
    return a / b;
}
static inline int64_t sdiv_floor(int64_t a, int64_t b) {
    if (b == 0) return 0;
    if (b == -1) return (int64_t)(0 - (uint64_t)a);
    int64_t q = a / b;
    if (a % b != 0 && ((a < 0) != (b < 0))) q--;
    return q;
}
static inline int64_t smod_floor(int64_t a, int64_t b) {
    if (b == 0 || b == -1) return 0;
    int64_t r = a % b;
    return (r != 0 && ((r < 0) != (b < 0))) ? r + b : r;
}
static inline int64_t smod_trunc(int64_t a, int64_t b) {
    if (b == 0 || b == -1) return 0;
    return a % b;
}
static inline int64_t spow(int64_t a, int64_t e) {
    if (e < 0) return a == 1 ? 1 : (a == -1 ? ((e & 1) ? -1 : 1) : 0);
    uint64_t r = 1, base = (uint64_t)a;
    while (e) {
        if (e & 1) r *= base;
        base *= base;
        e >>= 1;
    }
    return (int64_t)r;
}
static inline uint64_t upow(uint64_t a, uint64_t e) {
    uint64_t r = 1;
    while (e) {
        if (e & 1) r *= a;
        a *= a;
        e >>= 1;
    }
    return r;
}

#define FLOAT_FNS(S, T, POW, FLOOR, FMOD, FLOORMOD)                                   \
    BIN_LOOP(add_##S, T, T, x + y)                                                     \
    BIN_LOOP(sub_##S, T, T, x - y)                                                     \
    BIN_LOOP(mul_##S, T, T, x * y)                                                     \
    BIN_LOOP(div_##S, T, T, x / y)                                                     \
    BIN_LOOP(max_##S, T, T, x > y ? x : y)                                             \
    BIN_LOOP(min_##S, T, T, x < y ? x : y)                                             \
    BIN_LOOP(pow_##S, T, T, POW(x, y))                                                 \
    BIN_LOOP(sqd_##S, T, T, (x - y) * (x - y))                                         \
    BIN_LOOP(floordiv_##S, T, T, FLOOR(x / y))                                         \
    BIN_LOOP(floormod_##S, T, T, FLOORMOD(x, y))                                       \
    BIN_LOOP(fmod_##S, T, T, FMOD(x, y))                                               \
    BIN_LOOP(prelu_##S, T, T, x < 0 ? x * y : x)

/* UT: the unsigned type the arithmetic wraps in (at least unsigned int, so no promotion to int). */
#define SINT_FNS(S, T, UT)                                                             \
    BIN_LOOP(add_##S, T, T, (UT)x + (UT)y)                                             \
    BIN_LOOP(sub_##S, T, T, (UT)x - (UT)y)                                             \
    BIN_LOOP(mul_##S, T, T, (UT)x * (UT)y)                                             \
    BIN_LOOP(div_##S, T, T, sdiv_trunc(x, y))                                          \
    BIN_LOOP(max_##S, T, T, x > y ? x : y)                                             \
    BIN_LOOP(min_##S, T, T, x < y ? x : y)                                             \
    BIN_LOOP(pow_##S, T, T, spow(x, y))                                                \
    BIN_LOOP(sqd_##S, T, T, ((UT)x - (UT)y) * ((UT)x - (UT)y))                         \
    BIN_LOOP(floordiv_##S, T, T, sdiv_floor(x, y))                                     \
    BIN_LOOP(floormod_##S, T, T, smod_floor(x, y))                                     \
    BIN_LOOP(fmod_##S, T, T, smod_trunc(x, y))                                         \
    BIN_LOOP(prelu_##S, T, T, x < 0 ? (UT)x * (UT)y : (UT)x)

#define UINT_FNS(S, T, UT)                                                             \
    BIN_LOOP(add_##S, T, T, (UT)x + (UT)y)                                             \
    BIN_LOOP(sub_##S, T, T, (UT)x - (UT)y)                                             \
    BIN_LOOP(mul_##S, T, T, (UT)x * (UT)y)                                             \
    BIN_LOOP(div_##S, T, T, y ? x / y : 0)                                             \
    BIN_LOOP(max_##S, T, T, x > y ? x : y)                                             \
    BIN_LOOP(min_##S, T, T, x < y ? x : y)                                             \
    BIN_LOOP(pow_##S, T, T, upow(x, y))                                                \
    BIN_LOOP(sqd_##S, T, T, x > y ? ((UT)x - (UT)y) * ((UT)x - (UT)y) : ((UT)y - (UT)x) * ((UT)y - (UT)x)) \
    BIN_LOOP(floordiv_##S, T, T, y ? x / y : 0)                                        \
    BIN_LOOP(floormod_##S, T, T, y ? x % y : 0)                                        \
    BIN_LOOP(fmod_##S, T, T, y ? x % y : 0)                                            \
    BIN_LOOP(prelu_##S, T, T, (UT)x + 0u * (UT)y)

#define CMP_FNS(S, T)                                                                  \
    BIN_LOOP(eq_##S, T, uint8_t, x == y)                                               \
    BIN_LOOP(ne_##S, T, uint8_t, x != y)                                               \
    BIN_LOOP(lt_##S, T, uint8_t, x < y)                                                \
    BIN_LOOP(le_##S, T, uint8_t, x <= y)                                               \
    BIN_LOOP(gt_##S, T, uint8_t, x > y)                                                \
    BIN_LOOP(ge_##S, T, uint8_t, x >= y)

FLOAT_FNS(f32, float, powf, floorf, fmodf, floormod_f)
FLOAT_FNS(f64, double, pow, floor, fmod, floormod_d)
SINT_FNS(i8, int8_t, uint32_t)
SINT_FNS(i16, int16_t, uint32_t)
SINT_FNS(i32, int32_t, uint32_t)
SINT_FNS(i64, int64_t, uint64_t)
UINT_FNS(u8, uint8_t, uint32_t)
UINT_FNS(u16, uint16_t, uint32_t)
UINT_FNS(u32, uint32_t, uint32_t)
UINT_FNS(u64, uint64_t, uint64_t)
CMP_FNS(f32, float)
CMP_FNS(f64, double)
CMP_FNS(i8, int8_t)
CMP_FNS(i16, int16_t)
CMP_FNS(i32, int32_t)
CMP_FNS(i64, int64_t)
CMP_FNS(u8, uint8_t)
CMP_FNS(u16, uint16_t)
CMP_FNS(u32, uint32_t)
CMP_FNS(u64, uint64_t)
BIN_LOOP(and_b, uint8_t, uint8_t, (x != 0) & (y != 0))
BIN_LOOP(or_b, uint8_t, uint8_t, (x != 0) | (y != 0))
BIN_LOOP(xor_b, uint8_t, uint8_t, (x != 0) != (y != 0))

#define ROW(S)                                                                               \
    {                                                                                        \
        [FROST__BIN_ADD] = add_##S, [FROST__BIN_SUB] = sub_##S, [FROST__BIN_MUL] = mul_##S, \
        [FROST__BIN_DIV] = div_##S, [FROST__BIN_MAX] = max_##S, [FROST__BIN_MIN] = min_##S, \
        [FROST__BIN_POW] = pow_##S, [FROST__BIN_SQUARED_DIFF] = sqd_##S,                     \
        [FROST__BIN_FLOOR_DIV] = floordiv_##S, [FROST__BIN_FLOOR_MOD] = floormod_##S,        \
        [FROST__BIN_FMOD] = fmod_##S, [FROST__BIN_PRELU] = prelu_##S,                        \
        [FROST__BIN_EQUAL] = eq_##S, [FROST__BIN_NOT_EQUAL] = ne_##S,                        \
        [FROST__BIN_LESS] = lt_##S, [FROST__BIN_LESS_EQUAL] = le_##S,                        \
        [FROST__BIN_GREATER] = gt_##S, [FROST__BIN_GREATER_EQUAL] = ge_##S,                  \
    }

static const frost__binary_loop binary_table[FROST_DTYPE_COUNT][FROST__BIN_COUNT] = {
    [FROST_DTYPE_F32] = ROW(f32), [FROST_DTYPE_F64] = ROW(f64), [FROST_DTYPE_I8] = ROW(i8),
    [FROST_DTYPE_I16] = ROW(i16), [FROST_DTYPE_I32] = ROW(i32), [FROST_DTYPE_I64] = ROW(i64),
    [FROST_DTYPE_U8] = ROW(u8),   [FROST_DTYPE_U16] = ROW(u16), [FROST_DTYPE_U32] = ROW(u32),
    [FROST_DTYPE_U64] = ROW(u64),
    [FROST_DTYPE_BOOL] = {
        [FROST__BIN_EQUAL] = eq_u8, [FROST__BIN_NOT_EQUAL] = ne_u8, [FROST__BIN_LESS] = lt_u8,
        [FROST__BIN_LESS_EQUAL] = le_u8, [FROST__BIN_GREATER] = gt_u8,
        [FROST__BIN_GREATER_EQUAL] = ge_u8, [FROST__BIN_MAX] = or_b, [FROST__BIN_MIN] = and_b,
        [FROST__BIN_AND] = and_b, [FROST__BIN_OR] = or_b, [FROST__BIN_XOR] = xor_b,
        [FROST__BIN_MUL] = and_b, [FROST__BIN_ADD] = or_b,
    },
};
#undef ROW

/* pow(x, 2) as x * x: powf is correctly rounded, so its square is x * x rounded, bit for bit. */
BIN_LOOP(pow2_f32, float, float, ((void)y, x * x))

frost__binary_loop frost_k_f32_pow2_loop(void) { return pow2_f32; }

frost__binary_loop frost_k_binary_loop(int fn, frost_dtype in) {
    if (fn < 0 || fn >= FROST__BIN_COUNT || (unsigned)in >= FROST_DTYPE_COUNT) return NULL;
    return binary_table[in][fn];
}

frost_dtype frost_k_binary_out_dtype(int fn, frost_dtype in) {
    if (!frost_k_binary_loop(fn, in)) return FROST_DTYPE_INVALID;
    if (fn >= FROST__BIN_EQUAL && fn <= FROST__BIN_GREATER_EQUAL) return FROST_DTYPE_BOOL;
    return in;
}

bool frost__bcast_plan(const frost__shape *a, const frost__shape *b, const frost__shape *out,
                       frost__bcast *p) {
    int r = out->rank;
    if (r < 0 || a->rank > r || b->rank > r || r > FROST_MAX_RANK) return false;
    int64_t sta[FROST_MAX_RANK], stb[FROST_MAX_RANK];
    frost__shape_strides(a, sta);
    frost__shape_strides(b, stb);
    memset(p, 0, sizeof *p);
    int k = 0;
    p->numel = 1;
    for (int i = 0; i < r; i++) {
        int64_t d = out->d[i];
        int ia = i - (r - a->rank), ib = i - (r - b->rank);
        int64_t da = ia >= 0 ? a->d[ia] : 1, db = ib >= 0 ? b->d[ib] : 1;
        if ((da != d && da != 1) || (db != d && db != 1) || d < 0) return false;
        p->numel *= d;
        if (d == 1) continue;
        int64_t s_a = da == 1 ? 0 : sta[ia], s_b = db == 1 ? 0 : stb[ib];
        /* merge with the previous dim when both operands continue it (contiguous or both 0) */
        if (k > 0 && p->sa[k - 1] == s_a * d && p->sb[k - 1] == s_b * d) {
            p->dims[k - 1] *= d;
            p->sa[k - 1] = s_a;
            p->sb[k - 1] = s_b;
            continue;
        }
        p->dims[k] = d;
        p->sa[k] = s_a;
        p->sb[k] = s_b;
        k++;
    }
    if (k == 0) {
        p->dims[0] = p->numel; /* 1 or 0 */
        p->sa[0] = p->sb[0] = 0;
        k = 1;
    }
    p->rank = k;
    return true;
}

void frost_k_binary_rows__ref(const frost__bcast *p, frost__binary_loop loop, const void *a,
                              size_t ea, const void *b, size_t eb, void *out, size_t eo,
                              int64_t row0, int64_t row1) {
    int r = p->rank;
    int64_t inner = p->dims[r - 1];
    int sa = p->sa[r - 1] != 0, sb = p->sb[r - 1] != 0;
    if (r == 1) {
        /* one row: rows index chunks of it is the caller's business; here the row is whole */
        if (row0 < row1) loop(a, b, out, inner, sa, sb);
        return;
    }
    int64_t idx[FROST_MAX_RANK];
    int64_t rem = row0, oa = 0, ob = 0;
    for (int i = r - 2; i >= 0; i--) {
        idx[i] = rem % p->dims[i];
        rem /= p->dims[i];
        oa += idx[i] * p->sa[i];
        ob += idx[i] * p->sb[i];
    }
    const unsigned char *ap = a, *bp = b;
    unsigned char *op = out;
    for (int64_t row = row0; row < row1; row++) {
        loop(ap + (size_t)oa * ea, bp + (size_t)ob * eb, op + (size_t)(row * inner) * eo, inner, sa,
             sb);
        for (int i = r - 2; i >= 0; i--) {
            idx[i]++;
            oa += p->sa[i];
            ob += p->sb[i];
            if (idx[i] < p->dims[i]) break;
            oa -= p->sa[i] * p->dims[i];
            ob -= p->sb[i] * p->dims[i];
            idx[i] = 0;
        }
    }
}

void frost_k_binary_short_rows__ref(frost__binary_loop loop, const void *a, size_t ea, const void *b,
                                    size_t eb, void *out, size_t eo, int64_t inner, bool vec_is_b,
                                    int64_t row0, int64_t row1) {
    uint64_t tile[1024]; /* 8 KB: whole rows of the vector, any element size */
    const unsigned char *vec = vec_is_b ? b : a;
    size_t ev = vec_is_b ? eb : ea, ed = vec_is_b ? ea : eb;
    int64_t per = (int64_t)(sizeof tile / ev) / inner; /* rows per tile */
    for (int64_t k = 0; k < per; k++) memcpy((unsigned char *)tile + (size_t)(k * inner) * ev, vec, (size_t)inner * ev);
    const unsigned char *data = vec_is_b ? a : b;
    for (int64_t r = row0; r < row1; r += per) {
        int64_t m = (row1 - r < per ? row1 - r : per) * inner;
        const unsigned char *d = data + (size_t)(r * inner) * ed;
        unsigned char *o = (unsigned char *)out + (size_t)(r * inner) * eo;
        if (vec_is_b) loop(d, tile, o, m, 1, 1);
        else loop(tile, d, o, m, 1, 1);
    }
}

/* ==== Cast ==================================================================================== */

/* Float -> integer saturates and maps NaN to 0, so no input is undefined behaviour. */
#define SAT(T, LO, HI, v) \
    ((v) != (v) ? (T)0 : (v) <= (double)(LO) ? (T)(LO) : (v) >= (double)(HI) ? (T)(HI) : (T)(v))

#define CVT_FLOAT_TO(TT, v)                                               \
    _Generic((TT)0,                                                       \
        float: (float)(v), double: (double)(v),                           \
        int8_t: SAT(int8_t, INT8_MIN, INT8_MAX, (double)(v)),             \
        int16_t: SAT(int16_t, INT16_MIN, INT16_MAX, (double)(v)),         \
        int32_t: SAT(int32_t, INT32_MIN, INT32_MAX, (double)(v)),         \
        int64_t: SAT(int64_t, INT64_MIN, 9223372036854774784.0, (double)(v)), \
        uint8_t: SAT(uint8_t, 0, UINT8_MAX, (double)(v)),                 \
        uint16_t: SAT(uint16_t, 0, UINT16_MAX, (double)(v)),              \
        uint32_t: SAT(uint32_t, 0, UINT32_MAX, (double)(v)),              \
        uint64_t: SAT(uint64_t, 0, 18446744073709549568.0, (double)(v)))

#define CAST_LOOP(FT, TT, EXPR)                          \
    do {                                                 \
        const FT *xs = x;                                \
        TT *ys = y;                                      \
        for (int64_t i = 0; i < n; i++) {                \
            FT v = xs[i];                                \
            ys[i] = (TT)(EXPR);                          \
        }                                                \
        return true;                                     \
    } while (0)

/* Dispatch on the target for a source type; FLOATSRC picks saturation. */
#define CAST_TO_ALL(FT, FLOATSRC)                                                              \
    switch (to) {                                                                              \
    case FROST_DTYPE_F32: CAST_LOOP(FT, float, v);                                             \
    case FROST_DTYPE_F64: CAST_LOOP(FT, double, v);                                            \
    case FROST_DTYPE_I8: CAST_LOOP(FT, int8_t, FLOATSRC ? CVT_FLOAT_TO(int8_t, v) : (int8_t)v);  \
    case FROST_DTYPE_I16: CAST_LOOP(FT, int16_t, FLOATSRC ? CVT_FLOAT_TO(int16_t, v) : (int16_t)v); \
    case FROST_DTYPE_I32: CAST_LOOP(FT, int32_t, FLOATSRC ? CVT_FLOAT_TO(int32_t, v) : (int32_t)v); \
    case FROST_DTYPE_I64: CAST_LOOP(FT, int64_t, FLOATSRC ? CVT_FLOAT_TO(int64_t, v) : (int64_t)v); \
    case FROST_DTYPE_U8: CAST_LOOP(FT, uint8_t, FLOATSRC ? CVT_FLOAT_TO(uint8_t, v) : (uint8_t)v); \
    case FROST_DTYPE_U16: CAST_LOOP(FT, uint16_t, FLOATSRC ? CVT_FLOAT_TO(uint16_t, v) : (uint16_t)v); \
    case FROST_DTYPE_U32: CAST_LOOP(FT, uint32_t, FLOATSRC ? CVT_FLOAT_TO(uint32_t, v) : (uint32_t)v); \
    case FROST_DTYPE_U64: CAST_LOOP(FT, uint64_t, FLOATSRC ? CVT_FLOAT_TO(uint64_t, v) : (uint64_t)v); \
    case FROST_DTYPE_BOOL: CAST_LOOP(FT, uint8_t, v != 0);                                     \
    default: return false;                                                                     \
    }

static bool cast_numeric(frost_dtype t) {
    return t == FROST_DTYPE_F32 || t == FROST_DTYPE_F64 || t == FROST_DTYPE_BOOL ||
           (frost__dtype_is_int(t));
}

/* IEEE half <-> float, round to nearest even, subnormals, inf and NaN kept. */
static float half_to_float(uint16_t h) {
    uint32_t sign = (uint32_t)(h >> 15) << 31, exp = (h >> 10) & 0x1f, man = h & 0x3ff;
    if (exp == 0x1f) return bits_to_float(sign | 0x7f800000u | (man << 13));
    if (exp == 0) {
        float f = (float)man * (1.0f / 16777216.0f); /* man * 2^-24 */
        return sign ? -f : f;
    }
    return bits_to_float(sign | ((exp + 112) << 23) | (man << 13));
}

static uint16_t float_to_half(float f) {
    uint32_t u = float_to_bits(f), sign = (u >> 16) & 0x8000;
    uint32_t a = u & 0x7fffffffu;
    if (a >= 0x7f800000u) return (uint16_t)(sign | 0x7c00 | (a > 0x7f800000u ? 0x200 : 0));
    if (a >= 0x477ff000u) return (uint16_t)(sign | 0x7c00); /* rounds past 65504: inf */
    if (a < 0x38800000u) {
        /* subnormal half (or zero): scale to an integer count of 2^-24 and round to even */
        float m = bits_to_float(a) * 16777216.0f;
        return (uint16_t)(sign | (uint32_t)rintf(m));
    }
    uint32_t r = a + 0xfffu + ((a >> 13) & 1u); /* round to nearest even at bit 13 */
    return (uint16_t)(sign | ((r - 0x38000000u) >> 13));
}

static float bf16_to_float(uint16_t b) { return bits_to_float((uint32_t)b << 16); }

static uint16_t float_to_bf16(float f) {
    uint32_t u = float_to_bits(f);
    if ((u & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((u >> 16) | 0x40); /* quiet NaN */
    return (uint16_t)((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
}

/* Casts involving f16/bf16 go through f32 in chunks on the stack. */
static bool cast_via_f32(frost_dtype from, const void *x, frost_dtype to, void *y, int64_t n) {
    float buf[256];
    size_t ei = frost_dtype_size(from), eo = frost_dtype_size(to);
    for (int64_t b = 0; b < n; b += 256) {
        int64_t m = n - b < 256 ? n - b : 256;
        const unsigned char *xs = (const unsigned char *)x + (size_t)b * ei;
        unsigned char *ys = (unsigned char *)y + (size_t)b * eo;
        if (from == FROST_DTYPE_F16 || from == FROST_DTYPE_BF16) {
            const uint16_t *h = (const uint16_t *)xs;
            for (int64_t i = 0; i < m; i++)
                buf[i] = from == FROST_DTYPE_F16 ? half_to_float(h[i]) : bf16_to_float(h[i]);
        } else if (!frost_k_cast__ref(from, xs, FROST_DTYPE_F32, buf, m)) {
            return false;
        }
        if (to == FROST_DTYPE_F16 || to == FROST_DTYPE_BF16) {
            uint16_t *h = (uint16_t *)ys;
            for (int64_t i = 0; i < m; i++)
                h[i] = to == FROST_DTYPE_F16 ? float_to_half(buf[i]) : float_to_bf16(buf[i]);
        } else if (!frost_k_cast__ref(FROST_DTYPE_F32, buf, to, ys, m)) {
            return false;
        }
    }
    return true;
}

static bool is_half(frost_dtype t) { return t == FROST_DTYPE_F16 || t == FROST_DTYPE_BF16; }

bool frost_k_cast__ref(frost_dtype from, const void *x, frost_dtype to, void *y, int64_t n) {
    if (from == to && (cast_numeric(from) || is_half(from))) {
        if (x != y) memmove(y, x, (size_t)n * frost_dtype_size(from));
        return true;
    }
    if ((is_half(from) && (cast_numeric(to) || is_half(to))) || (is_half(to) && cast_numeric(from)))
        return cast_via_f32(from, x, to, y, n);
    if (!cast_numeric(from) || !cast_numeric(to)) return false;
    switch (from) {
    case FROST_DTYPE_F32: CAST_TO_ALL(float, 1)
    case FROST_DTYPE_F64: CAST_TO_ALL(double, 1)
    case FROST_DTYPE_I8: CAST_TO_ALL(int8_t, 0)
    case FROST_DTYPE_I16: CAST_TO_ALL(int16_t, 0)
    case FROST_DTYPE_I32: CAST_TO_ALL(int32_t, 0)
    case FROST_DTYPE_I64: CAST_TO_ALL(int64_t, 0)
    case FROST_DTYPE_U8: case FROST_DTYPE_BOOL: CAST_TO_ALL(uint8_t, 0)
    case FROST_DTYPE_U16: CAST_TO_ALL(uint16_t, 0)
    case FROST_DTYPE_U32: CAST_TO_ALL(uint32_t, 0)
    case FROST_DTYPE_U64: CAST_TO_ALL(uint64_t, 0)
    default: return false;
    }
}

/* ==== Select ================================================================================== */

#define SELECT_LOOP(T)                                                                     \
    do {                                                                                   \
        const T *as = a, *bs = b;                                                          \
        T *os = out;                                                                       \
        for (;;) {                                                                         \
            const uint8_t *c = cond + oc;                                                  \
            const T *ap = as + oa, *bp = bs + ob;                                          \
            int64_t ci = sc[r - 1], ai = sa[r - 1], bi = sb[r - 1];                        \
            for (int64_t i = 0; i < inner; i++) os[o + i] = c[i * ci] ? ap[i * ai] : bp[i * bi]; \
            o += inner;                                                                    \
            int d = r - 2;                                                                 \
            for (; d >= 0; d--) {                                                          \
                idx[d]++;                                                                  \
                oc += sc[d]; oa += sa[d]; ob += sb[d];                                     \
                if (idx[d] < dims[d]) break;                                               \
                oc -= sc[d] * dims[d]; oa -= sa[d] * dims[d]; ob -= sb[d] * dims[d];       \
                idx[d] = 0;                                                                \
            }                                                                              \
            if (d < 0) return;                                                             \
        }                                                                                  \
    } while (0)

void frost_k_select__ref(int rank, const int64_t *dims, const uint8_t *cond, const int64_t *sc,
                         const void *a, const int64_t *sa, const void *b, const int64_t *sb,
                         void *out, size_t es) {
    int r = rank < 1 ? 1 : rank;
    int64_t one = 1, zero = 0;
    if (rank < 1) {
        dims = &one;
        sc = sa = sb = &zero;
    }
    for (int i = 0; i < r; i++)
        if (dims[i] == 0) return;
    int64_t idx[FROST_MAX_RANK] = {0};
    int64_t inner = dims[r - 1], oc = 0, oa = 0, ob = 0, o = 0;
    switch (es) {
    case 1: SELECT_LOOP(uint8_t); break;
    case 2: SELECT_LOOP(uint16_t); break;
    case 4: SELECT_LOOP(uint32_t); break;
    default: SELECT_LOOP(uint64_t); break;
    }
}
