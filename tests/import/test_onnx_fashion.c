/* test_onnx_fashion.c — the two Fashion-MNIST models PyTorch exported to ONNX (../shared/models/
 * torch: "beginner" dense+softmax, "expert" NCHW conv/pool CNN) run through the public API: the first
 * 100 test images must give PyTorch's softmax within 1e-4, and the whole 10,000-image test set the
 * accuracy recorded at training (for the CNN only with FROST_TEST_FULL=1: minutes under ASan). Also prints the latency of one prediction. Skipped when ../shared
 * or Debian's dataset-fashion-mnist is absent. */
#include "test.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "idx.h"
#include "core/common.h"
#include "import/import.h"
#include "npy.h"

#define FASHION_DIR "/usr/share/datasets/fashion-mnist"

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void check_model(const char *stem, const idx_mnist *data, int64_t count) {
    char rel[256];
    snprintf(rel, sizeof rel, "models/torch/%s.onnx", stem);
    const char *path = frost_test_shared(rel);
    frost_model *m = NULL;
    frost_error err;
    if (!CHECK_OK(frost_model_load_file(path, NULL, &m, &err), &err)) return;
    CHECK(frost_model_format(m) == FROST_FORMAT_ONNX);
    npy_array want;
    memset(&want, 0, sizeof want);
    snprintf(rel, sizeof rel, "models/torch/%s_expected100.npy", stem);
    CHECK_OK(npy_read_file(frost_test_shared(rel), &want, &err), &err);
    snprintf(rel, sizeof rel, "models/torch/%s_accuracy.txt", stem);
    size_t acc_size;
    char *acc_text = frost_test_read_file(frost_test_shared(rel), &acc_size);
    double want_acc = acc_text ? strtod(acc_text, NULL) : -1;
    free(acc_text);

    frost_session *s = NULL;
    if (CHECK_OK(frost_session_create(m, NULL, &s, &err), &err)) {
        float *x = frost_session_input_data(s, 0);
        int64_t pix = data->rows * data->cols;
        int correct = 0;
        double worst = 0, t_best = 1e9;
        for (int64_t i = 0; x && i < count; i++) {
            for (int64_t k = 0; k < pix; k++) x[k] = data->pixels[i * pix + k] / 255.0f;
            double t0 = now_s();
            if (frost_session_run(s, &err) != FROST_OK) {
                CHECK_OK(err.code, &err);
                break;
            }
            double dt = now_s() - t0;
            if (dt < t_best) t_best = dt;
            const float *y = frost_session_output_data(s, 0, NULL);
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
        printf("  %s: accuracy %.4f on %lld images (PyTorch %.4f on all), max |diff| on 100 images %.2g, best latency %.1f us\n",
               stem, acc, (long long)count, want_acc, worst, t_best * 1e6);
        CHECK_MSG(worst <= 1e-4, "%s: outputs differ from PyTorch by %g", stem, worst);
        if (want_acc >= 0 && count == data->count) CHECK_MSG(acc >= want_acc - 0.0015 && acc <= want_acc + 0.0015,
                                     "%s: accuracy %.4f, PyTorch %.4f", stem, acc, want_acc);
        frost_session_free(s);
    }
    npy_free(&want);
    frost_model_free(m);
}

int main(void) {
    if (!frost_test_shared("models/torch/fashion_beginner.onnx"))
        frost_test_skip("../shared is absent: no Fashion-MNIST ONNX models to test");
    idx_mnist data;
    frost_error err;
    if (idx_load_mnist(FASHION_DIR, "t10k", &data, &err) != FROST_OK)
        frost_test_skip("Debian's dataset-fashion-mnist is not installed");
    const char *full = getenv("FROST_TEST_FULL");
    check_model("fashion_beginner", &data, data.count);
    check_model("fashion_expert", &data, full && *full == '1' ? data.count : FROST_MIN(data.count, 100));
    idx_mnist_free(&data);
    return frost_test_finish();
}
