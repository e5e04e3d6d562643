/* conv_ref.c — portable convolution building blocks on NHWC data (see kernels/conv.h): im2col for
 * the GEMM path, the direct depthwise loop and the col2im gather of transposed convolution.
 * Channels are innermost, so every inner loop runs over contiguous channels. Never allocates; never
 * reads outside the input (padding taps are skipped or written as zeros). */
#include "kernels/conv.h"

#include <string.h>

#include "kernels/gemm.h"

/* Copies n floats; short spans (a 5-wide window over one channel: 5 floats) stay inline instead of
 * paying a memcpy call per tap. */
static inline void copy_floats(float *restrict dst, const float *restrict src, int64_t n) {
    if (n <= 16) {
        for (int64_t i = 0; i < n; i++) dst[i] = src[i];
    } else {
        memcpy(dst, src, (size_t)n * sizeof *dst);
    }
}

static inline void zero_floats(float *dst, int64_t n) {
    if (n <= 16) {
        for (int64_t i = 0; i < n; i++) dst[i] = 0.0f;
    } else {
        memset(dst, 0, (size_t)n * sizeof *dst);
    }
}

void frost_k_f32_im2col__ref(const frost__conv_geom *g, const float *x, int group, int64_t row0,
                             int64_t rows, float *col) {
    const int64_t cin_g = g->in_c / g->groups;
    const int64_t kcols = (int64_t)g->k_h * g->k_w * cin_g;
    const int64_t plane = g->out_h * g->out_w;
    /* Ungrouped, undilated along w: the k_w taps of one window row are k_w * in_c contiguous floats
     * of the input row, so each window row is one copy (plus zeros where it hangs over the edge)
     * instead of k_w copies; this was 8% of the founding CNN's time tap by tap. */
    const bool row_span = g->groups == 1 && g->dil_w == 1;
    int64_t n = row0 / plane, rem = row0 % plane;
    int64_t oh = rem / g->out_w, ow = rem % g->out_w;
    for (int64_t r = 0; r < rows; r++) {
        float *dst = col + r * kcols;
        const float *img = x + n * g->in_h * g->in_w * g->in_c + (int64_t)group * cin_g;
        const int64_t iw0 = ow * g->stride_w - g->pad_left;
        for (int kh = 0; kh < g->k_h; kh++) {
            const int64_t ih = oh * g->stride_h - g->pad_top + (int64_t)kh * g->dil_h;
            if (ih < 0 || ih >= g->in_h) {
                zero_floats(dst, (int64_t)g->k_w * cin_g);
                dst += (int64_t)g->k_w * cin_g;
                continue;
            }
            const float *src_row = img + ih * g->in_w * g->in_c;
            if (row_span) {
                int64_t lo = iw0 < 0 ? -iw0 : 0, hi = g->in_w - iw0;
                if (hi > g->k_w) hi = g->k_w;
                if (lo > g->k_w) lo = g->k_w;
                if (hi < lo) hi = lo;
                zero_floats(dst, lo * cin_g);
                copy_floats(dst + lo * cin_g, src_row + (iw0 + lo) * g->in_c, (hi - lo) * cin_g);
                zero_floats(dst + hi * cin_g, (g->k_w - hi) * cin_g);
                dst += (int64_t)g->k_w * cin_g;
                continue;
            }
            for (int kw = 0; kw < g->k_w; kw++) {
                const int64_t iw = iw0 + (int64_t)kw * g->dil_w;
                if (iw < 0 || iw >= g->in_w)
                    zero_floats(dst, cin_g);
                else
                    copy_floats(dst, src_row + iw * g->in_c, cin_g);
                dst += cin_g;
            }
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

void frost_k_f32_depthwise__ref(const frost__conv_geom *g, const float *x, const float *filter,
                                const float *bias, const frost__act_params *act, float *y,
                                int64_t r0, int64_t r1) {
    const int64_t C = g->in_c, OC = g->out_c, mult = OC / C;
    for (int64_t r = r0; r < r1; r++) {
        const int64_t n = r / g->out_h, oh = r % g->out_h;
        const float *img = x + n * g->in_h * g->in_w * C;
        for (int64_t ow = 0; ow < g->out_w; ow++) {
            float *out = y + ((n * g->out_h + oh) * g->out_w + ow) * OC;
            if (bias) memcpy(out, bias, (size_t)OC * sizeof *out);
            else memset(out, 0, (size_t)OC * sizeof *out);
            for (int kh = 0; kh < g->k_h; kh++) {
                const int64_t ih = oh * g->stride_h - g->pad_top + (int64_t)kh * g->dil_h;
                if (ih < 0 || ih >= g->in_h) continue;
                for (int kw = 0; kw < g->k_w; kw++) {
                    const int64_t iw = ow * g->stride_w - g->pad_left + (int64_t)kw * g->dil_w;
                    if (iw < 0 || iw >= g->in_w) continue;
                    const float *xp = img + (ih * g->in_w + iw) * C;
                    const float *fp = filter + ((int64_t)kh * g->k_w + kw) * OC;
                    if (mult == 1) {
                        for (int64_t c = 0; c < C; c++) out[c] += xp[c] * fp[c];
                    } else {
                        for (int64_t c = 0; c < C; c++)
                            for (int64_t m = 0; m < mult; m++)
                                out[c * mult + m] += xp[c] * fp[c * mult + m];
                    }
                }
            }
            if (act && act->act != FROST__ACT_NONE) frost_k_f32_act__ref(out, (size_t)OC, act);
        }
    }
}

void frost_k_f32_conv_direct__ref(const frost__conv_geom *g, const float *x, const float *filter,
                                  const float *bias, const frost__act_params *act, float *y,
                                  int64_t r0, int64_t r1) {
    const int64_t C = g->in_c, OC = g->out_c, G = g->groups;
    const int64_t cig = C / G, cog = OC / G;
    for (int64_t r = r0; r < r1; r++) {
        const int64_t n = r / g->out_h, oh = r % g->out_h;
        const float *img = x + n * g->in_h * g->in_w * C;
        for (int64_t ow = 0; ow < g->out_w; ow++) {
            float *out = y + ((n * g->out_h + oh) * g->out_w + ow) * OC;
            if (bias) memcpy(out, bias, (size_t)OC * sizeof *out);
            else memset(out, 0, (size_t)OC * sizeof *out);
            for (int kh = 0; kh < g->k_h; kh++) {
                const int64_t ih = oh * g->stride_h - g->pad_top + (int64_t)kh * g->dil_h;
                if (ih < 0 || ih >= g->in_h) continue;
                for (int kw = 0; kw < g->k_w; kw++) {
                    const int64_t iw = ow * g->stride_w - g->pad_left + (int64_t)kw * g->dil_w;
                    if (iw < 0 || iw >= g->in_w) continue;
                    const float *xp = img + (ih * g->in_w + iw) * C;
                    const float *fp = filter + ((int64_t)kh * g->k_w + kw) * cig * OC;
                    for (int64_t grp = 0; grp < G; grp++) {
                        float *og = out + grp * cog;
                        const float *xg = xp + grp * cig;
                        const float *fg = fp + grp * cog;
                        for (int64_t i = 0; i < cig; i++) {
                            const float xv = xg[i];
                            const float *w = fg + i * OC;
                            for (int64_t j = 0; j < cog; j++) og[j] += xv * w[j];
                        }
                    }
                }
            }
            if (act && act->act != FROST__ACT_NONE) frost_k_f32_act__ref(out, (size_t)OC, act);
        }
    }
}

/* Gather rather than scatter: each output pixel sums the taps (ih*stride - pad + k*dil == oh) that
 * land on it, so threads own disjoint output rows and nothing is written twice. */
void frost_k_f32_col2im__ref(const frost__conv_geom *g, const float *cols, const float *bias,
                             const frost__act_params *act, float *y_image, int64_t oh0,
                             int64_t oh1) {
    const int64_t OC = g->out_c;
    const int64_t row_len = (int64_t)g->k_h * g->k_w * OC;
    if (g->k_h == g->stride_h && g->k_w == g->stride_w && g->dil_h == 1 && g->dil_w == 1 &&
        g->pad_top >= 0 && g->pad_left >= 0) {
        /* Windows that tile the output without overlap (a 2x2/2 upsampling deconv): every output
         * pixel takes at most one tap, found without a division per tap; the same sums. */
        for (int64_t oh = oh0; oh < oh1; oh++) {
            float *row = y_image + oh * g->out_w * OC;
            const int64_t th = oh + g->pad_top, ih = th / g->stride_h;
            const int kh = (int)(th % g->stride_h);
            int64_t iw = g->pad_left / g->stride_w;
            int kw = g->pad_left % g->stride_w;
            for (int64_t ow = 0; ow < g->out_w; ow++) {
                float *out = row + ow * OC;
                if (ih < g->in_h && iw < g->in_w) {
                    const float *src = cols + (ih * g->in_w + iw) * row_len + ((int64_t)kh * g->k_w + kw) * OC;
                    for (int64_t c = 0; c < OC; c++) out[c] = (bias ? bias[c] : 0.0f) + src[c];
                } else if (bias) {
                    memcpy(out, bias, (size_t)OC * sizeof *out);
                } else {
                    memset(out, 0, (size_t)OC * sizeof *out);
                }
                if (++kw == g->stride_w) kw = 0, iw++;
            }
            if (act && act->act != FROST__ACT_NONE) frost_k_f32_act__ref(row, (size_t)(g->out_w * OC), act);
        }
        return;
    }
    for (int64_t oh = oh0; oh < oh1; oh++) {
        for (int64_t ow = 0; ow < g->out_w; ow++) {
            float *out = y_image + (oh * g->out_w + ow) * OC;
            if (bias) memcpy(out, bias, (size_t)OC * sizeof *out);
            else memset(out, 0, (size_t)OC * sizeof *out);
            for (int kh = 0; kh < g->k_h; kh++) {
                const int64_t th = oh + g->pad_top - (int64_t)kh * g->dil_h;
                if (th < 0 || th % g->stride_h) continue;
                const int64_t ih = th / g->stride_h;
                if (ih >= g->in_h) continue;
                for (int kw = 0; kw < g->k_w; kw++) {
                    const int64_t tw = ow + g->pad_left - (int64_t)kw * g->dil_w;
                    if (tw < 0 || tw % g->stride_w) continue;
                    const int64_t iw = tw / g->stride_w;
                    if (iw >= g->in_w) continue;
                    const float *src =
                        cols + (ih * g->in_w + iw) * row_len + ((int64_t)kh * g->k_w + kw) * OC;
                    for (int64_t c = 0; c < OC; c++) out[c] += src[c];
                }
            }
            if (act && act->act != FROST__ACT_NONE) frost_k_f32_act__ref(out, (size_t)OC, act);
        }
    }
}
