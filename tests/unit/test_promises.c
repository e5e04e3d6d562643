/* test_promises.c — the promises frost.h makes about sessions and option structs, each checked
 * through the public API on committed fixtures:
 *   - swapping a bound output (or input) buffer for another of the same shape neither re-plans nor
 *     allocates, and the next run writes the new buffer;
 *   - a bound input is never written: it sits in a read-only page during the run;
 *   - denormals: the caller's thread computes in the workers' mode, so 1 and 2 threads give the
 *     same bits (flushed by default, kept with keep_denormals = 1);
 *   - versioned option structs: an older, smaller struct (garbage past its end) and struct_size 0
 *     read only the first release's fields; a too-small struct_size is refused;
 *   - frost_version_number() agrees with the header's macros. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "test.h"

static frost_model *load(const char *name, const frost_allocator *a) {
    frost_load_options lo = {.struct_size = sizeof lo, .allocator = a};
    frost_model *m = NULL;
    frost_error err;
    CHECK_OK(frost_model_load_file(frost_test_data(name), &lo, &m, &err), &err);
    return m;
}

/* mlp.pb: probs = softmax(relu(x W + b) V), x [?, 3]. */
static void rebinding_is_free(void) {
    frost_test_counting count;
    frost_test_counting_init(&count);
    frost_model *m = load("tf/mlp.pb", &count.a);
    if (!m) return;
    frost_session *s = NULL;
    frost_error err;
    if (!CHECK_OK(frost_session_create(m, NULL, &s, &err), &err)) goto done;
    float x[3] = {0.5f, -1, 2}, y1[16], y2[16], y3[16];
    frost_tensor_info info;
    CHECK_OK(frost_session_output_info(s, 0, &info), NULL);
    size_t out_bytes = (size_t)info.dims[1] * sizeof(float);
    CHECK(out_bytes <= sizeof y1);
    CHECK_OK(frost_session_set_input(s, 0, x, sizeof x, &err), &err);
    CHECK_OK(frost_session_bind_output(s, 0, y1, out_bytes, &err), &err);
    CHECK_OK(frost_session_run(s, &err), &err);     /* the first binding may re-plan */
    long allocs = count.allocs, calls = count.calls;
    size_t arena = frost_session_arena_bytes(s);
    CHECK_OK(frost_session_bind_output(s, 0, y2, out_bytes, &err), &err);
    CHECK_OK(frost_session_run(s, &err), &err);
    CHECK_MSG(count.calls == calls && count.allocs == allocs,
              "rebinding the output allocated %ld times", count.calls - calls);
    CHECK(frost_session_arena_bytes(s) == arena);
    CHECK(memcmp(y1, y2, out_bytes) == 0);
    CHECK(frost_session_output_data(s, 0, NULL) == y2);
    /* The input too: a caller's buffer, then another. */
    float x2[3] = {1, 1, 1}, x3[3] = {0.5f, -1, 2};
    CHECK_OK(frost_session_bind_input(s, 0, x2, sizeof x2, &err), &err);
    CHECK_OK(frost_session_run(s, &err), &err);
    calls = count.calls;
    CHECK_OK(frost_session_bind_input(s, 0, x3, sizeof x3, &err), &err);
    CHECK_OK(frost_session_bind_output(s, 0, y3, out_bytes, &err), &err);
    CHECK_OK(frost_session_run(s, &err), &err);
    CHECK_MSG(count.calls == calls, "rebinding input and output allocated %ld times",
              count.calls - calls);
    CHECK(memcmp(y3, y1, out_bytes) == 0);
done:
    frost_session_free(s);
    frost_model_free(m);
}

/* A bound input in a read-only page: any write to it would fault. */
static void bound_input_is_read_only(void) {
    frost_model *m = load("tf/mlp.pb", NULL);
    if (!m) return;
    long page = sysconf(_SC_PAGESIZE);
    float *x = mmap(NULL, (size_t)page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(x != MAP_FAILED);
    frost_session *s = NULL;
    frost_error err;
    if (x != MAP_FAILED && CHECK_OK(frost_session_create(m, NULL, &s, &err), &err)) {
        float want[3] = {0.5f, -1, 2};
        memcpy(x, want, sizeof want);
        CHECK(mprotect(x, (size_t)page, PROT_READ) == 0);
        CHECK_OK(frost_session_bind_input(s, 0, x, 3 * sizeof(float), &err), &err);
        for (int i = 0; i < 3; i++) CHECK_OK(frost_session_run(s, &err), &err);
        CHECK(memcmp(x, want, sizeof want) == 0);
    }
    frost_session_free(s);
    if (x != MAP_FAILED) munmap(x, (size_t)page);
    frost_model_free(m);
}

/* y = 0.5 x over 1M subnormal inputs, split across threads when there are several. */
static void run_denormals(const frost_model *m, int threads, int keep, float *y, size_t n) {
    frost_session_options so = {.struct_size = sizeof so, .n_threads = threads, .spin_us = -1,
                                .keep_denormals = keep};
    frost_session *s = NULL;
    frost_error err;
    if (!CHECK_OK(frost_session_create(m, &so, &s, &err), &err)) return;
    int64_t dims[1] = {(int64_t)n};
    float *x = malloc(n * sizeof *x);
    for (size_t i = 0; i < n; i++) x[i] = 1e-39f * (float)(1 + i % 7); /* all subnormal */
    CHECK_OK(frost_session_set_input_shape(s, 0, 1, dims, &err), &err);
    CHECK_OK(frost_session_set_input(s, 0, x, n * sizeof *x, &err), &err);
    CHECK_OK(frost_session_run(s, &err), &err);
    const float *out = frost_session_output_data(s, 0, NULL);
    if (CHECK(out != NULL)) memcpy(y, out, n * sizeof *y);
    free(x);
    frost_session_free(s);
}

static void denormals_same_on_every_thread(void) {
    frost_model *m = load("tf/denormal_scale.pb", NULL);
    if (!m) return;
    const size_t n = 1 << 20;
    float *a = calloc(n, sizeof *a), *b = calloc(n, sizeof *b);
    for (int keep = 0; keep <= 1; keep++) {
        run_denormals(m, 1, keep, a, n);
        run_denormals(m, 2, keep, b, n);
        CHECK_MSG(memcmp(a, b, n * sizeof *a) == 0,
                  "keep_denormals=%d: 1 and 2 threads differ", keep);
        size_t zeros = 0;
        for (size_t i = 0; i < n; i++) zeros += a[i] == 0.0f;
        /* Flushed: every output is 0. Kept: none is (0.5 x of a subnormal is still nonzero). */
        CHECK_MSG(keep ? zeros == 0 : zeros == n, "keep_denormals=%d: %zu of %zu outputs are 0",
                  keep, zeros, n);
    }
    free(a);
    free(b);
    frost_model_free(m);
}

/* The first release's option structs ended after max_nodes (load) and n_outputs (session). */
static void old_option_structs(void) {
    size_t load_v1 = offsetof(frost_load_options, max_nodes) + sizeof(int64_t);
    size_t session_v1 = offsetof(frost_session_options, spin_us);
    unsigned char *buf = malloc(sizeof(frost_load_options));
    memset(buf, 0xA5, sizeof(frost_load_options)); /* garbage past the old end */
    frost_load_options *lo = (frost_load_options *)buf;
    memset(lo, 0, load_v1);
    lo->struct_size = load_v1;
    frost_model *m = NULL;
    frost_error err;
    CHECK_OK(frost_model_load_file(frost_test_data("tf/mlp.pb"), lo, &m, &err), &err);
    lo->struct_size = 0; /* 0: the same first-release struct */
    frost_model *m0 = NULL;
    CHECK_OK(frost_model_load_file(frost_test_data("tf/mlp.pb"), lo, &m0, &err), &err);
    frost_model_free(m0);
    lo->struct_size = offsetof(frost_load_options, max_tensor_bytes);
    CHECK_FAILS(frost_model_load_file(frost_test_data("tf/mlp.pb"), lo, &m0, &err),
                FROST_E_INVALID_ARG, &err, "struct_size");
    free(buf);
    if (!m) return;
    buf = malloc(sizeof(frost_session_options));
    memset(buf, 0xA5, sizeof(frost_session_options));
    frost_session_options *so = (frost_session_options *)buf;
    memset(so, 0, session_v1);
    so->struct_size = session_v1;
    so->n_threads = 1;
    frost_session *s = NULL;
    CHECK_OK(frost_session_create(m, so, &s, &err), &err);
    frost_session_free(s);
    so->struct_size = sizeof(size_t);
    CHECK_FAILS(frost_session_create(m, so, &s, &err), FROST_E_INVALID_ARG, &err, "struct_size");
    free(buf);
    frost_model_free(m);
}

/* frost_load_options.max_isa: the bundled expert CNN packed and run with the portable kernels, with
 * AVX2 and with the CPU's best agrees within float rounding, and a bad value is refused. */
static void isa_cap_option(void) {
    const char *path = FROST_SOURCE_DIR "/models/fashion/expert.onnx";
    float x[784], ref[10] = {0};
    frost_test_seed(7);
    frost_test_fill(x, 784, 0, 1);
    for (int isa = FROST_ISA_PORTABLE; isa <= FROST_ISA_AUTO + 3; isa++) {
        int cap = isa == FROST_ISA_AUTO + 3 ? FROST_ISA_AUTO : isa;
        frost_load_options lo = {.struct_size = sizeof lo, .max_isa = cap};
        frost_model *m = NULL;
        frost_session *s = NULL;
        frost_error err;
        if (!CHECK_OK(frost_model_load_file(path, &lo, &m, &err), &err)) return;
        const char *want = cap == FROST_ISA_PORTABLE ? "kernels: portable C"
                           : cap == FROST_ISA_AVX2   ? "kernels: AVX2"
                                                     : "kernels: ";
        bool reported = false;
        for (int i = 0; i < frost_model_report_count(m); i++)
            reported |= strncmp(frost_model_report_line(m, i), want, strlen(want)) == 0 ||
                        (cap == FROST_ISA_AVX2 && /* a CPU without AVX2 runs the portable ones */
                         strcmp(frost_model_report_line(m, i), "kernels: portable C") == 0);
        CHECK_MSG(reported, "max_isa %d: no report line '%s'", cap, want);
        if (CHECK_OK(frost_session_create(m, NULL, &s, &err), &err) &&
            CHECK_OK(frost_session_set_input(s, 0, x, sizeof x, &err), &err) &&
            CHECK_OK(frost_session_run(s, &err), &err)) {
            const float *y = frost_session_output_data(s, 0, NULL);
            if (isa == FROST_ISA_PORTABLE) memcpy(ref, y, sizeof ref);
            else CHECK_MSG(frost_test_close(y, ref, 10, 1e-4, 1e-4, "expert logits"),
                           "max_isa %d differs from the portable kernels", cap);
        }
        frost_session_free(s);
        frost_model_free(m);
    }
    frost_load_options bad = {.struct_size = sizeof bad, .max_isa = 9};
    frost_model *m = NULL;
    frost_error err;
    CHECK_FAILS(frost_model_load_file(path, &bad, &m, &err), FROST_E_INVALID_ARG, &err, "max_isa");
}

/* frost_model_load_memory loads what frost_model_load_file loads, companion files included (given
 * as frost_load_options.files), and says which file is missing when one is not given. */
static void load_memory_like_file(void) {
    static const struct { const char *dir, *main, *companion; } cases[] = {
        {"/models/fashion/", "expert.onnx", NULL},
        {"/tests/data/tf/", "mlp.pb", NULL},
        {"/models/fashion/tfjs/expert/", "model.json", "weights.bin"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        char path[1024], companion[1024];
        snprintf(path, sizeof path, "%s%s%s", FROST_SOURCE_DIR, cases[c].dir, cases[c].main);
        size_t size = 0, csize = 0;
        void *bytes = frost_test_read_file(path, &size), *cbytes = NULL;
        if (!CHECK_MSG(bytes != NULL, "cannot read %s", path)) continue;
        frost_memory_file mf = {cases[c].companion, NULL, 0};
        if (cases[c].companion) {
            snprintf(companion, sizeof companion, "%s%s%s", FROST_SOURCE_DIR, cases[c].dir,
                     cases[c].companion);
            cbytes = frost_test_read_file(companion, &csize);
            mf.data = cbytes;
            mf.size = csize;
        }
        frost_model *from_file = NULL, *from_memory = NULL;
        frost_error err;
        frost_load_options lo = {.struct_size = sizeof lo};
        CHECK_OK(frost_model_load_file(path, &lo, &from_file, &err), &err);
        if (cases[c].companion) {
            /* Without the companion: refused, naming it. */
            CHECK_FAILS(frost_model_load_memory(bytes, size, &lo, &from_memory, &err), FROST_E_IO,
                        &err, cases[c].companion);
            lo.files = &mf;
            lo.n_files = 1;
        }
        CHECK_OK(frost_model_load_memory(bytes, size, &lo, &from_memory, &err), &err);
        if (from_file && from_memory) {
            CHECK(frost_model_param_count(from_file) == frost_model_param_count(from_memory));
            CHECK(frost_model_node_count(from_file) == frost_model_node_count(from_memory));
            CHECK(frost_model_input_count(from_file) == frost_model_input_count(from_memory));
        }
        frost_model_free(from_file);
        frost_model_free(from_memory);
        free(bytes);
        free(cbytes);
    }
}

int main(void) {
    load_memory_like_file();
    isa_cap_option();
    rebinding_is_free();
    bound_input_is_read_only();
    denormals_same_on_every_thread();
    old_option_structs();
    CHECK(frost_version_number() ==
          FROST_VERSION_MAJOR * 10000 + FROST_VERSION_MINOR * 100 + FROST_VERSION_PATCH);
    return frost_test_finish();
}
