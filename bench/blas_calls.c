/* blas_calls.c — an LD_PRELOAD census of the CBLAS calls a program makes, for bench/blas_compare:
 * it states which layers of a model really went through the BLAS by counting them, instead of
 * inferring it from the routing rules. Wraps cblas_sgemm and cblas_sgemv, counts calls per shape,
 * forwards to the real functions (dlsym RTLD_NEXT), and at exit writes one line per shape to the
 * file named by $BLAS_CALLS_OUT:  <function> <M or rows> <N or cols> <K or -> <calls>
 * Not part of the library or its tests: bench/blas_compare compiles it with cc -shared. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define MAX_SHAPES 64

typedef struct shape_count {
    const char *fn;
    int m, n, k;
    long long calls;
} shape_count;

static shape_count g_shapes[MAX_SHAPES];
static int g_n_shapes;
static long long g_dropped;
static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;

static void count(const char *fn, int m, int n, int k) {
    pthread_mutex_lock(&g_mu);
    int i = 0;
    while (i < g_n_shapes && !(g_shapes[i].fn == fn && g_shapes[i].m == m && g_shapes[i].n == n &&
                               g_shapes[i].k == k))
        i++;
    if (i == g_n_shapes && g_n_shapes < MAX_SHAPES)
        g_shapes[g_n_shapes++] = (shape_count){fn, m, n, k, 0};
    if (i < g_n_shapes) g_shapes[i].calls++;
    else g_dropped++;
    pthread_mutex_unlock(&g_mu);
}

/* The CBLAS enums are ints in every implementation's ABI. */
typedef void (*sgemm_fn)(int, int, int, int, int, int, float, const float *, int, const float *,
                         int, float, float *, int);
typedef void (*sgemv_fn)(int, int, int, int, float, const float *, int, const float *, int, float,
                         float *, int);

static sgemm_fn real_sgemm;
static sgemv_fn real_sgemv;

/* Resolved once before main, so worker threads only read the pointers. */
__attribute__((constructor)) static void resolve(void) {
    real_sgemm = (sgemm_fn)dlsym(RTLD_NEXT, "cblas_sgemm");
    real_sgemv = (sgemv_fn)dlsym(RTLD_NEXT, "cblas_sgemv");
}

void cblas_sgemm(int order, int ta, int tb, int M, int N, int K, float alpha, const float *A,
                 int lda, const float *B, int ldb, float beta, float *C, int ldc) {
    count("cblas_sgemm", M, N, K);
    real_sgemm(order, ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

void cblas_sgemv(int order, int trans, int M, int N, float alpha, const float *A, int lda,
                 const float *X, int incx, float beta, float *Y, int incy) {
    count("cblas_sgemv", M, N, -1);
    real_sgemv(order, trans, M, N, alpha, A, lda, X, incx, beta, Y, incy);
}

__attribute__((destructor)) static void report(void) {
    const char *path = getenv("BLAS_CALLS_OUT");
    FILE *f = path ? fopen(path, "w") : NULL;
    if (!f) return;
    for (int i = 0; i < g_n_shapes; i++)
        fprintf(f, "%s %d %d %d %lld\n", g_shapes[i].fn, g_shapes[i].m, g_shapes[i].n,
                g_shapes[i].k, g_shapes[i].calls);
    if (g_dropped) fprintf(f, "other-shapes 0 0 0 %lld\n", g_dropped);
    fclose(f);
}
