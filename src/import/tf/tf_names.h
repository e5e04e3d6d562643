/* tf_names.h — a hash index of NodeDef names (open addressing), so "node:port" inputs resolve in
 * constant time: the GraphDef importer indexes the graph, the function inliner each body. */
#ifndef FROST_IMPORT_TF_NAMES_H
#define FROST_IMPORT_TF_NAMES_H

#include "core/common.h"
#include "tf_graph.pb-c.h"

typedef struct frost__tf_names {
    FrostTf__NodeDef *const *nodes;
    int *slot;      /* node index + 1, 0 empty */
    size_t mask;
} frost__tf_names;

/* Indexes nodes[0..n) (every one has a non-NULL name). FROST_E_NOMEM, or FROST_E_FORMAT with
 * *dup_first < *dup_second the indices of two nodes of the same name (the caller says so in its
 * own words; err is not set); FROST_OK otherwise. Free with frost__tf_names_free either way. */
frost_status frost__tf_names_build(frost__tf_names *ix, const frost_allocator *a,
                                   FrostTf__NodeDef *const *nodes, size_t n, int *dup_first,
                                   int *dup_second);
/* Index of the node named by the first len bytes of name, or -1. */
int frost__tf_names_find(const frost__tf_names *ix, const char *name, size_t len);
void frost__tf_names_free(frost__tf_names *ix, const frost_allocator *a);

#endif /* FROST_IMPORT_TF_NAMES_H */
