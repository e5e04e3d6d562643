/* norm_ref.c — portable batch norm and layer norm (see kernels/norm.h). Layer-norm statistics are
 * two-pass in double: one-pass E[x^2] - E[x]^2 cancels badly on rows with a large mean. Never
 * allocates. */
#include "kernels/norm.h"

#include <math.h>
#include <stddef.h>

void frost_k_f32_bn_fold__ref(int64_t c, const float *scale, const float *offset,
                              const float *mean, const float *var, float eps, float *mul,
                              float *add) {
    for (int64_t i = 0; i < c; i++) {
        const double m = (scale ? scale[i] : 1.0) / sqrt((double)var[i] + eps);
        mul[i] = (float)m;
        add[i] = (float)((offset ? offset[i] : 0.0) - mean[i] * m);
    }
}

void frost_k_f32_bn_apply__ref(const float *x, float *y, int64_t outer, int64_t c, int64_t inner,
                               const float *mul, const float *add) {
    if (inner == 1) {
        for (int64_t o = 0; o < outer; o++) {
            const float *xs = x + o * c;
            float *ys = y + o * c;
            for (int64_t i = 0; i < c; i++) ys[i] = xs[i] * mul[i] + add[i];
        }
        return;
    }
    for (int64_t o = 0; o < outer; o++) {
        for (int64_t i = 0; i < c; i++) {
            const float *xs = x + (o * c + i) * inner;
            float *ys = y + (o * c + i) * inner;
            const float m = mul[i], a = add[i];
            for (int64_t j = 0; j < inner; j++) ys[j] = xs[j] * m + a;
        }
    }
}

void frost_k_f32_layernorm__ref(const float *x, float *y, int64_t rows, int64_t d,
                                const float *gamma, int64_t gamma_n, const float *beta,
                                int64_t beta_n, float eps, float *mean, float *inv_std) {
    for (int64_t r = 0; r < rows; r++) {
        const float *xs = x + r * d;
        float *ys = y + r * d;
        double s = 0;
        for (int64_t i = 0; i < d; i++) s += xs[i];
        const double mu = d > 0 ? s / (double)d : 0.0;
        double v = 0;
        for (int64_t i = 0; i < d; i++) {
            const double t = xs[i] - mu;
            v += t * t;
        }
        const double var = d > 0 ? v / (double)d : 0.0;
        const float inv = (float)(1.0 / sqrt(var + eps));
        const float muf = (float)mu;
        if (mean) mean[r] = muf;
        if (inv_std) inv_std[r] = inv;
        for (int64_t i = 0; i < d; i++) {
            const float g = gamma ? gamma[gamma_n == 1 ? 0 : i] : 1.0f;
            const float b = beta ? beta[beta_n == 1 ? 0 : i] : 0.0f;
            ys[i] = (xs[i] - muf) * inv * g + b;
        }
    }
}
