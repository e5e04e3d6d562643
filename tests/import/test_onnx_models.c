/* test_onnx_models.c — real exporter output: PyTorch models exported by torch.onnx.export at several
 * opsets (scripts/gen_onnx_fixtures.py, committed under tests/data/onnx/) must import with every op
 * supported, and, run through the public API, reproduce PyTorch's outputs within 1e-4. Also counts
 * the layout transposes left in the CNN after load (the layout pass should leave at most two). */
#include "test.h"

#include <stdlib.h>
#include <string.h>

#include "core/graph.h"
#include "engine/model.h"
#include "import/import.h"
#include "npy.h"

typedef struct fixture {
    const char *model, *stem;
    bool dynamic_batch;
} fixture;

static const fixture fixtures[] = {
    {"mlp_op7.onnx", "mlp", false},          {"cnn_op7.onnx", "cnn", false},
    {"pools_op9.onnx", "pools", false},      {"pools_op10.onnx", "pools", false},
    {"layout_op11.onnx", "layout", false},   {"layout_op13.onnx", "layout", false},
    {"seq_op11.onnx", "seq", false},         {"seq_op14.onnx", "seq", false},
    {"mlp_op9.onnx", "mlp", false},          {"mlp_op11.onnx", "mlp", false},
    {"mlp_op13.onnx", "mlp", false},         {"mlp_dynamic_op13.onnx", "mlp_dynamic", true},
    {"cnn_op9.onnx", "cnn", false},          {"cnn_op11.onnx", "cnn", false},
    {"cnn_op13.onnx", "cnn", false},         {"cnn_dynamic_op13.onnx", "cnn_dynamic", true},
    {"pools_op11.onnx", "pools", false},     {"pools_op13.onnx", "pools", false},
    {"block_op13.onnx", "block", false},     {"block_op17.onnx", "block", false},
};

/* The importer alone: no UNSUPPORTED node, one output, the dynamic batch dim kept as -1. */
static void check_import(const fixture *f) {
    char rel[256];
    snprintf(rel, sizeof rel, "onnx/%s", f->model);
    size_t size;
    void *bytes = frost_test_read_file(frost_test_data(rel), &size);
    CHECK_MSG(bytes != NULL, "missing fixture %s", rel);
    if (!bytes) return;
    frost__graph g;
    frost_error err;
    CHECK_OK(frost__graph_init(&g, NULL, &err), &err);
    CHECK_OK(frost__import_onnx(bytes, size, &g, &err), &err);
    int unsupported = 0;
    for (int i = 0; i < g.n_nodes; i++)
        if (g.nodes[i].op == FROST__OP_UNSUPPORTED) {
            printf("  %s: unsupported node %s (%s)\n", f->model, g.nodes[i].name, g.nodes[i].src_op);
            unsupported++;
        }
    CHECK_MSG(unsupported == 0, "%s: %d unsupported nodes", f->model, unsupported);
    CHECK_MSG(g.n_outputs == 1, "%s: %d outputs", f->model, g.n_outputs);
    CHECK(g.n_inputs >= 1);
    if (g.n_inputs >= 1) {
        const frost__value *in = &g.values[g.inputs[0]];
        CHECK_MSG(in->shape.rank >= 2 && (in->shape.d[0] == -1) == f->dynamic_batch,
                  "%s: input batch dim %lld", f->model, (long long)in->shape.d[0]);
    }
    frost__graph_free(&g);
    free(bytes);
}

static int count_transposes(const frost_model *m) {
    int n = 0;
    for (int i = 0; i < m->g.n_nodes; i++) n += m->g.nodes[i].op == FROST__OP_TRANSPOSE;
    return n;
}

static void check_run(const fixture *f) {
    char rel[256];
    snprintf(rel, sizeof rel, "onnx/%s", f->model);
    frost_model *m = NULL;
    frost_error err;
    if (!CHECK_OK(frost_model_load_file(frost_test_data(rel), NULL, &m, &err), &err)) return;
    npy_array x, y;
    memset(&x, 0, sizeof x);
    memset(&y, 0, sizeof y);
    snprintf(rel, sizeof rel, "onnx/%s_input.npy", f->stem);
    bool ok = CHECK_OK(npy_read_file(frost_test_data(rel), &x, &err), &err);
    snprintf(rel, sizeof rel, "onnx/%s_output.npy", f->stem);
    ok = CHECK_OK(npy_read_file(frost_test_data(rel), &y, &err), &err) && ok;
    frost_session *s = NULL;
    if (ok && CHECK_OK(frost_session_create(m, NULL, &s, &err), &err)) {
        if (f->dynamic_batch)
            CHECK_OK(frost_session_set_input_shape(s, 0, x.rank, x.dims, &err), &err);
        if (CHECK_OK(frost_session_set_input(s, 0, x.data, x.bytes, &err), &err) &&
            CHECK_OK(frost_session_run(s, &err), &err)) {
            frost_tensor_info info;
            const float *got = frost_session_output_data(s, 0, &info);
            size_t n = y.bytes / sizeof(float);
            int64_t numel = 1;
            for (int i = 0; i < info.rank; i++) numel *= info.dims[i];
            CHECK_MSG(got && numel == (int64_t)n, "%s: output has %lld elements, want %zu", f->model,
                      (long long)numel, n);
            if (got && numel == (int64_t)n)
                CHECK_MSG(frost_test_close(got, y.data, n, 1e-4, 1e-4, f->model), "%s", f->model);
        }
        frost_session_free(s);
    }
    if (strncmp(f->stem, "cnn", 3) == 0 || strcmp(f->stem, "layout") == 0) {
        int t = count_transposes(m);
        printf("  %s: %d layout transposes left after load\n", f->model, t);
        for (int i = 0; i < frost_model_report_count(m); i++)
            if (strstr(frost_model_report_line(m, i), "layout")) printf("    %s\n", frost_model_report_line(m, i));
        CHECK_MSG(t <= 1, "%s: %d layout transposes", f->model, t);
    }
    npy_free(&x);
    npy_free(&y);
    frost_model_free(m);
}

int main(void) {
    for (size_t i = 0; i < FROST_ARRAY_LEN(fixtures); i++) check_import(&fixtures[i]);
    for (size_t i = 0; i < FROST_ARRAY_LEN(fixtures); i++) check_run(&fixtures[i]);
    return frost_test_finish();
}
