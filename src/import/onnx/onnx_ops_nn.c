/* onnx_ops_nn.c — the ONNX ops of neural-network layers: Conv and ConvTranspose (1-D and 2-D),
 * the pools, the normalizations (Batch, Instance, Layer, Lp, LRN, MeanVariance), Softmax,
 * LogSoftmax and Hardmax. Each builder is a row of the table in onnx_ops.c, which has checked the
 * opset and input count.
 *
 * frost's convolutions and pools are NHWC with HWIO filters: NCHW inputs are wrapped as
 * TRANSPOSE(NCHW->NHWC) -> op -> TRANSPOSE(NHWC->NCHW) (passes/onnx_layout.c cancels the pairs),
 * and constant OIHW weights are converted to HWIO once, here. A window, group or output frost
 * cannot compute exactly becomes an UNSUPPORTED node naming it; it must never approximate. */
#include "import/onnx/onnx_ops.h"

#include <stdio.h>

/* ---- Constant rewriting (weights) ----------------------------------------------------------- */

/* A new constant holding src (rank r, dims) transposed by perm; element-size generic. */
static int const_transposed(onnx_ctx *c, onnx_node *n, const char *suffix, const frost__value *src,
                            int r, const int64_t *dims, const int *perm) {
    size_t es = frost_dtype_size(src->dtype);
    frost__shape out = frost__shape_make(r, dims);
    for (int i = 0; i < r; i++) out.d[i] = dims[perm[i]];
    void *dst = frost__alloc(&c->g->alloc, src->nbytes ? src->nbytes : 1);
    if (!dst) {
        frost__fail(c->err, FROST_E_NOMEM, frost__onnx_node_label(n), n->op_type, -1,
                    "out of memory");
        return -1;
    }
    frost__shape in = frost__shape_make(r, dims);
    int64_t sstr[FROST_MAX_RANK], ostr[FROST_MAX_RANK];
    frost__shape_strides(&in, sstr);
    frost__shape_strides(&out, ostr);
    int64_t total = frost__shape_numel(&out);
    int64_t idx[FROST_MAX_RANK] = {0};
    for (int64_t o = 0; o < total; o++) {
        int64_t si = 0;
        for (int i = 0; i < r; i++) si += idx[i] * sstr[perm[i]];
        memcpy((char *)dst + (size_t)o * es, (const char *)src->data + (size_t)si * es, es);
        for (int i = r - 1; i >= 0; i--) {
            if (++idx[i] < out.d[i]) break;
            idx[i] = 0;
        }
    }
    char nm[512];
    frost__onnx_fresh_name(c, frost__onnx_out_base(n), suffix, nm, sizeof nm);
    return frost__graph_add_const_owned(c->g, nm, src->dtype, &out, dst, src->nbytes, c->err);
}

/* ---- Spatial windows ------------------------------------------------------------------------ */

/* Reads strides/dilations/pads/auto_pad for sp (1 or 2) spatial dims. A 1-D window runs as 2-D with
 * height 1. Returns FROST_OK, an error, or FROST_E_UNSUPPORTED with `why` filled. */
static frost_status window_attrs(onnx_ctx *c, onnx_node *n, int sp, bool dilations_allowed,
                                 frost__window *w, char *why, size_t why_cap) {
    int64_t strides[2] = {1, 1}, dil[2] = {1, 1}, pads[4] = {0, 0, 0, 0};
    int64_t tmp[8];
    int k = frost__onnx_attr_ints(n, "strides", tmp, 8);
    if (k >= 0) {
        if (k != sp)
            return frost__onnx_bad_node(c, n, "attribute strides has %d values for %d spatial dims",
                                        k, sp);
        for (int i = 0; i < sp; i++) strides[i] = tmp[i];
    }
    k = frost__onnx_attr_ints(n, "dilations", tmp, 8);
    if (k >= 0) {
        if (k != sp)
            return frost__onnx_bad_node(
                c, n, "attribute dilations has %d values for %d spatial dims", k, sp);
        for (int i = 0; i < sp; i++) dil[i] = tmp[i];
    }
    k = frost__onnx_attr_ints(n, "pads", tmp, 8);
    if (k >= 0) {
        if (k != 2 * sp)
            return frost__onnx_bad_node(c, n, "attribute pads has %d values for %d spatial dims", k,
                                        sp);
        for (int i = 0; i < 2 * sp; i++) pads[i] = tmp[i];
    }
    for (int i = 0; i < sp; i++) {
        if (strides[i] < 1 || strides[i] > (1 << 20))
            return frost__onnx_bad_node(c, n, "attribute strides[%d] = %lld is out of range", i,
                                        (long long)strides[i]);
        if (dil[i] < 1 || dil[i] > (1 << 20))
            return frost__onnx_bad_node(c, n, "attribute dilations[%d] = %lld is out of range", i,
                                        (long long)dil[i]);
    }
    for (int i = 0; i < 2 * sp; i++)
        if (pads[i] < 0 || pads[i] > (1 << 24))
            return frost__onnx_bad_node(c, n, "attribute pads[%d] = %lld is out of range", i,
                                        (long long)pads[i]);
    if (!dilations_allowed && (dil[0] != 1 || dil[1] != 1)) {
        snprintf(why, why_cap, "dilations");
        return FROST_E_UNSUPPORTED;
    }
    memset(w, 0, sizeof *w);
    if (sp == 1) {
        w->stride_h = 1; w->stride_w = (int)strides[0];
        w->dilation_h = 1; w->dilation_w = (int)dil[0];
        w->pad_left = (int)pads[0]; w->pad_right = (int)pads[1];
    } else {
        w->stride_h = (int)strides[0]; w->stride_w = (int)strides[1];
        w->dilation_h = (int)dil[0]; w->dilation_w = (int)dil[1];
        w->pad_top = (int)pads[0]; w->pad_left = (int)pads[1];
        w->pad_bottom = (int)pads[2]; w->pad_right = (int)pads[3];
    }
    char buf[32];
    const char *ap = frost__onnx_attr_s(n, "auto_pad", "NOTSET", buf, sizeof buf);
    if (strcmp(ap, "NOTSET") == 0 || !*ap) {
        bool any = w->pad_top || w->pad_bottom || w->pad_left || w->pad_right;
        w->padding = any ? FROST__PAD_EXPLICIT : FROST__PAD_VALID;
    } else if (strcmp(ap, "VALID") == 0) {
        w->padding = FROST__PAD_VALID;
        w->pad_top = w->pad_bottom = w->pad_left = w->pad_right = 0;
    } else if (strcmp(ap, "SAME_UPPER") == 0) {
        w->padding = FROST__PAD_SAME_UPPER;
    } else if (strcmp(ap, "SAME_LOWER") == 0) {
        w->padding = FROST__PAD_SAME_LOWER;
    } else {
        return frost__onnx_bad_node(
            c, n, "attribute auto_pad '%s' is not NOTSET, VALID, SAME_UPPER or SAME_LOWER", ap);
    }
    return FROST_OK;
}

/* Number of spatial dims of an NC... op: from the weights' rank, kernel_shape, or x's rank. */
static int spatial_dims(onnx_ctx *c, onnx_node *n, int x, int w) {
    int64_t ks[8];
    int wr = frost__onnx_vrank(c, w);
    if (wr >= 3) return wr - 2;
    int k = frost__onnx_attr_ints(n, "kernel_shape", ks, 8);
    if (k > 0) return k;
    int xr = frost__onnx_vrank(c, x);
    return xr >= 3 ? xr - 2 : 2;
}

/* x NC[H]W -> NHWC 4-D (inserting H = 1 for 1-D ops). */
static int to_nhwc4(onnx_ctx *c, onnx_node *n, int x, int sp) {
    if (sp == 1) {
        int64_t two = 2;
        int ax = frost__onnx_const_i64(c, n, "axis_h", &two, 1, false);
        if (ax < 0) return -1;
        int in[2] = {x, ax};
        x = frost__onnx_step(c, n, "as_2d", FROST__OP_EXPAND_DIMS, 2, in, NULL);
        if (x < 0) return -1;
    }
    return frost__onnx_transpose_to(c, n, "to_nhwc", x, true);
}
/* NHWC 4-D y back to NC[H]W, the last step producing the ONNX output. */
static int from_nhwc4(onnx_ctx *c, onnx_node *n, int y, int sp) {
    if (sp != 1) return frost__onnx_transpose_to(c, n, NULL, y, false);
    int t = frost__onnx_transpose_to(c, n, "to_nchw", y, false);
    if (t < 0) return -1;
    int64_t two = 2;
    int ax = frost__onnx_const_i64(c, n, "axis_h_out", &two, 1, false);
    if (ax < 0) return -1;
    int in[2] = {t, ax};
    return frost__onnx_step(c, n, NULL, FROST__OP_SQUEEZE, 2, in, NULL);
}

/* Filter in HWIO ([kh, kw, I, O]) from ONNX weights [O, I, k...] (or [I, O, k...] for
 * ConvTranspose, which gives TF's [kh, kw, O, I] with the same permutation). */
static int filter_hwio(onnx_ctx *c, onnx_node *n, int w, int sp) {
    static const int perm[4] = {2, 3, 1, 0};
    const frost__value *wv = frost__onnx_val(c, w);
    if (wv->kind == FROST__VAL_CONST && wv->shape.rank == sp + 2) {
        int64_t d[4];
        d[0] = wv->shape.d[0];
        d[1] = wv->shape.d[1];
        d[2] = sp == 1 ? 1 : wv->shape.d[2];
        d[3] = sp == 1 ? wv->shape.d[2] : wv->shape.d[3];
        return const_transposed(c, n, "filter_hwio", wv, 4, d, perm);
    }
    int x = w;
    if (sp == 1) {
        int64_t two = 2;
        int ax = frost__onnx_const_i64(c, n, "filter_axis_h", &two, 1, false);
        if (ax < 0) return -1;
        int in[2] = {w, ax};
        x = frost__onnx_step(c, n, "filter_2d", FROST__OP_EXPAND_DIMS, 2, in, NULL);
        if (x < 0) return -1;
    }
    int64_t p[4] = {2, 3, 1, 0};
    int pc = frost__onnx_const_i64(c, n, "filter_perm", p, 4, false);
    if (pc < 0) return -1;
    int in[2] = {x, pc};
    return frost__onnx_step(c, n, "filter_hwio", FROST__OP_TRANSPOSE, 2, in, NULL);
}

/* ---- Convolution and pooling ---------------------------------------------------------------- */

frost_status frost__onnx_op_conv(onnx_ctx *c, onnx_node *n, const onnx_op *e) {
    (void)e;
    int x, w;
    FROST_TRY(frost__onnx_need_in(c, n, 0, &x));
    FROST_TRY(frost__onnx_need_in(c, n, 1, &w));
    int b = frost__onnx_in(c, n, 2);
    int sp = spatial_dims(c, n, x, w);
    if (sp != 1 && sp != 2) return frost__onnx_unsupported(c, n, "%d-D", sp);
    frost__params p;
    memset(&p, 0, sizeof p);
    char why[64];
    frost_status st = window_attrs(c, n, sp, true, &p.conv.w, why, sizeof why);
    if (st == FROST_E_UNSUPPORTED) return frost__onnx_unsupported(c, n, "%s", why);
    FROST_TRY(st);
    int64_t group = frost__onnx_attr_i(n, "group", 1);
    if (group < 1 || group > (1 << 24))
        return frost__onnx_bad_node(c, n, "attribute group = %lld", (long long)group);
    const frost__shape *ws = &frost__onnx_val(c, w)->shape;
    bool depthwise = group > 1 && ws->rank == sp + 2 && ws->d[1] == 1 && ws->d[0] > 0 &&
                     ws->d[0] % group == 0;
    int filt = filter_hwio(c, n, w, sp);
    TRYV(filt);
    int op = FROST__OP_CONV2D;
    p.conv.groups = (int)group;
    if (depthwise) {
        /* HWIO [kh, kw, 1, O] and depthwise [kh, kw, C, O/C] share one memory order. */
        op = FROST__OP_DEPTHWISE_CONV2D;
        p.conv.groups = 1;
        frost__value *fv = frost__onnx_val(c, filt);
        if (fv->kind == FROST__VAL_CONST) {
            fv->shape.d[2] = group;
            fv->shape.d[3] /= group;
        } else {
            int64_t rs[4] = {0, 0, group, -1};
            int rc = frost__onnx_const_i64(c, n, "filter_dw_shape", rs, 4, false);
            TRYV(rc);
            filt = frost__onnx_reshape(c, n, "filter_dw", filt, rc);
            TRYV(filt);
        }
    }
    int xt = to_nhwc4(c, n, x, sp);
    TRYV(xt);
    int in[3] = {xt, filt, b};
    int y = frost__onnx_step(c, n, "conv_nhwc", op, b >= 0 ? 3 : 2, in, &p);
    TRYV(y);
    return frost__onnx_bind0(c, n, from_nhwc4(c, n, y, sp));
}

frost_status frost__onnx_op_conv_transpose(onnx_ctx *c, onnx_node *n, const onnx_op *e) {
    (void)e;
    int x, w;
    FROST_TRY(frost__onnx_need_in(c, n, 0, &x));
    FROST_TRY(frost__onnx_need_in(c, n, 1, &w));
    int b = frost__onnx_in(c, n, 2);
    int sp = spatial_dims(c, n, x, w);
    if (sp != 1 && sp != 2) return frost__onnx_unsupported(c, n, "%d-D", sp);
    if (frost__onnx_attr_i(n, "group", 1) != 1) return frost__onnx_unsupported(c, n, "group > 1");
    frost__params p;
    memset(&p, 0, sizeof p);
    char why[64];
    frost_status st = window_attrs(c, n, sp, true, &p.deconv.w, why, sizeof why);
    if (st == FROST_E_UNSUPPORTED) return frost__onnx_unsupported(c, n, "%s", why);
    FROST_TRY(st);
    int64_t op_[2] = {0, 0}, os[2] = {0, 0};
    int k = frost__onnx_attr_ints(n, "output_padding", op_, 2);
    if (k >= 0 && k != sp)
        return frost__onnx_bad_node(c, n, "attribute output_padding has %d values", k);
    k = frost__onnx_attr_ints(n, "output_shape", os, 2);
    if (k >= 0) {
        if (k != sp)
            return frost__onnx_unsupported(c, n, "output_shape with batch and channel dims");
        /* ONNX puts the odd padding at the end unless SAME_LOWER: frost's SAME_UPPER rule. */
        if (p.deconv.w.padding != FROST__PAD_SAME_LOWER) p.deconv.w.padding = FROST__PAD_SAME_UPPER;
    }
    if (sp == 1) {
        p.deconv.out_pad_w = (int)op_[0];
        p.deconv.out_w = (int)os[0];
        p.deconv.out_h = os[0] > 0 ? 1 : 0;
    } else {
        p.deconv.out_pad_h = (int)op_[0];
        p.deconv.out_pad_w = (int)op_[1];
        p.deconv.out_h = (int)os[0];
        p.deconv.out_w = (int)os[1];
    }
    int filt = filter_hwio(c, n, w, sp);
    TRYV(filt);
    int xt = to_nhwc4(c, n, x, sp);
    TRYV(xt);
    int in[3] = {xt, filt, b};
    int y =
        frost__onnx_step(c, n, "deconv_nhwc", FROST__OP_CONV2D_TRANSPOSE, b >= 0 ? 3 : 2, in, &p);
    TRYV(y);
    return frost__onnx_bind0(c, n, from_nhwc4(c, n, y, sp));
}

/* AveragePool (fn 0), MaxPool (fn 1). */
frost_status frost__onnx_op_pool(onnx_ctx *c, onnx_node *n, const onnx_op *e) {
    bool is_max = e->fn != 0;
    int x;
    FROST_TRY(frost__onnx_need_in(c, n, 0, &x));
    if (is_max && frost__onnx_output_used(c, n, 1))
        return frost__onnx_unsupported(c, n, "Indices output");
    int64_t ks[8];
    int k = frost__onnx_attr_ints(n, "kernel_shape", ks, 8);
    if (k < 1) return frost__onnx_bad_node(c, n, "attribute kernel_shape is missing");
    if (k > 2) return frost__onnx_unsupported(c, n, "%d-D", k);
    for (int i = 0; i < k; i++)
        if (ks[i] < 1 || ks[i] > (1 << 20))
            return frost__onnx_bad_node(c, n, "attribute kernel_shape[%d] = %lld", i,
                                        (long long)ks[i]);
    if (frost__onnx_attr_i(n, "storage_order", 0) != 0 && frost__onnx_output_used(c, n, 1))
        return frost__onnx_unsupported(c, n, "storage_order");
    frost__params p;
    memset(&p, 0, sizeof p);
    char why[64];
    frost_status st = window_attrs(c, n, k, true, &p.pool.w, why, sizeof why);
    if (st == FROST_E_UNSUPPORTED) return frost__onnx_unsupported(c, n, "%s", why);
    FROST_TRY(st);
    p.pool.is_max = is_max;
    p.pool.k_h = k == 1 ? 1 : (int)ks[0];
    p.pool.k_w = k == 1 ? (int)ks[0] : (int)ks[1];
    p.pool.count_include_pad = !is_max && frost__onnx_attr_i(n, "count_include_pad", 0) != 0;
    p.pool.ceil_mode = frost__onnx_attr_i(n, "ceil_mode", 0) != 0;
    int xt = to_nhwc4(c, n, x, k);
    TRYV(xt);
    int in[1] = {xt};
    int y = frost__onnx_step(c, n, "pool_nhwc", FROST__OP_POOL2D, 1, in, &p);
    TRYV(y);
    return frost__onnx_bind0(c, n, from_nhwc4(c, n, y, k));
}

/* A reduce of x over the axes in value `axes`, keeping them as 1s. */
static int reduce_keep(onnx_ctx *c, onnx_node *n, const char *suffix, int fn, int x, int axes) {
    frost__params p;
    memset(&p, 0, sizeof p);
    p.reduce.fn = fn;
    p.reduce.keep_dims = true;
    int in[2] = {x, axes};
    return frost__onnx_step(c, n, suffix, FROST__OP_REDUCE, 2, in, &p);
}

/* GlobalAveragePool, GlobalMaxPool: the row's reduce function over the spatial axes. */
frost_status frost__onnx_op_global_pool(onnx_ctx *c, onnx_node *n, const onnx_op *e) {
    int x;
    FROST_TRY(frost__onnx_need_in(c, n, 0, &x));
    int r = frost__onnx_vrank(c, x);
    if (r < 0) r = 4;
    if (r < 3) return frost__onnx_unsupported(c, n, "rank %d input", r);
    int64_t axes[FROST_MAX_RANK];
    for (int i = 2; i < r; i++) axes[i - 2] = i;
    int ax = frost__onnx_const_i64(c, n, "axes", axes, r - 2, false);
    TRYV(ax);
    return frost__onnx_bind0(c, n, reduce_keep(c, n, NULL, e->fn, x, ax));
}

/* ---- Softmax and Hardmax ------------------------------------------------------------------------
 */

/* y (computed from x flattened to 2-D) reshaped back to x's shape. */
static int reshape_like(onnx_ctx *c, onnx_node *n, int y, int x) {
    int shp = frost__onnx_shape_of(c, n, "shape", x, 0, 0);
    if (shp < 0) return -1;
    return frost__onnx_reshape(c, n, NULL, y, shp);
}

/* Softmax (fn 0), LogSoftmax (fn 1). */
frost_status frost__onnx_op_softmax(onnx_ctx *c, onnx_node *n, const onnx_op *e) {
    bool log = e->fn != 0;
    int x;
    FROST_TRY(frost__onnx_need_in(c, n, 0, &x));
    frost__params p;
    memset(&p, 0, sizeof p);
    p.softmax.log = log;
    p.softmax.beta = 1.0f;
    int r = frost__onnx_vrank(c, x);
    if (c->opset >= 13) {
        p.softmax.axis = (int)frost__onnx_attr_i(n, "axis", -1);
        int in[1] = {x};
        return frost__onnx_bind0(c, n, frost__onnx_step(c, n, NULL, FROST__OP_SOFTMAX, 1, in, &p));
    }
    /* Before opset 13 the input is coerced to 2-D at axis and normalized over the second part. */
    int64_t axis = frost__onnx_attr_i(n, "axis", 1);
    if (r >= 0) {
        if (axis < -r || axis > r)
            return frost__onnx_bad_node(c, n, "attribute axis %lld for rank %d", (long long)axis,
                                        r);
        if (axis < 0) axis += r;
        if (axis == r - 1 || (r == 0 && axis == 0)) {
            p.softmax.axis = -1;
            int in[1] = {x};
            return frost__onnx_bind0(c, n,
                                     frost__onnx_step(c, n, NULL, FROST__OP_SOFTMAX, 1, in, &p));
        }
    }
    frost__params fp;
    memset(&fp, 0, sizeof fp);
    fp.flatten.axis = (int)axis;
    int in[1] = {x};
    int flat = frost__onnx_step(c, n, "flat", FROST__OP_FLATTEN, 1, in, &fp);
    TRYV(flat);
    p.softmax.axis = -1;
    int in2[1] = {flat};
    int sm = frost__onnx_step(c, n, "softmax_2d", FROST__OP_SOFTMAX, 1, in2, &p);
    TRYV(sm);
    return frost__onnx_bind0(c, n, reshape_like(c, n, sm, x));
}

/* Scalar i64: dimension `axis` of x's shape (known at plan time). */
static int dim_of(onnx_ctx *c, onnx_node *n, const char *suffix, int x, int64_t axis) {
    char nm[64];
    snprintf(nm, sizeof nm, "%s_shape", suffix);
    int shp = frost__onnx_shape_of(c, n, nm, x, 0, 0);
    if (shp < 0) return -1;
    int64_t zero = 0;
    int ka = frost__onnx_const_i64(c, n, "axis", &axis, 1, true),
        kz = frost__onnx_const_i64(c, n, "axis0", &zero, 1, true);
    if (ka < 0 || kz < 0) return -1;
    int g[3] = {shp, ka, kz};
    return frost__onnx_step(c, n, suffix, FROST__OP_GATHER, 3, g, NULL);
}

/* one-hot of argmax(x, axis) (first index on ties), in x's dtype: Hardmax over one axis. */
static int hardmax_axis(onnx_ctx *c, onnx_node *n, const char *suffix, int x, int64_t axis) {
    int ax = frost__onnx_const_i64(c, n, "arg_axis", &axis, 1, true);
    if (ax < 0) return -1;
    frost__params ap;
    memset(&ap, 0, sizeof ap);
    ap.arg.is_max = true;
    ap.arg.out_dtype = FROST_DTYPE_I64;
    int in[2] = {x, ax};
    int idx = frost__onnx_step(c, n, "argmax", FROST__OP_ARG, 2, in, &ap);
    if (idx < 0) return -1;
    int depth = dim_of(c, n, "depth", x, axis);
    if (depth < 0) return -1;
    frost_dtype dt = frost__onnx_float_of(c, x);
    int on = frost__onnx_const_scalar_of(c, n, "on", dt, 1),
        off = frost__onnx_const_scalar_of(c, n, "off", dt, 0);
    if (on < 0 || off < 0) return -1;
    frost__params op;
    memset(&op, 0, sizeof op);
    op.one_hot.axis = (int)axis;
    int oh[4] = {idx, depth, on, off};
    return frost__onnx_step(c, n, suffix, FROST__OP_ONE_HOT, 4, oh, &op);
}

frost_status frost__onnx_op_hardmax(onnx_ctx *c, onnx_node *n, const onnx_op *e) {
    (void)e;
    int x;
    FROST_TRY(frost__onnx_need_in(c, n, 0, &x));
    int r = frost__onnx_vrank(c, x);
    if (c->opset >= 13) {
        int64_t axis = frost__onnx_attr_i(n, "axis", -1);
        if (axis < 0) {
            if (r < 0) return frost__onnx_unsupported(c, n, "negative axis with unknown rank");
            axis += r;
        }
        return frost__onnx_bind0(c, n, hardmax_axis(c, n, NULL, x, axis));
    }
    int64_t axis = frost__onnx_attr_i(n, "axis", 1);
    if (r < 0) return frost__onnx_unsupported(c, n, "rank unknown at load");
    if (axis < 0) axis += r;
    if (axis == r - 1) return frost__onnx_bind0(c, n, hardmax_axis(c, n, NULL, x, axis));
    frost__params fp;
    memset(&fp, 0, sizeof fp);
    fp.flatten.axis = (int)axis;
    int in[1] = {x};
    int flat = frost__onnx_step(c, n, "flat", FROST__OP_FLATTEN, 1, in, &fp);
    TRYV(flat);
    int hm = hardmax_axis(c, n, "hardmax_2d", flat, 1);
    TRYV(hm);
    return frost__onnx_bind0(c, n, reshape_like(c, n, hm, x));
}

/* ---- Normalization --------------------------------------------------------------------------- */

/* (x - mean) / sqrt(var + eps) over the axes in value `ax`; *mean and *inv_std are the steps'
 * values. Returns the normalized value or -1. */
static int standardize(onnx_ctx *c, onnx_node *n, int x, int ax, float eps, int *mean,
                       int *inv_std) {
    *mean = reduce_keep(c, n, "mean", FROST__RED_MEAN, x, ax);
    if (*mean < 0) return -1;
    int d = frost__onnx_binary(c, n, "centered", FROST__BIN_SUB, x, *mean);
    if (d < 0) return -1;
    int sq = frost__onnx_binary(c, n, "squared", FROST__BIN_MUL, d, d);
    if (sq < 0) return -1;
    int var = reduce_keep(c, n, "var", FROST__RED_MEAN, sq, ax);
    if (var < 0) return -1;
    int ke = frost__onnx_const_scalar_of(c, n, "epsilon", frost__onnx_float_of(c, x), eps);
    if (ke < 0) return -1;
    int ve = frost__onnx_binary(c, n, "var_eps", FROST__BIN_ADD, var, ke);
    if (ve < 0) return -1;
    *inv_std = frost__onnx_unary(c, n, "inv_std", ve, FROST__UN_RSQRT, 0, 0);
    if (*inv_std < 0) return -1;
    return frost__onnx_binary(c, n, "normed", FROST__BIN_MUL, d, *inv_std);
}

frost_status frost__onnx_op_batch_norm(onnx_ctx *c, onnx_node *n, const onnx_op *e) {
    (void)e;
    int x, sc, bi, mean, var;
    FROST_TRY(frost__onnx_need_in(c, n, 0, &x));
    FROST_TRY(frost__onnx_need_in(c, n, 1, &sc));
    FROST_TRY(frost__onnx_need_in(c, n, 2, &bi));
    FROST_TRY(frost__onnx_need_in(c, n, 3, &mean));
    FROST_TRY(frost__onnx_need_in(c, n, 4, &var));
    if (frost__onnx_attr_i(n, "training_mode", 0) != 0)
        return frost__onnx_unsupported(c, n, "training_mode");
    if (c->opset < 9 && frost__onnx_attr_i(n, "spatial", 1) != 1)
        return frost__onnx_unsupported(c, n, "spatial=0");
    for (size_t k = 1; k < n->n_output; k++)
        if (frost__onnx_output_used(c, n, k))
            return frost__onnx_unsupported(c, n, "training outputs");
    frost__params p;
    memset(&p, 0, sizeof p);
    p.batch_norm.epsilon = frost__onnx_attr_f(n, "epsilon", 1e-5f);
    p.batch_norm.axis = 1;
    int in[5] = {x, sc, bi, mean, var};
    return frost__onnx_bind0(c, n, frost__onnx_step(c, n, NULL, FROST__OP_BATCH_NORM, 5, in, &p));
}

/* LayerNormalization whose Mean / InvStdDev outputs are consumed: spelled out. */
static frost_status layer_norm_parts(onnx_ctx *c, onnx_node *n, int x, int sc, int b) {
    int r = frost__onnx_vrank(c, x);
    if (r < 1) return frost__onnx_unsupported(c, n, "mean/inv_std outputs with unknown rank");
    int64_t axis = frost__onnx_attr_i(n, "axis", -1);
    if (axis < 0) axis += r;
    if (axis < 0 || axis >= r) return frost__onnx_bad_node(c, n, "attribute axis out of range");
    float eps = frost__onnx_attr_f(n, "epsilon", 1e-5f);
    int64_t axes[FROST_MAX_RANK];
    for (int i = (int)axis; i < r; i++) axes[i - axis] = i;
    int ax = frost__onnx_const_i64(c, n, "axes", axes, r - (int)axis, false);
    TRYV(ax);
    int mean, inv;
    int normed = standardize(c, n, x, ax, eps, &mean, &inv);
    TRYV(normed);
    int y = frost__onnx_binary(c, n, b >= 0 ? "scaled" : NULL, FROST__BIN_MUL, normed, sc);
    TRYV(y);
    if (b >= 0) {
        y = frost__onnx_binary(c, n, NULL, FROST__BIN_ADD, y, b);
        TRYV(y);
    }
    FROST_TRY(frost__onnx_bind(c, n, 0, y));
    FROST_TRY(frost__onnx_bind(c, n, 1, mean));
    return frost__onnx_bind(c, n, 2, inv);
}

frost_status frost__onnx_op_layer_norm(onnx_ctx *c, onnx_node *n, const onnx_op *e) {
    (void)e;
    int x, sc;
    FROST_TRY(frost__onnx_need_in(c, n, 0, &x));
    FROST_TRY(frost__onnx_need_in(c, n, 1, &sc));
    int b = frost__onnx_in(c, n, 2);
    if (frost__onnx_output_used(c, n, 1) || frost__onnx_output_used(c, n, 2))
        return layer_norm_parts(c, n, x, sc, b);
    frost__params p;
    memset(&p, 0, sizeof p);
    p.layer_norm.epsilon = frost__onnx_attr_f(n, "epsilon", 1e-5f);
    p.layer_norm.axis = (int)frost__onnx_attr_i(n, "axis", -1);
    int in[3] = {x, sc, b};
    return frost__onnx_bind0(
        c, n, frost__onnx_step(c, n, NULL, FROST__OP_LAYER_NORM, b >= 0 ? 3 : 2, in, &p));
}

/* InstanceNormalization: per (n, c) over the spatial axes, then per-channel scale and bias. */
frost_status frost__onnx_op_instance_norm(onnx_ctx *c, onnx_node *n, const onnx_op *e) {
    (void)e;
    int x, sc, b;
    FROST_TRY(frost__onnx_need_in(c, n, 0, &x));
    FROST_TRY(frost__onnx_need_in(c, n, 1, &sc));
    FROST_TRY(frost__onnx_need_in(c, n, 2, &b));
    int r = frost__onnx_vrank(c, x);
    if (r < 3) return frost__onnx_unsupported(c, n, "input rank unknown at load");
    float eps = frost__onnx_attr_f(n, "epsilon", 1e-5f);
    int64_t axes[FROST_MAX_RANK], cshape[FROST_MAX_RANK];
    for (int i = 2; i < r; i++) axes[i - 2] = i;
    cshape[0] = -1;
    for (int i = 1; i < r - 1; i++) cshape[i] = 1;
    int ax = frost__onnx_const_i64(c, n, "axes", axes, r - 2, false);
    TRYV(ax);
    int mean, inv;
    int normed = standardize(c, n, x, ax, eps, &mean, &inv);
    TRYV(normed);
    int cs = frost__onnx_const_i64(c, n, "channel_shape", cshape, r - 1, false);
    TRYV(cs);
    int scr = frost__onnx_reshape(c, n, "scale_c11", sc, cs);
    TRYV(scr);
    int br = frost__onnx_reshape(c, n, "bias_c11", b, cs);
    TRYV(br);
    int y = frost__onnx_binary(c, n, "scaled", FROST__BIN_MUL, normed, scr);
    TRYV(y);
    return frost__onnx_bind0(c, n, frost__onnx_binary(c, n, NULL, FROST__BIN_ADD, y, br));
}

frost_status frost__onnx_op_lp_norm(onnx_ctx *c, onnx_node *n, const onnx_op *e) {
    (void)e;
    int x;
    FROST_TRY(frost__onnx_need_in(c, n, 0, &x));
    int64_t axis = frost__onnx_attr_i(n, "axis", -1), pnorm = frost__onnx_attr_i(n, "p", 2);
    if (pnorm != 1 && pnorm != 2)
        return frost__onnx_bad_node(c, n, "attribute p = %lld", (long long)pnorm);
    int ax = frost__onnx_const_i64(c, n, "axis", &axis, 1, false);
    TRYV(ax);
    int nrm = reduce_keep(c, n, "norm", pnorm == 1 ? FROST__RED_L1 : FROST__RED_L2, x, ax);
    TRYV(nrm);
    return frost__onnx_bind0(c, n, frost__onnx_binary(c, n, NULL, FROST__BIN_DIV, x, nrm));
}

/* LRN: the channel window sum as an average pool over [N, C, H*W, 1] read as NHWC. */
frost_status frost__onnx_op_lrn(onnx_ctx *c, onnx_node *n, const onnx_op *e) {
    (void)e;
    int x;
    FROST_TRY(frost__onnx_need_in(c, n, 0, &x));
    int64_t size = frost__onnx_attr_i(n, "size", 0);
    if (size < 1 || size > 4096)
        return frost__onnx_bad_node(c, n, "attribute size = %lld", (long long)size);
    float alpha = frost__onnx_attr_f(n, "alpha", 1e-4f),
          beta = frost__onnx_attr_f(n, "beta", 0.75f), bias = frost__onnx_attr_f(n, "bias", 1.0f);
    frost_dtype dt = frost__onnx_float_of(c, x);
    int sq = frost__onnx_binary(c, n, "squared", FROST__BIN_MUL, x, x);
    TRYV(sq);
    int64_t cols[4] = {0, 0, -1, 1};
    int kc = frost__onnx_const_i64(c, n, "columns_shape", cols, 4, false);
    TRYV(kc);
    int colsv = frost__onnx_reshape(c, n, "columns", sq, kc);
    TRYV(colsv);
    frost__params pp;
    memset(&pp, 0, sizeof pp);
    pp.pool.k_h = (int)size;
    pp.pool.k_w = 1;
    pp.pool.w.stride_h = pp.pool.w.stride_w = 1;
    pp.pool.w.dilation_h = pp.pool.w.dilation_w = 1;
    pp.pool.w.padding = FROST__PAD_EXPLICIT;
    pp.pool.w.pad_top = (int)((size - 1) / 2);
    pp.pool.w.pad_bottom = (int)(size - 1 - (size - 1) / 2);
    pp.pool.count_include_pad = true;
    int in2[1] = {colsv};
    int avg = frost__onnx_step(c, n, "window_mean", FROST__OP_POOL2D, 1, in2, &pp);
    TRYV(avg);
    int shp = frost__onnx_shape_of(c, n, "shape", x, 0, 0);
    TRYV(shp);
    int mean = frost__onnx_reshape(c, n, "window_mean_nchw", avg, shp);
    TRYV(mean);
    int ka = frost__onnx_const_scalar_of(c, n, "alpha", dt, alpha),
        kb = frost__onnx_const_scalar_of(c, n, "bias", dt, bias);
    int kbeta = frost__onnx_const_scalar_of(c, n, "beta", dt, beta);
    TRYV(ka);
    TRYV(kb);
    TRYV(kbeta);
    int scaled = frost__onnx_binary(c, n, "scaled", FROST__BIN_MUL, mean, ka);
    TRYV(scaled);
    int base = frost__onnx_binary(c, n, "base", FROST__BIN_ADD, scaled, kb);
    TRYV(base);
    int den = frost__onnx_binary(c, n, "denominator", FROST__BIN_POW, base, kbeta);
    TRYV(den);
    return frost__onnx_bind0(c, n, frost__onnx_binary(c, n, NULL, FROST__BIN_DIV, x, den));
}

/* MeanVarianceNormalization as ONNX's function body defines it. */
frost_status frost__onnx_op_mvn(onnx_ctx *c, onnx_node *n, const onnx_op *e) {
    (void)e;
    int x;
    FROST_TRY(frost__onnx_need_in(c, n, 0, &x));
    int64_t axes[FROST_MAX_RANK] = {0, 2, 3};
    int na = frost__onnx_attr_ints(n, "axes", axes, FROST_MAX_RANK);
    if (na == -2) return frost__onnx_bad_node(c, n, "attribute axes is too long");
    if (na < 0) na = 3;
    frost_dtype dt = frost__onnx_float_of(c, x);
    int ax = frost__onnx_const_i64(c, n, "axes", axes, na, false);
    TRYV(ax);
    int mean = reduce_keep(c, n, "mean", FROST__RED_MEAN, x, ax);
    TRYV(mean);
    int xsq = frost__onnx_binary(c, n, "x_squared", FROST__BIN_MUL, x, x);
    TRYV(xsq);
    int ex2 = reduce_keep(c, n, "mean_of_squares", FROST__RED_MEAN, xsq, ax);
    TRYV(ex2);
    int m2 = frost__onnx_binary(c, n, "mean_squared", FROST__BIN_MUL, mean, mean);
    TRYV(m2);
    int var = frost__onnx_binary(c, n, "variance", FROST__BIN_SUB, ex2, m2);
    TRYV(var);
    int sd = frost__onnx_unary(c, n, "std", var, FROST__UN_SQRT, 0, 0);
    TRYV(sd);
    int ke = frost__onnx_const_scalar_of(c, n, "epsilon", dt, 1e-9);
    TRYV(ke);
    int den = frost__onnx_binary(c, n, "std_eps", FROST__BIN_ADD, sd, ke);
    TRYV(den);
    int d = frost__onnx_binary(c, n, "centered", FROST__BIN_SUB, x, mean);
    TRYV(d);
    return frost__onnx_bind0(c, n, frost__onnx_binary(c, n, NULL, FROST__BIN_DIV, d, den));
}

