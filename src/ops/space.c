/* space.c — DEPTH_TO_SPACE and SPACE_TO_DEPTH on NHWC tensors of any dtype (TensorFlow's order:
 * channel block i*b + j of an input pixel becomes the pixel at offset (i, j) of its b x b block).
 * Both are pure copies of contiguous channel runs: run never allocates and reads nothing outside
 * its input, whose shape prepare has checked (divisible channels or spatial dims). */
#include "ops/op.h"

static frost_status space_infer(frost__infer_ctx *c) {
    const frost__node *n = c->node;
    bool to_space = n->op == FROST__OP_DEPTH_TO_SPACE;
    int64_t b = n->p.space.block;
    const frost__shape *x = &c->in_shape[0];
    c->out_dtype[0] = c->in_dtype[0];
    if (b < 2 || b > 4096)
        return frost__op_fail(n, c->err, FROST_E_SHAPE, "block size %lld (must be at least 2)",
                              (long long)b);
    if (x->rank < 0) {
        c->out_shape[0] = frost__shape_unknown();
        return FROST_OK;
    }
    if (x->rank != 4)
        return frost__op_fail(n, c->err, FROST_E_SHAPE, "needs an NHWC tensor, got rank %d", x->rank);
    frost__shape o = *x;
    if (to_space) {
        if (x->d[3] >= 0 && x->d[3] % (b * b) != 0)
            return frost__op_fail(n, c->err, FROST_E_SHAPE,
                                  "%lld channels are not divisible by block %lld squared",
                                  (long long)x->d[3], (long long)b);
        o.d[1] = x->d[1] < 0 ? -1 : x->d[1] * b;
        o.d[2] = x->d[2] < 0 ? -1 : x->d[2] * b;
        o.d[3] = x->d[3] < 0 ? -1 : x->d[3] / (b * b);
    } else {
        for (int i = 1; i <= 2; i++)
            if (x->d[i] >= 0 && x->d[i] % b != 0)
                return frost__op_fail(n, c->err, FROST_E_SHAPE,
                                      "%s %lld is not divisible by block %lld",
                                      i == 1 ? "height" : "width", (long long)x->d[i], (long long)b);
        o.d[1] = x->d[1] < 0 ? -1 : x->d[1] / b;
        o.d[2] = x->d[2] < 0 ? -1 : x->d[2] / b;
        o.d[3] = x->d[3] < 0 ? -1 : x->d[3] * b * b;
    }
    c->out_shape[0] = o;
    return FROST_OK;
}

typedef struct space_state {
    int64_t n, h, w, c_small, b; /* the depth side is [n, h, w, b*b*c_small]                 */
    size_t es;
    bool to_space;
} space_state;

static frost_status space_run(const frost__step *st, const frost__exec *ex) {
    const space_state *s = (const space_state *)st->state.bytes;
    const unsigned char *src = FROST_IN(st, ex, 0);
    unsigned char *dst = FROST_OUT(st, ex, 0);
    size_t run = (size_t)s->c_small * s->es;
    int64_t b = s->b, W = s->w * b;
    for (int64_t img = 0; img < s->n; img++)
        for (int64_t y = 0; y < s->h; y++)
            for (int64_t x = 0; x < s->w; x++) {
                const int64_t pix = (img * s->h + y) * s->w + x;
                for (int64_t i = 0; i < b; i++)
                    for (int64_t j = 0; j < b; j++) {
                        /* The same channel run, in the depth layout and in the space layout. */
                        size_t d_off = ((size_t)pix * (size_t)(b * b) + (size_t)(i * b + j)) * run;
                        size_t s_off = ((size_t)((img * s->h + y) * b + i) * (size_t)W +
                                        (size_t)(x * b + j)) * run;
                        if (s->to_space) memcpy(dst + s_off, src + d_off, run);
                        else memcpy(dst + d_off, src + s_off, run);
                    }
            }
    return FROST_OK;
}

static frost_status space_prepare(frost__step *st, const frost__prepare_ctx *pc) {
    space_state *s = (space_state *)st->state.bytes;
    const frost__node *n = pc->node;
    s->to_space = n->op == FROST__OP_DEPTH_TO_SPACE;
    const frost__shape *depth = s->to_space ? &pc->in_shape[0] : &pc->out_shape[0];
    s->b = n->p.space.block;
    s->n = depth->d[0];
    s->h = depth->d[1];
    s->w = depth->d[2];
    s->c_small = depth->d[3] / (s->b * s->b);
    s->es = frost_dtype_size(pc->in_dtype[0]);
    if (s->es == 0)
        return frost__op_fail(n, pc->err, FROST_E_DTYPE, "cannot move %s elements",
                              frost_dtype_name(pc->in_dtype[0]));
    st->run = space_run;
    return FROST_OK;
}

const frost__op_def frost__op_DEPTH_TO_SPACE = {"DepthToSpace", 0, space_infer, space_prepare, NULL};
const frost__op_def frost__op_SPACE_TO_DEPTH = {"SpaceToDepth", 0, space_infer, space_prepare, NULL};
