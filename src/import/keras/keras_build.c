/* keras_build.c — the toolkit every Keras layer builder uses (keras_layers.h): reading a layer's
 * config (with the names Keras 1 used), fetching its weights through the container's weight
 * source and checking their shapes, naming and adding frost nodes and constants for it, and
 * applying Keras activations; plus the failure, dtype and shape helpers keras.h declares.
 *
 * It knows no layer's meaning and never calls a file-format library. It must never trust the
 * config: every field is type-checked and range-checked, and failures name the layer and field. */
#include "import/keras/keras_layers.h"

#include "import/import_util.h"

#include <stdio.h>

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
            return frost__keras_fail(k, L, FROST_E_FORMAT, "'%s' dimension %d is not a size", field,
                                     i);
        if (v > KMAX_DIM || (v > 0 && !frost__mul_ok(numel, v, &numel)) ||
            (k->g->max_tensor_bytes && (uint64_t)numel > k->g->max_tensor_bytes / 4))
            return frost__keras_fail(k, L, FROST_E_LIMIT,
                                     "'%s' declares dimension %d = %lld, over the tensor size "
                                     "limit",
                                     field, i, (long long)v);
        s->d[i] = v;
    }
    return FROST_OK;
}

/* ---- Config accessors -------------------------------------------------------------------------- */

/* Keras 1 spelled many fields differently; configs from it still load when the Keras 2 name is
 * absent. */
static const char *const keras1_names[][2] = {
    {"units", "output_dim"},          {"filters", "nb_filter"},
    {"padding", "border_mode"},       {"strides", "subsample"},
    {"strides", "subsample_length"},  {"strides", "stride"},
    {"kernel_size", "filter_length"}, {"pool_size", "pool_length"},
    {"dilation_rate", "atrous_rate"}, {"use_bias", "bias"},
};

const frost__json *frost__keras_cfg(const frost__klayer *L, const char *key) {
    const frost__json *v = frost__json_get(L->cfg, key);
    for (size_t i = 0; !v && i < FROST_ARRAY_LEN(keras1_names); i++)
        if (!strcmp(key, keras1_names[i][0])) v = frost__json_get(L->cfg, keras1_names[i][1]);
    return v;
}

bool frost__keras_cfg_bool(const frost__klayer *L, const char *key, bool dflt) {
    const frost__json *v = frost__keras_cfg(L, key);
    double d;
    if (frost__json_is_bool(v)) return frost__json_get_bool(L->cfg, frost__json_key(v), dflt);
    if (frost__json_num(v, &d)) return d != 0;
    return dflt;
}

frost_status frost__keras_get_int(frost__kctx *k, const frost__klayer *L, const char *key,
                                  int64_t dflt, int64_t lo, int64_t hi, int64_t *out) {
    const frost__json *v = frost__keras_cfg(L, key);
    *out = dflt;
    if (frost__json_is_null(v)) return FROST_OK;
    if (frost__json_is_array(v) && frost__json_len(v) == 1) v = frost__json_at(v, 0);
    if (!frost__json_int(v, out))
        return frost__keras_fail(k, L, FROST_E_FORMAT, "'%s' is not an integer", key);
    if (*out < lo || *out > hi)
        return frost__keras_fail(k, L, FROST_E_LIMIT, "'%s' = %lld is out of range [%lld, %lld]",
                                 key, (long long)*out, (long long)lo, (long long)hi);
    return FROST_OK;
}

frost_status frost__keras_get_float(frost__kctx *k, const frost__klayer *L, const char *key,
                                    double dflt, double *out) {
    if (!frost__json_get_num(L->cfg, key, dflt, out))
        return frost__keras_fail(k, L, FROST_E_FORMAT, "'%s' is not a number", key);
    return FROST_OK;
}

/* n ints from an int or a list of n ints (kernel_size, strides, ...). */
frost_status frost__keras_get_ints(frost__kctx *k, const frost__klayer *L, const char *key, int n,
                                   int dflt, int lo, int hi, int *out) {
    const frost__json *v = frost__keras_cfg(L, key);
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

bool frost__keras_channels_first(const frost__klayer *L) {
    const char *f = frost__json_get_str(L->cfg, "data_format");
    return f && !strcmp(f, "channels_first");
}

frost_status frost__keras_get_padding(frost__kctx *k, const frost__klayer *L, bool allow_causal,
                                      frost__padding *pad, bool *causal) {
    const char *p = frost__json_str(frost__keras_cfg(L, "padding"));
    *causal = false;
    *pad = FROST__PAD_VALID;
    if (!p || !strcmp(p, "valid")) return FROST_OK;
    if (!strcmp(p, "same")) { *pad = FROST__PAD_SAME_UPPER; return FROST_OK; }
    if (allow_causal && !strcmp(p, "causal")) { *causal = true; return FROST_OK; }
    return frost__keras_fail(k, L, FROST_E_UNSUPPORTED, "padding '%s' is not supported", p);
}

/* ---- Graph helpers ----------------------------------------------------------------------------- */

const char *frost__keras_step_name(const frost__klayer *L, const char *step, char *buf,
                                   size_t cap) {
    snprintf(buf, cap, "%s/%s", L->node, step);
    return buf;
}

/* Adds a node; `name` NULL means the layer's own name. Returns output 0's value id or -1. */
int frost__keras_emit(frost__kctx *k, const frost__klayer *L, const char *step, int op, int n_in,
                      const int *in, const frost__params *p) {
    char buf[600];
    const char *name = step ? frost__keras_step_name(L, step, buf, sizeof buf) : L->node;
    int node = frost__graph_add_node(k->g, name, L->cls, op, n_in, in, 1, p, k->err);
    return node < 0 ? -1 : frost__graph_out(k->g, node, 0);
}

int frost__keras_const_i64(frost__kctx *k, const frost__klayer *L, const char *step,
                           const int64_t *v, int n, bool scalar) {
    char buf[600];
    return frost__import_const_ints(k->g, frost__keras_step_name(L, step, buf, sizeof buf),
                                    FROST_DTYPE_I64, v, n, scalar, k->err);
}

int frost__keras_const_f32(frost__kctx *k, const frost__klayer *L, const char *step, const float *v,
                           const frost__shape *s) {
    char buf[600];
    int64_t n = frost__shape_numel(s);
    return frost__graph_add_const(k->g, frost__keras_step_name(L, step, buf, sizeof buf),
                                  FROST_DTYPE_F32, s, v, (size_t)n * sizeof *v, k->err);
}

int frost__keras_transpose(frost__kctx *k, const frost__klayer *L, const char *step, int x,
                           const int64_t *perm, int rank) {
    char cname[64];
    snprintf(cname, sizeof cname, "%s_perm", step);
    int pv = frost__keras_const_i64(k, L, cname, perm, rank, false);
    if (pv < 0) return -1;
    return frost__keras_emit(k, L, step, FROST__OP_TRANSPOSE, 2, (int[]){x, pv}, NULL);
}

/* NC... → N...C and back, for channels_first layers. */
int frost__keras_to_channels_last(frost__kctx *k, const frost__klayer *L, int x, int rank) {
    int64_t perm[FROST_MAX_RANK];
    perm[0] = 0;
    for (int i = 1; i < rank - 1; i++) perm[i] = i + 1;
    perm[rank - 1] = 1;
    return frost__keras_transpose(k, L, "to_nhwc", x, perm, rank);
}
int frost__keras_to_channels_first(frost__kctx *k, const frost__klayer *L, int x, int rank,
                                   bool last) {
    int64_t perm[FROST_MAX_RANK];
    perm[0] = 0;
    perm[1] = rank - 1;
    for (int i = 2; i < rank; i++) perm[i] = i - 1;
    if (last) {
        int pv = frost__keras_const_i64(k, L, "to_nchw_perm", perm, rank, false);
        return pv < 0 ? -1
                      : frost__keras_emit(k, L, NULL, FROST__OP_TRANSPOSE, 2, (int[]){x, pv}, NULL);
    }
    return frost__keras_transpose(k, L, "to_nchw", x, perm, rank);
}

/* Fetches a weight as a constant named "<layer>/<role>"; shared layers reuse the first call's. */
frost_status frost__keras_weight(frost__kctx *k, const frost__klayer *L, const char *roles,
                                 int index, int *value, frost__shape *shape) {
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
frost_status frost__keras_expect_shape(frost__kctx *k, const frost__klayer *L, const char *field,
                                       const frost__shape *got, int rank, const int64_t *want) {
    bool ok = got->rank == rank;
    for (int i = 0; ok && i < rank; i++) ok = want[i] < 0 || got->d[i] == want[i];
    if (ok) return FROST_OK;
    char gs[128], ws[128];
    frost__shape w = frost__shape_make(rank, want);
    frost__shape_str(got, gs, sizeof gs);
    frost__shape_str(&w, ws, sizeof ws);
    return frost__keras_fail(k, L, FROST_E_SHAPE,
                             "weight '%s' has shape %s but the config implies %s", field, gs, ws);
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
const char *frost__keras_activation_name(const frost__json *v) {
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
frost_status frost__keras_apply_activation(frost__kctx *k, const frost__klayer *L, const char *name,
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
        *out = frost__keras_emit(k, L, step, FROST__OP_UNARY, 1, &x, &p);
        break;
    case ACT_SOFTMAX:
    case ACT_LOG_SOFTMAX:
        p.softmax.axis = -1;
        p.softmax.log = kind == ACT_LOG_SOFTMAX;
        p.softmax.beta = 1.0f;
        *out = frost__keras_emit(k, L, step, FROST__OP_SOFTMAX, 1, &x, &p);
        break;
    default:
        return frost__keras_fail(k, L, FROST_E_UNSUPPORTED, "activation '%s' is not supported",
                                 name ? name : "?");
    }
    return *out < 0 ? k->err->code : FROST_OK;
}

/* The layer's activation when MatMul / Conv can apply it themselves (one pass over the output
 * instead of two). False for linear, softmax, exponential and unknown names. */
bool frost__keras_fusable_activation(const frost__kctx *k, const frost__klayer *L,
                                     frost__act_params *ap) {
    int fn;
    float a, b;
    memset(ap, 0, sizeof *ap);
    if (parse_activation(k, frost__keras_activation_name(frost__keras_cfg(L, "activation")), &fn,
                         &a, &b) != ACT_UNARY ||
        fn >= FROST__ACT_COUNT)
        return false;
    ap->act = (frost__act)fn;
    ap->alpha = a;
    ap->beta = b;
    return true;
}

/* True when an activation node must follow the layer's main op. */
bool frost__keras_has_activation(const frost__kctx *k, const frost__klayer *L) {
    frost__act_params ap;
    const char *a = frost__keras_activation_name(frost__keras_cfg(L, "activation"));
    return a && *a && strcmp(a, "linear") && !frost__keras_fusable_activation(k, L, &ap);
}
