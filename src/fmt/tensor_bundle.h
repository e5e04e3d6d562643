/* tensor_bundle.h — TensorFlow's checkpoint format ("tensor bundle"): the index table
 * (<prefix>.index, a LevelDB table mapping tensor names to BundleEntryProto records, the empty key
 * holding the BundleHeaderProto) and the data shards (<prefix>.data-NNNNN-of-MMMMM) holding the raw
 * tensor bytes. This reads the index and checks tensor bytes; finding the shard files is the
 * caller's job. No ML semantics beyond dtype sizes. */
#ifndef FROST_FMT_TENSOR_BUNDLE_H
#define FROST_FMT_TENSOR_BUNDLE_H

#include "core/common.h"

typedef struct frost__bundle_entry {
    char *name;             /* the checkpoint key ("dense/kernel/.ATTRIBUTES/VARIABLE_VALUE")   */
    int tf_dtype;           /* TensorFlow DataType number (1 DT_FLOAT, 3 DT_INT32, ...)          */
    frost__shape shape;     /* every dim >= 0                                                    */
    int shard;
    uint64_t offset, size;  /* bytes [offset, offset + size) of the shard                        */
    uint32_t crc32c;        /* unmasked CRC-32C of those bytes                                   */
    bool sliced;            /* a partitioned tensor (its slices are other entries): unsupported  */
} frost__bundle_entry;

typedef struct frost__bundle {
    frost_allocator alloc;
    int num_shards;
    frost__bundle_entry *entries;  /* in key order */
    int n_entries;
} frost__bundle;

/* Parses an index table. `what` names it in messages. Fails with FROST_E_FORMAT on any damage: the
 * table itself (fmt/sstable.h), a record that does not parse, no header, a big-endian bundle, a
 * shard id outside [0, num_shards), a size that disagrees with dtype x shape, duplicate keys. */
frost_status frost__bundle_read_index(const void *data, size_t size, const char *what,
                                      const frost_allocator *a, frost__bundle **out,
                                      frost_error *err);
void frost__bundle_free(frost__bundle *b);

/* The entry for a key, or NULL. */
const frost__bundle_entry *frost__bundle_find(const frost__bundle *b, const char *name);

/* Bytes per element of a TensorFlow dtype; 0 for variable-size (strings) or unknown dtypes. */
size_t frost__tf_dtype_bytes(int tf_dtype);

/* "<prefix>.data-00000-of-00001" into buf. */
void frost__bundle_shard_name(const char *prefix, int shard, int num_shards, char *buf, size_t cap);

/* Checks bytes read for an entry: their count and CRC-32C. `what` names the shard file. */
frost_status frost__bundle_check_data(const frost__bundle_entry *e, const void *bytes, size_t n,
                                      const char *what, frost_error *err);

#endif
