/* tf_function.c — a TF.js graph model's function library: read from its JSON encoding into the
 * FunctionDefs of tf_saved_model.proto, then the graph flattened by the one inliner (tf_inline.c:
 * PartitionedCall / StatefulPartitionedCall and calls by name), If / StatelessIf lowered to Switch
 * and Merge, and the flat graph written back into the GraphDef, so the GraphDef importer sees one
 * flat graph and translates it with the one op table.
 *
 * A call node (and an If) stays in the graph as an IdentityN of the function's results, which
 * keeps "<call>:k" meaning output k; the nodes of a body are named "<call>/<node>" and read the
 * tensors the inliner resolved for them ("<node>" or "<node>:<port>"). It must never loop forever or grow
 * without bound (the inliner bounds depth and max_nodes), and every failure names the call and
 * the function. */
#include "import/tf/tf_function.h"

#include <stdio.h>
#include <stdlib.h>

/* ==== Reading the library ==================================================================== */

static frost_status oom(frost_error *err) {
    return frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1,
                       "out of memory reading the function library");
}

/* The "name"s of an argument list as ArgDefs in the arena. */
static frost_status read_args(frost__tf_json *c, frost__tf_arena *ar, const frost__json *list,
                              const char *fn, const char *what, FrostTf__OpDef__ArgDef ***args,
                              size_t *n) {
    *args = NULL;
    *n = 0;
    if (frost__json_is_null(list)) return FROST_OK;
    int len = frost__json_len(list);
    if (!frost__json_is_array(list) || len > 100000)
        return frost__fail(c->err, FROST_E_FORMAT, NULL, NULL, -1,
                           "%s: function '%s': '%s' is not a list of arguments", c->what, fn, what);
    if (!(*args = frost__tf_alloc(ar, ((size_t)len + 1) * sizeof **args))) return oom(c->err);
    for (const frost__json *a = frost__json_first(list); a; a = frost__json_next(a)) {
        const char *name = frost__json_get_str(a, "name");
        if (!name || !*name)
            return frost__fail(c->err, FROST_E_FORMAT, NULL, NULL, -1,
                               "%s: function '%s': %s #%zu has no name", c->what, fn, what, *n);
        FrostTf__OpDef__ArgDef *arg = frost__tf_alloc(ar, sizeof *arg);
        if (!arg) return oom(c->err);
        frost_tf__op_def__arg_def__init(arg);
        if (!(arg->name = frost__tf_strndup(ar, name, strlen(name)))) return oom(c->err);
        (*args)[(*n)++] = arg;
    }
    return FROST_OK;
}

static frost_status read_function(frost__tf_json *c, frost__tf_arena *ar, const frost__json *j,
                                  FrostTf__FunctionDef *f) {
    frost_tf__function_def__init(f);
    const frost__json *sig = frost__json_get(j, "signature");
    const char *name = frost__json_get_str(sig, "name");
    if (!name || !*name)
        return frost__fail(c->err, FROST_E_FORMAT, NULL, NULL, -1,
                           "%s: a function of the library has no signature name", c->what);
    FrostTf__OpDef *od = frost__tf_alloc(ar, sizeof *od);
    if (!od) return oom(c->err);
    frost_tf__op_def__init(od);
    f->signature = od;
    if (!(od->name = frost__tf_strndup(ar, name, strlen(name)))) return oom(c->err);
    FROST_TRY(read_args(c, ar, frost__json_get(sig, "inputArg"), name, "inputArg", &od->input_arg,
                        &od->n_input_arg));
    FROST_TRY(read_args(c, ar, frost__json_get(sig, "outputArg"), name, "outputArg",
                        &od->output_arg, &od->n_output_arg));
    const frost__json *nodes = frost__json_get(j, "nodeDef");
    int n = frost__json_len(nodes);
    int64_t max_nodes = c->g->max_nodes > 0 ? c->g->max_nodes : 1000000;
    if (n > max_nodes)
        return frost__fail(c->err, FROST_E_LIMIT, NULL, NULL, -1,
                           "%s: function '%s' has %d nodes, over the limit of %lld (max_nodes)",
                           c->what, name, n, (long long)max_nodes);
    f->node_def = frost__tf_alloc(ar, ((size_t)n + 1) * sizeof *f->node_def);
    f->ret = frost__tf_alloc(ar, (od->n_output_arg + 1) * sizeof *f->ret);
    if (!f->node_def || !f->ret) return oom(c->err);
    int k = 0;
    for (const frost__json *v = frost__json_first(nodes); v; v = frost__json_next(v), k++) {
        char where[300];
        snprintf(where, sizeof where, "function '%.200s' node #%d", name, k);
        FrostTf__NodeDef *nd = NULL;
        frost_status st = frost__tf_json_node_def(c, v, where, &nd);
        if (nd) f->node_def[f->n_node_def++] = nd;
        FROST_TRY(st);
    }
    const frost__json *ret = frost__json_get(j, "ret");
    for (size_t o = 0; o < od->n_output_arg; o++) {
        const char *out = od->output_arg[o]->name;
        const char *t = frost__json_get_str(ret, out);
        if (!t)
            return frost__fail(c->err, FROST_E_FORMAT, NULL, NULL, -1,
                               "%s: function '%s' does not say which tensor is its output '%s'",
                               c->what, name, out);
        FrostTf__FunctionDef__RetEntry *e = frost__tf_alloc(ar, sizeof *e);
        if (!e) return oom(c->err);
        frost_tf__function_def__ret_entry__init(e);
        e->key = (char *)out;
        if (!(e->value = frost__tf_strndup(ar, t, strlen(t)))) return oom(c->err);
        f->ret[f->n_ret++] = e;
    }
    return FROST_OK;
}

frost_status frost__tf_json_library(frost__tf_json *c, const frost__json *library,
                                    frost__tf_library *out) {
    memset(out, 0, sizeof *out);
    frost_tf__function_def_library__init(&out->lib);
    out->arena.a = &c->g->alloc;
    const frost__json *fns = frost__json_get(library, "function");
    if (frost__json_is_null(fns)) return FROST_OK;
    int n = frost__json_len(fns);
    if (!frost__json_is_array(fns) || n > 100000)
        return frost__fail(c->err, FROST_E_FORMAT, NULL, NULL, -1,
                           "%s: the library's 'function' is not a list", c->what);
    FrostTf__FunctionDef **fs = frost__tf_alloc(&out->arena, ((size_t)n + 1) * sizeof *fs);
    FrostTf__FunctionDef *all = frost__tf_alloc(&out->arena, ((size_t)n + 1) * sizeof *all);
    if (!fs || !all) return oom(c->err);
    out->lib.function = fs;
    for (const frost__json *j = frost__json_first(fns); j; j = frost__json_next(j)) {
        FrostTf__FunctionDef *f = &all[out->lib.n_function];
        fs[out->lib.n_function++] = f;
        FROST_TRY(read_function(c, &out->arena, j, f));
    }
    return FROST_OK;
}

void frost__tf_library_free(frost__graph *g, frost__tf_library *lib) {
    for (size_t i = 0; i < lib->lib.n_function; i++) {
        const FrostTf__FunctionDef *f = lib->lib.function[i];
        for (size_t k = 0; k < f->n_node_def; k++) frost__tf_json_free(g, f->node_def[k]);
    }
    frost__tf_arena_free(&lib->arena);
    memset(lib, 0, sizeof *lib);
}

/* ==== If / StatelessIf: both branches behind Switch, results joined by Merge ================= */

static int add_plain(frost__tf_flat *f, const char *name, const char *op, const char *func,
                     const frost__tf_ref *in, int n_in) {
    frost__tf_ref *copy = frost__tf_alloc(f->arena, (size_t)(n_in ? n_in : 1) * sizeof *copy);
    int id = name && copy ? frost__tf_flat_add(f, name, NULL, op, func) : -1;
    if (id < 0) {
        if (!name || !copy) frost__fail(f->err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
        return -1;
    }
    if (n_in) memcpy(copy, in, (size_t)n_in * sizeof *copy);
    f->nodes[id].in = copy;
    f->nodes[id].n_in = n_in;
    return id;
}

static const FrostTf__FunctionDef *branch(frost__tf_flat *f, int id, const char *key,
                                          const char **fname) {
    const frost__tf_fnode *n = &f->nodes[id];
    *fname = frost__tf_func_attr_name(f->arena, frost__tf_node_attr(n, key));
    if (!*fname) {
        frost__fail(f->err, FROST_E_FORMAT, n->name, n->op, -1,
                    "node '%s' (%s) has no function attribute '%s'", n->name, n->op, key);
        return NULL;
    }
    const FrostTf__FunctionDef *fn = frost__tf_find_function(f, *fname);
    if (!fn)
        frost__fail(f->err, FROST_E_FORMAT, n->name, n->op, -1,
                    "node '%s' (%s) calls function '%s', which the library does not define",
                    n->name, n->op, *fname);
    return fn;
}

static frost_status bad_arity(frost__tf_flat *f, int id, const char *fname, int have, size_t want) {
    const frost__tf_fnode *n = &f->nodes[id];
    return frost__fail(f->err, FROST_E_FORMAT, n->name, n->op, -1,
                       "node '%s' (%s) passes %d inputs to function '%s', which takes %zu", n->name,
                       n->op, have, fname, want);
}

/* If(cond, args...) node `id`: each argument through a Switch on cond (port 1 feeds the then
 * branch, port 0 the else branch), both branches inlined, and each result through one more Switch
 * per branch into a Merge, so that every Merge input dies with its branch. The control-flow pass
 * keeps the taken branch when cond is known at load and reports Switch/Merge otherwise. The If
 * node becomes a FORWARD node to the Merges. Indexes only: adding nodes moves f->nodes. */
static frost_status lower_if(frost__tf_flat *f, int id) {
    const char *then_name = NULL, *else_name = NULL;
    const FrostTf__FunctionDef *then_f = branch(f, id, "then_branch", &then_name);
    const FrostTf__FunctionDef *else_f = then_f ? branch(f, id, "else_branch", &else_name) : NULL;
    if (!then_f || !else_f) return f->err->code;
    const char *name = f->nodes[id].name, *op = f->nodes[id].op, *func = f->nodes[id].func;
    const frost__tf_ref *in = f->nodes[id].in;
    int n = f->nodes[id].n_in;
    size_t n_then = then_f->signature->n_input_arg, n_else = else_f->signature->n_input_arg;
    if (n < 1) return bad_arity(f, id, then_name, 0, n_then);
    if ((size_t)(n - 1) != n_then) return bad_arity(f, id, then_name, n - 1, n_then);
    if ((size_t)(n - 1) != n_else) return bad_arity(f, id, else_name, n - 1, n_else);
    size_t n_out = then_f->signature->n_output_arg;
    if (n_out != else_f->signature->n_output_arg)
        return frost__fail(f->err, FROST_E_FORMAT, name, op, -1,
                           "node '%s' (%s): its branches '%s' and '%s' return %zu and %zu results",
                           name, op, then_name, else_name, n_out, else_f->signature->n_output_arg);
    frost__tf_ref pred = in[0];
    /* A non-bool condition is true when non-zero, as If says. */
    const FrostTf__AttrValue *tc = frost__tf_node_attr(&f->nodes[id], "Tcond");
    if (tc && tc->value_case == FROST_TF__ATTR_VALUE__VALUE_TYPE &&
        tc->type != FROST_TF__DATA_TYPE__DT_BOOL) {
        FrostTf__NodeDef__AttrEntry **attrs = frost__tf_alloc(f->arena, sizeof *attrs);
        if (!attrs ||
            !(attrs[0] = frost__tf_flat_attr_type(f->arena, "DstT", FROST_TF__DATA_TYPE__DT_BOOL)))
            return frost__fail(f->err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
        int cast =
            add_plain(f, frost__tf_printf(f->arena, "%s/cond_bool", name), "Cast", func, &pred, 1);
        if (cast < 0) return f->err->code;
        f->nodes[cast].attrs = attrs;
        f->nodes[cast].n_attrs = 1;
        pred = (frost__tf_ref){cast, 0};
    }
    frost__tf_ref *then_args = frost__tf_alloc(f->arena, (size_t)n * sizeof *then_args);
    frost__tf_ref *else_args = frost__tf_alloc(f->arena, (size_t)n * sizeof *else_args);
    frost__tf_ref *results = frost__tf_alloc(f->arena, (n_out + 1) * sizeof *results);
    if (!then_args || !else_args || !results)
        return frost__fail(f->err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
    for (int i = 1; i < n; i++) {
        frost__tf_ref sin[2] = {in[i], pred};
        int sw = add_plain(f, frost__tf_printf(f->arena, "%s/switch_%d", name, i - 1), "Switch",
                           func, sin, 2);
        if (sw < 0) return f->err->code;
        then_args[i - 1] = (frost__tf_ref){sw, 1};
        else_args[i - 1] = (frost__tf_ref){sw, 0};
    }
    const char *then_call = frost__tf_printf(f->arena, "%s/then", name);
    const char *else_call = frost__tf_printf(f->arena, "%s/else", name);
    int t = add_plain(f, then_call, op, func, NULL, 0);
    int e = t >= 0 ? add_plain(f, else_call, op, func, NULL, 0) : -1;
    if (t < 0 || e < 0) return f->err->code;
    f->nodes[t].depth = f->nodes[e].depth = f->nodes[id].depth; /* recursion stays bounded */
    FROST_TRY(frost__tf_inline_call(f, t, then_name, then_args, n - 1));
    FROST_TRY(frost__tf_inline_call(f, e, else_name, else_args, n - 1));
    for (size_t k = 0; k < n_out; k++) {
        frost__tf_ref tin[2] = {{t, (int)k}, pred}, ein[2] = {{e, (int)k}, pred};
        int ts = add_plain(f, frost__tf_printf(f->arena, "%s/then_out_%zu", name, k), "Switch",
                           func, tin, 2);
        int es = ts >= 0 ? add_plain(f, frost__tf_printf(f->arena, "%s/else_out_%zu", name, k),
                                     "Switch", func, ein, 2)
                         : -1;
        frost__tf_ref min[2] = {{ts, 1}, {es, 0}};
        int m = es >= 0 ? add_plain(f, frost__tf_printf(f->arena, "%s/merge_%zu", name, k), "Merge",
                                    func, min, 2)
                        : -1;
        if (m < 0) return f->err->code;
        results[k] = (frost__tf_ref){m, 0};
    }
    f->nodes[id].kind = FROST__TF_FORWARD;
    f->nodes[id].fwd = results;
    f->nodes[id].n_fwd = (int)n_out;
    return FROST_OK;
}

/* ==== The flat graph back into the GraphDef ================================================== */

typedef struct writer {
    frost__graph *g;
    frost_error *err;
    frost__tf_flat *f;
    FrostTf__GraphDef *gd;
    size_t cap;
    ProtobufCAllocator pa;
} writer;

static void *pa_alloc(void *user, size_t size) { return frost__tf_json_alloc(user, size); }
static void pa_free(void *user, void *p) {
    frost__graph *g = user;
    frost__free(&g->alloc, p);
}

static char *dup_str(frost__graph *g, const char *s) {
    size_t n = strlen(s);
    char *p = frost__tf_json_alloc(g, n + 1);
    if (p) memcpy(p, s, n + 1);
    return p;
}

/* The graph's name of the value r stands for ("node" or "node:port"), in the arena: the nearest
 * node the graph keeps. Calls stay in the graph as IdentityN nodes, so only the scopes of If
 * branches (added nodes, FORWARD) are walked through. */
static const char *tensor_name(writer *w, frost__tf_ref r) {
    const frost__tf_flat *f = w->f;
    for (int steps = 0;; steps++) {
        const frost__tf_fnode *n = &f->nodes[r.node];
        if (n->kind != FROST__TF_FORWARD || n->nd) break;
        if (steps > f->n || r.port < 0 || r.port >= n->n_fwd) {
            frost__fail(w->err, FROST_E_FORMAT, n->name, n->op, -1,
                        "output %d of '%s' (%s) is read, but its function returns %d value%s",
                        r.port, n->name, n->op, n->n_fwd, n->n_fwd == 1 ? "" : "s");
            return NULL;
        }
        r = n->fwd[r.port];
    }
    const char *node = f->nodes[r.node].name;
    const char *s = r.port ? frost__tf_printf(f->arena, "%s:%d", node, r.port)
                           : frost__tf_strndup(f->arena, node, strlen(node));
    if (!s) frost__fail(w->err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
    return s;
}

/* The names of refs[0..n) in the arena. */
static char **tensor_names(writer *w, const frost__tf_ref *refs, int n) {
    char **names = frost__tf_alloc(w->f->arena, (size_t)(n + 1) * sizeof *names);
    if (!names) {
        frost__fail(w->err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
        return NULL;
    }
    for (int i = 0; i < n; i++)
        if (!(names[i] = (char *)tensor_name(w, refs[i]))) return NULL;
    return names;
}

static frost_status push(writer *w, FrostTf__NodeDef *nd) {
    if (w->gd->n_node == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 64;
        FrostTf__NodeDef **arr = frost__tf_json_alloc(w->g, cap * sizeof *arr);
        if (!arr) {
            frost__tf_json_free(w->g, nd);
            return oom(w->err);
        }
        if (w->gd->n_node) memcpy(arr, w->gd->node, w->gd->n_node * sizeof *arr);
        frost__free(&w->g->alloc, w->gd->node);
        w->gd->node = arr;
        w->cap = cap;
    }
    w->gd->node[w->gd->n_node++] = nd;
    return FROST_OK;
}

/* A NodeDef of the graph's own (through protobuf-c's encoding: a deep copy in g->alloc) from a
 * body's node or an added one, named and fed as the flat graph says. */
static frost_status write_node(writer *w, const frost__tf_fnode *n, const char *op, char **in,
                               int n_in) {
    FrostTf__NodeDef tmp;
    if (n->nd) tmp = *n->nd;
    else frost_tf__node_def__init(&tmp);
    tmp.name = (char *)n->name;
    tmp.op = (char *)op;
    tmp.input = in;
    tmp.n_input = (size_t)n_in;
    if (n->kind == FROST__TF_FORWARD) { /* a call: IdentityN of its results, no attributes */
        tmp.attr = NULL;
        tmp.n_attr = 0;
    } else if (!n->nd) {
        tmp.attr = n->attrs;
        tmp.n_attr = (size_t)n->n_attrs;
    }
    size_t size = frost_tf__node_def__get_packed_size(&tmp);
    uint8_t *buf = frost__alloc(&w->g->alloc, size ? size : 1);
    if (!buf) return oom(w->err);
    frost_tf__node_def__pack(&tmp, buf);
    FrostTf__NodeDef *copy = frost_tf__node_def__unpack(&w->pa, size, buf);
    frost__free(&w->g->alloc, buf);
    if (!copy) return oom(w->err);
    return push(w, copy);
}

/* A top-level call (or If) keeps its node as IdentityN(results): its consumers read it as
 * before. */
static frost_status become_identity_n(writer *w, FrostTf__NodeDef *call, char **results, int n) {
    char **in = frost__calloc(&w->g->alloc, (size_t)n + 1, sizeof *in);
    char *op = dup_str(w->g, "IdentityN");
    bool ok = in && op;
    for (int i = 0; ok && i < n; i++) ok = (in[i] = dup_str(w->g, results[i])) != NULL;
    if (!ok) {
        for (int i = 0; in && i < n; i++) frost__free(&w->g->alloc, in[i]);
        frost__free(&w->g->alloc, in);
        frost__free(&w->g->alloc, op);
        return oom(w->err);
    }
    for (size_t i = 0; i < call->n_attr; i++) frost__tf_json_free(w->g, call->attr[i]);
    frost__free(&w->g->alloc, call->attr);
    call->attr = NULL;
    call->n_attr = 0;
    for (size_t i = 0; i < call->n_input; i++) frost__free(&w->g->alloc, call->input[i]);
    frost__free(&w->g->alloc, call->input);
    call->input = in;
    call->n_input = (size_t)n;
    frost__free(&w->g->alloc, call->op);
    call->op = op;
    return FROST_OK;
}

/* The graph's own nodes stay where they are (their inputs name nodes of the graph, and calls keep
 * their names); the nodes the inlining added follow them. */
static frost_status write_graph(writer *w, size_t n_top) {
    frost__tf_flat *f = w->f;
    for (int i = 0; i < f->n; i++) {
        const frost__tf_fnode *n = &f->nodes[i];
        bool forward = n->kind == FROST__TF_FORWARD;
        if ((size_t)i < n_top && !forward) continue;
        if (forward && !n->nd) continue; /* a branch's call scope: nothing reads it by name */
        int n_in = forward ? n->n_fwd : n->n_in;
        char **in = tensor_names(w, forward ? n->fwd : n->in, n_in);
        if (!in) return w->err->code;
        if ((size_t)i < n_top) FROST_TRY(become_identity_n(w, w->gd->node[i], in, n_in));
        else FROST_TRY(write_node(w, n, forward ? "IdentityN" : n->op, in, n_in));
    }
    return FROST_OK;
}

frost_status frost__tf_inline_functions(frost__graph *g, FrostTf__GraphDef *gd,
                                        const frost__tf_library *lib, frost_error *err) {
    if (!lib || lib->lib.n_function == 0) return FROST_OK;
    frost__tf_arena ar = {&g->alloc, NULL};
    frost__tf_flat f;
    memset(&f, 0, sizeof f);
    f.arena = &ar;
    f.err = err;
    f.max_nodes = g->max_nodes > 0 ? g->max_nodes : 1000000;
    size_t n_top = gd->n_node;
    frost_status st = frost__tf_flatten(&f, gd->node, gd->n_node, &lib->lib);
    /* Nodes added by a lowering are visited too: an If inside a branch lowers in turn. */
    for (int i = 0; i < f.n && st == FROST_OK; i++)
        if (f.nodes[i].kind == FROST__TF_NODE &&
            (!strcmp(f.nodes[i].op, "If") || !strcmp(f.nodes[i].op, "StatelessIf")))
            st = lower_if(&f, i);
    writer w = {g, err, &f, gd, gd->n_node, {pa_alloc, pa_free, g}};
    if (st == FROST_OK) st = write_graph(&w, n_top);
    frost__free(&g->alloc, f.nodes);
    frost__tf_arena_free(&ar);
    return st;
}
