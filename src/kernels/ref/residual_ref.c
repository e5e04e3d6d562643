/* residual_ref.c — the residual tail y = act(y + r) and the scale-shift y = y * s + t (kernels/ref/residual_f32.inc) at the build's
 * baseline vector width; what CPUs without a wider version run. Never allocates. */
#include "kernels/eltwise.h"
#include "kernels/gemm.h"

#define RESIDUAL_NAME frost_k_f32_residual__ref
#define SCALE_SHIFT_NAME frost_k_f32_scale_shift__ref
#include "kernels/ref/residual_f32.inc"
