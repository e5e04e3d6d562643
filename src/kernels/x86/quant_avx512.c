/* quant_avx512.c — AVX-512 versions of the quantized kernels whose portable loops cost the most:
 * the requantizing epilogue of the byte GEMM (16 channels at a time: TFLite's
 * SaturatingRoundingDoublingHighMul on 64-bit products, then RoundingDivideByPOT with per-lane
 * shifts) and the depthwise convolution with multiplier 1 (16 channels of 8-bit taps widened to
 * int32). Results are identical bit for bit to kernels/ref (same integer operations, same
 * wrapping). Must never: allocate, or run on a CPU without AVX-512 F/BW (the ops check).
 * Compiled with -mavx512f -mavx512bw. */
#include "kernels/quant.h"
#include "core/params.h"
#include "core/quant.h"

#include <immintrin.h>
#include <string.h>

/* TFLite's MultiplyByQuantizedMultiplier on 16 lanes (multipliers >= 0, shifts in [-31, 30]). */
static inline __m512i q_mul16(__m512i x, __m512i mult, __m512i shift) {
    const __m512i zero = _mm512_setzero_si512();
    const __m512i left = _mm512_max_epi32(shift, zero), right = _mm512_max_epi32(_mm512_sub_epi32(zero, shift), zero);
    x = _mm512_sllv_epi32(x, left);
    /* (x * m * 2 + round) >> 32 as in gemmlowp: 64-bit products of even and odd lanes. */
    const __m512i nudge_pos = _mm512_set1_epi64((int64_t)1 << 30);
    const __m512i nudge_neg = _mm512_set1_epi64(1 - ((int64_t)1 << 30));
    const __m512i bias_neg = _mm512_set1_epi64(((int64_t)1 << 31) - 1);
    __m512i pe = _mm512_mul_epi32(x, mult);
    __m512i po = _mm512_mul_epi32(_mm512_srli_epi64(x, 32), _mm512_srli_epi64(mult, 32));
    __mmask8 ne = _mm512_cmplt_epi64_mask(pe, _mm512_setzero_si512());
    __mmask8 no = _mm512_cmplt_epi64_mask(po, _mm512_setzero_si512());
    pe = _mm512_add_epi64(pe, _mm512_mask_blend_epi64(ne, nudge_pos, nudge_neg));
    po = _mm512_add_epi64(po, _mm512_mask_blend_epi64(no, nudge_pos, nudge_neg));
    /* Division by 2^31 truncating toward zero. */
    ne = _mm512_cmplt_epi64_mask(pe, _mm512_setzero_si512());
    no = _mm512_cmplt_epi64_mask(po, _mm512_setzero_si512());
    pe = _mm512_srai_epi64(_mm512_mask_add_epi64(pe, ne, pe, bias_neg), 31);
    po = _mm512_srai_epi64(_mm512_mask_add_epi64(po, no, po, bias_neg), 31);
    __m512i hi = _mm512_mask_blend_epi32(0xAAAA, pe, _mm512_slli_epi64(po, 32));
    /* RoundingDivideByPOT(hi, right). */
    const __m512i one = _mm512_set1_epi32(1);
    const __m512i mask = _mm512_sub_epi32(_mm512_sllv_epi32(one, right), one);
    const __m512i rem = _mm512_and_si512(hi, mask);
    const __mmask16 neg = _mm512_cmplt_epi32_mask(hi, zero);
    const __m512i thr = _mm512_mask_add_epi32(_mm512_srai_epi32(mask, 1), neg, _mm512_srai_epi32(mask, 1), one);
    const __mmask16 up = _mm512_cmpgt_epi32_mask(rem, thr);
    return _mm512_mask_add_epi32(_mm512_srav_epi32(hi, right), up, _mm512_srav_epi32(hi, right), one);
}

static inline void store_bytes(frost_dtype t, void *y, int64_t i, __m512i v, __mmask16 m) {
    if (t == FROST_DTYPE_U8)
        _mm_mask_storeu_epi8((uint8_t *)y + i, m, _mm512_cvtusepi32_epi8(v));
    else
        _mm_mask_storeu_epi8((int8_t *)y + i, m, _mm512_cvtsepi32_epi8(v));
}

void frost_k_q8_requant__avx512(const frost__qconv_args *a, const frost__q8_pack *p,
                                const int32_t *c, const int32_t *rowsum, int64_t rows,
                                const void *bias, void *y) {
    const int32_t *wsum = frost__q8_wsum(p);
    const int64_t N = p->N;
    const __m512i xz = _mm512_set1_epi32(a->in_zp), zp = _mm512_set1_epi32(a->out_zp);
    const __m512i lo = _mm512_set1_epi32(a->act_min), hi = _mm512_set1_epi32(a->act_max);
    const int32_t roff = p->w_off + p->w_zp;
    for (int64_t r = 0; r < rows; r++) {
        const __m512i rs = _mm512_set1_epi32((int32_t)((uint32_t)roff * (uint32_t)rowsum[r]));
        for (int64_t n = 0; n < N; n += 16) {
            const __mmask16 m = N - n >= 16 ? 0xFFFF : (__mmask16)((1u << (N - n)) - 1);
            __m512i acc = _mm512_loadu_si512((const void *)(c + r * p->Np + n));
            acc = _mm512_sub_epi32(acc, rs);
            acc = _mm512_sub_epi32(acc, _mm512_mullo_epi32(xz, _mm512_maskz_loadu_epi32(m, wsum + n)));
            if (bias) acc = _mm512_add_epi32(acc, _mm512_maskz_loadu_epi32(m, (const int32_t *)bias + n));
            __m512i v = q_mul16(acc, _mm512_maskz_loadu_epi32(m, a->mult + n),
                                _mm512_maskz_loadu_epi32(m, a->shift + n));
            v = _mm512_min_epi32(_mm512_max_epi32(_mm512_add_epi32(v, zp), lo), hi);
            store_bytes(a->x_type, y, r * N + n, v, m);
        }
    }
}

/* Depthwise, multiplier 1, 8-bit: output rows (n, oh) in [r0, r1). Other shapes: the portable
 * kernel. */
void frost_k_q_depthwise__avx512(const frost__qconv_args *a, const void *x, const void *w,
                                 const void *bias, void *y, int64_t r0, int64_t r1) {
    const frost__conv_geom *g = &a->g;
    if (a->depth_multiplier != 1 || a->x_type == FROST_DTYPE_I16) {
        frost_k_q_depthwise__ref(a, x, w, bias, y, r0, r1);
        return;
    }
    const bool s8 = a->x_type == FROST_DTYPE_I8;
    const __m512i xz = _mm512_set1_epi32(a->in_zp), wz = _mm512_set1_epi32(a->w_zp);
    const __m512i zp = _mm512_set1_epi32(a->out_zp), lo = _mm512_set1_epi32(a->act_min),
                  hi = _mm512_set1_epi32(a->act_max);
    const int64_t C = g->out_c;
    for (int64_t r = r0; r < r1; r++) {
        const int64_t n = r / g->out_h, oh = r % g->out_h;
        for (int64_t ow = 0; ow < g->out_w; ow++) {
            const int64_t yo = ((n * g->out_h + oh) * g->out_w + ow) * C;
            for (int64_t c = 0; c < C; c += 16) {
                const __mmask16 m = C - c >= 16 ? 0xFFFF : (__mmask16)((1u << (C - c)) - 1);
                __m512i acc = _mm512_setzero_si512();
                for (int kh = 0; kh < g->k_h; kh++) {
                    const int64_t ih = oh * g->stride_h - g->pad_top + (int64_t)kh * g->dil_h;
                    if (ih < 0 || ih >= g->in_h) continue;
                    for (int kw = 0; kw < g->k_w; kw++) {
                        const int64_t iw = ow * g->stride_w - g->pad_left + (int64_t)kw * g->dil_w;
                        if (iw < 0 || iw >= g->in_w) continue;
                        const uint8_t *xr = (const uint8_t *)x + ((n * g->in_h + ih) * g->in_w + iw) * C + c;
                        const uint8_t *wr = (const uint8_t *)w + ((int64_t)kh * g->k_w + kw) * C + c;
                        const __m128i xb = _mm_maskz_loadu_epi8(m, xr), wb = _mm_maskz_loadu_epi8(m, wr);
                        const __m512i xv = s8 ? _mm512_cvtepi8_epi32(xb) : _mm512_cvtepu8_epi32(xb);
                        const __m512i wv = s8 ? _mm512_cvtepi8_epi32(wb) : _mm512_cvtepu8_epi32(wb);
                        acc = _mm512_add_epi32(acc, _mm512_mullo_epi32(_mm512_sub_epi32(wv, wz),
                                                                       _mm512_sub_epi32(xv, xz)));
                    }
                }
                if (bias) acc = _mm512_add_epi32(acc, _mm512_maskz_loadu_epi32(m, (const int32_t *)bias + c));
                __m512i v = q_mul16(acc, _mm512_maskz_loadu_epi32(m, a->mult + c),
                                    _mm512_maskz_loadu_epi32(m, a->shift + c));
                v = _mm512_min_epi32(_mm512_max_epi32(_mm512_add_epi32(v, zp), lo), hi);
                store_bytes(a->x_type, y, yo + c, v, m);
            }
        }
    }
}

/* Depthwise weights for frost_k_q_depthwise_pairs__avx512: for each block of 16 channels and each
 * pair of taps (t0, t1) in (kh, kw) order, 16 int32 lanes holding (w[t0] - w_zp) in the low and
 * (w[t1] - w_zp) in the high 16 bits (an odd last tap pairs with 0), what vpmaddwd multiplies
 * against the matching pair of inputs. Portable C: the packing needs no AVX-512. */
size_t frost__q8_dw_pack_bytes(int64_t taps, int64_t C) {
    const int64_t blocks = (C + 15) / 16, pairs = (taps + 1) / 2;
    return (size_t)(blocks * pairs * 16) * sizeof(int32_t);
}

void frost__q8_dw_pack(const void *w, bool s8, int32_t w_zp, int64_t taps, int64_t C, int32_t *out) {
    const int64_t blocks = (C + 15) / 16, pairs = (taps + 1) / 2;
    for (int64_t b = 0; b < blocks; b++)
        for (int64_t p = 0; p < pairs; p++)
            for (int l = 0; l < 16; l++) {
                const int64_t c = b * 16 + l;
                int32_t v[2] = {0, 0};
                for (int h = 0; h < 2; h++) {
                    const int64_t t = 2 * p + h;
                    if (c < C && t < taps)
                        v[h] = (s8 ? ((const int8_t *)w)[t * C + c] : ((const uint8_t *)w)[t * C + c]) - w_zp;
                }
                out[(b * pairs + p) * 16 + l] = (int32_t)(((uint32_t)v[1] << 16) | ((uint32_t)v[0] & 0xFFFF));
            }
}

/* Inputs of 16 channels at one tap, minus the zero point, as int32 (zero when the tap is outside
 * the input: it contributes nothing, as in TFLite). */
static inline __m512i tap_x(const uint8_t *x, int64_t at, bool valid, bool s8, __mmask16 m,
                            __m512i xz) {
    if (!valid) return _mm512_setzero_si512();
    const __m128i b = _mm_maskz_loadu_epi8(m, x + at);
    return _mm512_sub_epi32(s8 ? _mm512_cvtepi8_epi32(b) : _mm512_cvtepu8_epi32(b), xz);
}

void frost_k_q_depthwise_pairs__avx512(const frost__qconv_args *a, const void *x, const void *w,
                                       const int32_t *wp, const void *bias, void *y, int64_t r0,
                                       int64_t r1) {
    const frost__conv_geom *g = &a->g;
    enum { MAX_TAPS = 64 };
    const int64_t C = g->out_c, taps = (int64_t)g->k_h * g->k_w, pairs = (taps + 1) / 2;
    if (taps > MAX_TAPS) {
        frost_k_q_depthwise__avx512(a, x, w, bias, y, r0, r1);
        return;
    }
    const bool s8 = a->x_type == FROST_DTYPE_I8;
    const __m512i xz = _mm512_set1_epi32(a->in_zp), lo16 = _mm512_set1_epi32(0xFFFF);
    const __m512i zp = _mm512_set1_epi32(a->out_zp), lo = _mm512_set1_epi32(a->act_min),
                  hi = _mm512_set1_epi32(a->act_max);
    int64_t at[MAX_TAPS + 1];
    bool valid[MAX_TAPS + 1];
    for (int64_t r = r0; r < r1; r++) {
        const int64_t n = r / g->out_h, oh = r % g->out_h;
        for (int64_t ow = 0; ow < g->out_w; ow++) {
            /* Where each tap of this output pixel reads, once for all its channels. */
            int64_t t = 0;
            for (int kh = 0; kh < g->k_h; kh++)
                for (int kw = 0; kw < g->k_w; kw++, t++) {
                    const int64_t ih = oh * g->stride_h - g->pad_top + (int64_t)kh * g->dil_h;
                    const int64_t iw = ow * g->stride_w - g->pad_left + (int64_t)kw * g->dil_w;
                    valid[t] = ih >= 0 && ih < g->in_h && iw >= 0 && iw < g->in_w;
                    at[t] = valid[t] ? ((n * g->in_h + ih) * g->in_w + iw) * C : 0;
                }
            valid[taps] = false;
            at[taps] = 0;
            const int64_t yo = ((n * g->out_h + oh) * g->out_w + ow) * C;
            for (int64_t c = 0; c < C; c += 16) {
                const __mmask16 m = C - c >= 16 ? 0xFFFF : (__mmask16)((1u << (C - c)) - 1);
                const int32_t *wb = wp + (c / 16) * pairs * 16;
                __m512i acc = _mm512_setzero_si512();
                for (int64_t p = 0; p < pairs; p++) {
                    const __m512i x0 = tap_x((const uint8_t *)x, at[2 * p] + c, valid[2 * p], s8, m, xz);
                    const __m512i x1 = tap_x((const uint8_t *)x, at[2 * p + 1] + c, valid[2 * p + 1], s8, m, xz);
                    const __m512i xpair = _mm512_or_si512(_mm512_and_si512(x0, lo16), _mm512_slli_epi32(x1, 16));
                    acc = _mm512_add_epi32(acc, _mm512_madd_epi16(xpair, _mm512_load_si512((const void *)(wb + p * 16))));
                }
                if (bias) acc = _mm512_add_epi32(acc, _mm512_maskz_loadu_epi32(m, (const int32_t *)bias + c));
                __m512i v = q_mul16(acc, _mm512_maskz_loadu_epi32(m, a->mult + c),
                                    _mm512_maskz_loadu_epi32(m, a->shift + c));
                v = _mm512_min_epi32(_mm512_max_epi32(_mm512_add_epi32(v, zp), lo), hi);
                store_bytes(a->x_type, y, yo + c, v, m);
            }
        }
    }
}

/* QBINARY on 16 elements at a time when both operands are contiguous and 8-bit; other cases go to
 * the portable kernel. */
void frost_k_q_binary__avx512(frost_dtype t, int fn, const int32_t *qp, const void *a, int64_t sa,
                              const void *b, int64_t sb, void *y, int64_t n) {
    if (sa != 1 || sb != 1 || (t != FROST_DTYPE_I8 && t != FROST_DTYPE_U8)) {
        frost_k_q_binary__ref(t, fn, qp, a, sa, b, sb, y, n);
        return;
    }
    const bool s8 = t == FROST_DTYPE_I8;
    const __m512i a_off = _mm512_set1_epi32(-qp[FROST_QB_A_ZP]), b_off = _mm512_set1_epi32(-qp[FROST_QB_B_ZP]);
    const __m512i zp = _mm512_set1_epi32(qp[FROST_QB_OUT_ZP]);
    const __m512i lo = _mm512_set1_epi32(qp[FROST_QB_ACT_MIN]), hi = _mm512_set1_epi32(qp[FROST_QB_ACT_MAX]);
    const __m512i om = _mm512_set1_epi32(qp[FROST_QB_OUT_MULT]), os = _mm512_set1_epi32(qp[FROST_QB_OUT_SHIFT]);
    const __m512i am = _mm512_set1_epi32(qp[FROST_QB_A_MULT]), as = _mm512_set1_epi32(qp[FROST_QB_A_SHIFT]);
    const __m512i bm = _mm512_set1_epi32(qp[FROST_QB_B_MULT]), bs = _mm512_set1_epi32(qp[FROST_QB_B_SHIFT]);
    const __m512i left = _mm512_set1_epi32(qp[FROST_QB_LEFT_SHIFT]);
    for (int64_t i = 0; i < n; i += 16) {
        const __mmask16 m = n - i >= 16 ? 0xFFFF : (__mmask16)((1u << (n - i)) - 1);
        const __m128i ab = _mm_maskz_loadu_epi8(m, (const uint8_t *)a + i);
        const __m128i bb = _mm_maskz_loadu_epi8(m, (const uint8_t *)b + i);
        const __m512i va = _mm512_add_epi32(s8 ? _mm512_cvtepi8_epi32(ab) : _mm512_cvtepu8_epi32(ab), a_off);
        const __m512i vb = _mm512_add_epi32(s8 ? _mm512_cvtepi8_epi32(bb) : _mm512_cvtepu8_epi32(bb), b_off);
        __m512i raw;
        if (fn == FROST__BIN_MUL) {
            raw = _mm512_mullo_epi32(va, vb);
        } else {
            const __m512i xa = q_mul16(_mm512_sllv_epi32(va, left), am, as);
            const __m512i xb = q_mul16(_mm512_sllv_epi32(vb, left), bm, bs);
            raw = fn == FROST__BIN_SUB ? _mm512_sub_epi32(xa, xb) : _mm512_add_epi32(xa, xb);
        }
        __m512i v = _mm512_add_epi32(q_mul16(raw, om, os), zp);
        v = _mm512_min_epi32(_mm512_max_epi32(v, lo), hi);
        store_bytes(t, y, i, v, m);
    }
}
