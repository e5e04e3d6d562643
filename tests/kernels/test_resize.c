/* test_resize.c — RESIZE (NHWC): hand-computed bilinear and nearest results for each coordinate
 * transform (half_pixel, align_corners, asymmetric, pytorch_half_pixel, tf_half_pixel_for_nn) and
 * nearest rounding mode, then batched multi-channel odd sizes (up and down) against a naive
 * per-pixel reference written here. */
#include <math.h>
#include <stdlib.h>

#include "hook_bench.h"

static bool run_resize(int mode, int coord, int nearest, int64_t n, int64_t h, int64_t w, int64_t c,
                       const float *x, int64_t oh, int64_t ow) {
    frost__params p = {.resize = {mode, coord, nearest}};
    h_reset();
    int ins[2] = {h_val(FROST_DTYPE_F32, 4, (int64_t[]){n, h, w, c}, x),
                  h_i32_vec(2, (int32_t[]){(int32_t)oh, (int32_t)ow})};
    bool ok = CHECK_OK(h_run(FROST__OP_RESIZE, &p, 2, ins, 1), &H.err);
    if (ok) ok = CHECK(h_shape_is(0, 4, (int64_t[]){n, oh, ow, c}));
    return ok;
}

static void test_hand_computed(void) {
    const float x[4] = {0, 1, 2, 3}; /* 2x2, one channel */
    if (run_resize(1, 1, 0, 1, 2, 2, 1, x, 4, 4)) {
        float want[16] = {0, 0.25f, 0.75f, 1, 0.5f, 0.75f, 1.25f, 1.5f,
                          1.5f, 1.75f, 2.25f, 2.5f, 2, 2.25f, 2.75f, 3};
        frost_test_close(h_data(0), want, 16, 1e-6, 0, "bilinear half_pixel 2->4");
    }
    if (run_resize(1, 2, 0, 1, 2, 2, 1, x, 3, 3)) {
        float want[9] = {0, 0.5f, 1, 1, 1.5f, 2, 2, 2.5f, 3};
        frost_test_close(h_data(0), want, 9, 1e-6, 0, "bilinear align_corners 2->3");
    }
    if (run_resize(1, 0, 0, 1, 2, 2, 1, x, 4, 4)) {
        float want[16] = {0, 0.5f, 1, 1, 1, 1.5f, 2, 2, 2, 2.5f, 3, 3, 2, 2.5f, 3, 3};
        frost_test_close(h_data(0), want, 16, 1e-6, 0, "bilinear asymmetric 2->4");
    }
    /* pytorch_half_pixel with an output of 1: coordinate 0 */
    if (run_resize(1, 3, 0, 1, 2, 2, 1, x, 1, 1)) CHECK(((float *)h_data(0))[0] == 0);
    if (run_resize(1, 1, 0, 1, 2, 2, 1, x, 1, 1)) CHECK(((float *)h_data(0))[0] == 1.5f);
    /* nearest: TF default (asymmetric + floor) 2->4 repeats each pixel twice */
    if (run_resize(0, 0, 2, 1, 2, 2, 1, x, 4, 4)) {
        float want[16] = {0, 0, 1, 1, 0, 0, 1, 1, 2, 2, 3, 3, 2, 2, 3, 3};
        frost_test_close(h_data(0), want, 16, 0, 0, "nearest asymmetric floor");
    }
    /* 1x3 -> 1x2: half_pixel coordinates 0.25 and 1.75 */
    const float row[3] = {10, 20, 30};
    struct { int coord, nearest; float want[2]; } nc[] = {
        {1, 0, {10, 30}},   /* round_prefer_floor: 0.25 -> 0, 1.75 -> 2 */
        {1, 2, {10, 20}},   /* floor */
        {1, 3, {20, 30}},   /* ceil */
        {4, 2, {10, 30}},   /* tf_half_pixel_for_nn: 0.75 -> 0, 2.25 -> 2 */
        {2, 1, {10, 30}},   /* align_corners: 0, 2 */
        {0, 2, {10, 20}},   /* asymmetric: 0, 1.5 -> 1 */
        {0, 1, {10, 30}},   /* asymmetric, round_prefer_ceil: 1.5 -> 2 */
        {0, 0, {10, 20}},   /* asymmetric, round_prefer_floor: 1.5 -> 1 */
    };
    for (size_t k = 0; k < FROST_ARRAY_LEN(nc); k++)
        if (run_resize(0, nc[k].coord, nc[k].nearest, 1, 1, 3, 1, row, 1, 2))
            frost_test_close(h_data(0), nc[k].want, 2, 0, 0,
                             frost_test_fmt("nearest coord %d mode %d", nc[k].coord, nc[k].nearest));
}

static double ref_coord(int coord, int64_t o, int64_t in, int64_t out) {
    double s = (double)in / (double)out;
    switch (coord) {
    case 1: return (o + 0.5) * s - 0.5;
    case 2: return out > 1 ? o * (double)(in - 1) / (double)(out - 1) : 0;
    case 3: return out > 1 ? (o + 0.5) * s - 0.5 : 0;
    case 4: return (o + 0.5) * s;
    default: return o * s;
    }
}

static float ref_pixel(const float *x, int64_t h, int64_t w, int64_t c, int64_t ch, double sy,
                       double sx, int mode, int nearest) {
    if (mode == 0) {
        double r[2] = {sy, sx};
        int64_t lim[2] = {h, w}, idx[2];
        for (int k = 0; k < 2; k++) {
            double v = r[k];
            double q = nearest == 0 ? (v - floor(v) == 0.5 ? floor(v) : round(v))
                     : nearest == 1 ? (v - floor(v) == 0.5 ? ceil(v) : round(v))
                     : nearest == 2 ? floor(v) : ceil(v);
            idx[k] = q < 0 ? 0 : q > lim[k] - 1 ? lim[k] - 1 : (int64_t)q;
        }
        return x[(idx[0] * w + idx[1]) * c + ch];
    }
    sy = fmin(fmax(sy, 0), (double)(h - 1));
    sx = fmin(fmax(sx, 0), (double)(w - 1));
    int64_t y0 = (int64_t)sy, x0 = (int64_t)sx;
    int64_t y1 = y0 + 1 < h ? y0 + 1 : h - 1, x1 = x0 + 1 < w ? x0 + 1 : w - 1;
    double fy = sy - y0, fx = sx - x0;
    double a = x[(y0 * w + x0) * c + ch], b = x[(y0 * w + x1) * c + ch];
    double d = x[(y1 * w + x0) * c + ch], e = x[(y1 * w + x1) * c + ch];
    return (float)((a * (1 - fx) + b * fx) * (1 - fy) + (d * (1 - fx) + e * fx) * fy);
}

static void test_against_reference(void) {
    struct { int64_t n, h, w, c, oh, ow; } sz[] = {
        {2, 5, 7, 3, 11, 13}, {1, 9, 6, 4, 4, 3}, {1, 1, 1, 5, 3, 2}, {3, 4, 4, 1, 4, 4}, {1, 3, 8, 2, 7, 1},
    };
    for (size_t s = 0; s < FROST_ARRAY_LEN(sz); s++)
        for (int mode = 0; mode < 2; mode++)
            for (int coord = 0; coord < 5; coord++)
                for (int nearest = 0; nearest < (mode == 0 ? 4 : 1); nearest++) {
                    int64_t n = sz[s].n, h = sz[s].h, w = sz[s].w, c = sz[s].c, oh = sz[s].oh, ow = sz[s].ow;
                    int64_t nx = n * h * w * c, ny = n * oh * ow * c;
                    float *x = malloc((size_t)nx * sizeof *x), *want = malloc((size_t)ny * sizeof *want);
                    frost_test_fill(x, (size_t)nx, -2, 2);
                    for (int64_t b = 0; b < n; b++)
                        for (int64_t oy = 0; oy < oh; oy++)
                            for (int64_t ox = 0; ox < ow; ox++)
                                for (int64_t ch = 0; ch < c; ch++)
                                    want[((b * oh + oy) * ow + ox) * c + ch] =
                                        ref_pixel(x + b * h * w * c, h, w, c, ch, ref_coord(coord, oy, h, oh),
                                                  ref_coord(coord, ox, w, ow), mode, nearest);
                    if (run_resize(mode, coord, nearest, n, h, w, c, x, oh, ow))
                        frost_test_close(h_data(0), want, (size_t)ny, 1e-5, 1e-5,
                                         frost_test_fmt("resize case %zu mode %d coord %d nearest %d", s, mode,
                                                        coord, nearest));
                    free(x);
                    free(want);
                }
}

static void test_errors(void) {
    float x[4] = {0};
    frost__params p = {.resize = {1, 1, 0}};
    h_reset();
    int ins[2] = {h_val(FROST_DTYPE_F32, 3, H_DIMS(2, 2, 1), x), h_i32_vec(2, H_I32(4, 4))};
    CHECK_FAILS(h_run(FROST__OP_RESIZE, &p, 2, ins, 1), FROST_E_SHAPE, &H.err, "NHWC");
    h_reset();
    ins[0] = h_val(FROST_DTYPE_F32, 4, H_DIMS(1, 2, 2, 1), x);
    ins[1] = h_i32_vec(1, H_I32(4));
    CHECK_FAILS(h_run(FROST__OP_RESIZE, &p, 2, ins, 1), FROST_E_SHAPE, &H.err, "size");
    p.resize.mode = 7;
    h_reset();
    ins[0] = h_val(FROST_DTYPE_F32, 4, H_DIMS(1, 2, 2, 1), x);
    ins[1] = h_i32_vec(2, H_I32(4, 4));
    CHECK_FAILS(h_run(FROST__OP_RESIZE, &p, 2, ins, 1), FROST_E_UNSUPPORTED, &H.err, "test_node");
    p.resize.mode = 1;
    h_reset();
    ins[0] = h_val(FROST_DTYPE_F32, 4, H_DIMS(-1, 2, 2, 3), NULL);
    ins[1] = h_val(FROST_DTYPE_I32, 1, H_DIMS(2), NULL);
    if (CHECK_OK(h_infer(FROST__OP_RESIZE, &p, 2, ins, 1, false), &H.err)) CHECK_SHAPE(0, 4, -1, -1, -1, 3);
    CHECK_FAILS(h_infer(FROST__OP_RESIZE, &p, 2, ins, 1, true), FROST_E_SHAPE, &H.err, "size");
    /* nearest works on any element size (u8 images) */
    uint8_t img[4] = {1, 2, 3, 4};
    p.resize = (typeof(p.resize)){0, 0, 2};
    h_reset();
    ins[0] = h_val(FROST_DTYPE_U8, 4, H_DIMS(1, 2, 2, 1), img);
    ins[1] = h_i32_vec(2, H_I32(2, 4));
    if (CHECK_OK(h_run(FROST__OP_RESIZE, &p, 2, ins, 1), &H.err))
        CHECK(memcmp(h_data(0), (uint8_t[]){1, 1, 2, 2, 3, 3, 4, 4}, 8) == 0);
}

int main(void) {
    frost_test_seed(5);
    test_hand_computed();
    test_against_reference();
    test_errors();
    h_reset();
    return frost_test_finish();
}
