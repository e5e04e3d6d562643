/* tflite_qops.c — builders for TFLite operators on quantized integers (int8, uint8, int16x8).
 * Each computes, once at load and with TFLite's own rules, what its kernel needs as integers: the
 * fixed-point multiplier and shift of every rescaling (QuantizeMultiplier of the real ratio of
 * scales, in double), the zero points, and the clamp range of the fused activation
 * (CalculateActivationRangeQuantized) — then emits a quantized op (ops/quant.h) that runs integer
 * arithmetic only. 8-bit activation functions become 256-entry tables built the way TFLite
 * builds them (LUTPopulate, or its integer ReluX for the ReLU family).
 *
 * What it must never do: dequantize to float and pretend. An op or type combination without an
 * integer path here is refused by name (frost__tfl_unsupported), never approximated. */
#include "import/tflite/tflite_internal.h"

#include <math.h>
#include <stdio.h>

#include "core/quant.h"

#define IN(k) frost__tfl_in(c, (k))

/* The status of a failure already reported in c->err (the reader's own failures are reported by
 * tflite_import.c with their offset). */
static frost_status failed(tfl_ctx *c) {
    if (c->err->code != FROST_OK) return c->err->code;
    if (c->op_refused) return FROST_OK; /* refused by name: the load reports it with the others */
    return c->fb->bad ? FROST_E_FORMAT : frost__tfl_bad(c, "malformed operator");
}

static void qrange(int type, int32_t *lo, int32_t *hi) {
    switch (type) {
    case TFL_UINT8: *lo = 0; *hi = 255; break;
    case TFL_INT8: *lo = -128; *hi = 127; break;
    default: *lo = -32768; *hi = 32767; break;
    }
}

static bool q8_or_16(const tfl_tensor *t) {
    return t && (t->type == TFL_INT8 || t->type == TFL_UINT8 || t->type == TFL_INT16);
}

/* The clamp of a fused activation in the output's quantized domain; false for TANH/SIGN_BIT. */
static bool act_range(tfl_ctx *c, int act, const tfl_tensor *out, int32_t *lo, int32_t *hi) {
    qrange(out->type, lo, hi);
    const float scale = frost__tfl_scale(c, out, 0);
    const int32_t zp = (int32_t)frost__tfl_zero_point(c, out, 0);
#define QUANT(f) ((int32_t)((uint32_t)zp + (uint32_t)frost__q_f2i(roundf((f) / scale))))
    switch (act) {
    case TFL_ACT_NONE: return true;
    case TFL_ACT_RELU: *lo = FROST_MAX(*lo, QUANT(0.0f)); return true;
    case TFL_ACT_RELU6:
        *lo = FROST_MAX(*lo, QUANT(0.0f));
        *hi = FROST_MIN(*hi, QUANT(6.0f));
        return true;
    case TFL_ACT_RELU_N1_TO_1:
        *lo = FROST_MAX(*lo, QUANT(-1.0f));
        *hi = FROST_MIN(*hi, QUANT(1.0f));
        return true;
    default: return false;
    }
#undef QUANT
}

/* QuantizeMultiplier, refusing shifts the kernels cannot apply. */
static bool multiplier(tfl_ctx *c, double real, int max_shift, int32_t *m, int32_t *s) {
    int shift;
    frost__q_quantize_multiplier(real, m, &shift);
    *s = shift;
    if (shift > max_shift || !(real >= 0) || !isfinite(real)) {
        char why[128];
        snprintf(why, sizeof why, "requantization by %g is out of the range TFLite supports", real);
        frost__tfl_unsupported(c, why);
        return false;
    }
    return true;
}

static int qp_const(tfl_ctx *c, const int32_t *qp, int n) { return frost__tfl_const_i32(c, "qp", qp, n, 1); }

/* Checks that the op's named tensors are quantized 8/16-bit (or refuses). */
static bool require_q(tfl_ctx *c, const tfl_tensor *t, const char *what) {
    if (q8_or_16(t) && frost__tfl_is_quantized(t) && t->n_q == 1) return true;
    char why[160];
    snprintf(why, sizeof why, "%s is %s%s; frost runs this op on per-tensor quantized int8, uint8 "
             "or int16", what, t && t->n_q ? "quantized " : "", t ? frost_dtype_name(t->dtype) : "absent");
    frost__tfl_unsupported(c, why);
    return false;
}

/* ---- Conv, depthwise conv, fully connected -------------------------------------------------- */

static frost_status q_conv_like(tfl_ctx *c) {
    const int code = c->op_code;
    tfl_tensor *xt = frost__tfl_in_tensor(c, 0), *wt = frost__tfl_in_tensor(c, 1);
    tfl_tensor *bt = frost__tfl_in_tensor(c, 2), *yt = frost__tfl_out_tensor(c, 0);
    if (!require_q(c, xt, "the input") || !require_q(c, yt, "the output")) return failed(c);
    if (!wt || !frost__tfl_is_quantized(wt) || !q8_or_16(wt) || wt->type == TFL_INT16)
        return frost__tfl_unsupported(c, "weights are not quantized 8-bit");
    if (xt->type != yt->type || (xt->type == TFL_INT16 ? wt->type != TFL_INT8 : wt->type != xt->type))
        return frost__tfl_unsupported(c, "this mix of input, weight and output types");
    frost__fb_table o;
    frost__params p = {0};
    int act, op;
    int64_t cout;
    if (code == TFL_FULLY_CONNECTED) {
        if (!frost__tfl_options(c, TFL_OPT_FULLY_CONNECTED, &o)) return failed(c);
        act = frost__fb_i8(c->fb, o, 0, 0);
        if (frost__fb_i8(c->fb, o, 1, 0) != 0)
            return frost__tfl_unsupported(c, "weights_format SHUFFLED4x16INT8");
        if (wt->shape.rank != 2) return frost__tfl_bad(c, "weights have rank %d", wt->shape.rank);
        cout = wt->shape.d[0];
        op = FROST__OP_QFULLY_CONNECTED;
    } else {
        bool dw = code == TFL_DEPTHWISE_CONV_2D;
        if (!frost__tfl_options(c, dw ? TFL_OPT_DEPTHWISE : TFL_OPT_CONV2D, &o)) return failed(c);
        int8_t pad = frost__fb_i8(c->fb, o, 0, 0);
        p.quant.w.padding = pad == 0 ? FROST__PAD_SAME_UPPER : FROST__PAD_VALID;
        p.quant.w.stride_w = frost__fb_i32(c->fb, o, 1, 0);
        p.quant.w.stride_h = frost__fb_i32(c->fb, o, 2, 0);
        act = frost__fb_i8(c->fb, o, dw ? 4 : 3, 0);
        p.quant.w.dilation_w = frost__fb_i32(c->fb, o, dw ? 5 : 4, 1);
        p.quant.w.dilation_h = frost__fb_i32(c->fb, o, dw ? 6 : 5, 1);
        if (pad != 0 && pad != 1) return frost__tfl_bad(c, "padding %d", pad);
        const frost__window *w = &p.quant.w;
        if (w->stride_h < 1 || w->stride_w < 1 || w->dilation_h < 1 || w->dilation_w < 1 ||
            w->stride_h > 65536 || w->stride_w > 65536 || w->dilation_h > 65536 || w->dilation_w > 65536)
            return frost__tfl_bad(c, "stride %dx%d / dilation %dx%d", w->stride_h, w->stride_w,
                                  w->dilation_h, w->dilation_w);
        if (wt->shape.rank != 4) return frost__tfl_bad(c, "filter has rank %d", wt->shape.rank);
        cout = wt->shape.d[dw ? 3 : 0];
        op = dw ? FROST__OP_QDEPTHWISE_CONV2D : FROST__OP_QCONV2D;
    }
    if (cout < 1 || cout > (1 << 24)) return frost__tfl_bad(c, "%lld output channels", (long long)cout);
    if (wt->n_q != 1 && wt->n_q != cout)
        return frost__tfl_bad(c, "weights have %d scales for %lld channels", wt->n_q, (long long)cout);
    if (bt && bt->type != TFL_INT32 && !(bt->type == TFL_INT64 && xt->type == TFL_INT16))
        return frost__tfl_unsupported(c, "bias type is neither int32 nor (for int16 inputs) int64");
    int32_t *qp = frost__calloc(&c->g->alloc, (size_t)(FROST_QC_HEADER + 2 * cout), sizeof(int32_t));
    if (!qp) return frost__fail(c->err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
    frost_status st = FROST_OK;
    qp[FROST_QC_IN_ZP] = (int32_t)frost__tfl_zero_point(c, xt, 0);
    qp[FROST_QC_W_ZP] = (int32_t)frost__tfl_zero_point(c, wt, 0);
    qp[FROST_QC_OUT_ZP] = (int32_t)frost__tfl_zero_point(c, yt, 0);
    if (xt->type != TFL_UINT8 && qp[FROST_QC_W_ZP] != 0) {
        st = frost__tfl_unsupported(c, "int8 weights with a nonzero zero point");
        goto done;
    }
    int32_t lo, hi;
    if (!act_range(c, act, yt, &lo, &hi)) {
        st = frost__tfl_unsupported(c, "fused activation TANH or SIGN_BIT on quantized tensors");
        goto done;
    }
    qp[FROST_QC_ACT_MIN] = lo;
    qp[FROST_QC_ACT_MAX] = hi;
    const double in_s = frost__tfl_scale(c, xt, 0), out_s = frost__tfl_scale(c, yt, 0);
    for (int64_t i = 0; i < cout; i++) {
        const double ws = frost__tfl_scale(c, wt, wt->n_q > 1 ? (int)i : 0);
        if (!multiplier(c, in_s * ws / out_s, xt->type == TFL_INT16 ? 7 : 30,
                        &qp[FROST_QC_HEADER + i], &qp[FROST_QC_HEADER + cout + i])) {
            st = failed(c);
            goto done;
        }
    }
    int x = IN(0), w = IN(1), b = IN(2);
    if (x < -1 || w < -1 || b < -1) { /* a constant could not be made: err says why */
        st = failed(c);
        goto done;
    }
    if (x < 0 || w < 0) {
        st = frost__tfl_bad(c, "needs an input and weights");
        goto done;
    }
    int qv = qp_const(c, qp, (int)(FROST_QC_HEADER + 2 * cout));
    if (qv < 0) {
        st = failed(c);
        goto done;
    }
    if (op == FROST__OP_QFULLY_CONNECTED) {
        /* TFLite flattens the input to [-1, inputs]; keep_num_dims restores the leading dims. */
        int32_t flat[2] = {-1, (int32_t)wt->shape.d[1]};
        int sv = frost__tfl_const_i32(c, "input_shape", flat, 2, 1);
        frost__params rp = {0};
        int x2 = sv >= 0 ? frost__tfl_helper(c, "input_2d", FROST__OP_RESHAPE, 2, (int[]){x, sv}, &rp) : -1;
        if (x2 < 0) {
            st = failed(c);
            goto done;
        }
        int in[4] = {x2, w, b, qv};
        if (yt->shape.rank == 2 || yt->shape.rank < 0) {
            st = frost__tfl_emit(c, op, 4, in, &p);
        } else {
            int y2 = frost__tfl_helper(c, "fc", op, 4, in, &p);
            int32_t od[FROST_MAX_RANK];
            for (int i = 0; i < yt->shape.rank; i++) od[i] = (int32_t)yt->shape.d[i];
            od[0] = -1;
            int ov = y2 >= 0 ? frost__tfl_const_i32(c, "output_shape", od, yt->shape.rank, 1) : -1;
            st = ov < 0 ? failed(c) : frost__tfl_emit(c, FROST__OP_RESHAPE, 2, (int[]){y2, ov}, &rp);
        }
    } else {
        int in[4] = {x, w, b, qv};
        st = frost__tfl_emit(c, op, 4, in, &p);
    }
done:
    frost__free(&c->g->alloc, qp);
    return st;
}

/* ---- ADD, SUB, MUL -------------------------------------------------------------------------- */

static frost_status q_binary(tfl_ctx *c) {
    tfl_tensor *at = frost__tfl_in_tensor(c, 0), *bt = frost__tfl_in_tensor(c, 1);
    tfl_tensor *yt = frost__tfl_out_tensor(c, 0);
    if (!require_q(c, at, "input 0") || !require_q(c, bt, "input 1") || !require_q(c, yt, "the output"))
        return failed(c);
    if (at->type != yt->type || bt->type != yt->type)
        return frost__tfl_unsupported(c, "inputs and output of different types");
    frost__fb_table o;
    int opt = c->op_code == TFL_ADD ? TFL_OPT_ADD : c->op_code == TFL_SUB ? TFL_OPT_SUB : TFL_OPT_MUL;
    if (!frost__tfl_options(c, opt, &o)) return failed(c);
    int act = frost__fb_i8(c->fb, o, 0, 0);
    int32_t qp[FROST_QB_COUNT] = {0};
    qp[FROST_QB_A_ZP] = (int32_t)frost__tfl_zero_point(c, at, 0);
    qp[FROST_QB_B_ZP] = (int32_t)frost__tfl_zero_point(c, bt, 0);
    qp[FROST_QB_OUT_ZP] = (int32_t)frost__tfl_zero_point(c, yt, 0);
    if (!act_range(c, act, yt, &qp[FROST_QB_ACT_MIN], &qp[FROST_QB_ACT_MAX]))
        return frost__tfl_unsupported(c, "fused activation TANH or SIGN_BIT on quantized tensors");
    const double sa = frost__tfl_scale(c, at, 0), sb = frost__tfl_scale(c, bt, 0);
    const double so = frost__tfl_scale(c, yt, 0);
    frost__params p = {0};
    if (c->op_code == TFL_MUL) {
        p.quant.fn = FROST__BIN_MUL;
        if (!multiplier(c, sa * sb / so, 30, &qp[FROST_QB_OUT_MULT], &qp[FROST_QB_OUT_SHIFT]))
            return failed(c);
    } else {
        /* TFLite's general rescaling: both inputs to twice the larger scale, 20 (8-bit) or 15
         * (16-bit) bits of headroom, then the sum to the output scale. */
        p.quant.fn = c->op_code == TFL_ADD ? FROST__BIN_ADD : FROST__BIN_SUB;
        const int left = yt->type == TFL_INT16 ? 15 : 20;
        const double twice_max = 2.0 * (double)FROST_MAX((float)sa, (float)sb);
        qp[FROST_QB_LEFT_SHIFT] = left;
        if (!multiplier(c, sa / twice_max, 0, &qp[FROST_QB_A_MULT], &qp[FROST_QB_A_SHIFT]) ||
            !multiplier(c, sb / twice_max, 0, &qp[FROST_QB_B_MULT], &qp[FROST_QB_B_SHIFT]) ||
            !multiplier(c, twice_max / ((double)(1 << left) * so), 0, &qp[FROST_QB_OUT_MULT],
                        &qp[FROST_QB_OUT_SHIFT]))
            return failed(c);
    }
    int a = IN(0), b = IN(1);
    if (a < 0 || b < 0) return a < -1 || b < -1 ? failed(c) : frost__tfl_bad(c, "needs two inputs");
    int qv = qp_const(c, qp, FROST_QB_COUNT);
    if (qv < 0) return failed(c);
    return frost__tfl_emit(c, FROST__OP_QBINARY, 3, (int[]){a, b, qv}, &p);
}

/* ---- Pooling, softmax, mean ----------------------------------------------------------------- */

static frost_status q_pool(tfl_ctx *c) {
    tfl_tensor *xt = frost__tfl_in_tensor(c, 0), *yt = frost__tfl_out_tensor(c, 0);
    if (!require_q(c, xt, "the input") || !require_q(c, yt, "the output")) return failed(c);
    if (xt->type != yt->type || frost__tfl_scale(c, xt, 0) != frost__tfl_scale(c, yt, 0) ||
        frost__tfl_zero_point(c, xt, 0) != frost__tfl_zero_point(c, yt, 0))
        return frost__tfl_unsupported(c, "pooling that changes the quantization");
    frost__fb_table o;
    if (!frost__tfl_options(c, TFL_OPT_POOL2D, &o)) return failed(c);
    frost__params p = {0};
    int8_t pad = frost__fb_i8(c->fb, o, 0, 0);
    if (pad != 0 && pad != 1) return frost__tfl_bad(c, "padding %d", pad);
    p.quant.w.padding = pad == 0 ? FROST__PAD_SAME_UPPER : FROST__PAD_VALID;
    p.quant.w.stride_w = frost__fb_i32(c->fb, o, 1, 0);
    p.quant.w.stride_h = frost__fb_i32(c->fb, o, 2, 0);
    p.quant.k_w = frost__fb_i32(c->fb, o, 3, 0);
    p.quant.k_h = frost__fb_i32(c->fb, o, 4, 0);
    p.quant.fn = c->op_code == TFL_MAX_POOL_2D;
    if (p.quant.k_w < 1 || p.quant.k_h < 1 || p.quant.k_w > 65536 || p.quant.k_h > 65536 ||
        p.quant.w.stride_w < 1 || p.quant.w.stride_h < 1 || p.quant.w.stride_w > 65536 ||
        p.quant.w.stride_h > 65536)
        return frost__tfl_bad(c, "filter %dx%d, stride %dx%d", p.quant.k_h, p.quant.k_w,
                              p.quant.w.stride_h, p.quant.w.stride_w);
    int32_t qp[2];
    if (!act_range(c, frost__fb_i8(c->fb, o, 5, 0), yt, &qp[0], &qp[1]))
        return frost__tfl_unsupported(c, "fused activation TANH or SIGN_BIT on quantized tensors");
    int x = IN(0);
    if (x < 0) return failed(c);
    int qv = qp_const(c, qp, 2);
    if (qv < 0) return failed(c);
    return frost__tfl_emit(c, FROST__OP_QPOOL2D, 2, (int[]){x, qv}, &p);
}

static int32_t f32_bits(float f) {
    int32_t v;
    memcpy(&v, &f, sizeof v);
    return v;
}

static frost_status q_softmax(tfl_ctx *c) {
    tfl_tensor *xt = frost__tfl_in_tensor(c, 0), *yt = frost__tfl_out_tensor(c, 0);
    if (!require_q(c, xt, "the input") || !require_q(c, yt, "the output")) return failed(c);
    if (xt->type != yt->type) return frost__tfl_unsupported(c, "input and output of different types");
    frost__fb_table o;
    if (!frost__tfl_options(c, TFL_OPT_SOFTMAX, &o)) return failed(c);
    const float beta = o.pos ? frost__fb_f32(c->fb, o, 0, 1.0f) : 1.0f;
    int32_t qp[4] = {(int32_t)frost__tfl_zero_point(c, xt, 0), (int32_t)frost__tfl_zero_point(c, yt, 0),
                     f32_bits(beta * frost__tfl_scale(c, xt, 0)), f32_bits(frost__tfl_scale(c, yt, 0))};
    int x = IN(0);
    if (x < 0) return failed(c);
    int qv = qp_const(c, qp, 4);
    if (qv < 0) return failed(c);
    return frost__tfl_emit(c, FROST__OP_QSOFTMAX, 2, (int[]){x, qv}, NULL);
}

static frost_status q_mean(tfl_ctx *c) {
    tfl_tensor *xt = frost__tfl_in_tensor(c, 0), *yt = frost__tfl_out_tensor(c, 0);
    if (!require_q(c, xt, "the input") || !require_q(c, yt, "the output")) return failed(c);
    if (xt->type != yt->type) return frost__tfl_unsupported(c, "input and output of different types");
    frost__fb_table o;
    if (!frost__tfl_options(c, TFL_OPT_REDUCER, &o)) return failed(c);
    frost__params p = {0};
    p.quant.fn = frost__fb_bool(c->fb, o, 0, false) ? 1 : 0;
    int32_t qp[3] = {(int32_t)frost__tfl_zero_point(c, xt, 0), (int32_t)frost__tfl_zero_point(c, yt, 0),
                     f32_bits(frost__tfl_scale(c, xt, 0) / frost__tfl_scale(c, yt, 0))};
    int x = IN(0), ax = IN(1);
    if (x < 0 || ax < 0) return x < -1 || ax < -1 ? failed(c) : frost__tfl_bad(c, "needs axes");
    int qv = qp_const(c, qp, 3);
    if (qv < 0) return failed(c);
    return frost__tfl_emit(c, FROST__OP_QMEAN, 3, (int[]){x, ax, qv}, &p);
}

/* ---- Activation functions as tables --------------------------------------------------------- */

static float f_sigmoid(float x, float a) { (void)a; return 1.0f / (1.0f + expf(-x)); }
static float f_tanh(float x, float a) { (void)a; return tanhf(x); }
static float f_hard_swish(float x, float a) {
    (void)a;
    float r = x + 3.0f;
    r = r < 0 ? 0 : r > 6 ? 6 : r;
    return x * r / 6.0f;
}
static float f_leaky(float x, float a) { return x < 0 ? a * x : x; }
static float f_elu(float x, float a) { (void)a; return x < 0 ? expm1f(x) : x; }

/* A 256-entry table for an 8-bit elementwise function, indexed by the input's raw byte. */
static int lut_const(tfl_ctx *c, const tfl_tensor *xt, const tfl_tensor *yt,
                     float (*f)(float, float), float alpha) {
    int32_t lo, hi, ylo, yhi;
    qrange(xt->type, &lo, &hi);
    qrange(yt->type, &ylo, &yhi);
    const float xs = frost__tfl_scale(c, xt, 0), inv = 1.0f / frost__tfl_scale(c, yt, 0);
    const int32_t xz = (int32_t)frost__tfl_zero_point(c, xt, 0), yz = (int32_t)frost__tfl_zero_point(c, yt, 0);
    uint8_t table[256];
    for (int32_t v = lo; v <= hi; v++) {
        const float y = f(xs * (float)(v - xz), alpha);
        float r = roundf(y * inv) + (float)yz;
        r = r < (float)ylo ? (float)ylo : r > (float)yhi ? (float)yhi : r;
        table[(uint8_t)v] = (uint8_t)frost__q_f2i(r); /* NaN (a malformed scale): 0 */
    }
    frost__shape s = frost__shape_make(1, (int64_t[]){256});
    return frost__tfl_const(c, "table", yt->dtype, &s, table, sizeof table);
}

/* ReLU, ReLU6, ReLU_N1_TO_1 as TFLite's ReluX: requantize, then clamp to the activation range. */
static int relu_lut(tfl_ctx *c, const tfl_tensor *xt, const tfl_tensor *yt, int act) {
    int32_t lo, hi, alo, ahi, m, s;
    qrange(xt->type, &lo, &hi);
    if (!act_range(c, act, yt, &alo, &ahi)) return -1;
    if (!multiplier(c, (double)frost__tfl_scale(c, xt, 0) / frost__tfl_scale(c, yt, 0), 30, &m, &s))
        return -2;
    const int32_t xz = (int32_t)frost__tfl_zero_point(c, xt, 0), yz = (int32_t)frost__tfl_zero_point(c, yt, 0);
    uint8_t table[256];
    for (int32_t v = lo; v <= hi; v++) {
        int32_t r = yz + frost__q_mul(v - xz, m, s);
        r = r < alo ? alo : r > ahi ? ahi : r;
        table[(uint8_t)v] = (uint8_t)r;
    }
    frost__shape sh = frost__shape_make(1, (int64_t[]){256});
    return frost__tfl_const(c, "table", yt->dtype, &sh, table, sizeof table);
}

static frost_status q_activation(tfl_ctx *c) {
    tfl_tensor *xt = frost__tfl_in_tensor(c, 0), *yt = frost__tfl_out_tensor(c, 0);
    if (!require_q(c, xt, "the input") || !require_q(c, yt, "the output")) return failed(c);
    if (xt->type == TFL_INT16 || yt->type == TFL_INT16 || xt->type != yt->type)
        return frost__tfl_unsupported(c, "activation on int16 (frost has 8-bit tables only)");
    int table;
    switch (c->op_code) {
    case TFL_RELU: table = relu_lut(c, xt, yt, TFL_ACT_RELU); break;
    case TFL_RELU6: table = relu_lut(c, xt, yt, TFL_ACT_RELU6); break;
    case TFL_RELU_N1_TO_1: table = relu_lut(c, xt, yt, TFL_ACT_RELU_N1_TO_1); break;
    case TFL_LOGISTIC: table = lut_const(c, xt, yt, f_sigmoid, 0); break;
    case TFL_TANH: table = lut_const(c, xt, yt, f_tanh, 0); break;
    case TFL_HARD_SWISH: table = lut_const(c, xt, yt, f_hard_swish, 0); break;
    case TFL_ELU: table = lut_const(c, xt, yt, f_elu, 0); break;
    case TFL_LEAKY_RELU: {
        frost__fb_table o;
        if (!frost__tfl_options(c, TFL_OPT_LEAKY_RELU, &o)) return failed(c);
        table = lut_const(c, xt, yt, f_leaky, frost__fb_f32(c->fb, o, 0, 0.0f));
        break;
    }
    default: return frost__tfl_unsupported(c, "no integer path");
    }
    if (table < 0) return failed(c);
    int x = IN(0);
    if (x < 0) return failed(c);
    return frost__tfl_emit(c, FROST__OP_QLOOKUP, 2, (int[]){x, table}, NULL);
}

/* ---- Concatenation with differing input quantization ---------------------------------------- */

static frost_status q_concat(tfl_ctx *c) {
    tfl_tensor *yt = frost__tfl_out_tensor(c, 0);
    if (!require_q(c, yt, "the output")) return failed(c);
    frost__fb_table o;
    if (!frost__tfl_options(c, TFL_OPT_CONCATENATION, &o)) return failed(c);
    if (frost__fb_i8(c->fb, o, 1, 0) != TFL_ACT_NONE)
        return frost__tfl_unsupported(c, "fused activation on a quantized concatenation");
    int axis = frost__fb_i32(c->fb, o, 0, 0);
    if (c->n_in > 1024) return frost__tfl_bad(c, "%d inputs", c->n_in);
    int *in = frost__alloc(&c->g->alloc, (size_t)(c->n_in + 1) * sizeof(int));
    if (!in) return frost__fail(c->err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
    frost_status st = FROST_OK;
    const float ys = frost__tfl_scale(c, yt, 0);
    const int64_t yz = frost__tfl_zero_point(c, yt, 0);
    for (int k = 0; k < c->n_in && st == FROST_OK; k++) {
        tfl_tensor *xt = frost__tfl_in_tensor(c, k);
        if (!require_q(c, xt, "an input") || xt->type != yt->type) {
            st = xt && xt->type != yt->type ? frost__tfl_unsupported(c, "inputs of different types")
                                            : failed(c);
            break;
        }
        in[k] = IN(k);
        if (in[k] < 0) {
            st = failed(c);
            break;
        }
        if (frost__tfl_scale(c, xt, 0) == ys && frost__tfl_zero_point(c, xt, 0) == yz) continue;
        if (xt->type == TFL_INT16) {
            st = frost__tfl_unsupported(c, "int16 inputs quantized unlike the output");
            break;
        }
        /* TFLite requantizes such inputs in float: round(q * s + b) + zp, a table per input. */
        int32_t lo, hi;
        qrange(xt->type, &lo, &hi);
        const float scale = frost__tfl_scale(c, xt, 0) * (1.0f / ys);
        const float bias = -(float)frost__tfl_zero_point(c, xt, 0) * scale;
        uint8_t table[256];
        for (int32_t v = lo; v <= hi; v++) {
            float r = roundf((float)v * scale + bias) + (float)yz;
            r = r < (float)lo ? (float)lo : r > (float)hi ? (float)hi : r;
            table[(uint8_t)v] = (uint8_t)frost__q_f2i(r);
        }
        frost__shape s = frost__shape_make(1, (int64_t[]){256});
        int tv = frost__tfl_const(c, "requantize_table", yt->dtype, &s, table, sizeof table);
        in[k] = tv >= 0 ? frost__tfl_helper(c, "requantized", FROST__OP_QLOOKUP, 2, (int[]){in[k], tv}, NULL) : -1;
        if (in[k] < 0) st = failed(c);
    }
    if (st == FROST_OK) {
        in[c->n_in] = frost__tfl_const(c, "axis", FROST_DTYPE_I32, &(frost__shape){0}, &axis, sizeof axis);
        st = in[c->n_in] < 0 ? failed(c) : frost__tfl_emit(c, FROST__OP_CONCAT, c->n_in + 1, in, NULL);
    }
    frost__free(&c->g->alloc, in);
    return st;
}

/* ---- QUANTIZE / DEQUANTIZE ------------------------------------------------------------------ */

static frost_status q_quantize(tfl_ctx *c) {
    tfl_tensor *xt = frost__tfl_in_tensor(c, 0), *yt = frost__tfl_out_tensor(c, 0);
    if (!require_q(c, yt, "the output")) return failed(c);
    frost__params p = {0};
    p.quant.fn = yt->dtype;
    int32_t qp[4];
    int n;
    if (xt && xt->type == TFL_FLOAT32) {
        qp[0] = (int32_t)frost__tfl_zero_point(c, yt, 0);
        qp[1] = f32_bits(frost__tfl_scale(c, yt, 0));
        n = 2;
    } else {
        if (!require_q(c, xt, "the input")) return failed(c);
        if (!multiplier(c, (double)frost__tfl_scale(c, xt, 0) / frost__tfl_scale(c, yt, 0), 30, &qp[0], &qp[1]))
            return failed(c);
        qp[2] = (int32_t)frost__tfl_zero_point(c, xt, 0);
        qp[3] = (int32_t)frost__tfl_zero_point(c, yt, 0);
        n = 4;
    }
    int x = IN(0);
    if (x < 0) return x < -1 ? failed(c) : frost__tfl_bad(c, "needs an input");
    int qv = qp_const(c, qp, n);
    if (qv < 0) return failed(c);
    return frost__tfl_emit(c, FROST__OP_QUANTIZE, 2, (int[]){x, qv}, &p);
}

/* DEQUANTIZE node for value v of quantized tensor t (per tensor or per axis). */
static int dequantize_node(tfl_ctx *c, const tfl_tensor *t, int v, bool final) {
    const int n = t->n_q;
    float *scale = frost__alloc(&c->g->alloc, (size_t)n * sizeof(float));
    int32_t *zp = frost__alloc(&c->g->alloc, (size_t)n * sizeof(int32_t));
    int sv = -1, zv = -1, out = -1;
    if (!scale || !zp) {
        frost__fail(c->err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
        goto done;
    }
    for (int i = 0; i < n; i++) {
        scale[i] = frost__tfl_scale(c, t, i);
        zp[i] = (int32_t)frost__tfl_zero_point(c, t, i);
    }
    frost__shape s = frost__shape_make(1, (int64_t[]){n});
    sv = frost__tfl_const(c, "scale", FROST_DTYPE_F32, &s, scale, (size_t)n * sizeof(float));
    zv = sv >= 0 ? frost__tfl_const(c, "zero_point", FROST_DTYPE_I32, &s, zp, (size_t)n * sizeof(int32_t)) : -1;
    if (zv < 0) goto done;
    frost__params p = {0};
    p.quant.axis = t->q_axis;
    if (final) {
        out = frost__tfl_emit(c, FROST__OP_DEQUANTIZE, 3, (int[]){v, sv, zv}, &p) == FROST_OK ? 0 : -2;
    } else {
        out = frost__tfl_helper(c, "dequantized_weights", FROST__OP_DEQUANTIZE, 3, (int[]){v, sv, zv}, &p);
        if (out < 0) out = -2;
    }
done:
    frost__free(&c->g->alloc, scale);
    frost__free(&c->g->alloc, zp);
    return out < 0 && out != -2 ? -2 : out;
}

int frost__tfl_q_dequantize_const(tfl_ctx *c, int k, int v) {
    tfl_tensor *t = frost__tfl_in_tensor(c, k);
    frost__graph_report(c->g, "tflite: operator %d (%s): int8 weights of a float op dequantized at "
                        "load (dynamic-range quantization runs in float)", c->op_index, c->op_name);
    return dequantize_node(c, t, v, false);
}

static frost_status q_dequantize(tfl_ctx *c) {
    tfl_tensor *xt = frost__tfl_in_tensor(c, 0);
    if (!xt || !frost__tfl_is_quantized(xt) || (!q8_or_16(xt) && xt->type != TFL_INT32))
        return frost__tfl_unsupported(c, "input is not a quantized integer tensor");
    int x = IN(0);
    if (x < 0) return failed(c);
    return dequantize_node(c, xt, x, true) < 0 ? failed(c) : FROST_OK;
}

/* ---- Dispatch ------------------------------------------------------------------------------- */

frost_status frost__tfl_q_translate(tfl_ctx *c) {
    switch (c->op_code) {
    case TFL_CONV_2D:
    case TFL_DEPTHWISE_CONV_2D:
    case TFL_FULLY_CONNECTED: return q_conv_like(c);
    case TFL_ADD:
    case TFL_SUB:
    case TFL_MUL: return q_binary(c);
    case TFL_AVERAGE_POOL_2D:
    case TFL_MAX_POOL_2D: return q_pool(c);
    case TFL_SOFTMAX: return q_softmax(c);
    case TFL_MEAN: return q_mean(c);
    case TFL_CONCATENATION: return q_concat(c);
    case TFL_QUANTIZE: return q_quantize(c);
    case TFL_DEQUANTIZE: return q_dequantize(c);
    case TFL_RELU:
    case TFL_RELU6:
    case TFL_RELU_N1_TO_1:
    case TFL_LOGISTIC:
    case TFL_TANH:
    case TFL_HARD_SWISH:
    case TFL_ELU:
    case TFL_LEAKY_RELU: return q_activation(c);
    default: return frost__tfl_unsupported(c, "on quantized tensors (no integer kernel yet)");
    }
}
