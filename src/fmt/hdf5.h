/* hdf5.h — read-only access to an HDF5 file held in memory (Keras .h5 files and the weights inside
 * .keras archives), wrapping libhdf5 so importers never call it directly.
 *
 * Paths are '/'-separated from the root ("model_weights/dense_1/dense_1/kernel:0"); every component
 * must be a hard link: soft and external links are refused, so a file can neither loop nor reach
 * other files. libhdf5 (serial build) is not thread-safe, so one process-wide lock is held from
 * open to close: a thread that opens a file must close it before another thread can open one. */
#ifndef FROST_FMT_HDF5_H
#define FROST_FMT_HDF5_H

#include "core/common.h"

typedef struct frost__h5 frost__h5;

/* True when an HDF5 superblock signature sits at offset 0, 512, 1024, ... within the bytes. */
bool frost__h5_sniff(const void *data, size_t size);

/* Opens an HDF5 image from memory (copied by libhdf5; the caller keeps its bytes). `what` names the
 * file in messages ("model.weights.h5"). Malformed or truncated images fail with FROST_E_FORMAT. */
frost_status frost__h5_open_memory(const void *data, size_t size, const frost_allocator *a,
                                   const char *what, frost__h5 **out, frost_error *err);
void frost__h5_close(frost__h5 *f);

typedef enum frost__h5_kind { FROST__H5_NONE = 0, FROST__H5_GROUP, FROST__H5_DATASET,
                              FROST__H5_OTHER } frost__h5_kind;
/* What sits at `path` ("" or "/": the root group); NONE when absent or reached through a link that
 * is not a hard link. */
frost__h5_kind frost__h5_kind_of(frost__h5 *f, const char *path);

/* Names of the children of group `path`, in name order; an array of n strings allocated with the
 * file's allocator (free with frost__h5_free_strings). At most 100,000 children. */
frost_status frost__h5_list(frost__h5 *f, const char *path, char ***names, int *n, frost_error *err);

/* A string attribute (scalar or 1-D array of fixed- or variable-length strings) of the object at
 * `path`. Keras splits long lists into attr0, attr1, ... when attr itself is absent: those are
 * joined. FROST_E_NOT_FOUND when absent. Total bytes are limited to max_bytes (0: 64 MiB). */
frost_status frost__h5_attr_strings(frost__h5 *f, const char *path, const char *attr,
                                    size_t max_bytes, char ***out, int *n, frost_error *err);
void frost__h5_free_strings(frost__h5 *f, char **s, int n);

/* Shape of the dataset at `path` (rank 0 for a scalar). */
frost_status frost__h5_dataset_shape(frost__h5 *f, const char *path, frost__shape *shape,
                                     frost_error *err);
/* Reads a numeric dataset converted to f32 into a new buffer (file's allocator). Fails with
 * FROST_E_LIMIT over max_bytes, FROST_E_DTYPE for non-numeric data, FROST_E_FORMAT when the data
 * cannot be read (truncated image, bad filter). */
frost_status frost__h5_read_f32(frost__h5 *f, const char *path, uint64_t max_bytes, float **out,
                                frost__shape *shape, frost_error *err);

#endif /* FROST_FMT_HDF5_H */
