/* tf_ops_fused.c — the fused ops that TensorFlow's grappler and the TF.js converter write:
 * _FusedConv2D, _FusedDepthwiseConv2dNative / FusedDepthwiseConv2dNative (TF.js), _FusedMatMul and
 * _FusedBatchNormEx. A fused node is the core op (conv, depthwise conv, matmul) followed by the
 * `fused_ops` list, applied in order to the core's output, whose extra operands are the node's
 * inputs after the first two:
 *   BiasAdd (bias) | FusedBatchNorm (scale, offset, mean, variance; `epsilon`)   — at most one
 *   Add (a side input, added)                                                    — optional
 *   Relu | Relu6 | Elu | LeakyRelu (`leakyrelu_alpha`) | Sigmoid | Tanh | Prelu (alpha) — optional
 * Every combination becomes canonical nodes: the core carries the bias and a plain activation when
 * nothing sits between them; BatchNorm, Add and Prelu are nodes of their own after it (the fuse pass
 * folds a constant BatchNorm into the filter). strides, padding, explicit_paddings, dilations and
 * data_format are read as for Conv2D.
 *
 * Never fails on a combination frost cannot express (it becomes an UNSUPPORTED node naming the
 * fused_ops); fails, naming the node, when the operands do not match the list (num_args). */
#include <ctype.h>
#include <stdio.h>

#include "import/tf/tf_build.h"

typedef struct fused_plan {
    bool bias, batch_norm, add, prelu;
    frost__act_params act;      /* a plain activation (FROST__ACT_NONE: none or Prelu)        */
    int n_args;                 /* operands the list consumes                                 */
} fused_plan;

static bool name_is(const ProtobufCBinaryData *s, const char *want) {
    size_t n = strlen(want);
    if (s->len != n) return false;
    for (size_t i = 0; i < n; i++)
        if (tolower(s->data[i]) != tolower((unsigned char)want[i])) return false;
    return true;
}

static bool plain_act(const frost__tf_node *c, const ProtobufCBinaryData *s, frost__act_params *act) {
    static const struct { const char *name; frost__act act; } acts[] = {
        {"Relu", FROST__ACT_RELU}, {"Relu6", FROST__ACT_RELU6}, {"Elu", FROST__ACT_ELU},
        {"LeakyRelu", FROST__ACT_LEAKY_RELU}, {"Sigmoid", FROST__ACT_SIGMOID},
        {"Tanh", FROST__ACT_TANH},
    };
    for (size_t i = 0; i < FROST_ARRAY_LEN(acts); i++) {
        if (!name_is(s, acts[i].name)) continue;
        memset(act, 0, sizeof *act);
        act->act = acts[i].act;
        if (act->act == FROST__ACT_ELU) act->alpha = 1.0f;
        if (act->act == FROST__ACT_LEAKY_RELU)
            act->alpha = frost__tf_attr_float(c, "leakyrelu_alpha", 0.2f);
        return true;
    }
    return false;
}

/* fused_ops -> plan; false with `why` when the list is not one frost knows. */
static bool read_plan(const frost__tf_node *c, fused_plan *fp, char *why, size_t cap) {
    memset(fp, 0, sizeof *fp);
    const ProtobufCBinaryData *s;
    size_t n = frost__tf_attr_strs(c, "fused_ops", &s);
    size_t i = 0;
    if (i < n && name_is(&s[i], "BiasAdd")) {
        fp->bias = true;
        fp->n_args += 1;
        i++;
    } else if (i < n && (name_is(&s[i], "FusedBatchNorm") || name_is(&s[i], "FusedBatchNormV3"))) {
        fp->batch_norm = true;
        fp->n_args += 4;
        i++;
    }
    if (i < n && (name_is(&s[i], "Add") || name_is(&s[i], "AddV2"))) {
        fp->add = true;
        fp->n_args += 1;
        i++;
    }
    if (i < n && name_is(&s[i], "Prelu")) {
        fp->prelu = true;
        fp->n_args += 1;
        i++;
    } else if (i < n && plain_act(c, &s[i], &fp->act)) {
        i++;
    }
    if (i == n) return true;
    size_t at = (size_t)snprintf(why, cap, "fused_ops ");
    for (size_t k = 0; k < n && at < cap; k++)
        at += (size_t)snprintf(why + at, cap - at, "%s%.*s", k ? "," : "",
                               (int)FROST_MIN(s[k].len, 40), s[k].data ? (const char *)s[k].data : "");
    return false;
}

/* Checks the operands against the plan and num_args; fails naming the node when they differ. */
static frost_status check_args(frost__tf_node *c, const fused_plan *fp, int n_core) {
    int have = c->n_in - n_core;
    int64_t num_args = frost__tf_attr_int(c, "num_args", have);
    if (num_args != have)
        return frost__tf_bad_node(c, "num_args is %lld but the node has %d operands after its %d "
                                     "inputs", (long long)num_args, have, n_core);
    if (have != fp->n_args)
        return frost__tf_bad_node(c, "its fused_ops need %d extra operand%s, the node has %d",
                                  fp->n_args, fp->n_args == 1 ? "" : "s", have);
    return FROST_OK;
}

/* The nodes after the core: BatchNorm, Add, activation, Prelu, each on the previous value. The
 * last one is named `last_name`. `arg` points at the first operand the core did not take. */
static int add_post_ops(frost__tf_node *c, const fused_plan *fp, bool act_in_core, int v,
                        const int *arg, const char *last_name) {
    enum { BN, ADD, ACT, PRELU };
    int todo[4], n = 0;
    if (fp->batch_norm) todo[n++] = BN;
    if (fp->add) todo[n++] = ADD;
    if (fp->act.act != FROST__ACT_NONE && !act_in_core) todo[n++] = ACT;
    if (fp->prelu) todo[n++] = PRELU;
    for (int k = 0; k < n && v >= 0; k++) {
        static const char *const tags[] = {"batch_norm", "add", "act", "prelu"};
        char name[600];
        const char *nm = k == n - 1 ? last_name : frost__tf_sub_name(c, tags[todo[k]], name, sizeof name);
        frost__params p;
        memset(&p, 0, sizeof p);
        int id = -1;
        switch (todo[k]) {
        case BN: {
            p.batch_norm.epsilon = frost__tf_attr_float(c, "epsilon", 1e-4f);
            p.batch_norm.axis = -1;
            int in[5] = {v, arg[0], arg[1], arg[2], arg[3]};
            arg += 4;
            id = frost__tf_add_node(c, nm, FROST__OP_BATCH_NORM, 5, in, 1, &p);
            break;
        }
        case ADD: {
            p.binary.fn = FROST__BIN_ADD;
            int in[2] = {v, *arg++};
            id = frost__tf_add_node(c, nm, FROST__OP_BINARY, 2, in, 1, &p);
            break;
        }
        case ACT:
            p.unary.fn = fp->act.act;
            p.unary.alpha = fp->act.alpha;
            p.unary.beta = fp->act.beta;
            id = frost__tf_add_node(c, nm, FROST__OP_UNARY, 1, &v, 1, &p);
            break;
        default: {
            p.binary.fn = FROST__BIN_PRELU;
            int in[2] = {v, *arg++};
            id = frost__tf_add_node(c, nm, FROST__OP_BINARY, 2, in, 1, &p);
            break;
        }
        }
        v = frost__tf_out0(c, id);
    }
    return v;
}

/* The fused ops after the core that must stay separate nodes. */
static bool has_post_nodes(const fused_plan *fp) { return fp->batch_norm || fp->add || fp->prelu; }

/* _FusedConv2D (fn 0) and the fused depthwise convs (fn 1): x, filter, operands. */
static frost_status b_fused_conv(frost__tf_node *c, const frost__tf_op_row *e) {
    fused_plan fp;
    char why[200];
    if (!read_plan(c, &fp, why, sizeof why)) return frost__tf_unsupported(c, why);
    FROST_TRY(check_args(c, &fp, 2));
    frost__tf_layout lay = frost__tf_data_format(c);
    if (lay == FROST__TF_OTHER_LAYOUT) return frost__tf_unsupported(c, "data_format not NHWC/NCHW");
    /* In NCHW a side input or Prelu alpha is laid out for NCHW: not expressed here. */
    if (lay == FROST__TF_NCHW && (fp.add || fp.prelu))
        return frost__tf_unsupported(c, "NCHW with Add or Prelu in fused_ops");
    frost__params p;
    memset(&p, 0, sizeof p);
    bool ok = true;
    FROST_TRY(frost__tf_read_window(c, lay, true, &p.conv.w, &ok));
    if (!ok) return frost__tf_unsupported(c, "stride, dilation or padding on batch/channels");
    p.conv.groups = 1;
    bool act_in_core = !has_post_nodes(&fp);
    if (act_in_core) p.conv.act = fp.act;
    int x = c->in[0];
    if (lay == FROST__TF_NCHW && (x = frost__tf_to_nhwc(c, x)) < 0) return c->err->code;
    int in[3] = {x, c->in[1], fp.bias ? c->in[2] : -1};
    char core[600], last[600];
    const char *last_name = lay == FROST__TF_NHWC ? c->nd->name
                                                  : frost__tf_sub_name(c, "nhwc", last, sizeof last);
    const char *core_name = has_post_nodes(&fp) || (!act_in_core && fp.act.act)
                                ? frost__tf_sub_name(c, "conv", core, sizeof core)
                                : last_name;
    int id = frost__tf_add_node(c, core_name,
                                e->fn ? FROST__OP_DEPTHWISE_CONV2D : FROST__OP_CONV2D,
                                fp.bias ? 3 : 2, in, 1, &p);
    int v = frost__tf_out0(c, id);
    if (v >= 0) v = add_post_ops(c, &fp, act_in_core, v, c->in + 2 + (fp.bias ? 1 : 0), last_name);
    return frost__tf_emit_layout_value(c, lay, v);
}

/* _FusedMatMul: a, b, operands; transpose_a / transpose_b as MatMul. */
static frost_status b_fused_matmul(frost__tf_node *c, const frost__tf_op_row *e) {
    (void)e;
    fused_plan fp;
    char why[200];
    if (!read_plan(c, &fp, why, sizeof why)) return frost__tf_unsupported(c, why);
    FROST_TRY(check_args(c, &fp, 2));
    frost__params p;
    memset(&p, 0, sizeof p);
    p.matmul.transpose_a = frost__tf_attr_bool(c, "transpose_a", false);
    p.matmul.transpose_b = frost__tf_attr_bool(c, "transpose_b", false);
    bool act_in_core = !has_post_nodes(&fp);
    if (act_in_core) p.matmul.act = fp.act;
    int in[3] = {c->in[0], c->in[1], fp.bias ? c->in[2] : -1};
    char core[600];
    const char *core_name = has_post_nodes(&fp) ? frost__tf_sub_name(c, "matmul", core, sizeof core)
                                                : c->nd->name;
    int id = frost__tf_add_node(c, core_name, FROST__OP_MATMUL, fp.bias ? 3 : 2, in, 1, &p);
    int v = frost__tf_out0(c, id);
    if (v >= 0) v = add_post_ops(c, &fp, act_in_core, v, c->in + 2 + (fp.bias ? 1 : 0), c->nd->name);
    if (v < 0) return c->err->code;
    return frost__tf_emit(c, c->g->values[v].producer);
}

/* _FusedBatchNormEx: x, scale, offset, mean, variance [, side input]; activation_mode. */
static frost_status b_fused_batch_norm_ex(frost__tf_node *c, const frost__tf_op_row *e) {
    (void)e;
    if (frost__tf_attr_bool(c, "is_training", true))
        return frost__tf_unsupported(c, "is_training=true");
    frost__tf_layout lay = frost__tf_data_format(c);
    if (lay != FROST__TF_NHWC) return frost__tf_unsupported(c, "data_format not NHWC");
    fused_plan fp;
    memset(&fp, 0, sizeof fp);
    fp.batch_norm = true;
    int64_t sides = frost__tf_attr_int(c, "num_side_inputs", c->n_in - 5);
    if (sides != c->n_in - 5 || sides > 1)
        return frost__tf_bad_node(c, "num_side_inputs is %lld with %d inputs", (long long)sides,
                                  c->n_in);
    fp.add = sides == 1;
    const FrostTf__AttrValue *mode = frost__tf_attr_of(c, "activation_mode",
                                                       FROST_TF__ATTR_VALUE__VALUE_S);
    if (mode && !frost__tf_attr_str_is(c, "activation_mode", "Identity", false) &&
        !plain_act(c, &mode->s, &fp.act))
        return frost__tf_unsupported(c, "activation_mode");
    int v = add_post_ops(c, &fp, false, c->in[0], c->in + 1, c->nd->name);
    if (v < 0) return c->err->code;
    return frost__tf_emit(c, c->g->values[v].producer);
}

const frost__tf_op_row frost__tf_fused_ops[] = {
    {"_FusedConv2D", b_fused_conv, 0, 2, FROST__TF_ANY_INPUTS, 0},
    {"_FusedDepthwiseConv2dNative", b_fused_conv, 1, 2, FROST__TF_ANY_INPUTS, 0},
    {"FusedDepthwiseConv2dNative", b_fused_conv, 1, 2, FROST__TF_ANY_INPUTS, 0},
    {"_FusedMatMul", b_fused_matmul, 0, 2, FROST__TF_ANY_INPUTS, 0},
    {"_FusedBatchNormEx", b_fused_batch_norm_ex, 0, 5, 6, 6},
};
const size_t frost__tf_fused_ops_count = FROST_ARRAY_LEN(frost__tf_fused_ops);
