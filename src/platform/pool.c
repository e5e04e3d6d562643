/* pool.c — the session thread pool (see pool.h). One job at a time. The caller publishes a job by
 * storing one 64-bit word — generation, chunk count, next chunk — and every thread, the caller
 * included, claims chunks by compare-and-swap on that word. The caller waits for the chunks to be
 * done, not for the workers: a worker that was asleep and wakes late finds nothing left and costs
 * the caller nothing. Because the chunk count travels in the same word as the generation, a late
 * worker can never claim a chunk of the next job with the previous job's bounds.
 * During a run whose jobs are split the workers poll for the next job without sleeping (a sleeping
 * worker wakes too late to help a step of a few microseconds, and the wake-up costs the caller a
 * system call); outside such runs they poll for at most spin_us, then sleep on a condition
 * variable: an idle session, or one whose runs go on the caller alone, uses no CPU. When a worker
 * stalls mid-chunk (another process took its core), the caller runs the following jobs alone for
 * a while instead of waiting on it again; and while runs go alone, split runs are not probed when
 * other processes hold the cores the workers would need (platform/load.c). Never allocates after
 * creation. */
#include "platform/pool.h"
#include "platform/fpenv.h"
#include "platform/load.h"
#include "platform/run_choice.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

/* The job word: generation (32 bits) | chunk count (16) | next chunk to claim (16). */
#define JOB_GEN(w) ((uint32_t)((w) >> 32))
#define JOB_COUNT(w) ((uint32_t)(((w) >> 16) & 0xffff))
#define JOB_NEXT(w) ((uint32_t)((w)&0xffff))
#define JOB_WORD(gen, count, next) \
    (((uint64_t)(gen) << 32) | ((uint64_t)(count) << 16) | (uint64_t)(next))
#define MAX_CHUNKS 0xffff

typedef struct worker_arg {
    struct frost__pool *p;
    int index;
} worker_arg;

struct frost__pool {
    frost_allocator alloc;
    int n_threads;            /* including the caller */
    int spin_us;
    bool flush_denormals;
    pthread_t *threads;
    worker_arg *args;         /* lives as long as the pool: workers read it at any time */
    int n_started;
    pthread_mutex_t mu;
    pthread_cond_t wake;
    /* Three cache lines apart: the job word and its body (written by the caller per job, claimed
     * by everyone), the count of chunks done (written at the end of each chunk) and the flags
     * idle workers poll, so that polling and finishing never pull each other's line away. The
     * job's body is written before the job word is stored (release), read by a thread only after
     * it claimed a chunk of that job (acquire on the word). */
    _Alignas(64) atomic_uint_fast64_t job;
    frost__task_fn fn;
    void *arg;
    int64_t n_items, chunk;
    _Alignas(64) atomic_int done; /* chunks of the current job finished */
    _Alignas(64) atomic_int stop;
    atomic_int sleepers;
    atomic_int keep_polling;  /* a split run is under way: idle workers poll without sleeping */
    /* Stall guard (caller's thread only): until solo_until_us, jobs run on the caller alone. */
    _Alignas(64) int64_t solo_until_us;
    /* Per-run choice (caller's thread only, see frost__pool_run_begin). */
    frost__run_choice choice;
    int64_t run_t0_ns;
    bool in_run;
};

/* A worker holding a chunk this much longer than the caller took for all of its own (and at least
 * STALL_MIN_US) is taken to be descheduled: another process has its core. */
#define STALL_MIN_US 100
/* Then the caller runs every job alone for this long, and tries the workers again after. */
#define SOLO_US 50000

static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    _mm_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int64_t now_us(void) { return now_ns() / 1000; }

/* Claims and runs chunks of job generation `gen` until none is left. */
static void run_chunks(frost__pool *p, uint32_t gen, int worker) {
    uint64_t w = atomic_load_explicit(&p->job, memory_order_acquire);
    for (;;) {
        if (JOB_GEN(w) != gen || JOB_NEXT(w) >= JOB_COUNT(w)) return;
        uint64_t claimed = w + 1;
        if (!atomic_compare_exchange_weak_explicit(&p->job, &w, claimed, memory_order_acq_rel,
                                                   memory_order_acquire))
            continue; /* w now holds the current word */
        int64_t b = (int64_t)JOB_NEXT(w) * p->chunk, e = b + p->chunk;
        if (e > p->n_items) e = p->n_items;
        p->fn(p->arg, b, e, worker);
        atomic_fetch_add_explicit(&p->done, 1, memory_order_release);
        w = claimed;
    }
}

static void *worker_main(void *argp) {
    const worker_arg *wa = argp;
    frost__pool *p = wa->p;
    /* The caller's thread computes in the same mode during a run (engine/session.c). */
    frost__fpenv_enter(p->flush_denormals);
    uint32_t seen = 0; /* generation 0 is the idle state at creation */
    for (;;) {
        uint32_t g = JOB_GEN(atomic_load_explicit(&p->job, memory_order_acquire));
        if (g == seen && !atomic_load(&p->stop)) {
            int64_t t0 = now_us();
            int polls = 0;
            while ((g = JOB_GEN(atomic_load_explicit(&p->job, memory_order_acquire))) == seen &&
                   !atomic_load_explicit(&p->stop, memory_order_relaxed)) {
                cpu_relax();
                if (++polls % 64 == 0) {
                    if (atomic_load_explicit(&p->keep_polling, memory_order_relaxed)) {
                        t0 = now_us(); /* spin_us counts from the end of the run */
                        continue;
                    }
                    if (now_us() - t0 >= p->spin_us) break;
                }
            }
            if (g == seen) {
                pthread_mutex_lock(&p->mu);
                atomic_fetch_add(&p->sleepers, 1);
                while ((g = JOB_GEN(atomic_load(&p->job))) == seen && !atomic_load(&p->stop) &&
                       !atomic_load(&p->keep_polling))
                    pthread_cond_wait(&p->wake, &p->mu);
                atomic_fetch_sub(&p->sleepers, 1);
                pthread_mutex_unlock(&p->mu);
            }
        }
        if (atomic_load(&p->stop)) break;
        if (g == seen) continue; /* woken for a split run: poll for its first job */
        seen = g;
        run_chunks(p, g, wa->index);
    }
    return NULL;
}

frost_status frost__pool_create(const frost_allocator *a, int n_threads, int spin_us,
                                bool flush_denormals, frost__pool **out, frost_error *err) {
    *out = NULL;
    if (n_threads <= 1) return FROST_OK;
    if (n_threads > 256)
        return frost__fail(err, FROST_E_INVALID_ARG, NULL, NULL, -1, "%d threads is too many", n_threads);
    frost__pool *p = frost__calloc(a, 1, sizeof *p);
    if (!p) return frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory for the thread pool");
    p->alloc = *a;
    p->n_threads = n_threads;
    p->spin_us = spin_us < 0 ? 50 : spin_us;
    p->flush_denormals = flush_denormals;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->wake, NULL);
    atomic_init(&p->job, 0);
    atomic_init(&p->done, 0);
    atomic_init(&p->stop, 0);
    atomic_init(&p->sleepers, 0);
    atomic_init(&p->keep_polling, 0);
    frost__pool_forget_runs(p);
    p->threads = frost__calloc(a, (size_t)n_threads, sizeof(pthread_t));
    p->args = frost__calloc(a, (size_t)n_threads, sizeof(worker_arg));
    if (!p->threads || !p->args) {
        frost__pool_free(p);
        return frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory for the thread pool");
    }
    for (int i = 1; i < n_threads; i++) {
        p->args[i].p = p;
        p->args[i].index = i;
        if (pthread_create(&p->threads[i], NULL, worker_main, &p->args[i]) != 0) {
            frost__pool_free(p);
            return frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "cannot start worker thread %d", i);
        }
        p->n_started = i;
    }
    *out = p;
    return FROST_OK;
}

void frost__pool_free(frost__pool *p) {
    if (!p) return;
    pthread_mutex_lock(&p->mu);
    atomic_store(&p->stop, 1);
    pthread_cond_broadcast(&p->wake);
    pthread_mutex_unlock(&p->mu);
    for (int i = 1; i <= p->n_started; i++) pthread_join(p->threads[i], NULL);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->wake);
    frost_allocator a = p->alloc;
    frost__free(&a, p->threads);
    frost__free(&a, p->args);
    frost__free(&a, p);
}

int frost__pool_threads(const frost__pool *p) { return p ? p->n_threads : 1; }

/* Wakes sleeping workers (after a job word or keep_polling was stored, seq_cst: ordered before the
 * sleepers check, so a worker either sees the store before sleeping or is counted here). */
static void wake_sleepers(frost__pool *p) {
    if (atomic_load(&p->sleepers) > 0) {
        pthread_mutex_lock(&p->mu);
        pthread_cond_broadcast(&p->wake);
        pthread_mutex_unlock(&p->mu);
    }
}

void frost__parallel_for(frost__pool *p, int64_t n, int64_t grain, frost__task_fn fn, void *arg) {
    if (n <= 0 || !fn) return;
    if (grain < 1) grain = 1;
    if (!p || p->n_threads <= 1 || n <= grain) {
        fn(arg, 0, n, 0);
        return;
    }
    const int64_t t_start = now_us();
    if (t_start < p->solo_until_us) {
        /* A worker stalled recently (its core busy with another process): waiting for workers
         * would make this job slower than running it here alone. */
        fn(arg, 0, n, 0);
        return;
    }
    int64_t n_chunks = (n + grain - 1) / grain;
    int64_t max_chunks = (int64_t)p->n_threads * 4;
    if (n_chunks > max_chunks) n_chunks = max_chunks;
    if (n_chunks > MAX_CHUNKS) n_chunks = MAX_CHUNKS;
    p->fn = fn;
    p->arg = arg;
    p->n_items = n;
    p->chunk = (n + n_chunks - 1) / n_chunks;
    n_chunks = (n + p->chunk - 1) / p->chunk;
    atomic_store_explicit(&p->done, 0, memory_order_relaxed);
    uint32_t gen = JOB_GEN(atomic_load_explicit(&p->job, memory_order_relaxed)) + 1;
    if (gen == 0) gen = 1; /* 0 is the idle state workers start from */
    /* seq_cst: the store is ordered before the sleepers check below. */
    atomic_store(&p->job, JOB_WORD(gen, n_chunks, 0));
    wake_sleepers(p);
    run_chunks(p, gen, 0);
    /* Other threads are normally mid-chunk: spin briefly, then yield so an oversubscribed machine
     * still schedules them. A worker that keeps its chunk far longer than the caller took for its
     * own share has lost its core: later jobs run on the caller alone for a while (SOLO_US), so
     * two threads on a busy machine are never much slower than one. */
    const int64_t t_own = now_us() - t_start;
    bool stalled = false;
    for (int spins = 0; atomic_load_explicit(&p->done, memory_order_acquire) < n_chunks; spins++) {
        if (spins < 4096) {
            cpu_relax();
            continue;
        }
        if (!stalled && spins % 64 == 0) {
            const int64_t waited = now_us() - t_start - t_own;
            stalled = waited > STALL_MIN_US && waited > 2 * t_own;
        }
        sched_yield();
    }
    if (stalled) {
        p->solo_until_us = now_us() + SOLO_US;
        /* The worker's core is contended: its polling would only take time from the caller's
         * other jobs or from the process it shares the core with. */
        atomic_store_explicit(&p->keep_polling, 0, memory_order_relaxed);
    }
}

/* ---- per-run choice: split or alone (the policy is run_choice.c) ----------------------------
 * A run alone gets no pool (frost__pool_run_begin returns false): the session runs every step as a
 * one-thread session would. With a deterministic plan the outputs do not depend on the mode: the
 * ops cut their work the same way either way. */

void frost__pool_forget_runs(frost__pool *p) {
    if (!p) return;
    frost__run_choice_reset(&p->choice);
    p->in_run = false;
}

/* Whether the cores the workers need are free of other processes' work right now. */
static bool workers_free(void *ctx) {
    const frost__pool *p = ctx;
    const int free_cpus = frost__cpus_free_now();
    return free_cpus < 0 || free_cpus >= p->n_threads - 1;
}

bool frost__pool_run_begin(frost__pool *p) {
    if (!p) return false;
    const bool split = frost__run_choice_next(&p->choice, workers_free, p);
    p->in_run = true;
    if (split && now_us() >= p->solo_until_us) {
        /* Workers poll through the run; the ones asleep start waking now, while the caller does
         * the run's first steps, instead of at the first split step. */
        atomic_store(&p->keep_polling, 1);
        wake_sleepers(p);
    }
    p->run_t0_ns = now_ns();
    return split;
}

void frost__pool_run_end(frost__pool *p) {
    if (!p || !p->in_run) return;
    p->in_run = false;
    atomic_store_explicit(&p->keep_polling, 0, memory_order_relaxed);
    frost__run_choice_done(&p->choice, now_ns() - p->run_t0_ns);
}
