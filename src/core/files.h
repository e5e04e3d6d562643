/* files.h — how frost reads files: a whole file within a size limit, and a model's companion files
 * (weight shards, a SavedModel's variables, a Keras JSON's weights) by their name relative to the
 * model, either from beside the model on disk or from the caller's buffers
 * (frost_load_options.files), so that every format loads from memory as it does from a path. */
#ifndef FROST_CORE_FILES_H
#define FROST_CORE_FILES_H

#include "core/common.h"

/* Reads the regular file at `path` into a new buffer (frost__alloc, one NUL byte appended past
 * *size so text parsers may rely on it). Fails with FROST_E_LIMIT past `max` bytes, which is
 * frost_load_options.max_file_bytes (the message says so). */
frost_status frost__read_file(const char *path, const frost_allocator *a, uint64_t max,
                              void **data, size_t *size, frost_error *err);

/* Where a model's companion files come from. */
typedef struct frost__files {
    const char *dir;                 /* the model's folder with a trailing '/' ("" for the
                                        working directory); NULL when loading from memory      */
    const frost_memory_file *mem;    /* frost_load_options.files (may be NULL)                  */
    int n_mem;
    uint64_t max_bytes;              /* per file (frost_load_options.max_file_bytes)            */
} frost__files;

/* A companion's name must stay inside the model's folder: relative, no "..", no empty parts, no
 * backslash or drive colon. */
bool frost__files_name_ok(const char *name);
/* Reads companion `name` into a new buffer as frost__read_file does (copied when it comes from
 * memory). FROST_E_IO names the file when it is missing. */
frost_status frost__files_read(const frost__files *f, const char *name, const frost_allocator *a,
                               void **data, size_t *size, frost_error *err);
/* Whether companion `name` exists (a regular file, or a buffer of that name). */
bool frost__files_exist(const frost__files *f, const char *name);

#endif
