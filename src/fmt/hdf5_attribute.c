/* hdf5_attribute.c — attribute messages (versions 1 to 3), in an object header or in dense storage
 * (hdf5_dense.c), and the strings they hold: fixed-length strings stored in the message, or
 * variable-length strings in global heaps.
 * Scalar and 1-D attributes only (what Keras writes).
 *
 * Attributes that are not strings are listed by name only. A string attribute that cannot be read
 * keeps its error (status and message naming the offset) for the caller who asks for it, so a
 * damaged attribute nobody needs does not stop a load. A malformed attribute message (one whose
 * parts overrun it) is an error of the whole header. Sizes are capped: FROST_H5_MAX_CHILDREN
 * strings and FROST_H5_DEFAULT_ATTR_MAX bytes per attribute. */
#include "fmt/hdf5_internal.h"

#include <stdio.h>

static frost_status defer(const h5_image *img, h5_attribute *at, frost_status code, uint64_t off,
                          const char *path, const char *fmt, ...) FROST_PRINTF(6, 7);
static frost_status defer(const h5_image *img, h5_attribute *at, frost_status code, uint64_t off,
                          const char *path, const char *fmt, ...) {
    char detail[256], msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    snprintf(msg, sizeof msg, "%s: attribute '%s' of '%s' at offset 0x%llx: %s", img->what,
             at->name, *path ? path : "/", (unsigned long long)off, detail);
    at->status = code;
    at->offset = (int64_t)off;
    at->message = frost__strdup(img->a, msg);
    return at->message ? FROST_OK : FROST_E_NOMEM;
}

/* Reads `count` strings of type t from `data` (count * t->size bytes, checked) into at->s. */
static frost_status read_strings(h5_image *img, h5_attribute *at, const char *path,
                                 const h5_datatype *t, const uint8_t *data, uint64_t count,
                                 uint64_t off, h5_global_heap_cache *heap, frost_error *err) {
    at->s = frost__calloc(img->a, (size_t)count + 1, sizeof *at->s);
    if (!at->s) return frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
    size_t budget = FROST_H5_DEFAULT_ATTR_MAX;
    for (uint64_t i = 0; i < count; i++) {
        const uint8_t *e = data + i * t->size;
        const char *s;
        size_t len;
        if (at->variable) {
            h5_cursor c = {e, t->size, 0, off + i * t->size, false};
            uint64_t seq = h5_get(&c, 4);
            uint64_t addr = frost__h5_addr(img, &c);
            uint32_t index = (uint32_t)h5_get(&c, 4);
            if (c.bad)
                return defer(img, at, FROST_E_FORMAT, off, path,
                             "variable-length string %llu is cut short", (unsigned long long)i);
            if (seq == 0 || addr == 0 || addr == FROST_H5_UNDEF) {
                s = "";   /* an empty or NULL string */
                len = 0;
            } else {
                const uint8_t *obj;
                uint64_t obj_len;
                frost_error e2;
                frost_status st = frost__h5_global_heap_object(img, heap, addr, index, &obj,
                                                               &obj_len, &e2);
                if (st == FROST_E_NOMEM) return frost__fail(err, st, NULL, NULL, -1, "out of memory");
                if (st != FROST_OK) {
                    at->status = st;
                    at->offset = e2.file_offset;
                    at->message = frost__strdup(img->a, e2.message);
                    return at->message ? FROST_OK : FROST_E_NOMEM;
                }
                if (seq > obj_len)
                    return defer(img, at, FROST_E_FORMAT, off, path,
                                 "string %llu declares %llu bytes but its global heap object "
                                 "holds %llu", (unsigned long long)i, (unsigned long long)seq,
                                 (unsigned long long)obj_len);
                s = (const char *)obj;
                len = strnlen(s, (size_t)seq);
            }
        } else {
            s = (const char *)e;
            len = strnlen(s, t->size);
        }
        if (len >= budget)
            return defer(img, at, FROST_E_LIMIT, off, path, "over the %zu-byte size limit",
                         FROST_H5_DEFAULT_ATTR_MAX);
        budget -= len;
        at->s[at->n] = frost__strndup(img->a, s, len);
        if (!at->s[at->n]) return frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
        at->n++;
    }
    return FROST_OK;
}

static frost_status read_attribute(h5_image *img, const h5_message *m, const char *path,
                                   h5_attribute *at, h5_global_heap_cache *heap, frost_error *err) {
    h5_cursor c = h5_message_cursor(m);
    unsigned version = (unsigned)h5_get(&c, 1);
    unsigned flags = (unsigned)h5_get(&c, 1);
    size_t name_len = (size_t)h5_get(&c, 2), type_len = (size_t)h5_get(&c, 2),
           space_len = (size_t)h5_get(&c, 2);
    if (version == 3) h5_skip(&c, 1);   /* name encoding */
    if (version < 1 || version > 3)
        return frost__h5_corrupt(img, err, m->off, "attribute message at offset 0x%llx has version %u",
                                 (unsigned long long)m->off, version);
    size_t pad = version == 1 ? 7 : 0;
    const char *name = (const char *)h5_take(&c, name_len);
    if (version == 1 && (c.at & 7)) h5_skip(&c, 8 - (c.at & 7));
    h5_cursor tc = {c.p + c.at, FROST_MIN(type_len, c.n - c.at), 0, h5_here(&c), false};
    h5_skip(&c, (type_len + pad) & ~pad);
    h5_cursor sc = {c.p + c.at, FROST_MIN(space_len, c.n - c.at), 0, h5_here(&c), false};
    h5_skip(&c, (space_len + pad) & ~pad);
    if (c.bad || name_len == 0)
        return frost__h5_corrupt(img, err, m->off, "attribute message at offset 0x%llx runs past its end",
                                 (unsigned long long)m->off);
    at->name = frost__strndup(img->a, name, strnlen(name, name_len));
    if (!at->name) return frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
    if (version >= 2 && (flags & 3)) {
        at->is_string = true;   /* unknown: refuse it clearly if someone asks */
        return defer(img, at, FROST_E_UNSUPPORTED, m->off, path,
                     "shared (committed) datatypes or dataspaces are not supported");
    }
    h5_datatype t;
    h5_dataspace s;
    FROST_TRY(frost__h5_datatype(img, &tc, &t, err));
    at->is_string = t.cls == H5T_STRING_FIXED || (t.cls == H5T_VLEN && t.vlen_string);
    at->variable = t.cls == H5T_VLEN;
    if (!at->is_string) return FROST_OK;
    FROST_TRY(frost__h5_dataspace(img, &sc, &s, err));
    uint64_t count;
    if (s.rank > 1 || !frost__h5_dataspace_count(&s, &count))
        return defer(img, at, FROST_E_FORMAT, m->off, path,
                     "not a string or a list of strings (rank %d)", s.rank);
    if (count > FROST_H5_MAX_CHILDREN)
        return defer(img, at, FROST_E_LIMIT, m->off, path, "%llu strings (limit %d)",
                     (unsigned long long)count, FROST_H5_MAX_CHILDREN);
    if (at->variable && t.size < 4 + img->so + 4)
        return defer(img, at, FROST_E_FORMAT, m->off, path,
                     "variable-length strings of %u bytes", t.size);
    if (!at->variable && t.size == 0)
        return defer(img, at, FROST_E_FORMAT, m->off, path, "strings of 0 bytes");
    uint64_t bytes = count * t.size;   /* both bounded: no overflow */
    if (bytes > c.n - c.at)
        return defer(img, at, FROST_E_FORMAT, m->off, path,
                     "%llu strings of %u bytes run past the message end",
                     (unsigned long long)count, t.size);
    return read_strings(img, at, path, &t, c.p + c.at, count, h5_here(&c), heap, err);
}

typedef struct attr_list {
    h5_attribute *v;
    int n, cap;
    const char *path;
    h5_global_heap_cache heap;
} attr_list;

static frost_status add_attribute(h5_image *img, const h5_message *m, void *ctx, frost_error *err) {
    attr_list *l = ctx;
    if (l->n >= FROST_H5_MAX_CHILDREN)
        return frost__fail(err, FROST_E_LIMIT, NULL, NULL, (int64_t)m->off,
                           "%s: '%s' has more than %d attributes", img->what, l->path,
                           FROST_H5_MAX_CHILDREN);
    if (!frost__grow(img->a, (void **)&l->v, &l->cap, l->n + 1, sizeof *l->v))
        return frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
    h5_attribute *at = &l->v[l->n++];
    memset(at, 0, sizeof *at);
    frost_status st = read_attribute(img, m, l->path, at, &l->heap, err);
    if (st == FROST_E_NOMEM) frost__fail(err, st, NULL, NULL, -1, "out of memory");
    return st;
}

frost_status frost__h5_attributes(h5_image *img, const h5_object_header *oh, const char *path,
                                  h5_attribute **attrs, int *n, frost_error *err) {
    *attrs = NULL;
    *n = 0;
    attr_list l = {NULL, 0, 0, path, {FROST_H5_UNDEF, NULL, 0}};
    frost_status st = FROST_OK;
    for (int i = 0; i < oh->n && st == FROST_OK; i++)
        if (oh->m[i].type == H5M_ATTRIBUTE) st = add_attribute(img, &oh->m[i], &l, err);
    const h5_message *info = frost__h5_find_message(oh, H5M_ATTRIBUTE_INFO);
    if (info && st == FROST_OK) {   /* dense: more than 8 attributes, libver v18+ */
        h5_cursor c = h5_message_cursor(info);
        h5_skip(&c, 1);
        unsigned flags = (unsigned)h5_get(&c, 1);
        if (flags & 1) h5_skip(&c, 2);
        uint64_t heap = frost__h5_addr(img, &c), names = frost__h5_addr(img, &c);
        if (c.bad)
            st = frost__h5_corrupt(img, err, info->off,
                                   "attribute info message at offset 0x%llx is cut short",
                                   (unsigned long long)info->off);
        else if (heap != FROST_H5_UNDEF)
            st = frost__h5_dense_messages(img, heap, names, H5M_ATTRIBUTE, add_attribute, &l, err);
    }
    frost__h5_global_heap_cache_free(img, &l.heap);
    if (st != FROST_OK) {
        for (int i = 0; i < l.n; i++) frost__h5_attribute_free(img, &l.v[i]);
        frost__free(img->a, l.v);
        return st;
    }
    *attrs = l.v;
    *n = l.n;
    return FROST_OK;
}

void frost__h5_attribute_free(const h5_image *img, h5_attribute *at) {
    for (int i = 0; i < at->n; i++) frost__free(img->a, at->s[i]);
    frost__free(img->a, at->s);
    frost__free(img->a, at->name);
    frost__free(img->a, at->message);
    memset(at, 0, sizeof *at);
}
