/* hdf5_group.c — the members of an HDF5 group: old-style symbol tables (a version 1 B-tree of
 * "SNOD" symbol nodes whose names live in a local heap) and new-style link messages, compact (in the object header) or dense.
 *
 * Only hard links are returned; soft and external links are never resolved (so a file can neither
 * loop through names nor reach other files). B-tree levels must strictly decrease, which bounds the
 * walk; every node counts against the file's work budget. Groups whose links are in dense storage
 * (past 8 links under libver v18+) are read through hdf5_dense.c. */
#include "fmt/hdf5_internal.h"

#include <stdlib.h>

typedef struct link_list {
    h5_link *v;
    int n, cap;
} link_list;

static frost_status add_link(const h5_image *img, link_list *l, const char *name, size_t len,
                             uint64_t addr, uint64_t at, frost_error *err) {
    if (l->n >= FROST_H5_MAX_CHILDREN)
        return frost__fail(err, FROST_E_LIMIT, NULL, NULL, (int64_t)at,
                           "%s: a group has more than %d members (limit)", img->what,
                           FROST_H5_MAX_CHILDREN);
    if (len == 0 || memchr(name, '/', len) || (len == 1 && name[0] == '.'))
        return frost__h5_corrupt(img, err, at, "group member at offset 0x%llx has an invalid name",
                                 (unsigned long long)at);
    if (!frost__grow(img->a, (void **)&l->v, &l->cap, l->n + 1, sizeof *l->v))
        return frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
    char *s = frost__strndup(img->a, name, len);
    if (!s) return frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
    l->v[l->n].name = s;
    l->v[l->n].addr = addr;
    l->n++;
    return FROST_OK;
}

/* ---- Symbol tables ---------------------------------------------------------------------------- */

typedef struct local_heap {
    const uint8_t *data;
    size_t size;
} local_heap;

static frost_status read_local_heap(const h5_image *img, uint64_t addr, local_heap *h,
                                    frost_error *err) {
    h5_cursor c;
    if (!frost__h5_at_open(img, addr, &c) || c.n < 8 || memcmp(c.p, "HEAP", 4))
        return frost__h5_corrupt(img, err, (uint64_t)frost__h5_offset(img, addr),
                                 "no local heap at address 0x%llx", (unsigned long long)addr);
    h5_skip(&c, 8);   /* signature, version, reserved */
    uint64_t size = h5_len(img, &c);
    h5_len(img, &c);  /* free list */
    uint64_t data = frost__h5_addr(img, &c);
    h5_cursor d;
    if (c.bad || !frost__h5_at(img, data, size, &d))
        return frost__h5_corrupt(img, err, c.off,
                                 "local heap at offset 0x%llx: its %llu-byte data segment lies "
                                 "outside the file", (unsigned long long)c.off,
                                 (unsigned long long)size);
    h->data = d.p;
    h->size = d.n;
    return FROST_OK;
}

static frost_status read_symbol_node(h5_image *img, uint64_t addr, const local_heap *heap,
                                     link_list *out, frost_error *err) {
    h5_cursor c;
    uint64_t where = (uint64_t)frost__h5_offset(img, addr);
    if (!frost__h5_at_open(img, addr, &c) || c.n < 8 || memcmp(c.p, "SNOD", 4))
        return frost__h5_corrupt(img, err, where, "no symbol table node at address 0x%llx",
                                 (unsigned long long)addr);
    h5_skip(&c, 6);   /* signature, version, reserved */
    unsigned count = (unsigned)h5_get(&c, 2);
    for (unsigned i = 0; i < count; i++) {
        uint64_t at = h5_here(&c);
        FROST_TRY(frost__h5_work(img, err, at));   /* a node may be shared by many parents */
        uint64_t name_off = h5_len(img, &c);
        uint64_t obj = frost__h5_addr(img, &c);
        unsigned cache = (unsigned)h5_get(&c, 4);
        h5_skip(&c, 4 + 16);
        if (c.bad)
            return frost__h5_corrupt(img, err, where,
                                     "symbol table node at offset 0x%llx: entry %u runs past the "
                                     "end of the file", (unsigned long long)where, i);
        if (name_off >= heap->size)
            return frost__h5_corrupt(img, err, at,
                                     "symbol table entry %u names heap offset %llu, outside its "
                                     "%zu-byte local heap", i, (unsigned long long)name_off,
                                     heap->size);
        const char *name = (const char *)heap->data + name_off;
        size_t max = heap->size - (size_t)name_off;
        const char *end = memchr(name, 0, max);
        if (!end)
            return frost__h5_corrupt(img, err, at,
                                     "symbol table entry %u: its name runs past the local heap", i);
        if (cache == 2 || obj == FROST_H5_UNDEF) continue;   /* a soft link */
        FROST_TRY(add_link(img, out, name, (size_t)(end - name), obj, at, err));
    }
    return FROST_OK;
}

/* A version 1 B-tree of group nodes: level 0 children are symbol nodes. `level` is the level the
 * parent expects (-1 at the root). */
static frost_status walk_group_btree(h5_image *img, uint64_t addr, int expect_level,
                                     const local_heap *heap, link_list *out, frost_error *err) {
    uint64_t where = (uint64_t)frost__h5_offset(img, addr);
    FROST_TRY(frost__h5_work(img, err, where));
    h5_cursor c;
    if (!frost__h5_at_open(img, addr, &c) || c.n < 8 || memcmp(c.p, "TREE", 4))
        return frost__h5_corrupt(img, err, where, "no group B-tree node at address 0x%llx",
                                 (unsigned long long)addr);
    h5_skip(&c, 4);
    unsigned type = (unsigned)h5_get(&c, 1);
    int level = (int)h5_get(&c, 1);
    unsigned entries = (unsigned)h5_get(&c, 2);
    if (type != 0 || level >= FROST_H5_MAX_DEPTH || (expect_level >= 0 && level != expect_level))
        return frost__h5_corrupt(img, err, where,
                                 "group B-tree node at offset 0x%llx has type %u, level %d%s",
                                 (unsigned long long)where, type, level,
                                 expect_level >= 0 ? " (not one below its parent)" : "");
    frost__h5_addr(img, &c);   /* siblings */
    frost__h5_addr(img, &c);
    for (unsigned i = 0; i < entries; i++) {
        h5_len(img, &c);       /* key: heap offset of the largest name to the left */
        uint64_t child = frost__h5_addr(img, &c);
        if (c.bad)
            return frost__h5_corrupt(img, err, where,
                                     "group B-tree node at offset 0x%llx: entry %u runs past the "
                                     "end of the file", (unsigned long long)where, i);
        if (level == 0) {
            FROST_TRY(frost__h5_work(img, err, where));
            FROST_TRY(read_symbol_node(img, child, heap, out, err));
        } else {
            FROST_TRY(walk_group_btree(img, child, level - 1, heap, out, err));
        }
    }
    return FROST_OK;
}

/* ---- Link messages ---------------------------------------------------------------------------- */

static frost_status read_link_message(h5_image *img, const h5_message *m, link_list *out,
                                      frost_error *err) {
    h5_cursor c = h5_message_cursor(m);
    unsigned version = (unsigned)h5_get(&c, 1);
    unsigned flags = (unsigned)h5_get(&c, 1);
    if (version != 1)
        return frost__h5_corrupt(img, err, m->off, "link message at offset 0x%llx has version %u",
                                 (unsigned long long)m->off, version);
    unsigned type = 0;
    if (flags & 0x08) type = (unsigned)h5_get(&c, 1);
    if (flags & 0x04) h5_skip(&c, 8);   /* creation order */
    if (flags & 0x10) h5_skip(&c, 1);   /* character set */
    uint64_t len = h5_get(&c, 1u << (flags & 3));
    const char *name = (const char *)h5_take(&c, (size_t)FROST_MIN(len, SIZE_MAX));
    uint64_t addr = type == 0 ? frost__h5_addr(img, &c) : FROST_H5_UNDEF;
    if (c.bad) return frost__h5_corrupt(img, err, m->off, "link message at offset 0x%llx runs past its end",
                                              (unsigned long long)m->off);
    if (type != 0) return FROST_OK;   /* soft or external: never followed */
    return add_link(img, out, name, (size_t)len, addr, m->off, err);
}

static frost_status dense_link(h5_image *img, const h5_message *m, void *ctx, frost_error *err) {
    return read_link_message(img, m, ctx, err);
}

static int cmp_link(const void *a, const void *b) {
    return strcmp(((const h5_link *)a)->name, ((const h5_link *)b)->name);
}

frost_status frost__h5_group_links(h5_image *img, const h5_object_header *oh, h5_link **links,
                                   int *n, frost_error *err) {
    *links = NULL;
    *n = 0;
    link_list l = {NULL, 0, 0};
    frost_status st = FROST_OK;
    const h5_message *stab = frost__h5_find_message(oh, H5M_SYMBOL_TABLE);
    if (stab) {
        h5_cursor c = h5_message_cursor(stab);
        uint64_t btree = frost__h5_addr(img, &c), heap_addr = frost__h5_addr(img, &c);
        local_heap heap;
        if (c.bad)
            st = frost__h5_corrupt(img, err, stab->off, "symbol table message at offset 0x%llx is cut short",
                                   (unsigned long long)stab->off);
        else if ((st = read_local_heap(img, heap_addr, &heap, err)) == FROST_OK)
            st = walk_group_btree(img, btree, -1, &heap, &l, err);
    } else {
        const h5_message *info = frost__h5_find_message(oh, H5M_LINK_INFO);
        if (info) {
            h5_cursor c = h5_message_cursor(info);
            h5_skip(&c, 1);
            unsigned flags = (unsigned)h5_get(&c, 1);
            if (flags & 1) h5_skip(&c, 8);
            uint64_t heap = frost__h5_addr(img, &c), names = frost__h5_addr(img, &c);
            if (c.bad)
                st = frost__h5_corrupt(img, err, info->off, "link info message at offset 0x%llx is cut short",
                                       (unsigned long long)info->off);
            else if (heap != FROST_H5_UNDEF)   /* dense: more than 8 links, libver v18+ */
                st = frost__h5_dense_messages(img, heap, names, H5M_LINK, dense_link, &l, err);
        }
        for (int i = 0; st == FROST_OK && i < oh->n; i++)
            if (oh->m[i].type == H5M_LINK) st = read_link_message(img, &oh->m[i], &l, err);
    }
    if (st != FROST_OK) {
        frost__h5_links_free(img, l.v, l.n);
        return st;
    }
    if (l.n > 1) qsort(l.v, (size_t)l.n, sizeof *l.v, cmp_link);
    int kept = 0;
    for (int i = 0; i < l.n; i++) {
        if (kept > 0 && !strcmp(l.v[kept - 1].name, l.v[i].name)) {
            frost__free(img->a, l.v[i].name);
            continue;
        }
        l.v[kept++] = l.v[i];
    }
    *links = l.v;
    *n = kept;
    return FROST_OK;
}

void frost__h5_links_free(const h5_image *img, h5_link *links, int n) {
    for (int i = 0; links && i < n; i++) frost__free(img->a, links[i].name);
    frost__free(img->a, links);
}
