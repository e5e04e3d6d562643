/* idx.c — IDX reader (see idx.h), through zlib so gzip'd and plain files read the same way.
 *
 * The header's dimensions are only a claim: we refuse sizes that overflow or exceed IDX_MAX_BYTES,
 * and grow the buffer as bytes actually arrive, so a 20-byte file announcing 2 GiB costs nothing.
 * It must never read past a buffer, never trust a length it has not checked, and never abort.
 */
#include "idx.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

static frost_status idx_fail(frost_error *err, frost_status code, int64_t offset, const char *fmt,
                             ...) {
    if (!err) return code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    err->code = code;
    err->node[0] = err->op[0] = 0;
    err->file_offset = offset;
    return code;
}

/* A byte source: a zlib stream (gzip or plain file) or a memory buffer. */
typedef struct idx_source {
    gzFile gz;
    const unsigned char *mem;
    size_t mem_size, pos;
    const char *name;        /* for messages */
} idx_source;

/* Reads up to n bytes; returns how many, or -1 after filling err. */
static int64_t source_read(idx_source *s, void *buf, size_t n, frost_error *err) {
    if (!s->gz) {
        size_t left = s->mem_size - s->pos;
        if (n > left) n = left;
        memcpy(buf, s->mem + s->pos, n);
        s->pos += n;
        return (int64_t)n;
    }
    size_t done = 0;
    while (done < n) {
        size_t want = n - done;
        if (want > (1u << 30)) want = 1u << 30;
        int got = gzread(s->gz, (unsigned char *)buf + done, (unsigned)want);
        if (got < 0) {
            int code;
            const char *why = gzerror(s->gz, &code);
            idx_fail(err, code == Z_ERRNO ? FROST_E_IO : FROST_E_FORMAT, (int64_t)(s->pos + done),
                     "%s: %s", s->name, code == Z_ERRNO ? strerror(errno) : why);
            return -1;
        }
        if (got == 0) {
            /* End of data: a gzip stream cut short reports it only through gzerror. */
            int code;
            const char *why = gzerror(s->gz, &code);
            if (code != Z_OK) {
                idx_fail(err, FROST_E_FORMAT, (int64_t)(s->pos + done), "%s: corrupt gzip data: %s",
                         s->name, why);
                return -1;
            }
            break;
        }
        done += (size_t)got;
    }
    s->pos += done;
    return (int64_t)done;
}

static frost_status type_from_code(int code, frost_dtype *out) {
    switch (code) {
    case 0x08: *out = FROST_DTYPE_U8; return FROST_OK;
    case 0x09: *out = FROST_DTYPE_I8; return FROST_OK;
    case 0x0B: *out = FROST_DTYPE_I16; return FROST_OK;
    case 0x0C: *out = FROST_DTYPE_I32; return FROST_OK;
    case 0x0D: *out = FROST_DTYPE_F32; return FROST_OK;
    case 0x0E: *out = FROST_DTYPE_F64; return FROST_OK;
    default: return FROST_E_FORMAT;
    }
}

static bool host_is_little_endian(void) {
    const uint16_t probe = 1;
    return *(const unsigned char *)&probe == 1;
}

static frost_status read_idx(idx_source *s, idx_array *out, frost_error *err) {
    memset(out, 0, sizeof *out);
    unsigned char magic[4];
    int64_t got = source_read(s, magic, 4, err);
    if (got < 0) return err ? err->code : FROST_E_IO;
    if (got < 4)
        return idx_fail(err, FROST_E_FORMAT, got, "%s: not an IDX file (only %lld bytes)", s->name,
                        (long long)got);
    frost_dtype dtype;
    if (magic[0] != 0 || magic[1] != 0 || type_from_code(magic[2], &dtype) != FROST_OK)
        return idx_fail(err, FROST_E_FORMAT, 0,
                        "%s: not an IDX file (magic %02x %02x %02x %02x; want 00 00 <type> <rank>)",
                        s->name, magic[0], magic[1], magic[2], magic[3]);
    int rank = magic[3];
    if (rank < 1 || rank > FROST_MAX_RANK)
        return idx_fail(err, rank < 1 ? FROST_E_FORMAT : FROST_E_LIMIT, 3,
                        "%s: IDX rank %d is out of range (1..%d)", s->name, rank, FROST_MAX_RANK);
    unsigned char dims_be[4 * FROST_MAX_RANK];
    got = source_read(s, dims_be, 4 * (size_t)rank, err);
    if (got < 0) return err ? err->code : FROST_E_IO;
    if (got < 4 * rank)
        return idx_fail(err, FROST_E_FORMAT, 4 + got, "%s: truncated IDX header (%d dimensions)",
                        s->name, rank);
    uint64_t numel = 1;
    for (int i = 0; i < rank; i++) {
        const unsigned char *d = dims_be + 4 * i;
        out->dims[i] = (int64_t)((uint32_t)d[0] << 24 | (uint32_t)d[1] << 16 | (uint32_t)d[2] << 8 |
                                 (uint32_t)d[3]);
        numel *= (uint64_t)out->dims[i];   /* <= 2^32 per factor; checked against the cap below */
        if (numel > IDX_MAX_BYTES)
            return idx_fail(err, FROST_E_LIMIT, 4 + 4 * i,
                            "%s: IDX array too large (dimension %d is %lld)", s->name, i,
                            (long long)out->dims[i]);
    }
    size_t elem = frost_dtype_size(dtype);
    uint64_t bytes = numel * elem;
    if (bytes > IDX_MAX_BYTES)
        return idx_fail(err, FROST_E_LIMIT, 4, "%s: IDX array of %llu bytes is too large", s->name,
                        (unsigned long long)bytes);
    int64_t data_offset = 4 + 4 * (int64_t)rank;

    /* Grow as the bytes really arrive rather than trusting the header's claim up front. */
    size_t cap = bytes < (1u << 20) ? (size_t)bytes : (1u << 20);
    unsigned char *data = malloc(cap ? cap : 1);
    if (!data) return idx_fail(err, FROST_E_NOMEM, -1, "%s: out of memory", s->name);
    size_t have = 0;
    while (have < bytes) {
        if (have == cap) {
            size_t next = cap * 2 < bytes ? cap * 2 : (size_t)bytes;
            unsigned char *grown = realloc(data, next);
            if (!grown) {
                free(data);
                return idx_fail(err, FROST_E_NOMEM, -1, "%s: out of memory", s->name);
            }
            data = grown;
            cap = next;
        }
        got = source_read(s, data + have, cap - have, err);
        if (got < 0) {
            free(data);
            return err ? err->code : FROST_E_IO;
        }
        if (got == 0) break;
        have += (size_t)got;
    }
    if (have < bytes) {
        free(data);
        return idx_fail(err, FROST_E_FORMAT, data_offset + (int64_t)have,
                        "%s: truncated IDX data (%zu of %llu bytes)", s->name, have,
                        (unsigned long long)bytes);
    }
    unsigned char extra;
    got = source_read(s, &extra, 1, err);
    if (got != 0) {
        free(data);
        if (got < 0) return err ? err->code : FROST_E_IO;
        return idx_fail(err, FROST_E_FORMAT, data_offset + (int64_t)bytes,
                        "%s: unexpected bytes after the IDX data (the dimensions say %llu bytes)",
                        s->name, (unsigned long long)bytes);
    }
    if (elem > 1 && host_is_little_endian())
        for (size_t i = 0; i < have; i += elem)
            for (size_t a = 0, z = elem - 1; a < z; a++, z--) {
                unsigned char t = data[i + a];
                data[i + a] = data[i + z];
                data[i + z] = t;
            }
    out->dtype = dtype;
    out->rank = rank;
    out->data = data;
    out->bytes = (size_t)bytes;
    return FROST_OK;
}

frost_status idx_read_memory(const void *bytes, size_t size, idx_array *out, frost_error *err) {
    idx_source s = {NULL, bytes, size, 0, "IDX buffer"};
    if (!bytes && size) {
        memset(out, 0, sizeof *out);
        return idx_fail(err, FROST_E_INVALID_ARG, -1, "IDX buffer is NULL");
    }
    return read_idx(&s, out, err);
}

frost_status idx_read_file(const char *path, idx_array *out, frost_error *err) {
    memset(out, 0, sizeof *out);
    struct stat sb;
    if (stat(path, &sb) != 0)
        return idx_fail(err, FROST_E_IO, -1, "cannot open '%s': %s", path, strerror(errno));
    if (S_ISDIR(sb.st_mode))
        return idx_fail(err, FROST_E_IO, -1, "cannot read '%s': it is a directory", path);
    gzFile gz = gzopen(path, "rb");
    if (!gz)
        return idx_fail(err, FROST_E_IO, -1, "cannot open '%s': %s", path,
                        errno ? strerror(errno) : "out of memory");
    idx_source s = {gz, NULL, 0, 0, path};
    frost_status st = read_idx(&s, out, err);
    gzclose(gz);
    return st;
}

void idx_free(idx_array *a) {
    if (!a) return;
    free(a->data);
    memset(a, 0, sizeof *a);
}

/* ---- MNIST ----------------------------------------------------------------------------------- */

/* Finds DIR/<set>-<kind>-idx<r>-ubyte with or without .gz, in either spelling. */
static bool find_file(const char *dir, const char *set, const char *kind, int rank, char *path,
                      size_t cap) {
    static const char *const patterns[] = {"%s/%s-%s-idx%d-ubyte", "%s/%s-%s-idx%d-ubyte.gz",
                                           "%s/%s-%s.idx%d-ubyte", "%s/%s-%s.idx%d-ubyte.gz"};
    for (size_t i = 0; i < sizeof patterns / sizeof patterns[0]; i++) {
        int n = snprintf(path, cap, patterns[i], dir, set, kind, rank);
        struct stat sb;
        if (n > 0 && (size_t)n < cap && stat(path, &sb) == 0 && S_ISREG(sb.st_mode)) return true;
    }
    snprintf(path, cap, "%s/%s-%s-idx%d-ubyte[.gz]", dir, set, kind, rank);
    return false;
}

frost_status idx_load_mnist(const char *dir, const char *set, idx_mnist *out, frost_error *err) {
    memset(out, 0, sizeof *out);
    struct stat sb;
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return idx_fail(err, FROST_E_IO, -1, "data directory '%s' not found", dir);
    if (!find_file(dir, set, "images", 3, out->images_path, sizeof out->images_path))
        return idx_fail(err, FROST_E_IO, -1, "no %s-images-idx3-ubyte(.gz) in '%s'", set, dir);
    if (!find_file(dir, set, "labels", 1, out->labels_path, sizeof out->labels_path))
        return idx_fail(err, FROST_E_IO, -1, "no %s-labels-idx1-ubyte(.gz) in '%s'", set, dir);

    idx_array images, labels;
    frost_status st = idx_read_file(out->images_path, &images, err);
    if (st) return st;
    st = idx_read_file(out->labels_path, &labels, err);
    if (st) {
        idx_free(&images);
        return st;
    }
    if (images.dtype != FROST_DTYPE_U8 || images.rank != 3)
        st = idx_fail(err, FROST_E_FORMAT, 2, "%s: expected u8 images of rank 3, got %s rank %d",
                      out->images_path, frost_dtype_name(images.dtype), images.rank);
    else if (labels.dtype != FROST_DTYPE_U8 || labels.rank != 1)
        st = idx_fail(err, FROST_E_FORMAT, 2, "%s: expected u8 labels of rank 1, got %s rank %d",
                      out->labels_path, frost_dtype_name(labels.dtype), labels.rank);
    else if (images.dims[0] != labels.dims[0])
        st = idx_fail(err, FROST_E_FORMAT, 4, "%lld images but %lld labels (%s, %s)",
                      (long long)images.dims[0], (long long)labels.dims[0], out->images_path,
                      out->labels_path);
    else if (images.dims[0] == 0 || images.dims[1] == 0 || images.dims[2] == 0)
        st = idx_fail(err, FROST_E_FORMAT, 4, "%s: empty image set (%lldx%lldx%lld)",
                      out->images_path, (long long)images.dims[0], (long long)images.dims[1],
                      (long long)images.dims[2]);
    if (st) {
        idx_free(&images);
        idx_free(&labels);
        return st;
    }
    out->count = images.dims[0];
    out->rows = images.dims[1];
    out->cols = images.dims[2];
    out->pixels = images.data;
    out->labels = labels.data;
    return FROST_OK;
}

void idx_mnist_free(idx_mnist *m) {
    if (!m) return;
    free(m->pixels);
    free(m->labels);
    memset(m, 0, sizeof *m);
}
