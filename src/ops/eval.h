/* eval.h — running single nodes outside a session: shape inference for one node, and evaluating a
 * node whose inputs are known (load-time constant folding, plan-time shape computations). The arrays
 * are indexed by value id, like frost__exec's. */
#ifndef FROST_ENGINE_EVAL_H
#define FROST_ENGINE_EVAL_H

#include "ops/op.h"

/* Infers node n's output dtypes and shapes into dtype[]/shape[] from its inputs' entries. data[v]
 * is a value's bytes when known (else NULL). planning: every shape must come out known. */
frost_status frost__infer_node(const frost__node *n, frost_dtype *dtype, frost__shape *shape,
                               void *const *data, bool planning, frost_error *err);

/* Infers, then computes node n single-threaded. Output buffers are allocated with `a` into
 * data[out[k]] (the caller frees them); sizes into nbytes[out[k]] when nbytes is non-NULL. On failure
 * nothing stays allocated. */
frost_status frost__eval_node(const frost__node *n, const frost_allocator *a, frost_dtype *dtype,
                              frost__shape *shape, void **data, size_t *nbytes, frost_error *err);

#endif
