/* sm_variables.c — variables become constants: which checkpoint entry holds each variable, and the
 * Const attributes (dtype, value) that replace the variable node in the frozen graph.
 *
 * The key of a variable is what the model's own restore op assigns to it: a RestoreV2 output,
 * through Identity nodes, into Assign (TF1 VariableV2) or AssignVariableOp (resource variables,
 * TF2), RestoreV2's tensor_names being a constant. TF2 keys are object-graph paths
 * ("layer_with_weights-0/kernel/.ATTRIBUTES/VARIABLE_VALUE"); TF1 keys are usually the variable's
 * name. Without a restore chain, the TF2 object graph names the key (the breadth-first path from
 * the root to the variable: on the real Keras SavedModel of ../shared it gives the restore
 * chain's keys for all six variables), then the node's name or shared_name.
 *
 * Never trusts the checkpoint: the entry's dtype and shape must match the variable's declared
 * ones, its bytes must all exist in the named shard and match the recorded CRC-32C, and its size
 * is bounded by max_tensor_bytes. */
#include <stdio.h>

#include "import/savedmodel/sm_internal.h"

static bool is_op(const frost__tf_fnode *n, const char *op) {
    return n->kind == FROST__TF_NODE && strcmp(n->op, op) == 0;
}

/* The string at `index` of a Const DT_STRING tensor node, or NULL. */
static const char *const_string(frost__tf_flat *f, int node, int index) {
    const frost__tf_fnode *n = &f->nodes[node];
    if (!is_op(n, "Const")) return NULL;
    const FrostTf__AttrValue *v = frost__tf_node_attr(n, "value");
    if (!v || v->value_case != FROST_TF__ATTR_VALUE__VALUE_TENSOR || !v->tensor) return NULL;
    const FrostTf__TensorProto *t = v->tensor;
    if (t->dtype != FROST_TF__DATA_TYPE__DT_STRING || index < 0) return NULL;
    if ((size_t)index >= t->n_string_val) return NULL;
    return frost__tf_strndup(f->arena, (const char *)t->string_val[index].data,
                             t->string_val[index].len);
}

frost_status sm_find_variable_keys(frost__sm *sm, frost__tf_flat *f) {
    (void)sm;
    for (int i = 0; i < f->n; i++) {
        const frost__tf_fnode *n = &f->nodes[i];
        if (!(is_op(n, "Assign") || is_op(n, "AssignVariableOp")) || n->n_in < 2) continue;
        frost__tf_ref v;
        FROST_TRY(frost__tf_chase(f, n->in[1], &v));
        for (int hops = 0; hops < 64 && is_op(&f->nodes[v.node], "Identity") &&
                           f->nodes[v.node].n_in >= 1;
             hops++)
            FROST_TRY(frost__tf_chase(f, f->nodes[v.node].in[0], &v));
        const frost__tf_fnode *r = &f->nodes[v.node];
        if (!is_op(r, "RestoreV2") || r->n_in < 2) continue;
        frost__tf_ref names;
        FROST_TRY(frost__tf_chase(f, r->in[1], &names));
        const char *key = const_string(f, names.node, v.port);
        if (!key) continue;
        frost__tf_ref var;
        FROST_TRY(frost__tf_chase(f, n->in[0], &var));
        frost__tf_fnode *vn = &f->nodes[var.node];
        if (vn->kind == FROST__TF_NODE && sm_is_variable_op(vn->op) && !vn->var_key)
            vn->var_key = key;
    }
    return FROST_OK;
}

static const char *type_name(int t) { return frost__sm_tf_dtype_name(t); }

/* The checkpoint key the TF2 object graph gives the variable named `name` (a VarHandleOp's
 * shared_name): the path of its first visit in a breadth-first walk from the root, children in
 * order (the walk TensorFlow names checkpoint entries by), then "/.ATTRIBUTES/VARIABLE_VALUE". */
static const char *object_graph_key(frost__sm *sm, frost__tf_arena *ar, const char *name) {
    const FrostTf__SavedObjectGraph *og = sm->mg->object_graph_def;
    if (!og || og->n_nodes == 0 || !name || !name[0]) return NULL;
    size_t n = og->n_nodes;
    const char **path = frost__calloc(ar->a, n, sizeof *path);
    size_t *queue = frost__calloc(ar->a, n, sizeof *queue);
    const char *key = NULL;
    if (path && queue) {
        size_t head = 0, tail = 0;
        path[0] = "";
        queue[tail++] = 0;
        while (head < tail && !key) {
            size_t id = queue[head++];
            const FrostTf__SavedObject *o = og->nodes[id];
            if (!o) continue;
            if (o->variable && o->variable->name && strcmp(o->variable->name, name) == 0 && id != 0) {
                key = frost__tf_printf(ar, "%s/.ATTRIBUTES/VARIABLE_VALUE", path[id]);
                break;
            }
            for (size_t c = 0; c < o->n_children; c++) {
                const FrostTf__SavedObject__ObjectReference *ref = o->children[c];
                if (!ref || ref->node_id < 0 || (size_t)ref->node_id >= n || path[ref->node_id] ||
                    !ref->local_name)
                    continue;
                path[ref->node_id] =
                    id == 0 ? frost__tf_strndup(ar, ref->local_name, strlen(ref->local_name))
                            : frost__tf_printf(ar, "%s/%s", path[id], ref->local_name);
                if (!path[ref->node_id]) break;
                queue[tail++] = (size_t)ref->node_id;
            }
        }
    }
    frost__free(ar->a, path);
    frost__free(ar->a, queue);
    return key;
}

frost_status sm_variable_const_attrs(frost__sm *sm, frost__tf_flat *f, int v,
                                     FrostTf__NodeDef__AttrEntry ***attrs_out, int *n_attrs) {
    const frost__tf_fnode *n = &f->nodes[v];
    frost__tf_arena *ar = f->arena;
    frost_error *err = f->err;
    if (!sm->bundle)
        return frost__fail(err, FROST_E_FORMAT, n->name, n->op, -1,
                           "variable '%s' (%s) needs a value but the model has no checkpoint "
                           "(%s.index)",
                           n->name, n->op, sm->ckpt_prefix);
    const FrostTf__AttrValue *sn = frost__tf_node_attr(n, "shared_name");
    const char *shared = sn && sn->value_case == FROST_TF__ATTR_VALUE__VALUE_S && sn->s.len
                             ? frost__tf_strndup(ar, (const char *)sn->s.data, sn->s.len) : NULL;
    /* The restore chain's key; else the object graph's, the node's name, its shared_name. */
    const char *by_graph = n->var_key ? NULL : object_graph_key(sm, ar, shared ? shared : n->name);
    const char *candidates[4] = {n->var_key, by_graph, n->var_key ? NULL : n->name,
                                 n->var_key ? NULL : shared};
    const frost__bundle_entry *e = NULL;
    for (int k = 0; k < 4 && !e; k++)
        if (candidates[k]) e = frost__bundle_find(sm->bundle, candidates[k]);
    if (!e) {
        if (n->var_key)
            return frost__fail(err, FROST_E_FORMAT, n->name, n->op, -1,
                               "variable '%s' is restored from checkpoint key '%s', which %s.index "
                               "does not hold (%d keys)",
                               n->name, n->var_key, sm->ckpt_prefix, sm->bundle->n_entries);
        return frost__fail(err, FROST_E_FORMAT, n->name, n->op, -1,
                           "variable '%s' (%s) has no value: no restore op assigns it and "
                           "%s.index has no key '%s'%s%s%s%s%s%s",
                           n->name, n->op, sm->ckpt_prefix, n->name,
                           shared && strcmp(shared, n->name) ? " or '" : "",
                           shared && strcmp(shared, n->name) ? shared : "",
                           shared && strcmp(shared, n->name) ? "'" : "",
                           by_graph ? " or '" : "", by_graph ? by_graph : "",
                           by_graph ? "' (its object-graph path)" : "");
    }
    const FrostTf__AttrValue *dt = frost__tf_node_attr(n, "dtype");
    int want = dt && dt->value_case == FROST_TF__ATTR_VALUE__VALUE_TYPE ? (int)dt->type : -1;
    if (want > 100) want -= 100;  /* reference types */
    if (want >= 0 && want != e->tf_dtype)
        return frost__fail(err, FROST_E_DTYPE, n->name, n->op, -1,
                           "variable '%s' is %s but its checkpoint entry '%s' holds %s", n->name,
                           type_name(want), e->name, type_name(e->tf_dtype));
    if (e->sliced)
        return frost__fail(err, FROST_E_UNSUPPORTED, n->name, n->op, -1,
                           "variable '%s': checkpoint entry '%s' is a partitioned tensor", n->name,
                           e->name);
    if (frost__tf_dtype_bytes(e->tf_dtype) == 0)
        return frost__fail(err, FROST_E_UNSUPPORTED, n->name, n->op, -1,
                           "variable '%s' holds %s values, which frost cannot hold", n->name,
                           type_name(e->tf_dtype));
    const FrostTf__AttrValue *sh = frost__tf_node_attr(n, "shape");
    if (sh && sh->value_case == FROST_TF__ATTR_VALUE__VALUE_SHAPE && sh->shape &&
        !sh->shape->unknown_rank) {
        bool fits = sh->shape->n_dim == (size_t)e->shape.rank;
        for (size_t d = 0; fits && d < sh->shape->n_dim; d++) {
            int64_t want_d = sh->shape->dim[d] ? sh->shape->dim[d]->size : 0;
            fits = want_d < 0 || want_d == e->shape.d[d];
        }
        if (!fits) {
            char a[96], b[96];
            frost__shape decl = frost__shape_make(0, NULL);
            decl.rank = (int)FROST_MIN(sh->shape->n_dim, (size_t)FROST_MAX_RANK);
            for (int d = 0; d < decl.rank; d++)
                decl.d[d] = sh->shape->dim[d] ? sh->shape->dim[d]->size : 0;
            return frost__fail(err, FROST_E_SHAPE, n->name, n->op, -1,
                               "variable '%s' is declared %s but checkpoint entry '%s' is %s",
                               n->name, frost__shape_str(&decl, a, sizeof a), e->name,
                               frost__shape_str(&e->shape, b, sizeof b));
        }
    }
    uint64_t limit = sm->max_tensor_bytes ? sm->max_tensor_bytes : (uint64_t)1 << 30;
    if (e->size > limit)
        return frost__fail(err, FROST_E_LIMIT, n->name, n->op, -1,
                           "variable '%s' is %llu bytes, over the limit of %llu (max_tensor_bytes)",
                           n->name, (unsigned long long)e->size, (unsigned long long)limit);
    char shard[1200];
    frost__bundle_shard_name(sm->ckpt_prefix, e->shard, sm->bundle->num_shards, shard, sizeof shard);
    uint8_t *bytes = frost__tf_alloc(ar, (size_t)e->size);
    if (!bytes) return frost__fail(err, FROST_E_NOMEM, n->name, NULL, -1, "out of memory");
    size_t got = 0;
    FROST_TRY(sm_source_read_range(&sm->src, shard, e->offset, (size_t)e->size, bytes, &got, err));
    FROST_TRY(frost__bundle_check_data(e, bytes, got, shard, err));

    FrostTf__TensorShapeProto *tsp = frost__tf_alloc(ar, sizeof *tsp);
    FrostTf__TensorProto *tp = frost__tf_alloc(ar, sizeof *tp);
    FrostTf__AttrValue *val = frost__tf_alloc(ar, sizeof *val);
    FrostTf__TensorShapeProto__Dim **dims =
        frost__tf_alloc(ar, (size_t)(e->shape.rank ? e->shape.rank : 1) * sizeof *dims);
    FrostTf__NodeDef__AttrEntry **attrs = frost__tf_alloc(ar, 2 * sizeof *attrs);
    if (!tsp || !tp || !val || !dims || !attrs)
        return frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
    frost_tf__tensor_shape_proto__init(tsp);
    for (int d = 0; d < e->shape.rank; d++) {
        dims[d] = frost__tf_alloc(ar, sizeof **dims);
        if (!dims[d]) return frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
        frost_tf__tensor_shape_proto__dim__init(dims[d]);
        dims[d]->size = e->shape.d[d];
    }
    tsp->n_dim = (size_t)e->shape.rank;
    tsp->dim = dims;
    frost_tf__tensor_proto__init(tp);
    tp->dtype = (FrostTf__DataType)e->tf_dtype;
    tp->tensor_shape = tsp;
    tp->tensor_content.data = bytes;
    tp->tensor_content.len = (size_t)e->size;
    frost_tf__attr_value__init(val);
    val->value_case = FROST_TF__ATTR_VALUE__VALUE_TENSOR;
    val->tensor = tp;
    attrs[0] = frost__tf_flat_attr_type(ar, "dtype", e->tf_dtype);
    attrs[1] = frost__tf_flat_attr_entry(ar, "value", val);
    if (!attrs[0] || !attrs[1]) return frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
    *attrs_out = attrs;
    *n_attrs = 2;
    return FROST_OK;
}
