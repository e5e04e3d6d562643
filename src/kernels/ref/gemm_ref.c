/* gemm_ref.c — portable single-precision GEMM: the general C = op(A)·op(B) and the "ref" packed
 * kernel family (frost__gemm_ref), whose packed form of B is simply B as a dense K x N row-major
 * matrix. Loops are ordered i-k-j so the innermost loop streams contiguous rows the compiler can
 * vectorize. This is the correctness oracle the per-ISA kernels are tested against: keep it
 * obviously right. Never allocates, never touches C outside [M, n0:n1) (or [M, N) for the general
 * form). */
#include "kernels/gemm.h"

#include <string.h>

void frost_k_f32_gemm__ref(int M, int N, int K, const float *A, int lda, bool ta, const float *B,
                           int ldb, bool tb, float *C, int ldc, bool accumulate) {
    if (M <= 0 || N <= 0) return;
    for (int i = 0; i < M; i++) {
        float *c = C + (size_t)i * ldc;
        if (!accumulate) memset(c, 0, (size_t)N * sizeof *c);
        if (tb) {
            /* B is [N,K]: each output is a dot product of two contiguous K-vectors (when !ta). */
            for (int j = 0; j < N; j++) {
                const float *b = B + (size_t)j * ldb;
                float s = 0;
                if (!ta) {
                    const float *a = A + (size_t)i * lda;
                    for (int k = 0; k < K; k++) s += a[k] * b[k];
                } else {
                    for (int k = 0; k < K; k++) s += A[(size_t)k * lda + i] * b[k];
                }
                c[j] += s;
            }
        } else {
            for (int k = 0; k < K; k++) {
                float a = ta ? A[(size_t)k * lda + i] : A[(size_t)i * lda + k];
                const float *b = B + (size_t)k * ldb;
                for (int j = 0; j < N; j++) c[j] += a * b[j];
            }
        }
    }
}

static size_t ref_packed_bytes(int K, int N) {
    return (size_t)(K > 0 ? K : 0) * (size_t)(N > 0 ? N : 0) * sizeof(float);
}

static void ref_pack(int K, int N, const float *B, int ldb, bool trans_b, void *packed) {
    float *p = packed;
    for (int k = 0; k < K; k++)
        for (int j = 0; j < N; j++)
            p[(size_t)k * N + j] = trans_b ? B[(size_t)j * ldb + k] : B[(size_t)k * ldb + j];
}

static void ref_run(int M, int N, int K, const float *A, int lda, const void *packed,
                    const float *bias, float *C, int ldc, const frost__act_params *act, int n0,
                    int n1) {
    const float *P = packed;
    if (n0 < 0) n0 = 0;
    if (n1 > N) n1 = N;
    if (n1 <= n0) return;
    const int w = n1 - n0;
    for (int i = 0; i < M; i++) {
        const float *a = A + (size_t)i * lda;
        float *c = C + (size_t)i * ldc + n0;
        if (bias) memcpy(c, bias + n0, (size_t)w * sizeof *c);
        else memset(c, 0, (size_t)w * sizeof *c);
        for (int k = 0; k < K; k++) {
            const float av = a[k];
            const float *p = P + (size_t)k * N + n0;
            for (int j = 0; j < w; j++) c[j] += av * p[j];
        }
        if (act && act->act != FROST__ACT_NONE) frost_k_f32_act__ref(c, (size_t)w, act);
    }
}

const frost__gemm_kernel frost__gemm_ref = {
    .name = "ref",
    .packed_bytes = ref_packed_bytes,
    .pack = ref_pack,
    .run = ref_run,
    .n_align = 16,
};
