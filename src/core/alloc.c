/* alloc.c — every allocation goes through the frost_allocator the caller chose (malloc/free by
 * default), so tests can count allocations and inject failures. */
#include "core/common.h"

#include <stdlib.h>

static void *default_alloc(void *user, size_t bytes, size_t align) {
    (void)user;
    void *p = NULL;
    if (align < sizeof(void *)) align = sizeof(void *);
    if (posix_memalign(&p, align, bytes ? bytes : 1) != 0) return NULL;
    return p;
}

static void default_free(void *user, void *p) {
    (void)user;
    free(p);
}

static const frost_allocator default_allocator = {default_alloc, default_free, NULL};

const frost_allocator *frost__default_allocator(void) { return &default_allocator; }

void *frost__alloc(const frost_allocator *a, size_t bytes) {
    return a->alloc(a->user, bytes, 64);
}

void *frost__calloc(const frost_allocator *a, size_t n, size_t elem) {
    size_t bytes;
    if (!frost__size_mul_ok(n, elem, &bytes)) return NULL;
    void *p = a->alloc(a->user, bytes, 64);
    if (p) memset(p, 0, bytes);
    return p;
}

void frost__free(const frost_allocator *a, void *p) {
    if (p) a->free(a->user, p);
}

bool frost__grow(const frost_allocator *a, void **arr, int *cap, int need, size_t elem) {
    if (need <= *cap) return true;
    int ncap = *cap ? *cap : 8;
    while (ncap < need) {
        if (ncap > (1 << 29)) return false;
        ncap *= 2;
    }
    void *p = frost__calloc(a, (size_t)ncap, elem);
    if (!p) return false;
    if (*arr) memcpy(p, *arr, (size_t)*cap * elem);
    frost__free(a, *arr);
    *arr = p;
    *cap = ncap;
    return true;
}

char *frost__strndup(const frost_allocator *a, const char *s, size_t n) {
    char *p = frost__alloc(a, n + 1);
    if (!p) return NULL;
    memcpy(p, s, n);
    p[n] = 0;
    return p;
}

char *frost__strdup(const frost_allocator *a, const char *s) {
    return frost__strndup(a, s, strlen(s));
}
