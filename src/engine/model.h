/* model.h — what a frost_model holds: the cleaned graph (weights packed), its allocator and totals. */
#ifndef FROST_ENGINE_MODEL_H
#define FROST_ENGINE_MODEL_H

#include "core/graph.h"

struct frost_model {
    frost__graph g;
    frost_allocator alloc;
    frost_format format;
    int64_t param_count, param_bytes;
};

/* Fills a public tensor info from a value (name borrowed from the graph). */
void frost__value_info(const frost__graph *g, int v, frost_tensor_info *out);

/* Makes a model from a graph built in memory (tests, importers of in-memory graphs): takes the
 * graph's contents (g is left empty) and runs the load-time passes. */
frost_status frost__model_from_graph(frost__graph *g, const frost_load_options *opts,
                                     frost_model **out, frost_error *err);

#endif
