/* inspect_json.h — a loaded model described through the public API only: its format's names, an
 * op histogram, and the JSON object of `frost inspect --json`. The CLI (tools/frost/cmd_inspect.c)
 * and the Python module (frost.inspect, python/src/module.c) both compile this file, so the two
 * describe a model the same way. */
#ifndef FROST_INSPECT_JSON_H
#define FROST_INSPECT_JSON_H

#include "frost.h"

#include <stdbool.h>
#include <stdio.h>

/* "TensorFlow GraphDef" and "tf_graphdef"; "unknown" for a format with no name here. */
const char *inspect_format_title(frost_format f);
const char *inspect_format_id(frost_format f);

/* A JSON string literal, quotes included. NULL prints null. */
void inspect_json_string(FILE *f, const char *s);
/* A shape as a JSON array with null for unknown dimensions (or null for an unknown rank). */
void inspect_json_shape(FILE *f, const frost_tensor_info *t);

typedef struct inspect_op_count {
    const char *op;   /* borrowed from the model */
    int count;
} inspect_op_count;

/* The model's distinct ops and their counts, most frequent first, then by name. Returns the number
 * of entries and sets *out (free() it; NULL when there are none), or -1 when out of memory. */
int inspect_op_histogram(const frost_model *m, inspect_op_count **out);

/* The object `frost inspect --json [--nodes]` prints, newline included: "model" is `path` as given,
 * "ops" the histogram from inspect_op_histogram. */
/* `more` (may be NULL) writes further members (",\n  \"key\": ...") before the closing brace:
 * `frost inspect` adds a SavedModel's signatures and variables there. */
typedef void (*inspect_json_more_fn)(FILE *f, const char *path, void *ctx);
void inspect_json_write(FILE *f, const char *path, const frost_model *m, const inspect_op_count *ops,
                        int n_ops, bool nodes, inspect_json_more_fn more, void *ctx);

#endif
