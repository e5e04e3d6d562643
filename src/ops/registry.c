/* registry.c — op id -> definition. Each op file defines `frost__op_<ID>`; an op not yet
 * implemented resolves to a weak NULL and is reported as unsupported at load. */
#include "ops/op.h"

#include <stdio.h>

#define FROST_OP(id, name, file) extern const frost__op_def frost__op_##id __attribute__((weak));
#include "ops/ops.def"
#undef FROST_OP

static const frost__op_def *const op_table[FROST__OP_COUNT] = {
#define FROST_OP(id, name, file) [FROST__OP_##id] = &frost__op_##id,
#include "ops/ops.def"
#undef FROST_OP
};

static const char *const op_names[FROST__OP_COUNT] = {
#define FROST_OP(id, name, file) [FROST__OP_##id] = name,
#include "ops/ops.def"
#undef FROST_OP
};

const frost__op_def *frost__op_get(int id) {
    if (id < 0 || id >= FROST__OP_COUNT) return NULL;
    return op_table[id];
}

const char *frost__op_name(int id) {
    if (id < 0 || id >= FROST__OP_COUNT) return "?";
    return op_names[id];
}

frost_status frost__op_fail(const frost__node *n, frost_error *err, frost_status code,
                            const char *fmt, ...) {
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return frost__fail(err, code, n ? n->name : NULL, n ? n->src_op : NULL, -1, "%s '%s': %s",
                       n ? n->src_op : "op", n ? n->name : "?", msg);
}

int frost__read_int_operand(frost_dtype t, const frost__shape *s, const void *data, int64_t *vals,
                            int cap) {
    if (!data || !frost__dtype_is_int(t) || s->rank < 0 || s->rank > 1) return -1;
    int64_t n = s->rank == 0 ? 1 : s->d[0];
    if (n < 0 || n > cap) return -1;
    for (int64_t i = 0; i < n; i++) vals[i] = frost__read_int(t, data, i);
    return (int)n;
}
