/* test_gemm_int8.c — the opt-in int8 packed GEMM (frost__gemm_pick_int8) against a reference
 * written here from the kernel's contract (kernels/x86/gemm_avx512vnni.c): weights quantized per
 * column (scale max|w|/127, round to nearest even), activations per row and per call (scale
 * max|a|/127), int32 sums, result = sum * (sa * sw) + bias, then the activation. The int32 sums are
 * exact, so the kernel must match this reference to float rounding; it must also stay within the
 * quantization error of the exact fp32 product. Shapes cross the panel widths (16/32), row groups
 * of 4 (M = 1..5, 9), K not a multiple of 4 (padded quads), K chunks of the stack buffer, zero rows and columns (scale 0), negative activations (the +128
 * offset and its column-sum correction), bias or none, relu on registers and sigmoid through the
 * ref tail, column ranges split on and off n_align with sentinels, A rows padded with NaN.
 * Skipped when the CPU has no AVX512_VNNI. */
#include "test.h"

#include "kernels/gemm.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const float SENTINEL = -12345.5f;

static int quant(float v, float inv) {
    int q = (int)nearbyintf(v * inv);
    return q > 127 ? 127 : q < -127 ? -127 : q;
}

static float act_of(float x, frost__act a) {
    if (a == FROST__ACT_RELU) return x > 0 ? x : 0;
    if (a == FROST__ACT_SIGMOID) return 1.0f / (1.0f + expf(-x));
    return x;
}

static int n_cases;

static void run_case(const frost__gemm_kernel *k, int M, int N, int K, bool trans_b, bool bias_on,
                     frost__act act, bool zero_row, bool splits) {
    const int lda = K + 1 + M % 2, ldb = trans_b ? K + 2 : N + 1, ldc = N + 2;
    float *A = malloc(sizeof(float) * (size_t)(M * lda)), *B = malloc(sizeof(float) * (size_t)((trans_b ? N : K) * ldb));
    for (int i = 0; i < M * lda; i++) A[i] = NAN;
    for (int i = 0; i < M; i++) frost_test_fill(A + i * lda, (size_t)K, -1, 1);
    frost_test_fill(B, (size_t)((trans_b ? N : K) * ldb), -0.5f, 0.5f);
    if (zero_row) {
        memset(A, 0, sizeof(float) * (size_t)K);            /* row 0: scale 0 */
        for (int kk = 0; kk < K; kk++) *(trans_b ? &B[kk] : &B[(size_t)kk * ldb]) = 0; /* column 0 */
    }
    float *bias = NULL;
    if (bias_on) {
        bias = malloc(sizeof(float) * (size_t)N);
        frost_test_fill(bias, (size_t)N, -1, 1);
    }
#define BAT(kk, n) (trans_b ? B[(size_t)(n) * ldb + (kk)] : B[(size_t)(kk) * ldb + (n)])
    float *sw = malloc(sizeof(float) * (size_t)N), *want = malloc(sizeof(float) * (size_t)(M * N));
    double *exact = malloc(sizeof(double) * (size_t)(M * N)), *bound = malloc(sizeof(double) * (size_t)(M * N));
    for (int n = 0; n < N; n++) {
        float mx = 0;
        for (int kk = 0; kk < K; kk++) mx = fmaxf(mx, fabsf(BAT(kk, n)));
        sw[n] = mx / 127.0f;
    }
    for (int i = 0; i < M; i++) {
        const float *a = A + i * lda;
        float amax = 0;
        for (int kk = 0; kk < K; kk++) amax = fmaxf(amax, fabsf(a[kk]));
        const float sa = amax / 127.0f, inv = amax > 0 ? 127.0f / amax : 0.0f;
        for (int n = 0; n < N; n++) {
            long long s = 0;
            double e = 0, b = 0;
            for (int kk = 0; kk < K; kk++) {
                /* Weights are divided by their scale at pack (activations multiplied by the
                 * reciprocal at run): the same operations here. */
                const int qw = sw[n] > 0 ? (int)fmaxf(-127, fminf(127, nearbyintf(BAT(kk, n) / sw[n]))) : 0;
                s += (long long)quant(a[kk], inv) * qw;
                e += (double)a[kk] * BAT(kk, n);
                b += fabs((double)a[kk]) * sw[n] + fabs((double)BAT(kk, n)) * sa;
            }
            float r = (float)s * (sa * sw[n]);
            if (bias) r += bias[n];
            want[i * N + n] = act_of(r, act);
            exact[i * N + n] = e + (bias ? bias[n] : 0);
            bound[i * N + n] = b;
        }
    }
#undef BAT
    const size_t pb = k->packed_bytes(K, N);
    unsigned char *packed = aligned_alloc(64, (pb + 63) / 64 * 64);
    memset(packed, 0x5a, pb);
    k->pack(K, N, B, ldb, trans_b, packed);
    float *C = malloc(sizeof(float) * (size_t)(M * ldc));
    const frost__act_params ap = {act, 0, 0, false, 0, 0};
    for (int set = 0; set < (splits ? 2 : 1); set++) {
        for (int i = 0; i < M * ldc; i++) C[i] = SENTINEL;
        if (set == 0) {
            k->run(M, N, K, A, lda, packed, bias, C, ldc, &ap, 0, N);
        } else {
            /* reverse order, one odd cut, the rest on n_align */
            int cuts[64], nc = 0;
            cuts[nc++] = 0;
            if (N > 3) cuts[nc++] = 3;
            for (int c = k->n_align; c < N && nc < 62; c += k->n_align)
                if (c > cuts[nc - 1]) cuts[nc++] = c;
            cuts[nc++] = N;
            for (int s = nc - 2; s >= 0; s--)
                k->run(M, N, K, A, lda, packed, bias, C, ldc, &ap, cuts[s], cuts[s + 1]);
        }
        bool ok = true;
        for (int i = 0; i < M && ok; i++)
            for (int j = 0; j < ldc && ok; j++) {
                const float got = C[i * ldc + j];
                if (j >= N) {
                    ok = CHECK_MSG(got == SENTINEL, "int8 M%d N%d K%d: wrote past N", M, N, K);
                    continue;
                }
                const float w = want[i * N + j];
                ok = CHECK_MSG(fabsf(got - w) <= 1e-5f * fabsf(w) + 1e-6f,
                               "int8 M%d N%d K%d set%d C[%d,%d] = %.8g, want %.8g", M, N, K, set,
                               i, j, got, w);
                if (ok && act == FROST__ACT_NONE)
                    ok = CHECK_MSG(fabs(got - exact[i * N + j]) <= bound[i * N + j] / 2 + 1e-5,
                                   "int8 M%d N%d K%d: C[%d,%d] = %.6g, exact %.6g beyond the "
                                   "quantization bound", M, N, K, i, j, got, exact[i * N + j]);
            }
    }
    free(A), free(B), free(bias), free(sw), free(want), free(exact), free(bound), free(packed), free(C);
    n_cases++;
}

int main(void) {
    frost_test_seed(8);
    const frost__gemm_kernel *k = frost__gemm_pick_int8(frost__cpu_get());
    if (!k) frost_test_skip("no AVX512_VNNI on this CPU (or FROST_MAX_ISA caps it)");
    CHECK(k->packed_bytes(0, 3) == 0);
    static const int Ms[] = {1, 2, 3, 4, 5, 9};
    static const int Ns[] = {1, 15, 16, 17, 31, 32, 33, 64, 100};
    static const int Ks[] = {1, 3, 4, 5, 63, 64, 65, 127, 784, 3136};
    int h = 0;
    for (size_t mi = 0; mi < FROST_ARRAY_LEN(Ms); mi++)
        for (size_t ni = 0; ni < FROST_ARRAY_LEN(Ns); ni++)
            for (size_t ki = 0; ki < FROST_ARRAY_LEN(Ks); ki++, h++)
                run_case(k, Ms[mi], Ns[ni], Ks[ki], h % 3 == 0, h % 2 == 0,
                         h % 5 == 0 ? FROST__ACT_SIGMOID : h % 2 ? FROST__ACT_RELU : FROST__ACT_NONE,
                         h % 7 == 0, h % 4 == 0);
    /* K past one 16,384-byte chunk of quantized A (4,096 quads for one row): ten chunks. */
    run_case(k, 1, 33, 40000, false, true, FROST__ACT_NONE, false, true);
    /* Three rows hold 1,365 quads each per chunk: K = 25,000 takes five. */
    run_case(k, 3, 17, 25000, true, true, FROST__ACT_RELU, true, true);
    /* The founding CNN's dense layer. */
    run_case(k, 1, 1024, 3136, false, true, FROST__ACT_RELU, false, true);
    CHECK(n_cases > 400);
    return frost_test_finish();
}
