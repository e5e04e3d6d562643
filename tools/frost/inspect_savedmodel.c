/* inspect_savedmodel.c — the SavedModel part of `frost inspect`: MetaGraph tags, every signature
 * with its input and output keys, dtypes, shapes and TensorFlow tensor names, and the checkpoint's
 * variables. Read straight from the SavedModel reader (no freezing), so it shows every signature
 * even when the one chosen for loading cannot run. */
#include "cli.h"

#include <inttypes.h>

bool inspect_is_saved_model(const char *path) { return frost_is_saved_model(path) != 0; }

static frost_saved_model *open_sm(const char *path, const cli_load_flags *flags) {
    frost_load_options o;
    cli_load_options(flags, &o);
    frost_saved_model *sm = NULL;
    frost_error err = {0};
    err.file_offset = -1;
    if (frost_saved_model_open(path, &o, &sm, &err) != FROST_OK) {
        cli_print_error("inspect", "cannot read the SavedModel", &err);
        return NULL;
    }
    return sm;
}

static frost_tensor_info as_info(const frost_saved_model_tensor *t) {
    frost_tensor_info i;
    memset(&i, 0, sizeof i);
    i.name = t->key;
    i.dtype = t->dtype;
    i.rank = t->rank;
    for (int d = 0; d < t->rank && d < FROST_MAX_RANK; d++) i.dims[d] = t->dims[d];
    return i;
}

static const char *dtype_text(const frost_saved_model_tensor *t) {
    return t->dtype != FROST_DTYPE_INVALID && t->dtype != FROST_DTYPE_STRING
               ? frost_dtype_name(t->dtype) : t->tf_dtype;
}

static frost_tensor_info var_info(const frost_saved_model_variable *v) {
    frost_tensor_info i;
    memset(&i, 0, sizeof i);
    i.rank = v->rank;
    for (int d = 0; d < v->rank && d < FROST_MAX_RANK; d++) i.dims[d] = v->dims[d];
    return i;
}

bool inspect_saved_model_text(const char *path, const cli_load_flags *flags) {
    frost_saved_model *sm = open_sm(path, flags);
    frost_saved_model_info in;
    if (!sm || frost_saved_model_describe(sm, &in) != FROST_OK) {
        frost_saved_model_close(sm);
        return false;
    }
    char shape[256], b[64];
    printf("%-9s %s%s%s, %d MetaGraph%s:", "savedmodel", in.kind, in.tf_version[0] ? ", TensorFlow " : "",
           in.tf_version, in.n_meta_graphs, in.n_meta_graphs == 1 ? "" : "s");
    for (int i = 0; i < in.n_meta_graphs; i++) printf(" [%s]", in.meta_graph_tags[i]);
    printf("; %d graph nodes, %d functions\n", in.n_graph_nodes, in.n_functions);
    printf("%-9s %d\n", "signatures", in.n_signatures);
    for (int s = 0; s < in.n_signatures; s++) {
        const frost_saved_model_signature *sg = &in.signatures[s];
        printf("  %s%s%s%s\n", sg->key, sg->method[0] ? "  (" : "", sg->method, sg->method[0] ? ")" : "");
        for (int k = 0; k < sg->n_inputs + sg->n_outputs; k++) {
            const frost_saved_model_tensor *t = k < sg->n_inputs ? &sg->inputs[k] : &sg->outputs[k - sg->n_inputs];
            frost_tensor_info ti = as_info(t);
            printf("    %-3s %-24s %-9s %-16s %s\n", k < sg->n_inputs ? "in" : "out", t->key,
                   dtype_text(t), cli_shape(&ti, shape, sizeof shape), t->name);
        }
    }
    uint64_t total = 0;
    for (int v = 0; v < in.n_variables; v++) total += in.variables[v].bytes;
    printf("%-9s %d in %d shard%s (%s)\n", "variables", in.n_variables, in.n_shards,
           in.n_shards == 1 ? "" : "s", cli_bytes((int64_t)total, b, sizeof b));
    for (int v = 0; v < in.n_variables; v++) {
        frost_tensor_info ti = var_info(&in.variables[v]);
        printf("  %-56s %-10s %s\n", in.variables[v].key, in.variables[v].tf_dtype,
               cli_shape(&ti, shape, sizeof shape));
    }
    frost_saved_model_close(sm);
    return true;
}

static void json_tensor(FILE *f, const frost_saved_model_tensor *t, bool first) {
    frost_tensor_info ti = as_info(t);
    fprintf(f, "%s\n        {\"key\": ", first ? "" : ",");
    cli_json_string(f, t->key);
    fprintf(f, ", \"name\": ");
    cli_json_string(f, t->name);
    fprintf(f, ", \"dtype\": \"%s\", \"shape\": ", dtype_text(t));
    cli_json_shape(f, &ti);
    fprintf(f, "}");
}

void inspect_saved_model_json(FILE *f, const char *path, void *flags) {
    frost_saved_model *sm = open_sm(path, flags);
    frost_saved_model_info in;
    if (!sm || frost_saved_model_describe(sm, &in) != FROST_OK) {
        frost_saved_model_close(sm);
        return;
    }
    fprintf(f, ",\n  \"saved_model\": {\n    \"kind\": ");
    cli_json_string(f, in.kind);
    fprintf(f, ",\n    \"tensorflow_version\": ");
    cli_json_string(f, in.tf_version);
    fprintf(f, ",\n    \"meta_graphs\": [");
    for (int i = 0; i < in.n_meta_graphs; i++) {
        fprintf(f, "%s", i ? ", " : "");
        cli_json_string(f, in.meta_graph_tags[i]);
    }
    fprintf(f, "],\n    \"signatures\": [");
    for (int s = 0; s < in.n_signatures; s++) {
        const frost_saved_model_signature *sg = &in.signatures[s];
        fprintf(f, "%s\n      {\"key\": ", s ? "," : "");
        cli_json_string(f, sg->key);
        fprintf(f, ", \"method\": ");
        cli_json_string(f, sg->method);
        fprintf(f, ",\n       \"inputs\": [");
        for (int k = 0; k < sg->n_inputs; k++) json_tensor(f, &sg->inputs[k], k == 0);
        fprintf(f, "],\n       \"outputs\": [");
        for (int k = 0; k < sg->n_outputs; k++) json_tensor(f, &sg->outputs[k], k == 0);
        fprintf(f, "]}");
    }
    fprintf(f, "%s],\n    \"shards\": %d,\n    \"variables\": [", in.n_signatures ? "\n    " : "", in.n_shards);
    for (int v = 0; v < in.n_variables; v++) {
        frost_tensor_info ti = var_info(&in.variables[v]);
        fprintf(f, "%s\n      {\"key\": ", v ? "," : "");
        cli_json_string(f, in.variables[v].key);
        fprintf(f, ", \"dtype\": \"%s\", \"shape\": ", in.variables[v].tf_dtype);
        cli_json_shape(f, &ti);
        fprintf(f, ", \"bytes\": %" PRIu64 "}", in.variables[v].bytes);
    }
    fprintf(f, "%s]\n  }", in.n_variables ? "\n    " : "");
    frost_saved_model_close(sm);
}
