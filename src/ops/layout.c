/* layout.c — ops that move data without arithmetic: CONCAT, PACK, UNPACK, SPLIT, TRANSPOSE, PAD,
 * STRIDED_SLICE (TensorFlow's five masks), SLICE (ONNX), TILE, EXPAND (bidirectional broadcast)
 * and GATHER.
 *
 * Their integer operands (axis, perm, paddings, begin/end/strides, multiples, shape) must be known
 * when planning; infer gives an unknown output while they are not. prepare turns most of them into
 * one N-D strided copy plan (kernels/layout.h), so run is a single loop nest. GATHER's indices are
 * data: run validates every index and returns FROST_E_INVALID_ARG naming the node rather than
 * reading out of bounds. Nothing here allocates after load. */
#include "kernels/layout.h"
#include "ops/op.h"

#define PARALLEL_MIN_ELEMS (1 << 16)

/* ==== Shared helpers ========================================================================== */

/* Reads int operand i (0-D or 1-D, at most cap entries). Returns the count or -1 when unknown;
 * on a malformed operand returns -2 with the error filled into *st. */
static int read_operand(const frost__node *n, frost_error *err, frost_dtype t,
                        const frost__shape *s, const void *data, const char *what, int64_t *vals,
                        int cap, frost_status *st) {
    *st = FROST_OK;
    if (t != FROST_DTYPE_INVALID && !frost__dtype_is_int(t)) {
        *st = frost__op_fail(n, err, FROST_E_DTYPE, "the %s operand must be integer, is %s", what,
                             frost_dtype_name(t));
        return -2;
    }
    if (s->rank > 1) {
        *st = frost__op_fail(n, err, FROST_E_SHAPE, "the %s operand must be 0-D or 1-D", what);
        return -2;
    }
    if (s->rank == 1 && s->d[0] > cap) {
        *st = frost__op_fail(n, err, FROST_E_LIMIT, "the %s operand has %lld entries (limit %d)",
                             what, (long long)s->d[0], cap);
        return -2;
    }
    return frost__read_int_operand(t, s, data, vals, cap);
}

#define READ_IN(c, i, what, vals, cap, cnt)                                                     \
    do {                                                                                        \
        frost_status st_;                                                                       \
        cnt = read_operand((c)->node, (c)->err, (c)->in_dtype[i], &(c)->in_shape[i],            \
                           (c)->in_data[i], what, vals, cap, &st_);                             \
        FROST_TRY(st_);                                                                         \
    } while (0)

#define READ_PC(pc, i, what, vals, cap, cnt)                                                    \
    do {                                                                                        \
        frost_status st_;                                                                       \
        cnt = read_operand((pc)->node, (pc)->err, (pc)->in_dtype[i], &(pc)->in_shape[i],        \
                           (pc)->in_data[i], what, vals, cap, &st_);                            \
        FROST_TRY(st_);                                                                         \
        if (cnt < 0)                                                                            \
            return frost__op_fail((pc)->node, (pc)->err, FROST_E_SHAPE,                         \
                                  "the %s operand is not known at plan time", what);           \
    } while (0)

static int64_t prod_dims(const frost__shape *s, int from, int to) {
    int64_t p = 1;
    for (int i = from; i < to; i++) {
        if (s->d[i] < 0) return -1;
        p *= s->d[i];
    }
    return p;
}

static frost_status rank_limit(const frost__node *n, frost_error *err, int r) {
    return frost__op_fail(n, err, FROST_E_LIMIT, "result rank %d exceeds frost's limit of %d", r,
                          FROST_MAX_RANK);
}

/* ---- The strided-copy run shared by transpose, slices, tile and expand ---------------------- */

typedef struct copy_task {
    const frost__copy_plan *p;
    const void *src;
    void *dst;
} copy_task;

static void copy_chunk(void *arg, int64_t r0, int64_t r1, int worker) {
    const copy_task *t = arg;
    frost_k_strided_copy__ref(t->p, t->src, t->dst, r0, r1);
}

typedef struct tiled_task {
    const frost__copy_plan *p;
    int j;
    const void *src;
    void *dst;
} tiled_task;

static void tiled_chunk(void *arg, int64_t o0, int64_t o1, int worker) {
    const tiled_task *t = arg;
    frost_k_tiled_copy__ref(t->p, t->j, t->src, t->dst, o0, o1);
}

/* The plan's tile dim is kept in the step state right after the plan. */
typedef struct copy_state {
    frost__copy_plan plan;
    int tile_dim;
} copy_state;

static frost_status copy_run(const frost__step *st, const frost__exec *ex) {
    const copy_state *cs = (const copy_state *)st->state.bytes;
    const frost__copy_plan *p = &cs->plan;
    if (cs->tile_dim >= 0 && p->numel > 0) {
        tiled_task tt = {p, cs->tile_dim, FROST_IN(st, ex, 0), FROST_OUT(st, ex, 0)};
        int64_t outer = frost__copy_plan_tile_outer(p, cs->tile_dim);
        int64_t per = p->numel / outer;
        frost__parallel_for(ex->pool, outer, p->numel < PARALLEL_MIN_ELEMS ? outer : PARALLEL_MIN_ELEMS / per + 1,
                     tiled_chunk, &tt);
        return FROST_OK;
    }
    copy_task t = {p, FROST_IN(st, ex, 0), FROST_OUT(st, ex, 0)};
    int64_t rows = frost__copy_plan_rows(p);
    if (rows == 0) return FROST_OK;
    int64_t inner = p->numel / rows;
    int64_t grain = PARALLEL_MIN_ELEMS / (inner ? inner : 1) + 1;
    frost__parallel_for(ex->pool, rows, p->numel < PARALLEL_MIN_ELEMS ? rows : grain, copy_chunk, &t);
    return FROST_OK;
}

static void plan_init(frost__copy_plan *p, const frost__prepare_ctx *pc) {
    memset(p, 0, sizeof *p);
    p->es = frost_dtype_size(pc->in_dtype[0]);
}

_Static_assert(sizeof(copy_state) <= sizeof(((frost__step *)0)->state), "plan too large");

static frost_status finish_copy(frost__step *st, const frost__prepare_ctx *pc,
                                frost__copy_plan *p) {
    if (p->es == 0)
        return frost__op_fail(pc->node, pc->err, FROST_E_UNSUPPORTED, "dtype %s cannot be copied",
                              frost_dtype_name(pc->in_dtype[0]));
    frost__copy_plan_simplify(p);
    ((copy_state *)st->state.bytes)->tile_dim = frost__copy_plan_tile_dim(p);
    st->run = copy_run;
    return FROST_OK;
}

/* ==== CONCAT ================================================================================== */

/* Shared by CONCAT (axis operand last) and PACK (new axis). Merges the inputs' shapes: every dim
 * but `axis` must agree where known. */
static frost_status merge_shapes(frost__infer_ctx *c, int n_data, frost__shape *merged,
                                 frost_dtype *dt) {
    *dt = FROST_DTYPE_INVALID;
    *merged = frost__shape_unknown();
    for (int i = 0; i < n_data; i++) {
        frost_dtype t = c->in_dtype[i];
        if (t != FROST_DTYPE_INVALID) {
            if (*dt != FROST_DTYPE_INVALID && *dt != t)
                return frost__op_fail(c->node, c->err, FROST_E_DTYPE,
                                      "input %d is %s, input 0 is %s", i, frost_dtype_name(t),
                                      frost_dtype_name(*dt));
            *dt = t;
        }
        if (c->in_shape[i].rank >= 0 && merged->rank < 0) *merged = c->in_shape[i];
    }
    return FROST_OK;
}

static frost_status concat_infer(frost__infer_ctx *c) {
    const frost__node *n = c->node;
    int n_data = c->n_in - 1;
    if (n_data < 1)
        return frost__op_fail(n, c->err, FROST_E_SHAPE, "Concat needs inputs and an axis");
    frost__shape o;
    frost_dtype dt;
    FROST_TRY(merge_shapes(c, n_data, &o, &dt));
    c->out_dtype[0] = dt;
    int64_t axis_v;
    int na;
    READ_IN(c, n_data, "axis", &axis_v, 1, na);
    if (na != 1) return na < 0 ? frost__op_operand_unknown(c, "axis")
                               : frost__op_fail(n, c->err, FROST_E_SHAPE, "axis must be a scalar");
    if (o.rank < 0) {
        c->out_shape[0] = o;
        return FROST_OK;
    }
    int axis;
    if (!frost__norm_axis(axis_v, o.rank, &axis))
        return frost__op_fail(n, c->err, FROST_E_SHAPE, "axis %lld is out of range for rank %d",
                              (long long)axis_v, o.rank);
    o.d[axis] = 0;
    for (int i = 0; i < n_data; i++) {
        const frost__shape *s = &c->in_shape[i];
        if (s->rank < 0) {
            o.d[axis] = -1;
            continue;
        }
        if (s->rank != o.rank)
            return frost__op_fail(n, c->err, FROST_E_SHAPE, "input %d has rank %d, input 0 %d", i,
                                  s->rank, o.rank);
        for (int k = 0; k < o.rank; k++) {
            if (k == axis) continue;
            if (o.d[k] < 0) o.d[k] = s->d[k];
            else if (s->d[k] >= 0 && s->d[k] != o.d[k])
                return frost__op_fail(n, c->err, FROST_E_SHAPE,
                                      "input %d has dim %d = %lld, expected %lld", i, k,
                                      (long long)s->d[k], (long long)o.d[k]);
        }
        if (o.d[axis] >= 0) o.d[axis] = s->d[axis] < 0 ? -1 : o.d[axis] + s->d[axis];
    }
    c->out_shape[0] = o;
    return FROST_OK;
}

/* out[o, chunk_0 | chunk_1 | ...] = x_i[o, chunk_i]: concatenation of `n` inputs viewed as
 * [outer, chunk_i] bytes. */
typedef struct concat_state {
    int axis;              /* in the inputs' shapes (PACK: the dims after it form the chunk)    */
    int n_data;
    int64_t outer;
    size_t unit;           /* bytes per unit of the axis dim (inner elements * element size)   */
    bool pack;             /* PACK: every input contributes one unit                            */
} concat_state;

static frost_status concat_run(const frost__step *st, const frost__exec *ex) {
    const concat_state *s = (const concat_state *)st->state.bytes;
    unsigned char *out = FROST_OUT(st, ex, 0);
    size_t row = 0;
    for (int i = 0; i < s->n_data; i++)
        row += s->pack ? s->unit : (size_t)FROST_IN_SHAPE(st, ex, i)->d[s->axis] * s->unit;
    size_t at = 0;
    for (int i = 0; i < s->n_data; i++) {
        size_t chunk = s->pack ? s->unit : (size_t)FROST_IN_SHAPE(st, ex, i)->d[s->axis] * s->unit;
        const unsigned char *x = FROST_IN(st, ex, i);
        if (chunk)
            for (int64_t o = 0; o < s->outer; o++)
                memcpy(out + (size_t)o * row + at, x + (size_t)o * chunk, chunk);
        at += chunk;
    }
    return FROST_OK;
}

static frost_status concat_prepare(frost__step *st, const frost__prepare_ctx *pc) {
    concat_state *s = (concat_state *)st->state.bytes;
    const frost__shape *o = &pc->out_shape[0];
    int64_t axis_v;
    int na;
    s->n_data = pc->node->n_in - 1;
    READ_PC(pc, s->n_data, "axis", &axis_v, 1, na);
    if (!frost__norm_axis(axis_v, o->rank, &s->axis))
        return frost__op_fail(pc->node, pc->err, FROST_E_SHAPE, "bad axis %lld", (long long)axis_v);
    for (int i = 0; i < s->n_data; i++)
        if (pc->in_dtype[i] != pc->out_dtype[0] || pc->in_shape[i].rank != o->rank)
            return frost__op_fail(pc->node, pc->err, FROST_E_SHAPE, "input %d does not match", i);
    s->outer = prod_dims(o, 0, s->axis);
    s->unit = (size_t)prod_dims(o, s->axis + 1, o->rank) * frost_dtype_size(pc->out_dtype[0]);
    s->pack = false;
    st->run = concat_run;
    return FROST_OK;
}

const frost__op_def frost__op_CONCAT = {"Concat", 0, concat_infer, concat_prepare, NULL};

/* ==== PACK ==================================================================================== */

static frost_status pack_infer(frost__infer_ctx *c) {
    const frost__node *n = c->node;
    if (c->n_in < 1) return frost__op_fail(n, c->err, FROST_E_SHAPE, "Pack needs inputs");
    frost__shape m;
    frost_dtype dt;
    FROST_TRY(merge_shapes(c, c->n_in, &m, &dt));
    c->out_dtype[0] = dt;
    if (m.rank < 0) {
        c->out_shape[0] = m;
        return FROST_OK;
    }
    for (int i = 0; i < c->n_in; i++) {
        const frost__shape *s = &c->in_shape[i];
        if (s->rank < 0) continue;
        if (s->rank != m.rank)
            return frost__op_fail(n, c->err, FROST_E_SHAPE, "input %d has rank %d, input 0 %d", i,
                                  s->rank, m.rank);
        for (int k = 0; k < m.rank; k++) {
            if (m.d[k] < 0) m.d[k] = s->d[k];
            else if (s->d[k] >= 0 && s->d[k] != m.d[k])
                return frost__op_fail(n, c->err, FROST_E_SHAPE,
                                      "input %d has dim %d = %lld, expected %lld", i, k,
                                      (long long)s->d[k], (long long)m.d[k]);
        }
    }
    int r = m.rank + 1, axis;
    if (r > FROST_MAX_RANK) return rank_limit(n, c->err, r);
    if (!frost__norm_axis(n->p.pack.axis, r, &axis))
        return frost__op_fail(n, c->err, FROST_E_SHAPE, "axis %d is out of range for rank %d",
                              n->p.pack.axis, r);
    frost__shape o = frost__shape_unknown();
    o.rank = r;
    for (int i = 0, j = 0; i < r; i++) o.d[i] = i == axis ? c->n_in : m.d[j++];
    c->out_shape[0] = o;
    return FROST_OK;
}

static frost_status pack_prepare(frost__step *st, const frost__prepare_ctx *pc) {
    concat_state *s = (concat_state *)st->state.bytes;
    const frost__shape *x = &pc->in_shape[0];
    int axis;
    if (!frost__norm_axis(pc->node->p.pack.axis, x->rank + 1, &axis))
        return frost__op_fail(pc->node, pc->err, FROST_E_SHAPE, "bad axis");
    for (int i = 0; i < pc->node->n_in; i++)
        if (pc->in_dtype[i] != pc->out_dtype[0] || !frost__shape_equal(&pc->in_shape[i], x))
            return frost__op_fail(pc->node, pc->err, FROST_E_SHAPE, "input %d does not match", i);
    s->n_data = pc->node->n_in;
    s->axis = axis;
    s->outer = prod_dims(x, 0, axis);
    s->unit = (size_t)prod_dims(x, axis, x->rank) * frost_dtype_size(pc->out_dtype[0]);
    s->pack = true;
    st->run = concat_run;
    return FROST_OK;
}

const frost__op_def frost__op_PACK = {"Pack", 0, pack_infer, pack_prepare, NULL};

/* ==== UNPACK and SPLIT ======================================================================== */

/* out_k[o, :] = x[o, off_k : off_k + size_k, :] over x viewed as [outer, axis, inner]. */
typedef struct split_state {
    int axis;              /* in x                                                              */
    int64_t outer;
    size_t unit;           /* bytes of one step along the axis                                 */
    int64_t axis_dim;
    bool unpack;           /* each output takes exactly one unit                               */
} split_state;

static frost_status split_run(const frost__step *st, const frost__exec *ex) {
    const split_state *s = (const split_state *)st->state.bytes;
    const unsigned char *x = FROST_IN(st, ex, 0);
    size_t row = (size_t)s->axis_dim * s->unit, at = 0;
    for (int k = 0; k < st->node->n_out; k++) {
        size_t chunk = s->unpack ? s->unit : (size_t)FROST_OUT_SHAPE(st, ex, k)->d[s->axis] * s->unit;
        unsigned char *out = FROST_OUT(st, ex, k);
        if (chunk)
            for (int64_t o = 0; o < s->outer; o++)
                memcpy(out + (size_t)o * chunk, x + (size_t)o * row + at, chunk);
        at += chunk;
    }
    return FROST_OK;
}

static frost_status unpack_infer(frost__infer_ctx *c) {
    const frost__node *n = c->node;
    const frost__shape *x = &c->in_shape[0];
    for (int k = 0; k < c->n_out; k++) {
        c->out_dtype[k] = c->in_dtype[0];
        c->out_shape[k] = frost__shape_unknown();
    }
    if (x->rank < 0) return FROST_OK;
    int axis;
    if (!frost__norm_axis(n->p.pack.axis, x->rank, &axis))
        return frost__op_fail(n, c->err, FROST_E_SHAPE, "axis %d is out of range for rank %d",
                              n->p.pack.axis, x->rank);
    if (x->d[axis] >= 0 && x->d[axis] != c->n_out)
        return frost__op_fail(n, c->err, FROST_E_SHAPE, "axis %d has size %lld but %d outputs",
                              axis, (long long)x->d[axis], c->n_out);
    frost__shape o = frost__shape_unknown();
    o.rank = x->rank - 1;
    for (int i = 0, j = 0; i < x->rank; i++)
        if (i != axis) o.d[j++] = x->d[i];
    for (int k = 0; k < c->n_out; k++) c->out_shape[k] = o;
    return FROST_OK;
}

static frost_status unpack_prepare(frost__step *st, const frost__prepare_ctx *pc) {
    split_state *s = (split_state *)st->state.bytes;
    const frost__shape *x = &pc->in_shape[0];
    if (!frost__norm_axis(pc->node->p.pack.axis, x->rank, &s->axis) ||
        x->d[s->axis] != pc->node->n_out)
        return frost__op_fail(pc->node, pc->err, FROST_E_SHAPE, "bad axis");
    s->outer = prod_dims(x, 0, s->axis);
    s->unit = (size_t)prod_dims(x, s->axis + 1, x->rank) * frost_dtype_size(pc->in_dtype[0]);
    s->axis_dim = x->d[s->axis];
    s->unpack = true;
    st->run = split_run;
    return FROST_OK;
}

const frost__op_def frost__op_UNPACK = {"Unpack", 0, unpack_infer, unpack_prepare, NULL};

/* Output sizes along the axis into sizes[n_out]; -1 entries when dim is unknown. */
static frost_status split_sizes(const frost__node *n, frost_error *err, int64_t dim,
                                const int64_t *given, int n_given, int n_out, int64_t *sizes) {
    if (n_given < 0) {
        /* equal parts; ONNX lets the last one be smaller when it does not divide */
        if (dim < 0) {
            for (int k = 0; k < n_out; k++) sizes[k] = -1;
            return FROST_OK;
        }
        int64_t part = (dim + n_out - 1) / n_out;
        int64_t left = dim;
        for (int k = 0; k < n_out; k++) {
            sizes[k] = left < part ? left : part;
            left -= sizes[k];
        }
        return FROST_OK;
    }
    if (n_given != n_out)
        return frost__op_fail(n, err, FROST_E_SHAPE, "%d split sizes for %d outputs", n_given,
                              n_out);
    int inferred = -1;
    int64_t sum = 0;
    for (int k = 0; k < n_out; k++) {
        sizes[k] = given[k];
        if (given[k] == -1 && inferred < 0) {
            inferred = k;
            continue;
        }
        if (given[k] < 0)
            return frost__op_fail(n, err, FROST_E_SHAPE, "split size %d is %lld", k,
                                  (long long)given[k]);
        sum += given[k];
    }
    if (dim < 0) return FROST_OK;
    if (inferred >= 0) {
        if (sum > dim)
            return frost__op_fail(n, err, FROST_E_SHAPE, "split sizes exceed the dim (%lld)",
                                  (long long)dim);
        sizes[inferred] = dim - sum;
    } else if (sum != dim) {
        return frost__op_fail(n, err, FROST_E_SHAPE, "split sizes add to %lld, the dim is %lld",
                              (long long)sum, (long long)dim);
    }
    return FROST_OK;
}

#define SPLIT_MAX_OUT 1024

static frost_status split_infer(frost__infer_ctx *c) {
    const frost__node *n = c->node;
    const frost__shape *x = &c->in_shape[0];
    for (int k = 0; k < c->n_out; k++) c->out_dtype[k] = c->in_dtype[0];
    if (c->n_out < 1 || c->n_out > SPLIT_MAX_OUT)
        return frost__op_fail(n, c->err, FROST_E_SHAPE, "Split with %d outputs", c->n_out);
    if (!frost__has_input(n, 1)) return frost__op_fail(n, c->err, FROST_E_SHAPE, "Split needs an axis");
    int64_t axis_v;
    int na;
    READ_IN(c, 1, "axis", &axis_v, 1, na);
    if (na != 1) return na < 0 ? frost__op_operand_unknown(c, "axis")
                               : frost__op_fail(n, c->err, FROST_E_SHAPE, "axis must be a scalar");
    int64_t given[SPLIT_MAX_OUT], sizes[SPLIT_MAX_OUT];
    int ng = -1;
    if (frost__has_input(n, 2)) {
        READ_IN(c, 2, "sizes", given, SPLIT_MAX_OUT, ng);
        if (ng < 0) return frost__op_operand_unknown(c, "sizes");
    }
    if (x->rank < 0) {
        for (int k = 0; k < c->n_out; k++) c->out_shape[k] = frost__shape_unknown();
        return FROST_OK;
    }
    int axis;
    if (!frost__norm_axis(axis_v, x->rank, &axis))
        return frost__op_fail(n, c->err, FROST_E_SHAPE, "axis %lld is out of range for rank %d",
                              (long long)axis_v, x->rank);
    FROST_TRY(split_sizes(n, c->err, x->d[axis], given, ng, c->n_out, sizes));
    for (int k = 0; k < c->n_out; k++) {
        c->out_shape[k] = *x;
        c->out_shape[k].d[axis] = sizes[k];
    }
    return FROST_OK;
}

static frost_status split_prepare(frost__step *st, const frost__prepare_ctx *pc) {
    split_state *s = (split_state *)st->state.bytes;
    const frost__shape *x = &pc->in_shape[0];
    int64_t axis_v;
    int na;
    READ_PC(pc, 1, "axis", &axis_v, 1, na);
    if (!frost__norm_axis(axis_v, x->rank, &s->axis))
        return frost__op_fail(pc->node, pc->err, FROST_E_SHAPE, "bad axis");
    int64_t sum = 0;
    for (int k = 0; k < pc->node->n_out; k++) sum += pc->out_shape[k].d[s->axis];
    if (sum != x->d[s->axis])
        return frost__op_fail(pc->node, pc->err, FROST_E_SHAPE, "outputs do not cover the axis");
    s->outer = prod_dims(x, 0, s->axis);
    s->unit = (size_t)prod_dims(x, s->axis + 1, x->rank) * frost_dtype_size(pc->in_dtype[0]);
    s->axis_dim = x->d[s->axis];
    s->unpack = false;
    st->run = split_run;
    return FROST_OK;
}

const frost__op_def frost__op_SPLIT = {"Split", 0, split_infer, split_prepare, NULL};

/* ==== TRANSPOSE =============================================================================== */

/* perm from input 1 (absent: reversed dims). Returns count or -1 unknown; validates. */
static frost_status read_perm(const frost__node *n, frost_error *err, int rank, frost_dtype t,
                              const frost__shape *s, const void *data, bool present, int *perm,
                              bool *known) {
    *known = true;
    if (!present) {
        for (int i = 0; i < rank; i++) perm[i] = rank - 1 - i;
        return FROST_OK;
    }
    int64_t v[FROST_MAX_RANK];
    frost_status st;
    int np = read_operand(n, err, t, s, data, "perm", v, FROST_MAX_RANK, &st);
    FROST_TRY(st);
    if (np < 0) {
        *known = false;
        return FROST_OK;
    }
    if (np != rank)
        return frost__op_fail(n, err, FROST_E_SHAPE, "perm has %d entries for rank %d", np, rank);
    bool seen[FROST_MAX_RANK] = {false};
    for (int i = 0; i < rank; i++) {
        int a;
        if (!frost__norm_axis(v[i], rank, &a) || seen[a])
            return frost__op_fail(n, err, FROST_E_SHAPE, "perm is not a permutation of 0..%d",
                                  rank - 1);
        seen[a] = true;
        perm[i] = a;
    }
    return FROST_OK;
}

static frost_status transpose_infer(frost__infer_ctx *c) {
    const frost__shape *x = &c->in_shape[0];
    c->out_dtype[0] = c->in_dtype[0];
    if (x->rank < 0) {
        if (frost__has_input(c->node, 1) && c->in_shape[1].rank == 1 && c->in_shape[1].d[0] >= 0 &&
            c->in_shape[1].d[0] <= FROST_MAX_RANK) {
            c->out_shape[0].rank = (int)c->in_shape[1].d[0];
            for (int i = 0; i < c->out_shape[0].rank; i++) c->out_shape[0].d[i] = -1;
        } else {
            c->out_shape[0] = frost__shape_unknown();
        }
        return FROST_OK;
    }
    int perm[FROST_MAX_RANK];
    bool known;
    bool present = frost__has_input(c->node, 1);
    FROST_TRY(read_perm(c->node, c->err, x->rank, present ? c->in_dtype[1] : FROST_DTYPE_INVALID,
                        present ? &c->in_shape[1] : NULL, present ? c->in_data[1] : NULL, present,
                        perm, &known));
    if (!known) {
        FROST_TRY(frost__op_operand_unknown(c, "perm"));
        c->out_shape[0].rank = x->rank;
        for (int i = 0; i < x->rank; i++) c->out_shape[0].d[i] = -1;
        return FROST_OK;
    }
    frost__shape o = *x;
    for (int i = 0; i < x->rank; i++) o.d[i] = x->d[perm[i]];
    c->out_shape[0] = o;
    return FROST_OK;
}

static frost_status transpose_prepare(frost__step *st, const frost__prepare_ctx *pc) {
    const frost__shape *x = &pc->in_shape[0];
    int perm[FROST_MAX_RANK];
    bool known;
    bool present = frost__has_input(pc->node, 1);
    FROST_TRY(read_perm(pc->node, pc->err, x->rank, present ? pc->in_dtype[1] : FROST_DTYPE_INVALID,
                        present ? &pc->in_shape[1] : NULL, present ? pc->in_data[1] : NULL,
                        present, perm, &known));
    if (!known)
        return frost__op_fail(pc->node, pc->err, FROST_E_SHAPE, "perm is not known at plan time");
    frost__copy_plan *p = (frost__copy_plan *)st->state.bytes;
    plan_init(p, pc);
    int64_t xs[FROST_MAX_RANK];
    frost__shape_strides(x, xs);
    p->rank = x->rank;
    for (int i = 0; i < x->rank; i++) {
        p->dims[i] = x->d[perm[i]];
        p->strides[i] = xs[perm[i]];
    }
    return finish_copy(st, pc, p);
}

const frost__op_def frost__op_TRANSPOSE = {"Transpose", 0, transpose_infer, transpose_prepare,
                                           NULL};

/* ==== PAD ===================================================================================== */

/* Reads paddings [rank, 2] into before/after; returns false when unknown. */
static frost_status read_paddings(const frost__node *n, frost_error *err, int rank, frost_dtype t,
                                  const frost__shape *s, const void *data, int64_t *before,
                                  int64_t *after, bool *known) {
    *known = false;
    if (t != FROST_DTYPE_INVALID && !frost__dtype_is_int(t))
        return frost__op_fail(n, err, FROST_E_DTYPE, "paddings must be integer");
    if (s->rank >= 0) {
        bool ok = s->rank == 2 && (s->d[0] == rank || s->d[0] < 0) && (s->d[1] == 2 || s->d[1] < 0);
        if (!ok)
            return frost__op_fail(n, err, FROST_E_SHAPE, "paddings must be [%d, 2]", rank);
    }
    if (!data || s->rank < 0 || !frost__shape_known(s)) return FROST_OK;
    for (int i = 0; i < rank; i++) {
        before[i] = frost__read_int(t, data, 2 * i);
        after[i] = frost__read_int(t, data, 2 * i + 1);
    }
    *known = true;
    return FROST_OK;
}

static frost_status pad_infer(frost__infer_ctx *c) {
    const frost__node *n = c->node;
    const frost__shape *x = &c->in_shape[0];
    c->out_dtype[0] = c->in_dtype[0];
    if (n->p.pad.mode < FROST__PADMODE_CONSTANT || n->p.pad.mode > FROST__PADMODE_EDGE)
        return frost__op_fail(n, c->err, FROST_E_UNSUPPORTED, "pad mode %d", n->p.pad.mode);
    if (!frost__has_input(n, 1)) return frost__op_fail(n, c->err, FROST_E_SHAPE, "Pad needs paddings");
    if (x->rank < 0) {
        c->out_shape[0] = frost__shape_unknown();
        return FROST_OK;
    }
    int64_t before[FROST_MAX_RANK], after[FROST_MAX_RANK];
    bool known;
    FROST_TRY(read_paddings(n, c->err, x->rank, c->in_dtype[1], &c->in_shape[1], c->in_data[1],
                            before, after, &known));
    if (!known) {
        FROST_TRY(frost__op_operand_unknown(c, "paddings"));
        c->out_shape[0].rank = x->rank;
        for (int i = 0; i < x->rank; i++) c->out_shape[0].d[i] = -1;
        return FROST_OK;
    }
    frost__shape o = *x;
    for (int i = 0; i < x->rank; i++) {
        if (x->d[i] < 0) continue;
        int64_t d; /* paddings come from the file: any int64 (a fuzzed Pad overflowed the sum) */
        if (!frost__add_ok(x->d[i], before[i], &d) || !frost__add_ok(d, after[i], &d) || d < 0 ||
            before[i] > INT32_MAX || after[i] > INT32_MAX)
            return frost__op_fail(n, c->err, FROST_E_SHAPE, "paddings (%lld, %lld) on dim %d of %lld",
                                  (long long)before[i], (long long)after[i], i, (long long)x->d[i]);
        if (n->p.pad.mode != FROST__PADMODE_CONSTANT && x->d[i] == 0 && d > 0)
            return frost__op_fail(n, c->err, FROST_E_SHAPE, "cannot reflect/edge-pad an empty dim");
        o.d[i] = d;
    }
    c->out_shape[0] = o;
    return FROST_OK;
}

typedef struct pad_state {
    int rank, mode;
    size_t es;
    int64_t in_dims[FROST_MAX_RANK], before[FROST_MAX_RANK], out_dims[FROST_MAX_RANK];
    bool has_value;
} pad_state;

static frost_status pad_run(const frost__step *st, const frost__exec *ex) {
    const pad_state *s = (const pad_state *)st->state.bytes;
    static const uint64_t zero = 0;
    const void *value = s->has_value ? FROST_IN(st, ex, 2) : &zero;
    frost_k_pad__ref(s->rank, s->in_dims, s->before, s->out_dims, s->mode, value,
                     FROST_IN(st, ex, 0), FROST_OUT(st, ex, 0), s->es);
    return FROST_OK;
}

static frost_status pad_prepare(frost__step *st, const frost__prepare_ctx *pc) {
    pad_state *s = (pad_state *)st->state.bytes;
    const frost__shape *x = &pc->in_shape[0];
    int64_t after[FROST_MAX_RANK];
    bool known;
    FROST_TRY(read_paddings(pc->node, pc->err, x->rank, pc->in_dtype[1], &pc->in_shape[1],
                            pc->in_data[1], s->before, after, &known));
    if (!known)
        return frost__op_fail(pc->node, pc->err, FROST_E_SHAPE, "paddings not known at plan time");
    s->rank = x->rank;
    s->mode = pc->node->p.pad.mode;
    s->es = frost_dtype_size(pc->in_dtype[0]);
    for (int i = 0; i < x->rank; i++) {
        s->in_dims[i] = x->d[i];
        s->out_dims[i] = pc->out_shape[0].d[i];
    }
    s->has_value = frost__has_input(pc->node, 2);
    if (s->has_value) {
        if (pc->in_dtype[2] != pc->in_dtype[0] || frost__shape_numel(&pc->in_shape[2]) != 1)
            return frost__op_fail(pc->node, pc->err, FROST_E_SHAPE,
                                  "the pad value must be one %s", frost_dtype_name(pc->in_dtype[0]));
    }
    if (s->es == 0)
        return frost__op_fail(pc->node, pc->err, FROST_E_UNSUPPORTED, "Pad of %s",
                              frost_dtype_name(pc->in_dtype[0]));
    st->run = pad_run;
    return FROST_OK;
}

const frost__op_def frost__op_PAD = {"Pad", 0, pad_infer, pad_prepare, NULL};

/* ==== STRIDED_SLICE and SLICE ================================================================= */

/* The result of resolving a slice against an input shape: per input dim a start, step and count
 * (the "processing" shape), and the final shape after shrink/new axes. Counts are -1 when the
 * input dim is unknown. */
typedef struct slice_spec {
    int64_t begin[FROST_MAX_RANK], step[FROST_MAX_RANK], size[FROST_MAX_RANK];
    frost__shape out;
} slice_spec;

#define SS_MAX_SPARSE 32
enum { SS_NEW_AXIS = -1, SS_SHRINK = -2 };

/* TensorFlow's StridedSlice: expand the sparse spec (ellipsis, new axes) into one entry per
 * input dim, then canonicalize each entry with the begin/end masks. */
static frost_status strided_slice_resolve(const frost__node *n, frost_error *err,
                                          const frost__shape *x, int ns, const int64_t *begin,
                                          const int64_t *end, const int64_t *strides,
                                          slice_spec *r) {
    int32_t bm = n->p.strided_slice.begin_mask, em = n->p.strided_slice.end_mask;
    int32_t elm = n->p.strided_slice.ellipsis_mask, nam = n->p.strided_slice.new_axis_mask;
    int32_t sam = n->p.strided_slice.shrink_axis_mask;
    int rank = x->rank;
    if (ns > SS_MAX_SPARSE - 1)
        return frost__op_fail(n, err, FROST_E_LIMIT, "slice spec has %d entries", ns);
    /* without an ellipsis, one is implied after the last entry */
    int n_ellipsis = 0;
    for (int i = 0; i < ns; i++)
        if ((uint32_t)elm & (1u << i)) n_ellipsis++;
    if (n_ellipsis > 1)
        return frost__op_fail(n, err, FROST_E_SHAPE, "more than one ellipsis in the slice spec");
    bool has_ellipsis = n_ellipsis == 1;
    elm &= (int32_t)((1u << ns) - 1);
    int n_sparse = ns;
    if (!has_ellipsis) {
        elm |= (int32_t)(1u << ns);
        n_sparse = ns + 1;
    }
    /* dense entries: source (sparse index, or -1 for ellipsis-filled), flags */
    int64_t d_begin[FROST_MAX_RANK], d_end[FROST_MAX_RANK], d_stride[FROST_MAX_RANK];
    bool d_bm[FROST_MAX_RANK], d_em[FROST_MAX_RANK], d_shrink[FROST_MAX_RANK];
    int gather[SS_MAX_SPARSE + FROST_MAX_RANK]; /* final dims: dense index, SS_NEW_AXIS, SS_SHRINK */
    int n_gather = 0;
    int full = 0;
    for (int i = 0; i < n_sparse; i++) {
        uint32_t bit = 1u << i;
        if ((uint32_t)elm & bit) {
            /* the ellipsis covers every dim the entries after it do not consume */
            int after_real = 0;
            for (int j = i + 1; j < n_sparse; j++)
                if (!((uint32_t)nam & (1u << j))) after_real++;
            int next = rank - after_real;
            if (next > rank) next = rank;
            for (; full < next; full++) {
                d_begin[full] = 0;
                d_end[full] = 0;
                d_stride[full] = 1;
                d_bm[full] = d_em[full] = true;
                d_shrink[full] = false;
                gather[n_gather++] = full;
            }
            continue;
        }
        if ((uint32_t)nam & bit) {
            gather[n_gather++] = SS_NEW_AXIS;
            continue;
        }
        if (full >= rank)
            return frost__op_fail(n, err, FROST_E_SHAPE,
                                  "slice spec entry %d indexes past the input's rank %d", i, rank);
        d_begin[full] = begin[i];
        d_end[full] = end[i];
        d_stride[full] = strides[i];
        d_bm[full] = ((uint32_t)bm & bit) != 0;
        d_em[full] = ((uint32_t)em & bit) != 0;
        d_shrink[full] = ((uint32_t)sam & bit) != 0;
        gather[n_gather++] = d_shrink[full] ? SS_SHRINK : full;
        full++;
    }
    /* dims the spec never reached are taken whole (only possible with an explicit ellipsis
     * that consumed fewer dims; kept for safety) */
    for (; full < rank; full++) {
        d_begin[full] = d_end[full] = 0;
        d_stride[full] = 1;
        d_bm[full] = d_em[full] = true;
        d_shrink[full] = false;
        gather[n_gather++] = full;
    }
    for (int i = 0; i < rank; i++) {
        int64_t dim = x->d[i], s = d_stride[i];
        if (s == 0) return frost__op_fail(n, err, FROST_E_SHAPE, "stride %d is 0", i);
        r->step[i] = s;
        if (d_shrink[i]) {
            if (s < 0)
                return frost__op_fail(n, err, FROST_E_SHAPE,
                                      "only positive strides are allowed on indexed dim %d", i);
            r->size[i] = 1;
            if (dim < 0) {
                r->begin[i] = d_begin[i];
                continue;
            }
            int64_t b = d_begin[i] < 0 ? dim + d_begin[i] : d_begin[i];
            if (b < 0 || b >= dim)
                return frost__op_fail(n, err, FROST_E_SHAPE,
                                      "index %lld is out of bounds for dim %d of size %lld",
                                      (long long)d_begin[i], i, (long long)dim);
            r->begin[i] = b;
            continue;
        }
        if (dim < 0) {
            r->begin[i] = 0;
            r->size[i] = -1;
            continue;
        }
        /* valid range [lo, hi]: [0, dim] going forward, [-1, dim-1] going backward */
        int64_t lo = s > 0 ? 0 : -1, hi = s > 0 ? dim : dim - 1;
        int64_t b, e;
        if (d_bm[i]) b = s > 0 ? lo : hi;
        else {
            b = d_begin[i] < 0 ? dim + d_begin[i] : d_begin[i];
            b = b < lo ? lo : (b > hi ? hi : b);
        }
        if (d_em[i]) e = s > 0 ? hi : lo;
        else {
            e = d_end[i] < 0 ? dim + d_end[i] : d_end[i];
            e = e < lo ? lo : (e > hi ? hi : e);
        }
        int64_t len = e - b, size;
        if (len == 0 || ((len < 0) != (s < 0))) size = 0;
        else if (s > 0) size = (len - 1) / s + 1;
        else size = (len + 1) / s + 1; /* len < 0, s < 0 */
        r->begin[i] = b;
        r->size[i] = size;
    }
    frost__shape o = frost__shape_unknown();
    o.rank = 0;
    for (int k = 0; k < n_gather; k++) {
        if (gather[k] == SS_SHRINK) continue;
        if (o.rank >= FROST_MAX_RANK) return rank_limit(n, err, o.rank + 1);
        o.d[o.rank++] = gather[k] == SS_NEW_AXIS ? 1 : r->size[gather[k]];
    }
    r->out = o;
    return FROST_OK;
}

/* Reads begin/end/strides (inputs 1..3); false when any is unknown. */
static frost_status strided_slice_operands(const frost__node *n, frost_error *err,
                                           const frost_dtype *dt, const frost__shape *sh,
                                           const void *const *data, int64_t (*v)[SS_MAX_SPARSE],
                                           int *ns, bool *known) {
    static const char *const what[3] = {"begin", "end", "strides"};
    int cnt[3];
    *known = true;
    for (int k = 0; k < 3; k++) {
        frost_status st;
        if (!frost__has_input(n, k + 1)) {
            if (k == 2) { /* strides default to 1 */
                cnt[2] = cnt[0];
                for (int i = 0; i < SS_MAX_SPARSE; i++) v[2][i] = 1;
                continue;
            }
            return frost__op_fail(n, err, FROST_E_SHAPE, "StridedSlice needs %s", what[k]);
        }
        cnt[k] = read_operand(n, err, dt[k + 1], &sh[k + 1], data[k + 1], what[k], v[k],
                              SS_MAX_SPARSE - 1, &st);
        FROST_TRY(st);
        if (cnt[k] < 0) *known = false;
    }
    if (!*known) return FROST_OK;
    if (cnt[0] != cnt[1] || cnt[0] != cnt[2])
        return frost__op_fail(n, err, FROST_E_SHAPE,
                              "begin, end and strides have %d, %d and %d entries", cnt[0], cnt[1],
                              cnt[2]);
    *ns = cnt[0];
    return FROST_OK;
}

static frost_status strided_slice_infer(frost__infer_ctx *c) {
    const frost__node *n = c->node;
    c->out_dtype[0] = c->in_dtype[0];
    int64_t v[3][SS_MAX_SPARSE];
    int ns = 0;
    bool known;
    FROST_TRY(strided_slice_operands(n, c->err, c->in_dtype, c->in_shape, c->in_data, v, &ns,
                                     &known));
    if (!known) return frost__op_operand_unknown(c, "begin/end/strides");
    if (c->in_shape[0].rank < 0) {
        c->out_shape[0] = frost__shape_unknown();
        return FROST_OK;
    }
    slice_spec r;
    FROST_TRY(strided_slice_resolve(n, c->err, &c->in_shape[0], ns, v[0], v[1], v[2], &r));
    c->out_shape[0] = r.out;
    return FROST_OK;
}

static frost_status slice_plan(frost__step *st, const frost__prepare_ctx *pc, const slice_spec *r) {
    const frost__shape *x = &pc->in_shape[0];
    frost__copy_plan *p = (frost__copy_plan *)st->state.bytes;
    plan_init(p, pc);
    int64_t xs[FROST_MAX_RANK];
    frost__shape_strides(x, xs);
    p->rank = x->rank;
    bool empty = false;
    for (int i = 0; i < x->rank; i++) {
        p->dims[i] = r->size[i];
        /* A step only matters over 2+ elements, and then |step| < dim keeps the product in range;
         * over 0 or 1 elements it may be anything (INT64_MIN + 1 from a file), so never multiply. */
        p->strides[i] = r->size[i] > 1 ? xs[i] * r->step[i] : xs[i];
        if (r->size[i] == 0) empty = true;
    }
    if (!empty)
        for (int i = 0; i < x->rank; i++) p->offset += r->begin[i] * xs[i];
    return finish_copy(st, pc, p);
}

static frost_status strided_slice_prepare(frost__step *st, const frost__prepare_ctx *pc) {
    int64_t v[3][SS_MAX_SPARSE];
    int ns = 0;
    bool known;
    FROST_TRY(strided_slice_operands(pc->node, pc->err, pc->in_dtype, pc->in_shape, pc->in_data, v,
                                     &ns, &known));
    if (!known)
        return frost__op_fail(pc->node, pc->err, FROST_E_SHAPE,
                              "begin/end/strides are not known at plan time");
    slice_spec r;
    FROST_TRY(strided_slice_resolve(pc->node, pc->err, &pc->in_shape[0], ns, v[0], v[1], v[2], &r));
    return slice_plan(st, pc, &r);
}

const frost__op_def frost__op_STRIDED_SLICE = {"StridedSlice", 0, strided_slice_infer,
                                               strided_slice_prepare, NULL};

/* ONNX Slice: starts, ends, optional axes and steps; out-of-range values clamp. */
static frost_status onnx_slice_resolve(const frost__node *n, frost_error *err, const frost__shape *x,
                                       int cnt, const int64_t *starts, const int64_t *ends,
                                       const int64_t *axes, const int64_t *steps, slice_spec *r) {
    int rank = x->rank;
    bool seen[FROST_MAX_RANK] = {false};
    for (int i = 0; i < rank; i++) {
        r->begin[i] = 0;
        r->step[i] = 1;
        r->size[i] = x->d[i];
    }
    for (int k = 0; k < cnt; k++) {
        int a;
        int64_t av = axes ? axes[k] : k;
        if (!frost__norm_axis(av, rank, &a) || seen[a])
            return frost__op_fail(n, err, FROST_E_SHAPE, "slice axis %lld is bad for rank %d",
                                  (long long)av, rank);
        seen[a] = true;
        int64_t step = steps ? steps[k] : 1;
        if (step == 0) return frost__op_fail(n, err, FROST_E_SHAPE, "slice step is 0");
        if (step == INT64_MIN) step = -INT64_MAX;
        int64_t dim = x->d[a];
        r->step[a] = step;
        if (dim < 0) {
            r->size[a] = -1;
            continue;
        }
        int64_t s = starts[k], e = ends[k];
        if (s < 0) s += dim;
        if (e < 0) e += dim;
        int64_t size;
        if (step > 0) {
            s = s < 0 ? 0 : (s > dim ? dim : s);
            e = e < 0 ? 0 : (e > dim ? dim : e);
            size = e > s ? (e - s - 1) / step + 1 : 0;
        } else {
            s = s < 0 ? 0 : (s > dim - 1 ? dim - 1 : s);
            e = e < -1 ? -1 : (e > dim - 1 ? dim - 1 : e);
            size = s > e ? (s - e - 1) / (-step) + 1 : 0;
        }
        r->begin[a] = s;
        r->size[a] = size;
    }
    r->out = *x;
    for (int i = 0; i < rank; i++) r->out.d[i] = r->size[i];
    return FROST_OK;
}

static frost_status onnx_slice_operands(const frost__node *n, frost_error *err,
                                        const frost_dtype *dt, const frost__shape *sh,
                                        const void *const *data, int64_t (*v)[FROST_MAX_RANK],
                                        int *cnt, bool *has, bool *known) {
    static const char *const what[4] = {"starts", "ends", "axes", "steps"};
    *known = true;
    int c[4] = {0, 0, 0, 0};
    for (int k = 0; k < 4; k++) {
        has[k] = frost__has_input(n, k + 1);
        if (!has[k]) {
            if (k < 2) return frost__op_fail(n, err, FROST_E_SHAPE, "Slice needs %s", what[k]);
            continue;
        }
        frost_status st;
        c[k] = read_operand(n, err, dt[k + 1], &sh[k + 1], data[k + 1], what[k], v[k],
                            FROST_MAX_RANK, &st);
        FROST_TRY(st);
        if (c[k] < 0) *known = false;
    }
    if (!*known) return FROST_OK;
    if (c[1] != c[0] || (has[2] && c[2] != c[0]) || (has[3] && c[3] != c[0]))
        return frost__op_fail(n, err, FROST_E_SHAPE, "starts/ends/axes/steps lengths differ");
    *cnt = c[0];
    return FROST_OK;
}

static frost_status slice_infer(frost__infer_ctx *c) {
    c->out_dtype[0] = c->in_dtype[0];
    int64_t v[4][FROST_MAX_RANK];
    int cnt = 0;
    bool has[4], known;
    FROST_TRY(onnx_slice_operands(c->node, c->err, c->in_dtype, c->in_shape, c->in_data, v, &cnt,
                                  has, &known));
    const frost__shape *x = &c->in_shape[0];
    if (!known || x->rank < 0) {
        if (!known) FROST_TRY(frost__op_operand_unknown(c, "starts/ends/axes/steps"));
        c->out_shape[0] = frost__shape_unknown();
        if (x->rank >= 0) {
            c->out_shape[0].rank = x->rank;
            for (int i = 0; i < x->rank; i++) c->out_shape[0].d[i] = -1;
        }
        return FROST_OK;
    }
    slice_spec r;
    FROST_TRY(onnx_slice_resolve(c->node, c->err, x, cnt, v[0], v[1], has[2] ? v[2] : NULL,
                                 has[3] ? v[3] : NULL, &r));
    c->out_shape[0] = r.out;
    return FROST_OK;
}

static frost_status slice_prepare(frost__step *st, const frost__prepare_ctx *pc) {
    int64_t v[4][FROST_MAX_RANK];
    int cnt = 0;
    bool has[4], known;
    FROST_TRY(onnx_slice_operands(pc->node, pc->err, pc->in_dtype, pc->in_shape, pc->in_data, v,
                                  &cnt, has, &known));
    if (!known)
        return frost__op_fail(pc->node, pc->err, FROST_E_SHAPE,
                              "slice operands are not known at plan time");
    slice_spec r;
    FROST_TRY(onnx_slice_resolve(pc->node, pc->err, &pc->in_shape[0], cnt, v[0], v[1],
                                 has[2] ? v[2] : NULL, has[3] ? v[3] : NULL, &r));
    return slice_plan(st, pc, &r);
}

const frost__op_def frost__op_SLICE = {"Slice", 0, slice_infer, slice_prepare, NULL};

/* ==== TILE ==================================================================================== */

static frost_status tile_infer(frost__infer_ctx *c) {
    const frost__node *n = c->node;
    const frost__shape *x = &c->in_shape[0];
    c->out_dtype[0] = c->in_dtype[0];
    if (!frost__has_input(n, 1)) return frost__op_fail(n, c->err, FROST_E_SHAPE, "Tile needs multiples");
    int64_t m[FROST_MAX_RANK];
    int nm;
    READ_IN(c, 1, "multiples", m, FROST_MAX_RANK, nm);
    if (nm < 0 || x->rank < 0) {
        if (nm < 0) FROST_TRY(frost__op_operand_unknown(c, "multiples"));
        c->out_shape[0] = frost__shape_unknown();
        if (x->rank >= 0) {
            c->out_shape[0].rank = x->rank;
            for (int i = 0; i < x->rank; i++) c->out_shape[0].d[i] = -1;
        }
        return FROST_OK;
    }
    if (nm != x->rank)
        return frost__op_fail(n, c->err, FROST_E_SHAPE, "%d multiples for rank %d", nm, x->rank);
    frost__shape o = *x;
    for (int i = 0; i < x->rank; i++) {
        if (m[i] < 0)
            return frost__op_fail(n, c->err, FROST_E_SHAPE, "multiple %d is %lld", i,
                                  (long long)m[i]);
        if (x->d[i] >= 0 && !frost__mul_ok(x->d[i], m[i], &o.d[i]))
            return frost__op_fail(n, c->err, FROST_E_LIMIT, "tiled dim %d overflows", i);
    }
    c->out_shape[0] = o;
    return FROST_OK;
}

static frost_status tile_prepare(frost__step *st, const frost__prepare_ctx *pc) {
    const frost__shape *x = &pc->in_shape[0];
    frost__copy_plan *p = (frost__copy_plan *)st->state.bytes;
    plan_init(p, pc);
    int64_t xs[FROST_MAX_RANK];
    frost__shape_strides(x, xs);
    p->rank = 2 * x->rank;
    for (int i = 0; i < x->rank; i++) {
        /* output dim i of size m*d is (repeat m, index d) */
        p->dims[2 * i] = x->d[i] ? pc->out_shape[0].d[i] / x->d[i] : 0;
        p->strides[2 * i] = 0;
        p->dims[2 * i + 1] = x->d[i];
        p->strides[2 * i + 1] = xs[i];
    }
    return finish_copy(st, pc, p);
}

const frost__op_def frost__op_TILE = {"Tile", 0, tile_infer, tile_prepare, NULL};

/* ==== EXPAND ================================================================================== */

static frost_status expand_infer(frost__infer_ctx *c) {
    const frost__node *n = c->node;
    c->out_dtype[0] = c->in_dtype[0];
    if (!frost__has_input(n, 1)) return frost__op_fail(n, c->err, FROST_E_SHAPE, "Expand needs a shape");
    int64_t v[FROST_MAX_RANK];
    int nv;
    READ_IN(c, 1, "shape", v, FROST_MAX_RANK, nv);
    if (nv < 0) return frost__op_operand_unknown(c, "shape");
    for (int i = 0; i < nv; i++)
        if (v[i] < 0)
            return frost__op_fail(n, c->err, FROST_E_SHAPE, "shape entry %d is %lld", i,
                                  (long long)v[i]);
    frost__shape s = frost__shape_make(nv, v), o;
    if (!frost__shape_broadcast(&c->in_shape[0], &s, &o)) {
        char a[96], b[96];
        return frost__op_fail(n, c->err, FROST_E_SHAPE, "cannot broadcast %s to %s",
                              frost__shape_str(&c->in_shape[0], a, sizeof a),
                              frost__shape_str(&s, b, sizeof b));
    }
    c->out_shape[0] = o;
    return FROST_OK;
}

static frost_status expand_prepare(frost__step *st, const frost__prepare_ctx *pc) {
    const frost__shape *x = &pc->in_shape[0], *o = &pc->out_shape[0];
    frost__copy_plan *p = (frost__copy_plan *)st->state.bytes;
    plan_init(p, pc);
    if (x->rank > o->rank)
        return frost__op_fail(pc->node, pc->err, FROST_E_SHAPE, "expand to a lower rank");
    int64_t xs[FROST_MAX_RANK];
    frost__shape_strides(x, xs);
    p->rank = o->rank;
    int off = o->rank - x->rank;
    for (int i = 0; i < o->rank; i++) {
        int j = i - off;
        p->dims[i] = o->d[i];
        p->strides[i] = (j < 0 || x->d[j] == 1) ? 0 : xs[j];
        if (j >= 0 && x->d[j] != 1 && x->d[j] != o->d[i])
            return frost__op_fail(pc->node, pc->err, FROST_E_SHAPE, "bad expand");
    }
    return finish_copy(st, pc, p);
}

const frost__op_def frost__op_EXPAND = {"Expand", 0, expand_infer, expand_prepare, NULL};

/* ==== GATHER ================================================================================== */

static frost_status gather_axis(const frost__node *n, frost_error *err, const frost_dtype *dt,
                                 const frost__shape *sh, const void *const *data, int64_t *axis,
                                 bool *known) {
    *known = true;
    *axis = 0;
    if (!frost__has_input(n, 2)) return FROST_OK;
    frost_status st;
    int na = read_operand(n, err, dt[2], &sh[2], data[2], "axis", axis, 1, &st);
    FROST_TRY(st);
    if (na == 0) return frost__op_fail(n, err, FROST_E_SHAPE, "axis must be a scalar");
    if (na < 0) *known = false;
    return FROST_OK;
}

static frost_status gather_infer(frost__infer_ctx *c) {
    const frost__node *n = c->node;
    const frost__shape *x = &c->in_shape[0], *idx = &c->in_shape[1];
    c->out_dtype[0] = c->in_dtype[0];
    if (c->in_dtype[1] != FROST_DTYPE_INVALID && !frost__dtype_is_int(c->in_dtype[1]))
        return frost__op_fail(n, c->err, FROST_E_DTYPE, "indices must be integer, are %s",
                              frost_dtype_name(c->in_dtype[1]));
    int64_t axis_v;
    bool known;
    FROST_TRY(gather_axis(n, c->err, c->in_dtype, c->in_shape, c->in_data, &axis_v, &known));
    if (!known) return frost__op_operand_unknown(c, "axis");
    if (x->rank < 0 || idx->rank < 0) {
        c->out_shape[0] = frost__shape_unknown();
        return FROST_OK;
    }
    int axis, bd = n->p.gather.batch_dims;
    if (!frost__norm_axis(axis_v, x->rank, &axis))
        return frost__op_fail(n, c->err, FROST_E_SHAPE, "axis %lld is out of range for rank %d",
                              (long long)axis_v, x->rank);
    if (bd < 0) bd += idx->rank;
    if (bd < 0 || bd > idx->rank || bd > axis)
        return frost__op_fail(n, c->err, FROST_E_SHAPE, "batch_dims %d is bad (axis %d)",
                              n->p.gather.batch_dims, axis);
    for (int i = 0; i < bd; i++)
        if (x->d[i] >= 0 && idx->d[i] >= 0 && x->d[i] != idx->d[i])
            return frost__op_fail(n, c->err, FROST_E_SHAPE, "batch dim %d differs", i);
    int r = x->rank - 1 + idx->rank - bd;
    if (r > FROST_MAX_RANK) return rank_limit(n, c->err, r);
    frost__shape o = frost__shape_unknown();
    o.rank = 0;
    for (int i = 0; i < axis; i++) o.d[o.rank++] = x->d[i];
    for (int i = bd; i < idx->rank; i++) o.d[o.rank++] = idx->d[i];
    for (int i = axis + 1; i < x->rank; i++) o.d[o.rank++] = x->d[i];
    c->out_shape[0] = o;
    return FROST_OK;
}

typedef struct gather_state {
    int64_t batch, outer, n, m, inner; /* x viewed as [batch, outer, n, inner], indices [batch, m] */
    size_t es;
    frost_dtype idx_dtype;
} gather_state;

static frost_status gather_run(const frost__step *st, const frost__exec *ex) {
    const gather_state *s = (const gather_state *)st->state.bytes;
    const unsigned char *x = FROST_IN(st, ex, 0);
    const void *idx = FROST_IN(st, ex, 1);
    unsigned char *out = FROST_OUT(st, ex, 0);
    size_t chunk = (size_t)s->inner * s->es;
    /* validate first so a bad index leaves no half-written output behind */
    int64_t total = s->batch * s->m;
    for (int64_t i = 0; i < total; i++) {
        int64_t v = frost__read_int(s->idx_dtype, idx, i);
        if (v < -s->n || v >= s->n)
            return frost__op_fail(st->node, ex->err, FROST_E_INVALID_ARG,
                                  "index %lld (at %lld) is out of range [%lld, %lld)",
                                  (long long)v, (long long)i, (long long)-s->n, (long long)s->n);
    }
    if (chunk == 0) return FROST_OK;
    for (int64_t b = 0; b < s->batch; b++) {
        for (int64_t o = 0; o < s->outer; o++) {
            const unsigned char *xb = x + (size_t)((b * s->outer + o) * s->n) * chunk;
            unsigned char *ob = out + (size_t)((b * s->outer + o) * s->m) * chunk;
            for (int64_t k = 0; k < s->m; k++) {
                int64_t v = frost__read_int(s->idx_dtype, idx, b * s->m + k);
                if (v < 0) v += s->n;
                const unsigned char *src = xb + (size_t)v * chunk;
                unsigned char *dst = ob + (size_t)k * chunk;
                if (chunk == 4) memcpy(dst, src, 4);
                else if (chunk == 8) memcpy(dst, src, 8);
                else memcpy(dst, src, chunk);
            }
        }
    }
    return FROST_OK;
}

static frost_status gather_prepare(frost__step *st, const frost__prepare_ctx *pc) {
    gather_state *s = (gather_state *)st->state.bytes;
    const frost__shape *x = &pc->in_shape[0], *idx = &pc->in_shape[1];
    int64_t axis_v;
    bool known;
    FROST_TRY(gather_axis(pc->node, pc->err, pc->in_dtype, pc->in_shape, pc->in_data, &axis_v,
                          &known));
    int axis, bd = pc->node->p.gather.batch_dims;
    if (bd < 0) bd += idx->rank;
    if (!known || !frost__norm_axis(axis_v, x->rank, &axis) || bd < 0 || bd > axis)
        return frost__op_fail(pc->node, pc->err, FROST_E_SHAPE, "bad gather axis");
    s->batch = prod_dims(x, 0, bd);
    s->outer = prod_dims(x, bd, axis);
    s->n = x->d[axis];
    s->inner = prod_dims(x, axis + 1, x->rank);
    s->m = prod_dims(idx, bd, idx->rank);
    s->es = frost_dtype_size(pc->in_dtype[0]);
    s->idx_dtype = pc->in_dtype[1];
    if (!frost__dtype_is_int(s->idx_dtype) || s->es == 0)
        return frost__op_fail(pc->node, pc->err, FROST_E_DTYPE, "Gather of %s by %s",
                              frost_dtype_name(pc->in_dtype[0]), frost_dtype_name(s->idx_dtype));
    st->run = gather_run;
    return FROST_OK;
}

const frost__op_def frost__op_GATHER = {"Gather", 0, gather_infer, gather_prepare, NULL};
