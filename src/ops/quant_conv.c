/* quant_conv.c — QCONV2D, QDEPTHWISE_CONV2D and QFULLY_CONNECTED: convolutions and dense layers on
 * quantized integers with TFLite's layouts (OHWI filters, [1,kh,kw,cin*m] depthwise filters,
 * [units, inputs] weights) and arithmetic (kernels/ref/conv_q8.c). infer checks dtypes, shapes and
 * the qp operand (ops/quant.h); prepare resolves SAME padding from the real input size; run splits
 * output rows across the session's threads. Never allocates. */
#include "kernels/quant.h"
#include "ops/op.h"
#include "ops/quant.h"

#define QCONV_MIN_TASK_MACS 65536

static bool act_type_ok(frost_dtype x, frost_dtype w) {
    return (x == FROST_DTYPE_U8 && w == FROST_DTYPE_U8) || (x == FROST_DTYPE_I8 && w == FROST_DTYPE_I8) ||
           (x == FROST_DTYPE_I16 && w == FROST_DTYPE_I8);
}

static int64_t out_len(int64_t in, int k, int s, int d, frost__padding mode) {
    if (in < 0) return -1;
    if (mode == FROST__PAD_SAME_UPPER) return (in + s - 1) / s;
    const int64_t eff = (int64_t)d * (k - 1) + 1;
    return in >= eff ? (in - eff) / s + 1 : 0;
}

/* Common checks: dtypes, bias, qp length. cout: output channels (-1 unknown). */
static frost_status check_common(frost__infer_ctx *c, int64_t cout) {
    const frost__node *n = c->node;
    if (c->n_in != 4 || c->n_out != 1)
        return frost__op_fail(n, c->err, FROST_E_FORMAT, "needs x, weights, bias (or none) and qp");
    frost_dtype x = c->in_dtype[0], w = c->in_dtype[1];
    if (x != FROST_DTYPE_INVALID && !act_type_ok(x, w))
        return frost__op_fail(n, c->err, FROST_E_DTYPE, "input %s with weights %s",
                              frost_dtype_name(x), frost_dtype_name(w));
    if (frost__has_input(n, 2)) {
        frost_dtype b = c->in_dtype[2];
        int64_t nb;
        if ((b != FROST_DTYPE_I32 && b != FROST_DTYPE_I64) ||
            (b == FROST_DTYPE_I64 && x != FROST_DTYPE_I16 && x != FROST_DTYPE_INVALID) ||
            !frost__shape_numel_ok(&c->in_shape[2], &nb) || (cout >= 0 && nb != cout))
            return frost__op_fail(n, c->err, FROST_E_FORMAT, "bias must be %lld int32 values "
                                  "(int64 for int16 inputs)", (long long)cout);
    }
    int64_t nq;
    if (c->in_dtype[3] != FROST_DTYPE_I32 || !c->in_data[3] ||
        !frost__shape_numel_ok(&c->in_shape[3], &nq) || cout < 0 || nq != FROST_QC_HEADER + 2 * cout)
        return frost__op_fail(n, c->err, FROST_E_FORMAT, "qp must be a constant of %lld int32 values",
                              (long long)(FROST_QC_HEADER + 2 * (cout > 0 ? cout : 0)));
    const int32_t *qp = c->in_data[3];
    for (int64_t i = 0; i < cout; i++) {
        const int32_t sh = qp[FROST_QC_HEADER + cout + i];
        if (qp[FROST_QC_HEADER + i] < 0 || sh < -31 || sh > (x == FROST_DTYPE_I16 ? 7 : 30))
            return frost__op_fail(n, c->err, FROST_E_UNSUPPORTED,
                                  "requantization multiplier of channel %lld out of range",
                                  (long long)i);
    }
    c->out_dtype[0] = x;
    return FROST_OK;
}

static frost_status conv_infer(frost__infer_ctx *c) {
    const frost__node *n = c->node;
    const bool dw = n->op == FROST__OP_QDEPTHWISE_CONV2D;
    const frost__shape *x = &c->in_shape[0], *f = &c->in_shape[1];
    if (f->rank != 4 || (x->rank >= 0 && x->rank != 4))
        return frost__op_fail(n, c->err, FROST_E_SHAPE, "input and filter must have rank 4");
    const int64_t cout = f->d[dw ? 3 : 0];
    FROST_TRY(check_common(c, cout));
    const frost__window *w = &n->p.quant.w;
    if (w->stride_h < 1 || w->stride_w < 1 || w->dilation_h < 1 || w->dilation_w < 1 ||
        (w->padding != FROST__PAD_VALID && w->padding != FROST__PAD_SAME_UPPER))
        return frost__op_fail(n, c->err, FROST_E_FORMAT, "bad window");
    if (f->d[1] < 1 || f->d[2] < 1 || f->d[1] > 65536 || f->d[2] > 65536 || (dw && f->d[0] != 1))
        return frost__op_fail(n, c->err, FROST_E_SHAPE, "bad filter shape");
    const int64_t C = x->rank == 4 ? x->d[3] : -1;
    if (C >= 0) {
        bool ok = dw ? (C > 0 && cout % C == 0) : (f->d[3] > 0 && C % f->d[3] == 0 && cout % (C / f->d[3]) == 0);
        if (!ok)
            return frost__op_fail(n, c->err, FROST_E_SHAPE, "filter does not fit %lld input channels",
                                  (long long)C);
    }
    frost__shape o = frost__shape_unknown();
    o.rank = 4;
    o.d[0] = x->rank == 4 ? x->d[0] : -1;
    o.d[1] = out_len(x->rank == 4 ? x->d[1] : -1, (int)f->d[1], w->stride_h, w->dilation_h, w->padding);
    o.d[2] = out_len(x->rank == 4 ? x->d[2] : -1, (int)f->d[2], w->stride_w, w->dilation_w, w->padding);
    o.d[3] = cout;
    if (o.d[1] == 0 || o.d[2] == 0)
        return frost__op_fail(n, c->err, FROST_E_SHAPE, "input smaller than the filter window");
    c->out_shape[0] = o;
    return FROST_OK;
}

static frost_status fc_infer(frost__infer_ctx *c) {
    const frost__node *n = c->node;
    const frost__shape *x = &c->in_shape[0], *f = &c->in_shape[1];
    if (f->rank != 2 || (x->rank >= 0 && x->rank != 2))
        return frost__op_fail(n, c->err, FROST_E_SHAPE, "input and weights must have rank 2");
    FROST_TRY(check_common(c, f->d[0]));
    if (x->rank == 2 && x->d[1] >= 0 && x->d[1] != f->d[1])
        return frost__op_fail(n, c->err, FROST_E_SHAPE, "input has %lld features, weights %lld",
                              (long long)x->d[1], (long long)f->d[1]);
    frost__shape o = frost__shape_unknown();
    o.rank = 2;
    o.d[0] = x->rank == 2 ? x->d[0] : -1;
    o.d[1] = f->d[0];
    c->out_shape[0] = o;
    return FROST_OK;
}

typedef struct qconv_state {
    frost__qconv_args a;
    int kind;     /* 0 conv, 1 depthwise, 2 fully connected */
    int64_t rows, macs_per_row;
} qconv_state;

typedef struct qconv_task {
    const qconv_state *s;
    const void *x, *w, *b;
    void *y;
} qconv_task;

static void run_rows(const qconv_state *s, const void *x, const void *w, const void *b, void *y,
                     int64_t r0, int64_t r1) {
    switch (s->kind) {
    case 0: frost_k_q_conv2d__ref(&s->a, x, w, b, y, r0, r1); break;
    case 1: frost_k_q_depthwise__ref(&s->a, x, w, b, y, r0, r1); break;
    default: frost_k_q_fully_connected__ref(&s->a, x, w, b, y, r0, r1); break;
    }
}

static void task_fn(void *arg, int64_t begin, int64_t end, int worker) {
    (void)worker;
    const qconv_task *t = arg;
    run_rows(t->s, t->x, t->w, t->b, t->y, begin, end);
}

static frost_status qconv_run(const frost__step *st, const frost__exec *ex) {
    const qconv_state *s = (const qconv_state *)st->state.bytes;
    qconv_state local = *s;
    const int32_t *qp = FROST_IN(st, ex, 3);
    local.a.mult = qp + FROST_QC_HEADER;
    local.a.shift = qp + FROST_QC_HEADER + s->a.g.out_c;
    qconv_task t = {&local, FROST_IN(st, ex, 0), FROST_IN(st, ex, 1),
                    frost__has_input(st->node, 2) ? FROST_IN(st, ex, 2) : NULL, FROST_OUT(st, ex, 0)};
    if (!ex->pool) {
        run_rows(&local, t.x, t.w, t.b, t.y, 0, s->rows);
        return FROST_OK;
    }
    frost__parallel_for(ex->pool, s->rows,
                        FROST_MAX((int64_t)1, QCONV_MIN_TASK_MACS / FROST_MAX((int64_t)1, s->macs_per_row)),
                        task_fn, &t);
    return FROST_OK;
}

static frost_status qconv_prepare(frost__step *st, const frost__prepare_ctx *pc) {
    _Static_assert(sizeof(qconv_state) <= sizeof(st->state), "state too big");
    qconv_state *s = (qconv_state *)st->state.bytes;
    memset(s, 0, sizeof *s);
    const frost__node *n = pc->node;
    const int32_t *qp = pc->in_data[3];
    frost__qconv_args *a = &s->a;
    a->x_type = pc->in_dtype[0];
    a->w_type = pc->in_dtype[1];
    a->bias64 = frost__has_input(n, 2) && pc->in_dtype[2] == FROST_DTYPE_I64;
    a->in_zp = qp[FROST_QC_IN_ZP];
    a->w_zp = qp[FROST_QC_W_ZP];
    a->out_zp = qp[FROST_QC_OUT_ZP];
    a->act_min = qp[FROST_QC_ACT_MIN];
    a->act_max = qp[FROST_QC_ACT_MAX];
    const frost__shape *x = &pc->in_shape[0], *f = &pc->in_shape[1], *o = &pc->out_shape[0];
    frost__conv_geom *g = &a->g;
    if (n->op == FROST__OP_QFULLY_CONNECTED) {
        s->kind = 2;
        g->in_c = f->d[1];
        g->out_c = f->d[0];
        s->rows = x->d[0];
        s->macs_per_row = g->in_c * g->out_c;
    } else {
        s->kind = n->op == FROST__OP_QDEPTHWISE_CONV2D ? 1 : 0;
        const frost__window *w = &n->p.quant.w;
        g->n = x->d[0];
        g->in_h = x->d[1];
        g->in_w = x->d[2];
        g->in_c = x->d[3];
        g->out_h = o->d[1];
        g->out_w = o->d[2];
        g->out_c = o->d[3];
        g->k_h = (int)f->d[1];
        g->k_w = (int)f->d[2];
        g->stride_h = w->stride_h;
        g->stride_w = w->stride_w;
        g->dil_h = w->dilation_h;
        g->dil_w = w->dilation_w;
        if (w->padding == FROST__PAD_SAME_UPPER) {
            int64_t th = (g->out_h - 1) * g->stride_h + (int64_t)g->dil_h * (g->k_h - 1) + 1 - g->in_h;
            int64_t tw = (g->out_w - 1) * g->stride_w + (int64_t)g->dil_w * (g->k_w - 1) + 1 - g->in_w;
            g->pad_top = th > 0 ? (int)(th / 2) : 0;
            g->pad_left = tw > 0 ? (int)(tw / 2) : 0;
        }
        if (s->kind == 1) {
            g->groups = 1;
            a->depth_multiplier = (int)(g->out_c / g->in_c);
            s->macs_per_row = g->out_w * g->out_c * g->k_h * g->k_w;
        } else {
            g->groups = (int)(g->in_c / f->d[3]);
            s->macs_per_row = g->out_w * g->out_c * g->k_h * g->k_w * f->d[3];
        }
        s->rows = g->n * g->out_h;
    }
    st->run = qconv_run;
    return FROST_OK;
}

const frost__op_def frost__op_QCONV2D = {
    .name = "QConv2D", .infer = conv_infer, .prepare = qconv_prepare};
const frost__op_def frost__op_QDEPTHWISE_CONV2D = {
    .name = "QDepthwiseConv2D", .infer = conv_infer, .prepare = qconv_prepare};
const frost__op_def frost__op_QFULLY_CONNECTED = {
    .name = "QFullyConnected", .infer = fc_infer, .prepare = qconv_prepare};
