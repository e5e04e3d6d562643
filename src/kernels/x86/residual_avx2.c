/* residual_avx2.c — the residual tail y = act(y + r) and the scale-shift y = y * s + t (kernels/ref/residual_f32.inc) compiled for
 * AVX2 vectors; the same bits as the portable build (no FMA in it). Never allocates. */
#include "kernels/eltwise.h"
#include "kernels/gemm.h"

#define RESIDUAL_NAME frost_k_f32_residual__avx2
#define SCALE_SHIFT_NAME frost_k_f32_scale_shift__avx2
#include "kernels/ref/residual_f32.inc"
