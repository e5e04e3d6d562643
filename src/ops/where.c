/* where.c — WHERE (TF's Where with one input): the coordinates of the true (non-zero) elements of
 * x, one row each, in row-major order. How many rows depends on x's values, so the op runs only
 * where those values are known before running: constants, and values the planner computes from
 * shapes. infer counts them without allocating; on values that arrive with the data it refuses,
 * saying so, when planning. */
#include "ops/op.h"

static bool truthy(frost_dtype t, const void *data, int64_t i) {
    if (frost__dtype_is_float(t)) return frost__read_double(t, data, i) != 0.0;
    return frost__read_int(t, data, i) != 0;
}

static frost_status where_infer(frost__infer_ctx *c) {
    const frost__node *n = c->node;
    const frost__shape *x = &c->in_shape[0];
    frost_dtype out = (frost_dtype)n->p.where.out_dtype;
    if (out != FROST_DTYPE_I32 && out != FROST_DTYPE_I64)
        return frost__op_fail(n, c->err, FROST_E_DTYPE, "coordinates of dtype %s",
                              frost_dtype_name(out));
    c->out_dtype[0] = out;
    frost_dtype t = c->in_dtype[0];
    if (t != FROST_DTYPE_INVALID && (frost_dtype_size(t) == 0 || t == FROST_DTYPE_F16 ||
                                     t == FROST_DTYPE_BF16))
        return frost__op_fail(n, c->err, FROST_E_DTYPE, "Where of %s", frost_dtype_name(t));
    frost__shape o = frost__shape_make(0, NULL);
    o.rank = 2;
    o.d[0] = -1;
    o.d[1] = x->rank >= 0 ? x->rank : -1;
    if (!c->in_data[0] || !frost__shape_known(x)) {
        if (c->planning)
            return frost__op_fail(n, c->err, FROST_E_UNSUPPORTED,
                                  "how many elements are true decides the output's shape, and here "
                                  "it depends on the data: frost plans every shape before running");
        c->out_shape[0] = o;
        return FROST_OK;
    }
    int64_t count = 0, numel = frost__shape_numel(x);
    for (int64_t i = 0; i < numel; i++) count += truthy(t, c->in_data[0], i);
    o.d[0] = count;
    c->out_shape[0] = o;
    return FROST_OK;
}

typedef struct where_state {
    frost__shape x;
    frost_dtype t, out;
} where_state;

static frost_status where_run(const frost__step *st, const frost__exec *ex) {
    const where_state *s = (const where_state *)st->state.bytes;
    const void *x = FROST_IN(st, ex, 0);
    void *out = FROST_OUT(st, ex, 0);
    int64_t numel = frost__shape_numel(&s->x), row = 0, idx[FROST_MAX_RANK] = {0};
    int r = s->x.rank;
    for (int64_t i = 0; i < numel; i++) {
        if (truthy(s->t, x, i)) {
            for (int k = 0; k < r; k++) {
                if (s->out == FROST_DTYPE_I32) ((int32_t *)out)[row * r + k] = (int32_t)idx[k];
                else ((int64_t *)out)[row * r + k] = idx[k];
            }
            row++;
        }
        for (int k = r - 1; k >= 0; k--) { /* next row-major coordinate */
            if (++idx[k] < s->x.d[k]) break;
            idx[k] = 0;
        }
    }
    return FROST_OK;
}

static frost_status where_prepare(frost__step *st, const frost__prepare_ctx *pc) {
    where_state *s = (where_state *)st->state.bytes;
    s->x = pc->in_shape[0];
    s->t = pc->in_dtype[0];
    s->out = pc->out_dtype[0];
    st->run = where_run;
    return FROST_OK;
}

const frost__op_def frost__op_WHERE = {"Where", 0, where_infer, where_prepare, NULL};
