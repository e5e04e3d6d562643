/* test_keras_bad.c — Keras files built in memory (keras_builder.h): a small good .h5 and .keras
 * checked against a naive reference computed here (Keras 3 functional syntax, Subtract, Keras 3's
 * hard_sigmoid), then broken ones: corrupted HDF5 and zip bytes, configs referencing missing
 * weights, weights whose shapes disagree with the config, unknown layer classes (all reported at
 * once), Lambda layers, huge declared shapes, soft-link loops, shard paths escaping the folder.
 * Each must fail with a clear status and a message naming the layer and field, never crash. */
#include "test.h"
#include "import/import.h"
#include "keras_builder.h"

#include <math.h>
#include <sys/stat.h>
#include <unistd.h>

/* frost parses HDF5 in a child process; there libhdf5 asks malloc for absurd sizes when a
 * corrupted file declares them. A real malloc returns NULL and libhdf5 reports an error: make
 * AddressSanitizer behave the same. */
const char *__asan_default_options(void);
const char *__asan_default_options(void) { return "allocator_may_return_null=1"; }
/* libhdf5 1.10 leaks object headers in the writer this test uses to forge files. Those
 * allocations are its own, never frost's. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void) { return "leak:libhdf5_serial.so\n"; }

static const float W[12] = {0.5f, -1, 0.25f, 1, 0.5f, -0.5f, -2, 0.75f, 1.5f, 0.1f, -0.3f, 0.2f};
static const float B[3] = {0.1f, -0.2f, 0.3f};

#define SEQ_HEAD "{\"class_name\": \"Sequential\", \"config\": {\"name\": \"s\", \"layers\": [" \
    "{\"class_name\": \"InputLayer\", \"config\": {\"batch_input_shape\": [null, 4], \"dtype\": \"float32\", \"name\": \"x\"}}"
#define DENSE ", {\"class_name\": \"Dense\", \"config\": {\"name\": \"dense\", \"units\": 3, \"activation\": \"relu\", \"use_bias\": true}}"
#define SEQ_TAIL "]}}"

static frost_status load_mem(const void *data, size_t size, const frost_load_options *o,
                             frost_model **m, frost_error *err) {
    *m = NULL;
    return frost_model_load_memory(data, size, o, m, err);
}

static bool run(frost_model *m, int rank, const int64_t *dims, const float *const *x, int n_in,
                float *y, size_t ny) {
    frost_error err;
    frost_session *s = NULL;
    if (!CHECK_OK(frost_session_create(m, NULL, &s, &err), &err)) return false;
    size_t n = 1;
    for (int i = 0; i < rank; i++) n *= (size_t)dims[i];
    bool ok = true;
    for (int i = 0; i < n_in && ok; i++)
        ok = CHECK_OK(frost_session_set_input_shape(s, i, rank, dims, &err), &err);
    for (int i = 0; i < n_in && ok; i++)
        ok = CHECK_OK(frost_session_set_input(s, i, x[i], n * sizeof(float), &err), &err);
    ok = ok && CHECK_OK(frost_session_run(s, &err), &err);
    if (ok) {
        frost_tensor_info info;
        const float *out = frost_session_output_data(s, 0, &info);
        memcpy(y, out, ny * sizeof(float));
    }
    frost_session_free(s);
    return ok;
}

static void dense_ref(const float *x, int rows, float *y) {
    for (int r = 0; r < rows; r++)
        for (int o = 0; o < 3; o++) {
            float acc = B[o];
            for (int i = 0; i < 4; i++) acc += x[r * 4 + i] * W[i * 3 + o];
            y[r * 3 + o] = acc;
        }
}

static void test_good_h5(void) {
    kb_weight w[] = {{"dense", "kernel", 2, {4, 3}, W}, {"dense", "bias", 1, {3}, B}};
    size_t size;
    void *h5 = kb_h5(SEQ_HEAD DENSE SEQ_TAIL, w, 2, &size);
    frost_model *m;
    frost_error err;
    if (CHECK_OK(load_mem(h5, size, NULL, &m, &err), &err)) {
        float x[8] = {1, 2, 3, 4, -1, 0.5f, 0, 2}, y[6], want[6];
        const float *xs[] = {x};
        dense_ref(x, 2, want);
        for (int i = 0; i < 6; i++) want[i] = want[i] > 0 ? want[i] : 0;
        if (run(m, 2, (int64_t[]){2, 4}, xs, 1, y, 6)) frost_test_close(y, want, 6, 1e-6, 1e-6, "dense.h5");
        CHECK_OK(frost_model_find(m, "dense", NULL, &err), &err);
        CHECK_OK(frost_model_find(m, "x", NULL, &err), &err);
        /* The report holds a model.summary()-like row: output shape and 15 parameters. */
        bool found = false;
        for (int i = 0; i < frost_model_report_count(m); i++) {
            const char *line = frost_model_report_line(m, i);
            found |= strstr(line, "dense") && strstr(line, "Dense") && strstr(line, "[?,3]") &&
                     strstr(line, " 15");
        }
        CHECK_MSG(found, "no summary line for layer 'dense' with 15 parameters");
    }
    frost_model_free(m);

    /* Corruption: every truncation and many byte flips fail cleanly (or, for flips in unused
     * bytes, still load); nothing crashes. */
    unsigned char *bad = malloc(size);
    int refused = 0;
    for (size_t cut = 0; cut < size; cut += size / 37 + 1) {
        memcpy(bad, h5, size);
        frost_status st = load_mem(bad, cut, NULL, &m, &err);
        refused += st != FROST_OK;
        frost_model_free(m);
    }
    CHECK_MSG(refused > 30, "only %d truncated files refused", refused);
    frost_test_seed(3);
    for (int t = 0; t < 300; t++) {
        memcpy(bad, h5, size);
        for (int k = 0; k < 4; k++) bad[(size_t)frost_test_uniform(0, (float)size) % size] ^= (unsigned char)(1 + t % 255);
        load_mem(bad, size, NULL, &m, &err);
        frost_model_free(m);
    }
    CHECK(1);
    free(bad);
    free(h5);
}

static void expect_h5_fails(const char *what, const char *config, const kb_weight *w, int nw,
                            frost_status code, const char *needle1, const char *needle2) {
    size_t size;
    void *h5 = kb_h5(config, w, nw, &size);
    frost_model *m;
    frost_error err;
    frost_status st = load_mem(h5, size, NULL, &m, &err);
    CHECK_MSG(st == code, "%s: got %s, want %s (%s)", what, frost_status_name(st), frost_status_name(code),
              st ? err.message : "");
    if (st != FROST_OK) {
        CHECK_MSG(!needle1 || strstr(err.message, needle1), "%s: message '%s' lacks '%s'", what, err.message, needle1);
        CHECK_MSG(!needle2 || strstr(err.message, needle2), "%s: message '%s' lacks '%s'", what, err.message, needle2);
        printf("  %s -> %s\n", what, err.message);
    }
    frost_model_free(m);
    free(h5);
}

static void test_bad_h5(void) {
    kb_weight good[] = {{"dense", "kernel", 2, {4, 3}, W}, {"dense", "bias", 1, {3}, B}};
    kb_weight wrong[] = {{"dense", "kernel", 2, {4, 2}, W}, {"dense", "bias", 1, {3}, B}};
    kb_weight nobias[] = {{"dense", "kernel", 2, {4, 3}, W}};
    expect_h5_fails("missing weights", SEQ_HEAD DENSE SEQ_TAIL, NULL, 0, FROST_E_FORMAT, "'dense'", "kernel");
    expect_h5_fails("missing bias", SEQ_HEAD DENSE SEQ_TAIL, nobias, 1, FROST_E_FORMAT, "'dense'", "bias");
    expect_h5_fails("kernel shape", SEQ_HEAD DENSE SEQ_TAIL, wrong, 2, FROST_E_SHAPE, "'dense'", "kernel");
    expect_h5_fails("weights only", NULL, good, 2, FROST_E_FORMAT, "model_config", NULL);
    kb_weight unwritten[] = {{"dense", "kernel", 2, {4, 3}, NULL}, {"dense", "bias", 1, {3}, B}};
    expect_h5_fails("unwritten kernel", SEQ_HEAD DENSE SEQ_TAIL, unwritten, 2, FROST_E_FORMAT, "'dense'", "stores only");
    kb_weight huge[] = {{"dense", "kernel", 2, {4000000, 3000}, NULL}, {"dense", "bias", 1, {3}, B}};
    expect_h5_fails("huge kernel", SEQ_HEAD DENSE SEQ_TAIL, huge, 2, FROST_E_LIMIT, "'dense'", "kernel");
    expect_h5_fails("bad json", "{\"class_name\": \"Sequential\", \"config\": {", good, 2, FROST_E_FORMAT, "JSON", NULL);
    expect_h5_fails("not a model", "[1, 2, 3]", good, 2, FROST_E_FORMAT, NULL, NULL);
    expect_h5_fails("lambda", SEQ_HEAD DENSE ", {\"class_name\": \"Lambda\", \"config\": {\"name\": \"my_lambda\", \"function\": \"x\"}}" SEQ_TAIL,
                    good, 2, FROST_E_UNSUPPORTED, "my_lambda", "Lambda");
    expect_h5_fails("unknown layers", SEQ_HEAD DENSE
                    ", {\"class_name\": \"FancyLayer\", \"config\": {\"name\": \"fancy_one\"}}"
                    ", {\"class_name\": \"OtherLayer\", \"config\": {\"name\": \"fancy_two\"}}" SEQ_TAIL,
                    good, 2, FROST_E_UNSUPPORTED, "FancyLayer", "OtherLayer");
    expect_h5_fails("huge input", "{\"class_name\": \"Sequential\", \"config\": {\"name\": \"s\", \"layers\": ["
                    "{\"class_name\": \"InputLayer\", \"config\": {\"batch_input_shape\": [null, 1000000000000, 1000000000], \"name\": \"x\"}}"
                    DENSE SEQ_TAIL, good, 2, FROST_E_LIMIT, "batch_input_shape", "'x'");
    expect_h5_fails("huge reshape", SEQ_HEAD DENSE
                    ", {\"class_name\": \"Reshape\", \"config\": {\"name\": \"r\", \"target_shape\": [99999999999, 3]}}" SEQ_TAIL,
                    good, 2, FROST_E_LIMIT, "target_shape", "'r'");
    expect_h5_fails("bad units", SEQ_HEAD ", {\"class_name\": \"Dense\", \"config\": {\"name\": \"dense\", \"units\": \"three\"}}" SEQ_TAIL,
                    good, 2, FROST_E_FORMAT, "units", "'dense'");
    expect_h5_fails("bad activation", SEQ_HEAD ", {\"class_name\": \"Dense\", \"config\": {\"name\": \"dense\", \"units\": 3, \"activation\": \"wiggle\"}}" SEQ_TAIL,
                    good, 2, FROST_E_UNSUPPORTED, "wiggle", "'dense'");
    expect_h5_fails("dangling ref", "{\"class_name\": \"Model\", \"config\": {\"name\": \"f\", \"layers\": ["
                    "{\"name\": \"x\", \"class_name\": \"InputLayer\", \"config\": {\"batch_input_shape\": [null, 4], \"name\": \"x\"}, \"inbound_nodes\": []},"
                    "{\"name\": \"dense\", \"class_name\": \"Dense\", \"config\": {\"name\": \"dense\", \"units\": 3}, \"inbound_nodes\": [[[\"nowhere\", 0, 0, {}]]]}],"
                    "\"input_layers\": [[\"x\", 0, 0]], \"output_layers\": [[\"dense\", 0, 0]]}}",
                    good, 2, FROST_E_FORMAT, "nowhere", "'dense'");
    expect_h5_fails("cycle", "{\"class_name\": \"Model\", \"config\": {\"name\": \"f\", \"layers\": ["
                    "{\"name\": \"a\", \"class_name\": \"ReLU\", \"config\": {\"name\": \"a\"}, \"inbound_nodes\": [[[\"b\", 0, 0, {}]]]},"
                    "{\"name\": \"b\", \"class_name\": \"ReLU\", \"config\": {\"name\": \"b\"}, \"inbound_nodes\": [[[\"a\", 0, 0, {}]]]}],"
                    "\"input_layers\": [], \"output_layers\": [[\"b\", 0, 0]]}}",
                    good, 2, FROST_E_FORMAT, "cycle", NULL);

    /* A soft link making a loop where the weights should be: refused, not followed. */
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t f = kb_create();
    kb_attr_string(f, "model_config", SEQ_HEAD DENSE SEQ_TAIL);
    hid_t mw = H5Gcreate2(f, "model_weights", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Lcreate_soft("/model_weights", mw, "dense", H5P_DEFAULT, H5P_DEFAULT);
    H5Gclose(mw);
    size_t size;
    void *h5 = kb_image(f, &size);
    frost_model *m;
    frost_error err;
    CHECK_FAILS(load_mem(h5, size, NULL, &m, &err), FROST_E_FORMAT, &err, "missing");
    free(h5);
}

#define K3_TENSOR(layer, n) "{\"class_name\": \"__keras_tensor__\", \"config\": {\"shape\": [null, " #n "], \"dtype\": \"float32\", \"keras_history\": [\"" layer "\", 0, 0]}}"
static const char *k3_config =
    "{\"module\": \"keras\", \"class_name\": \"Functional\", \"config\": {\"name\": \"f\", \"layers\": ["
    "{\"module\": \"keras.layers\", \"class_name\": \"InputLayer\", \"config\": {\"batch_shape\": [null, 4], \"dtype\": \"float32\", \"name\": \"a\"}, \"name\": \"a\", \"inbound_nodes\": []},"
    "{\"module\": \"keras.layers\", \"class_name\": \"InputLayer\", \"config\": {\"batch_shape\": [null, 3], \"dtype\": \"float32\", \"name\": \"b\"}, \"name\": \"b\", \"inbound_nodes\": []},"
    "{\"module\": \"keras.layers\", \"class_name\": \"Dense\", \"config\": {\"name\": \"dense\", \"units\": 3, \"activation\": \"hard_sigmoid\", \"use_bias\": true}, \"name\": \"dense\","
    " \"inbound_nodes\": [{\"args\": [" K3_TENSOR("a", 4) "], \"kwargs\": {}}]},"
    "{\"module\": \"keras.layers\", \"class_name\": \"Subtract\", \"config\": {\"name\": \"sub\"}, \"name\": \"sub\","
    " \"inbound_nodes\": [{\"args\": [[" K3_TENSOR("dense", 3) ", " K3_TENSOR("b", 3) "]], \"kwargs\": {}}]}],"
    "\"input_layers\": [[\"a\", 0, 0], [\"b\", 0, 0]], \"output_layers\": [\"sub\", 0, 0]}}";

static void test_keras_v3(void) {
    kb_weight w[] = {{"dense", "kernel", 2, {4, 3}, W}, {"dense", "bias", 1, {3}, B}};
    size_t size;
    void *z = kb_keras(k3_config, w, 2, &size);
    frost_model *m;
    frost_error err;
    if (CHECK_OK(load_mem(z, size, NULL, &m, &err), &err)) {
        CHECK(frost_model_format(m) == FROST_FORMAT_KERAS_V3);
        float a[8] = {1, 2, 3, 4, -1, 0.5f, 0, 2}, b[6] = {0.1f, 0.2f, 0.3f, -1, 0, 1}, want[6];
        dense_ref(a, 2, want);
        /* Keras 3: hard_sigmoid(x) = relu6(x + 3) / 6. */
        for (int i = 0; i < 6; i++) want[i] = fminf(fmaxf(want[i] + 3, 0), 6) / 6 - b[i];
        frost_session *s = NULL;
        if (CHECK_OK(frost_session_create(m, NULL, &s, &err), &err)) {
            int ia, ib;
            CHECK_OK(frost_session_input_index(s, "a", &ia, &err), &err);
            CHECK_OK(frost_session_input_index(s, "b", &ib, &err), &err);
            frost_session_set_input_shape(s, ia, 2, (int64_t[]){2, 4}, &err);
            frost_session_set_input_shape(s, ib, 2, (int64_t[]){2, 3}, &err);
            if (CHECK_OK(frost_session_set_input(s, ia, a, sizeof a, &err), &err) &&
                CHECK_OK(frost_session_set_input(s, ib, b, sizeof b, &err), &err) &&
                CHECK_OK(frost_session_run(s, &err), &err))
                frost_test_close(frost_session_output_data(s, 0, NULL), want, 6, 1e-6, 1e-6, "keras3");
        }
        frost_session_free(s);
    }
    frost_model_free(m);

    /* A weights file over the limit (zip bomb guard): the member is refused before inflating. */
    frost_load_options o;
    memset(&o, 0, sizeof o);
    o.struct_size = sizeof o;
    o.max_tensor_bytes = 64;
    CHECK_FAILS(load_mem(z, size, &o, &m, &err), FROST_E_LIMIT, &err, "model.weights.h5");

    /* Corrupted zips. */
    unsigned char *bad = malloc(size);
    for (size_t cut = 0; cut < size; cut += size / 29 + 1) {
        memcpy(bad, z, size);
        CHECK(load_mem(bad, cut, NULL, &m, &err) != FROST_OK);
        frost_model_free(m);
    }
    frost_test_seed(5);
    for (int t = 0; t < 200; t++) {
        memcpy(bad, z, size);
        for (int k = 0; k < 3; k++) bad[(size_t)frost_test_uniform(0, (float)size) % size] ^= 0x5a;
        load_mem(bad, size, NULL, &m, &err);
        frost_model_free(m);
    }
    free(bad);
    free(z);

    /* Missing members, missing vars. */
    const char *names[] = {"metadata.json"};
    const void *data[] = {"{}"};
    size_t sizes[] = {2};
    z = kb_zip(names, data, sizes, 1, &size);
    CHECK_FAILS(load_mem(z, size, NULL, &m, &err), FROST_E_FORMAT, &err, "config.json");
    free(z);
    z = kb_keras(k3_config, w, 1, &size);
    CHECK_FAILS(load_mem(z, size, NULL, &m, &err), FROST_E_FORMAT, &err, "bias");
    free(z);
}

static void write_file(const char *path, const void *data, size_t n) {
    FILE *f = fopen(path, "wb");
    fwrite(data, 1, n, f);
    fclose(f);
}

static void test_tfjs(void) {
    char dir[] = "/tmp/frost-keras-XXXXXX";
    if (!CHECK(mkdtemp(dir))) return;
    char path[256], shard[256];
    snprintf(path, sizeof path, "%s/model.json", dir);
    snprintf(shard, sizeof shard, "%s/w.bin", dir);
    float wb[15];
    memcpy(wb, W, sizeof W);
    memcpy(wb + 12, B, sizeof B);
    const char *topo = "{\"modelTopology\": " SEQ_HEAD DENSE SEQ_TAIL ", \"format\": \"layers-model\", "
                       "\"weightsManifest\": [{\"paths\": [\"%s\"], \"weights\": [{\"name\": \"dense/kernel\", "
                       "\"shape\": [%s], \"dtype\": \"float32\"}, {\"name\": \"dense/bias\", \"shape\": [3], \"dtype\": \"float32\"}]}]}";
    char json[4096];
    frost_model *m;
    frost_error err;
    write_file(shard, wb, sizeof wb);
    snprintf(json, sizeof json, topo, "w.bin", "4, 3");
    write_file(path, json, strlen(json));
    if (CHECK_OK(frost_model_load_file(path, NULL, &m, &err), &err)) {
        float x[4] = {1, 2, 3, 4}, y[3], want[3];
        const float *xs[] = {x};
        dense_ref(x, 1, want);
        for (int i = 0; i < 3; i++) want[i] = want[i] > 0 ? want[i] : 0;
        if (run(m, 2, (int64_t[]){1, 4}, xs, 1, y, 3)) frost_test_close(y, want, 3, 1e-6, 1e-6, "tfjs");
        frost_model_free(m);
    }
    snprintf(json, sizeof json, topo, "../w.bin", "4, 3");
    write_file(path, json, strlen(json));
    CHECK_FAILS(frost_model_load_file(path, NULL, &m, &err), FROST_E_FORMAT, &err, "../w.bin");
    snprintf(json, sizeof json, topo, "/etc/passwd", "4, 3");
    write_file(path, json, strlen(json));
    CHECK_FAILS(frost_model_load_file(path, NULL, &m, &err), FROST_E_FORMAT, &err, "relative");
    snprintf(json, sizeof json, topo, "missing.bin", "4, 3");
    write_file(path, json, strlen(json));
    CHECK_FAILS(frost_model_load_file(path, NULL, &m, &err), FROST_E_IO, &err, "missing.bin");
    snprintf(json, sizeof json, topo, "w.bin", "40, 3");
    write_file(path, json, strlen(json));
    CHECK_FAILS(frost_model_load_file(path, NULL, &m, &err), FROST_E_FORMAT, &err, "dense/kernel");
    snprintf(json, sizeof json, topo, "w.bin", "4000000000, 3000000000");
    write_file(path, json, strlen(json));
    CHECK(frost_model_load_file(path, NULL, &m, &err) == FROST_E_LIMIT);
    snprintf(json, sizeof json, topo, "w.bin", "4, 5");
    write_file(path, json, strlen(json));
    CHECK_FAILS(frost_model_load_file(path, NULL, &m, &err), FROST_E_FORMAT, &err, "dense/kernel");
    write_file(path, SEQ_HEAD DENSE SEQ_TAIL, strlen(SEQ_HEAD DENSE SEQ_TAIL));
    CHECK_FAILS(frost_model_load_file(path, NULL, &m, &err), FROST_E_FORMAT, &err, "without weights");
    write_file(path, "{\"modelTopology\": {", 19);
    CHECK_FAILS(frost_model_load_file(path, NULL, &m, &err), FROST_E_FORMAT, &err, "JSON");
    unlink(path);
    unlink(shard);
    rmdir(dir);
}

int main(void) {
    test_good_h5();
    test_bad_h5();
    test_keras_v3();
    test_tfjs();
    return frost_test_finish();
}
