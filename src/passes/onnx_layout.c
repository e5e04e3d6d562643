/* onnx_layout.c — removes the layout transposes the ONNX importer wraps around every NCHW conv and
 * pool (TRANSPOSE NCHW->NHWC -> op -> TRANSPOSE NHWC->NCHW), so an ONNX CNN runs in NHWC end to end
 * with a transpose at the input and at most one before Flatten/Gemm.
 *
 * Rewrites, repeated until nothing changes:
 *   - T(T(x, p1), p2) -> x when the permutations cancel, else one T(x, p1∘p2);
 *   - a single-use transpose sinks below a layout-agnostic op: unary, cast, identity, binary with a
 *     constant (the constant is permuted) or with another transpose of the same perm, batch norm
 *     (its channel axis follows), concat (its axis follows), reduce (its axes follow), pad (its
 *     paddings follow);
 *   - a single-use transpose sinks below a squeeze or expand-dims of constant axes, whose axes and
 *     the transpose's perm are renumbered (an ONNX Conv1d's NCW output, squeezed and unsqueezed
 *     around a rank change, then transposed back to channels-last, as STFT front ends do);
 *   - a transpose that only moves size-1 dims becomes a RESHAPE, a free view.
 * New nodes are appended, then the node list is put back in topological order.
 *
 * It must never change what the graph computes: every rule needs constant perms/axes and known
 * ranks, and skips anything it cannot prove. It never frees values; dead nodes are left for prune. */
#include "passes/passes.h"

#include <stdio.h>

typedef struct layout_ctx {
    frost__graph *g;
    frost_error *err;
    int *uses;
    int rewrites, to_reshape;
    int sink_node;   /* the node rule_sink is moving transposes below, or -1 */
} layout_ctx;

static bool recount(layout_ctx *c) {
    frost__free(&c->g->alloc, c->uses);
    c->uses = frost__graph_use_counts(c->g);
    return c->uses != NULL;
}

/* The constant perm of a TRANSPOSE node, as its count (rank), or -1. */
static int node_perm(const frost__graph *g, const frost__node *n, int64_t *perm) {
    if (n->dead || n->op != FROST__OP_TRANSPOSE || n->n_in != 2 || n->in[1] < 0) return -1;
    const frost__value *pv = &g->values[n->in[1]];
    if (pv->kind != FROST__VAL_CONST) return -1;
    int r = frost__read_int_operand(pv->dtype, &pv->shape, pv->data, perm, FROST_MAX_RANK);
    if (r < 1) return -1;
    bool seen[FROST_MAX_RANK] = {false};
    for (int i = 0; i < r; i++) {
        if (perm[i] < 0 || perm[i] >= r || seen[perm[i]]) return -1;
        seen[perm[i]] = true;
    }
    return r;
}

static bool is_sink_op(const frost__node *n);
static bool region_sinkable(layout_ctx *c, int t_value);
static bool cancels_below(layout_ctx *c, int v, const int64_t *perm, int r, int depth);

/* The transpose node producing value v, or -1. With `sinkable`, only when moving it below its
 * consumers cannot add transposes: it has one use, or its uses form a closed region (below), or
 * the node it sinks below (c->sink_node) leads only to transposes that undo it, so that the copy
 * sunk there cancels and the original stays for its other consumers (a squeeze-excitation block:
 * x feeds a global pool and a multiply). */
static int transpose_producer(layout_ctx *c, int v, bool sinkable, int64_t *perm, int *rank) {
    if (v < 0) return -1;
    int p = c->g->values[v].producer;
    if (p < 0) return -1;
    const frost__node *n = &c->g->nodes[p];
    int r = node_perm(c->g, n, perm);
    if (r < 0) return -1;
    if (sinkable && c->uses[v] != 1 && !region_sinkable(c, v) &&
        !(c->sink_node >= 0 && c->g->nodes[c->sink_node].n_out == 1 &&
          cancels_below(c, c->g->nodes[c->sink_node].out[0], perm, r, 0)))
        return -1;
    *rank = r;
    return p;
}

/* ---- Regions -------------------------------------------------------------------------------- */

enum { REGION_MAX = 32 };

static bool in_set(const int *set, int n, int x) {
    for (int i = 0; i < n; i++)
        if (set[i] == x) return true;
    return false;
}

/* Whether every input of node u is t, an output of a region node, or a constant. */
static bool closed_inputs(layout_ctx *c, const frost__node *u, int t, const int *region, int n_region) {
    for (int k = 0; k < u->n_in; k++) {
        int v = u->in[k];
        if (v < 0 || v == t || c->g->values[v].kind == FROST__VAL_CONST) continue;
        int p = c->g->values[v].producer;
        if (p < 0 || !in_set(region, n_region, p)) return false;
    }
    return true;
}

/* A transpose with several consumers (x feeding both a mean and a subtraction, as normalizations
 * do) may sink when its consumers and what they feed form a closed region of layout-agnostic ops
 * (every input from the region, the transpose or a constant) with a single exit: the copies made
 * while sinking then meet again and leave as one transpose. */
static bool region_sinkable(layout_ctx *c, int t) {
    frost__graph *g = c->g;
    for (int i = 0; i < g->n_outputs; i++)
        if (g->outputs[i] == t) return false;
    int region[REGION_MAX], n_region = 0;
    for (int i = 0; i < g->n_nodes; i++) {
        const frost__node *u = &g->nodes[i];
        if (u->dead) continue;
        bool uses_t = false;
        for (int k = 0; k < u->n_in; k++) uses_t = uses_t || u->in[k] == t;
        if (!uses_t) continue;
        if (!is_sink_op(u) || u->n_out != 1 || n_region == REGION_MAX) return false;
        region[n_region++] = i;
    }
    int n_first = n_region;
    /* Grow through what the region alone feeds; the first consumers may need later members (a
     * product of x and its own inverse deviation) to be closed. */
    for (bool grew = true; grew;) {
        grew = false;
        for (int i = 0; i < g->n_nodes; i++) {
            const frost__node *u = &g->nodes[i];
            if (u->dead || in_set(region, n_region, i) || !is_sink_op(u) || u->n_out != 1) continue;
            bool fed = false;
            for (int k = 0; k < u->n_in && !fed; k++) {
                int p = u->in[k] >= 0 ? g->values[u->in[k]].producer : -1;
                fed = p >= 0 && in_set(region, n_region, p);
            }
            if (!fed || !closed_inputs(c, u, t, region, n_region)) continue;
            if (n_region == REGION_MAX) return false;
            region[n_region++] = i;
            grew = true;
        }
    }
    for (int i = 0; i < n_first; i++)
        if (!closed_inputs(c, &g->nodes[region[i]], t, region, n_region)) return false;
    /* Exits: region outputs used outside the region or as graph outputs. */
    int exits = 0;
    for (int i = 0; i < n_region; i++) {
        int v = g->nodes[region[i]].out[0];
        int inside = 0;
        for (int j = 0; j < n_region; j++) {
            const frost__node *u = &g->nodes[region[j]];
            for (int k = 0; k < u->n_in; k++) inside += u->in[k] == v;
        }
        if (c->uses[v] > inside) exits++;
    }
    return exits <= 1;
}

/* Whether every path from value v (what a node computes once a transpose with `perm` is sunk
 * below it) reaches a transpose that undoes perm, through layout-agnostic single-output ops (at
 * most a few deep), so that the sunk copy cancels instead of adding one. Graph outputs do not. */
static bool cancels_below(layout_ctx *c, int v, const int64_t *perm, int r, int depth) {
    frost__graph *g = c->g;
    if (depth > 6 || c->uses[v] == 0) return false;
    for (int i = 0; i < g->n_outputs; i++)
        if (g->outputs[i] == v) return false;
    for (int i = 0; i < g->n_nodes; i++) {
        const frost__node *u = &g->nodes[i];
        if (u->dead) continue;
        bool uses_v = false;
        for (int k = 0; k < u->n_in; k++) uses_v = uses_v || u->in[k] == v;
        if (!uses_v) continue;
        int64_t p2[FROST_MAX_RANK];
        const int r2 = node_perm(g, u, p2);
        if (r2 >= 0 && u->in[0] == v) {
            bool ident = r2 == r;
            for (int j = 0; ident && j < r; j++) ident = perm[p2[j]] == j;
            if (ident) continue;
            return false;
        }
        if (!is_sink_op(u) || u->n_out != 1 || !cancels_below(c, u->out[0], perm, r, depth + 1))
            return false;
    }
    return true;
}

static void unique_name(frost__graph *g, const char *base, const char *suffix, char *buf, size_t cap) {
    snprintf(buf, cap, "%s/%s", base, suffix);
    for (int k = 2; frost__graph_lookup(g, buf) >= 0; k++) snprintf(buf, cap, "%s/%s_%d", base, suffix, k);
}

static int add_i64_const(layout_ctx *c, const char *base, const int64_t *v, int count, bool scalar) {
    char nm[512];
    unique_name(c->g, base, "layout_const", nm, sizeof nm);
    int64_t cnt = count;
    frost__shape s = scalar ? frost__shape_make(0, NULL) : frost__shape_make(1, &cnt);
    return frost__graph_add_const(c->g, nm, FROST_DTYPE_I64, &s, v, (size_t)count * 8, c->err);
}

/* Node `taker` becomes the producer of old's output 0 (so consumers, graph outputs and names stay
 * as they are) and old, now dead, keeps taker's fresh output instead. */
static void take_over_output(frost__graph *g, int taker, int old) {
    int y_old = g->nodes[old].out[0], y_new = g->nodes[taker].out[0];
    g->nodes[old].out[0] = y_new;
    g->nodes[taker].out[0] = y_old;
    g->values[y_new].producer = old;
    g->values[y_new].producer_port = 0;
    g->values[y_old].producer = taker;
    g->values[y_old].producer_port = 0;
    g->nodes[old].dead = true;
}

/* Adds node `op` (copying old's src_op) on inputs `in` with params p, then TRANSPOSE(perm_value) of
 * its output (none when perm_value < 0); the last of them takes over old's output. out_shape is
 * the new op's output shape. */
static frost_status rebuild_then_transpose(layout_ctx *c, int old_node, int n_in, const int *in,
                                           const frost__params *p, const frost__shape *out_shape,
                                           int perm_value) {
    frost__graph *g = c->g;
    char nm[512], tn[512], src[128];
    const char *base = g->nodes[old_node].name;
    unique_name(g, base, "nhwc", nm, sizeof nm);
    int op = g->nodes[old_node].op;
    snprintf(src, sizeof src, "%s", g->nodes[old_node].src_op);
    int nn = frost__graph_add_node(g, nm, src, op, n_in, in, 1, p, c->err);
    if (nn < 0) return c->err->code;
    int y_new = g->nodes[nn].out[0];
    g->values[y_new].dtype = g->values[g->nodes[old_node].out[0]].dtype;
    g->values[y_new].shape = *out_shape;
    int last = nn;
    if (perm_value >= 0) {
        unique_name(g, base, "to_nchw", tn, sizeof tn);
        int tin[2] = {y_new, perm_value};
        last = frost__graph_add_node(g, tn, "Transpose", FROST__OP_TRANSPOSE, 2, tin, 1, NULL, c->err);
        if (last < 0) return c->err->code;
    }
    take_over_output(g, last, old_node);
    c->rewrites++;
    return recount(c) ? FROST_OK : frost__fail(c->err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
}

/* x's shape under the inverse of perm: the shape before TRANSPOSE(., perm) gave s. */
static frost__shape unpermute_shape(const frost__shape *s, const int64_t *perm, int r) {
    frost__shape o = *s;
    if (s->rank != r) return frost__shape_unknown();
    for (int i = 0; i < r; i++) {
        if (perm[i] < 0 || perm[i] >= r) return frost__shape_unknown();
        o.d[perm[i]] = s->d[i];
    }
    return o;
}

/* A constant b (broadcast against a rank-r tensor in the transposed layout) rearranged for the
 * untransposed layout: left-pad to rank r, then move dim i to perm[i]. -1 on failure, -2 if n/a. */
static int permuted_const(layout_ctx *c, int b, const int64_t *perm, int r) {
    frost__graph *g = c->g;
    const frost__value *bv = &g->values[b];
    if (bv->kind != FROST__VAL_CONST || bv->shape.rank < 0 || bv->shape.rank > r) return -2;
    int64_t numel = frost__shape_numel(&bv->shape);
    if (numel == 1 && bv->shape.rank <= 1) return b;
    int64_t full[FROST_MAX_RANK];
    int pad = r - bv->shape.rank;
    for (int i = 0; i < r; i++) full[i] = i < pad ? 1 : bv->shape.d[i - pad];
    frost__shape src = frost__shape_make(r, full), dst = src;
    for (int i = 0; i < r; i++) dst.d[perm[i]] = full[i];
    size_t es = frost_dtype_size(bv->dtype);
    if (!es) return -2;
    void *data = frost__alloc(&g->alloc, bv->nbytes ? bv->nbytes : 1);
    if (!data) return frost__fail(c->err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory"), -1;
    int64_t sstr[FROST_MAX_RANK], dstr[FROST_MAX_RANK], idx[FROST_MAX_RANK] = {0};
    frost__shape_strides(&src, sstr);
    frost__shape_strides(&dst, dstr);
    bv = &g->values[b];
    for (int64_t e = 0; e < numel; e++) {
        int64_t di = 0;
        for (int i = 0; i < r; i++) di += idx[i] * dstr[perm[i]];
        memcpy((char *)data + (size_t)di * es, (const char *)bv->data + (size_t)e * es, es);
        for (int i = r - 1; i >= 0; i--) {
            if (++idx[i] < src.d[i]) break;
            idx[i] = 0;
        }
    }
    char nm[512];
    unique_name(g, bv->name, "nhwc", nm, sizeof nm);
    return frost__graph_add_const_owned(g, nm, bv->dtype, &dst, data, bv->nbytes, c->err);
}

/* ---- Rules ---------------------------------------------------------------------------------- */

/* T(T(x, p1), p2). Returns 1 when rewritten, 0 when not applicable, -1 on error. */
static int rule_cancel(layout_ctx *c, int ni) {
    frost__graph *g = c->g;
    int64_t p2[FROST_MAX_RANK], p1[FROST_MAX_RANK];
    int r2 = node_perm(g, &g->nodes[ni], p2), r1;
    if (r2 < 0) return 0;
    int inner = transpose_producer(c, g->nodes[ni].in[0], false, p1, &r1);
    if (inner < 0 || r1 != r2) return 0;
    int64_t q[FROST_MAX_RANK];
    bool ident = true;
    for (int j = 0; j < r1; j++) {
        q[j] = p1[p2[j]];
        ident = ident && q[j] == j;
    }
    int x = g->nodes[inner].in[0];
    int y = g->nodes[ni].out[0];
    if (ident) {
        /* Outputs keep their own value (they carry the model's names); make it an identity. */
        bool is_output = false;
        for (int i = 0; i < g->n_outputs; i++) is_output = is_output || g->outputs[i] == y;
        if (is_output) return 0;
        frost__graph_replace_uses(g, y, x, false);
        g->nodes[ni].dead = true;
    } else {
        int pc = add_i64_const(c, g->nodes[ni].name, q, r1, false);
        if (pc < 0) return -1;
        g->nodes[ni].in[0] = x;
        g->nodes[ni].in[1] = pc;
    }
    c->rewrites++;
    return recount(c) ? 1 : -1;
}

static bool is_sink_op(const frost__node *n) {
    switch (n->op) {
    case FROST__OP_UNARY: case FROST__OP_CAST: case FROST__OP_IDENTITY: case FROST__OP_BINARY:
    case FROST__OP_BATCH_NORM: case FROST__OP_CONCAT: case FROST__OP_REDUCE: case FROST__OP_PAD:
        return true;
    default: return false;
    }
}

/* Sinks the transpose(s) feeding node ni below it. 1 rewritten, 0 n/a, -1 error. */
static int rule_sink(layout_ctx *c, int ni) {
    frost__graph *g = c->g;
    frost__node *n = &g->nodes[ni];
    if (n->dead || !is_sink_op(n) || n->n_out != 1 || n->n_in < 1 || n->n_in > 64) return 0;
    int64_t perm[FROST_MAX_RANK] = {0};
    c->sink_node = ni;
    int r = 0, t0 = transpose_producer(c, n->in[0], true, perm, &r);
    int y = n->out[0];
    /* a copy: adding constants below may move g->values */
    const frost__shape ys_copy = g->values[y].shape, *ys = &ys_copy;
    int in[65];
    for (int k = 0; k < n->n_in; k++) in[k] = n->in[k];
    frost__params p = n->p;
    int perm_value = t0 >= 0 ? g->nodes[t0].in[1] : -1;
    /* Only meaningful when input 0 comes through a transpose; the other cases set it below. */
    frost__shape out_shape = t0 >= 0 ? unpermute_shape(ys, perm, r) : *ys;

    switch (n->op) {
    case FROST__OP_UNARY: case FROST__OP_CAST: case FROST__OP_IDENTITY:
        if (t0 < 0 || n->n_in != 1) return 0;
        in[0] = g->nodes[t0].in[0];
        break;
    case FROST__OP_BINARY: {
        if (n->n_in != 2) return 0;
        int64_t pb[FROST_MAX_RANK];
        int rb, t1 = transpose_producer(c, n->in[1], true, pb, &rb);
        if (t0 >= 0 && t1 >= 0) {
            if (rb != r || memcmp(pb, perm, sizeof(int64_t) * (size_t)r) != 0) return 0;
            in[0] = g->nodes[t0].in[0];
            in[1] = g->nodes[t1].in[0];
        } else if (t0 >= 0) {
            int k = permuted_const(c, n->in[1], perm, r);
            if (k == -2) return 0;
            if (k < 0) return -1;
            in[0] = g->nodes[t0].in[0];
            in[1] = k;
        } else if (t1 >= 0) {
            int k = permuted_const(c, n->in[0], pb, rb);
            if (k == -2) return 0;
            if (k < 0) return -1;
            memcpy(perm, pb, sizeof pb);
            r = rb;
            perm_value = g->nodes[t1].in[1];
            out_shape = unpermute_shape(ys, perm, r);
            in[0] = k;
            in[1] = g->nodes[t1].in[0];
        } else {
            return 0;
        }
        if (ys->rank != r) return 0; /* the result must keep the transposed rank */
        break;
    }
    case FROST__OP_BATCH_NORM: {
        if (t0 < 0) return 0;
        int a = p.batch_norm.axis < 0 ? p.batch_norm.axis + r : p.batch_norm.axis;
        if (a < 0 || a >= r) return 0;
        p.batch_norm.axis = (int)perm[a];
        in[0] = g->nodes[t0].in[0];
        break;
    }
    case FROST__OP_CONCAT: {
        if (n->n_in < 2) return 0;
        /* The transposed inputs give the perm; constants (a channel pad made of zeros, as tf2onnx
         * writes TF's Pad of channels) are permuted to match. */
        for (int k = 0; t0 < 0 && k < n->n_in - 1; k++) {
            t0 = transpose_producer(c, n->in[k], true, perm, &r);
            if (t0 >= 0) {
                perm_value = g->nodes[t0].in[1];
                out_shape = unpermute_shape(ys, perm, r);
            }
        }
        if (t0 < 0) return 0;
        int64_t axis;
        const frost__value *av = &g->values[n->in[n->n_in - 1]];
        if (av->kind != FROST__VAL_CONST ||
            frost__read_int_operand(av->dtype, &av->shape, av->data, &axis, 1) != 1)
            return 0;
        if (axis < 0) axis += r;
        if (axis < 0 || axis >= r) return 0;
        for (int k = 0; k < n->n_in - 1; k++) {
            int64_t pk[FROST_MAX_RANK];
            int rk, tk = transpose_producer(c, n->in[k], true, pk, &rk);
            if (tk >= 0) {
                if (rk != r || memcmp(pk, perm, sizeof(int64_t) * (size_t)r) != 0) return 0;
                continue;
            }
            const frost__value *kv = &g->values[n->in[k]];
            if (kv->kind != FROST__VAL_CONST || kv->shape.rank != r) return 0;
        }
        for (int k = 0; k < n->n_in - 1; k++) {
            int64_t pk[FROST_MAX_RANK];
            int rk, tk = transpose_producer(c, n->in[k], true, pk, &rk);
            if (tk >= 0) {
                in[k] = g->nodes[tk].in[0];
                continue;
            }
            int kc = permuted_const(c, n->in[k], perm, r);
            if (kc == -2) return 0;
            if (kc < 0) return -1;
            in[k] = kc;
        }
        int64_t na = perm[axis];
        int ac = add_i64_const(c, n->name, &na, 1, true);
        if (ac < 0) return -1;
        in[n->n_in - 1] = ac;
        break;
    }
    case FROST__OP_REDUCE: {
        if (t0 < 0 || n->n_in != 2) return 0;
        int64_t axes[FROST_MAX_RANK];
        const frost__value *av = &g->values[n->in[1]];
        if (av->kind != FROST__VAL_CONST) return 0;
        int na = frost__read_int_operand(av->dtype, &av->shape, av->data, axes, FROST_MAX_RANK);
        if (na < 1) return 0;
        bool reduced[FROST_MAX_RANK] = {false};
        for (int i = 0; i < na; i++) {
            int64_t a = axes[i] < 0 ? axes[i] + r : axes[i];
            if (a < 0 || a >= r) return 0;
            axes[i] = perm[a];
            reduced[perm[a]] = true;
        }
        int ac = add_i64_const(c, n->name, axes, na, false);
        if (ac < 0) return -1;
        in[0] = g->nodes[t0].in[0];
        in[1] = ac;
        if (!p.reduce.keep_dims) {
            /* Remaining dims: the transposed order lists x's kept axes as perm[i]; the new
             * output lists them ascending. q maps between the two. */
            int64_t q[FROST_MAX_RANK], rankpos[FROST_MAX_RANK];
            int kept = 0;
            for (int a = 0; a < r; a++)
                if (!reduced[a]) rankpos[a] = kept++;
            int j = 0;
            bool ident = true;
            frost__shape os;
            os.rank = kept;
            for (int i = 0; i < r; i++) {
                if (reduced[perm[i]]) continue;
                q[j] = rankpos[perm[i]];
                ident = ident && q[j] == j;
                j++;
            }
            if (ys->rank != kept) return 0;
            for (int i = 0; i < kept; i++) os.d[q[i]] = ys->d[i];
            int pv = -1;
            if (!ident) {
                pv = add_i64_const(c, n->name, q, kept, false);
                if (pv < 0) return -1;
            }
            return rebuild_then_transpose(c, ni, n->n_in, in, &p, &os, pv) == FROST_OK ? 1 : -1;
        }
        break;
    }
    case FROST__OP_PAD: {
        if (t0 < 0 || n->n_in < 2) return 0;
        const frost__value *pv = &g->values[n->in[1]];
        if (pv->kind != FROST__VAL_CONST || pv->shape.rank != 2 || pv->shape.d[0] != r ||
            pv->shape.d[1] != 2 || !frost__dtype_is_int(pv->dtype))
            return 0;
        int64_t pads[2 * FROST_MAX_RANK];
        for (int i = 0; i < r; i++) {
            pads[2 * perm[i]] = frost__read_int(pv->dtype, pv->data, 2 * i);
            pads[2 * perm[i] + 1] = frost__read_int(pv->dtype, pv->data, 2 * i + 1);
        }
        char nm[512];
        unique_name(g, n->name, "paddings_nhwc", nm, sizeof nm);
        int64_t dims[2] = {r, 2};
        frost__shape s = frost__shape_make(2, dims);
        int pc = frost__graph_add_const(g, nm, FROST_DTYPE_I64, &s, pads, (size_t)r * 16, c->err);
        if (pc < 0) return -1;
        in[0] = g->nodes[t0].in[0];
        in[1] = pc;
        break;
    }
    default: return 0;
    }
    n = &g->nodes[ni];
    return rebuild_then_transpose(c, ni, n->n_in, in, &p, &out_shape, perm_value) == FROST_OK ? 1 : -1;
}

/* SQUEEZE/EXPAND_DIMS(T(x, perm), axes) -> T(SQUEEZE/EXPAND_DIMS(x, axes'), perm'): the same
 * axes named in x's order, the perm renumbered for the new rank. 1 rewritten, 0 n/a, -1 error. */
static int rule_sink_unit_dims(layout_ctx *c, int ni) {
    frost__graph *g = c->g;
    const frost__node *n = &g->nodes[ni];
    if (n->dead || (n->op != FROST__OP_SQUEEZE && n->op != FROST__OP_EXPAND_DIMS) || n->n_in != 2 ||
        n->in[1] < 0 || n->n_out != 1)
        return 0;
    int64_t perm[FROST_MAX_RANK];
    int r, t = transpose_producer(c, n->in[0], false, perm, &r);
    if (t < 0 || c->uses[n->in[0]] != 1) return 0;
    for (int i = 0; i < g->n_outputs; i++)
        if (g->outputs[i] == n->in[0]) return 0;
    const frost__value *av = &g->values[n->in[1]];
    int64_t axes[FROST_MAX_RANK];
    if (av->kind != FROST__VAL_CONST) return 0;
    int na = frost__read_int_operand(av->dtype, &av->shape, av->data, axes, FROST_MAX_RANK);
    const int x = g->nodes[t].in[0];
    const frost__shape xs = g->values[x].shape;
    if (na < 1 || xs.rank != r) return 0;
    int64_t q[FROST_MAX_RANK], new_axes[FROST_MAX_RANK], pos[FROST_MAX_RANK];
    frost__shape os = frost__shape_unknown();
    int rq;
    if (n->op == FROST__OP_SQUEEZE) {
        bool drop[FROST_MAX_RANK] = {false}, xdrop[FROST_MAX_RANK] = {false};
        for (int k = 0; k < na; k++) {
            int a;
            if (!frost__norm_axis(axes[k], r, &a) || drop[a]) return 0;
            drop[a] = true;
            xdrop[perm[a]] = true;
            new_axes[k] = perm[a];
        }
        os.rank = 0;
        for (int a = 0; a < r; a++) {
            pos[a] = os.rank;
            if (!xdrop[a]) os.d[os.rank++] = xs.d[a];
        }
        rq = 0;
        for (int i = 0; i < r; i++)
            if (!drop[i]) q[rq++] = pos[perm[i]];
    } else {
        rq = r + na;
        if (rq > FROST_MAX_RANK) return 0;
        bool is_new[FROST_MAX_RANK] = {false};
        for (int k = 0; k < na; k++) {
            int a;
            if (!frost__norm_axis(axes[k], rq, &a) || is_new[a]) return 0;
            is_new[a] = true;
            new_axes[k] = a;
        }
        /* x' keeps x's dims in order at the positions that are not new. */
        os.rank = rq;
        for (int j = 0, a = 0; j < rq; j++) {
            if (is_new[j]) {
                os.d[j] = 1;
                continue;
            }
            pos[a] = j;
            os.d[j] = xs.d[a++];
        }
        for (int j = 0, i = 0; j < rq; j++) q[j] = is_new[j] ? j : pos[perm[i++]];
    }
    bool ident = true;
    for (int j = 0; j < rq; j++) ident = ident && q[j] == j;
    int pv = -1;
    if (!ident) {
        pv = add_i64_const(c, g->nodes[ni].name, q, rq, false);
        if (pv < 0) return -1;
    }
    int ac = add_i64_const(c, g->nodes[ni].name, new_axes, na, false);
    if (ac < 0) return -1;
    int in[2] = {x, ac};
    frost__params p = g->nodes[ni].p;
    return rebuild_then_transpose(c, ni, 2, in, &p, &os, pv) == FROST_OK ? 1 : -1;
}

/* A transpose that keeps every non-1 dim in order is a reshape (a view). */
static int rule_to_reshape(layout_ctx *c, int ni) {
    frost__graph *g = c->g;
    frost__node *n = &g->nodes[ni];
    int64_t perm[FROST_MAX_RANK];
    int r = node_perm(g, n, perm);
    if (r < 0) return 0;
    const frost__shape *xs = &g->values[n->in[0]].shape;
    if (xs->rank != r) return 0;
    int64_t last = -1;
    int unknown = 0;
    for (int i = 0; i < r; i++) {
        int64_t d = xs->d[perm[i]];
        if (d == 0) return 0;
        if (d < 0 && perm[i] != i) unknown++; /* an unknown dim in place is copied (0) */
        if (d != 1) {
            if (perm[i] < last) return 0;
            last = perm[i];
        }
    }
    int64_t target[FROST_MAX_RANK];
    for (int i = 0; i < r; i++) {
        int64_t d = xs->d[perm[i]];
        if (d >= 0) target[i] = d;
        else if (perm[i] == i) target[i] = 0; /* copy the same input dim */
        else if (unknown == 1) target[i] = -1;
        else return 0;
    }
    int sc = add_i64_const(c, n->name, target, r, false);
    if (sc < 0) return -1;
    n = &g->nodes[ni];
    n->op = FROST__OP_RESHAPE;
    n->in[1] = sc;
    memset(&n->p, 0, sizeof n->p);
    n->p.reshape.zero_is_copy = true;
    c->to_reshape++;
    return 1;
}

/* ---- Topological order ---------------------------------------------------------------------- */

static frost_status reorder(layout_ctx *c) {
    frost__graph *g = c->g;
    const frost_allocator *a = &g->alloc;
    int nn = g->n_nodes;
    int *order = frost__calloc(a, (size_t)nn + 1, sizeof(int));
    int *state = frost__calloc(a, (size_t)nn + 1, sizeof(int)); /* 0 new, 1 open, 2 done */
    int *stack = frost__calloc(a, (size_t)nn + 1, sizeof(int));
    int *next_in = frost__calloc(a, (size_t)nn + 1, sizeof(int));
    frost__node *nodes = frost__calloc(a, (size_t)nn + 1, sizeof(frost__node));
    frost_status st = FROST_OK;
    if (!order || !state || !stack || !next_in || !nodes) {
        st = frost__fail(c->err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
        goto done;
    }
    int n_order = 0;
    for (int root = 0; root < nn; root++) {
        if (state[root]) continue;
        int sp = 0;
        stack[sp++] = root;
        state[root] = 1;
        while (sp) {
            int u = stack[sp - 1];
            const frost__node *un = &g->nodes[u];
            bool pushed = false;
            while (next_in[u] < un->n_in) {
                int v = un->in[next_in[u]++];
                int pnode = v >= 0 ? g->values[v].producer : -1;
                if (pnode < 0 || state[pnode] == 2) continue;
                if (state[pnode] == 1) {
                    st = frost__fail(c->err, FROST_E_INTERNAL, un->name, un->src_op, -1,
                                     "layout pass made a cycle at '%s'", un->name);
                    goto done;
                }
                state[pnode] = 1;
                stack[sp++] = pnode;
                pushed = true;
                break;
            }
            if (pushed) continue;
            state[u] = 2;
            order[n_order++] = u;
            sp--;
        }
    }
    int *new_index = next_in; /* reuse */
    for (int i = 0; i < nn; i++) {
        nodes[i] = g->nodes[order[i]];
        new_index[order[i]] = i;
    }
    memcpy(g->nodes, nodes, (size_t)nn * sizeof(frost__node));
    for (int v = 0; v < g->n_values; v++)
        if (g->values[v].producer >= 0) g->values[v].producer = new_index[g->values[v].producer];
done:
    frost__free(a, order);
    frost__free(a, state);
    frost__free(a, stack);
    frost__free(a, next_in);
    frost__free(a, nodes);
    return st;
}

/* ---- Entry ---------------------------------------------------------------------------------- */

frost_status frost__pass_cancel_transposes(frost__graph *g, frost_error *err) {
#ifdef FROST_ONNX_LAYOUT_DISABLED /* a build for measuring what the pass saves */
    return FROST_OK;
#endif
    frost_error local;
    if (!err) err = &local;
    bool any = false;
    for (int i = 0; i < g->n_nodes && !any; i++)
        any = !g->nodes[i].dead && g->nodes[i].op == FROST__OP_TRANSPOSE;
    if (!any) return FROST_OK;
    layout_ctx c = {.g = g, .err = err, .sink_node = -1};
    if (!recount(&c)) return frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
    int before = 0, after = 0;
    for (int i = 0; i < g->n_nodes; i++)
        before += !g->nodes[i].dead && g->nodes[i].op == FROST__OP_TRANSPOSE && c.uses[g->nodes[i].out[0]];
    frost_status st = FROST_OK;
    /* Each sink moves a transpose strictly later in the graph and each cancel removes one, so
     * this terminates; the round cap only guards against a bug. */
    for (int round = 0; round < 64; round++) {
        int changed = 0;
        for (int i = 0; i < g->n_nodes; i++) {
            if (g->nodes[i].dead) continue;
            int r = rule_cancel(&c, i);
            if (r == 0) r = rule_sink(&c, i);
            if (r == 0) r = rule_sink_unit_dims(&c, i);
            if (r < 0) {
                st = err->code ? err->code : FROST_E_INTERNAL;
                goto out;
            }
            changed += r;
        }
        /* Drop what the rewrites left unused, so single-use tests see the truth. */
        for (int i = g->n_nodes - 1; i >= 0; i--) {
            frost__node *n = &g->nodes[i];
            if (n->dead) continue;
            bool used = false;
            for (int k = 0; k < n->n_out; k++) used = used || c.uses[n->out[k]] > 0;
            if (!used && n->op == FROST__OP_TRANSPOSE) {
                n->dead = true;
                for (int k = 0; k < n->n_in; k++)
                    if (n->in[k] >= 0) c.uses[n->in[k]]--;
            }
        }
        if (!changed) break;
    }
    for (int i = 0; i < g->n_nodes; i++) {
        if (g->nodes[i].dead || !c.uses[g->nodes[i].out[0]]) continue;
        if (rule_to_reshape(&c, i) < 0) {
            st = err->code ? err->code : FROST_E_INTERNAL;
            goto out;
        }
    }
    st = reorder(&c);
    for (int i = 0; i < g->n_nodes; i++)
        after += !g->nodes[i].dead && g->nodes[i].op == FROST__OP_TRANSPOSE;
    if (c.rewrites || c.to_reshape)
        frost__graph_report(g, "layout: %d transposes -> %d (%d rewrites, %d turned into reshapes)",
                            before, after, c.rewrites, c.to_reshape);
out:
    frost__free(&g->alloc, c.uses);
    return st;
}
