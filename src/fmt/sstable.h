/* sstable.h — reading a LevelDB-format table ("SSTable") held in memory: the container of
 * TensorFlow's checkpoint index (variables.index). Knows nothing of tensors: it checks the footer,
 * the block handles, each block's masked CRC-32C and restart array, decompresses Snappy blocks, and
 * hands every key/value pair to a visitor in file order. */
#ifndef FROST_FMT_SSTABLE_H
#define FROST_FMT_SSTABLE_H

#include "core/common.h"

/* Called once per entry. `key` and `value` are valid only during the call. `offset` is the file
 * offset of the data block holding the entry (for messages). A status other than FROST_OK stops the
 * walk and is returned. */
typedef frost_status (*frost__sstable_visit)(void *user, const uint8_t *key, size_t key_len,
                                             const uint8_t *value, size_t value_len,
                                             int64_t offset, frost_error *err);

/* Walks every entry of the table in data[0, size). `what` names the file in messages
 * ("variables/variables.index"). Damage (truncation, bad magic, a handle out of range, a CRC
 * mismatch, a malformed block or Snappy stream) gives FROST_E_FORMAT naming the file and offset;
 * a block that would decompress to more than `max_block_bytes` gives FROST_E_LIMIT. */
frost_status frost__sstable_walk(const void *data, size_t size, const char *what,
                                 const frost_allocator *a, size_t max_block_bytes,
                                 frost__sstable_visit visit, void *user, frost_error *err);

#endif
