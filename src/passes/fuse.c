/* fuse.c — folds the ops that follow a MatMul or a convolution into it: a constant per-channel
 * bias add (TF BiasAdd, ONNX Add after Gemm/Conv, Keras Dense) becomes the producer's bias input,
 * and a following activation (Relu, Relu6, Sigmoid, ...) its fused activation. The kernels then
 * apply both while the result is still in registers, instead of two more passes over memory.
 * Only when the intermediate tensor has no other consumer and is not a graph output. */
#include "passes/passes.h"
#include "core/names.h"

#include <math.h>
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

static const float *const_floats(const frost__graph *g, int v, int64_t n);
static frost_status ensure_bias_slot(frost__graph *g, frost__node *p, frost_error *err);
static void fresh_name(const frost__graph *g, const char *base, const char *what, char *out,
                       size_t size);

/* A one-element f32 constant (a scalar, or [1], [1,1], ...). */
static bool is_scalar_const(const frost__value *v) {
    return v->kind == FROST__VAL_CONST && v->dtype == FROST_DTYPE_F32 && v->data &&
           v->nbytes == sizeof(float);
}

/* Adds a constant (a channel vector or a scalar) to the producer's existing bias: a new bias
 * constant b + t, since the old one may feed other nodes. */
static frost_status add_to_bias(frost__graph *g, int pi, int tv, int64_t c, bool *done,
                                frost_error *err) {
    *done = false;
    const frost__node *p = &g->nodes[pi];
    const bool has_bias = p->n_in > bias_slot(p) && p->in[bias_slot(p)] >= 0;
    const float *ob = has_bias ? const_floats(g, p->in[bias_slot(p)], c) : NULL;
    if (has_bias && !ob) return FROST_OK;
    const bool scalar = is_scalar_const(&g->values[tv]);
    const float *t = g->values[tv].data;
    float *nb = frost__alloc(&g->alloc, (size_t)c * sizeof(float));
    if (!nb) return frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory folding a bias");
    for (int64_t j = 0; j < c; j++) nb[j] = (ob ? ob[j] : 0.0f) + t[scalar ? 0 : j];
    char name[512];
    const frost__shape bshape = frost__shape_make(1, &c);
    fresh_name(g, p->name, "folded_bias", name, sizeof name);
    int bv = frost__graph_add_const_owned(g, name, FROST_DTYPE_F32, &bshape, nb,
                                          (size_t)c * sizeof(float), err);
    if (bv < 0) return FROST_E_NOMEM;
    FROST_TRY(ensure_bias_slot(g, &g->nodes[pi], err));
    g->nodes[pi].in[bias_slot(&g->nodes[pi])] = bv;
    *done = true;
    return FROST_OK;
}

/* Grows a node's input list to `n` entries (new ones absent, -1). */
static frost_status ensure_input_slots(frost__graph *g, frost__node *p, int n, frost_error *err) {
    if (p->n_in >= n) return FROST_OK;
    int *in = frost__calloc(&g->alloc, (size_t)n, sizeof(int));
    if (!in) return frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
    for (int k = 0; k < n; k++) in[k] = k < p->n_in ? p->in[k] : -1;
    frost__free(&g->alloc, p->in);
    p->in = in;
    p->n_in = n;
    return FROST_OK;
}

/* Whether value v is computed from the output of node pi (the node list is in topological order:
 * only producers after pi can). work: 2 * n_nodes ints (visited flags, then a stack). */
static bool depends_on(const frost__graph *g, int v, int pi, int *work) {
    int *visited = work, *stack = work + g->n_nodes, sp = 0;
    const int q0 = v >= 0 ? g->values[v].producer : -1;
    if (q0 < pi) return false;
    stack[sp++] = q0;
    visited[q0] = 1;
    while (sp) {
        const int q = stack[--sp];
        if (q == pi) return true;
        const frost__node *n = &g->nodes[q];
        for (int k = 0; k < n->n_in; k++) {
            const int r = n->in[k] >= 0 ? g->values[n->in[k]].producer : -1;
            if (r >= pi && !visited[r]) {
                visited[r] = 1;
                stack[sp++] = r;
            }
        }
    }
    return false;
}

/* Conv pi followed by consumer ci = Add(conv, skip) where skip is another f32 tensor of exactly
 * the conv's (fully known) shape, not computed from the conv's output, and the conv has no
 * residual or post-affine yet. When skip is computed after the conv (BlazeFace pads its skip
 * branch after the conv branch), *move says the fused conv must take the Add's place in the node
 * list, where skip is ready (its own inputs are all earlier still). */
static bool residual_fusable(const frost__graph *g, int pi, int ci, bool *move) {
    *move = false;
    const frost__node *p = &g->nodes[pi], *c = &g->nodes[ci];
    if ((p->op != FROST__OP_CONV2D && p->op != FROST__OP_DEPTHWISE_CONV2D) ||
        p->p.conv.post_affine || (p->n_in > 3 && p->in[3] >= 0))
        return false;
    if (c->op != FROST__OP_BINARY || c->p.binary.fn != FROST__BIN_ADD || c->n_in != 2 ||
        c->in[0] == c->in[1])
        return false;
    const int other = c->in[0] == p->out[0] ? c->in[1] : c->in[0];
    if (other < 0) return false;
    const frost__value *o = &g->values[other], *y = &g->values[p->out[0]];
    if (o->kind == FROST__VAL_CONST || o->dtype != FROST_DTYPE_F32 || !frost__shape_known(&y->shape) ||
        !frost__shape_equal(&o->shape, &y->shape) ||
        !frost__shape_equal(&g->values[c->out[0]].shape, &y->shape))
        return false;
    if (o->producer < pi) return true; /* inputs (-1) and earlier nodes */
    int *work = frost__calloc(&g->alloc, 2 * (size_t)g->n_nodes, sizeof(int));
    if (!work) return false; /* out of memory: just no fusion */
    const bool dep = depends_on(g, other, pi, work);
    frost__free(&g->alloc, work);
    *move = !dep;
    return !dep;
}

/* Puts fused node i in the place of (dead) node j > i, keeping the producer indices right. */
static void move_node(frost__graph *g, int i, int j) {
    frost__node t = g->nodes[i];
    g->nodes[i] = g->nodes[j];
    g->nodes[j] = t;
    for (int k = 0; k < g->nodes[j].n_out; k++)
        if (g->nodes[j].out[k] >= 0) g->values[g->nodes[j].out[k]].producer = j;
    for (int k = 0; k < g->nodes[i].n_out; k++)
        if (g->nodes[i].out[k] >= 0 && g->values[g->nodes[i].out[k]].producer == j)
            g->values[g->nodes[i].out[k]].producer = i;
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

/* ---- A constant floor or ceiling after the activation ----------------------------------------
 * Max(act(conv), c) and Min(act(conv), c) with a constant scalar c (openWakeWord's embedding
 * network floors each LeakyRelu at -0.4): the clamp joins the activation, applied on registers by
 * the kernels' epilogues (params.h) instead of a pass over the output. The composition rule is
 * clamp(clamp(x, a, b), lo, hi) = clamp(x, clamp(a, lo, hi), clamp(b, lo, hi)), so a clamp after
 * RELU, RELU6 or CLIP (or no activation) makes a CLIP; after any other activation the act keeps
 * its kind and carries the clamp. */

/* Consumer c of conv p's output: Max or Min with a one-element f32 constant, same output shape. */
static bool clamp_foldable(const frost__graph *g, const frost__node *p, const frost__node *c) {
    if (p->op == FROST__OP_MATMUL || p->p.conv.post_affine) return false; /* clamp before affine */
    if (c->op != FROST__OP_BINARY || c->n_in != 2 || c->in[0] == c->in[1] ||
        (c->p.binary.fn != FROST__BIN_MAX && c->p.binary.fn != FROST__BIN_MIN))
        return false;
    const int other = c->in[0] == p->out[0] ? c->in[1] : c->in[0];
    return other >= 0 && is_scalar_const(&g->values[other]) &&
           !isnan(*(const float *)g->values[other].data) &&
           frost__shape_equal(&g->values[c->out[0]].shape, &g->values[p->out[0]].shape);
}

static float max_f(float a, float b) { return a > b ? a : b; }
static float min_f(float a, float b) { return a < b ? a : b; }

/* act then Max(k) (is_max) or Min(k), as one frost__act_params. */
static void fold_clamp(frost__act_params *act, bool is_max, float k) {
    float lo = is_max ? k : -INFINITY, hi = is_max ? INFINITY : k;
    switch (act->act) {
    case FROST__ACT_NONE: case FROST__ACT_RELU: case FROST__ACT_RELU6: case FROST__ACT_CLIP: {
        const float a = act->act == FROST__ACT_CLIP ? act->alpha
                        : act->act == FROST__ACT_NONE ? -INFINITY : 0.0f;
        const float b = act->act == FROST__ACT_CLIP  ? act->beta
                        : act->act == FROST__ACT_RELU6 ? 6.0f : INFINITY;
        act->act = FROST__ACT_CLIP;
        act->alpha = min_f(max_f(a, lo), hi);
        act->beta = min_f(max_f(b, lo), hi);
        return;
    }
    default:
        if (act->clamp) { /* a second Max/Min: composed with the first */
            const float a = min_f(max_f(act->lo, lo), hi), b = min_f(max_f(act->hi, lo), hi);
            lo = a;
            hi = b;
        }
        act->clamp = true;
        act->lo = lo;
        act->hi = hi;
        return;
    }
}

/* Grows the producer's input list to hold a bias (absent optional inputs are -1). */
static frost_status ensure_bias_slot(frost__graph *g, frost__node *p, frost_error *err) {
    if (p->n_in > bias_slot(p)) return FROST_OK;
    int *in = frost__calloc(&g->alloc, (size_t)bias_slot(p) + 1, sizeof(int));
    if (!in) return frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
    for (int k = 0; k < p->n_in; k++) in[k] = p->in[k];
    for (int k = p->n_in; k < bias_slot(p); k++) in[k] = -1;
    frost__free(&g->alloc, p->in);
    p->in = in;
    p->n_in = bias_slot(p) + 1;
    return FROST_OK;
}

/* ---- Folding a per-channel affine map into the producer's weights -----------------------------
 * A BatchNorm with constant statistics after a MatMul/Conv is y = (x·W + b - mean) * s + offset
 * with s = scale / sqrt(variance + epsilon): the same as x·(W*s) + ((b - mean) * s + offset). A
 * Mul by a constant channel vector (how frozen Keras graphs spell BatchNorm) is the case mean = 0,
 * offset = 0. Folding removes a pass over the activations and a step per layer. */

/* The f32 data of constant value v when it holds exactly n floats, else NULL. */
static const float *const_floats(const frost__graph *g, int v, int64_t n) {
    if (v < 0) return NULL;
    const frost__value *x = &g->values[v];
    if (x->kind != FROST__VAL_CONST || x->dtype != FROST_DTYPE_F32 || !x->data ||
        x->nbytes != (size_t)n * sizeof(float))
        return NULL;
    return x->data;
}

/* How the producer's weights hold output channel j: element (r, j) of a rows x c matrix when
 * channels are the last dimension (HWIO filters, MatMul B), or row j when transposed (B^T). */
typedef struct weight_view { int value; int64_t rows, c; bool channel_rows; } weight_view;

static bool weights_of(const frost__graph *g, const frost__node *p, int64_t c, weight_view *w) {
    if (p->n_in < 2 || p->in[1] < 0) return false;
    const frost__value *v = &g->values[p->in[1]];
    int64_t numel;
    if (v->kind != FROST__VAL_CONST || v->dtype != FROST_DTYPE_F32 || !v->data ||
        !frost__shape_numel_ok(&v->shape, &numel) || numel < 1 ||
        v->nbytes != (size_t)numel * sizeof(float) || numel % c != 0)
        return false;
    const frost__shape *s = &v->shape;
    w->value = p->in[1];
    w->c = c;
    w->rows = numel / c;
    w->channel_rows = false;
    if (p->op == FROST__OP_MATMUL) {
        if (s->rank != 2 || p->p.matmul.transpose_a) return false;
        w->channel_rows = p->p.matmul.transpose_b;
        return s->d[w->channel_rows ? 0 : 1] == c;
    }
    if (p->op == FROST__OP_CONV2D) return s->rank == 4 && s->d[3] == c;
    /* DEPTHWISE_CONV2D: [kh, kw, cin, mult] is [kh*kw, cin*mult] by output channel. */
    return s->rank == 4 && s->d[2] * s->d[3] == c;
}

/* A name no value has yet: "<base>/<what>", then "<base>/<what>_2", ... */
static void fresh_name(const frost__graph *g, const char *base, const char *what, char *out,
                       size_t size) {
    snprintf(out, size, "%s/%s", base, what);
    for (int k = 2; frost__graph_lookup(g, out) >= 0; k++) snprintf(out, size, "%s/%s_%d", base, what, k);
}

/* Replaces the producer's weights by W*s and its bias by b*s + t (b = 0 when absent). New
 * constants: the old weights may feed other nodes. */
static frost_status fold_affine(frost__graph *g, int pi, const weight_view *w, const float *s,
                                const float *t, frost_error *err) {
    const int64_t c = w->c, n = w->rows * c;
    float *nw = frost__alloc(&g->alloc, (size_t)n * sizeof(float));
    float *nb = frost__alloc(&g->alloc, (size_t)c * sizeof(float));
    if (!nw || !nb) {
        frost__free(&g->alloc, nw);
        frost__free(&g->alloc, nb);
        return frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory folding a BatchNorm");
    }
    const float *ow = g->values[w->value].data;
    for (int64_t r = 0; r < w->rows; r++)
        for (int64_t j = 0; j < c; j++) {
            const int64_t k = w->channel_rows ? j * w->rows + r : r * c + j;
            nw[k] = ow[k] * s[j];
        }
    const frost__node *p = &g->nodes[pi];
    const bool has_bias = p->n_in > bias_slot(p) && p->in[bias_slot(p)] >= 0;
    const float *ob = has_bias ? const_floats(g, p->in[bias_slot(p)], c) : NULL;
    for (int64_t j = 0; j < c; j++) nb[j] = (ob ? ob[j] : 0.0f) * s[j] + (t ? t[j] : 0.0f);

    char name[512];
    const frost__shape wshape = g->values[w->value].shape, bshape = frost__shape_make(1, &c);
    fresh_name(g, p->name, "folded_weights", name, sizeof name);
    int wv = frost__graph_add_const_owned(g, name, FROST_DTYPE_F32, &wshape, nw,
                                          (size_t)n * sizeof(float), err);
    if (wv < 0) {
        frost__free(&g->alloc, nb);
        return FROST_E_NOMEM; /* the only way a fresh, valid constant fails */
    }
    fresh_name(g, g->nodes[pi].name, "folded_bias", name, sizeof name);
    int bv = frost__graph_add_const_owned(g, name, FROST_DTYPE_F32, &bshape, nb,
                                          (size_t)c * sizeof(float), err);
    if (bv < 0) return FROST_E_NOMEM; /* the only way a fresh, valid constant fails */
    FROST_TRY(ensure_bias_slot(g, &g->nodes[pi], err));
    g->nodes[pi].in[1] = wv;
    g->nodes[pi].in[bias_slot(&g->nodes[pi])] = bv;
    return FROST_OK;
}

/* Folds consumer ci (a constant-statistics BatchNorm on the channel axis, or a Mul by a constant
 * channel vector) into producer pi. False (and nothing changed) when it does not apply. */
static frost_status try_fold_affine(frost__graph *g, int pi, int ci, bool *folded, frost_error *err) {
    *folded = false;
    const frost__node *p = &g->nodes[pi], *c = &g->nodes[ci];
    const int64_t ch = channels(g, p);
    weight_view w;
    if (ch < 1 || !weights_of(g, p, ch, &w)) return FROST_OK;
    const bool has_bias = p->n_in > bias_slot(p) && p->in[bias_slot(p)] >= 0;
    if (has_bias && !const_floats(g, p->in[bias_slot(p)], ch)) return FROST_OK;
    if (!frost__shape_equal(&g->values[c->out[0]].shape, &g->values[p->out[0]].shape)) return FROST_OK;
    float *s = frost__alloc(&g->alloc, (size_t)ch * 2 * sizeof(float));
    if (!s) return frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory folding a BatchNorm");
    float *t = s + ch;
    bool ok = false;
    if (c->op == FROST__OP_BATCH_NORM && c->n_in == 5) {
        const int rank = g->values[p->out[0]].shape.rank;
        const int axis = c->p.batch_norm.axis < 0 ? c->p.batch_norm.axis + rank : c->p.batch_norm.axis;
        bool other_outputs_used = false;
        int *uses = frost__graph_use_counts(g);
        if (!uses) {
            frost__free(&g->alloc, s);
            return frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
        }
        for (int k = 1; k < c->n_out; k++) other_outputs_used |= uses[c->out[k]] > 0;
        for (int k = 1; k < c->n_out; k++)
            for (int o = 0; o < g->n_outputs; o++) other_outputs_used |= g->outputs[o] == c->out[k];
        frost__free(&g->alloc, uses);
        const float *scale = c->in[1] >= 0 ? const_floats(g, c->in[1], ch) : NULL;
        const float *offset = c->in[2] >= 0 ? const_floats(g, c->in[2], ch) : NULL;
        const float *mean = const_floats(g, c->in[3], ch), *var = const_floats(g, c->in[4], ch);
        ok = axis == rank - 1 && !other_outputs_used && mean && var &&
             (c->in[1] < 0 || scale) && (c->in[2] < 0 || offset);
        for (int64_t j = 0; ok && j < ch; j++) {
            s[j] = (float)((scale ? scale[j] : 1.0) / sqrt((double)var[j] + c->p.batch_norm.epsilon));
            t[j] = (offset ? offset[j] : 0.0f) - mean[j] * s[j];
            ok = isfinite(s[j]) && isfinite(t[j]); /* a bad variance stays the op's to report */
        }
    } else if (c->op == FROST__OP_BINARY && c->p.binary.fn == FROST__BIN_MUL && c->n_in == 2 &&
               c->in[0] != c->in[1]) {
        int other = c->in[0] == p->out[0] ? c->in[1] : c->in[0];
        const bool scalar = other >= 0 && is_scalar_const(&g->values[other]);
        const float *m = other >= 0 && (scalar || is_channel_vector(&g->values[other], ch))
                             ? (const float *)g->values[other].data : NULL;
        ok = m != NULL;
        for (int64_t j = 0; ok && j < ch; j++) {
            s[j] = m[scalar ? 0 : j];
            t[j] = 0.0f;
        }
    }
    frost_status st = ok ? fold_affine(g, pi, &w, s, t, err) : FROST_OK;
    frost__free(&g->alloc, s);
    *folded = ok && st == FROST_OK;
    return st;
}

/* ---- Depthwise then 1x1: one step ------------------------------------------------------------
 * MobileNet-style blocks run a depthwise conv and then a 1x1 conv on its output. Fused, the 1x1
 * conv computes the depthwise output a few rows at a time into a workspace and multiplies it while
 * it is in cache (ops/conv.c, CONV_DWPW): the depthwise output never makes a round trip through
 * memory. The depthwise conv (DEPTHWISE_CONV2D with multiplier 1, or CONV2D with one input channel
 * per group) must have constant weights, no residual, and the 1x1 conv (stride 1, no padding,
 * ungrouped, constant weights) as the only consumer of its output. */

/* The [kh, kw, C, 1] depthwise filter value of node d, or -1 when d is not a foldable depthwise. */
static int depthwise_filter(const frost__graph *g, const frost__node *d) {
    if (d->dead || d->n_out != 1 || d->n_in < 2 || d->in[1] < 0 || (d->n_in > 3 && d->in[3] >= 0))
        return -1;
    const frost__value *f = &g->values[d->in[1]], *x = &g->values[d->in[0]];
    if (f->kind != FROST__VAL_CONST || f->dtype != FROST_DTYPE_F32 || f->shape.rank != 4 ||
        x->shape.rank != 4 || x->shape.d[3] < 1)
        return -1;
    if (d->op == FROST__OP_DEPTHWISE_CONV2D && f->shape.d[3] == 1) return d->in[1];
    /* HWIO [kh, kw, 1, C] with C groups is byte for byte the depthwise [kh, kw, C, 1]. */
    if (d->op == FROST__OP_CONV2D && d->p.conv.groups == x->shape.d[3] && f->shape.d[2] == 1 &&
        f->shape.d[3] == x->shape.d[3] && !d->p.conv.dw)
        return d->in[1];
    return -1;
}

static bool pointwise_conv(const frost__graph *g, const frost__node *p) {
    if (p->dead || p->op != FROST__OP_CONV2D || p->p.conv.dw || p->n_in < 2 || p->in[1] < 0 ||
        (p->p.conv.groups > 1))
        return false;
    const frost__window *w = &p->p.conv.w;
    const frost__value *f = &g->values[p->in[1]];
    const bool no_pad = w->padding != FROST__PAD_EXPLICIT ||
                        (w->pad_top == 0 && w->pad_bottom == 0 && w->pad_left == 0 && w->pad_right == 0);
    return f->kind == FROST__VAL_CONST && f->shape.rank == 4 && f->shape.d[0] == 1 &&
           f->shape.d[1] == 1 && (w->stride_h <= 1) && (w->stride_w <= 1) && no_pad;
}

static frost_status fuse_depthwise_pointwise(frost__graph *g, frost_error *err) {
    int fused = 0;
    for (int i = 0; i < g->n_nodes; i++) {
        frost__node *d = &g->nodes[i];
        const int df = depthwise_filter(g, d);
        if (df < 0) continue;
        int *uses = frost__graph_use_counts(g);
        if (!uses) return frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
        const int pi = sole_consumer(g, uses, d->out[0]);
        frost__free(&g->alloc, uses);
        if (pi < 0) continue;
        frost__node *p = &g->nodes[pi];
        d = &g->nodes[i];
        if (!pointwise_conv(g, p) || p->in[0] != d->out[0] || (p->n_in > 3 && p->in[3] == d->out[0]))
            continue;
        FROST_TRY(ensure_input_slots(g, p, 6, err));
        d = &g->nodes[i];
        p->in[0] = d->in[0];
        p->in[4] = df;
        p->in[5] = d->n_in > 2 ? d->in[2] : -1;
        p->p.conv.dw = true;
        p->p.conv.dw_w = d->p.conv.w;
        p->p.conv.dw_act = d->p.conv.act;
        p->p.conv.dw_post = d->p.conv.post_affine;
        p->p.conv.dw_post_scale = d->p.conv.post_scale;
        p->p.conv.dw_post_shift = d->p.conv.post_shift;
        /* Reads "Conv+Relu > Conv+Add+Relu" in frost inspect: the depthwise part first. */
        size_t len = strlen(d->src_op) + strlen(p->src_op) + 4;
        char *op = frost__alloc(&g->alloc, len);
        if (!op) return frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
        snprintf(op, len, "%s > %s", d->src_op, p->src_op);
        frost__free(&g->alloc, p->src_op);
        p->src_op = op;
        frost__names_retire(g, d->out[0]);
        d->dead = true;
        fused++;
    }
    if (fused)
        frost__graph_report(g, "fused %d depthwise convs into the 1x1 convs after them (computed "
                               "tile by tile)", fused);
    return FROST_OK;
}

frost_status frost__pass_fuse(frost__graph *g, frost_error *err) {
    int n_bias = 0, n_act = 0, n_bn = 0, n_post = 0, n_res = 0, n_clamp = 0;
    for (int i = 0; i < g->n_nodes; i++) {
        frost__node *p = &g->nodes[i];
        if (p->dead || !is_fusable_producer(p) || p->n_out != 1) continue;
        int move_to = -1; /* a residual computed after the conv: the conv moves there */
        for (;;) {
            int *uses = frost__graph_use_counts(g);
            if (!uses) return frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
            int ci = sole_consumer(g, uses, p->out[0]);
            frost__free(&g->alloc, uses);
            if (ci < 0) break;
            frost__node *c = &g->nodes[ci];
            frost__act_params *act = act_of(p);
            bool has_bias = p->n_in > bias_slot(p) && p->in[bias_slot(p)] >= 0, move = false;
            if (act->act == FROST__ACT_NONE && !has_bias && c->op == FROST__OP_BINARY &&
                c->p.binary.fn == FROST__BIN_ADD && c->n_in == 2) {
                int other = c->in[0] == p->out[0] ? c->in[1] : c->in[0];
                if (c->in[0] == c->in[1] || other < 0 ||
                    !is_channel_vector(&g->values[other], channels(g, p)))
                    break;
                /* The bias must broadcast like an [c] vector: the add's output shape equals ours. */
                if (!frost__shape_equal(&g->values[c->out[0]].shape, &g->values[p->out[0]].shape)) break;
                FROST_TRY(ensure_bias_slot(g, p, err));
                /* A bias of shape [1,..,c] is the same bytes as [c]. */
                frost__value *bv = &g->values[other];
                int64_t cdim = bv->shape.d[bv->shape.rank - 1];
                bv->shape.rank = 1;
                bv->shape.d[0] = cdim;
                p->in[bias_slot(p)] = other;
            } else if (act->act == FROST__ACT_NONE && p->op != FROST__OP_MATMUL &&
                       residual_fusable(g, i, ci, &move)) {
                if (move) move_to = ci;
                /* A residual connection, conv(x) + skip: the conv adds `skip` in its tail (before
                 * any activation fused next), one pass over the output instead of two or three. */
                const int other = c->in[0] == p->out[0] ? c->in[1] : c->in[0];
                FROST_TRY(ensure_input_slots(g, p, 4, err));
                p->in[3] = other;
                n_res++;
                n_bias--; /* counted below */
            } else if (act->act == FROST__ACT_NONE && c->op == FROST__OP_BINARY &&
                       c->p.binary.fn == FROST__BIN_ADD && c->n_in == 2 && c->in[0] != c->in[1] &&
                       frost__shape_equal(&g->values[c->out[0]].shape, &g->values[p->out[0]].shape) &&
                       (is_scalar_const(&g->values[c->in[0] == p->out[0] ? c->in[1] : c->in[0]]) ||
                        is_channel_vector(&g->values[c->in[0] == p->out[0] ? c->in[1] : c->in[0]],
                                          channels(g, p)))) {
                /* A constant added to a producer that has a bias already, or a scalar. */
                bool done;
                FROST_TRY(add_to_bias(g, i, c->in[0] == p->out[0] ? c->in[1] : c->in[0],
                                      channels(g, p), &done, err));
                if (!done) break;
                p = &g->nodes[i];
                c = &g->nodes[ci];
            } else if (act->act != FROST__ACT_NONE && p->op != FROST__OP_MATMUL &&
                       c->op == FROST__OP_BINARY && c->n_in == 2 && c->in[0] != c->in[1] &&
                       (c->p.binary.fn == FROST__BIN_MUL || c->p.binary.fn == FROST__BIN_ADD) &&
                       is_scalar_const(&g->values[c->in[0] == p->out[0] ? c->in[1] : c->in[0]]) &&
                       frost__shape_equal(&g->values[c->out[0]].shape, &g->values[p->out[0]].shape)) {
                /* A scalar scale or shift after the activation: kept as the conv's post-affine. */
                const float k =
                    *(const float *)g->values[c->in[0] == p->out[0] ? c->in[1] : c->in[0]].data;
                if (!p->p.conv.post_affine) {
                    p->p.conv.post_affine = true;
                    p->p.conv.post_scale = 1.0f;
                    p->p.conv.post_shift = 0.0f;
                }
                if (c->p.binary.fn == FROST__BIN_MUL) {
                    p->p.conv.post_scale *= k;
                    p->p.conv.post_shift *= k;
                } else {
                    p->p.conv.post_shift += k;
                }
                n_post++;
                n_bias--; /* counted below */
            } else if (act->act == FROST__ACT_NONE &&
                       (c->op == FROST__OP_BATCH_NORM ||
                        (c->op == FROST__OP_BINARY && c->p.binary.fn == FROST__BIN_MUL))) {
                bool folded;
                FROST_TRY(try_fold_affine(g, i, ci, &folded, err));
                if (!folded) break;
                p = &g->nodes[i]; /* (values grew; nodes did not, but stay safe) */
                c = &g->nodes[ci];
                n_bn++;
                n_bias--; /* counted below */
            } else if (clamp_foldable(g, p, c)) {
                const int other = c->in[0] == p->out[0] ? c->in[1] : c->in[0];
                fold_clamp(act, c->p.binary.fn == FROST__BIN_MAX,
                           *(const float *)g->values[other].data);
                n_clamp++;
                n_bias--; /* counted below */
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
            /* The consumer's output is now the producer's: its name and its uses move over. The
             * producer's own names are retired: they named values that no longer exist. */
            int from = c->out[0], to = p->out[0];
            frost__names_retire(g, to);
            frost__graph_replace_uses(g, from, to, true);
            g->values[to].shape = g->values[from].shape;
            char *name = g->values[to].name; /* the fused tensor is known by the last op's name */
            g->values[to].name = g->values[from].name;
            g->values[from].name = name;
            c->dead = true;
        }
        if (move_to > i) move_node(g, i, move_to);
    }
    FROST_TRY(fuse_depthwise_pointwise(g, err));
    if (n_bias || n_act || n_bn || n_post || n_res || n_clamp)
        frost__graph_report(g, "fused %d bias adds, %d activations, %d BatchNorm/channel scales, "
                               "%d residual adds, %d scales/shifts and %d constant Max/Min after "
                               "an activation into MatMul/Conv", n_bias, n_act, n_bn, n_res,
                               n_post, n_clamp);
    return FROST_OK;
}
