/* tf_names.c — a hash index of NodeDef names: FNV-1a, open addressing at most half full. It only
 * reads the names; it never fails on a duplicate without saying which two nodes share the name. */
#include "import/tf/tf_names.h"

static uint64_t hash_bytes(const char *s, size_t len) {
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < len; i++) h = (h ^ (uint8_t)s[i]) * 1099511628211ull;
    return h;
}

frost_status frost__tf_names_build(frost__tf_names *ix, const frost_allocator *a,
                                   FrostTf__NodeDef *const *nodes, size_t n, int *dup_first,
                                   int *dup_second) {
    size_t cap = 16;
    while (cap < n * 2) cap *= 2;
    ix->nodes = nodes;
    ix->slot = frost__calloc(a, cap, sizeof(int));
    ix->mask = cap - 1;
    if (!ix->slot) return FROST_E_NOMEM;
    for (size_t k = 0; k < n; k++) {
        const char *name = nodes[k]->name;
        size_t i = (size_t)hash_bytes(name, strlen(name)) & ix->mask;
        for (; ix->slot[i]; i = (i + 1) & ix->mask)
            if (strcmp(nodes[ix->slot[i] - 1]->name, name) == 0) {
                *dup_first = ix->slot[i] - 1;
                *dup_second = (int)k;
                return FROST_E_FORMAT;
            }
        ix->slot[i] = (int)k + 1;
    }
    return FROST_OK;
}

int frost__tf_names_find(const frost__tf_names *ix, const char *name, size_t len) {
    for (size_t i = (size_t)hash_bytes(name, len) & ix->mask;; i = (i + 1) & ix->mask) {
        int e = ix->slot[i];
        if (!e) return -1;
        const char *nm = ix->nodes[e - 1]->name;
        if (strncmp(nm, name, len) == 0 && nm[len] == 0) return e - 1;
    }
}

void frost__tf_names_free(frost__tf_names *ix, const frost_allocator *a) {
    frost__free(a, ix->slot);
    ix->slot = NULL;
}
