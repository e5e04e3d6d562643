/* fuzz_savedmodel.c — libFuzzer target for the SavedModel loader as a whole (protobuf parsing,
 * MetaGraph and signature choice, function inlining, loop unrolling, variables frozen from the
 * checkpoint, the GraphDef import of the result, planning and a run on zeros). An input is
 * [u32 n][saved_model.pb: n bytes][u32 m][variables.index: m bytes][variables.data-00000-of-00001:
 * the rest], handed over as in-memory files (frost_load_options.files). It must never touch files. */
#include "fuzz_common.h"

static uint32_t get_u32(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 8) return 0;
    size_t n = get_u32(data);
    if (n > size - 8) return 0;
    const uint8_t *pb = data + 4;
    size_t m = get_u32(pb + n);
    if (m > size - 8 - n) return 0;
    const uint8_t *index = pb + n + 4;
    frost_memory_file files[2] = {
        {"variables/variables.index", index, m},
        {"variables/variables.data-00000-of-00001", index + m, size - 8 - n - m},
    };
    frost_load_options o = fuzz_options(FROST_FORMAT_SAVED_MODEL);
    o.files = files;
    o.n_files = 2;
    frost_model *model = NULL;
    frost_error err;
    frost_status st = frost_model_load_memory(n ? pb : (const uint8_t *)"", n, &o, &model, &err);
    fuzz_check_error(st, &err);
    if (st != FROST_OK) {
        if (model) abort();
        return 0;
    }
    fuzz_introspect(model);
    fuzz_run_zeros(model);
    frost_model_free(model);
    return 0;
}
