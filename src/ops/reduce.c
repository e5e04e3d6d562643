/* reduce.c — REDUCE (Sum, Mean, Max, Min, Prod, L1, L2, LogSum, LogSumExp, SumSquare on f32/f64;
 * Sum/Mean/Max/Min/Prod on i32/i64; Any, All on bool; over an axes operand, TF and ONNX semantics
 * incl. keep_dims and noop_with_empty_axes) and ARG (ArgMax / ArgMin along an axis operand, i32 or
 * i64 indices, optional select_last).
 * Integer Sum/Prod/Max/Min matter: shape computations (Prod of an int32 shape) run through here at
 * plan time. The axes are read when known; at load they may not be, and shapes then stay partly
 * unknown. Never allocates.
 * An f32 Mean or Max over the middle of [outer, reduced, channels] (a global pool of NHWC) runs as
 * one pooling window per image through this CPU's pool kernel, which keeps the channels in vector
 * registers; the portable reduce loops took 13 µs for a 96x200 map that this does in a few. */
#include "kernels/reduce.h"
#include "kernels/select.h"
#include "ops/op.h"

/* More axes than any rank, so duplicates in the operand still fit. */
#define AXES_CAP (2 * FROST_MAX_RANK)

static const char *reduce_name(int fn) {
    static const char *const names[] = {"Sum", "Mean",   "Max",       "Min",       "Prod", "L1",
                                        "L2",  "LogSum", "LogSumExp", "SumSquare", "Any",  "All"};
    return fn >= 0 && fn < (int)FROST_ARRAY_LEN(names) ? names[fn] : "?";
}

/* Fills mask[rank] from the axes operand. Returns 1 when known, 0 when the operand's value is not
 * known yet, or a failure status through *st. */
static int reduce_mask(const frost__node *n, const frost_dtype *dt, const frost__shape *sh,
                       const void *const *data, int rank, bool *mask, frost_status *st,
                       frost_error *err) {
    *st = FROST_OK;
    for (int i = 0; i < FROST_MAX_RANK; i++) mask[i] = false;
    int64_t axes[AXES_CAP];
    int count = 0;
    /* An empty axes list is known from its shape alone. */
    if (frost__has_input(n, 1) && !(sh[1].rank == 1 && sh[1].d[0] == 0)) {
        count = frost__read_int_operand(dt[1], &sh[1], data[1], axes, AXES_CAP);
        if (count < 0) {
            if (data[1] && !frost__dtype_is_int(dt[1]))
                *st = frost__op_fail(n, err, FROST_E_DTYPE, "axes must be integers, got %s",
                                     frost_dtype_name(dt[1]));
            else if (data[1])
                *st = frost__op_fail(n, err, FROST_E_SHAPE,
                                     "axes must be a scalar or a short 1-D list");
            return 0;
        }
    }
    if (count == 0) {
        if (!n->p.reduce.noop_with_empty_axes)
            for (int i = 0; i < rank; i++) mask[i] = true;
        return 1;
    }
    for (int k = 0; k < count; k++) {
        int a;
        if (!frost__norm_axis(axes[k], rank, &a)) {
            *st = frost__op_fail(n, err, FROST_E_SHAPE, "axis %lld is out of range for rank %d",
                                 (long long)axes[k], rank);
            return 0;
        }
        mask[a] = true;
    }
    return 1;
}

static frost_status reduce_infer(frost__infer_ctx *c) {
    const frost__node *n = c->node;
    if (c->n_in < 1 || c->n_out != 1)
        return frost__op_fail(n, c->err, FROST_E_FORMAT, "needs input x (and optional axes)");
    const int fn = n->p.reduce.fn;
    const frost_dtype xt = c->in_dtype[0];
    if (xt != FROST_DTYPE_INVALID && !frost__reduce_supported(fn, xt))
        return frost__op_fail(n, c->err,
                              frost__dtype_is_float(xt) || fn > FROST__RED_ALL ? FROST_E_UNSUPPORTED
                                                                               : FROST_E_DTYPE,
                              "Reduce%s does not support %s", reduce_name(fn),
                              frost_dtype_name(xt));
    c->out_dtype[0] = xt;
    const frost__shape *x = &c->in_shape[0];
    const bool keep = n->p.reduce.keep_dims;
    const bool axes_given = frost__has_input(n, 1);
    /* Without axes (or known-empty axes and no noop) everything is reduced: the rank is known even
     * when x's is not. */
    if (x->rank < 0) {
        frost__shape o = frost__shape_unknown();
        if (!axes_given && !n->p.reduce.noop_with_empty_axes && !keep) o.rank = 0;
        c->out_shape[0] = o;
        return FROST_OK;
    }
    bool mask[FROST_MAX_RANK];
    frost_status st;
    if (!reduce_mask(n, c->in_dtype, c->in_shape, c->in_data, x->rank, mask, &st, c->err)) {
        if (st != FROST_OK) return st;
        if (c->planning)
            return frost__op_fail(n, c->err, FROST_E_SHAPE,
                                  "the axes operand is not known at plan time");
        frost__shape o = frost__shape_unknown();
        const frost__shape *as = &c->in_shape[1];
        if (keep)
            o.rank = x->rank;
        else if (as->rank == 1 && as->d[0] >= 0 && as->d[0] <= x->rank)
            o.rank = x->rank - (int)as->d[0];
        else if (as->rank == 0)
            o.rank = x->rank - 1;
        for (int i = 0; i < FROST_MAX_RANK; i++) o.d[i] = -1;
        c->out_shape[0] = o;
        return FROST_OK;
    }
    frost__shape o;
    memset(&o, 0, sizeof o);
    for (int i = 0; i < x->rank; i++) {
        if (!mask[i])
            o.d[o.rank++] = x->d[i];
        else if (keep)
            o.d[o.rank++] = 1;
    }
    c->out_shape[0] = o;
    return FROST_OK;
}

typedef struct reduce_state {
    frost__reduce_plan plan;
    int fn;
    frost_dtype dtype;
    frost__pool2d_fn pool; /* non-NULL: run as the pooling window `window` */
    frost__pool_geom window;
} reduce_state;
_Static_assert(sizeof(reduce_state) <= sizeof(((frost__step *)0)->state), "reduce state too big");

static frost_status reduce_run(const frost__step *st, const frost__exec *ex) {
    const reduce_state *s = (const reduce_state *)st->state.bytes;
    const void *x = FROST_IN(st, ex, 0);
    void *y = FROST_OUT(st, ex, 0);
    if (s->pool) {
        s->pool(&s->window, x, y, 0, s->window.n);
        return FROST_OK;
    }
    switch (s->dtype) {
    case FROST_DTYPE_F32:
        frost_k_f32_reduce__ref(&s->plan, s->fn, x, y, st->ws_bytes ? FROST_WS(st, ex) : NULL);
        break;
    case FROST_DTYPE_F64:
        frost_k_f64_reduce__ref(&s->plan, s->fn, x, y, st->ws_bytes ? FROST_WS(st, ex) : NULL);
        break;
    case FROST_DTYPE_I32: frost_k_i32_reduce__ref(&s->plan, s->fn, x, y); break;
    case FROST_DTYPE_I64: frost_k_i64_reduce__ref(&s->plan, s->fn, x, y); break;
    case FROST_DTYPE_BOOL: frost_k_bool_reduce__ref(&s->plan, s->fn, x, y); break;
    default: return frost__op_fail(st->node, ex->err, FROST_E_INTERNAL, "unplanned dtype");
    }
    return FROST_OK;
}

static frost_status reduce_prepare(frost__step *st, const frost__prepare_ctx *pc) {
    const frost__node *n = pc->node;
    reduce_state *s = (reduce_state *)st->state.bytes;
    memset(s, 0, sizeof *s);
    s->fn = n->p.reduce.fn;
    s->dtype = pc->in_dtype[0];
    if (!frost__reduce_supported(s->fn, s->dtype))
        return frost__op_fail(n, pc->err, FROST_E_DTYPE, "Reduce%s does not support %s",
                              reduce_name(s->fn), frost_dtype_name(s->dtype));
    bool mask[FROST_MAX_RANK];
    frost_status status;
    if (!reduce_mask(n, pc->in_dtype, pc->in_shape, pc->in_data, pc->in_shape[0].rank, mask,
                     &status, pc->err))
        return status != FROST_OK ? status
                                  : frost__op_fail(n, pc->err, FROST_E_SHAPE,
                                                   "the axes operand is not known at plan time");
    if (!frost__reduce_plan_make(&pc->in_shape[0], mask, &s->plan))
        return frost__op_fail(n, pc->err, FROST_E_SHAPE, "input shape is not fully known");
    const frost__reduce_plan *pl = &s->plan;
    const int red_at = pl->rank == 3 ? 1 : 0; /* [outer, red, c] or [red, c] */
    if (s->dtype == FROST_DTYPE_F32 && (s->fn == FROST__RED_MEAN || s->fn == FROST__RED_MAX) &&
        (pl->rank == 3 || pl->rank == 2) && pl->reduced[red_at] && !pl->reduced[red_at + 1] &&
        (pl->rank == 2 || !pl->reduced[0]) && pl->dims[red_at + 1] >= 16 &&
        pl->dims[red_at] <= INT32_MAX) {
        /* Each image's reduced span is one 1 x red window over a 1 x red x c image. */
        frost__pool_geom *w = &s->window;
        w->n = pl->rank == 3 ? pl->dims[0] : 1;
        w->in_h = 1;
        w->in_w = pl->dims[red_at];
        w->c = pl->dims[red_at + 1];
        w->out_h = w->out_w = 1;
        w->k_h = 1;
        w->k_w = (int)pl->dims[red_at];
        w->stride_h = w->stride_w = w->dil_h = w->dil_w = 1;
        w->is_max = s->fn == FROST__RED_MAX;
        s->pool = frost__pool2d_pick(pc->cpu);
        frost__step_label(st, "as a %lld-wide pool window", (long long)pl->dims[red_at]);
    }
    if (s->fn == FROST__RED_LOG_SUM_EXP && s->plan.n_out > 0)
        st->ws_bytes = (size_t)s->plan.n_out * frost_dtype_size(s->dtype);
    st->run = reduce_run;
    return FROST_OK;
}

const frost__op_def frost__op_REDUCE = {
    .name = "Reduce",
    .infer = reduce_infer,
    .prepare = reduce_prepare,
};

/* ---- ARG ------------------------------------------------------------------------------------ */

static frost_dtype arg_out_dtype(const frost__node *n) {
    return n->p.arg.out_dtype == FROST_DTYPE_INVALID ? FROST_DTYPE_I64
                                                     : (frost_dtype)n->p.arg.out_dtype;
}

static bool arg_input_ok(frost_dtype t) {
    return t == FROST_DTYPE_F32 || t == FROST_DTYPE_F64 ||
           (frost__dtype_is_int(t) && t != FROST_DTYPE_BOOL);
}

/* 1: axis known into *axis (normalized); 0: not known yet; or a failure through *st. */
static int arg_axis(const frost__node *n, const frost_dtype *dt, const frost__shape *sh,
                    const void *const *data, int rank, int *axis, frost_status *st,
                    frost_error *err) {
    *st = FROST_OK;
    int64_t a = 0;
    if (frost__has_input(n, 1)) {
        int64_t v[1];
        const int count = frost__read_int_operand(dt[1], &sh[1], data[1], v, 1);
        if (count != 1) {
            if (data[1]) *st = frost__op_fail(n, err, FROST_E_SHAPE, "axis must be one integer");
            return 0;
        }
        a = v[0];
    }
    if (!frost__norm_axis(a, rank, axis)) {
        *st = frost__op_fail(n, err, FROST_E_SHAPE, "axis %lld is out of range for rank %d",
                             (long long)a, rank);
        return 0;
    }
    return 1;
}

static frost_status arg_infer(frost__infer_ctx *c) {
    const frost__node *n = c->node;
    if (c->n_in < 1 || c->n_out != 1)
        return frost__op_fail(n, c->err, FROST_E_FORMAT, "needs input x and an axis");
    const frost_dtype ot = arg_out_dtype(n), xt = c->in_dtype[0];
    if (ot != FROST_DTYPE_I32 && ot != FROST_DTYPE_I64)
        return frost__op_fail(n, c->err, FROST_E_DTYPE, "output type %s is not i32 or i64",
                              frost_dtype_name(ot));
    if (xt != FROST_DTYPE_INVALID && !arg_input_ok(xt))
        return frost__op_fail(n, c->err, FROST_E_DTYPE, "input type %s is not supported",
                              frost_dtype_name(xt));
    c->out_dtype[0] = ot;
    const frost__shape *x = &c->in_shape[0];
    const bool keep = n->p.arg.keep_dims;
    if (x->rank < 0) {
        c->out_shape[0] = frost__shape_unknown();
        return FROST_OK;
    }
    if (x->rank == 0) return frost__op_fail(n, c->err, FROST_E_SHAPE, "input must have rank >= 1");
    int axis;
    frost_status st;
    if (!arg_axis(n, c->in_dtype, c->in_shape, c->in_data, x->rank, &axis, &st, c->err)) {
        if (st != FROST_OK) return st;
        if (c->planning)
            return frost__op_fail(n, c->err, FROST_E_SHAPE,
                                  "the axis operand is not known at plan time");
        frost__shape o = frost__shape_unknown();
        o.rank = keep ? x->rank : x->rank - 1;
        for (int i = 0; i < o.rank; i++) o.d[i] = -1;
        c->out_shape[0] = o;
        return FROST_OK;
    }
    frost__shape o;
    memset(&o, 0, sizeof o);
    for (int i = 0; i < x->rank; i++) {
        if (i != axis)
            o.d[o.rank++] = x->d[i];
        else if (keep)
            o.d[o.rank++] = 1;
    }
    c->out_shape[0] = o;
    return FROST_OK;
}

typedef struct arg_state {
    int64_t outer, len, inner;
    frost_dtype xt, yt;
    bool is_max, select_last;
} arg_state;

static frost_status arg_run(const frost__step *st, const frost__exec *ex) {
    const arg_state *s = (const arg_state *)st->state.bytes;
    frost_k_argminmax__ref(s->xt, FROST_IN(st, ex, 0), s->yt, FROST_OUT(st, ex, 0), s->outer,
                           s->len, s->inner, s->is_max, s->select_last);
    return FROST_OK;
}

static frost_status arg_prepare(frost__step *st, const frost__prepare_ctx *pc) {
    const frost__node *n = pc->node;
    arg_state *s = (arg_state *)st->state.bytes;
    memset(s, 0, sizeof *s);
    const frost__shape *x = &pc->in_shape[0];
    if (!arg_input_ok(pc->in_dtype[0]) || x->rank < 1)
        return frost__op_fail(n, pc->err, FROST_E_DTYPE, "unsupported input");
    int axis;
    frost_status status;
    if (!arg_axis(n, pc->in_dtype, pc->in_shape, pc->in_data, x->rank, &axis, &status, pc->err))
        return status != FROST_OK ? status
                                  : frost__op_fail(n, pc->err, FROST_E_SHAPE,
                                                   "the axis operand is not known at plan time");
    s->outer = s->inner = 1;
    for (int i = 0; i < axis; i++) s->outer *= x->d[i];
    for (int i = axis + 1; i < x->rank; i++) s->inner *= x->d[i];
    s->len = x->d[axis];
    if (s->len == 0 && s->outer * s->inner > 0)
        return frost__op_fail(n, pc->err, FROST_E_SHAPE, "Arg%s over an empty axis",
                              n->p.arg.is_max ? "Max" : "Min");
    s->xt = pc->in_dtype[0];
    s->yt = pc->out_dtype[0];
    s->is_max = n->p.arg.is_max;
    s->select_last = n->p.arg.select_last;
    st->run = arg_run;
    return FROST_OK;
}

const frost__op_def frost__op_ARG = {
    .name = "ArgMinMax",
    .infer = arg_infer,
    .prepare = arg_prepare,
};
