/* test_npy.c — the .npy reader and writer: round trips of every dtype through memory and files,
 * hand-written headers of versions 1.0/2.0/3.0 in the spellings NumPy and older writers produce,
 * every malformed header we can think of, and truncations and random corruptions of valid files
 * (which must give an error, never a crash: run under AddressSanitizer). */
#define _GNU_SOURCE   /* memmem */
#include "npy.h"
#include "test.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A .npy image with the given version and header dict, padded like NumPy does, then `data`. */
static unsigned char *make_npy(int major, const char *dict, const void *data, size_t data_len,
                               size_t *size) {
    size_t prefix = major == 1 ? 10 : 12;
    size_t dict_len = strlen(dict);
    size_t total = (prefix + dict_len + 1 + 63) / 64 * 64;
    size_t header_len = total - prefix;
    unsigned char *buf = malloc(total + data_len + 1);
    memcpy(buf, "\x93NUMPY", 6);
    buf[6] = (unsigned char)major;
    buf[7] = 0;
    for (size_t i = 0; i < prefix - 8; i++) buf[8 + i] = (unsigned char)(header_len >> (8 * i));
    memcpy(buf + prefix, dict, dict_len);
    memset(buf + prefix + dict_len, ' ', header_len - dict_len - 1);
    buf[total - 1] = '\n';
    if (data_len) memcpy(buf + total, data, data_len);
    *size = total + data_len;
    return buf;
}

static frost_status read_dict(int major, const char *dict, const void *data, size_t data_len,
                              npy_array *out, frost_error *err) {
    size_t size;
    unsigned char *buf = make_npy(major, dict, data, data_len, &size);
    frost_status st = npy_read_memory(buf, size, out, err);
    free(buf);
    return st;
}

static void test_round_trip_memory(void) {
    static const frost_dtype dtypes[] = {
        FROST_DTYPE_F32, FROST_DTYPE_F64, FROST_DTYPE_F16, FROST_DTYPE_I8,  FROST_DTYPE_I16,
        FROST_DTYPE_I32, FROST_DTYPE_I64, FROST_DTYPE_U8,  FROST_DTYPE_U16, FROST_DTYPE_U32,
        FROST_DTYPE_U64, FROST_DTYPE_BOOL,
    };
    const int64_t shapes[][3] = {{2, 3, 5}, {1, 1, 1}, {7, 1, 0}};
    for (size_t d = 0; d < sizeof dtypes / sizeof dtypes[0]; d++)
        for (int rank = 0; rank <= 3; rank++)
            for (int s = 0; s < 3; s++) {
                size_t elem = frost_dtype_size(dtypes[d]), numel = 1;
                for (int i = 0; i < rank; i++) numel *= (size_t)shapes[s][i];
                unsigned char *data = malloc(numel * elem + 1);
                for (size_t i = 0; i < numel * elem; i++)
                    data[i] = dtypes[d] == FROST_DTYPE_BOOL ? (unsigned char)(i & 1)
                                                            : (unsigned char)(i * 37 + 11);
                void *file;
                size_t size;
                frost_error err;
                CHECK_OK(npy_write_memory(dtypes[d], rank, shapes[s], data, &file, &size, &err),
                         &err);
                CHECK(size % 64 == numel * elem % 64);
                npy_array a;
                CHECK_OK(npy_read_memory(file, size, &a, &err), &err);
                CHECK(a.dtype == dtypes[d]);
                CHECK(a.rank == rank);
                for (int i = 0; i < rank; i++) CHECK(a.dims[i] == shapes[s][i]);
                CHECK(a.bytes == numel * elem);
                CHECK(a.data != NULL && ((uintptr_t)a.data & 63) == 0);
                CHECK(numel == 0 || memcmp(a.data, data, a.bytes) == 0);
                npy_free(&a);
                free(file);
                free(data);
            }
}

/* The exact bytes NumPy's np.save writes for np.zeros((2, 3), np.float32). */
static void test_header_matches_numpy(void) {
    float zeros[6] = {0};
    void *file;
    size_t size;
    frost_error err;
    CHECK_OK(npy_write_memory(FROST_DTYPE_F32, 2, (const int64_t[]){2, 3}, zeros, &file, &size, &err),
             &err);
    const char *want = "\x93NUMPY\x01\x00\x76\x00{'descr': '<f4', 'fortran_order': False, "
                       "'shape': (2, 3), }";
    CHECK(size == 128 + sizeof zeros);
    CHECK(memcmp(file, want, strlen(want)) == 0);
    CHECK(((char *)file)[127] == '\n' && ((char *)file)[126] == ' ');
    free(file);

    /* 1-D arrays need the trailing comma, as in Python's "(5,)". */
    CHECK_OK(npy_write_memory(FROST_DTYPE_U8, 1, (const int64_t[]){5}, "abcde", &file, &size, &err),
             &err);
    CHECK(memmem(file, size, "'descr': '|u1'", 14) != NULL);
    CHECK(memmem(file, size, "'shape': (5,), }", 16) != NULL);
    free(file);
    CHECK_OK(npy_write_memory(FROST_DTYPE_BOOL, 0, NULL, "\x01", &file, &size, &err), &err);
    CHECK(memmem(file, size, "'descr': '|b1'", 14) != NULL);
    CHECK(memmem(file, size, "'shape': (), }", 14) != NULL);
    free(file);
}

static void test_header_spellings(void) {
    const int32_t v[6] = {1, -2, 3, -4, 5, -6};
    npy_array a;
    frost_error err;
    /* Versions 2.0 and 3.0 carry a 4-byte header length. */
    for (int major = 1; major <= 3; major++) {
        CHECK_OK(read_dict(major, "{'descr': '<i4', 'fortran_order': False, 'shape': (2, 3), }", v,
                           sizeof v, &a, &err),
                 &err);
        CHECK(a.dtype == FROST_DTYPE_I32 && a.rank == 2 && a.dims[0] == 2 && a.dims[1] == 3);
        CHECK(memcmp(a.data, v, sizeof v) == 0);
        npy_free(&a);
    }
    /* Other key orders, double quotes, no trailing comma, Python 2 longs, odd spacing. */
    const char *dicts[] = {
        "{'shape': (2, 3), 'fortran_order': False, 'descr': '<i4'}",
        "{\"descr\": \"<i4\", \"fortran_order\": False, \"shape\": (2L, 3L)}",
        "{ 'descr' :'<i4' ,'fortran_order':False,'shape':(2,3,) , }",
        "{'descr': 'i4', 'fortran_order': False, 'shape': (6,)}",
    };
    for (size_t i = 0; i < sizeof dicts / sizeof dicts[0]; i++) {
        CHECK_OK(read_dict(1, dicts[i], v, sizeof v, &a, &err), &err);
        CHECK_MSG(a.dtype == FROST_DTYPE_I32 && memcmp(a.data, v, sizeof v) == 0, "%s", dicts[i]);
        npy_free(&a);
    }
    /* Scalars and big-endian data (converted to native order). */
    const unsigned char be[8] = {0x3f, 0x80, 0, 0, 0xc0, 0, 0, 0};   /* 1.0f, -2.0f */
    CHECK_OK(read_dict(1, "{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", be, 8, &a,
                       &err),
             &err);
    CHECK(a.dtype == FROST_DTYPE_F32 && ((float *)a.data)[0] == 1.0f &&
          ((float *)a.data)[1] == -2.0f);
    npy_free(&a);
    double pi = 3.25;
    CHECK_OK(read_dict(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (), }", &pi, 8, &a,
                       &err),
             &err);
    CHECK(a.rank == 0 && a.bytes == 8 && *(double *)a.data == 3.25);
    npy_free(&a);
}

static void test_bad_headers(void) {
    const unsigned char data[64] = {0};
    npy_array a;
    frost_error err;
    struct {
        const char *dict;
        size_t data_len;
        frost_status code;
        const char *needle;
    } cases[] = {
        {"{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", 16, FROST_E_UNSUPPORTED,
         "fortran_order is True"},
        {"{'descr': '<c8', 'fortran_order': False, 'shape': (2,), }", 16, FROST_E_UNSUPPORTED,
         "dtype '<c8'"},
        {"{'descr': '<U5', 'fortran_order': False, 'shape': (1,), }", 20, FROST_E_UNSUPPORTED,
         "dtype '<U5'"},
        {"{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", 8, FROST_E_UNSUPPORTED,
         "dtype '|O'"},
        {"{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }", 4,
         FROST_E_UNSUPPORTED, "structured"},
        {"{'descr': '|f4', 'fortran_order': False, 'shape': (1,), }", 4, FROST_E_FORMAT,
         "no byte order"},
        {"{'descr': '<f4', 'fortran_order': False}", 4, FROST_E_FORMAT, "missing 'shape'"},
        {"{'fortran_order': False, 'shape': (1,)}", 4, FROST_E_FORMAT, "missing 'descr'"},
        {"{'descr': '<f4', 'shape': (1,)}", 4, FROST_E_FORMAT, "missing 'fortran_order'"},
        {"{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (1,)}", 4,
         FROST_E_FORMAT, "twice"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'extra': 1}", 4, FROST_E_FORMAT,
         "unexpected key 'extra'"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (-1,)}", 4, FROST_E_FORMAT, "negative"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1, 1, 1, 1, 1, 1, 1, 1)}", 4,
         FROST_E_LIMIT, "more than 8"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,)}", 4,
         FROST_E_LIMIT, "too large"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296, 4294967296)}",
         4, FROST_E_LIMIT, NULL},
        {"{'descr': '<f4', 'fortran_order': Maybe, 'shape': (1,)}", 4, FROST_E_FORMAT,
         "True or False"},
        {"{'descr': '<f4', 'fortran_order': Falsey, 'shape': (1,)}", 4, FROST_E_FORMAT, NULL},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': [1]}", 4, FROST_E_FORMAT, "tuple"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (1 2)}", 4, FROST_E_FORMAT, NULL},
        {"{'descr': '<f4' 'fortran_order': False, 'shape': (1,)}", 4, FROST_E_FORMAT, NULL},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (1,)} junk", 4, FROST_E_FORMAT,
         "after the dict"},
        {"{'descr': '<f4, 'fortran_order': False, 'shape': (1,)}", 4, FROST_E_UNSUPPORTED, NULL},
        {"{'descr': '<f\\4', 'fortran_order': False, 'shape': (1,)}", 4, FROST_E_FORMAT, NULL},
        {"'descr': '<f4', 'fortran_order': False, 'shape': (1,)}", 4, FROST_E_FORMAT, "'{'"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (1,)", 4, FROST_E_FORMAT, NULL},
        {"", 4, FROST_E_FORMAT, NULL},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (2,)}", 4, FROST_E_FORMAT,
         "announces 8 data bytes"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (1,)}", 5, FROST_E_FORMAT,
         "holds 5"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        frost_status st = read_dict(1, cases[i].dict, data, cases[i].data_len, &a, &err);
        CHECK_MSG(st == cases[i].code, "case %zu (%s): got %s: %s", i, cases[i].dict,
                  frost_status_name(st), err.message);
        CHECK_MSG(!cases[i].needle || strstr(err.message, cases[i].needle), "case %zu: '%s' lacks '%s'",
                  i, err.message, cases[i].needle);
        CHECK(a.data == NULL);
        CHECK(st != FROST_E_FORMAT || err.file_offset >= 0);
    }
    /* Booleans must be 0 or 1. */
    CHECK_FAILS(read_dict(1, "{'descr': '|b1', 'fortran_order': False, 'shape': (2,)}", "\x01\x02",
                          2, &a, &err),
                FROST_E_FORMAT, &err, "bool element 1");

    /* The fixed prefix. */
    size_t size;
    unsigned char *buf = make_npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,)}",
                                  data, 4, &size);
    buf[1] = 'n';
    CHECK_FAILS(npy_read_memory(buf, size, &a, &err), FROST_E_FORMAT, &err, "bad magic");
    buf[1] = 'N';
    buf[6] = 4;
    CHECK_FAILS(npy_read_memory(buf, size, &a, &err), FROST_E_UNSUPPORTED, &err, "version 4.0");
    buf[6] = 1;
    buf[7] = 1;
    CHECK_FAILS(npy_read_memory(buf, size, &a, &err), FROST_E_UNSUPPORTED, &err, "version 1.1");
    buf[7] = 0;
    buf[8] = 0xff;
    buf[9] = 0xff;
    CHECK_FAILS(npy_read_memory(buf, size, &a, &err), FROST_E_FORMAT, &err, "truncated header");
    buf[8] = 0;
    buf[9] = 0;
    CHECK_FAILS(npy_read_memory(buf, size, &a, &err), FROST_E_FORMAT, &err, NULL);
    free(buf);
    buf = make_npy(2, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,)}", data, 4, &size);
    buf[11] = 0x7f;   /* a 2 GiB header */
    CHECK_FAILS(npy_read_memory(buf, size, &a, &err), FROST_E_LIMIT, &err, "too long");
    buf[11] = 0;
    buf[20] = 0;      /* a NUL inside the dict */
    CHECK_FAILS(npy_read_memory(buf, size, &a, &err), FROST_E_FORMAT, &err, "NUL");
    free(buf);
    CHECK_FAILS(npy_read_memory("", 0, &a, &err), FROST_E_FORMAT, &err, "bad magic");

    /* The writer refuses what .npy cannot hold. */
    void *out;
    CHECK_FAILS(npy_write_memory(FROST_DTYPE_STRING, 1, (const int64_t[]){1}, data, &out, &size,
                                 &err),
                FROST_E_DTYPE, &err, "string");
    CHECK_FAILS(npy_write_memory(FROST_DTYPE_BF16, 1, (const int64_t[]){1}, data, &out, &size, &err),
                FROST_E_DTYPE, &err, NULL);
    CHECK_FAILS(npy_write_memory(FROST_DTYPE_F32, 1, (const int64_t[]){-1}, data, &out, &size, &err),
                FROST_E_INVALID_ARG, &err, "negative");
    CHECK_FAILS(npy_write_memory(FROST_DTYPE_F32, 9, (const int64_t[9]){1}, data, &out, &size, &err),
                FROST_E_INVALID_ARG, &err, NULL);
}

/* Every truncation and many random corruptions of a valid file: errors, never crashes. */
static void test_corruption(void) {
    float v[12];
    for (int i = 0; i < 12; i++) v[i] = (float)i;
    void *good;
    size_t size;
    frost_error err;
    CHECK_OK(npy_write_memory(FROST_DTYPE_F32, 2, (const int64_t[]){3, 4}, v, &good, &size, &err),
             &err);
    npy_array a;
    int truncations_ok = 0;
    for (size_t n = 0; n < size; n++) {
        unsigned char *copy = malloc(n ? n : 1);   /* exact size: ASan catches any over-read */
        memcpy(copy, good, n);
        if (npy_read_memory(copy, n, &a, &err) == FROST_OK) truncations_ok++;
        npy_free(&a);
        free(copy);
    }
    CHECK_MSG(truncations_ok == 0, "%d truncated files were accepted", truncations_ok);

    frost_test_seed(12345);
    int accepted = 0;
    for (int trial = 0; trial < 20000; trial++) {
        unsigned char *copy = malloc(size);
        memcpy(copy, good, size);
        int flips = 1 + (int)frost_test_uniform(0, 3);
        for (int f = 0; f < flips; f++) {
            /* Mostly in the header, where the parser lives. */
            size_t at = (size_t)frost_test_uniform(0, trial % 4 ? 128 : (float)size);
            if (at >= size) at = size - 1;
            copy[at] = (unsigned char)frost_test_uniform(0, 256);
        }
        if (npy_read_memory(copy, size, &a, &err) == FROST_OK) {
            accepted++;
            if (a.dtype == FROST_DTYPE_F32 && a.bytes != sizeof v) CHECK(false);
        }
        npy_free(&a);
        free(copy);
    }
    CHECK(accepted > 0);   /* flips in the padding or data are harmless */
    free(good);
}

static void test_files(void) {
    char dir[] = "/tmp/frost_test_npy_XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char path[256];
    snprintf(path, sizeof path, "%s/a.npy", dir);
    const int64_t v[5] = {1, -1, INT64_MAX, INT64_MIN, 42};
    frost_error err;
    CHECK_OK(npy_write_file(path, FROST_DTYPE_I64, 1, (const int64_t[]){5}, v, &err), &err);
    npy_array a;
    CHECK_OK(npy_read_file(path, &a, &err), &err);
    CHECK(a.dtype == FROST_DTYPE_I64 && a.rank == 1 && a.dims[0] == 5 &&
          memcmp(a.data, v, sizeof v) == 0);
    npy_free(&a);

    /* Truncated and padded files name the file. */
    size_t size;
    void *bytes = frost_test_read_file(path, &size);
    CHECK(bytes != NULL && size == 128 + sizeof v);
    for (size_t n = 0; n <= size + 1; n++) {
        FILE *f = fopen(path, "wb");
        fwrite(bytes, 1, n < size ? n : size, f);
        if (n > size) fputc(0, f);
        fclose(f);
        frost_status st = npy_read_file(path, &a, &err);
        if (n == size) {
            CHECK_OK(st, &err);
        } else {
            CHECK_MSG(st == FROST_E_FORMAT, "length %zu: %s", n, err.message);
            CHECK_MSG(strstr(err.message, path) != NULL, "%s", err.message);
        }
        npy_free(&a);
    }
    free(bytes);

    /* A version 1.0 header of 0 or 1 bytes: the reader's 12-byte prefix already holds data. */
    for (int header_len = 0; header_len <= 1; header_len++) {
        unsigned char tiny[16] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (unsigned char)header_len, 0,
                                  '{', 'x', 'y', 'z'};
        FILE *f = fopen(path, "wb");
        fwrite(tiny, 1, sizeof tiny, f);
        fclose(f);
        CHECK_FAILS(npy_read_file(path, &a, &err), FROST_E_FORMAT, &err, NULL);
    }

    CHECK_FAILS(npy_read_file("/nonexistent/x.npy", &a, &err), FROST_E_IO, &err, "x.npy");
    CHECK_FAILS(npy_write_file("/nonexistent/x.npy", FROST_DTYPE_I64, 1, (const int64_t[]){5}, v,
                               &err),
                FROST_E_IO, &err, "cannot create");
    unlink(path);
    rmdir(dir);
}

int main(void) {
    test_round_trip_memory();
    test_header_matches_numpy();
    test_header_spellings();
    test_bad_headers();
    test_corruption();
    test_files();
    return frost_test_finish();
}
