/* conv_q8.c — portable quantized convolution, depthwise convolution and fully connected kernels
 * with TFLite's reference arithmetic: exact integer sums of (w - w_zp) * (x - x_zp) over the taps
 * inside the input (padding contributes nothing, as if it held the input's zero point), plus the
 * bias, requantized per output channel by MultiplyByQuantizedMultiplier, offset by the output zero
 * point and clamped to the fused activation's range. int8/uint8 activations sum in int32; int16
 * activations (int16x8) sum in int64 and requantize with the 64-bit variant.
 * Never allocates; reads only inside the tensors the geometry describes. */
#include "kernels/quant.h"

#include <math.h>
#include <string.h>

static inline int32_t clamp32(int32_t v, int32_t lo, int32_t hi) {
    return v < lo ? lo : v > hi ? hi : v;
}

static inline int64_t bias_of(const frost__qconv_args *a, const void *bias, int64_t oc) {
    if (!bias) return 0;
    return a->bias64 ? ((const int64_t *)bias)[oc] : ((const int32_t *)bias)[oc];
}

/* Stores the requantized, clamped value of output channel oc at y[i]. */
static inline void store(const frost__qconv_args *a, void *y, int64_t i, int64_t acc, int64_t oc) {
    int32_t v;
    if (a->x_type == FROST_DTYPE_I16)
        v = frost__q_mul64(acc, a->mult[oc], a->shift[oc]);
    else
        v = frost__q_mul((int32_t)(uint32_t)acc, a->mult[oc], a->shift[oc]); /* TFLite sums in int32 */
    v = clamp32(v + a->out_zp, a->act_min, a->act_max);
    switch (a->x_type) {
    case FROST_DTYPE_U8: ((uint8_t *)y)[i] = (uint8_t)v; break;
    case FROST_DTYPE_I8: ((int8_t *)y)[i] = (int8_t)v; break;
    default: ((int16_t *)y)[i] = (int16_t)v; break;
    }
}

/* Sum over n taps of (w[k] - wz) * (x[k] - xz) for each element type pair. Products fit 17 bits,
 * so blocks of 8192 sum exactly in int32 (which vectorizes) before joining the int64 total. */
#define DOT_BLOCK 8192
static inline int64_t dot_u8(const uint8_t *x, const uint8_t *w, int64_t n, int32_t xz, int32_t wz) {
    int64_t total = 0;
    for (int64_t k0 = 0; k0 < n; k0 += DOT_BLOCK) {
        const int64_t k1 = n - k0 < DOT_BLOCK ? n : k0 + DOT_BLOCK;
        int32_t s = 0;
        for (int64_t k = k0; k < k1; k++) s += ((int32_t)w[k] - wz) * ((int32_t)x[k] - xz);
        total += s;
    }
    return total;
}
static inline int64_t dot_i8(const int8_t *x, const int8_t *w, int64_t n, int32_t xz) {
    int64_t total = 0;
    for (int64_t k0 = 0; k0 < n; k0 += DOT_BLOCK) {
        const int64_t k1 = n - k0 < DOT_BLOCK ? n : k0 + DOT_BLOCK;
        int32_t s = 0, sw = 0;
        for (int64_t k = k0; k < k1; k++) {
            s += (int32_t)w[k] * (int32_t)x[k];
            sw += w[k];
        }
        total += (int64_t)s - (int64_t)xz * sw;
    }
    return total;
}
static inline int64_t dot_i16(const int16_t *x, const int8_t *w, int64_t n, int32_t xz) {
    int64_t s = 0;
    for (int64_t k = 0; k < n; k++) s += (int64_t)w[k] * ((int64_t)x[k] - xz);
    return s;
}

/* One tap run: cin contiguous input channels against cin contiguous filter values. */
static inline int64_t tap(const frost__qconv_args *a, const void *x, int64_t xo, const void *w,
                          int64_t wo, int64_t n) {
    switch (a->x_type) {
    case FROST_DTYPE_U8:
        return dot_u8((const uint8_t *)x + xo, (const uint8_t *)w + wo, n, a->in_zp, a->w_zp);
    case FROST_DTYPE_I8: return dot_i8((const int8_t *)x + xo, (const int8_t *)w + wo, n, a->in_zp);
    default: return dot_i16((const int16_t *)x + xo, (const int8_t *)w + wo, n, a->in_zp);
    }
}

void frost_k_q_conv2d__ref(const frost__qconv_args *a, const void *x, const void *w,
                           const void *bias, void *y, int64_t r0, int64_t r1) {
    const frost__conv_geom *g = &a->g;
    const int64_t cin_g = g->in_c / g->groups, cout_g = g->out_c / g->groups;
    for (int64_t r = r0; r < r1; r++) {
        const int64_t n = r / g->out_h, oh = r % g->out_h;
        for (int64_t ow = 0; ow < g->out_w; ow++) {
            const int64_t yo = ((n * g->out_h + oh) * g->out_w + ow) * g->out_c;
            for (int64_t oc = 0; oc < g->out_c; oc++) {
                const int64_t grp = oc / cout_g;
                int64_t acc = 0;
                for (int kh = 0; kh < g->k_h; kh++) {
                    const int64_t ih = oh * g->stride_h - g->pad_top + (int64_t)kh * g->dil_h;
                    if (ih < 0 || ih >= g->in_h) continue;
                    for (int kw = 0; kw < g->k_w; kw++) {
                        const int64_t iw = ow * g->stride_w - g->pad_left + (int64_t)kw * g->dil_w;
                        if (iw < 0 || iw >= g->in_w) continue;
                        const int64_t xo = ((n * g->in_h + ih) * g->in_w + iw) * g->in_c + grp * cin_g;
                        const int64_t wo = ((oc * g->k_h + kh) * g->k_w + kw) * cin_g;
                        acc += tap(a, x, xo, w, wo, cin_g);
                    }
                }
                store(a, y, yo + oc, acc + bias_of(a, bias, oc), oc);
            }
        }
    }
}

static inline int32_t load_x(frost_dtype t, const void *p, int64_t i) {
    switch (t) {
    case FROST_DTYPE_U8: return ((const uint8_t *)p)[i];
    case FROST_DTYPE_I8: return ((const int8_t *)p)[i];
    default: return ((const int16_t *)p)[i];
    }
}
static inline int32_t load_w(frost_dtype t, const void *p, int64_t i) {
    return t == FROST_DTYPE_U8 ? ((const uint8_t *)p)[i] : ((const int8_t *)p)[i];
}

/* Depthwise taps of one output pixel for channels [c0, c1), multiplier 1, into acc (int32, wraps
 * like TFLite's): the loop runs along contiguous channels, which compilers vectorize. */
#define DW_CHANNELS(XT, WT)                                                                  \
    static void dw_taps_##XT(const frost__qconv_args *a, const XT *x, const WT *w, int64_t n, \
                             int64_t oh, int64_t ow, int64_t c0, int64_t c1, int32_t *acc) {  \
        const frost__conv_geom *g = &a->g;                                                    \
        const int32_t xz = a->in_zp, wz = a->w_zp;                                            \
        for (int kh = 0; kh < g->k_h; kh++) {                                                 \
            const int64_t ih = oh * g->stride_h - g->pad_top + (int64_t)kh * g->dil_h;        \
            if (ih < 0 || ih >= g->in_h) continue;                                            \
            for (int kw = 0; kw < g->k_w; kw++) {                                             \
                const int64_t iw = ow * g->stride_w - g->pad_left + (int64_t)kw * g->dil_w;   \
                if (iw < 0 || iw >= g->in_w) continue;                                        \
                const XT *xr = x + ((n * g->in_h + ih) * g->in_w + iw) * g->in_c;             \
                const WT *wr = w + ((int64_t)kh * g->k_w + kw) * g->out_c;                    \
                for (int64_t c = c0; c < c1; c++)                                             \
                    acc[c - c0] = (int32_t)((uint32_t)acc[c - c0] +                           \
                                            (uint32_t)(((int32_t)wr[c] - wz) *                \
                                                       ((int32_t)xr[c] - xz)));               \
            }                                                                                 \
        }                                                                                     \
    }
DW_CHANNELS(int8_t, int8_t)
DW_CHANNELS(uint8_t, uint8_t)
#undef DW_CHANNELS

void frost_k_q_depthwise__ref(const frost__qconv_args *a, const void *x, const void *w,
                              const void *bias, void *y, int64_t r0, int64_t r1) {
    const frost__conv_geom *g = &a->g;
    const int64_t m = a->depth_multiplier;
    enum { CHUNK = 256 };
    int32_t acc[CHUNK];
    for (int64_t r = r0; r < r1; r++) {
        const int64_t n = r / g->out_h, oh = r % g->out_h;
        for (int64_t ow = 0; ow < g->out_w; ow++) {
            const int64_t yo = ((n * g->out_h + oh) * g->out_w + ow) * g->out_c;
            if (m == 1 && a->x_type != FROST_DTYPE_I16) {
                for (int64_t c0 = 0; c0 < g->out_c; c0 += CHUNK) {
                    const int64_t c1 = g->out_c - c0 < CHUNK ? g->out_c : c0 + CHUNK;
                    memset(acc, 0, sizeof acc);
                    if (a->x_type == FROST_DTYPE_I8)
                        dw_taps_int8_t(a, x, w, n, oh, ow, c0, c1, acc);
                    else
                        dw_taps_uint8_t(a, x, w, n, oh, ow, c0, c1, acc);
                    for (int64_t c = c0; c < c1; c++)
                        store(a, y, yo + c, (int64_t)acc[c - c0] + bias_of(a, bias, c), c);
                }
                continue;
            }
            for (int64_t oc = 0; oc < g->out_c; oc++) {
                const int64_t ic = oc / m;
                int64_t acc64 = 0;
                for (int kh = 0; kh < g->k_h; kh++) {
                    const int64_t ih = oh * g->stride_h - g->pad_top + (int64_t)kh * g->dil_h;
                    if (ih < 0 || ih >= g->in_h) continue;
                    for (int kw = 0; kw < g->k_w; kw++) {
                        const int64_t iw = ow * g->stride_w - g->pad_left + (int64_t)kw * g->dil_w;
                        if (iw < 0 || iw >= g->in_w) continue;
                        const int64_t xv =
                            load_x(a->x_type, x, ((n * g->in_h + ih) * g->in_w + iw) * g->in_c + ic);
                        const int64_t wv = load_w(a->w_type, w, ((int64_t)kh * g->k_w + kw) * g->out_c + oc);
                        acc64 += (wv - a->w_zp) * (xv - a->in_zp);
                    }
                }
                store(a, y, yo + oc, acc64 + bias_of(a, bias, oc), oc);
            }
        }
    }
}

void frost_k_q_fully_connected__ref(const frost__qconv_args *a, const void *x, const void *w,
                                    const void *bias, void *y, int64_t r0, int64_t r1) {
    const int64_t K = a->g.in_c, N = a->g.out_c;
    for (int64_t r = r0; r < r1; r++)
        for (int64_t oc = 0; oc < N; oc++)
            store(a, y, r * N + oc, tap(a, x, r * K, w, oc * K, K) + bias_of(a, bias, oc), oc);
}
