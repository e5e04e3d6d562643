/* json_reader.c — a strict JSON (RFC 8259) reader for request bodies. It validates the whole text
 * and builds a tree of nodes that point into the body (strings and numbers are not copied or
 * converted here: tensor_json.c converts numbers straight into the session's input buffers).
 * Why not cJSON: cJSON allocates a node per value and converts every number with strtod; for the
 * expert model's 784-pixel request that is 50 us here against 12 us for this reader
 * (bench/serve/json_read_bench), most of the server's whole overhead budget.
 * Nodes come from a per-thread arena reused across requests, so a warm server allocates nothing
 * while reading. It must never read past `len`, recurse deeper than SERVE_JSON_MAX_DEPTH, or accept
 * what JSON does not (comments, trailing commas, NaN, leading zeros, control characters). */
#include "serve.h"

#include <stdlib.h>
#include <string.h>

/* Values one request may hold: bounds the arena (~48 bytes a value). Big tensors go binary. */
#define SERVE_JSON_MAX_VALUES (1u << 22)
#define CHUNK_MIN 4096u
/* An arena that grew past this is given back after its request. */
#define ARENA_KEEP_VALUES (1u << 18)

typedef struct chunk {
    struct chunk *next;
    uint32_t cap, used;
    serve_jv nodes[];
} chunk;

typedef struct arena {
    chunk *head;      /* chunks in use order; `cur` is the one being filled */
    chunk *cur;
    uint32_t total;   /* nodes handed out since the reset */
    uint32_t capacity;
} arena;

static _Thread_local arena tls_arena;

/* HTTP worker threads end without calling anything of ours: a key destructor gives their arena
 * back when they exit. */
static pthread_key_t arena_key;
static pthread_once_t arena_key_once = PTHREAD_ONCE_INIT;
static void arena_thread_exit(void *unused) {
    (void)unused;
    serve_json_arena_release();
}
static void make_arena_key(void) { pthread_key_create(&arena_key, arena_thread_exit); }

void serve_json_arena_release(void) {
    chunk *c = tls_arena.head;
    while (c) {
        chunk *n = c->next;
        free(c);
        c = n;
    }
    memset(&tls_arena, 0, sizeof tls_arena);
}

void serve_json_arena_reset(void) {
    if (tls_arena.capacity > ARENA_KEEP_VALUES) {
        serve_json_arena_release();
        return;
    }
    for (chunk *c = tls_arena.head; c; c = c->next) c->used = 0;
    tls_arena.cur = tls_arena.head;
    tls_arena.total = 0;
}

static serve_jv *new_node(void) {
    arena *a = &tls_arena;
    if (a->total >= SERVE_JSON_MAX_VALUES) return NULL;
    while (a->cur && a->cur->used == a->cur->cap) a->cur = a->cur->next;
    if (!a->cur) {
        uint32_t cap = a->capacity < CHUNK_MIN ? CHUNK_MIN : a->capacity;   /* doubles the arena */
        chunk *c = malloc(sizeof *c + (size_t)cap * sizeof(serve_jv));
        if (!c) return NULL;
        if (!a->head) {
            pthread_once(&arena_key_once, make_arena_key);
            pthread_setspecific(arena_key, (void *)1);
        }
        c->next = NULL;
        c->cap = cap;
        c->used = 0;
        if (!a->head) a->head = c;
        else {
            chunk *t = a->head;
            while (t->next) t = t->next;
            t->next = c;
        }
        a->capacity += cap;
        a->cur = c;
    }
    a->total++;
    serve_jv *v = &a->cur->nodes[a->cur->used++];
    memset(v, 0, sizeof *v);
    return v;
}

serve_jv *serve_jv_new(void) { return new_node(); }

typedef struct parser {
    const char *s;
    size_t len, pos;
    serve_error *e;
} parser;

static bool fail_at(parser *p, const char *expected) {
    if (p->pos >= p->len)
        return serve_fail(p->e, 400, "malformed JSON: unexpected end of the body at byte %zu; expected %s",
                          p->pos, expected);
    unsigned char c = (unsigned char)p->s[p->pos];
    if (c >= 0x20 && c < 0x7F)
        return serve_fail(p->e, 400, "malformed JSON at byte %zu: found '%c', expected %s", p->pos, c,
                          expected);
    return serve_fail(p->e, 400, "malformed JSON at byte %zu: found byte 0x%02x, expected %s", p->pos,
                      c, expected);
}

static void skip_ws(parser *p) {
    while (p->pos < p->len) {
        char c = p->s[p->pos];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
        p->pos++;
    }
}

static bool is_hex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* At the opening quote: scans to the closing one. */
static bool scan_string(parser *p, const char **text, uint32_t *len, bool *escaped) {
    p->pos++;
    size_t start = p->pos;
    bool esc = false;
    for (;;) {
        if (p->pos >= p->len) return fail_at(p, "'\"' closing the string");
        unsigned char c = (unsigned char)p->s[p->pos];
        if (c == '"') break;
        if (c < 0x20) return fail_at(p, "a string character (control characters must be escaped)");
        if (c == '\\') {
            esc = true;
            p->pos++;
            if (p->pos >= p->len) return fail_at(p, "an escape");
            char x = p->s[p->pos];
            if (x == 'u') {
                for (int k = 1; k <= 4; k++) {
                    if (p->pos + k >= p->len || !is_hex(p->s[p->pos + k])) {
                        p->pos += k;
                        return fail_at(p, "4 hex digits after \\u");
                    }
                }
                p->pos += 4;
            } else if (!strchr("\"\\/bfnrt", x) || x == 0) {
                return fail_at(p, "an escape (\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)");
            }
        }
        p->pos++;
    }
    if (p->pos - start > UINT32_MAX) return serve_fail(p->e, 413, "a JSON string is over 4 GiB");
    *text = p->s + start;
    *len = (uint32_t)(p->pos - start);
    *escaped = esc;
    p->pos++;
    return true;
}

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

static bool scan_number(parser *p, serve_jv *v) {
    size_t start = p->pos;
    if (p->s[p->pos] == '-') p->pos++;
    if (p->pos >= p->len || !is_digit(p->s[p->pos])) return fail_at(p, "a digit");
    if (p->s[p->pos] == '0') p->pos++;
    else
        while (p->pos < p->len && is_digit(p->s[p->pos])) p->pos++;
    if (p->pos < p->len && p->s[p->pos] == '.') {
        p->pos++;
        if (p->pos >= p->len || !is_digit(p->s[p->pos])) return fail_at(p, "a digit after '.'");
        while (p->pos < p->len && is_digit(p->s[p->pos])) p->pos++;
    }
    if (p->pos < p->len && (p->s[p->pos] == 'e' || p->s[p->pos] == 'E')) {
        p->pos++;
        if (p->pos < p->len && (p->s[p->pos] == '+' || p->s[p->pos] == '-')) p->pos++;
        if (p->pos >= p->len || !is_digit(p->s[p->pos])) return fail_at(p, "a digit in the exponent");
        while (p->pos < p->len && is_digit(p->s[p->pos])) p->pos++;
    }
    if (p->pos - start > 4096) return serve_fail(p->e, 400, "a JSON number at byte %zu is over 4096 characters", start);
    v->kind = JV_NUMBER;
    v->text = p->s + start;
    v->len = (uint32_t)(p->pos - start);
    return true;
}

static bool literal(parser *p, const char *word, serve_jv *v, serve_jkind kind) {
    size_t n = strlen(word);
    if (p->len - p->pos < n || memcmp(p->s + p->pos, word, n) != 0) return fail_at(p, "a JSON value");
    p->pos += n;
    v->kind = kind;
    return true;
}

static bool parse_value(parser *p, serve_jv *v, int depth);

static serve_jv *node_or_fail(parser *p) {
    serve_jv *n = new_node();
    if (!n) {
        if (tls_arena.total >= SERVE_JSON_MAX_VALUES)
            serve_fail(p->e, 413, "the JSON body holds more than %u values; send large tensors with the "
                       "binary tensor data extension", SERVE_JSON_MAX_VALUES);
        else
            serve_fail(p->e, 500, "out of memory reading the JSON body");
    }
    return n;
}

static bool parse_array(parser *p, serve_jv *v, int depth) {
    v->kind = JV_ARRAY;
    p->pos++;
    skip_ws(p);
    if (p->pos < p->len && p->s[p->pos] == ']') {
        p->pos++;
        return true;
    }
    serve_jv **tail = &v->child;
    for (;;) {
        serve_jv *m = node_or_fail(p);
        if (!m) return false;
        skip_ws(p);
        if (!parse_value(p, m, depth + 1)) return false;
        *tail = m;
        tail = &m->next;
        v->len++;
        skip_ws(p);
        if (p->pos < p->len && p->s[p->pos] == ',') {
            p->pos++;
            continue;
        }
        if (p->pos < p->len && p->s[p->pos] == ']') {
            p->pos++;
            return true;
        }
        return fail_at(p, "',' or ']'");
    }
}

static bool parse_object(parser *p, serve_jv *v, int depth) {
    v->kind = JV_OBJECT;
    p->pos++;
    skip_ws(p);
    if (p->pos < p->len && p->s[p->pos] == '}') {
        p->pos++;
        return true;
    }
    serve_jv **tail = &v->child;
    for (;;) {
        skip_ws(p);
        if (p->pos >= p->len || p->s[p->pos] != '"') return fail_at(p, "'\"' starting a member name");
        serve_jv *m = node_or_fail(p);
        if (!m) return false;
        if (!scan_string(p, &m->key, &m->key_len, &m->key_escaped)) return false;
        skip_ws(p);
        if (p->pos >= p->len || p->s[p->pos] != ':') return fail_at(p, "':' after a member name");
        p->pos++;
        skip_ws(p);
        if (!parse_value(p, m, depth + 1)) return false;
        *tail = m;
        tail = &m->next;
        v->len++;
        skip_ws(p);
        if (p->pos < p->len && p->s[p->pos] == ',') {
            p->pos++;
            continue;
        }
        if (p->pos < p->len && p->s[p->pos] == '}') {
            p->pos++;
            return true;
        }
        return fail_at(p, "',' or '}'");
    }
}

static bool parse_value(parser *p, serve_jv *v, int depth) {
    if (depth > SERVE_JSON_MAX_DEPTH)
        return serve_fail(p->e, 400, "malformed JSON at byte %zu: nested deeper than %d levels", p->pos,
                          SERVE_JSON_MAX_DEPTH);
    if (p->pos >= p->len) return fail_at(p, "a JSON value");
    char c = p->s[p->pos];
    switch (c) {
    case '{': return parse_object(p, v, depth);
    case '[': return parse_array(p, v, depth);
    case '"':
        v->kind = JV_STRING;
        return scan_string(p, &v->text, &v->len, &v->escaped);
    case 't': return literal(p, "true", v, JV_TRUE);
    case 'f': return literal(p, "false", v, JV_FALSE);
    case 'n': return literal(p, "null", v, JV_NULL);
    default:
        if (c == '-' || is_digit(c)) return scan_number(p, v);
        return fail_at(p, "a JSON value");
    }
}

bool serve_json_parse(const char *text, size_t len, serve_jv **out, serve_error *e) {
    *out = NULL;
    parser p = {text, len, 0, e};
    serve_jv *root = node_or_fail(&p);
    if (!root) return false;
    skip_ws(&p);
    if (p.pos >= p.len) return serve_fail(e, 400, "the request body is empty; expected a JSON object");
    if (!parse_value(&p, root, 0)) return false;
    skip_ws(&p);
    if (p.pos != p.len) return fail_at(&p, "the end of the body after the JSON value");
    *out = root;
    return true;
}

/* ---- decoding strings ---- */

static unsigned hex4(const char *s) {
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        v = v * 16 + (unsigned)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
    }
    return v;
}

static size_t put_utf8(char *d, unsigned cp) {
    if (cp < 0x80) return d[0] = (char)cp, 1;
    if (cp < 0x800) return d[0] = (char)(0xC0 | cp >> 6), d[1] = (char)(0x80 | (cp & 63)), 2;
    if (cp < 0x10000) {
        d[0] = (char)(0xE0 | cp >> 12);
        d[1] = (char)(0x80 | ((cp >> 6) & 63));
        d[2] = (char)(0x80 | (cp & 63));
        return 3;
    }
    d[0] = (char)(0xF0 | cp >> 18);
    d[1] = (char)(0x80 | ((cp >> 12) & 63));
    d[2] = (char)(0x80 | ((cp >> 6) & 63));
    d[3] = (char)(0x80 | (cp & 63));
    return 4;
}

/* Decodes a validated string body; false when it does not fit `cap` (NUL included). */
static bool decode(const char *s, size_t n, bool escaped, char *buf, size_t cap, size_t *out_len) {
    if (!escaped) {
        if (n + 1 > cap) return false;
        memcpy(buf, s, n);
        buf[n] = 0;
        if (out_len) *out_len = n;
        return true;
    }
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        char tmp[4];
        size_t k;
        if (s[i] != '\\') {
            tmp[0] = s[i++];
            k = 1;
        } else {
            char x = s[i + 1];
            i += 2;
            switch (x) {
            case 'b': tmp[0] = '\b', k = 1; break;
            case 'f': tmp[0] = '\f', k = 1; break;
            case 'n': tmp[0] = '\n', k = 1; break;
            case 'r': tmp[0] = '\r', k = 1; break;
            case 't': tmp[0] = '\t', k = 1; break;
            case 'u': {
                unsigned cp = hex4(s + i);
                i += 4;
                if (cp >= 0xD800 && cp < 0xDC00 && i + 6 <= n && s[i] == '\\' && s[i + 1] == 'u') {
                    unsigned lo = hex4(s + i + 2);
                    if (lo >= 0xDC00 && lo < 0xE000) {
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                        i += 6;
                    }
                }
                if (cp >= 0xD800 && cp < 0xE000) cp = 0xFFFD;   /* lone surrogate */
                k = put_utf8(tmp, cp);
                break;
            }
            default: tmp[0] = x, k = 1; break;   /* " \ / */
            }
        }
        if (o + k + 1 > cap) return false;
        memcpy(buf + o, tmp, k);
        o += k;
    }
    buf[o] = 0;
    if (out_len) *out_len = o;
    return true;
}

bool serve_jv_string_copy(const serve_jv *v, char *buf, size_t cap, size_t *out_len) {
    if (!v || v->kind != JV_STRING || cap == 0) return false;
    return decode(v->text, v->len, v->escaped, buf, cap, out_len);
}

void serve_jv_key_copy(const serve_jv *v, char *buf, size_t cap) {
    if (!cap) return;
    buf[0] = 0;
    if (!v || !v->key) return;
    if (!decode(v->key, v->key_len, v->key_escaped, buf, cap, NULL)) {
        size_t n = v->key_len < cap - 1 ? v->key_len : cap - 1;
        memcpy(buf, v->key, n);
        buf[n] = 0;
    }
}

static bool text_is(const char *t, size_t n, bool escaped, const char *s) {
    size_t sl = strlen(s);
    if (!escaped) return n == sl && memcmp(t, s, n) == 0;
    char tmp[512];
    size_t got;
    if (!decode(t, n, true, tmp, sizeof tmp, &got)) return false;
    return got == sl && memcmp(tmp, s, sl) == 0;
}

const serve_jv *serve_jv_get(const serve_jv *obj, const char *key) {
    if (!obj || obj->kind != JV_OBJECT) return NULL;
    const serve_jv *found = NULL;
    for (const serve_jv *m = obj->child; m; m = m->next)
        if (text_is(m->key, m->key_len, m->key_escaped, key)) found = m;   /* the last one wins */
    return found;
}

bool serve_jv_string_is(const serve_jv *v, const char *s) {
    return v && v->kind == JV_STRING && text_is(v->text, v->len, v->escaped, s);
}

const char *serve_jkind_name(serve_jkind k) {
    switch (k) {
    case JV_NULL: return "null";
    case JV_FALSE: return "false";
    case JV_TRUE: return "true";
    case JV_NUMBER: return "a number";
    case JV_STRING: return "a string";
    case JV_ARRAY: return "an array";
    case JV_OBJECT: return "an object";
    }
    return "?";
}

bool serve_jv_int64(const serve_jv *v, int64_t *out) {
    return v && v->kind == JV_NUMBER && serve_number_i64(v->text, v->len, out);
}

bool serve_jv_bool(const serve_jv *v, bool *out) {
    if (!v || (v->kind != JV_TRUE && v->kind != JV_FALSE)) return false;
    *out = v->kind == JV_TRUE;
    return true;
}
