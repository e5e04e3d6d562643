/* hdf5_dense.c — dense storage of links and attributes: the messages live as objects in a fractal
 * heap ("FRHP", direct blocks "FHDB" under indirect blocks "FHIB") and a version 2 B-tree
 * ("BTHD", "BTIN", "BTLF") indexes them by name. HDF5 switches a group (or an object's attributes)
 * to it past 8 links (attributes) when the file is written with libver v18 or later, or when a
 * group gets soft or external links.
 *
 * The heap's direct blocks are collected first (each names its own heap offset), then every B-tree
 * record's heap ID is resolved to bytes inside one of them and handed on as a message. Every block
 * and node is checked against the image, levels strictly decrease (bounded by FROST_H5_MAX_DEPTH),
 * and blocks, nodes and records count against the work budget. Filtered heaps and "huge" objects
 * (never used for link or attribute messages of sane size) fail with FROST_E_UNSUPPORTED. */
#include "fmt/hdf5_internal.h"

#include <stdio.h>
#include <stdlib.h>

typedef struct dblock {
    uint64_t heap_off, size;
    const uint8_t *p;
    uint64_t img_off;
} dblock;

typedef struct fheap {
    uint64_t addr;                 /* image offset of the header, for messages              */
    unsigned off_size, len_size, width;
    uint64_t start, max_direct;
    unsigned max_dblock_rows;
    bool checksummed;
    dblock *blocks;
    int n, cap;
} fheap;

static unsigned log2u(uint64_t v) {
    unsigned r = 0;
    while (v > 1) {
        v >>= 1;
        r++;
    }
    return r;
}
static bool pow2(uint64_t v) { return v && !(v & (v - 1)); }
/* Bytes to encode values up to v (HDF5's "limit encoding size"). */
static unsigned enc_size(uint64_t v) { return log2u(v) / 8 + 1; }

static uint64_t row_size(const fheap *h, unsigned row) {
    return row == 0 ? h->start : h->start << (row - 1);
}

static frost_status add_direct(h5_image *img, fheap *h, uint64_t addr, uint64_t size,
                               frost_error *err) {
    FROST_TRY(frost__h5_work(img, err, h->addr));
    h5_cursor c;
    if (!frost__h5_at(img, addr, size, &c) || c.n < 5 + img->so + h->off_size ||
        memcmp(c.p, "FHDB", 4))
        return frost__h5_corrupt(img, err, h->addr,
                                 "fractal heap at offset 0x%llx: no %llu-byte direct block at "
                                 "address 0x%llx", (unsigned long long)h->addr,
                                 (unsigned long long)size, (unsigned long long)addr);
    h5_skip(&c, 5);
    frost__h5_addr(img, &c);
    uint64_t heap_off = h5_get(&c, h->off_size);
    if (!frost__grow(img->a, (void **)&h->blocks, &h->cap, h->n + 1, sizeof *h->blocks))
        return frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
    h->blocks[h->n++] = (dblock){heap_off, size, c.p, c.off};
    return FROST_OK;
}

static frost_status walk_indirect(h5_image *img, fheap *h, uint64_t addr, unsigned rows, int depth,
                                  frost_error *err) {
    FROST_TRY(frost__h5_work(img, err, h->addr));
    h5_cursor c;
    if (depth >= FROST_H5_MAX_DEPTH || rows > 64 || !frost__h5_at_open(img, addr, &c) || c.n < 4 ||
        memcmp(c.p, "FHIB", 4))
        return frost__h5_corrupt(img, err, h->addr,
                                 "fractal heap at offset 0x%llx: no indirect block of %u rows at "
                                 "address 0x%llx", (unsigned long long)h->addr, rows,
                                 (unsigned long long)addr);
    h5_skip(&c, 5);
    frost__h5_addr(img, &c);
    h5_skip(&c, h->off_size);
    for (unsigned r = 0; r < rows; r++) {
        uint64_t size = row_size(h, r);
        for (unsigned k = 0; k < h->width; k++) {
            uint64_t child = frost__h5_addr(img, &c);
            if (c.bad)
                return frost__h5_corrupt(img, err, c.off,
                                         "fractal heap indirect block at offset 0x%llx is cut short",
                                         (unsigned long long)c.off);
            if (child == FROST_H5_UNDEF) continue;
            if (r < h->max_dblock_rows) {
                FROST_TRY(add_direct(img, h, child, size, err));
            } else {
                unsigned child_rows = log2u(size) - log2u(h->start * h->width) + 1;
                if (child_rows >= rows)
                    return frost__h5_corrupt(img, err, c.off, "fractal heap indirect blocks loop");
                FROST_TRY(walk_indirect(img, h, child, child_rows, depth + 1, err));
            }
        }
    }
    return FROST_OK;
}

static int cmp_block(const void *a, const void *b) {
    uint64_t x = ((const dblock *)a)->heap_off, y = ((const dblock *)b)->heap_off;
    return x < y ? -1 : x > y;
}

static frost_status open_heap(h5_image *img, uint64_t addr, fheap *h, frost_error *err) {
    memset(h, 0, sizeof *h);
    h->addr = (uint64_t)frost__h5_offset(img, addr);
    h5_cursor c;
    if (!frost__h5_at_open(img, addr, &c) || c.n < 5 || memcmp(c.p, "FRHP", 4))
        return frost__h5_corrupt(img, err, h->addr, "no fractal heap at address 0x%llx",
                                 (unsigned long long)addr);
    h5_skip(&c, 5);
    h5_get(&c, 2);                               /* heap ID length */
    unsigned filters = (unsigned)h5_get(&c, 2);
    unsigned flags = (unsigned)h5_get(&c, 1);
    uint32_t max_managed = (uint32_t)h5_get(&c, 4);
    h5_len(img, &c);                             /* next huge object ID */
    frost__h5_addr(img, &c);                     /* huge objects B-tree */
    h5_len(img, &c);                             /* free space */
    frost__h5_addr(img, &c);                     /* free-space manager */
    for (int i = 0; i < 8; i++) h5_len(img, &c); /* managed/allocated/iterator/counts and sizes */
    h->width = (unsigned)h5_get(&c, 2);
    h->start = h5_len(img, &c);
    h->max_direct = h5_len(img, &c);
    unsigned max_bits = (unsigned)h5_get(&c, 2);
    h5_get(&c, 2);                               /* starting rows of the root indirect block */
    uint64_t root = frost__h5_addr(img, &c);
    unsigned root_rows = (unsigned)h5_get(&c, 2);
    if (c.bad) return frost__h5_corrupt(img, err, h->addr, "fractal heap header is cut short");
    if (filters)
        return frost__fail(err, FROST_E_UNSUPPORTED, NULL, NULL, (int64_t)h->addr,
                           "%s: fractal heap at offset 0x%llx is filtered, which frost does not read",
                           img->what, (unsigned long long)h->addr);
    if (!pow2(h->width) || h->width > 4096 || !pow2(h->start) || !pow2(h->max_direct) ||
        h->max_direct < h->start || max_bits == 0 || max_bits > 64 || max_managed == 0)
        return frost__h5_corrupt(img, err, h->addr,
                                 "fractal heap at offset 0x%llx has an impossible doubling table",
                                 (unsigned long long)h->addr);
    h->checksummed = flags & 2;
    h->off_size = (max_bits + 7) / 8;
    h->len_size = FROST_MIN((log2u(h->max_direct) + 7) / 8, enc_size(max_managed));
    h->max_dblock_rows = log2u(h->max_direct) - log2u(h->start) + 2;
    frost_status st = FROST_OK;
    if (root == FROST_H5_UNDEF) return FROST_OK;   /* empty */
    if (root_rows == 0) st = add_direct(img, h, root, h->start, err);
    else st = walk_indirect(img, h, root, root_rows, 0, err);
    if (st == FROST_OK && h->n > 1) qsort(h->blocks, (size_t)h->n, sizeof *h->blocks, cmp_block);
    return st;
}

/* The bytes a heap ID names, as a message of `type`. */
static frost_status heap_object(h5_image *img, const fheap *h, const uint8_t *id, size_t id_len,
                                uint64_t id_off, unsigned type, h5_message *m, frost_error *err) {
    h5_cursor c = {id, id_len, 0, id_off, false};
    unsigned head = (unsigned)h5_get(&c, 1);
    memset(m, 0, sizeof *m);
    m->type = (uint16_t)type;
    if ((head >> 6) != 0)
        return frost__h5_corrupt(img, err, id_off, "heap ID of version %u", head >> 6);
    unsigned kind = (head >> 4) & 3;
    if (kind == 2) {   /* tiny: the object is in the ID itself */
        size_t len = (head & 0x0f) + 1;
        const uint8_t *p = h5_take(&c, len);
        if (!p) return frost__h5_corrupt(img, err, id_off, "tiny heap object runs past its ID");
        m->p = p;
        m->n = len;
        m->off = id_off + 1;
        return FROST_OK;
    }
    if (kind != 0)
        return frost__fail(err, FROST_E_UNSUPPORTED, NULL, NULL, (int64_t)id_off,
                           "%s: a \"huge\" fractal heap object (heap at offset 0x%llx) is not "
                           "supported", img->what, (unsigned long long)h->addr);
    uint64_t off = h5_get(&c, h->off_size), len = h5_get(&c, h->len_size);
    if (c.bad) return frost__h5_corrupt(img, err, id_off, "heap ID is cut short");
    /* The last block starting at or before off. */
    int lo = 0, hi = h->n - 1, found = -1;
    while (lo <= hi) {
        int mid = lo + (hi - lo) / 2;
        if (h->blocks[mid].heap_off <= off) {
            found = mid;
            lo = mid + 1;
        } else {
            hi = mid - 1;
        }
    }
    const dblock *b = found >= 0 ? &h->blocks[found] : NULL;
    if (!b || off - b->heap_off > b->size || len > b->size - (off - b->heap_off))
        return frost__h5_corrupt(img, err, id_off,
                                 "heap ID names %llu bytes at heap offset %llu, outside every "
                                 "direct block of the fractal heap at offset 0x%llx",
                                 (unsigned long long)len, (unsigned long long)off,
                                 (unsigned long long)h->addr);
    m->p = b->p + (off - b->heap_off);
    m->n = (size_t)len;
    m->off = b->img_off + (off - b->heap_off);
    return FROST_OK;
}

/* ---- Version 2 B-trees ------------------------------------------------------------------------ */

typedef struct btree2 {
    unsigned type, node_size, rec_size, max_nrec_size;
    unsigned max_nrec[FROST_H5_MAX_DEPTH + 1], cum_size[FROST_H5_MAX_DEPTH + 1];
    unsigned id_at;                /* where the heap ID starts in a record                  */
    const fheap *heap;
    unsigned msg_type;
    frost__h5_dense_fn fn;
    void *ctx;
} btree2;

static frost_status walk_node(h5_image *img, const btree2 *t, uint64_t addr, unsigned nrec,
                              unsigned depth, frost_error *err) {
    uint64_t where = (uint64_t)frost__h5_offset(img, addr);
    FROST_TRY(frost__h5_work(img, err, where));
    h5_cursor c;
    const char *sig = depth ? "BTIN" : "BTLF";
    if (!frost__h5_at(img, addr, t->node_size, &c) || memcmp(c.p, sig, 4) || nrec > t->max_nrec[depth])
        return frost__h5_corrupt(img, err, where,
                                 "no version 2 B-tree node (%s, %u records) at address 0x%llx",
                                 sig, nrec, (unsigned long long)addr);
    h5_skip(&c, 6);
    for (unsigned i = 0; i < nrec; i++) {
        uint64_t at = h5_here(&c);
        const uint8_t *rec = h5_take(&c, t->rec_size);
        if (!rec) return frost__h5_corrupt(img, err, where, "version 2 B-tree node is cut short");
        FROST_TRY(frost__h5_work(img, err, at));
        h5_message m;
        FROST_TRY(heap_object(img, t->heap, rec + t->id_at, t->rec_size - t->id_at, at + t->id_at,
                              t->msg_type, &m, err));
        FROST_TRY(t->fn(img, &m, t->ctx, err));
    }
    if (depth == 0) return FROST_OK;
    for (unsigned i = 0; i <= nrec; i++) {
        uint64_t child = frost__h5_addr(img, &c);
        unsigned child_nrec = (unsigned)h5_get(&c, t->max_nrec_size);
        if (depth > 1) h5_skip(&c, t->cum_size[depth - 1]);
        if (c.bad) return frost__h5_corrupt(img, err, where, "version 2 B-tree node is cut short");
        FROST_TRY(walk_node(img, t, child, child_nrec, depth - 1, err));
    }
    return FROST_OK;
}

frost_status frost__h5_dense_messages(h5_image *img, uint64_t heap_addr, uint64_t btree_addr,
                                      unsigned msg_type, frost__h5_dense_fn fn, void *ctx,
                                      frost_error *err) {
    fheap heap;
    frost_status st = open_heap(img, heap_addr, &heap, err);
    btree2 t;
    memset(&t, 0, sizeof t);
    uint64_t where = (uint64_t)frost__h5_offset(img, btree_addr);
    h5_cursor c;
    if (st == FROST_OK && (!frost__h5_at_open(img, btree_addr, &c) || c.n < 6 ||
                           memcmp(c.p, "BTHD", 4)))
        st = frost__h5_corrupt(img, err, where, "no version 2 B-tree at address 0x%llx",
                               (unsigned long long)btree_addr);
    if (st == FROST_OK) {
        h5_skip(&c, 5);
        t.type = (unsigned)h5_get(&c, 1);
        t.node_size = (unsigned)h5_get(&c, 4);
        t.rec_size = (unsigned)h5_get(&c, 2);
        unsigned depth = (unsigned)h5_get(&c, 2);
        h5_skip(&c, 2);
        uint64_t root = frost__h5_addr(img, &c);
        unsigned root_nrec = (unsigned)h5_get(&c, 2);
        /* Link name index (5): hash, heap ID. Attribute name index (8): heap ID, flags, order, hash. */
        unsigned want = msg_type == H5M_LINK ? 5 : 8;
        t.id_at = want == 5 ? 4 : 0;
        unsigned id_len = want == 5 ? t.rec_size - 4 : t.rec_size - 9;
        if (c.bad || t.type != want || t.rec_size <= 9 || t.rec_size > 64 || id_len < 2 ||
            t.node_size < 16 + t.rec_size || t.node_size > (1u << 24) || depth >= FROST_H5_MAX_DEPTH) {
            st = frost__h5_corrupt(img, err, where,
                                   "version 2 B-tree at offset 0x%llx: type %u, %u-byte records, "
                                   "%u-byte nodes, depth %u", (unsigned long long)where, t.type,
                                   t.rec_size, t.node_size, depth);
        } else {
            /* Node capacities per level, as HDF5 derives them from the node size. */
            t.max_nrec[0] = (t.node_size - 10) / t.rec_size;
            uint64_t cum = t.max_nrec[0];
            t.max_nrec_size = enc_size(t.max_nrec[0]);
            t.cum_size[0] = 0;
            for (unsigned d = 1; d <= depth && st == FROST_OK; d++) {
                unsigned ptr = img->so + t.max_nrec_size + (d > 1 ? t.cum_size[d - 1] : 0);
                if (t.node_size < 10 + ptr + t.rec_size + ptr) {
                    st = frost__h5_corrupt(img, err, where,
                                           "version 2 B-tree at offset 0x%llx is too deep for its "
                                           "node size", (unsigned long long)where);
                    break;
                }
                t.max_nrec[d] = (t.node_size - (10 + ptr)) / (t.rec_size + ptr);
                if (__builtin_mul_overflow(cum, (uint64_t)t.max_nrec[d] + 1, &cum) ||
                    __builtin_add_overflow(cum, t.max_nrec[d], &cum))
                    cum = UINT64_MAX;
                t.cum_size[d] = enc_size(cum);
            }
            t.heap = &heap;
            t.msg_type = msg_type;
            t.fn = fn;
            t.ctx = ctx;
            if (st == FROST_OK && root != FROST_H5_UNDEF && root_nrec > 0)
                st = walk_node(img, &t, root, root_nrec, depth, err);
        }
    }
    frost__free(img->a, heap.blocks);
    return st;
}
