/* tensor_json.c — tensors as JSON: datatype names of both protocols, the shape of nested arrays,
 * reading array leaves straight into a typed buffer (the session's input), and writing outputs as
 * flat or nested arrays. Values are never converted across kinds silently: a string, a fraction
 * for an integer type, or a number out of the type's range is an error naming the element. Floats
 * that JSON cannot carry (NaN, infinities) are written as null. */
#include "serve.h"

#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static const struct {
    frost_dtype t;
    const char *oip, *tf;
} dtype_names[] = {
    {FROST_DTYPE_BOOL, "BOOL", "DT_BOOL"},     {FROST_DTYPE_U8, "UINT8", "DT_UINT8"},
    {FROST_DTYPE_U16, "UINT16", "DT_UINT16"},  {FROST_DTYPE_U32, "UINT32", "DT_UINT32"},
    {FROST_DTYPE_U64, "UINT64", "DT_UINT64"},  {FROST_DTYPE_I8, "INT8", "DT_INT8"},
    {FROST_DTYPE_I16, "INT16", "DT_INT16"},    {FROST_DTYPE_I32, "INT32", "DT_INT32"},
    {FROST_DTYPE_I64, "INT64", "DT_INT64"},    {FROST_DTYPE_F16, "FP16", "DT_HALF"},
    {FROST_DTYPE_BF16, "BF16", "DT_BFLOAT16"}, {FROST_DTYPE_F32, "FP32", "DT_FLOAT"},
    {FROST_DTYPE_F64, "FP64", "DT_DOUBLE"},    {FROST_DTYPE_STRING, "BYTES", "DT_STRING"},
};
#define N_DTYPES (sizeof dtype_names / sizeof dtype_names[0])

const char *serve_oip_dtype_name(frost_dtype t) {
    for (size_t i = 0; i < N_DTYPES; i++)
        if (dtype_names[i].t == t) return dtype_names[i].oip;
    return "INVALID";
}

const char *serve_tf_dtype_name(frost_dtype t) {
    for (size_t i = 0; i < N_DTYPES; i++)
        if (dtype_names[i].t == t) return dtype_names[i].tf;
    return "DT_INVALID";
}

frost_dtype serve_oip_dtype_parse(const char *name, size_t len) {
    for (size_t i = 0; i < N_DTYPES; i++)
        if (strlen(dtype_names[i].oip) == len && memcmp(dtype_names[i].oip, name, len) == 0)
            return dtype_names[i].t;
    return FROST_DTYPE_INVALID;
}

bool serve_json_dtype_ok(frost_dtype t) {
    return t != FROST_DTYPE_F16 && t != FROST_DTYPE_BF16 && t != FROST_DTYPE_STRING &&
           t != FROST_DTYPE_INVALID && t < FROST_DTYPE_COUNT;
}

bool serve_json_shape(const serve_jv *v, int *rank, int64_t *dims, const char *what, serve_error *e) {
    int r = 0;
    const serve_jv *c = v;
    while (c && c->kind == JV_ARRAY) {
        if (r == FROST_MAX_RANK)
            return serve_fail(e, 400, "%s: arrays nested deeper than %d levels", what, FROST_MAX_RANK);
        dims[r++] = c->len;
        c = c->child;   /* an empty array ends the descent: its dimension is 0 */
    }
    *rank = r;
    if (r == 0) return true;
    /* Every array at depth k must have dims[k] members; leaves only at depth r. Walk with an
     * explicit stack (depth <= FROST_MAX_RANK). */
    int64_t index[FROST_MAX_RANK + 1];
    const serve_jv *cur[FROST_MAX_RANK + 1];
    int depth = 0;
    index[0] = 0;
    cur[0] = v->child;
    while (depth >= 0) {
        const serve_jv *m = cur[depth];
        if (!m) {
            depth--;
            continue;
        }
        cur[depth] = m->next;
        index[depth]++;
        if (depth + 1 < r) {
            if (m->kind != JV_ARRAY || m->len != (uint32_t)dims[depth + 1])
                return serve_fail(e, 400,
                                  "%s: ragged nested arrays: item %" PRId64 " at depth %d is %s of "
                                  "%u where the first had %" PRId64,
                                  what, index[depth] - 1, depth + 1,
                                  m->kind == JV_ARRAY ? "an array" : serve_jkind_name(m->kind),
                                  m->kind == JV_ARRAY ? m->len : 0, dims[depth + 1]);
            depth++;
            index[depth] = 0;
            cur[depth] = m->child;
        } else if (m->kind == JV_ARRAY) {
            return serve_fail(e, 400, "%s: ragged nested arrays: an array where a value was expected "
                              "at depth %d", what, depth + 1);
        }
    }
    return true;
}

/* ---- reading leaves ---- */

typedef struct decoder {
    frost_dtype t;
    unsigned char *dst;
    int64_t count, n;
    const char *what;
    serve_error *e;
} decoder;

static bool leaf_error(decoder *d, const serve_jv *v, const char *why) {
    char text[48] = "";
    if (v->kind == JV_NUMBER) {
        size_t n = v->len < sizeof text - 4 ? v->len : sizeof text - 4;
        memcpy(text, v->text, n);
        if (n < v->len) memcpy(text + n, "...", 4);
        else text[n] = 0;
        return serve_fail(d->e, 400, "%s: element %" PRId64 " (%s) %s %s", d->what, d->n, text, why,
                          serve_oip_dtype_name(d->t));
    }
    return serve_fail(d->e, 400, "%s: element %" PRId64 " is %s, expected %s for %s", d->what, d->n,
                      serve_jkind_name(v->kind), d->t == FROST_DTYPE_BOOL ? "true or false" : "a number",
                      serve_oip_dtype_name(d->t));
}

static bool put_leaf(decoder *d, const serve_jv *v) {
    if (d->n >= d->count)
        return serve_fail(d->e, 400, "%s: more than the %" PRId64 " elements its shape holds", d->what,
                          d->count);
    frost_dtype t = d->t;
    if (t == FROST_DTYPE_BOOL) {
        if (v->kind != JV_TRUE && v->kind != JV_FALSE) return leaf_error(d, v, NULL);
        d->dst[d->n++] = v->kind == JV_TRUE;
        return true;
    }
    if (v->kind != JV_NUMBER) return leaf_error(d, v, NULL);
    size_t es = frost_dtype_size(t);
    void *p = d->dst + (size_t)d->n * es;
    if (t == FROST_DTYPE_F32) {
        float f;
        if (!serve_number_f32(v->text, v->len, &f)) return leaf_error(d, v, "is out of range for");
        memcpy(p, &f, 4);
    } else if (t == FROST_DTYPE_F64) {
        double x;
        if (!serve_number_f64(v->text, v->len, &x)) return leaf_error(d, v, "is out of range for");
        memcpy(p, &x, 8);
    } else if (t == FROST_DTYPE_U64) {
        uint64_t u;
        if (!serve_number_u64(v->text, v->len, &u))
            return leaf_error(d, v, "is not an integer in range for");
        memcpy(p, &u, 8);
    } else {
        int64_t i;
        if (!serve_number_i64(v->text, v->len, &i))
            return leaf_error(d, v, "is not an integer in range for");
        int64_t lo, hi;
        switch (t) {
        case FROST_DTYPE_I8: lo = INT8_MIN, hi = INT8_MAX; break;
        case FROST_DTYPE_I16: lo = INT16_MIN, hi = INT16_MAX; break;
        case FROST_DTYPE_I32: lo = INT32_MIN, hi = INT32_MAX; break;
        case FROST_DTYPE_I64: lo = INT64_MIN, hi = INT64_MAX; break;
        case FROST_DTYPE_U8: lo = 0, hi = UINT8_MAX; break;
        case FROST_DTYPE_U16: lo = 0, hi = UINT16_MAX; break;
        case FROST_DTYPE_U32: lo = 0, hi = UINT32_MAX; break;
        default: return serve_fail(d->e, 400, "%s: datatype %s cannot be sent as JSON", d->what,
                                   serve_oip_dtype_name(t));
        }
        if (i < lo || i > hi) return leaf_error(d, v, "is out of range for");
        switch (es) {
        case 1: { int8_t x = (int8_t)(uint8_t)i; memcpy(p, &x, 1); break; }
        case 2: { int16_t x = (int16_t)(uint16_t)i; memcpy(p, &x, 2); break; }
        case 4: { int32_t x = (int32_t)(uint32_t)i; memcpy(p, &x, 4); break; }
        default: memcpy(p, &i, 8); break;
        }
    }
    d->n++;
    return true;
}

static bool walk(decoder *d, const serve_jv *v, int depth) {
    if (v->kind != JV_ARRAY) return put_leaf(d, v);
    if (depth >= FROST_MAX_RANK)
        return serve_fail(d->e, 400, "%s: arrays nested deeper than %d levels", d->what, FROST_MAX_RANK);
    for (const serve_jv *m = v->child; m; m = m->next)
        if (!walk(d, m, depth + 1)) return false;
    return true;
}

bool serve_json_decode(const serve_jv *v, frost_dtype t, void *dst, int64_t count, const char *what,
                       serve_error *e) {
    if (!serve_json_dtype_ok(t))
        return serve_fail(e, 400, "%s: datatype %s cannot be sent as JSON numbers; use the binary "
                          "tensor data extension", what, serve_oip_dtype_name(t));
    decoder d = {t, dst, count, 0, what, e};
    /* The hot case, a flat array of numbers into f32, without the generic walk. */
    if (t == FROST_DTYPE_F32 && v->kind == JV_ARRAY) {
        float *f = dst;
        const serve_jv *m = v->child;
        for (; m && m->kind == JV_NUMBER && d.n < count; m = m->next, d.n++)
            if (!serve_number_f32(m->text, m->len, &f[d.n])) return leaf_error(&d, m, "is out of range for");
        if (!m && d.n == count) return true;
        for (; m; m = m->next)
            if (!walk(&d, m, 1)) return false;
    } else if (!walk(&d, v, 0)) {
        return false;
    }
    if (d.n != count)
        return serve_fail(e, 400, "%s: %" PRId64 " elements given, its shape holds %" PRId64, what, d.n,
                          count);
    return true;
}

/* ---- writing ---- */

void serve_json_encode_element(serve_buf *b, frost_dtype t, const void *data, int64_t i) {
    char tmp[40];
    int n = 0;
    const unsigned char *p = (const unsigned char *)data;
    switch (t) {
    case FROST_DTYPE_F32: {
        float f;
        memcpy(&f, p + i * 4, 4);
        if (!isfinite(f)) {
            serve_buf_put(b, "null", 4);
            return;
        }
        n = snprintf(tmp, sizeof tmp, "%.9g", (double)f);
        break;
    }
    case FROST_DTYPE_F64: {
        double x;
        memcpy(&x, p + i * 8, 8);
        if (!isfinite(x)) {
            serve_buf_put(b, "null", 4);
            return;
        }
        n = snprintf(tmp, sizeof tmp, "%.17g", x);
        break;
    }
    case FROST_DTYPE_BOOL: serve_buf_puts(b, p[i] ? "true" : "false"); return;
    case FROST_DTYPE_I8: n = snprintf(tmp, sizeof tmp, "%d", (int)((const int8_t *)data)[i]); break;
    case FROST_DTYPE_U8: n = snprintf(tmp, sizeof tmp, "%u", (unsigned)p[i]); break;
    case FROST_DTYPE_I16: { int16_t x; memcpy(&x, p + i * 2, 2); n = snprintf(tmp, sizeof tmp, "%d", x); break; }
    case FROST_DTYPE_U16: { uint16_t x; memcpy(&x, p + i * 2, 2); n = snprintf(tmp, sizeof tmp, "%u", x); break; }
    case FROST_DTYPE_I32: { int32_t x; memcpy(&x, p + i * 4, 4); n = snprintf(tmp, sizeof tmp, "%" PRId32, x); break; }
    case FROST_DTYPE_U32: { uint32_t x; memcpy(&x, p + i * 4, 4); n = snprintf(tmp, sizeof tmp, "%" PRIu32, x); break; }
    case FROST_DTYPE_I64: { int64_t x; memcpy(&x, p + i * 8, 8); n = snprintf(tmp, sizeof tmp, "%" PRId64, x); break; }
    case FROST_DTYPE_U64: { uint64_t x; memcpy(&x, p + i * 8, 8); n = snprintf(tmp, sizeof tmp, "%" PRIu64, x); break; }
    default: serve_buf_put(b, "null", 4); return;   /* F16/BF16 outputs are sent binary (oip.c) */
    }
    if (n > 0) serve_buf_put(b, tmp, (size_t)n);
}

void serve_json_encode_flat(serve_buf *b, frost_dtype t, const void *data, int64_t count) {
    serve_buf_reserve(b, (size_t)count * 12 + 2);
    serve_buf_put(b, "[", 1);
    for (int64_t i = 0; i < count; i++) {
        if (i) serve_buf_put(b, ",", 1);
        serve_json_encode_element(b, t, data, i);
    }
    serve_buf_put(b, "]", 1);
}

static void nested(serve_buf *b, frost_dtype t, const void *data, int rank, const int64_t *dims,
                   int depth, int64_t *next) {
    if (depth == rank) {
        serve_json_encode_element(b, t, data, (*next)++);
        return;
    }
    serve_buf_put(b, "[", 1);
    for (int64_t i = 0; i < dims[depth]; i++) {
        if (i) serve_buf_put(b, ",", 1);
        nested(b, t, data, rank, dims, depth + 1, next);
    }
    serve_buf_put(b, "]", 1);
}

void serve_json_encode_nested(serve_buf *b, frost_dtype t, const void *data, int rank,
                              const int64_t *dims) {
    int64_t next = 0;
    nested(b, t, data, rank, dims, 0, &next);
}
