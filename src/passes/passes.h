/* passes.h — load-time graph passes, run once by frost__passes_run (pipeline.c) in this order:
 *   scope aliases (TF) -> fixed inputs -> learning phase -> user outputs -> shape inference ->
 *   constant folding -> Switch/Merge -> outputs (sinks) -> dropout masks -> pruning -> folding ->
 *   shape folding -> Switch/Merge -> (If with constant conditions -> pruning -> folding -> shape
 *   folding, until none is left) -> layout transposes -> pruning -> dilated convs -> Identity
 *   bypass -> pointwise activations -> zero pads into convs -> fusion -> compaction ->
 *   supported-ops check -> shape inference -> packing.
 * Each pass adds a line to the graph's report for what it changed (frost inspect shows them). */
#ifndef FROST_PASSES_PASSES_H
#define FROST_PASSES_PASSES_H

#include "core/graph.h"
#include "ops/op.h"

typedef struct frost__pass_options {
    const char *const *outputs;   /* user-requested outputs, NULL: sinks */
    int n_outputs;
    const frost_fixed_input *fixed_inputs; /* frost_load_options.fixed_inputs */
    int n_fixed_inputs;
} frost__pass_options;

frost_status frost__passes_run(frost__graph *g, const frost__pass_options *o, frost_error *err);

/* Individual passes (exposed for tests). */
void frost__pass_learning_phase(frost__graph *g);
/* Inputs fixed to scalar constants at load (--set). */
frost_status frost__pass_fixed_inputs(frost__graph *g, const frost_fixed_input *fixed, int n,
                                      frost_error *err);
/* TF graphs: a top-level name scope with one tensor leaving it names that tensor (Keras layers). */
frost_status frost__pass_scope_aliases(frost__graph *g, frost_error *err);
frost_status frost__pass_infer(frost__graph *g, frost_error *err);
frost_status frost__pass_fold(frost__graph *g, frost_error *err);
/* Folds small integer subgraphs (shape arithmetic) whose values don't depend on unknown dims. */
frost_status frost__pass_fold_shapes(frost__graph *g, frost_error *err);
frost_status frost__pass_switch_merge(frost__graph *g, frost_error *err);
/* Floor(keep_prob + uniform noise) that is one integer whatever the noise (keep_prob fixed to 1
 * by --set) becomes a Fill of the noise's shape (dropout_noise.c). */
frost_status frost__pass_dropout_noise(frost__graph *g, frost_error *err);
/* ONNX If nodes whose condition is a constant now: their outputs become the taken side's values.
 * Returns how many were resolved (the caller prunes, and folds again for nested conditions). */
int frost__pass_resolve_ifs(frost__graph *g);
/* Values no node consumes (the graph's sinks), as a bool per value id; NULL on OOM. */
bool *frost__pass_find_sinks(const frost__graph *g);
/* Without user outputs: the sinks become the outputs; when every sink was folded into a constant,
 * `first_sinks` (the sinks before folding, may be NULL) that are now constants. */
frost_status frost__pass_sinks_as_outputs(frost__graph *g, const bool *first_sinks,
                                          frost_error *err);
void frost__pass_prune(frost__graph *g);
/* SpaceToBatch -> conv -> BatchToSpace (TF's dilated conv) -> one dilated conv (dilated_conv.c). */
frost_status frost__pass_dilated_convs(frost__graph *g, frost_error *err);
/* Consumers of an Identity read its input instead (identity.c); names move along. */
void frost__pass_bypass_identities(frost__graph *g);
/* Elementwise subgraphs that spell one activation (HardSwish, Swish) become that UNARY op. */
/* Strided Conv1d(s) with a windowed DFT basis as filters -> one STFT node (stft_conv.c). */
frost_status frost__pass_stft_convs(frost__graph *g, frost_error *err);
frost_status frost__pass_pointwise(frost__graph *g, frost_error *err);
/* A zero Pad of H and W before a conv becomes the conv's explicit padding (pad_fold.c). */
frost_status frost__pass_fold_pads(frost__graph *g, frost_error *err);
/* Folds bias adds and activations into the MatMul/Conv before them. */
frost_status frost__pass_fuse(frost__graph *g, frost_error *err);
frost_status frost__pass_check_supported(const frost__graph *g, frost_error *err);
frost_status frost__pass_pack(frost__graph *g, frost_error *err);
/* Cancels inverse transpose pairs around NCHW ops (ONNX, NCHW TF graphs): passes/onnx_layout.c. */
frost_status frost__pass_cancel_transposes(frost__graph *g, frost_error *err);

/* "RandomUniform x1, Floor x1" for the nodes with mark[i] set, into buf. */
void frost__pass_op_histogram(const frost__graph *g, const bool *mark, char *buf, size_t cap);

#endif
