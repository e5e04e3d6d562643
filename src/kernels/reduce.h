/* reduce.h — reductions over any set of axes (Sum, Mean, Max, ..., ReduceLogSumExp) and
 * ArgMax/ArgMin. The reduced axes are described by a frost__reduce_plan computed once at plan time;
 * the kernels never allocate. */
#ifndef FROST_KERNELS_REDUCE_H
#define FROST_KERNELS_REDUCE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/common.h"

/* The input shape with size-1 axes dropped and neighbouring axes of the same kind (reduced or kept)
 * merged, so e.g. a Mean over H and W of NHWC becomes [N kept, H*W reduced, C kept]. */
typedef struct frost__reduce_plan {
    int rank;                          /* >= 1                                             */
    int64_t dims[FROST_MAX_RANK];
    bool reduced[FROST_MAX_RANK];
    int64_t n_in, n_out, n_red;        /* elements in, out, and folded into each output    */
} frost__reduce_plan;

/* Builds the plan for a known shape and a per-axis mask. Returns false on a bad shape. */
bool frost__reduce_plan_make(const frost__shape *in, const bool *reduce_axis,
                             frost__reduce_plan *p);

/* True when the kernels below implement fn (frost__reduce_fn) for dtype t:
 * f32, f64: every fn but ANY/ALL; i32/i64: SUM, MEAN (truncating), MAX, MIN, PROD; bool: ANY, ALL. */
bool frost__reduce_supported(int fn, frost_dtype t);

/* y[n_out] = reduction of x. tmp: n_out elements of scratch, needed by LOG_SUM_EXP only. */
void frost_k_f32_reduce__ref(const frost__reduce_plan *p, int fn, const float *x, float *y,
                             float *tmp);
void frost_k_f64_reduce__ref(const frost__reduce_plan *p, int fn, const double *x, double *y,
                             double *tmp);
/* Integer arithmetic wraps around on overflow (two's complement), as TensorFlow's does. */
void frost_k_i32_reduce__ref(const frost__reduce_plan *p, int fn, const int32_t *x, int32_t *y);
void frost_k_i64_reduce__ref(const frost__reduce_plan *p, int fn, const int64_t *x, int64_t *y);
void frost_k_bool_reduce__ref(const frost__reduce_plan *p, int fn, const uint8_t *x, uint8_t *y);

/* ArgMax / ArgMin of x viewed as [outer, len, inner] along the middle axis, into y [outer, inner]
 * of dtype yt (I32 or I64). x: f32, f64 or any integer dtype. Ties take the first index, or the
 * last with select_last. len == 0 yields 0. */
void frost_k_argminmax__ref(frost_dtype xt, const void *x, frost_dtype yt, void *y, int64_t outer,
                            int64_t len, int64_t inner, bool is_max, bool select_last);

#endif
