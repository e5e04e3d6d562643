/* eltwise_q8.c — portable quantized elementwise, pooling and softmax kernels. ADD/SUB rescale both
 * operands to a common fixed-point scale (left shift 20 for 8-bit, 15 for 16-bit) and requantize
 * the sum; MUL requantizes the product of the zero-point-corrected operands; average pooling rounds
 * half away from zero over the taps inside the input: all as TFLite's reference kernels. Softmax
 * is computed in float from the quantized inputs and rounded once (within one step of TFLite's
 * kernels, which differ among themselves there). Never allocates. */
#include "core/common.h"
#include "kernels/quant.h"
#include "core/params.h"
#include "core/quant.h"

#include <math.h>

static inline int32_t clamp(int32_t v, int32_t lo, int32_t hi) { return v < lo ? lo : v > hi ? hi : v; }

void frost_k_q_binary__ref(frost_dtype t, int fn, const int32_t *qp, const void *a, int64_t sa,
                           const void *b, int64_t sb, void *y, int64_t n) {
    const int32_t a_off = -qp[FROST_QB_A_ZP], b_off = -qp[FROST_QB_B_ZP];
    const int32_t out_zp = qp[FROST_QB_OUT_ZP], lo = qp[FROST_QB_ACT_MIN], hi = qp[FROST_QB_ACT_MAX];
    if (fn == FROST__BIN_MUL) {
        for (int64_t i = 0; i < n; i++) {
            const int32_t va = frost__q_load(t, a, i * sa) + a_off;
            const int32_t vb = frost__q_load(t, b, i * sb) + b_off;
            const int32_t prod = (int32_t)((uint32_t)va * (uint32_t)vb);
            const int32_t v = frost__q_mul(prod, qp[FROST_QB_OUT_MULT], qp[FROST_QB_OUT_SHIFT]) + out_zp;
            frost__q_store(t, y, i, clamp(v, lo, hi));
        }
        return;
    }
    const int left = qp[FROST_QB_LEFT_SHIFT];
    for (int64_t i = 0; i < n; i++) {
        const int32_t va = frost__q_load(t, a, i * sa) + a_off;
        const int32_t vb = frost__q_load(t, b, i * sb) + b_off;
        const int32_t sa_v = frost__q_mul((int32_t)((uint32_t)va << left), qp[FROST_QB_A_MULT],
                                          qp[FROST_QB_A_SHIFT]);
        const int32_t sb_v = frost__q_mul((int32_t)((uint32_t)vb << left), qp[FROST_QB_B_MULT],
                                          qp[FROST_QB_B_SHIFT]);
        const int32_t raw = fn == FROST__BIN_SUB ? (int32_t)((uint32_t)sa_v - (uint32_t)sb_v)
                                                 : (int32_t)((uint32_t)sa_v + (uint32_t)sb_v);
        const int32_t v = frost__q_mul(raw, qp[FROST_QB_OUT_MULT], qp[FROST_QB_OUT_SHIFT]) + out_zp;
        frost__q_store(t, y, i, clamp(v, lo, hi));
    }
}

void frost_k_q_pool2d__ref(const frost__pool_geom *g, frost_dtype t, int32_t act_min,
                           int32_t act_max, const void *x, void *y, int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; r++) {
        const int64_t n = r / g->out_h, oh = r % g->out_h;
        for (int64_t ow = 0; ow < g->out_w; ow++) {
            const int64_t yo = ((n * g->out_h + oh) * g->out_w + ow) * g->c;
            for (int64_t ch = 0; ch < g->c; ch++) {
                int64_t acc = g->is_max ? INT32_MIN : 0, count = 0; /* int64: no window overflows it */
                /* Only the window's rows and columns inside the input (pooling is undilated). */
                const int64_t ih0 = oh * g->stride_h - g->pad_top, iw0 = ow * g->stride_w - g->pad_left;
                const int64_t kh0 = ih0 < 0 ? -ih0 : 0, kh1 = FROST_MIN((int64_t)g->k_h, g->in_h - ih0);
                const int64_t kw0 = iw0 < 0 ? -iw0 : 0, kw1 = FROST_MIN((int64_t)g->k_w, g->in_w - iw0);
                for (int64_t kh = kh0; kh < kh1; kh++) {
                    const int64_t ih = ih0 + kh;
                    for (int64_t kw = kw0; kw < kw1; kw++) {
                        const int64_t iw = iw0 + kw;
                        const int32_t v = frost__q_load(t, x, ((n * g->in_h + ih) * g->in_w + iw) * g->c + ch);
                        if (g->is_max) acc = v > acc ? v : acc;
                        else acc += v;
                        count++;
                    }
                }
                if (count == 0) acc = 0;
                else if (!g->is_max)
                    acc = acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count;
                frost__q_store(t, y, yo + ch, clamp((int32_t)acc, act_min, act_max));
            }
        }
    }
}

void frost_k_q_softmax__ref(frost_dtype t, const void *x, void *y, int64_t rows, int64_t d,
                            int32_t in_zp, int32_t out_zp, float beta_scale, float out_scale) {
    (void)in_zp; /* softmax is shift-invariant: only differences from the row's maximum matter */
    for (int64_t r = 0; r < rows; r++) {
        const int64_t o = r * d;
        int32_t mx = INT32_MIN;
        for (int64_t i = 0; i < d; i++) {
            const int32_t v = frost__q_load(t, x, o + i);
            mx = v > mx ? v : mx;
        }
        float sum = 0;
        for (int64_t i = 0; i < d; i++) sum += expf(beta_scale * (float)(frost__q_load(t, x, o + i) - mx));
        const float inv = 1.0f / (sum * out_scale);
        for (int64_t i = 0; i < d; i++) {
            const float p = expf(beta_scale * (float)(frost__q_load(t, x, o + i) - mx)) * inv;
            frost__q_store(t, y, o + i, frost__q_f2i(roundf(p) + (float)out_zp));
        }
    }
}
