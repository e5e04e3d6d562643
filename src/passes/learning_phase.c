/* learning_phase.c — Keras graphs carry a `keras_learning_phase` input (Placeholder or
 * PlaceholderWithDefault, bool) that selects training behaviour (Dropout) through tf.cond. frost
 * runs inference, so an unfed learning phase is the constant false; the Switch/Merge pass then
 * removes the training branch. */
#include "passes/passes.h"

#include <stdio.h>

static bool is_learning_phase(const char *name) {
    const char *base = strrchr(name, '/');
    base = base ? base + 1 : name;
    return strcmp(base, "keras_learning_phase") == 0;
}

void frost__pass_learning_phase(frost__graph *g) {
    for (int i = 0; i < g->n_inputs; i++) {
        int v = g->inputs[i];
        frost__value *val = &g->values[v];
        if (!is_learning_phase(val->name)) continue;
        if (val->dtype != FROST_DTYPE_BOOL && val->dtype != FROST_DTYPE_I32 &&
            val->dtype != FROST_DTYPE_U8)
            continue;
        size_t es = frost_dtype_size(val->dtype);
        void *zero = frost__calloc(&g->alloc, 1, es);
        if (!zero) return;
        char name[256];
        snprintf(name, sizeof name, "%s", val->name);
        val->shape.rank = 0;
        frost__graph_set_const(g, v, zero, es);
        frost__graph_report(g, "learning phase '%s' fixed to false (inference)", name);
        i--; /* set_const removed it from the input list */
    }
}
