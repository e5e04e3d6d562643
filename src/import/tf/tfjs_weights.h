/* tfjs_weights.h — the weightsManifest of a TensorFlow.js graph model: weight groups whose bytes are
 * split across shard files (read from beside model.json, or taken from the caller's in-memory
 * files), decoded into the values TF.js itself would hold. Private to src/import/tf. */
#ifndef FROST_IMPORT_TFJS_WEIGHTS_H
#define FROST_IMPORT_TFJS_WEIGHTS_H

#include "fmt/json.h"
#include "import/tf/tf_internal.h"

typedef enum frost__tfjs_quant {
    FROST__TFJS_Q_NONE = 0, FROST__TFJS_Q_UINT8, FROST__TFJS_Q_UINT16, FROST__TFJS_Q_FLOAT16,
    FROST__TFJS_Q_COUNT
} frost__tfjs_quant;

typedef struct frost__tfjs_weight {
    const char *name;       /* borrowed from the manifest JSON                                    */
    int tf_dtype;           /* DT_FLOAT, DT_INT32, DT_BOOL; DT_STRING / DT_COMPLEX64: no data       */
    frost__shape shape;
    void *data;             /* decoded little-endian values, 64-byte aligned from g->alloc; the
                             * caller may take it (then sets it NULL)                              */
    size_t nbytes;
    frost__tfjs_quant quant;
    /* Once `data` is taken: the bytes where they went, for a second Const of the same name (TF.js
     * gives every Const the weight of its name: a graph's and a function's may share one). */
    const ProtobufCBinaryData *given;
} frost__tfjs_weight;

/* Where the shards come from: files under `dir` ("" or a path ending in '/'), or, when `files` is
 * not NULL, the caller's in-memory files looked up by the manifest's relative paths. */
typedef struct frost__tfjs_shard_source {
    const char *dir;
    const frost_memory_file *files;
    int n_files;
    uint64_t max_shard_bytes;   /* one shard file's limit (max_file_bytes)                     */
} frost__tfjs_shard_source;

typedef struct frost__tfjs_weights {
    frost__tfjs_weight *w;
    int n;
    int *hash;              /* open addressing over names: index + 1, 0 empty                     */
    size_t hash_mask;
    int n_shards;
    uint64_t shard_bytes;
    int n_quant[FROST__TFJS_Q_COUNT];
} frost__tfjs_weights;

/* Reads every group of `manifest` (may be absent: no weights). On failure `out` still needs
 * frost__tfjs_weights_free. Errors name the weight, the group and the shard. */
frost_status frost__tfjs_read_weights(frost__graph *g, const frost__json *manifest,
                                      const frost__tfjs_shard_source *src,
                                      frost__tfjs_weights *out, frost_error *err);

/* The weight of that name (the last one listed, as TF.js keeps), or NULL. */
frost__tfjs_weight *frost__tfjs_find_weight(const frost__tfjs_weights *w, const char *name);

void frost__tfjs_weights_free(frost__graph *g, frost__tfjs_weights *w);

#endif /* FROST_IMPORT_TFJS_WEIGHTS_H */
