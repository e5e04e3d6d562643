/* onnx_build.c — the toolkit every ONNX op builder uses (onnx_ops.h): reading a node's attributes
 * and inputs, naming and adding frost nodes and constants for it, running each new node's shape
 * inference at once so later builders see ranks and dtypes, binding ONNX output names, and the
 * UNSUPPORTED node that stands for a node frost cannot translate exactly.
 *
 * It knows no op's meaning: every op-specific choice lives in the builders. It must never trust a
 * node: absent inputs, over-long attribute lists and name clashes are reported, never assumed. */
#include "import/onnx/onnx_ops.h"

#include "import/import_util.h"
#include "ops/op.h"

#include <stdio.h>

frost_status frost__onnx_failed(onnx_ctx *c) {
    return c->err->code != FROST_OK ? c->err->code : FROST_E_INTERNAL;
}
/* The name new frost nodes and values of n are named after: its first non-empty output (ONNX lets
 * any optional output, even the first, be left out with ""). */
const char *frost__onnx_out_base(onnx_node *n) {
    for (size_t k = 0; k < n->n_output; k++)
        if (n->output[k] && *n->output[k]) return n->output[k];
    return n->op_type;
}

const char *frost__onnx_node_label(onnx_node *n) {
    return n->name && *n->name ? n->name : frost__onnx_out_base(n);
}

frost_status frost__onnx_bad_node(onnx_ctx *c, onnx_node *n, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    frost_status st = frost__import_vfail(c->err, FROST_E_FORMAT, "node",
                                          frost__onnx_node_label(n), n->op_type, fmt, ap);
    va_end(ap);
    return st;
}

/* ---- Attributes ----------------------------------------------------------------------------- */

const FrostOnnx__AttributeProto *frost__onnx_attr(onnx_node *n, const char *name) {
    for (size_t i = 0; i < n->n_attribute; i++)
        if (n->attribute[i]->name && strcmp(n->attribute[i]->name, name) == 0)
            return n->attribute[i];
    return NULL;
}
int64_t frost__onnx_attr_i(onnx_node *n, const char *name, int64_t def) {
    const FrostOnnx__AttributeProto *a = frost__onnx_attr(n, name);
    return a && a->has_i ? a->i : def;
}
float frost__onnx_attr_f(onnx_node *n, const char *name, float def) {
    const FrostOnnx__AttributeProto *a = frost__onnx_attr(n, name);
    return a && a->has_f ? a->f : def;
}
const char *frost__onnx_attr_s(onnx_node *n, const char *name, const char *def, char *buf,
                               size_t cap) {
    const FrostOnnx__AttributeProto *a = frost__onnx_attr(n, name);
    if (!a || !a->has_s) return def;
    size_t len = FROST_MIN(a->s.len, cap - 1);
    memcpy(buf, a->s.data, len);
    buf[len] = 0;
    return buf;
}
int frost__onnx_attr_ints(onnx_node *n, const char *name, int64_t *out, int cap) {
    const FrostOnnx__AttributeProto *a = frost__onnx_attr(n, name);
    if (!a) return -1;
    if (a->n_ints > (size_t)cap) return -2;
    for (size_t i = 0; i < a->n_ints; i++) out[i] = a->ints[i];
    return (int)a->n_ints;
}

/* ---- Values --------------------------------------------------------------------------------- */

frost_dtype frost__onnx_float_of(onnx_ctx *c, int v) {
    frost_dtype t = frost__onnx_vdtype(c, v);
    return frost__dtype_is_float(t) ? t : FROST_DTYPE_F32;
}

int frost__onnx_in(onnx_ctx *c, onnx_node *n, size_t k) {
    if (k >= n->n_input || !n->input[k] || !*n->input[k]) return -1;
    onnx_name_slot *s = frost__onnx_slot(c, n->input[k]);
    return s ? s->value : -1;
}
frost_status frost__onnx_need_in(onnx_ctx *c, onnx_node *n, size_t k, int *v) {
    *v = frost__onnx_in(c, n, k);
    if (*v < 0)
        return frost__fail(c->err, FROST_E_FORMAT, frost__onnx_node_label(n), n->op_type, -1,
                           "node '%s' (%s) is missing its required input %zu",
                           frost__onnx_node_label(n), n->op_type, k);
    return FROST_OK;
}
bool frost__onnx_output_used(onnx_ctx *c, onnx_node *n, size_t k) {
    if (k >= n->n_output) return false;
    onnx_name_slot *s = frost__onnx_slot(c, n->output[k]);
    return s && s->uses > 0;
}

int frost__onnx_const_ints(onnx_ctx *c, int v, int64_t *out, int cap) {
    if (!frost__onnx_is_const(c, v)) return -1;
    const frost__value *x = frost__onnx_val(c, v);
    return frost__read_int_operand(x->dtype, &x->shape, x->data, out, cap);
}
bool frost__onnx_const_scalar(onnx_ctx *c, int v, double *out) {
    if (!frost__onnx_is_const(c, v)) return false;
    const frost__value *x = frost__onnx_val(c, v);
    if (frost__shape_numel(&x->shape) != 1 || x->dtype == FROST_DTYPE_STRING) return false;
    if (!frost__dtype_is_float(x->dtype) && !frost__dtype_is_int(x->dtype)) return false;
    *out = frost__read_double(x->dtype, x->data, 0);
    return true;
}

int frost__onnx_list_operand(onnx_ctx *c, onnx_node *n, size_t k, const char *name) {
    enum { MAX_LIST = 64 }; /* most values an int-list operand frost reads may carry */
    int v = frost__onnx_in(c, n, k);
    if (v >= 0) return v;
    int64_t vals[MAX_LIST];
    int cnt = frost__onnx_attr_ints(n, name, vals, MAX_LIST);
    if (cnt == -1) return -1;
    if (cnt == -2) {
        frost__onnx_bad_node(c, n, "attribute %s has too many values", name);
        return -2;
    }
    int r = frost__onnx_const_i64(c, n, name, vals, cnt, false);
    return r < 0 ? -2 : r;
}

/* ---- Naming and building -------------------------------------------------------------------- */

static bool name_free(onnx_ctx *c, const char *nm) {
    return frost__graph_lookup(c->g, nm) < 0 && !frost__onnx_slot(c, nm);
}

void frost__onnx_fresh_name(onnx_ctx *c, const char *base, const char *suffix, char *buf,
                            size_t cap) {
    snprintf(buf, cap, "%s/%s", base, suffix);
    for (int k = 2; !name_free(c, buf); k++) snprintf(buf, cap, "%s/%s_%d", base, suffix, k);
}

/* Runs the op's own shape inference now when it is implemented, so later translations can see
 * ranks and dtypes; failures are left for the load passes to report. */
static void infer_now(onnx_ctx *c, int node) {
    const frost__node *nd = &c->g->nodes[node];
    const frost__op_def *def = frost__op_get(nd->op);
    if (!def || !def->infer || nd->n_in > 16 || nd->n_out > 16) return;
    frost_dtype in_dt[16], out_dt[16];
    frost__shape in_sh[16], out_sh[16];
    const void *in_data[16];
    for (int i = 0; i < nd->n_in; i++) {
        int v = nd->in[i];
        in_dt[i] = v >= 0 ? frost__onnx_val(c, v)->dtype : FROST_DTYPE_INVALID;
        in_sh[i] = v >= 0 ? frost__onnx_val(c, v)->shape : frost__shape_unknown();
        in_data[i] = v >= 0 && frost__onnx_val(c, v)->kind == FROST__VAL_CONST
                         ? frost__onnx_val(c, v)->data
                         : NULL;
        if (v >= 0 && in_dt[i] == FROST_DTYPE_INVALID) return;
    }
    for (int k = 0; k < nd->n_out; k++) {
        out_dt[k] = FROST_DTYPE_INVALID;
        out_sh[k] = frost__shape_unknown();
    }
    frost_error scratch;
    frost__infer_ctx ic = {.node = nd, .n_in = nd->n_in, .in_dtype = in_dt, .in_shape = in_sh,
                           .in_data = in_data, .n_out = nd->n_out, .out_dtype = out_dt,
                           .out_shape = out_sh, .planning = false, .err = &scratch};
    if (def->infer(&ic) != FROST_OK) return;
    for (int k = 0; k < nd->n_out; k++) {
        frost__value *o = frost__onnx_val(c, nd->out[k]);
        o->dtype = out_dt[k];
        o->shape = out_sh[k];
    }
}

int frost__onnx_emit(onnx_ctx *c, onnx_node *n, const char *suffix, int op, int n_in, const int *in,
                     int n_out, const frost__params *p) {
    char nm[512];
    if (!suffix && frost__graph_lookup(c->g, frost__onnx_out_base(n)) < 0 &&
        frost__onnx_out_base(n) == n->output[0])
        snprintf(nm, sizeof nm, "%s", frost__onnx_out_base(n));
    else
        frost__onnx_fresh_name(c, frost__onnx_out_base(n), suffix ? suffix : "out", nm, sizeof nm);
    /* Layout transposes a translation adds show as "Transpose (Conv: to_nhwc)" in frost inspect. */
    char src_op[160];
    if (op == FROST__OP_TRANSPOSE && strcmp(n->op_type, "Transpose") != 0) {
        /* Also the last transpose back to NCHW, which carries the ONNX node's output name. */
        const char *why = suffix                                    ? suffix
                          : n_in > 1 && in[1] == c->perm_to_nchw ? "to_nchw"
                          : n_in > 1 && in[1] == c->perm_to_nhwc ? "to_nhwc"
                                                                 : "layout";
        snprintf(src_op, sizeof src_op, "Transpose (%s: %s)", n->op_type, why);
    } else
        snprintf(src_op, sizeof src_op, "%s", n->op_type);
    int node = frost__graph_add_node(c->g, nm, src_op, op, n_in, in, n_out, p, c->err);
    if (node >= 0) infer_now(c, node);
    return node;
}
int frost__onnx_step(onnx_ctx *c, onnx_node *n, const char *suffix, int op, int n_in, const int *in,
                     const frost__params *p) {
    int node = frost__onnx_emit(c, n, suffix, op, n_in, in, 1, p);
    return node < 0 ? -1 : c->g->nodes[node].out[0];
}

frost_status frost__onnx_bind(onnx_ctx *c, onnx_node *n, size_t k, int v) {
    if (k >= n->n_output || !n->output[k] || !*n->output[k]) return FROST_OK;
    onnx_name_slot *s = frost__onnx_slot(c, n->output[k]);
    if (!s) return FROST_OK;
    s->value = v;
    if (strcmp(frost__onnx_val(c, v)->name, n->output[k]) != 0 &&
        frost__graph_lookup(c->g, n->output[k]) < 0)
        return frost__graph_add_alias(c->g, n->output[k], v, c->err);
    return FROST_OK;
}
frost_status frost__onnx_bind0(onnx_ctx *c, onnx_node *n, int v) {
    if (v < 0) return frost__onnx_failed(c);
    return frost__onnx_bind(c, n, 0, v);
}

/* ---- Common steps --------------------------------------------------------------------------- */

/* The name of a constant of n: the ONNX output name itself when suffix is NULL and frost has not
 * used it (the constant stands for that output), else "<output0>/<suffix>". */
static void const_name(onnx_ctx *c, onnx_node *n, const char *suffix, char *nm, size_t cap) {
    const char *base = frost__onnx_out_base(n);
    if (!suffix && frost__graph_lookup(c->g, base) < 0) snprintf(nm, cap, "%s", base);
    else frost__onnx_fresh_name(c, base, suffix ? suffix : "const", nm, cap);
}

int frost__onnx_add_const(onnx_ctx *c, onnx_node *n, const char *suffix, frost_dtype dt,
                          const frost__shape *s, const void *data, size_t nbytes) {
    char nm[512];
    const_name(c, n, suffix, nm, sizeof nm);
    return frost__graph_add_const(c->g, nm, dt, s, data, nbytes, c->err);
}

int frost__onnx_const_i64(onnx_ctx *c, onnx_node *n, const char *suffix, const int64_t *v,
                          int count, bool scalar) {
    char nm[512];
    const_name(c, n, suffix, nm, sizeof nm);
    return frost__import_const_ints(c->g, nm, FROST_DTYPE_I64, v, count, scalar, c->err);
}
int frost__onnx_const_scalar_of(onnx_ctx *c, onnx_node *n, const char *suffix, frost_dtype dt,
                                double x) {
    union {
        float f32; double f64; int8_t i8; uint8_t u8; int16_t i16; uint16_t u16;
        int32_t i32; uint32_t u32; int64_t i64; uint64_t u64;
    } u;
    memset(&u, 0, sizeof u);
    switch (dt) {
    case FROST_DTYPE_F64: u.f64 = x; break;
    case FROST_DTYPE_I8: u.i8 = (int8_t)x; break;
    case FROST_DTYPE_U8: case FROST_DTYPE_BOOL: u.u8 = (uint8_t)x; break;
    case FROST_DTYPE_I16: u.i16 = (int16_t)x; break;
    case FROST_DTYPE_U16: u.u16 = (uint16_t)x; break;
    case FROST_DTYPE_I32: u.i32 = (int32_t)x; break;
    case FROST_DTYPE_U32: u.u32 = (uint32_t)x; break;
    case FROST_DTYPE_I64: u.i64 = (int64_t)x; break;
    case FROST_DTYPE_U64: u.u64 = (uint64_t)x; break;
    default: dt = FROST_DTYPE_F32; u.f32 = (float)x; break;
    }
    frost__shape s = frost__shape_make(0, NULL);
    return frost__onnx_add_const(c, n, suffix, dt, &s, &u, frost_dtype_size(dt));
}

/* The shared NCHW<->NHWC permutation constants. */
static int perm_const(onnx_ctx *c, bool to_nhwc) {
    int *slot = to_nhwc ? &c->perm_to_nhwc : &c->perm_to_nchw;
    if (*slot >= 0) return *slot;
    static const int64_t nhwc[4] = {0, 2, 3, 1}, nchw[4] = {0, 3, 1, 2};
    char nm[64];
    snprintf(nm, sizeof nm, "onnx_layout/%s", to_nhwc ? "nchw_to_nhwc" : "nhwc_to_nchw");
    for (int k = 2; !name_free(c, nm); k++)
        snprintf(nm, sizeof nm, "onnx_layout/%s_%d", to_nhwc ? "nchw_to_nhwc" : "nhwc_to_nchw", k);
    int64_t four = 4;
    frost__shape s = frost__shape_make(1, &four);
    *slot = frost__graph_add_const(c->g, nm, FROST_DTYPE_I64, &s, to_nhwc ? nhwc : nchw,
                                   sizeof nhwc, c->err);
    return *slot;
}
int frost__onnx_transpose_to(onnx_ctx *c, onnx_node *n, const char *suffix, int x, bool to_nhwc) {
    int perm = perm_const(c, to_nhwc);
    if (perm < 0) return -1;
    int in[2] = {x, perm};
    return frost__onnx_step(c, n, suffix, FROST__OP_TRANSPOSE, 2, in, NULL);
}

int frost__onnx_binary(onnx_ctx *c, onnx_node *n, const char *suffix, int fn, int a, int b) {
    frost__params p;
    memset(&p, 0, sizeof p);
    p.binary.fn = fn;
    int in[2] = {a, b};
    return frost__onnx_step(c, n, suffix, FROST__OP_BINARY, 2, in, &p);
}

int frost__onnx_unary(onnx_ctx *c, onnx_node *n, const char *suffix, int x, int fn, float alpha,
                      float beta) {
    frost__params p;
    memset(&p, 0, sizeof p);
    p.unary.fn = fn;
    p.unary.alpha = alpha;
    p.unary.beta = beta;
    int in[1] = {x};
    return frost__onnx_step(c, n, suffix, FROST__OP_UNARY, 1, in, &p);
}

int frost__onnx_cast_to(onnx_ctx *c, onnx_node *n, const char *suffix, int x, frost_dtype to) {
    if (frost__onnx_vdtype(c, x) == to) return x;
    frost__params cp;
    memset(&cp, 0, sizeof cp);
    cp.cast.to = to;
    int in[1] = {x};
    return frost__onnx_step(c, n, suffix, FROST__OP_CAST, 1, in, &cp);
}

int frost__onnx_shape_of(onnx_ctx *c, onnx_node *n, const char *suffix, int x, int start, int end) {
    frost__params p;
    memset(&p, 0, sizeof p);
    p.shape.out_dtype = FROST_DTYPE_I64;
    p.shape.start = start;
    p.shape.end = end;
    int in[1] = {x};
    return frost__onnx_step(c, n, suffix, FROST__OP_SHAPE, 1, in, &p);
}

int frost__onnx_reshape(onnx_ctx *c, onnx_node *n, const char *suffix, int x, int shape) {
    frost__params p;
    memset(&p, 0, sizeof p);
    p.reshape.zero_is_copy = true;
    int in[2] = {x, shape};
    return frost__onnx_step(c, n, suffix, FROST__OP_RESHAPE, 2, in, &p);
}

/* ---- What frost cannot translate ------------------------------------------------------------ */

frost_status frost__onnx_unsupported(onnx_ctx *c, onnx_node *n, const char *fmt, ...) {
    char why[128] = "", src[200];
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(why, sizeof why, fmt, ap);
        va_end(ap);
    }
    if (*why)
        snprintf(src, sizeof src, "%s (%s)", n->op_type, why);
    else
        snprintf(src, sizeof src, "%s", n->op_type);
    int in[64], n_in = 0;
    for (size_t i = 0; i < n->n_input && n_in < 64; i++) {
        int v = frost__onnx_in(c, n, i);
        if (v >= 0) in[n_in++] = v;
    }
    char nm[512];
    if (frost__graph_lookup(c->g, frost__onnx_out_base(n)) < 0)
        snprintf(nm, sizeof nm, "%s", frost__onnx_out_base(n));
    else
        frost__onnx_fresh_name(c, frost__onnx_out_base(n), "unsupported", nm, sizeof nm);
    int node = frost__graph_add_node(c->g, nm, src, FROST__OP_UNSUPPORTED, n_in, in,
                                     (int)n->n_output, NULL, c->err);
    if (node < 0) return frost__onnx_failed(c);
    c->n_unsupported++;
    for (size_t k = 0; k < n->n_output; k++)
        FROST_TRY(frost__onnx_bind(c, n, k, c->g->nodes[node].out[k]));
    return FROST_OK;
}
