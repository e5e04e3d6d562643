/* idx.h — reading IDX files (the format of MNIST and Fashion-MNIST), gzip'd or not.
 *
 * An IDX file is: two zero bytes, a type code (0x08 u8, 0x09 i8, 0x0B i16, 0x0C i32, 0x0D f32,
 * 0x0E f64), the number of dimensions, each dimension as a big-endian uint32, then the elements
 * big-endian in C order. The reader checks all of it (magic, rank, sizes, truncation, trailing
 * bytes) and returns native-order data; it never crashes on a malformed file.
 */
#ifndef FROST_IDX_H
#define FROST_IDX_H

#include "frost.h"

#include <stddef.h>
#include <stdint.h>

typedef struct idx_array {
    frost_dtype dtype;   /* U8, I8, I16, I32, F32 or F64 */
    int rank;            /* 1..FROST_MAX_RANK */
    int64_t dims[FROST_MAX_RANK];
    void *data;          /* malloc'd, native byte order; free with idx_free */
    size_t bytes;
} idx_array;

/* Arrays larger than this are refused before anything is allocated. */
#define IDX_MAX_BYTES ((uint64_t)1 << 31)

/* Reads a file, decompressing it on the fly when it is gzip'd (detected from the content, not the
 * name). FROST_E_IO when it cannot be opened or read, FROST_E_FORMAT when it is malformed (with
 * the offset in the decompressed stream), FROST_E_LIMIT when too large. */
frost_status idx_read_file(const char *path, idx_array *out, frost_error *err);
/* The same from an uncompressed buffer. */
frost_status idx_read_memory(const void *bytes, size_t size, idx_array *out, frost_error *err);
void idx_free(idx_array *a);

/* A labelled image set: `set` is "t10k" or "train". */
typedef struct idx_mnist {
    int64_t count, rows, cols;
    uint8_t *pixels;     /* count * rows * cols, row-major, 0..255 */
    uint8_t *labels;     /* count */
    char images_path[1024], labels_path[1024];
} idx_mnist;

/* Loads DIR/<set>-images-idx3-ubyte[.gz] and DIR/<set>-labels-idx1-ubyte[.gz] (also accepting
 * the "<set>-images.idx3-ubyte" spelling), checking both are u8, images rank 3, labels rank 1, and
 * that the counts agree. */
frost_status idx_load_mnist(const char *dir, const char *set, idx_mnist *out, frost_error *err);
void idx_mnist_free(idx_mnist *m);

#endif
