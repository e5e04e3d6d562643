/* tf_function.h — a GraphDef's function library (FunctionDefs: TF2 graphs call them through
 * PartitionedCall / StatefulPartitionedCall, If / StatelessIf, or by name) and its inlining into
 * the graph, so the importer sees one flat GraphDef. Private to src/import/tf. */
#ifndef FROST_IMPORT_TF_FUNCTION_H
#define FROST_IMPORT_TF_FUNCTION_H

#include "import/tf/tf_json.h"

typedef struct frost__tf_function {
    char *name;
    int n_in, n_out;
    char **in_names;            /* the signature's input args, in order                     */
    char **out_names;           /* its output args, in order                                */
    char **ret;                 /* per output: the body tensor ("node:out_arg:i" or an arg)  */
    FrostTf__NodeDef **nodes;
    size_t n_nodes;
    size_t *by_name;            /* node indices sorted by name, for lookups while inlining      */
} frost__tf_function;

typedef struct frost__tf_library {
    frost__tf_function *f;
    int n;
} frost__tf_library;

/* library {"function": [FunctionDef...]} in JSON -> *out (empty when absent). On failure *out
 * still needs frost__tf_library_free. */
frost_status frost__tf_json_library(frost__tf_json *c, const frost__json *library,
                                    frost__tf_library *out);
void frost__tf_library_free(frost__graph *g, frost__tf_library *lib);

/* Replaces every call of a library function in gd by the function's nodes, named
 * "<call>/<node>", recursively; the call node becomes an IdentityN of the function's results, so
 * its consumers read it as before. If / StatelessIf feed both branches through Switch on the
 * condition and join their results with Merge: the control-flow pass keeps the taken branch when
 * the condition is known at load, and reports Switch/Merge otherwise. While loops are left alone
 * (refused by name later). Fails with FROST_E_LIMIT when the graph would outgrow max_nodes
 * (recursive functions), FROST_E_FORMAT for a call that does not match its function. */
frost_status frost__tf_inline_functions(frost__graph *g, FrostTf__GraphDef *gd,
                                        const frost__tf_library *lib, frost_error *err);

#endif /* FROST_IMPORT_TF_FUNCTION_H */
