/* sm_internal.h — what the SavedModel files share: a bump arena for the frozen graph's pieces, the
 * companion-file source, the parsed model, and the flat graph that function inlining builds.
 * Private to src/import/savedmodel. */
#ifndef FROST_IMPORT_SAVEDMODEL_INTERNAL_H
#define FROST_IMPORT_SAVEDMODEL_INTERNAL_H

#include "fmt/tensor_bundle.h"
#include "import/savedmodel/savedmodel.h"
#include "tf_saved_model.pb-c.h"

/* ---- arena (sm_arena.c): many small pieces freed at once ------------------------------------ */
typedef struct sm_arena {
    const frost_allocator *a;
    struct sm_arena_block *head;
} sm_arena;
void *sm_alloc(sm_arena *ar, size_t bytes);                   /* zeroed, 16-byte aligned; NULL on OOM */
char *sm_strndup(sm_arena *ar, const char *s, size_t n);
char *sm_printf(sm_arena *ar, const char *fmt, ...) FROST_PRINTF(2, 3);
void sm_arena_free(sm_arena *ar);

/* ---- companion files (sm_source.c) ----------------------------------------------------------- */
typedef struct sm_source {
    const frost_allocator *a;
    const char *dir;                 /* files beside the model on disk, or NULL             */
    const frost_memory_file *files;  /* files in memory, or NULL                            */
    int n_files;
    uint64_t max_file_bytes;
} sm_source;
/* True when the companion file exists. */
bool sm_source_exists(const sm_source *s, const char *name);
/* The whole file (allocated; free with s->a). FROST_E_IO naming the file when missing. */
frost_status sm_source_read_all(const sm_source *s, const char *name, void **out, size_t *size,
                                frost_error *err);
/* Bytes [offset, offset + n) into buf; *got says how many existed (short at the end of the file). */
frost_status sm_source_read_range(const sm_source *s, const char *name, uint64_t offset, size_t n,
                                  void *buf, size_t *got, frost_error *err);

/* ---- the flat graph (sm_flatten.c) ----------------------------------------------------------- */
typedef struct sm_ref {
    int node, port;
} sm_ref;

enum { SM_NODE = 0, SM_FORWARD = 1 };

typedef struct sm_node {
    const char *name;                 /* full name: call scopes joined by '/'                  */
    const FrostTf__NodeDef *nd;       /* the node as written; NULL for nodes frost adds         */
    const char *op;                   /* nd->op, or the op of an added node                     */
    const char *func;                 /* the function this node was written in, NULL top level */
    int kind;                         /* SM_NODE, or SM_FORWARD: port k is fwd[k]               */
    int n_in;
    sm_ref *in;                       /* data inputs, unchased (may point at FORWARD nodes)     */
    int n_fwd;
    sm_ref *fwd;
    const char *var_key;              /* variables: the checkpoint key a restore op assigns     */
    /* Added nodes (nd == NULL): their attributes. */
    FrostTf__NodeDef__AttrEntry **attrs;
    int n_attrs;
    bool variable_read;               /* a ReadVariableOp now forwarding to its variable        */
    bool needed;
} sm_node;

typedef struct sm_flat {
    sm_arena *arena;
    frost_error *err;
    const FrostTf__FunctionDefLibrary *lib;
    const FrostTf__OpList *ops;
    sm_node *nodes;
    int n, cap;
    int64_t max_nodes;
    int depth;
    int64_t eval_budget;              /* steps left for the constant evaluator (sm_loops.c)     */
    const FrostTf__FunctionDef **fn_sorted;  /* the library by name, for binary search      */
    int n_fn_sorted;
} sm_flat;

/* Flattens the top-level graph: every node, with function calls (StatefulPartitionedCall,
 * PartitionedCall, direct calls of library functions) inlined recursively. */
frost_status sm_flatten_graph(sm_flat *f, const FrostTf__GraphDefWithLibrary *gd);
/* Inlines function `fname` for the node `call` (which becomes a FORWARD node to its results),
 * reading its inputs as arguments. Used for taken If branches too. */
frost_status sm_inline_call(sm_flat *f, int call, const char *fname, const sm_ref *args, int n_args);
/* Follows FORWARD nodes to the node and port that produce a value. */
frost_status sm_chase(sm_flat *f, sm_ref r, sm_ref *out);
/* A top-level tensor name ("x", "x:0", or an inlined node's full name) -> ref, or -1 node. */
sm_ref sm_find_tensor(const sm_flat *f, const char *name);
/* Adds a node (nd may be NULL); returns its index or -1 (err set). */
int sm_add_node(sm_flat *f, const char *name, const FrostTf__NodeDef *nd, const char *op,
                const char *func);
/* The function named `name` in the library, or NULL. */
const FrostTf__FunctionDef *sm_find_function(const sm_flat *f, const char *name);
/* The function a call node names ("f" attribute of (Stateful)PartitionedCall, or its op). */
const char *sm_call_target(sm_flat *f, const FrostTf__NodeDef *nd);
/* Attribute lookup on a flat node (its NodeDef's or the added attributes). */
const FrostTf__AttrValue *sm_attr(const sm_node *n, const char *key);

/* ---- the model (sm_open.c) ------------------------------------------------------------------ */
struct frost__sm {
    frost_allocator alloc;
    sm_arena arena;
    sm_source src;
    char *dir_copy;                   /* owned copy of the directory path                      */
    ProtobufCAllocator pa;
    FrostTf__SavedModel *saved;       /* SavedModel, or NULL for a .meta                       */
    FrostTf__MetaGraphDef *meta_alone;/* a .meta file's MetaGraphDef                           */
    const FrostTf__MetaGraphDef *mg;  /* the chosen MetaGraph                                  */
    const char *what;                 /* "saved_model.pb" or the .meta's name, for messages     */
    const char *ckpt_prefix;          /* "variables/variables" or the TF1 checkpoint prefix     */
    frost__bundle *bundle;            /* NULL when the model has no variables                  */
    frost__sm_info info;
    /* Load options kept for freezing. */
    const char *signature;
    const char *const *outputs;
    int n_outputs;
    uint64_t max_tensor_bytes;
    int64_t max_nodes;
    /* What the last freeze chose, for frost__sm_import's aliases, outputs and report. */
    const char **alias_from, **alias_to;   /* TensorFlow / signature names -> frozen names   */
    int n_aliases;
    const char **fetch_names;              /* the frozen graph's outputs, in signature order */
    int n_fetch_names;
    bool fetches_are_outputs;              /* false when the caller named the outputs         */
    const char *report;
};

/* ---- variables (sm_variables.c) ------------------------------------------------------------- */
/* Finds the checkpoint key of every variable node: the restore chains (RestoreV2 -> Identity* ->
 * Assign / AssignVariableOp) first, then the node's own name or shared_name. */
frost_status sm_find_variable_keys(frost__sm *sm, sm_flat *f);
/* The Const NodeDef attributes (dtype, value) for variable node v, read from the checkpoint. */
frost_status sm_variable_const_attrs(frost__sm *sm, sm_flat *f, int v,
                                     FrostTf__NodeDef__AttrEntry ***attrs, int *n_attrs);

/* ---- loops (sm_loops.c) ---------------------------------------------------------------------- */
/* Unrolls While/StatelessWhile node `id` (it becomes a FORWARD node to the last step's loop
 * variables) when its condition is known at load at every step; otherwise fails naming it. */
frost_status sm_unroll_while(sm_flat *f, int id);
/* TensorListGetItem / TensorListStack node `id` becomes a FORWARD node to the element read or to
 * a Pack of the elements written. */
frost_status sm_rewrite_tensor_list(sm_flat *f, int id);

/* ---- small helpers (sm_util.c) --------------------------------------------------------------- */
FrostTf__NodeDef__AttrEntry *sm_attr_type(sm_arena *ar, const char *key, int tf_dtype);
FrostTf__NodeDef__AttrEntry *sm_attr_entry(sm_arena *ar, const char *key, FrostTf__AttrValue *v);
bool sm_is_variable_op(const char *op);
/* The function a func attribute (NameAttrList) names, copied into the arena; NULL if none. */
const char *sm_func_name(sm_arena *ar, const FrostTf__AttrValue *a);

#endif
