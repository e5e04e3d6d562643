/* residual_avx512.c — the residual tail y = act(y + r) and the scale-shift y = y * s + t (kernels/ref/residual_f32.inc) compiled for
 * AVX512 vectors; the same bits as the portable build (no FMA in it). Never allocates. */
#include "kernels/eltwise.h"
#include "kernels/gemm.h"

#define RESIDUAL_NAME frost_k_f32_residual__avx512
#define SCALE_SHIFT_NAME frost_k_f32_scale_shift__avx512
#include "kernels/ref/residual_f32.inc"
