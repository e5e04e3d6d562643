/* tf_json.c — GraphDef, NodeDef, AttrValue, TensorProto and TensorShapeProto in protobuf's JSON
 * encoding (what TF.js graph models hold in modelTopology) -> the protobuf-c structs the GraphDef
 * importer reads. The JSON mapping: lowerCamelCase field names (the proto names are accepted too),
 * int64 as strings or numbers, floats as numbers or "NaN"/"Infinity"/"-Infinity", bytes (string
 * attributes, tensor_content) as base64, enums by name or number, a oneof as the one key present.
 *
 * Every structure is allocated from the graph's allocator and released with
 * protobuf_c_message_free_unpacked, so a failure half-way leaks nothing. It must never trust the
 * document: every value is type-checked, list lengths are bounded by max_attr_len and the node
 * count by max_nodes before anything is allocated for them, and a malformed value fails with
 * FROST_E_FORMAT naming the node and attribute. It knows no op semantics. */
#include "import/tf/tf_json.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* ==== Allocation ============================================================================= */

void *frost__tf_json_alloc(frost__graph *g, size_t bytes) {
    return frost__alloc(&g->alloc, bytes ? bytes : 1);
}

static void *pb_alloc(void *user, size_t size) { return frost__tf_json_alloc(user, size); }
static void pb_free(void *user, void *p) {
    frost__graph *g = user;
    frost__free(&g->alloc, p);
}

void frost__tf_json_free(frost__graph *g, void *message) {
    if (!message) return;
    ProtobufCAllocator pa = {pb_alloc, pb_free, g};
    protobuf_c_message_free_unpacked(message, &pa);
}

static frost_status oom(frost__tf_json *c) {
    return frost__fail(c->err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory reading %s", c->what);
}

/* Zeroed array of n elements (at least one byte), NULL on OOM. */
static void *zalloc(frost__tf_json *c, size_t n, size_t elem) {
    size_t bytes;
    if (!frost__size_mul_ok(n, elem, &bytes)) return NULL;
    void *p = frost__tf_json_alloc(c->g, bytes);
    if (p) memset(p, 0, bytes ? bytes : 1);
    return p;
}

static char *dup_str(frost__tf_json *c, const char *s) {
    size_t n = strlen(s);
    char *p = frost__tf_json_alloc(c->g, n + 1);
    if (p) memcpy(p, s, n + 1);
    return p;
}

static frost_status bad(frost__tf_json *c, const char *where, const char *fmt, ...) FROST_PRINTF(3, 4);
static frost_status bad(frost__tf_json *c, const char *where, const char *fmt, ...) {
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return frost__fail(c->err, FROST_E_FORMAT, NULL, NULL, -1, "%s: %s: %s", c->what, where, msg);
}

static int64_t max_list(const frost__tf_json *c) {
    return c->g->max_attr_len > 0 ? c->g->max_attr_len : 1000000;
}

/* An array's length, checked against max_attr_len; -1 (with err) when over. */
static frost_status list_len(frost__tf_json *c, const frost__json *a, const char *where,
                             const char *key, size_t *n) {
    *n = 0;
    if (frost__json_is_null(a)) return FROST_OK;
    if (!frost__json_is_array(a)) return bad(c, where, "'%s' is not a list", key);
    int len = frost__json_len(a);
    if ((int64_t)len > max_list(c))
        return frost__fail(c->err, FROST_E_LIMIT, NULL, NULL, -1,
                           "%s: %s: '%s' lists %d entries, over the limit of %lld (max_attr_len)",
                           c->what, where, key, len, (long long)max_list(c));
    *n = (size_t)len;
    return FROST_OK;
}

/* A member by its JSON name, or by its proto name (tensor_shape) when that one is absent. */
static const frost__json *member(const frost__json *obj, const char *json_name,
                                 const char *proto_name) {
    const frost__json *v = frost__json_get(obj, json_name);
    if (!v && proto_name) v = frost__json_get(obj, proto_name);
    return v;
}

/* ==== Scalars ================================================================================ */

/* int64: a JSON integer or a decimal string ("-12"). */
static bool read_i64(const frost__json *v, int64_t *out) {
    if (frost__json_int(v, out)) return true;
    const char *s = frost__json_str(v);
    if (!s || !*s) return false;
    const char *p = s + (*s == '-' || *s == '+');
    if (!*p) return false;
    for (const char *q = p; *q; q++)
        if (*q < '0' || *q > '9') return false;
    errno = 0;
    long long x = strtoll(s, NULL, 10);
    if (errno == ERANGE) return false;
    *out = (int64_t)x;
    return true;
}

static bool read_u64(const frost__json *v, uint64_t *out) {
    int64_t i;
    const char *s = frost__json_str(v);
    if (s && *s >= '0' && *s <= '9') {
        for (const char *q = s; *q; q++)
            if (*q < '0' || *q > '9') return false;
        errno = 0;
        unsigned long long x = strtoull(s, NULL, 10);
        if (errno == ERANGE) return false;
        *out = (uint64_t)x;
        return true;
    }
    if (!read_i64(v, &i) || i < 0) return false;
    *out = (uint64_t)i;
    return true;
}

/* float/double: a JSON number, "NaN", "Infinity", "-Infinity" or a numeric string. */
static bool read_f64(const frost__json *v, double *out) {
    if (frost__json_num(v, out)) return true;
    const char *s = frost__json_str(v);
    if (!s || !*s) return false;
    if (!strcmp(s, "NaN")) *out = NAN;
    else if (!strcmp(s, "Infinity")) *out = INFINITY;
    else if (!strcmp(s, "-Infinity")) *out = -INFINITY;
    else {
        char *end = NULL;
        *out = strtod(s, &end);
        if (!end || *end) return false;
    }
    return true;
}

/* DataType by name ("DT_FLOAT", "DT_FLOAT_REF") or number; false when neither. */
static bool read_dtype(const frost__tf_json *c, const frost__json *v, int *out) {
    int64_t i;
    const char *s = frost__json_str(v);
    if (s) {
        char base[64];
        size_t n = strlen(s);
        bool ref = n > 4 && n < sizeof base && !strcmp(s + n - 4, "_REF");
        snprintf(base, sizeof base, "%.*s", (int)(ref ? n - 4 : n), s);
        const ProtobufCEnumValue *e =
            protobuf_c_enum_descriptor_get_value_by_name(&frost_tf__data_type__descriptor, base);
        /* A name frost's schema does not list (DT_VARIANT's siblings...) stays DT_INVALID: an op
         * using it is then reported as unsupported, not as a broken file. */
        i = e ? e->value : 0;
        if (e && ref) i += 100;
    } else if (!frost__json_int(v, &i) || i < 0 || i > 300) {
        return false;
    }
    int t = (int)i;
    if (c->tfjs_dtypes) {
        int base_t = t > 100 && t < 200 ? t - 100 : t;
        switch (base_t) {
        case FROST_TF__DATA_TYPE__DT_HALF:
        case FROST_TF__DATA_TYPE__DT_DOUBLE: t = FROST_TF__DATA_TYPE__DT_FLOAT; break;
        case FROST_TF__DATA_TYPE__DT_INT8:
        case FROST_TF__DATA_TYPE__DT_UINT8:
        case FROST_TF__DATA_TYPE__DT_INT64: t = FROST_TF__DATA_TYPE__DT_INT32; break;
        default: break;
        }
    }
    *out = t;
    return true;
}

/* ==== Base64 (standard or URL-safe alphabet, padding optional) =============================== */

static int b64_digit(unsigned char ch) {
    if (ch >= 'A' && ch <= 'Z') return ch - 'A';
    if (ch >= 'a' && ch <= 'z') return ch - 'a' + 26;
    if (ch >= '0' && ch <= '9') return ch - '0' + 52;
    if (ch == '+' || ch == '-') return 62;
    if (ch == '/' || ch == '_') return 63;
    return -1;
}

static frost_status read_bytes(frost__tf_json *c, const frost__json *v, const char *where,
                               const char *key, ProtobufCBinaryData *out) {
    out->data = NULL;
    out->len = 0;
    const char *s = frost__json_str(v);
    if (!s) return bad(c, where, "'%s' is not a base64 string", key);
    size_t n = strlen(s);
    while (n > 0 && s[n - 1] == '=') n--;
    if (n % 4 == 1) return bad(c, where, "'%s' is not valid base64 (length)", key);
    size_t len = n / 4 * 3 + (n % 4 ? n % 4 - 1 : 0);
    if (len == 0) return FROST_OK;
    uint8_t *p = frost__tf_json_alloc(c->g, len);
    if (!p) return oom(c);
    size_t at = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        int d = b64_digit((unsigned char)s[i]);
        if (d < 0) {
            frost__free(&c->g->alloc, p);
            return bad(c, where, "'%s' is not valid base64 (character %zu)", key, i);
        }
        acc = (acc << 6) | (uint32_t)d;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (at < len) p[at++] = (uint8_t)(acc >> bits);
        }
    }
    out->data = p;
    out->len = at;
    return FROST_OK;
}

/* ==== Shapes and tensors ===================================================================== */

static frost_status read_shape(frost__tf_json *c, const frost__json *j, const char *where,
                               FrostTf__TensorShapeProto **out) {
    *out = NULL;
    if (!frost__json_is_object(j)) return bad(c, where, "a shape is not an object");
    FrostTf__TensorShapeProto *sp = zalloc(c, 1, sizeof *sp);
    if (!sp) return oom(c);
    frost_tf__tensor_shape_proto__init(sp);
    *out = sp;
    sp->unknown_rank = frost__json_get_bool(j, "unknownRank",
                                            frost__json_get_bool(j, "unknown_rank", false));
    const frost__json *dims = frost__json_get(j, "dim");
    size_t n;
    FROST_TRY(list_len(c, dims, where, "dim", &n));
    if (!n) return FROST_OK;
    sp->dim = zalloc(c, n, sizeof *sp->dim);
    if (!sp->dim) return oom(c);
    const frost__json *d = frost__json_first(dims);
    for (size_t i = 0; i < n; i++, d = frost__json_next(d)) {
        FrostTf__TensorShapeProto__Dim *dim = zalloc(c, 1, sizeof *dim);
        if (!dim) return oom(c);
        frost_tf__tensor_shape_proto__dim__init(dim);
        sp->dim[sp->n_dim++] = dim;
        if (!frost__json_is_object(d)) return bad(c, where, "shape dimension %zu is not an object", i);
        const frost__json *size = frost__json_get(d, "size");
        if (size && !read_i64(size, &dim->size))
            return bad(c, where, "shape dimension %zu has a size that is not an integer", i);
    }
    return FROST_OK;
}

static float half_to_float(uint16_t h) {
    int s = h >> 15, e = (h >> 10) & 31, m = h & 1023;
    float v;
    if (e == 0) v = ldexpf((float)m, -24);
    else if (e == 31) v = m ? NAN : INFINITY;
    else v = ldexpf((float)(m | 1024), e - 25);
    return s ? -v : v;
}

/* Reads a list of numbers into a fresh array of n elements of `elem` bytes. */
typedef bool (*store_fn)(const frost__json *v, void *dst);
static bool store_f32(const frost__json *v, void *dst) {
    double d;
    if (!read_f64(v, &d)) return false;
    *(float *)dst = (float)d;
    return true;
}
static bool store_f64(const frost__json *v, void *dst) { return read_f64(v, dst); }
static bool store_i32(const frost__json *v, void *dst) {
    int64_t i;
    if (!read_i64(v, &i) || i < INT32_MIN || i > (int64_t)UINT32_MAX) return false;
    *(int32_t *)dst = (int32_t)(uint32_t)i;
    return true;
}
static bool store_i64(const frost__json *v, void *dst) { return read_i64(v, dst); }
static bool store_u32(const frost__json *v, void *dst) {
    uint64_t u;
    if (!read_u64(v, &u) || u > UINT32_MAX) return false;
    *(uint32_t *)dst = (uint32_t)u;
    return true;
}
static bool store_u64(const frost__json *v, void *dst) { return read_u64(v, dst); }
static bool store_bool(const frost__json *v, void *dst) {
    bool b;
    int64_t i;
    if (frost__json_bool(v, &b)) *(protobuf_c_boolean *)dst = b;
    else if (read_i64(v, &i)) *(protobuf_c_boolean *)dst = i != 0;
    else return false;
    return true;
}

static frost_status read_numbers(frost__tf_json *c, const frost__json *obj, const char *json_name,
                                 const char *proto_name, const char *where, store_fn store,
                                 size_t elem, size_t *n_out, void **out) {
    const frost__json *a = member(obj, json_name, proto_name);
    size_t n;
    FROST_TRY(list_len(c, a, where, json_name, &n));
    *n_out = 0;
    *out = NULL;
    if (!n) return FROST_OK;
    unsigned char *p = zalloc(c, n, elem);
    if (!p) return oom(c);
    const frost__json *v = frost__json_first(a);
    for (size_t i = 0; i < n; i++, v = frost__json_next(v))
        if (!store(v, p + i * elem)) {
            frost__free(&c->g->alloc, p);
            return bad(c, where, "'%s' entry %zu is not a valid number", json_name, i);
        }
    *out = p;
    *n_out = n;
    return FROST_OK;
}

/* TF.js reads DT_DOUBLE/DT_HALF tensors as float32 and DT_INT8/DT_UINT8/DT_INT64 ones as int32:
 * converts the values a tensor holds (raw content or typed list) from `from` to the dtype TF.js
 * uses, so the constant has the dtype of the type attributes (also mapped) around it. */
static frost_status convert_tensor(frost__tf_json *c, FrostTf__TensorProto *tp, int from,
                                   const char *where) {
    int to = tp->dtype;
    size_t in_elem = from == FROST_TF__DATA_TYPE__DT_DOUBLE || from == FROST_TF__DATA_TYPE__DT_INT64
                         ? 8 : from == FROST_TF__DATA_TYPE__DT_HALF ? 2 : 1;
    if (tp->tensor_content.len) {
        if (tp->tensor_content.len % in_elem)
            return bad(c, where, "tensorContent holds %zu bytes, not a whole number of %s",
                       tp->tensor_content.len, frost__tf_dtype_name(from));
        size_t n = tp->tensor_content.len / in_elem;
        uint8_t *dst = zalloc(c, n, 4);
        if (!dst) return oom(c);
        const uint8_t *src = tp->tensor_content.data;
        for (size_t i = 0; i < n; i++) {
            const uint8_t *e = src + i * in_elem;
            float f = 0;
            int32_t k = 0;
            if (from == FROST_TF__DATA_TYPE__DT_DOUBLE) {
                double d;
                memcpy(&d, e, 8);
                f = (float)d;
            } else if (from == FROST_TF__DATA_TYPE__DT_HALF) {
                uint16_t h;
                memcpy(&h, e, 2);
                f = half_to_float(h);
            } else if (from == FROST_TF__DATA_TYPE__DT_INT64) {
                int64_t q;
                memcpy(&q, e, 8);
                k = (int32_t)(uint32_t)(uint64_t)q;
            } else if (from == FROST_TF__DATA_TYPE__DT_INT8) {
                k = (int8_t)e[0];
            } else {
                k = e[0];
            }
            memcpy(dst + 4 * i, to == FROST_TF__DATA_TYPE__DT_FLOAT ? (void *)&f : (void *)&k, 4);
        }
        frost__free(&c->g->alloc, tp->tensor_content.data);
        tp->tensor_content.data = dst;
        tp->tensor_content.len = n * 4;
    }
    /* Typed lists: doubles and halves become floats, int64s become int32s; int8/uint8 already
     * live in int_val. */
    if (from == FROST_TF__DATA_TYPE__DT_DOUBLE && tp->n_double_val && !tp->n_float_val) {
        tp->float_val = zalloc(c, tp->n_double_val, sizeof(float));
        if (!tp->float_val) return oom(c);
        for (size_t i = 0; i < tp->n_double_val; i++) tp->float_val[i] = (float)tp->double_val[i];
        tp->n_float_val = tp->n_double_val;
    } else if (from == FROST_TF__DATA_TYPE__DT_HALF && tp->n_half_val && !tp->n_float_val) {
        tp->float_val = zalloc(c, tp->n_half_val, sizeof(float));
        if (!tp->float_val) return oom(c);
        for (size_t i = 0; i < tp->n_half_val; i++)
            tp->float_val[i] = half_to_float((uint16_t)tp->half_val[i]);
        tp->n_float_val = tp->n_half_val;
    } else if (from == FROST_TF__DATA_TYPE__DT_INT64 && tp->n_int64_val && !tp->n_int_val) {
        tp->int_val = zalloc(c, tp->n_int64_val, sizeof(int32_t));
        if (!tp->int_val) return oom(c);
        for (size_t i = 0; i < tp->n_int64_val; i++)
            tp->int_val[i] = (int32_t)(uint32_t)(uint64_t)tp->int64_val[i];
        tp->n_int_val = tp->n_int64_val;
    }
    return FROST_OK;
}

static frost_status read_tensor(frost__tf_json *c, const frost__json *j, const char *where,
                                FrostTf__TensorProto **out) {
    *out = NULL;
    if (!frost__json_is_object(j)) return bad(c, where, "a tensor is not an object");
    FrostTf__TensorProto *tp = zalloc(c, 1, sizeof *tp);
    if (!tp) return oom(c);
    frost_tf__tensor_proto__init(tp);
    *out = tp;
    const frost__json *dt = frost__json_get(j, "dtype");
    int raw = 0, dtype = 0;
    if (dt) {
        frost__tf_json plain = *c;
        plain.tfjs_dtypes = false;
        if (!read_dtype(&plain, dt, &raw) || !read_dtype(c, dt, &dtype))
            return bad(c, where, "tensor dtype is not a DataType");
    }
    tp->dtype = (FrostTf__DataType)dtype;
    const frost__json *shape = member(j, "tensorShape", "tensor_shape");
    if (shape) FROST_TRY(read_shape(c, shape, where, &tp->tensor_shape));
    const frost__json *content = member(j, "tensorContent", "tensor_content");
    if (content) FROST_TRY(read_bytes(c, content, where, "tensorContent", &tp->tensor_content));
    void *p;
#define NUMBERS(json, proto, fn, field)                                                         \
    do {                                                                                        \
        FROST_TRY(read_numbers(c, j, json, proto, where, fn, sizeof *tp->field, &tp->n_##field, \
                               &p));                                                            \
        tp->field = p;                                                                          \
    } while (0)
    NUMBERS("halfVal", "half_val", store_i32, half_val);
    NUMBERS("floatVal", "float_val", store_f32, float_val);
    NUMBERS("doubleVal", "double_val", store_f64, double_val);
    NUMBERS("intVal", "int_val", store_i32, int_val);
    NUMBERS("int64Val", "int64_val", store_i64, int64_val);
    NUMBERS("boolVal", "bool_val", store_bool, bool_val);
    NUMBERS("uint32Val", "uint32_val", store_u32, uint32_val);
    NUMBERS("uint64Val", "uint64_val", store_u64, uint64_val);
#undef NUMBERS
    const frost__json *strings = member(j, "stringVal", "string_val");
    size_t n;
    FROST_TRY(list_len(c, strings, where, "stringVal", &n));
    if (n) {
        tp->string_val = zalloc(c, n, sizeof *tp->string_val);
        if (!tp->string_val) return oom(c);
        tp->n_string_val = n;
        const frost__json *s = frost__json_first(strings);
        for (size_t i = 0; i < n; i++, s = frost__json_next(s))
            FROST_TRY(read_bytes(c, s, where, "stringVal", &tp->string_val[i]));
    }
    int base_raw = raw > 100 && raw < 200 ? raw - 100 : raw;
    int base_dt = dtype > 100 && dtype < 200 ? dtype - 100 : dtype;
    if (base_raw != base_dt) FROST_TRY(convert_tensor(c, tp, base_raw, where));
    return FROST_OK;
}

/* ==== Attributes ============================================================================= */

/* NameAttrList {name: ...} as its protobuf bytes (field 1, the name), the form tf_graph.proto
 * keeps a .pb's func attributes in. Its attr map is not kept: frost reads only the name. */
static frost_status read_func(frost__tf_json *c, const frost__json *j, const char *where,
                              ProtobufCBinaryData *out) {
    out->data = NULL;
    out->len = 0;
    const char *name = frost__json_get_str(j, "name");
    if (!frost__json_is_object(j) || !name) return bad(c, where, "'func' has no name");
    size_t n = strlen(name);
    if (n > (1u << 20)) return bad(c, where, "'func' name is too long");
    uint8_t *p = frost__tf_json_alloc(c->g, n + 8);
    if (!p) return oom(c);
    size_t at = 0;
    p[at++] = 0x0a; /* field 1, length-delimited */
    size_t len = n;
    do {
        p[at++] = (uint8_t)((len & 0x7f) | (len > 0x7f ? 0x80 : 0));
        len >>= 7;
    } while (len);
    memcpy(p + at, name, n);
    out->data = p;
    out->len = at + n;
    return FROST_OK;
}

static frost_status read_list(frost__tf_json *c, const frost__json *j, const char *where,
                              FrostTf__AttrValue__ListValue **out) {
    *out = NULL;
    if (!frost__json_is_object(j)) return bad(c, where, "'list' is not an object");
    FrostTf__AttrValue__ListValue *l = zalloc(c, 1, sizeof *l);
    if (!l) return oom(c);
    frost_tf__attr_value__list_value__init(l);
    *out = l;
    void *p;
    FROST_TRY(read_numbers(c, j, "i", NULL, where, store_i64, sizeof *l->i, &l->n_i, &p));
    l->i = p;
    FROST_TRY(read_numbers(c, j, "f", NULL, where, store_f32, sizeof *l->f, &l->n_f, &p));
    l->f = p;
    FROST_TRY(read_numbers(c, j, "b", NULL, where, store_bool, sizeof *l->b, &l->n_b, &p));
    l->b = p;
    size_t n;
    const frost__json *a = frost__json_get(j, "s");
    FROST_TRY(list_len(c, a, where, "s", &n));
    if (n) {
        if (!(l->s = zalloc(c, n, sizeof *l->s))) return oom(c);
        l->n_s = n;
        const frost__json *v = frost__json_first(a);
        for (size_t i = 0; i < n; i++, v = frost__json_next(v))
            FROST_TRY(read_bytes(c, v, where, "s", &l->s[i]));
    }
    a = frost__json_get(j, "type");
    FROST_TRY(list_len(c, a, where, "type", &n));
    if (n) {
        if (!(l->type = zalloc(c, n, sizeof *l->type))) return oom(c);
        l->n_type = n;
        const frost__json *v = frost__json_first(a);
        for (size_t i = 0; i < n; i++, v = frost__json_next(v)) {
            int t;
            if (!read_dtype(c, v, &t)) return bad(c, where, "'type' entry %zu is not a DataType", i);
            l->type[i] = (FrostTf__DataType)t;
        }
    }
    a = frost__json_get(j, "shape");
    FROST_TRY(list_len(c, a, where, "shape", &n));
    if (n) {
        if (!(l->shape = zalloc(c, n, sizeof *l->shape))) return oom(c);
        const frost__json *v = frost__json_first(a);
        for (size_t i = 0; i < n; i++, v = frost__json_next(v)) {
            FrostTf__TensorShapeProto *sp;
            frost_status st = read_shape(c, v, where, &sp);
            if (sp) l->shape[l->n_shape++] = sp;
            FROST_TRY(st);
        }
    }
    a = frost__json_get(j, "tensor");
    FROST_TRY(list_len(c, a, where, "tensor", &n));
    if (n) {
        if (!(l->tensor = zalloc(c, n, sizeof *l->tensor))) return oom(c);
        const frost__json *v = frost__json_first(a);
        for (size_t i = 0; i < n; i++, v = frost__json_next(v)) {
            FrostTf__TensorProto *tp;
            frost_status st = read_tensor(c, v, where, &tp);
            if (tp) l->tensor[l->n_tensor++] = tp;
            FROST_TRY(st);
        }
    }
    return FROST_OK;
}

static frost_status read_attr(frost__tf_json *c, const frost__json *j, const char *where,
                              FrostTf__AttrValue *a) {
    if (!frost__json_is_object(j)) return bad(c, where, "the value is not an object");
    static const char *const keys[] = {"list", "s", "i", "f", "b", "type", "shape", "tensor",
                                       "func", "placeholder"};
    const frost__json *v = NULL;
    size_t which = 0;
    for (size_t k = 0; k < FROST_ARRAY_LEN(keys); k++) {
        const frost__json *m = frost__json_get(j, keys[k]);
        if (!m) continue;
        if (v) return bad(c, where, "the value sets both '%s' and '%s'", keys[which], keys[k]);
        v = m;
        which = k;
    }
    if (!v) return FROST_OK; /* no value: an empty AttrValue, as protobuf allows */
    const char *key = keys[which];
    switch (which) {
    case 0:
        a->value_case = FROST_TF__ATTR_VALUE__VALUE_LIST;
        return read_list(c, v, where, &a->list);
    case 1:
        a->value_case = FROST_TF__ATTR_VALUE__VALUE_S;
        return read_bytes(c, v, where, key, &a->s);
    case 2:
        a->value_case = FROST_TF__ATTR_VALUE__VALUE_I;
        if (!read_i64(v, &a->i)) return bad(c, where, "'i' is not an integer");
        return FROST_OK;
    case 3: {
        double d;
        a->value_case = FROST_TF__ATTR_VALUE__VALUE_F;
        if (!read_f64(v, &d)) return bad(c, where, "'f' is not a number");
        a->f = (float)d;
        return FROST_OK;
    }
    case 4: {
        a->value_case = FROST_TF__ATTR_VALUE__VALUE_B;
        protobuf_c_boolean b;
        if (!store_bool(v, &b)) return bad(c, where, "'b' is not a boolean");
        a->b = b;
        return FROST_OK;
    }
    case 5: {
        int t;
        a->value_case = FROST_TF__ATTR_VALUE__VALUE_TYPE;
        if (!read_dtype(c, v, &t)) return bad(c, where, "'type' is not a DataType");
        a->type = (FrostTf__DataType)t;
        return FROST_OK;
    }
    case 6:
        a->value_case = FROST_TF__ATTR_VALUE__VALUE_SHAPE;
        return read_shape(c, v, where, &a->shape);
    case 7:
        a->value_case = FROST_TF__ATTR_VALUE__VALUE_TENSOR;
        return read_tensor(c, v, where, &a->tensor);
    case 8:
        a->value_case = FROST_TF__ATTR_VALUE__VALUE_FUNC;
        return read_func(c, v, where, &a->func);
    default: {
        const char *s = frost__json_str(v);
        if (!s) return bad(c, where, "'placeholder' is not a string");
        a->value_case = FROST_TF__ATTR_VALUE__VALUE_PLACEHOLDER;
        a->placeholder = dup_str(c, s);
        return a->placeholder ? FROST_OK : oom(c);
    }
    }
}

/* ==== Nodes and the graph ==================================================================== */

frost_status frost__tf_json_node_def(frost__tf_json *c, const frost__json *j, const char *where,
                                     FrostTf__NodeDef **out) {
    *out = NULL;
    if (!frost__json_is_object(j)) return bad(c, where, "a node is not an object");
    const char *name = frost__json_get_str(j, "name");
    const char *op = frost__json_get_str(j, "op");
    if (!name || !*name) return bad(c, where, "the node has no name");
    char at[600];
    snprintf(at, sizeof at, "%s ('%s')", where, name);
    if (!op || !*op) return bad(c, at, "the node has no op");
    FrostTf__NodeDef *nd = zalloc(c, 1, sizeof *nd);
    if (!nd) return oom(c);
    frost_tf__node_def__init(nd);
    *out = nd;
    if (!(nd->name = dup_str(c, name)) || !(nd->op = dup_str(c, op))) return oom(c);
    const char *device = frost__json_get_str(j, "device");
    if (device && *device && !(nd->device = dup_str(c, device))) return oom(c);
    const frost__json *inputs = frost__json_get(j, "input");
    size_t n;
    FROST_TRY(list_len(c, inputs, at, "input", &n));
    if (n) {
        if (!(nd->input = zalloc(c, n, sizeof *nd->input))) return oom(c);
        const frost__json *v = frost__json_first(inputs);
        for (size_t i = 0; i < n; i++, v = frost__json_next(v)) {
            const char *s = frost__json_str(v);
            if (!s) return bad(c, at, "input %zu is not a string", i);
            if (!(nd->input[nd->n_input] = dup_str(c, s))) return oom(c);
            nd->n_input++;
        }
    }
    const frost__json *attrs = frost__json_get(j, "attr");
    if (frost__json_is_null(attrs)) return FROST_OK;
    if (!frost__json_is_object(attrs)) return bad(c, at, "'attr' is not an object");
    n = (size_t)frost__json_len(attrs);
    if ((int64_t)n > max_list(c))
        return frost__fail(c->err, FROST_E_LIMIT, name, op, -1,
                           "%s: %s: %zu attributes, over the limit of %lld (max_attr_len)", c->what,
                           at, n, (long long)max_list(c));
    if (!n) return FROST_OK;
    if (!(nd->attr = zalloc(c, n, sizeof *nd->attr))) return oom(c);
    for (const frost__json *m = frost__json_first(attrs); m; m = frost__json_next(m)) {
        FrostTf__NodeDef__AttrEntry *e = zalloc(c, 1, sizeof *e);
        if (!e) return oom(c);
        frost_tf__node_def__attr_entry__init(e);
        nd->attr[nd->n_attr++] = e;
        const char *key = frost__json_key(m);
        if (!key || !(e->key = dup_str(c, key))) return oom(c);
        if (!(e->value = zalloc(c, 1, sizeof *e->value))) return oom(c);
        frost_tf__attr_value__init(e->value);
        char aw[800];
        snprintf(aw, sizeof aw, "%s attribute '%s'", at, key);
        FROST_TRY(read_attr(c, m, aw, e->value));
    }
    return FROST_OK;
}

frost_status frost__tf_json_graph_def(frost__tf_json *c, const frost__json *topology,
                                      FrostTf__GraphDef **out) {
    *out = NULL;
    if (!frost__json_is_object(topology))
        return bad(c, "modelTopology", "not an object (expected a GraphDef with a 'node' list)");
    const frost__json *nodes = frost__json_get(topology, "node");
    if (!frost__json_is_array(nodes))
        return bad(c, "modelTopology", "has no 'node' list");
    int n = frost__json_len(nodes);
    int64_t max_nodes = c->g->max_nodes > 0 ? c->g->max_nodes : 1000000;
    if ((int64_t)n > max_nodes)
        return frost__fail(c->err, FROST_E_LIMIT, NULL, NULL, -1,
                           "%s: the graph has %d nodes, over the limit of %lld (max_nodes)",
                           c->what, n, (long long)max_nodes);
    FrostTf__GraphDef *gd = zalloc(c, 1, sizeof *gd);
    if (!gd) return oom(c);
    frost_tf__graph_def__init(gd);
    frost_status st = FROST_OK;
    if (n && !(gd->node = zalloc(c, (size_t)n, sizeof *gd->node))) st = oom(c);
    const frost__json *v = frost__json_first(nodes);
    for (int i = 0; i < n && st == FROST_OK; i++, v = frost__json_next(v)) {
        char where[64];
        snprintf(where, sizeof where, "node #%d", i);
        FrostTf__NodeDef *nd = NULL;
        st = frost__tf_json_node_def(c, v, where, &nd);
        if (nd) gd->node[gd->n_node++] = nd;
    }
    const frost__json *versions = frost__json_get(topology, "versions");
    if (st == FROST_OK && frost__json_is_object(versions)) {
        if (!(gd->versions = zalloc(c, 1, sizeof *gd->versions))) {
            st = oom(c);
        } else {
            frost_tf__version_def__init(gd->versions);
            int64_t x;
            if (read_i64(frost__json_get(versions, "producer"), &x) && x >= INT32_MIN &&
                x <= INT32_MAX)
                gd->versions->producer = (int32_t)x;
            if (read_i64(member(versions, "minConsumer", "min_consumer"), &x) && x >= INT32_MIN &&
                x <= INT32_MAX)
                gd->versions->min_consumer = (int32_t)x;
        }
    }
    if (st != FROST_OK) {
        frost__tf_json_free(c->g, gd);
        return st;
    }
    *out = gd;
    return FROST_OK;
}
