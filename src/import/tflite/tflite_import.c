/* tflite_import.c — reads a .tflite FlatBuffer (schema version 3) and builds a frost__graph from
 * subgraph 0: its input tensors become inputs (dims the shape_signature marks dynamic stay
 * unknown, so a fed shape resizes them), tensors with buffer bytes become constants on first use
 * (bytes inside the FlatBuffer or, for models over 2 GB, at an offset after it), every operator
 * goes to tflite_ops.c, and the subgraph's outputs become the graph's outputs. Tensor names as
 * stored are the feed/fetch names; the serving signature's short keys become aliases.
 * Quantization parameters travel with the values (frost__value.quant) for the public API.
 *
 * It must never trust the file: every offset and length is checked by fmt/flatbuffers.c, every
 * tensor index, buffer index, shape and byte count here, and a malformed model returns
 * FROST_E_FORMAT naming the operator or tensor and the byte offset. */
#include "import/import.h"
#include "import/tflite/tflite_internal.h"

#include <stdio.h>

#include "core/names.h"

/* ---- Errors --------------------------------------------------------------------------------- */

/* The reader's sticky failure as a FROST_E_FORMAT error. */
static frost_status fb_error(tfl_ctx *c) {
    return frost__fail(c->err, FROST_E_FORMAT, NULL, NULL, c->fb->bad_at,
                       "malformed .tflite file at byte %lld: %s", (long long)c->fb->bad_at,
                       c->fb->bad_what);
}

static const char *out0_name(tfl_ctx *c);

frost_status frost__tfl_bad(tfl_ctx *c, const char *fmt, ...) {
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return frost__fail(c->err, FROST_E_FORMAT, out0_name(c), c->op_name, c->op.pos,
                       "operator %d (%s, output '%s'): %s", c->op_index,
                       c->op_name ? c->op_name : "?", out0_name(c), msg);
}

/* ---- Tensors -------------------------------------------------------------------------------- */

static frost_dtype dtype_of(int type) {
    switch (type) {
    case TFL_FLOAT32: return FROST_DTYPE_F32;
    case TFL_FLOAT16: return FROST_DTYPE_F16;
    case TFL_INT32: return FROST_DTYPE_I32;
    case TFL_UINT8: return FROST_DTYPE_U8;
    case TFL_INT64: return FROST_DTYPE_I64;
    case TFL_STRING: return FROST_DTYPE_STRING;
    case TFL_BOOL: return FROST_DTYPE_BOOL;
    case TFL_INT16: return FROST_DTYPE_I16;
    case TFL_INT8: return FROST_DTYPE_I8;
    case TFL_FLOAT64: return FROST_DTYPE_F64;
    case TFL_UINT64: return FROST_DTYPE_U64;
    case TFL_UINT32: return FROST_DTYPE_U32;
    case TFL_UINT16: return FROST_DTYPE_U16;
    default: return FROST_DTYPE_INVALID;
    }
}

static const char *type_name(int type) {
    static const char *const n[] = {"FLOAT32", "FLOAT16", "INT32", "UINT8", "INT64", "STRING",
                                    "BOOL", "INT16", "COMPLEX64", "INT8", "FLOAT64",
                                    "COMPLEX128", "UINT64", "RESOURCE", "VARIANT", "UINT32",
                                    "UINT16", "INT4"};
    return type >= 0 && (size_t)type < FROST_ARRAY_LEN(n) ? n[type] : "unknown";
}

static frost_status read_shape(tfl_ctx *c, frost__fb_table tt, int field, int idx,
                               frost__shape *out) {
    frost__fb_vec v = frost__fb_vec_field(c->fb, tt, field, 4, "Tensor.shape");
    if (c->fb->bad) return fb_error(c);
    *out = frost__shape_unknown();
    if (!frost__fb_present(c->fb, tt, field)) return FROST_OK;
    if (v.len > FROST_MAX_RANK)
        return frost__fail(c->err, FROST_E_LIMIT, NULL, NULL, v.pos,
                           "tensor %d has rank %u; frost supports up to %d", idx, v.len,
                           FROST_MAX_RANK);
    out->rank = (int)v.len;
    for (uint32_t i = 0; i < v.len; i++) {
        int32_t d = frost__fb_vec_i32(c->fb, v, i);
        if (d < -1)
            return frost__fail(c->err, FROST_E_FORMAT, NULL, NULL, v.pos,
                               "tensor %d has dimension %u = %d", idx, i, (int)d);
        out->d[i] = d;
    }
    return FROST_OK;
}

/* The bytes of buffer `b`: inside the FlatBuffer (data) or after it (offset, size). */
static frost_status buffer_bytes(tfl_ctx *c, uint32_t b, int tensor, const unsigned char **data,
                                 size_t *n) {
    *data = NULL;
    *n = 0;
    if (b == 0) return FROST_OK; /* buffer 0 is the empty sentinel */
    if (b >= c->buffers.len)
        return frost__fail(c->err, FROST_E_FORMAT, NULL, NULL, -1,
                           "tensor %d refers to buffer %u of %u", tensor, b, c->buffers.len);
    frost__fb_table bt = frost__fb_vec_table(c->fb, c->buffers, b, "Model.buffers[]");
    frost__fb_vec v = frost__fb_vec_field(c->fb, bt, TFL_BUFFER_DATA, 1, "Buffer.data");
    uint64_t off = frost__fb_u64(c->fb, bt, TFL_BUFFER_OFFSET, 0);
    uint64_t size = frost__fb_u64(c->fb, bt, TFL_BUFFER_SIZE, 0);
    if (c->fb->bad) return fb_error(c);
    if (v.len) {
        *data = frost__fb_vec_bytes(c->fb, v);
        *n = v.len;
    } else if (off > 1) {
        if (off > c->fb->n || size > c->fb->n - off)
            return frost__fail(c->err, FROST_E_FORMAT, NULL, NULL, bt.pos,
                               "buffer %u (tensor %d) lies at bytes %llu..%llu, past the end of "
                               "the %zu-byte file", b, tensor, (unsigned long long)off,
                               (unsigned long long)(off + size), c->fb->n);
        *data = c->fb->p + off;
        *n = (size_t)size;
    }
    return FROST_OK;
}

static frost_status read_quant(tfl_ctx *c, frost__fb_table tt, int idx, tfl_tensor *t) {
    frost__fb_table q = frost__fb_table_field(c->fb, tt, TFL_TENSOR_QUANT, "Tensor.quantization");
    if (c->fb->bad) return fb_error(c);
    if (!q.pos) return FROST_OK;
    t->q_scale = frost__fb_vec_field(c->fb, q, TFL_QUANT_SCALE, 4, "QuantizationParameters.scale");
    t->q_zp = frost__fb_vec_field(c->fb, q, TFL_QUANT_ZERO_POINT, 8,
                                  "QuantizationParameters.zero_point");
    uint8_t details = frost__fb_u8(c->fb, q, TFL_QUANT_DETAILS_TYPE, 0);
    int32_t axis = frost__fb_i32(c->fb, q, TFL_QUANT_DIM, 0);
    if (c->fb->bad) return fb_error(c);
    if (details != 0)
        return frost__fail(c->err, FROST_E_UNSUPPORTED, t->name, NULL, q.pos,
                           "tensor %d ('%s') uses custom quantization details; frost supports "
                           "affine scale/zero-point quantization only", idx, t->name);
    if (t->q_scale.len == 0) return FROST_OK; /* min/max only: not quantized for inference */
    if (t->q_zp.len != t->q_scale.len && t->q_zp.len != 0)
        return frost__fail(c->err, FROST_E_FORMAT, t->name, NULL, q.pos,
                           "tensor %d ('%s') has %u scales but %u zero points", idx, t->name,
                           t->q_scale.len, t->q_zp.len);
    /* Converters write bias vectors with the filter's quantized_dimension (3 for a [cout] bias). */
    if (t->q_scale.len > 1 && t->shape.rank == 1 && t->shape.d[0] == (int64_t)t->q_scale.len)
        axis = 0;
    if (t->q_scale.len > 1 &&
        (axis < 0 || axis >= t->shape.rank || t->shape.d[axis] != (int64_t)t->q_scale.len))
        return frost__fail(c->err, FROST_E_FORMAT, t->name, NULL, q.pos,
                           "tensor %d ('%s') has %u scales along quantized_dimension %d, which "
                           "does not match its shape", idx, t->name, t->q_scale.len, (int)axis);
    for (uint32_t i = 0; i < t->q_scale.len; i++) {
        float s = frost__fb_vec_f32(c->fb, t->q_scale, i);
        if (!(s > 0) || s != s || s > 1e30f)
            return frost__fail(c->err, FROST_E_FORMAT, t->name, NULL, q.pos,
                               "tensor %d ('%s') has quantization scale %g; scales must be "
                               "positive and finite", idx, t->name, (double)s);
        int64_t zp = t->q_zp.len ? frost__fb_vec_i64(c->fb, t->q_zp, i) : 0;
        if (zp < -65536 || zp > 65536)
            return frost__fail(c->err, FROST_E_FORMAT, t->name, NULL, q.pos,
                               "tensor %d ('%s') has zero point %lld", idx, t->name,
                               (long long)zp);
    }
    t->n_q = (int)t->q_scale.len;
    t->q_axis = t->n_q > 1 ? axis : 0;
    return FROST_OK;
}

static frost_status read_tensor(tfl_ctx *c, frost__fb_vec tensors, int idx) {
    tfl_tensor *t = &c->t[idx];
    memset(t, 0, sizeof *t);
    t->value = -1;
    frost__fb_table tt = frost__fb_vec_table(c->fb, tensors, (uint32_t)idx, "SubGraph.tensors[]");
    t->name = frost__fb_string(c->fb, tt, TFL_TENSOR_NAME, NULL, "Tensor.name");
    t->type = frost__fb_i8(c->fb, tt, TFL_TENSOR_TYPE, 0);
    t->buffer = frost__fb_u32(c->fb, tt, TFL_TENSOR_BUFFER, 0);
    t->is_variable = frost__fb_bool(c->fb, tt, TFL_TENSOR_IS_VARIABLE, false);
    t->sparse = frost__fb_present(c->fb, tt, TFL_TENSOR_SPARSITY);
    t->sparsity = frost__fb_table_field(c->fb, tt, TFL_TENSOR_SPARSITY, "Tensor.sparsity");
    if (c->fb->bad) return fb_error(c);
    if (!t->name) t->name = "";
    t->dtype = dtype_of(t->type);
    FROST_TRY(read_shape(c, tt, TFL_TENSOR_SHAPE, idx, &t->shape));
    FROST_TRY(read_shape(c, tt, TFL_TENSOR_SHAPE_SIGNATURE, idx, &t->signature));
    FROST_TRY(read_quant(c, tt, idx, t));
    FROST_TRY(buffer_bytes(c, t->buffer, idx, &t->data, &t->nbytes));
    return FROST_OK;
}

bool frost__tfl_is_quantized(const tfl_tensor *t) {
    return t && t->n_q > 0 &&
           (t->type == TFL_INT8 || t->type == TFL_UINT8 || t->type == TFL_INT16 ||
            t->type == TFL_INT32 || t->type == TFL_INT64);
}

float frost__tfl_scale(const tfl_ctx *c, const tfl_tensor *t, int i) {
    return t->n_q ? frost__fb_vec_f32(c->fb, t->q_scale, (uint32_t)(i < t->n_q ? i : 0)) : 1.0f;
}

int64_t frost__tfl_zero_point(const tfl_ctx *c, const tfl_tensor *t, int i) {
    if (!t->n_q || !t->q_zp.len) return 0;
    return frost__fb_vec_i64(c->fb, t->q_zp, (uint32_t)(i < t->n_q ? i : 0));
}

/* ---- Names and values ----------------------------------------------------------------------- */

/* `base`, or base#k for the first k that names nothing yet. */
static void unique_name(tfl_ctx *c, const char *base, int idx, char *buf, size_t cap) {
    if (!base || !*base) {
        snprintf(buf, cap, "tensor_%d", idx);
        base = buf;
        if (frost__names_get(c->g, buf) < 0) return;
    }
    if (frost__names_get(c->g, base) < 0 && strlen(base) < cap) {
        if (buf != base) snprintf(buf, cap, "%s", base);
        return;
    }
    char tmp[512];
    snprintf(tmp, sizeof tmp, "%s", base);
    for (int k = 1;; k++) {
        snprintf(buf, cap, "%.480s#%d", tmp, k);
        if (frost__names_get(c->g, buf) < 0) return;
    }
}

static frost_status attach_quant(tfl_ctx *c, tfl_tensor *t, int v) {
    if (!frost__tfl_is_quantized(t) || c->g->values[v].quant) return FROST_OK;
    size_t n = (size_t)t->n_q;
    size_t bytes = sizeof(frost__quant) + n * (sizeof(float) + sizeof(int64_t));
    frost__quant *q = frost__alloc(&c->g->alloc, bytes);
    if (!q) return frost__fail(c->err, FROST_E_NOMEM, t->name, NULL, -1, "out of memory");
    q->n = t->n_q;
    q->axis = t->q_axis;
    q->zero_point = (int64_t *)(void *)(q + 1);
    q->scale = (float *)(void *)(q->zero_point + n);
    for (int i = 0; i < t->n_q; i++) {
        q->scale[i] = frost__tfl_scale(c, t, i);
        q->zero_point[i] = frost__tfl_zero_point(c, t, i);
    }
    c->g->values[v].quant = q;
    return FROST_OK;
}

static frost_status check_const_bytes(tfl_ctx *c, tfl_tensor *t, int idx, size_t *bytes) {
    if (t->dtype == FROST_DTYPE_INVALID || t->dtype == FROST_DTYPE_STRING)
        return frost__fail(c->err, FROST_E_UNSUPPORTED, t->name, c->op_name, -1,
                           "constant tensor %d ('%s') has type %s, which frost cannot hold", idx,
                           t->name, type_name(t->type));
    if (t->shape.rank < 0 || !frost__shape_known(&t->shape) ||
        !frost__tensor_bytes(t->dtype, &t->shape, bytes))
        return frost__fail(c->err, FROST_E_FORMAT, t->name, c->op_name, -1,
                           "constant tensor %d ('%s') has no valid shape", idx, t->name);
    if (*bytes > c->g->max_tensor_bytes)
        return frost__fail(c->err, FROST_E_LIMIT, t->name, NULL, -1,
                           "constant tensor %d ('%s') is %zu bytes, over the limit of %llu "
                           "(max_tensor_bytes)", idx, t->name, *bytes,
                           (unsigned long long)c->g->max_tensor_bytes);
    if (*bytes != t->nbytes)
        return frost__fail(c->err, FROST_E_FORMAT, t->name, c->op_name, -1,
                           "constant tensor %d ('%s', %s, shape %s) needs %zu bytes but its "
                           "buffer %u holds %zu", idx, t->name, type_name(t->type),
                           frost__shape_str(&t->shape, (char[96]){0}, 96), *bytes, t->buffer,
                           t->nbytes);
    return FROST_OK;
}

/* The value of tensor idx, making the constant on first use. */
static int tensor_value(tfl_ctx *c, int idx) {
    tfl_tensor *t = &c->t[idx];
    if (t->value >= 0) return t->value;
    int64_t numel;
    if (!t->data && t->shape.rank >= 0 && frost__shape_numel_ok(&t->shape, &numel) && numel == 0 &&
        t->dtype != FROST_DTYPE_INVALID && t->dtype != FROST_DTYPE_STRING)
        t->data = (const unsigned char *)""; /* an empty constant (a RESHAPE to a scalar's shape) */
    if (!t->data) {
        frost__fail(c->err, FROST_E_FORMAT, t->name, c->op_name, c->op.pos,
                    "operator %d (%s) reads tensor %d ('%s'), which is no input, no constant and "
                    "no earlier operator's output", c->op_index, c->op_name ? c->op_name : "?",
                    idx, t->name);
        return -2;
    }
    if (t->sparse) {
        frost__fail(c->err, FROST_E_UNSUPPORTED, t->name, c->op_name, -1,
                    "tensor %d ('%s') is stored sparse and read by %s; frost densifies sparse "
                    "constants only through DENSIFY", idx, t->name, c->op_name ? c->op_name : "?");
        return -2;
    }
    size_t bytes;
    if (check_const_bytes(c, t, idx, &bytes) != FROST_OK) return -2;
    char name[520];
    unique_name(c, t->name, idx, name, sizeof name);
    int v = frost__graph_add_const(c->g, name, t->dtype, &t->shape, t->data, bytes, c->err);
    if (v < 0) return -2;
    if (attach_quant(c, t, v) != FROST_OK) return -2;
    t->value = v;
    return v;
}

tfl_tensor *frost__tfl_in_tensor(tfl_ctx *c, int k) {
    if (k < 0 || k >= c->n_in || c->in[k] < 0) return NULL;
    return &c->t[c->in[k]];
}

tfl_tensor *frost__tfl_out_tensor(tfl_ctx *c, int k) {
    if (k < 0 || k >= c->n_out) return NULL;
    return &c->t[c->out[k]];
}

int frost__tfl_in(tfl_ctx *c, int k) {
    if (k < 0 || k >= c->n_in || c->in[k] < 0) return -1;
    return tensor_value(c, c->in[k]);
}

static const char *out0_name(tfl_ctx *c) {
    if (c->n_out > 0 && c->out && c->out[0] >= 0 && c->out[0] < c->n_t && c->t[c->out[0]].name[0])
        return c->t[c->out[0]].name;
    return "?";
}

frost_status frost__tfl_emit(tfl_ctx *c, int op, int n_in, const int *in, const frost__params *p) {
    frost__graph *g = c->g;
    char name[520];
    unique_name(c, c->t[c->out[0]].name, c->out[0], name, sizeof name);
    int node = frost__graph_add_node(g, name, c->op_name, op, n_in, in, c->n_out, p, c->err);
    if (node < 0) return c->err ? c->err->code : FROST_E_FORMAT;
    for (int k = 0; k < c->n_out; k++) {
        tfl_tensor *t = &c->t[c->out[k]];
        int v = g->nodes[node].out[k];
        t->value = v;
        if (k > 0) {
            /* Output k answers to its own tensor name, not "<node>:k" only. */
            char nk[520];
            unique_name(c, t->name, c->out[k], nk, sizeof nk);
            char *copy = frost__strdup(&g->alloc, nk);
            if (!copy) return frost__fail(c->err, FROST_E_NOMEM, nk, NULL, -1, "out of memory");
            FROST_TRY(frost__graph_add_alias(g, nk, v, c->err));
            frost__free(&g->alloc, g->values[v].name);
            g->values[v].name = copy;
        }
        FROST_TRY(attach_quant(c, t, v));
    }
    return FROST_OK;
}

/* "<output 0>/<suffix>", made unique. */
static void helper_name(tfl_ctx *c, const char *suffix, char *buf, size_t cap) {
    char base[520];
    snprintf(base, sizeof base, "%.400s/%s", out0_name(c), suffix);
    unique_name(c, base, 0, buf, cap);
}

int frost__tfl_helper(tfl_ctx *c, const char *suffix, int op, int n_in, const int *in,
                      const frost__params *p) {
    char name[520];
    helper_name(c, suffix, name, sizeof name);
    int node = frost__graph_add_node(c->g, name, c->op_name, op, n_in, in, 1, p, c->err);
    return node < 0 ? -1 : c->g->nodes[node].out[0];
}

int frost__tfl_const(tfl_ctx *c, const char *suffix, frost_dtype dt, const frost__shape *s,
                     const void *data, size_t nbytes) {
    char name[520];
    helper_name(c, suffix, name, sizeof name);
    return frost__graph_add_const(c->g, name, dt, s, data, nbytes, c->err);
}

int frost__tfl_const_owned(tfl_ctx *c, const char *suffix, frost_dtype dt, const frost__shape *s,
                           void *data, size_t nbytes) {
    char name[520];
    helper_name(c, suffix, name, sizeof name);
    return frost__graph_add_const_owned(c->g, name, dt, s, data, nbytes, c->err);
}

int frost__tfl_const_i32(tfl_ctx *c, const char *suffix, const int32_t *v, int n, int rank) {
    int64_t d = n;
    frost__shape s = frost__shape_make(rank, &d);
    return frost__tfl_const(c, suffix, FROST_DTYPE_I32, &s, v, (size_t)n * sizeof(int32_t));
}

frost_status frost__tfl_unsupported(tfl_ctx *c, const char *why) {
    int in[64], n = 0;
    for (int k = 0; k < c->n_in && n < 64; k++) {
        if (c->in[k] < 0) continue;
        tfl_tensor *t = &c->t[c->in[k]];
        if (t->value >= 0) in[n++] = t->value;
    }
    c->n_unsupported++;
    c->op_refused = true;
    if (why) frost__graph_report(c->g, "tflite: operator %d (%s): %s", c->op_index, c->op_name, why);
    char name[520];
    unique_name(c, c->t[c->out[0]].name, c->out[0], name, sizeof name);
    int node = frost__graph_add_node(c->g, name, c->op_name, FROST__OP_UNSUPPORTED, n, in, c->n_out,
                                     NULL, c->err);
    if (node < 0) return c->err ? c->err->code : FROST_E_FORMAT;
    for (int k = 0; k < c->n_out; k++) c->t[c->out[k]].value = c->g->nodes[node].out[k];
    return FROST_OK;
}

bool frost__tfl_options(tfl_ctx *c, int type, frost__fb_table *out) {
    memset(out, 0, sizeof *out);
    if (!c->opt.pos) return true;
    uint8_t have = frost__fb_u8(c->fb, c->op, TFL_OP_OPTIONS_TYPE, 0);
    if (have != type) {
        frost__tfl_bad(c, "its builtin_options are of union type %u, expected %d", have, type);
        return false;
    }
    *out = c->opt;
    return true;
}

/* ---- The subgraph --------------------------------------------------------------------------- */

static frost_status tensor_index_list(tfl_ctx *c, frost__fb_vec v, const char *what, bool optional) {
    for (uint32_t i = 0; i < v.len; i++) {
        int32_t x = frost__fb_vec_i32(c->fb, v, i);
        if ((x < 0 && !(optional && x == -1)) || x >= c->n_t)
            return frost__fail(c->err, FROST_E_FORMAT, NULL, c->op_name, v.pos,
                               "%s[%u] is tensor %d; the subgraph has %d tensors", what, i,
                               (int)x, c->n_t);
    }
    return FROST_OK;
}

static frost_status add_input(tfl_ctx *c, int idx) {
    tfl_tensor *t = &c->t[idx];
    if (t->value >= 0) return FROST_OK;
    if (t->dtype == FROST_DTYPE_INVALID || t->dtype == FROST_DTYPE_STRING)
        return frost__fail(c->err, FROST_E_UNSUPPORTED, t->name, NULL, -1,
                           "input tensor %d ('%s') has type %s, which frost cannot feed", idx,
                           t->name, type_name(t->type));
    frost__shape s = t->shape;
    /* Dims the signature marks dynamic are the ones a caller may resize (TFLite's
     * ResizeInputTensor); the stored shape holds 1 there. */
    if (t->signature.rank >= 0 && t->signature.rank == s.rank)
        for (int d = 0; d < s.rank; d++)
            if (t->signature.d[d] < 0) s.d[d] = -1;
    char name[520];
    unique_name(c, t->name, idx, name, sizeof name);
    int v = frost__graph_add_input(c->g, name, t->dtype, &s, c->err);
    if (v < 0) return c->err ? c->err->code : FROST_E_FORMAT;
    t->value = v;
    return attach_quant(c, t, v);
}

static frost_status read_operator(tfl_ctx *c, frost__fb_vec opcodes, frost__fb_table op,
                                  int32_t *in_buf, int32_t *out_buf) {
    frost__fb *fb = c->fb;
    uint32_t opcode = frost__fb_u32(fb, op, TFL_OP_OPCODE, 0);
    frost__fb_vec in = frost__fb_vec_field(fb, op, TFL_OP_INPUTS, 4, "Operator.inputs");
    frost__fb_vec out = frost__fb_vec_field(fb, op, TFL_OP_OUTPUTS, 4, "Operator.outputs");
    c->opt = frost__fb_table_field(fb, op, TFL_OP_OPTIONS, "Operator.builtin_options");
    if (fb->bad) return fb_error(c);
    if (opcode >= opcodes.len)
        return frost__fail(c->err, FROST_E_FORMAT, NULL, NULL, op.pos,
                           "operator %d uses opcode_index %u; the model has %u operator codes",
                           c->op_index, opcode, opcodes.len);
    frost__fb_table oc = frost__fb_vec_table(fb, opcodes, opcode, "Model.operator_codes[]");
    int32_t dep = frost__fb_i8(fb, oc, TFL_OPCODE_DEPRECATED_BUILTIN, 0);
    int32_t code = frost__fb_i32(fb, oc, TFL_OPCODE_BUILTIN, 0);
    c->op_version = frost__fb_i32(fb, oc, TFL_OPCODE_VERSION, 1);
    const char *custom = frost__fb_string(fb, oc, TFL_OPCODE_CUSTOM, NULL, "OperatorCode.custom_code");
    if (fb->bad) return fb_error(c);
    /* Files from before the 32-bit field keep the code in the deprecated byte only. */
    if (code < dep) code = dep;
    c->op_code = code;
    c->op_name = frost__tflite_op_name(code);
    if (code == TFL_CUSTOM) c->op_name = custom && *custom ? custom : "CUSTOM";
    if (!c->op_name) {
        /* A builtin newer than this reader: refuse it by number. */
        snprintf(c->op_name_buf, sizeof c->op_name_buf, "BUILTIN_%d", (int)code);
        c->op_name = c->op_name_buf;
    }
    if (in.len > 1024 || out.len > 1024 || out.len == 0)
        return frost__fail(c->err, FROST_E_FORMAT, NULL, c->op_name, op.pos,
                           "operator %d (%s) has %u inputs and %u outputs", c->op_index,
                           c->op_name, in.len, out.len);
    FROST_TRY(tensor_index_list(c, in, "Operator.inputs", true));
    FROST_TRY(tensor_index_list(c, out, "Operator.outputs", false));
    for (uint32_t i = 0; i < in.len; i++) in_buf[i] = frost__fb_vec_i32(fb, in, i);
    for (uint32_t i = 0; i < out.len; i++) {
        out_buf[i] = frost__fb_vec_i32(fb, out, i);
        if (c->t[out_buf[i]].value >= 0 || c->t[out_buf[i]].data)
            return frost__fail(c->err, FROST_E_FORMAT, c->t[out_buf[i]].name, c->op_name, op.pos,
                               "operator %d (%s) writes tensor %d ('%s'), which is an input, a "
                               "constant or an earlier operator's output", c->op_index,
                               c->op_name, (int)out_buf[i], c->t[out_buf[i]].name);
    }
    c->op = op;
    c->n_in = (int)in.len;
    c->n_out = (int)out.len;
    c->in = in_buf;
    c->out = out_buf;
    return FROST_OK;
}

static frost_status signature_aliases(tfl_ctx *c, frost__fb_table model) {
    frost__fb *fb = c->fb;
    frost__fb_vec sigs = frost__fb_vec_field(fb, model, TFL_MODEL_SIGNATURES, 4,
                                             "Model.signature_defs");
    if (fb->bad) return fb_error(c);
    for (uint32_t s = 0; s < sigs.len; s++) {
        frost__fb_table sd = frost__fb_vec_table(fb, sigs, s, "Model.signature_defs[]");
        uint32_t sg = frost__fb_u32(fb, sd, TFL_SIG_SUBGRAPH, 0);
        const char *key = frost__fb_string(fb, sd, TFL_SIG_KEY, NULL, "SignatureDef.signature_key");
        if (fb->bad) return fb_error(c);
        if (sg != (uint32_t)c->sg) continue;
        for (int io = 0; io < 2; io++) {
            frost__fb_vec maps = frost__fb_vec_field(fb, sd, io ? TFL_SIG_OUTPUTS : TFL_SIG_INPUTS, 4,
                                                     "SignatureDef.inputs/outputs");
            for (uint32_t i = 0; i < maps.len && !fb->bad; i++) {
                frost__fb_table m = frost__fb_vec_table(fb, maps, i, "TensorMap");
                const char *alias = frost__fb_string(fb, m, TFL_TMAP_NAME, NULL, "TensorMap.name");
                uint32_t ti = frost__fb_u32(fb, m, TFL_TMAP_TENSOR, 0);
                if (fb->bad) return fb_error(c);
                if (ti >= (uint32_t)c->n_t)
                    return frost__fail(c->err, FROST_E_FORMAT, alias, NULL, m.pos,
                                       "signature '%s' maps '%s' to tensor %u of %d",
                                       key ? key : "", alias ? alias : "", ti, c->n_t);
                int v = c->t[ti].value;
                if (!alias || !*alias || v < 0) continue;
                int cur = frost__names_get(c->g, alias);
                if (cur >= 0 && cur != v) {
                    frost__graph_report(c->g, "tflite: signature key '%s' is not an alias: a "
                                        "tensor already has that name", alias);
                    continue;
                }
                FROST_TRY(frost__graph_add_alias(c->g, alias, v, c->err));
            }
        }
        if (fb->bad) return fb_error(c);
    }
    return FROST_OK;
}

/* Subgraph `index`: its tensors read into c->t (allocated here, freed by the caller), its inputs,
 * outputs and operators returned. */
static frost_status read_subgraph(tfl_ctx *c, uint32_t index, frost__fb_vec *inputs,
                                  frost__fb_vec *outputs, frost__fb_vec *ops) {
    frost__fb *fb = c->fb;
    frost__fb_table sg = frost__fb_vec_table(fb, c->subgraphs, index, "Model.subgraphs[]");
    frost__fb_vec tensors = frost__fb_vec_field(fb, sg, TFL_SUBGRAPH_TENSORS, 4, "SubGraph.tensors");
    *inputs = frost__fb_vec_field(fb, sg, TFL_SUBGRAPH_INPUTS, 4, "SubGraph.inputs");
    *outputs = frost__fb_vec_field(fb, sg, TFL_SUBGRAPH_OUTPUTS, 4, "SubGraph.outputs");
    *ops = frost__fb_vec_field(fb, sg, TFL_SUBGRAPH_OPERATORS, 4, "SubGraph.operators");
    if (fb->bad) return fb_error(c);
    if ((int64_t)ops->len > c->g->max_nodes)
        return frost__fail(c->err, FROST_E_LIMIT, NULL, NULL, sg.pos,
                           "subgraph %u has %u operators, over the limit of %lld (max_nodes)", index,
                           ops->len, (long long)c->g->max_nodes);
    if (tensors.len > (1u << 24))
        return frost__fail(c->err, FROST_E_LIMIT, NULL, NULL, sg.pos, "subgraph %u has %u tensors",
                           index, tensors.len);
    c->sg = (int)index;
    c->n_t = (int)tensors.len;
    c->t = frost__calloc(&c->g->alloc, (size_t)(c->n_t ? c->n_t : 1), sizeof *c->t);
    if (!c->t) return frost__fail(c->err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
    for (int i = 0; i < c->n_t; i++) FROST_TRY(read_tensor(c, tensors, i));
    FROST_TRY(tensor_index_list(c, *inputs, "SubGraph.inputs", false));
    FROST_TRY(tensor_index_list(c, *outputs, "SubGraph.outputs", false));
    return FROST_OK;
}

static frost_status translate_ops(tfl_ctx *c, frost__fb_vec ops) {
    frost__fb *fb = c->fb;
    int32_t in_buf[1024], out_buf[1024];
    for (uint32_t i = 0; i < ops.len; i++) {
        c->op_index = (int)i;
        c->op_name = NULL;
        c->n_out = 0;
        frost__fb_table op = frost__fb_vec_table(fb, ops, i, "SubGraph.operators[]");
        if (fb->bad) return fb_error(c);
        FROST_TRY(read_operator(c, c->opcodes, op, in_buf, out_buf));
        c->op_refused = false;
        frost_status st = frost__tfl_translate(c);
        /* The reader's failures inside a builder are reported here, with their offset. */
        if (fb->bad && (st == FROST_OK || !c->err->message[0])) return fb_error(c);
        if (st != FROST_OK) return st;
    }
    c->op_name = NULL;
    c->n_out = 0;
    return FROST_OK;
}

/* The value of subgraph output i (tensor index idx). */
static int output_value(tfl_ctx *c, frost__fb_vec outputs, uint32_t i) {
    int idx = frost__fb_vec_i32(c->fb, outputs, i);
    int v = c->t[idx].value;
    if (v < 0 && c->t[idx].data) v = tensor_value(c, idx);
    if (v == -1)
        frost__fail(c->err, FROST_E_FORMAT, c->t[idx].name, NULL, outputs.pos,
                    "subgraph %d output %u is tensor %d ('%s'), which nothing produces", c->sg, i,
                    idx, c->t[idx].name);
    return v;
}

frost_status frost__tfl_subgraph(tfl_ctx *parent, int32_t index, const int *in_values, int n_in,
                                 int *out_values, int n_out) {
    if (index <= 0 || (uint32_t)index >= parent->subgraphs.len || index == parent->sg)
        return frost__tfl_bad(parent, "calls subgraph %d (the model has %u)", (int)index,
                              parent->subgraphs.len);
    if (parent->depth >= 4) return frost__tfl_unsupported(parent, "subgraphs nested more than 4 deep");
    tfl_ctx c = *parent; /* the model-level fields; the subgraph's own tensors below */
    c.depth++;
    c.t = NULL;
    c.n_unsupported = 0;
    frost__fb_vec inputs, outputs, ops;
    frost_status st = read_subgraph(&c, (uint32_t)index, &inputs, &outputs, &ops);
    if (st == FROST_OK && (inputs.len != (uint32_t)n_in || outputs.len != (uint32_t)n_out))
        st = frost__tfl_bad(parent, "subgraph %d takes %u inputs and gives %u outputs; the call "
                            "has %d and %d", (int)index, inputs.len, outputs.len, n_in, n_out);
    for (uint32_t i = 0; st == FROST_OK && i < inputs.len; i++) {
        tfl_tensor *t = &c.t[frost__fb_vec_i32(c.fb, inputs, i)];
        if (c.g->values[in_values[i]].dtype != FROST_DTYPE_INVALID && t->dtype != c.g->values[in_values[i]].dtype)
            st = frost__tfl_bad(parent, "subgraph %d input %u is %s but the call passes %s",
                                (int)index, i, frost_dtype_name(t->dtype),
                                frost_dtype_name(c.g->values[in_values[i]].dtype));
        t->value = in_values[i];
    }
    if (st == FROST_OK) st = translate_ops(&c, ops);
    for (uint32_t i = 0; st == FROST_OK && i < outputs.len; i++) {
        out_values[i] = output_value(&c, outputs, i);
        if (out_values[i] < 0) st = c.err->code ? c.err->code : FROST_E_FORMAT;
    }
    parent->n_unsupported += c.n_unsupported;
    frost__free(&c.g->alloc, c.t);
    return st;
}

frost_status frost__tfl_bind_const(tfl_ctx *c, int k, frost_dtype dt, const frost__shape *s,
                                  void *data, size_t nbytes) {
    tfl_tensor *t = &c->t[c->out[k]];
    char name[520];
    unique_name(c, t->name, c->out[k], name, sizeof name);
    int v = frost__graph_add_const_owned(c->g, name, dt, s, data, nbytes, c->err);
    if (v < 0) return c->err->code ? c->err->code : FROST_E_FORMAT;
    t->value = v;
    return attach_quant(c, t, v);
}

frost_status frost__tfl_emit_output(tfl_ctx *c, int k, int op, int n_in, const int *in,
                                    const frost__params *p) {
    tfl_tensor *t = &c->t[c->out[k]];
    char name[520];
    unique_name(c, t->name, c->out[k], name, sizeof name);
    int node = frost__graph_add_node(c->g, name, c->op_name, op, n_in, in, 1, p, c->err);
    if (node < 0) return c->err->code ? c->err->code : FROST_E_FORMAT;
    t->value = c->g->nodes[node].out[0];
    return attach_quant(c, t, t->value);
}

static frost_status import_model(tfl_ctx *c) {
    frost__fb *fb = c->fb;
    frost__graph *g = c->g;
    frost__fb_table model = frost__fb_root(fb, "Model");
    uint32_t version = frost__fb_u32(fb, model, TFL_MODEL_VERSION, 0);
    c->opcodes = frost__fb_vec_field(fb, model, TFL_MODEL_OPCODES, 4, "Model.operator_codes");
    c->subgraphs = frost__fb_vec_field(fb, model, TFL_MODEL_SUBGRAPHS, 4, "Model.subgraphs");
    c->buffers = frost__fb_vec_field(fb, model, TFL_MODEL_BUFFERS, 4, "Model.buffers");
    const char *desc = frost__fb_string(fb, model, TFL_MODEL_DESCRIPTION, NULL, "Model.description");
    if (fb->bad) return fb_error(c);
    if (version != 3)
        return frost__fail(c->err, FROST_E_UNSUPPORTED, NULL, NULL, model.pos,
                           "TFLite schema version %u; frost reads version 3 (every TFLite "
                           "converter since 2018 writes it)", version);
    if (c->subgraphs.len == 0)
        return frost__fail(c->err, FROST_E_FORMAT, NULL, NULL, model.pos, "the model has no subgraphs");
    frost__fb_vec inputs, outputs, ops;
    FROST_TRY(read_subgraph(c, 0, &inputs, &outputs, &ops));
    frost__graph_report(g, "tflite: schema v3, %u subgraph(s), %u operators in subgraph 0, "
                        "%d tensors%s%.200s%s", c->subgraphs.len, ops.len, c->n_t,
                        desc && *desc ? ", description '" : "", desc ? desc : "",
                        desc && *desc ? "'" : "");
    for (uint32_t i = 0; i < inputs.len; i++) FROST_TRY(add_input(c, frost__fb_vec_i32(fb, inputs, i)));
    FROST_TRY(translate_ops(c, ops));
    for (uint32_t i = 0; i < outputs.len; i++) {
        int v = output_value(c, outputs, i);
        if (v < 0) return c->err->code ? c->err->code : FROST_E_FORMAT;
        FROST_TRY(frost__graph_add_output(g, v, c->err));
    }
    FROST_TRY(signature_aliases(c, model));
    if (c->n_unsupported)
        frost__graph_report(g, "tflite: %d operator(s) frost does not support", c->n_unsupported);
    return FROST_OK;
}

frost_status frost__import_tflite(const void *data, size_t size, frost__graph *g, frost_error *err) {
    if (!data || !g) return frost__fail(err, FROST_E_INVALID_ARG, NULL, NULL, -1, "no model bytes");
    frost_error local_err;
    if (!err) err = &local_err;
    frost__clear_error(err);
    frost__fb fb;
    frost__fb_init(&fb, data, size);
    if (!frost__fb_has_identifier(&fb, "TFL3"))
        return frost__fail(err, FROST_E_FORMAT, NULL, NULL, 4,
                           "not a .tflite model: bytes 4..7 are not the identifier \"TFL3\"");
    tfl_ctx c;
    memset(&c, 0, sizeof c);
    c.g = g;
    c.err = err;
    c.fb = &fb;
    g->format = FROST_FORMAT_TFLITE;
    frost_status st = import_model(&c);
    frost__free(&g->alloc, c.t);
    return st;
}
