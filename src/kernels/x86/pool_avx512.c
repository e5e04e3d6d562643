/* pool_avx512.c — AVX-512 max / average pooling on NHWC (see kernels/pool.h): the ref kernel's
 * loops with 16 channels per vector and up to 4 vectors (64 channels) of one output pixel held in
 * registers across the window's taps, so each tap costs one load and one max (or add) per vector.
 *
 * Same results as the ref kernel bit for bit: max ignores NaN taps the same way (vmaxps returns its
 * second operand, the running max, when the tap is NaN), averages add the taps in the same order
 * and scale by the same reciprocal. Must never allocate, read a padding tap or write past the
 * channels (tails use masks), or run without AVX-512 F (pool.c picks it from the CPU probe). */
#include "kernels/pool.h"

#include <immintrin.h>

static inline __mmask16 lanes(int64_t n) {
    return n >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << n) - 1);
}

/* One output pixel's channels [c0, c0 + 16 nv): nv is a compile-time constant after inlining, so
 * the accumulators live in registers. Returns the number of taps inside the input. */
static inline __attribute__((always_inline)) int64_t
pixel(const int nv, const frost__pool_geom *g, const float *img, int64_t oh, int64_t ow, int64_t c0,
      int kh0, int kh1, int kw0, int kw1, float *out, int64_t div_pad) {
    const int64_t C = g->c, left = C - c0;
    const __m512 start = g->is_max ? _mm512_set1_ps(-__builtin_inff()) : _mm512_setzero_ps();
    __m512 acc[4] = {start, start, start, start};
    int64_t inside = 0;
    for (int kh = kh0; kh < kh1; kh++) {
        const int64_t ih = oh * g->stride_h - g->pad_top + (int64_t)kh * g->dil_h;
        if (ih < 0 || ih >= g->in_h) continue; /* dilation can step over the edge */
        for (int kw = kw0; kw < kw1; kw++) {
            const int64_t iw = ow * g->stride_w - g->pad_left + (int64_t)kw * g->dil_w;
            if (iw < 0 || iw >= g->in_w) continue;
            inside++;
            const float *xp = img + (ih * g->in_w + iw) * C + c0;
#pragma GCC unroll 4
            for (int v = 0; v < nv; v++) {
                const __m512 t = left - 16 * v >= 16 ? _mm512_loadu_ps(xp + 16 * v)
                                                     : _mm512_maskz_loadu_ps(lanes(left - 16 * v), xp + 16 * v);
                acc[v] = g->is_max ? _mm512_max_ps(t, acc[v]) : _mm512_add_ps(acc[v], t);
            }
        }
    }
    if (!g->is_max) {
        const int64_t div = g->count_include_pad ? div_pad : inside;
        if (div > 0) {
            const __m512 inv = _mm512_set1_ps(1.0f / (float)div);
#pragma GCC unroll 4
            for (int v = 0; v < nv; v++) acc[v] = _mm512_mul_ps(acc[v], inv);
        }
    }
#pragma GCC unroll 4
    for (int v = 0; v < nv; v++) {
        /* Masked stores are slow on AMD cores: only the channel tail takes one. */
        if (left - 16 * v >= 16) _mm512_storeu_ps(out + c0 + 16 * v, acc[v]);
        else _mm512_mask_storeu_ps(out + c0 + 16 * v, lanes(left - 16 * v), acc[v]);
    }
    return inside;
}

/* Max pooling of a one-channel map with stride 1 along the rows (a heatmap's peak test): 16
 * output pixels of a row per vector, each tap one masked load (lanes outside the input read as
 * -inf, which every value beats). The per-pixel loop would spend its time on bookkeeping. */
static void max_rows_c1(const frost__pool_geom *g, const float *x, float *y, int64_t r0, int64_t r1) {
    const __m512 ninf = _mm512_set1_ps(-__builtin_inff());
    for (int64_t r = r0; r < r1; r++) {
        const int64_t n = r / g->out_h, oh = r % g->out_h;
        const float *img = x + n * g->in_h * g->in_w;
        float *out = y + r * g->out_w;
        for (int64_t ow = 0; ow < g->out_w; ow += 16) {
            const __mmask16 live = lanes(g->out_w - ow);
            __m512 acc = ninf;
            for (int kh = 0; kh < g->k_h; kh++) {
                const int64_t ih = oh * g->stride_h - g->pad_top + (int64_t)kh * g->dil_h;
                if (ih < 0 || ih >= g->in_h) continue;
                for (int kw = 0; kw < g->k_w; kw++) {
                    const int64_t iw0 = ow - g->pad_left + (int64_t)kw * g->dil_w;
                    /* lanes l with 0 <= iw0 + l < in_w */
                    const int64_t lo = iw0 < 0 ? -iw0 : 0;
                    const int64_t hi = g->in_w - iw0;
                    if (hi <= 0 || lo >= 16) continue;
                    __mmask16 m = live & (__mmask16)(hi >= 16 ? 0xffff : (1u << hi) - 1);
                    m &= (__mmask16)(0xffffu << lo);
                    const __m512 t = _mm512_mask_loadu_ps(ninf, m, img + ih * g->in_w + iw0);
                    acc = _mm512_max_ps(t, acc);
                }
            }
            _mm512_mask_storeu_ps(out + ow, live, acc);
        }
    }
}

void frost_k_f32_pool2d__avx512(const frost__pool_geom *g, const float *x, float *y, int64_t r0,
                                int64_t r1) {
    const int64_t C = g->c;
    if (C == 1 && g->is_max && g->stride_w == 1) {
        max_rows_c1(g, x, y, r0, r1);
        return;
    }
    for (int64_t r = r0; r < r1; r++) {
        const int64_t n = r / g->out_h, oh = r % g->out_h;
        const float *img = x + n * g->in_h * g->in_w * C;
        /* The window's rows inside the input, and inside the padded input (for the divisor). */
        int kh0 = 0, kh1 = 0, rows_pad = 0;
        bool first = true;
        for (int kh = 0; kh < g->k_h; kh++) {
            const int64_t ih = oh * g->stride_h - g->pad_top + (int64_t)kh * g->dil_h;
            if (ih >= -g->pad_top && ih < g->in_h + g->pad_bottom) rows_pad++;
            if (ih < 0 || ih >= g->in_h) continue;
            if (first) kh0 = kh, first = false;
            kh1 = kh + 1;
        }
        for (int64_t ow = 0; ow < g->out_w; ow++) {
            float *out = y + ((n * g->out_h + oh) * g->out_w + ow) * C;
            int kw0 = 0, kw1 = 0, cols_pad = 0;
            first = true;
            for (int kw = 0; kw < g->k_w; kw++) {
                const int64_t iw = ow * g->stride_w - g->pad_left + (int64_t)kw * g->dil_w;
                if (iw >= -g->pad_left && iw < g->in_w + g->pad_right) cols_pad++;
                if (iw < 0 || iw >= g->in_w) continue;
                if (first) kw0 = kw, first = false;
                kw1 = kw + 1;
            }
            const int64_t div_pad = (int64_t)rows_pad * cols_pad;
            for (int64_t c0 = 0; c0 < C; c0 += 64) {
                const int64_t left = C - c0;
                switch (left >= 64 ? 4 : (int)((left + 15) / 16)) {
                case 1: pixel(1, g, img, oh, ow, c0, kh0, kh1, kw0, kw1, out, div_pad); break;
                case 2: pixel(2, g, img, oh, ow, c0, kh0, kh1, kw0, kw1, out, div_pad); break;
                case 3: pixel(3, g, img, oh, ow, c0, kh0, kh1, kw0, kw1, out, div_pad); break;
                default: pixel(4, g, img, oh, ow, c0, kh0, kh1, kw0, kw1, out, div_pad); break;
                }
            }
        }
    }
}
