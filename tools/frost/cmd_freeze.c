/* cmd_freeze.c — `frost freeze MODEL -o frozen.pb [--signature NAME] [--tag TAG] [--outputs
 * NAMES]`: writes the frozen GraphDef of a TensorFlow SavedModel or TF1 checkpoint (variables as
 * constants, functions inlined, only what the signature's outputs need, Placeholders named by the
 * signature's input keys, Identity nodes named by its output keys), the file TensorFlow's freeze
 * tools make, without TensorFlow. The result is loaded back once before the command reports
 * success, so a file frost writes is one frost can run. Never overwrites MODEL's own files. */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>

static const char freeze_help[] =
    "usage: frost freeze MODEL -o FROZEN.pb [--signature NAME] [--tag TAG] [--outputs NAME[,NAME]]\n"
    "\n"
    "Writes the frozen TensorFlow GraphDef of a SavedModel directory (or a TF1 .meta with its\n"
    "checkpoint): variables become constants, function calls are inlined, everything the outputs\n"
    "do not need is pruned. Its inputs are Placeholders named by the signature's input keys and\n"
    "its outputs Identity nodes named by the output keys; it holds only TensorFlow's own ops and\n"
    "attributes, so TensorFlow loads it too. `frost run FROZEN.pb` gives the same outputs as\n"
    "`frost run MODEL`.\n"
    "\n"
    "  -o, --output FILE        where to write the GraphDef\n"
    "  --signature NAME         the signature to freeze (default serving_default)\n"
    "  --tag TAG                the MetaGraph (default serve)\n"
    "  --outputs NAME[,NAME]    freeze these tensors instead of the signature's outputs (node\n"
    "                           names; needed for a TF1 .meta without signatures)\n";

static int write_file(const char *path, const void *data, size_t n) {
    FILE *f = fopen(path, "wb");
    if (!f) {
        fprintf(stderr, "frost freeze: cannot write '%s': %s\n", path, strerror(errno));
        return CLI_EXIT_RUNTIME;
    }
    size_t put = fwrite(data, 1, n, f);
    if (fclose(f) != 0 || put != n) {
        fprintf(stderr, "frost freeze: cannot write '%s': %s\n", path, strerror(errno));
        return CLI_EXIT_RUNTIME;
    }
    return CLI_EXIT_OK;
}

/* Loads the frozen bytes back: what frost writes, frost must be able to run. */
static frost_model *load_back(const void *bytes, size_t n) {
    frost_load_options o = {0};
    o.struct_size = sizeof o;
    o.format = FROST_FORMAT_TF_GRAPHDEF;
    frost_model *m = NULL;
    frost_error err = {0};
    err.file_offset = -1;
    if (frost_model_load_memory(bytes, n, &o, &m, &err) != FROST_OK)
        cli_print_error("freeze", "the frozen graph does not load back", &err);
    return m;
}

static void report(const char *out, size_t n, const frost_model *m) {
    char shape[256];
    fprintf(stderr, "wrote %s (%zu bytes; %d nodes once loaded)\n", out, n, frost_model_node_count(m));
    for (int i = 0; i < frost_model_input_count(m); i++) {
        frost_tensor_info t;
        frost_model_input_info(m, i, &t);
        fprintf(stderr, "  input   %-24s %s %s\n", t.name, frost_dtype_name(t.dtype),
                cli_shape(&t, shape, sizeof shape));
    }
    for (int i = 0; i < frost_model_output_count(m); i++) {
        frost_tensor_info t;
        frost_model_output_info(m, i, &t);
        fprintf(stderr, "  output  %-24s %s %s\n", t.name, frost_dtype_name(t.dtype),
                cli_shape(&t, shape, sizeof shape));
    }
}

int cmd_freeze(int argc, char **argv) {
    const char *cmd = "freeze", *path = NULL, *out = NULL;
    cli_load_flags load = {0};
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i], *v = NULL;
        int r;
        if (cli_is_help(arg)) {
            fputs(freeze_help, stdout);
            return CLI_EXIT_OK;
        } else if ((r = cli_option(cmd, argc, argv, &i, "--output", "-o", &v)) != 0) {
            if (r < 0) return CLI_EXIT_USAGE;
            out = v;
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
    if (!out || !out[0]) return cli_usage_error(cmd, "no output file given (-o FROZEN.pb)");
    if (!frost_is_saved_model(path))
        return cli_usage_error(cmd, "'%s' is not a SavedModel directory, saved_model.pb or TF1 .meta",
                               path);

    frost_load_options opts;
    cli_load_options(&load, &opts);
    frost_error err = {0};
    err.file_offset = -1;
    frost_saved_model *sm = NULL;
    void *bytes = NULL;
    size_t n = 0;
    int rc = CLI_EXIT_RUNTIME;
    char what[1100];
    snprintf(what, sizeof what, "cannot freeze '%s'", path);
    if (frost_saved_model_open(path, &opts, &sm, &err) != FROST_OK ||
        frost_saved_model_freeze(sm, &bytes, &n, &err) != FROST_OK) {
        cli_print_error(cmd, what, &err);
        goto done;
    }
    frost_model *m = load_back(bytes, n);
    if (m) {
        rc = write_file(out, bytes, n);
        if (rc == CLI_EXIT_OK) report(out, n, m);
        frost_model_free(m);
    }
done:
    frost_saved_model_free_bytes(sm, bytes);
    frost_saved_model_close(sm);
    return rc;
}
