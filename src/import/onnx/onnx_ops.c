/* onnx_ops.c — ONNX op_type -> builder: the table of every op of the default domain frost
 * translates, with the inputs and outputs a node may have and the opsets each row covers, and the
 * dispatch that checks a node against its row before the row's builder (onnx_ops_*.c) runs.
 *
 * An op's row covers the opsets whose definition of the op its builder implements: from the
 * opset that introduced it (or the first one frost reads the same way) on, split where ONNX
 * changed the op's inputs. A node of an op frost does not know, or at an opset no row covers,
 * becomes an UNSUPPORTED node whose op text names the op, domain and opset, so every gap is
 * reported at once; a node with more inputs or outputs than its op has, or fewer inputs than the
 * builder needs, is malformed (FROST_E_FORMAT naming the node). The checks live here only. */
#include "import/onnx/onnx_ops.h"

#include "import/op_table.h"

#include <stdio.h>

#define ANY FROST__OP_ANY

_Static_assert(offsetof(onnx_op, name) == 0, "op_table.h finds rows by their leading name");

/* One UNARY/BINARY node, and each Reduce* as two rows: axes as an attribute up to opset `moved`
 * - 1, as an optional input from `moved` on. */
#define UN(onnx, fn, since) {onnx, frost__onnx_op_unary, FROST__OP_UNARY, fn, 1, 1, 1, since, 0}
#define BIN(onnx, fn, since) {onnx, frost__onnx_op_binary, FROST__OP_BINARY, fn, 2, 2, 1, since, 0}
#define RED(onnx, fn, moved)                                                                    \
    {onnx, frost__onnx_op_reduce, FROST__OP_REDUCE, fn, 1, 1, 1, 1, (moved) - 1},              \
    {onnx, frost__onnx_op_reduce, FROST__OP_REDUCE, fn, 1, 2, 1, moved, 0}
#define PLAIN(onnx, op, n_in, since) {onnx, frost__onnx_op_plain, op, 0, n_in, n_in, 1, since, 0}

/* Rows of one op are adjacent and in opset order. */
static const onnx_op onnx_ops[] = {
    /* Activations and math functions */
    UN("Relu", FROST__ACT_RELU, 1), UN("Sigmoid", FROST__ACT_SIGMOID, 1),
    UN("Tanh", FROST__ACT_TANH, 1), UN("Softplus", FROST__ACT_SOFTPLUS, 1),
    UN("Softsign", FROST__ACT_SOFTSIGN, 1), UN("HardSwish", FROST__ACT_HARD_SWISH, 14),
    UN("LeakyRelu", FROST__ACT_LEAKY_RELU, 1), UN("Elu", FROST__ACT_ELU, 1),
    UN("HardSigmoid", FROST__ACT_HARD_SIGMOID, 1),
    UN("Abs", FROST__UN_ABS, 1), UN("Neg", FROST__UN_NEG, 1), UN("Sign", FROST__UN_SIGN, 9),
    UN("Exp", FROST__UN_EXP, 1), UN("Log", FROST__UN_LOG, 1), UN("Sqrt", FROST__UN_SQRT, 1),
    UN("Reciprocal", FROST__UN_RECIPROCAL, 1), UN("Floor", FROST__UN_FLOOR, 1),
    UN("Ceil", FROST__UN_CEIL, 1), UN("Round", FROST__UN_ROUND, 11), UN("Erf", FROST__UN_ERF, 9),
    UN("Sin", FROST__UN_SIN, 7), UN("Cos", FROST__UN_COS, 7), UN("Tan", FROST__UN_TAN, 7),
    UN("Asin", FROST__UN_ASIN, 7), UN("Acos", FROST__UN_ACOS, 7), UN("Atan", FROST__UN_ATAN, 7),
    UN("Sinh", FROST__UN_SINH, 9), UN("Cosh", FROST__UN_COSH, 9), UN("Asinh", FROST__UN_ASINH, 9),
    UN("Acosh", FROST__UN_ACOSH, 9), UN("Atanh", FROST__UN_ATANH, 9),
    UN("Not", FROST__UN_NOT, 1), UN("IsNaN", FROST__UN_ISNAN, 9),
    {"Selu", frost__onnx_op_selu, 0, 0, 1, 1, 1, 1, 0},
    {"Celu", frost__onnx_op_celu, 0, 0, 1, 1, 1, 12, 0},
    {"ThresholdedRelu", frost__onnx_op_thresholded_relu, 0, 0, 1, 1, 1, 10, 0},
    {"Mish", frost__onnx_op_mish, 0, 0, 1, 1, 1, 18, 0},
    {"IsInf", frost__onnx_op_isinf, 0, 0, 1, 1, 1, 10, 0},
    {"Shrink", frost__onnx_op_shrink, 0, 0, 1, 1, 1, 9, 0},
    {"Clip", frost__onnx_op_clip, 0, 0, 1, 1, 1, 1, 10},
    {"Clip", frost__onnx_op_clip, 0, 0, 1, 3, 1, 11, 0},
    /* Arithmetic and comparisons (before opset 7 with broadcast/axis attributes) */
    BIN("Add", FROST__BIN_ADD, 1), BIN("Sub", FROST__BIN_SUB, 1), BIN("Mul", FROST__BIN_MUL, 1),
    BIN("Div", FROST__BIN_DIV, 1), BIN("Pow", FROST__BIN_POW, 1), BIN("PRelu", FROST__BIN_PRELU, 1),
    BIN("Equal", FROST__BIN_EQUAL, 1), BIN("Less", FROST__BIN_LESS, 1),
    BIN("LessOrEqual", FROST__BIN_LESS_EQUAL, 12), BIN("Greater", FROST__BIN_GREATER, 1),
    BIN("GreaterOrEqual", FROST__BIN_GREATER_EQUAL, 12),
    BIN("And", FROST__BIN_AND, 1), BIN("Or", FROST__BIN_OR, 1), BIN("Xor", FROST__BIN_XOR, 1),
    {"Mod", frost__onnx_op_mod, 0, 0, 2, 2, 1, 10, 0},
    {"Max", frost__onnx_op_variadic, 0, FROST__BIN_MAX, 1, ANY, 1, 1, 0},
    {"Min", frost__onnx_op_variadic, 0, FROST__BIN_MIN, 1, ANY, 1, 1, 0},
    {"Sum", frost__onnx_op_variadic, 0, FROST__BIN_ADD, 1, ANY, 1, 1, 0},
    {"Mean", frost__onnx_op_mean, 0, 0, 1, ANY, 1, 1, 0},
    PLAIN("Where", FROST__OP_SELECT, 3, 9),
    /* Cast-1 named its target type with a string */
    {"Cast", frost__onnx_op_cast, 0, 0, 1, 1, 1, 6, 0},
    {"CastLike", frost__onnx_op_cast, 0, 1, 2, 2, 1, 15, 0},
    /* Reductions */
    RED("ReduceSum", FROST__RED_SUM, 13), RED("ReduceMean", FROST__RED_MEAN, 18),
    RED("ReduceMax", FROST__RED_MAX, 18), RED("ReduceMin", FROST__RED_MIN, 18),
    RED("ReduceProd", FROST__RED_PROD, 18), RED("ReduceL1", FROST__RED_L1, 18),
    RED("ReduceL2", FROST__RED_L2, 18), RED("ReduceLogSum", FROST__RED_LOG_SUM, 18),
    RED("ReduceLogSumExp", FROST__RED_LOG_SUM_EXP, 18),
    RED("ReduceSumSquare", FROST__RED_SUM_SQUARE, 18),
    {"ArgMax", frost__onnx_op_arg, 0, 1, 1, 1, 1, 1, 0},
    {"ArgMin", frost__onnx_op_arg, 0, 0, 1, 1, 1, 1, 0},
    /* Matrix products (Gemm's C is optional from opset 11; frost reads a missing C the same way
     * in older opsets) */
    {"MatMul", frost__onnx_op_matmul, 0, 0, 2, 2, 1, 1, 0},
    {"Gemm", frost__onnx_op_gemm, 0, 0, 2, 3, 1, 1, 0},
    {"Einsum", frost__onnx_op_einsum, 0, 0, 1, ANY, 1, 12, 0},
    /* Convolution and pooling (MaxPool's Indices output from opset 8) */
    {"Conv", frost__onnx_op_conv, 0, 0, 2, 3, 1, 1, 0},
    {"ConvTranspose", frost__onnx_op_conv_transpose, 0, 0, 2, 3, 1, 1, 0},
    {"MaxPool", frost__onnx_op_pool, 0, 1, 1, 1, 1, 1, 7},
    {"MaxPool", frost__onnx_op_pool, 0, 1, 1, 1, 2, 8, 0},
    {"AveragePool", frost__onnx_op_pool, 0, 0, 1, 1, 1, 1, 0},
    {"GlobalAveragePool", frost__onnx_op_global_pool, 0, FROST__RED_MEAN, 1, 1, 1, 1, 0},
    {"GlobalMaxPool", frost__onnx_op_global_pool, 0, FROST__RED_MAX, 1, 1, 1, 1, 0},
    /* Normalization (BatchNormalization's training outputs: 4 until opset 13, 2 from 14) */
    {"BatchNormalization", frost__onnx_op_batch_norm, 0, 0, 5, 5, 5, 1, 13},
    {"BatchNormalization", frost__onnx_op_batch_norm, 0, 0, 5, 5, 3, 14, 0},
    {"InstanceNormalization", frost__onnx_op_instance_norm, 0, 0, 3, 3, 1, 1, 0},
    {"LayerNormalization", frost__onnx_op_layer_norm, 0, 0, 2, 3, 3, 17, 0},
    {"LpNormalization", frost__onnx_op_lp_norm, 0, 0, 1, 1, 1, 1, 0},
    {"LRN", frost__onnx_op_lrn, 0, 0, 1, 1, 1, 1, 0},
    {"MeanVarianceNormalization", frost__onnx_op_mvn, 0, 0, 1, 1, 1, 9, 0},
    {"Softmax", frost__onnx_op_softmax, 0, 0, 1, 1, 1, 1, 0},
    {"LogSoftmax", frost__onnx_op_softmax, 0, 1, 1, 1, 1, 1, 0},
    {"Hardmax", frost__onnx_op_hardmax, 0, 0, 1, 1, 1, 1, 0},
    /* Shape and layout (operands that moved from attributes to inputs: one row per form) */
    {"Reshape", frost__onnx_op_reshape, 0, 0, 1, 1, 1, 1, 4},
    {"Reshape", frost__onnx_op_reshape, 0, 0, 2, 2, 1, 5, 0},
    {"Flatten", frost__onnx_op_flatten, 0, 0, 1, 1, 1, 1, 0},
    {"Squeeze", frost__onnx_op_squeeze, 0, 0, 1, 1, 1, 1, 12},
    {"Squeeze", frost__onnx_op_squeeze, 0, 0, 1, 2, 1, 13, 0},
    {"Unsqueeze", frost__onnx_op_squeeze, 0, 1, 1, 1, 1, 1, 12},
    {"Unsqueeze", frost__onnx_op_squeeze, 0, 1, 2, 2, 1, 13, 0},
    {"Transpose", frost__onnx_op_transpose, 0, 0, 1, 1, 1, 1, 0},
    {"Concat", frost__onnx_op_concat, 0, 0, 1, ANY, 1, 1, 0},
    {"Split", frost__onnx_op_split, 0, 0, 1, 2, ANY, 1, 1},
    {"Split", frost__onnx_op_split, 0, 0, 1, 1, ANY, 2, 12},
    {"Split", frost__onnx_op_split, 0, 0, 1, 2, ANY, 13, 0},
    {"Slice", frost__onnx_op_slice, 0, 0, 1, 1, 1, 1, 9},
    {"Slice", frost__onnx_op_slice, 0, 0, 3, 5, 1, 10, 0},
    {"Gather", frost__onnx_op_gather, 0, 0, 2, 2, 1, 1, 0},
    PLAIN("Expand", FROST__OP_EXPAND, 2, 8),
    /* Tile-1 took (input, tiles, axis) */
    PLAIN("Tile", FROST__OP_TILE, 2, 6),
    {"Shape", frost__onnx_op_shape, 0, 0, 1, 1, 1, 1, 0},
    {"Size", frost__onnx_op_size, 0, 0, 1, 1, 1, 1, 0},
    /* Pad-1 named its pads "paddings" */
    {"Pad", frost__onnx_op_pad, 0, 0, 1, 1, 1, 2, 10},
    {"Pad", frost__onnx_op_pad, 0, 0, 2, 3, 1, 11, 17},
    {"Pad", frost__onnx_op_pad, 0, 0, 2, 4, 1, 18, 0},
    {"DepthToSpace", frost__onnx_op_depth_space, 0, 1, 1, 1, 1, 1, 0},
    {"SpaceToDepth", frost__onnx_op_depth_space, 0, 0, 1, 1, 1, 1, 0},
    /* Constants, generators, pass-throughs */
    {"Constant", frost__onnx_op_constant, 0, 0, 0, 0, 1, 1, 0},
    {"ConstantOfShape", frost__onnx_op_constant_of_shape, 0, 0, 1, 1, 1, 9, 0},
    PLAIN("Range", FROST__OP_RANGE, 3, 11),
    {"OneHot", frost__onnx_op_one_hot, 0, 0, 3, 3, 1, 9, 0},
    {"Trilu", frost__onnx_op_trilu, 0, 0, 1, 2, 1, 14, 0},
    {"Identity", frost__onnx_op_identity, 0, 0, 1, 1, 1, 1, 0},
    {"Dropout", frost__onnx_op_identity, 0, 1, 1, 1, 2, 1, 11},
    {"Dropout", frost__onnx_op_identity, 0, 1, 1, 3, 2, 12, 0},
    /* Resizing (Upsample-1 had height_scale/width_scale; Resize-11's roi and scales may be "") */
    {"Upsample", frost__onnx_op_resize, 0, 1, 1, 1, 1, 7, 8},
    {"Upsample", frost__onnx_op_resize, 0, 1, 2, 2, 1, 9, 0},
    {"Resize", frost__onnx_op_resize, 0, 0, 2, 2, 1, 10, 10},
    {"Resize", frost__onnx_op_resize, 0, 0, 1, 4, 1, 11, 0},
    /* Control flow (If's branches are subgraphs: onnx_ops_control.c) */
    {"If", frost__onnx_op_if, 0, 0, 1, 1, ANY, 1, 0},
    {"Loop", frost__onnx_op_loop, 0, 0, 2, ANY, ANY, 1, 0},
    {"Scan", frost__onnx_op_loop, 0, 0, 1, ANY, ANY, 8, 0},
    /* Recurrent layers, unrolled */
    {"RNN", frost__onnx_op_recurrent, 0, 0, 3, 6, 2, 1, 0},
    {"GRU", frost__onnx_op_recurrent, 0, 1, 3, 6, 2, 1, 0},
    {"LSTM", frost__onnx_op_recurrent, 0, 2, 3, 8, 3, 1, 0},
};

/* "from opset 9", "at opsets 1 to 12": the opsets the rows of op_type cover, for messages. */
static const char *covered_opsets(const char *op_type, char *buf, size_t cap) {
    int since = 0, until = -1; /* until 0: no upper bound */
    for (size_t i = FROST__OP_TABLE_FIND(onnx_ops, 0, op_type); i < FROST_ARRAY_LEN(onnx_ops);
         i = FROST__OP_TABLE_FIND(onnx_ops, i + 1, op_type)) {
        if (until == -1) since = onnx_ops[i].since;
        until = onnx_ops[i].until;
    }
    if (until == 0) snprintf(buf, cap, "from opset %d", since);
    else snprintf(buf, cap, "at opsets %d to %d", since, until);
    return buf;
}

frost_status frost__onnx_translate_node(onnx_ctx *c, const FrostOnnx__NodeProto *n) {
    const onnx_op *e = NULL;
    bool known = false;
    for (size_t i = FROST__OP_TABLE_FIND(onnx_ops, 0, n->op_type); i < FROST_ARRAY_LEN(onnx_ops);
         i = FROST__OP_TABLE_FIND(onnx_ops, i + 1, n->op_type)) {
        known = true;
        if (frost__op_table_covers(onnx_ops[i].since, onnx_ops[i].until, c->opset)) {
            e = &onnx_ops[i];
            break;
        }
    }
    if (!known) return frost__onnx_unsupported(c, n, NULL);
    if (!e) {
        char span[48];
        return frost__onnx_unsupported(c, n, "ai.onnx opset %d; frost translates %s %s", c->opset,
                                       n->op_type, covered_opsets(n->op_type, span, sizeof span));
    }
    if ((int64_t)n->n_input < e->min_in || n->n_input > (size_t)e->max_in) {
        char want[32];
        return frost__onnx_bad_node(c, n, "has %zu inputs; %s at ai.onnx opset %d takes %s",
                                    n->n_input, n->op_type, c->opset,
                                    frost__op_table_arity(e->min_in, e->max_in, want, sizeof want));
    }
    if (n->n_output > (size_t)e->max_out)
        return frost__onnx_bad_node(c, n, "has %zu outputs; %s at ai.onnx opset %d has at most %d",
                                    n->n_output, n->op_type, c->opset, e->max_out);
    return e->build(c, n, e);
}
