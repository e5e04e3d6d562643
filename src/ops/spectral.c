/* spectral.c — STFT: the strided Conv1d(s) over one channel whose filters are a windowed DFT basis
 * (passes/stft_conv.c finds them: PyTorch STFT front ends export their spectrogram that way),
 * computed per frame by a real FFT instead of a K x channels matrix product: a frame of K samples
 * costs O(K log K) instead of O(K * channels) (openWakeWord's 512-point frames: 257 + 257 channels).
 *
 * Inputs: x NHWC [N, 1, W, 1], window [K] f32, codes int32 [sum of out_ch]; output i is
 * [N, 1, frames, out_ch[i]], frames = (W - K) / hop + 1, its channels the next out_ch[i] codes.
 * A code is f * 4 + kind * 2 + neg: channel = ±sum_n x[n] w[n] cos(2 pi f n / K) (kind 0) or
 * ±sum_n x[n] w[n] sin(2 pi f n / K) (kind 1), minus when neg. K is a power of two >= 4.
 *
 * The FFT: the K real samples as K/2 complex ones, a radix-2 FFT of those, then the split that
 * gives the K/2 + 1 bins of the real transform. LANES frames at a time, each butterfly's loop over
 * the frames innermost, so the compiler keeps it in vectors. Twiddles and the bit-reversal order
 * are computed at load into n->packed (pack). Never allocates in prepare or run. */
#include "ops/op.h"

#include <math.h>

enum { LANES = 16 };

typedef struct stft_plan {
    int K, M, hop;          /* frame, complex FFT size K/2, hop */
    int channels;           /* of every output together */
    int64_t n, w, frames;
} stft_plan;
_Static_assert(sizeof(stft_plan) <= sizeof(((frost__step *)0)->state), "stft plan too big");

static bool pow2(int64_t v) { return v >= 4 && (v & (v - 1)) == 0; }

static frost_status stft_infer(frost__infer_ctx *c) {
    const frost__node *n = c->node;
    const int K = n->p.stft.frame, hop = n->p.stft.hop, outs = n->p.stft.n_outs;
    if (c->n_in != 3 || outs < 1 || outs > 4 || c->n_out != outs || !pow2(K) || hop < 1)
        return frost__op_fail(n, c->err, FROST_E_FORMAT, "malformed STFT node");
    if (c->in_dtype[0] != FROST_DTYPE_F32 && c->in_dtype[0] != FROST_DTYPE_INVALID)
        return frost__op_fail(n, c->err, FROST_E_DTYPE, "input is %s; STFT takes f32",
                              frost_dtype_name(c->in_dtype[0]));
    const frost__shape *x = &c->in_shape[0];
    int64_t nb = -1, frames = -1;
    if (x->rank >= 0) {
        if (x->rank != 4 || (x->d[1] >= 0 && x->d[1] != 1) || (x->d[3] >= 0 && x->d[3] != 1))
            return frost__op_fail(n, c->err, FROST_E_SHAPE, "STFT input must be [N, 1, W, 1]");
        nb = x->d[0];
        if (x->d[2] >= 0) {
            if (x->d[2] < K)
                return frost__op_fail(n, c->err, FROST_E_SHAPE,
                                      "%lld samples are fewer than one frame of %d",
                                      (long long)x->d[2], K);
            frames = (x->d[2] - K) / hop + 1;
        }
    }
    for (int i = 0; i < outs; i++) {
        int64_t d[4] = {nb, 1, frames, n->p.stft.out_ch[i]};
        c->out_dtype[i] = FROST_DTYPE_F32;
        c->out_shape[i] = frost__shape_make(4, d);
    }
    return FROST_OK;
}

/* n->packed: twiddles cos/sin(-2 pi t / K) for t < K/2 (floats), then the bit-reversed order of
 * 0..M-1 (int32). */
static size_t packed_size(int K) { return (size_t)K * sizeof(float) + (size_t)(K / 2) * sizeof(int32_t); }

static frost_status stft_pack(frost__graph *g, frost__node *n, const frost__cpu *cpu,
                              frost_error *err) {
    (void)cpu;
    const int K = n->p.stft.frame, M = K / 2;
    if (!pow2(K)) return FROST_OK; /* infer reports it */
    unsigned char *buf = frost__alloc(&g->alloc, packed_size(K));
    if (!buf)
        return frost__op_fail(n, err, FROST_E_NOMEM, "out of memory for FFT tables of %d", K);
    float *twr = (float *)buf, *twi = twr + M;
    int32_t *rev = (int32_t *)(twi + M);
    const double step = -2.0 * 3.14159265358979323846 / K;
    for (int t = 0; t < M; t++) {
        twr[t] = (float)cos(step * t);
        twi[t] = (float)sin(step * t);
    }
    int bits = 0;
    while ((1 << bits) < M) bits++;
    for (int m = 0; m < M; m++) {
        int r = 0;
        for (int b = 0; b < bits; b++)
            if (m & (1 << b)) r |= 1 << (bits - 1 - b);
        rev[m] = r;
    }
    frost__free(&g->alloc, n->packed);
    n->packed = buf;
    n->packed_bytes = packed_size(K);
    return FROST_OK;
}

/* The frames of every image, L at a time: each array row holds L lanes (one per frame). Inlined
 * for each L the run uses, so the lane loops have a constant trip count and become vectors. */
static inline __attribute__((always_inline)) void stft_frames(const stft_plan *p,
                                                              const frost__step *st,
                                                              const frost__exec *ex, const int L) {
    const frost__node *n = st->node;
    const int K = p->K, M = p->M, hop = p->hop;
    const float *x = FROST_IN(st, ex, 0), *win = FROST_IN(st, ex, 1);
    const int32_t *codes = FROST_IN(st, ex, 2);
    const float *twr = n->packed, *twi = twr + M;
    const int32_t *rev = (const int32_t *)(twi + M);
    /* A spare row between the arrays: rows a power of two apart would alias in the L1 (4 KiB). */
    float *zr = FROST_WS(st, ex), *zi = zr + (M + 1) * L;
    float *xr = zi + (M + 1) * L, *xi = xr + (M + 2) * L;
    /* Each channel's place in xr/xi (bin row, lanes follow) and sign: sum x w sin = -Im X. */
    int32_t *src_off = (int32_t *)(xi + (M + 2) * L);
    float *src_sign = (float *)(src_off + p->channels);
    for (int c = 0; c < p->channels; c++) {
        const int32_t code = codes[c];
        src_off[c] = ((code & 2) ? (M + 2) * L : 0) + (code >> 2) * L;
        src_sign[c] = ((code & 2) ? -1.0f : 1.0f) * ((code & 1) ? -1.0f : 1.0f);
    }
    for (int64_t img = 0; img < p->n; img++) {
        const float *xs = x + img * p->w;
        for (int64_t t0 = 0; t0 < p->frames; t0 += L) {
            const int lanes = (int)FROST_MIN((int64_t)L, p->frames - t0);
            /* Windowed samples as complex pairs, in bit-reversed order; idle lanes zero. */
            for (int l = 0; l < L; l++) {
                if (l >= lanes) {
                    for (int m = 0; m < M; m++) zr[m * L + l] = zi[m * L + l] = 0.0f;
                    continue;
                }
                const float *fr = xs + (t0 + l) * hop;
                for (int m = 0; m < M; m++) {
                    const int s = 2 * rev[m];
                    zr[m * L + l] = fr[s] * win[s];
                    zi[m * L + l] = fr[s + 1] * win[s + 1];
                }
            }
            for (int len = 2; len <= M; len <<= 1) {
                const int half = len / 2, tstep = K / len;
                for (int blk = 0; blk < M; blk += len)
                    for (int j = 0; j < half; j++) {
                        const float wr = twr[j * tstep], wi = twi[j * tstep];
                        float *restrict ar = zr + (blk + j) * L, *restrict ai = zi + (blk + j) * L;
                        float *restrict br = zr + (blk + j + half) * L;
                        float *restrict bi = zi + (blk + j + half) * L;
                        for (int l = 0; l < L; l++) {
                            const float tr = br[l] * wr - bi[l] * wi;
                            const float ti = br[l] * wi + bi[l] * wr;
                            br[l] = ar[l] - tr;
                            bi[l] = ai[l] - ti;
                            ar[l] += tr;
                            ai[l] += ti;
                        }
                    }
            }
            /* Bins 0..M of the real transform from Z: X[f] = E + e^(-2 pi i f / K) O, with
             * E = (Z[f] + conj Z[M-f]) / 2 and O = (Z[f] - conj Z[M-f]) / 2i. */
            for (int f = 0; f <= M; f++) {
                const float *restrict ar = zr + (f % M) * L, *restrict ai = zi + (f % M) * L;
                const float *restrict br = zr + ((M - f) % M) * L;
                const float *restrict bi = zi + ((M - f) % M) * L;
                float *restrict yr = xr + f * L, *restrict yi = xi + f * L;
                const float cf = f < M ? twr[f] : -1.0f, sf = f < M ? twi[f] : 0.0f;
                for (int l = 0; l < L; l++) {
                    const float er = 0.5f * (ar[l] + br[l]), ei = 0.5f * (ai[l] - bi[l]);
                    const float orr = 0.5f * (ai[l] + bi[l]), oi = -0.5f * (ar[l] - br[l]);
                    yr[l] = er + cf * orr - sf * oi;
                    yi[l] = ei + cf * oi + sf * orr;
                }
            }
            int at = 0;
            for (int o = 0; o < n->p.stft.n_outs; o++) {
                const int ch = n->p.stft.out_ch[o];
                float *y = (float *)FROST_OUT(st, ex, o) + (img * p->frames + t0) * ch;
                const int32_t *off = src_off + at;
                const float *sg = src_sign + at;
                for (int l = 0; l < lanes; l++)
                    for (int c = 0; c < ch; c++) y[(int64_t)l * ch + c] = sg[c] * xr[off[c] + l];
                at += ch;
            }
        }
    }
}

static frost_status stft_run(const frost__step *st, const frost__exec *ex) {
    const stft_plan *p = (const stft_plan *)st->state.bytes;
    /* Few frames (Silero VAD's 3 per call) would leave most of 16 lanes idle. */
    if (p->frames >= 12) stft_frames(p, st, ex, LANES);
    else stft_frames(p, st, ex, 4);
    return FROST_OK;
}

static frost_status stft_prepare(frost__step *st, const frost__prepare_ctx *pc) {
    const frost__node *n = pc->node;
    stft_plan *p = (stft_plan *)st->state.bytes;
    const int K = n->p.stft.frame;
    const frost__shape *x = &pc->in_shape[0];
    int total = 0;
    for (int i = 0; i < n->p.stft.n_outs; i++) total += n->p.stft.out_ch[i];
    if (!n->packed || n->packed_bytes != packed_size(K) || pc->in_dtype[1] != FROST_DTYPE_F32 ||
        frost__shape_numel(&pc->in_shape[1]) != K || pc->in_dtype[2] != FROST_DTYPE_I32 ||
        frost__shape_numel(&pc->in_shape[2]) != total)
        return frost__op_fail(n, pc->err, FROST_E_INTERNAL, "STFT operands do not fit its frame");
    p->K = K;
    p->M = K / 2;
    p->hop = n->p.stft.hop;
    p->n = x->d[0];
    p->w = x->d[2];
    p->frames = (p->w - K) / p->hop + 1;
    /* Every code must name a bin the FFT computes. */
    const int32_t *codes = pc->in_data[2];
    for (int c = 0; codes && c < total; c++)
        if (codes[c] < 0 || (codes[c] >> 2) > K / 2)
            return frost__op_fail(n, pc->err, FROST_E_INTERNAL, "STFT channel code %d is out of range",
                                  (int)codes[c]);
    p->channels = total;
    st->ws_bytes = (size_t)(2 * (p->M + 1) + 2 * (p->M + 2)) * LANES * sizeof(float) +
                   (size_t)total * (sizeof(int32_t) + sizeof(float));
    frost__step_label(st, "real FFT %d/%d x %lld frames", K, p->hop, (long long)p->frames);
    st->run = stft_run;
    return FROST_OK;
}

const frost__op_def frost__op_STFT = {
    .name = "STFT",
    .infer = stft_infer,
    .prepare = stft_prepare,
    .pack = stft_pack,
};
