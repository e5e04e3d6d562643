/* keras_layers_core.c — the Keras layers that are not spatial: Dense, Activation and the activation
 * layers (ReLU, LeakyReLU, ELU, PReLU, Softmax), Embedding, Rescaling, the merges (Add, Subtract,
 * Multiply, Average, Maximum, Minimum, Concatenate) and the layers that compute nothing at
 * inference (Dropout, ...). Each builder is a row of the table in keras_layers.c, which has checked
 * the call's input count. Weights are checked against the config before use; a setting frost
 * cannot honour is refused by name, never approximated. */
#include "import/keras/keras_layers.h"

#include <float.h>
#include <stdio.h>

frost_status frost__keras_layer_dense(frost__kctx *k, const frost__klayer *L, const keras_layer *e,
                                      const int *in, int n_in, int *out) {
    (void)e, (void)n_in;
    int x = in[0];
    int64_t units;
    FROST_TRY(frost__keras_get_int(k, L, "units", -1, 1, KMAX_DIM, &units));
    if (units < 0) return frost__keras_fail(k, L, FROST_E_FORMAT, "'units' is missing");
    bool use_bias = frost__keras_cfg_bool(L, "use_bias", true);
    int kv, bv = -1;
    frost__shape ks, bs;
    FROST_TRY(frost__keras_weight(k, L, "kernel", 0, &kv, &ks));
    FROST_TRY(frost__keras_expect_shape(k, L, "kernel", &ks, 2, (int64_t[]){-1, units}));
    if (use_bias) {
        FROST_TRY(frost__keras_weight(k, L, "bias", 1, &bv, &bs));
        FROST_TRY(frost__keras_expect_shape(k, L, "bias", &bs, 1, (int64_t[]){units}));
    }
    frost__params p;
    memset(&p, 0, sizeof p);
    bool act = frost__keras_has_activation(k, L);
    if (!act) frost__keras_fusable_activation(k, L, &p.matmul.act);
    int y = frost__keras_emit(k, L, act ? "MatMul" : NULL, FROST__OP_MATMUL, use_bias ? 3 : 2,
                              (int[]){x, kv, bv}, &p);
    TRY_V(y);
    if (!act) {
        *out = y;
        return FROST_OK;
    }
    return frost__keras_apply_activation(
        k, L, frost__keras_activation_name(frost__keras_cfg(L, "activation")), y, true, out);
}

/* Rescaling: x * scale + offset (scalars or per-channel lists). Identity parts emit nothing; the
 * layer name then answers for the last op (or the input). */
frost_status frost__keras_layer_rescaling(frost__kctx *k, const frost__klayer *L,
                                          const keras_layer *e, const int *in, int n_in, int *out) {
    (void)e, (void)n_in;
    int x = in[0];
    static const char *const keys[2] = {"scale", "offset"};
    static const float identity[2] = {1.0f, 0.0f};
    static const int fns[2] = {FROST__BIN_MUL, FROST__BIN_ADD};
    for (int i = 0; i < 2; i++) {
        const frost__json *v = frost__keras_cfg(L, keys[i]);
        float vals[4096];
        int n = 1;
        double d;
        vals[0] = identity[i];
        if (frost__json_num(v, &d)) {
            vals[0] = (float)d;
        } else if (frost__json_is_array(v) && frost__json_len(v) > 0 &&
                   frost__json_len(v) <= 4096) {
            n = frost__json_len(v);
            for (int j = 0; j < n; j++) {
                if (!frost__json_num(frost__json_at(v, j), &d))
                    return frost__keras_fail(k, L, FROST_E_FORMAT, "'%s'[%d] is not a number",
                                             keys[i], j);
                vals[j] = (float)d;
            }
        } else if (!frost__json_is_null(v)) {
            return frost__keras_fail(k, L, FROST_E_FORMAT, "'%s' is not a number or a list",
                                     keys[i]);
        }
        if (n == 1 && vals[0] == identity[i]) continue;
        frost__shape s = frost__shape_make(n == 1 ? 0 : 1, (int64_t[]){n});
        int cv = frost__keras_const_f32(k, L, keys[i], vals, &s);
        TRY_V(cv);
        frost__params p;
        memset(&p, 0, sizeof p);
        p.binary.fn = fns[i];
        TRY_V(x = frost__keras_emit(k, L, i == 0 ? "mul" : "add", FROST__OP_BINARY, 2,
                                    (int[]){x, cv}, &p));
    }
    *out = x;
    return FROST_OK;
}

static frost_status merge(frost__kctx *k, const frost__klayer *L, int fn, bool average,
                          const int *in, int n_in, int *out) {
    if (n_in < 2 && !(n_in == 1 && fn != FROST__BIN_SUB))
        return frost__keras_fail(k, L, FROST_E_FORMAT, "needs at least 2 inputs, got %d", n_in);
    if (fn == FROST__BIN_SUB && n_in != 2)
        return frost__keras_fail(k, L, FROST_E_FORMAT, "Subtract needs exactly 2 inputs, got %d",
                                 n_in);
    frost__params p;
    memset(&p, 0, sizeof p);
    p.binary.fn = fn;
    int acc = in[0];
    for (int i = 1; i < n_in; i++) {
        char step[32];
        snprintf(step, sizeof step, "merge_%d", i);
        bool last = i == n_in - 1 && !average;
        TRY_V(acc = frost__keras_emit(k, L, last ? NULL : step, FROST__OP_BINARY, 2,
                                      (int[]){acc, in[i]}, &p));
    }
    if (average) {
        float inv = 1.0f / (float)n_in;
        frost__shape s = frost__shape_make(0, NULL);
        int cv = frost__keras_const_f32(k, L, "inv_count", &inv, &s);
        TRY_V(cv);
        p.binary.fn = FROST__BIN_MUL;
        TRY_V(acc = frost__keras_emit(k, L, NULL, FROST__OP_BINARY, 2, (int[]){acc, cv}, &p));
    }
    *out = acc;
    return FROST_OK;
}

/* Add, Subtract, Multiply, Maximum, Minimum: the row's binary function over the inputs. */
frost_status frost__keras_layer_merge(frost__kctx *k, const frost__klayer *L, const keras_layer *e,
                                      const int *in, int n_in, int *out) {
    return merge(k, L, e->fn, false, in, n_in, out);
}

frost_status frost__keras_layer_average(frost__kctx *k, const frost__klayer *L,
                                        const keras_layer *e, const int *in, int n_in, int *out) {
    (void)e;
    return merge(k, L, FROST__BIN_ADD, true, in, n_in, out);
}

frost_status frost__keras_layer_concat(frost__kctx *k, const frost__klayer *L, const keras_layer *e,
                                       const int *in, int n_in, int *out) {
    (void)e;
    int64_t axis;
    FROST_TRY(frost__keras_get_int(k, L, "axis", -1, -FROST_MAX_RANK, FROST_MAX_RANK - 1, &axis));
    if (n_in < 1 || n_in > 1024)
        return frost__keras_fail(k, L, FROST_E_FORMAT, "has %d inputs", n_in);
    int av = frost__keras_const_i64(k, L, "axis", &axis, 1, true);
    TRY_V(av);
    int ins[1025];
    memcpy(ins, in, (size_t)n_in * sizeof *in);
    ins[n_in] = av;
    TRY_V(*out = frost__keras_emit(k, L, NULL, FROST__OP_CONCAT, n_in + 1, ins, NULL));
    return FROST_OK;
}

frost_status frost__keras_layer_relu(frost__kctx *k, const frost__klayer *L, const keras_layer *e,
                                     const int *in, int n_in, int *out) {
    (void)e, (void)n_in;
    int x = in[0];
    double maxv, slope, thr;
    FROST_TRY(frost__keras_get_float(k, L, "max_value", -1, &maxv));
    FROST_TRY(frost__keras_get_float(k, L, "negative_slope", 0, &slope));
    FROST_TRY(frost__keras_get_float(k, L, "threshold", 0, &thr));
    if (thr != 0)
        return frost__keras_fail(k, L, FROST_E_UNSUPPORTED, "'threshold' = %g is not supported",
                                 thr);
    frost__params p;
    memset(&p, 0, sizeof p);
    bool capped = maxv >= 0;
    if (slope == 0 && !capped) p.unary.fn = FROST__ACT_RELU;
    else if (slope == 0 && maxv == 6) p.unary.fn = FROST__ACT_RELU6;
    else if (slope == 0) {
        p.unary.fn = FROST__ACT_CLIP;
        p.unary.alpha = 0;
        p.unary.beta = (float)maxv;
    } else {
        p.unary.fn = FROST__ACT_LEAKY_RELU;
        p.unary.alpha = (float)slope;
        int y = frost__keras_emit(k, L, capped ? "leaky" : NULL, FROST__OP_UNARY, 1, &x, &p);
        TRY_V(y);
        if (!capped) { *out = y; return FROST_OK; }
        x = y;
        p.unary.fn = FROST__ACT_CLIP;
        p.unary.alpha = -FLT_MAX;
        p.unary.beta = (float)maxv;
    }
    TRY_V(*out = frost__keras_emit(k, L, NULL, FROST__OP_UNARY, 1, &x, &p));
    return FROST_OK;
}

/* LeakyReLU, ELU: the row's activation with its slope from the config. */
frost_status frost__keras_layer_unary(frost__kctx *k, const frost__klayer *L, const keras_layer *e,
                                      const int *in, int n_in, int *out) {
    (void)n_in;
    double alpha = 0;
    if (e->fn == FROST__ACT_LEAKY_RELU) {
        const char *key = frost__json_get(L->cfg, "negative_slope") ? "negative_slope" : "alpha";
        FROST_TRY(frost__keras_get_float(k, L, key, 0.3, &alpha));
    } else if (e->fn == FROST__ACT_ELU) {
        FROST_TRY(frost__keras_get_float(k, L, "alpha", 1.0, &alpha));
    }
    frost__params p;
    memset(&p, 0, sizeof p);
    p.unary.fn = e->fn;
    p.unary.alpha = (float)alpha;
    TRY_V(*out = frost__keras_emit(k, L, NULL, FROST__OP_UNARY, 1, &in[0], &p));
    return FROST_OK;
}

frost_status frost__keras_layer_prelu(frost__kctx *k, const frost__klayer *L, const keras_layer *e,
                                      const int *in, int n_in, int *out) {
    (void)e, (void)n_in;
    int x = in[0];
    int av;
    frost__shape as;
    FROST_TRY(frost__keras_weight(k, L, "alpha", 0, &av, &as));
    if (as.rank < 1)
        return frost__keras_fail(k, L, FROST_E_SHAPE,
                                 "weight 'alpha' should have the input's shape");
    frost__params p;
    memset(&p, 0, sizeof p);
    p.binary.fn = FROST__BIN_PRELU;
    TRY_V(*out = frost__keras_emit(k, L, NULL, FROST__OP_BINARY, 2, (int[]){x, av}, &p));
    return FROST_OK;
}

frost_status frost__keras_layer_softmax(frost__kctx *k, const frost__klayer *L,
                                        const keras_layer *e, const int *in, int n_in, int *out) {
    (void)e, (void)n_in;
    int x = in[0];
    int64_t axis;
    FROST_TRY(frost__keras_get_int(k, L, "axis", -1, -FROST_MAX_RANK, FROST_MAX_RANK - 1, &axis));
    frost__params p;
    memset(&p, 0, sizeof p);
    p.softmax.axis = (int)axis;
    p.softmax.beta = 1.0f;
    TRY_V(*out = frost__keras_emit(k, L, NULL, FROST__OP_SOFTMAX, 1, &x, &p));
    return FROST_OK;
}

frost_status frost__keras_layer_embedding(frost__kctx *k, const frost__klayer *L,
                                          const keras_layer *e, const int *in, int n_in, int *out) {
    (void)e, (void)n_in;
    int x = in[0];
    int64_t dim, vocab;
    FROST_TRY(frost__keras_get_int(k, L, "output_dim", -1, 1, KMAX_DIM, &dim));
    FROST_TRY(frost__keras_get_int(k, L, "input_dim", -1, 1, KMAX_DIM, &vocab));
    int ev;
    frost__shape es;
    FROST_TRY(frost__keras_weight(k, L, "embeddings", 0, &ev, &es));
    FROST_TRY(frost__keras_expect_shape(k, L, "embeddings", &es, 2, (int64_t[]){vocab, dim}));
    frost__params p;
    memset(&p, 0, sizeof p);
    /* Keras feeds indices as floats unless the input says otherwise. */
    p.cast.to = FROST_DTYPE_I32;
    p.cast.truncate = true;
    int idx = frost__keras_emit(k, L, "indices", FROST__OP_CAST, 1, &x, &p);
    TRY_V(idx);
    int64_t zero = 0;
    int axv = frost__keras_const_i64(k, L, "axis", &zero, 1, true);
    TRY_V(axv);
    memset(&p, 0, sizeof p);
    TRY_V(*out = frost__keras_emit(k, L, NULL, FROST__OP_GATHER, 3, (int[]){ev, idx, axv}, &p));
    return FROST_OK;
}

/* Layers that compute nothing at inference: the output is the input. */
frost_status frost__keras_layer_identity(frost__kctx *k, const frost__klayer *L,
                                         const keras_layer *e, const int *in, int n_in, int *out) {
    (void)k, (void)L, (void)e, (void)n_in;
    *out = in[0];
    return FROST_OK;
}

frost_status frost__keras_layer_activation(frost__kctx *k, const frost__klayer *L,
                                           const keras_layer *e, const int *in, int n_in,
                                           int *out) {
    (void)e, (void)n_in;
    return frost__keras_apply_activation(
        k, L, frost__keras_activation_name(frost__keras_cfg(L, "activation")), in[0], true, out);
}

frost_status frost__keras_layer_lambda(frost__kctx *k, const frost__klayer *L, const keras_layer *e,
                                       const int *in, int n_in, int *out) {
    (void)e, (void)in, (void)n_in, (void)out;
    return frost__keras_fail(k, L, FROST_E_UNSUPPORTED,
                             "Lambda layers hold Python code, which frost cannot run");
}
