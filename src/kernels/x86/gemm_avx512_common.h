/* gemm_avx512_common.h — the AVX-512 pieces the 512-bit GEMM families share (gemm_avx512.c,
 * gemm_avx512bf16.c, gemm_avx512vnni.c): lane masks and the epilogue on zmm registers, from the
 * parameters gemm_common.h classifies. Include only from files compiled with -mavx512f (their
 * _avx512*.c names give them the flags). Never allocates. */
#ifndef FROST_KERNELS_X86_GEMM_AVX512_COMMON_H
#define FROST_KERNELS_X86_GEMM_AVX512_COMMON_H

#include <immintrin.h>
#include <stdint.h>

#include "kernels/x86/gemm_common.h"

/* Lanes [lo, hi) of one 16-lane vector (lo and hi may lie outside [0, 16]: a 32-wide group asks
 * for its second vector's lanes as [lo - 16, hi - 16)). */
static inline __mmask16 frost__mask16(int lo, int hi) {
    if (lo < 0) lo = 0;
    if (hi > 16) hi = 16;
    if (hi <= lo) return 0;
    return (__mmask16)((((uint32_t)1 << (hi - lo)) - 1) << lo);
}

/* The epilogue's parameters broadcast once per call. */
typedef struct frost__epi512 {
    int kind;
    __m512 lo, hi, alpha;
} frost__epi512;

static inline frost__epi512 frost__epi512_of(const frost__act_params *act) {
    const frost__gemm_epi p = frost__gemm_epi_of(act);
    frost__epi512 e = {p.kind, _mm512_set1_ps(p.lo), _mm512_set1_ps(p.hi), _mm512_set1_ps(p.alpha)};
    return e;
}

static inline __attribute__((always_inline)) __m512 frost__epi512_apply(__m512 x,
                                                                        const frost__epi512 *e) {
    if (e->kind == FROST__EPI_CLAMP) return _mm512_min_ps(_mm512_max_ps(x, e->lo), e->hi);
    if (e->kind == FROST__EPI_LEAKY) {
        const __mmask16 neg = _mm512_cmp_ps_mask(x, _mm512_setzero_ps(), _CMP_LT_OQ);
        return _mm512_mask_mul_ps(x, neg, x, e->alpha);
    }
    if (e->kind == FROST__EPI_LEAKY_CLAMP) {
        const __mmask16 neg = _mm512_cmp_ps_mask(x, _mm512_setzero_ps(), _CMP_LT_OQ);
        x = _mm512_mask_mul_ps(x, neg, x, e->alpha);
        return _mm512_min_ps(_mm512_max_ps(x, e->lo), e->hi);
    }
    return x;
}

#endif
