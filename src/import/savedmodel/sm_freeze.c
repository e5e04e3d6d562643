/* sm_freeze.c — the frozen GraphDef of one signature (or of the caller's outputs): the flat graph
 * (frost__tf_flatten.c) walked back from the outputs, variables replaced by their checkpoint values
 * (sm_variables.c), ReadVariableOp by Identity and ResourceGather by GatherV2, If nodes with a
 * constant predicate replaced by the taken branch, the signature's inputs as Placeholders named by
 * their keys and its outputs as Identity nodes named by theirs. The result holds only TensorFlow's
 * own ops and attributes (attributes starting with '_' are dropped), no variable, save/restore or
 * function-call node: TensorFlow itself can load it.
 *
 * While loops with a trip count known at load are unrolled and their TensorLists become tensors
 * (sm_loops.c). It must never emit a node that reads a variable in a way it did not freeze
 * (AssignVariableOp, VarIsInitializedOp...): those fail with the node named. Signatures taking serialized
 * tf.Example strings are refused by name, listing the signatures that take tensors. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "import/savedmodel/sm_internal.h"
#include "import/tf/tf_internal.h"

typedef struct feed {
    frost__tf_ref at;        /* the tensor the signature feeds                          */
    int node;         /* the Placeholder that stands for it                      */
    const char *key;
} feed;

typedef struct fetch {
    frost__tf_ref at;
    const char *key;      /* signature key; NULL for a caller's output name     */
    const char *asked;    /* the name as given (TensorFlow tensor name or key)  */
} fetch;

typedef struct freezer {
    frost__sm *sm;
    frost__tf_arena ar;
    frost__tf_flat f;
    frost_error *err;
    const FrostTf__SignatureDef *sig;
    const char *sig_key;
    feed *feeds;
    int n_feeds;
    fetch *fetches;
    int n_fetches;
    const char **emit_name;   /* per flat node (grown with the flat graph)       */
    int emit_cap;
    const char **names;       /* open-addressing set of emitted names            */
    size_t names_mask;
    int n_if, n_vars;
    uint64_t var_bytes;
} freezer;

static frost_status oom(freezer *z) {
    return frost__fail(z->err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory while freezing");
}

static bool is_op(const frost__tf_fnode *n, const char *op) {
    return n->kind == FROST__TF_NODE && strcmp(n->op, op) == 0;
}

/* ---- the emitted-name set -------------------------------------------------------------------- */

static uint64_t hash_str(const char *s) {
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++) h = (h ^ (uint8_t)*s) * 1099511628211ull;
    return h;
}

static bool name_taken(const freezer *z, const char *name) {
    for (size_t i = (size_t)hash_str(name) & z->names_mask; z->names[i]; i = (i + 1) & z->names_mask)
        if (strcmp(z->names[i], name) == 0) return true;
    return false;
}

static void name_add(freezer *z, const char *name) {
    size_t i = (size_t)hash_str(name) & z->names_mask;
    while (z->names[i]) {
        if (strcmp(z->names[i], name) == 0) return;
        i = (i + 1) & z->names_mask;
    }
    z->names[i] = name;
}

/* ---- signature ------------------------------------------------------------------------------- */

static const FrostTf__SignatureDef *find_signature(const FrostTf__MetaGraphDef *mg, const char *key) {
    for (size_t i = 0; i < mg->n_signature_def; i++)
        if (mg->signature_def[i] && mg->signature_def[i]->key && mg->signature_def[i]->value &&
            strcmp(mg->signature_def[i]->key, key) == 0)
            return mg->signature_def[i]->value;
    return NULL;
}

/* TF2 stores its initializer as a pseudo-signature ("__saved_model_init_op", output NoOp). */
static bool internal_signature(const char *key) { return strncmp(key, "__saved_model_", 14) == 0; }

static bool takes_strings(const FrostTf__SignatureDef *sd, const char **which) {
    for (size_t i = 0; i < sd->n_inputs; i++) {
        const FrostTf__TensorInfo *ti = sd->inputs[i]->value;
        if (ti && ti->dtype == FROST_TF__DATA_TYPE__DT_STRING) {
            *which = sd->inputs[i]->key;
            return true;
        }
    }
    return false;
}

/* "a, b, c": the signatures that take no strings. */
static void usable_signatures(const FrostTf__MetaGraphDef *mg, char *buf, size_t cap) {
    size_t at = 0;
    buf[0] = 0;
    for (size_t i = 0; i < mg->n_signature_def && at < cap; i++) {
        const char *w;
        const FrostTf__MetaGraphDef__SignatureEntry *se = mg->signature_def[i];
        if (!se->value || internal_signature(se->key) || takes_strings(se->value, &w)) continue;
        at += (size_t)snprintf(buf + at, cap - at, "%s'%s'", at ? ", " : "", se->key);
    }
    if (!buf[0]) snprintf(buf, cap, "none");
}

static void all_signatures(const FrostTf__MetaGraphDef *mg, char *buf, size_t cap) {
    size_t at = 0;
    buf[0] = 0;
    for (size_t i = 0; i < mg->n_signature_def && at < cap; i++)
        if (!internal_signature(mg->signature_def[i]->key))
            at += (size_t)snprintf(buf + at, cap - at, "%s'%s'", at ? ", " : "",
                                   mg->signature_def[i]->key);
}

/* The one signature a model has besides TF2's internal ones, or NULL. */
static const FrostTf__MetaGraphDef__SignatureEntry *only_signature(const FrostTf__MetaGraphDef *mg) {
    const FrostTf__MetaGraphDef__SignatureEntry *one = NULL;
    for (size_t i = 0; i < mg->n_signature_def; i++) {
        if (internal_signature(mg->signature_def[i]->key) || !mg->signature_def[i]->value) continue;
        if (one) return NULL;
        one = mg->signature_def[i];
    }
    return one;
}

static frost_status choose_signature(freezer *z) {
    frost__sm *sm = z->sm;
    const FrostTf__MetaGraphDef *mg = sm->mg;
    char list[600];
    all_signatures(mg, list, sizeof list);
    if (sm->signature && sm->signature[0]) {
        z->sig = find_signature(mg, sm->signature);
        z->sig_key = sm->signature;
        if (!z->sig)
            return frost__fail(z->err, FROST_E_NOT_FOUND, NULL, NULL, -1,
                               "'%s' has no signature '%s'; its signatures: %s", sm->what,
                               sm->signature, list[0] ? list : "none");
    } else {
        z->sig_key = "serving_default";
        z->sig = find_signature(mg, z->sig_key);
        const FrostTf__MetaGraphDef__SignatureEntry *one = z->sig ? NULL : only_signature(mg);
        if (one) {
            z->sig = one->value;
            z->sig_key = one->key;
        }
        if (!z->sig && sm->n_outputs == 0) {
            if (!list[0])
                return frost__fail(z->err, FROST_E_NOT_FOUND, NULL, NULL, -1,
                                   "'%s' has no signatures: name the tensors to compute (load "
                                   "option outputs, --outputs NAME,...)",
                                   sm->what);
            return frost__fail(z->err, FROST_E_NOT_FOUND, NULL, NULL, -1,
                               "'%s' has no signature 'serving_default': choose one of %s "
                               "(--signature NAME)",
                               sm->what, list);
        }
        if (!z->sig) z->sig_key = NULL;
    }
    const char *w;
    if (z->sig && takes_strings(z->sig, &w)) {
        char ok[600];
        usable_signatures(mg, ok, sizeof ok);
        return frost__fail(z->err, FROST_E_UNSUPPORTED, NULL, NULL, -1,
                           "signature '%s' takes input '%s' as DT_STRING (serialized tf.Example "
                           "records parsed inside the graph): frost computes on tensors only; "
                           "signatures that take tensors: %s (--signature NAME)",
                           z->sig_key, w, ok);
    }
    return FROST_OK;
}

/* ---- values: chase, resolve If, substitute feeds ---------------------------------------------- */

static frost_status materialize(freezer *z, frost__tf_ref r, frost__tf_ref *out);

/* An If/StatelessIf whose predicate is a constant becomes the taken branch. */
static frost_status resolve_if(freezer *z, int id) {
    frost__tf_flat *f = &z->f;
    frost__tf_fnode *n = &f->nodes[id];
    const char *name = n->name, *op = n->op;
    if (n->n_in < 1)
        return frost__fail(z->err, FROST_E_FORMAT, name, op, -1, "node '%s' (%s) has no predicate",
                           name, op);
    frost__tf_ref pr;
    FROST_TRY(materialize(z, n->in[0], &pr));
    const frost__tf_fnode *p = &f->nodes[pr.node];
    const FrostTf__AttrValue *v = is_op(p, "Const") ? frost__tf_node_attr(p, "value") : NULL;
    const FrostTf__TensorProto *t =
        v && v->value_case == FROST_TF__ATTR_VALUE__VALUE_TENSOR ? v->tensor : NULL;
    int taken = -1;
    if (t && t->dtype == FROST_TF__DATA_TYPE__DT_BOOL) {
        if (t->n_bool_val) taken = t->bool_val[0] != 0;
        else if (t->tensor_content.len >= 1) taken = t->tensor_content.data[0] != 0;
        else taken = 0;
    }
    if (taken < 0)
        return frost__fail(z->err, FROST_E_UNSUPPORTED, name, op, -1,
                           "node '%s' (%s) branches on '%s', which is not a constant: frost runs "
                           "conditionals only when the branch is known at load",
                           name, op, p->name);
    const FrostTf__AttrValue *br =
        frost__tf_node_attr(&f->nodes[id], taken ? "then_branch" : "else_branch");
    if (!br || br->value_case != FROST_TF__ATTR_VALUE__VALUE_FUNC)
        return frost__fail(z->err, FROST_E_FORMAT, name, op, -1, "node '%s' (%s) has no %s", name,
                           op, taken ? "then_branch" : "else_branch");
    const char *fname = frost__tf_func_attr_name(&z->ar, br);
    if (!fname)
        return frost__fail(z->err, FROST_E_FORMAT, name, op, -1,
                           "node '%s' (%s): its %s names no function", name, op,
                           taken ? "then_branch" : "else_branch");
    z->n_if++;
    return frost__tf_inline_call(f, id, fname, f->nodes[id].in + 1, f->nodes[id].n_in - 1);
}

static frost_status materialize(freezer *z, frost__tf_ref r, frost__tf_ref *out) {
    for (int guard = 0; guard < 1000; guard++) {
        FROST_TRY(frost__tf_chase(&z->f, r, &r));
        const frost__tf_fnode *n = &z->f.nodes[r.node];
        if (is_op(n, "If") || is_op(n, "StatelessIf")) {
            FROST_TRY(resolve_if(z, r.node));
            continue;
        }
        if (is_op(n, "While") || is_op(n, "StatelessWhile")) {
            FROST_TRY(sm_unroll_while(&z->f, r.node));
            continue;
        }
        if (is_op(n, "TensorListGetItem") || is_op(n, "TensorListStack")) {
            FROST_TRY(sm_rewrite_tensor_list(&z->f, r.node));
            continue;
        }
        /* A variable's reads all become its constant (one copy of the weights, however many
         * reads: an unrolled loop reads its kernels once per step). */
        if (is_op(n, "ReadVariableOp") && n->n_in == 1) {
            frost__tf_ref v;
            FROST_TRY(frost__tf_chase(&z->f, n->in[0], &v));
            if (is_op(&z->f.nodes[v.node], "VarHandleOp")) {
                frost__tf_fnode *rn = &z->f.nodes[r.node];
                frost__tf_ref *fwd = frost__tf_alloc(&z->ar, sizeof *fwd);
                if (!fwd) return oom(z);
                *fwd = v;
                rn->kind = FROST__TF_FORWARD;
                rn->fwd = fwd;
                rn->n_fwd = 1;
                rn->variable_read = true;
                continue;
            }
        }
        for (int i = 0; i < z->n_feeds; i++)
            if (z->feeds[i].at.node == r.node && z->feeds[i].at.port == r.port) {
                r = (frost__tf_ref){z->feeds[i].node, 0};
                break;
            }
        *out = r;
        return FROST_OK;
    }
    return frost__fail(z->err, FROST_E_LIMIT, NULL, NULL, -1, "conditionals nested too deep");
}

/* ---- feeds and fetches ------------------------------------------------------------------------ */

static frost__tf_ref find_tensor(freezer *z, const char *name, const char *what) {
    frost__tf_ref r = frost__tf_find_tensor(&z->f, name);
    if (r.node < 0)
        frost__fail(z->err, FROST_E_FORMAT, NULL, NULL, -1,
                    "%s names tensor '%s', which is not in the graph", what, name);
    return r;
}

static frost_status add_attr(frost__tf_arena *ar, frost__tf_fnode *n,
                             FrostTf__NodeDef__AttrEntry *e) {
    if (!e) return FROST_E_NOMEM;
    FrostTf__NodeDef__AttrEntry **grown =
        frost__tf_alloc(ar, (size_t)(n->n_attrs + 1) * sizeof *grown);
    if (!grown) return FROST_E_NOMEM;
    if (n->n_attrs) memcpy(grown, n->attrs, (size_t)n->n_attrs * sizeof *grown);
    grown[n->n_attrs++] = e;
    n->attrs = grown;
    return FROST_OK;
}

static frost_status setup_feeds(freezer *z) {
    const FrostTf__SignatureDef *sd = z->sig;
    if (!sd) return FROST_OK;
    z->feeds = frost__tf_alloc(&z->ar, (sd->n_inputs + 1) * sizeof *z->feeds);
    if (!z->feeds) return oom(z);
    char what[300];
    for (size_t i = 0; i < sd->n_inputs; i++) {
        const FrostTf__SignatureDef__TensorEntry *te = sd->inputs[i];
        const FrostTf__TensorInfo *ti = te->value;
        snprintf(what, sizeof what, "signature '%s' input '%s'", z->sig_key, te->key);
        if (!ti || !ti->name || !ti->name[0])
            return frost__fail(z->err, FROST_E_UNSUPPORTED, NULL, NULL, -1,
                               "%s is a sparse or composite tensor: frost feeds dense tensors", what);
        if (frost__tf_dtype((int)ti->dtype) == FROST_DTYPE_INVALID)
            return frost__fail(z->err, FROST_E_UNSUPPORTED, NULL, NULL, -1, "%s is %s", what,
                               frost__sm_tf_dtype_name((int)ti->dtype));
        frost__tf_ref r = find_tensor(z, ti->name, what);
        if (r.node < 0) return z->err->code;
        FROST_TRY(frost__tf_chase(&z->f, r, &r));
        feed *fd = &z->feeds[z->n_feeds];
        fd->key = te->key;
        fd->at = r;
        const frost__tf_fnode *n = &z->f.nodes[r.node];
        if ((is_op(n, "Placeholder") || is_op(n, "PlaceholderWithDefault")) && r.port == 0) {
            fd->node = r.node;
        } else {
            /* Any tensor can be fed in TensorFlow: a Placeholder stands for it here. */
            int id = frost__tf_flat_add(&z->f, te->key, NULL, "Placeholder", NULL);
            if (id < 0) return z->err->code;
            frost__tf_fnode *p = &z->f.nodes[id];
            if (add_attr(&z->ar, p, frost__tf_flat_attr_type(&z->ar, "dtype", (int)ti->dtype)) !=
                FROST_OK)
                return oom(z);
            if (ti->tensor_shape) {
                FrostTf__AttrValue *sv = frost__tf_alloc(&z->ar, sizeof *sv);
                if (!sv) return oom(z);
                frost_tf__attr_value__init(sv);
                sv->value_case = FROST_TF__ATTR_VALUE__VALUE_SHAPE;
                sv->shape = ti->tensor_shape;
                if (add_attr(&z->ar, p, frost__tf_flat_attr_entry(&z->ar, "shape", sv)) != FROST_OK)
                    return oom(z);
            }
            fd->node = id;
        }
        z->n_feeds++;
    }
    return FROST_OK;
}

static frost_status setup_fetches(freezer *z) {
    frost__sm *sm = z->sm;
    const FrostTf__SignatureDef *sd = z->sig;
    size_t n = sm->n_outputs > 0 ? (size_t)sm->n_outputs : sd->n_outputs;
    z->fetches = frost__tf_alloc(&z->ar, (n + 1) * sizeof *z->fetches);
    if (!z->fetches) return oom(z);
    char what[300];
    for (size_t i = 0; i < n; i++) {
        fetch *ft = &z->fetches[z->n_fetches];
        const char *tensor = NULL;
        if (sm->n_outputs > 0) {
            const char *asked = sm->outputs[i];
            if (!asked)
                return frost__fail(z->err, FROST_E_INVALID_ARG, NULL, NULL, -1, "output %zu is NULL", i);
            ft->asked = asked;
            for (size_t k = 0; sd && k < sd->n_outputs && !tensor; k++)
                if (strcmp(sd->outputs[k]->key, asked) == 0 && sd->outputs[k]->value)
                    tensor = sd->outputs[k]->value->name;
            if (!tensor) tensor = asked;
            snprintf(what, sizeof what, "the output '%s'", asked);
        } else {
            const FrostTf__SignatureDef__TensorEntry *te = sd->outputs[i];
            if (!te->value || !te->value->name || !te->value->name[0])
                return frost__fail(z->err, FROST_E_UNSUPPORTED, NULL, NULL, -1,
                                   "signature '%s' output '%s' is a sparse or composite tensor",
                                   z->sig_key, te->key);
            ft->key = te->key;
            ft->asked = te->value->name;
            tensor = te->value->name;
            snprintf(what, sizeof what, "signature '%s' output '%s'", z->sig_key, te->key);
        }
        frost__tf_ref r = frost__tf_find_tensor(&z->f, tensor);
        if (r.node < 0) {
            char sigs[400] = "";
            size_t at = 0;
            for (size_t k = 0; sd && k < sd->n_outputs && at < sizeof sigs; k++)
                at += (size_t)snprintf(sigs + at, sizeof sigs - at, "%s'%s'", k ? ", " : "",
                                       sd->outputs[k]->key);
            return frost__fail(z->err, FROST_E_NOT_FOUND, NULL, NULL, -1,
                               "%s: no tensor or signature output has that name%s%s", what,
                               sigs[0] ? " (signature outputs: " : "", sigs[0] ? sigs : "");
        }
        FROST_TRY(materialize(z, r, &ft->at));
        z->n_fetches++;
    }
    if (z->n_fetches == 0)
        return frost__fail(z->err, FROST_E_FORMAT, NULL, NULL, -1, "signature '%s' has no outputs",
                           z->sig_key ? z->sig_key : "?");
    return FROST_OK;
}

/* ---- marking what the outputs need ------------------------------------------------------------ */

static bool reads_variables_ok(const char *op) {
    return strcmp(op, "ReadVariableOp") == 0 || strcmp(op, "ResourceGather") == 0;
}

/* Does r reach its producer through a ReadVariableOp (forwarded to the variable)? */
static bool through_read(const frost__tf_flat *f, frost__tf_ref r) {
    for (int steps = 0; steps <= f->n && r.node >= 0 && r.node < f->n; steps++) {
        const frost__tf_fnode *n = &f->nodes[r.node];
        if (n->variable_read) return true;
        if (n->kind != FROST__TF_FORWARD || r.port < 0 || r.port >= n->n_fwd) return false;
        r = n->fwd[r.port];
    }
    return false;
}

static frost_status mark_needed(freezer *z) {
    frost__tf_flat *f = &z->f;
    int cap = 256, top = 0;
    int *stack = frost__alloc(f->arena->a, (size_t)cap * sizeof *stack);
    if (!stack) return oom(z);
    frost_status st = FROST_OK;
    for (int i = 0; i < z->n_fetches && st == FROST_OK; i++) {
        if (!f->nodes[z->fetches[i].at.node].needed) {
            f->nodes[z->fetches[i].at.node].needed = true;
            if (top == cap && !frost__grow(f->arena->a, (void **)&stack, &cap, top + 1, sizeof *stack))
                st = oom(z);
            else
                stack[top++] = z->fetches[i].at.node;
        }
    }
    while (top > 0 && st == FROST_OK) {
        int id = stack[--top];
        for (int k = 0; k < f->nodes[id].n_in && st == FROST_OK; k++) {
            frost__tf_ref r;
            if ((st = materialize(z, f->nodes[id].in[k], &r)) != FROST_OK) break;
            frost__tf_fnode *src = &f->nodes[r.node];
            if (is_op(src, "VarHandleOp") && !reads_variables_ok(f->nodes[id].op) &&
                !through_read(f, f->nodes[id].in[k])) {
                st = frost__fail(z->err, FROST_E_UNSUPPORTED, f->nodes[id].name, f->nodes[id].op, -1,
                                 "node '%s' (%s) uses variable '%s' directly: frozen graphs read "
                                 "variables only through ReadVariableOp and ResourceGather",
                                 f->nodes[id].name, f->nodes[id].op, src->name);
                break;
            }
            if (src->needed) continue;
            src->needed = true;
            if (top == cap && !frost__grow(f->arena->a, (void **)&stack, &cap, top + 1, sizeof *stack)) {
                st = oom(z);
                break;
            }
            stack[top++] = r.node;
        }
    }
    frost__free(f->arena->a, stack);
    return st;
}

/* ---- emission --------------------------------------------------------------------------------- */

typedef struct emitter {
    FrostTf__NodeDef **nodes;
    int n, cap;
} emitter;

static FrostTf__NodeDef *new_node(freezer *z, emitter *em, const char *name, const char *op) {
    if (!frost__grow(z->f.arena->a, (void **)&em->nodes, &em->cap, em->n + 1, sizeof *em->nodes))
        return NULL;
    FrostTf__NodeDef *nd = frost__tf_alloc(&z->ar, sizeof *nd);
    if (!nd) return NULL;
    frost_tf__node_def__init(nd);
    nd->name = (char *)name;
    nd->op = (char *)op;
    em->nodes[em->n++] = nd;
    return nd;
}

static const char *tensor_name(freezer *z, frost__tf_ref r) {
    const char *nm = z->emit_name[r.node];
    return r.port == 0 ? nm : frost__tf_printf(&z->ar, "%s:%d", nm, r.port);
}

/* The node's data inputs as frozen-graph names. */
static frost_status emit_inputs(freezer *z, int id, FrostTf__NodeDef *nd) {
    const frost__tf_fnode *n = &z->f.nodes[id];
    nd->n_input = (size_t)n->n_in;
    nd->input = frost__tf_alloc(&z->ar, (size_t)(n->n_in ? n->n_in : 1) * sizeof *nd->input);
    if (!nd->input) return oom(z);
    for (int k = 0; k < n->n_in; k++) {
        frost__tf_ref r;
        FROST_TRY(materialize(z, z->f.nodes[id].in[k], &r));
        nd->input[k] = (char *)tensor_name(z, r);
        if (!nd->input[k]) return oom(z);
    }
    return FROST_OK;
}

/* The node's attributes, without frost's and TensorFlow's internal ones ('_' prefix). */
static frost_status copy_attrs(freezer *z, const frost__tf_fnode *n, FrostTf__NodeDef *nd) {
    size_t total = (n->nd ? n->nd->n_attr : 0) + (size_t)n->n_attrs;
    nd->attr = frost__tf_alloc(&z->ar, (total ? total : 1) * sizeof *nd->attr);
    if (!nd->attr) return oom(z);
    size_t k = 0;
    for (size_t i = 0; n->nd && i < n->nd->n_attr; i++) {
        FrostTf__NodeDef__AttrEntry *e = n->nd->attr[i];
        if (e && e->key && e->key[0] != '_') nd->attr[k++] = e;
    }
    for (int i = 0; i < n->n_attrs; i++) nd->attr[k++] = n->attrs[i];
    nd->n_attr = k;
    return FROST_OK;
}

static frost_status set_attrs(freezer *z, FrostTf__NodeDef *nd, int count, ...) {
    va_list ap;
    va_start(ap, count);
    nd->attr = frost__tf_alloc(&z->ar, (size_t)count * sizeof *nd->attr);
    for (int i = 0; i < count; i++) {
        FrostTf__NodeDef__AttrEntry *e = va_arg(ap, FrostTf__NodeDef__AttrEntry *);
        if (nd->attr) nd->attr[i] = e;
        if (!e) nd->attr = NULL;
    }
    va_end(ap);
    if (!nd->attr) return oom(z);
    nd->n_attr = (size_t)count;
    return FROST_OK;
}

static const FrostTf__AttrValue *attr_of(const frost__tf_fnode *n, const char *key) {
    return frost__tf_node_attr(n, key);
}

static int type_attr(const frost__tf_fnode *n, const char *key, int dflt) {
    const FrostTf__AttrValue *a = attr_of(n, key);
    return a && a->value_case == FROST_TF__ATTR_VALUE__VALUE_TYPE ? (int)a->type : dflt;
}

static frost_status emit_node(freezer *z, emitter *em, int id) {
    frost__tf_flat *f = &z->f;
    const frost__tf_fnode *n = &f->nodes[id];
    const char *name = z->emit_name[id];
    if (sm_is_variable_op(n->op)) {
        FrostTf__NodeDef *nd = new_node(z, em, name, "Const");
        if (!nd) return oom(z);
        FrostTf__NodeDef__AttrEntry **attrs;
        int n_attrs;
        FROST_TRY(sm_variable_const_attrs(z->sm, f, id, &attrs, &n_attrs));
        nd->attr = attrs;
        nd->n_attr = (size_t)n_attrs;
        z->n_vars++;
        z->var_bytes += attrs[1]->value->tensor->tensor_content.len;
        return FROST_OK;
    }
    if (is_op(n, "ReadVariableOp")) {
        FrostTf__NodeDef *nd = new_node(z, em, name, "Identity");
        if (!nd) return oom(z);
        FROST_TRY(emit_inputs(z, id, nd));
        return set_attrs(z, nd, 1, frost__tf_flat_attr_type(&z->ar, "T", type_attr(n, "dtype", 1)));
    }
    if (is_op(n, "ResourceGather")) {
        const FrostTf__AttrValue *bd = attr_of(n, "batch_dims");
        if (bd && bd->value_case == FROST_TF__ATTR_VALUE__VALUE_I && bd->i != 0)
            return frost__fail(z->err, FROST_E_UNSUPPORTED, n->name, n->op, -1,
                               "node '%s' (ResourceGather) has batch_dims %lld", n->name,
                               (long long)bd->i);
        const char *axis_name = frost__tf_printf(&z->ar, "%s/axis", name);
        if (!axis_name) return oom(z);
        if (name_taken(z, axis_name))
            return frost__fail(z->err, FROST_E_FORMAT, axis_name, NULL, -1,
                               "cannot add '%s': the name is taken", axis_name);
        name_add(z, axis_name);
        FrostTf__NodeDef *ax = new_node(z, em, axis_name, "Const");
        FrostTf__TensorProto *tp = frost__tf_alloc(&z->ar, sizeof *tp);
        FrostTf__TensorShapeProto *sp = frost__tf_alloc(&z->ar, sizeof *sp);
        FrostTf__AttrValue *val = frost__tf_alloc(&z->ar, sizeof *val);
        int32_t *zero = frost__tf_alloc(&z->ar, sizeof *zero);
        if (!ax || !tp || !sp || !val || !zero) return oom(z);
        frost_tf__tensor_shape_proto__init(sp);
        frost_tf__tensor_proto__init(tp);
        tp->dtype = FROST_TF__DATA_TYPE__DT_INT32;
        tp->tensor_shape = sp;
        tp->n_int_val = 1;
        tp->int_val = zero;
        frost_tf__attr_value__init(val);
        val->value_case = FROST_TF__ATTR_VALUE__VALUE_TENSOR;
        val->tensor = tp;
        FROST_TRY(set_attrs(
            z, ax, 2, frost__tf_flat_attr_type(&z->ar, "dtype", FROST_TF__DATA_TYPE__DT_INT32),
            frost__tf_flat_attr_entry(&z->ar, "value", val)));
        FrostTf__NodeDef *nd = new_node(z, em, name, "GatherV2");
        if (!nd) return oom(z);
        FROST_TRY(emit_inputs(z, id, nd));
        if (nd->n_input != 2)
            return frost__fail(z->err, FROST_E_FORMAT, n->name, n->op, -1,
                               "node '%s' (ResourceGather) has %zu inputs", n->name, nd->n_input);
        char **in3 = frost__tf_alloc(&z->ar, 3 * sizeof *in3);
        if (!in3) return oom(z);
        in3[0] = nd->input[0];
        in3[1] = nd->input[1];
        in3[2] = (char *)axis_name;
        nd->input = in3;
        nd->n_input = 3;
        FrostTf__AttrValue *bdv = frost__tf_alloc(&z->ar, sizeof *bdv);
        if (!bdv) return oom(z);
        frost_tf__attr_value__init(bdv);
        bdv->value_case = FROST_TF__ATTR_VALUE__VALUE_I;
        bdv->i = 0;
        return set_attrs(z, nd, 4,
                         frost__tf_flat_attr_type(&z->ar, "Tparams", type_attr(n, "dtype", 1)),
                         frost__tf_flat_attr_type(&z->ar, "Tindices", type_attr(n, "Tindices", 3)),
                         frost__tf_flat_attr_type(&z->ar, "Taxis", FROST_TF__DATA_TYPE__DT_INT32),
                         frost__tf_flat_attr_entry(&z->ar, "batch_dims", bdv));
    }
    FrostTf__NodeDef *nd = new_node(z, em, name, n->op);
    if (!nd) return oom(z);
    FROST_TRY(emit_inputs(z, id, nd));
    return copy_attrs(z, n, nd);
}

/* Names: every needed node keeps its flat name, feeds take their signature keys. */
static frost_status assign_names(freezer *z) {
    frost__tf_flat *f = &z->f;
    size_t cap = 64;
    while (cap < (size_t)f->n * 2 + 64) cap *= 2;
    z->names = frost__tf_alloc(&z->ar, cap * sizeof *z->names);
    z->emit_name = frost__tf_alloc(&z->ar, (size_t)f->n * sizeof *z->emit_name + 1);
    if (!z->names || !z->emit_name) return oom(z);
    z->names_mask = cap - 1;
    for (int i = 0; i < f->n; i++) {
        if (!f->nodes[i].needed) continue;
        bool is_feed = false;
        for (int k = 0; k < z->n_feeds; k++) is_feed |= z->feeds[k].node == i;
        if (!is_feed) {
            if (name_taken(z, f->nodes[i].name))
                return frost__fail(z->err, FROST_E_FORMAT, f->nodes[i].name, f->nodes[i].op, -1,
                                   "two nodes of the inlined graph are named '%s'", f->nodes[i].name);
            name_add(z, f->nodes[i].name);
            z->emit_name[i] = f->nodes[i].name;
        }
    }
    for (int k = 0; k < z->n_feeds; k++) {
        int i = z->feeds[k].node;
        if (!f->nodes[i].needed || z->emit_name[i]) continue;
        const char *want = z->feeds[k].key;
        const char *nm = name_taken(z, want) ? f->nodes[i].name : want;
        if (name_taken(z, nm)) nm = frost__tf_printf(&z->ar, "%s/feed", want);
        if (!nm) return oom(z);
        name_add(z, nm);
        z->emit_name[i] = nm;
    }
    return FROST_OK;
}

static frost_status remember(freezer *z, const char *from, const char *to) {
    frost__sm *sm = z->sm;
    if (!from || !to || strcmp(from, to) == 0) return FROST_OK;
    int n = sm->n_aliases;
    const char **a = frost__tf_alloc(&sm->arena, (size_t)(n + 1) * sizeof *a);
    const char **b = frost__tf_alloc(&sm->arena, (size_t)(n + 1) * sizeof *b);
    char *fc = frost__tf_strndup(&sm->arena, from, strlen(from));
    char *tc = frost__tf_strndup(&sm->arena, to, strlen(to));
    if (!a || !b || !fc || !tc) return oom(z);
    if (n) {
        memcpy(a, sm->alias_from, (size_t)n * sizeof *a);
        memcpy(b, sm->alias_to, (size_t)n * sizeof *b);
    }
    a[n] = fc;
    b[n] = tc;
    sm->alias_from = a;
    sm->alias_to = b;
    sm->n_aliases = n + 1;
    return FROST_OK;
}

/* Inlined calls: the call nodes of the model that became FORWARD nodes (not loops, reads or
 * list ops, nor the steps frost added to unroll loops). */
static int sm_count_calls(const frost__tf_flat *f) {
    int n = 0;
    for (int i = 0; i < f->n; i++) {
        const frost__tf_fnode *s = &f->nodes[i];
        n += s->kind == FROST__TF_FORWARD && s->nd && !s->variable_read &&
             strncmp(s->op, "TensorList", 10) != 0 && strcmp(s->op, "While") != 0 &&
             strcmp(s->op, "StatelessWhile") != 0;
    }
    return n;
}

static int sm_count_loops(const frost__tf_flat *f) {
    int n = 0;
    for (int i = 0; i < f->n; i++)
        n += f->nodes[i].kind == FROST__TF_FORWARD && (strcmp(f->nodes[i].op, "While") == 0 ||
                                                strcmp(f->nodes[i].op, "StatelessWhile") == 0);
    return n;
}

static frost_status emit_graph(freezer *z, void **out, size_t *out_size) {
    frost__tf_flat *f = &z->f;
    frost__sm *sm = z->sm;
    emitter em = {0};
    frost_status st = FROST_OK;
    sm->n_aliases = 0;
    sm->n_fetch_names = 0;
    sm->fetch_names =
        frost__tf_alloc(&sm->arena, (size_t)(z->n_fetches + 1) * sizeof *sm->fetch_names);
    if (!sm->fetch_names) return oom(z);
    for (int i = 0; i < f->n && st == FROST_OK; i++)
        if (f->nodes[i].needed) st = emit_node(z, &em, i);
    /* Feeds: the TensorFlow names answer too. */
    for (int k = 0; k < z->n_feeds && st == FROST_OK; k++) {
        const FrostTf__TensorInfo *ti = z->sig->inputs[k]->value;
        const char *emitted = z->emit_name[z->feeds[k].node];
        if (!emitted) continue;  /* the outputs do not need this input */
        st = remember(z, z->feeds[k].key, emitted);
        if (st == FROST_OK) st = remember(z, ti->name, emitted);
        size_t len = strlen(ti->name);
        if (st == FROST_OK && len > 2 && strcmp(ti->name + len - 2, ":0") == 0) {
            char *bare =
                frost__tf_strndup(&z->ar, ti->name, len - 2); /* "x:0" also answers as "x" */
            st = bare ? remember(z, bare, emitted) : oom(z);
        }
    }
    /* Fetches: signature outputs become Identity nodes named by their keys. */
    for (int k = 0; k < z->n_fetches && st == FROST_OK; k++) {
        fetch *ft = &z->fetches[k];
        const char *target = tensor_name(z, ft->at);
        if (!target) {
            st = oom(z);
            break;
        }
        const char *result = target;
        if (ft->key && !name_taken(z, ft->key)) {
            FrostTf__NodeDef *nd = new_node(z, &em, ft->key, "Identity");
            char **in = frost__tf_alloc(&z->ar, sizeof *in);
            if (!nd || !in) {
                st = oom(z);
                break;
            }
            name_add(z, ft->key);
            in[0] = (char *)target;
            nd->input = in;
            nd->n_input = 1;
            /* The Identity's T is the fetched tensor's dtype, from the signature. */
            const FrostTf__TensorInfo *ti = z->sig->outputs[k]->value;
            st = set_attrs(z, nd, 1, frost__tf_flat_attr_type(&z->ar, "T", (int)ti->dtype));
            result = ft->key;
        } else if (ft->key) {
            st = remember(z, ft->key, target);
        }
        if (st == FROST_OK) st = remember(z, ft->asked, result);
        if (st == FROST_OK) {
            sm->fetch_names[sm->n_fetch_names] =
                frost__tf_strndup(&sm->arena, result, strlen(result));
            if (!sm->fetch_names[sm->n_fetch_names]) st = oom(z);
            sm->n_fetch_names++;
        }
        /* "StatefulPartitionedCall:0" also answers as "StatefulPartitionedCall". */
        if (st == FROST_OK && ft->asked) {
            size_t len = strlen(ft->asked);
            if (len > 2 && strcmp(ft->asked + len - 2, ":0") == 0) {
                char *bare = frost__tf_strndup(&z->ar, ft->asked, len - 2);
                st = bare ? remember(z, bare, result) : oom(z);
            }
        }
    }
    if (st == FROST_OK) {
        FrostTf__GraphDef gd;
        frost_tf__graph_def__init(&gd);
        gd.n_node = (size_t)em.n;
        gd.node = em.nodes;
        gd.versions = sm->mg->graph_def->versions;
        size_t size = frost_tf__graph_def__get_packed_size(&gd);
        uint8_t *buf = frost__alloc(&sm->alloc, size ? size : 1);
        if (!buf) {
            st = oom(z);
        } else {
            size_t packed = frost_tf__graph_def__pack(&gd, buf);
            if (packed != size) {
                frost__free(&sm->alloc, buf);
                st = frost__fail(z->err, FROST_E_INTERNAL, NULL, NULL, -1,
                                 "packing the frozen GraphDef gave %zu bytes, not %zu", packed, size);
            } else {
                *out = buf;
                *out_size = size;
            }
        }
    }
    if (st == FROST_OK) {
        sm->fetches_are_outputs = sm->n_outputs == 0;
        sm->report = frost__tf_printf(&sm->arena,
                               "%s: MetaGraph [%s]%s%s%s, %d nodes after inlining %d function "
                               "call%s and unrolling %d loop%s; froze %d variable%s (%llu bytes) "
                               "from %s.index; frozen graph of %d nodes",
                               sm->info.kind, sm->info.n_tags ? sm->info.tags[0] : "",
                               z->sig_key ? ", signature '" : "", z->sig_key ? z->sig_key : "",
                               z->sig_key ? "'" : "", f->n, sm_count_calls(f),
                               sm_count_calls(f) == 1 ? "" : "s", sm_count_loops(f),
                               sm_count_loops(f) == 1 ? "" : "s", z->n_vars, z->n_vars == 1 ? "" : "s",
                               (unsigned long long)z->var_bytes, sm->ckpt_prefix, em.n);
    }
    frost__free(f->arena->a, em.nodes);
    return st;
}

frost_status frost__sm_freeze(frost__sm *sm, void **out, size_t *out_size, frost_error *err) {
    *out = NULL;
    *out_size = 0;
    freezer z;
    memset(&z, 0, sizeof z);
    z.sm = sm;
    z.err = err;
    z.ar.a = &sm->alloc;
    z.f.arena = &z.ar;
    z.f.err = err;
    z.f.ops = sm->mg->meta_info_def ? sm->mg->meta_info_def->stripped_op_list : NULL;
    z.f.max_nodes = sm->max_nodes > 0 ? sm->max_nodes : 1000000;
    frost_status st = choose_signature(&z);
    const FrostTf__GraphDefWithLibrary *gd = sm->mg->graph_def;
    if (st == FROST_OK) st = frost__tf_flatten(&z.f, gd->node, gd->n_node, gd->library);
    if (st == FROST_OK) st = sm_find_variable_keys(sm, &z.f);
    if (st == FROST_OK) st = setup_feeds(&z);
    if (st == FROST_OK) st = setup_fetches(&z);
    if (st == FROST_OK) st = mark_needed(&z);
    if (st == FROST_OK) st = assign_names(&z);
    if (st == FROST_OK) st = emit_graph(&z, out, out_size);
    frost__free(&sm->alloc, z.f.nodes);
    frost__tf_arena_free(&z.ar);
    return st;
}

void frost__sm_free_bytes(frost__sm *sm, void *bytes) { frost__free(&sm->alloc, bytes); }
