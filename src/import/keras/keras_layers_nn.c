/* keras_layers_nn.c — the Keras layers of convolutional networks: Conv1D/2D, DepthwiseConv2D,
 * SeparableConv2D, Conv2DTranspose, the pools (1-D and 2-D, global), BatchNormalization and
 * LayerNormalization. Each builder is a row of the table in keras_layers.c, which has checked the
 * call's input count.
 *
 * Filters stay HWIO as Keras stores them; channels_first layers are wrapped in transposes to
 * NHWC, 1-D layers run as 2-D with height 1. Weights are checked against the config before use; a
 * setting frost cannot honour is refused by name, never approximated. */
#include "import/keras/keras_layers.h"

#include <math.h>
#include <stdio.h>

typedef struct conv_cfg {
    int rank;               /* spatial rank: 1 or 2 */
    int kernel[2], strides[2], dilation[2];
    frost__padding pad;
    bool causal, first;
} conv_cfg;

static frost_status read_conv_cfg(frost__kctx *k, const frost__klayer *L, int rank, conv_cfg *c) {
    memset(c, 0, sizeof *c);
    c->rank = rank;
    FROST_TRY(frost__keras_get_ints(k, L, "kernel_size", rank, -1, 1, 1 << 16, c->kernel));
    if (c->kernel[0] < 0 && rank == 2) {   /* Keras 1: nb_row, nb_col */
        int64_t r, cc;
        FROST_TRY(frost__keras_get_int(k, L, "nb_row", -1, 1, 1 << 16, &r));
        FROST_TRY(frost__keras_get_int(k, L, "nb_col", -1, 1, 1 << 16, &cc));
        c->kernel[0] = (int)r;
        c->kernel[1] = (int)cc;
    }
    if (c->kernel[0] < 0)
        return frost__keras_fail(k, L, FROST_E_FORMAT, "'kernel_size' is missing");
    FROST_TRY(frost__keras_get_ints(k, L, "strides", rank, 1, 1, 1 << 16, c->strides));
    FROST_TRY(frost__keras_get_ints(k, L, "dilation_rate", rank, 1, 1, 1 << 16, c->dilation));
    FROST_TRY(frost__keras_get_padding(k, L, rank == 1, &c->pad, &c->causal));
    c->first = frost__keras_channels_first(L);
    return FROST_OK;
}

static frost__window make_window(const conv_cfg *c) {
    frost__window w;
    memset(&w, 0, sizeof w);
    if (c->rank == 1) {
        w.stride_h = 1; w.stride_w = c->strides[0];
        w.dilation_h = 1; w.dilation_w = c->dilation[0];
    } else {
        w.stride_h = c->strides[0]; w.stride_w = c->strides[1];
        w.dilation_h = c->dilation[0]; w.dilation_w = c->dilation[1];
    }
    w.padding = c->pad;
    return w;
}

/* 1-D layers run as 2-D with H = 1: [N,W,C] → [N,1,W,C]. */
static int expand_h(frost__kctx *k, const frost__klayer *L, int x) {
    int64_t one = 1;
    int ax = frost__keras_const_i64(k, L, "expand_axis", &one, 1, false);
    if (ax < 0) return -1;
    return frost__keras_emit(k, L, "expand", FROST__OP_EXPAND_DIMS, 2, (int[]){x, ax}, NULL);
}
static int squeeze_h(frost__kctx *k, const frost__klayer *L, int x, bool last) {
    int64_t one = 1;
    int ax = frost__keras_const_i64(k, L, "squeeze_axis", &one, 1, false);
    if (ax < 0) return -1;
    return frost__keras_emit(k, L, last ? NULL : "squeeze", FROST__OP_SQUEEZE, 2, (int[]){x, ax},
                             NULL);
}

/* Conv1D, Conv2D, DepthwiseConv2D, SeparableConv2D, Conv2DTranspose. */
frost_status frost__keras_layer_conv(frost__kctx *k, const frost__klayer *L, const keras_layer *e,
                                     const int *in, int n_in, int *out) {
    (void)n_in;
    int rank = e->rank, kind = e->fn, x = in[0];
    enum { CONV, DEPTHWISE, SEPARABLE, TRANSPOSE };
    conv_cfg c;
    FROST_TRY(read_conv_cfg(k, L, rank, &c));
    int64_t filters = -1, mult = 1, groups = 1;
    if (kind != DEPTHWISE) {
        FROST_TRY(frost__keras_get_int(k, L, "filters", -1, 1, KMAX_DIM, &filters));
        if (filters < 0) return frost__keras_fail(k, L, FROST_E_FORMAT, "'filters' is missing");
    }
    if (kind == DEPTHWISE || kind == SEPARABLE)
        FROST_TRY(frost__keras_get_int(k, L, "depth_multiplier", 1, 1, 1 << 16, &mult));
    if (kind == CONV) FROST_TRY(frost__keras_get_int(k, L, "groups", 1, 1, 1 << 16, &groups));
    bool use_bias = frost__keras_cfg_bool(L, "use_bias", true);
    int64_t kh = rank == 1 ? 1 : c.kernel[0], kw = rank == 1 ? c.kernel[0] : c.kernel[1];
    bool act = frost__keras_has_activation(k, L);
    frost__act_params fused;
    if (act || !frost__keras_fusable_activation(k, L, &fused)) memset(&fused, 0, sizeof fused);
    bool post = c.first || rank == 1 || act;   /* something comes after the conv op */

    /* Weights, checked against the config, reshaped to 2-D HWIO for 1-D layers. */
    int wv, pw = -1, bv = -1;
    frost__shape ws, ps, bs;
    int64_t cout = filters;
    if (kind == CONV || kind == TRANSPOSE) {
        FROST_TRY(frost__keras_weight(k, L, "kernel", 0, &wv, &ws));
        if (rank == 1 && ws.rank == 4 && ws.d[0] == 1)   /* a shared layer's 2-D view */
            ws = frost__shape_make(3, (int64_t[]){ws.d[1], ws.d[2], ws.d[3]});
        if (rank == 1)
            FROST_TRY(
                frost__keras_expect_shape(k, L, "kernel", &ws, 3, (int64_t[]){kw, -1, filters}));
        else if (kind == CONV)
            FROST_TRY(frost__keras_expect_shape(k, L, "kernel", &ws, 4,
                                                (int64_t[]){kh, kw, -1, filters}));
        else
            FROST_TRY(frost__keras_expect_shape(k, L, "kernel", &ws, 4,
                                                (int64_t[]){kh, kw, filters, -1}));
    } else {
        FROST_TRY(frost__keras_weight(k, L, "depthwise_kernel|kernel", 0, &wv, &ws));
        FROST_TRY(frost__keras_expect_shape(k, L, "depthwise_kernel", &ws, 4,
                                            (int64_t[]){kh, kw, -1, mult}));
        if (kind == DEPTHWISE) cout = ws.d[2] * mult;
        if (kind == SEPARABLE) {
            FROST_TRY(frost__keras_weight(k, L, "pointwise_kernel", 1, &pw, &ps));
            FROST_TRY(frost__keras_expect_shape(k, L, "pointwise_kernel", &ps, 4,
                                                (int64_t[]){1, 1, ws.d[2] * mult, filters}));
        }
    }
    if (use_bias) {
        FROST_TRY(frost__keras_weight(k, L, "bias", kind == SEPARABLE ? 2 : 1, &bv, &bs));
        FROST_TRY(frost__keras_expect_shape(k, L, "bias", &bs, 1, (int64_t[]){cout}));
    }
    if (rank == 1 && ws.rank == 3) {
        /* The 2-D view [1,kw,cin,cout] of the constant: same bytes, new shape. */
        frost__value *wval = &k->g->values[wv];
        wval->shape = frost__shape_make(4, (int64_t[]){1, ws.d[0], ws.d[1], ws.d[2]});
    }

    if (c.first) TRY_V(x = frost__keras_to_channels_last(k, L, x, rank + 2));
    if (c.causal) {
        int64_t left = (int64_t)(c.kernel[0] - 1) * c.dilation[0];
        int64_t pads[6] = {0, 0, left, 0, 0, 0};
        char buf[600];
        frost__shape s = frost__shape_make(2, (int64_t[]){3, 2});
        int pv =
            frost__graph_add_const(k->g, frost__keras_step_name(L, "causal_pads", buf, sizeof buf),
                                   FROST_DTYPE_I64, &s, pads, sizeof pads, k->err);
        TRY_V(pv);
        frost__params pp;
        memset(&pp, 0, sizeof pp);
        TRY_V(x = frost__keras_emit(k, L, "causal_pad", FROST__OP_PAD, 2, (int[]){x, pv}, &pp));
    }
    if (rank == 1) TRY_V(x = expand_h(k, L, x));

    frost__params p;
    memset(&p, 0, sizeof p);
    int y;
    if (kind == CONV) {
        p.conv.w = make_window(&c);
        p.conv.groups = (int)groups;
        p.conv.act = fused;
        y = frost__keras_emit(k, L, post ? "Conv2D" : NULL, FROST__OP_CONV2D, use_bias ? 3 : 2,
                              (int[]){x, wv, bv}, &p);
    } else if (kind == DEPTHWISE) {
        p.conv.w = make_window(&c);
        p.conv.groups = 1;
        p.conv.act = fused;
        y = frost__keras_emit(k, L, post ? "DepthwiseConv2D" : NULL, FROST__OP_DEPTHWISE_CONV2D,
                              use_bias ? 3 : 2, (int[]){x, wv, bv}, &p);
    } else if (kind == SEPARABLE) {
        p.conv.w = make_window(&c);
        p.conv.groups = 1;
        int d =
            frost__keras_emit(k, L, "depthwise", FROST__OP_DEPTHWISE_CONV2D, 2, (int[]){x, wv}, &p);
        TRY_V(d);
        memset(&p, 0, sizeof p);
        p.conv.w.stride_h = p.conv.w.stride_w = 1;
        p.conv.w.dilation_h = p.conv.w.dilation_w = 1;
        p.conv.w.padding = FROST__PAD_VALID;
        p.conv.groups = 1;
        p.conv.act = fused;
        y = frost__keras_emit(k, L, post ? "pointwise" : NULL, FROST__OP_CONV2D, use_bias ? 3 : 2,
                              (int[]){d, pw, bv}, &p);
    } else {
        int opad[2] = {0, 0};
        const frost__json *op = frost__keras_cfg(L, "output_padding");
        if (!frost__json_is_null(op))
            FROST_TRY(frost__keras_get_ints(k, L, "output_padding", 2, 0, 0, 1 << 16, opad));
        p.deconv.w = make_window(&c);
        p.deconv.out_pad_h = opad[0];
        p.deconv.out_pad_w = opad[1];
        p.deconv.act = fused;
        y = frost__keras_emit(k, L, post ? "Conv2DTranspose" : NULL, FROST__OP_CONV2D_TRANSPOSE,
                              use_bias ? 3 : 2, (int[]){x, wv, bv}, &p);
    }
    TRY_V(y);
    bool after_act = c.first || rank == 1;
    if (act) {
        const char *a = frost__keras_activation_name(frost__keras_cfg(L, "activation"));
        FROST_TRY(frost__keras_apply_activation(k, L, a, y, !after_act, &y));
    }
    if (rank == 1) TRY_V(y = squeeze_h(k, L, y, !c.first));
    if (c.first) TRY_V(y = frost__keras_to_channels_first(k, L, y, rank + 2, true));
    *out = y;
    return FROST_OK;
}

frost_status frost__keras_layer_pool(frost__kctx *k, const frost__klayer *L, const keras_layer *e,
                                     const int *in, int n_in, int *out) {
    (void)n_in;
    int rank = e->rank, x = in[0];
    bool is_max = e->fn != 0;
    int pool[2], strides[2];
    FROST_TRY(frost__keras_get_ints(k, L, "pool_size", rank, 2, 1, 1 << 16, pool));
    const frost__json *sv = frost__keras_cfg(L, "strides");
    if (frost__json_is_null(sv)) memcpy(strides, pool, sizeof pool);
    else FROST_TRY(frost__keras_get_ints(k, L, "strides", rank, 1, 1, 1 << 16, strides));
    frost__padding pad;
    bool causal;
    FROST_TRY(frost__keras_get_padding(k, L, false, &pad, &causal));
    bool first = frost__keras_channels_first(L);
    bool post = first || rank == 1;
    if (first) TRY_V(x = frost__keras_to_channels_last(k, L, x, rank + 2));
    if (rank == 1) TRY_V(x = expand_h(k, L, x));
    frost__params p;
    memset(&p, 0, sizeof p);
    p.pool.is_max = is_max;
    p.pool.k_h = rank == 1 ? 1 : pool[0];
    p.pool.k_w = rank == 1 ? pool[0] : pool[1];
    p.pool.w.stride_h = rank == 1 ? 1 : strides[0];
    p.pool.w.stride_w = rank == 1 ? strides[0] : strides[1];
    p.pool.w.dilation_h = p.pool.w.dilation_w = 1;
    p.pool.w.padding = pad;
    p.pool.count_include_pad = false;
    int y = frost__keras_emit(k, L, post ? "Pool2D" : NULL, FROST__OP_POOL2D, 1, &x, &p);
    TRY_V(y);
    if (rank == 1) TRY_V(y = squeeze_h(k, L, y, !first));
    if (first) TRY_V(y = frost__keras_to_channels_first(k, L, y, rank + 2, true));
    *out = y;
    return FROST_OK;
}

frost_status frost__keras_layer_global_pool(frost__kctx *k, const frost__klayer *L,
                                            const keras_layer *e, const int *in, int n_in,
                                            int *out) {
    (void)n_in;
    int rank = e->rank, x = in[0];
    bool is_max = e->fn != 0;
    int64_t axes[2];
    bool first = frost__keras_channels_first(L);
    for (int i = 0; i < rank; i++) axes[i] = i + (first ? 2 : 1);
    int av = frost__keras_const_i64(k, L, "axes", axes, rank, false);
    TRY_V(av);
    frost__params p;
    memset(&p, 0, sizeof p);
    p.reduce.fn = is_max ? FROST__RED_MAX : FROST__RED_MEAN;
    p.reduce.keep_dims = frost__json_get_bool(L->cfg, "keepdims", false);
    TRY_V(*out = frost__keras_emit(k, L, NULL, FROST__OP_REDUCE, 2, (int[]){x, av}, &p));
    return FROST_OK;
}

/* Channel axis of BatchNormalization / LayerNormalization configs: an int or a list. */
static frost_status norm_axes(frost__kctx *k, const frost__klayer *L, int64_t dflt, int64_t *axes,
                              int *n) {
    const frost__json *a = frost__keras_cfg(L, "axis");
    *n = 1;
    axes[0] = dflt;
    if (frost__json_is_null(a)) return FROST_OK;
    if (frost__json_int(a, &axes[0])) return FROST_OK;
    *n = frost__json_len(a);
    if (!frost__json_is_array(a) || *n < 1 || *n > FROST_MAX_RANK)
        return frost__keras_fail(k, L, FROST_E_FORMAT,
                                 "'axis' is not an integer or a list of them");
    for (int i = 0; i < *n; i++)
        if (!frost__json_int(frost__json_at(a, i), &axes[i]) || axes[i] < -FROST_MAX_RANK ||
            axes[i] >= FROST_MAX_RANK)
            return frost__keras_fail(k, L, FROST_E_FORMAT, "'axis'[%d] is not a valid axis", i);
    return FROST_OK;
}

/* A constant of n copies of `value` named "<layer>/<step>". */
static int const_fill(frost__kctx *k, const frost__klayer *L, const char *step,
                      const frost__shape *s, float value) {
    int64_t n = frost__shape_numel(s);
    if (n < 0) return frost__keras_fail(k, L, FROST_E_SHAPE, "cannot size '%s'", step), -1;
    float *buf = frost__alloc(&k->g->alloc, (size_t)(n ? n : 1) * sizeof(float));
    if (!buf) return frost__fail(k->err, FROST_E_NOMEM, L->name, L->cls, -1, "out of memory"), -1;
    for (int64_t i = 0; i < n; i++) buf[i] = value;
    char name[600];
    return frost__graph_add_const_owned(k->g, frost__keras_step_name(L, step, name, sizeof name),
                                        FROST_DTYPE_F32, s, buf, (size_t)n * sizeof(float), k->err);
}

frost_status frost__keras_layer_batch_norm(frost__kctx *k, const frost__klayer *L,
                                           const keras_layer *e, const int *in, int n_in,
                                           int *out) {
    (void)e, (void)n_in;
    int x = in[0];
    int64_t axes[FROST_MAX_RANK];
    int n;
    FROST_TRY(norm_axes(k, L, -1, axes, &n));
    if (n != 1)
        return frost__keras_fail(k, L, FROST_E_UNSUPPORTED,
                                 "normalizing over %d axes at once is not supported", n);
    double eps;
    FROST_TRY(frost__keras_get_float(k, L, "epsilon", 1e-3, &eps));
    bool scale = frost__json_get_bool(L->cfg, "scale", true);
    bool center = frost__json_get_bool(L->cfg, "center", true);
    int idx = 0, gv = -1, bv = -1, mv, vv;
    frost__shape gs, bs, ms, vs;
    if (scale) FROST_TRY(frost__keras_weight(k, L, "gamma", idx++, &gv, &gs));
    if (center) FROST_TRY(frost__keras_weight(k, L, "beta", idx++, &bv, &bs));
    FROST_TRY(frost__keras_weight(k, L, "moving_mean|running_mean", idx++, &mv, &ms));
    /* Keras 1's "running_std" holds the variance despite its name. */
    FROST_TRY(frost__keras_weight(k, L, "moving_variance|running_std", idx++, &vv, &vs));
    if (ms.rank != 1)
        return frost__keras_fail(k, L, FROST_E_SHAPE, "weight 'moving_mean' should be 1-D");
    int64_t c = ms.d[0];
    FROST_TRY(frost__keras_expect_shape(k, L, "moving_variance", &vs, 1, &c));
    if (scale) FROST_TRY(frost__keras_expect_shape(k, L, "gamma", &gs, 1, &c));
    if (center) FROST_TRY(frost__keras_expect_shape(k, L, "beta", &bs, 1, &c));
    if (!scale) TRY_V(gv = const_fill(k, L, "gamma", &ms, 1.0f));
    if (!center) TRY_V(bv = const_fill(k, L, "beta", &ms, 0.0f));
    frost__params p;
    memset(&p, 0, sizeof p);
    p.batch_norm.epsilon = (float)eps;
    p.batch_norm.axis = (int)axes[0];
    TRY_V(*out = frost__keras_emit(k, L, NULL, FROST__OP_BATCH_NORM, 5, (int[]){x, gv, bv, mv, vv},
                                   &p));
    return FROST_OK;
}

frost_status frost__keras_layer_layer_norm(frost__kctx *k, const frost__klayer *L,
                                           const keras_layer *e, const int *in, int n_in,
                                           int *out) {
    (void)e, (void)n_in;
    int x = in[0];
    int64_t axes[FROST_MAX_RANK];
    int n;
    FROST_TRY(norm_axes(k, L, -1, axes, &n));
    /* frost normalizes over [axis, rank): the listed axes must be the trailing ones. With
     * negative axes that is checkable here ({-n..-1}); positive ones must at least be contiguous. */
    int64_t lo = axes[0], hi = axes[0];
    bool mixed = false;
    for (int i = 1; i < n; i++) {
        lo = FROST_MIN(lo, axes[i]);
        hi = FROST_MAX(hi, axes[i]);
        mixed |= (axes[i] < 0) != (axes[0] < 0);
    }
    bool distinct = true;
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++) distinct &= axes[i] != axes[j];
    if (mixed || !distinct || hi - lo + 1 != n || (lo < 0 && hi != -1))
        return frost__keras_fail(k, L, FROST_E_UNSUPPORTED,
                                 "'axis' must list the last dimensions of the input");
    if (frost__json_get_bool(L->cfg, "rms_scaling", false))
        return frost__keras_fail(k, L, FROST_E_UNSUPPORTED, "rms_scaling is not supported");
    double eps;
    FROST_TRY(frost__keras_get_float(k, L, "epsilon", 1e-3, &eps));
    bool scale = frost__json_get_bool(L->cfg, "scale", true);
    bool center = frost__json_get_bool(L->cfg, "center", true);
    int idx = 0, gv = -1, bv = -1;
    frost__shape gs, bs;
    if (scale) FROST_TRY(frost__keras_weight(k, L, "gamma", idx++, &gv, &gs));
    if (center) FROST_TRY(frost__keras_weight(k, L, "beta", idx++, &bv, &bs));
    if (scale && center && !frost__shape_equal(&gs, &bs))
        return frost__keras_fail(k, L, FROST_E_SHAPE, "weights 'gamma' and 'beta' differ in shape");
    if (!scale) {
        if (!center)
            return frost__keras_fail(k, L, FROST_E_UNSUPPORTED, "needs 'scale' or 'center'");
        TRY_V(gv = const_fill(k, L, "gamma", &bs, 1.0f));
    }
    frost__params p;
    memset(&p, 0, sizeof p);
    p.layer_norm.epsilon = (float)eps;
    p.layer_norm.axis = (int)lo;
    TRY_V(*out = frost__keras_emit(k, L, NULL, FROST__OP_LAYER_NORM, center ? 3 : 2,
                                   (int[]){x, gv, bv}, &p));
    return FROST_OK;
}
