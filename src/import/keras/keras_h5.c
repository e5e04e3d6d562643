/* keras_h5.c — Keras .h5 files (legacy HDF5 format, written by Keras 1/2 and by Keras 3's
 * legacy saver): the `model_config` root attribute holds the model JSON, weights sit under
 * model_weights/<layer>/ listed by its `weight_names` attribute. Also the split form: architecture
 * JSON (model.to_json()) plus a weights-only .h5 (layer groups at the root). Everything is read
 * through fmt/hdf5.h and fmt/json.h; this file never calls libhdf5 or cJSON itself, and never
 * trusts a weight name: each is resolved as a hard-link path below the layer's own group. */
#include "import/import.h"
#include "import/keras/keras.h"
#include "fmt/hdf5.h"

#include <stdio.h>

/* Training state saved next to the weights: never needed for inference. */
static const char *const optimizer_groups[] = {"optimizer_weights", NULL};

typedef struct h5_source {
    frost__h5 *f;
    const char *root;        /* "model_weights" or "" (weights-only files)                 */
    uint64_t max_bytes;
} h5_source;

static frost_status h5_fetch(void *ctx, const char *const *path, int npath, const char *roles,
                             int index, float **data, frost__shape *shape, frost_error *err) {
    h5_source *s = ctx;
    char group[1024];
    snprintf(group, sizeof group, "%s%s%s", s->root, *s->root ? "/" : "", path[0]);
    if (frost__h5_kind_of(s->f, group) != FROST__H5_GROUP)
        return frost__fail(err, FROST_E_NOT_FOUND, NULL, NULL, -1, "no group '%s'", group);
    char **names = NULL;
    int n = 0;
    frost_status st = frost__h5_attr_strings(s->f, group, "weight_names", 0, &names, &n, err);
    if (st != FROST_OK) return st;
    int pick = frost__keras_match_weight_own((const char *const *)names, n, path, npath, roles,
                                             index);
    if (pick < 0) {
        frost__h5_free_strings(s->f, names, n);
        return frost__fail(err, FROST_E_NOT_FOUND, NULL, NULL, -1, "not in '%s'", group);
    }
    char ds[2048];
    snprintf(ds, sizeof ds, "%s/%s", group, names[pick]);
    frost__h5_free_strings(s->f, names, n);
    return frost__h5_read_f32(s->f, ds, s->max_bytes, data, shape, err);
}

/* Keras version from the file's attributes ("2.1.6-tf", "3.1.1"); "" when absent. h5py writes it
 * as a variable-length string, which libhdf5 reads through a heap that corrupted files can make it
 * crash on: it only refines old-Keras details, so only fixed-length copies are read. */
static void h5_version(frost__h5 *f, const char *root, char *out, size_t cap) {
    char **v = NULL;
    int n = 0;
    out[0] = 0;
    const char *where = *root && !frost__h5_attr_is_variable(f, root, "keras_version") ? root : "";
    if (frost__h5_attr_is_variable(f, where, "keras_version")) return;
    if (frost__h5_attr_strings(f, where, "keras_version", 0, &v, &n, NULL) == FROST_OK) {
        if (n > 0) snprintf(out, cap, "%s", v[0]);
        frost__h5_free_strings(f, v, n);
    }
}

/* Keras 3 writes InputLayer shapes as "batch_shape" (Keras 2: "batch_input_shape"). */
static bool config_is_keras3(const frost__json *model) {
    if (frost__json_get(model, "module")) return true;
    const frost__json *cfg = frost__json_get(model, "config");
    const frost__json *layers = frost__json_is_array(cfg) ? cfg : frost__json_get(cfg, "layers");
    for (int i = 0; i < frost__json_len(layers); i++)
        if (frost__json_get(frost__json_get(frost__json_at(layers, i), "config"), "batch_shape"))
            return true;
    return false;
}

static frost_status build_from(frost__h5 *f, const char *json, size_t json_len, const char *root,
                               frost__graph *g, frost_error *err) {
    frost__json *cfg = NULL;
    FROST_TRY(frost__json_parse(json, json_len, 0, "the Keras model config", &cfg, err));
    h5_source src = {f, root, g->max_tensor_bytes};
    frost__keras_weights w = {&src, h5_fetch};
    char version[64];
    h5_version(f, root, version, sizeof version);
    int major = 0, minor = 0;
    sscanf(version, "%d.%d", &major, &minor);
    frost__keras_info info = {major > 0 && (major < 2 || (major == 2 && minor < 4))};
    bool keras3 = major == 3 || config_is_keras3(cfg);
    g->format = FROST_FORMAT_KERAS_H5;
    frost_status st = frost__keras_build(g, cfg, keras3 ? FROST__KERAS_3 : FROST__KERAS_2, &w, &info,
                                         err);
    frost__json_free(cfg);
    return st;
}

frost_status frost__import_keras_h5(const void *data, size_t size, frost__graph *g,
                                    frost_error *err) {
    frost__h5 *f = NULL;
    FROST_TRY(frost__h5_open_memory(data, size, &g->alloc, "the Keras .h5 file", g->max_tensor_bytes,
                                    optimizer_groups, &f, err));
    char **cfg = NULL;
    int n = 0;
    frost_status st = frost__h5_attr_strings(f, "", "model_config", 0, &cfg, &n, err);
    if (st == FROST_E_NOT_FOUND) {
        st = frost__fail(err, FROST_E_FORMAT, NULL, NULL, -1,
                         "the .h5 file has no 'model_config' attribute: it holds weights only "
                         "(model.save_weights); load it together with the model's JSON");
    } else if (st == FROST_OK && n != 1) {
        st = frost__fail(err, FROST_E_FORMAT, NULL, NULL, -1,
                         "the .h5 'model_config' attribute holds %d strings, expected 1", n);
    } else if (st == FROST_OK) {
        const char *root = frost__h5_kind_of(f, "model_weights") == FROST__H5_GROUP ? "model_weights" : "";
        st = build_from(f, cfg[0], strlen(cfg[0]), root, g, err);
    }
    frost__h5_free_strings(f, cfg, n);
    frost__h5_close(f);
    return st;
}

frost_status frost__import_keras_json_h5(const void *json, size_t json_size, const void *h5,
                                         size_t h5_size, frost__graph *g, frost_error *err) {
    frost__h5 *f = NULL;
    FROST_TRY(frost__h5_open_memory(h5, h5_size, &g->alloc, "the Keras weights .h5 file",
                                    g->max_tensor_bytes, optimizer_groups, &f, err));
    const char *root = frost__h5_kind_of(f, "model_weights") == FROST__H5_GROUP ? "model_weights" : "";
    frost_status st = build_from(f, json, json_size, root, g, err);
    frost__h5_close(f);
    return st;
}
