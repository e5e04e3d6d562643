/* options.c — reads the caller's versioned option structs by the rule in options.h and checks
 * their fields once, so the rest of the engine sees a complete, valid struct. */
#include "engine/options.h"

static frost_status read_versioned(const void *caller, size_t v1_size, size_t full_size,
                                   void *out, const char *type, frost_error *err) {
    size_t given = *(const size_t *)caller; /* struct_size is every option struct's first field */
    if (given == 0) given = v1_size;
    if (given < v1_size)
        return frost__fail(err, FROST_E_INVALID_ARG, NULL, NULL, -1,
                           "%s.struct_size is %zu: set it to sizeof(%s) (or 0 for the first "
                           "release's struct)", type, given, type);
    memcpy(out, caller, given < full_size ? given : full_size);
    *(size_t *)out = full_size;
    return FROST_OK;
}

frost_status frost__load_options_read(const frost_load_options *caller, frost_load_options *o,
                                      frost_error *err) {
    memset(o, 0, sizeof *o);
    o->struct_size = sizeof *o;
    if (!caller) return FROST_OK;
    FROST_TRY(read_versioned(caller, FROST__LOAD_OPTIONS_V1_SIZE, sizeof *o, o,
                             "frost_load_options", err));
    if (o->n_outputs < 0 || (o->n_outputs > 0 && !o->outputs))
        return frost__fail(err, FROST_E_INVALID_ARG, NULL, NULL, -1,
                           "n_outputs is %d but outputs is %s", o->n_outputs,
                           o->outputs ? "set" : "NULL");
    if (o->n_fixed_inputs < 0 || (o->n_fixed_inputs > 0 && !o->fixed_inputs))
        return frost__fail(err, FROST_E_INVALID_ARG, NULL, NULL, -1,
                           "n_fixed_inputs is %d but fixed_inputs is %s", o->n_fixed_inputs,
                           o->fixed_inputs ? "set" : "NULL");
    if (o->n_files < 0 || (o->n_files > 0 && !o->files))
        return frost__fail(err, FROST_E_INVALID_ARG, NULL, NULL, -1,
                           "n_files is %d but files is %s", o->n_files, o->files ? "set" : "NULL");
    if (o->weights_precision < FROST_PRECISION_F32 || o->weights_precision > FROST_PRECISION_INT8)
        return frost__fail(err, FROST_E_INVALID_ARG, NULL, NULL, -1,
                           "weights_precision %d is not a frost_precision (0 f32, 1 bf16, 2 int8)",
                           o->weights_precision);
    if (o->max_isa < FROST_ISA_AUTO || o->max_isa > FROST_ISA_AVX512)
        return frost__fail(err, FROST_E_INVALID_ARG, NULL, NULL, -1,
                           "max_isa %d is not a frost_isa (0 auto, 1 portable, 2 avx2, 3 avx512)",
                           o->max_isa);
    if (o->cblas_route < 0 || o->cblas_route > 2)
        return frost__fail(err, FROST_E_INVALID_ARG, NULL, NULL, -1,
                           "cblas_route %d is not 0 (default), 1 (none) or 2 (all)", o->cblas_route);
    return FROST_OK;
}

frost_status frost__session_options_read(const frost_session_options *caller,
                                         frost_session_options *o, frost_error *err) {
    memset(o, 0, sizeof *o);
    o->struct_size = sizeof *o;
    o->spin_us = -1;
    if (!caller) return FROST_OK;
    FROST_TRY(read_versioned(caller, FROST__SESSION_OPTIONS_V1_SIZE, sizeof *o, o,
                             "frost_session_options", err));
    if (o->n_outputs < 0 || (o->n_outputs > 0 && !o->outputs))
        return frost__fail(err, FROST_E_INVALID_ARG, NULL, NULL, -1,
                           "n_outputs is %d but outputs is %s", o->n_outputs,
                           o->outputs ? "set" : "NULL");
    if (o->n_threads < 0)
        return frost__fail(err, FROST_E_INVALID_ARG, NULL, NULL, -1, "n_threads is %d",
                           o->n_threads);
    return FROST_OK;
}
