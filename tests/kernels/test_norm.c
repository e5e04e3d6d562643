/* test_norm.c — BATCH_NORM (folded at load from constants, or folded at run from variable
 * statistics; channel axis last or 1; scale/offset absent) and LAYER_NORM (last axis or several,
 * gamma/beta of full length or one value or absent, the optional mean / inv-std outputs) through
 * their op hooks against naive formulas written here; shape inference and errors. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "op_harness.h"
#include "test.h"

static float *rnd(size_t n, float lo, float hi) {
    float *p = malloc((n ? n : 1) * sizeof *p);
    frost_test_fill(p, n, lo, hi);
    return p;
}

static void check_bn(int rank, const int64_t *dims, int axis, bool consts, bool with_scale,
                     bool with_offset, int threads) {
    const frost__shape s = frost__shape_make(rank, dims);
    int a = 0;
    frost__norm_axis(axis, rank, &a);
    const int64_t C = dims[a], n = frost__shape_numel(&s);
    float *x = rnd((size_t)n, -3, 3), *scale = rnd((size_t)C, 0.5f, 2),
          *offset = rnd((size_t)C, -1, 1);
    float *mean = rnd((size_t)C, -1, 1), *var = rnd((size_t)C, 0.1f, 3);
    frost__params p;
    memset(&p, 0, sizeof p);
    p.batch_norm.epsilon = 1e-3f;
    p.batch_norm.axis = axis;
    const int64_t cd[1] = {C};
    oh_in ins[5] = {oh_var(oh_f32(x, rank, dims)), with_scale ? oh_f32(scale, 1, cd) : oh_absent(),
                    with_offset ? oh_f32(offset, 1, cd) : oh_absent(), oh_f32(mean, 1, cd),
                    oh_f32(var, 1, cd)};
    for (int i = 1; i < 5; i++) ins[i].variable = !consts;
    oh_out out;
    frost_error err;
    char label[128];
    snprintf(label, sizeof label,
             "batchnorm rank %d axis %d consts %d scale %d offset %d threads %d", rank, axis,
             consts, with_scale, with_offset, threads);
    if (CHECK_OK(oh_run(FROST__OP_BATCH_NORM, &p, 5, ins, 1, true, threads, &out, &err), &err)) {
        CHECK(frost__shape_equal(&out.shape, &s));
        int64_t inner = 1;
        for (int d = a + 1; d < rank; d++) inner *= dims[d];
        float *ref = malloc((size_t)n * sizeof *ref);
        for (int64_t i = 0; i < n; i++) {
            const int64_t c = (i / inner) % C;
            const double g = with_scale ? scale[c] : 1, b = with_offset ? offset[c] : 0;
            ref[i] = (float)((x[i] - mean[c]) / sqrt(var[c] + 1e-3) * g + b);
        }
        frost_test_close(out.data, ref, (size_t)n, 1e-5, 1e-5, label);
        free(ref);
        oh_free(&out, 1);
    }
    free(x), free(scale), free(offset), free(mean), free(var);
}

static void check_ln(int rank, const int64_t *dims, int axis, int gamma_kind, bool with_beta,
                     int n_out, int threads) {
    const frost__shape s = frost__shape_make(rank, dims);
    int a = 0;
    frost__norm_axis(axis, rank, &a);
    int64_t D = 1, rows = 1;
    for (int d = a; d < rank; d++) D *= dims[d];
    for (int d = 0; d < a; d++) rows *= dims[d];
    const int64_t n = rows * D;
    /* A large common offset: a one-pass variance would lose it. */
    float *x = rnd((size_t)n, 100, 104), *gamma = rnd((size_t)D, 0.5f, 2),
          *beta = rnd((size_t)D, -1, 1);
    const int64_t gd[1] = {gamma_kind == 2 ? 1 : D};
    frost__params p;
    memset(&p, 0, sizeof p);
    p.layer_norm.epsilon = 1e-5f;
    p.layer_norm.axis = axis;
    oh_in ins[3] = {oh_var(oh_f32(x, rank, dims)), gamma_kind ? oh_f32(gamma, 1, gd) : oh_absent(),
                    with_beta ? oh_f32(beta, 1, (int64_t[]){D}) : oh_absent()};
    oh_out out[3];
    frost_error err;
    char label[128];
    snprintf(label, sizeof label,
             "layernorm rank %d axis %d gamma %d beta %d outputs %d threads %d", rank, axis,
             gamma_kind, with_beta, n_out, threads);
    if (CHECK_OK(oh_run(FROST__OP_LAYER_NORM, &p, 3, ins, n_out, false, threads, out, &err),
                 &err)) {
        CHECK(frost__shape_equal(&out[0].shape, &s));
        float *ref = malloc((size_t)n * sizeof *ref), *rmean = malloc((size_t)rows * sizeof *rmean);
        float *rinv = malloc((size_t)rows * sizeof *rinv);
        for (int64_t r = 0; r < rows; r++) {
            double mu = 0, var = 0;
            for (int64_t i = 0; i < D; i++) mu += x[r * D + i];
            mu /= (double)D;
            for (int64_t i = 0; i < D; i++) var += (x[r * D + i] - mu) * (x[r * D + i] - mu);
            var /= (double)D;
            rmean[r] = (float)mu;
            rinv[r] = (float)(1 / sqrt(var + 1e-5));
            for (int64_t i = 0; i < D; i++) {
                const double g = gamma_kind == 0 ? 1 : gamma_kind == 2 ? gamma[0] : gamma[i];
                ref[r * D + i] =
                    (float)((x[r * D + i] - mu) / sqrt(var + 1e-5) * g + (with_beta ? beta[i] : 0));
            }
        }
        frost_test_close(out[0].data, ref, (size_t)n, 1e-4, 1e-4, label);
        if (n_out > 1) {
            CHECK(out[1].shape.rank == rank && out[1].shape.d[rank - 1] == 1 &&
                  out[1].shape.d[0] == (a ? dims[0] : 1));
            frost_test_close(out[1].data, rmean, (size_t)rows, 1e-4, 1e-6, "layernorm mean output");
        }
        if (n_out > 2)
            frost_test_close(out[2].data, rinv, (size_t)rows, 1e-4, 1e-4,
                             "layernorm inv-std output");
        free(ref), free(rmean), free(rinv);
        oh_free(out, n_out);
    }
    free(x), free(gamma), free(beta);
}

static void test_errors(void) {
    frost__params p;
    memset(&p, 0, sizeof p);
    p.batch_norm.axis = -1;
    oh_out out[3];
    frost_error err;
    const int64_t c7[1] = {7}, c6[1] = {6};
    oh_in ins[5] = {oh_f32(NULL, 4, (int64_t[]){-1, 5, 5, 7}), oh_f32(NULL, 1, c7),
                    oh_f32(NULL, 1, c7), oh_f32(NULL, 1, c6), oh_f32(NULL, 1, c7)};
    CHECK_FAILS(oh_infer(FROST__OP_BATCH_NORM, &p, 5, ins, 1, out, &err), FROST_E_SHAPE, &err,
                "mean");
    ins[3] = oh_f32(NULL, 1, c7);
    if (CHECK_OK(oh_infer(FROST__OP_BATCH_NORM, &p, 5, ins, 1, out, &err), &err))
        CHECK(out[0].shape.rank == 4 && out[0].shape.d[0] == -1 && out[0].shape.d[3] == 7);
    p.batch_norm.axis = 4;
    CHECK_FAILS(oh_infer(FROST__OP_BATCH_NORM, &p, 5, ins, 1, out, &err), FROST_E_SHAPE, &err,
                "axis 4");
    ins[0] = oh_f32(NULL, -1, NULL);
    if (CHECK_OK(oh_infer(FROST__OP_BATCH_NORM, &p, 5, ins, 1, out, &err), &err))
        CHECK(out[0].shape.rank == -1);

    memset(&p, 0, sizeof p);
    p.layer_norm.axis = -1;
    oh_in li[3] = {oh_f32(NULL, 3, (int64_t[]){-1, 4, 8}), oh_f32(NULL, 1, c7), oh_absent()};
    CHECK_FAILS(oh_infer(FROST__OP_LAYER_NORM, &p, 3, li, 1, out, &err), FROST_E_SHAPE, &err,
                "gamma");
    li[1] = oh_f32(NULL, 1, (int64_t[]){8});
    if (CHECK_OK(oh_infer(FROST__OP_LAYER_NORM, &p, 3, li, 3, out, &err), &err)) {
        CHECK(out[0].shape.d[0] == -1 && out[0].shape.d[2] == 8);
        CHECK(out[1].shape.rank == 3 && out[1].shape.d[2] == 1 && out[1].shape.d[1] == 4);
    }
    li[0] = oh_typed(FROST_DTYPE_I32, NULL, 3, (int64_t[]){-1, 4, 8});
    CHECK_FAILS(oh_infer(FROST__OP_LAYER_NORM, &p, 3, li, 1, out, &err), FROST_E_DTYPE, &err,
                "i32");
}

int main(void) {
    frost_test_seed(6);
    for (int consts = 0; consts <= 1; consts++) {
        check_bn(4, (int64_t[]){2, 5, 6, 7}, -1, consts, true, true, 1);
        check_bn(4, (int64_t[]){2, 3, 4, 5}, 1, consts, true, true, 1);    /* NCHW */
        check_bn(2, (int64_t[]){9, 17}, -1, consts, false, true, 1);       /* no scale (Keras) */
        check_bn(2, (int64_t[]){9, 17}, 1, consts, true, false, 1);        /* no offset */
        check_bn(4, (int64_t[]){4, 32, 32, 16}, 3, consts, true, true, 4); /* threads */
    }
    check_ln(3, (int64_t[]){4, 7, 33}, -1, 1, true, 1, 1);
    check_ln(3, (int64_t[]){4, 7, 33}, 1, 1, true, 3, 1);    /* over [7,33], with mean/inv-std */
    check_ln(2, (int64_t[]){5, 16}, -1, 2, false, 2, 1);     /* one gamma value, no beta */
    check_ln(2, (int64_t[]){5, 16}, 0, 0, false, 1, 1);      /* the whole tensor, no gamma */
    check_ln(3, (int64_t[]){8, 128, 64}, -1, 1, true, 1, 4); /* threads */
    test_errors();
    return frost_test_finish();
}
