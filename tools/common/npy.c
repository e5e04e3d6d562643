/* npy.c — NumPy .npy reader and writer (see npy.h).
 *
 * The header is a Python dict literal; we parse only the subset NumPy writes ('descr',
 * 'fortran_order', 'shape' with string, bool and int-tuple values) with a cursor that checks the
 * end before every byte, so a malformed or hostile file can only produce an error. It must never
 * read past the bytes it was given, never trust a length before comparing it with what is really
 * there, and never allocate more than the file can actually fill.
 */
#include "npy.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const unsigned char npy_magic[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};

static frost_status npy_fail(frost_error *err, frost_status code, int64_t offset, const char *fmt,
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

static bool host_is_big_endian(void) {
    const uint16_t probe = 1;
    return *(const unsigned char *)&probe == 0;
}

/* ---- dtypes ---------------------------------------------------------------------------------- */

typedef struct npy_kind {
    char letter;       /* 'f', 'i', 'u', 'b' */
    int size;
    frost_dtype dtype;
} npy_kind;

static const npy_kind npy_kinds[] = {
    {'f', 2, FROST_DTYPE_F16}, {'f', 4, FROST_DTYPE_F32}, {'f', 8, FROST_DTYPE_F64},
    {'i', 1, FROST_DTYPE_I8},  {'i', 2, FROST_DTYPE_I16}, {'i', 4, FROST_DTYPE_I32},
    {'i', 8, FROST_DTYPE_I64}, {'u', 1, FROST_DTYPE_U8},  {'u', 2, FROST_DTYPE_U16},
    {'u', 4, FROST_DTYPE_U32}, {'u', 8, FROST_DTYPE_U64}, {'b', 1, FROST_DTYPE_BOOL},
};
#define NPY_KIND_COUNT (sizeof npy_kinds / sizeof npy_kinds[0])

const char *npy_descr(frost_dtype dtype) {
    /* One static string per dtype and byte order, so callers never manage the memory. */
    static const char *const little[FROST_DTYPE_COUNT] = {
        [FROST_DTYPE_F16] = "<f2", [FROST_DTYPE_F32] = "<f4", [FROST_DTYPE_F64] = "<f8",
        [FROST_DTYPE_I8] = "|i1",  [FROST_DTYPE_I16] = "<i2", [FROST_DTYPE_I32] = "<i4",
        [FROST_DTYPE_I64] = "<i8", [FROST_DTYPE_U8] = "|u1",  [FROST_DTYPE_U16] = "<u2",
        [FROST_DTYPE_U32] = "<u4", [FROST_DTYPE_U64] = "<u8", [FROST_DTYPE_BOOL] = "|b1",
    };
    static const char *const big[FROST_DTYPE_COUNT] = {
        [FROST_DTYPE_F16] = ">f2", [FROST_DTYPE_F32] = ">f4", [FROST_DTYPE_F64] = ">f8",
        [FROST_DTYPE_I8] = "|i1",  [FROST_DTYPE_I16] = ">i2", [FROST_DTYPE_I32] = ">i4",
        [FROST_DTYPE_I64] = ">i8", [FROST_DTYPE_U8] = "|u1",  [FROST_DTYPE_U16] = ">u2",
        [FROST_DTYPE_U32] = ">u4", [FROST_DTYPE_U64] = ">u8", [FROST_DTYPE_BOOL] = "|b1",
    };
    if ((unsigned)dtype >= FROST_DTYPE_COUNT) return NULL;
    return host_is_big_endian() ? big[dtype] : little[dtype];
}

/* ---- header parsing -------------------------------------------------------------------------- */

typedef struct cursor {
    const char *text;
    size_t len, pos;
    size_t base;       /* file offset of text[0], for error messages */
    frost_error *err;
} cursor;

static int64_t cursor_offset(const cursor *c) { return (int64_t)(c->base + c->pos); }

static frost_status cursor_fail(cursor *c, const char *fmt, const char *detail) {
    return npy_fail(c->err, FROST_E_FORMAT, cursor_offset(c), fmt, detail);
}

static void skip_space(cursor *c) {
    while (c->pos < c->len) {
        char ch = c->text[c->pos];
        if (ch != ' ' && ch != '\t' && ch != '\n' && ch != '\r') break;
        c->pos++;
    }
}

static bool peek_is(const cursor *c, char ch) { return c->pos < c->len && c->text[c->pos] == ch; }

static bool take(cursor *c, char ch) {
    skip_space(c);
    if (!peek_is(c, ch)) return false;
    c->pos++;
    return true;
}

/* A quoted string without escapes, copied into buf (NUL-terminated). */
static frost_status parse_string(cursor *c, char *buf, size_t cap) {
    skip_space(c);
    if (c->pos >= c->len || (c->text[c->pos] != '\'' && c->text[c->pos] != '"'))
        return cursor_fail(c, "npy header: expected a quoted string%s", "");
    char quote = c->text[c->pos++];
    size_t n = 0;
    for (;;) {
        if (c->pos >= c->len) return cursor_fail(c, "npy header: unterminated string%s", "");
        char ch = c->text[c->pos++];
        if (ch == quote) break;
        if (ch == '\\' || (unsigned char)ch < 0x20)
            return cursor_fail(c, "npy header: unexpected character in a string%s", "");
        if (n + 1 >= cap) return cursor_fail(c, "npy header: string too long%s", "");
        buf[n++] = ch;
    }
    buf[n] = 0;
    return FROST_OK;
}

static bool take_word(cursor *c, const char *word) {
    skip_space(c);
    size_t n = strlen(word);
    if (c->len - c->pos < n || memcmp(c->text + c->pos, word, n) != 0) return false;
    /* "Trueish" is not True. */
    if (c->pos + n < c->len) {
        char next = c->text[c->pos + n];
        if ((next >= 'a' && next <= 'z') || (next >= 'A' && next <= 'Z') || next == '_' ||
            (next >= '0' && next <= '9'))
            return false;
    }
    c->pos += n;
    return true;
}

/* A dimension: decimal digits, optionally Python 2's 'L' suffix. Bounded well below overflow. */
static frost_status parse_dim(cursor *c, int64_t *out) {
    skip_space(c);
    if (peek_is(c, '-')) return cursor_fail(c, "npy header: negative dimension in 'shape'%s", "");
    if (!(c->pos < c->len && c->text[c->pos] >= '0' && c->text[c->pos] <= '9'))
        return cursor_fail(c, "npy header: expected an integer in 'shape'%s", "");
    int64_t v = 0;
    while (c->pos < c->len && c->text[c->pos] >= '0' && c->text[c->pos] <= '9') {
        if (v > ((int64_t)1 << 56))
            return npy_fail(c->err, FROST_E_LIMIT, cursor_offset(c),
                            "npy header: dimension too large in 'shape'");
        v = v * 10 + (c->text[c->pos++] - '0');
    }
    if (peek_is(c, 'L') || peek_is(c, 'l')) c->pos++;
    *out = v;
    return FROST_OK;
}

static frost_status parse_shape(cursor *c, npy_header *h) {
    if (!take(c, '(')) return cursor_fail(c, "npy header: 'shape' must be a tuple%s", "");
    h->rank = 0;
    for (;;) {
        if (take(c, ')')) return FROST_OK;
        if (h->rank >= FROST_MAX_RANK)
            return npy_fail(c->err, FROST_E_LIMIT, cursor_offset(c),
                            "npy header: 'shape' has more than %d dimensions", FROST_MAX_RANK);
        frost_status st = parse_dim(c, &h->dims[h->rank]);
        if (st) return st;
        h->rank++;
        if (take(c, ',')) continue;
        if (take(c, ')')) return FROST_OK;
        return cursor_fail(c, "npy header: expected ',' or ')' in 'shape'%s", "");
    }
}

static frost_status parse_descr(cursor *c, npy_header *h) {
    skip_space(c);
    if (peek_is(c, '['))
        return npy_fail(c->err, FROST_E_UNSUPPORTED, cursor_offset(c),
                        "npy: structured dtypes (a list 'descr') are not supported");
    int64_t at = cursor_offset(c);
    char d[32];
    frost_status st = parse_string(c, d, sizeof d);
    if (st) return st;
    char order = d[0];
    const char *type = d + 1;
    if (order != '<' && order != '>' && order != '|' && order != '=') {
        order = '=';   /* NumPy accepts "f4" meaning native order */
        type = d;
    }
    const npy_kind *kind = NULL;
    if (type[0] && type[1] >= '1' && type[1] <= '8' && type[2] == 0)
        for (size_t i = 0; i < NPY_KIND_COUNT; i++)
            if (npy_kinds[i].letter == type[0] && npy_kinds[i].size == type[1] - '0')
                kind = &npy_kinds[i];
    if (!kind)
        return npy_fail(c->err, FROST_E_UNSUPPORTED, at,
                        "npy: dtype '%s' is not supported (frost reads f2 f4 f8 i1 i2 i4 i8 u1 u2 "
                        "u4 u8 b1)", d);
    if (order == '|' && kind->size != 1)
        return npy_fail(c->err, FROST_E_FORMAT, at,
                        "npy: dtype '%s' is multi-byte but has no byte order", d);
    h->dtype = kind->dtype;
    h->big_endian = order == '>' || (order == '=' && host_is_big_endian()) ||
                    (order == '|' && host_is_big_endian());
    return FROST_OK;
}

static frost_status parse_dict(cursor *c, npy_header *h) {
    bool seen_descr = false, seen_order = false, seen_shape = false;
    if (!take(c, '{')) return cursor_fail(c, "npy header: expected '{'%s", "");
    for (;;) {
        if (take(c, '}')) break;
        char key[32];
        frost_status st = parse_string(c, key, sizeof key);
        if (st) return st;
        if (!take(c, ':')) return cursor_fail(c, "npy header: expected ':' after '%s'", key);
        if (strcmp(key, "descr") == 0 && !seen_descr) {
            seen_descr = true;
            st = parse_descr(c, h);
        } else if (strcmp(key, "fortran_order") == 0 && !seen_order) {
            seen_order = true;
            int64_t at = cursor_offset(c);
            if (take_word(c, "True"))
                return npy_fail(c->err, FROST_E_UNSUPPORTED, at,
                                "npy: fortran_order is True; frost reads C-order arrays only "
                                "(save with np.ascontiguousarray(a))");
            if (!take_word(c, "False"))
                return cursor_fail(c, "npy header: 'fortran_order' must be True or False%s", "");
        } else if (strcmp(key, "shape") == 0 && !seen_shape) {
            seen_shape = true;
            st = parse_shape(c, h);
        } else if (strcmp(key, "descr") == 0 || strcmp(key, "fortran_order") == 0 ||
                   strcmp(key, "shape") == 0) {
            return cursor_fail(c, "npy header: key '%s' appears twice", key);
        } else {
            return cursor_fail(c, "npy header: unexpected key '%s'", key);
        }
        if (st) return st;
        if (take(c, ',')) continue;
        if (take(c, '}')) break;
        return cursor_fail(c, "npy header: expected ',' or '}'%s", "");
    }
    skip_space(c);
    if (c->pos != c->len) return cursor_fail(c, "npy header: unexpected bytes after the dict%s", "");
    if (!seen_descr || !seen_order || !seen_shape)
        return cursor_fail(c, "npy header: missing '%s'",
                           !seen_descr ? "descr" : !seen_order ? "fortran_order" : "shape");
    return FROST_OK;
}

/* Magic, version and header length: the fixed first 10 or 12 bytes. */
static frost_status parse_prefix(const unsigned char *b, size_t size, npy_header *out,
                                 size_t *prefix_len, size_t *header_len, frost_error *err) {
    if (size < 8 || memcmp(b, npy_magic, sizeof npy_magic) != 0)
        return npy_fail(err, FROST_E_FORMAT, 0, "not a .npy file (bad magic)");
    out->major = b[6];
    out->minor = b[7];
    if (out->major < 1 || out->major > 3 || out->minor != 0)
        return npy_fail(err, FROST_E_UNSUPPORTED, 6, "npy: format version %d.%d is not supported",
                        out->major, out->minor);
    size_t prefix = out->major == 1 ? 10 : 12;
    if (size < prefix) return npy_fail(err, FROST_E_FORMAT, 8, "npy: truncated header length");
    *header_len = out->major == 1 ? (size_t)b[8] | (size_t)b[9] << 8
                                  : (size_t)b[8] | (size_t)b[9] << 8 | (size_t)b[10] << 16 |
                                        (size_t)b[11] << 24;
    *prefix_len = prefix;
    if (*header_len > NPY_MAX_HEADER_BYTES)
        return npy_fail(err, FROST_E_LIMIT, 8, "npy: header of %zu bytes is too long (limit %u)",
                        *header_len, NPY_MAX_HEADER_BYTES);
    return FROST_OK;
}

frost_status npy_parse_header(const void *bytes, size_t size, npy_header *out, frost_error *err) {
    memset(out, 0, sizeof *out);
    const unsigned char *b = bytes;
    size_t prefix, header_len;
    frost_status st = parse_prefix(b, size, out, &prefix, &header_len, err);
    if (st) return st;
    if (size - prefix < header_len)
        return npy_fail(err, FROST_E_FORMAT, (int64_t)size,
                        "npy: truncated header (%zu bytes announced, %zu present)", header_len,
                        size - prefix);
    cursor c = {(const char *)b + prefix, header_len, 0, prefix, err};
    for (size_t i = 0; i < header_len; i++)
        if (c.text[i] == 0)
            return npy_fail(err, FROST_E_FORMAT, (int64_t)(prefix + i), "npy: NUL byte in header");
    st = parse_dict(&c, out);
    if (st) return st;

    uint64_t numel = 1;
    for (int i = 0; i < out->rank; i++)
        if (__builtin_mul_overflow(numel, (uint64_t)out->dims[i], &numel))
            return npy_fail(err, FROST_E_LIMIT, (int64_t)prefix, "npy: shape has too many elements");
    uint64_t data_bytes;
    if (__builtin_mul_overflow(numel, (uint64_t)frost_dtype_size(out->dtype), &data_bytes) ||
        data_bytes > SIZE_MAX / 2)
        return npy_fail(err, FROST_E_LIMIT, (int64_t)prefix, "npy: array too large");
    out->data_offset = prefix + header_len;
    out->data_bytes = (size_t)data_bytes;
    return FROST_OK;
}

/* ---- reading --------------------------------------------------------------------------------- */

static void *alloc_data(size_t bytes) {
    void *p = NULL;
    /* Round up so a zero-element array still has a valid, freeable pointer. */
    if (posix_memalign(&p, 64, bytes ? bytes : 64) != 0) return NULL;
    return p;
}

static void swap_bytes(void *data, size_t bytes, size_t elem) {
    unsigned char *p = data;
    for (size_t i = 0; i + elem <= bytes; i += elem)
        for (size_t a = 0, z = elem - 1; a < z; a++, z--) {
            unsigned char t = p[i + a];
            p[i + a] = p[i + z];
            p[i + z] = t;
        }
}

static void fill_array(npy_array *out, const npy_header *h, void *data) {
    out->dtype = h->dtype;
    out->rank = h->rank;
    memcpy(out->dims, h->dims, sizeof out->dims);
    out->data = data;
    out->bytes = h->data_bytes;
    size_t elem = frost_dtype_size(h->dtype);
    if (elem > 1 && h->big_endian != host_is_big_endian()) swap_bytes(data, h->data_bytes, elem);
}

static frost_status check_bools(const npy_header *h, const void *data, frost_error *err) {
    if (h->dtype != FROST_DTYPE_BOOL) return FROST_OK;
    const unsigned char *p = data;
    for (size_t i = 0; i < h->data_bytes; i++)
        if (p[i] > 1)
            return npy_fail(err, FROST_E_FORMAT, (int64_t)(h->data_offset + i),
                            "npy: bool element %zu is %u, not 0 or 1", i, p[i]);
    return FROST_OK;
}

frost_status npy_read_memory(const void *bytes, size_t size, npy_array *out, frost_error *err) {
    memset(out, 0, sizeof *out);
    npy_header h;
    frost_status st = npy_parse_header(bytes, size, &h, err);
    if (st) return st;
    size_t have = size - h.data_offset;
    if (have != h.data_bytes)
        return npy_fail(err, FROST_E_FORMAT, (int64_t)h.data_offset,
                        "npy: the header announces %zu data bytes but the file holds %zu",
                        h.data_bytes, have);
    void *data = alloc_data(h.data_bytes);
    if (!data) return npy_fail(err, FROST_E_NOMEM, -1, "npy: out of memory (%zu bytes)", h.data_bytes);
    memcpy(data, (const unsigned char *)bytes + h.data_offset, h.data_bytes);
    if ((st = check_bools(&h, data, err))) {
        free(data);
        return st;
    }
    fill_array(out, &h, data);
    return FROST_OK;
}

frost_status npy_read_file(const char *path, npy_array *out, frost_error *err) {
    memset(out, 0, sizeof *out);
    FILE *f = fopen(path, "rb");
    if (!f) return npy_fail(err, FROST_E_IO, -1, "cannot open '%s': %s", path, strerror(errno));
    frost_status st = FROST_OK;
    unsigned char *head = NULL;
    void *data = NULL;

    /* The fixed prefix first, to learn how long the header is, then exactly the header. */
    unsigned char prefix[12];
    size_t got = fread(prefix, 1, sizeof prefix, f);
    npy_header h;
    size_t prefix_len, header_len;
    if ((st = parse_prefix(prefix, got, &h, &prefix_len, &header_len, err))) goto done;
    size_t total = prefix_len + header_len;
    head = malloc(total);
    if (!head) {
        st = npy_fail(err, FROST_E_NOMEM, -1, "npy: out of memory");
        goto done;
    }
    /* A v1 prefix is 10 bytes, so a tiny header may already be in `prefix`, with data after. */
    size_t have = got < total ? got : total;
    memcpy(head, prefix, have);
    size_t leftover = got - have;   /* data bytes already read into `prefix` (0..2) */
    if (have < total) have += fread(head + have, 1, total - have, f);
    if ((st = npy_parse_header(head, have, &h, err))) goto done;

    /* Compare with the real file size before allocating what the header claims. */
    struct stat sb;
    if (fstat(fileno(f), &sb) == 0 && S_ISREG(sb.st_mode)) {
        uint64_t on_disk = (uint64_t)sb.st_size;
        uint64_t want = (uint64_t)h.data_offset + h.data_bytes;
        if (on_disk != want) {
            st = npy_fail(err, FROST_E_FORMAT, (int64_t)h.data_offset,
                          "npy: the header announces %zu data bytes but the file holds %llu",
                          h.data_bytes,
                          on_disk > h.data_offset ? (unsigned long long)(on_disk - h.data_offset)
                                                  : 0ull);
            goto done;
        }
    }
    data = alloc_data(h.data_bytes);
    if (!data) {
        st = npy_fail(err, FROST_E_NOMEM, -1, "npy: out of memory (%zu bytes)", h.data_bytes);
        goto done;
    }
    if (leftover > h.data_bytes) {
        st = npy_fail(err, FROST_E_FORMAT, (int64_t)h.data_offset,
                      "npy: unexpected bytes after the data");
        goto done;
    }
    if (leftover) memcpy(data, prefix + total, leftover);
    size_t n = leftover + fread((unsigned char *)data + leftover, 1, h.data_bytes - leftover, f);
    if (n != h.data_bytes) {
        st = npy_fail(err, ferror(f) ? FROST_E_IO : FROST_E_FORMAT, (int64_t)(h.data_offset + n),
                      "npy: truncated data (%zu of %zu bytes)", n, h.data_bytes);
        goto done;
    }
    if (fgetc(f) != EOF) {
        st = npy_fail(err, FROST_E_FORMAT, (int64_t)(h.data_offset + n),
                      "npy: unexpected bytes after the data");
        goto done;
    }
    if ((st = check_bools(&h, data, err))) goto done;
    fill_array(out, &h, data);
    data = NULL;
done:
    if (st != FROST_OK && err && strstr(err->message, path) == NULL) {
        /* Name the file in every message: the CLI may be reading several. */
        char msg[sizeof err->message];
        memcpy(msg, err->message, sizeof msg);
        snprintf(err->message, sizeof err->message, "%.200s: %.300s", path, msg);
    }
    free(head);
    free(data);
    fclose(f);
    return st;
}

void npy_free(npy_array *a) {
    if (!a) return;
    free(a->data);
    memset(a, 0, sizeof *a);
}

/* ---- writing --------------------------------------------------------------------------------- */

/* Builds the full header (magic, length, dict, padding to a multiple of 64) into buf. */
static frost_status build_header(frost_dtype dtype, int rank, const int64_t *dims, char *buf,
                                 size_t cap, size_t *out_len, size_t *data_bytes,
                                 frost_error *err) {
    const char *descr = npy_descr(dtype);
    if (!descr || frost_dtype_size(dtype) == 0)
        return npy_fail(err, FROST_E_DTYPE, -1, "npy: cannot store dtype %s",
                        frost_dtype_name(dtype));
    if (rank < 0 || rank > FROST_MAX_RANK || (rank > 0 && !dims))
        return npy_fail(err, FROST_E_INVALID_ARG, -1, "npy: bad rank %d", rank);
    char dict[512];
    int n = snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, 'shape': (",
                     descr);
    uint64_t numel = 1;
    for (int i = 0; i < rank; i++) {
        if (dims[i] < 0)
            return npy_fail(err, FROST_E_INVALID_ARG, -1, "npy: dimension %d is negative", i);
        if (__builtin_mul_overflow(numel, (uint64_t)dims[i], &numel))
            return npy_fail(err, FROST_E_LIMIT, -1, "npy: too many elements");
        n += snprintf(dict + n, sizeof dict - (size_t)n, "%s%lld", i ? ", " : "",
                      (long long)dims[i]);
    }
    n += snprintf(dict + n, sizeof dict - (size_t)n, "%s), }", rank == 1 ? "," : "");
    uint64_t bytes;
    if (__builtin_mul_overflow(numel, (uint64_t)frost_dtype_size(dtype), &bytes) ||
        bytes > SIZE_MAX / 2)
        return npy_fail(err, FROST_E_LIMIT, -1, "npy: array too large");
    /* Version 1.0: 10-byte prefix; the dict, padding spaces and '\n' fill to a multiple of 64. */
    size_t total = ((10 + (size_t)n + 1) + 63) / 64 * 64;
    if (total > cap) return npy_fail(err, FROST_E_INTERNAL, -1, "npy: header buffer too small");
    size_t header_len = total - 10;
    memcpy(buf, npy_magic, 6);
    buf[6] = 1;
    buf[7] = 0;
    buf[8] = (char)(header_len & 0xff);
    buf[9] = (char)(header_len >> 8);
    memcpy(buf + 10, dict, (size_t)n);
    memset(buf + 10 + n, ' ', total - 10 - (size_t)n - 1);
    buf[total - 1] = '\n';
    *out_len = total;
    *data_bytes = (size_t)bytes;
    return FROST_OK;
}

frost_status npy_write_memory(frost_dtype dtype, int rank, const int64_t *dims, const void *data,
                              void **out, size_t *out_size, frost_error *err) {
    *out = NULL;
    *out_size = 0;
    char head[640];
    size_t head_len, data_bytes;
    frost_status st = build_header(dtype, rank, dims, head, sizeof head, &head_len, &data_bytes, err);
    if (st) return st;
    if (data_bytes && !data) return npy_fail(err, FROST_E_INVALID_ARG, -1, "npy: data is NULL");
    unsigned char *buf = malloc(head_len + data_bytes);
    if (!buf) return npy_fail(err, FROST_E_NOMEM, -1, "npy: out of memory");
    memcpy(buf, head, head_len);
    if (data_bytes) memcpy(buf + head_len, data, data_bytes);
    *out = buf;
    *out_size = head_len + data_bytes;
    return FROST_OK;
}

frost_status npy_write_file(const char *path, frost_dtype dtype, int rank, const int64_t *dims,
                            const void *data, frost_error *err) {
    char head[640];
    size_t head_len, data_bytes;
    frost_status st = build_header(dtype, rank, dims, head, sizeof head, &head_len, &data_bytes, err);
    if (st) return st;
    if (data_bytes && !data) return npy_fail(err, FROST_E_INVALID_ARG, -1, "npy: data is NULL");
    FILE *f = fopen(path, "wb");
    if (!f) return npy_fail(err, FROST_E_IO, -1, "cannot create '%s': %s", path, strerror(errno));
    bool ok = fwrite(head, 1, head_len, f) == head_len &&
              (data_bytes == 0 || fwrite(data, 1, data_bytes, f) == data_bytes);
    int saved = errno;
    if (fclose(f) != 0 && ok) {
        ok = false;
        saved = errno;
    }
    if (!ok) return npy_fail(err, FROST_E_IO, -1, "cannot write '%s': %s", path, strerror(saved));
    return FROST_OK;
}
