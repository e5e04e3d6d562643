/* test_conv_isa.c — the AVX-512 im2col against a naive im2col written here (exact: it only moves
 * floats), over window sizes whose rows are shorter and longer than a 16-lane vector, strides,
 * dilations, groups, and padding on every side (windows hanging over the edges, and windows wholly
 * outside the image on one axis), with the column buffer pre-filled with NaN so an unwritten entry
 * shows. Row ranges start mid-image. Skipped without AVX-512. */
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
    return frost_test_finish();
}
