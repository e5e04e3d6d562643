/* cmd_inspect.c — `frost inspect MODEL [--nodes] [--json]`: what a model is after load-time
 * cleaning (format, inputs and outputs with their shapes, op histogram, parameter totals, what
 * the passes did, and with --nodes every node). It only reads the model through the public API;
 * it never creates a session, so it works on models frost cannot run. */
#include "cli.h"

#include <inttypes.h>
#include <stdlib.h>

static const char inspect_help[] =
    "usage: frost inspect MODEL [--nodes] [--json] [--signature NAME] [--tag TAG]\n"
    "\n"
    "Loads MODEL (TensorFlow .pb, ONNX, Keras .h5/.keras, TF.js model.json) and prints:\n"
    "  format, inputs and outputs (name, dtype, shape; ? marks a dimension set at run time),\n"
    "  an op histogram, the parameter count and bytes, and the load report (what the load-time\n"
    "  passes pruned, folded or fused).\n"
    "\n"
    "  --nodes   also list every node (execution order) with its op\n"
    "  --json    print one JSON object instead of text\n"
    "\n"
    "A TensorFlow SavedModel directory (or TF1 .meta) also shows its MetaGraph tags, every\n"
    "signature with its input and output keys, dtypes and shapes, and the checkpoint's variables.\n"
    "  --signature NAME, --tag TAG   the signature and MetaGraph to load (serving_default, serve)\n"
    "  --outputs NAME[,NAME]         the tensors to compute instead of a signature's\n";

typedef struct op_count {
    const char *op;
    int count;
} op_count;

static int by_count_then_name(const void *a, const void *b) {
    const op_count *x = a, *y = b;
    if (x->count != y->count) return y->count - x->count;
    return strcmp(x->op, y->op);
}

/* Distinct ops and their counts, most frequent first. Returns the number of entries (or -1). */
static int op_histogram(const frost_model *m, op_count **out) {
    int n = frost_model_node_count(m);
    *out = NULL;
    if (n <= 0) return 0;
    op_count *h = calloc((size_t)n, sizeof *h);
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

static void text_tensors(const frost_model *m, const char *title, int count, info_fn info) {
    printf("%-9s %d\n", title, count);
    for (int i = 0; i < count; i++) {
        frost_tensor_info t;
        char shape[256];
        if (info(m, i, &t) != FROST_OK) continue;
        printf("  %-30s %-5s %s\n", t.name ? t.name : "?", frost_dtype_name(t.dtype),
               cli_shape(&t, shape, sizeof shape));
    }
}

static void json_tensors(const frost_model *m, const char *key, int count, info_fn info) {
    printf("  \"%s\": [", key);
    for (int i = 0; i < count; i++) {
        frost_tensor_info t;
        if (info(m, i, &t) != FROST_OK) continue;
        printf("%s\n    {\"name\": ", i ? "," : "");
        cli_json_string(stdout, t.name);
        printf(", \"dtype\": \"%s\", \"shape\": ", frost_dtype_name(t.dtype));
        cli_json_shape(stdout, &t);
        printf("}");
    }
    printf("%s],\n", count ? "\n  " : "");
}

static void print_text(const char *path, const frost_model *m, const op_count *ops, int n_ops,
                       bool nodes) {
    char a[64], b[64];
    printf("%-9s %s\n", "model", path);
    printf("%-9s %s\n", "format", cli_format_title(frost_model_format(m)));
    text_tensors(m, "inputs", frost_model_input_count(m), frost_model_input_info);
    text_tensors(m, "outputs", frost_model_output_count(m), frost_model_output_info);
    printf("%-9s %s (%s)\n", "params", cli_thousands(frost_model_param_count(m), a, sizeof a),
           cli_bytes(frost_model_param_bytes(m), b, sizeof b));
    int n_nodes = frost_model_node_count(m);
    printf("%-9s %d nodes, %d distinct ops\n", "ops", n_nodes, n_ops);
    for (int i = 0; i < n_ops; i++) printf("  %-30s %d\n", ops[i].op, ops[i].count);
    int n_report = frost_model_report_count(m);
    printf("%-9s %d line%s\n", "report", n_report, n_report == 1 ? "" : "s");
    for (int i = 0; i < n_report; i++) {
        const char *line = frost_model_report_line(m, i);
        printf("  %s\n", line ? line : "");
    }
    if (nodes) {
        printf("nodes\n");
        for (int i = 0; i < n_nodes; i++) {
            frost_node_info info;
            if (frost_model_node_info(m, i, &info) != FROST_OK) continue;
            printf("  %5d  %-22s %s  (%d in, %d out)\n", i, info.op ? info.op : "?",
                   info.name ? info.name : "?", info.n_inputs, info.n_outputs);
        }
    }
}

static void print_json(const char *path, const frost_model *m, const op_count *ops, int n_ops,
                       bool nodes, bool saved_model) {
    printf("{\n  \"model\": ");
    cli_json_string(stdout, path);
    printf(",\n  \"format\": \"%s\",\n", cli_format_id(frost_model_format(m)));
    json_tensors(m, "inputs", frost_model_input_count(m), frost_model_input_info);
    json_tensors(m, "outputs", frost_model_output_count(m), frost_model_output_info);
    printf("  \"param_count\": %" PRId64 ",\n  \"param_bytes\": %" PRId64 ",\n",
           frost_model_param_count(m), frost_model_param_bytes(m));
    int n_nodes = frost_model_node_count(m);
    printf("  \"node_count\": %d,\n  \"ops\": {", n_nodes);
    for (int i = 0; i < n_ops; i++) {
        printf("%s", i ? ", " : "");
        cli_json_string(stdout, ops[i].op);
        printf(": %d", ops[i].count);
    }
    printf("},\n  \"report\": [");
    int n_report = frost_model_report_count(m);
    for (int i = 0; i < n_report; i++) {
        printf("%s\n    ", i ? "," : "");
        cli_json_string(stdout, frost_model_report_line(m, i));
    }
    printf("%s]", n_report ? "\n  " : "");
    if (nodes) {
        printf(",\n  \"nodes\": [");
        for (int i = 0; i < n_nodes; i++) {
            frost_node_info info;
            if (frost_model_node_info(m, i, &info) != FROST_OK) continue;
            printf("%s\n    {\"name\": ", i ? "," : "");
            cli_json_string(stdout, info.name);
            printf(", \"op\": ");
            cli_json_string(stdout, info.op);
            printf(", \"inputs\": %d, \"outputs\": %d}", info.n_inputs, info.n_outputs);
        }
        printf("%s]", n_nodes ? "\n  " : "");
    }
    if (saved_model) inspect_saved_model_json(path);
    printf("\n}\n");
}

int cmd_inspect(int argc, char **argv) {
    const char *cmd = "inspect", *path = NULL;
    bool nodes = false, json = false;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        int r;
        if (cli_is_help(arg)) {
            fputs(inspect_help, stdout);
            return CLI_EXIT_OK;
        } else if (strcmp(arg, "--nodes") == 0) {
            nodes = true;
        } else if (strcmp(arg, "--json") == 0) {
            json = true;
        } else if ((r = cli_model_option(cmd, argc, argv, &i, true)) != 0) {
            if (r < 0) return CLI_EXIT_USAGE;
        } else if (arg[0] == '-' && arg[1] != 0) {
            return cli_usage_error(cmd, "unknown option '%s'", arg);
        } else if (path) {
            return cli_usage_error(cmd, "one model at a time ('%s' and '%s')", path, arg);
        } else {
            path = arg;
        }
    }
    if (!path) return cli_usage_error(cmd, "no MODEL given");

    frost_model *m;
    bool saved_model = inspect_is_saved_model(path);
    if (!cli_load_model(cmd, path, NULL, &m)) {
        if (saved_model && !json) inspect_saved_model_text(path);  /* what could be chosen instead */
        return CLI_EXIT_RUNTIME;
    }
    op_count *ops;
    int n_ops = op_histogram(m, &ops);
    if (n_ops < 0) {
        fprintf(stderr, "frost inspect: out of memory\n");
        frost_model_free(m);
        return CLI_EXIT_RUNTIME;
    }
    if (json)
        print_json(path, m, ops, n_ops, nodes, saved_model);
    else
        print_text(path, m, ops, n_ops, nodes);
    if (saved_model && !json) inspect_saved_model_text(path);
    free(ops);
    frost_model_free(m);
    if (fflush(stdout) != 0) {
        fprintf(stderr, "frost inspect: cannot write the output\n");
        return CLI_EXIT_RUNTIME;
    }
    return CLI_EXIT_OK;
}
