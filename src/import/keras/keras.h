/* keras.h — the Keras config → frost IR translation shared by the three Keras containers (.h5,
 * .keras, TF.js layers). Containers parse their file into a JSON model config ({class_name, config})
 * and a weight source; keras_model.c walks Sequential and functional models (nested ones too) and
 * keras_layers.c turns each layer call into canonical ops through its layer table (the builders
 * and their toolkit: keras_layers.h). Private to src/import/keras. */
#ifndef FROST_IMPORT_KERAS_H
#define FROST_IMPORT_KERAS_H

#include "core/graph.h"
#include "fmt/json.h"

typedef enum frost__keras_flavor {
    FROST__KERAS_2 = 0,   /* Keras 1/2 and tf.keras: .h5 written by Keras 2                    */
    FROST__KERAS_3,       /* Keras 3: .keras and .h5 written by Keras 3                        */
    FROST__KERAS_TFJS     /* TensorFlow.js layers models                                       */
} frost__keras_flavor;

/* Where a container's weights come from. `path` names the layer: enclosing models (outermost first)
 * then the layer itself. `roles` lists the names the weight may carry, '|'-separated
 * ("depthwise_kernel|kernel"); `index` is its position among the layer's weights (Keras order:
 * kernel, bias; gamma, beta, moving_mean, moving_variance; ...). On success *data (f32, allocated
 * with the graph's allocator, owned by the caller) and *shape are set. A missing weight returns
 * FROST_E_NOT_FOUND; the caller turns it into a message naming the layer. */
typedef struct frost__keras_weights {
    void *ctx;
    frost_status (*fetch)(void *ctx, const char *const *path, int npath, const char *roles,
                          int index, float **data, frost__shape *shape, frost_error *err);
} frost__keras_weights;

/* Container facts the translation needs beyond the config. */
typedef struct frost__keras_info {
    /* Keras < 2.4 (TF 1 era) resized bilinear with asymmetric coordinates; tf.keras 2.4+ and
     * Keras 3 use half-pixel centers. */
    bool legacy_bilinear;
} frost__keras_info;

/* Builds the graph for `model` (the object holding class_name and config). Adds the graph inputs
 * (InputLayer names), nodes named after their layers (every layer's output is findable by the layer
 * name), the outputs, and one report line per layer with its parameter count. */
frost_status frost__keras_build(frost__graph *g, const frost__json *model, frost__keras_flavor flavor,
                                const frost__keras_weights *weights, const frost__keras_info *info,
                                frost_error *err);

/* For name-keyed containers (.h5 weight_names, TF.js manifest): picks the entry of `names` that
 * holds weight `roles`/`index` of the layer at `path`, or -1. Names look like "dense_1/kernel:0",
 * "model/dense/kernel" or just "kernel" (Keras 3 .h5, one list per layer group). */
int frost__keras_match_weight(const char *const *names, int n, const char *const *path, int npath,
                              const char *roles, int index);
/* The same for a list holding only this layer's weights (a .h5 layer group): when no name spells
 * the layer (renamed layers), falls back to position, as Keras itself loads. */
int frost__keras_match_weight_own(const char *const *names, int n, const char *const *path,
                                  int npath, const char *roles, int index);

/* ---- Shared between keras_model.c and the layer translations --------------------------------- */

#define FROST_KERAS_MAX_DEPTH 16
#define FROST_KERAS_MAX_OUTPUTS 64

typedef struct frost__kctx {
    frost__graph *g;
    frost__keras_flavor flavor;
    frost__keras_info info;
    const frost__keras_weights *w;
    frost_error *err;
    const char *path[FROST_KERAS_MAX_DEPTH];   /* enclosing models, for weight lookup       */
    int npath;
    char prefix[512];                          /* "outer/inner/" for nested models' nodes   */
    char wprefix[512];                         /* the same without call suffixes: weights of
                                                * a model called twice are shared            */
    int quiet;                                 /* > 0: inside a repeated call of a nested
                                                * model, already in the report              */
    int64_t layer_params;                      /* weights fetched for the current layer     */
    struct frost__ksummary *rows;              /* the summary table, written at the end     */
    int n_rows, cap_rows;
    int64_t total_params;
    int n_unsupported;
} frost__kctx;

/* One row of the model.summary()-like table. */
typedef struct frost__ksummary {
    char *node;              /* owned                                                         */
    const char *cls;         /* borrowed from the config                                      */
    int64_t params;
} frost__ksummary;

/* One call of a layer. */
typedef struct frost__klayer {
    const char *name;        /* the Keras layer name                                         */
    const char *cls;         /* class_name                                                   */
    const frost__json *cfg;  /* the layer's config object                                    */
    const char *node;        /* frost node name for the layer's output (prefix + name [+ call]) */
} frost__klayer;

/* Translates one layer call: in[n_in] → out[*n_out] (value ids). Layers that hold no op (Dropout)
 * return their input. Unknown classes become UNSUPPORTED nodes (counted in k->n_unsupported). */
frost_status frost__keras_layer(frost__kctx *k, const frost__klayer *L, const int *in, int n_in,
                                int *out, int *n_out);

/* Fills err with "layer 'name' (Class): <message>". Returns code. */
frost_status frost__keras_fail(frost__kctx *k, const frost__klayer *L, frost_status code,
                               const char *fmt, ...) FROST_PRINTF(4, 5);

/* Reads a shape list ([null, 28, 28, 1]) into s (null → -1), checking dims against limits; the
 * message names `field`. */
frost_status frost__keras_shape(frost__kctx *k, const frost__klayer *L, const frost__json *list,
                                const char *field, frost__shape *s);

frost_dtype frost__keras_dtype(const char *name);

#endif /* FROST_IMPORT_KERAS_H */
