/* keras_builder.h — builds small Keras files in memory for the Keras importer tests: a legacy .h5
 * (model_config attribute + model_weights/<layer>/<layer>/<name>:0 datasets, as Keras 2 writes
 * them) with libhdf5's core driver, and a Keras 3 .keras zip (config.json, metadata.json,
 * model.weights.h5 with layers/<layer>/vars/<i>) with libzip. Tests call the libraries directly
 * here on purpose: they forge files, including broken ones, that frost must read. */
#ifndef FROST_TEST_KERAS_BUILDER_H
#define FROST_TEST_KERAS_BUILDER_H

#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

typedef struct kb_weight {
    const char *layer;     /* layer group                                             */
    const char *name;      /* "kernel", "bias", ... (Keras 3: ignored, index order);
                            * "=literal" for a name written as is                   */
    int rank;
    hsize_t dims[4];
    const float *data;     /* NULL: declared but never written                         */
} kb_weight;

static void kb_attr_string(hid_t obj, const char *name, const char *value) {
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, strlen(value) + 1);
    hid_t sp = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(obj, name, t, sp, H5P_DEFAULT, H5P_DEFAULT);
    H5Awrite(a, t, value);
    H5Aclose(a);
    H5Sclose(sp);
    H5Tclose(t);
}

static void kb_attr_strings(hid_t obj, const char *name, const char *const *values, int n) {
    size_t w = 1;
    for (int i = 0; i < n; i++)
        if (strlen(values[i]) + 1 > w) w = strlen(values[i]) + 1;
    char *buf = calloc(n > 0 ? (size_t)n : 1, w);
    for (int i = 0; i < n; i++) memcpy(buf + (size_t)i * w, values[i], strlen(values[i]));
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, w);
    hsize_t dn = (hsize_t)n;
    hid_t sp = n ? H5Screate_simple(1, &dn, NULL) : H5Screate(H5S_NULL);
    hid_t a = H5Acreate2(obj, name, t, sp, H5P_DEFAULT, H5P_DEFAULT);
    if (n) H5Awrite(a, t, buf);
    H5Aclose(a);
    H5Sclose(sp);
    H5Tclose(t);
    free(buf);
}

static void kb_dataset(hid_t parent, const char *path, const kb_weight *w) {
    hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
    H5Pset_create_intermediate_group(lcpl, 1);
    hid_t sp = H5Screate_simple(w->rank, w->dims, NULL);
    hid_t d = H5Dcreate2(parent, path, H5T_IEEE_F32LE, sp, lcpl, H5P_DEFAULT, H5P_DEFAULT);
    if (w->data) H5Dwrite(d, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, w->data);
    H5Dclose(d);
    H5Sclose(sp);
    H5Pclose(lcpl);
}

static void *kb_image(hid_t f, size_t *size) {
    H5Fflush(f, H5F_SCOPE_GLOBAL);
    ssize_t n = H5Fget_file_image(f, NULL, 0);
    void *buf = malloc((size_t)n);
    H5Fget_file_image(f, buf, (size_t)n);
    *size = (size_t)n;
    H5Fclose(f);
    return buf;
}

static hid_t kb_create(void) {
    static int counter;
    char name[64];
    snprintf(name, sizeof name, "kb-%d", counter++);
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    H5Pset_fapl_core(fapl, 1 << 16, 0);
    hid_t f = H5Fcreate(name, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
    H5Pclose(fapl);
    return f;
}

/* A Keras 2 style .h5: config (may be NULL: weights only) + weights. */
static void *kb_h5(const char *config, const kb_weight *w, int nw, size_t *size) {
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t f = kb_create();
    if (config) kb_attr_string(f, "model_config", config);
    kb_attr_string(f, "keras_version", "2.3.1");
    hid_t mw = H5Gcreate2(f, "model_weights", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    const char *layers[64] = {NULL};
    int nl = 0;
    for (int i = 0; i < nw && nl < 64; i++) {
        int seen = 0;
        for (int j = 0; j < nl; j++) seen |= !strcmp(layers[j], w[i].layer);
        if (!seen) layers[nl++] = w[i].layer;
    }
    kb_attr_strings(mw, "layer_names", layers, nl);
    for (int l = 0; l < nl; l++) {
        hid_t g = H5Gcreate2(mw, layers[l], H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        char names[16][256];
        const char *ptrs[16];
        int n = 0;
        for (int i = 0; i < nw && n < 16; i++) {
            if (strcmp(w[i].layer, layers[l])) continue;
            /* "=name": written as is (Keras 1 wrote "dense_1_W"). */
            if (w[i].name[0] == '=') snprintf(names[n], sizeof names[n], "%s", w[i].name + 1);
            else snprintf(names[n], sizeof names[n], "%s/%s:0", w[i].layer, w[i].name);
            ptrs[n] = names[n];
            kb_dataset(g, names[n], &w[i]);
            n++;
        }
        kb_attr_strings(g, "weight_names", ptrs, n);
        H5Gclose(g);
    }
    H5Gclose(mw);
    return kb_image(f, size);
}

/* A Keras 3 model.weights.h5: layers/<layer>/vars/<i> in the order given. */
static void *kb_v3_weights(const kb_weight *w, int nw, size_t *size) {
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t f = kb_create();
    for (int i = 0; i < nw; i++) {
        int idx = 0;
        for (int j = 0; j < i; j++) idx += !strcmp(w[j].layer, w[i].layer);
        char path[512];
        snprintf(path, sizeof path, "layers/%s/vars/%d", w[i].layer, idx);
        kb_dataset(f, path, &w[i]);
    }
    return kb_image(f, size);
}

/* A zip of (name, bytes, size) members, in memory. */
static void *kb_zip(const char *const *names, const void *const *data, const size_t *sizes, int n,
                    size_t *size) {
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *src = zip_source_buffer_create(NULL, 0, 0, &ze);
    zip_source_keep(src);
    zip_t *z = zip_open_from_source(src, ZIP_TRUNCATE, &ze);
    for (int i = 0; i < n; i++) {
        zip_source_t *m = zip_source_buffer(z, data[i], sizes[i], 0);
        zip_file_add(z, names[i], m, ZIP_FL_OVERWRITE);
    }
    zip_close(z);
    zip_source_open(src);
    zip_source_seek(src, 0, SEEK_END);
    zip_int64_t len = zip_source_tell(src);
    zip_source_seek(src, 0, SEEK_SET);
    void *buf = malloc((size_t)len);
    zip_source_read(src, buf, (zip_uint64_t)len);
    zip_source_close(src);
    zip_source_free(src);
    zip_error_fini(&ze);
    *size = (size_t)len;
    return buf;
}

/* A .keras archive from a config and Keras 3 weights. */
static void *kb_keras(const char *config, const kb_weight *w, int nw, size_t *size) {
    size_t wn = 0;
    void *weights = kb_v3_weights(w, nw, &wn);
    const char *meta = "{\"keras_version\": \"3.1.1\"}";
    const char *names[] = {"metadata.json", "config.json", "model.weights.h5"};
    const void *data[] = {meta, config, weights};
    size_t sizes[] = {strlen(meta), strlen(config), wn};
    void *z = kb_zip(names, data, sizes, 3, size);
    free(weights);
    return z;
}

#endif
