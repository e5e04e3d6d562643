/* gen_corrupt_keras.c — writes the Keras files of the corrupt suite that need libhdf5 or libzip to
 * forge: a good .h5 and .keras (bases that gen_corrupt.py then damages byte by byte), and files that
 * are well-formed HDF5/zip but hostile Keras: soft links that loop, hard links forming a cycle,
 * external links, weights missing or of the wrong shape or dtype, huge declared datasets, configs
 * with cycles, dangling or duplicate names and unknown layers. Built with the same helpers as the
 * importer tests (tests/import/keras_builder.h). It writes only below the folder it is given.
 *
 * usage: gen_corrupt_keras TESTS_CORRUPT_DIR   (tests/corrupt/gen_corrupt.sh runs it) */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#include "keras_builder.h"
#pragma GCC diagnostic pop

static const char *out_dir;
static const float W[12] = {0.5f, -1, 0.25f, 1, 0.5f, -0.5f, -2, 0.75f, 1.5f, 0.1f, -0.3f, 0.2f};
static const float B[3] = {0.1f, -0.2f, 0.3f};
static float ZEROS[15];

#define SEQ_HEAD "{\"class_name\": \"Sequential\", \"config\": {\"name\": \"s\", \"layers\": [" \
    "{\"class_name\": \"InputLayer\", \"config\": {\"batch_input_shape\": [null, 4], \"dtype\": \"float32\", \"name\": \"x\"}}"
#define DENSE ", {\"class_name\": \"Dense\", \"config\": {\"name\": \"dense\", \"units\": 3, \"activation\": \"relu\", \"use_bias\": true}}"
#define SEQ_TAIL "]}}"
#define GOOD_CONFIG SEQ_HEAD DENSE SEQ_TAIL

static void spit(const char *rel, const void *data, size_t size) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", out_dir, rel);
    FILE *f = fopen(path, "wb");
    if (!f) {
        perror(path);
        exit(1);
    }
    fwrite(data, 1, size, f);
    fclose(f);
}

static const kb_weight GOOD_W[] = {{"dense", "kernel", 2, {4, 3}, W}, {"dense", "bias", 1, {3}, B}};

static void h5(const char *rel, const char *config, const kb_weight *w, int nw) {
    size_t size;
    void *img = kb_h5(config, w, nw, &size);
    spit(rel, img, size);
    free(img);
}

static void keras(const char *rel, const char *config, const kb_weight *w, int nw) {
    size_t size;
    void *z = kb_keras(config, w, nw, &size);
    spit(rel, z, size);
    free(z);
}

/* A Keras 2 .h5 built by hand so links and odd types can be placed: model_weights/dense holds
 * weight_names and, under dense/dense/, whatever `fill` puts there. */
static void h5_custom(const char *rel, const char *config, void (*fill)(hid_t file, hid_t layer)) {
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t f = kb_create();
    kb_attr_string(f, "model_config", config);
    kb_attr_string(f, "keras_version", "2.3.1");
    hid_t mw = H5Gcreate2(f, "model_weights", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    const char *layers[] = {"dense"};
    kb_attr_strings(mw, "layer_names", layers, 1);
    hid_t g = H5Gcreate2(mw, "dense", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    const char *names[] = {"dense/kernel:0", "dense/bias:0"};
    kb_attr_strings(g, "weight_names", names, 2);
    fill(f, g);
    H5Gclose(g);
    H5Gclose(mw);
    size_t size;
    void *img = kb_image(f, &size);
    spit(rel, img, size);
    free(img);
}

static void fill_soft_loop(hid_t f, hid_t g) {
    /* dense/dense is a soft link to itself: resolving dense/dense/kernel:0 would never end. */
    (void)f;
    H5Lcreate_soft("/model_weights/dense/dense", g, "dense", H5P_DEFAULT, H5P_DEFAULT);
}

static void fill_soft_chain(hid_t f, hid_t g) {
    /* dense/dense -> /a, /a -> /b, /b -> /model_weights/dense/dense: a loop through three links. */
    H5Lcreate_soft("/a", g, "dense", H5P_DEFAULT, H5P_DEFAULT);
    H5Lcreate_soft("/b", f, "a", H5P_DEFAULT, H5P_DEFAULT);
    H5Lcreate_soft("/model_weights/dense/dense", f, "b", H5P_DEFAULT, H5P_DEFAULT);
}

static void fill_hard_cycle(hid_t f, hid_t g) {
    /* dense/dense/up is a hard link back to model_weights: the group graph has a cycle. The real
     * weights sit where they should, so a reader that does not walk the graph loads the model. */
    hid_t d = H5Gcreate2(g, "dense", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    kb_weight k = {"", "", 2, {4, 3}, W}, b = {"", "", 1, {3}, B};
    kb_dataset(d, "kernel:0", &k);
    kb_dataset(d, "bias:0", &b);
    H5Lcreate_hard(f, "/model_weights", d, "up", H5P_DEFAULT, H5P_DEFAULT);
    H5Gclose(d);
    const char *names[] = {"dense/up/dense/dense/up/dense/dense/kernel:0", "dense/bias:0"};
    H5Adelete(g, "weight_names");
    kb_attr_strings(g, "weight_names", names, 2);
}

static void fill_external(hid_t f, hid_t g) {
    (void)f;
    H5Lcreate_external("/etc/passwd", "/x", g, "dense", H5P_DEFAULT, H5P_DEFAULT);
}

static void fill_string_kernel(hid_t f, hid_t g) {
    (void)f;
    hid_t d = H5Gcreate2(g, "dense", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    kb_attr_string(d, "unused", "x");
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, 8);
    hsize_t dims[2] = {4, 3};
    hid_t sp = H5Screate_simple(2, dims, NULL);
    hid_t ds = H5Dcreate2(d, "kernel:0", t, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    char text[12][8] = {{0}};
    H5Dwrite(ds, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, text);
    H5Dclose(ds);
    H5Sclose(sp);
    H5Tclose(t);
    kb_weight b = {"", "", 1, {3}, B};
    kb_dataset(d, "bias:0", &b);
    H5Gclose(d);
}

static void fill_huge_declared(hid_t f, hid_t g) {
    /* A chunked [100000, 100000] kernel with no data written: a few hundred bytes in the file. */
    (void)f;
    hid_t d = H5Gcreate2(g, "dense", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    hsize_t dims[2] = {100000, 100000}, chunk[2] = {64, 64};
    hid_t sp = H5Screate_simple(2, dims, NULL);
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_chunk(dcpl, 2, chunk);
    hid_t ds = H5Dcreate2(d, "kernel:0", H5T_IEEE_F32LE, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    H5Dclose(ds);
    H5Pclose(dcpl);
    H5Sclose(sp);
    kb_weight b = {"", "", 1, {3}, B};
    kb_dataset(d, "bias:0", &b);
    H5Gclose(d);
}

static void fill_rank9(hid_t f, hid_t g) {
    (void)f;
    hid_t d = H5Gcreate2(g, "dense", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    hsize_t dims[9] = {1, 1, 1, 1, 1, 1, 1, 4, 3};
    hid_t sp = H5Screate_simple(9, dims, NULL);
    hid_t ds = H5Dcreate2(d, "kernel:0", H5T_IEEE_F32LE, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Dwrite(ds, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, W);
    H5Dclose(ds);
    H5Sclose(sp);
    kb_weight b = {"", "", 1, {3}, B};
    kb_dataset(d, "bias:0", &b);
    H5Gclose(d);
}

/* model_config stored as an integer attribute instead of a JSON string. */
static void h5_int_config(const char *rel) {
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t f = kb_create();
    hid_t sp = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(f, "model_config", H5T_STD_I32LE, sp, H5P_DEFAULT, H5P_DEFAULT);
    int v = 42;
    H5Awrite(a, H5T_NATIVE_INT, &v);
    H5Aclose(a);
    H5Sclose(sp);
    size_t size;
    void *img = kb_image(f, &size);
    spit(rel, img, size);
    free(img);
}

#define FUNC(layers, outs) "{\"class_name\": \"Functional\", \"config\": {\"name\": \"f\", \"layers\": [" \
    "{\"class_name\": \"InputLayer\", \"name\": \"x\", \"inbound_nodes\": [], \"config\": {\"batch_input_shape\": [null, 4], \"dtype\": \"float32\", \"name\": \"x\"}}" \
    layers "], \"input_layers\": [[\"x\", 0, 0]], \"output_layers\": [" outs "]}}"
#define ACT(name, src) ", {\"class_name\": \"Activation\", \"name\": \"" name "\", \"config\": {\"name\": \"" name \
    "\", \"activation\": \"relu\"}, \"inbound_nodes\": [[[\"" src "\", 0, 0, {}]]]}"

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: gen_corrupt_keras TESTS_CORRUPT_DIR\n");
        return 2;
    }
    out_dir = argv[1];
    h5("keras_h5/good.h5", GOOD_CONFIG, GOOD_W, 2);
    keras("keras_v3/good.keras", GOOD_CONFIG, GOOD_W, 2);

    /* HDF5 links: loops, cycles, other files. */
    h5_custom("keras_h5/soft_link_loop.h5", GOOD_CONFIG, fill_soft_loop);
    h5_custom("keras_h5/soft_link_chain.h5", GOOD_CONFIG, fill_soft_chain);
    h5_custom("keras_h5/hard_link_cycle.h5", GOOD_CONFIG, fill_hard_cycle);
    h5_custom("keras_h5/external_link.h5", GOOD_CONFIG, fill_external);
    /* Weights: dtype, declared size, rank, shape, presence. */
    h5_custom("keras_h5/string_kernel.h5", GOOD_CONFIG, fill_string_kernel);
    h5_custom("keras_h5/huge_declared_kernel.h5", GOOD_CONFIG, fill_huge_declared);
    h5_custom("keras_h5/rank_over_limit.h5", GOOD_CONFIG, fill_rank9);
    kb_weight wrong[] = {{"dense", "kernel", 2, {5, 3}, ZEROS}, {"dense", "bias", 1, {3}, B}};
    h5("keras_h5/weight_shape_mismatch.h5", GOOD_CONFIG, wrong, 2);
    h5("keras_h5/missing_weights.h5", GOOD_CONFIG, GOOD_W, 1);
    h5("keras_h5/no_model_config.h5", NULL, GOOD_W, 2);
    h5_int_config("keras_h5/int_model_config.h5");
    h5("keras_h5/config_not_json.h5", "{\"class_name\": \"Sequential\", \"config\": {", GOOD_W, 2);
    /* Configs: duplicate names, unknown layers, cycles, dangling inbound nodes, absurd units. */
    h5("keras_h5/duplicate_layer.h5", SEQ_HEAD DENSE DENSE SEQ_TAIL, GOOD_W, 2);
    h5("keras_h5/unsupported_layer.h5",
       SEQ_HEAD DENSE ", {\"class_name\": \"FancyNewLayer\", \"config\": {\"name\": \"fancy\"}}" SEQ_TAIL,
       GOOD_W, 2);
    h5("keras_h5/cycle.h5", FUNC(ACT("a", "b") ACT("b", "a"), "[\"b\", 0, 0]"), NULL, 0);
    h5("keras_h5/dangling_inbound.h5", FUNC(ACT("a", "nowhere"), "[\"a\", 0, 0]"), NULL, 0);
    h5("keras_h5/output_not_a_layer.h5", FUNC(ACT("a", "x"), "[\"ghost\", 0, 0]"), NULL, 0);
    h5("keras_h5/negative_units.h5",
       SEQ_HEAD ", {\"class_name\": \"Dense\", \"config\": {\"name\": \"dense\", \"units\": -3}}" SEQ_TAIL,
       GOOD_W, 2);
    h5("keras_h5/huge_input_shape.h5",
       "{\"class_name\": \"Sequential\", \"config\": {\"name\": \"s\", \"layers\": ["
       "{\"class_name\": \"InputLayer\", \"config\": {\"batch_input_shape\": [null, 1099511627776, "
       "1099511627776], \"dtype\": \"float32\", \"name\": \"x\"}}, {\"class_name\": \"Flatten\", "
       "\"config\": {\"name\": \"flat\"}}]}}", NULL, 0);

    /* .keras: semantic damage (byte-level damage and zip bombs come from gen_corrupt.py). */
    keras("keras_v3/missing_weights.keras", GOOD_CONFIG, GOOD_W, 1);
    keras("keras_v3/weight_shape_mismatch.keras", GOOD_CONFIG, wrong, 2);
    keras("keras_v3/unsupported_layer.keras",
          SEQ_HEAD DENSE ", {\"class_name\": \"FancyNewLayer\", \"config\": {\"name\": \"fancy\"}}" SEQ_TAIL,
          GOOD_W, 2);
    keras("keras_v3/cycle.keras", FUNC(ACT("a", "b") ACT("b", "a"), "[\"b\", 0, 0]"), NULL, 0);
    {
        /* model.weights.h5 that is not HDF5 at all. */
        const char *meta = "{\"keras_version\": \"3.1.1\"}";
        const char *names[] = {"metadata.json", "config.json", "model.weights.h5"};
        const void *data[] = {meta, GOOD_CONFIG, "not an hdf5 file"};
        size_t sizes[] = {strlen(meta), strlen(GOOD_CONFIG), 16};
        size_t size;
        void *z = kb_zip(names, data, sizes, 3, &size);
        spit("keras_v3/weights_not_hdf5.keras", z, size);
        free(z);
    }
    return 0;
}
