/* keras_model.c — walks a Keras model config (Sequential or functional, nested models included,
 * in the Keras 2, Keras 3 and TF.js dialects) and calls keras_layers.c for each layer call, wiring
 * values by (layer, call, tensor) references. It adds the graph inputs and outputs, makes every
 * layer's output findable by the layer name, and writes a model.summary()-like table of parameter
 * counts into the load report. It must never assume the config is well formed or acyclic: every
 * reference is resolved or reported by name, and nesting depth is bounded. */
#include "import/keras/keras.h"
#include "ops/eval.h"

#include <stdio.h>

/* ---- Weight lookup by name --------------------------------------------------------------------- */

static bool role_matches(const char *comp, size_t len, const char *roles) {
    const char *r = roles;
    while (*r) {
        const char *e = strchr(r, '|');
        size_t rl = e ? (size_t)(e - r) : strlen(r);
        if (rl == len && !strncmp(comp, r, len)) return true;
        if (!e) break;
        r = e + 1;
    }
    return false;
}

/* Splits "a/b/kernel:0" into components; strips ":<digits>" from the last. */
static int split_name(const char *name, char *buf, size_t cap, const char **comp, int max) {
    snprintf(buf, cap, "%s", name);
    int n = 0;
    char *p = buf;
    while (n < max) {
        comp[n++] = p;
        char *s = strchr(p, '/');
        if (!s) break;
        *s = 0;
        p = s + 1;
    }
    if (n > 0) {
        char *colon = strrchr((char *)comp[n - 1], ':');
        if (colon) {
            bool digits = colon[1] != 0;
            for (char *d = colon + 1; *d; d++) digits &= *d >= '0' && *d <= '9';
            if (digits) *colon = 0;
        }
    }
    return n;
}

static int match_weight(const char *const *names, int n, const char *const *path, int npath,
                        const char *roles, int index, bool own_list) {
    const char *layer = path[npath - 1];
    int best = -1, best_score = -1, nth = -1, seen = 0;
    for (int i = 0; i < n; i++) {
        char buf[1024];
        const char *comp[32];
        int nc = split_name(names[i], buf, sizeof buf, comp, 32);
        bool single = nc == 1;
        bool has_layer = nc >= 2 && !strcmp(comp[nc - 2], layer);
        if (!single && !has_layer) continue;
        if (seen++ == index && nth < 0) nth = i;
        if (!role_matches(comp[nc - 1], strlen(comp[nc - 1]), roles)) continue;
        /* Prefer names that also spell the enclosing models. */
        int score = has_layer ? 1 : 0;
        for (int m = npath - 2, c = nc - 3; m >= 0 && c >= 0; m--, c--)
            if (!strcmp(comp[c], path[m])) score++;
        if (score > best_score) best = i, best_score = score;
    }
    if (best >= 0) return best;
    /* Names that don't spell the layer (renamed layers): Keras itself loads by position. */
    if (own_list && index < n && nth < 0) return index;
    return nth;
}

int frost__keras_match_weight(const char *const *names, int n, const char *const *path, int npath,
                              const char *roles, int index) {
    return match_weight(names, n, path, npath, roles, index, false);
}

int frost__keras_match_weight_own(const char *const *names, int n, const char *const *path,
                                  int npath, const char *roles, int index) {
    return match_weight(names, n, path, npath, roles, index, true);
}

/* ---- Model walking ------------------------------------------------------------------------------- */

typedef struct kcall {
    const char *layer;      /* borrowed from the config                                   */
    int call;
    int n;
    int v[FROST_KERAS_MAX_OUTPUTS];
} kcall;

typedef struct kmodel {
    frost__kctx *k;
    kcall *calls;
    int n_calls, cap_calls;
} kmodel;

static frost_status walk_model(frost__kctx *k, const frost__json *model, const char *model_name,
                               const int *inputs, int n_inputs, int *outs, int *n_outs);

static const char *layer_name(const frost__json *layer) {
    const char *n = frost__json_get_str(frost__json_get(layer, "config"), "name");
    return n ? n : frost__json_get_str(layer, "name");
}

static bool is_model_class(const char *cls) {
    return cls && (!strcmp(cls, "Sequential") || !strcmp(cls, "Model") ||
                   !strcmp(cls, "Functional"));
}

static void report_layer(frost__kctx *k, const frost__klayer *L, int64_t params) {
    if (k->quiet) return;
    if (!frost__grow(&k->g->alloc, (void **)&k->rows, &k->cap_rows, k->n_rows + 1, sizeof *k->rows))
        return;   /* the summary is informative: drop the row rather than fail the load */
    char *node = frost__strdup(&k->g->alloc, L->node);
    if (!node) return;
    k->rows[k->n_rows++] = (frost__ksummary){node, L->cls, params};
}

/* Writes the summary: each layer's output shape (inferred here, as far as the input shapes allow)
 * and parameter count. Inference failures only leave shapes unknown: the passes report them. */
static void write_summary(frost__kctx *k, const char *model_name) {
    frost__graph *g = k->g;
    size_t n = (size_t)(g->n_values ? g->n_values : 1);
    frost_dtype *dtype = frost__calloc(&g->alloc, n, sizeof *dtype);
    frost__shape *shape = frost__calloc(&g->alloc, n, sizeof *shape);
    void **data = frost__calloc(&g->alloc, n, sizeof *data);
    bool inferred = dtype && shape && data;
    for (int v = 0; inferred && v < g->n_values; v++) {
        dtype[v] = g->values[v].dtype;
        shape[v] = g->values[v].shape;
        data[v] = g->values[v].kind == FROST__VAL_CONST ? g->values[v].data : NULL;
    }
    for (int i = 0; inferred && i < g->n_nodes; i++) {
        const frost__node *nd = &g->nodes[i];
        if (nd->op == FROST__OP_UNSUPPORTED || !frost__op_get(nd->op)) continue;
        frost_error ignored;
        frost__infer_node(nd, dtype, shape, data, false, &ignored);
    }
    frost__graph_report(g, "keras  %-32s %-22s %-20s %10s", "layer", "class", "output shape", "params");
    for (int r = 0; r < k->n_rows; r++) {
        char sbuf[96] = "?";
        int v = frost__graph_lookup(g, k->rows[r].node);
        if (inferred && v >= 0) frost__shape_str(&shape[v], sbuf, sizeof sbuf);
        frost__graph_report(g, "keras  %-32s %-22s %-20s %10lld", k->rows[r].node, k->rows[r].cls,
                            sbuf, (long long)k->rows[r].params);
    }
    frost__graph_report(g, "keras  total parameters: %lld (model '%s', %d unsupported layer%s)",
                        (long long)k->total_params, model_name ? model_name : "?", k->n_unsupported,
                        k->n_unsupported == 1 ? "" : "s");
    frost__free(&g->alloc, dtype);
    frost__free(&g->alloc, shape);
    frost__free(&g->alloc, data);
}

static frost_status add_graph_input(frost__kctx *k, const frost__klayer *L, const frost__json *shape_list,
                                    const char *dtype_name, int *out) {
    frost__shape s = frost__shape_unknown();
    if (!frost__json_is_null(shape_list)) {
        const char *field = frost__json_get(L->cfg, "batch_shape") ? "batch_shape"
                                                                   : "batch_input_shape";
        FROST_TRY(frost__keras_shape(k, L, shape_list, field, &s));
    }
    frost_dtype t = frost__keras_dtype(dtype_name);
    if (t == FROST_DTYPE_INVALID || t == FROST_DTYPE_STRING)
        return frost__keras_fail(k, L, FROST_E_UNSUPPORTED, "input dtype '%s' is not supported",
                                 dtype_name ? dtype_name : "?");
    int v = frost__graph_add_input(k->g, L->node, t, &s, k->err);
    if (v < 0) return k->err ? k->err->code : FROST_E_NOMEM;
    *out = v;
    return FROST_OK;
}

static const frost__json *input_shape_of(const frost__json *cfg) {
    const frost__json *s = frost__json_get(cfg, "batch_shape");
    if (frost__json_is_null(s)) s = frost__json_get(cfg, "batch_input_shape");
    return s;
}

/* Translates one call of `layer` (possibly a nested model) and makes its output findable. */
static frost_status call_layer(frost__kctx *k, const frost__json *layer, int call, const int *in,
                               int n_in, int *out, int *n_out) {
    frost__klayer L;
    memset(&L, 0, sizeof L);
    L.cls = frost__json_get_str(layer, "class_name");
    L.cfg = frost__json_get(layer, "config");
    L.name = layer_name(layer);
    if (!L.cls || !L.name) {
        L.cls = L.cls ? L.cls : "?";
        L.name = L.name ? L.name : "?";
        return frost__keras_fail(k, &L, FROST_E_FORMAT, "layer entry without class_name or name");
    }
    char node[700];
    if (call == 0) snprintf(node, sizeof node, "%s%s", k->prefix, L.name);
    else snprintf(node, sizeof node, "%s%s/call_%d", k->prefix, L.name, call);
    L.node = node;
    int64_t before = k->total_params;
    k->layer_params = 0;
    frost_status st;
    if (is_model_class(L.cls) || frost__json_is_array(L.cfg) ||
        (frost__json_get(L.cfg, "layers") && frost__json_get(L.cfg, "input_layers"))) {
        if (k->npath >= FROST_KERAS_MAX_DEPTH)
            return frost__keras_fail(k, &L, FROST_E_LIMIT, "models nested more than %d deep",
                                     FROST_KERAS_MAX_DEPTH);
        size_t plen = strlen(k->prefix);
        int wrote = snprintf(k->prefix + plen, sizeof k->prefix - plen, "%s/",
                             call == 0 ? L.name : node + plen);
        if (wrote < 0 || (size_t)wrote >= sizeof k->prefix - plen)
            return frost__keras_fail(k, &L, FROST_E_LIMIT, "nested model names are too long");
        size_t wlen = strlen(k->wprefix);
        wrote = snprintf(k->wprefix + wlen, sizeof k->wprefix - wlen, "%s/", L.name);
        if (wrote < 0 || (size_t)wrote >= sizeof k->wprefix - wlen) {
            k->prefix[plen] = 0;
            return frost__keras_fail(k, &L, FROST_E_LIMIT, "nested model names are too long");
        }
        k->path[k->npath++] = L.name;
        if (call > 0) k->quiet++;
        st = walk_model(k, layer, L.name, in, n_in, out, n_out);
        if (call > 0) k->quiet--;
        k->npath--;
        k->prefix[plen] = 0;
        k->wprefix[wlen] = 0;
        if (st != FROST_OK) return st;
        if (call == 0) report_layer(k, &L, k->total_params - before);
    } else {
        st = frost__keras_layer(k, &L, in, n_in, out, n_out);
        if (st != FROST_OK) return st;
        k->total_params += k->layer_params;
        if (call == 0 && strcmp(L.cls, "InputLayer")) report_layer(k, &L, k->layer_params);
    }
    if (*n_out > 0 && frost__graph_lookup(k->g, L.node) < 0)
        FROST_TRY(frost__graph_add_alias(k->g, L.node, out[0], k->err));
    return FROST_OK;
}

static frost_status walk_sequential(frost__kctx *k, const frost__json *model, const int *inputs,
                                    int n_inputs, int *outs, int *n_outs) {
    const frost__json *cfg = frost__json_get(model, "config");
    const frost__json *layers = frost__json_is_array(cfg) ? cfg : frost__json_get(cfg, "layers");
    const char *mname = frost__json_get_str(cfg, "name");
    frost__klayer M = {mname ? mname : "sequential", "Sequential", cfg, mname ? mname : "sequential"};
    if (!frost__json_is_array(layers))
        return frost__keras_fail(k, &M, FROST_E_FORMAT, "config has no 'layers' list");
    if (n_inputs > 1)
        return frost__keras_fail(k, &M, FROST_E_FORMAT, "a Sequential model takes 1 input, got %d",
                                 n_inputs);
    int v = n_inputs ? inputs[0] : -1;
    int n = frost__json_len(layers);
    for (int i = 0; i < n; i++) {
        const frost__json *layer = frost__json_at(layers, i);
        const char *cls = frost__json_get_str(layer, "class_name");
        const frost__json *lcfg = frost__json_get(layer, "config");
        const char *lname = layer_name(layer);
        frost__klayer L = {lname ? lname : "?", cls ? cls : "?", lcfg, lname ? lname : "?"};
        if (!cls || !lname)
            return frost__keras_fail(k, &L, FROST_E_FORMAT, "layer %d has no class_name or name", i);
        if (!strcmp(cls, "InputLayer")) {
            if (v < 0) {
                char node[600];
                snprintf(node, sizeof node, "%s%s", k->prefix, lname);
                L.node = node;
                FROST_TRY(add_graph_input(k, &L, input_shape_of(lcfg), frost__json_get_str(lcfg, "dtype"), &v));
            } else {
                char node[600];
                snprintf(node, sizeof node, "%s%s", k->prefix, lname);
                if (frost__graph_lookup(k->g, node) < 0)
                    FROST_TRY(frost__graph_add_alias(k->g, node, v, k->err));
            }
            continue;
        }
        if (v < 0) {
            /* Older Keras: no InputLayer; the first layer carries the input shape and Keras names
             * the input "<layer>_input". */
            const frost__json *shape = input_shape_of(lcfg);
            if (frost__json_is_null(shape)) shape = frost__json_get(cfg, "build_input_shape");
            char node[600];
            snprintf(node, sizeof node, "%s%s_input", k->prefix, lname);
            frost__klayer I = {node, "InputLayer", lcfg, node};
            FROST_TRY(add_graph_input(k, &I, shape, frost__json_get_str(lcfg, "dtype"), &v));
        }
        int out[FROST_KERAS_MAX_OUTPUTS], nout = 0;
        FROST_TRY(call_layer(k, layer, 0, &v, 1, out, &nout));
        if (nout != 1)
            return frost__keras_fail(k, &L, FROST_E_UNSUPPORTED,
                                     "in a Sequential model, a layer must have 1 output (has %d)", nout);
        v = out[0];
    }
    if (v < 0) return frost__keras_fail(k, &M, FROST_E_FORMAT, "the model has no layers");
    outs[0] = v;
    *n_outs = 1;
    return FROST_OK;
}

/* Appends the (layer, node, tensor) references of one inbound node: Keras 2 / TF.js write
 * [[name, node, tensor, kwargs], ...]; Keras 3 writes {"args": [...], "kwargs": {...}} with
 * {"class_name": "__keras_tensor__", "config": {"keras_history": [name, node, tensor]}} inside. */
typedef struct kref { const char *layer; int64_t node, tensor; } kref;

static int collect_keras3(const frost__json *v, kref *refs, int n, int cap, int depth) {
    if (depth > 16 || n < 0) return -1;
    const char *cls = frost__json_get_str(v, "class_name");
    if (cls && !strcmp(cls, "__keras_tensor__")) {
        const frost__json *h = frost__json_get(frost__json_get(v, "config"), "keras_history");
        if (n >= cap || frost__json_len(h) < 3) return -1;
        refs[n].layer = frost__json_str(frost__json_at(h, 0));
        if (!refs[n].layer || !frost__json_int(frost__json_at(h, 1), &refs[n].node) ||
            !frost__json_int(frost__json_at(h, 2), &refs[n].tensor))
            return -1;
        return n + 1;
    }
    if (frost__json_is_array(v))
        for (int i = 0; i < frost__json_len(v) && n >= 0; i++)
            n = collect_keras3(frost__json_at(v, i), refs, n, cap, depth + 1);
    return n;
}

static int collect_refs(const frost__json *node, kref *refs, int cap) {
    if (frost__json_is_object(node)) return collect_keras3(frost__json_get(node, "args"), refs, 0, cap, 0);
    if (!frost__json_is_array(node)) return -1;
    int n = 0;
    for (int i = 0; i < frost__json_len(node); i++) {
        const frost__json *r = frost__json_at(node, i);
        if (n >= cap || frost__json_len(r) < 3) return -1;
        refs[n].layer = frost__json_str(frost__json_at(r, 0));
        if (!refs[n].layer || !frost__json_int(frost__json_at(r, 1), &refs[n].node) ||
            !frost__json_int(frost__json_at(r, 2), &refs[n].tensor))
            return -1;
        n++;
    }
    return n;
}

/* input_layers / output_layers: [[name, node, tensor], ...] or a single [name, node, tensor]. */
static int collect_io(const frost__json *list, kref *refs, int cap) {
    if (frost__json_is_string(frost__json_at(list, 0))) {
        refs[0].layer = frost__json_str(frost__json_at(list, 0));
        if (!frost__json_int(frost__json_at(list, 1), &refs[0].node) ||
            !frost__json_int(frost__json_at(list, 2), &refs[0].tensor))
            return -1;
        return 1;
    }
    int n = 0;
    for (int i = 0; i < frost__json_len(list); i++) {
        const frost__json *r = frost__json_at(list, i);
        if (n >= cap || !frost__json_str(frost__json_at(r, 0))) return -1;
        refs[n].layer = frost__json_str(frost__json_at(r, 0));
        if (!frost__json_int(frost__json_at(r, 1), &refs[n].node) ||
            !frost__json_int(frost__json_at(r, 2), &refs[n].tensor))
            return -1;
        n++;
    }
    return n;
}

static int resolve(const kmodel *m, const kref *r) {
    for (int i = 0; i < m->n_calls; i++) {
        const kcall *c = &m->calls[i];
        if (c->call == r->node && !strcmp(c->layer, r->layer))
            return r->tensor >= 0 && r->tensor < c->n ? c->v[r->tensor] : -2;
    }
    return -1;
}

static frost_status walk_functional(frost__kctx *k, const frost__json *model, const int *inputs,
                                    int n_inputs, int *outs, int *n_outs) {
    const frost__json *cfg = frost__json_get(model, "config");
    const frost__json *layers = frost__json_get(cfg, "layers");
    const char *mname = frost__json_get_str(cfg, "name");
    frost__klayer M = {mname ? mname : "model", "Functional", cfg, mname ? mname : "model"};
    int n = frost__json_len(layers);
    if (!frost__json_is_array(layers) || n == 0)
        return frost__keras_fail(k, &M, FROST_E_FORMAT, "config has no 'layers' list");
    enum { MAX_REFS = 1024 };
    kref *refs = frost__calloc(&k->g->alloc, MAX_REFS, sizeof *refs);
    int *done = frost__calloc(&k->g->alloc, (size_t)n, sizeof *done);
    kmodel m = {k, NULL, 0, 0};
    int *offset = NULL, processed = 0;
    frost_status st = FROST_OK;
    if (!refs || !done) {
        st = frost__fail(k->err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
        goto out;
    }
    kref in_refs[FROST_KERAS_MAX_OUTPUTS];
    int n_in_refs = collect_io(frost__json_get(cfg, "input_layers"), in_refs, FROST_KERAS_MAX_OUTPUTS);
    if (n_in_refs < 0) {
        st = frost__keras_fail(k, &M, FROST_E_FORMAT, "'input_layers' is malformed");
        goto out;
    }
    if (inputs && n_inputs != n_in_refs) {
        st = frost__keras_fail(k, &M, FROST_E_FORMAT, "called with %d inputs but declares %d",
                               n_inputs, n_in_refs);
        goto out;
    }
    int total = 0;
    for (int i = 0; i < n; i++) {
        const frost__json *layer = frost__json_at(layers, i);
        const char *cls = frost__json_get_str(layer, "class_name");
        total += cls && !strcmp(cls, "InputLayer") ? 1
                                                  : frost__json_len(frost__json_get(layer, "inbound_nodes"));
    }
    /* A nested model's node 0 is sometimes its own construction call, which the config omits:
     * TF.js (and some Keras 2 versions) then number its calls from 1. Detect it from the refs. */
    offset = frost__calloc(&k->g->alloc, (size_t)n, sizeof *offset);
    if (!offset) {
        st = frost__fail(k->err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
        goto out;
    }
    for (int i = 0; i < n; i++) {
        const frost__json *layer = frost__json_at(layers, i);
        const char *lname = layer_name(layer);
        int ncalls = frost__json_len(frost__json_get(layer, "inbound_nodes"));
        if (!lname || !is_model_class(frost__json_get_str(layer, "class_name"))) continue;
        for (int j = 0; j < n && !offset[i]; j++) {
            const frost__json *inb = frost__json_get(frost__json_at(layers, j), "inbound_nodes");
            for (int c = 0; c < frost__json_len(inb) && !offset[i]; c++) {
                int nr = collect_refs(frost__json_at(inb, c), refs, MAX_REFS);
                for (int r = 0; r < nr; r++)
                    if (refs[r].layer && !strcmp(refs[r].layer, lname) && refs[r].node == ncalls)
                        offset[i] = 1;
            }
        }
        kref o[FROST_KERAS_MAX_OUTPUTS];
        int no = collect_io(frost__json_get(cfg, "output_layers"), o, FROST_KERAS_MAX_OUTPUTS);
        for (int r = 0; r < no; r++)
            if (!strcmp(o[r].layer, lname) && o[r].node == ncalls) offset[i] = 1;
    }
    processed = 0;
    for (bool progress = true; progress && processed < total;) {
        progress = false;
        for (int i = 0; i < n && st == FROST_OK; i++) {
            const frost__json *layer = frost__json_at(layers, i);
            const char *cls = frost__json_get_str(layer, "class_name");
            const char *lname = layer_name(layer);
            const frost__json *inbound = frost__json_get(layer, "inbound_nodes");
            bool is_input = cls && !strcmp(cls, "InputLayer");
            int ncalls = is_input ? 1 : frost__json_len(inbound);
            if (!lname) {
                frost__klayer L = {"?", cls ? cls : "?", NULL, "?"};
                st = frost__keras_fail(k, &L, FROST_E_FORMAT, "layer %d has no name", i);
                break;
            }
            while (done[i] < ncalls && st == FROST_OK) {
                int call = done[i];
                int vin[MAX_REFS], nvin = 0;
                if (is_input) {
                    char node[600];
                    snprintf(node, sizeof node, "%s%s", k->prefix, lname);
                    if (inputs) {
                        int pos = -1;
                        for (int r = 0; r < n_in_refs; r++)
                            if (!strcmp(in_refs[r].layer, lname)) pos = r;
                        if (pos < 0) {
                            done[i] = ncalls;   /* an input the model doesn't use */
                            processed++;
                            break;
                        }
                        vin[0] = inputs[pos];
                        if (frost__graph_lookup(k->g, node) < 0)
                            st = frost__graph_add_alias(k->g, node, vin[0], k->err);
                    } else {
                        frost__klayer L = {lname, cls, frost__json_get(layer, "config"), node};
                        st = add_graph_input(k, &L, input_shape_of(L.cfg),
                                             frost__json_get_str(L.cfg, "dtype"), &vin[0]);
                    }
                    nvin = 1;
                    if (st == FROST_OK) {
                        if (!frost__grow(&k->g->alloc, (void **)&m.calls, &m.cap_calls, m.n_calls + 1,
                                         sizeof *m.calls)) {
                            st = frost__fail(k->err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
                            break;
                        }
                        m.calls[m.n_calls++] = (kcall){lname, 0, 1, {vin[0]}};
                    }
                } else {
                    int nr = collect_refs(frost__json_at(inbound, call), refs, MAX_REFS);
                    if (nr < 0) {
                        frost__klayer L = {lname, cls ? cls : "?", NULL, lname};
                        st = frost__keras_fail(k, &L, FROST_E_FORMAT, "inbound node %d is malformed",
                                               call);
                        break;
                    }
                    bool ready = true;
                    for (int r = 0; r < nr && ready; r++) {
                        vin[r] = resolve(&m, &refs[r]);
                        ready = vin[r] >= 0;
                        if (vin[r] == -2) {
                            frost__klayer L = {lname, cls ? cls : "?", NULL, lname};
                            st = frost__keras_fail(k, &L, FROST_E_FORMAT,
                                                   "input %d refers to output %lld of '%s', which has fewer",
                                                   r, (long long)refs[r].tensor, refs[r].layer);
                        }
                    }
                    if (!ready) break;
                    nvin = nr;
                    kcall c = {lname, call + offset[i], 0, {0}};
                    st = call_layer(k, layer, call, vin, nvin, c.v, &c.n);
                    if (st != FROST_OK) break;
                    if (!frost__grow(&k->g->alloc, (void **)&m.calls, &m.cap_calls, m.n_calls + 1,
                                     sizeof *m.calls)) {
                        st = frost__fail(k->err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
                        break;
                    }
                    m.calls[m.n_calls++] = c;
                }
                done[i]++;
                processed++;
                progress = true;
            }
        }
        if (st != FROST_OK) goto out;
    }
    if (processed < total) {
        /* Name the first layer call that never became ready and what it waits for. */
        for (int i = 0; i < n; i++) {
            const frost__json *layer = frost__json_at(layers, i);
            const frost__json *inbound = frost__json_get(layer, "inbound_nodes");
            if (done[i] >= frost__json_len(inbound)) continue;
            int nr = collect_refs(frost__json_at(inbound, done[i]), refs, MAX_REFS);
            for (int r = 0; r < nr; r++)
                if (resolve(&m, &refs[r]) < 0) {
                    frost__klayer L = {layer_name(layer), frost__json_get_str(layer, "class_name"),
                                       NULL, layer_name(layer)};
                    if (!L.cls) L.cls = "?";
                    st = frost__keras_fail(k, &L, FROST_E_FORMAT,
                                           "input refers to '%s' (call %lld, output %lld), which no "
                                           "layer produces (or the references form a cycle)",
                                           refs[r].layer, (long long)refs[r].node,
                                           (long long)refs[r].tensor);
                    goto out;
                }
        }
        st = frost__keras_fail(k, &M, FROST_E_FORMAT, "some layer calls could not be connected");
        goto out;
    }
    kref out_refs[FROST_KERAS_MAX_OUTPUTS];
    int n_out_refs = collect_io(frost__json_get(cfg, "output_layers"), out_refs, FROST_KERAS_MAX_OUTPUTS);
    if (n_out_refs <= 0) {
        st = frost__keras_fail(k, &M, FROST_E_FORMAT, "'output_layers' is missing or malformed");
        goto out;
    }
    for (int r = 0; r < n_out_refs; r++) {
        int v = resolve(&m, &out_refs[r]);
        if (v < 0) {
            st = frost__keras_fail(k, &M, FROST_E_FORMAT,
                                   "output %d refers to '%s' (call %lld, output %lld), which no layer produces",
                                   r, out_refs[r].layer, (long long)out_refs[r].node,
                                   (long long)out_refs[r].tensor);
            goto out;
        }
        outs[r] = v;
    }
    *n_outs = n_out_refs;
out:
    frost__free(&k->g->alloc, refs);
    frost__free(&k->g->alloc, done);
    frost__free(&k->g->alloc, offset);
    frost__free(&k->g->alloc, m.calls);
    return st;
}

static frost_status walk_model(frost__kctx *k, const frost__json *model, const char *model_name,
                               const int *inputs, int n_inputs, int *outs, int *n_outs) {
    const char *cls = frost__json_get_str(model, "class_name");
    const frost__json *cfg = frost__json_get(model, "config");
    if (frost__json_is_array(cfg) || (cls && !strcmp(cls, "Sequential")))
        return walk_sequential(k, model, inputs, n_inputs, outs, n_outs);
    if (frost__json_get(cfg, "layers")) return walk_functional(k, model, inputs, n_inputs, outs, n_outs);
    frost__klayer M = {model_name ? model_name : "model", cls ? cls : "?", cfg,
                       model_name ? model_name : "model"};
    return frost__keras_fail(k, &M, FROST_E_UNSUPPORTED,
                             "is not a Sequential or functional model (subclassed models hold "
                             "Python code and cannot be loaded)");
}

frost_status frost__keras_build(frost__graph *g, const frost__json *model, frost__keras_flavor flavor,
                                const frost__keras_weights *weights, const frost__keras_info *info,
                                frost_error *err) {
    frost__kctx k;
    memset(&k, 0, sizeof k);
    k.g = g;
    k.flavor = flavor;
    k.w = weights;
    k.err = err;
    if (info) k.info = *info;
    if (!frost__json_is_object(model))
        return frost__fail(err, FROST_E_FORMAT, NULL, NULL, -1, "the Keras model config is not an object");
    /* Keras 3 configs carry "module" keys; trust them over the container's guess. */
    if (flavor == FROST__KERAS_2 && frost__json_get(model, "module")) k.flavor = FROST__KERAS_3;
    const char *name = frost__json_get_str(frost__json_get(model, "config"), "name");
    int outs[FROST_KERAS_MAX_OUTPUTS], n_outs = 0;
    frost_status st = walk_model(&k, model, name, NULL, 0, outs, &n_outs);
    for (int i = 0; st == FROST_OK && i < n_outs; i++) {
        bool dup = false;
        for (int j = 0; j < g->n_outputs; j++) dup |= g->outputs[j] == outs[i];
        if (!dup) st = frost__graph_add_output(g, outs[i], err);
    }
    if (st == FROST_OK) write_summary(&k, name);
    for (int r = 0; r < k.n_rows; r++) frost__free(&g->alloc, k.rows[r].node);
    frost__free(&g->alloc, k.rows);
    return st;
}
