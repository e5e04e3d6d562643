/* onnx_internal.h — what the ONNX importer's two halves share: onnx_import.c (the file: model,
 * graph, tensors, names) and the op translations (onnx_ops.c, the table that dispatches each
 * op_type to its builder; onnx_ops.h for the builders' side). Also used by the conformance runner
 * to decode the suite's TensorProto .pb files. Private to frost. */
#ifndef FROST_IMPORT_ONNX_INTERNAL_H
#define FROST_IMPORT_ONNX_INTERNAL_H

#include "core/graph.h"
#include "onnx.pb-c.h"

/* ONNX TensorProto.DataType -> frost dtype; INVALID for types frost cannot hold (complex, fp8). */
frost_dtype frost__onnx_dtype(int onnx_type);

/* Decodes a TensorProto (raw_data or the typed fields) into bytes allocated with `a`. Checks the
 * dims (rank <= FROST_MAX_RANK, no negative or overflowing dims), the byte count against
 * max_bytes (0: no limit), and that the data fills the shape exactly. `what` names the tensor
 * in errors. */
frost_status frost__onnx_decode_tensor(const FrostOnnx__TensorProto *t, const frost_allocator *a,
                                       uint64_t max_bytes, const char *what, frost_dtype *dtype,
                                       frost__shape *shape, void **data, size_t *nbytes,
                                       frost_error *err);

/* A ProtobufCAllocator routing protobuf-c's allocations through a frost_allocator. */
void frost__onnx_pb_allocator(ProtobufCAllocator *pa, const frost_allocator *a);

/* ---- Import state shared with the op translations ------------------------------------------- */

typedef struct onnx_name_slot {
    const char *key;       /* borrowed from the parsed model                                  */
    int value;             /* frost value id; -1 while declared but not yet produced           */
    int uses;              /* consumers in the graph, graph outputs counted                  */
} onnx_name_slot;

/* A subgraph attribute (If's then_branch/else_branch, Loop's body) and its unpacked graph. */
typedef struct onnx_subgraph {
    const FrostOnnx__AttributeProto *attr;
    FrostOnnx__GraphProto *g;
} onnx_subgraph;

typedef struct onnx_ctx {
    frost__graph *g;
    frost_error *err;
    int opset;                      /* version of the default ("" / "ai.onnx") domain           */
    int ir_version;
    onnx_name_slot *slots;          /* open addressing over every ONNX tensor name             */
    int n_slots;
    int perm_to_nhwc, perm_to_nchw; /* shared constants, -1 until first needed                  */
    int fresh;                      /* counter for generated names                              */
    int n_unsupported;
    onnx_subgraph *subgraphs;       /* every subgraph of the model, sorted by attr             */
    int n_subgraphs, cap_subgraphs;
} onnx_ctx;

/* The slot for an ONNX tensor name (NULL if the model never declares it). */
onnx_name_slot *frost__onnx_slot(onnx_ctx *c, const char *name);

/* Translates one node of the default domain into frost nodes through the op table (onnx_ops.c),
 * binding its outputs' slots. Unknown ops, ops at opsets the table does not cover and unsupported
 * uses become UNSUPPORTED nodes; only malformed input returns an error. */
frost_status frost__onnx_translate_node(onnx_ctx *c, const FrostOnnx__NodeProto *n);

/* The graph of a subgraph attribute (NULL when the attribute holds none). */
const FrostOnnx__GraphProto *frost__onnx_subgraph(onnx_ctx *c, const FrostOnnx__AttributeProto *a);
/* Imports subgraph b of node `owner` (an If branch, one iteration of a Loop body) into the graph:
 * its inputs are bound to ins (n_ins values; an If branch takes none), its initializers become
 * constants, its nodes are translated (seeing every name of the scopes around them), and outs[i]
 * receives the value of its output i (b->n_output entries). `which` names it in errors
 * ("then_branch"). The subgraph's own names are unbound again afterwards. */
frost_status frost__onnx_import_branch(onnx_ctx *c, const FrostOnnx__NodeProto *owner,
                                       const FrostOnnx__GraphProto *b, const char *which,
                                       const int *ins, size_t n_ins, int *outs);


#endif /* FROST_IMPORT_ONNX_INTERNAL_H */
