/* softmax_avx512.c — softmax / log-softmax of contiguous rows (inner == 1, beta >= 0: the last-axis
 * softmax every classifier ends with) on AVX-512, other layouts handed to the ref kernel.
 *
 * A row is read three times (max, exp and sum, scale), 16 floats per step with a masked tail, and
 * exp is computed in-line (range reduction by ln 2, a degree-6 polynomial, vscalefps for 2^n:
 * ~2 ulp, underflow to 0 and NaN propagation handled by the instructions themselves) — no libm call
 * per element, and no lazily bound libm symbol for a model's first call to resolve (~20 us).
 * Sums are fp32 (the ref kernel's are double): results agree to ~1e-6 relative for rows of up to
 * a few thousand.
 *
 * Must never allocate or run without AVX-512 F (softmax.c picks it from the CPU probe).
 * Compiled with -mavx512*. */
#include "kernels/softmax.h"

#include <immintrin.h>
#include <math.h>

static inline __mmask16 lanes(int64_t n) {
    return n >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << n) - 1);
}

/* e^x for every lane; x = NaN gives NaN, x <= -104 gives 0, x >= 88.8 gives +inf. */
static inline __m512 exp16(__m512 x) {
    /* max/min with the bound first keep a NaN x (they return their second operand on NaN). */
    x = _mm512_min_ps(_mm512_set1_ps(88.8f), _mm512_max_ps(_mm512_set1_ps(-104.0f), x));
    const __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.44269504088896341f)),
                                          _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693359375f), x);
    r = _mm512_fnmadd_ps(n, _mm512_set1_ps(-2.12194440e-4f), r);
    __m512 p = _mm512_set1_ps(1.0f / 720);
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 120));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 24));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 6));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(0.5f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
    return _mm512_scalef_ps(p, n);
}

/* A row that fits one vector (classifier heads: 10, 1000 classes is not one): loaded once and
 * stored once, so there is no store-to-load round trip through y (it cost ~15% of the Fashion
 * beginner's call). */
static void short_row(const float *x, float *y, int64_t len, float beta, bool want_log) {
    const __mmask16 k = lanes(len);
    const __m512 v = _mm512_maskz_loadu_ps(k, x);
    float m = _mm512_mask_reduce_max_ps(k, v);
    if (!isfinite(m)) m = 0.0f;
    const __m512 t = _mm512_mul_ps(_mm512_set1_ps(beta), _mm512_sub_ps(v, _mm512_set1_ps(m)));
    const __m512 e = exp16(t);
    const float s = _mm512_mask_reduce_add_ps(k, e);
    if (want_log)
        _mm512_mask_storeu_ps(y, k, _mm512_sub_ps(t, _mm512_set1_ps(logf(s))));
    else
        _mm512_mask_storeu_ps(y, k, _mm512_mul_ps(e, _mm512_set1_ps(1.0f / s)));
}

static void row(const float *x, float *y, int64_t len, float beta, bool want_log) {
    if (len <= 16) {
        short_row(x, y, len, beta, want_log);
        return;
    }
    __m512 mx = _mm512_set1_ps(-INFINITY);
    for (int64_t i = 0; i < len; i += 16) {
        const __mmask16 m = lanes(len - i);
        /* NaN lanes: max keeps the running max, as the ref's `x > m ? x : m` does. */
        mx = _mm512_mask_max_ps(mx, m, _mm512_maskz_loadu_ps(m, x + i), mx);
    }
    float m = _mm512_reduce_max_ps(mx);
    if (!isfinite(m)) m = 0.0f; /* all -inf: let the NaNs/infs show, never inf - inf */
    const __m512 vm = _mm512_set1_ps(m), vb = _mm512_set1_ps(beta);
    __m512 sum = _mm512_setzero_ps();
    for (int64_t i = 0; i < len; i += 16) {
        const __mmask16 k = lanes(len - i);
        const __m512 e = exp16(_mm512_mul_ps(vb, _mm512_sub_ps(_mm512_maskz_loadu_ps(k, x + i), vm)));
        sum = _mm512_mask_add_ps(sum, k, sum, e);
        if (!want_log) _mm512_mask_storeu_ps(y + i, k, e);
    }
    const float s = _mm512_reduce_add_ps(sum);
    if (want_log) {
        const __m512 lse = _mm512_set1_ps(logf(s));
        for (int64_t i = 0; i < len; i += 16) {
            const __mmask16 k = lanes(len - i);
            const __m512 t = _mm512_mul_ps(vb, _mm512_sub_ps(_mm512_maskz_loadu_ps(k, x + i), vm));
            _mm512_mask_storeu_ps(y + i, k, _mm512_sub_ps(t, lse));
        }
        return;
    }
    const __m512 inv = _mm512_set1_ps(1.0f / s);
    for (int64_t i = 0; i < len; i += 16) {
        const __mmask16 k = lanes(len - i);
        _mm512_mask_storeu_ps(y + i, k, _mm512_mul_ps(_mm512_maskz_loadu_ps(k, y + i), inv));
    }
}

void frost_k_f32_softmax__avx512(const float *x, float *y, int64_t outer, int64_t len, int64_t inner,
                                 float beta, bool want_log) {
    if (inner != 1 || !(beta >= 0)) {
        frost_k_f32_softmax__ref(x, y, outer, len, inner, beta, want_log);
        return;
    }
    for (int64_t o = 0; o < outer; o++) row(x + o * len, y + o * len, len, beta, want_log);
}
