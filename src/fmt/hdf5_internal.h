/* hdf5_internal.h — the pieces of frost's own HDF5 reader (src/fmt/hdf5*.c) that share state: the
 * in-memory image with bounds-checked cursors, parsed object headers, datatypes, dataspaces and the
 * errors they report. Private to src/fmt/hdf5*.c; importers use fmt/hdf5.h only.
 *
 * Every structure is read through an h5_cursor over a range already checked against the image, so a
 * field that runs past its range reads as zero and marks the cursor bad instead of reading outside
 * the image. File addresses are relative to the superblock (the "base address"). */
#ifndef FROST_FMT_HDF5_INTERNAL_H
#define FROST_FMT_HDF5_INTERNAL_H

#include "core/common.h"
#include "fmt/hdf5.h"

#define FROST_H5_MAX_CHILDREN 100000        /* links in one group                               */
#define FROST_H5_MAX_DEPTH 64               /* group nesting, B-tree levels                     */
#define FROST_H5_MAX_OBJECTS 1000000        /* objects, B-tree nodes and chunks per file        */
#define FROST_H5_MAX_HEADER_CHUNKS 1024     /* continuation blocks in one object header         */
#define FROST_H5_MAX_MESSAGES 65536         /* messages in one object header                    */
#define FROST_H5_DEFAULT_ATTR_MAX ((size_t)64 << 20)
#define FROST_H5_UNDEF UINT64_MAX           /* the "undefined address" (all bits set)           */

/* The file image and what every parser needs to report an error. */
typedef struct h5_image {
    const uint8_t *data;
    size_t size;
    uint64_t base;            /* image offset of the superblock: file addresses start here        */
    unsigned so, sl;          /* sizes of offsets and of lengths (2, 4 or 8)                        */
    uint64_t root;            /* address of the root group's object header                         */
    const char *what;         /* the file's name in messages                                       */
    const frost_allocator *a;
    uint64_t work;            /* B-tree nodes, heap objects and chunks visited (bounded)            */
} h5_image;

/* A little-endian reader over bytes[0..n) at image offset `off`. */
typedef struct h5_cursor {
    const uint8_t *p;
    size_t n, at;
    uint64_t off;
    bool bad;                 /* a read ran past n: later reads return 0                            */
} h5_cursor;

static inline uint64_t h5_get(h5_cursor *c, unsigned bytes) {
    if (c->bad || bytes > c->n - c->at) {
        c->bad = true;
        return 0;
    }
    uint64_t v = 0;
    for (unsigned i = 0; i < bytes && i < 8; i++) v |= (uint64_t)c->p[c->at + i] << (8 * i);
    c->at += bytes;
    return v;
}
static inline const uint8_t *h5_take(h5_cursor *c, size_t bytes) {
    if (c->bad || bytes > c->n - c->at) {
        c->bad = true;
        return NULL;
    }
    const uint8_t *p = c->p + c->at;
    c->at += bytes;
    return p;
}
static inline void h5_skip(h5_cursor *c, size_t bytes) { (void)h5_take(c, bytes); }
static inline uint64_t h5_here(const h5_cursor *c) { return c->off + c->at; }
/* An address (FROST_H5_UNDEF when all bits are set) or a length. */
uint64_t frost__h5_addr(const h5_image *img, h5_cursor *c);
static inline uint64_t h5_len(const h5_image *img, h5_cursor *c) { return h5_get(c, img->sl); }

/* A cursor over `len` bytes at file address `addr`; false when they are not all in the image. */
bool frost__h5_at(const h5_image *img, uint64_t addr, uint64_t len, h5_cursor *c);
/* A cursor from `addr` to the end of the image (structures whose length comes from a field). */
bool frost__h5_at_open(const h5_image *img, uint64_t addr, h5_cursor *c);
/* Image offset of a file address, for messages (-1 when it does not fit). */
int64_t frost__h5_offset(const h5_image *img, uint64_t addr);

/* FROST_E_FORMAT (or `code`) "<what> is a corrupted or truncated HDF5 file: <detail>" at offset. */
frost_status frost__h5_corrupt(const h5_image *img, frost_error *err, uint64_t image_offset,
                               const char *fmt, ...) FROST_PRINTF(4, 5);
/* Counts one unit of work; fails with FROST_E_LIMIT past FROST_H5_MAX_OBJECTS. */
frost_status frost__h5_work(h5_image *img, frost_error *err, uint64_t image_offset);

/* ---- Superblock (hdf5_superblock.c) ----------------------------------------------------------- */
/* Finds the superblock and fills base, so, sl and root; checks the declared end of file. */
frost_status frost__h5_superblock(h5_image *img, frost_error *err);

/* ---- Object headers (hdf5_object_header.c) -------------------------------------------------- */
enum {
    H5M_NIL = 0x00, H5M_DATASPACE = 0x01, H5M_LINK_INFO = 0x02, H5M_DATATYPE = 0x03,
    H5M_FILL_OLD = 0x04, H5M_FILL = 0x05, H5M_LINK = 0x06, H5M_LAYOUT = 0x08,
    H5M_FILTERS = 0x0B, H5M_ATTRIBUTE = 0x0C, H5M_CONTINUATION = 0x10, H5M_SYMBOL_TABLE = 0x11,
    H5M_ATTRIBUTE_INFO = 0x15
};
#define H5M_FLAG_SHARED 0x02

typedef struct h5_message {
    uint16_t type;
    uint8_t flags;
    uint64_t off;             /* image offset of the message's data                                */
    const uint8_t *p;
    size_t n;
} h5_message;

typedef struct h5_object_header {
    uint64_t addr;            /* file address                                                      */
    h5_message *m;
    int n, cap;
} h5_object_header;

/* Parses the version 1 or 2 object header at `addr`, following continuation blocks. */
frost_status frost__h5_object_header(h5_image *img, uint64_t addr, h5_object_header *oh,
                                     frost_error *err);
void frost__h5_object_header_free(const h5_image *img, h5_object_header *oh);
/* The first message of `type`, or NULL. */
const h5_message *frost__h5_find_message(const h5_object_header *oh, unsigned type);
static inline h5_cursor h5_message_cursor(const h5_message *m) {
    h5_cursor c = {m->p, m->n, 0, m->off, false};
    return c;
}

/* ---- Groups (hdf5_group.c) ------------------------------------------------------------------ */
typedef struct h5_link {
    char *name;
    uint64_t addr;            /* object header of a hard link                                      */
} h5_link;

/* The hard links of a group (symbol table or link messages), sorted by name, duplicates dropped.
 * Soft and external links are left out. Free with frost__h5_links_free. */
frost_status frost__h5_group_links(h5_image *img, const h5_object_header *oh, h5_link **links,
                                   int *n, frost_error *err);
void frost__h5_links_free(const h5_image *img, h5_link *links, int n);

/* ---- Dense storage: fractal heap + version 2 B-tree name index (hdf5_dense.c) ---------------- */
typedef frost_status (*frost__h5_dense_fn)(h5_image *img, const h5_message *m, void *ctx,
                                           frost_error *err);
/* Calls fn with every message (links: H5M_LINK, attributes: H5M_ATTRIBUTE) stored in the fractal
 * heap at heap_addr and indexed by the name B-tree at btree_addr. */
frost_status frost__h5_dense_messages(h5_image *img, uint64_t heap_addr, uint64_t btree_addr,
                                      unsigned msg_type, frost__h5_dense_fn fn, void *ctx,
                                      frost_error *err);

/* ---- Datatypes and dataspaces (hdf5_datatype.c) ---------------------------------------------- */
typedef enum h5_type_class {
    H5T_FIXED = 0, H5T_FLOATING = 1, H5T_STRING_FIXED = 3, H5T_VLEN = 9, H5T_OTHER_CLASS = 255
} h5_type_class;

typedef struct h5_datatype {
    int cls;                  /* the class number in the file (0 fixed-point, 1 float, 3 string...) */
    uint32_t size;            /* bytes per element in the file                                     */
    bool big_endian, is_signed;
    bool supported_number;    /* an integer or IEEE float frost__h5_to_f32 converts                */
    bool vlen_string;         /* class 9 of type string                                            */
    int float_bits;           /* 16, 32, 64                                                        */
} h5_datatype;

typedef struct h5_dataspace {
    bool null;                /* no elements at all (H5S_NULL)                                     */
    int rank;                 /* 0: scalar                                                         */
    uint64_t dims[32];
} h5_dataspace;

/* Parse a datatype / dataspace message (the cursor is left after it). */
frost_status frost__h5_datatype(const h5_image *img, h5_cursor *c, h5_datatype *t, frost_error *err);
frost_status frost__h5_dataspace(const h5_image *img, h5_cursor *c, h5_dataspace *s,
                                 frost_error *err);
/* Elements of a dataspace; false on overflow. */
bool frost__h5_dataspace_count(const h5_dataspace *s, uint64_t *count);
/* Converts n elements of type t in place: buf holds n * t->size bytes at its start and has room
 * for n floats; on return it holds n floats. */
void frost__h5_to_f32(const h5_datatype *t, void *buf, size_t n);

/* ---- Dataset storage (hdf5_storage.c) -------------------------------------------------------- */
/* Reads the raw elements of a dataset (n > 0 elements of t->size bytes) into buf (room for
 * n * max(t->size, 4) bytes). Fails with FROST_E_FORMAT "declares shape ... but stores only N
 * bytes" when the file holds no data for it. With buf NULL it only checks the layout and what is
 * stored (cheap: chunks are not visited), before the caller allocates for the elements. */
frost_status frost__h5_read_raw(h5_image *img, const h5_object_header *oh, const char *path,
                                const h5_dataspace *space, const h5_datatype *t, void *buf,
                                frost_error *err);

/* ---- Variable-length data in global heaps (hdf5_global_heap.c) ------------------------------- */
typedef struct h5_global_heap_entry {
    uint32_t index;
    uint64_t off, len;        /* image offset and length of the object's data                      */
} h5_global_heap_entry;

typedef struct h5_global_heap_cache {
    uint64_t addr;            /* collection indexed below (FROST_H5_UNDEF: none)                   */
    h5_global_heap_entry *e;  /* its objects, sorted by index                                      */
    int n;
} h5_global_heap_cache;

/* The bytes of object `index` in the collection at `addr`. */
frost_status frost__h5_global_heap_object(h5_image *img, h5_global_heap_cache *cache, uint64_t addr,
                                          uint32_t index, const uint8_t **data, uint64_t *len,
                                          frost_error *err);
void frost__h5_global_heap_cache_free(const h5_image *img, h5_global_heap_cache *cache);

/* ---- Attributes (hdf5_attribute.c) ----------------------------------------------------------- */
typedef struct h5_attribute {
    char *name;
    bool is_string, variable;
    char **s;                 /* the strings (is_string and status OK)                             */
    int n;
    frost_status status;      /* a string attribute that could not be read: why                   */
    char *message;
    int64_t offset;
} h5_attribute;

/* The attributes of an object (in its header or in dense storage); only strings are read, others
 * are named. */
frost_status frost__h5_attributes(h5_image *img, const h5_object_header *oh, const char *path,
                                  h5_attribute **attrs, int *n, frost_error *err);
void frost__h5_attribute_free(const h5_image *img, h5_attribute *at);

#endif /* FROST_FMT_HDF5_INTERNAL_H */
