/* gemm_avx512.c — the AVX-512 packed fp32 GEMM family (frost__gemm_avx512):
 * C[M, n0:n1] = act(A[M,K] · B + bias) with B packed once at load.
 *
 * Three packed layouts, chosen from (K, N) alone so pack and run always agree:
 * - panels (the general case): B cut into column panels of 32 (the last one 16 wide when at most
 *   16 columns remain), each panel stored k-major, zero padded past N, so the micro-kernel reads one
 *   contiguous stream of 64- or 128-byte rows. The micro-kernel keeps a 10 x 32 block of C in 20 zmm
 *   registers and broadcasts A straight from the caller's rows (no A packing, no workspace); bias
 *   and the cheap activations are applied on the registers, and edge tiles use store masks rather
 *   than scalar loops. M == 1 (batch-1 dense layers) takes a GEMV path with eight independent
 *   accumulators so the weight stream, not the FMA latency, is the limit. These loops, and the
 *   dot layout's, are gemm_f32_loops.inc's, compiled here with 16-lane vectors (gemm_avx2.c: 8).
 * - wide (frost__gemm_avx512_sparse only: dense layers fed by a ReLU, at least 256 columns and
 *   512 rows, e.g. the expert's 3136->1024): blocks of 256 columns stored row by row (one 1 KB
 *   row per k). A batch-1 call reads only the rows its nonzero inputs multiply: after a ReLU a
 *   fifth to a third of a dense layer's inputs are exactly 0, and skipping whole 1 KB rows is what
 *   cuts the bytes read (skipping 128-byte rows of the panels saved nothing: the hardware
 *   prefetchers fetch them anyway). Batches read a second copy, in the panel layout: the micro-
 *   kernel on 32-column strips of 1 KB rows was 15-25% slower (docs/kernels.md).
 * - k-pairs (17-24 and 33-40 columns, e.g. BlazeFace's 24- and 36-channel 1x1 convs): panels of
 *   32 would leave a quarter of their lanes idle (24 of 32, 36 of 48). Instead each zmm covers 8
 *   columns for two consecutive k: lane 2m holds column m's sum over even k, lane 2m+1 over odd k.
 *   B is stored per pair of k as 3 (or 5) such vectors, and one 64-bit broadcast of A's two
 *   adjacent values (a[k], a[k+1]) feeds all of a row's vectors: every lane does useful work, and
 *   a row's A costs one load per two k. The two halves are added once per tile, in the epilogue.
 * - dot (narrow outputs, e.g. Dense ...->10): N < 16 columns in a panel would leave lanes idle, so B
 *   is stored transposed (one K-vector per output column, padded to 16) and each output is a dot
 *   product: all lanes busy, one FMA per 16 multiply-adds, and a transposing reduction tree.
 *
 * Must never: allocate, touch C outside rows [0,M) x columns [n0,n1), read A past row M-1 / column
 * K-1 (tails use masked loads), or be called on a CPU without AVX-512 F/BW/DQ/VL (gemm_select.c
 * checks). Compiled with -mavx512*: nothing outside this file may call into it unguarded. */
#include "kernels/gemm.h"

#include <immintrin.h>
#include <stdint.h>
#include <string.h>

#include "kernels/x86/gemm_avx512_common.h"

#define VL 16      /* lanes per zmm                                                  */
#define NR 32      /* panel width: two zmm                                           */
#define MR 10      /* rows per micro-tile: 20 accumulators + 2 B registers; 14 (28 acc) was
                    * 5% slower on conv1 (K = 25): its 14 row pointers spill */
#define DOT_MAX_N 16
#define DOT_GROUP (DOT_MAX_N - 1) /* the dot layout's N, all in one group */
#define WB 256          /* wide layout: columns per block (16 zmm accumulators in the GEMV)      */
#define WS WB           /* wide layout: floats between rows of a block (a pad of one line changed
                         * nothing measurable)                                                  */
#define WIDE_MAX_K 8192 /* the batch-1 path keeps K uint16 indices on the stack (16 KB)          */
#define WIDE_PREFETCH 4 /* rows ahead the batch-1 path prefetches (the skips defeat the hardware's) */

/* ---- layout ---------------------------------------------------------------------------------- */

/* Dot layout when a panel would waste lanes and K is long enough to pay for the reductions
 * (measured in bench/bench_gemm.c, see docs/kernels.md). */
static bool use_dot(int K, int N) {
    return N < DOT_MAX_N && K >= 64 && (long)K * (DOT_MAX_N - N) >= 64L * DOT_MAX_N;
}

/* k-pair layout: 3 or 5 vectors of 8 columns (17-24 or 33-40 columns), 48 or 80 floats per pair
 * of k. 0: not this layout. */
static int kpair_vecs(int N) { return N > 16 && N <= 24 ? 3 : N > 32 && N <= 40 ? 5 : 0; }

/* Wide layout (plus the panels), in the zero-skipping variant only, up to 64 MB: the second copy
 * costs memory, never cache, as each call reads one of them (switching copies per call by the
 * input's zero count was slower than either: both copies then compete for L3). Measured with 30%
 * zero inputs, batch 1: 512x256 5.3 -> 3.6 us, 1024x512 21.7 -> 18.2 us, 3136x1024 (the expert,
 * frost bench p50) 250-277 -> 208-229 us; with no zeros the wide path is 4-18% slower, hence a
 * variant chosen only for inputs that come out of a ReLU. */
static bool use_wide(bool sparse, int K, int N) {
    const size_t weights = (size_t)K * (size_t)N * sizeof(float);
    return sparse && N >= WB && K >= 512 && K <= WIDE_MAX_K && weights <= ((size_t)64 << 20);
}

static size_t wide_blocks(int N) { return ((size_t)N + WB - 1) / WB; }

/* Floats of the wide copy and its flag line; the panels follow. */
static size_t wide_floats(int K, int N) { return wide_blocks(N) * (size_t)K * WS + 16; }

/* SIZE_MAX when the size does not fit: the caller's allocation then fails cleanly. */
static size_t packed_bytes_for(bool sparse, int K, int N) {
    if (K <= 0 || N <= 0) return 0;
    /* wide: its blocks, a cache line holding the "all weights finite" flag, then the panels
     * (<= 64 MB) */
    const size_t wide = use_wide(sparse, K, N) ? wide_floats(K, N) * sizeof(float) : 0;
    if (use_dot(K, N)) return frost__gemm_bytes((size_t)N, frost__gemm_dot_stride(K, VL), 4, wide);
    if (kpair_vecs(N))
        return frost__gemm_bytes((size_t)(K + 1) / 2, (size_t)kpair_vecs(N) * VL, 4, wide);
    return frost__gemm_bytes((size_t)K, frost__gemm_panel_cols(N, NR), 4, wide);
}

/* Pair j of k, vector v, lane 2m + h: B[2j + h][8v + m], zero past K and N. */
static void pack_kpair(int K, int N, const float *B, int ldb, bool trans_b, float *P) {
    const int nv = kpair_vecs(N);
    for (int j = 0; j < (K + 1) / 2; j++)
        for (int v = 0; v < nv; v++)
            for (int l = 0; l < VL; l++) {
                const int k = 2 * j + l % 2, n = 8 * v + l / 2;
                *P++ = k < K && n < N ? frost__gemm_b_at(B, ldb, trans_b, k, n) : 0.0f;
            }
}

static void pack_for(bool sparse, int K, int N, const float *B, int ldb, bool trans_b,
                     void *packed) {
    if (K <= 0 || N <= 0) return;
    float *P = packed;
    if (use_wide(sparse, K, N)) {
        int finite = 1;
        for (size_t b = 0; b < wide_blocks(N); b++)
            for (int k = 0; k < K; k++) {
                float *row = P + (b * (size_t)K + (size_t)k) * WS;
                for (int j = 0; j < WS; j++) {
                    const int n = (int)b * WB + j;
                    row[j] = j < WB && n < N ? frost__gemm_b_at(B, ldb, trans_b, k, n) : 0.0f;
                    if (!__builtin_isfinite(row[j])) finite = 0;
                }
            }
        unsigned char *flag = (unsigned char *)(P + wide_blocks(N) * (size_t)K * WS);
        memset(flag, 0, 64);
        flag[0] = (unsigned char)finite;
        P += wide_floats(K, N); /* and the panels, for batches */
    }
    if (use_dot(K, N))
        frost__gemm_pack_dot_f32(K, N, B, ldb, trans_b, frost__gemm_dot_stride(K, VL), P);
    else if (kpair_vecs(N))
        pack_kpair(K, N, B, ldb, trans_b, P);
    else
        frost__gemm_pack_panels_f32(K, N, B, ldb, trans_b, NR, P);
}

/* ---- vectors of 16 lanes, for gemm_f32_loops.inc --------------------------------------------- */

typedef __m512 vec;
typedef __mmask16 vmask;
typedef frost__epi512 epi_regs;

static inline epi_regs epi_regs_of(const frost__act_params *act) { return frost__epi512_of(act); }
static inline __attribute__((always_inline)) __m512 epi_apply(__m512 x, const epi_regs *e) {
    return frost__epi512_apply(x, e);
}
static inline __mmask16 v_lanes(int lo, int hi) { return frost__mask16(lo, hi); }
static inline __m512 v_zero(void) { return _mm512_setzero_ps(); }
static inline __m512 v_load(const float *p) { return _mm512_loadu_ps(p); }
static inline __m512 v_load_lanes(const float *p, __mmask16 m) {
    return _mm512_maskz_loadu_ps(m, p);
}
static inline __m512 v_bcast(const float *p) { return _mm512_set1_ps(*p); }
static inline __m512 v_fma(__m512 a, __m512 b, __m512 c) { return _mm512_fmadd_ps(a, b, c); }
static inline __m512 v_add(__m512 a, __m512 b) { return _mm512_add_ps(a, b); }
static inline void v_store(float *p, __m512 v) { _mm512_storeu_ps(p, v); }
static inline void v_store_lanes(float *p, __mmask16 m, __m512 v) {
    _mm512_mask_storeu_ps(p, m, v);
}

/* AVX-512 masked stores cost what plain ones do. */
#define STORE_FULL_TILES_UNMASKED 0

/* Sums each of v[0..15] across its lanes: result lane j = sum(v[j]). Four levels of pairing
 * (unpack ps, unpack pd, 128-bit shuffles twice) instead of 16 separate reductions. */
static inline __m512 reduce16(const __m512 v[16]) {
    __m512 l1[8], l2[4], l3[2];
    for (int j = 0; j < 8; j++)
        l1[j] = _mm512_add_ps(_mm512_unpacklo_ps(v[2 * j], v[2 * j + 1]),
                              _mm512_unpackhi_ps(v[2 * j], v[2 * j + 1]));
    /* l1[j] per 128-bit lane: [a0 b0 a1 b1] with a = column 2j, b = 2j+1. */
    for (int j = 0; j < 4; j++) {
        __m512d x = _mm512_castps_pd(l1[2 * j]), y = _mm512_castps_pd(l1[2 * j + 1]);
        l2[j] = _mm512_add_ps(_mm512_castpd_ps(_mm512_unpacklo_pd(x, y)),
                              _mm512_castpd_ps(_mm512_unpackhi_pd(x, y)));
    }
    /* l2[j] per lane: columns 4j..4j+3 (partial sums, one per 128-bit lane). */
    for (int j = 0; j < 2; j++)
        l3[j] = _mm512_add_ps(_mm512_shuffle_f32x4(l2[2 * j], l2[2 * j + 1], 0x88),
                              _mm512_shuffle_f32x4(l2[2 * j], l2[2 * j + 1], 0xdd));
    /* l3[j] lanes: [p01, p23, q01, q23] for p = l2[2j], q = l2[2j+1]. */
    return _mm512_add_ps(_mm512_shuffle_f32x4(l3[0], l3[1], 0x88),
                         _mm512_shuffle_f32x4(l3[0], l3[1], 0xdd));
}

typedef struct dot_sums {
    __m512 v[1];
} dot_sums;

static inline dot_sums dot_reduce(const int nc, const __m512 acc[16]) {
    (void)nc;
    dot_sums r = {{reduce16(acc)}};
    return r;
}

#include "kernels/x86/gemm_f32_loops.inc"

/* ---- k-pair layout ---------------------------------------------------------------------------- */

#define KPAIR_MAX_ACC 24 /* accumulators per tile: 8 rows x 3 vectors or 4 rows x 5 (+ 3 B, A, 2 idx) */

/* rows x (8 * NV) block of C. rows and NV are constants after inlining. init[v]: the bias in the
 * even lanes (zero in the odd ones, so it counts once). */
static inline __attribute__((always_inline)) void
kpair_tile(const int rows, const int NV, int K, const float *A, size_t lda, const float *P,
           const __m512 *init, float *C, size_t ldc, const __mmask16 *store_m, const epi_regs *e) {
    __m512 acc[KPAIR_MAX_ACC];
#pragma GCC unroll 24
    for (int i = 0; i < rows * NV; i++) acc[i] = init[i % NV];
    int k = 0;
    for (; k + 2 <= K; k += 2, P += NV * VL) {
        __m512 b[5];
#pragma GCC unroll 5
        for (int v = 0; v < NV; v++) b[v] = _mm512_loadu_ps(P + v * VL);
#pragma GCC unroll 8
        for (int r = 0; r < rows; r++) {
            double two; /* a[k], a[k + 1] as one 64-bit value: lanes alternate them */
            memcpy(&two, A + (size_t)r * lda + k, sizeof two);
            const __m512 x = _mm512_castpd_ps(_mm512_set1_pd(two));
#pragma GCC unroll 5
            for (int v = 0; v < NV; v++) acc[r * NV + v] = _mm512_fmadd_ps(x, b[v], acc[r * NV + v]);
        }
    }
    if (k < K) { /* odd K: the last k alone; its pair's odd lanes of B are zero */
#pragma GCC unroll 8
        for (int r = 0; r < rows; r++) {
            const __m512 x = _mm512_set1_ps(A[(size_t)r * lda + k]);
#pragma GCC unroll 5
            for (int v = 0; v < NV; v++)
                acc[r * NV + v] = _mm512_fmadd_ps(x, _mm512_loadu_ps(P + v * VL), acc[r * NV + v]);
        }
    }
    const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    const __m512i odd = _mm512_add_epi32(even, _mm512_set1_epi32(1));
#pragma GCC unroll 8
    for (int r = 0; r < rows; r++) {
        float *c = C + (size_t)r * ldc;
        /* Columns 16u..16u+15 from vectors 2u and 2u+1: even lanes plus odd lanes. */
#pragma GCC unroll 3
        for (int u = 0; 2 * u < NV; u++) {
            const __m512 lo = acc[r * NV + 2 * u];
            const __m512 hi = 2 * u + 1 < NV ? acc[r * NV + 2 * u + 1] : lo;
            const __m512 sum = _mm512_add_ps(_mm512_permutex2var_ps(lo, even, hi),
                                             _mm512_permutex2var_ps(lo, odd, hi));
            _mm512_mask_storeu_ps(c + 16 * u, store_m[u], epi_apply(sum, e));
        }
    }
}

#define KPAIR_ARGS int K, const float *A, size_t lda, const float *P, const __m512 *init, float *C, \
                   size_t ldc, const __mmask16 *store_m, const epi_regs *e
#define KPAIR_PASS K, A, lda, P, init, C, ldc, store_m, e
#define KPAIR_CASE(r, nv) case r: kpair_tile(r, nv, KPAIR_PASS); return;
static __attribute__((noinline)) void kpair_tile_3(int rows, KPAIR_ARGS) {
    switch (rows) {
    KPAIR_CASE(1, 3) KPAIR_CASE(2, 3) KPAIR_CASE(3, 3) KPAIR_CASE(4, 3) KPAIR_CASE(5, 3)
    KPAIR_CASE(6, 3) KPAIR_CASE(7, 3) default: KPAIR_CASE(8, 3)
    }
}
static __attribute__((noinline)) void kpair_tile_5(int rows, KPAIR_ARGS) {
    switch (rows) {
    KPAIR_CASE(1, 5) KPAIR_CASE(2, 5) KPAIR_CASE(3, 5) default: KPAIR_CASE(4, 5)
    }
}
#undef KPAIR_CASE
#undef KPAIR_ARGS
#undef KPAIR_PASS

static void run_kpair(int M, int N, int K, const float *A, size_t lda, const float *P,
                      const float *bias, float *C, size_t ldc, const frost__act_params *act, int n0,
                      int n1) {
    const int nv = kpair_vecs(N), tile_rows = KPAIR_MAX_ACC / nv;
    const epi_regs e = epi_regs_of(act);
    const __mmask16 store_m[3] = {v_lanes(n0, n1), v_lanes(n0 - 16, n1 - 16),
                                  v_lanes(n0 - 32, n1 - 32)};
    __m512 init[5];
    for (int v = 0; v < nv; v++) {
        /* Only the requested columns are read: a bias may be exactly n1 floats long. */
        float b[VL];
        for (int l = 0; l < VL; l++) {
            const int n = 8 * v + l / 2;
            b[l] = bias && l % 2 == 0 && n >= n0 && n < n1 ? bias[n] : 0.0f;
        }
        init[v] = _mm512_loadu_ps(b);
    }
    for (int i = 0; i < M; i += tile_rows) {
        const int rows = M - i < tile_rows ? M - i : tile_rows;
        float *Ci = C + (size_t)i * ldc;
        if (nv == 3)
            kpair_tile_3(rows, K, A + (size_t)i * lda, lda, P, init, Ci, ldc, store_m, &e);
        else
            kpair_tile_5(rows, K, A + (size_t)i * lda, lda, P, init, Ci, ldc, store_m, &e);
        if (e.kind == FROST__EPI_OTHER)
            for (int r = 0; r < rows; r++)
                frost_k_f32_act__ref(Ci + (size_t)r * ldc + n0, (size_t)(n1 - n0), act);
    }
}

/* ---- wide layout ----------------------------------------------------------------------------- */

/* The indices k with a[k] != 0 (NaN counts as nonzero), then WIDE_PREFETCH copies of the last one
 * so the prefetch ahead never reads past the list. idx holds K + 16 + WIDE_PREFETCH entries. */
static int nonzero_indices(int K, const float *a, uint16_t *idx) {
    const __m512i lane = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    int n = 0;
    for (int k = 0; k < K; k += 16) {
        const __mmask16 in = v_lanes(0, K - k);
        const __mmask16 nz = _mm512_mask_cmp_ps_mask(in, _mm512_maskz_loadu_ps(in, a + k),
                                                     _mm512_setzero_ps(), _CMP_NEQ_UQ);
        const __m512i ks = _mm512_add_epi32(_mm512_set1_epi32(k), lane);
        /* All 16 slots are stored; the ones past the count are overwritten next. */
        _mm256_storeu_si256((__m256i *)(idx + n),
                            _mm512_cvtepi32_epi16(_mm512_maskz_compress_epi32(nz, ks)));
        n += __builtin_popcount(nz);
    }
    const uint16_t last = n > 0 ? idx[n - 1] : 0;
    for (int j = 0; j < WIDE_PREFETCH; j++) idx[n + j] = last;
    return n;
}

/* One row of C over vectors [v0, v0 + nv) of a block: c = act(bias + sum over the listed k of
 * a[k] * row k). nv is a compile-time constant after inlining: 16 accumulators at most. */
static inline __attribute__((always_inline)) void
wide_gemv(const int nv, int nnz, const uint16_t *idx, const float *a, const float *Bb,
          const float *bias, float *c, int lo, int hi, const epi_regs *e) {
    __m512 s[16];
#pragma GCC unroll 16
    for (int v = 0; v < nv; v++) {
        const __mmask16 m = v_lanes(lo - 16 * v, hi - 16 * v);
        s[v] = bias ? _mm512_maskz_loadu_ps(m, bias + 16 * v) : _mm512_setzero_ps();
    }
    for (int j = 0; j < nnz; j++) {
        const int k = idx[j];
        const char *ahead = (const char *)(Bb + (size_t)idx[j + WIDE_PREFETCH] * WS);
#pragma GCC unroll 16
        for (int v = 0; v < nv; v++) _mm_prefetch(ahead + 64 * v, _MM_HINT_T0);
        const float *row = Bb + (size_t)k * WS;
        const __m512 av = _mm512_set1_ps(a[k]);
#pragma GCC unroll 16
        for (int v = 0; v < nv; v++) s[v] = _mm512_fmadd_ps(av, _mm512_loadu_ps(row + 16 * v), s[v]);
    }
#pragma GCC unroll 16
    for (int v = 0; v < nv; v++)
        _mm512_mask_storeu_ps(c + 16 * v, v_lanes(lo - 16 * v, hi - 16 * v), epi_apply(s[v], e));
}

#define WIDE_GEMV_ARGS int nnz, const uint16_t *idx, const float *a, const float *Bb, \
                       const float *bias, float *c, int lo, int hi, const epi_regs *e
static __attribute__((noinline)) void wide_gemv_n(int nv, WIDE_GEMV_ARGS) {
#define CASE(n) case n: wide_gemv(n, nnz, idx, a, Bb, bias, c, lo, hi, e); break;
    switch (nv) {
    CASE(1) CASE(2) CASE(3) CASE(4) CASE(5) CASE(6) CASE(7) CASE(8)
    CASE(9) CASE(10) CASE(11) CASE(12) CASE(13) CASE(14) CASE(15) default: CASE(16)
    }
#undef CASE
}

/* Batch 1 reads the wide copy, skipping the rows of zero inputs; batches run the panels' micro-
 * kernel on the copy after it. */
static void run_wide(int M, int N, int K, const float *A, size_t lda, const float *P,
                     const float *bias, float *C, size_t ldc, const frost__act_params *act, int n0,
                     int n1) {
    if (M > 1) {
        run_panels(M, N, K, A, lda, P + wide_floats(K, N), bias, C, ldc, act, n0, n1);
        return;
    }
    const epi_regs e = epi_regs_of(act);
    const size_t block_floats = (size_t)K * WS;
    const bool finite = ((const unsigned char *)(P + wide_blocks(N) * block_floats))[0] != 0;
    uint16_t idx[WIDE_MAX_K + 16 + WIDE_PREFETCH];
    int nnz = K;
    if (finite) {
        nnz = nonzero_indices(K, A, idx);
    } else { /* 0 * inf is NaN: every row counts */
        for (int k = 0; k < K; k++) idx[k] = (uint16_t)k;
        for (int j = 0; j < WIDE_PREFETCH; j++) idx[K + j] = (uint16_t)(K - 1);
    }
    for (int b0 = n0 - n0 % WB; b0 < n1; b0 += WB) {
        const int lo = (n0 > b0 ? n0 : b0) - b0, hi = (n1 < b0 + WB ? n1 : b0 + WB) - b0;
        const int v0 = lo / 16, v1 = (hi + 15) / 16;
        const float *Bb = P + (size_t)(b0 / WB) * block_floats + 16 * v0;
        wide_gemv_n(v1 - v0, nnz, idx, A, Bb, bias ? bias + b0 + 16 * v0 : NULL, C + b0 + 16 * v0,
                    lo - 16 * v0, hi - 16 * v0, &e);
        if (e.kind == FROST__EPI_OTHER) frost_k_f32_act__ref(C + b0 + lo, (size_t)(hi - lo), act);
    }
}

static void run_for(bool sparse, int M, int N, int K, const float *A, int lda, const void *packed,
                    const float *bias, float *C, int ldc, const frost__act_params *act, int n0,
                    int n1) {
    if (frost__gemm_run_trivial(M, N, K, bias, C, ldc, act, &n0, &n1)) return;
    if (use_wide(sparse, K, N))
        run_wide(M, N, K, A, (size_t)lda, packed, bias, C, (size_t)ldc, act, n0, n1);
    else if (use_dot(K, N))
        run_dot(M, K, A, (size_t)lda, packed, bias, C, (size_t)ldc, act, n0, n1);
    else if (kpair_vecs(N))
        run_kpair(M, N, K, A, (size_t)lda, packed, bias, C, (size_t)ldc, act, n0, n1);
    else
        run_panels(M, N, K, A, (size_t)lda, packed, bias, C, (size_t)ldc, act, n0, n1);
}

/* Only the wide layout narrows what a run reads (see frost__gemm_kernel.reads). */
static void sparse_reads(int M, int K, int N, size_t *offset, size_t *bytes) {
    if (!use_wide(true, K, N)) return;
    const size_t wide = wide_floats(K, N) * sizeof(float);
    if (M == 1) {
        *offset = 0;
        *bytes = wide;
    } else {
        *offset = wide;
        *bytes = packed_bytes_for(true, K, N) - wide;
    }
}

static size_t avx512_packed_bytes(int K, int N) { return packed_bytes_for(false, K, N); }
static void avx512_pack(int K, int N, const float *B, int ldb, bool trans_b, void *packed) {
    pack_for(false, K, N, B, ldb, trans_b, packed);
}
static void avx512_run(int M, int N, int K, const float *A, int lda, const void *packed,
                       const float *bias, float *C, int ldc, const frost__act_params *act, int n0,
                       int n1) {
    run_for(false, M, N, K, A, lda, packed, bias, C, ldc, act, n0, n1);
}

static size_t sparse_packed_bytes(int K, int N) { return packed_bytes_for(true, K, N); }
static void sparse_pack(int K, int N, const float *B, int ldb, bool trans_b, void *packed) {
    pack_for(true, K, N, B, ldb, trans_b, packed);
}
static void sparse_run(int M, int N, int K, const float *A, int lda, const void *packed,
                       const float *bias, float *C, int ldc, const frost__act_params *act, int n0,
                       int n1) {
    run_for(true, M, N, K, A, lda, packed, bias, C, ldc, act, n0, n1);
}

const frost__gemm_kernel frost__gemm_avx512 = {
    .name = "avx512",
    .packed_bytes = avx512_packed_bytes,
    .pack = avx512_pack,
    .run = avx512_run,
    .n_align = NR,
};

/* The same family for weights whose inputs are mostly exact zeros (after a ReLU): big layers get
 * the wide layout, whose batch-1 path skips the rows of zero inputs. */
const frost__gemm_kernel frost__gemm_avx512_sparse = {
    .name = "avx512-sparse",
    .packed_bytes = sparse_packed_bytes,
    .pack = sparse_pack,
    .run = sparse_run,
    .n_align = NR,
    .reads = sparse_reads,
};
