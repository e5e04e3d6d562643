/* control.c — control flow. TF1's Switch/Merge never run: they are resolved at load when the
 * predicate is constant. UNSUPPORTED nodes carry an unknown op to the supported-ops check. Both
 * have definitions so the registry knows them; their missing hooks mean "cannot run".
 *
 * IF (ONNX If) runs: in cond, then_0..then_(n-1), else_0..else_(n-1) -> the taken branch's n
 * values. Which nodes compute only one branch, and so run only when it is taken, is the planner's
 * business (ops/branches.h); the op itself only hands on the taken values. It must never look at
 * the untaken side when the condition is known: that side is not computed and may have no shape. */
#include "ops/op.h"

#include <stdio.h>

const frost__op_def frost__op_SWITCH = {"Switch", 0, NULL, NULL, NULL};
const frost__op_def frost__op_MERGE = {"Merge", 0, NULL, NULL, NULL};
const frost__op_def frost__op_UNSUPPORTED = {"Unsupported", 0, NULL, NULL, NULL};

/* Branch outputs per side, or -1 when the node's input count is malformed. */
static int if_arity(const frost__node *n) {
    if (n->n_in < 1 || (n->n_in - 1) % 2 != 0 || (n->n_in - 1) / 2 != n->n_out) return -1;
    return n->n_out;
}

static frost_status if_infer(frost__infer_ctx *c) {
    const frost__node *n = c->node;
    int k_out = if_arity(n);
    if (k_out < 0)
        return frost__op_fail(n, c->err, FROST_E_FORMAT,
                              "If has %d inputs for %d outputs (needs 1 + 2 x outputs)", n->n_in,
                              n->n_out);
    if (frost__shape_known(&c->in_shape[0]) && frost__shape_numel(&c->in_shape[0]) != 1) {
        char sb[96];
        return frost__op_fail(n, c->err, FROST_E_SHAPE,
                              "the condition must hold one value; it has shape %s",
                              frost__shape_str(&c->in_shape[0], sb, sizeof sb));
    }
    if (c->in_data[0]) {
        bool taken = frost__read_int(c->in_dtype[0], c->in_data[0], 0) != 0;
        int base = 1 + (taken ? 0 : k_out);
        for (int k = 0; k < k_out; k++) {
            c->out_dtype[k] = c->in_dtype[base + k];
            c->out_shape[k] = c->in_shape[base + k];
        }
        return FROST_OK;
    }
    for (int k = 0; k < k_out; k++) {
        frost_dtype a = c->in_dtype[1 + k], b = c->in_dtype[1 + k_out + k];
        const frost__shape *sa = &c->in_shape[1 + k], *sb = &c->in_shape[1 + k_out + k];
        if (a != FROST_DTYPE_INVALID && b != FROST_DTYPE_INVALID && a != b)
            return frost__op_fail(n, c->err, FROST_E_DTYPE,
                                  "output %d is %s in the then branch and %s in the else branch",
                                  k, frost_dtype_name(a), frost_dtype_name(b));
        c->out_dtype[k] = a != FROST_DTYPE_INVALID ? a : b;
        if (frost__shape_equal(sa, sb)) {
            c->out_shape[k] = *sa;
            continue;
        }
        if (c->planning) {
            char ta[96], tb[96];
            return frost__op_fail(n, c->err, FROST_E_SHAPE,
                                  "output %d has shape %s in the then branch and %s in the else "
                                  "branch, and the condition is known only when the model runs "
                                  "(fix the inputs it depends on at load: --set NAME=VALUE)",
                                  k, frost__shape_str(sa, ta, sizeof ta),
                                  frost__shape_str(sb, tb, sizeof tb));
        }
        /* At load: what both branches agree on. */
        frost__shape m = frost__shape_unknown();
        if (sa->rank >= 0 && sa->rank == sb->rank) {
            m.rank = sa->rank;
            for (int d = 0; d < m.rank; d++) m.d[d] = sa->d[d] == sb->d[d] ? sa->d[d] : -1;
        }
        c->out_shape[k] = m;
    }
    return FROST_OK;
}

static frost_status if_run(const frost__step *st, const frost__exec *ex) {
    const frost__node *n = st->node;
    int k_out = n->n_out;
    bool taken = frost__read_int(ex->dtype[n->in[0]], FROST_IN(st, ex, 0), 0) != 0;
    int base = 1 + (taken ? 0 : k_out);
    for (int k = 0; k < k_out; k++) {
        const void *src = FROST_IN(st, ex, base + k);
        void *dst = FROST_OUT(st, ex, k);
        if (!src)
            return frost__op_fail(n, ex->err, FROST_E_SHAPE,
                                  "the run takes the %s branch, which cannot run at the input "
                                  "shapes this session planned for (its condition depends on an "
                                  "input's value: fix that input at load with --set NAME=VALUE)",
                                  taken ? "then" : "else");
        size_t bytes = (size_t)st->state.i64[k];
        if (src != dst && bytes) memcpy(dst, src, bytes);
    }
    return FROST_OK;
}

static frost_status if_prepare(frost__step *st, const frost__prepare_ctx *pc) {
    const frost__node *n = pc->node;
    int k_out = n->n_out;
    if (k_out > 128)
        return frost__op_fail(n, pc->err, FROST_E_LIMIT, "If with %d outputs (frost runs up to 128)",
                              k_out);
    /* With the condition known only at run time both sides must fit the output exactly. */
    int first = 1, last = 1 + 2 * k_out;
    if (pc->in_data[0]) {
        bool taken = frost__read_int(pc->in_dtype[0], pc->in_data[0], 0) != 0;
        first = 1 + (taken ? 0 : k_out);
        last = first + k_out;
    }
    for (int i = first; i < last; i++) {
        int k = (i - 1) % k_out;
        if (pc->in_dtype[i] != pc->out_dtype[k] ||
            !frost__shape_equal(&pc->in_shape[i], &pc->out_shape[k])) {
            char a[96], b[96];
            return frost__op_fail(n, pc->err, FROST_E_SHAPE,
                                  "output %d is %s %s but the %s branch gives %s %s", k,
                                  frost_dtype_name(pc->out_dtype[k]),
                                  frost__shape_str(&pc->out_shape[k], a, sizeof a),
                                  i <= k_out ? "then" : "else", frost_dtype_name(pc->in_dtype[i]),
                                  frost__shape_str(&pc->in_shape[i], b, sizeof b));
        }
    }
    for (int k = 0; k < k_out; k++) {
        size_t bytes = 0;
        frost__tensor_bytes(pc->out_dtype[k], &pc->out_shape[k], &bytes);
        st->state.i64[k] = (int64_t)bytes;
    }
    st->run = if_run;
    return FROST_OK;
}

const frost__op_def frost__op_IF = {"If", 0, if_infer, if_prepare, NULL};
