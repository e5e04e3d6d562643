/* keras_v3.c — Keras 3 .keras files: a zip holding config.json (the model config), metadata.json
 * (keras_version) and model.weights.h5. The weights file is opened from memory, never written to
 * disk. Everything goes through fmt/zip.h, fmt/hdf5.h and fmt/json.h; this file never calls libzip,
 * libhdf5 or cJSON itself.
 *
 * Where a layer's weights are: Keras' saving library (keras/src/saving/saving_lib.py) does not use
 * layer names, which a notebook that built several models numbers on (conv2d_20). It walks each
 * model's `layers` list in order and names every entry after its class in snake case, with a
 * counter per class within that list: layers/conv2d, layers/conv2d_1, layers/dense; a nested model
 * is a layer like any other (layers/sequential/layers/dense), and a layer's variables are
 * vars/0, vars/1, ... in Keras order. This file rebuilds that map from config.json and fetches by
 * it; a layer with no entry is reported missing, never looked up by its name. */
#include "import/import.h"
#include "import/keras/keras.h"
#include "fmt/hdf5.h"
#include "fmt/zip.h"

#include <ctype.h>
#include <stdio.h>

#define KERAS_V3_MAX_CONFIG ((size_t)64 << 20)
#define KERAS_V3_MAX_WEIGHTS ((size_t)4 << 30)

/* One layer's place in model.weights.h5: its names path (enclosing models, then the layer,
 * '/'-joined, as frost__keras_weights.fetch spells it) and its group. */
typedef struct v3_place {
    char *names;
    char *group;
} v3_place;

typedef struct v3_source {
    frost__h5 *f;
    uint64_t max_bytes;
    const frost_allocator *a;
    v3_place *places;
    int n_places, cap_places;
} v3_source;

/* Keras' to_snake_case: drop non-word characters, '_' before every capitalized word that follows
 * a character ("BatchNormalization" -> "Batch_Normalization"), '_' between a lower-case letter and
 * a capital ("ReLU" -> "Re_LU"), then lower case. */
static void snake_case(const char *cls, char *out, size_t cap) {
    char a[256], b[512];
    size_t n = 0;
    for (const char *c = cls; *c && n + 1 < sizeof a; c++)
        if (isalnum((unsigned char)*c) || *c == '_') a[n++] = *c;
    a[n] = 0;
    size_t m = 0;
    for (size_t i = 0; i < n && m + 2 < sizeof b;) {
        if (i + 2 < n && isupper((unsigned char)a[i + 1]) &&
            islower((unsigned char)a[i + 2])) {
            size_t j = i + 2;
            while (j < n && islower((unsigned char)a[j])) j++;
            b[m++] = a[i];
            b[m++] = '_';
            for (size_t k = i + 1; k < j && m + 1 < sizeof b; k++) b[m++] = a[k];
            i = j;
            continue;
        }
        b[m++] = a[i++];
    }
    b[m] = 0;
    size_t o = 0;
    for (size_t i = 0; i < m && o + 2 < cap; i++) {
        if (islower((unsigned char)b[i]) && i + 1 < m && isupper((unsigned char)b[i + 1])) {
            out[o++] = b[i];
            out[o++] = '_';
            out[o++] = (char)tolower((unsigned char)b[i + 1]);
            i++;
            continue;
        }
        out[o++] = (char)tolower((unsigned char)b[i]);
    }
    out[o] = 0;
}

static char *dup_str(const frost_allocator *a, const char *s) {
    size_t n = strlen(s) + 1;
    char *d = frost__alloc(a, n);
    if (d) memcpy(d, s, n);
    return d;
}

static frost_status add_place(v3_source *s, const char *names, const char *group, frost_error *err) {
    if (s->n_places == s->cap_places) {
        int cap = s->cap_places ? 2 * s->cap_places : 32;
        v3_place *grown = frost__alloc(s->a, (size_t)cap * sizeof *grown);
        if (!grown) return frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
        if (s->n_places) memcpy(grown, s->places, (size_t)s->n_places * sizeof *grown);
        frost__free(s->a, s->places);
        s->places = grown;
        s->cap_places = cap;
    }
    v3_place *p = &s->places[s->n_places];
    p->names = dup_str(s->a, names);
    p->group = dup_str(s->a, group);
    if (!p->names || !p->group) {
        frost__free(s->a, p->names);
        frost__free(s->a, p->group);
        return frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
    }
    s->n_places++;
    return FROST_OK;
}

/* Records the weight group of every layer of `model` (and of the models nested in it). */
static frost_status map_places(v3_source *s, const frost__json *model, const char *names,
                               const char *group, int depth, frost_error *err) {
    const frost__json *cfg = frost__json_get(model, "config");
    const frost__json *layers = frost__json_is_array(cfg) ? cfg : frost__json_get(cfg, "layers");
    if (!frost__json_is_array(layers)) return FROST_OK;
    if (depth > FROST_KERAS_MAX_DEPTH)
        return frost__fail(err, FROST_E_LIMIT, NULL, NULL, -1, "models nested more than %d deep",
                           FROST_KERAS_MAX_DEPTH);
    int n = frost__json_len(layers);
    /* Per class: its snake-case name and how many entries of this list had it so far. */
    char (*seen)[128] = frost__calloc(s->a, (size_t)(n ? n : 1), sizeof *seen);
    int *count = frost__calloc(s->a, (size_t)(n ? n : 1), sizeof *count);
    int n_seen = 0;
    frost_status st = FROST_OK;
    if (!seen || !count) st = frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
    for (int i = 0; i < n && st == FROST_OK; i++) {
        const frost__json *layer = frost__json_at(layers, i);
        const char *cls = frost__json_get_str(layer, "class_name");
        const char *lname = frost__json_get_str(frost__json_get(layer, "config"), "name");
        if (!lname) lname = frost__json_get_str(layer, "name");
        if (!cls || !lname) continue; /* the model builder reports it */
        char snake[128];
        snake_case(cls, snake, sizeof snake);
        int k = 0;
        while (k < n_seen && strcmp(seen[k], snake) != 0) k++;
        if (k == n_seen) snprintf(seen[n_seen++], sizeof seen[0], "%s", snake);
        char entry[160];
        if (count[k]++ == 0) snprintf(entry, sizeof entry, "%s", snake);
        else snprintf(entry, sizeof entry, "%s_%d", snake, count[k] - 1);
        char nm[1024], gr[1024];
        int a = snprintf(nm, sizeof nm, "%s%s", names, lname);
        int b = snprintf(gr, sizeof gr, "%slayers/%s", group, entry);
        if (a < 0 || b < 0 || (size_t)a >= sizeof nm - 1 || (size_t)b >= sizeof gr - 1) {
            st = frost__fail(err, FROST_E_LIMIT, lname, cls, -1, "layer path too long");
            break;
        }
        st = add_place(s, nm, gr, err);
        if (st == FROST_OK && frost__json_get(frost__json_get(layer, "config"), "layers")) {
            strcat(nm, "/");
            strcat(gr, "/");
            st = map_places(s, layer, nm, gr, depth + 1, err);
        }
    }
    frost__free(s->a, seen);
    frost__free(s->a, count);
    return st;
}

static frost_status v3_fetch(void *ctx, const char *const *path, int npath, const char *roles,
                             int index, float **data, frost__shape *shape, frost_error *err) {
    (void)roles;
    v3_source *s = ctx;
    char names[1024];
    size_t len = 0;
    for (int i = 0; i < npath && len < sizeof names; i++)
        len += (size_t)snprintf(names + len, sizeof names - len, "%s%s", i ? "/" : "", path[i]);
    if (len >= sizeof names)
        return frost__fail(err, FROST_E_LIMIT, NULL, NULL, -1, "layer path too long");
    const char *group = NULL;
    for (int i = 0; i < s->n_places && !group; i++)
        if (!strcmp(s->places[i].names, names)) group = s->places[i].group;
    if (!group)
        return frost__fail(err, FROST_E_NOT_FOUND, NULL, NULL, -1,
                           "layer '%s' is not in the config's layer lists", names);
    char p[1100];
    snprintf(p, sizeof p, "%s/vars/%d", group, index);
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
    v3_source src;
    memset(&src, 0, sizeof src);
    src.a = &g->alloc;
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
    src.f = f;
    src.max_bytes = g->max_tensor_bytes;
    st = map_places(&src, cfg, "", "", 0, err);
    if (st != FROST_OK) goto out;
    frost__keras_weights w = {&src, v3_fetch};
    g->format = FROST_FORMAT_KERAS_V3;
    st = frost__keras_build(g, cfg, flavor, &w, NULL, err);
out:
    for (int i = 0; i < src.n_places; i++) {
        frost__free(&g->alloc, src.places[i].names);
        frost__free(&g->alloc, src.places[i].group);
    }
    frost__free(&g->alloc, src.places);
    if (f) frost__h5_close(f);
    frost__json_free(cfg);
    frost__json_free(meta);
    frost__free(&g->alloc, cfg_text);
    frost__free(&g->alloc, meta_text);
    frost__free(&g->alloc, weights);
    frost__zip_close(z);
    return st;
}
