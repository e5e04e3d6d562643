/* tf_build.h — what op builders outside tf_ops.c share (tf_ops_fused.c, tf_ops_more.c): attribute
 * access, adding IR nodes and constants for a TF node, NHWC/NCHW handling, conv windows, and the
 * row type of their op tables. tf_ops.c's own table is consulted first; frost__tf_build_more is
 * its fallback for op names it does not list. Private to src/import/tf. */
#ifndef FROST_IMPORT_TF_BUILD_H
#define FROST_IMPORT_TF_BUILD_H

#include "import/tf/tf_internal.h"

/* ---- Attributes (absent or of another type: the default) ------------------------------------ */
const FrostTf__AttrValue *frost__tf_attr_of(const frost__tf_node *c, const char *key, int value_case);
int64_t frost__tf_attr_int(const frost__tf_node *c, const char *key, int64_t def);
float frost__tf_attr_float(const frost__tf_node *c, const char *key, float def);
bool frost__tf_attr_bool(const frost__tf_node *c, const char *key, bool def);
/* TF dtype of a type attribute, or -1 when absent. */
int frost__tf_attr_type(const frost__tf_node *c, const char *key);
/* String attribute equal to `want`; `def` when absent. */
bool frost__tf_attr_str_is(const frost__tf_node *c, const char *key, const char *want, bool def);
/* Integer list attribute; 0 entries when absent. */
size_t frost__tf_attr_ints(const frost__tf_node *c, const char *key, const int64_t **vals);
/* String list attribute; 0 entries when absent. */
size_t frost__tf_attr_strs(const frost__tf_node *c, const char *key, const ProtobufCBinaryData **vals);

/* ---- Building ----------------------------------------------------------------------------- */
/* FROST_E_FORMAT naming the node: "node 'x' (Op): <message>". */
frost_status frost__tf_bad_node(frost__tf_node *c, const char *fmt, ...) FROST_PRINTF(2, 3);
/* "<node>#<suffix>" for helper nodes and constants ('#' never appears in TF names). */
const char *frost__tf_sub_name(const frost__tf_node *c, const char *suffix, char *buf, size_t cap);
/* A canonical node whose source op is c's; returns its index or -1 (err set). */
int frost__tf_add_node(frost__tf_node *c, const char *name, int op, int n_in, const int *in,
                       int n_out, const frost__params *p);
/* Output 0 of node `id`, or -1 when id < 0. */
int frost__tf_out0(const frost__tf_node *c, int id);
/* The TF node's ports are node `id`'s outputs. */
frost_status frost__tf_emit(frost__tf_node *c, int id);
/* An int constant "<node>#<suffix>" of dtype I32 or I64: 1-D of n values, or a scalar. Returns
 * its value id or -1. */
int frost__tf_add_ints(frost__tf_node *c, const char *suffix, frost_dtype dt, const int64_t *v,
                       int n, bool scalar);
/* A small constant int operand (0-D or 1-D, at most cap values) into vals; false when it is not
 * a constant. */
bool frost__tf_const_ints(const frost__tf_node *c, int value, int64_t *vals, int cap, int *n);

/* ---- Layout and windows ------------------------------------------------------------------- */
typedef enum { FROST__TF_NHWC = 0, FROST__TF_NCHW = 1, FROST__TF_OTHER_LAYOUT = 2 } frost__tf_layout;
frost__tf_layout frost__tf_data_format(const frost__tf_node *c);
/* x (NCHW) -> NHWC through a Transpose "<node>#to_nhwc"; value id or -1. */
int frost__tf_to_nhwc(frost__tf_node *c, int x);
/* Value `v` (NHWC) as the TF node's output: directly, or through a Transpose back to NCHW that
 * carries the TF node's name. */
frost_status frost__tf_emit_layout_value(frost__tf_node *c, frost__tf_layout lay, int v);
/* strides, dilations (when `dilations`), padding and explicit_paddings -> window. *ok becomes
 * false when frost cannot honour a valid value (a stride on the batch axis). */
frost_status frost__tf_read_window(frost__tf_node *c, frost__tf_layout lay, bool dilations,
                                   frost__window *w, bool *ok);

/* An integer MatMul (T = int32...): through float32, exact while every partial sum stays within
 * 2^24, then back to the integer dtype (tf_ops_more.c). */
frost_status frost__tf_int_matmul(frost__tf_node *c, const frost__params *p);

/* ---- Op tables ---------------------------------------------------------------------------- */
typedef struct frost__tf_op_row frost__tf_op_row;
struct frost__tf_op_row {
    const char *name;
    frost_status (*build)(frost__tf_node *c, const frost__tf_op_row *row);
    int fn;       /* builder-specific variant                                                */
    int min_in, max_in;
    int tf_outs;  /* outputs TF defines, when more than frost produces (0: as produced)     */
};
#define FROST__TF_ANY_INPUTS 65536

extern const frost__tf_op_row frost__tf_fused_ops[];
extern const size_t frost__tf_fused_ops_count;
extern const frost__tf_op_row frost__tf_more_ops[];
extern const size_t frost__tf_more_ops_count;

/* Builds c's node from the rows above; an op none of them lists becomes UNSUPPORTED. */
frost_status frost__tf_build_more(frost__tf_node *c);

#endif /* FROST_IMPORT_TF_BUILD_H */
