/* keras_layers_shape.c — the Keras layers that move or resize data: Reshape, Permute, Flatten,
 * ZeroPadding1D/2D, Cropping1D/2D and UpSampling2D. Each builder is a row of the table in
 * keras_layers.c, which has checked the call's input count. Sizes from the config are checked
 * against limits; an interpolation frost cannot honour is refused by name. */
#include "import/keras/keras_layers.h"

#include <stdio.h>

frost_status frost__keras_layer_reshape(frost__kctx *k, const frost__klayer *L,
                                        const keras_layer *e, const int *in, int n_in, int *out) {
    (void)e, (void)n_in;
    int x = in[0];
    frost__shape t;
    FROST_TRY(frost__keras_shape(k, L, frost__keras_cfg(L, "target_shape"), "target_shape", &t));
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
    int sv = frost__keras_const_i64(k, L, "shape", dims, t.rank + 1, false);
    TRY_V(sv);
    frost__params p;
    memset(&p, 0, sizeof p);
    p.reshape.zero_is_copy = true;
    TRY_V(*out = frost__keras_emit(k, L, NULL, FROST__OP_RESHAPE, 2, (int[]){x, sv}, &p));
    return FROST_OK;
}

frost_status frost__keras_layer_permute(frost__kctx *k, const frost__klayer *L,
                                        const keras_layer *e, const int *in, int n_in, int *out) {
    (void)e, (void)n_in;
    int x = in[0];
    const frost__json *d = frost__keras_cfg(L, "dims");
    int n = frost__json_len(d);
    if (!frost__json_is_array(d) || n < 1 || n + 1 > FROST_MAX_RANK)
        return frost__keras_fail(k, L, FROST_E_FORMAT, "'dims' is not a list of axes");
    int64_t perm[FROST_MAX_RANK];
    bool seen[FROST_MAX_RANK] = {false};
    perm[0] = 0;
    for (int i = 0; i < n; i++) {
        int64_t a;
        if (!frost__json_int(frost__json_at(d, i), &a) || a < 1 || a > n || seen[a])
            return frost__keras_fail(k, L, FROST_E_FORMAT, "'dims' is not a permutation of 1..%d",
                                     n);
        seen[a] = true;
        perm[i + 1] = a;
    }
    int pv = frost__keras_const_i64(k, L, "perm", perm, n + 1, false);
    TRY_V(pv);
    TRY_V(*out = frost__keras_emit(k, L, NULL, FROST__OP_TRANSPOSE, 2, (int[]){x, pv}, NULL));
    return FROST_OK;
}

frost_status frost__keras_layer_flatten(frost__kctx *k, const frost__klayer *L,
                                        const keras_layer *e, const int *in, int n_in, int *out) {
    (void)e, (void)n_in;
    int x = in[0];
    frost__params p;
    memset(&p, 0, sizeof p);
    p.flatten.axis = 1;
    if (frost__keras_channels_first(L)) {
        /* Keras moves channels last before flattening. Only the rank-4 case is common. */
        const frost__shape *s = &k->g->values[x].shape;
        int rank = s->rank > 0 ? s->rank : 4;
        TRY_V(x = frost__keras_to_channels_last(k, L, x, rank));
    }
    TRY_V(*out = frost__keras_emit(k, L, NULL, FROST__OP_FLATTEN, 1, &x, &p));
    return FROST_OK;
}

/* x padded with zeros by pads ([rank, 2]: before and after each dim), as the layer's node. */
static frost_status zero_pad(frost__kctx *k, const frost__klayer *L, int x, const int64_t *pads,
                             int rank, int *out) {
    char buf[600];
    frost__shape s = frost__shape_make(2, (int64_t[]){rank, 2});
    int pv =
        frost__graph_add_const(k->g, frost__keras_step_name(L, "paddings", buf, sizeof buf),
                               FROST_DTYPE_I64, &s, pads, (size_t)rank * 2 * sizeof *pads, k->err);
    TRY_V(pv);
    frost__params p;
    memset(&p, 0, sizeof p);
    p.pad.mode = FROST__PADMODE_CONSTANT;
    TRY_V(*out = frost__keras_emit(k, L, NULL, FROST__OP_PAD, 2, (int[]){x, pv}, &p));
    return FROST_OK;
}

/* ((top, bottom), (left, right)) from an int, a pair, or a pair of pairs. */
static frost_status pad_pairs(frost__kctx *k, const frost__klayer *L, const char *key, int64_t *tb,
                              int64_t *lr) {
    const frost__json *v = frost__keras_cfg(L, key);
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
            return frost__keras_fail(k, L, FROST_E_LIMIT, "'%s' holds %lld", key,
                                     (long long)all[i]);
    return FROST_OK;
}

frost_status frost__keras_layer_zero_pad(frost__kctx *k, const frost__klayer *L,
                                         const keras_layer *e, const int *in, int n_in, int *out) {
    (void)e, (void)n_in;
    int x = in[0];
    int64_t tb[2], lr[2];
    FROST_TRY(pad_pairs(k, L, "padding", tb, lr));
    int64_t pads[8] = {0};
    int h = frost__keras_channels_first(L) ? 2 : 1;
    pads[2 * h] = tb[0]; pads[2 * h + 1] = tb[1];
    pads[2 * h + 2] = lr[0]; pads[2 * h + 3] = lr[1];
    return zero_pad(k, L, x, pads, 4, out);
}

frost_status frost__keras_layer_cropping(frost__kctx *k, const frost__klayer *L,
                                         const keras_layer *e, const int *in, int n_in, int *out) {
    (void)e, (void)n_in;
    int x = in[0];
    int64_t tb[2], lr[2];
    FROST_TRY(pad_pairs(k, L, "cropping", tb, lr));
    int h = frost__keras_channels_first(L) ? 2 : 1;
    int64_t starts[2] = {tb[0], lr[0]};
    int64_t ends[2] = {tb[1] ? -tb[1] : INT64_MAX, lr[1] ? -lr[1] : INT64_MAX};
    int64_t axes[2] = {h, h + 1};
    int sv = frost__keras_const_i64(k, L, "starts", starts, 2, false);
    int ev = frost__keras_const_i64(k, L, "ends", ends, 2, false);
    int av = frost__keras_const_i64(k, L, "axes", axes, 2, false);
    TRY_V(sv); TRY_V(ev); TRY_V(av);
    TRY_V(*out = frost__keras_emit(k, L, NULL, FROST__OP_SLICE, 4, (int[]){x, sv, ev, av}, NULL));
    return FROST_OK;
}

frost_status frost__keras_layer_upsampling(frost__kctx *k, const frost__klayer *L,
                                           const keras_layer *e, const int *in, int n_in,
                                           int *out) {
    (void)e, (void)n_in;
    int x = in[0];
    int size[2];
    FROST_TRY(frost__keras_get_ints(k, L, "size", 2, 2, 1, 1 << 16, size));
    const char *interp = frost__json_get_str(L->cfg, "interpolation");
    bool bilinear = interp && !strcmp(interp, "bilinear");
    if (interp && !bilinear && strcmp(interp, "nearest"))
        return frost__keras_fail(k, L, FROST_E_UNSUPPORTED, "interpolation '%s' is not supported",
                                 interp);
    bool first = frost__keras_channels_first(L);
    if (first) TRY_V(x = frost__keras_to_channels_last(k, L, x, 4));
    /* Output size = input H, W times the factors, computed at plan time from x's shape. */
    frost__params sp;
    memset(&sp, 0, sizeof sp);
    sp.shape.out_dtype = FROST_DTYPE_I64;
    sp.shape.start = 1;
    sp.shape.end = 3;
    int hw = frost__keras_emit(k, L, "hw", FROST__OP_SHAPE, 1, &x, &sp);
    TRY_V(hw);
    int64_t f[2] = {size[0], size[1]};
    int fv = frost__keras_const_i64(k, L, "factors", f, 2, false);
    TRY_V(fv);
    frost__params mp;
    memset(&mp, 0, sizeof mp);
    mp.binary.fn = FROST__BIN_MUL;
    int sz = frost__keras_emit(k, L, "size", FROST__OP_BINARY, 2, (int[]){hw, fv}, &mp);
    TRY_V(sz);
    frost__params p;
    memset(&p, 0, sizeof p);
    p.resize.mode = bilinear ? 1 : 0;
    /* Keras (TF 2) resizes bilinear with half-pixel centers; TF.js, Keras < 2.4 and nearest use
     * asymmetric coordinates. */
    p.resize.coord = bilinear && k->flavor != FROST__KERAS_TFJS && !k->info.legacy_bilinear ? 1 : 0;
    p.resize.nearest_mode = 2;
    int y =
        frost__keras_emit(k, L, first ? "Resize" : NULL, FROST__OP_RESIZE, 2, (int[]){x, sz}, &p);
    TRY_V(y);
    if (first) TRY_V(y = frost__keras_to_channels_first(k, L, y, 4, true));
    *out = y;
    return FROST_OK;
}

/* ZeroPadding1D / Cropping1D: (left, right) from an int or a pair. */
static frost_status pair_1d(frost__kctx *k, const frost__klayer *L, const char *key, int64_t *lr) {
    int v[2];
    FROST_TRY(frost__keras_get_ints(k, L, key, 2, 1, 0, 1 << 30, v));
    lr[0] = v[0];
    lr[1] = v[1];
    return FROST_OK;
}

/* ZeroPadding1D (fn 0), Cropping1D (fn 1). */
frost_status frost__keras_layer_pad_crop_1d(frost__kctx *k, const frost__klayer *L,
                                            const keras_layer *e, const int *in, int n_in,
                                            int *out) {
    (void)n_in;
    int x = in[0];
    bool crop = e->fn != 0;
    int64_t lr[2];
    FROST_TRY(pair_1d(k, L, crop ? "cropping" : "padding", lr));
    if (crop) {
        int64_t start = lr[0], end = lr[1] ? -lr[1] : INT64_MAX, axis = 1;
        int sv = frost__keras_const_i64(k, L, "starts", &start, 1, false);
        int ev = frost__keras_const_i64(k, L, "ends", &end, 1, false);
        int av = frost__keras_const_i64(k, L, "axes", &axis, 1, false);
        TRY_V(sv); TRY_V(ev); TRY_V(av);
        TRY_V(*out =
                  frost__keras_emit(k, L, NULL, FROST__OP_SLICE, 4, (int[]){x, sv, ev, av}, NULL));
        return FROST_OK;
    }
    int64_t pads[6] = {0, 0, lr[0], lr[1], 0, 0};
    return zero_pad(k, L, x, pads, 3, out);
}
