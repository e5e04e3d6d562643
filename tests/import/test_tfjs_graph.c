/* test_tfjs_graph.c — TensorFlow.js graph models through the public API: loading from memory with
 * the shards in frost_load_options.files (against the TF.js reference outputs of the fixture
 * tests/data/tfjs_graph/quantized, and against loading the same files from disk), format detection
 * whatever the file is called, and every refusal the loader owes a user: missing or hostile
 * shards, truncated weights, Const nodes without values, unknown quantization, string tensors,
 * malformed fused ops, dynamic control flow, bad signatures, function libraries that cannot be
 * inlined. Each refusal must name what is wrong.
 * Writes its small models into its own temporary folder, removed at exit. */
#include "test.h"
#include "npy.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmp_dir[256];

static void write_file(const char *name, const void *data, size_t n) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s", tmp_dir, name);
    FILE *f = fopen(path, "wb");
    if (!f) {
        CHECK_MSG(false, "cannot write %s", path);
        return;
    }
    if (n) fwrite(data, 1, n, f);
    fclose(f);
}

static const char *tmp_path(const char *name) {
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", tmp_dir, name);
    return path;
}

static void cleanup(void) {
    static const char *const names[] = {"m.json", "w.bin", "graph.weird", "a.bin", "b.bin"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) unlink(tmp_path(names[i]));
    rmdir(tmp_dir);
}

/* Loads a model JSON text (written as m.json next to the shard bytes `w.bin`), with `y` as its
 * output when `only_y`. */
static frost_status load_text_opt(const char *json, const void *shard, size_t shard_size,
                                  bool only_y, frost_model **m, frost_error *err) {
    write_file("m.json", json, strlen(json));
    write_file("w.bin", shard, shard_size);
    const char *outs[1] = {"y"};
    frost_load_options o = {.struct_size = sizeof o, .outputs = outs, .n_outputs = 1};
    return frost_model_load_file(tmp_path("m.json"), only_y ? &o : NULL, m, err);
}
static frost_status load_text(const char *json, const void *shard, size_t shard_size,
                              frost_model **m, frost_error *err) {
    return load_text_opt(json, shard, shard_size, false, m, err);
}

/* Runs a model with one f32 input and returns output `name` (malloc'd) or NULL. */
static float *run_one(const frost_model *m, const char *in_name, const float *x, size_t nx,
                      const char *out_name, size_t *ny) {
    frost_error err;
    frost_session *s = NULL;
    const char *outs[1] = {out_name};
    frost_session_options so = {.struct_size = sizeof so, .outputs = outs, .n_outputs = 1,
                                .spin_us = -1};
    if (!CHECK_OK(frost_session_create(m, &so, &s, &err), &err)) return NULL;
    int idx = -1;
    float *y = NULL;
    if (CHECK_OK(frost_session_input_index(s, in_name, &idx, &err), &err) &&
        CHECK_OK(frost_session_set_input(s, idx, x, nx * sizeof(float), &err), &err) &&
        CHECK_OK(frost_session_run(s, &err), &err)) {
        frost_tensor_info info;
        const float *p = frost_session_output_data(s, 0, &info);
        size_t n = 1;
        for (int d = 0; d < info.rank; d++) n *= (size_t)info.dims[d];
        y = malloc(n * sizeof(float));
        memcpy(y, p, n * sizeof(float));
        *ny = n;
    }
    frost_session_free(s);
    return y;
}

/* ---- the fixture from memory -------------------------------------------------------------- */

static void from_memory(void) {
    const char *dir = frost_test_data("tfjs_graph/quantized");
    char path[1024];
    static const char *const shard_names[3] = {"weights-1of3.bin", "weights-2of3.bin",
                                               "weights-3of3.bin"};
    void *shard[3];
    size_t shard_size[3];
    frost_memory_file files[3];
    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, shard_names[i]);
        shard[i] = frost_test_read_file(path, &shard_size[i]);
        CHECK_MSG(shard[i] != NULL, "missing %s", path);
        files[i] = (frost_memory_file){shard_names[i], shard[i], shard_size[i]};
    }
    snprintf(path, sizeof path, "%s/my-model.json", dir);
    size_t json_size;
    void *json = frost_test_read_file(path, &json_size);
    npy_array x, want;
    frost_error err;
    snprintf(path, sizeof path, "%s/ref/in_0.npy", dir);
    bool have_x = npy_read_file(path, &x, &err) == FROST_OK;
    snprintf(path, sizeof path, "%s/ref/out_0.npy", dir);
    bool have_y = npy_read_file(path, &want, &err) == FROST_OK;
    if (!CHECK(json && shard[0] && shard[1] && shard[2] && have_x && have_y)) goto done;

    /* Shards given in memory: runs, and matches TF.js's output for the signature key "scores". */
    frost_load_options o = {.struct_size = sizeof o, .files = files, .n_files = 3};
    frost_model *m = NULL;
    if (CHECK_OK(frost_model_load_memory(json, json_size, &o, &m, &err), &err)) {
        CHECK(frost_model_format(m) == FROST_FORMAT_TFJS_GRAPH);
        CHECK_MSG(frost_model_output_count(m) == 4, "%d outputs (the signature lists 4)",
                  frost_model_output_count(m));
        size_t ny = 0;
        float *y = run_one(m, "features", x.data, x.bytes / 4, "scores", &ny);
        if (y && CHECK(ny * 4 == want.bytes))
            CHECK(frost_test_close(y, want.data, ny, 1e-5, 1e-4, "quantized from memory"));
        free(y);
        /* The key and the node name answer for the same tensor. */
        frost_tensor_info a, b;
        CHECK_OK(frost_model_find(m, "scores", &a, &err), &err);
        CHECK_OK(frost_model_find(m, "y:0", &b, &err), &err);
        CHECK(a.name && b.name && !strcmp(a.name, b.name));
    }
    frost_model_free(m);

    /* Without the files: the missing shard is named, with where it was looked for. */
    m = NULL;
    CHECK_FAILS(frost_model_load_memory(json, json_size, NULL, &m, &err), FROST_E_NOT_FOUND, &err,
                "weight shard 'weights-1of3.bin'");
    CHECK(m == NULL);
    /* One shard short. */
    frost_load_options two = {.struct_size = sizeof two, .files = files, .n_files = 2};
    CHECK_FAILS(frost_model_load_memory(json, json_size, &two, &m, &err), FROST_E_NOT_FOUND, &err,
                "'weights-3of3.bin'");
    /* A shard cut short: the weight that no longer fits is named. */
    frost_memory_file cut[3] = {files[0], files[1], {shard_names[2], shard[2], shard_size[2] - 3}};
    frost_load_options o_cut = {.struct_size = sizeof o_cut, .files = cut, .n_files = 3};
    CHECK_FAILS(frost_model_load_memory(json, json_size, &o_cut, &m, &err), FROST_E_FORMAT, &err,
                "weight '");
    /* n_files without files. */
    frost_load_options bad = {.struct_size = sizeof bad, .files = NULL, .n_files = 2};
    CHECK_FAILS(frost_model_load_memory(json, json_size, &bad, &m, &err), FROST_E_INVALID_ARG, &err,
                "n_files");
    /* Loaded from disk under another name, the same model gives the same output bit for bit. */
    write_file("graph.weird", json, json_size);
    for (int i = 0; i < 3; i++) {
        char dst[600];
        snprintf(dst, sizeof dst, "%s/%s", tmp_dir, shard_names[i]);
        FILE *f = fopen(dst, "wb");
        if (f) {
            fwrite(shard[i], 1, shard_size[i], f);
            fclose(f);
        }
    }
    m = NULL;
    if (CHECK_OK(frost_model_load_file(tmp_path("graph.weird"), NULL, &m, &err), &err)) {
        CHECK(frost_model_format(m) == FROST_FORMAT_TFJS_GRAPH);
        size_t ny = 0;
        float *y = run_one(m, "x", x.data, x.bytes / 4, "scores", &ny);
        if (y && CHECK(ny * 4 == want.bytes))
            CHECK(frost_test_close(y, want.data, ny, 1e-5, 1e-4, "quantized from a file"));
        free(y);
    }
    frost_model_free(m);
    for (int i = 0; i < 3; i++) unlink(tmp_path(shard_names[i]));
done:
    if (have_x) npy_free(&x);
    if (have_y) npy_free(&want);
    free(json);
    for (int i = 0; i < 3; i++) free(shard[i]);
}

/* ---- refusals ------------------------------------------------------------------------------ */

#define HEAD "{\"format\":\"graph-model\",\"modelTopology\":{\"node\":["
#define X "{\"name\":\"x\",\"op\":\"Placeholder\",\"attr\":{\"dtype\":{\"type\":\"DT_FLOAT\"}," \
          "\"shape\":{\"shape\":{\"dim\":[{\"size\":\"1\"},{\"size\":\"4\"}]}}}}"
#define CONST(name, dims) "{\"name\":\"" name "\",\"op\":\"Const\",\"attr\":{\"dtype\":{\"type\":" \
          "\"DT_FLOAT\"},\"value\":{\"tensor\":{\"dtype\":\"DT_FLOAT\",\"tensorShape\":{\"dim\":[" dims "]}}}}}"
#define D4 "{\"size\":\"4\"}"
#define ADD(name, a, b) "{\"name\":\"" name "\",\"op\":\"AddV2\",\"input\":[\"" a "\",\"" b "\"]," \
          "\"attr\":{\"T\":{\"type\":\"DT_FLOAT\"}}}"
#define MANIFEST(weights) "]},\"weightsManifest\":[{\"paths\":[\"w.bin\"],\"weights\":[" weights "]}]"
#define W(name, extra) "{\"name\":\"" name "\",\"shape\":[4],\"dtype\":\"float32\"" extra "}"

static void refusals(void) {
    const float four[4] = {1, 2, 3, 4};
    frost_model *m = NULL;
    frost_error err;

    /* A minimal good one first: everything below differs from it in one place. */
    const char *good = HEAD X "," CONST("c", D4) "," ADD("y", "x", "c") MANIFEST(W("c", "")) "}";
    if (CHECK_OK(load_text(good, four, sizeof four, &m, &err), &err)) {
        size_t ny = 0;
        const float x[4] = {10, 20, 30, 40};
        float *y = run_one(m, "x", x, 4, "y", &ny);
        CHECK(y && ny == 4 && y[0] == 11 && y[3] == 44);
        free(y);
    }
    frost_model_free(m);

    CHECK_FAILS(load_text(good, four, 12, &m, &err), FROST_E_FORMAT, &err, "weight 'c'");
    const char *no_value = HEAD X "," CONST("c", D4) "," ADD("y", "x", "c") MANIFEST("") "}";
    CHECK_FAILS(load_text(no_value, four, 0, &m, &err), FROST_E_FORMAT, &err,
                "Const node 'c' has no value");
    const char *bad_quant = HEAD X "," CONST("c", D4) "," ADD("y", "x", "c")
        MANIFEST(W("c", ",\"quantization\":{\"dtype\":\"int4\",\"min\":0,\"scale\":1}")) "}";
    CHECK_FAILS(load_text(bad_quant, four, 16, &m, &err), FROST_E_UNSUPPORTED, &err,
                "quantization dtype 'int4'");
    const char *no_scale = HEAD X "," CONST("c", D4) "," ADD("y", "x", "c")
        MANIFEST(W("c", ",\"quantization\":{\"dtype\":\"uint8\"}")) "}";
    CHECK_FAILS(load_text(no_scale, four, 16, &m, &err), FROST_E_FORMAT, &err, "min and scale");
    const char *escape = HEAD X "," CONST("c", D4) "," ADD("y", "x", "c")
        "]},\"weightsManifest\":[{\"paths\":[\"../w.bin\"],\"weights\":[" W("c", "") "]}]}";
    CHECK_FAILS(load_text(escape, four, 16, &m, &err), FROST_E_FORMAT, &err, "'../w.bin'");
    const char *absent = HEAD X "," CONST("c", D4) "," ADD("y", "x", "c")
        "]},\"weightsManifest\":[{\"paths\":[\"nope.bin\"],\"weights\":[" W("c", "") "]}]}";
    CHECK_FAILS(load_text(absent, four, 16, &m, &err), FROST_E_IO, &err, "nope.bin");

    /* A string weight: skipped over when unused (here: not needed by the output y), refused by
     * name when used. */
    const unsigned char strings[] = {3, 0, 0, 0, 'a', 'b', 'c', 1, 0, 0, 0, 'z', 1, 0, 0, 0, 2, 0,
                                     0, 0, 3, 0, 0, 0, 4, 0, 0, 0};
    unsigned char blob[sizeof strings + 16];
    memcpy(blob, strings, 12);
    memcpy(blob + 12, four, 16);
    const char *str_unused = HEAD X "," CONST("c", D4) "," ADD("y", "x", "c") ","
        "{\"name\":\"s\",\"op\":\"Const\",\"attr\":{\"dtype\":{\"type\":\"DT_STRING\"}}}"
        "]},\"weightsManifest\":[{\"paths\":[\"w.bin\"],\"weights\":["
        "{\"name\":\"s\",\"shape\":[2],\"dtype\":\"string\"}," W("c", "") "]}]}";
    if (CHECK_OK(load_text_opt(str_unused, blob, 28, true, &m, &err), &err)) {
        size_t ny = 0;
        const float x[4] = {0, 0, 0, 0};
        float *y = run_one(m, "x", x, 4, "y", &ny);
        CHECK(y && ny == 4 && y[1] == 2); /* c came after the strings: their bytes were skipped */
        free(y);
    }
    frost_model_free(m);
    m = NULL;
    const char *str_used = HEAD X "," "{\"name\":\"s\",\"op\":\"Const\",\"attr\":{\"dtype\":{\"type\":"
        "\"DT_STRING\"}}}," "{\"name\":\"y\",\"op\":\"Identity\",\"input\":[\"s\"]}"
        "]},\"weightsManifest\":[{\"paths\":[\"w.bin\"],\"weights\":["
        "{\"name\":\"s\",\"shape\":[2],\"dtype\":\"string\"}]}]}";
    CHECK_FAILS(load_text(str_used, strings, 12, &m, &err), FROST_E_UNSUPPORTED, &err, "DT_STRING");

    /* Fused ops: operands that do not match the list, and lists frost does not know. */
    const char *fused_head = HEAD X "," CONST("c", D4) ",{\"name\":\"y\",\"op\":\"_FusedMatMul\","
        "\"input\":[\"x\",\"w\",\"c\"],\"attr\":{\"fused_ops\":{\"list\":{\"s\":[";
    const char *tail = "]}},\"num_args\":{\"i\":\"1\"}}},"
        "{\"name\":\"w\",\"op\":\"Const\",\"attr\":{\"value\":{\"tensor\":{\"dtype\":\"DT_FLOAT\","
        "\"tensorShape\":{\"dim\":[{\"size\":\"4\"},{\"size\":\"1\"}]},\"floatVal\":[1,1,1,1]}}}}"
        MANIFEST(W("c", "")) "}";
    char buf[4096];
    snprintf(buf, sizeof buf, "%s\"Qmlhc0FkZA==\",\"UHJlbHU=\"%s", fused_head, tail); /* BiasAdd,Prelu */
    CHECK_FAILS(load_text(buf, four, 16, &m, &err), FROST_E_FORMAT, &err, "need 2 extra operands");
    snprintf(buf, sizeof buf, "%s\"Qmlhc0FkZA==\",\"U3dpc2g=\"%s", fused_head, tail); /* BiasAdd,Swish */
    CHECK_FAILS(load_text(buf, four, 16, &m, &err), FROST_E_UNSUPPORTED, &err,
                "fused_ops BiasAdd,Swish");

    /* Dynamic control flow is refused by name. */
    const char *loop = HEAD X ",{\"name\":\"loop\",\"op\":\"StatelessWhile\",\"input\":[\"x\"],"
        "\"attr\":{\"cond\":{\"func\":{\"name\":\"c_fn\"}},\"body\":{\"func\":{\"name\":\"b_fn\"}}}},"
        "{\"name\":\"y\",\"op\":\"Identity\",\"input\":[\"loop\"]}]}}";
    CHECK_FAILS(load_text(loop, NULL, 0, &m, &err), FROST_E_UNSUPPORTED, &err, "StatelessWhile");
    CHECK_MSG(strstr(err.message, "while_loop") != NULL, "message: %s", err.message);

    /* Unpadded non-max suppression keeps a data-dependent number of boxes: refused by name at load.
     * Where on values that arrive with the data: refused, saying why, when the session plans. */
    const char *nms = HEAD X ",{\"name\":\"b\",\"op\":\"Reshape\",\"input\":[\"x\",\"s\"]},"
        "{\"name\":\"s\",\"op\":\"Const\",\"attr\":{\"value\":{\"tensor\":{\"dtype\":\"DT_INT32\","
        "\"tensorShape\":{\"dim\":[{\"size\":\"2\"}]},\"intVal\":[1,4]}}}},"
        "{\"name\":\"y\",\"op\":\"NonMaxSuppressionV3\",\"input\":[\"b\",\"x\",\"k\",\"t\",\"t\"]},"
        "{\"name\":\"k\",\"op\":\"Const\",\"attr\":{\"value\":{\"tensor\":{\"dtype\":\"DT_INT32\","
        "\"tensorShape\":{},\"intVal\":[1]}}}},"
        "{\"name\":\"t\",\"op\":\"Const\",\"attr\":{\"value\":{\"tensor\":{\"dtype\":\"DT_FLOAT\","
        "\"tensorShape\":{},\"floatVal\":[0.5]}}}}]}}";
    CHECK_FAILS(load_text(nms, NULL, 0, &m, &err), FROST_E_UNSUPPORTED, &err,
                "NonMaxSuppressionV3 (not padded to max_output_size");
    const char *where = HEAD X ",{\"name\":\"y\",\"op\":\"Where\",\"input\":[\"x\"]}]}}";
    if (CHECK_OK(load_text(where, NULL, 0, &m, &err), &err)) {
        frost_session *s = NULL;
        CHECK_FAILS(frost_session_create(m, NULL, &s, &err), FROST_E_UNSUPPORTED, &err,
                    "depends on the data");
        CHECK(s == NULL);
    }
    frost_model_free(m);
    m = NULL;

    /* The signature must name tensors of the graph. */
    const char *bad_sig = HEAD X "," CONST("c", D4) "," ADD("y", "x", "c") MANIFEST(W("c", ""))
        ",\"signature\":{\"outputs\":{\"out\":{\"name\":\"nothere:0\"}}}}";
    CHECK_FAILS(load_text(bad_sig, four, 16, &m, &err), FROST_E_FORMAT, &err, "'nothere:0'");

    /* Malformed JSON values are named with their node and attribute. */
    const char *bad_attr = HEAD X ",{\"name\":\"y\",\"op\":\"Relu\",\"input\":[\"x\"],"
        "\"attr\":{\"T\":{\"type\":true}}}]}}";
    CHECK_FAILS(load_text(bad_attr, NULL, 0, &m, &err), FROST_E_FORMAT, &err, "attribute 'T'");
    const char *bad_b64 = HEAD X ",{\"name\":\"y\",\"op\":\"Relu\",\"input\":[\"x\"],"
        "\"attr\":{\"data_format\":{\"s\":\"N*HWC\"}}}]}}";
    CHECK_FAILS(load_text(bad_b64, NULL, 0, &m, &err), FROST_E_FORMAT, &err, "base64");
    const char *not_graph = "{\"format\":\"graph-model\",\"modelTopology\":{\"nodes\":[]}}";
    CHECK_FAILS(load_text(not_graph, NULL, 0, &m, &err), FROST_E_FORMAT, &err, "'node' list");
    CHECK(m == NULL);
}

/* ---- function libraries --------------------------------------------------------------------- */

#define LIBRARY(fns) "],\"library\":{\"function\":[" fns "]}"
#define WEIGHTS(w) "},\"weightsManifest\":[{\"paths\":[\"w.bin\"],\"weights\":[" w "]}]}"
#define FN(name, in, outs, nodes, ret) "{\"signature\":{\"name\":\"" name "\",\"inputArg\":[" in \
          "],\"outputArg\":[" outs "]},\"nodeDef\":[" nodes "],\"ret\":{" ret "}}"
#define ARG(name) "{\"name\":\"" name "\",\"type\":\"DT_FLOAT\"}"
#define CALL(name, op, fn, in) "{\"name\":\"" name "\",\"op\":\"" op "\",\"input\":[" in "]," \
          "\"attr\":{\"f\":{\"func\":{\"name\":\"" fn "\"}}}}"

/* Calls inlined through two levels: y = c + outer(x) where outer calls pass_neg with
 * PartitionedCall and returns its second result, the Neg of its argument read as "a:0"; and the
 * inliner's refusals (recursion through calls and through If branches, a missing function, a
 * wrong number of arguments, a body reading a node it does not have), each naming the function
 * or the call. */
static void libraries(void) {
    const float four[4] = {1, 2, 3, 4};
    frost_model *m = NULL;
    frost_error err;
    const char *pass_neg = FN("pass_neg", ARG("a"), ARG("same") "," ARG("neg"),
        "{\"name\":\"n\",\"op\":\"Neg\",\"input\":[\"a:0\",\"^a\"],\"attr\":{\"T\":{\"type\":\"DT_FLOAT\"}}}",
        "\"same\":\"a\",\"neg\":\"n:y:0\"");
    const char *outer = FN("outer", ARG("v"), ARG("r"),
        CALL("inner", "PartitionedCall", "pass_neg", "\"v\""), "\"r\":\"inner:output:1\"");
    const char *good = HEAD X "," CONST("c", D4) "," CALL("call", "StatefulPartitionedCall", "outer",
        "\"x\"") "," ADD("y", "call", "c") LIBRARY("%s,%s") WEIGHTS(W("c", ""));
    char buf[8192];
    snprintf(buf, sizeof buf, good, pass_neg, outer);
    if (CHECK_OK(load_text(buf, four, sizeof four, &m, &err), &err)) {
        size_t ny = 0;
        const float x[4] = {10, 20, 30, 40};
        float *y = run_one(m, "x", x, 4, "y", &ny);
        CHECK(y && ny == 4 && y[0] == -9 && y[1] == -18 && y[2] == -27 && y[3] == -36);
        free(y);
    }
    frost_model_free(m);
    m = NULL;

    const char *rec = FN("rec", ARG("a"), ARG("o"), CALL("again", "PartitionedCall", "rec", "\"a\""),
                         "\"o\":\"again:output:0\"");
    const char *recursive = HEAD X "," CALL("y", "PartitionedCall", "rec", "\"x\"") LIBRARY("%s")
        "}}";
    snprintf(buf, sizeof buf, recursive, rec);
    CHECK_FAILS(load_text(buf, NULL, 0, &m, &err), FROST_E_LIMIT, &err, "function 'rec'");
    /* An If whose branch holds the same If: bounded by call depth, not by memory. */
#define IF(name, in, fn) "{\"name\":\"" name "\",\"op\":\"StatelessIf\",\"input\":[" in "]," \
          "\"attr\":{\"Tcond\":{\"type\":\"DT_FLOAT\"},\"then_branch\":{\"func\":{\"name\":\"" fn \
          "\"}},\"else_branch\":{\"func\":{\"name\":\"leaf\"}}}}"
    const char *rec_if = FN("branch", ARG("a"), ARG("o"), IF("again", "\"a\",\"a\"", "branch"),
                            "\"o\":\"again:output:0\"");
    const char *leaf = FN("leaf", ARG("a"), ARG("o"), "", "\"o\":\"a\"");
    const char *if_in_if = HEAD X "," IF("y", "\"x\",\"x\"", "branch") LIBRARY("%s,%s") "}}";
    snprintf(buf, sizeof buf, if_in_if, rec_if, leaf);
    CHECK_FAILS(load_text(buf, NULL, 0, &m, &err), FROST_E_LIMIT, &err, "recursion");
    const char *missing = HEAD X "," CALL("y", "PartitionedCall", "nope", "\"x\"") LIBRARY("%s")
        "}}";
    snprintf(buf, sizeof buf, missing, rec);
    CHECK_FAILS(load_text(buf, NULL, 0, &m, &err), FROST_E_FORMAT, &err,
                "calls function 'nope', which the library does not define");
    const char *arity = HEAD X "," CALL("y", "PartitionedCall", "pass_neg", "\"x\",\"x\"")
        LIBRARY("%s") "}}";
    snprintf(buf, sizeof buf, arity, pass_neg);
    CHECK_FAILS(load_text(buf, NULL, 0, &m, &err), FROST_E_FORMAT, &err,
                "passes 2 inputs to function 'pass_neg', which takes 1");
    const char *ghost = FN("ghost", ARG("a"), ARG("o"),
        "{\"name\":\"n\",\"op\":\"Neg\",\"input\":[\"gone:y:0\"]}", "\"o\":\"n:y:0\"");
    const char *reads_ghost = HEAD X "," CALL("y", "PartitionedCall", "ghost", "\"x\"")
        LIBRARY("%s") "}}";
    snprintf(buf, sizeof buf, reads_ghost, ghost);
    CHECK_FAILS(load_text(buf, NULL, 0, &m, &err), FROST_E_FORMAT, &err, "'gone:y:0'");
    CHECK_MSG(strstr(err.message, "function 'ghost'") != NULL, "message: %s", err.message);
    CHECK(m == NULL);
}

int main(void) {
    snprintf(tmp_dir, sizeof tmp_dir, "/tmp/frost-tfjs-graph-XXXXXX");
    if (!mkdtemp(tmp_dir)) frost_test_skip("cannot make a temporary folder");
    atexit(cleanup);
    from_memory();
    refusals();
    libraries();
    return frost_test_finish();
}
