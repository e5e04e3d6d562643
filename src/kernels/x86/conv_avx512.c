/* conv_avx512.c — AVX-512 builds of the convolution helpers in kernels/conv.h: im2col, which for
 * narrow windows (a 5x5 window over one channel: each window row is 5 floats) is dominated by
 * per-copy overhead in portable C — here every window row is one masked load and store; and the
 * narrow direct convolution that skips im2col altogether for such layers: 10 output pixels x 32
 * channels in 20 zmm accumulators, A broadcast straight from the zero-padded image. With 17-24
 * output channels (BlazeFace's 5x5/2 RGB stem: 24) 32 lanes would carry 24, so those take the
 * k-pair form of the AVX-512 GEMM (gemm_avx512.c): a zmm holds 8 channels for two consecutive
 * filter taps of a window row (adjacent floats of the padded image, one 64-bit broadcast), 3
 * zmm per pixel and 6 pixels per tile, the halves added once in the epilogue.
 *
 * im2col has the same contract as the ref version (bit-identical output). Must never: allocate, read the input
 * outside the image (masked-off lanes are never touched, and no pointer is formed before the
 * image), or run on a CPU without AVX-512 F (conv.c picks it from the CPU probe). Compiled with
 * -mavx512*. */
#include "kernels/conv.h"

#include <immintrin.h>

#include "kernels/gemm.h"
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
        } else if (lo == 0 && hi == g->k_w && ih0 >= 0 &&
                   ih0 + (int64_t)(g->k_h - 1) * g->dil_h < g->in_h) {
            /* Interior window with longer rows (a 3x1 or 1x3 conv over 24 channels: 24 or 72
             * floats): whole vectors, one masked load for the row's tail, no edge bookkeeping
             * (row_span's per-vector masks and zero fills cost oww_embedding's 24-channel
             * layers a third of their time). */
            const float *src = img + (ih0 * g->in_w + iw0) * g->in_c;
            const int64_t step = (int64_t)g->dil_h * g->in_w * g->in_c;
            const int64_t full = span / 16 * 16;
            const __mmask16 tail = lanes(span - full);
            for (int kh = 0; kh < g->k_h; kh++, dst += span, src += step) {
                int64_t i = 0;
                for (; i < full; i += 16) _mm512_storeu_ps(dst + i, _mm512_loadu_ps(src + i));
                if (tail) _mm512_storeu_ps(dst + i, _mm512_maskz_loadu_ps(tail, src + i));
            }
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

/* ---- narrow direct convolution: conv1 of a CNN without im2col ------------------------------- */

static inline __attribute__((always_inline)) void
narrow_tile(const int tw, const frost__conv_geom *g, const float *xrow, int64_t wp,
            const float *w32, __m512 b0, __m512 b1, __mmask16 m0, __mmask16 m1, int clamp,
            __m512 lo, __m512 hi, float *yrow) {
    const int64_t cin = g->in_c, sw = g->stride_w, dw = g->dil_w;
    __m512 c0[10], c1[10];
#pragma GCC unroll 10
    for (int r = 0; r < tw; r++) c0[r] = b0, c1[r] = b1;
    const float *w = w32;
    for (int kh = 0; kh < g->k_h; kh++) {
        const float *xr = xrow + (int64_t)kh * g->dil_h * wp * cin;
        for (int kw = 0; kw < g->k_w; kw++) {
            const float *xk = xr + (int64_t)kw * dw * cin;
            for (int64_t ci = 0; ci < cin; ci++, w += 32) {
                const __m512 v0 = _mm512_loadu_ps(w), v1 = _mm512_loadu_ps(w + 16);
#pragma GCC unroll 10
                for (int r = 0; r < tw; r++) {
                    const __m512 a = _mm512_set1_ps(xk[(int64_t)r * sw * cin + ci]);
                    c0[r] = _mm512_fmadd_ps(a, v0, c0[r]);
                    c1[r] = _mm512_fmadd_ps(a, v1, c1[r]);
                }
            }
        }
    }
    const int64_t cout = g->out_c;
#pragma GCC unroll 10
    for (int r = 0; r < tw; r++) {
        __m512 o0 = c0[r], o1 = c1[r];
        if (clamp) {
            o0 = _mm512_min_ps(_mm512_max_ps(o0, lo), hi);
            o1 = _mm512_min_ps(_mm512_max_ps(o1, lo), hi);
        }
        float *yp = yrow + (int64_t)r * cout;
        if (m0 == 0xffff) _mm512_storeu_ps(yp, o0);
        else _mm512_mask_storeu_ps(yp, m0, o0);
        if (m1 == 0xffff) _mm512_storeu_ps(yp + 16, o1);
        else if (m1) _mm512_mask_storeu_ps(yp + 16, m1, o1);
    }
}

/* The k-pair filter: for window row kh, pair j of its KR = k_w * cin taps, vector v (channels
 * 8v..8v+7), lane 2m + h: tap 2j + h of channel 8v + m (zero past KR and cout). On the stack. */
#define KPAIR_MAX_FLOATS 6144
/* Pixels per tile: 18 accumulators. 8 (24) spilled the clamp bounds and row offsets: the BlazeFace
 * stem 128x128x3>24 took 97 us at 8, 78 at 7, 73 at 6 (the 32-lane form: 97). */
#define KPAIR_TILE 6
_Static_assert(KPAIR_TILE == 6, "narrow_kpair_rows lists the shorter tiles 1-5");
static int kpair_pairs(const frost__conv_geom *g) { return (int)((g->k_w * g->in_c + 1) / 2); }
static bool kpair_ok(const frost__conv_geom *g) {
    return g->out_c > 16 && g->out_c <= 24 && g->dil_w == 1 &&
           (int64_t)g->k_h * kpair_pairs(g) * 48 <= KPAIR_MAX_FLOATS;
}

static void kpair_pack(const frost__conv_geom *g, const float *w32, float *wk) {
    const int64_t KR = g->k_w * g->in_c, PR = kpair_pairs(g);
    for (int64_t kh = 0; kh < g->k_h; kh++)
        for (int64_t j = 0; j < PR; j++)
            for (int v = 0; v < 3; v++)
                for (int l = 0; l < 16; l++) {
                    const int64_t t = 2 * j + l % 2, c = 8 * v + l / 2;
                    *wk++ = t < KR && c < g->out_c ? w32[(kh * KR + t) * 32 + c] : 0.0f;
                }
}

static inline __attribute__((always_inline)) void
narrow_kpair_tile(const int tw, const frost__conv_geom *g, const float *xrow, int64_t wp,
                  const float *wk, const __m512 *init, __mmask16 m0, __mmask16 m1, int clamp,
                  __m512 lo, __m512 hi, float *yrow) {
    const int64_t cin = g->in_c, sw = g->stride_w, KR = g->k_w * cin, PR = kpair_pairs(g);
    __m512 acc[3 * KPAIR_TILE];
#pragma GCC unroll 24
    for (int i = 0; i < tw * 3; i++) acc[i] = init[i % 3];
    for (int kh = 0; kh < g->k_h; kh++) {
        const float *xr = xrow + (int64_t)kh * g->dil_h * wp * cin;
        const float *w = wk + (int64_t)kh * PR * 48;
        int64_t t = 0;
        for (; t + 2 <= KR; t += 2, w += 48) {
            const __m512 b0 = _mm512_loadu_ps(w), b1 = _mm512_loadu_ps(w + 16),
                         b2 = _mm512_loadu_ps(w + 32);
#pragma GCC unroll 8
            for (int r = 0; r < tw; r++) {
                double two; /* taps t and t + 1: adjacent floats of the window row */
                memcpy(&two, xr + (int64_t)r * sw * cin + t, sizeof two);
                const __m512 a = _mm512_castpd_ps(_mm512_set1_pd(two));
                acc[3 * r] = _mm512_fmadd_ps(a, b0, acc[3 * r]);
                acc[3 * r + 1] = _mm512_fmadd_ps(a, b1, acc[3 * r + 1]);
                acc[3 * r + 2] = _mm512_fmadd_ps(a, b2, acc[3 * r + 2]);
            }
        }
        if (t < KR) { /* odd KR: the row's last tap alone (never read past it) */
            const __m512 b0 = _mm512_loadu_ps(w), b1 = _mm512_loadu_ps(w + 16),
                         b2 = _mm512_loadu_ps(w + 32);
#pragma GCC unroll 8
            for (int r = 0; r < tw; r++) {
                const __m512 a = _mm512_set1_ps(xr[(int64_t)r * sw * cin + t]);
                acc[3 * r] = _mm512_fmadd_ps(a, b0, acc[3 * r]);
                acc[3 * r + 1] = _mm512_fmadd_ps(a, b1, acc[3 * r + 1]);
                acc[3 * r + 2] = _mm512_fmadd_ps(a, b2, acc[3 * r + 2]);
            }
        }
    }
    const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    const __m512i odd = _mm512_add_epi32(even, _mm512_set1_epi32(1));
    const int64_t cout = g->out_c;
#pragma GCC unroll 8
    for (int r = 0; r < tw; r++) {
        __m512 o0 = _mm512_add_ps(_mm512_permutex2var_ps(acc[3 * r], even, acc[3 * r + 1]),
                                  _mm512_permutex2var_ps(acc[3 * r], odd, acc[3 * r + 1]));
        __m512 o1 = _mm512_add_ps(_mm512_permutexvar_ps(even, acc[3 * r + 2]),
                                  _mm512_permutexvar_ps(odd, acc[3 * r + 2]));
        if (clamp) {
            o0 = _mm512_min_ps(_mm512_max_ps(o0, lo), hi);
            o1 = _mm512_min_ps(_mm512_max_ps(o1, lo), hi);
        }
        float *yp = yrow + (int64_t)r * cout;
        _mm512_mask_storeu_ps(yp, m0, o0);
        _mm512_mask_storeu_ps(yp + 16, m1, o1);
    }
}

/* Output columns of rows [oh0, oh1) in tiles of KPAIR_TILE pixels, k-pair form. */
static void narrow_kpair_rows(const frost__conv_geom *g, const float *xpad, int64_t wp,
                              const float *w32, const float *bias, int clamp, __m512 lo, __m512 hi,
                              float *y, int64_t oh0, int64_t oh1) {
    const int64_t cout = g->out_c, cin = g->in_c;
    float wk[KPAIR_MAX_FLOATS] __attribute__((aligned(64)));
    kpair_pack(g, w32, wk);
    __m512 init[3];
    for (int v = 0; v < 3; v++) {
        float b[16];
        for (int l = 0; l < 16; l++) {
            const int64_t c = 8 * v + l / 2;
            b[l] = bias && l % 2 == 0 && c < cout ? bias[c] : 0.0f;
        }
        init[v] = _mm512_loadu_ps(b);
    }
    const __mmask16 m0 = 0xffff, m1 = lanes(cout - 16);
    for (int64_t oh = oh0; oh < oh1; oh++) {
        const float *xrow = xpad + oh * g->stride_h * wp * cin;
        float *yrow = y + oh * g->out_w * cout;
        for (int64_t ow = 0; ow < g->out_w; ow += KPAIR_TILE) {
            const int tw = (int)(g->out_w - ow < KPAIR_TILE ? g->out_w - ow : KPAIR_TILE);
            const float *xt = xrow + ow * g->stride_w * cin;
            float *yt = yrow + ow * cout;
            switch (tw) {
#define KPAIR_CASE(n)                                                                              \
    case n: narrow_kpair_tile(n, g, xt, wp, wk, init, m0, m1, clamp, lo, hi, yt); break;
                KPAIR_CASE(1) KPAIR_CASE(2) KPAIR_CASE(3) KPAIR_CASE(4) KPAIR_CASE(5)
                default:
                    narrow_kpair_tile(KPAIR_TILE, g, xt, wp, wk, init, m0, m1, clamp, lo, hi, yt);
                    break;
#undef KPAIR_CASE
            }
        }
    }
}

void frost_k_f32_conv_narrow__avx512(const frost__conv_geom *g, const float *xpad, int64_t wp,
                                     const float *w32, const float *bias,
                                     const frost__act_params *act, float *y, int64_t oh0,
                                     int64_t oh1) {
    const int64_t cout = g->out_c, cin = g->in_c;
    const __mmask16 m0 = lanes(cout), m1 = lanes(cout - 16 > 0 ? cout - 16 : 0);
    const __m512 b0 = bias ? _mm512_maskz_loadu_ps(m0, bias) : _mm512_setzero_ps();
    const __m512 b1 = bias && m1 ? _mm512_maskz_loadu_ps(m1, bias + 16) : _mm512_setzero_ps();
    int clamp = 0;
    __m512 lo = _mm512_set1_ps(-__builtin_inff()), hi = _mm512_set1_ps(__builtin_inff());
    if (act && !act->clamp && act->act == FROST__ACT_RELU) clamp = 1, lo = _mm512_setzero_ps();
    if (act && !act->clamp && act->act == FROST__ACT_RELU6)
        clamp = 1, lo = _mm512_setzero_ps(), hi = _mm512_set1_ps(6.0f);
    if (act && !act->clamp && act->act == FROST__ACT_CLIP)
        clamp = 1, lo = _mm512_set1_ps(act->alpha), hi = _mm512_set1_ps(act->beta);
    const bool other = act && act->act != FROST__ACT_NONE && !clamp;
    if (kpair_ok(g)) {
        narrow_kpair_rows(g, xpad, wp, w32, bias, clamp, lo, hi, y, oh0, oh1);
        if (other)
            for (int64_t oh = oh0; oh < oh1; oh++)
                frost_k_f32_act__ref(y + oh * g->out_w * cout, (size_t)(g->out_w * cout), act);
        return;
    }
    for (int64_t oh = oh0; oh < oh1; oh++) {
        const float *xrow = xpad + oh * g->stride_h * wp * cin;
        float *yrow = y + oh * g->out_w * cout;
        for (int64_t ow = 0; ow < g->out_w; ow += 10) {
            const int tw = (int)(g->out_w - ow < 10 ? g->out_w - ow : 10);
            const float *xt = xrow + ow * g->stride_w * cin;
            float *yt = yrow + ow * cout;
            switch (tw) {
#define NARROW_CASE(n)                                                                             \
    case n: narrow_tile(n, g, xt, wp, w32, b0, b1, m0, m1, clamp, lo, hi, yt); break;
                NARROW_CASE(1) NARROW_CASE(2) NARROW_CASE(3) NARROW_CASE(4) NARROW_CASE(5)
                NARROW_CASE(6) NARROW_CASE(7) NARROW_CASE(8) NARROW_CASE(9)
                default: narrow_tile(10, g, xt, wp, w32, b0, b1, m0, m1, clamp, lo, hi, yt); break;
#undef NARROW_CASE
            }
        }
        if (other) frost_k_f32_act__ref(yrow, (size_t)(g->out_w * cout), act);
    }
}
