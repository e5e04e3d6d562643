/* test_gemm_bf16.c — the opt-in bf16 packed GEMM (frost__gemm_pick_bf16) against a naive reference
 * written here: A and B rounded to bf16 (round to nearest even, as the kernel's contract says),
 * products summed in double. bf16 x bf16 products are exact in fp32, so the only difference left
 * is the kernel's fp32 summation order: the tolerance is that of fp32 sums, not of bf16. Also
 * checks the result stays within bf16 rounding of the exact fp32 product.
 * Shapes cross the micro-tile (10 rows, 16/32 columns), odd K (a half-empty last pair), the
 * stack-buffer K chunks (K > 818 with 10 rows), every activation kind, column ranges split on and
 * off n_align with sentinels, and A rows padded with NaN (a read past K poisons the result).
 * Skipped when the CPU has no AVX512_BF16. */
#include "test.h"

#include "kernels/gemm.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const float SENTINEL = -12345.5f;

static float round_bf16(float f) {
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    u += 0x7fffu + ((u >> 16) & 1u);
    u &= 0xffff0000u;
    float r;
    memcpy(&r, &u, sizeof r);
    return r;
}

static double act_ref(double x, const frost__act_params *a) {
    switch (a->act) {
    case FROST__ACT_RELU: return x > 0 ? x : 0;
    case FROST__ACT_CLIP: return x < a->alpha ? a->alpha : x > a->beta ? a->beta : x;
    case FROST__ACT_LEAKY_RELU: return x < 0 ? a->alpha * x : x;
    case FROST__ACT_SIGMOID: return 1.0 / (1.0 + exp(-x));
    default: return x;
    }
}

static const frost__act_params ACTS[] = {
    {FROST__ACT_NONE, 0, 0, false, 0, 0}, {FROST__ACT_RELU, 0, 0, false, 0, 0}, {FROST__ACT_CLIP, -0.5f, 0.75f, false, 0, 0},
    {FROST__ACT_LEAKY_RELU, 0.1f, 0, false, 0, 0}, {FROST__ACT_SIGMOID, 0, 0, false, 0, 0},
};
#define N_ACTS ((int)FROST_ARRAY_LEN(ACTS))

static int n_cases;

static void run_case(const frost__gemm_kernel *k, int M, int N, int K, bool trans_b, bool has_bias,
                     int act_i, bool splits) {
    const int lda = K + (M % 3), ldc = N + 3, ldb = trans_b ? K + 1 : N + 2;
    const size_t a_n = (size_t)(M - 1) * lda + K + 1;
    float *A = malloc(a_n * sizeof(float));
    for (size_t i = 0; i < a_n; i++) A[i] = NAN;
    for (int i = 0; i < M; i++) frost_test_fill(A + (size_t)i * lda, (size_t)K, -1, 1);
    const size_t b_n = trans_b ? (size_t)N * ldb : (size_t)K * ldb;
    float *B = malloc(b_n * sizeof(float));
    frost_test_fill(B, b_n, -1, 1);
    float *bias = NULL;
    if (has_bias) {
        bias = malloc((size_t)N * sizeof(float));
        frost_test_fill(bias, (size_t)N, -1, 1);
    }
    double *want = malloc((size_t)M * N * sizeof(double)), *bound = malloc((size_t)M * N * sizeof(double));
    double *exact = malloc((size_t)M * N * sizeof(double));
    for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++) {
            double s = bias ? bias[j] : 0, b = fabs(s), e = s;
            for (int kk = 0; kk < K; kk++) {
                const float av = A[(size_t)i * lda + kk];
                const float bv = trans_b ? B[(size_t)j * ldb + kk] : B[(size_t)kk * ldb + j];
                const double t = (double)round_bf16(av) * round_bf16(bv);
                s += t;
                b += fabs(t);
                e += (double)av * bv;
            }
            want[(size_t)i * N + j] = s;
            bound[(size_t)i * N + j] = b;
            exact[(size_t)i * N + j] = e;
        }
    const size_t pb = k->packed_bytes(K, N);
    unsigned char *packed = malloc(pb ? pb : 1);
    memset(packed, 0xff, pb ? pb : 1);
    k->pack(K, N, B, ldb, trans_b, packed);

    int cuts[2][64], n_cuts[2] = {0, 0}, n_sets = 1;
    cuts[0][n_cuts[0]++] = 0;
    cuts[0][n_cuts[0]++] = N;
    if (splits && N > 1) {
        for (int c = 0; c < N && n_cuts[1] < 62; c += (c == 0 ? 1 : k->n_align)) cuts[1][n_cuts[1]++] = c;
        cuts[1][n_cuts[1]++] = N;
        n_sets = 2;
    }
    float *C = malloc((size_t)M * ldc * sizeof(float));
    for (int set = 0; set < n_sets; set++) {
        for (size_t i = 0; i < (size_t)M * ldc; i++) C[i] = SENTINEL;
        const int *cu = cuts[set], nc = n_cuts[set];
        for (int s = nc - 2; s >= 0; s--)
            k->run(M, N, K, A, lda, packed, bias, C, ldc, &ACTS[act_i], cu[s], cu[s + 1]);
        bool ok = true;
        for (int i = 0; i < M && ok; i++)
            for (int j = 0; j < ldc && ok; j++) {
                const float got = C[(size_t)i * ldc + j];
                if (j >= N) {
                    ok = CHECK_MSG(got == SENTINEL, "M=%d N=%d K=%d: wrote C[%d,%d] past N", M, N,
                                   K, i, j);
                    continue;
                }
                const double w = act_ref(want[(size_t)i * N + j], &ACTS[act_i]);
                const double tol = 4e-6 * bound[(size_t)i * N + j] + 1e-6;
                ok = CHECK_MSG(fabs(got - w) <= tol,
                               "M=%d N=%d K=%d%s%s act=%d set %d: C[%d,%d] = %.7g, want %.7g", M, N,
                               K, trans_b ? " tB" : "", bias ? " bias" : "", act_i, set, i, j,
                               got, w);
                if (!ok) break;
                /* Against the exact fp32 product: within two bf16 roundings per term. */
                const double we = act_ref(exact[(size_t)i * N + j], &ACTS[act_i]);
                ok = CHECK_MSG(fabs(got - we) <= 2 * 0x1p-8 * bound[(size_t)i * N + j] + 1e-5,
                               "M=%d N=%d K=%d: C[%d,%d] = %.7g, exact %.7g", M, N, K, i, j, got,
                               we);
            }
    }
    free(C);
    free(packed);
    free(A);
    free(B);
    free(bias);
    free(want);
    free(bound);
    free(exact);
    n_cases++;
}

int main(void) {
    frost_test_seed(6);
    const frost__gemm_kernel *k = frost__gemm_pick_bf16(frost__cpu_get());
    if (!k) frost_test_skip("no AVX512_BF16 on this CPU (or FROST_MAX_ISA caps it)");
    CHECK(k->n_align > 0);
    CHECK(k->packed_bytes(0, 5) == 0);
    static const int Ms[] = {1, 2, 3, 9, 10, 11, 20, 21};
    static const int Ns[] = {1, 15, 16, 17, 31, 32, 33, 48, 64, 100};
    static const int Ks[] = {1, 2, 3, 15, 16, 17, 31, 32, 33, 63, 64, 65, 200, 801};
    int counter = 0;
    for (size_t mi = 0; mi < FROST_ARRAY_LEN(Ms); mi++)
        for (size_t ni = 0; ni < FROST_ARRAY_LEN(Ns); ni++)
            for (size_t ki = 0; ki < FROST_ARRAY_LEN(Ks); ki++) {
                const int M = Ms[mi], N = Ns[ni], K = Ks[ki];
                if ((long)M * N * K > 60000 && (counter++ % 5) != 0) continue;
                const int h = (int)(mi * 31 + ni * 17 + ki * 7);
                run_case(k, M, N, K, h % 5 == 0, h % 3 != 0, h % N_ACTS, h % 4 == 0);
            }
    for (int a = 0; a < N_ACTS; a++) run_case(k, 13, 40, 37, a & 1, a != 2, a, true);
    /* K chunks: 10 rows hold 409 pairs per chunk, so K = 3500 takes five (and an odd K splits a
     * last pair); one row holds 4096 pairs, so K = 32771 takes five. */
    run_case(k, 10, 33, 3500, false, true, 1, true);
    run_case(k, 12, 17, 3277, true, true, 4, false);
    run_case(k, 1, 16, 32771, false, true, 3, false);
    /* The founding CNN's layers. */
    run_case(k, 784, 32, 25, false, true, 1, true);
    run_case(k, 196, 64, 800, false, true, 1, true);
    run_case(k, 1, 1024, 3136, false, true, 1, true);
    CHECK_MSG(n_cases > 100, "only %d cases ran", n_cases);
    return frost_test_finish();
}
