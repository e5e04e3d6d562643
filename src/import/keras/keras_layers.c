/* keras_layers.c — turns one call of one Keras layer into frost's canonical ops (NHWC activations,
 * HWIO filters exactly as Keras stores them), fetching the layer's weights through the container's
 * weight source and checking their shapes against the config. It must never trust the config or the
 * weights: every field is type-checked and every weight shape compared with what the config implies,
 * and failures name the layer and the field. It never calls a file-format library; containers do.
 *
 * Naming: intermediate nodes are "<layer>/<step>"; the node producing the layer's output carries the
 * layer name itself, so the Keras layer name is the feed/fetch name. */
#include "import/keras/keras.h"

#include "import/import_util.h"
#include "import/op_table.h"

#include <float.h>
#include <math.h>
#include <stdio.h>

#define KMAX_DIM ((int64_t)1 << 31)

frost_status frost__keras_fail(frost__kctx *k, const frost__klayer *L, frost_status code,
                               const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    frost_status st = frost__import_vfail(k->err, code, "layer", L ? L->name : NULL,
                                          L ? L->cls : NULL, fmt, ap);
    va_end(ap);
    return st;
}

frost_dtype frost__keras_dtype(const char *s) {
    if (!s) return FROST_DTYPE_F32;
    static const struct { const char *n; frost_dtype t; } map[] = {
        {"float32", FROST_DTYPE_F32}, {"float64", FROST_DTYPE_F64}, {"float16", FROST_DTYPE_F16},
        {"bfloat16", FROST_DTYPE_BF16}, {"int32", FROST_DTYPE_I32}, {"int64", FROST_DTYPE_I64},
        {"int8", FROST_DTYPE_I8}, {"int16", FROST_DTYPE_I16}, {"uint8", FROST_DTYPE_U8},
        {"uint16", FROST_DTYPE_U16}, {"bool", FROST_DTYPE_BOOL}, {"string", FROST_DTYPE_STRING},
    };
    for (size_t i = 0; i < FROST_ARRAY_LEN(map); i++)
        if (!strcmp(s, map[i].n)) return map[i].t;
    return FROST_DTYPE_INVALID;
}

frost_status frost__keras_shape(frost__kctx *k, const frost__klayer *L, const frost__json *list,
                                const char *field, frost__shape *s) {
    memset(s, 0, sizeof *s);
    int n = frost__json_len(list);
    if (!frost__json_is_array(list))
        return frost__keras_fail(k, L, FROST_E_FORMAT, "'%s' is not a list of dimensions", field);
    if (n > FROST_MAX_RANK)
        return frost__keras_fail(k, L, FROST_E_LIMIT, "'%s' has rank %d (frost supports up to %d)",
                                 field, n, FROST_MAX_RANK);
    s->rank = n;
    int64_t numel = 1;
    for (int i = 0; i < n; i++) {
        const frost__json *d = frost__json_at(list, i);
        int64_t v;
        if (frost__json_is_null(d)) { s->d[i] = -1; continue; }
        if (!frost__json_int(d, &v) || v < -1)
            return frost__keras_fail(k, L, FROST_E_FORMAT, "'%s' dimension %d is not a size", field, i);
        if (v > KMAX_DIM || (v > 0 && !frost__mul_ok(numel, v, &numel)) ||
            (k->g->max_tensor_bytes && (uint64_t)numel > k->g->max_tensor_bytes / 4))
            return frost__keras_fail(k, L, FROST_E_LIMIT,
                                     "'%s' declares dimension %d = %lld, over the tensor size limit",
                                     field, i, (long long)v);
        s->d[i] = v;
    }
    return FROST_OK;
}

/* ---- Config accessors -------------------------------------------------------------------------- */

/* Keras 1 spelled many fields differently; configs from it still load when the Keras 2 name is
 * absent. */
static const char *const keras1_names[][2] = {
    {"units", "output_dim"},       {"filters", "nb_filter"},         {"padding", "border_mode"},
    {"strides", "subsample"},      {"strides", "subsample_length"},  {"strides", "stride"},
    {"kernel_size", "filter_length"}, {"pool_size", "pool_length"},  {"dilation_rate", "atrous_rate"},
    {"use_bias", "bias"},
};

static const frost__json *cfg(const frost__klayer *L, const char *key) {
    const frost__json *v = frost__json_get(L->cfg, key);
    for (size_t i = 0; !v && i < FROST_ARRAY_LEN(keras1_names); i++)
        if (!strcmp(key, keras1_names[i][0])) v = frost__json_get(L->cfg, keras1_names[i][1]);
    return v;
}

static bool cfg_bool(const frost__klayer *L, const char *key, bool dflt) {
    const frost__json *v = cfg(L, key);
    double d;
    if (frost__json_is_bool(v)) return frost__json_get_bool(L->cfg, frost__json_key(v), dflt);
    if (frost__json_num(v, &d)) return d != 0;
    return dflt;
}

static frost_status get_int(frost__kctx *k, const frost__klayer *L, const char *key, int64_t dflt,
                            int64_t lo, int64_t hi, int64_t *out) {
    const frost__json *v = cfg(L, key);
    *out = dflt;
    if (frost__json_is_null(v)) return FROST_OK;
    if (frost__json_is_array(v) && frost__json_len(v) == 1) v = frost__json_at(v, 0);
    if (!frost__json_int(v, out))
        return frost__keras_fail(k, L, FROST_E_FORMAT, "'%s' is not an integer", key);
    if (*out < lo || *out > hi)
        return frost__keras_fail(k, L, FROST_E_LIMIT, "'%s' = %lld is out of range [%lld, %lld]", key,
                                 (long long)*out, (long long)lo, (long long)hi);
    return FROST_OK;
}

static frost_status get_float(frost__kctx *k, const frost__klayer *L, const char *key, double dflt,
                              double *out) {
    if (!frost__json_get_num(L->cfg, key, dflt, out))
        return frost__keras_fail(k, L, FROST_E_FORMAT, "'%s' is not a number", key);
    return FROST_OK;
}

/* n ints from an int or a list of n ints (kernel_size, strides, ...). */
static frost_status get_ints(frost__kctx *k, const frost__klayer *L, const char *key, int n,
                             int dflt, int lo, int hi, int *out) {
    const frost__json *v = cfg(L, key);
    for (int i = 0; i < n; i++) out[i] = dflt;
    if (frost__json_is_null(v)) return FROST_OK;
    int64_t x;
    if (frost__json_int(v, &x)) {
        if (x < lo || x > hi)
            return frost__keras_fail(k, L, FROST_E_LIMIT, "'%s' = %lld is out of range", key,
                                     (long long)x);
        for (int i = 0; i < n; i++) out[i] = (int)x;
        return FROST_OK;
    }
    if (!frost__json_is_array(v) || frost__json_len(v) != n)
        return frost__keras_fail(k, L, FROST_E_FORMAT, "'%s' should be an integer or a list of %d",
                                 key, n);
    for (int i = 0; i < n; i++) {
        if (!frost__json_int(frost__json_at(v, i), &x))
            return frost__keras_fail(k, L, FROST_E_FORMAT, "'%s'[%d] is not an integer", key, i);
        if (x < lo || x > hi)
            return frost__keras_fail(k, L, FROST_E_LIMIT, "'%s'[%d] = %lld is out of range", key, i,
                                     (long long)x);
        out[i] = (int)x;
    }
    return FROST_OK;
}

static bool channels_first(const frost__klayer *L) {
    const char *f = frost__json_get_str(L->cfg, "data_format");
    return f && !strcmp(f, "channels_first");
}

/* Keras 1 with the Theano ordering stores conv kernels transposed and flipped. */
static bool theano_ordering(const frost__klayer *L) {
    const char *f = frost__json_get_str(L->cfg, "dim_ordering");
    return f && !strcmp(f, "th");
}

static frost_status get_padding(frost__kctx *k, const frost__klayer *L, bool allow_causal,
                                frost__padding *pad, bool *causal) {
    const char *p = frost__json_str(cfg(L, "padding"));
    *causal = false;
    *pad = FROST__PAD_VALID;
    if (!p || !strcmp(p, "valid")) return FROST_OK;
    if (!strcmp(p, "same")) { *pad = FROST__PAD_SAME_UPPER; return FROST_OK; }
    if (allow_causal && !strcmp(p, "causal")) { *causal = true; return FROST_OK; }
    return frost__keras_fail(k, L, FROST_E_UNSUPPORTED, "padding '%s' is not supported", p);
}

/* ---- Graph helpers ----------------------------------------------------------------------------- */

static const char *step_name(const frost__klayer *L, const char *step, char *buf, size_t cap) {
    snprintf(buf, cap, "%s/%s", L->node, step);
    return buf;
}

/* Adds a node; `name` NULL means the layer's own name. Returns output 0's value id or -1. */
static int emit(frost__kctx *k, const frost__klayer *L, const char *step, int op, int n_in,
                const int *in, const frost__params *p) {
    char buf[600];
    const char *name = step ? step_name(L, step, buf, sizeof buf) : L->node;
    int node = frost__graph_add_node(k->g, name, L->cls, op, n_in, in, 1, p, k->err);
    return node < 0 ? -1 : frost__graph_out(k->g, node, 0);
}

static int const_i64(frost__kctx *k, const frost__klayer *L, const char *step, const int64_t *v,
                     int n, bool scalar) {
    char buf[600];
    return frost__import_const_ints(k->g, step_name(L, step, buf, sizeof buf), FROST_DTYPE_I64, v, n,
                                    scalar, k->err);
}

static int const_f32(frost__kctx *k, const frost__klayer *L, const char *step, const float *v,
                     const frost__shape *s) {
    char buf[600];
    int64_t n = frost__shape_numel(s);
    return frost__graph_add_const(k->g, step_name(L, step, buf, sizeof buf), FROST_DTYPE_F32, s, v,
                                  (size_t)n * sizeof *v, k->err);
}

static int transpose(frost__kctx *k, const frost__klayer *L, const char *step, int x,
                     const int64_t *perm, int rank) {
    char cname[64];
    snprintf(cname, sizeof cname, "%s_perm", step);
    int pv = const_i64(k, L, cname, perm, rank, false);
    if (pv < 0) return -1;
    return emit(k, L, step, FROST__OP_TRANSPOSE, 2, (int[]){x, pv}, NULL);
}

/* NC... → N...C and back, for channels_first layers. */
static int to_channels_last(frost__kctx *k, const frost__klayer *L, int x, int rank) {
    int64_t perm[FROST_MAX_RANK];
    perm[0] = 0;
    for (int i = 1; i < rank - 1; i++) perm[i] = i + 1;
    perm[rank - 1] = 1;
    return transpose(k, L, "to_nhwc", x, perm, rank);
}
static int to_channels_first(frost__kctx *k, const frost__klayer *L, int x, int rank, bool last) {
    int64_t perm[FROST_MAX_RANK];
    perm[0] = 0;
    perm[1] = rank - 1;
    for (int i = 2; i < rank; i++) perm[i] = i - 1;
    if (last) {
        int pv = const_i64(k, L, "to_nchw_perm", perm, rank, false);
        return pv < 0 ? -1 : emit(k, L, NULL, FROST__OP_TRANSPOSE, 2, (int[]){x, pv}, NULL);
    }
    return transpose(k, L, "to_nchw", x, perm, rank);
}

/* Fetches a weight as a constant named "<layer>/<role>"; shared layers reuse the first call's. */
static frost_status weight(frost__kctx *k, const frost__klayer *L, const char *roles, int index,
                           int *value, frost__shape *shape) {
    char field[64];
    snprintf(field, sizeof field, "%s", roles);
    char *bar = strchr(field, '|');
    if (bar) *bar = 0;
    char cname[600];
    snprintf(cname, sizeof cname, "%s%s/%s", k->wprefix, L->name, field);
    int v = frost__graph_lookup(k->g, cname);
    if (v >= 0) {
        *value = v;
        *shape = k->g->values[v].shape;
        return FROST_OK;
    }
    const char *path[FROST_KERAS_MAX_DEPTH + 1];
    int np = 0;
    for (; np < k->npath; np++) path[np] = k->path[np];
    path[np++] = L->name;
    float *data = NULL;
    frost__shape s;
    frost_error sub;
    memset(&sub, 0, sizeof sub);
    frost_status st = k->w->fetch(k->w->ctx, path, np, roles, index, &data, &s, &sub);
    if (st == FROST_E_NOT_FOUND)
        return frost__keras_fail(k, L, FROST_E_FORMAT,
                                 "weight '%s' (weight %d of the layer) is missing from the file",
                                 field, index);
    if (st != FROST_OK)
        return frost__keras_fail(k, L, st, "weight '%s': %s", field, sub.message);
    int64_t numel;
    size_t bytes;
    if (!frost__shape_numel_ok(&s, &numel) || !frost__tensor_bytes(FROST_DTYPE_F32, &s, &bytes)) {
        frost__free(&k->g->alloc, data);
        return frost__keras_fail(k, L, FROST_E_FORMAT, "weight '%s' has an invalid shape", field);
    }
    v = frost__graph_add_const_owned(k->g, cname, FROST_DTYPE_F32, &s, data, bytes, k->err);
    if (v < 0) return k->err ? k->err->code : FROST_E_NOMEM;
    k->layer_params += numel;
    *value = v;
    *shape = s;
    return FROST_OK;
}

/* Checks a weight's shape: want[i] < 0 matches anything. */
static frost_status expect_shape(frost__kctx *k, const frost__klayer *L, const char *field,
                                 const frost__shape *got, int rank, const int64_t *want) {
    bool ok = got->rank == rank;
    for (int i = 0; ok && i < rank; i++) ok = want[i] < 0 || got->d[i] == want[i];
    if (ok) return FROST_OK;
    char gs[128], ws[128];
    frost__shape w = frost__shape_make(rank, want);
    frost__shape_str(got, gs, sizeof gs);
    frost__shape_str(&w, ws, sizeof ws);
    return frost__keras_fail(k, L, FROST_E_SHAPE, "weight '%s' has shape %s but the config implies %s",
                             field, gs, ws);
}

/* ---- Activations --------------------------------------------------------------------------------- */

typedef enum { ACT_NONE, ACT_UNARY, ACT_SOFTMAX, ACT_LOG_SOFTMAX, ACT_BAD } act_kind;

static act_kind parse_activation(const frost__kctx *k, const char *s, int *fn, float *alpha,
                                 float *beta) {
    *alpha = 0;
    *beta = 0;
    if (!s || !*s || !strcmp(s, "linear")) return ACT_NONE;
    static const struct { const char *n; int fn; float a, b; } map[] = {
        {"relu", FROST__ACT_RELU, 0, 0},           {"relu6", FROST__ACT_RELU6, 0, 0},
        {"sigmoid", FROST__ACT_SIGMOID, 0, 0},     {"tanh", FROST__ACT_TANH, 0, 0},
        {"elu", FROST__ACT_ELU, 1, 0},             {"selu", FROST__ACT_SELU, 0, 0},
        {"softplus", FROST__ACT_SOFTPLUS, 0, 0},   {"softsign", FROST__ACT_SOFTSIGN, 0, 0},
        {"swish", FROST__ACT_SWISH, 0, 0},         {"silu", FROST__ACT_SWISH, 0, 0},
        {"gelu", FROST__ACT_GELU, 0, 0},           {"gelu_new", FROST__ACT_GELU_TANH, 0, 0},
        {"exponential", FROST__UN_EXP, 0, 0},      {"hard_swish", FROST__ACT_HARD_SWISH, 0, 0},
        {"hard_silu", FROST__ACT_HARD_SWISH, 0, 0}, {"leaky_relu", FROST__ACT_LEAKY_RELU, 0.2f, 0},
    };
    for (size_t i = 0; i < FROST_ARRAY_LEN(map); i++)
        if (!strcmp(s, map[i].n)) {
            *fn = map[i].fn;
            *alpha = map[i].a;
            *beta = map[i].b;
            return ACT_UNARY;
        }
    if (!strcmp(s, "hard_sigmoid") || !strcmp(s, "hardSigmoid")) {
        *fn = FROST__ACT_HARD_SIGMOID;
        /* Keras 3 changed hard_sigmoid to relu6(x + 3) / 6; Keras 2 and TF.js use 0.2x + 0.5. */
        *alpha = k->flavor == FROST__KERAS_3 ? 1.0f / 6.0f : 0.2f;
        *beta = 0.5f;
        return ACT_UNARY;
    }
    if (!strcmp(s, "softmax")) return ACT_SOFTMAX;
    if (!strcmp(s, "log_softmax") || !strcmp(s, "logSoftmax")) return ACT_LOG_SOFTMAX;
    return ACT_BAD;
}

/* Activation name of a layer config: a string, or Keras 3's {"class_name": ..., "config": "relu"}. */
static const char *activation_name(const frost__json *v) {
    if (frost__json_is_string(v)) return frost__json_str(v);
    if (frost__json_is_object(v)) {
        const char *c = frost__json_get_str(v, "config");
        if (c) return c;
        const frost__json *cc = frost__json_get(v, "config");
        if (frost__json_get_str(cc, "name")) return frost__json_get_str(cc, "name");
        return frost__json_get_str(v, "class_name");
    }
    return NULL;
}

/* Applies activation `name` to x; `last` names the node after the layer. */
static frost_status apply_activation(frost__kctx *k, const frost__klayer *L, const char *name,
                                     int x, bool last, int *out) {
    int fn;
    float a, b;
    act_kind kind = parse_activation(k, name, &fn, &a, &b);
    const char *step = last ? NULL : "activation";
    frost__params p;
    memset(&p, 0, sizeof p);
    switch (kind) {
    case ACT_NONE:
        *out = x;
        return FROST_OK;
    case ACT_UNARY:
        p.unary.fn = fn;
        p.unary.alpha = a;
        p.unary.beta = b;
        *out = emit(k, L, step, FROST__OP_UNARY, 1, &x, &p);
        break;
    case ACT_SOFTMAX:
    case ACT_LOG_SOFTMAX:
        p.softmax.axis = -1;
        p.softmax.log = kind == ACT_LOG_SOFTMAX;
        p.softmax.beta = 1.0f;
        *out = emit(k, L, step, FROST__OP_SOFTMAX, 1, &x, &p);
        break;
    default:
        return frost__keras_fail(k, L, FROST_E_UNSUPPORTED, "activation '%s' is not supported",
                                 name ? name : "?");
    }
    return *out < 0 ? k->err->code : FROST_OK;
}

/* The layer's activation when MatMul / Conv can apply it themselves (one pass over the output
 * instead of two). False for linear, softmax, exponential and unknown names. */
static bool fusable_activation(const frost__kctx *k, const frost__klayer *L, frost__act_params *ap) {
    int fn;
    float a, b;
    memset(ap, 0, sizeof *ap);
    if (parse_activation(k, activation_name(cfg(L, "activation")), &fn, &a, &b) != ACT_UNARY ||
        fn >= FROST__ACT_COUNT)
        return false;
    ap->act = (frost__act)fn;
    ap->alpha = a;
    ap->beta = b;
    return true;
}

/* True when an activation node must follow the layer's main op. */
static bool has_activation(const frost__kctx *k, const frost__klayer *L) {
    frost__act_params ap;
    const char *a = activation_name(cfg(L, "activation"));
    return a && *a && strcmp(a, "linear") && !fusable_activation(k, L, &ap);
}

/* ---- Layers ------------------------------------------------------------------------------------- */

/* One row of the layer table (at the end of this file), read like every importer's
 * (import/op_table.h). The builder may assume the call has between min_in and max_in inputs. */
typedef struct keras_layer keras_layer;
typedef frost_status (*keras_build_fn)(frost__kctx *k, const frost__klayer *L, const keras_layer *e,
                                       const int *in, int n_in, int *out);
struct keras_layer {
    const char *name;     /* class_name                                                        */
    keras_build_fn build;
    int fn;               /* unary/binary function, or a builder-specific variant               */
    int rank;             /* spatial dims of convolutions and pools                            */
    int min_in, max_in;   /* inputs the call may have                                          */
};

#define TRY_V(expr)                                                  \
    do {                                                             \
        if ((expr) < 0) return k->err ? k->err->code : FROST_E_NOMEM; \
    } while (0)

static frost_status layer_dense(frost__kctx *k, const frost__klayer *L, const keras_layer *e,
                                const int *in, int n_in, int *out) {
    (void)e, (void)n_in;
    int x = in[0];
    int64_t units;
    FROST_TRY(get_int(k, L, "units", -1, 1, KMAX_DIM, &units));
    if (units < 0) return frost__keras_fail(k, L, FROST_E_FORMAT, "'units' is missing");
    bool use_bias = cfg_bool(L, "use_bias", true);
    int kv, bv = -1;
    frost__shape ks, bs;
    FROST_TRY(weight(k, L, "kernel", 0, &kv, &ks));
    FROST_TRY(expect_shape(k, L, "kernel", &ks, 2, (int64_t[]){-1, units}));
    if (use_bias) {
        FROST_TRY(weight(k, L, "bias", 1, &bv, &bs));
        FROST_TRY(expect_shape(k, L, "bias", &bs, 1, (int64_t[]){units}));
    }
    frost__params p;
    memset(&p, 0, sizeof p);
    bool act = has_activation(k, L);
    if (!act) fusable_activation(k, L, &p.matmul.act);
    int y = emit(k, L, act ? "MatMul" : NULL, FROST__OP_MATMUL, use_bias ? 3 : 2,
                 (int[]){x, kv, bv}, &p);
    TRY_V(y);
    if (!act) {
        *out = y;
        return FROST_OK;
    }
    return apply_activation(k, L, activation_name(cfg(L, "activation")), y, true, out);
}

typedef struct conv_cfg {
    int rank;               /* spatial rank: 1 or 2 */
    int kernel[2], strides[2], dilation[2];
    frost__padding pad;
    bool causal, first;
} conv_cfg;

static frost_status read_conv_cfg(frost__kctx *k, const frost__klayer *L, int rank, conv_cfg *c) {
    memset(c, 0, sizeof *c);
    c->rank = rank;
    FROST_TRY(get_ints(k, L, "kernel_size", rank, -1, 1, 1 << 16, c->kernel));
    if (c->kernel[0] < 0 && rank == 2) {   /* Keras 1: nb_row, nb_col */
        int64_t r, cc;
        FROST_TRY(get_int(k, L, "nb_row", -1, 1, 1 << 16, &r));
        FROST_TRY(get_int(k, L, "nb_col", -1, 1, 1 << 16, &cc));
        c->kernel[0] = (int)r;
        c->kernel[1] = (int)cc;
    }
    if (c->kernel[0] < 0) return frost__keras_fail(k, L, FROST_E_FORMAT, "'kernel_size' is missing");
    FROST_TRY(get_ints(k, L, "strides", rank, 1, 1, 1 << 16, c->strides));
    FROST_TRY(get_ints(k, L, "dilation_rate", rank, 1, 1, 1 << 16, c->dilation));
    FROST_TRY(get_padding(k, L, rank == 1, &c->pad, &c->causal));
    c->first = channels_first(L);
    return FROST_OK;
}

static frost__window make_window(const conv_cfg *c) {
    frost__window w;
    memset(&w, 0, sizeof w);
    if (c->rank == 1) {
        w.stride_h = 1; w.stride_w = c->strides[0];
        w.dilation_h = 1; w.dilation_w = c->dilation[0];
    } else {
        w.stride_h = c->strides[0]; w.stride_w = c->strides[1];
        w.dilation_h = c->dilation[0]; w.dilation_w = c->dilation[1];
    }
    w.padding = c->pad;
    return w;
}

/* 1-D layers run as 2-D with H = 1: [N,W,C] → [N,1,W,C]. */
static int expand_h(frost__kctx *k, const frost__klayer *L, int x) {
    int64_t one = 1;
    int ax = const_i64(k, L, "expand_axis", &one, 1, false);
    if (ax < 0) return -1;
    return emit(k, L, "expand", FROST__OP_EXPAND_DIMS, 2, (int[]){x, ax}, NULL);
}
static int squeeze_h(frost__kctx *k, const frost__klayer *L, int x, bool last) {
    int64_t one = 1;
    int ax = const_i64(k, L, "squeeze_axis", &one, 1, false);
    if (ax < 0) return -1;
    return emit(k, L, last ? NULL : "squeeze", FROST__OP_SQUEEZE, 2, (int[]){x, ax}, NULL);
}

/* Conv1D, Conv2D, DepthwiseConv2D, SeparableConv2D, Conv2DTranspose. */
static frost_status layer_conv(frost__kctx *k, const frost__klayer *L, const keras_layer *e,
                               const int *in, int n_in, int *out) {
    (void)n_in;
    int rank = e->rank, kind = e->fn, x = in[0];
    enum { CONV, DEPTHWISE, SEPARABLE, TRANSPOSE };
    conv_cfg c;
    FROST_TRY(read_conv_cfg(k, L, rank, &c));
    int64_t filters = -1, mult = 1, groups = 1;
    if (kind != DEPTHWISE) {
        FROST_TRY(get_int(k, L, "filters", -1, 1, KMAX_DIM, &filters));
        if (filters < 0) return frost__keras_fail(k, L, FROST_E_FORMAT, "'filters' is missing");
    }
    if (kind == DEPTHWISE || kind == SEPARABLE)
        FROST_TRY(get_int(k, L, "depth_multiplier", 1, 1, 1 << 16, &mult));
    if (kind == CONV) FROST_TRY(get_int(k, L, "groups", 1, 1, 1 << 16, &groups));
    bool use_bias = cfg_bool(L, "use_bias", true);
    int64_t kh = rank == 1 ? 1 : c.kernel[0], kw = rank == 1 ? c.kernel[0] : c.kernel[1];
    bool act = has_activation(k, L);
    frost__act_params fused;
    if (act || !fusable_activation(k, L, &fused)) memset(&fused, 0, sizeof fused);
    bool post = c.first || rank == 1 || act;   /* something comes after the conv op */

    /* Weights, checked against the config, reshaped to 2-D HWIO for 1-D layers. */
    int wv, pw = -1, bv = -1;
    frost__shape ws, ps, bs;
    int64_t cout = filters;
    if (kind == CONV || kind == TRANSPOSE) {
        FROST_TRY(weight(k, L, "kernel", 0, &wv, &ws));
        if (rank == 1 && ws.rank == 4 && ws.d[0] == 1)   /* a shared layer's 2-D view */
            ws = frost__shape_make(3, (int64_t[]){ws.d[1], ws.d[2], ws.d[3]});
        if (rank == 1)
            FROST_TRY(expect_shape(k, L, "kernel", &ws, 3, (int64_t[]){kw, -1, filters}));
        else if (kind == CONV)
            FROST_TRY(expect_shape(k, L, "kernel", &ws, 4, (int64_t[]){kh, kw, -1, filters}));
        else
            FROST_TRY(expect_shape(k, L, "kernel", &ws, 4, (int64_t[]){kh, kw, filters, -1}));
    } else {
        FROST_TRY(weight(k, L, "depthwise_kernel|kernel", 0, &wv, &ws));
        FROST_TRY(expect_shape(k, L, "depthwise_kernel", &ws, 4, (int64_t[]){kh, kw, -1, mult}));
        if (kind == DEPTHWISE) cout = ws.d[2] * mult;
        if (kind == SEPARABLE) {
            FROST_TRY(weight(k, L, "pointwise_kernel", 1, &pw, &ps));
            FROST_TRY(expect_shape(k, L, "pointwise_kernel", &ps, 4,
                                   (int64_t[]){1, 1, ws.d[2] * mult, filters}));
        }
    }
    if (use_bias) {
        FROST_TRY(weight(k, L, "bias", kind == SEPARABLE ? 2 : 1, &bv, &bs));
        FROST_TRY(expect_shape(k, L, "bias", &bs, 1, (int64_t[]){cout}));
    }
    if (rank == 1 && ws.rank == 3) {
        /* The 2-D view [1,kw,cin,cout] of the constant: same bytes, new shape. */
        frost__value *wval = &k->g->values[wv];
        wval->shape = frost__shape_make(4, (int64_t[]){1, ws.d[0], ws.d[1], ws.d[2]});
    }

    if (c.first) TRY_V(x = to_channels_last(k, L, x, rank + 2));
    if (c.causal) {
        int64_t left = (int64_t)(c.kernel[0] - 1) * c.dilation[0];
        int64_t pads[6] = {0, 0, left, 0, 0, 0};
        char buf[600];
        frost__shape s = frost__shape_make(2, (int64_t[]){3, 2});
        int pv = frost__graph_add_const(k->g, step_name(L, "causal_pads", buf, sizeof buf),
                                        FROST_DTYPE_I64, &s, pads, sizeof pads, k->err);
        TRY_V(pv);
        frost__params pp;
        memset(&pp, 0, sizeof pp);
        TRY_V(x = emit(k, L, "causal_pad", FROST__OP_PAD, 2, (int[]){x, pv}, &pp));
    }
    if (rank == 1) TRY_V(x = expand_h(k, L, x));

    frost__params p;
    memset(&p, 0, sizeof p);
    int y;
    if (kind == CONV) {
        p.conv.w = make_window(&c);
        p.conv.groups = (int)groups;
        p.conv.act = fused;
        y = emit(k, L, post ? "Conv2D" : NULL, FROST__OP_CONV2D, use_bias ? 3 : 2,
                 (int[]){x, wv, bv}, &p);
    } else if (kind == DEPTHWISE) {
        p.conv.w = make_window(&c);
        p.conv.groups = 1;
        p.conv.act = fused;
        y = emit(k, L, post ? "DepthwiseConv2D" : NULL, FROST__OP_DEPTHWISE_CONV2D,
                 use_bias ? 3 : 2, (int[]){x, wv, bv}, &p);
    } else if (kind == SEPARABLE) {
        p.conv.w = make_window(&c);
        p.conv.groups = 1;
        int d = emit(k, L, "depthwise", FROST__OP_DEPTHWISE_CONV2D, 2, (int[]){x, wv}, &p);
        TRY_V(d);
        memset(&p, 0, sizeof p);
        p.conv.w.stride_h = p.conv.w.stride_w = 1;
        p.conv.w.dilation_h = p.conv.w.dilation_w = 1;
        p.conv.w.padding = FROST__PAD_VALID;
        p.conv.groups = 1;
        p.conv.act = fused;
        y = emit(k, L, post ? "pointwise" : NULL, FROST__OP_CONV2D, use_bias ? 3 : 2,
                 (int[]){d, pw, bv}, &p);
    } else {
        int opad[2] = {0, 0};
        const frost__json *op = cfg(L, "output_padding");
        if (!frost__json_is_null(op)) FROST_TRY(get_ints(k, L, "output_padding", 2, 0, 0, 1 << 16, opad));
        p.deconv.w = make_window(&c);
        p.deconv.out_pad_h = opad[0];
        p.deconv.out_pad_w = opad[1];
        p.deconv.act = fused;
        y = emit(k, L, post ? "Conv2DTranspose" : NULL, FROST__OP_CONV2D_TRANSPOSE,
                 use_bias ? 3 : 2, (int[]){x, wv, bv}, &p);
    }
    TRY_V(y);
    bool after_act = c.first || rank == 1;
    if (act) {
        const char *a = activation_name(cfg(L, "activation"));
        FROST_TRY(apply_activation(k, L, a, y, !after_act, &y));
    }
    if (rank == 1) TRY_V(y = squeeze_h(k, L, y, !c.first));
    if (c.first) TRY_V(y = to_channels_first(k, L, y, rank + 2, true));
    *out = y;
    return FROST_OK;
}

static frost_status layer_pool(frost__kctx *k, const frost__klayer *L, const keras_layer *e,
                               const int *in, int n_in, int *out) {
    (void)n_in;
    int rank = e->rank, x = in[0];
    bool is_max = e->fn != 0;
    int pool[2], strides[2];
    FROST_TRY(get_ints(k, L, "pool_size", rank, 2, 1, 1 << 16, pool));
    const frost__json *sv = cfg(L, "strides");
    if (frost__json_is_null(sv)) memcpy(strides, pool, sizeof pool);
    else FROST_TRY(get_ints(k, L, "strides", rank, 1, 1, 1 << 16, strides));
    frost__padding pad;
    bool causal;
    FROST_TRY(get_padding(k, L, false, &pad, &causal));
    bool first = channels_first(L);
    bool post = first || rank == 1;
    if (first) TRY_V(x = to_channels_last(k, L, x, rank + 2));
    if (rank == 1) TRY_V(x = expand_h(k, L, x));
    frost__params p;
    memset(&p, 0, sizeof p);
    p.pool.is_max = is_max;
    p.pool.k_h = rank == 1 ? 1 : pool[0];
    p.pool.k_w = rank == 1 ? pool[0] : pool[1];
    p.pool.w.stride_h = rank == 1 ? 1 : strides[0];
    p.pool.w.stride_w = rank == 1 ? strides[0] : strides[1];
    p.pool.w.dilation_h = p.pool.w.dilation_w = 1;
    p.pool.w.padding = pad;
    p.pool.count_include_pad = false;
    int y = emit(k, L, post ? "Pool2D" : NULL, FROST__OP_POOL2D, 1, &x, &p);
    TRY_V(y);
    if (rank == 1) TRY_V(y = squeeze_h(k, L, y, !first));
    if (first) TRY_V(y = to_channels_first(k, L, y, rank + 2, true));
    *out = y;
    return FROST_OK;
}

static frost_status layer_global_pool(frost__kctx *k, const frost__klayer *L, const keras_layer *e,
                                      const int *in, int n_in, int *out) {
    (void)n_in;
    int rank = e->rank, x = in[0];
    bool is_max = e->fn != 0;
    int64_t axes[2];
    bool first = channels_first(L);
    for (int i = 0; i < rank; i++) axes[i] = i + (first ? 2 : 1);
    int av = const_i64(k, L, "axes", axes, rank, false);
    TRY_V(av);
    frost__params p;
    memset(&p, 0, sizeof p);
    p.reduce.fn = is_max ? FROST__RED_MAX : FROST__RED_MEAN;
    p.reduce.keep_dims = frost__json_get_bool(L->cfg, "keepdims", false);
    TRY_V(*out = emit(k, L, NULL, FROST__OP_REDUCE, 2, (int[]){x, av}, &p));
    return FROST_OK;
}

/* Channel axis of BatchNormalization / LayerNormalization configs: an int or a list. */
static frost_status norm_axes(frost__kctx *k, const frost__klayer *L, int64_t dflt, int64_t *axes,
                              int *n) {
    const frost__json *a = cfg(L, "axis");
    *n = 1;
    axes[0] = dflt;
    if (frost__json_is_null(a)) return FROST_OK;
    if (frost__json_int(a, &axes[0])) return FROST_OK;
    *n = frost__json_len(a);
    if (!frost__json_is_array(a) || *n < 1 || *n > FROST_MAX_RANK)
        return frost__keras_fail(k, L, FROST_E_FORMAT, "'axis' is not an integer or a list of them");
    for (int i = 0; i < *n; i++)
        if (!frost__json_int(frost__json_at(a, i), &axes[i]) || axes[i] < -FROST_MAX_RANK ||
            axes[i] >= FROST_MAX_RANK)
            return frost__keras_fail(k, L, FROST_E_FORMAT, "'axis'[%d] is not a valid axis", i);
    return FROST_OK;
}

/* A constant of n copies of `value` named "<layer>/<step>". */
static int const_fill(frost__kctx *k, const frost__klayer *L, const char *step, const frost__shape *s,
                      float value) {
    int64_t n = frost__shape_numel(s);
    if (n < 0) return frost__keras_fail(k, L, FROST_E_SHAPE, "cannot size '%s'", step), -1;
    float *buf = frost__alloc(&k->g->alloc, (size_t)(n ? n : 1) * sizeof(float));
    if (!buf) return frost__fail(k->err, FROST_E_NOMEM, L->name, L->cls, -1, "out of memory"), -1;
    for (int64_t i = 0; i < n; i++) buf[i] = value;
    char name[600];
    return frost__graph_add_const_owned(k->g, step_name(L, step, name, sizeof name), FROST_DTYPE_F32,
                                        s, buf, (size_t)n * sizeof(float), k->err);
}

static frost_status layer_batch_norm(frost__kctx *k, const frost__klayer *L, const keras_layer *e,
                                     const int *in, int n_in, int *out) {
    (void)e, (void)n_in;
    int x = in[0];
    int64_t axes[FROST_MAX_RANK];
    int n;
    FROST_TRY(norm_axes(k, L, -1, axes, &n));
    if (n != 1)
        return frost__keras_fail(k, L, FROST_E_UNSUPPORTED,
                                 "normalizing over %d axes at once is not supported", n);
    double eps;
    FROST_TRY(get_float(k, L, "epsilon", 1e-3, &eps));
    bool scale = frost__json_get_bool(L->cfg, "scale", true);
    bool center = frost__json_get_bool(L->cfg, "center", true);
    int idx = 0, gv = -1, bv = -1, mv, vv;
    frost__shape gs, bs, ms, vs;
    if (scale) FROST_TRY(weight(k, L, "gamma", idx++, &gv, &gs));
    if (center) FROST_TRY(weight(k, L, "beta", idx++, &bv, &bs));
    FROST_TRY(weight(k, L, "moving_mean|running_mean", idx++, &mv, &ms));
    /* Keras 1's "running_std" holds the variance despite its name. */
    FROST_TRY(weight(k, L, "moving_variance|running_std", idx++, &vv, &vs));
    if (ms.rank != 1)
        return frost__keras_fail(k, L, FROST_E_SHAPE, "weight 'moving_mean' should be 1-D");
    int64_t c = ms.d[0];
    FROST_TRY(expect_shape(k, L, "moving_variance", &vs, 1, &c));
    if (scale) FROST_TRY(expect_shape(k, L, "gamma", &gs, 1, &c));
    if (center) FROST_TRY(expect_shape(k, L, "beta", &bs, 1, &c));
    if (!scale) TRY_V(gv = const_fill(k, L, "gamma", &ms, 1.0f));
    if (!center) TRY_V(bv = const_fill(k, L, "beta", &ms, 0.0f));
    frost__params p;
    memset(&p, 0, sizeof p);
    p.batch_norm.epsilon = (float)eps;
    p.batch_norm.axis = (int)axes[0];
    TRY_V(*out = emit(k, L, NULL, FROST__OP_BATCH_NORM, 5, (int[]){x, gv, bv, mv, vv}, &p));
    return FROST_OK;
}

static frost_status layer_layer_norm(frost__kctx *k, const frost__klayer *L, const keras_layer *e,
                                     const int *in, int n_in, int *out) {
    (void)e, (void)n_in;
    int x = in[0];
    int64_t axes[FROST_MAX_RANK];
    int n;
    FROST_TRY(norm_axes(k, L, -1, axes, &n));
    /* frost normalizes over [axis, rank): the listed axes must be the trailing ones. With
     * negative axes that is checkable here ({-n..-1}); positive ones must at least be contiguous. */
    int64_t lo = axes[0], hi = axes[0];
    bool mixed = false;
    for (int i = 1; i < n; i++) {
        lo = FROST_MIN(lo, axes[i]);
        hi = FROST_MAX(hi, axes[i]);
        mixed |= (axes[i] < 0) != (axes[0] < 0);
    }
    bool distinct = true;
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++) distinct &= axes[i] != axes[j];
    if (mixed || !distinct || hi - lo + 1 != n || (lo < 0 && hi != -1))
        return frost__keras_fail(k, L, FROST_E_UNSUPPORTED,
                                 "'axis' must list the last dimensions of the input");
    if (frost__json_get_bool(L->cfg, "rms_scaling", false))
        return frost__keras_fail(k, L, FROST_E_UNSUPPORTED, "rms_scaling is not supported");
    double eps;
    FROST_TRY(get_float(k, L, "epsilon", 1e-3, &eps));
    bool scale = frost__json_get_bool(L->cfg, "scale", true);
    bool center = frost__json_get_bool(L->cfg, "center", true);
    int idx = 0, gv = -1, bv = -1;
    frost__shape gs, bs;
    if (scale) FROST_TRY(weight(k, L, "gamma", idx++, &gv, &gs));
    if (center) FROST_TRY(weight(k, L, "beta", idx++, &bv, &bs));
    if (scale && center && !frost__shape_equal(&gs, &bs))
        return frost__keras_fail(k, L, FROST_E_SHAPE, "weights 'gamma' and 'beta' differ in shape");
    if (!scale) {
        if (!center) return frost__keras_fail(k, L, FROST_E_UNSUPPORTED, "needs 'scale' or 'center'");
        TRY_V(gv = const_fill(k, L, "gamma", &bs, 1.0f));
    }
    frost__params p;
    memset(&p, 0, sizeof p);
    p.layer_norm.epsilon = (float)eps;
    p.layer_norm.axis = (int)lo;
    TRY_V(*out = emit(k, L, NULL, FROST__OP_LAYER_NORM, center ? 3 : 2, (int[]){x, gv, bv}, &p));
    return FROST_OK;
}

static frost_status layer_reshape(frost__kctx *k, const frost__klayer *L, const keras_layer *e,
                                  const int *in, int n_in, int *out) {
    (void)e, (void)n_in;
    int x = in[0];
    frost__shape t;
    FROST_TRY(frost__keras_shape(k, L, cfg(L, "target_shape"), "target_shape", &t));
    if (t.rank + 1 > FROST_MAX_RANK)
        return frost__keras_fail(k, L, FROST_E_LIMIT, "'target_shape' has too many dimensions");
    int64_t dims[FROST_MAX_RANK];
    dims[0] = 0;   /* zero_is_copy: keep the batch dimension */
    int inferred = 0;
    for (int i = 0; i < t.rank; i++) {
        dims[i + 1] = t.d[i];
        if (t.d[i] == -1) inferred++;
        if (t.d[i] == 0)
            return frost__keras_fail(k, L, FROST_E_UNSUPPORTED, "'target_shape' holds a 0");
    }
    if (inferred > 1)
        return frost__keras_fail(k, L, FROST_E_FORMAT, "'target_shape' has more than one -1");
    int sv = const_i64(k, L, "shape", dims, t.rank + 1, false);
    TRY_V(sv);
    frost__params p;
    memset(&p, 0, sizeof p);
    p.reshape.zero_is_copy = true;
    TRY_V(*out = emit(k, L, NULL, FROST__OP_RESHAPE, 2, (int[]){x, sv}, &p));
    return FROST_OK;
}

static frost_status layer_permute(frost__kctx *k, const frost__klayer *L, const keras_layer *e,
                                  const int *in, int n_in, int *out) {
    (void)e, (void)n_in;
    int x = in[0];
    const frost__json *d = cfg(L, "dims");
    int n = frost__json_len(d);
    if (!frost__json_is_array(d) || n < 1 || n + 1 > FROST_MAX_RANK)
        return frost__keras_fail(k, L, FROST_E_FORMAT, "'dims' is not a list of axes");
    int64_t perm[FROST_MAX_RANK];
    bool seen[FROST_MAX_RANK] = {false};
    perm[0] = 0;
    for (int i = 0; i < n; i++) {
        int64_t a;
        if (!frost__json_int(frost__json_at(d, i), &a) || a < 1 || a > n || seen[a])
            return frost__keras_fail(k, L, FROST_E_FORMAT, "'dims' is not a permutation of 1..%d", n);
        seen[a] = true;
        perm[i + 1] = a;
    }
    int pv = const_i64(k, L, "perm", perm, n + 1, false);
    TRY_V(pv);
    TRY_V(*out = emit(k, L, NULL, FROST__OP_TRANSPOSE, 2, (int[]){x, pv}, NULL));
    return FROST_OK;
}

static frost_status layer_flatten(frost__kctx *k, const frost__klayer *L, const keras_layer *e,
                                  const int *in, int n_in, int *out) {
    (void)e, (void)n_in;
    int x = in[0];
    frost__params p;
    memset(&p, 0, sizeof p);
    p.flatten.axis = 1;
    if (channels_first(L)) {
        /* Keras moves channels last before flattening. Only the rank-4 case is common. */
        const frost__shape *s = &k->g->values[x].shape;
        int rank = s->rank > 0 ? s->rank : 4;
        TRY_V(x = to_channels_last(k, L, x, rank));
    }
    TRY_V(*out = emit(k, L, NULL, FROST__OP_FLATTEN, 1, &x, &p));
    return FROST_OK;
}

/* x padded with zeros by pads ([rank, 2]: before and after each dim), as the layer's node. */
static frost_status zero_pad(frost__kctx *k, const frost__klayer *L, int x, const int64_t *pads,
                             int rank, int *out) {
    char buf[600];
    frost__shape s = frost__shape_make(2, (int64_t[]){rank, 2});
    int pv = frost__graph_add_const(k->g, step_name(L, "paddings", buf, sizeof buf), FROST_DTYPE_I64,
                                    &s, pads, (size_t)rank * 2 * sizeof *pads, k->err);
    TRY_V(pv);
    frost__params p;
    memset(&p, 0, sizeof p);
    p.pad.mode = FROST__PADMODE_CONSTANT;
    TRY_V(*out = emit(k, L, NULL, FROST__OP_PAD, 2, (int[]){x, pv}, &p));
    return FROST_OK;
}

/* ((top, bottom), (left, right)) from an int, a pair, or a pair of pairs. */
static frost_status pad_pairs(frost__kctx *k, const frost__klayer *L, const char *key, int64_t *tb,
                              int64_t *lr) {
    const frost__json *v = cfg(L, key);
    int64_t x;
    if (frost__json_int(v, &x)) {
        tb[0] = tb[1] = lr[0] = lr[1] = x;
    } else if (frost__json_is_array(v) && frost__json_len(v) == 2) {
        const frost__json *a = frost__json_at(v, 0), *b = frost__json_at(v, 1);
        int64_t ai, bi;
        if (frost__json_int(a, &ai) && frost__json_int(b, &bi)) {
            tb[0] = tb[1] = ai;
            lr[0] = lr[1] = bi;
        } else if (frost__json_len(a) == 2 && frost__json_len(b) == 2 &&
                   frost__json_int(frost__json_at(a, 0), &tb[0]) &&
                   frost__json_int(frost__json_at(a, 1), &tb[1]) &&
                   frost__json_int(frost__json_at(b, 0), &lr[0]) &&
                   frost__json_int(frost__json_at(b, 1), &lr[1])) {
        } else {
            return frost__keras_fail(k, L, FROST_E_FORMAT, "'%s' is not ((t, b), (l, r))", key);
        }
    } else {
        return frost__keras_fail(k, L, FROST_E_FORMAT, "'%s' is missing or malformed", key);
    }
    int64_t all[4] = {tb[0], tb[1], lr[0], lr[1]};
    for (int i = 0; i < 4; i++)
        if (all[i] < 0 || all[i] > KMAX_DIM)
            return frost__keras_fail(k, L, FROST_E_LIMIT, "'%s' holds %lld", key, (long long)all[i]);
    return FROST_OK;
}

static frost_status layer_zero_pad(frost__kctx *k, const frost__klayer *L, const keras_layer *e,
                                   const int *in, int n_in, int *out) {
    (void)e, (void)n_in;
    int x = in[0];
    int64_t tb[2], lr[2];
    FROST_TRY(pad_pairs(k, L, "padding", tb, lr));
    int64_t pads[8] = {0};
    int h = channels_first(L) ? 2 : 1;
    pads[2 * h] = tb[0]; pads[2 * h + 1] = tb[1];
    pads[2 * h + 2] = lr[0]; pads[2 * h + 3] = lr[1];
    return zero_pad(k, L, x, pads, 4, out);
}

static frost_status layer_cropping(frost__kctx *k, const frost__klayer *L, const keras_layer *e,
                                   const int *in, int n_in, int *out) {
    (void)e, (void)n_in;
    int x = in[0];
    int64_t tb[2], lr[2];
    FROST_TRY(pad_pairs(k, L, "cropping", tb, lr));
    int h = channels_first(L) ? 2 : 1;
    int64_t starts[2] = {tb[0], lr[0]};
    int64_t ends[2] = {tb[1] ? -tb[1] : INT64_MAX, lr[1] ? -lr[1] : INT64_MAX};
    int64_t axes[2] = {h, h + 1};
    int sv = const_i64(k, L, "starts", starts, 2, false);
    int ev = const_i64(k, L, "ends", ends, 2, false);
    int av = const_i64(k, L, "axes", axes, 2, false);
    TRY_V(sv); TRY_V(ev); TRY_V(av);
    TRY_V(*out = emit(k, L, NULL, FROST__OP_SLICE, 4, (int[]){x, sv, ev, av}, NULL));
    return FROST_OK;
}

static frost_status layer_upsampling(frost__kctx *k, const frost__klayer *L, const keras_layer *e,
                                     const int *in, int n_in, int *out) {
    (void)e, (void)n_in;
    int x = in[0];
    int size[2];
    FROST_TRY(get_ints(k, L, "size", 2, 2, 1, 1 << 16, size));
    const char *interp = frost__json_get_str(L->cfg, "interpolation");
    bool bilinear = interp && !strcmp(interp, "bilinear");
    if (interp && !bilinear && strcmp(interp, "nearest"))
        return frost__keras_fail(k, L, FROST_E_UNSUPPORTED, "interpolation '%s' is not supported",
                                 interp);
    bool first = channels_first(L);
    if (first) TRY_V(x = to_channels_last(k, L, x, 4));
    /* Output size = input H, W times the factors, computed at plan time from x's shape. */
    frost__params sp;
    memset(&sp, 0, sizeof sp);
    sp.shape.out_dtype = FROST_DTYPE_I64;
    sp.shape.start = 1;
    sp.shape.end = 3;
    int hw = emit(k, L, "hw", FROST__OP_SHAPE, 1, &x, &sp);
    TRY_V(hw);
    int64_t f[2] = {size[0], size[1]};
    int fv = const_i64(k, L, "factors", f, 2, false);
    TRY_V(fv);
    frost__params mp;
    memset(&mp, 0, sizeof mp);
    mp.binary.fn = FROST__BIN_MUL;
    int sz = emit(k, L, "size", FROST__OP_BINARY, 2, (int[]){hw, fv}, &mp);
    TRY_V(sz);
    frost__params p;
    memset(&p, 0, sizeof p);
    p.resize.mode = bilinear ? 1 : 0;
    /* Keras (TF 2) resizes bilinear with half-pixel centers; TF.js, Keras < 2.4 and nearest use
     * asymmetric coordinates. */
    p.resize.coord = bilinear && k->flavor != FROST__KERAS_TFJS && !k->info.legacy_bilinear ? 1 : 0;
    p.resize.nearest_mode = 2;
    int y = emit(k, L, first ? "Resize" : NULL, FROST__OP_RESIZE, 2, (int[]){x, sz}, &p);
    TRY_V(y);
    if (first) TRY_V(y = to_channels_first(k, L, y, 4, true));
    *out = y;
    return FROST_OK;
}

/* ZeroPadding1D / Cropping1D: (left, right) from an int or a pair. */
static frost_status pair_1d(frost__kctx *k, const frost__klayer *L, const char *key, int64_t *lr) {
    int v[2];
    FROST_TRY(get_ints(k, L, key, 2, 1, 0, 1 << 30, v));
    lr[0] = v[0];
    lr[1] = v[1];
    return FROST_OK;
}

/* ZeroPadding1D (fn 0), Cropping1D (fn 1). */
static frost_status layer_pad_crop_1d(frost__kctx *k, const frost__klayer *L, const keras_layer *e,
                                      const int *in, int n_in, int *out) {
    (void)n_in;
    int x = in[0];
    bool crop = e->fn != 0;
    int64_t lr[2];
    FROST_TRY(pair_1d(k, L, crop ? "cropping" : "padding", lr));
    if (crop) {
        int64_t start = lr[0], end = lr[1] ? -lr[1] : INT64_MAX, axis = 1;
        int sv = const_i64(k, L, "starts", &start, 1, false);
        int ev = const_i64(k, L, "ends", &end, 1, false);
        int av = const_i64(k, L, "axes", &axis, 1, false);
        TRY_V(sv); TRY_V(ev); TRY_V(av);
        TRY_V(*out = emit(k, L, NULL, FROST__OP_SLICE, 4, (int[]){x, sv, ev, av}, NULL));
        return FROST_OK;
    }
    int64_t pads[6] = {0, 0, lr[0], lr[1], 0, 0};
    return zero_pad(k, L, x, pads, 3, out);
}

/* Rescaling: x * scale + offset (scalars or per-channel lists). Identity parts emit nothing; the
 * layer name then answers for the last op (or the input). */
static frost_status layer_rescaling(frost__kctx *k, const frost__klayer *L, const keras_layer *e,
                                    const int *in, int n_in, int *out) {
    (void)e, (void)n_in;
    int x = in[0];
    static const char *const keys[2] = {"scale", "offset"};
    static const float identity[2] = {1.0f, 0.0f};
    static const int fns[2] = {FROST__BIN_MUL, FROST__BIN_ADD};
    for (int i = 0; i < 2; i++) {
        const frost__json *v = cfg(L, keys[i]);
        float vals[4096];
        int n = 1;
        double d;
        vals[0] = identity[i];
        if (frost__json_num(v, &d)) {
            vals[0] = (float)d;
        } else if (frost__json_is_array(v) && frost__json_len(v) > 0 && frost__json_len(v) <= 4096) {
            n = frost__json_len(v);
            for (int j = 0; j < n; j++) {
                if (!frost__json_num(frost__json_at(v, j), &d))
                    return frost__keras_fail(k, L, FROST_E_FORMAT, "'%s'[%d] is not a number", keys[i], j);
                vals[j] = (float)d;
            }
        } else if (!frost__json_is_null(v)) {
            return frost__keras_fail(k, L, FROST_E_FORMAT, "'%s' is not a number or a list", keys[i]);
        }
        if (n == 1 && vals[0] == identity[i]) continue;
        frost__shape s = frost__shape_make(n == 1 ? 0 : 1, (int64_t[]){n});
        int cv = const_f32(k, L, keys[i], vals, &s);
        TRY_V(cv);
        frost__params p;
        memset(&p, 0, sizeof p);
        p.binary.fn = fns[i];
        TRY_V(x = emit(k, L, i == 0 ? "mul" : "add", FROST__OP_BINARY, 2, (int[]){x, cv}, &p));
    }
    *out = x;
    return FROST_OK;
}

static frost_status merge(frost__kctx *k, const frost__klayer *L, int fn, bool average,
                          const int *in, int n_in, int *out) {
    if (n_in < 2 && !(n_in == 1 && fn != FROST__BIN_SUB))
        return frost__keras_fail(k, L, FROST_E_FORMAT, "needs at least 2 inputs, got %d", n_in);
    if (fn == FROST__BIN_SUB && n_in != 2)
        return frost__keras_fail(k, L, FROST_E_FORMAT, "Subtract needs exactly 2 inputs, got %d", n_in);
    frost__params p;
    memset(&p, 0, sizeof p);
    p.binary.fn = fn;
    int acc = in[0];
    for (int i = 1; i < n_in; i++) {
        char step[32];
        snprintf(step, sizeof step, "merge_%d", i);
        bool last = i == n_in - 1 && !average;
        TRY_V(acc = emit(k, L, last ? NULL : step, FROST__OP_BINARY, 2, (int[]){acc, in[i]}, &p));
    }
    if (average) {
        float inv = 1.0f / (float)n_in;
        frost__shape s = frost__shape_make(0, NULL);
        int cv = const_f32(k, L, "inv_count", &inv, &s);
        TRY_V(cv);
        p.binary.fn = FROST__BIN_MUL;
        TRY_V(acc = emit(k, L, NULL, FROST__OP_BINARY, 2, (int[]){acc, cv}, &p));
    }
    *out = acc;
    return FROST_OK;
}

/* Add, Subtract, Multiply, Maximum, Minimum: the row's binary function over the inputs. */
static frost_status layer_merge(frost__kctx *k, const frost__klayer *L, const keras_layer *e,
                                const int *in, int n_in, int *out) {
    return merge(k, L, e->fn, false, in, n_in, out);
}

static frost_status layer_average(frost__kctx *k, const frost__klayer *L, const keras_layer *e,
                                  const int *in, int n_in, int *out) {
    (void)e;
    return merge(k, L, FROST__BIN_ADD, true, in, n_in, out);
}

static frost_status layer_concat(frost__kctx *k, const frost__klayer *L, const keras_layer *e,
                                 const int *in, int n_in, int *out) {
    (void)e;
    int64_t axis;
    FROST_TRY(get_int(k, L, "axis", -1, -FROST_MAX_RANK, FROST_MAX_RANK - 1, &axis));
    if (n_in < 1 || n_in > 1024)
        return frost__keras_fail(k, L, FROST_E_FORMAT, "has %d inputs", n_in);
    int av = const_i64(k, L, "axis", &axis, 1, true);
    TRY_V(av);
    int ins[1025];
    memcpy(ins, in, (size_t)n_in * sizeof *in);
    ins[n_in] = av;
    TRY_V(*out = emit(k, L, NULL, FROST__OP_CONCAT, n_in + 1, ins, NULL));
    return FROST_OK;
}

static frost_status layer_relu(frost__kctx *k, const frost__klayer *L, const keras_layer *e,
                               const int *in, int n_in, int *out) {
    (void)e, (void)n_in;
    int x = in[0];
    double maxv, slope, thr;
    FROST_TRY(get_float(k, L, "max_value", -1, &maxv));
    FROST_TRY(get_float(k, L, "negative_slope", 0, &slope));
    FROST_TRY(get_float(k, L, "threshold", 0, &thr));
    if (thr != 0)
        return frost__keras_fail(k, L, FROST_E_UNSUPPORTED, "'threshold' = %g is not supported", thr);
    frost__params p;
    memset(&p, 0, sizeof p);
    bool capped = maxv >= 0;
    if (slope == 0 && !capped) p.unary.fn = FROST__ACT_RELU;
    else if (slope == 0 && maxv == 6) p.unary.fn = FROST__ACT_RELU6;
    else if (slope == 0) { p.unary.fn = FROST__ACT_CLIP; p.unary.alpha = 0; p.unary.beta = (float)maxv; }
    else {
        p.unary.fn = FROST__ACT_LEAKY_RELU;
        p.unary.alpha = (float)slope;
        int y = emit(k, L, capped ? "leaky" : NULL, FROST__OP_UNARY, 1, &x, &p);
        TRY_V(y);
        if (!capped) { *out = y; return FROST_OK; }
        x = y;
        p.unary.fn = FROST__ACT_CLIP;
        p.unary.alpha = -FLT_MAX;
        p.unary.beta = (float)maxv;
    }
    TRY_V(*out = emit(k, L, NULL, FROST__OP_UNARY, 1, &x, &p));
    return FROST_OK;
}

/* LeakyReLU, ELU: the row's activation with its slope from the config. */
static frost_status layer_unary(frost__kctx *k, const frost__klayer *L, const keras_layer *e,
                                const int *in, int n_in, int *out) {
    (void)n_in;
    double alpha = 0;
    if (e->fn == FROST__ACT_LEAKY_RELU) {
        const char *key = frost__json_get(L->cfg, "negative_slope") ? "negative_slope" : "alpha";
        FROST_TRY(get_float(k, L, key, 0.3, &alpha));
    } else if (e->fn == FROST__ACT_ELU) {
        FROST_TRY(get_float(k, L, "alpha", 1.0, &alpha));
    }
    frost__params p;
    memset(&p, 0, sizeof p);
    p.unary.fn = e->fn;
    p.unary.alpha = (float)alpha;
    TRY_V(*out = emit(k, L, NULL, FROST__OP_UNARY, 1, &in[0], &p));
    return FROST_OK;
}

static frost_status layer_prelu(frost__kctx *k, const frost__klayer *L, const keras_layer *e,
                                const int *in, int n_in, int *out) {
    (void)e, (void)n_in;
    int x = in[0];
    int av;
    frost__shape as;
    FROST_TRY(weight(k, L, "alpha", 0, &av, &as));
    if (as.rank < 1)
        return frost__keras_fail(k, L, FROST_E_SHAPE, "weight 'alpha' should have the input's shape");
    frost__params p;
    memset(&p, 0, sizeof p);
    p.binary.fn = FROST__BIN_PRELU;
    TRY_V(*out = emit(k, L, NULL, FROST__OP_BINARY, 2, (int[]){x, av}, &p));
    return FROST_OK;
}

static frost_status layer_softmax(frost__kctx *k, const frost__klayer *L, const keras_layer *e,
                                  const int *in, int n_in, int *out) {
    (void)e, (void)n_in;
    int x = in[0];
    int64_t axis;
    FROST_TRY(get_int(k, L, "axis", -1, -FROST_MAX_RANK, FROST_MAX_RANK - 1, &axis));
    frost__params p;
    memset(&p, 0, sizeof p);
    p.softmax.axis = (int)axis;
    p.softmax.beta = 1.0f;
    TRY_V(*out = emit(k, L, NULL, FROST__OP_SOFTMAX, 1, &x, &p));
    return FROST_OK;
}

static frost_status layer_embedding(frost__kctx *k, const frost__klayer *L, const keras_layer *e,
                                    const int *in, int n_in, int *out) {
    (void)e, (void)n_in;
    int x = in[0];
    int64_t dim, vocab;
    FROST_TRY(get_int(k, L, "output_dim", -1, 1, KMAX_DIM, &dim));
    FROST_TRY(get_int(k, L, "input_dim", -1, 1, KMAX_DIM, &vocab));
    int ev;
    frost__shape es;
    FROST_TRY(weight(k, L, "embeddings", 0, &ev, &es));
    FROST_TRY(expect_shape(k, L, "embeddings", &es, 2, (int64_t[]){vocab, dim}));
    frost__params p;
    memset(&p, 0, sizeof p);
    /* Keras feeds indices as floats unless the input says otherwise. */
    p.cast.to = FROST_DTYPE_I32;
    p.cast.truncate = true;
    int idx = emit(k, L, "indices", FROST__OP_CAST, 1, &x, &p);
    TRY_V(idx);
    int64_t zero = 0;
    int axv = const_i64(k, L, "axis", &zero, 1, true);
    TRY_V(axv);
    memset(&p, 0, sizeof p);
    TRY_V(*out = emit(k, L, NULL, FROST__OP_GATHER, 3, (int[]){ev, idx, axv}, &p));
    return FROST_OK;
}

/* Layers that compute nothing at inference: the output is the input. */
static frost_status layer_identity(frost__kctx *k, const frost__klayer *L, const keras_layer *e,
                                   const int *in, int n_in, int *out) {
    (void)k, (void)L, (void)e, (void)n_in;
    *out = in[0];
    return FROST_OK;
}

static frost_status layer_activation(frost__kctx *k, const frost__klayer *L, const keras_layer *e,
                                     const int *in, int n_in, int *out) {
    (void)e, (void)n_in;
    return apply_activation(k, L, activation_name(cfg(L, "activation")), in[0], true, out);
}

static frost_status layer_lambda(frost__kctx *k, const frost__klayer *L, const keras_layer *e,
                                 const int *in, int n_in, int *out) {
    (void)e, (void)in, (void)n_in, (void)out;
    return frost__keras_fail(k, L, FROST_E_UNSUPPORTED,
                             "Lambda layers hold Python code, which frost cannot run");
}

/* ---- The table --------------------------------------------------------------------------------- */

#define ANY FROST__OP_ANY
/* A one-input layer; the aliases Keras 1 and TF.js use get rows of their own. */
#define ONE(cls, build, fn, rank) {cls, build, fn, rank, 1, 1}
/* Merges check their own input counts (Subtract takes exactly 2). */
#define MERGE(cls, build, fn) {cls, build, fn, 0, 0, ANY}

_Static_assert(offsetof(keras_layer, name) == 0, "op_table.h finds rows by their leading name");

static const keras_layer keras_layers[] = {
    /* Nothing to compute at inference */
    ONE("Dropout", layer_identity, 0, 0), ONE("SpatialDropout1D", layer_identity, 0, 0),
    ONE("SpatialDropout2D", layer_identity, 0, 0), ONE("SpatialDropout3D", layer_identity, 0, 0),
    ONE("GaussianNoise", layer_identity, 0, 0), ONE("GaussianDropout", layer_identity, 0, 0),
    ONE("AlphaDropout", layer_identity, 0, 0), ONE("ActivityRegularization", layer_identity, 0, 0),
    {"Lambda", layer_lambda, 0, 0, 0, ANY},
    /* Core */
    ONE("Dense", layer_dense, 0, 0),
    ONE("Activation", layer_activation, 0, 0),
    ONE("Embedding", layer_embedding, 0, 0),
    ONE("Rescaling", layer_rescaling, 0, 0),
    /* Convolution (fn: 0 plain, 1 depthwise, 2 separable, 3 transposed) */
    ONE("Conv1D", layer_conv, 0, 1), ONE("Convolution1D", layer_conv, 0, 1),
    ONE("AtrousConvolution1D", layer_conv, 0, 1),
    ONE("Conv2D", layer_conv, 0, 2), ONE("Convolution2D", layer_conv, 0, 2),
    ONE("AtrousConvolution2D", layer_conv, 0, 2),
    ONE("DepthwiseConv2D", layer_conv, 1, 2),
    ONE("SeparableConv2D", layer_conv, 2, 2), ONE("SeparableConvolution2D", layer_conv, 2, 2),
    ONE("Conv2DTranspose", layer_conv, 3, 2), ONE("Convolution2DTranspose", layer_conv, 3, 2),
    /* Pooling (fn 1: max) */
    ONE("MaxPooling1D", layer_pool, 1, 1), ONE("MaxPool1D", layer_pool, 1, 1),
    ONE("MaxPooling2D", layer_pool, 1, 2), ONE("MaxPool2D", layer_pool, 1, 2),
    ONE("AveragePooling1D", layer_pool, 0, 1), ONE("AvgPool1D", layer_pool, 0, 1),
    ONE("AveragePooling2D", layer_pool, 0, 2), ONE("AvgPool2D", layer_pool, 0, 2),
    ONE("GlobalAveragePooling1D", layer_global_pool, 0, 1),
    ONE("GlobalAvgPool1D", layer_global_pool, 0, 1),
    ONE("GlobalAveragePooling2D", layer_global_pool, 0, 2),
    ONE("GlobalAvgPool2D", layer_global_pool, 0, 2),
    ONE("GlobalMaxPooling1D", layer_global_pool, 1, 1),
    ONE("GlobalMaxPool1D", layer_global_pool, 1, 1),
    ONE("GlobalMaxPooling2D", layer_global_pool, 1, 2),
    ONE("GlobalMaxPool2D", layer_global_pool, 1, 2),
    /* Normalization */
    ONE("BatchNormalization", layer_batch_norm, 0, 0),
    ONE("LayerNormalization", layer_layer_norm, 0, 0),
    /* Shape, padding, resizing */
    ONE("Flatten", layer_flatten, 0, 0), ONE("Reshape", layer_reshape, 0, 0),
    ONE("Permute", layer_permute, 0, 0),
    ONE("ZeroPadding1D", layer_pad_crop_1d, 0, 1), ONE("Cropping1D", layer_pad_crop_1d, 1, 1),
    ONE("ZeroPadding2D", layer_zero_pad, 0, 2), ONE("Cropping2D", layer_cropping, 0, 2),
    ONE("UpSampling2D", layer_upsampling, 0, 2),
    /* Merges */
    MERGE("Add", layer_merge, FROST__BIN_ADD), MERGE("Subtract", layer_merge, FROST__BIN_SUB),
    MERGE("Multiply", layer_merge, FROST__BIN_MUL), MERGE("Maximum", layer_merge, FROST__BIN_MAX),
    MERGE("Minimum", layer_merge, FROST__BIN_MIN), MERGE("Average", layer_average, 0),
    MERGE("Concatenate", layer_concat, 0),
    /* Activation layers */
    ONE("ReLU", layer_relu, 0, 0), ONE("LeakyReLU", layer_unary, FROST__ACT_LEAKY_RELU, 0),
    ONE("ELU", layer_unary, FROST__ACT_ELU, 0), ONE("PReLU", layer_prelu, 0, 0),
    ONE("Softmax", layer_softmax, 0, 0),
};

frost_status frost__keras_layer(frost__kctx *k, const frost__klayer *L, const int *in, int n_in,
                                int *out, int *n_out) {
    *n_out = 1;
    if (theano_ordering(L))
        return frost__keras_fail(k, L, FROST_E_UNSUPPORTED,
                                 "Keras 1 Theano dim_ordering 'th' is not supported (use 'tf')");
    size_t i = FROST__OP_TABLE_FIND(keras_layers, 0, L->cls);
    if (i < FROST_ARRAY_LEN(keras_layers)) {
        const keras_layer *e = &keras_layers[i];
        if (n_in < e->min_in || n_in > e->max_in) {
            char want[32];
            frost__op_table_arity(e->min_in, e->max_in, want, sizeof want);
            return frost__keras_fail(k, L, FROST_E_UNSUPPORTED,
                                     "takes %d inputs; frost supports %s", n_in, want);
        }
        return e->build(k, L, e, in, n_in, out);
    }
    /* Unknown: keep going so every unsupported layer is reported at once. */
    int node = frost__graph_add_node(k->g, L->node, L->cls, FROST__OP_UNSUPPORTED, n_in, in, 1,
                                     NULL, k->err);
    if (node < 0) return k->err ? k->err->code : FROST_E_NOMEM;
    k->n_unsupported++;
    *out = frost__graph_out(k->g, node, 0);
    return FROST_OK;
}
