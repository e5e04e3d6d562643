/* fold.c — load-time shape inference and constant folding. A node whose inputs are all constants
 * is computed once here with the same kernels the session would use, and its outputs become
 * constants (Identity of weights, BatchNorm parameter arithmetic, shape computations whose inputs
 * are fully known). Inference tolerates unknown dims: they stay -1 until a session plans. */
#include "passes/passes.h"

#include <stdio.h>

#include "ops/branches.h"
#include "ops/eval.h"

/* Output bytes above which a constant-only node is left to run time rather than stored. */
#define FOLD_MAX_BYTES ((size_t)64 << 20)

typedef struct infer_arrays {
    frost_dtype *dtype;
    frost__shape *shape;
    void **data;
    size_t *nbytes;
} infer_arrays;

static frost_status arrays_init(frost__graph *g, infer_arrays *ar, frost_error *err) {
    size_t n = (size_t)(g->n_values ? g->n_values : 1);
    ar->dtype = frost__calloc(&g->alloc, n, sizeof *ar->dtype);
    ar->shape = frost__calloc(&g->alloc, n, sizeof *ar->shape);
    ar->data = frost__calloc(&g->alloc, n, sizeof *ar->data);
    ar->nbytes = frost__calloc(&g->alloc, n, sizeof *ar->nbytes);
    if (!ar->dtype || !ar->shape || !ar->data || !ar->nbytes)
        return frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
    for (int i = 0; i < g->n_values; i++) {
        const frost__value *v = &g->values[i];
        ar->dtype[i] = v->dtype;
        ar->shape[i] = v->shape;
        ar->data[i] = v->kind == FROST__VAL_CONST ? v->data : NULL;
    }
    return FROST_OK;
}

static void arrays_free(frost__graph *g, infer_arrays *ar) {
    frost__free(&g->alloc, ar->dtype);
    frost__free(&g->alloc, ar->shape);
    frost__free(&g->alloc, ar->data);
    frost__free(&g->alloc, ar->nbytes);
}

static bool runnable(const frost__node *n) {
    if (n->dead || n->op == FROST__OP_UNSUPPORTED || n->op == FROST__OP_SWITCH ||
        n->op == FROST__OP_MERGE)
        return false;
    const frost__op_def *def = frost__op_get(n->op);
    return def && def->infer;
}

/* A node that only one side of an If needs may fail on shapes the other side gets (Squeeze of an
 * axis the taken side does not have): at load that is no error, since the side may never run. */
static bool only_in_branch(frost__graph *g, int node, frost__branches *br, bool *built) {
    if (!*built) {
        frost_error scratch;
        if (frost__branches_build(g, NULL, g->outputs, g->n_outputs, br, &scratch) != FROST_OK)
            return false;
        *built = true;
    }
    return br->n_ifs > 0 && br->node_scope[node] != 0;
}

frost_status frost__pass_infer(frost__graph *g, frost_error *err) {
    infer_arrays ar;
    memset(&ar, 0, sizeof ar);
    frost_status st = arrays_init(g, &ar, err);
    frost__branches br;
    bool br_built = false;
    for (int i = 0; i < g->n_nodes && st == FROST_OK; i++) {
        frost__node *n = &g->nodes[i];
        if (!runnable(n)) continue;
        st = frost__infer_node(n, ar.dtype, ar.shape, ar.data, false, err);
        if (st != FROST_OK && only_in_branch(g, i, &br, &br_built)) {
            frost__clear_error(err);
            st = FROST_OK;
            continue;
        }
        if (st != FROST_OK) break;
        for (int k = 0; k < n->n_out; k++) {
            frost__value *v = &g->values[n->out[k]];
            v->dtype = ar.dtype[n->out[k]];
            v->shape = ar.shape[n->out[k]];
        }
    }
    arrays_free(g, &ar);
    if (br_built) frost__branches_free(g, &br);
    return st;
}

frost_status frost__pass_fold(frost__graph *g, frost_error *err) {
    infer_arrays ar;
    memset(&ar, 0, sizeof ar);
    frost_status st = arrays_init(g, &ar, err);
    bool *folded = frost__calloc(&g->alloc, (size_t)(g->n_nodes ? g->n_nodes : 1), sizeof(bool));
    if (!folded && st == FROST_OK) st = frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
    int n_folded = 0;
    frost__branches br;
    bool br_built = false;
    for (int i = 0; i < g->n_nodes && st == FROST_OK; i++) {
        frost__node *n = &g->nodes[i];
        if (!runnable(n)) continue;
        bool all_const = true;
        for (int k = 0; k < n->n_in; k++) {
            int v = n->in[k];
            if (v >= 0 && g->values[v].kind != FROST__VAL_CONST) all_const = false;
        }
        if (!all_const) continue;
        /* Only fold when the result is small enough to store with the model. */
        st = frost__infer_node(n, ar.dtype, ar.shape, ar.data, false, err);
        if (st != FROST_OK && only_in_branch(g, i, &br, &br_built)) {
            frost__clear_error(err);
            st = FROST_OK;
            continue;
        }
        if (st != FROST_OK) break;
        bool small = true;
        for (int k = 0; k < n->n_out; k++) {
            size_t b;
            if (!frost__tensor_bytes(ar.dtype[n->out[k]], &ar.shape[n->out[k]], &b) ||
                b > FOLD_MAX_BYTES)
                small = false;
        }
        if (!small) continue;
        st = frost__eval_node(n, &g->alloc, ar.dtype, ar.shape, ar.data, ar.nbytes, err);
        if (st != FROST_OK && only_in_branch(g, i, &br, &br_built)) {
            frost__clear_error(err);
            st = FROST_OK;
            continue;
        }
        if (st != FROST_OK) break;
        for (int k = 0; k < n->n_out; k++) {
            int v = n->out[k];
            g->values[v].dtype = ar.dtype[v];
            g->values[v].shape = ar.shape[v];
            frost__graph_set_const(g, v, ar.data[v], ar.nbytes[v]);
        }
        n->dead = folded[i] = true;
        n_folded++;
    }
    if (st == FROST_OK && n_folded) {
        char hist[600];
        frost__pass_op_histogram(g, folded, hist, sizeof hist);
        frost__graph_report(g, "folded %d constant nodes: %s", n_folded, hist);
    }
    frost__free(&g->alloc, folded);
    arrays_free(g, &ar);
    if (br_built) frost__branches_free(g, &br);
    return st;
}

/* ==== Shape computations that don't depend on unknown dims ===================================
 * Keras' Flatten computes its Reshape target from Shape(x): Shape -> StridedSlice[1:] -> Prod ->
 * Pack(-1, ·). With the batch unknown, Shape(x) is not a constant, yet everything after the slice
 * is. We evaluate such small integer subgraphs twice, with every unknown dim replaced by two
 * different stand-ins (an odd prime and an even number); a value that comes out the same both
 * times doesn't depend on the unknown dims and becomes a constant. Comparisons (bool results) of
 * such values are never folded: two stand-ins cannot tell "dim == 1" from "false". */

#define SPEC_MAX_ELEMS 64
static const int64_t SPEC_A = 7919, SPEC_B = 10240;

static frost__shape substituted(const frost__shape *s, int64_t stand_in) {
    frost__shape r = *s;
    for (int i = 0; i < r.rank; i++)
        if (r.d[i] < 0) r.d[i] = stand_in;
    return r;
}

frost_status frost__pass_fold_shapes(frost__graph *g, frost_error *err) {
    const frost_allocator *a = &g->alloc;
    size_t n = (size_t)(g->n_values ? g->n_values : 1);
    frost_dtype *dt = frost__calloc(a, n, sizeof *dt);
    frost__shape *sa = frost__calloc(a, n, sizeof *sa), *sb = frost__calloc(a, n, sizeof *sb);
    void **da = frost__calloc(a, n, sizeof *da), **db = frost__calloc(a, n, sizeof *db);
    size_t *nb = frost__calloc(a, n, sizeof *nb);
    bool *spec = frost__calloc(a, n, sizeof *spec);
    bool *folded = frost__calloc(a, (size_t)(g->n_nodes ? g->n_nodes : 1), sizeof(bool));
    frost_status st = FROST_OK;
    if (!dt || !sa || !sb || !da || !db || !nb || !spec || !folded) {
        st = frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
        goto done;
    }
    for (int v = 0; v < g->n_values; v++) {
        const frost__value *val = &g->values[v];
        dt[v] = val->dtype;
        if (val->shape.rank < 0) sa[v] = sb[v] = val->shape;
        else {
            sa[v] = substituted(&val->shape, SPEC_A);
            sb[v] = substituted(&val->shape, SPEC_B);
        }
        if (val->kind == FROST__VAL_CONST) da[v] = db[v] = val->data;
    }
    int n_folded = 0;
    for (int i = 0; i < g->n_nodes && st == FROST_OK; i++) {
        frost__node *nd = &g->nodes[i];
        if (!runnable(nd)) continue;
        const frost__op_def *def = frost__op_get(nd->op);
        bool shape_only = (def->flags & FROST__OPF_SHAPE_ONLY) != 0;
        bool any_spec = false, all_known = true;
        for (int k = 0; k < nd->n_in; k++) {
            int v = nd->in[k];
            if (v < 0) continue;
            if (spec[v]) any_spec = true;
            else if (g->values[v].kind != FROST__VAL_CONST) all_known = false;
        }
        if (shape_only) {
            if (nd->n_in < 1 || nd->in[0] < 0 || sa[nd->in[0]].rank < 0) continue;
        } else if (!all_known) {
            continue; /* needs a value only a run can give */
        }
        bool small = true;
        for (int k = 0; k < nd->n_out; k++) {
            int64_t e = frost__shape_numel(&g->values[nd->out[k]].shape);
            if (e < 0 || e > SPEC_MAX_ELEMS || !frost__dtype_is_int(g->values[nd->out[k]].dtype))
                small = false;
        }
        /* Shape-only ops too: ZerosLike of an unknown-sized tensor reads only its shape, yet its
         * stand-in evaluation would fill 7919 x 10240 floats. */
        if (!small) continue;
        frost_error scratch;
        if (frost__eval_node(nd, a, dt, sa, da, nb, &scratch) != FROST_OK) continue;
        frost_dtype *dt_b = dt; /* same dtypes both ways */
        if (frost__eval_node(nd, a, dt_b, sb, db, NULL, &scratch) != FROST_OK) {
            for (int k = 0; k < nd->n_out; k++) {
                frost__free(a, da[nd->out[k]]);
                da[nd->out[k]] = NULL;
            }
            continue;
        }
        bool same = true;
        for (int k = 0; k < nd->n_out; k++) {
            int v = nd->out[k];
            if (!frost__shape_equal(&sa[v], &sb[v]) || memcmp(da[v], db[v], nb[v]) != 0) same = false;
            /* A comparison of unknown dims (Equal(batch, 1), which guards ONNX's "squeeze if the
             * batch is one") answers the same for both stand-ins and differently for the real
             * size: it is decided when the session plans. */
            if (any_spec && dt[v] == FROST_DTYPE_BOOL) same = false;
        }
        for (int k = 0; k < nd->n_out; k++) {
            int v = nd->out[k];
            if (same) {
                g->values[v].dtype = dt[v];
                g->values[v].shape = sa[v];
                frost__graph_set_const(g, v, da[v], nb[v]);
                frost__free(a, db[v]);
                db[v] = da[v];
            } else {
                spec[v] = true;
            }
        }
        if (same) {
            nd->dead = folded[i] = true;
            n_folded++;
        }
    }
    if (st == FROST_OK && n_folded) {
        char hist[600];
        frost__pass_op_histogram(g, folded, hist, sizeof hist);
        frost__graph_report(g, "folded %d shape computations that don't depend on unknown dims: %s",
                            n_folded, hist);
    }
done:
    for (int v = 0; spec && v < g->n_values; v++) {
        if (!spec[v]) continue;
        frost__free(a, da[v]);
        frost__free(a, db[v]);
    }
    frost__free(a, dt);
    frost__free(a, sa);
    frost__free(a, sb);
    frost__free(a, da);
    frost__free(a, db);
    frost__free(a, nb);
    frost__free(a, spec);
    frost__free(a, folded);
    if (st == FROST_OK) st = frost__pass_infer(g, err);
    return st;
}
