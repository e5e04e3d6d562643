/* gemm_avx512vnni.c — the opt-in int8 packed GEMM (frost__gemm_avx512vnni) for memory-bound layers
 * (a batch-1 Dense: every weight byte is read once per prediction, so a quarter of the bytes is up
 * to 4x less time):
 *   C[i, n] = act(sa[i] * sw[n] * (sum_k qa[i,k] * qw[k,n]) + bias[n])
 * - weights: per output column n, symmetric: sw[n] = max_k |B[k,n]| / 127, qw = round(B / sw) in
 *   [-127, 127], quantized once at load;
 * - activations: per row i and per call, symmetric: sa[i] = max_k |A[i,k]| / 127, qa = round(A / sa)
 *   in [-127, 127] (round to nearest even, the CPU's default);
 * - products summed exactly in int32 by vpdpbusd, which multiplies unsigned by signed bytes: the
 *   kernel feeds qa + 128 and subtracts 128 * colsum(qw[:, n]), precomputed at pack.
 * A zero row or column gets scale 0 (all its products are 0).
 *
 * Layout (a pure function of K and N): K in quads (K4 = ceil(K/4), zero padded); B in column panels
 * of 32 (the last 16 wide when at most 16 columns remain); in a panel, quad q is 32 (or 16) 32-bit
 * lanes, lane j holding qw[4q..4q+3][j] — what vpdpbusd multiplies against a broadcast quad of A.
 * After the panels: sw[Np] floats, then colsum[Np] int32 (Np = padded columns).
 *
 * Rows are processed in groups of up to 4 (quantized into a stack buffer, then every panel swept
 * with each weight vector feeding every row of the group); a single row uses eight independent
 * accumulators instead, so the weight stream, not the vpdpbusd latency, is the limit.
 *
 * Must never: allocate, touch C outside rows [0,M) x columns [n0,n1), read A past row M-1 / column
 * K-1, or run on a CPU without AVX512_VNNI (frost__gemm_pick_int8 checks). Compiled with
 * -mavx512vnni. */
#include "kernels/gemm.h"

#include <immintrin.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "kernels/x86/gemm_avx512_common.h"

#define NR 32
#define A_BUF_BYTES 16384 /* quantized A of up to RB rows, per K chunk (small-stack safe) */
#define RB 4              /* rows sharing each weight load                          */

static size_t quads_of(int K) { return ((size_t)K + 3) / 4; }

static size_t int8_packed_bytes(int K, int N) {
    if (K <= 0 || N <= 0) return 0;
    const size_t Np = frost__gemm_panel_cols(N, NR);
    return frost__gemm_bytes(quads_of(K), Np, 4, Np * 8); /* then scales and column sums */
}

static void int8_pack(int K, int N, const float *B, int ldb, bool trans_b, void *packed) {
    if (K <= 0 || N <= 0) return;
    const size_t K4 = quads_of(K), Np = frost__gemm_panel_cols(N, NR);
    int8_t *P = packed;
    float *scale = (float *)(P + K4 * Np * 4);
    int32_t *colsum = (int32_t *)(scale + Np);
    for (size_t n = 0; n < Np; n++) {
        float mx = 0;
        if (n < (size_t)N)
            for (int k = 0; k < K; k++)
                mx = fmaxf(mx, fabsf(frost__gemm_b_at(B, ldb, trans_b, k, (int)n)));
        scale[n] = mx / 127.0f;
        colsum[n] = 0;
    }
    for (int p0 = 0; p0 < N; p0 += NR) {
        const int w = frost__gemm_panel_width(N, p0, NR);
        int8_t *panel = P + (size_t)p0 * K4 * 4;
        for (size_t q = 0; q < K4; q++)
            for (int j = 0; j < w; j++)
                for (int h = 0; h < 4; h++) {
                    const size_t k = 4 * q + (size_t)h, n = (size_t)(p0 + j);
                    int v = 0;
                    if (n < (size_t)N && k < (size_t)K && scale[n] > 0) {
                        v = (int)nearbyintf(frost__gemm_b_at(B, ldb, trans_b, (int)k, (int)n) /
                                            scale[n]);
                        v = v > 127 ? 127 : v < -127 ? -127 : v;
                    }
                    panel[(q * (size_t)w + (size_t)j) * 4 + (size_t)h] = (int8_t)v;
                    colsum[n] += v;
                }
    }
}

/* max |a[k]| over the row, vectorised. */
static float row_absmax(const float *a, int K) {
    __m512 m = _mm512_setzero_ps();
    for (int k = 0; k < K; k += 16)
        m = _mm512_max_ps(m, _mm512_abs_ps(_mm512_maskz_loadu_ps(frost__mask16(0, K - k), a + k)));
    return _mm512_reduce_max_ps(m);
}

/* qa + 128 as bytes for a[k0, k0 + 4 * quads) (zero-padded past K: their weights are 0 anyway). */
static void quantize_row(const float *a, int K, int k0, int quads, float inv, uint8_t *dst) {
    const __m512 vinv = _mm512_set1_ps(inv);
    const __m512i off = _mm512_set1_epi32(128), lo = _mm512_set1_epi32(-127),
                  hi = _mm512_set1_epi32(127);
    const int kend = k0 + 4 * quads;
    for (int k = k0; k < kend; k += 16) {
        const int left = (K - k) < 16 ? (K - k) : 16;
        const __m512 v = _mm512_maskz_loadu_ps(frost__mask16(0, left), a + k);
        __m512i q = _mm512_cvtps_epi32(_mm512_mul_ps(v, vinv));
        q = _mm512_add_epi32(_mm512_min_epi32(_mm512_max_epi32(q, lo), hi), off);
        const int n = kend - k < 16 ? kend - k : 16;
        _mm_mask_storeu_epi8(dst + (k - k0), frost__mask16(0, n), _mm512_cvtepi32_epi8(q));
    }
}

static void gemv_panel(int nv, int quads, const uint8_t *a, const int32_t *Bp, __m512i acc[2]) {
    __m512i s[8];
    for (int j = 0; j < 8; j++) s[j] = _mm512_setzero_si512();
    s[0] = acc[0];
    s[1] = acc[1];
    const int bw = 16 * nv;
    int q = 0;
    for (; q + 4 <= quads; q += 4, Bp += 4 * bw) {
#pragma GCC unroll 4
        for (int u = 0; u < 4; u++) {
            int32_t quad;
            memcpy(&quad, a + 4 * (q + u), 4);
            const __m512i av = _mm512_set1_epi32(quad);
            s[2 * u] = _mm512_dpbusd_epi32(s[2 * u], av, _mm512_loadu_si512(Bp + bw * u));
            if (nv == 2)
                s[2 * u + 1] = _mm512_dpbusd_epi32(s[2 * u + 1], av, _mm512_loadu_si512(Bp + bw * u + 16));
        }
    }
    for (; q < quads; q++, Bp += bw) {
        int32_t quad;
        memcpy(&quad, a + 4 * q, 4);
        const __m512i av = _mm512_set1_epi32(quad);
        s[0] = _mm512_dpbusd_epi32(s[0], av, _mm512_loadu_si512(Bp));
        if (nv == 2) s[1] = _mm512_dpbusd_epi32(s[1], av, _mm512_loadu_si512(Bp + 16));
    }
    acc[0] = _mm512_add_epi32(_mm512_add_epi32(s[0], s[2]), _mm512_add_epi32(s[4], s[6]));
    acc[1] = _mm512_add_epi32(_mm512_add_epi32(s[1], s[3]), _mm512_add_epi32(s[5], s[7]));
}

/* Several rows against one panel: each weight vector loaded once feeds every row (a batch reads
 * the weights once per RB rows, not once per row); rows x nv independent accumulators. */
static inline __attribute__((always_inline)) void
rows_panel(const int rows, int nv, int quads, const uint8_t *a, size_t astride, const int32_t *Bp,
           __m512i acc[RB][2]) {
    const int bw = 16 * nv;
    for (int q = 0; q < quads; q++, Bp += bw) {
        const __m512i b0 = _mm512_loadu_si512(Bp);
        const __m512i b1 = nv == 2 ? _mm512_loadu_si512(Bp + 16) : b0;
#pragma GCC unroll 4
        for (int r = 0; r < rows; r++) {
            int32_t quad;
            memcpy(&quad, a + (size_t)r * astride + 4 * (size_t)q, 4);
            const __m512i av = _mm512_set1_epi32(quad);
            acc[r][0] = _mm512_dpbusd_epi32(acc[r][0], av, b0);
            if (nv == 2) acc[r][1] = _mm512_dpbusd_epi32(acc[r][1], av, b1);
        }
    }
}

static void int8_run(int M, int N, int K, const float *A, int lda, const void *packed,
                     const float *bias, float *C, int ldc, const frost__act_params *act, int n0,
                     int n1) {
    if (frost__gemm_run_trivial(M, N, K, bias, C, ldc, act, &n0, &n1)) return;
    const frost__epi512 e = frost__epi512_of(act);
    const int K4 = (int)quads_of(K);
    const size_t Np = frost__gemm_panel_cols(N, NR);
    const int32_t *P = packed;
    const float *scale = (const float *)(P + (size_t)K4 * Np);
    const int32_t *colsum = (const int32_t *)(scale + Np);
    uint8_t abuf[A_BUF_BYTES] __attribute__((aligned(64)));
    for (int i = 0; i < M; i += RB) {
        const int rows = M - i < RB ? M - i : RB;
        const int chunk = A_BUF_BYTES / 4 / rows; /* quads per K chunk, per row */
        float sa[RB], inv[RB];
        for (int r = 0; r < rows; r++) {
            const float amax = row_absmax(A + (size_t)(i + r) * lda, K);
            sa[r] = amax / 127.0f;
            inv[r] = amax > 0 ? 127.0f / amax : 0.0f;
        }
        for (int p0 = n0 - n0 % NR; p0 < n1; p0 += NR) {
            const int nv = frost__gemm_panel_width(N, p0, NR) / 16;
            const int lo = (n0 > p0 ? n0 : p0) - p0, hi = (n1 < p0 + NR ? n1 : p0 + NR) - p0;
            __m512i acc[RB][2];
            for (int r = 0; r < RB; r++) acc[r][0] = acc[r][1] = _mm512_setzero_si512();
            for (int q0 = 0; q0 < K4; q0 += chunk) {
                const int quads = K4 - q0 < chunk ? K4 - q0 : chunk;
                /* Quantized once per chunk and panel sweep: for a single chunk (K <= 16,384 /
                 * rows) the rows are converted once, before the first panel. */
                if (p0 == n0 - n0 % NR || K4 > chunk)
                    for (int r = 0; r < rows; r++)
                        quantize_row(A + (size_t)(i + r) * lda, K, 4 * q0, quads, inv[r],
                                     abuf + (size_t)r * (size_t)chunk * 4);
                const int32_t *Bp = P + (size_t)p0 * K4 + (size_t)q0 * 16 * nv;
                switch (rows) {
                case 1: gemv_panel(nv, quads, abuf, Bp, acc[0]); break;
                case 2: rows_panel(2, nv, quads, abuf, (size_t)chunk * 4, Bp, acc); break;
                case 3: rows_panel(3, nv, quads, abuf, (size_t)chunk * 4, Bp, acc); break;
                default: rows_panel(RB, nv, quads, abuf, (size_t)chunk * 4, Bp, acc); break;
                }
            }
            for (int r = 0; r < rows; r++) {
                float *c = C + (size_t)(i + r) * ldc;
                for (int v = 0; v < nv; v++) {
                    const int col = p0 + 16 * v;
                    const __mmask16 m = frost__mask16(lo - 16 * v, hi - 16 * v);
                    if (!m) continue;
                    const __m512i cs = _mm512_loadu_si512(colsum + col);
                    const __m512i exact = _mm512_sub_epi32(acc[r][v], _mm512_slli_epi32(cs, 7));
                    __m512 x = _mm512_mul_ps(_mm512_cvtepi32_ps(exact),
                                             _mm512_mul_ps(_mm512_set1_ps(sa[r]),
                                                           _mm512_loadu_ps(scale + col)));
                    if (bias) x = _mm512_add_ps(x, _mm512_maskz_loadu_ps(m, bias + col));
                    x = frost__epi512_apply(x, &e);
                    _mm512_mask_storeu_ps(c + col, m, x);
                }
                if (e.kind == FROST__EPI_OTHER)
                    frost_k_f32_act__ref(c + p0 + lo, (size_t)(hi - lo), act);
            }
        }
    }
}

const frost__gemm_kernel frost__gemm_avx512vnni = {
    .name = "avx512vnni",
    .packed_bytes = int8_packed_bytes,
    .pack = int8_pack,
    .run = int8_run,
    .n_align = NR,
};
