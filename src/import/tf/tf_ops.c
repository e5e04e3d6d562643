/* tf_ops.c — TensorFlow op name -> canonical frost op(s) with typed params (ops/ops.def,
 * ops/params.h). One table row per TF op, read like every importer's (import/op_table.h): which
 * builder, which canonical op or function, and how many data inputs the node must have. TF
 * versions its ops by name (MaxPoolV2, FusedBatchNormV3), so rows carry no version range.
 *
 * Tensor operands (axes, shapes, perms) stay inputs; attributes that are operands elsewhere
 * (Squeeze's squeeze_dims, old Gather's implicit axis) become small constants named
 * "<node>#<what>" ('#' never appears in TF node names, so these never clash). NCHW convolutions
 * and pools are wrapped in transposes to NHWC.
 *
 * Never fails on an op it does not know, or on an attribute value it cannot honour: those become
 * UNSUPPORTED nodes whose op text says what was refused, so every problem is reported together
 * after the dead ones are pruned. Fails only on malformed nodes (wrong input count, bad attribute
 * types), naming the node. */
#include <stdio.h>

#include "import/import_util.h"
#include "import/op_table.h"
#include "import/tf/tf_internal.h"
#include "import/tf/tf_build.h"

/* ==== Attributes ============================================================================= */

static const FrostTf__AttrValue *attr_of(const frost__tf_node *c, const char *key, int value_case) {
    const FrostTf__AttrValue *a = frost__tf_attr(c->nd, key);
    return a && (int)a->value_case == value_case ? a : NULL;
}

static int64_t attr_int(const frost__tf_node *c, const char *key, int64_t def) {
    const FrostTf__AttrValue *a = attr_of(c, key, FROST_TF__ATTR_VALUE__VALUE_I);
    return a ? a->i : def;
}

static float attr_float(const frost__tf_node *c, const char *key, float def) {
    const FrostTf__AttrValue *a = attr_of(c, key, FROST_TF__ATTR_VALUE__VALUE_F);
    return a ? a->f : def;
}

static bool attr_bool(const frost__tf_node *c, const char *key, bool def) {
    const FrostTf__AttrValue *a = attr_of(c, key, FROST_TF__ATTR_VALUE__VALUE_B);
    return a ? a->b != 0 : def;
}

/* TF dtype of a type attribute, or -1 when absent. */
static int attr_type(const frost__tf_node *c, const char *key) {
    const FrostTf__AttrValue *a = attr_of(c, key, FROST_TF__ATTR_VALUE__VALUE_TYPE);
    return a ? (int)a->type : -1;
}

/* True when string attribute `key` equals `want`; `def` when the attribute is absent. */
static bool attr_str_is(const frost__tf_node *c, const char *key, const char *want, bool def) {
    const FrostTf__AttrValue *a = attr_of(c, key, FROST_TF__ATTR_VALUE__VALUE_S);
    if (!a) return def;
    size_t n = strlen(want);
    return a->s.len == n && (n == 0 || memcmp(a->s.data, want, n) == 0);
}

/* Copies string attribute `key` into buf (terminated, truncated); "" when absent. */
static const char *attr_str(const frost__tf_node *c, const char *key, char *buf, size_t cap) {
    const FrostTf__AttrValue *a = attr_of(c, key, FROST_TF__ATTR_VALUE__VALUE_S);
    size_t n = a ? a->s.len : 0;
    if (n >= cap) n = cap - 1;
    if (n) memcpy(buf, a->s.data, n);
    buf[n] = 0;
    return buf;
}

/* Integer list attribute; 0 values when absent. */
static size_t attr_ints(const frost__tf_node *c, const char *key, const int64_t **vals) {
    const FrostTf__AttrValue *a = attr_of(c, key, FROST_TF__ATTR_VALUE__VALUE_LIST);
    if (!a || !a->list) {
        *vals = NULL;
        return 0;
    }
    *vals = a->list->i;
    return a->list->n_i;
}

/* ==== Building =============================================================================== */

static frost_status bad_node(frost__tf_node *c, const char *fmt, ...) FROST_PRINTF(2, 3);
static frost_status bad_node(frost__tf_node *c, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    frost_status st =
        frost__import_vfail(c->err, FROST_E_FORMAT, "node", c->nd->name, c->nd->op, fmt, ap);
    va_end(ap);
    return st;
}

/* "<node>#<suffix>" for helper nodes and constants. */
static const char *sub_name(const frost__tf_node *c, const char *suffix, char *buf, size_t cap) {
    snprintf(buf, cap, "%s#%s", c->nd->name, suffix);
    return buf;
}

static int add_node(frost__tf_node *c, const char *name, int op, int n_in, const int *in, int n_out,
                    const frost__params *p) {
    return frost__graph_add_node(c->g, name, c->nd->op, op, n_in, in, n_out, p, c->err);
}

/* The TF node's ports are node `id`'s outputs. */
static frost_status emit(frost__tf_node *c, int id) {
    if (id < 0) return c->err->code;
    const frost__node *n = &c->g->nodes[id];
    int k = FROST_MIN(n->n_out, c->out_cap);
    for (int i = 0; i < k; i++) c->out[i] = n->out[i];
    c->n_out = k;
    return FROST_OK;
}

/* The common case: one canonical node named like the TF node, with its data inputs. */
static frost_status emit_simple(frost__tf_node *c, int op, int n_in, const int *in, int n_out,
                                const frost__params *p) {
    return emit(c, add_node(c, c->nd->name, op, n_in, in, n_out, p));
}

/* An int constant (I64 or I32), 1-D of n values, or a scalar when n == 1 and scalar. */
static int add_ints(frost__tf_node *c, const char *suffix, frost_dtype dt, const int64_t *v, int n,
                    bool scalar) {
    char name[600];
    if (n > FROST_MAX_RANK * 2) n = FROST_MAX_RANK * 2;
    return frost__import_const_ints(c->g, sub_name(c, suffix, name, sizeof name), dt, v, n, scalar,
                                    c->err);
}

frost_status frost__tf_unsupported(frost__tf_node *c, const char *why) {
    char op[256];
    if (why) snprintf(op, sizeof op, "%s (%s)", c->nd->op, why);
    else snprintf(op, sizeof op, "%s", c->nd->op);
    int id = frost__graph_add_node(c->g, c->nd->name, op, FROST__OP_UNSUPPORTED, c->n_in, c->in,
                                   FROST_MAX(1, c->n_used), NULL, c->err);
    return emit(c, id);
}

/* ---- Layout ---------------------------------------------------------------------------------- */

typedef enum { LAYOUT_NHWC = 0, LAYOUT_NCHW = 1, LAYOUT_OTHER = 2 } layout;

static layout data_format(const frost__tf_node *c) {
    if (attr_str_is(c, "data_format", "NHWC", true)) return LAYOUT_NHWC;
    if (attr_str_is(c, "data_format", "NCHW", false)) return LAYOUT_NCHW;
    return LAYOUT_OTHER;
}

/* x (NCHW) -> NHWC through a Transpose named "<node>#to_nhwc". */
static int to_nhwc(frost__tf_node *c, int x) {
    static const int64_t perm[4] = {0, 2, 3, 1};
    int p = add_ints(c, "perm_to_nhwc", FROST_DTYPE_I32, perm, 4, false);
    if (p < 0) return -1;
    char name[600];
    int in[2] = {x, p};
    int id = add_node(c, sub_name(c, "to_nhwc", name, sizeof name), FROST__OP_TRANSPOSE, 2, in, 1,
                      NULL);
    return id < 0 ? -1 : c->g->nodes[id].out[0];
}

/* Emits node `core` (NHWC) as the TF node: directly, or through a Transpose back to NCHW that
 * carries the TF node's name. */
static frost_status emit_layout(frost__tf_node *c, layout lay, int core) {
    if (core < 0) return c->err->code;
    if (lay == LAYOUT_NHWC) return emit(c, core);
    static const int64_t perm[4] = {0, 3, 1, 2};
    int p = add_ints(c, "perm_to_nchw", FROST_DTYPE_I32, perm, 4, false);
    if (p < 0) return c->err->code;
    int in[2] = {c->g->nodes[core].out[0], p};
    return emit_simple(c, FROST__OP_TRANSPOSE, 2, in, 1, NULL);
}

/* Name for the canonical node: the TF name when no transpose follows it. */
static const char *core_name(frost__tf_node *c, layout lay, char *buf, size_t cap) {
    return lay == LAYOUT_NHWC ? c->nd->name : sub_name(c, "nhwc", buf, cap);
}

/* Reads a 4-entry per-dimension attribute (strides, dilations, ksize) into (h, w). Entries for
 * batch and channels must be 1. Returns false (with *why) when frost cannot honour it. */
static bool const_ints(const frost__tf_node *c, int v, int64_t *vals, int *n);

static frost_status read_hw(frost__tf_node *c, const char *key, layout lay, int *h, int *w,
                            bool *ok) {
    const int64_t *v;
    size_t n = attr_ints(c, key, &v);
    /* MaxPoolV2 passes ksize and strides as (constant) inputs 1 and 2 instead. */
    int64_t from_input[FROST_MAX_RANK];
    int n_input = 0;
    int which = !strcmp(key, "ksize") ? 1 : !strcmp(key, "strides") ? 2 : 0;
    if (n == 0 && which && c->n_in == 3 && !strcmp(c->nd->op, "MaxPoolV2")) {
        if (!const_ints(c, c->in[which], from_input, &n_input)) {
            *ok = false;
            return FROST_OK;
        }
        v = from_input;
        n = (size_t)n_input;
    }
    *h = *w = 1;
    if (n == 0) return FROST_OK;
    if (n != 4) return bad_node(c, "attribute '%s' has %zu entries, expected 4", key, n);
    int ih = lay == LAYOUT_NCHW ? 2 : 1, iw = ih + 1;
    int ib = 0, ic = lay == LAYOUT_NCHW ? 1 : 3;
    for (int i = 0; i < 4; i++)
        if (v[i] < 1 || v[i] > (1 << 20))
            return bad_node(c, "attribute '%s' holds %lld", key, (long long)v[i]);
    if (v[ib] != 1 || v[ic] != 1) *ok = false;
    *h = (int)v[ih];
    *w = (int)v[iw];
    return FROST_OK;
}

/* strides, dilations (when `dilations`), padding -> window. *ok false: valid but unsupported. */
static frost_status read_window(frost__tf_node *c, layout lay, bool dilations, frost__window *w,
                                bool *ok) {
    memset(w, 0, sizeof *w);
    FROST_TRY(read_hw(c, "strides", lay, &w->stride_h, &w->stride_w, ok));
    w->dilation_h = w->dilation_w = 1;
    if (dilations) FROST_TRY(read_hw(c, "dilations", lay, &w->dilation_h, &w->dilation_w, ok));
    char pad[32];
    attr_str(c, "padding", pad, sizeof pad);
    if (strcmp(pad, "SAME") == 0) {
        w->padding = FROST__PAD_SAME_UPPER;
    } else if (strcmp(pad, "VALID") == 0) {
        w->padding = FROST__PAD_VALID;
    } else if (strcmp(pad, "EXPLICIT") == 0) {
        const int64_t *p;
        size_t n = attr_ints(c, "explicit_paddings", &p);
        if (n != 8) return bad_node(c, "EXPLICIT padding needs 8 explicit_paddings, got %zu", n);
        int ih = lay == LAYOUT_NCHW ? 2 : 1, iw = ih + 1;
        for (int i = 0; i < 8; i++)
            if (p[i] < 0 || p[i] > (1 << 20))
                return bad_node(c, "explicit padding %lld", (long long)p[i]);
        w->padding = FROST__PAD_EXPLICIT;
        w->pad_top = (int)p[2 * ih];
        w->pad_bottom = (int)p[2 * ih + 1];
        w->pad_left = (int)p[2 * iw];
        w->pad_right = (int)p[2 * iw + 1];
    } else {
        return bad_node(c, "unknown padding '%s'", pad);
    }
    return FROST_OK;
}

/* ==== Builders =============================================================================== */

typedef struct tf_op tf_op;
typedef frost_status (*tf_build_fn)(frost__tf_node *c, const tf_op *e);
struct tf_op {
    const char *name;
    tf_build_fn build;
    int op;       /* canonical op, when the builder uses one                          */
    int fn;       /* unary/binary/reduce function, or a builder-specific variant     */
    int min_in, max_in;
    int tf_outs;  /* outputs TF defines, when more than frost produces (0: as produced) */
};

static frost_status b_unary(frost__tf_node *c, const tf_op *e) {
    frost__params p;
    memset(&p, 0, sizeof p);
    p.unary.fn = e->fn;
    if (e->fn == FROST__ACT_LEAKY_RELU) p.unary.alpha = attr_float(c, "alpha", 0.2f);
    if (e->fn == FROST__ACT_ELU) p.unary.alpha = 1.0f;
    return emit_simple(c, FROST__OP_UNARY, 1, c->in, 1, &p);
}

static frost_status b_binary(frost__tf_node *c, const tf_op *e) {
    frost__params p;
    memset(&p, 0, sizeof p);
    p.binary.fn = e->fn;
    return emit_simple(c, FROST__OP_BINARY, 2, c->in, 1, &p);
}

/* Same op, no params, inputs passed through. */
static frost_status b_plain(frost__tf_node *c, const tf_op *e) {
    return emit_simple(c, e->op, c->n_in, c->in, 1, NULL);
}

static frost_status b_noop(frost__tf_node *c, const tf_op *e) {
    (void)e;
    c->n_out = 0; /* produces nothing; a data consumer of it is caught by the reader */
    return FROST_OK;
}

/* IdentityN: one Identity per input; port k answers to "<node>:k" through an alias. */
static frost_status b_identity_n(frost__tf_node *c, const tf_op *e) {
    (void)e;
    if (c->n_in == 0) return b_noop(c, e);
    for (int k = 0; k < c->n_in; k++) {
        char name[600], alias[600];
        if (k == 0) snprintf(name, sizeof name, "%s", c->nd->name);
        else snprintf(name, sizeof name, "%s#%d", c->nd->name, k);
        int id = add_node(c, name, FROST__OP_IDENTITY, 1, &c->in[k], 1, NULL);
        if (id < 0) return c->err->code;
        int v = c->g->nodes[id].out[0];
        if (k < c->out_cap) c->out[k] = v;
        if (k > 0) {
            snprintf(alias, sizeof alias, "%s:%d", c->nd->name, k);
            FROST_TRY(frost__graph_add_alias(c->g, alias, v, c->err));
        }
    }
    c->n_out = FROST_MIN(c->n_in, c->out_cap);
    return FROST_OK;
}

/* `v` reshaped to shape(v) followed by rank(x) - rank(v) - skip ones, so that numpy broadcasting
 * lines v up with x's leading axes (after `skip` of them) instead of its trailing ones. Helper
 * nodes are named "<node>#<tag>_*"; the shape arithmetic is evaluated once at plan time. */
static int align_leading(frost__tf_node *c, int v, int x, int skip, const char *tag) {
    char name[600], suffix[64];
    frost__params p;
    int id;
#define STEP(what, op, n_in, in_arr)                                                            \
    do {                                                                                        \
        snprintf(suffix, sizeof suffix, "%s_%s", tag, what);                                    \
        id = add_node(c, sub_name(c, suffix, name, sizeof name), op, n_in, in_arr, 1, &p);      \
        if (id < 0) return -1;                                                                  \
    } while (0)
    memset(&p, 0, sizeof p);
    p.shape.out_dtype = FROST_DTYPE_I32;
    STEP("shape", FROST__OP_SHAPE, 1, &v);
    int v_shape = c->g->nodes[id].out[0];
    STEP("x_shape", FROST__OP_SHAPE, 1, &x);
    int x_shape = c->g->nodes[id].out[0];
    STEP("rank", FROST__OP_SHAPE, 1, &v_shape);
    int v_rank = c->g->nodes[id].out[0];
    STEP("x_rank", FROST__OP_SHAPE, 1, &x_shape);
    int x_rank = c->g->nodes[id].out[0];
    const int64_t consts[3] = {1, 0, skip};
    snprintf(suffix, sizeof suffix, "%s_one", tag);
    int one_v = add_ints(c, suffix, FROST_DTYPE_I32, &consts[0], 1, true);
    snprintf(suffix, sizeof suffix, "%s_axis0", tag);
    int axis_v = add_ints(c, suffix, FROST_DTYPE_I32, &consts[1], 1, false);
    if (one_v < 0 || axis_v < 0) return -1;
    memset(&p, 0, sizeof p);
    p.binary.fn = FROST__BIN_SUB;
    int ranks[2] = {x_rank, v_rank};
    STEP("extra", FROST__OP_BINARY, 2, ranks);
    int extra = c->g->nodes[id].out[0];
    if (skip) {
        snprintf(suffix, sizeof suffix, "%s_skip", tag);
        int skip_v = add_ints(c, suffix, FROST_DTYPE_I32, &consts[2], 1, false);
        if (skip_v < 0) return -1;
        int sub_in[2] = {extra, skip_v};
        STEP("extra_after_skip", FROST__OP_BINARY, 2, sub_in);
        extra = c->g->nodes[id].out[0];
    }
    memset(&p, 0, sizeof p);
    p.fill.dtype = FROST_DTYPE_I32;
    int fill_in[2] = {extra, one_v};
    STEP("ones", FROST__OP_FILL, 2, fill_in);
    memset(&p, 0, sizeof p);
    int cat_in[3] = {v_shape, c->g->nodes[id].out[0], axis_v};
    STEP("target", FROST__OP_CONCAT, 3, cat_in);
    int reshape_in[2] = {v, c->g->nodes[id].out[0]};
    STEP("aligned", FROST__OP_RESHAPE, 2, reshape_in);
#undef STEP
    return c->g->nodes[id].out[0];
}

/* TF1 Select(cond, a, b): a rank-1 cond picks whole rows of higher-rank a and b, which numpy
 * broadcasting would align with the last axis instead; aligning cond with the leading axes does
 * the TF thing and is a no-op when the ranks agree. */
static frost_status b_select_v1(frost__tf_node *c, const tf_op *e) {
    (void)e;
    int cond = align_leading(c, c->in[0], c->in[1], 0, "cond");
    if (cond < 0) return c->err->code;
    int in[3] = {cond, c->in[1], c->in[2]};
    return emit_simple(c, FROST__OP_SELECT, 3, in, 1, NULL);
}

static frost_status b_bias_add(frost__tf_node *c, const tf_op *e) {
    (void)e;
    frost__params p;
    memset(&p, 0, sizeof p);
    p.binary.fn = FROST__BIN_ADD;
    layout lay = data_format(c);
    if (lay == LAYOUT_OTHER) return frost__tf_unsupported(c, "data_format not NHWC/NCHW");
    if (lay == LAYOUT_NHWC) return emit_simple(c, FROST__OP_BINARY, 2, c->in, 1, &p);
    /* NCHW: the bias runs along axis 1, after the batch axis: [C] becomes [C, 1, ..., 1]. */
    int bias = align_leading(c, c->in[1], c->in[0], 1, "bias");
    if (bias < 0) return c->err->code;
    int in[2] = {c->in[0], bias};
    return emit_simple(c, FROST__OP_BINARY, 2, in, 1, &p);
}

static frost_status b_matmul(frost__tf_node *c, const tf_op *e) {
    frost__params p;
    memset(&p, 0, sizeof p);
    if (e->fn == 0) {
        p.matmul.transpose_a = attr_bool(c, "transpose_a", false);
        p.matmul.transpose_b = attr_bool(c, "transpose_b", false);
    } else {
        p.matmul.transpose_a = attr_bool(c, "adj_x", false);
        p.matmul.transpose_b = attr_bool(c, "adj_y", false);
    }
    int t = attr_type(c, "T");
    if (t >= 0 && frost__dtype_is_int(frost__tf_dtype(t))) return frost__tf_int_matmul(c, &p);
    return emit_simple(c, FROST__OP_MATMUL, 2, c->in, 1, &p);
}

/* Conv2D (fn 0) and DepthwiseConv2dNative (fn 1). */
static frost_status b_conv(frost__tf_node *c, const tf_op *e) {
    layout lay = data_format(c);
    if (lay == LAYOUT_OTHER) return frost__tf_unsupported(c, "data_format not NHWC/NCHW");
    frost__params p;
    memset(&p, 0, sizeof p);
    bool ok = true;
    FROST_TRY(read_window(c, lay, true, &p.conv.w, &ok));
    if (!ok) return frost__tf_unsupported(c, "stride or dilation on batch/channels");
    p.conv.groups = 1;
    int x = c->in[0];
    if (lay == LAYOUT_NCHW && (x = to_nhwc(c, x)) < 0) return c->err->code;
    int in[2] = {x, c->in[1]};
    char name[600];
    int id = add_node(c, core_name(c, lay, name, sizeof name),
                      e->fn ? FROST__OP_DEPTHWISE_CONV2D : FROST__OP_CONV2D, 2, in, 1, &p);
    return emit_layout(c, lay, id);
}

/* Conv2DBackpropInput(input_sizes, filter, out_backprop) -> CONV2D_TRANSPOSE(x, filter). */
static frost_status b_deconv(frost__tf_node *c, const tf_op *e) {
    (void)e;
    layout lay = data_format(c);
    if (lay == LAYOUT_OTHER) return frost__tf_unsupported(c, "data_format not NHWC/NCHW");
    frost__params p;
    memset(&p, 0, sizeof p);
    bool ok = true;
    FROST_TRY(read_window(c, lay, true, &p.deconv.w, &ok));
    if (!ok) return frost__tf_unsupported(c, "stride or dilation on batch/channels");
    const frost__value *size_val = &c->g->values[c->in[0]];
    int sizes = -1; /* input_sizes computed in the graph: the op reads it at plan time (NHWC) */
    if (size_val->kind == FROST__VAL_CONST) {
        if (!frost__dtype_is_int(size_val->dtype) || size_val->shape.rank != 1 ||
            size_val->shape.d[0] != 4)
            return bad_node(c, "input_sizes is not 4 integers");
        int ih = lay == LAYOUT_NCHW ? 2 : 1;
        int64_t h = frost__read_int(size_val->dtype, size_val->data, ih);
        int64_t w = frost__read_int(size_val->dtype, size_val->data, ih + 1);
        if (h < 1 || w < 1 || h > INT32_MAX || w > INT32_MAX)
            return bad_node(c, "input_sizes gives an output of %lldx%lld", (long long)h,
                            (long long)w);
        p.deconv.out_h = (int)h;
        p.deconv.out_w = (int)w;
    } else {
        sizes = c->in[0];
    }
    if (sizes >= 0 && lay == LAYOUT_NCHW) {
        static const int64_t nhwc[4] = {0, 2, 3, 1}, axis0 = 0;
        int idx = add_ints(c, "sizes_nhwc_index", FROST_DTYPE_I32, nhwc, 4, false);
        int axis = add_ints(c, "sizes_nhwc_axis", FROST_DTYPE_I32, &axis0, 1, true);
        if (idx < 0 || axis < 0) return c->err->code;
        int gin[3] = {sizes, idx, axis};
        char gname[600];
        int gid = add_node(c, sub_name(c, "sizes_nhwc", gname, sizeof gname), FROST__OP_GATHER, 3,
                           gin, 1, NULL);
        if (gid < 0) return c->err->code;
        sizes = c->g->nodes[gid].out[0];
    }
    int x = c->in[2];
    if (lay == LAYOUT_NCHW && (x = to_nhwc(c, x)) < 0) return c->err->code;
    int in[4] = {x, c->in[1], -1, sizes};
    char name[600];
    int id = add_node(c, core_name(c, lay, name, sizeof name), FROST__OP_CONV2D_TRANSPOSE,
                      sizes >= 0 ? 4 : 2, in, 1, &p);
    return emit_layout(c, lay, id);
}

/* Rank = the element count of Shape(Shape(x)); Size = the product of Shape(x). */
static frost_status b_rank_size(frost__tf_node *c, const tf_op *e) {
    frost__params p;
    memset(&p, 0, sizeof p);
    int t = attr_type(c, "out_type");
    frost_dtype dt = t < 0 ? FROST_DTYPE_I32 : frost__tf_dtype(t);
    if (dt != FROST_DTYPE_I32 && dt != FROST_DTYPE_I64) return frost__tf_unsupported(c, "out_type");
    p.shape.out_dtype = dt;
    char name[600];
    int id = add_node(c, sub_name(c, "shape", name, sizeof name), FROST__OP_SHAPE, 1, c->in, 1, &p);
    if (id < 0) return c->err->code;
    int v = c->g->nodes[id].out[0];
    if (e->fn == 0) {
        id = add_node(c, sub_name(c, "shape_of_shape", name, sizeof name), FROST__OP_SHAPE, 1,
                      &v, 1, &p);
        if (id < 0) return c->err->code;
        v = c->g->nodes[id].out[0];
    }
    memset(&p, 0, sizeof p);
    p.reduce.fn = e->fn == 0 ? FROST__RED_SUM : FROST__RED_PROD;
    return emit_simple(c, FROST__OP_REDUCE, 1, &v, 1, &p);
}

/* BatchNormWithGlobalNormalization(t, mean, variance, beta, gamma), the pre-FusedBatchNorm op of
 * old graphs: gamma applies only with scale_after_normalization. */
static frost_status b_batch_norm_global(frost__tf_node *c, const tf_op *e) {
    (void)e;
    frost__params p;
    memset(&p, 0, sizeof p);
    p.batch_norm.epsilon = attr_float(c, "variance_epsilon", 1e-3f);
    p.batch_norm.axis = -1;
    int scale = c->in[4];
    if (!attr_bool(c, "scale_after_normalization", false)) {
        const frost__value *beta = &c->g->values[c->in[3]];
        if (beta->kind != FROST__VAL_CONST || beta->shape.rank != 1 ||
            beta->dtype != FROST_DTYPE_F32)
            return frost__tf_unsupported(c, "beta not a constant vector");
        int64_t n = beta->shape.d[0];
        float *ones = frost__alloc(&c->g->alloc, (size_t)(n ? n : 1) * sizeof(float));
        if (!ones)
            return frost__fail(c->err, FROST_E_NOMEM, c->nd->name, c->nd->op, -1, "out of memory");
        for (int64_t i = 0; i < n; i++) ones[i] = 1.0f;
        char name[600];
        /* A copy: adding a value may move g->values, and beta with it. */
        frost__shape beta_shape = beta->shape;
        scale = frost__graph_add_const_owned(c->g, sub_name(c, "ones", name, sizeof name),
                                             FROST_DTYPE_F32, &beta_shape, ones,
                                             (size_t)n * sizeof(float), c->err);
        if (scale < 0) return c->err->code;
    }
    int in[5] = {c->in[0], scale, c->in[3], c->in[1], c->in[2]};
    return emit_simple(c, FROST__OP_BATCH_NORM, 5, in, 1, &p);
}

/* MaxPool (fn 1) and AvgPool (fn 0). */
static frost_status b_pool(frost__tf_node *c, const tf_op *e) {
    layout lay = data_format(c);
    if (lay == LAYOUT_OTHER) return frost__tf_unsupported(c, "data_format not NHWC/NCHW");
    frost__params p;
    memset(&p, 0, sizeof p);
    bool ok = true;
    FROST_TRY(read_window(c, lay, false, &p.pool.w, &ok));
    FROST_TRY(read_hw(c, "ksize", lay, &p.pool.k_h, &p.pool.k_w, &ok));
    if (!ok) return frost__tf_unsupported(c, "window or stride on batch/channels");
    if (p.pool.w.padding == FROST__PAD_EXPLICIT)
        return frost__tf_unsupported(c, "explicit padding");
    p.pool.is_max = e->fn == 1;
    p.pool.count_include_pad = false; /* TF averages over the valid part of the window only */
    int x = c->in[0];
    if (lay == LAYOUT_NCHW && (x = to_nhwc(c, x)) < 0) return c->err->code;
    char name[600];
    int id = add_node(c, core_name(c, lay, name, sizeof name), FROST__OP_POOL2D, 1, &x, 1, &p);
    return emit_layout(c, lay, id);
}

/* FusedBatchNorm{,V2,V3}(x, scale, offset, mean, variance): inference only. Only output 0 (y)
 * is produced; the batch statistics outputs exist for training. */
static frost_status b_batch_norm(frost__tf_node *c, const tf_op *e) {
    (void)e;
    /* Training mode normalizes by each batch's own statistics: not what inference computes. */
    if (attr_bool(c, "is_training", true))
        return frost__tf_unsupported(c, "is_training=true: batch statistics; fix the graph's "
                                        "training flag with --set or freeze it for inference");
    layout lay = data_format(c);
    if (lay == LAYOUT_OTHER) return frost__tf_unsupported(c, "data_format not NHWC/NCHW");
    frost__params p;
    memset(&p, 0, sizeof p);
    p.batch_norm.epsilon = attr_float(c, "epsilon", 1e-4f);
    p.batch_norm.axis = lay == LAYOUT_NCHW ? 1 : -1;
    return emit_simple(c, FROST__OP_BATCH_NORM, 5, c->in, 1, &p);
}

static frost_status b_reduce(frost__tf_node *c, const tf_op *e) {
    frost__params p;
    memset(&p, 0, sizeof p);
    p.reduce.fn = e->fn;
    p.reduce.keep_dims = attr_bool(c, "keep_dims", false);
    return emit_simple(c, FROST__OP_REDUCE, 2, c->in, 1, &p);
}

static frost_status b_arg(frost__tf_node *c, const tf_op *e) {
    frost__params p;
    memset(&p, 0, sizeof p);
    p.arg.is_max = e->fn == 1;
    int t = attr_type(c, "output_type");
    frost_dtype dt = t < 0 ? FROST_DTYPE_I64 : frost__tf_dtype(t);
    if (dt != FROST_DTYPE_I32 && dt != FROST_DTYPE_I64 && dt != FROST_DTYPE_I16 &&
        dt != FROST_DTYPE_U16)
        return frost__tf_unsupported(c, "output_type");
    p.arg.out_dtype = dt;
    return emit_simple(c, FROST__OP_ARG, 2, c->in, 1, &p);
}

static frost_status b_softmax(frost__tf_node *c, const tf_op *e) {
    frost__params p;
    memset(&p, 0, sizeof p);
    p.softmax.axis = -1;
    p.softmax.log = e->fn == 1;
    p.softmax.beta = 1.0f;
    return emit_simple(c, FROST__OP_SOFTMAX, 1, c->in, 1, &p);
}

static frost_status b_reshape(frost__tf_node *c, const tf_op *e) {
    (void)e;
    frost__params p;
    memset(&p, 0, sizeof p);
    p.reshape.zero_is_copy = false;
    return emit_simple(c, FROST__OP_RESHAPE, 2, c->in, 1, &p);
}

static frost_status b_squeeze(frost__tf_node *c, const tf_op *e) {
    (void)e;
    const int64_t *dims;
    size_t n = attr_ints(c, "squeeze_dims", &dims);
    if (n == 0) n = attr_ints(c, "axis", &dims);
    if (n == 0) return emit_simple(c, FROST__OP_SQUEEZE, 1, c->in, 1, NULL);
    if (n > FROST_MAX_RANK) return bad_node(c, "squeezes %zu dimensions", n);
    int axes = add_ints(c, "squeeze_dims", FROST_DTYPE_I64, dims, (int)n, false);
    if (axes < 0) return c->err->code;
    int in[2] = {c->in[0], axes};
    return emit_simple(c, FROST__OP_SQUEEZE, 2, in, 1, NULL);
}

/* ConcatV2(x0..xn-1, axis) is the canonical order; old Concat(axis, x0..) moves the axis last. */
static frost_status b_concat(frost__tf_node *c, const tf_op *e) {
    if (e->fn == 0) return emit_simple(c, FROST__OP_CONCAT, c->n_in, c->in, 1, NULL);
    int in[65536 / 64];
    if (c->n_in > (int)FROST_ARRAY_LEN(in)) return frost__tf_unsupported(c, "too many inputs");
    for (int i = 1; i < c->n_in; i++) in[i - 1] = c->in[i];
    in[c->n_in - 1] = c->in[0];
    return emit_simple(c, FROST__OP_CONCAT, c->n_in, in, 1, NULL);
}

static frost_status b_pack(frost__tf_node *c, const tf_op *e) {
    (void)e;
    frost__params p;
    memset(&p, 0, sizeof p);
    p.pack.axis = (int)attr_int(c, "axis", 0);
    return emit_simple(c, FROST__OP_PACK, c->n_in, c->in, 1, &p);
}

static frost_status b_unpack(frost__tf_node *c, const tf_op *e) {
    (void)e;
    frost__params p;
    memset(&p, 0, sizeof p);
    int64_t num = attr_int(c, "num", -1);
    if (num < 1 || num > 4096) return bad_node(c, "attribute num is %lld", (long long)num);
    p.pack.axis = (int)attr_int(c, "axis", 0);
    return emit_simple(c, FROST__OP_UNPACK, 1, c->in, (int)num, &p);
}

/* Split(axis, value) with num_split; SplitV(value, size_splits, axis).
 * Canonical: (x, axis, sizes). */
static frost_status b_split(frost__tf_node *c, const tf_op *e) {
    int64_t num = attr_int(c, "num_split", -1);
    if (num < 1 || num > 4096) return bad_node(c, "attribute num_split is %lld", (long long)num);
    if (e->fn == 0) {
        int in[2] = {c->in[1], c->in[0]};
        return emit_simple(c, FROST__OP_SPLIT, 2, in, (int)num, NULL);
    }
    int in[3] = {c->in[0], c->in[2], c->in[1]};
    return emit_simple(c, FROST__OP_SPLIT, 3, in, (int)num, NULL);
}

/* Pad (fn 0 constant), PadV2 (constant value input), MirrorPad (mode attribute). */
static frost_status b_pad(frost__tf_node *c, const tf_op *e) {
    frost__params p;
    memset(&p, 0, sizeof p);
    p.pad.mode = FROST__PADMODE_CONSTANT;
    if (e->fn == 2) {
        if (attr_str_is(c, "mode", "REFLECT", false)) p.pad.mode = FROST__PADMODE_REFLECT;
        else if (attr_str_is(c, "mode", "SYMMETRIC", false)) p.pad.mode = FROST__PADMODE_SYMMETRIC;
        else return frost__tf_unsupported(c, "mode");
    }
    return emit_simple(c, FROST__OP_PAD, c->n_in, c->in, 1, &p);
}

static frost_status b_cast(frost__tf_node *c, const tf_op *e) {
    (void)e;
    frost__params p;
    memset(&p, 0, sizeof p);
    int t = attr_type(c, "DstT");
    if (t < 0) return bad_node(c, "no DstT attribute");
    frost_dtype dt = frost__tf_dtype(t);
    if (dt == FROST_DTYPE_INVALID || dt == FROST_DTYPE_STRING) {
        char why[64];
        snprintf(why, sizeof why, "to %s", frost__tf_dtype_name(t));
        return frost__tf_unsupported(c, why);
    }
    p.cast.to = dt;
    p.cast.truncate = attr_bool(c, "Truncate", false);
    return emit_simple(c, FROST__OP_CAST, 1, c->in, 1, &p);
}

static frost_status b_shape(frost__tf_node *c, const tf_op *e) {
    (void)e;
    frost__params p;
    memset(&p, 0, sizeof p);
    int t = attr_type(c, "out_type");
    frost_dtype dt = t < 0 ? FROST_DTYPE_I32 : frost__tf_dtype(t);
    if (dt != FROST_DTYPE_I32 && dt != FROST_DTYPE_I64) return frost__tf_unsupported(c, "out_type");
    p.shape.out_dtype = dt;
    return emit_simple(c, FROST__OP_SHAPE, 1, c->in, 1, &p);
}

static frost_status b_strided_slice(frost__tf_node *c, const tf_op *e) {
    (void)e;
    frost__params p;
    memset(&p, 0, sizeof p);
    p.strided_slice.begin_mask = (int32_t)attr_int(c, "begin_mask", 0);
    p.strided_slice.end_mask = (int32_t)attr_int(c, "end_mask", 0);
    p.strided_slice.ellipsis_mask = (int32_t)attr_int(c, "ellipsis_mask", 0);
    p.strided_slice.new_axis_mask = (int32_t)attr_int(c, "new_axis_mask", 0);
    p.strided_slice.shrink_axis_mask = (int32_t)attr_int(c, "shrink_axis_mask", 0);
    return emit_simple(c, FROST__OP_STRIDED_SLICE, 4, c->in, 1, &p);
}

/* Reads a constant int 1-D operand; false when it is not a (small) constant. */
static bool const_ints(const frost__tf_node *c, int v, int64_t *vals, int *n) {
    const frost__value *val = &c->g->values[v];
    if (val->kind != FROST__VAL_CONST || !frost__dtype_is_int(val->dtype) || val->shape.rank > 1)
        return false;
    int64_t cnt = val->shape.rank == 0 ? 1 : val->shape.d[0];
    if (cnt < 0 || cnt > FROST_MAX_RANK) return false;
    for (int64_t i = 0; i < cnt; i++) vals[i] = frost__read_int(val->dtype, val->data, i);
    *n = (int)cnt;
    return true;
}

/* Slice whose begin or size is computed in the graph (crop_to_bounding_box on a run-time image
 * size): ends = begin + size in int64, or INT64_MAX where size < 0 (-1: "to the end"), known when
 * planning like any shape arithmetic. */
static frost_status slice_computed(frost__tf_node *c) {
    char name[600];
    frost__params p;
    int id;
#define STEP(tag, op, n_in, in_arr, params)                                                       \
    do {                                                                                          \
        id = add_node(c, sub_name(c, tag, name, sizeof name), op, n_in, in_arr, 1, params);       \
        if (id < 0) return c->err->code;                                                          \
    } while (0)
    memset(&p, 0, sizeof p);
    p.cast.to = FROST_DTYPE_I64;
    STEP("begin_i64", FROST__OP_CAST, 1, &c->in[1], &p);
    int begin = c->g->nodes[id].out[0];
    STEP("size_i64", FROST__OP_CAST, 1, &c->in[2], &p);
    int size = c->g->nodes[id].out[0];
    static const int64_t consts[2] = {0, INT64_MAX};
    int zero = add_ints(c, "zero", FROST_DTYPE_I64, &consts[0], 1, true);
    int to_end = zero < 0 ? -1 : add_ints(c, "to_end", FROST_DTYPE_I64, &consts[1], 1, true);
    if (to_end < 0) return c->err->code;
    memset(&p, 0, sizeof p);
    p.binary.fn = FROST__BIN_ADD;
    int sum_in[2] = {begin, size};
    STEP("begin_plus_size", FROST__OP_BINARY, 2, sum_in, &p);
    int sum = c->g->nodes[id].out[0];
    p.binary.fn = FROST__BIN_LESS;
    int neg_in[2] = {size, zero};
    STEP("size_negative", FROST__OP_BINARY, 2, neg_in, &p);
    int sel_in[3] = {c->g->nodes[id].out[0], to_end, sum};
    STEP("ends", FROST__OP_SELECT, 3, sel_in, NULL);
#undef STEP
    int in[3] = {c->in[0], begin, c->g->nodes[id].out[0]};
    return emit_simple(c, FROST__OP_SLICE, 3, in, 1, NULL);
}

/* TF Slice(x, begin, size) -> canonical SLICE(x, starts, ends): ends = begin + size, and size -1
 * ("to the end") becomes INT64_MAX, which SLICE clamps. */
static frost_status b_slice(frost__tf_node *c, const tf_op *e) {
    (void)e;
    int64_t begin[FROST_MAX_RANK], size[FROST_MAX_RANK], end[FROST_MAX_RANK];
    int nb, ns;
    if (!const_ints(c, c->in[1], begin, &nb) || !const_ints(c, c->in[2], size, &ns))
        return slice_computed(c);
    if (nb != ns) return bad_node(c, "begin has %d entries but size has %d", nb, ns);
    for (int i = 0; i < nb; i++) {
        if (begin[i] < 0 || size[i] < -1)
            return bad_node(c, "begin %lld, size %lld on dimension %d", (long long)begin[i],
                            (long long)size[i], i);
        if (size[i] == -1 || !frost__add_ok(begin[i], size[i], &end[i])) end[i] = INT64_MAX;
    }
    int s = add_ints(c, "starts", FROST_DTYPE_I64, begin, nb, false);
    if (s < 0) return c->err->code;
    int en = add_ints(c, "ends", FROST_DTYPE_I64, end, nb, false);
    if (en < 0) return c->err->code;
    int in[3] = {c->in[0], s, en};
    return emit_simple(c, FROST__OP_SLICE, 3, in, 1, NULL);
}

static frost_status b_fill(frost__tf_node *c, const tf_op *e) {
    (void)e;
    frost__params p;
    memset(&p, 0, sizeof p);
    int t = attr_type(c, "T");
    p.fill.dtype = t < 0 ? FROST_DTYPE_INVALID : frost__tf_dtype(t);
    return emit_simple(c, FROST__OP_FILL, 2, c->in, 1, &p);
}

/* ZerosLike (fn 0), OnesLike (fn 1). */
static frost_status b_fill_like(frost__tf_node *c, const tf_op *e) {
    frost__params p;
    memset(&p, 0, sizeof p);
    p.fill.value = e->fn;
    p.fill.dtype = 0;
    return emit_simple(c, FROST__OP_FILL_LIKE, 1, c->in, 1, &p);
}

/* GatherV2(params, indices, axis) as is; old Gather(params, indices) gathers on axis 0. */
static frost_status b_gather(frost__tf_node *c, const tf_op *e) {
    frost__params p;
    memset(&p, 0, sizeof p);
    p.gather.batch_dims = (int)attr_int(c, "batch_dims", 0);
    if (e->fn == 0) return emit_simple(c, FROST__OP_GATHER, 3, c->in, 1, &p);
    static const int64_t zero = 0;
    int axis = add_ints(c, "axis", FROST_DTYPE_I32, &zero, 1, true);
    if (axis < 0) return c->err->code;
    int in[3] = {c->in[0], c->in[1], axis};
    return emit_simple(c, FROST__OP_GATHER, 3, in, 1, &p);
}

static frost_status b_one_hot(frost__tf_node *c, const tf_op *e) {
    (void)e;
    frost__params p;
    memset(&p, 0, sizeof p);
    p.one_hot.axis = (int)attr_int(c, "axis", -1);
    return emit_simple(c, FROST__OP_ONE_HOT, 4, c->in, 1, &p);
}

/* ResizeBilinear (fn 1), ResizeNearestNeighbor (fn 0). */
static frost_status b_resize(frost__tf_node *c, const tf_op *e) {
    frost__params p;
    memset(&p, 0, sizeof p);
    bool align = attr_bool(c, "align_corners", false);
    bool half = attr_bool(c, "half_pixel_centers", false);
    if (align && half) return frost__tf_unsupported(c, "align_corners with half_pixel_centers");
    p.resize.mode = e->fn;
    if (e->fn == 1) {
        p.resize.coord = align ? 2 : half ? 1 : 0;
    } else {
        /* TF nearest: floor of the scaled index, or round with align_corners; half-pixel centers
         * use the (x + 0.5) / scale mapping then floor. */
        p.resize.coord = align ? 2 : half ? 4 : 0;
        p.resize.nearest_mode = align ? 1 : 2;
    }
    return emit_simple(c, FROST__OP_RESIZE, 2, c->in, 1, &p);
}

static frost_status b_switch(frost__tf_node *c, const tf_op *e) {
    (void)e;
    return emit_simple(c, FROST__OP_SWITCH, 2, c->in, 2, NULL);
}

static frost_status b_merge(frost__tf_node *c, const tf_op *e) {
    (void)e;
    return emit_simple(c, FROST__OP_MERGE, c->n_in, c->in, 2, NULL);
}

/* ClipByValue(x, lo, hi) = min(max(x, lo), hi). */
static frost_status b_clip(frost__tf_node *c, const tf_op *e) {
    (void)e;
    frost__params p;
    memset(&p, 0, sizeof p);
    p.binary.fn = FROST__BIN_MAX;
    char name[600];
    int id = add_node(c, sub_name(c, "max", name, sizeof name), FROST__OP_BINARY, 2, c->in, 1, &p);
    if (id < 0) return c->err->code;
    int in[2] = {c->g->nodes[id].out[0], c->in[2]};
    p.binary.fn = FROST__BIN_MIN;
    return emit_simple(c, FROST__OP_BINARY, 2, in, 1, &p);
}

/* ==== The table ============================================================================== */

_Static_assert(offsetof(tf_op, name) == 0, "op_table.h finds rows by their leading name");

#define UN(tf, fn) {tf, b_unary, FROST__OP_UNARY, fn, 1, 1, 0}
#define BIN(tf, fn) {tf, b_binary, FROST__OP_BINARY, fn, 2, 2, 0}
#define RED(tf, fn) {tf, b_reduce, FROST__OP_REDUCE, fn, 2, 2, 0}
#define PLAIN(tf, op, lo, hi) {tf, b_plain, op, 0, lo, hi, 0}
#define ANY FROST__OP_ANY

static const tf_op tf_ops[] = {
    /* Pass-through */
    PLAIN("Identity", FROST__OP_IDENTITY, 1, 1),
    PLAIN("Snapshot", FROST__OP_IDENTITY, 1, 1),
    PLAIN("StopGradient", FROST__OP_IDENTITY, 1, 1),
    PLAIN("PreventGradient", FROST__OP_IDENTITY, 1, 1),
    PLAIN("CheckNumerics", FROST__OP_IDENTITY, 1, 1),
    PLAIN("EnsureShape", FROST__OP_IDENTITY, 1, 1),
    {"IdentityN", b_identity_n, 0, 0, 0, ANY, 0},
    {"NoOp", b_noop, 0, 0, 0, ANY, 0},
    {"Assert", b_noop, 0, 0, 0, ANY, 0},
    /* Elementwise */
    UN("Relu", FROST__ACT_RELU), UN("Relu6", FROST__ACT_RELU6), UN("Elu", FROST__ACT_ELU),
    UN("Selu", FROST__ACT_SELU), UN("LeakyRelu", FROST__ACT_LEAKY_RELU),
    UN("Sigmoid", FROST__ACT_SIGMOID), UN("Tanh", FROST__ACT_TANH),
    UN("Softplus", FROST__ACT_SOFTPLUS), UN("Softsign", FROST__ACT_SOFTSIGN),
    UN("Exp", FROST__UN_EXP), UN("Log", FROST__UN_LOG), UN("Neg", FROST__UN_NEG),
    UN("Abs", FROST__UN_ABS), UN("Sign", FROST__UN_SIGN), UN("Sqrt", FROST__UN_SQRT),
    UN("Rsqrt", FROST__UN_RSQRT), UN("Square", FROST__UN_SQUARE),
    UN("Reciprocal", FROST__UN_RECIPROCAL), UN("Inv", FROST__UN_RECIPROCAL),
    UN("Floor", FROST__UN_FLOOR), UN("Ceil", FROST__UN_CEIL), UN("Round", FROST__UN_ROUND),
    UN("Rint", FROST__UN_ROUND), UN("Erf", FROST__UN_ERF), UN("Sin", FROST__UN_SIN),
    UN("Cos", FROST__UN_COS), UN("Tan", FROST__UN_TAN), UN("Asin", FROST__UN_ASIN),
    UN("Acos", FROST__UN_ACOS), UN("Atan", FROST__UN_ATAN), UN("Sinh", FROST__UN_SINH),
    UN("Cosh", FROST__UN_COSH), UN("Asinh", FROST__UN_ASINH), UN("Acosh", FROST__UN_ACOSH),
    UN("Atanh", FROST__UN_ATANH), UN("Expm1", FROST__UN_EXPM1), UN("Log1p", FROST__UN_LOG1P),
    UN("LogicalNot", FROST__UN_NOT), UN("IsNan", FROST__UN_ISNAN), UN("IsInf", FROST__UN_ISINF),
    BIN("Add", FROST__BIN_ADD), BIN("AddV2", FROST__BIN_ADD), BIN("Sub", FROST__BIN_SUB),
    BIN("Mul", FROST__BIN_MUL), BIN("RealDiv", FROST__BIN_DIV), BIN("Div", FROST__BIN_DIV),
    BIN("FloorDiv", FROST__BIN_FLOOR_DIV), BIN("FloorMod", FROST__BIN_FLOOR_MOD),
    BIN("Mod", FROST__BIN_FMOD), BIN("TruncateMod", FROST__BIN_FMOD),
    BIN("Maximum", FROST__BIN_MAX), BIN("Minimum", FROST__BIN_MIN), BIN("Pow", FROST__BIN_POW),
    BIN("SquaredDifference", FROST__BIN_SQUARED_DIFF),
    BIN("Equal", FROST__BIN_EQUAL), BIN("NotEqual", FROST__BIN_NOT_EQUAL),
    BIN("Less", FROST__BIN_LESS), BIN("LessEqual", FROST__BIN_LESS_EQUAL),
    BIN("Greater", FROST__BIN_GREATER), BIN("GreaterEqual", FROST__BIN_GREATER_EQUAL),
    BIN("LogicalAnd", FROST__BIN_AND), BIN("LogicalOr", FROST__BIN_OR),
    {"BiasAdd", b_bias_add, 0, 0, 2, 2, 0},
    {"BiasAddV1", b_bias_add, 0, 0, 2, 2, 0},
    PLAIN("AddN", FROST__OP_ADD_N, 1, ANY),
    {"ClipByValue", b_clip, 0, 0, 3, 3, 0},
    {"Cast", b_cast, 0, 0, 1, 1, 0},
    {"Select", b_select_v1, 0, 0, 3, 3, 0},
    PLAIN("SelectV2", FROST__OP_SELECT, 3, 3),
    /* Linear algebra, convolution, pooling, normalization */
    {"MatMul", b_matmul, 0, 0, 2, 2, 0},
    {"BatchMatMul", b_matmul, 0, 1, 2, 2, 0},
    {"BatchMatMulV2", b_matmul, 0, 1, 2, 2, 0},
    {"BatchMatMulV3", b_matmul, 0, 1, 2, 2, 0},
    {"Conv2D", b_conv, 0, 0, 2, 2, 0},
    {"DepthwiseConv2dNative", b_conv, 0, 1, 2, 2, 0},
    {"Conv2DBackpropInput", b_deconv, 0, 0, 3, 3, 0},
    {"MaxPool", b_pool, 0, 1, 1, 1, 0},
    {"MaxPoolV2", b_pool, 0, 1, 3, 3, 0},
    {"BatchNormWithGlobalNormalization", b_batch_norm_global, 0, 0, 5, 5, 0},
    {"AvgPool", b_pool, 0, 0, 1, 1, 0},
    {"FusedBatchNorm", b_batch_norm, 0, 0, 5, 5, 5},
    {"FusedBatchNormV2", b_batch_norm, 0, 0, 5, 5, 5},
    {"FusedBatchNormV3", b_batch_norm, 0, 0, 5, 5, 6},
    {"Softmax", b_softmax, 0, 0, 1, 1, 0},
    {"LogSoftmax", b_softmax, 0, 1, 1, 1, 0},
    /* Reductions */
    RED("Mean", FROST__RED_MEAN), RED("Sum", FROST__RED_SUM), RED("Max", FROST__RED_MAX),
    RED("Min", FROST__RED_MIN), RED("Prod", FROST__RED_PROD), RED("Any", FROST__RED_ANY),
    RED("All", FROST__RED_ALL),
    {"ArgMax", b_arg, 0, 1, 2, 2, 0},
    {"ArgMin", b_arg, 0, 0, 2, 2, 0},
    /* Shape and layout */
    {"Reshape", b_reshape, 0, 0, 2, 2, 0},
    {"Squeeze", b_squeeze, 0, 0, 1, 1, 0},
    PLAIN("ExpandDims", FROST__OP_EXPAND_DIMS, 2, 2),
    {"ConcatV2", b_concat, 0, 0, 2, ANY, 0},
    {"Concat", b_concat, 0, 1, 2, ANY, 0},
    {"Pack", b_pack, 0, 0, 1, ANY, 0},
    {"Unpack", b_unpack, 0, 0, 1, 1, 0},
    {"Split", b_split, 0, 0, 2, 2, 0},
    {"SplitV", b_split, 0, 1, 3, 3, 0},
    PLAIN("Transpose", FROST__OP_TRANSPOSE, 2, 2),
    PLAIN("ConjugateTranspose", FROST__OP_TRANSPOSE, 2, 2), /* = Transpose for real dtypes */
    {"Pad", b_pad, 0, 0, 2, 2, 0},
    {"PadV2", b_pad, 0, 1, 3, 3, 0},
    {"MirrorPad", b_pad, 0, 2, 2, 2, 0},
    {"Shape", b_shape, 0, 0, 1, 1, 0},
    {"Rank", b_rank_size, 0, 0, 1, 1, 0},
    {"Size", b_rank_size, 0, 1, 1, 1, 0},
    {"StridedSlice", b_strided_slice, 0, 0, 4, 4, 0},
    {"Slice", b_slice, 0, 0, 3, 3, 0},
    PLAIN("Tile", FROST__OP_TILE, 2, 2),
    PLAIN("BroadcastTo", FROST__OP_EXPAND, 2, 2),
    {"GatherV2", b_gather, 0, 0, 3, 3, 0},
    {"Gather", b_gather, 0, 1, 2, 2, 0},
    /* Generators */
    {"Fill", b_fill, 0, 0, 2, 2, 0},
    {"ZerosLike", b_fill_like, 0, 0, 1, 1, 0},
    {"OnesLike", b_fill_like, 0, 1, 1, 1, 0},
    PLAIN("Range", FROST__OP_RANGE, 3, 3),
    {"OneHot", b_one_hot, 0, 0, 4, 4, 0},
    /* Images */
    {"ResizeBilinear", b_resize, 0, 1, 2, 2, 0},
    {"ResizeNearestNeighbor", b_resize, 0, 0, 2, 2, 0},
    /* Control flow (tf.cond): resolved at load when the predicate is known */
    {"Switch", b_switch, 0, 0, 2, 2, 0},
    {"RefSwitch", b_switch, 0, 0, 2, 2, 0},
    {"Merge", b_merge, 0, 0, 1, ANY, 0},
    {"RefMerge", b_merge, 0, 0, 1, ANY, 0},
};

frost_status frost__tf_build_node(frost__tf_node *c) {
    size_t i = FROST__OP_TABLE_FIND(tf_ops, 0, c->nd->op);
    /* Not here: the other tables (tf_build.c: fused ops, ops of TF.js graph models). */
    if (i == FROST_ARRAY_LEN(tf_ops)) return frost__tf_build_more(c);
    const tf_op *e = &tf_ops[i];
    if (c->n_in < e->min_in || c->n_in > e->max_in) {
        char want[32];
        return bad_node(c, "has %d data inputs, expected %s", c->n_in,
                        frost__op_table_arity(e->min_in, e->max_in, want, sizeof want));
    }
    FROST_TRY(e->build(c, e));
    /* Reading a port the op does not have is a broken graph; reading one TF has but frost does
     * not compute (batch statistics) is left for cover-up and pruning. */
    int tf_outs = e->tf_outs ? e->tf_outs : c->n_out;
    if (c->n_used > tf_outs)
        return frost__fail(c->err, FROST_E_FORMAT, c->nd->name, c->nd->op, -1,
                           "node '%s' reads output %d of '%s' (%s), which has %d output%s",
                           c->top_reader ? c->top_reader : "?", c->n_used - 1, c->nd->name,
                           c->nd->op, tf_outs, tf_outs == 1 ? "" : "s");
    return FROST_OK;
}
