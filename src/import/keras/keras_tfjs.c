/* keras_tfjs.c — TensorFlow.js layers models: model.json ("format": "layers-model") whose
 * modelTopology is the Keras model config and whose weightsManifest lists weight groups, each
 * stored across one or more binary shard files next to model.json. A group's shards are
 * concatenated, so a weight may straddle two shards. Weights are little-endian float32 or int32, or
 * quantized (uint8 / uint16 with scale and min, float16).
 *
 * Shards come through core/files.h (beside model.json, or the caller's buffers), which refuses
 * names leaving model.json's folder. It must never read past a group's bytes (every weight's extent
 * is checked), and never call cJSON itself (fmt/json.h does). */
#include "import/import.h"
#include "import/keras/keras.h"
#include "core/files.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>

#define TFJS_MAX_JSON ((size_t)256 << 20)
#define TFJS_MAX_SHARDS_BYTES ((uint64_t)4 << 30)

typedef enum { W_F32, W_I32, W_U8, W_U16, W_F16 } wkind;

typedef struct tfjs_weight {
    const char *name;           /* borrowed from the manifest JSON                          */
    frost__shape shape;
    int64_t numel;
    const unsigned char *bytes; /* inside its group's buffer                                */
    wkind kind;
    float scale, min;
} tfjs_weight;

typedef struct tfjs_source {
    frost__graph *g;
    tfjs_weight *w;
    const char **names;
    int n;
    unsigned char **groups;     /* concatenated shards, one buffer per manifest group        */
    int n_groups;
} tfjs_source;

static float half_to_float(uint16_t h) {
    int s = h >> 15, e = (h >> 10) & 31, m = h & 1023;
    float v;
    if (e == 0) v = ldexpf((float)m, -24);
    else if (e == 31) v = m ? NAN : INFINITY;
    else v = ldexpf((float)(m | 1024), e - 25);
    return s ? -v : v;
}

static frost_status tfjs_fetch(void *ctx, const char *const *path, int npath, const char *roles,
                               int index, float **data, frost__shape *shape, frost_error *err) {
    tfjs_source *s = ctx;
    int pick = frost__keras_match_weight(s->names, s->n, path, npath, roles, index);
    if (pick < 0) return frost__fail(err, FROST_E_NOT_FOUND, NULL, NULL, -1, "not in the manifest");
    const tfjs_weight *w = &s->w[pick];
    float *out = frost__alloc(&s->g->alloc, (size_t)(w->numel ? w->numel : 1) * sizeof(float));
    if (!out) return frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
    const unsigned char *b = w->bytes;
    for (int64_t i = 0; i < w->numel; i++) {
        switch (w->kind) {
        case W_F32: memcpy(&out[i], b + 4 * i, 4); break;
        case W_I32: { int32_t v; memcpy(&v, b + 4 * i, 4); out[i] = (float)v; break; }
        case W_U8: out[i] = b[i] * w->scale + w->min; break;
        case W_U16: { uint16_t v; memcpy(&v, b + 2 * i, 2); out[i] = v * w->scale + w->min; break; }
        case W_F16: { uint16_t v; memcpy(&v, b + 2 * i, 2); out[i] = half_to_float(v); break; }
        }
    }
    *data = out;
    *shape = w->shape;
    return FROST_OK;
}

/* Loads every manifest group (its shards concatenated) and indexes the weights. */
static frost_status load_manifest(tfjs_source *s, const frost__json *manifest,
                                  const frost__files *files, frost_error *err) {
    frost__graph *g = s->g;
    int n_groups = frost__json_len(manifest);
    if (!frost__json_is_array(manifest))
        return frost__fail(err, FROST_E_FORMAT, NULL, NULL, -1, "model.json: 'weightsManifest' is not a list");
    int total = 0;
    for (int i = 0; i < n_groups; i++) total += frost__json_len(frost__json_get(frost__json_at(manifest, i), "weights"));
    s->groups = frost__calloc(&g->alloc, (size_t)n_groups + 1, sizeof *s->groups);
    s->w = frost__calloc(&g->alloc, (size_t)total + 1, sizeof *s->w);
    s->names = frost__calloc(&g->alloc, (size_t)total + 1, sizeof *s->names);
    if (!s->groups || !s->w || !s->names)
        return frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
    s->n_groups = n_groups;
    uint64_t budget = TFJS_MAX_SHARDS_BYTES;
    for (int gi = 0; gi < n_groups; gi++) {
        const frost__json *grp = frost__json_at(manifest, gi);
        const frost__json *paths = frost__json_get(grp, "paths");
        const frost__json *weights = frost__json_get(grp, "weights");
        int np = frost__json_len(paths);
        /* Read the shards one by one, then concatenate: a weight may span two of them. */
        void **parts = frost__calloc(&g->alloc, (size_t)np + 1, sizeof *parts);
        size_t *sizes = frost__calloc(&g->alloc, (size_t)np + 1, sizeof *sizes);
        frost_status st = parts && sizes ? FROST_OK
                                         : frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
        size_t group_bytes = 0;
        for (int p = 0; p < np && st == FROST_OK; p++) {
            const char *rel = frost__json_str(frost__json_at(paths, p));
            if (!frost__files_name_ok(rel)) {
                st = frost__fail(err, FROST_E_FORMAT, NULL, NULL, -1,
                                 "model.json: weight shard path '%s' must be a plain relative name",
                                 rel ? rel : "(not a string)");
                break;
            }
            frost__files within = *files;
            within.max_bytes = budget;
            st = frost__files_read(&within, rel, &g->alloc, &parts[p], &sizes[p], err);
            if (st == FROST_OK) {
                budget -= sizes[p];
                group_bytes += sizes[p];
            }
        }
        unsigned char *buf = NULL;
        if (st == FROST_OK) {
            buf = frost__alloc(&g->alloc, group_bytes + 1);
            if (!buf) st = frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
        }
        size_t at = 0;
        for (int p = 0; p < np && parts; p++) {
            if (buf && parts[p]) memcpy(buf + at, parts[p], sizes[p]);
            at += parts && parts[p] ? sizes[p] : 0;
            frost__free(&g->alloc, parts[p]);
        }
        frost__free(&g->alloc, parts);
        frost__free(&g->alloc, sizes);
        if (st != FROST_OK) {
            frost__free(&g->alloc, buf);
            return st;
        }
        s->groups[gi] = buf;
        size_t off = 0;
        for (int wi = 0; wi < frost__json_len(weights); wi++) {
            const frost__json *wj = frost__json_at(weights, wi);
            tfjs_weight *w = &s->w[s->n];
            w->name = frost__json_get_str(wj, "name");
            if (!w->name)
                return frost__fail(err, FROST_E_FORMAT, NULL, NULL, -1,
                                   "model.json: weight %d of group %d has no name", wi, gi);
            frost__klayer L = {w->name, "weight", wj, w->name};
            frost__kctx kc;
            memset(&kc, 0, sizeof kc);
            kc.g = g;
            kc.err = err;
            FROST_TRY(frost__keras_shape(&kc, &L, frost__json_get(wj, "shape"), "shape", &w->shape));
            for (int d = 0; d < w->shape.rank; d++)
                if (w->shape.d[d] < 0)
                    return frost__fail(err, FROST_E_FORMAT, w->name, NULL, -1,
                                       "model.json: weight '%s' has an unknown dimension", w->name);
            if (!frost__shape_numel_ok(&w->shape, &w->numel))
                return frost__fail(err, FROST_E_LIMIT, w->name, NULL, -1,
                                   "model.json: weight '%s' is too large", w->name);
            const char *dtype = frost__json_get_str(wj, "dtype");
            const frost__json *q = frost__json_get(wj, "quantization");
            int esize = 4;
            w->kind = W_F32;
            if (dtype && !strcmp(dtype, "int32")) w->kind = W_I32;
            else if (dtype && strcmp(dtype, "float32"))
                return frost__fail(err, FROST_E_UNSUPPORTED, w->name, NULL, -1,
                                   "model.json: weight '%s' has dtype '%s'", w->name, dtype);
            if (!frost__json_is_null(q)) {
                const char *qd = frost__json_get_str(q, "dtype");
                double scale = 1, min = 0;
                frost__json_get_num(q, "scale", 1, &scale);
                frost__json_get_num(q, "min", 0, &min);
                w->scale = (float)scale;
                w->min = (float)min;
                if (qd && !strcmp(qd, "uint8")) w->kind = W_U8, esize = 1;
                else if (qd && !strcmp(qd, "uint16")) w->kind = W_U16, esize = 2;
                else if (qd && !strcmp(qd, "float16")) w->kind = W_F16, esize = 2;
                else
                    return frost__fail(err, FROST_E_UNSUPPORTED, w->name, NULL, -1,
                                       "model.json: weight '%s' uses quantization '%s'", w->name,
                                       qd ? qd : "?");
            }
            size_t bytes;
            if (!frost__size_mul_ok((size_t)w->numel, (size_t)esize, &bytes) ||
                bytes > group_bytes - off) {
                char sb[128];
                return frost__fail(err, FROST_E_FORMAT, w->name, NULL, (int64_t)off,
                                   "model.json: weight '%s' of shape %s needs %zu bytes at offset %zu "
                                   "of weight group %d, which has only %zu",
                                   w->name, frost__shape_str(&w->shape, sb, sizeof sb),
                                   (size_t)w->numel * (size_t)esize, off, gi, group_bytes);
            }
            w->bytes = buf + off;
            off += bytes;
            s->names[s->n] = w->name;
            s->n++;
        }
    }
    return FROST_OK;
}

static void free_source(tfjs_source *s) {
    frost__graph *g = s->g;
    for (int i = 0; i < s->n_groups; i++) frost__free(&g->alloc, s->groups[i]);
    frost__free(&g->alloc, s->groups);
    frost__free(&g->alloc, s->w);
    frost__free(&g->alloc, s->names);
}

frost_status frost__import_tfjs_layers(const void *json, size_t size, const frost__files *files,
                                       frost__graph *g, frost_error *err) {
    frost__json *doc = NULL;
    FROST_TRY(frost__json_parse(json, size, TFJS_MAX_JSON, "model.json", &doc, err));
    frost_status st = FROST_OK;
    tfjs_source src;
    memset(&src, 0, sizeof src);
    src.g = g;
    const char *format = frost__json_get_str(doc, "format");
    const frost__json *topo = frost__json_get(doc, "modelTopology");
    if (frost__json_get(topo, "model_config")) topo = frost__json_get(topo, "model_config");
    if (format && strcmp(format, "layers-model")) {
        st = frost__fail(err, FROST_E_FORMAT, NULL, NULL, -1,
                         "model.json is a TF.js '%s', not a layers model", format);
    } else if (!topo && frost__json_get(doc, "class_name") && frost__json_get(doc, "config")) {
        st = frost__fail(err, FROST_E_FORMAT, NULL, NULL, -1,
                         "this JSON is a Keras model architecture (model.to_json()) without weights: "
                         "load the .h5 saved with the model instead, or the JSON with its weights file");
    } else if (!frost__json_is_object(topo) || !frost__json_get(topo, "class_name")) {
        st = frost__fail(err, FROST_E_FORMAT, NULL, NULL, -1,
                         "model.json has no Keras 'modelTopology' (class_name and config)");
    } else {
        st = load_manifest(&src, frost__json_get(doc, "weightsManifest"), files, err);
        if (st == FROST_OK) {
            frost__keras_weights w = {&src, tfjs_fetch};
            g->format = FROST_FORMAT_TFJS_LAYERS;
            st = frost__keras_build(g, topo, FROST__KERAS_TFJS, &w, NULL, err);
        }
    }
    free_source(&src);
    frost__json_free(doc);
    return st;
}
