/* quant.c — the quantized elementwise ops: QUANTIZE, DEQUANTIZE, QLOOKUP, QBINARY, QPOOL2D,
 * QSOFTMAX and QMEAN (operand layouts in ops/quant.h). infer checks the dtypes and that the
 * importer's constant operands have the length the op reads; prepare resolves broadcasting and
 * windows into the step state; run calls the integer kernels of kernels/ref/eltwise_q8.c or the
 * short loops here. Never allocates; never reads a qp entry it did not check. */
#include <math.h>

#include "kernels/quant.h"
#include "ops/op.h"
#include "core/quant.h"

static bool is_q(frost_dtype t) {
    return t == FROST_DTYPE_I8 || t == FROST_DTYPE_U8 || t == FROST_DTYPE_I16;
}

/* Constant int32 operand k with at least `need` entries; NULL (and an error) otherwise. */
static const int32_t *qp_operand(const frost__node *n, const frost_dtype *dt, const frost__shape *s,
                                 const void *const *data, int k, int64_t need, frost_error *err,
                                 frost_status *st) {
    int64_t cnt;
    *st = FROST_OK;
    if (k >= n->n_in || n->in[k] < 0 || dt[k] != FROST_DTYPE_I32 || !data[k] ||
        !frost__shape_numel_ok(&s[k], &cnt) || cnt < need) {
        *st = frost__op_fail(n, err, FROST_E_FORMAT,
                             "operand %d must be a constant int32 tensor of %lld values", k,
                             (long long)need);
        return NULL;
    }
    return data[k];
}

static float f32_bits(int32_t v) {
    float f;
    memcpy(&f, &v, sizeof f);
    return f;
}

static frost_status same_shape_infer(frost__infer_ctx *c, frost_dtype out) {
    c->out_dtype[0] = out;
    c->out_shape[0] = c->in_shape[0];
    return FROST_OK;
}

/* ==== QUANTIZE / DEQUANTIZE =================================================================== */

typedef struct q_state {
    int64_t n;
    frost_dtype in, out;
    int32_t a, b, c, d;         /* QUANTIZE: zp / (mult, shift, in_zp, out_zp)                 */
    float scale;
    int64_t inner, n_ch;        /* DEQUANTIZE: elements per channel slice, channels            */
} q_state;

static frost_status quantize_infer(frost__infer_ctx *c) {
    const frost__node *n = c->node;
    if (c->n_in != 2 || c->n_out != 1)
        return frost__op_fail(n, c->err, FROST_E_FORMAT, "needs an input and qp");
    frost_dtype in = c->in_dtype[0];
    frost_status st;
    if (!qp_operand(n, c->in_dtype, c->in_shape, c->in_data, 1, in == FROST_DTYPE_F32 ? 2 : 4,
                    c->err, &st))
        return st;
    if (in != FROST_DTYPE_F32 && in != FROST_DTYPE_INVALID && !is_q(in))
        return frost__op_fail(n, c->err, FROST_E_DTYPE, "input is %s", frost_dtype_name(in));
    int to = n->p.quant.fn;
    if (!is_q((frost_dtype)to))
        return frost__op_fail(n, c->err, FROST_E_DTYPE, "output type %d is not i8/u8/i16", to);
    return same_shape_infer(c, (frost_dtype)to);
}

static frost_status quantize_run(const frost__step *st, const frost__exec *ex) {
    const q_state *s = (const q_state *)st->state.bytes;
    const void *x = FROST_IN(st, ex, 0);
    void *y = FROST_OUT(st, ex, 0);
    if (s->in == FROST_DTYPE_F32) {
        const float *xf = x;
        for (int64_t i = 0; i < s->n; i++) {
            /* Saturated before converting: out-of-range floats (and NaN) must not be UB. */
            const float q = roundf(xf[i] / s->scale);
            const int32_t v = frost__q_f2i(q > 1e9f ? 1e9f : q < -1e9f ? -1e9f : q);
            frost__q_store(s->out, y, i, v + s->a);
        }
    } else {
        for (int64_t i = 0; i < s->n; i++) {
            const int32_t v = frost__q_load(s->in, x, i) - s->c;
            frost__q_store(s->out, y, i, frost__q_mul(v, s->a, s->b) + s->d);
        }
    }
    return FROST_OK;
}

static frost_status quantize_prepare(frost__step *st, const frost__prepare_ctx *pc) {
    q_state *s = (q_state *)st->state.bytes;
    memset(s, 0, sizeof *s);
    s->in = pc->in_dtype[0];
    s->out = pc->out_dtype[0];
    s->n = frost__shape_numel(&pc->in_shape[0]);
    const int32_t *qp = pc->in_data[1];
    if (s->in == FROST_DTYPE_F32) {
        s->a = qp[0];
        s->scale = f32_bits(qp[1]);
    } else {
        s->a = qp[0];
        s->b = qp[1];
        s->c = qp[2];
        s->d = qp[3];
        if (s->b < -31 || s->b > 30)
            return frost__op_fail(pc->node, pc->err, FROST_E_UNSUPPORTED, "shift %d", s->b);
    }
    st->run = quantize_run;
    return FROST_OK;
}

const frost__op_def frost__op_QUANTIZE = {
    .name = "Quantize", .infer = quantize_infer, .prepare = quantize_prepare};

static frost_status dequantize_infer(frost__infer_ctx *c) {
    const frost__node *n = c->node;
    if (c->n_in != 3 || c->n_out != 1)
        return frost__op_fail(n, c->err, FROST_E_FORMAT, "needs an input, scales and zero points");
    frost_dtype in = c->in_dtype[0];
    if (in != FROST_DTYPE_INVALID && !is_q(in) && in != FROST_DTYPE_I32)
        return frost__op_fail(n, c->err, FROST_E_DTYPE, "input is %s", frost_dtype_name(in));
    int64_t ns, nz;
    if (c->in_dtype[1] != FROST_DTYPE_F32 || c->in_dtype[2] != FROST_DTYPE_I32 ||
        !frost__shape_numel_ok(&c->in_shape[1], &ns) || !frost__shape_numel_ok(&c->in_shape[2], &nz) ||
        ns != nz || ns < 1)
        return frost__op_fail(n, c->err, FROST_E_FORMAT, "scales (f32) and zero points (i32) must "
                              "have the same count");
    const frost__shape *x = &c->in_shape[0];
    if (ns > 1 && x->rank >= 0) {
        int ax = n->p.quant.axis;
        if (ax < 0 || ax >= x->rank || (x->d[ax] >= 0 && x->d[ax] != ns))
            return frost__op_fail(n, c->err, FROST_E_SHAPE, "%lld scales do not match axis %d",
                                  (long long)ns, ax);
    }
    return same_shape_infer(c, FROST_DTYPE_F32);
}

static frost_status dequantize_run(const frost__step *st, const frost__exec *ex) {
    const q_state *s = (const q_state *)st->state.bytes;
    const void *x = FROST_IN(st, ex, 0);
    const float *scale = FROST_IN(st, ex, 1);
    const int32_t *zp = FROST_IN(st, ex, 2);
    float *y = FROST_OUT(st, ex, 0);
    for (int64_t i = 0; i < s->n; i++) {
        const int64_t ch = s->n_ch > 1 ? (i / s->inner) % s->n_ch : 0;
        y[i] = (float)((double)scale[ch] * ((double)frost__q_load(s->in, x, i) - (double)zp[ch]));
    }
    return FROST_OK;
}

static frost_status dequantize_prepare(frost__step *st, const frost__prepare_ctx *pc) {
    q_state *s = (q_state *)st->state.bytes;
    memset(s, 0, sizeof *s);
    s->in = pc->in_dtype[0];
    s->n = frost__shape_numel(&pc->in_shape[0]);
    s->n_ch = frost__shape_numel(&pc->in_shape[1]);
    s->inner = 1;
    const frost__shape *x = &pc->in_shape[0];
    if (s->n_ch > 1)
        for (int d = pc->node->p.quant.axis + 1; d < x->rank; d++) s->inner *= x->d[d];
    if (s->inner < 1) s->inner = 1;
    st->run = dequantize_run;
    return FROST_OK;
}

const frost__op_def frost__op_DEQUANTIZE = {
    .name = "Dequantize", .infer = dequantize_infer, .prepare = dequantize_prepare};

/* ==== QLOOKUP ================================================================================= */

static frost_status lookup_infer(frost__infer_ctx *c) {
    const frost__node *n = c->node;
    if (c->n_in != 2 || c->n_out != 1)
        return frost__op_fail(n, c->err, FROST_E_FORMAT, "needs an input and a table");
    frost_dtype in = c->in_dtype[0], tt = c->in_dtype[1];
    int64_t cnt;
    if ((in != FROST_DTYPE_INVALID && in != FROST_DTYPE_I8 && in != FROST_DTYPE_U8) ||
        (tt != FROST_DTYPE_I8 && tt != FROST_DTYPE_U8) ||
        !frost__shape_numel_ok(&c->in_shape[1], &cnt) || cnt != 256)
        return frost__op_fail(n, c->err, FROST_E_FORMAT, "needs 8-bit input and a 256-entry table");
    return same_shape_infer(c, tt);
}

static frost_status lookup_run(const frost__step *st, const frost__exec *ex) {
    const int64_t n = st->state.i64[0];
    const uint8_t *x = FROST_IN(st, ex, 0), *table = FROST_IN(st, ex, 1);
    uint8_t *y = FROST_OUT(st, ex, 0);
    for (int64_t i = 0; i < n; i++) y[i] = table[x[i]];
    return FROST_OK;
}

static frost_status lookup_prepare(frost__step *st, const frost__prepare_ctx *pc) {
    st->state.i64[0] = frost__shape_numel(&pc->in_shape[0]);
    st->run = lookup_run;
    return FROST_OK;
}

const frost__op_def frost__op_QLOOKUP = {
    .name = "QLookup", .infer = lookup_infer, .prepare = lookup_prepare};

/* ==== QBINARY ================================================================================= */

typedef struct qbin_state {
    int rank;
    int64_t out[FROST_MAX_RANK], sa[FROST_MAX_RANK], sb[FROST_MAX_RANK];
    int32_t qp[FROST_QB_COUNT];
    frost_dtype t;
    int fn;
    void (*kernel)(frost_dtype, int, const int32_t *, const void *, int64_t, const void *, int64_t,
                   void *, int64_t);
} qbin_state;

static frost_status qbinary_infer(frost__infer_ctx *c) {
    const frost__node *n = c->node;
    if (c->n_in != 3 || c->n_out != 1)
        return frost__op_fail(n, c->err, FROST_E_FORMAT, "needs a, b and qp");
    frost_status st;
    if (!qp_operand(n, c->in_dtype, c->in_shape, c->in_data, 2, FROST_QB_COUNT, c->err, &st)) return st;
    frost_dtype a = c->in_dtype[0], b = c->in_dtype[1];
    if ((a != FROST_DTYPE_INVALID && !is_q(a)) || (b != FROST_DTYPE_INVALID && b != a))
        return frost__op_fail(n, c->err, FROST_E_DTYPE, "inputs are %s and %s", frost_dtype_name(a),
                              frost_dtype_name(b));
    int fn = n->p.quant.fn;
    if (fn != FROST__BIN_ADD && fn != FROST__BIN_SUB && fn != FROST__BIN_MUL)
        return frost__op_fail(n, c->err, FROST_E_UNSUPPORTED, "function %d", fn);
    c->out_dtype[0] = a;
    if (!frost__shape_broadcast(&c->in_shape[0], &c->in_shape[1], &c->out_shape[0])) {
        char sa[96], sb[96];
        return frost__op_fail(n, c->err, FROST_E_SHAPE, "shapes %s and %s do not broadcast",
                              frost__shape_str(&c->in_shape[0], sa, sizeof sa),
                              frost__shape_str(&c->in_shape[1], sb, sizeof sb));
    }
    return FROST_OK;
}

static frost_status qbinary_run(const frost__step *st, const frost__exec *ex) {
    const qbin_state *s = (const qbin_state *)st->state.bytes;
    const unsigned char *a = FROST_IN(st, ex, 0), *b = FROST_IN(st, ex, 1);
    unsigned char *y = FROST_OUT(st, ex, 0);
    const size_t es = frost_dtype_size(s->t);
    const int r = s->rank;
    const int64_t inner = r ? s->out[r - 1] : 1;
    int64_t outer = 1;
    for (int d = 0; d + 1 < r; d++) outer *= s->out[d];
    int64_t idx[FROST_MAX_RANK] = {0};
    for (int64_t o = 0; o < outer; o++) {
        int64_t ao = 0, bo = 0;
        for (int d = 0; d + 1 < r; d++) {
            ao += idx[d] * s->sa[d];
            bo += idx[d] * s->sb[d];
        }
        s->kernel(s->t, s->fn, s->qp, a + (size_t)ao * es, r ? s->sa[r - 1] : 0,
                              b + (size_t)bo * es, r ? s->sb[r - 1] : 0, y + (size_t)(o * inner) * es,
                              inner);
        for (int d = r - 2; d >= 0; d--) {
            if (++idx[d] < s->out[d]) break;
            idx[d] = 0;
        }
    }
    return FROST_OK;
}

/* Element strides of `in` broadcast to `out` (0 along broadcast dims), right-aligned. */
static void broadcast_strides(const frost__shape *in, const frost__shape *out, int64_t *st) {
    int64_t stride = 1;
    for (int d = out->rank - 1; d >= 0; d--) {
        const int k = d - (out->rank - in->rank);
        if (k < 0) {
            st[d] = 0;
            continue;
        }
        st[d] = in->d[k] == 1 && out->d[d] != 1 ? 0 : stride;
        stride *= in->d[k];
    }
}

static frost_status qbinary_prepare(frost__step *st, const frost__prepare_ctx *pc) {
    _Static_assert(sizeof(qbin_state) <= sizeof(st->state), "state too big");
    qbin_state *s = (qbin_state *)st->state.bytes;
    memset(s, 0, sizeof *s);
    const frost__shape *o = &pc->out_shape[0];
    s->rank = o->rank;
    s->t = pc->in_dtype[0];
    s->fn = pc->node->p.quant.fn;
    for (int d = 0; d < o->rank; d++) s->out[d] = o->d[d];
    broadcast_strides(&pc->in_shape[0], o, s->sa);
    broadcast_strides(&pc->in_shape[1], o, s->sb);
    memcpy(s->qp, pc->in_data[2], sizeof s->qp);
    const int32_t *q = s->qp;
    if (q[FROST_QB_LEFT_SHIFT] < 0 || q[FROST_QB_LEFT_SHIFT] > 24 || q[FROST_QB_A_SHIFT] < -31 ||
        q[FROST_QB_A_SHIFT] > 30 || q[FROST_QB_B_SHIFT] < -31 || q[FROST_QB_B_SHIFT] > 30 ||
        q[FROST_QB_OUT_SHIFT] < -31 || q[FROST_QB_OUT_SHIFT] > 30)
        return frost__op_fail(pc->node, pc->err, FROST_E_UNSUPPORTED,
                              "requantization shifts out of range");
    s->kernel = frost_k_q_binary__ref;
#if defined(__x86_64__)
    if (pc->cpu && pc->cpu->avx512f) s->kernel = frost_k_q_binary__avx512;
#endif
    st->run = qbinary_run;
    return FROST_OK;
}

const frost__op_def frost__op_QBINARY = {
    .name = "QBinary", .infer = qbinary_infer, .prepare = qbinary_prepare};

/* ==== QPOOL2D ================================================================================= */

static int64_t pool_len(int64_t in, int k, int s, frost__padding mode) {
    if (in < 0) return -1;
    if (mode == FROST__PAD_SAME_UPPER) return (in + s - 1) / s;
    return in >= k ? (in - k) / s + 1 : 0;
}

static frost_status qpool_infer(frost__infer_ctx *c) {
    const frost__node *n = c->node;
    if (c->n_in != 2 || c->n_out != 1)
        return frost__op_fail(n, c->err, FROST_E_FORMAT, "needs an input and qp");
    frost_status st;
    if (!qp_operand(n, c->in_dtype, c->in_shape, c->in_data, 1, 2, c->err, &st)) return st;
    const frost__window *w = &n->p.quant.w;
    if (n->p.quant.k_h < 1 || n->p.quant.k_w < 1 || w->stride_h < 1 || w->stride_w < 1 ||
        (w->padding != FROST__PAD_VALID && w->padding != FROST__PAD_SAME_UPPER))
        return frost__op_fail(n, c->err, FROST_E_FORMAT, "bad window");
    if (c->in_dtype[0] != FROST_DTYPE_INVALID && !is_q(c->in_dtype[0]))
        return frost__op_fail(n, c->err, FROST_E_DTYPE, "input is %s", frost_dtype_name(c->in_dtype[0]));
    const frost__shape *x = &c->in_shape[0];
    if (x->rank >= 0 && x->rank != 4)
        return frost__op_fail(n, c->err, FROST_E_SHAPE, "input must be NHWC");
    frost__shape o = frost__shape_unknown();
    o.rank = 4;
    for (int i = 0; i < 4; i++) o.d[i] = x->rank == 4 ? x->d[i] : -1;
    o.d[1] = pool_len(o.d[1], n->p.quant.k_h, w->stride_h, w->padding);
    o.d[2] = pool_len(o.d[2], n->p.quant.k_w, w->stride_w, w->padding);
    if (o.d[1] == 0 || o.d[2] == 0)
        return frost__op_fail(n, c->err, FROST_E_SHAPE, "input smaller than the window");
    c->out_dtype[0] = c->in_dtype[0];
    c->out_shape[0] = o;
    return FROST_OK;
}

typedef struct qpool_state {
    frost__pool_geom g;
    frost_dtype t;
    int32_t lo, hi;
} qpool_state;

static frost_status qpool_run(const frost__step *st, const frost__exec *ex) {
    const qpool_state *s = (const qpool_state *)st->state.bytes;
    frost_k_q_pool2d__ref(&s->g, s->t, s->lo, s->hi, FROST_IN(st, ex, 0), FROST_OUT(st, ex, 0), 0,
                          s->g.n * s->g.out_h);
    return FROST_OK;
}

static frost_status qpool_prepare(frost__step *st, const frost__prepare_ctx *pc) {
    qpool_state *s = (qpool_state *)st->state.bytes;
    memset(s, 0, sizeof *s);
    const frost__node *n = pc->node;
    const frost__shape *x = &pc->in_shape[0], *o = &pc->out_shape[0];
    frost__pool_geom *g = &s->g;
    g->n = x->d[0];
    g->in_h = x->d[1];
    g->in_w = x->d[2];
    g->c = x->d[3];
    g->out_h = o->d[1];
    g->out_w = o->d[2];
    g->k_h = n->p.quant.k_h;
    g->k_w = n->p.quant.k_w;
    g->stride_h = n->p.quant.w.stride_h;
    g->stride_w = n->p.quant.w.stride_w;
    g->dil_h = g->dil_w = 1;
    if (n->p.quant.w.padding == FROST__PAD_SAME_UPPER) {
        int64_t th = (g->out_h - 1) * g->stride_h + g->k_h - g->in_h;
        int64_t tw = (g->out_w - 1) * g->stride_w + g->k_w - g->in_w;
        g->pad_top = th > 0 ? (int)(th / 2) : 0;
        g->pad_left = tw > 0 ? (int)(tw / 2) : 0;
    }
    g->is_max = n->p.quant.fn == 1;
    s->t = pc->in_dtype[0];
    const int32_t *qp = pc->in_data[1];
    s->lo = qp[0];
    s->hi = qp[1];
    st->run = qpool_run;
    return FROST_OK;
}

const frost__op_def frost__op_QPOOL2D = {
    .name = "QPool2D", .infer = qpool_infer, .prepare = qpool_prepare};

/* ==== QSOFTMAX (last axis) ==================================================================== */

static frost_status qsoftmax_infer(frost__infer_ctx *c) {
    const frost__node *n = c->node;
    if (c->n_in != 2 || c->n_out != 1)
        return frost__op_fail(n, c->err, FROST_E_FORMAT, "needs an input and qp");
    frost_status st;
    if (!qp_operand(n, c->in_dtype, c->in_shape, c->in_data, 1, 4, c->err, &st)) return st;
    if (c->in_dtype[0] != FROST_DTYPE_INVALID && !is_q(c->in_dtype[0]))
        return frost__op_fail(n, c->err, FROST_E_DTYPE, "input is %s", frost_dtype_name(c->in_dtype[0]));
    if (c->in_shape[0].rank == 0)
        return frost__op_fail(n, c->err, FROST_E_SHAPE, "input is a scalar");
    return same_shape_infer(c, c->in_dtype[0]);
}

typedef struct qsoftmax_state {
    int64_t rows, d;
    frost_dtype t;
    int32_t in_zp, out_zp;
    float beta_scale, out_scale;
} qsoftmax_state;

static frost_status qsoftmax_run(const frost__step *st, const frost__exec *ex) {
    const qsoftmax_state *s = (const qsoftmax_state *)st->state.bytes;
    frost_k_q_softmax__ref(s->t, FROST_IN(st, ex, 0), FROST_OUT(st, ex, 0), s->rows, s->d, s->in_zp,
                           s->out_zp, s->beta_scale, s->out_scale);
    return FROST_OK;
}

static frost_status qsoftmax_prepare(frost__step *st, const frost__prepare_ctx *pc) {
    qsoftmax_state *s = (qsoftmax_state *)st->state.bytes;
    memset(s, 0, sizeof *s);
    const frost__shape *x = &pc->in_shape[0];
    s->d = x->d[x->rank - 1];
    s->rows = s->d ? frost__shape_numel(x) / s->d : 0;
    s->t = pc->in_dtype[0];
    const int32_t *qp = pc->in_data[1];
    s->in_zp = qp[0];
    s->out_zp = qp[1];
    s->beta_scale = f32_bits(qp[2]);
    s->out_scale = f32_bits(qp[3]);
    if (!(s->out_scale > 0) || !isfinite(s->beta_scale))
        return frost__op_fail(pc->node, pc->err, FROST_E_FORMAT, "bad scales");
    st->run = qsoftmax_run;
    return FROST_OK;
}

const frost__op_def frost__op_QSOFTMAX = {
    .name = "QSoftmax", .infer = qsoftmax_infer, .prepare = qsoftmax_prepare};

/* ==== QMEAN =================================================================================== */

typedef struct qmean_state {
    int rank;
    int64_t in[FROST_MAX_RANK];
    bool reduced[FROST_MAX_RANK];
    int64_t n_in, n_out, count;
    frost_dtype t;
    int32_t in_zp, out_zp;
    float scale;
} qmean_state;

/* The reduced axes from the constant axes operand; false when unknown or out of range. */
static bool mean_axes(const frost__shape *x, frost_dtype at, const frost__shape *as, const void *ad,
                      bool *reduced) {
    int64_t ax[FROST_MAX_RANK];
    int na = frost__read_int_operand(at, as, ad, ax, FROST_MAX_RANK);
    if (na < 0 || x->rank < 0) return false;
    for (int d = 0; d < FROST_MAX_RANK; d++) reduced[d] = false;
    for (int i = 0; i < na; i++) {
        int a;
        if (!frost__norm_axis(ax[i], x->rank, &a)) return false;
        reduced[a] = true;
    }
    return true;
}

static frost_status qmean_infer(frost__infer_ctx *c) {
    const frost__node *n = c->node;
    if (c->n_in != 3 || c->n_out != 1)
        return frost__op_fail(n, c->err, FROST_E_FORMAT, "needs an input, axes and qp");
    frost_status st;
    if (!qp_operand(n, c->in_dtype, c->in_shape, c->in_data, 2, 3, c->err, &st)) return st;
    if (c->in_dtype[0] != FROST_DTYPE_INVALID && !is_q(c->in_dtype[0]))
        return frost__op_fail(n, c->err, FROST_E_DTYPE, "input is %s", frost_dtype_name(c->in_dtype[0]));
    const frost__shape *x = &c->in_shape[0];
    bool red[FROST_MAX_RANK];
    if (!mean_axes(x, c->in_dtype[1], &c->in_shape[1], c->in_data[1], red)) {
        if (x->rank >= 0 && c->in_data[1])
            return frost__op_fail(n, c->err, FROST_E_SHAPE, "axes out of range");
        return frost__op_operand_unknown(c, "axes");
    }
    frost__shape o = frost__shape_unknown();
    o.rank = 0;
    for (int d = 0; d < x->rank; d++) {
        if (!red[d]) o.d[o.rank++] = x->d[d];
        else if (n->p.quant.fn == 1) o.d[o.rank++] = 1;
    }
    c->out_dtype[0] = c->in_dtype[0];
    c->out_shape[0] = o;
    return FROST_OK;
}

static frost_status qmean_run(const frost__step *st, const frost__exec *ex) {
    const qmean_state *s = (const qmean_state *)st->state.bytes;
    const void *x = FROST_IN(st, ex, 0);
    void *y = FROST_OUT(st, ex, 0);
    int32_t *sum = FROST_WS(st, ex);
    for (int64_t i = 0; i < s->n_out; i++) sum[i] = 0;
    int64_t idx[FROST_MAX_RANK] = {0};
    for (int64_t i = 0; i < s->n_in; i++) {
        int64_t o = 0;
        for (int d = 0; d < s->rank; d++)
            if (!s->reduced[d]) o = o * s->in[d] + idx[d];
        sum[o] = (int32_t)((uint32_t)sum[o] + (uint32_t)frost__q_load(s->t, x, i));
        for (int d = s->rank - 1; d >= 0; d--) {
            if (++idx[d] < s->in[d]) break;
            idx[d] = 0;
        }
    }
    /* TFLite's QuantizedMeanOrSum: the mean in float, rescaled, rounded, offset, clamped. */
    const float bias = -(float)s->in_zp * s->scale;
    for (int64_t i = 0; i < s->n_out; i++) {
        const float mean = (float)sum[i] / (float)s->count;
        float r = roundf(mean * s->scale + bias) + (float)s->out_zp;
        r = r > 1e9f ? 1e9f : r < -1e9f ? -1e9f : r;
        frost__q_store(s->t, y, i, frost__q_f2i(r));
    }
    return FROST_OK;
}

static frost_status qmean_prepare(frost__step *st, const frost__prepare_ctx *pc) {
    _Static_assert(sizeof(qmean_state) <= sizeof(st->state), "state too big");
    qmean_state *s = (qmean_state *)st->state.bytes;
    memset(s, 0, sizeof *s);
    const frost__shape *x = &pc->in_shape[0];
    if (!mean_axes(x, pc->in_dtype[1], &pc->in_shape[1], pc->in_data[1], s->reduced))
        return frost__op_fail(pc->node, pc->err, FROST_E_SHAPE, "axes unknown");
    s->rank = x->rank;
    s->count = 1;
    for (int d = 0; d < x->rank; d++) {
        s->in[d] = x->d[d];
        if (s->reduced[d]) s->count *= x->d[d];
    }
    s->n_in = frost__shape_numel(x);
    s->n_out = frost__shape_numel(&pc->out_shape[0]);
    if (s->count < 1) s->count = 1;
    s->t = pc->in_dtype[0];
    const int32_t *qp = pc->in_data[2];
    s->in_zp = qp[0];
    s->out_zp = qp[1];
    s->scale = f32_bits(qp[2]);
    st->ws_bytes = (size_t)(s->n_out > 0 ? s->n_out : 1) * sizeof(int32_t);
    st->run = qmean_run;
    return FROST_OK;
}

const frost__op_def frost__op_QMEAN = {.name = "QMean", .infer = qmean_infer, .prepare = qmean_prepare};
