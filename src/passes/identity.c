/* identity.c — removes Identity nodes: their consumers read the input instead. What is left of a
 * resolved Keras Dropout (Switch/Merge becomes Identity) otherwise sat between a MatMul and its
 * BiasAdd, and the fusion pass only fuses a sole direct consumer. The Identity's names move to the
 * value it forwarded, so feeds and fetches by those names keep working; when its output was
 * computed by a node (not a model input or constant), that value takes the Identity's name as its
 * canonical one, which is the name a user asked for as an output. */
#include "passes/passes.h"

void frost__pass_bypass_identities(frost__graph *g) {
    int n_bypassed = 0;
    for (int i = 0; i < g->n_nodes; i++) {
        frost__node *n = &g->nodes[i];
        if (n->dead || n->op != FROST__OP_IDENTITY || n->n_in != 1 || n->n_out != 1 || n->in[0] < 0)
            continue;
        const int from = n->out[0], to = n->in[0];
        if (g->values[from].dtype != g->values[to].dtype) continue; /* not a plain forward */
        frost__graph_replace_uses(g, from, to, true);
        if (g->values[to].kind == FROST__VAL_NODE) {
            char *name = g->values[to].name;
            g->values[to].name = g->values[from].name;
            g->values[from].name = name;
        }
        n->dead = true;
        n_bypassed++;
    }
    if (n_bypassed) frost__graph_report(g, "bypassed %d Identity nodes", n_bypassed);
}
