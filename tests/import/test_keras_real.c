/* test_keras_real.c — third-party Keras files from ../shared/testdata/real (see its SOURCES.md):
 * - hls4ml: the full-model keras_3layer.h5 and the split KERAS_3layer.json + KERAS_3layer_weights.h5
 *   hold bit-identical weights, so both forms must give identical outputs; the batch-norm and conv
 *   models must load and give probability vectors.
 * - moonflower (Keras 3.1.1): .keras and Keras-3-written .h5 must classify the digit images 1 and 8.
 * - ardianumam_lenet5 and h5topy_keras2_learning_phase: the Keras .h5 and the frozen .pb made from it
 *   share their weights bit for bit, so both must give the same outputs.
 * Skips when ../shared is absent. */
#include "test.h"
#include "engine/model.h"
#include "import/import.h"
#include "npy.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Runs input 0 = x (shape dims) and copies output `out_name` (NULL: output 0) into y. */
static bool run1(const frost_model *m, const char *out_name, int rank, const int64_t *dims,
                 const float *x, float *y, size_t ny) {
    frost_error err;
    frost_session_options so = {.struct_size = sizeof so, .n_threads = 1, .outputs = out_name ? &out_name : NULL, .n_outputs = out_name ? 1 : 0, .spin_us = -1};
    frost_session *s = NULL;
    if (!CHECK_OK(frost_session_create(m, &so, &s, &err), &err)) return false;
    size_t n = 1;
    for (int i = 0; i < rank; i++) n *= (size_t)dims[i];
    bool ok = CHECK_OK(frost_session_set_input_shape(s, 0, rank, dims, &err), &err) &&
              CHECK_OK(frost_session_set_input(s, 0, x, n * sizeof(float), &err), &err) &&
              CHECK_OK(frost_session_run(s, &err), &err);
    if (ok) {
        frost_tensor_info info;
        const float *out = frost_session_output_data(s, 0, &info);
        size_t c = 1;
        for (int d = 0; d < info.rank; d++) c *= (size_t)info.dims[d];
        ok = CHECK_MSG(out && c == ny, "output has %zu values, want %zu", c, ny);
        if (ok) memcpy(y, out, ny * sizeof(float));
    }
    frost_session_free(s);
    return ok;
}

static frost_model *load(const char *rel) {
    const char *path = frost_test_shared(rel);
    frost_model *m = NULL;
    frost_error err;
    if (!CHECK_OK(frost_model_load_file(path, NULL, &m, &err), &err)) {
        printf("  while loading %s\n", rel);
        return NULL;
    }
    return m;
}

static void check_probabilities(const float *y, int rows, int cols, const char *what) {
    for (int r = 0; r < rows; r++) {
        double sum = 0;
        for (int c = 0; c < cols; c++) sum += y[r * cols + c];
        CHECK_MSG(fabs(sum - 1) < 1e-4, "%s row %d sums to %g", what, r, sum);
    }
}

static int argmax(const float *y, int n) {
    int best = 0;
    for (int i = 1; i < n; i++)
        if (y[i] > y[best]) best = i;
    return best;
}

static void test_hls4ml(void) {
    float x[4 * 16], full[4 * 5], split[4 * 5];
    frost_test_seed(7);
    frost_test_fill(x, 4 * 16, -2, 2);
    int64_t dims[2] = {4, 16};
    frost_model *m = load("testdata/real/keras/hls4ml_example_models/keras_3layer.h5");
    if (m) {
        CHECK(frost_model_format(m) == FROST_FORMAT_KERAS_H5);
        CHECK(frost_model_param_count(m) >= 4389);
        frost_error err;
        CHECK_OK(frost_model_find(m, "fc2_relu", NULL, &err), &err);
        CHECK_OK(frost_model_find(m, "input_1", NULL, &err), &err);
        if (run1(m, NULL, 2, dims, x, full, 20)) check_probabilities(full, 4, 5, "keras_3layer");
    }
    frost_model_free(m);

    /* The split form through the importer, made into a model like the loader does. */
    size_t jn = 0, hn = 0;
    char *json = frost_test_read_file(frost_test_shared("testdata/real/keras/hls4ml_example_models/KERAS_3layer.json"), &jn);
    void *h5 = frost_test_read_file(frost_test_shared("testdata/real/keras/hls4ml_example_models/KERAS_3layer_weights.h5"), &hn);
    frost__graph g;
    frost_error err;
    frost__graph_init(&g, NULL, &err);
    frost_model *m2 = NULL;
    if (CHECK(json && h5) && CHECK_OK(frost__import_keras_json_h5(json, jn, h5, hn, &g, &err), &err) &&
        CHECK_OK(frost__model_from_graph(&g, NULL, &m2, &err), &err) &&
        run1(m2, NULL, 2, dims, x, split, 20)) {
        CHECK_MSG(frost_test_max_abs_diff(full, split, 20, NULL) == 0,
                  "full .h5 and JSON + weights differ by %g", frost_test_max_abs_diff(full, split, 20, NULL));
    }
    frost__graph_free(&g);
    frost_model_free(m2);
    free(json);
    free(h5);

    /* Weights-only files are refused with a message saying what is missing. */
    frost_model *w = NULL;
    CHECK_FAILS(frost_model_load_file(frost_test_shared("testdata/real/keras/hls4ml_example_models/KERAS_3layer_weights.h5"),
                                      NULL, &w, &err),
                FROST_E_FORMAT, &err, "model_config");

    m = load("testdata/real/keras/hls4ml_example_models/keras_3layer_batch_norm.h5");
    if (m && run1(m, NULL, 2, dims, x, full, 20)) check_probabilities(full, 4, 5, "batch_norm");
    frost_model_free(m);

    float img[2 * 8 * 8], y[2 * 10];
    frost_test_fill(img, 128, 0, 1);
    m = load("testdata/real/keras/hls4ml_example_models/keras_conv2d_model.h5");
    if (m && run1(m, NULL, 4, (int64_t[]){2, 8, 8, 1}, img, y, 20)) check_probabilities(y, 2, 10, "conv2d_model");
    frost_model_free(m);
}

static void test_moonflower(void) {
    const char *files[] = {"testdata/real/keras/moonflower_mnist_keras3/mnist_model.keras",
                           "testdata/real/keras/moonflower_mnist_keras3/mnist_model.h5"};
    for (int f = 0; f < 2; f++) {
        frost_model *m = load(files[f]);
        if (!m) continue;
        CHECK(frost_model_format(m) == (f == 0 ? FROST_FORMAT_KERAS_V3 : FROST_FORMAT_KERAS_H5));
        frost_tensor_info in;
        frost_model_input_info(m, 0, &in);
        CHECK_MSG(!strcmp(in.name, "input_layer"), "input named '%s'", in.name);
        const int digits[2] = {1, 8};
        for (int d = 0; d < 2; d++) {
            char rel[256];
            snprintf(rel, sizeof rel, "testdata/real/keras/moonflower_mnist_keras3/%d_input_1x28x28x1_f32.npy", digits[d]);
            npy_array a;
            frost_error err;
            if (!CHECK_OK(npy_read_file(frost_test_shared(rel), &a, &err), &err)) continue;
            float y[10];
            if (run1(m, "dense", 4, (int64_t[]){1, 28, 28, 1}, a.data, y, 10)) {
                check_probabilities(y, 1, 10, files[f]);
                CHECK_MSG(argmax(y, 10) == digits[d], "%s: image %d classified as %d", files[f],
                          digits[d], argmax(y, 10));
            }
            npy_free(&a);
        }
        frost_model_free(m);
    }
}

/* The .h5 and the .pb frozen from it must agree on the same input. */
static void cross_check(const char *h5, const char *pb, const char *pb_out, const int64_t *dims,
                        int n_out) {
    size_t n = (size_t)(dims[0] * dims[1] * dims[2] * dims[3]);
    float *x = malloc(n * sizeof(float));
    float a[64], b[64];
    frost_test_fill(x, n, 0, 1);
    frost_model *mk = load(h5), *mp = load(pb);
    if (mk && mp && run1(mk, NULL, 4, dims, x, a, (size_t)(dims[0] * n_out)) &&
        run1(mp, pb_out, 4, dims, x, b, (size_t)(dims[0] * n_out))) {
        frost_test_close(a, b, (size_t)(dims[0] * n_out), 1e-5, 1e-4, h5);
    }
    frost_model_free(mk);
    frost_model_free(mp);
    free(x);
}

int main(void) {
    if (!frost_test_shared("testdata/real"))
        frost_test_skip("../shared is absent: no third-party Keras files to test");
    test_hls4ml();
    test_moonflower();
    frost_test_seed(11);
    cross_check("testdata/real/tf_frozen/ardianumam_lenet5/modelLeNet5_small.h5",
                "testdata/real/tf_frozen/ardianumam_lenet5/frozen_model.pb", "output_tensor/Softmax",
                (int64_t[]){2, 28, 28, 1}, 3);
    cross_check("testdata/real/tf_frozen/h5topy_keras2_learning_phase/keras_model.h5",
                "testdata/real/tf_frozen/h5topy_keras2_learning_phase/keras_model.pb", "dense_2/Sigmoid",
                (int64_t[]){2, 112, 112, 3}, 7);
    return frost_test_finish();
}
