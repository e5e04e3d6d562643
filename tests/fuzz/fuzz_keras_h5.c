/* fuzz_keras_h5.c — libFuzzer target for the Keras .h5 (HDF5 with model_config) importer: every input is loaded from memory
 * with the format forced (so even bytes that look like another format reach this importer) and the
 * load-time passes run. HDF5 is parsed in-process by frost's own reader (src/fmt/hdf5*.c): any
 * sanitizer report is frost's. It must never plan or run the model (fuzz_run.c does) nor touch
 * files. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fuzz_load_memory(data, size, FROST_FORMAT_KERAS_H5, false);
    return 0;
}
