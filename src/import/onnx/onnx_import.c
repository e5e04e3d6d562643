/* onnx_import.c — reads an ONNX ModelProto and builds a frost__graph: initializers become constants
 * (or defaulted inputs), graph inputs become inputs with symbolic dims as -1, every node of the
 * default domain is handed to the op table (onnx_ops.c), nodes of other domains become
 * UNSUPPORTED nodes named "domain:op_type", and the graph's outputs are named from the model.
 * Subgraphs (If's branches) are unpacked here, up front and to a bounded depth; their names share
 * the one name table (a branch sees the names of the scopes around it), and a branch is imported
 * into the same frost graph when its If asks (frost__onnx_import_branch).
 *
 * It must never trust the file: every count, dim, name and byte length is checked before use,
 * errors name the node and field, and a malformed model returns FROST_E_FORMAT, never a crash.
 * It must never read anything but `data` (external tensor data is reported as unsupported). */
#include "import/import.h"
#include "import/import_util.h"
#include "import/onnx/onnx_internal.h"

#include <stdio.h>
#include <stdlib.h>

/* ---- protobuf-c glue ----------------------------------------------------------------------- */

static void *pb_alloc(void *user, size_t size) {
    return frost__alloc((const frost_allocator *)user, size ? size : 1);
}
static void pb_free(void *user, void *p) { frost__free((const frost_allocator *)user, p); }

void frost__onnx_pb_allocator(ProtobufCAllocator *pa, const frost_allocator *a) {
    pa->alloc = pb_alloc;
    pa->free = pb_free;
    pa->allocator_data = (void *)a;
}

/* ---- Tensors -------------------------------------------------------------------------------- */

frost_dtype frost__onnx_dtype(int t) {
    switch (t) {
    case 1: return FROST_DTYPE_F32;
    case 2: return FROST_DTYPE_U8;
    case 3: return FROST_DTYPE_I8;
    case 4: return FROST_DTYPE_U16;
    case 5: return FROST_DTYPE_I16;
    case 6: return FROST_DTYPE_I32;
    case 7: return FROST_DTYPE_I64;
    case 8: return FROST_DTYPE_STRING;
    case 9: return FROST_DTYPE_BOOL;
    case 10: return FROST_DTYPE_F16;
    case 11: return FROST_DTYPE_F64;
    case 12: return FROST_DTYPE_U32;
    case 13: return FROST_DTYPE_U64;
    case 16: return FROST_DTYPE_BF16;
    default: return FROST_DTYPE_INVALID;
    }
}

/* Stores integer `v` as element i of a tensor of dtype t (the int32_data / uint64_data paths). */
static void store_int(frost_dtype t, void *dst, size_t i, int64_t v) {
    switch (t) {
    case FROST_DTYPE_I8: ((int8_t *)dst)[i] = (int8_t)v; break;
    case FROST_DTYPE_U8: ((uint8_t *)dst)[i] = (uint8_t)v; break;
    case FROST_DTYPE_BOOL: ((uint8_t *)dst)[i] = v != 0; break;
    case FROST_DTYPE_I16: ((int16_t *)dst)[i] = (int16_t)v; break;
    case FROST_DTYPE_U16:
    case FROST_DTYPE_F16:
    case FROST_DTYPE_BF16: ((uint16_t *)dst)[i] = (uint16_t)v; break;
    case FROST_DTYPE_I32: ((int32_t *)dst)[i] = (int32_t)v; break;
    case FROST_DTYPE_U32: ((uint32_t *)dst)[i] = (uint32_t)v; break;
    case FROST_DTYPE_I64: ((int64_t *)dst)[i] = v; break;
    case FROST_DTYPE_U64: ((uint64_t *)dst)[i] = (uint64_t)v; break;
    default: break;
    }
}

frost_status frost__onnx_decode_tensor(const FrostOnnx__TensorProto *t, const frost_allocator *a,
                                       uint64_t max_bytes, const char *what, frost_dtype *dtype,
                                       frost__shape *shape, void **data, size_t *nbytes,
                                       frost_error *err) {
    *data = NULL;
    *nbytes = 0;
    if (!what || !*what) what = t->name && *t->name ? t->name : "tensor";
    if (t->has_data_location && t->data_location == 1)
        return frost__fail(err, FROST_E_UNSUPPORTED, what, NULL, -1,
                           "tensor '%s' keeps its data in an external file; frost reads only "
                           "self-contained .onnx files", what);
    frost_dtype dt = frost__onnx_dtype(t->data_type);
    if (dt == FROST_DTYPE_INVALID || dt == FROST_DTYPE_STRING)
        return frost__fail(err, FROST_E_UNSUPPORTED, what, NULL, -1,
                           "tensor '%s' has data_type %d, which frost cannot hold", what,
                           (int)t->data_type);
    if (t->n_dims > FROST_MAX_RANK)
        return frost__fail(err, FROST_E_LIMIT, what, NULL, -1,
                           "tensor '%s' has rank %zu; frost supports up to %d", what, t->n_dims,
                           FROST_MAX_RANK);
    frost__shape s = frost__shape_make((int)t->n_dims, t->dims);
    int64_t numel = 1;
    for (int i = 0; i < s.rank; i++) {
        if (s.d[i] < 0)
            return frost__fail(err, FROST_E_FORMAT, what, NULL, -1,
                               "tensor '%s' field dims[%d] is negative (%lld)", what, i,
                               (long long)s.d[i]);
        if (!frost__mul_ok(numel, s.d[i], &numel))
            return frost__fail(err, FROST_E_FORMAT, what, NULL, -1,
                               "tensor '%s' field dims overflows", what);
    }
    size_t bytes;
    if (!frost__tensor_bytes(dt, &s, &bytes))
        return frost__fail(err, FROST_E_LIMIT, what, NULL, -1, "tensor '%s' is too large", what);
    if (max_bytes && (uint64_t)bytes > max_bytes)
        return frost__fail(err, FROST_E_LIMIT, what, NULL, -1,
                           "tensor '%s' is %zu bytes, over the limit of %llu (max_tensor_bytes)",
                           what, bytes, (unsigned long long)max_bytes);
    size_t have;
    const char *field;
    if (t->has_raw_data && (t->raw_data.len > 0 || numel == 0)) {
        have = t->raw_data.len;
        field = "raw_data";
        if (have != bytes)
            return frost__fail(err, FROST_E_FORMAT, what, NULL, -1,
                               "tensor '%s' field raw_data holds %zu bytes but dims and data_type "
                               "need %zu", what, have, bytes);
    } else {
        switch (dt) {
        case FROST_DTYPE_F32: have = t->n_float_data; field = "float_data"; break;
        case FROST_DTYPE_F64: have = t->n_double_data; field = "double_data"; break;
        case FROST_DTYPE_I64: have = t->n_int64_data; field = "int64_data"; break;
        case FROST_DTYPE_U32:
        case FROST_DTYPE_U64: have = t->n_uint64_data; field = "uint64_data"; break;
        default: have = t->n_int32_data; field = "int32_data"; break;
        }
        if ((int64_t)have != numel)
            return frost__fail(err, FROST_E_FORMAT, what, NULL, -1,
                               "tensor '%s' field %s holds %zu values but dims need %lld", what,
                               field, have, (long long)numel);
    }
    void *buf = frost__alloc(a, bytes ? bytes : 1);
    if (!buf) return frost__fail(err, FROST_E_NOMEM, what, NULL, -1, "out of memory for '%s'", what);
    if (t->has_raw_data && (t->raw_data.len > 0 || numel == 0)) {
        if (bytes) memcpy(buf, t->raw_data.data, bytes);
    } else if (dt == FROST_DTYPE_F32) {
        if (bytes) memcpy(buf, t->float_data, bytes);
    } else if (dt == FROST_DTYPE_F64) {
        if (bytes) memcpy(buf, t->double_data, bytes);
    } else if (dt == FROST_DTYPE_I64) {
        if (bytes) memcpy(buf, t->int64_data, bytes);
    } else if (dt == FROST_DTYPE_U32 || dt == FROST_DTYPE_U64) {
        for (size_t i = 0; i < have; i++) store_int(dt, buf, i, (int64_t)t->uint64_data[i]);
    } else {
        for (size_t i = 0; i < have; i++) store_int(dt, buf, i, t->int32_data[i]);
    }
    *dtype = dt;
    *shape = s;
    *data = buf;
    *nbytes = bytes;
    return FROST_OK;
}

/* ---- Names ---------------------------------------------------------------------------------- */

static uint64_t hash_str(const char *s) {
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

onnx_name_slot *frost__onnx_slot(onnx_ctx *c, const char *name) {
    if (!name || !*name || !c->n_slots) return NULL;
    uint64_t mask = (uint64_t)c->n_slots - 1;
    for (uint64_t i = hash_str(name) & mask;; i = (i + 1) & mask) {
        onnx_name_slot *s = &c->slots[i];
        if (!s->key) return NULL;
        if (strcmp(s->key, name) == 0) return s;
    }
}

/* Declares a name; *fresh tells whether it was new. */
static onnx_name_slot *declare(onnx_ctx *c, const char *name, bool *fresh) {
    uint64_t mask = (uint64_t)c->n_slots - 1;
    for (uint64_t i = hash_str(name) & mask;; i = (i + 1) & mask) {
        onnx_name_slot *s = &c->slots[i];
        if (!s->key) {
            s->key = name;
            s->value = -1;
            *fresh = true;
            return s;
        }
        if (strcmp(s->key, name) == 0) {
            *fresh = false;
            return s;
        }
    }
}

/* ---- Graph inputs --------------------------------------------------------------------------- */

/* dtype and shape from a ValueInfoProto; rank -1 when the type carries no shape. */
static frost_status value_info_type(const FrostOnnx__ValueInfoProto *vi, const char *what,
                                    frost_dtype *dtype, frost__shape *shape, frost_error *err) {
    *dtype = FROST_DTYPE_INVALID;
    *shape = frost__shape_unknown();
    const FrostOnnx__TypeProto__Tensor *tt = vi->type ? vi->type->tensor_type : NULL;
    if (!tt) return FROST_OK;
    if (tt->has_elem_type) *dtype = frost__onnx_dtype(tt->elem_type);
    if (!tt->shape) return FROST_OK;
    if (tt->shape->n_dim > FROST_MAX_RANK)
        return frost__fail(err, FROST_E_LIMIT, vi->name, NULL, -1,
                           "%s '%s' has rank %zu; frost supports up to %d", what, vi->name,
                           tt->shape->n_dim, FROST_MAX_RANK);
    shape->rank = (int)tt->shape->n_dim;
    for (int i = 0; i < shape->rank; i++) {
        const FrostOnnx__TensorShapeProto__Dimension *d = tt->shape->dim[i];
        if (d->has_dim_value) {
            if (d->dim_value < 0)
                return frost__fail(err, FROST_E_FORMAT, vi->name, NULL, -1,
                                   "%s '%s' field shape.dim[%d].dim_value is negative (%lld)",
                                   what, vi->name, i, (long long)d->dim_value);
            shape->d[i] = d->dim_value;
        } else {
            shape->d[i] = -1; /* dim_param ("batch") or nothing: known only when fed */
        }
    }
    return FROST_OK;
}

static const FrostOnnx__ValueInfoProto *find_graph_input(const FrostOnnx__GraphProto *gp,
                                                         const char *name) {
    for (size_t i = 0; i < gp->n_input; i++)
        if (gp->input[i]->name && strcmp(gp->input[i]->name, name) == 0) return gp->input[i];
    return NULL;
}

static frost_status add_initializer(onnx_ctx *c, const FrostOnnx__GraphProto *gp,
                                    const FrostOnnx__TensorProto *t) {
    frost__graph *g = c->g;
    frost_dtype dt;
    frost__shape s;
    void *data;
    size_t nbytes;
    FROST_TRY(frost__onnx_decode_tensor(t, &g->alloc, g->max_tensor_bytes, t->name, &dt, &s, &data,
                                        &nbytes, c->err));
    onnx_name_slot *slot = frost__onnx_slot(c, t->name);
    const FrostOnnx__ValueInfoProto *vi = find_graph_input(gp, t->name);
    if (vi) {
        frost_dtype vdt;
        frost__shape vs;
        frost_status st = value_info_type(vi, "graph input", &vdt, &vs, c->err);
        if (st == FROST_OK && vdt != FROST_DTYPE_INVALID && vdt != dt)
            st = frost__fail(c->err, FROST_E_FORMAT, t->name, NULL, -1,
                             "graph input '%s' is declared %s but its initializer is %s", t->name,
                             frost_dtype_name(vdt), frost_dtype_name(dt));
        if (st == FROST_OK && !frost__import_shape_fits(&vs, &s)) {
            char a[96], b[96];
            st = frost__fail(c->err, FROST_E_FORMAT, t->name, NULL, -1,
                             "graph input '%s' is declared with shape %s but its initializer has "
                             "shape %s", t->name, frost__shape_str(&vs, a, sizeof a),
                             frost__shape_str(&s, b, sizeof b));
        }
        if (st != FROST_OK) {
            frost__free(&g->alloc, data);
            return st;
        }
    }
    int v;
    /* Since IR 4 an initializer listed as a graph input is only a default the caller may
     * override; before IR 4 every initializer had to be listed, so there they are weights. Unless
     * the caller asks to feed them, they are weights either way (frost_load_options). */
    if (vi && c->ir_version >= 4 && g->onnx_feedable_initializers) {
        v = frost__graph_add_input(g, t->name, dt, &s, c->err);
        if (v < 0) {
            frost__free(&g->alloc, data);
            return c->err ? c->err->code : FROST_E_FORMAT;
        }
        g->values[v].has_default = true;
        g->values[v].data = data;
        g->values[v].nbytes = nbytes;
    } else {
        v = frost__graph_add_const_owned(g, t->name, dt, &s, data, nbytes, c->err);
        if (v < 0) return c->err ? c->err->code : FROST_E_FORMAT;
    }
    slot->value = v;
    return FROST_OK;
}

static frost_status add_graph_input(onnx_ctx *c, const FrostOnnx__ValueInfoProto *vi) {
    onnx_name_slot *slot = frost__onnx_slot(c, vi->name);
    if (slot->value >= 0) return FROST_OK; /* an initializer: done */
    frost_dtype dt;
    frost__shape s;
    FROST_TRY(value_info_type(vi, "graph input", &dt, &s, c->err));
    if (dt == FROST_DTYPE_INVALID || dt == FROST_DTYPE_STRING)
        return frost__fail(c->err, FROST_E_UNSUPPORTED, vi->name, NULL, -1,
                           "graph input '%s' is not a tensor of a numeric type frost supports",
                           vi->name);
    int v = frost__graph_add_input(c->g, vi->name, dt, &s, c->err);
    if (v < 0) return c->err ? c->err->code : FROST_E_FORMAT;
    slot->value = v;
    return FROST_OK;
}

/* ---- Nodes of other domains ----------------------------------------------------------------- */

static frost_status add_foreign_node(onnx_ctx *c, const FrostOnnx__NodeProto *n) {
    char src[192];
    snprintf(src, sizeof src, "%s:%s", n->domain, n->op_type ? n->op_type : "?");
    int in[64];
    int n_in = 0;
    for (size_t i = 0; i < n->n_input && n_in < 64; i++) {
        onnx_name_slot *s = frost__onnx_slot(c, n->input[i]);
        if (s && s->value >= 0) in[n_in++] = s->value;
    }
    const char *name = NULL;
    for (size_t k = 0; k < n->n_output && !name; k++)
        if (n->output[k] && *n->output[k]) name = n->output[k];
    if (!name) return FROST_OK; /* every output left out: nothing to compute */
    int node = frost__graph_add_node(c->g, name, src, FROST__OP_UNSUPPORTED, n_in, in,
                                     (int)n->n_output, NULL, c->err);
    if (node < 0) return c->err ? c->err->code : FROST_E_FORMAT;
    c->n_unsupported++;
    for (size_t k = 0; k < n->n_output; k++) {
        onnx_name_slot *s = frost__onnx_slot(c, n->output[k]);
        if (!s) continue;
        s->value = c->g->nodes[node].out[k];
        if (k > 0) FROST_TRY(frost__graph_add_alias(c->g, n->output[k], s->value, c->err));
    }
    return FROST_OK;
}

/* ---- The model ------------------------------------------------------------------------------ */

static bool is_default_domain(const char *d) { return !d || !*d || strcmp(d, "ai.onnx") == 0; }

static frost_status check_node_shape(const FrostOnnx__NodeProto *n, size_t index) {
    (void)index;
    return n->op_type && *n->op_type && n->n_output > 0 ? FROST_OK : FROST_E_FORMAT;
}

/* ---- Subgraphs ------------------------------------------------------------------------------ */

/* A node's name for messages: its own, else its first named output. */
static const char *raw_label(const FrostOnnx__NodeProto *n) {
    if (n->name && *n->name) return n->name;
    for (size_t k = 0; k < n->n_output; k++)
        if (n->output[k] && *n->output[k]) return n->output[k];
    return n->op_type ? n->op_type : "?";
}

/* Deepest nesting of subgraphs frost reads (Silero VAD nests If four deep). */
#define MAX_SUBGRAPH_DEPTH 16

static int by_attr(const void *pa, const void *pb) {
    uintptr_t a = (uintptr_t)((const onnx_subgraph *)pa)->attr;
    uintptr_t b = (uintptr_t)((const onnx_subgraph *)pb)->attr;
    return a < b ? -1 : a > b;
}

const FrostOnnx__GraphProto *frost__onnx_subgraph(onnx_ctx *c, const FrostOnnx__AttributeProto *a) {
    if (!a || !a->has_g || !c->n_subgraphs) return NULL;
    onnx_subgraph key = {.attr = a, .g = NULL};
    const onnx_subgraph *hit = bsearch(&key, c->subgraphs, (size_t)c->n_subgraphs,
                                       sizeof *c->subgraphs, by_attr);
    return hit ? hit->g : NULL;
}

/* Unpacks every subgraph attribute under gp (depth: gp's own nesting), each as its own
 * non-recursive protobuf message. */
static frost_status unpack_subgraphs(onnx_ctx *c, const FrostOnnx__GraphProto *gp, int depth,
                                     ProtobufCAllocator *pa) {
    for (size_t i = 0; i < gp->n_node; i++) {
        const FrostOnnx__NodeProto *n = gp->node[i];
        for (size_t k = 0; k < n->n_attribute; k++) {
            const FrostOnnx__AttributeProto *a = n->attribute[k];
            if (!a->has_g) continue;
            const char *label = n->name && *n->name ? n->name : n->op_type ? n->op_type : "?";
            if (depth + 1 > MAX_SUBGRAPH_DEPTH)
                return frost__fail(c->err, FROST_E_LIMIT, label, n->op_type, -1,
                                   "node '%s' (%s): subgraphs nest deeper than %d levels", label,
                                   n->op_type ? n->op_type : "?", MAX_SUBGRAPH_DEPTH);
            FrostOnnx__GraphProto *sg = frost_onnx__graph_proto__unpack(pa, a->g.len, a->g.data);
            if (!sg)
                return frost__fail(c->err, FROST_E_FORMAT, label, n->op_type, -1,
                                   "node '%s' (%s): attribute '%s' is not a valid GraphProto", label,
                                   n->op_type ? n->op_type : "?", a->name ? a->name : "?");
            if (c->n_subgraphs == c->cap_subgraphs) {
                int cap = c->cap_subgraphs ? 2 * c->cap_subgraphs : 16;
                onnx_subgraph *grown = frost__alloc(&c->g->alloc, (size_t)cap * sizeof *grown);
                if (!grown) {
                    frost_onnx__graph_proto__free_unpacked(sg, pa);
                    return frost__fail(c->err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
                }
                if (c->n_subgraphs) memcpy(grown, c->subgraphs, (size_t)c->n_subgraphs * sizeof *grown);
                frost__free(&c->g->alloc, c->subgraphs);
                c->subgraphs = grown;
                c->cap_subgraphs = cap;
            }
            c->subgraphs[c->n_subgraphs].attr = a;
            c->subgraphs[c->n_subgraphs++].g = sg;
            FROST_TRY(unpack_subgraphs(c, sg, depth + 1, pa));
        }
    }
    return FROST_OK;
}

/* Checks every node of gp and its subgraphs (op_type, outputs, attribute list lengths) and adds
 * the names they declare to *total. */
static frost_status check_graph(onnx_ctx *c, const FrostOnnx__GraphProto *gp, size_t *total) {
    frost__graph *g = c->g;
    *total += gp->n_input + gp->n_initializer + gp->n_output;
    for (size_t i = 0; i < gp->n_node; i++) {
        const FrostOnnx__NodeProto *n = gp->node[i];
        if (check_node_shape(n, i) != FROST_OK)
            return frost__fail(c->err, FROST_E_FORMAT, n->name, n->op_type, -1,
                               "node %zu ('%s') has no op_type or no outputs", i,
                               n->name ? n->name : "");
        /* Attribute lists (max_attr_len), checked before any op copies one. */
        int64_t max_list = g->max_attr_len > 0 ? g->max_attr_len : 1000000;
        for (size_t k = 0; k < n->n_attribute; k++) {
            const FrostOnnx__AttributeProto *a = n->attribute[k];
            size_t len = FROST_MAX(FROST_MAX(a->n_ints, a->n_floats), a->n_strings);
            if (len > (uint64_t)max_list)
                return frost__fail(c->err, FROST_E_LIMIT, n->name, n->op_type, -1,
                                   "node '%s' (%s): attribute '%s' lists %zu entries, over the "
                                   "limit of %lld (max_attr_len)", n->name ? n->name : "",
                                   n->op_type, a->name ? a->name : "?", len, (long long)max_list);
            const FrostOnnx__GraphProto *sg = frost__onnx_subgraph(c, a);
            if (sg) FROST_TRY(check_graph(c, sg, total));
        }
        *total += n->n_output + n->n_input;
    }
    return FROST_OK;
}

/* Declares the names of gp's subgraphs (recursively). Sibling branches may reuse a name: each is
 * its own scope, and frost__onnx_import_branch binds and unbinds a branch's names. */
static frost_status declare_subgraph_names(onnx_ctx *c, const FrostOnnx__GraphProto *gp) {
    bool fresh;
    for (size_t i = 0; i < gp->n_node; i++) {
        const FrostOnnx__NodeProto *n = gp->node[i];
        for (size_t k = 0; k < n->n_attribute; k++) {
            const FrostOnnx__GraphProto *sg = frost__onnx_subgraph(c, n->attribute[k]);
            if (!sg) continue;
            for (size_t j = 0; j < sg->n_initializer; j++) {
                const char *nm = sg->initializer[j]->name;
                if (!nm || !*nm)
                    return frost__fail(c->err, FROST_E_FORMAT, NULL, NULL, -1,
                                       "an initializer of node '%s' (%s)'s subgraph has no name",
                                       raw_label(n), n->op_type);
                declare(c, nm, &fresh);
            }
            for (size_t j = 0; j < sg->n_input; j++)
                if (sg->input[j]->name && *sg->input[j]->name) declare(c, sg->input[j]->name, &fresh);
            for (size_t j = 0; j < sg->n_node; j++)
                for (size_t o = 0; o < sg->node[j]->n_output; o++)
                    if (sg->node[j]->output[o] && *sg->node[j]->output[o])
                        declare(c, sg->node[j]->output[o], &fresh);
            FROST_TRY(declare_subgraph_names(c, sg));
        }
    }
    return FROST_OK;
}

/* Counts the uses of every name by gp's nodes and outputs, subgraphs included. */
static void count_uses(onnx_ctx *c, const FrostOnnx__GraphProto *gp) {
    for (size_t i = 0; i < gp->n_node; i++) {
        const FrostOnnx__NodeProto *n = gp->node[i];
        for (size_t k = 0; k < n->n_input; k++) {
            onnx_name_slot *s = frost__onnx_slot(c, n->input[k]);
            if (s) s->uses++;
        }
        for (size_t k = 0; k < n->n_attribute; k++) {
            const FrostOnnx__GraphProto *sg = frost__onnx_subgraph(c, n->attribute[k]);
            if (sg) count_uses(c, sg);
        }
    }
    for (size_t i = 0; i < gp->n_output; i++) {
        onnx_name_slot *s = frost__onnx_slot(c, gp->output[i]->name);
        if (s) s->uses++;
    }
}

/* Translates gp's nodes in order, after checking that each input is bound by now. */
static frost_status translate_nodes(onnx_ctx *c, const FrostOnnx__GraphProto *gp) {
    for (size_t i = 0; i < gp->n_node; i++) {
        const FrostOnnx__NodeProto *n = gp->node[i];
        for (size_t k = 0; k < n->n_input; k++) {
            const char *nm = n->input[k];
            if (!nm || !*nm) continue;
            onnx_name_slot *s = frost__onnx_slot(c, nm);
            if (!s || s->value < 0)
                return frost__fail(c->err, FROST_E_FORMAT, n->name, n->op_type, -1,
                                   "node '%s' (%s) input %zu '%s' is %s",
                                   n->name && *n->name ? n->name : "", n->op_type, k, nm,
                                   s ? "produced only by a later node (the graph is not "
                                       "topologically sorted, or has a cycle), or by a subgraph "
                                       "this node cannot see"
                                     : "not a graph input, an initializer or any node's output");
        }
        bool any_output = false;
        for (size_t k = 0; k < n->n_output; k++) any_output = any_output || (n->output[k] && *n->output[k]);
        if (!any_output) continue;
        if (is_default_domain(n->domain))
            FROST_TRY(frost__onnx_translate_node(c, n));
        else
            FROST_TRY(add_foreign_node(c, n));
    }
    return FROST_OK;
}

frost_status frost__onnx_import_branch(onnx_ctx *c, const FrostOnnx__NodeProto *owner,
                                       const FrostOnnx__GraphProto *b, const char *which,
                                       const int *ins, size_t n_ins, int *outs) {
    frost__graph *g = c->g;
    const char *label = owner->name && *owner->name ? owner->name : raw_label(owner);
    if (b->n_input != n_ins)
        return frost__fail(c->err, FROST_E_FORMAT, label, owner->op_type, -1,
                           "node '%s' (%s): its %s has %zu inputs; it takes %zu", label,
                           owner->op_type, which, b->n_input, n_ins);
    if (b->n_sparse_initializer)
        return frost__fail(c->err, FROST_E_UNSUPPORTED, label, owner->op_type, -1,
                           "node '%s' (%s): its %s has sparse initializers; frost supports dense "
                           "ones only", label, owner->op_type, which);
    /* The names this branch binds, with what they were bound to outside it. */
    size_t n_names = b->n_initializer + b->n_input;
    for (size_t i = 0; i < b->n_node; i++) n_names += b->node[i]->n_output;
    onnx_name_slot **slot = frost__calloc(&g->alloc, n_names ? n_names : 1, sizeof *slot);
    int *saved = frost__calloc(&g->alloc, n_names ? n_names : 1, sizeof *saved);
    frost_status st = FROST_OK;
    if (!slot || !saved) st = frost__fail(c->err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
    size_t at = 0;
    for (size_t i = 0; st == FROST_OK && i < b->n_input; i++) {
        /* A Loop body's inputs: the values this iteration starts from. */
        onnx_name_slot *s = frost__onnx_slot(c, b->input[i]->name);
        if (!s) {
            st = frost__fail(c->err, FROST_E_FORMAT, label, owner->op_type, -1,
                             "node '%s' (%s): input %zu of its %s has no name", label,
                             owner->op_type, i, which);
            break;
        }
        slot[at] = s;
        saved[at++] = s->value;
        s->value = ins[i];
    }
    for (size_t i = 0; st == FROST_OK && i < b->n_initializer; i++) {
        onnx_name_slot *s = frost__onnx_slot(c, b->initializer[i]->name);
        if (!s) continue;
        slot[at] = s;
        saved[at++] = s->value;
    }
    for (size_t i = 0; st == FROST_OK && i < b->n_node; i++)
        for (size_t k = 0; k < b->node[i]->n_output; k++) {
            onnx_name_slot *s = frost__onnx_slot(c, b->node[i]->output[k]);
            if (!s) continue;
            slot[at] = s;
            saved[at++] = s->value;
            s->value = -1; /* not produced yet in this scope */
        }
    /* Initializers: weights of the branch. */
    for (size_t i = 0; st == FROST_OK && i < b->n_initializer; i++) {
        const FrostOnnx__TensorProto *t = b->initializer[i];
        onnx_name_slot *s = frost__onnx_slot(c, t->name);
        frost_dtype dt;
        frost__shape sh;
        void *data;
        size_t nbytes;
        st = frost__onnx_decode_tensor(t, &g->alloc, g->max_tensor_bytes, t->name, &dt, &sh, &data,
                                       &nbytes, c->err);
        if (st != FROST_OK) break;
        char nm[512];
        snprintf(nm, sizeof nm, "%s", t->name);
        for (int k = 2; frost__graph_lookup(g, nm) >= 0; k++)
            snprintf(nm, sizeof nm, "%s_%d", t->name, k);
        int v = frost__graph_add_const_owned(g, nm, dt, &sh, data, nbytes, c->err);
        if (v < 0) {
            st = (c->err && c->err->code != FROST_OK ? c->err->code : FROST_E_INTERNAL);
            break;
        }
        if (s) s->value = v;
    }
    if (st == FROST_OK) st = translate_nodes(c, b);
    for (size_t i = 0; st == FROST_OK && i < b->n_output; i++) {
        const char *nm = b->output[i]->name;
        onnx_name_slot *s = frost__onnx_slot(c, nm);
        if (!s || s->value < 0)
            st = frost__fail(c->err, FROST_E_FORMAT, label, owner->op_type, -1,
                             "node '%s' (%s): output %zu '%s' of its %s is produced by no node, "
                             "initializer or outer name", label, owner->op_type, i, nm ? nm : "",
                             which);
        else
            outs[i] = s->value;
    }
    /* Outside the branch its names mean what they meant before (in reverse, for names bound
     * twice). */
    for (size_t j = at; j-- > 0;) slot[j]->value = saved[j];
    frost__free(&g->alloc, slot);
    frost__free(&g->alloc, saved);
    return st;
}

/* ---- The graph ------------------------------------------------------------------------------ */

static frost_status import_graph(onnx_ctx *c, const FrostOnnx__GraphProto *gp) {
    frost__graph *g = c->g;
    /* Every name the model declares, so generated names never collide with a later one. */
    size_t total = 0;
    FROST_TRY(check_graph(c, gp, &total));
    if (total > (size_t)1 << 26)
        return frost__fail(c->err, FROST_E_LIMIT, NULL, NULL, -1, "the graph declares %zu names",
                           total);
    int cap = 16;
    while ((size_t)cap < 2 * total + 2) cap *= 2;
    c->slots = frost__calloc(&g->alloc, (size_t)cap, sizeof *c->slots);
    if (!c->slots) return frost__fail(c->err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
    c->n_slots = cap;
    bool fresh;
    for (size_t i = 0; i < gp->n_initializer; i++) {
        const char *nm = gp->initializer[i]->name;
        if (!nm || !*nm)
            return frost__fail(c->err, FROST_E_FORMAT, NULL, NULL, -1,
                               "initializer %zu has no name", i);
        declare(c, nm, &fresh);
        if (!fresh)
            return frost__fail(c->err, FROST_E_FORMAT, nm, NULL, -1,
                               "two initializers are named '%s'", nm);
    }
    for (size_t i = 0; i < gp->n_input; i++) {
        const char *nm = gp->input[i]->name;
        if (!nm || !*nm)
            return frost__fail(c->err, FROST_E_FORMAT, NULL, NULL, -1,
                               "graph input %zu has no name", i);
        declare(c, nm, &fresh);
    }
    for (size_t i = 0; i < gp->n_node; i++) {
        const FrostOnnx__NodeProto *n = gp->node[i];
        for (size_t k = 0; k < n->n_output; k++) {
            const char *nm = n->output[k];
            if (!nm || !*nm) continue; /* an optional output left out */
            onnx_name_slot *s = declare(c, nm, &fresh);
            if (!fresh)
                return frost__fail(c->err, FROST_E_FORMAT, n->name, n->op_type, -1,
                                   "node '%s' (%s) output %zu '%s' is already produced by a graph "
                                   "input, an initializer or another node", n->name ? n->name : "",
                                   n->op_type, k, nm);
            (void)s;
        }
    }
    FROST_TRY(declare_subgraph_names(c, gp));
    count_uses(c, gp);

    if (gp->n_sparse_initializer)
        return frost__fail(c->err, FROST_E_UNSUPPORTED, NULL, NULL, -1,
                           "the graph has %zu sparse initializers; frost supports dense ones only",
                           gp->n_sparse_initializer);
    for (size_t i = 0; i < gp->n_initializer; i++)
        FROST_TRY(add_initializer(c, gp, gp->initializer[i]));
    for (size_t i = 0; i < gp->n_input; i++) FROST_TRY(add_graph_input(c, gp->input[i]));

    FROST_TRY(translate_nodes(c, gp));

    /* value_info and output types fill in what the exporter knew about intermediate tensors. */
    for (int pass = 0; pass < 2; pass++) {
        size_t cnt = pass ? gp->n_output : gp->n_value_info;
        FrostOnnx__ValueInfoProto **vis = pass ? gp->output : gp->value_info;
        for (size_t i = 0; i < cnt; i++) {
            onnx_name_slot *s = frost__onnx_slot(c, vis[i]->name);
            if (!s || s->value < 0) continue;
            frost__value *v = &g->values[s->value];
            frost_dtype dt;
            frost__shape sh;
            if (v->kind != FROST__VAL_NODE) {
                /* What the file says about an initializer must agree with the initializer. */
                if (v->kind != FROST__VAL_CONST && !v->has_default) continue;
                FROST_TRY(value_info_type(vis[i], pass ? "graph output" : "value_info", &dt, &sh,
                                          c->err));
                bool same = (dt == FROST_DTYPE_INVALID || dt == v->dtype) &&
                            frost__import_shape_fits(&sh, &v->shape);
                if (!same) {
                    char a[96], b[96];
                    return frost__fail(c->err, FROST_E_FORMAT, vis[i]->name, NULL, -1,
                                       "%s '%s' says %s %s but the initializer is %s %s",
                                       pass ? "graph output" : "value_info", vis[i]->name,
                                       frost_dtype_name(dt), frost__shape_str(&sh, a, sizeof a),
                                       frost_dtype_name(v->dtype),
                                       frost__shape_str(&v->shape, b, sizeof b));
                }
                continue;
            }
            if (value_info_type(vis[i], "value_info", &dt, &sh, NULL) != FROST_OK) continue;
            if (v->dtype == FROST_DTYPE_INVALID) v->dtype = dt;
            if (v->shape.rank < 0) v->shape = sh;
        }
    }

    for (size_t i = 0; i < gp->n_output; i++) {
        const char *nm = gp->output[i]->name;
        onnx_name_slot *s = frost__onnx_slot(c, nm);
        if (!s || s->value < 0)
            return frost__fail(c->err, FROST_E_FORMAT, nm, NULL, -1,
                               "graph output %zu '%s' is produced by no node, initializer or input",
                               i, nm ? nm : "");
        FROST_TRY(frost__graph_add_output(g, s->value, c->err));
    }
    if (c->n_unsupported)
        frost__graph_report(g, "onnx: %d node(s) use ops or attributes frost does not support",
                            c->n_unsupported);
    return FROST_OK;
}

frost_status frost__import_onnx(const void *data, size_t size, frost__graph *g, frost_error *err) {
    if (!data || !g) return frost__fail(err, FROST_E_INVALID_ARG, NULL, NULL, -1, "no model bytes");
    ProtobufCAllocator pa;
    frost__onnx_pb_allocator(&pa, &g->alloc);
    FrostOnnx__ModelProto *m = frost_onnx__model_proto__unpack(&pa, size, data);
    if (!m)
        return frost__fail(err, FROST_E_FORMAT, NULL, NULL, -1,
                           "not a valid ONNX model: the %zu bytes do not parse as a ModelProto "
                           "(truncated or corrupted file?)", size);
    frost_error local_err;
    if (!err) err = &local_err; /* the translators read the failure code back from err */
    frost__clear_error(err);
    onnx_ctx c;
    memset(&c, 0, sizeof c);
    c.g = g;
    c.err = err;
    c.perm_to_nhwc = c.perm_to_nchw = -1;
    c.ir_version = m->has_ir_version ? (int)FROST_MIN(m->ir_version, 1 << 20) : 0;
    c.opset = -1;
    frost_status st = FROST_OK;
    for (size_t i = 0; i < m->n_opset_import; i++) {
        const FrostOnnx__OperatorSetIdProto *o = m->opset_import[i];
        if (is_default_domain(o->domain) && o->has_version)
            c.opset = (int)FROST_MAX(0, FROST_MIN(o->version, 1000));
    }
    if (c.opset < 0) c.opset = 1; /* before IR 3 models had no opset_import: opset 1 */
    g->format = FROST_FORMAT_ONNX;
    if (!m->graph) {
        st = frost__fail(err, FROST_E_FORMAT, NULL, NULL, -1, "the ONNX model has no graph");
    } else {
        frost__graph_report(g, "onnx: ir_version %d, opset %d, producer '%s %s'", c.ir_version,
                            c.opset, m->producer_name ? m->producer_name : "",
                            m->producer_version ? m->producer_version : "");
        st = unpack_subgraphs(&c, m->graph, 0, &pa);
        if (st == FROST_OK && c.n_subgraphs)
            qsort(c.subgraphs, (size_t)c.n_subgraphs, sizeof *c.subgraphs, by_attr);
        if (st == FROST_OK) st = import_graph(&c, m->graph);
    }
    for (int i = 0; i < c.n_subgraphs; i++)
        frost_onnx__graph_proto__free_unpacked(c.subgraphs[i].g, &pa);
    frost__free(&g->alloc, c.subgraphs);
    frost__free(&g->alloc, c.slots);
    frost_onnx__model_proto__free_unpacked(m, &pa);
    return st;
}
