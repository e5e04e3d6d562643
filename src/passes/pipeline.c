/* pipeline.c — the order of the load-time passes, the supported-ops check that reports every
 * problem at once, and weight packing. */
#include "passes/passes.h"

#include <stdio.h>

void frost__pass_op_histogram(const frost__graph *g, const bool *mark, char *buf, size_t cap) {
    /* Distinct source op names in first-seen order, with counts. Quadratic in distinct ops only. */
    enum { MAXOPS = 64 };
    const char *ops[MAXOPS];
    int counts[MAXOPS], n_ops = 0, other = 0;
    for (int i = 0; i < g->n_nodes; i++) {
        if (!mark[i]) continue;
        const char *op = g->nodes[i].src_op;
        int k = 0;
        while (k < n_ops && strcmp(ops[k], op) != 0) k++;
        if (k == n_ops) {
            if (n_ops == MAXOPS) {
                other++;
                continue;
            }
            ops[n_ops] = op;
            counts[n_ops++] = 0;
        }
        counts[k]++;
    }
    size_t at = 0;
    buf[0] = 0;
    for (int k = 0; k < n_ops && at < cap; k++)
        at += (size_t)snprintf(buf + at, cap - at, "%s%s x%d", k ? ", " : "", ops[k], counts[k]);
    if (other && at < cap) snprintf(buf + at, cap - at, ", %d more", other);
}

frost_status frost__pass_check_supported(const frost__graph *g, frost_error *err) {
    /* Collect every unsupported op (with counts and up to 3 node names each) and string tensor. */
    enum { MAXOPS = 32 };
    const char *ops[MAXOPS];
    int counts[MAXOPS], first[MAXOPS][3], n_ops = 0, n_bad = 0;
    for (int i = 0; i < g->n_nodes; i++) {
        const frost__node *n = &g->nodes[i];
        const frost__op_def *def = frost__op_get(n->op);
        bool bad = n->op == FROST__OP_UNSUPPORTED || n->op == FROST__OP_SWITCH ||
                   n->op == FROST__OP_MERGE || !def;
        if (!bad) continue;
        n_bad++;
        int k = 0;
        while (k < n_ops && strcmp(ops[k], n->src_op) != 0) k++;
        if (k == n_ops) {
            if (n_ops == MAXOPS) continue;
            ops[n_ops] = n->src_op;
            counts[n_ops] = 0;
            n_ops++;
        }
        if (counts[k] < 3) first[k][counts[k]] = i;
        counts[k]++;
    }
    char strings[300] = "";
    size_t sat = 0;
    int n_strings = 0;
    for (int i = 0; i < g->n_values; i++) {
        if (g->values[i].dtype != FROST_DTYPE_STRING) continue;
        if (sat < sizeof strings)
            sat += (size_t)snprintf(strings + sat, sizeof strings - sat, "%s'%s'",
                                    n_strings ? ", " : "", g->values[i].name);
        n_strings++;
    }
    if (!n_bad && !n_strings) return FROST_OK;
    char msg[1024];
    size_t at = 0;
    if (n_bad) {
        at += (size_t)snprintf(msg + at, sizeof msg - at, "%d unsupported op%s: ", n_bad,
                               n_bad == 1 ? "" : "s");
        for (int k = 0; k < n_ops && at < sizeof msg; k++) {
            at += (size_t)snprintf(msg + at, sizeof msg - at, "%s%s x%d (", k ? "; " : "", ops[k],
                                   counts[k]);
            for (int j = 0; j < counts[k] && j < 3 && at < sizeof msg; j++)
                at += (size_t)snprintf(msg + at, sizeof msg - at, "%s'%s'", j ? ", " : "",
                                       g->nodes[first[k][j]].name);
            if (counts[k] > 3 && at < sizeof msg)
                at += (size_t)snprintf(msg + at, sizeof msg - at, ", ...");
            if (at < sizeof msg) at += (size_t)snprintf(msg + at, sizeof msg - at, ")");
        }
    }
    if (n_strings && at < sizeof msg)
        snprintf(msg + at, sizeof msg - at, "%sstring tensors (dtype string is not supported): %s",
                 n_bad ? "; " : "", strings);
    const frost__node *n0 = n_ops ? &g->nodes[first[0][0]] : NULL;
    return frost__fail(err, FROST_E_UNSUPPORTED, n0 ? n0->name : NULL, n0 ? n0->src_op : NULL, -1,
                       "%s", msg);
}

frost_status frost__pass_pack(frost__graph *g, frost_error *err) {
    const frost__cpu *cpu = g->cpu ? g->cpu : frost__cpu_get();
    frost__graph_report(g, "kernels: %s%s%s",
                        cpu->max_isa >= FROST__ISA_AVX512 ? "AVX-512"
                        : cpu->max_isa >= FROST__ISA_AVX2 ? "AVX2 + FMA"
                                                          : "portable C",
                        cpu->avx512_bf16 ? " + BF16" : "", cpu->avx512_vnni ? " + VNNI" : "");
    for (int i = 0; i < g->n_nodes; i++) {
        frost__node *n = &g->nodes[i];
        const frost__op_def *def = frost__op_get(n->op);
        if (def && def->pack) FROST_TRY(def->pack(g, n, cpu, err));
    }
    return FROST_OK;
}

static frost_status resolve_user_outputs(frost__graph *g, const frost__pass_options *o,
                                         frost_error *err) {
    for (int i = 0; i < o->n_outputs; i++) {
        int v = frost__graph_find(g, o->outputs[i], "output", err);
        if (v < 0) return err ? err->code : FROST_E_NOT_FOUND;
        FROST_TRY(frost__graph_add_output(g, v, err));
    }
    return FROST_OK;
}

frost_status frost__passes_run(frost__graph *g, const frost__pass_options *o, frost_error *err) {
    if (g->format == FROST_FORMAT_TF_GRAPHDEF) FROST_TRY(frost__pass_scope_aliases(g, err));
    if (o && o->n_fixed_inputs > 0)
        FROST_TRY(frost__pass_fixed_inputs(g, o->fixed_inputs, o->n_fixed_inputs, err));
    frost__pass_learning_phase(g);
    if (o && o->outputs && o->n_outputs > 0) FROST_TRY(resolve_user_outputs(g, o, err));
    bool *first_sinks = g->n_outputs ? NULL : frost__pass_find_sinks(g);
    frost_status st = frost__pass_infer(g, err);
    if (st == FROST_OK) st = frost__pass_fold(g, err);
    if (st == FROST_OK) st = frost__pass_switch_merge(g, err);
    if (st == FROST_OK) st = frost__pass_sinks_as_outputs(g, first_sinks, err);
    /* After the outputs are chosen: the noise it frees must not become a sink. */
    if (st == FROST_OK) st = frost__pass_dropout_noise(g, err);
    frost__free(&g->alloc, first_sinks);
    FROST_TRY(st);
    frost__pass_prune(g);
    FROST_TRY(frost__pass_fold(g, err));
    FROST_TRY(frost__pass_fold_shapes(g, err));
    /* Conditions computed from shapes (TF2 If on Size(x)) are constants only now. */
    FROST_TRY(frost__pass_switch_merge(g, err));
    /* Resolving an If can make a nested If's condition constant (a shape it tests is known now). */
    for (int round = 0; round < g->n_nodes && frost__pass_resolve_ifs(g) > 0; round++) {
        frost__pass_prune(g);
        FROST_TRY(frost__pass_infer(g, err));
        FROST_TRY(frost__pass_fold(g, err));
        FROST_TRY(frost__pass_fold_shapes(g, err));
    }
    FROST_TRY(frost__pass_cancel_transposes(g, err));
    frost__pass_prune(g);
    FROST_TRY(frost__pass_dilated_convs(g, err));
    frost__pass_bypass_identities(g);
    FROST_TRY(frost__pass_stft_convs(g, err));
    FROST_TRY(frost__pass_pointwise(g, err));
    FROST_TRY(frost__pass_fold_pads(g, err));
    FROST_TRY(frost__pass_fuse(g, err));
    FROST_TRY(frost__graph_compact(g, err));
    FROST_TRY(frost__pass_check_supported(g, err));
    FROST_TRY(frost__pass_infer(g, err));
    FROST_TRY(frost__pass_pack(g, err));
    return FROST_OK;
}
