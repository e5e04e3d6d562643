/* bench_model.c — where a model's time goes, step by step: loads a model (optionally with bf16
 * weights), plans a session, then replays the session's run loop itself, timing every step with
 * the thread's CPU clock (on a shared machine the time the thread was descheduled does not count)
 * over many calls on random inputs in [0, 1). Prints, per step, the node, its op and the median and
 * best time per call; then the first call's steps (cold caches, first-touch page faults) next to
 * the steady state. Reaches into the engine (engine/session.h) for the steps: a measuring tool, not
 * an API user.
 * With --threads T (> 1) the session gets a pool and the clock becomes wall time (the workers' CPU
 * time would not show on the caller's clock): expect noise on a busy machine.
 * --spin US sets the workers' spin before sleeping (frost_session_options.spin_us; default 50).
 * --batch B sets the first input's leading dimension (default: the model's own, 1 if unknown).
 * Usage: bench_model MODEL [--bf16 | --int8] [--n CALLS] [--threads T] [--spin US] [--batch B] */
#include "engine/session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static clockid_t g_clock = CLOCK_THREAD_CPUTIME_ID;

static double now_us(void) {
    struct timespec ts;
    clock_gettime(g_clock, &ts);
    return (double)ts.tv_sec * 1e6 + 1e-3 * (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b) {
    const double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    const char *path = NULL;
    int precision = FROST_PRECISION_F32, calls = 2000, threads = 1, spin = -1, batch = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--bf16")) precision = FROST_PRECISION_BF16;
        else if (!strcmp(argv[i], "--int8")) precision = FROST_PRECISION_INT8;
        else if (!strcmp(argv[i], "--n") && i + 1 < argc) calls = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--threads") && i + 1 < argc) threads = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--spin") && i + 1 < argc) spin = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--batch") && i + 1 < argc) batch = atoi(argv[++i]);
        else path = argv[i];
    }
    if (!path || calls < 1) {
        fprintf(stderr, "usage: bench_model MODEL [--bf16 | --int8] [--n CALLS] [--threads T] [--spin US] "
                        "[--batch B]\n");
        return 2;
    }
    frost_load_options lo = {0};
    lo.struct_size = sizeof lo;
    lo.weights_precision = precision;
    frost_error err = {0};
    frost_model *m;
    frost_session *s;
    frost_session_options so = {0};
    so.struct_size = sizeof so;
    so.n_threads = threads;
    so.spin_us = spin;
    if (threads > 1) g_clock = CLOCK_MONOTONIC;
    if (frost_model_load_file(path, &lo, &m, &err) != FROST_OK ||
        frost_session_create(m, &so, &s, &err) != FROST_OK) {
        fprintf(stderr, "bench_model: %s\n", err.message);
        return 1;
    }
    if (batch > 0) {
        frost_tensor_info mi;
        frost_model_input_info(m, 0, &mi);
        if (mi.rank > 0) {
            mi.dims[0] = batch;
            for (int d = 1; d < mi.rank; d++)
                if (mi.dims[d] < 0) mi.dims[d] = 1;
            if (frost_session_set_input_shape(s, 0, mi.rank, mi.dims, &err) != FROST_OK ||
                frost_session_plan(s, &err) != FROST_OK) {
                fprintf(stderr, "bench_model: batch %d: %s\n", batch, err.message);
                return 1;
            }
        }
    }
    float *x = frost_session_input_data(s, 0);
    frost_tensor_info in;
    frost_session_input_info(s, 0, &in);
    size_t n_in = 1;
    for (int d = 0; d < in.rank; d++) n_in *= (size_t)in.dims[d];
    unsigned seed = 1;
    const int n_steps = s->n_steps;
    double *t = malloc(sizeof(double) * (size_t)n_steps * (size_t)(calls + 1));
    double *col = malloc(sizeof(double) * (size_t)(calls + 1));
    double *total = malloc(sizeof(double) * (size_t)(calls + 1));
    frost__exec ex = {.ptr = s->ptr, .shape = s->shape, .dtype = s->dtype, .arena = s->arena,
                      .pool = s->pool, .err = &err};
    for (int c = 0; c <= calls; c++) {
        for (size_t i = 0; i < n_in; i++) {
            seed = seed * 1664525u + 1013904223u;
            x[i] = (float)(seed >> 8) / 16777216.0f;
        }
        const double c0 = now_us();
        for (int i = 0; i < n_steps; i++) {
            const frost__step *st = &s->steps[i];
            const double t0 = now_us();
            st->run(st, &ex);
            t[(size_t)c * n_steps + i] = now_us() - t0;
        }
        total[c] = now_us() - c0;
    }
    printf("%s%s: %d steps, %d calls, %d thread%s (%s, us)\n", path,
           precision == 1 ? " (bf16 weights)" : precision == 2 ? " (int8 weights)" : "", n_steps, calls, threads, threads > 1 ? "s" : "",
           threads > 1 ? "wall time" : "thread CPU time");
    printf("  %-4s %-28s %-44s %9s %9s %9s\n", "step", "op", "node", "median", "best", "first");
    double sum_med = 0;
    for (int i = 0; i < n_steps; i++) {
        for (int c = 1; c <= calls; c++) col[c - 1] = t[(size_t)c * n_steps + i];
        qsort(col, (size_t)calls, sizeof *col, cmp_double);
        const frost__node *n = s->steps[i].node;
        sum_med += col[calls / 2];
        printf("  %-4d %-28s %-44.44s %9.2f %9.2f %9.2f\n", i, n->src_op, n->name, col[calls / 2],
               col[0], t[i]);
    }
    qsort(total + 1, (size_t)calls, sizeof *total, cmp_double);
    printf("  whole call: median %.2f, best %.2f, p99 %.2f, first %.2f (sum of step medians %.2f)\n",
           total[1 + calls / 2], total[1], total[1 + (int)(calls * 0.99)], total[0], sum_med);
    free(t), free(col), free(total);
    frost_session_free(s);
    frost_model_free(m);
    return 0;
}
