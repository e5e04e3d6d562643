/* eltwise.h — elementwise kernels: unary functions, binary functions with broadcasting, casts,
 * select and sums. The op layer (src/ops/eltwise.c) plans broadcasting once (collapsed dims and
 * strides) and calls these loops, which never allocate and never fail on data: integer division by
 * zero gives 0 and float-to-int casts saturate (NaN -> 0), so bad values never trap. */
#ifndef FROST_KERNELS_ELTWISE_H
#define FROST_KERNELS_ELTWISE_H

#include "core/common.h"
#include "core/params.h"

/* y[i] = fn(x[i]) for the f32 unary functions of params.h (activations included; alpha/beta as
 * documented there). ISNAN/ISINF/NOT are not f32 -> f32 and are handled by frost_k_unary__ref.
 * x and y may be the same pointer. */
void frost_k_f32_unary__ref(int fn, const float *x, float *y, int64_t n, float alpha, float beta);
/* The same loops compiled for wider vectors (x86 only; src/kernels/x86/). */
void frost_k_f32_unary__avx2(int fn, const float *x, float *y, int64_t n, float alpha, float beta);
void frost_k_f32_unary__avx512(int fn, const float *x, float *y, int64_t n, float alpha, float beta);
typedef void (*frost__f32_unary_fn)(int fn, const float *x, float *y, int64_t n, float alpha,
                                    float beta);
/* (frost__f32_unary_pick in kernels/select.h chooses among them.) */

/* The residual tail of a fused conv: y[i] = act(y[i] + r[i]) for n floats (act NULL: no
 * activation). One loop per build width (kernels/ref/residual_f32.inc); all give the same bits. */
void frost_k_f32_residual__ref(float *y, const float *r, int64_t n, const frost__act_params *act);
void frost_k_f32_residual__avx2(float *y, const float *r, int64_t n, const frost__act_params *act);
void frost_k_f32_residual__avx512(float *y, const float *r, int64_t n, const frost__act_params *act);
typedef void (*frost__f32_residual_fn)(float *y, const float *r, int64_t n,
                                       const frost__act_params *act);
/* y[i] = y[i] * s + t for n floats (a scale and shift after an activation); the wider builds may
 * use FMA. */
void frost_k_f32_scale_shift__ref(float *y, int64_t n, float s, float t);
void frost_k_f32_scale_shift__avx2(float *y, int64_t n, float s, float t);
void frost_k_f32_scale_shift__avx512(float *y, int64_t n, float s, float t);
typedef void (*frost__f32_scale_shift_fn)(float *y, int64_t n, float s, float t);
/* (frost__f32_residual_pick and frost__f32_scale_shift_pick in kernels/select.h choose.) */

/* Unary over any supported dtype: `in` is x's dtype, `out` the output dtype (BOOL for
 * ISNAN/ISINF, x's dtype otherwise). Returns false when the (fn, dtype) pair is unsupported. */
bool frost_k_unary_supported(int fn, frost_dtype in);
void frost_k_unary__ref(int fn, frost_dtype in, const void *x, void *y, int64_t n, float alpha,
                        float beta);

/* The output dtype of binary `fn` on inputs of dtype `in`, or INVALID when unsupported. */
frost_dtype frost_k_binary_out_dtype(int fn, frost_dtype in);

/* An inner binary loop: out[i] = fn(a[i*sa], b[i*sb]) with sa, sb in {0, 1} (0: broadcast one
 * element across the row). */
typedef void (*frost__binary_loop)(const void *a, const void *b, void *out, int64_t n, int sa,
                                   int sb);
frost__binary_loop frost_k_binary_loop(int fn, frost_dtype in);
/* The f32 POW loop for an exponent known to be 2: x * x (the same bits as powf). */
frost__binary_loop frost_k_f32_pow2_loop(void);

/* Broadcast plan of a binary op: dims collapsed so that the innermost dim is a contiguous row. */
typedef struct frost__bcast {
    int rank;                     /* >= 1 after collapsing                                     */
    int64_t dims[FROST_MAX_RANK];
    int64_t sa[FROST_MAX_RANK];   /* element strides of a and b per dim (0 where broadcast)    */
    int64_t sb[FROST_MAX_RANK];
    int64_t numel;
} frost__bcast;

/* Plans out = a (op) b for known shapes; false if they do not broadcast to `out`. */
bool frost__bcast_plan(const frost__shape *a, const frost__shape *b, const frost__shape *out,
                       frost__bcast *plan);
/* Runs rows [row0, row1) of the plan (a row is the innermost dim), element sizes ea/eb/eo. */
void frost_k_binary_rows__ref(const frost__bcast *p, frost__binary_loop loop, const void *a,
                              size_t ea, const void *b, size_t eb, void *out, size_t eo,
                              int64_t row0, int64_t row1);

/* Short rows against one broadcast vector ([..., C] op [C] with small C): the vector is tiled
 * into a stack buffer of whole rows so each loop call covers many rows. Rows [row0, row1) of
 * length `inner`; `vec_is_b` says which operand is the vector (the other is contiguous). */
void frost_k_binary_short_rows__ref(frost__binary_loop loop, const void *a, size_t ea, const void *b,
                                    size_t eb, void *out, size_t eo, int64_t inner, bool vec_is_b,
                                    int64_t row0, int64_t row1);
#define FROST_SHORT_ROW_MAX 64

/* Converts n elements of dtype `from` to dtype `to` (saturating float -> int, NaN -> 0, nonzero
 * -> true for BOOL). Returns false when a dtype is not numeric. */
bool frost_k_cast__ref(frost_dtype from, const void *x, frost_dtype to, void *y, int64_t n);

/* out[i] = cond[c_i] ? a[a_i] : b[b_i] with per-input element strides over a collapsed out shape
 * (rank <= FROST_MAX_RANK), element size `es`. */
void frost_k_select__ref(int rank, const int64_t *dims, const uint8_t *cond, const int64_t *sc,
                         const void *a, const int64_t *sa, const void *b, const int64_t *sb,
                         void *out, size_t es);

#endif /* FROST_KERNELS_ELTWISE_H */
