/* space_batch.c — SPACE_TO_BATCH(x, block_shape, paddings) and BATCH_TO_SPACE(x, block_shape,
 * crops), TensorFlow's SpaceToBatchND / BatchToSpaceND on tensors of any dtype: x is
 * [batch, spatial_1..spatial_M, remaining...] with M = len(block_shape).
 *
 * SPACE_TO_BATCH zero-pads each spatial dim, then moves the phase of every element within its
 * block to the batch: output batch (o_1 * b_2 + o_2 ...) * batch + n holds the elements at
 * offsets (o_1, o_2, ...) of each block. BATCH_TO_SPACE is its inverse followed by the crops.
 * (A dilated convolution is written SpaceToBatchND -> conv -> BatchToSpaceND; passes/
 * dilated_conv.c folds that pattern when it can, these ops run the rest.)
 *
 * The integer operands must be known when planning (constants, or shape arithmetic); infer leaves
 * the output unknown until then. Every operand is validated (rank, sign, divisibility) with an
 * error naming the node. run copies runs of the trailing `remaining` elements, never allocates
 * and never reads outside its input. */
#include "ops/op.h"

enum { MAX_BLOCK_DIMS = FROST_MAX_RANK - 1 };

typedef struct space_batch_operands {
    int m;                               /* block dims                                       */
    int64_t block[MAX_BLOCK_DIMS];
    int64_t before[MAX_BLOCK_DIMS], after[MAX_BLOCK_DIMS]; /* paddings, or crops           */
} space_batch_operands;

/* Reads and checks block_shape and paddings/crops against x's rank. *known false: not known
 * yet (the caller decides whether that is an error). */
static frost_status read_operands(const frost__node *n, frost_error *err, int x_rank,
                                  const frost_dtype *dt, const frost__shape *sh,
                                  const void *const *data, space_batch_operands *o, bool *known) {
    const bool to_batch = n->op == FROST__OP_SPACE_TO_BATCH;
    const char *pads = to_batch ? "paddings" : "crops";
    *known = false;
    if (n->n_in < 3 || n->in[1] < 0 || n->in[2] < 0)
        return frost__op_fail(n, err, FROST_E_SHAPE, "needs x, block_shape and %s", pads);
    for (int i = 1; i <= 2; i++)
        if (dt[i] != FROST_DTYPE_INVALID && !frost__dtype_is_int(dt[i]))
            return frost__op_fail(n, err, FROST_E_DTYPE, "%s must be integer, is %s",
                                  i == 1 ? "block_shape" : pads, frost_dtype_name(dt[i]));
    const frost__shape *bs = &sh[1], *ps = &sh[2];
    if (bs->rank >= 0 && bs->rank != 1)
        return frost__op_fail(n, err, FROST_E_SHAPE, "block_shape must be 1-D, is %d-D", bs->rank);
    if (bs->rank == 1 && bs->d[0] >= 0 &&
        (bs->d[0] < 1 || bs->d[0] > MAX_BLOCK_DIMS || (x_rank >= 0 && bs->d[0] > x_rank - 1)))
        return frost__op_fail(n, err, FROST_E_SHAPE,
                              "block_shape has %lld entries; x of rank %d allows 1 to %d",
                              (long long)bs->d[0], x_rank, x_rank - 1);
    if (ps->rank >= 0 && (ps->rank != 2 || (ps->d[1] >= 0 && ps->d[1] != 2) ||
                          (bs->rank == 1 && bs->d[0] >= 0 && ps->d[0] >= 0 && ps->d[0] != bs->d[0])))
        return frost__op_fail(n, err, FROST_E_SHAPE, "%s must be [%lld, 2]", pads,
                              bs->rank == 1 ? (long long)bs->d[0] : -1LL);
    if (!data[1] || !data[2] || bs->rank != 1 || ps->rank != 2 || !frost__shape_known(bs) ||
        !frost__shape_known(ps))
        return FROST_OK;
    o->m = (int)bs->d[0];
    for (int i = 0; i < o->m; i++) {
        o->block[i] = frost__read_int(dt[1], data[1], i);
        o->before[i] = frost__read_int(dt[2], data[2], 2 * i);
        o->after[i] = frost__read_int(dt[2], data[2], 2 * i + 1);
        if (o->block[i] < 1 || o->block[i] > INT32_MAX)
            return frost__op_fail(n, err, FROST_E_SHAPE, "block_shape[%d] is %lld (must be >= 1)",
                                  i, (long long)o->block[i]);
        if (o->before[i] < 0 || o->after[i] < 0 || o->before[i] > INT32_MAX ||
            o->after[i] > INT32_MAX)
            return frost__op_fail(n, err, FROST_E_SHAPE, "%s[%d] is (%lld, %lld) (must be >= 0)",
                                  pads, i, (long long)o->before[i], (long long)o->after[i]);
    }
    *known = true;
    return FROST_OK;
}

/* Output shape from x's shape; x->rank must be known. */
static frost_status out_shape(const frost__node *n, frost_error *err, const frost__shape *x,
                              const space_batch_operands *o, frost__shape *out) {
    const bool to_batch = n->op == FROST__OP_SPACE_TO_BATCH;
    *out = *x;
    int64_t prod = 1;
    for (int i = 0; i < o->m; i++)
        if (!frost__mul_ok(prod, o->block[i], &prod))
            return frost__op_fail(n, err, FROST_E_SHAPE, "the block_shape product overflows");
    for (int i = 0; i < o->m; i++) {
        int64_t d = x->d[1 + i], b = o->block[i];
        if (d < 0) {
            out->d[1 + i] = -1;
            continue;
        }
        if (to_batch) {
            int64_t padded;
            if (!frost__add_ok(d, o->before[i] + o->after[i], &padded) || padded % b != 0)
                return frost__op_fail(n, err, FROST_E_SHAPE,
                                      "spatial dim %d: %lld padded by (%lld, %lld) is not a "
                                      "multiple of block %lld",
                                      i, (long long)d, (long long)o->before[i],
                                      (long long)o->after[i], (long long)b);
            out->d[1 + i] = padded / b;
        } else {
            int64_t full;
            if (!frost__mul_ok(d, b, &full) || o->before[i] + o->after[i] > full)
                return frost__op_fail(n, err, FROST_E_SHAPE,
                                      "spatial dim %d: crops (%lld, %lld) exceed %lld x block %lld",
                                      i, (long long)o->before[i], (long long)o->after[i],
                                      (long long)d, (long long)b);
            out->d[1 + i] = full - o->before[i] - o->after[i];
        }
    }
    if (x->d[0] >= 0) {
        if (to_batch) {
            if (!frost__mul_ok(x->d[0], prod, &out->d[0]))
                return frost__op_fail(n, err, FROST_E_SHAPE, "batch x block product overflows");
        } else {
            if (prod <= 0 || x->d[0] % prod != 0)
                return frost__op_fail(n, err, FROST_E_SHAPE,
                                      "batch %lld is not a multiple of the block product %lld",
                                      (long long)x->d[0], (long long)prod);
            out->d[0] = x->d[0] / prod;
        }
    }
    return FROST_OK;
}

static frost_status space_batch_infer(frost__infer_ctx *c) {
    const frost__node *n = c->node;
    const frost__shape *x = &c->in_shape[0];
    c->out_dtype[0] = c->in_dtype[0];
    if (x->rank >= 0 && x->rank < 2)
        return frost__op_fail(n, c->err, FROST_E_SHAPE, "x needs a batch and a spatial dim, has rank %d",
                              x->rank);
    space_batch_operands o;
    bool known;
    FROST_TRY(read_operands(n, c->err, x->rank, c->in_dtype, c->in_shape, c->in_data, &o, &known));
    if (!known) {
        const char *what = n->op == FROST__OP_SPACE_TO_BATCH ? "block_shape/paddings"
                                                             : "block_shape/crops";
        FROST_TRY(frost__op_operand_unknown(c, what));
        if (x->rank >= 0) {
            c->out_shape[0].rank = x->rank;
            for (int i = 0; i < x->rank; i++) c->out_shape[0].d[i] = -1;
        }
        return FROST_OK;
    }
    if (x->rank < 0) {
        c->out_shape[0] = frost__shape_unknown();
        return FROST_OK;
    }
    if (o.m > x->rank - 1)
        return frost__op_fail(n, c->err, FROST_E_SHAPE, "block_shape has %d entries; x has rank %d",
                              o.m, x->rank);
    return out_shape(n, c->err, x, &o, &c->out_shape[0]);
}

typedef struct space_batch_state {
    bool to_batch;
    int m;
    size_t run;                            /* bytes of one element's `remaining` block       */
    int64_t space_batch;                   /* batch of the space side                         */
    int64_t space[MAX_BLOCK_DIMS];         /* spatial dims of the space side (unpadded)       */
    int64_t grid[MAX_BLOCK_DIMS];          /* spatial dims of the batch side                  */
    int64_t block[MAX_BLOCK_DIMS];
    int64_t before[MAX_BLOCK_DIMS];        /* paddings (to batch) or crops (to space) before   */
    int64_t batch_rows;                    /* batch-side elements (all dims but remaining)    */
} space_batch_state;

/* Walks the batch side in order: for each element, the space-side element it pairs with (or
 * none, in SPACE_TO_BATCH's padding or BATCH_TO_SPACE's crops). SPACE_TO_BATCH writes every
 * batch-side element (zeros in the padding); BATCH_TO_SPACE writes every space-side element
 * once, since the crops only drop batch-side elements. */
static frost_status space_batch_run(const frost__step *st, const frost__exec *ex) {
    const space_batch_state *s = (const space_batch_state *)st->state.bytes;
    const unsigned char *src = FROST_IN(st, ex, 0);
    unsigned char *dst = FROST_OUT(st, ex, 0);
    const int m = s->m;
    int64_t idx[MAX_BLOCK_DIMS] = {0}; /* position in the batch side's spatial grid            */
    int64_t batch_n = 0;               /* batch-side batch index                               */
    for (int64_t row = 0; row < s->batch_rows; row++) {
        /* batch_n = phase * space_batch + n, the phase row-major over the block offsets. */
        int64_t phase = batch_n / s->space_batch, offs[MAX_BLOCK_DIMS];
        for (int i = m - 1; i >= 0; i--) {
            offs[i] = phase % s->block[i];
            phase /= s->block[i];
        }
        int64_t space_off = batch_n % s->space_batch;
        bool inside = true;
        for (int i = 0; i < m; i++) {
            int64_t pos = idx[i] * s->block[i] + offs[i] - s->before[i]; /* in the space side */
            if (pos < 0 || pos >= s->space[i]) inside = false;
            space_off = space_off * s->space[i] + pos;
        }
        if (s->to_batch) {
            unsigned char *d = dst + (size_t)row * s->run;
            if (inside) memcpy(d, src + (size_t)space_off * s->run, s->run);
            else memset(d, 0, s->run);
        } else if (inside) {
            memcpy(dst + (size_t)space_off * s->run, src + (size_t)row * s->run, s->run);
        }
        /* Next grid position; past the last one, the next batch. */
        int i = m - 1;
        while (i >= 0 && ++idx[i] == s->grid[i]) idx[i--] = 0;
        if (i < 0) batch_n++;
    }
    return FROST_OK;
}

static frost_status space_batch_prepare(frost__step *st, const frost__prepare_ctx *pc) {
    space_batch_state *s = (space_batch_state *)st->state.bytes;
    const frost__node *n = pc->node;
    const frost__shape *x = &pc->in_shape[0], *y = &pc->out_shape[0];
    space_batch_operands o;
    bool known;
    FROST_TRY(read_operands(n, pc->err, x->rank, pc->in_dtype, pc->in_shape, pc->in_data, &o, &known));
    if (!known)
        return frost__op_fail(n, pc->err, FROST_E_SHAPE,
                              "block_shape and %s are not known at plan time (computed from data?)",
                              n->op == FROST__OP_SPACE_TO_BATCH ? "paddings" : "crops");
    s->to_batch = n->op == FROST__OP_SPACE_TO_BATCH;
    const frost__shape *space = s->to_batch ? x : y, *batch = s->to_batch ? y : x;
    s->m = o.m;
    s->space_batch = space->d[0];
    s->batch_rows = batch->d[0];
    for (int i = 0; i < o.m; i++) {
        s->space[i] = space->d[1 + i];
        s->grid[i] = batch->d[1 + i];
        s->block[i] = o.block[i];
        s->before[i] = o.before[i];
        s->batch_rows *= batch->d[1 + i];
    }
    size_t es = frost_dtype_size(pc->in_dtype[0]);
    if (es == 0)
        return frost__op_fail(n, pc->err, FROST_E_DTYPE, "cannot move %s elements",
                              frost_dtype_name(pc->in_dtype[0]));
    int64_t rest = 1;
    for (int i = 1 + o.m; i < x->rank; i++) rest *= x->d[i];
    s->run = (size_t)rest * es;
    /* An empty tensor on either side: nothing to move (and no division by a zero batch). */
    if (s->space_batch == 0 || frost__shape_numel(x) == 0 || frost__shape_numel(y) == 0)
        s->batch_rows = 0;
    st->run = space_batch_run;
    frost__step_label(st, "block %lld%s", (long long)o.block[0], o.m > 1 ? " x ..." : "");
    return FROST_OK;
}

const frost__op_def frost__op_SPACE_TO_BATCH = {"SpaceToBatch", 0, space_batch_infer,
                                                space_batch_prepare, NULL};
const frost__op_def frost__op_BATCH_TO_SPACE = {"BatchToSpace", 0, space_batch_infer,
                                                space_batch_prepare, NULL};
