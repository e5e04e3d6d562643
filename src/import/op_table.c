/* op_table.c — the name search and the arity text every importer's dispatcher uses (op_table.h).
 * It reads only the rows' leading name; it must never know any importer's row type or builder. */
#include "import/op_table.h"

#include <stdio.h>

size_t frost__op_table_find(const void *rows, size_t count, size_t row_size, size_t from,
                            const char *name) {
    if (!name) return count;
    for (size_t i = from; i < count; i++) {
        /* A pointer to a struct, converted, points to its first member: the row's name. */
        const char *const *row_name = (const char *const *)((const char *)rows + i * row_size);
        if (strcmp(*row_name, name) == 0) return i;
    }
    return count;
}

const char *frost__op_table_arity(int min, int max, char *buf, size_t cap) {
    if (min == max) snprintf(buf, cap, "%d", min);
    else if (max >= FROST__OP_ANY) snprintf(buf, cap, "at least %d", min);
    else snprintf(buf, cap, "%d to %d", min, max);
    return buf;
}
