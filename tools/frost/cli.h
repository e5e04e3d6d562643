/* cli.h — what the frost subcommands share: exit codes, option parsing, error printing, and
 * formatting of shapes, sizes and JSON strings. The CLI uses the public API (frost.h), except
 * `frost freeze` and the SavedModel part of `frost inspect`, which call the SavedModel reader
 * (src/import/savedmodel/savedmodel.h) for what the public API has no words for. */
#ifndef FROST_CLI_H
#define FROST_CLI_H

#include "frost.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

enum {
    CLI_EXIT_OK = 0,
    CLI_EXIT_RUNTIME = 1,   /* the model, a data file or a run failed */
    CLI_EXIT_USAGE = 2      /* bad command line */
};

/* Subcommands: argv[0] is the command's name. Each returns an exit code. */
int cmd_inspect(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_serve(int argc, char **argv);   /* tools/serve/cmd_serve.c */
int cmd_freeze(int argc, char **argv);

/* "frost CMD: <message>" and a hint to --help on stderr; returns CLI_EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "frost CMD: <what>: <err.message>" plus node / op / file offset lines when set. */
void cli_print_error(const char *cmd, const char *what, const frost_error *err);

/* Option matching for "--name VALUE" and "--name=VALUE". Returns 1 and sets *value when argv[*i]
 * is that option (advancing *i past a separate value), 0 when it is another argument, and -1
 * (after printing a usage error) when the value is missing. */
int cli_option(const char *cmd, int argc, char **argv, int *i, const char *name, const char *alias,
               const char **value);
/* A whole decimal integer in [min, max]; prints a usage error and returns false otherwise. */
bool cli_parse_int(const char *cmd, const char *option, const char *text, long long min,
                   long long max, long long *out);
static inline bool cli_is_help(const char *arg) {
    return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0;
}

/* The flags every command that loads a model accepts, parsed the same way everywhere. */
#define CLI_MAX_SETS 64
typedef struct cli_load_flags {
    frost_fixed_input sets[CLI_MAX_SETS]; /* --set NAME=VALUE                                  */
    int n_sets;
    int precision;                         /* --precision f32|bf16|int8 (a frost_precision)      */
    const char *tag, *signature;           /* --tag, --signature (SavedModel)                    */
    const char *outputs[64];               /* --outputs NAME[,NAME]: the tensors to compute      */
    int n_outputs;
    char outputs_text[4096];
} cli_load_flags;
/* Their lines for a command's --help. */
#define CLI_LOAD_FLAGS_HELP                                                                       \
    "  --set NAME=VALUE             fix an input to a scalar at load (keep_prob=1, is_train=false,\n" \
    "                               sr=16000): branches it selects are resolved (repeatable)\n"     \
    "  --precision P                weights precision at load: f32 (default, exact), or opt-in\n"  \
    "                               bf16 / int8 (faster; ~1e-2 relative error)\n"                    \
    "  --tag TAG, --signature NAME  SavedModel: the MetaGraph tag (serve) and signature\n"          \
    "                               (serving_default) to load\n"                                  \
    "  --outputs NAME[,NAME]        the tensors to compute (a TF1 .meta without signatures)\n"
/* Like cli_option, for the load flags above: 1 consumed argv[*i] (and its value), 0 not one of
 * them, -1 bad value (usage error printed). */
int cli_load_flag(const char *cmd, int argc, char **argv, int *i, cli_load_flags *f);
/* The load options the flags ask for (pointers into f: keep it alive while loading). */
void cli_load_options(const cli_load_flags *f, frost_load_options *out);

/* `frost inspect` on a SavedModel (inspect_savedmodel.c): the tags, signatures and variables, as
 * text lines, or as JSON members for inspect_json_write (ctx: the cli_load_flags). */
bool inspect_is_saved_model(const char *path);
bool inspect_saved_model_text(const char *path, const cli_load_flags *flags);
void inspect_saved_model_json(FILE *f, const char *path, void *flags);

/* Loads a model with the flags (NULL: none) and the outputs to compute (NULL: the flags' --outputs,
 * else the model's own), printing the error (with node / op / offset) on failure. */
bool cli_load_model(const char *cmd, const char *path, const cli_load_flags *flags,
                    const frost_allocator *allocator, const char *const *outputs, int n_outputs,
                    frost_model **out);

/* "TensorFlow GraphDef" and "tf_graphdef" */
const char *cli_format_title(frost_format f);
const char *cli_format_id(frost_format f);
/* "[?, 784]", "[]" for a scalar, "?" when the rank is unknown. */
const char *cli_shape(const frost_tensor_info *t, char *buf, size_t cap);
/* The same as a JSON array with null for unknown dimensions (or null for an unknown rank). */
void cli_json_shape(FILE *f, const frost_tensor_info *t);
/* A JSON string literal, quotes included. NULL prints null. */
void cli_json_string(FILE *f, const char *s);
/* `s` escaped for a terminal (frost_escape_text): names from a model file are data. One of 8
 * rotating static buffers, so a printf may take several. NULL gives "?". */
const char *cli_text(const char *s);
/* "30.7 KiB" */
const char *cli_bytes(int64_t bytes, char *buf, size_t cap);
/* "1,234,567" */
const char *cli_thousands(int64_t v, char *buf, size_t cap);
/* Elements of a tensor with a fully known shape; -1 if unknown or overflowing. */
int64_t cli_numel(const frost_tensor_info *t);

#endif
