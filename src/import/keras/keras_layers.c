/* keras_layers.c — turns one call of one Keras layer into frost's canonical ops (NHWC activations,
 * HWIO filters exactly as Keras stores them): the table of every layer class frost translates,
 * with the inputs a call may have, and the dispatch that checks a call against its row before the
 * row's builder (keras_layers_*.c) runs. A class frost does not know becomes an UNSUPPORTED node,
 * so every unsupported layer is reported at once.
 *
 * It must never trust the config or the weights: builders type-check every field and compare
 * every weight shape with what the config implies, and failures name the layer and the field. It
 * never calls a file-format library; containers do.
 *
 * Naming: intermediate nodes are "<layer>/<step>"; the node producing the layer's output carries the
 * layer name itself, so the Keras layer name is the feed/fetch name. */
#include "import/keras/keras_layers.h"

#include "import/op_table.h"

/* Keras 1 with the Theano ordering stores conv kernels transposed and flipped. */
static bool theano_ordering(const frost__klayer *L) {
    const char *f = frost__json_get_str(L->cfg, "dim_ordering");
    return f && !strcmp(f, "th");
}

/* ---- The table -------------------------------------------------------------------------------- */

#define ANY FROST__OP_ANY
/* A one-input layer; the aliases Keras 1 and TF.js use get rows of their own. */
#define ONE(cls, build, fn, rank) {cls, build, fn, rank, 1, 1}
/* Merges check their own input counts (Subtract takes exactly 2). */
#define MERGE(cls, build, fn) {cls, build, fn, 0, 0, ANY}

_Static_assert(offsetof(keras_layer, name) == 0, "op_table.h finds rows by their leading name");

static const keras_layer keras_layers[] = {
    /* Nothing to compute at inference */
    ONE("Dropout", frost__keras_layer_identity, 0, 0),
    ONE("SpatialDropout1D", frost__keras_layer_identity, 0, 0),
    ONE("SpatialDropout2D", frost__keras_layer_identity, 0, 0),
    ONE("SpatialDropout3D", frost__keras_layer_identity, 0, 0),
    ONE("GaussianNoise", frost__keras_layer_identity, 0, 0),
    ONE("GaussianDropout", frost__keras_layer_identity, 0, 0),
    ONE("AlphaDropout", frost__keras_layer_identity, 0, 0),
    ONE("ActivityRegularization", frost__keras_layer_identity, 0, 0),
    {"Lambda", frost__keras_layer_lambda, 0, 0, 0, ANY},
    /* Core */
    ONE("Dense", frost__keras_layer_dense, 0, 0),
    ONE("Activation", frost__keras_layer_activation, 0, 0),
    ONE("Embedding", frost__keras_layer_embedding, 0, 0),
    ONE("Rescaling", frost__keras_layer_rescaling, 0, 0),
    /* Convolution (fn: 0 plain, 1 depthwise, 2 separable, 3 transposed) */
    ONE("Conv1D", frost__keras_layer_conv, 0, 1),
    ONE("Convolution1D", frost__keras_layer_conv, 0, 1),
    ONE("AtrousConvolution1D", frost__keras_layer_conv, 0, 1),
    ONE("Conv2D", frost__keras_layer_conv, 0, 2),
    ONE("Convolution2D", frost__keras_layer_conv, 0, 2),
    ONE("AtrousConvolution2D", frost__keras_layer_conv, 0, 2),
    ONE("DepthwiseConv2D", frost__keras_layer_conv, 1, 2),
    ONE("SeparableConv2D", frost__keras_layer_conv, 2, 2),
    ONE("SeparableConvolution2D", frost__keras_layer_conv, 2, 2),
    ONE("Conv2DTranspose", frost__keras_layer_conv, 3, 2),
    ONE("Convolution2DTranspose", frost__keras_layer_conv, 3, 2),
    /* Pooling (fn 1: max) */
    ONE("MaxPooling1D", frost__keras_layer_pool, 1, 1),
    ONE("MaxPool1D", frost__keras_layer_pool, 1, 1),
    ONE("MaxPooling2D", frost__keras_layer_pool, 1, 2),
    ONE("MaxPool2D", frost__keras_layer_pool, 1, 2),
    ONE("AveragePooling1D", frost__keras_layer_pool, 0, 1),
    ONE("AvgPool1D", frost__keras_layer_pool, 0, 1),
    ONE("AveragePooling2D", frost__keras_layer_pool, 0, 2),
    ONE("AvgPool2D", frost__keras_layer_pool, 0, 2),
    ONE("GlobalAveragePooling1D", frost__keras_layer_global_pool, 0, 1),
    ONE("GlobalAvgPool1D", frost__keras_layer_global_pool, 0, 1),
    ONE("GlobalAveragePooling2D", frost__keras_layer_global_pool, 0, 2),
    ONE("GlobalAvgPool2D", frost__keras_layer_global_pool, 0, 2),
    ONE("GlobalMaxPooling1D", frost__keras_layer_global_pool, 1, 1),
    ONE("GlobalMaxPool1D", frost__keras_layer_global_pool, 1, 1),
    ONE("GlobalMaxPooling2D", frost__keras_layer_global_pool, 1, 2),
    ONE("GlobalMaxPool2D", frost__keras_layer_global_pool, 1, 2),
    /* Normalization */
    ONE("BatchNormalization", frost__keras_layer_batch_norm, 0, 0),
    ONE("LayerNormalization", frost__keras_layer_layer_norm, 0, 0),
    /* Shape, padding, resizing */
    ONE("Flatten", frost__keras_layer_flatten, 0, 0),
    ONE("Reshape", frost__keras_layer_reshape, 0, 0),
    ONE("Permute", frost__keras_layer_permute, 0, 0),
    ONE("ZeroPadding1D", frost__keras_layer_pad_crop_1d, 0, 1),
    ONE("Cropping1D", frost__keras_layer_pad_crop_1d, 1, 1),
    ONE("ZeroPadding2D", frost__keras_layer_zero_pad, 0, 2),
    ONE("Cropping2D", frost__keras_layer_cropping, 0, 2),
    ONE("UpSampling2D", frost__keras_layer_upsampling, 0, 2),
    /* Merges */
    MERGE("Add", frost__keras_layer_merge, FROST__BIN_ADD),
    MERGE("Subtract", frost__keras_layer_merge, FROST__BIN_SUB),
    MERGE("Multiply", frost__keras_layer_merge, FROST__BIN_MUL),
    MERGE("Maximum", frost__keras_layer_merge, FROST__BIN_MAX),
    MERGE("Minimum", frost__keras_layer_merge, FROST__BIN_MIN),
    MERGE("Average", frost__keras_layer_average, 0),
    MERGE("Concatenate", frost__keras_layer_concat, 0),
    /* Activation layers */
    ONE("ReLU", frost__keras_layer_relu, 0, 0),
    ONE("LeakyReLU", frost__keras_layer_unary, FROST__ACT_LEAKY_RELU, 0),
    ONE("ELU", frost__keras_layer_unary, FROST__ACT_ELU, 0),
    ONE("PReLU", frost__keras_layer_prelu, 0, 0),
    ONE("Softmax", frost__keras_layer_softmax, 0, 0),
};

frost_status frost__keras_layer(frost__kctx *k, const frost__klayer *L, const int *in, int n_in,
                                int *out, int *n_out) {
    *n_out = 1;
    if (theano_ordering(L))
        return frost__keras_fail(k, L, FROST_E_UNSUPPORTED,
                                 "Keras 1 Theano dim_ordering 'th' is not supported (use 'tf')");
    size_t i = FROST__OP_TABLE_FIND(keras_layers, 0, L->cls);
    if (i < FROST_ARRAY_LEN(keras_layers)) {
        const keras_layer *e = &keras_layers[i];
        if (n_in < e->min_in || n_in > e->max_in) {
            char want[32];
            frost__op_table_arity(e->min_in, e->max_in, want, sizeof want);
            return frost__keras_fail(k, L, FROST_E_UNSUPPORTED,
                                     "takes %d inputs; frost supports %s", n_in, want);
        }
        return e->build(k, L, e, in, n_in, out);
    }
    /* Unknown: keep going so every unsupported layer is reported at once. */
    int node = frost__graph_add_node(k->g, L->node, L->cls, FROST__OP_UNSUPPORTED, n_in, in, 1,
                                     NULL, k->err);
    if (node < 0) return k->err ? k->err->code : FROST_E_NOMEM;
    k->n_unsupported++;
    *out = frost__graph_out(k->g, node, 0);
    return FROST_OK;
}

