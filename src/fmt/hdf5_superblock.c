/* hdf5_superblock.c — finds and checks the HDF5 superblock (versions 0 to 3) in an in-memory image,
 * and the bounds-checked access every other part of the reader goes through (addresses, cursors,
 * error messages, the work budget).
 *
 * The superblock sits at offset 0, 512, 1024, 2048, ... (a user block may precede it); addresses in
 * the file count from there. It must never accept an image shorter than the end-of-file address
 * the superblock declares (that is how truncation shows), nor sizes of offsets/lengths other than
 * 2, 4 or 8 bytes. */
#include "fmt/hdf5_internal.h"

#include <stdio.h>

static const unsigned char h5_signature[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};

/* Image offset of the signature, or -1. */
static int64_t find_signature(const unsigned char *p, size_t size) {
    if (!p) return -1;
    for (size_t off = 0; off + 8 <= size; off = off ? off * 2 : 512) {
        if (!memcmp(p + off, h5_signature, 8)) return (int64_t)off;
        if (off >= ((size_t)1 << 40)) break;
    }
    return -1;
}

bool frost__h5_sniff(const void *data, size_t size) { return find_signature(data, size) >= 0; }

uint64_t frost__h5_addr(const h5_image *img, h5_cursor *c) {
    uint64_t v = h5_get(c, img->so);
    uint64_t all = img->so >= 8 ? UINT64_MAX : (((uint64_t)1 << (8 * img->so)) - 1);
    return v == all ? FROST_H5_UNDEF : v;
}

bool frost__h5_at(const h5_image *img, uint64_t addr, uint64_t len, h5_cursor *c) {
    memset(c, 0, sizeof *c);
    c->bad = true;
    if (addr == FROST_H5_UNDEF || addr > img->size || img->base > img->size - addr) return false;
    uint64_t off = img->base + addr;
    if (len > img->size - off) return false;
    c->p = img->data + off;
    c->n = (size_t)len;
    c->off = off;
    c->bad = false;
    return true;
}

bool frost__h5_at_open(const h5_image *img, uint64_t addr, h5_cursor *c) {
    if (addr == FROST_H5_UNDEF || addr > img->size || img->base > img->size - addr) {
        memset(c, 0, sizeof *c);
        c->bad = true;
        return false;
    }
    return frost__h5_at(img, addr, img->size - (img->base + addr), c);
}

int64_t frost__h5_offset(const h5_image *img, uint64_t addr) {
    if (addr == FROST_H5_UNDEF || addr > (uint64_t)INT64_MAX - img->base) return -1;
    return (int64_t)(img->base + addr);
}

frost_status frost__h5_corrupt(const h5_image *img, frost_error *err, uint64_t image_offset,
                               const char *fmt, ...) {
    char detail[384];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    return frost__fail(err, FROST_E_FORMAT, NULL, NULL,
                       image_offset > (uint64_t)INT64_MAX ? -1 : (int64_t)image_offset,
                       "%s is a corrupted or truncated HDF5 file: %s", img->what, detail);
}

frost_status frost__h5_work(h5_image *img, frost_error *err, uint64_t image_offset) {
    if (++img->work <= FROST_H5_MAX_OBJECTS) return FROST_OK;
    return frost__fail(err, FROST_E_LIMIT, NULL, NULL, (int64_t)FROST_MIN(image_offset, INT64_MAX),
                       "%s: more than %d objects, B-tree nodes and chunks (limit)", img->what,
                       FROST_H5_MAX_OBJECTS);
}

static bool size_ok(unsigned s) { return s == 2 || s == 4 || s == 8; }

frost_status frost__h5_superblock(h5_image *img, frost_error *err) {
    int64_t at = find_signature(img->data, img->size);
    if (at < 0)
        return frost__fail(err, FROST_E_FORMAT, NULL, NULL, 0,
                           "%s is not an HDF5 file (no HDF5 signature)", img->what);
    /* Addresses count from the superblock even when the stored base address says otherwise (a
     * user block added or removed after writing), as the HDF5 library does. */
    img->base = (uint64_t)at;
    h5_cursor c = {img->data + at, img->size - (size_t)at, 8, (uint64_t)at, false};
    unsigned version = (unsigned)h5_get(&c, 1);
    uint64_t eof;
    if (version <= 1) {
        h5_skip(&c, 4);   /* free-space, root symbol table entry, reserved, shared header versions */
        img->so = (unsigned)h5_get(&c, 1);
        img->sl = (unsigned)h5_get(&c, 1);
        h5_skip(&c, 1 + 2 + 2 + 4);   /* reserved, group leaf and internal K, consistency flags */
        if (version == 1) h5_skip(&c, 4);   /* indexed storage K, reserved */
        if (c.bad) return frost__h5_corrupt(img, err, (uint64_t)at, "the superblock is cut short");
        if (!size_ok(img->so) || !size_ok(img->sl))
            return frost__h5_corrupt(img, err, (uint64_t)at + 13,
                                     "the superblock declares %u-byte offsets and %u-byte lengths",
                                     img->so, img->sl);
        frost__h5_addr(img, &c);               /* base address (see above)            */
        frost__h5_addr(img, &c);               /* free-space info                     */
        eof = frost__h5_addr(img, &c);
        frost__h5_addr(img, &c);               /* driver information block            */
        /* Root group symbol table entry: link name offset, object header address, cache. */
        h5_len(img, &c);
        img->root = frost__h5_addr(img, &c);
        h5_skip(&c, 4 + 4 + 16);
    } else if (version == 2 || version == 3) {
        img->so = (unsigned)h5_get(&c, 1);
        img->sl = (unsigned)h5_get(&c, 1);
        h5_skip(&c, 1);                        /* consistency flags                   */
        if (c.bad) return frost__h5_corrupt(img, err, (uint64_t)at, "the superblock is cut short");
        if (!size_ok(img->so) || !size_ok(img->sl))
            return frost__h5_corrupt(img, err, (uint64_t)at + 9,
                                     "the superblock declares %u-byte offsets and %u-byte lengths",
                                     img->so, img->sl);
        frost__h5_addr(img, &c);               /* base address                        */
        frost__h5_addr(img, &c);               /* superblock extension                */
        eof = frost__h5_addr(img, &c);
        img->root = frost__h5_addr(img, &c);
        h5_skip(&c, 4);                        /* checksum                            */
    } else {
        return frost__fail(err, FROST_E_UNSUPPORTED, NULL, NULL, at + 8,
                           "%s: HDF5 superblock version %u is not supported (0 to 3 are)",
                           img->what, version);
    }
    if (c.bad) return frost__h5_corrupt(img, err, (uint64_t)at, "the superblock is cut short");
    /* The end-of-file address counts from the start of the file, user block included (unlike the
     * others): the HDF5 library compares it with the file's size to detect truncation. */
    if (eof == FROST_H5_UNDEF || eof > img->size)
        return frost__h5_corrupt(img, err, (uint64_t)at,
                                 "the superblock declares %llu bytes but the image holds %llu",
                                 (unsigned long long)eof, (unsigned long long)img->size);
    if (img->root == FROST_H5_UNDEF || img->root >= eof)
        return frost__h5_corrupt(img, err, (uint64_t)at,
                                 "the root group's address is outside the file");
    return FROST_OK;
}
