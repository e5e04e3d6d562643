/* tf_inline.h — the one inliner of TensorFlow functions (FunctionDefLibrary): a graph's nodes and
 * the bodies of the library functions it calls, flattened into one array of nodes whose inputs are
 * (node, port) references. A call becomes a FORWARD node whose ports lead to the callee's results;
 * a function's arguments lead to the caller's inputs, so a value is found by following FORWARD
 * nodes (frost__tf_chase). Used by the SavedModel freezer (src/import/savedmodel) and by TF.js graph
 * models that carry a library (tf_function.c). */
#ifndef FROST_IMPORT_TF_INLINE_H
#define FROST_IMPORT_TF_INLINE_H

#include "import/tf/tf_arena.h"
#include "tf_saved_model.pb-c.h"

typedef struct frost__tf_ref {
    int node, port;
} frost__tf_ref;

enum { FROST__TF_NODE = 0, FROST__TF_FORWARD = 1 };

typedef struct frost__tf_fnode {
    const char *name;                 /* full name: call scopes joined by '/'                  */
    const FrostTf__NodeDef *nd;       /* the node as written; NULL for nodes frost adds         */
    const char *op;                   /* nd->op, or the op of an added node                     */
    const char *func;                 /* the function this node was written in, NULL top level */
    int depth;                        /* calls inlined around it (bounded: recursion)          */
    int kind;                         /* FROST__TF_NODE, or FROST__TF_FORWARD: port k is fwd[k] */
    int n_in;
    frost__tf_ref *in;                /* data inputs, unchased (may point at FORWARD nodes)     */
    int n_fwd;
    frost__tf_ref *fwd;
    /* Added nodes (nd == NULL): their attributes. */
    FrostTf__NodeDef__AttrEntry **attrs;
    int n_attrs;
    /* SavedModel freezing: */
    const char *var_key;              /* variables: the checkpoint key a restore op assigns     */
    bool variable_read;               /* a ReadVariableOp now forwarding: chasing keeps it      */
    bool needed;
} frost__tf_fnode;

typedef struct frost__tf_flat {
    frost__tf_arena *arena;
    frost_error *err;
    const FrostTf__FunctionDefLibrary *lib;
    const FrostTf__OpList *ops;       /* OpDefs for output argument names; NULL: built-in table */
    frost__tf_fnode *nodes;
    int n, cap;
    int64_t max_nodes;
    int depth;                        /* calls around the scope being inlined now              */
    int64_t eval_budget;              /* steps left for the SavedModel constant evaluator       */
    const FrostTf__FunctionDef **fn_sorted;  /* the library by name, for binary search      */
    int n_fn_sorted;
} frost__tf_flat;

/* Flattens a graph's nodes (f->arena, err, ops and max_nodes set by the caller): every node, with
 * function calls (StatefulPartitionedCall, PartitionedCall, direct calls of library functions)
 * inlined recursively under the call's name. If / While are left to the caller. */
frost_status frost__tf_flatten(frost__tf_flat *f, FrostTf__NodeDef *const *nodes, size_t n_nodes,
                               const FrostTf__FunctionDefLibrary *lib);
/* Inlines function `fname` for the node `call` (which becomes a FORWARD node to its results),
 * reading its inputs as arguments; the body's nodes are named "<call's name>/<node>". Fails with
 * FROST_E_LIMIT when the call sits inside 64 calls already (a node added to stand for a call
 * takes the depth of the node it comes from: set its `depth`). */
frost_status frost__tf_inline_call(frost__tf_flat *f, int call, const char *fname,
                                   const frost__tf_ref *args, int n_args);
/* Follows FORWARD nodes to the node and port that produce a value. */
frost_status frost__tf_chase(frost__tf_flat *f, frost__tf_ref r, frost__tf_ref *out);
/* A tensor name ("x", "x:0", or an inlined node's full name) -> ref, or -1 node. */
frost__tf_ref frost__tf_find_tensor(const frost__tf_flat *f, const char *name);
/* Adds a node (nd may be NULL); returns its index or -1 (err set). */
int frost__tf_flat_add(frost__tf_flat *f, const char *name, const FrostTf__NodeDef *nd,
                       const char *op, const char *func);
/* The function named `name` in the library, or NULL. */
const FrostTf__FunctionDef *frost__tf_find_function(const frost__tf_flat *f, const char *name);
/* The function a call node names ("f" attribute of (Stateful)PartitionedCall, or its op). */
const char *frost__tf_call_target(frost__tf_flat *f, const FrostTf__NodeDef *nd);
/* The function a func attribute (NameAttrList) names, copied into the arena; NULL if none. */
const char *frost__tf_func_attr_name(frost__tf_arena *ar, const FrostTf__AttrValue *a);
/* Attribute lookup on a flat node (its NodeDef's or the added attributes). */
const FrostTf__AttrValue *frost__tf_node_attr(const frost__tf_fnode *n, const char *key);
/* Attribute entries in the arena: key = v, and key = a dtype. NULL on OOM. */
FrostTf__NodeDef__AttrEntry *frost__tf_flat_attr_entry(frost__tf_arena *ar, const char *key,
                                                  FrostTf__AttrValue *v);
FrostTf__NodeDef__AttrEntry *frost__tf_flat_attr_type(frost__tf_arena *ar, const char *key,
                                                      int tf_dtype);

#endif /* FROST_IMPORT_TF_INLINE_H */
