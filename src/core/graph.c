/* graph.c — building and rewriting the IR (see graph.h). Every array grows through the graph's
 * allocator; every failure leaves the graph consistent so frost__graph_free can always clean up. */
#include "core/graph.h"

#include <stdio.h>

#include "core/names.h"

frost_status frost__graph_init(frost__graph *g, const frost_allocator *a, frost_error *err) {
    memset(g, 0, sizeof *g);
    g->alloc = a ? *a : *frost__default_allocator();
    g->max_tensor_bytes = (uint64_t)1 << 30;
    g->max_nodes = 1000000;
    g->max_arena_bytes = (uint64_t)4 << 30;
    g->max_attr_len = 1000000;
    return FROST_OK;
}

static void free_value(frost__graph *g, frost__value *v) {
    frost__free(&g->alloc, v->name);
    frost__free(&g->alloc, v->data);
    frost__free(&g->alloc, v->quant);
    v->name = NULL;
    v->data = NULL;
    v->quant = NULL;
}

static void free_node(frost__graph *g, frost__node *n) {
    frost__free(&g->alloc, n->name);
    frost__free(&g->alloc, n->src_op);
    frost__free(&g->alloc, n->in);
    frost__free(&g->alloc, n->out);
    frost__free(&g->alloc, n->packed);
    memset(n, 0, sizeof *n);
}

void frost__graph_free(frost__graph *g) {
    if (!g) return;
    for (int i = 0; i < g->n_values; i++) free_value(g, &g->values[i]);
    for (int i = 0; i < g->n_nodes; i++) free_node(g, &g->nodes[i]);
    for (int i = 0; i < g->n_report; i++) frost__free(&g->alloc, g->report[i]);
    frost__free(&g->alloc, g->values);
    frost__free(&g->alloc, g->nodes);
    frost__free(&g->alloc, g->inputs);
    frost__free(&g->alloc, g->outputs);
    frost__names_free(g);
    frost__free(&g->alloc, g->report);
    memset(g, 0, sizeof *g);
}

static frost_status oom(frost_error *err, const char *name) {
    return frost__fail(err, FROST_E_NOMEM, name, NULL, -1, "out of memory while building the graph%s%s",
                       name ? " at " : "", name ? name : "");
}

/* Appends a value; takes ownership of `name`. Returns the id or -1 (name freed). */
static int push_value(frost__graph *g, char *name, frost_error *err) {
    if (!frost__grow(&g->alloc, (void **)&g->values, &g->cap_values, g->n_values + 1,
                     sizeof(frost__value))) {
        frost__free(&g->alloc, name);
        oom(err, NULL);
        return -1;
    }
    int id = g->n_values;
    frost__value *v = &g->values[id];
    memset(v, 0, sizeof *v);
    v->name = name;
    v->producer = -1;
    v->shape = frost__shape_unknown();
    if (frost__names_put(g, name, id) != FROST_OK) {
        frost__free(&g->alloc, name);
        v->name = NULL;
        oom(err, NULL);
        return -1;
    }
    g->n_values++;
    return id;
}

static frost_status check_new_name(frost__graph *g, const char *name, frost_error *err) {
    if (!name || !*name)
        return frost__fail(err, FROST_E_FORMAT, NULL, NULL, -1, "a tensor or node has an empty name");
    if (frost__names_get(g, name) >= 0)
        return frost__fail(err, FROST_E_FORMAT, name, NULL, -1, "duplicate name '%s'", name);
    return FROST_OK;
}

static frost_status check_shape(frost__graph *g, const char *name, const frost__shape *s,
                                frost_error *err) {
    if (s->rank > FROST_MAX_RANK)
        return frost__fail(err, FROST_E_LIMIT, name, NULL, -1,
                           "'%s' has rank %d; frost supports up to %d", name, s->rank, FROST_MAX_RANK);
    for (int i = 0; i < s->rank; i++)
        if (s->d[i] < -1)
            return frost__fail(err, FROST_E_FORMAT, name, NULL, -1,
                               "'%s' has a negative dimension %lld", name, (long long)s->d[i]);
    /* Known dims whose product overflows would overflow every op's index arithmetic. */
    int64_t numel = 1;
    for (int i = 0; i < s->rank; i++)
        if (s->d[i] >= 0 && !frost__mul_ok(numel, s->d[i], &numel)) {
            char sb[96];
            return frost__fail(err, FROST_E_LIMIT, name, NULL, -1,
                               "'%s' has shape %s, whose element count overflows", name,
                               frost__shape_str(s, sb, sizeof sb));
        }
    return FROST_OK;
}

int frost__graph_add_const_owned(frost__graph *g, const char *name, frost_dtype dtype,
                                 const frost__shape *shape, void *data, size_t nbytes,
                                 frost_error *err) {
    size_t want;
    if (check_new_name(g, name, err) != FROST_OK || check_shape(g, name, shape, err) != FROST_OK) {
        frost__free(&g->alloc, data);
        return -1;
    }
    if (!frost__shape_known(shape) || !frost__tensor_bytes(dtype, shape, &want)) {
        frost__free(&g->alloc, data);
        char sb[96];
        frost__fail(err, FROST_E_FORMAT, name, NULL, -1,
                    "constant '%s' has an invalid or overflowing shape %s for dtype %s", name,
                    frost__shape_str(shape, sb, sizeof sb), frost_dtype_name(dtype));
        return -1;
    }
    if (want != nbytes) {
        frost__free(&g->alloc, data);
        frost__fail(err, FROST_E_FORMAT, name, NULL, -1,
                    "constant '%s' holds %zu bytes but its shape and dtype need %zu", name, nbytes,
                    want);
        return -1;
    }
    char *nm = frost__strdup(&g->alloc, name);
    if (!nm) {
        frost__free(&g->alloc, data);
        oom(err, name);
        return -1;
    }
    int id = push_value(g, nm, err);
    if (id < 0) {
        frost__free(&g->alloc, data);
        return -1;
    }
    frost__value *v = &g->values[id];
    v->kind = FROST__VAL_CONST;
    v->dtype = dtype;
    v->shape = *shape;
    v->data = data;
    v->nbytes = nbytes;
    return id;
}

int frost__graph_add_const(frost__graph *g, const char *name, frost_dtype dtype,
                           const frost__shape *shape, const void *data, size_t nbytes,
                           frost_error *err) {
    if ((uint64_t)nbytes > g->max_tensor_bytes) {
        frost__fail(err, FROST_E_LIMIT, name, NULL, -1,
                    "constant '%s' is %zu bytes, over the limit of %llu (max_tensor_bytes)", name,
                    nbytes, (unsigned long long)g->max_tensor_bytes);
        return -1;
    }
    void *copy = frost__alloc(&g->alloc, nbytes ? nbytes : 1);
    if (!copy) {
        oom(err, name);
        return -1;
    }
    if (nbytes) memcpy(copy, data, nbytes);
    return frost__graph_add_const_owned(g, name, dtype, shape, copy, nbytes, err);
}

int frost__graph_add_input(frost__graph *g, const char *name, frost_dtype dtype,
                           const frost__shape *shape, frost_error *err) {
    if (check_new_name(g, name, err) != FROST_OK || check_shape(g, name, shape, err) != FROST_OK)
        return -1;
    if (!frost__grow(&g->alloc, (void **)&g->inputs, &g->cap_inputs, g->n_inputs + 1, sizeof(int))) {
        oom(err, name);
        return -1;
    }
    char *nm = frost__strdup(&g->alloc, name);
    if (!nm) {
        oom(err, name);
        return -1;
    }
    int id = push_value(g, nm, err);
    if (id < 0) return -1;
    frost__value *v = &g->values[id];
    v->kind = FROST__VAL_INPUT;
    v->dtype = dtype;
    v->shape = *shape;
    g->inputs[g->n_inputs++] = id;
    return id;
}

int frost__graph_add_node(frost__graph *g, const char *name, const char *src_op, int op, int n_in,
                          const int *in, int n_out, const frost__params *p, frost_error *err) {
    if ((int64_t)g->n_nodes >= g->max_nodes) {
        frost__fail(err, FROST_E_LIMIT, name, src_op, -1,
                    "the graph has more than %lld nodes (max_nodes)", (long long)g->max_nodes);
        return -1;
    }
    if (n_in < 0 || n_out < 1 || n_out > 4096 || n_in > 65536) {
        frost__fail(err, FROST_E_FORMAT, name, src_op, -1,
                    "node '%s' has %d inputs and %d outputs", name ? name : "?", n_in, n_out);
        return -1;
    }
    if (check_new_name(g, name, err) != FROST_OK) return -1;
    for (int i = 0; i < n_in; i++) {
        if (in[i] < -1 || in[i] >= g->n_values) {
            frost__fail(err, FROST_E_INTERNAL, name, src_op, -1,
                        "node '%s' input %d refers to value %d of %d", name, i, in[i], g->n_values);
            return -1;
        }
    }
    if (!frost__grow(&g->alloc, (void **)&g->nodes, &g->cap_nodes, g->n_nodes + 1,
                     sizeof(frost__node))) {
        oom(err, name);
        return -1;
    }
    frost__node *n = &g->nodes[g->n_nodes];
    memset(n, 0, sizeof *n);
    n->name = frost__strdup(&g->alloc, name);
    n->src_op = frost__strdup(&g->alloc, src_op ? src_op : frost__op_name(op));
    n->in = frost__calloc(&g->alloc, (size_t)(n_in ? n_in : 1), sizeof(int));
    n->out = frost__calloc(&g->alloc, (size_t)n_out, sizeof(int));
    if (!n->name || !n->src_op || !n->in || !n->out) {
        free_node(g, n);
        oom(err, name);
        return -1;
    }
    n->op = op;
    n->n_in = n_in;
    if (n_in) memcpy(n->in, in, (size_t)n_in * sizeof(int));
    if (p) n->p = *p;
    int node_id = g->n_nodes;
    for (int k = 0; k < n_out; k++) {
        char *vn;
        if (k == 0) {
            vn = frost__strdup(&g->alloc, name);
        } else {
            size_t len = strlen(name) + 16;
            vn = frost__alloc(&g->alloc, len);
            if (vn) snprintf(vn, len, "%s:%d", name, k);
        }
        if (!vn) {
            n = &g->nodes[node_id];
            n->n_out = k;
            free_node(g, n);
            oom(err, name);
            return -1;
        }
        int id = push_value(g, vn, err);
        n = &g->nodes[node_id]; /* values array may not move nodes, but be explicit */
        if (id < 0) {
            n->n_out = k;
            free_node(g, n);
            return -1;
        }
        g->values[id].producer = node_id;
        g->values[id].producer_port = k;
        n->out[k] = id;
        n->n_out = k + 1;
    }
    g->n_nodes++;
    return node_id;
}

frost_status frost__graph_add_alias(frost__graph *g, const char *alias, int value, frost_error *err) {
    if (value < 0 || value >= g->n_values)
        return frost__fail(err, FROST_E_INTERNAL, alias, NULL, -1, "alias to a bad value");
    int cur = frost__names_get(g, alias);
    if (cur == value) return FROST_OK;
    if (cur >= 0)
        return frost__fail(err, FROST_E_FORMAT, alias, NULL, -1,
                           "name '%s' already names another tensor", alias);
    if (frost__names_put(g, alias, value) != FROST_OK) return oom(err, alias);
    return FROST_OK;
}

frost_status frost__graph_add_output(frost__graph *g, int value, frost_error *err) {
    if (value < 0 || value >= g->n_values)
        return frost__fail(err, FROST_E_INTERNAL, NULL, NULL, -1, "output is a bad value");
    for (int i = 0; i < g->n_outputs; i++)
        if (g->outputs[i] == value) return FROST_OK;
    if (!frost__grow(&g->alloc, (void **)&g->outputs, &g->cap_outputs, g->n_outputs + 1, sizeof(int)))
        return oom(err, NULL);
    g->outputs[g->n_outputs++] = value;
    return FROST_OK;
}

int frost__graph_lookup(const frost__graph *g, const char *name) {
    if (!name) return -1;
    int v = frost__names_get(g, name);
    if (v >= 0) return v;
    /* "x:0" for a value named "x" (output 0 of a node, a constant or an input). */
    size_t len = strlen(name);
    if (len > 2 && name[len - 2] == ':' && name[len - 1] == '0') {
        char buf[512];
        if (len - 2 < sizeof buf) {
            memcpy(buf, name, len - 2);
            buf[len - 2] = 0;
            v = frost__names_get(g, buf);
        }
    }
    return v >= 0 ? v : -1;
}

/* Whether `name` (or "name" for "name:0") was retired by fusion. */
static bool retired(const frost__graph *g, const char *name) {
    if (frost__names_get(g, name) == FROST__NAME_RETIRED) return true;
    size_t len = strlen(name);
    char buf[512];
    if (len <= 2 || len - 2 >= sizeof buf || name[len - 2] != ':' || name[len - 1] != '0')
        return false;
    memcpy(buf, name, len - 2);
    buf[len - 2] = 0;
    return frost__names_get(g, buf) == FROST__NAME_RETIRED;
}

int frost__graph_find(const frost__graph *g, const char *name, const char *what, frost_error *err) {
    if (!name) {
        frost__fail(err, FROST_E_INVALID_ARG, NULL, NULL, -1, "%s name is NULL", what);
        return -1;
    }
    int v = frost__graph_lookup(g, name);
    if (v >= 0) return v;
    if (retired(g, name)) {
        frost__fail(err, FROST_E_NOT_FOUND, name, NULL, -1,
                    "%s '%s' no longer exists after load: fusion merged it into the next op's "
                    "output (e.g. Conv2D+BiasAdd+Relu); name it among the load's outputs "
                    "(frost_load_options.outputs; frost run -o does) to keep it", what, name);
        return -1;
    }
    char sugg[300];
    frost__names_suggest(g, name, sugg, sizeof sugg);
    if (sugg[0])
        frost__fail(err, FROST_E_NOT_FOUND, name, NULL, -1, "no %s named '%s'; did you mean %s?",
                    what, name, sugg);
    else
        frost__fail(err, FROST_E_NOT_FOUND, name, NULL, -1, "no %s named '%s'", what, name);
    return -1;
}

void frost__graph_replace_uses(frost__graph *g, int from, int to, bool move_names) {
    for (int i = 0; i < g->n_nodes; i++) {
        frost__node *n = &g->nodes[i];
        for (int k = 0; k < n->n_in; k++)
            if (n->in[k] == from) n->in[k] = to;
    }
    for (int i = 0; i < g->n_outputs; i++)
        if (g->outputs[i] == from) g->outputs[i] = to;
    if (move_names) frost__names_retarget(g, from, to);
}

void frost__graph_set_const(frost__graph *g, int value, void *data, size_t nbytes) {
    frost__value *v = &g->values[value];
    frost__free(&g->alloc, v->data);
    v->data = data;
    v->nbytes = nbytes;
    v->kind = FROST__VAL_CONST;
    v->has_default = false;
    v->producer = -1;
    v->producer_port = 0;
    /* A former input is no longer fed. */
    for (int i = 0; i < g->n_inputs; i++) {
        if (g->inputs[i] == value) {
            memmove(&g->inputs[i], &g->inputs[i + 1], (size_t)(g->n_inputs - i - 1) * sizeof(int));
            g->n_inputs--;
            break;
        }
    }
}

int *frost__graph_use_counts(const frost__graph *g) {
    int *uses = frost__calloc(&g->alloc, (size_t)(g->n_values ? g->n_values : 1), sizeof(int));
    if (!uses) return NULL;
    for (int i = 0; i < g->n_nodes; i++) {
        const frost__node *n = &g->nodes[i];
        if (n->dead) continue;
        for (int k = 0; k < n->n_in; k++)
            if (n->in[k] >= 0) uses[n->in[k]]++;
    }
    for (int i = 0; i < g->n_outputs; i++) uses[g->outputs[i]]++;
    return uses;
}

frost_status frost__graph_compact(frost__graph *g, frost_error *err) {
    const frost_allocator *a = &g->alloc;
    int *keep = frost__calloc(a, (size_t)(g->n_values ? g->n_values : 1), sizeof(int));
    int *node_map = frost__calloc(a, (size_t)(g->n_nodes ? g->n_nodes : 1), sizeof(int));
    if (!keep || !node_map) {
        frost__free(a, keep);
        frost__free(a, node_map);
        return oom(err, NULL);
    }
    for (int i = 0; i < g->n_nodes; i++) {
        frost__node *n = &g->nodes[i];
        if (n->dead) continue;
        for (int k = 0; k < n->n_in; k++)
            if (n->in[k] >= 0) keep[n->in[k]] = 1;
        for (int k = 0; k < n->n_out; k++) keep[n->out[k]] = 1;
    }
    for (int i = 0; i < g->n_inputs; i++) keep[g->inputs[i]] = 1;
    for (int i = 0; i < g->n_outputs; i++) keep[g->outputs[i]] = 1;

    /* New value ids (keep[] becomes id + 1, 0 = dropped). */
    int nv = 0;
    for (int i = 0; i < g->n_values; i++) {
        if (keep[i]) {
            keep[i] = nv + 1;
            if (nv != i) g->values[nv] = g->values[i];
            nv++;
        } else {
            free_value(g, &g->values[i]);
        }
    }
    int nn = 0;
    for (int i = 0; i < g->n_nodes; i++) {
        if (g->nodes[i].dead) {
            free_node(g, &g->nodes[i]);
            node_map[i] = -1;
            continue;
        }
        node_map[i] = nn;
        if (nn != i) g->nodes[nn] = g->nodes[i];
        frost__node *n = &g->nodes[nn];
        for (int k = 0; k < n->n_in; k++)
            if (n->in[k] >= 0) n->in[k] = keep[n->in[k]] - 1;
        for (int k = 0; k < n->n_out; k++) n->out[k] = keep[n->out[k]] - 1;
        nn++;
    }
    for (int i = 0; i < nv; i++) {
        frost__value *v = &g->values[i];
        if (v->producer >= 0) v->producer = node_map[v->producer];
    }
    for (int i = 0; i < g->n_inputs; i++) g->inputs[i] = keep[g->inputs[i]] - 1;
    for (int i = 0; i < g->n_outputs; i++) g->outputs[i] = keep[g->outputs[i]] - 1;
    frost_status st = frost__names_remap(g, keep, nv);
    g->n_values = nv;
    g->n_nodes = nn;
    for (int i = 0; i < nv; i++) {
        if (g->values[i].kind == FROST__VAL_NODE && g->values[i].producer < 0 && st == FROST_OK)
            st = frost__fail(err, FROST_E_INTERNAL, g->values[i].name, NULL, -1,
                             "tensor '%s' is used but its producer was removed", g->values[i].name);
    }
    frost__free(a, keep);
    frost__free(a, node_map);
    if (st == FROST_E_NOMEM) return oom(err, NULL);
    return st;
}

void frost__graph_report(frost__graph *g, const char *fmt, ...) {
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (!frost__grow(&g->alloc, (void **)&g->report, &g->cap_report, g->n_report + 1, sizeof(char *)))
        return;
    char safe[1024]; /* the line names nodes from the file: escaped (core/text.c) */
    frost_escape_text(safe, sizeof safe, buf);
    char *s = frost__strdup(&g->alloc, safe);
    if (s) g->report[g->n_report++] = s;
}
