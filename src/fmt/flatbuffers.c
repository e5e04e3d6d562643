/* flatbuffers.c — the bounds-checked FlatBuffers reader of flatbuffers.h.
 *
 * What it does: follows the wire format (little-endian; a table starts with a signed offset to
 * its vtable; a vtable lists, per field, the field's offset inside the table; offsets to
 * sub-tables, vectors and strings are unsigned and relative to where they are stored) and checks
 * every position against the buffer in 64-bit arithmetic before reading it. Reads go through
 * memcpy, so unaligned files are read correctly rather than trapped on.
 * What it must never do: read outside [p, p + n), trust a length or offset, allocate, or recurse
 * (callers walk a fixed schema, so a cyclic file can only make them read the same table again). */
#include "fmt/flatbuffers.h"

#include <stdio.h>
#include <string.h>

void frost__fb_init(frost__fb *b, const void *p, size_t n) {
    memset(b, 0, sizeof *b);
    b->p = p;
    b->n = n;
}

void frost__fb_fail(frost__fb *b, int64_t at, const char *what, const char *why) {
    if (b->bad) return;
    b->bad = true;
    b->bad_at = at;
    snprintf(b->bad_what, sizeof b->bad_what, "%s: %s", what ? what : "?", why);
}

/* True when [at, at + len) lies inside the buffer. */
static bool in_range(const frost__fb *b, uint64_t at, uint64_t len) {
    return at <= b->n && len <= b->n - at;
}

static uint16_t rd16(const frost__fb *b, uint64_t at) {
    uint16_t v;
    memcpy(&v, b->p + at, 2);
    return v;
}
static uint32_t rd32(const frost__fb *b, uint64_t at) {
    uint32_t v;
    memcpy(&v, b->p + at, 4);
    return v;
}

static const frost__fb_table no_table = {0, 0, 0, 0};
static const frost__fb_vec no_vec = {0, 0, 0};

/* Checks the table at `pos` and its vtable. */
static frost__fb_table table_at(frost__fb *b, uint64_t pos, const char *what) {
    if (b->bad) return no_table;
    if (pos == 0 || !in_range(b, pos, 4) || pos > UINT32_MAX) {
        frost__fb_fail(b, (int64_t)pos, what, "table offset outside the file");
        return no_table;
    }
    int32_t soff;
    uint32_t raw = rd32(b, pos);
    memcpy(&soff, &raw, 4);
    int64_t vt = (int64_t)pos - (int64_t)soff;
    if (vt < 0 || !in_range(b, (uint64_t)vt, 4)) {
        frost__fb_fail(b, (int64_t)pos, what, "vtable offset outside the file");
        return no_table;
    }
    uint16_t vt_len = rd16(b, (uint64_t)vt), t_len = rd16(b, (uint64_t)vt + 2);
    if (vt_len < 4 || (vt_len & 1) || !in_range(b, (uint64_t)vt, vt_len)) {
        frost__fb_fail(b, vt, what, "malformed vtable (size odd, under 4 or past the end)");
        return no_table;
    }
    if (t_len < 4 || !in_range(b, pos, t_len)) {
        frost__fb_fail(b, (int64_t)pos, what, "table size under 4 or past the end of the file");
        return no_table;
    }
    frost__fb_table t = {(uint32_t)pos, (uint32_t)vt, vt_len, t_len};
    return t;
}

frost__fb_table frost__fb_root(frost__fb *b, const char *what) {
    if (b->bad) return no_table;
    if (b->n < 8) {
        frost__fb_fail(b, 0, what, "file shorter than a FlatBuffer header (8 bytes)");
        return no_table;
    }
    return table_at(b, rd32(b, 0), what);
}

bool frost__fb_has_identifier(const frost__fb *b, const char ident[4]) {
    return b->n >= 8 && memcmp(b->p + 4, ident, 4) == 0;
}

/* The absolute position of field `id` holding `size` bytes, or 0 when absent or bad. */
static uint64_t field_pos(frost__fb *b, frost__fb_table t, int id, uint32_t size) {
    if (b->bad || t.pos == 0 || id < 0) return 0;
    uint64_t slot = 4 + 2 * (uint64_t)id;
    if (slot + 2 > t.vt_len) return 0; /* older writer: the field did not exist yet */
    uint16_t off = rd16(b, t.vt + slot);
    if (off == 0) return 0;
    if ((uint64_t)off + size > t.t_len) {
        frost__fb_fail(b, t.pos, "table field", "field runs past the end of its table");
        return 0;
    }
    return (uint64_t)t.pos + off;
}

bool frost__fb_present(frost__fb *b, frost__fb_table t, int id) {
    return field_pos(b, t, id, 1) != 0;
}

#define SCALAR(fname, type)                                                     \
    type fname(frost__fb *b, frost__fb_table t, int id, type def) {             \
        uint64_t at = field_pos(b, t, id, sizeof(type));                        \
        if (!at) return def;                                                    \
        type v;                                                                 \
        memcpy(&v, b->p + at, sizeof v);                                        \
        return v;                                                               \
    }
SCALAR(frost__fb_u8, uint8_t)
SCALAR(frost__fb_i8, int8_t)
SCALAR(frost__fb_i32, int32_t)
SCALAR(frost__fb_u32, uint32_t)
SCALAR(frost__fb_i64, int64_t)
SCALAR(frost__fb_u64, uint64_t)
SCALAR(frost__fb_f32, float)
#undef SCALAR

bool frost__fb_bool(frost__fb *b, frost__fb_table t, int id, bool def) {
    return frost__fb_u8(b, t, id, def ? 1 : 0) != 0;
}

/* Follows the uoffset stored at `at`; 0 on failure. */
static uint64_t follow(frost__fb *b, uint64_t at, const char *what) {
    uint64_t target = at + rd32(b, at);
    if (!in_range(b, target, 4)) {
        frost__fb_fail(b, (int64_t)at, what, "offset points outside the file");
        return 0;
    }
    return target;
}

frost__fb_table frost__fb_table_field(frost__fb *b, frost__fb_table t, int id, const char *what) {
    uint64_t at = field_pos(b, t, id, 4);
    if (!at) return no_table;
    uint64_t target = follow(b, at, what);
    return target ? table_at(b, target, what) : no_table;
}

static frost__fb_vec vec_at(frost__fb *b, uint64_t pos, uint32_t elem_size, const char *what) {
    uint32_t len = rd32(b, pos);
    if ((uint64_t)len * elem_size > b->n - pos - 4) {
        frost__fb_fail(b, (int64_t)pos, what, "vector length runs past the end of the file");
        return no_vec;
    }
    frost__fb_vec v = {(uint32_t)(pos + 4), len, elem_size};
    return v;
}

frost__fb_vec frost__fb_vec_field(frost__fb *b, frost__fb_table t, int id, uint32_t elem_size,
                                  const char *what) {
    uint64_t at = field_pos(b, t, id, 4);
    if (!at) return no_vec;
    uint64_t target = follow(b, at, what);
    if (!target) return no_vec;
    return vec_at(b, target, elem_size, what);
}

/* A string at `pos`: its length, bytes and NUL terminator inside the file. */
static const char *string_at(frost__fb *b, uint64_t pos, uint32_t *len, const char *what) {
    frost__fb_vec v = vec_at(b, pos, 1, what);
    if (b->bad) return NULL;
    if (!in_range(b, v.pos, (uint64_t)v.len + 1) || b->p[v.pos + v.len] != 0) {
        frost__fb_fail(b, (int64_t)pos, what, "string is not NUL-terminated inside the file");
        return NULL;
    }
    if (len) *len = v.len;
    return (const char *)b->p + v.pos;
}

const char *frost__fb_string(frost__fb *b, frost__fb_table t, int id, uint32_t *len,
                             const char *what) {
    if (len) *len = 0;
    uint64_t at = field_pos(b, t, id, 4);
    if (!at) return NULL;
    uint64_t target = follow(b, at, what);
    return target ? string_at(b, target, len, what) : NULL;
}

frost__fb_table frost__fb_vec_table(frost__fb *b, frost__fb_vec v, uint32_t i, const char *what) {
    if (b->bad || i >= v.len || v.elem_size != 4) return no_table;
    uint64_t target = follow(b, (uint64_t)v.pos + 4 * (uint64_t)i, what);
    return target ? table_at(b, target, what) : no_table;
}

const char *frost__fb_vec_string(frost__fb *b, frost__fb_vec v, uint32_t i, uint32_t *len,
                                 const char *what) {
    if (len) *len = 0;
    if (b->bad || i >= v.len || v.elem_size != 4) return NULL;
    uint64_t target = follow(b, (uint64_t)v.pos + 4 * (uint64_t)i, what);
    return target ? string_at(b, target, len, what) : NULL;
}

/* Element reads: the vector was checked whole, so only the index and size need checking. */
#define ELEM(fname, type)                                                        \
    type fname(const frost__fb *b, frost__fb_vec v, uint32_t i) {                \
        if (i >= v.len || v.elem_size != sizeof(type)) return 0;                 \
        type x;                                                                  \
        memcpy(&x, b->p + v.pos + (uint64_t)i * sizeof(type), sizeof x);        \
        return x;                                                                \
    }
ELEM(frost__fb_vec_i32, int32_t)
ELEM(frost__fb_vec_i64, int64_t)
ELEM(frost__fb_vec_f32, float)
ELEM(frost__fb_vec_u8, uint8_t)
#undef ELEM
