/* tf_json.h — a GraphDef written in protobuf's JSON encoding (the modelTopology of a TensorFlow.js
 * graph model) read into the protobuf-c structs of tf_graph.proto, so that the GraphDef importer
 * translates it exactly as it translates a .pb: one op table, two encodings.
 * Private to src/import/tf. */
#ifndef FROST_IMPORT_TF_JSON_H
#define FROST_IMPORT_TF_JSON_H

#include "fmt/json.h"
#include "import/tf/tf_internal.h"

typedef struct frost__tf_json {
    frost__graph *g;      /* allocator and limits (max_nodes, max_attr_len)                      */
    frost_error *err;
    const char *what;     /* the document, for messages ("model.json")                           */
    /* Read dtypes the way TF.js does: DT_HALF and DT_DOUBLE as DT_FLOAT, DT_INT8, DT_UINT8 and
     * DT_INT64 as DT_INT32 (type attributes, tensors and their values). */
    bool tfjs_dtypes;
} frost__tf_json;

/* modelTopology ("node" list, "versions") -> a new GraphDef. On failure *out is NULL and c->err
 * names the node and attribute. Free with frost__tf_json_free. */
frost_status frost__tf_json_graph_def(frost__tf_json *c, const frost__json *topology,
                                      FrostTf__GraphDef **out);

/* One NodeDef object (a graph node or a function body's node); `where` prefixes messages. */
frost_status frost__tf_json_node_def(frost__tf_json *c, const frost__json *j, const char *where,
                                     FrostTf__NodeDef **out);

/* Frees any message tree built here (GraphDef, NodeDef, TensorProto, ...); NULL is fine. */
void frost__tf_json_free(frost__graph *g, void *message);

/* An allocation for a message tree built here (64-byte aligned, through g->alloc), so that
 * frost__tf_json_free releases it and a constant may take over a tensor_content buffer. */
void *frost__tf_json_alloc(frost__graph *g, size_t bytes);

#endif /* FROST_IMPORT_TF_JSON_H */
