/* session.c — the public session API and the run loop. frost_session_run in steady state is a flat
 * loop over prepared steps calling stored function pointers: no allocation, no locks, no lookups.
 * Anything that changes the plan (a new input shape) only marks the session dirty; the next run
 * re-plans once. */
#include "engine/session.h"
#include "engine/options.h"
#include "platform/fpenv.h"

#include <stdio.h>
#include <time.h>

static frost_status oom(frost_error *err) {
    return frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory creating the session");
}

static bool has_unknown_input_dims(const frost__graph *g) {
    for (int i = 0; i < g->n_inputs; i++) {
        const frost__shape *sh = &g->values[g->inputs[i]].shape;
        if (sh->rank < 0) return true;
        for (int d = 0; d < sh->rank; d++)
            if (sh->d[d] < 0) return true;
    }
    return false;
}

/* Marks the nodes the session's outputs need. */
static void mark_needed(frost_session *s) {
    const frost__graph *g = &s->m->g;
    bool *need_val = frost__calloc(&s->alloc, (size_t)(s->n_values ? s->n_values : 1), sizeof(bool));
    if (!need_val) return;
    for (int i = 0; i < s->n_out; i++) need_val[s->out_vals[i]] = true;
    for (int i = g->n_nodes - 1; i >= 0; i--) {
        const frost__node *n = &g->nodes[i];
        bool need = false;
        for (int k = 0; k < n->n_out; k++)
            if (need_val[n->out[k]]) need = true;
        s->needed[i] = need;
        if (!need) continue;
        for (int k = 0; k < n->n_in; k++)
            if (n->in[k] >= 0) need_val[n->in[k]] = true;
    }
    frost__free(&s->alloc, need_val);
}

frost_status frost_session_create(const frost_model *m, const frost_session_options *caller,
                                  frost_session **out, frost_error *err) {
    if (out) *out = NULL;
    if (!m || !out)
        return frost__fail(err, FROST_E_INVALID_ARG, NULL, NULL, -1, "model or out is NULL");
    frost_session_options o, *opts = &o;
    FROST_TRY(frost__session_options_read(caller, &o, err));
    const frost__graph *g = &m->g;
    const frost_allocator *a = &m->alloc;
    frost_session *s = frost__calloc(a, 1, sizeof *s);
    if (!s) return oom(err);
    s->m = m;
    s->alloc = *a;
    s->n_values = g->n_values;
    int nv = g->n_values ? g->n_values : 1, ni = g->n_inputs ? g->n_inputs : 1;
    int n_out = opts->n_outputs > 0 ? opts->n_outputs : g->n_outputs;
    int no = n_out ? n_out : 1;
    s->needed = frost__calloc(a, (size_t)(g->n_nodes ? g->n_nodes : 1), sizeof(bool));
    s->out_vals = frost__calloc(a, (size_t)no, sizeof(int));
    s->in_shape = frost__calloc(a, (size_t)ni, sizeof(frost__shape));
    s->in_bound = frost__calloc(a, (size_t)ni, sizeof(void *));
    s->in_bound_bytes = frost__calloc(a, (size_t)ni, sizeof(size_t));
    s->out_bound = frost__calloc(a, (size_t)no, sizeof(void *));
    s->out_bound_bytes = frost__calloc(a, (size_t)no, sizeof(size_t));
    s->out_direct = frost__calloc(a, (size_t)no, sizeof(bool));
    s->dtype = frost__calloc(a, (size_t)nv, sizeof(frost_dtype));
    s->shape = frost__calloc(a, (size_t)nv, sizeof(frost__shape));
    s->ptr = frost__calloc(a, (size_t)nv, sizeof(void *));
    s->root = frost__calloc(a, (size_t)nv, sizeof(int));
    s->offset = frost__calloc(a, (size_t)nv, sizeof(int64_t));
    if (!s->needed || !s->out_vals || !s->in_shape || !s->in_bound || !s->in_bound_bytes ||
        !s->out_bound || !s->out_bound_bytes || !s->out_direct || !s->dtype || !s->shape ||
        !s->ptr || !s->root || !s->offset) {
        frost_session_free(s);
        return oom(err);
    }
    s->n_out = n_out;
    for (int i = 0; i < n_out; i++) {
        if (opts->n_outputs > 0) {
            int v = frost__graph_find(g, opts->outputs[i], "tensor", err);
            if (v < 0) {
                frost_session_free(s);
                return err ? err->code : FROST_E_NOT_FOUND;
            }
            s->out_vals[i] = v;
        } else {
            s->out_vals[i] = g->outputs[i];
        }
    }
    /* Unknown dims start as 1 (a batch of one) until the caller says otherwise. */
    for (int i = 0; i < g->n_inputs; i++) {
        frost__shape sh = g->values[g->inputs[i]].shape;
        if (sh.rank < 0) sh.rank = 0;
        for (int d = 0; d < sh.rank; d++)
            if (sh.d[d] < 0) sh.d[d] = 1;
        s->in_shape[i] = sh;
    }
    mark_needed(s);
    if (opts->profile) {
        s->prof_ns = frost__calloc(a, 2 * (size_t)(g->n_nodes ? g->n_nodes : 1), sizeof(uint64_t));
        if (!s->prof_ns) {
            frost_session_free(s);
            return oom(err);
        }
        frost_session_profile_reset(s);
    }
    s->n_threads = opts->n_threads > 1 ? opts->n_threads : 1;
    s->flush_denormals = !opts->keep_denormals;
    s->deterministic = opts->deterministic != 0;
    if (s->n_threads > 1) {
        int spin = opts->spin_us >= 0 ? opts->spin_us : 50;
        bool flush = s->flush_denormals;
        frost_status st = frost__pool_create(a, s->n_threads, spin, flush, &s->pool, err);
        if (st != FROST_OK) {
            frost_session_free(s);
            return st;
        }
    }
    /* With unknown input dims the first plan uses stand-in sizes (1), which not every model
     * accepts (an OCR recogniser's width, a spectrogram's frames): its shape errors wait for the
     * caller's real shapes, at frost_session_plan or the first run. Other failures are real. */
    frost_error plan_err;
    frost_status st = frost__session_plan(s, &plan_err);
    bool deferred = st != FROST_OK && has_unknown_input_dims(g) &&
                    (st == FROST_E_SHAPE || st == FROST_E_DTYPE || st == FROST_E_UNSUPPORTED);
    if (st != FROST_OK && !deferred) {
        if (err) *err = plan_err;
        frost_session_free(s);
        return st;
    }
    s->dirty = deferred;
    *out = s;
    frost__clear_error(err);
    return FROST_OK;
}

void frost_session_free(frost_session *s) {
    if (!s) return;
    frost_allocator a = s->alloc;
    frost__session_unplan(s);
    frost__pool_free(s->pool);
    frost__free(&a, s->needed);
    frost__free(&a, s->out_vals);
    frost__free(&a, s->in_shape);
    frost__free(&a, s->in_bound);
    frost__free(&a, s->in_bound_bytes);
    frost__free(&a, s->out_bound);
    frost__free(&a, s->out_bound_bytes);
    frost__free(&a, s->out_direct);
    frost__free(&a, s->dtype);
    frost__free(&a, s->shape);
    frost__free(&a, s->ptr);
    frost__free(&a, s->root);
    frost__free(&a, s->offset);
    frost__free(&a, s->prof_ns);
    frost__free(&a, s);
}

int frost_session_input_count(const frost_session *s) { return s ? s->m->g.n_inputs : 0; }
int frost_session_output_count(const frost_session *s) { return s ? s->n_out : 0; }

frost_status frost_session_input_index(const frost_session *s, const char *name, int *out,
                                       frost_error *err) {
    if (!s || !name || !out)
        return frost__fail(err, FROST_E_INVALID_ARG, NULL, NULL, -1, "session, name or out is NULL");
    const frost__graph *g = &s->m->g;
    int v = frost__graph_find(g, name, "tensor", err);
    if (v < 0) return err ? err->code : FROST_E_NOT_FOUND;
    for (int i = 0; i < g->n_inputs; i++) {
        if (g->inputs[i] == v) {
            *out = i;
            return FROST_OK;
        }
    }
    return frost__fail(err, FROST_E_NOT_FOUND, name, NULL, -1,
                       "'%s' is not an input of the model (it has %d input%s%s%s)", name,
                       g->n_inputs, g->n_inputs == 1 ? "" : "s", g->n_inputs ? ", the first is " : "",
                       g->n_inputs ? g->values[g->inputs[0]].name : "");
}

frost_status frost_session_output_index(const frost_session *s, const char *name, int *out,
                                        frost_error *err) {
    if (!s || !name || !out)
        return frost__fail(err, FROST_E_INVALID_ARG, NULL, NULL, -1, "session, name or out is NULL");
    int v = frost__graph_find(&s->m->g, name, "tensor", err);
    if (v < 0) return err ? err->code : FROST_E_NOT_FOUND;
    for (int i = 0; i < s->n_out; i++) {
        if (s->out_vals[i] == v) {
            *out = i;
            return FROST_OK;
        }
    }
    return frost__fail(err, FROST_E_NOT_FOUND, name, NULL, -1,
                       "'%s' is not an output of this session: list it in "
                       "frost_session_options.outputs", name);
}

static void info_from(const frost_session *s, int v, frost_tensor_info *out) {
    frost__value_info(&s->m->g, v, out);
    if (s->planned) {
        out->dtype = s->dtype[v];
        out->rank = s->shape[v].rank;
        for (int d = 0; d < s->shape[v].rank; d++) out->dims[d] = s->shape[v].d[d];
    }
}

frost_status frost_session_input_info(const frost_session *s, int index, frost_tensor_info *out) {
    if (!s || !out || index < 0 || index >= s->m->g.n_inputs) return FROST_E_INVALID_ARG;
    info_from(s, s->m->g.inputs[index], out);
    const frost__shape *sh = &s->in_shape[index];
    out->rank = sh->rank;
    for (int d = 0; d < sh->rank; d++) out->dims[d] = sh->d[d];
    return FROST_OK;
}

frost_status frost_session_output_info(const frost_session *s, int index, frost_tensor_info *out) {
    if (!s || !out || index < 0 || index >= s->n_out) return FROST_E_INVALID_ARG;
    info_from(s, s->out_vals[index], out);
    return FROST_OK;
}

frost_status frost_session_set_input_shape(frost_session *s, int index, int rank,
                                           const int64_t *dims, frost_error *err) {
    if (!s) return frost__fail(err, FROST_E_INVALID_ARG, NULL, NULL, -1, "session is NULL");
    const frost__graph *g = &s->m->g;
    if (index < 0 || index >= g->n_inputs)
        return frost__fail(err, FROST_E_INVALID_ARG, NULL, NULL, -1,
                           "input index %d out of range (the model has %d inputs)", index, g->n_inputs);
    const frost__value *v = &g->values[g->inputs[index]];
    if (rank < 0 || rank > FROST_MAX_RANK || (rank > 0 && !dims))
        return frost__fail(err, FROST_E_INVALID_ARG, v->name, NULL, -1, "bad rank %d for input '%s'",
                           rank, v->name);
    frost__shape want = frost__shape_make(rank, dims);
    char sb[96], mb[96];
    if (v->shape.rank >= 0 && v->shape.rank != rank)
        return frost__fail(err, FROST_E_SHAPE, v->name, NULL, -1,
                           "input '%s' has rank %d (shape %s); got rank %d (%s)", v->name,
                           v->shape.rank, frost__shape_str(&v->shape, mb, sizeof mb), rank,
                           frost__shape_str(&want, sb, sizeof sb));
    for (int d = 0; d < rank; d++) {
        if (dims[d] < 0)
            return frost__fail(err, FROST_E_SHAPE, v->name, NULL, -1,
                               "input '%s': dimension %d is negative (%lld)", v->name, d,
                               (long long)dims[d]);
        if (v->shape.rank >= 0 && v->shape.d[d] >= 0 && v->shape.d[d] != dims[d])
            return frost__fail(err, FROST_E_SHAPE, v->name, NULL, -1,
                               "input '%s' has shape %s; dimension %d must be %lld, got %lld",
                               v->name, frost__shape_str(&v->shape, mb, sizeof mb), d,
                               (long long)v->shape.d[d], (long long)dims[d]);
    }
    size_t bytes;
    if (!frost__tensor_bytes(v->dtype, &want, &bytes))
        return frost__fail(err, FROST_E_LIMIT, v->name, NULL, -1, "input '%s': shape %s overflows",
                           v->name, frost__shape_str(&want, sb, sizeof sb));
    if (!frost__shape_equal(&s->in_shape[index], &want)) {
        s->in_shape[index] = want;
        s->dirty = true;
    }
    return FROST_OK;
}

static frost_status ensure_planned(frost_session *s, frost_error *err) {
    if (s->dirty || !s->planned) {
        s->warm = false;
        frost_session_profile_reset(s);
        FROST_TRY(frost__session_plan(s, err));
    }
    if (s->ptrs_dirty) frost__session_resolve(s);
    return FROST_OK;
}

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* True when every If condition guarding the step selects its side (outermost first, so an inner
 * condition is read only once the branch that computes it has run). */
static bool guards_open(const frost_session *s, const frost__step *st) {
    for (int j = 0; j < st->n_guards; j++) {
        int c = s->guard_val[st->guard_at + j];
        bool v = frost__read_int(s->dtype[c], s->ptr[c], 0) != 0;
        if (v != (s->guard_want[st->guard_at + j] != 0)) return false;
    }
    return true;
}

/* The plan's steps in order, skipping those on an If's untaken side; stops at the first failure.
 * `timed`: add each step's wall time to the profile (only ever true when the session has one). */
/* split: the pool goes to the steps worth splitting; false: every step runs on the caller alone,
 * as in a one-thread session (the pool chose that for this run, or there is none). */
static frost_status run_steps(const frost_session *s, frost_error *err, bool timed, bool split) {
    frost__pool *const pool = split ? s->pool : NULL;
    frost__exec ex = {
        .ptr = s->ptr, .shape = s->shape, .dtype = s->dtype, .arena = s->arena, .pool = pool,
        .err = err,
    };
    /* The caller's thread computes in the workers' FP mode for the run, then gets its own back. */
    frost__fpenv env = frost__fpenv_enter(s->flush_denormals);
    frost_status r = FROST_OK;
    if (timed) {
        uint64_t *sum = s->prof_ns, *fastest = s->prof_ns + (s->m->g.n_nodes ? s->m->g.n_nodes : 1);
        uint64_t t0 = now_ns();
        for (int i = 0; i < s->n_steps && r == FROST_OK; i++) {
            const frost__step *st = &s->steps[i];
            if (st->n_guards && !guards_open(s, st)) continue;
            ex.pool = s->step_split[i] ? pool : NULL;
            r = st->run(st, &ex);
            const uint64_t t1 = now_ns(), dt = t1 - t0;
            sum[i] += dt;
            if (dt < fastest[i]) fastest[i] = dt;
            t0 = t1;
        }
    } else {
        for (int i = 0; i < s->n_steps && r == FROST_OK; i++) {
            const frost__step *st = &s->steps[i];
            if (st->n_guards && !guards_open(s, st)) continue;
            ex.pool = s->step_split[i] ? pool : NULL;
            r = st->run(st, &ex);
        }
    }
    frost__fpenv_leave(env);
    return r;
}

/* One pass of the new plan over the arena's zeros, its result discarded. Loading packed weights
 * into the cache at prepare was not enough for a small model: the beginner's first call took ~7 µs
 * against 0.45 µs steady with its weights already cached (so: code run for the first time, cold
 * predictors and instruction caches), and with a pool the workers' caches started cold too. Kernels never trap on
 * data, ops keep no state between runs, and nothing outside the arena is touched: skipped when the
 * caller bound an input (possibly not yet filled) or an output (it would be overwritten). */
static void warm_run(frost_session *s) {
    for (int i = 0; i < s->m->g.n_inputs; i++)
        if (s->in_bound[i]) return;
    for (int i = 0; i < s->n_out; i++)
        if (s->out_bound[i]) return;
    frost_error ignored;
    (void)run_steps(s, &ignored, false, true);
}

frost_status frost_session_plan(frost_session *s, frost_error *err) {
    if (!s) return frost__fail(err, FROST_E_INVALID_ARG, NULL, NULL, -1, "session is NULL");
    FROST_TRY(ensure_planned(s, err));
    if (!s->warm) warm_run(s);
    s->warm = true;
    return FROST_OK;
}

void *frost_session_input_data(frost_session *s, int index) {
    if (!s || index < 0 || index >= s->m->g.n_inputs) return NULL;
    if (ensure_planned(s, NULL) != FROST_OK) return NULL;
    return s->ptr[s->m->g.inputs[index]];
}

static size_t value_bytes(const frost_session *s, int v) {
    size_t bytes = 0;
    frost__tensor_bytes(s->dtype[v], &s->shape[v], &bytes);
    return bytes;
}

frost_status frost_session_set_input(frost_session *s, int index, const void *data, size_t bytes,
                                     frost_error *err) {
    if (!s || !data) return frost__fail(err, FROST_E_INVALID_ARG, NULL, NULL, -1, "session or data is NULL");
    if (index < 0 || index >= s->m->g.n_inputs)
        return frost__fail(err, FROST_E_INVALID_ARG, NULL, NULL, -1, "input index %d out of range", index);
    FROST_TRY(ensure_planned(s, err));
    int v = s->m->g.inputs[index];
    size_t want = value_bytes(s, v);
    if (bytes != want) {
        char sb[96];
        return frost__fail(err, FROST_E_SHAPE, s->m->g.values[v].name, NULL, -1,
                           "input '%s' of shape %s and dtype %s takes %zu bytes; got %zu",
                           s->m->g.values[v].name, frost__shape_str(&s->shape[v], sb, sizeof sb),
                           frost_dtype_name(s->dtype[v]), want, bytes);
    }
    if (s->ptr[v] != data) memcpy(s->ptr[v], data, bytes);
    return FROST_OK;
}

frost_status frost_session_bind_input(frost_session *s, int index, const void *data, size_t bytes,
                                      frost_error *err) {
    if (!s) return frost__fail(err, FROST_E_INVALID_ARG, NULL, NULL, -1, "session is NULL");
    if (index < 0 || index >= s->m->g.n_inputs)
        return frost__fail(err, FROST_E_INVALID_ARG, NULL, NULL, -1, "input index %d out of range", index);
    int v = s->m->g.inputs[index];
    size_t es = frost_dtype_size(s->m->g.values[v].dtype);
    if (data && es && ((uintptr_t)data % es) != 0)
        return frost__fail(err, FROST_E_INVALID_ARG, s->m->g.values[v].name, NULL, -1,
                           "buffer for input '%s' is not aligned to its %zu-byte elements",
                           s->m->g.values[v].name, es);
    FROST_TRY(ensure_planned(s, err));
    if (data && bytes < value_bytes(s, v))
        return frost__fail(err, FROST_E_SHAPE, s->m->g.values[v].name, NULL, -1,
                           "buffer for input '%s' holds %zu bytes; it needs %zu",
                           s->m->g.values[v].name, bytes, value_bytes(s, v));
    s->in_bound[index] = data;
    s->in_bound_bytes[index] = data ? bytes : 0;
    s->ptrs_dirty = true;
    return FROST_OK;
}

frost_status frost_session_bind_output(frost_session *s, int index, void *data, size_t bytes,
                                       frost_error *err) {
    if (!s) return frost__fail(err, FROST_E_INVALID_ARG, NULL, NULL, -1, "session is NULL");
    if (index < 0 || index >= s->n_out)
        return frost__fail(err, FROST_E_INVALID_ARG, NULL, NULL, -1, "output index %d out of range", index);
    int v = s->out_vals[index];
    size_t es = frost_dtype_size(s->m->g.values[v].dtype);
    if (data && es && ((uintptr_t)data % es) != 0)
        return frost__fail(err, FROST_E_INVALID_ARG, s->m->g.values[v].name, NULL, -1,
                           "buffer for output '%s' is not aligned to its %zu-byte elements",
                           s->m->g.values[v].name, es);
    FROST_TRY(ensure_planned(s, err));
    if (data && bytes < value_bytes(s, v))
        return frost__fail(err, FROST_E_SHAPE, s->m->g.values[v].name, NULL, -1,
                           "buffer for output '%s' holds %zu bytes; it needs %zu",
                           s->m->g.values[v].name, bytes, value_bytes(s, v));
    /* Whether the step writes straight into a bound buffer is the planner's decision, which
     * depends on there being a buffer, not on its address: swapping one buffer for another only
     * re-points the value (no re-plan, no allocation); binding or unbinding re-plans lazily. */
    bool was_bound = s->out_bound[index] != NULL;
    s->out_bound[index] = data;
    s->out_bound_bytes[index] = data ? bytes : 0;
    if (was_bound && data && s->planned && !s->dirty)
        s->ptrs_dirty = true;
    else
        s->dirty = true;
    return FROST_OK;
}

frost_status frost_session_run(frost_session *s, frost_error *err) {
    if (!s) return frost__fail(err, FROST_E_INVALID_ARG, NULL, NULL, -1, "session is NULL");
    FROST_TRY(ensure_planned(s, err));
    /* Two clock reads per run for the pool's split-or-alone choice, only when it has one. */
    const bool timed_for_pool = s->pool && s->any_split;
    const bool split = timed_for_pool && frost__pool_run_begin(s->pool);
    const frost_status r = run_steps(s, err, s->prof_ns != NULL, split);
    if (timed_for_pool) frost__pool_run_end(s->pool);
    FROST_TRY(r);
    if (s->prof_ns) s->prof_runs++;
    for (int i = 0; i < s->n_out; i++) {
        if (s->out_bound[i] && !s->out_direct[i]) {
            int v = s->out_vals[i];
            memcpy(s->out_bound[i], s->ptr[v], value_bytes(s, v));
        }
    }
    return FROST_OK;
}

const void *frost_session_output_data(const frost_session *s, int index, frost_tensor_info *info) {
    if (!s || index < 0 || index >= s->n_out || !s->planned) return NULL;
    int v = s->out_vals[index];
    if (info) info_from(s, v, info);
    if (s->out_bound[index]) return s->out_bound[index];
    return s->ptr[v];
}

size_t frost_session_arena_bytes(const frost_session *s) { return s ? s->arena_bytes : 0; }
