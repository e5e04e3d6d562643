/* test_softmax_isa.c — the AVX-512 softmax / log-softmax against a naive double-precision version
 * written here: row lengths around the 16-lane vector (1..33, 100, 1000, 4099), several rows, beta
 * 1 and 0.5, rows with very negative logits (exp underflows to 0), -inf entries, NaN entries
 * (propagate), all -inf rows (the ref's convention: NaN), in place and not, and a strided layout
 * (inner > 1) that must fall back to the ref kernel. Skipped without AVX-512. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/softmax.h"
#include "ops/op.h"
#include "test.h"

static void naive(const float *x, double *y, int64_t len, double beta, bool want_log) {
    double m = -INFINITY;
    for (int64_t i = 0; i < len; i++)
        if (x[i] > m) m = x[i];
    if (!isfinite(m)) m = 0;
    double s = 0;
    for (int64_t i = 0; i < len; i++) s += exp(beta * (x[i] - m));
    for (int64_t i = 0; i < len; i++)
        y[i] = want_log ? beta * (x[i] - m) - log(s) : exp(beta * (x[i] - m)) / s;
}

static bool same(float got, double want) {
    if (isnan(want)) return isnan(got);
    if (isinf(want)) return got == want;
    return fabs(got - want) <= 2e-6 * fabs(want) + 1e-7;
}

int main(void) {
    frost_test_seed(3);
    if (!frost__cpu_get()->avx512f) frost_test_skip("no AVX-512 on this CPU (or FROST_MAX_ISA caps it)");
    static const int lens[] = {1, 2, 7, 15, 16, 17, 31, 32, 33, 100, 1000, 4099};
    for (size_t li = 0; li < FROST_ARRAY_LEN(lens); li++)
        for (int variant = 0; variant < 5; variant++)
            for (int want_log = 0; want_log <= 1; want_log++) {
                const int64_t len = lens[li], rows = 3;
                const float beta = variant == 1 ? 0.5f : 1.0f;
                float *x = malloc(sizeof(float) * (size_t)(len * rows));
                float *y = malloc(sizeof(float) * (size_t)(len * rows));
                double *want = malloc(sizeof(double) * (size_t)len);
                frost_test_fill(x, (size_t)(len * rows), -8, 8);
                if (variant == 2) x[len / 2] = -INFINITY, x[len + len / 3] = -200.0f;
                if (variant == 3) x[len - 1] = NAN;
                if (variant == 4)
                    for (int64_t i = 0; i < len; i++) x[i] = -INFINITY;
                const bool in_place = variant == 1;
                if (in_place) memcpy(y, x, sizeof(float) * (size_t)(len * rows));
                frost_k_f32_softmax__avx512(in_place ? y : x, y, rows, len, 1, beta, want_log);
                for (int64_t r = 0; r < rows; r++) {
                    naive(x + r * len, want, len, beta, want_log);
                    for (int64_t i = 0; i < len; i++)
                        if (!CHECK_MSG(same(y[r * len + i], want[i]),
                                       "len %lld variant %d log %d row %lld [%lld]: %.9g, want %.9g",
                                       (long long)len, variant, want_log, (long long)r, (long long)i,
                                       y[r * len + i], want[i]))
                            break;
                }
                free(x), free(y), free(want);
            }
    /* inner > 1: the ref kernel's result, exactly. */
    float x[2 * 5 * 3], a[2 * 5 * 3], b[2 * 5 * 3];
    frost_test_fill(x, FROST_ARRAY_LEN(x), -3, 3);
    frost_k_f32_softmax__avx512(x, a, 2, 5, 3, 1.0f, false);
    frost_k_f32_softmax__ref(x, b, 2, 5, 3, 1.0f, false);
    CHECK(memcmp(a, b, sizeof a) == 0);
    return frost_test_finish();
}
