/* tf_arena.c — a bump arena for the pieces of a flat graph (names, input strings, attribute
 * entries, node arrays): thousands of small allocations that all die together when the inlining
 * (and the SavedModel freeze) is done. Blocks come from the model's allocator; nothing here is
 * ever freed one piece at a time. */
#include <stdarg.h>
#include <stdio.h>

#include "import/tf/tf_arena.h"

typedef struct frost__tf_arena_block {
    struct frost__tf_arena_block *next;
    size_t used, cap;
    _Alignas(16) unsigned char data[];
} frost__tf_arena_block;

void *frost__tf_alloc(frost__tf_arena *ar, size_t bytes) {
    bytes = (bytes + 15) & ~(size_t)15;
    if (bytes == 0) bytes = 16;
    frost__tf_arena_block *b = ar->head;
    if (!b || b->cap - b->used < bytes) {
        size_t cap = bytes > (64u << 10) ? bytes : (64u << 10);
        if (cap > SIZE_MAX - sizeof *b) return NULL;
        b = frost__alloc(ar->a, sizeof *b + cap);
        if (!b) return NULL;
        b->used = 0;
        b->cap = cap;
        b->next = ar->head;
        ar->head = b;
    }
    void *p = b->data + b->used;
    b->used += bytes;
    memset(p, 0, bytes);
    return p;
}

char *frost__tf_strndup(frost__tf_arena *ar, const char *s, size_t n) {
    char *p = frost__tf_alloc(ar, n + 1);
    if (!p) return NULL;
    if (n) memcpy(p, s, n);
    p[n] = 0;
    return p;
}

char *frost__tf_printf(frost__tf_arena *ar, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) return NULL;
    char *p = frost__tf_alloc(ar, (size_t)n + 1);
    if (!p) return NULL;
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

void frost__tf_arena_free(frost__tf_arena *ar) {
    frost__tf_arena_block *b = ar->head;
    while (b) {
        frost__tf_arena_block *next = b->next;
        frost__free(ar->a, b);
        b = next;
    }
    ar->head = NULL;
}
