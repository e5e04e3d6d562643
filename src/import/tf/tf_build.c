/* tf_build.c — the helpers of tf_build.h for op builders outside tf_ops.c, and the dispatch over
 * their tables (tf_ops_fused.c: the fused ops grappler and the TF.js converter write;
 * tf_ops_more.c: the ops of published TF.js graph models).
 *
 * Like tf_ops.c it never fails on an op or attribute value it cannot honour (those become
 * UNSUPPORTED nodes saying what was refused); it fails only on malformed nodes, naming them. */
#include "import/tf/tf_build.h"

#include <stdio.h>

/* ==== Attributes ============================================================================= */

const FrostTf__AttrValue *frost__tf_attr_of(const frost__tf_node *c, const char *key, int value_case) {
    const FrostTf__AttrValue *a = frost__tf_attr(c->nd, key);
    return a && (int)a->value_case == value_case ? a : NULL;
}

int64_t frost__tf_attr_int(const frost__tf_node *c, const char *key, int64_t def) {
    const FrostTf__AttrValue *a = frost__tf_attr_of(c, key, FROST_TF__ATTR_VALUE__VALUE_I);
    return a ? a->i : def;
}

float frost__tf_attr_float(const frost__tf_node *c, const char *key, float def) {
    const FrostTf__AttrValue *a = frost__tf_attr_of(c, key, FROST_TF__ATTR_VALUE__VALUE_F);
    return a ? a->f : def;
}

bool frost__tf_attr_bool(const frost__tf_node *c, const char *key, bool def) {
    const FrostTf__AttrValue *a = frost__tf_attr_of(c, key, FROST_TF__ATTR_VALUE__VALUE_B);
    return a ? a->b != 0 : def;
}

int frost__tf_attr_type(const frost__tf_node *c, const char *key) {
    const FrostTf__AttrValue *a = frost__tf_attr_of(c, key, FROST_TF__ATTR_VALUE__VALUE_TYPE);
    return a ? (int)a->type : -1;
}

bool frost__tf_attr_str_is(const frost__tf_node *c, const char *key, const char *want, bool def) {
    const FrostTf__AttrValue *a = frost__tf_attr_of(c, key, FROST_TF__ATTR_VALUE__VALUE_S);
    if (!a) return def;
    size_t n = strlen(want);
    return a->s.len == n && (n == 0 || memcmp(a->s.data, want, n) == 0);
}

size_t frost__tf_attr_ints(const frost__tf_node *c, const char *key, const int64_t **vals) {
    const FrostTf__AttrValue *a = frost__tf_attr_of(c, key, FROST_TF__ATTR_VALUE__VALUE_LIST);
    *vals = a && a->list ? a->list->i : NULL;
    return a && a->list ? a->list->n_i : 0;
}

size_t frost__tf_attr_strs(const frost__tf_node *c, const char *key, const ProtobufCBinaryData **vals) {
    const FrostTf__AttrValue *a = frost__tf_attr_of(c, key, FROST_TF__ATTR_VALUE__VALUE_LIST);
    *vals = a && a->list ? a->list->s : NULL;
    return a && a->list ? a->list->n_s : 0;
}

/* ==== Building =============================================================================== */

frost_status frost__tf_bad_node(frost__tf_node *c, const char *fmt, ...) {
    char msg[380];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return frost__fail(c->err, FROST_E_FORMAT, c->nd->name, c->nd->op, -1, "node '%s' (%s): %s",
                       c->nd->name, c->nd->op, msg);
}

const char *frost__tf_sub_name(const frost__tf_node *c, const char *suffix, char *buf, size_t cap) {
    snprintf(buf, cap, "%s#%s", c->nd->name, suffix);
    return buf;
}

int frost__tf_add_node(frost__tf_node *c, const char *name, int op, int n_in, const int *in,
                       int n_out, const frost__params *p) {
    return frost__graph_add_node(c->g, name, c->nd->op, op, n_in, in, n_out, p, c->err);
}

int frost__tf_out0(const frost__tf_node *c, int id) {
    return id < 0 ? -1 : c->g->nodes[id].out[0];
}

frost_status frost__tf_emit(frost__tf_node *c, int id) {
    if (id < 0) return c->err->code;
    const frost__node *n = &c->g->nodes[id];
    int k = FROST_MIN(n->n_out, c->out_cap);
    for (int i = 0; i < k; i++) c->out[i] = n->out[i];
    c->n_out = k;
    return FROST_OK;
}

int frost__tf_add_ints(frost__tf_node *c, const char *suffix, frost_dtype dt, const int64_t *v,
                       int n, bool scalar) {
    char name[600];
    int64_t buf64[FROST_MAX_RANK * 2];
    int32_t buf32[FROST_MAX_RANK * 2];
    if (n > FROST_MAX_RANK * 2) n = FROST_MAX_RANK * 2;
    int64_t dim = n;
    frost__shape s = frost__shape_make(scalar ? 0 : 1, &dim);
    const void *data = buf64;
    size_t nbytes = (size_t)n * 8;
    for (int i = 0; i < n; i++) {
        buf64[i] = v[i];
        buf32[i] = (int32_t)v[i];
    }
    if (dt == FROST_DTYPE_I32) {
        data = buf32;
        nbytes = (size_t)n * 4;
    }
    return frost__graph_add_const(c->g, frost__tf_sub_name(c, suffix, name, sizeof name), dt, &s,
                                  data, nbytes, c->err);
}

bool frost__tf_const_ints(const frost__tf_node *c, int value, int64_t *vals, int cap, int *n) {
    const frost__value *val = &c->g->values[value];
    if (val->kind != FROST__VAL_CONST || !frost__dtype_is_int(val->dtype) || val->shape.rank > 1)
        return false;
    int64_t cnt = val->shape.rank == 0 ? 1 : val->shape.d[0];
    if (cnt < 0 || cnt > cap) return false;
    for (int64_t i = 0; i < cnt; i++) vals[i] = frost__read_int(val->dtype, val->data, i);
    *n = (int)cnt;
    return true;
}

/* ==== Layout and windows ===================================================================== */

frost__tf_layout frost__tf_data_format(const frost__tf_node *c) {
    if (frost__tf_attr_str_is(c, "data_format", "NHWC", true)) return FROST__TF_NHWC;
    if (frost__tf_attr_str_is(c, "data_format", "NCHW", false)) return FROST__TF_NCHW;
    return FROST__TF_OTHER_LAYOUT;
}

static int transpose(frost__tf_node *c, int x, const int64_t *perm, const char *what,
                     const char *name) {
    char suffix[64];
    snprintf(suffix, sizeof suffix, "perm_%s", what);
    int p = frost__tf_add_ints(c, suffix, FROST_DTYPE_I32, perm, 4, false);
    if (p < 0) return -1;
    int in[2] = {x, p};
    return frost__tf_out0(c, frost__tf_add_node(c, name, FROST__OP_TRANSPOSE, 2, in, 1, NULL));
}

int frost__tf_to_nhwc(frost__tf_node *c, int x) {
    static const int64_t perm[4] = {0, 2, 3, 1};
    char name[600];
    return transpose(c, x, perm, "to_nhwc", frost__tf_sub_name(c, "to_nhwc", name, sizeof name));
}

frost_status frost__tf_emit_layout_value(frost__tf_node *c, frost__tf_layout lay, int v) {
    if (v < 0) return c->err->code;
    if (lay == FROST__TF_NHWC) {
        /* v is the output of the last node added for c: its ports are c's. */
        int id = c->g->values[v].producer;
        return frost__tf_emit(c, id);
    }
    static const int64_t perm[4] = {0, 3, 1, 2};
    int out = transpose(c, v, perm, "to_nchw", c->nd->name);
    if (out < 0) return c->err->code;
    return frost__tf_emit(c, c->g->values[out].producer);
}

/* A 4-entry per-dimension attribute (strides, dilations) into (h, w); batch and channel entries
 * must be 1 (else *ok = false). Absent: 1, 1. */
static frost_status read_hw(frost__tf_node *c, const char *key, frost__tf_layout lay, int *h,
                            int *w, bool *ok) {
    const int64_t *v;
    size_t n = frost__tf_attr_ints(c, key, &v);
    *h = *w = 1;
    if (n == 0) return FROST_OK;
    if (n != 4) return frost__tf_bad_node(c, "attribute '%s' has %zu entries, expected 4", key, n);
    int ih = lay == FROST__TF_NCHW ? 2 : 1, iw = ih + 1;
    int ic = lay == FROST__TF_NCHW ? 1 : 3;
    for (int i = 0; i < 4; i++)
        if (v[i] < 1 || v[i] > (1 << 20))
            return frost__tf_bad_node(c, "attribute '%s' holds %lld", key, (long long)v[i]);
    if (v[0] != 1 || v[ic] != 1) *ok = false;
    *h = (int)v[ih];
    *w = (int)v[iw];
    return FROST_OK;
}

frost_status frost__tf_read_window(frost__tf_node *c, frost__tf_layout lay, bool dilations,
                                   frost__window *w, bool *ok) {
    memset(w, 0, sizeof *w);
    FROST_TRY(read_hw(c, "strides", lay, &w->stride_h, &w->stride_w, ok));
    w->dilation_h = w->dilation_w = 1;
    if (dilations) FROST_TRY(read_hw(c, "dilations", lay, &w->dilation_h, &w->dilation_w, ok));
    if (frost__tf_attr_str_is(c, "padding", "SAME", false)) {
        w->padding = FROST__PAD_SAME_UPPER;
    } else if (frost__tf_attr_str_is(c, "padding", "VALID", false)) {
        w->padding = FROST__PAD_VALID;
    } else if (frost__tf_attr_str_is(c, "padding", "EXPLICIT", false)) {
        const int64_t *p;
        size_t n = frost__tf_attr_ints(c, "explicit_paddings", &p);
        if (n != 8)
            return frost__tf_bad_node(c, "EXPLICIT padding needs 8 explicit_paddings, got %zu", n);
        int ih = lay == FROST__TF_NCHW ? 2 : 1, iw = ih + 1;
        for (int i = 0; i < 8; i++)
            if (p[i] < 0 || p[i] > (1 << 20))
                return frost__tf_bad_node(c, "explicit padding %lld", (long long)p[i]);
        int ib = 0, ic = lay == FROST__TF_NCHW ? 1 : 3;
        if (p[2 * ib] || p[2 * ib + 1] || p[2 * ic] || p[2 * ic + 1]) *ok = false;
        w->padding = FROST__PAD_EXPLICIT;
        w->pad_top = (int)p[2 * ih];
        w->pad_bottom = (int)p[2 * ih + 1];
        w->pad_left = (int)p[2 * iw];
        w->pad_right = (int)p[2 * iw + 1];
    } else {
        const FrostTf__AttrValue *a = frost__tf_attr_of(c, "padding", FROST_TF__ATTR_VALUE__VALUE_S);
        return frost__tf_bad_node(c, "unknown padding '%.*s'", a ? (int)FROST_MIN(a->s.len, 32) : 0,
                                  a && a->s.data ? (const char *)a->s.data : "");
    }
    return FROST_OK;
}

/* ==== Dispatch =============================================================================== */

static const frost__tf_op_row *find_row(const char *op) {
    for (size_t i = 0; i < frost__tf_fused_ops_count; i++)
        if (!strcmp(frost__tf_fused_ops[i].name, op)) return &frost__tf_fused_ops[i];
    for (size_t i = 0; i < frost__tf_more_ops_count; i++)
        if (!strcmp(frost__tf_more_ops[i].name, op)) return &frost__tf_more_ops[i];
    return NULL;
}

frost_status frost__tf_build_more(frost__tf_node *c) {
    const frost__tf_op_row *e = find_row(c->nd->op);
    if (!e) return frost__tf_unsupported(c, NULL);
    if (c->n_in < e->min_in || c->n_in > e->max_in) {
        if (e->min_in == e->max_in)
            return frost__tf_bad_node(c, "has %d data inputs, expected %d", c->n_in, e->min_in);
        if (c->n_in < e->min_in)
            return frost__tf_bad_node(c, "has %d data inputs, expected at least %d", c->n_in,
                                      e->min_in);
        return frost__tf_bad_node(c, "has %d data inputs, expected at most %d", c->n_in, e->max_in);
    }
    FROST_TRY(e->build(c, e));
    int tf_outs = e->tf_outs ? e->tf_outs : c->n_out;
    if (c->n_used > tf_outs)
        return frost__fail(c->err, FROST_E_FORMAT, c->nd->name, c->nd->op, -1,
                           "node '%s' reads output %d of '%s' (%s), which has %d output%s",
                           c->top_reader ? c->top_reader : "?", c->n_used - 1, c->nd->name,
                           c->nd->op, tf_outs, tf_outs == 1 ? "" : "s");
    return FROST_OK;
}
