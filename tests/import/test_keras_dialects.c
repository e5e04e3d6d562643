/* test_keras_dialects.c — Keras configs that the TF.js fixtures cannot produce, built in memory
 * (keras_builder.h) and checked against naive references computed here: Keras 1 field and weight
 * names, a causal dilated Conv1D (Keras 2 .h5), and a Sequential model nested in a functional one
 * inside a Keras 3 .keras archive (weights at layers/<model class>/layers/<layer class>/vars/<i>),
 * and Keras 3's weight groups named by class and creation order, not by layer name. */
#include "test.h"
#include "import/import.h"
#include "keras_builder.h"

#include <math.h>
#include <pthread.h>

static bool run(frost_model *m, int rank, const int64_t *dims, const float *x, float *y, size_t ny) {
    frost_error err;
    frost_session *s = NULL;
    if (!CHECK_OK(frost_session_create(m, NULL, &s, &err), &err)) return false;
    size_t n = 1;
    for (int i = 0; i < rank; i++) n *= (size_t)dims[i];
    bool ok = CHECK_OK(frost_session_set_input_shape(s, 0, rank, dims, &err), &err) &&
              CHECK_OK(frost_session_set_input(s, 0, x, n * sizeof(float), &err), &err) &&
              CHECK_OK(frost_session_run(s, &err), &err);
    frost_tensor_info info;
    const float *out = ok ? frost_session_output_data(s, 0, &info) : NULL;
    if (out) {
        size_t c = 1;
        for (int d = 0; d < info.rank; d++) c *= (size_t)info.dims[d];
        ok = CHECK_MSG(c == ny, "output has %zu values, want %zu", c, ny);
        if (ok) memcpy(y, out, ny * sizeof(float));
    }
    frost_session_free(s);
    return ok && out;
}

static void test_keras1(void) {
    float w[6] = {1, -2, 0.5f, 0.25f, 3, -1}, b[3] = {0.5f, 0, -0.5f};
    kb_weight ws[] = {{"dense_1", "=dense_1_W:0", 2, {2, 3}, w}, {"dense_1", "=dense_1_b:0", 1, {3}, b}};
    const char *config =
        "{\"class_name\": \"Sequential\", \"config\": [{\"class_name\": \"Dense\", \"config\": "
        "{\"name\": \"dense_1\", \"output_dim\": 3, \"activation\": \"tanh\", \"bias\": true, "
        "\"batch_input_shape\": [null, 2], \"input_dtype\": \"float32\"}}]}";
    size_t size;
    void *h5 = kb_h5(config, ws, 2, &size);
    frost_model *m = NULL;
    frost_error err;
    if (CHECK_OK(frost_model_load_memory(h5, size, NULL, &m, &err), &err)) {
        frost_tensor_info in;
        frost_model_input_info(m, 0, &in);
        CHECK_MSG(!strcmp(in.name, "dense_1_input"), "input named '%s'", in.name);
        float x[4] = {1, 2, -1, 0.5f}, y[6], want[6];
        for (int r = 0; r < 2; r++)
            for (int o = 0; o < 3; o++)
                want[r * 3 + o] = tanhf(b[o] + x[r * 2] * w[o] + x[r * 2 + 1] * w[3 + o]);
        if (run(m, 2, (int64_t[]){2, 2}, x, y, 6)) frost_test_close(y, want, 6, 1e-6, 1e-5, "keras1");
    }
    frost_model_free(m);
    free(h5);
}

/* Rescaling, ZeroPadding1D, Cropping1D (Keras 3 .keras). */
static void test_rescale_pad_crop(void) {
    const char *config =
        "{\"module\": \"keras\", \"class_name\": \"Sequential\", \"config\": {\"name\": \"s\", \"layers\": ["
        "{\"class_name\": \"InputLayer\", \"config\": {\"batch_shape\": [null, 4, 2], \"name\": \"x\"}},"
        "{\"class_name\": \"Rescaling\", \"config\": {\"name\": \"rescale\", \"scale\": 0.5, \"offset\": [1.0, -1.0]}},"
        "{\"class_name\": \"ZeroPadding1D\", \"config\": {\"name\": \"pad\", \"padding\": [2, 1]}},"
        "{\"class_name\": \"Cropping1D\", \"config\": {\"name\": \"crop\", \"cropping\": [1, 3]}}]}}";
    float dummy = 0;
    kb_weight ws[] = {{"unused", "x", 1, {1}, &dummy}};
    size_t size;
    void *z = kb_keras(config, ws, 1, &size);
    frost_model *m = NULL;
    frost_error err;
    float x[8] = {1, 2, 3, 4, 5, 6, 7, 8}, y[6], want[6];
    /* rescaled [4,2] rows r -> r*0.5 + (1,-1); padded rows: 0,0,r0,r1,r2,r3,0; cropped [1:4]. */
    float padded[7][2] = {{0, 0}, {0, 0}};
    for (int t = 0; t < 4; t++) {
        padded[2 + t][0] = x[2 * t] * 0.5f + 1;
        padded[2 + t][1] = x[2 * t + 1] * 0.5f - 1;
    }
    padded[6][0] = padded[6][1] = 0;
    for (int t = 0; t < 3; t++) {
        want[2 * t] = padded[1 + t][0];
        want[2 * t + 1] = padded[1 + t][1];
    }
    if (CHECK_OK(frost_model_load_memory(z, size, NULL, &m, &err), &err) &&
        run(m, 3, (int64_t[]){1, 4, 2}, x, y, 6))
        frost_test_close(y, want, 6, 1e-6, 1e-6, "rescale/pad/crop");
    frost_model_free(m);
    free(z);
}

static void test_causal_conv1d(void) {
    enum { T = 7, CI = 2, CO = 3, K = 3, D = 2 };
    float w[K * CI * CO], b[CO], x[T * CI], y[T * CO], want[T * CO];
    frost_test_seed(21);
    frost_test_fill(w, K * CI * CO, -1, 1);
    frost_test_fill(b, CO, -0.5f, 0.5f);
    frost_test_fill(x, T * CI, -1, 1);
    /* y[t] = b + sum_k x[t - (K-1-k)*D] · w[k], zero before the start. */
    for (int t = 0; t < T; t++)
        for (int o = 0; o < CO; o++) {
            float acc = b[o];
            for (int k = 0; k < K; k++) {
                int src = t - (K - 1 - k) * D;
                if (src < 0) continue;
                for (int c = 0; c < CI; c++) acc += x[src * CI + c] * w[(k * CI + c) * CO + o];
            }
            want[t * CO + o] = acc > 0 ? acc : 0.1f * acc;
        }
    kb_weight ws[] = {{"conv", "kernel", 3, {K, CI, CO}, w}, {"conv", "bias", 1, {CO}, b}};
    const char *config =
        "{\"class_name\": \"Model\", \"config\": {\"name\": \"m\", \"layers\": ["
        "{\"name\": \"seq\", \"class_name\": \"InputLayer\", \"config\": {\"batch_input_shape\": [null, null, 2], \"name\": \"seq\"}, \"inbound_nodes\": []},"
        "{\"name\": \"conv\", \"class_name\": \"Conv1D\", \"config\": {\"name\": \"conv\", \"filters\": 3, \"kernel_size\": [3], "
        "\"strides\": [1], \"padding\": \"causal\", \"dilation_rate\": [2], \"activation\": \"linear\", \"use_bias\": true}, "
        "\"inbound_nodes\": [[[\"seq\", 0, 0, {}]]]},"
        "{\"name\": \"leaky\", \"class_name\": \"LeakyReLU\", \"config\": {\"name\": \"leaky\", \"alpha\": 0.1}, \"inbound_nodes\": [[[\"conv\", 0, 0, {}]]]}],"
        "\"input_layers\": [[\"seq\", 0, 0]], \"output_layers\": [[\"leaky\", 0, 0]]}}";
    size_t size;
    void *h5 = kb_h5(config, ws, 2, &size);
    frost_model *m = NULL;
    frost_error err;
    if (CHECK_OK(frost_model_load_memory(h5, size, NULL, &m, &err), &err) &&
        run(m, 3, (int64_t[]){1, T, CI}, x, y, T * CO))
        frost_test_close(y, want, T * CO, 1e-5, 1e-5, "causal conv1d");
    frost_model_free(m);
    free(h5);
}

static void test_keras3_nested(void) {
    float w[6] = {1, -2, 0.5f, 0.25f, 3, -1}, b[3] = {0.5f, 0, -0.5f};
    /* Keras names the nested model's group after its class, not its name "inner". */
    kb_weight ws[] = {{"sequential/layers/dense", "kernel", 2, {2, 3}, w},
                      {"sequential/layers/dense", "bias", 1, {3}, b}};
    const char *config =
        "{\"module\": \"keras\", \"class_name\": \"Functional\", \"config\": {\"name\": \"outer\", \"layers\": ["
        "{\"module\": \"keras.layers\", \"class_name\": \"InputLayer\", \"config\": {\"batch_shape\": [null, 2], \"dtype\": \"float32\", \"name\": \"x\"}, \"name\": \"x\", \"inbound_nodes\": []},"
        "{\"module\": \"keras\", \"class_name\": \"Sequential\", \"config\": {\"name\": \"inner\", \"layers\": ["
        "  {\"module\": \"keras.layers\", \"class_name\": \"InputLayer\", \"config\": {\"batch_shape\": [null, 2], \"name\": \"inner_in\"}},"
        "  {\"module\": \"keras.layers\", \"class_name\": \"Dense\", \"config\": {\"name\": \"d\", \"units\": 3, \"activation\": \"exponential\"}}]},"
        " \"name\": \"inner\", \"inbound_nodes\": [{\"args\": [{\"class_name\": \"__keras_tensor__\", \"config\": {\"shape\": [null, 2], \"keras_history\": [\"x\", 0, 0]}}], \"kwargs\": {}}]},"
        "{\"module\": \"keras.layers\", \"class_name\": \"ReLU\", \"config\": {\"name\": \"cap\", \"max_value\": 2.0}, \"name\": \"cap\","
        " \"inbound_nodes\": [{\"args\": [{\"class_name\": \"__keras_tensor__\", \"config\": {\"keras_history\": [\"inner\", 0, 0]}}], \"kwargs\": {}}]}],"
        "\"input_layers\": [\"x\", 0, 0], \"output_layers\": [\"cap\", 0, 0]}}";
    size_t size;
    void *z = kb_keras(config, ws, 2, &size);
    frost_model *m = NULL;
    frost_error err;
    if (CHECK_OK(frost_model_load_memory(z, size, NULL, &m, &err), &err)) {
        CHECK_OK(frost_model_find(m, "inner", NULL, &err), &err);
        CHECK_OK(frost_model_find(m, "inner/d", NULL, &err), &err);
        float x[4] = {0.1f, 0.2f, -0.3f, 0.4f}, y[6], want[6];
        for (int r = 0; r < 2; r++)
            for (int o = 0; o < 3; o++)
                want[r * 3 + o] = fminf(expf(b[o] + x[r * 2] * w[o] + x[r * 2 + 1] * w[3 + o]), 2.0f);
        if (run(m, 2, (int64_t[]){2, 2}, x, y, 6)) frost_test_close(y, want, 6, 1e-6, 1e-5, "keras3 nested");
    }
    frost_model_free(m);
    free(z);
}

/* A notebook that built several models names its layers dense_20, sequential_4, ...; Keras 3
 * stores their weights by class and creation order within each layer list (layers/dense,
 * layers/dense_1, layers/sequential/layers/dense), never by name. Here the last layer is even
 * named "dense", the group of the first: looking weights up by name would swap them silently
 * (all kernels are 2x2). */
static void test_keras3_class_paths(void) {
    float w1[4] = {1, -2, 0.5f, 0.25f}, b1[2] = {0.5f, -0.5f};
    float w2[4] = {-1, 0.75f, 2, 0.5f}, b2[2] = {0.25f, 1};
    float w3[4] = {0.5f, -1.5f, 1, 2}, b3[2] = {-0.25f, 0.125f};
    kb_weight ws[] = {{"dense", "kernel", 2, {2, 2}, w1}, {"dense", "bias", 1, {2}, b1},
                      {"sequential/layers/dense", "kernel", 2, {2, 2}, w2},
                      {"sequential/layers/dense", "bias", 1, {2}, b2},
                      {"dense_1", "kernel", 2, {2, 2}, w3}, {"dense_1", "bias", 1, {2}, b3}};
#define KT(src) "[{\"args\": [{\"class_name\": \"__keras_tensor__\", \"config\": {\"keras_history\": [\"" src "\", 0, 0]}}], \"kwargs\": {}}]"
    const char *config =
        "{\"module\": \"keras\", \"class_name\": \"Functional\", \"config\": {\"name\": \"functional_3\", \"layers\": ["
        "{\"module\": \"keras.layers\", \"class_name\": \"InputLayer\", \"config\": {\"batch_shape\": [null, 2], \"dtype\": \"float32\", \"name\": \"input_layer_7\"}, \"name\": \"input_layer_7\", \"inbound_nodes\": []},"
        "{\"module\": \"keras.layers\", \"class_name\": \"Dense\", \"config\": {\"name\": \"dense_20\", \"units\": 2, \"activation\": \"linear\"}, \"name\": \"dense_20\", \"inbound_nodes\": " KT("input_layer_7") "},"
        "{\"module\": \"keras\", \"class_name\": \"Sequential\", \"config\": {\"name\": \"sequential_4\", \"layers\": ["
        "  {\"module\": \"keras.layers\", \"class_name\": \"InputLayer\", \"config\": {\"batch_shape\": [null, 2], \"name\": \"input_layer_8\"}},"
        "  {\"module\": \"keras.layers\", \"class_name\": \"Dense\", \"config\": {\"name\": \"dense\", \"units\": 2, \"activation\": \"linear\"}}]},"
        " \"name\": \"sequential_4\", \"inbound_nodes\": " KT("dense_20") "},"
        "{\"module\": \"keras.layers\", \"class_name\": \"Dense\", \"config\": {\"name\": \"dense\", \"units\": 2, \"activation\": \"relu\"}, \"name\": \"dense\", \"inbound_nodes\": " KT("sequential_4") "}],"
        "\"input_layers\": [\"input_layer_7\", 0, 0], \"output_layers\": [\"dense\", 0, 0]}}";
#undef KT
    size_t size;
    void *z = kb_keras(config, ws, 6, &size);
    frost_model *m = NULL;
    frost_error err;
    if (CHECK_OK(frost_model_load_memory(z, size, NULL, &m, &err), &err)) {
        float x[4] = {0.3f, -0.7f, 1.1f, 0.2f}, y[4], want[4];
        for (int r = 0; r < 2; r++) {
            float h1[2], h2[2];
            for (int o = 0; o < 2; o++) h1[o] = b1[o] + x[r * 2] * w1[o] + x[r * 2 + 1] * w1[2 + o];
            for (int o = 0; o < 2; o++) h2[o] = b2[o] + h1[0] * w2[o] + h1[1] * w2[2 + o];
            for (int o = 0; o < 2; o++)
                want[r * 2 + o] = fmaxf(0.0f, b3[o] + h2[0] * w3[o] + h2[1] * w3[2 + o]);
        }
        if (run(m, 2, (int64_t[]){2, 2}, x, y, 4))
            frost_test_close(y, want, 4, 1e-6, 1e-5, "keras3 weights by class and order");
    }
    frost_model_free(m);
    free(z);
    /* Weights at the layers' names (what a name-based reader expects) are not Keras' layout: the
     * load names the missing group instead of guessing. */
    kb_weight by_name[] = {{"dense_20", "kernel", 2, {2, 2}, w1}, {"dense_20", "bias", 1, {2}, b1}};
    const char *one =
        "{\"module\": \"keras\", \"class_name\": \"Sequential\", \"config\": {\"name\": \"sequential_9\", \"layers\": ["
        "{\"module\": \"keras.layers\", \"class_name\": \"InputLayer\", \"config\": {\"batch_shape\": [null, 2], \"name\": \"input_layer_9\"}},"
        "{\"module\": \"keras.layers\", \"class_name\": \"Dense\", \"config\": {\"name\": \"dense_20\", \"units\": 2, \"activation\": \"linear\"}}]}}";
    z = kb_keras(one, by_name, 2, &size);
    m = NULL;
    CHECK_FAILS(frost_model_load_memory(z, size, NULL, &m, &err), FROST_E_FORMAT, &err, "dense_20");
    frost_model_free(m);
    free(z);
}

/* libhdf5 (serial build) is not thread-safe: frost serializes it. Several threads loading .h5
 * and .keras files at once must all succeed. */
typedef struct load_job { const void *data; size_t size; int ok; } load_job;

static void *load_many(void *arg) {
    load_job *j = arg;
    for (int i = 0; i < 8; i++) {
        frost_model *m = NULL;
        frost_error err;
        if (frost_model_load_memory(j->data, j->size, NULL, &m, &err) == FROST_OK) j->ok++;
        frost_model_free(m);
    }
    return NULL;
}

static void test_threads(void) {
    float w[6] = {1, -2, 0.5f, 0.25f, 3, -1}, b[3] = {0.5f, 0, -0.5f};
    kb_weight ws[] = {{"d", "kernel", 2, {2, 3}, w}, {"d", "bias", 1, {3}, b}};
    const char *config = "{\"class_name\": \"Sequential\", \"config\": {\"name\": \"s\", \"layers\": ["
                         "{\"class_name\": \"Dense\", \"config\": {\"name\": \"d\", \"units\": 3, "
                         "\"batch_input_shape\": [null, 2]}}]}}";
    size_t hn, zn;
    void *h5 = kb_h5(config, ws, 2, &hn);
    kb_weight ws3[] = {{"dense", "kernel", 2, {2, 3}, w}, {"dense", "bias", 1, {3}, b}};
    void *z = kb_keras(config, ws3, 2, &zn);
    load_job jobs[4] = {{h5, hn, 0}, {z, zn, 0}, {h5, hn, 0}, {z, zn, 0}};
    pthread_t t[4];
    for (int i = 0; i < 4; i++) pthread_create(&t[i], NULL, load_many, &jobs[i]);
    for (int i = 0; i < 4; i++) pthread_join(t[i], NULL);
    for (int i = 0; i < 4; i++) CHECK_MSG(jobs[i].ok == 8, "thread %d loaded %d of 8", i, jobs[i].ok);
    free(h5);
    free(z);
}

int main(void) {
    test_keras1();
    test_causal_conv1d();
    test_rescale_pad_crop();
    test_keras3_nested();
    test_keras3_class_paths();
    test_threads();
    return frost_test_finish();
}
