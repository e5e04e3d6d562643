/* pool.c — the session thread pool (see pool.h). One job at a time: the caller publishes it by
 * bumping a generation counter, every thread (the caller included) takes chunks from an atomic
 * cursor, and the caller waits until every worker has finished the job. Idle workers poll the
 * generation for at most spin_us, then sleep on a condition variable: an idle session uses no CPU.
 * Never allocates after creation. */
#include "engine/pool.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <time.h>
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

struct frost__pool {
    frost_allocator alloc;
    int n_threads;            /* including the caller */
    int spin_us;
    bool flush_denormals;
    pthread_t *threads;
    int n_started;
    pthread_mutex_t mu;
    pthread_cond_t wake;
    atomic_uint_fast64_t gen;
    atomic_int stop;
    atomic_int sleepers;
    atomic_int active;        /* workers still inside the current job */
    /* The current job, written before gen is bumped (release), read after (acquire). */
    frost__task_fn fn;
    void *arg;
    int64_t n_items, chunk, n_chunks;
    atomic_int_fast64_t next;
};

typedef struct worker_arg {
    frost__pool *p;
    int index;
} worker_arg;

static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    _mm_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

static int64_t now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void run_chunks(frost__pool *p, int worker) {
    for (;;) {
        int64_t c = atomic_fetch_add_explicit(&p->next, 1, memory_order_relaxed);
        if (c >= p->n_chunks) break;
        int64_t b = c * p->chunk, e = b + p->chunk;
        if (e > p->n_items) e = p->n_items;
        p->fn(p->arg, b, e, worker);
    }
}

static void *worker_main(void *argp) {
    worker_arg wa = *(worker_arg *)argp;
    frost__pool *p = wa.p;
#if defined(__x86_64__) || defined(__i386__)
    if (p->flush_denormals) _mm_setcsr(_mm_getcsr() | 0x8040); /* FTZ | DAZ */
#endif
    /* 0, not a fresh load: pool_create's first job may already have bumped gen before this thread
     * got here, and a worker that missed it would leave `active` above 0 forever. */
    uint64_t seen = 0;
    for (;;) {
        uint64_t g = atomic_load_explicit(&p->gen, memory_order_acquire);
        if (g == seen && !atomic_load(&p->stop)) {
            int64_t t0 = now_us();
            int polls = 0;
            while ((g = atomic_load_explicit(&p->gen, memory_order_acquire)) == seen &&
                   !atomic_load_explicit(&p->stop, memory_order_relaxed)) {
                cpu_relax();
                if (++polls % 64 == 0 && now_us() - t0 >= p->spin_us) break;
            }
            if (g == seen) {
                pthread_mutex_lock(&p->mu);
                atomic_fetch_add(&p->sleepers, 1);
                while ((g = atomic_load_explicit(&p->gen, memory_order_acquire)) == seen &&
                       !atomic_load(&p->stop))
                    pthread_cond_wait(&p->wake, &p->mu);
                atomic_fetch_sub(&p->sleepers, 1);
                pthread_mutex_unlock(&p->mu);
            }
        }
        if (atomic_load(&p->stop)) break;
        seen = g;
        run_chunks(p, wa.index);
        atomic_fetch_sub_explicit(&p->active, 1, memory_order_release);
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
    worker_arg *args = frost__calloc(a, (size_t)n_threads, sizeof *args);
    if (!p || !args) {
        frost__free(a, p);
        frost__free(a, args);
        return frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory for the thread pool");
    }
    p->alloc = *a;
    p->n_threads = n_threads;
    p->spin_us = spin_us < 0 ? 50 : spin_us;
    p->flush_denormals = flush_denormals;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->wake, NULL);
    atomic_init(&p->gen, 0);
    atomic_init(&p->stop, 0);
    atomic_init(&p->sleepers, 0);
    atomic_init(&p->active, 0);
    atomic_init(&p->next, 0);
    p->threads = frost__calloc(a, (size_t)n_threads, sizeof(pthread_t));
    if (!p->threads) {
        frost__free(a, args);
        frost__pool_free(p);
        return frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory for the thread pool");
    }
    /* args must outlive the threads' first read: they copy it at once, and we join before free. */
    for (int i = 1; i < n_threads; i++) {
        args[i].p = p;
        args[i].index = i;
        if (pthread_create(&p->threads[i], NULL, worker_main, &args[i]) != 0) {
            frost__pool_free(p);
            frost__free(a, args);
            return frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "cannot start worker thread %d", i);
        }
        p->n_started = i;
    }
    /* Wait until every worker has copied its argument before releasing args. */
    frost__parallel_for(p, n_threads, 1, NULL, NULL);
    frost__free(a, args);
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
    frost__free(&a, p);
}

int frost__pool_threads(const frost__pool *p) { return p ? p->n_threads : 1; }

static void no_task(void *arg, int64_t b, int64_t e, int w) {
    (void)arg, (void)b, (void)e, (void)w;
}

void frost__parallel_for(frost__pool *p, int64_t n, int64_t grain, frost__task_fn fn, void *arg) {
    if (n <= 0) return;
    if (grain < 1) grain = 1;
    if (!fn) fn = no_task;
    if (!p || p->n_threads <= 1 || n <= grain) {
        fn(arg, 0, n, 0);
        return;
    }
    int64_t max_chunks = (int64_t)p->n_threads * 4;
    int64_t n_chunks = (n + grain - 1) / grain;
    if (n_chunks > max_chunks) n_chunks = max_chunks;
    p->fn = fn;
    p->arg = arg;
    p->n_items = n;
    p->chunk = (n + n_chunks - 1) / n_chunks;
    p->n_chunks = (n + p->chunk - 1) / p->chunk;
    atomic_store_explicit(&p->next, 0, memory_order_relaxed);
    atomic_store_explicit(&p->active, p->n_started, memory_order_relaxed);
    atomic_fetch_add(&p->gen, 1); /* seq_cst: ordered before the sleepers check */
    if (atomic_load(&p->sleepers) > 0) {
        pthread_mutex_lock(&p->mu);
        pthread_cond_broadcast(&p->wake);
        pthread_mutex_unlock(&p->mu);
    }
    run_chunks(p, 0);
    /* Workers are normally mid-chunk: spin briefly, then yield so an oversubscribed machine still
     * schedules them. */
    for (int spins = 0; atomic_load_explicit(&p->active, memory_order_acquire) > 0; spins++) {
        if (spins < 4096) cpu_relax();
        else sched_yield();
    }
}
