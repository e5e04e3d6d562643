/* gemm_avx2.c — the AVX2 + FMA packed fp32 GEMM family (frost__gemm_avx2):
 * C[M, n0:n1] = act(A[M,K] · B + bias) with B packed once at load. Same plan as gemm_avx512.c with
 * 16 ymm registers:
 * - panels: B in column panels of 16 (the last one 8 wide when at most 8 columns remain), k-major,
 *   zero padded; a 6 x 16 micro-tile in 12 ymm accumulators, A broadcast from the caller's rows;
 *   bias as the accumulators' start, clamp / leaky activations on registers, vmaskmov stores at
 *   the edges; M == 1 takes a GEMV path with eight independent accumulators. These loops, and the
 *   dot layout's, are gemm_f32_loops.inc's, compiled here with 8-lane vectors (gemm_avx512.c: 16).
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

#include "kernels/x86/gemm_common.h"

#define VL 8       /* lanes per ymm                                         */
#define NR 16      /* panel width: two ymm                                  */
#define MR 6       /* rows per micro-tile: 12 accumulators + 2 B + 1 A      */
/* Dot-layout columns per group: two FMA pipes with a 4-cycle latency need at least 8 independent
 * chains, so N = 10 as one group of 10 beats 8 + 2 (the group of 2 was latency-bound). */
#define DOT_GROUP 12

/* ---- layout ---------------------------------------------------------------------------------- */

/* Dot layout when a panel would leave enough lanes idle, over a K long enough to pay for the
 * reductions (bench/bench_gemm.c, docs/kernels.md). */
static bool use_dot(int K, int N) {
    return N <= 16 && K >= 64 &&
           (long)K * (long)(frost__gemm_panel_cols(N, NR) - (size_t)N) >= 64L * 8;
}

static size_t avx2_packed_bytes(int K, int N) {
    if (K <= 0 || N <= 0) return 0;
    if (use_dot(K, N)) return frost__gemm_bytes((size_t)N, frost__gemm_dot_stride(K, VL), 4, 0);
    return frost__gemm_bytes((size_t)K, frost__gemm_panel_cols(N, NR), 4, 0);
}

static void avx2_pack(int K, int N, const float *B, int ldb, bool trans_b, void *packed) {
    if (K <= 0 || N <= 0) return;
    if (use_dot(K, N))
        frost__gemm_pack_dot_f32(K, N, B, ldb, trans_b, frost__gemm_dot_stride(K, VL), packed);
    else
        frost__gemm_pack_panels_f32(K, N, B, ldb, trans_b, NR, packed);
}

/* ---- vectors of 8 lanes, for gemm_f32_loops.inc ---------------------------------------------- */

typedef __m256 vec;
typedef __m256i vmask; /* vmaskmov masks: all ones in the lanes to move */

/* The epilogue's parameters broadcast once per call. */
typedef struct epi_regs {
    int kind;
    __m256 lo, hi, alpha;
} epi_regs;

static inline epi_regs epi_regs_of(const frost__act_params *act) {
    const frost__gemm_epi p = frost__gemm_epi_of(act);
    epi_regs e = {p.kind, _mm256_set1_ps(p.lo), _mm256_set1_ps(p.hi), _mm256_set1_ps(p.alpha)};
    return e;
}

static inline __attribute__((always_inline)) __m256 epi_apply(__m256 x, const epi_regs *e) {
    if (e->kind == FROST__EPI_CLAMP) return _mm256_min_ps(_mm256_max_ps(x, e->lo), e->hi);
    if (e->kind == FROST__EPI_LEAKY) {
        __m256 neg = _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_LT_OQ);
        return _mm256_blendv_ps(x, _mm256_mul_ps(x, e->alpha), neg);
    }
    if (e->kind == FROST__EPI_LEAKY_CLAMP) {
        __m256 neg = _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_LT_OQ);
        x = _mm256_blendv_ps(x, _mm256_mul_ps(x, e->alpha), neg);
        return _mm256_min_ps(_mm256_max_ps(x, e->lo), e->hi);
    }
    return x;
}

/* Lanes [lo, hi) of an 8-lane group as a vmaskmov mask. */
static inline __m256i v_lanes(int lo, int hi) {
    const __m256i idx = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    const __m256i ge_lo = _mm256_cmpgt_epi32(idx, _mm256_set1_epi32(lo - 1));
    const __m256i lt_hi = _mm256_cmpgt_epi32(_mm256_set1_epi32(hi), idx);
    return _mm256_and_si256(ge_lo, lt_hi);
}

static inline __m256 v_zero(void) { return _mm256_setzero_ps(); }
static inline __m256 v_load(const float *p) { return _mm256_loadu_ps(p); }
static inline __m256 v_load_lanes(const float *p, __m256i m) { return _mm256_maskload_ps(p, m); }
static inline __m256 v_bcast(const float *p) { return _mm256_broadcast_ss(p); }
static inline __m256 v_fma(__m256 a, __m256 b, __m256 c) { return _mm256_fmadd_ps(a, b, c); }
static inline __m256 v_add(__m256 a, __m256 b) { return _mm256_add_ps(a, b); }
static inline void v_store(float *p, __m256 v) { _mm256_storeu_ps(p, v); }
static inline void v_store_lanes(float *p, __m256i m, __m256 v) { _mm256_maskstore_ps(p, m, v); }

/* vmaskmovps stores are slow on AMD cores: full tiles use plain stores. */
#define STORE_FULL_TILES_UNMASKED 1

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

typedef struct dot_sums {
    __m256 v[2];
} dot_sums;

static inline dot_sums dot_reduce(const int nc, const __m256 acc[16]) {
    dot_sums r = {{reduce8(acc), nc > 8 ? reduce8(acc + 8) : _mm256_setzero_ps()}};
    return r;
}

#include "kernels/x86/gemm_f32_loops.inc"

static void avx2_run(int M, int N, int K, const float *A, int lda, const void *packed,
                     const float *bias, float *C, int ldc, const frost__act_params *act, int n0,
                     int n1) {
    if (frost__gemm_run_trivial(M, N, K, bias, C, ldc, act, &n0, &n1)) return;
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
