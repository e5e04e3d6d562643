/* gemm_cblas.c — the packed-GEMM family that hands the multiply to a CBLAS (OpenBLAS or BLIS),
 * compiled only when CMake is given -DFROST_CBLAS=openblas|blis (frost__gemm_pick_for_weights
 * then routes f32 weights here; see gemm_select.c for which).
 *
 * Packed form: B cut into column panels of PANEL columns (the last one narrower), each a dense
 * K x width row-major f32 matrix, panels one after the other: exactly what cblas_sgemm reads, with
 * ldb = the panel's width. Panels rather than one K x N matrix because frost's pool splits a
 * single-row GEMM by column ranges: on one row-major matrix each range reads a strided slice of
 * every row, and 8 ranges of the 3136 x 1024 layer took 463 us (OpenBLAS) / 544 us (BLIS) instead
 * of 183 / 180 us in one call. With 64-column panels a range of whole panels reads contiguous
 * memory and the layer measured 210-220 / 220-230 us however it is split (1, 2, 4 or 8 ranges;
 * 128- and 256-column panels were no better). One call on the unpanelled matrix stays ~15% faster
 * single-threaded, but frost splits whenever it has threads.
 * run computes each panel's part of C[:, n0:n1] with beta = 0, then adds bias and applies the
 * activation in one pass over that block while it is still in cache. One prediction (M == 1) goes
 * to cblas_sgemv instead: both BLASes pack B for sgemm, which for M == 1 means copying all of B on
 * every call (OpenBLAS 0.3.21: 1540 us vs 254 us for sgemv on the 3136 x 1024 dense layer,
 * docs/kernels.md).
 *
 * Threads: frost's pool splits the work (rows, or column ranges at n_align) and calls run from
 * each worker, so the BLAS must not start threads of its own inside a call. The first pack or run
 * sets the BLAS's own thread count to 1, process-wide (openblas_set_num_threads(1) /
 * bli_thread_set_num_threads(1)): an application that also calls the same BLAS directly gets
 * single-threaded calls too. */
#include "kernels/gemm.h"

#include <pthread.h>
#include <string.h>

#if defined(FROST_CBLAS_BLIS)
#include <blis.h>
#define CBLAS_NAME "blis"
#elif defined(FROST_CBLAS_OPENBLAS)
#include <cblas.h>
#define CBLAS_NAME "openblas"
#else
#error "gemm_cblas.c needs FROST_CBLAS_OPENBLAS or FROST_CBLAS_BLIS (CMake -DFROST_CBLAS=...)"
#endif

/* Columns per panel; also the thread split granularity (n_align), so ranges are whole panels. */
#ifndef PANEL
#define PANEL 64
#endif

static pthread_once_t g_single_thread_once = PTHREAD_ONCE_INIT;

static void set_single_threaded(void) {
#if defined(FROST_CBLAS_BLIS)
    bli_thread_set_num_threads(1);
#else
    openblas_set_num_threads(1);
#endif
}

static size_t cblas_packed_bytes(int K, int N) {
    return (size_t)(K > 0 ? K : 0) * (size_t)(N > 0 ? N : 0) * sizeof(float);
}

static void cblas_pack(int K, int N, const float *B, int ldb, bool trans_b, void *packed) {
    pthread_once(&g_single_thread_once, set_single_threaded);
    for (int p0 = 0; p0 < N; p0 += PANEL) {
        const int pw = N - p0 < PANEL ? N - p0 : PANEL;
        float *panel = (float *)packed + (size_t)K * p0;
        for (int k = 0; k < K; k++) {
            float *row = panel + (size_t)k * pw;
            if (!trans_b) {
                memcpy(row, B + (size_t)k * ldb + p0, (size_t)pw * sizeof *row);
            } else {
                for (int j = 0; j < pw; j++) row[j] = B[(size_t)(p0 + j) * ldb + k];
            }
        }
    }
}

/* c[0:w] = act(c + bias) for one row. ReLU and no activation are fused with the bias add (the
 * founding models' layers); the others add the bias, then take the shared tail while the row is
 * still in L1. Same NaN behaviour as frost_k_f32_act__ref (ReLU(NaN) = 0). */
static void bias_act_row(float *restrict c, int w, const float *restrict bias,
                         const frost__act_params *act) {
    const frost__act act_kind = act ? act->act : FROST__ACT_NONE;
    if (act_kind == FROST__ACT_RELU && !act->clamp) {
        if (bias)
            for (int j = 0; j < w; j++) {
                const float v = c[j] + bias[j];
                c[j] = v > 0 ? v : 0;
            }
        else
            for (int j = 0; j < w; j++) c[j] = c[j] > 0 ? c[j] : 0;
        return;
    }
    if (bias)
        for (int j = 0; j < w; j++) c[j] += bias[j];
    if (act_kind != FROST__ACT_NONE) frost_k_f32_act__ref(c, (size_t)w, act);
}

static void cblas_run(int M, int N, int K, const float *A, int lda, const void *packed,
                      const float *bias, float *C, int ldc, const frost__act_params *act, int n0,
                      int n1) {
    if (n0 < 0) n0 = 0;
    if (n1 > N) n1 = N;
    if (M <= 0 || n1 <= n0) return;
    pthread_once(&g_single_thread_once, set_single_threaded);
    const bool epilogue = bias || (act && act->act != FROST__ACT_NONE);
    for (int p0 = n0 - n0 % PANEL; p0 < n1; p0 += PANEL) {
        const int pw = N - p0 < PANEL ? N - p0 : PANEL;
        const int lo = n0 > p0 ? n0 : p0, hi = n1 < p0 + pw ? n1 : p0 + pw;
        const int w = hi - lo;
        const float *B = (const float *)packed + (size_t)K * p0 + (lo - p0);
        float *c = C + lo;
        if (K <= 0) {
            /* An empty sum; BLASes reject lda < 1 before they get to it. */
            for (int i = 0; i < M; i++) memset(c + (size_t)i * ldc, 0, (size_t)w * sizeof *c);
        } else if (M == 1) {
            /* c = B[:, lo:hi]^T · a: the panel's rows (length w, stride pw) are the transposed
             * matrix's. */
            cblas_sgemv(CblasRowMajor, CblasTrans, K, w, 1.0f, B, pw, A, 1, 0.0f, c, 1);
        } else {
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, M, w, K, 1.0f, A, lda, B, pw,
                        0.0f, c, ldc);
        }
        if (epilogue)
            for (int i = 0; i < M; i++)
                bias_act_row(c + (size_t)i * ldc, w, bias ? bias + lo : NULL, act);
    }
}

const frost__gemm_kernel frost__gemm_cblas = {
    .name = CBLAS_NAME,
    .packed_bytes = cblas_packed_bytes,
    .pack = cblas_pack,
    .run = cblas_run,
    .n_align = PANEL,
};
