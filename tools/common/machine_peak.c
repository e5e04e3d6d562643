/* machine_peak.c — the FMA peak and read bandwidth frost bench and every bench_* compare against
 * (see machine_peak.h). */
#include "machine_peak.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

volatile float bench_sink;

double bench_now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

#if defined(__x86_64__)
/* N_ACC independent accumulators: enough to cover the FMA latency times the issue width. */
#define FMA_BODY(VEC, SET1, FMA, ADD, N_ACC)                                                   \
    VEC acc[N_ACC];                                                                            \
    const VEC x = SET1(*seed), y = SET1(1.0f - 1e-7f);                                          \
    for (int i = 0; i < N_ACC; i++) acc[i] = SET1(*seed + (float)i);                           \
    for (long it = 0; it < iters; it++) {                                                      \
        /* Unrolled whatever -O level: a rolled loop keeps acc[] on the stack (half the peak). */ \
        _Pragma("GCC unroll 16") for (int i = 0; i < N_ACC; i++) acc[i] = FMA(acc[i], y, x);   \
    }                                                                                          \
    VEC s = acc[0];                                                                            \
    for (int i = 1; i < N_ACC; i++) s = ADD(s, acc[i]);                                        \
    float out[sizeof(VEC) / 4];                                                                \
    memcpy(out, &s, sizeof out);                                                               \
    return out[0];

__attribute__((target("avx512f,fma"))) static float fma_loop_512(long iters, const float *seed) {
    FMA_BODY(__m512, _mm512_set1_ps, _mm512_fmadd_ps, _mm512_add_ps, 12)
}
__attribute__((target("avx2,fma"))) static float fma_loop_256(long iters, const float *seed) {
    FMA_BODY(__m256, _mm256_set1_ps, _mm256_fmadd_ps, _mm256_add_ps, 12)
}

__attribute__((target("avx2"))) static float read_loop_256(const float *p, size_t n) {
    __m256 s[8];
    for (int j = 0; j < 8; j++) s[j] = _mm256_setzero_ps();
    for (size_t i = 0; i + 64 <= n; i += 64)
        for (int j = 0; j < 8; j++) s[j] = _mm256_add_ps(s[j], _mm256_loadu_ps(p + i + 8 * j));
    for (int j = 1; j < 8; j++) s[0] = _mm256_add_ps(s[0], s[j]);
    float out[8];
    _mm256_storeu_ps(out, s[0]);
    return out[0] + out[7];
}
__attribute__((target("avx512f"))) static float read_loop_512(const float *p, size_t n) {
    /* Eight independent sums: the add latency must not be what limits a read loop. */
    __m512 s[8];
    for (int j = 0; j < 8; j++) s[j] = _mm512_setzero_ps();
    for (size_t i = 0; i + 128 <= n; i += 128)
        for (int j = 0; j < 8; j++) s[j] = _mm512_add_ps(s[j], _mm512_loadu_ps(p + i + 16 * j));
    for (int j = 1; j < 8; j++) s[0] = _mm512_add_ps(s[0], s[j]);
    return _mm512_reduce_add_ps(s[0]);
}
#endif

static float read_loop_c(const float *p, size_t n) {
    float s[8] = {0};
    for (size_t i = 0; i + 8 <= n; i += 8)
        for (int j = 0; j < 8; j++) s[j] += p[i + j];
    return s[0] + s[7];
}

/* What the processor has, whatever FROST_MAX_ISA says: the cap chooses kernels, it does not make the
 * machine slower. (libgcc's probe also checks that the OS saves the vector state.) */
static inline bool has_avx512(void) {
#if defined(__x86_64__)
    return __builtin_cpu_supports("avx512f");
#else
    return false;
#endif
}
static inline bool has_avx2_fma(void) {
#if defined(__x86_64__)
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
    return false;
#endif
}

double machine_fma_gflops(const char **what) {
    static const float seed = 0.5f;
    const long iters = 5 * 1000 * 1000;
    double best = 0;
    *what = "none";
#if defined(__x86_64__)
    for (int rep = 0; rep < 9; rep++) { /* best of 9: the machine may be shared */
        double t0 = bench_now_s(), flops;
        if (has_avx512()) {
            bench_sink = fma_loop_512(iters, &seed);
            flops = (double)iters * 12 * 32;
            *what = "avx512 zmm FMA x12";
        } else if (has_avx2_fma()) {
            bench_sink = fma_loop_256(iters, &seed);
            flops = (double)iters * 12 * 16;
            *what = "avx2 ymm FMA x12";
        } else {
            return 0;
        }
        double g = flops / (bench_now_s() - t0) / 1e9;
        if (g > best) best = g;
    }
#endif
    return best;
}

/* Best GB/s of one read loop over buf. */
static double read_rate(float (*loop)(const float *, size_t), const float *buf, size_t bytes) {
    const size_t n = bytes / sizeof(float);
    /* A buffer in L2 takes microseconds a pass: time several passes at once (the clock read must
     * not count), and take more samples so the best one is a quiet one. */
    const size_t passes = bytes < (1u << 20) && bytes > 0 ? (1u << 20) / bytes : 1;
    const int reps = bytes > (64u << 20) ? 5 : bytes > (4u << 20) ? 40 : 200;
    double best = 0;
    for (int r = 0; r < reps; r++) {
        double t0 = bench_now_s();
        for (size_t p = 0; p < passes; p++) {
            bench_sink = loop(buf, n);
            __asm__ volatile("" ::: "memory"); /* every pass reads: no reuse of the last sum */
        }
        double gbs = (double)bytes * (double)passes / (bench_now_s() - t0) / 1e9;
        if (r > 0 && gbs > best) best = gbs; /* r == 0 pulls the buffer into cache */
    }
    return best;
}

double machine_read_gbs(size_t bytes) {
    float *buf = aligned_alloc(64, (bytes + 63) / 64 * 64);
    if (!buf) return 0;
    for (size_t i = 0; i < bytes / sizeof(float); i++) buf[i] = (float)(i & 7);
    /* The best of the loops the CPU runs: which vector width reads fastest depends on the core
     * and the cache level, and the cap must not lower the machine's figure. */
    double best = read_rate(read_loop_c, buf, bytes);
#if defined(__x86_64__)
    if (has_avx2_fma()) best = fmax(best, read_rate(read_loop_256, buf, bytes));
    if (has_avx512()) best = fmax(best, read_rate(read_loop_512, buf, bytes));
#endif
    free(buf);
    return best;
}
