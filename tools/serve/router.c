/* router.c — maps a request path to a route: the Open Inference Protocol v2 paths
 * (/v2/health/{live,ready}, /v2, /v2/models/NAME[/versions/V][/ready|/infer]), TF Serving's
 * (/v1/models/NAME[/versions/V][/metadata|:predict]) and /metrics. A pure function of the path:
 * it points into the path instead of copying, and never reads past its NUL. */
#include "serve.h"

#include <string.h>

typedef struct cursor {
    const char *p;
} cursor;

/* Consumes `lit` when the path continues with it. */
static bool eat(cursor *c, const char *lit) {
    size_t n = strlen(lit);
    if (strncmp(c->p, lit, n) != 0) return false;
    c->p += n;
    return true;
}

/* The next segment (up to '/' or the end); empty segments are not segments. */
static bool segment(cursor *c, const char **s, size_t *n) {
    const char *e = strchr(c->p, '/');
    size_t len = e ? (size_t)(e - c->p) : strlen(c->p);
    if (len == 0) return false;
    *s = c->p;
    *n = len;
    c->p += len;
    return true;
}

static bool parse_version(const char *s, size_t n, int64_t *out) {
    if (n == 0 || n > 18) return false;
    int64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

static void v2_model(cursor *c, serve_route *r) {
    if (!segment(c, &r->model, &r->model_len)) return;
    if (eat(c, "/versions/")) {
        const char *vs;
        size_t vn;
        if (!segment(c, &vs, &vn)) return;
        if (!parse_version(vs, vn, &r->version)) {
            r->kind = ROUTE_BAD_VERSION;
            r->detail = vs;
            r->detail_len = vn;
            return;
        }
    }
    if (!*c->p) r->kind = ROUTE_V2_MODEL;
    else if (strcmp(c->p, "/ready") == 0) r->kind = ROUTE_V2_MODEL_READY;
    else if (strcmp(c->p, "/infer") == 0) r->kind = ROUTE_V2_INFER, r->method_wanted = "POST";
}

/* The last segment may end in ":verb" (TF Serving's predict). */
static void split_verb(const char *s, size_t n, size_t *base, const char **verb, size_t *verb_len) {
    *verb = NULL;
    *verb_len = 0;
    *base = n;
    for (size_t i = n; i-- > 0;)
        if (s[i] == ':') {
            *base = i;
            *verb = s + i + 1;
            *verb_len = n - i - 1;
            return;
        }
}

static void v1_apply_verb(serve_route *r, const char *verb, size_t n) {
    if (n == 7 && memcmp(verb, "predict", 7) == 0) {
        r->kind = ROUTE_V1_PREDICT;
        r->method_wanted = "POST";
    } else {
        r->kind = ROUTE_V1_UNSUPPORTED_VERB;
        r->detail = verb;
        r->detail_len = n;
        r->method_wanted = "POST";
    }
}

static void v1_model(cursor *c, serve_route *r) {
    const char *s, *verb;
    size_t n, base, vl;
    if (!segment(c, &s, &n)) return;
    split_verb(s, n, &base, &verb, &vl);
    r->model = s;
    r->model_len = base;
    if (base == 0) return;
    if (verb) {
        if (*c->p) return;   /* "name:predict/more" */
        v1_apply_verb(r, verb, vl);
        return;
    }
    if (eat(c, "/versions/")) {
        if (!segment(c, &s, &n)) return;
        split_verb(s, n, &base, &verb, &vl);
        if (!parse_version(s, base, &r->version)) {
            r->kind = ROUTE_BAD_VERSION;
            r->detail = s;
            r->detail_len = base;
            return;
        }
        if (verb) {
            if (!*c->p) v1_apply_verb(r, verb, vl);
            return;
        }
    }
    if (!*c->p) r->kind = ROUTE_V1_STATUS;
    else if (strcmp(c->p, "/metadata") == 0) r->kind = ROUTE_V1_METADATA;
}

void serve_route_parse(const char *path, serve_route *r) {
    memset(r, 0, sizeof *r);
    r->kind = ROUTE_NOT_FOUND;
    r->version = -1;
    r->method_wanted = "GET";
    cursor c = {path ? path : ""};
    if (strcmp(c.p, "/v2") == 0 || strcmp(c.p, "/v2/") == 0) r->kind = ROUTE_V2_SERVER;
    else if (strcmp(c.p, "/v2/health/live") == 0) r->kind = ROUTE_V2_LIVE;
    else if (strcmp(c.p, "/v2/health/ready") == 0) r->kind = ROUTE_V2_READY;
    else if (strcmp(c.p, "/metrics") == 0) r->kind = ROUTE_METRICS;
    else if (eat(&c, "/v2/models/")) v2_model(&c, r);
    else if (eat(&c, "/v1/models/")) v1_model(&c, r);
}
