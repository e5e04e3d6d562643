/* serve_overhead.c — what frost serve adds over calling frost in-process, measured on the same
 * model, images and machine, through the public API only.
 *
 *   serve_overhead single --model M --port P --name NAME --images IDX.gz [--n N]
 *     One client on one keep-alive TCP connection to a running `frost serve` on 127.0.0.1:P.
 *     Takes turns, in blocks of 50 rounds (so load on the machine hits all alike), between: the
 *     in-process call (copy the image in, frost_session_run, read the output) in a tight loop, the
 *     same call after one system call (getppid: what any caller that gets its input by I/O does
 *     between runs), a v2 JSON request, a v2 binary request of the same image, and GET
 *     /v2/health/live. Prints p50/p90/p99 of each and the p50 differences, and checks every HTTP
 *     answer's top class against the in-process one. With --only KIND (inprocess, syscall, json,
 *     binary, live) it does that one alone. When the server runs with --timing-header, it also
 *     splits each request's time by the server's stamps (same host, same clock).
 *
 *   serve_overhead inprocess --model M --images IDX.gz --clients C --sessions S --seconds T
 *     The in-process equivalent of C concurrent clients of a server with S sessions: C threads
 *     share a pool of S sessions (take one in arrival order, run, give it back), for T seconds;
 *     per-call latency includes the wait for a session, as a request's does in the server. Prints p50/p99 and
 *     calls per second, to set beside wrk's numbers for the server.
 *
 * It must not allocate inside the timed in-process loop, and it never talks to anything but
 * 127.0.0.1. */
#define _GNU_SOURCE   /* strcasestr */
#include "frost.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

static double now_us(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double pct(double *v, size_t n, double p) {
    if (n == 0) return 0.0 / 0.0;   /* a kind left out with --only */
    qsort(v, n, sizeof *v, cmp_double);
    size_t i = (size_t)(p * (double)(n - 1) + 0.5);
    return v[i];
}

static void die(const char *fmt, const char *a) {
    fprintf(stderr, "serve_overhead: ");
    fprintf(stderr, fmt, a);
    fputc('\n', stderr);
    exit(1);
}

/* The first n images of an IDX file (gzip'd or not), as floats in [0, 1]. */
static float *load_images(const char *path, int n) {
    gzFile f = gzopen(path, "rb");
    if (!f) die("cannot open %s", path);
    unsigned char head[16];
    if (gzread(f, head, 16) != 16 || head[2] != 8 || head[3] != 3) die("%s is not an IDX image file", path);
    float *x = malloc(sizeof(float) * 784 * (size_t)n);
    unsigned char px[784];
    for (int i = 0; i < n; i++) {
        if (gzread(f, px, 784) != 784) die("%s: too few images", path);
        for (int k = 0; k < 784; k++) x[i * 784 + k] = px[k] / 255.0f;
    }
    gzclose(f);
    return x;
}

static int argmax(const float *p, int n) {
    int best = 0;
    for (int i = 1; i < n; i++)
        if (p[i] > p[best]) best = i;
    return best;
}

static frost_session *make_session(frost_model *m) {
    frost_session *s;
    frost_error err;
    frost_session_options so = {.struct_size = sizeof so, .n_threads = 1, .spin_us = -1};
    if (frost_session_create(m, &so, &s, &err) || frost_session_plan(s, &err)) die("session: %s", err.message);
    return s;
}

/* ---- a minimal keep-alive HTTP/1.1 client ---- */

typedef struct client {
    int fd;
    char *buf;
    size_t cap;
    /* the last request: when it was sent and its answer read (us), and the server's Frost-Timing
     * stamps (us; received 0 when the server sent none) */
    double sent, answered;
    double received, body, run, ran, reply;
} client;

static void client_connect(client *c, int port) {
    c->fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(c->fd, (struct sockaddr *)&a, sizeof a) != 0) die("cannot connect to 127.0.0.1: %s", strerror(errno));
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    c->cap = 1 << 20;
    c->buf = malloc(c->cap);
}

static void send_all(int fd, const char *p, size_t n) {
    while (n) {
        ssize_t k = send(fd, p, n, MSG_NOSIGNAL);
        if (k <= 0) die("send failed: %s", strerror(errno));
        p += k;
        n -= (size_t)k;
    }
}

/* Sends one request; returns the status and points *body at the response body. */
static int http_post(client *c, const char *head, size_t head_len, const char *body, size_t body_len,
                     const char **out, size_t *out_len, long *header_len) {
    /* head and body in one write, as HTTP clients do */
    if (head_len + body_len > c->cap / 2) die("request too large%s", "");
    char *req = c->buf + c->cap / 2;
    memcpy(req, head, head_len);
    memcpy(req + head_len, body, body_len);
    c->sent = now_us();
    send_all(c->fd, req, head_len + body_len);
    size_t got = 0;
    char *end = NULL;
    while (!end) {
        ssize_t k = recv(c->fd, c->buf + got, c->cap / 2 - got - 1, 0);
        if (k <= 0) die("the server closed the connection%s", "");
        got += (size_t)k;
        c->buf[got] = 0;
        end = strstr(c->buf, "\r\n\r\n");
    }
    int status = atoi(c->buf + 9);
    const char *cl = strcasestr(c->buf, "\r\nContent-Length:");
    size_t len = cl ? strtoul(cl + 17, NULL, 10) : 0;
    const char *ih = strcasestr(c->buf, "\r\nInference-Header-Content-Length:");
    *header_len = ih && ih < end ? strtol(ih + 34, NULL, 10) : -1;
    const char *ft = strcasestr(c->buf, "\r\nFrost-Timing:");
    unsigned long long st[5];
    c->received = 0;
    if (ft && ft < end && sscanf(ft + 15, " received=%llu,body=%llu,run=%llu,ran=%llu,reply=%llu", &st[0], &st[1],
                                 &st[2], &st[3], &st[4]) == 5) {
        c->received = (double)st[0] / 1e3, c->body = (double)st[1] / 1e3, c->reply = (double)st[4] / 1e3;
        c->run = st[2] ? (double)st[2] / 1e3 : c->body;   /* no model ran: a zero-length run */
        c->ran = st[2] ? (double)st[3] / 1e3 : c->body;
    }
    size_t head_bytes = (size_t)(end + 4 - c->buf);
    while (got < head_bytes + len) {
        ssize_t k = recv(c->fd, c->buf + got, c->cap / 2 - got - 1, 0);
        if (k <= 0) die("short body%s", "");
        got += (size_t)k;
    }
    c->answered = now_us();
    *out = c->buf + head_bytes;
    *out_len = len;
    return status;
}

static void print_row(const char *what, double *v, size_t n) {
    if (n == 0) return;
    double p50 = pct(v, n, 0.5), p90 = pct(v, n, 0.9), p99 = pct(v, n, 0.99);
    printf("%-28s p50 %8.1f us   p90 %8.1f us   p99 %8.1f us\n", what, p50, p90, p99);
}

/* Where one kind of request's time went, by the server's stamps: p50 of each stretch. */
enum { SPLIT_SEND, SPLIT_BODY, SPLIT_DECODE, SPLIT_RUN, SPLIT_ENCODE, SPLIT_ANSWER, SPLIT_N };
typedef struct split {
    double *v[SPLIT_N];
    size_t n;
} split;

static void split_add(split *sp, const client *c) {
    if (c->received <= 0) return;
    double at[] = {c->sent, c->received, c->body, c->run, c->ran, c->reply, c->answered};
    for (int k = 0; k < SPLIT_N; k++) sp->v[k][sp->n] = at[k + 1] - at[k];
    sp->n++;
}

static void split_print(const char *what, split *sp) {
    static const char *const names[SPLIT_N] = {
        "client send -> server has the headers", "headers -> whole body", "body -> model run starts (decode)",
        "model run", "run ends -> response queued (encode)", "queued -> client has the answer"};
    if (sp->n == 0) return;
    printf("%s, by the server's stamps (p50 of each stretch, %zu requests):\n", what, sp->n);
    for (int k = 0; k < SPLIT_N; k++) printf("   %-40s %8.1f us\n", names[k], pct(sp->v[k], sp->n, 0.5));
}

static int single(const char *model, int port, const char *name, const char *images, int n, int only) {
    frost_model *m;
    frost_error err;
    if (frost_model_load_file(model, NULL, &m, &err)) die("load: %s", err.message);
    frost_session *s = make_session(m);
    const int n_img = 100;
    float *x = load_images(images, n_img);
    /* request bodies, built before timing as a client would have them ready */
    char **json = malloc(sizeof(char *) * n_img), **bin = malloc(sizeof(char *) * n_img);
    size_t *json_len = malloc(sizeof(size_t) * n_img), bin_hdr_len;
    char bin_hdr[512];
    bin_hdr_len = (size_t)snprintf(bin_hdr, sizeof bin_hdr,
                                   "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,1,28,28],\"datatype\":\"FP32\","
                                   "\"parameters\":{\"binary_data_size\":3136}}],\"outputs\":[{\"name\":\"softmax\","
                                   "\"parameters\":{\"binary_data\":true}}]}");
    for (int i = 0; i < n_img; i++) {
        json[i] = malloc(16384);
        size_t o = (size_t)sprintf(json[i], "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,1,28,28],\"datatype\":\"FP32\",\"data\":[");
        for (int k = 0; k < 784; k++) o += (size_t)sprintf(json[i] + o, "%s%.9g", k ? "," : "", (double)x[i * 784 + k]);
        o += (size_t)sprintf(json[i] + o, "]}]}");
        json_len[i] = o;
        bin[i] = malloc(bin_hdr_len + 3136);
        memcpy(bin[i], bin_hdr, bin_hdr_len);
        memcpy(bin[i] + bin_hdr_len, x + i * 784, 3136);
    }
    char path_json[256], path_bin[256];
    snprintf(path_json, sizeof path_json, "/v2/models/%s/infer", name);
    snprintf(path_bin, sizeof path_bin, "/v2/models/%s/infer", name);
    client c;
    client_connect(&c, port);
    double *t_in = malloc(sizeof(double) * (size_t)n), *t_json = malloc(sizeof(double) * (size_t)n),
           *t_bin = malloc(sizeof(double) * (size_t)n), *t_sys = malloc(sizeof(double) * (size_t)n);
    split sp_json = {0}, sp_bin = {0}, sp_live = {0};
    for (int k = 0; k < SPLIT_N; k++)
        sp_json.v[k] = malloc(sizeof(double) * (size_t)n), sp_bin.v[k] = malloc(sizeof(double) * (size_t)n),
        sp_live.v[k] = malloc(sizeof(double) * (size_t)n);
    int wrong = 0;
    size_t n_in = 0, n_json = 0, n_bin = 0, n_live = 0, n_sys = 0;
    double *t_live = malloc(sizeof(double) * (size_t)n);
    float *in = frost_session_input_data(s, 0);
    int reference[100];   /* the in-process top class of each image */
    for (int i = 0; i < n_img; i++) {
        memcpy(in, x + i * 784, 3136);
        if (frost_session_run(s, &err)) die("run: %s", err.message);
        reference[i] = argmax(frost_session_output_data(s, 0, NULL), 10);
    }
    for (int it = -200; it < n; it++) {   /* 200 warm-up rounds */
        int i = (it + 200) % n_img, top_json = -1, top_bin = -1;
        /* the kinds take turns in blocks of 50 rounds: back to back enough that a
         * change of load on the machine hits all three, and in blocks because a client that has
         * just run a model on its own CPU is woken later by the scheduler on a busy machine */
        double ti = 0, tj = 0, tb = 0, tl = 0, ts = 0;
        int want = reference[i];
        {
            int which = only >= 0 ? only : ((it + 200) / 50) % 5;
            if (which == 0 || which == 4) {
                /* 4: a system call first. On some machines (this project's VM: no PCID, PTI on, a
                 * 3 us null syscall) any kernel entry makes the next run of a big model slower;
                 * a server cannot avoid making one per request */
                if (which == 4) syscall(SYS_getppid);
                double t0 = now_us();
                memcpy(in, x + i * 784, 3136);
                if (frost_session_run(s, &err)) die("run: %s", err.message);
                int top = argmax(frost_session_output_data(s, 0, NULL), 10);
                *(which == 0 ? &ti : &ts) = now_us() - t0;
                if (top != want) wrong++;
            } else if (which == 1) {
                char head[512];
                double t0 = now_us();
                size_t hl = (size_t)snprintf(head, sizeof head, "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                                             "application/json\r\nContent-Length: %zu\r\n\r\n", path_json, json_len[i]);
                const char *body;
                size_t blen;
                long ihl;
                int st = http_post(&c, head, hl, json[i], json_len[i], &body, &blen, &ihl);
                tj = now_us() - t0;
                if (it >= 0) split_add(&sp_json, &c);
                const char *data = st == 200 ? strstr(body, "\"data\":[") : NULL;
                float probs[10] = {0};
                if (data) {
                    const char *p = data + 8;
                    for (int k = 0; k < 10; k++) {
                        char *e;
                        probs[k] = strtof(p, &e);
                        p = e + 1;
                    }
                }
                top_json = st == 200 && data ? argmax(probs, 10) : -2;
            } else if (which == 3) {
                /* the transport alone: a request that runs no model */
                static const char live[] = "GET /v2/health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
                const char *body;
                size_t blen;
                long ihl;
                double t0 = now_us();
                int st = http_post(&c, live, sizeof live - 1, "", 0, &body, &blen, &ihl);
                tl = now_us() - t0;
                if (it >= 0) split_add(&sp_live, &c);
                if (st != 200) wrong++;
            } else {
                char head[512];
                double t0 = now_us();
                size_t hl = (size_t)snprintf(head, sizeof head, "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                                             "application/octet-stream\r\nInference-Header-Content-Length: %zu\r\n"
                                             "Content-Length: %zu\r\n\r\n", path_bin, bin_hdr_len, bin_hdr_len + 3136);
                const char *body;
                size_t blen;
                long ihl;
                int st = http_post(&c, head, hl, bin[i], bin_hdr_len + 3136, &body, &blen, &ihl);
                tb = now_us() - t0;
                if (it >= 0) split_add(&sp_bin, &c);
                float probs[10];
                top_bin = -2;
                if (st == 200 && ihl >= 0 && blen == (size_t)ihl + 40) {
                    memcpy(probs, body + ihl, 40);
                    top_bin = argmax(probs, 10);
                }
            }
        }
        if ((top_json != -1 && top_json != want) || (top_bin != -1 && top_bin != want)) wrong++;
        if (it >= 0) {
            if (ti > 0) t_in[n_in++] = ti;
            if (ts > 0) t_sys[n_sys++] = ts;
            if (tj > 0) t_json[n_json++] = tj;
            if (tb > 0) t_bin[n_bin++] = tb;
            if (tl > 0) t_live[n_live++] = tl;
        }
    }
    close(c.fd);
    printf("model %s, %d rounds after 200 warm-up (blocks of 50 per kind), one keep-alive connection, 127.0.0.1\n", model, n);
    double in50 = pct(t_in, n_in, 0.5), j50 = pct(t_json, n_json, 0.5), b50 = pct(t_bin, n_bin, 0.5),
           s50 = pct(t_sys, n_sys, 0.5);
    print_row("in-process call", t_in, n_in);
    print_row("in-process after a syscall", t_sys, n_sys);
    print_row("HTTP v2 JSON (784 floats)", t_json, n_json);
    print_row("HTTP v2 binary", t_bin, n_bin);
    print_row("HTTP GET /v2/health/live", t_live, n_live);
    printf("p50 overhead over in-process: JSON %.1f us, binary %.1f us (a request that runs no model: p50 %.1f us)\n",
           j50 - in50, b50 - in50, pct(t_live, n_live, 0.5));
    printf("p50 overhead over the in-process call after a syscall: JSON %.1f us, binary %.1f us\n", j50 - s50, b50 - s50);
    split_print("HTTP v2 JSON", &sp_json);
    split_print("HTTP v2 binary", &sp_bin);
    split_print("HTTP GET /v2/health/live", &sp_live);
    printf("answers whose top class differs from in-process (or failed): %d\n", wrong);
    for (int i = 0; i < n_img; i++) free(json[i]), free(bin[i]);
    free(json), free(bin), free(json_len), free(t_in), free(t_json), free(t_bin), free(t_live), free(t_sys), free(x), free(c.buf);
    for (int k = 0; k < SPLIT_N; k++) free(sp_json.v[k]), free(sp_bin.v[k]), free(sp_live.v[k]);
    frost_session_free(s);
    frost_model_free(m);
    return wrong ? 1 : 0;
}

/* ---- in-process, C threads sharing S sessions ---- */

typedef struct shared {
    frost_session **sessions;
    int *free_list, n_free;
    /* first come, first served, as requests queued on a server's workers are: ticket k may take a
     * session once k < admitted (a plain mutex lets the thread that just finished take it again) */
    long next_ticket, admitted;
    pthread_mutex_t lock;
    pthread_cond_t cv;
    const float *x;
    double stop_at;
} shared;

typedef struct worker {
    shared *sh;
    double *lat;
    size_t n, cap;
    int seed;
} worker;

static void *run_worker(void *arg) {
    worker *w = arg;
    shared *sh = w->sh;
    frost_error err;
    int i = w->seed;
    for (;;) {
        double t0 = now_us();
        if (t0 >= sh->stop_at) break;
        pthread_mutex_lock(&sh->lock);
        long ticket = sh->next_ticket++;
        while (ticket >= sh->admitted || sh->n_free == 0) pthread_cond_wait(&sh->cv, &sh->lock);
        int k = sh->free_list[--sh->n_free];
        pthread_mutex_unlock(&sh->lock);
        frost_session *s = sh->sessions[k];
        memcpy(frost_session_input_data(s, 0), sh->x + (i++ % 100) * 784, 3136);
        frost_session_run(s, &err);
        volatile float sink = ((const float *)frost_session_output_data(s, 0, NULL))[0];
        (void)sink;
        pthread_mutex_lock(&sh->lock);
        sh->free_list[sh->n_free++] = k;
        sh->admitted++;
        pthread_mutex_unlock(&sh->lock);
        pthread_cond_broadcast(&sh->cv);
        double t1 = now_us();
        if (w->n < w->cap) w->lat[w->n++] = t1 - t0;
    }
    return NULL;
}

static int inprocess(const char *model, const char *images, int clients, int sessions, double seconds) {
    frost_model *m;
    frost_error err;
    if (frost_model_load_file(model, NULL, &m, &err)) die("load: %s", err.message);
    shared sh = {0};
    sh.sessions = malloc(sizeof(frost_session *) * (size_t)sessions);
    sh.free_list = malloc(sizeof(int) * (size_t)sessions);
    for (int i = 0; i < sessions; i++) sh.sessions[i] = make_session(m), sh.free_list[i] = i;
    sh.n_free = sessions;
    sh.admitted = sessions;
    pthread_mutex_init(&sh.lock, NULL);
    pthread_cond_init(&sh.cv, NULL);
    sh.x = load_images(images, 100);
    sh.stop_at = now_us() + seconds * 1e6;
    worker *w = calloc((size_t)clients, sizeof *w);
    pthread_t *t = malloc(sizeof(pthread_t) * (size_t)clients);
    for (int i = 0; i < clients; i++) {
        w[i].sh = &sh;
        w[i].cap = (size_t)(seconds * 20000) + 1000;
        w[i].lat = malloc(sizeof(double) * w[i].cap);
        w[i].seed = i * 7;
        pthread_create(&t[i], NULL, run_worker, &w[i]);
    }
    size_t total = 0;
    for (int i = 0; i < clients; i++) pthread_join(t[i], NULL), total += w[i].n;
    double *all = malloc(sizeof(double) * total);
    size_t o = 0;
    for (int i = 0; i < clients; i++) memcpy(all + o, w[i].lat, sizeof(double) * w[i].n), o += w[i].n, free(w[i].lat);
    printf("in-process, %d threads sharing %d sessions, %.0f s: %zu calls, %.0f calls/s\n", clients, sessions,
           seconds, total, (double)total / seconds);
    print_row("in-process call (with wait)", all, total);
    free(all), free(w), free(t), free((void *)sh.x);
    for (int i = 0; i < sessions; i++) frost_session_free(sh.sessions[i]);
    free(sh.sessions), free(sh.free_list);
    frost_model_free(m);
    return 0;
}

int main(int argc, char **argv) {
    const char *model = NULL, *name = "expert", *images = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz";
    int port = 0, n = 2000, clients = 32, sessions = 2, only = -1;
    double seconds = 20;
    if (argc < 2) die("usage: serve_overhead single|inprocess --model M ... (see the top of serve_overhead.c)%s", "");
    for (int i = 2; i + 1 < argc; i += 2) {
        const char *k = argv[i], *v = argv[i + 1];
        if (!strcmp(k, "--model")) model = v;
        else if (!strcmp(k, "--port")) port = atoi(v);
        else if (!strcmp(k, "--name")) name = v;
        else if (!strcmp(k, "--images")) images = v;
        else if (!strcmp(k, "--n")) n = atoi(v);
        else if (!strcmp(k, "--clients")) clients = atoi(v);
        else if (!strcmp(k, "--sessions")) sessions = atoi(v);
        else if (!strcmp(k, "--seconds")) seconds = atof(v);
        else if (!strcmp(k, "--only")) {
            static const char *const kinds[] = {"inprocess", "json", "binary", "live", "syscall"};
            static const int which[] = {0, 1, 2, 3, 4};   /* as single() numbers them */
            for (int q = 0; q < 5; q++)
                if (!strcmp(v, kinds[q])) only = which[q];
            if (only < 0) die("--only takes inprocess, syscall, json, binary or live, not %s", v);
        }
        else die("unknown option %s", k);
    }
    if (!model) die("--model is required%s", "");
    if (!strcmp(argv[1], "single")) {
        if (port <= 0 || n <= 0) die("single needs --port and --n > 0%s", "");
        return single(model, port, name, images, n, only);
    }
    if (!strcmp(argv[1], "inprocess")) {
        if (clients <= 0 || sessions <= 0 || seconds <= 0 || seconds > 600) die("bad --clients/--sessions/--seconds%s", "");
        return inprocess(model, images, clients, sessions, seconds);
    }
    die("unknown mode %s", argv[1]);
    return 2;
}
