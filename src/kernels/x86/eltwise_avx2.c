/* eltwise_avx2.c — the f32 unary loops (activations, exp-based functions) compiled for
 * AVX2 by including the shared source; chosen at prepare time when the CPU has it. Same
 * results as the ref kernel up to FMA contraction. Never allocates. */
#if defined(__GNUC__) && !defined(__clang__) /* clang has no per-file optimize pragma */
#pragma GCC optimize("no-math-errno", "no-trapping-math")
#endif

#include "kernels/eltwise.h"

#include <math.h>

#include "core/params.h"

#define FROST_F32_UNARY_NAME frost_k_f32_unary__avx2
#include "kernels/ref/eltwise_unary_f32.inc"
