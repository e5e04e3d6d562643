/* cmd_inspect.c — `frost inspect MODEL [--nodes] [--json]`: what a model is after load-time
 * cleaning (format, inputs and outputs with their shapes, op histogram, parameter totals, what
 * the passes did, and with --nodes every node). It only reads the model through the public API;
 * it never creates a session, so it works on models frost cannot run. The histogram and the JSON
 * come from tools/common/inspect_json.c, which Python's frost.inspect() uses too. */
#include "cli.h"
#include "inspect_json.h"

#include <inttypes.h>
#include <stdlib.h>

static const char inspect_help[] =
    "usage: frost inspect MODEL [--nodes] [--json] [--signature NAME] [--tag TAG]\n"
    "\n"
    "Loads MODEL (TensorFlow .pb, ONNX, Keras .h5/.keras, TF.js model.json, .tflite) and prints:\n"
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

typedef inspect_op_count op_count;

static int op_histogram(const frost_model *m, op_count **out) { return inspect_op_histogram(m, out); }

typedef frost_status (*info_fn)(const frost_model *, int, frost_tensor_info *);

static void text_tensors(const frost_model *m, const char *title, int count, info_fn info) {
    printf("%-9s %d\n", title, count);
    for (int i = 0; i < count; i++) {
        frost_tensor_info t;
        char shape[256];
        if (info(m, i, &t) != FROST_OK) continue;
        printf("  %-30s %-5s %s", cli_text(t.name), frost_dtype_name(t.dtype),
               cli_shape(&t, shape, sizeof shape));
        frost_quantization q = {0};
        if (t.name && frost_model_quantization(m, t.name, &q, NULL) == FROST_OK && q.count == 1)
            printf("  scale %.9g zero point %lld", (double)q.scale[0], (long long)q.zero_point[0]);
        else if (q.count > 1)
            printf("  %d scales along axis %d", q.count, q.axis);
        printf("\n");
    }
}

static void print_text(const char *path, const frost_model *m, const op_count *ops, int n_ops,
                       bool nodes) {
    char a[64], b[64];
    printf("%-9s %s\n", "model", cli_text(path));
    printf("%-9s %s\n", "format", cli_format_title(frost_model_format(m)));
    text_tensors(m, "inputs", frost_model_input_count(m), frost_model_input_info);
    text_tensors(m, "outputs", frost_model_output_count(m), frost_model_output_info);
    printf("%-9s %s (%s)\n", "params", cli_thousands(frost_model_param_count(m), a, sizeof a),
           cli_bytes(frost_model_param_bytes(m), b, sizeof b));
    int n_nodes = frost_model_node_count(m);
    printf("%-9s %d nodes, %d distinct ops\n", "ops", n_nodes, n_ops);
    for (int i = 0; i < n_ops; i++) printf("  %-30s %d\n", cli_text(ops[i].op), ops[i].count);
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
            printf("  %5d  %-22s %s  (%d in, %d out)\n", i, cli_text(info.op),
                   cli_text(info.name), info.n_inputs, info.n_outputs);
        }
    }
}

static void print_json(const char *path, const frost_model *m, const op_count *ops, int n_ops,
                       bool nodes, bool saved_model, cli_load_flags *load) {
    inspect_json_write(stdout, path, m, ops, n_ops, nodes,
                       saved_model ? inspect_saved_model_json : NULL, load);
}

int cmd_inspect(int argc, char **argv) {
    const char *cmd = "inspect", *path = NULL;
    bool nodes = false, json = false;
    cli_load_flags load = {0};
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
        } else if ((r = cli_load_flag(cmd, argc, argv, &i, &load)) != 0) {
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
    if (!cli_load_model(cmd, path, &load, NULL, NULL, 0, &m)) {
        if (saved_model && !json) inspect_saved_model_text(path, &load); /* what could be chosen */
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
        print_json(path, m, ops, n_ops, nodes, saved_model, &load);
    else
        print_text(path, m, ops, n_ops, nodes);
    if (saved_model && !json) inspect_saved_model_text(path, &load);
    free(ops);
    frost_model_free(m);
    if (fflush(stdout) != 0) {
        fprintf(stderr, "frost inspect: cannot write the output\n");
        return CLI_EXIT_RUNTIME;
    }
    return CLI_EXIT_OK;
}
