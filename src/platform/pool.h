/* pool.h — a session's worker threads. Workers spin for a bounded time after a job and then sleep
 * on a condition variable, so an idle session costs no CPU. With one thread nothing runs off the
 * caller's thread: frost__parallel_for(NULL, ...) calls the function directly. */
#ifndef FROST_ENGINE_POOL_H
#define FROST_ENGINE_POOL_H

#include "core/common.h"

typedef struct frost__pool frost__pool;

/* Called with [begin, end) ⊆ [0, n) and the worker index (0 = the caller). */
typedef void (*frost__task_fn)(void *arg, int64_t begin, int64_t end, int worker);

/* n_threads includes the caller. spin_us: how long an idle worker polls before sleeping.
 * flush_denormals: set FTZ/DAZ on the workers (the caller's thread is left as the caller set it). */
frost_status frost__pool_create(const frost_allocator *a, int n_threads, int spin_us,
                                bool flush_denormals, frost__pool **out, frost_error *err);
void frost__pool_free(frost__pool *p);
int frost__pool_threads(const frost__pool *p);   /* 1 for NULL */

/* Splits [0, n) into chunks of at least `grain` items over the pool's threads and waits for all.
 * Never allocates. */
void frost__parallel_for(frost__pool *p, int64_t n, int64_t grain, frost__task_fn fn, void *arg);

/* Brackets one run of a plan (caller's thread). The pool times runs and decides per run whether
 * its jobs are split over the workers or run on the caller alone, keeping whichever has lately
 * been faster and trying the other now and then (run_choice.c). run_begin returns true when this
 * run splits; when it returns false the run must not use the pool (its steps get NULL), so that
 * it is exactly a one-thread run. NULL: false, and run_end is a no-op. */
bool frost__pool_run_begin(frost__pool *p);
void frost__pool_run_end(frost__pool *p);
/* Forgets the run times (the plan changed: the old times say nothing about the new one). */
void frost__pool_forget_runs(frost__pool *p);

#endif /* FROST_ENGINE_POOL_H */
