/* hdf5.c — read-only HDF5 access from memory (fmt/hdf5.h): opening walks the whole file once with
 * frost's own reader (hdf5_superblock.c, hdf5_object_header.c, hdf5_group.c, hdf5_dense.c,
 * hdf5_attribute.c, hdf5_datatype.c, hdf5_storage.c, hdf5_global_heap.c) and keeps a snapshot that answers every
 * query.
 *
 * The walk follows hard links only, depth-first, at most FROST_H5_MAX_DEPTH deep and
 * FROST_H5_MAX_OBJECTS objects; a group reached a second time (a hard-link cycle) is listed but not
 * walked again. It records every object, its string attributes and every dataset converted to f32
 * (within the caller's per-dataset limit and a total of 8x the image + 256 MiB; checked before
 * allocating, as is whether the file stores the data at all). Damage to the
 * file's structure (superblock, object headers, group B-trees and heaps, dense storage) fails the
 * open with FROST_E_FORMAT naming the offset; a dataset or attribute that cannot be read keeps its error for
 * whoever asks for it. The snapshot owns everything (the image may go away after the open), has no
 * global state and is never written after the open, so it is safe to query from any thread.
 *
 * It knows nothing about Keras. */
#include "fmt/hdf5_internal.h"

#include <stdio.h>
#include <stdlib.h>

typedef struct h5_obj {
    char *path;                /* "" root, "a/b"                                                */
    frost__h5_kind kind;
    h5_attribute *attrs;
    int n_attrs;
    bool has_shape;
    frost__shape shape;
    float *data;               /* DATASET read fine; handed out by the first frost__h5_read_f32 */
    size_t nbytes;
    bool taken;
    frost_status status;       /* DATASET that could not be read: why, and where              */
    char *message;
    int64_t offset;
} h5_obj;

struct frost__h5 {
    frost_allocator alloc;
    char what[64];
    h5_obj *objs;
    int n, cap;
};

/* ---- The walk ----------------------------------------------------------------------------------- */

typedef struct walker {
    frost__h5 *f;
    h5_image img;
    uint64_t max_dataset_bytes;
    const char *const *skip_roots;
    uint64_t *seen;            /* group addresses + 1 already walked (open addressing)         */
    size_t seen_n, seen_cap;
    uint64_t total, limit;     /* f32 bytes held by the snapshot, and their cap                */
    int objects;
    frost_error *err;
} walker;

/* True the first time a group's address is seen; false on a repeat (or out of memory, *oom). */
static bool first_visit(walker *w, uint64_t addr, bool *oom) {
    if (w->seen_n * 2 >= w->seen_cap) {
        size_t cap = w->seen_cap ? w->seen_cap * 2 : 1024;
        uint64_t *t = frost__calloc(w->img.a, cap, sizeof *t);
        if (!t) {
            *oom = true;
            return false;
        }
        for (size_t i = 0; i < w->seen_cap; i++) {
            if (!w->seen[i]) continue;
            size_t j = (size_t)(w->seen[i] * 0x9E3779B97F4A7C15ull) & (cap - 1);
            while (t[j]) j = (j + 1) & (cap - 1);
            t[j] = w->seen[i];
        }
        frost__free(w->img.a, w->seen);
        w->seen = t;
        w->seen_cap = cap;
    }
    uint64_t key = addr + 1;
    size_t mask = w->seen_cap - 1, i = (size_t)(key * 0x9E3779B97F4A7C15ull) & mask;
    while (w->seen[i]) {
        if (w->seen[i] == key) return false;
        i = (i + 1) & mask;
    }
    w->seen[i] = key;
    w->seen_n++;
    return true;
}

/* Keeps a dataset's error (from e) in the snapshot. */
static frost_status defer(walker *w, h5_obj *o, const frost_error *e, frost_status st) {
    o->status = st;
    o->offset = e->file_offset;
    o->message = frost__strdup(w->img.a, e->message);
    if (!o->message) return frost__fail(w->err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
    return FROST_OK;
}

static frost_status read_dataset(walker *w, int index, const h5_object_header *oh) {
    h5_obj *o = &w->f->objs[index];
    const char *path = o->path, *what = w->img.what;
    frost_error e;
    memset(&e, 0, sizeof e);
    frost_status st;
    const h5_message *sm = frost__h5_find_message(oh, H5M_DATASPACE);
    const h5_message *tm = frost__h5_find_message(oh, H5M_DATATYPE);
    if ((sm->flags | tm->flags) & H5M_FLAG_SHARED) {
        st = frost__fail(&e, FROST_E_UNSUPPORTED, NULL, NULL, (int64_t)tm->off,
                         "%s: dataset '%s' uses a shared (committed) datatype or dataspace, which "
                         "frost does not read", what, path);
        return defer(w, o, &e, st);
    }
    h5_dataspace space;
    h5_datatype type;
    h5_cursor sc = h5_message_cursor(sm), tc = h5_message_cursor(tm);
    if ((st = frost__h5_dataspace(&w->img, &sc, &space, &e)) != FROST_OK ||
        (st = frost__h5_datatype(&w->img, &tc, &type, &e)) != FROST_OK)
        return defer(w, o, &e, st);
    if (space.null) {
        st = frost__fail(&e, FROST_E_FORMAT, NULL, NULL, (int64_t)sm->off,
                         "%s: dataset '%s' has no valid shape", what, path);
        return defer(w, o, &e, st);
    }
    if (space.rank > FROST_MAX_RANK) {
        st = frost__fail(&e, FROST_E_LIMIT, NULL, NULL, (int64_t)sm->off,
                         "%s: dataset '%s' has rank %d (max %d)", what, path, space.rank,
                         FROST_MAX_RANK);
        return defer(w, o, &e, st);
    }
    memset(&o->shape, 0, sizeof o->shape);
    o->shape.rank = space.rank;
    for (int i = 0; i < space.rank; i++) {
        if (space.dims[i] > (uint64_t)INT64_MAX / 2) {
            st = frost__fail(&e, FROST_E_LIMIT, NULL, NULL, (int64_t)sm->off,
                             "%s: dataset '%s' declares dimension %d = %llu", what, path, i,
                             (unsigned long long)space.dims[i]);
            return defer(w, o, &e, st);
        }
        o->shape.d[i] = (int64_t)space.dims[i];
    }
    o->has_shape = true;
    if (type.cls != H5T_FIXED && type.cls != H5T_FLOATING) {
        /* Named like the HDF5 library's classes: a variable-length string is a string (3). */
        int cls = type.cls == H5T_VLEN && type.vlen_string ? H5T_STRING_FIXED : type.cls;
        st = frost__fail(&e, FROST_E_DTYPE, NULL, NULL, (int64_t)tm->off,
                         "%s: dataset '%s' is not numeric (HDF5 type class %d)", what, path, cls);
        return defer(w, o, &e, st);
    }
    if (!type.supported_number) {
        st = frost__fail(&e, FROST_E_UNSUPPORTED, NULL, NULL, (int64_t)tm->off,
                         "%s: dataset '%s' stores %u-byte %s in a layout frost does not convert "
                         "(padding bits or a non-IEEE format)", what, path, type.size,
                         type.cls == H5T_FIXED ? "integers" : "floats");
        return defer(w, o, &e, st);
    }
    int64_t numel;
    size_t bytes, room;
    if (!frost__shape_numel_ok(&o->shape, &numel) ||
        !frost__size_mul_ok((size_t)numel, sizeof(float), &bytes) ||
        !frost__size_mul_ok((size_t)numel, FROST_MAX(type.size, sizeof(float)), &room) ||
        (w->max_dataset_bytes && bytes > w->max_dataset_bytes)) {
        char sbuf[128];
        st = frost__fail(&e, FROST_E_LIMIT, NULL, NULL, (int64_t)sm->off,
                         "%s: dataset '%s' of shape %s is over the %llu-byte tensor limit", what,
                         path, frost__shape_str(&o->shape, sbuf, sizeof sbuf),
                         (unsigned long long)w->max_dataset_bytes);
        return defer(w, o, &e, st);
    }
    if (numel > 0 && (st = frost__h5_read_raw(&w->img, oh, path, &space, &type, NULL, &e)) != FROST_OK)
        return defer(w, o, &e, st);
    if (bytes > w->limit - w->total) {
        st = frost__fail(&e, FROST_E_LIMIT, NULL, NULL, (int64_t)sm->off,
                         "%s: dataset '%s' would take the data read from the file past its "
                         "%llu-byte limit (8x the file + 256 MiB)", what, path,
                         (unsigned long long)w->limit);
        return defer(w, o, &e, st);
    }
    uint8_t *buf = frost__alloc(w->img.a, room ? room : 1);
    if (!buf) {
        st = frost__fail(&e, FROST_E_NOMEM, NULL, NULL, -1,
                         "out of memory reading '%s' (%zu bytes)", path, room);
        return defer(w, o, &e, st);
    }
    if (numel > 0) {
        st = frost__h5_read_raw(&w->img, oh, path, &space, &type, buf, &e);
        if (st != FROST_OK) {
            frost__free(w->img.a, buf);
            return defer(w, o, &e, st);
        }
        frost__h5_to_f32(&type, buf, (size_t)numel);
    }
    w->total += bytes;
    o->data = (float *)(void *)buf;
    o->nbytes = bytes;
    return FROST_OK;
}

static frost_status add_object(walker *w, const char *path, frost__h5_kind kind, int *index) {
    frost__h5 *f = w->f;
    if (!frost__grow(w->img.a, (void **)&f->objs, &f->cap, f->n + 1, sizeof *f->objs))
        return frost__fail(w->err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
    h5_obj *o = &f->objs[f->n];
    memset(o, 0, sizeof *o);
    o->offset = -1;
    o->path = frost__strdup(w->img.a, path);
    if (!o->path) return frost__fail(w->err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
    o->kind = kind;
    *index = f->n++;
    return FROST_OK;
}

static frost_status walk(walker *w, const char *path, uint64_t addr, int depth) {
    if (++w->objects > FROST_H5_MAX_OBJECTS)
        return frost__fail(w->err, FROST_E_LIMIT, NULL, NULL, -1, "%s has more than %d objects",
                           w->img.what, FROST_H5_MAX_OBJECTS);
    h5_object_header oh;
    FROST_TRY(frost__h5_object_header(&w->img, addr, &oh, w->err));
    /* What the object is, decided as the HDF5 library does: a group has a symbol table or link
     * info, a dataset a datatype and a dataspace, a named datatype a datatype alone. */
    bool has_type = frost__h5_find_message(&oh, H5M_DATATYPE) != NULL;
    frost__h5_kind kind =
        frost__h5_find_message(&oh, H5M_SYMBOL_TABLE) || frost__h5_find_message(&oh, H5M_LINK_INFO)
            ? FROST__H5_GROUP
        : has_type && frost__h5_find_message(&oh, H5M_DATASPACE) ? FROST__H5_DATASET
        : has_type ? FROST__H5_OTHER : FROST__H5_NONE;
    if (kind == FROST__H5_NONE) {   /* not an object the library could open: left out */
        frost__h5_object_header_free(&w->img, &oh);
        return FROST_OK;
    }
    int index = -1; /* set by add_object on success */
    frost_status st = add_object(w, path, kind, &index);
    if (st == FROST_OK) {
        h5_obj *o = &w->f->objs[index];
        st = frost__h5_attributes(&w->img, &oh, path, &o->attrs, &o->n_attrs, w->err);
    }
    if (st == FROST_OK && kind == FROST__H5_DATASET) st = read_dataset(w, index, &oh);
    h5_link *links = NULL;
    int n = 0;
    bool oom = false;
    if (st == FROST_OK && kind == FROST__H5_GROUP && depth < FROST_H5_MAX_DEPTH &&
        first_visit(w, addr, &oom))
        st = frost__h5_group_links(&w->img, &oh, &links, &n, w->err);
    if (oom) st = frost__fail(w->err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
    frost__h5_object_header_free(&w->img, &oh);
    size_t plen = strlen(path);
    for (int i = 0; st == FROST_OK && i < n; i++) {
        bool skip = false;
        for (int s = 0; depth == 0 && w->skip_roots && w->skip_roots[s]; s++)
            skip |= !strcmp(links[i].name, w->skip_roots[s]);
        if (skip) continue;
        size_t len = plen + strlen(links[i].name) + 2;
        char *child = frost__alloc(w->img.a, len);
        if (!child) {
            st = frost__fail(w->err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
            break;
        }
        snprintf(child, len, "%s%s%s", path, plen ? "/" : "", links[i].name);
        st = walk(w, child, links[i].addr, depth + 1);
        frost__free(w->img.a, child);
    }
    frost__h5_links_free(&w->img, links, n);
    return st;
}

/* ---- Open and close --------------------------------------------------------------------------- */

static void free_obj(const frost_allocator *a, h5_obj *o) {
    h5_image img;
    memset(&img, 0, sizeof img);
    img.a = a;
    for (int i = 0; i < o->n_attrs; i++) frost__h5_attribute_free(&img, &o->attrs[i]);
    frost__free(a, o->attrs);
    frost__free(a, o->path);
    frost__free(a, o->data);
    frost__free(a, o->message);
}

static int cmp_obj(const void *a, const void *b) {
    return strcmp(((const h5_obj *)a)->path, ((const h5_obj *)b)->path);
}

frost_status frost__h5_open_memory(const void *data, size_t size, const frost_allocator *a,
                                   const char *what, uint64_t max_dataset_bytes,
                                   const char *const *skip_roots, frost__h5 **out,
                                   frost_error *err) {
    *out = NULL;
    if (!what) what = "HDF5 file";
    if (!frost__h5_sniff(data, size))
        return frost__fail(err, FROST_E_FORMAT, NULL, NULL, 0,
                           "%s is not an HDF5 file (no HDF5 signature)", what);
    frost__h5 *f = frost__calloc(a, 1, sizeof *f);
    if (!f) return frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory opening %s", what);
    f->alloc = *a;
    snprintf(f->what, sizeof f->what, "%s", what);
    walker w;
    memset(&w, 0, sizeof w);
    w.f = f;
    w.img.data = data;
    w.img.size = size;
    w.img.what = f->what;
    w.img.a = &f->alloc;
    w.max_dataset_bytes = max_dataset_bytes;
    w.skip_roots = skip_roots;
    w.limit = (uint64_t)size * 8 + ((uint64_t)256 << 20);
    w.err = err;
    frost_status st = frost__h5_superblock(&w.img, err);
    if (st == FROST_OK) st = walk(&w, "", w.img.root, 0);
    frost__free(&f->alloc, w.seen);
    if (st != FROST_OK) {
        frost__h5_close(f);
        return st;
    }
    if (f->n > 1) qsort(f->objs, (size_t)f->n, sizeof *f->objs, cmp_obj);
    *out = f;
    return FROST_OK;
}

void frost__h5_close(frost__h5 *f) {
    if (!f) return;
    frost_allocator a = f->alloc;
    for (int i = 0; i < f->n; i++) free_obj(&a, &f->objs[i]);
    frost__free(&a, f->objs);
    frost__free(&a, f);
}

/* ---- Queries ------------------------------------------------------------------------------------ */

/* The object at `path` ("/a//b/" == "a/b"), or NULL. */
static h5_obj *find(frost__h5 *f, const char *path) {
    char norm[2048];
    size_t n = 0;
    for (const char *p = path ? path : ""; *p && n + 1 < sizeof norm; p++) {
        if (*p == '/' && (n == 0 || norm[n - 1] == '/')) continue;
        norm[n++] = *p;
    }
    if (n > 0 && norm[n - 1] == '/') n--;
    norm[n] = 0;
    h5_obj key;
    key.path = norm;
    if (f->n == 0) return NULL;
    return bsearch(&key, f->objs, (size_t)f->n, sizeof *f->objs, cmp_obj);
}

frost__h5_kind frost__h5_kind_of(frost__h5 *f, const char *path) {
    h5_obj *o = find(f, path);
    return o ? o->kind : FROST__H5_NONE;
}

void frost__h5_free_strings(frost__h5 *f, char **s, int n) {
    if (!s) return;
    for (int i = 0; i < n; i++) frost__free(&f->alloc, s[i]);
    frost__free(&f->alloc, s);
}

frost_status frost__h5_list(frost__h5 *f, const char *path, char ***names, int *n,
                            frost_error *err) {
    *names = NULL;
    *n = 0;
    h5_obj *g = find(f, path);
    if (!g || g->kind != FROST__H5_GROUP)
        return frost__fail(err, FROST_E_NOT_FOUND, NULL, NULL, -1, "%s has no group '%s'", f->what, path);
    /* Children follow their parent in the sorted snapshot, but not contiguously ("a/b" < "a/b/c" <
     * "a/b0"), so the whole range with the parent's prefix is scanned. */
    size_t plen = strlen(g->path);
    int count = 0, first = (int)(g - f->objs) + 1;
    char **out = frost__calloc(&f->alloc, (size_t)f->n + 1, sizeof *out);
    if (!out) return frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
    for (int i = first; i < f->n; i++) {
        const char *p = f->objs[i].path;
        if (strncmp(p, g->path, plen)) break;
        const char *rest = p + plen;
        if (plen) {
            if (*rest != '/') continue;
            rest++;
        }
        if (!*rest || strchr(rest, '/')) continue;
        out[count] = frost__strdup(&f->alloc, rest);
        if (!out[count]) {
            frost__h5_free_strings(f, out, count);
            return frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
        }
        count++;
    }
    *names = out;
    *n = count;
    return FROST_OK;
}

static const h5_attribute *find_attr(const h5_obj *o, const char *name) {
    for (int i = 0; o && i < o->n_attrs; i++)
        if (o->attrs[i].is_string && !strcmp(o->attrs[i].name, name)) return &o->attrs[i];
    return NULL;
}

bool frost__h5_attr_is_variable(frost__h5 *f, const char *path, const char *attr) {
    const h5_attribute *at = find_attr(find(f, path), attr);
    return at && at->variable;
}

frost_status frost__h5_attr_strings(frost__h5 *f, const char *path, const char *attr,
                                    size_t max_bytes, char ***out, int *n, frost_error *err) {
    *out = NULL;
    *n = 0;
    size_t budget = max_bytes ? max_bytes : FROST_H5_DEFAULT_ATTR_MAX;
    h5_obj *o = find(f, path);
    if (!o)
        return frost__fail(err, FROST_E_NOT_FOUND, NULL, NULL, -1, "%s has no object '%s'", f->what, path);
    /* Keras writes lists over 64 KiB as attr0, attr1, ... */
    const h5_attribute *parts[1024];
    int n_parts = 0;
    const h5_attribute *whole = find_attr(o, attr);
    if (whole) {
        parts[n_parts++] = whole;
    } else {
        for (int k = 0; k < 1024; k++) {
            char chunk[300];
            snprintf(chunk, sizeof chunk, "%s%d", attr, k);
            const h5_attribute *p = find_attr(o, chunk);
            if (!p) break;
            parts[n_parts++] = p;
        }
    }
    if (n_parts == 0)
        return frost__fail(err, FROST_E_NOT_FOUND, NULL, NULL, -1, "%s: '%s' has no attribute '%s'",
                           f->what, *o->path ? o->path : "/", attr);
    int total = 0;
    for (int p = 0; p < n_parts; p++) {
        if (parts[p]->status != FROST_OK)
            return frost__fail(err, parts[p]->status, NULL, NULL, parts[p]->offset, "%s",
                               parts[p]->message ? parts[p]->message : "attribute cannot be read");
        total += parts[p]->n;
    }
    char **list = frost__calloc(&f->alloc, (size_t)total + 1, sizeof *list);
    if (!list) return frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
    int count = 0;
    for (int p = 0; p < n_parts; p++)
        for (int k = 0; k < parts[p]->n; k++) {
            size_t len = strlen(parts[p]->s[k]);
            if (len >= budget) {
                frost__h5_free_strings(f, list, count);
                return frost__fail(err, FROST_E_LIMIT, NULL, NULL, -1,
                                   "%s: attribute '%s' of '%s' is over the size limit", f->what, attr, path);
            }
            budget -= len;
            list[count] = frost__strdup(&f->alloc, parts[p]->s[k]);
            if (!list[count]) {
                frost__h5_free_strings(f, list, count);
                return frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
            }
            count++;
        }
    *out = list;
    *n = count;
    return FROST_OK;
}

frost_status frost__h5_dataset_shape(frost__h5 *f, const char *path, frost__shape *shape,
                                     frost_error *err) {
    h5_obj *o = find(f, path);
    if (!o || o->kind != FROST__H5_DATASET)
        return frost__fail(err, FROST_E_NOT_FOUND, NULL, NULL, -1, "%s has no dataset '%s'", f->what, path);
    if (!o->has_shape)
        return frost__fail(err, o->status ? o->status : FROST_E_FORMAT, NULL, NULL, o->offset, "%s",
                           o->message ? o->message : "dataset has no valid shape");
    *shape = o->shape;
    return FROST_OK;
}

frost_status frost__h5_read_f32(frost__h5 *f, const char *path, uint64_t max_bytes, float **out,
                                frost__shape *shape, frost_error *err) {
    *out = NULL;
    h5_obj *o = find(f, path);
    if (!o || o->kind != FROST__H5_DATASET)
        return frost__fail(err, FROST_E_NOT_FOUND, NULL, NULL, -1, "%s has no dataset '%s'", f->what, path);
    if (!o->data && !o->taken)
        return frost__fail(err, o->status ? o->status : FROST_E_FORMAT, NULL, NULL, o->offset, "%s",
                           o->message ? o->message : "dataset cannot be read");
    if (max_bytes && o->nbytes > max_bytes) {
        char sbuf[128];
        return frost__fail(err, FROST_E_LIMIT, NULL, NULL, -1,
                           "%s: dataset '%s' of shape %s is over the %llu-byte tensor limit", f->what,
                           path, frost__shape_str(&o->shape, sbuf, sizeof sbuf),
                           (unsigned long long)max_bytes);
    }
    /* The buffer is handed over: importers read each dataset once (they cache constants). */
    if (o->taken)
        return frost__fail(err, FROST_E_INTERNAL, NULL, NULL, -1,
                           "%s: dataset '%s' was already read", f->what, path);
    *out = o->data;
    o->data = NULL;
    o->taken = true;
    *shape = o->shape;
    return FROST_OK;
}
