/* error.c — status names and filling the caller's frost_error. Never allocates. */
#include "core/common.h"

#include <stdio.h>

const char *frost_version(void) { return "0.1.0"; }
int frost_version_number(void) {
    return FROST_VERSION_MAJOR * 10000 + FROST_VERSION_MINOR * 100 + FROST_VERSION_PATCH;
}

const char *frost_status_name(frost_status s) {
    static const char *const names[] = {
        "FROST_OK",          "FROST_E_INVALID_ARG", "FROST_E_IO",        "FROST_E_FORMAT",
        "FROST_E_UNSUPPORTED", "FROST_E_LIMIT",     "FROST_E_SHAPE",     "FROST_E_DTYPE",
        "FROST_E_NOT_FOUND", "FROST_E_NOMEM",       "FROST_E_STATE",     "FROST_E_INTERNAL",
    };
    if ((unsigned)s < FROST_ARRAY_LEN(names)) return names[s];
    return "FROST_E_?";
}

/* Messages interpolate names from model files: every field is escaped (core/text.c). */
frost_status frost__vfail(frost_error *err, frost_status code, const char *node, const char *op,
                          int64_t file_offset, const char *fmt, va_list ap) {
    if (!err) return code;
    err->code = code;
    char raw[sizeof err->message * 2];
    vsnprintf(raw, sizeof raw, fmt, ap);
    frost_escape_text(err->message, sizeof err->message, raw);
    frost_escape_text(err->node, sizeof err->node, node);
    frost_escape_text(err->op, sizeof err->op, op);
    err->file_offset = file_offset;
    return code;
}

frost_status frost__fail(frost_error *err, frost_status code, const char *node, const char *op,
                         int64_t file_offset, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    frost__vfail(err, code, node, op, file_offset, fmt, ap);
    va_end(ap);
    return code;
}

void frost__clear_error(frost_error *err) {
    if (!err) return;
    err->code = FROST_OK;
    err->message[0] = err->node[0] = err->op[0] = 0;
    err->file_offset = -1;
}
