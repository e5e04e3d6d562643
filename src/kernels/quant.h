/* quant.h — integer kernels for quantized models, with TFLite's fixed-point arithmetic
 * (gemmlowp's SaturatingRoundingDoublingHighMul and RoundingDivideByPOT, the "double rounding"
 * MultiplyByQuantizedMultiplier TFLite builds with by default), so results equal TFLite's
 * reference kernels bit for bit. Every kernel works on a range of rows so callers may split work;
 * none allocates. */
#ifndef FROST_KERNELS_QUANT_H
#define FROST_KERNELS_QUANT_H

#include <stdbool.h>
#include <stdint.h>

#include "kernels/conv.h"
#include "kernels/pool.h"
#include "frost.h"

/* ---- Fixed-point helpers (TFLite / gemmlowp semantics) ------------------------------------- */

/* (a * b * 2) >> 32, rounded to nearest, saturating the single overflow case (INT32_MIN^2). */
static inline int32_t frost__q_high_mul(int32_t a, int32_t b) {
    if (a == INT32_MIN && b == INT32_MIN) return INT32_MAX;
    int64_t ab = (int64_t)a * (int64_t)b;
    int64_t nudge = ab >= 0 ? (1 << 30) : (1 - (1 << 30));
    return (int32_t)((ab + nudge) / ((int64_t)1 << 31));
}

/* x / 2^exponent rounded to nearest, ties away from zero. */
static inline int32_t frost__q_rdiv_pot(int32_t x, int exponent) {
    const int32_t mask = (int32_t)(((int64_t)1 << exponent) - 1);
    const int32_t remainder = x & mask;
    const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
    return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/* x * multiplier * 2^shift with multiplier a Q31 value (TFLite's MultiplyByQuantizedMultiplier). */
static inline int32_t frost__q_mul(int32_t x, int32_t multiplier, int shift) {
    const int left = shift > 0 ? shift : 0, right = shift > 0 ? 0 : -shift;
    return frost__q_rdiv_pot(frost__q_high_mul((int32_t)((uint32_t)x << left), multiplier), right);
}

/* The 64-bit accumulator variant (int16 activations): the multiplier reduced to 16 bits. */
static inline int32_t frost__q_mul64(int64_t x, int32_t multiplier, int shift) {
    const int32_t reduced = multiplier < 0x7FFF0000 ? ((multiplier + (1 << 15)) >> 16) : 0x7FFF;
    const int total = 15 - shift;
    /* Wrapping arithmetic: only a malformed model's sums could overflow, and never UB. */
    x = (int64_t)((uint64_t)x * (uint64_t)(int64_t)reduced + ((uint64_t)1 << (total - 1)));
    return (int32_t)(x >> total);
}

/* TFLite's QuantizeMultiplier: real = multiplier * 2^(shift - 31), multiplier in [2^30, 2^31). */
void frost__q_quantize_multiplier(double real, int32_t *multiplier, int *shift);

/* ---- Convolutions ---------------------------------------------------------------------------- */

typedef struct frost__qconv_args {
    frost__conv_geom g;           /* k_h/k_w from the filter; groups 1 (depthwise: see below)   */
    frost_dtype x_type, w_type;   /* (U8, U8), (I8, I8) or (I16, I8)                           */
    bool bias64;                  /* bias is int64 (int16 activations)                          */
    int32_t in_zp, w_zp, out_zp, act_min, act_max;
    const int32_t *mult, *shift;  /* per output channel                                         */
    int depth_multiplier;         /* depthwise only                                             */
} frost__qconv_args;

/* Output rows (n, oh) in [r0, r1) of a conv with an OHWI filter. */
void frost_k_q_conv2d__ref(const frost__qconv_args *a, const void *x, const void *w,
                           const void *bias, void *y, int64_t r0, int64_t r1);
/* The same for a depthwise conv with a [1, kh, kw, cin * multiplier] filter. */
void frost_k_q_depthwise__ref(const frost__qconv_args *a, const void *x, const void *w,
                              const void *bias, void *y, int64_t r0, int64_t r1);
/* Rows [r0, r1) of y [M, N] = x [M, K] times weights [N, K]^T (g.in_c = K, g.out_c = N). */
void frost_k_q_fully_connected__ref(const frost__qconv_args *a, const void *x, const void *w,
                                    const void *bias, void *y, int64_t r0, int64_t r1);

/* ---- Elementwise, pooling, softmax, mean ---------------------------------------------------- */

/* Reads element i of an 8/16-bit integer tensor, and stores v clamped to the type's range. */
static inline int32_t frost__q_load(frost_dtype t, const void *p, int64_t i) {
    switch (t) {
    case FROST_DTYPE_U8: return ((const uint8_t *)p)[i];
    case FROST_DTYPE_I8: return ((const int8_t *)p)[i];
    case FROST_DTYPE_I16: return ((const int16_t *)p)[i];
    default: return ((const int32_t *)p)[i];
    }
}
static inline void frost__q_store(frost_dtype t, void *p, int64_t i, int32_t v) {
    switch (t) {
    case FROST_DTYPE_U8: ((uint8_t *)p)[i] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v); break;
    case FROST_DTYPE_I8: ((int8_t *)p)[i] = (int8_t)(v < -128 ? -128 : v > 127 ? 127 : v); break;
    case FROST_DTYPE_I16:
        ((int16_t *)p)[i] = (int16_t)(v < -32768 ? -32768 : v > 32767 ? 32767 : v);
        break;
    default: ((int32_t *)p)[i] = v; break;
    }
}

/* QBINARY: n elements, a and b read with element strides sa, sb (0: broadcast one value).
 * qp holds the FROST_QB_* values (ops/quant.h); fn is FROST__BIN_ADD, SUB or MUL. */
void frost_k_q_binary__ref(frost_dtype t, int fn, const int32_t *qp, const void *a, int64_t sa,
                           const void *b, int64_t sb, void *y, int64_t n);

/* QPOOL2D: output rows (n, oh) in [r0, r1) with TFLite's rounding of averages (only taps inside
 * the input count), clamped to [act_min, act_max]. */
void frost_k_q_pool2d__ref(const frost__pool_geom *g, frost_dtype t, int32_t act_min,
                           int32_t act_max, const void *x, void *y, int64_t r0, int64_t r1);

/* QSOFTMAX over rows of d elements: y = round(softmax(beta_scale * x) / out_scale) + out_zp. */
void frost_k_q_softmax__ref(frost_dtype t, const void *x, void *y, int64_t rows, int64_t d,
                            int32_t in_zp, int32_t out_zp, float beta_scale, float out_scale);

#endif /* FROST_KERNELS_QUANT_H */
