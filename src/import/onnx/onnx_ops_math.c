/* onnx_ops_math.c — the ONNX ops that compute values elementwise or reduce them: activations and
 * math functions, arithmetic and comparisons (with the broadcast rules of opsets before 7), Clip,
 * Cast, the Reduce and Arg families, MatMul, Gemm and Einsum. Each builder is a row of the table
 * in onnx_ops.c, which has checked the opset and the node's input count before the builder runs.
 *
 * Composite ops (Selu with non-default constants, Celu, Mish, IsInf one-sided, Shrink, Einsum) are
 * spelled out exactly as ONNX defines them. What frost cannot compute exactly becomes an
 * UNSUPPORTED node naming the reason; it must never approximate. */
#include "import/onnx/onnx_ops.h"

#include <float.h>
#include <stdio.h>

/* ---- Elementwise ---------------------------------------------------------------------------- */

/* One UNARY node; the activations with parameters read them from their attributes. */
frost_status frost__onnx_op_unary(onnx_ctx *c, onnx_node *n, const onnx_op *e) {
    int x;
    FROST_TRY(frost__onnx_need_in(c, n, 0, &x));
    float alpha = 0, beta = 0;
    if (e->fn == FROST__ACT_LEAKY_RELU) alpha = frost__onnx_attr_f(n, "alpha", 0.01f);
    if (e->fn == FROST__ACT_ELU) alpha = frost__onnx_attr_f(n, "alpha", 1.0f);
    if (e->fn == FROST__ACT_HARD_SIGMOID) {
        alpha = frost__onnx_attr_f(n, "alpha", 0.2f);
        beta = frost__onnx_attr_f(n, "beta", 0.5f);
    }
    return frost__onnx_bind0(c, n, frost__onnx_unary(c, n, NULL, x, e->fn, alpha, beta));
}

/* b reshaped to b.dims + [1] * trail (the old ONNX broadcast "axis" and PRelu's channel slope). */
static int align_right(onnx_ctx *c, onnx_node *n, int b, int trail) {
    const frost__shape *bs = &frost__onnx_val(c, b)->shape;
    if (bs->rank < 0 || bs->rank + trail > FROST_MAX_RANK) return -2;
    int64_t dims[FROST_MAX_RANK];
    for (int i = 0; i < bs->rank; i++) {
        if (bs->d[i] < 0) return -2;
        dims[i] = bs->d[i];
    }
    for (int i = 0; i < trail; i++) dims[bs->rank + i] = 1;
    int k = frost__onnx_const_i64(c, n, "aligned_shape", dims, bs->rank + trail, false);
    if (k < 0) return -1;
    int in[2] = {b, k};
    return frost__onnx_step(c, n, "aligned", FROST__OP_RESHAPE, 2, in, NULL);
}

static frost_status binary_op(onnx_ctx *c, onnx_node *n, int fn) {
    int a, b;
    FROST_TRY(frost__onnx_need_in(c, n, 0, &a));
    FROST_TRY(frost__onnx_need_in(c, n, 1, &b));
    int ra = frost__onnx_vrank(c, a), rb = frost__onnx_vrank(c, b);
    if (c->opset < 7 && frost__onnx_attr_i(n, "broadcast", 0) != 0 && frost__onnx_attr(n, "axis")) {
        int64_t axis = frost__onnx_attr_i(n, "axis", 0);
        if (ra < 0 || rb < 0)
            return frost__onnx_unsupported(c, n, "legacy broadcast axis, ranks unknown");
        if (axis < 0) axis += ra;
        if (axis < 0 || axis + rb > ra)
            return frost__onnx_bad_node(c, n, "attribute axis %lld", (long long)axis);
        if (axis + rb < ra) {
            b = align_right(c, n, b, (int)(ra - axis - rb));
            if (b == -2)
                return frost__onnx_unsupported(c, n, "legacy broadcast axis, shape unknown");
            TRYV(b);
        }
    } else if (fn == FROST__BIN_PRELU && c->opset < 7 && rb == 1 && ra >= 3 &&
               frost__onnx_val(c, b)->shape.d[0] != 1) {
        /* PRelu-6 and older: a 1-D slope is per channel (axis 1). */
        b = align_right(c, n, b, ra - 2);
        if (b == -2) return frost__onnx_unsupported(c, n, "slope shape unknown");
        TRYV(b);
    }
    frost_dtype da = frost__onnx_vdtype(c, a), db = frost__onnx_vdtype(c, b);
    if (fn == FROST__BIN_POW && da != db && da != FROST_DTYPE_INVALID &&
        db != FROST_DTYPE_INVALID) {
        /* ONNX Pow may mix base and exponent types; the result has the base's. */
        frost__params cp;
        memset(&cp, 0, sizeof cp);
        cp.cast.to = da;
        int in[1] = {b};
        b = frost__onnx_step(c, n, "exponent_cast", FROST__OP_CAST, 1, in, &cp);
        TRYV(b);
    }
    return frost__onnx_bind0(c, n, frost__onnx_binary(c, n, NULL, fn, a, b));
}

frost_status frost__onnx_op_binary(onnx_ctx *c, onnx_node *n, const onnx_op *e) {
    return binary_op(c, n, e->fn);
}

frost_status frost__onnx_op_mod(onnx_ctx *c, onnx_node *n, const onnx_op *e) {
    (void)e;
    return binary_op(c, n,
                     frost__onnx_attr_i(n, "fmod", 0) ? FROST__BIN_FMOD : FROST__BIN_FLOOR_MOD);
}

/* Max, Min, Sum, Mean: a chain of binary ops over 1..n inputs. */
static frost_status variadic(onnx_ctx *c, onnx_node *n, int fn, bool mean) {
    int acc;
    FROST_TRY(frost__onnx_need_in(c, n, 0, &acc));
    int count = 1;
    for (size_t i = 1; i < n->n_input; i++) {
        int v = frost__onnx_in(c, n, i);
        if (v < 0) continue;
        bool last = !mean && i + 1 == n->n_input;
        acc = frost__onnx_binary(c, n, last ? NULL : "acc", fn, acc, v);
        TRYV(acc);
        count++;
    }
    if (mean && count > 1) {
        int k = frost__onnx_const_scalar_of(c, n, "count", frost__onnx_float_of(c, acc), count);
        TRYV(k);
        acc = frost__onnx_binary(c, n, NULL, FROST__BIN_DIV, acc, k);
        TRYV(acc);
    } else if (count == 1) {
        int in[1] = {acc};
        acc = frost__onnx_step(c, n, NULL, FROST__OP_IDENTITY, 1, in, NULL);
        TRYV(acc);
    }
    return frost__onnx_bind0(c, n, acc);
}

frost_status frost__onnx_op_variadic(onnx_ctx *c, onnx_node *n, const onnx_op *e) {
    return variadic(c, n, e->fn, false);
}
frost_status frost__onnx_op_mean(onnx_ctx *c, onnx_node *n, const onnx_op *e) {
    (void)e;
    return variadic(c, n, FROST__BIN_ADD, true);
}

frost_status frost__onnx_op_clip(onnx_ctx *c, onnx_node *n, const onnx_op *e) {
    (void)e;
    int x;
    FROST_TRY(frost__onnx_need_in(c, n, 0, &x));
    double lo = -FLT_MAX, hi = FLT_MAX;
    int vlo = -1, vhi = -1;
    bool const_bounds = true;
    if (c->opset < 11) {
        lo = frost__onnx_attr_f(n, "min", -FLT_MAX);
        hi = frost__onnx_attr_f(n, "max", FLT_MAX);
    } else {
        vlo = frost__onnx_in(c, n, 1);
        vhi = frost__onnx_in(c, n, 2);
        if (vlo >= 0 && !frost__onnx_const_scalar(c, vlo, &lo)) const_bounds = false;
        if (vhi >= 0 && !frost__onnx_const_scalar(c, vhi, &hi)) const_bounds = false;
    }
    frost_dtype dt = frost__onnx_vdtype(c, x);
    bool float_x = dt == FROST_DTYPE_F32 || dt == FROST_DTYPE_INVALID;
    if (const_bounds && float_x)
        return frost__onnx_bind0(
            c, n, frost__onnx_unary(c, n, NULL, x, FROST__ACT_CLIP, (float)lo, (float)hi));
    /* Integer or run-time bounds: max then min, as ONNX defines (min > max gives max). */
    int y = x;
    if (c->opset < 11) {
        vlo = frost__onnx_const_scalar_of(c, n, "min", dt, lo);
        TRYV(vlo);
        vhi = frost__onnx_const_scalar_of(c, n, "max", dt, hi);
        TRYV(vhi);
    }
    if (vlo >= 0) {
        y = frost__onnx_binary(c, n, vhi >= 0 ? "lower" : NULL, FROST__BIN_MAX, y, vlo);
        TRYV(y);
    }
    if (vhi >= 0) {
        y = frost__onnx_binary(c, n, NULL, FROST__BIN_MIN, y, vhi);
        TRYV(y);
    }
    if (y == x) {
        int in[1] = {x};
        y = frost__onnx_step(c, n, NULL, FROST__OP_IDENTITY, 1, in, NULL);
        TRYV(y);
    }
    return frost__onnx_bind0(c, n, y);
}

frost_status frost__onnx_op_selu(onnx_ctx *c, onnx_node *n, const onnx_op *e) {
    (void)e;
    const float def_alpha = 1.67326319217681884765625f, def_gamma = 1.05070102214813232421875f;
    float alpha = frost__onnx_attr_f(n, "alpha", def_alpha),
          gamma = frost__onnx_attr_f(n, "gamma", def_gamma);
    int x;
    FROST_TRY(frost__onnx_need_in(c, n, 0, &x));
    if (alpha == def_alpha && gamma == def_gamma)
        return frost__onnx_bind0(c, n, frost__onnx_unary(c, n, NULL, x, FROST__ACT_SELU, 0, 0));
    /* selu = gamma * elu_alpha(x) */
    int elu = frost__onnx_unary(c, n, "elu", x, FROST__ACT_ELU, alpha, 0);
    TRYV(elu);
    int k = frost__onnx_const_scalar_of(c, n, "gamma", frost__onnx_float_of(c, x), gamma);
    TRYV(k);
    return frost__onnx_bind0(c, n, frost__onnx_binary(c, n, NULL, FROST__BIN_MUL, elu, k));
}

frost_status frost__onnx_op_celu(onnx_ctx *c, onnx_node *n, const onnx_op *e) {
    (void)e;
    /* celu(x) = alpha * elu_1(x / alpha) */
    float alpha = frost__onnx_attr_f(n, "alpha", 1.0f);
    int x;
    FROST_TRY(frost__onnx_need_in(c, n, 0, &x));
    if (alpha == 0.0f) return frost__onnx_bad_node(c, n, "attribute alpha is 0");
    int k = frost__onnx_const_scalar_of(c, n, "alpha", frost__onnx_float_of(c, x), alpha);
    TRYV(k);
    int s = frost__onnx_binary(c, n, "scaled", FROST__BIN_DIV, x, k);
    TRYV(s);
    int elu = frost__onnx_unary(c, n, "elu", s, FROST__ACT_ELU, 1.0f, 0);
    TRYV(elu);
    return frost__onnx_bind0(c, n, frost__onnx_binary(c, n, NULL, FROST__BIN_MUL, elu, k));
}

frost_status frost__onnx_op_thresholded_relu(onnx_ctx *c, onnx_node *n, const onnx_op *e) {
    (void)e;
    float alpha = frost__onnx_attr_f(n, "alpha", 1.0f);
    int x;
    FROST_TRY(frost__onnx_need_in(c, n, 0, &x));
    frost_dtype dt = frost__onnx_float_of(c, x);
    int ka = frost__onnx_const_scalar_of(c, n, "alpha", dt, alpha);
    TRYV(ka);
    int kz = frost__onnx_const_scalar_of(c, n, "zero", dt, 0);
    TRYV(kz);
    int cond = frost__onnx_binary(c, n, "above", FROST__BIN_GREATER, x, ka);
    TRYV(cond);
    int in[3] = {cond, x, kz};
    return frost__onnx_bind0(c, n, frost__onnx_step(c, n, NULL, FROST__OP_SELECT, 3, in, NULL));
}

frost_status frost__onnx_op_mish(onnx_ctx *c, onnx_node *n, const onnx_op *e) {
    (void)e;
    int x;
    FROST_TRY(frost__onnx_need_in(c, n, 0, &x));
    int sp = frost__onnx_unary(c, n, "softplus", x, FROST__ACT_SOFTPLUS, 0, 0);
    TRYV(sp);
    int t = frost__onnx_unary(c, n, "tanh", sp, FROST__ACT_TANH, 0, 0);
    TRYV(t);
    return frost__onnx_bind0(c, n, frost__onnx_binary(c, n, NULL, FROST__BIN_MUL, x, t));
}

frost_status frost__onnx_op_isinf(onnx_ctx *c, onnx_node *n, const onnx_op *e) {
    (void)e;
    int x;
    FROST_TRY(frost__onnx_need_in(c, n, 0, &x));
    bool neg = frost__onnx_attr_i(n, "detect_negative", 1) != 0,
         pos = frost__onnx_attr_i(n, "detect_positive", 1) != 0;
    if (neg && pos)
        return frost__onnx_bind0(c, n, frost__onnx_unary(c, n, NULL, x, FROST__UN_ISINF, 0, 0));
    if (!neg && !pos) {
        /* always false: no value is both infinite and NaN */
        int inf = frost__onnx_unary(c, n, "isinf", x, FROST__UN_ISINF, 0, 0);
        TRYV(inf);
        int nan = frost__onnx_unary(c, n, "isnan", x, FROST__UN_ISNAN, 0, 0);
        TRYV(nan);
        return frost__onnx_bind0(c, n, frost__onnx_binary(c, n, NULL, FROST__BIN_AND, inf, nan));
    }
    int inf = frost__onnx_unary(c, n, "isinf", x, FROST__UN_ISINF, 0, 0);
    TRYV(inf);
    int z = frost__onnx_const_scalar_of(c, n, "zero", frost__onnx_float_of(c, x), 0);
    TRYV(z);
    int side = frost__onnx_binary(c, n, "sign", pos ? FROST__BIN_GREATER : FROST__BIN_LESS, x, z);
    TRYV(side);
    return frost__onnx_bind0(c, n, frost__onnx_binary(c, n, NULL, FROST__BIN_AND, inf, side));
}

/* Cast (fn 0) and CastLike (fn 1). */
frost_status frost__onnx_op_cast(onnx_ctx *c, onnx_node *n, const onnx_op *e) {
    bool like = e->fn != 0;
    int x;
    FROST_TRY(frost__onnx_need_in(c, n, 0, &x));
    frost_dtype to;
    if (like) {
        int t;
        FROST_TRY(frost__onnx_need_in(c, n, 1, &t));
        to = frost__onnx_vdtype(c, t);
        if (to == FROST_DTYPE_INVALID)
            return frost__onnx_unsupported(c, n, "target dtype unknown at load");
    } else {
        const FrostOnnx__AttributeProto *a = frost__onnx_attr(n, "to");
        if (!a || !a->has_i) return frost__onnx_bad_node(c, n, "attribute to is missing");
        to = frost__onnx_dtype((int)a->i);
    }
    if (to == FROST_DTYPE_INVALID || to == FROST_DTYPE_STRING)
        return frost__onnx_unsupported(c, n, "to %s",
                                       to == FROST_DTYPE_STRING ? "string" : "this dtype");
    if (frost__onnx_vdtype(c, x) == FROST_DTYPE_STRING)
        return frost__onnx_unsupported(c, n, "from string");
    frost__params p;
    memset(&p, 0, sizeof p);
    p.cast.to = to;
    int in[1] = {x};
    return frost__onnx_bind0(c, n, frost__onnx_step(c, n, NULL, FROST__OP_CAST, 1, in, &p));
}

/* ---- Reductions ----------------------------------------------------------------------------- */

frost_status frost__onnx_op_reduce(onnx_ctx *c, onnx_node *n, const onnx_op *e) {
    int x;
    FROST_TRY(frost__onnx_need_in(c, n, 0, &x));
    int axes = frost__onnx_list_operand(c, n, 1, "axes");
    if (axes == -2) return frost__onnx_failed(c);
    frost__params p;
    memset(&p, 0, sizeof p);
    p.reduce.fn = e->fn;
    p.reduce.keep_dims = frost__onnx_attr_i(n, "keepdims", 1) != 0;
    p.reduce.noop_with_empty_axes = frost__onnx_attr_i(n, "noop_with_empty_axes", 0) != 0;
    int in[2] = {x, axes};
    return frost__onnx_bind0(
        c, n, frost__onnx_step(c, n, NULL, FROST__OP_REDUCE, axes >= 0 ? 2 : 1, in, &p));
}

/* ArgMin (fn 0), ArgMax (fn 1). */
frost_status frost__onnx_op_arg(onnx_ctx *c, onnx_node *n, const onnx_op *e) {
    int x;
    FROST_TRY(frost__onnx_need_in(c, n, 0, &x));
    int64_t axis = frost__onnx_attr_i(n, "axis", 0);
    int ax = frost__onnx_const_i64(c, n, "axis", &axis, 1, true);
    TRYV(ax);
    frost__params p;
    memset(&p, 0, sizeof p);
    p.arg.is_max = e->fn != 0;
    p.arg.out_dtype = FROST_DTYPE_I64;
    p.arg.keep_dims = frost__onnx_attr_i(n, "keepdims", 1) != 0;
    p.arg.select_last = frost__onnx_attr_i(n, "select_last_index", 0) != 0;
    int in[2] = {x, ax};
    return frost__onnx_bind0(c, n, frost__onnx_step(c, n, NULL, FROST__OP_ARG, 2, in, &p));
}

/* Shrink: x < -l ? x + bias : x > l ? x - bias : 0. */
frost_status frost__onnx_op_shrink(onnx_ctx *c, onnx_node *n, const onnx_op *e) {
    (void)e;
    int x;
    FROST_TRY(frost__onnx_need_in(c, n, 0, &x));
    float l = frost__onnx_attr_f(n, "lambd", 0.5f), bias = frost__onnx_attr_f(n, "bias", 0.0f);
    frost_dtype dt = frost__onnx_vdtype(c, x);
    if (dt == FROST_DTYPE_INVALID) dt = FROST_DTYPE_F32;
    int kl = frost__onnx_const_scalar_of(c, n, "lambd", dt, l),
        knl = frost__onnx_const_scalar_of(c, n, "neg_lambd", dt, -l);
    int kb = frost__onnx_const_scalar_of(c, n, "bias", dt, bias),
        kz = frost__onnx_const_scalar_of(c, n, "zero", dt, 0);
    TRYV(kl); TRYV(knl); TRYV(kb); TRYV(kz);
    int lo = frost__onnx_binary(c, n, "below", FROST__BIN_LESS, x, knl);
    TRYV(lo);
    int hi = frost__onnx_binary(c, n, "above", FROST__BIN_GREATER, x, kl);
    TRYV(hi);
    int plus = frost__onnx_binary(c, n, "plus_bias", FROST__BIN_ADD, x, kb);
    TRYV(plus);
    int minus = frost__onnx_binary(c, n, "minus_bias", FROST__BIN_SUB, x, kb);
    TRYV(minus);
    int s1[3] = {hi, minus, kz};
    int upper = frost__onnx_step(c, n, "upper", FROST__OP_SELECT, 3, s1, NULL);
    TRYV(upper);
    int s2[3] = {lo, plus, upper};
    return frost__onnx_bind0(c, n, frost__onnx_step(c, n, NULL, FROST__OP_SELECT, 3, s2, NULL));
}

/* ---- Matrix products ------------------------------------------------------------------------ */

frost_status frost__onnx_op_matmul(onnx_ctx *c, onnx_node *n, const onnx_op *e) {
    (void)e;
    int a, b;
    FROST_TRY(frost__onnx_need_in(c, n, 0, &a));
    FROST_TRY(frost__onnx_need_in(c, n, 1, &b));
    int ra = frost__onnx_vrank(c, a), rb = frost__onnx_vrank(c, b);
    frost__params p;
    memset(&p, 0, sizeof p);
    if (ra != 1 && rb != 1) {
        int in[2] = {a, b};
        return frost__onnx_bind0(c, n, frost__onnx_step(c, n, NULL, FROST__OP_MATMUL, 2, in, &p));
    }
    /* numpy: a 1-D operand gains a unit dim for the product, which is then removed. */
    int64_t ax_a = 0, ax_b = -1;
    if (ra == 1) {
        int k = frost__onnx_const_i64(c, n, "a_axis", &ax_a, 1, false);
        TRYV(k);
        int in[2] = {a, k};
        a = frost__onnx_step(c, n, "a_2d", FROST__OP_EXPAND_DIMS, 2, in, NULL);
        TRYV(a);
    }
    if (rb == 1) {
        int k = frost__onnx_const_i64(c, n, "b_axis", &ax_b, 1, false);
        TRYV(k);
        int in[2] = {b, k};
        b = frost__onnx_step(c, n, "b_2d", FROST__OP_EXPAND_DIMS, 2, in, NULL);
        TRYV(b);
    }
    int in[2] = {a, b};
    int y = frost__onnx_step(c, n, "matmul", FROST__OP_MATMUL, 2, in, &p);
    TRYV(y);
    int64_t sq[2];
    int nsq = 0;
    if (ra == 1) sq[nsq++] = -2;
    if (rb == 1) sq[nsq++] = -1;
    int k = frost__onnx_const_i64(c, n, "squeeze_axes", sq, nsq, false);
    TRYV(k);
    int in2[2] = {y, k};
    return frost__onnx_bind0(c, n, frost__onnx_step(c, n, NULL, FROST__OP_SQUEEZE, 2, in2, NULL));
}

/* A constant equal to v * s (float constants only). */
static int scaled_const(onnx_ctx *c, onnx_node *n, const char *suffix, int v, double s) {
    const frost__value *x = frost__onnx_val(c, v);
    if (x->kind != FROST__VAL_CONST || (x->dtype != FROST_DTYPE_F32 && x->dtype != FROST_DTYPE_F64))
        return -2;
    void *d = frost__alloc(&c->g->alloc, x->nbytes ? x->nbytes : 1);
    if (!d) {
        frost__fail(c->err, FROST_E_NOMEM, frost__onnx_node_label(n), n->op_type, -1,
                    "out of memory");
        return -1;
    }
    int64_t cnt = frost__shape_numel(&x->shape);
    x = frost__onnx_val(c, v);
    for (int64_t i = 0; i < cnt; i++) {
        if (x->dtype == FROST_DTYPE_F32)
            ((float *)d)[i] = (float)(((const float *)x->data)[i] * s);
        else
            ((double *)d)[i] = ((const double *)x->data)[i] * s;
    }
    char nm[512];
    frost__onnx_fresh_name(c, frost__onnx_out_base(n), suffix, nm, sizeof nm);
    frost__shape sh = x->shape;
    return frost__graph_add_const_owned(c->g, nm, x->dtype, &sh, d, x->nbytes, c->err);
}

frost_status frost__onnx_op_gemm(onnx_ctx *c, onnx_node *n, const onnx_op *e) {
    (void)e;
    int a, b;
    FROST_TRY(frost__onnx_need_in(c, n, 0, &a));
    FROST_TRY(frost__onnx_need_in(c, n, 1, &b));
    int cc = frost__onnx_in(c, n, 2);
    double alpha = frost__onnx_attr_f(n, "alpha", 1.0f), beta = frost__onnx_attr_f(n, "beta", 1.0f);
    frost__params p;
    memset(&p, 0, sizeof p);
    p.matmul.transpose_a = frost__onnx_attr_i(n, "transA", 0) != 0;
    p.matmul.transpose_b = frost__onnx_attr_i(n, "transB", 0) != 0;
    if (alpha != 1.0) {
        int s = scaled_const(c, n, "b_scaled", b, alpha);
        if (s == -1) return frost__onnx_failed(c);
        if (s >= 0) {
            b = s;
            alpha = 1.0;
        }
    }
    if (cc >= 0 && beta == 0.0) cc = -1;
    if (cc >= 0 && beta != 1.0) {
        int s = scaled_const(c, n, "c_scaled", cc, beta);
        if (s == -1) return frost__onnx_failed(c);
        if (s >= 0) {
            cc = s;
        } else {
            int k = frost__onnx_const_scalar_of(c, n, "beta", frost__onnx_float_of(c, cc), beta);
            TRYV(k);
            cc = frost__onnx_binary(c, n, "c_times_beta", FROST__BIN_MUL, cc, k);
            TRYV(cc);
        }
    }
    /* A 1-D C of length N is MatMul's own bias; anything else broadcasts through an Add. */
    const frost__value *cv = cc >= 0 ? frost__onnx_val(c, cc) : NULL;
    bool as_bias = cv && cv->shape.rank == 1 && alpha == 1.0;
    if (as_bias) {
        const frost__shape *bs = &frost__onnx_val(c, b)->shape;
        int64_t nn = bs->rank == 2 ? bs->d[p.matmul.transpose_b ? 0 : 1] : -1;
        as_bias = nn >= 0 && cv->shape.d[0] == nn;
    }
    bool last = cc < 0 || as_bias;
    bool need_alpha = alpha != 1.0;
    int in[3] = {a, b, as_bias ? cc : -1};
    int y = frost__onnx_step(c, n, last && !need_alpha ? NULL : "matmul", FROST__OP_MATMUL,
                             as_bias ? 3 : 2, in, &p);
    TRYV(y);
    if (need_alpha) {
        int k = frost__onnx_const_scalar_of(c, n, "alpha", frost__onnx_float_of(c, a), alpha);
        TRYV(k);
        y = frost__onnx_binary(c, n, last ? NULL : "times_alpha", FROST__BIN_MUL, y, k);
        TRYV(y);
    }
    if (!last) {
        y = frost__onnx_binary(c, n, NULL, FROST__BIN_ADD, y, cc);
        TRYV(y);
    }
    return frost__onnx_bind0(c, n, y);
}

/* Einsum with one or two operands, letters only, no letter twice in one operand: each operand is
 * transposed into the order "output letters, then summed letters", given unit dims for the letters
 * it lacks, multiplied by broadcasting and summed over the contracted axes. Exact, though a
 * contraction materializes the full product (fine for the small einsums exporters emit). */
frost_status frost__onnx_op_einsum(onnx_ctx *c, onnx_node *n, const onnx_op *e) {
    (void)e;
    char buf[128];
    const char *eq = frost__onnx_attr_s(n, "equation", "", buf, sizeof buf);
    char ops_letters[2][FROST_MAX_RANK + 1], out[FROST_MAX_RANK + 1];
    int n_ops = 0, len[2] = {0, 0}, n_out = 0;
    bool explicit_out = false;
    int counts[128] = {0};
    for (const char *p = eq; *p; p++) {
        char ch = *p;
        if (ch == ' ') continue;
        if (ch == ',') {
            if (++n_ops >= 2) return frost__onnx_unsupported(c, n, "more than two operands");
            continue;
        }
        if (ch == '-' && p[1] == '>') {
            explicit_out = true;
            p++;
            continue;
        }
        if (ch == '.') return frost__onnx_unsupported(c, n, "ellipsis");
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')))
            return frost__onnx_bad_node(c, n, "attribute equation '%s'", eq);
        if (explicit_out) {
            if (n_out == FROST_MAX_RANK)
                return frost__onnx_unsupported(c, n, "rank > %d", FROST_MAX_RANK);
            out[n_out++] = ch;
        } else {
            if (len[n_ops] == FROST_MAX_RANK)
                return frost__onnx_unsupported(c, n, "rank > %d", FROST_MAX_RANK);
            for (int i = 0; i < len[n_ops]; i++)
                if (ops_letters[n_ops][i] == ch)
                    return frost__onnx_unsupported(c, n, "repeated index in one operand");
            ops_letters[n_ops][len[n_ops]++] = ch;
            counts[(int)ch]++;
        }
    }
    n_ops++;
    if ((size_t)n_ops != n->n_input)
        return frost__onnx_bad_node(c, n, "equation has %d operands, node %zu inputs", n_ops,
                                    n->n_input);
    if (!explicit_out)
        for (int ch = 0; ch < 128; ch++)
            if (counts[ch] == 1) out[n_out++] = (char)ch;
    char all[FROST_MAX_RANK + 1];
    int n_all = 0;
    for (int i = 0; i < n_out; i++) {
        if (!counts[(int)out[i]])
            return frost__onnx_bad_node(c, n, "output index '%c' is in no operand", out[i]);
        all[n_all++] = out[i];
    }
    for (int k = 0; k < n_ops; k++)
        for (int i = 0; i < len[k]; i++) {
            bool seen = false;
            for (int j = 0; j < n_all; j++) seen = seen || all[j] == ops_letters[k][i];
            if (seen) continue;
            if (n_all == FROST_MAX_RANK)
                return frost__onnx_unsupported(c, n, "more than %d indices", FROST_MAX_RANK);
            all[n_all++] = ops_letters[k][i];
        }
    int aligned[2];
    for (int k = 0; k < n_ops; k++) {
        int x;
        FROST_TRY(frost__onnx_need_in(c, n, (size_t)k, &x));
        /* the operand's letters, in the order they take in `all` */
        int64_t perm[FROST_MAX_RANK], unit[FROST_MAX_RANK];
        int np = 0, nu = 0;
        bool ident = true;
        for (int j = 0; j < n_all; j++) {
            int at = -1;
            for (int i = 0; i < len[k]; i++)
                if (ops_letters[k][i] == all[j]) at = i;
            if (at < 0) {
                unit[nu++] = j;
                continue;
            }
            ident = ident && at == np;
            perm[np++] = at;
        }
        char sfx[32];
        if (!ident) {
            snprintf(sfx, sizeof sfx, "operand%d_perm", k);
            int pc = frost__onnx_const_i64(c, n, sfx, perm, np, false);
            TRYV(pc);
            int in[2] = {x, pc};
            snprintf(sfx, sizeof sfx, "operand%d_ordered", k);
            x = frost__onnx_step(c, n, sfx, FROST__OP_TRANSPOSE, 2, in, NULL);
            TRYV(x);
        }
        if (nu) {
            snprintf(sfx, sizeof sfx, "operand%d_units", k);
            int uc = frost__onnx_const_i64(c, n, sfx, unit, nu, false);
            TRYV(uc);
            int in[2] = {x, uc};
            snprintf(sfx, sizeof sfx, "operand%d_aligned", k);
            x = frost__onnx_step(c, n, sfx, FROST__OP_EXPAND_DIMS, 2, in, NULL);
            TRYV(x);
        }
        aligned[k] = x;
    }
    bool reduce = n_all > n_out;
    int y = aligned[0];
    if (n_ops == 2) {
        y = frost__onnx_binary(c, n, reduce ? "product" : NULL, FROST__BIN_MUL, aligned[0],
                               aligned[1]);
        TRYV(y);
    }
    if (reduce) {
        int64_t axes[FROST_MAX_RANK];
        for (int j = n_out; j < n_all; j++) axes[j - n_out] = j;
        int ac = frost__onnx_const_i64(c, n, "sum_axes", axes, n_all - n_out, false);
        TRYV(ac);
        frost__params rp;
        memset(&rp, 0, sizeof rp);
        rp.reduce.fn = FROST__RED_SUM;
        int in[2] = {y, ac};
        y = frost__onnx_step(c, n, NULL, FROST__OP_REDUCE, 2, in, &rp);
        TRYV(y);
    } else if (y == aligned[0] && n_ops == 1) {
        int in[1] = {y};
        y = frost__onnx_step(c, n, NULL, FROST__OP_IDENTITY, 1, in, NULL);
        TRYV(y);
    }
    return frost__onnx_bind0(c, n, y);
}

