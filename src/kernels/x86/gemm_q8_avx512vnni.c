/* gemm_q8_avx512vnni.c — the packed 8-bit GEMM of quantized convolutions and fully connected
 * layers (kernels/quant.h) with AVX-512 VNNI: vpdpbusd multiplies 4 unsigned by 4 signed bytes
 * and adds the 4 products into each 32-bit lane, exactly (the same wrapping int32 sums as the
 * portable kernel, so results are identical bit for bit). A quad of input bytes is broadcast
 * against a 16-column block of packed weights; 4 rows by 32 columns (8 accumulators) share each
 * weight load. In int8 models the packed weights are the unsigned side and the raw input the
 * signed one; in uint8 models the other way round.
 * Must never: allocate, read a row past its Kq * 4 bytes, write c outside [0, rows) x [0, Np), or
 * run on a CPU without AVX512_VNNI (the op checks). Compiled with -mavx512vnni. */
#include "kernels/quant.h"

#include <immintrin.h>
#include <string.h>

static inline int32_t quad(const uint8_t *p) {
    int32_t v;
    memcpy(&v, p, 4);
    return v;
}

#define DP(acc, bvec, xvec) \
    (w_u8 ? _mm512_dpbusd_epi32((acc), (bvec), (xvec)) : _mm512_dpbusd_epi32((acc), (xvec), (bvec)))

/* Up to 4 rows against columns [16 j, 16 j + 16 * nb) (nb 1 or 2). */
static inline __attribute__((always_inline)) void tile(const uint8_t *B, int64_t Kq, bool w_u8, const uint8_t *a, int64_t lda,
                        int rows, int64_t j, int nb, int32_t *c, int64_t ldc) {
    __m512i acc[4][2];
    for (int i = 0; i < 4; i++) acc[i][0] = acc[i][1] = _mm512_setzero_si512();
    const uint8_t *b0 = B + j * Kq * 64, *b1 = b0 + Kq * 64;
    for (int64_t q = 0; q < Kq; q++) {
        const __m512i w0 = _mm512_load_si512((const void *)(b0 + q * 64));
        const __m512i w1 = nb > 1 ? _mm512_load_si512((const void *)(b1 + q * 64)) : w0;
        for (int i = 0; i < 4; i++) {
            if (i >= rows) break;
            const __m512i x = _mm512_set1_epi32(quad(a + i * lda + 4 * q));
            acc[i][0] = DP(acc[i][0], w0, x);
            if (nb > 1) acc[i][1] = DP(acc[i][1], w1, x);
        }
    }
    for (int i = 0; i < rows; i++) {
        _mm512_storeu_si512((void *)(c + i * ldc + 16 * j), acc[i][0]);
        if (nb > 1) _mm512_storeu_si512((void *)(c + i * ldc + 16 * j + 16), acc[i][1]);
    }
}

void frost_k_q8_gemm__avx512vnni(const frost__q8_pack *p, const uint8_t *a, int64_t lda,
                                 int64_t rows, int32_t *c) {
    const uint8_t *B = frost__q8_b(p);
    const int64_t blocks = p->Np / 16;
    for (int64_t r = 0; r < rows; r += 4) {
        const int rr = rows - r < 4 ? (int)(rows - r) : 4;
        for (int64_t j = 0; j < blocks; j += 2) {
            const int nb = blocks - j >= 2 ? 2 : 1;
            /* Two call sites so each inlined copy knows which side is unsigned. */
            if (p->w_u8)
                tile(B, p->Kq, true, a + r * lda, lda, rr, j, nb, c + r * p->Np, p->Np);
            else
                tile(B, p->Kq, false, a + r * lda, lda, rr, j, nb, c + r * p->Np, p->Np);
        }
    }
}
