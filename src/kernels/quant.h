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
#include "core/quant.h"

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

/* ---- Packed 8-bit GEMM (QCONV2D with groups 1, QFULLY_CONNECTED) ---------------------------- *
 * y[r][n] from dot[r][n] = sum_k x[r][k] * w'[n][k] over raw input bytes x and packed weights
 * w' = w + w_off (int8 weights stored as u8: +128; uint8 weights stored as s8: -128), which is
 * what vpdpbusd multiplies (unsigned by signed bytes, the raw input taking the other side). Then
 *   sum_k (x - x_zp)(w - w_zp) = dot - (w_off + w_zp) * rowsum[r] - x_zp * wsum[n]
 * with rowsum[r] = sum_k x[r][k] (padding taps hold x_zp) and wsum[n] = sum_k (w - w_zp): the exact
 * int32 sum TFLite's reference kernels compute, then the same requantization.
 * Packed block: this header, int32 wsum[Np], then bytes B[Np/16][Kq][16][4] (64-byte aligned):
 * quad q of column block j holds w'[16j + l][4q .. 4q+3] in lane l (zeros past K and N). */
typedef struct frost__q8_pack {
    int64_t K, Kq, N, Np;        /* Kq = ceil(K / 4), Np = N rounded up to 16                  */
    int32_t w_off, w_zp;
    bool w_u8;                   /* packed bytes are unsigned (int8 model)                     */
    size_t wsum_offset, b_offset;
} frost__q8_pack;

/* Bytes of the packed block, or 0 when the sizes overflow. */
size_t frost__q8_pack_bytes(int64_t K, int64_t N);
/* Packs w [N][K] (U8 or I8) into `out` (frost__q8_pack_bytes bytes, 64-byte aligned). */
void frost__q8_pack_weights(const void *w, frost_dtype wt, int32_t w_zp, int64_t K, int64_t N,
                            void *out);
static inline const int32_t *frost__q8_wsum(const frost__q8_pack *p) {
    return (const int32_t *)(const void *)((const char *)p + p->wsum_offset);
}
static inline const uint8_t *frost__q8_b(const frost__q8_pack *p) {
    return (const uint8_t *)p + p->b_offset;
}
/* dot[r][0..Np) for rows [0, rows) of a (stride lda bytes; Kq * 4 bytes readable per row) into c
 * (stride Np int32). */
void frost_k_q8_gemm__ref(const frost__q8_pack *p, const uint8_t *a, int64_t lda, int64_t rows,
                          int32_t *c);
void frost_k_q8_gemm__avx512vnni(const frost__q8_pack *p, const uint8_t *a, int64_t lda,
                                 int64_t rows, int32_t *c);
/* Rows of im2col for output pixels [r0, r0 + rows) (flattened n, oh, ow) of a conv with groups 1:
 * Kq * 4 bytes per row, padding taps = x_zp, the tail past K zero; rowsum[r] = sum of the row. */
void frost_k_q8_im2col__ref(const frost__conv_geom *g, const uint8_t *x, uint8_t x_zp, int64_t r0,
                            int64_t rows, int64_t Kq, bool x_signed, uint8_t *a, int32_t *rowsum);
/* rowsum of rows already laid out (the direct path): sum of K bytes, signed or not. */
void frost_k_q8_rowsum__ref(const uint8_t *a, int64_t lda, int64_t rows, int64_t K, bool x_signed,
                            int32_t *rowsum);
/* y rows from dot: corrections, bias, requantization, zero point, clamp (a->x_type's width). */
void frost_k_q8_requant__ref(const frost__qconv_args *a, const frost__q8_pack *p, const int32_t *c,
                             const int32_t *rowsum, int64_t rows, const void *bias, void *y);

/* The same epilogue and depthwise kernel on AVX-512 F/BW, bit for bit (x86 only). */
void frost_k_q8_requant__avx512(const frost__qconv_args *a, const frost__q8_pack *p,
                                const int32_t *c, const int32_t *rowsum, int64_t rows,
                                const void *bias, void *y);
void frost_k_q_depthwise__avx512(const frost__qconv_args *a, const void *x, const void *w,
                                 const void *bias, void *y, int64_t r0, int64_t r1);

/* Depthwise with multiplier 1 on AVX-512 BW from weights packed in tap pairs (vpmaddwd), bit for
 * bit the portable kernel. The packing is plain C but lives in the AVX-512 file: call it only on
 * CPUs with AVX-512 F/BW. */
size_t frost__q8_dw_pack_bytes(int64_t taps, int64_t C);
void frost__q8_dw_pack(const void *w, bool s8, int32_t w_zp, int64_t taps, int64_t C, int32_t *out);
void frost_k_q_depthwise_pairs__avx512(const frost__qconv_args *a, const void *x, const void *w,
                                       const int32_t *wp, const void *bias, void *y, int64_t r0,
                                       int64_t r1);

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
/* The same on AVX-512 F/BW, bit for bit, for contiguous 8-bit operands (else it calls the ref). */
void frost_k_q_binary__avx512(frost_dtype t, int fn, const int32_t *qp, const void *a, int64_t sa,
                              const void *b, int64_t sb, void *y, int64_t n);

/* QPOOL2D: output rows (n, oh) in [r0, r1) with TFLite's rounding of averages (only taps inside
 * the input count), clamped to [act_min, act_max]. */
void frost_k_q_pool2d__ref(const frost__pool_geom *g, frost_dtype t, int32_t act_min,
                           int32_t act_max, const void *x, void *y, int64_t r0, int64_t r1);

/* QSOFTMAX over rows of d elements: y = round(softmax(beta_scale * x) / out_scale) + out_zp. */
void frost_k_q_softmax__ref(frost_dtype t, const void *x, void *y, int64_t rows, int64_t d,
                            int32_t in_zp, int32_t out_zp, float beta_scale, float out_scale);

#endif /* FROST_KERNELS_QUANT_H */
