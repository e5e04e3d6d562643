/* cmd_bench.c — `frost bench MODEL --data DIR ...`: the project's founding benchmark. It loads the
 * MNIST-format test set into memory, then times one call per image (or per batch) — set the input,
 * run, read the output — over several loops, and reports latency percentiles, throughput, accuracy
 * against the labels, first-call latency and the heap allocations made by frost during the timed
 * loops (counted through a frost_allocator; there must be none).
 *
 * The timed loop must never do I/O, allocate, or convert data: everything it feeds is prepared
 * before the clock starts, and the progress bar is drawn only between loops.
 */
#include "cli.h"
#include "idx.h"
#include "machine_peak.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static const char bench_help[] =
    "usage: frost bench MODEL [--data DIR] [--n 10000] [--loops 5] [--warmup N] [--batch B]\n"
    "                   [--threads T] [--layout flat|hw|nhwc|nchw] [--input NAME]\n"
    "                   [--output NAME] [--precision f32|bf16|int8] [--set NAME=VALUE] [--json]\n"
    "\n"
    "Times MODEL one prediction at a time on the MNIST-format test set in DIR\n"
    "(t10k-images-idx3-ubyte[.gz] and t10k-labels-idx1-ubyte[.gz]). Images are scaled to [0,1]\n"
    "and fed as the model's input expects, chosen from its shape: flat [B,784], [B,28,28],\n"
    "NHWC [B,28,28,1] or NCHW [B,1,28,28]. All images are loaded before timing; each timed call\n"
    "is set-input + run + read-output. Reports, per loop and overall: ms per N predictions\n"
    "(mean, min, median), us per prediction (p50, p90, p99, max), predictions per second,\n"
    "accuracy (argmax of the output against the labels), first-call latency, and heap\n"
    "allocations made by frost during the timed loops (must be 0: exit code 1 otherwise).\n"
    "\n"
    "  --data DIR        the test set; without it, random inputs (no accuracy)\n"
    "  --n N             predictions per loop (default 10000, at most the images in DIR)\n"
    "  --loops L         timed loops (default 5)\n"
    "  --warmup W        untimed calls before the loops (default 100, or fewer if N is smaller)\n"
    "  --batch B         images per call (default 1)\n"
    "  --threads T       worker threads (default 1: the calling thread only)\n"
    "  --layout L        override the layout chosen from the input's shape\n"
    "  --input NAME      the input to feed (default: the model's only input)\n"
    "  --output NAME     the tensor to read (default: the model's first output)\n"
    "  --json            print one JSON object for scripts\n"
    CLI_LOAD_FLAGS_HELP
    "                    (bf16 needs AVX512_BF16, int8 AVX512_VNNI; other CPUs stay f32)\n";

typedef enum layout {
    LAYOUT_AUTO, LAYOUT_FLAT, LAYOUT_HW, LAYOUT_NHWC, LAYOUT_NCHW,
    LAYOUT_MODEL   /* random inputs in the model's own shape (not image-like) */
} layout;
static const char *const layout_names[] = {"auto", "flat", "hw", "nhwc", "nchw", "model"};

static const char *precision_name(int precision) {
    return precision == FROST_PRECISION_BF16 ? "bf16" : precision == FROST_PRECISION_INT8 ? "int8" : "f32";
}

typedef struct bench_args {
    const char *model, *data, *input, *output;
    int64_t n, loops, warmup, batch, threads;
    bool n_given, warmup_given, json;
    layout layout;
    cli_load_flags load; /* --set, --precision, ... */
} bench_args;

/* Counts frost's allocations; may be called from worker threads. */
typedef struct counting_allocator {
    frost_allocator base;
    long allocs, frees;
} counting_allocator;

static void *counting_alloc(void *user, size_t bytes, size_t align) {
    counting_allocator *c = user;
    __atomic_fetch_add(&c->allocs, 1, __ATOMIC_RELAXED);
    void *p = NULL;
    if (align < sizeof(void *)) align = sizeof(void *);
    if (posix_memalign(&p, align, bytes ? bytes : 1) != 0) return NULL;
    return p;
}

static void counting_free(void *user, void *ptr) {
    counting_allocator *c = user;
    if (!ptr) return;
    __atomic_fetch_add(&c->frees, 1, __ATOMIC_RELAXED);
    free(ptr);
}

static long allocs_now(counting_allocator *c) {
    return __atomic_load_n(&c->allocs, __ATOMIC_RELAXED);
}

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}

static int compare_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Nearest-rank percentile of a sorted array. */
static double percentile(const double *sorted, size_t n, double p) {
    if (n == 0) return NAN;
    size_t rank = (size_t)ceil(p / 100.0 * (double)n);
    if (rank < 1) rank = 1;
    if (rank > n) rank = n;
    return sorted[rank - 1];
}

static double median(const double *v, size_t n) {
    double *s = malloc(n * sizeof *s);
    if (!s) return NAN;
    memcpy(s, v, n * sizeof *s);
    qsort(s, n, sizeof *s, compare_double);
    double m = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    free(s);
    return m;
}

/* ---- choosing how to feed an image ------------------------------------------------------------ */

/* The full input shape for a layout, batch b and h x w images. Returns the rank. */
static int layout_dims(layout l, int64_t b, int64_t h, int64_t w, int64_t *dims) {
    switch (l) {
    case LAYOUT_FLAT: dims[0] = b; dims[1] = h * w; return 2;
    case LAYOUT_HW: dims[0] = b; dims[1] = h; dims[2] = w; return 3;
    case LAYOUT_NHWC: dims[0] = b; dims[1] = h; dims[2] = w; dims[3] = 1; return 4;
    case LAYOUT_NCHW: dims[0] = b; dims[1] = 1; dims[2] = h; dims[3] = w; return 4;
    default: return -1;
    }
}

/* Does the model's input (with -1 wildcards) accept that shape? A rank-1 [h*w] input (no batch
 * dimension) accepts the flat layout when b is 1. */
static bool accepts(const frost_tensor_info *in, layout l, int64_t b, int64_t h, int64_t w,
                    int *rank, int64_t *dims) {
    int r = layout_dims(l, b, h, w, dims);
    if (l == LAYOUT_FLAT && in->rank == 1 && b == 1) {
        dims[0] = h * w;
        r = 1;
    }
    if (in->rank >= 0 && in->rank != r) return false;
    for (int i = 0; in->rank >= 0 && i < r; i++)
        if (in->dims[i] >= 0 && in->dims[i] != dims[i]) return false;
    *rank = r;
    return true;
}

/* Picks the layout (or checks the requested one). Prints why on failure. */
static bool choose_layout(const bench_args *a, const frost_tensor_info *in, frost_format format,
                          int64_t h, int64_t w, bool quiet, layout *out, int *rank, int64_t *dims) {
    char shape[256];
    cli_shape(in, shape, sizeof shape);
    if (a->layout != LAYOUT_AUTO) {
        if (accepts(in, a->layout, a->batch, h, w, rank, dims)) {
            *out = a->layout;
            return true;
        }
        int64_t want[4];
        int r = layout_dims(a->layout, a->batch, h, w, want);
        frost_tensor_info t = {0};
        t.rank = r;
        memcpy(t.dims, want, (size_t)r * sizeof *want);
        char wanted[128];
        fprintf(stderr, "frost bench: --layout %s feeds %s but input '%s' is %s\n",
                layout_names[a->layout], cli_shape(&t, wanted, sizeof wanted), cli_text(in->name), shape);
        return false;
    }
    layout found[4];
    int n_found = 0;
    for (layout l = LAYOUT_FLAT; l <= LAYOUT_NCHW; l++) {
        int r;
        int64_t d[FROST_MAX_RANK];
        if (accepts(in, l, a->batch, h, w, &r, d)) found[n_found++] = l;
    }
    if (n_found == 0) {
        if (quiet) return false;
        bool batch_clash = in->rank >= 1 && in->dims[0] >= 0 && in->dims[0] != a->batch;
        if (batch_clash && in->rank > 1)
            fprintf(stderr, "frost bench: input '%s' is %s: its batch is fixed at %" PRId64
                            "; use --batch %" PRId64 "\n",
                    in->name, shape, in->dims[0], in->dims[0]);
        else
            fprintf(stderr,
                    "frost bench: input '%s' is %s %s: it can't take %" PRId64 "x%" PRId64
                    " images (frost bench feeds [B,%" PRId64 "], [B,%" PRId64 ",%" PRId64
                    "], [B,%" PRId64 ",%" PRId64 ",1] or [B,1,%" PRId64 ",%" PRId64 "])\n",
                    in->name, frost_dtype_name(in->dtype), shape, h, w, h * w, h, w, h, w, h, w);
        return false;
    }
    *out = found[0];
    if (n_found > 1) {
        /* Only a 4-D input with unknown spatial dims is ambiguous: go with the format's habit. */
        *out = format == FROST_FORMAT_ONNX ? LAYOUT_NCHW : LAYOUT_NHWC;
        bool listed = false;
        for (int i = 0; i < n_found; i++) listed |= found[i] == *out;
        if (!listed) *out = found[0];
        fprintf(stderr, "frost bench: note: input '%s' is %s, which fits several layouts; using %s "
                        "(choose with --layout)\n",
                cli_text(in->name), shape, layout_names[*out]);
    }
    return accepts(in, *out, a->batch, h, w, rank, dims);
}

/* ---- the benchmark ---------------------------------------------------------------------------- */

typedef struct bench_result {
    int64_t calls, per_loop, classes;
    double load_ms, session_ms, first_call_ms;
    double *loop_ms;          /* per loop */
    double *call_us;          /* per call, all loops */
    int64_t correct;          /* first loop; -1: not measured */
    int64_t *loop_correct;    /* per loop */
    bool loops_agree;
    long first_call_allocs, timed_allocs, timed_frees;
    size_t arena_bytes;
    layout layout;
    int input_rank;
    int64_t input_dims[FROST_MAX_RANK];
    frost_tensor_info output;
    const char *input_name, *output_name;
    int64_t image_h, image_w, images_available;
    const char *note;         /* why accuracy is not measured */
    /* Roofline: the plan's work per call against this machine's limits, measured after the loops. */
    bool have_cost;
    frost_cost cost;
    double peak_gflops;       /* one thread's FMA peak */
    const char *peak_what;
    double read_gbs;          /* one thread's read rate over a buffer the size of the weights */
} bench_result;

/* The roofline at a per-call time: rates reached and the fraction of the bound reached. */
typedef struct roofline {
    double gflops, gbs, bound_us, fraction;
} roofline;

static roofline roofline_at(const bench_result *r, const bench_args *a, double call_us) {
    roofline f = {0};
    if (!r->have_cost || call_us <= 0) return f;
    const double bytes = r->cost.weight_bytes + r->cost.io_bytes;
    f.gflops = r->cost.flops / (call_us * 1e3);
    f.gbs = bytes / (call_us * 1e3);
    const double flop_us = r->peak_gflops > 0 ? r->cost.flops / (r->peak_gflops * (double)a->threads * 1e3) : 0;
    const double byte_us = r->read_gbs > 0 ? bytes / (r->read_gbs * 1e3) : 0;
    f.bound_us = flop_us > byte_us ? flop_us : byte_us;
    f.fraction = f.bound_us / call_us;
    return f;
}

/* Index of the largest of n scores (first one on ties). */
static int64_t argmax(const void *data, frost_dtype t, int64_t n) {
    int64_t best = 0;
    if (t == FROST_DTYPE_F32) {
        const float *v = data;
        for (int64_t i = 1; i < n; i++)
            if (v[i] > v[best]) best = i;
    } else {
        const double *v = data;
        for (int64_t i = 1; i < n; i++)
            if (v[i] > v[best]) best = i;
    }
    return best;
}

/* How to read a predicted class from the output: scores to argmax, or a class index itself. */
typedef enum reading { READ_NONE, READ_ARGMAX, READ_INDEX } reading;

static int64_t count_correct(const void *out, frost_dtype t, reading how, int64_t classes,
                             const uint8_t *labels, int64_t batch) {
    int64_t correct = 0;
    for (int64_t b = 0; b < batch; b++) {
        int64_t predicted;
        if (how == READ_ARGMAX)
            predicted = argmax((const char *)out + (size_t)(b * classes) * frost_dtype_size(t), t,
                               classes);
        else if (t == FROST_DTYPE_I64)
            predicted = ((const int64_t *)out)[b];
        else
            predicted = ((const int32_t *)out)[b];
        correct += predicted == labels[b];
    }
    return correct;
}

/* p50 and p99 of one loop's calls, in µs per prediction. */
static void loop_percentiles(const bench_result *r, const bench_args *a, int64_t loop, double *p50,
                             double *p99) {
    size_t n = (size_t)r->calls;
    double *s = malloc(n * sizeof *s);
    *p50 = *p99 = NAN;
    if (!s) return;
    for (size_t i = 0; i < n; i++) s[i] = r->call_us[(size_t)loop * n + i] / (double)a->batch;
    qsort(s, n, sizeof *s, compare_double);
    *p50 = percentile(s, n, 50);
    *p99 = percentile(s, n, 99);
    free(s);
}

static void progress(int loop, int loops) {
    const int width = 30;
    int done = loops ? width * loop / loops : width;
    fprintf(stderr, "\rfrost bench: [");
    for (int i = 0; i < width; i++) fputc(i < done ? '#' : '.', stderr);
    fprintf(stderr, "] loop %d/%d", loop, loops);
    if (loop == loops) fprintf(stderr, "\r\033[K");
    fflush(stderr);
}

static void print_text(const bench_args *a, const frost_model *m, const bench_result *r,
                       const idx_mnist *data) {
    char buf1[64], buf2[64], in_shape[128], out_shape[128];
    frost_tensor_info t = {0};
    t.rank = r->input_rank;
    memcpy(t.dims, r->input_dims, sizeof t.dims);
    cli_shape(&t, in_shape, sizeof in_shape);
    cli_shape(&r->output, out_shape, sizeof out_shape);
    printf("frost bench %s (%s)\n", a->model, cli_format_title(frost_model_format(m)));
    if (data)
        printf("  data      %s: %" PRId64 " images %" PRId64 "x%" PRId64 ", using %" PRId64 "\n",
               data->images_path, data->count, data->rows, data->cols, r->per_loop);
    else
        printf("  data      random inputs in [0,1) (no --data): accuracy not measured\n");
    printf("  input     %s %s (%s), output %s %s %s\n", cli_text(r->input_name), in_shape,
           layout_names[r->layout], cli_text(r->output_name), frost_dtype_name(r->output.dtype), out_shape);
    printf("  setup     load %.2f ms, session %.2f ms, arena %s, threads %" PRId64 ", batch %" PRId64
           "%s%s\n",
           r->load_ms, r->session_ms, cli_bytes((int64_t)r->arena_bytes, buf1, sizeof buf1),
           a->threads, a->batch, a->load.precision == FROST_PRECISION_F32 ? "" : ", weights ",
           a->load.precision == FROST_PRECISION_F32 ? "" : precision_name(a->load.precision));
    printf("  first     %.1f µs (first call after frost_session_plan; %ld allocations)\n",
           r->first_call_ms * 1e3, r->first_call_allocs);
    printf("  warmup    %" PRId64 " calls\n", a->warmup);
    for (int64_t l = 0; l < a->loops; l++) {
        double p50, p99;
        loop_percentiles(r, a, l, &p50, &p99);
        printf("  loop %-4" PRId64 " %.3f ms / %" PRId64 " predictions  (p50 %.3f µs, p99 %.3f µs",
               l + 1, r->loop_ms[l], r->per_loop, p50, p99);
        if (r->correct >= 0)
            printf(", accuracy %.2f%%", 100.0 * (double)r->loop_correct[l] / (double)r->per_loop);
        printf(")\n");
    }
    double mean = 0, min = INFINITY, total = 0;
    for (int64_t l = 0; l < a->loops; l++) {
        mean += r->loop_ms[l] / (double)a->loops;
        if (r->loop_ms[l] < min) min = r->loop_ms[l];
        total += r->loop_ms[l];
    }
    size_t n = (size_t)(r->calls * a->loops);
    double *sorted = malloc(n * sizeof *sorted);
    if (sorted) {
        for (size_t i = 0; i < n; i++) sorted[i] = r->call_us[i] / (double)a->batch;
        qsort(sorted, n, sizeof *sorted, compare_double);
    }
    printf("ms per %" PRId64 " predictions:  mean %.3f  min %.3f  median %.3f\n", r->per_loop,
           mean, min, median(r->loop_ms, (size_t)a->loops));
    if (sorted)
        printf("µs per prediction:  p50 %.3f  p90 %.3f  p99 %.3f  max %.3f\n",
               percentile(sorted, n, 50), percentile(sorted, n, 90), percentile(sorted, n, 99),
               sorted[n - 1]);
    if (sorted && r->have_cost) {
        char wb[32], ib[32];
        const double b = (double)a->batch;
        printf("work      %.3g MFLOP, weights %s, in+out %s per prediction (convolutions counted as "
               "direct)\n",
               r->cost.flops / b / 1e6, cli_bytes((int64_t)(r->cost.weight_bytes / b), wb, sizeof wb),
               cli_bytes((int64_t)(r->cost.io_bytes / b), ib, sizeof ib));
        const roofline f = roofline_at(r, a, percentile(sorted, n, 50) * b);
        printf("roofline  at p50: %.1f GFLOP/s (%.0f%% of the %.1f GFLOP/s FMA peak x %" PRId64
               " thread%s), %.1f GB/s (%.0f%% of the %.1f GB/s read rate at the weights' size); the "
               "limits allow %.3f µs per prediction: %.0f%% of it reached\n",
               f.gflops, r->peak_gflops > 0 ? 100.0 * f.gflops / (r->peak_gflops * (double)a->threads) : 0,
               r->peak_gflops, a->threads, a->threads == 1 ? "" : "s", f.gbs,
               r->read_gbs > 0 ? 100.0 * f.gbs / r->read_gbs : 0, r->read_gbs, f.bound_us / b,
               100.0 * f.fraction);
#ifndef __OPTIMIZE__
        printf("          (an unoptimized build of frost bench: its peak figures are understated)\n");
#endif
    }
    printf("predictions per second: %s\n",
           cli_thousands((int64_t)llround((double)(r->per_loop * a->loops) / (total / 1e3)), buf2,
                         sizeof buf2));
    if (r->correct >= 0)
        printf("accuracy: %.2f%% (%" PRId64 "/%" PRId64 ")%s\n",
               100.0 * (double)r->correct / (double)r->per_loop, r->correct, r->per_loop,
               r->loops_agree ? "" : "  (loops disagree: non-deterministic output!)");
    else
        printf("accuracy: not measured (%s)\n", r->note);
    printf("heap allocations during timed loops: %ld (frees %ld)\n", r->timed_allocs,
           r->timed_frees);
    free(sorted);
}

static void print_json(const bench_args *a, const frost_model *m, const bench_result *r,
                       const idx_mnist *data) {
    printf("{\"model\": ");
    cli_json_string(stdout, a->model);
    printf(", \"format\": \"%s\", \"data\": ", cli_format_id(frost_model_format(m)));
    cli_json_string(stdout, data ? data->images_path : NULL);
    printf(", \"random_inputs\": %s", data ? "false" : "true");
    printf(", \"input\": ");
    cli_json_string(stdout, r->input_name);
    frost_tensor_info t = {0};
    t.rank = r->input_rank;
    memcpy(t.dims, r->input_dims, sizeof t.dims);
    printf(", \"input_shape\": ");
    cli_json_shape(stdout, &t);
    printf(", \"layout\": \"%s\", \"output\": ", layout_names[r->layout]);
    cli_json_string(stdout, r->output_name);
    printf(", \"output_shape\": ");
    cli_json_shape(stdout, &r->output);
    printf(", \"n\": %" PRId64 ", \"loops\": %" PRId64 ", \"warmup\": %" PRId64
           ", \"batch\": %" PRId64 ", \"threads\": %" PRId64,
           r->per_loop, a->loops, a->warmup, a->batch, a->threads);
    printf(", \"precision\": \"%s\"", precision_name(a->load.precision));
    printf(", \"load_ms\": %.3f, \"session_ms\": %.3f, \"arena_bytes\": %zu", r->load_ms,
           r->session_ms, r->arena_bytes);
    printf(", \"first_call_us\": %.3f, \"first_call_allocations\": %ld", r->first_call_ms * 1e3,
           r->first_call_allocs);
    printf(", \"loop_ms\": [");
    double mean = 0, min = INFINITY, total = 0;
    for (int64_t l = 0; l < a->loops; l++) {
        printf("%s%.3f", l ? ", " : "", r->loop_ms[l]);
        mean += r->loop_ms[l] / (double)a->loops;
        if (r->loop_ms[l] < min) min = r->loop_ms[l];
        total += r->loop_ms[l];
    }
    printf("], \"loops_detail\": [");
    for (int64_t l = 0; l < a->loops; l++) {
        double p50, p99;
        loop_percentiles(r, a, l, &p50, &p99);
        printf("%s{\"ms\": %.3f, \"us_p50\": %.3f, \"us_p99\": %.3f", l ? ", " : "",
               r->loop_ms[l], p50, p99);
        if (r->correct >= 0) printf(", \"correct\": %" PRId64, r->loop_correct[l]);
        printf("}");
    }
    printf("], \"ms_per_n\": {\"mean\": %.3f, \"min\": %.3f, \"median\": %.3f}", mean, min,
           median(r->loop_ms, (size_t)a->loops));
    size_t n = (size_t)(r->calls * a->loops);
    double *sorted = malloc(n * sizeof *sorted);
    if (sorted) {
        for (size_t i = 0; i < n; i++) sorted[i] = r->call_us[i] / (double)a->batch;
        qsort(sorted, n, sizeof *sorted, compare_double);
        printf(", \"us_per_prediction\": {\"p50\": %.3f, \"p90\": %.3f, \"p99\": %.3f, "
               "\"max\": %.3f}",
               percentile(sorted, n, 50), percentile(sorted, n, 90), percentile(sorted, n, 99),
               sorted[n - 1]);
        if (r->have_cost) {
            const roofline f = roofline_at(r, a, percentile(sorted, n, 50) * (double)a->batch);
            printf(", \"cost_per_call\": {\"flops\": %.0f, \"weight_bytes\": %.0f, \"io_bytes\": %.0f}"
                   ", \"machine\": {\"fma_peak_gflops_1_thread\": %.1f, \"fma_loop\": \"%s\", "
                   "\"read_gbs_at_weights_size\": %.1f}"
                   ", \"roofline_at_p50\": {\"gflops\": %.2f, \"gbs\": %.2f, \"bound_us_per_call\": %.3f, "
                   "\"fraction_of_bound\": %.3f}",
                   r->cost.flops, r->cost.weight_bytes, r->cost.io_bytes, r->peak_gflops,
                   r->peak_what ? r->peak_what : "none", r->read_gbs, f.gflops, f.gbs, f.bound_us,
                   f.fraction);
        }
        free(sorted);
    }
    printf(", \"predictions_per_second\": %.1f",
           (double)(r->per_loop * a->loops) / (total / 1e3));
    if (r->correct >= 0)
        printf(", \"accuracy\": %.6f, \"correct\": %" PRId64 ", \"loops_agree\": %s",
               (double)r->correct / (double)r->per_loop, r->correct,
               r->loops_agree ? "true" : "false");
    else
        printf(", \"accuracy\": null, \"correct\": null");
    printf(", \"allocations_during_timed_loops\": %ld, \"frees_during_timed_loops\": %ld}\n",
           r->timed_allocs, r->timed_frees);
}

/* Images scaled to [0,1] as floats, in C order (the same bytes for every layout since C is 1). */
static float *prepare_images(const idx_mnist *d, int64_t count) {
    size_t pixels = (size_t)(count * d->rows * d->cols);
    float *x = malloc(pixels * sizeof *x);
    if (!x) return NULL;
    for (size_t i = 0; i < pixels; i++) x[i] = (float)d->pixels[i] * (1.0f / 255.0f);
    return x;
}

static int bench(bench_args *a) {
    const char *cmd = "bench";
    int rc = CLI_EXIT_RUNTIME;
    idx_mnist data = {0};
    bool have_data = a->data != NULL;
    frost_error err = {0};
    frost_model *m = NULL;
    frost_session *s = NULL;
    float *inputs = NULL;
    bench_result r = {0};
    r.correct = -1;
    counting_allocator counter = {{counting_alloc, counting_free, NULL}, 0, 0};
    counter.base.user = &counter;

    /* Data first: a wrong DIR fails before the model load. */
    if (have_data) {
        if (idx_load_mnist(a->data, "t10k", &data, &err) != FROST_OK) {
            cli_print_error(cmd, "cannot read the test set", &err);
            goto done;
        }
        r.image_h = data.rows;
        r.image_w = data.cols;
        r.images_available = data.count;
        if (a->n > data.count) {
            if (a->n_given)
                fprintf(stderr, "frost bench: note: %s has %" PRId64 " images; using all of them\n",
                        a->data, data.count);
            a->n = data.count;
        }
    } else {
        r.image_h = r.image_w = 28;
    }
    if (a->n % a->batch) {
        int64_t kept = a->n / a->batch * a->batch;
        if (kept == 0) {
            fprintf(stderr, "frost bench: --batch %" PRId64 " is larger than the %" PRId64
                            " predictions per loop\n",
                    a->batch, a->n);
            goto done;
        }
        fprintf(stderr, "frost bench: note: using %" PRId64 " predictions per loop (a multiple of "
                        "--batch %" PRId64 ")\n",
                kept, a->batch);
        a->n = kept;
    }
    r.per_loop = a->n;
    r.calls = a->n / a->batch;
    if (!a->warmup_given) a->warmup = r.calls < 100 ? r.calls : 100;

    double t0 = now_ms();
    if (!cli_load_model(cmd, a->model, &a->load, &counter.base, NULL, 0, &m)) goto done;
    r.load_ms = now_ms() - t0;

    /* Which input and output. */
    int n_inputs = frost_model_input_count(m), in_index = 0;
    if (a->input) {
        bool found = false;
        for (int i = 0; i < n_inputs && !found; i++) {
            frost_tensor_info t;
            if (frost_model_input_info(m, i, &t) == FROST_OK && t.name && strcmp(t.name, a->input) == 0) {
                in_index = i;
                found = true;
            }
        }
        if (!found) {
            frost_tensor_info t;
            if (frost_model_find(m, a->input, &t, &err) != FROST_OK) {
                cli_print_error(cmd, "--input", &err);
                goto done;
            }
            fprintf(stderr, "frost bench: '%s' is not one of the model's %d inputs\n", a->input,
                    n_inputs);
            goto done;
        }
    } else if (n_inputs != 1) {
        fprintf(stderr, "frost bench: the model has %d inputs; choose one with --input NAME\n",
                n_inputs);
        goto done;
    }
    frost_tensor_info in;
    frost_model_input_info(m, in_index, &in);
    r.input_name = in.name;
    /* Integer inputs (quantized models) take random raw values: there are no images for them. */
    const bool raw_ints = in.dtype == FROST_DTYPE_I8 || in.dtype == FROST_DTYPE_U8 || in.dtype == FROST_DTYPE_I16;
    if (in.dtype != FROST_DTYPE_F32 && !(raw_ints && !have_data)) {
        fprintf(stderr, "frost bench: input '%s' is %s; frost bench feeds f32 images (integer "
                        "inputs only with random data, without --data)\n", cli_text(in.name),
                frost_dtype_name(in.dtype));
        goto done;
    }
    if (a->output) {
        r.output_name = a->output;
    } else {
        frost_tensor_info out;
        if (frost_model_output_count(m) < 1 || frost_model_output_info(m, 0, &out) != FROST_OK) {
            fprintf(stderr, "frost bench: the model has no outputs\n");
            goto done;
        }
        r.output_name = out.name;
        if (frost_model_output_count(m) > 1 && !a->json)
            fprintf(stderr, "frost bench: note: reading output '%s' (1 of %d; choose with "
                            "--output NAME)\n",
                    cli_text(out.name), frost_model_output_count(m));
    }

    /* The shape to feed. */
    /* Random inputs fall back to the model's own shape, so a non-image input is not an error. */
    bool quiet = !have_data && a->layout == LAYOUT_AUTO;
    if (!choose_layout(a, &in, frost_model_format(m), r.image_h, r.image_w, quiet, &r.layout,
                       &r.input_rank, r.input_dims)) {
        if (have_data || a->layout != LAYOUT_AUTO) goto done;
        /* Random inputs need no image shape: use the model's, with the batch in front. */
        r.layout = LAYOUT_MODEL;
        r.input_rank = in.rank < 0 ? 1 : in.rank;
        for (int i = 0; i < r.input_rank; i++)
            r.input_dims[i] = in.rank < 0 ? a->batch : in.dims[i] >= 0 ? in.dims[i]
                                                     : i == 0           ? a->batch
                                                                        : 1;
        fprintf(stderr, "frost bench: note: feeding random inputs of the model's own shape\n");
    }
    frost_tensor_info feed = {0};
    feed.rank = r.input_rank;
    memcpy(feed.dims, r.input_dims, sizeof feed.dims);
    int64_t per_call = cli_numel(&feed);
    if (per_call <= 0) {
        fprintf(stderr, "frost bench: input '%s' has no elements\n", cli_text(in.name));
        goto done;
    }

    /* Everything the loop feeds, ready before the clock starts. */
    uint8_t *labels = have_data ? data.labels : NULL;
    int64_t pool_calls = r.calls;
    if (have_data) {
        if (per_call != a->batch * r.image_h * r.image_w) {
            fprintf(stderr, "frost bench: internal error: input size mismatch\n");
            goto done;
        }
        inputs = prepare_images(&data, a->n);
    } else {
        /* A few distinct random batches, cycled: enough to defeat trivial caching. */
        pool_calls = r.calls < 64 ? r.calls : 64;
        inputs = malloc((size_t)(pool_calls * per_call) * sizeof *inputs);
        uint64_t state = 0x9e3779b97f4a7c15ull;
        for (int64_t i = 0; inputs && i < pool_calls * per_call; i++) {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            inputs[i] = (float)(state >> 40) / (float)(1 << 24);
            if (raw_ints) {
                const uint32_t bits = (uint32_t)(state >> 32); /* any bits are valid integers */
                memcpy(&inputs[i], &bits, sizeof bits);
            }
        }
    }
    r.loop_ms = calloc((size_t)a->loops, sizeof *r.loop_ms);
    r.call_us = calloc((size_t)(r.calls * a->loops), sizeof *r.call_us);
    r.loop_correct = calloc((size_t)a->loops, sizeof *r.loop_correct);
    if (!inputs || !r.loop_ms || !r.call_us || !r.loop_correct) {
        fprintf(stderr, "frost bench: out of memory\n");
        goto done;
    }

    frost_session_options so = {0};
    so.struct_size = sizeof so;
    so.n_threads = (int)a->threads;
    so.spin_us = -1;
    const char *outputs[1] = {r.output_name};
    so.outputs = outputs;
    so.n_outputs = 1;
    t0 = now_ms();
    if (frost_session_create(m, &so, &s, &err) != FROST_OK) {
        cli_print_error(cmd, "cannot create a session", &err);
        goto done;
    }
    int sin = in_index;
    if (frost_session_set_input_shape(s, sin, r.input_rank, r.input_dims, &err) != FROST_OK) {
        char what[300];
        snprintf(what, sizeof what, "input '%s' cannot take %s images", cli_text(in.name),
                 layout_names[r.layout]);
        cli_print_error(cmd, what, &err);
        goto done;
    }
    if (frost_session_plan(s, &err) != FROST_OK) {
        cli_print_error(cmd, "cannot plan for the input's shape", &err);
        goto done;
    }
    r.session_ms = now_ms() - t0;
    /* Integer inputs use the first per_call * size bytes of each call's float-sized slot. */
    size_t call_bytes = (size_t)per_call * frost_dtype_size(in.dtype);

    /* First call: planned already, so it should cost what a steady-state call does. */
    long before = allocs_now(&counter);
    t0 = now_ms();
    if (frost_session_set_input(s, sin, inputs, call_bytes, &err) != FROST_OK ||
        frost_session_run(s, &err) != FROST_OK) {
        cli_print_error(cmd, "the first run failed", &err);
        goto done;
    }
    const void *out = frost_session_output_data(s, 0, &r.output);
    r.first_call_ms = now_ms() - t0;
    r.first_call_allocs = allocs_now(&counter) - before;
    r.arena_bytes = frost_session_arena_bytes(s);

    /* How to read a class from the output. */
    reading how = READ_NONE;
    int64_t out_numel = cli_numel(&r.output);
    r.note = "no labels";
    if (!out) {
        fprintf(stderr, "frost bench: output '%s' has no data\n", cli_text(r.output_name));
        goto done;
    }
    if (out_numel <= 0 || out_numel % a->batch) {
        r.note = "the output is not one row per image";
    } else {
        r.classes = out_numel / a->batch;
        bool scores = r.output.dtype == FROST_DTYPE_F32 || r.output.dtype == FROST_DTYPE_F64;
        bool index = (r.output.dtype == FROST_DTYPE_I64 || r.output.dtype == FROST_DTYPE_I32) &&
                     r.classes == 1;
        if (scores && r.classes >= 2)
            how = READ_ARGMAX;
        else if (index)
            how = READ_INDEX;
        else
            r.note = "the output is not class scores or a class index";
    }
    if (!have_data) {
        how = READ_NONE;
        r.note = "random inputs";
    }
    if (how == READ_ARGMAX) {
        int64_t max_label = 0;
        for (int64_t i = 0; i < a->n; i++)
            if (labels[i] > max_label) max_label = labels[i];
        if (max_label >= r.classes)
            fprintf(stderr, "frost bench: warning: labels go up to %" PRId64 " but the output has "
                            "%" PRId64 " classes\n",
                    max_label, r.classes);
    }

    for (int64_t w = 0; w < a->warmup; w++) {
        const float *x = inputs + (size_t)((w % pool_calls) * per_call);
        if (frost_session_set_input(s, sin, x, call_bytes, &err) != FROST_OK ||
            frost_session_run(s, &err) != FROST_OK) {
            cli_print_error(cmd, "a warmup run failed", &err);
            goto done;
        }
    }

    bool show_progress = isatty(STDERR_FILENO);
    long allocs_before = allocs_now(&counter);
    long frees_before = __atomic_load_n(&counter.frees, __ATOMIC_RELAXED);
    for (int64_t l = 0; l < a->loops; l++) {
        if (show_progress) progress((int)l, (int)a->loops);
        double *lat = r.call_us + l * r.calls;
        int64_t correct = 0;
        double loop_start = now_ms();
        /* One clock read per call (each costs ~25 ns here, 3% of the beginner's call): a call's
         * latency runs from the previous call's end to its own. */
        double c0 = loop_start;
        for (int64_t c = 0; c < r.calls; c++) {
            const float *x = inputs + (size_t)((c % pool_calls) * per_call);
            if (frost_session_set_input(s, sin, x, call_bytes, &err) != FROST_OK ||
                frost_session_run(s, &err) != FROST_OK) {
                if (show_progress) fprintf(stderr, "\n");
                cli_print_error(cmd, "a timed run failed", &err);
                goto done;
            }
            out = frost_session_output_data(s, 0, NULL);
            if (how != READ_NONE)
                correct += count_correct(out, r.output.dtype, how, r.classes,
                                         labels + c * a->batch, a->batch);
            const double c1 = now_ms();
            lat[c] = (c1 - c0) * 1e3;
            c0 = c1;
        }
        r.loop_ms[l] = c0 - loop_start;
        r.loop_correct[l] = correct;
    }
    r.timed_allocs = allocs_now(&counter) - allocs_before;
    r.timed_frees = __atomic_load_n(&counter.frees, __ATOMIC_RELAXED) - frees_before;
    /* After the timed loops (it measures the machine for ~0.5 s, and may allocate). */
    if (frost_session_cost(s, &r.cost, NULL) == FROST_OK) {
        r.have_cost = true;
        r.peak_gflops = machine_fma_gflops(&r.peak_what);
        const double wb = r.cost.weight_bytes > 4096 ? r.cost.weight_bytes : 4096;
        r.read_gbs = machine_read_gbs((size_t)wb);
    }
    if (show_progress) progress((int)a->loops, (int)a->loops);
    if (how != READ_NONE) {
        r.correct = r.loop_correct[0];
        r.loops_agree = true;
        for (int64_t l = 1; l < a->loops; l++) r.loops_agree &= r.loop_correct[l] == r.correct;
    }

    if (a->json)
        print_json(a, m, &r, have_data ? &data : NULL);
    else
        print_text(a, m, &r, have_data ? &data : NULL);
    rc = CLI_EXIT_OK;
    if (r.timed_allocs != 0) {
        fprintf(stderr, "frost bench: FAIL: frost made %ld heap allocations during the timed "
                        "loops (must be 0)\n",
                r.timed_allocs);
        rc = CLI_EXIT_RUNTIME;
    }
    if (fflush(stdout) != 0) rc = CLI_EXIT_RUNTIME;
done:
    frost_session_free(s);
    frost_model_free(m);
    free(inputs);
    free(r.loop_ms);
    free(r.call_us);
    free(r.loop_correct);
    idx_mnist_free(&data);
    return rc;
}

int cmd_bench(int argc, char **argv) {
    const char *cmd = "bench";
    bench_args a = {0};
    a.n = 10000;
    a.loops = 5;
    a.batch = 1;
    a.threads = 1;
    a.layout = LAYOUT_AUTO;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i], *v = NULL;
        int r;
        long long x;
        if (cli_is_help(arg)) {
            fputs(bench_help, stdout);
            return CLI_EXIT_OK;
        }
#define INT_OPTION(name, field, lo, hi, extra)                                                     \
    if ((r = cli_option(cmd, argc, argv, &i, name, NULL, &v)) != 0) {                              \
        if (r < 0 || !cli_parse_int(cmd, name, v, lo, hi, &x)) return CLI_EXIT_USAGE;              \
        a.field = x;                                                                               \
        extra;                                                                                     \
        continue;                                                                                  \
    }
        INT_OPTION("--n", n, 1, 100000000, a.n_given = true)
        INT_OPTION("--loops", loops, 1, 100000, (void)0)
        INT_OPTION("--warmup", warmup, 0, 100000000, a.warmup_given = true)
        INT_OPTION("--batch", batch, 1, 1000000, (void)0)
        INT_OPTION("--threads", threads, 1, 1024, (void)0)
#undef INT_OPTION
        if ((r = cli_option(cmd, argc, argv, &i, "--data", NULL, &v)) != 0) {
            if (r < 0) return CLI_EXIT_USAGE;
            a.data = v;
        } else if ((r = cli_option(cmd, argc, argv, &i, "--input", NULL, &v)) != 0) {
            if (r < 0) return CLI_EXIT_USAGE;
            a.input = v;
        } else if ((r = cli_option(cmd, argc, argv, &i, "--output", NULL, &v)) != 0) {
            if (r < 0) return CLI_EXIT_USAGE;
            a.output = v;
        } else if ((r = cli_option(cmd, argc, argv, &i, "--layout", NULL, &v)) != 0) {
            if (r < 0) return CLI_EXIT_USAGE;
            a.layout = LAYOUT_AUTO;
            for (layout l = LAYOUT_FLAT; l <= LAYOUT_NCHW; l++)
                if (strcmp(v, layout_names[l]) == 0) a.layout = l;
            if (a.layout == LAYOUT_AUTO)
                return cli_usage_error(cmd, "--layout wants flat, hw, nhwc or nchw, not '%s'", v);
        } else if ((r = cli_load_flag(cmd, argc, argv, &i, &a.load)) != 0) {
            if (r < 0) return CLI_EXIT_USAGE;
        } else if (strcmp(arg, "--json") == 0) {
            a.json = true;
        } else if (arg[0] == '-' && arg[1] != 0) {
            return cli_usage_error(cmd, "unknown option '%s'", arg);
        } else if (a.model) {
            return cli_usage_error(cmd, "one model at a time ('%s' and '%s')", a.model, arg);
        } else {
            a.model = arg;
        }
    }
    if (!a.model) return cli_usage_error(cmd, "no MODEL given");
    if (a.n * a.loops > 100000000)   /* one timing (8 bytes) per call is kept */
        return cli_usage_error(cmd, "--n x --loops is more than 100,000,000 calls");
    return bench(&a);
}
