/* test_depthwise_isa.c — the tiled depthwise kernels (the portable build, AVX2 and AVX-512 where
 * the CPU runs them) against the reference kernel frost_k_f32_depthwise__ref: windows 3x3 and 5x5
 * (the unrolled interiors) and 1x1, 2x2, 7x7 (the checked loop), strides 1 and 2, padding on every
 * side (windows hanging over each edge, rows wholly in the padding), images narrower than the
 * 4-column block, rows wide enough for whole chunks of the stride-1 stream (40-odd columns),
 * channel counts around every block width (16, 8, 4 and the scalar rest) and the stream's
 * narrow ones (24, 28, 36, 40, 42: 3 to 21 weight patterns), bias or
 * none, every activation the kernels apply in registers plus sigmoid (the portable tail), a
 * channel multiplier and a dilation (both handed to the reference kernel), row ranges that start
 * mid-image, outputs pre-filled with NaN. Results may differ from the reference by FMA
 * contraction only: within 1e-5 of the output's scale. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/conv.h"
#include "platform/cpu.h"
#include "test.h"

typedef void (*dw_fn)(const frost__conv_geom *, const float *, const float *, const float *,
                      const frost__act_params *, float *, int64_t, int64_t);

static const frost__act acts[] = {FROST__ACT_NONE,       FROST__ACT_RELU,        FROST__ACT_RELU6,
                                  FROST__ACT_CLIP,       FROST__ACT_LEAKY_RELU,  FROST__ACT_HARD_SIGMOID,
                                  FROST__ACT_HARD_SWISH, FROST__ACT_SIGMOID};

static int run_cases(const char *isa, dw_fn fn) {
    static const int ks[] = {3, 5, 1, 2, 7};
    static const int chans[] = {1, 3, 4, 7, 8, 12, 16, 20, 24, 28, 31, 33, 36, 40, 42, 48};
    int cases = 0;
    for (size_t ki = 0; ki < FROST_ARRAY_LEN(ks); ki++)
        for (int s = 1; s <= 2; s++)
            for (size_t ci = 0; ci < FROST_ARRAY_LEN(chans); ci++)
                for (int shape = 0; shape < 5; shape++) {
                    const int k = ks[ki], C = chans[ci], i = cases;
                    const int mult = shape == 3 && C <= 8 ? 2 : 1, dil = shape == 2 && k == 3 ? 2 : 1;
                    frost__conv_geom g;
                    memset(&g, 0, sizeof g);
                    g.n = 1 + i % 2;
                    g.in_h = shape == 1 ? 3 : shape == 4 ? 4 : 9 + i % 3;
                    g.in_w = shape == 1 ? 2 : shape == 4 ? 37 + i % 11 : 11 + i % 7;
                    g.in_c = C, g.out_c = C * mult;
                    g.k_h = g.k_w = k, g.stride_h = g.stride_w = s, g.dil_h = g.dil_w = dil;
                    g.groups = C;
                    g.pad_top = (k - 1) * dil / 2 + (i % 3 == 0);
                    g.pad_left = i % 2 ? 0 : (k - 1) * dil / 2;
                    const int pad_bottom = (k - 1) * dil - g.pad_top + 1, pad_right = i % 3;
                    const int64_t eff = (int64_t)dil * (k - 1) + 1;
                    g.out_h = (g.in_h + g.pad_top + pad_bottom - eff) / s + 1;
                    g.out_w = (g.in_w + g.pad_left + pad_right - eff) / s + 1;
                    if (g.out_h <= 0 || g.out_w <= 0) continue;
                    const frost__act_params act = {acts[i % FROST_ARRAY_LEN(acts)],
                                                   acts[i % FROST_ARRAY_LEN(acts)] == FROST__ACT_CLIP ? -0.5f
                                                   : acts[i % FROST_ARRAY_LEN(acts)] == FROST__ACT_LEAKY_RELU ? 0.1f
                                                   : 0.2f,
                                                   acts[i % FROST_ARRAY_LEN(acts)] == FROST__ACT_CLIP ? 0.7f : 0.5f,
                                                   i % 3 == 2 && acts[i % FROST_ARRAY_LEN(acts)] != FROST__ACT_NONE,
                                                   -0.3f, 0.9f}; /* a clamp after (params.h) */
                    const size_t nx = (size_t)(g.n * g.in_h * g.in_w * C);
                    const size_t nf = (size_t)(k * k * C * mult);
                    const size_t ny = (size_t)(g.n * g.out_h * g.out_w * g.out_c);
                    float *x = malloc(nx * sizeof *x), *f = malloc(nf * sizeof *f);
                    float *b = malloc((size_t)g.out_c * sizeof *b);
                    float *got = malloc(ny * sizeof *got), *want = malloc(ny * sizeof *want);
                    frost_test_fill(x, nx, -2, 2);
                    frost_test_fill(f, nf, -1, 1);
                    frost_test_fill(b, (size_t)g.out_c, -1, 1);
                    for (size_t j = 0; j < ny; j++) got[j] = want[j] = NAN;
                    const int64_t rows = g.n * g.out_h, r0 = i % 2 ? rows / 3 : 0;
                    const float *bias = i % 4 == 1 ? NULL : b;
                    fn(&g, x, f, bias, &act, got, r0, rows);
                    frost_k_f32_depthwise__ref(&g, x, f, bias, &act, want, r0, rows);
                    double scale = 1;
                    for (size_t j = 0; j < ny; j++)
                        if (!isnan(want[j]) && fabs(want[j]) > scale) scale = fabs(want[j]);
                    size_t bad = ny;
                    for (size_t j = 0; j < ny && bad == ny; j++) {
                        const bool both_nan = isnan(got[j]) && isnan(want[j]);
                        if (!both_nan && !(fabs((double)got[j] - want[j]) <= 1e-5 * scale)) bad = j;
                    }
                    CHECK_MSG(bad == ny,
                              "%s: k%d s%d c%d mult%d dil%d %lldx%lld act%d rows %lld..: [%zu] %g vs %g",
                              isa, k, s, C, mult, dil, (long long)g.in_h, (long long)g.in_w,
                              (int)act.act, (long long)r0, bad, bad < ny ? got[bad] : 0.0,
                              bad < ny ? want[bad] : 0.0);
                    cases++;
                    free(x), free(f), free(b), free(got), free(want);
                }
    return cases;
}

int main(void) {
    frost_test_seed(31);
    const frost__cpu *cpu = frost__cpu_get();
    int cases = run_cases("portable", frost_k_f32_depthwise_tiled__ref);
#if defined(__x86_64__)
    if (cpu->max_isa >= FROST__ISA_AVX2 && cpu->avx2_fma)
        cases += run_cases("avx2", frost_k_f32_depthwise_tiled__avx2);
    if (cpu->max_isa >= FROST__ISA_AVX512 && cpu->avx512f)
        cases += run_cases("avx512", frost_k_f32_depthwise_tiled__avx512);
#endif
    (void)cpu;
    CHECK(cases > 300);
    return frost_test_finish();
}
