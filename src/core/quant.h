/* quant.h — quantized arithmetic as TFLite defines it, and the operand layouts of the quantized ops
 * (ops.def: QUANTIZE ... QFULLY_CONNECTED): part of the IR, shared by the importer that fills them,
 * the op files that read them and the kernels that compute with them. Every quantized op takes
 * its requantization data as a constant int32 operand `qp`, computed once at import with TFLite's
 * own rules (QuantizeMultiplier and friends), so the kernels only do integer arithmetic.
 *
 *   QUANTIZE          x f32, qp [zp, scale as f32 bits]                       -> i8/u8/i16
 *                     x integer, qp [multiplier, shift, in_zp, out_zp]         -> i8/u8/i16
 *   DEQUANTIZE        x i8/u8/i16/i32, scale f32 [n], zp i32 [n] (n 1, or per slice along
 *                     params.quant.axis)                                       -> f32
 *   QLOOKUP           x u8/i8, table [256] of the output type, indexed by x's byte
 *   QBINARY           a, b (broadcast), qp [QB_*]                               -> same type
 *   QPOOL2D           x NHWC, qp [act_min, act_max]
 *   QSOFTMAX          x, qp [in_zp, out_zp, beta*in_scale as f32 bits, out_scale as f32 bits]
 *   QMEAN             x, axes (int), qp [in_zp, out_zp, in_scale/out_scale as f32 bits]
 *   QCONV2D           x NHWC, filter OHWI (TFLite's layout), bias (i32; i64 for int16 inputs)
 *                     or absent, qp [QC_*] then multiplier[cout], shift[cout]
 *   QDEPTHWISE_CONV2D the same with filter [1, kh, kw, cin * multiplier]
 *   QFULLY_CONNECTED  x [M, K], weights [N, K], bias, qp as QCONV2D with cout = N
 */
#ifndef FROST_CORE_QUANT_H
#define FROST_CORE_QUANT_H

#include <stdint.h>

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

/* A float already rounded, as int32: saturating, NaN as 0 (only a malformed model's scales make
 * either happen; converting them directly would be undefined). */
static inline int32_t frost__q_f2i(float f) {
    if (!(f == f)) return 0;
    if (f >= 2147483520.0f) return INT32_MAX;
    if (f <= -2147483648.0f) return INT32_MIN;
    return (int32_t)f;
}

/* TFLite's QuantizeMultiplier: real = multiplier * 2^(shift - 31), multiplier in [2^30, 2^31). */
void frost__q_quantize_multiplier(double real, int32_t *multiplier, int *shift);

enum { FROST_QC_IN_ZP, FROST_QC_W_ZP, FROST_QC_OUT_ZP, FROST_QC_ACT_MIN, FROST_QC_ACT_MAX,
       FROST_QC_HEADER = 8 };

enum { FROST_QB_A_ZP, FROST_QB_B_ZP, FROST_QB_OUT_ZP, FROST_QB_LEFT_SHIFT, FROST_QB_A_MULT,
       FROST_QB_A_SHIFT, FROST_QB_B_MULT, FROST_QB_B_SHIFT, FROST_QB_OUT_MULT, FROST_QB_OUT_SHIFT,
       FROST_QB_ACT_MIN, FROST_QB_ACT_MAX, FROST_QB_COUNT };

#endif /* FROST_CORE_QUANT_H */
