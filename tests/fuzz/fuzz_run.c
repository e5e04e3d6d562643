/* fuzz_run.c — libFuzzer target that goes past parsing: the format is detected from the content
 * (GraphDef, ONNX, Keras .h5 or .keras), the model is loaded, a session is planned with unknown
 * dimensions set to 1, every input is filled with zeros and the model runs; outputs are read back.
 * Seeded with every format's fixtures. It must never touch files. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fuzz_load_memory(data, size, FROST_FORMAT_AUTO, true);
    return 0;
}
