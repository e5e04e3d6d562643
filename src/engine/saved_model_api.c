/* saved_model_api.c — the public SavedModel reading API (frost.h): the SavedModel reader's own
 * description (import/savedmodel) turned into public structs, and its freezing. Owns nothing the
 * reader does not: the public arrays are built once at describe and freed at close. */
#include "engine/options.h"
#include "import/savedmodel/savedmodel.h"

struct frost_saved_model {
    frost__sm *sm;
    frost_allocator alloc;
    frost_saved_model_signature *signatures;
    frost_saved_model_tensor *tensors;
    frost_saved_model_variable *variables;
};

int frost_is_saved_model(const char *path) { return path && frost__sm_is_path(path); }

frost_status frost_saved_model_open(const char *path, const frost_load_options *caller,
                                    frost_saved_model **out, frost_error *err) {
    if (out) *out = NULL;
    if (!path || !out)
        return frost__fail(err, FROST_E_INVALID_ARG, NULL, NULL, -1, "path or out is NULL");
    frost_load_options o;
    FROST_TRY(frost__load_options_read(caller, &o, err));
    const frost_allocator *a = o.allocator ? o.allocator : frost__default_allocator();
    frost_saved_model *sm = frost__calloc(a, 1, sizeof *sm);
    if (!sm) return frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
    sm->alloc = *a;
    frost_status st = frost__sm_open(path, NULL, 0, &o, &sm->sm, err);
    if (st != FROST_OK) {
        frost__free(a, sm);
        return st;
    }
    *out = sm;
    return FROST_OK;
}

void frost_saved_model_close(frost_saved_model *sm) {
    if (!sm) return;
    frost_allocator a = sm->alloc;
    frost__sm_close(sm->sm);
    frost__free(&a, sm->signatures);
    frost__free(&a, sm->tensors);
    frost__free(&a, sm->variables);
    frost__free(&a, sm);
}

static void public_tensor(const frost__sm_tensor *t, frost_saved_model_tensor *p) {
    memset(p, 0, sizeof *p);
    p->key = t->key;
    p->name = t->name;
    p->dtype = t->dtype;
    p->tf_dtype = frost__sm_tf_dtype_name(t->tf_dtype);
    p->rank = t->rank;
    for (int d = 0; d < t->rank && d < FROST_MAX_RANK; d++) p->dims[d] = t->dims[d];
}

frost_status frost_saved_model_describe(frost_saved_model *sm, frost_saved_model_info *out) {
    if (!sm || !out) return FROST_E_INVALID_ARG;
    frost__sm_info in;
    frost__sm_describe(sm->sm, &in);
    if (!sm->signatures && (in.n_signatures || in.n_variables)) {
        int n_tensors = 0;
        for (int s = 0; s < in.n_signatures; s++)
            n_tensors += in.signatures[s].n_inputs + in.signatures[s].n_outputs;
        sm->signatures = frost__calloc(&sm->alloc, (size_t)in.n_signatures + 1, sizeof *sm->signatures);
        sm->tensors = frost__calloc(&sm->alloc, (size_t)n_tensors + 1, sizeof *sm->tensors);
        sm->variables = frost__calloc(&sm->alloc, (size_t)in.n_variables + 1, sizeof *sm->variables);
        if (!sm->signatures || !sm->tensors || !sm->variables) {
            frost__free(&sm->alloc, sm->signatures);
            frost__free(&sm->alloc, sm->tensors);
            frost__free(&sm->alloc, sm->variables);
            sm->signatures = NULL, sm->tensors = NULL, sm->variables = NULL;
            return FROST_E_NOMEM;
        }
        frost_saved_model_tensor *t = sm->tensors;
        for (int s = 0; s < in.n_signatures; s++) {
            const frost__sm_signature *g = &in.signatures[s];
            frost_saved_model_signature *p = &sm->signatures[s];
            p->key = g->key;
            p->method = g->method;
            p->n_inputs = g->n_inputs;
            p->n_outputs = g->n_outputs;
            p->inputs = t;
            for (int k = 0; k < g->n_inputs; k++) public_tensor(&g->inputs[k], t++);
            p->outputs = t;
            for (int k = 0; k < g->n_outputs; k++) public_tensor(&g->outputs[k], t++);
        }
        for (int v = 0; v < in.n_variables; v++) {
            const frost__sm_variable *iv = &in.variables[v];
            frost_saved_model_variable *pv = &sm->variables[v];
            pv->key = iv->key;
            pv->tf_dtype = frost__sm_tf_dtype_name(iv->tf_dtype);
            pv->rank = iv->shape.rank;
            for (int d = 0; d < iv->shape.rank && d < FROST_MAX_RANK; d++) pv->dims[d] = iv->shape.d[d];
            pv->bytes = iv->bytes;
        }
    }
    memset(out, 0, sizeof *out);
    out->kind = in.kind;
    out->tf_version = in.tf_version;
    out->n_meta_graphs = in.n_meta_graphs;
    out->meta_graph_tags = in.all_tags;
    out->n_signatures = in.n_signatures;
    out->signatures = sm->signatures;
    out->n_variables = in.n_variables;
    out->variables = sm->variables;
    out->n_shards = in.n_shards;
    out->n_functions = in.n_functions;
    out->n_graph_nodes = in.n_graph_nodes;
    return FROST_OK;
}

frost_status frost_saved_model_freeze(frost_saved_model *sm, void **graphdef, size_t *size,
                                      frost_error *err) {
    if (graphdef) *graphdef = NULL;
    if (size) *size = 0;
    if (!sm || !graphdef || !size)
        return frost__fail(err, FROST_E_INVALID_ARG, NULL, NULL, -1, "a NULL argument");
    return frost__sm_freeze(sm->sm, graphdef, size, err);
}

void frost_saved_model_free_bytes(frost_saved_model *sm, void *bytes) {
    if (sm && bytes) frost__sm_free_bytes(sm->sm, bytes);
}
