/* import.h — the importers' entry points: each turns one file format into a frost__graph.
 *
 * Every importer: reads `data` (borrowed, only during the call), builds values and nodes into `g`
 * (initialized by the caller, which frees it on failure too), maps the format's ops to canonical
 * ops and leaves unknown ones as FROST__OP_UNSUPPORTED nodes for the passes to prune or report, and
 * leaves g->outputs empty unless the format itself names outputs. Malformed input gives
 * FROST_E_FORMAT (or FROST_E_LIMIT) with `err` naming the node and, where known, the offset. */
#ifndef FROST_IMPORT_IMPORT_H
#define FROST_IMPORT_IMPORT_H

#include "core/graph.h"

/* Frozen TensorFlow GraphDef (.pb). */
frost_status frost__import_tf_graphdef(const void *data, size_t size, frost__graph *g,
                                       frost_error *err);

/* ONNX ModelProto (.onnx). Names the graph's outputs from the model. */
frost_status frost__import_onnx(const void *data, size_t size, frost__graph *g, frost_error *err);

#endif /* FROST_IMPORT_IMPORT_H */
