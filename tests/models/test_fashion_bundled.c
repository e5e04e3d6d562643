/* test_fashion_bundled.c — the example models bundled in models/fashion (scripts/train_fashion.py)
 * through the public API, in every format the repository holds them: beginner.onnx, expert.onnx
 * and the Keras/TF.js layers copy tfjs/beginner/model.json. The first 100 Fashion-MNIST test images
 * must give PyTorch's softmax (models/fashion/<name>_expected100.npy) within 1e-4, and for the
 * beginner the whole 10,000-image test set must give the accuracy PyTorch recorded in
 * models/fashion/beginner.json (the expert only with FROST_TEST_FULL=1: minutes under ASan).
 * Skipped when Debian's dataset-fashion-mnist is absent. It must never rewrite the models. */
#include "test.h"

#include <stdlib.h>
#include <string.h>

#include "idx.h"
#include "core/common.h"
#include "import/import.h"
#include "npy.h"

#define FASHION_DIR "/usr/share/datasets/fashion-mnist"
#define MODELS FROST_SOURCE_DIR "/models/fashion/"

/* The "test_accuracy" number from a <name>.json written by train_fashion.py; -1 when missing. */
static double recorded_accuracy(const char *name) {
    size_t size;
    char *text = frost_test_read_file(frost_test_fmt(MODELS "%s.json", name), &size);
    if (!text) return -1;
    char *nul = realloc(text, size + 1);
    if (!nul) { free(text); return -1; }
    nul[size] = 0;
    const char *at = strstr(nul, "\"test_accuracy\":");
    double acc = at ? strtod(at + strlen("\"test_accuracy\":"), NULL) : -1;
    free(nul);
    return acc;
}

static void check_model(const char *file, const char *name, frost_format want_format,
                        const idx_mnist *data, int64_t count) {
    char path[512];
    snprintf(path, sizeof path, MODELS "%s", file);
    frost_model *m = NULL;
    frost_error err;
    if (!CHECK_OK(frost_model_load_file(path, NULL, &m, &err), &err)) return;
    CHECK(frost_model_format(m) == want_format);
    npy_array want;
    memset(&want, 0, sizeof want);
    snprintf(path, sizeof path, MODELS "%s_expected100.npy", name);
    CHECK_OK(npy_read_file(path, &want, &err), &err);
    double want_acc = recorded_accuracy(name);
    CHECK_MSG(want_acc > 0.5, "%s: no test_accuracy in models/fashion/%s.json", file, name);

    frost_session *s = NULL;
    if (CHECK_OK(frost_session_create(m, NULL, &s, &err), &err)) {
        int in = -1, out = -1;
        CHECK_OK(frost_session_input_index(s, "input", &in, &err), &err);
        CHECK_OK(frost_session_output_index(s, "softmax", &out, &err), &err);
        float *x = in >= 0 ? frost_session_input_data(s, in) : NULL;
        int64_t pix = data->rows * data->cols;
        int64_t correct = 0;
        double worst = 0;
        for (int64_t i = 0; x && out >= 0 && i < count; i++) {
            /* flat [1,784], NCHW [1,1,28,28] and NHWC [1,28,28,1] hold the same 784 floats */
            for (int64_t k = 0; k < pix; k++) x[k] = data->pixels[i * pix + k] / 255.0f;
            if (!CHECK_OK(frost_session_run(s, &err), &err)) break;
            const float *y = frost_session_output_data(s, out, NULL);
            int best = 0;
            for (int c = 1; c < 10; c++)
                if (y[c] > y[best]) best = c;
            correct += best == data->labels[i];
            if (i < 100 && want.data && want.bytes >= (size_t)(i + 1) * 10 * sizeof(float)) {
                double d = frost_test_max_abs_diff(y, (const float *)want.data + i * 10, 10, NULL);
                if (d > worst) worst = d;
            }
        }
        double acc = (double)correct / (double)count;
        printf("  %s: accuracy %.4f on %lld images (PyTorch %.4f on all), max |diff| on 100 images %.2g\n",
               file, acc, (long long)count, want_acc, worst);
        CHECK_MSG(worst <= 1e-4, "%s: outputs differ from PyTorch by %g", file, worst);
        if (count == data->count)
            CHECK_MSG(acc >= want_acc - 0.0015 && acc <= want_acc + 0.0015, "%s: accuracy %.4f, PyTorch %.4f",
                      file, acc, want_acc);
        frost_session_free(s);
    }
    npy_free(&want);
    frost_model_free(m);
}

int main(void) {
    idx_mnist data;
    frost_error err;
    if (idx_load_mnist(FASHION_DIR, "t10k", &data, &err) != FROST_OK)
        frost_test_skip("Debian's dataset-fashion-mnist is not installed");
    const char *full = getenv("FROST_TEST_FULL");
    check_model("beginner.onnx", "beginner", FROST_FORMAT_ONNX, &data, data.count);
    check_model("tfjs/beginner/model.json", "beginner", FROST_FORMAT_TFJS_LAYERS, &data, data.count);
    check_model("expert.onnx", "expert", FROST_FORMAT_ONNX, &data,
                full && *full == '1' ? data.count : FROST_MIN(data.count, 100));
    idx_mnist_free(&data);
    return frost_test_finish();
}
