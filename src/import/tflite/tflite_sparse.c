/* tflite_sparse.c — DENSIFY of a constant sparse tensor, done once at load: TFLite stores sparse
 * weights in its variant of the TACO format (SparsityParameters: a traversal order over the
 * tensor's dims and its block dims, the block map, and per traversed dim either a dense size or
 * CSR segments and indices), and a DENSIFY operator expands them before use. frost walks that
 * structure and writes the dense constant the operator would produce; the operator itself
 * disappears.
 *
 * It must never trust the file: every size, segment and index is checked against the tensor's
 * shape, the index vectors' lengths and the number of stored values before it is used, the walk is
 * bounded by those counts, and the dense result is limited by max_tensor_bytes. */
#include "import/tflite/tflite_internal.h"

#include <stdio.h>

enum { SP_TRAVERSAL = 0, SP_BLOCK_MAP = 1, SP_DIM_METADATA = 2 };
enum { DM_FORMAT = 0, DM_DENSE_SIZE = 1, DM_SEGMENTS_TYPE = 2, DM_SEGMENTS = 3,
       DM_INDICES_TYPE = 4, DM_INDICES = 5 };
enum { MAX_LEVELS = 2 * FROST_MAX_RANK };

typedef struct sp_index {
    frost__fb_vec v;   /* values of an Int32Vector / Uint16Vector / Uint8Vector */
    int type;          /* 1 int32, 2 uint16, 3 uint8                           */
} sp_index;

typedef struct sp_walk {
    const frost__fb *fb;
    int levels, rank;
    int dim[MAX_LEVELS];               /* the expanded dim each level traverses         */
    bool dense[MAX_LEVELS];
    int64_t size[MAX_LEVELS];          /* dense levels: their size                      */
    sp_index seg[MAX_LEVELS], idx[MAX_LEVELS];
    int64_t block_size[FROST_MAX_RANK];/* per original dim: its block size (1: none)   */
    int block_dim[FROST_MAX_RANK];     /* per original dim: the expanded dim of its block, or -1 */
    int64_t shape[FROST_MAX_RANK];
    int64_t coord[MAX_LEVELS];
    const unsigned char *values;
    int64_t n_values, next;
    size_t es;
    unsigned char *out;
    bool bad;
} sp_walk;

static int64_t index_at(const sp_walk *w, const sp_index *s, int64_t i) {
    if (i < 0 || i >= (int64_t)s->v.len) return -1;
    switch (s->type) {
    case 1: return frost__fb_vec_i32(w->fb, s->v, (uint32_t)i);
    case 2: {
        uint16_t x;
        memcpy(&x, frost__fb_vec_bytes(w->fb, s->v) + 2 * i, 2);
        return x;
    }
    default: return frost__fb_vec_u8(w->fb, s->v, (uint32_t)i);
    }
}

/* Visits level `level` below position `pos` of the level above; writes values at the leaves. */
static void walk(sp_walk *w, int level, int64_t pos) {
    if (w->bad) return;
    if (level == w->levels) {
        int64_t at = 0;
        for (int d = 0; d < w->rank; d++) {
            int64_t c = w->coord[d];
            if (w->block_dim[d] >= 0) c = c * w->block_size[d] + w->coord[w->block_dim[d]];
            if (c < 0 || c >= w->shape[d]) {
                w->bad = true;
                return;
            }
            at = at * w->shape[d] + c;
        }
        if (w->next >= w->n_values) {
            w->bad = true;
            return;
        }
        memcpy(w->out + (size_t)at * w->es, w->values + (size_t)w->next * w->es, w->es);
        w->next++;
        return;
    }
    if (w->dense[level]) {
        for (int64_t i = 0; i < w->size[level] && !w->bad; i++) {
            w->coord[w->dim[level]] = i;
            walk(w, level + 1, pos * w->size[level] + i);
        }
        return;
    }
    const int64_t b = index_at(w, &w->seg[level], pos), e = index_at(w, &w->seg[level], pos + 1);
    if (b < 0 || e < b || e > (int64_t)w->idx[level].v.len) {
        w->bad = true;
        return;
    }
    for (int64_t p = b; p < e && !w->bad; p++) {
        w->coord[w->dim[level]] = index_at(w, &w->idx[level], p);
        walk(w, level + 1, p);
    }
}

static bool read_index(frost__fb *fb, frost__fb_table dm, int type_field, int field, sp_index *out) {
    out->type = frost__fb_u8(fb, dm, type_field, 0);
    frost__fb_table t = frost__fb_table_field(fb, dm, field, "SparseIndexVector");
    const uint32_t es = out->type == 1 ? 4 : out->type == 2 ? 2 : 1;
    out->v = frost__fb_vec_field(fb, t, 0, es, "SparseIndexVector.values");
    return !fb->bad && out->type >= 1 && out->type <= 3 && t.pos;
}

frost_status frost__tfl_densify(tfl_ctx *c) {
    tfl_tensor *t = frost__tfl_in_tensor(c, 0);
    if (!t || !t->data || !t->sparse)
        return frost__tfl_unsupported(c, "input is not a constant sparse tensor");
    frost__fb *fb = c->fb;
    frost__fb_vec trav = frost__fb_vec_field(fb, t->sparsity, SP_TRAVERSAL, 4, "SparsityParameters.traversal_order");
    frost__fb_vec bmap = frost__fb_vec_field(fb, t->sparsity, SP_BLOCK_MAP, 4, "SparsityParameters.block_map");
    frost__fb_vec dms = frost__fb_vec_field(fb, t->sparsity, SP_DIM_METADATA, 4, "SparsityParameters.dim_metadata");
    if (fb->bad) return frost__tfl_bad(c, "malformed sparsity parameters");
    const int rank = t->shape.rank;
    if (t->dtype == FROST_DTYPE_INVALID || t->dtype == FROST_DTYPE_STRING || rank < 1 ||
        !frost__shape_known(&t->shape))
        return frost__tfl_bad(c, "sparse tensor without a known shape and type");
    const int levels = (int)trav.len;
    if (levels < rank || levels > rank + FROST_MAX_RANK || dms.len != trav.len ||
        bmap.len != (uint32_t)(levels - rank))
        return frost__tfl_bad(c, "sparsity: %u traversed dims, %u block dims, %u dim metadata for rank %d",
                              trav.len, bmap.len, dms.len, rank);
    sp_walk w;
    memset(&w, 0, sizeof w);
    w.fb = fb;
    w.levels = levels;
    w.rank = rank;
    for (int d = 0; d < rank; d++) {
        w.shape[d] = t->shape.d[d];
        w.block_dim[d] = -1;
        w.block_size[d] = 1;
    }
    bool seen[MAX_LEVELS] = {false};
    for (int l = 0; l < levels; l++) {
        const int32_t d = frost__fb_vec_i32(fb, trav, (uint32_t)l);
        if (d < 0 || d >= levels || seen[d]) return frost__tfl_bad(c, "sparsity: bad traversal order");
        seen[d] = true;
        w.dim[l] = d;
        frost__fb_table dm = frost__fb_vec_table(fb, dms, (uint32_t)l, "DimensionMetadata");
        w.dense[l] = frost__fb_i8(fb, dm, DM_FORMAT, 0) == 0;
        if (w.dense[l]) {
            w.size[l] = frost__fb_i32(fb, dm, DM_DENSE_SIZE, 0);
            if (w.size[l] < 0) return frost__tfl_bad(c, "sparsity: negative dense size");
        } else if (!read_index(fb, dm, DM_SEGMENTS_TYPE, DM_SEGMENTS, &w.seg[l]) ||
                   !read_index(fb, dm, DM_INDICES_TYPE, DM_INDICES, &w.idx[l])) {
            return frost__tfl_bad(c, "sparsity: malformed CSR segments or indices");
        }
        if (fb->bad) return frost__tfl_bad(c, "malformed sparsity parameters");
    }
    /* Block dims: expanded dim rank + j blocks original dim block_map[j]; its size is the dense
     * size of the level that traverses it. */
    for (int j = 0; j < levels - rank; j++) {
        const int32_t d = frost__fb_vec_i32(fb, bmap, (uint32_t)j);
        if (d < 0 || d >= rank || w.block_dim[d] >= 0) return frost__tfl_bad(c, "sparsity: bad block map");
        int l = 0;
        while (l < levels && w.dim[l] != rank + j) l++;
        if (l == levels || !w.dense[l] || w.size[l] < 1 || w.shape[d] % w.size[l] != 0)
            return frost__tfl_bad(c, "sparsity: block %d does not divide dim %d", j, (int)d);
        w.block_dim[d] = rank + j;
        w.block_size[d] = w.size[l];
    }
    /* Dense levels over original dims must span the blocked dims exactly. */
    for (int l = 0; l < levels; l++)
        if (w.dense[l] && w.dim[l] < rank && w.size[l] != w.shape[w.dim[l]] / w.block_size[w.dim[l]])
            return frost__tfl_bad(c, "sparsity: dense size %lld for a dim of %lld",
                                  (long long)w.size[l], (long long)(w.shape[w.dim[l]] / w.block_size[w.dim[l]]));
    size_t bytes;
    if (!frost__tensor_bytes(t->dtype, &t->shape, &bytes) || bytes > c->g->max_tensor_bytes)
        return frost__fail(c->err, FROST_E_LIMIT, t->name, c->op_name, -1,
                           "densified tensor '%s' would exceed max_tensor_bytes", t->name);
    w.es = frost_dtype_size(t->dtype);
    w.values = t->data;
    w.n_values = (int64_t)(t->nbytes / w.es);
    w.out = frost__calloc(&c->g->alloc, bytes ? bytes : 1, 1);
    if (!w.out) return frost__fail(c->err, FROST_E_NOMEM, t->name, NULL, -1, "out of memory");
    walk(&w, 0, 0);
    if (w.bad || w.next != w.n_values) {
        frost__free(&c->g->alloc, w.out);
        return frost__tfl_bad(c, "sparse tensor '%s': indices outside its shape or %lld stored values "
                              "for %lld positions", t->name, (long long)w.n_values, (long long)w.next);
    }
    tfl_tensor *y = frost__tfl_out_tensor(c, 0);
    if (y->dtype != t->dtype) {
        frost__free(&c->g->alloc, w.out);
        return frost__tfl_bad(c, "output type differs from the input's");
    }
    frost__graph_report(c->g, "tflite: operator %d (DENSIFY): sparse '%s' (%lld stored values) "
                        "densified at load", c->op_index, t->name, (long long)w.n_values);
    return frost__tfl_bind_const(c, 0, t->dtype, &t->shape, w.out, bytes);
}
