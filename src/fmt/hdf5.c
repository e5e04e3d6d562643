/* hdf5.c — read-only HDF5 access from memory through libhdf5's core driver and file images
 * (fmt/hdf5.h). It knows nothing about Keras. It must never follow soft or external links (loops,
 * other files), never let libhdf5 print to stderr (automatic error printing is switched off once),
 * never read a dataset or attribute larger than the caller's limit, and never call libhdf5 without
 * holding the process-wide lock (the Debian serial build is not thread-safe). */
#include "fmt/hdf5.h"

#include <hdf5.h>
#include <pthread.h>
#include <stdio.h>

#define FROST_H5_MAX_CHILDREN 100000
#define FROST_H5_MAX_DEPTH 64
#define FROST_H5_DEFAULT_ATTR_MAX ((size_t)64 << 20)

struct frost__h5 {
    frost_allocator alloc;
    hid_t file;
    char what[64];
};

static pthread_once_t h5_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t h5_lock;

static void h5_init_once(void) {
    pthread_mutexattr_t at;
    pthread_mutexattr_init(&at);
    pthread_mutexattr_settype(&at, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&h5_lock, &at);
    pthread_mutexattr_destroy(&at);
    H5open();
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

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

frost_status frost__h5_open_memory(const void *data, size_t size, const frost_allocator *a,
                                   const char *what, frost__h5 **out, frost_error *err) {
    *out = NULL;
    if (!what) what = "HDF5 file";
    if (!frost__h5_sniff(data, size))
        return frost__fail(err, FROST_E_FORMAT, NULL, NULL, 0,
                           "%s is not an HDF5 file (no HDF5 signature)", what);
    frost__h5 *f = frost__calloc(a, 1, sizeof *f);
    if (!f) return frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory opening %s", what);
    f->alloc = *a;
    f->file = -1;
    snprintf(f->what, sizeof f->what, "%s", what);

    pthread_once(&h5_once, h5_init_once);
    pthread_mutex_lock(&h5_lock);
    /* A unique name per image: libhdf5 keeps a list of open files and would otherwise treat two
     * images with the same name as the same file. */
    static unsigned long long image_counter;
    char name[64];
    snprintf(name, sizeof name, "frost-image-%llu", ++image_counter);
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    if (fapl < 0 || H5Pset_fapl_core(fapl, 1 << 16, 0) < 0 ||
        H5Pset_file_image(fapl, (void *)data, size) < 0) {
        if (fapl >= 0) H5Pclose(fapl);
        pthread_mutex_unlock(&h5_lock);
        frost__free(a, f);
        return frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "libhdf5 cannot take %s (%zu bytes)",
                           what, size);
    }
    f->file = H5Fopen(name, H5F_ACC_RDONLY, fapl);
    H5Pclose(fapl);
    if (f->file < 0) {
        pthread_mutex_unlock(&h5_lock);
        frost__free(a, f);
        return frost__fail(err, FROST_E_FORMAT, NULL, NULL, -1,
                           "%s is a corrupted or truncated HDF5 file (libhdf5 cannot open it)", what);
    }
    *out = f;   /* the lock stays held until frost__h5_close */
    return FROST_OK;
}

void frost__h5_close(frost__h5 *f) {
    if (!f) return;
    /* Close everything the file still has open so a failed read can't leak ids into the next
     * model's load. */
    ssize_t n = H5Fget_obj_count(f->file, H5F_OBJ_ALL & ~H5F_OBJ_FILE);
    if (n > 0) {
        hid_t ids[64];
        for (int round = 0; round < 1024 &&
             (n = H5Fget_obj_ids(f->file, H5F_OBJ_ALL & ~H5F_OBJ_FILE, 64, ids)) > 0; round++) {
            for (ssize_t i = 0; i < n; i++) {
                H5I_type_t t = H5Iget_type(ids[i]);
                if (t == H5I_GROUP) H5Gclose(ids[i]);
                else if (t == H5I_DATASET) H5Dclose(ids[i]);
                else if (t == H5I_ATTR) H5Aclose(ids[i]);
                else if (t == H5I_DATATYPE) H5Tclose(ids[i]);
                else H5Oclose(ids[i]);
            }
        }
    }
    H5Fclose(f->file);
    frost_allocator a = f->alloc;
    frost__free(&a, f);
    pthread_mutex_unlock(&h5_lock);
}

/* Opens the object at `path` following hard links only. Returns an object id (close with H5Oclose)
 * or -1. */
static hid_t open_path(frost__h5 *f, const char *path, H5O_type_t *type) {
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

frost__h5_kind frost__h5_kind_of(frost__h5 *f, const char *path) {
    H5O_type_t t;
    hid_t o = open_path(f, path, &t);
    if (o < 0) return FROST__H5_NONE;
    H5Oclose(o);
    return t == H5O_TYPE_GROUP ? FROST__H5_GROUP : t == H5O_TYPE_DATASET ? FROST__H5_DATASET
                                                                           : FROST__H5_OTHER;
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
        frost__h5_free_strings(f, out, count);
        return st;
    }
    *names = out;
    *n = count;
    return FROST_OK;
}

/* Appends the strings of one attribute to *list. */
static frost_status read_one_attr(frost__h5 *f, hid_t obj, const char *path, const char *attr,
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

frost_status frost__h5_attr_strings(frost__h5 *f, const char *path, const char *attr,
                                    size_t max_bytes, char ***out, int *n, frost_error *err) {
    *out = NULL;
    *n = 0;
    size_t budget = max_bytes ? max_bytes : FROST_H5_DEFAULT_ATTR_MAX;
    hid_t obj = open_path(f, path, NULL);
    if (obj < 0)
        return frost__fail(err, FROST_E_NOT_FOUND, NULL, NULL, -1, "%s has no object '%s'", f->what,
                           path);
    char **list = NULL;
    int count = 0, cap = 0;
    frost_status st = FROST_OK;
    if (H5Aexists(obj, attr) > 0) {
        st = read_one_attr(f, obj, path, attr, &budget, &list, &count, &cap, err);
    } else {
        /* Keras writes lists over 64 KiB as attr0, attr1, ... */
        char chunk[256];
        int k = 0;
        for (; k < FROST_H5_MAX_CHILDREN && st == FROST_OK; k++) {
            snprintf(chunk, sizeof chunk, "%s%d", attr, k);
            if (H5Aexists(obj, chunk) <= 0) break;
            st = read_one_attr(f, obj, path, chunk, &budget, &list, &count, &cap, err);
        }
        if (st == FROST_OK && k == 0)
            st = frost__fail(err, FROST_E_NOT_FOUND, NULL, NULL, -1,
                             "%s: '%s' has no attribute '%s'", f->what, *path ? path : "/", attr);
    }
    H5Oclose(obj);
    if (st != FROST_OK) {
        frost__h5_free_strings(f, list, count);
        return st;
    }
    *out = list;
    *n = count;
    return FROST_OK;
}

static frost_status dataset_shape(frost__h5 *f, hid_t ds, const char *path, frost__shape *shape,
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

static hid_t open_dataset(frost__h5 *f, const char *path, frost_error *err, frost_status *st) {
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

frost_status frost__h5_dataset_shape(frost__h5 *f, const char *path, frost__shape *shape,
                                     frost_error *err) {
    frost_status st;
    hid_t ds = open_dataset(f, path, err, &st);
    if (ds < 0) return st;
    st = dataset_shape(f, ds, path, shape, err);
    H5Oclose(ds);
    return st;
}

frost_status frost__h5_read_f32(frost__h5 *f, const char *path, uint64_t max_bytes, float **out,
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
