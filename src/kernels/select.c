/* select.c — kernel selection for the convolution, pooling, softmax and elementwise families
 * (select.h). The only place outside gemm_select.c that names an instruction set. */
#include "kernels/select.h"

#include "kernels/winograd.h"

#if defined(__x86_64__)
#define FROST_HAVE_X86_KERNELS 1
#else
#define FROST_HAVE_X86_KERNELS 0
#endif

static bool avx512(const frost__cpu *cpu) {
    return FROST_HAVE_X86_KERNELS && cpu && cpu->max_isa >= FROST__ISA_AVX512 && cpu->avx512f;
}
static bool avx2(const frost__cpu *cpu) {
    return FROST_HAVE_X86_KERNELS && cpu && cpu->max_isa >= FROST__ISA_AVX2 && cpu->avx2_fma;
}

#if FROST_HAVE_X86_KERNELS
extern const frost__gemm_kernel frost__gemm_avx512;
#endif

const frost__conv_kernels *frost__conv_kernels_pick(const frost__cpu *cpu) {
    static const frost__conv_kernels portable = {
        .name = "ref", .im2col = frost_k_f32_im2col__ref,
        .depthwise = frost_k_f32_depthwise_tiled__ref,
    };
#if FROST_HAVE_X86_KERNELS
    static const frost__conv_kernels mid = {
        .name = "avx2", .im2col = frost_k_f32_im2col__ref,
        .depthwise = frost_k_f32_depthwise_tiled__avx2,
    };
    static const frost__conv_kernels wide = {
        .name = "avx512",
        .im2col = frost_k_f32_im2col__avx512,
        .depthwise = frost_k_f32_depthwise_tiled__avx512,
        .narrow = frost_k_f32_conv_narrow__avx512,
        .wino_input = frost_k_wino45_input__avx512,
        .wino_output = frost_k_wino45_output__avx512,
        .wino43_input = frost_k_wino43_input__avx512,
        .wino43_output = frost_k_wino43_output__avx512,
        .wino_gemm = &frost__gemm_avx512,
    };
    if (avx512(cpu)) return &wide;
    if (avx2(cpu)) return &mid;
#endif
    return &portable;
}

frost__pool2d_fn frost__pool2d_pick(const frost__cpu *cpu) {
#if FROST_HAVE_X86_KERNELS
    if (avx512(cpu)) return frost_k_f32_pool2d__avx512;
#endif
    (void)avx2;
    return frost_k_f32_pool2d__ref;
}

frost__softmax_fn frost__softmax_pick(const frost__cpu *cpu) {
#if FROST_HAVE_X86_KERNELS
    if (avx512(cpu)) return frost_k_f32_softmax__avx512;
#endif
    return frost_k_f32_softmax__ref;
}

frost__f32_unary_fn frost__f32_unary_pick(const frost__cpu *cpu) {
#if FROST_HAVE_X86_KERNELS
    if (avx512(cpu)) return frost_k_f32_unary__avx512;
    if (avx2(cpu)) return frost_k_f32_unary__avx2;
#endif
    return frost_k_f32_unary__ref;
}

frost__f32_residual_fn frost__f32_residual_pick(const frost__cpu *cpu) {
#if FROST_HAVE_X86_KERNELS
    if (avx512(cpu)) return frost_k_f32_residual__avx512;
    if (avx2(cpu)) return frost_k_f32_residual__avx2;
#endif
    return frost_k_f32_residual__ref;
}

frost__f32_scale_shift_fn frost__f32_scale_shift_pick(const frost__cpu *cpu) {
#if FROST_HAVE_X86_KERNELS
    if (avx512(cpu)) return frost_k_f32_scale_shift__avx512;
    if (avx2(cpu)) return frost_k_f32_scale_shift__avx2;
#endif
    return frost_k_f32_scale_shift__ref;
}
