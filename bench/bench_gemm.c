/* bench_gemm.c — micro-benchmark of the packed fp32 GEMM kernel families (ref, avx2, avx512) on
 * the founding models' layer shapes, against this machine's limits measured here and now:
 *   - FMA peak: a register-only loop of independent FMAs (the widest vectors the CPU has),
 *   - read bandwidth: summing a buffer the size of the big dense layer's weights (13 MB, L3 here)
 *     and one well past the last-level cache (256 MB, DRAM).
 * For each kernel and shape it prints the median time per call, GFLOP/s and GB/s (packed B + A + C
 * bytes once per call) and the fraction of the measured peak.
 * When an OpenBLAS or BLIS shared library is installed it is loaded at run time (dlopen: no build
 * dependency) and its single-threaded cblas_sgemm (and cblas_sgemv for M == 1) timed on the same
 * shapes for comparison; those lines leave out bias and activation.
 * Usage: bench_gemm [--quick] [layer-name-substring]
 * The other kernel families (conv, pooling, softmax, elementwise, ...) are in bench_kernels.c. */
#include "kernels/gemm.h"
#include "machine_peak.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static double g_min_time = 0.3;    /* seconds of repetitions per kernel and shape */
#define N_SAMPLES 15

/* ---- kernels --------------------------------------------------------------------------------- */

typedef struct shape {
    const char *name;
    int M, N, K;
    frost__act act;
    bool cold;   /* evict the caches before every call: weights come from DRAM */
} shape;

static const shape SHAPES[] = {
    {"beginner dense 784->10", 1, 10, 784, FROST__ACT_NONE, false},
    {"conv1 5x5x1->32 im2col", 784, 32, 25, FROST__ACT_RELU, false},
    {"conv2 5x5x32->64 im2col", 196, 64, 800, FROST__ACT_RELU, false},
    {"dense 3136->1024", 1, 1024, 3136, FROST__ACT_RELU, false},
    {"dense 1024->10", 1, 10, 1024, FROST__ACT_NONE, false},
    {"square 256", 256, 256, 256, FROST__ACT_NONE, false},
    {"batch 64 dense 3136->1024", 64, 1024, 3136, FROST__ACT_RELU, false},
    {"square 1024", 1024, 1024, 1024, FROST__ACT_NONE, false},
    /* What a model sees when something else (another process, a big layer) pushed its weights
     * out of the last-level cache between predictions. */
    {"dense 3136->1024 cold", 1, 1024, 3136, FROST__ACT_RELU, true},
};

static float *g_evict;
static size_t g_evict_n;

/* Reads 64 MB (twice the L3): lines read go to L2 and push everything older out of the L3. */
static void evict_caches(void) {
    if (!g_evict) {
        g_evict_n = (64u << 20) / sizeof(float);
        g_evict = aligned_alloc(64, g_evict_n * sizeof(float));
        if (!g_evict) return;
        for (size_t i = 0; i < g_evict_n; i++) g_evict[i] = 1.0f;
    }
    float s = 0;
    for (size_t i = 0; i < g_evict_n; i += 16) s += g_evict[i];
    bench_sink = s;
}

typedef struct job {
    const frost__gemm_kernel *k;
    const shape *s;
    const float *A, *bias;
    const void *packed;
    float *C;
    const frost__act_params *act;
    int n0, n1;
    long reps;
    double cpu_s;   /* this job's thread CPU time for its reps */
} job;

static void job_run(job *j) {
    double t0 = bench_now_s();
    for (long r = 0; r < j->reps; r++)
        j->k->run(j->s->M, j->s->N, j->s->K, j->A, j->s->K, j->packed, j->bias, j->C, j->s->N,
                  j->act, j->n0, j->n1);
    j->cpu_s = bench_now_s() - t0;
}

static void *job_thread(void *arg) {
    job_run(arg);
    return NULL;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Best and median seconds per call over N_SAMPLES samples, with the columns split over n_threads at
 * n_align boundaries. The best is the figure of merit on a shared machine (least interference). */
static double time_kernel(double *median, const frost__gemm_kernel *k, const shape *s, const float *A,
                          const float *bias, const void *packed, float *C,
                          const frost__act_params *act, int n_threads) {
    job jobs[2];
    int split = s->N;
    if (n_threads == 2) {
        split = (s->N / 2 + k->n_align - 1) / k->n_align * k->n_align;
        if (split >= s->N) n_threads = 1;
    }
    for (int t = 0; t < 2; t++)
        jobs[t] = (job){k, s, A, bias, packed, C, act, t == 0 ? 0 : split,
                        n_threads == 2 ? (t == 0 ? split : s->N) : s->N, 1, 0};
    /* Calibrate repetitions to ~g_min_time / N_SAMPLES per sample (one call when cold). */
    job_run(&jobs[0]);
    long reps = 1;
    for (; !s->cold;) {
        jobs[0].reps = reps;
        job_run(&jobs[0]);
        double dt = jobs[0].cpu_s;
        if (dt > g_min_time / 20 || reps > (1L << 28)) {
            reps = (long)((double)reps * (g_min_time / N_SAMPLES) / (dt > 0 ? dt : 1e-9)) + 1;
            break;
        }
        reps *= 4;
    }
    double samples[N_SAMPLES];
    for (int i = 0; i < N_SAMPLES; i++) {
        jobs[0].reps = jobs[1].reps = reps;
        jobs[1].cpu_s = 0;
        if (s->cold) evict_caches();
        if (n_threads == 2) {
            /* Both halves run concurrently, each repeating independently; the slower thread's
             * CPU time is the call time. */
            pthread_t th;
            if (pthread_create(&th, NULL, job_thread, &jobs[1]) != 0) {
                job_run(&jobs[1]);   /* no thread: one after the other, times add up */
                job_run(&jobs[0]);
                jobs[0].cpu_s += jobs[1].cpu_s;
            } else {
                job_run(&jobs[0]);
                pthread_join(th, NULL);
            }
        } else {
            job_run(&jobs[0]);
        }
        double t = jobs[0].cpu_s > jobs[1].cpu_s ? jobs[0].cpu_s : jobs[1].cpu_s;
        samples[i] = t / (double)reps;
    }
    qsort(samples, N_SAMPLES, sizeof samples[0], cmp_double);
    *median = samples[N_SAMPLES / 2];
    return samples[0];
}


/* ---- optional BLAS comparison (dlopen) -------------------------------------------------------- */

enum { CBLAS_ROW_MAJOR = 101, CBLAS_NO_TRANS = 111, CBLAS_TRANS = 112 };
typedef void (*sgemm_fn)(int, int, int, int, int, int, float, const float *, int, const float *, int,
                         float, float *, int);
typedef void (*sgemv_fn)(int, int, int, int, float, const float *, int, const float *, int, float,
                         float *, int);

typedef struct blas_lib {
    const char *name;
    void *handle;
    sgemm_fn sgemm;
    sgemv_fn sgemv;
} blas_lib;

static void blas_open(blas_lib *b, const char *name, const char *soname, const char *set_threads) {
    memset(b, 0, sizeof *b);
    b->name = name;
    b->handle = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
    if (!b->handle) return;
    b->sgemm = (sgemm_fn)dlsym(b->handle, "cblas_sgemm");
    b->sgemv = (sgemv_fn)dlsym(b->handle, "cblas_sgemv");
    void (*threads)(int) = (void (*)(int))dlsym(b->handle, set_threads);
    if (threads) threads(1);
    if (!b->sgemm) {
        dlclose(b->handle);
        b->handle = NULL;
    }
}

typedef struct blas_job {
    const blas_lib *lib;
    const shape *s;
    const float *A, *B;
    float *C;
    bool gemv;
} blas_job;

static double time_blas(const blas_job *j, double *median) {
    const shape *s = j->s;
    long reps = 1;
    double samples[N_SAMPLES];
    for (int pass = 0; pass < 2 + N_SAMPLES; pass++) {
        double t0 = bench_now_s();
        for (long r = 0; r < reps; r++) {
            if (j->gemv)
                j->lib->sgemv(CBLAS_ROW_MAJOR, CBLAS_TRANS, s->K, s->N, 1.0f, j->B, s->N, j->A, 1,
                              0.0f, j->C, 1);
            else
                j->lib->sgemm(CBLAS_ROW_MAJOR, CBLAS_NO_TRANS, CBLAS_NO_TRANS, s->M, s->N, s->K,
                              1.0f, j->A, s->K, j->B, s->N, 0.0f, j->C, s->N);
        }
        double dt = bench_now_s() - t0;
        if (pass == 0) continue;   /* warm-up */
        if (pass == 1) {
            reps = (long)((double)reps * (g_min_time / N_SAMPLES) / (dt > 0 ? dt : 1e-9)) + 1;
            continue;
        }
        samples[pass - 2] = dt / (double)reps;
    }
    qsort(samples, N_SAMPLES, sizeof samples[0], cmp_double);
    *median = samples[N_SAMPLES / 2];
    return samples[0];
}

static void fill(float *x, size_t n, unsigned seed) {
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1664525u + 1013904223u;
        x[i] = (float)((seed >> 8) & 0xffff) / 32768.0f - 1.0f;
    }
}

int main(int argc, char **argv) {
    bool quick = false;
    const char *only = NULL;   /* run only layers whose name contains this */
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--quick")) quick = true;
        else only = argv[i];
    }
    if (quick) g_min_time = 0.05;
    const frost__cpu *cpu = frost__cpu_get();
    blas_lib blas[2];
    blas_open(&blas[0], "openblas", "libopenblas.so.0", "openblas_set_num_threads");
    blas_open(&blas[1], "blis", "libblis.so.4", "bli_thread_set_num_threads");
    const char *fma_what;
    double peak = machine_fma_gflops(&fma_what);
    double bw_l3 = machine_read_gbs(13u << 20);
    double bw_dram = quick ? 0 : machine_read_gbs(256u << 20);
    printf("machine: FMA peak %.1f GFLOP/s (%s, 1 thread); read 13 MB %.1f GB/s, 256 MB %.1f GB/s\n",
           peak, fma_what, bw_l3, bw_dram);
    printf("%-24s %-13s %-13s %3s %9s %9s %8s %7s %7s %7s\n", "layer", "M x N x K", "kernel", "thr",
           "best us", "median us", "GFLOP/s", "%peak", "GB/s", "%bw13");

    for (size_t si = 0; si < sizeof SHAPES / sizeof SHAPES[0]; si++) {
        const shape *s = &SHAPES[si];
        if (only && !strstr(s->name, only)) continue;
        float *A = aligned_alloc(64, ((size_t)s->M * s->K * 4 + 63) / 64 * 64);
        float *B = malloc((size_t)s->K * s->N * 4);
        float *bias = malloc((size_t)s->N * 4);
        float *C = aligned_alloc(64, ((size_t)s->M * s->N * 4 + 63) / 64 * 64);
        fill(A, (size_t)s->M * s->K, 1);
        fill(B, (size_t)s->K * s->N, 2);
        fill(bias, (size_t)s->N, 3);
        const frost__act_params act = {s->act, 0, 0, false, 0, 0};
        /* One pass per fp32 ISA level, then the opt-in bf16 and int8 families when the CPU has
         * them. */
        for (int isa = 0; isa <= cpu->max_isa + 2; isa++) {
            frost__cpu c = *cpu;
            c.max_isa = isa;
            const frost__gemm_kernel *k = isa == cpu->max_isa + 1   ? frost__gemm_pick_bf16(cpu)
                                          : isa == cpu->max_isa + 2 ? frost__gemm_pick_int8(cpu)
                                                                    : frost__gemm_pick(&c);
            if (!k) continue;
            size_t pb = k->packed_bytes(s->K, s->N);
            void *packed = aligned_alloc(64, (pb + 63) / 64 * 64);
            k->pack(s->K, s->N, B, s->N, false, packed);
            for (int thr = 1; thr <= 2; thr++) {
                if (thr == 2 && s->N < 2 * k->n_align) continue;
                double med;
                double t = time_kernel(&med, k, s, A, bias, packed, C, &act, thr);
                double flops = 2.0 * s->M * s->N * s->K;
                double bytes = (double)pb + 4.0 * s->M * s->K + 4.0 * s->M * s->N;
                char dims[32];
                snprintf(dims, sizeof dims, "%dx%dx%d", s->M, s->N, s->K);
                printf("%-24s %-13s %-13s %3d %9.3f %9.3f %8.1f %6.1f%% %7.1f %6.1f%%\n", s->name, dims,
                       k->name, thr, t * 1e6, med * 1e6, flops / t / 1e9, 100 * flops / t / 1e9 / (peak * thr),
                       bytes / t / 1e9, 100 * bytes / t / 1e9 / bw_l3);
            }
            free(packed);
        }
        for (int b = 0; b < 2 && !s->cold; b++) {
            if (!blas[b].handle) continue;
            for (int gemv = 0; gemv <= (s->M == 1 && blas[b].sgemv); gemv++) {
                blas_job j = {&blas[b], s, A, B, C, gemv};
                double med, t = time_blas(&j, &med);
                double flops = 2.0 * s->M * s->N * s->K;
                double bytes = 4.0 * ((double)s->K * s->N + (double)s->M * s->K + (double)s->M * s->N);
                char dims[32], kname[24];
                snprintf(dims, sizeof dims, "%dx%dx%d", s->M, s->N, s->K);
                snprintf(kname, sizeof kname, "%s%s", blas[b].name, gemv ? "-gemv" : "");
                printf("%-24s %-13s %-13s %3d %9.3f %9.3f %8.1f %6.1f%% %7.1f %6.1f%%\n", s->name, dims,
                       kname, 1, t * 1e6, med * 1e6, flops / t / 1e9, 100 * flops / t / 1e9 / peak,
                       bytes / t / 1e9, 100 * bytes / t / 1e9 / bw_l3);
            }
        }
        free(A); free(B); free(bias); free(C);
    }
    for (int b = 0; b < 2; b++)
        if (blas[b].handle) dlclose(blas[b].handle);
    free(g_evict);
    return 0;
}
