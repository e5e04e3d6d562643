/* run_choice.c — split or alone, per run (see run_choice.h).
 * Whether the workers help depends on more than the work: on a quiet machine two threads win,
 * but when other processes (a game, a video pipeline, a build) share the cores, a worker is often
 * descheduled mid-job or its core is shared with the caller, and the caller waits on it. So whole
 * runs are timed in both modes and the faster is kept.
 * Runs are timed in bursts of one mode. The first run of a burst follows a run of the other mode
 * and is not counted: half of what it reads sits in the other core's cache after a split run
 * (alone right after split ran ~10% slower than alone after alone on PP-OCRv4's detector), and a
 * mode timed only in such runs looked slower than it is. A burst clears its mode's samples first,
 * so what is compared is fresh: a mode that lost during a passing disturbance gets a fair trial
 * at its next burst instead of being judged on stale times for a thousand runs.
 * The first runs are a burst of each mode, split first (the plan's warm-up run was split); then
 * the preferred mode runs and the other is tried in bursts now and then, a burst ending early at
 * its first counted run slower than the preferred mode's median. Split is taken up only at the end
 * of a split burst, when it beats alone by SPLIT_WIN in both the median and the mean; it is
 * dropped as soon as it is slower at all, at any counted run. */
#include "platform/run_choice.h"

#include <string.h>

/* Counted runs of a full burst, and the intervals between bursts (in runs, doubling while the
 * choice holds). Alone while split is preferred: every PROBE_SOLO_MIN to PROBE_SOLO_MAX runs (a
 * split run slower than alone drops split by itself; these bursts refresh the times alone, two
 * runs at the one-thread time when alone loses). Split while alone is preferred: every
 * PROBE_SPLIT_MIN to PROBE_SPLIT_MAX runs: on a busy machine a split run can wait on a descheduled
 * worker, and trying in fewer than 1% of the runs keeps that out of the 99th percentile (16 runs
 * apart, a benchmark of 150 calls had 4 slow split probes: its p99 at 2 threads was 2.9x its p99
 * at 1). */
#define BURST_COUNTED 3
#define PROBE_SOLO_MIN 16
#define PROBE_SOLO_MAX 256
#define PROBE_SPLIT_MIN 128
#define PROBE_SPLIT_MAX 256
/* When the learning chose alone, split is tried again this soon (then at doubling intervals): the
 * learning's runs are the first after a plan, the ones most often slowed by a cold cache or a
 * passing disturbance (a hand-landmark network whose split runs are 25% faster stayed alone through
 * a 130-call benchmark after one noisy learning burst). */
#define PROBE_SPLIT_AFTER_LEARNING 16
/* Split must beat alone by this share (median and mean) to be taken up, and is dropped as soon as
 * it is slower at all: a wrong "alone" costs a gain, a wrong "split" makes two threads slower than
 * one, and between close times the choice should not flip-flop (every flip means bursts). */
#define SPLIT_WIN_NUM 97
#define SPLIT_WIN_DEN 100
/* A split burst that lost cost its excess over the median run alone; the next one waits until the
 * runs alone since have taken PROBE_COST_SHARE times that excess, so losing bursts cost at most
 * about 1% of the time. With another process on a core, a split run can wait a scheduler slice on
 * a descheduled worker (milliseconds): every 256 runs, that doubled the mean of a 7 µs network. */
#define PROBE_COST_SHARE 100

enum { ALONE = 0, SPLIT = 1 };

void frost__run_choice_reset(frost__run_choice *c) {
    memset(c, 0, sizeof *c); /* prefer_split false: until a split burst shows split winning, alone
                              * is the choice to beat */
    c->probe_every = PROBE_SPLIT_MIN;
    c->learning = true;
    c->burst_mode = -1;
    c->last_mode = -1; /* the first run after a plan counts as a change of mode: it starts cold */
}

static void start_burst(frost__run_choice *c, int mode) {
    c->burst_mode = mode;
    c->burst_counted = 0;
    c->burst_excess_ns = 0;
    c->n[mode] = 0;
    c->next[mode] = 0;
}

bool frost__run_choice_next(frost__run_choice *c, bool (*workers_free)(void *ctx), void *ctx) {
    c->runs++;
    if (c->burst_mode < 0) {
        if (c->learning) {
            start_burst(c, c->n[SPLIT] < BURST_COUNTED ? SPLIT : ALONE);
        } else if (c->runs >= c->next_probe) {
            c->next_probe = c->runs + c->probe_every;
            if (c->prefer_split) start_burst(c, ALONE);
            else if (!workers_free || workers_free(ctx)) start_burst(c, SPLIT);
        }
    }
    c->mode = c->burst_mode >= 0 ? c->burst_mode : c->prefer_split ? SPLIT : ALONE;
    return c->mode == SPLIT;
}

static void sort_small(int64_t *v, int n) {
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && v[j - 1] > v[j]; j--) {
            const int64_t t = v[j - 1];
            v[j - 1] = v[j];
            v[j] = t;
        }
}

/* Median and mean of one mode's counted runs (it has at least one). */
static void stats(const frost__run_choice *c, int mode, int64_t *median, int64_t *mean) {
    int64_t v[FROST__RUN_SAMPLES], sum = 0;
    const int n = c->n[mode];
    for (int i = 0; i < n; i++) sum += v[i] = c->ns[mode][i];
    sort_small(v, n);
    *median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    *mean = sum / n;
}

/* Whether split should be preferred on the times held now, given what is preferred now. */
static bool split_wins(const frost__run_choice *c) {
    int64_t med_alone, mean_alone, med_split, mean_split;
    stats(c, ALONE, &med_alone, &mean_alone);
    stats(c, SPLIT, &med_split, &mean_split);
    if (c->prefer_split) return med_split <= med_alone && mean_split <= mean_alone;
    return med_split * SPLIT_WIN_DEN <= med_alone * SPLIT_WIN_NUM &&
           mean_split * SPLIT_WIN_DEN <= mean_alone * SPLIT_WIN_NUM;
}

static void prefer(frost__run_choice *c, bool split) {
    if (split == c->prefer_split) {
        const int64_t most = split ? PROBE_SOLO_MAX : PROBE_SPLIT_MAX;
        if (c->probe_every < most) c->probe_every *= 2;
    } else {
        c->prefer_split = split;
        c->probe_every = split ? PROBE_SOLO_MIN : PROBE_SPLIT_MIN;
    }
    c->next_probe = c->runs + c->probe_every;
}

void frost__run_choice_done(frost__run_choice *c, int64_t took) {
    const int mode = c->mode;
    const bool counted = c->last_mode == mode;
    c->last_mode = mode;
    if (counted) {
        c->ns[mode][c->next[mode]] = took;
        c->next[mode] = (c->next[mode] + 1) % FROST__RUN_SAMPLES;
        if (c->n[mode] < FROST__RUN_SAMPLES) c->n[mode]++;
    }
    if (c->burst_mode != mode) { /* a run of the preferred mode */
        if (counted && mode == SPLIT && c->n[ALONE] > 0 && !split_wins(c)) prefer(c, false);
        return;
    }
    if (counted) c->burst_counted++;
    if (c->learning) {
        if (c->burst_counted < BURST_COUNTED) return;
        c->burst_mode = -1;
        if (mode == SPLIT) return; /* the burst alone comes next */
        c->learning = false;
        const bool split = split_wins(c); /* prefer_split is false: split must win by SPLIT_WIN */
        c->prefer_split = split;
        c->probe_every = split ? PROBE_SOLO_MIN : PROBE_SPLIT_AFTER_LEARNING;
        c->next_probe = c->runs + c->probe_every;
        return;
    }
    int64_t med_other, mean_other;
    stats(c, !mode, &med_other, &mean_other);
    if (took > med_other) c->burst_excess_ns += took - med_other;
    const bool lost = counted && took > med_other;
    if (c->burst_counted < BURST_COUNTED && !lost) return;
    c->burst_mode = -1;
    const bool split = lost ? mode == ALONE : split_wins(c);
    prefer(c, split);
    if (mode == SPLIT && !split && med_other > 0) {
        const int64_t wait = c->burst_excess_ns * PROBE_COST_SHARE / med_other;
        if (c->next_probe < c->runs + wait) c->next_probe = c->runs + wait;
    }
}
