/* gemm_common.h — what the x86 packed-GEMM families (gemm_avx2.c, gemm_avx512.c,
 * gemm_avx512bf16.c, gemm_avx512vnni.c) share that does not depend on an instruction set:
 * - the epilogue's parameters: the fused activation classified once per call into a clamp to
 *   [lo, hi], a leaky slope, or "other" (left to frost_k_f32_act__ref after the store); each ISA
 *   only broadcasts lo, hi and alpha into its registers;
 * - the panel layout every family cuts B into (column panels of nr, the last one nr/2 wide when at
 *   most nr/2 columns remain), the f32 packing of those panels and of the transposed dot layout;
 * - the checked size of a packed buffer, and the calls with nothing to multiply (K == 0).
 * Header-only and free of intrinsics, so it compiles under any ISA's flags. Never allocates. */
#ifndef FROST_KERNELS_X86_GEMM_COMMON_H
#define FROST_KERNELS_X86_GEMM_COMMON_H

#include <stdint.h>

#include "kernels/gemm.h"

/* ---- epilogue -------------------------------------------------------------------------------- */

enum { FROST__EPI_NONE, FROST__EPI_CLAMP, FROST__EPI_LEAKY, FROST__EPI_LEAKY_CLAMP,
       FROST__EPI_OTHER };

/* CLAMP: min(max(x, lo), hi). LEAKY: x < 0 ? x * alpha : x. LEAKY_CLAMP: LEAKY, then CLAMP (a
 * leaky ReLU with a constant floor after it: params.h's clamp). OTHER: the kernel stores x and runs
 * frost_k_f32_act__ref on what it stored. Both register forms give the ref's results bit for bit
 * (NaN included: max(NaN, 0) is 0 on x86, as ReLU's x > 0 ? x : 0). */
typedef struct frost__gemm_epi {
    int kind;
    float lo, hi, alpha;
} frost__gemm_epi;

static inline frost__gemm_epi frost__gemm_epi_of(const frost__act_params *act) {
    frost__gemm_epi e = {FROST__EPI_NONE, -__builtin_inff(), __builtin_inff(), 0.0f};
    if (!act) return e;
    switch (act->act) {
    case FROST__ACT_NONE: case FROST__ACT_COUNT: break;
    case FROST__ACT_RELU: e.kind = FROST__EPI_CLAMP; e.lo = 0.0f; break;
    case FROST__ACT_RELU6: e.kind = FROST__EPI_CLAMP; e.lo = 0.0f; e.hi = 6.0f; break;
    case FROST__ACT_CLIP:
        e.kind = FROST__EPI_CLAMP; e.lo = act->alpha; e.hi = act->beta; break;
    case FROST__ACT_LEAKY_RELU: e.kind = FROST__EPI_LEAKY; e.alpha = act->alpha; break;
    default: e.kind = FROST__EPI_OTHER; break;
    }
    if (!act->clamp || e.kind == FROST__EPI_OTHER) return e;
    if (e.kind == FROST__EPI_LEAKY) {
        e.kind = FROST__EPI_LEAKY_CLAMP;
        e.lo = act->lo;
        e.hi = act->hi;
    } else if (e.kind == FROST__EPI_CLAMP) {
        /* clamp(clamp(x, a, b), lo, hi) = clamp(x, clamp(a, lo, hi), clamp(b, lo, hi)), NaN too. */
        const float a = e.lo > act->lo ? e.lo : act->lo, b = e.hi > act->lo ? e.hi : act->lo;
        e.lo = a < act->hi ? a : act->hi;
        e.hi = b < act->hi ? b : act->hi;
    } else {
        e.kind = FROST__EPI_OTHER; /* a clamp without an activation: not made by fuse.c */
    }
    return e;
}

/* ---- panel layout ---------------------------------------------------------------------------- */

/* Columns of the panel that starts at column p0: nr, or nr/2 when at most nr/2 columns remain. */
static inline int frost__gemm_panel_width(int N, int p0, int nr) {
    return N - p0 > nr / 2 ? nr : nr / 2;
}

/* Columns stored for N: full panels of nr and a last one of nr/2 or nr, zero padded. */
static inline size_t frost__gemm_panel_cols(int N, int nr) {
    const int rem = N % nr;
    return (size_t)(N / nr) * (size_t)nr + (size_t)(rem == 0 ? 0 : rem <= nr / 2 ? nr / 2 : nr);
}

/* B[k][n] of a K x N operand stored row-major, or N x K when trans_b. */
static inline float frost__gemm_b_at(const float *B, int ldb, bool trans_b, int k, int n) {
    return trans_b ? B[(size_t)n * (size_t)ldb + (size_t)k]
                   : B[(size_t)k * (size_t)ldb + (size_t)n];
}

/* rows x cols elements of elem bytes plus extra bytes; SIZE_MAX when that does not fit, so the
 * caller's allocation fails cleanly. */
static inline size_t frost__gemm_bytes(size_t rows, size_t cols, size_t elem, size_t extra) {
    size_t bytes;
    if (__builtin_mul_overflow(rows, cols, &bytes) || __builtin_mul_overflow(bytes, elem, &bytes) ||
        __builtin_add_overflow(bytes, extra, &bytes))
        return SIZE_MAX;
    return bytes;
}

/* f32 panels: panel p (columns [p0, p0 + w)) starts at P + p0 * K and holds K rows of w floats,
 * k-major, zero past N, so a micro-kernel reads one contiguous stream. */
static inline void frost__gemm_pack_panels_f32(int K, int N, const float *B, int ldb, bool trans_b,
                                               int nr, float *P) {
    for (int p0 = 0; p0 < N; p0 += nr) {
        const int w = frost__gemm_panel_width(N, p0, nr);
        float *panel = P + (size_t)p0 * (size_t)K;
        for (int k = 0; k < K; k++)
            for (int j = 0; j < w; j++)
                panel[(size_t)k * (size_t)w + (size_t)j] =
                    p0 + j < N ? frost__gemm_b_at(B, ldb, trans_b, k, p0 + j) : 0.0f;
    }
}

/* Floats between consecutive columns of the dot layout: K rounded up to a vector of vl lanes,
 * plus one cache line when that would be an even number of lines, so the 8-16 column streams
 * read together fall in different L1 sets (K = 1024 put them 4 KB apart, all in one set: 1.6x
 * slower). */
static inline size_t frost__gemm_dot_stride(int K, int vl) {
    size_t ks = ((size_t)K + (size_t)vl - 1) / (size_t)vl * (size_t)vl;
    if ((ks / 16) % 2 == 0) ks += 16;
    return ks;
}

/* The dot layout: B transposed, column n as one zero-padded run of ks floats at P + n * ks. */
static inline void frost__gemm_pack_dot_f32(int K, int N, const float *B, int ldb, bool trans_b,
                                            size_t ks, float *P) {
    for (int n = 0; n < N; n++)
        for (size_t k = 0; k < ks; k++)
            P[(size_t)n * ks + k] =
                (int)k < K ? frost__gemm_b_at(B, ldb, trans_b, (int)k, n) : 0.0f;
}

/* ---- run ------------------------------------------------------------------------------------- */

/* C[0:M, n0:n1] = act(bias), or act(0) without a bias: the product of an empty K. Rare: out of
 * line and marked cold, away from the kernels' entry. */
static __attribute__((noinline, cold, unused)) void
frost__gemm_run_empty_k(int M, const float *bias, float *C, int ldc, const frost__act_params *act,
                        int n0, int n1) {
    for (int i = 0; i < M; i++) {
        float *c = C + (size_t)i * (size_t)ldc + n0;
        for (int j = 0; j < n1 - n0; j++) c[j] = bias ? bias[n0 + j] : 0.0f;
        if (act) frost_k_f32_act__ref(c, (size_t)(n1 - n0), act);
    }
}

/* Clips [n0, n1) to [0, N) and does the calls with nothing to multiply: true when the call is
 * done (no rows or columns, or K <= 0). */
static inline bool frost__gemm_run_trivial(int M, int N, int K, const float *bias, float *C,
                                           int ldc, const frost__act_params *act, int *n0,
                                           int *n1) {
    if (*n0 < 0) *n0 = 0;
    if (*n1 > N) *n1 = N;
    if (M <= 0 || *n1 <= *n0) return true;
    if (K > 0) return false;
    frost__gemm_run_empty_k(M, bias, C, ldc, act, *n0, *n1);
    return true;
}

#endif
