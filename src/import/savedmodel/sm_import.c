/* sm_import.c — a SavedModel or TF1 checkpoint into frost's graph: the frozen GraphDef
 * (sm_freeze.c) goes through the ordinary GraphDef importer, so the translation of TensorFlow ops
 * exists once; then the signature's outputs become the graph's outputs and the signature keys and
 * TensorFlow tensor names ("serving_default_input_1:0", "StatefulPartitionedCall:0") answer as
 * aliases of the frozen graph's tensors. */
#include "import/import.h"
#include "import/savedmodel/sm_internal.h"

frost_status frost__sm_import(frost__sm *sm, frost__graph *g, frost_error *err) {
    void *bytes;
    size_t size;
    FROST_TRY(frost__sm_freeze(sm, &bytes, &size, err));
    frost_status st = frost__import_tf_graphdef(bytes, size, g, err);
    frost__sm_free_bytes(sm, bytes);
    if (st != FROST_OK) return st;
    if (sm->report) frost__graph_report(g, "%s", sm->report);
    if (sm->fetches_are_outputs)
        for (int i = 0; i < sm->n_fetch_names; i++) {
            int v = frost__graph_lookup(g, sm->fetch_names[i]);
            if (v < 0)
                return frost__fail(err, FROST_E_INTERNAL, sm->fetch_names[i], NULL, -1,
                                   "the frozen graph lost its output '%s'", sm->fetch_names[i]);
            FROST_TRY(frost__graph_add_output(g, v, err));
        }
    for (int i = 0; i < sm->n_aliases; i++) {
        if (frost__graph_lookup(g, sm->alias_from[i]) >= 0) continue;  /* a real name wins */
        int v = frost__graph_lookup(g, sm->alias_to[i]);
        if (v >= 0) FROST_TRY(frost__graph_add_alias(g, sm->alias_from[i], v, err));
    }
    return FROST_OK;
}
