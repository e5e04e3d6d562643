/* rnn.c — RECURRENT: ONNX's RNN, GRU and LSTM (default activations) stepped over a sequence whose
 * length is known only when the session plans (Silero VAD's decoder: its frames follow the audio
 * length). Importers unroll a layer whose length is known at load into plain ops instead; this op
 * is for the rest, and computes exactly ONNX's definition (gates i, o, f, c for LSTM with optional
 * peepholes; z, r, h for GRU in both linear_before_reset forms; forward, reverse or both).
 *
 * Inputs (layout 0, f32): x [T, B, I], w [D, G*H, I], r [D, G*H, H], optional b [D, 2*G*H],
 * h0 [D, B, H], c0 [D, B, H], peep [D, 3H] (-1 when absent). Outputs: y [T, D, B, H],
 * y_h [D, B, H], and for LSTM y_c [D, B, H]. Never allocates: the state lives in the workspace. */
#include "ops/op.h"

#include <math.h>

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

/* out[j] = bias[j] + sum_k m[j][k] * v[k] for j < rows. */
static void matvec(const float *m, const float *v, const float *bias, int64_t rows, int64_t cols,
                   float *out) {
    for (int64_t j = 0; j < rows; j++) {
        const float *row = m + j * cols;
        float acc = bias ? bias[j] : 0.0f;
        for (int64_t k = 0; k < cols; k++) acc += row[k] * v[k];
        out[j] = acc;
    }
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
    float *ws = FROST_WS(st, ex);
    float *gx = ws, *gh = gx + GH, *rh = gh + GH, *h = rh + H, *cs = h + B * H;
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
        bool reverse = n->p.recurrent.reverse || d == 1;
        for (int64_t s = 0; s < T; s++) {
            int64_t t = reverse ? T - 1 - s : s;
            for (int64_t b = 0; b < B; b++) {
                float *hb = h + b * H, *cb = cs + b * H;
                matvec(w, x + (t * B + b) * I, wb, GH, I, gx);
                if (kind == 1 && !n->p.recurrent.linear_before_reset) {
                    /* z and r from h; the candidate's R product waits for r (below). */
                    matvec(r, hb, rb, 2 * H, H, gh);
                } else {
                    matvec(r, hb, rb, GH, H, gh);
                }
                if (kind == 0) {
                    for (int64_t j = 0; j < H; j++) hb[j] = tanhf(gx[j] + gh[j]);
                } else if (kind == 2) {
                    for (int64_t j = 0; j < H; j++) {
                        float pi = peep ? peep[j] * cb[j] : 0, pf = peep ? peep[2 * H + j] * cb[j] : 0;
                        float ig = sigm(gx[j] + gh[j] + pi);
                        float fg = sigm(gx[2 * H + j] + gh[2 * H + j] + pf);
                        float cand = tanhf(gx[3 * H + j] + gh[3 * H + j]);
                        cb[j] = fg * cb[j] + ig * cand;
                        float po = peep ? peep[H + j] * cb[j] : 0;
                        float og = sigm(gx[H + j] + gh[H + j] + po);
                        hb[j] = og * tanhf(cb[j]);
                    }
                } else {
                    float *z = gx, *rg = gx + H; /* reuse: the x parts become the gates */
                    for (int64_t j = 0; j < H; j++) {
                        z[j] = sigm(gx[j] + gh[j]);
                        rg[j] = sigm(gx[H + j] + gh[H + j]);
                    }
                    float *hpart = gh + 2 * H;
                    if (n->p.recurrent.linear_before_reset) {
                        for (int64_t j = 0; j < H; j++) hpart[j] *= rg[j];
                    } else {
                        for (int64_t j = 0; j < H; j++) rh[j] = rg[j] * hb[j];
                        matvec(r + 2 * H * H, rh, rb ? rb + 2 * H : NULL, H, H, hpart);
                    }
                    for (int64_t j = 0; j < H; j++) {
                        float cand = tanhf(gx[2 * H + j] + hpart[j]);
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
    const int64_t B = pc->in_shape[X].d[1];
    int64_t bh;
    if (!frost__mul_ok(B, H, &bh) || bh > ((int64_t)1 << 36) || H > ((int64_t)1 << 30))
        return frost__op_fail(n, pc->err, FROST_E_LIMIT, "recurrent state of %lld x %lld is too large",
                              (long long)B, (long long)H);
    st->ws_bytes = (size_t)(2 * G * H + H + 2 * bh) * sizeof(float);
    st->run = rec_run;
    return FROST_OK;
}

const frost__op_def frost__op_RECURRENT = {"Recurrent", 0, rec_infer, rec_prepare, NULL};
