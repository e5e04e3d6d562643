/* keras_layers.h — what the Keras layer translations share: the layer table's row type, the
 * toolkit every builder uses to read a layer's config and weights and add frost nodes for it
 * (keras_build.c), and the builders of each family (keras_layers_core.c, keras_layers_nn.c,
 * keras_layers_shape.c), which the table in keras_layers.c lists. Private to src/import/keras.
 *
 * A builder may assume what its table row promises: the call has between min_in and max_in
 * inputs (in[0] exists for one-input layers). */
#ifndef FROST_IMPORT_KERAS_LAYERS_H
#define FROST_IMPORT_KERAS_LAYERS_H

#include "import/keras/keras.h"

/* The largest dimension a config may declare. */
#define KMAX_DIM ((int64_t)1 << 31)

/* Returns the recorded failure when a value id is negative. Needs `k` in scope. */
#define TRY_V(expr)                                                   \
    do {                                                              \
        if ((expr) < 0) return k->err ? k->err->code : FROST_E_NOMEM; \
    } while (0)

/* ==== The layer table (keras_layers.c) ======================================================== */

typedef struct keras_layer keras_layer;
/* A builder: translates call L (inputs in[n_in]) of a layer of row e; *out is its output value. */
typedef frost_status keras_build_fn(frost__kctx *k, const frost__klayer *L, const keras_layer *e,
                                    const int *in, int n_in, int *out);
struct keras_layer {
    const char *name;     /* class_name                                                        */
    keras_build_fn *build;
    int fn;               /* unary/binary function, or a builder-specific variant               */
    int rank;             /* spatial dims of convolutions and pools                            */
    int min_in, max_in;   /* inputs the call may have                                          */
};

/* ==== Toolkit (keras_build.c) ================================================================= */

/* ---- Config ---- */
/* A config field, also under its Keras 1 name when the Keras 2 name is absent. */
const frost__json *frost__keras_cfg(const frost__klayer *L, const char *key);
bool frost__keras_cfg_bool(const frost__klayer *L, const char *key, bool dflt);
/* An integer field (or a one-element list) within [lo, hi]; dflt when absent. */
frost_status frost__keras_get_int(frost__kctx *k, const frost__klayer *L, const char *key,
                                  int64_t dflt, int64_t lo, int64_t hi, int64_t *out);
frost_status frost__keras_get_float(frost__kctx *k, const frost__klayer *L, const char *key,
                                    double dflt, double *out);
/* n ints from an int or a list of n ints (kernel_size, strides, ...). */
frost_status frost__keras_get_ints(frost__kctx *k, const frost__klayer *L, const char *key, int n,
                                   int dflt, int lo, int hi, int *out);
bool frost__keras_channels_first(const frost__klayer *L);
/* "valid", "same" (and "causal" when allowed) as frost's padding. */
frost_status frost__keras_get_padding(frost__kctx *k, const frost__klayer *L, bool allow_causal,
                                      frost__padding *pad, bool *causal);

/* ---- Adding nodes and constants ---- */
/* "<layer node>/<step>". */
const char *frost__keras_step_name(const frost__klayer *L, const char *step, char *buf, size_t cap);
/* Adds a node; `step` NULL names it after the layer. Returns output 0's value id or -1. */
int frost__keras_emit(frost__kctx *k, const frost__klayer *L, const char *step, int op, int n_in,
                      const int *in, const frost__params *p);
int frost__keras_const_i64(frost__kctx *k, const frost__klayer *L, const char *step,
                           const int64_t *v, int n, bool scalar);
int frost__keras_const_f32(frost__kctx *k, const frost__klayer *L, const char *step,
                           const float *v, const frost__shape *s);
int frost__keras_transpose(frost__kctx *k, const frost__klayer *L, const char *step, int x,
                           const int64_t *perm, int rank);
/* NC... -> N...C and back, for channels_first layers; `last` names the node after the layer. */
int frost__keras_to_channels_last(frost__kctx *k, const frost__klayer *L, int x, int rank);
int frost__keras_to_channels_first(frost__kctx *k, const frost__klayer *L, int x, int rank,
                                   bool last);

/* ---- Weights ---- */
/* Fetches a weight as a constant named "<layer>/<role>"; shared layers reuse the first call's. */
frost_status frost__keras_weight(frost__kctx *k, const frost__klayer *L, const char *roles,
                                 int index, int *value, frost__shape *shape);
/* Checks a weight's shape: want[i] < 0 matches anything. */
frost_status frost__keras_expect_shape(frost__kctx *k, const frost__klayer *L, const char *field,
                                       const frost__shape *got, int rank, const int64_t *want);

/* ---- Activations ---- */
/* Activation name of a layer config: a string, or Keras 3's {"class_name": ..., "config": ...}. */
const char *frost__keras_activation_name(const frost__json *v);
/* Applies activation `name` to x; `last` names the node after the layer. */
frost_status frost__keras_apply_activation(frost__kctx *k, const frost__klayer *L,
                                           const char *name, int x, bool last, int *out);
/* The layer's activation when MatMul / Conv can apply it themselves. */
bool frost__keras_fusable_activation(const frost__kctx *k, const frost__klayer *L,
                                     frost__act_params *ap);
/* True when an activation node must follow the layer's main op. */
bool frost__keras_has_activation(const frost__kctx *k, const frost__klayer *L);

/* ==== Builders, by family ===================================================================== */

/* keras_layers_core.c: Dense, activations, Embedding, Rescaling, merges, pass-throughs */
keras_build_fn frost__keras_layer_identity;
keras_build_fn frost__keras_layer_lambda;
keras_build_fn frost__keras_layer_dense;
keras_build_fn frost__keras_layer_activation;
keras_build_fn frost__keras_layer_relu;
keras_build_fn frost__keras_layer_unary;
keras_build_fn frost__keras_layer_prelu;
keras_build_fn frost__keras_layer_softmax;
keras_build_fn frost__keras_layer_embedding;
keras_build_fn frost__keras_layer_rescaling;
keras_build_fn frost__keras_layer_merge;
keras_build_fn frost__keras_layer_average;
keras_build_fn frost__keras_layer_concat;

/* keras_layers_nn.c: convolution, pooling, normalization */
keras_build_fn frost__keras_layer_conv;
keras_build_fn frost__keras_layer_pool;
keras_build_fn frost__keras_layer_global_pool;
keras_build_fn frost__keras_layer_batch_norm;
keras_build_fn frost__keras_layer_layer_norm;

/* keras_layers_shape.c: reshaping, padding, cropping, resizing */
keras_build_fn frost__keras_layer_reshape;
keras_build_fn frost__keras_layer_permute;
keras_build_fn frost__keras_layer_flatten;
keras_build_fn frost__keras_layer_zero_pad;
keras_build_fn frost__keras_layer_cropping;
keras_build_fn frost__keras_layer_pad_crop_1d;
keras_build_fn frost__keras_layer_upsampling;

#endif /* FROST_IMPORT_KERAS_LAYERS_H */
