/* test_hdf5_reader.c — frost's own HDF5 reader (src/fmt/hdf5*.c) on a small image built byte by byte
 * here (superblock v2, version 2 object headers, compact links, a soft link, fixed- and
 * variable-length string attributes with a global heap, compact and contiguous datasets of f32 and
 * big-endian i16), then on every truncation and on byte damage at every offset of it and of the
 * libhdf5-written tests/corrupt/keras_h5/good.h5: each must open and answer, or fail with a status
 * and a message, never crash (run under ASan+UBSan in the sanitizer build). */
#include "test.h"

#include "fmt/hdf5.h"

#include <stdlib.h>
#include <string.h>

/* ---- A little-endian image writer ------------------------------------------------------------- */

typedef struct img {
    uint8_t b[4096];
    size_t n;
} img;

static size_t put(img *m, const void *p, size_t n) {
    size_t at = m->n;
    memcpy(m->b + m->n, p, n);
    m->n += n;
    return at;
}
static size_t put_le(img *m, uint64_t v, int bytes) {
    size_t at = m->n;
    for (int i = 0; i < bytes; i++) m->b[m->n++] = (uint8_t)(v >> (8 * i));
    return at;
}
static void set_le(img *m, size_t at, uint64_t v, int bytes) {
    for (int i = 0; i < bytes; i++) m->b[at + (size_t)i] = (uint8_t)(v >> (8 * i));
}
static void align8(img *m) {
    while (m->n & 7) m->b[m->n++] = 0;
}

/* A version 2 object header holding `body` (messages already encoded), 1-byte chunk size. */
static size_t object_header(img *m, const img *body) {
    size_t at = put(m, "OHDR", 4);
    put_le(m, 2, 1);   /* version */
    put_le(m, 0, 1);   /* flags: 1-byte chunk size, no times */
    put_le(m, body->n, 1);
    put(m, body->b, body->n);
    put_le(m, 0, 4);   /* checksum (not verified) */
    return at;
}
static void message(img *body, unsigned type, const img *data) {
    put_le(body, type, 1);
    put_le(body, data->n, 2);
    put_le(body, 0, 1);
    put(body, data->b, data->n);
}

static void dataspace(img *d, int rank, const uint64_t *dims) {
    put_le(d, 2, 1);
    put_le(d, (uint64_t)rank, 1);
    put_le(d, 0, 1);
    put_le(d, rank ? 1 : 0, 1);
    for (int i = 0; i < rank; i++) put_le(d, dims[i], 8);
}

/* The image; returns its size. */
static size_t build(img *m) {
    memset(m, 0, sizeof *m);
    /* Superblock v2: signature, version, sizes, flags, base, extension, EOF, root, checksum. */
    put(m, "\x89HDF\r\n\x1a\n", 8);
    put_le(m, 2, 1);
    put_le(m, 8, 1);
    put_le(m, 8, 1);
    put_le(m, 0, 1);
    put_le(m, 0, 8);
    put_le(m, UINT64_MAX, 8);
    size_t eof_at = put_le(m, 0, 8);
    size_t root_at = put_le(m, 0, 8);
    put_le(m, 0, 4);
    align8(m);

    /* Global heap collection with one string. */
    size_t gcol = put(m, "GCOL", 4);
    put_le(m, 1, 1);
    put_le(m, 0, 3);
    put_le(m, 64, 8);                /* collection size */
    put_le(m, 1, 2);                 /* object 1 */
    put_le(m, 1, 2);
    put_le(m, 0, 4);
    put_le(m, 11, 8);
    put(m, "Sequential!\0\0\0\0\0", 16);
    put_le(m, 0, 2);                 /* free space (object 0) */
    put_le(m, 0, 6);
    put_le(m, 8, 8);
    align8(m);

    /* Dataset "w": f32 [2,3], compact. */
    img body = {{0}, 0}, d = {{0}, 0};
    uint64_t dims[2] = {2, 3};
    dataspace(&d, 2, dims);
    message(&body, 0x01, &d);
    d.n = 0;
    put_le(&d, 0x11, 1);             /* class 1 (float), version 1 */
    put_le(&d, 0x20 | (31u << 8), 3);   /* LE, mantissa normalized (implied), sign at bit 31 */
    put_le(&d, 4, 4);
    put_le(&d, 0, 2);
    put_le(&d, 32, 2);
    put_le(&d, 23, 1);
    put_le(&d, 8, 1);
    put_le(&d, 0, 1);
    put_le(&d, 23, 1);
    put_le(&d, 127, 4);
    message(&body, 0x03, &d);
    d.n = 0;
    put_le(&d, 3, 1);                /* layout v3 */
    put_le(&d, 0, 1);                /* compact */
    put_le(&d, 24, 2);
    float w[6] = {1.5f, -2.0f, 3.25f, 0.0f, -0.5f, 100.0f};
    put(&d, w, sizeof w);
    message(&body, 0x08, &d);
    size_t w_oh = object_header(m, &body);
    align8(m);

    /* Dataset "b": big-endian i16 [3], contiguous. */
    size_t data_at = put(m, "\xff\xfe\x00\x07\x01\x00", 6);   /* -2, 7, 256 */
    align8(m);
    body.n = 0;
    d.n = 0;
    uint64_t three = 3;
    dataspace(&d, 1, &three);
    message(&body, 0x01, &d);
    d.n = 0;
    put_le(&d, 0x10, 1);             /* class 0 (fixed-point), version 1 */
    put_le(&d, 0x09, 3);             /* big-endian, signed */
    put_le(&d, 2, 4);
    put_le(&d, 0, 2);
    put_le(&d, 16, 2);
    message(&body, 0x03, &d);
    d.n = 0;
    put_le(&d, 3, 1);
    put_le(&d, 1, 1);                /* contiguous */
    put_le(&d, data_at, 8);
    put_le(&d, 6, 8);
    message(&body, 0x08, &d);
    size_t b_oh = object_header(m, &body);
    align8(m);

    /* Root group: link info (compact), links "w", "b", soft "s"; attributes. */
    body.n = 0;
    d.n = 0;
    put_le(&d, 0, 1);
    put_le(&d, 0, 1);
    put_le(&d, UINT64_MAX, 8);
    put_le(&d, UINT64_MAX, 8);
    message(&body, 0x02, &d);
    const char *names[2] = {"w", "b"};
    size_t targets[2] = {w_oh, b_oh};
    for (int i = 0; i < 2; i++) {
        d.n = 0;
        put_le(&d, 1, 1);
        put_le(&d, 0, 1);            /* hard link, 1-byte name length */
        put_le(&d, 1, 1);
        put(&d, names[i], 1);
        put_le(&d, targets[i], 8);
        message(&body, 0x06, &d);
    }
    d.n = 0;
    put_le(&d, 1, 1);
    put_le(&d, 0x08, 1);             /* link type present */
    put_le(&d, 1, 1);                /* soft */
    put_le(&d, 1, 1);
    put(&d, "s", 1);
    put_le(&d, 2, 2);
    put(&d, "/w", 2);
    message(&body, 0x06, &d);
    /* Attribute v3 "backend" = fixed string "tensorflow" (12 bytes, null padded). */
    d.n = 0;
    put_le(&d, 3, 1);
    put_le(&d, 0, 1);
    put_le(&d, 8, 2);
    put_le(&d, 8, 2);
    put_le(&d, 4, 2);
    put_le(&d, 0, 1);
    put(&d, "backend", 8);
    put_le(&d, 0x13, 1);             /* class 3 (string), version 1 */
    put_le(&d, 0, 3);
    put_le(&d, 12, 4);
    put_le(&d, 2, 1);                /* scalar dataspace */
    put_le(&d, 0, 1);
    put_le(&d, 0, 1);
    put_le(&d, 0, 1);
    put(&d, "tensorflow\0\0", 12);
    message(&body, 0x0C, &d);
    /* Attribute v3 "model_config" = variable-length string in the global heap. */
    d.n = 0;
    put_le(&d, 3, 1);
    put_le(&d, 0, 1);
    put_le(&d, 13, 2);
    put_le(&d, 20, 2);
    put_le(&d, 4, 2);
    put_le(&d, 0, 1);
    put(&d, "model_config", 13);
    put_le(&d, 0x19, 1);             /* class 9 (variable-length), version 1 */
    put_le(&d, 0x01, 3);             /* a string */
    put_le(&d, 16, 4);
    put_le(&d, 0x13, 1);             /* base type: 1-byte string */
    put_le(&d, 0, 3);
    put_le(&d, 1, 4);
    put_le(&d, 0, 4);                /* padding to the declared 20 bytes */
    put_le(&d, 2, 1);
    put_le(&d, 0, 1);
    put_le(&d, 0, 1);
    put_le(&d, 0, 1);
    put_le(&d, 10, 4);               /* length */
    put_le(&d, gcol, 8);             /* collection */
    put_le(&d, 1, 4);                /* object 1 */
    message(&body, 0x0C, &d);
    size_t root = object_header(m, &body);
    set_le(m, root_at, root, 8);
    set_le(m, eof_at, m->n, 8);
    return m->n;
}

/* Opens and asks everything; returns the open status. Never checks values: damaged images. */
static frost_status exercise(const void *data, size_t size) {
    frost__h5 *f = NULL;
    frost_error err;
    frost_status st = frost__h5_open_memory(data, size, frost__default_allocator(), "image", 1 << 20,
                                            NULL, &f, &err);
    if (st != FROST_OK) {
        CHECK_MSG(err.code == st && err.message[0], "status %d without a message", (int)st);
        return st;
    }
    char **names = NULL;
    int n = 0;
    if (frost__h5_list(f, "", &names, &n, &err) == FROST_OK) {
        for (int i = 0; i < n; i++) {
            float *v = NULL;
            frost__shape shape;
            (void)frost__h5_kind_of(f, names[i]);
            if (frost__h5_read_f32(f, names[i], 0, &v, &shape, &err) == FROST_OK)
                frost__free(frost__default_allocator(), v);
        }
        frost__h5_free_strings(f, names, n);
    }
    const char *attrs[2] = {"backend", "model_config"};
    for (int i = 0; i < 2; i++) {
        char **s = NULL;
        int k = 0;
        (void)frost__h5_attr_is_variable(f, "", attrs[i]);
        if (frost__h5_attr_strings(f, "", attrs[i], 0, &s, &k, &err) == FROST_OK)
            frost__h5_free_strings(f, s, k);
    }
    frost__h5_close(f);
    return FROST_OK;
}

/* Every truncation (with the declared end of file moved along, so parsing goes past the superblock)
 * and three kinds of damage at every byte. */
static void damage_everywhere(const uint8_t *good, size_t size, size_t eof_field, const char *what) {
    uint8_t *copy = malloc(size);
    int opened = 0, failed = 0;
    for (size_t len = 0; len < size; len++) {
        memcpy(copy, good, len);
        if (eof_field && len >= eof_field + 8)
            for (int i = 0; i < 8; i++) copy[eof_field + (size_t)i] = (uint8_t)((uint64_t)len >> (8 * i));
        if (exercise(copy, len) == FROST_OK) opened++;
        else failed++;
    }
    static const uint8_t kinds[3] = {0xff, 0x00, 0x80};
    for (size_t at = 0; at < size; at++)
        for (int k = 0; k < 3; k++) {
            memcpy(copy, good, size);
            copy[at] = k == 0 ? (uint8_t)~copy[at] : k == 1 ? 0 : (uint8_t)(copy[at] ^ kinds[k]);
            if (exercise(copy, size) == FROST_OK) opened++;
            else failed++;
        }
    printf("%s: %zu bytes, %d damaged variants opened, %d refused\n", what, size, opened, failed);
    CHECK(failed > 0);
    free(copy);
}

int main(void) {
    img *m = calloc(1, sizeof *m);
    size_t size = build(m);
    frost__h5 *f = NULL;
    frost_error err;
    CHECK(frost__h5_sniff(m->b, size));
    CHECK_OK(frost__h5_open_memory(m->b, size, frost__default_allocator(), "hand.h5", 0, NULL, &f,
                                   &err), &err);
    if (f) {
        char **names = NULL;
        int n = 0;
        CHECK_OK(frost__h5_list(f, "/", &names, &n, &err), &err);
        CHECK(n == 2 && !strcmp(names[0], "b") && !strcmp(names[1], "w"));   /* "s" is soft */
        frost__h5_free_strings(f, names, n);
        CHECK(frost__h5_kind_of(f, "w") == FROST__H5_DATASET);
        CHECK(frost__h5_kind_of(f, "s") == FROST__H5_NONE);
        CHECK(frost__h5_kind_of(f, "") == FROST__H5_GROUP);
        float *v = NULL;
        frost__shape shape;
        CHECK_OK(frost__h5_read_f32(f, "w", 0, &v, &shape, &err), &err);
        CHECK(shape.rank == 2 && shape.d[0] == 2 && shape.d[1] == 3);
        CHECK(v && v[0] == 1.5f && v[1] == -2.0f && v[2] == 3.25f && v[5] == 100.0f);
        frost__free(frost__default_allocator(), v);
        CHECK_FAILS(frost__h5_read_f32(f, "w", 0, &v, &shape, &err), FROST_E_INTERNAL, &err,
                    "already read");
        CHECK_OK(frost__h5_read_f32(f, "/b", 0, &v, &shape, &err), &err);
        CHECK(shape.rank == 1 && shape.d[0] == 3 && v && v[0] == -2.0f && v[1] == 7.0f &&
              v[2] == 256.0f);
        frost__free(frost__default_allocator(), v);
        char **s = NULL;
        CHECK_OK(frost__h5_attr_strings(f, "", "backend", 0, &s, &n, &err), &err);
        CHECK(n == 1 && !strcmp(s[0], "tensorflow"));
        frost__h5_free_strings(f, s, n);
        CHECK(!frost__h5_attr_is_variable(f, "", "backend"));
        CHECK(frost__h5_attr_is_variable(f, "", "model_config"));
        CHECK_OK(frost__h5_attr_strings(f, "", "model_config", 0, &s, &n, &err), &err);
        CHECK(n == 1 && !strcmp(s[0], "Sequential"));
        frost__h5_free_strings(f, s, n);
        CHECK_FAILS(frost__h5_attr_strings(f, "", "nope", 0, &s, &n, &err), FROST_E_NOT_FOUND, &err,
                    "no attribute 'nope'");
        CHECK_FAILS(frost__h5_read_f32(f, "s", 0, &v, &shape, &err), FROST_E_NOT_FOUND, &err,
                    "no dataset 's'");
        frost__h5_close(f);
    }
    /* The over-limit dataset is refused when read, not at open. */
    CHECK_OK(frost__h5_open_memory(m->b, size, frost__default_allocator(), "hand.h5", 8, NULL, &f,
                                   &err), &err);
    if (f) {
        float *v = NULL;
        frost__shape shape;
        CHECK_FAILS(frost__h5_read_f32(f, "w", 0, &v, &shape, &err), FROST_E_LIMIT, &err,
                    "over the 8-byte tensor limit");
        CHECK_OK(frost__h5_dataset_shape(f, "w", &shape, &err), &err);
        CHECK(shape.rank == 2 && shape.d[1] == 3);
        frost__h5_close(f);
    }
    /* A truncated image names the problem. */
    CHECK_FAILS(frost__h5_open_memory(m->b, size - 1, frost__default_allocator(), "cut.h5", 0, NULL,
                                      &f, &err), FROST_E_FORMAT, &err,
                "cut.h5 is a corrupted or truncated HDF5 file");
    damage_everywhere(m->b, size, 8 + 4 + 8 + 8, "hand-built image");
    size_t good_size;
    void *good = frost_test_read_file(FROST_SOURCE_DIR "/tests/corrupt/keras_h5/good.h5", &good_size);
    CHECK(good != NULL);
    if (good) damage_everywhere(good, good_size, 40, "keras_h5/good.h5");   /* v0: EOF at 40 */
    free(good);
    free(m);
    return frost_test_finish();
}
