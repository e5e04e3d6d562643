/* test_tf_bad.c — the TF GraphDef importer on bad input: one handcrafted file per class of
 * problem (tests/data/tf/, made by scripts/gen_tf_fixtures.sh), each checked for its status and
 * for a message naming the problem; then every truncation and thousands of byte corruptions of a
 * valid file, which must never crash, leak or pass garbage on (run under ASan/UBSan). */
#include <stdlib.h>

#include "import/import.h"
#include "test.h"

static void *read_fixture(const char *rel, size_t *size) {
    void *buf = frost_test_read_file(frost_test_data(rel), size);
    CHECK_MSG(buf != NULL, "fixture %s is missing (run scripts/gen_tf_fixtures.sh)", rel);
    return buf;
}

/* Imports a fixture into a fresh graph; g is freed before returning. */
static frost_status import_fixture(const char *rel, frost_error *err) {
    size_t n = 0;
    void *buf = read_fixture(rel, &n);
    frost__graph g;
    frost__graph_init(&g, NULL, err);
    frost_status st = buf ? frost__import_tf_graphdef(buf, n, &g, err) : FROST_E_IO;
    frost__graph_free(&g);
    free(buf);
    return st;
}

static bool has(const char *msg, const char *needle) { return strstr(msg, needle) != NULL; }

static void test_format_errors(void) {
    frost_error err;

    CHECK_FAILS(import_fixture("tf/truncated.pb", &err), FROST_E_FORMAT, &err, "truncated");
    CHECK_MSG(err.file_offset > 0 && err.file_offset < 534, "offset %lld",
              (long long)err.file_offset);
    CHECK(has(err.message, "534 bytes"));

    CHECK_FAILS(import_fixture("tf/garbage.pb", &err), FROST_E_FORMAT, &err,
                "not a valid TensorFlow GraphDef");
    CHECK(err.file_offset == 0);

    CHECK_FAILS(import_fixture("tf/bad_record.pb", &err), FROST_E_FORMAT, &err,
                "node record #0 ('probs') at byte 0 is malformed");
    CHECK(!strcmp(err.node, "probs") && err.file_offset == 0);

    CHECK_FAILS(import_fixture("tf/cycle.pb", &err), FROST_E_FORMAT, &err, "cycle");
    CHECK(has(err.message, "'a'") && has(err.message, "'b'") && has(err.message, "'c'"));
    CHECK(!has(err.message, "'x'") && !has(err.message, "'out'"));

    CHECK_FAILS(import_fixture("tf/dangling.pb", &err), FROST_E_FORMAT, &err, "missing_node");
    CHECK(!strcmp(err.node, "y") && has(err.message, "'y'"));

    CHECK_FAILS(import_fixture("tf/content_mismatch.pb", &err), FROST_E_FORMAT, &err,
                "tensor_content holds 8 bytes");
    CHECK(!strcmp(err.node, "w") && has(err.message, "24"));

    CHECK_FAILS(import_fixture("tf/overflow_dims.pb", &err), FROST_E_LIMIT, &err, "overflows");
    CHECK(!strcmp(err.node, "huge"));

    CHECK_FAILS(import_fixture("tf/absurd_dims.pb", &err), FROST_E_LIMIT, &err, "max_tensor_bytes");
    CHECK(!strcmp(err.node, "big"));

    CHECK_FAILS(import_fixture("tf/negative_dim.pb", &err), FROST_E_FORMAT, &err, "-3");
    CHECK(!strcmp(err.node, "neg"));

    CHECK_FAILS(import_fixture("tf/too_many_values.pb", &err), FROST_E_FORMAT, &err, "3 values");
    CHECK(!strcmp(err.node, "three"));

    CHECK_FAILS(import_fixture("tf/duplicate.pb", &err), FROST_E_FORMAT, &err,
                "duplicate node name 'x'");

    CHECK_FAILS(import_fixture("tf/bad_port.pb", &err), FROST_E_FORMAT, &err, "output 3 of 'r'");
    CHECK(has(err.message, "'y'"));

    CHECK_FAILS(import_fixture("tf/wrong_arity.pb", &err), FROST_E_FORMAT, &err, "1 data inputs");
    CHECK(!strcmp(err.node, "mm"));

    frost__graph g;
    frost__graph_init(&g, NULL, &err);
    CHECK_FAILS(frost__import_tf_graphdef("", 0, &g, &err), FROST_E_FORMAT, &err, "empty");
    frost__graph_free(&g);
}

static void test_limits(void) {
    size_t n = 0;
    void *buf = read_fixture("tf/mlp.pb", &n);
    if (!buf) return;
    frost__graph g;
    frost_error err;
    frost__graph_init(&g, NULL, &err);
    g.max_tensor_bytes = 20; /* W is 24 bytes */
    CHECK_FAILS(frost__import_tf_graphdef(buf, n, &g, &err), FROST_E_LIMIT, &err,
                "max_tensor_bytes");
    CHECK(!strcmp(err.node, "W"));
    frost__graph_free(&g);

    frost__graph_init(&g, NULL, &err);
    g.max_nodes = 5;
    CHECK_FAILS(frost__import_tf_graphdef(buf, n, &g, &err), FROST_E_LIMIT, &err, "max_nodes");
    frost__graph_free(&g);
    free(buf);
}

/* Unknown ops and string dtypes are not import errors: they become UNSUPPORTED nodes (all of
 * them, not just the first) for the passes to prune or report. */
static void test_unsupported_nodes(void) {
    size_t n = 0;
    void *buf = read_fixture("tf/unknown_ops.pb", &n);
    frost__graph g;
    frost_error err;
    frost__graph_init(&g, NULL, &err);
    CHECK_OK(frost__import_tf_graphdef(buf, n, &g, &err), &err);
    int found = 0;
    for (int i = 0; i < g.n_nodes; i++) {
        const frost__node *nd = &g.nodes[i];
        if (nd->op != FROST__OP_UNSUPPORTED) continue;
        found++;
        if (!strcmp(nd->name, "frob")) CHECK(!strcmp(nd->src_op, "FrobnicateV7") && nd->n_out == 3);
        else if (!strcmp(nd->name, "noise")) CHECK(!strcmp(nd->src_op, "RandomUniform"));
        else CHECK(!strcmp(nd->name, "dead") && !strcmp(nd->src_op, "DecodeWav"));
    }
    CHECK(found == 3);
    int y = frost__graph_lookup(&g, "y");
    CHECK(y >= 0 && g.nodes[g.values[y].producer].in[0] == frost__graph_lookup(&g, "frob:2"));
    frost__graph_free(&g);
    free(buf);

    buf = read_fixture("tf/string_dtype.pb", &n);
    frost__graph_init(&g, NULL, &err);
    CHECK_OK(frost__import_tf_graphdef(buf, n, &g, &err), &err);
    int wav = frost__graph_lookup(&g, "wav_data");
    CHECK(wav >= 0 && g.values[wav].producer >= 0 &&
          g.nodes[g.values[wav].producer].op == FROST__OP_UNSUPPORTED &&
          has(g.nodes[g.values[wav].producer].src_op, "DT_STRING") &&
          g.values[wav].dtype == FROST_DTYPE_STRING);
    int labels = frost__graph_lookup(&g, "labels");
    CHECK(labels >= 0 && g.values[labels].producer >= 0 &&
          has(g.nodes[g.values[labels].producer].src_op, "DT_STRING"));
    CHECK(g.n_inputs == 0);
    frost__graph_free(&g);
    free(buf);
}

/* Through the public API the same problems come out as one load error listing them. */
static void test_public_api(void) {
    size_t n = 0;
    void *buf = read_fixture("tf/unknown_ops.pb", &n);
    frost_model *m = NULL;
    frost_error err;
    frost_status st = frost_model_load_memory(buf, n, NULL, &m, &err);
    CHECK_FAILS(st, FROST_E_UNSUPPORTED, &err, "FrobnicateV7");
    CHECK(has(err.message, "RandomUniform"));
    CHECK(m == NULL);
    frost_model_free(m);
    /* Asking only for y prunes the DecodeWav branch: it must not be reported. */
    const char *outs[] = {"y"};
    frost_load_options o = {.struct_size = sizeof o, .outputs = outs, .n_outputs = 1};
    st = frost_model_load_memory(buf, n, &o, &m, &err);
    CHECK_FAILS(st, FROST_E_UNSUPPORTED, &err, "FrobnicateV7");
    CHECK_MSG(!has(err.message, "DecodeWav"), "message: %s", err.message);
    frost_model_free(m);
    free(buf);

    buf = read_fixture("tf/string_dtype.pb", &n);
    st = frost_model_load_memory(buf, n, NULL, &m, &err);
    CHECK_FAILS(st, FROST_E_UNSUPPORTED, &err, "DecodeWav");
    CHECK_MSG(has(err.message, "DT_STRING"), "message: %s", err.message);
    frost_model_free(m);
    free(buf);

    frost_load_options tf = {.struct_size = sizeof tf, .format = FROST_FORMAT_TF_GRAPHDEF};
    buf = read_fixture("tf/cycle.pb", &n);
    CHECK_FAILS(frost_model_load_memory(buf, n, &tf, &m, &err), FROST_E_FORMAT, &err, "cycle");
    free(buf);
    buf = read_fixture("tf/truncated.pb", &n);
    CHECK_FAILS(frost_model_load_memory(buf, n, &tf, &m, &err), FROST_E_FORMAT, &err, "truncated");
    free(buf);
}

/* Every prefix and many single-byte corruptions of a valid file: any outcome but a crash, a leak
 * (ASan) or an unexplained failure is a bug. */
static void test_corruption(void) {
    size_t n = 0;
    uint8_t *good = read_fixture("tf/ops_misc.pb", &n);
    if (!good) return;
    uint8_t *buf = malloc(n);
    int ok = 0, refused = 0;
    for (size_t len = 0; len < n; len++) {
        frost__graph g;
        frost_error err;
        frost__graph_init(&g, NULL, &err);
        frost_status st = frost__import_tf_graphdef(good, len, &g, &err);
        if (st == FROST_OK) ok++;
        else {
            refused++;
            if (!CHECK_MSG((st == FROST_E_FORMAT || st == FROST_E_LIMIT) && err.message[0],
                           "prefix %zu: %s '%s'", len, frost_status_name(st), err.message))
                len = n;
        }
        frost__graph_free(&g);
    }
    CHECK(refused > (int)n / 2);
    static const uint8_t flips[] = {0x01, 0x08, 0x80, 0xff, 0x7f};
    frost_test_seed(7);
    for (size_t pos = 0; pos < n; pos++) {
        for (size_t f = 0; f < sizeof flips; f++) {
            memcpy(buf, good, n);
            buf[pos] ^= flips[f];
            frost__graph g;
            frost_error err;
            frost__graph_init(&g, NULL, &err);
            frost_status st = frost__import_tf_graphdef(buf, n, &g, &err);
            if (st != FROST_OK &&
                !CHECK_MSG(st == FROST_E_FORMAT || st == FROST_E_LIMIT,
                           "byte %zu ^ 0x%02x: %s '%s'", pos, flips[f], frost_status_name(st),
                           err.message))
                pos = n;
            frost__graph_free(&g);
        }
    }
    free(buf);
    free(good);
}

int main(void) {
    test_format_errors();
    test_limits();
    test_unsupported_nodes();
    test_public_api();
    test_corruption();
    return frost_test_finish();
}
