/* resize.c — RESIZE: NHWC spatial resizing, nearest or bilinear, with the coordinate transforms of
 * ONNX Resize (which also cover TF's align_corners / half_pixel_centers variants, see params.h).
 *
 * The output size comes from the `size` operand ([out_h, out_w]), which must be known when
 * planning. run precomputes the horizontal source taps into the step's workspace (never
 * allocating) and then walks rows; source coordinates are clamped so no read leaves the input. */
#include "ops/op.h"

#include <math.h>

enum { COORD_ASYMMETRIC, COORD_HALF_PIXEL, COORD_ALIGN_CORNERS, COORD_PYTORCH_HALF_PIXEL,
       COORD_TF_HALF_PIXEL_NN };
enum { NEAREST_ROUND_PREFER_FLOOR, NEAREST_ROUND_PREFER_CEIL, NEAREST_FLOOR, NEAREST_CEIL };

static frost_status resize_infer(frost__infer_ctx *c) {
    const frost__node *n = c->node;
    const frost__shape *x = &c->in_shape[0];
    c->out_dtype[0] = c->in_dtype[0];
    if (n->p.resize.mode < 0 || n->p.resize.mode > 1 || n->p.resize.coord < 0 ||
        n->p.resize.coord > 4 || n->p.resize.nearest_mode < 0 || n->p.resize.nearest_mode > 3)
        return frost__op_fail(n, c->err, FROST_E_UNSUPPORTED, "resize mode %d/%d/%d",
                              n->p.resize.mode, n->p.resize.coord, n->p.resize.nearest_mode);
    if (x->rank >= 0 && x->rank != 4)
        return frost__op_fail(n, c->err, FROST_E_SHAPE, "Resize needs NHWC input, rank is %d",
                              x->rank);
    if (n->n_in < 2 || n->in[1] < 0)
        return frost__op_fail(n, c->err, FROST_E_SHAPE, "Resize needs a size operand");
    int64_t size[2];
    int ns = frost__read_int_operand(c->in_dtype[1], &c->in_shape[1], c->in_data[1], size, 2);
    frost__shape o = frost__shape_unknown();
    o.rank = 4;
    o.d[0] = x->rank == 4 ? x->d[0] : -1;
    o.d[3] = x->rank == 4 ? x->d[3] : -1;
    if (ns < 0) {
        if (c->planning)
            return frost__op_fail(n, c->err, FROST_E_SHAPE, "the size operand is not known");
        o.d[1] = o.d[2] = -1;
    } else if (ns != 2 || size[0] < 0 || size[1] < 0) {
        return frost__op_fail(n, c->err, FROST_E_SHAPE, "size must be two non-negative ints");
    } else {
        o.d[1] = size[0];
        o.d[2] = size[1];
    }
    c->out_shape[0] = o;
    return FROST_OK;
}

typedef struct resize_state {
    int64_t n, in_h, in_w, c, out_h, out_w;
    int mode, coord, nearest_mode;
    size_t es;
} resize_state;

/* Source coordinate of output coordinate `o` along a dim resized from `in` to `out`. */
static double source_coord(int coord, int64_t o, int64_t in, int64_t out) {
    double scale = (double)out / (double)in;
    switch (coord) {
    case COORD_HALF_PIXEL: return ((double)o + 0.5) / scale - 0.5;
    case COORD_ALIGN_CORNERS: return out > 1 ? (double)o * (double)(in - 1) / (double)(out - 1) : 0;
    case COORD_PYTORCH_HALF_PIXEL: return out > 1 ? ((double)o + 0.5) / scale - 0.5 : 0;
    case COORD_TF_HALF_PIXEL_NN: return ((double)o + 0.5) / scale;
    default: return (double)o / scale;
    }
}

static int64_t nearest_index(int nearest_mode, double x, int64_t in) {
    double r;
    switch (nearest_mode) {
    case NEAREST_ROUND_PREFER_CEIL: r = floor(x + 0.5); break;
    case NEAREST_FLOOR: r = floor(x); break;
    case NEAREST_CEIL: r = ceil(x); break;
    default: r = ceil(x - 0.5); break;
    }
    if (!(r > 0)) return 0; /* also NaN */
    if (r > (double)(in - 1)) return in - 1;
    return (int64_t)r;
}

/* Bilinear taps: lower index, upper index and the weight of the upper one. */
static void linear_taps(double x, int64_t in, int64_t *lo, int64_t *hi, float *w) {
    if (!(x > 0)) x = 0;
    if (x > (double)(in - 1)) x = (double)(in - 1);
    double f = floor(x);
    *lo = (int64_t)f;
    *hi = *lo + 1 < in ? *lo + 1 : in - 1;
    *w = (float)(x - f);
}

typedef struct resize_tap {
    int64_t lo, hi;
    float w;
} resize_tap;

static frost_status resize_run(const frost__step *st, const frost__exec *ex) {
    const resize_state *s = (const resize_state *)st->state.bytes;
    const unsigned char *x = FROST_IN(st, ex, 0);
    unsigned char *out = FROST_OUT(st, ex, 0);
    resize_tap *tx = FROST_WS(st, ex);
    if (s->out_h == 0 || s->out_w == 0 || s->n == 0 || s->c == 0) return FROST_OK;
    for (int64_t ox = 0; ox < s->out_w; ox++) {
        double sx = source_coord(s->coord, ox, s->in_w, s->out_w);
        if (s->mode == 0) {
            tx[ox].lo = tx[ox].hi = nearest_index(s->nearest_mode, sx, s->in_w);
            tx[ox].w = 0;
        } else {
            linear_taps(sx, s->in_w, &tx[ox].lo, &tx[ox].hi, &tx[ox].w);
        }
    }
    size_t pix = (size_t)s->c * s->es;
    for (int64_t b = 0; b < s->n; b++) {
        const unsigned char *xb = x + (size_t)(b * s->in_h * s->in_w) * pix;
        for (int64_t oy = 0; oy < s->out_h; oy++) {
            double sy = source_coord(s->coord, oy, s->in_h, s->out_h);
            unsigned char *orow = out + (size_t)((b * s->out_h + oy) * s->out_w) * pix;
            if (s->mode == 0) {
                int64_t iy = nearest_index(s->nearest_mode, sy, s->in_h);
                const unsigned char *irow = xb + (size_t)(iy * s->in_w) * pix;
                for (int64_t ox = 0; ox < s->out_w; ox++)
                    memcpy(orow + (size_t)ox * pix, irow + (size_t)tx[ox].lo * pix, pix);
                continue;
            }
            int64_t y0, y1;
            float wy;
            linear_taps(sy, s->in_h, &y0, &y1, &wy);
            const float *r0 = (const float *)(xb + (size_t)(y0 * s->in_w) * pix);
            const float *r1 = (const float *)(xb + (size_t)(y1 * s->in_w) * pix);
            float *o = (float *)orow;
            int64_t C = s->c;
            for (int64_t ox = 0; ox < s->out_w; ox++) {
                const float *a = r0 + tx[ox].lo * C, *b2 = r0 + tx[ox].hi * C;
                const float *c2 = r1 + tx[ox].lo * C, *d = r1 + tx[ox].hi * C;
                float wx = tx[ox].w;
                float *op = o + ox * C;
                for (int64_t ch = 0; ch < C; ch++) {
                    float top = a[ch] + (b2[ch] - a[ch]) * wx;
                    float bot = c2[ch] + (d[ch] - c2[ch]) * wx;
                    op[ch] = top + (bot - top) * wy;
                }
            }
        }
    }
    return FROST_OK;
}

static frost_status resize_prepare(frost__step *st, const frost__prepare_ctx *pc) {
    resize_state *s = (resize_state *)st->state.bytes;
    const frost__shape *x = &pc->in_shape[0], *o = &pc->out_shape[0];
    const frost__node *n = pc->node;
    if (x->rank != 4 || o->rank != 4)
        return frost__op_fail(n, pc->err, FROST_E_SHAPE, "Resize needs NHWC tensors");
    s->n = x->d[0];
    s->in_h = x->d[1];
    s->in_w = x->d[2];
    s->c = x->d[3];
    s->out_h = o->d[1];
    s->out_w = o->d[2];
    s->mode = n->p.resize.mode;
    s->coord = n->p.resize.coord;
    s->nearest_mode = n->p.resize.nearest_mode;
    s->es = frost_dtype_size(pc->in_dtype[0]);
    if ((s->in_h == 0 || s->in_w == 0) && s->out_h * s->out_w * s->n * s->c != 0)
        return frost__op_fail(n, pc->err, FROST_E_SHAPE, "cannot resize an empty image");
    if (s->mode == 1 && pc->in_dtype[0] != FROST_DTYPE_F32)
        return frost__op_fail(n, pc->err, FROST_E_UNSUPPORTED, "bilinear Resize of %s",
                              frost_dtype_name(pc->in_dtype[0]));
    if (s->es == 0)
        return frost__op_fail(n, pc->err, FROST_E_UNSUPPORTED, "Resize of %s",
                              frost_dtype_name(pc->in_dtype[0]));
    st->ws_bytes = (size_t)(s->out_w > 0 ? s->out_w : 1) * sizeof(resize_tap);
    st->run = resize_run;
    return FROST_OK;
}

const frost__op_def frost__op_RESIZE = {"Resize", 0, resize_infer, resize_prepare, NULL};
