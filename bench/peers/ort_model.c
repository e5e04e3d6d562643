/* ort_model.c — ONNX Runtime through its C API on any model, timed the way `frost bench` times one
 * without --data: every input filled with the same seeded synthetic data (tools/common/synth_input.c,
 * which frost bench uses), one Run per call, a warm-up, then --loops timed loops of --n calls. It
 * prints one JSON line: per-call latency percentiles, the first call, each loop's total.
 *
 * The inputs and the outputs to fetch are named on the command line (bench/real_models takes them
 * from `frost inspect --json`); the session's input and output counts must match it. Inputs are f32
 * unless --dtype says otherwise; they are filled as frost bench fills them (floats from
 * synth_input.c, 8-bit integers random bytes, wider integers and bools zero), or with one value
 * everywhere (--value: what frost's --set fixes, such as a sample rate). The library, its verified
 * OrtApi table and the session come from ort_api.c.
 *
 * Inputs are OrtValues over our own buffers, made once; each call copies the call's sample into
 * them (as frost bench's set_input does) and lets ONNX Runtime allocate the outputs, which are
 * released after the call: the usual way to call it. Graph optimisation ORT_ENABLE_ALL, sequential
 * execution, --threads intra-op threads.
 *
 * --dump DIR writes the first sample's inputs (in_K.npy) and ONNX Runtime's outputs (out_K.npy) for
 * bench/real_models to compare with `frost run` on the same bytes.
 *
 * usage: ort_model --lib libonnxruntime.so.1 --model M.onnx --input NAME=1x3x224x224 ...
 *                  --output NAME ... [--dtype NAME=int64 ...] [--value NAME=16000 ...]
 *                  [--threads 1] [--n 100] [--loops 3] [--warmup 20] [--seed 1] [--dump DIR]
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ort_api.h"
#include "synth_input.h"

/* ONNX element types this peer feeds and dumps: the number, its size and its numpy descr. */
typedef struct { const char *name; int onnx; size_t size; const char *descr; } dtype_info;
static const dtype_info DTYPES[] = {
    {"float32", 1, 4, "<f4"}, {"uint8", 2, 1, "|u1"}, {"int8", 3, 1, "|i1"}, {"int16", 5, 2, "<i2"},
    {"int32", 6, 4, "<i4"}, {"int64", 7, 8, "<i8"}, {"bool", 9, 1, "|b1"}, {"float64", 11, 8, "<f8"},
};
static const dtype_info *dtype_by_name(const char *name) {
    for (size_t i = 0; i < sizeof DTYPES / sizeof DTYPES[0]; i++)
        if (!strcmp(DTYPES[i].name, name)) return &DTYPES[i];
    return NULL;
}
static const dtype_info *dtype_by_onnx(int onnx) {
    for (size_t i = 0; i < sizeof DTYPES / sizeof DTYPES[0]; i++)
        if (DTYPES[i].onnx == onnx) return &DTYPES[i];
    return NULL;
}

static ort_runtime rt;
#define CALL(slot, type) ORT_CALL(rt.api, slot, type)

#define MAX_IO 64
#define MAX_RANK 8

static void die(const char *what, const char *detail) {
    fprintf(stderr, "ort_model: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    exit(2);
}

static void check(ort_status *st, const char *what) { ort_check(&rt, st, what); }

static double now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec * 1e-3;
}

static double cpu_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec * 1e-3;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double pct(const double *sorted, size_t n, double p) {
    size_t rank = (size_t)ceil(p / 100.0 * (double)n);
    if (rank < 1) rank = 1;
    if (rank > n) rank = n;
    return sorted[rank - 1];
}

typedef struct input {
    char *name;
    int rank;
    int64_t dims[MAX_RANK];
    size_t numel;
    const dtype_info *dtype;
    int has_value;
    double fixed; /* --value: every element */
    unsigned char *buf, *pool;
    void *value;
} input;

/* Fills x with one sample of the input (its dtype, numel elements): frost bench's synthetic data, or
 * the --value. */
static void fill_input(const input *in, unsigned char *x, unsigned long long seed, uint64_t sample) {
    const size_t n = in->numel;
    if (in->has_value) {
        for (size_t i = 0; i < n; i++) {
            switch (in->dtype->onnx) {
            case 1: ((float *)x)[i] = (float)in->fixed; break;
            case 11: ((double *)x)[i] = in->fixed; break;
            case 2: case 9: x[i] = (unsigned char)(int)in->fixed; break;
            case 3: ((int8_t *)x)[i] = (int8_t)in->fixed; break;
            case 5: ((int16_t *)x)[i] = (int16_t)in->fixed; break;
            case 6: ((int32_t *)x)[i] = (int32_t)in->fixed; break;
            default: ((int64_t *)x)[i] = (int64_t)in->fixed; break;
            }
        }
        return;
    }
    switch (in->dtype->onnx) {
    case 1: synth_fill_f32((float *)x, n, in->name, seed, sample); return;
    case 11:
        synth_fill_f32((float *)x, n, in->name, seed, sample); /* in place, widened from the end */
        for (size_t i = n; i-- > 0;) ((double *)x)[i] = ((float *)x)[i];
        return;
    case 2: case 3: case 5: synth_fill_bytes(x, n * in->dtype->size, in->name, seed, sample); return;
    default: memset(x, 0, n * in->dtype->size); return;
    }
}

static int parse_input(char *text, input *in) {
    char *eq = strrchr(text, '=');
    if (!eq || eq == text) return 0;
    *eq = 0;
    in->name = text;
    in->rank = 0;
    in->numel = 1;
    if (strcmp(eq + 1, "scalar") == 0) return 1;
    for (char *p = eq + 1; *p;) {
        char *end;
        long long v = strtoll(p, &end, 10);
        if (end == p || v < 0 || in->rank == MAX_RANK) return 0;
        in->dims[in->rank++] = v;
        in->numel *= (size_t)v;
        if (*end == 'x' || *end == 'X') end++;
        else if (*end) return 0;
        p = end;
    }
    return 1;
}

static void write_npy(const char *path, const void *x, const dtype_info *d, const int64_t *dims, int rank) {
    FILE *f = fopen(path, "wb");
    if (!f) die("cannot write", path);
    char shape[256] = "(";
    size_t n = 1;
    for (int i = 0; i < rank; i++) {
        char d[32];
        snprintf(d, sizeof d, "%lld,%s", (long long)dims[i], rank == 1 || i < rank - 1 ? " " : "");
        strcat(shape, d);
        n *= (size_t)dims[i];
    }
    strcat(shape, ")");
    char header[512];
    int len = snprintf(header, sizeof header, "{'descr': '%s', 'fortran_order': False, 'shape': %s, }", d->descr, shape);
    int total = 10 + len + 1;
    int pad = (64 - total % 64) % 64;
    fwrite("\x93NUMPY\x01\x00", 1, 8, f);
    uint16_t hl = (uint16_t)(len + pad + 1);
    fwrite(&hl, 2, 1, f);
    fwrite(header, 1, (size_t)len, f);
    for (int i = 0; i < pad; i++) fputc(' ', f);
    fputc('\n', f);
    fwrite(x, d->size, n, f);
    if (fclose(f) != 0) die("cannot write", path);
}

int main(int argc, char **argv) {
    const char *lib_path = NULL, *model = NULL, *dump = NULL;
    input inputs[MAX_IO];
    const char *outputs[MAX_IO];
    char *dtype_args[MAX_IO], *value_args[MAX_IO];
    int n_dtype = 0, n_value = 0;
    int n_in = 0, n_out = 0, threads = 1, n = 100, loops = 3, warmup = 20;
    unsigned long long seed = 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v) die("option needs a value", a);
        i++;
        if (!strcmp(a, "--lib")) lib_path = v;
        else if (!strcmp(a, "--model")) model = v;
        else if (!strcmp(a, "--dump")) dump = v;
        else if (!strcmp(a, "--threads")) threads = atoi(v);
        else if (!strcmp(a, "--n")) n = atoi(v);
        else if (!strcmp(a, "--loops")) loops = atoi(v);
        else if (!strcmp(a, "--warmup")) warmup = atoi(v);
        else if (!strcmp(a, "--seed")) seed = strtoull(v, NULL, 10);
        else if (!strcmp(a, "--output")) {
            if (n_out == MAX_IO) die("too many --output", NULL);
            outputs[n_out++] = v;
        } else if (!strcmp(a, "--dtype") || !strcmp(a, "--value")) {
            if (n_dtype == MAX_IO || n_value == MAX_IO) die("too many --dtype/--value", NULL);
            if (!strcmp(a, "--dtype")) dtype_args[n_dtype++] = argv[i];
            else value_args[n_value++] = argv[i];
        } else if (!strcmp(a, "--input")) {
            if (n_in == MAX_IO) die("too many --input", NULL);
            memset(&inputs[n_in], 0, sizeof inputs[n_in]);
            if (!parse_input(argv[i], &inputs[n_in])) die("--input wants NAME=DIMS, not", v);
            inputs[n_in].dtype = &DTYPES[0];
            n_in++;
        } else die("unknown option", a);
    }
    for (int k = 0; k < n_dtype + n_value; k++) {
        char *arg = k < n_dtype ? dtype_args[k] : value_args[k - n_dtype];
        char *eq = strchr(arg, '=');
        if (!eq) die(k < n_dtype ? "--dtype wants NAME=TYPE, not" : "--value wants NAME=NUMBER, not", arg);
        *eq = 0;
        input *in = NULL;
        for (int j = 0; j < n_in; j++)
            if (!strcmp(inputs[j].name, arg)) in = &inputs[j];
        if (!in) die("--dtype/--value names no --input", arg);
        if (k < n_dtype) {
            if (!(in->dtype = dtype_by_name(eq + 1))) die("unknown --dtype (float32 uint8 int8 int16 int32 int64 bool float64)", eq + 1);
        } else {
            char *end;
            in->fixed = strtod(eq + 1, &end);
            if (end == eq + 1 || *end) die("--value is not a number", eq + 1);
            in->has_value = 1;
        }
    }
    if (!lib_path || !model || n_in == 0 || n_out == 0 || threads < 1 || n < 1 || loops < 1 || warmup < 0)
        die("usage: ort_model --lib LIB --model M --input NAME=DIMS ... --output NAME ... "
            "[--threads T] [--n N] [--loops L] [--warmup W] [--seed S] [--dump DIR]", NULL);

    ort_open(&rt, "ort_model", lib_path, model, threads);
    const char *version = rt.version;
    void *session = rt.session;
    const double session_ms = rt.session_ms;
    if ((int)rt.n_inputs != n_in) {
        fprintf(stderr, "ort_model: the session has %zu inputs; %d given\n", rt.n_inputs, n_in);
        return 2;
    }
    if ((int)rt.n_outputs < n_out) {
        fprintf(stderr, "ort_model: the session has %zu outputs; %d asked for\n", rt.n_outputs, n_out);
        return 2;
    }

    /* The same pool as frost bench: as many distinct samples as fit in 64 MiB, 1 to 64. */
    size_t per_call = 0;
    for (int i = 0; i < n_in; i++) per_call += inputs[i].numel * inputs[i].dtype->size;
    long pool_n = per_call ? (long)(((size_t)64 << 20) / per_call) : 64;
    pool_n = pool_n < 1 ? 1 : pool_n > 64 ? 64 : pool_n;
    if (pool_n > n) pool_n = n;
    const char *in_names[MAX_IO];
    const void *in_values[MAX_IO];
    for (int i = 0; i < n_in; i++) {
        input *in = &inputs[i];
        const size_t bytes = in->numel * in->dtype->size;
        in->buf = malloc(bytes + 64);
        in->pool = malloc(bytes * (size_t)pool_n + 64);
        if (!in->buf || !in->pool) die("out of memory", NULL);
        for (long k = 0; k < pool_n; k++) fill_input(in, in->pool + (size_t)k * bytes, seed, (uint64_t)k);
        memcpy(in->buf, in->pool, bytes);
        in->value = ort_tensor(&rt, in->buf, bytes, in->dims, (size_t)in->rank, in->dtype->onnx,
                               "CreateTensorWithDataAsOrtValue");
        in_names[i] = in->name;
        in_values[i] = in->value;
    }
    void *outs[MAX_IO];
    typedef ort_status *(*run_fn)(void *, const void *, const char *const *, const void *const *, size_t,
                                  const char *const *, size_t, void **);
    const run_fn run = CALL(ORT_Run, run_fn);
    void (*release_value)(void *) = CALL(ORT_ReleaseValue, void (*)(void *));

#define ONE_CALL(sample)                                                                          \
    do {                                                                                          \
        for (int i_ = 0; i_ < n_in; i_++)                                                         \
            memcpy(inputs[i_].buf,                                                                \
                   inputs[i_].pool + (size_t)((sample) % pool_n) * inputs[i_].numel * inputs[i_].dtype->size, \
                   inputs[i_].numel * inputs[i_].dtype->size);                                    \
        memset(outs, 0, sizeof outs);                                                             \
        check(run(session, NULL, in_names, in_values, (size_t)n_in, outputs, (size_t)n_out, outs), "Run"); \
    } while (0)

    double t0 = now_us();
    ONE_CALL(0);
    const double first_us = now_us() - t0;
    if (dump) {
        char path[4096];
        for (int i = 0; i < n_in; i++) {
            snprintf(path, sizeof path, "%s/in_%d.npy", dump, i);
            write_npy(path, inputs[i].pool, inputs[i].dtype, inputs[i].dims, inputs[i].rank);
        }
        for (int o = 0; o < n_out; o++) {
            void *info = NULL, *data = NULL;
            size_t rank = 0;
            int type = 0;
            int64_t dims[MAX_RANK];
            check(CALL(ORT_GetTensorTypeAndShape, ort_status *(*)(const void *, void **))(outs[o], &info), "GetTensorTypeAndShape");
            check(CALL(ORT_GetTensorElementType, ort_status *(*)(const void *, int *))(info, &type), "GetTensorElementType");
            check(CALL(ORT_GetDimensionsCount, ort_status *(*)(const void *, size_t *))(info, &rank), "GetDimensionsCount");
            if (rank > MAX_RANK) die("output rank too large", outputs[o]);
            check(CALL(ORT_GetDimensions, ort_status *(*)(const void *, int64_t *, size_t))(info, dims, rank), "GetDimensions");
            CALL(ORT_ReleaseTensorTypeAndShapeInfo, void (*)(void *))(info);
            check(CALL(ORT_GetTensorMutableData, ort_status *(*)(void *, void **))(outs[o], &data), "GetTensorMutableData");
            snprintf(path, sizeof path, "%s/out_%d.npy", dump, o);
            const dtype_info *d = dtype_by_onnx(type);
            if (!d) die("output of an element type --dump does not write", outputs[o]);
            write_npy(path, data, d, dims, (int)rank);
        }
    }
    for (int o = 0; o < n_out; o++) release_value(outs[o]);
    for (int w = 0; w < warmup; w++) {
        ONE_CALL(w);
        for (int o = 0; o < n_out; o++) release_value(outs[o]);
    }
    double *lat = malloc((size_t)n * (size_t)loops * sizeof *lat), *loop_ms = malloc((size_t)loops * sizeof *loop_ms);
    if (!lat || !loop_ms) die("out of memory", NULL);
    const double cpu0 = cpu_us();
    for (int l = 0; l < loops; l++) {
        const double start = now_us();
        double c0 = start;
        for (int c = 0; c < n; c++) {
            ONE_CALL(c);
            for (int o = 0; o < n_out; o++) release_value(outs[o]);
            const double c1 = now_us();
            lat[(size_t)l * (size_t)n + (size_t)c] = c1 - c0;
            c0 = c1;
        }
        loop_ms[l] = (c0 - start) / 1e3;
    }
    const size_t total = (size_t)n * (size_t)loops;
    const double cpu_per_call = (cpu_us() - cpu0) / (double)total;
    double mean = 0;
    for (size_t i = 0; i < total; i++) mean += lat[i] / (double)total;
    qsort(lat, total, sizeof *lat, cmp_double);
    printf("{\"runtime\": \"onnxruntime\", \"version\": \"%s\", \"threads\": %d, \"n\": %d, \"loops\": %d, "
           "\"warmup\": %d, \"session_ms\": %.3f, \"first_call_us\": %.3f, \"us_per_call\": {\"p50\": %.3f, "
           "\"p90\": %.3f, \"p99\": %.3f, \"mean\": %.3f, \"min\": %.3f}, \"cpu_us_per_call\": %.3f, "
           "\"loop_ms\": [",
           version, threads, n, loops, warmup, session_ms, first_us, pct(lat, total, 50),
           pct(lat, total, 90), pct(lat, total, 99), mean, lat[0], cpu_per_call);
    for (int l = 0; l < loops; l++) printf("%s%.3f", l ? ", " : "", loop_ms[l]);
    printf("]}\n");
    for (int i = 0; i < n_in; i++) {
        release_value(inputs[i].value);
        free(inputs[i].buf);
        free(inputs[i].pool);
    }
    free(lat);
    free(loop_ms);
    ort_close(&rt);
    return 0;
}
