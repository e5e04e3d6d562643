/* onnx_ops_tensor.c — the ONNX ops that move, reshape, index or generate tensors: Reshape,
 * Flatten, (Un)Squeeze, Transpose, Concat, Split, Slice, Gather, Shape, Size, Pad, Constant,
 * ConstantOfShape, Identity/Dropout, OneHot, Trilu, DepthToSpace/SpaceToDepth and Resize/Upsample,
 * plus the plain rows (Where, Expand, Tile, Range) that map one-to-one onto a canonical op. Each
 * builder is a row of the table in onnx_ops.c, which has checked the opset and input count.
 *
 * Operands ONNX passes as attributes in some opsets (shape, axes, split, starts/ends, pads)
 * become constant inputs, so every opset reaches the same graph. It must never guess: a mode or
 * operand frost cannot honour exactly becomes an UNSUPPORTED node naming it. */
#include "import/onnx/onnx_ops.h"

#include <math.h>
#include <stdio.h>

/* ---- Shapes and layout ---------------------------------------------------------------------- */

/* One node of the row's canonical op over the node's min_in inputs, all required. */
frost_status frost__onnx_op_plain(onnx_ctx *c, onnx_node *n, const onnx_op *e) {
    int in[8];
    if (e->min_in > (int)FROST_ARRAY_LEN(in)) return frost__onnx_failed(c);
    for (int k = 0; k < e->min_in; k++) FROST_TRY(frost__onnx_need_in(c, n, (size_t)k, &in[k]));
    return frost__onnx_bind0(c, n, frost__onnx_step(c, n, NULL, e->op, e->min_in, in, NULL));
}

frost_status frost__onnx_op_reshape(onnx_ctx *c, onnx_node *n, const onnx_op *e) {
    (void)e;
    int x;
    FROST_TRY(frost__onnx_need_in(c, n, 0, &x));
    int s = frost__onnx_list_operand(c, n, 1, "shape");
    if (s == -2) return frost__onnx_failed(c);
    if (s < 0) return frost__onnx_bad_node(c, n, "the shape is missing");
    frost__params p;
    memset(&p, 0, sizeof p);
    p.reshape.zero_is_copy = frost__onnx_attr_i(n, "allowzero", 0) == 0;
    int in[2] = {x, s};
    return frost__onnx_bind0(c, n, frost__onnx_step(c, n, NULL, FROST__OP_RESHAPE, 2, in, &p));
}

frost_status frost__onnx_op_flatten(onnx_ctx *c, onnx_node *n, const onnx_op *e) {
    (void)e;
    int x;
    FROST_TRY(frost__onnx_need_in(c, n, 0, &x));
    int64_t axis = frost__onnx_attr_i(n, "axis", 1);
    int r = frost__onnx_vrank(c, x);
    if (axis < 0 && r >= 0) axis += r;
    if (r >= 0 && (axis < 0 || axis > r))
        return frost__onnx_bad_node(c, n, "attribute axis out of range");
    frost__params p;
    memset(&p, 0, sizeof p);
    p.flatten.axis = (int)axis;
    int in[1] = {x};
    return frost__onnx_bind0(c, n, frost__onnx_step(c, n, NULL, FROST__OP_FLATTEN, 1, in, &p));
}

/* Squeeze (fn 0), Unsqueeze (fn 1). */
frost_status frost__onnx_op_squeeze(onnx_ctx *c, onnx_node *n, const onnx_op *e) {
    bool unsqueeze = e->fn != 0;
    int x;
    FROST_TRY(frost__onnx_need_in(c, n, 0, &x));
    int axes = frost__onnx_list_operand(c, n, 1, "axes");
    if (axes == -2) return frost__onnx_failed(c);
    if (unsqueeze && axes < 0) return frost__onnx_bad_node(c, n, "axes are missing");
    int in[2] = {x, axes};
    return frost__onnx_bind0(c, n,
                             frost__onnx_step(c, n, NULL,
                                              unsqueeze ? FROST__OP_EXPAND_DIMS : FROST__OP_SQUEEZE,
                                              axes >= 0 ? 2 : 1, in, NULL));
}

frost_status frost__onnx_op_transpose(onnx_ctx *c, onnx_node *n, const onnx_op *e) {
    (void)e;
    int x;
    FROST_TRY(frost__onnx_need_in(c, n, 0, &x));
    int64_t perm[FROST_MAX_RANK];
    int k = frost__onnx_attr_ints(n, "perm", perm, FROST_MAX_RANK);
    if (k == -2) return frost__onnx_unsupported(c, n, "rank > %d", FROST_MAX_RANK);
    if (k < 0) {
        int r = frost__onnx_vrank(c, x);
        if (r < 0) return frost__onnx_unsupported(c, n, "no perm and the rank is unknown at load");
        for (int i = 0; i < r; i++) perm[i] = r - 1 - i;
        k = r;
    }
    int pc = frost__onnx_const_i64(c, n, "perm", perm, k, false);
    TRYV(pc);
    int in[2] = {x, pc};
    return frost__onnx_bind0(c, n, frost__onnx_step(c, n, NULL, FROST__OP_TRANSPOSE, 2, in, NULL));
}

frost_status frost__onnx_op_concat(onnx_ctx *c, onnx_node *n, const onnx_op *e) {
    (void)e;
    if (n->n_input < 1 || n->n_input > 4096)
        return frost__onnx_bad_node(c, n, "%zu inputs", n->n_input);
    const FrostOnnx__AttributeProto *a = frost__onnx_attr(n, "axis");
    bool has_axis = a && a->has_i;
    if (!has_axis && c->opset >= 4) return frost__onnx_bad_node(c, n, "attribute axis is missing");
    int in[4097];
    int k = 0;
    for (size_t i = 0; i < n->n_input; i++) FROST_TRY(frost__onnx_need_in(c, n, i, &in[k++]));
    int64_t axis = has_axis ? a->i : 1; /* Concat-1's default */
    int ax = frost__onnx_const_i64(c, n, "axis", &axis, 1, true);
    TRYV(ax);
    in[k++] = ax;
    return frost__onnx_bind0(c, n, frost__onnx_step(c, n, NULL, FROST__OP_CONCAT, k, in, NULL));
}

frost_status frost__onnx_op_split(onnx_ctx *c, onnx_node *n, const onnx_op *e) {
    (void)e;
    int x;
    FROST_TRY(frost__onnx_need_in(c, n, 0, &x));
    int sizes = frost__onnx_list_operand(c, n, 1, "split");
    if (sizes == -2) return frost__onnx_failed(c);
    if (frost__onnx_attr(n, "num_outputs")) sizes = -1;
    int64_t axis = frost__onnx_attr_i(n, "axis", 0);
    int ax = frost__onnx_const_i64(c, n, "axis", &axis, 1, true);
    TRYV(ax);
    int in[3] = {x, ax, sizes};
    int node = frost__onnx_emit(c, n, NULL, FROST__OP_SPLIT, sizes >= 0 ? 3 : 2, in,
                                (int)n->n_output, NULL);
    if (node < 0) return frost__onnx_failed(c);
    for (size_t k = 0; k < n->n_output; k++)
        FROST_TRY(frost__onnx_bind(c, n, k, c->g->nodes[node].out[k]));
    return FROST_OK;
}

frost_status frost__onnx_op_slice(onnx_ctx *c, onnx_node *n, const onnx_op *e) {
    (void)e;
    int x;
    FROST_TRY(frost__onnx_need_in(c, n, 0, &x));
    int starts, ends, axes, steps = -1;
    if (c->opset < 10) {
        starts = frost__onnx_list_operand(c, n, 99, "starts");
        ends = frost__onnx_list_operand(c, n, 99, "ends");
        axes = frost__onnx_list_operand(c, n, 99, "axes");
    } else {
        starts = frost__onnx_in(c, n, 1);
        ends = frost__onnx_in(c, n, 2);
        axes = frost__onnx_in(c, n, 3);
        steps = frost__onnx_in(c, n, 4);
    }
    if (starts == -2 || ends == -2 || axes == -2) return frost__onnx_failed(c);
    if (starts < 0 || ends < 0) return frost__onnx_bad_node(c, n, "starts or ends is missing");
    int in[5] = {x, starts, ends, axes, steps};
    int n_in = steps >= 0 ? 5 : axes >= 0 ? 4 : 3;
    return frost__onnx_bind0(c, n, frost__onnx_step(c, n, NULL, FROST__OP_SLICE, n_in, in, NULL));
}

frost_status frost__onnx_op_gather(onnx_ctx *c, onnx_node *n, const onnx_op *e) {
    (void)e;
    int x, idx;
    FROST_TRY(frost__onnx_need_in(c, n, 0, &x));
    FROST_TRY(frost__onnx_need_in(c, n, 1, &idx));
    int64_t axis = frost__onnx_attr_i(n, "axis", 0);
    int ax = frost__onnx_const_i64(c, n, "axis", &axis, 1, true);
    TRYV(ax);
    int in[3] = {x, idx, ax};
    return frost__onnx_bind0(c, n, frost__onnx_step(c, n, NULL, FROST__OP_GATHER, 3, in, NULL));
}

frost_status frost__onnx_op_shape(onnx_ctx *c, onnx_node *n, const onnx_op *e) {
    (void)e;
    int x;
    FROST_TRY(frost__onnx_need_in(c, n, 0, &x));
    frost__params p;
    memset(&p, 0, sizeof p);
    p.shape.out_dtype = FROST_DTYPE_I64;
    int64_t start = frost__onnx_attr_i(n, "start", 0);
    const FrostOnnx__AttributeProto *end_attr = frost__onnx_attr(n, "end");
    int r = frost__onnx_vrank(c, x);
    if (end_attr && end_attr->has_i) {
        int64_t end = end_attr->i;
        if (r < 0 && end <= 0)
            return frost__onnx_unsupported(c, n, "end %lld with unknown rank", (long long)end);
        if (r >= 0) {
            if (end < 0) end += r;
            end = FROST_MAX(0, FROST_MIN(end, r));
            if (start < 0) start = FROST_MAX(0, start + r);
            start = FROST_MIN(start, r);
            if (end <= start) { /* empty: an empty int64 constant */
                int v = frost__onnx_const_i64(c, n, NULL, NULL, 0, false);
                return frost__onnx_bind0(c, n, v);
            }
        }
        p.shape.end = (int)end;
    }
    if (r >= 0) {
        if (start < 0) start = FROST_MAX(0, start + r);
        start = FROST_MIN(start, r);
    }
    if (start < -FROST_MAX_RANK || start > FROST_MAX_RANK)
        return frost__onnx_unsupported(c, n, "start %lld with unknown rank", (long long)start);
    p.shape.start = (int)start;
    int in[1] = {x};
    return frost__onnx_bind0(c, n, frost__onnx_step(c, n, NULL, FROST__OP_SHAPE, 1, in, &p));
}

frost_status frost__onnx_op_size(onnx_ctx *c, onnx_node *n, const onnx_op *e) {
    (void)e;
    int x;
    FROST_TRY(frost__onnx_need_in(c, n, 0, &x));
    int s = frost__onnx_shape_of(c, n, "shape", x, 0, 0);
    TRYV(s);
    frost__params rp;
    memset(&rp, 0, sizeof rp);
    rp.reduce.fn = FROST__RED_PROD;
    int in2[1] = {s};
    return frost__onnx_bind0(c, n, frost__onnx_step(c, n, NULL, FROST__OP_REDUCE, 1, in2, &rp));
}

frost_status frost__onnx_op_pad(onnx_ctx *c, onnx_node *n, const onnx_op *e) {
    (void)e;
    int x;
    FROST_TRY(frost__onnx_need_in(c, n, 0, &x));
    char buf[32];
    const char *mode = frost__onnx_attr_s(n, "mode", "constant", buf, sizeof buf);
    frost__params p;
    memset(&p, 0, sizeof p);
    if (strcmp(mode, "constant") == 0) p.pad.mode = FROST__PADMODE_CONSTANT;
    else if (strcmp(mode, "reflect") == 0) p.pad.mode = FROST__PADMODE_REFLECT;
    else if (strcmp(mode, "edge") == 0) p.pad.mode = FROST__PADMODE_EDGE;
    else return frost__onnx_unsupported(c, n, "mode %s", mode);
    if (frost__onnx_in(c, n, 3) >= 0) return frost__onnx_unsupported(c, n, "axes");
    int64_t pads[2 * FROST_MAX_RANK];
    int np;
    int pv = -1, value = -1;
    if (c->opset < 11) {
        np = frost__onnx_attr_ints(n, "pads", pads, 2 * FROST_MAX_RANK);
        if (np < 0) return frost__onnx_bad_node(c, n, "attribute pads is missing or too long");
        float cv = frost__onnx_attr_f(n, "value", 0.0f);
        if (cv != 0.0f) {
            value = frost__onnx_const_scalar_of(c, n, "value", frost__onnx_float_of(c, x), cv);
            TRYV(value);
        }
    } else {
        FROST_TRY(frost__onnx_need_in(c, n, 1, &pv));
        value = frost__onnx_in(c, n, 2);
        np = frost__onnx_const_ints(c, pv, pads, 2 * FROST_MAX_RANK);
    }
    int paddings;
    if (np >= 0) {
        if (np % 2) return frost__onnx_bad_node(c, n, "pads has an odd count %d", np);
        int r = np / 2;
        int64_t pr[2 * FROST_MAX_RANK];
        for (int i = 0; i < r; i++) {
            pr[2 * i] = pads[i];
            pr[2 * i + 1] = pads[i + r];
        }
        int64_t dims[2] = {r, 2};
        frost__shape s = frost__shape_make(2, dims);
        paddings = frost__onnx_add_const(c, n, "paddings", FROST_DTYPE_I64, &s, pr,
                                         (size_t)np * sizeof(int64_t));
        TRYV(paddings);
    } else {
        /* run-time pads [b0.., e0..] -> [[b0, e0], ...]: reshape to [2, r], transpose */
        int64_t two_r[2] = {2, -1}, t[2] = {1, 0};
        int ks = frost__onnx_const_i64(c, n, "pads_2r", two_r, 2, false);
        TRYV(ks);
        int rs = frost__onnx_reshape(c, n, "pads_2xr", pv, ks);
        TRYV(rs);
        int kt = frost__onnx_const_i64(c, n, "pads_perm", t, 2, false);
        TRYV(kt);
        int in2[2] = {rs, kt};
        paddings = frost__onnx_step(c, n, "paddings", FROST__OP_TRANSPOSE, 2, in2, NULL);
        TRYV(paddings);
    }
    int in[3] = {x, paddings, value};
    return frost__onnx_bind0(
        c, n, frost__onnx_step(c, n, NULL, FROST__OP_PAD, value >= 0 ? 3 : 2, in, &p));
}

frost_status frost__onnx_op_constant(onnx_ctx *c, onnx_node *n, const onnx_op *e) {
    (void)e;
    const FrostOnnx__AttributeProto *a = NULL;
    for (size_t i = 0; i < n->n_attribute; i++)
        if (n->attribute[i]->name) a = n->attribute[i];
    if (!a || n->n_attribute != 1)
        return frost__onnx_bad_node(c, n, "needs exactly one value attribute");
    frost__graph *g = c->g;
    const char *nm = a->name;
    if (strcmp(nm, "value") == 0 && a->t) {
        frost_dtype dt;
        frost__shape s;
        void *data;
        size_t nbytes;
        frost_status st =
            frost__onnx_decode_tensor(a->t, &g->alloc, g->max_tensor_bytes, frost__onnx_out_base(n),
                                      &dt, &s, &data, &nbytes, c->err);
        if (st == FROST_E_UNSUPPORTED)
            return frost__onnx_unsupported(c, n, "%s tensor",
                                           frost_dtype_name(frost__onnx_dtype(a->t->data_type)));
        FROST_TRY(st);
        char cn[512];
        if (frost__graph_lookup(g, frost__onnx_out_base(n)) < 0)
            snprintf(cn, sizeof cn, "%s", frost__onnx_out_base(n));
        else
            frost__onnx_fresh_name(c, frost__onnx_out_base(n), "value", cn, sizeof cn);
        int v = frost__graph_add_const_owned(g, cn, dt, &s, data, nbytes, c->err);
        return frost__onnx_bind0(c, n, v);
    }
    if (strcmp(nm, "value_float") == 0 && a->has_f)
        return frost__onnx_bind0(c, n,
                                 frost__onnx_const_scalar_of(c, n, NULL, FROST_DTYPE_F32, a->f));
    if (strcmp(nm, "value_int") == 0 && a->has_i) {
        return frost__onnx_bind0(c, n, frost__onnx_const_i64(c, n, NULL, &a->i, 1, true));
    }
    if (strcmp(nm, "value_ints") == 0)
        return frost__onnx_bind0(
            c, n,
            frost__onnx_const_i64(c, n, NULL, a->ints, (int)FROST_MIN(a->n_ints, 1u << 24), false));
    if (strcmp(nm, "value_floats") == 0) {
        int64_t cnt = (int64_t)a->n_floats;
        frost__shape s = frost__shape_make(1, &cnt);
        return frost__onnx_bind0(c, n,
                                 frost__onnx_add_const(c, n, NULL, FROST_DTYPE_F32, &s, a->floats,
                                                       a->n_floats * sizeof(float)));
    }
    return frost__onnx_unsupported(c, n, "%s", nm);
}

frost_status frost__onnx_op_constant_of_shape(onnx_ctx *c, onnx_node *n, const onnx_op *e) {
    (void)e;
    int dims;
    FROST_TRY(frost__onnx_need_in(c, n, 0, &dims));
    const FrostOnnx__AttributeProto *a = frost__onnx_attr(n, "value");
    frost_dtype dt = FROST_DTYPE_F32;
    double value = 0;
    if (a && a->t) {
        frost__graph *g = c->g;
        frost__shape s;
        void *data;
        size_t nbytes;
        frost_status st = frost__onnx_decode_tensor(a->t, &g->alloc, 64, frost__onnx_out_base(n),
                                                    &dt, &s, &data, &nbytes, c->err);
        if (st == FROST_E_UNSUPPORTED) return frost__onnx_unsupported(c, n, "value dtype");
        FROST_TRY(st);
        if (frost__shape_numel(&s) != 1) {
            frost__free(&g->alloc, data);
            return frost__onnx_bad_node(c, n, "attribute value must hold one element");
        }
        value = frost__read_double(dt, data, 0);
        frost__free(&g->alloc, data);
    }
    int v = frost__onnx_const_scalar_of(c, n, "value", dt, value);
    TRYV(v);
    frost__params p;
    memset(&p, 0, sizeof p);
    p.fill.value = value;
    p.fill.dtype = dt;
    int in[2] = {dims, v};
    return frost__onnx_bind0(c, n, frost__onnx_step(c, n, NULL, FROST__OP_FILL, 2, in, &p));
}

/* Identity (fn 0) and Dropout (fn 1), which at inference passes its input through. */
frost_status frost__onnx_op_identity(onnx_ctx *c, onnx_node *n, const onnx_op *e) {
    int x;
    FROST_TRY(frost__onnx_need_in(c, n, 0, &x));
    if (e->fn != 0 && c->opset >= 12) {
        int tm = frost__onnx_in(c, n, 2);
        double on = 0;
        if (tm >= 0 && (!frost__onnx_const_scalar(c, tm, &on) || on != 0))
            return frost__onnx_unsupported(c, n, "training_mode");
    }
    int in[1] = {x};
    FROST_TRY(
        frost__onnx_bind0(c, n, frost__onnx_step(c, n, NULL, FROST__OP_IDENTITY, 1, in, NULL)));
    if (!frost__onnx_output_used(c, n, 1)) return FROST_OK;
    /* At inference nothing is dropped: the mask is all true. */
    frost__params fp;
    memset(&fp, 0, sizeof fp);
    fp.fill.value = 1;
    fp.fill.dtype = FROST_DTYPE_BOOL;
    int mask = frost__onnx_step(c, n, "mask", FROST__OP_FILL_LIKE, 1, in, &fp);
    TRYV(mask);
    return frost__onnx_bind(c, n, 1, mask);
}

/* ---- Resize --------------------------------------------------------------------------------- */

/* v[2:4]: the H, W entries of a 4-entry NCHW sizes or scales operand. */
static int slice_hw(onnx_ctx *c, onnx_node *n, const char *suffix, int v) {
    int64_t b2[1] = {2}, e4[1] = {4};
    int kb = frost__onnx_const_i64(c, n, "hw_begin", b2, 1, false);
    int ke = frost__onnx_const_i64(c, n, "hw_end", e4, 1, false);
    if (kb < 0 || ke < 0) return -1;
    int in[3] = {v, kb, ke};
    return frost__onnx_step(c, n, suffix, FROST__OP_SLICE, 3, in, NULL);
}

/* Resize (fn 0) and Upsample (fn 1). */
frost_status frost__onnx_op_resize(onnx_ctx *c, onnx_node *n, const onnx_op *e) {
    bool upsample = e->fn != 0;
    int x;
    FROST_TRY(frost__onnx_need_in(c, n, 0, &x));
    char mb[32], cb[48], nb[32];
    const char *mode = frost__onnx_attr_s(n, "mode", "nearest", mb, sizeof mb);
    frost__params p;
    memset(&p, 0, sizeof p);
    if (strcmp(mode, "nearest") == 0) p.resize.mode = 0;
    else if (strcmp(mode, "linear") == 0 || strcmp(mode, "bilinear") == 0) p.resize.mode = 1;
    else return frost__onnx_unsupported(c, n, "mode %s", mode);
    const char *coord =
        upsample || c->opset < 11
            ? "asymmetric"
            : frost__onnx_attr_s(n, "coordinate_transformation_mode", "half_pixel", cb, sizeof cb);
    if (strcmp(coord, "asymmetric") == 0) p.resize.coord = 0;
    else if (strcmp(coord, "half_pixel") == 0) p.resize.coord = 1;
    else if (strcmp(coord, "align_corners") == 0) p.resize.coord = 2;
    else if (strcmp(coord, "pytorch_half_pixel") == 0) p.resize.coord = 3;
    else if (strcmp(coord, "tf_half_pixel_for_nn") == 0) p.resize.coord = 4;
    else return frost__onnx_unsupported(c, n, "coordinate_transformation_mode %s", coord);
    const char *nm =
        c->opset < 11 ? "round_prefer_floor"
                      : frost__onnx_attr_s(n, "nearest_mode", "round_prefer_floor", nb, sizeof nb);
    if (c->opset < 11 && p.resize.mode == 0) nm = "floor"; /* opset 10 and Upsample: floor */
    if (strcmp(nm, "round_prefer_floor") == 0) p.resize.nearest_mode = 0;
    else if (strcmp(nm, "round_prefer_ceil") == 0) p.resize.nearest_mode = 1;
    else if (strcmp(nm, "floor") == 0) p.resize.nearest_mode = 2;
    else if (strcmp(nm, "ceil") == 0) p.resize.nearest_mode = 3;
    else return frost__onnx_unsupported(c, n, "nearest_mode %s", nm);
    if (frost__onnx_attr(n, "axes") || frost__onnx_attr_i(n, "antialias", 0))
        return frost__onnx_unsupported(c, n, "axes/antialias");
    int scales = -1, sizes = -1;
    if (upsample) {
        if (c->opset < 9) {
            const FrostOnnx__AttributeProto *a = frost__onnx_attr(n, "scales");
            if (!a) return frost__onnx_bad_node(c, n, "attribute scales is missing");
            int64_t cnt = (int64_t)a->n_floats;
            frost__shape s = frost__shape_make(1, &cnt);
            scales = frost__onnx_add_const(c, n, "scales", FROST_DTYPE_F32, &s, a->floats,
                                           a->n_floats * 4);
            TRYV(scales);
        } else {
            FROST_TRY(frost__onnx_need_in(c, n, 1, &scales));
        }
    } else if (c->opset < 11) {
        FROST_TRY(frost__onnx_need_in(c, n, 1, &scales));
    } else {
        scales = frost__onnx_in(c, n, 2);
        sizes = frost__onnx_in(c, n, 3);
    }
    /* frost's RESIZE is 2-D NHWC and takes the output size [h, w]. */
    int size_v;
    int64_t sz[FROST_MAX_RANK];
    int nsz;
    if (sizes >= 0) {
        /* Resize-18: other policies change the output size the sizes input asks for. */
        char pb[32];
        const char *keep =
            frost__onnx_attr_s(n, "keep_aspect_ratio_policy", "stretch", pb, sizeof pb);
        if (strcmp(keep, "stretch") != 0)
            return frost__onnx_unsupported(c, n, "keep_aspect_ratio_policy %s", keep);
        nsz = frost__onnx_const_ints(c, sizes, sz, FROST_MAX_RANK);
        if (nsz >= 0) {
            if (nsz != 4 || sz[0] != frost__onnx_val(c, x)->shape.d[0] ||
                sz[1] != frost__onnx_val(c, x)->shape.d[1])
                return frost__onnx_unsupported(c, n, "resizing other than H, W of a 4-D input");
            size_v = frost__onnx_const_i64(c, n, "size_hw", sz + 2, 2, false);
            TRYV(size_v);
        } else {
            size_v = slice_hw(c, n, "size_hw", sizes);
            TRYV(size_v);
        }
    } else {
        if (scales < 0) return frost__onnx_bad_node(c, n, "neither scales nor sizes is given");
        const frost__value *sv = frost__onnx_val(c, scales);
        const frost__shape *xs = &frost__onnx_val(c, x)->shape;
        int scales_hw = -1;
        if (sv->kind == FROST__VAL_CONST) {
            if (sv->dtype != FROST_DTYPE_F32 || sv->shape.rank != 1 || sv->shape.d[0] != 4)
                return frost__onnx_unsupported(c, n, "scales not 4 floats");
            const float *sc = sv->data;
            if (sc[0] != 1.0f || sc[1] != 1.0f)
                return frost__onnx_unsupported(c, n, "scaling N or C");
            if (xs->rank == 4 && xs->d[2] >= 0 && xs->d[3] >= 0) {
                double oh = (double)xs->d[2] * sc[2], ow = (double)xs->d[3] * sc[3];
                /* frost maps coordinates by out/in; ONNX by the given scale: equal only when the
                 * scaled size is whole. */
                if (oh != floor(oh) || ow != floor(ow))
                    return frost__onnx_unsupported(c, n, "fractional scaled size");
                int64_t hw[2] = {(int64_t)oh, (int64_t)ow};
                size_v = frost__onnx_const_i64(c, n, "size_hw", hw, 2, false);
                TRYV(size_v);
            } else {
                int64_t two = 2;
                frost__shape s2 = frost__shape_make(1, &two);
                scales_hw =
                    frost__onnx_add_const(c, n, "scales_hw", FROST_DTYPE_F32, &s2, sc + 2, 8);
                TRYV(scales_hw);
            }
        } else {
            /* scales computed in the graph (from shapes, known when planning): their H, W part;
             * N and C are taken to be unscaled, as frost's RESIZE is spatial only. */
            scales_hw = slice_hw(c, n, "scales_hw", scales);
            TRYV(scales_hw);
        }
        if (scales_hw >= 0) {
            /* floor(shape[2:4] * scales[2:4]) at plan time */
            int hw = frost__onnx_shape_of(c, n, "in_hw", x, 2, 4);
            TRYV(hw);
            frost__params cp;
            memset(&cp, 0, sizeof cp);
            cp.cast.to = FROST_DTYPE_F32;
            int in2[1] = {hw};
            int hwf = frost__onnx_step(c, n, "in_hw_f", FROST__OP_CAST, 1, in2, &cp);
            TRYV(hwf);
            int prod = frost__onnx_binary(c, n, "out_hw_f", FROST__BIN_MUL, hwf, scales_hw);
            TRYV(prod);
            int fl = frost__onnx_unary(c, n, "out_hw_floor", prod, FROST__UN_FLOOR, 0, 0);
            TRYV(fl);
            cp.cast.to = FROST_DTYPE_I64;
            int in3[1] = {fl};
            size_v = frost__onnx_step(c, n, "size_hw", FROST__OP_CAST, 1, in3, &cp);
            TRYV(size_v);
        }
    }
    int xt = frost__onnx_transpose_to(c, n, "to_nhwc", x, true);
    TRYV(xt);
    int in[2] = {xt, size_v};
    int y = frost__onnx_step(c, n, "resize_nhwc", FROST__OP_RESIZE, 2, in, &p);
    TRYV(y);
    return frost__onnx_bind0(c, n, frost__onnx_transpose_to(c, n, NULL, y, false));
}

/* ---- Generated and rearranged tensors ----------------------------------------------------------
 */

/* Trilu: keep x where (col - row) >= k (upper) or <= k (lower) over the last two axes. */

frost_status frost__onnx_op_trilu(onnx_ctx *c, onnx_node *n, const onnx_op *e) {
    (void)e;
    int x;
    FROST_TRY(frost__onnx_need_in(c, n, 0, &x));
    int k = frost__onnx_in(c, n, 1);
    bool upper = frost__onnx_attr_i(n, "upper", 1) != 0;
    int shp = frost__onnx_shape_of(c, n, "shape", x, 0, 0);
    TRYV(shp);
    int64_t zero = 0, one = 1, m2 = -2, m1 = -1, axis0 = 0;
    int kz = frost__onnx_const_i64(c, n, "zero", &zero, 1, true),
        k1 = frost__onnx_const_i64(c, n, "one", &one, 1, true);
    int km2 = frost__onnx_const_i64(c, n, "rows_at", &m2, 1, true),
        km1 = frost__onnx_const_i64(c, n, "cols_at", &m1, 1, true);
    int ka = frost__onnx_const_i64(c, n, "axis0", &axis0, 1, true);
    TRYV(kz); TRYV(k1); TRYV(km2); TRYV(km1); TRYV(ka);
    int g1[3] = {shp, km2, ka}, g2[3] = {shp, km1, ka};
    int h = frost__onnx_step(c, n, "rows", FROST__OP_GATHER, 3, g1, NULL);
    TRYV(h);
    int w = frost__onnx_step(c, n, "cols", FROST__OP_GATHER, 3, g2, NULL);
    TRYV(w);
    int r1[3] = {kz, h, k1}, r2[3] = {kz, w, k1};
    int ri = frost__onnx_step(c, n, "row_index", FROST__OP_RANGE, 3, r1, NULL);
    TRYV(ri);
    int ci = frost__onnx_step(c, n, "col_index", FROST__OP_RANGE, 3, r2, NULL);
    TRYV(ci);
    int kax = frost__onnx_const_i64(c, n, "row_axis", &m1, 1, false);
    TRYV(kax);
    int ex[2] = {ri, kax};
    int ric = frost__onnx_step(c, n, "row_column", FROST__OP_EXPAND_DIMS, 2, ex, NULL);
    TRYV(ric);
    int diff = frost__onnx_binary(c, n, "diagonal", FROST__BIN_SUB, ci, ric);
    TRYV(diff);
    int kk = k >= 0 ? k : kz;
    if (k >= 0 && frost__onnx_vdtype(c, k) != FROST_DTYPE_I64 &&
        frost__onnx_vdtype(c, k) != FROST_DTYPE_INVALID) {
        frost__params cp;
        memset(&cp, 0, sizeof cp);
        cp.cast.to = FROST_DTYPE_I64;
        int ck[1] = {k};
        kk = frost__onnx_step(c, n, "k", FROST__OP_CAST, 1, ck, &cp);
        TRYV(kk);
    }
    int mask = frost__onnx_binary(
        c, n, "mask", upper ? FROST__BIN_GREATER_EQUAL : FROST__BIN_LESS_EQUAL, diff, kk);
    TRYV(mask);
    frost_dtype dt = frost__onnx_vdtype(c, x);
    if (dt == FROST_DTYPE_INVALID) dt = FROST_DTYPE_F32;
    int z = frost__onnx_const_scalar_of(c, n, "fill", dt, 0);
    TRYV(z);
    int sel[3] = {mask, x, z};
    return frost__onnx_bind0(c, n, frost__onnx_step(c, n, NULL, FROST__OP_SELECT, 3, sel, NULL));
}

frost_status frost__onnx_op_one_hot(onnx_ctx *c, onnx_node *n, const onnx_op *e) {
    (void)e;
    int idx, depth, values;
    FROST_TRY(frost__onnx_need_in(c, n, 0, &idx));
    FROST_TRY(frost__onnx_need_in(c, n, 1, &depth));
    FROST_TRY(frost__onnx_need_in(c, n, 2, &values));
    int64_t axis = frost__onnx_attr_i(n, "axis", -1);
    int id = frost__onnx_cast_to(c, n, "indices_i64", idx, FROST_DTYPE_I64);
    TRYV(id);
    int d = frost__onnx_cast_to(c, n, "depth_i64", depth, FROST_DTYPE_I64);
    TRYV(d);
    frost__params rp;
    memset(&rp, 0, sizeof rp);
    int64_t scalar_shape[1];
    int ks = frost__onnx_const_i64(c, n, "scalar_shape", scalar_shape, 0, false);
    TRYV(ks);
    int rin[2] = {d, ks};
    d = frost__onnx_step(c, n, "depth_scalar", FROST__OP_RESHAPE, 2, rin, &rp);
    TRYV(d);
    /* ONNX counts negative indices from the end of the depth; TF gives them all-off rows. */
    int64_t zero = 0, one = 1;
    int kz = frost__onnx_const_i64(c, n, "zero", &zero, 1, true),
        k1 = frost__onnx_const_i64(c, n, "one", &one, 1, true);
    TRYV(kz);
    TRYV(k1);
    int neg = frost__onnx_binary(c, n, "negative", FROST__BIN_LESS, id, kz);
    TRYV(neg);
    int wrapped = frost__onnx_binary(c, n, "wrapped", FROST__BIN_ADD, id, d);
    TRYV(wrapped);
    int sel[3] = {neg, wrapped, id};
    id = frost__onnx_step(c, n, "indices", FROST__OP_SELECT, 3, sel, NULL);
    TRYV(id);
    int g0[3] = {values, kz, kz}, g1[3] = {values, k1, kz};
    int off = frost__onnx_step(c, n, "off", FROST__OP_GATHER, 3, g0, NULL);
    TRYV(off);
    int on = frost__onnx_step(c, n, "on", FROST__OP_GATHER, 3, g1, NULL);
    TRYV(on);
    frost__params op;
    memset(&op, 0, sizeof op);
    op.one_hot.axis = (int)axis;
    int oh[4] = {id, d, on, off};
    return frost__onnx_bind0(c, n, frost__onnx_step(c, n, NULL, FROST__OP_ONE_HOT, 4, oh, &op));
}

/* As reshape -> transpose -> reshape; needs C, H, W at load. */
/* DepthToSpace (fn 1), SpaceToDepth (fn 0). */
frost_status frost__onnx_op_depth_space(onnx_ctx *c, onnx_node *n, const onnx_op *e) {
    bool to_space = e->fn != 0;
    int x;
    FROST_TRY(frost__onnx_need_in(c, n, 0, &x));
    const frost__shape *xs = &frost__onnx_val(c, x)->shape;
    int64_t b = frost__onnx_attr_i(n, "blocksize", 0);
    if (b < 1 || b > 4096)
        return frost__onnx_bad_node(c, n, "attribute blocksize = %lld", (long long)b);
    if (xs->rank != 4 || xs->d[1] < 0 || xs->d[2] < 0 || xs->d[3] < 0)
        return frost__onnx_unsupported(c, n, "C, H, W unknown at load");
    int64_t C = xs->d[1], H = xs->d[2], W = xs->d[3];
    char mb[8];
    bool crd = to_space && strcmp(frost__onnx_attr_s(n, "mode", "DCR", mb, sizeof mb), "CRD") == 0;
    int64_t s1[6], perm[6], s2[4];
    if (to_space) {
        if (C % (b * b))
            return frost__onnx_bad_node(c, n, "channels %lld not divisible by blocksize^2",
                                        (long long)C);
        int64_t cc = C / (b * b);
        if (crd) {
            int64_t a[6] = {0, cc, b, b, H, W}, p[6] = {0, 1, 4, 2, 5, 3};
            memcpy(s1, a, sizeof a);
            memcpy(perm, p, sizeof p);
        } else {
            int64_t a[6] = {0, b, b, cc, H, W}, p[6] = {0, 3, 4, 1, 5, 2};
            memcpy(s1, a, sizeof a);
            memcpy(perm, p, sizeof p);
        }
        int64_t o[4] = {0, cc, H * b, W * b};
        memcpy(s2, o, sizeof o);
    } else {
        if (H % b || W % b) return frost__onnx_bad_node(c, n, "H, W not divisible by blocksize");
        int64_t a[6] = {0, C, H / b, b, W / b, b}, p[6] = {0, 3, 5, 1, 2, 4};
        memcpy(s1, a, sizeof a);
        memcpy(perm, p, sizeof p);
        int64_t o[4] = {0, C * b * b, H / b, W / b};
        memcpy(s2, o, sizeof o);
    }
    int k1 = frost__onnx_const_i64(c, n, "blocks_shape", s1, 6, false);
    TRYV(k1);
    int r1 = frost__onnx_reshape(c, n, "blocks", x, k1);
    TRYV(r1);
    int kp = frost__onnx_const_i64(c, n, "perm", perm, 6, false);
    TRYV(kp);
    int in2[2] = {r1, kp};
    int t = frost__onnx_step(c, n, "moved", FROST__OP_TRANSPOSE, 2, in2, NULL);
    TRYV(t);
    /* The batch dim: copied through the 6-D step by position 0. */
    int k2 = frost__onnx_const_i64(c, n, "out_shape", s2, 4, false);
    TRYV(k2);
    return frost__onnx_bind0(c, n, frost__onnx_reshape(c, n, NULL, t, k2));
}

