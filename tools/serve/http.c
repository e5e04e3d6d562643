/* http.c — the HTTP/1.1 front end on libmicrohttpd (Debian libmicrohttpd-dev): keep-alive, a pool
 * of worker threads each polling its own connections with epoll, and the request handler running on
 * the worker that read the request (so a request never changes threads). It collects the body up
 * to --max-body-bytes (a larger Content-Length is refused with 413 before the body is read; a
 * chunked body that grows past it is discarded and then refused), hands the request to
 * serve_handle, and sends what it answers. While draining, responses carry "Connection: close".
 * It must never buffer more than the limit, and must answer every request it accepted. */
#include "serve.h"

#include <microhttpd.h>

#include <errno.h>
#include <inttypes.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct serve_http {
    struct MHD_Daemon *daemon;
    serve_context *ctx;
    size_t max_body;
    atomic_int in_flight;
    bool quiet;
    bool timing_header;
} serve_http;


typedef struct request_state {
    /* --timing-header: when the headers and the whole body were in (CLOCK_MONOTONIC ns; 0: not
     * yet). Per request, not per thread: a worker reads several connections' bodies interleaved. */
    uint64_t received_ns, body_ns;
    serve_buf body;
    bool too_big;
    size_t discarded;
} request_state;

/* A chunked body this far past the limit is not worth reading to the end: close the connection. */
#define DISCARD_LIMIT ((size_t)64 << 20)

/* `st` gives --timing-header its stamps; the run's are this thread's last run when `ran` (the
 * handler just ran on this thread), else 0. */
static enum MHD_Result send_response(serve_http *h, struct MHD_Connection *c, serve_http_response *r,
                                     const request_state *st, bool ran) {
    size_t len;
    char *data = serve_buf_take(&r->body, &len);
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, data ? data : "",
                                                                data ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
    if (!resp) {
        free(data);
        return MHD_NO;
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r->content_type ? r->content_type : "application/json");
    if (r->inference_header_len >= 0) {
        char n[32];
        snprintf(n, sizeof n, "%" PRId64, r->inference_header_len);
        MHD_add_response_header(resp, "Inference-Header-Content-Length", n);
    }
    if (r->allow) MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, r->allow);
    if (h->timing_header) {
        /* received, body, run start, run end, reply: where a request's time went, from outside */
        char t[160];
        uint64_t run0 = ran ? serve_last_run_start_ns : 0, run1 = run0 ? run0 + serve_last_run_ns : 0;
        snprintf(t, sizeof t, "received=%" PRIu64 ",body=%" PRIu64 ",run=%" PRIu64 ",ran=%" PRIu64 ",reply=%" PRIu64,
                 st->received_ns, st->body_ns, run0, run1, serve_now_ns());
        MHD_add_response_header(resp, "Frost-Timing", t);
    }
    if (atomic_load(&h->ctx->draining)) MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
    enum MHD_Result ok = MHD_queue_response(c, (unsigned)r->status, resp);
    MHD_destroy_response(resp);
    serve_metrics_count_response(r->status);
    return ok;
}

static enum MHD_Result send_error(serve_http *h, struct MHD_Connection *c, const request_state *st, int status,
                                  const char *fmt, ...) {
    serve_http_response r = {.status = status, .content_type = "application/json", .inference_header_len = -1};
    serve_error e = {.status = status};
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e.message, sizeof e.message, fmt, ap);
    va_end(ap);
    serve_reply_error(&r, &e);
    enum MHD_Result ok = send_response(h, c, &r, st, false);
    serve_http_response_free(&r);
    return ok;
}

static int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* A whole non-negative decimal number. */
static bool parse_size(const char *s, uint64_t *out) {
    if (!s || !*s) return false;
    uint64_t v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || v > (UINT64_MAX - 9) / 10) return false;
        v = v * 10 + (uint64_t)(*s - '0');
    }
    *out = v;
    return true;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_data_size,
                                  void **con_cls) {
    (void)version;
    serve_http *h = cls;
    request_state *st = *con_cls;
    if (!st) {
        st = calloc(1, sizeof *st);
        if (!st) return MHD_NO;
        if (h->timing_header) st->received_ns = serve_now_ns();
        *con_cls = st;
        atomic_fetch_add(&h->in_flight, 1);
        serve_metrics_in_flight(1);
        uint64_t declared;
        const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (cl && parse_size(cl, &declared)) {
            if (declared > h->max_body) {
                st->too_big = true;
                return send_error(h, c, st, 413, "the body is %" PRIu64 " bytes; this server takes at most %zu "
                                  "(--max-body-bytes)", declared, h->max_body);
            }
            if (declared) serve_buf_reserve(&st->body, (size_t)declared);
        }
        return MHD_YES;
    }
    if (*upload_data_size) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        if (!st->too_big && st->body.len + n > h->max_body) {
            st->too_big = true;
            serve_buf_free(&st->body);
        }
        if (st->too_big) {
            st->discarded += n;
            return st->discarded > DISCARD_LIMIT ? MHD_NO : MHD_YES;
        }
        serve_buf_put(&st->body, upload_data, n);
        return MHD_YES;
    }
    if (st->too_big)
        return send_error(h, c, st, 413, "the body is over %zu bytes (--max-body-bytes)", h->max_body);
    if (st->body.oom) return send_error(h, c, st, 500, "out of memory reading the body");

    if (h->timing_header) {
        st->body_ns = serve_now_ns();
        serve_last_run_start_ns = 0;   /* nonzero after serve_handle only if this request ran a model */
    }
    serve_http_request rq = {.method = method, .path = url, .body = st->body.data ? st->body.data : "",
                             .body_len = st->body.len, .inference_header_len = -1};
    const char *ih = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Inference-Header-Content-Length");
    if (ih) {
        uint64_t v;
        if (parse_size(ih, &v) && v <= (uint64_t)INT64_MAX) rq.inference_header_len = (int64_t)v;
        else rq.header_len_invalid = true;
    }
    serve_http_response resp;
    serve_handle(h->ctx, &rq, &resp);
    enum MHD_Result ok = send_response(h, c, &resp, st, true);
    serve_http_response_free(&resp);
    return ok;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode why) {
    (void)c;
    (void)why;
    serve_http *h = cls;
    request_state *st = *con_cls;
    if (!st) return;
    serve_buf_free(&st->body);
    free(st);
    *con_cls = NULL;
    atomic_fetch_sub(&h->in_flight, 1);
    serve_metrics_in_flight(-1);
}

/* Percent-decoding of the path, in place, except %00: a NUL would silently cut the path short. */
static size_t unescape_path(void *cls, struct MHD_Connection *c, char *uri) {
    (void)cls;
    (void)c;
    char *o = uri;
    for (const char *p = uri; *p; p++) {
        int hi, lo;
        if (p[0] == '%' && (hi = hex_digit(p[1])) >= 0 && (lo = hex_digit(p[2])) >= 0 && (hi | lo)) {
            *o++ = (char)(hi * 16 + lo);
            p += 2;
        } else {
            *o++ = *p;
        }
    }
    *o = 0;
    return (size_t)(o - uri);
}

static void on_mhd_error(void *cls, const char *fmt, va_list ap) {
    serve_http *h = cls;
    if (h->quiet) return;
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    size_t n = strlen(msg);
    while (n && msg[n - 1] == '\n') msg[--n] = 0;
    fprintf(stderr, "frost serve: libmicrohttpd: %s\n", msg);
}

struct serve_http *serve_http_start(serve_context *ctx, const serve_options *o, int *bound_port, serve_error *e) {
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_PASSIVE | AI_NUMERICSERV}, *ai = NULL;
    char port[16];
    snprintf(port, sizeof port, "%d", o->port);
    int gai = getaddrinfo(o->host, port, &hints, &ai);
    if (gai != 0) {
        serve_fail(e, 400, "--host '%s': %s", o->host, gai_strerror(gai));
        return NULL;
    }
    serve_http *h = calloc(1, sizeof *h);
    if (!h) {
        freeaddrinfo(ai);
        serve_fail(e, 500, "out of memory");
        return NULL;
    }
    h->ctx = ctx;
    h->max_body = o->max_body_bytes;
    h->quiet = o->quiet;
    h->timing_header = o->timing_header;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_ERROR_LOG;
    if (ai->ai_family == AF_INET6) flags |= MHD_USE_IPv6;
    struct MHD_OptionItem opts[] = {
        {MHD_OPTION_SOCK_ADDR, 0, ai->ai_addr},
        {MHD_OPTION_THREAD_POOL_SIZE, (intptr_t)(o->threads > 1 ? o->threads : 1), NULL},
        {MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_completed, h},
        {MHD_OPTION_CONNECTION_TIMEOUT, (intptr_t)o->idle_timeout_seconds, NULL},
        {MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024, NULL},
        /* read a request of up to ~64 KB in one go: with MHD's default 1 KB increments a 9 KB JSON
         * body took a dozen poll rounds, each a chance to be descheduled on a busy machine */
        {MHD_OPTION_CONNECTION_MEMORY_LIMIT, 256 * 1024, NULL},
        {MHD_OPTION_CONNECTION_MEMORY_INCREMENT, 64 * 1024, NULL},
        {MHD_OPTION_UNESCAPE_CALLBACK, (intptr_t)unescape_path, NULL},
        {MHD_OPTION_END, 0, NULL},
    };
    errno = 0;
    h->daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, h,
                                 /* the logger first, or MHD warns on stderr */
                                 MHD_OPTION_EXTERNAL_LOGGER, on_mhd_error, h,
                                 MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
    freeaddrinfo(ai);
    if (!h->daemon) {
        serve_fail(e, 500, "cannot listen on %s port %d%s%s", o->host, o->port, errno ? ": " : "",
                   errno ? strerror(errno) : "");
        free(h);
        return NULL;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(h->daemon, MHD_DAEMON_INFO_BIND_PORT);
    *bound_port = info ? info->port : o->port;
    return h;
}

void serve_http_quiesce(struct serve_http *h) {
    MHD_socket fd = MHD_quiesce_daemon(h->daemon);
    if (fd != MHD_INVALID_SOCKET) close(fd);
}

int serve_http_in_flight(struct serve_http *h) { return atomic_load(&h->in_flight); }

void serve_http_stop(struct serve_http *h) {
    if (!h) return;
    MHD_stop_daemon(h->daemon);
    free(h);
}
