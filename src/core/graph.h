/* graph.h — frost's graph IR: values (typed tensors: constants, inputs, node outputs) and nodes
 * (one canonical op each, with typed parameters). Importers build it, passes rewrite it, the planner
 * turns it into an execution plan.
 *
 * Invariant kept by the builder: a node's inputs are produced by constants, graph inputs or nodes
 * added before it, so node order is a topological order. Importers of formats whose node lists are
 * not ordered (GraphDef) sort first and report cycles and dangling names themselves.
 *
 * Operands that TensorFlow passes as tensors (Reshape's shape, Transpose's perm, Mean's axes,
 * ConcatV2's axis, Pad's paddings, StridedSlice's begin/end/strides, ...) stay tensor inputs here;
 * ops read them when they are known, at load (constants) or at plan time (values computed from
 * shapes). Importers of formats that pass them as attributes add constants. */
#ifndef FROST_CORE_GRAPH_H
#define FROST_CORE_GRAPH_H

#include "core/common.h"
#include "core/params.h"

typedef enum frost__value_kind {
    FROST__VAL_NODE = 0,   /* produced by a node                                             */
    FROST__VAL_CONST,      /* constant bytes in `data`                                       */
    FROST__VAL_INPUT       /* fed by the caller (data holds a default when has_default)      */
} frost__value_kind;

/* How an integer tensor maps to reals, as the file states it (TFLite): real = scale * (q - zero_point),
 * one pair for the whole tensor (n == 1) or one per slice along `axis`. One owned block (the arrays
 * follow the struct), freed with the value. */
typedef struct frost__quant {
    int n;
    int axis;
    float *scale;
    int64_t *zero_point;
} frost__quant;

typedef struct frost__value {
    char *name;            /* canonical tensor name: "node:k"; output 0 also answers to "node"   */
    frost_dtype dtype;     /* FROST_DTYPE_INVALID until inferred                              */
    frost__shape shape;    /* as far as known at load                                        */
    frost__value_kind kind;
    bool has_default;      /* INPUT with a default value in `data` (PlaceholderWithDefault)   */
    void *data;            /* CONST: owned bytes, 64-byte aligned                            */
    size_t nbytes;
    int producer;          /* node index, -1 for CONST/INPUT                                 */
    int producer_port;
    frost__quant *quant;   /* NULL unless the file quantizes this tensor                     */
} frost__value;

typedef struct frost__node {
    char *name;            /* as in the source file                                          */
    char *src_op;          /* op type as in the source file ("Conv2D", "Gemm", "Dense")      */
    int op;                /* FROST__OP_* (ops/ops.def)                                      */
    int n_in, n_out;
    int *in;               /* value ids; -1 for an absent optional input                     */
    int *out;              /* value ids                                                      */
    frost__params p;       /* op parameters (ops/params.h)                                   */
    bool dead;             /* removed by a pass; compacted away by frost__graph_compact      */
    /* Constant operands repacked at load for the kernel the op chose (op_def.pack); owned, freed
     * with the graph through `alloc`. */
    void *packed;
    size_t packed_bytes;
    const void *kernel;    /* what pack chose (e.g. a frost__gemm_kernel), for prepare/run    */
} frost__node;

typedef struct frost__name_entry {
    char *name;            /* owned by the table                                            */
    int value;
} frost__name_entry;

typedef struct frost__graph {
    frost_allocator alloc;
    frost__value *values;  int n_values, cap_values;
    frost__node *nodes;    int n_nodes, cap_nodes;
    int *inputs;           int n_inputs, cap_inputs;    /* value ids of kind INPUT           */
    int *outputs;          int n_outputs, cap_outputs;  /* value ids                         */
    /* name -> value id, open addressing; includes aliases (Keras layer names). */
    frost__name_entry *names; int names_cap, names_used;
    char **report;         int n_report, cap_report;    /* what load-time passes did         */
    frost_format format;
    /* Limits from load options. */
    uint64_t max_tensor_bytes;
    int64_t max_nodes;
    uint64_t max_arena_bytes;  /* a session's arena (plan.c)                                  */
    int64_t max_attr_len;      /* entries in one attribute list (importers)                   */
    bool onnx_feedable_initializers; /* frost_load_options.onnx_feedable_initializers           */
    int weights_precision;     /* frost_precision from load options: what pack may store       */
    /* The CPU this model packs and plans for: the probed one, capped by load options (max_isa).
     * Opaque here (platform/cpu.h): core only carries it from the engine to the ops. */
    const struct frost__cpu *cpu;
    int cblas_route;           /* frost_load_options.cblas_route, the environment's if 0        */
} frost__graph;

/* The canonical op name from ops/ops.def ("Conv2D"); "?" for a bad id. */
const char *frost__op_name(int id);

frost_status frost__graph_init(frost__graph *g, const frost_allocator *a, frost_error *err);
void frost__graph_free(frost__graph *g);

/* ---- Building (importers) -------------------------------------------------------------------- */

/* A constant. `data` (nbytes, must match dtype x shape) is copied. Returns the value id or -1 with
 * err filled (duplicate name, OOM, size mismatch, limit). */
int frost__graph_add_const(frost__graph *g, const char *name, frost_dtype dtype,
                           const frost__shape *shape, const void *data, size_t nbytes,
                           frost_error *err);
/* Same, taking ownership of `data` (allocated with frost__alloc from g->alloc). On failure the data
 * is freed. */
int frost__graph_add_const_owned(frost__graph *g, const char *name, frost_dtype dtype,
                                 const frost__shape *shape, void *data, size_t nbytes,
                                 frost_error *err);
/* A caller-fed input. */
int frost__graph_add_input(frost__graph *g, const char *name, frost_dtype dtype,
                           const frost__shape *shape, frost_error *err);
/* A node with n_out outputs named "name:k" (output 0 also "name"). `in` holds value ids (copied;
 * -1 for absent optional inputs). Returns the node index or -1. `p` may be NULL (zero params). */
int frost__graph_add_node(frost__graph *g, const char *name, const char *src_op, int op,
                          int n_in, const int *in, int n_out, const frost__params *p,
                          frost_error *err);
static inline int frost__graph_out(const frost__graph *g, int node, int port) {
    return g->nodes[node].out[port];
}
/* Another name for a value (Keras layer name). Fails on a clash with a different value. */
frost_status frost__graph_add_alias(frost__graph *g, const char *alias, int value, frost_error *err);
frost_status frost__graph_add_output(frost__graph *g, int value, frost_error *err);

/* ---- Queries --------------------------------------------------------------------------------- */

/* Value id for any name ("n", "n:0", alias), or -1. */
int frost__graph_lookup(const frost__graph *g, const char *name);
/* Like lookup, but on a miss fills err with FROST_E_NOT_FOUND and up to 3 close names. `what` is
 * "tensor", "input", ... for the message. */
int frost__graph_find(const frost__graph *g, const char *name, const char *what, frost_error *err);
/* Node index that produces `name`'s value, or -1. */
static inline int frost__graph_producer(const frost__graph *g, int value) {
    return value >= 0 ? g->values[value].producer : -1;
}

/* ---- Rewriting (passes) ---------------------------------------------------------------------- */

/* Makes every use of value `from` (node inputs and graph outputs) use `to` instead. Names that
 * pointed at `from` keep pointing at `from` unless `move_names`, then they point at `to`. */
void frost__graph_replace_uses(frost__graph *g, int from, int to, bool move_names);
/* Turns a value into a constant (taking ownership of data); its producer node loses that output. */
void frost__graph_set_const(frost__graph *g, int value, void *data, size_t nbytes);
/* Drops dead nodes and unused values, keeping order; rebuilds the name map. */
frost_status frost__graph_compact(frost__graph *g, frost_error *err);
/* Appends a formatted line to the load report. Silently drops it on OOM. */
void frost__graph_report(frost__graph *g, const char *fmt, ...) FROST_PRINTF(2, 3);

/* Counts of consumers per value (array of n_values ints, caller frees with g->alloc). */
int *frost__graph_use_counts(const frost__graph *g);

#endif /* FROST_CORE_GRAPH_H */
