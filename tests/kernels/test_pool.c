/* test_pool.c — POOL2D (max and average) through its op hooks against a naive pooling written
 * here: every padding mode, strides 1-3, windows 1-3, dilations 1-2, ceil_mode, count_include_pad,
 * one thread and several; known values from the TF and ONNX documentation; shape inference with
 * unknown dims and the error messages. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "op_harness.h"
#include "test.h"

typedef struct pool_case {
    int n, h, w, c, kh, kw, sh, sw, dh, dw;
    frost__padding pad;
    int pt, pb, pl, pr;
    bool is_max, ceil_mode, include_pad;
    int threads;
} pool_case;

/* Output length, written from the ONNX MaxPool/AveragePool spec (and TF's SAME/VALID). */
static int64_t spec_out(int64_t in, int k, int s, int d, frost__padding pad, int pb, int pe,
                        bool ceil_mode) {
    if (pad == FROST__PAD_SAME_UPPER || pad == FROST__PAD_SAME_LOWER) return (in + s - 1) / s;
    if (pad == FROST__PAD_VALID) pb = pe = 0;
    const double span = (double)(in + pb + pe - (d * (k - 1) + 1)) / s;
    int64_t out = (int64_t)(ceil_mode ? ceil(span) : floor(span)) + 1;
    /* The last window must start inside the input or its leading padding. */
    if (ceil_mode && (out - 1) * s >= in + pb) out--;
    return out;
}

static void spec_pads(int64_t in, int64_t out, int k, int s, int d, frost__padding pad, int eb,
                      int ee, int *b, int *e) {
    if (pad == FROST__PAD_EXPLICIT) {
        *b = eb, *e = ee;
        return;
    }
    if (pad == FROST__PAD_VALID) {
        *b = *e = 0;
        return;
    }
    int64_t total = FROST_MAX((int64_t)0, (out - 1) * s + d * (k - 1) + 1 - in);
    *b = (int)(pad == FROST__PAD_SAME_UPPER ? total / 2 : (total + 1) / 2);
    *e = (int)(total - *b);
}

static int case_failures;

static void run_pool_case(const pool_case *c) {
    const int64_t xd[4] = {c->n, c->h, c->w, c->c};
    const size_t nx = (size_t)(c->n * c->h * c->w * c->c);
    float *x = malloc(nx * sizeof *x);
    frost_test_fill(x, nx, -2.0f, 2.0f);
    frost__params p;
    memset(&p, 0, sizeof p);
    p.pool.is_max = c->is_max;
    p.pool.k_h = c->kh;
    p.pool.k_w = c->kw;
    p.pool.w = (frost__window){c->sh, c->sw, c->dh, c->dw, c->pad, c->pt, c->pb, c->pl, c->pr};
    p.pool.ceil_mode = c->ceil_mode;
    p.pool.count_include_pad = c->include_pad;
    const int64_t oh = spec_out(c->h, c->kh, c->sh, c->dh, c->pad, c->pt, c->pb, c->ceil_mode);
    const int64_t ow = spec_out(c->w, c->kw, c->sw, c->dw, c->pad, c->pl, c->pr, c->ceil_mode);
    int pt, pb, pl, pr;
    spec_pads(c->h, oh, c->kh, c->sh, c->dh, c->pad, c->pt, c->pb, &pt, &pb);
    spec_pads(c->w, ow, c->kw, c->sw, c->dw, c->pad, c->pl, c->pr, &pl, &pr);
    char label[200];
    snprintf(label, sizeof label,
             "%s pool %dx%d k%dx%d s%d,%d d%d,%d pad%d(%d,%d,%d,%d) ceil%d incl%d t%d",
             c->is_max ? "max" : "avg", c->h, c->w, c->kh, c->kw, c->sh, c->sw, c->dh, c->dw,
             (int)c->pad, c->pt, c->pb, c->pl, c->pr, c->ceil_mode, c->include_pad, c->threads);
    oh_in in = oh_var(oh_f32(x, 4, xd));
    oh_out out;
    frost_error err;
    if (!CHECK_MSG(oh_run(FROST__OP_POOL2D, &p, 1, &in, 1, false, c->threads, &out, &err) ==
                       FROST_OK,
                   "%s: %s", label, err.message)) {
        free(x);
        case_failures++;
        return;
    }
    const int64_t wd[4] = {c->n, oh, ow, c->c};
    const frost__shape want = frost__shape_make(4, wd);
    if (CHECK_MSG(frost__shape_equal(&out.shape, &want), "%s: shape", label)) {
        const size_t ny = (size_t)(c->n * oh * ow * c->c);
        float *ref = malloc(ny * sizeof *ref);
        for (int n = 0; n < c->n; n++)
            for (int64_t y = 0; y < oh; y++)
                for (int64_t xx = 0; xx < ow; xx++)
                    for (int ch = 0; ch < c->c; ch++) {
                        double acc = c->is_max ? -INFINITY : 0;
                        int inside = 0, in_padded = 0;
                        for (int kh = 0; kh < c->kh; kh++)
                            for (int kw = 0; kw < c->kw; kw++) {
                                const int64_t ih = y * c->sh - pt + kh * c->dh,
                                              iw = xx * c->sw - pl + kw * c->dw;
                                if (ih >= -pt && ih < c->h + pb && iw >= -pl && iw < c->w + pr)
                                    in_padded++;
                                if (ih < 0 || ih >= c->h || iw < 0 || iw >= c->w) continue;
                                const double v = x[((n * c->h + ih) * c->w + iw) * c->c + ch];
                                inside++;
                                if (c->is_max)
                                    acc = v > acc ? v : acc;
                                else
                                    acc += v;
                            }
                        if (!c->is_max) {
                            const int div = c->include_pad ? in_padded : inside;
                            acc = div ? acc / div : 0;
                        }
                        ref[((n * oh + y) * ow + xx) * c->c + ch] = (float)acc;
                    }
        if (!frost_test_close(out.data, ref, ny, 1e-5, 1e-5, label)) case_failures++;
        free(ref);
    }
    oh_free(&out, 1);
    free(x);
}

static void test_sweep(void) {
    static const frost__padding pads[] = {FROST__PAD_VALID, FROST__PAD_SAME_UPPER,
                                          FROST__PAD_SAME_LOWER, FROST__PAD_EXPLICIT};
    int i = 0;
    for (int pi = 0; pi < 4; pi++)
        for (int s = 1; s <= 3; s++)
            for (int k = 1; k <= 3; k++)
                for (int d = 1; d <= 2; d++)
                    for (int mode = 0; mode < 4; mode++, i++) {
                        pool_case c = {
                            .n = 1 + i % 2,
                            .h = 6 + i % 4,
                            .w = 5 + i % 3,
                            .c = 1 + i % 5,
                            .kh = k,
                            .kw = k == 1 ? 2 : k,
                            .sh = s,
                            .sw = 1 + (s + 1) % 3,
                            .dh = d,
                            .dw = 1,
                            .pad = pads[pi],
                            .pt = k > 1 ? 1 : 0,
                            .pb = k > 2 ? 2 : 0,
                            .pl = 0,
                            .pr = k > 1 ? 1 : 0,
                            .is_max = mode == 0,
                            .ceil_mode = (mode & 1) && pi != 1 && pi != 2,
                            .include_pad = mode >= 2,
                            .threads = 1 + (i % 3 == 0) * 2,
                        };
                        if (mode == 1)
                            c.ceil_mode =
                                pads[pi] == FROST__PAD_VALID || pads[pi] == FROST__PAD_EXPLICIT;
                        run_pool_case(&c);
                    }
    /* A larger layer so several threads split the rows. */
    pool_case big = {.n = 2,
                     .h = 56,
                     .w = 55,
                     .c = 32,
                     .kh = 3,
                     .kw = 3,
                     .sh = 2,
                     .sw = 2,
                     .dh = 1,
                     .dw = 1,
                     .pad = FROST__PAD_SAME_UPPER,
                     .is_max = true,
                     .threads = 4};
    run_pool_case(&big);
    big.is_max = false;
    run_pool_case(&big);
    CHECK_MSG(case_failures == 0, "%d pool cases failed", case_failures);
}

static void test_known_values(void) {
    frost_error err;
    oh_out out;
    /* ONNX MaxPool "maxpool_2d_ceil": 4x4 of 1..16, kernel 3, stride 2, ceil_mode -> 11 12 15 16. */
    float x[16];
    for (int i = 0; i < 16; i++) x[i] = (float)(i + 1);
    frost__params p;
    memset(&p, 0, sizeof p);
    p.pool.is_max = true;
    p.pool.k_h = p.pool.k_w = 3;
    p.pool.w.stride_h = p.pool.w.stride_w = 2;
    p.pool.w.padding = FROST__PAD_EXPLICIT;
    p.pool.ceil_mode = true;
    oh_in in = oh_var(oh_f32(x, 4, (int64_t[]){1, 4, 4, 1}));
    if (CHECK_OK(oh_run(FROST__OP_POOL2D, &p, 1, &in, 1, false, 1, &out, &err), &err)) {
        const float want[4] = {11, 12, 15, 16};
        CHECK(out.shape.d[1] == 2 && out.shape.d[2] == 2);
        frost_test_close(out.data, want, 4, 0, 0, "maxpool_2d_ceil");
        oh_free(&out, 1);
    }
    /* TF AvgPool SAME over ones: padding never dilutes the mean. With count_include_pad (ONNX) the
     * corner of a 3x3 window over a 3x3 input averages 4 ones over 9 taps. */
    float ones[9];
    for (int i = 0; i < 9; i++) ones[i] = 1;
    memset(&p, 0, sizeof p);
    p.pool.k_h = p.pool.k_w = 3;
    p.pool.w.padding = FROST__PAD_SAME_UPPER;
    in = oh_var(oh_f32(ones, 4, (int64_t[]){1, 3, 3, 1}));
    if (CHECK_OK(oh_run(FROST__OP_POOL2D, &p, 1, &in, 1, false, 1, &out, &err), &err)) {
        frost_test_close(out.data, ones, 9, 1e-6, 0, "avg SAME excludes padding");
        oh_free(&out, 1);
    }
    p.pool.count_include_pad = true;
    if (CHECK_OK(oh_run(FROST__OP_POOL2D, &p, 1, &in, 1, false, 1, &out, &err), &err)) {
        const float want[9] = {4 / 9.f, 6 / 9.f, 4 / 9.f, 6 / 9.f, 1,
                               6 / 9.f, 4 / 9.f, 6 / 9.f, 4 / 9.f};
        frost_test_close(out.data, want, 9, 1e-6, 0, "avg count_include_pad");
        oh_free(&out, 1);
    }
}

static void test_infer_and_errors(void) {
    frost__params p;
    memset(&p, 0, sizeof p);
    p.pool.is_max = true;
    p.pool.k_h = p.pool.k_w = 2;
    p.pool.w.stride_h = p.pool.w.stride_w = 2;
    p.pool.w.padding = FROST__PAD_VALID;
    oh_out out;
    frost_error err;
    oh_in in = oh_f32(NULL, 4, (int64_t[]){-1, 28, -1, 8});
    if (CHECK_OK(oh_infer(FROST__OP_POOL2D, &p, 1, &in, 1, &out, &err), &err))
        CHECK(out.shape.rank == 4 && out.shape.d[0] == -1 && out.shape.d[1] == 14 &&
              out.shape.d[2] == -1 && out.shape.d[3] == 8);
    in = oh_f32(NULL, -1, NULL);
    if (CHECK_OK(oh_infer(FROST__OP_POOL2D, &p, 1, &in, 1, &out, &err), &err))
        CHECK(out.shape.rank == 4);
    in = oh_f32(NULL, 3, (int64_t[]){28, 28, 8});
    CHECK_FAILS(oh_infer(FROST__OP_POOL2D, &p, 1, &in, 1, &out, &err), FROST_E_SHAPE, &err,
                "rank 4");
    in = oh_f32(NULL, 4, (int64_t[]){1, 1, 5, 8});
    CHECK_FAILS(oh_infer(FROST__OP_POOL2D, &p, 1, &in, 1, &out, &err), FROST_E_SHAPE, &err,
                "smaller");
    p.pool.k_h = 0;
    in = oh_f32(NULL, 4, (int64_t[]){1, 4, 4, 8});
    CHECK_FAILS(oh_infer(FROST__OP_POOL2D, &p, 1, &in, 1, &out, &err), FROST_E_FORMAT, &err,
                "window");
    p.pool.k_h = 2;
    in = oh_typed(FROST_DTYPE_I32, NULL, 4, (int64_t[]){1, 4, 4, 8});
    CHECK_FAILS(oh_infer(FROST__OP_POOL2D, &p, 1, &in, 1, &out, &err), FROST_E_DTYPE, &err, "i32");
}

int main(void) {
    frost_test_seed(3);
    test_sweep();
    test_known_values();
    test_infer_and_errors();
    return frost_test_finish();
}
