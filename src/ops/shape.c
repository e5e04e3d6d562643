/* shape.c — ops that only reinterpret a tensor's shape: IDENTITY, RESHAPE, SQUEEZE, EXPAND_DIMS and
 * FLATTEN are views (the planner aliases their output to their input's bytes, so they have no run),
 * and SHAPE, which reads only its input's shape.
 *
 * infer works with unknown ranks and dims at load: what can be derived is, the rest stays -1. A
 * shape operand that is not known yet gives an unknown output at load and an error when planning.
 * Nothing here ever touches tensor data except the small integer operands. */
#include "ops/op.h"

/* Reads the int operand at input i; returns the count, -1 when unknown, or fails (count > cap or
 * not an integer tensor) with *st set. */
static int read_operand(frost__infer_ctx *c, int i, const char *what, int64_t *vals, int cap,
                        frost_status *st) {
    *st = FROST_OK;
    const frost__shape *s = &c->in_shape[i];
    if (c->in_dtype[i] != FROST_DTYPE_INVALID && !frost__dtype_is_int(c->in_dtype[i])) {
        *st = frost__op_fail(c->node, c->err, FROST_E_DTYPE, "the %s operand must be integer, is %s",
                             what, frost_dtype_name(c->in_dtype[i]));
        return -1;
    }
    if (s->rank > 1) {
        *st = frost__op_fail(c->node, c->err, FROST_E_SHAPE, "the %s operand must be 0-D or 1-D",
                             what);
        return -1;
    }
    if (s->rank == 1 && s->d[0] > cap) {
        *st = frost__op_fail(c->node, c->err, FROST_E_LIMIT,
                             "the %s operand has %lld entries; frost supports rank <= %d", what,
                             (long long)s->d[0], FROST_MAX_RANK);
        return -1;
    }
    return frost__read_int_operand(c->in_dtype[i], s, c->in_data[i], vals, cap);
}

/* ==== IDENTITY ================================================================================ */

static frost_status identity_infer(frost__infer_ctx *c) {
    for (int k = 0; k < c->n_out && k < c->n_in; k++) {
        c->out_dtype[k] = c->in_dtype[k];
        c->out_shape[k] = c->in_shape[k];
    }
    return FROST_OK;
}

const frost__op_def frost__op_IDENTITY = {"Identity", FROST__OPF_VIEW, identity_infer, NULL, NULL};

/* ==== RESHAPE ================================================================================= */

static frost_status reshape_infer(frost__infer_ctx *c) {
    const frost__node *n = c->node;
    const frost__shape *x = &c->in_shape[0];
    c->out_dtype[0] = c->in_dtype[0];
    if (!frost__has_input(c->node, 1))
        return frost__op_fail(n, c->err, FROST_E_SHAPE, "Reshape needs a shape operand");
    int64_t want[FROST_MAX_RANK];
    frost_status st;
    int r = read_operand(c, 1, "shape", want, FROST_MAX_RANK, &st);
    FROST_TRY(st);
    if (r < 0) {
        FROST_TRY(frost__op_operand_unknown(c, "shape"));
        /* the operand's length still gives the rank */
        const frost__shape *ss = &c->in_shape[1];
        if (ss->rank == 1 && ss->d[0] >= 0) {
            c->out_shape[0].rank = (int)ss->d[0];
            for (int i = 0; i < ss->d[0]; i++) c->out_shape[0].d[i] = -1;
        } else if (ss->rank == 0) {
            c->out_shape[0].rank = 1;
            c->out_shape[0].d[0] = -1;
        }
        return FROST_OK;
    }
    frost__shape o = frost__shape_make(r, want);
    int infer_at = -1;
    int64_t known_prod = 1;
    bool prod_known = true;
    for (int i = 0; i < r; i++) {
        int64_t v = want[i];
        if (v == -1) {
            if (infer_at >= 0)
                return frost__op_fail(n, c->err, FROST_E_SHAPE, "shape has more than one -1");
            infer_at = i;
            continue;
        }
        if (v == 0 && n->p.reshape.zero_is_copy) {
            if (x->rank >= 0 && i >= x->rank)
                return frost__op_fail(n, c->err, FROST_E_SHAPE,
                                      "shape entry %d is 0 (copy) but the input has rank %d", i,
                                      x->rank);
            v = x->rank >= 0 ? x->d[i] : -1;
            o.d[i] = v;
            if (v < 0) {
                prod_known = false;
                continue;
            }
        } else if (v < 0) {
            return frost__op_fail(n, c->err, FROST_E_SHAPE, "shape entry %d is %lld", i,
                                  (long long)v);
        }
        if (!frost__mul_ok(known_prod, v, &known_prod))
            return frost__op_fail(n, c->err, FROST_E_LIMIT, "shape overflows");
    }
    int64_t in_numel;
    bool in_known = frost__shape_numel_ok(x, &in_numel);
    if (infer_at >= 0) {
        if (in_known && prod_known) {
            if (known_prod == 0 || in_numel % known_prod != 0) {
                char sb[96];
                return frost__op_fail(n, c->err, FROST_E_SHAPE,
                                      "cannot reshape %s (%lld elements) with a -1 entry: the "
                                      "other entries multiply to %lld",
                                      frost__shape_str(x, sb, sizeof sb), (long long)in_numel,
                                      (long long)known_prod);
            }
            o.d[infer_at] = in_numel / known_prod;
        } else {
            o.d[infer_at] = -1;
        }
    } else if (in_known && prod_known && known_prod != in_numel) {
        char sa[96], sb[96];
        return frost__op_fail(n, c->err, FROST_E_SHAPE,
                              "cannot reshape %s (%lld elements) to %s (%lld elements)",
                              frost__shape_str(x, sa, sizeof sa), (long long)in_numel,
                              frost__shape_str(&o, sb, sizeof sb), (long long)known_prod);
    }
    c->out_shape[0] = o;
    return FROST_OK;
}

const frost__op_def frost__op_RESHAPE = {"Reshape", FROST__OPF_VIEW, reshape_infer, NULL, NULL};

/* ==== SQUEEZE ================================================================================= */

static frost_status squeeze_infer(frost__infer_ctx *c) {
    const frost__node *n = c->node;
    const frost__shape *x = &c->in_shape[0];
    c->out_dtype[0] = c->in_dtype[0];
    if (x->rank < 0) {
        c->out_shape[0] = frost__shape_unknown();
        return FROST_OK;
    }
    bool drop[FROST_MAX_RANK] = {false};
    if (!frost__has_input(c->node, 1)) {
        for (int i = 0; i < x->rank; i++) {
            if (x->d[i] < 0) {
                /* whether it is 1 decides the rank */
                c->out_shape[0] = frost__shape_unknown();
                return FROST_OK;
            }
            drop[i] = x->d[i] == 1;
        }
    } else {
        int64_t axes[FROST_MAX_RANK];
        frost_status st;
        int na = read_operand(c, 1, "axes", axes, FROST_MAX_RANK, &st);
        FROST_TRY(st);
        if (na < 0) return frost__op_operand_unknown(c, "axes");
        for (int k = 0; k < na; k++) {
            int a;
            if (!frost__norm_axis(axes[k], x->rank, &a))
                return frost__op_fail(n, c->err, FROST_E_SHAPE,
                                      "squeeze axis %lld is out of range for rank %d",
                                      (long long)axes[k], x->rank);
            if (x->d[a] > 1 || x->d[a] == 0)
                return frost__op_fail(n, c->err, FROST_E_SHAPE,
                                      "cannot squeeze axis %d of size %lld", a, (long long)x->d[a]);
            drop[a] = true;
        }
    }
    frost__shape o = frost__shape_unknown();
    o.rank = 0;
    for (int i = 0; i < x->rank; i++)
        if (!drop[i]) o.d[o.rank++] = x->d[i];
    c->out_shape[0] = o;
    return FROST_OK;
}

const frost__op_def frost__op_SQUEEZE = {"Squeeze", FROST__OPF_VIEW, squeeze_infer, NULL, NULL};

/* ==== EXPAND_DIMS ============================================================================= */

static frost_status expand_dims_infer(frost__infer_ctx *c) {
    const frost__node *n = c->node;
    const frost__shape *x = &c->in_shape[0];
    c->out_dtype[0] = c->in_dtype[0];
    if (!frost__has_input(c->node, 1))
        return frost__op_fail(n, c->err, FROST_E_SHAPE, "ExpandDims needs an axes operand");
    int64_t axes[FROST_MAX_RANK];
    frost_status st;
    int na = read_operand(c, 1, "axes", axes, FROST_MAX_RANK, &st);
    FROST_TRY(st);
    if (na < 0) return frost__op_operand_unknown(c, "axes");
    if (x->rank < 0) {
        c->out_shape[0] = frost__shape_unknown();
        return FROST_OK;
    }
    int r = x->rank + na;
    if (r > FROST_MAX_RANK)
        return frost__op_fail(n, c->err, FROST_E_LIMIT, "result rank %d exceeds %d", r,
                              FROST_MAX_RANK);
    bool is_new[FROST_MAX_RANK] = {false};
    for (int k = 0; k < na; k++) {
        int a;
        if (!frost__norm_axis(axes[k], r, &a))
            return frost__op_fail(n, c->err, FROST_E_SHAPE,
                                  "expand axis %lld is out of range for rank %d",
                                  (long long)axes[k], r);
        if (is_new[a])
            return frost__op_fail(n, c->err, FROST_E_SHAPE, "expand axis %d repeated", a);
        is_new[a] = true;
    }
    frost__shape o = frost__shape_unknown();
    o.rank = r;
    for (int i = 0, j = 0; i < r; i++) o.d[i] = is_new[i] ? 1 : x->d[j++];
    c->out_shape[0] = o;
    return FROST_OK;
}

const frost__op_def frost__op_EXPAND_DIMS = {"ExpandDims", FROST__OPF_VIEW, expand_dims_infer,
                                             NULL, NULL};

/* ==== FLATTEN ================================================================================= */

static int64_t dims_product(const frost__shape *s, int from, int to) {
    int64_t p = 1;
    for (int i = from; i < to; i++) {
        if (s->d[i] < 0 || !frost__mul_ok(p, s->d[i], &p)) return -1;
    }
    return p;
}

static frost_status flatten_infer(frost__infer_ctx *c) {
    const frost__shape *x = &c->in_shape[0];
    c->out_dtype[0] = c->in_dtype[0];
    frost__shape o = frost__shape_unknown();
    o.rank = 2;
    o.d[0] = o.d[1] = -1;
    if (x->rank >= 0) {
        int axis = c->node->p.flatten.axis;
        if (axis < 0) axis += x->rank;
        if (axis < 0 || axis > x->rank)
            return frost__op_fail(c->node, c->err, FROST_E_SHAPE,
                                  "flatten axis %d is out of range for rank %d",
                                  c->node->p.flatten.axis, x->rank);
        o.d[0] = dims_product(x, 0, axis);
        o.d[1] = dims_product(x, axis, x->rank);
    }
    c->out_shape[0] = o;
    return FROST_OK;
}

const frost__op_def frost__op_FLATTEN = {"Flatten", FROST__OPF_VIEW, flatten_infer, NULL, NULL};

/* ==== SHAPE =================================================================================== */

static frost_dtype shape_out_dtype(const frost__node *n) {
    /* 0 (unset) means TF's default out_type, int32 */
    return n->p.shape.out_dtype ? (frost_dtype)n->p.shape.out_dtype : FROST_DTYPE_I32;
}

/* [start, end) of the input's dims (ONNX Shape: negative counts from the end, clamped). */
static void shape_range(const frost__node *n, int rank, int *start, int *end) {
    int s = n->p.shape.start, e = n->p.shape.end == 0 ? rank : n->p.shape.end;
    if (s < 0) s += rank;
    if (e < 0) e += rank;
    s = s < 0 ? 0 : (s > rank ? rank : s);
    e = e < 0 ? 0 : (e > rank ? rank : e);
    if (e < s) e = s;
    *start = s;
    *end = e;
}

static frost_status shape_infer(frost__infer_ctx *c) {
    frost_dtype t = shape_out_dtype(c->node);
    if (t != FROST_DTYPE_I32 && t != FROST_DTYPE_I64)
        return frost__op_fail(c->node, c->err, FROST_E_UNSUPPORTED, "Shape to %s",
                              frost_dtype_name(t));
    c->out_dtype[0] = t;
    frost__shape o = frost__shape_unknown();
    o.rank = 1;
    o.d[0] = -1;
    if (c->in_shape[0].rank >= 0) {
        int s, e;
        shape_range(c->node, c->in_shape[0].rank, &s, &e);
        o.d[0] = e - s;
    }
    c->out_shape[0] = o;
    return FROST_OK;
}

static frost_status shape_run(const frost__step *st, const frost__exec *ex) {
    const frost__shape *x = FROST_IN_SHAPE(st, ex, 0);
    int s, e;
    shape_range(st->node, x->rank, &s, &e);
    void *out = FROST_OUT(st, ex, 0);
    bool i64 = st->state.i64[0] != 0;
    for (int i = s; i < e; i++) {
        if (i64) ((int64_t *)out)[i - s] = x->d[i];
        else ((int32_t *)out)[i - s] = (int32_t)x->d[i];
    }
    return FROST_OK;
}

static frost_status shape_prepare(frost__step *st, const frost__prepare_ctx *pc) {
    st->state.i64[0] = pc->out_dtype[0] == FROST_DTYPE_I64;
    if (pc->out_dtype[0] == FROST_DTYPE_I32) {
        for (int i = 0; i < pc->in_shape[0].rank; i++)
            if (pc->in_shape[0].d[i] > INT32_MAX)
                return frost__op_fail(pc->node, pc->err, FROST_E_LIMIT,
                                      "dim %d does not fit int32", i);
    }
    st->run = shape_run;
    return FROST_OK;
}

const frost__op_def frost__op_SHAPE = {"Shape", FROST__OPF_SHAPE_ONLY, shape_infer, shape_prepare,
                                       NULL};
