/* gemm.h — single-precision matrix multiply kernels.
 *
 * Two shapes of the problem:
 * - General: C[M,N] = A[M,K] · B[K,N], both operands variable (BatchMatMul of two activations).
 *   frost_k_f32_gemm__ref is the portable version.
 * - Packed: B is a constant (Dense/MatMul weights, conv filters viewed as [kh*kw*cin, cout]) and is
 *   packed once at load into the layout the chosen kernel wants; the run then computes
 *   C[M,N] = act(A[M,K] · B + bias[N]). This is the hot path of every model.
 *
 * A kernel family is a frost__gemm_kernel; frost__gemm_pick() chooses the best one for the CPU once
 * (src/kernels/gemm_select.c). Every implementation must match the ref one (tests/kernels). */
#ifndef FROST_KERNELS_GEMM_H
#define FROST_KERNELS_GEMM_H

#include <stdbool.h>
#include <stddef.h>

#include "core/params.h"
#include "platform/cpu.h"

/* C[M,N] (ldc) = op(A) · op(B), op = transpose when ta/tb. A is [M,K] (or [K,M] when ta), B is [K,N]
 * (or [N,K] when tb). accumulate: C += instead of C =. */
void frost_k_f32_gemm__ref(int M, int N, int K, const float *A, int lda, bool ta, const float *B,
                           int ldb, bool tb, float *C, int ldc, bool accumulate);

/* Applies an activation in place to n floats (shared by every fused kernel's tail). */
void frost_k_f32_act__ref(float *x, size_t n, const frost__act_params *act);

typedef struct frost__gemm_kernel {
    const char *name;               /* "ref", "avx2", "avx512": shown by frost inspect/bench      */
    /* Bytes the packed form of a K x N B needs. */
    size_t (*packed_bytes)(int K, int N);
    /* Packs B (K x N, row stride ldb; or N x K when trans_b) into `packed`. */
    void (*pack)(int K, int N, const float *B, int ldb, bool trans_b, void *packed);
    /* C[M, n0:n1] = act(A[M,K] · B[:, n0:n1] + bias[n0:n1]); bias may be NULL. Callers split
     * [0,N) across threads by columns, at multiples of `n_align` (or by rows: any M range). */
    void (*run)(int M, int N, int K, const float *A, int lda, const void *packed,
                const float *bias, float *C, int ldc, const frost__act_params *act, int n0, int n1);
    int n_align;                    /* column split granularity for threads                    */
    /* The part of the packed buffer a run of M rows reads, when a layout keeps more than one copy
     * (avx512's wide layout): what plan-time cache warming and the cost report count. NULL: all. */
    void (*reads)(int M, int K, int N, size_t *offset, size_t *bytes);
} frost__gemm_kernel;

/* Where kernel k's run of M rows reads within packed weights of `total` bytes. */
void frost__gemm_reads(const frost__gemm_kernel *k, int M, int K, int N, size_t total,
                       size_t *offset, size_t *bytes);

extern const frost__gemm_kernel frost__gemm_ref;
/* The fastest kernel the CPU supports, honouring cpu->max_isa. */
const frost__gemm_kernel *frost__gemm_pick(const frost__cpu *cpu);
/* The opt-in reduced-precision family (FROST_PRECISION_BF16 at load): B stored as bf16, A rounded
 * to bf16 per call, fp32 sums (vdpbf16ps). NULL when the CPU (after the cap) has no AVX512_BF16.
 * Its results differ from the fp32 kernels by the bf16 rounding of both operands. */
const frost__gemm_kernel *frost__gemm_pick_bf16(const frost__cpu *cpu);
/* Reads `bytes` at p, one load per cache line, so packed weights sit in the cache when a session's
 * first run starts (prepare calls it: the first call after planning must not be a cold one; packing
 * at load left them there, but whatever ran in between may have evicted them). */
void frost__cache_warm(const void *p, size_t bytes); /* no-op past 32 MB */
/* The opt-in int8 family (FROST_PRECISION_INT8, Dense/MatMul weights): per-column int8 weights,
 * per-row int8 activations quantized per call, exact int32 sums (vpdpbusd), fp32 rescale. NULL
 * when the CPU (after the cap) has no AVX512_VNNI. */
const frost__gemm_kernel *frost__gemm_pick_int8(const frost__cpu *cpu);
/* The CBLAS family (src/kernels/blas/gemm_cblas.c: B as plain f32 in 64-column panels,
 * cblas_sgemm or, for one row, cblas_sgemv, then bias + activation): named "openblas" or "blis"
 * after the library the build was configured with (-DFROST_CBLAS=...). NULL in a build without
 * one (the default). */
const frost__gemm_kernel *frost__gemm_pick_cblas(void);
/* The family to pack a constant K x N operand for, given a frost_precision: int8 or bf16 when
 * asked for, available and worth it (at least 16 columns: narrower outputs would mostly multiply
 * padding and take the fp32 dot path; K >= 64: conv1-like K = 25 ran slower in bf16 than fp32),
 * falling back int8 -> bf16 -> fp32. fp32 is the CBLAS family in a build with one, for at least
 * 16 columns and 4096 weights (cblas_route, frost_load_options.cblas_route: 1 none, 2 all),
 * else frost__gemm_pick. */
const frost__gemm_kernel *frost__gemm_pick_for_weights(const frost__cpu *cpu, int precision,
                                                       int cblas_route, long long K, long long N);
/* The variant of family k for weights whose input rows are mostly exact zeros (a dense layer after
 * a ReLU): avx512's skips the weight rows of zero inputs in batch-1 calls of big layers; other
 * families have none and return k itself. Same results either way. */
const frost__gemm_kernel *frost__gemm_for_zero_rich_input(const frost__gemm_kernel *k);

#endif
