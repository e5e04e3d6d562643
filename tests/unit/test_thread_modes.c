/* test_thread_modes.c — a 2-thread session runs some calls split over its pool and some on the
 * caller alone (the pool's per-run choice, platform/run_choice.c: of its first 8 runs, 4 split,
 * then 4 alone), and a run alone uses the convolutions' one-thread tiles inside workspaces sized
 * for the pool's. Every run must give the 1-thread session's outputs (within float rounding: the
 * tiles differ), whichever mode it ran in. Through the public API, on the committed CNN (batch 37: odd remainders in any
 * split) and residual block and, when the real-model corpus is in its cache (FROST_CORPUS_DIR or
 * ~/.cache/frost/corpus), PP-OCRv4's detector (dw+1x1, Winograd, transposed convs). Not timed. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frost.h"
#include "synth_input.h"
#include "test.h"

#define RUNS 10

/* A session on the model at `threads`, its first input shaped `dims` (rank 0: the model's own)
 * and filled with seeded values; NULL after reporting a failure. */
static frost_session *open_session(const char *path, frost_model **m, int threads, int rank,
                                   const int64_t *dims) {
    frost_error err;
    frost_session *s = NULL;
    *m = NULL;
    if (!CHECK_MSG(frost_model_load_file(path, NULL, m, &err) == FROST_OK, "%s: %s", path, err.message))
        return NULL;
    frost_session_options so = {0};
    so.struct_size = sizeof so;
    so.n_threads = threads;
    so.spin_us = -1;
    if (!CHECK_MSG(frost_session_create(*m, &so, &s, &err) == FROST_OK, "%s: %s", path, err.message))
        return NULL;
    if (rank > 0 && !CHECK_MSG(frost_session_set_input_shape(s, 0, rank, dims, &err) == FROST_OK,
                               "%s: %s", path, err.message))
        return s;
    if (!CHECK_MSG(frost_session_plan(s, &err) == FROST_OK, "%s: %s", path, err.message)) return s;
    for (int i = 0; i < frost_session_input_count(s); i++) {
        frost_tensor_info in;
        frost_session_input_info(s, i, &in);
        int64_t n = 1;
        for (int d = 0; d < in.rank; d++) n *= in.dims[d];
        float *x = in.dtype == FROST_DTYPE_F32 ? frost_session_input_data(s, i) : NULL;
        if (x) synth_fill_f32(x, (size_t)n, in.name, 11, 0);
    }
    return s;
}

/* Output 0 as floats (count in *n), or NULL. */
static const float *first_output(frost_session *s, size_t *n) {
    frost_tensor_info info;
    const float *y = frost_session_output_data(s, 0, &info);
    *n = 1;
    for (int d = 0; d < info.rank; d++) *n *= (size_t)info.dims[d];
    return info.dtype == FROST_DTYPE_F32 ? y : NULL;
}

static void check_model(const char *label, const char *path, int rank, const int64_t *dims) {
    frost_model *m1 = NULL, *m2 = NULL;
    frost_session *one = open_session(path, &m1, 1, rank, dims);
    frost_session *two = one ? open_session(path, &m2, 2, rank, dims) : NULL;
    frost_error err;
    float *want = NULL;
    size_t n = 0;
    if (!one || !two || !CHECK_MSG(frost_session_run(one, &err) == FROST_OK, "%s: %s", label, err.message))
        goto done;
    const float *y1 = first_output(one, &n);
    if (!CHECK_MSG(y1 != NULL && n > 0, "%s: no float output", label)) goto done;
    want = malloc(n * sizeof *want);
    memcpy(want, y1, n * sizeof *want);
    float scale = 0;
    for (size_t k = 0; k < n; k++) scale = fmaxf(scale, fabsf(want[k]));
    const float tol = 1e-4f * (scale > 1e-6f ? scale : 1e-6f);
    for (int run = 0; run < RUNS; run++) {
        if (!CHECK_MSG(frost_session_run(two, &err) == FROST_OK, "%s: %s", label, err.message)) break;
        size_t n2 = 0;
        const float *y = first_output(two, &n2);
        if (!CHECK_MSG(y != NULL && n2 == n, "%s: run %d output size", label, run)) break;
        size_t worst = 0;
        float err_max = 0;
        for (size_t k = 0; k < n; k++) {
            const float e = fabsf(y[k] - want[k]);
            if (!(e <= err_max)) { /* NaN counts as worst */
                err_max = isnan(e) ? INFINITY : e;
                worst = k;
            }
        }
        CHECK_MSG(err_max <= tol, "%s: 2-thread run %d differs from 1 thread by %g at %zu (tolerance %g)",
                  label, run, (double)err_max, worst, (double)tol);
    }
done:
    free(want);
    frost_session_free(one);
    frost_session_free(two);
    frost_model_free(m1);
    frost_model_free(m2);
}

int main(void) {
    static const int64_t cnn37[4] = {37, 3, 16, 16};
    check_model("cnn_dynamic b37", frost_test_data("onnx/cnn_dynamic_op13.onnx"), 4, cnn37);
    check_model("block", frost_test_data("onnx/block_op17.onnx"), 0, NULL);
    static const int64_t det[4] = {1, 3, 96, 160};
    const char *p = frost_test_corpus("@gutenye+ocr-models@1.4.2/assets/ch_PP-OCRv4_det_infer.onnx");
    if (p) check_model("ppocr_v4_det", p, 4, det);
    else printf("note: PP-OCRv4 detector not in the corpus cache: skipped\n");
    return frost_test_finish();
}
