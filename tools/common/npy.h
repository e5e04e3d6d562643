/* npy.h — reading and writing NumPy .npy files (format versions 1.0, 2.0 and 3.0), for the CLI,
 * the tests and the benchmarks.
 *
 * Supported: C order arrays of f2 f4 f8 i1 i2 i4 i8 u1 u2 u4 u8 b1, little- or big-endian on disk
 * (always native in memory), rank 0..FROST_MAX_RANK. Fortran order, object arrays, structured
 * dtypes and strings are refused with a message saying so. Every length in the file is checked
 * before it is used: a malformed file gives FROST_E_FORMAT with the byte offset, never a crash.
 */
#ifndef FROST_NPY_H
#define FROST_NPY_H

#include "frost.h"

#include <stddef.h>
#include <stdint.h>

/* A whole array in memory. `data` is 64-byte aligned, owned by the struct: free with npy_free. */
typedef struct npy_array {
    frost_dtype dtype;
    int rank;
    int64_t dims[FROST_MAX_RANK];
    void *data;
    size_t bytes;        /* numel * element size */
} npy_array;

/* Headers longer than this are refused (NumPy itself stops at 10,000 bytes by default). */
#define NPY_MAX_HEADER_BYTES (1u << 20)

/* What the header says, and where the data starts. */
typedef struct npy_header {
    int major, minor;
    frost_dtype dtype;
    int big_endian;      /* the data on disk is big-endian (">f4") */
    int rank;
    int64_t dims[FROST_MAX_RANK];
    size_t data_offset;  /* bytes from the start of the file */
    size_t data_bytes;   /* numel * element size */
} npy_header;

/* Parses the header from the first `size` bytes of a file (which may be the whole file or just its
 * beginning). Fails with FROST_E_FORMAT / FROST_E_UNSUPPORTED / FROST_E_LIMIT; never reads past
 * `size`. Does not check that the data is all there. */
frost_status npy_parse_header(const void *bytes, size_t size, npy_header *out, frost_error *err);

/* Reads a whole .npy from memory or a file. The data must be exactly as long as the header says. */
frost_status npy_read_memory(const void *bytes, size_t size, npy_array *out, frost_error *err);
frost_status npy_read_file(const char *path, npy_array *out, frost_error *err);
void npy_free(npy_array *a);

/* Writes `data` (native byte order, C order) as a version 1.0 file (2.0 if the header needs it).
 * Refuses dtypes .npy cannot hold (bf16, string). */
frost_status npy_write_file(const char *path, frost_dtype dtype, int rank, const int64_t *dims,
                            const void *data, frost_error *err);
/* The same into a malloc'd buffer (*out, *out_size); the caller frees it with free(). */
frost_status npy_write_memory(frost_dtype dtype, int rank, const int64_t *dims, const void *data,
                              void **out, size_t *out_size, frost_error *err);

/* "<f4", "|u1", ...: the descr NumPy writes for a dtype on this machine; NULL if none. */
const char *npy_descr(frost_dtype dtype);

#endif
