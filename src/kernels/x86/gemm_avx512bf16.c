/* gemm_avx512bf16.c — the opt-in reduced-precision packed GEMM (frost__gemm_avx512bf16):
 * C[M, n0:n1] = act(A[M,K] · B + bias) with B rounded to bf16 once at load and A rounded to bf16 on
 * the fly, products summed in fp32 by vdpbf16ps (two multiply-adds per 32-bit lane, 32 per zmm:
 * twice the fp32 FMA's work per instruction, half the weight bytes).
 *
 * Layout (a pure function of K and N): K is taken in pairs (K2 = ceil(K/2), an odd K padded with a
 * zero row). B is cut into column panels of 32 (the last one 16 wide when at most 16 columns remain);
 * in a panel, pair p is one row of 32 (or 16) 32-bit lanes, lane j holding the bf16 pair
 * (B[2p][j], B[2p+1][j]) — exactly what vdpbf16ps multiplies against a broadcast A pair.
 *
 * A is converted per row tile (up to 10 rows, K in chunks that fit a 16 KB stack buffer, small
 * enough for threads with small stacks: conv2's K = 800 and a dense layer's K <= 8192 are one) with
 * vcvtne2ps2bf16 (round to nearest even), then every panel is swept for those rows: A is converted
 * once per call, not once per panel. K chunks after the first start from the partial C stored by
 * the previous chunk; bias starts the first, the activation runs after the last.
 *
 * Must never: allocate, touch C outside rows [0,M) x columns [n0,n1), read A past row M-1 / column
 * K-1 (tails use masked loads), or run on a CPU without AVX512_BF16 (frost__gemm_pick_bf16 checks).
 * Compiled with -mavx512bf16: nothing outside this file may call into it unguarded. */
#include "kernels/gemm.h"

#include <immintrin.h>
#include <stdint.h>
#include <string.h>

#include "kernels/x86/gemm_avx512_common.h"

#define NR 32 /* panel width: two zmm of pairs                                             */
#define MR 10 /* rows per micro-tile: 20 accumulators + 2 B registers (as the fp32 kernel)   */
/* Stack bytes for converted A: MR rows x KC_PAIRS_10 pairs, or 1 row x a 4x longer chunk. */
#define A_BUF_BYTES 16384

/* ---- layout ---------------------------------------------------------------------------------- */

static size_t pairs_of(int K) { return ((size_t)K + 1) / 2; }

static size_t bf16_packed_bytes(int K, int N) {
    if (K <= 0 || N <= 0) return 0;
    return frost__gemm_bytes(pairs_of(K), frost__gemm_panel_cols(N, NR), 4, 0);
}

/* fp32 -> bf16, round to nearest even; NaN stays a (quiet) NaN instead of rounding to infinity. */
static uint16_t to_bf16(float f) {
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    if ((u & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((u >> 16) | 0x0040u);
    u += 0x7fffu + ((u >> 16) & 1u);
    return (uint16_t)(u >> 16);
}

static void bf16_pack(int K, int N, const float *B, int ldb, bool trans_b, void *packed) {
    if (K <= 0 || N <= 0) return;
    uint16_t *P = packed;
    const size_t K2 = pairs_of(K);
    for (int p0 = 0; p0 < N; p0 += NR) {
        const int w = frost__gemm_panel_width(N, p0, NR);
        uint16_t *panel = P + (size_t)p0 * K2 * 2;
        for (size_t kp = 0; kp < K2; kp++)
            for (int j = 0; j < w; j++)
                for (int h = 0; h < 2; h++) {
                    const int k = 2 * (int)kp + h;
                    const bool in = p0 + j < N && k < K;
                    panel[(kp * (size_t)w + (size_t)j) * 2 + (size_t)h] =
                        in ? to_bf16(frost__gemm_b_at(B, ldb, trans_b, k, p0 + j)) : 0;
                }
    }
}

/* ---- A conversion: rows x [k0, k0 + 2*pairs) floats -> rows x pairs bf16 pairs -------------- */

static void convert_a(int rows, const float *A, size_t lda, int K, int k0, int pairs,
                      uint32_t *dst) {
    for (int i = 0; i < rows; i++) {
        const float *a = A + (size_t)i * lda;
        uint32_t *d = dst + (size_t)i * pairs;
        int k = k0, p = 0;
        const int kend = k0 + 2 * pairs < K ? k0 + 2 * pairs : K;
        for (; k + 32 <= kend; k += 32, p += 16) {
            const __m512bh v = _mm512_cvtne2ps_pbh(_mm512_loadu_ps(a + k + 16),
                                                   _mm512_loadu_ps(a + k));
            _mm512_storeu_si512(d + p, (__m512i)v);
        }
        if (p < pairs) {
            /* Masked loads: never read A past K; the missing half of a last odd pair is zero. */
            const int left = kend - k;
            const __m512 lo = _mm512_maskz_loadu_ps(frost__mask16(0, left), a + k);
            const __m512 hi = _mm512_maskz_loadu_ps(frost__mask16(0, left - 16), a + k + 16);
            const __m512bh v = _mm512_cvtne2ps_pbh(hi, lo);
            _mm512_mask_storeu_epi32(d + p, frost__mask16(0, pairs - p), (__m512i)v);
        }
    }
}

/* ---- micro-kernel: rows x (16 * nv) block over `pairs` pairs --------------------------------- */

/* first: accumulators start at bias (or 0), else at C (a later K chunk). last: apply the
 * activation (else store the partial sums). */
static inline __attribute__((always_inline)) void
tile(const int rows, const int nv, int pairs, const uint32_t *a, size_t lda2, const uint32_t *Bp,
     const float *bias, float *C, size_t ldc, __mmask16 m0, __mmask16 m1, const frost__epi512 *e,
     bool first, bool last) {
    __m512 c0[MR], c1[MR];
    const frost__epi512 ep = *e;
    if (first) {
        const __m512 b0 = bias ? _mm512_maskz_loadu_ps(m0, bias) : _mm512_setzero_ps();
        const __m512 b1 = (bias && nv == 2) ? _mm512_maskz_loadu_ps(m1, bias + 16)
                                            : _mm512_setzero_ps();
#pragma GCC unroll 10
        for (int i = 0; i < rows; i++) {
            c0[i] = b0;
            if (nv == 2) c1[i] = b1;
        }
    } else {
#pragma GCC unroll 10
        for (int i = 0; i < rows; i++) {
            c0[i] = _mm512_maskz_loadu_ps(m0, C + (size_t)i * ldc);
            if (nv == 2) c1[i] = _mm512_maskz_loadu_ps(m1, C + (size_t)i * ldc + 16);
        }
    }
    const int bw = 16 * nv;
    for (int p = 0; p < pairs; p++, Bp += bw) {
        const __m512bh b0 = (__m512bh)_mm512_loadu_si512(Bp);
        const __m512bh b1 = nv == 2 ? (__m512bh)_mm512_loadu_si512(Bp + 16) : b0;
#pragma GCC unroll 10
        for (int i = 0; i < rows; i++) {
            const __m512bh av = (__m512bh)_mm512_set1_epi32((int)a[(size_t)i * lda2 + p]);
            c0[i] = _mm512_dpbf16_ps(c0[i], av, b0);
            if (nv == 2) c1[i] = _mm512_dpbf16_ps(c1[i], av, b1);
        }
    }
#pragma GCC unroll 10
    for (int i = 0; i < rows; i++) {
        float *c = C + (size_t)i * ldc;
        _mm512_mask_storeu_ps(c, m0, last ? frost__epi512_apply(c0[i], &ep) : c0[i]);
        if (nv == 2)
            _mm512_mask_storeu_ps(c + 16, m1, last ? frost__epi512_apply(c1[i], &ep) : c1[i]);
    }
}

#define TILE_ARGS int pairs, const uint32_t *a, size_t lda2, const uint32_t *Bp,        \
                  const float *bias, float *C, size_t ldc, __mmask16 m0, __mmask16 m1, \
                  const frost__epi512 *e, bool first, bool last
#define TILE_PASS pairs, a, lda2, Bp, bias, C, ldc, m0, m1, e, first, last

#define TILE_CASES(nv)                                   \
    switch (rows) {                                      \
    case 2: tile(2, nv, TILE_PASS); break;               \
    case 3: tile(3, nv, TILE_PASS); break;               \
    case 4: tile(4, nv, TILE_PASS); break;               \
    case 5: tile(5, nv, TILE_PASS); break;               \
    case 6: tile(6, nv, TILE_PASS); break;               \
    case 7: tile(7, nv, TILE_PASS); break;               \
    case 8: tile(8, nv, TILE_PASS); break;               \
    case 9: tile(9, nv, TILE_PASS); break;               \
    default: tile(MR, nv, TILE_PASS); break;             \
    }

static __attribute__((noinline)) void tile_w32(int rows, TILE_ARGS) { TILE_CASES(2) }
static __attribute__((noinline)) void tile_w16(int rows, TILE_ARGS) { TILE_CASES(1) }

/* One row: the tile would form only nv dependency chains (vdpbf16ps latency ~6 cycles); eight
 * independent accumulators keep the weight stream, not the latency, the limit. */
static void gemv_panel(int nv, int pairs, const uint32_t *a, const uint32_t *Bp, const float *bias,
                       float *c, __mmask16 m0, __mmask16 m1, const frost__epi512 *e, bool first,
                       bool last) {
    __m512 s[8];
    for (int j = 0; j < 8; j++) s[j] = _mm512_setzero_ps();
    if (first) {
        if (bias) {
            s[0] = _mm512_maskz_loadu_ps(m0, bias);
            if (nv == 2) s[1] = _mm512_maskz_loadu_ps(m1, bias + 16);
        }
    } else {
        s[0] = _mm512_maskz_loadu_ps(m0, c);
        if (nv == 2) s[1] = _mm512_maskz_loadu_ps(m1, c + 16);
    }
    int p = 0;
    if (nv == 2) {
        for (; p + 4 <= pairs; p += 4, Bp += 4 * NR) {
#pragma GCC unroll 4
            for (int u = 0; u < 4; u++) {
                const __m512bh av = (__m512bh)_mm512_set1_epi32((int)a[p + u]);
                s[2 * u] = _mm512_dpbf16_ps(s[2 * u], av,
                                            (__m512bh)_mm512_loadu_si512(Bp + 32 * u));
                s[2 * u + 1] = _mm512_dpbf16_ps(s[2 * u + 1], av,
                                                (__m512bh)_mm512_loadu_si512(Bp + 32 * u + 16));
            }
        }
        for (; p < pairs; p++, Bp += NR) {
            const __m512bh av = (__m512bh)_mm512_set1_epi32((int)a[p]);
            s[0] = _mm512_dpbf16_ps(s[0], av, (__m512bh)_mm512_loadu_si512(Bp));
            s[1] = _mm512_dpbf16_ps(s[1], av, (__m512bh)_mm512_loadu_si512(Bp + 16));
        }
        s[0] = _mm512_add_ps(_mm512_add_ps(s[0], s[2]), _mm512_add_ps(s[4], s[6]));
        s[1] = _mm512_add_ps(_mm512_add_ps(s[1], s[3]), _mm512_add_ps(s[5], s[7]));
    } else {
        for (; p + 4 <= pairs; p += 4, Bp += 64) {
#pragma GCC unroll 4
            for (int u = 0; u < 4; u++)
                s[2 * u] = _mm512_dpbf16_ps(s[2 * u], (__m512bh)_mm512_set1_epi32((int)a[p + u]),
                                            (__m512bh)_mm512_loadu_si512(Bp + 16 * u));
        }
        for (; p < pairs; p++, Bp += 16)
            s[0] = _mm512_dpbf16_ps(s[0], (__m512bh)_mm512_set1_epi32((int)a[p]),
                                    (__m512bh)_mm512_loadu_si512(Bp));
        s[0] = _mm512_add_ps(_mm512_add_ps(s[0], s[2]), _mm512_add_ps(s[4], s[6]));
    }
    _mm512_mask_storeu_ps(c, m0, last ? frost__epi512_apply(s[0], e) : s[0]);
    if (nv == 2) _mm512_mask_storeu_ps(c + 16, m1, last ? frost__epi512_apply(s[1], e) : s[1]);
}

static void bf16_run(int M, int N, int K, const float *A, int lda, const void *packed,
                     const float *bias, float *C, int ldc, const frost__act_params *act, int n0,
                     int n1) {
    if (frost__gemm_run_trivial(M, N, K, bias, C, ldc, act, &n0, &n1)) return;
    const frost__epi512 e = frost__epi512_of(act);
    const int K2 = (int)pairs_of(K);
    const uint32_t *P = packed;
    uint32_t abuf[A_BUF_BYTES / 4] __attribute__((aligned(64)));
    for (int i = 0; i < M; i += MR) {
        const int rows = M - i < MR ? M - i : MR;
        const int chunk = (A_BUF_BYTES / 4) / rows; /* pairs per K chunk for these rows */
        const float *Ai = A + (size_t)i * lda;
        float *Ci = C + (size_t)i * ldc;
        for (int kp0 = 0; kp0 < K2; kp0 += chunk) {
            const int pairs = K2 - kp0 < chunk ? K2 - kp0 : chunk;
            const bool first = kp0 == 0, last = kp0 + pairs == K2;
            convert_a(rows, Ai, (size_t)lda, K, 2 * kp0, pairs, abuf);
            for (int p0 = n0 - n0 % NR; p0 < n1; p0 += NR) {
                const int nv = frost__gemm_panel_width(N, p0, NR) / 16;
                const uint32_t *Bp = P + (size_t)p0 * K2 + (size_t)kp0 * (size_t)(16 * nv);
                const int lo = (n0 > p0 ? n0 : p0) - p0, hi = (n1 < p0 + NR ? n1 : p0 + NR) - p0;
                const __mmask16 m0 = frost__mask16(lo, hi), m1 = frost__mask16(lo - 16, hi - 16);
                const float *bp = bias ? bias + p0 : NULL;
                float *Cp = Ci + p0;
                if (rows == 1)
                    gemv_panel(nv, pairs, abuf, Bp, bp, Cp, m0, m1, &e, first, last);
                else if (nv == 2)
                    tile_w32(rows, pairs, abuf, (size_t)pairs, Bp, bp, Cp, (size_t)ldc, m0, m1, &e,
                             first, last);
                else
                    tile_w16(rows, pairs, abuf, (size_t)pairs, Bp, bp, Cp, (size_t)ldc, m0, m1, &e,
                             first, last);
                if (last && e.kind == FROST__EPI_OTHER)
                    for (int r = 0; r < rows; r++)
                        frost_k_f32_act__ref(Cp + (size_t)r * ldc + lo, (size_t)(hi - lo), act);
            }
        }
    }
}

const frost__gemm_kernel frost__gemm_avx512bf16 = {
    .name = "avx512bf16",
    .packed_bytes = bf16_packed_bytes,
    .pack = bf16_pack,
    .run = bf16_run,
    .n_align = NR,
};
