/* fuzz_tensor_bundle.c — libFuzzer target for the TensorFlow checkpoint index reader: every input
 * is parsed as a variables.index table (fmt/sstable.c: footer, block handles, CRCs, Snappy blocks,
 * prefix-compressed keys; fmt/tensor_bundle.c: BundleEntryProto records). On success every entry
 * is looked up by name and its recorded byte range, when the input itself holds it, is checked as
 * tensor data would be. It must never touch files. */
#include "fuzz_common.h"

#include "fmt/tensor_bundle.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    frost__bundle *b = NULL;
    frost_error err;
    memset(&err, 0, sizeof err);
    frost_status st = frost__bundle_read_index(data, size, "fuzz.index", &fuzz_allocator, &b, &err);
    fuzz_check_error(st, &err);
    if (st != FROST_OK) return 0;
    for (int i = 0; i < b->n_entries; i++) {
        const frost__bundle_entry *e = &b->entries[i];
        if (frost__bundle_find(b, e->name) != e) abort();  /* sorted and unique: must be found */
        if (e->offset <= size && e->size <= size - e->offset) {
            frost_error e2;
            st = frost__bundle_check_data(e, data + e->offset, (size_t)e->size, "fuzz.data", &e2);
            fuzz_check_error(st, &e2);
        }
    }
    frost__bundle_free(b);
    return 0;
}
