/* onnx_ops_control.c — ONNX control flow. If: both branches are imported into the graph (each
 * sees the names of the scopes around it) and joined by frost's IF, which hands on the taken
 * side's values; when the condition is already a constant here, only the taken branch is imported.
 * A condition that becomes constant later (a --set input, a shape known at load) is resolved by the
 * load passes, and one known only at run time picks the branch per run (the untaken side's own
 * nodes are skipped: ops/branches.h). Loop and Scan are refused by name.
 *
 * It must never bind an If's output to a value of the wrong branch, and never accept branches
 * whose output counts differ from the node's. */
#include "import/onnx/onnx_ops.h"

#include <stdio.h>

enum { MAX_IF_OUTPUTS = 64 };

frost_status frost__onnx_op_if(onnx_ctx *c, onnx_node *n, const onnx_op *e) {
    (void)e;
    int cond;
    FROST_TRY(frost__onnx_need_in(c, n, 0, &cond));
    const FrostOnnx__GraphProto *then_g = frost__onnx_subgraph(c, frost__onnx_attr(n, "then_branch"));
    const FrostOnnx__GraphProto *else_g = frost__onnx_subgraph(c, frost__onnx_attr(n, "else_branch"));
    if (!then_g || !else_g)
        return frost__onnx_bad_node(c, n, "needs graph attributes then_branch and else_branch");
    size_t k_out = n->n_output;
    if (then_g->n_output != k_out || else_g->n_output != k_out)
        return frost__onnx_bad_node(c, n,
                                    "has %zu outputs but its then_branch gives %zu and its "
                                    "else_branch %zu", k_out, then_g->n_output, else_g->n_output);
    if (k_out > MAX_IF_OUTPUTS)
        return frost__onnx_unsupported(c, n, "%zu outputs; frost reads If with up to %d", k_out,
                                       MAX_IF_OUTPUTS);
    int in[1 + 2 * MAX_IF_OUTPUTS];
    in[0] = cond;
    double known;
    if (frost__onnx_const_scalar(c, cond, &known)) {
        /* Decided now: the other branch is never imported. */
        bool taken = known != 0;
        FROST_TRY(frost__onnx_import_branch(c, n, taken ? then_g : else_g,
                                            taken ? "then_branch" : "else_branch", in + 1));
        for (size_t k = 0; k < k_out; k++) FROST_TRY(frost__onnx_bind(c, n, k, in[1 + k]));
        return FROST_OK;
    }
    FROST_TRY(frost__onnx_import_branch(c, n, then_g, "then_branch", in + 1));
    FROST_TRY(frost__onnx_import_branch(c, n, else_g, "else_branch", in + 1 + k_out));
    int node = frost__onnx_emit(c, n, NULL, FROST__OP_IF, 1 + 2 * (int)k_out, in, (int)k_out, NULL);
    if (node < 0) return frost__onnx_failed(c);
    for (size_t k = 0; k < k_out; k++)
        FROST_TRY(frost__onnx_bind(c, n, k, c->g->nodes[node].out[k]));
    return FROST_OK;
}

frost_status frost__onnx_op_loop(onnx_ctx *c, onnx_node *n, const onnx_op *e) {
    (void)e;
    return frost__onnx_unsupported(c, n, "loops over a subgraph are not supported");
}
