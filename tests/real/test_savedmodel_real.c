/* test_savedmodel_real.c — the two real TensorFlow SavedModels of ../shared (skipped when absent),
 * loaded from their directories with their signature names, against what came with them
 * (../shared/testdata/real/SOURCES.md): reference_numpy/ (the first 32 test images, float64 numpy
 * from the checkpoint tensors, atol 1e-5) and the full test-set top-1 accuracy listed there
 * (TF1 MNIST softmax regression 84.67% on MNIST t10k, TF2 Keras MLP 88.44% on Fashion-MNIST t10k,
 * pixels/255; a float32 run may flip an argmax tie against float64: +-3 images allowed).
 * Then each model's frozen GraphDef (frost__sm_freeze, what `frost freeze` writes) must load back
 * and give outputs identical to the bit, and hold no variable, function call or save/restore op. */
#include "test.h"

#include <stdlib.h>
#include <string.h>

#include "idx.h"
#include "import/savedmodel/savedmodel.h"
#include "npy.h"
#include "tf_graph.pb-c.h"

typedef struct real_model {
    const char *dir;            /* under testdata/real/savedmodel */
    const char *signature;
    const char *input, *output; /* signature keys */
    const char *dataset;        /* IDX folder */
    double accuracy;            /* SOURCES.md */
    bool flat;                  /* [N,784] rather than [N,28,28] */
    bool full_test_set;         /* the accuracy run (once per model: it dominates ASan time) */
} real_model;

static frost_model *load(const char *dir, const char *signature, frost_error *err) {
    frost_load_options o = {0};
    o.struct_size = sizeof o;
    o.signature = signature;
    frost_model *m = NULL;
    CHECK_OK(frost_model_load_file(dir, &o, &m, err), err);
    return m;
}

/* Runs `m` on the .npy input; the output copied into a malloc'd buffer. */
static float *run(const frost_model *m, const char *in_name, const char *out_name,
                  const npy_array *x, size_t *n_out) {
    frost_error err;
    frost_session *s = NULL;
    float *y = NULL;
    int in, out;
    if (!CHECK_OK(frost_session_create(m, NULL, &s, &err), &err)) return NULL;
    if (CHECK_OK(frost_session_input_index(s, in_name, &in, &err), &err) &&
        CHECK_OK(frost_session_output_index(s, out_name, &out, &err), &err) &&
        CHECK_OK(frost_session_set_input_shape(s, in, x->rank, x->dims, &err), &err) &&
        CHECK_OK(frost_session_set_input(s, in, x->data, x->bytes, &err), &err) &&
        CHECK_OK(frost_session_run(s, &err), &err)) {
        frost_tensor_info info;
        const float *d = frost_session_output_data(s, out, &info);
        size_t n = 1;
        for (int i = 0; i < info.rank; i++) n *= (size_t)info.dims[i];
        y = malloc(n * sizeof *y);
        if (y && d) memcpy(y, d, n * sizeof *y);
        *n_out = n;
    }
    frost_session_free(s);
    return y;
}

static int argmax(const float *p, int n) {
    int best = 0;
    for (int i = 1; i < n; i++)
        if (p[i] > p[best]) best = i;
    return best;
}

static void accuracy(const frost_model *m, const real_model *rm) {
    idx_mnist mn = {0};
    frost_error err;
    const char *dir = strcmp(rm->dataset, "fashion") == 0 ? "/usr/share/datasets/fashion-mnist"
                                                          : frost_test_shared("data/mnist");
    if (!dir || idx_load_mnist(dir, "t10k", &mn, &err) != FROST_OK) {
        printf("  %s: no %s test set (%s): accuracy not checked\n", rm->dir, rm->dataset,
               dir ? err.message : "../shared absent");
        return;
    }
    frost_session *s = NULL;
    if (!CHECK_OK(frost_session_create(m, NULL, &s, &err), &err)) goto done;
    int in, out;
    const int64_t batch = 100;
    int64_t dims[3] = {batch, 28, 28};
    if (rm->flat) dims[1] = 784;
    CHECK_OK(frost_session_input_index(s, rm->input, &in, &err), &err);
    CHECK_OK(frost_session_output_index(s, rm->output, &out, &err), &err);
    CHECK_OK(frost_session_set_input_shape(s, in, rm->flat ? 2 : 3, dims, &err), &err);
    int64_t correct = 0;
    for (int64_t k = 0; k + batch <= mn.count; k += batch) {
        float *x = frost_session_input_data(s, in);
        if (!CHECK(x != NULL)) break;
        for (int64_t i = 0; i < batch * 784; i++) x[i] = (float)mn.pixels[k * 784 + i] / 255.0f;
        if (!CHECK_OK(frost_session_run(s, &err), &err)) break;
        const float *y = frost_session_output_data(s, out, NULL);
        for (int64_t i = 0; i < batch; i++) correct += argmax(y + i * 10, 10) == mn.labels[k + i];
    }
    double acc = (double)correct / (double)mn.count;
    printf("  %s: top-1 on %lld %s test images: %.2f%% (SOURCES.md: %.2f%%)\n", rm->dir,
           (long long)mn.count, rm->dataset, 100 * acc, 100 * rm->accuracy);
    CHECK_MSG(mn.count == 10000 && acc > rm->accuracy - 0.00035 && acc < rm->accuracy + 0.00035,
              "%s: accuracy %.4f, expected %.4f", rm->dir, acc, rm->accuracy);
done:
    frost_session_free(s);
    idx_mnist_free(&mn);
}

/* The frozen GraphDef holds TensorFlow's own ops only: no variables, calls, save/restore. */
static void check_frozen_ops(const void *bytes, size_t n, const char *what) {
    FrostTf__GraphDef *gd = frost_tf__graph_def__unpack(NULL, n, bytes);
    if (!CHECK_MSG(gd != NULL, "%s: the frozen graph does not parse as a GraphDef", what)) return;
    static const char *const banned[] = {"VarHandleOp", "VariableV2", "ReadVariableOp", "Assign",
                                         "AssignVariableOp", "RestoreV2", "SaveV2",
                                         "StatefulPartitionedCall", "PartitionedCall", "NoOp"};
    int bad = 0, underscore = 0;
    for (size_t i = 0; i < gd->n_node; i++) {
        for (size_t k = 0; k < sizeof banned / sizeof *banned; k++)
            if (strcmp(gd->node[i]->op, banned[k]) == 0) {
                printf("  %s: frozen node '%s' is %s\n", what, gd->node[i]->name, gd->node[i]->op);
                bad++;
            }
        for (size_t a = 0; a < gd->node[i]->n_attr; a++) underscore += gd->node[i]->attr[a]->key[0] == '_';
        for (size_t k = 0; k < gd->node[i]->n_input; k++) bad += gd->node[i]->input[k][0] == '^';
    }
    CHECK_MSG(bad == 0 && underscore == 0, "%s: %d banned ops or control inputs, %d '_' attributes",
              what, bad, underscore);
    frost_tf__graph_def__free_unpacked(gd, NULL);
}

static void test_model(const real_model *rm) {
    char rel[512];
    snprintf(rel, sizeof rel, "testdata/real/savedmodel/%s", rm->dir);
    char dir[1024], ref[1024];
    snprintf(dir, sizeof dir, "%s", frost_test_shared(rel));
    const char *slash = strrchr(rm->dir, '/');
    snprintf(rel, sizeof rel, "testdata/real/savedmodel/%.*s/reference_numpy",
             (int)(slash - rm->dir), rm->dir);
    snprintf(ref, sizeof ref, "%s", frost_test_shared(rel));
    frost_error err;
    npy_array x = {0}, want = {0};
    char path[1200];
    snprintf(path, sizeof path, "%s/input_0.npy", ref);
    CHECK_OK(npy_read_file(path, &x, &err), &err);
    snprintf(path, sizeof path, "%s/output_0.npy", ref);
    CHECK_OK(npy_read_file(path, &want, &err), &err);
    frost_model *m = load(dir, rm->signature, &err);
    if (m && x.data && want.data) {
        CHECK(frost_model_format(m) == FROST_FORMAT_SAVED_MODEL);
        size_t n = 0;
        float *y = run(m, rm->input, rm->output, &x, &n);
        if (CHECK(y && n == want.bytes / sizeof(float)))
            /* Relative too: the logits reach ~22, where float rounding of the portable and the
             * vector kernels (the FROST_MAX_ISA runs) differs by ~1e-5. */
            CHECK(frost_test_close(y, want.data, n, 1e-5, 1e-6, rm->dir));
        if (rm->full_test_set) accuracy(m, rm);

        /* Freeze: loads back with outputs identical to the bit. */
        frost_load_options o = {0};
        o.struct_size = sizeof o;
        o.signature = rm->signature;
        frost__sm *sm = NULL;
        void *bytes = NULL;
        size_t nb = 0;
        if (CHECK_OK(frost__sm_open(dir, NULL, 0, &o, &sm, &err), &err) &&
            CHECK_OK(frost__sm_freeze(sm, &bytes, &nb, &err), &err)) {
            check_frozen_ops(bytes, nb, rm->dir);
            frost_model *fm = NULL;
            if (CHECK_OK(frost_model_load_memory(bytes, nb, NULL, &fm, &err), &err)) {
                size_t n2 = 0;
                float *y2 = run(fm, rm->input, rm->output, &x, &n2);
                CHECK_MSG(y && y2 && n2 == n && memcmp(y, y2, n * sizeof *y) == 0,
                          "%s: the frozen graph's outputs differ from the SavedModel's", rm->dir);
                free(y2);
            }
            frost_model_free(fm);
        }
        if (sm) frost__sm_free_bytes(sm, bytes);
        frost__sm_close(sm);
        free(y);
    }
    frost_model_free(m);
    npy_free(&x);
    npy_free(&want);
}

int main(void) {
    if (!frost_test_shared("testdata/real/savedmodel")) frost_test_skip("../shared is absent");
    static const real_model models[] = {
        {"harnishpatel10_fashion_mlp/fashion_mnist_model", NULL, "input_1", "dense_2", "fashion",
         0.8844, false, true},
        {"harnishpatel10_fashion_mlp/fashion_mnist_model", "serving_default", "input_1",
         "dense_2", "fashion", 0.8844, false, false},
        {"dududu04_mnist_tf1/1", "serving_default", "input_x", "output", "mnist", 0.8467, true, false},
        {"dududu04_mnist_tf1/1", "predict_images", "input_x", "output", "mnist", 0.8467, true, true},
    };
    for (size_t i = 0; i < sizeof models / sizeof *models; i++) {
        printf("%s (signature %s)\n", models[i].dir, models[i].signature ? models[i].signature : "default");
        test_model(&models[i]);
    }
    /* TensorFlow's tensor names answer too. */
    frost_error err;
    frost_model *m = load(frost_test_shared("testdata/real/savedmodel/harnishpatel10_fashion_mlp/"
                                            "fashion_mnist_model"), NULL, &err);
    if (m) {
        CHECK_OK(frost_model_find(m, "serving_default_input_1:0", NULL, &err), &err);
        CHECK_OK(frost_model_find(m, "StatefulPartitionedCall:0", NULL, &err), &err);
        CHECK_FAILS(frost_model_find(m, "dense_3", NULL, &err), FROST_E_NOT_FOUND, &err, "dense");
    }
    frost_model_free(m);
    m = NULL;
    frost_load_options o = {0};
    o.struct_size = sizeof o;
    o.signature = "no_such_signature";
    CHECK_FAILS(frost_model_load_file(frost_test_shared("testdata/real/savedmodel/dududu04_mnist_tf1/1"),
                                      &o, &m, &err),
                FROST_E_NOT_FOUND, &err, "'predict_images', 'serving_default'");
    o.signature = NULL;
    o.tag = "train";
    CHECK_FAILS(frost_model_load_file(frost_test_shared("testdata/real/savedmodel/dududu04_mnist_tf1/1"),
                                      &o, &m, &err),
                FROST_E_NOT_FOUND, &err, "tagged: [serve]");
    return frost_test_finish();
}
