/* depthwise_avx512.c — the tiled depthwise convolution (kernels/ref/depthwise_f32.inc) compiled
 * for AVX-512: 16-float channel blocks (8 and 4 for the rest). Same results as the reference
 * kernel up to FMA contraction. Never allocates. */
#include "kernels/conv.h"
#include "kernels/gemm.h"

#define DW_NAME frost_k_f32_depthwise_tiled__avx512
#define DW_MAX_W 16
#include "kernels/ref/depthwise_f32.inc"
