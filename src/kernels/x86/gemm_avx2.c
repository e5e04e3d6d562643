/* gemm_avx2.c — the AVX2 + FMA packed fp32 GEMM family (frost__gemm_avx2):
 * C[M, n0:n1] = act(A[M,K] · B + bias) with B packed once at load. Same plan as gemm_avx512.c with
 * 16 ymm registers:
 * - panels: B in column panels of 16 (the last one 8 wide when at most 8 columns remain), k-major,
 *   zero padded; a 6 x 16 micro-tile in 12 ymm accumulators, A broadcast from the caller's rows;
 *   bias as the accumulators' start, clamp / leaky activations on registers, vmaskmov stores at
 *   the edges; M == 1 takes a GEMV path with eight independent accumulators.
 * - dot: narrow N (a panel would leave lanes idle) stores B transposed, one zero-padded K-vector
 *   per column; outputs are dot products in groups of up to 12 columns with a transposing
 *   reduction.
 *
 * Must never: allocate, touch C outside rows [0,M) x columns [n0,n1), read A past column K-1 of
 * its rows (masked loads at the tail), or run on a CPU without AVX2+FMA (gemm_select.c checks).
 * Compiled with -mavx2 -mfma: nothing outside this file may call into it unguarded. */
#include "kernels/gemm.h"

#include <immintrin.h>
#include <stdint.h>
#include <string.h>

#define NR 16      /* panel width: two ymm                                  */
#define MR 6       /* rows per micro-tile: 12 accumulators + 2 B + 1 A      */
#define DOT_GROUP 12

/* ---- layout ---------------------------------------------------------------------------------- */

static size_t panel_cols(int N) {
    size_t full = (size_t)(N / NR) * NR;
    int rem = N % NR;
    return full + (rem == 0 ? 0 : rem <= 8 ? 8 : NR);
}

/* Dot layout when a panel would leave enough lanes idle, over a K long enough to pay for the
 * reductions (bench/bench_gemm.c, docs/kernels.md). */
static bool use_dot(int K, int N) {
    return N <= 16 && K >= 64 && (long)K * (long)(panel_cols(N) - (size_t)N) >= 64L * 8;
}

/* Floats between consecutive columns of the dot layout: K rounded up to a vector, plus one cache
 * line when that would be an even number of lines, so the 8-16 column streams read together fall
 * in different L1 sets (K = 1024 put them 4 KB apart, all in one set: 1.6x slower). */
static size_t dot_stride(int K) {
    size_t ks = ((size_t)K + 7) & ~(size_t)7;
    if ((ks / 16) % 2 == 0) ks += 16;
    return ks;
}

/* SIZE_MAX when the size does not fit: the caller's allocation then fails cleanly. */
static size_t avx2_packed_bytes(int K, int N) {
    if (K <= 0 || N <= 0) return 0;
    size_t rows = use_dot(K, N) ? (size_t)N : (size_t)K;
    size_t cols = use_dot(K, N) ? dot_stride(K) : panel_cols(N);
    size_t bytes;
    if (__builtin_mul_overflow(rows, cols, &bytes) ||
        __builtin_mul_overflow(bytes, sizeof(float), &bytes))
        return SIZE_MAX;
    return bytes;
}

static void avx2_pack(int K, int N, const float *B, int ldb, bool trans_b, void *packed) {
    if (K <= 0 || N <= 0) return;
    float *P = packed;
#define BAT(k, n) (trans_b ? B[(size_t)(n) * ldb + (k)] : B[(size_t)(k) * ldb + (n)])
    if (use_dot(K, N)) {
        const size_t ks = dot_stride(K);
        for (int n = 0; n < N; n++)
            for (size_t k = 0; k < ks; k++) P[(size_t)n * ks + k] = (int)k < K ? BAT(k, n) : 0.0f;
        return;
    }
    for (int p0 = 0; p0 < N; p0 += NR) {
        const int w = N - p0 > 8 ? NR : 8;
        float *panel = P + (size_t)p0 * K;
        for (int k = 0; k < K; k++)
            for (int j = 0; j < w; j++)
                panel[(size_t)k * w + j] = p0 + j < N ? BAT(k, p0 + j) : 0.0f;
    }
#undef BAT
}

/* ---- epilogue -------------------------------------------------------------------------------- */

enum { EPI_NONE, EPI_CLAMP, EPI_LEAKY, EPI_OTHER };

typedef struct epilogue {
    int kind;
    __m256 lo, hi, alpha;
} epilogue;

static epilogue make_epilogue(const frost__act_params *act) {
    epilogue e;
    e.kind = EPI_NONE;
    e.lo = _mm256_set1_ps(-__builtin_inff());
    e.hi = _mm256_set1_ps(__builtin_inff());
    e.alpha = _mm256_setzero_ps();
    if (!act) return e;
    switch (act->act) {
    case FROST__ACT_NONE: case FROST__ACT_COUNT: break;
    case FROST__ACT_RELU: e.kind = EPI_CLAMP; e.lo = _mm256_setzero_ps(); break;
    case FROST__ACT_RELU6:
        e.kind = EPI_CLAMP; e.lo = _mm256_setzero_ps(); e.hi = _mm256_set1_ps(6.0f); break;
    case FROST__ACT_CLIP:
        e.kind = EPI_CLAMP; e.lo = _mm256_set1_ps(act->alpha); e.hi = _mm256_set1_ps(act->beta);
        break;
    case FROST__ACT_LEAKY_RELU: e.kind = EPI_LEAKY; e.alpha = _mm256_set1_ps(act->alpha); break;
    default: e.kind = EPI_OTHER; break;
    }
    return e;
}

static inline __attribute__((always_inline)) __m256 epi_apply(__m256 x, const epilogue *e) {
    if (e->kind == EPI_CLAMP) return _mm256_min_ps(_mm256_max_ps(x, e->lo), e->hi);
    if (e->kind == EPI_LEAKY) {
        __m256 neg = _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_LT_OQ);
        return _mm256_blendv_ps(x, _mm256_mul_ps(x, e->alpha), neg);
    }
    return x;
}

/* Lanes [lo, hi) of an 8-lane group as a vmaskmov mask. */
static inline __m256i mask8(int lo, int hi) {
    const __m256i idx = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    const __m256i ge_lo = _mm256_cmpgt_epi32(idx, _mm256_set1_epi32(lo - 1));
    const __m256i lt_hi = _mm256_cmpgt_epi32(_mm256_set1_epi32(hi), idx);
    return _mm256_and_si256(ge_lo, lt_hi);
}

/* ---- micro-kernel ---------------------------------------------------------------------------- */

static inline __attribute__((always_inline)) void
tile(const int rows, const int nv, int K, const float *A, size_t lda, const float *Bp,
     const float *bias, float *C, size_t ldc, __m256i m0, __m256i m1, const epilogue *e,
     const frost__act_params *act, int col_lo, int col_n) {
    __m256 c0[MR], c1[MR];
    const epilogue ep = *e;   /* a local copy: stores to C cannot alias it */
    const __m256 b0init = bias ? _mm256_maskload_ps(bias, m0) : _mm256_setzero_ps();
    const __m256 b1init = (bias && nv == 2) ? _mm256_maskload_ps(bias + 8, m1)
                                            : _mm256_setzero_ps();
#pragma GCC unroll 6
    for (int i = 0; i < rows; i++) {
        c0[i] = b0init;
        if (nv == 2) c1[i] = b1init;
    }
    const int bw = 8 * nv;
    const float *a = A;
    for (int k = 0; k < K; k++, a++, Bp += bw) {
        const __m256 b0 = _mm256_loadu_ps(Bp);
        const __m256 b1 = nv == 2 ? _mm256_loadu_ps(Bp + 8) : b0;
#pragma GCC unroll 6
        for (int i = 0; i < rows; i++) {
            const __m256 av = _mm256_broadcast_ss(a + (size_t)i * lda);
            c0[i] = _mm256_fmadd_ps(av, b0, c0[i]);
            if (nv == 2) c1[i] = _mm256_fmadd_ps(av, b1, c1[i]);
        }
    }
    if (col_lo == 0 && col_n == 8 * nv) {
        /* vmaskmovps stores are slow on AMD cores: full tiles use plain stores. */
#pragma GCC unroll 6
        for (int i = 0; i < rows; i++) {
            float *c = C + (size_t)i * ldc;
            _mm256_storeu_ps(c, epi_apply(c0[i], &ep));
            if (nv == 2) _mm256_storeu_ps(c + 8, epi_apply(c1[i], &ep));
        }
    } else {
#pragma GCC unroll 6
        for (int i = 0; i < rows; i++) {
            float *c = C + (size_t)i * ldc;
            _mm256_maskstore_ps(c, m0, epi_apply(c0[i], &ep));
            if (nv == 2) _mm256_maskstore_ps(c + 8, m1, epi_apply(c1[i], &ep));
        }
    }
    if (ep.kind == EPI_OTHER)
        for (int i = 0; i < rows; i++) frost_k_f32_act__ref(C + (size_t)i * ldc + col_lo, col_n, act);
}

#define TILE_ARGS int K, const float *A, size_t lda, const float *Bp, const float *bias, float *C, \
                  size_t ldc, __m256i m0, __m256i m1, const epilogue *e,                         \
                  const frost__act_params *act, int col_lo, int col_n
#define TILE_PASS K, A, lda, Bp, bias, C, ldc, m0, m1, e, act, col_lo, col_n
#define TILE_CASES(nv)                                   \
    switch (rows) {                                      \
    case 1: tile(1, nv, TILE_PASS); break;               \
    case 2: tile(2, nv, TILE_PASS); break;               \
    case 3: tile(3, nv, TILE_PASS); break;               \
    case 4: tile(4, nv, TILE_PASS); break;               \
    case 5: tile(5, nv, TILE_PASS); break;               \
    default: tile(6, nv, TILE_PASS); break;              \
    }

static __attribute__((noinline)) void tile_w16(int rows, TILE_ARGS) { TILE_CASES(2) }
static __attribute__((noinline)) void tile_w8(int rows, TILE_ARGS) { TILE_CASES(1) }

/* ---- M == 1 over panels ---------------------------------------------------------------------- */

static void gemv_panel(int nv, int K, const float *a, const float *Bp, const float *bias,
                       float *c, __m256i m0, __m256i m1, const epilogue *e,
                       const frost__act_params *act, int col_lo, int col_n) {
    __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0,
           s7 = s0;
    int k = 0;
    if (nv == 2) {
        for (; k + 4 <= K; k += 4, Bp += 4 * NR) {
            const __m256 a0 = _mm256_broadcast_ss(a + k), a1 = _mm256_broadcast_ss(a + k + 1),
                         a2 = _mm256_broadcast_ss(a + k + 2), a3 = _mm256_broadcast_ss(a + k + 3);
            s0 = _mm256_fmadd_ps(a0, _mm256_loadu_ps(Bp), s0);
            s1 = _mm256_fmadd_ps(a0, _mm256_loadu_ps(Bp + 8), s1);
            s2 = _mm256_fmadd_ps(a1, _mm256_loadu_ps(Bp + 16), s2);
            s3 = _mm256_fmadd_ps(a1, _mm256_loadu_ps(Bp + 24), s3);
            s4 = _mm256_fmadd_ps(a2, _mm256_loadu_ps(Bp + 32), s4);
            s5 = _mm256_fmadd_ps(a2, _mm256_loadu_ps(Bp + 40), s5);
            s6 = _mm256_fmadd_ps(a3, _mm256_loadu_ps(Bp + 48), s6);
            s7 = _mm256_fmadd_ps(a3, _mm256_loadu_ps(Bp + 56), s7);
        }
        for (; k < K; k++, Bp += NR) {
            const __m256 a0 = _mm256_broadcast_ss(a + k);
            s0 = _mm256_fmadd_ps(a0, _mm256_loadu_ps(Bp), s0);
            s1 = _mm256_fmadd_ps(a0, _mm256_loadu_ps(Bp + 8), s1);
        }
        s0 = _mm256_add_ps(_mm256_add_ps(s0, s2), _mm256_add_ps(s4, s6));
        s1 = _mm256_add_ps(_mm256_add_ps(s1, s3), _mm256_add_ps(s5, s7));
    } else {
        for (; k + 4 <= K; k += 4, Bp += 32) {
            s0 = _mm256_fmadd_ps(_mm256_broadcast_ss(a + k), _mm256_loadu_ps(Bp), s0);
            s2 = _mm256_fmadd_ps(_mm256_broadcast_ss(a + k + 1), _mm256_loadu_ps(Bp + 8), s2);
            s4 = _mm256_fmadd_ps(_mm256_broadcast_ss(a + k + 2), _mm256_loadu_ps(Bp + 16), s4);
            s6 = _mm256_fmadd_ps(_mm256_broadcast_ss(a + k + 3), _mm256_loadu_ps(Bp + 24), s6);
        }
        for (; k < K; k++, Bp += 8)
            s0 = _mm256_fmadd_ps(_mm256_broadcast_ss(a + k), _mm256_loadu_ps(Bp), s0);
        s0 = _mm256_add_ps(_mm256_add_ps(s0, s2), _mm256_add_ps(s4, s6));
    }
    if (bias) {
        s0 = _mm256_add_ps(s0, _mm256_maskload_ps(bias, m0));
        if (nv == 2) s1 = _mm256_add_ps(s1, _mm256_maskload_ps(bias + 8, m1));
    }
    _mm256_maskstore_ps(c, m0, epi_apply(s0, e));
    if (nv == 2) _mm256_maskstore_ps(c + 8, m1, epi_apply(s1, e));
    if (e->kind == EPI_OTHER) frost_k_f32_act__ref(c + col_lo, col_n, act);
}

static void run_panels(int M, int N, int K, const float *A, size_t lda, const float *P,
                       const float *bias, float *C, size_t ldc, const frost__act_params *act,
                       int n0, int n1) {
    const epilogue e = make_epilogue(act);
    for (int p0 = n0 - n0 % NR; p0 < n1; p0 += NR) {
        const int nv = N - p0 > 8 ? 2 : 1;
        const float *Bp = P + (size_t)p0 * K;
        const int lo = (n0 > p0 ? n0 : p0) - p0, hi = (n1 < p0 + NR ? n1 : p0 + NR) - p0;
        const __m256i m0 = mask8(lo, hi), m1 = mask8(lo - 8, hi - 8);
        const float *bp = bias ? bias + p0 : NULL;
        float *Cp = C + p0;
        for (int i = 0; i < M; i += MR) {
            const int rows = M - i < MR ? M - i : MR;
            if (rows == 1) {
                /* M == 1, or a last row: one row's FMAs would form only nv dependent chains in the
                 * tile; the GEMV keeps 8 in flight. */
                gemv_panel(nv, K, A + (size_t)i * lda, Bp, bp, Cp + (size_t)i * ldc, m0, m1, &e,
                           act, lo, hi - lo);
                continue;
            }
            if (nv == 2)
                tile_w16(rows, K, A + (size_t)i * lda, lda, Bp, bp, Cp + (size_t)i * ldc, ldc, m0,
                         m1, &e, act, lo, hi - lo);
            else
                tile_w8(rows, K, A + (size_t)i * lda, lda, Bp, bp, Cp + (size_t)i * ldc, ldc, m0,
                        m1, &e, act, lo, hi - lo);
        }
    }
}

/* ---- dot layout ------------------------------------------------------------------------------ */

/* Lane j of the result = sum of v[j]'s lanes. */
static inline __m256 reduce8(const __m256 v[8]) {
    __m256 l1[4], l2[2];
    for (int j = 0; j < 4; j++)
        l1[j] = _mm256_add_ps(_mm256_unpacklo_ps(v[2 * j], v[2 * j + 1]),
                              _mm256_unpackhi_ps(v[2 * j], v[2 * j + 1]));
    for (int j = 0; j < 2; j++) {
        __m256d x = _mm256_castps_pd(l1[2 * j]), y = _mm256_castps_pd(l1[2 * j + 1]);
        l2[j] = _mm256_add_ps(_mm256_castpd_ps(_mm256_unpacklo_pd(x, y)),
                              _mm256_castpd_ps(_mm256_unpackhi_pd(x, y)));
    }
    /* l2[j]: columns 4j..4j+3 in each 128-bit half; add the halves. */
    return _mm256_add_ps(_mm256_permute2f128_ps(l2[0], l2[1], 0x20),
                         _mm256_permute2f128_ps(l2[0], l2[1], 0x31));
}

/* Up to 12 columns at once: two FMA pipes with a 4-cycle latency need at least 8 independent
 * chains, so N = 10 as one group of 10 beats 8 + 2 (the group of 2 was latency-bound). Results
 * land in out[0] (columns 0-7) and out[1] (8-11). */
static inline __attribute__((always_inline)) void
dot_row(const int nc, int K, const float *a, const float *Bt, size_t ks, __m256 out[2]) {
    __m256 acc[16];
#pragma GCC unroll 16
    for (int j = 0; j < 16; j++) acc[j] = _mm256_setzero_ps();
    int k = 0;
    for (; k + 8 <= K; k += 8) {
        const __m256 av = _mm256_loadu_ps(a + k);
#pragma GCC unroll 12
        for (int j = 0; j < nc; j++)
            acc[j] = _mm256_fmadd_ps(av, _mm256_loadu_ps(Bt + (size_t)j * ks + k), acc[j]);
    }
    if (k < K) {
        const __m256 av = _mm256_maskload_ps(a + k, mask8(0, K - k));
#pragma GCC unroll 12
        for (int j = 0; j < nc; j++)
            acc[j] = _mm256_fmadd_ps(av, _mm256_loadu_ps(Bt + (size_t)j * ks + k), acc[j]);
    }
    out[0] = reduce8(acc);
    out[1] = nc > 8 ? reduce8(acc + 8) : _mm256_setzero_ps();
}

static __attribute__((noinline)) void dot_row_n(int nc, int K, const float *a, const float *Bt,
                                                size_t ks, __m256 out[2]) {
    switch (nc) {
    case 1: dot_row(1, K, a, Bt, ks, out); break;
    case 2: dot_row(2, K, a, Bt, ks, out); break;
    case 3: dot_row(3, K, a, Bt, ks, out); break;
    case 4: dot_row(4, K, a, Bt, ks, out); break;
    case 5: dot_row(5, K, a, Bt, ks, out); break;
    case 6: dot_row(6, K, a, Bt, ks, out); break;
    case 7: dot_row(7, K, a, Bt, ks, out); break;
    case 8: dot_row(8, K, a, Bt, ks, out); break;
    case 9: dot_row(9, K, a, Bt, ks, out); break;
    case 10: dot_row(10, K, a, Bt, ks, out); break;
    case 11: dot_row(11, K, a, Bt, ks, out); break;
    default: dot_row(12, K, a, Bt, ks, out); break;
    }
}

static void run_dot(int M, int K, const float *A, size_t lda, const float *P, const float *bias,
                    float *C, size_t ldc, const frost__act_params *act, int n0, int n1) {
    const epilogue e = make_epilogue(act);
    const size_t ks = dot_stride(K);
    /* Balanced groups of at most DOT_GROUP columns (16 -> 8 + 8, 13 -> 7 + 6). */
    const int groups = (n1 - n0 + DOT_GROUP - 1) / DOT_GROUP;
    const int per = (n1 - n0 + groups - 1) / groups;
    for (int g = n0; g < n1; g += per) {
        const int nc = n1 - g < per ? n1 - g : per;
        const __m256i m0 = mask8(0, nc), m1 = mask8(-8, nc - 8);
        const __m256 b0 = bias ? _mm256_maskload_ps(bias + g, m0) : _mm256_setzero_ps();
        const __m256 b1 = bias && nc > 8 ? _mm256_maskload_ps(bias + g + 8, m1) : _mm256_setzero_ps();
        const float *Bt = P + (size_t)g * ks;
        for (int i = 0; i < M; i++) {
            float *c = C + (size_t)i * ldc + g;
            __m256 r[2];
            dot_row_n(nc, K, A + (size_t)i * lda, Bt, ks, r);
            _mm256_maskstore_ps(c, m0, epi_apply(_mm256_add_ps(r[0], b0), &e));
            if (nc > 8) _mm256_maskstore_ps(c + 8, m1, epi_apply(_mm256_add_ps(r[1], b1), &e));
            if (e.kind == EPI_OTHER) frost_k_f32_act__ref(c, nc, act);
        }
    }
}

static void avx2_run(int M, int N, int K, const float *A, int lda, const void *packed,
                     const float *bias, float *C, int ldc, const frost__act_params *act, int n0,
                     int n1) {
    if (n0 < 0) n0 = 0;
    if (n1 > N) n1 = N;
    if (M <= 0 || n1 <= n0) return;
    if (K <= 0) {
        for (int i = 0; i < M; i++) {
            float *c = C + (size_t)i * ldc + n0;
            for (int j = 0; j < n1 - n0; j++) c[j] = bias ? bias[n0 + j] : 0.0f;
            if (act) frost_k_f32_act__ref(c, (size_t)(n1 - n0), act);
        }
        return;
    }
    if (use_dot(K, N))
        run_dot(M, K, A, (size_t)lda, packed, bias, C, (size_t)ldc, act, n0, n1);
    else
        run_panels(M, N, K, A, (size_t)lda, packed, bias, C, (size_t)ldc, act, n0, n1);
}

const frost__gemm_kernel frost__gemm_avx2 = {
    .name = "avx2",
    .packed_bytes = avx2_packed_bytes,
    .pack = avx2_pack,
    .run = avx2_run,
    .n_align = NR,
};
