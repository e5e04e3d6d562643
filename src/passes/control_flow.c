/* control_flow.c — resolves control flow whose condition is a constant at load. TF1's Switch/Merge
 * (tf.cond), as Keras' learning phase makes it: the untaken branch dies (a node with a dead input is
 * dead, except Merge, which forwards its one live input). ONNX If (ops/control.c's IF), once its
 * condition folds to a constant (a --set input, a shape known at load): its outputs become the
 * taken side's values and pruning removes what only the other side needed. Loops
 * (Enter/Exit/NextIteration) are not supported and stay for the supported-ops check to report. */
#include "passes/passes.h"

#include <stdio.h>

frost_status frost__pass_switch_merge(frost__graph *g, frost_error *err) {
    const frost_allocator *a = &g->alloc;
    bool *dead_val = frost__calloc(a, (size_t)(g->n_values ? g->n_values : 1), sizeof(bool));
    bool *removed = frost__calloc(a, (size_t)(g->n_nodes ? g->n_nodes : 1), sizeof(bool));
    if (!dead_val || !removed) {
        frost__free(a, dead_val);
        frost__free(a, removed);
        return frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
    }
    int n_switch = 0, n_merge = 0, n_dead = 0;
    frost_status st = FROST_OK;
    for (int i = 0; i < g->n_nodes && st == FROST_OK; i++) {
        frost__node *n = &g->nodes[i];
        if (n->dead) continue;
        bool any_dead = false;
        int live_in = -1, n_live = 0;
        for (int k = 0; k < n->n_in; k++) {
            if (n->in[k] < 0) continue;
            if (dead_val[n->in[k]]) any_dead = true;
            else {
                live_in = n->in[k];
                n_live++;
            }
        }
        if (n->op == FROST__OP_MERGE) {
            if (!any_dead) continue; /* nothing known yet */
            if (n_live == 0) {
                for (int k = 0; k < n->n_out; k++) dead_val[n->out[k]] = true;
                n->dead = removed[i] = true;
                n_dead++;
                continue;
            }
            if (n_live > 1) continue;
            /* The Merge's tensor is its live input's: its names move there, and a computed value
             * is shown by the Merge's name, the one the graph's author gave the result. */
            frost__graph_replace_uses(g, n->out[0], live_in, true);
            if (g->values[live_in].kind == FROST__VAL_NODE) {
                char *name = g->values[live_in].name;
                g->values[live_in].name = g->values[n->out[0]].name;
                g->values[n->out[0]].name = name;
            }
            if (n->n_out > 1) {
                int32_t *idx = frost__alloc(a, sizeof(int32_t));
                if (!idx) {
                    st = frost__fail(err, FROST_E_NOMEM, n->name, n->src_op, -1, "out of memory");
                    break;
                }
                *idx = 0;
                for (int k = 0; k < n->n_in; k++)
                    if (n->in[k] == live_in) *idx = k;
                frost__value *vi = &g->values[n->out[1]];
                vi->dtype = FROST_DTYPE_I32;
                vi->shape.rank = 0;
                frost__graph_set_const(g, n->out[1], idx, sizeof(int32_t));
            }
            n->dead = true;
            n_merge++;
            continue;
        }
        if (any_dead) {
            for (int k = 0; k < n->n_out; k++) dead_val[n->out[k]] = true;
            n->dead = removed[i] = true;
            n_dead++;
            continue;
        }
        if (n->op != FROST__OP_SWITCH || n->n_in < 2 || n->n_out < 2) continue;
        const frost__value *pred = &g->values[n->in[1]];
        if (pred->kind != FROST__VAL_CONST || pred->nbytes == 0) continue;
        bool taken = frost__read_int(pred->dtype, pred->data, 0) != 0;
        int live_port = taken ? 1 : 0;
        dead_val[n->out[1 - live_port]] = true;
        frost__graph_replace_uses(g, n->out[live_port], n->in[0], true);
        n->dead = true;
        n_switch++;
    }
    if (st == FROST_OK && (n_switch || n_merge)) {
        char hist[600];
        frost__pass_op_histogram(g, removed, hist, sizeof hist);
        frost__graph_report(g,
                            "resolved %d Switch and %d Merge with constant predicates; removed %d "
                            "nodes of untaken branches%s%s",
                            n_switch, n_merge, n_dead, n_dead ? ": " : "", n_dead ? hist : "");
    }
    frost__free(a, dead_val);
    frost__free(a, removed);
    return st;
}

int frost__pass_resolve_ifs(frost__graph *g) {
    int n_resolved = 0, n_then = 0;
    for (int i = 0; i < g->n_nodes; i++) {
        frost__node *n = &g->nodes[i];
        if (n->dead || n->op != FROST__OP_IF || n->n_in != 1 + 2 * n->n_out) continue;
        const frost__value *cond = &g->values[n->in[0]];
        if (cond->kind != FROST__VAL_CONST || cond->nbytes == 0) continue;
        bool taken = frost__read_int(cond->dtype, cond->data, 0) != 0;
        for (int k = 0; k < n->n_out; k++) {
            int t = n->in[1 + (taken ? 0 : n->n_out) + k];
            /* The If's output names (what the model calls the result) answer for the value. */
            frost__graph_replace_uses(g, n->out[k], t, true);
        }
        n->dead = true;
        n_resolved++;
        n_then += taken;
    }
    if (n_resolved)
        frost__graph_report(g, "resolved %d If with constant conditions (%d then, %d else); their "
                            "untaken branches are pruned", n_resolved, n_then, n_resolved - n_then);
    return n_resolved;
}
