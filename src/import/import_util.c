/* import_util.c — the graph-building pieces every importer shares (import_util.h). They know the
 * IR, never a file format: anything read from a file reaches them already decoded and checked. */
#include "import/import_util.h"

#include <stdio.h>

frost_status frost__import_vfail(frost_error *err, frost_status code, const char *kind,
                                 const char *name, const char *op, const char *fmt, va_list ap) {
    char msg[400];
    vsnprintf(msg, sizeof msg, fmt, ap);
    return frost__fail(err, code, name, op, -1, "%s '%s' (%s): %s", kind, name ? name : "?",
                       op ? op : "?", msg);
}

frost_status frost__import_fail(frost_error *err, frost_status code, const char *kind,
                                const char *name, const char *op, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    frost_status st = frost__import_vfail(err, code, kind, name, op, fmt, ap);
    va_end(ap);
    return st;
}

int frost__import_const_ints(frost__graph *g, const char *name, frost_dtype dtype,
                             const int64_t *v, int n, bool scalar, frost_error *err) {
    if (n < 0 || (scalar && n != 1) || (n > 0 && !v)) {
        frost__fail(err, FROST_E_INTERNAL, name, NULL, -1, "constant '%s': %d values", name, n);
        return -1;
    }
    int64_t dim = n;
    frost__shape s = frost__shape_make(scalar ? 0 : 1, &dim);
    if (dtype != FROST_DTYPE_I32)
        return frost__graph_add_const(g, name, FROST_DTYPE_I64, &s, v, (size_t)n * sizeof *v, err);
    int32_t small[64] = {0};
    int32_t *narrow = n <= 64 ? small : frost__alloc(&g->alloc, (size_t)n * sizeof *narrow);
    if (!narrow) {
        frost__fail(err, FROST_E_NOMEM, name, NULL, -1, "out of memory for '%s'", name);
        return -1;
    }
    for (int i = 0; i < n; i++) narrow[i] = (int32_t)v[i];
    int id = frost__graph_add_const(g, name, FROST_DTYPE_I32, &s, narrow,
                                    (size_t)n * sizeof *narrow, err);
    if (narrow != small) frost__free(&g->alloc, narrow);
    return id;
}

bool frost__import_shape_fits(const frost__shape *declared, const frost__shape *actual) {
    if (declared->rank < 0) return true;
    if (declared->rank != actual->rank) return false;
    for (int i = 0; i < declared->rank; i++)
        if (declared->d[i] >= 0 && declared->d[i] != actual->d[i]) return false;
    return true;
}
