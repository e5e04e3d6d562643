/* branches.h — which nodes belong to an If branch (ops/control.c's IF): a node whose every result
 * is used only by one side of one If (directly, or through other nodes of that side) computes
 * something only that side needs, so it runs only when that side is taken. Branches nest: an If
 * inside a branch opens scopes whose parent is that branch.
 *
 * Scope 0 is "always". Scope ids of If node j: 1 + 2*j (then side) and 2 + 2*j (else side). The
 * analysis is structural (uses, not names), so it stays true after any pass that rewrites nodes. */
#ifndef FROST_OPS_BRANCHES_H
#define FROST_OPS_BRANCHES_H

#include "core/graph.h"

typedef struct frost__branches {
    int n_scopes;       /* 1 + 2 * n_nodes                                                    */
    int *node_scope;    /* per node: the innermost scope it runs in (0: always)               */
    int *parent;        /* per scope: the scope the If itself runs in                         */
    int *depth;         /* per scope: 0 for "always", nesting level otherwise                 */
    int n_ifs;          /* live If nodes found                                                */
} frost__branches;

/* Nesting the planner follows; deeper conditions are not used to skip work (still correct). */
#define FROST__MAX_IF_DEPTH 32

static inline int frost__branch_if_node(int scope) { return (scope - 1) / 2; }
static inline bool frost__branch_is_then(int scope) { return (scope - 1) % 2 == 0; }

/* Computes the scopes of g's nodes. live (per node, may be NULL: every node not dead) limits the
 * analysis; outs (n_outs value ids) are used unconditionally (the caller wants them). Allocates
 * with g->alloc; free with frost__branches_free. */
frost_status frost__branches_build(const frost__graph *g, const bool *live, const int *outs,
                                   int n_outs, frost__branches *b, frost_error *err);
void frost__branches_free(const frost__graph *g, frost__branches *b);

#endif /* FROST_OPS_BRANCHES_H */
