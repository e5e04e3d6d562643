/* savedmodel.h — TensorFlow SavedModel directories and TF1 checkpoints (MetaGraphDef .meta plus
 * <prefix>.index / .data-* files), frozen at load into one plain GraphDef that the GraphDef importer
 * translates. Used by the model loader (engine/model.c) and by the CLI (`frost freeze`, `frost
 * inspect DIR`). */
#ifndef FROST_IMPORT_SAVEDMODEL_H
#define FROST_IMPORT_SAVEDMODEL_H

#include "core/graph.h"

typedef struct frost__sm frost__sm;

/* True for a path frost loads as a SavedModel or TF1 checkpoint: a directory holding saved_model.pb
 * (or a TF1 `checkpoint` file with its .meta), a file named saved_model.pb, or a *.meta file. */
bool frost__sm_is_path(const char *path);

/* Opens a model: from `path` (see frost__sm_is_path; data NULL), or from memory (path NULL: `data`
 * is saved_model.pb or a .meta, the companion files come from opts->files by relative name:
 * "variables/variables.index", "variables/variables.data-00000-of-00001"; a .meta's checkpoint
 * files are named by the `checkpoint` file or "<stem>.index"). Chooses the MetaGraph by opts->tag
 * (default "serve"). Reads the variables index; tensor data is read when frozen. */
frost_status frost__sm_open(const char *path, const void *data, size_t size,
                            const frost_load_options *opts, frost__sm **out, frost_error *err);
void frost__sm_close(frost__sm *sm);

/* The frozen GraphDef of the chosen signature (opts->signature, default "serving_default"; a TF1
 * MetaGraph without signatures needs opts->outputs) or of opts->outputs when given: Placeholders
 * for the inputs, variables as Const, functions inlined, only what the outputs need, TensorFlow's
 * own ops and attributes only. *out is allocated with the allocator given at open; free it with
 * frost__sm_free_bytes. */
frost_status frost__sm_freeze(frost__sm *sm, void **out, size_t *out_size, frost_error *err);
void frost__sm_free_bytes(frost__sm *sm, void *bytes);

/* Imports the model into g: freezes, runs the GraphDef importer on the result, names the graph's
 * outputs (the signature's, unless the caller gave outputs) and adds the signature keys and the
 * original TensorFlow tensor names as aliases. */
frost_status frost__sm_import(frost__sm *sm, frost__graph *g, frost_error *err);

/* ---- Description (`frost inspect`) ---------------------------------------------------------- */

typedef struct frost__sm_tensor {
    const char *key;         /* signature key ("input_1")                                    */
    const char *name;        /* TensorFlow tensor name ("serving_default_input_1:0"), "" if none */
    frost_dtype dtype;       /* FROST_DTYPE_INVALID when frost has none (see tf_dtype)         */
    int tf_dtype;
    int rank;                /* -1 unknown                                                    */
    int64_t dims[FROST_MAX_RANK];
} frost__sm_tensor;

typedef struct frost__sm_signature {
    const char *key;
    const char *method;
    int n_inputs, n_outputs;
    frost__sm_tensor *inputs, *outputs;   /* owned by the frost__sm                          */
} frost__sm_signature;

typedef struct frost__sm_variable {
    const char *key;         /* checkpoint key                                                */
    int tf_dtype;
    frost__shape shape;
    uint64_t bytes;
} frost__sm_variable;

typedef struct frost__sm_info {
    const char *kind;                 /* "SavedModel" or "TF1 checkpoint"                      */
    const char *tf_version;           /* "2.12.0", "" if unknown                               */
    int n_meta_graphs;
    const char *const *tags;          /* the chosen MetaGraph's tags                           */
    int n_tags;
    const char *const *all_tags;      /* every MetaGraph's tags, "serve,gpu" per MetaGraph      */
    const frost__sm_signature *signatures;
    int n_signatures;
    const frost__sm_variable *variables;  /* every checkpoint entry                            */
    int n_variables;
    int n_shards;
    int n_functions;
    int n_graph_nodes;
} frost__sm_info;

/* Fills *out with pointers owned by sm (valid until frost__sm_close). */
void frost__sm_describe(const frost__sm *sm, frost__sm_info *out);

/* "DT_FLOAT" etc. */
const char *frost__sm_tf_dtype_name(int tf_dtype);

#endif
