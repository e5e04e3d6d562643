/* tf_function.h — a GraphDef's function library (FunctionDefs: TF2 graphs call them through
 * PartitionedCall / StatefulPartitionedCall, If / StatelessIf, or by name) and its inlining into
 * the graph, so the importer sees one flat GraphDef. Private to src/import/tf. */
#ifndef FROST_IMPORT_TF_FUNCTION_H
#define FROST_IMPORT_TF_FUNCTION_H

#include "import/tf/tf_inline.h"
#include "import/tf/tf_json.h"

typedef struct frost__tf_library {
    FrostTf__FunctionDefLibrary lib;  /* the FunctionDefs in `arena`, their NodeDefs in g->alloc */
    frost__tf_arena arena;
} frost__tf_library;

/* library {"function": [FunctionDef...]} in JSON -> *out (empty when absent). On failure *out
 * still needs frost__tf_library_free. */
frost_status frost__tf_json_library(frost__tf_json *c, const frost__json *library,
                                    frost__tf_library *out);
void frost__tf_library_free(frost__graph *g, frost__tf_library *lib);

/* Replaces every call of a library function in gd by the function's nodes (inlined by
 * tf_inline.c), named "<call>/<node>", recursively; the call node becomes an IdentityN of the
 * function's results, so its consumers read it as before. If / StatelessIf feed both branches through Switch on the
 * condition and join their results with Merge: the control-flow pass keeps the taken branch when
 * the condition is known at load, and reports Switch/Merge otherwise. While loops are left alone
 * (refused by name later). Fails with FROST_E_LIMIT when the graph would outgrow max_nodes or calls
 * nest deeper than 64 (recursive functions), FROST_E_FORMAT for a call that does not match its
 * function. */
frost_status frost__tf_inline_functions(frost__graph *g, FrostTf__GraphDef *gd,
                                        const frost__tf_library *lib, frost_error *err);

#endif /* FROST_IMPORT_TF_FUNCTION_H */
