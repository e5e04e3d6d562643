/* test_run_choice.c — the thread pool's per-run choice between splitting a run over its workers and
 * running it on the caller alone (platform/run_choice.c), driven by simulated machines: each gives
 * a run's time from its mode, whether the run before was in the other mode (then the data sits in
 * the other core's cache), the run's number (a passing disturbance) and a seeded ±2% jitter. The
 * cases are the ones met on real networks: split clearly faster; split slightly slower but favoured
 * by a timing that only sees runs right after a change of mode (PP-OCRv4's detector); a worker's
 * core taken for a while and given back (split must come back); a learning misled by a passing
 * disturbance (split must come back soon); split always slower; the cores held by other processes
 * (no split runs at all); a burst that loses must not be retried soon. */
#include <stdint.h>
#include <stdio.h>

#include "platform/run_choice.h"
#include "test.h"

typedef struct machine {
    double alone_ns, split_ns;     /* a run in each mode after a run of the same mode */
    double switch_penalty;         /* factor on a run whose mode differs from the run before */
    int64_t slow_from, slow_to;    /* runs [from, to): split runs take slow_split_ns */
    double slow_split_ns;
    bool cores_taken;              /* workers_free says no */
} machine;

static bool workers_free(void *ctx) { return !((const machine *)ctx)->cores_taken; }

static uint64_t rng = 1;
static double jitter(void) { /* uniform in [0.98, 1.02) */
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return 0.98 + 0.04 * (double)(rng >> 11) / (double)(1ull << 53);
}

typedef struct tally {
    int64_t split_runs, alone_runs;  /* over the runs counted */
    double ns;                       /* total time of the runs counted */
} tally;

/* Runs the choice `runs` times on machine m; counts the runs from `count_from` on. */
static tally drive(frost__run_choice *c, machine *m, int64_t runs, int64_t count_from) {
    tally t = {0};
    int prev = -1;
    for (int64_t r = 1; r <= runs; r++) {
        const bool split = frost__run_choice_next(c, workers_free, m);
        double ns = split ? (r >= m->slow_from && r < m->slow_to ? m->slow_split_ns : m->split_ns)
                          : m->alone_ns;
        if (prev >= 0 && prev != (int)split) ns *= m->switch_penalty;
        prev = split;
        ns *= jitter();
        frost__run_choice_done(c, (int64_t)ns);
        if (r >= count_from) {
            split ? t.split_runs++ : t.alone_runs++;
            t.ns += ns;
        }
    }
    return t;
}

int main(void) {
    frost__run_choice c;

    /* Split 30% faster: the learning takes 8 runs (a burst of each mode, its first run not
     * counted), then split; bursts alone afterwards are rare and short. */
    machine fast = {.alone_ns = 1000e3, .split_ns = 700e3, .switch_penalty = 1.1};
    frost__run_choice_reset(&c);
    tally t = drive(&c, &fast, 8, 1);
    CHECK_MSG(t.split_runs == 4 && t.alone_runs == 4, "learning: %lld split, %lld alone runs",
              (long long)t.split_runs, (long long)t.alone_runs);
    t = drive(&c, &fast, 2000, 1);
    CHECK_MSG(t.alone_runs * 100 <= t.split_runs * 2, "split faster: %lld of 2000 runs alone",
              (long long)t.alone_runs);

    /* Split 5% slower, each mode 15% slower right after a change: timed only across changes the
     * two looked alike and the choice stuck to either. Alone must win and split stay under 1%. */
    machine close = {.alone_ns = 7500e3, .split_ns = 7875e3, .switch_penalty = 1.15};
    frost__run_choice_reset(&c);
    t = drive(&c, &close, 3000, 9);
    CHECK_MSG(t.split_runs * 100 <= t.alone_runs, "split 5%% slower: %lld of %lld runs split",
              (long long)t.split_runs, (long long)(t.split_runs + t.alone_runs));

    /* A worker's core taken during runs 300-340 (split then as slow as 1.3x alone), then given
     * back: split is dropped within a few runs, and comes back within one split interval
     * (PROBE_SPLIT_MIN = 128 runs) plus a burst of the end of the disturbance. */
    machine passing = {.alone_ns = 1000e3, .split_ns = 700e3, .switch_penalty = 1.05,
                       .slow_from = 300, .slow_to = 340, .slow_split_ns = 1300e3};
    frost__run_choice_reset(&c);
    drive(&c, &passing, 299, 1);
    CHECK(c.prefer_split);
    int64_t slow_split = 0;
    for (int64_t r = 300; r < 340; r++) {
        const bool split = frost__run_choice_next(&c, workers_free, &passing);
        slow_split += split;
        frost__run_choice_done(&c, (int64_t)((split ? 1300e3 : 1000e3) * jitter()));
    }
    CHECK_MSG(slow_split <= 8, "disturbance: %lld of 40 runs split while split was slow", (long long)slow_split);
    CHECK(!c.prefer_split);
    passing.slow_to = 0;
    drive(&c, &passing, 140, 1);
    CHECK_MSG(c.prefer_split, "split not back 140 runs after the disturbance ended");

    /* The learning misled: its split runs slowed by a passing disturbance (runs 1-4), so alone is
     * chosen; split is tried again 16 runs later and taken back (a 130-call benchmark must not
     * stay alone). */
    machine misled = {.alone_ns = 1000e3, .split_ns = 700e3, .switch_penalty = 1.05,
                      .slow_from = 1, .slow_to = 5, .slow_split_ns = 1500e3};
    frost__run_choice_reset(&c);
    drive(&c, &misled, 8, 1);
    CHECK_MSG(!c.prefer_split, "the misled learning chose split");
    drive(&c, &misled, 24, 1);
    CHECK_MSG(c.prefer_split, "split not taken back 24 runs after a misled learning");

    /* Split 30% slower: after the learning, split runs (bursts, each cut short) under 1%. */
    machine slow = {.alone_ns = 1000e3, .split_ns = 1300e3, .switch_penalty = 1.1};
    frost__run_choice_reset(&c);
    t = drive(&c, &slow, 5000, 9);
    CHECK_MSG(t.split_runs * 100 <= t.alone_runs, "split slower: %lld of %lld runs split",
              (long long)t.split_runs, (long long)(t.split_runs + t.alone_runs));
    CHECK(!c.prefer_split);

    /* Cores held by other processes: after the learning, no split run at all. */
    machine busy = {.alone_ns = 1000e3, .split_ns = 700e3, .switch_penalty = 1.0, .cores_taken = true,
                    .slow_from = 1, .slow_to = 1000000, .slow_split_ns = 3000e3};
    frost__run_choice_reset(&c);
    t = drive(&c, &busy, 3000, 9);
    CHECK_MSG(t.split_runs == 0, "cores taken: %lld split runs after the learning", (long long)t.split_runs);

    /* A split burst that lost by a lot (split 5x alone: a worker waiting a scheduler slice) costs
     * about 1% of the time at most: the next waits for PROBE_COST_SHARE times its excess. */
    machine stalls = {.alone_ns = 10e3, .split_ns = 50e3, .switch_penalty = 1.0};
    frost__run_choice_reset(&c);
    drive(&c, &stalls, 8, 1);
    t = drive(&c, &stalls, 20000, 1);
    const double excess = t.ns - 20000 * 10e3;
    CHECK_MSG(excess <= 0.02 * 20000 * 10e3, "losing split bursts cost %.1f%% of the time",
              100.0 * excess / (20000 * 10e3));

    /* A reset forgets: the learning starts again with a split burst. */
    frost__run_choice_reset(&c);
    CHECK(frost__run_choice_next(&c, workers_free, &fast));
    frost__run_choice_done(&c, 1000);
    printf("run choice: %d checks\n", frost_test_passed + frost_test_failed);
    return frost_test_finish();
}
