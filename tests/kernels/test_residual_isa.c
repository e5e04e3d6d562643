/* test_residual_isa.c — the residual tail of fused convs, y = act(y + r) (kernels/eltwise.h), in
 * every build this CPU runs (portable, AVX2, AVX-512) against a plain loop written here: lengths
 * around every vector width (0 to 70, and a long one), every activation (the four applied in the
 * add loop and the rest through the portable activation pass), no activation at all (NULL),
 * inputs with exact zeros, negatives, values past 6, infinities and NaN. No FMA is involved, so
 * the results must be the same bits as the reference (NaN where it gives NaN). Also the scale and
 * shift after an activation, y = y * s + t, within FMA contraction of the plain loop. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/eltwise.h"
#include "kernels/gemm.h"
#include "platform/cpu.h"
#include "test.h"

typedef void (*residual_fn)(float *, const float *, int64_t, const frost__act_params *);

/* The oracle: the add, then the activation, one float at a time. */
static float act_only(float v, const frost__act_params *act);

/* The add, the activation, then the clamp some carry after it (params.h). */
static float oracle(float y, float r, const frost__act_params *act) {
    float v = y + r;
    if (!act) return v;
    v = act_only(v, act);
    if (act->clamp) {
        v = v > act->lo ? v : act->lo;
        v = v < act->hi ? v : act->hi;
    }
    return v;
}

static float act_only(float v, const frost__act_params *act) {
    frost__act_params plain = *act;
    plain.clamp = false;
    switch (act->act) {
    case FROST__ACT_NONE: return v;
    case FROST__ACT_RELU: return v > 0.0f ? v : 0.0f;
    case FROST__ACT_RELU6: v = v > 0.0f ? v : 0.0f; return v < 6.0f ? v : 6.0f;
    case FROST__ACT_CLIP: v = v > act->alpha ? v : act->alpha; return v < act->beta ? v : act->beta;
    case FROST__ACT_LEAKY_RELU: return v < 0.0f ? act->alpha * v : v;
    default: frost_k_f32_act__ref(&v, 1, &plain); return v;
    }
}

static int run_cases(const char *isa, residual_fn fn) {
    static const frost__act acts[] = {FROST__ACT_NONE, FROST__ACT_RELU, FROST__ACT_RELU6,
                                      FROST__ACT_CLIP, FROST__ACT_LEAKY_RELU, FROST__ACT_SIGMOID,
                                      FROST__ACT_HARD_SWISH, FROST__ACT_TANH};
    int cases = 0;
    for (int64_t n = 0; n <= 71; n++)
        for (size_t ai = 0; ai <= FROST_ARRAY_LEN(acts); ai++) {
            const int64_t len = n == 71 ? 4099 : n;
            const frost__act_params act = {ai < FROST_ARRAY_LEN(acts) ? acts[ai] : FROST__ACT_NONE,
                                           acts[ai % FROST_ARRAY_LEN(acts)] == FROST__ACT_CLIP ? -0.5f : 0.1f,
                                           0.7f, n % 3 == 1 && ai > 0 && ai < FROST_ARRAY_LEN(acts),
                                           -0.4f, 5.0f}; /* a clamp after (params.h) */
            const frost__act_params *a = ai < FROST_ARRAY_LEN(acts) ? &act : NULL;
            float *y = malloc((size_t)(len + 1) * sizeof *y), *r = malloc((size_t)(len + 1) * sizeof *r);
            float *want = malloc((size_t)(len + 1) * sizeof *want);
            frost_test_fill(y, (size_t)len + 1, -8, 8);
            frost_test_fill(r, (size_t)len + 1, -8, 8);
            for (int64_t i = 0; i < len; i += 7) r[i] = -y[i]; /* exact zeros */
            if (len > 5) y[3] = INFINITY, y[5] = NAN, r[4] = -INFINITY;
            const float sentinel = y[len];
            for (int64_t i = 0; i < len; i++) want[i] = oracle(y[i], r[i], a);
            fn(y, r, len, a);
            int64_t bad = -1;
            for (int64_t i = 0; i < len && bad < 0; i++)
                if (!(isnan(want[i]) ? isnan(y[i]) : memcmp(&y[i], &want[i], sizeof y[i]) == 0))
                    bad = i;
            CHECK_MSG(bad < 0, "%s: n %lld act %d: [%lld] %g vs %g", isa, (long long)len,
                      a ? (int)a->act : -1, (long long)bad, bad >= 0 ? y[bad] : 0.0,
                      bad >= 0 ? want[bad] : 0.0);
            CHECK_MSG(memcmp(&y[len], &sentinel, sizeof sentinel) == 0, "%s: n %lld wrote past the end",
                      isa, (long long)len);
            cases++;
            free(y), free(r), free(want);
        }
    return cases;
}

typedef void (*scale_shift_fn)(float *, int64_t, float, float);

static int run_scale_shift(const char *isa, scale_shift_fn fn) {
    int cases = 0;
    for (int64_t n = 0; n <= 71; n++) {
        const int64_t len = n == 71 ? 4099 : n;
        float *y = malloc((size_t)(len + 1) * sizeof *y), *want = malloc((size_t)(len + 1) * sizeof *want);
        frost_test_fill(y, (size_t)len + 1, -8, 8);
        const float s = n % 3 ? 0.75f : -1.5f, t = n % 2 ? 0.25f : -3.0f, sentinel = y[len];
        for (int64_t i = 0; i < len; i++) want[i] = y[i] * s + t;
        fn(y, len, s, t);
        int64_t bad = -1;
        for (int64_t i = 0; i < len && bad < 0; i++)
            if (!(fabsf(y[i] - want[i]) <= 1e-6f * (1.0f + fabsf(want[i])))) bad = i;
        CHECK_MSG(bad < 0, "%s scale-shift: n %lld: [%lld] %g vs %g", isa, (long long)len,
                  (long long)bad, bad >= 0 ? y[bad] : 0.0, bad >= 0 ? want[bad] : 0.0);
        CHECK_MSG(memcmp(&y[len], &sentinel, sizeof sentinel) == 0,
                  "%s scale-shift: n %lld wrote past the end", isa, (long long)len);
        cases++;
        free(y), free(want);
    }
    return cases;
}

int main(void) {
    frost_test_seed(37);
    const frost__cpu *cpu = frost__cpu_get();
    int cases = run_cases("portable", frost_k_f32_residual__ref);
    int ss = run_scale_shift("portable", frost_k_f32_scale_shift__ref);
#if defined(__x86_64__)
    if (cpu->max_isa >= FROST__ISA_AVX2 && cpu->avx2_fma) {
        cases += run_cases("avx2", frost_k_f32_residual__avx2);
        ss += run_scale_shift("avx2", frost_k_f32_scale_shift__avx2);
    }
    if (cpu->max_isa >= FROST__ISA_AVX512 && cpu->avx512f) {
        cases += run_cases("avx512", frost_k_f32_residual__avx512);
        ss += run_scale_shift("avx512", frost_k_f32_scale_shift__avx512);
    }
#endif
    (void)cpu;
    CHECK(cases >= 72 * 9);
    CHECK(ss >= 72);
    return frost_test_finish();
}
