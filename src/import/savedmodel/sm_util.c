/* sm_util.c — small builders for the attributes of nodes the freezer adds or rewrites (a Const's
 * dtype, an Identity's T), and what counts as a variable op. Everything lives in the arena. */
#include "import/savedmodel/sm_internal.h"

FrostTf__NodeDef__AttrEntry *sm_attr_entry(sm_arena *ar, const char *key, FrostTf__AttrValue *v) {
    FrostTf__NodeDef__AttrEntry *e = sm_alloc(ar, sizeof *e);
    if (!e || !v) return NULL;
    frost_tf__node_def__attr_entry__init(e);
    e->key = sm_strndup(ar, key, strlen(key));
    e->value = v;
    return e->key ? e : NULL;
}

FrostTf__NodeDef__AttrEntry *sm_attr_type(sm_arena *ar, const char *key, int tf_dtype) {
    FrostTf__AttrValue *v = sm_alloc(ar, sizeof *v);
    if (!v) return NULL;
    frost_tf__attr_value__init(v);
    v->value_case = FROST_TF__ATTR_VALUE__VALUE_TYPE;
    v->type = (FrostTf__DataType)tf_dtype;
    return sm_attr_entry(ar, key, v);
}

bool sm_is_variable_op(const char *op) {
    return strcmp(op, "VarHandleOp") == 0 || strcmp(op, "VariableV2") == 0 ||
           strcmp(op, "Variable") == 0;
}
