/* tensor.c — dtypes and shapes: sizes, overflow-checked element counts, broadcasting, printing. */
#include "core/common.h"

#include <stdio.h>

static const struct { const char *name; size_t size; } dtype_table[FROST_DTYPE_COUNT] = {
    [FROST_DTYPE_INVALID] = {"invalid", 0}, [FROST_DTYPE_F32] = {"f32", 4},
    [FROST_DTYPE_F64] = {"f64", 8},         [FROST_DTYPE_F16] = {"f16", 2},
    [FROST_DTYPE_BF16] = {"bf16", 2},       [FROST_DTYPE_I8] = {"i8", 1},
    [FROST_DTYPE_I16] = {"i16", 2},         [FROST_DTYPE_I32] = {"i32", 4},
    [FROST_DTYPE_I64] = {"i64", 8},         [FROST_DTYPE_U8] = {"u8", 1},
    [FROST_DTYPE_U16] = {"u16", 2},         [FROST_DTYPE_U32] = {"u32", 4},
    [FROST_DTYPE_U64] = {"u64", 8},         [FROST_DTYPE_BOOL] = {"bool", 1},
    [FROST_DTYPE_STRING] = {"string", 0},
};

const char *frost_dtype_name(frost_dtype t) {
    if ((unsigned)t >= FROST_DTYPE_COUNT) return "invalid";
    return dtype_table[t].name;
}

size_t frost_dtype_size(frost_dtype t) {
    if ((unsigned)t >= FROST_DTYPE_COUNT) return 0;
    return dtype_table[t].size;
}

bool frost__dtype_is_int(frost_dtype t) {
    switch (t) {
    case FROST_DTYPE_I8: case FROST_DTYPE_I16: case FROST_DTYPE_I32: case FROST_DTYPE_I64:
    case FROST_DTYPE_U8: case FROST_DTYPE_U16: case FROST_DTYPE_U32: case FROST_DTYPE_U64:
    case FROST_DTYPE_BOOL:
        return true;
    default:
        return false;
    }
}

bool frost__dtype_is_float(frost_dtype t) {
    return t == FROST_DTYPE_F32 || t == FROST_DTYPE_F64 || t == FROST_DTYPE_F16 ||
           t == FROST_DTYPE_BF16;
}

/* A float read as an integer (a shape or index given in floats): out-of-range values and NaN would
 * be undefined behaviour in a plain cast (found by fuzz_tf); they saturate, NaN reads as 0, and
 * the op that uses the value then reports it as out of range. */
static int64_t saturate_to_i64(double v) {
    if (!(v == v)) return 0;
    if (v >= 9223372036854775807.0) return INT64_MAX;
    if (v <= -9223372036854775808.0) return INT64_MIN;
    return (int64_t)v;
}

int64_t frost__read_int(frost_dtype t, const void *data, int64_t i) {
    switch (t) {
    case FROST_DTYPE_I8: return ((const int8_t *)data)[i];
    case FROST_DTYPE_I16: return ((const int16_t *)data)[i];
    case FROST_DTYPE_I32: return ((const int32_t *)data)[i];
    case FROST_DTYPE_I64: return ((const int64_t *)data)[i];
    case FROST_DTYPE_U8: case FROST_DTYPE_BOOL: return ((const uint8_t *)data)[i];
    case FROST_DTYPE_U16: return ((const uint16_t *)data)[i];
    case FROST_DTYPE_U32: return ((const uint32_t *)data)[i];
    case FROST_DTYPE_U64: return (int64_t)((const uint64_t *)data)[i];
    case FROST_DTYPE_F32: return saturate_to_i64(((const float *)data)[i]);
    case FROST_DTYPE_F64: return saturate_to_i64(((const double *)data)[i]);
    default: return 0;
    }
}

double frost__read_double(frost_dtype t, const void *data, int64_t i) {
    switch (t) {
    case FROST_DTYPE_F32: return ((const float *)data)[i];
    case FROST_DTYPE_F64: return ((const double *)data)[i];
    default: return (double)frost__read_int(t, data, i);
    }
}

bool frost__write_double(frost_dtype t, void *data, int64_t i, double v) {
    bool is_float = t == FROST_DTYPE_F32 || t == FROST_DTYPE_F64;
    if (!is_float && t != FROST_DTYPE_BOOL) {
        /* Integers take whole values within their range only: 2.5 or 300 for a u8 is a mistake. */
        double lo = 0, hi = 0;
        switch (t) {
        case FROST_DTYPE_I8: lo = INT8_MIN, hi = INT8_MAX; break;
        case FROST_DTYPE_I16: lo = INT16_MIN, hi = INT16_MAX; break;
        case FROST_DTYPE_I32: lo = INT32_MIN, hi = INT32_MAX; break;
        case FROST_DTYPE_I64: lo = -9223372036854775808.0, hi = 9223372036854774784.0; break;
        case FROST_DTYPE_U8: hi = UINT8_MAX; break;
        case FROST_DTYPE_U16: hi = UINT16_MAX; break;
        case FROST_DTYPE_U32: hi = UINT32_MAX; break;
        case FROST_DTYPE_U64: hi = 18446744073709549568.0; break;
        default: return false;
        }
        if (!(v >= lo && v <= hi) || v != (double)(int64_t)v) return false;
    }
    switch (t) {
    case FROST_DTYPE_F32: ((float *)data)[i] = (float)v; return true;
    case FROST_DTYPE_F64: ((double *)data)[i] = v; return true;
    case FROST_DTYPE_BOOL: ((uint8_t *)data)[i] = v != 0; return true;
    case FROST_DTYPE_I8: ((int8_t *)data)[i] = (int8_t)v; return true;
    case FROST_DTYPE_I16: ((int16_t *)data)[i] = (int16_t)v; return true;
    case FROST_DTYPE_I32: ((int32_t *)data)[i] = (int32_t)v; return true;
    case FROST_DTYPE_I64: ((int64_t *)data)[i] = (int64_t)v; return true;
    case FROST_DTYPE_U8: ((uint8_t *)data)[i] = (uint8_t)v; return true;
    case FROST_DTYPE_U16: ((uint16_t *)data)[i] = (uint16_t)v; return true;
    case FROST_DTYPE_U32: ((uint32_t *)data)[i] = (uint32_t)v; return true;
    case FROST_DTYPE_U64: ((uint64_t *)data)[i] = (uint64_t)v; return true;
    default: return false;
    }
}

bool frost__shape_known(const frost__shape *s) {
    if (s->rank < 0) return false;
    for (int i = 0; i < s->rank; i++)
        if (s->d[i] < 0) return false;
    return true;
}

bool frost__shape_numel_ok(const frost__shape *s, int64_t *out) {
    if (s->rank < 0 || s->rank > FROST_MAX_RANK) return false;
    int64_t n = 1;
    for (int i = 0; i < s->rank; i++) {
        if (s->d[i] < 0 || !frost__mul_ok(n, s->d[i], &n)) return false;
    }
    *out = n;
    return true;
}

int64_t frost__shape_numel(const frost__shape *s) {
    int64_t n;
    return frost__shape_numel_ok(s, &n) ? n : -1;
}

bool frost__shape_equal(const frost__shape *a, const frost__shape *b) {
    if (a->rank != b->rank) return false;
    for (int i = 0; i < a->rank; i++)
        if (a->d[i] != b->d[i]) return false;
    return true;
}

char *frost__shape_str(const frost__shape *s, char *buf, size_t cap) {
    if (cap == 0) return buf;
    if (s->rank < 0) {
        snprintf(buf, cap, "[unknown rank]");
        return buf;
    }
    size_t at = 0;
    buf[0] = 0;
    at += (size_t)snprintf(buf + at, cap - at, "[");
    for (int i = 0; i < s->rank && at < cap; i++) {
        if (s->d[i] < 0)
            at += (size_t)snprintf(buf + at, cap - at, "%s?", i ? "," : "");
        else
            at += (size_t)snprintf(buf + at, cap - at, "%s%lld", i ? "," : "", (long long)s->d[i]);
    }
    if (at < cap) snprintf(buf + at, cap - at, "]");
    return buf;
}

bool frost__shape_broadcast(const frost__shape *a, const frost__shape *b, frost__shape *out) {
    if (a->rank < 0 || b->rank < 0) {
        *out = frost__shape_unknown();
        return true;
    }
    int r = FROST_MAX(a->rank, b->rank);
    frost__shape o;
    memset(&o, 0, sizeof o);
    o.rank = r;
    for (int i = 0; i < r; i++) {
        int ia = a->rank - r + i, ib = b->rank - r + i;
        int64_t da = ia >= 0 ? a->d[ia] : 1, db = ib >= 0 ? b->d[ib] : 1;
        if (da == db) o.d[i] = da;
        else if (da == 1) o.d[i] = db;
        else if (db == 1) o.d[i] = da;
        else if (da < 0 || db < 0) o.d[i] = da < 0 ? db : da; /* the known one must win */
        else return false;
    }
    *out = o;
    return true;
}

void frost__shape_strides(const frost__shape *s, int64_t *strides) {
    int64_t st = 1;
    for (int i = s->rank - 1; i >= 0; i--) {
        strides[i] = st;
        st *= s->d[i];
    }
}

bool frost__tensor_bytes(frost_dtype t, const frost__shape *s, size_t *out) {
    int64_t n;
    if (!frost__shape_numel_ok(s, &n)) return false;
    size_t es = frost_dtype_size(t);
    if (es == 0) return false;
    return frost__size_mul_ok((size_t)n, es, out);
}
