/* onnx_ops_rnn.c — ONNX's recurrent layers RNN, GRU (both linear_before_reset forms) and LSTM
 * (peepholes, initial states; forward, reverse or bidirectional; layout 0 or 1), unrolled over the
 * sequence length known at load into frost's canonical ops: one batched matmul for the input
 * projection of every step, then per step a matmul with R, the gates and the state update.
 *
 * A sequence length known only when the session plans (it follows the input's length) goes to
 * frost's RECURRENT op instead (ops/rnn.c), which steps through the sequence at run time.
 *
 * It must never run something other than ONNX's definition: custom activations, clip,
 * input_forget, partial sequence_lens and batch-major layers of unknown length become UNSUPPORTED
 * nodes naming the reason. The unrolled length is bounded (RNN_MAX_STEPS). */
#include "import/onnx/onnx_ops.h"

#include <stdio.h>

enum { RNN_MAX_STEPS = 1024 };

/* x[index] along `axis` (a scalar index, so the axis goes away). */
static int take_at(onnx_ctx *c, onnx_node *n, const char *suffix, int x, int64_t index,
                   int64_t axis) {
    int ki = frost__onnx_const_i64(c, n, "index", &index, 1, true);
    int ka = frost__onnx_const_i64(c, n, "axis", &axis, 1, true);
    if (ki < 0 || ka < 0) return -1;
    int in[3] = {x, ki, ka};
    return frost__onnx_step(c, n, suffix, FROST__OP_GATHER, 3, in, NULL);
}
static int take0(onnx_ctx *c, onnx_node *n, const char *suffix, int x, int64_t index) {
    return take_at(c, n, suffix, x, index, 0);
}

/* Records what the importer knows about a value its ops' inference could not derive. */
static void note_shape(onnx_ctx *c, int v, frost_dtype dt, int rank, const int64_t *dims) {
    frost__value *x = frost__onnx_val(c, v);
    if (x->dtype == FROST_DTYPE_INVALID) x->dtype = dt;
    if (x->shape.rank < 0) x->shape = frost__shape_make(rank, dims);
}

static int matmul_bt(onnx_ctx *c, onnx_node *n, const char *suffix, int a, int b) {
    frost__params p;
    memset(&p, 0, sizeof p);
    p.matmul.transpose_b = true;
    int in[2] = {a, b};
    return frost__onnx_step(c, n, suffix, FROST__OP_MATMUL, 2, in, &p);
}

/* Splits x into `parts` equal pieces along the last axis; outs receives the value ids. */
static frost_status split_last(onnx_ctx *c, onnx_node *n, const char *suffix, int x, int parts,
                               int *outs) {
    int64_t minus1 = -1;
    int ka = frost__onnx_const_i64(c, n, "split_axis", &minus1, 1, true);
    TRYV(ka);
    int in[2] = {x, ka};
    int node = frost__onnx_emit(c, n, suffix, FROST__OP_SPLIT, 2, in, parts, NULL);
    if (node < 0) return frost__onnx_failed(c);
    for (int k = 0; k < parts; k++) outs[k] = c->g->nodes[node].out[k];
    return FROST_OK;
}

static int act(onnx_ctx *c, onnx_node *n, const char *suffix, int x, int fn) {
    return frost__onnx_unary(c, n, suffix, x, fn, 0, 0);
}
static int add_opt(onnx_ctx *c, onnx_node *n, const char *suffix, int a, int b) {
    if (a < 0) return b;
    if (b < 0) return a;
    return frost__onnx_binary(c, n, suffix, FROST__BIN_ADD, a, b);
}

/* What every step of one direction uses: R and the gate pieces cut from it and its bias. */
typedef struct rnn_weights {
    int r;             /* R of the direction [gates * hidden, hidden]                            */
    int r_parts[3];    /* GRU without linear_before_reset: R split by gate (z, r, h), else -1    */
    int rb_parts[3];   /* GRU: R's bias split by gate (it stays apart from W's), else -1         */
    int peep[3];       /* LSTM peepholes i, o, f, else -1                                       */
    bool lbr;          /* GRU linear_before_reset                                               */
    frost_dtype dt;
} rnn_weights;

/* RNN step: h = tanh(x W^T + h R^T + biases), where xt holds the input part with both biases. */
static frost_status rnn_cell(onnx_ctx *c, onnx_node *n, int xt, int hr, int *h) {
    int pre = add_opt(c, n, "pre", xt, hr);
    TRYV(pre);
    *h = act(c, n, "h", pre, FROST__ACT_TANH);
    TRYV(*h);
    return FROST_OK;
}

/* LSTM step (gates i, o, f, c; peepholes on i, f from the old cell state and on o from the new). */
static frost_status lstm_cell(onnx_ctx *c, onnx_node *n, const rnn_weights *wt, int xt, int hr,
                              int *h, int *cs) {
    const int *pp = wt->peep;
    int g[4] = {-1, -1, -1, -1};
    int pre = add_opt(c, n, "gates", xt, hr);
    TRYV(pre);
    FROST_TRY(split_last(c, n, "gate", pre, 4, g)); /* i, o, f, c */
    if (*cs >= 0 && pp[0] >= 0) {
        int pi = frost__onnx_binary(c, n, "peep_i", FROST__BIN_MUL, *cs, pp[0]);
        TRYV(pi);
        g[0] = frost__onnx_binary(c, n, "i_pre", FROST__BIN_ADD, g[0], pi);
        TRYV(g[0]);
        int pf = frost__onnx_binary(c, n, "peep_f", FROST__BIN_MUL, *cs, pp[2]);
        TRYV(pf);
        g[2] = frost__onnx_binary(c, n, "f_pre", FROST__BIN_ADD, g[2], pf);
        TRYV(g[2]);
    }
    int ig = act(c, n, "i", g[0], FROST__ACT_SIGMOID);
    int cand = act(c, n, "cand", g[3], FROST__ACT_TANH);
    TRYV(ig);
    TRYV(cand);
    int cnew = frost__onnx_binary(c, n, "c_in", FROST__BIN_MUL, ig, cand);
    TRYV(cnew);
    if (*cs >= 0) {
        int fg = act(c, n, "f", g[2], FROST__ACT_SIGMOID);
        TRYV(fg);
        int keep = frost__onnx_binary(c, n, "c_keep", FROST__BIN_MUL, fg, *cs);
        TRYV(keep);
        cnew = frost__onnx_binary(c, n, "c", FROST__BIN_ADD, keep, cnew);
        TRYV(cnew);
    }
    *cs = cnew;
    int opre = g[1];
    if (pp[1] >= 0) {
        int po = frost__onnx_binary(c, n, "peep_o", FROST__BIN_MUL, *cs, pp[1]);
        TRYV(po);
        opre = frost__onnx_binary(c, n, "o_pre", FROST__BIN_ADD, opre, po);
        TRYV(opre);
    }
    int og = act(c, n, "o", opre, FROST__ACT_SIGMOID);
    int ct = act(c, n, "c_tanh", *cs, FROST__ACT_TANH);
    TRYV(og);
    TRYV(ct);
    *h = frost__onnx_binary(c, n, "h", FROST__BIN_MUL, og, ct);
    TRYV(*h);
    return FROST_OK;
}

/* GRU step (gates z, r, h), in both linear_before_reset forms. */
static frost_status gru_cell(onnx_ctx *c, onnx_node *n, const rnn_weights *wt, int xt, int hr,
                             int *h) {
    const int *rbp = wt->rb_parts;
    int xg[3] = {-1, -1, -1}, hg[3] = {-1, -1, -1};
    FROST_TRY(split_last(c, n, "x_gate", xt, 3, xg)); /* z, r, h */
    if (hr >= 0) FROST_TRY(split_last(c, n, "h_gate", hr, 3, hg));
    int zp = add_opt(c, n, "z_pre", add_opt(c, n, "z_x", xg[0], hg[0]), rbp[0]);
    TRYV(zp);
    int rp = add_opt(c, n, "r_pre", add_opt(c, n, "r_x", xg[1], hg[1]), rbp[1]);
    TRYV(rp);
    int z = act(c, n, "z", zp, FROST__ACT_SIGMOID);
    int rg = act(c, n, "r", rp, FROST__ACT_SIGMOID);
    TRYV(z);
    TRYV(rg);
    int hpart;
    if (wt->lbr) {
        int inner = add_opt(c, n, "h_lin", hg[2], rbp[2]);
        hpart = inner >= 0 ? frost__onnx_binary(c, n, "h_reset", FROST__BIN_MUL, rg, inner) : -1;
    } else {
        int rh = *h >= 0 ? frost__onnx_binary(c, n, "reset_h", FROST__BIN_MUL, rg, *h) : -1;
        int prod = rh >= 0 ? matmul_bt(c, n, "reset_proj", rh, wt->r_parts[2]) : -1;
        hpart = add_opt(c, n, "h_lin", prod, rbp[2]);
    }
    int cpre = add_opt(c, n, "cand_pre", xg[2], hpart);
    TRYV(cpre);
    int cand = act(c, n, "cand", cpre, FROST__ACT_TANH);
    TRYV(cand);
    int one = frost__onnx_const_scalar_of(c, n, "one", wt->dt, 1);
    TRYV(one);
    int omz = frost__onnx_binary(c, n, "one_minus_z", FROST__BIN_SUB, one, z);
    TRYV(omz);
    int hn = frost__onnx_binary(c, n, "h_new", FROST__BIN_MUL, omz, cand);
    TRYV(hn);
    if (*h >= 0) {
        int zh = frost__onnx_binary(c, n, "h_keep", FROST__BIN_MUL, z, *h);
        TRYV(zh);
        hn = frost__onnx_binary(c, n, "h", FROST__BIN_ADD, hn, zh);
        TRYV(hn);
    }
    *h = hn;
    return FROST_OK;
}

/* RNN, GRU and LSTM (default activations), unrolled over the sequence length known at load: per
 * step a matmul with R, the gates, the state update. The input projection of every step is one
 * batched matmul up front. */
typedef struct rnn_direction_out {
    int h, cs;                 /* final states                                               */
    int ys[RNN_MAX_STEPS];     /* h of every step, in time order                             */
} rnn_direction_out;

/* One direction d of a recurrent layer over x [seq, batch, in]. */
static frost_status rnn_direction(onnx_ctx *c, onnx_node *n, int kind, int x, int w, int r, int b,
                                  int h0, int c0, int peep, int64_t d, bool reverse, int64_t layout,
                                  int64_t T, bool lbr, rnn_direction_out *o) {
    rnn_weights wt = {.r_parts = {-1, -1, -1}, .rb_parts = {-1, -1, -1}, .peep = {-1, -1, -1},
                      .lbr = lbr};
    int w0 = take0(c, n, "w", w, d);
    wt.r = take0(c, n, "r", r, d);
    TRYV(w0);
    TRYV(wt.r);
    int wb = -1, rb = -1;
    if (b >= 0) {
        int b0 = take0(c, n, "b", b, d);
        TRYV(b0);
        int halves[2] = {-1, -1};
        FROST_TRY(split_last(c, n, "b_split", b0, 2, halves));
        wb = halves[0];
        rb = halves[1];
    }
    /* GRU keeps R's bias of the candidate gate apart (it sits inside the reset product). */
    int in_bias = wb;
    if (kind == 1) {
        if (rb >= 0) FROST_TRY(split_last(c, n, "rb_split", rb, 3, wt.rb_parts));
        if (!lbr) {
            int64_t zero = 0;
            int ka = frost__onnx_const_i64(c, n, "r_axis", &zero, 1, true);
            TRYV(ka);
            int in[2] = {wt.r, ka};
            int node = frost__onnx_emit(c, n, "r_split", FROST__OP_SPLIT, 2, in, 3, NULL);
            if (node < 0) return frost__onnx_failed(c);
            for (int k = 0; k < 3; k++) wt.r_parts[k] = c->g->nodes[node].out[k];
        }
    } else if (rb >= 0) {
        in_bias = frost__onnx_binary(c, n, "bias", FROST__BIN_ADD, wb, rb);
        TRYV(in_bias);
    }
    int xw = matmul_bt(c, n, "x_proj", x, w0);
    TRYV(xw);
    if (in_bias >= 0) {
        xw = frost__onnx_binary(c, n, "x_proj_bias", FROST__BIN_ADD, xw, in_bias);
        TRYV(xw);
    }
    int h = h0 >= 0 ? take_at(c, n, "h0", h0, d, layout) : -1;
    int cs = c0 >= 0 ? take_at(c, n, "c0", c0, d, layout) : -1;
    if (peep >= 0) {
        int p0 = take0(c, n, "p", peep, d);
        TRYV(p0);
        FROST_TRY(split_last(c, n, "p_split", p0, 3, wt.peep)); /* i, o, f */
    }
    wt.dt = frost__onnx_float_of(c, x);
    for (int64_t s = 0; s < T; s++) {
        int64_t t = reverse ? T - 1 - s : s;
        char sx[48];
        snprintf(sx, sizeof sx, "step%lld", (long long)t);
        int xt = take0(c, n, sx, xw, t);
        TRYV(xt);
        int hr = -1;
        if (h >= 0) {
            hr = matmul_bt(c, n, "h_proj", h, wt.r);
            TRYV(hr);
        }
        if (kind == 0) FROST_TRY(rnn_cell(c, n, xt, hr, &h));
        else if (kind == 2) FROST_TRY(lstm_cell(c, n, &wt, xt, hr, &h, &cs));
        else FROST_TRY(gru_cell(c, n, &wt, xt, hr, &h));
        o->ys[t] = h;
    }
    o->h = h;
    o->cs = cs;
    return FROST_OK;
}

/* Y, Y_h, Y_c of a recurrent layer from its directions' steps. */
static frost_status rnn_outputs(onnx_ctx *c, onnx_node *n, int kind, const rnn_direction_out *outs,
                                int n_dirs, int64_t layout, int64_t T, const frost__shape *xs,
                                int r, frost_dtype dt) {
    /* Y [seq, dirs, batch, hidden] (layout 1: [batch, seq, dirs, hidden]); Y_h, Y_c
     * [dirs, batch, hidden] (layout 1: [batch, dirs, hidden]). Their shapes are set here when
     * inference could not see through run-time initial states, so a following layer knows its
     * sequence length at load. */
    int64_t B = xs->d[1 - layout], H = frost__onnx_attr_i(n, "hidden_size", -1);
    if (H < 0 && frost__onnx_val(c, r)->shape.rank == 3) H = frost__onnx_val(c, r)->shape.d[2];
    int64_t ydims[4], sdims[3], D = n_dirs;
    if (layout == 0) {
        int64_t a[4] = {T, D, B, H}, b3[3] = {D, B, H};
        memcpy(ydims, a, sizeof a);
        memcpy(sdims, b3, sizeof b3);
    } else {
        int64_t a[4] = {B, T, D, H}, b3[3] = {B, D, H};
        memcpy(ydims, a, sizeof a);
        memcpy(sdims, b3, sizeof b3);
    }
    int64_t state_dir_axis = layout, y_dir_axis = layout + 1;
    int k0 = frost__onnx_const_i64(c, n, "dir_axis", &state_dir_axis, 1, false);
    TRYV(k0);
    int k1 = frost__onnx_const_i64(c, n, "y_dir_axis", &y_dir_axis, 1, false);
    TRYV(k1);
    int ks0 = frost__onnx_const_i64(c, n, "dir_axis_scalar", &state_dir_axis, 1, true);
    TRYV(ks0);
    int ks1 = frost__onnx_const_i64(c, n, "y_dir_axis_scalar", &y_dir_axis, 1, true);
    TRYV(ks1);
    for (int k = 0; k < 3; k++) {
        if (!frost__onnx_output_used(c, n, (size_t)k) || (k == 2 && kind != 2)) continue;
        int parts[3];
        for (int d = 0; d < n_dirs; d++) {
            int v;
            if (k == 0) {
                frost__params pk;
                memset(&pk, 0, sizeof pk);
                pk.pack.axis = (int)layout;
                int y = frost__onnx_step(c, n, "y_steps", FROST__OP_PACK, (int)T, outs[d].ys, &pk);
                TRYV(y);
                int in[2] = {y, k1};
                v = frost__onnx_step(c, n, n_dirs == 1 ? "y" : "y_dir", FROST__OP_EXPAND_DIMS, 2,
                                     in, NULL);
            } else {
                int in[2] = {k == 1 ? outs[d].h : outs[d].cs, k0};
                v = frost__onnx_step(c, n, k == 1 ? "y_h" : "y_c", FROST__OP_EXPAND_DIMS, 2, in,
                                     NULL);
            }
            TRYV(v);
            parts[d] = v;
        }
        int v = parts[0];
        if (n_dirs == 2) {
            parts[2] = k == 0 ? ks1 : ks0;
            v = frost__onnx_step(c, n,
                                 k == 0   ? "y"
                                 : k == 1 ? "y_h_both"
                                          : "y_c_both",
                                 FROST__OP_CONCAT, 3, parts, NULL);
            TRYV(v);
        }
        if (k == 0) note_shape(c, v, dt, 4, ydims);
        else note_shape(c, v, dt, 3, sdims);
        FROST_TRY(frost__onnx_bind(c, n, (size_t)k, v));
    }
    return FROST_OK;
}

/* A layer whose sequence length is known only when the session plans: frost's RECURRENT op
 * (ops/rnn.c) steps through it at run time. */
static frost_status stepped(onnx_ctx *c, onnx_node *n, int kind, int x, int w, int r, int b,
                            int seq_lens, int h0, int c0, int peep, int n_dirs, bool reverse,
                            int64_t layout) {
    if (layout != 0)
        return frost__onnx_unsupported(c, n, "sequence length unknown at load, with layout 1");
    if (seq_lens >= 0)
        return frost__onnx_unsupported(c, n, "sequence_lens with a length unknown at load");
    int64_t H = frost__onnx_attr_i(n, "hidden_size", -1);
    if (H < 0 && frost__onnx_vrank(c, r) == 3) H = frost__onnx_val(c, r)->shape.d[2];
    if (H < 1) return frost__onnx_unsupported(c, n, "hidden size unknown at load");
    frost__params p;
    memset(&p, 0, sizeof p);
    p.recurrent.kind = kind;
    p.recurrent.n_dirs = n_dirs;
    p.recurrent.reverse = reverse;
    p.recurrent.linear_before_reset = kind == 1 && frost__onnx_attr_i(n, "linear_before_reset", 0);
    p.recurrent.hidden = H;
    int in[7] = {x, w, r, b, h0, c0, peep};
    int node = frost__onnx_emit(c, n, NULL, FROST__OP_RECURRENT, 7, in, kind == 2 ? 3 : 2, &p);
    if (node < 0) return frost__onnx_failed(c);
    for (int k = 0; k < (kind == 2 ? 3 : 2); k++)
        FROST_TRY(frost__onnx_bind(c, n, (size_t)k, c->g->nodes[node].out[k]));
    return FROST_OK;
}

/* RNN (fn 0), GRU (fn 1), LSTM (fn 2). */
frost_status frost__onnx_op_recurrent(onnx_ctx *c, onnx_node *n, const onnx_op *e) {
    int kind = e->fn;
    int x, w, r;
    FROST_TRY(frost__onnx_need_in(c, n, 0, &x));
    FROST_TRY(frost__onnx_need_in(c, n, 1, &w));
    FROST_TRY(frost__onnx_need_in(c, n, 2, &r));
    int b = frost__onnx_in(c, n, 3), seq_lens = frost__onnx_in(c, n, 4),
        h0 = frost__onnx_in(c, n, 5);
    int c0 = kind == 2 ? frost__onnx_in(c, n, 6) : -1,
        peep = kind == 2 ? frost__onnx_in(c, n, 7) : -1;
    char buf[32];
    const char *dir = frost__onnx_attr_s(n, "direction", "forward", buf, sizeof buf);
    bool reverse = strcmp(dir, "reverse") == 0, both = strcmp(dir, "bidirectional") == 0;
    if (!reverse && !both && strcmp(dir, "forward") != 0)
        return frost__onnx_bad_node(c, n, "attribute direction '%s'", dir);
    int n_dirs = both ? 2 : 1;
    if (frost__onnx_attr(n, "activations"))
        return frost__onnx_unsupported(c, n, "custom activations");
    if (frost__onnx_attr(n, "clip")) return frost__onnx_unsupported(c, n, "clip");
    int64_t layout = frost__onnx_attr_i(n, "layout", 0);
    if (layout != 0 && layout != 1)
        return frost__onnx_bad_node(c, n, "attribute layout = %lld", (long long)layout);
    if (kind == 2 && frost__onnx_attr_i(n, "input_forget", 0) != 0)
        return frost__onnx_unsupported(c, n, "input_forget");
    const frost__shape xs_copy = frost__onnx_val(c, x)->shape,
                       *xs = &xs_copy; /* values may move below */
    if (xs->rank != 3 || xs->d[layout] < 1)
        return stepped(c, n, kind, x, w, r, b, seq_lens, h0, c0, peep, n_dirs, reverse, layout);
    int64_t T = xs->d[layout];
    if (seq_lens >= 0) {
        /* Only lengths that are all the full sequence are the same computation. */
        int64_t lens[256];
        int nl = frost__onnx_const_ints(c, seq_lens, lens, 256);
        bool full = nl > 0;
        for (int i = 0; i < nl; i++) full = full && lens[i] == T;
        if (!full) return frost__onnx_unsupported(c, n, "sequence_lens");
    }
    if (layout == 1) {
        /* batch-major: X [batch, seq, in] -> [seq, batch, in]; states [batch, dirs, hidden] */
        int64_t perm[3] = {1, 0, 2};
        int kp = frost__onnx_const_i64(c, n, "seq_major", perm, 3, false);
        TRYV(kp);
        int in[2] = {x, kp};
        x = frost__onnx_step(c, n, "x_seq_major", FROST__OP_TRANSPOSE, 2, in, NULL);
        TRYV(x);
    }
    if (T > RNN_MAX_STEPS)
        return frost__onnx_unsupported(c, n, "more than %d steps", RNN_MAX_STEPS);
    bool lbr = kind == 1 && frost__onnx_attr_i(n, "linear_before_reset", 0) != 0;

    frost_dtype dt = frost__onnx_float_of(c, x);
    rnn_direction_out *outs = frost__calloc(&c->g->alloc, (size_t)n_dirs, sizeof *outs);
    if (!outs)
        return frost__fail(c->err, FROST_E_NOMEM, frost__onnx_node_label(n), n->op_type, -1,
                           "out of memory");
    frost_status st = FROST_OK;
    for (int d = 0; d < n_dirs && st == FROST_OK; d++)
        st = rnn_direction(c, n, kind, x, w, r, b, h0, c0, peep, d, reverse || d == 1, layout, T,
                           lbr, &outs[d]);
    if (st == FROST_OK) st = rnn_outputs(c, n, kind, outs, n_dirs, layout, T, xs, r, dt);
    frost__free(&c->g->alloc, outs);
    return st;
}
