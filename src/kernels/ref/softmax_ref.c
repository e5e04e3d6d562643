/* softmax_ref.c — portable softmax / log-softmax (see kernels/softmax.h). The max is subtracted
 * first so exp never overflows; sums are kept in double so long rows (vocabulary logits) stay
 * accurate. Never allocates. */
#include "kernels/softmax.h"

#include <math.h>

static void softmax_contiguous(const float *x, float *y, int64_t len, float beta, bool want_log) {
    float m = -INFINITY;
    for (int64_t i = 0; i < len; i++) m = x[i] > m ? x[i] : m;
    if (!isfinite(m)) m = 0.0f; /* all -inf: leave the NaNs/infs to show, never inf - inf */
    double sum = 0;
    if (want_log) {
        for (int64_t i = 0; i < len; i++) sum += expf(beta * (x[i] - m));
        const float lse = (float)log(sum);
        for (int64_t i = 0; i < len; i++) y[i] = beta * (x[i] - m) - lse;
    } else {
        for (int64_t i = 0; i < len; i++) {
            const float e = expf(beta * (x[i] - m));
            y[i] = e;
            sum += e;
        }
        const float inv = (float)(1.0 / sum);
        for (int64_t i = 0; i < len; i++) y[i] *= inv;
    }
}

void frost_k_f32_softmax__ref(const float *x, float *y, int64_t outer, int64_t len, int64_t inner,
                              float beta, bool want_log) {
    /* A negative beta turns the max into the min: shift by whichever bounds beta*x from above. */
    if (inner == 1 && beta >= 0) {
        for (int64_t o = 0; o < outer; o++)
            softmax_contiguous(x + o * len, y + o * len, len, beta, want_log);
        return;
    }
    for (int64_t o = 0; o < outer; o++) {
        const float *xs = x + o * len * inner;
        float *ys = y + o * len * inner;
        for (int64_t j = 0; j < inner; j++) {
            float m = -INFINITY;
            for (int64_t i = 0; i < len; i++) {
                const float v = beta * xs[i * inner + j];
                m = v > m ? v : m;
            }
            if (!isfinite(m)) m = 0.0f;
            double sum = 0;
            for (int64_t i = 0; i < len; i++) {
                const float e = expf(beta * xs[i * inner + j] - m);
                if (!want_log) ys[i * inner + j] = e;
                sum += e;
            }
            if (want_log) {
                const float lse = (float)log(sum);
                for (int64_t i = 0; i < len; i++)
                    ys[i * inner + j] = beta * xs[i * inner + j] - m - lse;
            } else {
                const float inv = (float)(1.0 / sum);
                for (int64_t i = 0; i < len; i++) ys[i * inner + j] *= inv;
            }
        }
    }
}
