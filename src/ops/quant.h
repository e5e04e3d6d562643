/* quant.h — the operand layouts of the quantized ops (ops.def: QUANTIZE ... QFULLY_CONNECTED),
 * shared by the importer that fills them and the op files that read them. Every quantized op takes
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
#ifndef FROST_OPS_QUANT_H
#define FROST_OPS_QUANT_H

enum { FROST_QC_IN_ZP, FROST_QC_W_ZP, FROST_QC_OUT_ZP, FROST_QC_ACT_MIN, FROST_QC_ACT_MAX,
       FROST_QC_HEADER = 8 };

enum { FROST_QB_A_ZP, FROST_QB_B_ZP, FROST_QB_OUT_ZP, FROST_QB_LEFT_SHIFT, FROST_QB_A_MULT,
       FROST_QB_A_SHIFT, FROST_QB_B_MULT, FROST_QB_B_SHIFT, FROST_QB_OUT_MULT, FROST_QB_OUT_SHIFT,
       FROST_QB_ACT_MIN, FROST_QB_ACT_MAX, FROST_QB_COUNT };

#endif /* FROST_OPS_QUANT_H */
