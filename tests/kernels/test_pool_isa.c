/* test_pool_isa.c — the AVX-512 pooling kernel against a naive pooling loop written here, bit for
 * bit (max only compares, average adds the taps in window order and scales by 1/count, as the
 * contract in kernels/pool.h says): max and average, with and without count_include_pad, windows
 * 1-3 with strides and dilations, padding on every side (windows partly or wholly in the padding),
 * channel counts around the 16-lane vector and the 64-channel register block (one channel with
 * rows wider than a vector: the row-vectorised max), NaN inputs (a NaN tap
 * never replaces the running max; it propagates through an average), row ranges that start
 * mid-image. Skipped without AVX-512. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/pool.h"
#include "ops/op.h"
#include "test.h"

static void naive_pool(const frost__pool_geom *g, const float *x, float *y, int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; r++) {
        const int64_t n = r / g->out_h, oh = r % g->out_h;
        for (int64_t ow = 0; ow < g->out_w; ow++)
            for (int64_t c = 0; c < g->c; c++) {
                float acc = g->is_max ? -INFINITY : 0.0f;
                int64_t inside = 0, padded = 0;
                for (int kh = 0; kh < g->k_h; kh++)
                    for (int kw = 0; kw < g->k_w; kw++) {
                        const int64_t ih = oh * g->stride_h - g->pad_top + kh * g->dil_h;
                        const int64_t iw = ow * g->stride_w - g->pad_left + kw * g->dil_w;
                        if (ih >= -g->pad_top && ih < g->in_h + g->pad_bottom &&
                            iw >= -g->pad_left && iw < g->in_w + g->pad_right)
                            padded++;
                        if (ih < 0 || ih >= g->in_h || iw < 0 || iw >= g->in_w) continue;
                        inside++;
                        const float v = x[((n * g->in_h + ih) * g->in_w + iw) * g->c + c];
                        if (g->is_max) acc = v > acc ? v : acc;
                        else acc += v;
                    }
                if (!g->is_max) {
                    const int64_t div = g->count_include_pad ? padded : inside;
                    if (div > 0) acc *= 1.0f / (float)div;
                }
                y[((n * g->out_h + oh) * g->out_w + ow) * g->c + c] = acc;
            }
    }
}

int main(void) {
    frost_test_seed(22);
    if (!frost__cpu_get()->avx512f) frost_test_skip("no AVX-512 on this CPU (or FROST_MAX_ISA caps it)");
    static const int chans[] = {1, 15, 16, 17, 32, 63, 64, 65, 100};
    int cases = 0;
    for (size_t ci = 0; ci < FROST_ARRAY_LEN(chans); ci++)
        for (int k = 1; k <= 3; k++)
            for (int s = 1; s <= 2; s++)
                for (int d = 1; d <= 2; d++)
                    for (int pad = 0; pad <= 2; pad++)
                        for (int mode = 0; mode < 3; mode++) {
                            frost__pool_geom g;
                            memset(&g, 0, sizeof g);
                            g.n = 2, g.in_h = 7, g.in_w = chans[ci] == 1 ? 37 : 6, g.c = chans[ci]; /* one channel: rows wider than a vector */
                            g.k_h = k, g.k_w = k + 1 > 3 ? 3 : k + 1, g.stride_h = s, g.stride_w = s;
                            g.dil_h = d, g.dil_w = d;
                            g.pad_top = pad, g.pad_left = pad > 0 ? pad - 1 : 0;
                            g.pad_bottom = pad + 1, g.pad_right = pad;
                            g.is_max = mode == 0, g.count_include_pad = mode == 2;
                            g.out_h = (g.in_h + g.pad_top + g.pad_bottom - (d * (g.k_h - 1) + 1)) / s + 1;
                            g.out_w = (g.in_w + g.pad_left + g.pad_right - (d * (g.k_w - 1) + 1)) / s + 1;
                            if (g.out_h <= 0 || g.out_w <= 0) continue;
                            const size_t nx = (size_t)(g.n * g.in_h * g.in_w * g.c);
                            const size_t ny = (size_t)(g.n * g.out_h * g.out_w * g.c);
                            float *x = malloc(nx * sizeof *x), *got = malloc(ny * sizeof *got),
                                  *want = malloc(ny * sizeof *want);
                            frost_test_fill(x, nx, -2, 2);
                            for (size_t i = 0; i < nx; i += 37) x[i] = NAN;
                            for (size_t i = 0; i < ny; i++) got[i] = want[i] = 12345.0f;
                            const int64_t rows = g.n * g.out_h, r0 = rows / 3;
                            frost_k_f32_pool2d__avx512(&g, x, got, r0, rows);
                            naive_pool(&g, x, want, r0, rows);
                            CHECK_MSG(memcmp(got, want, ny * sizeof *got) == 0,
                                      "pool c%d k%d s%d d%d pad%d mode%d differs", chans[ci], k, s,
                                      d, pad, mode);
                            cases++;
                            free(x), free(got), free(want);
                        }
    CHECK(cases > 200);
    return frost_test_finish();
}
