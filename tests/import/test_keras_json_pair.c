/* test_keras_json_pair.c — a Keras architecture JSON (model.to_json()) with its weights file
 * (save_weights) beside it loads through the public API, and gives exactly what the full-model .h5
 * with the same (bit-identical, per SOURCES.md) weights gives: hls4ml's KERAS_3layer pair. */
#include <string.h>

#include "test.h"

static const char *DIR_REL = "testdata/real/keras/hls4ml_example_models";

static bool run(const char *path, const float *x, float *y) {
    frost_model *m = NULL;
    frost_session *s = NULL;
    frost_error err;
    bool ok = CHECK_OK(frost_model_load_file(path, NULL, &m, &err), &err) &&
              CHECK_OK(frost_session_create(m, NULL, &s, &err), &err) &&
              CHECK_OK(frost_session_set_input(s, 0, x, 16 * sizeof(float), &err), &err) &&
              CHECK_OK(frost_session_run(s, &err), &err);
    if (ok) {
        frost_tensor_info info;
        const float *out = frost_session_output_data(s, 0, &info);
        ok = CHECK(info.rank == 2 && info.dims[1] == 5);
        if (ok) memcpy(y, out, 5 * sizeof(float));
    }
    if (m) CHECK(frost_model_format(m) == FROST_FORMAT_KERAS_H5);
    frost_session_free(s);
    frost_model_free(m);
    return ok;
}

int main(void) {
    const char *dir = frost_test_shared(DIR_REL);
    if (!dir) frost_test_skip("../shared is absent: no third-party Keras files to load");
    char pair[4096], full[4096];
    snprintf(pair, sizeof pair, "%s/KERAS_3layer.json", dir);
    snprintf(full, sizeof full, "%s/keras_3layer.h5", dir);
    frost_test_seed(3);
    for (int trial = 0; trial < 4; trial++) {
        float x[16], a[5], b[5];
        frost_test_fill(x, 16, -2, 2);
        if (!run(pair, x, a) || !run(full, x, b)) break;
        frost_test_close(a, b, 5, 0, 0, "JSON + weights vs full .h5");
    }
    return frost_test_finish();
}
