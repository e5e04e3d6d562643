/* zip.h — reading members of a zip archive held in memory (Keras 3 .keras files), wrapping libzip
 * so importers never call it directly. */
#ifndef FROST_FMT_ZIP_H
#define FROST_FMT_ZIP_H

#include "core/common.h"

typedef struct frost__zip frost__zip;

/* True when the bytes start like a zip archive (local file header or empty archive). */
bool frost__zip_sniff(const void *data, size_t size);

/* Opens an archive from memory. The bytes are borrowed and must outlive the archive. Malformed
 * archives fail with FROST_E_FORMAT. */
frost_status frost__zip_open_memory(const void *data, size_t size, const frost_allocator *a,
                                    frost__zip **out, frost_error *err);
void frost__zip_close(frost__zip *z);

/* Decompresses member `name` into a new buffer (allocated with the archive's allocator, with one
 * extra NUL byte after *out_size bytes so text members are C strings). FROST_E_NOT_FOUND when the
 * member is missing; FROST_E_LIMIT when it would decompress to more than max_bytes (checked both
 * against the declared size and while inflating, against zip bombs); FROST_E_FORMAT on a CRC or
 * inflate error. */
frost_status frost__zip_read(frost__zip *z, const char *name, size_t max_bytes, void **out,
                             size_t *out_size, frost_error *err);

#endif /* FROST_FMT_ZIP_H */
