/* cli_tool.c — helper for the CLI tests (tests/cli/CMakeLists.txt), two subcommands:
 *
 *   cli_tool fixtures DIR        writes the files the tests feed to build/frost: small TF GraphDef
 *                                models (hand-encoded protobuf, so no generator is needed), good and
 *                                bad .npy files, and good and malformed MNIST-style IDX sets;
 *   cli_tool compare A.npy B.npy ATOL
 *                                exits 0 when two f32 arrays have the same shape and agree within
 *                                ATOL + 1e-4 * |b| (two integer or bool arrays: exactly), 1
 *                                otherwise (printing the worst element).
 *
 * It is test scaffolding only: it must never be installed or used by the library.
 */
#define _GNU_SOURCE   /* memmem */
#include "npy.h"

#include <errno.h>
#include <stdbool.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

static const char *out_dir;

static const char *path_of(const char *name) {
    static char path[4096];
    snprintf(path, sizeof path, "%s/%s", out_dir, name);
    return path;
}

static int write_bytes(const char *name, const void *data, size_t n) {
    FILE *f = fopen(path_of(name), "wb");
    if (!f || fwrite(data, 1, n, f) != n || fclose(f) != 0) {
        fprintf(stderr, "cli_tool: cannot write %s: %s\n", path_of(name), strerror(errno));
        return 1;
    }
    return 0;
}

static int write_gz(const char *name, const void *data, size_t n) {
    gzFile gz = gzopen(path_of(name), "wb");
    if (!gz || gzwrite(gz, data, (unsigned)n) != (int)n || gzclose(gz) != Z_OK) {
        fprintf(stderr, "cli_tool: cannot write %s\n", path_of(name));
        return 1;
    }
    return 0;
}

/* ---- a minimal protobuf writer: enough for GraphDef ----------------------------------------- */

typedef struct pb {
    unsigned char *p;
    size_t n, cap;
} pb;

static void pb_raw(pb *b, const void *data, size_t n) {
    if (b->n + n > b->cap) {
        b->cap = (b->n + n) * 2 + 64;
        b->p = realloc(b->p, b->cap);
        if (!b->p) abort();
    }
    memcpy(b->p + b->n, data, n);
    b->n += n;
}

static void pb_varint(pb *b, uint64_t v) {
    unsigned char tmp[10];
    size_t n = 0;
    do {
        tmp[n++] = (unsigned char)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
        v >>= 7;
    } while (v);
    pb_raw(b, tmp, n);
}

static void pb_int(pb *b, int field, int64_t v) {
    pb_varint(b, (uint64_t)field << 3);
    pb_varint(b, (uint64_t)v);   /* negative int64: ten-byte two's complement, as protobuf does */
}

static void pb_bytes(pb *b, int field, const void *data, size_t n) {
    pb_varint(b, (uint64_t)field << 3 | 2);
    pb_varint(b, n);
    pb_raw(b, data, n);
}

static void pb_str(pb *b, int field, const char *s) { pb_bytes(b, field, s, strlen(s)); }

/* Appends `inner` as a sub-message and frees it. */
static void pb_msg(pb *b, int field, pb *inner) {
    pb_bytes(b, field, inner->p ? inner->p : (unsigned char *)"", inner->n);
    free(inner->p);
    memset(inner, 0, sizeof *inner);
}

enum { DT_FLOAT = 1 };

static pb shape_proto(int rank, const int64_t *dims) {
    pb s = {0};
    for (int i = 0; i < rank; i++) {
        pb d = {0};
        pb_int(&d, 1, dims[i]);
        pb_msg(&s, 2, &d);
    }
    return s;
}

/* attr { key: KEY value { <value> } } on a NodeDef */
static void attr(pb *node, const char *key, pb *value) {
    pb entry = {0};
    pb_str(&entry, 1, key);
    pb_msg(&entry, 2, value);
    pb_msg(node, 5, &entry);
}

static void attr_type(pb *node, const char *key, int dtype) {
    pb v = {0};
    pb_int(&v, 6, dtype);
    attr(node, key, &v);
}

static void add_node(pb *graph, const char *name, const char *op, const char *in0, const char *in1,
                     pb *extra_attrs) {
    pb n = {0};
    pb_str(&n, 1, name);
    pb_str(&n, 2, op);
    if (in0) pb_str(&n, 3, in0);
    if (in1) pb_str(&n, 3, in1);
    if (extra_attrs && extra_attrs->n) pb_raw(&n, extra_attrs->p, extra_attrs->n);
    if (extra_attrs) {
        free(extra_attrs->p);
        memset(extra_attrs, 0, sizeof *extra_attrs);
    }
    pb_msg(graph, 1, &n);
}

static void add_placeholder(pb *graph, const char *name, int rank, const int64_t *dims) {
    pb attrs = {0}, v = {0};
    attr_type(&attrs, "dtype", DT_FLOAT);
    pb s = shape_proto(rank, dims);
    pb_msg(&v, 7, &s);
    attr(&attrs, "shape", &v);
    add_node(graph, name, "Placeholder", NULL, NULL, &attrs);
}

static void add_const(pb *graph, const char *name, int rank, const int64_t *dims,
                      const float *values, size_t n) {
    pb attrs = {0}, v = {0}, t = {0};
    attr_type(&attrs, "dtype", DT_FLOAT);
    pb_int(&t, 1, DT_FLOAT);
    pb s = shape_proto(rank, dims);
    pb_msg(&t, 2, &s);
    pb_bytes(&t, 4, values, n * sizeof *values);   /* little-endian host: raw f32 */
    pb_msg(&v, 8, &t);
    attr(&attrs, "value", &v);
    add_node(graph, name, "Const", NULL, NULL, &attrs);
}

static void add_op(pb *graph, const char *name, const char *op, const char *in0, const char *in1) {
    pb attrs = {0};
    attr_type(&attrs, "T", DT_FLOAT);
    add_node(graph, name, op, in0, in1, &attrs);
}

/* input [?, 784] -> MatMul -> BiasAdd -> Softmax "probs". Class j scores the mean brightness of
 * image row band j (rows 2j .. 2j+2), so predictions are deterministic and data-dependent. */
static int write_flat_model(void) {
    static float w[784 * 10];
    float b[10];
    for (int k = 0; k < 784; k++)
        for (int j = 0; j < 10; j++) w[k * 10 + j] = (k / 28) / 3 == j ? 0.05f : 0.0f;
    for (int j = 0; j < 10; j++) b[j] = 0.01f * (float)j;
    pb g = {0};
    add_placeholder(&g, "input", 2, (const int64_t[]){-1, 784});
    add_const(&g, "dense/kernel", 2, (const int64_t[]){784, 10}, w, 784 * 10);
    add_const(&g, "dense/bias", 1, (const int64_t[]){10}, b, 10);
    add_op(&g, "dense/MatMul", "MatMul", "input", "dense/kernel");
    add_op(&g, "dense/BiasAdd", "BiasAdd", "dense/MatMul", "dense/bias");
    add_op(&g, "probs", "Softmax", "dense/BiasAdd", NULL);
    int rc = write_bytes("flat.pb", g.p, g.n);
    free(g.p);
    return rc;
}

/* An image model that takes 32x32 RGB: frost bench must refuse it. */
static int write_rgb_model(void) {
    pb g = {0};
    add_placeholder(&g, "image", 4, (const int64_t[]){-1, 32, 32, 3});
    add_op(&g, "probs", "Softmax", "image", NULL);
    int rc = write_bytes("rgb32.pb", g.p, g.n);
    free(g.p);
    return rc;
}

/* x [?, ?, 8] -> Softmax: an input with a dimension besides the batch left open (frost bench needs
 * --shape for it). */
static int write_open_model(void) {
    pb g = {0};
    add_placeholder(&g, "x", 3, (const int64_t[]){-1, -1, 8});
    add_op(&g, "probs", "Softmax", "x", NULL);
    int rc = write_bytes("open.pb", g.p, g.n);
    free(g.p);
    return rc;
}

/* ---- .npy inputs --------------------------------------------------------------------------- */

static int write_npy_files(void) {
    static float x[784];
    static double xd[784];
    static int32_t xi[784];
    for (int i = 0; i < 784; i++) {
        x[i] = (float)((i * 7) % 256) / 255.0f;
        xd[i] = x[i];
        xi[i] = i;
    }
    frost_error err;
    const int64_t dims[2] = {1, 784};
    if (npy_write_file(path_of("x.npy"), FROST_DTYPE_F32, 2, dims, x, &err) ||
        npy_write_file(path_of("x_f64.npy"), FROST_DTYPE_F64, 2, dims, xd, &err) ||
        npy_write_file(path_of("x_i32.npy"), FROST_DTYPE_I32, 2, dims, xi, &err)) {
        fprintf(stderr, "cli_tool: %s\n", err.message);
        return 1;
    }
    /* The same header with fortran_order True, a bad magic, and a truncated file. */
    void *buf;
    size_t n;
    if (npy_write_memory(FROST_DTYPE_F32, 2, dims, x, &buf, &n, &err)) return 1;
    int rc = write_bytes("truncated.npy", buf, n - 100);
    char *fo = memmem(buf, n, "False,", 6);
    if (fo) memcpy(fo, "True, ", 6);   /* same length keeps the header length valid */
    rc |= write_bytes("fortran.npy", buf, n);
    memcpy(buf, "XNUMPY", 6);
    rc |= write_bytes("bad_magic.npy", buf, n);
    free(buf);
    return rc;
}

/* ---- IDX sets ----------------------------------------------------------------------------- */

static size_t idx_header(unsigned char *p, int rank, const uint32_t *dims) {
    p[0] = p[1] = 0;
    p[2] = 0x08;
    p[3] = (unsigned char)rank;
    for (int i = 0; i < rank; i++)
        for (int k = 0; k < 4; k++) p[4 + 4 * i + k] = (unsigned char)(dims[i] >> (24 - 8 * k));
    return 4 + 4 * (size_t)rank;
}

/* DIR/sub with `images` 28x28 images and `labels` labels; the label of image i is i % 10 and the
 * image lights up row band (i % 10), which the flat model recognises. */
static int write_idx_set(const char *sub, int images, int labels, bool gz, bool bad_magic,
                         size_t cut) {
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path_of(sub));
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) return 1;
    size_t img_bytes = (size_t)images * 784;
    unsigned char *p = calloc(16 + img_bytes + (size_t)labels, 1);
    if (!p) return 1;
    size_t h = idx_header(p, 3, (const uint32_t[]){(uint32_t)images, 28, 28});
    for (int i = 0; i < images; i++)
        for (int r = 0; r < 28; r++)
            for (int c = 0; c < 28; c++)
                p[h + (size_t)i * 784 + (size_t)r * 28 + (size_t)c] =
                    r / 3 == i % 10 ? 255 : (unsigned char)((r * c + i) % 16);
    if (bad_magic) p[2] = 0x42;
    char name[4200];
    snprintf(name, sizeof name, "%s/t10k-images-idx3-ubyte%s", sub, gz ? ".gz" : "");
    size_t total = h + img_bytes - (cut < img_bytes ? cut : 0);
    int rc = gz ? write_gz(name, p, total) : write_bytes(name, p, total);
    h = idx_header(p, 1, (const uint32_t[]){(uint32_t)labels});
    for (int i = 0; i < labels; i++) p[h + (size_t)i] = (unsigned char)(i % 10);
    snprintf(name, sizeof name, "%s/t10k-labels-idx1-ubyte%s", sub, gz ? ".gz" : "");
    rc |= gz ? write_gz(name, p, h + (size_t)labels) : write_bytes(name, p, h + (size_t)labels);
    free(p);
    return rc;
}

static int fixtures(const char *dir) {
    out_dir = dir;
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
        fprintf(stderr, "cli_tool: cannot create %s: %s\n", dir, strerror(errno));
        return 1;
    }
    int rc = write_flat_model() | write_rgb_model() | write_open_model() | write_npy_files();
    rc |= write_idx_set("idx_good", 50, 50, true, false, 0);
    rc |= write_idx_set("idx_plain", 30, 30, false, false, 0);
    rc |= write_idx_set("idx_mismatch", 50, 49, true, false, 0);
    rc |= write_idx_set("idx_bad_magic", 10, 10, false, true, 0);
    rc |= write_idx_set("idx_truncated", 10, 10, true, false, 500);
    if (mkdir(path_of("idx_empty"), 0755) != 0 && errno != EEXIST) rc = 1;
    return rc;
}

static int compare(const char *a_path, const char *b_path, double atol) {
    npy_array a, b;
    frost_error err;
    if (npy_read_file(a_path, &a, &err)) {
        fprintf(stderr, "compare: %s\n", err.message);
        return 1;
    }
    if (npy_read_file(b_path, &b, &err)) {
        fprintf(stderr, "compare: %s\n", err.message);
        npy_free(&a);
        return 1;
    }
    int rc = 0;
    if (a.dtype == b.dtype && a.dtype != FROST_DTYPE_F32 && a.dtype != FROST_DTYPE_F64 &&
        a.rank == b.rank && memcmp(a.dims, b.dims, sizeof a.dims) == 0 && a.bytes == b.bytes) {
        /* Integers and booleans: exactly equal. */
        size_t esize = frost_dtype_size(a.dtype), n = esize ? a.bytes / esize : 0, i = 0;
        while (i < n && memcmp((const char *)a.data + i * esize, (const char *)b.data + i * esize,
                               esize) == 0)
            i++;
        if (i < n) fprintf(stderr, "compare: %s element %zu differs\n", frost_dtype_name(a.dtype), i);
        else printf("compare: %zu %s values equal\n", n, frost_dtype_name(a.dtype));
        rc = i < n;
    } else if (a.dtype != FROST_DTYPE_F32 || b.dtype != FROST_DTYPE_F32 || a.rank != b.rank ||
        memcmp(a.dims, b.dims, sizeof a.dims) != 0) {
        fprintf(stderr, "compare: %s and %s differ in dtype or shape\n", a_path, b_path);
        rc = 1;
    } else {
        const float *x = a.data, *y = b.data;
        size_t n = a.bytes / sizeof(float), worst = 0;
        double worst_excess = 0;
        for (size_t i = 0; i < n; i++) {
            double excess = fabs((double)x[i] - y[i]) - (atol + 1e-4 * fabs((double)y[i]));
            if (excess > worst_excess || x[i] != x[i]) {
                worst_excess = x[i] != x[i] ? INFINITY : excess;
                worst = i;
            }
        }
        if (worst_excess > 0) {
            fprintf(stderr, "compare: element %zu: %g vs %g\n", worst, x[worst], y[worst]);
            rc = 1;
        } else {
            printf("compare: %zu values agree within %g\n", n, atol);
        }
    }
    npy_free(&a);
    npy_free(&b);
    return rc;
}

int main(int argc, char **argv) {
    if (argc == 3 && strcmp(argv[1], "fixtures") == 0) return fixtures(argv[2]);
    if (argc == 5 && strcmp(argv[1], "compare") == 0) return compare(argv[2], argv[3], atof(argv[4]));
    fprintf(stderr, "usage: cli_tool fixtures DIR | cli_tool compare A.npy B.npy ATOL\n");
    return 2;
}
