/* fuse.c — folds the ops that follow a MatMul or a convolution into it: a constant per-channel
 * bias add (TF BiasAdd, ONNX Add after Gemm/Conv, Keras Dense) becomes the producer's bias input,
 * and a following activation (Relu, Relu6, Sigmoid, ...) its fused activation. The kernels then
 * apply both while the result is still in registers, instead of two more passes over memory.
 * Only when the intermediate tensor has no other consumer and is not a graph output. */
#include "passes/passes.h"

#include <stdio.h>

static bool is_fusable_producer(const frost__node *n) {
    return n->op == FROST__OP_MATMUL || n->op == FROST__OP_CONV2D ||
           n->op == FROST__OP_DEPTHWISE_CONV2D;
}

static frost__act_params *act_of(frost__node *n) {
    return n->op == FROST__OP_MATMUL ? &n->p.matmul.act : &n->p.conv.act;
}

static int bias_slot(const frost__node *n) { return 2; }

/* The single consumer of value v (node index), or -1 when it has several, none, or is an output. */
static int sole_consumer(const frost__graph *g, const int *uses, int v) {
    if (uses[v] != 1) return -1;
    for (int i = 0; i < g->n_outputs; i++)
        if (g->outputs[i] == v) return -1;
    for (int i = 0; i < g->n_nodes; i++) {
        const frost__node *n = &g->nodes[i];
        if (n->dead) continue;
        for (int k = 0; k < n->n_in; k++)
            if (n->in[k] == v) return i;
    }
    return -1;
}

/* The output channel count of a producer, from its (load-time) output shape; -1 if unknown. */
static int64_t channels(const frost__graph *g, const frost__node *n) {
    const frost__shape *s = &g->values[n->out[0]].shape;
    if (s->rank < 1) return -1;
    return s->d[s->rank - 1];
}

/* A constant whose values form one vector of c floats: shape [c], [1,c], [1,1,1,c]... */
static bool is_channel_vector(const frost__value *v, int64_t c) {
    if (v->kind != FROST__VAL_CONST || v->dtype != FROST_DTYPE_F32 || c < 1) return false;
    if (v->shape.rank < 1) return false;
    for (int i = 0; i + 1 < v->shape.rank; i++)
        if (v->shape.d[i] != 1) return false;
    return v->shape.d[v->shape.rank - 1] == c;
}

static bool fusable_act(int fn) {
    switch (fn) {
    case FROST__ACT_RELU: case FROST__ACT_RELU6: case FROST__ACT_CLIP: case FROST__ACT_LEAKY_RELU:
    case FROST__ACT_ELU: case FROST__ACT_SELU: case FROST__ACT_SIGMOID: case FROST__ACT_TANH:
    case FROST__ACT_HARD_SIGMOID: case FROST__ACT_SOFTPLUS: case FROST__ACT_SOFTSIGN:
    case FROST__ACT_SWISH: case FROST__ACT_GELU: case FROST__ACT_GELU_TANH:
    case FROST__ACT_HARD_SWISH:
        return true;
    default:
        return false;
    }
}

frost_status frost__pass_fuse(frost__graph *g, frost_error *err) {
    int n_bias = 0, n_act = 0;
    for (int i = 0; i < g->n_nodes; i++) {
        frost__node *p = &g->nodes[i];
        if (p->dead || !is_fusable_producer(p) || p->n_out != 1) continue;
        for (;;) {
            int *uses = frost__graph_use_counts(g);
            if (!uses) return frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
            int ci = sole_consumer(g, uses, p->out[0]);
            frost__free(&g->alloc, uses);
            if (ci < 0) break;
            frost__node *c = &g->nodes[ci];
            frost__act_params *act = act_of(p);
            bool has_bias = p->n_in > bias_slot(p) && p->in[bias_slot(p)] >= 0;
            if (act->act == FROST__ACT_NONE && !has_bias && c->op == FROST__OP_BINARY &&
                c->p.binary.fn == FROST__BIN_ADD && c->n_in == 2) {
                int other = c->in[0] == p->out[0] ? c->in[1] : c->in[0];
                if (c->in[0] == c->in[1] || other < 0 ||
                    !is_channel_vector(&g->values[other], channels(g, p)))
                    break;
                /* The bias must broadcast like an [c] vector: the add's output shape equals ours. */
                if (!frost__shape_equal(&g->values[c->out[0]].shape, &g->values[p->out[0]].shape)) break;
                if (p->n_in <= bias_slot(p)) {
                    int *in = frost__calloc(&g->alloc, (size_t)bias_slot(p) + 1, sizeof(int));
                    if (!in) return frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
                    for (int k = 0; k < p->n_in; k++) in[k] = p->in[k];
                    for (int k = p->n_in; k < bias_slot(p); k++) in[k] = -1;
                    frost__free(&g->alloc, p->in);
                    p->in = in;
                    p->n_in = bias_slot(p) + 1;
                }
                /* A bias of shape [1,..,c] is the same bytes as [c]. */
                frost__value *bv = &g->values[other];
                int64_t cdim = bv->shape.d[bv->shape.rank - 1];
                bv->shape.rank = 1;
                bv->shape.d[0] = cdim;
                p->in[bias_slot(p)] = other;
            } else if (act->act == FROST__ACT_NONE && c->op == FROST__OP_UNARY &&
                       fusable_act(c->p.unary.fn)) {
                act->act = (frost__act)c->p.unary.fn;
                act->alpha = c->p.unary.alpha;
                act->beta = c->p.unary.beta;
                n_act++;
                n_bias--; /* counted below */
            } else {
                break;
            }
            n_bias++;
            /* The op now reads "Conv2D+BiasAdd+Relu" in frost inspect. */
            size_t len = strlen(p->src_op) + strlen(c->src_op) + 2;
            char *op = frost__alloc(&g->alloc, len);
            if (!op) return frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
            snprintf(op, len, "%s+%s", p->src_op, c->src_op);
            frost__free(&g->alloc, p->src_op);
            p->src_op = op;
            /* The consumer's output is now the producer's: its name and its uses move over. */
            int from = c->out[0], to = p->out[0];
            frost__graph_replace_uses(g, from, to, true);
            g->values[to].shape = g->values[from].shape;
            char *name = g->values[to].name; /* the fused tensor is known by the last op's name */
            g->values[to].name = g->values[from].name;
            g->values[from].name = name;
            c->dead = true;
        }
    }
    if (n_bias || n_act)
        frost__graph_report(g, "fused %d bias adds and %d activations into MatMul/Conv", n_bias, n_act);
    return FROST_OK;
}
