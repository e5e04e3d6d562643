/* test_keras_tfjs_shared.c — the TF.js layers models in ../shared/models/tfjs (Fashion-MNIST
 * "beginner" and "expert", trained with TensorFlow.js 4.22) against the outputs TF.js computed:
 * the batch of 100 reference images, and every layer's output for image 0 fetched by layer name.
 * Skips when ../shared is absent. */
#include "test.h"
#include "import/import.h"

#include <stdlib.h>
#include <string.h>

static float *read_f32(const char *path, size_t *n) {
    size_t bytes = 0;
    float *p = frost_test_read_file(path, &bytes);
    *n = bytes / sizeof(float);
    return p;
}

/* Runs `m` on input 0 of shape dims, fetching the named tensors; outs[i] receives a malloc'd copy. */
static bool run(const frost_model *m, int rank, const int64_t *dims, const float *x,
                const char *const *fetch, int n_fetch, float **outs, size_t *counts) {
    frost_error err;
    frost_session_options so = {.struct_size = sizeof so, .n_threads = 1, .outputs = fetch, .n_outputs = n_fetch, .spin_us = -1};
    frost_session *s = NULL;
    if (!CHECK_OK(frost_session_create(m, &so, &s, &err), &err)) return false;
    bool ok = CHECK_OK(frost_session_set_input_shape(s, 0, rank, dims, &err), &err);
    size_t n = 1;
    for (int i = 0; i < rank; i++) n *= (size_t)dims[i];
    ok = ok && CHECK_OK(frost_session_set_input(s, 0, x, n * sizeof(float), &err), &err);
    ok = ok && CHECK_OK(frost_session_run(s, &err), &err);
    for (int i = 0; ok && i < frost_session_output_count(s); i++) {
        frost_tensor_info info;
        const float *y = frost_session_output_data(s, i, &info);
        size_t c = 1;
        for (int d = 0; d < info.rank; d++) c *= (size_t)info.dims[d];
        outs[i] = malloc(c * sizeof(float));
        memcpy(outs[i], y, c * sizeof(float));
        counts[i] = c;
    }
    frost_session_free(s);
    return ok;
}

static void check_model(const char *name, int rank, const int64_t *dims100,
                        const char *const *layers, const char *const *layer_files, int n_layers) {
    char rel[512];
    snprintf(rel, sizeof rel, "models/tfjs/%s/model.json", name);
    const char *path = frost_test_shared(rel);
    frost_model *m = NULL;
    frost_error err;
    if (!CHECK_OK(frost_model_load_file(path, NULL, &m, &err), &err)) return;
    CHECK(frost_model_format(m) == FROST_FORMAT_TFJS_LAYERS);
    CHECK(frost_model_input_count(m) == 1 && frost_model_output_count(m) == 1);
    frost_tensor_info in_info, out_info;
    CHECK_OK(frost_model_input_info(m, 0, &in_info), NULL);
    CHECK_MSG(!strcmp(in_info.name, "input"), "%s: input is named '%s'", name, in_info.name);
    CHECK_OK(frost_model_find(m, "softmax", &out_info, &err), &err);

    size_t nx, ny;
    snprintf(rel, sizeof rel, "models/tfjs/%s/ref/input.f32", name);
    float *x = read_f32(frost_test_shared(rel), &nx);
    snprintf(rel, sizeof rel, "models/tfjs/%s/ref/output.f32", name);
    float *want = read_f32(frost_test_shared(rel), &ny);
    CHECK(x && want && ny == 1000);
    float *got[8] = {0};
    size_t counts[8];
    const char *softmax = "softmax";
    if (x && want && run(m, rank, dims100, x, &softmax, 1, got, counts)) {
        CHECK(counts[0] == 1000);
        frost_test_close(got[0], want, 1000, 1e-5, 1e-4, name);
    }
    free(got[0]);

    /* Every layer's output for image 0, fetched by layer name. */
    int64_t dims1[FROST_MAX_RANK];
    memcpy(dims1, dims100, sizeof(int64_t) * (size_t)rank);
    dims1[0] = 1;
    memset(got, 0, sizeof got);
    if (x && run(m, rank, dims1, x, layers, n_layers, got, counts)) {
        for (int i = 0; i < n_layers; i++) {
            snprintf(rel, sizeof rel, "models/tfjs/%s/ref/layers/%s", name, layer_files[i]);
            size_t nw;
            float *w = read_f32(frost_test_shared(rel), &nw);
            CHECK_MSG(w && nw == counts[i], "%s layer %s: %zu values, want %zu", name, layers[i],
                      counts[i], nw);
            if (w && nw == counts[i]) frost_test_close(got[i], w, nw, 1e-5, 1e-4, layers[i]);
            free(w);
        }
    }
    for (int i = 0; i < 8; i++) free(got[i]);
    free(x);
    free(want);
    frost_model_free(m);
}

int main(void) {
    if (!frost_test_shared("models/tfjs"))
        frost_test_skip("../shared is absent: no TF.js reference models to test against");
    const char *b_layers[] = {"dense", "softmax"};
    const char *b_files[] = {"00_dense.f32", "01_softmax.f32"};
    check_model("beginner", 2, (int64_t[]){100, 784}, b_layers, b_files, 2);
    const char *e_layers[] = {"conv1", "pool1", "conv2", "pool2", "flatten", "fc1", "dropout",
                              "fc2"};
    const char *e_files[] = {"00_conv1.f32", "01_pool1.f32", "02_conv2.f32", "03_pool2.f32",
                             "04_flatten.f32", "05_fc1.f32", "06_dropout.f32", "07_fc2.f32"};
    check_model("expert", 4, (int64_t[]){100, 28, 28, 1}, e_layers, e_files, 8);
    return frost_test_finish();
}
