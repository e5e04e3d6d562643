/* conv_avx512.c — AVX-512 builds of the convolution helpers in kernels/conv.h: im2col, which for
 * narrow windows (a 5x5 window over one channel: each window row is 5 floats) is dominated by
 * per-copy overhead in portable C — here every window row is one masked load and store.
 *
 * Same contract as the ref version (bit-identical output). Must never: allocate, read the input
 * outside the image (masked-off lanes are never touched, and no pointer is formed before the
 * image), or run on a CPU without AVX-512 F (conv.c picks it from the CPU probe). Compiled with
 * -mavx512*. */
#include "kernels/conv.h"

#include <immintrin.h>
#include <string.h>

static inline __mmask16 lanes(int64_t n) {
    return n >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << n) - 1);
}

/* dst[0, n) = 0; dst[lo, hi) = src[0, hi - lo): one window row with its edge padding. Loads are
 * masked (never past the image); stores are whole vectors, because masked stores are slow on AMD
 * cores (this loop ran at the GEMM's own speed with them): the lanes past the span land on the next
 * span, written after this one, or on the caller's slack after the last row. */
static inline void row_span(float *dst, const float *src, int64_t n, int64_t lo, int64_t hi) {
    if (n <= 8 && lo == 0 && hi == n) {
        _mm256_storeu_ps(dst, _mm256_maskz_loadu_ps((__mmask8)lanes(n), src));
        return;
    }
    if (n <= 16 && lo == 0 && hi == n) {
        _mm512_storeu_ps(dst, _mm512_maskz_loadu_ps(lanes(n), src));
        return;
    }
    for (int64_t i = 0; i < lo; i += 16) _mm512_storeu_ps(dst + i, _mm512_setzero_ps());
    for (int64_t i = lo; i < hi; i += 16)
        _mm512_storeu_ps(dst + i, _mm512_maskz_loadu_ps(lanes(hi - i), src + (i - lo)));
    for (int64_t i = hi > lo ? hi + ((16 - (hi - lo) % 16) % 16) : lo; i < n; i += 16)
        _mm512_storeu_ps(dst + i, _mm512_setzero_ps());
}

void frost_k_f32_im2col__avx512(const frost__conv_geom *g, const float *x, int group, int64_t row0,
                                int64_t rows, float *col) {
    const int64_t cin_g = g->in_c / g->groups;
    if (g->groups != 1 || g->dil_w != 1) {
        /* Taps are not contiguous along w: the portable loop is as good. */
        frost_k_f32_im2col__ref(g, x, group, row0, rows, col);
        return;
    }
    const int64_t span = (int64_t)g->k_w * cin_g; /* floats in one window row */
    const int64_t kcols = (int64_t)g->k_h * span;
    const int64_t plane = g->out_h * g->out_w;
    int64_t n = row0 / plane, rem = row0 % plane;
    int64_t oh = rem / g->out_w, ow = rem % g->out_w;
    for (int64_t r = 0; r < rows; r++) {
        float *dst = col + r * kcols;
        const float *img = x + n * g->in_h * g->in_w * g->in_c;
        const int64_t iw0 = ow * g->stride_w - g->pad_left;
        int64_t lo = iw0 < 0 ? -iw0 : 0, hi = g->in_w - iw0;
        if (hi > g->k_w) hi = g->k_w;
        if (lo > g->k_w) lo = g->k_w;
        if (hi < lo) hi = lo;
        const int64_t ih0 = oh * g->stride_h - g->pad_top;
        if (span <= 8 && lo == 0 && hi == g->k_w && ih0 >= 0 &&
            ih0 + (int64_t)(g->k_h - 1) * g->dil_h < g->in_h) {
            /* Interior window of a narrow conv (conv1: 5 floats per row): no edges, one load and
             * one store per window row. */
            const __mmask8 m = (__mmask8)lanes(span);
            const float *src = img + (ih0 * g->in_w + iw0) * g->in_c;
            const int64_t step = (int64_t)g->dil_h * g->in_w * g->in_c;
            for (int kh = 0; kh < g->k_h; kh++, dst += span, src += step)
                _mm256_storeu_ps(dst, _mm256_maskz_loadu_ps(m, src));
        } else
        for (int kh = 0; kh < g->k_h; kh++, dst += span) {
            const int64_t ih = oh * g->stride_h - g->pad_top + (int64_t)kh * g->dil_h;
            if (ih < 0 || ih >= g->in_h) {
                row_span(dst, img, span, 0, 0);
                continue;
            }
            row_span(dst, img + (ih * g->in_w + iw0 + lo) * g->in_c, span, lo * cin_g, hi * cin_g);
        }
        if (++ow == g->out_w) {
            ow = 0;
            if (++oh == g->out_h) {
                oh = 0;
                n++;
            }
        }
    }
}
