/* hdf5.h — read-only access to an HDF5 file held in memory (Keras .h5 files and the weights inside
 * .keras archives), by frost's own bounds-checked reader (src/fmt/hdf5*.c; no libhdf5).
 *
 * Opening takes a snapshot: the image is parsed once, in-process, and its groups, string attributes
 * and datasets (as f32) are kept; every query below is answered from that snapshot. No global
 * state: opening and querying are safe from any thread (one frost__h5 per thread while querying).
 * Paths are '/'-separated from the root ("model_weights/dense_1/dense_1/kernel:0"); only hard links
 * are followed, so a file can neither loop nor reach other files. */
#ifndef FROST_FMT_HDF5_H
#define FROST_FMT_HDF5_H

#include "core/common.h"

typedef struct frost__h5 frost__h5;

/* True when an HDF5 superblock signature sits at offset 0, 512, 1024, ... within the bytes. */
bool frost__h5_sniff(const void *data, size_t size);

/* Opens an HDF5 image from memory (read during the call only). `what` names the file in messages
 * ("model.weights.h5"). Datasets over max_dataset_bytes as f32 (0: no limit) are not read: reading
 * them later fails with FROST_E_LIMIT. Top-level groups named in skip_roots (NULL-terminated, may be
 * NULL) are left out (optimizer state). Malformed or truncated images fail with FROST_E_FORMAT
 * naming the damaged structure and its offset (err->file_offset); HDF5 features outside the
 * subset Keras/h5py files use, with FROST_E_UNSUPPORTED. */
frost_status frost__h5_open_memory(const void *data, size_t size, const frost_allocator *a,
                                   const char *what, uint64_t max_dataset_bytes,
                                   const char *const *skip_roots, frost__h5 **out,
                                   frost_error *err);
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
/* True when attribute `attr` of `path` exists and holds variable-length strings (stored in the
 * file's global heap; read as safely as any other). */
bool frost__h5_attr_is_variable(frost__h5 *f, const char *path, const char *attr);

/* Shape of the dataset at `path` (rank 0 for a scalar). */
frost_status frost__h5_dataset_shape(frost__h5 *f, const char *path, frost__shape *shape,
                                     frost_error *err);
/* A numeric dataset converted to f32, in a buffer allocated with the file's allocator that the
 * caller now owns (each dataset can be read once). Fails with FROST_E_LIMIT over max_bytes,
 * FROST_E_DTYPE for non-numeric data, FROST_E_FORMAT when the data cannot be read (truncated
 * image, bad filter, declared but not stored). */
frost_status frost__h5_read_f32(frost__h5 *f, const char *path, uint64_t max_bytes, float **out,
                                frost__shape *shape, frost_error *err);

#endif /* FROST_FMT_HDF5_H */
