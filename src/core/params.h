/* params.h — frost's canonical ops and their parameters.
 *
 * Semantics are TensorFlow's unless stated: NHWC activations, HWIO conv filters, numpy broadcasting.
 * Importers translate their format into these ops; tensor operands (axes, shapes, perms) are inputs
 * (see core/graph.h). The op list itself lives in ops/ops.def. */
#ifndef FROST_OPS_PARAMS_H
#define FROST_OPS_PARAMS_H

#include <stdbool.h>
#include <stdint.h>

typedef enum frost__op_id {
#define FROST_OP(id, name, file) FROST__OP_##id,
#include "core/ops.def"
#undef FROST_OP
    FROST__OP_COUNT
} frost__op_id;

/* Activation fused into a producer (MatMul, Conv) or run alone by UNARY. */
typedef enum frost__act {
    FROST__ACT_NONE = 0,
    FROST__ACT_RELU,
    FROST__ACT_RELU6,
    FROST__ACT_CLIP,          /* min(max(x, alpha), beta)                                  */
    FROST__ACT_LEAKY_RELU,    /* x < 0 ? alpha * x : x                                     */
    FROST__ACT_ELU,           /* x < 0 ? alpha * (exp(x) - 1) : x                          */
    FROST__ACT_SELU,          /* fixed constants from the SELU paper                       */
    FROST__ACT_SIGMOID,
    FROST__ACT_TANH,
    FROST__ACT_HARD_SIGMOID,  /* max(0, min(1, alpha * x + beta))                          */
    FROST__ACT_SOFTPLUS,
    FROST__ACT_SOFTSIGN,
    FROST__ACT_SWISH,         /* x * sigmoid(x)                                            */
    FROST__ACT_GELU,          /* erf form                                                  */
    FROST__ACT_GELU_TANH,     /* tanh approximation                                        */
    FROST__ACT_HARD_SWISH,    /* x * relu6(x + 3) / 6                                      */
    FROST__ACT_COUNT
} frost__act;

/* Elementwise unary functions (UNARY). The first FROST__ACT_COUNT values are the activations. */
typedef enum frost__unary_fn {
    FROST__UN_ACT_LAST = FROST__ACT_COUNT - 1, /* 0..FROST__ACT_COUNT-1: the activations above */
    FROST__UN_IDENTITY = FROST__ACT_COUNT,
    FROST__UN_NEG, FROST__UN_ABS, FROST__UN_SIGN,
    FROST__UN_EXP, FROST__UN_LOG, FROST__UN_SQRT, FROST__UN_RSQRT, FROST__UN_SQUARE,
    FROST__UN_RECIPROCAL, FROST__UN_FLOOR, FROST__UN_CEIL, FROST__UN_ROUND /* half to even */,
    FROST__UN_ERF, FROST__UN_SIN, FROST__UN_COS, FROST__UN_TAN, FROST__UN_ASIN, FROST__UN_ACOS,
    FROST__UN_ATAN, FROST__UN_SINH, FROST__UN_COSH, FROST__UN_ASINH, FROST__UN_ACOSH,
    FROST__UN_ATANH, FROST__UN_EXPM1, FROST__UN_LOG1P,
    FROST__UN_NOT,            /* bool                                                      */
    FROST__UN_ISNAN, FROST__UN_ISINF, /* -> bool                                           */
    FROST__UN_COUNT
} frost__unary_fn;

typedef enum frost__binary_fn {
    FROST__BIN_ADD = 0, FROST__BIN_SUB, FROST__BIN_MUL, FROST__BIN_DIV,
    FROST__BIN_MAX, FROST__BIN_MIN, FROST__BIN_POW, FROST__BIN_SQUARED_DIFF,
    FROST__BIN_FLOOR_DIV,     /* floor(a / b); integer: rounds toward -inf             */
    FROST__BIN_FLOOR_MOD,     /* result has the sign of b (TF FloorMod, Python %)      */
    FROST__BIN_FMOD,          /* result has the sign of a (C fmod, ONNX Mod fmod=1)    */
    FROST__BIN_PRELU,         /* a < 0 ? a * b : a                                     */
    FROST__BIN_EQUAL, FROST__BIN_NOT_EQUAL, FROST__BIN_LESS, FROST__BIN_LESS_EQUAL,
    FROST__BIN_GREATER, FROST__BIN_GREATER_EQUAL,   /* comparisons -> bool           */
    FROST__BIN_AND, FROST__BIN_OR, FROST__BIN_XOR,  /* bool                         */
    FROST__BIN_COUNT
} frost__binary_fn;

typedef enum frost__padding {
    FROST__PAD_VALID = 0,
    FROST__PAD_SAME_UPPER,    /* TF SAME: the odd padding goes at the end (bottom/right)   */
    FROST__PAD_SAME_LOWER,    /* ONNX SAME_LOWER: the odd padding goes at the start        */
    FROST__PAD_EXPLICIT       /* pads[] below                                              */
} frost__padding;

typedef enum frost__reduce_fn {
    FROST__RED_SUM = 0, FROST__RED_MEAN, FROST__RED_MAX, FROST__RED_MIN, FROST__RED_PROD,
    FROST__RED_L1, FROST__RED_L2, FROST__RED_LOG_SUM, FROST__RED_LOG_SUM_EXP,
    FROST__RED_SUM_SQUARE,
    FROST__RED_ANY, FROST__RED_ALL  /* bool                                               */
} frost__reduce_fn;

typedef enum frost__pad_mode {
    FROST__PADMODE_CONSTANT = 0, FROST__PADMODE_REFLECT, FROST__PADMODE_SYMMETRIC,
    FROST__PADMODE_EDGE
} frost__pad_mode;

/* Fused activation carried by producers. clamp: the activation's result is then clamped,
 * y = min(max(act(x), lo), hi) (a constant Max/Min after it, folded in by passes/fuse.c). Only
 * with an activation that is not itself a clamp (RELU, RELU6 and CLIP absorb one: fuse.c makes
 * them a CLIP); every kernel that applies `act` applies the clamp after it. */
typedef struct frost__act_params {
    frost__act act;
    float alpha, beta;
    bool clamp;
    float lo, hi;
} frost__act_params;

/* 2-D spatial window shared by conv and pool. */
typedef struct frost__window {
    int stride_h, stride_w;       /* default 1                                               */
    int dilation_h, dilation_w;   /* default 1                                               */
    frost__padding padding;
    int pad_top, pad_bottom, pad_left, pad_right; /* EXPLICIT only                            */
} frost__window;

typedef union frost__params {
    /* UNARY: in x -> out same shape (bool for NOT/ISNAN/ISINF). alpha/beta as frost__act. */
    struct { int fn; float alpha, beta; } unary;
    /* BINARY: in a, b (numpy broadcasting) -> out. */
    struct { int fn; } binary;
    /* ADD_N: in x0..xn (same shape) -> sum. */
    /* CAST: in x -> out of dtype `to`. */
    struct { int to; /* frost_dtype */ bool truncate; } cast;
    /* MATMUL: in a [..,M,K], b [..,K,N] (batch dims broadcast), optional bias [N] -> [..,M,N].
     * transpose flags as TF MatMul/BatchMatMul adj_x/adj_y. */
    struct { bool transpose_a, transpose_b; frost__act_params act; } matmul;
    /* CONV2D: in x NHWC, filter HWIO [kh,kw,cin/groups,cout], optional bias [cout] -> NHWC.
     * DEPTHWISE_CONV2D: filter [kh,kw,cin,multiplier], out channels cin*multiplier. */
    struct {
        frost__window w;
        int groups;
        frost__act_params act;
        /* y = act(conv + bias) * post_scale + post_shift when post_affine: a scale and shift after
         * the activation, folded in by passes/fuse.c (PP-LCNet's learnable affine blocks). */
        bool post_affine;
        float post_scale, post_shift;
        /* A depthwise conv fused in front of this 1x1 conv (passes/fuse.c), computed tile by tile
         * into a workspace the GEMM reads while it is in cache: input 0 is then the depthwise
         * conv's input, input 4 its [kh,kw,C,1] filter, input 5 its bias (or absent); its window,
         * activation and post-activation scale/shift are these. */
        bool dw;
        frost__window dw_w;
        frost__act_params dw_act;
        bool dw_post;
        float dw_post_scale, dw_post_shift;
    } conv;
    /* STFT (passes/stft_conv.c): in x NHWC [N, 1, W, 1], window [frame], channel codes int32
     * [sum of out_ch] (ops/spectral.c) -> n_outs outputs [N, 1, frames, out_ch[i]]: the strided
     * Conv1d(s) whose filters are a windowed DFT basis, computed by a real FFT per frame. */
    struct { int frame, hop, n_outs, out_ch[4]; } stft;
    /* CONV2D_TRANSPOSE: in x NHWC, filter [kh,kw,cout,cin] (TF Conv2DBackpropInput), optional bias,
     * optional output size (int [4], NHWC); output size from that operand, else from out_h/out_w
     * when > 0, else from the window and output padding. */
    struct { frost__window w; int out_h, out_w, out_pad_h, out_pad_w; frost__act_params act; } deconv;
    /* POOL2D: in x NHWC -> NHWC. */
    struct {
        bool is_max;
        int k_h, k_w;
        frost__window w;
        bool count_include_pad;   /* AVG: divide by the full window, pads included           */
        bool ceil_mode;           /* output size rounds up (ONNX ceil_mode)                  */
    } pool;
    /* REDUCE: in x, optional axes (int, 0-D or 1-D; absent or -1 input: all axes unless
     * noop_with_empty_axes) -> out. */
    struct { int fn; bool keep_dims; bool noop_with_empty_axes; } reduce;
    /* ARG: in x, axis (int scalar) -> indices of dtype out_dtype. */
    struct { bool is_max; int out_dtype; bool keep_dims; bool select_last; } arg;
    /* SOFTMAX: in x -> out, over `axis` (negative counts from the end). log: LogSoftmax. */
    struct { int axis; bool log; float beta; } softmax;
    /* BATCH_NORM (inference): in x, scale, offset, mean, variance (per channel) -> out.
     * axis: the channel axis (-1 for NHWC). */
    struct { float epsilon; int axis; } batch_norm;
    /* LAYER_NORM: in x, gamma, beta (optional) -> out, normalized over axes [axis, rank). */
    struct { float epsilon; int axis; } layer_norm;
    /* RESHAPE: in x, shape (int 1-D) -> view of x. -1 infers one dim. allow_zero false (ONNX):
     * 0 copies the input dim; TF graphs set zero_is_copy false. */
    struct { bool zero_is_copy; } reshape;
    /* SQUEEZE: in x, optional axes (int) -> view. No axes: every size-1 dim. */
    /* EXPAND_DIMS: in x, axes (int, 0-D or 1-D; positions in the output) -> view. */
    /* FLATTEN: in x -> view [prod(d[0:axis]), prod(d[axis:])]. */
    struct { int axis; } flatten;
    /* CONCAT: in x0..x(n-1), axis (int scalar, last input) -> out. */
    /* PACK: in x0..x(n-1) (same shape) -> stacked along new `axis`. */
    /* UNPACK: in x -> n_out outputs, removing `axis`. */
    struct { int axis; } pack;
    /* SPLIT: in x, axis (int scalar), optional sizes (int 1-D) -> n_out outputs. Without sizes the
     * axis splits into n_out equal parts (TF Split; ONNX Split without split input). */
    /* TRANSPOSE: in x, perm (int 1-D) -> out. */
    /* PAD: in x, paddings (int [rank,2]), optional constant value (scalar) -> out. */
    struct { int mode; /* frost__pad_mode */ } pad;
    /* STRIDED_SLICE: in x, begin, end, strides (int 1-D) -> out (TF StridedSlice masks). */
    struct {
        int32_t begin_mask, end_mask, ellipsis_mask, new_axis_mask, shrink_axis_mask;
    } strided_slice;
    /* SLICE (ONNX semantics): in x, starts, ends, optional axes, optional steps -> out. */
    /* SHAPE: in x -> int 1-D of dtype out_dtype with x's dims [start, end) (end 0: to rank). */
    struct { int out_dtype; int start, end; } shape;
    /* FILL: in dims (int 1-D), value (scalar) -> out. FILL_LIKE: in x -> same shape of `value`. */
    struct { double value; int dtype; /* FILL_LIKE: 0 = x's dtype */ } fill;
    /* TILE: in x, multiples (int 1-D) -> out. EXPAND: in x, shape -> bidirectional broadcast. */
    /* GATHER: in x, indices (int), axis (int scalar) -> out (TF GatherV2 / ONNX Gather). */
    struct { int batch_dims; } gather;
    /* SELECT: in cond (bool), a, b (broadcast) -> out. */
    /* IF: in cond (bool scalar), then_0..then_(n-1), else_0..else_(n-1) -> n outputs: the taken
     * branch's values. The nodes only a branch needs run only when it is taken (ops/branches.h). */
    /* RANGE: in start, limit, delta (scalars) -> 1-D. */
    /* ONE_HOT: in indices, depth (scalar), on (scalar), off (scalar) -> out, new axis `axis`. */
    struct { int axis; } one_hot;
    /* RESIZE: in x NHWC, size (int [2]: out_h, out_w) -> out. */
    struct {
        int mode;          /* 0 nearest, 1 bilinear                                      */
        int coord;         /* 0 asymmetric, 1 half_pixel, 2 align_corners, 3 pytorch_half_pixel,
                            * 4 tf_half_pixel_for_nn                                      */
        int nearest_mode;  /* 0 round_prefer_floor, 1 round_prefer_ceil, 2 floor, 3 ceil  */
    } resize;
    /* RECURRENT (ops/rnn.c): kind 0 RNN, 1 GRU, 2 LSTM (ONNX's gate orders, default
     * activations); n_dirs 1 or 2 (bidirectional); reverse: the one direction runs backwards. */
    struct { int kind, n_dirs; bool reverse, linear_before_reset; int64_t hidden; } recurrent;
    /* Quantized ops (core/quant.h): fn is the op's variant (QBINARY: a frost__binary_fn; QPOOL2D:
     * 1 for max; QMEAN: 1 to keep dims); conv-like ops and QPOOL2D use the window, QPOOL2D k_h/k_w;
     * DEQUANTIZE: axis of per-axis scales. */
    struct { int fn; int k_h, k_w; frost__window w; int axis; } quant;
    /* DEPTH_TO_SPACE: in x NHWC [n,h,w,c] -> [n,h*b,w*b,c/(b*b)], TF's order (channel block
     * (i*b + j) goes to pixel offset (i, j)). SPACE_TO_DEPTH: the inverse. b = block. */
    struct { int block; } space;
    /* TOP_K: in x, k (int scalar) -> values [.., k], indices [.., k] (out_dtype) along the last
     * axis; largest (or smallest) first, equal values by lower index (TF's and TF.js's order). */
    struct { bool largest; int out_dtype; } top_k;
    /* GATHER_ND: in x, indices [.., q] (int) -> indices.shape[:-1] + x.shape[q:]; an index out of
     * range fails the run. */
    /* SPARSE_TO_DENSE: in indices ([n, r], [n] or scalar), dense shape (int [r]), values ([n] or
     * scalar), default (scalar) -> dense tensor; later indices overwrite earlier ones. */
    /* WHERE: in x (any dtype; true = non-zero) -> [count, rank(x)] coordinates (out_dtype) of its
     * true elements in row-major order. The count must be known when planning: x's values are
     * known then (constants, shape arithmetic). */
    struct { int out_dtype; } where;
    /* NON_MAX_SUPPRESSION: in boxes [n,4], scores [n], max_output_size, iou_threshold, optional
     * score_threshold, optional soft_nms_sigma -> indices, scores (padded to max_output_size),
     * valid count (nms.c). */
    /* CUMSUM etc. may be added here. */
    uint8_t raw[64];
} frost__params;

#endif /* FROST_OPS_PARAMS_H */
