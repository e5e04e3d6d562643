/* quantization.c — the public query for a tensor's quantization parameters (frost.h,
 * frost_model_quantization): a read of what the importer attached to the value. Never allocates;
 * safe from any thread (the model is immutable). */
#include "engine/model.h"

frost_status frost_model_quantization(const frost_model *m, const char *name,
                                      frost_quantization *out, frost_error *err) {
    if (out) memset(out, 0, sizeof *out);
    if (!m || !name || !out)
        return frost__fail(err, FROST_E_INVALID_ARG, NULL, NULL, -1, "model, name or out is NULL");
    int v = frost__graph_find(&m->g, name, "tensor", err);
    if (v < 0) return err ? err->code : FROST_E_NOT_FOUND;
    const frost__quant *q = m->g.values[v].quant;
    if (q) {
        out->count = q->n;
        out->axis = q->axis;
        out->scale = q->scale;
        out->zero_point = q->zero_point;
    }
    frost__clear_error(err);
    return FROST_OK;
}
