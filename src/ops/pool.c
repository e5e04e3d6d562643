/* pool.c — POOL2D: max and average pooling on NHWC (TF MaxPool/AvgPool, Keras pooling layers,
 * ONNX MaxPool/AveragePool with pads, dilations, ceil_mode and count_include_pad).
 * Padding is resolved at prepare from the real input size; the kernel works on output rows, which
 * run splits across the session's threads. Never allocates. */
#include <limits.h>

#include "kernels/select.h"
#include "ops/op.h"

#define POOL_MIN_TASK_OPS 32768

static int or_one(int v) { return v == 0 ? 1 : v; }

/* Output length; -1 when `in` is unknown. ceil_mode rounds up, but a window may never start in the
 * trailing padding (the ONNX / PyTorch rule). */
static int64_t pool_out(int64_t in, int k, int s, int d, frost__padding mode, int pb, int pe,
                        bool ceil_mode) {
    if (in < 0) return -1;
    if (mode == FROST__PAD_SAME_UPPER || mode == FROST__PAD_SAME_LOWER) return (in + s - 1) / s;
    if (mode != FROST__PAD_EXPLICIT) pb = pe = 0;
    const int64_t span = in + pb + pe - ((int64_t)d * (k - 1) + 1);
    if (span < 0) return 0;
    int64_t out = (ceil_mode ? (span + s - 1) / s : span / s) + 1;
    if (ceil_mode && (out - 1) * s >= in + pb) out--;
    return out;
}

static frost_status pool_check(const frost__node *n, frost_error *err) {
    const frost__window *w = &n->p.pool.w;
    if (n->p.pool.k_h <= 0 || n->p.pool.k_w <= 0)
        return frost__op_fail(n, err, FROST_E_FORMAT, "window %dx%d must be positive",
                              n->p.pool.k_h, n->p.pool.k_w);
    if (w->stride_h < 0 || w->stride_w < 0 || w->dilation_h < 0 || w->dilation_w < 0)
        return frost__op_fail(n, err, FROST_E_FORMAT, "negative stride or dilation");
    if (w->padding < FROST__PAD_VALID || w->padding > FROST__PAD_EXPLICIT)
        return frost__op_fail(n, err, FROST_E_FORMAT, "unknown padding mode %d", (int)w->padding);
    if (w->padding == FROST__PAD_EXPLICIT &&
        (w->pad_top < 0 || w->pad_bottom < 0 || w->pad_left < 0 || w->pad_right < 0))
        return frost__op_fail(n, err, FROST_E_FORMAT, "negative padding");
    return FROST_OK;
}

static frost_status pool_infer(frost__infer_ctx *c) {
    const frost__node *n = c->node;
    if (c->n_in < 1 || c->n_out != 1)
        return frost__op_fail(n, c->err, FROST_E_FORMAT, "needs one input and one output");
    FROST_TRY(pool_check(n, c->err));
    if (c->in_dtype[0] != FROST_DTYPE_F32 && c->in_dtype[0] != FROST_DTYPE_INVALID)
        return frost__op_fail(n, c->err, FROST_E_DTYPE, "input is %s; only f32 is supported",
                              frost_dtype_name(c->in_dtype[0]));
    c->out_dtype[0] = FROST_DTYPE_F32;
    const frost__shape *x = &c->in_shape[0];
    char sb[96];
    if (x->rank >= 0 && x->rank != 4)
        return frost__op_fail(n, c->err, FROST_E_SHAPE, "input must be NHWC (rank 4), got %s",
                              frost__shape_str(x, sb, sizeof sb));
    frost__shape o;
    memset(&o, 0, sizeof o);
    o.rank = 4;
    for (int i = 0; i < 4; i++) o.d[i] = x->rank == 4 ? x->d[i] : -1;
    const frost__window *w = &n->p.pool.w;
    o.d[1] = pool_out(o.d[1], n->p.pool.k_h, or_one(w->stride_h), or_one(w->dilation_h), w->padding,
                      w->pad_top, w->pad_bottom, n->p.pool.ceil_mode);
    o.d[2] = pool_out(o.d[2], n->p.pool.k_w, or_one(w->stride_w), or_one(w->dilation_w), w->padding,
                      w->pad_left, w->pad_right, n->p.pool.ceil_mode);
    if (o.d[1] == 0 || o.d[2] == 0)
        return frost__op_fail(n, c->err, FROST_E_SHAPE,
                              "input %s is smaller than the %dx%d window: empty output",
                              frost__shape_str(x, sb, sizeof sb), n->p.pool.k_h, n->p.pool.k_w);
    c->out_shape[0] = o;
    return FROST_OK;
}


typedef struct pool_state {
    frost__pool_geom g;
    frost__pool2d_fn kernel;   /* kernels/select.h */
} pool_state;

typedef struct pool_task {
    const pool_state *s;
    const float *x;
    float *y;
} pool_task;

static void pool_task_fn(void *arg, int64_t begin, int64_t end, int worker) {
    (void)worker;
    const pool_task *t = arg;
    t->s->kernel(&t->s->g, t->x, t->y, begin, end);
}

static frost_status pool_run(const frost__step *st, const frost__exec *ex) {
    const pool_state *s = (const pool_state *)st->state.bytes;
    const frost__pool_geom *g = &s->g;
    pool_task t = {s, FROST_IN(st, ex, 0), FROST_OUT(st, ex, 0)};
    if (!ex->pool) {
        /* One thread: no task hand-off, just the kernel. */
        s->kernel(g, t.x, t.y, 0, g->n * g->out_h);
        return FROST_OK;
    }
    const int64_t row_ops = FROST_MAX((int64_t)1, g->out_w * g->c * g->k_h * g->k_w);
    frost__parallel_for(ex->pool, g->n * g->out_h,
                        FROST_MAX((int64_t)1, POOL_MIN_TASK_OPS / row_ops), pool_task_fn, &t);
    return FROST_OK;
}

/* Leading and trailing padding of a window producing `out` from `in`. */
static void pads_of(int64_t in, int64_t out, int k, int s, int d, const frost__window *w, bool rows,
                    int *begin, int *end) {
    if (w->padding == FROST__PAD_EXPLICIT) {
        *begin = rows ? w->pad_top : w->pad_left;
        *end = rows ? w->pad_bottom : w->pad_right;
        return;
    }
    if (w->padding == FROST__PAD_VALID) {
        *begin = *end = 0;
        return;
    }
    int64_t total = (out - 1) * s + (int64_t)d * (k - 1) + 1 - in;
    if (total < 0) total = 0;
    const int64_t b = w->padding == FROST__PAD_SAME_UPPER ? total / 2 : total - total / 2;
    *begin = (int)b;
    *end = (int)(total - b);
}

static frost_status pool_prepare(frost__step *st, const frost__prepare_ctx *pc) {
    const frost__node *n = pc->node;
    FROST_TRY(pool_check(n, pc->err));
    _Static_assert(sizeof(pool_state) <= sizeof(st->state), "pool state too big");
    pool_state *s = (pool_state *)st->state.bytes;
    memset(s, 0, sizeof *s);
    frost__pool_geom *g = &s->g;
    s->kernel = frost__pool2d_pick(pc->cpu);
    const frost__shape *x = &pc->in_shape[0], *o = &pc->out_shape[0];
    if (pc->in_dtype[0] != FROST_DTYPE_F32 || x->rank != 4)
        return frost__op_fail(n, pc->err, FROST_E_SHAPE, "input must be f32 NHWC");
    const frost__window *w = &n->p.pool.w;
    g->n = x->d[0];
    g->in_h = x->d[1];
    g->in_w = x->d[2];
    g->c = x->d[3];
    g->out_h = o->d[1];
    g->out_w = o->d[2];
    g->k_h = n->p.pool.k_h;
    g->k_w = n->p.pool.k_w;
    g->stride_h = or_one(w->stride_h);
    g->stride_w = or_one(w->stride_w);
    g->dil_h = or_one(w->dilation_h);
    g->dil_w = or_one(w->dilation_w);
    pads_of(g->in_h, g->out_h, g->k_h, g->stride_h, g->dil_h, w, true, &g->pad_top, &g->pad_bottom);
    pads_of(g->in_w, g->out_w, g->k_w, g->stride_w, g->dil_w, w, false, &g->pad_left,
            &g->pad_right);
    g->is_max = n->p.pool.is_max;
    g->count_include_pad = n->p.pool.count_include_pad;
    st->run = pool_run;
    return FROST_OK;
}

const frost__op_def frost__op_POOL2D = {
    .name = "Pool2D",
    .infer = pool_infer,
    .prepare = pool_prepare,
};
