/* tf_function.c — the function library of a GraphDef, read from its JSON encoding, and inlining:
 * every call of a library function (PartitionedCall / StatefulPartitionedCall, If / StatelessIf,
 * or a node whose op is the function's name) is replaced by copies of the function's nodes, so the
 * GraphDef importer sees one flat graph and translates it with the one op table.
 *
 * Inside a function, a node reads "arg" (an input of the function) or "node:out_arg:i" (output i
 * of one of node's output args); in the graph that becomes the caller's input, or
 * "<call>/node:<port>" where <port> counts the ports of the output args before out_arg. The call
 * itself becomes an IdentityN of the results, which keeps "<call>:k" meaning output k.
 *
 * It must never loop forever or grow without bound: the flat graph is bounded by max_nodes (a
 * recursive function hits that limit), every name is checked against the function's own, and
 * every failure names the call and the function. */
#include "import/tf/tf_function.h"

#include <stdio.h>
#include <stdlib.h>

/* ==== Reading the library ==================================================================== */

static frost_status oom(frost_error *err) {
    return frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory reading the function library");
}

static char *dup_str(frost__graph *g, const char *s) {
    size_t n = strlen(s);
    char *p = frost__tf_json_alloc(g, n + 1);
    if (p) memcpy(p, s, n + 1);
    return p;
}

/* The "name"s of an argument list into *names. */
static frost_status read_args(frost__tf_json *c, const frost__json *list, const char *fn,
                              const char *what, char ***names, int *n) {
    *names = NULL;
    *n = 0;
    if (frost__json_is_null(list)) return FROST_OK;
    int len = frost__json_len(list);
    if (!frost__json_is_array(list) || len > 100000)
        return frost__fail(c->err, FROST_E_FORMAT, NULL, NULL, -1,
                           "%s: function '%s': '%s' is not a list of arguments", c->what, fn, what);
    *names = frost__calloc(&c->g->alloc, (size_t)len + 1, sizeof **names);
    if (!*names) return oom(c->err);
    for (const frost__json *a = frost__json_first(list); a; a = frost__json_next(a)) {
        const char *name = frost__json_get_str(a, "name");
        if (!name || !*name)
            return frost__fail(c->err, FROST_E_FORMAT, NULL, NULL, -1,
                               "%s: function '%s': %s #%d has no name", c->what, fn, what, *n);
        if (!((*names)[*n] = dup_str(c->g, name))) return oom(c->err);
        (*n)++;
    }
    return FROST_OK;
}

/* qsort has no context argument: the function whose nodes are being sorted. One load sorts at a
 * time per thread. */
static _Thread_local const frost__tf_function *sorting;
static int by_node_name(const void *a, const void *b) {
    return strcmp(sorting->nodes[*(const size_t *)a]->name, sorting->nodes[*(const size_t *)b]->name);
}

static frost_status read_function(frost__tf_json *c, const frost__json *j, frost__tf_function *f) {
    const frost__json *sig = frost__json_get(j, "signature");
    const char *name = frost__json_get_str(sig, "name");
    if (!name || !*name)
        return frost__fail(c->err, FROST_E_FORMAT, NULL, NULL, -1,
                           "%s: a function of the library has no signature name", c->what);
    if (!(f->name = dup_str(c->g, name))) return oom(c->err);
    FROST_TRY(read_args(c, frost__json_get(sig, "inputArg"), name, "inputArg", &f->in_names, &f->n_in));
    FROST_TRY(read_args(c, frost__json_get(sig, "outputArg"), name, "outputArg", &f->out_names,
                        &f->n_out));
    const frost__json *nodes = frost__json_get(j, "nodeDef");
    int n = frost__json_len(nodes);
    int64_t max_nodes = c->g->max_nodes > 0 ? c->g->max_nodes : 1000000;
    if (n > max_nodes)
        return frost__fail(c->err, FROST_E_LIMIT, NULL, NULL, -1,
                           "%s: function '%s' has %d nodes, over the limit of %lld (max_nodes)",
                           c->what, name, n, (long long)max_nodes);
    f->nodes = frost__calloc(&c->g->alloc, (size_t)n + 1, sizeof *f->nodes);
    f->ret = frost__calloc(&c->g->alloc, (size_t)f->n_out + 1, sizeof *f->ret);
    if (!f->nodes || !f->ret) return oom(c->err);
    int k = 0;
    for (const frost__json *v = frost__json_first(nodes); v; v = frost__json_next(v), k++) {
        char where[300];
        snprintf(where, sizeof where, "function '%.200s' node #%d", name, k);
        FrostTf__NodeDef *nd = NULL;
        frost_status st = frost__tf_json_node_def(c, v, where, &nd);
        if (nd) f->nodes[f->n_nodes++] = nd;
        FROST_TRY(st);
    }
    if (!(f->by_name = frost__calloc(&c->g->alloc, f->n_nodes + 1, sizeof *f->by_name)))
        return oom(c->err);
    for (size_t k = 0; k < f->n_nodes; k++) f->by_name[k] = k;
    sorting = f;
    qsort(f->by_name, f->n_nodes, sizeof *f->by_name, by_node_name);
    sorting = NULL;
    for (size_t k = 0; k + 1 < f->n_nodes; k++)
        if (!strcmp(f->nodes[f->by_name[k]]->name, f->nodes[f->by_name[k + 1]]->name))
            return frost__fail(c->err, FROST_E_FORMAT, NULL, NULL, -1,
                               "%s: function '%s' has two nodes named '%s'", c->what, name,
                               f->nodes[f->by_name[k]]->name);
    const frost__json *ret = frost__json_get(j, "ret");
    for (int o = 0; o < f->n_out; o++) {
        const char *t = frost__json_get_str(ret, f->out_names[o]);
        if (!t)
            return frost__fail(c->err, FROST_E_FORMAT, NULL, NULL, -1,
                               "%s: function '%s' does not say which tensor is its output '%s'",
                               c->what, name, f->out_names[o]);
        if (!(f->ret[o] = dup_str(c->g, t))) return oom(c->err);
    }
    return FROST_OK;
}

frost_status frost__tf_json_library(frost__tf_json *c, const frost__json *library,
                                    frost__tf_library *out) {
    memset(out, 0, sizeof *out);
    const frost__json *fns = frost__json_get(library, "function");
    if (frost__json_is_null(fns)) return FROST_OK;
    int n = frost__json_len(fns);
    if (!frost__json_is_array(fns) || n > 100000)
        return frost__fail(c->err, FROST_E_FORMAT, NULL, NULL, -1,
                           "%s: the library's 'function' is not a list", c->what);
    out->f = frost__calloc(&c->g->alloc, (size_t)n + 1, sizeof *out->f);
    if (!out->f) return oom(c->err);
    for (const frost__json *j = frost__json_first(fns); j; j = frost__json_next(j)) {
        frost_status st = read_function(c, j, &out->f[out->n]);
        out->n++;
        FROST_TRY(st);
        for (int k = 0; k + 1 < out->n; k++)
            if (!strcmp(out->f[k].name, out->f[out->n - 1].name))
                return frost__fail(c->err, FROST_E_FORMAT, NULL, NULL, -1,
                                   "%s: the library defines function '%s' twice", c->what,
                                   out->f[k].name);
    }
    return FROST_OK;
}

static void free_names(frost__graph *g, char **names, int n) {
    for (int i = 0; names && i < n; i++) frost__free(&g->alloc, names[i]);
    frost__free(&g->alloc, names);
}

void frost__tf_library_free(frost__graph *g, frost__tf_library *lib) {
    for (int i = 0; i < lib->n; i++) {
        frost__tf_function *f = &lib->f[i];
        frost__free(&g->alloc, f->name);
        free_names(g, f->in_names, f->n_in);
        free_names(g, f->out_names, f->n_out);
        free_names(g, f->ret, f->n_out);
        for (size_t k = 0; k < f->n_nodes; k++) frost__tf_json_free(g, f->nodes[k]);
        frost__free(&g->alloc, f->nodes);
        frost__free(&g->alloc, f->by_name);
    }
    frost__free(&g->alloc, lib->f);
    memset(lib, 0, sizeof *lib);
}

/* ==== Inlining =============================================================================== */

/* Longest node name of the flat graph (function inlining prefixes names with their call's). */
#define NAME_CAP 4096

typedef struct inliner {
    frost__graph *g;
    frost_error *err;
    FrostTf__GraphDef *gd;
    size_t cap;
    const frost__tf_library *lib;
    int64_t max_nodes;
    ProtobufCAllocator pa;
} inliner;

static void *pa_alloc(void *user, size_t size) { return frost__tf_json_alloc(user, size); }
static void pa_free(void *user, void *p) {
    frost__graph *g = user;
    frost__free(&g->alloc, p);
}

static const frost__tf_function *find_function(const frost__tf_library *lib, const char *name) {
    for (int i = 0; i < lib->n; i++)
        if (!strcmp(lib->f[i].name, name)) return &lib->f[i];
    return NULL;
}

/* Formats a name of the flat graph into buf; FROST_E_LIMIT when it does not fit (names are
 * never cut short: a cut name could collide with another one). */
static frost_status join(inliner *s, char *buf, size_t cap, const char *fmt, ...) FROST_PRINTF(4, 5);
static frost_status join(inliner *s, char *buf, size_t cap, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, cap, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= cap)
        return frost__fail(s->err, FROST_E_LIMIT, NULL, NULL, -1,
                           "inlining a function makes a node name longer than %zu bytes: %.60s...",
                           cap - 1, buf);
    return FROST_OK;
}

static frost_status push(inliner *s, FrostTf__NodeDef *nd) {
    if ((int64_t)s->gd->n_node + 1 > s->max_nodes) {
        frost__tf_json_free(s->g, nd);
        return frost__fail(s->err, FROST_E_LIMIT, NULL, NULL, -1,
                           "inlining the function library makes the graph larger than %lld nodes "
                           "(max_nodes; a recursive function?)", (long long)s->max_nodes);
    }
    if (s->gd->n_node == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        FrostTf__NodeDef **arr = frost__tf_json_alloc(s->g, cap * sizeof *arr);
        if (!arr) {
            frost__tf_json_free(s->g, nd);
            return oom(s->err);
        }
        if (s->gd->n_node) memcpy(arr, s->gd->node, s->gd->n_node * sizeof *arr);
        frost__free(&s->g->alloc, s->gd->node);
        s->gd->node = arr;
        s->cap = cap;
    }
    s->gd->node[s->gd->n_node++] = nd;
    return FROST_OK;
}

/* A NodeDef op(inputs...) with no attributes, named `name`. */
static frost_status push_plain(inliner *s, const char *name, const char *op, const char *const *in,
                               int n_in) {
    FrostTf__NodeDef *nd = frost__tf_json_alloc(s->g, sizeof *nd);
    if (!nd) return oom(s->err);
    frost_tf__node_def__init(nd);
    nd->input = frost__calloc(&s->g->alloc, (size_t)n_in + 1, sizeof *nd->input);
    nd->name = dup_str(s->g, name);
    nd->op = dup_str(s->g, op);
    if (!nd->input || !nd->name || !nd->op) {
        if (!nd->name) nd->name = (char *)protobuf_c_empty_string;
        if (!nd->op) nd->op = (char *)protobuf_c_empty_string;
        frost__tf_json_free(s->g, nd);
        return oom(s->err);
    }
    for (int i = 0; i < n_in; i++) {
        if (!(nd->input[i] = dup_str(s->g, in[i]))) {
            frost__tf_json_free(s->g, nd);
            return oom(s->err);
        }
        nd->n_input++;
    }
    return push(s, nd);
}

/* A deep copy of a function body's node (through protobuf-c's own encoding). */
static FrostTf__NodeDef *copy_node(inliner *s, const FrostTf__NodeDef *nd) {
    size_t n = frost_tf__node_def__get_packed_size(nd);
    uint8_t *buf = frost__alloc(&s->g->alloc, n ? n : 1);
    if (!buf) return NULL;
    frost_tf__node_def__pack(nd, buf);
    FrostTf__NodeDef *copy = frost_tf__node_def__unpack(&s->pa, n, buf);
    frost__free(&s->g->alloc, buf);
    return copy;
}

/* Port of output arg `arg`, entry `idx`, of a node of op `op` (most ops have one output arg). */
static long arg_port(const inliner *s, const char *op, const char *arg, long idx) {
    static const struct { const char *op; const char *args[6]; } multi[] = {
        {"FusedBatchNorm", {"y", "batch_mean", "batch_variance", "reserve_space_1", "reserve_space_2"}},
        {"FusedBatchNormV2", {"y", "batch_mean", "batch_variance", "reserve_space_1", "reserve_space_2"}},
        {"FusedBatchNormV3", {"y", "batch_mean", "batch_variance", "reserve_space_1", "reserve_space_2",
                              "reserve_space_3"}},
        {"_FusedBatchNormEx", {"y", "batch_mean", "batch_variance", "reserve_space_1", "reserve_space_2",
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
        for (int k = 0; k < 6 && multi[i].args[k]; k++)
            if (!strcmp(multi[i].args[k], arg)) return k + idx;
        return -1;
    }
    const frost__tf_function *f = find_function(s->lib, op);
    if (f) {
        for (int k = 0; k < f->n_out; k++)
            if (!strcmp(f->out_names[k], arg)) return k + idx;
        return -1;
    }
    return idx;
}

typedef struct frame {
    const frost__tf_function *f;
    const char *prefix;           /* "<call>" or "<call>/then"                              */
    const char *const *args;      /* the graph tensors feeding the function's inputs          */
} frame;

/* The body node named by the first len bytes of name, or NULL (binary search in by_name). */
static const FrostTf__NodeDef *find_body_node(const frost__tf_function *f, const char *name,
                                              size_t len) {
    size_t lo = 0, hi = f->n_nodes;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const char *nm = f->nodes[f->by_name[mid]]->name;
        int c = strncmp(nm, name, len);
        if (c == 0) c = nm[len] ? 1 : 0; /* nm is longer: it sorts after */
        if (c == 0) return f->nodes[f->by_name[mid]];
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    return NULL;
}

/* A tensor reference inside the function -> the graph's name for it, into out. */
static frost_status map_ref(inliner *s, const frame *fr, const char *ref, char *out, size_t cap) {
    const char *c1 = strchr(ref, ':');
    if (!c1) {
        for (int i = 0; i < fr->f->n_in; i++)
            if (!strcmp(fr->f->in_names[i], ref)) return join(s, out, cap, "%s", fr->args[i]);
        return join(s, out, cap, "%s/%s", fr->prefix, ref);
    }
    size_t node_len = (size_t)(c1 - ref);
    const char *c2 = strchr(c1 + 1, ':');
    const FrostTf__NodeDef *body = find_body_node(fr->f, ref, node_len);
    long port;
    if (c2) {
        char arg[128];
        size_t arg_len = (size_t)(c2 - c1 - 1);
        char *end = NULL;
        long idx = strtol(c2 + 1, &end, 10);
        port = !body || arg_len >= sizeof arg || !end || *end || idx < 0 || idx > 100000 ? -1 : 0;
        if (port == 0) {
            memcpy(arg, c1 + 1, arg_len);
            arg[arg_len] = 0;
            port = arg_port(s, body->op, arg, idx);
        }
    } else {
        char *end = NULL;
        port = strtol(c1 + 1, &end, 10);
        if (!body || !end || *end || port < 0 || port > 100000) port = -1;
    }
    if (port < 0)
        return frost__fail(s->err, FROST_E_FORMAT, NULL, NULL, -1,
                           "function '%s' reads '%s', which is not an output of one of its nodes",
                           fr->f->name, ref);
    return join(s, out, cap, "%s/%.*s:%ld", fr->prefix, (int)node_len, ref, port);
}

/* Copies f's nodes into the graph under fr->prefix. */
static frost_status inline_body(inliner *s, const frame *fr) {
    for (size_t k = 0; k < fr->f->n_nodes; k++) {
        FrostTf__NodeDef *nd = copy_node(s, fr->f->nodes[k]);
        if (!nd) return oom(s->err);
        char name[NAME_CAP];
        frost_status jst = join(s, name, sizeof name, "%s/%s", fr->prefix, nd->name);
        char *nn = jst == FROST_OK ? dup_str(s->g, name) : NULL;
        if (!nn) {
            frost__tf_json_free(s->g, nd);
            return jst != FROST_OK ? jst : oom(s->err);
        }
        frost__free(&s->g->alloc, nd->name);
        nd->name = nn;
        size_t w = 0, i = 0;
        frost_status st = FROST_OK;
        for (; i < nd->n_input && st == FROST_OK; i++) {
            char *in = nd->input[i];
            if (in[0] == '^') { /* control dependency: no data, and frost drops them anyway */
                frost__free(&s->g->alloc, in);
                nd->input[i] = NULL;
                continue;
            }
            char mapped[NAME_CAP];
            st = map_ref(s, fr, in, mapped, sizeof mapped);
            frost__free(&s->g->alloc, in);
            nd->input[i] = NULL;
            char *m = st == FROST_OK ? dup_str(s->g, mapped) : NULL;
            if (st == FROST_OK && !m) st = oom(s->err);
            if (m) nd->input[w++] = m;
        }
        for (; i < nd->n_input; i++) { /* not reached after a failure: still ours to free */
            frost__free(&s->g->alloc, nd->input[i]);
            nd->input[i] = NULL;
        }
        nd->n_input = w;
        if (st != FROST_OK) {
            frost__tf_json_free(s->g, nd);
            return st;
        }
        FROST_TRY(push(s, nd));
    }
    return FROST_OK;
}

/* The call node becomes IdentityN(results): its consumers keep reading "<call>:k". */
static frost_status become_identity_n(inliner *s, FrostTf__NodeDef *call, char **results, int n) {
    for (size_t i = 0; i < call->n_attr; i++) frost__tf_json_free(s->g, call->attr[i]);
    frost__free(&s->g->alloc, call->attr);
    call->attr = NULL;
    call->n_attr = 0;
    for (size_t i = 0; i < call->n_input; i++) frost__free(&s->g->alloc, call->input[i]);
    frost__free(&s->g->alloc, call->input);
    call->input = results;
    call->n_input = (size_t)n;
    char *op = dup_str(s->g, "IdentityN");
    if (!op) return oom(s->err);
    frost__free(&s->g->alloc, call->op);
    call->op = op;
    return FROST_OK;
}

static const frost__tf_function *func_attr(inliner *s, const FrostTf__NodeDef *nd, const char *key,
                                           frost_status *st) {
    char name[512];
    const FrostTf__AttrValue *a = frost__tf_attr(nd, key);
    if (!frost__tf_func_name(a, name, sizeof name)) {
        *st = frost__fail(s->err, FROST_E_FORMAT, nd->name, nd->op, -1,
                          "node '%s' (%s) has no function attribute '%s'", nd->name, nd->op, key);
        return NULL;
    }
    const frost__tf_function *f = find_function(s->lib, name);
    if (!f)
        *st = frost__fail(s->err, FROST_E_FORMAT, nd->name, nd->op, -1,
                          "node '%s' (%s) calls function '%s', which the library does not define",
                          nd->name, nd->op, name);
    return f;
}

/* The data inputs of a call, into a fresh array of strings (borrowed from nd). */
static int data_inputs(const FrostTf__NodeDef *nd, const char **out, int cap) {
    int n = 0;
    for (size_t i = 0; i < nd->n_input && n < cap; i++)
        if (nd->input[i][0] != '^') out[n++] = nd->input[i];
    return n;
}

static frost_status results_of(inliner *s, const frame *fr, char ***out) {
    *out = frost__calloc(&s->g->alloc, (size_t)fr->f->n_out + 1, sizeof **out);
    if (!*out) return oom(s->err);
    for (int k = 0; k < fr->f->n_out; k++) {
        char mapped[NAME_CAP];
        FROST_TRY(map_ref(s, fr, fr->f->ret[k], mapped, sizeof mapped));
        if (!((*out)[k] = dup_str(s->g, mapped))) return oom(s->err);
    }
    return FROST_OK;
}

static frost_status bad_arity(inliner *s, const FrostTf__NodeDef *nd, const frost__tf_function *f,
                              int have) {
    return frost__fail(s->err, FROST_E_FORMAT, nd->name, nd->op, -1,
                       "node '%s' (%s) passes %d inputs to function '%s', which takes %d",
                       nd->name, nd->op, have, f->name, f->n_in);
}

static frost_status inline_call(inliner *s, FrostTf__NodeDef *nd, const frost__tf_function *f) {
    enum { MAX_ARGS = 1024 };
    const char *args[MAX_ARGS];
    int n = data_inputs(nd, args, MAX_ARGS);
    if (n != f->n_in) return bad_arity(s, nd, f, n);
    frame fr = {f, nd->name, args};
    FROST_TRY(inline_body(s, &fr));
    char **results = NULL;
    frost_status st = results_of(s, &fr, &results);
    if (st == FROST_OK) return become_identity_n(s, nd, results, f->n_out);
    free_names(s->g, results, f->n_out);
    return st;
}

/* If(cond, args...): both branches inlined behind Switch on cond, their results joined by Merge
 * after one more Switch each, so that every Merge input dies with its branch. */
static frost_status inline_if(inliner *s, FrostTf__NodeDef *nd) {
    frost_status st = FROST_OK;
    const frost__tf_function *then_f = func_attr(s, nd, "then_branch", &st);
    const frost__tf_function *else_f = then_f ? func_attr(s, nd, "else_branch", &st) : NULL;
    if (!then_f || !else_f) return st;
    enum { MAX_ARGS = 1024 };
    const char *in[MAX_ARGS];
    int n = data_inputs(nd, in, MAX_ARGS);
    if (n < 1) return bad_arity(s, nd, then_f, 0);
    if (n - 1 != then_f->n_in) return bad_arity(s, nd, then_f, n - 1);
    if (n - 1 != else_f->n_in) return bad_arity(s, nd, else_f, n - 1);
    if (then_f->n_out != else_f->n_out)
        return frost__fail(s->err, FROST_E_FORMAT, nd->name, nd->op, -1,
                           "node '%s' (%s): its branches '%s' and '%s' return %d and %d results",
                           nd->name, nd->op, then_f->name, else_f->name, then_f->n_out, else_f->n_out);
    char pred[NAME_CAP], name[NAME_CAP], ref[NAME_CAP];
    FROST_TRY(join(s, pred, sizeof pred, "%s", in[0]));
    /* A non-bool condition is true when non-zero, as If says. */
    const FrostTf__AttrValue *tc = frost__tf_attr(nd, "Tcond");
    if (tc && tc->value_case == FROST_TF__ATTR_VALUE__VALUE_TYPE && tc->type != FROST_TF__DATA_TYPE__DT_BOOL) {
        FROST_TRY(join(s, name, sizeof name, "%s/cond_bool", nd->name));
        const char *cin[1] = {in[0]};
        FROST_TRY(push_plain(s, name, "Cast", cin, 1));
        FrostTf__NodeDef *cast = s->gd->node[s->gd->n_node - 1];
        /* DstT = DT_BOOL: copy Tcond's entry shape by building one attribute. */
        FrostTf__NodeDef__AttrEntry **attr = frost__tf_json_alloc(s->g, sizeof *attr);
        FrostTf__NodeDef__AttrEntry *e = frost__tf_json_alloc(s->g, sizeof *e);
        FrostTf__AttrValue *v = frost__tf_json_alloc(s->g, sizeof *v);
        char *key = dup_str(s->g, "DstT");
        if (!attr || !e || !v || !key) {
            frost__free(&s->g->alloc, attr);
            frost__free(&s->g->alloc, e);
            frost__free(&s->g->alloc, v);
            frost__free(&s->g->alloc, key);
            return oom(s->err);
        }
        frost_tf__node_def__attr_entry__init(e);
        frost_tf__attr_value__init(v);
        v->value_case = FROST_TF__ATTR_VALUE__VALUE_TYPE;
        v->type = FROST_TF__DATA_TYPE__DT_BOOL;
        e->key = key;
        e->value = v;
        attr[0] = e;
        cast->attr = attr;
        cast->n_attr = 1;
        memcpy(pred, name, sizeof pred);
    }
    /* Each argument through Switch: port 1 feeds the then branch, port 0 the else branch. */
    char **then_args = frost__calloc(&s->g->alloc, (size_t)n, sizeof *then_args);
    char **else_args = frost__calloc(&s->g->alloc, (size_t)n, sizeof *else_args);
    char **results = NULL, **then_res = NULL, **else_res = NULL;
    if (!then_args || !else_args) st = oom(s->err);
    for (int i = 1; i < n && st == FROST_OK; i++) {
        st = join(s, name, sizeof name, "%s/switch_%d", nd->name, i - 1);
        const char *sin[2] = {in[i], pred};
        if (st == FROST_OK) st = push_plain(s, name, "Switch", sin, 2);
        if (st == FROST_OK) st = join(s, ref, sizeof ref, "%s:1", name);
        if (st == FROST_OK && !(then_args[i - 1] = dup_str(s->g, ref))) st = oom(s->err);
        if (st == FROST_OK) st = join(s, ref, sizeof ref, "%s:0", name);
        if (st == FROST_OK && !(else_args[i - 1] = dup_str(s->g, ref))) st = oom(s->err);
    }
    char then_prefix[NAME_CAP], else_prefix[NAME_CAP];
    if (st == FROST_OK) st = join(s, then_prefix, sizeof then_prefix, "%s/then", nd->name);
    if (st == FROST_OK) st = join(s, else_prefix, sizeof else_prefix, "%s/else", nd->name);
    frame tf = {then_f, then_prefix, (const char *const *)then_args};
    frame ef = {else_f, else_prefix, (const char *const *)else_args};
    if (st == FROST_OK) st = inline_body(s, &tf);
    if (st == FROST_OK) st = inline_body(s, &ef);
    if (st == FROST_OK) st = results_of(s, &tf, &then_res);
    if (st == FROST_OK) st = results_of(s, &ef, &else_res);
    int n_out = then_f->n_out;
    if (st == FROST_OK && !(results = frost__calloc(&s->g->alloc, (size_t)n_out + 1, sizeof *results)))
        st = oom(s->err);
    for (int k = 0; k < n_out && st == FROST_OK; k++) {
        char t_sw[NAME_CAP], e_sw[NAME_CAP], merge[NAME_CAP], a[NAME_CAP], b[NAME_CAP];
        st = join(s, t_sw, sizeof t_sw, "%s/then_out_%d", nd->name, k);
        if (st == FROST_OK) st = join(s, e_sw, sizeof e_sw, "%s/else_out_%d", nd->name, k);
        if (st == FROST_OK) st = join(s, merge, sizeof merge, "%s/merge_%d", nd->name, k);
        if (st == FROST_OK) st = join(s, a, sizeof a, "%s:1", t_sw);
        if (st == FROST_OK) st = join(s, b, sizeof b, "%s:0", e_sw);
        const char *tin[2] = {then_res[k], pred}, *ein[2] = {else_res[k], pred};
        if (st == FROST_OK) st = push_plain(s, t_sw, "Switch", tin, 2);
        if (st == FROST_OK) st = push_plain(s, e_sw, "Switch", ein, 2);
        const char *min[2] = {a, b};
        if (st == FROST_OK) st = push_plain(s, merge, "Merge", min, 2);
        if (st == FROST_OK && !(results[k] = dup_str(s->g, merge))) st = oom(s->err);
    }
    free_names(s->g, then_args, n - 1);
    free_names(s->g, else_args, n - 1);
    free_names(s->g, then_res, then_res ? n_out : 0);
    free_names(s->g, else_res, else_res ? n_out : 0);
    if (st == FROST_OK) return become_identity_n(s, nd, results, n_out);
    free_names(s->g, results, results ? n_out : 0);
    return st;
}

frost_status frost__tf_inline_functions(frost__graph *g, FrostTf__GraphDef *gd,
                                        const frost__tf_library *lib, frost_error *err) {
    if (!lib || lib->n == 0) return FROST_OK;
    inliner s = {g, err, gd, gd->n_node, lib, g->max_nodes > 0 ? g->max_nodes : 1000000,
                 {pa_alloc, pa_free, g}};
    /* Nodes appended by an inlining are visited too: calls inside functions inline in turn. */
    for (size_t i = 0; i < gd->n_node; i++) {
        FrostTf__NodeDef *nd = gd->node[i];
        frost_status st = FROST_OK;
        const frost__tf_function *f = NULL;
        if (!strcmp(nd->op, "PartitionedCall") || !strcmp(nd->op, "StatefulPartitionedCall")) {
            if (!(f = func_attr(&s, nd, "f", &st))) return st;
            st = inline_call(&s, nd, f);
        } else if (!strcmp(nd->op, "If") || !strcmp(nd->op, "StatelessIf")) {
            st = inline_if(&s, nd);
        } else if ((f = find_function(lib, nd->op)) != NULL) {
            st = inline_call(&s, nd, f);
        }
        FROST_TRY(st);
    }
    return FROST_OK;
}
