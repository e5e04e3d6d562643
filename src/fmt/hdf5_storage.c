/* hdf5_storage.c — where a dataset's elements are stored and how to get them back: the data layout
 * message (versions 3 and 4: compact, contiguous, chunked), the filter pipeline (deflate, shuffle,
 * fletcher32) and the chunk index (version 1 B-tree; version 4 single-chunk, implicit and fixed
 * array indexes; extensible arrays and version 2 B-trees, used only for resizable datasets, fail
 * with FROST_E_UNSUPPORTED).
 *
 * Every chunk is checked before it is copied: its offsets must be multiples of the chunk shape
 * inside the dataset, its stored bytes inside the image, and its decoded size that of a chunk. A
 * chunk never inflates past its declared size, and a dataset never visits more chunks than it has
 * slots for, so decompression is bounded by the dataset's declared size. Missing chunks read as
 * zeros (the default fill value). It never reads outside the image. */
#include "fmt/hdf5_internal.h"

#include <stdio.h>
#include <zlib.h>

enum { LAYOUT_COMPACT = 0, LAYOUT_CONTIGUOUS = 1, LAYOUT_CHUNKED = 2 };
enum { INDEX_BTREE1 = 0, INDEX_SINGLE = 1, INDEX_IMPLICIT = 2, INDEX_FIXED_ARRAY = 3 };
enum { FILTER_DEFLATE = 1, FILTER_SHUFFLE = 2, FILTER_FLETCHER32 = 3 };
#define MAX_FILTERS 32

typedef struct layout {
    int cls, index;
    uint64_t addr, size;          /* contiguous data; chunk index address                    */
    const uint8_t *compact;
    size_t compact_n;
    unsigned ndims;               /* chunk dimensions, the last one being the element size   */
    uint64_t chunk[33];
    uint64_t single_size;         /* filtered single chunk: stored size and filter mask      */
    uint32_t single_mask;
    bool single_filtered;
} layout;

typedef struct filter {
    unsigned id;
    uint32_t shuffle_size;        /* element size the shuffle filter was given (0: none)     */
} filter;

/* What one read needs, passed around the helpers. */
typedef struct reader {
    h5_image *img;
    const char *path;
    const h5_dataspace *space;
    const h5_datatype *type;
    uint8_t *out;
    layout lay;
    filter filters[MAX_FILTERS];
    int n_filters;
    uint64_t chunk_bytes, slots, visited, stored;
    uint64_t decoded, decoded_cap;   /* chunk bytes produced so far, and their bound            */
    uint8_t *scratch[2];
    frost_error *err;
    uint64_t msg_off;
} reader;

static frost_status fail_at(reader *r, frost_status code, uint64_t off, const char *fmt, ...)
    FROST_PRINTF(4, 5);
static frost_status fail_at(reader *r, frost_status code, uint64_t off, const char *fmt, ...) {
    char detail[320];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    return frost__fail(r->err, code, NULL, NULL, off > (uint64_t)INT64_MAX ? -1 : (int64_t)off,
                       "%s: dataset '%s': %s (offset 0x%llx)", r->img->what, r->path, detail,
                       (unsigned long long)off);
}

static frost_status parse_layout(reader *r, const h5_message *m) {
    h5_image *img = r->img;
    layout *l = &r->lay;
    h5_cursor c = h5_message_cursor(m);
    unsigned version = (unsigned)h5_get(&c, 1);
    if (version < 3 || version > 4)
        return fail_at(r, FROST_E_UNSUPPORTED, m->off,
                       "data layout message version %u is not supported (3 and 4 are)", version);
    l->cls = (int)h5_get(&c, 1);
    if (l->cls == LAYOUT_COMPACT) {
        l->compact_n = (size_t)h5_get(&c, 2);
        l->compact = h5_take(&c, l->compact_n);
    } else if (l->cls == LAYOUT_CONTIGUOUS) {
        l->addr = frost__h5_addr(img, &c);
        l->size = h5_len(img, &c);
    } else if (l->cls == LAYOUT_CHUNKED) {
        unsigned flags = 0, enc = 4;
        if (version == 4) flags = (unsigned)h5_get(&c, 1);
        l->ndims = (unsigned)h5_get(&c, 1);
        if (version == 3) l->addr = frost__h5_addr(img, &c);
        if (version == 4) enc = (unsigned)h5_get(&c, 1);
        if (l->ndims < 2 || l->ndims > 33 || enc < 1 || enc > 8)
            return fail_at(r, FROST_E_FORMAT, m->off,
                           "chunked layout with %u dimensions of %u bytes", l->ndims, enc);
        for (unsigned i = 0; i < l->ndims; i++) l->chunk[i] = h5_get(&c, enc);
        if (version == 3) {
            l->index = INDEX_BTREE1;
        } else {
            unsigned index = (unsigned)h5_get(&c, 1);
            if (index == 1) {
                l->index = INDEX_SINGLE;
                if (flags & 2) {
                    l->single_filtered = true;
                    l->single_size = h5_len(img, &c);
                    l->single_mask = (uint32_t)h5_get(&c, 4);
                }
            } else if (index == 2) {
                l->index = INDEX_IMPLICIT;
            } else if (index == 3) {
                l->index = INDEX_FIXED_ARRAY;
                h5_skip(&c, 1);   /* page bits: the array's header repeats them */
            } else {
                static const char *names[] = {"", "", "", "", "extensible array",
                                              "version 2 B-tree"};
                return fail_at(r, FROST_E_UNSUPPORTED, m->off,
                               "its chunk index (%s, type %u) is not supported (version 1 B-tree, "
                               "single chunk, implicit and fixed array are)", index < 6 ? names[index] : "unknown",
                               index);
            }
            l->addr = frost__h5_addr(img, &c);
        }
    } else {
        return fail_at(r, FROST_E_UNSUPPORTED, m->off, "data layout class %d is not supported",
                       l->cls);
    }
    if (c.bad) return fail_at(r, FROST_E_FORMAT, m->off, "the data layout message is cut short");
    return FROST_OK;
}

static frost_status parse_filters(reader *r, const h5_message *m) {
    h5_cursor c = h5_message_cursor(m);
    unsigned version = (unsigned)h5_get(&c, 1);
    unsigned n = (unsigned)h5_get(&c, 1);
    if (version == 1) h5_skip(&c, 6);
    if ((version != 1 && version != 2) || n > MAX_FILTERS)
        return fail_at(r, FROST_E_FORMAT, m->off, "filter pipeline version %u with %u filters",
                       version, n);
    for (unsigned i = 0; i < n; i++) {
        unsigned id = (unsigned)h5_get(&c, 2);
        size_t name_len = version == 1 || id >= 256 ? (size_t)h5_get(&c, 2) : 0;
        h5_get(&c, 2);   /* flags */
        unsigned nvalues = (unsigned)h5_get(&c, 2);
        if (version == 1) name_len = (name_len + 7) & ~(size_t)7;
        h5_skip(&c, name_len);
        uint32_t first = nvalues ? (uint32_t)h5_get(&c, 4) : 0;
        if (nvalues) h5_skip(&c, 4 * ((size_t)nvalues - 1));
        if (version == 1 && (nvalues & 1)) h5_skip(&c, 4);
        if (c.bad) return fail_at(r, FROST_E_FORMAT, m->off, "the filter pipeline is cut short");
        if (id != FILTER_DEFLATE && id != FILTER_SHUFFLE && id != FILTER_FLETCHER32) {
            const char *known = id == 4 ? " (szip)" : id == 5 ? " (nbit)" : id == 6 ? " (scaleoffset)"
                                : id == 32001 ? " (blosc)" : id == 32004 ? " (lz4)" : "";
            return fail_at(r, FROST_E_UNSUPPORTED, m->off,
                           "filter %u%s is not supported (deflate, shuffle and fletcher32 are)",
                           id, known);
        }
        r->filters[r->n_filters].id = id;
        r->filters[r->n_filters].shuffle_size = first;
        r->n_filters++;
    }
    return FROST_OK;
}

static bool inflate_into(const uint8_t *in, size_t n, uint8_t *out, size_t cap, size_t *got) {
    z_stream z;
    memset(&z, 0, sizeof z);
    *got = 0;
    if (inflateInit(&z) != Z_OK) return false;
    z.next_in = (Bytef *)(uintptr_t)in;
    z.avail_in = (uInt)FROST_MIN(n, (size_t)UINT32_MAX);
    z.next_out = out;
    z.avail_out = (uInt)FROST_MIN(cap, (size_t)UINT32_MAX);
    int rc = inflate(&z, Z_FINISH);
    *got = (size_t)z.total_out;
    inflateEnd(&z);
    return rc == Z_STREAM_END;
}

static void unshuffle(const uint8_t *in, size_t n, uint8_t *out, size_t es) {
    size_t count = n / es;   /* an element size past the data (a damaged one) leaves it as is */
    if (count == 0) es = 0;
    for (size_t j = 0; j < es; j++)
        for (size_t i = 0; i < count; i++) out[i * es + j] = in[j * count + i];
    memcpy(out + count * es, in + count * es, n - count * es);
}

/* Undoes the filters not masked off, last to first; *data and *n become the decoded bytes. */
static frost_status unfilter(reader *r, const uint8_t **data, size_t *n, uint32_t mask,
                             uint64_t off) {
    size_t cap = (size_t)r->chunk_bytes + 64;
    int which = 0;
    for (int k = r->n_filters - 1; k >= 0; k--) {
        if (mask & (1u << k)) continue;
        const filter *f = &r->filters[k];
        uint8_t *dst = r->scratch[which];
        if (f->id == FILTER_FLETCHER32) {
            if (*n < 4) return fail_at(r, FROST_E_FORMAT, off, "a fletcher32 chunk under 4 bytes");
            *n -= 4;
            continue;
        }
        if (f->id == FILTER_DEFLATE) {
            size_t got;
            if (!inflate_into(*data, *n, dst, cap, &got))
                return fail_at(r, FROST_E_FORMAT, off,
                               got >= cap ? "a chunk inflates past its %llu-byte size"
                                          : "a chunk does not inflate (bad deflate data, %llu-byte chunk)",
                               (unsigned long long)r->chunk_bytes);
            *n = got;
        } else {   /* shuffle */
            size_t es = f->shuffle_size ? f->shuffle_size : r->type->size;
            if (*n > cap) return fail_at(r, FROST_E_FORMAT, off, "a shuffled chunk is too large");
            if (es > 1) unshuffle(*data, *n, dst, es);
            else memcpy(dst, *data, *n);
        }
        *data = dst;
        which ^= 1;
    }
    return FROST_OK;
}

/* Copies one decoded chunk whose first element is at `origin` into the dataset buffer: only the
 * rows inside the dataset (an edge chunk hangs over its end) are visited. */
static void place_chunk(reader *r, const uint8_t *src, const uint64_t *origin) {
    int rank = r->space->rank;
    const uint64_t *dims = r->space->dims, *cd = r->lay.chunk;
    size_t es = r->type->size;
    uint64_t idx[33] = {0}, span[33];
    for (int d = 0; d < rank; d++) span[d] = FROST_MIN(cd[d], dims[d] - origin[d]);
    for (;;) {
        /* Offset in the dataset and in the chunk of row idx[0..rank-2]. */
        uint64_t dpos = 0, cpos = 0;
        for (int d = 0; d < rank - 1; d++) {
            dpos = dpos * dims[d] + origin[d] + idx[d];
            cpos = cpos * cd[d] + idx[d];
        }
        dpos = dpos * dims[rank - 1] + origin[rank - 1];
        cpos *= cd[rank - 1];
        memcpy(r->out + dpos * es, src + cpos * es, (size_t)(span[rank - 1] * es));
        int d = rank - 2;
        while (d >= 0 && ++idx[d] == span[d]) idx[d--] = 0;
        if (d < 0) break;
    }
}

static frost_status read_chunk(reader *r, uint64_t addr, uint64_t size, uint32_t mask,
                               const uint64_t *origin, uint64_t at) {
    if (++r->visited > r->slots)
        return fail_at(r, FROST_E_FORMAT, at, "its chunk index lists more chunks than the %llu "
                       "the dataset has room for", (unsigned long long)r->slots);
    FROST_TRY(frost__h5_work(r->img, r->err, at));
    for (int d = 0; d < r->space->rank; d++)
        if (origin[d] >= r->space->dims[d] || origin[d] % r->lay.chunk[d])
            return fail_at(r, FROST_E_FORMAT, at, "a chunk sits at offset %llu of dimension %d "
                           "(size %llu, chunks of %llu)", (unsigned long long)origin[d], d,
                           (unsigned long long)r->space->dims[d],
                           (unsigned long long)r->lay.chunk[d]);
    /* Chunks overhanging the dataset are decoded whole: bound the total, not just each chunk. */
    r->decoded += r->chunk_bytes;
    if (r->decoded > r->decoded_cap)
        return fail_at(r, FROST_E_LIMIT, at, "its chunks decode to more than %llu bytes (4x the "
                       "dataset + 1 MiB)", (unsigned long long)r->decoded_cap);
    h5_cursor c;
    if (!frost__h5_at(r->img, addr, size, &c))
        return fail_at(r, FROST_E_FORMAT, at, "a %llu-byte chunk at address 0x%llx lies outside "
                       "the file (truncated or corrupted data)", (unsigned long long)size,
                       (unsigned long long)addr);
    r->stored += size;
    const uint8_t *data = c.p;
    size_t n = c.n;
    FROST_TRY(unfilter(r, &data, &n, mask, c.off));
    if (n < r->chunk_bytes)
        return fail_at(r, FROST_E_FORMAT, c.off, "a chunk decodes to %zu bytes, not %llu", n,
                       (unsigned long long)r->chunk_bytes);
    place_chunk(r, data, origin);
    return FROST_OK;
}

/* A version 1 B-tree of chunks (node type 1). */
static frost_status walk_chunk_btree(reader *r, uint64_t addr, int expect_level) {
    h5_image *img = r->img;
    uint64_t where = (uint64_t)frost__h5_offset(img, addr);
    FROST_TRY(frost__h5_work(img, r->err, where));
    h5_cursor c;
    if (!frost__h5_at_open(img, addr, &c) || c.n < 8 || memcmp(c.p, "TREE", 4))
        return fail_at(r, FROST_E_FORMAT, where, "no chunk B-tree node at address 0x%llx",
                       (unsigned long long)addr);
    h5_skip(&c, 4);
    unsigned type = (unsigned)h5_get(&c, 1);
    int level = (int)h5_get(&c, 1);
    unsigned entries = (unsigned)h5_get(&c, 2);
    if (type != 1 || level >= FROST_H5_MAX_DEPTH || (expect_level >= 0 && level != expect_level))
        return fail_at(r, FROST_E_FORMAT, where, "chunk B-tree node of type %u at level %d%s",
                       type, level, expect_level >= 0 ? " (not one below its parent)" : "");
    frost__h5_addr(img, &c);
    frost__h5_addr(img, &c);
    for (unsigned i = 0; i < entries; i++) {
        uint64_t at = h5_here(&c);
        uint64_t size = h5_get(&c, 4);
        uint32_t mask = (uint32_t)h5_get(&c, 4);
        uint64_t origin[33];
        for (unsigned d = 0; d < r->lay.ndims; d++) origin[d] = h5_get(&c, 8);
        uint64_t child = frost__h5_addr(img, &c);
        if (c.bad)
            return fail_at(r, FROST_E_FORMAT, where, "chunk B-tree node entry %u runs past the "
                           "end of the file", i);
        if (level == 0) FROST_TRY(read_chunk(r, child, size, mask, origin, at));
        else FROST_TRY(walk_chunk_btree(r, child, level - 1));
    }
    return FROST_OK;
}

/* The first element of chunk k, chunks numbered in row-major order of their positions. */
static void chunk_origin(const reader *r, uint64_t k, uint64_t *origin) {
    for (int d = r->space->rank - 1; d >= 0; d--) {
        uint64_t per = r->space->dims[d] / r->lay.chunk[d] + (r->space->dims[d] % r->lay.chunk[d] != 0);
        origin[d] = (k % per) * r->lay.chunk[d];
        k /= per;
    }
}

/* A fixed array ("FAHD" header, "FADB" data block, optionally in pages): one entry per chunk, in
 * row-major order of chunk positions; filtered chunks' entries carry their size and filter mask. */
static frost_status read_fixed_array(reader *r) {
    h5_image *img = r->img;
    uint64_t where = (uint64_t)frost__h5_offset(img, r->lay.addr);
    h5_cursor c;
    if (!frost__h5_at_open(img, r->lay.addr, &c) || c.n < 8 || memcmp(c.p, "FAHD", 4))
        return fail_at(r, FROST_E_FORMAT, where, "no fixed array header at address 0x%llx",
                       (unsigned long long)r->lay.addr);
    h5_skip(&c, 5);
    unsigned client = (unsigned)h5_get(&c, 1), entry = (unsigned)h5_get(&c, 1);
    unsigned page_bits = (unsigned)h5_get(&c, 1);
    uint64_t count = h5_len(img, &c), block = frost__h5_addr(img, &c);
    bool filtered = client == 1;
    unsigned size_bytes = filtered && entry > img->so + 4 ? entry - img->so - 4 : 0;
    if (c.bad || client > 1 || entry < img->so || (filtered && (size_bytes == 0 || size_bytes > 8)) ||
        page_bits == 0 || page_bits > 32 || count > r->slots)
        return fail_at(r, FROST_E_FORMAT, where, "fixed array header: client %u, %u-byte entries, "
                       "%llu entries for %llu chunks", client, entry, (unsigned long long)count,
                       (unsigned long long)r->slots);
    if (filtered != (r->n_filters > 0))
        return fail_at(r, FROST_E_FORMAT, where, "fixed array of %s chunks with %d filters",
                       filtered ? "filtered" : "unfiltered", r->n_filters);
    uint64_t page = (uint64_t)1 << page_bits;
    bool paged = count > page;
    uint64_t pages = paged ? (count + page - 1) / page : 0, bitmap = (pages + 7) / 8;
    uint64_t bwhere = (uint64_t)frost__h5_offset(img, block);
    h5_cursor b;
    if (!frost__h5_at_open(img, block, &b) || b.n < 6 + img->so || memcmp(b.p, "FADB", 4))
        return fail_at(r, FROST_E_FORMAT, bwhere, "no fixed array data block at address 0x%llx",
                       (unsigned long long)block);
    h5_skip(&b, 6);
    frost__h5_addr(img, &b);
    const uint8_t *bits = h5_take(&b, (size_t)bitmap);
    if (!bits)
        return fail_at(r, FROST_E_FORMAT, bwhere, "fixed array data block is cut short");
    /* Unpaged: the entries follow. Paged: the block ends with a checksum, pages follow it, each
     * with its own checksum. */
    uint64_t first = b.at + (paged ? 4 : 0);
    for (uint64_t k = 0; k < count; k++) {
        uint64_t pos = first + k * entry;
        if (paged) {
            uint64_t p = k / page;
            if (!(bits[p / 8] & (0x80u >> (p % 8)))) continue;   /* page never written */
            pos = first + p * (page * entry + 4) + (k % page) * entry;
        }
        if (pos > b.n || entry > b.n - pos)
            return fail_at(r, FROST_E_FORMAT, bwhere, "fixed array entry %llu lies outside the "
                           "file", (unsigned long long)k);
        h5_cursor e = {b.p + pos, entry, 0, b.off + pos, false};
        uint64_t addr = frost__h5_addr(img, &e);
        uint64_t size = filtered ? h5_get(&e, size_bytes) : r->chunk_bytes;
        uint32_t mask = filtered ? (uint32_t)h5_get(&e, 4) : 0;
        if (addr == FROST_H5_UNDEF) continue;
        uint64_t origin[33] = {0};
        chunk_origin(r, k, origin);
        FROST_TRY(read_chunk(r, addr, size, mask, origin, e.off));
    }
    return FROST_OK;
}

static frost_status read_chunked(reader *r) {
    int rank = r->space->rank;
    layout *l = &r->lay;
    if ((int)l->ndims != rank + 1 || l->chunk[rank] != r->type->size)
        return fail_at(r, FROST_E_FORMAT, r->msg_off, "its %u-dimensional chunks of %llu-byte "
                       "elements do not fit a rank-%d dataset of %u-byte elements", l->ndims - 1,
                       (unsigned long long)l->chunk[l->ndims - 1], rank, r->type->size);
    uint64_t elems = 1;
    r->slots = 1;
    for (int d = 0; d < rank; d++) {
        if (l->chunk[d] == 0 || l->chunk[d] > UINT32_MAX)
            return fail_at(r, FROST_E_FORMAT, r->msg_off, "chunk dimension %d is %llu", d,
                           (unsigned long long)l->chunk[d]);
        uint64_t per = r->space->dims[d] / l->chunk[d] + (r->space->dims[d] % l->chunk[d] != 0);
        if (__builtin_mul_overflow(elems, l->chunk[d], &elems) ||
            __builtin_mul_overflow(r->slots, per, &r->slots))
            return fail_at(r, FROST_E_LIMIT, r->msg_off, "its chunks are too large");
    }
    /* A chunk may overhang a small dataset, but not by gigabytes: scratch space is two chunks. */
    uint64_t count, data_bytes;
    frost__h5_dataspace_count(r->space, &count);
    data_bytes = count * r->type->size;   /* allocated by the caller: no overflow */
    if (__builtin_mul_overflow(elems, (uint64_t)r->type->size, &r->chunk_bytes) ||
        r->chunk_bytes > FROST_MAX(data_bytes, (uint64_t)1 << 20))
        return fail_at(r, FROST_E_LIMIT, r->msg_off, "its chunks of %llu elements are larger than "
                       "the dataset (%llu bytes) and than 1 MiB", (unsigned long long)elems,
                       (unsigned long long)data_bytes);
    r->decoded_cap = data_bytes * 4 + ((uint64_t)1 << 20);
    for (int i = 0; i < 2; i++) {
        r->scratch[i] = frost__alloc(r->img->a, (size_t)r->chunk_bytes + 64);
        if (!r->scratch[i]) return frost__fail(r->err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
    }
    if (l->addr == FROST_H5_UNDEF) return FROST_OK;   /* nothing written */
    uint64_t origin[33] = {0};
    if (l->index == INDEX_BTREE1) return walk_chunk_btree(r, l->addr, -1);
    if (l->index == INDEX_FIXED_ARRAY) return read_fixed_array(r);
    if (l->index == INDEX_SINGLE) {
        uint64_t size = l->single_filtered ? l->single_size : r->chunk_bytes;
        return read_chunk(r, l->addr, size, l->single_filtered ? l->single_mask : 0, origin,
                          r->msg_off);
    }
    /* Implicit: every chunk stored unfiltered, in row-major order of chunk positions. */
    if (r->n_filters)
        return fail_at(r, FROST_E_FORMAT, r->msg_off, "an implicit chunk index with filters");
    for (uint64_t k = 0; k < r->slots; k++) {
        chunk_origin(r, k, origin);
        FROST_TRY(read_chunk(r, l->addr + k * r->chunk_bytes, r->chunk_bytes, 0, origin,
                             r->msg_off));
    }
    return FROST_OK;
}

frost_status frost__h5_read_raw(h5_image *img, const h5_object_header *oh, const char *path,
                                const h5_dataspace *space, const h5_datatype *t, void *buf,
                                frost_error *err) {
    reader r;
    memset(&r, 0, sizeof r);
    r.img = img;
    r.path = path;
    r.space = space;
    r.type = t;
    r.out = buf;
    r.err = err;
    const h5_message *lm = frost__h5_find_message(oh, H5M_LAYOUT);
    if (!lm)
        return frost__fail(err, FROST_E_FORMAT, NULL, NULL, frost__h5_offset(img, oh->addr),
                           "%s: dataset '%s' has no data layout message", img->what, path);
    r.msg_off = lm->off;
    FROST_TRY(parse_layout(&r, lm));
    const h5_message *fm = frost__h5_find_message(oh, H5M_FILTERS);
    if (fm) FROST_TRY(parse_filters(&r, fm));
    uint64_t count;
    frost__h5_dataspace_count(space, &count);   /* checked by the caller */
    uint64_t need = count * t->size;
    frost_status st = FROST_OK;
    if (r.lay.cls == LAYOUT_COMPACT) {
        r.stored = r.lay.compact_n;
        if (buf && r.stored >= need) memcpy(buf, r.lay.compact, (size_t)need);
    } else if (r.lay.cls == LAYOUT_CONTIGUOUS) {
        r.stored = r.lay.addr == FROST_H5_UNDEF ? 0 : r.lay.size;
        h5_cursor c;
        if (r.stored >= need) {
            if (!frost__h5_at(img, r.lay.addr, need, &c))
                return fail_at(&r, FROST_E_FORMAT, lm->off, "its %llu bytes at address 0x%llx "
                               "lie outside the file (truncated or corrupted data)",
                               (unsigned long long)need, (unsigned long long)r.lay.addr);
            if (buf) memcpy(buf, c.p, (size_t)need);
        }
    } else if (!buf) {
        r.stored = r.lay.addr == FROST_H5_UNDEF ? 0 : 1;   /* what is stored shows when read */
        need = 1;
    } else {
        memset(buf, 0, (size_t)need);
        st = read_chunked(&r);
        need = r.stored ? 0 : 1;   /* chunked: only "nothing stored at all" is an error here */
    }
    for (int i = 0; i < 2; i++) frost__free(img->a, r.scratch[i]);
    if (st != FROST_OK) return st;
    if (r.stored < need) {
        frost__shape s;
        memset(&s, 0, sizeof s);
        s.rank = FROST_MIN(space->rank, FROST_MAX_RANK);
        for (int i = 0; i < s.rank; i++) s.d[i] = (int64_t)space->dims[i];
        char sbuf[128];
        return frost__fail(err, FROST_E_FORMAT, NULL, NULL, (int64_t)lm->off,
                           "%s: dataset '%s' declares shape %s but stores only %llu bytes",
                           img->what, path, frost__shape_str(&s, sbuf, sizeof sbuf),
                           (unsigned long long)r.stored);
    }
    return FROST_OK;
}
