/* test_eltwise.c — CAST, UNARY, BINARY, ADD_N and SELECT against naive references written here:
 * every unary function (activations included) over its domain and at its edges, through the op
 * and in each ISA build of the f32 loop, against libm in double precision; every binary
 * function for f32/f64/integers/bool over broadcasting corner cases (rank 0, size 1, size 0,
 * different ranks, per-channel, outer broadcast), integer edge values (division by zero, INT_MIN),
 * casts between every pair of numeric dtypes, shape inference with unknowns, and the threaded
 * paths through a real pool. */
#include <math.h>
#include <stdlib.h>

#include "hook_bench.h"
#include "kernels/eltwise.h"

/* ==== Unary =================================================================================== */

/* The oracle: each function from its definition, in double precision with libm. It shares no code
 * and no formula with the kernels' shared f32 loop (src/kernels/ref/eltwise_unary_f32.inc, compiled
 * as the ref, AVX2 and AVX-512 kernels), so a bug in that loop shows in every build of it. */
static double ref_unary(int fn, double v, double a, double b) {
    switch (fn) {
    case FROST__ACT_NONE: case FROST__UN_IDENTITY: return v;
    case FROST__ACT_RELU: return v > 0 ? v : 0;
    case FROST__ACT_RELU6: return fmin(fmax(v, 0), 6);
    case FROST__ACT_CLIP: return fmin(fmax(v, a), b);
    case FROST__ACT_LEAKY_RELU: return v < 0 ? a * v : v;
    case FROST__ACT_ELU: return v < 0 ? a * (exp(v) - 1) : v;
    case FROST__ACT_SELU: return 1.0507009873554804934 * (v < 0 ? 1.6732632423543772848 * (exp(v) - 1) : v);
    case FROST__ACT_SIGMOID: return 1 / (1 + exp(-v));
    case FROST__ACT_TANH: return tanh(v);
    case FROST__ACT_HARD_SIGMOID: return fmax(0, fmin(1, a * v + b));
    case FROST__ACT_SOFTPLUS: return log(1 + exp(v));
    case FROST__ACT_SOFTSIGN: return v / (1 + fabs(v));
    case FROST__ACT_SWISH: return v / (1 + exp(-v));
    case FROST__ACT_GELU: return 0.5 * v * (1 + erf(v / sqrt(2.0)));
    case FROST__ACT_GELU_TANH: return 0.5 * v * (1 + tanh(sqrt(2 / M_PI) * (v + 0.044715 * v * v * v)));
    case FROST__ACT_HARD_SWISH: return v * fmin(fmax(v + 3, 0), 6) / 6;
    case FROST__UN_NEG: return -v;
    case FROST__UN_ABS: return fabs(v);
    case FROST__UN_SIGN: return v > 0 ? 1 : v < 0 ? -1 : 0;
    case FROST__UN_EXP: return exp(v);
    case FROST__UN_LOG: return log(v);
    case FROST__UN_SQRT: return sqrt(v);
    case FROST__UN_RSQRT: return 1 / sqrt(v);
    case FROST__UN_SQUARE: return v * v;
    case FROST__UN_RECIPROCAL: return 1 / v;
    case FROST__UN_FLOOR: return floor(v);
    case FROST__UN_CEIL: return ceil(v);
    case FROST__UN_ROUND: return nearbyint(v);
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
    default: return NAN;
    }
}

/* The input range each function is tested on. */
static void unary_domain(int fn, float *lo, float *hi) {
    *lo = -8;
    *hi = 8;
    switch (fn) {
    case FROST__UN_LOG: case FROST__UN_SQRT: case FROST__UN_RSQRT: *lo = 0.01f; *hi = 50; break;
    case FROST__UN_ASIN: case FROST__UN_ACOS: case FROST__UN_ATANH: *lo = -0.99f; *hi = 0.99f; break;
    case FROST__UN_ACOSH: *lo = 1; *hi = 20; break;
    case FROST__UN_LOG1P: *lo = -0.9f; *hi = 10; break;
    case FROST__UN_TAN: *lo = -1.5f; *hi = 1.5f; break;
    case FROST__UN_EXP: case FROST__UN_EXPM1: case FROST__UN_SINH: case FROST__UN_COSH:
        *lo = -80; *hi = 80; break;
    case FROST__ACT_SIGMOID: case FROST__ACT_TANH: case FROST__ACT_SWISH: case FROST__ACT_ELU:
    case FROST__ACT_SELU: case FROST__ACT_SOFTPLUS: case FROST__ACT_GELU: case FROST__ACT_GELU_TANH:
        *lo = -30; *hi = 30; break;
    default: break;
    }
}

/* n >= 8 inputs for fn over its domain, its ends and the points where functions turn (0, tiny
 * values of both signs, halves for ROUND), and the alpha / beta it is tested with. */
static void unary_inputs(int fn, float *x, int n, float *alpha, float *beta) {
    float lo, hi;
    *alpha = 0.3f;
    *beta = 0.7f;
    if (fn == FROST__ACT_CLIP) *alpha = -1.5f, *beta = 2.5f;
    if (fn == FROST__ACT_HARD_SIGMOID) *alpha = 0.2f, *beta = 0.5f;
    if (fn == FROST__ACT_ELU) *alpha = 1.0f;
    unary_domain(fn, &lo, &hi);
    frost_test_fill(x, (size_t)n, lo, hi);
    x[0] = 0;
    x[1] = lo;
    x[2] = hi;
    x[3] = 1e-6f;
    x[4] = -1e-6f;
    x[5] = 0.5f * (lo + hi) + 0.5f; /* a half for ROUND */
    x[6] = 2.5f;
    x[7] = -2.5f;
    if (fn == FROST__UN_ASIN || fn == FROST__UN_ACOS || fn == FROST__UN_ATANH) x[6] = x[7] = 0.5f;
    if (fn == FROST__UN_RECIPROCAL) x[0] = x[3] = x[4] = 1.5f;
    if (fn == FROST__UN_ACOSH || fn == FROST__UN_LOG || fn == FROST__UN_SQRT || fn == FROST__UN_RSQRT)
        x[0] = x[3] = x[4] = x[7] = 1.5f;
    if (fn == FROST__UN_LOG1P) x[7] = 0.5f;
}

/* y against the oracle: the vectorized exp is ~1 ulp; erf-based GELU within 1.5e-7 * |x|. */
static void check_unary(int fn, const float *x, const float *y, int n, float alpha, float beta,
                        const char *label) {
    float *want = malloc((size_t)n * sizeof *want);
    for (int i = 0; i < n; i++) want[i] = (float)ref_unary(fn, x[i], alpha, beta);
    double rtol = 2e-6, atol = 1e-6;
    if (fn == FROST__ACT_GELU) atol = 1e-5;
    frost_test_close(y, want, (size_t)n, atol, rtol, label);
    free(want);
}

/* Every build of the f32 loop: ref always, avx2 / avx512 where the CPU has them. */
typedef struct unary_variant {
    const char *name;
    frost__f32_unary_fn fn;
    bool ok;
} unary_variant;

static int unary_variants(unary_variant v[3]) {
    const frost__cpu *cpu = frost__cpu_get();
    v[0] = (unary_variant){"ref", frost_k_f32_unary__ref, true};
    v[1] = (unary_variant){"avx2", frost_k_f32_unary__avx2, cpu->avx2_fma};
    v[2] = (unary_variant){"avx512", frost_k_f32_unary__avx512, cpu->avx512f};
    for (int k = 1; k < 3; k++)
        if (!v[k].ok) printf("note: no %s on this CPU, its unary kernel is not tested\n", v[k].name);
    return 3;
}

/* Through the UNARY op (the kernel the CPU selects), every function over its domain. */
static void test_unary_f32(void) {
    enum { N = 1037 };
    float *x = malloc(N * sizeof *x);
    for (int fn = 0; fn < FROST__UN_NOT; fn++) {
        float alpha, beta;
        unary_inputs(fn, x, N, &alpha, &beta);
        h_reset();
        int in = h_val(FROST_DTYPE_F32, 1, H_DIMS(N), x);
        frost__params p = {.unary = {fn, alpha, beta}};
        if (!CHECK_OK(h_run(FROST__OP_UNARY, &p, 1, &in, 1), &H.err)) continue;
        check_unary(fn, x, h_data(0), N, alpha, beta, frost_test_fmt("unary fn %d", fn));
    }
    free(x);
}

/* Each ISA build of the loop called directly, every function against the oracle (not against the
 * ref build, which is the same source). 531 elements: vector bodies and a tail. */
static void test_unary_isa_variants(void) {
    unary_variant v[3];
    const int nv = unary_variants(v);
    enum { N = 531 };
    float x[N], got[N];
    for (int k = 0; k < nv; k++) {
        if (!v[k].ok) continue;
        for (int fn = 0; fn < FROST__UN_NOT; fn++) {
            float alpha, beta;
            unary_inputs(fn, x, N, &alpha, &beta);
            for (int i = 0; i < N; i++) got[i] = NAN;
            v[k].fn(fn, x, got, N, alpha, beta);
            check_unary(fn, x, got, N, alpha, beta, frost_test_fmt("%s unary fn %d", v[k].name, fn));
        }
    }
}

static void test_unary_edges(void) {
    unary_variant v[3];
    const int nv = unary_variants(v);
    for (int vk = 0; vk < nv; vk++) {
        if (!v[vk].ok) continue;
        const frost__f32_unary_fn unary = v[vk].fn;
        const char *isa = v[vk].name;
        /* exp overflows to inf and underflows to 0; NaN passes through the fast functions */
        float x[] = {100.0f, -100.0f, 88.72f, -87.3f, NAN, INFINITY, -INFINITY, 0.0f};
        int n = (int)FROST_ARRAY_LEN(x);
        int fns[] = {FROST__UN_EXP, FROST__ACT_SIGMOID, FROST__ACT_TANH, FROST__ACT_SWISH,
                     FROST__ACT_RELU, FROST__ACT_ELU};
        for (size_t k = 0; k < FROST_ARRAY_LEN(fns); k++) {
            float y[8];
            unary(fns[k], x, y, n, 1.0f, 0.0f);
            for (int i = 0; i < n; i++) {
                double w = ref_unary(fns[k], x[i], 1.0, 0.0);
                w = (float)w;
                if (fns[k] == FROST__ACT_RELU && isnan(x[i])) continue;           /* either is fine */
                bool ok = isnan(w) ? isnan(y[i]) : fabs(y[i] - w) <= 1e-6 * fabs(w) + 1e-30 || y[i] == w;
                CHECK_MSG(ok, "%s fn %d x=%g: got %g want %g", isa, fns[k], x[i], y[i], w);
            }
        }
        /* exp accuracy over its whole finite range, densely (in blocks, so the vector body runs) */
        enum { B = 256 };
        float xs[B], ys[B];
        double worst = 0;
        int nb = 0;
        for (float t = -87.3f; t < 88.72f; t += 0.00731f) {
            xs[nb++] = t;
            if (nb < B && t + 0.00731f < 88.72f) continue;
            unary(FROST__UN_EXP, xs, ys, nb, 0, 0);
            for (int i = 0; i < nb; i++) {
                double w = exp((double)xs[i]), rel = fabs(ys[i] - w) / w;
                if (rel > worst) worst = rel;
            }
            nb = 0;
        }
        CHECK_MSG(worst < 4e-7, "%s exp worst relative error %g", isa, worst);
        /* tanh keeps relative accuracy near 0 */
        float small[] = {1e-4f, -3e-3f, 0.1f, 0.124f, 0.126f, 0.3f};
        float yt[6];
        unary(FROST__ACT_TANH, small, yt, 6, 0, 0);
        for (int i = 0; i < 6; i++)
            CHECK_MSG(fabs(yt[i] - tanh(small[i])) <= 3e-7 * fabs(tanh(small[i])), "%s tanh(%g) = %.9g",
                      isa, small[i], yt[i]);
    }
}

static void test_unary_other_dtypes(void) {
    int32_t xi[] = {INT32_MIN, -7, -1, 0, 1, 5, INT32_MAX};
    int fns[] = {FROST__UN_NEG, FROST__UN_ABS, FROST__UN_SIGN, FROST__UN_SQUARE, FROST__ACT_RELU};
    for (size_t k = 0; k < FROST_ARRAY_LEN(fns); k++) {
        h_reset();
        int in = h_val(FROST_DTYPE_I32, 1, H_DIMS(7), xi);
        frost__params p = {.unary = {fns[k], 0, 0}};
        if (!CHECK_OK(h_run(FROST__OP_UNARY, &p, 1, &in, 1), &H.err)) continue;
        CHECK(h_dtype(0) == FROST_DTYPE_I32);
        const int32_t *y = h_data(0);
        for (int i = 0; i < 7; i++) {
            int64_t v = xi[i], w;
            switch (fns[k]) {
            case FROST__UN_NEG: w = -v; break;
            case FROST__UN_ABS: w = v < 0 ? -v : v; break;
            case FROST__UN_SIGN: w = v > 0 ? 1 : v < 0 ? -1 : 0; break;
            case FROST__UN_SQUARE: w = v * v; break;
            default: w = v < 0 ? 0 : v; break;
            }
            CHECK_MSG(y[i] == (int32_t)(uint32_t)(uint64_t)w, "fn %d of %d: %d", fns[k], xi[i], y[i]);
        }
    }
    /* NOT on bool; ISNAN / ISINF give bool */
    uint8_t b[] = {0, 1, 1, 0};
    h_reset();
    int in = h_val(FROST_DTYPE_BOOL, 1, H_DIMS(4), b);
    frost__params p = {.unary = {FROST__UN_NOT, 0, 0}};
    if (CHECK_OK(h_run(FROST__OP_UNARY, &p, 1, &in, 1), &H.err)) {
        const uint8_t *y = h_data(0);
        CHECK(y[0] == 1 && y[1] == 0 && y[2] == 0 && y[3] == 1);
    }
    float f[] = {1.0f, NAN, INFINITY, -INFINITY, 0.0f};
    for (int which = 0; which < 2; which++) {
        h_reset();
        in = h_val(FROST_DTYPE_F32, 1, H_DIMS(5), f);
        p.unary.fn = which ? FROST__UN_ISINF : FROST__UN_ISNAN;
        if (!CHECK_OK(h_run(FROST__OP_UNARY, &p, 1, &in, 1), &H.err)) continue;
        CHECK(h_dtype(0) == FROST_DTYPE_BOOL);
        const uint8_t *y = h_data(0);
        for (int i = 0; i < 5; i++)
            CHECK(y[i] == (which ? (isinf(f[i]) != 0) : (isnan(f[i]) != 0)));
    }
    /* f64 goes through libm */
    double d[] = {-2.0, 0.5, 3.0};
    h_reset();
    in = h_val(FROST_DTYPE_F64, 1, H_DIMS(3), d);
    p.unary.fn = FROST__ACT_SIGMOID;
    if (CHECK_OK(h_run(FROST__OP_UNARY, &p, 1, &in, 1), &H.err)) {
        const double *y = h_data(0);
        for (int i = 0; i < 3; i++) CHECK(fabs(y[i] - 1 / (1 + exp(-d[i]))) < 1e-15);
    }
    /* unsupported pairs fail cleanly */
    h_reset();
    in = h_val(FROST_DTYPE_I32, 1, H_DIMS(3), xi);
    p.unary.fn = FROST__UN_EXP;
    CHECK_FAILS(h_run(FROST__OP_UNARY, &p, 1, &in, 1), FROST_E_UNSUPPORTED, &H.err, "test_node");
    h_reset();
    in = h_val(FROST_DTYPE_F32, 1, H_DIMS(3), f);
    p.unary.fn = FROST__UN_COUNT;
    CHECK_FAILS(h_run(FROST__OP_UNARY, &p, 1, &in, 1), FROST_E_UNSUPPORTED, &H.err, NULL);
}

/* ==== Binary ================================================================================== */

static double ref_binary_f(int fn, double a, double b) {
    switch (fn) {
    case FROST__BIN_ADD: return a + b;
    case FROST__BIN_SUB: return a - b;
    case FROST__BIN_MUL: return a * b;
    case FROST__BIN_DIV: return a / b;
    case FROST__BIN_MAX: return a > b ? a : b;
    case FROST__BIN_MIN: return a < b ? a : b;
    case FROST__BIN_POW: return pow(a, b);
    case FROST__BIN_SQUARED_DIFF: return (a - b) * (a - b);
    case FROST__BIN_FLOOR_DIV: return floor(a / b);
    case FROST__BIN_FLOOR_MOD: return a - floor(a / b) * b;
    case FROST__BIN_FMOD: return fmod(a, b);
    case FROST__BIN_PRELU: return a < 0 ? a * b : a;
    case FROST__BIN_EQUAL: return a == b;
    case FROST__BIN_NOT_EQUAL: return a != b;
    case FROST__BIN_LESS: return a < b;
    case FROST__BIN_LESS_EQUAL: return a <= b;
    case FROST__BIN_GREATER: return a > b;
    case FROST__BIN_GREATER_EQUAL: return a >= b;
    default: return NAN;
    }
}

/* Python semantics for integers (floor division and modulo), C for truncating ones; x/0 -> 0. */
static int64_t ref_binary_i(int fn, int64_t a, int64_t b) {
    switch (fn) {
    case FROST__BIN_ADD: return a + b;
    case FROST__BIN_SUB: return a - b;
    case FROST__BIN_MUL: return a * b;
    case FROST__BIN_DIV: return b ? a / b : 0;
    case FROST__BIN_MAX: return a > b ? a : b;
    case FROST__BIN_MIN: return a < b ? a : b;
    case FROST__BIN_POW: {
        if (b < 0) return a == 1 ? 1 : a == -1 ? (b % 2 ? -1 : 1) : 0;
        int64_t r = 1;
        for (int64_t i = 0; i < b; i++) r *= a;
        return r;
    }
    case FROST__BIN_SQUARED_DIFF: return (a - b) * (a - b);
    case FROST__BIN_FLOOR_DIV: {
        if (!b) return 0;
        int64_t q = a / b;
        if (q * b != a && ((a < 0) != (b < 0))) q--;
        return q;
    }
    case FROST__BIN_FLOOR_MOD: {
        if (!b) return 0;
        int64_t q = a / b;
        if (q * b != a && ((a < 0) != (b < 0))) q--;
        return a - q * b;
    }
    case FROST__BIN_FMOD: return b ? a % b : 0;
    case FROST__BIN_PRELU: return a < 0 ? a * b : a;
    default: return (int64_t)ref_binary_f(fn, (double)a, (double)b);
    }
}

typedef struct bcase {
    int ra;
    int64_t da[5];
    int rb;
    int64_t db[5];
} bcase;

static const bcase bcases[] = {
    {2, {3, 5}, 2, {3, 5}},                 /* same shape                         */
    {0, {0}, 0, {0}},                       /* rank 0 with rank 0                 */
    {3, {2, 3, 4}, 0, {0}},                 /* scalar operand                     */
    {0, {0}, 3, {2, 3, 4}},                 /* scalar first                       */
    {4, {2, 3, 5, 7}, 1, {7}},              /* per-channel vector over NHWC       */
    {4, {2, 3, 5, 7}, 4, {2, 1, 1, 7}},     /* [N,1,1,C]                          */
    {2, {4, 1}, 2, {1, 6}},                 /* outer product                      */
    {3, {3, 1, 5}, 2, {4, 1}},              /* different ranks, both broadcast    */
    {2, {6, 1}, 2, {6, 9}},                 /* row broadcast (softmax-style)      */
    {1, {1}, 3, {2, 1, 3}},                 /* size-1 vector                      */
    {3, {2, 0, 3}, 1, {3}},                 /* empty                              */
    {5, {2, 1, 3, 1, 2}, 5, {1, 4, 1, 5, 1}},
    {1, {1037}, 1, {1037}},
    {1, {5}, 3, {4, 3, 5}},                 /* short rows, the vector first       */
    {4, {1, 37, 41, 3}, 1, {3}},            /* image minus per-channel mean       */
};

/* Flat index of the broadcast source element for output index `o`. */
static int64_t bsrc(int64_t o, const int64_t *od, int orank, const int64_t *d, int r) {
    int64_t idx = 0, stride = 1;
    for (int i = orank - 1; i >= 0; i--) {
        int64_t c = o % od[i];
        o /= od[i];
        int j = i - (orank - r);
        if (j >= 0) {
            if (d[j] != 1) idx += c * stride;
            stride *= d[j];
        }
    }
    return idx;
}

static void fill_operand(frost_dtype t, void *p, int64_t n, int fn, bool second) {
    for (int64_t i = 0; i < n; i++) {
        int64_t v = (int64_t)(frost_test_uniform(-9, 9));
        float f = frost_test_uniform(-4, 4);
        if (fn == FROST__BIN_POW) {
            f = second ? frost_test_uniform(-2, 2) : frost_test_uniform(0.1f, 3);
            v = second ? (int64_t)frost_test_uniform(-1, 5) : v;
        }
        if (second && (fn == FROST__BIN_DIV || fn == FROST__BIN_FLOOR_DIV ||
                       fn == FROST__BIN_FLOOR_MOD || fn == FROST__BIN_FMOD) &&
            frost__dtype_is_float(t) && fabsf(f) < 0.25f)
            f = 0.5f;
        if (i % 7 == 3 && !second) f = 1.0f, v = 1; /* some equal pairs for comparisons */
        if (i % 7 == 3 && second) f = 1.0f, v = 1;
        switch (t) {
        case FROST_DTYPE_F32: ((float *)p)[i] = f; break;
        case FROST_DTYPE_F64: ((double *)p)[i] = f; break;
        case FROST_DTYPE_I32: ((int32_t *)p)[i] = (int32_t)v; break;
        case FROST_DTYPE_I64: ((int64_t *)p)[i] = v; break;
        case FROST_DTYPE_I8: ((int8_t *)p)[i] = (int8_t)v; break;
        case FROST_DTYPE_I16: ((int16_t *)p)[i] = (int16_t)v; break;
        case FROST_DTYPE_U8: ((uint8_t *)p)[i] = (uint8_t)(v < 0 ? -v : v); break;
        default: break;
        }
    }
}

static void check_binary(int fn, frost_dtype t, const bcase *c) {
    frost__shape sa = frost__shape_make(c->ra, c->da), sb = frost__shape_make(c->rb, c->db), so;
    CHECK(frost__shape_broadcast(&sa, &sb, &so));
    int64_t na = frost__shape_numel(&sa), nb = frost__shape_numel(&sb), no = frost__shape_numel(&so);
    size_t es = frost_dtype_size(t);
    void *a = malloc((size_t)(na ? na : 1) * es), *b = malloc((size_t)(nb ? nb : 1) * es);
    fill_operand(t, a, na, fn, false);
    fill_operand(t, b, nb, fn, true);
    h_reset();
    int ins[2] = {h_val(t, c->ra, c->da, a), h_val(t, c->rb, c->db, b)};
    frost__params p = {.binary = {fn}};
    const char *label = frost_test_fmt("binary fn %d %s case ranks %d/%d", fn, frost_dtype_name(t),
                                       c->ra, c->rb);
    char lab[200];
    snprintf(lab, sizeof lab, "%s", label);
    if (CHECK_OK(h_run(FROST__OP_BINARY, &p, 2, ins, 1), &H.err)) {
        CHECK_MSG(frost__shape_equal(h_shape(0), &so), "%s: shape", lab);
        bool cmp = fn >= FROST__BIN_EQUAL && fn <= FROST__BIN_GREATER_EQUAL;
        CHECK_MSG(h_dtype(0) == (cmp ? FROST_DTYPE_BOOL : t), "%s: dtype", lab);
        const void *y = h_data(0);
        int bad = 0;
        for (int64_t o = 0; o < no && bad < 3; o++) {
            int64_t ia = bsrc(o, so.d, so.rank, c->da, c->ra), ib = bsrc(o, so.d, so.rank, c->db, c->rb);
            if (frost__dtype_is_float(t)) {
                double av = frost__read_double(t, a, ia), bv = frost__read_double(t, b, ib);
                double w = ref_binary_f(fn, av, bv);
                double g = cmp ? ((const uint8_t *)y)[o] : frost__read_double(t, y, o);
                if (t == FROST_DTYPE_F32 && !cmp) w = (float)w;
                double tol = t == FROST_DTYPE_F32 ? 2e-6 * fabs(w) + 1e-6 : 1e-12 * fabs(w) + 1e-12;
                if (fn == FROST__BIN_FLOOR_MOD || fn == FROST__BIN_FMOD) tol += 1e-5;
                if (!(fabs(g - w) <= tol || (isnan(w) && isnan(g)))) {
                    bad++;
                    CHECK_MSG(false, "%s at %lld: f(%g, %g) = %g, want %g", lab, (long long)o, av,
                              bv, g, w);
                }
            } else {
                int64_t av = frost__read_int(t, a, ia), bv = frost__read_int(t, b, ib);
                int64_t w = ref_binary_i(fn, av, bv);
                int64_t g = cmp ? ((const uint8_t *)y)[o] : frost__read_int(t, y, o);
                /* narrow the reference like the dtype does */
                if (!cmp) {
                    switch (t) {
                    case FROST_DTYPE_I32: w = (int32_t)(uint32_t)w; break;
                    case FROST_DTYPE_I8: w = (int8_t)(uint8_t)w; break;
                    case FROST_DTYPE_I16: w = (int16_t)(uint16_t)w; break;
                    case FROST_DTYPE_U8: w = (uint8_t)w; break;
                    default: break;
                    }
                }
                if (g != w) {
                    bad++;
                    CHECK_MSG(false, "%s at %lld: f(%lld, %lld) = %lld, want %lld", lab,
                              (long long)o, (long long)av, (long long)bv, (long long)g,
                              (long long)w);
                }
            }
        }
        if (!bad) CHECK(true);
    }
    free(a);
    free(b);
}

static void test_binary(void) {
    frost_dtype types[] = {FROST_DTYPE_F32, FROST_DTYPE_F64, FROST_DTYPE_I32, FROST_DTYPE_I64,
                           FROST_DTYPE_I8, FROST_DTYPE_I16};
    for (size_t t = 0; t < FROST_ARRAY_LEN(types); t++)
        for (int fn = 0; fn <= FROST__BIN_GREATER_EQUAL; fn++)
            for (size_t c = 0; c < FROST_ARRAY_LEN(bcases); c++) {
                if (types[t] != FROST_DTYPE_F32 && c % 3 == 1) continue; /* fewer shapes */
                check_binary(fn, types[t], &bcases[c]);
            }
    /* u8: the wrap-around arithmetic of unsigned bytes */
    for (int fn = 0; fn <= FROST__BIN_GREATER_EQUAL; fn++)
        if (fn != FROST__BIN_PRELU && fn != FROST__BIN_SUB && fn != FROST__BIN_SQUARED_DIFF &&
            fn != FROST__BIN_POW)
            check_binary(fn, FROST_DTYPE_U8, &bcases[4]);
}

static void test_binary_int_edges(void) {
    /* shape arithmetic must be exact: floor division/modulo of negatives, division by zero */
    int32_t a[] = {7, -7, 7, -7, 0, INT32_MIN, INT32_MIN, 5, -1};
    int32_t b[] = {2, 2, -2, -2, 3, -1, 1, 0, 3};
    struct { int fn; int32_t want[9]; } cases[] = {
        {FROST__BIN_FLOOR_DIV, {3, -4, -4, 3, 0, INT32_MIN, INT32_MIN, 0, -1}},
        {FROST__BIN_FLOOR_MOD, {1, 1, -1, -1, 0, 0, 0, 0, 2}},
        {FROST__BIN_DIV, {3, -3, -3, 3, 0, INT32_MIN, INT32_MIN, 0, 0}},
        {FROST__BIN_FMOD, {1, -1, 1, -1, 0, 0, 0, 0, -1}},
        {FROST__BIN_ADD, {9, -5, 5, -9, 3, INT32_MAX, INT32_MIN + 1, 5, 2}},
        {FROST__BIN_MUL, {14, -14, -14, 14, 0, INT32_MIN, INT32_MIN, 0, -3}},
    };
    for (size_t k = 0; k < FROST_ARRAY_LEN(cases); k++) {
        h_reset();
        int ins[2] = {h_i32_vec(9, a), h_i32_vec(9, b)};
        frost__params p = {.binary = {cases[k].fn}};
        if (!CHECK_OK(h_run(FROST__OP_BINARY, &p, 2, ins, 1), &H.err)) continue;
        const int32_t *y = h_data(0);
        for (int i = 0; i < 9; i++)
            CHECK_MSG(y[i] == cases[k].want[i], "fn %d: %d op %d = %d, want %d", cases[k].fn, a[i],
                      b[i], y[i], cases[k].want[i]);
    }
    /* i64 INT64_MIN / -1 does not trap */
    int64_t a64[] = {INT64_MIN, 9}, b64[] = {-1, 0};
    for (int fn = FROST__BIN_DIV; fn <= FROST__BIN_FMOD; fn++) {
        h_reset();
        int ins[2] = {h_i64_vec(2, a64), h_i64_vec(2, b64)};
        frost__params p = {.binary = {fn}};
        CHECK_OK(h_run(FROST__OP_BINARY, &p, 2, ins, 1), &H.err);
    }
    /* bool logic */
    uint8_t x[] = {0, 0, 1, 1}, y[] = {0, 1, 0, 1};
    int fns[] = {FROST__BIN_AND, FROST__BIN_OR, FROST__BIN_XOR, FROST__BIN_EQUAL};
    uint8_t want[4][4] = {{0, 0, 0, 1}, {0, 1, 1, 1}, {0, 1, 1, 0}, {1, 0, 0, 1}};
    for (int k = 0; k < 4; k++) {
        h_reset();
        int ins[2] = {h_val(FROST_DTYPE_BOOL, 1, H_DIMS(4), x), h_val(FROST_DTYPE_BOOL, 1, H_DIMS(4), y)};
        frost__params p = {.binary = {fns[k]}};
        if (!CHECK_OK(h_run(FROST__OP_BINARY, &p, 2, ins, 1), &H.err)) continue;
        CHECK(h_dtype(0) == FROST_DTYPE_BOOL);
        CHECK(memcmp(h_data(0), want[k], 4) == 0);
    }
    /* logic on floats is unsupported; mismatched dtypes and shapes fail naming the node */
    float f[3] = {1, 2, 3};
    h_reset();
    int ins[2] = {h_val(FROST_DTYPE_F32, 1, H_DIMS(3), f), h_val(FROST_DTYPE_F32, 1, H_DIMS(3), f)};
    frost__params p = {.binary = {FROST__BIN_AND}};
    CHECK_FAILS(h_run(FROST__OP_BINARY, &p, 2, ins, 1), FROST_E_UNSUPPORTED, &H.err, "test_node");
    h_reset();
    ins[0] = h_val(FROST_DTYPE_F32, 1, H_DIMS(3), f);
    ins[1] = h_i32_vec(3, a);
    p.binary.fn = FROST__BIN_ADD;
    CHECK_FAILS(h_run(FROST__OP_BINARY, &p, 2, ins, 1), FROST_E_DTYPE, &H.err, "i32");
    h_reset();
    ins[0] = h_val(FROST_DTYPE_F32, 1, H_DIMS(3), f);
    ins[1] = h_val(FROST_DTYPE_F32, 1, H_DIMS(2), f);
    CHECK_FAILS(h_run(FROST__OP_BINARY, &p, 2, ins, 1), FROST_E_SHAPE, &H.err, "broadcast");
}

static void test_binary_infer_unknown(void) {
    frost__params p = {.binary = {FROST__BIN_ADD}};
    h_reset();
    int ins[2] = {h_val(FROST_DTYPE_F32, 2, H_DIMS(-1, 3), NULL), h_val(FROST_DTYPE_F32, 1, H_DIMS(3), NULL)};
    if (CHECK_OK(h_infer(FROST__OP_BINARY, &p, 2, ins, 1, false), &H.err)) CHECK_SHAPE(0, 2, -1, 3);
    h_reset();
    ins[0] = h_val(FROST_DTYPE_F32, 2, H_DIMS(-1, 1), NULL);
    ins[1] = h_val(FROST_DTYPE_F32, 2, H_DIMS(1, 5), NULL);
    if (CHECK_OK(h_infer(FROST__OP_BINARY, &p, 2, ins, 1, false), &H.err)) CHECK_SHAPE(0, 2, -1, 5);
    h_reset();
    ins[0] = h_val(FROST_DTYPE_F32, -1, NULL, NULL);
    ins[1] = h_val(FROST_DTYPE_F32, 1, H_DIMS(5), NULL);
    if (CHECK_OK(h_infer(FROST__OP_BINARY, &p, 2, ins, 1, false), &H.err)) CHECK(h_shape(0)->rank == -1);
    p.binary.fn = FROST__BIN_LESS;
    h_reset();
    ins[0] = h_val(FROST_DTYPE_INVALID, -1, NULL, NULL);
    ins[1] = h_val(FROST_DTYPE_INVALID, -1, NULL, NULL);
    if (CHECK_OK(h_infer(FROST__OP_BINARY, &p, 2, ins, 1, false), &H.err))
        CHECK(h_dtype(0) == FROST_DTYPE_BOOL);
}

/* ==== Cast ==================================================================================== */

static void test_cast(void) {
    frost_dtype all[] = {FROST_DTYPE_F32, FROST_DTYPE_F64, FROST_DTYPE_I8, FROST_DTYPE_I16,
                         FROST_DTYPE_I32, FROST_DTYPE_I64, FROST_DTYPE_U8, FROST_DTYPE_U16,
                         FROST_DTYPE_U32, FROST_DTYPE_U64, FROST_DTYPE_BOOL};
    /* small non-negative integers survive every pair exactly */
    int64_t vals[] = {0, 1, 2, 7, 100, 127};
    for (size_t i = 0; i < FROST_ARRAY_LEN(all); i++)
        for (size_t j = 0; j < FROST_ARRAY_LEN(all); j++) {
            unsigned char src[6 * 8];
            for (int k = 0; k < 6; k++) {
                double v = all[i] == FROST_DTYPE_BOOL ? (vals[k] != 0) : (double)vals[k];
                frost_k_cast__ref(FROST_DTYPE_F64, &v, all[i], src + k * frost_dtype_size(all[i]), 1);
            }
            h_reset();
            int in = h_val(all[i], 1, H_DIMS(6), src);
            frost__params p = {.cast = {all[j], false}};
            if (!CHECK_OK(h_run(FROST__OP_CAST, &p, 1, &in, 1), &H.err)) continue;
            CHECK(h_dtype(0) == all[j]);
            for (int k = 0; k < 6; k++) {
                int64_t w = vals[k];
                if (all[i] == FROST_DTYPE_BOOL || all[j] == FROST_DTYPE_BOOL) w = w != 0;
                int64_t g = (int64_t)frost__read_double(all[j], h_data(0), k);
                CHECK_MSG(g == w, "cast %s -> %s of %lld: %lld", frost_dtype_name(all[i]),
                          frost_dtype_name(all[j]), (long long)vals[k], (long long)g);
            }
        }
    /* float -> int truncates toward zero and saturates; NaN -> 0; nonzero -> true */
    float f[] = {2.7f, -2.7f, 3e9f, -3e9f, NAN, 0.0f, -0.0f, 0.5f};
    int32_t wi[] = {2, -2, INT32_MAX, INT32_MIN, 0, 0, 0, 0};
    uint8_t wu8[] = {2, 0, 255, 0, 0, 0, 0, 0};
    uint8_t wb[] = {1, 1, 1, 1, 1, 0, 0, 1};
    int32_t gi[8];
    uint8_t gu[8], gb[8];
    CHECK(frost_k_cast__ref(FROST_DTYPE_F32, f, FROST_DTYPE_I32, gi, 8));
    CHECK(frost_k_cast__ref(FROST_DTYPE_F32, f, FROST_DTYPE_U8, gu, 8));
    CHECK(frost_k_cast__ref(FROST_DTYPE_F32, f, FROST_DTYPE_BOOL, gb, 8));
    CHECK(memcmp(gi, wi, sizeof wi) == 0);
    CHECK(memcmp(gu, wu8, sizeof wu8) == 0);
    CHECK(memcmp(gb, wb, sizeof wb) == 0);
    /* int64 -> int32 wraps like TF */
    int64_t big[] = {(int64_t)1 << 32 | 5, -1};
    CHECK(frost_k_cast__ref(FROST_DTYPE_I64, big, FROST_DTYPE_I32, gi, 2));
    CHECK(gi[0] == 5 && gi[1] == -1);
    /* f16 / bf16: known encodings, rounding to even, overflow to inf, subnormals */
    float hf[] = {1.0f, -2.0f, 65504.0f, 65520.0f, 1e-8f, 6e-8f, 0.1f, INFINITY, 1.0009765625f + 0.00048828125f};
    uint16_t wh[] = {0x3C00, 0xC000, 0x7BFF, 0x7C00, 0x0000, 0x0001, 0x2E66, 0x7C00, 0x3C02};
    uint16_t gh[9];
    CHECK(frost_k_cast__ref(FROST_DTYPE_F32, hf, FROST_DTYPE_F16, gh, 9));
    for (int i = 0; i < 9; i++) CHECK_MSG(gh[i] == wh[i], "f16 of %g: %04x want %04x", hf[i], gh[i], wh[i]);
    float back[9];
    CHECK(frost_k_cast__ref(FROST_DTYPE_F16, gh, FROST_DTYPE_F32, back, 9));
    CHECK(back[0] == 1.0f && back[2] == 65504.0f && isinf(back[3]) && back[5] == 5.9604644775390625e-8f);
    CHECK(fabsf(back[6] - 0.1f) < 1e-4f);
    float bf[] = {1.0f, 3.14159265f, -0.0f, NAN};
    uint16_t gb16[4];
    CHECK(frost_k_cast__ref(FROST_DTYPE_F32, bf, FROST_DTYPE_BF16, gb16, 4));
    CHECK(gb16[0] == 0x3F80 && gb16[1] == 0x4049 && gb16[2] == 0x8000 && (gb16[3] & 0x7fc0) == 0x7fc0);
    int32_t from_half[2];
    CHECK(frost_k_cast__ref(FROST_DTYPE_F16, (uint16_t[]){0xC500, 0x4248}, FROST_DTYPE_I32, from_half, 2));
    CHECK(from_half[0] == -5 && from_half[1] == 3);
    /* strings are refused */
    h_reset();
    int in = h_val(FROST_DTYPE_F32, 1, H_DIMS(2), f);
    frost__params p = {.cast = {FROST_DTYPE_STRING, false}};
    CHECK_FAILS(h_run(FROST__OP_CAST, &p, 1, &in, 1), FROST_E_UNSUPPORTED, &H.err, "string");
}

/* ==== AddN and Select ========================================================================= */

static void test_add_n(void) {
    float x[3][12];
    for (int k = 0; k < 3; k++) frost_test_fill(x[k], 12, -1, 1);
    h_reset();
    int ins[3];
    for (int k = 0; k < 3; k++) ins[k] = h_val(FROST_DTYPE_F32, 2, H_DIMS(3, 4), x[k]);
    if (CHECK_OK(h_run(FROST__OP_ADD_N, NULL, 3, ins, 1), &H.err)) {
        float want[12];
        for (int i = 0; i < 12; i++) want[i] = x[0][i] + x[1][i] + x[2][i];
        frost_test_close(h_data(0), want, 12, 1e-6, 1e-6, "addn same shape");
    }
    /* broadcasting AddN (ONNX Sum) */
    h_reset();
    ins[0] = h_val(FROST_DTYPE_F32, 2, H_DIMS(3, 4), x[0]);
    ins[1] = h_val(FROST_DTYPE_F32, 1, H_DIMS(4), x[1]);
    ins[2] = h_val(FROST_DTYPE_F32, 2, H_DIMS(3, 1), x[2]);
    if (CHECK_OK(h_run(FROST__OP_ADD_N, NULL, 3, ins, 1), &H.err)) {
        float want[12];
        for (int i = 0; i < 12; i++) want[i] = x[0][i] + x[1][i % 4] + x[2][i / 4];
        frost_test_close(h_data(0), want, 12, 1e-6, 1e-6, "addn broadcast");
        CHECK_SHAPE(0, 2, 3, 4);
    }
    int32_t a[] = {1, 2}, b[] = {10, 20};
    h_reset();
    ins[0] = h_i32_vec(2, a);
    ins[1] = h_i32_vec(2, b);
    ins[2] = h_i32_vec(2, a);
    if (CHECK_OK(h_run(FROST__OP_ADD_N, NULL, 3, ins, 1), &H.err))
        CHECK(((int32_t *)h_data(0))[0] == 12 && ((int32_t *)h_data(0))[1] == 24);
    h_reset();
    ins[0] = h_val(FROST_DTYPE_F32, 1, H_DIMS(2), x[0]);
    if (CHECK_OK(h_run(FROST__OP_ADD_N, NULL, 1, ins, 1), &H.err))
        CHECK(memcmp(h_data(0), x[0], 8) == 0);
}

static void test_select(void) {
    uint8_t cond[6] = {1, 0, 1, 1, 0, 0};
    float a[6] = {1, 2, 3, 4, 5, 6}, b[6] = {-1, -2, -3, -4, -5, -6};
    /* same shapes */
    h_reset();
    int ins[3] = {h_val(FROST_DTYPE_BOOL, 2, H_DIMS(2, 3), cond), h_val(FROST_DTYPE_F32, 2, H_DIMS(2, 3), a),
                  h_val(FROST_DTYPE_F32, 2, H_DIMS(2, 3), b)};
    if (CHECK_OK(h_run(FROST__OP_SELECT, NULL, 3, ins, 1), &H.err)) {
        float want[6] = {1, -2, 3, 4, -5, -6};
        CHECK(memcmp(h_data(0), want, sizeof want) == 0);
    }
    /* SelectV2 broadcasting: cond [3], a scalar, b [2,3] */
    h_reset();
    float s = 9;
    ins[0] = h_val(FROST_DTYPE_BOOL, 1, H_DIMS(3), cond);
    ins[1] = h_val(FROST_DTYPE_F32, 0, NULL, &s);
    ins[2] = h_val(FROST_DTYPE_F32, 2, H_DIMS(2, 3), b);
    if (CHECK_OK(h_run(FROST__OP_SELECT, NULL, 3, ins, 1), &H.err)) {
        float want[6] = {9, -2, 9, 9, -5, 9};
        CHECK_SHAPE(0, 2, 2, 3);
        CHECK(memcmp(h_data(0), want, sizeof want) == 0);
    }
    /* TF Select v1: a vector condition picks rows */
    h_reset();
    uint8_t rows[2] = {0, 1};
    ins[0] = h_val(FROST_DTYPE_BOOL, 1, H_DIMS(2), rows);
    ins[1] = h_val(FROST_DTYPE_F32, 2, H_DIMS(2, 3), a);
    ins[2] = h_val(FROST_DTYPE_F32, 2, H_DIMS(2, 3), b);
    if (CHECK_OK(h_run(FROST__OP_SELECT, NULL, 3, ins, 1), &H.err)) {
        float want[6] = {-1, -2, -3, 4, 5, 6};
        CHECK(memcmp(h_data(0), want, sizeof want) == 0);
    }
    /* i64 values, scalar condition */
    int64_t ia[2] = {1, 2}, ib[2] = {3, 4};
    uint8_t c0 = 0;
    h_reset();
    ins[0] = h_val(FROST_DTYPE_BOOL, 0, NULL, &c0);
    ins[1] = h_i64_vec(2, ia);
    ins[2] = h_i64_vec(2, ib);
    if (CHECK_OK(h_run(FROST__OP_SELECT, NULL, 3, ins, 1), &H.err))
        CHECK(((int64_t *)h_data(0))[0] == 3 && ((int64_t *)h_data(0))[1] == 4);
    /* condition must be bool */
    h_reset();
    ins[0] = h_val(FROST_DTYPE_F32, 1, H_DIMS(2), a);
    ins[1] = h_i64_vec(2, ia);
    ins[2] = h_i64_vec(2, ib);
    CHECK_FAILS(h_run(FROST__OP_SELECT, NULL, 3, ins, 1), FROST_E_DTYPE, &H.err, "bool");
}

/* ==== Threads ================================================================================= */

/* Prepare + run by hand with a pool: the element- and row-split paths must match one thread. */
static void run_with_pool(int op, const frost__params *p, int n_in, const int *ins, frost__pool *pool,
                          void *out) {
    h_node(op, p, n_in, ins, 1);
    CHECK_OK(frost__infer_node(&H.node, H.dt, H.sh, H.data, true, &H.err), &H.err);
    const frost__op_def *def = frost__op_get(op);
    frost_dtype idt[4], odt[1] = {H.dt[H.out[0]]};
    frost__shape ish[4], osh[1] = {H.sh[H.out[0]]};
    const void *idata[4];
    for (int i = 0; i < n_in; i++) {
        idt[i] = H.dt[ins[i]];
        ish[i] = H.sh[ins[i]];
        idata[i] = NULL; /* activations: unknown at plan time */
    }
    frost__prepare_ctx pc = {.node = &H.node, .in_dtype = idt, .out_dtype = odt, .in_shape = ish,
                             .out_shape = osh, .in_data = idata, .cpu = frost__cpu_get(),
                             .n_threads = 4, .err = &H.err};
    frost__step *st = calloc(1, sizeof *st);
    st->node = &H.node;
    if (CHECK_OK(def->prepare(st, &pc), &H.err)) {
        H.data[H.out[0]] = out;
        frost__exec ex = {.ptr = H.data, .shape = H.sh, .dtype = H.dt, .arena = NULL, .pool = pool,
                          .err = &H.err};
        CHECK_OK(st->run(st, &ex), &H.err);
        H.data[H.out[0]] = NULL;
    }
    free(st);
}

static void test_threads(void) {
    frost__pool *pool = NULL;
    frost_error err;
    if (!CHECK_OK(frost__pool_create(frost__default_allocator(), 4, 100, false, &pool, &err), &err))
        return;
    enum { R = 300, C = 1001 };
    float *a = malloc(R * C * sizeof *a), *b = malloc(C * sizeof *b), *col = malloc(R * sizeof *col);
    float *y1 = malloc(R * C * sizeof *y1), *y4 = malloc(R * C * sizeof *y4);
    frost_test_fill(a, R * C, -3, 3);
    frost_test_fill(b, C, -3, 3);
    frost_test_fill(col, R, -3, 3);
    struct { int ra; int64_t da[2]; const float *bd; int rb; int64_t db[2]; } cases[] = {
        {2, {R, C}, a, 2, {R, C}},   /* same shape: one row split by elements */
        {2, {R, C}, b, 1, {C}},      /* per-channel: rows                     */
        {2, {R, C}, col, 2, {R, 1}}, /* row broadcast                         */
    };
    for (size_t k = 0; k < FROST_ARRAY_LEN(cases); k++) {
        frost__params p = {.binary = {FROST__BIN_MUL}};
        h_reset();
        int ins[2] = {h_val(FROST_DTYPE_F32, 2, cases[k].da, a),
                      h_val(FROST_DTYPE_F32, cases[k].rb, cases[k].db, cases[k].bd)};
        run_with_pool(FROST__OP_BINARY, &p, 2, ins, NULL, y1);
        run_with_pool(FROST__OP_BINARY, &p, 2, ins, pool, y4);
        CHECK_MSG(memcmp(y1, y4, R * C * sizeof *y1) == 0, "binary case %zu threaded", k);
        for (int i = 0; i < R * C; i += 977) {
            float w = a[i] * (k == 0 ? a[i] : k == 1 ? b[i % C] : col[i / C]);
            CHECK_MSG(y1[i] == w, "binary case %zu at %d", k, i);
        }
    }
    frost__params p = {.unary = {FROST__ACT_SIGMOID, 0, 0}};
    h_reset();
    int in = h_val(FROST_DTYPE_F32, 2, H_DIMS(R, C), a);
    run_with_pool(FROST__OP_UNARY, &p, 1, &in, NULL, y1);
    run_with_pool(FROST__OP_UNARY, &p, 1, &in, pool, y4);
    CHECK(memcmp(y1, y4, R * C * sizeof *y1) == 0);
    frost__params pc = {.cast = {FROST_DTYPE_I32, false}};
    h_reset();
    in = h_val(FROST_DTYPE_F32, 2, H_DIMS(R, C), a);
    run_with_pool(FROST__OP_CAST, &pc, 1, &in, pool, y4);
    CHECK(((int32_t *)y4)[12345] == (int32_t)a[12345]);
    free(a), free(b), free(col), free(y1), free(y4);
    frost__pool_free(pool);
}

int main(void) {
    frost_test_seed(7);
    test_unary_f32();
    test_unary_edges();
    test_unary_isa_variants();
    test_unary_other_dtypes();
    test_binary();
    test_binary_int_edges();
    test_binary_infer_unknown();
    test_cast();
    test_add_n();
    test_select();
    test_threads();
    h_reset();
    return frost_test_finish();
}
