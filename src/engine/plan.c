/* plan.c — turns the model's graph into a session's execution plan for the current input shapes:
 *  1. infer every needed node's output shape;
 *  2. evaluate nodes whose inputs are all known (shape arithmetic: Shape -> StridedSlice -> Pack)
 *     once, here, so they never run per call;
 *  3. alias views (Reshape, Squeeze, ...) to their input's bytes;
 *  4. prepare every remaining node (kernel choice, padding, workspace size);
 *  5. give every runtime tensor and workspace an arena offset, reusing bytes between tensors whose
 *     lifetimes don't overlap (greedy by size), and allocate the arena once.
 * Everything that allocates happens here, never in frost_session_run's steady state. */
#include "engine/session.h"

#include <stdio.h>
#include <stdlib.h>

#include "ops/branches.h"
#include "ops/eval.h"

/* Nodes whose inputs are known are evaluated at plan time only when their outputs are this small:
 * bigger ones are real compute and belong in the run loop. */
#define PLAN_EVAL_MAX_ELEMS 4096

void frost__session_unplan(frost_session *s) {
    const frost_allocator *a = &s->alloc;
    for (int i = 0; i < s->n_plan_bufs; i++) frost__free(a, s->plan_bufs[i]);
    frost__free(a, s->plan_bufs);
    frost__free(a, s->steps);
    frost__free(a, s->step_split);
    frost__free(a, s->arena);
    frost__free(a, s->guard_val);
    frost__free(a, s->guard_want);
    s->guard_val = NULL;
    s->guard_want = NULL;
    s->n_guard_entries = 0;
    s->plan_bufs = NULL;
    s->n_plan_bufs = 0;
    s->steps = NULL;
    s->step_split = NULL;
    s->n_steps = 0;
    s->arena = NULL;
    s->arena_bytes = 0;
    s->planned = false;
}

static int root_of(const frost_session *s, int v) {
    while (s->root[v] >= 0) v = s->root[v];
    return v;
}

void frost__session_resolve(frost_session *s) {
    const frost__graph *g = &s->m->g;
    for (int v = 0; v < s->n_values; v++) {
        if (s->offset[v] >= 0) s->ptr[v] = s->arena + s->offset[v];
    }
    for (int i = 0; i < g->n_inputs; i++) {
        int v = g->inputs[i];
        if (s->in_bound[i]) s->ptr[v] = (void *)s->in_bound[i];
    }
    for (int i = 0; i < s->n_out; i++) {
        if (s->out_direct[i]) s->ptr[s->out_vals[i]] = s->out_bound[i];
    }
    for (int v = 0; v < s->n_values; v++) {
        if (s->root[v] >= 0) s->ptr[v] = s->ptr[root_of(s, v)];
    }
    s->ptrs_dirty = false;
}

typedef struct block {
    int value;            /* value id, or -1 - step index for a workspace */
    size_t bytes;
    int first, last;      /* step indices of the lifetime, inclusive     */
    size_t offset;
} block;

static int by_size_desc(const void *pa, const void *pb) {
    const block *a = pa, *b = pb;
    if (a->bytes != b->bytes) return a->bytes < b->bytes ? 1 : -1;
    return a->first - b->first;
}

/* Greedy-by-size offset assignment: each block goes at the lowest offset that doesn't overlap a
 * placed block alive at the same time. Quadratic in blocks, which is fine at plan time. */
static size_t assign_offsets(block *b, int n) {
    qsort(b, (size_t)n, sizeof *b, by_size_desc);
    size_t total = 0;
    for (int i = 0; i < n; i++) {
        size_t off = 0;
        bool moved = true;
        while (moved) {
            moved = false;
            for (int j = 0; j < i; j++) {
                if (b[j].last < b[i].first || b[i].last < b[j].first) continue;
                if (off < b[j].offset + b[j].bytes && b[j].offset < off + b[i].bytes) {
                    off = b[j].offset + b[j].bytes;
                    moved = true;
                }
            }
        }
        b[i].offset = off;
        if (off + b[i].bytes > total) total = off + b[i].bytes;
    }
    return total;
}

static size_t round64(size_t x) { return (x + 63) & ~(size_t)63; }

frost_status frost__session_plan(frost_session *s, frost_error *err) {
    const frost__graph *g = &s->m->g;
    const frost_allocator *a = &s->alloc;
    /* What the caller put in inputs whose shape does not change survives a re-plan (binding an
     * output, a new shape for another input): the old arena is kept until it is copied. */
    unsigned char *old_arena = s->planned ? s->arena : NULL;
    int64_t *old_in_offset = NULL;
    frost__shape *old_in_shape = NULL;
    if (old_arena && g->n_inputs > 0) {
        old_in_offset = frost__calloc(a, (size_t)g->n_inputs, sizeof *old_in_offset);
        old_in_shape = frost__calloc(a, (size_t)g->n_inputs, sizeof *old_in_shape);
        for (int i = 0; old_in_offset && old_in_shape && i < g->n_inputs; i++) {
            old_in_offset[i] = s->offset[g->inputs[i]];
            old_in_shape[i] = s->shape[g->inputs[i]];
        }
    }
    s->arena = NULL; /* unplan must not free it yet */
    frost__session_unplan(s);
    frost_status st = FROST_OK;

    for (int v = 0; v < s->n_values; v++) {
        const frost__value *val = &g->values[v];
        s->dtype[v] = val->dtype;
        s->shape[v] = val->shape;
        s->ptr[v] = val->kind == FROST__VAL_CONST ? val->data : NULL;
        s->root[v] = -1;
        s->offset[v] = -1;
    }
    for (int i = 0; i < g->n_inputs; i++) s->shape[g->inputs[i]] = s->in_shape[i];

    /* Known-at-plan-time data: constants and plan-evaluated values (s->ptr doubles as it). */
    bool *known = frost__calloc(a, (size_t)s->n_values, sizeof(bool));
    /* Values of an If side that cannot be planned at these shapes (see below): never computed. */
    bool *poisoned = frost__calloc(a, (size_t)s->n_values, sizeof(bool));
    int *step_of = frost__calloc(a, (size_t)s->n_values, sizeof(int)); /* producing step or -1 */
    s->steps = frost__calloc(a, (size_t)(g->n_nodes ? g->n_nodes : 1), sizeof(frost__step));
    s->step_split = frost__calloc(a, (size_t)(g->n_nodes ? g->n_nodes : 1), sizeof(bool));
    s->plan_bufs = frost__calloc(a, (size_t)(s->n_values ? s->n_values : 1), sizeof(void *));
    frost__branches br;
    memset(&br, 0, sizeof br);
    if (!known || !poisoned || !step_of || !s->steps || !s->step_split || !s->plan_bufs) {
        st = frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory planning the session");
        goto done;
    }
    /* If branches: a node only one side of an If needs is left out when the condition is known
     * now, and guarded by it when only a run will know it. */
    st = frost__branches_build(g, s->needed, s->out_vals, s->n_out, &br, err);
    if (st != FROST_OK) goto done;
    if (br.n_ifs > 0) {
        int cap = 0;
        for (int i = 0; i < g->n_nodes; i++)
            if (s->needed[i]) cap += br.depth[br.node_scope[i]];
        s->guard_val = frost__calloc(a, (size_t)(cap ? cap : 1), sizeof(int));
        s->guard_want = frost__calloc(a, (size_t)(cap ? cap : 1), 1);
        if (!s->guard_val || !s->guard_want) {
            st = frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory planning the session");
            goto done;
        }
    }
    for (int v = 0; v < s->n_values; v++) {
        known[v] = g->values[v].kind == FROST__VAL_CONST;
        step_of[v] = -1;
    }
    void **kdata = s->ptr;

    for (int i = 0; i < g->n_nodes && st == FROST_OK; i++) {
        const frost__node *n = &g->nodes[i];
        if (!s->needed[i]) continue;
        const frost__op_def *def = frost__op_get(n->op);
        /* The If conditions this node depends on, innermost first: one known now and against its
         * side leaves it out; the unknown ones guard its step (conditions a run computes before
         * this node: one computed later cannot guard it, and the node then always runs). */
        int guards[FROST__MAX_IF_DEPTH], n_guards = 0;
        bool skip = false;
        for (int sc = br.n_ifs ? br.node_scope[i] : 0; sc > 0 && !skip; sc = br.parent[sc]) {
            int c = g->nodes[frost__branch_if_node(sc)].in[0];
            bool want = frost__branch_is_then(sc);
            if (known[c]) skip = (frost__read_int(s->dtype[c], kdata[c], 0) != 0) != want;
            else if ((step_of[c] >= 0 || s->root[c] >= 0 ||
                      g->values[c].kind == FROST__VAL_INPUT) && n_guards < FROST__MAX_IF_DEPTH)
                guards[n_guards++] = want ? sc : -sc;
        }
        if (skip) continue;
        /* A node of a side chosen only at run time may not fit the shapes of this plan (Silero
         * VAD's 8 kHz branch given 16 kHz audio): its values are "poisoned", never computed, and
         * the If reports it if a run takes that side. Elsewhere a failure fails the plan. */
#define POISON_OR_BREAK()                                                                       \
        if (st != FROST_OK) {                                                                   \
            if (n_guards == 0) break;                                                           \
            for (int k = 0; k < n->n_out; k++) poisoned[n->out[k]] = true;                      \
            frost__clear_error(err);                                                            \
            st = FROST_OK;                                                                      \
            continue;                                                                           \
        }
        bool is_if = n->op == FROST__OP_IF && n->n_in == 1 + 2 * n->n_out;
        if (is_if && poisoned[n->in[0]]) {
            /* Its condition is never computed: the If is part of a side that cannot run. */
            st = frost__op_fail(n, err, FROST_E_SHAPE, "its condition cannot be computed at these "
                                                       "input shapes");
            POISON_OR_BREAK()
        }
        if (is_if && !known[n->in[0]]) {
            /* A side that cannot run lends the other side's shapes: the If checks at run time. */
            for (int k = 0; k < n->n_out && st == FROST_OK; k++) {
                int t = n->in[1 + k], e = n->in[1 + n->n_out + k];
                if (poisoned[t] && poisoned[e])
                    st = frost__op_fail(n, err, FROST_E_SHAPE,
                                        "neither branch can run at these input shapes");
                else if (poisoned[t] || poisoned[e]) {
                    int good = poisoned[t] ? e : t, bad = poisoned[t] ? t : e;
                    s->dtype[bad] = s->dtype[good];
                    s->shape[bad] = s->shape[good];
                }
            }
            POISON_OR_BREAK()
        } else {
            bool any_poisoned = false;
            for (int k = 0; k < n->n_in; k++)
                if (n->in[k] >= 0 && poisoned[n->in[k]]) any_poisoned = true;
            if (any_poisoned) {
                if (n_guards == 0) {
                    st = frost__op_fail(n, err, FROST_E_INTERNAL,
                                        "an input comes from an If branch that was not planned");
                    break;
                }
                for (int k = 0; k < n->n_out; k++) poisoned[n->out[k]] = true;
                continue;
            }
        }
        /* Infer with known data only (the run-time pointers aren't known yet). */
        void *const *data_known = kdata;
        st = frost__infer_node(n, s->dtype, s->shape, data_known, true, err);
        POISON_OR_BREAK()
        if (n->op == FROST__OP_IF && known[n->in[0]]) {
            /* The branch is chosen now: the outputs are the taken side's values. */
            bool taken = frost__read_int(s->dtype[n->in[0]], kdata[n->in[0]], 0) != 0;
            for (int k = 0; k < n->n_out; k++) {
                int t = n->in[1 + (taken ? 0 : n->n_out) + k], o = n->out[k];
                if (known[t]) {
                    kdata[o] = kdata[t];
                    known[o] = true;
                } else {
                    s->root[o] = t;
                }
            }
            continue;
        }
        bool inputs_known = true;
        int64_t out_elems = 0;
        for (int k = 0; k < n->n_in; k++)
            if (n->in[k] >= 0 && !known[n->in[k]]) inputs_known = false;
        for (int k = 0; k < n->n_out; k++) out_elems += frost__shape_numel(&s->shape[n->out[k]]);
        bool shape_only = (def->flags & FROST__OPF_SHAPE_ONLY) != 0;
        if ((inputs_known || shape_only) && out_elems <= PLAN_EVAL_MAX_ELEMS) {
            /* Shape-only ops read only shapes: hide unknown input data from them. */
            st = frost__eval_node(n, a, s->dtype, s->shape, kdata, NULL, err);
            POISON_OR_BREAK()
            for (int k = 0; k < n->n_out; k++) {
                known[n->out[k]] = true;
                s->plan_bufs[s->n_plan_bufs++] = kdata[n->out[k]];
            }
            continue;
        }
        if (def->flags & FROST__OPF_VIEW) {
            s->root[n->out[0]] = n->in[0];
            if (known[n->in[0]]) { /* a big view of a constant */
                kdata[n->out[0]] = kdata[n->in[0]];
                known[n->out[0]] = true;
                s->root[n->out[0]] = -1;
            }
            continue;
        }
        /* A runtime step. Prepare sees only the data known now. */
        enum { MAXIO = 64 };
        if (n->n_in > MAXIO || n->n_out > MAXIO) {
            st = frost__op_fail(n, err, FROST_E_LIMIT, "too many inputs or outputs");
            break;
        }
        frost_dtype idt[MAXIO], odt[MAXIO];
        frost__shape ish[MAXIO], osh[MAXIO];
        const void *idata[MAXIO];
        for (int k = 0; k < n->n_in; k++) {
            int v = n->in[k];
            idt[k] = v >= 0 ? s->dtype[v] : FROST_DTYPE_INVALID;
            ish[k] = v >= 0 ? s->shape[v] : frost__shape_unknown();
            idata[k] = v >= 0 && known[v] ? kdata[v] : NULL;
        }
        for (int k = 0; k < n->n_out; k++) {
            odt[k] = s->dtype[n->out[k]];
            osh[k] = s->shape[n->out[k]];
        }
        frost__prepare_ctx pc = {
            .node = n, .in_dtype = idt, .out_dtype = odt, .in_shape = ish, .out_shape = osh,
            .in_data = idata, .cpu = g->cpu ? g->cpu : frost__cpu_get(), .n_threads = s->n_threads,
            .deterministic = s->deterministic, .err = err,
        };
        frost__step *step = &s->steps[s->n_steps];
        memset(step, 0, sizeof *step);
        step->node = n;
        step->guard_at = s->n_guard_entries;
        for (int j = n_guards - 1; j >= 0; j--) { /* outermost first */
            int sc = guards[j] > 0 ? guards[j] : -guards[j];
            s->guard_val[s->n_guard_entries] = g->nodes[frost__branch_if_node(sc)].in[0];
            s->guard_want[s->n_guard_entries++] = guards[j] > 0;
            step->n_guards++;
        }
        st = def->prepare ? def->prepare(step, &pc)
                          : frost__op_fail(n, err, FROST_E_UNSUPPORTED, "cannot run");
        if (st != FROST_OK) s->n_guard_entries = step->guard_at;
        POISON_OR_BREAK()
#undef POISON_OR_BREAK
        if (!step->run) {
            st = frost__op_fail(n, err, FROST_E_INTERNAL, "prepare chose no kernel");
            break;
        }
        for (int k = 0; k < n->n_out; k++) step_of[n->out[k]] = s->n_steps;
        s->n_steps++;
    }
    if (st != FROST_OK) goto done;
    double split_ns = 0;
    for (int i = 0; i < s->n_steps; i++) {
        const double ns = s->pool ? frost__step_split_ns(s, i) : 0;
        s->step_split[i] = ns > 0;
        split_ns += ns;
    }
    s->any_split = s->pool && frost__run_worth_splitting(split_ns);
    if (!s->any_split)
        for (int i = 0; i < s->n_steps; i++) s->step_split[i] = false;
    frost__pool_forget_runs(s->pool);

    /* Lifetimes of arena blocks: runtime outputs, inputs, workspaces. */
    {
        int n_blocks = 0;
        block *blocks = frost__calloc(a, (size_t)(s->n_values + s->n_steps + 1), sizeof(block));
        int *block_of = frost__calloc(a, (size_t)s->n_values, sizeof(int));
        if (!blocks || !block_of) {
            frost__free(a, blocks);
            frost__free(a, block_of);
            st = frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory planning memory");
            goto done;
        }
        for (int v = 0; v < s->n_values; v++) block_of[v] = -1;
        const int end = s->n_steps; /* outputs live past the last step */
        for (int v = 0; v < s->n_values; v++) {
            bool is_input = g->values[v].kind == FROST__VAL_INPUT;
            if (s->root[v] >= 0 || known[v]) continue;
            if (step_of[v] < 0 && !is_input) continue;
            size_t bytes;
            if (!frost__tensor_bytes(s->dtype[v], &s->shape[v], &bytes)) {
                char sb[96];
                st = frost__fail(err, FROST_E_LIMIT, g->values[v].name, NULL, -1,
                                 "tensor '%s' of shape %s has an overflowing size", g->values[v].name,
                                 frost__shape_str(&s->shape[v], sb, sizeof sb));
                break;
            }
            /* One tensor over the arena limit fails here, before round64 or the offset sums can
             * overflow. */
            if (g->max_arena_bytes && (uint64_t)bytes > g->max_arena_bytes) {
                char sb[96];
                st = frost__fail(err, FROST_E_LIMIT, g->values[v].name, NULL, -1,
                                 "tensor '%s' of shape %s needs %zu bytes, over the arena limit of "
                                 "%llu (max_arena_bytes)", g->values[v].name,
                                 frost__shape_str(&s->shape[v], sb, sizeof sb), bytes,
                                 (unsigned long long)g->max_arena_bytes);
                break;
            }
            block *b = &blocks[n_blocks];
            b->value = v;
            b->bytes = round64(bytes ? bytes : 1);
            /* Inputs keep their bytes across runs: the caller may fill them once, run many. */
            b->first = is_input ? -1 : step_of[v];
            b->last = is_input ? end : step_of[v];
            block_of[v] = n_blocks++;
        }
        for (int i = 0; i < s->n_steps && st == FROST_OK; i++) {
            const frost__node *n = s->steps[i].node;
            for (int k = 0; k < n->n_in; k++) {
                if (n->in[k] < 0) continue;
                int r = root_of(s, n->in[k]);
                if (block_of[r] >= 0 && blocks[block_of[r]].last < i) blocks[block_of[r]].last = i;
            }
            if (s->steps[i].ws_bytes && g->max_arena_bytes &&
                (uint64_t)s->steps[i].ws_bytes > g->max_arena_bytes) {
                st = frost__op_fail(n, err, FROST_E_LIMIT,
                                    "workspace of %zu bytes is over the arena limit of %llu "
                                    "(max_arena_bytes)", s->steps[i].ws_bytes,
                                    (unsigned long long)g->max_arena_bytes);
                break;
            }
            if (s->steps[i].ws_bytes) {
                block *b = &blocks[n_blocks++];
                b->value = -1 - i;
                b->bytes = round64(s->steps[i].ws_bytes);
                b->first = b->last = i;
            }
        }
        for (int i = 0; i < s->n_out; i++) {
            int r = root_of(s, s->out_vals[i]);
            if (block_of[r] >= 0) blocks[block_of[r]].last = end;
        }
        if (st == FROST_OK) {
            size_t total = assign_offsets(blocks, n_blocks);
            s->arena_bytes = total;
            s->arena = NULL;
            if (g->max_arena_bytes && (uint64_t)total > g->max_arena_bytes) {
                st = frost__fail(err, FROST_E_LIMIT, NULL, NULL, -1,
                                 "the session arena needs %zu bytes, over the limit of %llu "
                                 "(max_arena_bytes)", total, (unsigned long long)g->max_arena_bytes);
                s->arena_bytes = 0;
            } else if (!(s->arena = frost__alloc(a, total ? total : 64))) {
                st = frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1,
                                 "out of memory for the session arena (%zu bytes)", total);
            } else {
                memset(s->arena, 0, total);
                for (int i = 0; i < n_blocks; i++) {
                    if (blocks[i].value >= 0) s->offset[blocks[i].value] = (int64_t)blocks[i].offset;
                    else s->steps[-1 - blocks[i].value].ws_offset = blocks[i].offset;
                }
            }
        }
        frost__free(a, blocks);
        frost__free(a, block_of);
    }
    if (st != FROST_OK) goto done;

    /* Outputs written straight into a bound buffer: only a step's own, non-view output. */
    for (int i = 0; i < s->n_out; i++) {
        int v = s->out_vals[i];
        size_t bytes = 0;
        frost__tensor_bytes(s->dtype[v], &s->shape[v], &bytes);
        s->out_direct[i] = false;
        if (s->out_bound[i] && s->out_bound_bytes[i] < bytes) {
            st = frost__fail(err, FROST_E_SHAPE, g->values[v].name, NULL, -1,
                             "the buffer bound to output '%s' holds %zu bytes; it needs %zu now",
                             g->values[v].name, s->out_bound_bytes[i], bytes);
            goto done;
        }
        bool first_of_value = true; /* a tensor listed twice is written once, then copied */
        for (int j = 0; j < i; j++)
            if (s->out_vals[j] == v) first_of_value = false;
        if (s->out_bound[i] && first_of_value && step_of[v] >= 0 && s->root[v] < 0 && !known[v]) {
            bool consumed_as_view = false;
            for (int w = 0; w < s->n_values; w++)
                if (s->root[w] == v) consumed_as_view = true;
            s->out_direct[i] = !consumed_as_view;
        }
    }
    for (int i = 0; i < g->n_inputs; i++) {
        size_t bytes = 0;
        frost__tensor_bytes(s->dtype[g->inputs[i]], &s->shape[g->inputs[i]], &bytes);
        if (s->in_bound[i] && s->in_bound_bytes[i] < bytes) {
            st = frost__fail(err, FROST_E_SHAPE, g->values[g->inputs[i]].name, NULL, -1,
                             "the buffer bound to input '%s' holds %zu bytes; it needs %zu now",
                             g->values[g->inputs[i]].name, s->in_bound_bytes[i], bytes);
            goto done;
        }
    }
    frost__session_resolve(s);
    for (int i = 0; old_in_offset && old_in_shape && i < g->n_inputs; i++) {
        int v = g->inputs[i];
        size_t bytes = 0;
        if (s->in_bound[i] || old_in_offset[i] < 0 || s->offset[v] < 0 ||
            !frost__shape_equal(&old_in_shape[i], &s->shape[v]) ||
            !frost__tensor_bytes(s->dtype[v], &s->shape[v], &bytes))
            continue;
        memcpy(s->arena + s->offset[v], old_arena + old_in_offset[i], bytes);
    }
    s->planned = true;
    s->dirty = false;

done:
    frost__branches_free(g, &br);
    frost__free(a, old_arena);
    frost__free(a, old_in_offset);
    frost__free(a, old_in_shape);
    frost__free(a, known);
    frost__free(a, poisoned);
    frost__free(a, step_of);
    if (st != FROST_OK) {
        /* Plan-evaluated buffers are tracked in plan_bufs; everything is released by unplan. */
        frost__session_unplan(s);
    }
    return st;
}
