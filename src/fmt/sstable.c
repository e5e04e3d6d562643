/* sstable.c — the LevelDB table format, read from memory (fmt/sstable.h).
 *
 * Layout (from LevelDB's table_format.md): data blocks, a metaindex block, an index block, then a
 * 48-byte footer: the metaindex and index BlockHandles (two varints each, offset and size), zero
 * padding to 40 bytes and the 8-byte magic 0xdb4775248b80fb57. Every block is followed by a 5-byte
 * trailer: the compression type (0 none, 1 Snappy) and the masked CRC-32C of block bytes + type.
 * A block is a run of entries (varints shared, non_shared, value_length, then the key's unshared
 * suffix and the value), followed by the restart offsets (fixed32 each) and their count (fixed32).
 * The index block's values are the BlockHandles of the data blocks.
 *
 * Never trusts the file: every varint, length, handle and restart array is checked against the
 * bytes that exist before use, and a decompressed block is bounded by the caller's limit. It must
 * never read outside data[0, size) or the decompressed buffer, whatever the bytes say. */
#include "fmt/sstable.h"

#include <snappy-c.h>
#include <stdio.h>

#include "fmt/crc32c.h"

enum { FOOTER_BYTES = 48, TRAILER_BYTES = 5 };
static const uint64_t TABLE_MAGIC = 0xdb4775248b80fb57ull;

typedef struct walker {
    const uint8_t *file;
    size_t size;
    const char *what;
    const frost_allocator *a;
    size_t max_block;
    frost_error *err;
} walker;

static uint32_t load32(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* A varint of at most `max_bits` bits at p[*pos] (< end). */
static bool varint(const uint8_t *p, size_t end, size_t *pos, int max_bits, uint64_t *out) {
    uint64_t v = 0;
    for (int shift = 0; shift < max_bits; shift += 7) {
        if (*pos >= end) return false;
        uint8_t b = p[(*pos)++];
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            if (max_bits < 64 && (v >> max_bits)) return false;
            *out = v;
            return true;
        }
    }
    return false;
}

static frost_status damaged(walker *w, int64_t at, const char *fmt, const char *detail) {
    char msg[256];
    snprintf(msg, sizeof msg, fmt, detail);
    return frost__fail(w->err, FROST_E_FORMAT, NULL, NULL, at,
                       "'%s' is not a valid checkpoint index table (%zu bytes): %s at byte %lld",
                       w->what, w->size, msg, (long long)at);
}

typedef struct block {
    const uint8_t *data;  /* the block's contents (in the file or in `owned`) */
    size_t len;
    void *owned;          /* decompressed copy, or NULL                        */
    int64_t offset;       /* file offset of the block                         */
} block;

/* Reads the block at handle (offset, len): bounds, trailer CRC, decompression. */
static frost_status read_block(walker *w, uint64_t offset, uint64_t len, const char *which,
                               block *out) {
    memset(out, 0, sizeof *out);
    out->offset = (int64_t)offset;
    size_t body_end = w->size - FOOTER_BYTES;
    if (offset > body_end || len > body_end - offset || TRAILER_BYTES > body_end - offset - len) {
        char detail[160];
        snprintf(detail, sizeof detail, "the %s block (%llu bytes at %llu) runs past the end", which,
                 (unsigned long long)len, (unsigned long long)offset);
        return damaged(w, (int64_t)offset, "%s (truncated?)", detail);
    }
    const uint8_t *p = w->file + offset;
    uint8_t type = p[len];
    uint32_t stored = frost__crc32c_unmask(load32(p + len + 1));
    uint32_t actual = frost__crc32c_extend(frost__crc32c(p, (size_t)len), &type, 1);
    if (stored != actual) {
        char detail[160];
        snprintf(detail, sizeof detail, "the %s block's CRC-32C is %08x, its trailer says %08x",
                 which, actual, stored);
        return damaged(w, (int64_t)(offset + len + 1), "%s (corrupt)", detail);
    }
    if (type == 0) {
        out->data = p;
        out->len = (size_t)len;
        return FROST_OK;
    }
    if (type != 1) {
        char detail[96];
        snprintf(detail, sizeof detail, "the %s block has compression type %u (0 none, 1 Snappy)",
                 which, type);
        return damaged(w, (int64_t)(offset + len), "%s", detail);
    }
    size_t raw = 0;
    if (snappy_uncompressed_length((const char *)p, (size_t)len, &raw) != SNAPPY_OK ||
        snappy_validate_compressed_buffer((const char *)p, (size_t)len) != SNAPPY_OK)
        return damaged(w, (int64_t)offset, "%s", "a Snappy-compressed block does not decompress");
    if (raw > w->max_block)
        return frost__fail(w->err, FROST_E_LIMIT, NULL, NULL, (int64_t)offset,
                           "'%s': a block at byte %llu decompresses to %zu bytes, over the limit "
                           "of %zu",
                           w->what, (unsigned long long)offset, raw, w->max_block);
    out->owned = frost__alloc(w->a, raw ? raw : 1);
    if (!out->owned)
        return frost__fail(w->err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory reading '%s'",
                           w->what);
    size_t got = raw;
    if (snappy_uncompress((const char *)p, (size_t)len, out->owned, &got) != SNAPPY_OK ||
        got != raw) {
        frost__free(w->a, out->owned);
        out->owned = NULL;
        return damaged(w, (int64_t)offset, "%s", "a Snappy-compressed block does not decompress");
    }
    out->data = out->owned;
    out->len = raw;
    return FROST_OK;
}

/* Walks the entries of one block, rebuilding prefix-compressed keys in `key` (grown as needed). */
typedef frost_status (*entry_fn)(walker *w, void *user, const uint8_t *key, size_t key_len,
                                 const uint8_t *value, size_t value_len, const block *b);

static frost_status walk_block(walker *w, const block *b, const char *which, entry_fn fn,
                               void *user) {
    if (b->len < 4) return damaged(w, b->offset, "the %s block is shorter than its restart count", which);
    uint32_t n_restarts = load32(b->data + b->len - 4);
    if (n_restarts == 0 || n_restarts > (b->len - 4) / 4)
        return damaged(w, b->offset, "the %s block's restart array does not fit in it", which);
    size_t end = b->len - 4 - (size_t)n_restarts * 4;
    for (uint32_t i = 0; i < n_restarts; i++)
        if (load32(b->data + end + 4 * i) > end)
            return damaged(w, b->offset, "the %s block has a restart point past its entries", which);
    uint8_t *key = NULL;
    size_t key_len = 0, key_cap = 0;
    size_t pos = 0;
    frost_status st = FROST_OK;
    while (pos < end && st == FROST_OK) {
        uint64_t shared, unshared, vlen;
        size_t at = pos;
        if (!varint(b->data, end, &pos, 32, &shared) || !varint(b->data, end, &pos, 32, &unshared) ||
            !varint(b->data, end, &pos, 32, &vlen)) {
            st = damaged(w, b->offset + (int64_t)at, "an entry header of the %s block is cut off", which);
            break;
        }
        if (shared > key_len || unshared > end - pos || vlen > end - pos - unshared) {
            st = damaged(w, b->offset + (int64_t)at,
                         "an entry of the %s block has lengths that do not fit in it", which);
            break;
        }
        size_t new_len = (size_t)(shared + unshared);
        if (new_len > key_cap) {
            size_t cap = key_cap ? key_cap : 64;
            while (cap < new_len) cap *= 2;
            uint8_t *grown = frost__alloc(w->a, cap);
            if (!grown) {
                st = frost__fail(w->err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory reading '%s'",
                                 w->what);
                break;
            }
            if (key_len) memcpy(grown, key, key_len);
            frost__free(w->a, key);
            key = grown;
            key_cap = cap;
        }
        if (unshared) memcpy(key + shared, b->data + pos, (size_t)unshared);
        key_len = new_len;
        pos += (size_t)unshared;
        st = fn(w, user, key ? key : (const uint8_t *)"", key_len, b->data + pos, (size_t)vlen, b);
        pos += (size_t)vlen;
    }
    frost__free(w->a, key);
    return st;
}

typedef struct data_visit {
    frost__sstable_visit visit;
    void *user;
} data_visit;

static frost_status on_data_entry(walker *w, void *user, const uint8_t *key, size_t key_len,
                                  const uint8_t *value, size_t value_len, const block *b) {
    data_visit *dv = user;
    return dv->visit(dv->user, key, key_len, value, value_len, b->offset, w->err);
}

static frost_status on_index_entry(walker *w, void *user, const uint8_t *key, size_t key_len,
                                   const uint8_t *value, size_t value_len, const block *ib) {
    (void)key;
    (void)key_len;
    size_t pos = 0;
    uint64_t off, len;
    if (!varint(value, value_len, &pos, 64, &off) || !varint(value, value_len, &pos, 64, &len))
        return damaged(w, ib->offset, "%s", "an index entry does not hold a block handle");
    block b;
    FROST_TRY(read_block(w, off, len, "data", &b));
    frost_status st = walk_block(w, &b, "data", on_data_entry, user);
    frost__free(w->a, b.owned);
    return st;
}

frost_status frost__sstable_walk(const void *data, size_t size, const char *what,
                                 const frost_allocator *a, size_t max_block_bytes,
                                 frost__sstable_visit visit, void *user, frost_error *err) {
    walker w = {data, size, what ? what : "table", a, max_block_bytes, err};
    if (!data || size < FOOTER_BYTES)
        return frost__fail(err, FROST_E_FORMAT, NULL, NULL, (int64_t)size,
                           "'%s' is not a valid checkpoint index table: %zu bytes, shorter than "
                           "the 48-byte footer every table ends with (truncated?)",
                           w.what, size);
    const uint8_t *footer = w.file + size - FOOTER_BYTES;
    uint64_t magic = (uint64_t)load32(footer + 40) | (uint64_t)load32(footer + 44) << 32;
    if (magic != TABLE_MAGIC)
        return damaged(&w, (int64_t)(size - 8), "%s",
                       "the footer does not end with the table magic number (truncated or not a "
                       "table)");
    size_t pos = 0;
    uint64_t meta_off, meta_len, index_off, index_len;
    if (!varint(footer, 40, &pos, 64, &meta_off) || !varint(footer, 40, &pos, 64, &meta_len) ||
        !varint(footer, 40, &pos, 64, &index_off) || !varint(footer, 40, &pos, 64, &index_len))
        return damaged(&w, (int64_t)(size - FOOTER_BYTES), "%s",
                       "the footer's block handles are malformed");
    /* The metaindex block is empty in checkpoints (no filters); checked all the same, so damage
     * anywhere but the footer's padding is caught. */
    block mb;
    FROST_TRY(read_block(&w, meta_off, meta_len, "metaindex", &mb));
    frost__free(a, mb.owned);
    block ib;
    FROST_TRY(read_block(&w, index_off, index_len, "index", &ib));
    data_visit dv = {visit, user};
    frost_status st = walk_block(&w, &ib, "index", on_index_entry, &dv);
    frost__free(a, ib.owned);
    return st;
}
