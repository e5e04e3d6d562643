/* fixed_inputs.c — `--set NAME=VALUE` (frost_load_options.fixed_inputs): inputs a model was trained
 * with but inference does not want fed (keep_prob, is_train, a sample rate) become scalar constants
 * before folding, so the usual passes resolve the Dropout, tf.cond or If branches they select.
 * A name that is not an input fails the load; it never fixes some other tensor. */
#include "passes/passes.h"

#include <stdio.h>

static frost_status fix_one(frost__graph *g, const frost_fixed_input *fi, frost_error *err) {
    if (!fi->name)
        return frost__fail(err, FROST_E_INVALID_ARG, NULL, NULL, -1, "a fixed input has no name");
    int v = frost__graph_find(g, fi->name, "input", err);
    if (v < 0) return err ? err->code : FROST_E_NOT_FOUND;
    frost__value *val = &g->values[v];
    if (val->kind != FROST__VAL_INPUT)
        return frost__fail(err, FROST_E_INVALID_ARG, fi->name, NULL, -1,
                           "'%s' is not a model input (it is %s): only inputs can be fixed",
                           fi->name, val->kind == FROST__VAL_CONST ? "a constant" : "computed");
    /* A scalar fills the input's shape only when that shape holds one element: unknown dims and an
     * unknown rank become 1 and [] (keep_prob is usually declared as either). */
    frost__shape s = val->shape;
    if (s.rank < 0) s.rank = 0;
    for (int d = 0; d < s.rank; d++)
        if (s.d[d] < 0) s.d[d] = 1;
    if (frost__shape_numel(&s) != 1) {
        char sh[96];
        return frost__fail(err, FROST_E_SHAPE, fi->name, NULL, -1,
                           "input '%s' has shape %s: only inputs of one element can be fixed",
                           fi->name, frost__shape_str(&val->shape, sh, sizeof sh));
    }
    size_t es = frost_dtype_size(val->dtype);
    void *data = es ? frost__calloc(&g->alloc, 1, es) : NULL;
    if (es && !data) return frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
    if (!es || !frost__write_double(val->dtype, data, 0, fi->value)) {
        frost__free(&g->alloc, data);
        return frost__fail(err, FROST_E_DTYPE, fi->name, NULL, -1,
                           "input '%s' (%s) cannot hold the value %g", fi->name,
                           frost_dtype_name(val->dtype), fi->value);
    }
    val->shape = s;
    frost__graph_set_const(g, v, data, es);
    frost__graph_report(g, "input '%s' fixed to %g at load (--set)", val->name, fi->value);
    return FROST_OK;
}

frost_status frost__pass_fixed_inputs(frost__graph *g, const frost_fixed_input *fixed, int n,
                                      frost_error *err) {
    for (int i = 0; i < n; i++) FROST_TRY(fix_one(g, &fixed[i], err));
    return FROST_OK;
}
