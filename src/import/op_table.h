/* op_table.h — how every importer finds what to do with a source op: one table per importer, one
 * row per op name (or per op name and version span), searched here by name.
 *
 * Each importer has its own row type, because its builders take its own context, but every row
 * type reads the same way: the op's name first (all the search reads), then its builder, the
 * importer's variant fields, the inputs the op may have (min_in, max_in) and, for formats that
 * version their ops (ONNX opsets), the versions the row covers (since, until). The dispatcher
 * checks the inputs and versions against the row before the builder runs, so builders never repeat
 * those checks. Private to src/import. */
#ifndef FROST_IMPORT_OP_TABLE_H
#define FROST_IMPORT_OP_TABLE_H

#include "core/common.h"

/* max_in of a variadic op: any number of inputs. */
#define FROST__OP_ANY 65536

/* The index of the first row at or after `from` whose name is `name`, or `count` when there is
 * none. `rows` is an array of `count` structs of `row_size` bytes whose first member is the
 * row's name (a const char *). */
size_t frost__op_table_find(const void *rows, size_t count, size_t row_size, size_t from,
                            const char *name);

/* frost__op_table_find over a whole array. */
#define FROST__OP_TABLE_FIND(table, from, name)                                                \
    frost__op_table_find((table), FROST_ARRAY_LEN(table), sizeof(table)[0], (from), (name))

/* What a row accepts, for messages: "2", "at least 2" (max FROST__OP_ANY) or "2 to 4". */
const char *frost__op_table_arity(int min, int max, char *buf, size_t cap);

/* True when `version` lies in [since, until]; until 0 means no upper bound. */
static inline bool frost__op_table_covers(int since, int until, int version) {
    return version >= since && (until == 0 || version <= until);
}

#endif /* FROST_IMPORT_OP_TABLE_H */
