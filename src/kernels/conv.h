/* conv.h — 2-D convolution kernels on NHWC activations: im2col (feeding the packed GEMM),
 * direct depthwise convolution, and the col2im gather of transposed convolution.
 * Every kernel works on a range of output rows so callers can split work across threads; none
 * allocates. */
#ifndef FROST_KERNELS_CONV_H
#define FROST_KERNELS_CONV_H

#include <stdint.h>

#include "core/params.h"

/* Geometry of one convolution, every size resolved (padding already computed).
 * Forward conv: out[oh] reads in[oh*stride - pad_top + kh*dil].
 * Transposed conv: in[ih] contributes to out[ih*stride - pad_top + kh*dil]. */
typedef struct frost__conv_geom {
    int64_t n, in_h, in_w, in_c;
    int64_t out_h, out_w, out_c;
    int k_h, k_w;
    int stride_h, stride_w, dil_h, dil_w;
    int pad_top, pad_left;      /* bottom/right are implied by out_h/out_w                    */
    int groups;                 /* forward conv: in_c and out_c split into this many groups   */
} frost__conv_geom;

/* Rows [row0, row0+rows) of the im2col matrix of group `group`: row r is output pixel r of the
 * flattened (n, oh, ow) index, columns are (kh, kw, ci) for ci in the group's in_c/groups channels,
 * matching an HWIO filter viewed as [k_h*k_w*cin_g, out_c]. Padding taps are zero. */
void frost_k_f32_im2col__ref(const frost__conv_geom *g, const float *x, int group, int64_t row0,
                             int64_t rows, float *col);
/* The same, bit for bit, with AVX-512 copies (x86 CPUs with AVX-512 F only). It may write up to
 * FROST_IM2COL_SLACK floats past the last row: the caller's buffer must have that much to spare. */
#define FROST_IM2COL_SLACK 16

/* Direct convolution for narrow windows (conv1 of a CNN: K = k_h*k_w*in_c small, at most 32 output
 * channels, groups 1) without im2col: output rows oh in [oh0, oh1) of ONE image y [out_h, out_w,
 * out_c] = act(bias + conv) (bias may be NULL). xpad is that image zero-padded by the caller: every
 * input pixel the windows read, [hp, wp, in_c] with pixel (ih, iw) at (ih + pad_top, iw + pad_left)
 * and zeros elsewhere. w32 is the HWIO filter as K rows of 32 floats (columns past out_c zero).
 * AVX-512 F only. */
void frost_k_f32_conv_narrow__avx512(const frost__conv_geom *g, const float *xpad, int64_t wp,
                                     const float *w32, const float *bias,
                                     const frost__act_params *act, float *y, int64_t oh0,
                                     int64_t oh1);
void frost_k_f32_im2col__avx512(const frost__conv_geom *g, const float *x, int group, int64_t row0,
                                int64_t rows, float *col);

/* Depthwise conv, filter [k_h, k_w, in_c, mult] with out_c = in_c * mult; bias [out_c] or NULL.
 * Computes output rows (n, oh) in [r0, r1) (flattened n*out_h + oh), then the activation. */
void frost_k_f32_depthwise__ref(const frost__conv_geom *g, const float *x, const float *filter,
                                const float *bias, const frost__act_params *act, float *y,
                                int64_t r0, int64_t r1);

/* The same, tiled: channel blocks in vector registers, the window's interior columns without edge
 * checks, 3x3 and 5x5 windows at stride 1 and 2 unrolled, bias and cheap activations in
 * registers (kernels/ref/depthwise_f32.inc). Channel multiplier 1 and no dilation; other shapes
 * fall back to frost_k_f32_depthwise__ref. One build per vector width; the results differ from
 * the reference only by FMA contraction. */
void frost_k_f32_depthwise_tiled__ref(const frost__conv_geom *g, const float *x,
                                      const float *filter, const float *bias,
                                      const frost__act_params *act, float *y, int64_t r0,
                                      int64_t r1);
void frost_k_f32_depthwise_tiled__avx2(const frost__conv_geom *g, const float *x,
                                       const float *filter, const float *bias,
                                       const frost__act_params *act, float *y, int64_t r0,
                                       int64_t r1);
void frost_k_f32_depthwise_tiled__avx512(const frost__conv_geom *g, const float *x,
                                         const float *filter, const float *bias,
                                         const frost__act_params *act, float *y, int64_t r0,
                                         int64_t r1);

/* Direct conv with an HWIO filter [k_h, k_w, in_c/groups, out_c], for grouped convs with few
 * channels per group, where a GEMM per group would mostly compute padding. Output rows (n, oh) in
 * [r0, r1), then bias (or NULL) and the activation. */
void frost_k_f32_conv_direct__ref(const frost__conv_geom *g, const float *x, const float *filter,
                                  const float *bias, const frost__act_params *act, float *y,
                                  int64_t r0, int64_t r1);

/* Transposed conv, second half: cols holds, for every input pixel (ih, iw) of image `image`, the
 * products with the filter arranged as [in_h*in_w, k_h*k_w*out_c]. Gathers output rows
 * oh in [oh0, oh1) of that image: y = act(bias + sum of the taps landing on each pixel). */
void frost_k_f32_col2im__ref(const frost__conv_geom *g, const float *cols, const float *bias,
                             const frost__act_params *act, float *y_image, int64_t oh0,
                             int64_t oh1);

#endif
