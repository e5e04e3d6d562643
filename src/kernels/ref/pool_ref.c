/* pool_ref.c — portable max / average pooling on NHWC (see kernels/pool.h). Channels are
 * innermost, so each window tap is a contiguous vector operation. Never allocates; never reads a
 * padding tap. */
#include "kernels/pool.h"

#include <math.h>
#include <string.h>

void frost_k_f32_pool2d__ref(const frost__pool_geom *g, const float *x, float *y, int64_t r0,
                             int64_t r1) {
    const int64_t C = g->c;
    for (int64_t r = r0; r < r1; r++) {
        const int64_t n = r / g->out_h, oh = r % g->out_h;
        const float *img = x + n * g->in_h * g->in_w * C;
        for (int64_t ow = 0; ow < g->out_w; ow++) {
            float *out = y + ((n * g->out_h + oh) * g->out_w + ow) * C;
            if (g->is_max) {
                for (int64_t c = 0; c < C; c++) out[c] = -INFINITY;
            } else {
                memset(out, 0, (size_t)C * sizeof *out);
            }
            int64_t inside = 0, padded = 0;
            for (int kh = 0; kh < g->k_h; kh++) {
                const int64_t ih = oh * g->stride_h - g->pad_top + (int64_t)kh * g->dil_h;
                const bool row_in = ih >= 0 && ih < g->in_h;
                const bool row_pad = ih >= -g->pad_top && ih < g->in_h + g->pad_bottom;
                for (int kw = 0; kw < g->k_w; kw++) {
                    const int64_t iw = ow * g->stride_w - g->pad_left + (int64_t)kw * g->dil_w;
                    const bool col_in = iw >= 0 && iw < g->in_w;
                    if (row_pad && iw >= -g->pad_left && iw < g->in_w + g->pad_right) padded++;
                    if (!row_in || !col_in) continue;
                    inside++;
                    const float *xp = img + (ih * g->in_w + iw) * C;
                    if (g->is_max) {
                        for (int64_t c = 0; c < C; c++) out[c] = xp[c] > out[c] ? xp[c] : out[c];
                    } else {
                        for (int64_t c = 0; c < C; c++) out[c] += xp[c];
                    }
                }
            }
            if (!g->is_max) {
                const int64_t div = g->count_include_pad ? padded : inside;
                if (div > 0) {
                    const float inv = 1.0f / (float)div;
                    for (int64_t c = 0; c < C; c++) out[c] *= inv;
                }
            }
        }
    }
}
