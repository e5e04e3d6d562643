/* onnx_ops.c — translates each ONNX node (op_type at the model's opset, 7 to 17 and older where
 * cheap) into frost's canonical ops (TensorFlow semantics: NHWC activations, HWIO filters).
 *
 * Operands ONNX passes as attributes (axes, perms, pads, split sizes, clip bounds) become constants
 * here, so every opset reaches the same graph. NCHW convolutions and pools are wrapped as
 * TRANSPOSE(NCHW->NHWC) -> op -> TRANSPOSE(NHWC->NCHW), with constant OIHW weights converted to
 * HWIO once at import; passes/onnx_layout.c then cancels the transpose pairs.
 *
 * It must never guess: an attribute value or op use frost cannot run exactly as ONNX specifies
 * becomes an UNSUPPORTED node whose src_op names the op and the reason, so every gap is reported
 * at once by the supported-ops check. Malformed attributes (wrong counts, out-of-range values)
 * are FROST_E_FORMAT errors naming the node and attribute. */
#include "import/onnx/onnx_internal.h"
#include "ops/op.h"

#include <float.h>
#include <math.h>
#include <stdio.h>

typedef const FrostOnnx__NodeProto node_t;

#define MAXA 64 /* most values an int-list attribute may carry that we care about */

static frost_status failed(onnx_ctx *c) {
    return c->err->code != FROST_OK ? c->err->code : FROST_E_INTERNAL;
}
#define TRYV(x)                                 \
    do {                                        \
        if ((x) < 0) return failed(c);          \
    } while (0)

/* The name new frost nodes and values of n are named after: its first non-empty output (ONNX lets
 * any optional output, even the first, be left out with ""). */
static const char *out_base(node_t *n) {
    for (size_t k = 0; k < n->n_output; k++)
        if (n->output[k] && *n->output[k]) return n->output[k];
    return n->op_type;
}

static const char *node_label(node_t *n) {
    return n->name && *n->name ? n->name : out_base(n);
}

static frost_status bad_attr(onnx_ctx *c, node_t *n, const char *fmt, ...) FROST_PRINTF(3, 4);
static frost_status bad_attr(onnx_ctx *c, node_t *n, const char *fmt, ...) {
    char msg[300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return frost__fail(c->err, FROST_E_FORMAT, node_label(n), n->op_type, -1, "node '%s' (%s): %s",
                       node_label(n), n->op_type, msg);
}

/* ---- Attributes ----------------------------------------------------------------------------- */

static const FrostOnnx__AttributeProto *attr(node_t *n, const char *name) {
    for (size_t i = 0; i < n->n_attribute; i++)
        if (n->attribute[i]->name && strcmp(n->attribute[i]->name, name) == 0)
            return n->attribute[i];
    return NULL;
}
static int64_t attr_i(node_t *n, const char *name, int64_t def) {
    const FrostOnnx__AttributeProto *a = attr(n, name);
    return a && a->has_i ? a->i : def;
}
static float attr_f(node_t *n, const char *name, float def) {
    const FrostOnnx__AttributeProto *a = attr(n, name);
    return a && a->has_f ? a->f : def;
}
/* Copies a string attribute (bytes) into buf, or `def` when absent. */
static const char *attr_s(node_t *n, const char *name, const char *def, char *buf, size_t cap) {
    const FrostOnnx__AttributeProto *a = attr(n, name);
    if (!a || !a->has_s) return def;
    size_t len = FROST_MIN(a->s.len, cap - 1);
    memcpy(buf, a->s.data, len);
    buf[len] = 0;
    return buf;
}
/* Count of an int-list attribute copied into out; -1 when absent, -2 when longer than cap. */
static int attr_ints(node_t *n, const char *name, int64_t *out, int cap) {
    const FrostOnnx__AttributeProto *a = attr(n, name);
    if (!a) return -1;
    if (a->n_ints > (size_t)cap) return -2;
    for (size_t i = 0; i < a->n_ints; i++) out[i] = a->ints[i];
    return (int)a->n_ints;
}

/* ---- Values --------------------------------------------------------------------------------- */

static frost__value *val(onnx_ctx *c, int v) { return &c->g->values[v]; }
static frost_dtype vdtype(onnx_ctx *c, int v) { return v >= 0 ? val(c, v)->dtype : FROST_DTYPE_INVALID; }
static int vrank(onnx_ctx *c, int v) { return v >= 0 ? val(c, v)->shape.rank : -1; }
static bool is_const(onnx_ctx *c, int v) { return v >= 0 && val(c, v)->kind == FROST__VAL_CONST; }
/* The dtype for constants combined with v: v's own when it is a float, else f32. */
static frost_dtype float_of(onnx_ctx *c, int v) {
    frost_dtype t = vdtype(c, v);
    return frost__dtype_is_float(t) ? t : FROST_DTYPE_F32;
}

/* Input k of the node, or -1 when absent or named "". */
static int in_v(onnx_ctx *c, node_t *n, size_t k) {
    if (k >= n->n_input || !n->input[k] || !*n->input[k]) return -1;
    onnx_name_slot *s = frost__onnx_slot(c, n->input[k]);
    return s ? s->value : -1;
}
static frost_status need_in(onnx_ctx *c, node_t *n, size_t k, int *v) {
    *v = in_v(c, n, k);
    if (*v < 0)
        return frost__fail(c->err, FROST_E_FORMAT, node_label(n), n->op_type, -1,
                           "node '%s' (%s) is missing its required input %zu", node_label(n),
                           n->op_type, k);
    return FROST_OK;
}
/* True when ONNX output k exists and something consumes it (or it is a graph output). */
static bool output_used(onnx_ctx *c, node_t *n, size_t k) {
    if (k >= n->n_output) return false;
    onnx_name_slot *s = frost__onnx_slot(c, n->output[k]);
    return s && s->uses > 0;
}

/* Reads a constant int operand (0-D or 1-D) into out; count or -1 when not a known constant. */
static int const_ints(onnx_ctx *c, int v, int64_t *out, int cap) {
    if (!is_const(c, v)) return -1;
    const frost__value *x = val(c, v);
    return frost__read_int_operand(x->dtype, &x->shape, x->data, out, cap);
}
/* Reads a constant scalar (any numeric dtype, one element) as double. */
static bool const_scalar(onnx_ctx *c, int v, double *out) {
    if (!is_const(c, v)) return false;
    const frost__value *x = val(c, v);
    if (frost__shape_numel(&x->shape) != 1 || x->dtype == FROST_DTYPE_STRING) return false;
    if (!frost__dtype_is_float(x->dtype) && !frost__dtype_is_int(x->dtype)) return false;
    *out = frost__read_double(x->dtype, x->data, 0);
    return true;
}

/* ---- Naming and building -------------------------------------------------------------------- */

static bool name_free(onnx_ctx *c, const char *nm) {
    return frost__graph_lookup(c->g, nm) < 0 && !frost__onnx_slot(c, nm);
}

/* "<first output>/<suffix>", made unique against frost's names and every ONNX name. */
static void fresh_name(onnx_ctx *c, const char *base, const char *suffix, char *buf, size_t cap) {
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
        in_dt[i] = v >= 0 ? val(c, v)->dtype : FROST_DTYPE_INVALID;
        in_sh[i] = v >= 0 ? val(c, v)->shape : frost__shape_unknown();
        in_data[i] = v >= 0 && val(c, v)->kind == FROST__VAL_CONST ? val(c, v)->data : NULL;
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
        frost__value *o = val(c, nd->out[k]);
        o->dtype = out_dt[k];
        o->shape = out_sh[k];
    }
}

/* Adds a node for ONNX node n. suffix NULL: the node whose output 0 is the ONNX output 0 (named
 * after it); otherwise an internal step named "<output0>/<suffix>". Returns the node index. */
static int emit(onnx_ctx *c, node_t *n, const char *suffix, int op, int n_in, const int *in,
                int n_out, const frost__params *p) {
    char nm[512];
    if (!suffix && frost__graph_lookup(c->g, out_base(n)) < 0 && out_base(n) == n->output[0])
        snprintf(nm, sizeof nm, "%s", out_base(n));
    else
        fresh_name(c, out_base(n), suffix ? suffix : "out", nm, sizeof nm);
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
/* emit() for one-output steps: returns the output value id. */
static int step(onnx_ctx *c, node_t *n, const char *suffix, int op, int n_in, const int *in,
                const frost__params *p) {
    int node = emit(c, n, suffix, op, n_in, in, 1, p);
    return node < 0 ? -1 : c->g->nodes[node].out[0];
}

/* Binds ONNX output k to value v (an alias makes the ONNX name answer for it). */
static frost_status bind(onnx_ctx *c, node_t *n, size_t k, int v) {
    if (k >= n->n_output || !n->output[k] || !*n->output[k]) return FROST_OK;
    onnx_name_slot *s = frost__onnx_slot(c, n->output[k]);
    if (!s) return FROST_OK;
    s->value = v;
    if (strcmp(val(c, v)->name, n->output[k]) != 0 &&
        frost__graph_lookup(c->g, n->output[k]) < 0)
        return frost__graph_add_alias(c->g, n->output[k], v, c->err);
    return FROST_OK;
}
static frost_status bind0(onnx_ctx *c, node_t *n, int v) {
    if (v < 0) return failed(c);
    return bind(c, n, 0, v);
}

static int add_const(onnx_ctx *c, node_t *n, const char *suffix, frost_dtype dt,
                     const frost__shape *s, const void *data, size_t nbytes) {
    char nm[512];
    if (!suffix && name_free(c, out_base(n)))
        snprintf(nm, sizeof nm, "%s", out_base(n));
    else if (!suffix && frost__graph_lookup(c->g, out_base(n)) < 0)
        snprintf(nm, sizeof nm, "%s", out_base(n)); /* the ONNX name this const stands for */
    else
        fresh_name(c, out_base(n), suffix ? suffix : "const", nm, sizeof nm);
    return frost__graph_add_const(c->g, nm, dt, s, data, nbytes, c->err);
}
static int const_i64(onnx_ctx *c, node_t *n, const char *suffix, const int64_t *v, int count,
                     bool scalar) {
    int64_t one = count;
    frost__shape s = scalar ? frost__shape_make(0, NULL) : frost__shape_make(1, &one);
    return add_const(c, n, suffix, FROST_DTYPE_I64, &s, v, (size_t)count * sizeof(int64_t));
}
static int const_scalar_of(onnx_ctx *c, node_t *n, const char *suffix, frost_dtype dt, double x) {
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
    return add_const(c, n, suffix, dt, &s, &u, frost_dtype_size(dt));
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
static int transpose_to(onnx_ctx *c, node_t *n, const char *suffix, int x, bool to_nhwc) {
    int perm = perm_const(c, to_nhwc);
    if (perm < 0) return -1;
    int in[2] = {x, perm};
    return step(c, n, suffix, FROST__OP_TRANSPOSE, 2, in, NULL);
}

/* An UNSUPPORTED node standing for n, with the reason in its src_op ("MaxPool (Indices output)"). */
static frost_status unsupported(onnx_ctx *c, node_t *n, const char *fmt, ...) FROST_PRINTF(3, 4);
static frost_status unsupported(onnx_ctx *c, node_t *n, const char *fmt, ...) {
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
        int v = in_v(c, n, i);
        if (v >= 0) in[n_in++] = v;
    }
    char nm[512];
    if (frost__graph_lookup(c->g, out_base(n)) < 0)
        snprintf(nm, sizeof nm, "%s", out_base(n));
    else
        fresh_name(c, out_base(n), "unsupported", nm, sizeof nm);
    int node = frost__graph_add_node(c->g, nm, src, FROST__OP_UNSUPPORTED, n_in, in,
                                     (int)n->n_output, NULL, c->err);
    if (node < 0) return failed(c);
    c->n_unsupported++;
    for (size_t k = 0; k < n->n_output; k++)
        FROST_TRY(bind(c, n, k, c->g->nodes[node].out[k]));
    return FROST_OK;
}

/* ---- Constant rewriting (weights) ----------------------------------------------------------- */

/* A new constant holding src (rank r, dims) transposed by perm; element-size generic. */
static int const_transposed(onnx_ctx *c, node_t *n, const char *suffix, const frost__value *src,
                            int r, const int64_t *dims, const int *perm) {
    size_t es = frost_dtype_size(src->dtype);
    frost__shape out = frost__shape_make(r, dims);
    for (int i = 0; i < r; i++) out.d[i] = dims[perm[i]];
    void *dst = frost__alloc(&c->g->alloc, src->nbytes ? src->nbytes : 1);
    if (!dst) {
        frost__fail(c->err, FROST_E_NOMEM, node_label(n), n->op_type, -1, "out of memory");
        return -1;
    }
    frost__shape in = frost__shape_make(r, dims);
    int64_t sstr[FROST_MAX_RANK], ostr[FROST_MAX_RANK];
    frost__shape_strides(&in, sstr);
    frost__shape_strides(&out, ostr);
    int64_t total = frost__shape_numel(&out);
    int64_t idx[FROST_MAX_RANK] = {0};
    for (int64_t o = 0; o < total; o++) {
        int64_t si = 0;
        for (int i = 0; i < r; i++) si += idx[i] * sstr[perm[i]];
        memcpy((char *)dst + (size_t)o * es, (const char *)src->data + (size_t)si * es, es);
        for (int i = r - 1; i >= 0; i--) {
            if (++idx[i] < out.d[i]) break;
            idx[i] = 0;
        }
    }
    char nm[512];
    fresh_name(c, out_base(n), suffix, nm, sizeof nm);
    return frost__graph_add_const_owned(c->g, nm, src->dtype, &out, dst, src->nbytes, c->err);
}

/* ---- Spatial windows ------------------------------------------------------------------------ */

/* Reads strides/dilations/pads/auto_pad for sp (1 or 2) spatial dims. A 1-D window runs as 2-D with
 * height 1. Returns FROST_OK, an error, or FROST_E_UNSUPPORTED with `why` filled. */
static frost_status window_attrs(onnx_ctx *c, node_t *n, int sp, bool dilations_allowed,
                                 frost__window *w, char *why, size_t why_cap) {
    int64_t strides[2] = {1, 1}, dil[2] = {1, 1}, pads[4] = {0, 0, 0, 0};
    int64_t tmp[8];
    int k = attr_ints(n, "strides", tmp, 8);
    if (k >= 0) {
        if (k != sp) return bad_attr(c, n, "attribute strides has %d values for %d spatial dims", k, sp);
        for (int i = 0; i < sp; i++) strides[i] = tmp[i];
    }
    k = attr_ints(n, "dilations", tmp, 8);
    if (k >= 0) {
        if (k != sp) return bad_attr(c, n, "attribute dilations has %d values for %d spatial dims", k, sp);
        for (int i = 0; i < sp; i++) dil[i] = tmp[i];
    }
    k = attr_ints(n, "pads", tmp, 8);
    if (k >= 0) {
        if (k != 2 * sp) return bad_attr(c, n, "attribute pads has %d values for %d spatial dims", k, sp);
        for (int i = 0; i < 2 * sp; i++) pads[i] = tmp[i];
    }
    for (int i = 0; i < sp; i++) {
        if (strides[i] < 1 || strides[i] > (1 << 20))
            return bad_attr(c, n, "attribute strides[%d] = %lld is out of range", i, (long long)strides[i]);
        if (dil[i] < 1 || dil[i] > (1 << 20))
            return bad_attr(c, n, "attribute dilations[%d] = %lld is out of range", i, (long long)dil[i]);
    }
    for (int i = 0; i < 2 * sp; i++)
        if (pads[i] < 0 || pads[i] > (1 << 24))
            return bad_attr(c, n, "attribute pads[%d] = %lld is out of range", i, (long long)pads[i]);
    if (!dilations_allowed && (dil[0] != 1 || dil[1] != 1)) {
        snprintf(why, why_cap, "dilations");
        return FROST_E_UNSUPPORTED;
    }
    memset(w, 0, sizeof *w);
    if (sp == 1) {
        w->stride_h = 1; w->stride_w = (int)strides[0];
        w->dilation_h = 1; w->dilation_w = (int)dil[0];
        w->pad_left = (int)pads[0]; w->pad_right = (int)pads[1];
    } else {
        w->stride_h = (int)strides[0]; w->stride_w = (int)strides[1];
        w->dilation_h = (int)dil[0]; w->dilation_w = (int)dil[1];
        w->pad_top = (int)pads[0]; w->pad_left = (int)pads[1];
        w->pad_bottom = (int)pads[2]; w->pad_right = (int)pads[3];
    }
    char buf[32];
    const char *ap = attr_s(n, "auto_pad", "NOTSET", buf, sizeof buf);
    if (strcmp(ap, "NOTSET") == 0 || !*ap) {
        bool any = w->pad_top || w->pad_bottom || w->pad_left || w->pad_right;
        w->padding = any ? FROST__PAD_EXPLICIT : FROST__PAD_VALID;
    } else if (strcmp(ap, "VALID") == 0) {
        w->padding = FROST__PAD_VALID;
        w->pad_top = w->pad_bottom = w->pad_left = w->pad_right = 0;
    } else if (strcmp(ap, "SAME_UPPER") == 0) {
        w->padding = FROST__PAD_SAME_UPPER;
    } else if (strcmp(ap, "SAME_LOWER") == 0) {
        w->padding = FROST__PAD_SAME_LOWER;
    } else {
        return bad_attr(c, n, "attribute auto_pad '%s' is not NOTSET, VALID, SAME_UPPER or SAME_LOWER", ap);
    }
    return FROST_OK;
}

/* Number of spatial dims of an NC... op: from the weights' rank, kernel_shape, or x's rank. */
static int spatial_dims(onnx_ctx *c, node_t *n, int x, int w) {
    int64_t ks[8];
    int wr = vrank(c, w);
    if (wr >= 3) return wr - 2;
    int k = attr_ints(n, "kernel_shape", ks, 8);
    if (k > 0) return k;
    int xr = vrank(c, x);
    return xr >= 3 ? xr - 2 : 2;
}

/* x NC[H]W -> NHWC 4-D (inserting H = 1 for 1-D ops). */
static int to_nhwc4(onnx_ctx *c, node_t *n, int x, int sp) {
    if (sp == 1) {
        int64_t two = 2;
        int ax = const_i64(c, n, "axis_h", &two, 1, false);
        if (ax < 0) return -1;
        int in[2] = {x, ax};
        x = step(c, n, "as_2d", FROST__OP_EXPAND_DIMS, 2, in, NULL);
        if (x < 0) return -1;
    }
    return transpose_to(c, n, "to_nhwc", x, true);
}
/* NHWC 4-D y back to NC[H]W, the last step producing the ONNX output. */
static int from_nhwc4(onnx_ctx *c, node_t *n, int y, int sp) {
    if (sp != 1) return transpose_to(c, n, NULL, y, false);
    int t = transpose_to(c, n, "to_nchw", y, false);
    if (t < 0) return -1;
    int64_t two = 2;
    int ax = const_i64(c, n, "axis_h_out", &two, 1, false);
    if (ax < 0) return -1;
    int in[2] = {t, ax};
    return step(c, n, NULL, FROST__OP_SQUEEZE, 2, in, NULL);
}

/* Filter in HWIO ([kh, kw, I, O]) from ONNX weights [O, I, k...] (or [I, O, k...] for ConvTranspose,
 * which gives TF's [kh, kw, O, I] with the same permutation). */
static int filter_hwio(onnx_ctx *c, node_t *n, int w, int sp) {
    static const int perm[4] = {2, 3, 1, 0};
    const frost__value *wv = val(c, w);
    if (wv->kind == FROST__VAL_CONST && wv->shape.rank == sp + 2) {
        int64_t d[4];
        d[0] = wv->shape.d[0];
        d[1] = wv->shape.d[1];
        d[2] = sp == 1 ? 1 : wv->shape.d[2];
        d[3] = sp == 1 ? wv->shape.d[2] : wv->shape.d[3];
        return const_transposed(c, n, "filter_hwio", wv, 4, d, perm);
    }
    int x = w;
    if (sp == 1) {
        int64_t two = 2;
        int ax = const_i64(c, n, "filter_axis_h", &two, 1, false);
        if (ax < 0) return -1;
        int in[2] = {w, ax};
        x = step(c, n, "filter_2d", FROST__OP_EXPAND_DIMS, 2, in, NULL);
        if (x < 0) return -1;
    }
    int64_t p[4] = {2, 3, 1, 0};
    int pc = const_i64(c, n, "filter_perm", p, 4, false);
    if (pc < 0) return -1;
    int in[2] = {x, pc};
    return step(c, n, "filter_hwio", FROST__OP_TRANSPOSE, 2, in, NULL);
}

/* ---- Convolution and pooling ---------------------------------------------------------------- */

static frost_status op_conv(onnx_ctx *c, node_t *n) {
    int x, w;
    FROST_TRY(need_in(c, n, 0, &x));
    FROST_TRY(need_in(c, n, 1, &w));
    int b = in_v(c, n, 2);
    int sp = spatial_dims(c, n, x, w);
    if (sp != 1 && sp != 2) return unsupported(c, n, "%d-D", sp);
    frost__params p;
    memset(&p, 0, sizeof p);
    char why[64];
    frost_status st = window_attrs(c, n, sp, true, &p.conv.w, why, sizeof why);
    if (st == FROST_E_UNSUPPORTED) return unsupported(c, n, "%s", why);
    FROST_TRY(st);
    int64_t group = attr_i(n, "group", 1);
    if (group < 1 || group > (1 << 24)) return bad_attr(c, n, "attribute group = %lld", (long long)group);
    const frost__shape *ws = &val(c, w)->shape;
    bool depthwise = group > 1 && ws->rank == sp + 2 && ws->d[1] == 1 && ws->d[0] > 0 &&
                     ws->d[0] % group == 0;
    int filt = filter_hwio(c, n, w, sp);
    TRYV(filt);
    int op = FROST__OP_CONV2D;
    p.conv.groups = (int)group;
    if (depthwise) {
        /* HWIO [kh, kw, 1, O] and depthwise [kh, kw, C, O/C] share one memory order. */
        op = FROST__OP_DEPTHWISE_CONV2D;
        p.conv.groups = 1;
        frost__value *fv = val(c, filt);
        if (fv->kind == FROST__VAL_CONST) {
            fv->shape.d[2] = group;
            fv->shape.d[3] /= group;
        } else {
            int64_t rs[4] = {0, 0, group, -1};
            int rc = const_i64(c, n, "filter_dw_shape", rs, 4, false);
            TRYV(rc);
            frost__params rp;
            memset(&rp, 0, sizeof rp);
            rp.reshape.zero_is_copy = true;
            int in[2] = {filt, rc};
            filt = step(c, n, "filter_dw", FROST__OP_RESHAPE, 2, in, &rp);
            TRYV(filt);
        }
    }
    int xt = to_nhwc4(c, n, x, sp);
    TRYV(xt);
    int in[3] = {xt, filt, b};
    int y = step(c, n, "conv_nhwc", op, b >= 0 ? 3 : 2, in, &p);
    TRYV(y);
    return bind0(c, n, from_nhwc4(c, n, y, sp));
}

static frost_status op_conv_transpose(onnx_ctx *c, node_t *n) {
    int x, w;
    FROST_TRY(need_in(c, n, 0, &x));
    FROST_TRY(need_in(c, n, 1, &w));
    int b = in_v(c, n, 2);
    int sp = spatial_dims(c, n, x, w);
    if (sp != 1 && sp != 2) return unsupported(c, n, "%d-D", sp);
    if (attr_i(n, "group", 1) != 1) return unsupported(c, n, "group > 1");
    frost__params p;
    memset(&p, 0, sizeof p);
    char why[64];
    frost_status st = window_attrs(c, n, sp, true, &p.deconv.w, why, sizeof why);
    if (st == FROST_E_UNSUPPORTED) return unsupported(c, n, "%s", why);
    FROST_TRY(st);
    int64_t op_[2] = {0, 0}, os[2] = {0, 0};
    int k = attr_ints(n, "output_padding", op_, 2);
    if (k >= 0 && k != sp) return bad_attr(c, n, "attribute output_padding has %d values", k);
    k = attr_ints(n, "output_shape", os, 2);
    if (k >= 0) {
        if (k != sp) return unsupported(c, n, "output_shape with batch and channel dims");
        /* ONNX puts the odd padding at the end unless SAME_LOWER: frost's SAME_UPPER rule. */
        if (p.deconv.w.padding != FROST__PAD_SAME_LOWER) p.deconv.w.padding = FROST__PAD_SAME_UPPER;
    }
    if (sp == 1) {
        p.deconv.out_pad_w = (int)op_[0];
        p.deconv.out_w = (int)os[0];
        p.deconv.out_h = os[0] > 0 ? 1 : 0;
    } else {
        p.deconv.out_pad_h = (int)op_[0];
        p.deconv.out_pad_w = (int)op_[1];
        p.deconv.out_h = (int)os[0];
        p.deconv.out_w = (int)os[1];
    }
    int filt = filter_hwio(c, n, w, sp);
    TRYV(filt);
    int xt = to_nhwc4(c, n, x, sp);
    TRYV(xt);
    int in[3] = {xt, filt, b};
    int y = step(c, n, "deconv_nhwc", FROST__OP_CONV2D_TRANSPOSE, b >= 0 ? 3 : 2, in, &p);
    TRYV(y);
    return bind0(c, n, from_nhwc4(c, n, y, sp));
}

static frost_status op_pool(onnx_ctx *c, node_t *n, bool is_max) {
    int x;
    FROST_TRY(need_in(c, n, 0, &x));
    if (is_max && output_used(c, n, 1)) return unsupported(c, n, "Indices output");
    int64_t ks[8];
    int k = attr_ints(n, "kernel_shape", ks, 8);
    if (k < 1) return bad_attr(c, n, "attribute kernel_shape is missing");
    if (k > 2) return unsupported(c, n, "%d-D", k);
    for (int i = 0; i < k; i++)
        if (ks[i] < 1 || ks[i] > (1 << 20))
            return bad_attr(c, n, "attribute kernel_shape[%d] = %lld", i, (long long)ks[i]);
    if (attr_i(n, "storage_order", 0) != 0 && output_used(c, n, 1))
        return unsupported(c, n, "storage_order");
    frost__params p;
    memset(&p, 0, sizeof p);
    char why[64];
    frost_status st = window_attrs(c, n, k, true, &p.pool.w, why, sizeof why);
    if (st == FROST_E_UNSUPPORTED) return unsupported(c, n, "%s", why);
    FROST_TRY(st);
    p.pool.is_max = is_max;
    p.pool.k_h = k == 1 ? 1 : (int)ks[0];
    p.pool.k_w = k == 1 ? (int)ks[0] : (int)ks[1];
    p.pool.count_include_pad = !is_max && attr_i(n, "count_include_pad", 0) != 0;
    p.pool.ceil_mode = attr_i(n, "ceil_mode", 0) != 0;
    int xt = to_nhwc4(c, n, x, k);
    TRYV(xt);
    int in[1] = {xt};
    int y = step(c, n, "pool_nhwc", FROST__OP_POOL2D, 1, in, &p);
    TRYV(y);
    return bind0(c, n, from_nhwc4(c, n, y, k));
}

static frost_status op_global_pool(onnx_ctx *c, node_t *n, int fn) {
    int x;
    FROST_TRY(need_in(c, n, 0, &x));
    int r = vrank(c, x);
    if (r < 0) r = 4;
    if (r < 3) return unsupported(c, n, "rank %d input", r);
    int64_t axes[FROST_MAX_RANK];
    for (int i = 2; i < r; i++) axes[i - 2] = i;
    int ax = const_i64(c, n, "axes", axes, r - 2, false);
    TRYV(ax);
    frost__params p;
    memset(&p, 0, sizeof p);
    p.reduce.fn = fn;
    p.reduce.keep_dims = true;
    int in[2] = {x, ax};
    return bind0(c, n, step(c, n, NULL, FROST__OP_REDUCE, 2, in, &p));
}

static frost_status op_batchnorm(onnx_ctx *c, node_t *n) {
    int x, sc, bi, mean, var;
    FROST_TRY(need_in(c, n, 0, &x));
    FROST_TRY(need_in(c, n, 1, &sc));
    FROST_TRY(need_in(c, n, 2, &bi));
    FROST_TRY(need_in(c, n, 3, &mean));
    FROST_TRY(need_in(c, n, 4, &var));
    if (attr_i(n, "training_mode", 0) != 0) return unsupported(c, n, "training_mode");
    if (c->opset < 9 && attr_i(n, "spatial", 1) != 1) return unsupported(c, n, "spatial=0");
    for (size_t k = 1; k < n->n_output; k++)
        if (output_used(c, n, k)) return unsupported(c, n, "training outputs");
    frost__params p;
    memset(&p, 0, sizeof p);
    p.batch_norm.epsilon = attr_f(n, "epsilon", 1e-5f);
    p.batch_norm.axis = 1;
    int in[5] = {x, sc, bi, mean, var};
    return bind0(c, n, step(c, n, NULL, FROST__OP_BATCH_NORM, 5, in, &p));
}

/* ---- Matrix products ------------------------------------------------------------------------ */

static frost_status op_matmul(onnx_ctx *c, node_t *n) {
    int a, b;
    FROST_TRY(need_in(c, n, 0, &a));
    FROST_TRY(need_in(c, n, 1, &b));
    int ra = vrank(c, a), rb = vrank(c, b);
    frost__params p;
    memset(&p, 0, sizeof p);
    if (ra != 1 && rb != 1) {
        int in[2] = {a, b};
        return bind0(c, n, step(c, n, NULL, FROST__OP_MATMUL, 2, in, &p));
    }
    /* numpy: a 1-D operand gains a unit dim for the product, which is then removed. */
    int64_t ax_a = 0, ax_b = -1;
    if (ra == 1) {
        int k = const_i64(c, n, "a_axis", &ax_a, 1, false);
        TRYV(k);
        int in[2] = {a, k};
        a = step(c, n, "a_2d", FROST__OP_EXPAND_DIMS, 2, in, NULL);
        TRYV(a);
    }
    if (rb == 1) {
        int k = const_i64(c, n, "b_axis", &ax_b, 1, false);
        TRYV(k);
        int in[2] = {b, k};
        b = step(c, n, "b_2d", FROST__OP_EXPAND_DIMS, 2, in, NULL);
        TRYV(b);
    }
    int in[2] = {a, b};
    int y = step(c, n, "matmul", FROST__OP_MATMUL, 2, in, &p);
    TRYV(y);
    int64_t sq[2];
    int nsq = 0;
    if (ra == 1) sq[nsq++] = -2;
    if (rb == 1) sq[nsq++] = -1;
    int k = const_i64(c, n, "squeeze_axes", sq, nsq, false);
    TRYV(k);
    int in2[2] = {y, k};
    return bind0(c, n, step(c, n, NULL, FROST__OP_SQUEEZE, 2, in2, NULL));
}

/* A constant equal to v * s (float constants only). */
static int scaled_const(onnx_ctx *c, node_t *n, const char *suffix, int v, double s) {
    const frost__value *x = val(c, v);
    if (x->kind != FROST__VAL_CONST || (x->dtype != FROST_DTYPE_F32 && x->dtype != FROST_DTYPE_F64))
        return -2;
    void *d = frost__alloc(&c->g->alloc, x->nbytes ? x->nbytes : 1);
    if (!d) {
        frost__fail(c->err, FROST_E_NOMEM, node_label(n), n->op_type, -1, "out of memory");
        return -1;
    }
    int64_t cnt = frost__shape_numel(&x->shape);
    x = val(c, v);
    for (int64_t i = 0; i < cnt; i++) {
        if (x->dtype == FROST_DTYPE_F32)
            ((float *)d)[i] = (float)(((const float *)x->data)[i] * s);
        else
            ((double *)d)[i] = ((const double *)x->data)[i] * s;
    }
    char nm[512];
    fresh_name(c, out_base(n), suffix, nm, sizeof nm);
    frost__shape sh = x->shape;
    return frost__graph_add_const_owned(c->g, nm, x->dtype, &sh, d, x->nbytes, c->err);
}

static int binary(onnx_ctx *c, node_t *n, const char *suffix, int fn, int a, int b) {
    frost__params p;
    memset(&p, 0, sizeof p);
    p.binary.fn = fn;
    int in[2] = {a, b};
    return step(c, n, suffix, FROST__OP_BINARY, 2, in, &p);
}

static frost_status op_gemm(onnx_ctx *c, node_t *n) {
    int a, b;
    FROST_TRY(need_in(c, n, 0, &a));
    FROST_TRY(need_in(c, n, 1, &b));
    int cc = in_v(c, n, 2);
    double alpha = attr_f(n, "alpha", 1.0f), beta = attr_f(n, "beta", 1.0f);
    frost__params p;
    memset(&p, 0, sizeof p);
    p.matmul.transpose_a = attr_i(n, "transA", 0) != 0;
    p.matmul.transpose_b = attr_i(n, "transB", 0) != 0;
    if (alpha != 1.0) {
        int s = scaled_const(c, n, "b_scaled", b, alpha);
        if (s == -1) return failed(c);
        if (s >= 0) {
            b = s;
            alpha = 1.0;
        }
    }
    if (cc >= 0 && beta == 0.0) cc = -1;
    if (cc >= 0 && beta != 1.0) {
        int s = scaled_const(c, n, "c_scaled", cc, beta);
        if (s == -1) return failed(c);
        if (s >= 0) {
            cc = s;
        } else {
            int k = const_scalar_of(c, n, "beta", float_of(c, cc), beta);
            TRYV(k);
            cc = binary(c, n, "c_times_beta", FROST__BIN_MUL, cc, k);
            TRYV(cc);
        }
    }
    /* A 1-D C of length N is MatMul's own bias; anything else broadcasts through an Add. */
    const frost__value *cv = cc >= 0 ? val(c, cc) : NULL;
    bool as_bias = cv && cv->shape.rank == 1 && alpha == 1.0;
    if (as_bias) {
        const frost__shape *bs = &val(c, b)->shape;
        int64_t nn = bs->rank == 2 ? bs->d[p.matmul.transpose_b ? 0 : 1] : -1;
        as_bias = nn >= 0 && cv->shape.d[0] == nn;
    }
    bool last = cc < 0 || as_bias;
    bool need_alpha = alpha != 1.0;
    int in[3] = {a, b, as_bias ? cc : -1};
    int y = step(c, n, last && !need_alpha ? NULL : "matmul", FROST__OP_MATMUL, as_bias ? 3 : 2, in,
                 &p);
    TRYV(y);
    if (need_alpha) {
        int k = const_scalar_of(c, n, "alpha", float_of(c, a), alpha);
        TRYV(k);
        y = binary(c, n, last ? NULL : "times_alpha", FROST__BIN_MUL, y, k);
        TRYV(y);
    }
    if (!last) {
        y = binary(c, n, NULL, FROST__BIN_ADD, y, cc);
        TRYV(y);
    }
    return bind0(c, n, y);
}

/* ---- Elementwise ---------------------------------------------------------------------------- */

static int unary_fn(onnx_ctx *c, node_t *n, const char *suffix, int x, int fn, float alpha,
                    float beta) {
    frost__params p;
    memset(&p, 0, sizeof p);
    p.unary.fn = fn;
    p.unary.alpha = alpha;
    p.unary.beta = beta;
    int in[1] = {x};
    return step(c, n, suffix, FROST__OP_UNARY, 1, in, &p);
}

static frost_status op_unary(onnx_ctx *c, node_t *n, int fn, float alpha, float beta) {
    int x;
    FROST_TRY(need_in(c, n, 0, &x));
    return bind0(c, n, unary_fn(c, n, NULL, x, fn, alpha, beta));
}

/* b reshaped to b.dims + [1] * trail (the old ONNX broadcast "axis" and PRelu's channel slope). */
static int align_right(onnx_ctx *c, node_t *n, int b, int trail) {
    const frost__shape *bs = &val(c, b)->shape;
    if (bs->rank < 0 || bs->rank + trail > FROST_MAX_RANK) return -2;
    int64_t dims[FROST_MAX_RANK];
    for (int i = 0; i < bs->rank; i++) {
        if (bs->d[i] < 0) return -2;
        dims[i] = bs->d[i];
    }
    for (int i = 0; i < trail; i++) dims[bs->rank + i] = 1;
    int k = const_i64(c, n, "aligned_shape", dims, bs->rank + trail, false);
    if (k < 0) return -1;
    frost__params rp;
    memset(&rp, 0, sizeof rp);
    int in[2] = {b, k};
    return step(c, n, "aligned", FROST__OP_RESHAPE, 2, in, &rp);
}

static frost_status op_binary(onnx_ctx *c, node_t *n, int fn) {
    int a, b;
    FROST_TRY(need_in(c, n, 0, &a));
    FROST_TRY(need_in(c, n, 1, &b));
    int ra = vrank(c, a), rb = vrank(c, b);
    if (c->opset < 7 && attr_i(n, "broadcast", 0) != 0 && attr(n, "axis")) {
        int64_t axis = attr_i(n, "axis", 0);
        if (ra < 0 || rb < 0) return unsupported(c, n, "legacy broadcast axis, ranks unknown");
        if (axis < 0) axis += ra;
        if (axis < 0 || axis + rb > ra) return bad_attr(c, n, "attribute axis %lld", (long long)axis);
        if (axis + rb < ra) {
            b = align_right(c, n, b, (int)(ra - axis - rb));
            if (b == -2) return unsupported(c, n, "legacy broadcast axis, shape unknown");
            TRYV(b);
        }
    } else if (fn == FROST__BIN_PRELU && c->opset < 7 && rb == 1 && ra >= 3 &&
               val(c, b)->shape.d[0] != 1) {
        /* PRelu-6 and older: a 1-D slope is per channel (axis 1). */
        b = align_right(c, n, b, ra - 2);
        if (b == -2) return unsupported(c, n, "slope shape unknown");
        TRYV(b);
    }
    frost_dtype da = vdtype(c, a), db = vdtype(c, b);
    if (fn == FROST__BIN_POW && da != db && da != FROST_DTYPE_INVALID && db != FROST_DTYPE_INVALID) {
        /* ONNX Pow may mix base and exponent types; the result has the base's. */
        frost__params cp;
        memset(&cp, 0, sizeof cp);
        cp.cast.to = da;
        int in[1] = {b};
        b = step(c, n, "exponent_cast", FROST__OP_CAST, 1, in, &cp);
        TRYV(b);
    }
    return bind0(c, n, binary(c, n, NULL, fn, a, b));
}

/* Max, Min, Sum, Mean: a chain of binary ops over 1..n inputs. */
static frost_status op_variadic(onnx_ctx *c, node_t *n, int fn, bool mean) {
    int acc;
    FROST_TRY(need_in(c, n, 0, &acc));
    int count = 1;
    for (size_t i = 1; i < n->n_input; i++) {
        int v = in_v(c, n, i);
        if (v < 0) continue;
        bool last = !mean && i + 1 == n->n_input;
        acc = binary(c, n, last ? NULL : "acc", fn, acc, v);
        TRYV(acc);
        count++;
    }
    if (mean && count > 1) {
        int k = const_scalar_of(c, n, "count", float_of(c, acc), count);
        TRYV(k);
        acc = binary(c, n, NULL, FROST__BIN_DIV, acc, k);
        TRYV(acc);
    } else if (count == 1) {
        int in[1] = {acc};
        acc = step(c, n, NULL, FROST__OP_IDENTITY, 1, in, NULL);
        TRYV(acc);
    }
    return bind0(c, n, acc);
}

static frost_status op_clip(onnx_ctx *c, node_t *n) {
    int x;
    FROST_TRY(need_in(c, n, 0, &x));
    double lo = -FLT_MAX, hi = FLT_MAX;
    int vlo = -1, vhi = -1;
    bool const_bounds = true;
    if (c->opset < 11) {
        lo = attr_f(n, "min", -FLT_MAX);
        hi = attr_f(n, "max", FLT_MAX);
    } else {
        vlo = in_v(c, n, 1);
        vhi = in_v(c, n, 2);
        if (vlo >= 0 && !const_scalar(c, vlo, &lo)) const_bounds = false;
        if (vhi >= 0 && !const_scalar(c, vhi, &hi)) const_bounds = false;
    }
    frost_dtype dt = vdtype(c, x);
    bool float_x = dt == FROST_DTYPE_F32 || dt == FROST_DTYPE_INVALID;
    if (const_bounds && float_x)
        return bind0(c, n, unary_fn(c, n, NULL, x, FROST__ACT_CLIP, (float)lo, (float)hi));
    /* Integer or run-time bounds: max then min, as ONNX defines (min > max gives max). */
    int y = x;
    if (c->opset < 11) {
        vlo = const_scalar_of(c, n, "min", dt, lo);
        TRYV(vlo);
        vhi = const_scalar_of(c, n, "max", dt, hi);
        TRYV(vhi);
    }
    if (vlo >= 0) {
        y = binary(c, n, vhi >= 0 ? "lower" : NULL, FROST__BIN_MAX, y, vlo);
        TRYV(y);
    }
    if (vhi >= 0) {
        y = binary(c, n, NULL, FROST__BIN_MIN, y, vhi);
        TRYV(y);
    }
    if (y == x) {
        int in[1] = {x};
        y = step(c, n, NULL, FROST__OP_IDENTITY, 1, in, NULL);
        TRYV(y);
    }
    return bind0(c, n, y);
}

static frost_status op_selu(onnx_ctx *c, node_t *n) {
    const float def_alpha = 1.67326319217681884765625f, def_gamma = 1.05070102214813232421875f;
    float alpha = attr_f(n, "alpha", def_alpha), gamma = attr_f(n, "gamma", def_gamma);
    int x;
    FROST_TRY(need_in(c, n, 0, &x));
    if (alpha == def_alpha && gamma == def_gamma)
        return bind0(c, n, unary_fn(c, n, NULL, x, FROST__ACT_SELU, 0, 0));
    /* selu = gamma * elu_alpha(x) */
    int e = unary_fn(c, n, "elu", x, FROST__ACT_ELU, alpha, 0);
    TRYV(e);
    int k = const_scalar_of(c, n, "gamma", float_of(c, x), gamma);
    TRYV(k);
    return bind0(c, n, binary(c, n, NULL, FROST__BIN_MUL, e, k));
}

static frost_status op_celu(onnx_ctx *c, node_t *n) {
    /* celu(x) = alpha * elu_1(x / alpha) */
    float alpha = attr_f(n, "alpha", 1.0f);
    int x;
    FROST_TRY(need_in(c, n, 0, &x));
    if (alpha == 0.0f) return bad_attr(c, n, "attribute alpha is 0");
    int k = const_scalar_of(c, n, "alpha", float_of(c, x), alpha);
    TRYV(k);
    int s = binary(c, n, "scaled", FROST__BIN_DIV, x, k);
    TRYV(s);
    int e = unary_fn(c, n, "elu", s, FROST__ACT_ELU, 1.0f, 0);
    TRYV(e);
    return bind0(c, n, binary(c, n, NULL, FROST__BIN_MUL, e, k));
}

static frost_status op_thresholded_relu(onnx_ctx *c, node_t *n) {
    float alpha = attr_f(n, "alpha", 1.0f);
    int x;
    FROST_TRY(need_in(c, n, 0, &x));
    frost_dtype dt = float_of(c, x);
    int ka = const_scalar_of(c, n, "alpha", dt, alpha);
    TRYV(ka);
    int kz = const_scalar_of(c, n, "zero", dt, 0);
    TRYV(kz);
    int cond = binary(c, n, "above", FROST__BIN_GREATER, x, ka);
    TRYV(cond);
    int in[3] = {cond, x, kz};
    return bind0(c, n, step(c, n, NULL, FROST__OP_SELECT, 3, in, NULL));
}

static frost_status op_mish(onnx_ctx *c, node_t *n) {
    int x;
    FROST_TRY(need_in(c, n, 0, &x));
    int sp = unary_fn(c, n, "softplus", x, FROST__ACT_SOFTPLUS, 0, 0);
    TRYV(sp);
    int t = unary_fn(c, n, "tanh", sp, FROST__ACT_TANH, 0, 0);
    TRYV(t);
    return bind0(c, n, binary(c, n, NULL, FROST__BIN_MUL, x, t));
}

static frost_status op_isinf(onnx_ctx *c, node_t *n) {
    int x;
    FROST_TRY(need_in(c, n, 0, &x));
    bool neg = attr_i(n, "detect_negative", 1) != 0, pos = attr_i(n, "detect_positive", 1) != 0;
    if (neg && pos) return bind0(c, n, unary_fn(c, n, NULL, x, FROST__UN_ISINF, 0, 0));
    if (!neg && !pos) {
        /* always false: no value is both infinite and NaN */
        int inf = unary_fn(c, n, "isinf", x, FROST__UN_ISINF, 0, 0);
        TRYV(inf);
        int nan = unary_fn(c, n, "isnan", x, FROST__UN_ISNAN, 0, 0);
        TRYV(nan);
        return bind0(c, n, binary(c, n, NULL, FROST__BIN_AND, inf, nan));
    }
    int inf = unary_fn(c, n, "isinf", x, FROST__UN_ISINF, 0, 0);
    TRYV(inf);
    int z = const_scalar_of(c, n, "zero", float_of(c, x), 0);
    TRYV(z);
    int side = binary(c, n, "sign", pos ? FROST__BIN_GREATER : FROST__BIN_LESS, x, z);
    TRYV(side);
    return bind0(c, n, binary(c, n, NULL, FROST__BIN_AND, inf, side));
}

static frost_status op_where(onnx_ctx *c, node_t *n) {
    int cond, a, b;
    FROST_TRY(need_in(c, n, 0, &cond));
    FROST_TRY(need_in(c, n, 1, &a));
    FROST_TRY(need_in(c, n, 2, &b));
    int in[3] = {cond, a, b};
    return bind0(c, n, step(c, n, NULL, FROST__OP_SELECT, 3, in, NULL));
}

static frost_status op_cast(onnx_ctx *c, node_t *n, bool like) {
    int x;
    FROST_TRY(need_in(c, n, 0, &x));
    frost_dtype to;
    if (like) {
        int t;
        FROST_TRY(need_in(c, n, 1, &t));
        to = vdtype(c, t);
        if (to == FROST_DTYPE_INVALID) return unsupported(c, n, "target dtype unknown at load");
    } else {
        const FrostOnnx__AttributeProto *a = attr(n, "to");
        if (!a || !a->has_i) return bad_attr(c, n, "attribute to is missing");
        to = frost__onnx_dtype((int)a->i);
    }
    if (to == FROST_DTYPE_INVALID || to == FROST_DTYPE_STRING)
        return unsupported(c, n, "to %s", to == FROST_DTYPE_STRING ? "string" : "this dtype");
    if (vdtype(c, x) == FROST_DTYPE_STRING) return unsupported(c, n, "from string");
    frost__params p;
    memset(&p, 0, sizeof p);
    p.cast.to = to;
    int in[1] = {x};
    return bind0(c, n, step(c, n, NULL, FROST__OP_CAST, 1, in, &p));
}

/* ---- Softmax -------------------------------------------------------------------------------- */

static frost_status op_softmax(onnx_ctx *c, node_t *n, bool log) {
    int x;
    FROST_TRY(need_in(c, n, 0, &x));
    frost__params p;
    memset(&p, 0, sizeof p);
    p.softmax.log = log;
    p.softmax.beta = 1.0f;
    int r = vrank(c, x);
    if (c->opset >= 13) {
        p.softmax.axis = (int)attr_i(n, "axis", -1);
        int in[1] = {x};
        return bind0(c, n, step(c, n, NULL, FROST__OP_SOFTMAX, 1, in, &p));
    }
    /* Before opset 13 the input is coerced to 2-D at axis and normalized over the second part. */
    int64_t axis = attr_i(n, "axis", 1);
    if (r >= 0) {
        if (axis < -r || axis > r) return bad_attr(c, n, "attribute axis %lld for rank %d", (long long)axis, r);
        if (axis < 0) axis += r;
        if (axis == r - 1 || (r == 0 && axis == 0)) {
            p.softmax.axis = -1;
            int in[1] = {x};
            return bind0(c, n, step(c, n, NULL, FROST__OP_SOFTMAX, 1, in, &p));
        }
    }
    frost__params fp;
    memset(&fp, 0, sizeof fp);
    fp.flatten.axis = (int)axis;
    int in[1] = {x};
    int flat = step(c, n, "flat", FROST__OP_FLATTEN, 1, in, &fp);
    TRYV(flat);
    p.softmax.axis = -1;
    int in2[1] = {flat};
    int sm = step(c, n, "softmax_2d", FROST__OP_SOFTMAX, 1, in2, &p);
    TRYV(sm);
    frost__params sp;
    memset(&sp, 0, sizeof sp);
    sp.shape.out_dtype = FROST_DTYPE_I64;
    int in3[1] = {x};
    int shp = step(c, n, "shape", FROST__OP_SHAPE, 1, in3, &sp);
    TRYV(shp);
    frost__params rp;
    memset(&rp, 0, sizeof rp);
    rp.reshape.zero_is_copy = true;
    int in4[2] = {sm, shp};
    return bind0(c, n, step(c, n, NULL, FROST__OP_RESHAPE, 2, in4, &rp));
}

/* ---- Shapes and layout ---------------------------------------------------------------------- */

/* An int-list operand: from input k when opset >= since (or the input is present), else from
 * attribute `name`. Returns the value id, -1 (absent) or -2 (error, err filled). */
static int list_operand(onnx_ctx *c, node_t *n, size_t k, const char *name, int since) {
    int v = in_v(c, n, k);
    if (v >= 0) return v;
    if (c->opset >= since && !attr(n, name)) return -1;
    int64_t vals[MAXA];
    int cnt = attr_ints(n, name, vals, MAXA);
    if (cnt == -1) return -1;
    if (cnt == -2) {
        bad_attr(c, n, "attribute %s has too many values", name);
        return -2;
    }
    int r = const_i64(c, n, name, vals, cnt, false);
    return r < 0 ? -2 : r;
}

static frost_status op_reshape(onnx_ctx *c, node_t *n) {
    int x;
    FROST_TRY(need_in(c, n, 0, &x));
    int s = list_operand(c, n, 1, "shape", 5);
    if (s == -2) return failed(c);
    if (s < 0) return bad_attr(c, n, "the shape is missing");
    frost__params p;
    memset(&p, 0, sizeof p);
    p.reshape.zero_is_copy = attr_i(n, "allowzero", 0) == 0;
    int in[2] = {x, s};
    return bind0(c, n, step(c, n, NULL, FROST__OP_RESHAPE, 2, in, &p));
}

static frost_status op_flatten(onnx_ctx *c, node_t *n) {
    int x;
    FROST_TRY(need_in(c, n, 0, &x));
    int64_t axis = attr_i(n, "axis", 1);
    int r = vrank(c, x);
    if (axis < 0 && r >= 0) axis += r;
    if (r >= 0 && (axis < 0 || axis > r)) return bad_attr(c, n, "attribute axis out of range");
    frost__params p;
    memset(&p, 0, sizeof p);
    p.flatten.axis = (int)axis;
    int in[1] = {x};
    return bind0(c, n, step(c, n, NULL, FROST__OP_FLATTEN, 1, in, &p));
}

static frost_status op_squeeze(onnx_ctx *c, node_t *n, bool unsqueeze) {
    int x;
    FROST_TRY(need_in(c, n, 0, &x));
    int axes = list_operand(c, n, 1, "axes", 13);
    if (axes == -2) return failed(c);
    if (unsqueeze && axes < 0) return bad_attr(c, n, "axes are missing");
    int in[2] = {x, axes};
    return bind0(c, n, step(c, n, NULL, unsqueeze ? FROST__OP_EXPAND_DIMS : FROST__OP_SQUEEZE,
                            axes >= 0 ? 2 : 1, in, NULL));
}

static frost_status op_transpose(onnx_ctx *c, node_t *n) {
    int x;
    FROST_TRY(need_in(c, n, 0, &x));
    int64_t perm[FROST_MAX_RANK];
    int k = attr_ints(n, "perm", perm, FROST_MAX_RANK);
    if (k == -2) return unsupported(c, n, "rank > %d", FROST_MAX_RANK);
    if (k < 0) {
        int r = vrank(c, x);
        if (r < 0) return unsupported(c, n, "no perm and the rank is unknown at load");
        for (int i = 0; i < r; i++) perm[i] = r - 1 - i;
        k = r;
    }
    int pc = const_i64(c, n, "perm", perm, k, false);
    TRYV(pc);
    int in[2] = {x, pc};
    return bind0(c, n, step(c, n, NULL, FROST__OP_TRANSPOSE, 2, in, NULL));
}

static frost_status op_concat(onnx_ctx *c, node_t *n) {
    if (n->n_input < 1 || n->n_input > 4096) return bad_attr(c, n, "%zu inputs", n->n_input);
    const FrostOnnx__AttributeProto *a = attr(n, "axis");
    if (!a || !a->has_i) return bad_attr(c, n, "attribute axis is missing");
    int in[4097];
    int k = 0;
    for (size_t i = 0; i < n->n_input; i++) FROST_TRY(need_in(c, n, i, &in[k++]));
    int64_t axis = a->i;
    int ax = const_i64(c, n, "axis", &axis, 1, true);
    TRYV(ax);
    in[k++] = ax;
    return bind0(c, n, step(c, n, NULL, FROST__OP_CONCAT, k, in, NULL));
}

static frost_status op_split(onnx_ctx *c, node_t *n) {
    int x;
    FROST_TRY(need_in(c, n, 0, &x));
    int sizes = list_operand(c, n, 1, "split", 13);
    if (sizes == -2) return failed(c);
    if (attr(n, "num_outputs")) sizes = -1;
    int64_t axis = attr_i(n, "axis", 0);
    int ax = const_i64(c, n, "axis", &axis, 1, true);
    TRYV(ax);
    int in[3] = {x, ax, sizes};
    int node = emit(c, n, NULL, FROST__OP_SPLIT, sizes >= 0 ? 3 : 2, in, (int)n->n_output, NULL);
    if (node < 0) return failed(c);
    for (size_t k = 0; k < n->n_output; k++) FROST_TRY(bind(c, n, k, c->g->nodes[node].out[k]));
    return FROST_OK;
}

static frost_status op_slice(onnx_ctx *c, node_t *n) {
    int x;
    FROST_TRY(need_in(c, n, 0, &x));
    int starts, ends, axes, steps = -1;
    if (c->opset < 10) {
        starts = list_operand(c, n, 99, "starts", 1000);
        ends = list_operand(c, n, 99, "ends", 1000);
        axes = list_operand(c, n, 99, "axes", 1000);
    } else {
        starts = in_v(c, n, 1);
        ends = in_v(c, n, 2);
        axes = in_v(c, n, 3);
        steps = in_v(c, n, 4);
    }
    if (starts == -2 || ends == -2 || axes == -2) return failed(c);
    if (starts < 0 || ends < 0) return bad_attr(c, n, "starts or ends is missing");
    int in[5] = {x, starts, ends, axes, steps};
    int n_in = steps >= 0 ? 5 : axes >= 0 ? 4 : 3;
    return bind0(c, n, step(c, n, NULL, FROST__OP_SLICE, n_in, in, NULL));
}

static frost_status op_gather(onnx_ctx *c, node_t *n) {
    int x, idx;
    FROST_TRY(need_in(c, n, 0, &x));
    FROST_TRY(need_in(c, n, 1, &idx));
    int64_t axis = attr_i(n, "axis", 0);
    int ax = const_i64(c, n, "axis", &axis, 1, true);
    TRYV(ax);
    int in[3] = {x, idx, ax};
    return bind0(c, n, step(c, n, NULL, FROST__OP_GATHER, 3, in, NULL));
}

static frost_status op_two_inputs(onnx_ctx *c, node_t *n, int op) {
    int a, b;
    FROST_TRY(need_in(c, n, 0, &a));
    FROST_TRY(need_in(c, n, 1, &b));
    int in[2] = {a, b};
    return bind0(c, n, step(c, n, NULL, op, 2, in, NULL));
}

static frost_status op_shape(onnx_ctx *c, node_t *n) {
    int x;
    FROST_TRY(need_in(c, n, 0, &x));
    frost__params p;
    memset(&p, 0, sizeof p);
    p.shape.out_dtype = FROST_DTYPE_I64;
    int64_t start = attr_i(n, "start", 0);
    const FrostOnnx__AttributeProto *e = attr(n, "end");
    int r = vrank(c, x);
    if (e && e->has_i) {
        int64_t end = e->i;
        if (r < 0 && end <= 0) return unsupported(c, n, "end %lld with unknown rank", (long long)end);
        if (r >= 0) {
            if (end < 0) end += r;
            end = FROST_MAX(0, FROST_MIN(end, r));
            if (start < 0) start = FROST_MAX(0, start + r);
            start = FROST_MIN(start, r);
            if (end <= start) { /* empty: an empty int64 constant */
                int v = const_i64(c, n, NULL, NULL, 0, false);
                return bind0(c, n, v);
            }
        }
        p.shape.end = (int)end;
    }
    if (r >= 0) {
        if (start < 0) start = FROST_MAX(0, start + r);
        start = FROST_MIN(start, r);
    }
    if (start < -FROST_MAX_RANK || start > FROST_MAX_RANK)
        return unsupported(c, n, "start %lld with unknown rank", (long long)start);
    p.shape.start = (int)start;
    int in[1] = {x};
    return bind0(c, n, step(c, n, NULL, FROST__OP_SHAPE, 1, in, &p));
}

static frost_status op_size(onnx_ctx *c, node_t *n) {
    int x;
    FROST_TRY(need_in(c, n, 0, &x));
    frost__params p;
    memset(&p, 0, sizeof p);
    p.shape.out_dtype = FROST_DTYPE_I64;
    int in[1] = {x};
    int s = step(c, n, "shape", FROST__OP_SHAPE, 1, in, &p);
    TRYV(s);
    frost__params rp;
    memset(&rp, 0, sizeof rp);
    rp.reduce.fn = FROST__RED_PROD;
    int in2[1] = {s};
    return bind0(c, n, step(c, n, NULL, FROST__OP_REDUCE, 1, in2, &rp));
}

static frost_status op_pad(onnx_ctx *c, node_t *n) {
    int x;
    FROST_TRY(need_in(c, n, 0, &x));
    char buf[32];
    const char *mode = attr_s(n, "mode", "constant", buf, sizeof buf);
    frost__params p;
    memset(&p, 0, sizeof p);
    if (strcmp(mode, "constant") == 0) p.pad.mode = FROST__PADMODE_CONSTANT;
    else if (strcmp(mode, "reflect") == 0) p.pad.mode = FROST__PADMODE_REFLECT;
    else if (strcmp(mode, "edge") == 0) p.pad.mode = FROST__PADMODE_EDGE;
    else return unsupported(c, n, "mode %s", mode);
    if (in_v(c, n, 3) >= 0) return unsupported(c, n, "axes");
    int64_t pads[2 * FROST_MAX_RANK];
    int np;
    int pv = -1, value = -1;
    if (c->opset < 11) {
        np = attr_ints(n, "pads", pads, 2 * FROST_MAX_RANK);
        if (np < 0) return bad_attr(c, n, "attribute pads is missing or too long");
        float cv = attr_f(n, "value", 0.0f);
        if (cv != 0.0f) {
            value = const_scalar_of(c, n, "value", float_of(c, x), cv);
            TRYV(value);
        }
    } else {
        FROST_TRY(need_in(c, n, 1, &pv));
        value = in_v(c, n, 2);
        np = const_ints(c, pv, pads, 2 * FROST_MAX_RANK);
    }
    int paddings;
    if (np >= 0) {
        if (np % 2) return bad_attr(c, n, "pads has an odd count %d", np);
        int r = np / 2;
        int64_t pr[2 * FROST_MAX_RANK];
        for (int i = 0; i < r; i++) {
            pr[2 * i] = pads[i];
            pr[2 * i + 1] = pads[i + r];
        }
        int64_t dims[2] = {r, 2};
        frost__shape s = frost__shape_make(2, dims);
        paddings = add_const(c, n, "paddings", FROST_DTYPE_I64, &s, pr, (size_t)np * sizeof(int64_t));
        TRYV(paddings);
    } else {
        /* run-time pads [b0.., e0..] -> [[b0, e0], ...]: reshape to [2, r], transpose */
        int64_t two_r[2] = {2, -1}, t[2] = {1, 0};
        int ks = const_i64(c, n, "pads_2r", two_r, 2, false);
        TRYV(ks);
        frost__params rp;
        memset(&rp, 0, sizeof rp);
        rp.reshape.zero_is_copy = true;
        int in[2] = {pv, ks};
        int rs = step(c, n, "pads_2xr", FROST__OP_RESHAPE, 2, in, &rp);
        TRYV(rs);
        int kt = const_i64(c, n, "pads_perm", t, 2, false);
        TRYV(kt);
        int in2[2] = {rs, kt};
        paddings = step(c, n, "paddings", FROST__OP_TRANSPOSE, 2, in2, NULL);
        TRYV(paddings);
    }
    int in[3] = {x, paddings, value};
    return bind0(c, n, step(c, n, NULL, FROST__OP_PAD, value >= 0 ? 3 : 2, in, &p));
}

static frost_status op_constant(onnx_ctx *c, node_t *n) {
    const FrostOnnx__AttributeProto *a = NULL;
    for (size_t i = 0; i < n->n_attribute; i++)
        if (n->attribute[i]->name) a = n->attribute[i];
    if (!a || n->n_attribute != 1) return bad_attr(c, n, "needs exactly one value attribute");
    frost__graph *g = c->g;
    const char *nm = a->name;
    if (strcmp(nm, "value") == 0 && a->t) {
        frost_dtype dt;
        frost__shape s;
        void *data;
        size_t nbytes;
        frost_status st = frost__onnx_decode_tensor(a->t, &g->alloc, g->max_tensor_bytes,
                                                    out_base(n), &dt, &s, &data, &nbytes, c->err);
        if (st == FROST_E_UNSUPPORTED) return unsupported(c, n, "%s tensor", frost_dtype_name(frost__onnx_dtype(a->t->data_type)));
        FROST_TRY(st);
        char cn[512];
        if (frost__graph_lookup(g, out_base(n)) < 0)
            snprintf(cn, sizeof cn, "%s", out_base(n));
        else
            fresh_name(c, out_base(n), "value", cn, sizeof cn);
        int v = frost__graph_add_const_owned(g, cn, dt, &s, data, nbytes, c->err);
        return bind0(c, n, v);
    }
    if (strcmp(nm, "value_float") == 0 && a->has_f)
        return bind0(c, n, const_scalar_of(c, n, NULL, FROST_DTYPE_F32, a->f));
    if (strcmp(nm, "value_int") == 0 && a->has_i) {
        return bind0(c, n, const_i64(c, n, NULL, &a->i, 1, true));
    }
    if (strcmp(nm, "value_ints") == 0)
        return bind0(c, n, const_i64(c, n, NULL, a->ints, (int)FROST_MIN(a->n_ints, 1u << 24), false));
    if (strcmp(nm, "value_floats") == 0) {
        int64_t cnt = (int64_t)a->n_floats;
        frost__shape s = frost__shape_make(1, &cnt);
        return bind0(c, n, add_const(c, n, NULL, FROST_DTYPE_F32, &s, a->floats,
                                     a->n_floats * sizeof(float)));
    }
    return unsupported(c, n, "%s", nm);
}

static frost_status op_constant_of_shape(onnx_ctx *c, node_t *n) {
    int dims;
    FROST_TRY(need_in(c, n, 0, &dims));
    const FrostOnnx__AttributeProto *a = attr(n, "value");
    frost_dtype dt = FROST_DTYPE_F32;
    double value = 0;
    if (a && a->t) {
        frost__graph *g = c->g;
        frost__shape s;
        void *data;
        size_t nbytes;
        frost_status st = frost__onnx_decode_tensor(a->t, &g->alloc, 64, out_base(n), &dt, &s,
                                                    &data, &nbytes, c->err);
        if (st == FROST_E_UNSUPPORTED) return unsupported(c, n, "value dtype");
        FROST_TRY(st);
        if (frost__shape_numel(&s) != 1) {
            frost__free(&g->alloc, data);
            return bad_attr(c, n, "attribute value must hold one element");
        }
        value = frost__read_double(dt, data, 0);
        frost__free(&g->alloc, data);
    }
    int v = const_scalar_of(c, n, "value", dt, value);
    TRYV(v);
    frost__params p;
    memset(&p, 0, sizeof p);
    p.fill.value = value;
    p.fill.dtype = dt;
    int in[2] = {dims, v};
    return bind0(c, n, step(c, n, NULL, FROST__OP_FILL, 2, in, &p));
}

static frost_status op_range(onnx_ctx *c, node_t *n) {
    int a, b, d;
    FROST_TRY(need_in(c, n, 0, &a));
    FROST_TRY(need_in(c, n, 1, &b));
    FROST_TRY(need_in(c, n, 2, &d));
    int in[3] = {a, b, d};
    return bind0(c, n, step(c, n, NULL, FROST__OP_RANGE, 3, in, NULL));
}

static frost_status op_identity(onnx_ctx *c, node_t *n) {
    int x;
    FROST_TRY(need_in(c, n, 0, &x));
    if (strcmp(n->op_type, "Dropout") == 0 && c->opset >= 12) {
        int tm = in_v(c, n, 2);
        double on = 0;
        if (tm >= 0 && (!const_scalar(c, tm, &on) || on != 0)) return unsupported(c, n, "training_mode");
    }
    int in[1] = {x};
    FROST_TRY(bind0(c, n, step(c, n, NULL, FROST__OP_IDENTITY, 1, in, NULL)));
    if (!output_used(c, n, 1)) return FROST_OK;
    /* At inference nothing is dropped: the mask is all true. */
    frost__params fp;
    memset(&fp, 0, sizeof fp);
    fp.fill.value = 1;
    fp.fill.dtype = FROST_DTYPE_BOOL;
    int mask = step(c, n, "mask", FROST__OP_FILL_LIKE, 1, in, &fp);
    TRYV(mask);
    return bind(c, n, 1, mask);
}

/* ---- Reductions ----------------------------------------------------------------------------- */

static frost_status op_reduce(onnx_ctx *c, node_t *n, int fn) {
    int x;
    FROST_TRY(need_in(c, n, 0, &x));
    int since = strcmp(n->op_type, "ReduceSum") == 0 ? 13 : 18;
    int axes = list_operand(c, n, 1, "axes", since);
    if (axes == -2) return failed(c);
    frost__params p;
    memset(&p, 0, sizeof p);
    p.reduce.fn = fn;
    p.reduce.keep_dims = attr_i(n, "keepdims", 1) != 0;
    p.reduce.noop_with_empty_axes = attr_i(n, "noop_with_empty_axes", 0) != 0;
    int in[2] = {x, axes};
    return bind0(c, n, step(c, n, NULL, FROST__OP_REDUCE, axes >= 0 ? 2 : 1, in, &p));
}

static frost_status op_arg(onnx_ctx *c, node_t *n, bool is_max) {
    int x;
    FROST_TRY(need_in(c, n, 0, &x));
    int64_t axis = attr_i(n, "axis", 0);
    int ax = const_i64(c, n, "axis", &axis, 1, true);
    TRYV(ax);
    frost__params p;
    memset(&p, 0, sizeof p);
    p.arg.is_max = is_max;
    p.arg.out_dtype = FROST_DTYPE_I64;
    p.arg.keep_dims = attr_i(n, "keepdims", 1) != 0;
    p.arg.select_last = attr_i(n, "select_last_index", 0) != 0;
    int in[2] = {x, ax};
    return bind0(c, n, step(c, n, NULL, FROST__OP_ARG, 2, in, &p));
}

/* LayerNormalization whose Mean / InvStdDev outputs are consumed: spelled out. */
static frost_status layer_norm_parts(onnx_ctx *c, node_t *n, int x, int sc, int b) {
    int r = vrank(c, x);
    if (r < 1) return unsupported(c, n, "mean/inv_std outputs with unknown rank");
    int64_t axis = attr_i(n, "axis", -1);
    if (axis < 0) axis += r;
    if (axis < 0 || axis >= r) return bad_attr(c, n, "attribute axis out of range");
    float eps = attr_f(n, "epsilon", 1e-5f);
    int64_t axes[FROST_MAX_RANK];
    for (int i = (int)axis; i < r; i++) axes[i - axis] = i;
    int ax = const_i64(c, n, "axes", axes, r - (int)axis, false);
    TRYV(ax);
    frost__params rp;
    memset(&rp, 0, sizeof rp);
    rp.reduce.fn = FROST__RED_MEAN;
    rp.reduce.keep_dims = true;
    int in[2] = {x, ax};
    int mean = step(c, n, "mean", FROST__OP_REDUCE, 2, in, &rp);
    TRYV(mean);
    int d = binary(c, n, "centered", FROST__BIN_SUB, x, mean);
    TRYV(d);
    int sq = binary(c, n, "squared", FROST__BIN_MUL, d, d);
    TRYV(sq);
    int in2[2] = {sq, ax};
    int var = step(c, n, "var", FROST__OP_REDUCE, 2, in2, &rp);
    TRYV(var);
    int ke = const_scalar_of(c, n, "epsilon", float_of(c, x), eps);
    TRYV(ke);
    int ve = binary(c, n, "var_eps", FROST__BIN_ADD, var, ke);
    TRYV(ve);
    int inv = unary_fn(c, n, "inv_std", ve, FROST__UN_RSQRT, 0, 0);
    TRYV(inv);
    int normed = binary(c, n, "normed", FROST__BIN_MUL, d, inv);
    TRYV(normed);
    int y = binary(c, n, b >= 0 ? "scaled" : NULL, FROST__BIN_MUL, normed, sc);
    TRYV(y);
    if (b >= 0) {
        y = binary(c, n, NULL, FROST__BIN_ADD, y, b);
        TRYV(y);
    }
    FROST_TRY(bind(c, n, 0, y));
    FROST_TRY(bind(c, n, 1, mean));
    return bind(c, n, 2, inv);
}

static frost_status op_layer_norm(onnx_ctx *c, node_t *n) {
    int x, sc;
    FROST_TRY(need_in(c, n, 0, &x));
    FROST_TRY(need_in(c, n, 1, &sc));
    int b = in_v(c, n, 2);
    if (output_used(c, n, 1) || output_used(c, n, 2)) return layer_norm_parts(c, n, x, sc, b);
    frost__params p;
    memset(&p, 0, sizeof p);
    p.layer_norm.epsilon = attr_f(n, "epsilon", 1e-5f);
    p.layer_norm.axis = (int)attr_i(n, "axis", -1);
    int in[3] = {x, sc, b};
    return bind0(c, n, step(c, n, NULL, FROST__OP_LAYER_NORM, b >= 0 ? 3 : 2, in, &p));
}

/* InstanceNormalization: per (n, c) over the spatial axes, then per-channel scale and bias. */
static frost_status op_instance_norm(onnx_ctx *c, node_t *n) {
    int x, sc, b;
    FROST_TRY(need_in(c, n, 0, &x));
    FROST_TRY(need_in(c, n, 1, &sc));
    FROST_TRY(need_in(c, n, 2, &b));
    int r = vrank(c, x);
    if (r < 3) return unsupported(c, n, "input rank unknown at load");
    float eps = attr_f(n, "epsilon", 1e-5f);
    frost_dtype dt = float_of(c, x);
    int64_t axes[FROST_MAX_RANK], cshape[FROST_MAX_RANK];
    for (int i = 2; i < r; i++) axes[i - 2] = i;
    cshape[0] = -1;
    for (int i = 1; i < r - 1; i++) cshape[i] = 1;
    int ax = const_i64(c, n, "axes", axes, r - 2, false);
    TRYV(ax);
    frost__params rp;
    memset(&rp, 0, sizeof rp);
    rp.reduce.fn = FROST__RED_MEAN;
    rp.reduce.keep_dims = true;
    int in[2] = {x, ax};
    int mean = step(c, n, "mean", FROST__OP_REDUCE, 2, in, &rp);
    TRYV(mean);
    int d = binary(c, n, "centered", FROST__BIN_SUB, x, mean);
    TRYV(d);
    int sq = binary(c, n, "squared", FROST__BIN_MUL, d, d);
    TRYV(sq);
    int in2[2] = {sq, ax};
    int var = step(c, n, "var", FROST__OP_REDUCE, 2, in2, &rp);
    TRYV(var);
    int ke = const_scalar_of(c, n, "epsilon", dt, eps);
    TRYV(ke);
    int ve = binary(c, n, "var_eps", FROST__BIN_ADD, var, ke);
    TRYV(ve);
    int inv = unary_fn(c, n, "inv_std", ve, FROST__UN_RSQRT, 0, 0);
    TRYV(inv);
    int normed = binary(c, n, "normed", FROST__BIN_MUL, d, inv);
    TRYV(normed);
    int cs = const_i64(c, n, "channel_shape", cshape, r - 1, false);
    TRYV(cs);
    frost__params sp;
    memset(&sp, 0, sizeof sp);
    sp.reshape.zero_is_copy = true;
    int in3[2] = {sc, cs};
    int scr = step(c, n, "scale_c11", FROST__OP_RESHAPE, 2, in3, &sp);
    TRYV(scr);
    int in4[2] = {b, cs};
    int br = step(c, n, "bias_c11", FROST__OP_RESHAPE, 2, in4, &sp);
    TRYV(br);
    int y = binary(c, n, "scaled", FROST__BIN_MUL, normed, scr);
    TRYV(y);
    return bind0(c, n, binary(c, n, NULL, FROST__BIN_ADD, y, br));
}

/* ---- Resize --------------------------------------------------------------------------------- */

static frost_status op_resize(onnx_ctx *c, node_t *n, bool upsample) {
    int x;
    FROST_TRY(need_in(c, n, 0, &x));
    char mb[32], cb[48], nb[32];
    const char *mode = attr_s(n, "mode", "nearest", mb, sizeof mb);
    frost__params p;
    memset(&p, 0, sizeof p);
    if (strcmp(mode, "nearest") == 0) p.resize.mode = 0;
    else if (strcmp(mode, "linear") == 0 || strcmp(mode, "bilinear") == 0) p.resize.mode = 1;
    else return unsupported(c, n, "mode %s", mode);
    const char *coord = upsample || c->opset < 11
                            ? "asymmetric"
                            : attr_s(n, "coordinate_transformation_mode", "half_pixel", cb, sizeof cb);
    if (strcmp(coord, "asymmetric") == 0) p.resize.coord = 0;
    else if (strcmp(coord, "half_pixel") == 0) p.resize.coord = 1;
    else if (strcmp(coord, "align_corners") == 0) p.resize.coord = 2;
    else if (strcmp(coord, "pytorch_half_pixel") == 0) p.resize.coord = 3;
    else if (strcmp(coord, "tf_half_pixel_for_nn") == 0) p.resize.coord = 4;
    else return unsupported(c, n, "coordinate_transformation_mode %s", coord);
    const char *nm = c->opset < 11 ? "round_prefer_floor"
                                   : attr_s(n, "nearest_mode", "round_prefer_floor", nb, sizeof nb);
    if (c->opset < 11 && p.resize.mode == 0) nm = "floor"; /* opset 10 and Upsample: floor */
    if (strcmp(nm, "round_prefer_floor") == 0) p.resize.nearest_mode = 0;
    else if (strcmp(nm, "round_prefer_ceil") == 0) p.resize.nearest_mode = 1;
    else if (strcmp(nm, "floor") == 0) p.resize.nearest_mode = 2;
    else if (strcmp(nm, "ceil") == 0) p.resize.nearest_mode = 3;
    else return unsupported(c, n, "nearest_mode %s", nm);
    if (attr(n, "axes") || attr_i(n, "antialias", 0)) return unsupported(c, n, "axes/antialias");
    int scales = -1, sizes = -1;
    if (upsample) {
        if (c->opset < 9) {
            const FrostOnnx__AttributeProto *a = attr(n, "scales");
            if (!a) return bad_attr(c, n, "attribute scales is missing");
            int64_t cnt = (int64_t)a->n_floats;
            frost__shape s = frost__shape_make(1, &cnt);
            scales = add_const(c, n, "scales", FROST_DTYPE_F32, &s, a->floats, a->n_floats * 4);
            TRYV(scales);
        } else {
            FROST_TRY(need_in(c, n, 1, &scales));
        }
    } else if (c->opset < 11) {
        FROST_TRY(need_in(c, n, 1, &scales));
    } else {
        scales = in_v(c, n, 2);
        sizes = in_v(c, n, 3);
    }
    /* frost's RESIZE is 2-D NHWC and takes the output size [h, w]. */
    int size_v;
    int64_t sz[FROST_MAX_RANK];
    int nsz;
    if (sizes >= 0) {
        nsz = const_ints(c, sizes, sz, FROST_MAX_RANK);
        if (nsz >= 0) {
            if (nsz != 4 || sz[0] != val(c, x)->shape.d[0] || sz[1] != val(c, x)->shape.d[1])
                return unsupported(c, n, "resizing other than H, W of a 4-D input");
            size_v = const_i64(c, n, "size_hw", sz + 2, 2, false);
            TRYV(size_v);
        } else {
            frost__params sp;
            memset(&sp, 0, sizeof sp);
            int64_t b2[1] = {2}, e4[1] = {4};
            int kb = const_i64(c, n, "hw_begin", b2, 1, false), ke = const_i64(c, n, "hw_end", e4, 1, false);
            TRYV(kb);
            TRYV(ke);
            int in[3] = {sizes, kb, ke};
            size_v = step(c, n, "size_hw", FROST__OP_SLICE, 3, in, NULL);
            TRYV(size_v);
        }
    } else {
        if (scales < 0) return bad_attr(c, n, "neither scales nor sizes is given");
        const frost__value *sv = val(c, scales);
        const frost__shape *xs = &val(c, x)->shape;
        int scales_hw = -1;
        if (sv->kind == FROST__VAL_CONST) {
            if (sv->dtype != FROST_DTYPE_F32 || sv->shape.rank != 1 || sv->shape.d[0] != 4)
                return unsupported(c, n, "scales not 4 floats");
            const float *sc = sv->data;
            if (sc[0] != 1.0f || sc[1] != 1.0f) return unsupported(c, n, "scaling N or C");
            if (xs->rank == 4 && xs->d[2] >= 0 && xs->d[3] >= 0) {
                double oh = (double)xs->d[2] * sc[2], ow = (double)xs->d[3] * sc[3];
                /* frost maps coordinates by out/in; ONNX by the given scale: equal only when the
                 * scaled size is whole. */
                if (oh != floor(oh) || ow != floor(ow)) return unsupported(c, n, "fractional scaled size");
                int64_t hw[2] = {(int64_t)oh, (int64_t)ow};
                size_v = const_i64(c, n, "size_hw", hw, 2, false);
                TRYV(size_v);
            } else {
                int64_t two = 2;
                frost__shape s2 = frost__shape_make(1, &two);
                scales_hw = add_const(c, n, "scales_hw", FROST_DTYPE_F32, &s2, sc + 2, 8);
                TRYV(scales_hw);
            }
        } else {
            /* scales computed in the graph (from shapes, known when planning): their H, W part;
             * N and C are taken to be unscaled, as frost's RESIZE is spatial only. */
            int64_t b2[1] = {2}, e4[1] = {4};
            int kb = const_i64(c, n, "hw_begin", b2, 1, false), ke = const_i64(c, n, "hw_end", e4, 1, false);
            TRYV(kb);
            TRYV(ke);
            int sl[3] = {scales, kb, ke};
            scales_hw = step(c, n, "scales_hw", FROST__OP_SLICE, 3, sl, NULL);
            TRYV(scales_hw);
        }
        if (scales_hw >= 0) {
            /* floor(shape[2:4] * scales[2:4]) at plan time */
            frost__params sp;
            memset(&sp, 0, sizeof sp);
            sp.shape.out_dtype = FROST_DTYPE_I64;
            sp.shape.start = 2;
            sp.shape.end = 4;
            int in[1] = {x};
            int hw = step(c, n, "in_hw", FROST__OP_SHAPE, 1, in, &sp);
            TRYV(hw);
            frost__params cp;
            memset(&cp, 0, sizeof cp);
            cp.cast.to = FROST_DTYPE_F32;
            int in2[1] = {hw};
            int hwf = step(c, n, "in_hw_f", FROST__OP_CAST, 1, in2, &cp);
            TRYV(hwf);
            int prod = binary(c, n, "out_hw_f", FROST__BIN_MUL, hwf, scales_hw);
            TRYV(prod);
            int fl = unary_fn(c, n, "out_hw_floor", prod, FROST__UN_FLOOR, 0, 0);
            TRYV(fl);
            cp.cast.to = FROST_DTYPE_I64;
            int in3[1] = {fl};
            size_v = step(c, n, "size_hw", FROST__OP_CAST, 1, in3, &cp);
            TRYV(size_v);
        }
    }
    int xt = transpose_to(c, n, "to_nhwc", x, true);
    TRYV(xt);
    int in[2] = {xt, size_v};
    int y = step(c, n, "resize_nhwc", FROST__OP_RESIZE, 2, in, &p);
    TRYV(y);
    return bind0(c, n, transpose_to(c, n, NULL, y, false));
}

/* ---- Misc ----------------------------------------------------------------------------------- */

static frost_status op_tile(onnx_ctx *c, node_t *n) { return op_two_inputs(c, n, FROST__OP_TILE); }

static frost_status op_mod(onnx_ctx *c, node_t *n) {
    return op_binary(c, n, attr_i(n, "fmod", 0) ? FROST__BIN_FMOD : FROST__BIN_FLOOR_MOD);
}

static frost_status op_lp_norm(onnx_ctx *c, node_t *n) {
    int x;
    FROST_TRY(need_in(c, n, 0, &x));
    int64_t axis = attr_i(n, "axis", -1), pnorm = attr_i(n, "p", 2);
    if (pnorm != 1 && pnorm != 2) return bad_attr(c, n, "attribute p = %lld", (long long)pnorm);
    int ax = const_i64(c, n, "axis", &axis, 1, false);
    TRYV(ax);
    frost__params rp;
    memset(&rp, 0, sizeof rp);
    rp.reduce.fn = pnorm == 1 ? FROST__RED_L1 : FROST__RED_L2;
    rp.reduce.keep_dims = true;
    int in[2] = {x, ax};
    int nrm = step(c, n, "norm", FROST__OP_REDUCE, 2, in, &rp);
    TRYV(nrm);
    return bind0(c, n, binary(c, n, NULL, FROST__BIN_DIV, x, nrm));
}

/* Trilu: keep x where (col - row) >= k (upper) or <= k (lower) over the last two axes. */
static frost_status op_trilu(onnx_ctx *c, node_t *n) {
    int x;
    FROST_TRY(need_in(c, n, 0, &x));
    int k = in_v(c, n, 1);
    bool upper = attr_i(n, "upper", 1) != 0;
    frost__params sp;
    memset(&sp, 0, sizeof sp);
    sp.shape.out_dtype = FROST_DTYPE_I64;
    int in[1] = {x};
    int shp = step(c, n, "shape", FROST__OP_SHAPE, 1, in, &sp);
    TRYV(shp);
    int64_t zero = 0, one = 1, m2 = -2, m1 = -1, axis0 = 0;
    int kz = const_i64(c, n, "zero", &zero, 1, true), k1 = const_i64(c, n, "one", &one, 1, true);
    int km2 = const_i64(c, n, "rows_at", &m2, 1, true), km1 = const_i64(c, n, "cols_at", &m1, 1, true);
    int ka = const_i64(c, n, "axis0", &axis0, 1, true);
    TRYV(kz); TRYV(k1); TRYV(km2); TRYV(km1); TRYV(ka);
    int g1[3] = {shp, km2, ka}, g2[3] = {shp, km1, ka};
    int h = step(c, n, "rows", FROST__OP_GATHER, 3, g1, NULL);
    TRYV(h);
    int w = step(c, n, "cols", FROST__OP_GATHER, 3, g2, NULL);
    TRYV(w);
    int r1[3] = {kz, h, k1}, r2[3] = {kz, w, k1};
    int ri = step(c, n, "row_index", FROST__OP_RANGE, 3, r1, NULL);
    TRYV(ri);
    int ci = step(c, n, "col_index", FROST__OP_RANGE, 3, r2, NULL);
    TRYV(ci);
    int kax = const_i64(c, n, "row_axis", &m1, 1, false);
    TRYV(kax);
    int e[2] = {ri, kax};
    int ric = step(c, n, "row_column", FROST__OP_EXPAND_DIMS, 2, e, NULL);
    TRYV(ric);
    int diff = binary(c, n, "diagonal", FROST__BIN_SUB, ci, ric);
    TRYV(diff);
    int kk = k >= 0 ? k : kz;
    if (k >= 0 && vdtype(c, k) != FROST_DTYPE_I64 && vdtype(c, k) != FROST_DTYPE_INVALID) {
        frost__params cp;
        memset(&cp, 0, sizeof cp);
        cp.cast.to = FROST_DTYPE_I64;
        int ck[1] = {k};
        kk = step(c, n, "k", FROST__OP_CAST, 1, ck, &cp);
        TRYV(kk);
    }
    int mask = binary(c, n, "mask", upper ? FROST__BIN_GREATER_EQUAL : FROST__BIN_LESS_EQUAL, diff, kk);
    TRYV(mask);
    frost_dtype dt = vdtype(c, x);
    if (dt == FROST_DTYPE_INVALID) dt = FROST_DTYPE_F32;
    int z = const_scalar_of(c, n, "fill", dt, 0);
    TRYV(z);
    int sel[3] = {mask, x, z};
    return bind0(c, n, step(c, n, NULL, FROST__OP_SELECT, 3, sel, NULL));
}

/* Shrink: x < -l ? x + bias : x > l ? x - bias : 0. */
static frost_status op_shrink(onnx_ctx *c, node_t *n) {
    int x;
    FROST_TRY(need_in(c, n, 0, &x));
    float l = attr_f(n, "lambd", 0.5f), bias = attr_f(n, "bias", 0.0f);
    frost_dtype dt = vdtype(c, x);
    if (dt == FROST_DTYPE_INVALID) dt = FROST_DTYPE_F32;
    int kl = const_scalar_of(c, n, "lambd", dt, l), knl = const_scalar_of(c, n, "neg_lambd", dt, -l);
    int kb = const_scalar_of(c, n, "bias", dt, bias), kz = const_scalar_of(c, n, "zero", dt, 0);
    TRYV(kl); TRYV(knl); TRYV(kb); TRYV(kz);
    int lo = binary(c, n, "below", FROST__BIN_LESS, x, knl);
    TRYV(lo);
    int hi = binary(c, n, "above", FROST__BIN_GREATER, x, kl);
    TRYV(hi);
    int plus = binary(c, n, "plus_bias", FROST__BIN_ADD, x, kb);
    TRYV(plus);
    int minus = binary(c, n, "minus_bias", FROST__BIN_SUB, x, kb);
    TRYV(minus);
    int s1[3] = {hi, minus, kz};
    int upper = step(c, n, "upper", FROST__OP_SELECT, 3, s1, NULL);
    TRYV(upper);
    int s2[3] = {lo, plus, upper};
    return bind0(c, n, step(c, n, NULL, FROST__OP_SELECT, 3, s2, NULL));
}

static frost_status op_unknown(onnx_ctx *c, node_t *n) { return unsupported(c, n, NULL); }

/* ---- Recurrent layers, unrolled --------------------------------------------------------------- */

enum { RNN_MAX_STEPS = 1024 };

/* x[index] along `axis` (a scalar index, so the axis goes away). */
static int take_at(onnx_ctx *c, node_t *n, const char *suffix, int x, int64_t index, int64_t axis) {
    int ki = const_i64(c, n, "index", &index, 1, true);
    int ka = const_i64(c, n, "axis", &axis, 1, true);
    if (ki < 0 || ka < 0) return -1;
    int in[3] = {x, ki, ka};
    return step(c, n, suffix, FROST__OP_GATHER, 3, in, NULL);
}
static int take0(onnx_ctx *c, node_t *n, const char *suffix, int x, int64_t index) {
    return take_at(c, n, suffix, x, index, 0);
}

/* Records what the importer knows about a value its ops' inference could not derive. */
static void note_shape(onnx_ctx *c, int v, frost_dtype dt, int rank, const int64_t *dims) {
    frost__value *x = val(c, v);
    if (x->dtype == FROST_DTYPE_INVALID) x->dtype = dt;
    if (x->shape.rank < 0) x->shape = frost__shape_make(rank, dims);
}

static int matmul_bt(onnx_ctx *c, node_t *n, const char *suffix, int a, int b) {
    frost__params p;
    memset(&p, 0, sizeof p);
    p.matmul.transpose_b = true;
    int in[2] = {a, b};
    return step(c, n, suffix, FROST__OP_MATMUL, 2, in, &p);
}

/* Splits x into `parts` equal pieces along the last axis; outs receives the value ids. */
static frost_status split_last(onnx_ctx *c, node_t *n, const char *suffix, int x, int parts,
                               int *outs) {
    int64_t minus1 = -1;
    int ka = const_i64(c, n, "split_axis", &minus1, 1, true);
    TRYV(ka);
    int in[2] = {x, ka};
    int node = emit(c, n, suffix, FROST__OP_SPLIT, 2, in, parts, NULL);
    if (node < 0) return failed(c);
    for (int k = 0; k < parts; k++) outs[k] = c->g->nodes[node].out[k];
    return FROST_OK;
}

static int act(onnx_ctx *c, node_t *n, const char *suffix, int x, int fn) {
    return unary_fn(c, n, suffix, x, fn, 0, 0);
}
static int add_opt(onnx_ctx *c, node_t *n, const char *suffix, int a, int b) {
    if (a < 0) return b;
    if (b < 0) return a;
    return binary(c, n, suffix, FROST__BIN_ADD, a, b);
}

/* RNN, GRU and LSTM (one direction, default activations, layout 0), unrolled over the sequence
 * length known at load: per step a matmul with R, the gates, the state update. The input
 * projection of every step is one batched matmul up front. */
typedef struct rnn_direction_out {
    int h, cs;                 /* final states                                               */
    int ys[RNN_MAX_STEPS];     /* h of every step, in time order                             */
} rnn_direction_out;

/* One direction d of a recurrent layer over x [seq, batch, in]. */
static frost_status rnn_direction(onnx_ctx *c, node_t *n, int kind, int x, int w, int r, int b,
                                  int h0, int c0, int peep, int64_t d, bool reverse, int64_t layout,
                                  int64_t T, bool lbr, rnn_direction_out *o) {
    int w0 = take0(c, n, "w", w, d), r0 = take0(c, n, "r", r, d);
    TRYV(w0);
    TRYV(r0);
    int wb = -1, rb = -1;
    if (b >= 0) {
        int b0 = take0(c, n, "b", b, d);
        TRYV(b0);
        int halves[2];
        FROST_TRY(split_last(c, n, "b_split", b0, 2, halves));
        wb = halves[0];
        rb = halves[1];
    }
    /* GRU keeps R's bias of the candidate gate apart (it sits inside the reset product). */
    int rb_parts[3] = {-1, -1, -1}, r_parts[3] = {-1, -1, -1};
    int in_bias = wb;
    if (kind == 1) {
        if (rb >= 0) FROST_TRY(split_last(c, n, "rb_split", rb, 3, rb_parts));
        if (!lbr) {
            int64_t zero = 0;
            int ka = const_i64(c, n, "r_axis", &zero, 1, true);
            TRYV(ka);
            int in[2] = {r0, ka};
            int node = emit(c, n, "r_split", FROST__OP_SPLIT, 2, in, 3, NULL);
            if (node < 0) return failed(c);
            for (int k = 0; k < 3; k++) r_parts[k] = c->g->nodes[node].out[k];
        }
    } else if (rb >= 0) {
        in_bias = binary(c, n, "bias", FROST__BIN_ADD, wb, rb);
        TRYV(in_bias);
    }
    int xw = matmul_bt(c, n, "x_proj", x, w0);
    TRYV(xw);
    if (in_bias >= 0) {
        xw = binary(c, n, "x_proj_bias", FROST__BIN_ADD, xw, in_bias);
        TRYV(xw);
    }
    int h = h0 >= 0 ? take_at(c, n, "h0", h0, d, layout) : -1;
    int cs = c0 >= 0 ? take_at(c, n, "c0", c0, d, layout) : -1;
    int pp[3] = {-1, -1, -1};
    if (peep >= 0) {
        int p0 = take0(c, n, "p", peep, d);
        TRYV(p0);
        FROST_TRY(split_last(c, n, "p_split", p0, 3, pp)); /* i, o, f */
    }
    frost_dtype dt = float_of(c, x);
    int *ys = o->ys;
    for (int64_t s = 0; s < T; s++) {
        int64_t t = reverse ? T - 1 - s : s;
        char sx[48];
        snprintf(sx, sizeof sx, "step%lld", (long long)t);
        int xt = take0(c, n, sx, xw, t);
        TRYV(xt);
        int hr = -1;
        if (h >= 0) {
            hr = matmul_bt(c, n, "h_proj", h, r0);
            TRYV(hr);
        }
        if (kind == 0) {
            int pre = add_opt(c, n, "pre", xt, hr);
            TRYV(pre);
            h = act(c, n, "h", pre, FROST__ACT_TANH);
            TRYV(h);
        } else if (kind == 2) {
            int g[4];
            int pre = add_opt(c, n, "gates", xt, hr);
            TRYV(pre);
            FROST_TRY(split_last(c, n, "gate", pre, 4, g)); /* i, o, f, c */
            if (cs >= 0 && pp[0] >= 0) {
                int pi = binary(c, n, "peep_i", FROST__BIN_MUL, cs, pp[0]);
                TRYV(pi);
                g[0] = binary(c, n, "i_pre", FROST__BIN_ADD, g[0], pi);
                TRYV(g[0]);
                int pf = binary(c, n, "peep_f", FROST__BIN_MUL, cs, pp[2]);
                TRYV(pf);
                g[2] = binary(c, n, "f_pre", FROST__BIN_ADD, g[2], pf);
                TRYV(g[2]);
            }
            int ig = act(c, n, "i", g[0], FROST__ACT_SIGMOID), cand = act(c, n, "cand", g[3], FROST__ACT_TANH);
            TRYV(ig);
            TRYV(cand);
            int cnew = binary(c, n, "c_in", FROST__BIN_MUL, ig, cand);
            TRYV(cnew);
            if (cs >= 0) {
                int fg = act(c, n, "f", g[2], FROST__ACT_SIGMOID);
                TRYV(fg);
                int keep = binary(c, n, "c_keep", FROST__BIN_MUL, fg, cs);
                TRYV(keep);
                cnew = binary(c, n, "c", FROST__BIN_ADD, keep, cnew);
                TRYV(cnew);
            }
            cs = cnew;
            int opre = g[1];
            if (pp[1] >= 0) {
                int po = binary(c, n, "peep_o", FROST__BIN_MUL, cs, pp[1]);
                TRYV(po);
                opre = binary(c, n, "o_pre", FROST__BIN_ADD, opre, po);
                TRYV(opre);
            }
            int og = act(c, n, "o", opre, FROST__ACT_SIGMOID), ct = act(c, n, "c_tanh", cs, FROST__ACT_TANH);
            TRYV(og);
            TRYV(ct);
            h = binary(c, n, "h", FROST__BIN_MUL, og, ct);
            TRYV(h);
        } else {
            int xg[3], hg[3] = {-1, -1, -1};
            FROST_TRY(split_last(c, n, "x_gate", xt, 3, xg)); /* z, r, h */
            if (hr >= 0) FROST_TRY(split_last(c, n, "h_gate", hr, 3, hg));
            int zp = add_opt(c, n, "z_pre", add_opt(c, n, "z_x", xg[0], hg[0]), rb_parts[0]);
            TRYV(zp);
            int rp = add_opt(c, n, "r_pre", add_opt(c, n, "r_x", xg[1], hg[1]), rb_parts[1]);
            TRYV(rp);
            int z = act(c, n, "z", zp, FROST__ACT_SIGMOID), rg = act(c, n, "r", rp, FROST__ACT_SIGMOID);
            TRYV(z);
            TRYV(rg);
            int hpart;
            if (lbr) {
                int inner = add_opt(c, n, "h_lin", hg[2], rb_parts[2]);
                hpart = inner >= 0 ? binary(c, n, "h_reset", FROST__BIN_MUL, rg, inner) : -1;
            } else {
                int rh = h >= 0 ? binary(c, n, "reset_h", FROST__BIN_MUL, rg, h) : -1;
                int prod = rh >= 0 ? matmul_bt(c, n, "reset_proj", rh, r_parts[2]) : -1;
                hpart = add_opt(c, n, "h_lin", prod, rb_parts[2]);
            }
            int cpre = add_opt(c, n, "cand_pre", xg[2], hpart);
            TRYV(cpre);
            int cand = act(c, n, "cand", cpre, FROST__ACT_TANH);
            TRYV(cand);
            int one = const_scalar_of(c, n, "one", dt, 1);
            TRYV(one);
            int omz = binary(c, n, "one_minus_z", FROST__BIN_SUB, one, z);
            TRYV(omz);
            int hn = binary(c, n, "h_new", FROST__BIN_MUL, omz, cand);
            TRYV(hn);
            if (h >= 0) {
                int zh = binary(c, n, "h_keep", FROST__BIN_MUL, z, h);
                TRYV(zh);
                hn = binary(c, n, "h", FROST__BIN_ADD, hn, zh);
                TRYV(hn);
            }
            h = hn;
        }
        ys[t] = h;
    }
    o->h = h;
    o->cs = cs;
    return FROST_OK;
}

/* Y, Y_h, Y_c of a recurrent layer from its directions' steps. */
static frost_status rnn_outputs(onnx_ctx *c, node_t *n, int kind, const rnn_direction_out *outs,
                                int n_dirs, int64_t layout, int64_t T, const frost__shape *xs, int r,
                                frost_dtype dt) {
    /* Y [seq, dirs, batch, hidden] (layout 1: [batch, seq, dirs, hidden]); Y_h, Y_c
     * [dirs, batch, hidden] (layout 1: [batch, dirs, hidden]). Their shapes are set here when
     * inference could not see through run-time initial states, so a following layer knows its
     * sequence length at load. */
    int64_t B = xs->d[1 - layout], H = attr_i(n, "hidden_size", -1);
    if (H < 0 && val(c, r)->shape.rank == 3) H = val(c, r)->shape.d[2];
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
    int k0 = const_i64(c, n, "dir_axis", &state_dir_axis, 1, false);
    TRYV(k0);
    int k1 = const_i64(c, n, "y_dir_axis", &y_dir_axis, 1, false);
    TRYV(k1);
    int ks0 = const_i64(c, n, "dir_axis_scalar", &state_dir_axis, 1, true);
    TRYV(ks0);
    int ks1 = const_i64(c, n, "y_dir_axis_scalar", &y_dir_axis, 1, true);
    TRYV(ks1);
    for (int k = 0; k < 3; k++) {
        if (!output_used(c, n, (size_t)k) || (k == 2 && kind != 2)) continue;
        int parts[3];
        for (int d = 0; d < n_dirs; d++) {
            int v;
            if (k == 0) {
                frost__params pk;
                memset(&pk, 0, sizeof pk);
                pk.pack.axis = (int)layout;
                int y = step(c, n, "y_steps", FROST__OP_PACK, (int)T, outs[d].ys, &pk);
                TRYV(y);
                int in[2] = {y, k1};
                v = step(c, n, n_dirs == 1 ? "y" : "y_dir", FROST__OP_EXPAND_DIMS, 2, in, NULL);
            } else {
                int in[2] = {k == 1 ? outs[d].h : outs[d].cs, k0};
                v = step(c, n, k == 1 ? "y_h" : "y_c", FROST__OP_EXPAND_DIMS, 2, in, NULL);
            }
            TRYV(v);
            parts[d] = v;
        }
        int v = parts[0];
        if (n_dirs == 2) {
            parts[2] = k == 0 ? ks1 : ks0;
            v = step(c, n, k == 0 ? "y" : k == 1 ? "y_h_both" : "y_c_both", FROST__OP_CONCAT, 3,
                     parts, NULL);
            TRYV(v);
        }
        if (k == 0) note_shape(c, v, dt, 4, ydims);
        else note_shape(c, v, dt, 3, sdims);
        FROST_TRY(bind(c, n, (size_t)k, v));
    }
    return FROST_OK;
}

static frost_status op_recurrent(onnx_ctx *c, node_t *n, int kind /* 0 RNN, 1 GRU, 2 LSTM */) {
    int x, w, r;
    FROST_TRY(need_in(c, n, 0, &x));
    FROST_TRY(need_in(c, n, 1, &w));
    FROST_TRY(need_in(c, n, 2, &r));
    int b = in_v(c, n, 3), seq_lens = in_v(c, n, 4), h0 = in_v(c, n, 5);
    int c0 = kind == 2 ? in_v(c, n, 6) : -1, peep = kind == 2 ? in_v(c, n, 7) : -1;
    char buf[32];
    const char *dir = attr_s(n, "direction", "forward", buf, sizeof buf);
    bool reverse = strcmp(dir, "reverse") == 0, both = strcmp(dir, "bidirectional") == 0;
    if (!reverse && !both && strcmp(dir, "forward") != 0) return bad_attr(c, n, "attribute direction '%s'", dir);
    int n_dirs = both ? 2 : 1;
    if (attr(n, "activations")) return unsupported(c, n, "custom activations");
    if (attr(n, "clip")) return unsupported(c, n, "clip");
    int64_t layout = attr_i(n, "layout", 0);
    if (layout != 0 && layout != 1) return bad_attr(c, n, "attribute layout = %lld", (long long)layout);
    if (kind == 2 && attr_i(n, "input_forget", 0) != 0) return unsupported(c, n, "input_forget");
    const frost__shape xs_copy = val(c, x)->shape, *xs = &xs_copy; /* values may move below */
    if (xs->rank != 3 || xs->d[layout] < 1) return unsupported(c, n, "sequence length unknown at load");
    int64_t T = xs->d[layout];
    if (seq_lens >= 0) {
        /* Only lengths that are all the full sequence are the same computation. */
        int64_t lens[256];
        int nl = const_ints(c, seq_lens, lens, 256);
        bool full = nl > 0;
        for (int i = 0; i < nl; i++) full = full && lens[i] == T;
        if (!full) return unsupported(c, n, "sequence_lens");
    }
    if (layout == 1) {
        /* batch-major: X [batch, seq, in] -> [seq, batch, in]; states [batch, dirs, hidden] */
        int64_t perm[3] = {1, 0, 2};
        int kp = const_i64(c, n, "seq_major", perm, 3, false);
        TRYV(kp);
        int in[2] = {x, kp};
        x = step(c, n, "x_seq_major", FROST__OP_TRANSPOSE, 2, in, NULL);
        TRYV(x);
    }
    if (T > RNN_MAX_STEPS) return unsupported(c, n, "more than %d steps", RNN_MAX_STEPS);
    bool lbr = kind == 1 && attr_i(n, "linear_before_reset", 0) != 0;

    frost_dtype dt = float_of(c, x);
    rnn_direction_out *outs = frost__calloc(&c->g->alloc, (size_t)n_dirs, sizeof *outs);
    if (!outs) return frost__fail(c->err, FROST_E_NOMEM, node_label(n), n->op_type, -1, "out of memory");
    frost_status st = FROST_OK;
    for (int d = 0; d < n_dirs && st == FROST_OK; d++)
        st = rnn_direction(c, n, kind, x, w, r, b, h0, c0, peep, d, reverse || d == 1, layout, T,
                           lbr, &outs[d]);
    if (st == FROST_OK) st = rnn_outputs(c, n, kind, outs, n_dirs, layout, T, xs, r, dt);
    frost__free(&c->g->alloc, outs);
    return st;
}


/* Einsum with one or two operands, letters only, no letter twice in one operand: each operand is
 * transposed into the order "output letters, then summed letters", given unit dims for the letters
 * it lacks, multiplied by broadcasting and summed over the contracted axes. Exact, though a
 * contraction materializes the full product (fine for the small einsums exporters emit). */
static frost_status op_einsum(onnx_ctx *c, node_t *n) {
    char eq[128];
    const char *e = attr_s(n, "equation", "", eq, sizeof eq);
    char ops_letters[2][FROST_MAX_RANK + 1], out[FROST_MAX_RANK + 1];
    int n_ops = 0, len[2] = {0, 0}, n_out = 0;
    bool explicit_out = false;
    int counts[128] = {0};
    for (const char *p = e; *p; p++) {
        char ch = *p;
        if (ch == ' ') continue;
        if (ch == ',') {
            if (++n_ops >= 2) return unsupported(c, n, "more than two operands");
            continue;
        }
        if (ch == '-' && p[1] == '>') {
            explicit_out = true;
            p++;
            continue;
        }
        if (ch == '.') return unsupported(c, n, "ellipsis");
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')))
            return bad_attr(c, n, "attribute equation '%s'", e);
        if (explicit_out) {
            if (n_out == FROST_MAX_RANK) return unsupported(c, n, "rank > %d", FROST_MAX_RANK);
            out[n_out++] = ch;
        } else {
            if (len[n_ops] == FROST_MAX_RANK) return unsupported(c, n, "rank > %d", FROST_MAX_RANK);
            for (int i = 0; i < len[n_ops]; i++)
                if (ops_letters[n_ops][i] == ch) return unsupported(c, n, "repeated index in one operand");
            ops_letters[n_ops][len[n_ops]++] = ch;
            counts[(int)ch]++;
        }
    }
    n_ops++;
    if ((size_t)n_ops != n->n_input) return bad_attr(c, n, "equation has %d operands, node %zu inputs", n_ops, n->n_input);
    if (!explicit_out)
        for (int ch = 0; ch < 128; ch++)
            if (counts[ch] == 1) out[n_out++] = (char)ch;
    char all[FROST_MAX_RANK + 1];
    int n_all = 0;
    for (int i = 0; i < n_out; i++) {
        if (!counts[(int)out[i]]) return bad_attr(c, n, "output index '%c' is in no operand", out[i]);
        all[n_all++] = out[i];
    }
    for (int k = 0; k < n_ops; k++)
        for (int i = 0; i < len[k]; i++) {
            bool seen = false;
            for (int j = 0; j < n_all; j++) seen = seen || all[j] == ops_letters[k][i];
            if (seen) continue;
            if (n_all == FROST_MAX_RANK) return unsupported(c, n, "more than %d indices", FROST_MAX_RANK);
            all[n_all++] = ops_letters[k][i];
        }
    int aligned[2];
    for (int k = 0; k < n_ops; k++) {
        int x;
        FROST_TRY(need_in(c, n, (size_t)k, &x));
        /* the operand's letters, in the order they take in `all` */
        int64_t perm[FROST_MAX_RANK], unit[FROST_MAX_RANK];
        int np = 0, nu = 0;
        bool ident = true;
        for (int j = 0; j < n_all; j++) {
            int at = -1;
            for (int i = 0; i < len[k]; i++)
                if (ops_letters[k][i] == all[j]) at = i;
            if (at < 0) {
                unit[nu++] = j;
                continue;
            }
            ident = ident && at == np;
            perm[np++] = at;
        }
        char sfx[32];
        if (!ident) {
            snprintf(sfx, sizeof sfx, "operand%d_perm", k);
            int pc = const_i64(c, n, sfx, perm, np, false);
            TRYV(pc);
            int in[2] = {x, pc};
            snprintf(sfx, sizeof sfx, "operand%d_ordered", k);
            x = step(c, n, sfx, FROST__OP_TRANSPOSE, 2, in, NULL);
            TRYV(x);
        }
        if (nu) {
            snprintf(sfx, sizeof sfx, "operand%d_units", k);
            int uc = const_i64(c, n, sfx, unit, nu, false);
            TRYV(uc);
            int in[2] = {x, uc};
            snprintf(sfx, sizeof sfx, "operand%d_aligned", k);
            x = step(c, n, sfx, FROST__OP_EXPAND_DIMS, 2, in, NULL);
            TRYV(x);
        }
        aligned[k] = x;
    }
    bool reduce = n_all > n_out;
    int y = aligned[0];
    if (n_ops == 2) {
        y = binary(c, n, reduce ? "product" : NULL, FROST__BIN_MUL, aligned[0], aligned[1]);
        TRYV(y);
    }
    if (reduce) {
        int64_t axes[FROST_MAX_RANK];
        for (int j = n_out; j < n_all; j++) axes[j - n_out] = j;
        int ac = const_i64(c, n, "sum_axes", axes, n_all - n_out, false);
        TRYV(ac);
        frost__params rp;
        memset(&rp, 0, sizeof rp);
        rp.reduce.fn = FROST__RED_SUM;
        int in[2] = {y, ac};
        y = step(c, n, NULL, FROST__OP_REDUCE, 2, in, &rp);
        TRYV(y);
    } else if (y == aligned[0] && n_ops == 1) {
        int in[1] = {y};
        y = step(c, n, NULL, FROST__OP_IDENTITY, 1, in, NULL);
        TRYV(y);
    }
    return bind0(c, n, y);
}

static int cast_to(onnx_ctx *c, node_t *n, const char *suffix, int x, frost_dtype to) {
    if (vdtype(c, x) == to) return x;
    frost__params cp;
    memset(&cp, 0, sizeof cp);
    cp.cast.to = to;
    int in[1] = {x};
    return step(c, n, suffix, FROST__OP_CAST, 1, in, &cp);
}

/* Scalar i64: dimension `axis` of x's shape (known at plan time). */
static int dim_of(onnx_ctx *c, node_t *n, const char *suffix, int x, int64_t axis) {
    frost__params sp;
    memset(&sp, 0, sizeof sp);
    sp.shape.out_dtype = FROST_DTYPE_I64;
    int in[1] = {x};
    char nm[64];
    snprintf(nm, sizeof nm, "%s_shape", suffix);
    int shp = step(c, n, nm, FROST__OP_SHAPE, 1, in, &sp);
    if (shp < 0) return -1;
    int64_t zero = 0;
    int ka = const_i64(c, n, "axis", &axis, 1, true), kz = const_i64(c, n, "axis0", &zero, 1, true);
    if (ka < 0 || kz < 0) return -1;
    int g[3] = {shp, ka, kz};
    return step(c, n, suffix, FROST__OP_GATHER, 3, g, NULL);
}

/* one-hot of argmax(x, axis) (first index on ties), in x's dtype: Hardmax over one axis. */
static int hardmax_axis(onnx_ctx *c, node_t *n, const char *suffix, int x, int64_t axis) {
    int ax = const_i64(c, n, "arg_axis", &axis, 1, true);
    if (ax < 0) return -1;
    frost__params ap;
    memset(&ap, 0, sizeof ap);
    ap.arg.is_max = true;
    ap.arg.out_dtype = FROST_DTYPE_I64;
    int in[2] = {x, ax};
    int idx = step(c, n, "argmax", FROST__OP_ARG, 2, in, &ap);
    if (idx < 0) return -1;
    int depth = dim_of(c, n, "depth", x, axis);
    if (depth < 0) return -1;
    frost_dtype dt = float_of(c, x);
    int on = const_scalar_of(c, n, "on", dt, 1), off = const_scalar_of(c, n, "off", dt, 0);
    if (on < 0 || off < 0) return -1;
    frost__params op;
    memset(&op, 0, sizeof op);
    op.one_hot.axis = (int)axis;
    int oh[4] = {idx, depth, on, off};
    return step(c, n, suffix, FROST__OP_ONE_HOT, 4, oh, &op);
}

static frost_status op_hardmax(onnx_ctx *c, node_t *n) {
    int x;
    FROST_TRY(need_in(c, n, 0, &x));
    int r = vrank(c, x);
    if (c->opset >= 13) {
        int64_t axis = attr_i(n, "axis", -1);
        if (axis < 0) {
            if (r < 0) return unsupported(c, n, "negative axis with unknown rank");
            axis += r;
        }
        return bind0(c, n, hardmax_axis(c, n, NULL, x, axis));
    }
    int64_t axis = attr_i(n, "axis", 1);
    if (r < 0) return unsupported(c, n, "rank unknown at load");
    if (axis < 0) axis += r;
    if (axis == r - 1) return bind0(c, n, hardmax_axis(c, n, NULL, x, axis));
    frost__params fp;
    memset(&fp, 0, sizeof fp);
    fp.flatten.axis = (int)axis;
    int in[1] = {x};
    int flat = step(c, n, "flat", FROST__OP_FLATTEN, 1, in, &fp);
    TRYV(flat);
    int hm = hardmax_axis(c, n, "hardmax_2d", flat, 1);
    TRYV(hm);
    frost__params sp;
    memset(&sp, 0, sizeof sp);
    sp.shape.out_dtype = FROST_DTYPE_I64;
    int shp = step(c, n, "shape", FROST__OP_SHAPE, 1, in, &sp);
    TRYV(shp);
    frost__params rp;
    memset(&rp, 0, sizeof rp);
    rp.reshape.zero_is_copy = true;
    int in2[2] = {hm, shp};
    return bind0(c, n, step(c, n, NULL, FROST__OP_RESHAPE, 2, in2, &rp));
}

static frost_status op_one_hot(onnx_ctx *c, node_t *n) {
    int idx, depth, values;
    FROST_TRY(need_in(c, n, 0, &idx));
    FROST_TRY(need_in(c, n, 1, &depth));
    FROST_TRY(need_in(c, n, 2, &values));
    int64_t axis = attr_i(n, "axis", -1);
    int id = cast_to(c, n, "indices_i64", idx, FROST_DTYPE_I64);
    TRYV(id);
    int d = cast_to(c, n, "depth_i64", depth, FROST_DTYPE_I64);
    TRYV(d);
    frost__params rp;
    memset(&rp, 0, sizeof rp);
    int64_t scalar_shape[1];
    int ks = const_i64(c, n, "scalar_shape", scalar_shape, 0, false);
    TRYV(ks);
    int rin[2] = {d, ks};
    d = step(c, n, "depth_scalar", FROST__OP_RESHAPE, 2, rin, &rp);
    TRYV(d);
    /* ONNX counts negative indices from the end of the depth; TF gives them all-off rows. */
    int64_t zero = 0, one = 1;
    int kz = const_i64(c, n, "zero", &zero, 1, true), k1 = const_i64(c, n, "one", &one, 1, true);
    TRYV(kz);
    TRYV(k1);
    int neg = binary(c, n, "negative", FROST__BIN_LESS, id, kz);
    TRYV(neg);
    int wrapped = binary(c, n, "wrapped", FROST__BIN_ADD, id, d);
    TRYV(wrapped);
    int sel[3] = {neg, wrapped, id};
    id = step(c, n, "indices", FROST__OP_SELECT, 3, sel, NULL);
    TRYV(id);
    int g0[3] = {values, kz, kz}, g1[3] = {values, k1, kz};
    int off = step(c, n, "off", FROST__OP_GATHER, 3, g0, NULL);
    TRYV(off);
    int on = step(c, n, "on", FROST__OP_GATHER, 3, g1, NULL);
    TRYV(on);
    frost__params op;
    memset(&op, 0, sizeof op);
    op.one_hot.axis = (int)axis;
    int oh[4] = {id, d, on, off};
    return bind0(c, n, step(c, n, NULL, FROST__OP_ONE_HOT, 4, oh, &op));
}

/* DepthToSpace / SpaceToDepth as reshape -> transpose -> reshape; needs C, H, W at load. */
static frost_status op_depth_space(onnx_ctx *c, node_t *n, bool to_space) {
    int x;
    FROST_TRY(need_in(c, n, 0, &x));
    const frost__shape *xs = &val(c, x)->shape;
    int64_t b = attr_i(n, "blocksize", 0);
    if (b < 1 || b > 4096) return bad_attr(c, n, "attribute blocksize = %lld", (long long)b);
    if (xs->rank != 4 || xs->d[1] < 0 || xs->d[2] < 0 || xs->d[3] < 0)
        return unsupported(c, n, "C, H, W unknown at load");
    int64_t C = xs->d[1], H = xs->d[2], W = xs->d[3];
    char mb[8];
    bool crd = to_space && strcmp(attr_s(n, "mode", "DCR", mb, sizeof mb), "CRD") == 0;
    int64_t s1[6], perm[6], s2[4];
    if (to_space) {
        if (C % (b * b)) return bad_attr(c, n, "channels %lld not divisible by blocksize^2", (long long)C);
        int64_t cc = C / (b * b);
        if (crd) {
            int64_t a[6] = {0, cc, b, b, H, W}, p[6] = {0, 1, 4, 2, 5, 3};
            memcpy(s1, a, sizeof a);
            memcpy(perm, p, sizeof p);
        } else {
            int64_t a[6] = {0, b, b, cc, H, W}, p[6] = {0, 3, 4, 1, 5, 2};
            memcpy(s1, a, sizeof a);
            memcpy(perm, p, sizeof p);
        }
        int64_t o[4] = {0, cc, H * b, W * b};
        memcpy(s2, o, sizeof o);
    } else {
        if (H % b || W % b) return bad_attr(c, n, "H, W not divisible by blocksize");
        int64_t a[6] = {0, C, H / b, b, W / b, b}, p[6] = {0, 3, 5, 1, 2, 4};
        memcpy(s1, a, sizeof a);
        memcpy(perm, p, sizeof p);
        int64_t o[4] = {0, C * b * b, H / b, W / b};
        memcpy(s2, o, sizeof o);
    }
    frost__params rp;
    memset(&rp, 0, sizeof rp);
    rp.reshape.zero_is_copy = true;
    int k1 = const_i64(c, n, "blocks_shape", s1, 6, false);
    TRYV(k1);
    int in[2] = {x, k1};
    int r1 = step(c, n, "blocks", FROST__OP_RESHAPE, 2, in, &rp);
    TRYV(r1);
    int kp = const_i64(c, n, "perm", perm, 6, false);
    TRYV(kp);
    int in2[2] = {r1, kp};
    int t = step(c, n, "moved", FROST__OP_TRANSPOSE, 2, in2, NULL);
    TRYV(t);
    /* The batch dim: copied through the 6-D step by position 0. */
    int k2 = const_i64(c, n, "out_shape", s2, 4, false);
    TRYV(k2);
    int in3[2] = {t, k2};
    return bind0(c, n, step(c, n, NULL, FROST__OP_RESHAPE, 2, in3, &rp));
}

/* LRN: the channel window sum as an average pool over [N, C, H*W, 1] read as NHWC. */
static frost_status op_lrn(onnx_ctx *c, node_t *n) {
    int x;
    FROST_TRY(need_in(c, n, 0, &x));
    int64_t size = attr_i(n, "size", 0);
    if (size < 1 || size > 4096) return bad_attr(c, n, "attribute size = %lld", (long long)size);
    float alpha = attr_f(n, "alpha", 1e-4f), beta = attr_f(n, "beta", 0.75f), bias = attr_f(n, "bias", 1.0f);
    frost_dtype dt = float_of(c, x);
    int sq = binary(c, n, "squared", FROST__BIN_MUL, x, x);
    TRYV(sq);
    int64_t cols[4] = {0, 0, -1, 1};
    int kc = const_i64(c, n, "columns_shape", cols, 4, false);
    TRYV(kc);
    frost__params rp;
    memset(&rp, 0, sizeof rp);
    rp.reshape.zero_is_copy = true;
    int in[2] = {sq, kc};
    int colsv = step(c, n, "columns", FROST__OP_RESHAPE, 2, in, &rp);
    TRYV(colsv);
    frost__params pp;
    memset(&pp, 0, sizeof pp);
    pp.pool.k_h = (int)size;
    pp.pool.k_w = 1;
    pp.pool.w.stride_h = pp.pool.w.stride_w = 1;
    pp.pool.w.dilation_h = pp.pool.w.dilation_w = 1;
    pp.pool.w.padding = FROST__PAD_EXPLICIT;
    pp.pool.w.pad_top = (int)((size - 1) / 2);
    pp.pool.w.pad_bottom = (int)(size - 1 - (size - 1) / 2);
    pp.pool.count_include_pad = true;
    int in2[1] = {colsv};
    int avg = step(c, n, "window_mean", FROST__OP_POOL2D, 1, in2, &pp);
    TRYV(avg);
    frost__params sp;
    memset(&sp, 0, sizeof sp);
    sp.shape.out_dtype = FROST_DTYPE_I64;
    int in3[1] = {x};
    int shp = step(c, n, "shape", FROST__OP_SHAPE, 1, in3, &sp);
    TRYV(shp);
    int in4[2] = {avg, shp};
    int mean = step(c, n, "window_mean_nchw", FROST__OP_RESHAPE, 2, in4, &rp);
    TRYV(mean);
    int ka = const_scalar_of(c, n, "alpha", dt, alpha), kb = const_scalar_of(c, n, "bias", dt, bias);
    int kbeta = const_scalar_of(c, n, "beta", dt, beta);
    TRYV(ka);
    TRYV(kb);
    TRYV(kbeta);
    int scaled = binary(c, n, "scaled", FROST__BIN_MUL, mean, ka);
    TRYV(scaled);
    int base = binary(c, n, "base", FROST__BIN_ADD, scaled, kb);
    TRYV(base);
    int den = binary(c, n, "denominator", FROST__BIN_POW, base, kbeta);
    TRYV(den);
    return bind0(c, n, binary(c, n, NULL, FROST__BIN_DIV, x, den));
}

/* MeanVarianceNormalization as ONNX's function body defines it. */
static frost_status op_mvn(onnx_ctx *c, node_t *n) {
    int x;
    FROST_TRY(need_in(c, n, 0, &x));
    int64_t axes[FROST_MAX_RANK] = {0, 2, 3};
    int na = attr_ints(n, "axes", axes, FROST_MAX_RANK);
    if (na == -2) return bad_attr(c, n, "attribute axes is too long");
    if (na < 0) na = 3;
    frost_dtype dt = float_of(c, x);
    int ax = const_i64(c, n, "axes", axes, na, false);
    TRYV(ax);
    frost__params rp;
    memset(&rp, 0, sizeof rp);
    rp.reduce.fn = FROST__RED_MEAN;
    rp.reduce.keep_dims = true;
    int in[2] = {x, ax};
    int mean = step(c, n, "mean", FROST__OP_REDUCE, 2, in, &rp);
    TRYV(mean);
    int xsq = binary(c, n, "x_squared", FROST__BIN_MUL, x, x);
    TRYV(xsq);
    int in2[2] = {xsq, ax};
    int ex2 = step(c, n, "mean_of_squares", FROST__OP_REDUCE, 2, in2, &rp);
    TRYV(ex2);
    int m2 = binary(c, n, "mean_squared", FROST__BIN_MUL, mean, mean);
    TRYV(m2);
    int var = binary(c, n, "variance", FROST__BIN_SUB, ex2, m2);
    TRYV(var);
    int sd = unary_fn(c, n, "std", var, FROST__UN_SQRT, 0, 0);
    TRYV(sd);
    int ke = const_scalar_of(c, n, "epsilon", dt, 1e-9);
    TRYV(ke);
    int den = binary(c, n, "std_eps", FROST__BIN_ADD, sd, ke);
    TRYV(den);
    int d = binary(c, n, "centered", FROST__BIN_SUB, x, mean);
    TRYV(d);
    return bind0(c, n, binary(c, n, NULL, FROST__BIN_DIV, d, den));
}

/* ---- Dispatch ------------------------------------------------------------------------------- */

typedef struct unary_entry { const char *name; int fn; float alpha, beta; } unary_entry;
static const unary_entry unaries[] = {
    {"Relu", FROST__ACT_RELU, 0, 0},          {"Sigmoid", FROST__ACT_SIGMOID, 0, 0},
    {"Tanh", FROST__ACT_TANH, 0, 0},          {"Softplus", FROST__ACT_SOFTPLUS, 0, 0},
    {"Softsign", FROST__ACT_SOFTSIGN, 0, 0},  {"HardSwish", FROST__ACT_HARD_SWISH, 0, 0},
    {"Abs", FROST__UN_ABS, 0, 0},             {"Neg", FROST__UN_NEG, 0, 0},
    {"Sign", FROST__UN_SIGN, 0, 0},           {"Exp", FROST__UN_EXP, 0, 0},
    {"Log", FROST__UN_LOG, 0, 0},             {"Sqrt", FROST__UN_SQRT, 0, 0},
    {"Reciprocal", FROST__UN_RECIPROCAL, 0, 0}, {"Floor", FROST__UN_FLOOR, 0, 0},
    {"Ceil", FROST__UN_CEIL, 0, 0},           {"Round", FROST__UN_ROUND, 0, 0},
    {"Erf", FROST__UN_ERF, 0, 0},             {"Sin", FROST__UN_SIN, 0, 0},
    {"Cos", FROST__UN_COS, 0, 0},             {"Tan", FROST__UN_TAN, 0, 0},
    {"Asin", FROST__UN_ASIN, 0, 0},           {"Acos", FROST__UN_ACOS, 0, 0},
    {"Atan", FROST__UN_ATAN, 0, 0},           {"Sinh", FROST__UN_SINH, 0, 0},
    {"Cosh", FROST__UN_COSH, 0, 0},           {"Asinh", FROST__UN_ASINH, 0, 0},
    {"Acosh", FROST__UN_ACOSH, 0, 0},         {"Atanh", FROST__UN_ATANH, 0, 0},
    {"Not", FROST__UN_NOT, 0, 0},             {"IsNaN", FROST__UN_ISNAN, 0, 0},
};

typedef struct binary_entry { const char *name; int fn; } binary_entry;
static const binary_entry binaries[] = {
    {"Add", FROST__BIN_ADD},   {"Sub", FROST__BIN_SUB},   {"Mul", FROST__BIN_MUL},
    {"Div", FROST__BIN_DIV},   {"Pow", FROST__BIN_POW},   {"PRelu", FROST__BIN_PRELU},
    {"Equal", FROST__BIN_EQUAL}, {"Less", FROST__BIN_LESS}, {"LessOrEqual", FROST__BIN_LESS_EQUAL},
    {"Greater", FROST__BIN_GREATER}, {"GreaterOrEqual", FROST__BIN_GREATER_EQUAL},
    {"And", FROST__BIN_AND},   {"Or", FROST__BIN_OR},     {"Xor", FROST__BIN_XOR},
};

typedef struct reduce_entry { const char *name; int fn; } reduce_entry;
static const reduce_entry reduces[] = {
    {"ReduceSum", FROST__RED_SUM},   {"ReduceMean", FROST__RED_MEAN},
    {"ReduceMax", FROST__RED_MAX},   {"ReduceMin", FROST__RED_MIN},
    {"ReduceProd", FROST__RED_PROD}, {"ReduceL1", FROST__RED_L1},
    {"ReduceL2", FROST__RED_L2},     {"ReduceLogSum", FROST__RED_LOG_SUM},
    {"ReduceLogSumExp", FROST__RED_LOG_SUM_EXP}, {"ReduceSumSquare", FROST__RED_SUM_SQUARE},
};

frost_status frost__onnx_translate_node(onnx_ctx *c, const FrostOnnx__NodeProto *n) {
    const char *t = n->op_type;
    for (size_t i = 0; i < FROST_ARRAY_LEN(unaries); i++)
        if (strcmp(t, unaries[i].name) == 0)
            return op_unary(c, n, unaries[i].fn, unaries[i].alpha, unaries[i].beta);
    for (size_t i = 0; i < FROST_ARRAY_LEN(binaries); i++)
        if (strcmp(t, binaries[i].name) == 0) return op_binary(c, n, binaries[i].fn);
    for (size_t i = 0; i < FROST_ARRAY_LEN(reduces); i++)
        if (strcmp(t, reduces[i].name) == 0) return op_reduce(c, n, reduces[i].fn);
    if (strcmp(t, "LeakyRelu") == 0)
        return op_unary(c, n, FROST__ACT_LEAKY_RELU, attr_f(n, "alpha", 0.01f), 0);
    if (strcmp(t, "Elu") == 0) return op_unary(c, n, FROST__ACT_ELU, attr_f(n, "alpha", 1.0f), 0);
    if (strcmp(t, "HardSigmoid") == 0)
        return op_unary(c, n, FROST__ACT_HARD_SIGMOID, attr_f(n, "alpha", 0.2f),
                        attr_f(n, "beta", 0.5f));
    if (strcmp(t, "Selu") == 0) return op_selu(c, n);
    if (strcmp(t, "Celu") == 0) return op_celu(c, n);
    if (strcmp(t, "ThresholdedRelu") == 0) return op_thresholded_relu(c, n);
    if (strcmp(t, "Mish") == 0) return op_mish(c, n);
    if (strcmp(t, "IsInf") == 0) return op_isinf(c, n);
    if (strcmp(t, "Clip") == 0) return op_clip(c, n);
    if (strcmp(t, "Max") == 0) return op_variadic(c, n, FROST__BIN_MAX, false);
    if (strcmp(t, "Min") == 0) return op_variadic(c, n, FROST__BIN_MIN, false);
    if (strcmp(t, "Sum") == 0) return op_variadic(c, n, FROST__BIN_ADD, false);
    if (strcmp(t, "Mean") == 0) return op_variadic(c, n, FROST__BIN_ADD, true);
    if (strcmp(t, "Mod") == 0) return op_mod(c, n);
    if (strcmp(t, "Where") == 0) return op_where(c, n);
    if (strcmp(t, "Cast") == 0) return op_cast(c, n, false);
    if (strcmp(t, "CastLike") == 0) return op_cast(c, n, true);
    if (strcmp(t, "Conv") == 0) return op_conv(c, n);
    if (strcmp(t, "ConvTranspose") == 0) return op_conv_transpose(c, n);
    if (strcmp(t, "MaxPool") == 0) return op_pool(c, n, true);
    if (strcmp(t, "AveragePool") == 0) return op_pool(c, n, false);
    if (strcmp(t, "GlobalAveragePool") == 0) return op_global_pool(c, n, FROST__RED_MEAN);
    if (strcmp(t, "GlobalMaxPool") == 0) return op_global_pool(c, n, FROST__RED_MAX);
    if (strcmp(t, "BatchNormalization") == 0) return op_batchnorm(c, n);
    if (strcmp(t, "InstanceNormalization") == 0) return op_instance_norm(c, n);
    if (strcmp(t, "LayerNormalization") == 0) return op_layer_norm(c, n);
    if (strcmp(t, "LpNormalization") == 0) return op_lp_norm(c, n);
    if (strcmp(t, "MatMul") == 0) return op_matmul(c, n);
    if (strcmp(t, "Gemm") == 0) return op_gemm(c, n);
    if (strcmp(t, "Softmax") == 0) return op_softmax(c, n, false);
    if (strcmp(t, "LogSoftmax") == 0) return op_softmax(c, n, true);
    if (strcmp(t, "Reshape") == 0) return op_reshape(c, n);
    if (strcmp(t, "Flatten") == 0) return op_flatten(c, n);
    if (strcmp(t, "Squeeze") == 0) return op_squeeze(c, n, false);
    if (strcmp(t, "Unsqueeze") == 0) return op_squeeze(c, n, true);
    if (strcmp(t, "Transpose") == 0) return op_transpose(c, n);
    if (strcmp(t, "Concat") == 0) return op_concat(c, n);
    if (strcmp(t, "Split") == 0) return op_split(c, n);
    if (strcmp(t, "Slice") == 0) return op_slice(c, n);
    if (strcmp(t, "Gather") == 0) return op_gather(c, n);
    if (strcmp(t, "Expand") == 0) return op_two_inputs(c, n, FROST__OP_EXPAND);
    if (strcmp(t, "Tile") == 0) return op_tile(c, n);
    if (strcmp(t, "Shape") == 0) return op_shape(c, n);
    if (strcmp(t, "Size") == 0) return op_size(c, n);
    if (strcmp(t, "Pad") == 0) return op_pad(c, n);
    if (strcmp(t, "Constant") == 0) return op_constant(c, n);
    if (strcmp(t, "ConstantOfShape") == 0) return op_constant_of_shape(c, n);
    if (strcmp(t, "Range") == 0) return op_range(c, n);
    if (strcmp(t, "Identity") == 0 || strcmp(t, "Dropout") == 0) return op_identity(c, n);
    if (strcmp(t, "ArgMax") == 0) return op_arg(c, n, true);
    if (strcmp(t, "ArgMin") == 0) return op_arg(c, n, false);
    if (strcmp(t, "Resize") == 0) return op_resize(c, n, false);
    if (strcmp(t, "Upsample") == 0) return op_resize(c, n, true);
    if (strcmp(t, "Trilu") == 0) return op_trilu(c, n);
    if (strcmp(t, "Shrink") == 0) return op_shrink(c, n);
    if (strcmp(t, "Hardmax") == 0) return op_hardmax(c, n);
    if (strcmp(t, "Einsum") == 0) return op_einsum(c, n);
    if (strcmp(t, "RNN") == 0) return op_recurrent(c, n, 0);
    if (strcmp(t, "GRU") == 0) return op_recurrent(c, n, 1);
    if (strcmp(t, "LSTM") == 0) return op_recurrent(c, n, 2);
    if (strcmp(t, "OneHot") == 0) return op_one_hot(c, n);
    if (strcmp(t, "DepthToSpace") == 0) return op_depth_space(c, n, true);
    if (strcmp(t, "SpaceToDepth") == 0) return op_depth_space(c, n, false);
    if (strcmp(t, "LRN") == 0) return op_lrn(c, n);
    if (strcmp(t, "MeanVarianceNormalization") == 0) return op_mvn(c, n);
    return op_unknown(c, n);
}
