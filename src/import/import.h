/* import.h — the importers' entry points: each turns one file format into a frost__graph.
 *
 * Every importer: reads `data` (borrowed, only during the call), builds values and nodes into `g`
 * (initialized by the caller, which frees it on failure too), maps the format's ops to canonical
 * ops and leaves unknown ones as FROST__OP_UNSUPPORTED nodes for the passes to prune or report, and
 * leaves g->outputs empty unless the format itself names outputs. Malformed input gives
 * FROST_E_FORMAT (or FROST_E_LIMIT) with `err` naming the node and, where known, the offset. */
#ifndef FROST_IMPORT_IMPORT_H
#define FROST_IMPORT_IMPORT_H

#include "core/files.h"
#include "core/graph.h"

/* Frozen TensorFlow GraphDef (.pb). */
frost_status frost__import_tf_graphdef(const void *data, size_t size, frost__graph *g,
                                       frost_error *err);

/* ONNX ModelProto (.onnx). Names the graph's outputs from the model. */
frost_status frost__import_onnx(const void *data, size_t size, frost__graph *g, frost_error *err);

/* Keras .h5 (HDF5 with a `model_config` attribute; written by Keras 2 or Keras 3). Names the
 * graph's outputs (the model's output layers); layer names answer as tensor names. */
frost_status frost__import_keras_h5(const void *data, size_t size, frost__graph *g, frost_error *err);

/* Keras 3 .keras (zip of config.json, metadata.json, model.weights.h5). Names the outputs. */
frost_status frost__import_keras_v3(const void *data, size_t size, frost__graph *g, frost_error *err);

/* TensorFlow.js layers model: model.json (format "layers-model"), its weight shards read through
 * `files` (beside it, or the caller's buffers). Names the outputs. */
frost_status frost__import_tfjs_layers(const void *json, size_t size, const frost__files *files,
                                       frost__graph *g, frost_error *err);

/* Keras architecture JSON (model.to_json()) plus a separate weights-only .h5 (save_weights). */
frost_status frost__import_keras_json_h5(const void *json, size_t json_size, const void *h5,
                                         size_t h5_size, frost__graph *g, frost_error *err);

/* TFLite FlatBuffer (.tflite, schema 3): subgraph 0; tensor names are the feed/fetch names.
 * Names the graph's outputs (the subgraph's). */
frost_status frost__import_tflite(const void *data, size_t size, frost__graph *g, frost_error *err);

#endif /* FROST_IMPORT_IMPORT_H */
