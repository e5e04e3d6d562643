/* tf_import.c — frozen TensorFlow GraphDef (.pb) -> frost__graph.
 *
 * Steps: unpack the protobuf with protobuf-c (every allocation through the graph's allocator);
 * then, for a GraphDef from either encoding (the TF.js JSON loader hands its own structs to
 * frost__tf_import_graph_def), index node names, resolve each input ("node", "node:k", "^node"
 * control inputs, which carry no data and are dropped), sort the nodes topologically (GraphDef order is arbitrary), then add
 * constants, placeholders and nodes to the graph in that order; tf_ops.c translates the ops.
 *
 * Never trusts the file: every count, length, port and shape is checked before use, sizes are
 * overflow-checked and bounded by g->max_tensor_bytes, and bad input gives FROST_E_FORMAT (or
 * FROST_E_LIMIT) naming the node, never a crash. Unknown ops never fail the import: they become
 * UNSUPPORTED nodes so the passes can prune the dead ones and report the rest together. Does not
 * choose graph outputs (the loader does). */
#include "import/import.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include "import/import_util.h"
#include "import/tf/tf_internal.h"
#include "import/tf/tf_names.h"

/* ==== protobuf-c allocation through the graph's allocator ==================================== */

/* 64-byte alignment for big blocks lets a constant keep the buffer protobuf-c unpacked its bytes
 * into (graph constants must be 64-byte aligned), saving a copy of every weight. */
typedef struct pb_heap {
    const frost_allocator *a;
    bool failed;   /* protobuf-c returns NULL for OOM and for bad data alike: tell them apart */
} pb_heap;

static void *pb_alloc(void *user, size_t size) {
    pb_heap *h = user;
    void *p = h->a->alloc(h->a->user, size ? size : 1, size >= 256 ? 64 : 16);
    if (!p) h->failed = true;
    return p;
}

static void pb_free(void *user, void *p) {
    pb_heap *h = user;
    if (p) h->a->free(h->a->user, p);
}

/* ==== Wire-level diagnosis (only after protobuf-c refused the file) =========================== */

/* Reads a varint at *pos (< end). False when it runs past `end` or over 10 bytes. */
static bool read_varint(const uint8_t *buf, size_t end, size_t *pos, uint64_t *out) {
    uint64_t v = 0;
    for (int shift = 0; shift < 70; shift += 7) {
        if (*pos >= end) return false;
        uint8_t b = buf[(*pos)++];
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *out = v;
            return true;
        }
    }
    return false;
}

/* Walks the fields of the message in buf[start, end). Returns true when the fields tile it
 * exactly; otherwise *bad_at is the offset of the field that breaks, *why says how and
 * *bad_field is its field number (0 if unreadable). */
static bool walk_fields(const uint8_t *buf, size_t start, size_t end, size_t *bad_at,
                        const char **why, uint32_t *bad_field) {
    size_t pos = start;
    while (pos < end) {
        size_t field_at = pos;
        uint64_t key, len;
        if (!read_varint(buf, end, &pos, &key)) {
            *bad_at = field_at;
            *why = "a field tag runs past the end";
            *bad_field = 0;
            return false;
        }
        uint32_t field = (uint32_t)(key >> 3);
        *bad_field = field;
        switch (key & 7) {
        case 0:
            if (!read_varint(buf, end, &pos, &len)) {
                *bad_at = field_at;
                *why = "a varint runs past the end";
                return false;
            }
            break;
        case 1:
            if (end - pos < 8) {
                *bad_at = field_at;
                *why = "a 64-bit value runs past the end";
                return false;
            }
            pos += 8;
            break;
        case 5:
            if (end - pos < 4) {
                *bad_at = field_at;
                *why = "a 32-bit value runs past the end";
                return false;
            }
            pos += 4;
            break;
        case 2:
            if (!read_varint(buf, end, &pos, &len) || len > end - pos) {
                *bad_at = field_at;
                *why = "a length-delimited field runs past the end";
                return false;
            }
            pos += (size_t)len;
            break;
        default:
            *bad_at = field_at;
            *why = "an invalid wire type (not protobuf data)";
            return false;
        }
        if (field == 0) {
            *bad_at = field_at;
            *why = "field number 0 (not protobuf data)";
            return false;
        }
    }
    return true;
}

/* The name (field 1) of the NodeDef record in buf[start, end) into out, "" if unreadable: it names
 * the node in messages about a record that protobuf-c refused as a whole. */
static void record_name(const uint8_t *buf, size_t start, size_t end, char *out, size_t cap) {
    size_t pos = start;
    out[0] = 0;
    while (pos < end) {
        uint64_t key, len;
        if (!read_varint(buf, end, &pos, &key)) return;
        unsigned wt = key & 7;
        if (wt == 0) {
            if (!read_varint(buf, end, &pos, &len)) return;
        } else if (wt == 1 || wt == 5) {
            size_t skip = wt == 1 ? 8 : 4;
            if (end - pos < skip) return;
            pos += skip;
        } else if (wt == 2) {
            if (!read_varint(buf, end, &pos, &len) || len > end - pos) return;
            if ((key >> 3) == 1) {
                size_t n = (size_t)len < cap - 1 ? (size_t)len : cap - 1;
                for (size_t i = 0; i < n; i++) {
                    uint8_t ch = buf[pos + i];
                    out[i] = (char)(ch >= 0x20 && ch < 0x7f ? ch : '?');
                }
                out[n] = 0;
                return;
            }
            pos += (size_t)len;
        } else {
            return;
        }
    }
}

/* Explains why protobuf-c refused the file: where the top-level structure breaks, or which node
 * record does not unpack on its own. */
static frost_status diagnose(const uint8_t *buf, size_t size, ProtobufCAllocator *pa,
                             frost_error *err) {
    size_t bad_at = 0;
    const char *why = "";
    uint32_t field = 0;
    if (!walk_fields(buf, 0, size, &bad_at, &why, &field))
        return frost__fail(err, FROST_E_FORMAT, NULL, NULL, (int64_t)bad_at,
                           "not a valid TensorFlow GraphDef (file of %zu bytes, truncated or "
                           "corrupt): at byte %zu, %s",
                           size, bad_at, why);
    /* The top level tiles: find the first node record that does not unpack. */
    size_t pos = 0;
    int node_index = 0;
    while (pos < size) {
        size_t field_at = pos;
        uint64_t key = 0, len = 0;
        read_varint(buf, size, &pos, &key); /* cannot fail: walk_fields checked the whole file */
        unsigned wt = key & 7;
        if (wt == 0) read_varint(buf, size, &pos, &len);
        else if (wt == 1) pos += 8;
        else if (wt == 5) pos += 4;
        else {
            read_varint(buf, size, &pos, &len);
            if ((key >> 3) == 1) {
                FrostTf__NodeDef *nd = frost_tf__node_def__unpack(pa, (size_t)len, buf + pos);
                if (!nd) {
                    char name[128];
                    record_name(buf, pos, pos + (size_t)len, name, sizeof name);
                    return frost__fail(err, FROST_E_FORMAT, name[0] ? name : NULL, NULL,
                                       (int64_t)field_at,
                                       "not a valid TensorFlow GraphDef (file of %zu bytes): node "
                                       "record #%d%s%s%s at byte %zu is malformed",
                                       size, node_index, name[0] ? " ('" : "", name,
                                       name[0] ? "')" : "", field_at);
                }
                frost_tf__node_def__free_unpacked(nd, pa);
                node_index++;
            }
            pos += (size_t)len;
        }
        if ((key >> 3) == 1 && wt != 2)
            return frost__fail(err, FROST_E_FORMAT, NULL, NULL, (int64_t)field_at,
                               "not a valid TensorFlow GraphDef (file of %zu bytes): field 1 at "
                               "byte %zu has the wrong wire type for a node",
                               size, field_at);
    }
    return frost__fail(err, FROST_E_FORMAT, NULL, NULL, -1,
                       "not a valid TensorFlow GraphDef (file of %zu bytes): protobuf unpacking "
                       "failed (a field has the wrong type or a bad length)",
                       size);
}

/* ==== Small pieces =========================================================================== */

const FrostTf__AttrValue *frost__tf_attr(const FrostTf__NodeDef *nd, const char *key) {
    for (size_t i = 0; i < nd->n_attr; i++) {
        const FrostTf__NodeDef__AttrEntry *e = nd->attr[i];
        if (e && e->key && e->value && strcmp(e->key, key) == 0) return e->value;
    }
    return NULL;
}

frost_dtype frost__tf_dtype(int t) {
    if (t > 100 && t < 200) t -= 100; /* reference types */
    switch (t) {
    case FROST_TF__DATA_TYPE__DT_FLOAT: return FROST_DTYPE_F32;
    case FROST_TF__DATA_TYPE__DT_DOUBLE: return FROST_DTYPE_F64;
    case FROST_TF__DATA_TYPE__DT_INT32: return FROST_DTYPE_I32;
    case FROST_TF__DATA_TYPE__DT_UINT8: return FROST_DTYPE_U8;
    case FROST_TF__DATA_TYPE__DT_INT16: return FROST_DTYPE_I16;
    case FROST_TF__DATA_TYPE__DT_INT8: return FROST_DTYPE_I8;
    case FROST_TF__DATA_TYPE__DT_STRING: return FROST_DTYPE_STRING;
    case FROST_TF__DATA_TYPE__DT_INT64: return FROST_DTYPE_I64;
    case FROST_TF__DATA_TYPE__DT_BOOL: return FROST_DTYPE_BOOL;
    case FROST_TF__DATA_TYPE__DT_BFLOAT16: return FROST_DTYPE_BF16;
    case FROST_TF__DATA_TYPE__DT_UINT16: return FROST_DTYPE_U16;
    case FROST_TF__DATA_TYPE__DT_HALF: return FROST_DTYPE_F16;
    case FROST_TF__DATA_TYPE__DT_UINT32: return FROST_DTYPE_U32;
    case FROST_TF__DATA_TYPE__DT_UINT64: return FROST_DTYPE_U64;
    default: return FROST_DTYPE_INVALID;
    }
}

const char *frost__tf_dtype_name(int t) {
    if (t > 100 && t < 200) t -= 100;
    const ProtobufCEnumValue *v =
        protobuf_c_enum_descriptor_get_value(&frost_tf__data_type__descriptor, t);
    return v ? v->name : "DT_<unknown>";
}

static frost_status oom(frost_error *err, const char *node) {
    return frost__fail(err, FROST_E_NOMEM, node, NULL, -1,
                       "out of memory while importing the GraphDef%s%s", node ? " at node " : "",
                       node ? node : "");
}

/* A TensorShapeProto -> frost shape. `allow_unknown`: -1 dims and unknown_rank are fine
 * (placeholders); otherwise every dim must be >= 0 (constants). */
static frost_status read_shape(const FrostTf__TensorShapeProto *sp, bool allow_unknown,
                               const FrostTf__NodeDef *nd, frost__shape *out, frost_error *err) {
    if (!sp) {
        *out = allow_unknown ? frost__shape_unknown() : frost__shape_make(0, NULL);
        return FROST_OK;
    }
    if (sp->unknown_rank) {
        if (!allow_unknown)
            return frost__fail(err, FROST_E_FORMAT, nd->name, nd->op, -1,
                               "node '%s' (%s): a constant has an unknown rank", nd->name, nd->op);
        *out = frost__shape_unknown();
        return FROST_OK;
    }
    if (sp->n_dim > FROST_MAX_RANK)
        return frost__fail(err, FROST_E_LIMIT, nd->name, nd->op, -1,
                           "node '%s' (%s): rank %zu is over frost's limit of %d", nd->name, nd->op,
                           sp->n_dim, FROST_MAX_RANK);
    frost__shape s = frost__shape_make(0, NULL);
    s.rank = (int)sp->n_dim;
    for (size_t i = 0; i < sp->n_dim; i++) {
        int64_t d = sp->dim[i] ? sp->dim[i]->size : 0;
        if (d < -1 || (d < 0 && !allow_unknown))
            return frost__fail(err, FROST_E_FORMAT, nd->name, nd->op, -1,
                               "node '%s' (%s): dimension %zu is %lld", nd->name, nd->op, i,
                               (long long)d);
        s.d[i] = d < 0 ? -1 : d;
    }
    *out = s;
    return FROST_OK;
}

/* ==== Tensor decoding ======================================================================== */

static bool host_is_little_endian(void) {
    const uint16_t one = 1;
    uint8_t b;
    memcpy(&b, &one, 1);
    return b == 1;
}

static void swap_bytes(uint8_t *p, size_t n, size_t elem) {
    for (size_t i = 0; i + elem <= n; i += elem)
        for (size_t a = 0, b = elem - 1; a < b; a++, b--) {
            uint8_t t = p[i + a];
            p[i + a] = p[i + b];
            p[i + b] = t;
        }
}

/* Stores value k of a typed list into element i of `out`. */
static void store_elem(frost_dtype dt, const FrostTf__TensorProto *tp, size_t k, void *out,
                       size_t i) {
    switch (dt) {
    case FROST_DTYPE_F32: ((float *)out)[i] = tp->float_val[k]; break;
    case FROST_DTYPE_F64: ((double *)out)[i] = tp->double_val[k]; break;
    case FROST_DTYPE_I32: ((int32_t *)out)[i] = tp->int_val[k]; break;
    case FROST_DTYPE_I16: ((int16_t *)out)[i] = (int16_t)tp->int_val[k]; break;
    case FROST_DTYPE_I8: ((int8_t *)out)[i] = (int8_t)tp->int_val[k]; break;
    case FROST_DTYPE_U8: ((uint8_t *)out)[i] = (uint8_t)tp->int_val[k]; break;
    case FROST_DTYPE_U16: ((uint16_t *)out)[i] = (uint16_t)tp->int_val[k]; break;
    case FROST_DTYPE_I64: ((int64_t *)out)[i] = tp->int64_val[k]; break;
    case FROST_DTYPE_U32: ((uint32_t *)out)[i] = tp->uint32_val[k]; break;
    case FROST_DTYPE_U64: ((uint64_t *)out)[i] = tp->uint64_val[k]; break;
    case FROST_DTYPE_F16:
    case FROST_DTYPE_BF16: ((uint16_t *)out)[i] = (uint16_t)tp->half_val[k]; break;
    case FROST_DTYPE_BOOL:
        ((uint8_t *)out)[i] =
            (uint8_t)(tp->n_bool_val ? tp->bool_val[k] != 0 : tp->int_val[k] != 0);
        break;
    default: break;
    }
}

/* How many typed values the proto holds for dt. */
static size_t typed_count(frost_dtype dt, const FrostTf__TensorProto *tp) {
    switch (dt) {
    case FROST_DTYPE_F32: return tp->n_float_val;
    case FROST_DTYPE_F64: return tp->n_double_val;
    case FROST_DTYPE_I32: case FROST_DTYPE_I16: case FROST_DTYPE_I8: case FROST_DTYPE_U8:
    case FROST_DTYPE_U16: return tp->n_int_val;
    case FROST_DTYPE_I64: return tp->n_int64_val;
    case FROST_DTYPE_U32: return tp->n_uint32_val;
    case FROST_DTYPE_U64: return tp->n_uint64_val;
    case FROST_DTYPE_F16: case FROST_DTYPE_BF16: return tp->n_half_val;
    case FROST_DTYPE_BOOL: return tp->n_bool_val ? tp->n_bool_val : tp->n_int_val;
    default: return 0;
    }
}

typedef struct decoded_tensor {
    frost_dtype dtype;
    frost__shape shape;
    void *data;     /* frost__alloc'd from the graph's allocator, 64-byte aligned */
    size_t nbytes;
} decoded_tensor;

/* Decodes a TensorProto fully. Unsupported dtypes give FROST_E_UNSUPPORTED with *tf_dtype set, so
 * the caller can turn the node into an UNSUPPORTED one instead of failing. May steal
 * tp->tensor_content's buffer. */
static frost_status decode_tensor(frost__graph *g, const FrostTf__NodeDef *nd,
                                  FrostTf__TensorProto *tp, decoded_tensor *out, frost_error *err) {
    memset(out, 0, sizeof *out);
    frost_dtype dt = frost__tf_dtype((int)tp->dtype);
    if (dt == FROST_DTYPE_INVALID || dt == FROST_DTYPE_STRING)
        return FROST_E_UNSUPPORTED;
    FROST_TRY(read_shape(tp->tensor_shape, false, nd, &out->shape, err));
    int64_t numel;
    size_t nbytes;
    char sb[128];
    if (!frost__shape_numel_ok(&out->shape, &numel) ||
        !frost__tensor_bytes(dt, &out->shape, &nbytes))
        return frost__fail(err, FROST_E_LIMIT, nd->name, nd->op, -1,
                           "node '%s' (%s): tensor shape %s of %s overflows", nd->name, nd->op,
                           frost__shape_str(&out->shape, sb, sizeof sb), frost_dtype_name(dt));
    uint64_t limit = g->max_tensor_bytes ? g->max_tensor_bytes : (uint64_t)1 << 30;
    if ((uint64_t)nbytes > limit)
        return frost__fail(err, FROST_E_LIMIT, nd->name, nd->op, -1,
                           "node '%s' (%s): tensor %s of %s is %zu bytes, over the limit of %llu "
                           "(max_tensor_bytes)",
                           nd->name, nd->op, frost__shape_str(&out->shape, sb, sizeof sb),
                           frost_dtype_name(dt), nbytes, (unsigned long long)limit);
    out->dtype = dt;
    out->nbytes = nbytes;
    size_t elem = frost_dtype_size(dt);

    if (tp->tensor_content.len > 0) {
        if (tp->tensor_content.len != nbytes)
            return frost__fail(err, FROST_E_FORMAT, nd->name, nd->op, -1,
                               "node '%s' (%s): tensor_content holds %zu bytes but shape %s of %s "
                               "needs %zu",
                               nd->name, nd->op, tp->tensor_content.len,
                               frost__shape_str(&out->shape, sb, sizeof sb), frost_dtype_name(dt),
                               nbytes);
        bool le = host_is_little_endian();
        if (le && ((uintptr_t)tp->tensor_content.data & 63) == 0) {
            out->data = tp->tensor_content.data;  /* pb_alloc used the graph's allocator */
            tp->tensor_content.data = NULL;
            tp->tensor_content.len = 0;
        } else {
            out->data = frost__alloc(&g->alloc, nbytes);
            if (!out->data) return oom(err, nd->name);
            memcpy(out->data, tp->tensor_content.data, nbytes);
            if (!le) swap_bytes(out->data, nbytes, elem);
        }
        if (dt == FROST_DTYPE_BOOL) /* frost bools are 0 or 1; a raw byte may be anything */
            for (size_t i = 0; i < nbytes; i++) {
                uint8_t *b = (uint8_t *)out->data + i;
                *b = *b != 0;
            }
        return FROST_OK;
    }

    size_t n = typed_count(dt, tp);
    if ((uint64_t)n > (uint64_t)numel)
        return frost__fail(err, FROST_E_FORMAT, nd->name, nd->op, -1,
                           "node '%s' (%s): tensor holds %zu values but shape %s has %lld elements",
                           nd->name, nd->op, n, frost__shape_str(&out->shape, sb, sizeof sb),
                           (long long)numel);
    out->data = frost__alloc(&g->alloc, nbytes ? nbytes : 1);
    if (!out->data) return oom(err, nd->name);
    if (n == 0) {
        memset(out->data, 0, nbytes);  /* TF: no values means zeros */
        return FROST_OK;
    }
    for (size_t i = 0; i < n; i++) store_elem(dt, tp, i, out->data, i);
    /* Fewer values than elements: TF repeats the last one (usually a single value broadcast). */
    uint8_t *bytes = out->data;
    for (size_t i = n; i < (size_t)numel; i++)
        memcpy(bytes + i * elem, bytes + (n - 1) * elem, elem);
    return FROST_OK;
}

/* ==== Import ================================================================================= */

typedef struct input_ref {
    int node;      /* producer node index                     */
    int port;      /* its output port                          */
} input_ref;

typedef struct importer {
    frost__graph *g;
    frost_error *err;
    FrostTf__GraphDef *gd;
    int n;                 /* nodes                                    */
    frost__tf_names names; /* the nodes by name                         */
    int *in_start;         /* [n + 1] into refs                         */
    input_ref *refs;
    bool *loop_merge;      /* Merge fed by NextIteration: a while loop   */
    int *n_used;           /* 1 + highest port read by anyone (0: none)  */
    int *top_reader;       /* a node reading that highest port           */
    int *port_start;       /* [n + 1] into port_val                      */
    int *port_val;         /* value id per (node, port); -1 unproduced   */
    int *order;            /* topological order                          */
} importer;

static void *tmp_calloc(importer *im, size_t n, size_t elem) {
    return frost__calloc(&im->g->alloc, n ? n : 1, elem);
}

static frost_status index_names(importer *im) {
    for (int k = 0; k < im->n; k++) {
        const FrostTf__NodeDef *nd = im->gd->node[k];
        if (!nd->name[0])
            return frost__fail(im->err, FROST_E_FORMAT, NULL, nd->op, -1,
                               "node #%d (op '%s') has an empty name", k, nd->op);
        if (!nd->op[0])
            return frost__fail(im->err, FROST_E_FORMAT, nd->name, NULL, -1,
                               "node '%s' has no op", nd->name);
        /* Attribute lists (max_attr_len), checked before any op copies one. */
        int64_t max_list = im->g->max_attr_len > 0 ? im->g->max_attr_len : 1000000;
        for (size_t ai = 0; ai < nd->n_attr; ai++) {
            const FrostTf__NodeDef__AttrEntry *e = nd->attr[ai];
            const FrostTf__AttrValue__ListValue *l =
                e && e->value && e->value->value_case == FROST_TF__ATTR_VALUE__VALUE_LIST
                    ? e->value->list : NULL;
            if (!l) continue;
            size_t n = FROST_MAX(FROST_MAX(FROST_MAX(l->n_s, l->n_i), FROST_MAX(l->n_f, l->n_b)),
                                 FROST_MAX(FROST_MAX(l->n_type, l->n_shape), l->n_tensor));
            if (n > (uint64_t)max_list)
                return frost__fail(im->err, FROST_E_LIMIT, nd->name, nd->op, -1,
                                   "node '%s' (%s): attribute '%s' lists %zu entries, over the "
                                   "limit of %lld (max_attr_len)", nd->name, nd->op,
                                   e->key ? e->key : "?", n, (long long)max_list);
        }
    }
    int a = 0, b = 0;
    frost_status st = frost__tf_names_build(&im->names, &im->g->alloc, im->gd->node,
                                            (size_t)im->n, &a, &b);
    if (st == FROST_E_NOMEM) return oom(im->err, NULL);
    if (st != FROST_OK)
        return frost__fail(im->err, FROST_E_FORMAT, im->gd->node[b]->name, im->gd->node[b]->op, -1,
                           "duplicate node name '%s' (nodes #%d, op '%s', and #%d, op '%s')",
                           im->gd->node[b]->name, a, im->gd->node[a]->op, b,
                           im->gd->node[b]->op);
    return FROST_OK;
}

/* "name", "name:k" -> producer and port. */
static frost_status parse_input(importer *im, const FrostTf__NodeDef *nd, const char *s,
                                input_ref *out) {
    size_t len = strlen(s);
    size_t name_len = len;
    long port = 0;
    const char *colon = strrchr(s, ':');
    if (colon && colon[1]) {
        const char *p = colon + 1;
        bool digits = true;
        for (const char *q = p; *q; q++) digits &= (*q >= '0' && *q <= '9');
        if (digits) {
            if (strlen(p) > 6)
                return frost__fail(im->err, FROST_E_FORMAT, nd->name, nd->op, -1,
                                   "node '%s' (%s): input '%s' has an absurd output index",
                                   nd->name, nd->op, s);
            port = strtol(p, NULL, 10);
            name_len = (size_t)(colon - s);
        }
    }
    int src = frost__tf_names_find(&im->names, s, name_len);
    if (src < 0)
        return frost__fail(im->err, FROST_E_FORMAT, nd->name, nd->op, -1,
                           "node '%s' (%s): input '%s' names no node in the graph", nd->name,
                           nd->op, s);
    out->node = src;
    out->port = (int)port;
    return FROST_OK;
}

static frost_status resolve_inputs(importer *im) {
    size_t total = 0;
    for (int k = 0; k < im->n; k++) total += im->gd->node[k]->n_input;
    if (total > (size_t)INT_MAX / 2)
        return frost__fail(im->err, FROST_E_LIMIT, NULL, NULL, -1, "too many node inputs (%zu)",
                           total);
    im->in_start = tmp_calloc(im, (size_t)im->n + 1, sizeof(int));
    im->refs = tmp_calloc(im, total, sizeof(input_ref));
    im->loop_merge = tmp_calloc(im, (size_t)im->n, sizeof(bool));
    im->n_used = tmp_calloc(im, (size_t)im->n, sizeof(int));
    im->top_reader = tmp_calloc(im, (size_t)im->n, sizeof(int));
    if (!im->in_start || !im->refs || !im->loop_merge || !im->n_used || !im->top_reader)
        return oom(im->err, NULL);
    int pos = 0;
    for (int k = 0; k < im->n; k++) {
        const FrostTf__NodeDef *nd = im->gd->node[k];
        im->in_start[k] = pos;
        for (size_t i = 0; i < nd->n_input; i++) {
            const char *s = nd->input[i];
            if (!s || !s[0])
                return frost__fail(im->err, FROST_E_FORMAT, nd->name, nd->op, -1,
                                   "node '%s' (%s): input %zu is empty", nd->name, nd->op, i);
            if (s[0] == '^') continue;  /* control dependency: no data flows */
            input_ref r;
            FROST_TRY(parse_input(im, nd, s, &r));
            /* The back edge of a tf.while_loop: keep it out of the sort; the Merge it feeds
             * becomes unsupported. */
            if (strcmp(im->gd->node[r.node]->op, "NextIteration") == 0) {
                im->loop_merge[k] = true;
                continue;
            }
            if (r.port + 1 > im->n_used[r.node]) {
                im->n_used[r.node] = r.port + 1;
                im->top_reader[r.node] = k;
            }
            im->refs[pos++] = r;
        }
    }
    im->in_start[im->n] = pos;
    return FROST_OK;
}

/* Names the nodes of one cycle among those Kahn's algorithm could not place. */
static frost_status report_cycle(importer *im, const int *indeg) {
    int *seen = tmp_calloc(im, (size_t)im->n, sizeof(int));
    if (!seen) return oom(im->err, NULL);
    int v = -1;
    for (int k = 0; k < im->n && v < 0; k++)
        if (indeg[k] > 0) v = k;
    /* Walk backwards along unplaced producers until a node repeats: that closes a cycle. */
    int step = 1;
    while (!seen[v]) {
        seen[v] = step++;
        int next = -1;
        for (int i = im->in_start[v]; i < im->in_start[v + 1]; i++)
            if (indeg[im->refs[i].node] > 0) {
                next = im->refs[i].node;
                break;
            }
        if (next < 0) break; /* cannot happen: an unplaced node has an unplaced producer */
        v = next;
    }
    /* v starts the cycle; list it in data-flow order (reverse of the walk). */
    int start = v, len = 0;
    int *cyc = tmp_calloc(im, (size_t)im->n + 1, sizeof(int));
    if (!cyc) {
        frost__free(&im->g->alloc, seen);
        return oom(im->err, NULL);
    }
    do {
        cyc[len++] = v;
        int next = -1;
        for (int i = im->in_start[v]; i < im->in_start[v + 1]; i++)
            if (indeg[im->refs[i].node] > 0 && seen[im->refs[i].node]) {
                next = im->refs[i].node;
                break;
            }
        v = next;
    } while (v >= 0 && v != start && len < im->n);
    char msg[400];
    size_t used = 0;
    msg[0] = 0;
    for (int i = len - 1; i >= -1 && used < sizeof msg - 1; i--) {
        int node = cyc[i >= 0 ? i : len - 1];
        int w = snprintf(msg + used, sizeof msg - used, "%s'%s'", i == len - 1 ? "" : " -> ",
                         im->gd->node[node]->name);
        if (w < 0) break;
        used += (size_t)w;
    }
    const char *first = im->gd->node[start]->name;
    frost__free(&im->g->alloc, seen);
    frost__free(&im->g->alloc, cyc);
    return frost__fail(im->err, FROST_E_FORMAT, first, NULL, -1,
                       "the graph has a cycle of %d node%s: %s", len, len == 1 ? "" : "s", msg);
}

/* Kahn's algorithm over data edges, taking ready nodes in file order. */
static frost_status topo_sort(importer *im) {
    int n = im->n;
    int total = im->in_start[n];
    int *indeg = tmp_calloc(im, (size_t)n, sizeof(int));
    int *cons_start = tmp_calloc(im, (size_t)n + 1, sizeof(int));
    int *cons = tmp_calloc(im, (size_t)total, sizeof(int));
    im->order = tmp_calloc(im, (size_t)n, sizeof(int));
    frost_status st = FROST_OK;
    if (!indeg || !cons_start || !cons || !im->order) {
        st = oom(im->err, NULL);
        goto done;
    }
    for (int k = 0; k < n; k++) {
        indeg[k] = im->in_start[k + 1] - im->in_start[k];
        for (int i = im->in_start[k]; i < im->in_start[k + 1]; i++)
            cons_start[im->refs[i].node + 1]++;
    }
    for (int k = 0; k < n; k++) cons_start[k + 1] += cons_start[k];
    {
        int *fill = tmp_calloc(im, (size_t)n, sizeof(int));
        if (!fill) {
            st = oom(im->err, NULL);
            goto done;
        }
        for (int k = 0; k < n; k++)
            for (int i = im->in_start[k]; i < im->in_start[k + 1]; i++) {
                int p = im->refs[i].node;
                cons[cons_start[p] + fill[p]++] = k;
            }
        frost__free(&im->g->alloc, fill);
    }
    int head = 0, tail = 0;
    for (int k = 0; k < n; k++)
        if (indeg[k] == 0) im->order[tail++] = k;
    while (head < tail) {
        int v = im->order[head++];
        for (int i = cons_start[v]; i < cons_start[v + 1]; i++)
            if (--indeg[cons[i]] == 0) im->order[tail++] = cons[i];
    }
    if (tail < n) st = report_cycle(im, indeg);
done:
    frost__free(&im->g->alloc, indeg);
    frost__free(&im->g->alloc, cons_start);
    frost__free(&im->g->alloc, cons);
    return st;
}

/* An UNSUPPORTED stand-in for a Const/Placeholder of a dtype frost cannot hold (DT_STRING...). */
static frost_status unsupported_dtype(importer *im, const FrostTf__NodeDef *nd, int tf_dtype,
                                      int *out_val) {
    char op[160];
    snprintf(op, sizeof op, "%s of dtype %s", nd->op, frost__tf_dtype_name(tf_dtype));
    int id = frost__graph_add_node(im->g, nd->name, op, FROST__OP_UNSUPPORTED, 0, NULL, 1, NULL,
                                   im->err);
    if (id < 0) return im->err->code;
    int v = im->g->nodes[id].out[0];
    frost_dtype dt = frost__tf_dtype(tf_dtype);
    if (dt == FROST_DTYPE_STRING) im->g->values[v].dtype = dt;
    *out_val = v;
    return FROST_OK;
}

static frost_status add_const(importer *im, const FrostTf__NodeDef *nd, int *out_val) {
    const FrostTf__AttrValue *av = frost__tf_attr(nd, "value");
    if (!av || av->value_case != FROST_TF__ATTR_VALUE__VALUE_TENSOR || !av->tensor)
        return frost__fail(im->err, FROST_E_FORMAT, nd->name, nd->op, -1,
                           "Const node '%s' has no tensor 'value' attribute", nd->name);
    decoded_tensor t;
    frost_status st = decode_tensor(im->g, nd, av->tensor, &t, im->err);
    if (st == FROST_E_UNSUPPORTED)
        return unsupported_dtype(im, nd, (int)av->tensor->dtype, out_val);
    if (st != FROST_OK) return st;
    int id = frost__graph_add_const_owned(im->g, nd->name, t.dtype, &t.shape, t.data, t.nbytes,
                                          im->err);
    if (id < 0) return im->err->code;
    *out_val = id;
    return FROST_OK;
}

static frost_status placeholder_type(importer *im, const FrostTf__NodeDef *nd, int *tf_dtype,
                                     frost__shape *shape) {
    const FrostTf__AttrValue *dt = frost__tf_attr(nd, "dtype");
    if (!dt || dt->value_case != FROST_TF__ATTR_VALUE__VALUE_TYPE)
        return frost__fail(im->err, FROST_E_FORMAT, nd->name, nd->op, -1,
                           "%s node '%s' has no 'dtype' attribute", nd->op, nd->name);
    *tf_dtype = (int)dt->type;
    const FrostTf__AttrValue *sh = frost__tf_attr(nd, "shape");
    const FrostTf__TensorShapeProto *sp =
        sh && sh->value_case == FROST_TF__ATTR_VALUE__VALUE_SHAPE ? sh->shape : NULL;
    if (!sp) {
        *shape = frost__shape_unknown();
        return FROST_OK;
    }
    return read_shape(sp, true, nd, shape, im->err);
}

static frost_status add_placeholder(importer *im, const FrostTf__NodeDef *nd, int *out_val) {
    int tf_dtype;
    frost__shape shape;
    FROST_TRY(placeholder_type(im, nd, &tf_dtype, &shape));
    /* Up to GraphDef version 21, `shape {}` is what TF1 wrote for a placeholder given no shape, and
     * TensorFlow reads it as "any shape" there (only later versions mean a scalar). */
    int producer = im->gd->versions ? (int)im->gd->versions->producer : 0;
    if (shape.rank == 0 && producer <= 21) shape = frost__shape_unknown();
    frost_dtype dt = frost__tf_dtype(tf_dtype);
    if (dt == FROST_DTYPE_INVALID || dt == FROST_DTYPE_STRING)
        return unsupported_dtype(im, nd, tf_dtype, out_val);
    int id = frost__graph_add_input(im->g, nd->name, dt, &shape, im->err);
    if (id < 0) return im->err->code;
    *out_val = id;
    return FROST_OK;
}

/* PlaceholderWithDefault: a feedable input whose default is its (constant) input. A default that
 * is computed cannot be an input default; then the node is a plain Identity of it. */
static frost_status add_placeholder_with_default(importer *im, const FrostTf__NodeDef *nd,
                                                 int def_val, int *out_val) {
    frost__graph *g = im->g;
    int tf_dtype;
    frost__shape shape;
    FROST_TRY(placeholder_type(im, nd, &tf_dtype, &shape));
    frost_dtype dt = frost__tf_dtype(tf_dtype);
    if (dt == FROST_DTYPE_INVALID || dt == FROST_DTYPE_STRING)
        return unsupported_dtype(im, nd, tf_dtype, out_val);
    const frost__value *def = &g->values[def_val];
    if (def->kind != FROST__VAL_CONST) {
        int id = frost__graph_add_node(g, nd->name, nd->op, FROST__OP_IDENTITY, 1, &def_val, 1,
                                       NULL, im->err);
        if (id < 0) return im->err->code;
        *out_val = g->nodes[id].out[0];
        return FROST_OK;
    }
    if (def->dtype != dt)
        return frost__fail(im->err, FROST_E_FORMAT, nd->name, nd->op, -1,
                           "node '%s' (%s): default value is %s but the dtype attribute says %s",
                           nd->name, nd->op, frost_dtype_name(def->dtype), frost_dtype_name(dt));
    if (shape.rank >= 0) {
        if (!frost__import_shape_fits(&shape, &def->shape)) {
            char a[96], b[96];
            return frost__fail(im->err, FROST_E_FORMAT, nd->name, nd->op, -1,
                               "node '%s' (%s): default value of shape %s does not fit shape %s",
                               nd->name, nd->op, frost__shape_str(&def->shape, a, sizeof a),
                               frost__shape_str(&shape, b, sizeof b));
        }
    } else {
        shape = def->shape;
    }
    void *copy = frost__alloc(&g->alloc, def->nbytes ? def->nbytes : 1);
    if (!copy) return oom(im->err, nd->name);
    if (def->nbytes) memcpy(copy, def->data, def->nbytes);
    size_t nbytes = def->nbytes;
    int id = frost__graph_add_input(g, nd->name, dt, &shape, im->err);
    if (id < 0) {
        frost__free(&g->alloc, copy);
        return im->err->code;
    }
    g->values[id].has_default = true;
    g->values[id].data = copy;
    g->values[id].nbytes = nbytes;
    *out_val = id;
    return FROST_OK;
}

/* Ports a consumer reads but the translation did not produce (the batch statistics of a
 * FusedBatchNorm, say) come from an UNSUPPORTED stand-in, named "<node>:k" through aliases: if
 * nothing live reads them the passes prune it, otherwise it is reported with the rest. */
static frost_status cover_unproduced_ports(importer *im, frost__tf_node *c) {
    if (c->n_out >= c->n_used) return FROST_OK;
    frost__graph *g = im->g;
    const FrostTf__NodeDef *nd = c->nd;
    char name[600], op[200];
    snprintf(name, sizeof name, "%s#extra_outputs", nd->name);
    snprintf(op, sizeof op, "%s (outputs %d..%d)", nd->op, c->n_out, c->n_used - 1);
    int id = frost__graph_add_node(g, name, op, FROST__OP_UNSUPPORTED, c->n_in, c->in, c->n_used,
                                   NULL, im->err);
    if (id < 0) return im->err->code;
    for (int k = c->n_out; k < c->n_used; k++) {
        c->out[k] = g->nodes[id].out[k];
        if (k == 0) continue;
        snprintf(name, sizeof name, "%s:%d", nd->name, k);
        FROST_TRY(frost__graph_add_alias(g, name, c->out[k], im->err));
    }
    c->n_out = c->n_used;
    return FROST_OK;
}

static frost_status build_all(importer *im) {
    frost__graph *g = im->g;
    im->port_start = tmp_calloc(im, (size_t)im->n + 1, sizeof(int));
    if (!im->port_start) return oom(im->err, NULL);
    int64_t total = 0;
    for (int k = 0; k < im->n; k++) {
        im->port_start[k] = (int)total;
        total += FROST_MAX(1, im->n_used[k]);
        if (total > INT_MAX / 2)
            return frost__fail(im->err, FROST_E_LIMIT, NULL, NULL, -1, "too many node outputs");
    }
    im->port_start[im->n] = (int)total;
    im->port_val = tmp_calloc(im, (size_t)total, sizeof(int));
    int max_in = 1;
    for (int k = 0; k < im->n; k++)
        max_in = FROST_MAX(max_in, im->in_start[k + 1] - im->in_start[k]);
    int *in = tmp_calloc(im, (size_t)max_in, sizeof(int));
    if (!im->port_val || !in) {
        frost__free(&g->alloc, in);
        return oom(im->err, NULL);
    }
    for (int64_t i = 0; i < total; i++) im->port_val[i] = -1;

    frost_status st = FROST_OK;
    for (int oi = 0; oi < im->n && st == FROST_OK; oi++) {
        int k = im->order[oi];
        const FrostTf__NodeDef *nd = im->gd->node[k];
        int n_in = 0;
        for (int i = im->in_start[k]; i < im->in_start[k + 1]; i++) {
            input_ref r = im->refs[i];
            int v = im->port_val[im->port_start[r.node] + r.port];
            if (v < 0) {
                const FrostTf__NodeDef *src = im->gd->node[r.node];
                st = frost__fail(im->err, FROST_E_FORMAT, nd->name, nd->op, -1,
                                 "node '%s' (%s) reads output %d of '%s' (%s), which has no such "
                                 "output",
                                 nd->name, nd->op, r.port, src->name, src->op);
                break;
            }
            in[n_in++] = v;
        }
        if (st != FROST_OK) break;
        int *out = im->port_val + im->port_start[k];
        int n_used = im->n_used[k];
        const char *op = nd->op;
        if (strcmp(op, "Const") == 0) {
            st = add_const(im, nd, &out[0]);
        } else if (strcmp(op, "Placeholder") == 0 || strcmp(op, "PlaceholderV2") == 0) {
            st = add_placeholder(im, nd, &out[0]);
        } else if (strcmp(op, "PlaceholderWithDefault") == 0 && n_in == 1) {
            st = add_placeholder_with_default(im, nd, in[0], &out[0]);
        } else {
            frost__tf_node c = {
                .g = g, .err = im->err, .nd = nd, .n_in = n_in, .in = in,
                .n_used = n_used, .out = out, .out_cap = FROST_MAX(1, n_used), .n_out = 0,
                .top_reader = n_used > 0 ? im->gd->node[im->top_reader[k]]->name : NULL,
            };
            if (im->loop_merge[k]) st = frost__tf_unsupported(&c, "tf.while_loop");
            else st = frost__tf_build_node(&c);
            if (st == FROST_OK) st = cover_unproduced_ports(im, &c);
        }
    }
    frost__free(&g->alloc, in);
    return st;
}

static void importer_free(importer *im) {
    const frost_allocator *a = &im->g->alloc;
    frost__tf_names_free(&im->names, a);
    frost__free(a, im->in_start);
    frost__free(a, im->refs);
    frost__free(a, im->loop_merge);
    frost__free(a, im->n_used);
    frost__free(a, im->top_reader);
    frost__free(a, im->port_start);
    frost__free(a, im->port_val);
    frost__free(a, im->order);
}

frost_status frost__tf_import_graph_def(FrostTf__GraphDef *gd, frost__graph *g, frost_error *err) {
    frost_error local;
    if (!err) err = &local;
    if (!gd || !g)
        return frost__fail(err, FROST_E_INVALID_ARG, NULL, NULL, -1,
                           "frost__tf_import_graph_def: NULL graph");
    if (gd->n_node == 0)
        return frost__fail(err, FROST_E_FORMAT, NULL, NULL, -1,
                           "not a TensorFlow GraphDef: it holds no nodes");
    int64_t max_nodes = g->max_nodes > 0 ? g->max_nodes : 1000000;
    if ((int64_t)gd->n_node > max_nodes || gd->n_node > (size_t)INT_MAX / 4)
        return frost__fail(err, FROST_E_LIMIT, NULL, NULL, -1,
                           "the GraphDef has %zu nodes, over the limit of %lld (max_nodes)",
                           gd->n_node, (long long)max_nodes);
    importer im;
    memset(&im, 0, sizeof im);
    im.g = g;
    im.err = err;
    im.gd = gd;
    im.n = (int)gd->n_node;
    frost_status st = index_names(&im);
    if (st == FROST_OK) st = resolve_inputs(&im);
    if (st == FROST_OK) st = topo_sort(&im);
    if (st == FROST_OK) st = build_all(&im);
    importer_free(&im);
    return st;
}

frost_status frost__import_tf_graphdef(const void *data, size_t size, frost__graph *g,
                                       frost_error *err) {
    frost_error local;
    if (!err) err = &local;
    frost__clear_error(err);
    if (!g || (!data && size))
        return frost__fail(err, FROST_E_INVALID_ARG, NULL, NULL, -1,
                           "frost__import_tf_graphdef: NULL graph or data");
    if (size == 0)
        return frost__fail(err, FROST_E_FORMAT, NULL, NULL, 0,
                           "not a TensorFlow GraphDef: the file is empty");
    g->format = FROST_FORMAT_TF_GRAPHDEF;

    ProtobufCAllocator pa = {pb_alloc, pb_free, NULL};
    pb_heap heap = {&g->alloc, false};
    pa.allocator_data = &heap;
    FrostTf__GraphDef *gd = frost_tf__graph_def__unpack(&pa, size, data);
    if (!gd) {
        if (heap.failed) return oom(err, NULL);
        return diagnose(data, size, &pa, err);
    }
    frost_status st = FROST_OK;
    if (gd->n_node == 0)
        st = frost__fail(err, FROST_E_FORMAT, NULL, NULL, -1,
                         "not a TensorFlow GraphDef: the file (%zu bytes) holds no nodes", size);
    else
        st = frost__tf_import_graph_def(gd, g, err);
    if (st == FROST_OK && gd->versions)
        frost__graph_report(g, "TensorFlow GraphDef: %zu nodes, producer version %d", gd->n_node,
                            gd->versions->producer);
    frost_tf__graph_def__free_unpacked(gd, &pa);
    return st;
}
