/* onnx_ops_control.c — ONNX control flow. If: both branches are imported into the graph (each
 * sees the names of the scopes around it) and joined by frost's IF, which hands on the taken
 * side's values; when the condition is already a constant here, only the taken branch is imported.
 * A condition that becomes constant later (a --set input, a shape known at load) is resolved by the
 * load passes, and one known only at run time picks the branch per run (the untaken side's own
 * nodes are skipped: ops/branches.h). A Loop whose trip count and condition are known at load is
 * unrolled; other Loops, and Scan, are refused by name.
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
                                            taken ? "then_branch" : "else_branch", NULL, 0,
                                            in + 1));
        for (size_t k = 0; k < k_out; k++) FROST_TRY(frost__onnx_bind(c, n, k, in[1 + k]));
        return FROST_OK;
    }
    FROST_TRY(frost__onnx_import_branch(c, n, then_g, "then_branch", NULL, 0, in + 1));
    FROST_TRY(frost__onnx_import_branch(c, n, else_g, "else_branch", NULL, 0, in + 1 + k_out));
    int node = frost__onnx_emit(c, n, NULL, FROST__OP_IF, 1 + 2 * (int)k_out, in, (int)k_out, NULL);
    if (node < 0) return frost__onnx_failed(c);
    for (size_t k = 0; k < k_out; k++)
        FROST_TRY(frost__onnx_bind(c, n, k, c->g->nodes[node].out[k]));
    return FROST_OK;
}

/* Loop with a trip count and condition known at load: the body is imported once per iteration,
 * each seeing the iteration number as a constant and the previous iteration's loop-carried values;
 * scan outputs are stacked along a new first axis. A body that computes when to stop, a trip count
 * or condition known only at run time, and Scan are refused by name. */
enum { LOOP_MAX_TRIPS = 1024, LOOP_MAX_CARRIED = 64, LOOP_MAX_STACKED = 64 };

frost_status frost__onnx_op_loop(onnx_ctx *c, onnx_node *n, const onnx_op *e) {
    (void)e;
    if (strcmp(n->op_type, "Loop") != 0)
        return frost__onnx_unsupported(c, n, "loops over a subgraph are not supported");
    const FrostOnnx__GraphProto *body = frost__onnx_subgraph(c, frost__onnx_attr(n, "body"));
    if (!body) return frost__onnx_bad_node(c, n, "needs a graph attribute body");
    size_t n_carried = n->n_input - 2;
    if (n_carried > LOOP_MAX_CARRIED)
        return frost__onnx_unsupported(c, n, "%zu loop-carried values (frost unrolls up to %d)",
                                       n_carried, LOOP_MAX_CARRIED);
    if (body->n_input != 2 + n_carried || body->n_output < 1 + n_carried)
        return frost__onnx_bad_node(c, n,
                                    "has %zu loop-carried values but its body takes %zu inputs "
                                    "and gives %zu outputs", n_carried, body->n_input,
                                    body->n_output);
    size_t n_scan = body->n_output - 1 - n_carried;
    if (n->n_output > n_carried + n_scan)
        return frost__onnx_bad_node(c, n, "has %zu outputs; its body gives %zu", n->n_output,
                                    n_carried + n_scan);
    int m = frost__onnx_in(c, n, 0), cond = frost__onnx_in(c, n, 1);
    int64_t trips;
    if (m < 0) return frost__onnx_unsupported(c, n, "no trip count: it runs until its body stops it");
    if (frost__onnx_const_ints(c, m, &trips, 1) != 1)
        return frost__onnx_unsupported(c, n, "trip count known only at run time");
    double go = 1;
    if (cond >= 0 && !frost__onnx_const_scalar(c, cond, &go))
        return frost__onnx_unsupported(c, n, "condition known only at run time");
    if (go == 0 || trips < 0) trips = 0;
    if (trips > LOOP_MAX_TRIPS)
        return frost__onnx_unsupported(c, n, "%lld iterations (frost unrolls up to %d)",
                                       (long long)trips, LOOP_MAX_TRIPS);
    if (n_scan > 0 && (trips == 0 || trips > LOOP_MAX_STACKED))
        return frost__onnx_unsupported(c, n, "scan outputs over %lld iterations (frost stacks 1 to "
                                       "%d)", (long long)trips, LOOP_MAX_STACKED);
    int carried[LOOP_MAX_CARRIED];
    for (size_t k = 0; k < n_carried; k++) FROST_TRY(frost__onnx_need_in(c, n, 2 + k, &carried[k]));
    size_t n_body_out = body->n_output;
    int *ins = frost__calloc(&c->g->alloc, 2 + n_carried, sizeof(int));
    int *outs = frost__calloc(&c->g->alloc, n_body_out, sizeof(int));
    int *stacked = frost__calloc(&c->g->alloc, n_scan * LOOP_MAX_STACKED + 1, sizeof(int));
    frost_status st = FROST_OK;
    if (!ins || !outs || !stacked)
        st = frost__fail(c->err, FROST_E_NOMEM, frost__onnx_node_label(n), n->op_type, -1,
                         "out of memory");
    int yes = st == FROST_OK ? frost__onnx_const_scalar_of(c, n, "go", FROST_DTYPE_BOOL, 1) : -1;
    if (st == FROST_OK && yes < 0) st = frost__onnx_failed(c);
    int64_t done = 0;
    for (int64_t t = 0; st == FROST_OK && t < trips; t++) {
        char nm[32];
        snprintf(nm, sizeof nm, "iteration_%lld", (long long)t);
        ins[0] = frost__onnx_const_i64(c, n, nm, &t, 1, true);
        if (ins[0] < 0) {
            st = frost__onnx_failed(c);
            break;
        }
        ins[1] = yes;
        for (size_t k = 0; k < n_carried; k++) ins[2 + k] = carried[k];
        st = frost__onnx_import_branch(c, n, body, "body", ins, 2 + n_carried, outs);
        if (st != FROST_OK) break;
        for (size_t k = 0; k < n_carried; k++) carried[k] = outs[1 + k];
        for (size_t k = 0; k < n_scan; k++) stacked[k * LOOP_MAX_STACKED + t] = outs[1 + n_carried + k];
        done = t + 1;
        /* The body's condition: passed on, or a constant; anything it computes ends the unroll. */
        double next = 1;
        int cond_out = outs[0];
        while (cond_out >= 0 && cond_out != yes && frost__graph_producer(c->g, cond_out) >= 0 &&
               c->g->nodes[frost__graph_producer(c->g, cond_out)].op == FROST__OP_IDENTITY)
            cond_out = c->g->nodes[frost__graph_producer(c->g, cond_out)].in[0];
        if (cond_out != yes && !frost__onnx_const_scalar(c, cond_out, &next)) {
            st = frost__onnx_unsupported(c, n, "its body computes when to stop");
            goto out;
        }
        if (next == 0) break;
    }
    for (size_t k = 0; st == FROST_OK && k < n_carried; k++)
        st = frost__onnx_bind(c, n, k, carried[k]);
    for (size_t k = 0; st == FROST_OK && k < n_scan && n_carried + k < n->n_output; k++) {
        if (!frost__onnx_output_used(c, n, n_carried + k)) continue;
        frost__params p;
        memset(&p, 0, sizeof p);
        p.pack.axis = 0;
        int v = frost__onnx_step(c, n, "scan", FROST__OP_PACK, (int)done,
                                 &stacked[k * LOOP_MAX_STACKED], &p);
        st = v < 0 ? frost__onnx_failed(c) : frost__onnx_bind(c, n, n_carried + k, v);
    }
    if (st == FROST_OK)
        frost__graph_report(c->g, "onnx: Loop '%s' unrolled over %lld iterations",
                            frost__onnx_node_label(n), (long long)done);
out:
    frost__free(&c->g->alloc, ins);
    frost__free(&c->g->alloc, outs);
    frost__free(&c->g->alloc, stacked);
    return st;
}
