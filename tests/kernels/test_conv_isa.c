/* test_conv_isa.c — the AVX-512 convolution helpers against naive versions written here:
 * - im2col (exact: it only moves floats), over window sizes whose rows are shorter and longer than
 *   a 16-lane vector, strides, dilations, groups, and padding on every side (windows hanging over
 *   the edges, and windows wholly outside the image on one axis), with the column buffer
 *   pre-filled with NaN so an unwritten entry shows. Row ranges start mid-image.
 * - the narrow direct conv (K <= 128 over 1-4 channels, cout <= 32) on a padded image built here,
 *   against a naive conv in double: windows 1-5, cout around 16 and 32 and the k-pair form's 17-24
 *   (odd and even taps per window row), strides, dilations, paddings, output widths around its
 *   10- and 8-pixel tiles, bias or none, relu (registers) and sigmoid (ref tail),
 *   row ranges that start mid-image, outputs pre-filled with NaN.
 * Skipped without AVX-512. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/conv.h"
#include "ops/op.h"
#include "test.h"

static void naive_im2col(const frost__conv_geom *g, const float *x, int group, int64_t row0,
                         int64_t rows, float *col) {
    const int64_t cg = g->in_c / g->groups;
    int64_t i = 0;
    for (int64_t r = row0; r < row0 + rows; r++) {
        const int64_t n = r / (g->out_h * g->out_w), oh = r / g->out_w % g->out_h, ow = r % g->out_w;
        for (int kh = 0; kh < g->k_h; kh++)
            for (int kw = 0; kw < g->k_w; kw++)
                for (int64_t c = 0; c < cg; c++) {
                    const int64_t ih = oh * g->stride_h - g->pad_top + kh * g->dil_h;
                    const int64_t iw = ow * g->stride_w - g->pad_left + kw * g->dil_w;
                    const bool in = ih >= 0 && ih < g->in_h && iw >= 0 && iw < g->in_w;
                    col[i++] = in ? x[((n * g->in_h + ih) * g->in_w + iw) * g->in_c + group * cg + c]
                                  : 0.0f;
                }
    }
}

static double act_of(double v, frost__act a) {
    if (a == FROST__ACT_RELU) return v < 0 ? 0 : v;
    if (a == FROST__ACT_SIGMOID) return 1.0 / (1.0 + exp(-v));
    return v;
}

static int narrow_cases(void) {
    int cases = 0;
    static const int couts[] = {1, 15, 16, 17, 20, 24, 32};
    for (int k = 1; k <= 5; k += 2)
        for (int cin = 1; cin <= 4; cin++)
            for (size_t co = 0; co < FROST_ARRAY_LEN(couts); co++)
                for (int s = 1; s <= 2; s++)
                    for (int d = 1; d <= 2; d++)
                        for (int pad = 0; pad <= 2; pad++) {
                            if (k * k * cin > 128) continue; /* conv.c: K <= 64, or <= 128 over <= 4 channels */
                            frost__conv_geom g;
                            memset(&g, 0, sizeof g);
                            g.n = 1, g.in_h = 9, g.in_w = 11 + k + s, g.in_c = cin, g.out_c = couts[co];
                            g.k_h = k, g.k_w = k, g.stride_h = s, g.stride_w = s, g.dil_h = d,
                            g.dil_w = d, g.groups = 1, g.pad_top = pad, g.pad_left = pad;
                            const int64_t eff = (int64_t)d * (k - 1) + 1;
                            g.out_h = (g.in_h + 2 * pad - eff) / s + 1;
                            g.out_w = (g.in_w + 2 * pad - eff) / s + 1;
                            if (g.out_h <= 0 || g.out_w <= 0) continue;
                            const frost__act act = (frost__act)(cases % 3 == 0   ? FROST__ACT_NONE
                                                                : cases % 3 == 1 ? FROST__ACT_RELU
                                                                                 : FROST__ACT_SIGMOID);
                            const frost__act_params ap = {act, 0, 0, false, 0, 0};
                            const int64_t hp = (g.out_h - 1) * s + eff, wp = (g.out_w - 1) * s + eff;
                            const size_t nx = (size_t)(g.in_h * g.in_w * cin), K = (size_t)(k * k * cin);
                            float *x = malloc(nx * sizeof *x), *f = malloc(K * g.out_c * sizeof *f);
                            float *w32 = calloc(K * 32, sizeof *w32), *bias = malloc(32 * sizeof *bias);
                            float *xpad = calloc((size_t)(hp * wp * cin), sizeof *xpad);
                            const size_t ny = (size_t)(g.out_h * g.out_w * g.out_c);
                            float *y = malloc(ny * sizeof *y);
                            frost_test_fill(x, nx, -1, 1);
                            frost_test_fill(f, K * g.out_c, -1, 1);
                            frost_test_fill(bias, 32, -1, 1);
                            for (size_t kk = 0; kk < K; kk++)
                                for (int64_t c = 0; c < g.out_c; c++) w32[kk * 32 + c] = f[kk * g.out_c + c];
                            for (int64_t ih = 0; ih < g.in_h; ih++)
                                for (int64_t iw = 0; iw < g.in_w; iw++)
                                    if (ih + pad < hp && iw + pad < wp)
                                        for (int c = 0; c < cin; c++)
                                            xpad[((ih + pad) * wp + iw + pad) * cin + c] =
                                                x[(ih * g.in_w + iw) * cin + c];
                            for (size_t i = 0; i < ny; i++) y[i] = NAN;
                            const bool with_bias = cases % 2 == 0;
                            const int64_t oh0 = g.out_h / 3;
                            frost_k_f32_conv_narrow__avx512(&g, xpad, wp, w32, with_bias ? bias : NULL,
                                                            &ap, y, oh0, g.out_h);
                            bool ok = true;
                            for (int64_t oh = 0; oh < g.out_h && ok; oh++)
                                for (int64_t ow = 0; ow < g.out_w && ok; ow++)
                                    for (int64_t c = 0; c < g.out_c && ok; c++) {
                                        const float got = y[(oh * g.out_w + ow) * g.out_c + c];
                                        if (oh < oh0) {
                                            ok = CHECK_MSG(isnan(got), "narrow: wrote row %lld before oh0",
                                                           (long long)oh);
                                            continue;
                                        }
                                        double sum = with_bias ? bias[c] : 0;
                                        for (int kh = 0; kh < k; kh++)
                                            for (int kw = 0; kw < k; kw++)
                                                for (int ci = 0; ci < cin; ci++) {
                                                    const int64_t ih = oh * s - pad + kh * d;
                                                    const int64_t iw = ow * s - pad + kw * d;
                                                    if (ih < 0 || ih >= g.in_h || iw < 0 || iw >= g.in_w) continue;
                                                    sum += (double)x[(ih * g.in_w + iw) * cin + ci] *
                                                           f[((kh * k + kw) * cin + ci) * g.out_c + c];
                                                }
                                        const double want = act_of(sum, act);
                                        ok = CHECK_MSG(fabs(got - want) <= 1e-5 * (1 + fabs(want)),
                                                       "narrow k%d cin%d cout%lld s%d d%d pad%d act%d "
                                                       "y[%lld,%lld,%lld] = %.7g, want %.7g",
                                                       k, cin, (long long)g.out_c, s, d, pad, (int)act,
                                                       (long long)oh, (long long)ow, (long long)c, got, want);
                                    }
                            free(x), free(f), free(w32), free(bias), free(xpad), free(y);
                            cases++;
                        }
    return cases;
}

int main(void) {
    frost_test_seed(7);
    if (!frost__cpu_get()->avx512f) frost_test_skip("no AVX-512 on this CPU (or FROST_MAX_ISA caps it)");
    int cases = 0;
    for (int k = 1; k <= 7; k += 2)
        for (int cin = 1; cin <= 40; cin += 13)
            for (int s = 1; s <= 2; s++)
                for (int d = 1; d <= 2; d++)
                    for (int groups = 1; groups <= 2; groups++)
                        for (int pad = 0; pad <= 4; pad += 2) {
                            if (cin % groups) continue;
                            frost__conv_geom g;
                            memset(&g, 0, sizeof g);
                            g.n = 2, g.in_h = 9, g.in_w = 6 + k, g.in_c = cin * groups;
                            g.k_h = k, g.k_w = k, g.stride_h = s, g.stride_w = s, g.dil_h = d,
                            g.dil_w = d, g.groups = groups, g.pad_top = pad, g.pad_left = pad + 1;
                            const int64_t eff = (int64_t)d * (k - 1) + 1;
                            g.out_h = (g.in_h + 2 * pad - eff) / s + 1;
                            g.out_w = (g.in_w + 2 * pad + 3 - eff) / s + 1; /* right pad pad+2 */
                            if (g.out_h <= 0 || g.out_w <= 0) continue;
                            g.out_c = 4;
                            const size_t nx = (size_t)(g.n * g.in_h * g.in_w * g.in_c);
                            float *x = malloc(nx * sizeof *x);
                            frost_test_fill(x, nx, -1, 1);
                            const int64_t total = g.n * g.out_h * g.out_w, row0 = total / 3;
                            const int64_t rows = total - row0;
                            const size_t nc = (size_t)(rows * k * k * cin);
                            float *got = malloc((nc + FROST_IM2COL_SLACK) * sizeof *got),
                                  *want = malloc(nc * sizeof *want);
                            for (int grp = 0; grp < groups; grp++) {
                                for (size_t i = 0; i < nc; i++) got[i] = NAN;
                                frost_k_f32_im2col__avx512(&g, x, grp, row0, rows, got);
                                naive_im2col(&g, x, grp, row0, rows, want);
                                CHECK_MSG(memcmp(got, want, nc * sizeof *got) == 0,
                                          "im2col k%d cin%d s%d d%d g%d pad%d group %d differs", k,
                                          cin, s, d, groups, pad, grp);
                                cases++;
                            }
                            free(x), free(got), free(want);
                        }
    CHECK(cases > 100);
    CHECK(narrow_cases() > 100);
    return frost_test_finish();
}
