/* json.c — parses JSON text with cJSON behind a size limit and exposes read-only accessors
 * (fmt/json.h). It knows nothing about Keras. It must never read outside the caller's buffer (cJSON
 * is always given an explicit length) and never hand out mutable cJSON nodes.
 *
 * cJSON allocates with its own global hooks (malloc); we leave them alone because changing them
 * would be process-wide mutable state. Nesting depth is bounded by cJSON's CJSON_NESTING_LIMIT. */
#include "fmt/json.h"

#include <cJSON.h>
#include <math.h>

#define FROST_JSON_DEFAULT_MAX ((size_t)64 << 20)

static const cJSON *as_c(const frost__json *v) { return (const cJSON *)(const void *)v; }
static const frost__json *as_j(const cJSON *c) { return (const frost__json *)(const void *)c; }

frost_status frost__json_parse(const char *text, size_t len, size_t max_bytes, const char *what,
                               frost__json **out, frost_error *err) {
    *out = NULL;
    if (!what) what = "JSON";
    if (!max_bytes) max_bytes = FROST_JSON_DEFAULT_MAX;
    if (!text) return frost__fail(err, FROST_E_INVALID_ARG, NULL, NULL, -1, "%s: no text", what);
    if (len > max_bytes)
        return frost__fail(err, FROST_E_LIMIT, NULL, NULL, -1,
                           "%s is %zu bytes, over the %zu-byte limit for JSON documents", what, len,
                           max_bytes);
    /* A NUL inside the text would make cJSON stop early and accept a truncated prefix; trailing
     * NULs (padding) are fine. */
    const char *nul = memchr(text, 0, len);
    if (nul) {
        size_t at = (size_t)(nul - text);
        for (size_t i = at; i < len; i++)
            if (text[i])
                return frost__fail(err, FROST_E_FORMAT, NULL, NULL, (int64_t)at,
                                   "%s: NUL byte inside the JSON text at offset %zu", what, at);
        len = at;
    }
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(text, len, &end, false);
    if (!root) {
        int64_t off = end && end >= text && end <= text + len ? (int64_t)(end - text) : -1;
        return frost__fail(err, FROST_E_FORMAT, NULL, NULL, off,
                           "%s is not valid JSON (near byte %lld)", what, (long long)off);
    }
    *out = (frost__json *)(void *)root;
    return FROST_OK;
}

void frost__json_free(frost__json *root) {
    if (root) cJSON_Delete((cJSON *)(void *)root);
}

bool frost__json_is_object(const frost__json *v) { return v && cJSON_IsObject(as_c(v)); }
bool frost__json_is_array(const frost__json *v) { return v && cJSON_IsArray(as_c(v)); }
bool frost__json_is_string(const frost__json *v) { return v && cJSON_IsString(as_c(v)); }
bool frost__json_is_number(const frost__json *v) { return v && cJSON_IsNumber(as_c(v)); }
bool frost__json_is_bool(const frost__json *v) { return v && cJSON_IsBool(as_c(v)); }
bool frost__json_is_null(const frost__json *v) { return !v || cJSON_IsNull(as_c(v)); }

const frost__json *frost__json_get(const frost__json *obj, const char *key) {
    if (!frost__json_is_object(obj) || !key) return NULL;
    return as_j(cJSON_GetObjectItemCaseSensitive(as_c(obj), key));
}

int frost__json_len(const frost__json *v) {
    if (!v || !(cJSON_IsArray(as_c(v)) || cJSON_IsObject(as_c(v)))) return 0;
    int n = 0;
    for (const cJSON *c = as_c(v)->child; c && n < INT32_MAX; c = c->next) n++;
    return n;
}

const frost__json *frost__json_at(const frost__json *v, int i) {
    if (!v || i < 0 || !(cJSON_IsArray(as_c(v)) || cJSON_IsObject(as_c(v)))) return NULL;
    const cJSON *c = as_c(v)->child;
    while (c && i-- > 0) c = c->next;
    return as_j(c);
}

const frost__json *frost__json_first(const frost__json *v) {
    if (!v || !(cJSON_IsArray(as_c(v)) || cJSON_IsObject(as_c(v)))) return NULL;
    return as_j(as_c(v)->child);
}

const frost__json *frost__json_next(const frost__json *element) {
    return element ? as_j(as_c(element)->next) : NULL;
}

const char *frost__json_key(const frost__json *member) {
    return member ? as_c(member)->string : NULL;
}

const char *frost__json_str(const frost__json *v) {
    return frost__json_is_string(v) ? as_c(v)->valuestring : NULL;
}

const char *frost__json_get_str(const frost__json *obj, const char *key) {
    return frost__json_str(frost__json_get(obj, key));
}

bool frost__json_num(const frost__json *v, double *out) {
    if (!frost__json_is_number(v)) return false;
    double d = as_c(v)->valuedouble;
    if (!isfinite(d)) return false;
    *out = d;
    return true;
}

bool frost__json_int(const frost__json *v, int64_t *out) {
    double d;
    if (!frost__json_num(v, &d)) return false;
    if (d != floor(d) || d < -4.6e18 || d > 4.6e18) return false;
    *out = (int64_t)d;
    return true;
}

bool frost__json_bool(const frost__json *v, bool *out) {
    if (!frost__json_is_bool(v)) return false;
    *out = cJSON_IsTrue(as_c(v));
    return true;
}

bool frost__json_get_bool(const frost__json *obj, const char *key, bool dflt) {
    const frost__json *v = frost__json_get(obj, key);
    if (frost__json_is_bool(v)) return cJSON_IsTrue(as_c(v));
    double d;
    if (frost__json_num(v, &d)) return d != 0;
    return dflt;
}

bool frost__json_get_num(const frost__json *obj, const char *key, double dflt, double *out) {
    *out = dflt;
    const frost__json *v = frost__json_get(obj, key);
    if (frost__json_is_null(v)) return true;
    return frost__json_num(v, out);
}
