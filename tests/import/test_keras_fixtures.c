/* test_keras_fixtures.c — the TF.js layers models made by scripts/gen_keras_fixtures.mjs
 * (tests/data/keras/tfjs/<model>/), which together cover every Keras layer frost imports that TF.js
 * implements: each model's outputs and every layer's output (fetched by layer name) must match what
 * TF.js computed. Weights are split over two shards at an odd offset, so a weight straddles them. */
#include "test.h"
#include "fmt/json.h"
#include "import/import.h"

#include <stdlib.h>
#include <string.h>

typedef struct ref_tensor {
    const char *name;
    int rank;
    int64_t dims[FROST_MAX_RANK];
    float *data;
    size_t n;
} ref_tensor;

static bool read_ref(const char *dir, const frost__json *j, ref_tensor *t) {
    memset(t, 0, sizeof *t);
    t->name = frost__json_get_str(j, "name");
    const frost__json *shape = frost__json_get(j, "shape");
    t->rank = frost__json_len(shape);
    t->n = 1;
    for (int i = 0; i < t->rank; i++) {
        frost__json_int(frost__json_at(shape, i), &t->dims[i]);
        t->n *= (size_t)t->dims[i];
    }
    char path[1024];
    snprintf(path, sizeof path, "%s/ref/%s", dir, frost__json_get_str(j, "file"));
    size_t bytes = 0;
    t->data = frost_test_read_file(path, &bytes);
    return CHECK_MSG(t->name && t->data && bytes == t->n * sizeof(float), "reference %s", path);
}

static void check_model(const char *name) {
    char dir[1024], path[1200];
    snprintf(dir, sizeof dir, "%s", frost_test_data(""));
    snprintf(dir + strlen(dir), sizeof dir - strlen(dir), "/keras/tfjs/%s", name);
    snprintf(path, sizeof path, "%s/ref/ref.json", dir);
    size_t len = 0;
    char *text = frost_test_read_file(path, &len);
    frost__json *ref = NULL;
    frost_error err;
    if (!CHECK_MSG(text, "missing %s", path) ||
        !CHECK_OK(frost__json_parse(text, len, 0, "ref.json", &ref, &err), &err)) {
        free(text);
        return;
    }
    const frost__json *ins = frost__json_get(ref, "inputs");
    const frost__json *outs = frost__json_get(ref, "outputs");
    const frost__json *layers = frost__json_get(ref, "layers");
    int n_in = frost__json_len(ins), n_out = frost__json_len(outs), n_layers = frost__json_len(layers);
    ref_tensor in[8], want[64];
    const char *fetch[64];
    int n_fetch = 0;
    bool ok = n_in <= 8 && n_out + n_layers <= 64;
    for (int i = 0; ok && i < n_in; i++) ok = read_ref(dir, frost__json_at(ins, i), &in[i]);
    for (int i = 0; ok && i < n_out; i++) {
        ok = read_ref(dir, frost__json_at(outs, i), &want[n_fetch]);
        fetch[n_fetch] = want[n_fetch].name;
        n_fetch++;
    }
    for (int i = 0; ok && i < n_layers; i++) {
        const char *lname = frost__json_get_str(frost__json_at(layers, i), "name");
        bool dup = false;
        for (int j = 0; j < n_fetch; j++) dup |= lname && !strcmp(fetch[j], lname);
        if (dup) continue;   /* an output layer: already fetched */
        ok = read_ref(dir, frost__json_at(layers, i), &want[n_fetch]);
        fetch[n_fetch] = want[n_fetch].name;
        n_fetch++;
    }
    snprintf(path, sizeof path, "%s/model.json", dir);
    frost_model *m = NULL;
    frost_session *s = NULL;
    /* Load-time passes may rewrite intermediate layers away (cancelled layout transposes): name
     * every layer to fetch as an output at load. The model's own outputs come first. */
    frost_load_options lo;
    memset(&lo, 0, sizeof lo);
    lo.struct_size = sizeof lo;
    lo.outputs = fetch;
    lo.n_outputs = n_fetch;
    if (ok && CHECK_OK(frost_model_load_file(path, NULL, &m, &err), &err)) {
        CHECK_MSG(frost_model_output_count(m) == n_out, "%s: %d outputs, want %d", name,
                  frost_model_output_count(m), n_out);
        frost_model_free(m);
        m = NULL;
    }
    if (ok && CHECK_OK(frost_model_load_file(path, &lo, &m, &err), &err)) {
        frost_session_options so = {.struct_size = sizeof so, .n_threads = 1, .outputs = fetch, .n_outputs = n_fetch, .spin_us = -1};
        if (CHECK_OK(frost_session_create(m, &so, &s, &err), &err)) {
            /* Every shape first: setting data plans for the shapes known so far. */
            bool fed = true;
            int idx[8];
            for (int i = 0; i < n_in && fed; i++)
                fed = CHECK_OK(frost_session_input_index(s, in[i].name, &idx[i], &err), &err) &&
                      CHECK_OK(frost_session_set_input_shape(s, idx[i], in[i].rank, in[i].dims, &err), &err);
            for (int i = 0; i < n_in && fed; i++)
                fed = CHECK_OK(frost_session_set_input(s, idx[i], in[i].data, in[i].n * sizeof(float), &err), &err);
            if (fed && CHECK_OK(frost_session_run(s, &err), &err)) {
                for (int i = 0; i < n_fetch; i++) {
                    frost_tensor_info info;
                    const float *y = frost_session_output_data(s, i, &info);
                    size_t n = 1;
                    for (int d = 0; d < info.rank; d++) n *= (size_t)info.dims[d];
                    char what[256];
                    snprintf(what, sizeof what, "%s/%s", name, fetch[i]);
                    if (CHECK_MSG(y && n == want[i].n, "%s: %zu values, want %zu", what, n, want[i].n))
                        frost_test_close(y, want[i].data, n, 2e-5, 2e-4, what);
                }
            }
        }
    }
    frost_session_free(s);
    frost_model_free(m);
    for (int i = 0; i < n_in; i++) free(in[i].data);
    for (int i = 0; i < n_fetch; i++) free(want[i].data);
    frost__json_free(ref);
    free(text);
}

int main(void) {
    const char *models[] = {"dense_acts", "conv2d_net", "channels_first", "global_max",
                            "conv1d_net", "functional_merge", "nested", "embedding"};
    for (size_t i = 0; i < sizeof models / sizeof *models; i++) {
        int before = frost_test_failed;
        check_model(models[i]);
        printf("%s: %s\n", models[i], frost_test_failed == before ? "ok" : "FAILED");
    }
    return frost_test_finish();
}
