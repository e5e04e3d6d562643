/* keras_v3.c — Keras 3 .keras files: a zip holding config.json (the model config), metadata.json
 * (keras_version) and model.weights.h5, whose weights sit at layers/<layer>/vars/<i> (nested
 * models: layers/<model>/layers/<layer>/vars/<i>), in the layer's creation order. The weights file
 * is opened from memory, never written to disk. Everything goes through fmt/zip.h, fmt/hdf5.h and
 * fmt/json.h; this file never calls libzip, libhdf5 or cJSON itself. */
#include "import/import.h"
#include "import/keras/keras.h"
#include "fmt/hdf5.h"
#include "fmt/zip.h"

#include <stdio.h>

#define KERAS_V3_MAX_CONFIG ((size_t)64 << 20)
#define KERAS_V3_MAX_WEIGHTS ((size_t)4 << 30)

typedef struct v3_source {
    frost__h5 *f;
    uint64_t max_bytes;
} v3_source;

static frost_status v3_fetch(void *ctx, const char *const *path, int npath, const char *roles,
                             int index, float **data, frost__shape *shape, frost_error *err) {
    v3_source *s = ctx;
    char p[2048];
    size_t len = 0;
    for (int i = 0; i < npath && len < sizeof p; i++)
        len += (size_t)snprintf(p + len, sizeof p - len, "%slayers/%s", i ? "/" : "", path[i]);
    if (len >= sizeof p) return frost__fail(err, FROST_E_LIMIT, NULL, NULL, -1, "layer path too long");
    snprintf(p + len, sizeof p - len, "/vars/%d", index);
    if (frost__h5_kind_of(s->f, p) != FROST__H5_DATASET)
        return frost__fail(err, FROST_E_NOT_FOUND, NULL, NULL, -1, "no dataset '%s'", p);
    return frost__h5_read_f32(s->f, p, s->max_bytes, data, shape, err);
}

frost_status frost__import_keras_v3(const void *data, size_t size, frost__graph *g,
                                    frost_error *err) {
    frost__zip *z = NULL;
    FROST_TRY(frost__zip_open_memory(data, size, &g->alloc, &z, err));
    void *cfg_text = NULL, *meta_text = NULL, *weights = NULL;
    size_t cfg_len = 0, meta_len = 0, weights_len = 0;
    frost__json *cfg = NULL, *meta = NULL;
    frost__h5 *f = NULL;
    frost_status st = frost__zip_read(z, "config.json", KERAS_V3_MAX_CONFIG, &cfg_text, &cfg_len, err);
    if (st == FROST_E_NOT_FOUND)
        st = frost__fail(err, FROST_E_FORMAT, NULL, NULL, -1,
                         "the .keras archive has no config.json: not a Keras 3 model file");
    if (st != FROST_OK) goto out;
    st = frost__json_parse(cfg_text, cfg_len, KERAS_V3_MAX_CONFIG, "config.json", &cfg, err);
    if (st != FROST_OK) goto out;
    frost__keras_flavor flavor = FROST__KERAS_3;
    if (frost__zip_read(z, "metadata.json", 1 << 20, &meta_text, &meta_len, NULL) == FROST_OK &&
        frost__json_parse(meta_text, meta_len, 0, "metadata.json", &meta, NULL) == FROST_OK) {
        const char *v = frost__json_get_str(meta, "keras_version");
        if (v && v[0] == '2') flavor = FROST__KERAS_2;
    }
    size_t max_w = g->max_tensor_bytes ? (size_t)FROST_MIN((uint64_t)KERAS_V3_MAX_WEIGHTS,
                                                           g->max_tensor_bytes * 4)
                                       : KERAS_V3_MAX_WEIGHTS;
    st = frost__zip_read(z, "model.weights.h5", max_w, &weights, &weights_len, err);
    if (st == FROST_E_NOT_FOUND)
        st = frost__fail(err, FROST_E_FORMAT, NULL, NULL, -1,
                         "the .keras archive has no model.weights.h5");
    if (st != FROST_OK) goto out;
    static const char *const optimizer_groups[] = {"optimizer", NULL};
    st = frost__h5_open_memory(weights, weights_len, &g->alloc, "model.weights.h5",
                               g->max_tensor_bytes, optimizer_groups, &f, err);
    if (st != FROST_OK) goto out;
    /* The snapshot holds the weights now: drop the file image before building. */
    frost__free(&g->alloc, weights);
    weights = NULL;
    v3_source src = {f, g->max_tensor_bytes};
    frost__keras_weights w = {&src, v3_fetch};
    g->format = FROST_FORMAT_KERAS_V3;
    st = frost__keras_build(g, cfg, flavor, &w, NULL, err);
out:
    if (f) frost__h5_close(f);
    frost__json_free(cfg);
    frost__json_free(meta);
    frost__free(&g->alloc, cfg_text);
    frost__free(&g->alloc, meta_text);
    frost__free(&g->alloc, weights);
    frost__zip_close(z);
    return st;
}
