/* index.c — ops addressed by index tuples: GATHER_ND (TF GatherNd: each row of `indices` picks a
 * slice of x) and SPARSE_TO_DENSE (TF SparseToDense: a default-filled tensor with values written at
 * listed positions; a position listed twice keeps the later value, as TF.js does).
 *
 * Any dtype (elements are copied). An index outside its dimension fails the run naming it, before
 * anything is written; run never allocates. The dense shape of SPARSE_TO_DENSE must be known when
 * planning. */
#include "ops/op.h"

/* ==== GATHER_ND ============================================================================== */

static frost_status gather_nd_infer(frost__infer_ctx *c) {
    const frost__node *n = c->node;
    const frost__shape *x = &c->in_shape[0], *idx = &c->in_shape[1];
    c->out_dtype[0] = c->in_dtype[0];
    if (c->in_dtype[1] != FROST_DTYPE_INVALID && !frost__dtype_is_int(c->in_dtype[1]))
        return frost__op_fail(n, c->err, FROST_E_DTYPE, "indices must be integer, are %s",
                              frost_dtype_name(c->in_dtype[1]));
    if (x->rank < 0 || idx->rank < 0 || (idx->rank > 0 && idx->d[idx->rank - 1] < 0)) {
        if (c->planning) return frost__op_fail(n, c->err, FROST_E_SHAPE, "unknown shapes");
        c->out_shape[0] = frost__shape_unknown();
        return FROST_OK;
    }
    if (idx->rank < 1)
        return frost__op_fail(n, c->err, FROST_E_SHAPE, "indices need a rank of at least 1");
    int64_t q = idx->d[idx->rank - 1];
    if (q > x->rank)
        return frost__op_fail(n, c->err, FROST_E_SHAPE,
                              "index tuples of %lld entries into a tensor of rank %d", (long long)q,
                              x->rank);
    int r = idx->rank - 1 + x->rank - (int)q;
    if (r > FROST_MAX_RANK)
        return frost__op_fail(n, c->err, FROST_E_LIMIT, "the output would have rank %d > %d", r,
                              FROST_MAX_RANK);
    frost__shape o = frost__shape_make(0, NULL);
    for (int i = 0; i < idx->rank - 1; i++) o.d[o.rank++] = idx->d[i];
    for (int i = (int)q; i < x->rank; i++) o.d[o.rank++] = x->d[i];
    c->out_shape[0] = o;
    return FROST_OK;
}

typedef struct gather_nd_state {
    int64_t m, q, inner;            /* m tuples of q entries, each picking `inner` elements  */
    int64_t dims[FROST_MAX_RANK];   /* x's first q dims                                     */
    int64_t stride[FROST_MAX_RANK]; /* in elements                                          */
    size_t es;
    frost_dtype idx_dt;
} gather_nd_state;

static frost_status gather_nd_run(const frost__step *st, const frost__exec *ex) {
    const gather_nd_state *s = (const gather_nd_state *)st->state.bytes;
    const unsigned char *x = FROST_IN(st, ex, 0);
    const void *idx = FROST_IN(st, ex, 1);
    unsigned char *out = FROST_OUT(st, ex, 0);
    for (int64_t t = 0; t < s->m; t++)
        for (int64_t j = 0; j < s->q; j++) {
            int64_t v = frost__read_int(s->idx_dt, idx, t * s->q + j);
            if (v < 0 || v >= s->dims[j])
                return frost__op_fail(st->node, ex->err, FROST_E_INVALID_ARG,
                                      "index tuple %lld: entry %lld is %lld, outside [0, %lld)",
                                      (long long)t, (long long)j, (long long)v,
                                      (long long)s->dims[j]);
        }
    size_t chunk = (size_t)s->inner * s->es;
    for (int64_t t = 0; t < s->m && chunk; t++) {
        int64_t off = 0;
        for (int64_t j = 0; j < s->q; j++) off += frost__read_int(s->idx_dt, idx, t * s->q + j) * s->stride[j];
        memcpy(out + (size_t)t * chunk, x + (size_t)off * s->es, chunk);
    }
    return FROST_OK;
}

static frost_status gather_nd_prepare(frost__step *st, const frost__prepare_ctx *pc) {
    gather_nd_state *s = (gather_nd_state *)st->state.bytes;
    const frost__shape *x = &pc->in_shape[0], *idx = &pc->in_shape[1];
    s->q = idx->d[idx->rank - 1];
    s->m = 1;
    for (int i = 0; i < idx->rank - 1; i++) s->m *= idx->d[i];
    int64_t strides[FROST_MAX_RANK];
    frost__shape_strides(x, strides);
    for (int64_t j = 0; j < s->q; j++) {
        s->dims[j] = x->d[j];
        s->stride[j] = strides[j];
    }
    s->inner = 1;
    for (int i = (int)s->q; i < x->rank; i++) s->inner *= x->d[i];
    s->es = frost_dtype_size(pc->in_dtype[0]);
    s->idx_dt = pc->in_dtype[1];
    if (s->es == 0 || !frost__dtype_is_int(s->idx_dt))
        return frost__op_fail(pc->node, pc->err, FROST_E_DTYPE, "GatherNd of %s by %s",
                              frost_dtype_name(pc->in_dtype[0]), frost_dtype_name(s->idx_dt));
    st->run = gather_nd_run;
    return FROST_OK;
}

const frost__op_def frost__op_GATHER_ND = {"GatherND", 0, gather_nd_infer, gather_nd_prepare, NULL};

/* ==== SPARSE_TO_DENSE ======================================================================== */

static frost_status sparse_infer(frost__infer_ctx *c) {
    const frost__node *n = c->node;
    c->out_dtype[0] = c->in_dtype[2];
    if (c->in_dtype[0] != FROST_DTYPE_INVALID && !frost__dtype_is_int(c->in_dtype[0]))
        return frost__op_fail(n, c->err, FROST_E_DTYPE, "indices must be integer, are %s",
                              frost_dtype_name(c->in_dtype[0]));
    if (c->in_dtype[3] != FROST_DTYPE_INVALID && c->in_dtype[2] != FROST_DTYPE_INVALID &&
        c->in_dtype[3] != c->in_dtype[2])
        return frost__op_fail(n, c->err, FROST_E_DTYPE, "values are %s but the default is %s",
                              frost_dtype_name(c->in_dtype[2]), frost_dtype_name(c->in_dtype[3]));
    int64_t dims[FROST_MAX_RANK + 1];
    int r = frost__read_int_operand(c->in_dtype[1], &c->in_shape[1], c->in_data[1], dims,
                                    FROST_MAX_RANK + 1);
    if (r < 0) return frost__op_operand_unknown(c, "output_shape");
    if (r > FROST_MAX_RANK)
        return frost__op_fail(n, c->err, FROST_E_LIMIT, "output rank %d > %d", r, FROST_MAX_RANK);
    for (int i = 0; i < r; i++)
        if (dims[i] < 0)
            return frost__op_fail(n, c->err, FROST_E_SHAPE, "output dimension %d is %lld", i,
                                  (long long)dims[i]);
    const frost__shape *idx = &c->in_shape[0];
    if (idx->rank > 2 || (idx->rank == 2 && idx->d[1] >= 0 && idx->d[1] != r) ||
        (idx->rank < 2 && idx->rank >= 0 && r != 1))
        return frost__op_fail(n, c->err, FROST_E_SHAPE,
                              "indices of rank %d do not address a rank-%d output", idx->rank, r);
    c->out_shape[0] = frost__shape_make(r, dims);
    return FROST_OK;
}

typedef struct sparse_state {
    int64_t n_entries, r, numel;
    int64_t dims[FROST_MAX_RANK], stride[FROST_MAX_RANK];
    bool values_scalar;
    size_t es;
    frost_dtype idx_dt;
} sparse_state;

static frost_status sparse_run(const frost__step *st, const frost__exec *ex) {
    const sparse_state *s = (const sparse_state *)st->state.bytes;
    const void *idx = FROST_IN(st, ex, 0);
    const unsigned char *vals = FROST_IN(st, ex, 2), *def = FROST_IN(st, ex, 3);
    unsigned char *out = FROST_OUT(st, ex, 0);
    for (int64_t e = 0; e < s->n_entries; e++)
        for (int64_t j = 0; j < s->r; j++) {
            int64_t v = frost__read_int(s->idx_dt, idx, e * s->r + j);
            if (v < 0 || v >= s->dims[j])
                return frost__op_fail(st->node, ex->err, FROST_E_INVALID_ARG,
                                      "sparse index %lld: entry %lld is %lld, outside [0, %lld)",
                                      (long long)e, (long long)j, (long long)v,
                                      (long long)s->dims[j]);
        }
    for (int64_t i = 0; i < s->numel; i++) memcpy(out + (size_t)i * s->es, def, s->es);
    for (int64_t e = 0; e < s->n_entries; e++) {
        int64_t off = 0;
        for (int64_t j = 0; j < s->r; j++) off += frost__read_int(s->idx_dt, idx, e * s->r + j) * s->stride[j];
        memcpy(out + (size_t)off * s->es, vals + (s->values_scalar ? 0 : (size_t)e * s->es), s->es);
    }
    return FROST_OK;
}

static frost_status sparse_prepare(frost__step *st, const frost__prepare_ctx *pc) {
    sparse_state *s = (sparse_state *)st->state.bytes;
    const frost__node *n = pc->node;
    const frost__shape *idx = &pc->in_shape[0], *vals = &pc->in_shape[2], *o = &pc->out_shape[0];
    s->r = o->rank;
    s->n_entries = idx->rank == 0 ? 1 : idx->d[0];
    s->values_scalar = vals->rank == 0;
    if (!s->values_scalar && (vals->rank != 1 || vals->d[0] != s->n_entries))
        return frost__op_fail(n, pc->err, FROST_E_SHAPE, "%lld indices but values of rank %d",
                              (long long)s->n_entries, vals->rank);
    if (frost__shape_numel(&pc->in_shape[3]) != 1)
        return frost__op_fail(n, pc->err, FROST_E_SHAPE, "the default value must be a scalar");
    frost__shape_strides(o, s->stride);
    for (int j = 0; j < o->rank; j++) s->dims[j] = o->d[j];
    s->numel = frost__shape_numel(o);
    s->es = frost_dtype_size(pc->in_dtype[2]);
    s->idx_dt = pc->in_dtype[0];
    if (s->es == 0)
        return frost__op_fail(n, pc->err, FROST_E_DTYPE, "SparseToDense of %s",
                              frost_dtype_name(pc->in_dtype[2]));
    st->run = sparse_run;
    return FROST_OK;
}

const frost__op_def frost__op_SPARSE_TO_DENSE = {"SparseToDense", 0, sparse_infer, sparse_prepare,
                                                 NULL};
