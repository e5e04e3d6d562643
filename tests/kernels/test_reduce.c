/* test_reduce.c — REDUCE (every f32 and f64 function; Sum/Mean/Max/Min/Prod on i32 and i64; Any/All on
 * bool) and ARG (ArgMax/ArgMin, ties, select_last, i32/i64 indices, integer input) through their
 * op hooks, against naive reductions written here over random shapes and axis sets. Also the axes
 * operand rules (negative, duplicate, 0-D, empty with and without noop_with_empty_axes, absent),
 * the int32 Prod of a shape that shape computations rely on, and shape inference with unknowns. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "op_harness.h"
#include "test.h"

static int rnd_int(int lo, int hi) {
    return lo + (int)frost_test_uniform(0.0f, (float)(hi - lo + 1) - 0.001f);
}

/* Output index of input element `i` (flat) when the axes in `mask` are reduced away. */
static int64_t out_index(const frost__shape *s, const bool *mask, int64_t i) {
    int64_t idx[FROST_MAX_RANK];
    for (int d = s->rank - 1; d >= 0; d--) {
        idx[d] = i % s->d[d];
        i /= s->d[d];
    }
    int64_t o = 0;
    for (int d = 0; d < s->rank; d++)
        if (!mask[d]) o = o * s->d[d] + idx[d];
    return o;
}

static double f32_identity(int fn) {
    switch (fn) {
    case FROST__RED_MAX: return -INFINITY;
    case FROST__RED_MIN: return INFINITY;
    case FROST__RED_PROD: return 1;
    default: return 0;
    }
}

static void naive_f32(int fn, const frost__shape *s, const bool *mask, const float *x, double *y,
                      int64_t n_out) {
    int64_t n_red = 1, n = frost__shape_numel(s);
    for (int d = 0; d < s->rank; d++)
        if (mask[d]) n_red *= s->d[d];
    double *mx = malloc((size_t)(n_out ? n_out : 1) * sizeof *mx);
    for (int64_t o = 0; o < n_out; o++) {
        y[o] = f32_identity(fn);
        mx[o] = -INFINITY;
    }
    for (int64_t i = 0; i < n; i++) {
        const int64_t o = out_index(s, mask, i);
        const double v = x[i];
        switch (fn) {
        case FROST__RED_SUM:
        case FROST__RED_MEAN:
        case FROST__RED_LOG_SUM: y[o] += v; break;
        case FROST__RED_MAX: y[o] = v > y[o] ? v : y[o]; break;
        case FROST__RED_MIN: y[o] = v < y[o] ? v : y[o]; break;
        case FROST__RED_PROD: y[o] *= v; break;
        case FROST__RED_L1: y[o] += fabs(v); break;
        case FROST__RED_L2:
        case FROST__RED_SUM_SQUARE: y[o] += v * v; break;
        case FROST__RED_LOG_SUM_EXP: mx[o] = v > mx[o] ? v : mx[o]; break;
        }
    }
    if (fn == FROST__RED_LOG_SUM_EXP) {
        for (int64_t i = 0; i < n; i++) {
            const int64_t o = out_index(s, mask, i);
            y[o] += exp(x[i] - mx[o]);
        }
        for (int64_t o = 0; o < n_out; o++) y[o] = mx[o] + log(y[o]);
    }
    for (int64_t o = 0; o < n_out; o++) {
        if (fn == FROST__RED_MEAN) y[o] /= (double)n_red;
        if (fn == FROST__RED_L2) y[o] = sqrt(y[o]);
        if (fn == FROST__RED_LOG_SUM) y[o] = log(y[o]);
    }
    free(mx);
}

/* Integer reduction with two's-complement wrap-around, in 64 bits then narrowed to `bits`. */
static void naive_int(int fn, const frost__shape *s, const bool *mask, const int64_t *x, int64_t *y,
                      int64_t n_out, int bits) {
    int64_t n_red = 1, n = frost__shape_numel(s);
    for (int d = 0; d < s->rank; d++)
        if (mask[d]) n_red *= s->d[d];
    const int64_t lo = bits == 32 ? INT32_MIN : INT64_MIN, hi = bits == 32 ? INT32_MAX : INT64_MAX;
    for (int64_t o = 0; o < n_out; o++)
        y[o] = fn == FROST__RED_PROD  ? 1
               : fn == FROST__RED_MAX ? lo
               : fn == FROST__RED_MIN ? hi
                                      : 0;
    for (int64_t i = 0; i < n; i++) {
        const int64_t o = out_index(s, mask, i);
        uint64_t acc = (uint64_t)y[o];
        switch (fn) {
        case FROST__RED_SUM:
        case FROST__RED_MEAN: acc += (uint64_t)x[i]; break;
        case FROST__RED_PROD: acc *= (uint64_t)x[i]; break;
        case FROST__RED_MAX: acc = (uint64_t)(x[i] > y[o] ? x[i] : y[o]); break;
        case FROST__RED_MIN: acc = (uint64_t)(x[i] < y[o] ? x[i] : y[o]); break;
        }
        y[o] = bits == 32 ? (int64_t)(int32_t)(uint32_t)acc : (int64_t)acc;
    }
    if (fn == FROST__RED_MEAN)
        for (int64_t o = 0; o < n_out; o++) y[o] /= n_red;
}

typedef struct red_setup {
    frost__shape s;
    bool mask[FROST_MAX_RANK];
    int64_t axes[FROST_MAX_RANK];
    int n_axes;
    int64_t n_out;
    frost__shape out_keep, out_drop;
} red_setup;

static void random_setup(red_setup *r) {
    memset(r, 0, sizeof *r);
    r->s.rank = rnd_int(1, 5);
    for (int d = 0; d < r->s.rank; d++) r->s.d[d] = rnd_int(1, 6);
    /* Some axes reduced, written in random order with negative forms and a duplicate. */
    for (int d = 0; d < r->s.rank; d++)
        if (frost_test_uniform(0, 1) < 0.5f) r->mask[d] = true;
    /* An empty list would mean "all axes" (ONNX): keep at least one so the sets stay distinct. */
    bool any = false;
    for (int d = 0; d < r->s.rank; d++) any |= r->mask[d];
    if (!any) r->mask[rnd_int(0, r->s.rank - 1)] = true;
    for (int d = r->s.rank - 1; d >= 0; d--)
        if (r->mask[d]) r->axes[r->n_axes++] = frost_test_uniform(0, 1) < 0.5f ? d : d - r->s.rank;
    if (r->n_axes > 0 && r->n_axes < FROST_MAX_RANK && frost_test_uniform(0, 1) < 0.3f)
        r->axes[r->n_axes++] = r->axes[0];
    r->n_out = 1;
    for (int d = 0; d < r->s.rank; d++) {
        r->out_keep.d[r->out_keep.rank++] = r->mask[d] ? 1 : r->s.d[d];
        if (!r->mask[d]) {
            r->out_drop.d[r->out_drop.rank++] = r->s.d[d];
            r->n_out *= r->s.d[d];
        }
    }
}

/* Runs REDUCE; axes as i64 (or i32 when axes_i32). Returns the output or NULL on failure. */
static void *run_reduce(int fn, bool keep, frost_dtype dt, const void *x, const frost__shape *s,
                        const int64_t *axes, int n_axes, bool axes_i32, int threads,
                        frost__shape *out_shape) {
    frost__params p;
    memset(&p, 0, sizeof p);
    p.reduce.fn = fn;
    p.reduce.keep_dims = keep;
    int32_t ax32[FROST_MAX_RANK];
    for (int i = 0; i < n_axes; i++) ax32[i] = (int32_t)axes[i];
    const int64_t ad[1] = {n_axes};
    oh_in ins[2] = {oh_var(oh_typed(dt, x, s->rank, s->d)),
                    axes_i32 ? oh_typed(FROST_DTYPE_I32, ax32, 1, ad)
                             : oh_typed(FROST_DTYPE_I64, axes, 1, ad)};
    oh_out out;
    frost_error err;
    if (!CHECK_OK(oh_run(FROST__OP_REDUCE, &p, 2, ins, 1, false, threads, &out, &err), &err))
        return NULL;
    CHECK(out.dt == dt);
    *out_shape = out.shape;
    return out.data;
}

static void test_random_f32(void) {
    static const int fns[] = {FROST__RED_SUM,       FROST__RED_MEAN,    FROST__RED_MAX,
                              FROST__RED_MIN,       FROST__RED_PROD,    FROST__RED_L1,
                              FROST__RED_L2,        FROST__RED_LOG_SUM, FROST__RED_LOG_SUM_EXP,
                              FROST__RED_SUM_SQUARE};
    int failures = 0;
    for (int iter = 0; iter < 300; iter++) {
        red_setup r;
        random_setup(&r);
        const int fn = fns[iter % 10];
        const bool keep = iter % 3 == 0;
        const int64_t n = frost__shape_numel(&r.s);
        float *x = malloc((size_t)n * sizeof *x);
        /* Positive data for LogSum; near 1 for Prod so products stay representable. */
        frost_test_fill(x, (size_t)n,
                        fn == FROST__RED_LOG_SUM ? 0.1f
                        : fn == FROST__RED_PROD  ? 0.8f
                                                 : -3.0f,
                        fn == FROST__RED_PROD ? 1.2f : 3.0f);
        frost__shape os;
        float *y = run_reduce(fn, keep, FROST_DTYPE_F32, x, &r.s, r.axes, r.n_axes, iter & 1,
                              1 + (iter % 4 == 0), &os);
        if (y) {
            const frost__shape *want = keep ? &r.out_keep : &r.out_drop;
            if (!CHECK_MSG(frost__shape_equal(&os, want), "reduce fn %d shape", fn)) {
                failures++;
                free(y), free(x);
                continue;
            }
            double *ref = malloc((size_t)r.n_out * sizeof *ref);
            float *reff = malloc((size_t)r.n_out * sizeof *reff);
            naive_f32(fn, &r.s, r.mask, x, ref, r.n_out);
            for (int64_t o = 0; o < r.n_out; o++) reff[o] = (float)ref[o];
            if (!frost_test_close(y, reff, (size_t)r.n_out, 1e-5, 1e-5,
                                  frost_test_fmt("reduce f32 fn %d iter %d", fn, iter)))
                failures++;
            free(ref), free(reff), free(y);
        } else {
            failures++;
        }
        free(x);
    }
    CHECK_MSG(failures == 0, "%d random f32 reductions failed", failures);
}

/* f64 (ONNX tests and Einsum lowerings use it): the same sweep, compared in double precision. */
static void test_random_f64(void) {
    int failures = 0;
    for (int iter = 0; iter < 60; iter++) {
        red_setup r;
        random_setup(&r);
        const int fn = iter % 10; /* SUM .. SUM_SQUARE */
        const int64_t n = frost__shape_numel(&r.s);
        float *xf = malloc((size_t)n * sizeof *xf);
        double *x = malloc((size_t)n * sizeof *x);
        frost_test_fill(xf, (size_t)n, fn == FROST__RED_LOG_SUM ? 0.1f : -2.0f, 2.0f);
        for (int64_t i = 0; i < n; i++) x[i] = xf[i];
        frost__shape os;
        double *y = run_reduce(fn, false, FROST_DTYPE_F64, x, &r.s, r.axes, r.n_axes, false, 1, &os);
        if (y && CHECK(frost__shape_equal(&os, &r.out_drop))) {
            double *ref = malloc((size_t)r.n_out * sizeof *ref);
            naive_f32(fn, &r.s, r.mask, xf, ref, r.n_out);
            for (int64_t o = 0; o < r.n_out; o++)
                if (!(fabs(y[o] - ref[o]) <= 1e-12 * (1 + fabs(ref[o])))) {
                    CHECK_MSG(false, "reduce f64 fn %d iter %d at %lld: %.17g vs %.17g", fn, iter,
                              (long long)o, y[o], ref[o]);
                    failures++;
                    break;
                }
            free(ref);
        }
        free(y), free(x), free(xf);
    }
    CHECK_MSG(failures == 0, "%d random f64 reductions failed", failures);
}

static void test_random_int(void) {
    static const int fns[] = {FROST__RED_SUM, FROST__RED_MEAN, FROST__RED_MAX, FROST__RED_MIN,
                              FROST__RED_PROD};
    int failures = 0;
    for (int iter = 0; iter < 200; iter++) {
        red_setup r;
        random_setup(&r);
        const int fn = fns[iter % 5];
        const bool is32 = iter & 1;
        const int64_t n = frost__shape_numel(&r.s);
        int64_t *x64 = malloc((size_t)n * sizeof *x64);
        int32_t *x32 = malloc((size_t)n * sizeof *x32);
        for (int64_t i = 0; i < n; i++) {
            /* Large magnitudes for Sum/Prod so wrap-around is exercised. */
            int64_t v = rnd_int(-9, 9);
            if (fn == FROST__RED_SUM && i % 3 == 0) v *= is32 ? 300000000 : 3000000000000000000 / 9;
            if (fn == FROST__RED_PROD) v = rnd_int(-100000, 100000);
            x64[i] = is32 ? (int32_t)v : v;
            x32[i] = (int32_t)v;
        }
        frost__shape os;
        void *y =
            run_reduce(fn, iter % 3 == 1, is32 ? FROST_DTYPE_I32 : FROST_DTYPE_I64,
                       is32 ? (void *)x32 : (void *)x64, &r.s, r.axes, r.n_axes, false, 1, &os);
        if (y) {
            int64_t *ref = malloc((size_t)r.n_out * sizeof *ref);
            naive_int(fn, &r.s, r.mask, x64, ref, r.n_out, is32 ? 32 : 64);
            for (int64_t o = 0; o < r.n_out; o++) {
                const int64_t got = is32 ? ((int32_t *)y)[o] : ((int64_t *)y)[o];
                if (got != ref[o]) {
                    CHECK_MSG(false, "reduce int%d fn %d iter %d at %lld: %lld vs %lld",
                              is32 ? 32 : 64, fn, iter, (long long)o, (long long)got,
                              (long long)ref[o]);
                    failures++;
                    break;
                }
            }
            free(ref), free(y);
        } else {
            failures++;
        }
        free(x64), free(x32);
    }
    CHECK_MSG(failures == 0, "%d random integer reductions failed", failures);
}

static void test_bool(void) {
    const uint8_t x[6] = {0, 1, 0, 0, 0, 0}; /* [2,3] */
    const frost__shape s = frost__shape_make(2, (int64_t[]){2, 3});
    for (int any = 0; any <= 1; any++)
        for (int axis = 0; axis <= 1; axis++) {
            frost__shape os;
            const int64_t ax[1] = {axis};
            uint8_t *y = run_reduce(any ? FROST__RED_ANY : FROST__RED_ALL, false, FROST_DTYPE_BOOL,
                                    x, &s, ax, 1, false, 1, &os);
            if (!y) continue;
            if (axis == 0) {
                const uint8_t want_any[3] = {0, 1, 0}, want_all[3] = {0, 0, 0};
                CHECK(memcmp(y, any ? want_any : want_all, 3) == 0);
            } else {
                const uint8_t want_any[2] = {1, 0}, want_all[2] = {0, 0};
                CHECK(memcmp(y, any ? want_any : want_all, 2) == 0);
            }
            free(y);
        }
}

static void test_axes_rules(void) {
    const float x[6] = {1, 2, 3, 4, 5, 6};
    const int64_t xd[2] = {2, 3};
    frost__params p;
    memset(&p, 0, sizeof p);
    p.reduce.fn = FROST__RED_SUM;
    oh_out out;
    frost_error err;
    /* Absent axes: everything, a scalar. */
    oh_in ins[2] = {oh_var(oh_f32(x, 2, xd)), oh_absent()};
    if (CHECK_OK(oh_run(FROST__OP_REDUCE, &p, 2, ins, 1, false, 1, &out, &err), &err)) {
        CHECK(out.shape.rank == 0 && ((float *)out.data)[0] == 21.0f);
        oh_free(&out, 1);
    }
    /* Empty axes: everything, or nothing with noop_with_empty_axes (TF's Sum over []). */
    const int64_t none[1] = {0};
    ins[1] = oh_typed(FROST_DTYPE_I64, none, 1, (int64_t[]){0});
    if (CHECK_OK(oh_run(FROST__OP_REDUCE, &p, 2, ins, 1, false, 1, &out, &err), &err)) {
        CHECK(out.shape.rank == 0 && ((float *)out.data)[0] == 21.0f);
        oh_free(&out, 1);
    }
    p.reduce.noop_with_empty_axes = true;
    if (CHECK_OK(oh_run(FROST__OP_REDUCE, &p, 2, ins, 1, false, 1, &out, &err), &err)) {
        CHECK(out.shape.rank == 2 && memcmp(out.data, x, sizeof x) == 0);
        oh_free(&out, 1);
    }
    p.reduce.noop_with_empty_axes = false;
    /* 0-D axis, negative. */
    const int32_t minus1 = -1;
    ins[1] = oh_typed(FROST_DTYPE_I32, &minus1, 0, NULL);
    if (CHECK_OK(oh_run(FROST__OP_REDUCE, &p, 2, ins, 1, false, 1, &out, &err), &err)) {
        const float want[2] = {6, 15};
        CHECK(out.shape.rank == 1 && out.shape.d[0] == 2);
        frost_test_close(out.data, want, 2, 0, 0, "sum over axis -1");
        oh_free(&out, 1);
    }
    /* Out of range. */
    const int32_t two = 2;
    ins[1] = oh_typed(FROST_DTYPE_I32, &two, 0, NULL);
    CHECK_FAILS(oh_run(FROST__OP_REDUCE, &p, 2, ins, 1, false, 1, &out, &err), FROST_E_SHAPE, &err,
                "out of range");
    /* The shape computation: Prod of an int32 shape [2,3,4] over axis 0 -> 24, keep_dims -> [1]. */
    const int32_t shape_vals[3] = {2, 3, 4};
    const int32_t zero = 0;
    p.reduce.fn = FROST__RED_PROD;
    p.reduce.keep_dims = true;
    ins[0] = oh_typed(FROST_DTYPE_I32, shape_vals, 1, (int64_t[]){3});
    ins[1] = oh_typed(FROST_DTYPE_I32, &zero, 1, (int64_t[]){1});
    if (CHECK_OK(oh_run(FROST__OP_REDUCE, &p, 2, ins, 1, false, 1, &out, &err), &err)) {
        CHECK(out.dt == FROST_DTYPE_I32 && out.shape.rank == 1 && out.shape.d[0] == 1);
        CHECK(((int32_t *)out.data)[0] == 24);
        oh_free(&out, 1);
    }
    /* LogSumExp stays finite for large inputs. */
    const float big[3] = {1000, 1000, 1000};
    p.reduce.fn = FROST__RED_LOG_SUM_EXP;
    p.reduce.keep_dims = false;
    ins[0] = oh_var(oh_f32(big, 1, (int64_t[]){3}));
    ins[1] = oh_absent();
    if (CHECK_OK(oh_run(FROST__OP_REDUCE, &p, 2, ins, 1, false, 1, &out, &err), &err)) {
        const float want = 1000.0f + logf(3.0f);
        frost_test_close(out.data, &want, 1, 1e-3, 0, "logsumexp of large values");
        oh_free(&out, 1);
    }
}

static void test_reduce_infer(void) {
    frost__params p;
    memset(&p, 0, sizeof p);
    p.reduce.fn = FROST__RED_MEAN;
    oh_out out;
    frost_error err;
    /* Axes not known at load: the rank still follows from the axes' length. */
    oh_in ins[2] = {oh_f32(NULL, 4, (int64_t[]){-1, 7, 7, 64}),
                    oh_typed(FROST_DTYPE_I32, NULL, 1, (int64_t[]){2})};
    if (CHECK_OK(oh_infer(FROST__OP_REDUCE, &p, 2, ins, 1, &out, &err), &err))
        CHECK(out.shape.rank == 2);
    p.reduce.keep_dims = true;
    if (CHECK_OK(oh_infer(FROST__OP_REDUCE, &p, 2, ins, 1, &out, &err), &err))
        CHECK(out.shape.rank == 4);
    /* Known axes, unknown batch: Mean over H, W. */
    const int32_t hw[2] = {1, 2};
    ins[1] = oh_typed(FROST_DTYPE_I32, hw, 1, (int64_t[]){2});
    p.reduce.keep_dims = false;
    if (CHECK_OK(oh_infer(FROST__OP_REDUCE, &p, 2, ins, 1, &out, &err), &err))
        CHECK(out.shape.rank == 2 && out.shape.d[0] == -1 && out.shape.d[1] == 64);
    /* Unknown rank. */
    ins[0] = oh_f32(NULL, -1, NULL);
    if (CHECK_OK(oh_infer(FROST__OP_REDUCE, &p, 2, ins, 1, &out, &err), &err))
        CHECK(out.shape.rank == -1);
    /* Sum of bools is refused; Any of floats too. */
    ins[0] = oh_typed(FROST_DTYPE_BOOL, NULL, 2, (int64_t[]){2, 2});
    p.reduce.fn = FROST__RED_SUM;
    CHECK_FAILS(oh_infer(FROST__OP_REDUCE, &p, 2, ins, 1, &out, &err), FROST_E_DTYPE, &err, "bool");
    ins[0] = oh_f32(NULL, 2, (int64_t[]){2, 2});
    p.reduce.fn = FROST__RED_ANY;
    CHECK_FAILS(oh_infer(FROST__OP_REDUCE, &p, 2, ins, 1, &out, &err), FROST_E_UNSUPPORTED, &err,
                "f32");
    /* Axis out of range at load. */
    const int32_t nine = 9;
    p.reduce.fn = FROST__RED_SUM;
    ins[1] = oh_typed(FROST_DTYPE_I32, &nine, 0, NULL);
    CHECK_FAILS(oh_infer(FROST__OP_REDUCE, &p, 2, ins, 1, &out, &err), FROST_E_SHAPE, &err,
                "axis 9");
}

/* ---- ARG ------------------------------------------------------------------------------------ */

static void test_arg(void) {
    int failures = 0;
    for (int iter = 0; iter < 200; iter++) {
        frost__shape s;
        memset(&s, 0, sizeof s);
        s.rank = rnd_int(1, 4);
        for (int d = 0; d < s.rank; d++) s.d[d] = rnd_int(1, 6);
        const int axis = rnd_int(0, s.rank - 1);
        const bool is_max = iter & 1, last = iter & 2, keep = iter & 4, out32 = iter & 8,
                   in_int = iter % 5 == 0;
        const int64_t n = frost__shape_numel(&s);
        float *x = malloc((size_t)n * sizeof *x);
        int32_t *xi = malloc((size_t)n * sizeof *xi);
        /* Few distinct values: many ties. */
        for (int64_t i = 0; i < n; i++) xi[i] = rnd_int(-2, 2), x[i] = (float)xi[i];
        frost__params p;
        memset(&p, 0, sizeof p);
        p.arg.is_max = is_max;
        p.arg.select_last = last;
        p.arg.keep_dims = keep;
        p.arg.out_dtype = out32 ? FROST_DTYPE_I32 : FROST_DTYPE_I64;
        const int64_t axis_val = iter % 7 == 0 ? axis - s.rank : axis;
        oh_in ins[2] = {in_int ? oh_var(oh_typed(FROST_DTYPE_I32, xi, s.rank, s.d))
                               : oh_var(oh_f32(x, s.rank, s.d)),
                        oh_typed(FROST_DTYPE_I64, &axis_val, 0, NULL)};
        oh_out out;
        frost_error err;
        if (!CHECK_OK(oh_run(FROST__OP_ARG, &p, 2, ins, 1, false, 1, &out, &err), &err)) {
            failures++;
            free(x), free(xi);
            continue;
        }
        CHECK(out.dt == (out32 ? FROST_DTYPE_I32 : FROST_DTYPE_I64));
        CHECK(out.shape.rank == (keep ? s.rank : s.rank - 1));
        int64_t outer = 1, inner = 1;
        for (int d = 0; d < axis; d++) outer *= s.d[d];
        for (int d = axis + 1; d < s.rank; d++) inner *= s.d[d];
        for (int64_t o = 0; o < outer; o++)
            for (int64_t j = 0; j < inner; j++) {
                int64_t best = 0;
                for (int64_t k = 1; k < s.d[axis]; k++) {
                    const float v = x[(o * s.d[axis] + k) * inner + j],
                                b = x[(o * s.d[axis] + best) * inner + j];
                    if (is_max ? (v > b || (last && v == b)) : (v < b || (last && v == b)))
                        best = k;
                }
                const int64_t got = out32 ? ((int32_t *)out.data)[o * inner + j]
                                          : ((int64_t *)out.data)[o * inner + j];
                if (got != best) {
                    CHECK_MSG(false, "arg iter %d at (%lld,%lld): %lld vs %lld", iter, (long long)o,
                              (long long)j, (long long)got, (long long)best);
                    failures++;
                    o = outer;
                    break;
                }
            }
        oh_free(&out, 1);
        free(x), free(xi);
    }
    CHECK_MSG(failures == 0, "%d arg cases failed", failures);

    frost__params p;
    memset(&p, 0, sizeof p);
    p.arg.is_max = true;
    oh_out out;
    frost_error err;
    /* Unknown axis at load: rank known, dims not. Out of range: error. */
    oh_in ins[2] = {oh_f32(NULL, 3, (int64_t[]){-1, 5, 10}),
                    oh_typed(FROST_DTYPE_I32, NULL, 0, NULL)};
    if (CHECK_OK(oh_infer(FROST__OP_ARG, &p, 2, ins, 1, &out, &err), &err)) {
        CHECK(out.shape.rank == 2 && out.dt == FROST_DTYPE_I64);
    }
    const int32_t three = 3;
    ins[1] = oh_typed(FROST_DTYPE_I32, &three, 0, NULL);
    CHECK_FAILS(oh_infer(FROST__OP_ARG, &p, 2, ins, 1, &out, &err), FROST_E_SHAPE, &err,
                "out of range");
    const int32_t minus1 = -1;
    ins[1] = oh_typed(FROST_DTYPE_I32, &minus1, 0, NULL);
    if (CHECK_OK(oh_infer(FROST__OP_ARG, &p, 2, ins, 1, &out, &err), &err))
        CHECK(out.shape.rank == 2 && out.shape.d[0] == -1 && out.shape.d[1] == 5);
    p.arg.out_dtype = FROST_DTYPE_F32;
    CHECK_FAILS(oh_infer(FROST__OP_ARG, &p, 2, ins, 1, &out, &err), FROST_E_DTYPE, &err, "f32");
}

int main(void) {
    frost_test_seed(4);
    test_random_f32();
    test_random_f64();
    test_random_int();
    test_bool();
    test_axes_rules();
    test_reduce_infer();
    test_arg();
    return frost_test_finish();
}
