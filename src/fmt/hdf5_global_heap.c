/* hdf5_global_heap.c — objects in HDF5 global heap collections ("GCOL"), where variable-length
 * strings live.
 *
 * A collection is indexed once (a sorted table of its objects, sized by what the collection can
 * hold) and cached, so reading n strings from one collection costs one pass rather than n. Every object must lie inside its collection and the
 * collection inside the image; a collection's objects count against the work budget. This is the
 * structure libhdf5 1.10 read out of bounds on with mutated files. */
#include "fmt/hdf5_internal.h"

#include <stdlib.h>

static int cmp_entry(const void *a, const void *b) {
    const h5_global_heap_entry *x = a, *y = b;
    return x->index < y->index ? -1 : x->index > y->index;
}

static frost_status index_collection(h5_image *img, h5_global_heap_cache *cache, uint64_t addr,
                                     frost_error *err) {
    frost__h5_global_heap_cache_free(img, cache);
    uint64_t where = (uint64_t)frost__h5_offset(img, addr);
    h5_cursor c;
    if (!frost__h5_at_open(img, addr, &c) || c.n < 8 || memcmp(c.p, "GCOL", 4))
        return frost__h5_corrupt(img, err, where, "no global heap collection at address 0x%llx",
                                 (unsigned long long)addr);
    h5_skip(&c, 8);   /* signature, version, reserved */
    uint64_t size = h5_len(img, &c);
    if (c.bad || size < c.at || size > c.n)
        return frost__h5_corrupt(img, err, where,
                                 "global heap collection at offset 0x%llx declares %llu bytes, "
                                 "past the end of the file", (unsigned long long)where,
                                 (unsigned long long)size);
    c.n = (size_t)size;
    /* Objects follow one another, each padded to 8 bytes, until object 0 (the free space). Each
     * object takes more than 8 bytes, which bounds the index. */
    size_t room = (c.n - c.at) / 8 + 1;
    cache->e = frost__calloc(img->a, room, sizeof *cache->e);
    if (!cache->e) return frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
    while (c.n - c.at >= 8 + (size_t)img->sl && (size_t)cache->n < room) {
        uint64_t at = h5_here(&c);
        FROST_TRY(frost__h5_work(img, err, at));
        unsigned index = (unsigned)h5_get(&c, 2);
        h5_skip(&c, 6);   /* reference count, reserved */
        uint64_t len = h5_len(img, &c);
        if (index == 0) break;
        const uint8_t *data = h5_take(&c, (size_t)FROST_MIN(len, SIZE_MAX));
        if (!data)
            return frost__h5_corrupt(img, err, at,
                                     "global heap object %u (%llu bytes) runs past its collection",
                                     index, (unsigned long long)len);
        if (c.at & 7) h5_skip(&c, 8 - (c.at & 7));
        cache->e[cache->n++] = (h5_global_heap_entry){index, (uint64_t)(data - img->data), len};
        if (c.bad) break;
    }
    if (cache->n > 1) qsort(cache->e, (size_t)cache->n, sizeof *cache->e, cmp_entry);
    cache->addr = addr;
    return FROST_OK;
}

frost_status frost__h5_global_heap_object(h5_image *img, h5_global_heap_cache *cache, uint64_t addr,
                                          uint32_t index, const uint8_t **data, uint64_t *len,
                                          frost_error *err) {
    if (cache->addr != addr || !cache->e) FROST_TRY(index_collection(img, cache, addr, err));
    h5_global_heap_entry key = {index, 0, 0};
    const h5_global_heap_entry *e =
        cache->n ? bsearch(&key, cache->e, (size_t)cache->n, sizeof key, cmp_entry) : NULL;
    if (!e)
        return frost__h5_corrupt(img, err, (uint64_t)frost__h5_offset(img, addr),
                                 "global heap collection at address 0x%llx has no object %u",
                                 (unsigned long long)addr, index);
    *data = img->data + e->off;
    *len = e->len;
    return FROST_OK;
}

void frost__h5_global_heap_cache_free(const h5_image *img, h5_global_heap_cache *cache) {
    frost__free(img->a, cache->e);
    cache->e = NULL;
    cache->n = 0;
    cache->addr = FROST_H5_UNDEF;
}
