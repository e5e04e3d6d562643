/* tflite_internal.h — what the TFLite importer's files share: the schema's field numbers (the
 * published schema.fbs, fields counted in declaration order, unions taking two slots: type then
 * value), the import state, and the helpers the op builders use.
 *   tflite_import.c  the model: buffers, tensors, quantization, subgraph 0, names, signatures
 *   tflite_ops.c     the op table: one builder per builtin op (float and data movement)
 *   tflite_qops.c    builders for quantized arithmetic (TFLite's fixed-point requantization)
 *   tflite_names.c   BuiltinOperator names as TFLite spells them
 * Private to frost. */
#ifndef FROST_IMPORT_TFLITE_INTERNAL_H
#define FROST_IMPORT_TFLITE_INTERNAL_H

#include "core/graph.h"
#include "fmt/flatbuffers.h"

/* ---- Schema field numbers ------------------------------------------------------------------- */
enum { TFL_MODEL_VERSION = 0, TFL_MODEL_OPCODES = 1, TFL_MODEL_SUBGRAPHS = 2,
       TFL_MODEL_DESCRIPTION = 3, TFL_MODEL_BUFFERS = 4, TFL_MODEL_SIGNATURES = 7 };
enum { TFL_OPCODE_DEPRECATED_BUILTIN = 0, TFL_OPCODE_CUSTOM = 1, TFL_OPCODE_VERSION = 2,
       TFL_OPCODE_BUILTIN = 3 };
enum { TFL_SUBGRAPH_TENSORS = 0, TFL_SUBGRAPH_INPUTS = 1, TFL_SUBGRAPH_OUTPUTS = 2,
       TFL_SUBGRAPH_OPERATORS = 3, TFL_SUBGRAPH_NAME = 4 };
enum { TFL_TENSOR_SHAPE = 0, TFL_TENSOR_TYPE = 1, TFL_TENSOR_BUFFER = 2, TFL_TENSOR_NAME = 3,
       TFL_TENSOR_QUANT = 4, TFL_TENSOR_IS_VARIABLE = 5, TFL_TENSOR_SPARSITY = 6,
       TFL_TENSOR_SHAPE_SIGNATURE = 7 };
enum { TFL_QUANT_MIN = 0, TFL_QUANT_MAX = 1, TFL_QUANT_SCALE = 2, TFL_QUANT_ZERO_POINT = 3,
       TFL_QUANT_DETAILS_TYPE = 4, TFL_QUANT_DIM = 6 };
enum { TFL_OP_OPCODE = 0, TFL_OP_INPUTS = 1, TFL_OP_OUTPUTS = 2, TFL_OP_OPTIONS_TYPE = 3,
       TFL_OP_OPTIONS = 4, TFL_OP_CUSTOM_OPTIONS = 5, TFL_OP_INTERMEDIATES = 8, TFL_OP_OPTIONS2_TYPE = 11 };
enum { TFL_BUFFER_DATA = 0, TFL_BUFFER_OFFSET = 1, TFL_BUFFER_SIZE = 2 };
enum { TFL_SIG_INPUTS = 0, TFL_SIG_OUTPUTS = 1, TFL_SIG_KEY = 2, TFL_SIG_SUBGRAPH = 4 };
enum { TFL_TMAP_NAME = 0, TFL_TMAP_TENSOR = 1 };

/* TensorType */
enum { TFL_FLOAT32 = 0, TFL_FLOAT16 = 1, TFL_INT32 = 2, TFL_UINT8 = 3, TFL_INT64 = 4,
       TFL_STRING = 5, TFL_BOOL = 6, TFL_INT16 = 7, TFL_COMPLEX64 = 8, TFL_INT8 = 9,
       TFL_FLOAT64 = 10, TFL_COMPLEX128 = 11, TFL_UINT64 = 12, TFL_RESOURCE = 13,
       TFL_VARIANT = 14, TFL_UINT32 = 15, TFL_UINT16 = 16, TFL_INT4 = 17 };

/* ActivationFunctionType */
enum { TFL_ACT_NONE = 0, TFL_ACT_RELU = 1, TFL_ACT_RELU_N1_TO_1 = 2, TFL_ACT_RELU6 = 3,
       TFL_ACT_TANH = 4, TFL_ACT_SIGN_BIT = 5 };

/* BuiltinOperator codes the builders name. */
enum {
    TFL_ADD = 0, TFL_AVERAGE_POOL_2D = 1, TFL_CONCATENATION = 2, TFL_CONV_2D = 3,
    TFL_DEPTHWISE_CONV_2D = 4, TFL_DEPTH_TO_SPACE = 5, TFL_DEQUANTIZE = 6, TFL_FLOOR = 8,
    TFL_FULLY_CONNECTED = 9, TFL_L2_NORMALIZATION = 11, TFL_LOGISTIC = 14, TFL_MAX_POOL_2D = 17,
    TFL_MUL = 18, TFL_RELU = 19, TFL_RELU_N1_TO_1 = 20, TFL_RELU6 = 21, TFL_RESHAPE = 22,
    TFL_RESIZE_BILINEAR = 23, TFL_SOFTMAX = 25, TFL_SPACE_TO_DEPTH = 26, TFL_TANH = 28,
    TFL_CALL = 31, TFL_CUSTOM = 32, TFL_PAD = 34, TFL_GATHER = 36, TFL_BATCH_TO_SPACE_ND = 37,
    TFL_SPACE_TO_BATCH_ND = 38, TFL_TRANSPOSE = 39,
    TFL_MEAN = 40, TFL_SUB = 41, TFL_DIV = 42, TFL_SQUEEZE = 43, TFL_STRIDED_SLICE = 45,
    TFL_EXP = 47, TFL_SPLIT = 49, TFL_LOG_SOFTMAX = 50, TFL_CAST = 53, TFL_PRELU = 54,
    TFL_MAXIMUM = 55, TFL_ARG_MAX = 56, TFL_MINIMUM = 57, TFL_LESS = 58, TFL_NEG = 59,
    TFL_PADV2 = 60, TFL_GREATER = 61, TFL_GREATER_EQUAL = 62, TFL_LESS_EQUAL = 63,
    TFL_SELECT = 64, TFL_SLICE = 65, TFL_SIN = 66, TFL_TRANSPOSE_CONV = 67, TFL_TILE = 69,
    TFL_EXPAND_DIMS = 70, TFL_EQUAL = 71, TFL_NOT_EQUAL = 72, TFL_LOG = 73, TFL_SUM = 74,
    TFL_SQRT = 75, TFL_RSQRT = 76, TFL_SHAPE = 77, TFL_POW = 78, TFL_ARG_MIN = 79,
    TFL_REDUCE_PROD = 81, TFL_REDUCE_MAX = 82, TFL_PACK = 83, TFL_LOGICAL_OR = 84,
    TFL_ONE_HOT = 85, TFL_LOGICAL_AND = 86, TFL_LOGICAL_NOT = 87, TFL_UNPACK = 88,
    TFL_REDUCE_MIN = 89, TFL_FLOOR_DIV = 90, TFL_SQUARE = 92, TFL_ZEROS_LIKE = 93, TFL_FILL = 94,
    TFL_FLOOR_MOD = 95, TFL_RANGE = 96, TFL_RESIZE_NEAREST_NEIGHBOR = 97, TFL_LEAKY_RELU = 98,
    TFL_SQUARED_DIFFERENCE = 99, TFL_MIRROR_PAD = 100, TFL_ABS = 101, TFL_SPLIT_V = 102,
    TFL_CEIL = 104, TFL_ADD_N = 106, TFL_COS = 108, TFL_ELU = 111, TFL_QUANTIZE = 114,
    TFL_ROUND = 116, TFL_HARD_SWISH = 117, TFL_IF = 118, TFL_WHILE = 119, TFL_SELECT_V2 = 123,
    TFL_DENSIFY = 124, TFL_BATCH_MATMUL = 126, TFL_BROADCAST_TO = 130, TFL_GELU = 150,
    TFL_SIGN = 158,
};

/* BuiltinOptions union type ids (1-based: 0 is NONE). */
enum {
    TFL_OPT_CONV2D = 1, TFL_OPT_DEPTHWISE = 2, TFL_OPT_POOL2D = 5, TFL_OPT_FULLY_CONNECTED = 8,
    TFL_OPT_SOFTMAX = 9, TFL_OPT_CONCATENATION = 10, TFL_OPT_ADD = 11,
    TFL_OPT_RESIZE_BILINEAR = 15, TFL_OPT_RESHAPE = 17, TFL_OPT_SPACE_TO_DEPTH = 19,
    TFL_OPT_MUL = 21, TFL_OPT_GATHER = 23, TFL_OPT_REDUCER = 27, TFL_OPT_SUB = 28,
    TFL_OPT_DIV = 29, TFL_OPT_SQUEEZE = 30, TFL_OPT_STRIDED_SLICE = 32, TFL_OPT_SPLIT = 35,
    TFL_OPT_CAST = 37, TFL_OPT_ARG_MAX = 40, TFL_OPT_TRANSPOSE_CONV = 49, TFL_OPT_SHAPE = 55,
    TFL_OPT_ARG_MIN = 57, TFL_OPT_PACK = 59, TFL_OPT_ONE_HOT = 61, TFL_OPT_UNPACK = 64,
    TFL_OPT_RESIZE_NEAREST = 74, TFL_OPT_LEAKY_RELU = 75, TFL_OPT_MIRROR_PAD = 77,
    TFL_OPT_SPLIT_V = 79, TFL_OPT_IF = 92, TFL_OPT_WHILE = 93, TFL_OPT_DEPTH_TO_SPACE = 94,
    TFL_OPT_BATCH_MATMUL = 101, TFL_OPT_GELU = 116,
};

/* The builtin op's name as TFLite spells it ("CONV_2D"); NULL for a code it does not define. */
const char *frost__tflite_op_name(int32_t code);
#define TFL_MAX_BUILTIN 255

/* ---- Import state --------------------------------------------------------------------------- */

typedef struct tfl_tensor {
    const char *name;          /* as stored (NUL-terminated inside the file); "" if none        */
    int type;                  /* TensorType                                                     */
    frost_dtype dtype;         /* INVALID for types frost cannot hold                            */
    frost__shape shape;        /* rank -1 when the file gives none                               */
    frost__shape signature;    /* shape_signature (-1 = dynamic), or rank -1                      */
    uint32_t buffer;
    const unsigned char *data; /* constant bytes inside the file, NULL if none                   */
    size_t nbytes;
    bool is_variable, sparse;
    frost__fb_table sparsity;  /* SparsityParameters when sparse                                 */
    /* Quantization (n_q 0: none). */
    int n_q, q_axis;
    frost__fb_vec q_scale, q_zp;
    int value;                 /* frost value id; -1 until made                                  */
} tfl_tensor;

typedef struct tfl_ctx {
    frost__graph *g;
    frost_error *err;
    frost__fb *fb;
    frost__fb_vec buffers, opcodes, subgraphs;
    int depth;                 /* subgraphs called (IF branches) above this one                  */
    tfl_tensor *t;
    int n_t;
    int sg;                    /* subgraph index (0)                                            */
    /* The operator being translated, for builders and errors. */
    int op_index;
    int32_t op_code;
    int op_version;
    const char *op_name;       /* TFLite's name, or the custom code                             */
    frost__fb_table op, opt;   /* the Operator table and its builtin options (pos 0: none)     */
    int n_in, n_out;
    const int32_t *in, *out;   /* tensor indices (in: -1 for an absent optional input)          */
    char op_name_buf[64];      /* "BUILTIN_<code>" for codes newer than this reader            */
    int n_unsupported;
    bool op_refused;           /* the current operator became an UNSUPPORTED node already        */
} tfl_ctx;

/* ---- Helpers for the builders (tflite_import.c) --------------------------------------------- */

/* The frost value of the op's input k (tensor index in[k]): constants are made on first use. -1
 * for an absent optional input; -2 with c->err filled on failure. */
int frost__tfl_in(tfl_ctx *c, int k);
/* The tensor of input k / output k, or NULL for an absent optional input. */
tfl_tensor *frost__tfl_in_tensor(tfl_ctx *c, int k);
tfl_tensor *frost__tfl_out_tensor(tfl_ctx *c, int k);
/* The op's final node: named after output tensor 0, its outputs bound to the op's output tensors
 * (names, quantization). Returns FROST_OK or the failure. */
frost_status frost__tfl_emit(tfl_ctx *c, int op, int n_in, const int *in, const frost__params *p);
/* Output k alone: a one-output node named after output k's tensor and bound to it (ops whose
 * outputs each need their own node, as IF's selects). */
frost_status frost__tfl_emit_output(tfl_ctx *c, int k, int op, int n_in, const int *in,
                                    const frost__params *p);
/* Output k is a constant (taking ownership of data): DENSIFY's result. */
frost_status frost__tfl_bind_const(tfl_ctx *c, int k, frost_dtype dt, const frost__shape *s,
                                  void *data, size_t nbytes);
/* DENSIFY of a constant sparse tensor, done at load (tflite_sparse.c). */
frost_status frost__tfl_densify(tfl_ctx *c);
/* Translates subgraph `index` (an IF branch) into the graph with its inputs bound to in_values;
 * its outputs' values in out_values. Nesting is limited; calling subgraph 0 or itself is refused. */
frost_status frost__tfl_subgraph(tfl_ctx *parent, int32_t index, const int *in_values, int n_in,
                                 int *out_values, int n_out);
/* A helper node before the final one, named "<output 0>/<suffix>"; its output 0's value id, or
 * -1 with c->err filled. */
int frost__tfl_helper(tfl_ctx *c, const char *suffix, int op, int n_in, const int *in,
                      const frost__params *p);
/* A constant named "<output 0>/<suffix>" (data copied). Value id or -1. */
int frost__tfl_const(tfl_ctx *c, const char *suffix, frost_dtype dt, const frost__shape *s,
                     const void *data, size_t nbytes);
/* The same, taking ownership of `data` (from the graph's allocator; freed on failure). */
int frost__tfl_const_owned(tfl_ctx *c, const char *suffix, frost_dtype dt, const frost__shape *s,
                           void *data, size_t nbytes);
int frost__tfl_const_i32(tfl_ctx *c, const char *suffix, const int32_t *v, int n, int rank);
/* A FORMAT error about the current op. */
frost_status frost__tfl_bad(tfl_ctx *c, const char *fmt, ...) FROST_PRINTF(2, 3);
/* The op becomes an UNSUPPORTED node named after its outputs, with `why` in the report. */
frost_status frost__tfl_unsupported(tfl_ctx *c, const char *why);
/* The options table if its union type is `type` (pos 0 when absent); a different type is a
 * FORMAT error (returns false). */
bool frost__tfl_options(tfl_ctx *c, int type, frost__fb_table *out);

/* Quantization of tensor t: scale/zero point i (per-tensor models: i = 0). */
float frost__tfl_scale(const tfl_ctx *c, const tfl_tensor *t, int i);
int64_t frost__tfl_zero_point(const tfl_ctx *c, const tfl_tensor *t, int i);
/* True for an integer tensor with quantization parameters. */
bool frost__tfl_is_quantized(const tfl_tensor *t);

/* ---- Op translation ------------------------------------------------------------------------- */

/* Translates the current operator (c->op_*) into frost nodes (tflite_ops.c). */
frost_status frost__tfl_translate(tfl_ctx *c);
/* Quantized builders (tflite_qops.c); called by tflite_ops.c when the op's tensors are quantized
 * integers. Return FROST_OK after emitting, or refuse through frost__tfl_unsupported. */
frost_status frost__tfl_q_translate(tfl_ctx *c);
/* A DEQUANTIZE helper node for the constant int8 weights of a float op (input k, value v): the
 * "dynamic range" models whose float ops keep int8 weights. Its value, or < 0 on failure. */
int frost__tfl_q_dequantize_const(tfl_ctx *c, int k, int v);

#endif /* FROST_IMPORT_TFLITE_INTERNAL_H */
