/* options.h — the one rule for frost's versioned option structs (frost_load_options,
 * frost_session_options): the caller's struct_size says how much of the struct its frost.h had.
 * frost starts from the current version's defaults and copies only the caller's bytes over them,
 * so a field the caller's version lacks takes its documented default and nothing past the caller's
 * struct is ever read. struct_size 0 means the first release's struct. */
#ifndef FROST_ENGINE_OPTIONS_H
#define FROST_ENGINE_OPTIONS_H

#include "core/common.h"

/* The size of each struct in frost 0.1.0, the first release (what struct_size 0 means). */
#define FROST__LOAD_OPTIONS_V1_SIZE \
    (offsetof(frost_load_options, max_nodes) + sizeof(int64_t))
#define FROST__SESSION_OPTIONS_V1_SIZE \
    offsetof(frost_session_options, spin_us)

/* *out = the caller's options (NULL: all defaults) over the defaults. Fails on a struct_size that is
 * neither 0 nor at least the first release's size, and on inconsistent fields. */
frost_status frost__load_options_read(const frost_load_options *caller, frost_load_options *out,
                                      frost_error *err);
frost_status frost__session_options_read(const frost_session_options *caller,
                                         frost_session_options *out, frost_error *err);

#endif
