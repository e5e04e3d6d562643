/* test_conv.c — CONV2D (packed GEMM, reference GEMM, 1x1 direct, grouped, depthwise-equivalent),
 * DEPTHWISE_CONV2D and CONV2D_TRANSPOSE through their op hooks, against naive loops written here:
 * every padding mode, strides 1-3, dilations 1-2, groups, odd sizes, fused bias + activation, one
 * thread and several. Plus shape inference with unknown dims and the error messages. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "op_harness.h"
#include "test.h"

static float *rnd(size_t n) {
    float *p = malloc((n ? n : 1) * sizeof *p);
    frost_test_fill(p, n, -1.0f, 1.0f);
    return p;
}

/* TensorFlow / ONNX output size and leading pad of a forward window, written out independently. */
static int64_t fwd_out(int64_t in, int k, int s, int d, frost__padding mode, int pb, int pe) {
    const int64_t eff = (int64_t)d * (k - 1) + 1;
    if (mode == FROST__PAD_SAME_UPPER || mode == FROST__PAD_SAME_LOWER) return (in + s - 1) / s;
    if (mode == FROST__PAD_VALID) pb = pe = 0;
    return (in + pb + pe - eff) / s + 1;
}
static int fwd_pad(int64_t in, int64_t out, int k, int s, int d, frost__padding mode, int pb) {
    if (mode == FROST__PAD_VALID) return 0;
    if (mode == FROST__PAD_EXPLICIT) return pb;
    int64_t total = (out - 1) * s + (int64_t)d * (k - 1) + 1 - in;
    if (total < 0) total = 0;
    return (int)(mode == FROST__PAD_SAME_UPPER ? total / 2 : (total + 1) / 2);
}

static float relu_or_not(double v, frost__act a) {
    return (float)(a == FROST__ACT_RELU && v < 0 ? 0 : v);
}

typedef struct conv_case {
    int n, h, w, cin, cout, kh, kw, sh, sw, dh, dw, groups;
    frost__padding pad;
    int pt, pb, pl, pr;
    bool bias, filter_const;
    frost__act act;
    int threads;
} conv_case;

static void naive_conv(const conv_case *c, const float *x, const float *f, const float *bias,
                       float *y, int64_t oh_n, int64_t ow_n, int pt, int pl) {
    const int cig = c->cin / c->groups, cog = c->cout / c->groups;
    for (int n = 0; n < c->n; n++)
        for (int64_t oh = 0; oh < oh_n; oh++)
            for (int64_t ow = 0; ow < ow_n; ow++)
                for (int co = 0; co < c->cout; co++) {
                    const int g = co / cog;
                    double s = bias ? bias[co] : 0;
                    for (int kh = 0; kh < c->kh; kh++)
                        for (int kw = 0; kw < c->kw; kw++) {
                            const int64_t ih = oh * c->sh - pt + kh * c->dh,
                                          iw = ow * c->sw - pl + kw * c->dw;
                            if (ih < 0 || ih >= c->h || iw < 0 || iw >= c->w) continue;
                            for (int ci = 0; ci < cig; ci++)
                                s += (double)
                                         x[((n * c->h + ih) * c->w + iw) * c->cin + g * cig + ci] *
                                     f[((kh * c->kw + kw) * cig + ci) * c->cout + co];
                        }
                    y[((n * oh_n + oh) * ow_n + ow) * c->cout + co] = relu_or_not(s, c->act);
                }
}

static int failures_reported;

static void run_conv_case(const conv_case *c) {
    const int cig = c->cin / c->groups;
    const int64_t xd[4] = {c->n, c->h, c->w, c->cin}, fd[4] = {c->kh, c->kw, cig, c->cout};
    const int64_t bd[1] = {c->cout};
    float *x = rnd((size_t)(c->n * c->h * c->w * c->cin)),
          *f = rnd((size_t)(c->kh * c->kw * cig * c->cout));
    float *b = rnd((size_t)c->cout);
    frost__params p;
    memset(&p, 0, sizeof p);
    p.conv.w = (frost__window){c->sh, c->sw, c->dh, c->dw, c->pad, c->pt, c->pb, c->pl, c->pr};
    p.conv.groups = c->groups;
    p.conv.act.act = c->act;
    oh_in ins[3] = {oh_var(oh_f32(x, 4, xd)), oh_f32(f, 4, fd),
                    c->bias ? oh_f32(b, 1, bd) : oh_absent()};
    ins[1].variable = !c->filter_const;
    const int64_t oh = fwd_out(c->h, c->kh, c->sh, c->dh, c->pad, c->pt, c->pb);
    const int64_t ow = fwd_out(c->w, c->kw, c->sw, c->dw, c->pad, c->pl, c->pr);
    const int pt = fwd_pad(c->h, oh, c->kh, c->sh, c->dh, c->pad, c->pt);
    const int pl = fwd_pad(c->w, ow, c->kw, c->sw, c->dw, c->pad, c->pl);
    char label[200];
    snprintf(label, sizeof label,
             "conv n%d %dx%dx%d->%d k%dx%d s%d,%d d%d,%d g%d pad%d(%d,%d,%d,%d) bias%d const%d "
             "act%d t%d",
             c->n, c->h, c->w, c->cin, c->cout, c->kh, c->kw, c->sh, c->sw, c->dh, c->dw, c->groups,
             (int)c->pad, c->pt, c->pb, c->pl, c->pr, c->bias, c->filter_const, (int)c->act,
             c->threads);
    oh_out out;
    frost_error err;
    const frost_status st =
        oh_run(FROST__OP_CONV2D, &p, 3, ins, 1, c->filter_const, c->threads, &out, &err);
    if (st != FROST_OK) {
        CHECK_MSG(false, "%s: %s", label, err.message);
    } else {
        const int64_t want_dims[4] = {c->n, oh, ow, c->cout};
        const frost__shape want = frost__shape_make(4, want_dims);
        if (!CHECK_MSG(frost__shape_equal(&out.shape, &want), "%s: shape", label)) {
            oh_free(&out, 1);
            goto done;
        }
        const size_t ny = (size_t)(c->n * oh * ow * c->cout);
        float *ref = malloc(ny * sizeof *ref);
        naive_conv(c, x, f, c->bias ? b : NULL, ref, oh, ow, pt, pl);
        if (!frost_test_close(out.data, ref, ny, 1e-4, 1e-4, label)) failures_reported++;
        free(ref);
        oh_free(&out, 1);
    }
done:
    free(x), free(f), free(b);
}

static void test_conv2d(void) {
    static const frost__padding pads[] = {FROST__PAD_VALID, FROST__PAD_SAME_UPPER,
                                          FROST__PAD_SAME_LOWER, FROST__PAD_EXPLICIT};
    int i = 0;
    for (int pi = 0; pi < 4; pi++)
        for (int s = 1; s <= 3; s++)
            for (int d = 1; d <= 2; d++)
                for (int k = 1; k <= 3; k++)
                    for (int g = 1; g <= 3; g += 2, i++) {
                        conv_case c = {
                            .n = 1 + i % 2,
                            .h = 7 + i % 3,
                            .w = 6 + i % 4,
                            .cin = 3 * g,
                            .cout = 2 * g + (i % 2) * g,
                            .kh = k,
                            .kw = k == 3 ? 2 : k,
                            .sh = s,
                            .sw = (s % 3) + 1,
                            .dh = d,
                            .dw = 3 - d,
                            .groups = g,
                            .pad = pads[pi],
                            .pt = 1,
                            .pb = 2,
                            .pl = 0,
                            .pr = 1,
                            .bias = i % 3 != 0,
                            .filter_const = i % 4 != 1,
                            .act = i % 2 ? FROST__ACT_RELU : FROST__ACT_NONE,
                            .threads = i % 3 == 2 ? 3 : 1,
                        };
                        run_conv_case(&c);
                    }
    /* 1x1 stride-1 convs read the input directly as the GEMM's A (also per group). */
    for (int g = 1; g <= 2; g++)
        for (int t = 1; t <= 4; t += 3) {
            conv_case c = {.n = 2,
                           .h = 5,
                           .w = 7,
                           .cin = 8 * g,
                           .cout = 6 * g,
                           .kh = 1,
                           .kw = 1,
                           .sh = 1,
                           .sw = 1,
                           .dh = 1,
                           .dw = 1,
                           .groups = g,
                           .pad = FROST__PAD_SAME_UPPER,
                           .bias = true,
                           .filter_const = true,
                           .act = FROST__ACT_RELU,
                           .threads = t};
            run_conv_case(&c);
            c.filter_const = false;
            run_conv_case(&c);
        }
    /* Larger layers so tiles and channel splits engage: many row tiles, and few rows / many
     * channels (a late layer, one image). */
    for (int t = 1; t <= 4; t += 3) {
        conv_case big = {.n = 1,
                         .h = 40,
                         .w = 37,
                         .cin = 5,
                         .cout = 19,
                         .kh = 3,
                         .kw = 3,
                         .sh = 1,
                         .sw = 1,
                         .dh = 1,
                         .dw = 1,
                         .groups = 1,
                         .pad = FROST__PAD_SAME_UPPER,
                         .bias = true,
                         .filter_const = true,
                         .act = FROST__ACT_RELU,
                         .threads = t};
        run_conv_case(&big);
        conv_case late = {.n = 1,
                          .h = 4,
                          .w = 4,
                          .cin = 64,
                          .cout = 130,
                          .kh = 3,
                          .kw = 3,
                          .sh = 1,
                          .sw = 1,
                          .dh = 1,
                          .dw = 1,
                          .groups = 1,
                          .pad = FROST__PAD_SAME_UPPER,
                          .bias = true,
                          .filter_const = true,
                          .act = FROST__ACT_NONE,
                          .threads = t};
        run_conv_case(&late);
        late.filter_const = false;
        run_conv_case(&late);
    }
    /* Groups wide enough for a GEMM per group (the narrow ones above take the direct loops). */
    for (int t = 1; t <= 3; t += 2)
        for (int fc = 0; fc <= 1; fc++) {
            conv_case wide = {.n = 2,
                              .h = 9,
                              .w = 7,
                              .cin = 6,
                              .cout = 36,
                              .kh = 3,
                              .kw = 2,
                              .sh = 2,
                              .sw = 1,
                              .dh = 1,
                              .dw = 2,
                              .groups = 2,
                              .pad = FROST__PAD_SAME_UPPER,
                              .bias = true,
                              .filter_const = fc,
                              .act = FROST__ACT_RELU,
                              .threads = t};
            run_conv_case(&wide);
            wide.kh = wide.kw = 1;
            wide.sh = 1;
            wide.dw = 1;
            run_conv_case(&wide); /* 1x1: A read in place at each group's channel offset */
        }
    /* An empty batch. */
    conv_case empty = {.n = 0, .h = 5, .w = 5, .cin = 3, .cout = 4, .kh = 3, .kw = 3, .sh = 1, .sw = 1,
                       .dh = 1, .dw = 1, .groups = 1, .pad = FROST__PAD_SAME_UPPER, .bias = true,
                       .filter_const = true, .threads = 2};
    run_conv_case(&empty);
    /* groups == channels with one input channel each: the depthwise route. */
    conv_case dw = {.n = 2,
                    .h = 9,
                    .w = 8,
                    .cin = 6,
                    .cout = 12,
                    .kh = 3,
                    .kw = 3,
                    .sh = 2,
                    .sw = 1,
                    .dh = 1,
                    .dw = 2,
                    .groups = 6,
                    .pad = FROST__PAD_SAME_LOWER,
                    .bias = true,
                    .filter_const = true,
                    .act = FROST__ACT_RELU,
                    .threads = 2};
    run_conv_case(&dw);
    CHECK_MSG(failures_reported == 0, "%d conv cases failed", failures_reported);
}

/* ---- depthwise ------------------------------------------------------------------------------ */

static void test_depthwise(void) {
    static const frost__padding pads[] = {FROST__PAD_VALID, FROST__PAD_SAME_UPPER,
                                          FROST__PAD_SAME_LOWER, FROST__PAD_EXPLICIT};
    int i = 0;
    for (int pi = 0; pi < 4; pi++)
        for (int s = 1; s <= 3; s++)
            for (int d = 1; d <= 2; d++)
                for (int mult = 1; mult <= 2; mult++, i++) {
                    const int n = 1 + i % 2, h = 8 + i % 3, w = 7, C = 3 + i % 4, k = 3 - i % 2;
                    const int64_t xd[4] = {n, h, w, C}, fd[4] = {k, k + 1, C, mult},
                                  bd[1] = {C * mult};
                    float *x = rnd((size_t)(n * h * w * C)),
                          *f = rnd((size_t)(k * (k + 1) * C * mult));
                    float *b = rnd((size_t)(C * mult));
                    frost__params p;
                    memset(&p, 0, sizeof p);
                    p.conv.w = (frost__window){s, 1 + (s % 2), d, 1, pads[pi], 2, 0, 1, 1};
                    p.conv.act.act = FROST__ACT_RELU6;
                    oh_in ins[3] = {oh_var(oh_f32(x, 4, xd)), oh_f32(f, 4, fd), oh_f32(b, 1, bd)};
                    oh_out out;
                    frost_error err;
                    if (!CHECK_OK(oh_run(FROST__OP_DEPTHWISE_CONV2D, &p, 3, ins, 1, true, 1 + i % 3,
                                         &out, &err),
                                  &err)) {
                        free(x), free(f), free(b);
                        continue;
                    }
                    const frost__window *wd = &p.conv.w;
                    const int64_t oh =
                        fwd_out(h, k, wd->stride_h, wd->dilation_h, wd->padding, 2, 0);
                    const int64_t ow =
                        fwd_out(w, k + 1, wd->stride_w, wd->dilation_w, wd->padding, 1, 1);
                    const int pt = fwd_pad(h, oh, k, wd->stride_h, wd->dilation_h, wd->padding, 2);
                    const int pl =
                        fwd_pad(w, ow, k + 1, wd->stride_w, wd->dilation_w, wd->padding, 1);
                    CHECK(out.shape.rank == 4 && out.shape.d[1] == oh && out.shape.d[2] == ow &&
                          out.shape.d[3] == C * mult);
                    float *ref = malloc((size_t)(n * oh * ow * C * mult) * sizeof *ref);
                    for (int bn = 0; bn < n; bn++)
                        for (int64_t y = 0; y < oh; y++)
                            for (int64_t xx = 0; xx < ow; xx++)
                                for (int c = 0; c < C; c++)
                                    for (int m = 0; m < mult; m++) {
                                        double s2 = b[c * mult + m];
                                        for (int kh = 0; kh < k; kh++)
                                            for (int kw = 0; kw < k + 1; kw++) {
                                                const int64_t ih =
                                                    y * wd->stride_h - pt + kh * wd->dilation_h;
                                                const int64_t iw =
                                                    xx * wd->stride_w - pl + kw * wd->dilation_w;
                                                if (ih < 0 || ih >= h || iw < 0 || iw >= w)
                                                    continue;
                                                s2 += (double)x[((bn * h + ih) * w + iw) * C + c] *
                                                      f[((kh * (k + 1) + kw) * C + c) * mult + m];
                                            }
                                        s2 = s2 < 0 ? 0 : s2 > 6 ? 6 : s2;
                                        ref[((bn * oh + y) * ow + xx) * C * mult + c * mult + m] =
                                            (float)s2;
                                    }
                    frost_test_close(out.data, ref, (size_t)(n * oh * ow * C * mult), 1e-4, 1e-4,
                                     frost_test_fmt("depthwise case %d", i));
                    free(ref);
                    oh_free(&out, 1);
                    free(x), free(f), free(b);
                }
}

/* ---- transposed conv ------------------------------------------------------------------------ */

typedef struct deconv_case {
    int n, h, w, cin, cout, kh, kw, s, d;
    frost__padding pad;
    int pt, pb, out_h, out_w, out_pad;
    bool filter_const, bias;
    int threads;
} deconv_case;

static void run_deconv_case(const deconv_case *c) {
    const int64_t xd[4] = {c->n, c->h, c->w, c->cin}, fd[4] = {c->kh, c->kw, c->cout, c->cin};
    const int64_t bd[1] = {c->cout};
    float *x = rnd((size_t)(c->n * c->h * c->w * c->cin)),
          *f = rnd((size_t)(c->kh * c->kw * c->cout * c->cin));
    float *b = rnd((size_t)c->cout);
    frost__params p;
    memset(&p, 0, sizeof p);
    p.deconv.w = (frost__window){c->s, c->s, c->d, c->d, c->pad, c->pt, c->pb, c->pt, c->pb};
    p.deconv.out_h = c->out_h;
    p.deconv.out_w = c->out_w;
    p.deconv.out_pad_h = p.deconv.out_pad_w = c->out_pad;
    oh_in ins[3] = {oh_var(oh_f32(x, 4, xd)), oh_f32(f, 4, fd),
                    c->bias ? oh_f32(b, 1, bd) : oh_absent()};
    ins[1].variable = !c->filter_const;
    char label[160];
    snprintf(label, sizeof label,
             "deconv %dx%dx%d->%d k%dx%d s%d d%d pad%d(%d,%d) out%dx%d opad%d const%d t%d", c->h,
             c->w, c->cin, c->cout, c->kh, c->kw, c->s, c->d, (int)c->pad, c->pt, c->pb, c->out_h,
             c->out_w, c->out_pad, c->filter_const, c->threads);
    /* Expected size and leading pad, ONNX ConvTranspose formulas. */
    const int effh = c->d * (c->kh - 1) + 1, effw = c->d * (c->kw - 1) + 1;
    int64_t OH, OW;
    if (c->out_h > 0)
        OH = c->out_h, OW = c->out_w;
    else if (c->pad == FROST__PAD_VALID)
        OH = (c->h - 1) * c->s + effh + c->out_pad, OW = (c->w - 1) * c->s + effw + c->out_pad;
    else if (c->pad == FROST__PAD_EXPLICIT)
        OH = (c->h - 1) * c->s + c->out_pad + effh - c->pt - c->pb,
        OW = (c->w - 1) * c->s + c->out_pad + effw - c->pt - c->pb;
    else
        OH = c->h * c->s, OW = c->w * c->s;
    int pt = 0, pl = 0;
    if (c->pad == FROST__PAD_EXPLICIT)
        pt = pl = c->pt;
    else if (c->pad != FROST__PAD_VALID) {
        int64_t th = (c->h - 1) * c->s + c->out_pad + effh - OH,
                tw = (c->w - 1) * c->s + c->out_pad + effw - OW;
        th = th < 0 ? 0 : th;
        tw = tw < 0 ? 0 : tw;
        pt = (int)(c->pad == FROST__PAD_SAME_UPPER ? th / 2 : th - th / 2);
        pl = (int)(c->pad == FROST__PAD_SAME_UPPER ? tw / 2 : tw - tw / 2);
    }
    oh_out out;
    frost_error err;
    if (CHECK_OK(oh_run(FROST__OP_CONV2D_TRANSPOSE, &p, 3, ins, 1, c->filter_const, c->threads,
                        &out, &err),
                 &err)) {
        const int64_t wd[4] = {c->n, OH, OW, c->cout};
        const frost__shape want = frost__shape_make(4, wd);
        if (CHECK_MSG(frost__shape_equal(&out.shape, &want), "%s: shape", label)) {
            const size_t ny = (size_t)(c->n * OH * OW * c->cout);
            double *acc = calloc(ny, sizeof *acc);
            /* Scatter form: every input pixel adds its filter-weighted copy onto the output. */
            for (int n = 0; n < c->n; n++)
                for (int ih = 0; ih < c->h; ih++)
                    for (int iw = 0; iw < c->w; iw++)
                        for (int kh = 0; kh < c->kh; kh++)
                            for (int kw = 0; kw < c->kw; kw++) {
                                const int64_t oh = (int64_t)ih * c->s - pt + kh * c->d;
                                const int64_t ow = (int64_t)iw * c->s - pl + kw * c->d;
                                if (oh < 0 || oh >= OH || ow < 0 || ow >= OW) continue;
                                for (int co = 0; co < c->cout; co++)
                                    for (int ci = 0; ci < c->cin; ci++)
                                        acc[((n * OH + oh) * OW + ow) * c->cout + co] +=
                                            (double)x[((n * c->h + ih) * c->w + iw) * c->cin + ci] *
                                            f[((kh * c->kw + kw) * c->cout + co) * c->cin + ci];
                            }
            float *ref = malloc(ny * sizeof *ref);
            for (size_t i = 0; i < ny; i++)
                ref[i] = (float)(acc[i] + (c->bias ? b[i % c->cout] : 0));
            frost_test_close(out.data, ref, ny, 1e-4, 1e-4, label);
            free(acc);
            free(ref);
        }
        oh_free(&out, 1);
    }
    free(x), free(f), free(b);
}

static void test_deconv(void) {
    static const frost__padding pads[] = {FROST__PAD_VALID, FROST__PAD_SAME_UPPER,
                                          FROST__PAD_SAME_LOWER, FROST__PAD_EXPLICIT};
    int i = 0;
    for (int pi = 0; pi < 4; pi++)
        for (int s = 1; s <= 3; s++)
            for (int d = 1; d <= 2; d++, i++) {
                deconv_case c = {.n = 1 + i % 2,
                                 .h = 4 + i % 3,
                                 .w = 5,
                                 .cin = 3 + i % 2,
                                 .cout = 2 + i % 3,
                                 .kh = 3,
                                 .kw = 2 + i % 2,
                                 .s = s,
                                 .d = d,
                                 .pad = pads[pi],
                                 .pt = 1,
                                 .pb = 0,
                                 .out_pad = (pi == 0 || pi == 3) && s > 1 ? 1 : 0,
                                 .filter_const = i % 3 != 2,
                                 .bias = i % 2 == 0,
                                 .threads = 1 + (i % 2) * 2};
                run_deconv_case(&c);
            }
    /* Explicit output size (TF Conv2DBackpropInput input_sizes): SAME and VALID with a tail. */
    deconv_case same = {.n = 1,
                        .h = 5,
                        .w = 4,
                        .cin = 3,
                        .cout = 4,
                        .kh = 3,
                        .kw = 3,
                        .s = 2,
                        .d = 1,
                        .pad = FROST__PAD_SAME_UPPER,
                        .out_h = 9,
                        .out_w = 8,
                        .filter_const = true,
                        .bias = true,
                        .threads = 2};
    run_deconv_case(&same);
    deconv_case valid = same;
    valid.pad = FROST__PAD_VALID;
    valid.out_h = 12;
    valid.out_w = 10;
    run_deconv_case(&valid);
}

/* ---- inference and errors ------------------------------------------------------------------- */

static void test_infer_and_errors(void) {
    frost__params p;
    memset(&p, 0, sizeof p);
    p.conv.w.padding = FROST__PAD_SAME_UPPER;
    p.conv.w.stride_h = p.conv.w.stride_w = 2;
    float f[3 * 3 * 4 * 8] = {0};
    oh_out out;
    frost_error err;
    /* Unknown batch and height: known width and channels still come out. */
    oh_in ins[3] = {oh_f32(NULL, 4, (int64_t[]){-1, -1, 9, 4}),
                    oh_f32(f, 4, (int64_t[]){3, 3, 4, 8}), oh_absent()};
    if (CHECK_OK(oh_infer(FROST__OP_CONV2D, &p, 2, ins, 1, &out, &err), &err))
        CHECK(out.shape.rank == 4 && out.shape.d[0] == -1 && out.shape.d[1] == -1 &&
              out.shape.d[2] == 5 && out.shape.d[3] == 8);
    /* Unknown rank: still rank 4 with the filter's channels. */
    ins[0] = oh_f32(NULL, -1, NULL);
    if (CHECK_OK(oh_infer(FROST__OP_CONV2D, &p, 2, ins, 1, &out, &err), &err))
        CHECK(out.shape.rank == 4 && out.shape.d[3] == 8 && out.shape.d[1] == -1);
    /* Channel mismatch. */
    ins[0] = oh_f32(NULL, 4, (int64_t[]){1, 9, 9, 5});
    CHECK_FAILS(oh_infer(FROST__OP_CONV2D, &p, 2, ins, 1, &out, &err), FROST_E_SHAPE, &err,
                "5 channels");
    /* Grouped: 8 input channels = 4 x 2 groups is fine, 3 groups cannot split 8 outputs. */
    ins[0] = oh_f32(NULL, 4, (int64_t[]){1, 9, 9, 8});
    p.conv.groups = 2;
    CHECK_OK(oh_infer(FROST__OP_CONV2D, &p, 2, ins, 1, &out, &err), &err);
    p.conv.groups = 3;
    CHECK_FAILS(oh_infer(FROST__OP_CONV2D, &p, 2, ins, 1, &out, &err), FROST_E_SHAPE, &err,
                "groups");
    p.conv.groups = 1;
    /* Wrong rank. */
    ins[0] = oh_f32(NULL, 3, (int64_t[]){9, 9, 4});
    CHECK_FAILS(oh_infer(FROST__OP_CONV2D, &p, 2, ins, 1, &out, &err), FROST_E_SHAPE, &err,
                "rank 4");
    /* Input smaller than a VALID window. */
    p.conv.w.padding = FROST__PAD_VALID;
    ins[0] = oh_f32(NULL, 4, (int64_t[]){1, 2, 9, 4});
    CHECK_FAILS(oh_infer(FROST__OP_CONV2D, &p, 2, ins, 1, &out, &err), FROST_E_SHAPE, &err,
                "empty output");
    /* Bias of the wrong length. */
    ins[0] = oh_f32(NULL, 4, (int64_t[]){1, 9, 9, 4});
    ins[2] = oh_f32(NULL, 1, (int64_t[]){7});
    CHECK_FAILS(oh_infer(FROST__OP_CONV2D, &p, 3, ins, 1, &out, &err), FROST_E_SHAPE, &err, "bias");
    /* Depthwise channel mismatch, transposed conv channel mismatch. */
    ins[2] = oh_absent();
    ins[1] = oh_f32(f, 4, (int64_t[]){3, 3, 8, 4});
    CHECK_FAILS(oh_infer(FROST__OP_DEPTHWISE_CONV2D, &p, 2, ins, 1, &out, &err), FROST_E_SHAPE,
                &err, "channels");
    memset(&p, 0, sizeof p); /* conv.groups shares bytes with deconv.out_h */
    ins[1] = oh_f32(f, 4, (int64_t[]){3, 3, 4, 8});
    CHECK_FAILS(oh_infer(FROST__OP_CONV2D_TRANSPOSE, &p, 2, ins, 1, &out, &err), FROST_E_SHAPE,
                &err, "channels");
    /* Transposed conv with unknown spatial dims. */
    ins[0] = oh_f32(NULL, 4, (int64_t[]){1, -1, 6, 4});
    ins[1] = oh_f32(f, 4, (int64_t[]){3, 3, 8, 4});
    p.deconv.w.padding = FROST__PAD_SAME_UPPER;
    p.deconv.w.stride_h = p.deconv.w.stride_w = 2;
    if (CHECK_OK(oh_infer(FROST__OP_CONV2D_TRANSPOSE, &p, 2, ins, 1, &out, &err), &err))
        CHECK(out.shape.d[1] == -1 && out.shape.d[2] == 12 && out.shape.d[3] == 8);
    /* Integer input. */
    ins[0] = oh_typed(FROST_DTYPE_I32, NULL, 4, (int64_t[]){1, 9, 9, 4});
    ins[1] = oh_f32(f, 4, (int64_t[]){3, 3, 4, 8});
    CHECK_FAILS(oh_infer(FROST__OP_CONV2D, &p, 2, ins, 1, &out, &err), FROST_E_DTYPE, &err, "f32");
}

int main(void) {
    frost_test_seed(2);
    test_conv2d();
    test_depthwise();
    test_deconv();
    test_infer_and_errors();
    return frost_test_finish();
}
