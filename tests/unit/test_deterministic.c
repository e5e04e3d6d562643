/* test_deterministic.c — frost_session_options.deterministic through the public API: the same
 * model, the same input, run at 1, 2 and 4 threads, must give outputs identical to the bit. Models:
 * the committed ONNX fixtures (a CNN and an MLP with a dynamic batch, fed batches whose row counts
 * leave odd remainders in any split: 37 and 101; the residual block), and, when the real-model
 * corpus is in its cache (FROST_CORPUS_DIR or ~/.cache/frost/corpus), three of its networks:
 * PP-OCRv4's detector (depthwise, 1x1 and 3x3 convolutions, Winograd, a transposed conv) and the
 * M-LSD tiny line detector (dilated Winograd, concatenations). Each run is also checked to be
 * repeatable (two runs, same bits) and finite. Without the option these same runs differ between
 * thread counts (the MLP at batch 101, the detector, M-LSD: checked when this test was written),
 * so the comparison can fail. The mode's cost is measured by bench/, not here. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frost.h"
#include "synth_input.h"
#include "test.h"

#define MAX_OUT 8

typedef struct result {
    int n_out;
    size_t bytes[MAX_OUT];
    void *data[MAX_OUT];
} result;

static void free_result(result *r) {
    for (int i = 0; i < r->n_out; i++) free(r->data[i]);
    memset(r, 0, sizeof *r);
}

/* Runs the model at `threads` (deterministic) on synthetic inputs of the given first-input shape
 * (rank 0: the model's own). Fills r; false on any failure (reported). */
static bool run_at(const char *path, int threads, int rank, const int64_t *dims, int runs, result *r) {
    memset(r, 0, sizeof *r);
    frost_model *m = NULL;
    frost_session *s = NULL;
    frost_error err;
    bool ok = false;
    if (!CHECK_MSG(frost_model_load_file(path, NULL, &m, &err) == FROST_OK, "%s: %s", path, err.message))
        return false;
    frost_session_options so = {0};
    so.struct_size = sizeof so;
    so.n_threads = threads;
    so.spin_us = -1;
    so.deterministic = 1;
    if (!CHECK_MSG(frost_session_create(m, &so, &s, &err) == FROST_OK, "%s: %s", path, err.message))
        goto done;
    for (int i = 0; i < frost_session_input_count(s); i++) {
        frost_tensor_info in;
        frost_session_input_info(s, i, &in);
        if (i == 0 && rank > 0 &&
            !CHECK_MSG(frost_session_set_input_shape(s, 0, rank, dims, &err) == FROST_OK, "%s: %s",
                       path, err.message))
            goto done;
    }
    if (!CHECK_MSG(frost_session_plan(s, &err) == FROST_OK, "%s: %s", path, err.message)) goto done;
    for (int i = 0; i < frost_session_input_count(s); i++) {
        frost_tensor_info in;
        frost_session_input_info(s, i, &in);
        int64_t n = 1;
        for (int d = 0; d < in.rank; d++) n *= in.dims[d];
        if (in.dtype != FROST_DTYPE_F32) continue;
        float *x = frost_session_input_data(s, i);
        if (!CHECK_MSG(x != NULL, "%s: no input buffer", path)) goto done;
        synth_fill_f32(x, (size_t)n, in.name, 7, 0);
        for (int64_t k = 0; k < n; k++) x[k] = 2.0f * x[k] - 1.0f; /* signs of both kinds */
    }
    r->n_out = frost_session_output_count(s) < MAX_OUT ? frost_session_output_count(s) : MAX_OUT;
    for (int run = 0; run < runs; run++) {
        if (!CHECK_MSG(frost_session_run(s, &err) == FROST_OK, "%s: %s", path, err.message)) goto done;
        for (int o = 0; o < r->n_out; o++) {
            frost_tensor_info info;
            const void *y = frost_session_output_data(s, o, &info);
            size_t bytes = frost_dtype_size(info.dtype);
            for (int d = 0; d < info.rank; d++) bytes *= (size_t)info.dims[d];
            if (run == 0) {
                r->bytes[o] = bytes;
                r->data[o] = malloc(bytes ? bytes : 1);
                memcpy(r->data[o], y, bytes);
                size_t bad = 0;
                if (info.dtype == FROST_DTYPE_F32)
                    for (size_t k = 0; k < bytes / 4; k++) bad += !isfinite(((const float *)y)[k]);
                if (!CHECK_MSG(bad == 0, "%s: %zu outputs %d not finite", path, bad, o)) goto done;
            } else {
                CHECK_MSG(bytes == r->bytes[o] && memcmp(r->data[o], y, bytes) == 0,
                          "%s at %d threads: run %d differs from run 0 (output %d)", path, threads,
                          run, o);
            }
        }
    }
    ok = true;
done:
    frost_session_free(s);
    frost_model_free(m);
    return ok;
}

static void check_model(const char *label, const char *path, int rank, const int64_t *dims) {
    result base;
    if (!run_at(path, 1, rank, dims, 2, &base)) {
        free_result(&base);
        return;
    }
    static const int threads[] = {2, 4};
    for (size_t t = 0; t < sizeof threads / sizeof threads[0]; t++) {
        result r;
        /* Six runs: the pool runs some of them on the caller alone (its per-run probe, pool.c),
         * and those must give the same bits as the split ones. */
        if (run_at(path, threads[t], rank, dims, 6, &r)) {
            CHECK_MSG(r.n_out == base.n_out, "%s: output count", label);
            for (int o = 0; o < r.n_out && o < base.n_out; o++) {
                size_t first = r.bytes[o];
                for (size_t k = 0; k < r.bytes[o] && r.bytes[o] == base.bytes[o]; k++)
                    if (((const unsigned char *)r.data[o])[k] != ((const unsigned char *)base.data[o])[k]) {
                        first = k;
                        break;
                    }
                CHECK_MSG(r.bytes[o] == base.bytes[o] && first == r.bytes[o],
                          "%s: output %d at %d threads differs from 1 thread (first at byte %zu)",
                          label, o, threads[t], first);
            }
        }
        free_result(&r);
    }
    free_result(&base);
}

int main(void) {
    static const int64_t cnn37[4] = {37, 3, 16, 16}, mlp101[2] = {101, 16};
    check_model("cnn_dynamic b37", frost_test_data("onnx/cnn_dynamic_op13.onnx"), 4, cnn37);
    check_model("mlp_dynamic b101", frost_test_data("onnx/mlp_dynamic_op13.onnx"), 2, mlp101);
    check_model("block", frost_test_data("onnx/block_op17.onnx"), 0, NULL);
    static const int64_t mlp1[2] = {1, 16};
    check_model("mlp_dynamic b1", frost_test_data("onnx/mlp_dynamic_op13.onnx"), 2, mlp1);
    static const int64_t det[4] = {1, 3, 96, 160};
    const char *p = frost_test_corpus("@gutenye+ocr-models@1.4.2/assets/ch_PP-OCRv4_det_infer.onnx");
    if (p) check_model("ppocr_v4_det", p, 4, det);
    else printf("note: PP-OCRv4 detector not in the corpus cache: skipped\n");
    p = frost_test_corpus("jp.keijiro.mlsd@1.0.0/ONNX/mlsd_320x320_tiny.onnx");
    if (p) check_model("mlsd_tiny_320", p, 0, NULL);
    else printf("note: M-LSD not in the corpus cache: skipped\n");
    return frost_test_finish();
}
