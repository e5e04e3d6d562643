/* norm.h — inference-time normalizations: batch norm (a per-channel affine map once the statistics
 * are folded) and layer norm (statistics per row). Never allocate. */
#ifndef FROST_KERNELS_NORM_H
#define FROST_KERNELS_NORM_H

#include <stdint.h>

/* Folds batch-norm statistics into y = x * mul[c] + add[c]:
 * mul = scale / sqrt(var + eps), add = offset - mean * mul. scale/offset may be NULL (1 / 0). */
void frost_k_f32_bn_fold__ref(int64_t c, const float *scale, const float *offset, const float *mean,
                              const float *var, float eps, float *mul, float *add);

/* x viewed as [outer, c, inner]: y = x * mul[ch] + add[ch]. In place is allowed. */
void frost_k_f32_bn_apply__ref(const float *x, float *y, int64_t outer, int64_t c, int64_t inner,
                               const float *mul, const float *add);

/* x viewed as [rows, d]: each row normalized to zero mean and unit variance (population variance,
 * eps added), then y = n * gamma + beta. gamma/beta hold d values, or 1 value broadcast, or are
 * NULL (1 / 0): gamma_n / beta_n give their counts. mean / inv_std (rows values each) may be NULL;
 * when given they receive the row statistics (ONNX LayerNormalization's extra outputs). */
void frost_k_f32_layernorm__ref(const float *x, float *y, int64_t rows, int64_t d,
                                const float *gamma, int64_t gamma_n, const float *beta,
                                int64_t beta_n, float eps, float *mean, float *inv_std);

#endif
