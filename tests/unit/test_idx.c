/* test_idx.c — the IDX reader: every element type from memory, plain and gzip'd files, the MNIST
 * loader's file lookup and cross-checks, and malformed inputs (bad magic, ranks, truncated headers
 * and data, trailing bytes, huge claimed sizes, corrupt gzip) which must give an error, never a
 * crash. Also reads the real MNIST / Fashion-MNIST test sets when they are installed. */
#include "idx.h"
#include "test.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

static size_t put_header(unsigned char *buf, int type, int rank, const uint32_t *dims) {
    buf[0] = 0;
    buf[1] = 0;
    buf[2] = (unsigned char)type;
    buf[3] = (unsigned char)rank;
    for (int i = 0; i < rank; i++)
        for (int b = 0; b < 4; b++) buf[4 + 4 * i + b] = (unsigned char)(dims[i] >> (24 - 8 * b));
    return 4 + 4 * (size_t)rank;
}

static void test_types_from_memory(void) {
    unsigned char buf[256];
    idx_array a;
    frost_error err;

    /* u8, rank 3 */
    size_t n = put_header(buf, 0x08, 3, (const uint32_t[]){2, 3, 4});
    for (int i = 0; i < 24; i++) buf[n + i] = (unsigned char)(i * 10);
    CHECK_OK(idx_read_memory(buf, n + 24, &a, &err), &err);
    CHECK(a.dtype == FROST_DTYPE_U8 && a.rank == 3 && a.dims[0] == 2 && a.dims[1] == 3 &&
          a.dims[2] == 4 && a.bytes == 24);
    CHECK(((uint8_t *)a.data)[23] == 230);
    idx_free(&a);

    /* i16 and i32 big-endian */
    n = put_header(buf, 0x0B, 1, (const uint32_t[]){2});
    memcpy(buf + n, "\xff\xfe\x01\x02", 4);
    CHECK_OK(idx_read_memory(buf, n + 4, &a, &err), &err);
    CHECK(a.dtype == FROST_DTYPE_I16 && ((int16_t *)a.data)[0] == -2 &&
          ((int16_t *)a.data)[1] == 0x0102);
    idx_free(&a);
    n = put_header(buf, 0x0C, 2, (const uint32_t[]){1, 1});
    memcpy(buf + n, "\x80\x00\x00\x01", 4);
    CHECK_OK(idx_read_memory(buf, n + 4, &a, &err), &err);
    CHECK(a.dtype == FROST_DTYPE_I32 && ((int32_t *)a.data)[0] == INT32_MIN + 1);
    idx_free(&a);

    /* f32 1.5 and f64 -0.25, i8 -1 */
    n = put_header(buf, 0x0D, 1, (const uint32_t[]){1});
    memcpy(buf + n, "\x3f\xc0\x00\x00", 4);
    CHECK_OK(idx_read_memory(buf, n + 4, &a, &err), &err);
    CHECK(a.dtype == FROST_DTYPE_F32 && ((float *)a.data)[0] == 1.5f);
    idx_free(&a);
    n = put_header(buf, 0x0E, 1, (const uint32_t[]){1});
    memcpy(buf + n, "\xbf\xd0\x00\x00\x00\x00\x00\x00", 8);
    CHECK_OK(idx_read_memory(buf, n + 8, &a, &err), &err);
    CHECK(a.dtype == FROST_DTYPE_F64 && ((double *)a.data)[0] == -0.25);
    idx_free(&a);
    n = put_header(buf, 0x09, 1, (const uint32_t[]){1});
    buf[n] = 0xff;
    CHECK_OK(idx_read_memory(buf, n + 1, &a, &err), &err);
    CHECK(a.dtype == FROST_DTYPE_I8 && ((int8_t *)a.data)[0] == -1);
    idx_free(&a);

    /* Zero elements is a valid (empty) array. */
    n = put_header(buf, 0x08, 2, (const uint32_t[]){0, 28});
    CHECK_OK(idx_read_memory(buf, n, &a, &err), &err);
    CHECK(a.bytes == 0 && a.dims[0] == 0);
    idx_free(&a);
}

static void test_malformed(void) {
    unsigned char buf[256] = {0};
    idx_array a;
    frost_error err;
    size_t n = put_header(buf, 0x08, 2, (const uint32_t[]){2, 2});

    CHECK_FAILS(idx_read_memory(buf, 3, &a, &err), FROST_E_FORMAT, &err, "not an IDX file");
    CHECK_FAILS(idx_read_memory(buf, 0, &a, &err), FROST_E_FORMAT, &err, "not an IDX file");
    CHECK_FAILS(idx_read_memory(buf, n + 3, &a, &err), FROST_E_FORMAT, &err, "truncated IDX data");
    CHECK(err.file_offset == (int64_t)n + 3);
    CHECK_FAILS(idx_read_memory(buf, n + 5, &a, &err), FROST_E_FORMAT, &err, "unexpected bytes");
    CHECK_FAILS(idx_read_memory(buf, 9, &a, &err), FROST_E_FORMAT, &err, "truncated IDX header");
    buf[0] = 1;
    CHECK_FAILS(idx_read_memory(buf, n + 4, &a, &err), FROST_E_FORMAT, &err, "magic 01 00 08 02");
    buf[0] = 0;
    buf[2] = 0x0A;
    CHECK_FAILS(idx_read_memory(buf, n + 4, &a, &err), FROST_E_FORMAT, &err, "not an IDX file");
    buf[2] = 0x08;
    buf[3] = 0;
    CHECK_FAILS(idx_read_memory(buf, n + 4, &a, &err), FROST_E_FORMAT, &err, "rank 0");
    buf[3] = 9;
    CHECK_FAILS(idx_read_memory(buf, sizeof buf, &a, &err), FROST_E_LIMIT, &err, "rank 9");
    buf[3] = 2;

    /* A tiny buffer claiming 4 GiB must be refused before allocating it. */
    n = put_header(buf, 0x08, 3, (const uint32_t[]){0xffffffffu, 0xffffffffu, 0xffffffffu});
    CHECK_FAILS(idx_read_memory(buf, n, &a, &err), FROST_E_LIMIT, &err, "too large");
    n = put_header(buf, 0x0E, 1, (const uint32_t[]){0x20000000u});   /* 4 GiB of f64 */
    CHECK_FAILS(idx_read_memory(buf, n, &a, &err), FROST_E_LIMIT, &err, "too large");
    /* ...while a merely large claim fails at the truncation, having allocated only what arrived. */
    n = put_header(buf, 0x08, 1, (const uint32_t[]){0x40000000u});
    CHECK_FAILS(idx_read_memory(buf, n + 10, &a, &err), FROST_E_FORMAT, &err, "truncated");
    CHECK(a.data == NULL);

    /* Every truncation of a valid buffer, exactly sized so ASan sees over-reads. */
    n = put_header(buf, 0x0C, 2, (const uint32_t[]){3, 2});
    for (size_t len = 0; len < n + 24; len++) {
        unsigned char *copy = malloc(len ? len : 1);
        memcpy(copy, buf, len);
        CHECK(idx_read_memory(copy, len, &a, &err) != FROST_OK);
        free(copy);
    }
}

static char tmpdir[64];

static const char *tmp_path(const char *name) {
    static char path[256];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    return path;
}

static void write_plain(const char *name, const void *bytes, size_t n) {
    FILE *f = fopen(tmp_path(name), "wb");
    fwrite(bytes, 1, n, f);
    fclose(f);
}

static void write_gz(const char *name, const void *bytes, size_t n) {
    gzFile gz = gzopen(tmp_path(name), "wb");
    gzwrite(gz, bytes, (unsigned)n);
    gzclose(gz);
}

/* An MNIST-like set: `count` images of rows x cols and `labels` labels. */
static void write_set(const char *set, int count, int labels, int rows, int cols, bool gz) {
    size_t img_bytes = (size_t)count * rows * cols;
    unsigned char *buf = malloc(16 + img_bytes);
    size_t n = put_header(buf, 0x08, 3, (const uint32_t[]){count, rows, cols});
    for (size_t i = 0; i < img_bytes; i++) buf[n + i] = (unsigned char)(i % 251);
    char name[128];
    snprintf(name, sizeof name, "%s-images-idx3-ubyte%s", set, gz ? ".gz" : "");
    (gz ? write_gz : write_plain)(name, buf, n + img_bytes);
    n = put_header(buf, 0x08, 1, (const uint32_t[]){labels});
    for (int i = 0; i < labels; i++) buf[n + i] = (unsigned char)(i % 10);
    snprintf(name, sizeof name, "%s-labels-idx1-ubyte%s", set, gz ? ".gz" : "");
    (gz ? write_gz : write_plain)(name, buf, n + (size_t)labels);
    free(buf);
}

static void test_files(void) {
    idx_array plain, zipped;
    frost_error err;
    unsigned char buf[4096];
    size_t n = put_header(buf, 0x08, 2, (const uint32_t[]){40, 100});
    for (int i = 0; i < 4000; i++) buf[n + i] = (unsigned char)(i * 7);
    write_plain("a.idx", buf, n + 4000);
    write_gz("a.idx.gz", buf, n + 4000);
    CHECK_OK(idx_read_file(tmp_path("a.idx"), &plain, &err), &err);
    CHECK_OK(idx_read_file(tmp_path("a.idx.gz"), &zipped, &err), &err);
    CHECK(plain.bytes == 4000 && zipped.bytes == 4000 &&
          memcmp(plain.data, zipped.data, 4000) == 0 && memcmp(plain.data, buf + n, 4000) == 0);
    idx_free(&plain);
    idx_free(&zipped);

    /* Truncated and corrupted gzip streams. */
    size_t gz_size;
    unsigned char *gz = frost_test_read_file(tmp_path("a.idx.gz"), &gz_size);
    CHECK(gz != NULL && gz_size > 30);
    write_plain("cut.gz", gz, gz_size / 2);
    CHECK_FAILS(idx_read_file(tmp_path("cut.gz"), &plain, &err), FROST_E_FORMAT, &err, "cut.gz");
    for (size_t at = 10; at < gz_size; at += 3) {
        unsigned char saved = gz[at];
        gz[at] ^= 0x5a;
        write_plain("bad.gz", gz, gz_size);
        gz[at] = saved;
        /* A flip may hit the CRC or length trailer or leave valid deflate data; never a crash. */
        if (idx_read_file(tmp_path("bad.gz"), &plain, &err) == FROST_OK) idx_free(&plain);
    }
    free(gz);
    /* Data past the end of what the dimensions say, compressed too. */
    write_gz("long.gz", buf, n + 4001);
    CHECK_FAILS(idx_read_file(tmp_path("long.gz"), &plain, &err), FROST_E_FORMAT, &err,
                "unexpected bytes");

    CHECK_FAILS(idx_read_file(tmp_path("missing"), &plain, &err), FROST_E_IO, &err, "missing");
    CHECK_FAILS(idx_read_file(tmpdir, &plain, &err), FROST_E_IO, &err, "directory");
}

static void test_mnist_loader(void) {
    idx_mnist m;
    frost_error err;
    write_set("t10k", 5, 5, 28, 28, true);
    CHECK_OK(idx_load_mnist(tmpdir, "t10k", &m, &err), &err);
    CHECK(m.count == 5 && m.rows == 28 && m.cols == 28 && m.labels[3] == 3 && m.pixels[300] == 49);
    CHECK(strstr(m.images_path, ".gz") != NULL);
    idx_mnist_free(&m);

    write_set("train", 4, 3, 28, 28, false);
    CHECK_FAILS(idx_load_mnist(tmpdir, "train", &m, &err), FROST_E_FORMAT, &err,
                "4 images but 3 labels");
    CHECK(m.pixels == NULL && m.labels == NULL);
    CHECK_FAILS(idx_load_mnist(tmpdir, "other", &m, &err), FROST_E_IO, &err,
                "no other-images-idx3-ubyte");
    CHECK_FAILS(idx_load_mnist("/nonexistent", "t10k", &m, &err), FROST_E_IO, &err, "not found");

    /* Labels of the wrong rank. */
    unsigned char buf[64];
    size_t n = put_header(buf, 0x08, 2, (const uint32_t[]){4, 1});
    memset(buf + n, 0, 4);
    write_plain("train-labels-idx1-ubyte", buf, n + 4);
    CHECK_FAILS(idx_load_mnist(tmpdir, "train", &m, &err), FROST_E_FORMAT, &err, "rank 1");
}

/* The real test sets, when installed: 10,000 28x28 images with labels 0..9. */
static void test_real_sets(void) {
    const char *dirs[] = {frost_test_shared("data/mnist"), "/usr/share/datasets/fashion-mnist"};
    for (size_t i = 0; i < 2; i++) {
        if (!dirs[i]) continue;
        char dir[1024];
        snprintf(dir, sizeof dir, "%s", dirs[i]);
        idx_mnist m;
        frost_error err;
        if (idx_load_mnist(dir, "t10k", &m, &err) != FROST_OK) {
            printf("note: %s not usable (%s)\n", dir, err.message);
            continue;
        }
        CHECK(m.count == 10000 && m.rows == 28 && m.cols == 28);
        int bad_labels = 0;
        for (int64_t k = 0; k < m.count; k++) bad_labels += m.labels[k] > 9;
        CHECK(bad_labels == 0);
        printf("read %s: %lld images\n", dir, (long long)m.count);
        idx_mnist_free(&m);
    }
}

static void cleanup(void) {
    const char *names[] = {"a.idx", "a.idx.gz", "cut.gz", "bad.gz", "long.gz",
                           "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz",
                           "train-images-idx3-ubyte", "train-labels-idx1-ubyte"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) unlink(tmp_path(names[i]));
    rmdir(tmpdir);
}

int main(void) {
    test_types_from_memory();
    test_malformed();
    snprintf(tmpdir, sizeof tmpdir, "/tmp/frost_test_idx_XXXXXX");
    if (!mkdtemp(tmpdir)) {
        CHECK(false);
        return frost_test_finish();
    }
    test_files();
    test_mnist_loader();
    cleanup();
    test_real_sets();
    return frost_test_finish();
}
