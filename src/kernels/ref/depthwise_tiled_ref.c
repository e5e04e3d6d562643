/* depthwise_tiled_ref.c — the tiled depthwise convolution (kernels/ref/depthwise_f32.inc) at the
 * baseline vector width of the build (4-float blocks: SSE2 on x86-64, NEON on arm64). It is what
 * every CPU without a wider version runs; frost_k_f32_depthwise__ref (conv_ref.c) stays the
 * simple oracle the tests compare it against. Never allocates. */
#include "kernels/conv.h"
#include "kernels/gemm.h"

#define DW_NAME frost_k_f32_depthwise_tiled__ref
#define DW_MAX_W 4
#include "kernels/ref/depthwise_f32.inc"
