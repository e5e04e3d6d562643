/* test_engine.c — the engine end to end on graphs built in memory: learning phase and Switch/Merge
 * resolution, pruning, name suggestions, zero allocations per run (counting allocator), re-planning
 * on a batch change, bound buffers, threads, and NULL/bad arguments. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/graph.h"
#include "engine/model.h"
#include "kernels/gemm.h"
#include "test.h"

static const float W[4 * 3] = {0.5f, -1, 2, 1, 0.25f, -0.5f, -2, 1, 0, 0.75f, 0.5f, 1};
static const float B[3] = {0.1f, -0.2f, 0.3f};

/* x[4] -> MatMul W -> Switch(learning phase) -> {Identity | Mul(RandomUniform)} -> Merge -> +B ->
 * Sigmoid, the shape of a Keras Dropout frozen without set_learning_phase(0). */
static frost_status build(frost__graph *g, const frost_allocator *a, frost_error *err) {
    frost__graph_init(g, a, err);
    frost__shape sx = {2, {-1, 4}}, sw = {2, {4, 3}}, sb = {1, {3}}, scalar = {0, {0}};
    int x = frost__graph_add_input(g, "x", FROST_DTYPE_F32, &sx, err);
    int lp = frost__graph_add_input(g, "dropout/keras_learning_phase", FROST_DTYPE_BOOL, &scalar, err);
    int w = frost__graph_add_const(g, "dense/kernel", FROST_DTYPE_F32, &sw, W, sizeof W, err);
    int b = frost__graph_add_const(g, "dense/bias", FROST_DTYPE_F32, &sb, B, sizeof B, err);
    if (x < 0 || lp < 0 || w < 0 || b < 0) return err->code;
    frost__params p;
    memset(&p, 0, sizeof p);
    int mm = frost__graph_add_node(g, "dense/MatMul", "MatMul", FROST__OP_MATMUL, 2,
                                   (int[]){x, w, -1}, 1, &p, err);
    if (mm < 0) return err->code;
    int sw_node = frost__graph_add_node(g, "dropout/cond/Switch", "Switch", FROST__OP_SWITCH, 2,
                                        (int[]){frost__graph_out(g, mm, 0), lp}, 2, NULL, err);
    if (sw_node < 0) return err->code;
    int rnd = frost__graph_add_node(g, "dropout/cond/random_uniform", "RandomUniform",
                                    FROST__OP_UNSUPPORTED, 1, (int[]){frost__graph_out(g, sw_node, 1)},
                                    1, NULL, err);
    if (rnd < 0) return err->code;
    p.binary.fn = FROST__BIN_MUL;
    int mul = frost__graph_add_node(g, "dropout/cond/mul", "Mul", FROST__OP_BINARY, 2,
                                    (int[]){frost__graph_out(g, sw_node, 1), frost__graph_out(g, rnd, 0)},
                                    1, &p, err);
    if (mul < 0) return err->code;
    int id = frost__graph_add_node(g, "dropout/cond/Identity", "Identity", FROST__OP_IDENTITY, 1,
                                   (int[]){frost__graph_out(g, sw_node, 0)}, 1, NULL, err);
    if (id < 0) return err->code;
    int merge = frost__graph_add_node(g, "dropout/cond/Merge", "Merge", FROST__OP_MERGE, 2,
                                      (int[]){frost__graph_out(g, mul, 0), frost__graph_out(g, id, 0)},
                                      2, NULL, err);
    if (merge < 0) return err->code;
    p.binary.fn = FROST__BIN_ADD;
    int add = frost__graph_add_node(g, "dense/BiasAdd", "BiasAdd", FROST__OP_BINARY, 2,
                                    (int[]){frost__graph_out(g, merge, 0), b}, 1, &p, err);
    if (add < 0) return err->code;
    memset(&p, 0, sizeof p);
    p.unary.fn = FROST__ACT_SIGMOID;
    int sig = frost__graph_add_node(g, "Sigmoid", "Sigmoid", FROST__OP_UNARY, 1,
                                    (int[]){frost__graph_out(g, add, 0)}, 1, &p, err);
    return sig < 0 ? err->code : FROST_OK;
}

static void reference(const float *x, int n, float *y) {
    for (int r = 0; r < n; r++)
        for (int j = 0; j < 3; j++) {
            double acc = B[j];
            for (int k = 0; k < 4; k++) acc += (double)x[r * 4 + k] * W[k * 3 + j];
            y[r * 3 + j] = (float)(1 / (1 + exp(-acc)));
        }
}

static frost_model *load(const frost_allocator *a, frost_error *err) {
    frost__graph g;
    if (build(&g, a, err) != FROST_OK) {
        frost__graph_free(&g);
        return NULL;
    }
    frost_model *m = NULL;
    frost__model_from_graph(&g, NULL, &m, err);
    return m;
}

static bool report_mentions(const frost_model *m, const char *needle) {
    for (int i = 0; i < frost_model_report_count(m); i++)
        if (strstr(frost_model_report_line(m, i), needle)) return true;
    return false;
}

static void test_load_cleans_training_branch(void) {
    frost_error err;
    frost_model *m = load(NULL, &err);
    if (!CHECK_MSG(m != NULL, "%s", err.message)) return;
    CHECK(frost_model_input_count(m) == 1);
    frost_tensor_info info;
    CHECK_OK(frost_model_input_info(m, 0, &info), NULL);
    CHECK(strcmp(info.name, "x") == 0 && info.rank == 2 && info.dims[0] == -1 && info.dims[1] == 4);
    CHECK(frost_model_output_count(m) == 1);
    CHECK_OK(frost_model_output_info(m, 0, &info), NULL);
    CHECK(strcmp(info.name, "Sigmoid") == 0);
    CHECK(report_mentions(m, "learning phase"));
    CHECK(report_mentions(m, "RandomUniform"));
    for (int i = 0; i < frost_model_node_count(m); i++) {
        frost_node_info ni;
        frost_model_node_info(m, i, &ni);
        CHECK_MSG(strcmp(ni.op, "Switch") && strcmp(ni.op, "Merge") && strcmp(ni.op, "RandomUniform"),
                  "node %s (%s) survived", ni.name, ni.op);
    }
    /* Names: node, tensor and the classic case trap. */
    CHECK_OK(frost_model_find(m, "Sigmoid", NULL, &err), &err);
    CHECK_OK(frost_model_find(m, "Sigmoid:0", NULL, &err), &err);
    CHECK_FAILS(frost_model_find(m, "sigmoid", NULL, &err), FROST_E_NOT_FOUND, &err, "'Sigmoid'");
    frost_model_free(m);
}

static void test_run_zero_alloc_and_batch(void) {
    frost_test_counting c;
    frost_test_counting_init(&c);
    frost_error err;
    frost_model *m = load(&c.a, &err);
    if (!CHECK_MSG(m != NULL, "%s", err.message)) return;
    frost_session *s = NULL;
    if (!CHECK_OK(frost_session_create(m, NULL, &s, &err), &err)) {
        frost_model_free(m);
        return;
    }
    float x[4 * 5], want[3 * 5];
    frost_test_seed(7);
    frost_test_fill(x, 20, -2, 2);
    reference(x, 5, want);
    CHECK_OK(frost_session_set_input(s, 0, x, 4 * sizeof(float), &err), &err);
    CHECK_OK(frost_session_run(s, &err), &err); /* first run: plan already done at create */
    long before = c.allocs;
    for (int i = 0; i < 1000; i++) {
        frost_session_set_input(s, 0, x, 4 * sizeof(float), NULL);
        frost_session_run(s, NULL);
    }
    CHECK_MSG(c.allocs == before, "%ld allocations in 1000 runs", c.allocs - before);
    frost_tensor_info oi;
    const float *y = frost_session_output_data(s, 0, &oi);
    CHECK(oi.rank == 2 && oi.dims[0] == 1 && oi.dims[1] == 3);
    frost_test_close(y, want, 3, 1e-6, 1e-5, "batch 1");

    /* Batch 5: one re-plan, done by frost_session_plan, then no allocations again: not even in
     * the first run after it. */
    CHECK_OK(frost_session_set_input_shape(s, 0, 2, (int64_t[]){5, 4}, &err), &err);
    CHECK(c.allocs == before); /* setting a shape never allocates */
    CHECK_OK(frost_session_plan(s, &err), &err);
    CHECK(c.allocs > before);
    before = c.allocs;
    CHECK_OK(frost_session_plan(s, &err), &err); /* nothing changed: nothing to do */
    CHECK(c.allocs == before);
    CHECK_OK(frost_session_set_input(s, 0, x, sizeof x, &err), &err);
    CHECK_OK(frost_session_run(s, &err), &err);
    CHECK(c.allocs == before);
    CHECK_FAILS(frost_session_plan(NULL, &err), FROST_E_INVALID_ARG, &err, "NULL");
    /* Cost of batch 5: one fused MatMul+BiasAdd+Sigmoid, 5x4 by 4x3. */
    const long live = c.allocs - c.frees;
    frost_cost cost;
    CHECK_OK(frost_session_cost(s, &cost, &err), &err);
    CHECK_MSG(cost.flops == 2.0 * 5 * 4 * 3, "flops %g", cost.flops); /* bias, sigmoid: fused */
    CHECK_MSG(cost.io_bytes == (5 * 4 + 5 * 3) * 4.0, "io bytes %g", cost.io_bytes);
    CHECK_MSG(cost.weight_bytes >= sizeof W + sizeof B, "weight bytes %g", cost.weight_bytes);
    CHECK(c.allocs - c.frees == live); /* its scratch was given back */
    before = c.allocs;
    CHECK_FAILS(frost_session_cost(s, NULL, &err), FROST_E_INVALID_ARG, &err, "NULL");
    CHECK_OK(frost_session_run(s, &err), &err);
    CHECK(c.allocs == before);
    y = frost_session_output_data(s, 0, &oi);
    CHECK(oi.dims[0] == 5);
    frost_test_close(y, want, 15, 1e-6, 1e-5, "batch 5");

    /* Bound buffers: zero copy in and out. */
    float out[15] = {0};
    CHECK_OK(frost_session_bind_input(s, 0, x, sizeof x, &err), &err);
    CHECK_OK(frost_session_bind_output(s, 0, out, sizeof out, &err), &err);
    CHECK_OK(frost_session_run(s, &err), &err);
    frost_test_close(out, want, 15, 1e-6, 1e-5, "bound buffers");
    CHECK_FAILS(frost_session_bind_output(s, 0, out, 4, &err), FROST_E_SHAPE, &err, "needs");
    /* frost_session_plan's warm run (one pass over the new plan) never writes a caller's buffer. */
    for (int i = 0; i < 15; i++) out[i] = 123.0f;
    CHECK_OK(frost_session_set_input_shape(s, 0, 2, (int64_t[]){2, 4}, &err), &err);
    CHECK_OK(frost_session_plan(s, &err), &err);
    bool untouched = true;
    for (int i = 0; i < 15; i++) untouched &= out[i] == 123.0f;
    CHECK_MSG(untouched, "frost_session_plan wrote into a bound output");
    CHECK_OK(frost_session_run(s, &err), &err);
    frost_test_close(out, want, 6, 1e-6, 1e-5, "batch 2, bound, after plan");

    /* Wrong shapes and sizes are refused with the name in the message. */
    CHECK_FAILS(frost_session_set_input_shape(s, 0, 2, (int64_t[]){5, 3}, &err), FROST_E_SHAPE, &err,
                "'x'");
    CHECK_FAILS(frost_session_set_input_shape(s, 0, 3, (int64_t[]){5, 4, 1}, &err), FROST_E_SHAPE,
                &err, "rank");
    CHECK_OK(frost_session_bind_input(s, 0, NULL, 0, &err), &err);
    CHECK_FAILS(frost_session_set_input(s, 0, x, 3, &err), FROST_E_SHAPE, &err, "bytes");
    frost_session_free(s);
    frost_model_free(m);
    CHECK_MSG(c.allocs == c.frees, "%ld allocations, %ld frees", c.allocs, c.frees);
}

static void test_threads(void) {
    frost_error err;
    frost_model *m = load(NULL, &err);
    if (!CHECK(m != NULL)) return;
    frost_session_options o = {.struct_size = sizeof o, .n_threads = 2, .spin_us = 10};
    frost_session *s = NULL;
    if (CHECK_OK(frost_session_create(m, &o, &s, &err), &err)) {
        float x[4 * 64], want[3 * 64];
        frost_test_fill(x, 256, -1, 1);
        reference(x, 64, want);
        CHECK_OK(frost_session_set_input_shape(s, 0, 2, (int64_t[]){64, 4}, &err), &err);
        CHECK_OK(frost_session_set_input(s, 0, x, sizeof x, &err), &err);
        CHECK_OK(frost_session_run(s, &err), &err);
        frost_test_close(frost_session_output_data(s, 0, NULL), want, 192, 1e-6, 1e-5, "2 threads");
    }
    frost_session_free(s);
    frost_model_free(m);
}

static void test_same_output_twice(void) {
    frost_error err;
    frost_model *m = load(NULL, &err);
    if (!CHECK(m != NULL)) return;
    const char *outs[] = {"Sigmoid", "Sigmoid:0"};
    frost_session_options o = {.struct_size = sizeof o, .outputs = outs, .n_outputs = 2};
    frost_session *s = NULL;
    if (CHECK_OK(frost_session_create(m, &o, &s, &err), &err)) {
        float x[4], want[3], a[3] = {0}, b[3] = {0};
        frost_test_fill(x, 4, -1, 1);
        reference(x, 1, want);
        CHECK_OK(frost_session_bind_output(s, 0, a, sizeof a, &err), &err);
        CHECK_OK(frost_session_bind_output(s, 1, b, sizeof b, &err), &err);
        CHECK_OK(frost_session_set_input(s, 0, x, sizeof x, &err), &err);
        CHECK_OK(frost_session_run(s, &err), &err);
        frost_test_close(a, want, 3, 1e-6, 1e-5, "first binding");
        frost_test_close(b, want, 3, 1e-6, 1e-5, "second binding of the same tensor");
    }
    frost_session_free(s);
    frost_model_free(m);
}

static void test_oom_injection(void) {
    /* Fail each allocation of load + session create in turn: every one must fail cleanly. */
    for (long k = 1; k < 400; k++) {
        frost_test_counting c;
        frost_test_counting_init(&c);
        c.fail_at = k;
        frost_error err;
        frost_model *m = load(&c.a, &err);
        frost_session *s = NULL;
        if (m) frost_session_create(m, NULL, &s, &err);
        bool done = m && s && c.calls < k;
        frost_session_free(s);
        frost_model_free(m);
        if (!CHECK_MSG(c.allocs == c.frees, "leak with allocation %ld failing", k)) break;
        if (done) break;
    }
}

static void test_bad_arguments(void) {
    frost_error err;
    frost_model *m = (frost_model *)1;
    CHECK_FAILS(frost_model_load_file(NULL, NULL, &m, &err), FROST_E_INVALID_ARG, &err, "path");
    CHECK(m == NULL);
    CHECK_FAILS(frost_model_load_file("/nonexistent/model.pb", NULL, &m, &err), FROST_E_IO, &err,
                "/nonexistent/model.pb");
    CHECK_FAILS(frost_model_load_memory("hello", 5, NULL, &m, &err), FROST_E_FORMAT, &err,
                "unrecognised");
    CHECK_FAILS(frost_session_run(NULL, &err), FROST_E_INVALID_ARG, &err, NULL);
    CHECK_FAILS(frost_session_create(NULL, NULL, NULL, &err), FROST_E_INVALID_ARG, &err, NULL);
    CHECK(frost_session_output_data(NULL, 0, NULL) == NULL);
    CHECK(frost_session_input_data(NULL, 0) == NULL);
    CHECK(frost_model_input_count(NULL) == 0);
    frost_model_free(NULL);
    frost_session_free(NULL);
    CHECK(strcmp(frost_status_name(FROST_E_FORMAT), "FROST_E_FORMAT") == 0);
    CHECK(strcmp(frost_dtype_name(FROST_DTYPE_F32), "f32") == 0);
}

/* Dense layers fed by a ReLU get the GEMM variant that skips zero inputs (the expert's two, after
 * Conv+Relu -> MaxPool -> Transpose -> Flatten and after Gemm+Relu); one fed by the graph input (the
 * beginner's) keeps the plain family. */
static int zero_skipping_matmuls(const char *file) {
    frost_error err;
    frost_model *m = NULL;
    if (!CHECK_OK(frost_model_load_file(file, NULL, &m, &err), &err)) return -1;
    int n = 0;
    const frost__gemm_kernel *plain = frost__gemm_pick(NULL);
    for (int i = 0; i < m->g.n_nodes; i++) {
        const frost__node *nd = &m->g.nodes[i];
        if (nd->op != FROST__OP_MATMUL || !nd->kernel) continue;
        if (nd->kernel == frost__gemm_for_zero_rich_input(plain) && nd->kernel != plain) n++;
    }
    frost_model_free(m);
    return n;
}

static void test_zero_rich_inputs(void) {
    const frost__gemm_kernel *plain = frost__gemm_pick(NULL);
    const bool has_variant = frost__gemm_for_zero_rich_input(plain) != plain;
    const int expert = zero_skipping_matmuls(FROST_SOURCE_DIR "/models/fashion/expert.onnx");
    const int beginner = zero_skipping_matmuls(FROST_SOURCE_DIR "/models/fashion/beginner.onnx");
    CHECK_MSG(expert == (has_variant ? 2 : 0), "expert: %d zero-skipping dense layers", expert);
    CHECK_MSG(beginner == 0, "beginner: %d zero-skipping dense layers", beginner);
}

int main(void) {
    test_load_cleans_training_branch();
    test_run_zero_alloc_and_batch();
    test_threads();
    test_same_output_twice();
    test_oom_injection();
    test_bad_arguments();
    test_zero_rich_inputs();
    return frost_test_finish();
}
