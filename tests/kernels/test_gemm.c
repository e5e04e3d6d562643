/* test_gemm.c — the reference GEMM kernels (general and packed), the fused activations, the kernel
 * frost__gemm_pick chooses, and the MATMUL op (packed Dense path, general batched path, threads,
 * 1-D operands, shape inference with unknowns, errors) against naive loops written here. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/gemm.h"
#include "op_harness.h"
#include "test.h"

static const int sizes[] = {1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 33, 64};
#define NSIZES ((int)(sizeof sizes / sizeof sizes[0]))

static float *rnd(size_t n) {
    float *p = malloc((n ? n : 1) * sizeof *p);
    frost_test_fill(p, n, -1.0f, 1.0f);
    return p;
}

/* C = op(A) op(B) in double, op = transpose when ta/tb; A, B stored with leading dims lda, ldb. */
static void naive_gemm(int M, int N, int K, const float *A, int lda, bool ta, const float *B,
                       int ldb, bool tb, double *C) {
    for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++) {
            double s = 0;
            for (int k = 0; k < K; k++) {
                double a = ta ? A[(size_t)k * lda + i] : A[(size_t)i * lda + k];
                double b = tb ? B[(size_t)j * ldb + k] : B[(size_t)k * ldb + j];
                s += a * b;
            }
            C[(size_t)i * N + j] = s;
        }
}

static double naive_act(double x, const frost__act_params *a) {
    switch (a->act) {
    case FROST__ACT_RELU: return x > 0 ? x : 0;
    case FROST__ACT_RELU6: return x < 0 ? 0 : x > 6 ? 6 : x;
    case FROST__ACT_CLIP: return x < a->alpha ? a->alpha : x > a->beta ? a->beta : x;
    case FROST__ACT_LEAKY_RELU: return x < 0 ? a->alpha * x : x;
    case FROST__ACT_ELU: return x < 0 ? a->alpha * (exp(x) - 1) : x;
    case FROST__ACT_SELU:
        return 1.0507009873554804934 * (x < 0 ? 1.6732632423543772848 * (exp(x) - 1) : x);
    case FROST__ACT_SIGMOID: return 1 / (1 + exp(-x));
    case FROST__ACT_TANH: return tanh(x);
    case FROST__ACT_HARD_SIGMOID: {
        double v = a->alpha * x + a->beta;
        return v < 0 ? 0 : v > 1 ? 1 : v;
    }
    case FROST__ACT_SOFTPLUS: return log(1 + exp(x));
    case FROST__ACT_SOFTSIGN: return x / (1 + fabs(x));
    case FROST__ACT_SWISH: return x / (1 + exp(-x));
    case FROST__ACT_GELU: return 0.5 * x * (1 + erf(x / sqrt(2.0)));
    case FROST__ACT_GELU_TANH:
        return 0.5 * x * (1 + tanh(sqrt(2 / M_PI) * (x + 0.044715 * x * x * x)));
    case FROST__ACT_HARD_SWISH: {
        double r = x + 3 < 0 ? 0 : x + 3 > 6 ? 6 : x + 3;
        return x * r / 6;
    }
    default: return x;
    }
}

static void test_general_ref(void) {
    int variant = 0, bad = 0;
    for (int mi = 0; mi < NSIZES; mi++)
        for (int ni = 0; ni < NSIZES; ni++)
            for (int ki = 0; ki < NSIZES; ki++, variant++) {
                const int M = sizes[mi], N = sizes[ni], K = sizes[ki];
                const bool ta = variant & 1, tb = variant & 2, acc = variant % 5 == 0;
                /* Padded leading dimensions catch kernels that assume dense storage. */
                const int lda = (ta ? M : K) + 3, ldb = (tb ? K : N) + 1, ldc = N + 2;
                float *A = rnd((size_t)(ta ? K : M) * lda), *B = rnd((size_t)(tb ? N : K) * ldb);
                float *C = rnd((size_t)M * ldc);
                float *C0 = malloc((size_t)M * ldc * sizeof *C0);
                memcpy(C0, C, (size_t)M * ldc * sizeof *C);
                double *want = malloc((size_t)M * N * sizeof *want);
                naive_gemm(M, N, K, A, lda, ta, B, ldb, tb, want);
                frost_k_f32_gemm__ref(M, N, K, A, lda, ta, B, ldb, tb, C, ldc, acc);
                for (int i = 0; i < M && !bad; i++)
                    for (int j = 0; j < ldc; j++) {
                        const double got = C[(size_t)i * ldc + j];
                        const double w =
                            j < N ? want[(size_t)i * N + j] + (acc ? C0[(size_t)i * ldc + j] : 0)
                                  : C0[(size_t)i * ldc + j]; /* padding untouched */
                        if (fabs(got - w) > 1e-4 * (1 + fabs(w))) {
                            CHECK_MSG(false,
                                      "gemm M=%d N=%d K=%d ta=%d tb=%d acc=%d at (%d,%d): %g vs %g",
                                      M, N, K, ta, tb, acc, i, j, got, w);
                            bad = 1;
                            break;
                        }
                    }
                free(A), free(B), free(C), free(C0), free(want);
            }
    CHECK_MSG(!bad, "general reference GEMM over %d shapes", variant);
}

/* Any packed kernel: pack B (both orientations), run over column ranges cut at n_align multiples
 * (as threads do) and at arbitrary points, with and without bias and activation. */
static void check_packed_kernel(const frost__gemm_kernel *k, int max_size) {
    int bad = 0, cases = 0;
    static const frost__act_params acts[] = {{FROST__ACT_NONE, 0, 0, false, 0, 0},
                                             {FROST__ACT_RELU, 0, 0, false, 0, 0},
                                             {FROST__ACT_LEAKY_RELU, 0.1f, 0, false, 0, 0},
                                             {FROST__ACT_CLIP, -0.3f, 0.4f, false, 0, 0},
                                             {FROST__ACT_SIGMOID, 0, 0, false, 0, 0}};
    for (int mi = 0; mi < NSIZES; mi++)
        for (int ni = 0; ni < NSIZES; ni++)
            for (int ki = 0; ki < NSIZES; ki++) {
                const int M = sizes[mi], N = sizes[ni], K = sizes[ki];
                if (M > max_size || N > max_size || K > max_size) continue;
                const bool tb = (mi + ni + ki) & 1;
                const frost__act_params *act = &acts[(mi * 7 + ni * 3 + ki) % 5];
                const bool with_bias = (mi + ki) % 3 != 0;
                const int lda = K + 1, ldb = (tb ? K : N) + 2, ldc = N + 1;
                float *A = rnd((size_t)M * lda), *B = rnd((size_t)(tb ? N : K) * ldb);
                float *bias = rnd((size_t)N), *C = malloc((size_t)M * ldc * sizeof *C);
                for (int i = 0; i < M * ldc; i++) C[i] = 12345.0f;
                void *packed = malloc(k->packed_bytes(K, N) + 64);
                k->pack(K, N, B, ldb, tb, packed);
                double *want = malloc((size_t)M * N * sizeof *want);
                naive_gemm(M, N, K, A, lda, false, B, ldb, tb, want);
                for (int i = 0; i < M * N; i++)
                    want[i] = naive_act(want[i] + (with_bias ? bias[i % N] : 0), act);
                /* Three column pieces: [0,a) [a,b) [b,N), a at an n_align multiple. */
                const int al = k->n_align > 0 ? k->n_align : 1;
                const int a = FROST_MIN(N, al * ((N / al) / 2)), b = a + (N - a) / 2;
                const int cuts[4] = {0, a, b, N};
                for (int c = 0; c < 3; c++)
                    k->run(M, N, K, A, lda, packed, with_bias ? bias : NULL, C, ldc, act, cuts[c],
                           cuts[c + 1]);
                for (int i = 0; i < M && !bad; i++)
                    for (int j = 0; j < ldc; j++) {
                        const double got = C[(size_t)i * ldc + j];
                        const double w = j < N ? want[(size_t)i * N + j] : 12345.0;
                        if (!(fabs(got - w) <= 1e-4 * (1 + fabs(w)))) {
                            CHECK_MSG(false,
                                      "%s packed M=%d N=%d K=%d tb=%d act=%d bias=%d at (%d,%d): "
                                      "%g vs %g",
                                      k->name, M, N, K, tb, act->act, with_bias, i, j, got, w);
                            bad = 1;
                            break;
                        }
                    }
                cases++;
                free(A), free(B), free(bias), free(C), free(packed), free(want);
            }
    CHECK_MSG(!bad, "packed kernel %s over %d shapes", k->name, cases);
}

static void test_act(void) {
    const frost__act_params acts[] = {
        {FROST__ACT_NONE, 0, 0, false, 0, 0},          {FROST__ACT_RELU, 0, 0, false, 0, 0},
        {FROST__ACT_RELU6, 0, 0, false, 0, 0},         {FROST__ACT_CLIP, -1.5f, 2.5f, false, 0, 0},
        {FROST__ACT_LEAKY_RELU, 0.2f, 0, false, 0, 0}, {FROST__ACT_ELU, 1.3f, 0, false, 0, 0},
        {FROST__ACT_SELU, 0, 0, false, 0, 0},          {FROST__ACT_SIGMOID, 0, 0, false, 0, 0},
        {FROST__ACT_TANH, 0, 0, false, 0, 0},          {FROST__ACT_HARD_SIGMOID, 0.2f, 0.5f, false, 0, 0},
        {FROST__ACT_SOFTPLUS, 0, 0, false, 0, 0},      {FROST__ACT_SOFTSIGN, 0, 0, false, 0, 0},
        {FROST__ACT_SWISH, 0, 0, false, 0, 0},         {FROST__ACT_GELU, 0, 0, false, 0, 0},
        {FROST__ACT_GELU_TANH, 0, 0, false, 0, 0},     {FROST__ACT_HARD_SWISH, 0, 0, false, 0, 0},
    };
    CHECK(FROST_ARRAY_LEN(acts) == FROST__ACT_COUNT);
    enum { N = 203 };
    float x[N], y[N], want[N];
    for (size_t a = 0; a < FROST_ARRAY_LEN(acts); a++) {
        frost_test_fill(x, N, -8.0f, 8.0f);
        x[0] = 0.0f;
        x[1] = -3.0f;
        x[2] = 3.0f;
        x[3] = 90.0f; /* overflow guards: sigmoid/softplus/swish of large |x| */
        x[4] = -90.0f;
        memcpy(y, x, sizeof x);
        for (int i = 0; i < N; i++) want[i] = (float)naive_act(x[i], &acts[a]);
        if (acts[a].act == FROST__ACT_SOFTPLUS) want[3] = 90.0f; /* log(1+e^90) in double is 90 */
        frost_k_f32_act__ref(y, N, &acts[a]);
        frost_test_close(y, want, N, 1e-5, 1e-5, frost_test_fmt("activation %d", (int)acts[a].act));
    }
}

/* ---- the MATMUL op -------------------------------------------------------------------------- */

/* out[batch..., M, N] = a · b (+ bias, act) with numpy broadcasting, for checking the op. */
static void naive_matmul(const float *a, const frost__shape *sa, bool ta, const float *b,
                         const frost__shape *sb, bool tb, const float *bias,
                         const frost__act_params *act, float *out, const frost__shape *so) {
    const int ra = sa->rank, rb = sb->rank, ro = so->rank;
    const int64_t M = ra == 1 ? 1 : (ta ? sa->d[ra - 1] : sa->d[ra - 2]);
    const int64_t K = ra == 1 ? sa->d[0] : (ta ? sa->d[ra - 2] : sa->d[ra - 1]);
    const int64_t N = rb == 1 ? 1 : (tb ? sb->d[rb - 2] : sb->d[rb - 1]);
    const int br = ro - (ra >= 2) - (rb >= 2);
    int64_t batch = 1;
    for (int d = 0; d < br; d++) batch *= so->d[d];
    for (int64_t bi = 0; bi < batch; bi++) {
        /* Decompose bi over the output batch dims and map onto a's and b's (broadcast) dims. */
        int64_t idx[FROST_MAX_RANK], rem = bi;
        for (int d = br - 1; d >= 0; d--) {
            idx[d] = rem % so->d[d];
            rem /= so->d[d];
        }
        int64_t ao = 0, bo = 0;
        const int bra = ra >= 2 ? ra - 2 : 0, brb = rb >= 2 ? rb - 2 : 0;
        for (int d = 0; d < bra; d++) ao = ao * sa->d[d] + (sa->d[d] == 1 ? 0 : idx[d + br - bra]);
        for (int d = 0; d < brb; d++) bo = bo * sb->d[d] + (sb->d[d] == 1 ? 0 : idx[d + br - brb]);
        const float *A = a + ao * M * K, *B = b + bo * K * N;
        for (int64_t i = 0; i < M; i++)
            for (int64_t j = 0; j < N; j++) {
                double s = bias ? bias[j] : 0;
                for (int64_t k = 0; k < K; k++)
                    s += (double)(ta ? A[k * M + i] : A[i * K + k]) *
                         (tb ? B[j * K + k] : B[k * N + j]);
                out[bi * M * N + i * N + j] = (float)naive_act(s, act);
            }
    }
}

static void check_matmul(int ra, const int64_t *da, bool a_const, int rb, const int64_t *db,
                         bool b_const, bool ta, bool tb, bool bias, frost__act act, int threads,
                         bool pack, int want_rank, const int64_t *want_dims) {
    frost__shape sa = frost__shape_make(ra, da), sb = frost__shape_make(rb, db);
    const int64_t na = frost__shape_numel(&sa), nb = frost__shape_numel(&sb);
    const int64_t N = rb == 1 ? 1 : (tb ? db[rb - 2] : db[rb - 1]);
    float *a = rnd((size_t)na), *b = rnd((size_t)nb), *c = rnd((size_t)N);
    frost__params p;
    memset(&p, 0, sizeof p);
    p.matmul.transpose_a = ta;
    p.matmul.transpose_b = tb;
    p.matmul.act.act = act;
    p.matmul.act.alpha = 0.1f;
    oh_in ins[3] = {oh_f32(a, ra, da), oh_f32(b, rb, db), bias ? oh_f32(c, 1, &N) : oh_absent()};
    ins[0].variable = !a_const;
    ins[1].variable = !b_const;
    oh_out out;
    frost_error err;
    const char *what =
        frost_test_fmt("matmul a rank %d b rank %d ta=%d tb=%d bias=%d threads=%d pack=%d", ra, rb,
                       ta, tb, bias, threads, pack);
    char label[160];
    snprintf(label, sizeof label, "%s", what);
    if (CHECK_OK(oh_run(FROST__OP_MATMUL, &p, 3, ins, 1, pack, threads, &out, &err), &err)) {
        frost__shape want = frost__shape_make(want_rank, want_dims);
        CHECK_MSG(frost__shape_equal(&out.shape, &want), "%s: shape", label);
        if (frost__shape_equal(&out.shape, &want)) {
            const int64_t n = frost__shape_numel(&want);
            float *ref = malloc((size_t)n * sizeof *ref);
            naive_matmul(a, &sa, ta && ra >= 2, b, &sb, tb && rb >= 2, bias ? c : NULL,
                         &p.matmul.act, ref, &want);
            frost_test_close(out.data, ref, (size_t)n, 1e-4, 1e-4, label);
            free(ref);
        }
        oh_free(&out, 1);
    }
    free(a), free(b), free(c);
}

static void test_matmul_op(void) {
    /* Dense: constant weights packed at load, bias + relu fused; one thread and four. */
    for (int threads = 1; threads <= 4; threads += 3) {
        check_matmul(2, (int64_t[]){3, 5}, false, 2, (int64_t[]){5, 7}, true, false, false, true,
                     FROST__ACT_RELU, threads, true, 2, (int64_t[]){3, 7});
        /* One prediction, wide layer: the column split. */
        check_matmul(2, (int64_t[]){1, 256}, false, 2, (int64_t[]){256, 300}, true, false, false,
                     true, FROST__ACT_NONE, threads, true, 2, (int64_t[]){1, 300});
        /* Many rows: the row split; transposed weights (ONNX Gemm transB). */
        check_matmul(2, (int64_t[]){67, 33}, false, 2, (int64_t[]){45, 33}, true, false, true, true,
                     FROST__ACT_LEAKY_RELU, threads, true, 2, (int64_t[]){67, 45});
        /* Dense on a 3-D activation: rows of all batches at once. */
        check_matmul(3, (int64_t[]){2, 5, 9}, false, 2, (int64_t[]){9, 4}, true, false, false,
                     false, FROST__ACT_NONE, threads, true, 3, (int64_t[]){2, 5, 4});
        /* General batched path with broadcasting and transposes. */
        for (int t = 0; t < 4; t++) {
            const bool ta = t & 1, tb = t & 2;
            int64_t da[4] = {2, 1, ta ? 4 : 3, ta ? 3 : 4}, db[3] = {3, tb ? 5 : 4, tb ? 4 : 5};
            check_matmul(4, da, false, 3, db, false, ta, tb, false, FROST__ACT_NONE, threads, false,
                         4, (int64_t[]){2, 3, 3, 5});
        }
        /* Enough rows to pack b per batch for the fast kernel, with broadcasting both ways. */
        for (int tb = 0; tb <= 1; tb++)
            check_matmul(4, (int64_t[]){2, 1, 6, 4}, false, 3, (int64_t[]){3, tb ? 7 : 4, tb ? 4 : 7},
                         false, false, tb, true, FROST__ACT_RELU, threads, false, 4,
                         (int64_t[]){2, 3, 6, 7});
        check_matmul(3, (int64_t[]){4, 17, 16}, false, 3, (int64_t[]){4, 16, 9}, false, false,
                     false, true, FROST__ACT_TANH, threads, true, 3, (int64_t[]){4, 17, 9});
    }
    /* Constant b but not packed (constant folding evaluates before pack). */
    check_matmul(2, (int64_t[]){3, 5}, true, 2, (int64_t[]){5, 7}, true, false, false, true,
                 FROST__ACT_NONE, 1, false, 2, (int64_t[]){3, 7});
    /* transpose_a with constant b: never packed, general path. */
    check_matmul(2, (int64_t[]){5, 3}, false, 2, (int64_t[]){5, 7}, true, true, false, false,
                 FROST__ACT_NONE, 1, true, 2, (int64_t[]){3, 7});
    /* 1-D operands (numpy matmul). */
    check_matmul(1, (int64_t[]){4}, false, 2, (int64_t[]){4, 5}, true, false, false, false,
                 FROST__ACT_NONE, 1, true, 1, (int64_t[]){5});
    check_matmul(2, (int64_t[]){3, 4}, false, 1, (int64_t[]){4}, false, false, false, false,
                 FROST__ACT_NONE, 1, false, 1, (int64_t[]){3});
    check_matmul(1, (int64_t[]){4}, false, 1, (int64_t[]){4}, false, false, false, false,
                 FROST__ACT_NONE, 1, false, 0, (int64_t[]){0});
}

/* Empty operands: no rows, or K == 0 (the output is then just the bias). */
static void test_matmul_empty(void) {
    frost__params p;
    memset(&p, 0, sizeof p);
    float b[35], bias[7];
    frost_test_fill(b, 35, -1, 1);
    frost_test_fill(bias, 7, -1, 1);
    oh_out out;
    frost_error err;
    oh_in ins[3] = {oh_var(oh_f32(b, 2, (int64_t[]){0, 5})), oh_f32(b, 2, (int64_t[]){5, 7}),
                    oh_f32(bias, 1, (int64_t[]){7})};
    for (int pack = 0; pack <= 1; pack++)
        if (CHECK_OK(oh_run(FROST__OP_MATMUL, &p, 3, ins, 1, pack, 1, &out, &err), &err)) {
            CHECK(out.shape.rank == 2 && out.shape.d[0] == 0 && out.shape.d[1] == 7);
            oh_free(&out, 1);
        }
    ins[0] = oh_var(oh_f32(b, 2, (int64_t[]){3, 0}));
    ins[1] = oh_f32(b, 2, (int64_t[]){0, 7});
    for (int pack = 0; pack <= 1; pack++)
        if (CHECK_OK(oh_run(FROST__OP_MATMUL, &p, 3, ins, 1, pack, 1, &out, &err), &err)) {
            CHECK(out.shape.rank == 2 && out.shape.d[0] == 3 && out.shape.d[1] == 7);
            const float *y = out.data;
            for (int i = 0; i < 21; i++) CHECK(y[i] == bias[i % 7]);
            oh_free(&out, 1);
        }
}

static void test_matmul_infer_and_errors(void) {
    frost__params p;
    memset(&p, 0, sizeof p);
    oh_out out;
    frost_error err;
    /* Unknown batch at load. */
    oh_in ins[3] = {oh_f32(NULL, 2, (int64_t[]){-1, 4}), oh_f32(NULL, 2, (int64_t[]){4, 5}),
                    oh_absent()};
    if (CHECK_OK(oh_infer(FROST__OP_MATMUL, &p, 2, ins, 1, &out, &err), &err)) {
        CHECK(out.shape.rank == 2 && out.shape.d[0] == -1 && out.shape.d[1] == 5);
        CHECK(out.dt == FROST_DTYPE_F32);
    }
    /* Unknown rank propagates. */
    ins[0] = oh_f32(NULL, -1, NULL);
    if (CHECK_OK(oh_infer(FROST__OP_MATMUL, &p, 2, ins, 1, &out, &err), &err))
        CHECK(out.shape.rank == -1);
    /* Unknown batch dim broadcast against a known one. */
    ins[0] = oh_f32(NULL, 3, (int64_t[]){-1, -1, 4});
    ins[1] = oh_f32(NULL, 3, (int64_t[]){2, 4, 6});
    if (CHECK_OK(oh_infer(FROST__OP_MATMUL, &p, 2, ins, 1, &out, &err), &err))
        CHECK(out.shape.rank == 3 && out.shape.d[0] == 2 && out.shape.d[1] == -1 &&
              out.shape.d[2] == 6);
    /* Inner dimension mismatch. */
    ins[0] = oh_f32(NULL, 2, (int64_t[]){3, 4});
    ins[1] = oh_f32(NULL, 2, (int64_t[]){5, 6});
    CHECK_FAILS(oh_infer(FROST__OP_MATMUL, &p, 2, ins, 1, &out, &err), FROST_E_SHAPE, &err,
                "inner dimensions differ");
    CHECK(strstr(err.message, "node") != NULL); /* names the node */
    /* Batch dims that cannot broadcast. */
    ins[0] = oh_f32(NULL, 3, (int64_t[]){2, 3, 4});
    ins[1] = oh_f32(NULL, 3, (int64_t[]){3, 4, 6});
    CHECK_FAILS(oh_infer(FROST__OP_MATMUL, &p, 2, ins, 1, &out, &err), FROST_E_SHAPE, &err,
                "broadcast");
    /* Bias of the wrong length. */
    ins[0] = oh_f32(NULL, 2, (int64_t[]){3, 4});
    ins[1] = oh_f32(NULL, 2, (int64_t[]){4, 6});
    ins[2] = oh_f32(NULL, 1, (int64_t[]){5});
    CHECK_FAILS(oh_infer(FROST__OP_MATMUL, &p, 3, ins, 1, &out, &err), FROST_E_SHAPE, &err, "bias");
    /* Integer operands are not supported. */
    ins[0] = oh_typed(FROST_DTYPE_I32, NULL, 2, (int64_t[]){3, 4});
    CHECK_FAILS(oh_infer(FROST__OP_MATMUL, &p, 2, ins, 1, &out, &err), FROST_E_DTYPE, &err, "i32");
    /* A scalar operand. */
    ins[0] = oh_f32(NULL, 0, NULL);
    CHECK_FAILS(oh_infer(FROST__OP_MATMUL, &p, 2, ins, 1, &out, &err), FROST_E_SHAPE, &err, "rank");
}

int main(void) {
    frost_test_seed(1);
    test_general_ref();
    check_packed_kernel(&frost__gemm_ref, 64);
    const frost__gemm_kernel *picked = frost__gemm_pick(frost__cpu_get());
    if (picked && picked != &frost__gemm_ref) check_packed_kernel(picked, 33);
    test_act();
    test_matmul_op();
    test_matmul_empty();
    test_matmul_infer_and_errors();
    return frost_test_finish();
}
