/* flatbuffers.h — a small, bounds-checked FlatBuffers reader (no ML semantics).
 *
 * Debian ships no FlatBuffers library for C, so frost reads the wire format itself: a root offset,
 * tables found through their vtables, vectors and strings behind 32-bit offsets. Every access is
 * checked against the buffer before it is made: table and vtable positions, each field's bytes
 * against its table's size, every offset's target, and every vector's length times its element
 * size. Nothing is trusted, nothing is written, nothing is allocated.
 *
 * Errors are sticky: the first failed check records where and what (frost__fb.bad, bad_at,
 * bad_what) and every later accessor returns its "absent" value (0, an empty vector, a NULL
 * string), so a caller may read a whole table and test b->bad once. Absent fields are not errors:
 * they read as the schema's default, which the caller passes. */
#ifndef FROST_FMT_FLATBUFFERS_H
#define FROST_FMT_FLATBUFFERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct frost__fb {
    const unsigned char *p;
    size_t n;
    bool bad;            /* a check failed: everything read since is a default               */
    int64_t bad_at;      /* byte offset of the failed check                                  */
    char bad_what[160];  /* what was being read ("Model.subgraphs[0].tensors[3]: ...")       */
} frost__fb;

/* A table that passed its checks; pos 0 means absent (no table starts at offset 0). */
typedef struct frost__fb_table {
    uint32_t pos;        /* the table's start (its soffset to the vtable)                    */
    uint32_t vt;         /* the vtable's start                                               */
    uint16_t vt_len;     /* vtable bytes                                                     */
    uint16_t t_len;      /* table bytes (inline part)                                        */
} frost__fb_table;

/* A vector that passed its checks: len elements of elem_size bytes from `pos`. */
typedef struct frost__fb_vec {
    uint32_t pos;        /* first element (0 with len 0 when absent)                        */
    uint32_t len;
    uint32_t elem_size;
} frost__fb_vec;

/* Starts reading `n` bytes at `p`. */
void frost__fb_init(frost__fb *b, const void *p, size_t n);
/* The root table, and the 4-byte file identifier (which is not checked here). */
frost__fb_table frost__fb_root(frost__fb *b, const char *what);
bool frost__fb_has_identifier(const frost__fb *b, const char ident[4]);

/* Field `id` (0-based, in declaration order) of table t: true when present. */
bool frost__fb_present(frost__fb *b, frost__fb_table t, int id);

/* Scalars: the field's value, or `def` when absent (or after an error). */
uint8_t frost__fb_u8(frost__fb *b, frost__fb_table t, int id, uint8_t def);
int8_t frost__fb_i8(frost__fb *b, frost__fb_table t, int id, int8_t def);
bool frost__fb_bool(frost__fb *b, frost__fb_table t, int id, bool def);
int32_t frost__fb_i32(frost__fb *b, frost__fb_table t, int id, int32_t def);
uint32_t frost__fb_u32(frost__fb *b, frost__fb_table t, int id, uint32_t def);
int64_t frost__fb_i64(frost__fb *b, frost__fb_table t, int id, int64_t def);
uint64_t frost__fb_u64(frost__fb *b, frost__fb_table t, int id, uint64_t def);
float frost__fb_f32(frost__fb *b, frost__fb_table t, int id, float def);

/* A sub-table (also a union's value: its type is the u8 field just before it). */
frost__fb_table frost__fb_table_field(frost__fb *b, frost__fb_table t, int id, const char *what);
/* A vector of scalars or structs of elem_size bytes, or of offsets (tables, strings: 4). */
frost__fb_vec frost__fb_vec_field(frost__fb *b, frost__fb_table t, int id, uint32_t elem_size,
                                  const char *what);
/* A string: pointer into the buffer (NUL-terminated, checked) and its length, or NULL. */
const char *frost__fb_string(frost__fb *b, frost__fb_table t, int id, uint32_t *len,
                             const char *what);

/* Elements of a checked vector; i must be < v.len (callers loop over len). */
frost__fb_table frost__fb_vec_table(frost__fb *b, frost__fb_vec v, uint32_t i, const char *what);
const char *frost__fb_vec_string(frost__fb *b, frost__fb_vec v, uint32_t i, uint32_t *len,
                                 const char *what);
int32_t frost__fb_vec_i32(const frost__fb *b, frost__fb_vec v, uint32_t i);
int64_t frost__fb_vec_i64(const frost__fb *b, frost__fb_vec v, uint32_t i);
float frost__fb_vec_f32(const frost__fb *b, frost__fb_vec v, uint32_t i);
uint8_t frost__fb_vec_u8(const frost__fb *b, frost__fb_vec v, uint32_t i);
/* The vector's bytes (len * elem_size of them). */
static inline const unsigned char *frost__fb_vec_bytes(const frost__fb *b, frost__fb_vec v) {
    return b->p + v.pos;
}

/* Records a failure by the caller (a value out of the schema's range) in the same sticky way. */
void frost__fb_fail(frost__fb *b, int64_t at, const char *what, const char *why);

#endif /* FROST_FMT_FLATBUFFERS_H */
