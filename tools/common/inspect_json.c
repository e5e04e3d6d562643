/* inspect_json.c — the description of a loaded model shared by `frost inspect --json` and the
 * Python module's frost.inspect() (see inspect_json.h). It reads the model through frost.h only
 * and never creates a session, so it works on models frost cannot run. The JSON it writes is a
 * contract with scripts: change its keys or layout only on purpose, for both users at once. */
#include "inspect_json.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

const char *inspect_format_title(frost_format f) {
    switch (f) {
    case FROST_FORMAT_TF_GRAPHDEF: return "TensorFlow GraphDef";
    case FROST_FORMAT_ONNX: return "ONNX";
    case FROST_FORMAT_KERAS_H5: return "Keras HDF5";
    case FROST_FORMAT_KERAS_V3: return "Keras v3";
    case FROST_FORMAT_TFJS_LAYERS: return "TensorFlow.js layers";
    case FROST_FORMAT_TFJS_GRAPH: return "TensorFlow.js graph";
    case FROST_FORMAT_TFLITE: return "TensorFlow Lite";
    case FROST_FORMAT_SAVED_MODEL: return "TensorFlow SavedModel";
    default: return "unknown";
    }
}

const char *inspect_format_id(frost_format f) {
    switch (f) {
    case FROST_FORMAT_TF_GRAPHDEF: return "tf_graphdef";
    case FROST_FORMAT_ONNX: return "onnx";
    case FROST_FORMAT_KERAS_H5: return "keras_h5";
    case FROST_FORMAT_KERAS_V3: return "keras_v3";
    case FROST_FORMAT_TFJS_LAYERS: return "tfjs_layers";
    case FROST_FORMAT_TFJS_GRAPH: return "tfjs_graph";
    case FROST_FORMAT_TFLITE: return "tflite";
    case FROST_FORMAT_SAVED_MODEL: return "saved_model";
    default: return "unknown";
    }
}

void inspect_json_string(FILE *f, const char *s) {
    if (!s) {
        fputs("null", f);
        return;
    }
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': fputs("\\\"", f); break;
        case '\\': fputs("\\\\", f); break;
        case '\n': fputs("\\n", f); break;
        case '\r': fputs("\\r", f); break;
        case '\t': fputs("\\t", f); break;
        default:
            if (*p < 0x20)
                fprintf(f, "\\u%04x", *p);
            else
                fputc(*p, f);
        }
    }
    fputc('"', f);
}

void inspect_json_shape(FILE *f, const frost_tensor_info *t) {
    if (t->rank < 0 || t->rank > FROST_MAX_RANK) {
        fputs("null", f);
        return;
    }
    fputc('[', f);
    for (int i = 0; i < t->rank; i++) {
        if (i) fputs(", ", f);
        if (t->dims[i] < 0)
            fputs("null", f);
        else
            fprintf(f, "%" PRId64, t->dims[i]);
    }
    fputc(']', f);
}

static int by_count_then_name(const void *a, const void *b) {
    const inspect_op_count *x = a, *y = b;
    if (x->count != y->count) return y->count - x->count;
    return strcmp(x->op, y->op);
}

int inspect_op_histogram(const frost_model *m, inspect_op_count **out) {
    int n = frost_model_node_count(m);
    *out = NULL;
    if (n <= 0) return 0;
    inspect_op_count *h = calloc((size_t)n, sizeof *h);
    if (!h) return -1;
    int distinct = 0;
    for (int i = 0; i < n; i++) {
        frost_node_info info;
        if (frost_model_node_info(m, i, &info) != FROST_OK) continue;
        const char *op = info.op ? info.op : "?";
        int k = 0;
        while (k < distinct && strcmp(h[k].op, op) != 0) k++;
        if (k == distinct) h[distinct++].op = op;
        h[k].count++;
    }
    qsort(h, (size_t)distinct, sizeof *h, by_count_then_name);
    *out = h;
    return distinct;
}

typedef frost_status (*info_fn)(const frost_model *, int, frost_tensor_info *);

static void json_tensors(FILE *f, const frost_model *m, const char *key, int count, info_fn info) {
    fprintf(f, "  \"%s\": [", key);
    for (int i = 0; i < count; i++) {
        frost_tensor_info t;
        if (info(m, i, &t) != FROST_OK) continue;
        fprintf(f, "%s\n    {\"name\": ", i ? "," : "");
        inspect_json_string(f, t.name);
        fprintf(f, ", \"dtype\": \"%s\", \"shape\": ", frost_dtype_name(t.dtype));
        inspect_json_shape(f, &t);
        frost_quantization q;
        if (t.name && frost_model_quantization(m, t.name, &q, NULL) == FROST_OK && q.count > 0) {
            fprintf(f, ", \"quantization\": {\"scale\": [");
            for (int k = 0; k < q.count; k++) fprintf(f, "%s%.9g", k ? ", " : "", (double)q.scale[k]);
            fprintf(f, "], \"zero_point\": [");
            for (int k = 0; k < q.count; k++)
                fprintf(f, "%s%lld", k ? ", " : "", (long long)q.zero_point[k]);
            fprintf(f, "], \"axis\": %d}", q.axis);
        }
        fprintf(f, "}");
    }
    fprintf(f, "%s],\n", count ? "\n  " : "");
}

void inspect_json_write(FILE *f, const char *path, const frost_model *m, const inspect_op_count *ops,
                        int n_ops, bool nodes, inspect_json_more_fn more, void *ctx) {
    fprintf(f, "{\n  \"model\": ");
    inspect_json_string(f, path);
    fprintf(f, ",\n  \"format\": \"%s\",\n", inspect_format_id(frost_model_format(m)));
    json_tensors(f, m, "inputs", frost_model_input_count(m), frost_model_input_info);
    json_tensors(f, m, "outputs", frost_model_output_count(m), frost_model_output_info);
    fprintf(f, "  \"param_count\": %" PRId64 ",\n  \"param_bytes\": %" PRId64 ",\n",
            frost_model_param_count(m), frost_model_param_bytes(m));
    int n_nodes = frost_model_node_count(m);
    fprintf(f, "  \"node_count\": %d,\n  \"ops\": {", n_nodes);
    for (int i = 0; i < n_ops; i++) {
        fprintf(f, "%s", i ? ", " : "");
        inspect_json_string(f, ops[i].op);
        fprintf(f, ": %d", ops[i].count);
    }
    fprintf(f, "},\n  \"report\": [");
    int n_report = frost_model_report_count(m);
    for (int i = 0; i < n_report; i++) {
        fprintf(f, "%s\n    ", i ? "," : "");
        inspect_json_string(f, frost_model_report_line(m, i));
    }
    fprintf(f, "%s]", n_report ? "\n  " : "");
    if (nodes) {
        fprintf(f, ",\n  \"nodes\": [");
        for (int i = 0; i < n_nodes; i++) {
            frost_node_info info;
            if (frost_model_node_info(m, i, &info) != FROST_OK) continue;
            fprintf(f, "%s\n    {\"name\": ", i ? "," : "");
            inspect_json_string(f, info.name);
            fprintf(f, ", \"op\": ");
            inspect_json_string(f, info.op);
            fprintf(f, ", \"inputs\": %d, \"outputs\": %d}", info.n_inputs, info.n_outputs);
        }
        fprintf(f, "%s]", n_nodes ? "\n  " : "");
    }
    if (more) more(f, path, ctx);
    fprintf(f, "\n}\n");
}
