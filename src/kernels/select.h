/* select.h — which kernel each op family runs on this CPU: one selection per family, made from the
 * platform's CPU description (after FROST_MAX_ISA / load-option capping). Op files ask here and
 * never test instruction sets or kernel names themselves; the GEMM families have their own, larger
 * selection in kernels/gemm.h (gemm_select.c). Every choice returns a working kernel: the portable
 * one when nothing faster runs here. */
#ifndef FROST_KERNELS_SELECT_H
#define FROST_KERNELS_SELECT_H

#include "kernels/conv.h"
#include "kernels/eltwise.h"
#include "kernels/gemm.h"
#include "kernels/pool.h"
#include "kernels/softmax.h"
#include "platform/cpu.h"

typedef void (*frost__im2col_fn)(const frost__conv_geom *g, const float *x, int group,
                                 int64_t row0, int64_t rows, float *col);
typedef void (*frost__conv_narrow_fn)(const frost__conv_geom *g, const float *xpad, int64_t wp,
                                      const float *w32, const float *bias,
                                      const frost__act_params *act, float *y, int64_t oh0,
                                      int64_t oh1);
typedef void (*frost__wino_input_fn)(const frost__conv_geom *g, const float *x, int64_t t0,
                                     int64_t nt, float *V);
typedef void (*frost__wino_output_fn)(const frost__conv_geom *g, const float *M, const float *bias,
                                      const frost__act_params *act, int64_t t0, int64_t nt,
                                      float *y);

typedef void (*frost__depthwise_fn)(const frost__conv_geom *g, const float *x,
                                    const float *filter, const float *bias,
                                    const frost__act_params *act, float *y, int64_t r0, int64_t r1);

/* The convolution family. Optional paths are NULL where this CPU has no kernel for them. */
typedef struct frost__conv_kernels {
    const char *name;           /* "avx512", "avx2", "ref": for profiles                     */
    frost__im2col_fn im2col;
    frost__depthwise_fn depthwise; /* the tiled depthwise conv (always set)                   */
    /* Narrow direct conv (conv1 of a CNN: K <= 64, cout <= 32), skipping im2col. */
    frost__conv_narrow_fn narrow;
    /* Winograd F(4x4,5x5): the input and output transforms and the GEMM family for the 64
     * products, which must be the one the transforms' layout was written for. */
    frost__wino_input_fn wino_input;
    frost__wino_output_fn wino_output;
    /* Winograd F(4x4,3x3): the same for 3x3 convolutions (36 products). */
    frost__wino_input_fn wino43_input;
    frost__wino_output_fn wino43_output;
    const frost__gemm_kernel *wino_gemm;
} frost__conv_kernels;
const frost__conv_kernels *frost__conv_kernels_pick(const frost__cpu *cpu);

typedef void (*frost__pool2d_fn)(const frost__pool_geom *g, const float *x, float *y, int64_t r0,
                                 int64_t r1);
frost__pool2d_fn frost__pool2d_pick(const frost__cpu *cpu);

typedef void (*frost__softmax_fn)(const float *x, float *y, int64_t outer, int64_t len,
                                  int64_t inner, float beta, bool want_log);
frost__softmax_fn frost__softmax_pick(const frost__cpu *cpu);

frost__f32_unary_fn frost__f32_unary_pick(const frost__cpu *cpu);
frost__f32_residual_fn frost__f32_residual_pick(const frost__cpu *cpu);
frost__f32_scale_shift_fn frost__f32_scale_shift_pick(const frost__cpu *cpu);

#endif
