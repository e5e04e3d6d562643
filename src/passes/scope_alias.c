/* scope_alias.c — Keras layer names for frozen TensorFlow graphs. Keras puts each layer's ops under
 * a name scope ("dense_1/MatMul", "dense_1/BiasAdd", "dense_1/Softmax"), so the name the user gave
 * the layer is not a node. When exactly one tensor leaves a top-level scope (consumed outside it,
 * or a graph sink), that tensor is the layer's output: the scope name becomes an alias for it, so
 * `dense_1` finds what Keras calls the layer's output. Runs right after import, before pruning. */
#include "passes/passes.h"

#include <stdio.h>

/* Length of the top-level scope of `name` ("dense_1/BiasAdd" -> 7), or 0 when it has none. */
static size_t scope_len(const char *name) {
    const char *slash = strchr(name, '/');
    return slash ? (size_t)(slash - name) : 0;
}

static bool in_scope(const char *name, const char *scope, size_t len) {
    return strncmp(name, scope, len) == 0 && name[len] == '/';
}

/* Quadratic in the number of scopes: graphs bigger than this (not Keras-made) are skipped. */
#define SCOPE_ALIAS_MAX_NODES 5000

static bool same_scope(const char *a, const char *b) {
    size_t la = scope_len(a), lb = scope_len(b);
    return la && la == lb && strncmp(a, b, la) == 0;
}

frost_status frost__pass_scope_aliases(frost__graph *g, frost_error *err) {
    if (g->n_nodes > SCOPE_ALIAS_MAX_NODES) return FROST_OK;
    const frost_allocator *a = &g->alloc;
    int *uses = frost__graph_use_counts(g);
    bool *leaves = frost__calloc(a, (size_t)(g->n_values ? g->n_values : 1), sizeof(bool));
    if (!uses || !leaves) {
        frost__free(a, uses);
        frost__free(a, leaves);
        return frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
    }
    /* A tensor leaves its scope when a node of another scope reads it, or nobody does. */
    for (int c = 0; c < g->n_nodes; c++) {
        const frost__node *cn = &g->nodes[c];
        for (int q = 0; q < cn->n_in; q++) {
            int v = cn->in[q], p = v >= 0 ? g->values[v].producer : -1;
            if (p >= 0 && !same_scope(g->nodes[p].name, cn->name)) leaves[v] = true;
        }
    }
    for (int v = 0; v < g->n_values; v++) {
        int p = g->values[v].producer;
        if (p >= 0 && uses[v] == 0 && g->nodes[p].op != FROST__OP_UNSUPPORTED) leaves[v] = true;
    }
    int n_alias = 0;
    frost_status st = FROST_OK;
    for (int i = 0; i < g->n_nodes && st == FROST_OK; i++) {
        const char *scope = g->nodes[i].name;
        size_t len = scope_len(scope);
        if (!len || len >= 256) continue;
        bool seen = false; /* handle each scope at its first node */
        for (int j = 0; j < i && !seen; j++) seen = same_scope(g->nodes[j].name, scope);
        if (seen) continue;
        char name[256];
        memcpy(name, scope, len);
        name[len] = 0;
        if (frost__graph_lookup(g, name) >= 0) continue;
        int leaving = -1, n_leaving = 0;
        for (int j = i; j < g->n_nodes && n_leaving < 2; j++) {
            const frost__node *n = &g->nodes[j];
            if (!in_scope(n->name, name, len)) continue;
            for (int k = 0; k < n->n_out; k++) {
                if (leaves[n->out[k]] && n->out[k] != leaving) {
                    leaving = n->out[k];
                    n_leaving++;
                }
            }
        }
        if (n_leaving != 1) continue;
        st = frost__graph_add_alias(g, name, leaving, err);
        n_alias++;
    }
    frost__free(a, uses);
    frost__free(a, leaves);
    if (st == FROST_OK && n_alias)
        frost__graph_report(g, "named %d layer outputs after their scopes (Keras layer names)", n_alias);
    return st;
}
