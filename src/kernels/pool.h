/* pool.h — 2-D max / average pooling on NHWC activations. Works on a range of output rows so
 * callers can split work across threads; never allocates. */
#ifndef FROST_KERNELS_POOL_H
#define FROST_KERNELS_POOL_H

#include <stdbool.h>
#include <stdint.h>

/* Output pixel (oh, ow) covers input rows oh*stride_h - pad_top + kh*dil_h, kh < k_h (same for
 * columns). Padding taps never count for max. For average, the divisor is the number of taps
 * inside the input, or with count_include_pad the number inside the padded input
 * [-pad_top, in_h + pad_bottom) (taps past that, from ceil_mode, never count). */
typedef struct frost__pool_geom {
    int64_t n, in_h, in_w, c, out_h, out_w;
    int k_h, k_w, stride_h, stride_w, dil_h, dil_w;
    int pad_top, pad_left, pad_bottom, pad_right;
    bool is_max, count_include_pad;
} frost__pool_geom;

/* Output rows (n, oh) in [r0, r1), flattened as n*out_h + oh. A window with no tap inside the
 * input yields -inf (max) or 0 (average). */
void frost_k_f32_pool2d__ref(const frost__pool_geom *g, const float *x, float *y, int64_t r0,
                             int64_t r1);
/* The same, bit for bit, on 16 channels per AVX-512 vector (x86 CPUs with AVX-512 F only). */
void frost_k_f32_pool2d__avx512(const frost__pool_geom *g, const float *x, float *y, int64_t r0,
                                int64_t r1);

#endif
