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

/* --tag TAG, --signature NAME (SavedModels) and, when allow_outputs, --outputs NAME[,NAME]: returns
 * 1 when argv[*i] was one of them (consumed), 0 when not, -1 after a usage error. The choice holds
 * for the process; cli_apply_model_options copies it into load options (cli_load_model does). */
int cli_model_option(const char *cmd, int argc, char **argv, int *i, bool allow_outputs);
void cli_apply_model_options(frost_load_options *opts);

/* `frost inspect` on a SavedModel (inspect_savedmodel.c): the tags, signatures and variables, as
 * text lines or as a JSON member (",\n  \"saved_model\": {...}"). False after printing an error. */
bool inspect_is_saved_model(const char *path);
bool inspect_saved_model_text(const char *path);
bool inspect_saved_model_json(const char *path);

/* Loads a model, printing the error (with node / op / offset) on failure. */
bool cli_load_model(const char *cmd, const char *path, const frost_allocator *allocator,
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
/* "30.7 KiB" */
const char *cli_bytes(int64_t bytes, char *buf, size_t cap);
/* "1,234,567" */
const char *cli_thousands(int64_t v, char *buf, size_t cap);
/* Elements of a tensor with a fully known shape; -1 if unknown or overflowing. */
int64_t cli_numel(const frost_tensor_info *t);

#endif
