/* norm.c — BATCH_NORM (inference: x, scale, offset, mean, variance per channel along `axis`; TF
 * FusedBatchNorm, Keras BatchNormalization, ONNX BatchNormalization) and LAYER_NORM (x, gamma,
 * beta; statistics over axes [axis, rank); Keras LayerNormalization, ONNX LayerNormalization with
 * its optional Mean / InvStdDev outputs).
 * Batch norm with constant statistics is folded once at load by `pack` into a per-channel
 * multiply-add (n->packed); otherwise run folds into the workspace first. scale / offset may be
 * absent (-1): 1 and 0. Never allocates in prepare or run. */
#include "kernels/norm.h"
#include "ops/op.h"

#define NORM_MIN_TASK_ELEMS 16384

static frost_status check_f32(const frost__node *n, const frost_dtype *dt, int n_in,
                              frost_error *err) {
    for (int i = 0; i < n_in; i++) {
        if (!frost__has_input(n, i)) continue;
        if (dt[i] != FROST_DTYPE_F32 && dt[i] != FROST_DTYPE_INVALID)
            return frost__op_fail(n, err, FROST_E_DTYPE, "input %d is %s; only f32 is supported", i,
                                  frost_dtype_name(dt[i]));
    }
    return FROST_OK;
}

/* ---- BATCH_NORM ----------------------------------------------------------------------------- */

static const char *const bn_names[5] = {"x", "scale", "offset", "mean", "variance"};

static frost_status bn_infer(frost__infer_ctx *c) {
    const frost__node *n = c->node;
    if (c->n_in != 5 || c->n_out < 1)
        return frost__op_fail(n, c->err, FROST_E_FORMAT,
                              "needs inputs x, scale, offset, mean, variance");
    if (!frost__has_input(n, 0) || !frost__has_input(n, 3) || !frost__has_input(n, 4))
        return frost__op_fail(n, c->err, FROST_E_FORMAT, "x, mean and variance are required");
    FROST_TRY(check_f32(n, c->in_dtype, c->n_in, c->err));
    const frost__shape *x = &c->in_shape[0];
    for (int k = 0; k < c->n_out; k++) {
        c->out_dtype[k] = FROST_DTYPE_F32;
        c->out_shape[k] = frost__shape_unknown();
    }
    c->out_shape[0] = *x;
    if (x->rank < 0) return FROST_OK;
    int axis;
    if (!frost__norm_axis(n->p.batch_norm.axis, x->rank, &axis))
        return frost__op_fail(n, c->err, FROST_E_SHAPE,
                              "channel axis %d is out of range for rank %d", n->p.batch_norm.axis,
                              x->rank);
    const int64_t C = x->d[axis];
    for (int i = 1; i < 5; i++) {
        int64_t cnt;
        if (!frost__has_input(n, i) || C < 0 || !frost__shape_numel_ok(&c->in_shape[i], &cnt)) continue;
        if (cnt != C) {
            char sx[96], sp[96];
            return frost__op_fail(n, c->err, FROST_E_SHAPE,
                                  "input %s has %lld channels on axis %d but %s %s has %lld values",
                                  frost__shape_str(x, sx, sizeof sx), (long long)C, axis,
                                  bn_names[i], frost__shape_str(&c->in_shape[i], sp, sizeof sp),
                                  (long long)cnt);
        }
    }
    return FROST_OK;
}

typedef struct bn_state {
    int64_t outer, c, inner;
    float eps;
    bool folded; /* n->packed holds mul[c], add[c] */
} bn_state;

typedef struct bn_task {
    const bn_state *s;
    const float *x, *mul, *add;
    float *y;
} bn_task;

static void bn_task_fn(void *arg, int64_t begin, int64_t end, int worker) {
    (void)worker;
    const bn_task *t = arg;
    const int64_t slice = t->s->c * t->s->inner;
    frost_k_f32_bn_apply__ref(t->x + begin * slice, t->y + begin * slice, end - begin, t->s->c,
                              t->s->inner, t->mul, t->add);
}

static frost_status bn_run(const frost__step *st, const frost__exec *ex) {
    const bn_state *s = (const bn_state *)st->state.bytes;
    const frost__node *n = st->node;
    const float *mul, *add;
    if (s->folded) {
        mul = n->packed;
        add = mul + s->c;
    } else {
        float *ws = FROST_WS(st, ex);
        frost_k_f32_bn_fold__ref(s->c, frost__has_input(n, 1) ? FROST_IN(st, ex, 1) : NULL,
                                 frost__has_input(n, 2) ? FROST_IN(st, ex, 2) : NULL, FROST_IN(st, ex, 3),
                                 FROST_IN(st, ex, 4), s->eps, ws, ws + s->c);
        mul = ws;
        add = ws + s->c;
    }
    bn_task t = {s, FROST_IN(st, ex, 0), mul, add, FROST_OUT(st, ex, 0)};
    const int64_t slice = FROST_MAX((int64_t)1, s->c * s->inner);
    frost__parallel_for(ex->pool, s->outer, FROST_MAX((int64_t)1, NORM_MIN_TASK_ELEMS / slice),
                        bn_task_fn, &t);
    return FROST_OK;
}

static frost_status bn_prepare(frost__step *st, const frost__prepare_ctx *pc) {
    const frost__node *n = pc->node;
    bn_state *s = (bn_state *)st->state.bytes;
    memset(s, 0, sizeof *s);
    const frost__shape *x = &pc->in_shape[0];
    int axis;
    if (pc->in_dtype[0] != FROST_DTYPE_F32 ||
        !frost__norm_axis(n->p.batch_norm.axis, x->rank, &axis))
        return frost__op_fail(n, pc->err, FROST_E_SHAPE,
                              "needs f32 input and a valid channel axis");
    s->outer = s->inner = 1;
    for (int i = 0; i < axis; i++) s->outer *= x->d[i];
    for (int i = axis + 1; i < x->rank; i++) s->inner *= x->d[i];
    s->c = x->d[axis];
    s->eps = n->p.batch_norm.epsilon;
    for (int i = 1; i < 5; i++) {
        int64_t cnt;
        if (frost__has_input(n, i) && (pc->in_dtype[i] != FROST_DTYPE_F32 ||
                                !frost__shape_numel_ok(&pc->in_shape[i], &cnt) || cnt != s->c))
            return frost__op_fail(n, pc->err, FROST_E_SHAPE, "%s must hold %lld f32 values",
                                  bn_names[i], (long long)s->c);
    }
    s->folded = n->packed && n->packed_bytes >= (size_t)s->c * 2 * sizeof(float);
    if (!s->folded) st->ws_bytes = (size_t)s->c * 2 * sizeof(float);
    st->run = bn_run;
    return FROST_OK;
}

static frost_status bn_pack(frost__graph *g, frost__node *n, const frost__cpu *cpu,
                            frost_error *err) {
    (void)cpu;
    if (n->n_in != 5 || !frost__has_input(n, 3) || !frost__has_input(n, 4)) return FROST_OK;
    const float *p[5] = {NULL};
    int64_t C = -1;
    for (int i = 1; i < 5; i++) {
        if (!frost__has_input(n, i)) continue;
        const frost__value *v = &g->values[n->in[i]];
        int64_t cnt;
        if (v->kind != FROST__VAL_CONST || v->dtype != FROST_DTYPE_F32 || !v->data ||
            !frost__shape_numel_ok(&v->shape, &cnt) || (C >= 0 && cnt != C))
            return FROST_OK; /* not foldable now: run folds each time, infer reports mismatches */
        C = cnt;
        p[i] = v->data;
    }
    if (C <= 0) return FROST_OK;
    const size_t bytes = (size_t)C * 2 * sizeof(float);
    float *folded = frost__alloc(&g->alloc, bytes);
    if (!folded) return frost__op_fail(n, err, FROST_E_NOMEM, "out of memory folding batch norm");
    frost_k_f32_bn_fold__ref(C, p[1], p[2], p[3], p[4], n->p.batch_norm.epsilon, folded,
                             folded + C);
    frost__free(&g->alloc, n->packed);
    n->packed = folded;
    n->packed_bytes = bytes;
    n->kernel = NULL;
    return FROST_OK;
}

const frost__op_def frost__op_BATCH_NORM = {
    .name = "BatchNorm",
    .infer = bn_infer,
    .prepare = bn_prepare,
    .pack = bn_pack,
};

/* ---- LAYER_NORM ----------------------------------------------------------------------------- */

static frost_status ln_infer(frost__infer_ctx *c) {
    const frost__node *n = c->node;
    if (c->n_in < 1 || c->n_in > 3 || c->n_out < 1 || c->n_out > 3)
        return frost__op_fail(n, c->err, FROST_E_FORMAT,
                              "needs inputs x, gamma, beta and 1 to 3 outputs");
    FROST_TRY(check_f32(n, c->in_dtype, c->n_in, c->err));
    const frost__shape *x = &c->in_shape[0];
    for (int k = 0; k < c->n_out; k++) {
        c->out_dtype[k] = FROST_DTYPE_F32;
        c->out_shape[k] = *x;
    }
    if (x->rank < 0) return FROST_OK;
    int axis;
    if (!frost__norm_axis(n->p.layer_norm.axis, x->rank, &axis))
        return frost__op_fail(n, c->err, FROST_E_SHAPE, "axis %d is out of range for rank %d",
                              n->p.layer_norm.axis, x->rank);
    int64_t d = 1;
    for (int i = axis; i < x->rank; i++) d = (d < 0 || x->d[i] < 0) ? -1 : d * x->d[i];
    for (int i = 1; i < c->n_in; i++) {
        int64_t cnt;
        if (!frost__has_input(n, i) || d < 0 || !frost__shape_numel_ok(&c->in_shape[i], &cnt)) continue;
        if (cnt != d && cnt != 1) {
            char sx[96], sp[96];
            return frost__op_fail(
                n, c->err, FROST_E_SHAPE,
                "%s %s has %lld values; the normalized part of %s from axis %d has %lld",
                i == 1 ? "gamma" : "beta", frost__shape_str(&c->in_shape[i], sp, sizeof sp),
                (long long)cnt, frost__shape_str(x, sx, sizeof sx), axis, (long long)d);
        }
    }
    for (int k = 1; k < c->n_out; k++)
        for (int i = axis; i < x->rank; i++) c->out_shape[k].d[i] = 1;
    return FROST_OK;
}

typedef struct ln_state {
    int64_t rows, d, gamma_n, beta_n;
    float eps;
} ln_state;

typedef struct ln_task {
    const ln_state *s;
    const float *x, *gamma, *beta;
    float *y, *mean, *inv_std;
} ln_task;

static void ln_task_fn(void *arg, int64_t begin, int64_t end, int worker) {
    (void)worker;
    const ln_task *t = arg;
    const ln_state *s = t->s;
    frost_k_f32_layernorm__ref(t->x + begin * s->d, t->y + begin * s->d, end - begin, s->d,
                               t->gamma, s->gamma_n, t->beta, s->beta_n, s->eps,
                               t->mean ? t->mean + begin : NULL,
                               t->inv_std ? t->inv_std + begin : NULL);
}

static frost_status ln_run(const frost__step *st, const frost__exec *ex) {
    const ln_state *s = (const ln_state *)st->state.bytes;
    const frost__node *n = st->node;
    ln_task t = {
        .s = s,
        .x = FROST_IN(st, ex, 0),
        .gamma = frost__has_input(n, 1) ? FROST_IN(st, ex, 1) : NULL,
        .beta = frost__has_input(n, 2) ? FROST_IN(st, ex, 2) : NULL,
        .y = FROST_OUT(st, ex, 0),
        .mean = n->n_out > 1 ? FROST_OUT(st, ex, 1) : NULL,
        .inv_std = n->n_out > 2 ? FROST_OUT(st, ex, 2) : NULL,
    };
    frost__parallel_for(ex->pool, s->rows,
                        FROST_MAX((int64_t)1, NORM_MIN_TASK_ELEMS / FROST_MAX((int64_t)1, s->d)),
                        ln_task_fn, &t);
    return FROST_OK;
}

static frost_status ln_prepare(frost__step *st, const frost__prepare_ctx *pc) {
    const frost__node *n = pc->node;
    ln_state *s = (ln_state *)st->state.bytes;
    memset(s, 0, sizeof *s);
    const frost__shape *x = &pc->in_shape[0];
    int axis;
    if (pc->in_dtype[0] != FROST_DTYPE_F32 ||
        !frost__norm_axis(n->p.layer_norm.axis, x->rank, &axis))
        return frost__op_fail(n, pc->err, FROST_E_SHAPE, "needs f32 input and a valid axis");
    s->rows = s->d = 1;
    for (int i = 0; i < axis; i++) s->rows *= x->d[i];
    for (int i = axis; i < x->rank; i++) s->d *= x->d[i];
    int64_t *counts[3] = {NULL, &s->gamma_n, &s->beta_n};
    for (int i = 1; i < n->n_in; i++) {
        if (!frost__has_input(n, i)) continue;
        int64_t cnt;
        if (pc->in_dtype[i] != FROST_DTYPE_F32 || !frost__shape_numel_ok(&pc->in_shape[i], &cnt) ||
            (cnt != s->d && cnt != 1))
            return frost__op_fail(n, pc->err, FROST_E_SHAPE, "%s must hold %lld or 1 f32 values",
                                  i == 1 ? "gamma" : "beta", (long long)s->d);
        *counts[i] = cnt;
    }
    s->eps = n->p.layer_norm.epsilon;
    st->run = ln_run;
    return FROST_OK;
}

const frost__op_def frost__op_LAYER_NORM = {
    .name = "LayerNorm",
    .infer = ln_infer,
    .prepare = ln_prepare,
};
