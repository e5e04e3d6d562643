/* pointwise.c — recognises the elementwise subgraphs that exporters write for one activation and
 * replaces each by that activation, a single UNARY node, which the fusion pass (fuse.c) can then
 * fold into the convolution or MatMul before it:
 *   - HardSwish spelled out, x * clip(x + 3, 0, 6) / 6 (Paddle2ONNX, TF's hard_swish), with the
 *     division also written as a multiplication by 1/6 and the operands in either order;
 *   - HardSwish as x * HardSigmoid(x) with alpha 1/6, beta 1/2 (ONNX's own definition);
 *   - Swish (SiLU) as x * sigmoid(x).
 * Four passes over memory become one (or none, once fused). The replacement computes the same
 * function, up to the rounding of the activation's kernel (a division by 6 may become a
 * multiplication by 1/6).
 *
 * Must never change what the graph computes beyond that rounding, and never touch a value that is
 * a graph output or used elsewhere: every intermediate must have the chain as its only consumer. */
#include "passes/passes.h"
#include "core/names.h"

#include <math.h>

/* The scalar f32 constant value v holds, if it is one. */
static bool scalar_const(const frost__graph *g, int v, float *out) {
    if (v < 0) return false;
    const frost__value *x = &g->values[v];
    if (x->kind != FROST__VAL_CONST || x->dtype != FROST_DTYPE_F32 || !x->data ||
        x->nbytes != sizeof(float))
        return false;
    *out = *(const float *)x->data;
    return true;
}

static bool is_output(const frost__graph *g, int v) {
    for (int i = 0; i < g->n_outputs; i++)
        if (g->outputs[i] == v) return true;
    return false;
}

/* The node producing v when v is used once, by the chain only, and is not an output; else -1. */
static int private_producer(const frost__graph *g, const int *uses, int v) {
    if (v < 0 || uses[v] != 1 || is_output(g, v)) return -1;
    const int p = g->values[v].producer;
    return p >= 0 && !g->nodes[p].dead && g->nodes[p].n_out == 1 ? p : -1;
}

static bool is_binary(const frost__node *n, int fn) {
    return n->op == FROST__OP_BINARY && n->p.binary.fn == fn && n->n_in == 2;
}
static bool is_unary(const frost__node *n, int fn) {
    return n->op == FROST__OP_UNARY && n->p.unary.fn == fn && n->n_in == 1;
}

/* For a binary node with one scalar constant operand: the other operand, and the constant. */
static int other_of_scalar(const frost__graph *g, const frost__node *n, float *c) {
    if (scalar_const(g, n->in[1], c)) return n->in[0];
    if (scalar_const(g, n->in[0], c)) return n->in[1];
    return -1;
}

/* x * t where t = clip(x + 3, 0, 6) (a private chain): x, or -1. */
static int hard_swish_core(const frost__graph *g, const int *uses, const frost__node *mul) {
    if (!is_binary(mul, FROST__BIN_MUL)) return -1;
    for (int k = 0; k < 2; k++) {
        const int x = mul->in[k], t = mul->in[1 - k];
        const int ci = private_producer(g, uses, t);
        if (ci < 0) continue;
        const frost__node *clip = &g->nodes[ci];
        if (is_unary(clip, FROST__ACT_CLIP) && clip->p.unary.alpha == 0.0f &&
            clip->p.unary.beta == 6.0f) {
            const int ai = private_producer(g, uses, clip->in[0]);
            float three;
            if (ai >= 0 && is_binary(&g->nodes[ai], FROST__BIN_ADD) &&
                other_of_scalar(g, &g->nodes[ai], &three) == x && three == 3.0f)
                return x;
        }
        if (is_unary(clip, FROST__ACT_RELU6)) {
            const int ai = private_producer(g, uses, clip->in[0]);
            float three;
            if (ai >= 0 && is_binary(&g->nodes[ai], FROST__BIN_ADD) &&
                other_of_scalar(g, &g->nodes[ai], &three) == x && three == 3.0f)
                return x;
        }
    }
    return -1;
}

/* Marks the private chain between node `last` (exclusive) and value x dead. */
static void kill_chain(frost__graph *g, const int *uses, int v, int x) {
    while (v >= 0 && v != x) {
        const int p = private_producer(g, uses, v);
        if (p < 0) return;
        frost__node *n = &g->nodes[p];
        int next = -1;
        for (int k = 0; k < n->n_in; k++)
            if (n->in[k] >= 0 && g->values[n->in[k]].kind != FROST__VAL_CONST && n->in[k] != x)
                next = n->in[k];
        n->dead = true;
        v = next;
    }
}

/* Turns node n into UNARY fn(x), keeping its name and output. */
static void become_unary(frost__node *n, int x, int fn, float alpha, float beta) {
    n->op = FROST__OP_UNARY;
    n->in[0] = x;
    n->n_in = 1;
    memset(&n->p, 0, sizeof n->p);
    n->p.unary.fn = fn;
    n->p.unary.alpha = alpha;
    n->p.unary.beta = beta;
}

frost_status frost__pass_pointwise(frost__graph *g, frost_error *err) {
    int n_hswish = 0, n_swish = 0;
    for (int i = 0; i < g->n_nodes; i++) {
        frost__node *n = &g->nodes[i];
        if (n->dead || n->n_out != 1 || n->op != FROST__OP_BINARY || n->n_in != 2) continue;
        int *uses = frost__graph_use_counts(g);
        if (!uses) return frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
        int x = -1, fn = -1;
        /* (x * clip(x + 3, 0, 6)) / 6, or * (1/6) */
        float c;
        if ((is_binary(n, FROST__BIN_DIV) && scalar_const(g, n->in[1], &c) && c == 6.0f) ||
            (is_binary(n, FROST__BIN_MUL) && other_of_scalar(g, n, &c) >= 0 &&
             fabsf(c - 1.0f / 6.0f) <= 1e-7f)) {
            const int m = n->op == FROST__OP_BINARY && n->p.binary.fn == FROST__BIN_DIV
                              ? n->in[0]
                              : other_of_scalar(g, n, &c);
            const int mi = private_producer(g, uses, m);
            if (mi >= 0 && (x = hard_swish_core(g, uses, &g->nodes[mi])) >= 0) {
                kill_chain(g, uses, m, x);
                fn = FROST__ACT_HARD_SWISH;
            }
        }
        /* x * hard_sigmoid(x; 1/6, 1/2), x * sigmoid(x) */
        if (fn < 0 && is_binary(n, FROST__BIN_MUL) && n->in[0] != n->in[1]) {
            for (int k = 0; k < 2 && fn < 0; k++) {
                const int xv = n->in[k], si = private_producer(g, uses, n->in[1 - k]);
                if (si < 0 || g->nodes[si].in[0] != xv || g->nodes[si].n_in != 1) continue;
                const frost__node *s = &g->nodes[si];
                if (is_unary(s, FROST__ACT_HARD_SIGMOID) && fabsf(s->p.unary.alpha - 1.0f / 6.0f) <= 1e-7f &&
                    s->p.unary.beta == 0.5f)
                    fn = FROST__ACT_HARD_SWISH;
                else if (is_unary(s, FROST__ACT_SIGMOID))
                    fn = FROST__ACT_SWISH;
                if (fn >= 0) {
                    x = xv;
                    g->nodes[si].dead = true;
                }
            }
        }
        frost__free(&g->alloc, uses);
        if (fn < 0) continue;
        become_unary(n, x, fn, 0, 0);
        const char *name = fn == FROST__ACT_HARD_SWISH ? "HardSwish" : "Swish";
        char *op = frost__alloc(&g->alloc, strlen(name) + 1);
        if (!op) return frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
        memcpy(op, name, strlen(name) + 1);
        frost__free(&g->alloc, n->src_op);
        n->src_op = op;
        if (fn == FROST__ACT_HARD_SWISH) n_hswish++;
        else n_swish++;
    }
    if (n_hswish || n_swish)
        frost__graph_report(g, "pointwise: %d HardSwish and %d Swish subgraphs became one activation",
                            n_hswish, n_swish);
    return FROST_OK;
}
