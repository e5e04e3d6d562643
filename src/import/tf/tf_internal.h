/* tf_internal.h — what the GraphDef reader (tf_import.c) and the op table (tf_ops.c) share:
 * one node being translated, attribute access and the helpers that add IR pieces for it.
 * Private to src/import/tf. */
#ifndef FROST_IMPORT_TF_INTERNAL_H
#define FROST_IMPORT_TF_INTERNAL_H

#include "core/graph.h"
#include "tf_graph.pb-c.h"

/* Imports a GraphDef that is already in memory: unpacked from a .pb (tf_import.c) or built from
 * the JSON of a TF.js graph model (tfjs_graph.c), so both encodings share one translation. The
 * caller keeps `gd` and frees it; constants may take over tensor_content buffers that were
 * allocated from g->alloc with 64-byte alignment (they set the field to NULL/0). Does not set
 * g->format and does not choose outputs. */
frost_status frost__tf_import_graph_def(FrostTf__GraphDef *gd, frost__graph *g, frost_error *err);

/* One GraphDef node being translated. The reader resolves its data inputs to value ids; the op
 * builder adds whatever IR nodes it needs and says which value each TF output port is. */
typedef struct frost__tf_node {
    frost__graph *g;
    frost_error *err;
    const FrostTf__NodeDef *nd;
    int n_in;
    const int *in;          /* value ids of the data inputs, in GraphDef order                  */
    int n_used;             /* 1 + the highest output port any consumer reads (0: none)         */
    const char *top_reader; /* a node reading port n_used - 1, for messages (NULL if none)      */
    int *out;               /* [out_cap]: builder sets the value id of each port it produces    */
    int out_cap;
    int n_out;              /* ports the builder produced; ports >= n_out stay unproduced        */
} frost__tf_node;

/* Translates one node (anything but Const/Placeholder*, which the reader handles). Unknown ops and
 * unsupported attribute values become UNSUPPORTED nodes; only malformed nodes fail. */
frost_status frost__tf_build_node(frost__tf_node *c);

/* TF DataType -> frost dtype; FROST_DTYPE_INVALID when frost has no such dtype. Reference types
 * (DT_FLOAT_REF = 101, ...) map like their value types. */
frost_dtype frost__tf_dtype(int tf_dtype);
/* "DT_COMPLEX64" etc. for messages (static string). */
const char *frost__tf_dtype_name(int tf_dtype);

/* Attribute lookup; NULL when absent. */
const FrostTf__AttrValue *frost__tf_attr(const FrostTf__NodeDef *nd, const char *key);

/* Adds an UNSUPPORTED node standing for c's node, with its data inputs and c->n_used outputs.
 * `why` (may be NULL) is appended to the op name so the final report says what was refused:
 * "FusedBatchNormV3 (is_training=true)". */
frost_status frost__tf_unsupported(frost__tf_node *c, const char *why);

#endif /* FROST_IMPORT_TF_INTERNAL_H */
