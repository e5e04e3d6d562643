/* test_onnx_import.c — the ONNX importer on models built here with protobuf-c: names, initializers
 * as defaulted inputs, symbolic dims, opset-dependent translations, and every kind of bad input the
 * issue lists (truncation, corruption, unknown domains, missing initializers, type and rank
 * mismatches, negative and overflowing dims, outputs nothing produces), which must give a clear
 * status naming the node and field and never crash or leak; and the op table's checks (an op at an
 * opset its rows do not cover, too many or too few inputs, too many outputs). */
#include "test.h"

#include <stdlib.h>
#include <string.h>

#include "core/graph.h"
#include "import/import.h"
#include "import/onnx/onnx_internal.h"

/* ---- Building models ------------------------------------------------------------------------ */

#define MAXN 16

typedef struct mb {
    FrostOnnx__ModelProto model;
    FrostOnnx__GraphProto graph;
    FrostOnnx__OperatorSetIdProto opset, *opsets[1];
    FrostOnnx__NodeProto nodes[MAXN], *node_ptrs[MAXN];
    char *node_in[MAXN][4], *node_out[MAXN][2];
    FrostOnnx__AttributeProto attrs[MAXN], *attr_ptrs[MAXN][1];
    FrostOnnx__TensorProto inits[MAXN], *init_ptrs[MAXN];
    FrostOnnx__ValueInfoProto ins[MAXN], outs[MAXN], *in_ptrs[MAXN], *out_ptrs[MAXN];
    FrostOnnx__TypeProto types[2 * MAXN];
    FrostOnnx__TypeProto__Tensor ttypes[2 * MAXN];
    FrostOnnx__TensorShapeProto shapes[2 * MAXN];
    FrostOnnx__TensorShapeProto__Dimension dims[2 * MAXN][4], *dim_ptrs[2 * MAXN][4];
    int n_types;
    float weights[MAXN][16];
    int64_t init_dims[MAXN][4];
} mb;

static void mb_init(mb *b, int64_t ir_version, int64_t opset) {
    memset(b, 0, sizeof *b);
    frost_onnx__model_proto__init(&b->model);
    frost_onnx__graph_proto__init(&b->graph);
    frost_onnx__operator_set_id_proto__init(&b->opset);
    b->model.has_ir_version = 1;
    b->model.ir_version = ir_version;
    b->opset.domain = "";
    b->opset.has_version = 1;
    b->opset.version = opset;
    b->opsets[0] = &b->opset;
    b->model.opset_import = b->opsets;
    b->model.n_opset_import = 1;
    b->model.graph = &b->graph;
    b->graph.name = "g";
    b->graph.node = b->node_ptrs;
    b->graph.initializer = b->init_ptrs;
    b->graph.input = b->in_ptrs;
    b->graph.output = b->out_ptrs;
}

/* A ValueInfo of float with dims (-2: the symbolic dim "batch"). */
static FrostOnnx__ValueInfoProto *mb_value(mb *b, FrostOnnx__ValueInfoProto *vi, const char *name,
                                           int elem, int rank, const int64_t *d) {
    int t = b->n_types++;
    frost_onnx__value_info_proto__init(vi);
    frost_onnx__type_proto__init(&b->types[t]);
    frost_onnx__type_proto__tensor__init(&b->ttypes[t]);
    frost_onnx__tensor_shape_proto__init(&b->shapes[t]);
    vi->name = (char *)name;
    vi->type = &b->types[t];
    b->types[t].tensor_type = &b->ttypes[t];
    b->ttypes[t].has_elem_type = 1;
    b->ttypes[t].elem_type = elem;
    if (rank >= 0) {
        b->ttypes[t].shape = &b->shapes[t];
        b->shapes[t].n_dim = (size_t)rank;
        b->shapes[t].dim = b->dim_ptrs[t];
        for (int i = 0; i < rank; i++) {
            FrostOnnx__TensorShapeProto__Dimension *dd = &b->dims[t][i];
            frost_onnx__tensor_shape_proto__dimension__init(dd);
            if (d[i] == -2) {
                dd->dim_param = "batch";
            } else {
                dd->has_dim_value = 1;
                dd->dim_value = d[i];
            }
            b->dim_ptrs[t][i] = dd;
        }
    }
    return vi;
}
static void mb_input(mb *b, const char *name, int rank, const int64_t *d) {
    size_t i = b->graph.n_input++;
    b->in_ptrs[i] = mb_value(b, &b->ins[i], name, 1, rank, d);
}
static void mb_output(mb *b, const char *name) {
    size_t i = b->graph.n_output++;
    b->out_ptrs[i] = mb_value(b, &b->outs[i], name, 1, -1, NULL);
}
static FrostOnnx__TensorProto *mb_init_f32(mb *b, const char *name, int rank, const int64_t *d) {
    size_t i = b->graph.n_initializer++;
    FrostOnnx__TensorProto *t = &b->inits[i];
    frost_onnx__tensor_proto__init(t);
    t->name = (char *)name;
    t->has_data_type = 1;
    t->data_type = 1;
    int64_t n = 1;
    for (int k = 0; k < rank; k++) {
        b->init_dims[i][k] = d[k];
        n *= d[k];
    }
    t->n_dims = (size_t)rank;
    t->dims = b->init_dims[i];
    for (int k = 0; k < n && k < 16; k++) b->weights[i][k] = 0.5f * (float)(k + 1);
    t->n_float_data = n > 0 && n <= 16 ? (size_t)n : 0;
    t->float_data = b->weights[i];
    b->init_ptrs[i] = t;
    return t;
}
static FrostOnnx__NodeProto *mb_node(mb *b, const char *op, const char *in0, const char *in1,
                                     const char *out) {
    size_t i = b->graph.n_node++;
    FrostOnnx__NodeProto *n = &b->nodes[i];
    frost_onnx__node_proto__init(n);
    n->op_type = (char *)op;
    n->input = b->node_in[i];
    n->output = b->node_out[i];
    if (in0) b->node_in[i][n->n_input++] = (char *)in0;
    if (in1) b->node_in[i][n->n_input++] = (char *)in1;
    b->node_out[i][n->n_output++] = (char *)out;
    b->node_ptrs[i] = n;
    return n;
}
static void mb_attr_i(mb *b, FrostOnnx__NodeProto *n, const char *name, int64_t v) {
    size_t i = (size_t)(n - b->nodes);
    FrostOnnx__AttributeProto *a = &b->attrs[i];
    frost_onnx__attribute_proto__init(a);
    a->name = (char *)name;
    a->has_type = 1;
    a->type = 2;
    a->has_i = 1;
    a->i = v;
    b->attr_ptrs[i][0] = a;
    n->attribute = b->attr_ptrs[i];
    n->n_attribute = 1;
}

static uint8_t *mb_pack(mb *b, size_t *size) {
    *size = frost_onnx__model_proto__get_packed_size(&b->model);
    uint8_t *buf = malloc(*size ? *size : 1);
    frost_onnx__model_proto__pack(&b->model, buf);
    return buf;
}

/* Imports bytes into a fresh graph; returns the status, graph freed unless keep. */
static frost_status import(const uint8_t *bytes, size_t size, frost__graph *g, frost_error *err,
                           bool keep) {
    frost__graph_init(g, NULL, err);
    frost_status st = frost__import_onnx(bytes, size, g, err);
    if (!keep) frost__graph_free(g);
    return st;
}

/* x [batch, 3] @ W [3, 2] -> y */
static void build_matmul(mb *b, int64_t ir) {
    mb_init(b, ir, 13);
    int64_t xd[2] = {-2, 3}, wd[2] = {3, 2};
    mb_input(b, "x", 2, xd);
    mb_init_f32(b, "W", 2, wd);
    mb_node(b, "MatMul", "x", "W", "y");
    mb_output(b, "y");
}

/* ---- Tests ---------------------------------------------------------------------------------- */

static void test_valid(void) {
    mb b;
    build_matmul(&b, 8);
    size_t size;
    uint8_t *bytes = mb_pack(&b, &size);
    frost__graph g;
    frost_error err;
    CHECK_OK(import(bytes, size, &g, &err, true), &err);
    CHECK(g.n_inputs == 1 && g.n_outputs == 1);
    int x = frost__graph_lookup(&g, "x"), w = frost__graph_lookup(&g, "W"), y = frost__graph_lookup(&g, "y");
    CHECK(x >= 0 && w >= 0 && y >= 0);
    if (x >= 0) {
        CHECK(g.values[x].kind == FROST__VAL_INPUT && g.values[x].dtype == FROST_DTYPE_F32);
        CHECK(g.values[x].shape.rank == 2 && g.values[x].shape.d[0] == -1 && g.values[x].shape.d[1] == 3);
    }
    if (w >= 0) CHECK(g.values[w].kind == FROST__VAL_CONST && ((float *)g.values[w].data)[5] == 3.0f);
    if (y >= 0) {
        CHECK(g.outputs[0] == y);
        int p = g.values[y].producer;
        CHECK(p >= 0 && g.nodes[p].op == FROST__OP_MATMUL && strcmp(g.nodes[p].src_op, "MatMul") == 0);
    }
    frost__graph_free(&g);
    free(bytes);
}

static void test_initializer_inputs(void) {
    /* IR >= 4: an initializer listed as an input is a weight by default (folded, packed)... */
    mb b;
    build_matmul(&b, 7);
    int64_t wd[2] = {3, 2};
    mb_input(&b, "W", 2, wd);
    size_t size;
    uint8_t *bytes = mb_pack(&b, &size);
    frost__graph g;
    frost_error err;
    CHECK_OK(import(bytes, size, &g, &err, true), &err);
    int w = frost__graph_lookup(&g, "W");
    CHECK(w >= 0 && g.values[w].kind == FROST__VAL_CONST && g.values[w].nbytes == 24);
    CHECK(g.n_inputs == 1);
    frost__graph_free(&g);
    /* ... and an overridable default when the caller asks (onnx_feedable_initializers). */
    frost__graph_init(&g, NULL, &err);
    g.onnx_feedable_initializers = true;
    CHECK_OK(frost__import_onnx(bytes, size, &g, &err), &err);
    w = frost__graph_lookup(&g, "W");
    CHECK(w >= 0 && g.values[w].kind == FROST__VAL_INPUT && g.values[w].has_default &&
          g.values[w].nbytes == 24);
    CHECK(g.n_inputs == 2);
    frost__graph_free(&g);
    free(bytes);
    /* IR 3: every initializer had to be listed, so they are weights. */
    b.model.ir_version = 3;
    bytes = mb_pack(&b, &size);
    CHECK_OK(import(bytes, size, &g, &err, true), &err);
    w = frost__graph_lookup(&g, "W");
    CHECK(w >= 0 && g.values[w].kind == FROST__VAL_CONST);
    CHECK(g.n_inputs == 1);
    frost__graph_free(&g);
    free(bytes);
    /* A declared type that contradicts the initializer. */
    b.model.ir_version = 7;
    b.ttypes[b.n_types - 1].elem_type = 7;
    bytes = mb_pack(&b, &size);
    CHECK_FAILS(import(bytes, size, &g, &err, false), FROST_E_FORMAT, &err, "declared");
    free(bytes);
    b.ttypes[b.n_types - 1].elem_type = 1;
    b.shapes[b.n_types - 1].n_dim = 1; /* rank 1 vs the initializer's 2 */
    bytes = mb_pack(&b, &size);
    CHECK_FAILS(import(bytes, size, &g, &err, false), FROST_E_FORMAT, &err, "shape");
    free(bytes);
    /* value_info about an initializer that contradicts it */
    build_matmul(&b, 8);
    FrostOnnx__ValueInfoProto vi, *vis[1] = {&vi};
    int64_t wrong[2] = {2, 3};
    mb_value(&b, &vi, "W", 1, 2, wrong);
    b.graph.value_info = vis;
    b.graph.n_value_info = 1;
    bytes = mb_pack(&b, &size);
    CHECK_FAILS(import(bytes, size, &g, &err, false), FROST_E_FORMAT, &err, "value_info 'W'");
    free(bytes);
    b.dims[b.n_types - 1][0].dim_value = 3;
    b.dims[b.n_types - 1][1].dim_value = 2;
    bytes = mb_pack(&b, &size);
    CHECK_OK(import(bytes, size, &g, &err, false), &err);
    free(bytes);
}

static void test_bad_tensors(void) {
    mb b;
    build_matmul(&b, 8);
    size_t size;
    uint8_t *bytes;
    frost__graph g;
    frost_error err;
    b.init_dims[0][0] = -3;
    bytes = mb_pack(&b, &size);
    CHECK_FAILS(import(bytes, size, &g, &err, false), FROST_E_FORMAT, &err, "negative");
    free(bytes);
    b.init_dims[0][0] = (int64_t)1 << 40;
    b.init_dims[0][1] = (int64_t)1 << 40;
    bytes = mb_pack(&b, &size);
    frost_status st = import(bytes, size, &g, &err, false);
    CHECK_MSG(st == FROST_E_FORMAT || st == FROST_E_LIMIT, "overflowing dims: %s", err.message);
    free(bytes);
    b.init_dims[0][0] = 3;
    b.init_dims[0][1] = 2;
    b.inits[0].n_float_data = 5; /* one value short */
    bytes = mb_pack(&b, &size);
    CHECK_FAILS(import(bytes, size, &g, &err, false), FROST_E_FORMAT, &err, "float_data");
    free(bytes);
    b.inits[0].n_float_data = 0;
    b.inits[0].has_raw_data = 1;
    b.inits[0].raw_data.len = 20;
    b.inits[0].raw_data.data = (uint8_t *)b.weights[0];
    bytes = mb_pack(&b, &size);
    CHECK_FAILS(import(bytes, size, &g, &err, false), FROST_E_FORMAT, &err, "raw_data");
    free(bytes);
    b.inits[0].raw_data.len = 24; /* raw_data: correct */
    bytes = mb_pack(&b, &size);
    CHECK_OK(import(bytes, size, &g, &err, false), &err);
    free(bytes);
    b.inits[0].has_data_location = 1;
    b.inits[0].data_location = 1;
    bytes = mb_pack(&b, &size);
    CHECK_FAILS(import(bytes, size, &g, &err, false), FROST_E_UNSUPPORTED, &err, "external");
    free(bytes);
    /* a negative dim in a graph input's declared shape */
    build_matmul(&b, 8);
    b.dims[0][1].dim_value = -5;
    bytes = mb_pack(&b, &size);
    CHECK_FAILS(import(bytes, size, &g, &err, false), FROST_E_FORMAT, &err, "dim_value");
    free(bytes);
}

static void test_bad_graphs(void) {
    mb b;
    size_t size;
    uint8_t *bytes;
    frost__graph g;
    frost_error err;
    /* an input nobody declares (a missing initializer) */
    build_matmul(&b, 8);
    b.node_in[0][1] = "W_missing";
    bytes = mb_pack(&b, &size);
    CHECK_FAILS(import(bytes, size, &g, &err, false), FROST_E_FORMAT, &err, "'W_missing'");
    CHECK(strcmp(err.op, "MatMul") == 0);
    free(bytes);
    /* an output nothing produces */
    build_matmul(&b, 8);
    mb_output(&b, "nowhere");
    bytes = mb_pack(&b, &size);
    CHECK_FAILS(import(bytes, size, &g, &err, false), FROST_E_FORMAT, &err, "'nowhere'");
    free(bytes);
    /* nodes out of order */
    build_matmul(&b, 8);
    mb_node(&b, "Relu", "y", NULL, "z");
    mb_output(&b, "z");
    FrostOnnx__NodeProto *first = b.node_ptrs[0];
    b.node_ptrs[0] = b.node_ptrs[1];
    b.node_ptrs[1] = first;
    bytes = mb_pack(&b, &size);
    CHECK_FAILS(import(bytes, size, &g, &err, false), FROST_E_FORMAT, &err, "later node");
    free(bytes);
    /* two nodes writing one tensor */
    build_matmul(&b, 8);
    mb_node(&b, "Relu", "x", NULL, "y");
    bytes = mb_pack(&b, &size);
    CHECK_FAILS(import(bytes, size, &g, &err, false), FROST_E_FORMAT, &err, "already produced");
    free(bytes);
    /* no graph at all */
    build_matmul(&b, 8);
    b.model.graph = NULL;
    bytes = mb_pack(&b, &size);
    CHECK_FAILS(import(bytes, size, &g, &err, false), FROST_E_FORMAT, &err, "no graph");
    free(bytes);
    /* a malformed attribute names the node and attribute */
    build_matmul(&b, 8);
    FrostOnnx__NodeProto *cv = mb_node(&b, "Concat", "y", "y", "z");
    (void)cv;
    mb_output(&b, "z");
    bytes = mb_pack(&b, &size);
    CHECK_FAILS(import(bytes, size, &g, &err, false), FROST_E_FORMAT, &err, "axis");
    free(bytes);
}

static void test_unsupported_all_at_once(void) {
    mb b;
    build_matmul(&b, 8);
    FrostOnnx__NodeProto *foo = mb_node(&b, "Foo", "y", NULL, "z");
    foo->domain = "com.example";
    mb_node(&b, "Bar", "z", NULL, "u");
    mb_output(&b, "u");
    size_t size;
    uint8_t *bytes = mb_pack(&b, &size);
    frost__graph g;
    frost_error err;
    CHECK_OK(import(bytes, size, &g, &err, true), &err);
    int z = frost__graph_lookup(&g, "z"), u = frost__graph_lookup(&g, "u");
    CHECK(z >= 0 && u >= 0);
    if (z >= 0 && u >= 0) {
        const frost__node *nz = &g.nodes[g.values[z].producer], *nu = &g.nodes[g.values[u].producer];
        CHECK(nz->op == FROST__OP_UNSUPPORTED && strcmp(nz->src_op, "com.example:Foo") == 0);
        CHECK(nu->op == FROST__OP_UNSUPPORTED && strcmp(nu->src_op, "Bar") == 0);
    }
    frost__graph_free(&g);
    frost_model *m = NULL;
    frost_status st = frost_model_load_memory(bytes, size, NULL, &m, &err);
    CHECK_FAILS(st, FROST_E_UNSUPPORTED, &err, "com.example:Foo");
    CHECK_MSG(strstr(err.message, "Bar") != NULL, "both ops reported: %s", err.message);
    CHECK(m == NULL);
    frost_model_free(m);
    free(bytes);
}

static void test_opset_translations(void) {
    /* Softmax before 13 on a rank-3 input at axis 1: flatten, softmax, reshape back. */
    mb b;
    mb_init(&b, 6, 11);
    int64_t xd[3] = {2, 3, 4};
    mb_input(&b, "x", 3, xd);
    FrostOnnx__NodeProto *sm = mb_node(&b, "Softmax", "x", NULL, "y");
    mb_attr_i(&b, sm, "axis", 1);
    mb_output(&b, "y");
    size_t size;
    uint8_t *bytes = mb_pack(&b, &size);
    frost__graph g;
    frost_error err;
    CHECK_OK(import(bytes, size, &g, &err, true), &err);
    int y = frost__graph_lookup(&g, "y");
    CHECK(y >= 0 && g.nodes[g.values[y].producer].op == FROST__OP_RESHAPE);
    bool has_flatten = false;
    for (int i = 0; i < g.n_nodes; i++) has_flatten = has_flatten || g.nodes[i].op == FROST__OP_FLATTEN;
    CHECK(has_flatten);
    frost__graph_free(&g);
    free(bytes);
    /* From 13 the axis is the normalized axis itself. */
    b.opset.version = 13;
    bytes = mb_pack(&b, &size);
    CHECK_OK(import(bytes, size, &g, &err, true), &err);
    y = frost__graph_lookup(&g, "y");
    CHECK(y >= 0 && g.nodes[g.values[y].producer].op == FROST__OP_SOFTMAX &&
          g.nodes[g.values[y].producer].p.softmax.axis == 1);
    frost__graph_free(&g);
    free(bytes);
    /* Squeeze axes: an attribute before 13 becomes a constant input. */
    mb_init(&b, 6, 11);
    int64_t sd[3] = {2, 1, 4};
    mb_input(&b, "x", 3, sd);
    FrostOnnx__NodeProto *sq = mb_node(&b, "Squeeze", "x", NULL, "y");
    FrostOnnx__AttributeProto *a = &b.attrs[0];
    frost_onnx__attribute_proto__init(a);
    int64_t axes[1] = {1};
    a->name = "axes";
    a->n_ints = 1;
    a->ints = axes;
    b.attr_ptrs[0][0] = a;
    sq->attribute = b.attr_ptrs[0];
    sq->n_attribute = 1;
    mb_output(&b, "y");
    bytes = mb_pack(&b, &size);
    CHECK_OK(import(bytes, size, &g, &err, true), &err);
    y = frost__graph_lookup(&g, "y");
    if (CHECK(y >= 0)) {
        const frost__node *n = &g.nodes[g.values[y].producer];
        CHECK(n->op == FROST__OP_SQUEEZE && n->n_in == 2 && g.values[n->in[1]].kind == FROST__VAL_CONST);
    }
    frost__graph_free(&g);
    free(bytes);
}

/* The op table: each op at the opsets its row covers, with the inputs and outputs it may have. */
static const frost__node *producer_of(const frost__graph *g, const char *name) {
    int v = frost__graph_lookup(g, name);
    return v >= 0 && g->values[v].producer >= 0 ? &g->nodes[g->values[v].producer] : NULL;
}

static void test_op_table(void) {
    mb b;
    size_t size;
    uint8_t *bytes;
    frost__graph g;
    frost_error err;
    frost_model *m = NULL;
    int64_t xd[2] = {2, 3};
    /* Mish exists from opset 18 and Tile-1 took other inputs: at opset 5 both are refused by
     * name, domain and opset, reported together. */
    mb_init(&b, 8, 5);
    mb_input(&b, "x", 2, xd);
    mb_node(&b, "Mish", "x", NULL, "y");
    mb_init_f32(&b, "reps", 1, (int64_t[]){2});
    mb_node(&b, "Tile", "y", "reps", "z");
    mb_output(&b, "z");
    bytes = mb_pack(&b, &size);
    CHECK_OK(import(bytes, size, &g, &err, true), &err);
    const frost__node *mish = producer_of(&g, "y"), *tile = producer_of(&g, "z");
    if (CHECK(mish && tile)) {
        CHECK(mish->op == FROST__OP_UNSUPPORTED && tile->op == FROST__OP_UNSUPPORTED);
        CHECK_MSG(strcmp(mish->src_op,
                         "Mish (ai.onnx opset 5; frost translates Mish from opset 18)") == 0,
                  "src_op '%s'", mish->src_op);
        CHECK_MSG(strstr(tile->src_op, "frost translates Tile from opset 6") != NULL, "src_op '%s'",
                  tile->src_op);
    }
    frost__graph_free(&g);
    CHECK_FAILS(frost_model_load_memory(bytes, size, NULL, &m, &err), FROST_E_UNSUPPORTED, &err,
                "Mish (ai.onnx opset 5;");
    CHECK_MSG(strstr(err.message, "Tile (ai.onnx opset 5;") != NULL, "both reported: %s",
              err.message);
    CHECK(m == NULL);
    free(bytes);
    /* The same model at opset 18 translates both. */
    b.opset.version = 18;
    bytes = mb_pack(&b, &size);
    CHECK_OK(import(bytes, size, &g, &err, true), &err);
    mish = producer_of(&g, "y");
    tile = producer_of(&g, "z");
    CHECK(mish && mish->op != FROST__OP_UNSUPPORTED && tile && tile->op == FROST__OP_TILE);
    frost__graph_free(&g);
    free(bytes);

    /* More inputs than the op has, fewer than it needs, more outputs: malformed, named. */
    mb_init(&b, 8, 13);
    mb_input(&b, "x", 2, xd);
    mb_node(&b, "Relu", "x", "x", "y");
    mb_output(&b, "y");
    bytes = mb_pack(&b, &size);
    CHECK_FAILS(import(bytes, size, &g, &err, false), FROST_E_FORMAT, &err,
                "has 2 inputs; Relu at ai.onnx opset 13 takes 1");
    CHECK(strcmp(err.op, "Relu") == 0);
    free(bytes);
    mb_init(&b, 8, 13);
    mb_input(&b, "x", 2, xd);
    mb_node(&b, "MatMul", "x", NULL, "y");
    mb_output(&b, "y");
    bytes = mb_pack(&b, &size);
    CHECK_FAILS(import(bytes, size, &g, &err, false), FROST_E_FORMAT, &err, "takes 2");
    free(bytes);
    mb_init(&b, 8, 13);
    mb_input(&b, "x", 2, xd);
    FrostOnnx__NodeProto *two_out = mb_node(&b, "Relu", "x", NULL, "y");
    b.node_out[0][two_out->n_output++] = "y2";
    mb_output(&b, "y");
    bytes = mb_pack(&b, &size);
    CHECK_FAILS(import(bytes, size, &g, &err, false), FROST_E_FORMAT, &err,
                "has 2 outputs; Relu at ai.onnx opset 13 has at most 1");
    free(bytes);
    /* Rows split where ONNX moved an operand: Unsqueeze takes its axes as input 1 from 13. */
    mb_init(&b, 8, 13);
    mb_input(&b, "x", 2, xd);
    mb_node(&b, "Unsqueeze", "x", NULL, "y");
    mb_output(&b, "y");
    bytes = mb_pack(&b, &size);
    CHECK_FAILS(import(bytes, size, &g, &err, false), FROST_E_FORMAT, &err,
                "Unsqueeze at ai.onnx opset 13 takes 2");
    free(bytes);

    /* Resize-18 sizes under a policy that changes them: refused, not resized to the wrong size. */
    mb_init(&b, 8, 18);
    int64_t x4[4] = {1, 1, 2, 2};
    mb_input(&b, "x", 4, x4);
    FrostOnnx__TensorProto *sizes = mb_init_f32(&b, "sizes", 1, (int64_t[]){4});
    static int64_t want_sizes[4] = {1, 1, 4, 6};
    sizes->data_type = 7;
    sizes->n_float_data = 0;
    sizes->n_int64_data = 4;
    sizes->int64_data = want_sizes;
    FrostOnnx__NodeProto *rs = mb_node(&b, "Resize", "x", "", "y");
    b.node_in[0][rs->n_input++] = "";
    b.node_in[0][rs->n_input++] = "sizes";
    FrostOnnx__AttributeProto *pol = &b.attrs[0];
    frost_onnx__attribute_proto__init(pol);
    pol->name = "keep_aspect_ratio_policy";
    pol->has_s = 1;
    pol->s.data = (uint8_t *)"not_larger";
    pol->s.len = strlen("not_larger");
    b.attr_ptrs[0][0] = pol;
    rs->attribute = b.attr_ptrs[0];
    rs->n_attribute = 1;
    mb_output(&b, "y");
    bytes = mb_pack(&b, &size);
    CHECK_OK(import(bytes, size, &g, &err, true), &err);
    const frost__node *resize = producer_of(&g, "y");
    CHECK(resize && resize->op == FROST__OP_UNSUPPORTED &&
          strcmp(resize->src_op, "Resize (keep_aspect_ratio_policy not_larger)") == 0);
    frost__graph_free(&g);
    free(bytes);
    /* The default policy (stretch) resizes to the sizes given. */
    rs->n_attribute = 0;
    bytes = mb_pack(&b, &size);
    CHECK_OK(import(bytes, size, &g, &err, true), &err);
    resize = producer_of(&g, "y");
    CHECK(resize && resize->op != FROST__OP_UNSUPPORTED);
    frost__graph_free(&g);
    free(bytes);

    /* Concat-1's axis defaults to 1. */
    mb_init(&b, 3, 3);
    mb_input(&b, "x", 2, xd);
    mb_node(&b, "Concat", "x", "x", "y");
    mb_output(&b, "y");
    bytes = mb_pack(&b, &size);
    CHECK_OK(import(bytes, size, &g, &err, true), &err);
    const frost__node *cat = producer_of(&g, "y");
    if (CHECK(cat && cat->op == FROST__OP_CONCAT && cat->n_in == 3)) {
        const frost__value *axis = &g.values[cat->in[2]];
        CHECK(axis->kind == FROST__VAL_CONST && ((const int64_t *)axis->data)[0] == 1);
        CHECK(g.values[cat->out[0]].shape.rank == 2 && g.values[cat->out[0]].shape.d[1] == 6);
    }
    frost__graph_free(&g);
    free(bytes);
}

/* Every prefix and many corruptions of a real model: a status, never a crash or a leak. */
static void test_truncation_and_corruption(void) {
    size_t size;
    void *orig = frost_test_read_file(frost_test_data("onnx/cnn_op13.onnx"), &size);
    if (!CHECK(orig != NULL)) return;
    uint8_t *buf = malloc(size);
    int ok = 0, failed = 0;
    for (size_t cut = 0; cut < size; cut += (cut < 256 ? 1 : 97)) {
        frost__graph g;
        frost_error err;
        frost_status st = import(orig, cut, &g, &err, false);
        if (st == FROST_OK) ok++;
        else failed++;
    }
    CHECK(failed > 0);
    frost_test_seed(42);
    for (int iter = 0; iter < 400; iter++) {
        memcpy(buf, orig, size);
        int flips = 1 + iter % 8;
        for (int f = 0; f < flips; f++) {
            size_t at = (size_t)frost_test_uniform(0, (float)size);
            if (at >= size) at = size - 1;
            buf[at] ^= (uint8_t)(1u << (iter % 8));
        }
        frost__graph g;
        frost_error err;
        frost_status st = import(buf, size, &g, &err, false);
        if (st == FROST_OK) ok++;
        else failed++;
        /* the whole pipeline too, on a few of them */
        if (iter % 20 == 0) {
            frost_model *m = NULL;
            if (frost_model_load_memory(buf, size, NULL, &m, &err) == FROST_OK) frost_model_free(m);
        }
    }
    printf("  truncated/corrupted models: %d imported, %d refused\n", ok, failed);
    CHECK(ok + failed > 0);
    free(buf);
    free(orig);
}


/* ---- If subgraphs from hostile files -------------------------------------------------------- */

/* One branch graph: out = Identity(src), packed into bytes (freed by the caller). */
typedef struct branch {
    FrostOnnx__GraphProto g;
    FrostOnnx__NodeProto n, *np[1];
    FrostOnnx__ValueInfoProto o, *op[1];
    char *in[1], *out[1];
} branch;

static uint8_t *pack_branch(branch *br, const char *src, const char *out, int n_outputs,
                            size_t *len) {
    frost_onnx__graph_proto__init(&br->g);
    frost_onnx__node_proto__init(&br->n);
    frost_onnx__value_info_proto__init(&br->o);
    br->in[0] = (char *)src;
    br->out[0] = (char *)out;
    br->n.op_type = "Identity";
    br->n.input = br->in;
    br->n.n_input = 1;
    br->n.output = br->out;
    br->n.n_output = 1;
    br->np[0] = &br->n;
    br->g.node = br->np;
    br->g.n_node = 1;
    br->o.name = (char *)out;
    br->op[0] = &br->o;
    br->g.output = br->op;
    br->g.n_output = (size_t)n_outputs;
    *len = frost_onnx__graph_proto__get_packed_size(&br->g);
    uint8_t *buf = malloc(*len ? *len : 1);
    frost_onnx__graph_proto__pack(&br->g, buf);
    return buf;
}

/* x, c (bool input) -> If(c) with the given branch bytes -> y. */
static frost_status import_if(const uint8_t *then_b, size_t then_n, const uint8_t *else_b,
                              size_t else_n, frost_error *err) {
    mb b;
    mb_init(&b, 8, 13);
    int64_t xd[1] = {2};
    mb_input(&b, "x", 1, xd);
    mb_input(&b, "c", 0, NULL);
    b.ins[1].type->tensor_type->elem_type = 9; /* bool */
    FrostOnnx__NodeProto *n = mb_node(&b, "If", "c", NULL, "y");
    FrostOnnx__AttributeProto at[2], *ap[2];
    const char *names[2] = {"then_branch", "else_branch"};
    const uint8_t *bytes[2] = {then_b, else_b};
    size_t lens[2] = {then_n, else_n};
    int na = 0;
    for (int k = 0; k < 2; k++) {
        if (!bytes[k]) continue;
        frost_onnx__attribute_proto__init(&at[na]);
        at[na].name = (char *)names[k];
        at[na].has_g = 1;
        at[na].g.data = (uint8_t *)bytes[k];
        at[na].g.len = lens[k];
        ap[na] = &at[na];
        na++;
    }
    n->attribute = ap;
    n->n_attribute = (size_t)na;
    mb_output(&b, "y");
    size_t size;
    uint8_t *buf = mb_pack(&b, &size);
    frost__graph g;
    frost_status st = import(buf, size, &g, err, false);
    free(buf);
    return st;
}

static void test_if_subgraphs(void) {
    frost_error err;
    branch t, e;
    size_t tn, en;
    uint8_t *tb = pack_branch(&t, "x", "t_out", 1, &tn), *eb = pack_branch(&e, "x", "e_out", 1, &en);
    CHECK_OK(import_if(tb, tn, eb, en, &err), &err);
    CHECK_FAILS(import_if(tb, tn, NULL, 0, &err), FROST_E_FORMAT, &err,
                "needs graph attributes then_branch and else_branch");
    static const uint8_t garbage[] = {0xff, 0xff, 0xff, 0x07};
    CHECK_FAILS(import_if(tb, tn, garbage, sizeof garbage, &err), FROST_E_FORMAT, &err,
                "attribute 'else_branch' is not a valid GraphProto");
    /* A branch output nothing produces; a branch reading the If's own output (a cycle). */
    branch bad;
    size_t bn;
    uint8_t *bb = pack_branch(&bad, "x", "e_out", 1, &bn);
    bad.o.name = "nowhere";
    free(bb);
    bn = frost_onnx__graph_proto__get_packed_size(&bad.g);
    bb = malloc(bn);
    frost_onnx__graph_proto__pack(&bad.g, bb);
    CHECK_FAILS(import_if(tb, tn, bb, bn, &err), FROST_E_FORMAT, &err, "'nowhere' of its else_branch");
    free(bb);
    bb = pack_branch(&bad, "y", "e_out", 1, &bn);
    CHECK_FAILS(import_if(tb, tn, bb, bn, &err), FROST_E_FORMAT, &err, "input 0 'y'");
    free(bb);
    bb = pack_branch(&bad, "x", "e_out", 0, &bn);
    CHECK_FAILS(import_if(tb, tn, bb, bn, &err), FROST_E_FORMAT, &err, "its else_branch 0");
    free(bb);
    /* Subgraphs nested 20 deep: refused by the depth limit, never by the stack. */
    uint8_t *inner = pack_branch(&bad, "x", "o", 1, &bn);
    for (int level = 0; level < 20; level++) {
        FrostOnnx__GraphProto g;
        FrostOnnx__NodeProto n, *np[1] = {&n};
        FrostOnnx__AttributeProto a[2], *ap[2] = {&a[0], &a[1]};
        FrostOnnx__ValueInfoProto o, *op[1] = {&o};
        char *in[1] = {"c"}, *out[1] = {"o"};
        frost_onnx__graph_proto__init(&g);
        frost_onnx__node_proto__init(&n);
        frost_onnx__value_info_proto__init(&o);
        n.op_type = "If";
        n.input = in;
        n.n_input = 1;
        n.output = out;
        n.n_output = 1;
        for (int k = 0; k < 2; k++) {
            frost_onnx__attribute_proto__init(&a[k]);
            a[k].name = k ? "else_branch" : "then_branch";
            a[k].has_g = 1;
            a[k].g.data = inner;
            a[k].g.len = bn;
        }
        n.attribute = ap;
        n.n_attribute = 2;
        g.node = np;
        g.n_node = 1;
        o.name = "o";
        g.output = op;
        g.n_output = 1;
        size_t len = frost_onnx__graph_proto__get_packed_size(&g);
        uint8_t *outer = malloc(len);
        frost_onnx__graph_proto__pack(&g, outer);
        free(inner);
        inner = outer;
        bn = len;
    }
    CHECK_FAILS(import_if(inner, bn, inner, bn, &err), FROST_E_LIMIT, &err,
                "subgraphs nest deeper than 16 levels");
    free(inner);
    free(tb);
    free(eb);
}

int main(void) {
    test_valid();
    test_initializer_inputs();
    test_bad_tensors();
    test_bad_graphs();
    test_unsupported_all_at_once();
    test_opset_translations();
    test_op_table();
    test_truncation_and_corruption();
    test_if_subgraphs();
    return frost_test_finish();
}
