/* quant_conv.c — QCONV2D, QDEPTHWISE_CONV2D and QFULLY_CONNECTED: convolutions and dense layers on
 * quantized integers with TFLite's layouts (OHWI filters, [1,kh,kw,cin*m] depthwise filters,
 * [units, inputs] weights) and arithmetic. infer checks dtypes, shapes and the qp operand
 * (ops/quant.h); pack (at load) packs the constant 8-bit weights of ungrouped convs and fully
 * connected layers for the byte GEMM (kernels/ref/gemm_q8.c, or VNNI where the CPU has it);
 * prepare resolves SAME padding and picks the path: that GEMM (im2col tiles, or the input itself
 * for 1x1 convs and dense layers) or the direct loops of kernels/ref/conv_q8.c (depthwise, grouped,
 * int16). run splits output rows across the session's threads. Never allocates after pack. */
#include "kernels/quant.h"
#include "ops/op.h"
#include "core/quant.h"

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
        bool ok = C > 0 && (dw ? cout % C == 0
                               : (f->d[3] > 0 && C % f->d[3] == 0 && C >= f->d[3] &&
                                  cout % (C / f->d[3]) == 0));
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

#define GEMM_TILE 32 /* output rows per im2col tile and int32 result tile */

typedef struct qconv_state {
    frost__qconv_args a;
    int kind;     /* 0 conv, 1 depthwise, 2 fully connected */
    int64_t rows, macs_per_row;
    /* The packed GEMM path (gemm set): rows are output pixels (conv) or input rows (dense). */
    void (*gemm)(const frost__q8_pack *, const uint8_t *, int64_t, int64_t, int32_t *);
    void (*requant)(const frost__qconv_args *, const frost__q8_pack *, const int32_t *,
                    const int32_t *, int64_t, const void *, void *);
    void (*depthwise)(const frost__qconv_args *, const void *, const void *, const void *, void *,
                      int64_t, int64_t);
    bool direct;  /* the input rows are the GEMM's rows (no im2col)                          */
    const int32_t *dw_pairs; /* depthwise weights packed in tap pairs (set at run from packed) */
    bool dw_packed;
    int64_t gemm_rows;
    size_t slot_bytes, a_bytes, c_bytes;
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
    case 1:
#if defined(__x86_64__)
        if (s->dw_pairs) {
            frost_k_q_depthwise_pairs__avx512(&s->a, x, w, s->dw_pairs, b, y, r0, r1);
            break;
        }
#endif
        s->depthwise(&s->a, x, w, b, y, r0, r1);
        break;
    default: frost_k_q_fully_connected__ref(&s->a, x, w, b, y, r0, r1); break;
    }
}

static void task_fn(void *arg, int64_t begin, int64_t end, int worker) {
    (void)worker;
    const qconv_task *t = arg;
    run_rows(t->s, t->x, t->w, t->b, t->y, begin, end);
}

typedef struct gemm_task {
    const qconv_state *s;
    const frost__q8_pack *p;
    const uint8_t *x;
    const void *bias;
    uint8_t *y;
    unsigned char *ws;
} gemm_task;

static void gemm_task_fn(void *arg, int64_t begin, int64_t end, int worker) {
    const gemm_task *t = arg;
    const qconv_state *s = t->s;
    const frost__q8_pack *p = t->p;
    unsigned char *slot = t->ws + (size_t)worker * s->slot_bytes;
    int32_t *c = (int32_t *)(void *)slot, *rowsum = (int32_t *)(void *)(slot + s->c_bytes);
    uint8_t *a = slot + s->c_bytes + GEMM_TILE * sizeof(int32_t);
    const bool x_signed = s->a.x_type == FROST_DTYPE_I8;
    for (int64_t r0 = begin; r0 < end; r0 += GEMM_TILE) {
        const int64_t rows = end - r0 < GEMM_TILE ? end - r0 : GEMM_TILE;
        const uint8_t *rows_a;
        int64_t lda;
        if (s->direct) {
            rows_a = t->x + r0 * p->K;
            lda = p->K;
            frost_k_q8_rowsum__ref(rows_a, lda, rows, p->K, x_signed, rowsum);
        } else if (s->kind == 2) {
            /* Dense rows whose length is no multiple of 4: copied with a zero tail. */
            lda = p->Kq * 4;
            for (int64_t r = 0; r < rows; r++) {
                memcpy(a + r * lda, t->x + (r0 + r) * p->K, (size_t)p->K);
                memset(a + r * lda + p->K, 0, (size_t)(lda - p->K));
            }
            rows_a = a;
            frost_k_q8_rowsum__ref(rows_a, lda, rows, p->K, x_signed, rowsum);
        } else {
            frost_k_q8_im2col__ref(&s->a.g, t->x, (uint8_t)s->a.in_zp, r0, rows, p->Kq, x_signed, a,
                                   rowsum);
            rows_a = a;
            lda = p->Kq * 4;
        }
        s->gemm(p, rows_a, lda, rows, c);
        s->requant(&s->a, p, c, rowsum, rows, t->bias, t->y + r0 * p->N);
    }
}

static frost_status qconv_run(const frost__step *st, const frost__exec *ex) {
    const qconv_state *s = (const qconv_state *)st->state.bytes;
    qconv_state local = *s;
    if (s->dw_packed) local.dw_pairs = st->node->packed;
    const int32_t *qp = FROST_IN(st, ex, 3);
    local.a.mult = qp + FROST_QC_HEADER;
    local.a.shift = qp + FROST_QC_HEADER + s->a.g.out_c;
    if (s->gemm) {
        gemm_task g = {&local, st->node->packed, FROST_IN(st, ex, 0),
                       frost__has_input(st->node, 2) ? FROST_IN(st, ex, 2) : NULL,
                       FROST_OUT(st, ex, 0), FROST_WS(st, ex)};
        if (!ex->pool) {
            gemm_task_fn(&g, 0, s->gemm_rows, 0);
            return FROST_OK;
        }
        frost__parallel_for(ex->pool, s->gemm_rows, GEMM_TILE, gemm_task_fn, &g);
        return FROST_OK;
    }
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
    s->depthwise = frost_k_q_depthwise__ref;
    s->requant = frost_k_q8_requant__ref;
#if defined(__x86_64__)
    if (pc->cpu && pc->cpu->avx512f) {
        s->depthwise = frost_k_q_depthwise__avx512;
        s->requant = frost_k_q8_requant__avx512;
    }
#endif
    /* Depthwise weights packed in tap pairs (pack did it on AVX-512 CPUs, multiplier 1, 8-bit). */
#if defined(__x86_64__)
    if (s->kind == 1 && n->packed && pc->cpu && pc->cpu->avx512f && a->depth_multiplier == 1 &&
        a->x_type != FROST_DTYPE_I16 &&
        n->packed_bytes == frost__q8_dw_pack_bytes((int64_t)g->k_h * g->k_w, g->out_c))
        s->dw_packed = true;
#endif
    /* The packed byte GEMM, when pack prepared the weights for this geometry. */
    const frost__q8_pack *p = n->packed;
    if (p && s->kind != 1 && (s->kind == 2 || g->groups == 1) && p->N == g->out_c &&
        p->K == (s->kind == 2 ? g->in_c : (int64_t)g->k_h * g->k_w * g->in_c)) {
        s->gemm = frost_k_q8_gemm__ref;
#if defined(__x86_64__)
        if (pc->cpu && pc->cpu->avx512_vnni) s->gemm = frost_k_q8_gemm__avx512vnni;
#endif
        s->direct = p->K % 4 == 0 &&
                    (s->kind == 2 || (g->k_h == 1 && g->k_w == 1 && g->stride_h == 1 &&
                                      g->stride_w == 1 && g->pad_top == 0 && g->pad_left == 0 &&
                                      g->out_h == g->in_h && g->out_w == g->in_w));
        s->gemm_rows = s->kind == 2 ? x->d[0] : g->n * g->out_h * g->out_w;
        s->c_bytes = (size_t)GEMM_TILE * (size_t)p->Np * sizeof(int32_t);
        s->a_bytes = s->direct ? 0 : (size_t)GEMM_TILE * (size_t)p->Kq * 4;
        s->slot_bytes = (s->c_bytes + GEMM_TILE * sizeof(int32_t) + s->a_bytes + 63) & ~(size_t)63;
        const int slots = pc->n_threads > 1 ? pc->n_threads : 1;
        st->ws_bytes = s->slot_bytes * (size_t)slots;
    }
    st->run = qconv_run;
    return FROST_OK;
}

/* Packs constant 8-bit weights of ungrouped convs and dense layers for the byte GEMM. */
static frost_status qconv_pack(frost__graph *g, frost__node *n, const frost__cpu *cpu,
                               frost_error *err) {
    if (n->n_in < 4 || n->in[1] < 0 || n->in[3] < 0) return FROST_OK;
    const frost__value *x = &g->values[n->in[0]], *w = &g->values[n->in[1]], *q = &g->values[n->in[3]];
    if (w->kind != FROST__VAL_CONST || !w->data || q->kind != FROST__VAL_CONST || !q->data ||
        (w->dtype != FROST_DTYPE_I8 && w->dtype != FROST_DTYPE_U8) || x->dtype != w->dtype)
        return FROST_OK;
    if (n->op == FROST__OP_QDEPTHWISE_CONV2D) {
#if defined(__x86_64__)
        /* Multiplier 1 only: the filter's channels are the input's. */
        if (!cpu || !cpu->avx512f || w->shape.rank != 4 || x->shape.rank != 4 ||
            x->shape.d[3] != w->shape.d[3] || w->shape.d[3] < 1)
            return FROST_OK;
        const int64_t taps = w->shape.d[1] * w->shape.d[2], C = w->shape.d[3];
        const size_t bytes = frost__q8_dw_pack_bytes(taps, C);
        void *packed = frost__alloc(&g->alloc, bytes ? bytes : 1);
        if (!packed)
            return frost__op_fail(n, err, FROST_E_NOMEM, "out of memory packing %zu bytes of weights", bytes);
        frost__q8_dw_pack(w->data, w->dtype == FROST_DTYPE_I8, ((const int32_t *)q->data)[FROST_QC_W_ZP],
                          taps, C, packed);
        frost__free(&g->alloc, n->packed);
        n->packed = packed;
        n->packed_bytes = bytes;
#endif
        return FROST_OK;
    }
    int64_t K, N;
    if (n->op == FROST__OP_QFULLY_CONNECTED) {
        if (w->shape.rank != 2) return FROST_OK;
        N = w->shape.d[0];
        K = w->shape.d[1];
    } else {
        /* Ungrouped only: the input's channels must be the filter's. */
        if (w->shape.rank != 4 || x->shape.rank != 4 || x->shape.d[3] != w->shape.d[3]) return FROST_OK;
        N = w->shape.d[0];
        K = w->shape.d[1] * w->shape.d[2] * w->shape.d[3];
    }
    size_t bytes = frost__q8_pack_bytes(K, N);
    if (!bytes) return FROST_OK;
    void *packed = frost__alloc(&g->alloc, bytes);
    if (!packed)
        return frost__op_fail(n, err, FROST_E_NOMEM, "out of memory packing %zu bytes of weights", bytes);
    frost__q8_pack_weights(w->data, w->dtype, ((const int32_t *)q->data)[FROST_QC_W_ZP], K, N, packed);
    frost__free(&g->alloc, n->packed);
    n->packed = packed;
    n->packed_bytes = bytes;
    return FROST_OK;
}

const frost__op_def frost__op_QCONV2D = {
    .name = "QConv2D", .infer = conv_infer, .prepare = qconv_prepare, .pack = qconv_pack};
const frost__op_def frost__op_QDEPTHWISE_CONV2D = {
    .name = "QDepthwiseConv2D", .infer = conv_infer, .prepare = qconv_prepare, .pack = qconv_pack};
const frost__op_def frost__op_QFULLY_CONNECTED = {
    .name = "QFullyConnected", .infer = fc_infer, .prepare = qconv_prepare, .pack = qconv_pack};
