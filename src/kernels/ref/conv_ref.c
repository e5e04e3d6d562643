/* conv_ref.c — portable convolution building blocks on NHWC data (see kernels/conv.h): im2col for
 * the GEMM path, the direct depthwise loop and the col2im gather of transposed convolution.
 * Channels are innermost, so every inner loop runs over contiguous channels. Never allocates; never
 * reads outside the input (padding taps are skipped or written as zeros). */
#include "kernels/conv.h"

#include <string.h>

#include "kernels/gemm.h"

void frost_k_f32_im2col__ref(const frost__conv_geom *g, const float *x, int group, int64_t row0,
                             int64_t rows, float *col) {
    const int64_t cin_g = g->in_c / g->groups;
    const int64_t kcols = (int64_t)g->k_h * g->k_w * cin_g;
    const int64_t plane = g->out_h * g->out_w;
    for (int64_t r = 0; r < rows; r++) {
        const int64_t p = row0 + r;
        const int64_t n = p / plane, rem = p % plane;
        const int64_t oh = rem / g->out_w, ow = rem % g->out_w;
        float *dst = col + r * kcols;
        const float *img = x + n * g->in_h * g->in_w * g->in_c + (int64_t)group * cin_g;
        for (int kh = 0; kh < g->k_h; kh++) {
            const int64_t ih = oh * g->stride_h - g->pad_top + (int64_t)kh * g->dil_h;
            for (int kw = 0; kw < g->k_w; kw++) {
                const int64_t iw = ow * g->stride_w - g->pad_left + (int64_t)kw * g->dil_w;
                if (ih < 0 || ih >= g->in_h || iw < 0 || iw >= g->in_w)
                    memset(dst, 0, (size_t)cin_g * sizeof *dst);
                else
                    memcpy(dst, img + (ih * g->in_w + iw) * g->in_c, (size_t)cin_g * sizeof *dst);
                dst += cin_g;
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
