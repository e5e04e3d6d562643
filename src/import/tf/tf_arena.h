/* tf_arena.h — a bump arena: many small pieces (names, refs, attribute entries) freed at once.
 * Used by the function inliner (tf_inline.c) and the SavedModel freezer. */
#ifndef FROST_IMPORT_TF_ARENA_H
#define FROST_IMPORT_TF_ARENA_H

#include "core/common.h"

typedef struct frost__tf_arena {
    const frost_allocator *a;
    struct frost__tf_arena_block *head;
} frost__tf_arena;

void *frost__tf_alloc(frost__tf_arena *ar, size_t bytes); /* zeroed, 16-byte aligned; NULL on OOM */
char *frost__tf_strndup(frost__tf_arena *ar, const char *s, size_t n);
char *frost__tf_printf(frost__tf_arena *ar, const char *fmt, ...) FROST_PRINTF(2, 3);
void frost__tf_arena_free(frost__tf_arena *ar);

#endif /* FROST_IMPORT_TF_ARENA_H */
