/* crc32c.h — CRC-32C (Castagnoli), the checksum of LevelDB tables and TensorFlow checkpoints, and
 * the "masked" form both store (a rotation plus a constant, so a CRC of data holding CRCs is not
 * trivially related to them). */
#ifndef FROST_FMT_CRC32C_H
#define FROST_FMT_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/* Continues a CRC-32C over n more bytes; start with crc = 0. */
uint32_t frost__crc32c_extend(uint32_t crc, const void *data, size_t n);
static inline uint32_t frost__crc32c(const void *data, size_t n) {
    return frost__crc32c_extend(0, data, n);
}
static inline uint32_t frost__crc32c_mask(uint32_t crc) {
    return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
}
static inline uint32_t frost__crc32c_unmask(uint32_t masked) {
    uint32_t rot = masked - 0xa282ead8u;
    return (rot >> 17) | (rot << 15);
}

#endif
