/* eltwise.c — the elementwise ops: CAST, UNARY, BINARY (numpy broadcasting), ADD_N and SELECT.
 *
 * infer derives dtypes and broadcast shapes (unknown dims stay unknown); prepare plans the broadcast
 * once (collapsed dims, per-operand strides, the inner loop for the dtype) into the step state; run
 * only walks that plan, splitting large tensors over the session's pool. run never allocates and
 * never fails on data values (see kernels/eltwise.h for the integer and cast conventions). */
#include "kernels/select.h"
#include "ops/op.h"

/* Below this many elements a pool hand-off costs more than it saves. */
#define PARALLEL_MIN_ELEMS (1 << 16)

static frost_dtype common_dtype(const frost__infer_ctx *c, int i, int j) {
    frost_dtype a = c->in_dtype[i], b = c->in_dtype[j];
    return a == FROST_DTYPE_INVALID ? b : a;
}

static frost_status dtype_mismatch(const frost__node *n, frost_error *err, frost_dtype a,
                                   frost_dtype b) {
    return frost__op_fail(n, err, FROST_E_DTYPE, "operands have different dtypes (%s and %s)",
                          frost_dtype_name(a), frost_dtype_name(b));
}

static frost_status broadcast_fail(const frost__node *n, frost_error *err, const frost__shape *a,
                                   const frost__shape *b) {
    char sa[96], sb[96];
    return frost__op_fail(n, err, FROST_E_SHAPE, "shapes %s and %s do not broadcast",
                          frost__shape_str(a, sa, sizeof sa), frost__shape_str(b, sb, sizeof sb));
}

/* ==== CAST ==================================================================================== */

/* BF16 converts in the kernel but stays off here until the ONNX conformance harness feeds bf16
 * test data (stored as uint16) as bf16. */
static bool castable(frost_dtype t) {
    return (frost__dtype_is_float(t) && t != FROST_DTYPE_BF16) || frost__dtype_is_int(t);
}

static frost_status cast_infer(frost__infer_ctx *c) {
    frost_dtype to = (frost_dtype)c->node->p.cast.to;
    if (!castable(to))
        return frost__op_fail(c->node, c->err, FROST_E_UNSUPPORTED, "cast to %s is not supported",
                              frost_dtype_name(to));
    if (c->in_dtype[0] != FROST_DTYPE_INVALID && !castable(c->in_dtype[0]))
        return frost__op_fail(c->node, c->err, FROST_E_UNSUPPORTED,
                              "cast from %s is not supported", frost_dtype_name(c->in_dtype[0]));
    c->out_dtype[0] = to;
    c->out_shape[0] = c->in_shape[0];
    return FROST_OK;
}

typedef struct cast_state {
    frost_dtype from, to;
    int64_t n;
    size_t es_in, es_out;
} cast_state;

typedef struct cast_task {
    const cast_state *s;
    const unsigned char *x;
    unsigned char *y;
} cast_task;

static void cast_chunk(void *arg, int64_t b, int64_t e, int worker) {
    const cast_task *t = arg;
    frost_k_cast__ref(t->s->from, t->x + (size_t)b * t->s->es_in, t->s->to,
                      t->y + (size_t)b * t->s->es_out, e - b);
}

static frost_status cast_run(const frost__step *st, const frost__exec *ex) {
    const cast_state *s = (const cast_state *)st->state.bytes;
    cast_task t = {s, FROST_IN(st, ex, 0), FROST_OUT(st, ex, 0)};
    frost__parallel_for(ex->pool, s->n, PARALLEL_MIN_ELEMS, cast_chunk, &t);
    return FROST_OK;
}

static frost_status cast_prepare(frost__step *st, const frost__prepare_ctx *pc) {
    cast_state *s = (cast_state *)st->state.bytes;
    s->from = pc->in_dtype[0];
    s->to = pc->out_dtype[0];
    if (!castable(s->from) || !castable(s->to))
        return frost__op_fail(pc->node, pc->err, FROST_E_UNSUPPORTED, "cast %s -> %s",
                              frost_dtype_name(s->from), frost_dtype_name(s->to));
    s->n = frost__shape_numel(&pc->in_shape[0]);
    s->es_in = frost_dtype_size(s->from);
    s->es_out = frost_dtype_size(s->to);
    st->run = cast_run;
    return FROST_OK;
}

const frost__op_def frost__op_CAST = {"Cast", 0, cast_infer, cast_prepare, NULL};

/* ==== UNARY =================================================================================== */

static frost_status unary_infer(frost__infer_ctx *c) {
    int fn = c->node->p.unary.fn;
    frost_dtype in = c->in_dtype[0];
    if (fn < 0 || fn >= FROST__UN_COUNT)
        return frost__op_fail(c->node, c->err, FROST_E_UNSUPPORTED, "unknown unary function %d", fn);
    if (in != FROST_DTYPE_INVALID && !frost_k_unary_supported(fn, in))
        return frost__op_fail(c->node, c->err, FROST_E_UNSUPPORTED,
                              "unary function %d is not supported for %s", fn,
                              frost_dtype_name(in));
    c->out_dtype[0] = (fn == FROST__UN_ISNAN || fn == FROST__UN_ISINF) ? FROST_DTYPE_BOOL : in;
    c->out_shape[0] = c->in_shape[0];
    return FROST_OK;
}

typedef struct unary_state {
    frost__f32_unary_fn f32;   /* the ISA's f32 loop; NULL for other dtypes */
    int fn;
    frost_dtype in;
    float alpha, beta;
    int64_t n;
    size_t es_in, es_out;
} unary_state;

typedef struct unary_task {
    const unary_state *s;
    const unsigned char *x;
    unsigned char *y;
} unary_task;

static void unary_chunk(void *arg, int64_t b, int64_t e, int worker) {
    const unary_task *t = arg;
    const unary_state *s = t->s;
    if (s->f32)
        s->f32(s->fn, (const float *)t->x + b, (float *)t->y + b, e - b, s->alpha, s->beta);
    else
        frost_k_unary__ref(s->fn, s->in, t->x + (size_t)b * s->es_in,
                           t->y + (size_t)b * s->es_out, e - b, s->alpha, s->beta);
}

static frost_status unary_run(const frost__step *st, const frost__exec *ex) {
    const unary_state *s = (const unary_state *)st->state.bytes;
    unary_task t = {s, FROST_IN(st, ex, 0), FROST_OUT(st, ex, 0)};
    /* transcendental functions cost ~10x an add: split them earlier */
    int64_t grain = s->fn <= FROST__UN_ACT_LAST ? PARALLEL_MIN_ELEMS / 8 : PARALLEL_MIN_ELEMS;
    frost__parallel_for(ex->pool, s->n, grain, unary_chunk, &t);
    return FROST_OK;
}

static frost_status unary_prepare(frost__step *st, const frost__prepare_ctx *pc) {
    unary_state *s = (unary_state *)st->state.bytes;
    s->fn = pc->node->p.unary.fn;
    s->in = pc->in_dtype[0];
    s->alpha = pc->node->p.unary.alpha;
    s->beta = pc->node->p.unary.beta;
    if (!frost_k_unary_supported(s->fn, s->in))
        return frost__op_fail(pc->node, pc->err, FROST_E_UNSUPPORTED,
                              "unary function %d is not supported for %s", s->fn,
                              frost_dtype_name(s->in));
    s->n = frost__shape_numel(&pc->in_shape[0]);
    s->es_in = frost_dtype_size(s->in);
    s->es_out = frost_dtype_size(pc->out_dtype[0]);
    bool f32_loop = s->in == FROST_DTYPE_F32 && s->fn != FROST__UN_ISNAN &&
                    s->fn != FROST__UN_ISINF && s->fn != FROST__UN_NOT;
    s->f32 = f32_loop ? frost__f32_unary_pick(pc->cpu) : NULL;
    st->run = unary_run;
    return FROST_OK;
}

const frost__op_def frost__op_UNARY = {"Unary", 0, unary_infer, unary_prepare, NULL};

/* ==== BINARY ================================================================================== */

static frost_status binary_infer(frost__infer_ctx *c) {
    int fn = c->node->p.binary.fn;
    if (fn < 0 || fn >= FROST__BIN_COUNT)
        return frost__op_fail(c->node, c->err, FROST_E_UNSUPPORTED, "unknown binary function %d",
                              fn);
    frost_dtype a = c->in_dtype[0], b = c->in_dtype[1];
    if (a != FROST_DTYPE_INVALID && b != FROST_DTYPE_INVALID && a != b)
        return dtype_mismatch(c->node, c->err, a, b);
    frost_dtype t = common_dtype(c, 0, 1);
    if (t != FROST_DTYPE_INVALID) {
        c->out_dtype[0] = frost_k_binary_out_dtype(fn, t);
        if (c->out_dtype[0] == FROST_DTYPE_INVALID)
            return frost__op_fail(c->node, c->err, FROST_E_UNSUPPORTED,
                                  "binary function %d is not supported for %s", fn,
                                  frost_dtype_name(t));
    } else {
        c->out_dtype[0] = (fn >= FROST__BIN_EQUAL && fn <= FROST__BIN_XOR) ? FROST_DTYPE_BOOL
                                                                           : FROST_DTYPE_INVALID;
    }
    if (!frost__shape_broadcast(&c->in_shape[0], &c->in_shape[1], &c->out_shape[0]))
        return broadcast_fail(c->node, c->err, &c->in_shape[0], &c->in_shape[1]);
    return FROST_OK;
}

typedef struct binary_state {
    frost__bcast plan;
    frost__binary_loop loop;
    size_t ea, eb, eo;
    int64_t rows, inner;
    int short_vec;          /* 0, or 1 / 2: rows shorter than FROST_SHORT_ROW_MAX against a
                             * vector b / a (tiled into whole rows at run) */
} binary_state;

typedef struct binary_task {
    const binary_state *s;
    const unsigned char *a, *b;
    unsigned char *out;
} binary_task;

static void binary_row_chunk(void *arg, int64_t r0, int64_t r1, int worker) {
    const binary_task *t = arg;
    const binary_state *s = t->s;
    frost_k_binary_rows__ref(&s->plan, s->loop, t->a, s->ea, t->b, s->eb, t->out, s->eo, r0, r1);
}

/* A single (collapsed) row split by elements. */
static void binary_elem_chunk(void *arg, int64_t e0, int64_t e1, int worker) {
    const binary_task *t = arg;
    const binary_state *s = t->s;
    int sa = s->plan.sa[0] != 0, sb = s->plan.sb[0] != 0;
    s->loop(t->a + (size_t)(e0 * sa) * s->ea, t->b + (size_t)(e0 * sb) * s->eb,
            t->out + (size_t)e0 * s->eo, e1 - e0, sa, sb);
}

static void binary_short_chunk(void *arg, int64_t r0, int64_t r1, int worker) {
    const binary_task *t = arg;
    const binary_state *s = t->s;
    frost_k_binary_short_rows__ref(s->loop, t->a, s->ea, t->b, s->eb, t->out, s->eo, s->inner,
                                   s->short_vec == 1, r0, r1);
}

static frost_status binary_run(const frost__step *st, const frost__exec *ex) {
    const binary_state *s = (const binary_state *)st->state.bytes;
    binary_task t = {s, FROST_IN(st, ex, 0), FROST_IN(st, ex, 1), FROST_OUT(st, ex, 0)};
    if (s->plan.numel == 0) return FROST_OK;
    if (s->short_vec) {
        int64_t grain = s->plan.numel < PARALLEL_MIN_ELEMS ? s->rows : PARALLEL_MIN_ELEMS / s->inner;
        frost__parallel_for(ex->pool, s->rows, grain, binary_short_chunk, &t);
    } else if (s->rows == 1) {
        frost__parallel_for(ex->pool, s->inner, PARALLEL_MIN_ELEMS, binary_elem_chunk, &t);
    } else {
        int64_t grain = PARALLEL_MIN_ELEMS / s->inner + 1;
        if (!ex->pool || s->plan.numel < PARALLEL_MIN_ELEMS) grain = s->rows;
        frost__parallel_for(ex->pool, s->rows, grain, binary_row_chunk, &t);
    }
    return FROST_OK;
}

static frost_status binary_prepare(frost__step *st, const frost__prepare_ctx *pc) {
    binary_state *s = (binary_state *)st->state.bytes;
    const frost__node *n = pc->node;
    if (pc->in_dtype[0] != pc->in_dtype[1])
        return dtype_mismatch(n, pc->err, pc->in_dtype[0], pc->in_dtype[1]);
    s->loop = frost_k_binary_loop(n->p.binary.fn, pc->in_dtype[0]);
    if (!s->loop)
        return frost__op_fail(n, pc->err, FROST_E_UNSUPPORTED,
                              "binary function %d is not supported for %s", n->p.binary.fn,
                              frost_dtype_name(pc->in_dtype[0]));
    if (!frost__bcast_plan(&pc->in_shape[0], &pc->in_shape[1], &pc->out_shape[0], &s->plan))
        return broadcast_fail(n, pc->err, &pc->in_shape[0], &pc->in_shape[1]);
    /* x ** 2 with a constant 2 (a spectrogram's power, a variance): one multiply, not powf. */
    if (n->p.binary.fn == FROST__BIN_POW && pc->in_dtype[0] == FROST_DTYPE_F32 && pc->in_data[1] &&
        frost__shape_numel(&pc->in_shape[1]) == 1 && *(const float *)pc->in_data[1] == 2.0f) {
        s->loop = frost_k_f32_pow2_loop();
        frost__step_label(st, "Binary pow(x, 2) as x*x");
    }
    s->ea = s->eb = frost_dtype_size(pc->in_dtype[0]);
    s->eo = frost_dtype_size(pc->out_dtype[0]);
    s->inner = s->plan.dims[s->plan.rank - 1];
    s->rows = s->inner ? s->plan.numel / s->inner : 0;
    const frost__bcast *p = &s->plan;
    s->short_vec = 0;
    if (p->rank == 2 && s->inner < FROST_SHORT_ROW_MAX && s->rows > 4 && p->sa[1] == 1 &&
        p->sb[1] == 1) {
        if (p->sb[0] == 0 && p->sa[0] == s->inner) s->short_vec = 1;
        else if (p->sa[0] == 0 && p->sb[0] == s->inner) s->short_vec = 2;
    }
    st->run = binary_run;
    return FROST_OK;
}

const frost__op_def frost__op_BINARY = {"Binary", 0, binary_infer, binary_prepare, NULL};

/* ==== ADD_N =================================================================================== */

static frost_status addn_infer(frost__infer_ctx *c) {
    if (c->n_in < 1)
        return frost__op_fail(c->node, c->err, FROST_E_SHAPE, "AddN needs at least one input");
    frost_dtype t = FROST_DTYPE_INVALID;
    frost__shape s = c->in_shape[0];
    for (int i = 0; i < c->n_in; i++) {
        frost_dtype ti = c->in_dtype[i];
        if (ti != FROST_DTYPE_INVALID && t != FROST_DTYPE_INVALID && ti != t)
            return dtype_mismatch(c->node, c->err, t, ti);
        if (ti != FROST_DTYPE_INVALID) t = ti;
        if (i > 0) {
            frost__shape o;
            if (!frost__shape_broadcast(&s, &c->in_shape[i], &o))
                return broadcast_fail(c->node, c->err, &s, &c->in_shape[i]);
            s = o;
        }
    }
    if (t != FROST_DTYPE_INVALID && !frost_k_binary_loop(FROST__BIN_ADD, t))
        return frost__op_fail(c->node, c->err, FROST_E_UNSUPPORTED, "AddN of %s",
                              frost_dtype_name(t));
    c->out_dtype[0] = t;
    c->out_shape[0] = s;
    return FROST_OK;
}

typedef struct addn_state {
    frost__binary_loop add;
    size_t es;
    bool same_shape;        /* every input has the output's shape: flat passes */
    int64_t numel;
} addn_state;

static void addn_bcast(const addn_state *s, const frost__shape *sa, const void *a,
                       const frost__shape *sb, const void *b, const frost__shape *so, void *out) {
    frost__bcast p;
    /* prepare checked these shapes; broadcasting AddN is rare enough to plan per run */
    if (!frost__bcast_plan(sa, sb, so, &p)) return;
    frost_k_binary_rows__ref(&p, s->add, a, s->es, b, s->es, out, s->es, 0,
                             p.numel / p.dims[p.rank - 1]);
}

static frost_status addn_run(const frost__step *st, const frost__exec *ex) {
    const addn_state *s = (const addn_state *)st->state.bytes;
    void *out = FROST_OUT(st, ex, 0);
    const frost__shape *so = FROST_OUT_SHAPE(st, ex, 0);
    int n_in = st->node->n_in;
    if (s->numel == 0) return FROST_OK;
    if (n_in == 1) {
        memmove(out, FROST_IN(st, ex, 0), (size_t)s->numel * s->es);
        return FROST_OK;
    }
    if (s->same_shape) {
        s->add(FROST_IN(st, ex, 0), FROST_IN(st, ex, 1), out, s->numel, 1, 1);
        for (int i = 2; i < n_in; i++) s->add(out, FROST_IN(st, ex, i), out, s->numel, 1, 1);
        return FROST_OK;
    }
    addn_bcast(s, FROST_IN_SHAPE(st, ex, 0), FROST_IN(st, ex, 0), FROST_IN_SHAPE(st, ex, 1),
               FROST_IN(st, ex, 1), so, out);
    for (int i = 2; i < n_in; i++)
        addn_bcast(s, so, out, FROST_IN_SHAPE(st, ex, i), FROST_IN(st, ex, i), so, out);
    return FROST_OK;
}

static frost_status addn_prepare(frost__step *st, const frost__prepare_ctx *pc) {
    addn_state *s = (addn_state *)st->state.bytes;
    const frost__node *n = pc->node;
    const frost__shape *o = &pc->out_shape[0];
    s->add = frost_k_binary_loop(FROST__BIN_ADD, pc->out_dtype[0]);
    if (!s->add)
        return frost__op_fail(n, pc->err, FROST_E_UNSUPPORTED, "AddN of %s",
                              frost_dtype_name(pc->out_dtype[0]));
    s->es = frost_dtype_size(pc->out_dtype[0]);
    s->numel = frost__shape_numel(o);
    s->same_shape = true;
    for (int i = 0; i < n->n_in; i++) {
        if (pc->in_dtype[i] != pc->out_dtype[0])
            return dtype_mismatch(n, pc->err, pc->in_dtype[i], pc->out_dtype[0]);
        if (!frost__shape_equal(&pc->in_shape[i], o)) s->same_shape = false;
    }
    if (!s->same_shape) {
        frost__bcast p;
        if (n->n_in == 1 || !frost__bcast_plan(&pc->in_shape[0], &pc->in_shape[1], o, &p))
            return broadcast_fail(n, pc->err, &pc->in_shape[0], o);
        for (int i = 2; i < n->n_in; i++)
            if (!frost__bcast_plan(o, &pc->in_shape[i], o, &p))
                return broadcast_fail(n, pc->err, o, &pc->in_shape[i]);
    }
    st->run = addn_run;
    return FROST_OK;
}

const frost__op_def frost__op_ADD_N = {"AddN", 0, addn_infer, addn_prepare, NULL};

/* ==== SELECT ================================================================================== */

/* TF Select (v1) with a vector condition picks whole rows of a/b: it acts as cond [n,1,...,1]. */
static frost__shape select_cond_shape(const frost__shape *cond, const frost__shape *a) {
    frost__shape c = *cond;
    if (cond->rank == 1 && a->rank > 1 && cond->d[0] >= 0 && cond->d[0] == a->d[0] &&
        cond->d[0] != a->d[a->rank - 1]) {
        c.rank = a->rank;
        for (int i = 1; i < a->rank; i++) c.d[i] = 1;
    }
    return c;
}

static frost_status select_infer(frost__infer_ctx *c) {
    if (c->n_in != 3)
        return frost__op_fail(c->node, c->err, FROST_E_SHAPE, "Select needs 3 inputs, has %d",
                              c->n_in);
    frost_dtype ct = c->in_dtype[0], a = c->in_dtype[1], b = c->in_dtype[2];
    if (ct != FROST_DTYPE_INVALID && ct != FROST_DTYPE_BOOL && ct != FROST_DTYPE_U8)
        return frost__op_fail(c->node, c->err, FROST_E_DTYPE, "condition must be bool, is %s",
                              frost_dtype_name(ct));
    if (a != FROST_DTYPE_INVALID && b != FROST_DTYPE_INVALID && a != b)
        return dtype_mismatch(c->node, c->err, a, b);
    c->out_dtype[0] = common_dtype(c, 1, 2);
    frost__shape cs = select_cond_shape(&c->in_shape[0], &c->in_shape[1]), ab, o;
    if (!frost__shape_broadcast(&c->in_shape[1], &c->in_shape[2], &ab))
        return broadcast_fail(c->node, c->err, &c->in_shape[1], &c->in_shape[2]);
    if (!frost__shape_broadcast(&cs, &ab, &o)) return broadcast_fail(c->node, c->err, &cs, &ab);
    c->out_shape[0] = o;
    return FROST_OK;
}

typedef struct select_state {
    int rank;
    int64_t dims[FROST_MAX_RANK];
    int64_t sc[FROST_MAX_RANK], sa[FROST_MAX_RANK], sb[FROST_MAX_RANK];
    size_t es;
} select_state;

static frost_status select_run(const frost__step *st, const frost__exec *ex) {
    const select_state *s = (const select_state *)st->state.bytes;
    frost_k_select__ref(s->rank, s->dims, FROST_IN(st, ex, 0), s->sc, FROST_IN(st, ex, 1), s->sa,
                        FROST_IN(st, ex, 2), s->sb, FROST_OUT(st, ex, 0), s->es);
    return FROST_OK;
}

/* Strides of `in` broadcast into `out` (0 on broadcast dims), right-aligned. */
static void bcast_strides(const frost__shape *in, const frost__shape *out, int64_t *strides) {
    int64_t own[FROST_MAX_RANK];
    frost__shape_strides(in, own);
    int off = out->rank - in->rank;
    for (int i = 0; i < out->rank; i++) {
        int j = i - off;
        strides[i] = (j < 0 || in->d[j] == 1) ? 0 : own[j];
    }
}

static frost_status select_prepare(frost__step *st, const frost__prepare_ctx *pc) {
    select_state *s = (select_state *)st->state.bytes;
    const frost__shape *o = &pc->out_shape[0];
    frost__shape cs = select_cond_shape(&pc->in_shape[0], &pc->in_shape[1]);
    if (pc->in_dtype[1] != pc->in_dtype[2])
        return dtype_mismatch(pc->node, pc->err, pc->in_dtype[1], pc->in_dtype[2]);
    const frost__shape *ins[3] = {&cs, &pc->in_shape[1], &pc->in_shape[2]};
    int64_t str[3][FROST_MAX_RANK];
    for (int k = 0; k < 3; k++) {
        if (ins[k]->rank > o->rank) return broadcast_fail(pc->node, pc->err, ins[k], o);
        bcast_strides(ins[k], o, str[k]);
    }
    /* collapse: drop size-1 dims, merge dims that all three continue */
    int r = 0;
    for (int i = 0; i < o->rank; i++) {
        int64_t d = o->d[i];
        if (d == 1) continue;
        if (r > 0 && s->sc[r - 1] == str[0][i] * d && s->sa[r - 1] == str[1][i] * d &&
            s->sb[r - 1] == str[2][i] * d) {
            s->dims[r - 1] *= d;
            s->sc[r - 1] = str[0][i];
            s->sa[r - 1] = str[1][i];
            s->sb[r - 1] = str[2][i];
            continue;
        }
        s->dims[r] = d;
        s->sc[r] = str[0][i];
        s->sa[r] = str[1][i];
        s->sb[r] = str[2][i];
        r++;
    }
    s->rank = r;
    s->es = frost_dtype_size(pc->out_dtype[0]);
    if (s->es != 1 && s->es != 2 && s->es != 4 && s->es != 8)
        return frost__op_fail(pc->node, pc->err, FROST_E_UNSUPPORTED, "Select of %s",
                              frost_dtype_name(pc->out_dtype[0]));
    st->run = select_run;
    return FROST_OK;
}

const frost__op_def frost__op_SELECT = {"Select", 0, select_infer, select_prepare, NULL};
