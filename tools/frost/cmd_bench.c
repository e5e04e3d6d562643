/* cmd_bench.c — `frost bench MODEL [--data DIR] ...`: the project's founding benchmark, and the
 * same timing for any model. With --data it loads the MNIST-format test set into memory, then
 * times one call per image (or per batch) — set the input, run, read the output — over several
 * loops, and reports latency percentiles, throughput, accuracy against the labels, first-call
 * latency and the heap allocations made by frost during the timed loops (counted through a
 * frost_allocator; there must be none). Without --data every input of the model gets seeded
 * synthetic data of its shape (--shape for the dimensions the model leaves open), made by
 * tools/common/synth_input.c, which bench/peers' ONNX Runtime peer shares. --profile times every
 * step through the session's profile and prints where the time goes.
 *
 * The timed loop must never do I/O, allocate, or convert data: everything it feeds is prepared
 * before the clock starts, and the progress bar is drawn only between loops.
 */
#include "cli.h"
#include "idx.h"
#include "machine_peak.h"
#include "synth_input.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static const char bench_help[] =
    "usage: frost bench MODEL [--data DIR] [--shape NAME=1x3x224x224 ...] [--seed S] [--n 10000]\n"
    "                   [--loops 5] [--warmup N] [--batch B] [--threads T] [--deterministic]\n"
    "                   [--layout flat|hw|nhwc|nchw] [--input NAME] [--output NAME]\n"
    "                   [--precision f32|bf16|int8] [--set NAME=VALUE] [--profile [--top K]]\n"
    "                   [--peak-gflops G --read-gbs R] [--json]\n"
    "\n"
    "Times MODEL one call at a time and reports, per loop and overall: ms per N predictions\n"
    "(mean, min, median), us per prediction (p50, p90, p99, max), predictions per second, the\n"
    "first call's latency, a roofline, and the heap allocations made by frost during the timed\n"
    "loops (must be 0: exit code 1 otherwise). Each timed call is set-inputs + run + read-output;\n"
    "every input is prepared before the clock starts.\n"
    "\n"
    "With --data DIR: the MNIST-format test set in DIR (t10k-images-idx3-ubyte[.gz] and\n"
    "t10k-labels-idx1-ubyte[.gz]), images scaled to [0,1] and fed as the model's input expects,\n"
    "chosen from its shape: flat [B,784], [B,28,28], NHWC [B,28,28,1] or NCHW [B,1,28,28]; also\n"
    "reports accuracy (argmax of the output against the labels).\n"
    "Without --data: every input of the model gets seeded synthetic data of its shape: floats\n"
    "uniform in [0,1) (tools/common/synth_input.c, the same bytes bench/peers feeds ONNX Runtime),\n"
    "integers and bools zero (fix scalars such as a sample rate with --set). An unknown first\n"
    "dimension is the batch (--batch); other unknown dimensions need --shape.\n"
    "\n"
    "  --data DIR        the test set (one input; accuracy measured)\n"
    "  --shape NAME=DIMS an input's shape, e.g. x=1x3x224x224 (scalar: x=scalar); required for\n"
    "                    dimensions the model leaves open, checked against the ones it fixes\n"
    "                    (repeatable; without --data only)\n"
    "  --seed S          the synthetic inputs' seed (default 1)\n"
    "  --n N             predictions per loop (default 10000, at most the images in DIR)\n"
    "  --loops L         timed loops (default 5)\n"
    "  --warmup W        untimed calls before the loops (default 100, or fewer if N is smaller)\n"
    "  --batch B         images per call (default 1)\n"
    "  --threads T       worker threads (default 1: the calling thread only)\n"
    "  --deterministic   outputs identical to the bit for any --threads (frost_session_options)\n"
    "  --layout L        with --data: override the layout chosen from the input's shape\n"
    "  --input NAME      with --data: the input to feed (default: the model's only input)\n"
    "  --output NAME     the tensor to read (default: the model's first output)\n"
    "  --profile         time every step (node) during the timed loops and print the steps that\n"
    "                    take the most time, their share, rate and kernel, then totals per op\n"
    "                    (the clock reads add ~50 ns per step to the measured calls)\n"
    "  --top K           with --profile: steps listed (default 25, 0: all; --json lists all)\n"
    "  --peak-gflops G, --read-gbs R\n"
    "                    the roofline's limits (one thread's FMA peak, read rate at the weights'\n"
    "                    size) measured by the caller, so that several runs share one bound;\n"
    "                    default: measured by this run after the loops\n"
    "  --json            print one JSON object for scripts\n"
    CLI_LOAD_FLAGS_HELP
    "                    (bf16 needs AVX512_BF16, int8 AVX512_VNNI; other CPUs stay f32)\n";

typedef enum layout {
    LAYOUT_AUTO, LAYOUT_FLAT, LAYOUT_HW, LAYOUT_NHWC, LAYOUT_NCHW,
    LAYOUT_MODEL   /* synthetic inputs in the model's own shapes (no --data) */
} layout;
static const char *const layout_names[] = {"auto", "flat", "hw", "nhwc", "nchw", "model"};

static const char *precision_name(int precision) {
    return precision == FROST_PRECISION_BF16 ? "bf16" : precision == FROST_PRECISION_INT8 ? "int8" : "f32";
}

#define MAX_SHAPES 64
#define MAX_FEEDS 64

/* --shape NAME=DIMS */
typedef struct shape_arg {
    const char *name;   /* points into argv */
    size_t name_len;
    int rank;
    int64_t dims[FROST_MAX_RANK];
    bool used;
} shape_arg;

typedef struct bench_args {
    const char *model, *data, *input, *output;
    int64_t n, loops, warmup, batch, threads, top;
    uint64_t seed;
    bool n_given, warmup_given, json, profile, deterministic;
    double peak_gflops, read_gbs;  /* given by the caller (0: measure) */
    layout layout;
    shape_arg shapes[MAX_SHAPES];
    int n_shapes;
    cli_load_flags load; /* --set, --precision, ... */
} bench_args;

/* One input the timed loop sets before every call: `pool_n` distinct samples of `bytes` each,
 * cycled (enough to defeat trivial caching). */
typedef struct feed {
    int index;                 /* the model's input index */
    frost_tensor_info info;    /* name, dtype, and the shape fed */
    size_t bytes;
    unsigned char *pool;
    int64_t pool_n;
} feed;

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

/* CPU time of the whole process (every thread), in ms: on a busy machine, the work a call did
 * without the time it waited for a core. */
static double cpu_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
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
/* ---- synthetic inputs (no --data) ------------------------------------------------------------- */

/* "1x3x224x224" or "scalar" into rank and dims; false on bad text. */
static bool parse_dims(const char *text, int *rank, int64_t *dims) {
    if (strcmp(text, "scalar") == 0) {
        *rank = 0;
        return true;
    }
    int r = 0;
    const char *p = text;
    for (;;) {
        if (r == FROST_MAX_RANK || *p < '0' || *p > '9') return false;
        char *end;
        long long v = strtoll(p, &end, 10);
        if (v < 0 || v > (1LL << 40)) return false;
        dims[r++] = v;
        if (*end == 0) break;
        if (*end != 'x' && *end != 'X' && *end != ',') return false;
        p = end + 1;
    }
    *rank = r;
    return true;
}

static shape_arg *find_shape_arg(bench_args *a, const char *name) {
    for (int i = 0; i < a->n_shapes; i++)
        if (name && strlen(name) == a->shapes[i].name_len &&
            strncmp(a->shapes[i].name, name, a->shapes[i].name_len) == 0)
            return &a->shapes[i];
    return NULL;
}

/* The shape every input is fed with: --shape where given (checked against the dimensions the
 * model fixes), else the model's own, an unknown first dimension being the batch. Reports every
 * problem before failing. */
static bool plan_synthetic_feeds(bench_args *a, const frost_model *m, feed *feeds, int *n_feeds) {
    const int n_inputs = frost_model_input_count(m);
    bool ok = true;
    if (n_inputs > MAX_FEEDS) {
        fprintf(stderr, "frost bench: the model has %d inputs; frost bench feeds at most %d\n",
                n_inputs, MAX_FEEDS);
        return false;
    }
    for (int i = 0; i < n_inputs; i++) {
        feed *f = &feeds[i];
        memset(f, 0, sizeof *f);
        f->index = i;
        frost_model_input_info(m, i, &f->info);
        const frost_tensor_info model = f->info;
        char want[160], given[160];
        cli_shape(&model, want, sizeof want);
        shape_arg *sa = find_shape_arg(a, model.name);
        if (sa) {
            sa->used = true;
            frost_tensor_info t = model;
            t.rank = sa->rank;
            memcpy(t.dims, sa->dims, sizeof t.dims);
            cli_shape(&t, given, sizeof given);
            bool fits = model.rank < 0 || model.rank == sa->rank;
            for (int d = 0; fits && model.rank >= 0 && d < model.rank; d++)
                fits = model.dims[d] < 0 || model.dims[d] == sa->dims[d];
            if (!fits) {
                fprintf(stderr, "frost bench: --shape %s=%s does not fit input '%s' %s %s\n",
                        cli_text(model.name), given, cli_text(model.name),
                        frost_dtype_name(model.dtype), want);
                ok = false;
                continue;
            }
            f->info = t;
        } else {
            bool known = model.rank >= 0;
            for (int d = 0; known && d < model.rank; d++) {
                if (model.dims[d] >= 0) continue;
                if (d == 0) f->info.dims[0] = a->batch;
                else known = false;
            }
            if (!known) {
                fprintf(stderr, "frost bench: input '%s' is %s %s: give its shape with --shape %s=DIMS "
                                "(e.g. 1x3x224x224)\n",
                        cli_text(model.name), frost_dtype_name(model.dtype), want, cli_text(model.name));
                ok = false;
                continue;
            }
        }
        const int64_t numel = cli_numel(&f->info);
        const size_t es = frost_dtype_size(f->info.dtype);
        if (numel < 0 || es == 0 || (uint64_t)numel > ((uint64_t)1 << 34) / es) {
            fprintf(stderr, "frost bench: input '%s' is %s: frost bench cannot make data for it\n",
                    cli_text(model.name), frost_dtype_name(f->info.dtype));
            ok = false;
            continue;
        }
        f->bytes = (size_t)numel * es;
    }
    for (int i = 0; i < a->n_shapes; i++) {
        if (a->shapes[i].used) continue;
        fprintf(stderr, "frost bench: --shape %.*s: the model has no input of that name (inputs:",
                (int)a->shapes[i].name_len, a->shapes[i].name);
        for (int k = 0; k < n_inputs; k++) fprintf(stderr, "%s '%s'", k ? "," : "", cli_text(feeds[k].info.name));
        fprintf(stderr, ")\n");
        ok = false;
    }
    *n_feeds = n_inputs;
    return ok;
}

static uint16_t f32_to_f16(float v) {
    /* Values here are in [0, 1): normal halves or zero (no overflow, no NaN). */
    uint32_t u;
    memcpy(&u, &v, 4);
    const int e = (int)((u >> 23) & 0xff) - 127 + 15;
    if (e <= 0) return 0;
    return (uint16_t)((e << 10) | ((u >> 13) & 0x3ff));
}

/* One sample of synthetic data for feed f: floats from synth_input.c, 8- and 16-bit integers
 * (quantized images) random bytes, wider integers and bools zero (indices, lengths, flags). */
static void fill_sample(const feed *f, uint64_t seed, int64_t sample, unsigned char *dst, float *tmp) {
    const size_t n = f->bytes / frost_dtype_size(f->info.dtype);
    switch (f->info.dtype) {
    case FROST_DTYPE_F32: synth_fill_f32((float *)dst, n, f->info.name, seed, (uint64_t)sample); return;
    case FROST_DTYPE_F64:
    case FROST_DTYPE_F16:
    case FROST_DTYPE_BF16:
        synth_fill_f32(tmp, n, f->info.name, seed, (uint64_t)sample);
        for (size_t i = 0; i < n; i++) {
            if (f->info.dtype == FROST_DTYPE_F64) {
                ((double *)dst)[i] = tmp[i];
            } else if (f->info.dtype == FROST_DTYPE_F16) {
                ((uint16_t *)dst)[i] = f32_to_f16(tmp[i]);
            } else {
                uint32_t u;
                memcpy(&u, &tmp[i], 4);
                ((uint16_t *)dst)[i] = (uint16_t)(u >> 16);
            }
        }
        return;
    case FROST_DTYPE_I8:
    case FROST_DTYPE_U8:
    case FROST_DTYPE_I16: synth_fill_bytes(dst, f->bytes, f->info.name, seed, (uint64_t)sample); return;
    default: memset(dst, 0, f->bytes); return;
    }
}

/* Fills every feed's pool: as many distinct samples as fit in 64 MiB (at least 1, at most 64 or
 * the calls per loop). */
static bool fill_synthetic_feeds(feed *feeds, int n_feeds, uint64_t seed, int64_t calls) {
    size_t per_call = 0, biggest = 0;
    for (int i = 0; i < n_feeds; i++) {
        per_call += feeds[i].bytes;
        if (feeds[i].bytes > biggest) biggest = feeds[i].bytes;
    }
    int64_t pool_n = per_call ? (int64_t)(((size_t)64 << 20) / per_call) : 64;
    pool_n = pool_n < 1 ? 1 : pool_n > 64 ? 64 : pool_n;
    if (pool_n > calls) pool_n = calls;
    float *tmp = malloc(biggest / 2 * 4 + 4); /* f32 staging for 2-byte and 8-byte dtypes */
    if (!tmp) return false;
    for (int i = 0; i < n_feeds; i++) {
        feed *f = &feeds[i];
        f->pool_n = pool_n;
        f->pool = malloc(f->bytes * (size_t)pool_n + 1);
        if (!f->pool) {
            free(tmp);
            return false;
        }
        for (int64_t k = 0; k < pool_n; k++)
            fill_sample(f, seed, k, f->pool + (size_t)k * f->bytes, tmp);
    }
    free(tmp);
    return true;
}

/* ---- the benchmark ---------------------------------------------------------------------------- */

typedef struct bench_result {
    int64_t calls, per_loop, classes;
    double load_ms, session_ms, first_call_ms;
    double cpu_ms;            /* process CPU time over the timed loops */
    double *loop_ms;          /* per loop */
    double *call_us;          /* per call, all loops */
    int64_t correct;          /* first loop; -1: not measured */
    int64_t *loop_correct;    /* per loop */
    bool loops_agree;
    long first_call_allocs, timed_allocs, timed_frees;
    size_t arena_bytes;
    layout layout;
    const feed *feeds;
    int n_feeds;
    frost_tensor_info output;
    const char *output_name;
    int n_outputs;            /* computed by the session */
    int64_t image_h, image_w, images_available;
    const char *note;         /* why accuracy is not measured */
    /* Roofline: the plan's work per call against this machine's limits. */
    bool have_cost;
    frost_cost cost;
    double peak_gflops;       /* one thread's FMA peak */
    const char *peak_what;
    double read_gbs;          /* one thread's read rate over a buffer the size of the weights */
    bool peaks_given;         /* --peak-gflops / --read-gbs */
    /* --profile: every step, in execution order. */
    frost_step_profile *steps;
    int n_steps;
} bench_result;

/* The roofline at a per-call time: rates reached and the fraction of the bound reached. With T
 * threads the bound allows T times one thread's FMA peak and T times its read rate: a lower bound
 * on time must assume the most any thread count could do. */
typedef struct roofline {
    double gflops, gbs, bound_us, fraction;
} roofline;

static roofline roofline_at(const bench_result *r, const bench_args *a, double call_us) {
    roofline f = {0};
    if (!r->have_cost || call_us <= 0) return f;
    const double bytes = r->cost.weight_bytes + r->cost.io_bytes;
    const double t = (double)a->threads;
    f.gflops = r->cost.flops / (call_us * 1e3);
    f.gbs = bytes / (call_us * 1e3);
    const double flop_us = r->peak_gflops > 0 ? r->cost.flops / (r->peak_gflops * t * 1e3) : 0;
    const double byte_us = r->read_gbs > 0 ? bytes / (r->read_gbs * t * 1e3) : 0;
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

/* ---- the profile -------------------------------------------------------------------------------- */

static const frost_step_profile *sort_steps_base;
static int by_time_desc(const void *pa, const void *pb) {
    const double x = sort_steps_base[*(const int *)pa].total_us;
    const double y = sort_steps_base[*(const int *)pb].total_us;
    return (x < y) - (x > y);
}

/* Per source op: time, steps. */
typedef struct op_total {
    const char *op;
    double us;
    int steps;
} op_total;

static int op_by_time_desc(const void *pa, const void *pb) {
    const double x = ((const op_total *)pa)->us, y = ((const op_total *)pb)->us;
    return (x < y) - (x > y);
}

/* Totals per source op, biggest first; returns how many. `out` holds n_steps entries. */
static int profile_by_op(const bench_result *r, op_total *out) {
    int n = 0;
    for (int i = 0; i < r->n_steps; i++) {
        const frost_step_profile *p = &r->steps[i];
        int k = 0;
        while (k < n && strcmp(out[k].op, p->op) != 0) k++;
        if (k == n) {
            out[n].op = p->op;
            out[n].us = 0;
            out[n].steps = 0;
            n++;
        }
        out[k].us += p->total_us;
        out[k].steps++;
    }
    qsort(out, (size_t)n, sizeof *out, op_by_time_desc);
    return n;
}

static double profile_sum_us(const bench_result *r) {
    double sum = 0;
    for (int i = 0; i < r->n_steps; i++) sum += r->steps[i].total_us;
    return sum;
}

static double mean_call_us(const bench_result *r, const bench_args *a) {
    double total = 0;
    for (int64_t l = 0; l < a->loops; l++) total += r->loop_ms[l];
    return total * 1e3 / (double)(r->calls * a->loops);
}

static void print_profile_text(const bench_args *a, const bench_result *r) {
    if (r->n_steps == 0) return;
    const int64_t runs = r->steps[0].runs > 0 ? r->steps[0].runs : 1;
    const double sum = profile_sum_us(r);
    double fastest = 0;
    for (int i = 0; i < r->n_steps; i++) fastest += r->steps[i].min_us;
    printf("profile   %" PRId64 " runs, %d steps: the steps take %.1f µs per call of the %.1f µs "
           "measured (mean); their fastest runs add up to %.1f µs (GFLOP/s at the fastest run)\n",
           runs, r->n_steps, sum / (double)runs, mean_call_us(r, a), fastest);
    int *order = malloc((size_t)r->n_steps * sizeof *order);
    op_total *ops = malloc((size_t)r->n_steps * sizeof *ops);
    if (!order || !ops) {
        free(order);
        free(ops);
        return;
    }
    for (int i = 0; i < r->n_steps; i++) order[i] = i;
    sort_steps_base = r->steps;
    qsort(order, (size_t)r->n_steps, sizeof *order, by_time_desc);
    const int shown = a->top == 0 || a->top > r->n_steps ? r->n_steps : (int)a->top;
    printf("  %6s %9s %9s %8s  %-24s %-46s %s\n", "share", "µs/call", "fastest", "GFLOP/s", "op",
           "kernel", "node");
    double shown_us = 0;
    for (int k = 0; k < shown; k++) {
        const frost_step_profile *p = &r->steps[order[k]];
        const double us = p->total_us / (double)runs;
        shown_us += p->total_us;
        char rate[32] = "";
        if (p->flops > 0 && p->min_us > 0) snprintf(rate, sizeof rate, "%.1f", p->flops / (p->min_us * 1e3));
        printf("  %5.1f%% %9.2f %9.2f %8s  %-24s %-46s %s\n", sum > 0 ? 100.0 * p->total_us / sum : 0,
               us, p->min_us, rate, cli_text(p->op), cli_text(p->kernel), cli_text(p->node));
    }
    if (shown < r->n_steps)
        printf("  (%d more steps: %.1f%%)\n", r->n_steps - shown,
               sum > 0 ? 100.0 * (sum - shown_us) / sum : 0);
    const int n_ops = profile_by_op(r, ops);
    printf("by op    ");
    for (int k = 0; k < n_ops; k++)
        printf("%s %s %.1f%% (%d)", k ? "," : "", cli_text(ops[k].op),
               sum > 0 ? 100.0 * ops[k].us / sum : 0, ops[k].steps);
    printf("\n");
    free(order);
    free(ops);
}

static void print_profile_json(const bench_args *a, const bench_result *r) {
    const int64_t runs = r->n_steps && r->steps[0].runs > 0 ? r->steps[0].runs : 1;
    const double sum = profile_sum_us(r);
    printf(", \"profile\": {\"runs\": %" PRId64 ", \"steps_us_per_call\": %.3f, "
           "\"measured_us_per_call\": %.3f, \"steps\": [",
           runs, sum / (double)runs, mean_call_us(r, a));
    for (int i = 0; i < r->n_steps; i++) {
        const frost_step_profile *p = &r->steps[i];
        printf("%s{\"index\": %d, \"node\": ", i ? ", " : "", i);
        cli_json_string(stdout, p->node);
        printf(", \"op\": ");
        cli_json_string(stdout, p->op);
        printf(", \"kernel\": ");
        cli_json_string(stdout, p->kernel);
        printf(", \"us_per_call\": %.3f, \"fastest_us\": %.3f, \"share\": %.5f, \"flops\": %.0f}",
               p->total_us / (double)runs, p->min_us, sum > 0 ? p->total_us / sum : 0, p->flops);
    }
    printf("], \"by_op\": [");
    op_total *ops = malloc((size_t)(r->n_steps ? r->n_steps : 1) * sizeof *ops);
    const int n_ops = ops ? profile_by_op(r, ops) : 0;
    for (int k = 0; k < n_ops; k++) {
        printf("%s{\"op\": ", k ? ", " : "");
        cli_json_string(stdout, ops[k].op);
        printf(", \"us_per_call\": %.3f, \"share\": %.5f, \"steps\": %d}", ops[k].us / (double)runs,
               sum > 0 ? ops[k].us / sum : 0, ops[k].steps);
    }
    free(ops);
    printf("]}");
}

/* ---- reports ---------------------------------------------------------------------------------- */

static void print_text(const bench_args *a, const frost_model *m, const bench_result *r,
                       const idx_mnist *data) {
    char buf1[64], buf2[64], shape[160], out_shape[128];
    cli_shape(&r->output, out_shape, sizeof out_shape);
    printf("frost bench %s (%s)\n", a->model, cli_format_title(frost_model_format(m)));
    if (data)
        printf("  data      %s: %" PRId64 " images %" PRId64 "x%" PRId64 ", using %" PRId64 "\n",
               data->images_path, data->count, data->rows, data->cols, r->per_loop);
    else
        printf("  data      seeded random inputs (seed %" PRIu64 "; floats uniform in [0,1), "
               "integers 0), %" PRId64 " distinct per input: accuracy not measured\n",
               a->seed, r->n_feeds ? r->feeds[0].pool_n : 0);
    for (int i = 0; i < r->n_feeds; i++) {
        const feed *f = &r->feeds[i];
        printf("  input     %s %s %s", cli_text(f->info.name), frost_dtype_name(f->info.dtype),
               cli_shape(&f->info, shape, sizeof shape));
        if (data) printf(" (%s)", layout_names[r->layout]);
        printf("\n");
    }
    printf("  output    %s %s %s", cli_text(r->output_name), frost_dtype_name(r->output.dtype), out_shape);
    if (r->n_outputs > 1) printf(" (read; the session computes all %d outputs)", r->n_outputs);
    printf("\n");
    printf("  setup     load %.2f ms, session %.2f ms, arena %s, threads %" PRId64 "%s, batch %" PRId64
           "%s%s\n",
           r->load_ms, r->session_ms, cli_bytes((int64_t)r->arena_bytes, buf1, sizeof buf1),
           a->threads, a->deterministic ? " (deterministic)" : "", a->batch,
           a->load.precision == FROST_PRECISION_F32 ? "" : ", weights ",
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
    printf("cpu time  %.3f µs per prediction (every thread of the process, over the timed loops)\n",
           r->cpu_ms * 1e3 / (double)(r->per_loop * a->loops));
    if (sorted && r->have_cost) {
        char wb[32], ib[32];
        const double b = (double)a->batch;
        printf("work      %.3g MFLOP, weights %s, in+out %s per prediction (convolutions counted as "
               "direct)\n",
               r->cost.flops / b / 1e6, cli_bytes((int64_t)(r->cost.weight_bytes / b), wb, sizeof wb),
               cli_bytes((int64_t)(r->cost.io_bytes / b), ib, sizeof ib));
        const roofline f = roofline_at(r, a, percentile(sorted, n, 50) * b);
        const double t = (double)a->threads;
        printf("roofline  at p50: %.1f GFLOP/s (%.0f%% of the %.1f GFLOP/s FMA peak x %" PRId64
               " thread%s), %.1f GB/s (%.0f%% of the %.1f GB/s read rate at the weights' size x %"
               PRId64 "); the limits%s allow %.3f µs per prediction: %.0f%% of it reached\n",
               f.gflops, r->peak_gflops > 0 ? 100.0 * f.gflops / (r->peak_gflops * t) : 0,
               r->peak_gflops, a->threads, a->threads == 1 ? "" : "s", f.gbs,
               r->read_gbs > 0 ? 100.0 * f.gbs / (r->read_gbs * t) : 0, r->read_gbs, a->threads,
               r->peaks_given ? " (given)" : "", f.bound_us / b, 100.0 * f.fraction);
        if (f.fraction > 1.0)
            printf("          (faster than the bound: the limits are understated, or the convolutions "
                   "ran with fewer FLOPs than the direct count — Winograd)\n");
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
    if (a->profile) print_profile_text(a, r);
}

static void print_json(const bench_args *a, const frost_model *m, const bench_result *r,
                       const idx_mnist *data) {
    printf("{\"model\": ");
    cli_json_string(stdout, a->model);
    printf(", \"format\": \"%s\", \"data\": ", cli_format_id(frost_model_format(m)));
    cli_json_string(stdout, data ? data->images_path : NULL);
    printf(", \"random_inputs\": %s", data ? "false" : "true");
    if (!data) printf(", \"seed\": %" PRIu64, a->seed);
    printf(", \"input\": ");
    cli_json_string(stdout, r->n_feeds ? r->feeds[0].info.name : NULL);
    printf(", \"input_shape\": ");
    if (r->n_feeds) cli_json_shape(stdout, &r->feeds[0].info);
    else printf("null");
    printf(", \"inputs\": [");
    for (int i = 0; i < r->n_feeds; i++) {
        printf("%s{\"name\": ", i ? ", " : "");
        cli_json_string(stdout, r->feeds[i].info.name);
        printf(", \"dtype\": \"%s\", \"shape\": ", frost_dtype_name(r->feeds[i].info.dtype));
        cli_json_shape(stdout, &r->feeds[i].info);
        printf("}");
    }
    printf("], \"layout\": \"%s\", \"output\": ", layout_names[r->layout]);
    cli_json_string(stdout, r->output_name);
    printf(", \"output_shape\": ");
    cli_json_shape(stdout, &r->output);
    printf(", \"outputs_computed\": %d", r->n_outputs);
    printf(", \"n\": %" PRId64 ", \"loops\": %" PRId64 ", \"warmup\": %" PRId64
           ", \"batch\": %" PRId64 ", \"threads\": %" PRId64 ", \"deterministic\": %s",
           r->per_loop, a->loops, a->warmup, a->batch, a->threads,
           a->deterministic ? "true" : "false");
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
                   "\"read_gbs_at_weights_size\": %.1f, \"given\": %s}"
                   ", \"roofline_at_p50\": {\"gflops\": %.2f, \"gbs\": %.2f, \"bound_us_per_call\": %.3f, "
                   "\"fraction_of_bound\": %.3f}",
                   r->cost.flops, r->cost.weight_bytes, r->cost.io_bytes, r->peak_gflops,
                   r->peaks_given ? "given" : r->peak_what ? r->peak_what : "none", r->read_gbs,
                   r->peaks_given ? "true" : "false", f.gflops, f.gbs, f.bound_us, f.fraction);
        }
        free(sorted);
    }
    printf(", \"cpu_us_per_prediction\": %.3f", r->cpu_ms * 1e3 / (double)(r->per_loop * a->loops));
    printf(", \"predictions_per_second\": %.1f",
           (double)(r->per_loop * a->loops) / (total / 1e3));
    if (r->correct >= 0)
        printf(", \"accuracy\": %.6f, \"correct\": %" PRId64 ", \"loops_agree\": %s",
               (double)r->correct / (double)r->per_loop, r->correct,
               r->loops_agree ? "true" : "false");
    else
        printf(", \"accuracy\": null, \"correct\": null");
    if (a->profile) print_profile_json(a, r);
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

/* Sets every feed's sample for call c. */
static frost_status set_inputs(frost_session *s, const feed *feeds, int n_feeds, int64_t c,
                               frost_error *err) {
    for (int i = 0; i < n_feeds; i++) {
        const feed *f = &feeds[i];
        frost_status st = frost_session_set_input(
            s, f->index, f->pool + (size_t)(c % f->pool_n) * f->bytes, f->bytes, err);
        if (st != FROST_OK) return st;
    }
    return FROST_OK;
}

static int bench(bench_args *a) {
    const char *cmd = "bench";
    int rc = CLI_EXIT_RUNTIME;
    idx_mnist data = {0};
    bool have_data = a->data != NULL;
    frost_error err = {0};
    frost_model *m = NULL;
    frost_session *s = NULL;
    feed feeds[MAX_FEEDS];
    int n_feeds = 0;
    bench_result r = {0};
    r.correct = -1;
    r.feeds = feeds;
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

    /* What to feed. */
    if (have_data) {
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
        if (in.dtype != FROST_DTYPE_F32) {
            fprintf(stderr, "frost bench: input '%s' is %s; frost bench feeds f32 images\n",
                    cli_text(in.name), frost_dtype_name(in.dtype));
            goto done;
        }
        feed *f = &feeds[0];
        memset(f, 0, sizeof *f);
        f->index = in_index;
        f->info = in;
        if (!choose_layout(a, &in, frost_model_format(m), r.image_h, r.image_w, false, &r.layout,
                           &f->info.rank, f->info.dims))
            goto done;
        const int64_t per_call = cli_numel(&f->info);
        if (per_call != a->batch * r.image_h * r.image_w) {
            fprintf(stderr, "frost bench: internal error: input size mismatch\n");
            goto done;
        }
        f->bytes = (size_t)per_call * sizeof(float);
        f->pool = (unsigned char *)prepare_images(&data, a->n);
        f->pool_n = r.calls;
        n_feeds = 1;
        if (!f->pool) {
            fprintf(stderr, "frost bench: out of memory\n");
            goto done;
        }
    } else {
        r.layout = LAYOUT_MODEL;
        if (!plan_synthetic_feeds(a, m, feeds, &n_feeds)) {
            n_feeds = 0;
            goto done;
        }
        if (!fill_synthetic_feeds(feeds, n_feeds, a->seed, r.calls)) {
            fprintf(stderr, "frost bench: out of memory for the inputs\n");
            goto done;
        }
    }
    r.n_feeds = n_feeds;

    if (a->output) {
        r.output_name = a->output;
    } else {
        frost_tensor_info out;
        if (frost_model_output_count(m) < 1 || frost_model_output_info(m, 0, &out) != FROST_OK) {
            fprintf(stderr, "frost bench: the model has no outputs\n");
            goto done;
        }
        r.output_name = out.name;
    }

    r.loop_ms = calloc((size_t)a->loops, sizeof *r.loop_ms);
    r.call_us = calloc((size_t)(r.calls * a->loops), sizeof *r.call_us);
    r.loop_correct = calloc((size_t)a->loops, sizeof *r.loop_correct);
    if (!r.loop_ms || !r.call_us || !r.loop_correct) {
        fprintf(stderr, "frost bench: out of memory\n");
        goto done;
    }

    /* The session computes the output asked for, or all the model's outputs (as a caller would). */
    frost_session_options so = {0};
    so.struct_size = sizeof so;
    so.n_threads = (int)a->threads;
    so.spin_us = -1;
    so.deterministic = a->deterministic;
    so.profile = a->profile;
    const char *outputs[1] = {r.output_name};
    if (a->output) {
        so.outputs = outputs;
        so.n_outputs = 1;
    }
    t0 = now_ms();
    if (frost_session_create(m, &so, &s, &err) != FROST_OK) {
        cli_print_error(cmd, "cannot create a session", &err);
        goto done;
    }
    r.n_outputs = frost_session_output_count(s);
    int out_index = 0;
    if (a->output && frost_session_output_index(s, a->output, &out_index, &err) != FROST_OK) {
        cli_print_error(cmd, "--output", &err);
        goto done;
    }
    for (int i = 0; i < n_feeds; i++) {
        const feed *f = &feeds[i];
        if (frost_session_set_input_shape(s, f->index, f->info.rank, f->info.dims, &err) != FROST_OK) {
            char what[300], shape[160];
            if (have_data)
                snprintf(what, sizeof what, "input '%s' cannot take %s images", cli_text(f->info.name),
                         layout_names[r.layout]);
            else
                snprintf(what, sizeof what, "input '%s' cannot take %s", cli_text(f->info.name),
                         cli_shape(&f->info, shape, sizeof shape));
            cli_print_error(cmd, what, &err);
            goto done;
        }
    }
    if (frost_session_plan(s, &err) != FROST_OK) {
        cli_print_error(cmd, "cannot plan for the inputs' shapes", &err);
        goto done;
    }
    r.session_ms = now_ms() - t0;

    /* First call: planned already, so it should cost what a steady-state call does. */
    long before = allocs_now(&counter);
    t0 = now_ms();
    if (set_inputs(s, feeds, n_feeds, 0, &err) != FROST_OK || frost_session_run(s, &err) != FROST_OK) {
        cli_print_error(cmd, "the first run failed", &err);
        goto done;
    }
    const void *out = frost_session_output_data(s, out_index, &r.output);
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
    const uint8_t *labels = have_data ? data.labels : NULL;
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
        if (set_inputs(s, feeds, n_feeds, w, &err) != FROST_OK || frost_session_run(s, &err) != FROST_OK) {
            cli_print_error(cmd, "a warmup run failed", &err);
            goto done;
        }
    }
    frost_session_profile_reset(s);

    bool show_progress = isatty(STDERR_FILENO);
    const double cpu0 = cpu_ms();
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
            if (set_inputs(s, feeds, n_feeds, c, &err) != FROST_OK ||
                frost_session_run(s, &err) != FROST_OK) {
                if (show_progress) fprintf(stderr, "\n");
                cli_print_error(cmd, "a timed run failed", &err);
                goto done;
            }
            out = frost_session_output_data(s, out_index, NULL);
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
    r.cpu_ms = cpu_ms() - cpu0;
    r.timed_allocs = allocs_now(&counter) - allocs_before;
    r.timed_frees = __atomic_load_n(&counter.frees, __ATOMIC_RELAXED) - frees_before;
    if (a->profile) {
        r.n_steps = frost_session_profile_count(s);
        r.steps = calloc((size_t)(r.n_steps ? r.n_steps : 1), sizeof *r.steps);
        if (!r.steps) r.n_steps = 0;
        for (int i = 0; i < r.n_steps; i++) frost_session_profile_step(s, i, &r.steps[i]);
    }
    /* After the timed loops (it measures the machine for ~0.5 s, and may allocate). */
    if (frost_session_cost(s, &r.cost, NULL) == FROST_OK) {
        r.have_cost = true;
        if (a->peak_gflops > 0 && a->read_gbs > 0) {
            r.peaks_given = true;
            r.peak_gflops = a->peak_gflops;
            r.read_gbs = a->read_gbs;
        } else {
            r.peak_gflops = machine_fma_gflops(&r.peak_what);
            const double wb = r.cost.weight_bytes > 4096 ? r.cost.weight_bytes : 4096;
            r.read_gbs = machine_read_gbs((size_t)wb);
        }
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
    for (int i = 0; i < n_feeds; i++) free(feeds[i].pool);
    free(r.loop_ms);
    free(r.call_us);
    free(r.loop_correct);
    free(r.steps);
    idx_mnist_free(&data);
    return rc;
}

static bool parse_double(const char *cmd, const char *option, const char *text, double *out) {
    char *end;
    double v = strtod(text, &end);
    if (*text == 0 || *end != 0 || !(v > 0) || !isfinite(v)) {
        cli_usage_error(cmd, "%s wants a positive number, not '%s'", option, text);
        return false;
    }
    *out = v;
    return true;
}

int cmd_bench(int argc, char **argv) {
    const char *cmd = "bench";
    bench_args a = {0};
    a.n = 10000;
    a.loops = 5;
    a.batch = 1;
    a.threads = 1;
    a.top = 25;
    a.seed = 1;
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
        INT_OPTION("--top", top, 0, 1000000, (void)0)
        INT_OPTION("--seed", seed, 0, INT64_MAX, (void)0)
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
        } else if ((r = cli_option(cmd, argc, argv, &i, "--shape", NULL, &v)) != 0) {
            if (r < 0) return CLI_EXIT_USAGE;
            const char *eq = strrchr(v, '=');
            if (!eq || eq == v)
                return cli_usage_error(cmd, "--shape wants NAME=DIMS (e.g. x=1x3x224x224), not '%s'", v);
            if (a.n_shapes == MAX_SHAPES) return cli_usage_error(cmd, "more than %d --shape", MAX_SHAPES);
            shape_arg *sa = &a.shapes[a.n_shapes];
            sa->name = v;
            sa->name_len = (size_t)(eq - v);
            if (!parse_dims(eq + 1, &sa->rank, sa->dims))
                return cli_usage_error(cmd, "--shape %s: '%s' is not dimensions like 1x3x224x224 "
                                            "(or 'scalar')", v, eq + 1);
            for (int k = 0; k < a.n_shapes; k++)
                if (a.shapes[k].name_len == sa->name_len && strncmp(a.shapes[k].name, v, sa->name_len) == 0)
                    return cli_usage_error(cmd, "--shape %.*s given twice", (int)sa->name_len, v);
            a.n_shapes++;
        } else if ((r = cli_option(cmd, argc, argv, &i, "--peak-gflops", NULL, &v)) != 0) {
            if (r < 0 || !parse_double(cmd, "--peak-gflops", v, &a.peak_gflops)) return CLI_EXIT_USAGE;
        } else if ((r = cli_option(cmd, argc, argv, &i, "--read-gbs", NULL, &v)) != 0) {
            if (r < 0 || !parse_double(cmd, "--read-gbs", v, &a.read_gbs)) return CLI_EXIT_USAGE;
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
        } else if (strcmp(arg, "--profile") == 0) {
            a.profile = true;
        } else if (strcmp(arg, "--deterministic") == 0) {
            a.deterministic = true;
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
    if (a.data && a.n_shapes)
        return cli_usage_error(cmd, "--shape is for synthetic inputs: with --data the images' shape "
                                    "is fed (see --layout)");
    if (!a.data && (a.layout != LAYOUT_AUTO || a.input))
        return cli_usage_error(cmd, "%s chooses how --data images are fed; without --data every input "
                                    "gets synthetic data of its shape (see --shape)",
                               a.input ? "--input" : "--layout");
    if ((a.peak_gflops > 0) != (a.read_gbs > 0))
        return cli_usage_error(cmd, "--peak-gflops and --read-gbs go together");
    return bench(&a);
}
