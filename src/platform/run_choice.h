/* run_choice.h — whether a run of a session's plan splits its jobs over the thread pool's workers
 * or goes on the caller alone, learned from how long runs took in each mode (run_choice.c). Pure
 * policy: no clock, no threads, no allocation; the pool (pool.c) times the runs and asks. */
#ifndef FROST_PLATFORM_RUN_CHOICE_H
#define FROST_PLATFORM_RUN_CHOICE_H

#include <stdbool.h>
#include <stdint.h>

#define FROST__RUN_SAMPLES 8

typedef struct frost__run_choice {
    int64_t ns[2][FROST__RUN_SAMPLES]; /* counted run times, [0] alone, [1] split (a ring each) */
    int n[2], next[2];
    int64_t runs, next_probe, probe_every;
    int mode;                /* of the run under way (the last next()) */
    int last_mode;           /* of the run before, -1 before the first */
    int burst_mode;          /* of the burst under way, -1 for none */
    int burst_counted;       /* the burst's counted runs so far */
    int64_t burst_excess_ns; /* its runs' time beyond the other mode's median */
    bool learning;           /* the first two bursts (one per mode) are under way */
    bool prefer_split;
} frost__run_choice;

/* Forgets every time (a new plan: the old times say nothing about it). */
void frost__run_choice_reset(frost__run_choice *c);
/* Whether the next run splits. workers_free(ctx) is asked only before a split burst while runs go
 * alone, and false puts the burst off (other processes hold the cores the workers would need);
 * NULL: always free. */
bool frost__run_choice_next(frost__run_choice *c, bool (*workers_free)(void *ctx), void *ctx);
/* The run next() chose took took_ns. */
void frost__run_choice_done(frost__run_choice *c, int64_t took_ns);

#endif
