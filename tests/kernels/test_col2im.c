/* test_col2im.c — the transposed conv's gather (frost_k_f32_col2im__ref) against a scatter written
 * here: every input pixel's products added into the output pixels its window lands on, then bias
 * and activation. Windows that tile the output (2x2/2, 3x3/3, 2x3/2x3: the no-overlap path) and
 * overlapping ones (3x3/2, 4x4/2, dilation 2), with and without padding, bias or none, an
 * activation or none, 1 to 24 output channels, row ranges that start mid-image. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/conv.h"
#include "kernels/gemm.h"
#include "test.h"

static void scatter(const frost__conv_geom *g, const float *cols, const float *bias,
                    const frost__act_params *act, float *y) {
    const int64_t OC = g->out_c, row_len = (int64_t)g->k_h * g->k_w * OC;
    for (int64_t i = 0; i < g->out_h * g->out_w; i++)
        for (int64_t c = 0; c < OC; c++) y[i * OC + c] = bias ? bias[c] : 0.0f;
    for (int64_t ih = 0; ih < g->in_h; ih++)
        for (int64_t iw = 0; iw < g->in_w; iw++)
            for (int kh = 0; kh < g->k_h; kh++)
                for (int kw = 0; kw < g->k_w; kw++) {
                    const int64_t oh = ih * g->stride_h - g->pad_top + (int64_t)kh * g->dil_h;
                    const int64_t ow = iw * g->stride_w - g->pad_left + (int64_t)kw * g->dil_w;
                    if (oh < 0 || oh >= g->out_h || ow < 0 || ow >= g->out_w) continue;
                    for (int64_t c = 0; c < OC; c++)
                        y[(oh * g->out_w + ow) * OC + c] +=
                            cols[(ih * g->in_w + iw) * row_len + ((int64_t)kh * g->k_w + kw) * OC + c];
                }
    if (act) frost_k_f32_act__ref(y, (size_t)(g->out_h * g->out_w * OC), act);
}

int main(void) {
    frost_test_seed(41);
    static const int shapes[][5] = {/* kh, kw, sh, sw, dil */
                                    {2, 2, 2, 2, 1}, {3, 3, 3, 3, 1}, {2, 3, 2, 3, 1},
                                    {3, 3, 2, 2, 1}, {4, 4, 2, 2, 1}, {3, 3, 1, 1, 2}};
    static const int chans[] = {1, 3, 16, 24};
    int cases = 0;
    for (size_t si = 0; si < FROST_ARRAY_LEN(shapes); si++)
        for (size_t ci = 0; ci < FROST_ARRAY_LEN(chans); ci++)
            for (int pad = 0; pad <= 1; pad++) {
                const int *sh = shapes[si], i = cases;
                frost__conv_geom g;
                memset(&g, 0, sizeof g);
                g.n = 1, g.in_h = 5 + i % 3, g.in_w = 7 + i % 2, g.in_c = 4, g.out_c = chans[ci];
                g.k_h = sh[0], g.k_w = sh[1], g.stride_h = sh[2], g.stride_w = sh[3];
                g.dil_h = g.dil_w = sh[4], g.groups = 1, g.pad_top = pad, g.pad_left = pad;
                g.out_h = (g.in_h - 1) * g.stride_h + (int64_t)g.dil_h * (g.k_h - 1) + 1 - 2 * pad;
                g.out_w = (g.in_w - 1) * g.stride_w + (int64_t)g.dil_w * (g.k_w - 1) + 1 - 2 * pad + i % 2;
                const size_t nc = (size_t)(g.in_h * g.in_w * g.k_h * g.k_w * g.out_c);
                const size_t ny = (size_t)(g.out_h * g.out_w * g.out_c);
                float *cols = malloc(nc * sizeof *cols), *b = malloc((size_t)g.out_c * sizeof *b);
                float *got = malloc(ny * sizeof *got), *want = malloc(ny * sizeof *want);
                frost_test_fill(cols, nc, -2, 2);
                frost_test_fill(b, (size_t)g.out_c, -1, 1);
                const frost__act_params relu = {FROST__ACT_RELU, 0, 0, false, 0, 0};
                const frost__act_params *act = i % 3 == 1 ? &relu : NULL;
                const float *bias = i % 2 ? b : NULL;
                scatter(&g, cols, bias, act, want);
                for (size_t j = 0; j < ny; j++) got[j] = NAN;
                const int64_t split = g.out_h / 3;
                frost_k_f32_col2im__ref(&g, cols, bias, act, got, 0, split);
                frost_k_f32_col2im__ref(&g, cols, bias, act, got, split, g.out_h);
                size_t bad = ny;
                for (size_t j = 0; j < ny && bad == ny; j++)
                    if (!(fabsf(got[j] - want[j]) <= 1e-5f)) bad = j;
                CHECK_MSG(bad == ny, "k%dx%d s%dx%d dil%d pad%d c%lld: [%zu] %g vs %g", sh[0], sh[1],
                          sh[2], sh[3], sh[4], pad, (long long)g.out_c, bad, bad < ny ? got[bad] : 0.0,
                          bad < ny ? want[bad] : 0.0);
                cases++;
                free(cols), free(b), free(got), free(want);
            }
    CHECK(cases == 48);
    return frost_test_finish();
}
