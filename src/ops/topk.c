/* topk.c — TOP_K: the k largest (or smallest) values of every row along the last axis, with their
 * indices, best first; equal values come in index order (TensorFlow's and TF.js's order; TF's
 * sorted=false leaves the order unspecified, so frost always sorts). NaN counts as larger than
 * every number (and so smaller, for the smallest), so the order stays total.
 *
 * k comes from an operand that must be known when planning. run keeps a k-entry heap of the best
 * seen per row in the step's workspace (O(n log k), no allocation), then sorts it. */
#include <math.h>

#include "ops/op.h"

static frost_status read_k(const frost__node *n, frost_error *err, frost_dtype t,
                           const frost__shape *s, const void *data, int64_t *k, bool *known) {
    int64_t v[1];
    int cnt = frost__read_int_operand(t, s, data, v, 1);
    *known = cnt == 1;
    if (cnt < 0) return FROST_OK;
    if (cnt != 1 || v[0] < 0)
        return frost__op_fail(n, err, FROST_E_SHAPE, "k must be one non-negative integer");
    *k = v[0];
    return FROST_OK;
}

static frost_status topk_infer(frost__infer_ctx *c) {
    const frost__node *n = c->node;
    const frost__shape *x = &c->in_shape[0];
    c->out_dtype[0] = c->in_dtype[0];
    c->out_dtype[1] = (frost_dtype)n->p.top_k.out_dtype;
    if (c->out_dtype[1] != FROST_DTYPE_I32 && c->out_dtype[1] != FROST_DTYPE_I64)
        return frost__op_fail(n, c->err, FROST_E_DTYPE, "indices of dtype %s",
                              frost_dtype_name(c->out_dtype[1]));
    int64_t k = 0;
    bool known;
    FROST_TRY(read_k(n, c->err, c->in_dtype[1], &c->in_shape[1], c->in_data[1], &k, &known));
    if (!known) return frost__op_operand_unknown(c, "k");
    if (x->rank < 0) {
        c->out_shape[0] = c->out_shape[1] = frost__shape_unknown();
        return FROST_OK;
    }
    if (x->rank < 1) return frost__op_fail(n, c->err, FROST_E_SHAPE, "needs a rank of at least 1");
    int64_t last = x->d[x->rank - 1];
    if (last >= 0 && k > last)
        return frost__op_fail(n, c->err, FROST_E_SHAPE, "k = %lld but the last axis has only %lld",
                              (long long)k, (long long)last);
    frost__shape o = *x;
    o.d[o.rank - 1] = k;
    c->out_shape[0] = c->out_shape[1] = o;
    return FROST_OK;
}

typedef struct topk_item {
    double v;
    int64_t i;
} topk_item;

typedef struct topk_state {
    int64_t rows, n, k;
    frost_dtype dt, idx_dt;
    size_t es;
    bool largest;
} topk_state;

/* a ranks before b. */
static bool before(const topk_item *a, const topk_item *b, bool largest) {
    bool an = isnan(a->v), bn = isnan(b->v);
    if (an || bn) {
        if (an && bn) return a->i < b->i;
        return largest ? an : bn;
    }
    if (a->v != b->v) return largest ? a->v > b->v : a->v < b->v;
    return a->i < b->i;
}

/* Heap with the worst-ranked item at the root. */
static void sift_down(topk_item *h, int64_t size, int64_t at, bool largest) {
    for (;;) {
        int64_t l = 2 * at + 1, r = l + 1, worst = at;
        if (l < size && before(&h[worst], &h[l], largest)) worst = l;
        if (r < size && before(&h[worst], &h[r], largest)) worst = r;
        if (worst == at) return;
        topk_item t = h[at];
        h[at] = h[worst];
        h[worst] = t;
        at = worst;
    }
}

static void sift_up(topk_item *h, int64_t at, bool largest) {
    while (at > 0) {
        int64_t parent = (at - 1) / 2;
        if (!before(&h[parent], &h[at], largest)) return;
        topk_item t = h[at];
        h[at] = h[parent];
        h[parent] = t;
        at = parent;
    }
}

static frost_status topk_run(const frost__step *st, const frost__exec *ex) {
    const topk_state *s = (const topk_state *)st->state.bytes;
    const unsigned char *x = FROST_IN(st, ex, 0);
    void *vals = FROST_OUT(st, ex, 0);
    void *idx = FROST_OUT(st, ex, 1);
    topk_item *h = FROST_WS(st, ex);
    for (int64_t r = 0; r < s->rows && s->k > 0; r++) {
        const unsigned char *row = x + (size_t)(r * s->n) * s->es;
        int64_t size = 0;
        for (int64_t i = 0; i < s->n; i++) {
            topk_item it = {frost__read_double(s->dt, row, i), i};
            if (size < s->k) {
                h[size] = it;
                sift_up(h, size++, s->largest);
            } else if (before(&it, &h[0], s->largest)) {
                h[0] = it;
                sift_down(h, size, 0, s->largest);
            }
        }
        /* Pop worst-first into the back of the row: the output reads best first. */
        for (int64_t j = size - 1; j >= 0; j--) {
            topk_item worst = h[0];
            h[0] = h[j];
            sift_down(h, j, 0, s->largest);
            int64_t o = r * s->k + j;
            memcpy((unsigned char *)vals + (size_t)o * s->es, row + (size_t)worst.i * s->es, s->es);
            if (s->idx_dt == FROST_DTYPE_I32) ((int32_t *)idx)[o] = (int32_t)worst.i;
            else ((int64_t *)idx)[o] = worst.i;
        }
    }
    return FROST_OK;
}

static frost_status topk_prepare(frost__step *st, const frost__prepare_ctx *pc) {
    topk_state *s = (topk_state *)st->state.bytes;
    const frost__node *n = pc->node;
    const frost__shape *x = &pc->in_shape[0];
    s->dt = pc->in_dtype[0];
    s->idx_dt = pc->out_dtype[1];
    s->es = frost_dtype_size(s->dt);
    s->largest = n->p.top_k.largest;
    if (s->es == 0 || s->dt == FROST_DTYPE_BOOL || s->dt == FROST_DTYPE_F16 || s->dt == FROST_DTYPE_BF16)
        return frost__op_fail(n, pc->err, FROST_E_DTYPE, "TopK of %s", frost_dtype_name(s->dt));
    s->n = x->d[x->rank - 1];
    s->k = pc->out_shape[0].d[x->rank - 1];
    s->rows = s->n > 0 ? frost__shape_numel(x) / s->n : 0;
    if (s->idx_dt == FROST_DTYPE_I32 && s->n > INT32_MAX)
        return frost__op_fail(n, pc->err, FROST_E_LIMIT, "%lld entries do not fit int32 indices",
                              (long long)s->n);
    st->ws_bytes = (size_t)(s->k > 0 ? s->k : 1) * sizeof(topk_item);
    st->run = topk_run;
    return FROST_OK;
}

const frost__op_def frost__op_TOP_K = {"TopK", 0, topk_infer, topk_prepare, NULL};
