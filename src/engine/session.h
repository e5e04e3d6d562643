/* session.h — a session's state: per-value dtypes, shapes and data pointers, the plan (steps and
 * arena) and the caller's bindings. Planning (plan.c) fills it; running (session.c) only reads it. */
#ifndef FROST_ENGINE_SESSION_H
#define FROST_ENGINE_SESSION_H

#include "engine/model.h"
#include "platform/pool.h"
#include "ops/op.h"

struct frost_session {
    const frost_model *m;
    frost_allocator alloc;
    int n_values;
    bool *needed;              /* per node: computes something an output needs               */
    int *out_vals;             /* session outputs (value ids)                                */
    int n_out;
    /* Caller state. */
    frost__shape *in_shape;    /* per model input: the shape to plan for                      */
    const void **in_bound;     /* per model input: caller buffer or NULL                      */
    size_t *in_bound_bytes;
    void **out_bound;          /* per session output                                          */
    size_t *out_bound_bytes;
    bool *out_direct;          /* the step writes straight into the bound buffer              */
    bool dirty;                /* an input shape changed: re-plan before running              */
    bool ptrs_dirty;           /* a binding changed: re-resolve pointers                      */
    /* Plan. */
    frost_dtype *dtype;        /* per value                                                   */
    frost__shape *shape;       /* per value                                                   */
    void **ptr;                /* per value                                                   */
    int *root;                 /* per value: the value whose bytes it shares (views), or -1   */
    int64_t *offset;           /* per value: arena offset, -1 if not in the arena             */
    frost__step *steps;
    int n_steps;
    bool *step_split;          /* per step: the step gets the pool (its work pays for the
                                  hand-off, engine/cost.c); else it runs on the caller alone  */
    bool any_split;            /* some step gets the pool: runs are timed for the pool's choice */
    unsigned char *arena;
    size_t arena_bytes;
    int *guard_val;            /* steps' If conditions (value ids), see frost__step.guard_at   */
    unsigned char *guard_want; /* the value each condition must have (1 then, 0 else)          */
    int n_guard_entries;
    void **plan_bufs;          /* values computed at plan time                                */
    int n_plan_bufs;
    bool planned;
    bool warm;                 /* the current plan has had its warm run (frost_session_plan)    */
    /* Threads. */
    frost__pool *pool;
    int n_threads;
    bool flush_denormals;      /* the run's FP mode on every thread (platform/fpenv.h)          */
    bool deterministic;        /* split work the same way for any thread count (ops/op.h)       */
    /* Profile (frost_session_options.profile): per step, ns summed over the timed runs. NULL
     * when off: the run loop then reads no clock. */
    uint64_t *prof_ns;         /* [2 x graph nodes]: per step the sum, then per step the
                                  fastest run (UINT64_MAX before the first)                      */
    int64_t prof_runs;
};

frost_status frost__session_plan(frost_session *s, frost_error *err);
/* FLOPs one run of node n computes at the current plan's shapes (engine/cost.c's counting). */
double frost__node_flops(const frost_session *s, const frost__node *n);
/* Step i's estimated one-thread time (ns) when splitting it over the session's threads pays for
 * the hand-off, else 0; and whether steps adding up to split_ns make split runs worth having
 * (engine/cost.c). */
double frost__step_split_ns(const frost_session *s, int i);
bool frost__run_worth_splitting(double split_ns);
void frost__session_unplan(frost_session *s);
/* Points every value at its bytes for the current plan and bindings. */
void frost__session_resolve(frost_session *s);

#endif
