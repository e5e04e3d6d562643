/* branches.c — the scope of every node with respect to If branches (branches.h): nodes are visited
 * last to first, so every consumer's scope is known before its producer's, and a node's scope is
 * the innermost scope that encloses every use of its results. A graph output, or a value used by
 * both sides of an If, pulls the node out of the branch.
 *
 * It must never mark a node conditional when some use outside the branch needs it: the lowest
 * common ancestor over all uses is the only rule. */
#include "ops/branches.h"

static int lca(const frost__branches *b, int x, int y) {
    if (x < 0) return y;
    if (y < 0) return x;
    while (b->depth[x] > b->depth[y]) x = b->parent[x];
    while (b->depth[y] > b->depth[x]) y = b->parent[y];
    while (x != y) {
        x = b->parent[x];
        y = b->parent[y];
    }
    return x;
}

void frost__branches_free(const frost__graph *g, frost__branches *b) {
    frost__free(&g->alloc, b->node_scope);
    frost__free(&g->alloc, b->parent);
    frost__free(&g->alloc, b->depth);
    memset(b, 0, sizeof *b);
}

frost_status frost__branches_build(const frost__graph *g, const bool *live, const int *outs,
                                   int n_outs, frost__branches *b, frost_error *err) {
    memset(b, 0, sizeof *b);
    const frost_allocator *a = &g->alloc;
    size_t nn = (size_t)(g->n_nodes ? g->n_nodes : 1), nv = (size_t)(g->n_values ? g->n_values : 1);
    b->n_scopes = 1 + 2 * g->n_nodes;
    b->node_scope = frost__calloc(a, nn, sizeof(int));
    b->parent = frost__calloc(a, (size_t)b->n_scopes, sizeof(int));
    b->depth = frost__calloc(a, (size_t)b->n_scopes, sizeof(int));
    /* Per value: the scope enclosing every use seen so far (-1: none yet). */
    int *use_scope = frost__alloc(a, nv * sizeof(int));
    if (!b->node_scope || !b->parent || !b->depth || !use_scope) {
        frost__free(a, use_scope);
        frost__branches_free(g, b);
        return frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
    }
    for (size_t v = 0; v < nv; v++) use_scope[v] = -1;
    for (int i = 0; i < n_outs; i++)
        if (outs[i] >= 0 && outs[i] < g->n_values) use_scope[outs[i]] = 0;
    for (int i = g->n_nodes - 1; i >= 0; i--) {
        const frost__node *n = &g->nodes[i];
        if (live ? !live[i] : n->dead) continue;
        int sc = -1;
        for (int k = 0; k < n->n_out; k++) sc = lca(b, sc, use_scope[n->out[k]]);
        if (sc < 0) sc = 0; /* unused: the planner never asks */
        b->node_scope[i] = sc;
        bool is_if = n->op == FROST__OP_IF && n->n_in == 1 + 2 * n->n_out;
        if (is_if) {
            b->n_ifs++;
            for (int side = 0; side < 2; side++) {
                b->parent[1 + 2 * i + side] = sc;
                b->depth[1 + 2 * i + side] = b->depth[sc] + 1;
            }
        }
        for (int k = 0; k < n->n_in; k++) {
            int v = n->in[k];
            if (v < 0) continue;
            int use = sc;
            if (is_if && k >= 1) use = k <= n->n_out ? 1 + 2 * i : 2 + 2 * i;
            use_scope[v] = lca(b, use_scope[v], use);
        }
    }
    frost__free(a, use_scope);
    return FROST_OK;
}
