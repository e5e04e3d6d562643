/* buf.c — the growing byte buffer responses are written into, JSON string escaping, error filling
 * and the clock. A failed allocation marks the buffer (oom) instead of aborting: the HTTP layer then
 * answers 500. Never writes past `cap`. */
#include "serve.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

bool serve_fail(serve_error *e, int status, const char *fmt, ...) {
    if (!e) return false;
    e->status = status;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof e->message, fmt, ap);
    va_end(ap);
    return false;
}

uint64_t serve_now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

void serve_buf_free(serve_buf *b) {
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

bool serve_buf_reserve(serve_buf *b, size_t extra) {
    if (b->oom) return false;
    if (extra <= b->cap - b->len) return true;
    size_t want = b->len + extra;
    if (want < b->len) {   /* overflow */
        b->oom = true;
        return false;
    }
    size_t cap = b->cap ? b->cap : 1024;
    while (cap < want) cap = cap > SIZE_MAX / 2 ? want : cap * 2;
    char *d = realloc(b->data, cap);
    if (!d) {
        b->oom = true;
        return false;
    }
    b->data = d;
    b->cap = cap;
    return true;
}

void serve_buf_put(serve_buf *b, const void *data, size_t n) {
    if (!n || !serve_buf_reserve(b, n)) return;
    memcpy(b->data + b->len, data, n);
    b->len += n;
}

void serve_buf_puts(serve_buf *b, const char *s) { serve_buf_put(b, s, strlen(s)); }

void serve_buf_printf(serve_buf *b, const char *fmt, ...) {
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if ((size_t)n < sizeof small) {
        serve_buf_put(b, small, (size_t)n);
        return;
    }
    if (!serve_buf_reserve(b, (size_t)n + 1)) return;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

/* Length of the valid UTF-8 sequence at s (1-4), or 0 when it is not one. */
static size_t utf8_sequence(const unsigned char *s, size_t n) {
    unsigned c = s[0];
    size_t need;
    unsigned min;
    if (c < 0x80) return 1;
    if ((c & 0xE0) == 0xC0) need = 2, min = 0x80;
    else if ((c & 0xF0) == 0xE0) need = 3, min = 0x800;
    else if ((c & 0xF8) == 0xF0) need = 4, min = 0x10000;
    else return 0;
    if (need > n) return 0;
    unsigned cp = c & (0x7F >> need);
    for (size_t i = 1; i < need; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return need;
}

void serve_buf_json_string(serve_buf *b, const char *s, size_t n) {
    static const char hex[] = "0123456789abcdef";
    if (!serve_buf_reserve(b, n + 2)) return;
    serve_buf_put(b, "\"", 1);
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        size_t run = i;
        /* copy plain ASCII runs at once */
        while (run < n && u[run] >= 0x20 && u[run] < 0x80 && u[run] != '"' && u[run] != '\\') run++;
        if (run > i) {
            serve_buf_put(b, s + i, run - i);
            i = run;
            continue;
        }
        unsigned c = u[i];
        if (c == '"') serve_buf_put(b, "\\\"", 2), i++;
        else if (c == '\\') serve_buf_put(b, "\\\\", 2), i++;
        else if (c == '\n') serve_buf_put(b, "\\n", 2), i++;
        else if (c == '\r') serve_buf_put(b, "\\r", 2), i++;
        else if (c == '\t') serve_buf_put(b, "\\t", 2), i++;
        else if (c < 0x20) {
            char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            serve_buf_put(b, esc, 6);
            i++;
        } else {
            size_t k = utf8_sequence(u + i, n - i);
            if (k) {
                serve_buf_put(b, s + i, k);
                i += k;
            } else {
                serve_buf_put(b, "\xEF\xBF\xBD", 3);   /* U+FFFD for a stray byte */
                i++;
            }
        }
    }
    serve_buf_put(b, "\"", 1);
}

char *serve_buf_take(serve_buf *b, size_t *len) {
    char *d = b->data;
    *len = b->len;
    b->data = NULL;
    b->len = b->cap = 0;
    return d;
}
