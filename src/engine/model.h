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

#endif
