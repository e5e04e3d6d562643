/* sm_internal.h — what the SavedModel files share: the companion-file source and the parsed model
 * (the flat graph that function inlining builds, and its arena, are import/tf/tf_inline.h's).
 * Private to src/import/savedmodel. */
#ifndef FROST_IMPORT_SAVEDMODEL_INTERNAL_H
#define FROST_IMPORT_SAVEDMODEL_INTERNAL_H

#include "fmt/tensor_bundle.h"
#include "import/savedmodel/savedmodel.h"
#include "import/tf/tf_inline.h"
#include "tf_saved_model.pb-c.h"

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

/* ---- the model (sm_open.c) ------------------------------------------------------------------ */
struct frost__sm {
    frost_allocator alloc;
    frost__tf_arena arena;
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
frost_status sm_find_variable_keys(frost__sm *sm, frost__tf_flat *f);
/* The Const NodeDef attributes (dtype, value) for variable node v, read from the checkpoint. */
frost_status sm_variable_const_attrs(frost__sm *sm, frost__tf_flat *f, int v,
                                     FrostTf__NodeDef__AttrEntry ***attrs, int *n_attrs);

/* ---- loops (sm_loops.c) ---------------------------------------------------------------------- */
/* Unrolls While/StatelessWhile node `id` (it becomes a FORWARD node to the last step's loop
 * variables) when its condition is known at load at every step; otherwise fails naming it. */
frost_status sm_unroll_while(frost__tf_flat *f, int id);
/* TensorListGetItem / TensorListStack node `id` becomes a FORWARD node to the element read or to
 * a Pack of the elements written. */
frost_status sm_rewrite_tensor_list(frost__tf_flat *f, int id);

/* ---- small helpers (sm_util.c) --------------------------------------------------------------- */
bool sm_is_variable_op(const char *op);

#endif
