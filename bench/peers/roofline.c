/* roofline.c — measures the two physical limits the benchmark table is read against, on one core:
 * peak fp32 FLOP/s (fused multiply-adds on independent accumulators, the widest vector ISA the CPU
 * runs) and read bandwidth for buffers of the sizes given on the command line (a model's weights
 * are re-read on every prediction, so the buffer size decides which cache level feeds them).
 *
 * usage: roofline [BYTES...]   prints one JSON object: {"isa", "peak_gflops", "read_gbps": {BYTES: GB/s}}
 *
 * Each figure is the best of many short repetitions (well under a scheduler time slice), because on
 * a shared machine the best uninterrupted run is the closest to the hardware's limit. It must never
 * report a figure it did not measure.
 */
#include <immintrin.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* 12 independent FMA chains hide the 4-cycle latency on two FMA pipes. Returns flops done. */
__attribute__((target("avx512f"))) static double fma_avx512(long iters, float *sink)
{
    __m512 a[12], m = _mm512_set1_ps(0.999999f), c = _mm512_set1_ps(1e-7f);
    for (int i = 0; i < 12; i++) a[i] = _mm512_set1_ps((float)i);
    for (long it = 0; it < iters; it++)
#pragma GCC unroll 12
        for (int i = 0; i < 12; i++) a[i] = _mm512_fmadd_ps(a[i], m, c);
    __m512 s = a[0];
    for (int i = 1; i < 12; i++) s = _mm512_add_ps(s, a[i]);
    *sink += _mm512_reduce_add_ps(s);
    return (double)iters * 12 * 16 * 2;
}

__attribute__((target("avx2,fma"))) static double fma_avx2(long iters, float *sink)
{
    __m256 a[12], m = _mm256_set1_ps(0.999999f), c = _mm256_set1_ps(1e-7f);
    for (int i = 0; i < 12; i++) a[i] = _mm256_set1_ps((float)i);
    for (long it = 0; it < iters; it++)
#pragma GCC unroll 12
        for (int i = 0; i < 12; i++) a[i] = _mm256_fmadd_ps(a[i], m, c);
    __m256 s = a[0];
    for (int i = 1; i < 12; i++) s = _mm256_add_ps(s, a[i]);
    float t[8];
    _mm256_storeu_ps(t, s);
    for (int i = 0; i < 8; i++) *sink += t[i];
    return (double)iters * 12 * 8 * 2;
}

static double fma_scalar(long iters, float *sink)
{
    float a[12];
    for (int i = 0; i < 12; i++) a[i] = (float)i;
    for (long it = 0; it < iters; it++)
#pragma GCC unroll 12
        for (int i = 0; i < 12; i++) a[i] = a[i] * 0.999999f + 1e-7f;
    for (int i = 0; i < 12; i++) *sink += a[i];
    return (double)iters * 12 * 2;
}

__attribute__((target("avx512f"))) static float read_avx512(const float *p, size_t n)
{
    __m512 s0 = _mm512_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
    for (size_t i = 0; i + 64 <= n; i += 64) {
        s0 = _mm512_add_ps(s0, _mm512_load_ps(p + i));
        s1 = _mm512_add_ps(s1, _mm512_load_ps(p + i + 16));
        s2 = _mm512_add_ps(s2, _mm512_load_ps(p + i + 32));
        s3 = _mm512_add_ps(s3, _mm512_load_ps(p + i + 48));
    }
    return _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(s0, s1), _mm512_add_ps(s2, s3)));
}

__attribute__((target("avx2"))) static float read_avx2(const float *p, size_t n)
{
    __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
    for (size_t i = 0; i + 32 <= n; i += 32) {
        s0 = _mm256_add_ps(s0, _mm256_load_ps(p + i));
        s1 = _mm256_add_ps(s1, _mm256_load_ps(p + i + 8));
        s2 = _mm256_add_ps(s2, _mm256_load_ps(p + i + 16));
        s3 = _mm256_add_ps(s3, _mm256_load_ps(p + i + 24));
    }
    float t[8];
    _mm256_storeu_ps(t, _mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)));
    return t[0] + t[1] + t[2] + t[3] + t[4] + t[5] + t[6] + t[7];
}

static float read_scalar(const float *p, size_t n)
{
    float s = 0;
    for (size_t i = 0; i < n; i++) s += p[i];
    return s;
}

int main(int argc, char **argv)
{
    __builtin_cpu_init();
    int isa = __builtin_cpu_supports("avx512f") ? 2 : (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) ? 1 : 0;
    const char *isa_name[] = {"scalar", "avx2", "avx512f"};
    float sink = 0;
    double best_gflops = 0;
    for (int rep = 0; rep < 400; rep++) {
        long iters = 100000;
        double t0 = now_s();
        double flops = isa == 2 ? fma_avx512(iters, &sink) : isa == 1 ? fma_avx2(iters, &sink) : fma_scalar(iters, &sink);
        double g = flops / (now_s() - t0) / 1e9;
        if (g > best_gflops) best_gflops = g;
    }
    printf("{\"isa\": \"%s\", \"peak_gflops\": %.1f, \"read_gbps\": {", isa_name[isa], best_gflops);
    for (int a = 1; a < argc; a++) {
        size_t bytes = strtoull(argv[a], NULL, 10);
        if (bytes < 4096) bytes = 4096;
        size_t n = (bytes / 256) * 64; /* whole 256-byte blocks */
        float *buf = aligned_alloc(64, n * sizeof(float));
        if (!buf) { fprintf(stderr, "roofline: out of memory for %zu bytes\n", bytes); return 2; }
        for (size_t i = 0; i < n; i++) buf[i] = (float)(i & 7);
        /* passes per repetition: enough for ~64 KB..1 MB of reads, at least one whole pass */
        int passes = n * sizeof(float) >= (1u << 20) ? 1 : (int)((1u << 20) / (n * sizeof(float)));
        double best = 0, spent = 0;
        for (int rep = 0; rep < 400 && spent < 1.5; rep++) {
            double t0 = now_s();
            for (int p = 0; p < passes; p++)
                sink += isa == 2 ? read_avx512(buf, n) : isa == 1 ? read_avx2(buf, n) : read_scalar(buf, n);
            double dt = now_s() - t0;
            spent += dt;
            double gbps = (double)passes * n * sizeof(float) / dt / 1e9;
            if (gbps > best) best = gbps;
        }
        printf("%s\"%s\": %.1f", a > 1 ? ", " : "", argv[a], best);
        free(buf);
    }
    printf("}, \"sink\": %g}\n", (double)(sink != 0));
    return 0;
}
