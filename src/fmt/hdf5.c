/* hdf5.c — read-only HDF5 access from memory (fmt/hdf5.h), isolated in a child process when the
 * caller is single-threaded (fork is unsafe otherwise: then in-process, serialized by a lock).
 *
 * libhdf5 is not robust against malicious files: mutated Keras .h5 files make 1.10.x read out of
 * bounds or crash while parsing object headers and global heaps. So the parent never calls it. A
 * forked child opens the image with the core driver (H5Pset_file_image), walks it (hard links only:
 * soft and external links are never followed, revisited groups are not walked twice), reads every
 * string attribute and every dataset converted to f32 (checked against the caller's size limit and
 * against the bytes actually stored), streams that snapshot back over a pipe and exits. The parent
 * answers every query from the snapshot; a child that dies mid-way becomes FROST_E_FORMAT. This
 * also makes concurrent loads safe although the Debian serial libhdf5 is not thread-safe.
 *
 * It knows nothing about Keras. It must never let libhdf5 print to stderr (automatic error printing
 * is off in the child), never trust a size from the pipe without checking it against its limits,
 * and never exit the process: the walker reports failure by cutting its stream short. */
#include "fmt/hdf5.h"

#include <errno.h>
#include <hdf5.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define FROST_H5_MAX_CHILDREN 100000
#define FROST_H5_MAX_DEPTH 64
#define FROST_H5_MAX_OBJECTS 1000000
#define FROST_H5_DEFAULT_ATTR_MAX ((size_t)64 << 20)

/* The child's view of the file. */
typedef struct h5_file {
    frost_allocator alloc;
    hid_t file;
    char what[64];
} h5_file;

/* ---- The parent's snapshot ------------------------------------------------------------------- */

typedef struct h5_attr {
    char *name;
    bool variable;
    char **s;
    int n;
} h5_attr;

typedef struct h5_obj {
    char *path;                /* "" root, "a/b"                                                */
    frost__h5_kind kind;
    h5_attr *attrs;
    int n_attrs, cap_attrs;
    bool has_shape;
    frost__shape shape;
    float *data;               /* DATASET read fine; handed out by the first frost__h5_read_f32 */
    size_t nbytes;
    bool taken;
    frost_status status;       /* DATASET that could not be read                               */
    char *message;
} h5_obj;

struct frost__h5 {
    frost_allocator alloc;
    char what[64];
    h5_obj *objs;
    int n, cap;
};

static const unsigned char h5_signature[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};

bool frost__h5_sniff(const void *data, size_t size) {
    const unsigned char *p = data;
    if (!p) return false;
    for (size_t off = 0; off + 8 <= size; off = off ? off * 2 : 512) {
        if (!memcmp(p + off, h5_signature, 8)) return true;
        if (off >= ((size_t)1 << 30)) break;
    }
    return false;
}

/* Opens the object at `path` following hard links only. Returns an object id (close with H5Oclose)
 * or -1. */
static hid_t open_path(h5_file *f, const char *path, H5O_type_t *type) {
    hid_t cur = H5Oopen(f->file, "/", H5P_DEFAULT);
    if (cur < 0) return -1;
    H5O_type_t cur_type = H5O_TYPE_GROUP;
    char comp[1024];
    const char *p = path ? path : "";
    int depth = 0;
    while (*p) {
        while (*p == '/') p++;
        if (!*p) break;
        const char *e = strchr(p, '/');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len >= sizeof comp || ++depth > FROST_H5_MAX_DEPTH || cur_type != H5O_TYPE_GROUP) {
            H5Oclose(cur);
            return -1;
        }
        memcpy(comp, p, len);
        comp[len] = 0;
        p += len;
        if (!strcmp(comp, ".") || !strcmp(comp, "..")) { H5Oclose(cur); return -1; }
        H5L_info_t li;
        if (H5Lexists(cur, comp, H5P_DEFAULT) <= 0 ||
            H5Lget_info(cur, comp, &li, H5P_DEFAULT) < 0 || li.type != H5L_TYPE_HARD) {
            H5Oclose(cur);
            return -1;
        }
        hid_t next = H5Oopen(cur, comp, H5P_DEFAULT);
        H5Oclose(cur);
        if (next < 0) return -1;
        H5O_info_t oi;
        if (H5Oget_info(next, &oi) < 0) { H5Oclose(next); return -1; }
        cur = next;
        cur_type = oi.type;
    }
    if (type) *type = cur_type;
    return cur;
}

static void direct_free_strings(h5_file *f, char **s, int n) {
    if (!s) return;
    for (int i = 0; i < n; i++) frost__free(&f->alloc, s[i]);
    frost__free(&f->alloc, s);
}

static frost_status direct_list(h5_file *f, const char *path, char ***names, int *n,
                            frost_error *err) {
    *names = NULL;
    *n = 0;
    H5O_type_t t;
    hid_t g = open_path(f, path, &t);
    if (g < 0 || t != H5O_TYPE_GROUP) {
        if (g >= 0) H5Oclose(g);
        return frost__fail(err, FROST_E_NOT_FOUND, NULL, NULL, -1, "%s has no group '%s'", f->what,
                           path);
    }
    H5G_info_t gi;
    if (H5Gget_info(g, &gi) < 0) {
        H5Oclose(g);
        return frost__fail(err, FROST_E_FORMAT, NULL, NULL, -1, "%s: group '%s' is corrupted",
                           f->what, path);
    }
    if (gi.nlinks > FROST_H5_MAX_CHILDREN) {
        H5Oclose(g);
        return frost__fail(err, FROST_E_LIMIT, NULL, NULL, -1,
                           "%s: group '%s' has %llu members (limit %d)", f->what, path,
                           (unsigned long long)gi.nlinks, FROST_H5_MAX_CHILDREN);
    }
    int count = (int)gi.nlinks;
    char **out = frost__calloc(&f->alloc, (size_t)count + 1, sizeof *out);
    if (!out) {
        H5Oclose(g);
        return frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
    }
    frost_status st = FROST_OK;
    for (int i = 0; i < count; i++) {
        ssize_t len = H5Lget_name_by_idx(g, ".", H5_INDEX_NAME, H5_ITER_INC, (hsize_t)i, NULL, 0,
                                         H5P_DEFAULT);
        if (len < 0 || len > 4096) {
            st = frost__fail(err, FROST_E_FORMAT, NULL, NULL, -1,
                             "%s: member %d of group '%s' has a bad name", f->what, i, path);
            break;
        }
        out[i] = frost__alloc(&f->alloc, (size_t)len + 1);
        if (!out[i]) {
            st = frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
            break;
        }
        if (H5Lget_name_by_idx(g, ".", H5_INDEX_NAME, H5_ITER_INC, (hsize_t)i, out[i],
                               (size_t)len + 1, H5P_DEFAULT) < 0) {
            st = frost__fail(err, FROST_E_FORMAT, NULL, NULL, -1,
                             "%s: member %d of group '%s' has a bad name", f->what, i, path);
            break;
        }
        out[i][len] = 0;
    }
    H5Oclose(g);
    if (st != FROST_OK) {
        direct_free_strings(f, out, count);
        return st;
    }
    *names = out;
    *n = count;
    return FROST_OK;
}

/* Appends the strings of one attribute to *list. */
static frost_status read_one_attr(h5_file *f, hid_t obj, const char *path, const char *attr,
                                  size_t *budget, char ***list, int *n, int *cap,
                                  frost_error *err) {
    hid_t at = H5Aopen(obj, attr, H5P_DEFAULT);
    if (at < 0)
        return frost__fail(err, FROST_E_FORMAT, NULL, NULL, -1, "%s: attribute '%s' of '%s' is unreadable",
                           f->what, attr, path);
    hid_t ft = H5Aget_type(at);
    hid_t sp = H5Aget_space(at);
    frost_status st = FROST_OK;
    hid_t mt = -1;
    char *fixed = NULL;
    char **vl = NULL;
    hssize_t count = sp >= 0 ? H5Sget_simple_extent_npoints(sp) : -1;
    int rank = sp >= 0 ? H5Sget_simple_extent_ndims(sp) : -1;
    if (ft < 0 || sp < 0 || count < 0 || rank < 0 || rank > 1 || H5Tget_class(ft) != H5T_STRING) {
        st = frost__fail(err, FROST_E_FORMAT, NULL, NULL, -1,
                         "%s: attribute '%s' of '%s' is not a string or a list of strings", f->what,
                         attr, path);
        goto done;
    }
    if ((uint64_t)count > (uint64_t)FROST_H5_MAX_CHILDREN) {
        st = frost__fail(err, FROST_E_LIMIT, NULL, NULL, -1, "%s: attribute '%s' of '%s' has %lld strings",
                         f->what, attr, path, (long long)count);
        goto done;
    }
    if (!frost__grow(&f->alloc, (void **)list, cap, *n + (int)count + 1, sizeof **list)) {
        st = frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
        goto done;
    }
    htri_t is_vl = H5Tis_variable_str(ft);
    if (is_vl > 0) {
        mt = H5Tcopy(H5T_C_S1);
        H5Tset_size(mt, H5T_VARIABLE);
        vl = frost__calloc(&f->alloc, (size_t)count + 1, sizeof *vl);
        if (!vl) { st = frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory"); goto done; }
        if (H5Aread(at, mt, vl) < 0) {
            st = frost__fail(err, FROST_E_FORMAT, NULL, NULL, -1, "%s: attribute '%s' of '%s' is corrupted",
                             f->what, attr, path);
            goto done;
        }
        for (hssize_t i = 0; i < count; i++) {
            const char *s = vl[i] ? vl[i] : "";
            size_t len = strlen(s);
            if (len >= *budget) {
                st = frost__fail(err, FROST_E_LIMIT, NULL, NULL, -1,
                                 "%s: attribute '%s' of '%s' is over the size limit", f->what, attr, path);
                break;
            }
            *budget -= len;
            char *c = frost__strndup(&f->alloc, s, len);
            if (!c) { st = frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory"); break; }
            (*list)[(*n)++] = c;
        }
        H5Dvlen_reclaim(mt, sp, H5P_DEFAULT, vl);
    } else {
        size_t sz = H5Tget_size(ft);
        size_t total;
        if (sz == 0 || !frost__size_mul_ok(sz, (size_t)count, &total) || total >= *budget) {
            st = frost__fail(err, FROST_E_LIMIT, NULL, NULL, -1,
                             "%s: attribute '%s' of '%s' is over the size limit", f->what, attr, path);
            goto done;
        }
        *budget -= total;
        fixed = frost__alloc(&f->alloc, total + 1);
        if (!fixed) { st = frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory"); goto done; }
        mt = H5Tcopy(ft);
        if (mt < 0 || H5Aread(at, mt, fixed) < 0) {
            st = frost__fail(err, FROST_E_FORMAT, NULL, NULL, -1, "%s: attribute '%s' of '%s' is corrupted",
                             f->what, attr, path);
            goto done;
        }
        for (hssize_t i = 0; i < count; i++) {
            const char *s = fixed + (size_t)i * sz;
            char *c = frost__strndup(&f->alloc, s, strnlen(s, sz));
            if (!c) { st = frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory"); break; }
            (*list)[(*n)++] = c;
        }
    }
done:
    if (vl) frost__free(&f->alloc, vl);
    if (fixed) frost__free(&f->alloc, fixed);
    if (mt >= 0) H5Tclose(mt);
    if (ft >= 0) H5Tclose(ft);
    if (sp >= 0) H5Sclose(sp);
    H5Aclose(at);
    return st;
}

static frost_status dataset_shape(h5_file *f, hid_t ds, const char *path, frost__shape *shape,
                                  frost_error *err) {
    hid_t sp = H5Dget_space(ds);
    int rank = sp >= 0 ? H5Sget_simple_extent_ndims(sp) : -1;
    H5S_class_t cls = sp >= 0 ? H5Sget_simple_extent_type(sp) : H5S_NO_CLASS;
    hsize_t dims[32];
    frost_status st = FROST_OK;
    if (rank < 0 || cls == H5S_NULL || cls == H5S_NO_CLASS) {
        st = frost__fail(err, FROST_E_FORMAT, NULL, NULL, -1, "%s: dataset '%s' has no valid shape",
                         f->what, path);
    } else if (rank > FROST_MAX_RANK) {
        st = frost__fail(err, FROST_E_LIMIT, NULL, NULL, -1, "%s: dataset '%s' has rank %d (max %d)",
                         f->what, path, rank, FROST_MAX_RANK);
    } else if (H5Sget_simple_extent_dims(sp, dims, NULL) < 0) {
        st = frost__fail(err, FROST_E_FORMAT, NULL, NULL, -1, "%s: dataset '%s' has no valid shape",
                         f->what, path);
    } else {
        memset(shape, 0, sizeof *shape);
        shape->rank = rank;
        for (int i = 0; i < rank; i++) {
            if (dims[i] > (hsize_t)INT64_MAX / 2) {
                st = frost__fail(err, FROST_E_LIMIT, NULL, NULL, -1,
                                 "%s: dataset '%s' declares dimension %d = %llu", f->what, path, i,
                                 (unsigned long long)dims[i]);
                break;
            }
            shape->d[i] = (int64_t)dims[i];
        }
    }
    if (sp >= 0) H5Sclose(sp);
    return st;
}

static hid_t open_dataset(h5_file *f, const char *path, frost_error *err, frost_status *st) {
    H5O_type_t t;
    hid_t o = open_path(f, path, &t);
    if (o < 0 || t != H5O_TYPE_DATASET) {
        if (o >= 0) H5Oclose(o);
        *st = frost__fail(err, FROST_E_NOT_FOUND, NULL, NULL, -1, "%s has no dataset '%s'", f->what,
                          path);
        return -1;
    }
    *st = FROST_OK;
    return o;
}

static frost_status direct_dataset_shape(h5_file *f, const char *path, frost__shape *shape,
                                     frost_error *err) {
    frost_status st;
    hid_t ds = open_dataset(f, path, err, &st);
    if (ds < 0) return st;
    st = dataset_shape(f, ds, path, shape, err);
    H5Oclose(ds);
    return st;
}

static frost_status direct_read_f32(h5_file *f, const char *path, uint64_t max_bytes, float **out,
                                frost__shape *shape, frost_error *err) {
    *out = NULL;
    frost_status st;
    hid_t ds = open_dataset(f, path, err, &st);
    if (ds < 0) return st;
    float *buf = NULL;
    hid_t ft = -1;
    st = dataset_shape(f, ds, path, shape, err);
    if (st != FROST_OK) goto done;
    ft = H5Dget_type(ds);
    H5T_class_t cls = ft >= 0 ? H5Tget_class(ft) : H5T_NO_CLASS;
    if (cls != H5T_FLOAT && cls != H5T_INTEGER) {
        st = frost__fail(err, FROST_E_DTYPE, NULL, NULL, -1,
                         "%s: dataset '%s' is not numeric (HDF5 type class %d)", f->what, path,
                         (int)cls);
        goto done;
    }
    int64_t numel;
    size_t bytes;
    if (!frost__shape_numel_ok(shape, &numel) ||
        !frost__size_mul_ok((size_t)numel, sizeof(float), &bytes) ||
        (max_bytes && bytes > max_bytes)) {
        char sbuf[128];
        st = frost__fail(err, FROST_E_LIMIT, NULL, NULL, -1,
                         "%s: dataset '%s' of shape %s is over the %llu-byte tensor limit", f->what,
                         path, frost__shape_str(shape, sbuf, sizeof sbuf),
                         (unsigned long long)max_bytes);
        goto done;
    }
    /* A declared shape is not data: refuse datasets whose file storage can't hold the elements
     * (never written, or a contiguous block cut short) before allocating for them. */
    hsize_t stored = H5Dget_storage_size(ds);
    size_t file_elem = H5Tget_size(ft);
    hid_t dcpl = H5Dget_create_plist(ds);
    H5D_layout_t layout = dcpl >= 0 ? H5Pget_layout(dcpl) : H5D_LAYOUT_ERROR;
    if (dcpl >= 0) H5Pclose(dcpl);
    if (numel > 0 && (stored == 0 || ((layout == H5D_CONTIGUOUS || layout == H5D_COMPACT) &&
                                      stored / file_elem < (hsize_t)numel))) {
        char sbuf[128];
        st = frost__fail(err, FROST_E_FORMAT, NULL, NULL, -1,
                         "%s: dataset '%s' declares shape %s but stores only %llu bytes", f->what,
                         path, frost__shape_str(shape, sbuf, sizeof sbuf), (unsigned long long)stored);
        goto done;
    }
    buf = frost__alloc(&f->alloc, bytes ? bytes : 1);
    if (!buf) {
        st = frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory reading '%s' (%zu bytes)",
                         path, bytes);
        goto done;
    }
    if (numel > 0 && H5Dread(ds, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0) {
        st = frost__fail(err, FROST_E_FORMAT, NULL, NULL, -1,
                         "%s: dataset '%s' cannot be read (truncated or corrupted data)", f->what,
                         path);
        goto done;
    }
    *out = buf;
    buf = NULL;
done:
    if (buf) frost__free(&f->alloc, buf);
    if (ft >= 0) H5Tclose(ft);
    H5Oclose(ds);
    return st;
}

/* ---- The child: walk the file, stream the snapshot ---------------------------------------------- */

enum { REC_OBJECT = 'O', REC_ATTR = 'A', REC_DATA = 'D', REC_DATA_ERROR = 'E', REC_FATAL = 'F',
       REC_END = 'Z' };

typedef struct h5_writer {
    int fd;
    uint64_t max_dataset_bytes;
    int objects;
    haddr_t *seen;             /* addresses of groups already walked (open addressing)          */
    size_t seen_cap;
    bool failed;               /* out of memory or the reader went away: the stream is cut short */
} h5_writer;

static void put(h5_writer *w, const void *p, size_t n) {
    const unsigned char *c = p;
    while (n > 0 && !w->failed) {
        ssize_t k = write(w->fd, c, n);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) {           /* the reader stopped listening */
            w->failed = true;
            return;
        }
        c += k;
        n -= (size_t)k;
    }
}
static void put_u8(h5_writer *w, unsigned v) { unsigned char b = (unsigned char)v; put(w, &b, 1); }
static void put_u32(h5_writer *w, uint32_t v) { put(w, &v, 4); }
static void put_u64(h5_writer *w, uint64_t v) { put(w, &v, 8); }
static void put_str(h5_writer *w, const char *s) {
    size_t n = strlen(s);
    put_u32(w, (uint32_t)n);
    put(w, s, n);
}

/* True the first time a group's address is seen. */
static bool first_visit(h5_writer *w, haddr_t addr) {
    if (!w->seen) {
        w->seen_cap = 1 << 16;
        w->seen = calloc(w->seen_cap, sizeof *w->seen);
        if (!w->seen) {
            w->failed = true;
            return false;
        }
    }
    size_t mask = w->seen_cap - 1, i = (size_t)(addr * 0x9E3779B97F4A7C15ull) & mask;
    for (size_t probe = 0; probe < w->seen_cap; probe++, i = (i + 1) & mask) {
        if (w->seen[i] == addr + 1) return false;
        if (w->seen[i] == 0) {
            w->seen[i] = addr + 1;
            return true;
        }
    }
    return false;   /* table full: treat as seen, the object budget ends the walk anyway */
}

static void walk_attrs(h5_file *f, h5_writer *w, const char *path, hid_t obj) {
    H5O_info_t oi;
    if (H5Oget_info(obj, &oi) < 0) return;
    for (hsize_t i = 0; i < oi.num_attrs && i < 4096; i++) {
        char name[256];
        ssize_t len = H5Aget_name_by_idx(obj, ".", H5_INDEX_NAME, H5_ITER_INC, i, name, sizeof name,
                                         H5P_DEFAULT);
        if (len <= 0 || (size_t)len >= sizeof name) continue;
        hid_t at = H5Aopen(obj, name, H5P_DEFAULT);
        hid_t ft = at >= 0 ? H5Aget_type(at) : -1;
        bool is_string = ft >= 0 && H5Tget_class(ft) == H5T_STRING;
        bool variable = is_string && H5Tis_variable_str(ft) > 0;
        if (ft >= 0) H5Tclose(ft);
        if (at >= 0) H5Aclose(at);
        if (!is_string) continue;
        char **list = NULL;
        int n = 0, cap = 0;
        size_t budget = FROST_H5_DEFAULT_ATTR_MAX;
        frost_error ignored;
        if (read_one_attr(f, obj, path, name, &budget, &list, &n, &cap, &ignored) == FROST_OK) {
            put_u8(w, REC_ATTR);
            put_str(w, name);
            put_u32(w, variable);
            put_u32(w, (uint32_t)n);
            for (int k = 0; k < n; k++) put_str(w, list[k]);
        }
        direct_free_strings(f, list, n);
    }
}

static void walk(h5_file *f, h5_writer *w, const char *path, int depth,
                 const char *const *skip_roots) {
    if (++w->objects > FROST_H5_MAX_OBJECTS) return;
    H5O_type_t t;
    hid_t obj = open_path(f, path, &t);
    if (obj < 0) return;
    frost__h5_kind kind = t == H5O_TYPE_GROUP ? FROST__H5_GROUP
                          : t == H5O_TYPE_DATASET ? FROST__H5_DATASET : FROST__H5_OTHER;
    put_u8(w, REC_OBJECT);
    put_str(w, path);
    put_u32(w, (uint32_t)kind);
    walk_attrs(f, w, path, obj);
    H5O_info_t oi;
    bool walk_children = kind == FROST__H5_GROUP && depth < FROST_H5_MAX_DEPTH &&
                         H5Oget_info(obj, &oi) >= 0 && first_visit(w, oi.addr);
    H5Oclose(obj);
    if (kind == FROST__H5_DATASET) {
        float *data = NULL;
        frost__shape shape;
        frost_error err;
        memset(&err, 0, sizeof err);
        frost_status st = direct_read_f32(f, path, w->max_dataset_bytes, &data, &shape, &err);
        if (st == FROST_OK) {
            int64_t numel = frost__shape_numel(&shape);
            put_u8(w, REC_DATA);
            put_u32(w, (uint32_t)shape.rank);
            for (int i = 0; i < shape.rank; i++) put_u64(w, (uint64_t)shape.d[i]);
            put_u64(w, (uint64_t)numel * sizeof(float));
            put(w, data, (size_t)numel * sizeof(float));
            frost__free(&f->alloc, data);
        } else {
            put_u8(w, REC_DATA_ERROR);
            put_str(w, err.message);
            put_u32(w, (uint32_t)st);
            frost__shape s2;
            frost_error e2;
            bool shaped = direct_dataset_shape(f, path, &s2, &e2) == FROST_OK;
            put_u32(w, shaped ? (uint32_t)s2.rank : 0xffffffffu);
            for (int i = 0; shaped && i < s2.rank; i++) put_u64(w, (uint64_t)s2.d[i]);
        }
    }
    if (!walk_children) return;
    char **names = NULL;
    int n = 0;
    frost_error ignored;
    if (direct_list(f, path, &names, &n, &ignored) != FROST_OK) return;
    for (int i = 0; i < n; i++) {
        bool skip = false;
        for (int s = 0; depth == 0 && skip_roots && skip_roots[s]; s++)
            skip |= !strcmp(names[i], skip_roots[s]);
        if (skip) continue;
        size_t len = strlen(path) + strlen(names[i]) + 2;
        char *child = w->failed ? NULL : malloc(len);
        if (!child) {
            w->failed = true;
            break;
        }
        snprintf(child, len, "%s%s%s", path, *path ? "/" : "", names[i]);
        walk(f, w, child, depth + 1, skip_roots);
        free(child);
    }
    direct_free_strings(f, names, n);
}

/* Opens the image with libhdf5 and writes the snapshot records to fd. Runs in the forked child, or
 * in-process under snapshot_lock when forking is unsafe (see frost__h5_open_memory). */
static void write_snapshot(int fd, const void *data, size_t size, const char *what,
                           uint64_t max_dataset_bytes, const char *const *skip_roots) {
    h5_writer w = {fd, max_dataset_bytes, 0, NULL, 0, false};
    H5open();
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    h5_file f;
    memset(&f, 0, sizeof f);
    f.alloc = *frost__default_allocator();
    snprintf(f.what, sizeof f.what, "%s", what);
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    if (fapl < 0 || H5Pset_fapl_core(fapl, 1 << 16, 0) < 0 ||
        H5Pset_file_image(fapl, (void *)data, size) < 0) {
        if (fapl >= 0) H5Pclose(fapl);
        put_u8(&w, REC_FATAL);
        put_u32(&w, FROST_E_NOMEM);
        put_str(&w, "libhdf5 cannot take the file image");
        return;
    }
    f.file = H5Fopen("frost-image", H5F_ACC_RDONLY, fapl);
    H5Pclose(fapl);
    if (f.file < 0) {
        char msg[256];
        snprintf(msg, sizeof msg, "%s is a corrupted or truncated HDF5 file (libhdf5 cannot open it)",
                 what);
        put_u8(&w, REC_FATAL);
        put_u32(&w, FROST_E_FORMAT);
        put_str(&w, msg);
        return;
    }
    walk(&f, &w, "", 0, skip_roots);
    if (!w.failed) put_u8(&w, REC_END); /* a cut-short stream lacks its end: the reader refuses it */
    H5Fclose(f.file);
    free(w.seen);
}

static _Noreturn void child_main(int fd, const void *data, size_t size, const char *what,
                                 uint64_t max_dataset_bytes, const char *const *skip_roots) {
    signal(SIGPIPE, SIG_DFL);
    write_snapshot(fd, data, size, what, max_dataset_bytes, skip_roots);
    _exit(0);
}

/* fork() is only safe while this is the process's only thread: another thread may hold a lock
 * (the allocator's, stdio's) that the child would then wait on forever. /proc tells. */
static bool single_threaded(void) {
    FILE *st = fopen("/proc/self/status", "r");
    if (!st) return false;
    char line[256];
    long threads = -1;
    while (fgets(line, sizeof line, st))
        if (sscanf(line, "Threads: %ld", &threads) == 1) break;
    fclose(st);
    return threads == 1;
}

/* The serial libhdf5 is not thread-safe: in-process snapshots take turns. */
static pthread_mutex_t snapshot_lock = PTHREAD_MUTEX_INITIALIZER;

/* ---- The parent: read the snapshot ---------------------------------------------------------------- */

typedef struct h5_reader {
    int fd;
    unsigned char buf[1 << 16];
    size_t at, len;
    uint64_t total, limit;
    bool eof, over;
} h5_reader;

static bool get(h5_reader *r, void *out, size_t n) {
    unsigned char *o = out;
    while (n > 0) {
        if (r->at == r->len) {
            if (r->eof) return false;
            ssize_t k = read(r->fd, r->buf, sizeof r->buf);
            if (k < 0 && errno == EINTR) continue;
            if (k <= 0) {
                r->eof = true;
                return false;
            }
            r->total += (uint64_t)k;
            if (r->total > r->limit) {
                r->over = true;
                return false;
            }
            r->at = 0;
            r->len = (size_t)k;
        }
        size_t c = FROST_MIN(n, r->len - r->at);
        memcpy(o, r->buf + r->at, c);
        r->at += c;
        o += c;
        n -= c;
    }
    return true;
}
static bool get_u32(h5_reader *r, uint32_t *v) { return get(r, v, 4); }
static bool get_u64(h5_reader *r, uint64_t *v) { return get(r, v, 8); }
static char *get_str(h5_reader *r, const frost_allocator *a) {
    uint32_t n;
    if (!get_u32(r, &n) || n > (64u << 20)) return NULL;
    char *s = frost__alloc(a, (size_t)n + 1);
    if (!s) return NULL;
    if (!get(r, s, n)) {
        frost__free(a, s);
        return NULL;
    }
    s[n] = 0;
    return s;
}

static bool get_shape(h5_reader *r, uint32_t rank, frost__shape *s) {
    if (rank > FROST_MAX_RANK) return false;
    memset(s, 0, sizeof *s);
    s->rank = (int)rank;
    for (uint32_t i = 0; i < rank; i++) {
        uint64_t d;
        if (!get_u64(r, &d) || d > (uint64_t)INT64_MAX / 2) return false;
        s->d[i] = (int64_t)d;
    }
    return true;
}

static void free_obj(const frost_allocator *a, h5_obj *o) {
    for (int i = 0; i < o->n_attrs; i++) {
        for (int k = 0; k < o->attrs[i].n; k++) frost__free(a, o->attrs[i].s[k]);
        frost__free(a, o->attrs[i].s);
        frost__free(a, o->attrs[i].name);
    }
    frost__free(a, o->attrs);
    frost__free(a, o->path);
    frost__free(a, o->data);
    frost__free(a, o->message);
}

/* Reads records until END; returns FROST_OK, or a status with err filled. */
static frost_status read_snapshot(frost__h5 *f, h5_reader *r, frost_error *err) {
    const frost_allocator *a = &f->alloc;
    h5_obj *cur = NULL;
    for (;;) {
        unsigned char tag;
        if (!get(r, &tag, 1)) break;
        if (tag == REC_END) return FROST_OK;
        if (tag == REC_FATAL) {
            uint32_t code;
            char *msg = get_u32(r, &code) ? get_str(r, a) : NULL;
            frost_status st = frost__fail(err, code ? (frost_status)code : FROST_E_FORMAT, NULL, NULL,
                                          -1, "%s", msg ? msg : "HDF5 reader failed");
            frost__free(a, msg);
            return st;
        }
        if (tag == REC_OBJECT) {
            if (!frost__grow(a, (void **)&f->objs, &f->cap, f->n + 1, sizeof *f->objs))
                return frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
            cur = &f->objs[f->n];
            memset(cur, 0, sizeof *cur);
            uint32_t kind;
            cur->path = get_str(r, a);
            if (!cur->path || !get_u32(r, &kind)) {
                frost__free(a, cur->path);
                break;
            }
            cur->kind = (frost__h5_kind)kind;
            f->n++;
        } else if (tag == REC_ATTR && cur) {
            if (!frost__grow(a, (void **)&cur->attrs, &cur->cap_attrs, cur->n_attrs + 1,
                             sizeof *cur->attrs))
                return frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
            h5_attr *at = &cur->attrs[cur->n_attrs];
            memset(at, 0, sizeof *at);
            uint32_t variable, n;
            at->name = get_str(r, a);
            if (!at->name || !get_u32(r, &variable) || !get_u32(r, &n) || n > FROST_H5_MAX_CHILDREN) {
                frost__free(a, at->name);
                break;
            }
            cur->n_attrs++;
            at->variable = variable != 0;
            at->s = frost__calloc(a, (size_t)n + 1, sizeof *at->s);
            if (!at->s) return frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
            for (uint32_t k = 0; k < n; k++) {
                at->s[k] = get_str(r, a);
                if (!at->s[k]) goto broken;
                at->n++;
            }
        } else if (tag == REC_DATA && cur) {
            uint32_t rank;
            uint64_t nbytes;
            size_t want;
            if (!get_u32(r, &rank) || !get_shape(r, rank, &cur->shape) || !get_u64(r, &nbytes) ||
                !frost__tensor_bytes(FROST_DTYPE_F32, &cur->shape, &want) || want != nbytes)
                break;
            cur->has_shape = true;
            cur->data = frost__alloc(a, want ? want : 1);
            if (!cur->data) return frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
            if (!get(r, cur->data, want)) break;
            cur->nbytes = want;
        } else if (tag == REC_DATA_ERROR && cur) {
            uint32_t code, rank;
            cur->message = get_str(r, a);
            if (!cur->message || !get_u32(r, &code) || !get_u32(r, &rank)) break;
            cur->status = code ? (frost_status)code : FROST_E_FORMAT;
            if (rank != 0xffffffffu) {
                if (!get_shape(r, rank, &cur->shape)) break;
                cur->has_shape = true;
            }
        } else {
            break;
        }
    }
broken:
    if (r->over)
        return frost__fail(err, FROST_E_LIMIT, NULL, NULL, -1,
                           "%s holds more data than the %llu-byte limit", f->what,
                           (unsigned long long)r->limit);
    return frost__fail(err, FROST_E_FORMAT, NULL, NULL, -1,
                       "%s is corrupted: libhdf5 failed while reading it", f->what);
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
    /* Single-threaded callers get crash isolation: libhdf5 runs in a forked child that streams the
     * snapshot over a pipe. Multi-threaded ones can't fork safely, so libhdf5 runs here, under a
     * lock, into an anonymous file that is then read back the same way. */
    bool isolate = single_threaded();
    int fds[2] = {-1, -1};
    pid_t pid = -1;
    if (isolate) {
        if (pipe(fds) != 0) {
            frost__free(a, f);
            return frost__fail(err, FROST_E_IO, NULL, NULL, -1, "cannot start the HDF5 reader: %s",
                               strerror(errno));
        }
        fflush(NULL);   /* the child must not flush the parent's buffered output a second time */
        pid = fork();
        if (pid < 0) {
            close(fds[0]);
            close(fds[1]);
            frost__free(a, f);
            return frost__fail(err, FROST_E_IO, NULL, NULL, -1, "cannot start the HDF5 reader: %s",
                               strerror(errno));
        }
        if (pid == 0) {
            close(fds[0]);
            child_main(fds[1], data, size, what, max_dataset_bytes, skip_roots);
        }
    } else {
        FILE *tmp = tmpfile();
        int fd = tmp ? dup(fileno(tmp)) : -1;
        if (tmp) fclose(tmp);   /* the dup keeps the (already unlinked) file open */
        if (fd < 0) {
            frost__free(a, f);
            return frost__fail(err, FROST_E_IO, NULL, NULL, -1, "cannot start the HDF5 reader: %s",
                               strerror(errno));
        }
        pthread_mutex_lock(&snapshot_lock);
        write_snapshot(fd, data, size, what, max_dataset_bytes, skip_roots);
        pthread_mutex_unlock(&snapshot_lock);
        lseek(fd, 0, SEEK_SET);
        fds[0] = fd;
        fds[1] = dup(fd);   /* closed below like the pipe's write end */
    }
    close(fds[1]);
    h5_reader *r = malloc(sizeof *r);
    frost_status st;
    if (!r) {
        st = frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
    } else {
        memset(r, 0, offsetof(h5_reader, buf));
        r->at = r->len = 0;
        r->total = 0;
        r->eof = r->over = false;
        r->fd = fds[0];
        /* Compressed datasets may inflate, but not without bound. */
        r->limit = (uint64_t)size * 8 + ((uint64_t)256 << 20);
        st = read_snapshot(f, r, err);
    }
    free(r);
    close(fds[0]);   /* a child still writing gets EPIPE and exits */
    int status = 0;
    if (pid > 0)
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    if (st == FROST_OK && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
        st = frost__fail(err, FROST_E_FORMAT, NULL, NULL, -1,
                         "%s is corrupted: libhdf5 failed while reading it", what);
    if (st != FROST_OK) {
        frost__h5_close(f);
        return st;
    }
    if (f->n > 0) qsort(f->objs, (size_t)f->n, sizeof *f->objs, cmp_obj);
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
    size_t plen = strlen(g->path);
    char **out = frost__calloc(&f->alloc, (size_t)f->n + 1, sizeof *out);
    if (!out) return frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
    int count = 0;
    for (int i = 0; i < f->n; i++) {
        const char *p = f->objs[i].path;
        if (!*p || strncmp(p, g->path, plen)) continue;
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

static const h5_attr *find_attr(const h5_obj *o, const char *name) {
    for (int i = 0; o && i < o->n_attrs; i++)
        if (!strcmp(o->attrs[i].name, name)) return &o->attrs[i];
    return NULL;
}

bool frost__h5_attr_is_variable(frost__h5 *f, const char *path, const char *attr) {
    const h5_attr *at = find_attr(find(f, path), attr);
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
    const h5_attr *parts[1024];
    int n_parts = 0;
    const h5_attr *whole = find_attr(o, attr);
    if (whole) {
        parts[n_parts++] = whole;
    } else {
        for (int k = 0; k < 1024; k++) {
            char chunk[300];
            snprintf(chunk, sizeof chunk, "%s%d", attr, k);
            const h5_attr *p = find_attr(o, chunk);
            if (!p) break;
            parts[n_parts++] = p;
        }
    }
    if (n_parts == 0)
        return frost__fail(err, FROST_E_NOT_FOUND, NULL, NULL, -1, "%s: '%s' has no attribute '%s'",
                           f->what, *o->path ? o->path : "/", attr);
    int total = 0;
    for (int p = 0; p < n_parts; p++) total += parts[p]->n;
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
        return frost__fail(err, o->status ? o->status : FROST_E_FORMAT, NULL, NULL, -1, "%s",
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
        return frost__fail(err, o->status ? o->status : FROST_E_FORMAT, NULL, NULL, -1, "%s",
                           o->message ? o->message : "dataset cannot be read");
    if (max_bytes && o->nbytes > max_bytes) {
        char sbuf[128];
        return frost__fail(err, FROST_E_LIMIT, NULL, NULL, -1,
                           "%s: dataset '%s' of shape %s is over the %llu-byte tensor limit", f->what,
                           path, frost__shape_str(&o->shape, sbuf, sizeof sbuf),
                           (unsigned long long)max_bytes);
    }
    /* The buffer is handed over: importers read each dataset once (they cache constants). */
    float *buf = o->data;
    if (o->taken)
        return frost__fail(err, FROST_E_INTERNAL, NULL, NULL, -1,
                           "%s: dataset '%s' was already read", f->what, path);
    o->data = NULL;
    o->taken = true;
    *out = buf;
    *shape = o->shape;
    return FROST_OK;
}
