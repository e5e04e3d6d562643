/* prune.c — picks the graph's outputs (the user's names, or every sink) and removes every node they
 * don't need, including training-only leftovers; inputs nobody needs stop being inputs. */
#include "passes/passes.h"

#include <stdio.h>

bool *frost__pass_find_sinks(const frost__graph *g) {
    int *uses = frost__graph_use_counts(g);
    bool *sink = frost__calloc(&g->alloc, (size_t)(g->n_values ? g->n_values : 1), sizeof(bool));
    if (uses && sink) {
        for (int i = 0; i < g->n_nodes; i++) {
            const frost__node *n = &g->nodes[i];
            bool used = false;
            for (int k = 0; k < n->n_out; k++) used |= uses[n->out[k]] > 0;
            for (int k = 0; !n->dead && !used && k < n->n_out; k++) sink[n->out[k]] = true;
        }
        /* A constant nobody reads (a graph that is one Const) is a result too, if nothing else is
         * (see frost__pass_sinks_as_outputs). */
        for (int v = 0; v < g->n_values; v++)
            if (g->values[v].kind == FROST__VAL_CONST && uses[v] == 0) sink[v] = true;
    }
    frost__free(&g->alloc, uses);
    if (!uses) {
        frost__free(&g->alloc, sink);
        return NULL;
    }
    return sink;
}

frost_status frost__pass_sinks_as_outputs(frost__graph *g, const bool *first_sinks,
                                          frost_error *err) {
    if (g->n_outputs > 0) return FROST_OK;
    int *uses = frost__graph_use_counts(g);
    if (!uses) return frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
    frost_status st = FROST_OK;
    for (int i = 0; i < g->n_nodes && st == FROST_OK; i++) {
        const frost__node *n = &g->nodes[i];
        if (n->dead) continue;
        bool used = false;
        for (int k = 0; k < n->n_out; k++)
            if (uses[n->out[k]]) used = true;
        if (used) continue;
        for (int k = 0; k < n->n_out && st == FROST_OK; k++) st = frost__graph_add_output(g, n->out[k], err);
    }
    frost__free(&g->alloc, uses);
    /* A graph computed only from constants (z = Add(x, y) with x, y Const) folds into constants:
     * its sinks before folding are then its outputs. */
    for (int v = 0; first_sinks && st == FROST_OK && g->n_outputs == 0 && v < g->n_values; v++)
        if (first_sinks[v] && g->values[v].kind == FROST__VAL_CONST)
            st = frost__graph_add_output(g, v, err);
    if (st == FROST_OK && g->n_outputs == 0)
        return frost__fail(err, FROST_E_FORMAT, NULL, NULL, -1,
                           "the model has no outputs: no node produces a result nobody consumes");
    return st;
}

void frost__pass_prune(frost__graph *g) {
    const frost_allocator *a = &g->alloc;
    bool *need = frost__calloc(a, (size_t)(g->n_values ? g->n_values : 1), sizeof(bool));
    bool *pruned = frost__calloc(a, (size_t)(g->n_nodes ? g->n_nodes : 1), sizeof(bool));
    if (!need || !pruned) {
        frost__free(a, need);
        frost__free(a, pruned);
        return; /* pruning is an optimisation: skip it on OOM */
    }
    for (int i = 0; i < g->n_outputs; i++) need[g->outputs[i]] = true;
    int n_pruned = 0;
    for (int i = g->n_nodes - 1; i >= 0; i--) {
        frost__node *n = &g->nodes[i];
        if (n->dead) continue;
        bool needed = false;
        for (int k = 0; k < n->n_out; k++)
            if (need[n->out[k]]) needed = true;
        if (!needed) {
            n->dead = pruned[i] = true;
            n_pruned++;
            continue;
        }
        for (int k = 0; k < n->n_in; k++)
            if (n->in[k] >= 0) need[n->in[k]] = true;
    }
    if (n_pruned) {
        char hist[600];
        frost__pass_op_histogram(g, pruned, hist, sizeof hist);
        frost__graph_report(g, "pruned %d nodes the outputs don't need: %s", n_pruned, hist);
    }
    for (int i = 0; i < g->n_inputs; i++) {
        int v = g->inputs[i];
        if (need[v]) continue;
        frost__graph_report(g, "input '%s' is not needed by the outputs: not an input any more",
                            g->values[v].name);
        memmove(&g->inputs[i], &g->inputs[i + 1], (size_t)(g->n_inputs - i - 1) * sizeof(int));
        g->n_inputs--;
        i--;
    }
    frost__free(a, need);
    frost__free(a, pruned);
}
