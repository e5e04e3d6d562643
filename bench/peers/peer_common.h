/* peer_common.h — what every peer benchmark shares, so that they all measure the same thing:
 * the MNIST-format IDX reader (gzip'd or not, through zlib), the command line, the timed loop
 * (one inference call per image, warm-up, N images per loop, several loops) and the one-line JSON
 * result that bench/compare turns into the table.
 *
 * Header-only C usable from C++ (each peer is a single translation unit). A peer supplies one
 * function, `predict(ctx, image) -> class`, that runs exactly one inference for one image; the
 * loop around it is here so no peer gets a different loop. It must never batch images, never
 * cache results across calls, and never time anything but the calls themselves. Errors print a
 * message and exit(2); bench/compare reports them as "failed" rather than comparing a broken run.
 */
#ifndef FROST_BENCH_PEER_COMMON_H
#define FROST_BENCH_PEER_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#define PEER_MAX_LOOPS 100

typedef struct {
    const char *model;      /* model file the peer loads */
    const char *data_dir;   /* directory with t10k-{images-idx3,labels-idx1}-ubyte[.gz] */
    const char *lib;        /* peer-specific: shared library to load (ONNX Runtime) */
    const char *runtime;    /* label in the JSON line */
    int n, loops, warmup, threads;
    int nchw;               /* 1: feed [1,1,28,28]; 0: feed [1,784] (same bytes either way) */
} peer_args;

typedef struct {
    int count, rows, cols;
    float *pixels;          /* count * rows * cols, scaled to [0,1] */
    uint8_t *labels;
} peer_data;

static void peer_die(const char *what, const char *detail)
{
    fprintf(stderr, "peer: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    exit(2);
}

/* Reads a whole gzip'd-or-plain file; zlib's gzread passes plain files through unchanged. */
static uint8_t *peer_read_gz(const char *path, size_t *len)
{
    gzFile f = gzopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 20, n = 0;
    uint8_t *buf = (uint8_t *)malloc(cap);
    if (!buf) peer_die("out of memory", path);
    for (;;) {
        if (n == cap) {
            cap *= 2;
            uint8_t *grown = (uint8_t *)realloc(buf, cap);
            if (!grown) peer_die("out of memory", path);
            buf = grown;
        }
        int got = gzread(f, buf + n, (unsigned)(cap - n));
        if (got < 0) { gzclose(f); free(buf); peer_die("cannot decompress", path); }
        if (got == 0) break;
        n += (size_t)got;
    }
    gzclose(f);
    *len = n;
    return buf;
}

static uint32_t peer_be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static uint8_t *peer_open_idx(const char *dir, const char *stem, int want_dims, uint32_t dims[3], size_t *len)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.gz", dir, stem);
    uint8_t *buf = peer_read_gz(path, len);
    if (!buf) {
        snprintf(path, sizeof path, "%s/%s", dir, stem);
        buf = peer_read_gz(path, len);
    }
    if (!buf) peer_die("cannot open IDX file", path);
    if (*len < 4 + 4u * (size_t)want_dims || buf[0] || buf[1] || buf[2] != 8 || buf[3] != want_dims)
        peer_die("not an unsigned-byte IDX file of the expected rank", path);
    uint64_t total = 1;
    for (int i = 0; i < want_dims; i++) {
        dims[i] = peer_be32(buf + 4 + 4 * i);
        total *= dims[i];
    }
    if (total != *len - 4 - 4u * (size_t)want_dims) peer_die("IDX header and file size disagree", path);
    return buf;
}

static peer_data peer_load_data(const char *dir, int limit)
{
    peer_data d;
    uint32_t idims[3], ldims[3];
    size_t ilen, llen;
    uint8_t *img = peer_open_idx(dir, "t10k-images-idx3-ubyte", 3, idims, &ilen);
    uint8_t *lab = peer_open_idx(dir, "t10k-labels-idx1-ubyte", 1, ldims, &llen);
    if (idims[0] != ldims[0]) peer_die("image and label counts differ", dir);
    if (idims[1] != 28 || idims[2] != 28) peer_die("images are not 28x28", dir);
    d.count = (int)idims[0] < limit ? (int)idims[0] : limit;
    d.rows = 28;
    d.cols = 28;
    d.pixels = (float *)malloc((size_t)d.count * 784 * sizeof(float));
    d.labels = (uint8_t *)malloc((size_t)d.count);
    if (!d.pixels || !d.labels) peer_die("out of memory", NULL);
    for (size_t i = 0; i < (size_t)d.count * 784; i++) d.pixels[i] = img[16 + i] / 255.0f;
    memcpy(d.labels, lab + 8, (size_t)d.count);
    free(img);
    free(lab);
    return d;
}

static void peer_usage(const char *argv0)
{
    fprintf(stderr,
            "usage: %s --model FILE --data DIR [--n 10000] [--loops 5] [--warmup N] [--threads 1]\n"
            "          [--layout flat|nchw] [--lib libonnxruntime.so.1] [--runtime LABEL]\n", argv0);
    exit(2);
}

static peer_args peer_parse(int argc, char **argv, const char *default_runtime)
{
    peer_args a;
    memset(&a, 0, sizeof a);
    a.n = 10000;
    a.loops = 5;
    a.warmup = -1;
    a.threads = 1;
    a.runtime = default_runtime;
    for (int i = 1; i < argc; i++) {
        const char *k = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v) peer_usage(argv[0]);
        if (!strcmp(k, "--model")) a.model = v;
        else if (!strcmp(k, "--data")) a.data_dir = v;
        else if (!strcmp(k, "--lib")) a.lib = v;
        else if (!strcmp(k, "--runtime")) a.runtime = v;
        else if (!strcmp(k, "--n")) a.n = atoi(v);
        else if (!strcmp(k, "--loops")) a.loops = atoi(v);
        else if (!strcmp(k, "--warmup")) a.warmup = atoi(v);
        else if (!strcmp(k, "--threads")) a.threads = atoi(v);
        else if (!strcmp(k, "--layout")) a.nchw = !strcmp(v, "nchw");
        else peer_usage(argv[0]);
        i++;
    }
    if (!a.model || !a.data_dir || a.n < 1 || a.loops < 1 || a.loops > PEER_MAX_LOOPS || a.threads < 1)
        peer_usage(argv[0]);
    if (a.warmup < 0) a.warmup = a.n / 10 < 100 ? 100 : a.n / 10;
    return a;
}

static double peer_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int peer_argmax10(const float *p)
{
    int best = 0;
    for (int i = 1; i < 10; i++)
        if (p[i] > p[best]) best = i;
    return best;
}

static int peer_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

typedef int (*peer_predict_fn)(void *ctx, const float *image);

/* The measured loop. `n` predictions per loop, cycling through the images if n exceeds them. */
static void peer_run(const peer_args *a, const peer_data *d, peer_predict_fn predict, void *ctx,
                     const char *version)
{
    int total = a->n, images = d->count;
    for (int i = 0; i < a->warmup; i++) predict(ctx, d->pixels + (size_t)(i % images) * 784);
    double loop_ms[PEER_MAX_LOOPS];
    long correct_first = 0;
    int agree = 1;
    for (int l = 0; l < a->loops; l++) {
        long correct = 0;
        double t0 = peer_now_ms();
        for (int i = 0; i < total; i++) {
            int k = i % images;
            correct += predict(ctx, d->pixels + (size_t)k * 784) == d->labels[k];
        }
        loop_ms[l] = peer_now_ms() - t0;
        if (l == 0) correct_first = correct;
        else if (correct != correct_first) agree = 0;
        fprintf(stderr, "  %s: loop %d/%d %.1f ms\n", a->runtime, l + 1, a->loops, loop_ms[l]);
    }
    double sorted[PEER_MAX_LOOPS], sum = 0;
    memcpy(sorted, loop_ms, sizeof(double) * (size_t)a->loops);
    qsort(sorted, (size_t)a->loops, sizeof(double), peer_cmp_double);
    for (int l = 0; l < a->loops; l++) sum += loop_ms[l];
    double median = a->loops % 2 ? sorted[a->loops / 2]
                                 : (sorted[a->loops / 2 - 1] + sorted[a->loops / 2]) / 2;
    printf("{\"runtime\": \"%s\", \"version\": \"%s\", \"model\": \"%s\", \"n\": %d, \"loops\": %d, "
           "\"warmup\": %d, \"threads\": %d, \"loop_ms\": [",
           a->runtime, version, a->model, total, a->loops, a->warmup, a->threads);
    for (int l = 0; l < a->loops; l++) printf("%s%.3f", l ? ", " : "", loop_ms[l]);
    printf("], \"ms_per_n\": {\"mean\": %.3f, \"min\": %.3f, \"median\": %.3f}, "
           "\"accuracy\": %.6f, \"correct\": %ld, \"loops_agree\": %s}\n",
           sum / a->loops, sorted[0], median, (double)correct_first / total, correct_first,
           agree ? "true" : "false");
    fflush(stdout);
}

#endif
