/* import_util.h — graph-building pieces that every importer needs in the same form: the failure
 * message naming the node and its op, small integer constants for operands a format passes as
 * attributes, and the check that a tensor fits a declared shape. Private to src/import. */
#ifndef FROST_IMPORT_IMPORT_UTIL_H
#define FROST_IMPORT_IMPORT_UTIL_H

#include "core/graph.h"

/* Fills err with "<kind> '<name>' (<op>): <message>" (kind: "node", "layer") and returns code. */
frost_status frost__import_fail(frost_error *err, frost_status code, const char *kind,
                                const char *name, const char *op, const char *fmt, ...)
    FROST_PRINTF(6, 7);
frost_status frost__import_vfail(frost_error *err, frost_status code, const char *kind,
                                 const char *name, const char *op, const char *fmt, va_list ap);

/* A constant of n integers as dtype I64 or I32: 1-D [n], or a scalar when `scalar` (then n is 1).
 * Returns the value id, or -1 with err filled. */
int frost__import_const_ints(frost__graph *g, const char *name, frost_dtype dtype,
                             const int64_t *v, int n, bool scalar, frost_error *err);

/* True when a tensor of shape `actual` fits the `declared` one: declared rank unknown, or the
 * same rank with every declared dim unknown (-1) or equal. */
bool frost__import_shape_fits(const frost__shape *declared, const frost__shape *actual);

#endif /* FROST_IMPORT_IMPORT_UTIL_H */
