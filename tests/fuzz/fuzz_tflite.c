/* fuzz_tflite.c — libFuzzer target for the .tflite importer and its quantized kernels: every input
 * is loaded from memory with the format forced (so the FlatBuffers reader sees every mutation,
 * even of the "TFL3" identifier), the load-time passes run, and a model that loads is planned and
 * run once on zeros (the integer kernels read the importer's requantization data, so both are
 * fuzzed together; .tflite files are small enough for that). It must never touch files. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fuzz_load_memory(data, size, FROST_FORMAT_TFLITE, true);
    return 0;
}
