/* zip.c — reads members of an in-memory zip archive through libzip (fmt/zip.h). It knows nothing
 * about Keras. It must never trust the sizes an archive declares: every member is inflated into a
 * buffer bounded by the caller's limit, and reading stops (FROST_E_LIMIT) as soon as more bytes
 * than that come out, whatever the central directory claimed. */
#include "fmt/zip.h"

#include <zip.h>

struct frost__zip {
    frost_allocator alloc;
    zip_t *archive;
};

bool frost__zip_sniff(const void *data, size_t size) {
    const unsigned char *p = data;
    if (!p || size < 4) return false;
    return p[0] == 'P' && p[1] == 'K' &&
           ((p[2] == 3 && p[3] == 4) || (p[2] == 5 && p[3] == 6));
}

frost_status frost__zip_open_memory(const void *data, size_t size, const frost_allocator *a,
                                    frost__zip **out, frost_error *err) {
    *out = NULL;
    if (!data || size == 0)
        return frost__fail(err, FROST_E_FORMAT, NULL, NULL, 0, "empty zip archive");
    zip_error_t zerr;
    zip_error_init(&zerr);
    zip_source_t *src = zip_source_buffer_create(data, size, 0, &zerr);
    if (!src) {
        zip_error_fini(&zerr);
        return frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "zip: cannot wrap the buffer");
    }
    /* ZIP_CHECKCONS: refuse archives whose local headers disagree with the central directory. */
    zip_t *za = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &zerr);
    if (!za) {
        frost_status st = frost__fail(err, FROST_E_FORMAT, NULL, NULL, -1,
                                      "not a readable zip archive: %s", zip_error_strerror(&zerr));
        zip_source_free(src);
        zip_error_fini(&zerr);
        return st;
    }
    zip_error_fini(&zerr);
    frost__zip *z = frost__calloc(a, 1, sizeof *z);
    if (!z) {
        zip_discard(za);
        return frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory opening a zip");
    }
    z->alloc = *a;
    z->archive = za;
    *out = z;
    return FROST_OK;
}

void frost__zip_close(frost__zip *z) {
    if (!z) return;
    zip_discard(z->archive);   /* read-only: nothing to write back */
    frost_allocator a = z->alloc;
    frost__free(&a, z);
}

frost_status frost__zip_read(frost__zip *z, const char *name, size_t max_bytes, void **out,
                             size_t *out_size, frost_error *err) {
    *out = NULL;
    *out_size = 0;
    zip_int64_t idx = zip_name_locate(z->archive, name, 0);
    if (idx < 0)
        return frost__fail(err, FROST_E_NOT_FOUND, NULL, NULL, -1,
                           "zip archive has no member '%s'", name);
    zip_stat_t zs;
    zip_stat_init(&zs);
    if (zip_stat_index(z->archive, (zip_uint64_t)idx, 0, &zs) != 0 || !(zs.valid & ZIP_STAT_SIZE))
        return frost__fail(err, FROST_E_FORMAT, NULL, NULL, -1, "zip member '%s': unreadable entry",
                           name);
    int64_t offset = -1;
    if (zs.size > max_bytes)
        return frost__fail(err, FROST_E_LIMIT, NULL, NULL, offset,
                           "zip member '%s' declares %llu bytes, over the %zu-byte limit", name,
                           (unsigned long long)zs.size, max_bytes);
    zip_file_t *zf = zip_fopen_index(z->archive, (zip_uint64_t)idx, 0);
    if (!zf)
        return frost__fail(err, FROST_E_FORMAT, NULL, NULL, -1, "zip member '%s': %s", name,
                           zip_strerror(z->archive));
    /* Allocate what the entry declares, plus one byte to detect an entry that inflates to more. */
    size_t cap = (size_t)zs.size + 1;
    unsigned char *buf = frost__alloc(&z->alloc, cap + 1);
    if (!buf) {
        zip_fclose(zf);
        return frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1,
                           "out of memory reading zip member '%s' (%zu bytes)", name, cap);
    }
    size_t got = 0;
    frost_status st = FROST_OK;
    for (;;) {
        if (got == cap) {
            st = frost__fail(err, FROST_E_LIMIT, NULL, NULL, -1,
                             "zip member '%s' inflates to more than the %llu bytes it declares",
                             name, (unsigned long long)zs.size);
            break;
        }
        zip_int64_t n = zip_fread(zf, buf + got, cap - got);
        if (n < 0) {
            st = frost__fail(err, FROST_E_FORMAT, NULL, NULL, -1, "zip member '%s' is corrupted: %s",
                             name, zip_file_strerror(zf));
            break;
        }
        if (n == 0) break;
        got += (size_t)n;
    }
    zip_fclose(zf);
    if (st == FROST_OK && got != (size_t)zs.size)
        st = frost__fail(err, FROST_E_FORMAT, NULL, NULL, -1,
                         "zip member '%s' is truncated: %zu of %llu bytes", name, got,
                         (unsigned long long)zs.size);
    if (st != FROST_OK) {
        frost__free(&z->alloc, buf);
        return st;
    }
    buf[got] = 0;
    *out = buf;
    *out_size = got;
    return FROST_OK;
}
