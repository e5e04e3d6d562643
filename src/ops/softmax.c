/* softmax.c — SOFTMAX: softmax or log-softmax of f32 data along one axis (TF Softmax/LogSoftmax
 * over the last axis, Keras Softmax(axis), ONNX Softmax-13 with any axis), with an optional
 * temperature `beta` (0 means unset: 1). Rows are split across the session's threads. Never
 * allocates. */
#include "kernels/select.h"
#include "ops/op.h"

#define SOFTMAX_MIN_TASK_ELEMS 16384

static frost_status softmax_infer(frost__infer_ctx *c) {
    const frost__node *n = c->node;
    if (c->n_in < 1 || c->n_out != 1)
        return frost__op_fail(n, c->err, FROST_E_FORMAT, "needs one input and one output");
    if (c->in_dtype[0] != FROST_DTYPE_F32 && c->in_dtype[0] != FROST_DTYPE_INVALID)
        return frost__op_fail(n, c->err, FROST_E_DTYPE, "input is %s; only f32 is supported",
                              frost_dtype_name(c->in_dtype[0]));
    const frost__shape *x = &c->in_shape[0];
    int axis;
    if (x->rank == 0)
        return frost__op_fail(n, c->err, FROST_E_SHAPE, "input must have rank >= 1, got a scalar");
    if (x->rank > 0 && !frost__norm_axis(n->p.softmax.axis, x->rank, &axis))
        return frost__op_fail(n, c->err, FROST_E_SHAPE, "axis %d is out of range for rank %d",
                              n->p.softmax.axis, x->rank);
    c->out_dtype[0] = FROST_DTYPE_F32;
    c->out_shape[0] = *x;
    return FROST_OK;
}


typedef struct softmax_state {
    int64_t outer, len, inner;
    float beta;
    bool log;
    frost__softmax_fn kernel;  /* kernels/select.h */
} softmax_state;

typedef struct softmax_task {
    const softmax_state *s;
    const float *x;
    float *y;
} softmax_task;

static void softmax_task_fn(void *arg, int64_t begin, int64_t end, int worker) {
    (void)worker;
    const softmax_task *t = arg;
    const int64_t slice = t->s->len * t->s->inner;
    t->s->kernel(t->x + begin * slice, t->y + begin * slice, end - begin, t->s->len, t->s->inner,
                 t->s->beta, t->s->log);
}

static frost_status softmax_run(const frost__step *st, const frost__exec *ex) {
    const softmax_state *s = (const softmax_state *)st->state.bytes;
    softmax_task t = {s, FROST_IN(st, ex, 0), FROST_OUT(st, ex, 0)};
    if (!ex->pool || s->outer == 1) {
        /* One row (a classifier's output) or one thread: no task hand-off. */
        s->kernel(t.x, t.y, s->outer, s->len, s->inner, s->beta, s->log);
        return FROST_OK;
    }
    const int64_t slice = FROST_MAX((int64_t)1, s->len * s->inner);
    frost__parallel_for(ex->pool, s->outer, FROST_MAX((int64_t)1, SOFTMAX_MIN_TASK_ELEMS / slice),
                        softmax_task_fn, &t);
    return FROST_OK;
}

static frost_status softmax_prepare(frost__step *st, const frost__prepare_ctx *pc) {
    const frost__node *n = pc->node;
    softmax_state *s = (softmax_state *)st->state.bytes;
    memset(s, 0, sizeof *s);
    const frost__shape *x = &pc->in_shape[0];
    int axis;
    if (pc->in_dtype[0] != FROST_DTYPE_F32 || x->rank < 1 ||
        !frost__norm_axis(n->p.softmax.axis, x->rank, &axis))
        return frost__op_fail(n, pc->err, FROST_E_SHAPE,
                              "needs f32 input of rank >= 1 and a valid axis");
    s->outer = s->inner = 1;
    for (int i = 0; i < axis; i++) s->outer *= x->d[i];
    for (int i = axis + 1; i < x->rank; i++) s->inner *= x->d[i];
    s->len = x->d[axis];
    s->beta = n->p.softmax.beta == 0.0f ? 1.0f : n->p.softmax.beta;
    s->log = n->p.softmax.log;
    s->kernel = frost__softmax_pick(pc->cpu);
    st->run = softmax_run;
    return FROST_OK;
}

const frost__op_def frost__op_SOFTMAX = {
    .name = "Softmax",
    .infer = softmax_infer,
    .prepare = softmax_prepare,
};
