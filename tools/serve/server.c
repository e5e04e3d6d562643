/* server.c — the life of `frost serve`: blocks SIGTERM/SIGINT in every thread (the main thread
 * takes them with sigwait, so no handler runs inside a request), starts HTTP (live at once, ready
 * once the models are loaded), loads the repository, starts the poller, and on SIGTERM drains:
 * readiness turns false, the listening socket closes, requests already received finish (up to
 * --drain-seconds), then idle connections close and every model is freed. It must never exit
 * while a received request is still being answered, unless the drain deadline passed. */
#include "serve.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static void say(const serve_options *o, const char *fmt, const char *a, int n) {
    if (o->quiet) return;
    fprintf(stderr, "frost serve: ");
    fprintf(stderr, fmt, a, n);
    fputc('\n', stderr);
}

int serve_main(const serve_options *o) {
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);   /* before any thread exists: they all inherit it */
    signal(SIGPIPE, SIG_IGN);

    serve_repo repo;
    serve_error e = {0};
    serve_repo_options ro = {.repository = o->repository, .single_model = o->single_model,
                             .single_name = o->name, .sessions_per_model = o->threads,
                             .model_threads = o->model_threads, .poll_seconds = o->poll_seconds,
                             .quiet = o->quiet};
    if (!serve_repo_open(&repo, &ro, &e)) {
        fprintf(stderr, "frost serve: %s\n", e.message);
        return 1;
    }
    serve_context ctx = {.repo = &repo};
    int port = 0;
    struct serve_http *http = serve_http_start(&ctx, o, &port, &e);
    if (!http) {
        fprintf(stderr, "frost serve: %s\n", e.message);
        serve_repo_close(&repo);
        return 1;
    }
    /* stdout carries only this line: scripts read the port from it (--port 0) */
    printf("frost serve: listening on http://%s:%d\n", o->host, port);
    fflush(stdout);

    serve_repo_scan(&repo);
    if (o->single_model && !repo.models[0].current) {
        serve_http_stop(http);
        serve_repo_close(&repo);
        return 1;   /* the scan printed why */
    }
    if (!serve_repo_start_polling(&repo, &e)) fprintf(stderr, "frost serve: %s\n", e.message);
    say(o, serve_repo_ready(&repo) ? "ready: %s%d model(s) loaded" : "not ready: %s%d model(s) loaded, see above",
        "", atomic_load(&repo.n_models));

    int sig = 0;
    sigwait(&stop, &sig);
    atomic_store(&ctx.draining, true);
    say(o, "%s received: draining %d request(s) in flight", sig == SIGTERM ? "SIGTERM" : "SIGINT",
        serve_http_in_flight(http));
    serve_http_quiesce(http);
    uint64_t deadline = serve_now_ns() + (uint64_t)(o->drain_seconds * 1e9);
    while (serve_http_in_flight(http) > 0 && serve_now_ns() < deadline) {
        struct timespec ts = {0, 2000000};
        nanosleep(&ts, NULL);
    }
    int left = serve_http_in_flight(http);
    if (left > 0) say(o, "drain deadline passed with %s%d request(s) unanswered", "", left);
    serve_http_stop(http);
    serve_repo_close(&repo);
    say(o, "%sstopped (%d request(s) unanswered)", "", left);
    return left > 0 ? 1 : 0;
}
