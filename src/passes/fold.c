/* fold.c — load-time shape inference and constant folding. A node whose inputs are all constants
 * is computed once here with the same kernels the session would use, and its outputs become
 * constants (Identity of weights, BatchNorm parameter arithmetic, shape computations whose inputs
 * are fully known). Inference tolerates unknown dims: they stay -1 until a session plans. */
#include "passes/passes.h"

#include <stdio.h>

#include "engine/eval.h"

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

frost_status frost__pass_infer(frost__graph *g, frost_error *err) {
    infer_arrays ar;
    memset(&ar, 0, sizeof ar);
    frost_status st = arrays_init(g, &ar, err);
    for (int i = 0; i < g->n_nodes && st == FROST_OK; i++) {
        frost__node *n = &g->nodes[i];
        if (!runnable(n)) continue;
        st = frost__infer_node(n, ar.dtype, ar.shape, ar.data, false, err);
        if (st != FROST_OK) break;
        for (int k = 0; k < n->n_out; k++) {
            frost__value *v = &g->values[n->out[k]];
            v->dtype = ar.dtype[n->out[k]];
            v->shape = ar.shape[n->out[k]];
        }
    }
    arrays_free(g, &ar);
    return st;
}

frost_status frost__pass_fold(frost__graph *g, frost_error *err) {
    infer_arrays ar;
    memset(&ar, 0, sizeof ar);
    frost_status st = arrays_init(g, &ar, err);
    bool *folded = frost__calloc(&g->alloc, (size_t)(g->n_nodes ? g->n_nodes : 1), sizeof(bool));
    if (!folded && st == FROST_OK) st = frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
    int n_folded = 0;
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
    return st;
}
