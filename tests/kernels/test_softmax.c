/* test_softmax.c — SOFTMAX (softmax and log-softmax, any axis, beta) through its op hooks against
 * a naive double-precision softmax written here; numerical stability on large and -inf inputs;
 * shape inference and errors. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "op_harness.h"
#include "test.h"

static void naive_softmax(const float *x, double *y, const frost__shape *s, int axis, double beta,
                          bool lg) {
    int64_t outer = 1, inner = 1, len = s->d[axis];
    for (int d = 0; d < axis; d++) outer *= s->d[d];
    for (int d = axis + 1; d < s->rank; d++) inner *= s->d[d];
    for (int64_t o = 0; o < outer; o++)
        for (int64_t j = 0; j < inner; j++) {
            double m = -INFINITY, sum = 0;
            for (int64_t k = 0; k < len; k++) m = fmax(m, beta * x[(o * len + k) * inner + j]);
            for (int64_t k = 0; k < len; k++) sum += exp(beta * x[(o * len + k) * inner + j] - m);
            for (int64_t k = 0; k < len; k++) {
                const double z = beta * x[(o * len + k) * inner + j] - m;
                y[(o * len + k) * inner + j] = lg ? z - log(sum) : exp(z) / sum;
            }
        }
}

static void check_case(int rank, const int64_t *dims, int axis, float beta, bool lg, int threads,
                       float scale) {
    const frost__shape s = frost__shape_make(rank, dims);
    const int64_t n = frost__shape_numel(&s);
    float *x = malloc((size_t)n * sizeof *x);
    frost_test_fill(x, (size_t)n, -scale, scale);
    frost__params p;
    memset(&p, 0, sizeof p);
    p.softmax.axis = axis;
    p.softmax.beta = beta;
    p.softmax.log = lg;
    oh_in in = oh_var(oh_f32(x, rank, dims));
    oh_out out;
    frost_error err;
    const char *label = frost_test_fmt("softmax rank %d axis %d beta %g log %d threads %d scale %g",
                                       rank, axis, beta, lg, threads, scale);
    char lab[128];
    snprintf(lab, sizeof lab, "%s", label);
    if (CHECK_OK(oh_run(FROST__OP_SOFTMAX, &p, 1, &in, 1, false, threads, &out, &err), &err)) {
        CHECK(frost__shape_equal(&out.shape, &s));
        double *ref = malloc((size_t)n * sizeof *ref);
        float *reff = malloc((size_t)n * sizeof *reff);
        int a = 0;
        frost__norm_axis(axis, rank, &a);
        naive_softmax(x, ref, &s, a, beta == 0 ? 1.0 : beta, lg);
        for (int64_t i = 0; i < n; i++) reff[i] = (float)ref[i];
        frost_test_close(out.data, reff, (size_t)n, 1e-6, 1e-4, lab);
        free(ref), free(reff);
        oh_free(&out, 1);
    }
    free(x);
}

int main(void) {
    frost_test_seed(5);
    for (int lg = 0; lg <= 1; lg++) {
        check_case(2, (int64_t[]){3, 10}, -1, 0, lg, 1, 3);     /* TF Softmax: last axis   */
        check_case(2, (int64_t[]){1, 1000}, 1, 0, lg, 1, 20);   /* logits of a classifier  */
        check_case(3, (int64_t[]){4, 7, 5}, 1, 0, lg, 1, 3);    /* a middle axis           */
        check_case(3, (int64_t[]){4, 7, 5}, 0, 2.0f, lg, 1, 3); /* first axis, beta        */
        check_case(4, (int64_t[]){2, 3, 4, 33}, -1, 0.5f, lg, 1, 3);
        check_case(1, (int64_t[]){1}, 0, 0, lg, 1, 3);           /* a single element        */
        check_case(3, (int64_t[]){64, 16, 300}, 2, 0, lg, 4, 5); /* rows split over threads */
        check_case(3, (int64_t[]){64, 300, 3}, 1, 0, lg, 3, 5);
        check_case(2, (int64_t[]){5, 9}, 1, -1.5f, lg, 1, 3); /* negative beta           */
        check_case(2, (int64_t[]){3, 8}, -1, 0, lg, 1, 500);  /* exp would overflow      */
    }
    /* -inf entries (masked attention) get probability 0; finite rows elsewhere stay exact. */
    {
        float x[4] = {-INFINITY, 0.0f, -INFINITY, 0.0f};
        frost__params p;
        memset(&p, 0, sizeof p);
        p.softmax.axis = -1;
        oh_in in = oh_var(oh_f32(x, 1, (int64_t[]){4}));
        oh_out out;
        frost_error err;
        if (CHECK_OK(oh_run(FROST__OP_SOFTMAX, &p, 1, &in, 1, false, 1, &out, &err), &err)) {
            const float want[4] = {0, 0.5f, 0, 0.5f};
            frost_test_close(out.data, want, 4, 1e-7, 0, "masked softmax");
            oh_free(&out, 1);
        }
    }
    /* Inference and errors. */
    {
        frost__params p;
        memset(&p, 0, sizeof p);
        p.softmax.axis = -1;
        oh_out out;
        frost_error err;
        oh_in in = oh_f32(NULL, 2, (int64_t[]){-1, 10});
        if (CHECK_OK(oh_infer(FROST__OP_SOFTMAX, &p, 1, &in, 1, &out, &err), &err))
            CHECK(out.shape.rank == 2 && out.shape.d[0] == -1 && out.shape.d[1] == 10);
        in = oh_f32(NULL, -1, NULL);
        if (CHECK_OK(oh_infer(FROST__OP_SOFTMAX, &p, 1, &in, 1, &out, &err), &err))
            CHECK(out.shape.rank == -1);
        p.softmax.axis = 2;
        in = oh_f32(NULL, 2, (int64_t[]){-1, 10});
        CHECK_FAILS(oh_infer(FROST__OP_SOFTMAX, &p, 1, &in, 1, &out, &err), FROST_E_SHAPE, &err,
                    "axis 2");
        p.softmax.axis = -1;
        in = oh_typed(FROST_DTYPE_I64, NULL, 2, (int64_t[]){-1, 10});
        CHECK_FAILS(oh_infer(FROST__OP_SOFTMAX, &p, 1, &in, 1, &out, &err), FROST_E_DTYPE, &err,
                    "i64");
    }
    return frost_test_finish();
}
