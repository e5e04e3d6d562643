/* cmd_run.c — `frost run MODEL -i NAME=FILE.npy ... [-o NAME=FILE.npy ...] [--threads N]`: feeds
 * .npy inputs to a model once and writes the requested outputs as .npy (or prints them). The
 * input files are read and checked before the model is loaded, so bad files fail fast; dtypes are
 * never converted silently: a mismatch is an error naming both dtypes. */
#include "cli.h"
#include "npy.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>

static const char run_help[] =
    "usage: frost run MODEL -i NAME=FILE.npy [-i ...] [-o NAME=FILE.npy ...] [--threads N]\n"
    "                 [--set NAME=VALUE ...] [--precision P]\n"
    "\n"
    "Runs MODEL once. Each -i gives an input's data (its shape sets the input's shape; its dtype\n"
    "must be the input's dtype). Each -o names a tensor to compute (any node or tensor name, not\n"
    "only the model's outputs) and the .npy file to write it to. NAME= may be left out when the\n"
    "model has a single input, or for -o to write the model's first output.\n"
    "Without -o, prints each output's shape, its values when small, and the top 5 classes of a\n"
    "[1, N] output.\n"
    "\n"
    "  -i, --input NAME=FILE.npy    an input (repeatable)\n"
    "  -o, --output NAME=FILE.npy   an output to write (repeatable)\n"
    "  --threads N                  worker threads (default 1: the calling thread only)\n"
    CLI_LOAD_FLAGS_HELP;

typedef struct binding {
    const char *name;   /* NULL: the only input / the first output */
    const char *file;
} binding;

/* "NAME=FILE" (split at the first '=') or just "FILE". */
static binding split_binding(char *arg) {
    binding b = {NULL, arg};
    char *eq = strchr(arg, '=');
    if (eq && eq != arg) {
        *eq = 0;
        b.name = arg;
        b.file = eq + 1;
    }
    return b;
}

static bool is_float(frost_dtype t) { return t == FROST_DTYPE_F32 || t == FROST_DTYPE_F64; }

static double element(const void *data, frost_dtype t, int64_t i) {
    switch (t) {
    case FROST_DTYPE_F32: return ((const float *)data)[i];
    case FROST_DTYPE_F64: return ((const double *)data)[i];
    case FROST_DTYPE_I8: return ((const int8_t *)data)[i];
    case FROST_DTYPE_I16: return ((const int16_t *)data)[i];
    case FROST_DTYPE_I32: return ((const int32_t *)data)[i];
    case FROST_DTYPE_I64: return (double)((const int64_t *)data)[i];
    case FROST_DTYPE_U8:
    case FROST_DTYPE_BOOL: return ((const uint8_t *)data)[i];
    case FROST_DTYPE_U16: return ((const uint16_t *)data)[i];
    case FROST_DTYPE_U32: return ((const uint32_t *)data)[i];
    case FROST_DTYPE_U64: return (double)((const uint64_t *)data)[i];
    default: return NAN;
    }
}

static void print_value(const void *data, frost_dtype t, int64_t i) {
    if (t == FROST_DTYPE_I64)
        printf("%" PRId64, ((const int64_t *)data)[i]);
    else if (t == FROST_DTYPE_U64)
        printf("%" PRIu64, ((const uint64_t *)data)[i]);
    else if (is_float(t))
        printf("%.6g", element(data, t, i));
    else
        printf("%.0f", element(data, t, i));
}

/* Shape, a few values, and the top 5 of a classifier-shaped output. */
static void print_output(const frost_tensor_info *t, const void *data) {
    char shape[256];
    int64_t n = cli_numel(t);
    printf("%s  %s %s\n", cli_text(t->name), frost_dtype_name(t->dtype),
           cli_shape(t, shape, sizeof shape));
    if (n <= 0 || !data || frost_dtype_size(t->dtype) == 0) return;
    const int64_t all_up_to = 64, head = 16;
    printf("  values:");
    for (int64_t i = 0; i < n && (n <= all_up_to || i < head); i++) {
        printf(" ");
        print_value(data, t->dtype, i);
    }
    if (n > all_up_to) printf(" ... (%" PRId64 " values)", n);
    printf("\n");

    /* [1, N] or [N]: a score per class. */
    bool classifier = (t->rank == 2 && t->dims[0] == 1) || t->rank == 1;
    if (!classifier || n < 2 || !is_float(t->dtype)) return;
    int64_t top[5];
    int k = 0;
    for (; k < 5 && k < n; k++) {
        int64_t best = -1;
        for (int64_t i = 0; i < n; i++) {
            bool taken = false;
            for (int j = 0; j < k; j++) taken |= top[j] == i;
            if (taken) continue;
            double v = element(data, t->dtype, i);
            if (best < 0 || v > element(data, t->dtype, best)) best = i;
        }
        top[k] = best;
    }
    printf("  top-%d:", k);
    for (int j = 0; j < k; j++)
        printf("%s %" PRId64 " (%.4g)", j ? "," : "", top[j], element(data, t->dtype, top[j]));
    printf("\n");
}

typedef struct run_state {
    binding inputs[64], outputs[64];
    int n_inputs, n_outputs;
    npy_array arrays[64];
    int threads;
    const char *model_path;
    cli_load_flags load;
    char output_name_buf[64][256]; /* names of unnamed -o outputs, found by a first load */
} run_state;

/* Loads the model, creates the session, feeds the inputs, runs, and emits the outputs. */
static int run_model(run_state *st) {
    const char *cmd = "run";
    frost_model *m = NULL;
    frost_session *s = NULL;
    frost_error err = {0};
    int rc = CLI_EXIT_RUNTIME;
    const char *output_names[64];
    /* The -o tensors are the load's outputs, so that what folding or fusion would otherwise merge
     * is kept as its own tensor. An unnamed -o means the model's next own output: a first load
     * finds those names. */
    int unnamed = 0;
    for (int i = 0; i < st->n_outputs; i++) unnamed += st->outputs[i].name == NULL;
    if (unnamed > 0 || st->n_outputs == 0) {
        if (!cli_load_model(cmd, st->model_path, &st->load, NULL, NULL, 0, &m))
            return CLI_EXIT_RUNTIME;
        int k = 0;
        for (int i = 0; i < st->n_outputs; i++) {
            if (st->outputs[i].name) continue;
            frost_tensor_info info;
            if (frost_model_output_info(m, k, &info) != FROST_OK || !info.name) {
                fprintf(stderr, "frost run: -o %s: the model has only %d output%s; name the "
                                "tensor (-o NAME=%s)\n",
                        st->outputs[i].file, frost_model_output_count(m),
                        frost_model_output_count(m) == 1 ? "" : "s", st->outputs[i].file);
                goto done;
            }
            snprintf(st->output_name_buf[i], sizeof st->output_name_buf[i], "%s", info.name);
            st->outputs[i].name = st->output_name_buf[i];
            k++;
        }
        if (st->n_outputs) {
            frost_model_free(m);
            m = NULL;
        }
    }
    for (int i = 0; i < st->n_outputs; i++) output_names[i] = st->outputs[i].name;
    if (!m && !cli_load_model(cmd, st->model_path, &st->load, NULL, output_names, st->n_outputs, &m))
        return CLI_EXIT_RUNTIME;

    frost_session_options so = {0};
    so.struct_size = sizeof so;
    so.n_threads = st->threads;
    so.spin_us = -1;
    int named_outputs = st->n_outputs;
    so.outputs = named_outputs ? output_names : NULL;
    so.n_outputs = named_outputs;
    if (frost_session_create(m, &so, &s, &err) != FROST_OK) {
        cli_print_error(cmd, "cannot create a session", &err);
        goto done;
    }

    int n_model_inputs = frost_session_input_count(s);
    bool fed[256] = {0};
    int index_of[64];
    for (int i = 0; i < st->n_inputs; i++) {
        const binding *b = &st->inputs[i];
        const npy_array *a = &st->arrays[i];
        int index = 0;
        if (!b->name) {
            if (n_model_inputs != 1) {
                fprintf(stderr,
                        "frost run: the model has %d inputs: name each one (-i NAME=%s)\n",
                        n_model_inputs, b->file);
                goto done;
            }
        } else if (frost_session_input_index(s, b->name, &index, &err) != FROST_OK) {
            char what[300];
            snprintf(what, sizeof what, "-i %s", b->name);
            cli_print_error(cmd, what, &err);
            goto done;
        }
        frost_tensor_info info;
        frost_session_input_info(s, index, &info);
        if (index < 256 && fed[index]) {
            fprintf(stderr, "frost run: input '%s' is given twice\n", cli_text(info.name));
            goto done;
        }
        if (index < 256) fed[index] = true;
        if (a->dtype != info.dtype) {
            fprintf(stderr,
                    "frost run: input '%s' is %s but %s holds %s (convert it, e.g. "
                    "a.astype(np.%s))\n",
                    cli_text(info.name), frost_dtype_name(info.dtype), b->file,
                    frost_dtype_name(a->dtype),
                    info.dtype == FROST_DTYPE_F32   ? "float32"
                    : info.dtype == FROST_DTYPE_F64 ? "float64"
                    : info.dtype == FROST_DTYPE_I64 ? "int64"
                    : info.dtype == FROST_DTYPE_I32 ? "int32"
                    : info.dtype == FROST_DTYPE_U8  ? "uint8"
                                                    : frost_dtype_name(info.dtype));
            goto done;
        }
        char what[512];
        snprintf(what, sizeof what, "input '%s' from %s", cli_text(info.name), b->file);
        index_of[i] = index;
        if (frost_session_set_input_shape(s, index, a->rank, a->dims, &err) != FROST_OK) {
            cli_print_error(cmd, what, &err);
            goto done;
        }
    }
    /* Data only once every shape is set: feeding plans for the shapes known so far. */
    for (int i = 0; i < st->n_inputs; i++) {
        const npy_array *a = &st->arrays[i];
        if (frost_session_set_input(s, index_of[i], a->data, a->bytes, &err) != FROST_OK) {
            char what[512];
            snprintf(what, sizeof what, "input from %s", st->inputs[i].file);
            cli_print_error(cmd, what, &err);
            goto done;
        }
    }
    for (int i = 0; i < n_model_inputs && i < 256; i++)
        if (!fed[i]) {
            frost_tensor_info info;
            char shape[256];
            frost_model_input_info(m, i, &info);   /* the model's view shows unknown dims as ? */
            fprintf(stderr, "frost run: input '%s' (%s %s) is not given: add -i %s=FILE.npy\n",
                    cli_text(info.name), frost_dtype_name(info.dtype),
                    cli_shape(&info, shape, sizeof shape), cli_text(info.name));
            goto done;
        }

    if (frost_session_run(s, &err) != FROST_OK) {
        cli_print_error(cmd, "run failed", &err);
        goto done;
    }

    int n_out = frost_session_output_count(s);
    for (int i = 0; i < n_out; i++) {
        frost_tensor_info info;
        const void *data = frost_session_output_data(s, i, &info);
        if (!data && cli_numel(&info) != 0) {
            fprintf(stderr, "frost run: output %d has no data\n", i);
            goto done;
        }
        if (!st->n_outputs) {
            print_output(&info, data);
            continue;
        }
        if (i >= st->n_outputs) break;
        const char *file = st->outputs[i].file;
        if (npy_write_file(file, info.dtype, info.rank, info.dims, data, &err) != FROST_OK) {
            char what[512];
            snprintf(what, sizeof what, "output '%s'", cli_text(info.name));
            cli_print_error(cmd, what, &err);
            goto done;
        }
        char shape[256];
        fprintf(stderr, "wrote %s %s %s to %s\n", cli_text(info.name), frost_dtype_name(info.dtype),
                cli_shape(&info, shape, sizeof shape), file);
    }
    rc = CLI_EXIT_OK;
done:
    frost_session_free(s);
    frost_model_free(m);
    return rc;
}

int cmd_run(int argc, char **argv) {
    const char *cmd = "run";
    run_state st = {0};
    st.threads = 1;
    int rc = CLI_EXIT_USAGE;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i], *value = NULL;
        int r;
        if (cli_is_help(arg)) {
            fputs(run_help, stdout);
            return CLI_EXIT_OK;
        } else if ((r = cli_option(cmd, argc, argv, &i, "--input", "-i", &value)) != 0) {
            if (r < 0) return CLI_EXIT_USAGE;
            if (st.n_inputs == 64) return cli_usage_error(cmd, "too many -i");
            st.inputs[st.n_inputs++] = split_binding((char *)value);
        } else if ((r = cli_option(cmd, argc, argv, &i, "--output", "-o", &value)) != 0) {
            if (r < 0) return CLI_EXIT_USAGE;
            if (st.n_outputs == 64) return cli_usage_error(cmd, "too many -o");
            st.outputs[st.n_outputs++] = split_binding((char *)value);
        } else if ((r = cli_load_flag(cmd, argc, argv, &i, &st.load)) != 0) {
            if (r < 0) return CLI_EXIT_USAGE;
        } else if ((r = cli_option(cmd, argc, argv, &i, "--threads", NULL, &value)) != 0) {
            long long n;
            if (r < 0 || !cli_parse_int(cmd, "--threads", value, 1, 1024, &n))
                return CLI_EXIT_USAGE;
            st.threads = (int)n;
        } else if (arg[0] == '-' && arg[1] != 0) {
            return cli_usage_error(cmd, "unknown option '%s'", arg);
        } else if (st.model_path) {
            return cli_usage_error(cmd, "one model at a time ('%s' and '%s')", st.model_path, arg);
        } else {
            st.model_path = arg;
        }
    }
    if (!st.model_path) return cli_usage_error(cmd, "no MODEL given");
    for (int i = 0; i < st.n_inputs; i++)
        if (!st.inputs[i].file[0]) return cli_usage_error(cmd, "-i %s= has no file", st.inputs[i].name);
    for (int i = 0; i < st.n_outputs; i++) {
        if (!st.outputs[i].file[0])
            return cli_usage_error(cmd, "-o %s= has no file", st.outputs[i].name);
        for (int j = 0; j < i; j++)
            if (strcmp(st.outputs[i].file, st.outputs[j].file) == 0)
                return cli_usage_error(cmd, "two outputs write %s", st.outputs[i].file);
    }

    /* Inputs first: a bad file fails before the (possibly slow) model load. */
    for (int i = 0; i < st.n_inputs; i++) {
        frost_error err = {0};
        if (npy_read_file(st.inputs[i].file, &st.arrays[i], &err) != FROST_OK) {
            cli_print_error(cmd, "cannot read input", &err);
            rc = CLI_EXIT_RUNTIME;
            goto done;
        }
    }
    rc = run_model(&st);
done:
    for (int i = 0; i < st.n_inputs; i++) npy_free(&st.arrays[i]);
    return rc;
}
