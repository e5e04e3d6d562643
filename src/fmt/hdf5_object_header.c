/* hdf5_object_header.c — parses HDF5 object headers (version 1, and version 2 "OHDR" with "OCHK"
 * continuation chunks) into a flat list of messages that point into the image.
 *
 * Every message must lie inside its chunk and every chunk inside the image; continuation chunks are
 * followed at most FROST_H5_MAX_HEADER_CHUNKS times and never twice (a chunk pointing back at an
 * earlier one is an error, not a loop). Checksums are not verified: the bounds checks are what
 * keeps a damaged header from doing harm. It never interprets message contents beyond
 * continuations. */
#include "fmt/hdf5_internal.h"

typedef struct chunk {
    uint64_t addr, len;
} chunk;

static frost_status add_message(const h5_image *img, h5_object_header *oh, unsigned type,
                                unsigned flags, const uint8_t *p, size_t n, frost_error *err) {
    if (oh->n >= FROST_H5_MAX_MESSAGES)
        return frost__fail(err, FROST_E_LIMIT, NULL, NULL, frost__h5_offset(img, oh->addr),
                           "%s: object header at offset 0x%llx has more than %d messages",
                           img->what, (unsigned long long)frost__h5_offset(img, oh->addr),
                           FROST_H5_MAX_MESSAGES);
    if (!frost__grow(img->a, (void **)&oh->m, &oh->cap, oh->n + 1, sizeof *oh->m))
        return frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
    h5_message *m = &oh->m[oh->n++];
    m->type = (uint16_t)type;
    m->flags = (uint8_t)flags;
    m->p = p;
    m->n = n;
    m->off = (uint64_t)(p - img->data);
    return FROST_OK;
}

/* Queues a continuation block (after checking it is new and inside the image). */
static frost_status add_chunk(const h5_image *img, h5_object_header *oh, const h5_message *m,
                              chunk *chunks, int *n_chunks, frost_error *err) {
    h5_cursor c = h5_message_cursor(m);
    uint64_t addr = frost__h5_addr(img, &c), len = h5_len(img, &c);
    h5_cursor probe;
    if (c.bad || !frost__h5_at(img, addr, len, &probe))
        return frost__h5_corrupt(img, err, m->off,
                                 "object header at offset 0x%llx: continuation block at address "
                                 "0x%llx (%llu bytes) lies outside the file",
                                 (unsigned long long)frost__h5_offset(img, oh->addr),
                                 (unsigned long long)addr, (unsigned long long)len);
    for (int i = 0; i < *n_chunks; i++)
        if (chunks[i].addr == addr)
            return frost__h5_corrupt(img, err, m->off,
                                     "object header at offset 0x%llx: continuation block 0x%llx "
                                     "is visited twice (a loop)",
                                     (unsigned long long)frost__h5_offset(img, oh->addr),
                                     (unsigned long long)addr);
    if (*n_chunks >= FROST_H5_MAX_HEADER_CHUNKS)
        return frost__fail(err, FROST_E_LIMIT, NULL, NULL, (int64_t)m->off,
                           "%s: object header at offset 0x%llx has more than %d continuation "
                           "blocks", img->what, (unsigned long long)frost__h5_offset(img, oh->addr),
                           FROST_H5_MAX_HEADER_CHUNKS);
    chunks[*n_chunks].addr = addr;
    chunks[*n_chunks].len = len;
    ++*n_chunks;
    return FROST_OK;
}

/* Messages of one chunk: v1 (8-byte headers, 8-byte aligned) or v2 (4- or 6-byte headers). */
static frost_status read_messages(const h5_image *img, h5_object_header *oh, h5_cursor *c,
                                  int version, bool creation_order, chunk *chunks, int *n_chunks,
                                  frost_error *err) {
    unsigned header = version == 1 ? 8u : creation_order ? 6u : 4u;
    while (c->n - c->at >= header) {
        uint64_t at = h5_here(c);
        unsigned type, flags;
        size_t size;
        if (version == 1) {
            type = (unsigned)h5_get(c, 2);
            size = (size_t)h5_get(c, 2);
            flags = (unsigned)h5_get(c, 1);
            h5_skip(c, 3);
        } else {
            type = (unsigned)h5_get(c, 1);
            size = (size_t)h5_get(c, 2);
            flags = (unsigned)h5_get(c, 1);
            if (creation_order) h5_skip(c, 2);
        }
        const uint8_t *data = h5_take(c, size);
        if (!data)
            return frost__h5_corrupt(img, err, at,
                                     "object header at offset 0x%llx: message %d (type %u, %zu "
                                     "bytes) runs past the header end",
                                     (unsigned long long)frost__h5_offset(img, oh->addr), oh->n,
                                     type, size);
        if (type == H5M_NIL) continue;
        FROST_TRY(add_message(img, oh, type, flags, data, size, err));
        if (type == H5M_CONTINUATION)
            FROST_TRY(add_chunk(img, oh, &oh->m[oh->n - 1], chunks, n_chunks, err));
        if (version == 1 && (c->at & 7)) h5_skip(c, 8 - (c->at & 7));
        if (c->bad) break;   /* the last message's padding: fine */
    }
    return FROST_OK;
}

frost_status frost__h5_object_header(h5_image *img, uint64_t addr, h5_object_header *oh,
                                     frost_error *err) {
    memset(oh, 0, sizeof *oh);
    oh->addr = addr;
    uint64_t where = (uint64_t)frost__h5_offset(img, addr);
    h5_cursor c;
    if (!frost__h5_at_open(img, addr, &c) || c.n < 16)
        return frost__h5_corrupt(img, err, where,
                                 "object header at address 0x%llx lies outside the file",
                                 (unsigned long long)addr);
    FROST_TRY(frost__h5_work(img, err, where));
    chunk *chunks = frost__calloc(img->a, FROST_H5_MAX_HEADER_CHUNKS, sizeof *chunks);
    if (!chunks) return frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
    int n_chunks = 0, version;
    bool creation_order = false;
    frost_status st = FROST_OK;
    h5_cursor first;
    if (!memcmp(c.p, "OHDR", 4)) {
        h5_skip(&c, 4);
        version = (int)h5_get(&c, 1);
        unsigned flags = (unsigned)h5_get(&c, 1);
        if (version != 2) {
            st = frost__h5_corrupt(img, err, where, "object header at offset 0x%llx has version %d",
                                   (unsigned long long)where, version);
            goto done;
        }
        creation_order = flags & 0x04;
        if (flags & 0x20) h5_skip(&c, 16);   /* access, modification, change, birth times */
        if (flags & 0x10) h5_skip(&c, 4);    /* attribute storage phase change */
        uint64_t size = h5_get(&c, 1u << (flags & 3));
        if (c.bad || size > c.n - c.at || c.n - c.at - size < 4) {
            st = frost__h5_corrupt(img, err, where,
                                   "object header at offset 0x%llx runs past the end of the file",
                                   (unsigned long long)where);
            goto done;
        }
        first = (h5_cursor){c.p + c.at, (size_t)size, 0, h5_here(&c), false};
    } else {
        version = (int)h5_get(&c, 1);
        if (version != 1) {
            st = frost__h5_corrupt(img, err, where,
                                   "no object header at offset 0x%llx (version byte %d)",
                                   (unsigned long long)where, version);
            goto done;
        }
        h5_skip(&c, 1 + 2 + 4);   /* reserved, message count, reference count */
        uint64_t size = h5_get(&c, 4);
        h5_skip(&c, 4);           /* alignment of the first message */
        if (c.bad || size > c.n - c.at) {
            st = frost__h5_corrupt(img, err, where,
                                   "object header at offset 0x%llx runs past the end of the file",
                                   (unsigned long long)where);
            goto done;
        }
        first = (h5_cursor){c.p + c.at, (size_t)size, 0, h5_here(&c), false};
    }
    chunks[n_chunks++] = (chunk){addr, 0};
    st = read_messages(img, oh, &first, version, creation_order, chunks, &n_chunks, err);
    for (int i = 1; st == FROST_OK && i < n_chunks; i++) {
        h5_cursor cc;
        frost__h5_at(img, chunks[i].addr, chunks[i].len, &cc);   /* checked by add_chunk */
        if (version == 2) {
            if (cc.n < 8 || memcmp(cc.p, "OCHK", 4)) {
                st = frost__h5_corrupt(img, err, cc.off,
                                       "object header at offset 0x%llx: continuation block at "
                                       "offset 0x%llx has no OCHK signature",
                                       (unsigned long long)where, (unsigned long long)cc.off);
                break;
            }
            cc = (h5_cursor){cc.p + 4, cc.n - 8, 0, cc.off + 4, false};   /* minus the checksum */
        }
        st = read_messages(img, oh, &cc, version, creation_order, chunks, &n_chunks, err);
    }
done:
    frost__free(img->a, chunks);
    if (st != FROST_OK) frost__h5_object_header_free(img, oh);
    return st;
}

void frost__h5_object_header_free(const h5_image *img, h5_object_header *oh) {
    frost__free(img->a, oh->m);
    oh->m = NULL;
    oh->n = oh->cap = 0;
}

const h5_message *frost__h5_find_message(const h5_object_header *oh, unsigned type) {
    for (int i = 0; i < oh->n; i++)
        if (oh->m[i].type == type) return &oh->m[i];
    return NULL;
}
