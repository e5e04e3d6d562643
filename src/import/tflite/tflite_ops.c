/* tflite_ops.c — the TFLite op table: for each builtin op frost runs, its code, builder, input
 * and output counts and the op versions whose semantics the builder knows. Builders translate
 * float ops and dtype-blind data movement (reshape, transpose, gather, ...) into canonical frost
 * ops (ops/ops.def), moving TFLite's operand layouts to frost's (OHWI filters to HWIO, [out, in]
 * weights to a transposed MatMul, attribute operands to constants). Ops on quantized integers
 * whose arithmetic needs requantization go to tflite_qops.c.
 *
 * Anything else — an op not in the table, a version past the table's range, a custom op, an
 * option frost cannot honour — becomes an UNSUPPORTED node named with TFLite's own op name (or
 * the custom code), so the load reports every such op at once. Only a malformed file is an error
 * here. Never reads a tensor's bytes without the import's checks (frost__tfl_in). */
#include "import/tflite/tflite_internal.h"

#include <math.h>
#include <stdio.h>

/* ---- Small helpers ------------------------------------------------------------------------- */

#define IN(k) frost__tfl_in(c, (k))
#define TRY_V(v)                                                        \
    do {                                                                \
        if ((v) < -1) return c->err ? c->err->code : FROST_E_FORMAT;    \
    } while (0)

/* The status of a failure already reported in c->err (the reader's own failures are reported by
 * tflite_import.c with their offset). */
static frost_status failed(tfl_ctx *c) {
    if (c->err->code != FROST_OK) return c->err->code;
    if (c->op_refused) return FROST_OK; /* refused by name: the load reports it with the others */
    return c->fb->bad ? FROST_E_FORMAT : frost__tfl_bad(c, "malformed operator");
}

/* Inputs 0..n-1 as values; *ok false on failure (required inputs must exist). */
static bool inputs(tfl_ctx *c, int n, int *v, int required) {
    for (int k = 0; k < n; k++) {
        v[k] = IN(k);
        if (v[k] < -1) return false;
        if (v[k] < 0 && k < required) {
            frost__tfl_bad(c, "input %d is required", k);
            return false;
        }
    }
    return true;
}

/* A constant int operand of the op (input k) as int64s; -1 when not a constant. */
static int const_ints(tfl_ctx *c, int k, int64_t *vals, int cap) {
    tfl_tensor *t = frost__tfl_in_tensor(c, k);
    if (!t || !t->data || !frost__dtype_is_int(t->dtype)) return -1;
    int64_t n;
    if (!frost__shape_numel_ok(&t->shape, &n) || n > cap) return -1;
    size_t es = frost_dtype_size(t->dtype);
    if ((size_t)n * es != t->nbytes) return -1;
    for (int64_t i = 0; i < n; i++) vals[i] = frost__read_int(t->dtype, t->data, i);
    return (int)n;
}

static int const_scalar_i32(tfl_ctx *c, const char *suffix, int32_t v) {
    return frost__tfl_const(c, suffix, FROST_DTYPE_I32, &(frost__shape){0}, &v, sizeof v);
}

static bool act_of(tfl_ctx *c, int code, frost__act_params *a) {
    memset(a, 0, sizeof *a);
    switch (code) {
    case TFL_ACT_NONE: a->act = FROST__ACT_NONE; return true;
    case TFL_ACT_RELU: a->act = FROST__ACT_RELU; return true;
    case TFL_ACT_RELU6: a->act = FROST__ACT_RELU6; return true;
    case TFL_ACT_RELU_N1_TO_1:
        a->act = FROST__ACT_CLIP;
        a->alpha = -1;
        a->beta = 1;
        return true;
    case TFL_ACT_TANH: a->act = FROST__ACT_TANH; return true;
    default: return false;
    }
}

/* Emits op (params p, inputs in) followed by its fused activation when the canonical op cannot
 * carry one. */
static frost_status emit_with_act(tfl_ctx *c, int op, int n_in, const int *in,
                                  const frost__params *p, int act_code) {
    frost__act_params a;
    if (!act_of(c, act_code, &a)) return frost__tfl_unsupported(c, "fused activation SIGN_BIT");
    if (a.act == FROST__ACT_NONE) return frost__tfl_emit(c, op, n_in, in, p);
    int y = frost__tfl_helper(c, "pre_activation", op, n_in, in, p);
    if (y < 0) return failed(c);
    frost__params u = {0};
    u.unary.fn = (int)a.act;
    u.unary.alpha = a.alpha;
    u.unary.beta = a.beta;
    return frost__tfl_emit(c, FROST__OP_UNARY, 1, &y, &u);
}

static int act_option(tfl_ctx *c, frost__fb_table o, int field) {
    return frost__fb_i8(c->fb, o, field, TFL_ACT_NONE);
}

static bool window_of(tfl_ctx *c, int8_t padding, int sw, int sh, int dw, int dh, frost__window *w) {
    memset(w, 0, sizeof *w);
    if (padding != 0 && padding != 1) {
        frost__tfl_bad(c, "padding %d is neither SAME nor VALID", padding);
        return false;
    }
    if (sw < 1 || sh < 1 || dw < 1 || dh < 1 || sw > 65536 || sh > 65536 || dw > 65536 ||
        dh > 65536) {
        frost__tfl_bad(c, "stride %dx%d / dilation %dx%d", sh, sw, dh, dw);
        return false;
    }
    w->padding = padding == 0 ? FROST__PAD_SAME_UPPER : FROST__PAD_VALID;
    w->stride_h = sh;
    w->stride_w = sw;
    w->dilation_h = dh;
    w->dilation_w = dw;
    return true;
}

/* ---- Conv, depthwise, fully connected, transposed conv -------------------------------------- */

/* A weight operand for a float op: int8 weights of a "dynamic range" model are dequantized at
 * load (folded), so the op stays float. */
static int float_weight(tfl_ctx *c, int k) {
    int v = IN(k);
    if (v < 0) return v;
    tfl_tensor *t = frost__tfl_in_tensor(c, k);
    if (!frost__tfl_is_quantized(t) || !t->data) return v;
    return frost__tfl_q_dequantize_const(c, k, v);
}

static frost_status b_conv2d(tfl_ctx *c) {
    frost__fb_table o;
    if (!frost__tfl_options(c, TFL_OPT_CONV2D, &o)) return failed(c);
    frost__params p = {0};
    if (!window_of(c, frost__fb_i8(c->fb, o, 0, 0), frost__fb_i32(c->fb, o, 1, 0),
                   frost__fb_i32(c->fb, o, 2, 0), frost__fb_i32(c->fb, o, 4, 1),
                   frost__fb_i32(c->fb, o, 5, 1), &p.conv.w))
        return failed(c);
    if (!act_of(c, act_option(c, o, 3), &p.conv.act))
        return frost__tfl_unsupported(c, "fused activation SIGN_BIT");
    int x = IN(0), w = float_weight(c, 1), b = IN(2);
    TRY_V(x);
    TRY_V(w);
    TRY_V(b);
    if (x < 0 || w < 0) return frost__tfl_bad(c, "needs an input and a filter");
    tfl_tensor *xt = frost__tfl_in_tensor(c, 0), *wt = frost__tfl_in_tensor(c, 1);
    p.conv.groups = 1;
    if (xt->shape.rank == 4 && wt->shape.rank == 4 && wt->shape.d[3] > 0 && xt->shape.d[3] > 0 &&
        xt->shape.d[3] % wt->shape.d[3] == 0)
        p.conv.groups = (int)(xt->shape.d[3] / wt->shape.d[3]);
    int32_t perm[4] = {1, 2, 3, 0}; /* OHWI -> HWIO */
    int pv = frost__tfl_const_i32(c, "ohwi_to_hwio", perm, 4, 1);
    if (pv < 0) return failed(c);
    int tin[2] = {w, pv};
    int hwio = frost__tfl_helper(c, "filter_hwio", FROST__OP_TRANSPOSE, 2, tin, NULL);
    if (hwio < 0) return failed(c);
    int in[3] = {x, hwio, b};
    return frost__tfl_emit(c, FROST__OP_CONV2D, 3, in, &p);
}

static frost_status b_depthwise(tfl_ctx *c) {
    frost__fb_table o;
    if (!frost__tfl_options(c, TFL_OPT_DEPTHWISE, &o)) return failed(c);
    frost__params p = {0};
    if (!window_of(c, frost__fb_i8(c->fb, o, 0, 0), frost__fb_i32(c->fb, o, 1, 0),
                   frost__fb_i32(c->fb, o, 2, 0), frost__fb_i32(c->fb, o, 5, 1),
                   frost__fb_i32(c->fb, o, 6, 1), &p.conv.w))
        return failed(c);
    if (!act_of(c, act_option(c, o, 4), &p.conv.act))
        return frost__tfl_unsupported(c, "fused activation SIGN_BIT");
    int x = IN(0), w = float_weight(c, 1), b = IN(2);
    TRY_V(x);
    TRY_V(w);
    TRY_V(b);
    if (x < 0 || w < 0) return frost__tfl_bad(c, "needs an input and a filter");
    tfl_tensor *xt = frost__tfl_in_tensor(c, 0), *wt = frost__tfl_in_tensor(c, 1);
    if (wt->shape.rank != 4 || wt->shape.d[0] != 1 || xt->shape.rank != 4 || xt->shape.d[3] <= 0 ||
        wt->shape.d[3] % xt->shape.d[3] != 0)
        return frost__tfl_bad(c, "filter shape %s does not fit input shape %s",
                              frost__shape_str(&wt->shape, (char[96]){0}, 96),
                              frost__shape_str(&xt->shape, (char[96]){0}, 96));
    int32_t dims[4] = {(int32_t)wt->shape.d[1], (int32_t)wt->shape.d[2], (int32_t)xt->shape.d[3],
                       (int32_t)(wt->shape.d[3] / xt->shape.d[3])};
    int sv = frost__tfl_const_i32(c, "filter_shape", dims, 4, 1);
    if (sv < 0) return failed(c);
    int rin[2] = {w, sv};
    frost__params rp = {0};
    int f = frost__tfl_helper(c, "filter_hwcm", FROST__OP_RESHAPE, 2, rin, &rp);
    if (f < 0) return failed(c);
    int in[3] = {x, f, b};
    return frost__tfl_emit(c, FROST__OP_DEPTHWISE_CONV2D, 3, in, &p);
}

static frost_status b_fully_connected(tfl_ctx *c) {
    frost__fb_table o;
    if (!frost__tfl_options(c, TFL_OPT_FULLY_CONNECTED, &o)) return failed(c);
    frost__params p = {0};
    if (!act_of(c, act_option(c, o, 0), &p.matmul.act))
        return frost__tfl_unsupported(c, "fused activation SIGN_BIT");
    if (frost__fb_i8(c->fb, o, 1, 0) != 0)
        return frost__tfl_unsupported(c, "weights_format SHUFFLED4x16INT8");
    bool keep = frost__fb_bool(c->fb, o, 2, false);
    p.matmul.transpose_b = true;
    int x = IN(0), w = float_weight(c, 1), b = IN(2);
    TRY_V(x);
    TRY_V(w);
    TRY_V(b);
    if (x < 0 || w < 0) return frost__tfl_bad(c, "needs an input and weights");
    tfl_tensor *wt = frost__tfl_in_tensor(c, 1), *xt = frost__tfl_in_tensor(c, 0);
    tfl_tensor *yt = frost__tfl_out_tensor(c, 0);
    if (wt->shape.rank != 2 || wt->shape.d[1] < 0)
        return frost__tfl_bad(c, "weights have shape %s, expected [units, inputs]",
                              frost__shape_str(&wt->shape, (char[96]){0}, 96));
    int32_t flat[2] = {-1, (int32_t)wt->shape.d[1]};
    int sv = frost__tfl_const_i32(c, "input_shape", flat, 2, 1);
    if (sv < 0) return failed(c);
    int rin[2] = {x, sv};
    frost__params rp = {0};
    int x2 = frost__tfl_helper(c, "input_2d", FROST__OP_RESHAPE, 2, rin, &rp);
    if (x2 < 0) return failed(c);
    int in[3] = {x2, w, b};
    bool reshape_out = keep && xt->shape.rank != 2 && yt->shape.rank > 0;
    if (!reshape_out) return frost__tfl_emit(c, FROST__OP_MATMUL, 3, in, &p);
    int y2 = frost__tfl_helper(c, "matmul", FROST__OP_MATMUL, 3, in, &p);
    if (y2 < 0) return failed(c);
    int32_t od[FROST_MAX_RANK];
    for (int i = 0; i < yt->shape.rank; i++) od[i] = (int32_t)yt->shape.d[i];
    od[0] = -1;
    int ov = frost__tfl_const_i32(c, "output_shape", od, yt->shape.rank, 1);
    if (ov < 0) return failed(c);
    int oin[2] = {y2, ov};
    return frost__tfl_emit(c, FROST__OP_RESHAPE, 2, oin, &rp);
}

/* The transposed conv of input x with TFLite's OHWI weights w (moved to frost's HW O I) and
 * bias b (-1: none). */
static frost_status emit_deconv(tfl_ctx *c, int x, int w, int b, const frost__params *p) {
    int32_t perm[4] = {1, 2, 0, 3}; /* OHWI -> HW O I */
    int pv = frost__tfl_const_i32(c, "ohwi_to_hwoi", perm, 4, 1);
    if (pv < 0) return failed(c);
    int tin[2] = {w, pv};
    int f = frost__tfl_helper(c, "filter_hwoi", FROST__OP_TRANSPOSE, 2, tin, NULL);
    if (f < 0) return failed(c);
    int in[3] = {x, f, b};
    return frost__tfl_emit(c, FROST__OP_CONV2D_TRANSPOSE, 3, in, p);
}

static frost_status b_transpose_conv(tfl_ctx *c) {
    frost__fb_table o;
    if (!frost__tfl_options(c, TFL_OPT_TRANSPOSE_CONV, &o)) return failed(c);
    frost__params p = {0};
    if (!window_of(c, frost__fb_i8(c->fb, o, 0, 0), frost__fb_i32(c->fb, o, 1, 0),
                   frost__fb_i32(c->fb, o, 2, 0), 1, 1, &p.deconv.w))
        return failed(c);
    if (!act_of(c, act_option(c, o, 3), &p.deconv.act))
        return frost__tfl_unsupported(c, "fused activation SIGN_BIT");
    int64_t os[4];
    if (const_ints(c, 0, os, 4) != 4)
        return frost__tfl_unsupported(c, "output_shape is not a constant of 4 values");
    if (os[1] < 1 || os[2] < 1 || os[1] > INT32_MAX || os[2] > INT32_MAX)
        return frost__tfl_bad(c, "output_shape [%lld,%lld,%lld,%lld]", (long long)os[0],
                              (long long)os[1], (long long)os[2], (long long)os[3]);
    p.deconv.out_h = (int)os[1];
    p.deconv.out_w = (int)os[2];
    int w = float_weight(c, 1), x = IN(2), b = IN(3);
    TRY_V(w);
    TRY_V(x);
    TRY_V(b);
    if (x < 0 || w < 0) return frost__tfl_bad(c, "needs an input and weights");
    return emit_deconv(c, x, w, b, &p);
}

/* MediaPipe's Convolution2DTransposeBias (a custom op of its segmentation models): TRANSPOSE_CONV
 * with the operands in the usual order (input, OHWI weights, bias) and no output_shape operand.
 * Its custom options are the raw bytes of TFLite's C struct TfLiteTransposeConvParams: three
 * little-endian int32, padding (TfLitePadding: 1 SAME, 2 VALID), stride width, stride height. */
static frost_status c_conv2d_transpose_bias(tfl_ctx *c) {
    frost__fb_vec o = frost__fb_vec_field(c->fb, c->op, TFL_OP_CUSTOM_OPTIONS, 1,
                                          "Operator.custom_options");
    if (c->fb->bad) return failed(c);
    if (o.len < 12)
        return frost__tfl_bad(c, "custom options have %u bytes; expected 12 (padding, stride "
                              "width, stride height)", o.len);
    int32_t opt[3];
    for (int k = 0; k < 3; k++) {
        uint32_t v = 0;
        for (int b = 3; b >= 0; b--) v = v << 8 | frost__fb_vec_u8(c->fb, o, (uint32_t)(4 * k + b));
        opt[k] = (int32_t)v;
    }
    if (opt[0] != 1 && opt[0] != 2)
        return frost__tfl_bad(c, "padding %d is neither SAME (1) nor VALID (2)", opt[0]);
    frost__params p = {0};
    if (!window_of(c, (int8_t)(opt[0] - 1), opt[1], opt[2], 1, 1, &p.deconv.w)) return failed(c);
    int x = IN(0), w = float_weight(c, 1), b = IN(2);
    TRY_V(x);
    TRY_V(w);
    TRY_V(b);
    if (x < 0 || w < 0) return frost__tfl_bad(c, "needs an input and weights");
    return emit_deconv(c, x, w, b, &p);
}

/* ---- Pooling, softmax, elementwise ---------------------------------------------------------- */

static frost_status pool(tfl_ctx *c, bool is_max) {
    frost__fb_table o;
    if (!frost__tfl_options(c, TFL_OPT_POOL2D, &o)) return failed(c);
    frost__params p = {0};
    p.pool.is_max = is_max;
    if (!window_of(c, frost__fb_i8(c->fb, o, 0, 0), frost__fb_i32(c->fb, o, 1, 0),
                   frost__fb_i32(c->fb, o, 2, 0), 1, 1, &p.pool.w))
        return failed(c);
    p.pool.k_w = frost__fb_i32(c->fb, o, 3, 0);
    p.pool.k_h = frost__fb_i32(c->fb, o, 4, 0);
    if (p.pool.k_w < 1 || p.pool.k_h < 1 || p.pool.k_w > 65536 || p.pool.k_h > 65536)
        return frost__tfl_bad(c, "filter %dx%d", p.pool.k_h, p.pool.k_w);
    int x = IN(0);
    TRY_V(x);
    return emit_with_act(c, FROST__OP_POOL2D, 1, &x, &p, act_option(c, o, 5));
}
static frost_status b_avg_pool(tfl_ctx *c) { return pool(c, false); }
static frost_status b_max_pool(tfl_ctx *c) { return pool(c, true); }

static frost_status b_softmax(tfl_ctx *c) {
    frost__fb_table o;
    if (!frost__tfl_options(c, TFL_OPT_SOFTMAX, &o)) return failed(c);
    frost__params p = {0};
    p.softmax.axis = -1;
    p.softmax.beta = frost__fb_f32(c->fb, o, 0, 1.0f);
    if (!o.pos) p.softmax.beta = 1.0f;
    int x = IN(0);
    TRY_V(x);
    return frost__tfl_emit(c, FROST__OP_SOFTMAX, 1, &x, &p);
}

static frost_status b_log_softmax(tfl_ctx *c) {
    frost__params p = {0};
    p.softmax.axis = -1;
    p.softmax.beta = 1.0f;
    p.softmax.log = true;
    int x = IN(0);
    TRY_V(x);
    return frost__tfl_emit(c, FROST__OP_SOFTMAX, 1, &x, &p);
}

static int unary_fn(int32_t code) {
    switch (code) {
    case TFL_LOGISTIC: return FROST__ACT_SIGMOID;
    case TFL_TANH: return FROST__ACT_TANH;
    case TFL_RELU: return FROST__ACT_RELU;
    case TFL_RELU6: return FROST__ACT_RELU6;
    case TFL_RELU_N1_TO_1: return FROST__ACT_CLIP;
    case TFL_HARD_SWISH: return FROST__ACT_HARD_SWISH;
    case TFL_ELU: return FROST__ACT_ELU;
    case TFL_LEAKY_RELU: return FROST__ACT_LEAKY_RELU;
    case TFL_GELU: return FROST__ACT_GELU;
    case TFL_EXP: return FROST__UN_EXP;
    case TFL_LOG: return FROST__UN_LOG;
    case TFL_SQRT: return FROST__UN_SQRT;
    case TFL_RSQRT: return FROST__UN_RSQRT;
    case TFL_ABS: return FROST__UN_ABS;
    case TFL_NEG: return FROST__UN_NEG;
    case TFL_SIN: return FROST__UN_SIN;
    case TFL_COS: return FROST__UN_COS;
    case TFL_FLOOR: return FROST__UN_FLOOR;
    case TFL_CEIL: return FROST__UN_CEIL;
    case TFL_ROUND: return FROST__UN_ROUND;
    case TFL_SQUARE: return FROST__UN_SQUARE;
    case TFL_LOGICAL_NOT: return FROST__UN_NOT;
    case TFL_SIGN: return FROST__UN_SIGN;
    default: return -1;
    }
}

static frost_status b_unary(tfl_ctx *c) {
    frost__params p = {0};
    p.unary.fn = unary_fn(c->op_code);
    if (c->op_code == TFL_RELU_N1_TO_1) {
        p.unary.alpha = -1;
        p.unary.beta = 1;
    } else if (c->op_code == TFL_ELU) {
        p.unary.alpha = 1;
    } else if (c->op_code == TFL_LEAKY_RELU) {
        frost__fb_table o;
        if (!frost__tfl_options(c, TFL_OPT_LEAKY_RELU, &o)) return failed(c);
        p.unary.alpha = frost__fb_f32(c->fb, o, 0, 0.0f);
    } else if (c->op_code == TFL_GELU) {
        frost__fb_table o;
        if (!frost__tfl_options(c, TFL_OPT_GELU, &o)) return failed(c);
        if (frost__fb_bool(c->fb, o, 0, false)) p.unary.fn = FROST__ACT_GELU_TANH;
    }
    int x = IN(0);
    TRY_V(x);
    return frost__tfl_emit(c, FROST__OP_UNARY, 1, &x, &p);
}

static int binary_fn(int32_t code) {
    switch (code) {
    case TFL_ADD: return FROST__BIN_ADD;
    case TFL_SUB: return FROST__BIN_SUB;
    case TFL_MUL: return FROST__BIN_MUL;
    case TFL_DIV: return FROST__BIN_DIV;
    case TFL_MAXIMUM: return FROST__BIN_MAX;
    case TFL_MINIMUM: return FROST__BIN_MIN;
    case TFL_POW: return FROST__BIN_POW;
    case TFL_SQUARED_DIFFERENCE: return FROST__BIN_SQUARED_DIFF;
    case TFL_FLOOR_DIV: return FROST__BIN_FLOOR_DIV;
    case TFL_FLOOR_MOD: return FROST__BIN_FLOOR_MOD;
    case TFL_PRELU: return FROST__BIN_PRELU;
    case TFL_EQUAL: return FROST__BIN_EQUAL;
    case TFL_NOT_EQUAL: return FROST__BIN_NOT_EQUAL;
    case TFL_LESS: return FROST__BIN_LESS;
    case TFL_LESS_EQUAL: return FROST__BIN_LESS_EQUAL;
    case TFL_GREATER: return FROST__BIN_GREATER;
    case TFL_GREATER_EQUAL: return FROST__BIN_GREATER_EQUAL;
    case TFL_LOGICAL_AND: return FROST__BIN_AND;
    case TFL_LOGICAL_OR: return FROST__BIN_OR;
    default: return -1;
    }
}

static frost_status b_binary(tfl_ctx *c) {
    frost__params p = {0};
    p.binary.fn = binary_fn(c->op_code);
    int act = TFL_ACT_NONE;
    int opt_type = c->op_code == TFL_ADD ? TFL_OPT_ADD : c->op_code == TFL_SUB ? TFL_OPT_SUB
                 : c->op_code == TFL_MUL ? TFL_OPT_MUL : c->op_code == TFL_DIV ? TFL_OPT_DIV : 0;
    if (opt_type) {
        frost__fb_table o;
        if (!frost__tfl_options(c, opt_type, &o)) return failed(c);
        act = act_option(c, o, 0);
    }
    int in[2];
    if (!inputs(c, 2, in, 2)) return failed(c);
    return emit_with_act(c, FROST__OP_BINARY, 2, in, &p, act);
}

static frost_status b_add_n(tfl_ctx *c) {
    int in[64];
    if (c->n_in > 64) return frost__tfl_unsupported(c, "more than 64 inputs");
    if (!inputs(c, c->n_in, in, c->n_in)) return failed(c);
    return frost__tfl_emit(c, FROST__OP_ADD_N, c->n_in, in, NULL);
}

static frost_status b_select(tfl_ctx *c) {
    int in[3];
    if (!inputs(c, 3, in, 3)) return failed(c);
    return frost__tfl_emit(c, FROST__OP_SELECT, 3, in, NULL);
}

static frost_status b_cast(tfl_ctx *c) {
    frost__params p = {0};
    p.cast.to = frost__tfl_out_tensor(c, 0)->dtype;
    if (p.cast.to == FROST_DTYPE_INVALID || p.cast.to == FROST_DTYPE_STRING)
        return frost__tfl_unsupported(c, "cast to a type frost cannot hold");
    int x = IN(0);
    TRY_V(x);
    return frost__tfl_emit(c, FROST__OP_CAST, 1, &x, &p);
}

/* DEQUANTIZE of float16 weights is a cast, folded at load; of integers, tflite_qops.c. */
static frost_status b_dequantize(tfl_ctx *c) {
    tfl_tensor *t = frost__tfl_in_tensor(c, 0);
    if (!t) return frost__tfl_bad(c, "needs an input");
    if (t->type != TFL_FLOAT16) return frost__tfl_q_translate(c);
    frost__params p = {0};
    p.cast.to = FROST_DTYPE_F32;
    int x = IN(0);
    TRY_V(x);
    return frost__tfl_emit(c, FROST__OP_CAST, 1, &x, &p);
}

/* ---- Shapes and data movement --------------------------------------------------------------- */

static frost_status b_reshape(tfl_ctx *c) {
    int x = IN(0);
    TRY_V(x);
    int s = c->n_in > 1 ? IN(1) : -1;
    TRY_V(s);
    tfl_tensor *st = frost__tfl_in_tensor(c, 1);
    frost__params p = {0};
    if (s >= 0 && st && st->shape.rank == 1) {
        int in[2] = {x, s};
        return frost__tfl_emit(c, FROST__OP_RESHAPE, 2, in, &p);
    }
    /* The shape from the options (older converters), else the output tensor's own shape. */
    frost__fb_table o;
    if (!frost__tfl_options(c, TFL_OPT_RESHAPE, &o)) return failed(c);
    frost__fb_vec ns = frost__fb_vec_field(c->fb, o, 0, 4, "ReshapeOptions.new_shape");
    if (c->fb->bad) return failed(c);
    int32_t dims[FROST_MAX_RANK];
    int rank;
    if (ns.len > 0) {
        if (ns.len > FROST_MAX_RANK) return frost__tfl_bad(c, "new_shape has %u dims", ns.len);
        rank = (int)ns.len;
        for (int i = 0; i < rank; i++) dims[i] = frost__fb_vec_i32(c->fb, ns, (uint32_t)i);
    } else {
        tfl_tensor *yt = frost__tfl_out_tensor(c, 0);
        if (yt->shape.rank < 0) return frost__tfl_bad(c, "no target shape anywhere");
        rank = yt->shape.rank;
        for (int i = 0; i < rank; i++) dims[i] = (int32_t)yt->shape.d[i];
    }
    int sv = frost__tfl_const_i32(c, "shape", dims, rank, 1);
    if (sv < 0) return failed(c);
    int in[2] = {x, sv};
    return frost__tfl_emit(c, FROST__OP_RESHAPE, 2, in, &p);
}

static frost_status b_squeeze(tfl_ctx *c) {
    frost__fb_table o;
    if (!frost__tfl_options(c, TFL_OPT_SQUEEZE, &o)) return failed(c);
    frost__fb_vec dv = frost__fb_vec_field(c->fb, o, 0, 4, "SqueezeOptions.squeeze_dims");
    if (c->fb->bad) return failed(c);
    int x = IN(0);
    TRY_V(x);
    if (dv.len == 0) return frost__tfl_emit(c, FROST__OP_SQUEEZE, 1, &x, NULL);
    if (dv.len > FROST_MAX_RANK) return frost__tfl_bad(c, "%u squeeze_dims", dv.len);
    int32_t d[FROST_MAX_RANK];
    for (uint32_t i = 0; i < dv.len; i++) d[i] = frost__fb_vec_i32(c->fb, dv, i);
    int av = frost__tfl_const_i32(c, "axes", d, (int)dv.len, 1);
    if (av < 0) return failed(c);
    int in[2] = {x, av};
    return frost__tfl_emit(c, FROST__OP_SQUEEZE, 2, in, NULL);
}

/* Ops whose operands already are tensors, in frost's order: emit as is. */
static frost_status plain(tfl_ctx *c, int op, int n, const frost__params *p) {
    int in[8];
    if (!inputs(c, n, in, n)) return failed(c);
    return frost__tfl_emit(c, op, n, in, p);
}
static frost_status b_expand_dims(tfl_ctx *c) { return plain(c, FROST__OP_EXPAND_DIMS, 2, NULL); }
static frost_status b_transpose(tfl_ctx *c) { return plain(c, FROST__OP_TRANSPOSE, 2, NULL); }
static frost_status b_tile(tfl_ctx *c) { return plain(c, FROST__OP_TILE, 2, NULL); }
static frost_status b_broadcast_to(tfl_ctx *c) { return plain(c, FROST__OP_EXPAND, 2, NULL); }
static frost_status b_fill(tfl_ctx *c) { return plain(c, FROST__OP_FILL, 2, NULL); }
static frost_status b_range(tfl_ctx *c) { return plain(c, FROST__OP_RANGE, 3, NULL); }

static frost_status b_zeros_like(tfl_ctx *c) {
    frost__params p = {0};
    return plain(c, FROST__OP_FILL_LIKE, 1, &p);
}

static frost_status b_shape(tfl_ctx *c) {
    frost__fb_table o;
    if (!frost__tfl_options(c, TFL_OPT_SHAPE, &o)) return failed(c);
    frost__params p = {0};
    p.shape.out_dtype = frost__fb_i8(c->fb, o, 0, TFL_INT32) == TFL_INT64 ? FROST_DTYPE_I64
                                                                          : FROST_DTYPE_I32;
    return plain(c, FROST__OP_SHAPE, 1, &p);
}

static frost_status b_concat(tfl_ctx *c) {
    frost__fb_table o;
    if (!frost__tfl_options(c, TFL_OPT_CONCATENATION, &o)) return failed(c);
    int axis = frost__fb_i32(c->fb, o, 0, 0);
    if (c->n_in > 1024 || c->n_in < 1) return frost__tfl_bad(c, "%d inputs", c->n_in);
    int *in = frost__alloc(&c->g->alloc, (size_t)(c->n_in + 1) * sizeof(int));
    if (!in) return frost__fail(c->err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
    frost_status st = FROST_OK;
    if (!inputs(c, c->n_in, in, c->n_in)) st = failed(c);
    if (st == FROST_OK) {
        in[c->n_in] = const_scalar_i32(c, "axis", axis);
        if (in[c->n_in] < 0) st = failed(c);
    }
    if (st == FROST_OK) st = emit_with_act(c, FROST__OP_CONCAT, c->n_in + 1, in, NULL, act_option(c, o, 1));
    frost__free(&c->g->alloc, in);
    return st;
}

static frost_status b_pack(tfl_ctx *c) {
    frost__fb_table o;
    if (!frost__tfl_options(c, TFL_OPT_PACK, &o)) return failed(c);
    frost__params p = {0};
    p.pack.axis = frost__fb_i32(c->fb, o, 1, 0);
    if (c->n_in > 1024) return frost__tfl_bad(c, "%d inputs", c->n_in);
    int *in = frost__alloc(&c->g->alloc, (size_t)c->n_in * sizeof(int));
    if (!in) return frost__fail(c->err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
    frost_status st = inputs(c, c->n_in, in, c->n_in) ? frost__tfl_emit(c, FROST__OP_PACK, c->n_in, in, &p)
                                                      : failed(c);
    frost__free(&c->g->alloc, in);
    return st;
}

static frost_status b_unpack(tfl_ctx *c) {
    frost__fb_table o;
    if (!frost__tfl_options(c, TFL_OPT_UNPACK, &o)) return failed(c);
    frost__params p = {0};
    p.pack.axis = frost__fb_i32(c->fb, o, 1, 0);
    return plain(c, FROST__OP_UNPACK, 1, &p);
}

static frost_status b_pad(tfl_ctx *c) {
    frost__params p = {0};
    int in[3];
    int n = c->op_code == TFL_PADV2 ? 3 : 2;
    if (!inputs(c, n, in, 2)) return failed(c);
    if (c->op_code == TFL_MIRROR_PAD) {
        frost__fb_table o;
        if (!frost__tfl_options(c, TFL_OPT_MIRROR_PAD, &o)) return failed(c);
        p.pad.mode = frost__fb_i8(c->fb, o, 0, 0) == 1 ? FROST__PADMODE_SYMMETRIC
                                                        : FROST__PADMODE_REFLECT;
        n = 2;
    } else if (c->op_code == TFL_PAD) {
        /* Quantized tensors pad with the zero point: the real value 0. */
        tfl_tensor *xt = frost__tfl_in_tensor(c, 0);
        if (frost__tfl_is_quantized(xt)) {
            int64_t zp = frost__tfl_zero_point(c, xt, 0);
            unsigned char bytes[8];
            frost__shape s0 = {0};
            if (xt->dtype == FROST_DTYPE_I8) bytes[0] = (unsigned char)(int8_t)zp;
            else if (xt->dtype == FROST_DTYPE_U8) bytes[0] = (unsigned char)(uint8_t)zp;
            else if (xt->dtype == FROST_DTYPE_I16) { int16_t v = (int16_t)zp; memcpy(bytes, &v, 2); }
            else return frost__tfl_unsupported(c, "quantized PAD of this type");
            in[2] = frost__tfl_const(c, "pad_value", xt->dtype, &s0, bytes, frost_dtype_size(xt->dtype));
            if (in[2] < 0) return failed(c);
            n = 3;
        }
    }
    return frost__tfl_emit(c, FROST__OP_PAD, n, in, &p);
}

static frost_status b_reduce(tfl_ctx *c) {
    frost__fb_table o;
    if (!frost__tfl_options(c, TFL_OPT_REDUCER, &o)) return failed(c);
    frost__params p = {0};
    p.reduce.keep_dims = frost__fb_bool(c->fb, o, 0, false);
    switch (c->op_code) {
    case TFL_MEAN: p.reduce.fn = FROST__RED_MEAN; break;
    case TFL_SUM: p.reduce.fn = FROST__RED_SUM; break;
    case TFL_REDUCE_MAX: p.reduce.fn = FROST__RED_MAX; break;
    case TFL_REDUCE_MIN: p.reduce.fn = FROST__RED_MIN; break;
    default: p.reduce.fn = FROST__RED_PROD; break;
    }
    p.reduce.noop_with_empty_axes = true;
    return plain(c, FROST__OP_REDUCE, 2, &p);
}

static frost_status b_resize(tfl_ctx *c) {
    bool bilinear = c->op_code == TFL_RESIZE_BILINEAR;
    frost__fb_table o;
    if (!frost__tfl_options(c, bilinear ? TFL_OPT_RESIZE_BILINEAR : TFL_OPT_RESIZE_NEAREST, &o))
        return failed(c);
    bool align = frost__fb_bool(c->fb, o, bilinear ? 2 : 0, false);
    bool half = frost__fb_bool(c->fb, o, bilinear ? 3 : 1, false);
    frost__params p = {0};
    p.resize.mode = bilinear ? 1 : 0;
    if (bilinear) {
        p.resize.coord = align ? 2 : half ? 1 : 0;
    } else {
        if (align && half) return frost__tfl_unsupported(c, "align_corners with half_pixel_centers");
        p.resize.coord = align ? 2 : half ? 4 : 0;
        p.resize.nearest_mode = align ? 1 : 2; /* TFLite rounds half up with align_corners */
    }
    return plain(c, FROST__OP_RESIZE, 2, &p);
}

static frost_status b_strided_slice(tfl_ctx *c) {
    frost__fb_table o;
    if (!frost__tfl_options(c, TFL_OPT_STRIDED_SLICE, &o)) return failed(c);
    frost__params p = {0};
    p.strided_slice.begin_mask = frost__fb_i32(c->fb, o, 0, 0);
    p.strided_slice.end_mask = frost__fb_i32(c->fb, o, 1, 0);
    p.strided_slice.ellipsis_mask = frost__fb_i32(c->fb, o, 2, 0);
    p.strided_slice.new_axis_mask = frost__fb_i32(c->fb, o, 3, 0);
    p.strided_slice.shrink_axis_mask = frost__fb_i32(c->fb, o, 4, 0);
    if (frost__fb_bool(c->fb, o, 5, false))
        return frost__tfl_unsupported(c, "STRIDED_SLICE with offset = true");
    return plain(c, FROST__OP_STRIDED_SLICE, 4, &p);
}

static frost_status b_slice(tfl_ctx *c) {
    int64_t begin[FROST_MAX_RANK], size[FROST_MAX_RANK];
    int nb = const_ints(c, 1, begin, FROST_MAX_RANK), ns = const_ints(c, 2, size, FROST_MAX_RANK);
    if (nb < 0 || ns != nb) return frost__tfl_unsupported(c, "SLICE with non-constant begin/size");
    int64_t end[FROST_MAX_RANK];
    for (int i = 0; i < nb; i++) {
        if (begin[i] < 0 || size[i] < -1) return frost__tfl_bad(c, "begin %lld size %lld",
                                                                (long long)begin[i], (long long)size[i]);
        end[i] = size[i] == -1 ? INT64_MAX : begin[i] + size[i];
    }
    int x = IN(0);
    TRY_V(x);
    frost__shape s = frost__shape_make(1, (int64_t[]){nb});
    int bv = frost__tfl_const(c, "starts", FROST_DTYPE_I64, &s, begin, (size_t)nb * 8);
    int ev = bv >= 0 ? frost__tfl_const(c, "ends", FROST_DTYPE_I64, &s, end, (size_t)nb * 8) : -1;
    if (ev < 0) return failed(c);
    int in[3] = {x, bv, ev};
    return frost__tfl_emit(c, FROST__OP_SLICE, 3, in, NULL);
}

static frost_status b_split(tfl_ctx *c) {
    /* SPLIT: (axis, x); SPLIT_V: (x, size_splits, axis). frost: (x, axis, sizes). */
    int in[3];
    if (c->op_code == TFL_SPLIT) {
        int a = IN(0), x = IN(1);
        TRY_V(a);
        TRY_V(x);
        if (a < 0 || x < 0) return frost__tfl_bad(c, "needs an axis and an input");
        in[0] = x;
        in[1] = a;
        return frost__tfl_emit(c, FROST__OP_SPLIT, 2, in, NULL);
    }
    int x = IN(0), s = IN(1), a = IN(2);
    TRY_V(x);
    TRY_V(s);
    TRY_V(a);
    if (x < 0 || s < 0 || a < 0) return frost__tfl_bad(c, "needs an input, sizes and an axis");
    in[0] = x;
    in[1] = a;
    in[2] = s;
    return frost__tfl_emit(c, FROST__OP_SPLIT, 3, in, NULL);
}

static frost_status b_gather(tfl_ctx *c) {
    frost__fb_table o;
    if (!frost__tfl_options(c, TFL_OPT_GATHER, &o)) return failed(c);
    frost__params p = {0};
    int axis = frost__fb_i32(c->fb, o, 0, 0);
    p.gather.batch_dims = frost__fb_i32(c->fb, o, 1, 0);
    int in[3];
    if (!inputs(c, 2, in, 2)) return failed(c);
    in[2] = const_scalar_i32(c, "axis", axis);
    if (in[2] < 0) return failed(c);
    return frost__tfl_emit(c, FROST__OP_GATHER, 3, in, &p);
}

static frost_status b_arg(tfl_ctx *c) {
    bool is_max = c->op_code == TFL_ARG_MAX;
    frost__fb_table o;
    if (!frost__tfl_options(c, is_max ? TFL_OPT_ARG_MAX : TFL_OPT_ARG_MIN, &o)) return failed(c);
    frost__params p = {0};
    p.arg.is_max = is_max;
    p.arg.out_dtype = frost__fb_i8(c->fb, o, 0, TFL_INT64) == TFL_INT32 ? FROST_DTYPE_I32
                                                                        : FROST_DTYPE_I64;
    return plain(c, FROST__OP_ARG, 2, &p);
}

static frost_status b_one_hot(tfl_ctx *c) {
    frost__fb_table o;
    if (!frost__tfl_options(c, TFL_OPT_ONE_HOT, &o)) return failed(c);
    frost__params p = {0};
    p.one_hot.axis = frost__fb_i32(c->fb, o, 0, -1);
    return plain(c, FROST__OP_ONE_HOT, 4, &p);
}

static frost_status b_batch_matmul(tfl_ctx *c) {
    frost__fb_table o;
    if (!frost__tfl_options(c, TFL_OPT_BATCH_MATMUL, &o)) return failed(c);
    frost__params p = {0};
    p.matmul.transpose_a = frost__fb_bool(c->fb, o, 0, false);
    p.matmul.transpose_b = frost__fb_bool(c->fb, o, 1, false);
    return plain(c, FROST__OP_MATMUL, 2, &p);
}

/* DEPTH_TO_SPACE / SPACE_TO_DEPTH as reshape, transpose, reshape (TensorFlow's DCR order). */
static frost_status b_depth_space(tfl_ctx *c) {
    bool d2s = c->op_code == TFL_DEPTH_TO_SPACE;
    frost__fb_table o;
    if (!frost__tfl_options(c, d2s ? TFL_OPT_DEPTH_TO_SPACE : TFL_OPT_SPACE_TO_DEPTH, &o))
        return failed(c);
    int b = frost__fb_i32(c->fb, o, 0, 0);
    tfl_tensor *xt = frost__tfl_in_tensor(c, 0);
    if (b < 1 || b > 4096 || !xt || xt->shape.rank != 4)
        return frost__tfl_bad(c, "block_size %d on input of rank %d", b, xt ? xt->shape.rank : -1);
    int64_t H = xt->shape.d[1], W = xt->shape.d[2], C = xt->shape.d[3];
    if (H < 0 || W < 0 || C < 0) return frost__tfl_unsupported(c, "input dims unknown at load");
    if (d2s ? C % ((int64_t)b * b) : (H % b || W % b))
        return frost__tfl_bad(c, "block_size %d does not divide the input", b);
    int32_t s1[6], s2[4];
    if (d2s) {
        int32_t t1[6] = {-1, (int32_t)H, (int32_t)W, b, b, (int32_t)(C / ((int64_t)b * b))};
        int32_t t2[4] = {-1, (int32_t)(H * b), (int32_t)(W * b), (int32_t)(C / ((int64_t)b * b))};
        memcpy(s1, t1, sizeof t1);
        memcpy(s2, t2, sizeof t2);
    } else {
        int32_t t1[6] = {-1, (int32_t)(H / b), b, (int32_t)(W / b), b, (int32_t)C};
        int32_t t2[4] = {-1, (int32_t)(H / b), (int32_t)(W / b), (int32_t)(C * b * b)};
        memcpy(s1, t1, sizeof t1);
        memcpy(s2, t2, sizeof t2);
    }
    int32_t perm[6] = {0, 1, 3, 2, 4, 5};
    int x = IN(0);
    TRY_V(x);
    int v1 = frost__tfl_const_i32(c, "shape6", s1, 6, 1);
    int vp = v1 >= 0 ? frost__tfl_const_i32(c, "perm", perm, 6, 1) : -1;
    int v2 = vp >= 0 ? frost__tfl_const_i32(c, "shape4", s2, 4, 1) : -1;
    if (v2 < 0) return failed(c);
    frost__params rp = {0};
    int r1 = frost__tfl_helper(c, "blocks", FROST__OP_RESHAPE, 2, (int[]){x, v1}, &rp);
    int t = r1 >= 0 ? frost__tfl_helper(c, "moved", FROST__OP_TRANSPOSE, 2, (int[]){r1, vp}, NULL) : -1;
    if (t < 0) return failed(c);
    return frost__tfl_emit(c, FROST__OP_RESHAPE, 2, (int[]){t, v2}, &rp);
}

/* SPACE_TO_BATCH_ND(input, block_shape, paddings) and BATCH_TO_SPACE_ND(input, block_shape, crops),
 * as TensorFlow's ops of the same names (the ops check their operands: ops/space_batch.c). A
 * dilated convolution's pair is folded into the conv by passes/dilated_conv.c. The padding of a
 * quantized SPACE_TO_BATCH_ND is the real value 0, i.e. the zero point, which the op (it pads with
 * 0) cannot write: refused unless the zero point is 0. */
static frost_status b_space_batch(tfl_ctx *c) {
    const bool s2b = c->op_code == TFL_SPACE_TO_BATCH_ND;
    tfl_tensor *xt = frost__tfl_in_tensor(c, 0);
    if (s2b && xt && frost__tfl_is_quantized(xt) && frost__tfl_zero_point(c, xt, 0) != 0)
        return frost__tfl_unsupported(c, "quantized input with a zero point other than 0");
    return plain(c, s2b ? FROST__OP_SPACE_TO_BATCH : FROST__OP_BATCH_TO_SPACE, 3, NULL);
}

/* ---- Control flow -------------------------------------------------------------------------- */

/* IF: both branch subgraphs are translated and each output selects between them by the condition.
 * Branches have no side effects in TFLite's builtin ops, so computing both gives the same values
 * (at the cost of running the untaken one). */
static frost_status b_if(tfl_ctx *c) {
    frost__fb_table o;
    if (!frost__tfl_options(c, TFL_OPT_IF, &o)) return failed(c);
    const int32_t then_sg = frost__fb_i32(c->fb, o, 0, -1), else_sg = frost__fb_i32(c->fb, o, 1, -1);
    if (c->n_in > 128 || c->n_out > 128) return frost__tfl_unsupported(c, "more than 128 operands");
    int args[128], then_out[128], else_out[128];
    int cond = IN(0);
    if (cond < 0) return cond < -1 ? failed(c) : frost__tfl_bad(c, "needs a condition");
    for (int k = 1; k < c->n_in; k++) {
        args[k - 1] = IN(k);
        if (args[k - 1] < 0) return args[k - 1] < -1 ? failed(c) : frost__tfl_bad(c, "input %d is absent", k);
    }
    FROST_TRY(frost__tfl_subgraph(c, then_sg, args, c->n_in - 1, then_out, c->n_out));
    FROST_TRY(frost__tfl_subgraph(c, else_sg, args, c->n_in - 1, else_out, c->n_out));
    for (int k = 0; k < c->n_out; k++)
        FROST_TRY(frost__tfl_emit_output(c, k, FROST__OP_SELECT, 3, (int[]){cond, then_out[k], else_out[k]}, NULL));
    frost__graph_report(c->g, "tflite: operator %d (IF): both branches (subgraphs %d, %d) computed, "
                        "outputs selected by the condition", c->op_index, (int)then_sg, (int)else_sg);
    return FROST_OK;
}

/* ---- The table ------------------------------------------------------------------------------ */

typedef frost_status (*tfl_builder)(tfl_ctx *c);

typedef struct tfl_op_entry {
    int32_t code;
    tfl_builder build;
    int8_t min_in, max_in;   /* operator input count (optional inputs counted)                */
    int8_t n_out;            /* -1: any                                                      */
    int8_t max_version;      /* newest op version whose semantics the builder knows           */
    bool quant_arith;        /* on quantized tensors, tflite_qops.c does the arithmetic        */
} tfl_op_entry;

static const tfl_op_entry op_table[] = {
    {TFL_ADD, b_binary, 2, 2, 1, 5, true},
    {TFL_AVERAGE_POOL_2D, b_avg_pool, 1, 1, 1, 3, true},
    {TFL_CONCATENATION, b_concat, 1, 127, 1, 4, true},
    {TFL_CONV_2D, b_conv2d, 2, 3, 1, 8, true},
    {TFL_DEPTHWISE_CONV_2D, b_depthwise, 2, 3, 1, 7, true},
    {TFL_DEPTH_TO_SPACE, b_depth_space, 1, 1, 1, 2, false},
    {TFL_DEQUANTIZE, b_dequantize, 1, 1, 1, 6, false},
    {TFL_FLOOR, b_unary, 1, 1, 1, 2, false},
    {TFL_FULLY_CONNECTED, b_fully_connected, 2, 3, 1, 12, true},
    {TFL_LOGISTIC, b_unary, 1, 1, 1, 3, true},
    {TFL_MAX_POOL_2D, b_max_pool, 1, 1, 1, 3, true},
    {TFL_MUL, b_binary, 2, 2, 1, 7, true},
    {TFL_RELU, b_unary, 1, 1, 1, 3, true},
    {TFL_RELU_N1_TO_1, b_unary, 1, 1, 1, 1, true},
    {TFL_RELU6, b_unary, 1, 1, 1, 3, true},
    {TFL_RESHAPE, b_reshape, 1, 2, 1, 1, false},
    {TFL_RESIZE_BILINEAR, b_resize, 2, 2, 1, 4, true},
    {TFL_SOFTMAX, b_softmax, 1, 1, 1, 3, true},
    {TFL_SPACE_TO_DEPTH, b_depth_space, 1, 1, 1, 2, false},
    {TFL_TANH, b_unary, 1, 1, 1, 3, true},
    {TFL_PAD, b_pad, 2, 2, 1, 4, false},
    {TFL_GATHER, b_gather, 2, 2, 1, 7, false},
    {TFL_BATCH_TO_SPACE_ND, b_space_batch, 3, 3, 1, 4, false},
    {TFL_SPACE_TO_BATCH_ND, b_space_batch, 3, 3, 1, 4, false},
    {TFL_TRANSPOSE, b_transpose, 2, 2, 1, 6, false},
    {TFL_MEAN, b_reduce, 2, 2, 1, 3, true},
    {TFL_SUB, b_binary, 2, 2, 1, 5, true},
    {TFL_DIV, b_binary, 2, 2, 1, 2, false},
    {TFL_SQUEEZE, b_squeeze, 1, 1, 1, 2, false},
    {TFL_STRIDED_SLICE, b_strided_slice, 4, 4, 1, 8, false},
    {TFL_EXP, b_unary, 1, 1, 1, 2, false},
    {TFL_SPLIT, b_split, 2, 2, -1, 4, false},
    {TFL_LOG_SOFTMAX, b_log_softmax, 1, 1, 1, 2, false},
    {TFL_CAST, b_cast, 1, 1, 1, 6, false},
    {TFL_PRELU, b_binary, 2, 2, 1, 1, false},
    {TFL_MAXIMUM, b_binary, 2, 2, 1, 4, false},
    {TFL_ARG_MAX, b_arg, 2, 2, 1, 3, false},
    {TFL_MINIMUM, b_binary, 2, 2, 1, 4, false},
    {TFL_LESS, b_binary, 2, 2, 1, 3, false},
    {TFL_NEG, b_unary, 1, 1, 1, 2, false},
    {TFL_PADV2, b_pad, 3, 3, 1, 4, false},
    {TFL_GREATER, b_binary, 2, 2, 1, 2, false},
    {TFL_GREATER_EQUAL, b_binary, 2, 2, 1, 3, false},
    {TFL_LESS_EQUAL, b_binary, 2, 2, 1, 3, false},
    {TFL_SELECT, b_select, 3, 3, 1, 4, false},
    {TFL_SLICE, b_slice, 3, 3, 1, 6, false},
    {TFL_SIN, b_unary, 1, 1, 1, 1, false},
    {TFL_TRANSPOSE_CONV, b_transpose_conv, 3, 4, 1, 5, true},
    {TFL_TILE, b_tile, 2, 2, 1, 3, false},
    {TFL_EXPAND_DIMS, b_expand_dims, 2, 2, 1, 2, false},
    {TFL_EQUAL, b_binary, 2, 2, 1, 4, false},
    {TFL_NOT_EQUAL, b_binary, 2, 2, 1, 3, false},
    {TFL_LOG, b_unary, 1, 1, 1, 2, false},
    {TFL_SUM, b_reduce, 2, 2, 1, 2, false},
    {TFL_SQRT, b_unary, 1, 1, 1, 2, false},
    {TFL_RSQRT, b_unary, 1, 1, 1, 3, false},
    {TFL_SHAPE, b_shape, 1, 1, 1, 1, false},
    {TFL_POW, b_binary, 2, 2, 1, 1, false},
    {TFL_ARG_MIN, b_arg, 2, 2, 1, 3, false},
    {TFL_REDUCE_PROD, b_reduce, 2, 2, 1, 2, false},
    {TFL_REDUCE_MAX, b_reduce, 2, 2, 1, 3, false},
    {TFL_PACK, b_pack, 1, 127, 1, 4, false},
    {TFL_LOGICAL_OR, b_binary, 2, 2, 1, 1, false},
    {TFL_ONE_HOT, b_one_hot, 4, 4, 1, 1, false},
    {TFL_LOGICAL_AND, b_binary, 2, 2, 1, 1, false},
    {TFL_LOGICAL_NOT, b_unary, 1, 1, 1, 1, false},
    {TFL_UNPACK, b_unpack, 1, 1, -1, 4, false},
    {TFL_REDUCE_MIN, b_reduce, 2, 2, 1, 3, false},
    {TFL_FLOOR_DIV, b_binary, 2, 2, 1, 3, false},
    {TFL_SQUARE, b_unary, 1, 1, 1, 1, false},
    {TFL_ZEROS_LIKE, b_zeros_like, 1, 1, 1, 1, false},
    {TFL_FILL, b_fill, 2, 2, 1, 4, false},
    {TFL_FLOOR_MOD, b_binary, 2, 2, 1, 2, false},
    {TFL_RANGE, b_range, 3, 3, 1, 2, false},
    {TFL_RESIZE_NEAREST_NEIGHBOR, b_resize, 2, 2, 1, 4, false},
    {TFL_LEAKY_RELU, b_unary, 1, 1, 1, 2, true},
    {TFL_SQUARED_DIFFERENCE, b_binary, 2, 2, 1, 2, false},
    {TFL_MIRROR_PAD, b_pad, 2, 2, 1, 3, false},
    {TFL_ABS, b_unary, 1, 1, 1, 5, false},
    {TFL_SPLIT_V, b_split, 3, 3, -1, 2, false},
    {TFL_CEIL, b_unary, 1, 1, 1, 2, false},
    {TFL_ADD_N, b_add_n, 1, 64, 1, 1, false},
    {TFL_COS, b_unary, 1, 1, 1, 1, false},
    {TFL_ELU, b_unary, 1, 1, 1, 2, true},
    {TFL_QUANTIZE, frost__tfl_q_translate, 1, 1, 1, 3, false},
    {TFL_ROUND, b_unary, 1, 1, 1, 1, false},
    {TFL_HARD_SWISH, b_unary, 1, 1, 1, 1, true},
    {TFL_SELECT_V2, b_select, 3, 3, 1, 2, false},
    {TFL_BATCH_MATMUL, b_batch_matmul, 2, 2, 1, 4, false},
    {TFL_BROADCAST_TO, b_broadcast_to, 2, 2, 1, 3, false},
    {TFL_GELU, b_unary, 1, 1, 1, 2, false},
    {TFL_SIGN, b_unary, 1, 1, 1, 2, false},
    {TFL_IF, b_if, 1, 127, -1, 1, false},
    {TFL_DENSIFY, frost__tfl_densify, 1, 1, 1, 1, false},
};

static bool quantized_io(tfl_ctx *c) {
    for (int k = 0; k < c->n_in; k++) {
        tfl_tensor *t = frost__tfl_in_tensor(c, k);
        if (t && !t->data && frost__tfl_is_quantized(t) && t->type != TFL_INT32) return true;
    }
    return frost__tfl_is_quantized(frost__tfl_out_tensor(c, 0)) &&
           frost__tfl_out_tensor(c, 0)->type != TFL_INT32;
}

frost_status frost__tfl_translate(tfl_ctx *c) {
    char why[160];
    if (c->op_code == TFL_CUSTOM) {
        /* Custom ops frost knows by their custom code; float only. */
        if (strcmp(c->op_name, "Convolution2DTransposeBias") == 0 && c->n_in == 3 &&
            c->n_out == 1 && !quantized_io(c))
            return c_conv2d_transpose_bias(c);
        return frost__tfl_unsupported(c, "custom operator");
    }
    for (size_t i = 0; i < FROST_ARRAY_LEN(op_table); i++) {
        const tfl_op_entry *e = &op_table[i];
        if (e->code != c->op_code) continue;
        if (c->op_version > e->max_version) {
            snprintf(why, sizeof why, "version %d (frost knows versions up to %d)", c->op_version,
                     e->max_version);
            return frost__tfl_unsupported(c, why);
        }
        if (c->n_in < e->min_in || c->n_in > e->max_in || (e->n_out >= 0 && c->n_out != e->n_out))
            return frost__tfl_bad(c, "has %d inputs and %d outputs", c->n_in, c->n_out);
        if (e->quant_arith && quantized_io(c)) return frost__tfl_q_translate(c);
        return e->build(c);
    }
    return frost__tfl_unsupported(c, NULL);
}
