/* generate.c — ops that create tensors from scalars: FILL (TF Fill / ONNX ConstantOfShape),
 * FILL_LIKE (ZerosLike, OnesLike), RANGE and ONE_HOT.
 *
 * Output shapes depend on operand values (dims, start/limit/delta, depth), so infer needs them
 * known; while they are not, the output is unknown at load and an error when planning. run never
 * allocates; indices ONE_HOT cannot place (negative or >= depth) give rows of `off`, as in TF. */
#include "kernels/eltwise.h"
#include "ops/op.h"

#include <math.h>

static bool scalar_shape(const frost__shape *s) {
    return s->rank == 0 || (s->rank == 1 && s->d[0] == 1) || s->rank < 0 ||
           (s->rank == 1 && s->d[0] < 0);
}

static void fill_bytes(unsigned char *dst, const unsigned char *elem, int64_t n, size_t es) {
    switch (es) {
    case 1: memset(dst, elem[0], (size_t)n); return;
    case 2: { uint16_t v; memcpy(&v, elem, 2); for (int64_t i = 0; i < n; i++) ((uint16_t *)dst)[i] = v; return; }
    case 4: { uint32_t v; memcpy(&v, elem, 4); for (int64_t i = 0; i < n; i++) ((uint32_t *)dst)[i] = v; return; }
    case 8: { uint64_t v; memcpy(&v, elem, 8); for (int64_t i = 0; i < n; i++) ((uint64_t *)dst)[i] = v; return; }
    default: for (int64_t i = 0; i < n; i++) memcpy(dst + (size_t)i * es, elem, es); return;
    }
}

static bool fillable(frost_dtype t) {
    return t == FROST_DTYPE_F32 || t == FROST_DTYPE_F64 || frost__dtype_is_int(t);
}

/* ==== FILL and FILL_LIKE ====================================================================== */

/* FILL's dtype: the value operand's, or the params' (ConstantOfShape) when there is none. */
static frost_dtype fill_dtype(const frost__node *n, frost_dtype value_dt) {
    if (frost__has_input(n, 1)) return value_dt;
    return n->p.fill.dtype ? (frost_dtype)n->p.fill.dtype : FROST_DTYPE_F32;
}

static frost_status fill_infer(frost__infer_ctx *c) {
    const frost__node *n = c->node;
    c->out_dtype[0] = fill_dtype(n, frost__has_input(n, 1) ? c->in_dtype[1] : FROST_DTYPE_INVALID);
    if (c->out_dtype[0] != FROST_DTYPE_INVALID && !fillable(c->out_dtype[0]))
        return frost__op_fail(n, c->err, FROST_E_UNSUPPORTED, "Fill of %s",
                              frost_dtype_name(c->out_dtype[0]));
    if (frost__has_input(n, 1) && !scalar_shape(&c->in_shape[1]))
        return frost__op_fail(n, c->err, FROST_E_SHAPE, "the fill value must be a scalar");
    const frost__shape *ds = &c->in_shape[0];
    if (c->in_dtype[0] != FROST_DTYPE_INVALID && !frost__dtype_is_int(c->in_dtype[0]))
        return frost__op_fail(n, c->err, FROST_E_DTYPE, "dims must be integer");
    if (ds->rank > 1 || (ds->rank == 1 && ds->d[0] > FROST_MAX_RANK))
        return frost__op_fail(n, c->err, FROST_E_SHAPE, "dims must be 1-D with at most %d entries",
                              FROST_MAX_RANK);
    int64_t dims[FROST_MAX_RANK];
    int r = frost__read_int_operand(c->in_dtype[0], ds, c->in_data[0], dims, FROST_MAX_RANK);
    if (r < 0) {
        FROST_TRY(frost__op_operand_unknown(c, "dims"));
        if (ds->rank == 1 && ds->d[0] >= 0) {
            c->out_shape[0].rank = (int)ds->d[0];
            for (int i = 0; i < ds->d[0]; i++) c->out_shape[0].d[i] = -1;
        }
        return FROST_OK;
    }
    for (int i = 0; i < r; i++)
        if (dims[i] < 0)
            return frost__op_fail(n, c->err, FROST_E_SHAPE, "dims[%d] is %lld", i,
                                  (long long)dims[i]);
    c->out_shape[0] = frost__shape_make(r, dims);
    return FROST_OK;
}

typedef struct fill_state {
    unsigned char elem[8];
    size_t es;
    int64_t n;
    int value_input;       /* -1: elem holds the value; else read it from this input at run   */
} fill_state;

static frost_status fill_run(const frost__step *st, const frost__exec *ex) {
    const fill_state *s = (const fill_state *)st->state.bytes;
    const unsigned char *elem = s->value_input >= 0 ? FROST_IN(st, ex, s->value_input) : s->elem;
    fill_bytes(FROST_OUT(st, ex, 0), elem, s->n, s->es);
    return FROST_OK;
}

static frost_status fill_prepare_common(frost__step *st, const frost__prepare_ctx *pc,
                                        int value_input) {
    fill_state *s = (fill_state *)st->state.bytes;
    frost_dtype t = pc->out_dtype[0];
    if (!fillable(t))
        return frost__op_fail(pc->node, pc->err, FROST_E_UNSUPPORTED, "Fill of %s",
                              frost_dtype_name(t));
    s->es = frost_dtype_size(t);
    s->n = frost__shape_numel(&pc->out_shape[0]);
    s->value_input = value_input;
    if (value_input < 0) {
        double v = pc->node->p.fill.value;
        frost_k_cast__ref(FROST_DTYPE_F64, &v, t, s->elem, 1);
    } else if (frost__shape_numel(&pc->in_shape[value_input]) != 1 ||
               pc->in_dtype[value_input] != t) {
        return frost__op_fail(pc->node, pc->err, FROST_E_SHAPE, "the fill value must be a scalar");
    }
    st->run = fill_run;
    return FROST_OK;
}

static frost_status fill_prepare(frost__step *st, const frost__prepare_ctx *pc) {
    return fill_prepare_common(st, pc, frost__has_input(pc->node, 1) ? 1 : -1);
}

const frost__op_def frost__op_FILL = {"Fill", 0, fill_infer, fill_prepare, NULL};

static frost_status fill_like_infer(frost__infer_ctx *c) {
    const frost__node *n = c->node;
    frost_dtype t = n->p.fill.dtype ? (frost_dtype)n->p.fill.dtype : c->in_dtype[0];
    if (t != FROST_DTYPE_INVALID && !fillable(t))
        return frost__op_fail(n, c->err, FROST_E_UNSUPPORTED, "FillLike of %s",
                              frost_dtype_name(t));
    c->out_dtype[0] = t;
    c->out_shape[0] = c->in_shape[0];
    return FROST_OK;
}

static frost_status fill_like_prepare(frost__step *st, const frost__prepare_ctx *pc) {
    return fill_prepare_common(st, pc, -1);
}

/* The input's shape is all FILL_LIKE reads, so it is known as soon as the shape is. */
const frost__op_def frost__op_FILL_LIKE = {"FillLike", FROST__OPF_SHAPE_ONLY, fill_like_infer,
                                           fill_like_prepare, NULL};

/* ==== RANGE =================================================================================== */

static bool range_dtype_ok(frost_dtype t) {
    return t == FROST_DTYPE_F32 || t == FROST_DTYPE_F64 || t == FROST_DTYPE_I32 ||
           t == FROST_DTYPE_I64 || t == FROST_DTYPE_I16 || t == FROST_DTYPE_I8;
}

/* Element count of range(start, limit, delta), or fails. */
static frost_status range_count(const frost__node *n, frost_error *err, frost_dtype t,
                                const void *const *data, int64_t *count) {
    if (frost__dtype_is_float(t)) {
        double s = frost__read_double(t, data[0], 0), l = frost__read_double(t, data[1], 0),
               d = frost__read_double(t, data[2], 0);
        if (d == 0 || d != d || s != s || l != l)
            return frost__op_fail(n, err, FROST_E_SHAPE, "Range delta is 0 or a value is NaN");
        /* in the operands' own precision, as TF and ONNX compute it */
        double c = t == FROST_DTYPE_F32 ? (double)ceilf(((float)l - (float)s) / (float)d)
                                        : ceil((l - s) / d);
        if (!(c < 9.0e15))
            return frost__op_fail(n, err, FROST_E_LIMIT, "Range has too many elements");
        *count = c > 0 ? (int64_t)c : 0;
        return FROST_OK;
    }
    int64_t s = frost__read_int(t, data[0], 0), l = frost__read_int(t, data[1], 0),
            d = frost__read_int(t, data[2], 0);
    if (d == 0) return frost__op_fail(n, err, FROST_E_SHAPE, "Range delta is 0");
    if ((d > 0 && l <= s) || (d < 0 && l >= s)) {
        *count = 0;
        return FROST_OK;
    }
    /* |l - s| fits in uint64 even for extreme int64 values */
    uint64_t span = d > 0 ? (uint64_t)l - (uint64_t)s : (uint64_t)s - (uint64_t)l;
    uint64_t step = d > 0 ? (uint64_t)d : 0 - (uint64_t)d;
    uint64_t c = (span - 1) / step + 1;
    if (c > (uint64_t)INT64_MAX / 16)
        return frost__op_fail(n, err, FROST_E_LIMIT, "Range has too many elements");
    *count = (int64_t)c;
    return FROST_OK;
}

static frost_status range_infer(frost__infer_ctx *c) {
    const frost__node *n = c->node;
    if (c->n_in < 3) return frost__op_fail(n, c->err, FROST_E_SHAPE, "Range needs 3 inputs");
    frost_dtype t = c->in_dtype[0];
    for (int i = 1; i < 3; i++) {
        if (t == FROST_DTYPE_INVALID) t = c->in_dtype[i];
        else if (c->in_dtype[i] != FROST_DTYPE_INVALID && c->in_dtype[i] != t)
            return frost__op_fail(n, c->err, FROST_E_DTYPE, "Range operands differ in dtype");
    }
    if (t != FROST_DTYPE_INVALID && !range_dtype_ok(t))
        return frost__op_fail(n, c->err, FROST_E_UNSUPPORTED, "Range of %s", frost_dtype_name(t));
    c->out_dtype[0] = t;
    for (int i = 0; i < 3; i++)
        if (c->in_shape[i].rank >= 0 && frost__shape_numel(&c->in_shape[i]) != 1 &&
            frost__shape_known(&c->in_shape[i]))
            return frost__op_fail(n, c->err, FROST_E_SHAPE, "Range operand %d is not a scalar", i);
    if (!c->in_data[0] || !c->in_data[1] || !c->in_data[2] || t == FROST_DTYPE_INVALID) {
        FROST_TRY(frost__op_operand_unknown(c, "start/limit/delta"));
        c->out_shape[0].rank = 1;
        c->out_shape[0].d[0] = -1;
        return FROST_OK;
    }
    int64_t count = 0;
    FROST_TRY(range_count(n, c->err, t, c->in_data, &count));
    c->out_shape[0] = frost__shape_make(1, &count);
    return FROST_OK;
}

static frost_status range_run(const frost__step *st, const frost__exec *ex) {
    frost_dtype t = (frost_dtype)st->state.i64[0];
    int64_t count = st->state.i64[1];
    const void *sp = FROST_IN(st, ex, 0), *dp = FROST_IN(st, ex, 2);
    void *out = FROST_OUT(st, ex, 0);
    switch (t) {
    case FROST_DTYPE_F32: {
        float s = *(const float *)sp, d = *(const float *)dp;
        for (int64_t i = 0; i < count; i++) ((float *)out)[i] = s + (float)i * d;
        break;
    }
    case FROST_DTYPE_F64: {
        double s = *(const double *)sp, d = *(const double *)dp;
        for (int64_t i = 0; i < count; i++) ((double *)out)[i] = s + (double)i * d;
        break;
    }
    default: {
        uint64_t s = (uint64_t)frost__read_int(t, sp, 0), d = (uint64_t)frost__read_int(t, dp, 0);
        for (int64_t i = 0; i < count; i++) {
            int64_t v = (int64_t)(s + (uint64_t)i * d);
            switch (t) {
            case FROST_DTYPE_I8: ((int8_t *)out)[i] = (int8_t)v; break;
            case FROST_DTYPE_I16: ((int16_t *)out)[i] = (int16_t)v; break;
            case FROST_DTYPE_I32: ((int32_t *)out)[i] = (int32_t)v; break;
            default: ((int64_t *)out)[i] = v; break;
            }
        }
        break;
    }
    }
    return FROST_OK;
}

static frost_status range_prepare(frost__step *st, const frost__prepare_ctx *pc) {
    frost_dtype t = pc->out_dtype[0];
    if (!range_dtype_ok(t))
        return frost__op_fail(pc->node, pc->err, FROST_E_UNSUPPORTED, "Range of %s",
                              frost_dtype_name(t));
    for (int i = 0; i < 3; i++)
        if (pc->in_dtype[i] != t)
            return frost__op_fail(pc->node, pc->err, FROST_E_DTYPE, "Range operands differ");
    st->state.i64[0] = t;
    st->state.i64[1] = frost__shape_numel(&pc->out_shape[0]);
    st->run = range_run;
    return FROST_OK;
}

const frost__op_def frost__op_RANGE = {"Range", 0, range_infer, range_prepare, NULL};

/* ==== ONE_HOT ================================================================================= */

static frost_status one_hot_infer(frost__infer_ctx *c) {
    const frost__node *n = c->node;
    if (c->n_in < 4)
        return frost__op_fail(n, c->err, FROST_E_SHAPE, "OneHot needs indices, depth, on, off");
    if (c->in_dtype[0] != FROST_DTYPE_INVALID && !frost__dtype_is_int(c->in_dtype[0]))
        return frost__op_fail(n, c->err, FROST_E_DTYPE, "indices must be integer");
    if (c->in_dtype[2] != FROST_DTYPE_INVALID && c->in_dtype[3] != FROST_DTYPE_INVALID &&
        c->in_dtype[2] != c->in_dtype[3])
        return frost__op_fail(n, c->err, FROST_E_DTYPE, "on and off differ in dtype");
    c->out_dtype[0] = c->in_dtype[2] != FROST_DTYPE_INVALID ? c->in_dtype[2] : c->in_dtype[3];
    const frost__shape *idx = &c->in_shape[0];
    int64_t depth;
    int nd = frost__read_int_operand(c->in_dtype[1], &c->in_shape[1], c->in_data[1], &depth, 1);
    if (nd != 1) {
        if (c->in_data[1]) return frost__op_fail(n, c->err, FROST_E_SHAPE, "depth must be a scalar");
        FROST_TRY(frost__op_operand_unknown(c, "depth"));
        depth = -1;
    } else if (depth < 0) {
        return frost__op_fail(n, c->err, FROST_E_SHAPE, "depth is %lld", (long long)depth);
    }
    if (idx->rank < 0) {
        c->out_shape[0] = frost__shape_unknown();
        return FROST_OK;
    }
    int r = idx->rank + 1, axis;
    if (r > FROST_MAX_RANK)
        return frost__op_fail(n, c->err, FROST_E_LIMIT, "result rank %d exceeds %d", r,
                              FROST_MAX_RANK);
    if (!frost__norm_axis(n->p.one_hot.axis, r, &axis))
        return frost__op_fail(n, c->err, FROST_E_SHAPE, "axis %d is out of range for rank %d",
                              n->p.one_hot.axis, r);
    frost__shape o = frost__shape_unknown();
    o.rank = r;
    for (int i = 0, j = 0; i < r; i++) o.d[i] = i == axis ? depth : idx->d[j++];
    c->out_shape[0] = o;
    return FROST_OK;
}

typedef struct one_hot_state {
    int64_t outer, depth, inner;
    size_t es;
    frost_dtype idx_dtype;
} one_hot_state;

static frost_status one_hot_run(const frost__step *st, const frost__exec *ex) {
    const one_hot_state *s = (const one_hot_state *)st->state.bytes;
    const void *idx = FROST_IN(st, ex, 0);
    const unsigned char *on = FROST_IN(st, ex, 2), *off = FROST_IN(st, ex, 3);
    unsigned char *out = FROST_OUT(st, ex, 0);
    int64_t total = s->outer * s->depth * s->inner;
    fill_bytes(out, off, total, s->es);
    for (int64_t o = 0; o < s->outer; o++)
        for (int64_t i = 0; i < s->inner; i++) {
            int64_t v = frost__read_int(s->idx_dtype, idx, o * s->inner + i);
            if (v < 0 || v >= s->depth) continue;
            memcpy(out + (size_t)((o * s->depth + v) * s->inner + i) * s->es, on, s->es);
        }
    return FROST_OK;
}

static frost_status one_hot_prepare(frost__step *st, const frost__prepare_ctx *pc) {
    one_hot_state *s = (one_hot_state *)st->state.bytes;
    const frost__shape *idx = &pc->in_shape[0], *o = &pc->out_shape[0];
    int axis;
    if (!frost__norm_axis(pc->node->p.one_hot.axis, o->rank, &axis))
        return frost__op_fail(pc->node, pc->err, FROST_E_SHAPE, "bad axis");
    s->depth = o->d[axis];
    s->outer = 1;
    for (int i = 0; i < axis; i++) s->outer *= idx->d[i];
    s->inner = 1;
    for (int i = axis; i < idx->rank; i++) s->inner *= idx->d[i];
    s->es = frost_dtype_size(pc->out_dtype[0]);
    s->idx_dtype = pc->in_dtype[0];
    if (s->es == 0 || !frost__dtype_is_int(s->idx_dtype) || pc->in_dtype[2] != pc->out_dtype[0] ||
        pc->in_dtype[3] != pc->out_dtype[0] || frost__shape_numel(&pc->in_shape[2]) != 1 ||
        frost__shape_numel(&pc->in_shape[3]) != 1)
        return frost__op_fail(pc->node, pc->err, FROST_E_DTYPE,
                              "OneHot needs integer indices and scalar on/off of one dtype");
    st->run = one_hot_run;
    return FROST_OK;
}

const frost__op_def frost__op_ONE_HOT = {"OneHot", 0, one_hot_infer, one_hot_prepare, NULL};
