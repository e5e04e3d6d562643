/* tf_inline.c — the one inliner of TensorFlow functions: a graph's nodes flattened with every
 * function call (StatefulPartitionedCall, PartitionedCall, a node whose op is a library function)
 * replaced by the callee's body, inlined under the call node's name and recursively, with the call
 * node turned into a FORWARD node whose ports lead to the callee's results. A function's arguments
 * resolve straight to the caller's inputs, so a value is found by following FORWARD nodes
 * (frost__tf_chase) and nothing needs a second pass. The SavedModel freezer and TF.js graph models
 * with a library both flatten here; what they do with If / While is theirs.
 *
 * Function bodies name their inputs "arg", "arg:0", "node", "node:port" or "node:out_arg:k" (k-th
 * tensor of the node's output argument out_arg); ports come from the op's OpDef (a MetaGraph's
 * stripped_op_list), a callee's signature, or a built-in table of the multi-output ops. Never
 * trusts the file: unknown names, ports past an op's outputs, recursion deeper than 64 calls, list
 * arguments and more nodes than max_nodes fail with a message naming the function and node.
 * Control inputs ("^node") carry no data and are dropped. */
#include <stdio.h>
#include <stdlib.h>

#include "import/tf/tf_inline.h"
#include "import/tf/tf_internal.h"
#include "import/tf/tf_names.h"

enum { MAX_CALL_DEPTH = 64 };

int frost__tf_flat_add(frost__tf_flat *f, const char *name, const FrostTf__NodeDef *nd,
                       const char *op, const char *func) {
    if (f->n >= f->max_nodes) {
        frost__fail(f->err, FROST_E_LIMIT, name, op, -1,
                    "inlining the model's functions makes more than %lld nodes (max_nodes)",
                    (long long)f->max_nodes);
        return -1;
    }
    if (!frost__grow(f->arena->a, (void **)&f->nodes, &f->cap, f->n + 1, sizeof *f->nodes)) {
        frost__fail(f->err, FROST_E_NOMEM, name, op, -1, "out of memory while inlining functions");
        return -1;
    }
    frost__tf_fnode *n = &f->nodes[f->n];
    memset(n, 0, sizeof *n);
    n->name = name;
    n->nd = nd;
    n->op = op;
    n->func = func;
    n->depth = f->depth;
    return f->n++;
}

static int by_function_name(const void *a, const void *b) {
    const FrostTf__FunctionDef *x = *(const FrostTf__FunctionDef *const *)a;
    const FrostTf__FunctionDef *y = *(const FrostTf__FunctionDef *const *)b;
    return strcmp(x->signature->name, y->signature->name);
}

const FrostTf__FunctionDef *frost__tf_find_function(const frost__tf_flat *f, const char *name) {
    if (!f->fn_sorted || !name) return NULL;
    int lo = 0, hi = f->n_fn_sorted - 1;
    while (lo <= hi) {
        int mid = lo + (hi - lo) / 2;
        int c = strcmp(f->fn_sorted[mid]->signature->name, name);
        if (c == 0) return f->fn_sorted[mid];
        if (c < 0) lo = mid + 1;
        else hi = mid - 1;
    }
    return NULL;
}

const FrostTf__AttrValue *frost__tf_node_attr(const frost__tf_fnode *n, const char *key) {
    const FrostTf__AttrValue *v = n->nd ? frost__tf_attr(n->nd, key) : NULL;
    if (v || !n->n_attrs) return v;
    FrostTf__NodeDef added = FROST_TF__NODE_DEF__INIT;
    added.attr = n->attrs;
    added.n_attr = (size_t)n->n_attrs;
    return frost__tf_attr(&added, key);
}

static bool is_call_op(const char *op) {
    return strcmp(op, "StatefulPartitionedCall") == 0 || strcmp(op, "PartitionedCall") == 0;
}

const char *frost__tf_call_target(frost__tf_flat *f, const FrostTf__NodeDef *nd) {
    if (is_call_op(nd->op)) return frost__tf_func_attr_name(f->arena, frost__tf_attr(nd, "f"));
    return frost__tf_find_function(f, nd->op) ? nd->op : NULL;
}

/* NameAttrList's name (field 1) read from its bytes directly: the attributes after it are not
 * needed, and nothing is allocated but the copy in the arena. NULL when malformed or absent. */
const char *frost__tf_func_attr_name(frost__tf_arena *ar, const FrostTf__AttrValue *a) {
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
        if ((key >> 3) == 1) {
            if (!len || memchr(p + pos, 0, (size_t)len)) return NULL;
            return frost__tf_strndup(ar, (const char *)p + pos, (size_t)len);
        }
        pos += (size_t)len;
    }
    return NULL;
}

FrostTf__NodeDef__AttrEntry *frost__tf_flat_attr_entry(frost__tf_arena *ar, const char *key,
                                                  FrostTf__AttrValue *v) {
    FrostTf__NodeDef__AttrEntry *e = frost__tf_alloc(ar, sizeof *e);
    if (!e || !v) return NULL;
    frost_tf__node_def__attr_entry__init(e);
    e->key = frost__tf_strndup(ar, key, strlen(key));
    e->value = v;
    return e->key ? e : NULL;
}

FrostTf__NodeDef__AttrEntry *frost__tf_flat_attr_type(frost__tf_arena *ar, const char *key,
                                                      int tf_dtype) {
    FrostTf__AttrValue *v = frost__tf_alloc(ar, sizeof *v);
    if (!v) return NULL;
    frost_tf__attr_value__init(v);
    v->value_case = FROST_TF__ATTR_VALUE__VALUE_TYPE;
    v->type = (FrostTf__DataType)tf_dtype;
    return frost__tf_flat_attr_entry(ar, key, v);
}

static const FrostTf__OpDef *find_opdef(const frost__tf_flat *f, const char *op) {
    if (!f->ops) return NULL;
    for (size_t i = 0; i < f->ops->n_op; i++)
        if (f->ops->op[i] && f->ops->op[i]->name && strcmp(f->ops->op[i]->name, op) == 0)
            return f->ops->op[i];
    return NULL;
}

/* Tensors in one output argument of a node: 1, N (number_attr) or len(type_list_attr). */
static int64_t arg_size(const FrostTf__NodeDef *nd, const FrostTf__OpDef__ArgDef *arg) {
    if (arg->number_attr && arg->number_attr[0]) {
        const FrostTf__AttrValue *a = frost__tf_attr(nd, arg->number_attr);
        return a && a->value_case == FROST_TF__ATTR_VALUE__VALUE_I ? a->i : -1;
    }
    if (arg->type_list_attr && arg->type_list_attr[0]) {
        const FrostTf__AttrValue *a = frost__tf_attr(nd, arg->type_list_attr);
        if (!a || a->value_case != FROST_TF__ATTR_VALUE__VALUE_LIST || !a->list) return -1;
        return (int64_t)a->list->n_type;
    }
    return 1;
}

/* Without an OpDef (a TF.js graph model has none): the output arguments of the multi-output ops
 * frost runs, each one tensor; any other op is taken to have a single output argument. */
static int64_t builtin_output_port(const char *op, const char *arg, int64_t k) {
    static const struct {
        const char *op;
        const char *args[6];
    } multi[] = {
        {"FusedBatchNorm",
         {"y", "batch_mean", "batch_variance", "reserve_space_1", "reserve_space_2"}},
        {"FusedBatchNormV2",
         {"y", "batch_mean", "batch_variance", "reserve_space_1", "reserve_space_2"}},
        {"FusedBatchNormV3",
         {"y", "batch_mean", "batch_variance", "reserve_space_1", "reserve_space_2",
          "reserve_space_3"}},
        {"_FusedBatchNormEx",
         {"y", "batch_mean", "batch_variance", "reserve_space_1", "reserve_space_2",
          "reserve_space_3"}},
        {"Switch", {"output_false", "output_true"}},
        {"Merge", {"output", "value_index"}},
        {"TopKV2", {"values", "indices"}},
        {"TopK", {"values", "indices"}},
        {"Unique", {"y", "idx"}},
        {"MaxPoolWithArgmax", {"output", "argmax"}},
        {"NonMaxSuppressionV4", {"selected_indices", "valid_outputs"}},
        {"NonMaxSuppressionV5", {"selected_indices", "selected_scores", "valid_outputs"}},
    };
    for (size_t i = 0; i < FROST_ARRAY_LEN(multi); i++) {
        if (strcmp(multi[i].op, op) != 0) continue;
        for (int a = 0; a < 6 && multi[i].args[a]; a++)
            if (strcmp(multi[i].args[a], arg) == 0) return k == 0 ? a : -1;
        return -1;
    }
    return k;
}

/* Port of tensor k of output argument `arg` of node nd; -1 when the op has no such argument. */
static int64_t output_port(frost__tf_flat *f, const FrostTf__NodeDef *nd, const char *arg,
                           int64_t k) {
    const FrostTf__OpDef *od = NULL;
    if (is_call_op(nd->op)) return strcmp(arg, "output") == 0 ? k : -1;
    const FrostTf__FunctionDef *fn = frost__tf_find_function(f, nd->op);
    if (fn) od = fn->signature;
    if (!od) od = find_opdef(f, nd->op);
    if (!od) return builtin_output_port(nd->op, arg, k);
    int64_t base = 0;
    for (size_t i = 0; i < od->n_output_arg; i++) {
        const FrostTf__OpDef__ArgDef *a = od->output_arg[i];
        int64_t size = arg_size(nd, a);
        if (a->name && strcmp(a->name, arg) == 0) return size < 0 || k < size ? base + k : -1;
        if (size < 0) return -1;
        base += size;
    }
    return -1;
}

/* One function body (or the top-level graph) being flattened. */
typedef struct scope {
    frost__tf_flat *f;
    const FrostTf__FunctionDef *fn;   /* NULL: the top-level graph                            */
    const char *fname;                /* for messages                                         */
    FrostTf__NodeDef *const *nds;
    size_t n_nds;
    int first;                        /* index of the scope's first node in f->nodes           */
    frost__tf_names names;            /* the scope's nodes by their local names                */
    const char *prefix;               /* the call node's name; NULL at the top level           */
    const frost__tf_ref *args;
    int n_args;
} scope;

static int arg_index(const scope *sc, const char *name, size_t len) {
    if (!sc->fn) return -1;
    const FrostTf__OpDef *sig = sc->fn->signature;
    for (size_t i = 0; i < sig->n_input_arg; i++) {
        const char *a = sig->input_arg[i]->name;
        if (a && strncmp(a, name, len) == 0 && a[len] == 0) return (int)i;
    }
    return -1;
}

static bool all_digits(const char *s, size_t n) {
    if (n == 0 || n > 9) return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9') return false;
    return true;
}

static frost_status bad_input(scope *sc, const FrostTf__NodeDef *nd, const char *s,
                              const char *why) {
    return frost__fail(sc->f->err, FROST_E_FORMAT, nd ? nd->name : NULL, nd ? nd->op : NULL, -1,
                       "%s%s%s: %s%s%s'%s' %s", sc->fn ? "function '" : "the graph",
                       sc->fn ? sc->fname : "", sc->fn ? "'" : "", nd ? "node '" : "",
                       nd ? nd->name : "", nd ? "' reads " : "", s, why);
}

/* Resolves an input string of the scope to a ref. */
static frost_status resolve(scope *sc, const FrostTf__NodeDef *nd, const char *s,
                            frost__tf_ref *out) {
    const char *c1 = strchr(s, ':');
    const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    size_t n0 = c1 ? (size_t)(c1 - s) : strlen(s);
    int64_t port = 0;
    int local = frost__tf_names_find(&sc->names, s, n0);
    if (!c1) {
        int a = local < 0 ? arg_index(sc, s, n0) : -1;
        if (local < 0 && a < 0) return bad_input(sc, nd, s, "which names no node or argument");
        if (a >= 0) {
            *out = sc->args[a];
            return FROST_OK;
        }
    } else if (!c2 && all_digits(c1 + 1, strlen(c1 + 1))) {
        port = strtol(c1 + 1, NULL, 10);
        if (local < 0) {
            int a = arg_index(sc, s, n0);
            if (a < 0) return bad_input(sc, nd, s, "which names no node or argument");
            if (port != 0) return bad_input(sc, nd, s, "past the argument's single tensor");
            *out = sc->args[a];
            return FROST_OK;
        }
    } else {
        if (local < 0) return bad_input(sc, nd, s, "which names no node of the function");
        size_t alen = c2 ? (size_t)(c2 - c1 - 1) : strlen(c1 + 1);
        int64_t k = 0;
        if (c2) {
            if (!all_digits(c2 + 1, strlen(c2 + 1)))
                return bad_input(sc, nd, s, "with a malformed output index");
            k = strtol(c2 + 1, NULL, 10);
        }
        char arg[128];
        if (alen >= sizeof arg) return bad_input(sc, nd, s, "with an absurd output argument name");
        memcpy(arg, c1 + 1, alen);
        arg[alen] = 0;
        port = output_port(sc->f, sc->nds[local], arg, k);
        if (port < 0) {
            char why[300];
            snprintf(why, sizeof why, "but op %s has no output '%s' with a tensor %lld",
                     sc->nds[local]->op, arg, (long long)k);
            return bad_input(sc, nd, s, why);
        }
    }
    if (port > 100000) return bad_input(sc, nd, s, "with an absurd output index");
    out->node = sc->first + local;
    out->port = (int)port;
    return FROST_OK;
}

static frost_status scope_fail(scope *sc, const FrostTf__NodeDef *nd, frost_status code,
                               const char *what) {
    return frost__fail(sc->f->err, code, nd ? nd->name : NULL, nd ? nd->op : NULL, -1, "%s%s%s: %s",
                       sc->fn ? "function '" : "the graph", sc->fn ? sc->fname : "",
                       sc->fn ? "'" : "", what);
}

/* Flattens the scope's nodes; fills rets (one per output argument) for a function. */
static frost_status flatten_scope(scope *sc, frost__tf_ref *rets) {
    frost__tf_flat *f = sc->f;
    const frost_allocator *a = f->arena->a;
    frost_status st = FROST_OK;
    sc->first = f->n;
    char msg[400];
    for (size_t i = 0; i < sc->n_nds; i++) {
        const FrostTf__NodeDef *nd = sc->nds[i];
        if (!nd || !nd->name || !nd->name[0] || !nd->op || !nd->op[0]) {
            snprintf(msg, sizeof msg, "node #%zu has no name or no op", i);
            return scope_fail(sc, NULL, FROST_E_FORMAT, msg);
        }
    }
    int dup_first = 0, dup_second = 0;
    st = frost__tf_names_build(&sc->names, a, sc->nds, sc->n_nds, &dup_first, &dup_second);
    if (st == FROST_E_NOMEM) {
        st = frost__fail(f->err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
        goto done;
    }
    if (st != FROST_OK) {
        const FrostTf__NodeDef *nd = sc->nds[dup_second];
        snprintf(msg, sizeof msg, "two nodes are named '%.200s'", nd->name);
        st = scope_fail(sc, nd, FROST_E_FORMAT, msg);
        goto done;
    }
    /* Every node of the scope, named under the call. */
    for (size_t i = 0; i < sc->n_nds; i++) {
        const FrostTf__NodeDef *nd = sc->nds[i];
        const char *name =
            sc->prefix ? frost__tf_printf(f->arena, "%s/%s", sc->prefix, nd->name) : nd->name;
        if (!name) {
            st = frost__fail(f->err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
            goto done;
        }
        if (frost__tf_flat_add(f, name, nd, nd->op, sc->fn ? sc->fname : NULL) < 0) {
            st = f->err->code;
            goto done;
        }
    }
    /* Data inputs. */
    for (size_t i = 0; i < sc->n_nds; i++) {
        const FrostTf__NodeDef *nd = sc->nds[i];
        int n_data = 0;
        for (size_t k = 0; k < nd->n_input; k++)
            if (nd->input[k] && nd->input[k][0] != '^') n_data++;
        frost__tf_ref *in = frost__tf_alloc(f->arena, (size_t)(n_data ? n_data : 1) * sizeof *in);
        if (!in) {
            st = frost__fail(f->err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
            goto done;
        }
        int j = 0;
        for (size_t k = 0; k < nd->n_input; k++) {
            const char *s = nd->input[k];
            if (!s || !s[0]) {
                st = scope_fail(sc, nd, FROST_E_FORMAT, "a node has an empty input");
                goto done;
            }
            if (s[0] == '^') continue;
            if ((st = resolve(sc, nd, s, &in[j++])) != FROST_OK) goto done;
        }
        frost__tf_fnode *n = &f->nodes[sc->first + (int)i];
        n->in = in;
        n->n_in = n_data;
    }
    /* Calls: inline the callee (this may grow f->nodes: index, never hold pointers). */
    for (size_t i = 0; i < sc->n_nds; i++) {
        const FrostTf__NodeDef *nd = sc->nds[i];
        int id = sc->first + (int)i;
        const char *target = frost__tf_call_target(f, nd);
        if (!target) {
            if (is_call_op(nd->op)) {
                st = scope_fail(sc, nd, FROST_E_FORMAT,
                                "a function call names no function of the library");
                goto done;
            }
            continue;
        }
        if ((st = frost__tf_inline_call(f, id, target, f->nodes[id].in, f->nodes[id].n_in)) !=
            FROST_OK)
            goto done;
    }
    /* Results. */
    if (sc->fn) {
        const FrostTf__OpDef *sig = sc->fn->signature;
        for (size_t k = 0; k < sig->n_output_arg; k++) {
            const char *arg = sig->output_arg[k]->name;
            const char *value = NULL;
            for (size_t r = 0; r < sc->fn->n_ret && !value; r++)
                if (sc->fn->ret[r] && sc->fn->ret[r]->key && arg &&
                    strcmp(sc->fn->ret[r]->key, arg) == 0)
                    value = sc->fn->ret[r]->value;
            if (!value || !value[0]) {
                snprintf(msg, sizeof msg, "output '%.100s' is not returned (no ret entry)",
                         arg ? arg : "?");
                st = scope_fail(sc, NULL, FROST_E_FORMAT, msg);
                goto done;
            }
            if ((st = resolve(sc, NULL, value, &rets[k])) != FROST_OK) goto done;
        }
    }
done:
    frost__tf_names_free(&sc->names, a);
    return st;
}

frost_status frost__tf_inline_call(frost__tf_flat *f, int call, const char *fname,
                                   const frost__tf_ref *args, int n_args) {
    const FrostTf__FunctionDef *fn = frost__tf_find_function(f, fname);
    const char *cname = f->nodes[call].name, *cop = f->nodes[call].op;
    if (!fn || !fn->signature)
        return frost__fail(f->err, FROST_E_FORMAT, cname, cop, -1,
                           "node '%s' (%s) calls function '%s', which the library does not define",
                           cname, cop, fname);
    /* A call inlined later (an If's branch, a loop's step) counts the calls around it too. */
    int depth = f->nodes[call].depth;
    if (depth >= MAX_CALL_DEPTH)
        return frost__fail(f->err, FROST_E_LIMIT, cname, cop, -1,
                           "function '%s' is called inside %d calls already (recursion?), by node "
                           "'%.200s%s'",
                           fname, MAX_CALL_DEPTH, cname, strlen(cname) > 200 ? "..." : "");
    const FrostTf__OpDef *sig = fn->signature;
    for (size_t i = 0; i < sig->n_input_arg; i++) {
        const FrostTf__OpDef__ArgDef *a = sig->input_arg[i];
        if ((a->number_attr && a->number_attr[0]) || (a->type_list_attr && a->type_list_attr[0]))
            return frost__fail(f->err, FROST_E_UNSUPPORTED, cname, cop, -1,
                               "function '%s' takes a list argument ('%s'): only instantiated "
                               "functions (one tensor per argument) can be inlined",
                               fname, a->name ? a->name : "?");
    }
    if ((size_t)n_args != sig->n_input_arg)
        return frost__fail(f->err, FROST_E_FORMAT, cname, cop, -1,
                           "node '%s' (%s) passes %d inputs to function '%s', which takes %zu",
                           cname, cop, n_args, fname, sig->n_input_arg);
    frost__tf_ref *rets =
        frost__tf_alloc(f->arena, (sig->n_output_arg ? sig->n_output_arg : 1) * sizeof *rets);
    if (!rets) return frost__fail(f->err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
    scope sc = {
        .f = f, .fn = fn, .fname = fname, .nds = fn->node_def, .n_nds = fn->n_node_def,
        .prefix = cname, .args = args, .n_args = n_args,
    };
    int outer = f->depth;
    f->depth = depth + 1;
    frost_status st = flatten_scope(&sc, rets);
    f->depth = outer;
    if (st != FROST_OK) return st;
    frost__tf_fnode *n = &f->nodes[call];
    n->kind = FROST__TF_FORWARD;
    n->fwd = rets;
    n->n_fwd = (int)sig->n_output_arg;
    return FROST_OK;
}

frost_status frost__tf_flatten(frost__tf_flat *f, FrostTf__NodeDef *const *nodes, size_t n_nodes,
                               const FrostTf__FunctionDefLibrary *lib) {
    f->lib = lib;
    /* The library sorted by name (functions without a name cannot be called). */
    size_t n_fn = f->lib ? f->lib->n_function : 0;
    f->fn_sorted = frost__tf_alloc(f->arena, (n_fn + 1) * sizeof *f->fn_sorted);
    if (!f->fn_sorted) return frost__fail(f->err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
    f->n_fn_sorted = 0;
    for (size_t i = 0; i < n_fn; i++) {
        const FrostTf__FunctionDef *fn = f->lib->function[i];
        if (fn && fn->signature && fn->signature->name && fn->signature->name[0])
            f->fn_sorted[f->n_fn_sorted++] = fn;
    }
    qsort(f->fn_sorted, (size_t)f->n_fn_sorted, sizeof *f->fn_sorted, by_function_name);
    for (int i = 1; i < f->n_fn_sorted; i++)
        if (strcmp(f->fn_sorted[i - 1]->signature->name, f->fn_sorted[i]->signature->name) == 0)
            return frost__fail(f->err, FROST_E_FORMAT, NULL, NULL, -1,
                               "the function library defines '%s' twice",
                               f->fn_sorted[i]->signature->name);
    scope sc = {.f = f, .fn = NULL, .fname = NULL, .nds = nodes, .n_nds = n_nodes};
    return flatten_scope(&sc, NULL);
}

/* Points every FORWARD entry on the way from `from` at `to`, so long chains (a loop's steps
 * passing a value through) are walked once. */
static bool same_ref(frost__tf_ref a, frost__tf_ref b) {
    return a.node == b.node && a.port == b.port;
}

static void compress(frost__tf_flat *f, frost__tf_ref from, frost__tf_ref to) {
    /* A ReadVariableOp turned FORWARD stays on the path: the freezer asks whether a variable is
     * reached through one. */
    frost__tf_ref target = to;
    for (frost__tf_ref r = from; !same_ref(r, to);) {
        const frost__tf_fnode *n = &f->nodes[r.node];
        if (n->kind != FROST__TF_FORWARD) break;
        if (n->variable_read) {
            target = r;
            break;
        }
        r = n->fwd[r.port];
    }
    while (!same_ref(from, target)) {
        frost__tf_fnode *n = &f->nodes[from.node];
        if (n->kind != FROST__TF_FORWARD) return;
        frost__tf_ref next = n->fwd[from.port];
        n->fwd[from.port] = target;
        from = next;
    }
}

frost_status frost__tf_chase(frost__tf_flat *f, frost__tf_ref r, frost__tf_ref *out) {
    frost__tf_ref start = r;
    for (int steps = 0; steps <= f->n; steps++) {
        if (r.node < 0 || r.node >= f->n)
            return frost__fail(f->err, FROST_E_INTERNAL, NULL, NULL, -1, "dangling flat reference");
        const frost__tf_fnode *n = &f->nodes[r.node];
        if (n->kind != FROST__TF_FORWARD) {
            if (steps > 1) compress(f, start, r);
            *out = r;
            return FROST_OK;
        }
        if (r.port < 0 || r.port >= n->n_fwd)
            return frost__fail(f->err, FROST_E_FORMAT, n->name, n->op, -1,
                               "output %d of '%s' (%s) is read, but its function returns %d "
                               "value%s",
                               r.port, n->name, n->op, n->n_fwd, n->n_fwd == 1 ? "" : "s");
        r = n->fwd[r.port];
    }
    return frost__fail(f->err, FROST_E_FORMAT, NULL, NULL, -1,
                       "function arguments and results form a cycle");
}

frost__tf_ref frost__tf_find_tensor(const frost__tf_flat *f, const char *name) {
    frost__tf_ref r = {-1, 0};
    const char *colon = strrchr(name, ':');
    size_t len = strlen(name);
    if (colon && all_digits(colon + 1, strlen(colon + 1))) {
        r.port = (int)strtol(colon + 1, NULL, 10);
        len = (size_t)(colon - name);
    }
    for (int i = 0; i < f->n; i++)
        if (strncmp(f->nodes[i].name, name, len) == 0 && f->nodes[i].name[len] == 0) {
            r.node = i;
            break;
        }
    return r;
}
