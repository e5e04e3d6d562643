/* test_tf_import.c — the TF GraphDef importer on well-formed handcrafted graphs (tests/data/tf/,
 * made by scripts/gen_tf_fixtures.sh): constants of every dtype and encoding, placeholders and
 * defaults, name resolution (ports, control inputs, out-of-order nodes), and the IR each op
 * becomes. Checks the graph the importer builds, before any pass runs. */
#include <stdlib.h>

#include "import/import.h"
#include "test.h"

static frost_status import_fixture(const char *rel, frost__graph *g, frost_error *err) {
    size_t n = 0;
    void *buf = frost_test_read_file(frost_test_data(rel), &n);
    frost__graph_init(g, NULL, err);
    if (!buf) {
        CHECK_MSG(false, "fixture %s is missing", rel);
        return FROST_E_IO;
    }
    frost_status st = frost__import_tf_graphdef(buf, n, g, err);
    free(buf);
    return st;
}

static const frost__value *val(const frost__graph *g, const char *name) {
    int v = frost__graph_lookup(g, name);
    CHECK_MSG(v >= 0, "no value named '%s'", name);
    return v >= 0 ? &g->values[v] : NULL;
}

static const frost__node *node_of(const frost__graph *g, const char *name) {
    int v = frost__graph_lookup(g, name);
    if (v < 0 || g->values[v].producer < 0) {
        CHECK_MSG(false, "no node produces '%s'", name);
        return NULL;
    }
    return &g->nodes[g->values[v].producer];
}

static bool shape_is(const frost__shape *s, int rank, const int64_t *d) {
    if (s->rank != rank) return false;
    for (int i = 0; i < rank; i++)
        if (s->d[i] != d[i]) return false;
    return true;
}

/* Every node reads only values made before it: the importer sorted the GraphDef. */
static void check_topological(const frost__graph *g) {
    for (int i = 0; i < g->n_nodes; i++)
        for (int k = 0; k < g->nodes[i].n_in; k++) {
            int v = g->nodes[i].in[k];
            if (v < 0) continue;
            CHECK_MSG(g->values[v].producer < i, "node %s reads a later node's output",
                      g->nodes[i].name);
        }
}

static void test_mlp(void) {
    frost__graph g;
    frost_error err;
    CHECK_OK(import_fixture("tf/mlp.pb", &g, &err), &err);
    check_topological(&g);
    CHECK(g.format == FROST_FORMAT_TF_GRAPHDEF);
    CHECK(g.n_outputs == 0);
    CHECK(g.n_inputs == 1);
    const frost__value *x = val(&g, "x");
    const int64_t xd[2] = {-1, 3};
    CHECK(x && x->kind == FROST__VAL_INPUT && x->dtype == FROST_DTYPE_F32 &&
          shape_is(&x->shape, 2, xd));

    const frost__value *w = val(&g, "W");
    const float w_want[6] = {1, -1, 0.5f, 2, -2, 0.25f};
    const int64_t wd[2] = {3, 2};
    CHECK(w && w->kind == FROST__VAL_CONST && shape_is(&w->shape, 2, wd) && w->nbytes == 24 &&
          memcmp(w->data, w_want, 24) == 0);
    CHECK(w && ((uintptr_t)w->data & 63) == 0);
    const frost__value *b = val(&g, "b");
    CHECK(b && b->nbytes == 8 && ((float *)b->data)[0] == 0.5f && ((float *)b->data)[1] == 0.5f);
    const frost__value *v = val(&g, "V");
    CHECK(v && v->nbytes == 16 && ((float *)v->data)[3] == 4.0f);

    const frost__node *n = node_of(&g, "V/read");
    CHECK(n && n->op == FROST__OP_IDENTITY);
    n = node_of(&g, "pre");
    CHECK(n && n->op == FROST__OP_MATMUL && n->n_in == 2 &&
          n->in[0] == frost__graph_lookup(&g, "x") && !n->p.matmul.transpose_a &&
          !n->p.matmul.transpose_b);
    n = node_of(&g, "biased");
    CHECK(n && n->op == FROST__OP_BINARY && n->p.binary.fn == FROST__BIN_ADD &&
          !strcmp(n->src_op, "BiasAdd"));
    n = node_of(&g, "hidden");
    CHECK(n && n->op == FROST__OP_UNARY && n->p.unary.fn == FROST__ACT_RELU);
    n = node_of(&g, "logits");
    /* The control input ^init is not a data input. */
    CHECK(n && n->n_in == 2 && n->in[1] == frost__graph_lookup(&g, "V/read"));
    n = node_of(&g, "probs");
    CHECK(n && n->op == FROST__OP_SOFTMAX && n->p.softmax.axis == -1 && !n->p.softmax.log);
    CHECK(frost__graph_lookup(&g, "init") < 0); /* NoOp leaves nothing */
    for (int i = 0; i < g.n_nodes; i++) CHECK(g.nodes[i].op != FROST__OP_UNSUPPORTED);
    frost__graph_free(&g);
}

static void test_consts(void) {
    frost__graph g;
    frost_error err;
    CHECK_OK(import_fixture("tf/consts.pb", &g, &err), &err);
    const frost__value *c;
    c = val(&g, "f16");
    CHECK(c && c->dtype == FROST_DTYPE_F16 && c->nbytes == 4 &&
          ((uint16_t *)c->data)[0] == 0x3C00 && ((uint16_t *)c->data)[1] == 0xC000);
    c = val(&g, "bf16");
    CHECK(c && c->dtype == FROST_DTYPE_BF16 && c->nbytes == 6 &&
          ((uint16_t *)c->data)[2] == 0x3F80);
    c = val(&g, "i64");
    CHECK(c && c->dtype == FROST_DTYPE_I64 && ((int64_t *)c->data)[0] == -5 &&
          ((int64_t *)c->data)[1] == 8589934592LL && ((int64_t *)c->data)[2] == 7);
    c = val(&g, "i32_repeat");
    const int32_t rep[4] = {1, 2, 2, 2};
    CHECK(c && c->dtype == FROST_DTYPE_I32 && c->nbytes == 16 && memcmp(c->data, rep, 16) == 0);
    c = val(&g, "i8");
    CHECK(c && c->dtype == FROST_DTYPE_I8 && ((int8_t *)c->data)[0] == -128 &&
          ((int8_t *)c->data)[1] == 127);
    c = val(&g, "u8");
    CHECK(c && c->dtype == FROST_DTYPE_U8 && ((uint8_t *)c->data)[1] == 255);
    c = val(&g, "bool");
    CHECK(c && c->dtype == FROST_DTYPE_BOOL && c->nbytes == 3 && ((uint8_t *)c->data)[0] == 1 &&
          ((uint8_t *)c->data)[1] == 0 && ((uint8_t *)c->data)[2] == 1);
    c = val(&g, "f64");
    CHECK(c && c->dtype == FROST_DTYPE_F64 && c->shape.rank == 0 && ((double *)c->data)[0] == 2.5);
    c = val(&g, "zeros");
    const float z[4] = {0, 0, 0, 0};
    CHECK(c && c->nbytes == 16 && memcmp(c->data, z, 16) == 0);
    c = val(&g, "raw_i32");
    CHECK(c && ((int32_t *)c->data)[0] == 1 && ((int32_t *)c->data)[1] == -2);
    c = val(&g, "empty");
    const int64_t ed[2] = {0, 3};
    CHECK(c && c->nbytes == 0 && shape_is(&c->shape, 2, ed));
    c = val(&g, "u32");
    CHECK(c && c->dtype == FROST_DTYPE_U32 && ((uint32_t *)c->data)[0] == 4000000000u);
    c = val(&g, "u64");
    CHECK(c && c->dtype == FROST_DTYPE_U64 && ((uint64_t *)c->data)[0] == 18000000000000000000ull);
    c = val(&g, "i16");
    CHECK(c && c->dtype == FROST_DTYPE_I16 && ((int16_t *)c->data)[0] == -300);
    frost__graph_free(&g);
}

static void test_learning_phase(void) {
    frost__graph g;
    frost_error err;
    CHECK_OK(import_fixture("tf/learning_phase.pb", &g, &err), &err);
    check_topological(&g);
    const frost__value *lp = val(&g, "dropout/keras_learning_phase");
    CHECK(lp && lp->kind == FROST__VAL_INPUT && lp->has_default && lp->dtype == FROST_DTYPE_BOOL &&
          lp->shape.rank == 0 && lp->nbytes == 1 && ((uint8_t *)lp->data)[0] == 0);
    CHECK(g.n_inputs == 2);
    const frost__node *sw = node_of(&g, "cond/Switch");
    CHECK(sw && sw->op == FROST__OP_SWITCH && sw->n_in == 2 && sw->n_out == 2);
    const frost__node *mul = node_of(&g, "cond/mul");
    CHECK(sw && mul && mul->in[0] == sw->out[1]);
    CHECK(frost__graph_lookup(&g, "cond/Switch:1") == (sw ? sw->out[1] : -2));
    const frost__node *m = node_of(&g, "cond/Merge");
    CHECK(m && m->op == FROST__OP_MERGE && m->n_in == 2 && m->n_out == 2 && sw &&
          m->in[0] == sw->out[0]);
    const frost__node *noise = node_of(&g, "cond/noise");
    CHECK(noise && noise->op == FROST__OP_UNSUPPORTED && !strcmp(noise->src_op, "RandomUniform"));
    frost__graph_free(&g);
}

static void test_layout(void) {
    frost__graph g;
    frost_error err;
    CHECK_OK(import_fixture("tf/layout.pb", &g, &err), &err);
    check_topological(&g);
    const frost__node *n = node_of(&g, "conv_nhwc");
    CHECK(n && n->op == FROST__OP_CONV2D && n->p.conv.w.stride_h == 2 &&
          n->p.conv.w.stride_w == 2 && n->p.conv.w.dilation_h == 1 &&
          n->p.conv.w.padding == FROST__PAD_SAME_UPPER && n->p.conv.groups == 1);
    n = node_of(&g, "conv_nchw#nhwc");
    CHECK(n && n->op == FROST__OP_CONV2D && n->p.conv.w.stride_h == 2 && n->p.conv.w.stride_w == 2);
    CHECK(n && g.values[n->in[0]].producer >= 0 &&
          g.nodes[g.values[n->in[0]].producer].op == FROST__OP_TRANSPOSE);
    n = node_of(&g, "conv_nchw");
    CHECK(n && n->op == FROST__OP_TRANSPOSE && !strcmp(n->src_op, "Conv2D"));
    n = node_of(&g, "max_nchw#nhwc");
    CHECK(n && n->op == FROST__OP_POOL2D && n->p.pool.is_max && n->p.pool.k_h == 2 &&
          n->p.pool.k_w == 2 && n->p.pool.w.stride_h == 1 &&
          n->p.pool.w.padding == FROST__PAD_VALID);
    n = node_of(&g, "avg_nhwc");
    CHECK(n && n->op == FROST__OP_POOL2D && !n->p.pool.is_max && !n->p.pool.count_include_pad &&
          n->p.pool.w.stride_w == 2 && n->p.pool.w.padding == FROST__PAD_SAME_UPPER);
    n = node_of(&g, "bias_nchw");
    CHECK(n && n->op == FROST__OP_BINARY && g.values[n->in[1]].producer >= 0 &&
          g.nodes[g.values[n->in[1]].producer].op == FROST__OP_RESHAPE);
    frost__graph_free(&g);
}

static void test_misc_ops(void) {
    frost__graph g;
    frost_error err;
    CHECK_OK(import_fixture("tf/ops_misc.pb", &g, &err), &err);
    check_topological(&g);
    int x = frost__graph_lookup(&g, "x"), axis1 = frost__graph_lookup(&g, "axis1");
    const frost__node *n = node_of(&g, "concat");
    CHECK(n && n->op == FROST__OP_CONCAT && n->n_in == 3 && n->in[0] == x && n->in[2] == axis1);
    n = node_of(&g, "split");
    CHECK(n && n->op == FROST__OP_SPLIT && n->n_in == 2 && n->in[0] == x && n->in[1] == axis1 &&
          n->n_out == 3);
    n = node_of(&g, "splitv");
    CHECK(n && n->op == FROST__OP_SPLIT && n->n_in == 3 && n->in[0] == x && n->in[1] == axis1 &&
          n->in[2] == frost__graph_lookup(&g, "sizes") && n->n_out == 2);
    n = node_of(&g, "sq");
    CHECK(n && n->op == FROST__OP_SQUEEZE && n->n_in == 2 &&
          n->in[0] == frost__graph_lookup(&g, "split:2"));
    if (n && n->n_in == 2) {
        const frost__value *ax = &g.values[n->in[1]];
        CHECK(ax->kind == FROST__VAL_CONST && ax->dtype == FROST_DTYPE_I64 &&
              ((int64_t *)ax->data)[0] == 1);
    }
    n = node_of(&g, "gather");
    CHECK(n && n->op == FROST__OP_GATHER && n->n_in == 3 &&
          g.values[n->in[2]].kind == FROST__VAL_CONST && g.values[n->in[2]].shape.rank == 0);
    n = node_of(&g, "slice");
    CHECK(n && n->op == FROST__OP_SLICE && n->n_in == 3);
    if (n && n->n_in == 3) {
        const int64_t *starts = g.values[n->in[1]].data, *ends = g.values[n->in[2]].data;
        CHECK(starts[0] == 0 && starts[1] == 1 && ends[0] == INT64_MAX && ends[1] == 4);
    }
    const frost__node *idn1 = node_of(&g, "idn:1");
    n = node_of(&g, "after_idn");
    CHECK(idn1 && idn1->op == FROST__OP_IDENTITY && n && n->in[0] == idn1->out[0] &&
          idn1->in[0] == frost__graph_lookup(&g, "gather"));
    n = node_of(&g, "bn");
    CHECK(n && n->op == FROST__OP_BATCH_NORM && n->n_in == 5 && n->p.batch_norm.axis == -1 &&
          n->p.batch_norm.epsilon > 0.00099f && n->p.batch_norm.epsilon < 0.00101f);
    n = node_of(&g, "bn:1");
    CHECK(n && n->op == FROST__OP_UNSUPPORTED && strstr(n->src_op, "FusedBatchNormV3"));
    n = node_of(&g, "unpack");
    CHECK(n && n->op == FROST__OP_UNPACK && n->n_out == 2 && n->p.pack.axis == 0);
    n = node_of(&g, "argmax");
    CHECK(n && n->op == FROST__OP_ARG && n->p.arg.is_max && n->p.arg.out_dtype == FROST_DTYPE_I32 &&
          n->in[0] == frost__graph_lookup(&g, "unpack:1"));
    n = node_of(&g, "cast");
    CHECK(n && n->op == FROST__OP_CAST && n->p.cast.to == FROST_DTYPE_F32);
    n = node_of(&g, "shape");
    CHECK(n && n->op == FROST__OP_SHAPE && n->p.shape.out_dtype == FROST_DTYPE_I64);
    /* A tf.while_loop is not supported, but it is a loop, not a malformed cycle. */
    n = node_of(&g, "loop/Merge");
    CHECK(n && n->op == FROST__OP_UNSUPPORTED && strstr(n->src_op, "while_loop"));
    n = node_of(&g, "loop/NextIteration");
    CHECK(n && n->op == FROST__OP_UNSUPPORTED);
    frost__graph_free(&g);
}

/* Every allocation failure is reported as FROST_E_NOMEM and leaks nothing. */
static void test_out_of_memory(void) {
    size_t size = 0;
    void *buf = frost_test_read_file(frost_test_data("tf/ops_misc.pb"), &size);
    CHECK(buf != NULL);
    if (!buf) return;
    int failures = 0;
    for (long k = 1; k < 2000; k++) {
        frost_test_counting c;
        frost_test_counting_init(&c);
        c.fail_at = k;
        frost__graph g;
        frost_error err;
        frost__graph_init(&g, &c.a, &err);
        frost_status st = frost__import_tf_graphdef(buf, size, &g, &err);
        frost__graph_free(&g);
        long leaked = c.allocs - c.frees;
        CHECK_MSG(leaked == 0, "allocation %ld failing leaks %ld blocks", k, leaked);
        if (st == FROST_OK) break;
        if (st != FROST_E_NOMEM) {
            CHECK_MSG(false, "allocation %ld failing gives %s: %s", k, frost_status_name(st),
                      err.message);
            break;
        }
        failures++;
    }
    CHECK(failures > 50);
    free(buf);
}

int main(void) {
    test_mlp();
    test_consts();
    test_learning_phase();
    test_layout();
    test_misc_ops();
    test_out_of_memory();
    return frost_test_finish();
}
