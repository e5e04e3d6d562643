/* names.h — the graph's name -> value map (open addressing over borrowed strings) and "did you
 * mean" suggestions for misses. Private to core/graph.c and the engine. */
#ifndef FROST_CORE_NAMES_H
#define FROST_CORE_NAMES_H

#include "core/graph.h"

/* Frees the table and its names. */
void frost__names_free(frost__graph *g);
/* Value id for exactly `name`, -1 if unknown, FROST__NAME_RETIRED if retired. */
int frost__names_get(const frost__graph *g, const char *name);
/* Adds or replaces name -> value (the table keeps its own copy of the name). */
frost_status frost__names_put(frost__graph *g, const char *name, int value);
/* What a retired name maps to: a tensor that load-time fusion merged into another op's output.
 * It no longer exists, and must never resolve to the merged tensor (its values differ). */
#define FROST__NAME_RETIRED (-2)
/* Every name of `value` becomes retired. */
void frost__names_retire(frost__graph *g, int value);
/* Every name of `from` now names `to`. */
void frost__names_retarget(frost__graph *g, int from, int to);
/* After compaction: value ids map through new_id_plus1[old] - 1 (0 = removed, entry dropped). */
frost_status frost__names_remap(frost__graph *g, const int *new_id_plus1, int n_new);
/* Up to three existing names close to `name` ("'Softmax', 'softmax_1'") into buf; "" if none. */
void frost__names_suggest(const frost__graph *g, const char *name, char *buf, size_t cap);

#endif
