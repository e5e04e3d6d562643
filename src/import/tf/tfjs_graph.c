/* tfjs_graph.c — TensorFlow.js graph models: a JSON document ("format": "graph-model", any file
 * name) whose modelTopology is a TensorFlow GraphDef in protobuf's JSON encoding, whose
 * weightsManifest lists the constants' values in binary shards, and whose optional signature names
 * the inputs and outputs. The GraphDef is read into the same protobuf-c structs a .pb unpacks to
 * (tf_json.c), the constants get their values from the manifest (tfjs_weights.c), functions of the
 * library are inlined (tf_function.c), and then the GraphDef importer translates it with the one TF
 * op table (tf_ops.c). Dtypes are read as TF.js reads them (int64 as int32, double as float).
 *
 * It must never fill a constant with zeros for want of its value (a Const that is neither in the
 * manifest nor carries values fails the load, naming it), never read shards outside the model's
 * folder, and never call cJSON itself (fmt/json.h does). */
#include "import/import.h"

#include <stdio.h>

#include "import/tf/tf_function.h"
#include "import/tf/tf_json.h"
#include "import/tf/tfjs_weights.h"

#define TFJS_MAX_JSON ((size_t)512 << 20)

/* ==== Format sniffing ======================================================================== */

/* Position after `"key"` and the colon that follows it, or NULL. */
static const char *after_key(const char *p, const char *end, const char *key) {
    size_t n = strlen(key);
    for (; p + n + 2 <= end; p++) {
        if (p[0] != '"' || memcmp(p + 1, key, n) != 0 || p[n + 1] != '"') continue;
        const char *q = p + n + 2;
        while (q < end && (*q == ' ' || *q == '\t' || *q == '\r' || *q == '\n')) q++;
        if (q < end && *q == ':') {
            q++;
            while (q < end && (*q == ' ' || *q == '\t' || *q == '\r' || *q == '\n')) q++;
            return q;
        }
    }
    return NULL;
}

bool frost__tfjs_graph_sniff(const void *data, size_t size) {
    const char *p = data, *end = p + size;
    const char *fmt = after_key(p, end, "format");
    if (fmt) return end - fmt >= 13 && memcmp(fmt, "\"graph-model\"", 13) == 0;
    /* Converters before TF.js 1.0 wrote no "format": a GraphDef has nodes, a Keras config does
     * not. */
    return after_key(p, end, "modelTopology") && after_key(p, end, "node") &&
           !after_key(p, end, "class_name");
}

/* ==== Constants from the manifest ============================================================ */

static const FrostTf__AttrValue *find_attr(const FrostTf__NodeDef *nd, const char *key) {
    for (size_t i = 0; i < nd->n_attr; i++)
        if (nd->attr[i] && nd->attr[i]->key && !strcmp(nd->attr[i]->key, key)) return nd->attr[i]->value;
    return NULL;
}

static bool tensor_has_values(const FrostTf__TensorProto *tp) {
    return tp->tensor_content.len || tp->n_half_val || tp->n_float_val || tp->n_double_val ||
           tp->n_int_val || tp->n_string_val || tp->n_int64_val || tp->n_bool_val ||
           tp->n_uint32_val || tp->n_uint64_val;
}

/* A fresh TensorProto holding weight w (its data taken over) as node nd's "value" attribute. */
static frost_status set_value(frost__graph *g, FrostTf__NodeDef *nd, frost__tfjs_weight *w,
                              frost_error *err) {
    FrostTf__NodeDef__AttrEntry *entry = NULL;
    for (size_t i = 0; i < nd->n_attr && !entry; i++)
        if (nd->attr[i] && nd->attr[i]->key && !strcmp(nd->attr[i]->key, "value")) entry = nd->attr[i];
    if (!entry) {
        /* No "value" attribute at all: add one (the array is reallocated one longer). */
        FrostTf__NodeDef__AttrEntry **arr =
            frost__tf_json_alloc(g, (nd->n_attr + 1) * sizeof *arr);
        entry = frost__tf_json_alloc(g, sizeof *entry);
        char *key = frost__tf_json_alloc(g, 6);
        if (!arr || !entry || !key) {
            frost__free(&g->alloc, arr);
            frost__free(&g->alloc, entry);
            frost__free(&g->alloc, key);
            return frost__fail(err, FROST_E_NOMEM, nd->name, nd->op, -1, "out of memory");
        }
        frost_tf__node_def__attr_entry__init(entry);
        memcpy(key, "value", 6);
        entry->key = key;
        if (nd->n_attr) memcpy(arr, nd->attr, nd->n_attr * sizeof *arr);
        frost__free(&g->alloc, nd->attr);
        arr[nd->n_attr++] = entry;
        nd->attr = arr;
    }
    frost__tf_json_free(g, entry->value);
    entry->value = NULL;
    FrostTf__AttrValue *av = frost__tf_json_alloc(g, sizeof *av);
    FrostTf__TensorProto *tp = frost__tf_json_alloc(g, sizeof *tp);
    FrostTf__TensorShapeProto *sp = frost__tf_json_alloc(g, sizeof *sp);
    FrostTf__TensorShapeProto__Dim **dims =
        w->shape.rank ? frost__tf_json_alloc(g, (size_t)w->shape.rank * sizeof *dims) : NULL;
    bool ok = av && tp && sp && (dims || !w->shape.rank);
    for (int i = 0; ok && i < w->shape.rank; i++) {
        dims[i] = frost__tf_json_alloc(g, sizeof **dims);
        if (!dims[i]) {
            for (int k = 0; k < i; k++) frost__free(&g->alloc, dims[k]);
            ok = false;
        } else {
            frost_tf__tensor_shape_proto__dim__init(dims[i]);
            dims[i]->size = w->shape.d[i];
        }
    }
    if (!ok) {
        frost__free(&g->alloc, av);
        frost__free(&g->alloc, tp);
        frost__free(&g->alloc, sp);
        frost__free(&g->alloc, dims);
        return frost__fail(err, FROST_E_NOMEM, nd->name, nd->op, -1, "out of memory");
    }
    frost_tf__attr_value__init(av);
    frost_tf__tensor_proto__init(tp);
    frost_tf__tensor_shape_proto__init(sp);
    sp->n_dim = (size_t)w->shape.rank;
    sp->dim = dims;
    tp->tensor_shape = sp;
    tp->dtype = (FrostTf__DataType)w->tf_dtype;
    if (w->data) {
        tp->tensor_content.data = w->data;
        tp->tensor_content.len = w->nbytes;
        w->data = NULL;
        w->given = &tp->tensor_content;
    } else if (w->given && w->given->len) {
        /* The weight already went to another Const of this name: a copy. */
        if (!(tp->tensor_content.data = frost__tf_json_alloc(g, w->given->len))) {
            frost__tf_json_free(g, av);
            frost__tf_json_free(g, tp); /* and sp, which it holds */
            return frost__fail(err, FROST_E_NOMEM, nd->name, nd->op, -1, "out of memory");
        }
        memcpy(tp->tensor_content.data, w->given->data, w->given->len);
        tp->tensor_content.len = w->given->len;
    } /* else a string or complex weight: no data, and the importer refuses the constant */
    av->value_case = FROST_TF__ATTR_VALUE__VALUE_TENSOR;
    av->tensor = tp;
    entry->value = av;
    return FROST_OK;
}

/* Every Const (of the graph, or of a function's body) takes its value from the manifest, by its
 * node name. */
static frost_status attach_weights(frost__graph *g, FrostTf__NodeDef **nodes, size_t n,
                                   frost__tfjs_weights *w, int *n_used, frost_error *err) {
    for (size_t i = 0; i < n; i++) {
        FrostTf__NodeDef *nd = nodes[i];
        if (strcmp(nd->op, "Const") != 0) continue;
        frost__tfjs_weight *x = frost__tfjs_find_weight(w, nd->name);
        if (x) {
            FROST_TRY(set_value(g, nd, x, err));
            (*n_used)++;
            continue;
        }
        const FrostTf__AttrValue *v = find_attr(nd, "value");
        const FrostTf__TensorProto *tp =
            v && v->value_case == FROST_TF__ATTR_VALUE__VALUE_TENSOR ? v->tensor : NULL;
        bool empty = false;
        for (size_t d = 0; tp && tp->tensor_shape && d < tp->tensor_shape->n_dim; d++)
            if (tp->tensor_shape->dim[d] && tp->tensor_shape->dim[d]->size == 0) empty = true;
        if (tp && (tensor_has_values(tp) || empty)) continue; /* inline values, or no elements */
        return frost__fail(err, FROST_E_FORMAT, nd->name, nd->op, -1,
                           "model.json: Const node '%s' has no value: it is not in the "
                           "weightsManifest and carries no inline tensor values",
                           nd->name);
    }
    return FROST_OK;
}

/* ==== Signature ============================================================================== */

/* signature.inputs / outputs: {key: {"name": "node:0", ...}}. Each key becomes another name of
 * the tensor; outputs are the graph's outputs, in the signature's order. */
static frost_status apply_signature(frost__graph *g, const frost__json *sig, frost_error *err) {
    static const char *const parts[2] = {"inputs", "outputs"};
    for (int k = 0; k < 2; k++) {
        const frost__json *map = frost__json_get(sig, parts[k]);
        if (frost__json_is_null(map)) continue;
        if (!frost__json_is_object(map))
            return frost__fail(err, FROST_E_FORMAT, NULL, NULL, -1,
                               "model.json: signature '%s' is not an object", parts[k]);
        for (const frost__json *e = frost__json_first(map); e; e = frost__json_next(e)) {
            const char *key = frost__json_key(e);
            const char *name = frost__json_get_str(e, "name");
            if (!name) name = key;
            int v = frost__graph_lookup(g, name);
            if (v < 0)
                return frost__fail(err, FROST_E_FORMAT, name, NULL, -1,
                                   "model.json: signature %s '%s' names '%s', which is not a "
                                   "tensor of the graph",
                                   k ? "output" : "input", key ? key : "?", name);
            if (key && *key) {
                int cur = frost__graph_lookup(g, key);
                if (cur < 0) FROST_TRY(frost__graph_add_alias(g, key, v, err));
                else if (cur != v)
                    frost__graph_report(g, "signature %s '%s' is '%s', but '%s' already names "
                                           "another tensor: use '%s'",
                                        k ? "output" : "input", key, name, key, name);
            }
            if (k == 1) FROST_TRY(frost__graph_add_output(g, v, err));
        }
    }
    return FROST_OK;
}

/* ==== Import ================================================================================= */

frost_status frost__import_tfjs_graph(const void *json, size_t size, const char *path,
                                      const frost_memory_file *files, int n_files,
                                      uint64_t max_shard_bytes, frost__graph *g,
                                      frost_error *err) {
    frost_error local;
    if (!err) err = &local;
    frost__clear_error(err);
    if (!g || (!json && size))
        return frost__fail(err, FROST_E_INVALID_ARG, NULL, NULL, -1,
                           "frost__import_tfjs_graph: NULL graph or data");
    if (n_files < 0 || (n_files > 0 && !files))
        return frost__fail(err, FROST_E_INVALID_ARG, NULL, NULL, -1,
                           "frost_load_options: n_files is %d with files %s", n_files,
                           files ? "set" : "NULL");
    frost__json *doc = NULL;
    FROST_TRY(frost__json_parse(json, size, TFJS_MAX_JSON, "model.json", &doc, err));
    const char *format = frost__json_get_str(doc, "format");
    const frost__json *topology = frost__json_get(doc, "modelTopology");
    frost__tfjs_weights weights;
    memset(&weights, 0, sizeof weights);
    FrostTf__GraphDef *gd = NULL;
    frost__tf_library library;
    memset(&library, 0, sizeof library);
    frost_status st = FROST_OK;
    if (format && strcmp(format, "graph-model") != 0) {
        st = frost__fail(err, FROST_E_FORMAT, NULL, NULL, -1,
                         "model.json is a TF.js '%s', not a graph model", format);
        goto done;
    }
    frost__tf_json c = {g, err, "model.json", true};
    if ((st = frost__tf_json_graph_def(&c, topology, &gd)) != FROST_OK) goto done;

    char dir[4096] = "";
    if (path) {
        const char *slash = strrchr(path, '/');
        if (slash && (size_t)(slash - path) + 2 > sizeof dir) {
            st = frost__fail(err, FROST_E_LIMIT, NULL, NULL, -1, "the model's path is too long");
            goto done;
        }
        if (slash) snprintf(dir, sizeof dir, "%.*s", (int)(slash - path + 1), path);
    }
    frost__tfjs_shard_source src = {
        .dir = dir, .files = path ? NULL : files, .n_files = path ? 0 : n_files,
        .max_shard_bytes = max_shard_bytes ? max_shard_bytes : (uint64_t)2 << 30,
    };
    /* From memory without files: shards can only be found when the caller gave them. */
    static const frost_memory_file no_files[1] = {{NULL, NULL, 0}};
    if (!path && !files) src.files = no_files;
    st = frost__tfjs_read_weights(g, frost__json_get(doc, "weightsManifest"), &src, &weights, err);
    if (st != FROST_OK) goto done;
    int n_used = 0;
    if ((st = attach_weights(g, gd->node, gd->n_node, &weights, &n_used, err)) != FROST_OK)
        goto done;
    if ((st = frost__tf_json_library(&c, frost__json_get(topology, "library"), &library)) != FROST_OK)
        goto done;
    for (size_t i = 0; i < library.lib.n_function && st == FROST_OK; i++)
        st = attach_weights(g, library.lib.function[i]->node_def,
                            library.lib.function[i]->n_node_def, &weights, &n_used, err);
    if (st != FROST_OK) goto done;
    if ((st = frost__tf_inline_functions(g, gd, &library, err)) != FROST_OK) goto done;
    g->format = FROST_FORMAT_TFJS_GRAPH; /* before: some ops read dtypes as TF.js does */
    if ((st = frost__tf_import_graph_def(gd, g, err)) != FROST_OK) goto done;
    if ((st = apply_signature(g, frost__json_get(doc, "signature"), err)) != FROST_OK) goto done;
    {
        char quant[128] = "";
        static const char *const qn[FROST__TFJS_Q_COUNT] = {"", "uint8", "uint16", "float16"};
        size_t at = 0;
        for (int q = 1; q < FROST__TFJS_Q_COUNT; q++)
            if (weights.n_quant[q] && at < sizeof quant)
                at += (size_t)snprintf(quant + at, sizeof quant - at, ", %d %s-quantized (dequantized)",
                                       weights.n_quant[q], qn[q]);
        const char *by = frost__json_get_str(doc, "convertedBy");
        frost__graph_report(g, "TensorFlow.js graph model: %zu nodes, %d weights in %d shard%s "
                               "(%llu bytes)%s%s%s",
                            gd->n_node, weights.n, weights.n_shards,
                            weights.n_shards == 1 ? "" : "s",
                            (unsigned long long)weights.shard_bytes, quant,
                            by ? ", converted by " : "", by ? by : "");
        if (library.lib.n_function)
            frost__graph_report(g, "TensorFlow.js graph model: %d library functions, calls inlined",
                                (int)library.lib.n_function);
    }
done:
    frost__tf_library_free(g, &library);
    frost__tf_json_free(g, gd);
    frost__tfjs_weights_free(g, &weights);
    frost__json_free(doc);
    return st;
}
