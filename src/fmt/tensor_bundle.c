/* tensor_bundle.c — TensorFlow checkpoint index (fmt/tensor_bundle.h): walks the table with
 * fmt/sstable.c and decodes each BundleEntryProto by hand (a handful of scalar fields and a
 * TensorShapeProto; decoding them here keeps the reader free of generated code and easy to fuzz).
 * Field numbers are TensorFlow's (tensorflow/core/protobuf/tensor_bundle.proto).
 *
 * It must never trust a record: every varint and length is bounded by the record, shapes by
 * FROST_MAX_RANK, and a tensor's declared byte size must equal what its dtype and shape need. */
#include "fmt/tensor_bundle.h"

#include <stdio.h>
#include <stdlib.h>

#include "fmt/crc32c.h"
#include "fmt/sstable.h"

size_t frost__tf_dtype_bytes(int t) {
    switch (t) {
    case 1: case 3: case 13: case 22: return 4;           /* float, int32, qint32, uint32      */
    case 2: case 9: case 8: case 23: return 8;            /* double, int64, complex64, uint64  */
    case 4: case 6: case 10: case 11: case 12: return 1;  /* uint8, int8, bool, qint8, quint8  */
    case 5: case 14: case 15: case 16: case 17: case 19: return 2; /* int16, bf16, q16, u16, half */
    case 18: return 16;                                   /* complex128                        */
    default: return 0;                                    /* string, resource, variant         */
    }
}

typedef struct reader {
    const uint8_t *p;
    size_t pos, end;
} reader;

static bool rd_varint(reader *r, uint64_t *out) {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (r->pos >= r->end) return false;
        uint8_t b = r->p[r->pos++];
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *out = v;
            return true;
        }
    }
    return false;
}

/* Skips a field of wire type wt; false if it runs past the end or the type is invalid. */
static bool rd_skip(reader *r, unsigned wt) {
    uint64_t v;
    switch (wt) {
    case 0: return rd_varint(r, &v);
    case 1: if (r->end - r->pos < 8) return false; r->pos += 8; return true;
    case 5: if (r->end - r->pos < 4) return false; r->pos += 4; return true;
    case 2:
        if (!rd_varint(r, &v) || v > r->end - r->pos) return false;
        r->pos += (size_t)v;
        return true;
    default: return false;
    }
}

/* A length-delimited field's bounds as a sub-reader. */
static bool rd_sub(reader *r, reader *sub) {
    uint64_t len;
    if (!rd_varint(r, &len) || len > r->end - r->pos) return false;
    *sub = (reader){r->p, r->pos, r->pos + (size_t)len};
    r->pos += (size_t)len;
    return true;
}

/* TensorShapeProto: dim (2) { size (1) }, unknown_rank (3). */
static const char *read_shape(reader r, frost__shape *out) {
    *out = frost__shape_make(0, NULL);
    while (r.pos < r.end) {
        uint64_t key;
        if (!rd_varint(&r, &key)) return "a shape field is cut off";
        unsigned field = (unsigned)(key >> 3), wt = key & 7;
        if (field == 2 && wt == 2) {
            reader dim;
            if (!rd_sub(&r, &dim)) return "a shape dimension is cut off";
            if (out->rank == FROST_MAX_RANK) return "the shape has more dimensions than frost's limit";
            int64_t size = 0;
            while (dim.pos < dim.end) {
                uint64_t k2, v;
                if (!rd_varint(&dim, &k2)) return "a shape dimension is malformed";
                if ((k2 >> 3) == 1 && (k2 & 7) == 0) {
                    if (!rd_varint(&dim, &v)) return "a shape dimension is malformed";
                    size = (int64_t)v;
                } else if (!rd_skip(&dim, k2 & 7)) {
                    return "a shape dimension is malformed";
                }
            }
            if (size < 0) return "a saved tensor has a negative dimension";
            out->d[out->rank++] = size;
        } else if (field == 3 && wt == 0) {
            uint64_t v;
            if (!rd_varint(&r, &v)) return "a shape field is cut off";
            if (v) return "a saved tensor has an unknown rank";
        } else if (!rd_skip(&r, wt)) {
            return "a shape field is malformed";
        }
    }
    return NULL;
}

/* BundleEntryProto. Returns NULL or what is wrong. */
static const char *read_entry(reader r, frost__bundle_entry *e) {
    while (r.pos < r.end) {
        uint64_t key, v;
        if (!rd_varint(&r, &key)) return "a field tag is cut off";
        unsigned field = (unsigned)(key >> 3), wt = key & 7;
        if (field == 0) return "field number 0";
        if (wt == 0 && field >= 1 && field <= 5 && field != 2) {
            if (!rd_varint(&r, &v)) return "a varint is cut off";
            if (field == 1) {
                if (v > 1000) return "the dtype is not a TensorFlow DataType";
                e->tf_dtype = (int)v;
            } else if (field == 3) {
                if (v > INT32_MAX) return "the shard id is out of range";
                e->shard = (int)v;
            } else if (field == 4) {
                e->offset = v;
            } else {
                e->size = v;
            }
        } else if (field == 2 && wt == 2) {
            reader sub;
            if (!rd_sub(&r, &sub)) return "the shape is cut off";
            const char *why = read_shape(sub, &e->shape);
            if (why) return why;
        } else if (field == 6 && wt == 5) {
            if (r.end - r.pos < 4) return "the CRC is cut off";
            const uint8_t *p = r.p + r.pos;
            e->crc32c = frost__crc32c_unmask((uint32_t)p[0] | (uint32_t)p[1] << 8 |
                                             (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24);
            r.pos += 4;
        } else if (field == 7 && wt == 2) {
            e->sliced = true;
            if (!rd_skip(&r, wt)) return "a slice is cut off";
        } else if (!rd_skip(&r, wt)) {
            return "a field is malformed";
        }
    }
    return NULL;
}

/* True when key[0, len) sorts strictly after the NUL-terminated prev (bytewise, as the table). */
static bool key_after(const char *prev, const uint8_t *key, size_t len) {
    size_t pl = strlen(prev);
    int c = memcmp(prev, key, FROST_MIN(pl, len));
    return c < 0 || (c == 0 && pl < len);
}

typedef struct index_state {
    frost__bundle *b;
    const char *what;
    int cap;
    bool have_header;
    bool big_endian;
} index_state;

static frost_status on_entry(void *user, const uint8_t *key, size_t key_len, const uint8_t *value,
                             size_t value_len, int64_t offset, frost_error *err) {
    index_state *s = user;
    frost__bundle *b = s->b;
    reader r = {value, 0, value_len};
    if (key_len == 0) {  /* the header */
        if (s->have_header)
            return frost__fail(err, FROST_E_FORMAT, NULL, NULL, offset,
                               "'%s': two bundle headers (empty keys)", s->what);
        s->have_header = true;
        while (r.pos < r.end) {
            uint64_t k, v;
            if (!rd_varint(&r, &k)) goto bad_header;
            if ((k >> 3) == 1 && (k & 7) == 0) {
                if (!rd_varint(&r, &v) || v > 1000000) goto bad_header;
                b->num_shards = (int)v;
            } else if ((k >> 3) == 2 && (k & 7) == 0) {
                if (!rd_varint(&r, &v)) goto bad_header;
                s->big_endian = v != 0;
            } else if (!rd_skip(&r, k & 7)) {
                goto bad_header;
            }
        }
        return FROST_OK;
    bad_header:
        return frost__fail(err, FROST_E_FORMAT, NULL, NULL, offset,
                           "'%s': the bundle header (BundleHeaderProto) in the block at byte %lld "
                           "does not parse",
                           s->what, (long long)offset);
    }
    char name[256];
    snprintf(name, sizeof name, "%.*s", (int)FROST_MIN(key_len, sizeof name - 1), (const char *)key);
    for (size_t i = 0; i < key_len; i++)
        if (key[i] == 0)
            return frost__fail(err, FROST_E_FORMAT, name, NULL, offset,
                               "'%s': the key '%s' holds a NUL byte", s->what, name);
    if (b->n_entries && !key_after(b->entries[b->n_entries - 1].name, key, key_len))
        return frost__fail(err, FROST_E_FORMAT, name, NULL, offset,
                           "'%s': key '%s' is out of order or repeated (the table must be sorted)",
                           s->what, name);
    if (!frost__grow(&b->alloc, (void **)&b->entries, &s->cap, b->n_entries + 1, sizeof *b->entries))
        return frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory reading '%s'", s->what);
    frost__bundle_entry *e = &b->entries[b->n_entries];
    memset(e, 0, sizeof *e);
    const char *why = read_entry(r, e);
    if (why)
        return frost__fail(err, FROST_E_FORMAT, name, NULL, offset,
                           "'%s': the record of tensor '%s' (BundleEntryProto, in the block at byte "
                           "%lld) is malformed: %s",
                           s->what, name, (long long)offset, why);
    e->name = frost__strndup(&b->alloc, (const char *)key, key_len);
    if (!e->name) return frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
    b->n_entries++;
    size_t elem = frost__tf_dtype_bytes(e->tf_dtype);
    if (elem && !e->sliced) {
        size_t need;
        char sb[96];
        if (!frost__tensor_bytes(FROST_DTYPE_U8, &e->shape, &need) ||
            !frost__size_mul_ok(need, elem, &need) || need != e->size)
            return frost__fail(err, FROST_E_FORMAT, name, NULL, offset,
                               "'%s': tensor '%s' is %s of DataType %d (%zu bytes each) but its "
                               "record says it is %llu bytes",
                               s->what, name, frost__shape_str(&e->shape, sb, sizeof sb),
                               e->tf_dtype, elem, (unsigned long long)e->size);
    }
    return FROST_OK;
}

frost_status frost__bundle_read_index(const void *data, size_t size, const char *what,
                                      const frost_allocator *a, frost__bundle **out,
                                      frost_error *err) {
    *out = NULL;
    frost__bundle *b = frost__calloc(a, 1, sizeof *b);
    if (!b) return frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
    b->alloc = *a;
    index_state s = {b, what ? what : "index", 0, false, false};
    /* Blocks are a few KiB; 64 MiB bounds a hostile Snappy header. */
    frost_status st = frost__sstable_walk(data, size, s.what, a, (size_t)64 << 20, on_entry, &s, err);
    if (st == FROST_OK && !s.have_header)
        st = frost__fail(err, FROST_E_FORMAT, NULL, NULL, -1,
                         "'%s': no bundle header (the entry with the empty key): not a TensorFlow "
                         "checkpoint index",
                         s.what);
    if (st == FROST_OK && s.big_endian)
        st = frost__fail(err, FROST_E_UNSUPPORTED, NULL, NULL, -1,
                         "'%s': the checkpoint was written on a big-endian machine", s.what);
    if (st == FROST_OK && b->num_shards < 1 && b->n_entries > 0)
        st = frost__fail(err, FROST_E_FORMAT, NULL, NULL, -1,
                         "'%s': the bundle header says %d data shards", s.what, b->num_shards);
    for (int i = 0; st == FROST_OK && i < b->n_entries; i++) {
        const frost__bundle_entry *e = &b->entries[i];
        if (!e->sliced && (e->shard < 0 || e->shard >= b->num_shards))
            st = frost__fail(err, FROST_E_FORMAT, e->name, NULL, -1,
                             "'%s': tensor '%s' is in data shard %d but the bundle has %d",
                             s.what, e->name, e->shard, b->num_shards);
    }
    if (st != FROST_OK) {
        frost__bundle_free(b);
        return st;
    }
    *out = b;
    return FROST_OK;
}

void frost__bundle_free(frost__bundle *b) {
    if (!b) return;
    for (int i = 0; i < b->n_entries; i++) frost__free(&b->alloc, b->entries[i].name);
    frost__free(&b->alloc, b->entries);
    frost_allocator a = b->alloc;
    frost__free(&a, b);
}

const frost__bundle_entry *frost__bundle_find(const frost__bundle *b, const char *name) {
    int lo = 0, hi = b->n_entries - 1;
    while (lo <= hi) {   /* entries are sorted (checked while reading) */
        int mid = lo + (hi - lo) / 2;
        int c = strcmp(b->entries[mid].name, name);
        if (c == 0) return &b->entries[mid];
        if (c < 0) lo = mid + 1;
        else hi = mid - 1;
    }
    return NULL;
}

void frost__bundle_shard_name(const char *prefix, int shard, int num_shards, char *buf, size_t cap) {
    snprintf(buf, cap, "%s.data-%05d-of-%05d", prefix, shard, num_shards);
}

frost_status frost__bundle_check_data(const frost__bundle_entry *e, const void *bytes, size_t n,
                                      const char *what, frost_error *err) {
    if (n != e->size)
        return frost__fail(err, FROST_E_FORMAT, e->name, NULL, (int64_t)e->offset,
                           "'%s' is truncated: tensor '%s' needs bytes %llu..%llu but the file "
                           "holds only %zu of them",
                           what, e->name, (unsigned long long)e->offset,
                           (unsigned long long)(e->offset + e->size), n);
    uint32_t crc = frost__crc32c(bytes, n);
    if (crc != e->crc32c)
        return frost__fail(err, FROST_E_FORMAT, e->name, NULL, (int64_t)e->offset,
                           "'%s': tensor '%s' (bytes %llu..%llu) has CRC-32C %08x but the index "
                           "says %08x: the data file is corrupt or does not belong to this index",
                           what, e->name, (unsigned long long)e->offset,
                           (unsigned long long)(e->offset + e->size), crc, e->crc32c);
    return FROST_OK;
}
