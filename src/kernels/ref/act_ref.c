/* act_ref.c — the fused activations (frost__act) applied in place to a run of floats: the tail of
 * every GEMM, conv and UNARY kernel, then the clamp some carry after it (params.h). Portable C; the per-ISA kernels must match it. Never allocates
 * and never reads past n. */
/* No trapping math: lets the compiler compute both sides of `x < 0 ? a * x : x` and select, so the
 * loops vectorize instead of branching per element (a leaky ReLU tail ran at 0.6 ns per float). */
#if defined(__GNUC__) && !defined(__clang__) /* clang has no per-file optimize pragma */
#pragma GCC optimize("no-math-errno", "no-trapping-math")
#endif

#include "kernels/gemm.h"

#include <math.h>

/* Constants of SELU (Klambauer et al. 2017), the values TensorFlow and ONNX use. */
#define SELU_ALPHA 1.6732632423543772848170429916717f
#define SELU_SCALE 1.0507009873554804934193349852946f

static inline float sigmoidf(float x) {
    /* Split by sign so exp never overflows into inf/inf. */
    if (x >= 0) return 1.0f / (1.0f + expf(-x));
    float e = expf(x);
    return e / (1.0f + e);
}

static void apply_act(float *x, size_t n, const frost__act_params *act) {
    const float a = act->alpha, b = act->beta;
    switch (act->act) {
    case FROST__ACT_NONE:
    case FROST__ACT_COUNT: return;
    case FROST__ACT_RELU:
        for (size_t i = 0; i < n; i++) x[i] = x[i] > 0 ? x[i] : 0;
        return;
    case FROST__ACT_RELU6:
        for (size_t i = 0; i < n; i++) x[i] = x[i] > 0 ? (x[i] < 6 ? x[i] : 6) : 0;
        return;
    /* The clamps are written as comparisons, which vectorize (fminf/fmaxf are calls here), with
     * fminf/fmaxf's answer for NaN: the other operand. */
    case FROST__ACT_CLIP:
        for (size_t i = 0; i < n; i++) {
            const float t = x[i] > a ? x[i] : a;
            x[i] = t < b ? t : b;
        }
        return;
    case FROST__ACT_LEAKY_RELU:
        for (size_t i = 0; i < n; i++) x[i] = x[i] < 0 ? a * x[i] : x[i];
        return;
    case FROST__ACT_ELU:
        for (size_t i = 0; i < n; i++) x[i] = x[i] < 0 ? a * expm1f(x[i]) : x[i];
        return;
    case FROST__ACT_SELU:
        for (size_t i = 0; i < n; i++)
            x[i] = SELU_SCALE * (x[i] < 0 ? SELU_ALPHA * expm1f(x[i]) : x[i]);
        return;
    case FROST__ACT_SIGMOID:
        for (size_t i = 0; i < n; i++) x[i] = sigmoidf(x[i]);
        return;
    case FROST__ACT_TANH:
        for (size_t i = 0; i < n; i++) x[i] = tanhf(x[i]);
        return;
    case FROST__ACT_HARD_SIGMOID:
        for (size_t i = 0; i < n; i++) {
            float t = a * x[i] + b;
            t = t < 1.0f ? t : 1.0f;
            x[i] = t > 0.0f ? t : 0.0f;
        }
        return;
    case FROST__ACT_SOFTPLUS:
        /* log(1 + e^x) = max(x, 0) + log1p(e^-|x|): no overflow for large |x|. */
        for (size_t i = 0; i < n; i++) x[i] = fmaxf(x[i], 0.0f) + log1pf(expf(-fabsf(x[i])));
        return;
    case FROST__ACT_SOFTSIGN:
        for (size_t i = 0; i < n; i++) x[i] = x[i] / (1.0f + fabsf(x[i]));
        return;
    case FROST__ACT_SWISH:
        for (size_t i = 0; i < n; i++) x[i] = x[i] * sigmoidf(x[i]);
        return;
    case FROST__ACT_GELU:
        for (size_t i = 0; i < n; i++)
            x[i] = 0.5f * x[i] * (1.0f + erff(x[i] * 0.70710678118654752f));
        return;
    case FROST__ACT_GELU_TANH:
        for (size_t i = 0; i < n; i++) {
            float v = x[i];
            x[i] = 0.5f * v * (1.0f + tanhf(0.79788456080286536f * (v + 0.044715f * v * v * v)));
        }
        return;
    case FROST__ACT_HARD_SWISH:
        for (size_t i = 0; i < n; i++) {
            float t = x[i] + 3.0f;
            t = t > 0.0f ? t : 0.0f;
            t = t < 6.0f ? t : 6.0f;
            x[i] = x[i] * t / 6.0f;
        }
        return;
    }
}

void frost_k_f32_act__ref(float *x, size_t n, const frost__act_params *act) {
    if (!act) return;
    /* The clamp after the activation (params.h), as comparisons like CLIP's: NaN becomes lo. */
    const float lo = act->lo, hi = act->hi;
    if (act->clamp && act->act == FROST__ACT_LEAKY_RELU) { /* one pass: openWakeWord's layers */
        const float a = act->alpha;
        for (size_t i = 0; i < n; i++) {
            const float v = x[i] < 0 ? a * x[i] : x[i];
            const float t = v > lo ? v : lo;
            x[i] = t < hi ? t : hi;
        }
        return;
    }
    apply_act(x, n, act);
    if (!act->clamp) return;
    for (size_t i = 0; i < n; i++) {
        const float t = x[i] > lo ? x[i] : lo;
        x[i] = t < hi ? t : hi;
    }
}
