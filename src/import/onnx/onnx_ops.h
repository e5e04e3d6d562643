/* onnx_ops.h — what the ONNX op translations share: the op table's row type, the toolkit every
 * builder uses to read a node and add frost nodes for it (onnx_build.c), and the builders of each
 * op family (onnx_ops_math.c, onnx_ops_nn.c, onnx_ops_tensor.c, onnx_ops_rnn.c,
 * onnx_ops_control.c), which the table in onnx_ops.c lists. Private to src/import/onnx.
 *
 * A builder may assume what the table row promises: the model's opset lies in the row's range and
 * the node lists between min_in and max_in inputs ("" placeholders included) and at most max_out
 * outputs. Required inputs still come through frost__onnx_need_in, which rejects an empty name. */
#ifndef FROST_IMPORT_ONNX_OPS_H
#define FROST_IMPORT_ONNX_OPS_H

#include "import/onnx/onnx_internal.h"

typedef const FrostOnnx__NodeProto onnx_node;

/* ==== The op table (onnx_ops.c) ============================================================== */

typedef struct onnx_op onnx_op;
/* A builder: translates node n, whose op_type has row e, binding n's outputs. */
typedef frost_status onnx_build_fn(onnx_ctx *c, onnx_node *n, const onnx_op *e);
struct onnx_op {
    const char *name;    /* op_type in the default domain ("" or "ai.onnx")                     */
    onnx_build_fn *build;
    int op;              /* canonical op, when the builder uses one                             */
    int fn;              /* unary/binary/reduce function, or a builder-specific variant         */
    int min_in, max_in;  /* inputs the node may list, "" placeholders included                  */
    int max_out;         /* outputs ONNX defines (FROST__OP_ANY: any number)                    */
    int since, until;    /* the ai.onnx opsets this row covers; until 0: every later one        */
};

/* ==== Toolkit (onnx_build.c) ================================================================= */

/* The failure status already in c->err (FROST_E_INTERNAL if none was set). */
frost_status frost__onnx_failed(onnx_ctx *c);
/* Returns the recorded failure when a value id `x` is negative. Needs `c` in scope. */
#define TRYV(x)                                     \
    do {                                            \
        if ((x) < 0) return frost__onnx_failed(c);  \
    } while (0)

/* The name new frost nodes and values of n are named after: its first non-empty output (ONNX lets
 * any optional output, even the first, be left out with ""). */
const char *frost__onnx_out_base(onnx_node *n);
/* The node's name, or its out_base when it has none. */
const char *frost__onnx_node_label(onnx_node *n);
/* FROST_E_FORMAT "node '<label>' (<op_type>): <message>". */
frost_status frost__onnx_bad_node(onnx_ctx *c, onnx_node *n, const char *fmt, ...)
    FROST_PRINTF(3, 4);
/* An UNSUPPORTED node standing for n, with the reason (fmt may be NULL) in its src_op:
 * "MaxPool (Indices output)". Binds every output of n. */
frost_status frost__onnx_unsupported(onnx_ctx *c, onnx_node *n, const char *fmt, ...)
    FROST_PRINTF(3, 4);

/* ---- Attributes ---- */
const FrostOnnx__AttributeProto *frost__onnx_attr(onnx_node *n, const char *name);
int64_t frost__onnx_attr_i(onnx_node *n, const char *name, int64_t def);
float frost__onnx_attr_f(onnx_node *n, const char *name, float def);
/* Copies a string attribute (bytes) into buf, or returns `def` when absent. */
const char *frost__onnx_attr_s(onnx_node *n, const char *name, const char *def, char *buf,
                               size_t cap);
/* Count of an int-list attribute copied into out; -1 when absent, -2 when longer than cap. */
int frost__onnx_attr_ints(onnx_node *n, const char *name, int64_t *out, int cap);

/* ---- Values ---- */
static inline frost__value *frost__onnx_val(onnx_ctx *c, int v) { return &c->g->values[v]; }
static inline frost_dtype frost__onnx_vdtype(onnx_ctx *c, int v) {
    return v >= 0 ? c->g->values[v].dtype : FROST_DTYPE_INVALID;
}
static inline int frost__onnx_vrank(onnx_ctx *c, int v) {
    return v >= 0 ? c->g->values[v].shape.rank : -1;
}
static inline bool frost__onnx_is_const(onnx_ctx *c, int v) {
    return v >= 0 && c->g->values[v].kind == FROST__VAL_CONST;
}
/* The dtype for constants combined with v: v's own when it is a float, else f32. */
frost_dtype frost__onnx_float_of(onnx_ctx *c, int v);
/* Input k of the node, or -1 when absent or named "". */
int frost__onnx_in(onnx_ctx *c, onnx_node *n, size_t k);
/* Input k, which the op requires: FROST_E_FORMAT naming the node when it is absent. */
frost_status frost__onnx_need_in(onnx_ctx *c, onnx_node *n, size_t k, int *v);
/* True when ONNX output k exists and something consumes it (or it is a graph output). */
bool frost__onnx_output_used(onnx_ctx *c, onnx_node *n, size_t k);
/* A constant int operand (0-D or 1-D) read into out: the count, or -1 when not a known constant. */
int frost__onnx_const_ints(onnx_ctx *c, int v, int64_t *out, int cap);
/* A constant scalar (any numeric dtype, one element) read as a double. */
bool frost__onnx_const_scalar(onnx_ctx *c, int v, double *out);
/* An int-list operand ONNX moved from an attribute to an input in some opset: input k when the
 * node has it, else attribute `name` as a constant. Returns the value id, -1 (neither) or -2
 * (error, err filled). */
int frost__onnx_list_operand(onnx_ctx *c, onnx_node *n, size_t k, const char *name);

/* ---- Naming and adding nodes ---- */
/* "<base>/<suffix>", made unique against frost's names and every ONNX name. */
void frost__onnx_fresh_name(onnx_ctx *c, const char *base, const char *suffix, char *buf,
                            size_t cap);
/* Adds a node for ONNX node n and runs its shape inference at once. suffix NULL: the node whose
 * output 0 is the ONNX output 0 (named after it); otherwise an internal step named
 * "<output0>/<suffix>". Returns the node index or -1. */
int frost__onnx_emit(onnx_ctx *c, onnx_node *n, const char *suffix, int op, int n_in,
                     const int *in, int n_out, const frost__params *p);
/* frost__onnx_emit for one-output steps: returns the output value id or -1. */
int frost__onnx_step(onnx_ctx *c, onnx_node *n, const char *suffix, int op, int n_in,
                     const int *in, const frost__params *p);
/* Binds ONNX output k to value v (an alias makes the ONNX name answer for it). */
frost_status frost__onnx_bind(onnx_ctx *c, onnx_node *n, size_t k, int v);
/* Binds output 0 to v, or returns the recorded failure when v < 0. */
frost_status frost__onnx_bind0(onnx_ctx *c, onnx_node *n, int v);

/* ---- Common steps (each returns a value id or -1) ---- */
int frost__onnx_add_const(onnx_ctx *c, onnx_node *n, const char *suffix, frost_dtype dt,
                          const frost__shape *s, const void *data, size_t nbytes);
/* int64 constant: 1-D of count values, or a scalar. */
int frost__onnx_const_i64(onnx_ctx *c, onnx_node *n, const char *suffix, const int64_t *v,
                          int count, bool scalar);
/* A scalar constant of dtype dt holding x. */
int frost__onnx_const_scalar_of(onnx_ctx *c, onnx_node *n, const char *suffix, frost_dtype dt,
                                double x);
int frost__onnx_unary(onnx_ctx *c, onnx_node *n, const char *suffix, int x, int fn, float alpha,
                      float beta);
int frost__onnx_binary(onnx_ctx *c, onnx_node *n, const char *suffix, int fn, int a, int b);
/* x cast to `to` (x itself when it already is). */
int frost__onnx_cast_to(onnx_ctx *c, onnx_node *n, const char *suffix, int x, frost_dtype to);
/* shape(x)[start:end] as int64 (end 0: to the last dim), known at plan time. */
int frost__onnx_shape_of(onnx_ctx *c, onnx_node *n, const char *suffix, int x, int start, int end);
/* x reshaped to the int64 shape `shape` (a 0 copies the input's dim). */
int frost__onnx_reshape(onnx_ctx *c, onnx_node *n, const char *suffix, int x, int shape);
/* x transposed NCHW -> NHWC (to_nhwc) or back, through the shared permutation constants. */
int frost__onnx_transpose_to(onnx_ctx *c, onnx_node *n, const char *suffix, int x, bool to_nhwc);

/* ==== Builders, by family ==================================================================== */

/* onnx_ops_math.c: elementwise, reductions, matrix products */
onnx_build_fn frost__onnx_op_unary;
onnx_build_fn frost__onnx_op_binary;
onnx_build_fn frost__onnx_op_mod;
onnx_build_fn frost__onnx_op_variadic;
onnx_build_fn frost__onnx_op_mean;
onnx_build_fn frost__onnx_op_clip;
onnx_build_fn frost__onnx_op_selu;
onnx_build_fn frost__onnx_op_celu;
onnx_build_fn frost__onnx_op_thresholded_relu;
onnx_build_fn frost__onnx_op_mish;
onnx_build_fn frost__onnx_op_isinf;
onnx_build_fn frost__onnx_op_shrink;
onnx_build_fn frost__onnx_op_cast;
onnx_build_fn frost__onnx_op_reduce;
onnx_build_fn frost__onnx_op_arg;
onnx_build_fn frost__onnx_op_matmul;
onnx_build_fn frost__onnx_op_gemm;
onnx_build_fn frost__onnx_op_einsum;

/* onnx_ops_nn.c: convolution, pooling, normalization, softmax */
onnx_build_fn frost__onnx_op_conv;
onnx_build_fn frost__onnx_op_conv_transpose;
onnx_build_fn frost__onnx_op_pool;
onnx_build_fn frost__onnx_op_global_pool;
onnx_build_fn frost__onnx_op_batch_norm;
onnx_build_fn frost__onnx_op_instance_norm;
onnx_build_fn frost__onnx_op_layer_norm;
onnx_build_fn frost__onnx_op_lp_norm;
onnx_build_fn frost__onnx_op_lrn;
onnx_build_fn frost__onnx_op_mvn;
onnx_build_fn frost__onnx_op_softmax;
onnx_build_fn frost__onnx_op_hardmax;

/* onnx_ops_tensor.c: shapes, layout, indexing, constants, resizing */
onnx_build_fn frost__onnx_op_plain;
onnx_build_fn frost__onnx_op_identity;
onnx_build_fn frost__onnx_op_reshape;
onnx_build_fn frost__onnx_op_flatten;
onnx_build_fn frost__onnx_op_squeeze;
onnx_build_fn frost__onnx_op_transpose;
onnx_build_fn frost__onnx_op_concat;
onnx_build_fn frost__onnx_op_split;
onnx_build_fn frost__onnx_op_slice;
onnx_build_fn frost__onnx_op_gather;
onnx_build_fn frost__onnx_op_shape;
onnx_build_fn frost__onnx_op_size;
onnx_build_fn frost__onnx_op_pad;
onnx_build_fn frost__onnx_op_constant;
onnx_build_fn frost__onnx_op_constant_of_shape;
onnx_build_fn frost__onnx_op_one_hot;
onnx_build_fn frost__onnx_op_trilu;
onnx_build_fn frost__onnx_op_depth_space;
onnx_build_fn frost__onnx_op_resize;

/* onnx_ops_control.c: If (branches imported, joined by IF), Loop (unrolled when its trip count is
 * known at load), Scan (refused) */
onnx_build_fn frost__onnx_op_if;
onnx_build_fn frost__onnx_op_loop;

/* onnx_ops_rnn.c: RNN, GRU, LSTM unrolled */
onnx_build_fn frost__onnx_op_recurrent;

#endif /* FROST_IMPORT_ONNX_OPS_H */
