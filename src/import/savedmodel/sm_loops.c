/* sm_loops.c — TensorFlow loops unrolled at load: a While/StatelessWhile whose condition is known
 * at every step (a constant trip count: Keras LSTM/GRU/SimpleRNN layers over inputs of a fixed
 * length, whose while_v2 loops are bounded by maximum_iterations and by the time dimension) becomes
 * that many inlined copies of its body; the TensorList ops the loop reads and writes become plain
 * tensors: TensorListGetItem of a list made by TensorListFromTensor a GatherV2 of that tensor,
 * of a list written by TensorListSetItem the value written, and TensorListStack a Pack of the
 * values written.
 *
 * The condition is evaluated by a small constant evaluator over the flat graph (integer and bool
 * scalars and short vectors: Const, Identity, arithmetic, comparisons, logic, Shape of tensors
 * whose static shape is known, StridedSlice of those). It must never guess: a condition it cannot
 * evaluate, a list index that is not constant, or an element read before it is written fails with
 * the While or TensorList node named. */
#include <stdio.h>
#include <stdlib.h>

#include "import/savedmodel/sm_internal.h"

/* MAX_EVAL_STEPS bounds one evaluation: a graph of shared subexpressions (diamonds) must not make
 * it exponential. */
enum { MAX_ELEMS = 16, MAX_UNROLL = 100000, MAX_EVAL_DEPTH = 200, MAX_EVAL_STEPS = 20000 };

typedef struct cval {
    bool known;          /* the rank and the element count are known            */
    int n;               /* elements (rank 0: 1)                                */
    int rank;            /* 0 or 1                                              */
    bool elem_known[MAX_ELEMS];
    int64_t v[MAX_ELEMS];
} cval;

static bool is_op(const frost__tf_fnode *n, const char *op) {
    return n->kind == FROST__TF_NODE && strcmp(n->op, op) == 0;
}

static const FrostTf__AttrValue *attr(const frost__tf_fnode *n, const char *key) {
    return frost__tf_node_attr(n, key);
}

static int64_t attr_i(const frost__tf_fnode *n, const char *key, int64_t dflt) {
    const FrostTf__AttrValue *a = attr(n, key);
    return a && a->value_case == FROST_TF__ATTR_VALUE__VALUE_I ? a->i : dflt;
}

/* ---- static shapes --------------------------------------------------------------------------- */

typedef struct sshape {
    int rank;                     /* -1 unknown */
    int64_t d[FROST_MAX_RANK];    /* -1 unknown */
} sshape;

static bool cval_eval(frost__tf_flat *f, frost__tf_ref r, cval *out, int depth);

static sshape from_proto(const FrostTf__TensorShapeProto *sp) {
    sshape s = {-1, {0}};
    if (!sp || sp->unknown_rank || sp->n_dim > FROST_MAX_RANK) return s;
    s.rank = (int)sp->n_dim;
    for (int i = 0; i < s.rank; i++) s.d[i] = sp->dim[i] && sp->dim[i]->size >= 0 ? sp->dim[i]->size : -1;
    return s;
}

static sshape static_shape(frost__tf_flat *f, frost__tf_ref r, int depth) {
    sshape unknown = {-1, {0}};
    if (depth > MAX_EVAL_DEPTH || --f->eval_budget < 0 || frost__tf_chase(f, r, &r) != FROST_OK)
        return unknown;
    const frost__tf_fnode *n = &f->nodes[r.node];
    if (is_op(n, "Placeholder") || is_op(n, "PlaceholderWithDefault")) {
        const FrostTf__AttrValue *a = attr(n, "shape");
        if (a && a->value_case == FROST_TF__ATTR_VALUE__VALUE_SHAPE) return from_proto(a->shape);
    }
    if (is_op(n, "Const")) {
        const FrostTf__AttrValue *a = attr(n, "value");
        if (a && a->value_case == FROST_TF__ATTR_VALUE__VALUE_TENSOR && a->tensor)
            return from_proto(a->tensor->tensor_shape);
    }
    if ((is_op(n, "Identity") || is_op(n, "StopGradient") || is_op(n, "Relu") ||
         is_op(n, "Tanh") || is_op(n, "Sigmoid") || is_op(n, "BiasAdd") || is_op(n, "Cast")) &&
        n->n_in >= 1)
        return static_shape(f, n->in[0], depth + 1);
    if (is_op(n, "Transpose") && n->n_in == 2) {
        sshape x = static_shape(f, n->in[0], depth + 1);
        cval perm;
        if (x.rank < 0 || !cval_eval(f, n->in[1], &perm, depth + 1) || perm.n != x.rank) return unknown;
        sshape s = {x.rank, {0}};
        for (int i = 0; i < x.rank; i++) {
            if (!perm.elem_known[i] || perm.v[i] < 0 || perm.v[i] >= x.rank) return unknown;
            s.d[i] = x.d[perm.v[i]];
        }
        return s;
    }
    if (is_op(n, "GatherV2") && n->n_in == 3) {
        sshape p = static_shape(f, n->in[0], depth + 1), ix = static_shape(f, n->in[1], depth + 1);
        cval axis;
        if (p.rank < 1 || ix.rank < 0 || !cval_eval(f, n->in[2], &axis, depth + 1) ||
            !axis.elem_known[0] || axis.v[0] != 0 || ix.rank + p.rank - 1 > FROST_MAX_RANK)
            return unknown;
        sshape s = {ix.rank + p.rank - 1, {0}};
        for (int i = 0; i < ix.rank; i++) s.d[i] = ix.d[i];
        for (int i = 1; i < p.rank; i++) s.d[ix.rank + i - 1] = p.d[i];
        return s;
    }
    if (is_op(n, "ResourceGather") && n->n_in == 2 && attr_i(n, "batch_dims", 0) == 0) {
        /* An Embedding's lookup: the indices' shape, then the variable's without its first dim. */
        frost__tf_ref v;
        sshape ix = static_shape(f, n->in[1], depth + 1);
        if (ix.rank < 0 || frost__tf_chase(f, n->in[0], &v) != FROST_OK) return unknown;
        const FrostTf__AttrValue *vs = attr(&f->nodes[v.node], "shape");
        sshape p = vs && vs->value_case == FROST_TF__ATTR_VALUE__VALUE_SHAPE ? from_proto(vs->shape)
                                                                            : unknown;
        if (p.rank < 1 || ix.rank + p.rank - 1 > FROST_MAX_RANK) return unknown;
        sshape s = {ix.rank + p.rank - 1, {0}};
        for (int i = 0; i < ix.rank; i++) s.d[i] = ix.d[i];
        for (int i = 1; i < p.rank; i++) s.d[ix.rank + i - 1] = p.d[i];
        return s;
    }
    if (is_op(n, "Reshape") && n->n_in == 2) {
        cval shape;
        if (!cval_eval(f, n->in[1], &shape, depth + 1) || shape.rank != 1 || shape.n > FROST_MAX_RANK)
            return unknown;
        sshape s = {shape.n, {0}};
        for (int i = 0; i < shape.n; i++) s.d[i] = shape.elem_known[i] && shape.v[i] >= 0 ? shape.v[i] : -1;
        return s;
    }
    /* Graph-level nodes often carry their shapes. */
    const FrostTf__AttrValue *os = attr(n, "_output_shapes");
    if (os && os->value_case == FROST_TF__ATTR_VALUE__VALUE_LIST && os->list &&
        (size_t)r.port < os->list->n_shape)
        return from_proto(os->list->shape[r.port]);
    return unknown;
}

/* ---- the constant evaluator ------------------------------------------------------------------ */

static void cval_scalar(cval *c, int64_t v) {
    memset(c, 0, sizeof *c);
    c->known = true;
    c->n = 1;
    c->elem_known[0] = true;
    c->v[0] = v;
}

static bool const_tensor(const frost__tf_fnode *n, cval *out) {
    const FrostTf__AttrValue *a = attr(n, "value");
    const FrostTf__TensorProto *t =
        a && a->value_case == FROST_TF__ATTR_VALUE__VALUE_TENSOR ? a->tensor : NULL;
    if (!t) return false;
    sshape s = from_proto(t->tensor_shape);
    int64_t count = 1;
    if (s.rank < 0 || s.rank > 1) return false;
    if (s.rank == 1) count = s.d[0];
    if (count < 0 || count > MAX_ELEMS) return false;
    memset(out, 0, sizeof *out);
    out->known = true;
    out->rank = s.rank;
    out->n = (int)count;
    size_t elem = t->dtype == FROST_TF__DATA_TYPE__DT_INT64 ? 8
                  : t->dtype == FROST_TF__DATA_TYPE__DT_BOOL ? 1 : 4;
    if (t->dtype != FROST_TF__DATA_TYPE__DT_INT32 && t->dtype != FROST_TF__DATA_TYPE__DT_INT64 &&
        t->dtype != FROST_TF__DATA_TYPE__DT_BOOL)
        return false;
    for (int i = 0; i < out->n; i++) {
        int64_t v = 0;
        if (t->tensor_content.len) {
            if (t->tensor_content.len != (size_t)out->n * elem) return false;
            const uint8_t *p = t->tensor_content.data + (size_t)i * elem;
            if (elem == 8) { int64_t x; memcpy(&x, p, 8); v = x; }
            else if (elem == 4) { int32_t x; memcpy(&x, p, 4); v = x; }
            else v = p[0] != 0;
        } else if (t->dtype == FROST_TF__DATA_TYPE__DT_INT64 && t->n_int64_val) {
            v = t->int64_val[(size_t)i < t->n_int64_val ? (size_t)i : t->n_int64_val - 1];
        } else if (t->dtype == FROST_TF__DATA_TYPE__DT_BOOL && t->n_bool_val) {
            v = t->bool_val[(size_t)i < t->n_bool_val ? (size_t)i : t->n_bool_val - 1] != 0;
        } else if (t->n_int_val) {
            v = t->int_val[(size_t)i < t->n_int_val ? (size_t)i : t->n_int_val - 1];
        }
        out->v[i] = v;
        out->elem_known[i] = true;
    }
    return true;
}

static int64_t apply(const char *op, int64_t a, int64_t b) {
    if (!strcmp(op, "Add") || !strcmp(op, "AddV2")) return a + b;
    if (!strcmp(op, "Sub")) return a - b;
    if (!strcmp(op, "Mul")) return a * b;
    if (!strcmp(op, "Maximum")) return a > b ? a : b;
    if (!strcmp(op, "Minimum")) return a < b ? a : b;
    if (!strcmp(op, "Less")) return a < b;
    if (!strcmp(op, "LessEqual")) return a <= b;
    if (!strcmp(op, "Greater")) return a > b;
    if (!strcmp(op, "GreaterEqual")) return a >= b;
    if (!strcmp(op, "Equal")) return a == b;
    if (!strcmp(op, "NotEqual")) return a != b;
    if (!strcmp(op, "LogicalAnd")) return a && b;
    return a || b;  /* LogicalOr */
}

static bool is_binary(const char *op) {
    static const char *const ops[] = {"Add", "AddV2", "Sub", "Mul", "Maximum", "Minimum", "Less",
                                      "LessEqual", "Greater", "GreaterEqual", "Equal", "NotEqual",
                                      "LogicalAnd", "LogicalOr"};
    for (size_t i = 0; i < sizeof ops / sizeof *ops; i++)
        if (strcmp(op, ops[i]) == 0) return true;
    return false;
}

/* True when *out could be (partly) evaluated; elements may still be unknown. */
static bool cval_eval(frost__tf_flat *f, frost__tf_ref r, cval *out, int depth) {
    memset(out, 0, sizeof *out);
    if (depth > MAX_EVAL_DEPTH || --f->eval_budget < 0 || frost__tf_chase(f, r, &r) != FROST_OK)
        return false;
    const frost__tf_fnode *n = &f->nodes[r.node];
    if (n->kind != FROST__TF_NODE) return false;
    const char *op = n->op;
    if (is_op(n, "Const")) return r.port == 0 && const_tensor(n, out);
    if ((!strcmp(op, "Identity") || !strcmp(op, "StopGradient") || !strcmp(op, "Cast") ||
         !strcmp(op, "Snapshot")) && n->n_in >= 1)
        return cval_eval(f, n->in[0], out, depth + 1);
    if (!strcmp(op, "LogicalNot") && n->n_in == 1) {
        if (!cval_eval(f, n->in[0], out, depth + 1)) return false;
        for (int i = 0; i < out->n; i++) out->v[i] = !out->v[i];
        return true;
    }
    if (is_binary(op) && n->n_in == 2) {
        cval a, b;
        bool ka = cval_eval(f, n->in[0], &a, depth + 1), kb = cval_eval(f, n->in[1], &b, depth + 1);
        /* false && anything, true || anything */
        bool and_ = !strcmp(op, "LogicalAnd"), or_ = !strcmp(op, "LogicalOr");
        if ((and_ || or_) && ka && a.n == 1 && a.elem_known[0] && (and_ ? !a.v[0] : a.v[0])) {
            cval_scalar(out, a.v[0] != 0);
            return true;
        }
        if ((and_ || or_) && kb && b.n == 1 && b.elem_known[0] && (and_ ? !b.v[0] : b.v[0])) {
            cval_scalar(out, b.v[0] != 0);
            return true;
        }
        if (!ka || !kb || !(a.n == b.n || a.n == 1 || b.n == 1)) return false;
        memset(out, 0, sizeof *out);
        out->known = true;
        out->n = a.n > b.n ? a.n : b.n;
        out->rank = a.rank > b.rank ? a.rank : b.rank;
        for (int i = 0; i < out->n; i++) {
            int ia = a.n == 1 ? 0 : i, ib = b.n == 1 ? 0 : i;
            out->elem_known[i] = a.elem_known[ia] && b.elem_known[ib];
            if (out->elem_known[i]) out->v[i] = apply(op, a.v[ia], b.v[ib]);
        }
        return true;
    }
    if (!strcmp(op, "Shape") && n->n_in == 1) {
        sshape s = static_shape(f, n->in[0], depth + 1);
        if (s.rank < 0 || s.rank > MAX_ELEMS) return false;
        memset(out, 0, sizeof *out);
        out->known = true;
        out->rank = 1;
        out->n = s.rank;
        for (int i = 0; i < s.rank; i++) {
            out->elem_known[i] = s.d[i] >= 0;
            out->v[i] = s.d[i];
        }
        return true;
    }
    if (!strcmp(op, "StridedSlice") && n->n_in == 4) {
        cval x, b, e, st;
        if (!cval_eval(f, n->in[0], &x, depth + 1) || x.rank != 1 ||
            !cval_eval(f, n->in[1], &b, depth + 1) || !cval_eval(f, n->in[2], &e, depth + 1) ||
            !cval_eval(f, n->in[3], &st, depth + 1) || b.n != 1 || e.n != 1 || st.n != 1 ||
            !b.elem_known[0] || !e.elem_known[0] || !st.elem_known[0] || st.v[0] != 1)
            return false;
        int64_t lo = b.v[0], hi = e.v[0];
        if (attr_i(n, "begin_mask", 0) & 1) lo = 0;
        if (attr_i(n, "end_mask", 0) & 1) hi = x.n;
        if (lo < 0) lo += x.n;
        if (hi < 0) hi += x.n;
        if (attr_i(n, "shrink_axis_mask", 0) & 1) {
            if (lo < 0 || lo >= x.n) return false;
            memset(out, 0, sizeof *out);
            out->known = true;
            out->n = 1;
            out->elem_known[0] = x.elem_known[lo];
            out->v[0] = x.v[lo];
            return true;
        }
        if (lo < 0) lo = 0;
        if (hi > x.n) hi = x.n;
        memset(out, 0, sizeof *out);
        out->known = true;
        out->rank = 1;
        for (int64_t i = lo; i < hi; i++) {
            out->elem_known[out->n] = x.elem_known[i];
            out->v[out->n++] = x.v[i];
        }
        return true;
    }
    if (!strcmp(op, "Pack") && n->n_in <= MAX_ELEMS) {
        memset(out, 0, sizeof *out);
        out->known = true;
        out->rank = 1;
        out->n = n->n_in;
        for (int i = 0; i < n->n_in; i++) {
            cval e;
            if (cval_eval(f, n->in[i], &e, depth + 1) && e.n == 1 && e.elem_known[0]) {
                out->elem_known[i] = true;
                out->v[i] = e.v[0];
            }
        }
        return true;
    }
    return false;
}

/* A known integer or bool scalar. */
static bool scalar(frost__tf_flat *f, frost__tf_ref r, int64_t *v) {
    cval c;
    f->eval_budget = MAX_EVAL_STEPS;
    if (!cval_eval(f, r, &c, 0) || c.n != 1 || !c.elem_known[0]) return false;
    *v = c.v[0];
    return true;
}

/* ---- While ----------------------------------------------------------------------------------- */

static const char *func_attr(frost__tf_flat *f, const frost__tf_fnode *n, const char *key) {
    return frost__tf_func_attr_name(f->arena, attr(n, key));
}

frost_status sm_unroll_while(frost__tf_flat *f, int id) {
    const char *name = f->nodes[id].name, *op = f->nodes[id].op;
    int n_vars = f->nodes[id].n_in;
    const char *cond = func_attr(f, &f->nodes[id], "cond");
    const char *body = func_attr(f, &f->nodes[id], "body");
    if (!cond || !body)
        return frost__fail(f->err, FROST_E_FORMAT, name, op, -1, "%s node '%s' has no cond or body",
                           op, name);
    const frost__tf_ref *vars = f->nodes[id].in;
    for (int iter = 0;; iter++) {
        if (iter >= MAX_UNROLL)
            return frost__fail(f->err, FROST_E_LIMIT, name, op, -1,
                               "%s loop '%s' (body '%s') runs more than %d times: too many to unroll",
                               op, name, body, MAX_UNROLL);
        char *cname = frost__tf_printf(f->arena, "%s/cond_%d", name, iter);
        int c = cname ? frost__tf_flat_add(f, cname, NULL, "StatefulPartitionedCall", NULL) : -1;
        if (c < 0) return cname ? f->err->code : frost__fail(f->err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
        f->nodes[c].depth = f->nodes[id].depth; /* a loop in its own body stays bounded */
        FROST_TRY(frost__tf_inline_call(f, c, cond, vars, n_vars));
        int64_t go;
        if (f->nodes[c].n_fwd != 1 || !scalar(f, (frost__tf_ref){c, 0}, &go))
            return frost__fail(f->err, FROST_E_UNSUPPORTED, name, op, -1,
                               "%s loop '%s' (body '%s'): its condition ('%s') is not known at load "
                               "at step %d, so the trip count is not static: frost runs loops only "
                               "by unrolling them (fixed-length sequences)",
                               op, name, body, cond, iter);
        if (!go) break;
        char *bname = frost__tf_printf(f->arena, "%s/step_%d", name, iter);
        int b = bname ? frost__tf_flat_add(f, bname, NULL, "StatefulPartitionedCall", NULL) : -1;
        if (b < 0) return bname ? f->err->code : frost__fail(f->err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
        f->nodes[b].depth = f->nodes[id].depth;
        FROST_TRY(frost__tf_inline_call(f, b, body, vars, n_vars));
        if (f->nodes[b].n_fwd != n_vars)
            return frost__fail(f->err, FROST_E_FORMAT, name, op, -1,
                               "%s loop '%s': body '%s' returns %d values for %d loop variables", op,
                               name, body, f->nodes[b].n_fwd, n_vars);
        vars = f->nodes[b].fwd;
    }
    frost__tf_fnode *n = &f->nodes[id];
    n->kind = FROST__TF_FORWARD;
    n->fwd = (frost__tf_ref *)vars;
    n->n_fwd = n_vars;
    return FROST_OK;
}

/* ---- TensorLists ----------------------------------------------------------------------------- */

/* frost__tf_chase, unrolling the loops it reaches: a list may come out of a While. */
static frost_status chase_unrolled(frost__tf_flat *f, frost__tf_ref r, frost__tf_ref *out) {
    for (int guard = 0; guard < 1000; guard++) {
        FROST_TRY(frost__tf_chase(f, r, &r));
        const frost__tf_fnode *n = &f->nodes[r.node];
        if (!is_op(n, "While") && !is_op(n, "StatelessWhile")) {
            *out = r;
            return FROST_OK;
        }
        FROST_TRY(sm_unroll_while(f, r.node));
    }
    return frost__fail(f->err, FROST_E_LIMIT, NULL, NULL, -1, "loops nested too deep");
}

static frost_status list_fail(frost__tf_flat *f, int id, const char *why) {
    const frost__tf_fnode *n = &f->nodes[id];
    return frost__fail(f->err, FROST_E_UNSUPPORTED, n->name, n->op, -1, "%s node '%s': %s", n->op,
                       n->name, why);
}

/* A Const node holding one int32 scalar, added to the flat graph. */
static int add_int_const(frost__tf_flat *f, const char *name, int32_t value) {
    int id = frost__tf_flat_add(f, name, NULL, "Const", NULL);
    if (id < 0) return -1;
    frost__tf_arena *ar = f->arena;
    FrostTf__TensorProto *tp = frost__tf_alloc(ar, sizeof *tp);
    FrostTf__TensorShapeProto *sp = frost__tf_alloc(ar, sizeof *sp);
    FrostTf__AttrValue *val = frost__tf_alloc(ar, sizeof *val);
    int32_t *v = frost__tf_alloc(ar, sizeof *v);
    FrostTf__NodeDef__AttrEntry **attrs = frost__tf_alloc(ar, 2 * sizeof *attrs);
    if (!tp || !sp || !val || !v || !attrs) return -1;
    frost_tf__tensor_shape_proto__init(sp);
    frost_tf__tensor_proto__init(tp);
    tp->dtype = FROST_TF__DATA_TYPE__DT_INT32;
    tp->tensor_shape = sp;
    *v = value;
    tp->n_int_val = 1;
    tp->int_val = v;
    frost_tf__attr_value__init(val);
    val->value_case = FROST_TF__ATTR_VALUE__VALUE_TENSOR;
    val->tensor = tp;
    attrs[0] = frost__tf_flat_attr_type(ar, "dtype", FROST_TF__DATA_TYPE__DT_INT32);
    attrs[1] = frost__tf_flat_attr_entry(ar, "value", val);
    if (!attrs[0] || !attrs[1]) return -1;
    f->nodes[id].attrs = attrs;
    f->nodes[id].n_attrs = 2;
    return id;
}

static int element_dtype(const frost__tf_fnode *n) {
    const FrostTf__AttrValue *a = attr(n, "element_dtype");
    return a && a->value_case == FROST_TF__ATTR_VALUE__VALUE_TYPE ? (int)a->type : 1;
}

static frost_status oom(frost__tf_flat *f) {
    return frost__fail(f->err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory while unrolling");
}

/* Element `index` of the list `list`: the value a SetItem wrote, or a GatherV2 of the tensor a
 * FromTensor list was made of. */
static frost_status list_item(frost__tf_flat *f, int reader, frost__tf_ref list, int64_t index,
                              frost__tf_ref *out) {
    for (int hops = 0; hops <= f->n; hops++) {
        FROST_TRY(chase_unrolled(f, list, &list));
        const frost__tf_fnode *l = &f->nodes[list.node];
        if (is_op(l, "Identity") && l->n_in >= 1) {   /* loop bodies return their lists so */
            list = l->in[0];
            continue;
        }
        if (is_op(l, "TensorListSetItem") && l->n_in == 3) {
            int64_t j;
            if (!scalar(f, l->in[1], &j))
                return list_fail(f, list.node, "writes at an index not known at load");
            if (j == index) {
                *out = l->in[2];
                return FROST_OK;
            }
            list = l->in[0];
            continue;
        }
        if (is_op(l, "TensorListFromTensor") && l->n_in >= 1) {
            const char *base = f->nodes[reader].name;
            char *gname = frost__tf_printf(f->arena, "%s/element", base);
            char *iname = frost__tf_printf(f->arena, "%s/index", base);
            char *aname = frost__tf_printf(f->arena, "%s/axis", base);
            if (!gname || !iname || !aname) return oom(f);
            int ic = add_int_const(f, iname, (int32_t)index), ac = add_int_const(f, aname, 0);
            int g = ic >= 0 && ac >= 0 ? frost__tf_flat_add(f, gname, NULL, "GatherV2", NULL) : -1;
            if (g < 0) return f->err->code ? f->err->code : oom(f);
            frost__tf_ref *in = frost__tf_alloc(f->arena, 3 * sizeof *in);
            FrostTf__NodeDef__AttrEntry **attrs = frost__tf_alloc(f->arena, 4 * sizeof *attrs);
            FrostTf__AttrValue *bd = frost__tf_alloc(f->arena, sizeof *bd);
            if (!in || !attrs || !bd) return oom(f);
            in[0] = f->nodes[list.node].in[0];
            in[1] = (frost__tf_ref){ic, 0};
            in[2] = (frost__tf_ref){ac, 0};
            frost_tf__attr_value__init(bd);
            bd->value_case = FROST_TF__ATTR_VALUE__VALUE_I;
            attrs[0] =
                frost__tf_flat_attr_type(f->arena, "Tparams", element_dtype(&f->nodes[list.node]));
            attrs[1] =
                frost__tf_flat_attr_type(f->arena, "Tindices", FROST_TF__DATA_TYPE__DT_INT32);
            attrs[2] = frost__tf_flat_attr_type(f->arena, "Taxis", FROST_TF__DATA_TYPE__DT_INT32);
            attrs[3] = frost__tf_flat_attr_entry(f->arena, "batch_dims", bd);
            for (int k = 0; k < 4; k++)
                if (!attrs[k]) return oom(f);
            f->nodes[g].in = in;
            f->nodes[g].n_in = 3;
            f->nodes[g].attrs = attrs;
            f->nodes[g].n_attrs = 4;
            *out = (frost__tf_ref){g, 0};
            return FROST_OK;
        }
        if (is_op(l, "TensorListReserve") || is_op(l, "EmptyTensorList")) {
            char why[160];
            snprintf(why, sizeof why, "reads element %lld, which nothing wrote", (long long)index);
            return list_fail(f, reader, why);
        }
        char why[300];
        snprintf(why, sizeof why, "reads a list made by '%s' (%s), which frost cannot follow",
                 l->name, l->op);
        return list_fail(f, reader, why);
    }
    return list_fail(f, reader, "its list is written in a cycle");
}

frost_status sm_rewrite_tensor_list(frost__tf_flat *f, int id) {
    frost__tf_fnode *n = &f->nodes[id];
    if (is_op(n, "TensorListGetItem")) {
        int64_t index;
        if (n->n_in < 2 || !scalar(f, n->in[1], &index))
            return list_fail(f, id, "reads at an index not known at load (a loop frost did not unroll?)");
        frost__tf_ref item;
        FROST_TRY(list_item(f, id, f->nodes[id].in[0], index, &item));
        frost__tf_ref *fwd = frost__tf_alloc(f->arena, sizeof *fwd);
        if (!fwd) return oom(f);
        *fwd = item;
        n = &f->nodes[id];
        n->kind = FROST__TF_FORWARD;
        n->fwd = fwd;
        n->n_fwd = 1;
        return FROST_OK;
    }
    /* TensorListStack: the elements written, in order, packed along a new axis 0. */
    if (n->n_in < 1) return list_fail(f, id, "has no list");
    enum { MAX_ITEMS = 1 << 16 };
    frost__tf_ref list = n->in[0];
    int64_t count = -1;
    frost__tf_ref *items = NULL;
    bool *have = NULL;
    int64_t cap = 0;
    for (int hops = 0; hops <= f->n; hops++) {
        FROST_TRY(chase_unrolled(f, list, &list));
        const frost__tf_fnode *l = &f->nodes[list.node];
        if (is_op(l, "Identity") && l->n_in >= 1) {   /* loop bodies return their lists so */
            list = l->in[0];
            continue;
        }
        if (is_op(l, "TensorListSetItem") && l->n_in == 3) {
            int64_t j;
            if (!scalar(f, l->in[1], &j) || j < 0 || j >= MAX_ITEMS)
                return list_fail(f, list.node, "writes at an index not known at load");
            if (j >= cap) {
                int64_t nc = j + 1 > 2 * cap ? j + 1 : 2 * cap;
                frost__tf_ref *ni = frost__tf_alloc(f->arena, (size_t)nc * sizeof *ni);
                bool *nh = frost__tf_alloc(f->arena, (size_t)nc);
                if (!ni || !nh) return oom(f);
                if (cap) {
                    memcpy(ni, items, (size_t)cap * sizeof *ni);
                    memcpy(nh, have, (size_t)cap);
                }
                items = ni;
                have = nh;
                cap = nc;
            }
            if (!have[j]) {   /* the latest write wins: we walk back from it */
                have[j] = true;
                items[j] = l->in[2];
            }
            list = l->in[0];
            continue;
        }
        if (is_op(l, "TensorListReserve") || is_op(l, "EmptyTensorList")) {
            int64_t reserved;
            if (is_op(l, "TensorListReserve") && l->n_in >= 2 && scalar(f, l->in[1], &reserved) &&
                reserved >= 0)
                count = reserved;
            break;
        }
        char why[300];
        snprintf(why, sizeof why, "stacks a list made by '%s' (%s), which frost cannot follow",
                 l->name, l->op);
        return list_fail(f, id, why);
    }
    if (count < 0) count = cap;   /* Reserve's size not constant: what was written */
    if (count == 0 || count > cap) return list_fail(f, id, "stacks elements that were never written");
    for (int64_t j = 0; j < count; j++)
        if (!have[j]) {
            char why[160];
            snprintf(why, sizeof why, "stacks element %lld, which nothing wrote", (long long)j);
            return list_fail(f, id, why);
        }
    char *pname = frost__tf_printf(f->arena, "%s/stack", f->nodes[id].name);
    int p = pname ? frost__tf_flat_add(f, pname, NULL, "Pack", NULL) : -1;
    if (p < 0) return pname ? f->err->code : oom(f);
    FrostTf__NodeDef__AttrEntry **attrs = frost__tf_alloc(f->arena, 3 * sizeof *attrs);
    FrostTf__AttrValue *nv = frost__tf_alloc(f->arena, sizeof *nv),
                       *av = frost__tf_alloc(f->arena, sizeof *av);
    if (!attrs || !nv || !av) return oom(f);
    frost_tf__attr_value__init(nv);
    nv->value_case = FROST_TF__ATTR_VALUE__VALUE_I;
    nv->i = count;
    frost_tf__attr_value__init(av);
    av->value_case = FROST_TF__ATTR_VALUE__VALUE_I;
    attrs[0] = frost__tf_flat_attr_entry(f->arena, "N", nv);
    attrs[1] = frost__tf_flat_attr_type(f->arena, "T", element_dtype(&f->nodes[id]));
    attrs[2] = frost__tf_flat_attr_entry(f->arena, "axis", av);
    if (!attrs[0] || !attrs[1] || !attrs[2]) return oom(f);
    f->nodes[p].in = items;
    f->nodes[p].n_in = (int)count;
    f->nodes[p].attrs = attrs;
    f->nodes[p].n_attrs = 3;
    frost__tf_ref *fwd = frost__tf_alloc(f->arena, sizeof *fwd);
    if (!fwd) return oom(f);
    *fwd = (frost__tf_ref){p, 0};
    n = &f->nodes[id];
    n->kind = FROST__TF_FORWARD;
    n->fwd = fwd;
    n->n_fwd = 1;
    return FROST_OK;
}
