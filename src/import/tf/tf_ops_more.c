/* tf_ops_more.c — TF ops that published TF.js graph models use beyond tf_ops.c's table (face,
 * hand and body detectors and landmark models, segmenters, classifiers): each row maps one TF op
 * to canonical ops with every attribute honoured, or refuses the attribute values it cannot honour
 * by turning the node UNSUPPORTED with the reason. Fails only on malformed nodes, naming them. */
#include <stdio.h>
#include <string.h>

#include "import/tf/tf_build.h"

/* Prelu(x, alpha) = x < 0 ? alpha * x : x, alpha broadcast against x. */
static frost_status b_prelu(frost__tf_node *c, const frost__tf_op_row *e) {
    (void)e;
    frost__params p;
    memset(&p, 0, sizeof p);
    p.binary.fn = FROST__BIN_PRELU;
    return frost__tf_emit(c, frost__tf_add_node(c, c->nd->name, FROST__OP_BINARY, 2, c->in, 1, &p));
}

/* DepthToSpace (fn 0) and SpaceToDepth (fn 1): block_size; NCHW through transposes. */
static frost_status b_space(frost__tf_node *c, const frost__tf_op_row *e) {
    frost__tf_layout lay = frost__tf_data_format(c);
    if (lay == FROST__TF_OTHER_LAYOUT) return frost__tf_unsupported(c, "data_format not NHWC/NCHW");
    int64_t block = frost__tf_attr_int(c, "block_size", -1);
    if (block < 2 || block > 4096)
        return frost__tf_bad_node(c, "block_size is %lld (must be at least 2)", (long long)block);
    frost__params p;
    memset(&p, 0, sizeof p);
    p.space.block = (int)block;
    int x = c->in[0];
    if (lay == FROST__TF_NCHW && (x = frost__tf_to_nhwc(c, x)) < 0) return c->err->code;
    char name[600];
    const char *nm = lay == FROST__TF_NHWC ? c->nd->name : frost__tf_sub_name(c, "nhwc", name, sizeof name);
    int id = frost__tf_add_node(c, nm, e->fn ? FROST__OP_SPACE_TO_DEPTH : FROST__OP_DEPTH_TO_SPACE,
                                1, &x, 1, &p);
    return frost__tf_emit_layout_value(c, lay, frost__tf_out0(c, id));
}

/* Checks a constant operand of SpaceToBatchND / BatchToSpaceND at import: block_shape 1-D of
 * entries >= 1, paddings / crops [M, 2] of entries >= 0. An operand computed in the graph (from
 * shapes) is checked by the op when planning. */
static frost_status check_space_batch_operand(frost__tf_node *c, int v, bool is_block) {
    const frost__value *val = &c->g->values[v];
    const char *what = is_block ? "block_shape" : !strncmp(c->nd->op, "Space", 5) ? "paddings" : "crops";
    if (val->kind != FROST__VAL_CONST) return FROST_OK;
    if (!frost__dtype_is_int(val->dtype))
        return frost__tf_bad_node(c, "%s is %s, not an integer tensor", what,
                                  frost_dtype_name(val->dtype));
    if (is_block ? val->shape.rank != 1 || val->shape.d[0] < 1 || val->shape.d[0] > FROST_MAX_RANK - 1
                 : val->shape.rank != 2 || val->shape.d[1] != 2)
    {
        char shape[96];
        return frost__tf_bad_node(c, "%s has shape %s, expected %s", what,
                                  frost__shape_str(&val->shape, shape, sizeof shape),
                                  is_block ? "[M] with 1 <= M <= 7" : "[M, 2]");
    }
    int64_t cnt = frost__shape_numel(&val->shape);
    for (int64_t i = 0; i < cnt; i++) {
        int64_t x = frost__read_int(val->dtype, val->data, i);
        if (is_block ? x < 1 : x < 0)
            return frost__tf_bad_node(c, "%s holds %lld (must be %s)", what, (long long)x,
                                      is_block ? ">= 1" : ">= 0");
    }
    return FROST_OK;
}

/* SpaceToBatchND(input, block_shape, paddings) (fn 0), BatchToSpaceND(input, block_shape, crops)
 * (fn 1), and their old 4-D forms SpaceToBatch(input, paddings) / BatchToSpace(input, crops) with
 * a block_size attribute (fn 2, 3) for both spatial dims. A dilated convolution's pair is folded
 * away by passes/dilated_conv.c; what is left runs as SPACE_TO_BATCH / BATCH_TO_SPACE. */
static frost_status b_space_batch(frost__tf_node *c, const frost__tf_op_row *e) {
    int in[3] = {c->in[0], -1, -1};
    if (e->fn >= 2) {
        int64_t bs = frost__tf_attr_int(c, "block_size", -1);
        if (bs < 1 || bs > INT32_MAX)
            return frost__tf_bad_node(c, "block_size is %lld (must be >= 1)", (long long)bs);
        const int64_t block[2] = {bs, bs};
        if ((in[1] = frost__tf_add_ints(c, "block_shape", FROST_DTYPE_I64, block, 2, false)) < 0)
            return c->err->code;
        in[2] = c->in[1];
    } else {
        in[1] = c->in[1];
        in[2] = c->in[2];
        FROST_TRY(check_space_batch_operand(c, in[1], true));
    }
    FROST_TRY(check_space_batch_operand(c, in[2], false));
    const frost__value *b = &c->g->values[in[1]], *p = &c->g->values[in[2]];
    if (b->kind == FROST__VAL_CONST && p->kind == FROST__VAL_CONST && p->shape.d[0] != b->shape.d[0])
        return frost__tf_bad_node(c, "block_shape has %lld entries but %s has %lld rows",
                                  (long long)b->shape.d[0], e->fn & 1 ? "crops" : "paddings",
                                  (long long)p->shape.d[0]);
    int op = e->fn & 1 ? FROST__OP_BATCH_TO_SPACE : FROST__OP_SPACE_TO_BATCH;
    return frost__tf_emit(c, frost__tf_add_node(c, c->nd->name, op, 3, in, 1, NULL));
}

/* TopKV2(input, k) (fn 0) and TopK(input) with attribute k (fn 1): values and indices, largest
 * first. index_type (newer TF) says the indices' dtype; int32 otherwise. */
static frost_status b_top_k(frost__tf_node *c, const frost__tf_op_row *e) {
    frost__params p;
    memset(&p, 0, sizeof p);
    p.top_k.largest = true;
    int t = frost__tf_attr_type(c, "index_type");
    frost_dtype dt = t < 0 ? FROST_DTYPE_I32 : frost__tf_dtype(t);
    if (dt != FROST_DTYPE_I32 && dt != FROST_DTYPE_I64) return frost__tf_unsupported(c, "index_type");
    p.top_k.out_dtype = dt;
    int in[2] = {c->in[0], e->fn ? -1 : c->in[1]};
    if (e->fn) {
        int64_t k = frost__tf_attr_int(c, "k", -1);
        if (k < 0) return frost__tf_bad_node(c, "attribute k is %lld", (long long)k);
        if ((in[1] = frost__tf_add_ints(c, "k", FROST_DTYPE_I32, &k, 1, true)) < 0)
            return c->err->code;
    }
    return frost__tf_emit(c, frost__tf_add_node(c, c->nd->name, FROST__OP_TOP_K, 2, in, 2, &p));
}

static frost_status b_gather_nd(frost__tf_node *c, const frost__tf_op_row *e) {
    (void)e;
    return frost__tf_emit(c, frost__tf_add_node(c, c->nd->name, FROST__OP_GATHER_ND, 2, c->in, 1, NULL));
}

/* SparseToDense(sparse_indices, output_shape, sparse_values, default_value). validate_indices
 * (sorted, no repeats) is not checked, as in TF.js: a repeated index keeps the later value. */
static frost_status b_sparse_to_dense(frost__tf_node *c, const frost__tf_op_row *e) {
    (void)e;
    return frost__tf_emit(c, frost__tf_add_node(c, c->nd->name, FROST__OP_SPARSE_TO_DENSE, 4, c->in,
                                                1, NULL));
}

/* Atan2(y, x), the angle of (x, y) in [-pi, pi], from canonical ops: atan(y / x), plus pi with
 * y's sign when x < 0, and 0 when both are 0 (where y / x is NaN). */
static frost_status b_atan2(frost__tf_node *c, const frost__tf_op_row *e) {
    (void)e;
    int y = c->in[0], x = c->in[1];
    char name[600];
    int id;
#define NODE(tag, op, n_in, in, params)                                                            (id = frost__tf_add_node(c, frost__tf_sub_name(c, tag, name, sizeof name), op, n_in, in, 1,                              params),                                                               frost__tf_out0(c, id))
    frost__params p;
    int t = frost__tf_attr_type(c, "T");
    frost_dtype dt = t < 0 ? FROST_DTYPE_F32 : frost__tf_dtype(t);
    if (dt != FROST_DTYPE_F32 && dt != FROST_DTYPE_F64) return frost__tf_unsupported(c, "T not float");
    int consts[3];
    static const double values[3] = {0.0, 3.14159265358979323846, -3.14159265358979323846};
    static const char *const tags[3] = {"zero", "pi", "minus_pi"};
    for (int k = 0; k < 3; k++) {
        float f = (float)values[k];
        frost__shape scalar = frost__shape_make(0, NULL);
        consts[k] = frost__graph_add_const(c->g, frost__tf_sub_name(c, tags[k], name, sizeof name), dt,
                                           &scalar, dt == FROST_DTYPE_F32 ? (const void *)&f
                                                                          : (const void *)&values[k],
                                           frost_dtype_size(dt), c->err);
        if (consts[k] < 0) return c->err->code;
    }
    memset(&p, 0, sizeof p);
    p.binary.fn = FROST__BIN_DIV;
    int div_in[2] = {y, x};
    int q = NODE("ratio", FROST__OP_BINARY, 2, div_in, &p);
    memset(&p, 0, sizeof p);
    p.unary.fn = FROST__UN_ATAN;
    int a = q < 0 ? -1 : NODE("atan", FROST__OP_UNARY, 1, &q, &p);
    memset(&p, 0, sizeof p);
    p.binary.fn = FROST__BIN_LESS;
    int xl_in[2] = {x, consts[0]}, yl_in[2] = {y, consts[0]};
    int x_neg = a < 0 ? -1 : NODE("x_negative", FROST__OP_BINARY, 2, xl_in, &p);
    int y_neg = x_neg < 0 ? -1 : NODE("y_negative", FROST__OP_BINARY, 2, yl_in, &p);
    p.binary.fn = FROST__BIN_EQUAL;
    int x_zero = y_neg < 0 ? -1 : NODE("x_zero", FROST__OP_BINARY, 2, xl_in, &p);
    int y_zero = x_zero < 0 ? -1 : NODE("y_zero", FROST__OP_BINARY, 2, yl_in, &p);
    p.binary.fn = FROST__BIN_AND;
    int both_in[2] = {x_zero, y_zero};
    int both = y_zero < 0 ? -1 : NODE("both_zero", FROST__OP_BINARY, 2, both_in, &p);
    int sel1_in[3] = {y_neg, consts[2], consts[1]};
    int half_turn = both < 0 ? -1 : NODE("half_turn", FROST__OP_SELECT, 3, sel1_in, NULL);
    int sel2_in[3] = {x_neg, half_turn, consts[0]};
    int shift = half_turn < 0 ? -1 : NODE("shift", FROST__OP_SELECT, 3, sel2_in, NULL);
    memset(&p, 0, sizeof p);
    p.binary.fn = FROST__BIN_ADD;
    int sum_in[2] = {a, shift};
    int sum = shift < 0 ? -1 : NODE("sum", FROST__OP_BINARY, 2, sum_in, &p);
#undef NODE
    if (sum < 0) return c->err->code;
    int out_in[3] = {both, consts[0], sum};
    return frost__tf_emit(c, frost__tf_add_node(c, c->nd->name, FROST__OP_SELECT, 3, out_in, 1, NULL));
}

/* Where(x): coordinates of the true elements; int64 in TF, int32 in TF.js (which has no int64). */
static frost_status b_where(frost__tf_node *c, const frost__tf_op_row *e) {
    (void)e;
    frost__params p;
    memset(&p, 0, sizeof p);
    p.where.out_dtype = c->g->format == FROST_FORMAT_TFJS_GRAPH ? FROST_DTYPE_I32 : FROST_DTYPE_I64;
    return frost__tf_emit(c, frost__tf_add_node(c, c->nd->name, FROST__OP_WHERE, 1, c->in, 1, &p));
}

/* NonMaxSuppressionV2..V5 (fn = version): only the padded form (V4/V5 with
 * pad_to_max_output_size) has a shape known before running. TF's outputs: V4 selected_indices,
 * valid_outputs; V5 selected_indices, selected_scores, valid_outputs. */
static frost_status b_nms(frost__tf_node *c, const frost__tf_op_row *e) {
    if (e->fn < 4 || !frost__tf_attr_bool(c, "pad_to_max_output_size", false))
        return frost__tf_unsupported(c, "not padded to max_output_size: how many boxes it keeps "
                                        "depends on the data, and frost plans every shape before "
                                        "running");
    int in[6] = {c->in[0], c->in[1], c->in[2], c->in[3], c->in[4], e->fn == 5 ? c->in[5] : -1};
    if (e->fn == 5)
        return frost__tf_emit(c, frost__tf_add_node(c, c->nd->name, FROST__OP_NON_MAX_SUPPRESSION,
                                                    6, in, 3, NULL));
    /* V4 has no scores output: its port 1 is frost's output 2, so both ports are Identities
     * named like TF's ("<node>", and "<node>:1" as an alias). */
    char name[600];
    int id = frost__tf_add_node(c, frost__tf_sub_name(c, "nms", name, sizeof name),
                                FROST__OP_NON_MAX_SUPPRESSION, 6, in, 3, NULL);
    if (id < 0) return c->err->code;
    int indices = c->g->nodes[id].out[0], valid = c->g->nodes[id].out[2];
    int a = frost__tf_out0(c, frost__tf_add_node(c, c->nd->name, FROST__OP_IDENTITY, 1, &indices,
                                                 1, NULL));
    int b = a < 0 ? -1 : frost__tf_out0(c, frost__tf_add_node(c, frost__tf_sub_name(c, "1", name, sizeof name),
                                                                FROST__OP_IDENTITY, 1, &valid, 1, NULL));
    if (b < 0) return c->err->code;
    snprintf(name, sizeof name, "%s:1", c->nd->name);
    FROST_TRY(frost__graph_add_alias(c->g, name, b, c->err));
    c->out[0] = a;
    if (c->out_cap > 1) c->out[1] = b;
    c->n_out = FROST_MIN(2, c->out_cap);
    return FROST_OK;
}

frost_status frost__tf_int_matmul(frost__tf_node *c, const frost__params *p) {
    frost_dtype dt = frost__tf_dtype(frost__tf_attr_type(c, "T"));
    char name[600];
    frost__params cast;
    memset(&cast, 0, sizeof cast);
    cast.cast.to = FROST_DTYPE_F32;
    int a = frost__tf_out0(c, frost__tf_add_node(c, frost__tf_sub_name(c, "a_f32", name, sizeof name),
                                                  FROST__OP_CAST, 1, &c->in[0], 1, &cast));
    int b = a < 0 ? -1 : frost__tf_out0(c, frost__tf_add_node(c, frost__tf_sub_name(c, "b_f32", name, sizeof name),
                                                                FROST__OP_CAST, 1, &c->in[1], 1, &cast));
    int in[2] = {a, b};
    int prod = b < 0 ? -1 : frost__tf_out0(c, frost__tf_add_node(c, frost__tf_sub_name(c, "f32", name, sizeof name),
                                                                   FROST__OP_MATMUL, 2, in, 1, p));
    if (prod < 0) return c->err->code;
    cast.cast.to = dt;
    return frost__tf_emit(c, frost__tf_add_node(c, c->nd->name, FROST__OP_CAST, 1, &prod, 1, &cast));
}

/* Ops frost knows and refuses, with the reason in the report. */
static const char *const refusals[] = {
    "tf.while_loop: dynamic control flow",
    "TensorList of a tf.while_loop: dynamic control flow",
    "TensorArray of a tf.while_loop: dynamic control flow",
};
static frost_status b_refuse(frost__tf_node *c, const frost__tf_op_row *e) {
    return frost__tf_unsupported(c, refusals[e->fn]);
}
#define REFUSE(name, why) {name, b_refuse, why, 0, FROST__TF_ANY_INPUTS, 0}

const frost__tf_op_row frost__tf_more_ops[] = {
    {"Prelu", b_prelu, 0, 2, 2, 0},
    {"DepthToSpace", b_space, 0, 1, 1, 0},
    {"SpaceToDepth", b_space, 1, 1, 1, 0},
    {"SpaceToBatchND", b_space_batch, 0, 3, 3, 0},
    {"BatchToSpaceND", b_space_batch, 1, 3, 3, 0},
    {"SpaceToBatch", b_space_batch, 2, 2, 2, 0},
    {"BatchToSpace", b_space_batch, 3, 2, 2, 0},
    {"TopKV2", b_top_k, 0, 2, 2, 0},
    {"TopK", b_top_k, 1, 1, 1, 0},
    {"GatherNd", b_gather_nd, 0, 2, 2, 0},
    {"SparseToDense", b_sparse_to_dense, 0, 4, 4, 0},
    {"Atan2", b_atan2, 0, 2, 2, 0},
    {"Where", b_where, 0, 1, 1, 0},
    {"NonMaxSuppressionV2", b_nms, 2, 4, 4, 1},
    {"NonMaxSuppressionV3", b_nms, 3, 5, 5, 1},
    {"NonMaxSuppressionV4", b_nms, 4, 5, 5, 2},
    {"NonMaxSuppressionV5", b_nms, 5, 6, 6, 3},
    REFUSE("While", 0), REFUSE("StatelessWhile", 0), REFUSE("Enter", 0), REFUSE("Exit", 0),
    REFUSE("NextIteration", 0), REFUSE("LoopCond", 0),
    REFUSE("EmptyTensorList", 1), REFUSE("TensorListReserve", 1), REFUSE("TensorListFromTensor", 1),
    REFUSE("TensorListGetItem", 1), REFUSE("TensorListSetItem", 1), REFUSE("TensorListStack", 1),
    REFUSE("TensorListGather", 1), REFUSE("TensorListScatter", 1), REFUSE("TensorListScatterV2", 1),
    REFUSE("TensorListPushBack", 1), REFUSE("TensorListPopBack", 1), REFUSE("TensorListLength", 1),
    REFUSE("TensorListConcat", 1), REFUSE("TensorListConcatV2", 1), REFUSE("TensorListSplit", 1),
    REFUSE("TensorListResize", 1), REFUSE("TensorListElementShape", 1),
    REFUSE("TensorArrayV3", 2), REFUSE("TensorArrayReadV3", 2), REFUSE("TensorArrayWriteV3", 2),
    REFUSE("TensorArrayGatherV3", 2), REFUSE("TensorArrayScatterV3", 2),
    REFUSE("TensorArraySizeV3", 2), REFUSE("TensorArrayConcatV3", 2), REFUSE("TensorArraySplitV3", 2),
    REFUSE("TensorArrayCloseV3", 2),
};
const size_t frost__tf_more_ops_count = FROST_ARRAY_LEN(frost__tf_more_ops);
