/* test_shared_model.c — frost.h promises that a frost_model is immutable after load and may be
 * shared by any number of threads and sessions, and that loads are thread-safe. This test holds it
 * to that: for each model (TF GraphDef, ONNX, Keras .h5 and .keras, TF.js), outputs for a few
 * deterministic inputs are computed first on one thread; then several threads start at the same
 * moment, each creating its own sessions (some with a worker pool) from the one shared model and
 * running every input many times, while others load the same files again and query names. Every
 * output must equal the single-threaded one. Run it under ThreadSanitizer too (see CMakeLists.txt).
 *
 * It only reads tests/data and tests/corrupt's good.* files; it never writes files. */
#include "test.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* Under ThreadSanitizer, tests/lib/tsan_suppressions.c says which glibc report is expected. */

#define N_INPUTS 3
#define N_RUNNERS 4
#define N_LOADERS 2
#define ROUNDS 20

typedef struct case_ {
    const char *path;
    frost_model *model;
    int n_in;
    size_t in_bytes[4];
    frost_dtype in_dtype[4];
    void *inputs[N_INPUTS][4];
    size_t out_bytes;         /* output 0 of the session */
    float *want[N_INPUTS];
} case_;

typedef struct worker {
    case_ *c;
    int id;
    int n_threads;            /* the session's worker pool */
    pthread_barrier_t *start;
    int mismatches, failures;
    char why[700];
} worker;

static void fill_input(void *x, frost_dtype t, size_t bytes, int seed) {
    frost_test_seed((uint64_t)seed * 7919 + 1);
    if (t == FROST_DTYPE_F32) {
        frost_test_fill(x, bytes / sizeof(float), -1.0f, 1.0f);
    } else if (t == FROST_DTYPE_I32 || t == FROST_DTYPE_I64) {
        size_t n = bytes / frost_dtype_size(t);
        for (size_t i = 0; i < n; i++) { /* small indices: embeddings and gathers accept them */
            int64_t v = (int64_t)(frost_test_uniform(0, 3));
            if (t == FROST_DTYPE_I32) ((int32_t *)x)[i] = (int32_t)v;
            else ((int64_t *)x)[i] = v;
        }
    } else {
        memset(x, 0, bytes);
    }
}

/* One session: feed input k, run, copy output 0 into out (out_bytes). */
static frost_status run_once(frost_session *s, case_ *c, int k, float *out, frost_error *err) {
    for (int i = 0; i < c->n_in; i++) {
        frost_status st = frost_session_set_input(s, i, c->inputs[k][i], c->in_bytes[i], err);
        if (st != FROST_OK) return st;
    }
    frost_status st = frost_session_run(s, err);
    if (st != FROST_OK) return st;
    frost_tensor_info info;
    const void *y = frost_session_output_data(s, 0, &info);
    if (!y) return FROST_E_INTERNAL;
    memcpy(out, y, c->out_bytes);
    return FROST_OK;
}

static bool prepare_case(case_ *c) {
    frost_error err;
    if (!CHECK_OK(frost_model_load_file(c->path, NULL, &c->model, &err), &err)) return false;
    frost_session *s = NULL;
    if (!CHECK_OK(frost_session_create(c->model, NULL, &s, &err), &err)) return false;
    c->n_in = frost_session_input_count(s);
    if (!CHECK_MSG(c->n_in <= 4, "%s has %d inputs", c->path, c->n_in)) {
        frost_session_free(s);
        return false;
    }
    for (int i = 0; i < c->n_in; i++) {
        frost_tensor_info info;
        frost_session_input_info(s, i, &info);
        size_t n = frost_dtype_size(info.dtype);
        for (int d = 0; d < info.rank; d++) n *= (size_t)info.dims[d];
        c->in_bytes[i] = n;
        c->in_dtype[i] = info.dtype;
        for (int k = 0; k < N_INPUTS; k++) {
            c->inputs[k][i] = malloc(n ? n : 1);
            fill_input(c->inputs[k][i], info.dtype, n, k * 10 + i);
        }
    }
    frost_tensor_info oinfo;
    frost_session_output_info(s, 0, &oinfo);
    size_t on = 1;
    for (int d = 0; d < oinfo.rank; d++) on *= (size_t)oinfo.dims[d];
    bool ok = CHECK_MSG(oinfo.dtype == FROST_DTYPE_F32, "%s: output 0 is not f32", c->path);
    c->out_bytes = on * sizeof(float);
    for (int k = 0; k < N_INPUTS && ok; k++) {
        c->want[k] = malloc(c->out_bytes ? c->out_bytes : 1);
        ok = CHECK_OK(run_once(s, c, k, c->want[k], &err), &err);
    }
    frost_session_free(s);
    return ok;
}

static void *runner(void *arg) {
    worker *w = arg;
    case_ *c = w->c;
    float *got = malloc(c->out_bytes ? c->out_bytes : 1);
    pthread_barrier_wait(w->start);
    for (int round = 0; round < ROUNDS; round++) {
        frost_error err;
        frost_session_options so;
        memset(&so, 0, sizeof so);
        so.struct_size = sizeof so;
        so.n_threads = w->n_threads;
        so.spin_us = -1;
        frost_session *s = NULL;
        if (frost_session_create(c->model, &so, &s, &err) != FROST_OK) {
            w->failures++;
            snprintf(w->why, sizeof w->why, "session_create: %.500s", err.message);
            break;
        }
        for (int j = 0; j < N_INPUTS; j++) {
            int k = (j + w->id + round) % N_INPUTS;
            if (run_once(s, c, k, got, &err) != FROST_OK) {
                w->failures++;
                snprintf(w->why, sizeof w->why, "run: %.500s", err.message);
                continue;
            }
            /* Same kernels, same order of sums: exact, except that a pool may split reductions. */
            size_t n = c->out_bytes / sizeof(float);
            for (size_t i = 0; i < n; i++) {
                float a = got[i], b = c->want[k][i];
                if (!(a == b || fabsf(a - b) <= 1e-5f + 1e-5f * fabsf(b))) {
                    w->mismatches++;
                    snprintf(w->why, sizeof w->why, "input %d element %zu: %g vs %g", k, i, a, b);
                    break;
                }
            }
        }
        frost_session_free(s);
    }
    free(got);
    return NULL;
}

/* Loads the same file again and looks names up while the runners run. */
static void *loader(void *arg) {
    worker *w = arg;
    pthread_barrier_wait(w->start);
    for (int round = 0; round < ROUNDS / 2; round++) {
        frost_error err;
        frost_model *m = NULL;
        if (frost_model_load_file(w->c->path, NULL, &m, &err) != FROST_OK) {
            w->failures++;
            snprintf(w->why, sizeof w->why, "load: %.500s", err.message);
            continue;
        }
        frost_tensor_info info;
        if (frost_model_input_info(w->c->model, 0, &info) != FROST_OK ||
            frost_model_find(w->c->model, info.name, NULL, &err) != FROST_OK) {
            w->failures++;
            snprintf(w->why, sizeof w->why, "find: %.500s", err.message);
        }
        if (frost_model_find(w->c->model, "no such tensor", NULL, &err) != FROST_E_NOT_FOUND)
            w->failures++;
        if (frost_model_node_count(m) != frost_model_node_count(w->c->model)) w->mismatches++;
        frost_model_free(m);
    }
    return NULL;
}

static void stress(case_ *c) {
    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, N_RUNNERS + N_LOADERS);
    worker w[N_RUNNERS + N_LOADERS];
    pthread_t t[N_RUNNERS + N_LOADERS];
    for (int i = 0; i < N_RUNNERS + N_LOADERS; i++) {
        memset(&w[i], 0, sizeof w[i]);
        w[i].c = c;
        w[i].id = i;
        w[i].n_threads = i % 2 ? 2 : 1;
        w[i].start = &start;
        pthread_create(&t[i], NULL, i < N_RUNNERS ? runner : loader, &w[i]);
    }
    for (int i = 0; i < N_RUNNERS + N_LOADERS; i++) {
        pthread_join(t[i], NULL);
        CHECK_MSG(w[i].failures == 0 && w[i].mismatches == 0,
                  "%s: thread %d (%s): %d failures, %d mismatches; last: %s", c->path, i,
                  i < N_RUNNERS ? "runner" : "loader", w[i].failures, w[i].mismatches, w[i].why);
    }
    pthread_barrier_destroy(&start);
}

static void free_case(case_ *c) {
    for (int k = 0; k < N_INPUTS; k++) {
        for (int i = 0; i < 4; i++) free(c->inputs[k][i]);
        free(c->want[k]);
    }
    frost_model_free(c->model);
}

int main(void) {
    static const char *paths[] = {
        FROST_TEST_DATA "/tf/mlp.pb",
        FROST_TEST_DATA "/onnx/cnn_op13.onnx",
        FROST_TEST_DATA "/onnx/block_op17.onnx",
        FROST_TEST_DATA "/onnx/seq_op14.onnx",
        FROST_TEST_DATA "/keras/tfjs/conv2d_net/model.json",
        FROST_TEST_DATA "/keras/tfjs/functional_merge/model.json",
        FROST_SOURCE_DIR "/tests/corrupt/keras_h5/good.h5",
        FROST_SOURCE_DIR "/tests/corrupt/keras_v3/good.keras",
    };
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        case_ c;
        memset(&c, 0, sizeof c);
        c.path = paths[i];
        if (prepare_case(&c)) stress(&c);
        free_case(&c);
    }
    return frost_test_finish();
}
