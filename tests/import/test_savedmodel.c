/* test_savedmodel.c — SavedModels and TF1 checkpoints through the public API, on the fixtures of
 * tests/data/savedmodel (written by scripts/gen_savedmodel_fixtures.py from the table format's
 * specification, with expected outputs computed there in numpy):
 *   - tf1_meta: a TF1 Saver checkpoint (.meta, `checkpoint`, index, two data shards) loaded by
 *     directory, by .meta path and from memory, outputs named by node;
 *   - multi_signature: three signatures; the tf.Example one refused by name, the others run;
 *     Snappy-compressed index, variables over two shards; from a directory and from memory;
 *   - tf2_functions: resource variables, nested calls, ResourceGather, StatelessIf; a While loop
 *     whose trip count depends on the batch refused by name;
 *   - rnn_loop: a Keras-style recurrent layer (while_v2 over TensorLists) unrolled at load; the
 *     same layer over sequences of unknown length refused;
 *   - corrupt/: every malformed-checkpoint class fails with its own status and message;
 *   - every truncation and every single-byte change of a checkpoint index fails cleanly or loads;
 *   - the frozen GraphDef of each loads back with outputs identical to the bit. */
#include "test.h"

#include <stdlib.h>
#include <string.h>

#include "import/savedmodel/savedmodel.h"
#include "fmt/tensor_bundle.h"
#include "npy.h"

static npy_array npy(const char *rel) {
    npy_array a = {0};
    frost_error err;
    CHECK_OK(npy_read_file(frost_test_data(rel), &a, &err), &err);
    return a;
}

/* Loads, feeds the named .npy inputs (shapes first), runs, returns output `out` (malloc'd). */
static float *run_model(const frost_model *m, int n_in, const char *const *names,
                        const npy_array *xs, const char *out, size_t *n) {
    frost_error err;
    frost_session *s = NULL;
    float *y = NULL;
    if (!CHECK_OK(frost_session_create(m, NULL, &s, &err), &err)) return NULL;
    int idx[8];
    bool ok = true;
    for (int i = 0; i < n_in && ok; i++)
        ok = CHECK_OK(frost_session_input_index(s, names[i], &idx[i], &err), &err) &&
             CHECK_OK(frost_session_set_input_shape(s, idx[i], xs[i].rank, xs[i].dims, &err), &err);
    for (int i = 0; i < n_in && ok; i++)
        ok = CHECK_OK(frost_session_set_input(s, idx[i], xs[i].data, xs[i].bytes, &err), &err);
    int o;
    if (ok && CHECK_OK(frost_session_output_index(s, out, &o, &err), &err) &&
        CHECK_OK(frost_session_run(s, &err), &err)) {
        frost_tensor_info info;
        const float *d = frost_session_output_data(s, o, &info);
        *n = 1;
        for (int i = 0; i < info.rank; i++) *n *= (size_t)info.dims[i];
        y = malloc(*n * sizeof *y);
        if (y && d) memcpy(y, d, *n * sizeof *y);
    }
    frost_session_free(s);
    return y;
}

static void expect_close(const frost_model *m, int n_in, const char *const *names, const char *dir,
                         const char *const *files, const char *out, const char *want_rel) {
    npy_array xs[4];
    char rel[256];
    for (int i = 0; i < n_in; i++) {
        snprintf(rel, sizeof rel, "savedmodel/%s/%s", dir, files[i]);
        xs[i] = npy(rel);
    }
    snprintf(rel, sizeof rel, "savedmodel/%s/%s", dir, want_rel);
    npy_array want = npy(rel);
    size_t n = 0;
    float *y = run_model(m, n_in, names, xs, out, &n);
    if (CHECK_MSG(y && n * sizeof(float) == want.bytes, "%s: output '%s'", dir, out))
        CHECK(frost_test_close(y, want.data, n, 1e-5, 1e-5, out));
    free(y);
    for (int i = 0; i < n_in; i++) npy_free(&xs[i]);
    npy_free(&want);
}

static frost_model *load(const char *rel, const char *signature, const char *const *outputs,
                         int n_outputs) {
    frost_load_options o = {0};
    o.struct_size = sizeof o;
    o.signature = signature;
    o.outputs = outputs;
    o.n_outputs = n_outputs;
    frost_model *m = NULL;
    frost_error err;
    CHECK_OK(frost_model_load_file(frost_test_data(rel), &o, &m, &err), &err);
    return m;
}

static void test_tf1_meta(void) {
    static const char *const probs[] = {"probs"}, *const x[] = {"x"}, *const in[] = {"input.npy"};
    const char *paths[] = {"savedmodel/tf1_meta", "savedmodel/tf1_meta/model.ckpt-7.meta",
                           "savedmodel/tf1_meta/model.ckpt-7"};
    for (int k = 0; k < 3; k++) {
        frost_model *m = load(paths[k], NULL, probs, 1);
        if (m) {
            CHECK(frost_model_format(m) == FROST_FORMAT_SAVED_MODEL);
            expect_close(m, 1, x, "tf1_meta", in, "probs", "expected.npy");
        }
        frost_model_free(m);
    }
    /* No signature and no outputs: the message says what to do. */
    frost_model *m = NULL;
    frost_error err;
    CHECK_FAILS(frost_model_load_file(frost_test_data("savedmodel/tf1_meta"), NULL, &m, &err),
                FROST_E_NOT_FOUND, &err, "no signatures: name the tensors");
    /* From memory: the .meta's bytes and its companion files by name. */
    static const char *const names[] = {"checkpoint", "model.ckpt-7.index",
                                        "model.ckpt-7.data-00000-of-00002",
                                        "model.ckpt-7.data-00001-of-00002"};
    frost_memory_file files[4];
    void *bufs[5] = {0};
    char rel[256];
    size_t size;
    for (int i = 0; i < 4; i++) {
        snprintf(rel, sizeof rel, "savedmodel/tf1_meta/%s", names[i]);
        bufs[i] = frost_test_read_file(frost_test_data(rel), &size);
        files[i] = (frost_memory_file){names[i], bufs[i], size};
    }
    size_t meta_size;
    bufs[4] = frost_test_read_file(frost_test_data("savedmodel/tf1_meta/model.ckpt-7.meta"), &meta_size);
    frost_load_options o = {0};
    o.struct_size = sizeof o;
    o.format = FROST_FORMAT_SAVED_MODEL;
    o.files = files;
    o.n_files = 4;
    o.outputs = probs;
    o.n_outputs = 1;
    if (CHECK_OK(frost_model_load_memory(bufs[4], meta_size, &o, &m, &err), &err))
        expect_close(m, 1, x, "tf1_meta", in, "probs", "expected.npy");
    frost_model_free(m);
    /* A shard left out of the files: named. */
    o.n_files = 3;
    CHECK_FAILS(frost_model_load_memory(bufs[4], meta_size, &o, &m, &err), FROST_E_IO, &err,
                "model.ckpt-7.data-00001-of-00002");
    for (int i = 0; i < 5; i++) free(bufs[i]);
}

static void test_multi_signature(void) {
    static const char *const in[] = {"input.npy"};
    static const char *const x[] = {"x"}, *const images[] = {"images"}, *const tfname[] = {"x:0"};
    frost_model *m = load("savedmodel/multi_signature", NULL, NULL, 0);
    if (m) {
        CHECK(frost_model_output_count(m) == 2);
        expect_close(m, 1, x, "multi_signature", in, "probs", "expected.npy");
        expect_close(m, 1, x, "multi_signature", in, "logits", "expected_logits.npy");
        expect_close(m, 1, tfname, "multi_signature", in, "probs:0", "expected.npy");
    }
    frost_model_free(m);
    m = load("savedmodel/multi_signature", "predict_images", NULL, 0);
    if (m) expect_close(m, 1, images, "multi_signature", in, "scores", "expected.npy");
    frost_model_free(m);
    m = NULL;
    frost_load_options o = {0};
    o.struct_size = sizeof o;
    o.signature = "classify";
    frost_error err;
    CHECK_FAILS(frost_model_load_file(frost_test_data("savedmodel/multi_signature"), &o, &m, &err),
                FROST_E_UNSUPPORTED, &err,
                "signature 'classify' takes input 'inputs' as DT_STRING (serialized tf.Example");
    CHECK(strstr(err.message, "'predict_images', 'serving_default'") != NULL);
    /* From memory, the SavedModel layout. */
    static const char *const names[] = {"variables/variables.index",
                                        "variables/variables.data-00000-of-00002",
                                        "variables/variables.data-00001-of-00002"};
    frost_memory_file files[3];
    void *bufs[4] = {0};
    char rel[256];
    size_t size;
    for (int i = 0; i < 3; i++) {
        snprintf(rel, sizeof rel, "savedmodel/multi_signature/%s", names[i]);
        bufs[i] = frost_test_read_file(frost_test_data(rel), &size);
        files[i] = (frost_memory_file){names[i], bufs[i], size};
    }
    bufs[3] = frost_test_read_file(frost_test_data("savedmodel/multi_signature/saved_model.pb"), &size);
    memset(&o, 0, sizeof o);
    o.struct_size = sizeof o;
    o.files = files;
    o.n_files = 3;
    if (CHECK_OK(frost_model_load_memory(bufs[3], size, &o, &m, &err), &err))
        expect_close(m, 1, x, "multi_signature", in, "probs", "expected.npy");
    frost_model_free(m);
    for (int i = 0; i < 4; i++) free(bufs[i]);
}

static void test_tf2_functions(void) {
    static const char *const names[] = {"x", "ids"}, *const files[] = {"x.npy", "ids.npy"};
    static const char *const tfnames[] = {"serving_default_x:0", "serving_default_ids"};
    frost_model *m = load("savedmodel/tf2_functions", NULL, NULL, 0);
    if (m) {
        expect_close(m, 2, names, "tf2_functions", files, "out", "expected.npy");
        expect_close(m, 2, tfnames, "tf2_functions", files, "StatefulPartitionedCall:0", "expected.npy");
    }
    frost_model_free(m);
    /* No restore function: the object graph names the checkpoint keys. */
    static const char *const og_files[] = {"../tf2_functions/x.npy", "../tf2_functions/ids.npy"};
    m = load("savedmodel/tf2_object_graph", NULL, NULL, 0);
    if (m) expect_close(m, 2, names, "tf2_object_graph", og_files, "out", "expected.npy");
    frost_model_free(m);
    m = NULL;
    frost_load_options o = {0};
    o.struct_size = sizeof o;
    o.signature = "loop";
    frost_error err;
    CHECK_FAILS(frost_model_load_file(frost_test_data("savedmodel/tf2_functions"), &o, &m, &err),
                FROST_E_UNSUPPORTED, &err,
                "StatelessWhile loop 'StatefulPartitionedCall_1/while' (body '__inference_while_body_62'): "
                "its condition ('__inference_while_cond_61') is not known at load");
    o.signature = NULL;
    o.tag = "serve,gpu";
    CHECK_FAILS(frost_model_load_file(frost_test_data("savedmodel/tf2_functions"), &o, &m, &err),
                FROST_E_NOT_FOUND, &err, "no MetaGraph tagged 'serve,gpu'");
}

/* A Keras-style recurrent layer: a while_v2 loop over TensorLists, unrolled at load. */
static void test_rnn_loop(void) {
    static const char *const x[] = {"x"}, *const in[] = {"x.npy"};
    frost_model *m = load("savedmodel/rnn_loop", NULL, NULL, 0);
    if (m) {
        expect_close(m, 1, x, "rnn_loop", in, "logits", "expected_logits.npy");
        expect_close(m, 1, x, "rnn_loop", in, "seq", "expected_seq.npy");
        bool unrolled = false;
        for (int i = 0; i < frost_model_report_count(m); i++)
            unrolled |= strstr(frost_model_report_line(m, i), "unrolling 1 loop;") != NULL;
        CHECK_MSG(unrolled, "the load report names the unrolled loop");
    }
    frost_model_free(m);
    /* An Embedding in front: the time dimension known through the lookup's static shape. */
    static const char *const ids[] = {"ids"}, *const ids_file[] = {"ids.npy"};
    m = load("savedmodel/rnn_loop", "embedded", NULL, 0);
    if (m) expect_close(m, 1, ids, "rnn_loop", ids_file, "logits", "expected_embedded.npy");
    frost_model_free(m);
    m = NULL;
    frost_load_options o = {0};
    o.struct_size = sizeof o;
    o.signature = "dynamic";
    frost_error err;
    CHECK_FAILS(frost_model_load_file(frost_test_data("savedmodel/rnn_loop"), &o, &m, &err),
                FROST_E_UNSUPPORTED, &err, "so the trip count is not static");
}

static void test_corrupt(void) {
    static const struct {
        const char *name;
        frost_status code;
        const char *needle;
    } cases[] = {
        {"truncated_index", FROST_E_FORMAT, "does not end with the table magic number"},
        {"bad_block_crc", FROST_E_FORMAT, "CRC-32C"},
        {"missing_shard", FROST_E_IO, "model.ckpt-7.data-00001-of-00002"},
        {"bad_data_crc", FROST_E_FORMAT, "tensor 'layer1/bias' (bytes 0..20) has CRC-32C"},
        {"truncated_data", FROST_E_FORMAT, "is truncated: tensor 'layer2/kernel'"},
        {"shape_mismatch", FROST_E_SHAPE, "variable 'dense/b' is declared [5] but checkpoint entry 'layer1/bias' is [5,1]"},
        {"dtype_mismatch", FROST_E_DTYPE, "variable 'dense/b' is DT_FLOAT but its checkpoint entry 'layer1/bias' holds DT_INT32"},
    };
    static const char *const probs[] = {"probs"};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char rel[256];
        snprintf(rel, sizeof rel, "savedmodel/corrupt/%s/model.ckpt-7.meta", cases[i].name);
        frost_load_options o = {0};
        o.struct_size = sizeof o;
        o.outputs = probs;
        o.n_outputs = 1;
        frost_model *m = NULL;
        frost_error err;
        CHECK_FAILS(frost_model_load_file(frost_test_data(rel), &o, &m, &err), cases[i].code, &err,
                    cases[i].needle);
    }
}

/* Every truncation and every byte flipped (two patterns) of a real-format index: a clean refusal
 * with a message, never a crash (CI runs this under ASan). Only flips in the footer's zero padding,
 * which the format leaves unchecked, may still load. */
static void test_index_mutations(void) {
    const char *rels[] = {"savedmodel/tf1_meta/model.ckpt-7.index",
                          "savedmodel/multi_signature/variables/variables.index"};
    for (int r = 0; r < 2; r++) {
        size_t size;
        uint8_t *data = frost_test_read_file(frost_test_data(rels[r]), &size);
        if (!CHECK(data != NULL)) continue;
        uint8_t *copy = malloc(size);
        int ok = 0, format = 0, other = 0;
        for (size_t cut = 0; cut < size; cut++) {
            frost__bundle *b = NULL;
            frost_error err;
            frost_status st = frost__bundle_read_index(data, cut, "cut", frost__default_allocator(), &b, &err);
            if (st == FROST_OK) ok++;
            else if (st == FROST_E_FORMAT && err.message[0]) format++;
            else other++;
            frost__bundle_free(b);
        }
        CHECK_MSG(ok == 0 && other == 0, "%s truncated: %d loaded, %d failed oddly", rels[r], ok, other);
        ok = format = other = 0;
        for (size_t at = 0; at < size; at++)
            for (int pat = 0; pat < 2; pat++) {
                memcpy(copy, data, size);
                copy[at] ^= pat ? 0xff : 0x01;
                frost__bundle *b = NULL;
                frost_error err;
                frost_status st = frost__bundle_read_index(copy, size, "flip", frost__default_allocator(), &b, &err);
                if (st == FROST_OK) ok++;
                else if ((st == FROST_E_FORMAT || st == FROST_E_UNSUPPORTED || st == FROST_E_LIMIT) &&
                         err.message[0]) format++;
                else other++;
                frost__bundle_free(b);
            }
        /* The footer: handles (a few bytes) then zero padding up to byte 40 of 48. */
        printf("%s: %zu bytes flipped two ways: %d still load (footer padding), %d refused\n",
               rels[r], size, ok, format);
        CHECK(other == 0 && ok <= 2 * 40);
        free(copy);
        free(data);
    }
}

/* Freeze: bit-identical outputs from the frozen GraphDef. */
static void test_freeze_roundtrip(void) {
    static const char *const names[] = {"x", "ids"}, *const files[] = {"x.npy", "ids.npy"};
    frost_load_options o = {0};
    o.struct_size = sizeof o;
    frost__sm *sm = NULL;
    frost_error err;
    void *bytes = NULL;
    size_t n = 0;
    if (!CHECK_OK(frost__sm_open(frost_test_data("savedmodel/tf2_functions"), NULL, 0, &o, &sm, &err), &err))
        return;
    if (CHECK_OK(frost__sm_freeze(sm, &bytes, &n, &err), &err)) {
        frost_model *a = load("savedmodel/tf2_functions", NULL, NULL, 0), *b = NULL;
        if (CHECK_OK(frost_model_load_memory(bytes, n, NULL, &b, &err), &err) && a) {
            npy_array xs[2] = {npy("savedmodel/tf2_functions/x.npy"), npy("savedmodel/tf2_functions/ids.npy")};
            size_t na = 0, nb = 0;
            float *ya = run_model(a, 2, names, xs, "out", &na), *yb = run_model(b, 2, names, xs, "out", &nb);
            CHECK(ya && yb && na == nb && memcmp(ya, yb, na * sizeof *ya) == 0);
            free(ya);
            free(yb);
            npy_free(&xs[0]);
            npy_free(&xs[1]);
        }
        (void)files;
        frost_model_free(a);
        frost_model_free(b);
    }
    frost__sm_free_bytes(sm, bytes);
    frost__sm_close(sm);
}

int main(void) {
    test_tf1_meta();
    test_multi_signature();
    test_tf2_functions();
    test_rnn_loop();
    test_corrupt();
    test_index_mutations();
    test_freeze_roundtrip();
    return frost_test_finish();
}
