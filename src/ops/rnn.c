/* rnn.c — RECURRENT: ONNX's RNN, GRU and LSTM (default activations) stepped over a sequence whose
 * length is known only when the session plans (Silero VAD's decoder: its frames follow the audio
 * length). Importers unroll a layer whose length is known at load into plain ops instead; this op
 * is for the rest, and computes exactly ONNX's definition (gates i, o, f, c for LSTM with optional
 * peepholes; z, r, h for GRU in both linear_before_reset forms; forward, reverse or both).
 *
 * Inputs (layout 0, f32): x [T, B, I], w [D, G*H, I], r [D, G*H, H], optional b [D, 2*G*H],
 * h0 [D, B, H], c0 [D, B, H], peep [D, 3H] (-1 when absent). Outputs: y [T, D, B, H],
 * y_h [D, B, H], and for LSTM y_c [D, B, H]. Never allocates: the state lives in the workspace.
 *
 * Constant W and R are packed at load for the CPU's GEMM (pack below): the input products of every
 * step are then one GEMM over all T*B rows before the recurrence, and each step's recurrent product
 * one GEMM over the B rows of h (a scalar dot per gate row ran Silero's 128-wide LSTM step at a
 * fraction of the FMA rate). Without packed weights the same products go through the portable GEMM. */
#include "ops/op.h"

#include <math.h>

#include "kernels/gemm.h"

enum { X, W, R, BIAS, H0, C0, PEEP };

static int gates_of(int kind) { return kind == 2 ? 4 : kind == 1 ? 3 : 1; }

static frost_status rec_infer(frost__infer_ctx *c) {
    const frost__node *n = c->node;
    const int kind = n->p.recurrent.kind, D = n->p.recurrent.n_dirs, G = gates_of(kind);
    const int64_t H = n->p.recurrent.hidden;
    if (c->n_in != 7 || c->n_out != (kind == 2 ? 3 : 2) || D < 1 || D > 2 || H < 1)
        return frost__op_fail(n, c->err, FROST_E_FORMAT, "malformed recurrent node");
    for (int i = 0; i < c->n_in; i++)
        if (c->in_dtype[i] != FROST_DTYPE_INVALID && c->in_dtype[i] != FROST_DTYPE_F32)
            return frost__op_fail(n, c->err, FROST_E_DTYPE, "input %d is %s; only f32 is supported",
                                  i, frost_dtype_name(c->in_dtype[i]));
    const frost__shape *x = &c->in_shape[X];
    int64_t T = -1, B = -1, I = -1;
    if (x->rank >= 0) {
        if (x->rank != 3)
            return frost__op_fail(n, c->err, FROST_E_SHAPE, "input x must be [seq, batch, input]");
        T = x->d[0];
        B = x->d[1];
        I = x->d[2];
    }
    if (c->planning) {
        /* Every operand must be the size ONNX's definition gives it. */
        const frost__shape *w = &c->in_shape[W], *r = &c->in_shape[R];
        bool ok = w->rank == 3 && w->d[0] == D && w->d[1] == G * H && w->d[2] == I &&
                  r->rank == 3 && r->d[0] == D && r->d[1] == G * H && r->d[2] == H;
        if (frost__has_input(n, BIAS)) {
            const frost__shape *b = &c->in_shape[BIAS];
            ok = ok && b->rank == 2 && b->d[0] == D && b->d[1] == 2 * G * H;
        }
        for (int s = H0; s <= C0; s++)
            if (frost__has_input(n, s)) {
                const frost__shape *h = &c->in_shape[s];
                ok = ok && h->rank == 3 && h->d[0] == D && h->d[1] == B && h->d[2] == H;
            }
        if (frost__has_input(n, PEEP)) {
            const frost__shape *p = &c->in_shape[PEEP];
            ok = ok && p->rank == 2 && p->d[0] == D && p->d[1] == 3 * H;
        }
        if (!ok)
            return frost__op_fail(n, c->err, FROST_E_SHAPE,
                                  "weights, bias or initial states do not fit x [%lld, %lld, %lld] "
                                  "with %d direction(s) of hidden size %lld", (long long)T,
                                  (long long)B, (long long)I, D, (long long)H);
    }
    int64_t y[4] = {T, D, B, H}, s3[3] = {D, B, H};
    c->out_dtype[0] = FROST_DTYPE_F32;
    c->out_shape[0] = x->rank >= 0 ? frost__shape_make(4, y) : frost__shape_unknown();
    for (int k = 1; k < c->n_out; k++) {
        c->out_dtype[k] = FROST_DTYPE_F32;
        c->out_shape[k] = x->rank >= 0 ? frost__shape_make(3, s3) : frost__shape_unknown();
        if (x->rank < 0) {
            c->out_shape[k].rank = 3;
            c->out_shape[k].d[0] = D;
            c->out_shape[k].d[1] = -1;
            c->out_shape[k].d[2] = H;
        }
    }
    return FROST_OK;
}

static float sigm(float v) { return 1.0f / (1.0f + expf(-v)); }

/* Where direction d's packed blocks sit in n->packed: W^T (I x G*H), R^T (H x G*H), and for a GRU
 * whose candidate multiplies r*h by R's last block, that block alone (H x H). 64-byte aligned. */
typedef struct packed_layout {
    size_t w_off[2], r_off[2], rc_off[2], total;
} packed_layout;

static size_t round64(size_t b) { return (b + 63) & ~(size_t)63; }

static bool split_candidate(const frost__node *n) {
    return n->p.recurrent.kind == 1 && !n->p.recurrent.linear_before_reset;
}

static packed_layout layout_of(const frost__gemm_kernel *k, const frost__node *n, int I) {
    const int H = (int)n->p.recurrent.hidden, GH = gates_of(n->p.recurrent.kind) * H;
    packed_layout L = {{0}, {0}, {0}, 0};
    for (int d = 0; d < n->p.recurrent.n_dirs; d++) {
        L.w_off[d] = L.total;
        L.total += round64(k->packed_bytes(I, GH));
        L.r_off[d] = L.total;
        L.total += round64(k->packed_bytes(H, GH));
        L.rc_off[d] = L.total;
        if (split_candidate(n)) L.total += round64(k->packed_bytes(H, H));
    }
    return L;
}

/* out[M, N] (row stride ldo) = a[M, K] · m^T + bias, m being rows [N, K] (row stride ldm) of a
 * weight tensor: through the packed block when there is one, else the portable GEMM. */
static void product(const frost__gemm_kernel *k, const void *packed, const float *m, int ldm,
                    const float *a, int M, int N, int K, const float *bias, float *out, int ldo) {
    static const frost__act_params none = {0};
    if (k && packed) {
        k->run(M, N, K, a, K, packed, bias, out, ldo, &none, 0, N);
        return;
    }
    frost_k_f32_gemm__ref(M, N, K, a, K, false, m, ldm, true, out, ldo, false);
    if (bias)
        for (int i = 0; i < M; i++)
            for (int j = 0; j < N; j++) out[(int64_t)i * ldo + j] += bias[j];
}

static frost_status rec_run(const frost__step *st, const frost__exec *ex) {
    const frost__node *n = st->node;
    const int kind = n->p.recurrent.kind, D = n->p.recurrent.n_dirs, G = gates_of(kind);
    const int64_t H = n->p.recurrent.hidden;
    const frost__shape *xs = FROST_IN_SHAPE(st, ex, X);
    const int64_t T = xs->d[0], B = xs->d[1], I = xs->d[2], GH = G * H;
    const float *x = FROST_IN(st, ex, X);
    float *y = FROST_OUT(st, ex, 0), *yh = FROST_OUT(st, ex, 1);
    float *yc = kind == 2 ? FROST_OUT(st, ex, 2) : NULL;
    const frost__gemm_kernel *k = n->packed ? n->kernel : NULL;
    const packed_layout L = layout_of(k ? k : &frost__gemm_ref, n, (int)I);
    const unsigned char *pk = n->packed;
    float *ws = FROST_WS(st, ex);
    /* gx: every step's input products [T*B, GH]; gh: a step's recurrent ones [B, GH]. */
    float *gx_all = ws, *gh = gx_all + T * B * GH, *rh = gh + B * GH, *hpart = rh + B * H;
    float *h = hpart + B * H, *cs = h + B * H;
    for (int d = 0; d < D; d++) {
        const float *w = (const float *)FROST_IN(st, ex, W) + (int64_t)d * GH * I;
        const float *r = (const float *)FROST_IN(st, ex, R) + (int64_t)d * GH * H;
        const float *wb = frost__has_input(n, BIAS)
                              ? (const float *)FROST_IN(st, ex, BIAS) + (int64_t)d * 2 * GH
                              : NULL;
        const float *rb = wb ? wb + GH : NULL;
        const float *peep = frost__has_input(n, PEEP)
                                ? (const float *)FROST_IN(st, ex, PEEP) + (int64_t)d * 3 * H
                                : NULL;
        for (int64_t i = 0; i < B * H; i++) {
            h[i] = frost__has_input(n, H0) ? ((const float *)FROST_IN(st, ex, H0))[d * B * H + i] : 0;
            cs[i] = frost__has_input(n, C0) ? ((const float *)FROST_IN(st, ex, C0))[d * B * H + i] : 0;
        }
        product(k, pk ? pk + L.w_off[d] : NULL, w, (int)I, x, (int)(T * B), (int)GH, (int)I, wb,
                gx_all, (int)GH);
        bool reverse = n->p.recurrent.reverse || d == 1;
        for (int64_t s = 0; s < T; s++) {
            int64_t t = reverse ? T - 1 - s : s;
            /* For a GRU without linear_before_reset the candidate's columns of gh go unused: its
             * R product waits for r (below). */
            product(k, pk ? pk + L.r_off[d] : NULL, r, (int)H, h, (int)B, (int)GH, (int)H, rb, gh,
                    (int)GH);
            for (int64_t b = 0; b < B; b++) {
                float *hb = h + b * H, *cb = cs + b * H, *gxb = gx_all + (t * B + b) * GH;
                float *ghb = gh + b * GH;
                if (kind == 0) {
                    for (int64_t j = 0; j < H; j++) hb[j] = tanhf(gxb[j] + ghb[j]);
                } else if (kind == 2) {
                    for (int64_t j = 0; j < H; j++) {
                        float pi = peep ? peep[j] * cb[j] : 0, pf = peep ? peep[2 * H + j] * cb[j] : 0;
                        float ig = sigm(gxb[j] + ghb[j] + pi);
                        float fg = sigm(gxb[2 * H + j] + ghb[2 * H + j] + pf);
                        float cand = tanhf(gxb[3 * H + j] + ghb[3 * H + j]);
                        cb[j] = fg * cb[j] + ig * cand;
                        float po = peep ? peep[H + j] * cb[j] : 0;
                        float og = sigm(gxb[H + j] + ghb[H + j] + po);
                        hb[j] = og * tanhf(cb[j]);
                    }
                } else {
                    float *z = gxb, *rg = gxb + H; /* reuse: the x parts become the gates */
                    for (int64_t j = 0; j < H; j++) {
                        z[j] = sigm(gxb[j] + ghb[j]);
                        rg[j] = sigm(gxb[H + j] + ghb[H + j]);
                    }
                    float *hp = ghb + 2 * H;
                    if (n->p.recurrent.linear_before_reset) {
                        for (int64_t j = 0; j < H; j++) hp[j] *= rg[j];
                    } else {
                        float *rhb = rh + b * H;
                        for (int64_t j = 0; j < H; j++) rhb[j] = rg[j] * hb[j];
                        hp = hpart + b * H;
                        product(k, pk ? pk + L.rc_off[d] : NULL, r + 2 * H * H, (int)H, rhb, 1,
                                (int)H, (int)H, rb ? rb + 2 * H : NULL, hp, (int)H);
                    }
                    for (int64_t j = 0; j < H; j++) {
                        float cand = tanhf(gxb[2 * H + j] + hp[j]);
                        hb[j] = (1 - z[j]) * cand + z[j] * hb[j];
                    }
                }
                memcpy(y + ((t * D + d) * B + b) * H, hb, (size_t)H * sizeof(float));
            }
        }
        memcpy(yh + (int64_t)d * B * H, h, (size_t)(B * H) * sizeof(float));
        if (yc) memcpy(yc + (int64_t)d * B * H, cs, (size_t)(B * H) * sizeof(float));
    }
    return FROST_OK;
}

static frost_status rec_prepare(frost__step *st, const frost__prepare_ctx *pc) {
    const frost__node *n = pc->node;
    const int64_t H = n->p.recurrent.hidden, G = gates_of(n->p.recurrent.kind);
    const int64_t T = pc->in_shape[X].d[0], B = pc->in_shape[X].d[1], I = pc->in_shape[X].d[2];
    int64_t bh, tb, floats;
    if (!frost__mul_ok(B, H, &bh) || bh > ((int64_t)1 << 36) || H > ((int64_t)1 << 30) ||
        !frost__mul_ok(T, B, &tb) || !frost__mul_ok(tb, G * H, &floats) ||
        floats > ((int64_t)1 << 36) || I > INT32_MAX || tb > INT32_MAX || G * H > INT32_MAX)
        return frost__op_fail(n, pc->err, FROST_E_LIMIT,
                              "recurrent layer of %lld steps x %lld x %lld is too large",
                              (long long)T, (long long)B, (long long)H);
    st->ws_bytes = (size_t)(floats + bh * G + 4 * bh) * sizeof(float);
    if (n->packed && n->kernel) {
        frost__step_label(st, "gemm %s %lldx%lld>%lld", ((const frost__gemm_kernel *)n->kernel)->name,
                          (long long)B, (long long)(I + H), (long long)(G * H));
        frost__cache_warm(n->packed, n->packed_bytes);
    }
    st->run = rec_run;
    return FROST_OK;
}

/* W [D, G*H, I] and R [D, G*H, H] constant: each direction's blocks packed for the CPU's GEMM. */
static frost_status rec_pack(frost__graph *g, frost__node *n, const frost__cpu *cpu,
                             frost_error *err) {
    if (n->n_in <= R || n->in[W] < 0 || n->in[R] < 0) return FROST_OK;
    const frost__value *w = &g->values[n->in[W]], *r = &g->values[n->in[R]];
    const int64_t H = n->p.recurrent.hidden, GH = gates_of(n->p.recurrent.kind) * H;
    const int D = n->p.recurrent.n_dirs;
    if (w->kind != FROST__VAL_CONST || r->kind != FROST__VAL_CONST || !w->data || !r->data ||
        w->dtype != FROST_DTYPE_F32 || r->dtype != FROST_DTYPE_F32 || w->shape.rank != 3 ||
        r->shape.rank != 3 || w->shape.d[0] != D || w->shape.d[1] != GH || r->shape.d[0] != D ||
        r->shape.d[1] != GH || r->shape.d[2] != H || w->shape.d[2] < 1 ||
        w->shape.d[2] > INT32_MAX || GH > INT32_MAX)
        return FROST_OK; /* infer reports what does not fit when the session plans */
    const int I = (int)w->shape.d[2];
    const frost__gemm_kernel *k =
        frost__gemm_pick_for_weights(cpu, g->weights_precision, g->cblas_route, I + H, GH);
    if (!k) return FROST_OK;
    const packed_layout L = layout_of(k, n, I);
    unsigned char *packed = frost__alloc(&g->alloc, L.total);
    if (!packed)
        return frost__op_fail(n, err, FROST_E_NOMEM, "out of memory packing %zu bytes of weights",
                              L.total);
    for (int d = 0; d < D; d++) {
        const float *wd = (const float *)w->data + (int64_t)d * GH * I;
        const float *rd = (const float *)r->data + (int64_t)d * GH * H;
        k->pack(I, (int)GH, wd, I, true, packed + L.w_off[d]);
        k->pack((int)H, (int)GH, rd, (int)H, true, packed + L.r_off[d]);
        if (split_candidate(n))
            k->pack((int)H, (int)H, rd + 2 * H * H, (int)H, true, packed + L.rc_off[d]);
    }
    frost__free(&g->alloc, n->packed);
    n->packed = packed;
    n->packed_bytes = L.total;
    n->kernel = k;
    return FROST_OK;
}

const frost__op_def frost__op_RECURRENT = {"Recurrent", 0, rec_infer, rec_prepare, rec_pack};
