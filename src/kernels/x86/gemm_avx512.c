/* gemm_avx512.c — the AVX-512 packed fp32 GEMM family (frost__gemm_avx512):
 * C[M, n0:n1] = act(A[M,K] · B + bias) with B packed once at load.
 *
 * Two packed layouts, chosen from (K, N) alone so pack and run always agree:
 * - panels (the general case): B cut into column panels of 32 (the last one 16 wide when at most
 *   16 columns remain), each panel stored k-major, zero padded past N, so the micro-kernel reads one
 *   contiguous stream of 64- or 128-byte rows. The micro-kernel keeps a 10 x 32 block of C in 20 zmm
 *   registers and broadcasts A straight from the caller's rows (no A packing, no workspace); bias
 *   and the cheap activations are applied on the registers, and edge tiles use store masks rather
 *   than scalar loops. M == 1 (batch-1 dense layers) takes a GEMV path with eight independent
 *   accumulators so the weight stream, not the FMA latency, is the limit.
 * - wide (frost__gemm_avx512_sparse only: dense layers fed by a ReLU, at least 256 columns and
 *   512 rows, e.g. the expert's 3136->1024): blocks of 256 columns stored row by row (one 1 KB
 *   row per k). A batch-1 call reads only the rows its nonzero inputs multiply: after a ReLU a
 *   fifth to a third of a dense layer's inputs are exactly 0, and skipping whole 1 KB rows is what
 *   cuts the bytes read (skipping 128-byte rows of the panels saved nothing: the hardware
 *   prefetchers fetch them anyway). Batches read a second copy, in the panel layout: the micro-
 *   kernel on 32-column strips of 1 KB rows was 15-25% slower (docs/kernels.md).
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

#define NR 32      /* panel width: two zmm                                           */
#define MR 10      /* rows per micro-tile: 20 accumulators + 2 B registers; 14 (28 acc) was
                    * 5% slower on conv1 (K = 25): its 14 row pointers spill */
#define DOT_MAX_N 16
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

/* Floats between consecutive columns of the dot layout: K rounded up to a vector, plus one cache
 * line when that would be an even number of lines, so the 8-16 column streams read together fall
 * in different L1 sets (K = 1024 put them 4 KB apart, all in one set: 1.6x slower). */
static size_t dot_stride(int K) {
    size_t ks = ((size_t)K + 15) & ~(size_t)15;
    if ((ks / 16) % 2 == 0) ks += 16;
    return ks;
}

/* Columns actually stored for panel layout: full panels of 32, a last one of 16 or 32. */
static size_t panel_cols(int N) {
    size_t full = (size_t)(N / NR) * NR;
    int rem = N % NR;
    return full + (rem == 0 ? 0 : rem <= 16 ? 16 : NR);
}

/* SIZE_MAX when the size does not fit: the caller's allocation then fails cleanly. */
static size_t packed_bytes_for(bool sparse, int K, int N) {
    if (K <= 0 || N <= 0) return 0;
    size_t rows = use_dot(K, N) ? (size_t)N : (size_t)K;
    size_t cols = use_dot(K, N) ? dot_stride(K) : panel_cols(N);
    size_t bytes;
    if (__builtin_mul_overflow(rows, cols, &bytes) ||
        __builtin_mul_overflow(bytes, sizeof(float), &bytes))
        return SIZE_MAX;
    /* wide: its blocks, a cache line holding the "all weights finite" flag, then the panels */
    if (use_wide(sparse, K, N)) bytes += wide_floats(K, N) * sizeof(float); /* <= 64 MB */
    return bytes;
}

static void pack_for(bool sparse, int K, int N, const float *B, int ldb, bool trans_b,
                     void *packed) {
    if (K <= 0 || N <= 0) return;
    float *P = packed;
#define BAT(k, n) (trans_b ? B[(size_t)(n) * ldb + (k)] : B[(size_t)(k) * ldb + (n)])
    if (use_wide(sparse, K, N)) {
        int finite = 1;
        for (size_t b = 0; b < wide_blocks(N); b++)
            for (int k = 0; k < K; k++) {
                float *row = P + (b * (size_t)K + (size_t)k) * WS;
                for (int j = 0; j < WS; j++) {
                    const int n = (int)b * WB + j;
                    row[j] = j < WB && n < N ? BAT(k, n) : 0.0f;
                    if (!__builtin_isfinite(row[j])) finite = 0;
                }
            }
        unsigned char *flag = (unsigned char *)(P + wide_blocks(N) * (size_t)K * WS);
        memset(flag, 0, 64);
        flag[0] = (unsigned char)finite;
        P += wide_floats(K, N); /* and the panels, for batches */
    }
    if (use_dot(K, N)) {
        const size_t ks = dot_stride(K);
        for (int n = 0; n < N; n++)
            for (size_t k = 0; k < ks; k++) P[(size_t)n * ks + k] = (int)k < K ? BAT(k, n) : 0.0f;
        return;
    }
    for (int p0 = 0; p0 < N; p0 += NR) {
        const int w = (N - p0 >= NR || N - p0 > 16) ? NR : 16;
        float *panel = P + (size_t)p0 * K;
        for (int k = 0; k < K; k++)
            for (int j = 0; j < w; j++)
                panel[(size_t)k * w + j] = p0 + j < N ? BAT(k, p0 + j) : 0.0f;
    }
#undef BAT
}

/* ---- epilogue: bias was the accumulators' start value; the activation runs on registers ------ */

enum { EPI_NONE, EPI_CLAMP, EPI_LEAKY, EPI_OTHER };

typedef struct epilogue {
    int kind;
    __m512 lo, hi, alpha;
} epilogue;

static epilogue make_epilogue(const frost__act_params *act) {
    epilogue e;
    e.kind = EPI_NONE;
    e.lo = _mm512_set1_ps(-__builtin_inff());
    e.hi = _mm512_set1_ps(__builtin_inff());
    e.alpha = _mm512_setzero_ps();
    if (!act) return e;
    switch (act->act) {
    case FROST__ACT_NONE: case FROST__ACT_COUNT: break;
    case FROST__ACT_RELU: e.kind = EPI_CLAMP; e.lo = _mm512_setzero_ps(); break;
    case FROST__ACT_RELU6:
        e.kind = EPI_CLAMP; e.lo = _mm512_setzero_ps(); e.hi = _mm512_set1_ps(6.0f); break;
    case FROST__ACT_CLIP:
        e.kind = EPI_CLAMP; e.lo = _mm512_set1_ps(act->alpha); e.hi = _mm512_set1_ps(act->beta);
        break;
    case FROST__ACT_LEAKY_RELU: e.kind = EPI_LEAKY; e.alpha = _mm512_set1_ps(act->alpha); break;
    default: e.kind = EPI_OTHER; break;
    }
    return e;
}

static inline __attribute__((always_inline)) __m512 epi_apply(__m512 x, const epilogue *e) {
    if (e->kind == EPI_CLAMP) return _mm512_min_ps(_mm512_max_ps(x, e->lo), e->hi);
    if (e->kind == EPI_LEAKY) {
        __mmask16 neg = _mm512_cmp_ps_mask(x, _mm512_setzero_ps(), _CMP_LT_OQ);
        return _mm512_mask_mul_ps(x, neg, x, e->alpha);
    }
    return x;
}

/* Columns [lo, hi) of a 32-wide group as two 16-bit store masks. */
static inline __mmask16 mask16(int lo, int hi) {
    if (lo < 0) lo = 0;
    if (hi > 16) hi = 16;
    if (hi <= lo) return 0;
    return (__mmask16)((((uint32_t)1 << (hi - lo)) - 1) << lo);
}

/* ---- micro-kernel: rows x (16 * nv) block of C, rows and nv compile-time after inlining -------- */

static inline __attribute__((always_inline)) void
tile(const int rows, const int nv, int K, const float *A, size_t lda, const float *Bp,
     const float *bias, float *C, size_t ldc, __mmask16 m0, __mmask16 m1, const epilogue *e,
     const frost__act_params *act, int col_lo, int col_n) {
    __m512 c0[MR], c1[MR];
    const epilogue ep = *e;   /* a local copy: stores to C cannot alias it */
    const __m512 b0init = bias ? _mm512_maskz_loadu_ps(m0, bias) : _mm512_setzero_ps();
    const __m512 b1init = (bias && nv == 2) ? _mm512_maskz_loadu_ps(m1, bias + 16)
                                            : _mm512_setzero_ps();
#pragma GCC unroll 10
    for (int i = 0; i < rows; i++) {
        c0[i] = b0init;
        if (nv == 2) c1[i] = b1init;
    }
    const int bw = 16 * nv;
    const float *a = A;
    for (int k = 0; k < K; k++, a++, Bp += bw) {
        const __m512 b0 = _mm512_loadu_ps(Bp);
        const __m512 b1 = nv == 2 ? _mm512_loadu_ps(Bp + 16) : b0;
#pragma GCC unroll 10
        for (int i = 0; i < rows; i++) {
            const __m512 av = _mm512_set1_ps(a[(size_t)i * lda]);
            c0[i] = _mm512_fmadd_ps(av, b0, c0[i]);
            if (nv == 2) c1[i] = _mm512_fmadd_ps(av, b1, c1[i]);
        }
    }
#pragma GCC unroll 10
    for (int i = 0; i < rows; i++) {
        float *c = C + (size_t)i * ldc;
        _mm512_mask_storeu_ps(c, m0, epi_apply(c0[i], &ep));
        if (nv == 2) _mm512_mask_storeu_ps(c + 16, m1, epi_apply(c1[i], &ep));
    }
    if (ep.kind == EPI_OTHER)
        for (int i = 0; i < rows; i++) frost_k_f32_act__ref(C + (size_t)i * ldc + col_lo, col_n, act);
}

#define TILE_ARGS int K, const float *A, size_t lda, const float *Bp, const float *bias, float *C, \
                  size_t ldc, __mmask16 m0, __mmask16 m1, const epilogue *e,                     \
                  const frost__act_params *act, int col_lo, int col_n
#define TILE_PASS K, A, lda, Bp, bias, C, ldc, m0, m1, e, act, col_lo, col_n

/* One specialised copy per row count keeps every accumulator in a register. */
#define TILE_CASES(nv)                                   \
    switch (rows) {                                      \
    case 1: tile(1, nv, TILE_PASS); break;               \
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

/* ---- M == 1 over panels: the weight stream is the bound, so break the FMA dependency chain ---- */

static void gemv_panel(int nv, int K, const float *a, const float *Bp, const float *bias,
                       float *c, __mmask16 m0, __mmask16 m1, const epilogue *e,
                       const frost__act_params *act, int col_lo, int col_n) {
    __m512 s0 = _mm512_setzero_ps(), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0,
           s7 = s0;
    int k = 0;
    if (nv == 2) {
        for (; k + 4 <= K; k += 4, Bp += 4 * NR) {
            const __m512 a0 = _mm512_set1_ps(a[k]), a1 = _mm512_set1_ps(a[k + 1]),
                         a2 = _mm512_set1_ps(a[k + 2]), a3 = _mm512_set1_ps(a[k + 3]);
            s0 = _mm512_fmadd_ps(a0, _mm512_loadu_ps(Bp), s0);
            s1 = _mm512_fmadd_ps(a0, _mm512_loadu_ps(Bp + 16), s1);
            s2 = _mm512_fmadd_ps(a1, _mm512_loadu_ps(Bp + 32), s2);
            s3 = _mm512_fmadd_ps(a1, _mm512_loadu_ps(Bp + 48), s3);
            s4 = _mm512_fmadd_ps(a2, _mm512_loadu_ps(Bp + 64), s4);
            s5 = _mm512_fmadd_ps(a2, _mm512_loadu_ps(Bp + 80), s5);
            s6 = _mm512_fmadd_ps(a3, _mm512_loadu_ps(Bp + 96), s6);
            s7 = _mm512_fmadd_ps(a3, _mm512_loadu_ps(Bp + 112), s7);
        }
        for (; k < K; k++, Bp += NR) {
            const __m512 a0 = _mm512_set1_ps(a[k]);
            s0 = _mm512_fmadd_ps(a0, _mm512_loadu_ps(Bp), s0);
            s1 = _mm512_fmadd_ps(a0, _mm512_loadu_ps(Bp + 16), s1);
        }
        s0 = _mm512_add_ps(_mm512_add_ps(s0, s2), _mm512_add_ps(s4, s6));
        s1 = _mm512_add_ps(_mm512_add_ps(s1, s3), _mm512_add_ps(s5, s7));
    } else {
        for (; k + 4 <= K; k += 4, Bp += 64) {
            s0 = _mm512_fmadd_ps(_mm512_set1_ps(a[k]), _mm512_loadu_ps(Bp), s0);
            s2 = _mm512_fmadd_ps(_mm512_set1_ps(a[k + 1]), _mm512_loadu_ps(Bp + 16), s2);
            s4 = _mm512_fmadd_ps(_mm512_set1_ps(a[k + 2]), _mm512_loadu_ps(Bp + 32), s4);
            s6 = _mm512_fmadd_ps(_mm512_set1_ps(a[k + 3]), _mm512_loadu_ps(Bp + 48), s6);
        }
        for (; k < K; k++, Bp += 16)
            s0 = _mm512_fmadd_ps(_mm512_set1_ps(a[k]), _mm512_loadu_ps(Bp), s0);
        s0 = _mm512_add_ps(_mm512_add_ps(s0, s2), _mm512_add_ps(s4, s6));
    }
    if (bias) {
        s0 = _mm512_add_ps(s0, _mm512_maskz_loadu_ps(m0, bias));
        if (nv == 2) s1 = _mm512_add_ps(s1, _mm512_maskz_loadu_ps(m1, bias + 16));
    }
    _mm512_mask_storeu_ps(c, m0, epi_apply(s0, e));
    if (nv == 2) _mm512_mask_storeu_ps(c + 16, m1, epi_apply(s1, e));
    if (e->kind == EPI_OTHER) frost_k_f32_act__ref(c + col_lo, col_n, act);
}

static void run_panels(int M, int N, int K, const float *A, size_t lda, const float *P,
                       const float *bias, float *C, size_t ldc, const frost__act_params *act,
                       int n0, int n1) {
    const epilogue e = make_epilogue(act);
    for (int p0 = n0 - n0 % NR; p0 < n1; p0 += NR) {
        const int nv = (N - p0 >= NR || N - p0 > 16) ? 2 : 1;
        const float *Bp = P + (size_t)p0 * K;
        /* Store only the requested columns of this panel. */
        const int lo = (n0 > p0 ? n0 : p0) - p0, hi = (n1 < p0 + NR ? n1 : p0 + NR) - p0;
        const __mmask16 m0 = mask16(lo, hi), m1 = mask16(lo - 16, hi - 16);
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
                tile_w32(rows, K, A + (size_t)i * lda, lda, Bp, bp, Cp + (size_t)i * ldc, ldc, m0,
                         m1, &e, act, lo, hi - lo);
            else
                tile_w16(rows, K, A + (size_t)i * lda, lda, Bp, bp, Cp + (size_t)i * ldc, ldc, m0,
                         m1, &e, act, lo, hi - lo);
        }
    }
}

/* ---- wide layout ------------------------------------------------------------------------------ */

/* The indices k with a[k] != 0 (NaN counts as nonzero), then WIDE_PREFETCH copies of the last one
 * so the prefetch ahead never reads past the list. idx holds K + 16 + WIDE_PREFETCH entries. */
static int nonzero_indices(int K, const float *a, uint16_t *idx) {
    const __m512i lane = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    int n = 0;
    for (int k = 0; k < K; k += 16) {
        const __mmask16 in = mask16(0, K - k);
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
          const float *bias, float *c, int lo, int hi, const epilogue *e) {
    __m512 s[16];
#pragma GCC unroll 16
    for (int v = 0; v < nv; v++) {
        const __mmask16 m = mask16(lo - 16 * v, hi - 16 * v);
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
        _mm512_mask_storeu_ps(c + 16 * v, mask16(lo - 16 * v, hi - 16 * v), epi_apply(s[v], e));
}

#define WIDE_GEMV_ARGS int nnz, const uint16_t *idx, const float *a, const float *Bb, \
                       const float *bias, float *c, int lo, int hi, const epilogue *e
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
    const epilogue e = make_epilogue(act);
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
        if (e.kind == EPI_OTHER) frost_k_f32_act__ref(C + b0 + lo, (size_t)(hi - lo), act);
    }
}

/* ---- dot layout: outputs as dot products of A rows with B's transposed columns --------------- */

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

static inline __attribute__((always_inline)) __m512
dot_row(const int nc, int K, const float *a, const float *Bt, size_t ks) {
    __m512 acc[16];
#pragma GCC unroll 16
    for (int j = 0; j < 16; j++) acc[j] = _mm512_setzero_ps();
    int k = 0;
    for (; k + 16 <= K; k += 16) {
        const __m512 av = _mm512_loadu_ps(a + k);
#pragma GCC unroll 16
        for (int j = 0; j < nc; j++)
            acc[j] = _mm512_fmadd_ps(av, _mm512_loadu_ps(Bt + (size_t)j * ks + k), acc[j]);
    }
    if (k < K) {
        /* B is zero-padded to ks; A must not be read past K. */
        const __m512 av = _mm512_maskz_loadu_ps(mask16(0, K - k), a + k);
#pragma GCC unroll 16
        for (int j = 0; j < nc; j++)
            acc[j] = _mm512_fmadd_ps(av, _mm512_loadu_ps(Bt + (size_t)j * ks + k), acc[j]);
    }
    return reduce16(acc);
}

static __attribute__((noinline)) __m512 dot_row_n(int nc, int K, const float *a, const float *Bt,
                                                  size_t ks) {
    switch (nc) {
    case 1: return dot_row(1, K, a, Bt, ks);
    case 2: return dot_row(2, K, a, Bt, ks);
    case 3: return dot_row(3, K, a, Bt, ks);
    case 4: return dot_row(4, K, a, Bt, ks);
    case 5: return dot_row(5, K, a, Bt, ks);
    case 6: return dot_row(6, K, a, Bt, ks);
    case 7: return dot_row(7, K, a, Bt, ks);
    case 8: return dot_row(8, K, a, Bt, ks);
    case 9: return dot_row(9, K, a, Bt, ks);
    case 10: return dot_row(10, K, a, Bt, ks);
    case 11: return dot_row(11, K, a, Bt, ks);
    case 12: return dot_row(12, K, a, Bt, ks);
    case 13: return dot_row(13, K, a, Bt, ks);
    case 14: return dot_row(14, K, a, Bt, ks);
    default: return dot_row(15, K, a, Bt, ks);
    }
}

static void run_dot(int M, int K, const float *A, size_t lda, const float *P, const float *bias,
                    float *C, size_t ldc, const frost__act_params *act, int n0, int n1) {
    const epilogue e = make_epilogue(act);
    const size_t ks = dot_stride(K);
    const int nc = n1 - n0;
    const __mmask16 m = mask16(0, nc);
    const __m512 b = bias ? _mm512_maskz_loadu_ps(m, bias + n0) : _mm512_setzero_ps();
    const float *Bt = P + (size_t)n0 * ks;
    for (int i = 0; i < M; i++) {
        float *c = C + (size_t)i * ldc + n0;
        __m512 r = _mm512_add_ps(dot_row_n(nc, K, A + (size_t)i * lda, Bt, ks), b);
        _mm512_mask_storeu_ps(c, m, epi_apply(r, &e));
        if (e.kind == EPI_OTHER) frost_k_f32_act__ref(c, nc, act);
    }
}

static void run_for(bool sparse, int M, int N, int K, const float *A, int lda, const void *packed,
                    const float *bias, float *C, int ldc, const frost__act_params *act, int n0,
                    int n1) {
    if (n0 < 0) n0 = 0;
    if (n1 > N) n1 = N;
    if (M <= 0 || n1 <= n0) return;
    if (K <= 0) {
        /* Nothing to multiply: C is act(bias) (or act(0)). */
        for (int i = 0; i < M; i++) {
            float *c = C + (size_t)i * ldc + n0;
            for (int j = 0; j < n1 - n0; j++) c[j] = bias ? bias[n0 + j] : 0.0f;
            if (act) frost_k_f32_act__ref(c, (size_t)(n1 - n0), act);
        }
        return;
    }
    if (use_wide(sparse, K, N))
        run_wide(M, N, K, A, (size_t)lda, packed, bias, C, (size_t)ldc, act, n0, n1);
    else if (use_dot(K, N))
        run_dot(M, K, A, (size_t)lda, packed, bias, C, (size_t)ldc, act, n0, n1);
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
