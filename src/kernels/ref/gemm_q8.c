/* gemm_q8.c — the packed 8-bit GEMM path of quantized convolutions and fully connected layers
 * (layout and arithmetic in kernels/quant.h): weight packing, im2col into bytes, row sums, the
 * portable dot-product kernel and the requantizing epilogue. Every sum wraps in 32 bits exactly as
 * TFLite's int32 accumulators do (only a malformed model could overflow them), so the result equals
 * the reference kernels' bit for bit. Never allocates; never reads past Kq * 4 bytes of a row. */
#include "kernels/quant.h"

#include <string.h>

static int64_t round_up(int64_t v, int64_t m) { return (v + m - 1) / m * m; }

size_t frost__q8_pack_bytes(int64_t K, int64_t N) {
    if (K <= 0 || N <= 0 || K > ((int64_t)1 << 40) || N > ((int64_t)1 << 30)) return 0;
    const int64_t Kq = (K + 3) / 4, Np = round_up(N, 16);
    size_t head = (size_t)round_up((int64_t)sizeof(frost__q8_pack), 64);
    size_t wsum = (size_t)round_up(Np * 4, 64), b;
    if (__builtin_mul_overflow((size_t)Kq * 4, (size_t)Np, &b)) return 0;
    return head + wsum + b;
}

void frost__q8_pack_weights(const void *w, frost_dtype wt, int32_t w_zp, int64_t K, int64_t N,
                            void *out) {
    frost__q8_pack *p = out;
    memset(p, 0, sizeof *p);
    p->K = K;
    p->Kq = (K + 3) / 4;
    p->N = N;
    p->Np = round_up(N, 16);
    p->w_u8 = wt == FROST_DTYPE_I8;
    p->w_off = p->w_u8 ? 128 : -128;
    p->w_zp = w_zp;
    p->wsum_offset = (size_t)round_up((int64_t)sizeof(frost__q8_pack), 64);
    p->b_offset = p->wsum_offset + (size_t)round_up(p->Np * 4, 64);
    int32_t *wsum = (int32_t *)(void *)((char *)out + p->wsum_offset);
    uint8_t *B = (uint8_t *)out + p->b_offset;
    memset(wsum, 0, (size_t)p->Np * 4);
    memset(B, 0, (size_t)p->Kq * 4 * (size_t)p->Np);
    for (int64_t n = 0; n < N; n++) {
        uint32_t s = 0;
        for (int64_t k = 0; k < K; k++) {
            const int32_t v = wt == FROST_DTYPE_I8 ? ((const int8_t *)w)[n * K + k]
                                                   : ((const uint8_t *)w)[n * K + k];
            s += (uint32_t)(v - w_zp);
            const int64_t blk = n / 16, lane = n % 16, q = k / 4, j = k % 4;
            B[((blk * p->Kq + q) * 16 + lane) * 4 + j] = (uint8_t)(v + p->w_off);
        }
        wsum[n] = (int32_t)s;
    }
}

void frost_k_q8_gemm__ref(const frost__q8_pack *p, const uint8_t *a, int64_t lda, int64_t rows,
                          int32_t *c) {
    const uint8_t *B = frost__q8_b(p);
    for (int64_t r = 0; r < rows; r++) {
        const uint8_t *x = a + r * lda;
        for (int64_t n = 0; n < p->Np; n++) {
            const uint8_t *b = B + ((n / 16) * p->Kq * 16 + n % 16) * 4;
            uint32_t s = 0;
            for (int64_t q = 0; q < p->Kq; q++)
                for (int j = 0; j < 4; j++) {
                    /* vpdpbusd's roles: the unsigned side is the weights in int8 models */
                    const int32_t xv = p->w_u8 ? (int8_t)x[4 * q + j] : x[4 * q + j];
                    const int32_t wv = p->w_u8 ? b[q * 64 + j] : (int8_t)b[q * 64 + j];
                    s += (uint32_t)(xv * wv);
                }
            c[r * p->Np + n] = (int32_t)s;
        }
    }
}

void frost_k_q8_im2col__ref(const frost__conv_geom *g, const uint8_t *x, uint8_t x_zp, int64_t r0,
                            int64_t rows, int64_t Kq, bool x_signed, uint8_t *a, int32_t *rowsum) {
    const int64_t C = g->in_c, row_bytes = Kq * 4;
    for (int64_t r = 0; r < rows; r++) {
        const int64_t pix = r0 + r, ow = pix % g->out_w, oh = (pix / g->out_w) % g->out_h,
                      n = pix / (g->out_w * g->out_h);
        uint8_t *dst = a + r * row_bytes;
        for (int kh = 0; kh < g->k_h; kh++) {
            const int64_t ih = oh * g->stride_h - g->pad_top + (int64_t)kh * g->dil_h;
            for (int kw = 0; kw < g->k_w; kw++) {
                const int64_t iw = ow * g->stride_w - g->pad_left + (int64_t)kw * g->dil_w;
                if (ih < 0 || ih >= g->in_h || iw < 0 || iw >= g->in_w)
                    memset(dst, x_zp, (size_t)C);
                else
                    memcpy(dst, x + ((n * g->in_h + ih) * g->in_w + iw) * C, (size_t)C);
                dst += C;
            }
        }
        const int64_t K = (int64_t)g->k_h * g->k_w * C;
        memset(a + r * row_bytes + K, 0, (size_t)(row_bytes - K));
        uint32_t s = 0;
        const uint8_t *row = a + r * row_bytes;
        if (x_signed)
            for (int64_t k = 0; k < K; k++) s += (uint32_t)(int32_t)(int8_t)row[k];
        else
            for (int64_t k = 0; k < K; k++) s += row[k];
        rowsum[r] = (int32_t)s;
    }
}

void frost_k_q8_rowsum__ref(const uint8_t *a, int64_t lda, int64_t rows, int64_t K, bool x_signed,
                            int32_t *rowsum) {
    for (int64_t r = 0; r < rows; r++) {
        const uint8_t *row = a + r * lda;
        uint32_t s = 0;
        if (x_signed)
            for (int64_t k = 0; k < K; k++) s += (uint32_t)(int32_t)(int8_t)row[k];
        else
            for (int64_t k = 0; k < K; k++) s += row[k];
        rowsum[r] = (int32_t)s;
    }
}

void frost_k_q8_requant__ref(const frost__qconv_args *a, const frost__q8_pack *p, const int32_t *c,
                             const int32_t *rowsum, int64_t rows, const void *bias, void *y) {
    const int32_t *wsum = frost__q8_wsum(p);
    const uint32_t roff = (uint32_t)(p->w_off + p->w_zp), xz = (uint32_t)a->in_zp;
    const int64_t N = p->N;
    for (int64_t r = 0; r < rows; r++) {
        const uint32_t rs = roff * (uint32_t)rowsum[r];
        for (int64_t n = 0; n < N; n++) {
            uint32_t acc = (uint32_t)c[r * p->Np + n] - rs - xz * (uint32_t)wsum[n];
            if (bias) acc += (uint32_t)((const int32_t *)bias)[n];
            int32_t v = frost__q_mul((int32_t)acc, a->mult[n], a->shift[n]) + a->out_zp;
            v = v < a->act_min ? a->act_min : v > a->act_max ? a->act_max : v;
            if (a->x_type == FROST_DTYPE_U8)
                ((uint8_t *)y)[r * N + n] = (uint8_t)v;
            else
                ((int8_t *)y)[r * N + n] = (int8_t)v;
        }
    }
}
