/* bench_input_floor.c — what one beginner-sized prediction costs with no runtime around it, to
 * show how much of frost's per-call time is the runtime and how much any program would pay.
 *
 * Walks the Fashion-MNIST test images one call per image (as bench/compare does), pixels scaled to
 * [0,1], and times per call:
 *   copy            memcpy of the 3 KB image into an input buffer (one element read after it)
 *   copy + kernel   the same, then the CPU's packed fp32 GEMM kernel on it (Dense 784->10 with
 *                   the model's shape; no session, no softmax): the bare arithmetic's floor
 *   frost session   frost_session_set_input + frost_session_run on the model file (Dense +
 *                   softmax), the library as a caller uses it
 * each over all 10,000 images ("cold": the images, 31 MB, stream from memory) and over the first
 * 64 ("hot": they stay in L2, as an input a program has just written would be).
 * --loops rounds; each round runs every variant once, cold and hot, in turn (interleaved, so a
 * change in the machine's load hits all of them alike). Per variant the median over the rounds
 * of each loop's wall time and of its thread CPU time (CLOCK_THREAD_CPUTIME_ID: on a shared
 * machine the wall time also counts the slices other processes took), ms per 10,000 and ns per
 * call, then frost's call over the floor (frost session / copy + kernel) for both clocks.
 * Run it pinned (`taskset -c 0`). Compare the rows with ONNX Runtime's beginner time in
 * docs/benchmarks.md.
 * Usage: bench_input_floor [--data DIR] [--model FILE] [--loops L] */
#include "idx.h"
#include "kernels/gemm.h"

#include <frost.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { CALLS = 10000, HOT_IMAGES = 64, MAX_LOOPS = 64 };

static double clock_ms(clockid_t id) {
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec * 1e3 + 1e-6 * (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b) {
    const double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

typedef struct floor_ctx {
    const float *images; /* count x features */
    int64_t count, features;
    int classes;
    float *in, *out;
    const frost__gemm_kernel *kernel;
    const void *packed;
    const float *bias;
    frost_session *session;
    volatile float sink; /* keeps every loop's last result alive */
} floor_ctx;

enum { V_COPY, V_KERNEL, V_SESSION, N_VARIANTS };
static const char *VARIANT_NAMES[N_VARIANTS] = {"copy", "copy + kernel", "frost session"};

/* One loop of CALLS calls of `variant` over `span` images: wall ms, and thread CPU ms in *cpu. */
static double one_loop(floor_ctx *c, int variant, int64_t span, double *cpu) {
    const size_t bytes = (size_t)c->features * sizeof(float);
    float acc = 0;
    const double c0 = clock_ms(CLOCK_THREAD_CPUTIME_ID), t0 = clock_ms(CLOCK_MONOTONIC);
    for (int64_t i = 0; i < CALLS; i++) {
        const float *x = c->images + (size_t)(i % span) * (size_t)c->features;
        switch (variant) {
        case V_COPY:
            memcpy(c->in, x, bytes);
            acc += c->in[i % c->features];
            break;
        case V_KERNEL:
            memcpy(c->in, x, bytes);
            c->kernel->run(1, c->classes, (int)c->features, c->in, (int)c->features, c->packed,
                           c->bias, c->out, c->classes, NULL, 0, c->classes);
            acc += c->out[0];
            break;
        default:
            frost_session_set_input(c->session, 0, x, bytes, NULL);
            frost_session_run(c->session, NULL);
            acc += ((const float *)frost_session_output_data(c->session, 0, NULL))[0];
            break;
        }
    }
    const double ms = clock_ms(CLOCK_MONOTONIC) - t0;
    *cpu = clock_ms(CLOCK_THREAD_CPUTIME_ID) - c0;
    c->sink = acc;
    return ms;
}

int main(int argc, char **argv) {
    const char *dir = "/usr/share/datasets/fashion-mnist", *model = "models/fashion/beginner.onnx";
    int loops = 7;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--data") && i + 1 < argc) dir = argv[++i];
        else if (!strcmp(argv[i], "--model") && i + 1 < argc) model = argv[++i];
        else if (!strcmp(argv[i], "--loops") && i + 1 < argc) loops = atoi(argv[++i]);
        else {
            fprintf(stderr, "usage: bench_input_floor [--data DIR] [--model FILE] [--loops L]\n");
            return 2;
        }
    }
    if (loops < 1 || loops > MAX_LOOPS) loops = 7;

    frost_error err;
    idx_mnist set;
    if (idx_load_mnist(dir, "t10k", &set, &err) != FROST_OK) {
        fprintf(stderr, "bench_input_floor: %s\n", err.message);
        return 1;
    }
    frost_model *m = NULL;
    if (frost_model_load_file(model, NULL, &m, &err) != FROST_OK) {
        fprintf(stderr, "bench_input_floor: %s\n", err.message);
        idx_mnist_free(&set);
        return 1;
    }
    floor_ctx c = {.count = set.count, .features = set.rows * set.cols, .classes = 10};
    if (c.count < CALLS) {
        fprintf(stderr, "bench_input_floor: %s has %lld images, needs %d\n", set.images_path,
                (long long)c.count, CALLS);
        return 1;
    }
    float *images = malloc((size_t)c.count * (size_t)c.features * sizeof(float));
    for (size_t i = 0; i < (size_t)c.count * (size_t)c.features; i++)
        images[i] = (float)set.pixels[i] / 255.0f;
    c.images = images;
    c.in = aligned_alloc(64, 4096);
    c.out = aligned_alloc(64, 64);

    /* The kernel a Dense 784->10 gets on this CPU, on weights of the model's shape. */
    c.kernel = frost__gemm_pick(frost__cpu_get());
    float *w = malloc((size_t)c.features * (size_t)c.classes * sizeof(float));
    float *bias = calloc((size_t)c.classes, sizeof(float));
    for (int64_t i = 0; i < c.features * c.classes; i++) w[i] = (float)((i * 37) % 101 - 50) * 1e-3f;
    void *packed = aligned_alloc(64, (c.kernel->packed_bytes((int)c.features, c.classes) + 63) / 64 * 64);
    c.kernel->pack((int)c.features, c.classes, w, c.classes, false, packed);
    c.packed = packed;
    c.bias = bias;

    frost_session *s = NULL;
    if (frost_session_create(m, NULL, &s, &err) != FROST_OK || frost_session_plan(s, &err) != FROST_OK) {
        fprintf(stderr, "bench_input_floor: %s\n", err.message);
        return 1;
    }
    c.session = s;

    printf("%s: %lld images of %lld features, kernel %s, %d interleaved rounds of %d calls (median)\n", model,
           (long long)c.count, (long long)c.features, c.kernel->name, loops, CALLS);
    /* t[variant][hot][clock: 0 wall, 1 cpu][round] */
    static double t[N_VARIANTS][2][2][MAX_LOOPS];
    double ignored;
    for (int v = 0; v < N_VARIANTS; v++)
        for (int h = 0; h < 2; h++) one_loop(&c, v, h ? HOT_IMAGES : CALLS, &ignored); /* warm-up */
    for (int l = 0; l < loops; l++)
        for (int v = 0; v < N_VARIANTS; v++)
            for (int h = 0; h < 2; h++)
                t[v][h][0][l] = one_loop(&c, v, h ? HOT_IMAGES : CALLS, &t[v][h][1][l]);
    double med[N_VARIANTS][2][2];
    for (int v = 0; v < N_VARIANTS; v++)
        for (int h = 0; h < 2; h++)
            for (int k = 0; k < 2; k++) {
                qsort(t[v][h][k], (size_t)loops, sizeof(double), cmp_double);
                med[v][h][k] = t[v][h][k][loops / 2];
            }
    printf("  %-15s %22s %22s %22s %22s\n", "", "cold wall: ms (ns/call)", "cold cpu: ms (ns/call)",
           "hot wall: ms (ns/call)", "hot cpu: ms (ns/call)");
    for (int v = 0; v < N_VARIANTS; v++) {
        printf("  %-15s", VARIANT_NAMES[v]);
        for (int h = 0; h < 2; h++)
            for (int k = 0; k < 2; k++)
                printf(" %14.2f (%5.0f)", med[v][h][k], med[v][h][k] * 1e6 / CALLS);
        printf("\n");
    }
    printf("  %-15s", "session/floor");
    for (int h = 0; h < 2; h++)
        for (int k = 0; k < 2; k++) printf(" %21.3fx", med[V_SESSION][h][k] / med[V_KERNEL][h][k]);
    printf("\n");

    frost_session_free(s);
    frost_model_free(m);
    free(packed);
    free(w);
    free(bias);
    free(c.in);
    free(c.out);
    free(images);
    idx_mnist_free(&set);
    return 0;
}
