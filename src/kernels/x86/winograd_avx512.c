/* winograd_avx512.c — the run-time transforms of Winograd F(4x4, 5x5) and F(4x4, 3x3) (see
 * kernels/winograd.h),
 * vectorised over 16 channels at a time (NHWC keeps channels contiguous; tails use masks).
 *
 * Each transform is two passes of a small constant matrix over an 8x8 (or 8x4) grid of channel
 * vectors, through a stack scratch of 64 vectors: rows first, then columns. The matrices are
 * compile-time constants and every loop is fully unrolled, so the compiler drops the products with
 * a zero coefficient and turns the ones into plain adds (checked in the disassembly).
 *
 * Must never: allocate, read the input outside the image (padding is synthesised as zeros), write
 * an output pixel outside the image, or run on a CPU without AVX-512 F (conv.c only picks this path
 * when the avx512 GEMM family was chosen). Compiled with -mavx512*. */
#include "kernels/winograd.h"

#include <immintrin.h>

static const float WINO_BT[8][8] = {
    {-1.0f, 0.0f, 5.25f, 0.0f, -5.25f, 0.0f, 1.0f, 0.0f},
    {0.0f, 1.0f, 1.0f, -4.25f, -4.25f, 1.0f, 1.0f, 0.0f},
    {0.0f, -1.0f, 1.0f, 4.25f, -4.25f, -1.0f, 1.0f, 0.0f},
    {0.0f, 0.5f, 0.25f, -2.5f, -1.25f, 2.0f, 1.0f, 0.0f},
    {0.0f, -0.5f, 0.25f, 2.5f, -1.25f, -2.0f, 1.0f, 0.0f},
    {0.0f, 2.0f, 4.0f, -2.5f, -5.0f, 0.5f, 1.0f, 0.0f},
    {0.0f, -2.0f, 4.0f, 2.5f, -5.0f, -0.5f, 1.0f, 0.0f},
    {0.0f, -1.0f, 0.0f, 5.25f, 0.0f, -5.25f, 0.0f, 1.0f},
};
/* Derived with rationals from AT and G (winograd_ref.c) so that AT[(G g G^T) ⊙ (BT d BT^T)]AT^T is
 * exactly the 4x4 correlation of an 8x8 patch with a 5x5 filter. */

/* AT (4 x 8), applied by at_apply below:
 *   {1, 1,  1, 1,  1, 1,     1,      0}
 *   {0, 1, -1, 2, -2, 0.5,  -0.5,    0}
 *   {0, 1,  1, 4,  4, 0.25,  0.25,   0}
 *   {0, 1, -1, 8, -8, 0.125, -0.125, 1} */

static inline __mmask16 tail_mask(int64_t left) {
    return left >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << left) - 1);
}

/* Masked stores are slow on AMD cores: whole vectors store plainly, only channel tails masked. */
static inline void store16(float *p, __mmask16 m, __m512 v) {
    if (m == 0xffff) _mm512_storeu_ps(p, v);
    else _mm512_mask_storeu_ps(p, m, v);
}

/* out[i] = sum_k AT[i][k] x[k], sharing the sums and differences of the +-p pairs (19 operations
 * instead of 26). */
static inline __attribute__((always_inline)) void at_apply(const __m512 x[8], __m512 out[4]) {
    const __m512 s12 = _mm512_add_ps(x[1], x[2]), d12 = _mm512_sub_ps(x[1], x[2]);
    const __m512 s34 = _mm512_add_ps(x[3], x[4]), d34 = _mm512_sub_ps(x[3], x[4]);
    const __m512 s56 = _mm512_add_ps(x[5], x[6]), d56 = _mm512_sub_ps(x[5], x[6]);
    out[0] = _mm512_add_ps(_mm512_add_ps(x[0], s12), _mm512_add_ps(s34, s56));
    out[1] = _mm512_fmadd_ps(_mm512_set1_ps(0.5f), d56, _mm512_fmadd_ps(_mm512_set1_ps(2.0f), d34, d12));
    out[2] = _mm512_fmadd_ps(_mm512_set1_ps(0.25f), s56, _mm512_fmadd_ps(_mm512_set1_ps(4.0f), s34, s12));
    out[3] = _mm512_add_ps(
        _mm512_fmadd_ps(_mm512_set1_ps(0.125f), d56, _mm512_fmadd_ps(_mm512_set1_ps(8.0f), d34, d12)),
        x[7]);
}

/* sum_k coef[k] * x[k] with constant coefficients: zeros vanish, ones are adds. */
#define LINCOMB8(out, COEF, x)                                                                    \
    do {                                                                                          \
        __m512 acc_ = _mm512_setzero_ps();                                                        \
        _Pragma("GCC unroll 8") for (int k_ = 0; k_ < 8; k_++) {                                  \
            const float c_ = (COEF)[k_];                                                          \
            if (c_ == 0.0f) continue;                                                             \
            if (c_ == 1.0f) acc_ = _mm512_add_ps(acc_, (x)[k_]);                                  \
            else if (c_ == -1.0f) acc_ = _mm512_sub_ps(acc_, (x)[k_]);                            \
            else acc_ = _mm512_fmadd_ps(_mm512_set1_ps(c_), (x)[k_], acc_);                       \
        }                                                                                         \
        (out) = acc_;                                                                             \
    } while (0)

void frost_k_wino45_input__avx512(const frost__conv_geom *g, const float *x, int64_t t0,
                                  int64_t nt, float *V) {
    const int64_t tiles_w = (g->out_w + 3) / 4, C = g->in_c;
    const size_t plane = (size_t)nt * (size_t)C; /* floats between two xi of V */
    for (int64_t t = 0; t < nt; t++) {
        const int64_t tile = t0 + t;
        const int64_t ih0 = (tile / tiles_w) * 4 - g->pad_top;
        const int64_t iw0 = (tile % tiles_w) * 4 - g->pad_left;
        for (int64_t c = 0; c < C; c += 16) {
            const __mmask16 m = tail_mask(C - c);
            __m512 tmp[8][8];
            /* Pass 1, down the columns: tmp[i][col] = sum_k BT[i][k] d[k][col]. */
            for (int col = 0; col < 8; col++) {
                const int64_t iw = iw0 + col;
                __m512 d[8];
#pragma GCC unroll 8
                for (int k = 0; k < 8; k++) {
                    const int64_t ih = ih0 + k;
                    d[k] = (ih >= 0 && ih < g->in_h && iw >= 0 && iw < g->in_w)
                               ? _mm512_maskz_loadu_ps(m, x + (ih * g->in_w + iw) * C + c)
                               : _mm512_setzero_ps();
                }
#pragma GCC unroll 8
                for (int i = 0; i < 8; i++) LINCOMB8(tmp[i][col], WINO_BT[i], d);
            }
            /* Pass 2, along the rows: V[8i+j] = sum_k tmp[i][k] BT[j][k]. */
            float *v = V + (size_t)t * (size_t)C + (size_t)c;
#pragma GCC unroll 1
            for (int i = 0; i < 8; i++) {
#pragma GCC unroll 8
                for (int j = 0; j < 8; j++) {
                    __m512 r;
                    LINCOMB8(r, WINO_BT[j], tmp[i]);
                    store16(v + (size_t)(i * 8 + j) * plane, m, r);
                }
            }
        }
    }
}

void frost_k_wino45_output__avx512(const frost__conv_geom *g, const float *M, const float *bias,
                                   const frost__act_params *act, int64_t t0, int64_t nt, float *y) {
    const int64_t tiles_w = (g->out_w + 3) / 4, C = g->out_c;
    const size_t plane = (size_t)nt * (size_t)C;
    const bool clamp = act && !act->clamp && (act->act == FROST__ACT_RELU ||
                                              act->act == FROST__ACT_RELU6 ||
                                              act->act == FROST__ACT_CLIP);
    const __m512 lo = !clamp ? _mm512_setzero_ps()
                      : act->act == FROST__ACT_CLIP ? _mm512_set1_ps(act->alpha)
                                                    : _mm512_setzero_ps();
    const __m512 hi = !clamp ? _mm512_setzero_ps()
                      : act->act == FROST__ACT_RELU6 ? _mm512_set1_ps(6.0f)
                      : act->act == FROST__ACT_CLIP  ? _mm512_set1_ps(act->beta)
                                                     : _mm512_set1_ps(__builtin_inff());
    const bool other = act && act->act != FROST__ACT_NONE && !clamp;
    for (int64_t t = 0; t < nt; t++) {
        const int64_t tile = t0 + t;
        const int64_t oh0 = (tile / tiles_w) * 4, ow0 = (tile % tiles_w) * 4;
        const int rows = (int)(g->out_h - oh0 < 4 ? g->out_h - oh0 : 4);
        const int cols = (int)(g->out_w - ow0 < 4 ? g->out_w - ow0 : 4);
        for (int64_t c = 0; c < C; c += 16) {
            const __mmask16 m = tail_mask(C - c);
            const __m512 b = bias ? _mm512_maskz_loadu_ps(m, bias + c) : _mm512_setzero_ps();
            const float *mp = M + (size_t)t * (size_t)C + (size_t)c;
            __m512 tmp[4][8];
            /* Pass 1, down the columns: tmp[i][col] = sum_k AT[i][k] M[k][col]. */
            for (int col = 0; col < 8; col++) {
                __m512 d[8];
#pragma GCC unroll 8
                for (int k = 0; k < 8; k++)
                    d[k] = _mm512_maskz_loadu_ps(m, mp + (size_t)(k * 8 + col) * plane);
                __m512 o[4];
                at_apply(d, o);
#pragma GCC unroll 4
                for (int i = 0; i < 4; i++) tmp[i][col] = o[i];
            }
            for (int i = 0; i < rows; i++) {
                float *yrow = y + ((oh0 + i) * g->out_w + ow0) * C + c;
                __m512 o[4];
                at_apply(tmp[i], o);
#pragma GCC unroll 4
                for (int j = 0; j < 4; j++) {
                    if (j >= cols) break;
                    __m512 r = _mm512_add_ps(o[j], b);
                    if (clamp) r = _mm512_min_ps(_mm512_max_ps(r, lo), hi);
                    store16(yrow + (size_t)j * C, m, r);
                }
            }
        }
        if (other)
            for (int i = 0; i < rows; i++)
                frost_k_f32_act__ref(y + ((oh0 + i) * g->out_w + ow0) * C, (size_t)(cols * C), act);
    }
}

/* ---- F(4x4, 3x3) ---------------------------------------------------------------------------- */

static const float WINO43_BT[6][6] = {
    {4.0f, 0.0f, -5.0f, 0.0f, 1.0f, 0.0f},
    {0.0f, -4.0f, -4.0f, 1.0f, 1.0f, 0.0f},
    {0.0f, 4.0f, -4.0f, -1.0f, 1.0f, 0.0f},
    {0.0f, -2.0f, -1.0f, 2.0f, 1.0f, 0.0f},
    {0.0f, 2.0f, -1.0f, -2.0f, 1.0f, 0.0f},
    {0.0f, 4.0f, 0.0f, -5.0f, 0.0f, 1.0f},
};
static const float WINO43_AT[4][6] = {
    {1.0f, 1.0f, 1.0f, 1.0f, 1.0f, 0.0f},
    {0.0f, 1.0f, -1.0f, 2.0f, -2.0f, 0.0f},
    {0.0f, 1.0f, 1.0f, 4.0f, 4.0f, 0.0f},
    {0.0f, 1.0f, -1.0f, 8.0f, -8.0f, 1.0f},
};

#define LINCOMB6(out, COEF, x)                                                                    \
    do {                                                                                          \
        __m512 acc_ = _mm512_setzero_ps();                                                        \
        _Pragma("GCC unroll 6") for (int k_ = 0; k_ < 6; k_++) {                                  \
            const float c_ = (COEF)[k_];                                                          \
            if (c_ == 0.0f) continue;                                                             \
            if (c_ == 1.0f) acc_ = _mm512_add_ps(acc_, (x)[k_]);                                  \
            else if (c_ == -1.0f) acc_ = _mm512_sub_ps(acc_, (x)[k_]);                            \
            else acc_ = _mm512_fmadd_ps(_mm512_set1_ps(c_), (x)[k_], acc_);                       \
        }                                                                                         \
        (out) = acc_;                                                                             \
    } while (0)

/* Where tile `tile` sits (see frost_wino43_tiles): the input pixel of its patch's first row and
 * column, its first output pixel, and how many of its 4 x 4 outputs are inside the image. */
typedef struct wino43_tile {
    int64_t ih0, iw0, oh0, ow0;
    int rows, cols;
} wino43_tile;

static inline wino43_tile wino43_locate(const frost__conv_geom *g, int64_t tile) {
    const int64_t dh = g->dil_h, dw = g->dil_w;
    const int64_t sh = g->out_h / dh, sw = g->out_w / dw;
    const int64_t tw = (sw + 3) / 4, per = ((sh + 3) / 4) * tw;
    const int64_t res = tile / per, loc = tile % per;
    const int64_t a = res / dw, b = res % dw;
    const int64_t sy0 = (loc / tw) * 4, sx0 = (loc % tw) * 4;
    wino43_tile t;
    t.oh0 = a + sy0 * dh;
    t.ow0 = b + sx0 * dw;
    t.ih0 = t.oh0 - g->pad_top;
    t.iw0 = t.ow0 - g->pad_left;
    t.rows = (int)(sh - sy0 < 4 ? sh - sy0 : 4);
    t.cols = (int)(sw - sx0 < 4 ? sw - sx0 : 4);
    return t;
}

void frost_k_wino43_input__avx512(const frost__conv_geom *g, const float *x, int64_t t0,
                                  int64_t nt, float *V) {
    const int64_t C = g->in_c, dh = g->dil_h, dw = g->dil_w;
    const size_t plane = (size_t)nt * (size_t)C;
    for (int64_t t = 0; t < nt; t++) {
        const wino43_tile tl = wino43_locate(g, t0 + t);
        const int64_t ih0 = tl.ih0, iw0 = tl.iw0;
        /* A patch wholly inside the image needs no bounds checks (most of them). */
        const bool inside = ih0 >= 0 && iw0 >= 0 && ih0 + 5 * dh < g->in_h && iw0 + 5 * dw < g->in_w;
        for (int64_t c = 0; c < C; c += 16) {
            const __mmask16 m = tail_mask(C - c);
            __m512 tmp[6][6];
            for (int col = 0; col < 6; col++) {
                const int64_t iw = iw0 + col * dw;
                __m512 d[6];
#pragma GCC unroll 6
                for (int k = 0; k < 6; k++) {
                    const int64_t ih = ih0 + k * dh;
                    d[k] = (inside || (ih >= 0 && ih < g->in_h && iw >= 0 && iw < g->in_w))
                               ? _mm512_maskz_loadu_ps(m, x + (ih * g->in_w + iw) * C + c)
                               : _mm512_setzero_ps();
                }
#pragma GCC unroll 6
                for (int i = 0; i < 6; i++) LINCOMB6(tmp[i][col], WINO43_BT[i], d);
            }
            float *v = V + (size_t)t * (size_t)C + (size_t)c;
#pragma GCC unroll 1
            for (int i = 0; i < 6; i++) {
#pragma GCC unroll 6
                for (int j = 0; j < 6; j++) {
                    __m512 r;
                    LINCOMB6(r, WINO43_BT[j], tmp[i]);
                    store16(v + (size_t)(i * 6 + j) * plane, m, r);
                }
            }
        }
    }
}

void frost_k_wino43_output__avx512(const frost__conv_geom *g, const float *M, const float *bias,
                                   const frost__act_params *act, int64_t t0, int64_t nt, float *y) {
    const int64_t C = g->out_c, dh = g->dil_h, dw = g->dil_w;
    const size_t plane = (size_t)nt * (size_t)C;
    const bool clamp = act && !act->clamp && (act->act == FROST__ACT_RELU ||
                                              act->act == FROST__ACT_RELU6 ||
                                              act->act == FROST__ACT_CLIP);
    const __m512 lo = !clamp ? _mm512_setzero_ps()
                      : act->act == FROST__ACT_CLIP ? _mm512_set1_ps(act->alpha)
                                                    : _mm512_setzero_ps();
    const __m512 hi = !clamp ? _mm512_setzero_ps()
                      : act->act == FROST__ACT_RELU6 ? _mm512_set1_ps(6.0f)
                      : act->act == FROST__ACT_CLIP  ? _mm512_set1_ps(act->beta)
                                                     : _mm512_set1_ps(__builtin_inff());
    const bool other = act && act->act != FROST__ACT_NONE && !clamp;
    for (int64_t t = 0; t < nt; t++) {
        const wino43_tile tl = wino43_locate(g, t0 + t);
        const int64_t oh0 = tl.oh0, ow0 = tl.ow0;
        const int rows = tl.rows, cols = tl.cols;
        for (int64_t c = 0; c < C; c += 16) {
            const __mmask16 m = tail_mask(C - c);
            const __m512 b = bias ? _mm512_maskz_loadu_ps(m, bias + c) : _mm512_setzero_ps();
            const float *mp = M + (size_t)t * (size_t)C + (size_t)c;
            __m512 tmp[4][6];
            for (int col = 0; col < 6; col++) {
                __m512 d[6];
#pragma GCC unroll 6
                for (int k = 0; k < 6; k++)
                    d[k] = _mm512_maskz_loadu_ps(m, mp + (size_t)(k * 6 + col) * plane);
#pragma GCC unroll 4
                for (int i = 0; i < 4; i++) LINCOMB6(tmp[i][col], WINO43_AT[i], d);
            }
            for (int i = 0; i < rows; i++) {
                float *yrow = y + ((oh0 + i * dh) * g->out_w + ow0) * C + c;
#pragma GCC unroll 4
                for (int j = 0; j < 4; j++) {
                    if (j >= cols) break;
                    __m512 r;
                    LINCOMB6(r, WINO43_AT[j], tmp[i]);
                    r = _mm512_add_ps(r, b);
                    if (clamp) r = _mm512_min_ps(_mm512_max_ps(r, lo), hi);
                    store16(yrow + (size_t)(j * dw) * C, m, r);
                }
            }
        }
        if (other)
            for (int i = 0; i < rows; i++)
                for (int j = 0; j < cols; j++)
                    frost_k_f32_act__ref(y + ((oh0 + i * dh) * g->out_w + ow0 + j * dw) * C,
                                         (size_t)C, act);
    }
}
