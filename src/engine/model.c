/* model.c — the public model API: reading the file, detecting its format from the content, running
 * the importer and the load-time passes, and introspection. A frost_model is immutable once
 * returned, so every function here that takes a const model is safe from any thread. */
#include "engine/model.h"
#include "engine/options.h"
#include "platform/cpu.h"

#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <sys/stat.h>

#include "import/import.h"
#include "import/savedmodel/savedmodel.h"
#include "passes/passes.h"

static bool ends_with(const char *s, const char *suffix) {
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* The format from the first bytes; the extension only breaks a tie between protobuf formats. */
static frost_format detect(const unsigned char *p, size_t n, const char *path) {
    static const unsigned char hdf5[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
    if (n >= 8 && memcmp(p, hdf5, 8) == 0) return FROST_FORMAT_KERAS_H5;
    if (n >= 4 && p[0] == 'P' && p[1] == 'K' && p[2] == 3 && p[3] == 4) return FROST_FORMAT_KERAS_V3;
    if (n >= 8 && memcmp(p + 4, "TFL3", 4) == 0) return FROST_FORMAT_TFLITE; /* FlatBuffer id */
    size_t i = 0;
    while (i < n && (p[i] == ' ' || p[i] == '\n' || p[i] == '\r' || p[i] == '\t')) i++;
    if (i < n && p[i] == '{') return FROST_FORMAT_TFJS_LAYERS;
    if (path && ends_with(path, ".onnx")) return FROST_FORMAT_ONNX;
    if (path && (ends_with(path, ".pb") || ends_with(path, ".pbtxt"))) return FROST_FORMAT_TF_GRAPHDEF;
    /* Protobuf: ONNX's ModelProto starts with ir_version (field 1, varint: 0x08); a GraphDef with
     * its node list (field 1, length-delimited: 0x0a) or versions (field 4: 0x22). */
    if (n >= 1 && p[0] == 0x08) return FROST_FORMAT_ONNX;
    if (n >= 1 && (p[0] == 0x0a || p[0] == 0x22 || p[0] == 0x12)) return FROST_FORMAT_TF_GRAPHDEF;
    return FROST_FORMAT_AUTO;
}

/* `o` is complete (engine/options.h): every field is the caller's or its default. */
static void apply_limits(frost__graph *g, const frost_load_options *o) {
    if (o->max_tensor_bytes) g->max_tensor_bytes = o->max_tensor_bytes;
    if (o->max_nodes) g->max_nodes = o->max_nodes;
    if (o->max_arena_bytes) g->max_arena_bytes = o->max_arena_bytes;
    if (o->max_attr_len > 0) g->max_attr_len = o->max_attr_len;
    g->weights_precision = o->weights_precision;
    g->cpu = o->max_isa > FROST_ISA_AUTO ? frost__cpu_capped(o->max_isa - 1) : frost__cpu_get();
    g->cblas_route = o->cblas_route;
    if (!g->cblas_route) {
        const char *route = getenv("FROST_CBLAS_ROUTE"); /* the option's environment equivalent */
        if (route && strcmp(route, "off") == 0) g->cblas_route = 1;
        if (route && strcmp(route, "all") == 0) g->cblas_route = 2;
    }
    g->onnx_feedable_initializers = o->onnx_feedable_initializers != 0;
}

static void count_params(frost_model *m) {
    const frost__graph *g = &m->g;
    for (int i = 0; i < g->n_values; i++) {
        const frost__value *v = &g->values[i];
        if (v->kind != FROST__VAL_CONST) continue;
        int64_t n = frost__shape_numel(&v->shape);
        if (n > 0 && frost__dtype_is_float(v->dtype)) m->param_count += n;
        m->param_bytes += (int64_t)v->nbytes;
    }
}

static frost_status finish(frost_model *m, frost_status st, const frost_load_options *opts,
                           frost_model **out, frost_error *err);

/* A Keras architecture JSON (model.to_json(): class_name and config at the top, no TF.js
 * modelTopology) saved with its weights (save_weights) as <stem>_weights.h5, <stem>.weights.h5 or
 * <stem>.h5 beside it. True with the weights' companion name in `out` when such a pair is there. */
static bool keras_json_weights(const void *data, size_t size, const char *path,
                               const frost__files *files, char *out, size_t cap) {
    const char *text = data;
    bool has_topology = false, has_class = false;
    for (size_t i = 0; i + 13 <= size && !has_topology; i++)
        has_topology = memcmp(text + i, "modelTopology", 13) == 0;
    for (size_t i = 0; i + 10 <= size && !has_class; i++)
        has_class = memcmp(text + i, "class_name", 10) == 0;
    if (has_topology || !has_class || !path || !ends_with(path, ".json")) return false;
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t stem = strlen(base) - 5;
    static const char *const suffixes[] = {"_weights.h5", ".weights.h5", ".h5"};
    for (size_t k = 0; k < FROST_ARRAY_LEN(suffixes); k++)
        if ((size_t)snprintf(out, cap, "%.*s%s", (int)stem, base, suffixes[k]) < cap &&
            frost__files_exist(files, out))
            return true;
    return false;
}

static frost_status load_keras_json_h5(const void *json, size_t json_size, const char *weights,
                                       const frost__files *files, frost__graph *g,
                                       frost_error *err) {
    void *buf = NULL;
    size_t n = 0;
    FROST_TRY(frost__files_read(files, weights, &g->alloc, &buf, &n, err));
    frost_status st = frost__import_keras_json_h5(json, json_size, buf, n, g, err);
    frost__free(&g->alloc, buf);
    return st;
}

/* Imports `data` and its companion files (beside `path`, or opts->files) into a new model. */
static frost_status load(const void *data, size_t size, const char *path,
                         const frost_load_options *opts, frost_model **out, frost_error *err) {
    char dir[4096] = "";
    frost__files files = {.dir = NULL, .mem = opts->files, .n_mem = opts->n_files,
                          .max_bytes = opts->max_file_bytes ? opts->max_file_bytes
                                                            : (uint64_t)2 << 30};
    if (path) {
        const char *slash = strrchr(path, '/');
        size_t len = slash ? (size_t)(slash - path) + 1 : 0;
        if (len >= sizeof dir) return frost__fail(err, FROST_E_LIMIT, NULL, NULL, -1, "path too long");
        memcpy(dir, path, len);
        dir[len] = 0;
        files.dir = dir;
    }
    const frost_allocator *a = opts->allocator ? opts->allocator : frost__default_allocator();
    frost_model *m = frost__calloc(a, 1, sizeof *m);
    if (!m) return frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
    m->alloc = *a;
    frost_status st = frost__graph_init(&m->g, a, err);
    apply_limits(&m->g, opts);
    frost_format f = opts->format ? opts->format : detect(data, size, path);
    m->format = f;
    m->g.format = f;
    if (st == FROST_OK) {
        frost_status (*imp)(const void *, size_t, frost__graph *, frost_error *) = NULL;
        switch (f) {
        case FROST_FORMAT_TF_GRAPHDEF: imp = frost__import_tf_graphdef; break;
        case FROST_FORMAT_ONNX: imp = frost__import_onnx; break;
        case FROST_FORMAT_KERAS_H5: imp = frost__import_keras_h5; break;
        case FROST_FORMAT_KERAS_V3: imp = frost__import_keras_v3; break;
        case FROST_FORMAT_TFLITE: imp = frost__import_tflite; break;
        default: break;
        }
        char weights[4096];
        if (f == FROST_FORMAT_TFJS_LAYERS &&
            keras_json_weights(data, size, path, &files, weights, sizeof weights)) {
            st = load_keras_json_h5(data, size, weights, &files, &m->g, err);
            m->format = m->g.format = FROST_FORMAT_KERAS_H5;
        } else if (f == FROST_FORMAT_TFJS_LAYERS) {
            st = frost__import_tfjs_layers(data, size, &files, &m->g, err);
        } else if (f == FROST_FORMAT_AUTO) {
            st = frost__fail(err, FROST_E_FORMAT, NULL, NULL, 0,
                             "unrecognised model format (%zu bytes%s%s): expected a TensorFlow "
                             "GraphDef, ONNX, Keras .h5/.keras, TensorFlow.js model.json or .tflite",
                             size, path ? ", file " : "", path ? path : "");
        } else if (!imp) {
            st = frost__fail(err, FROST_E_INVALID_ARG, NULL, NULL, -1,
                             "frost_load_options.format %d is not a format frost reads", (int)f);
        } else {
            st = imp(data, size, &m->g, err);
        }
    }
    return finish(m, st, opts, out, err);
}

/* Runs the load-time passes on an imported graph and hands the model out (or frees it). */
static frost_status finish(frost_model *m, frost_status st, const frost_load_options *opts,
                           frost_model **out, frost_error *err) {
    if (st == FROST_OK) {
        frost__pass_options po = {.outputs = opts->outputs,
                                  .n_outputs = opts->n_outputs,
                                  .fixed_inputs = opts->fixed_inputs,
                                  .n_fixed_inputs = opts->n_fixed_inputs};
        st = frost__passes_run(&m->g, &po, err);
    }
    if (st != FROST_OK) {
        frost_model_free(m);
        *out = NULL;
        return st;
    }
    count_params(m);
    *out = m;
    frost__clear_error(err);
    return FROST_OK;
}

/* SavedModel directories and TF1 checkpoints (import/savedmodel): several files, frozen into one
 * GraphDef that the GraphDef importer translates. `path` NULL: from memory and opts->files. */
static frost_status load_saved_model(const char *path, const void *data, size_t size,
                                     const frost_load_options *opts, frost_model **out,
                                     frost_error *err) {
    const frost_allocator *a = opts->allocator ? opts->allocator : frost__default_allocator();
    frost_model *m = frost__calloc(a, 1, sizeof *m);
    if (!m) return frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
    m->alloc = *a;
    frost_status st = frost__graph_init(&m->g, a, err);
    apply_limits(&m->g, opts);
    m->format = FROST_FORMAT_SAVED_MODEL;
    frost__sm *sm = NULL;
    if (st == FROST_OK) st = frost__sm_open(path, data, size, opts, &sm, err);
    if (st == FROST_OK) st = frost__sm_import(sm, &m->g, err);
    frost__sm_close(sm);
    return finish(m, st, opts, out, err);
}

/* load_memory: a SavedModel or TF1 checkpoint when asked for, or when the companion files are a
 * checkpoint's (variables/..., *.index). */
static bool saved_model_in_memory(const frost_load_options *o) {
    if (o->format == FROST_FORMAT_SAVED_MODEL) return true;
    if (o->format != FROST_FORMAT_AUTO) return false;
    for (int i = 0; o->files && i < o->n_files; i++) {
        const char *n = o->files[i].name;
        if (n && (strncmp(n, "variables/", 10) == 0 || ends_with(n, ".index"))) return true;
    }
    return false;
}

frost_status frost__model_from_graph(frost__graph *g, const frost_load_options *caller,
                                     frost_model **out, frost_error *err) {
    *out = NULL;
    frost_load_options o, *opts = &o;
    frost_status ost = frost__load_options_read(caller, &o, err);
    if (ost != FROST_OK) {
        frost__graph_free(g);
        return ost;
    }
    frost_model *m = frost__calloc(&g->alloc, 1, sizeof *m);
    if (!m) {
        frost__graph_free(g);
        return frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
    }
    m->alloc = g->alloc;
    m->g = *g;
    memset(g, 0, sizeof *g);
    m->format = m->g.format;
    return finish(m, FROST_OK, opts, out, err);
}

frost_status frost_model_load_memory(const void *data, size_t size, const frost_load_options *caller,
                                     frost_model **out, frost_error *err) {
    frost_load_options o, *opts = &o;
    if (out) *out = NULL;
    if (!out) return frost__fail(err, FROST_E_INVALID_ARG, NULL, NULL, -1, "out is NULL");
    if (!data) return frost__fail(err, FROST_E_INVALID_ARG, NULL, NULL, -1, "data is NULL");
    FROST_TRY(frost__load_options_read(caller, &o, err));
    uint64_t max = opts->max_file_bytes ? opts->max_file_bytes : (uint64_t)2 << 30;
    if ((uint64_t)size > max)
        return frost__fail(err, FROST_E_LIMIT, NULL, NULL, -1,
                           "model is %zu bytes, over the limit of %llu (max_file_bytes)", size,
                           (unsigned long long)max);
    if (saved_model_in_memory(opts)) return load_saved_model(NULL, data, size, opts, out, err);
    return load(data, size, NULL, opts, out, err);
}

frost_status frost_model_load_file(const char *path, const frost_load_options *caller,
                                   frost_model **out, frost_error *err) {
    frost_load_options o, *opts = &o;
    if (out) *out = NULL;
    if (!out) return frost__fail(err, FROST_E_INVALID_ARG, NULL, NULL, -1, "out is NULL");
    if (!path) return frost__fail(err, FROST_E_INVALID_ARG, NULL, NULL, -1, "path is NULL");
    FROST_TRY(frost__load_options_read(caller, &o, err));
    const frost_allocator *a = opts->allocator ? opts->allocator : frost__default_allocator();
    if (frost__sm_is_path(path)) return load_saved_model(path, NULL, 0, opts, out, err);
    uint64_t max = opts->max_file_bytes ? opts->max_file_bytes : (uint64_t)2 << 30;
    void *buf = NULL;
    size_t size = 0;
    FROST_TRY(frost__read_file(path, a, max, &buf, &size, err));
    frost_status st = load(buf, size, path, opts, out, err);
    frost__free(a, buf);
    return st;
}

void frost_model_free(frost_model *m) {
    if (!m) return;
    frost_allocator a = m->alloc;
    frost__graph_free(&m->g);
    frost__free(&a, m);
}

int frost_model_input_count(const frost_model *m) { return m ? m->g.n_inputs : 0; }
int frost_model_output_count(const frost_model *m) { return m ? m->g.n_outputs : 0; }

void frost__value_info(const frost__graph *g, int v, frost_tensor_info *out) {
    const frost__value *val = &g->values[v];
    memset(out, 0, sizeof *out);
    out->name = val->name;
    out->dtype = val->dtype;
    out->rank = val->shape.rank;
    for (int i = 0; i < val->shape.rank && i < FROST_MAX_RANK; i++) out->dims[i] = val->shape.d[i];
}

frost_status frost_model_input_info(const frost_model *m, int index, frost_tensor_info *out) {
    if (!m || !out || index < 0 || index >= m->g.n_inputs) return FROST_E_INVALID_ARG;
    frost__value_info(&m->g, m->g.inputs[index], out);
    return FROST_OK;
}

frost_status frost_model_output_info(const frost_model *m, int index, frost_tensor_info *out) {
    if (!m || !out || index < 0 || index >= m->g.n_outputs) return FROST_E_INVALID_ARG;
    frost__value_info(&m->g, m->g.outputs[index], out);
    return FROST_OK;
}

frost_status frost_model_find(const frost_model *m, const char *name, frost_tensor_info *out,
                              frost_error *err) {
    if (!m) return frost__fail(err, FROST_E_INVALID_ARG, NULL, NULL, -1, "model is NULL");
    int v = frost__graph_find(&m->g, name, "tensor", err);
    if (v < 0) return err ? err->code : FROST_E_NOT_FOUND;
    if (out) frost__value_info(&m->g, v, out);
    return FROST_OK;
}

int frost_model_node_count(const frost_model *m) { return m ? m->g.n_nodes : 0; }

frost_status frost_model_node_info(const frost_model *m, int index, frost_node_info *out) {
    if (!m || !out || index < 0 || index >= m->g.n_nodes) return FROST_E_INVALID_ARG;
    const frost__node *n = &m->g.nodes[index];
    out->name = n->name;
    out->op = n->src_op;
    out->n_inputs = n->n_in;
    out->n_outputs = n->n_out;
    return FROST_OK;
}

int frost_model_report_count(const frost_model *m) { return m ? m->g.n_report : 0; }
const char *frost_model_report_line(const frost_model *m, int index) {
    if (!m || index < 0 || index >= m->g.n_report) return NULL;
    return m->g.report[index];
}

int64_t frost_model_param_count(const frost_model *m) { return m ? m->param_count : 0; }
int64_t frost_model_param_bytes(const frost_model *m) { return m ? m->param_bytes : 0; }
frost_format frost_model_format(const frost_model *m) { return m ? m->format : FROST_FORMAT_AUTO; }
