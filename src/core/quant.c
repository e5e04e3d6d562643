/* quant.c — TFLite's QuantizeMultiplier (core/quant.h): a positive real factor as a Q31 multiplier
 * and a power-of-two shift, computed once at import so kernels only do integer arithmetic. */
#include "core/quant.h"

#include <math.h>

void frost__q_quantize_multiplier(double real, int32_t *multiplier, int *shift) {
    if (!(real > 0) || !isfinite(real)) {
        *multiplier = 0;
        *shift = 0;
        return;
    }
    int e;
    const double q = frexp(real, &e);
    int64_t fixed = (int64_t)round(q * (double)(1ll << 31));
    if (fixed == (1ll << 31)) {
        fixed /= 2;
        e++;
    }
    if (e < -31) {
        e = 0;
        fixed = 0;
    }
    *multiplier = (int32_t)fixed;
    *shift = e;
}
