/* softmax.h — softmax and log-softmax along one axis of a tensor viewed as [outer, len, inner].
 * Never allocates. */
#ifndef FROST_KERNELS_SOFTMAX_H
#define FROST_KERNELS_SOFTMAX_H

#include <stdbool.h>
#include <stdint.h>

/* y = softmax(beta * x) (or its log) along the middle axis, for `outer` slices of len*inner
 * elements starting at x / y. In place (x == y) is allowed. */
void frost_k_f32_softmax__ref(const float *x, float *y, int64_t outer, int64_t len, int64_t inner,
                              float beta, bool want_log);
/* The same on AVX-512 (x86 CPUs with AVX-512 F only) for contiguous rows (inner == 1, beta >= 0),
 * with fp32 sums and an in-line exp (~1e-6 relative to the ref); other layouts go to the ref. */
void frost_k_f32_softmax__avx512(const float *x, float *y, int64_t outer, int64_t len, int64_t inner,
                                 float beta, bool want_log);

#endif
