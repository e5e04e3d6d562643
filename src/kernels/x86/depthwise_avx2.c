/* depthwise_avx2.c — the tiled depthwise convolution (kernels/ref/depthwise_f32.inc) compiled for
 * AVX2 + FMA: 8-float channel blocks. Same results as the reference kernel up to FMA contraction.
 * Never allocates. */
#include "kernels/conv.h"
#include "kernels/gemm.h"

#define DW_NAME frost_k_f32_depthwise_tiled__avx2
#define DW_MAX_W 8
#include "kernels/ref/depthwise_f32.inc"
