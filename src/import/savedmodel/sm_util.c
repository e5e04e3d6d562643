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

/* NameAttrList's name (field 1) read from its bytes directly: the attributes after it are not
 * needed, and nothing is allocated but the copy in the arena. NULL when malformed or absent. */
const char *sm_func_name(sm_arena *ar, const FrostTf__AttrValue *a) {
    if (!a || a->value_case != FROST_TF__ATTR_VALUE__VALUE_FUNC) return NULL;
    const uint8_t *p = a->func.data;
    size_t n = a->func.len, pos = 0;
    while (pos < n) {
        uint64_t key = 0, len = 0;
        for (int shift = 0;; shift += 7) {
            if (pos >= n || shift > 63) return NULL;
            key |= (uint64_t)(p[pos] & 0x7f) << shift;
            if (!(p[pos++] & 0x80)) break;
        }
        unsigned wt = key & 7;
        if (wt == 0) {
            while (pos < n && (p[pos] & 0x80)) pos++;
            if (pos++ >= n) return NULL;
            continue;
        }
        if (wt == 1 || wt == 5) {
            size_t skip = wt == 1 ? 8 : 4;
            if (n - pos < skip) return NULL;
            pos += skip;
            continue;
        }
        if (wt != 2) return NULL;
        for (int shift = 0;; shift += 7) {
            if (pos >= n || shift > 63) return NULL;
            len |= (uint64_t)(p[pos] & 0x7f) << shift;
            if (!(p[pos++] & 0x80)) break;
        }
        if (len > n - pos) return NULL;
        if ((key >> 3) == 1) return len ? sm_strndup(ar, (const char *)p + pos, (size_t)len) : NULL;
        pos += (size_t)len;
    }
    return NULL;
}
