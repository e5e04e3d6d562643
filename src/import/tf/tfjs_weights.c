/* tfjs_weights.c — reads a TF.js weightsManifest: for each group, its shards (files beside
 * model.json, or the caller's in-memory files) are one byte stream in which the group's weights lie
 * back to back, so a weight may straddle two shards. Each weight is decoded the way TF.js's own
 * loader decodes it: float32/int32/bool as stored; uint8/uint16-quantized values as v * scale + min
 * (rounded for int32 weights); float16 widened exactly; string weights are skipped over (their
 * constants are refused later, only if the model uses them).
 *
 * It must never read a file outside model.json's folder (absolute paths, "..", backslashes and
 * colons are refused), never read past a group's bytes, and never allocate what a limit forbids:
 * every shard is bounded by max_file_bytes and every decoded weight by max_tensor_bytes before its
 * buffer is allocated. Shards are kept as separate buffers (no concatenated copy). */
#include "import/tf/tfjs_weights.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <sys/stat.h>

/* ==== Shards ================================================================================= */

typedef struct group_bytes {
    const uint8_t **part;   /* one per shard                                                   */
    size_t *size;
    uint8_t **owned;        /* read from files: ours to free                                   */
    int n;
    size_t total;
} group_bytes;

static bool safe_relative(const char *p) {
    if (!p || !*p || p[0] == '/' || strchr(p, '\\') || strchr(p, ':')) return false;
    for (const char *c = p;;) {
        const char *e = strchr(c, '/');
        size_t len = e ? (size_t)(e - c) : strlen(c);
        if (len == 0 || (len == 2 && c[0] == '.' && c[1] == '.')) return false;
        if (!e) return true;
        c = e + 1;
    }
}

static frost_status read_shard_file(frost__graph *g, const char *path, uint64_t max, uint8_t **out,
                                    size_t *size, frost_error *err) {
    *out = NULL;
    *size = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return frost__fail(err, FROST_E_IO, NULL, NULL, -1,
                           "cannot open weight shard '%s': %s", path, strerror(errno));
    struct stat sb;
    frost_status st = FROST_OK;
    if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode)) {
        st = frost__fail(err, FROST_E_IO, NULL, NULL, -1, "weight shard '%s' is not a regular file",
                         path);
    } else if ((uint64_t)sb.st_size > max) {
        st = frost__fail(err, FROST_E_LIMIT, NULL, NULL, -1,
                         "weight shard '%s' is %lld bytes, over the limit of %llu (max_file_bytes)",
                         path, (long long)sb.st_size, (unsigned long long)max);
    } else {
        size_t n = (size_t)sb.st_size;
        uint8_t *buf = frost__alloc(&g->alloc, n ? n : 1);
        if (!buf) {
            st = frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory reading '%s'", path);
        } else if (n && fread(buf, 1, n, f) != n) {
            frost__free(&g->alloc, buf);
            st = frost__fail(err, FROST_E_IO, NULL, NULL, -1, "short read of weight shard '%s'", path);
        } else {
            *out = buf;
            *size = n;
        }
    }
    fclose(f);
    return st;
}

static const frost_memory_file *find_memory_file(const frost__tfjs_shard_source *src,
                                                 const char *rel) {
    while (rel[0] == '.' && rel[1] == '/') rel += 2; /* "./shard" names the same file */
    for (int i = 0; i < src->n_files; i++) {
        const char *name = src->files[i].name;
        if (!name) continue;
        while (name[0] == '.' && name[1] == '/') name += 2;
        if (!strcmp(name, rel)) return &src->files[i];
    }
    return NULL;
}

static frost_status missing_memory_file(const frost__tfjs_shard_source *src, const char *rel,
                                        int group, frost_error *err) {
    char names[300];
    size_t at = 0;
    names[0] = 0;
    for (int i = 0; i < src->n_files && at < sizeof names; i++)
        at += (size_t)snprintf(names + at, sizeof names - at, "%s'%s'", i ? ", " : "",
                               src->files[i].name ? src->files[i].name : "(NULL)");
    return frost__fail(err, FROST_E_NOT_FOUND, NULL, NULL, -1,
                       "weight shard '%s' (group %d of the weightsManifest) is not among the %d "
                       "files given in frost_load_options.files%s%s",
                       rel, group, src->n_files, src->n_files ? ": " : "", names);
}

static void group_free(frost__graph *g, group_bytes *b) {
    for (int i = 0; i < b->n && b->owned; i++) frost__free(&g->alloc, b->owned[i]);
    frost__free(&g->alloc, b->owned);
    frost__free(&g->alloc, b->part);
    frost__free(&g->alloc, b->size);
    memset(b, 0, sizeof *b);
}

static frost_status group_load(frost__graph *g, const frost__json *paths, int group,
                               const frost__tfjs_shard_source *src, frost__tfjs_weights *out,
                               group_bytes *b, frost_error *err) {
    memset(b, 0, sizeof *b);
    if (!frost__json_is_array(paths))
        return frost__fail(err, FROST_E_FORMAT, NULL, NULL, -1,
                           "model.json: weightsManifest group %d has no 'paths' list", group);
    int n = frost__json_len(paths);
    if (n > 100000)
        return frost__fail(err, FROST_E_LIMIT, NULL, NULL, -1,
                           "model.json: weightsManifest group %d lists %d shards", group, n);
    b->part = frost__calloc(&g->alloc, (size_t)n + 1, sizeof *b->part);
    b->size = frost__calloc(&g->alloc, (size_t)n + 1, sizeof *b->size);
    b->owned = frost__calloc(&g->alloc, (size_t)n + 1, sizeof *b->owned);
    if (!b->part || !b->size || !b->owned)
        return frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
    const frost__json *p = frost__json_first(paths);
    for (int i = 0; i < n; i++, p = frost__json_next(p)) {
        const char *rel = frost__json_str(p);
        if (!safe_relative(rel))
            return frost__fail(err, FROST_E_FORMAT, NULL, NULL, -1,
                               "model.json: weight shard path '%s' (group %d) must be a relative "
                               "path inside the model's folder",
                               rel ? rel : "(not a string)", group);
        b->n = i + 1;
        if (src->files) {
            const frost_memory_file *f = find_memory_file(src, rel);
            if (!f) return missing_memory_file(src, rel, group, err);
            if (!f->data && f->size)
                return frost__fail(err, FROST_E_INVALID_ARG, NULL, NULL, -1,
                                   "frost_load_options.files: '%s' has no data", rel);
            b->part[i] = f->data;
            b->size[i] = f->size;
        } else {
            char full[4096];
            if (snprintf(full, sizeof full, "%s%s", src->dir ? src->dir : "", rel) >=
                (int)sizeof full)
                return frost__fail(err, FROST_E_LIMIT, NULL, NULL, -1,
                                   "weight shard path '%s' is too long", rel);
            FROST_TRY(read_shard_file(g, full, src->max_shard_bytes, &b->owned[i], &b->size[i], err));
            b->part[i] = b->owned[i];
        }
        b->total += b->size[i];
        out->shard_bytes += b->size[i];
        out->n_shards++;
    }
    return FROST_OK;
}

/* Copies bytes [off, off + n) of the group (the caller checked they exist). */
static void group_copy(const group_bytes *b, size_t off, size_t n, uint8_t *dst) {
    int i = 0;
    while (i < b->n && off >= b->size[i]) off -= b->size[i++];
    while (n > 0 && i < b->n) {
        size_t k = FROST_MIN(n, b->size[i] - off);
        memcpy(dst, b->part[i] + off, k);
        dst += k;
        n -= k;
        off = 0;
        i++;
    }
}

/* ==== Decoding =============================================================================== */

/* x * scale + min in double, the product rounded before the sum as in JavaScript (no fused
 * multiply-add, which would round once and differ in the last bit). */
static double dequant(double x, double scale, double min) {
    volatile double prod = x * scale;
    return prod + min;
}

/* JavaScript's Math.round followed by Int32Array's wrap-around. */
static int32_t js_round_to_int32(double x) {
    if (!isfinite(x)) return 0;
    double r = floor(x + 0.5);
    double m = fmod(r, 4294967296.0);
    if (m < 0) m += 4294967296.0;
    if (m >= 2147483648.0) m -= 4294967296.0;
    return (int32_t)m;
}

static float half_to_float(uint16_t h) {
    int s = h >> 15, e = (h >> 10) & 31, m = h & 1023;
    float v;
    if (e == 0) v = ldexpf((float)m, -24);
    else if (e == 31) v = m ? NAN : INFINITY;
    else v = ldexpf((float)(m | 1024), e - 25);
    return s ? -v : v;
}

typedef struct spec {
    const char *name;
    int group, index;
    int tf_dtype;
    frost__tfjs_quant quant;
    double scale, min;
    frost__shape shape;
    int64_t numel;
} spec;

static frost_status spec_fail(const spec *s, frost_status code, frost_error *err, const char *fmt,
                              ...) FROST_PRINTF(4, 5);
static frost_status spec_fail(const spec *s, frost_status code, frost_error *err, const char *fmt,
                              ...) {
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return frost__fail(err, code, s->name, NULL, -1,
                       "model.json: weight '%s' (#%d of weightsManifest group %d): %s",
                       s->name ? s->name : "?", s->index, s->group, msg);
}

static frost_status read_spec(const frost__json *j, spec *s, frost_error *err) {
    s->name = frost__json_get_str(j, "name");
    if (!s->name) return spec_fail(s, FROST_E_FORMAT, err, "no name");
    const frost__json *shape = frost__json_get(j, "shape");
    if (!frost__json_is_array(shape)) return spec_fail(s, FROST_E_FORMAT, err, "no 'shape' list");
    int rank = frost__json_len(shape);
    if (rank > FROST_MAX_RANK)
        return spec_fail(s, FROST_E_LIMIT, err, "rank %d is over frost's limit of %d", rank,
                         FROST_MAX_RANK);
    s->shape = frost__shape_make(0, NULL);
    s->shape.rank = rank;
    const frost__json *d = frost__json_first(shape);
    for (int i = 0; i < rank; i++, d = frost__json_next(d))
        if (!frost__json_int(d, &s->shape.d[i]) || s->shape.d[i] < 0)
            return spec_fail(s, FROST_E_FORMAT, err, "dimension %d is not a size", i);
    if (!frost__shape_numel_ok(&s->shape, &s->numel))
        return spec_fail(s, FROST_E_LIMIT, err, "the shape has too many elements");
    const char *dtype = frost__json_get_str(j, "dtype");
    if (!dtype) dtype = "float32";
    if (!strcmp(dtype, "float32")) s->tf_dtype = FROST_TF__DATA_TYPE__DT_FLOAT;
    else if (!strcmp(dtype, "int32")) s->tf_dtype = FROST_TF__DATA_TYPE__DT_INT32;
    else if (!strcmp(dtype, "bool")) s->tf_dtype = FROST_TF__DATA_TYPE__DT_BOOL;
    else if (!strcmp(dtype, "string")) s->tf_dtype = FROST_TF__DATA_TYPE__DT_STRING;
    else if (!strcmp(dtype, "complex64")) s->tf_dtype = FROST_TF__DATA_TYPE__DT_COMPLEX64;
    else return spec_fail(s, FROST_E_FORMAT, err, "unknown dtype '%s'", dtype);
    const frost__json *q = frost__json_get(j, "quantization");
    s->quant = FROST__TFJS_Q_NONE;
    if (frost__json_is_null(q)) return FROST_OK;
    const char *qd = frost__json_get_str(q, "dtype");
    if (qd && !strcmp(qd, "uint8")) s->quant = FROST__TFJS_Q_UINT8;
    else if (qd && !strcmp(qd, "uint16")) s->quant = FROST__TFJS_Q_UINT16;
    else if (qd && !strcmp(qd, "float16")) s->quant = FROST__TFJS_Q_FLOAT16;
    else
        return spec_fail(s, FROST_E_UNSUPPORTED, err,
                         "quantization dtype '%s' (TF.js knows uint8, uint16 and float16)",
                         qd ? qd : "(none)");
    if (s->quant == FROST__TFJS_Q_FLOAT16 && s->tf_dtype != FROST_TF__DATA_TYPE__DT_FLOAT)
        return spec_fail(s, FROST_E_FORMAT, err, "float16 quantization of a %s weight", dtype);
    if (s->quant != FROST__TFJS_Q_FLOAT16) {
        if (s->tf_dtype != FROST_TF__DATA_TYPE__DT_FLOAT && s->tf_dtype != FROST_TF__DATA_TYPE__DT_INT32)
            return spec_fail(s, FROST_E_FORMAT, err, "%s quantization of a %s weight", qd, dtype);
        const frost__json *scale = frost__json_get(q, "scale"), *min = frost__json_get(q, "min");
        if (!frost__json_num(scale, &s->scale) || !frost__json_num(min, &s->min))
            return spec_fail(s, FROST_E_FORMAT, err, "%s quantization without a numeric min and scale",
                             qd);
    }
    return FROST_OK;
}

/* Bytes the weight occupies in its group; for strings, walks their length prefixes. */
static frost_status stored_bytes(const spec *s, const group_bytes *b, size_t off, size_t *out,
                                 frost_error *err) {
    size_t elem = 4;
    if (s->quant == FROST__TFJS_Q_UINT8) elem = 1;
    else if (s->quant != FROST__TFJS_Q_NONE) elem = 2;
    else if (s->tf_dtype == FROST_TF__DATA_TYPE__DT_BOOL) elem = 1;
    else if (s->tf_dtype == FROST_TF__DATA_TYPE__DT_COMPLEX64) elem = 8;
    size_t left = b->total - off;
    if (s->tf_dtype == FROST_TF__DATA_TYPE__DT_STRING && s->quant == FROST__TFJS_Q_NONE) {
        /* Each string: a little-endian uint32 length, then its bytes. */
        if ((uint64_t)s->numel > left / 4)
            return spec_fail(s, FROST_E_FORMAT, err,
                             "%lld strings cannot fit in the %zu bytes left in the group",
                             (long long)s->numel, left);
        size_t at = off;
        for (int64_t i = 0; i < s->numel; i++) {
            uint8_t lb[4];
            if (b->total - at < 4)
                return spec_fail(s, FROST_E_FORMAT, err, "string %lld runs past the group's end",
                                 (long long)i);
            group_copy(b, at, 4, lb);
            uint32_t len = (uint32_t)lb[0] | (uint32_t)lb[1] << 8 | (uint32_t)lb[2] << 16 |
                           (uint32_t)lb[3] << 24;
            at += 4;
            if (len > b->total - at)
                return spec_fail(s, FROST_E_FORMAT, err,
                                 "string %lld of %u bytes runs past the group's end", (long long)i,
                                 len);
            at += len;
        }
        *out = at - off;
        return FROST_OK;
    }
    size_t need;
    if (!frost__size_mul_ok((size_t)s->numel, elem, &need) || need > left) {
        char sb[96];
        return spec_fail(s, FROST_E_FORMAT, err,
                         "shape %s needs %llu bytes at offset %zu of the group, which has %zu",
                         frost__shape_str(&s->shape, sb, sizeof sb),
                         (unsigned long long)s->numel * elem, off, b->total);
    }
    *out = need;
    return FROST_OK;
}

static frost_status decode(frost__graph *g, const spec *s, const group_bytes *b, size_t off,
                           size_t stored, frost__tfjs_weight *w, frost_error *err) {
    w->name = s->name;
    w->tf_dtype = s->tf_dtype;
    w->shape = s->shape;
    w->quant = s->quant;
    if (s->tf_dtype == FROST_TF__DATA_TYPE__DT_STRING || s->tf_dtype == FROST_TF__DATA_TYPE__DT_COMPLEX64)
        return FROST_OK; /* no data: the constant is refused if the model uses it */
    size_t elem = s->tf_dtype == FROST_TF__DATA_TYPE__DT_BOOL ? 1 : 4;
    size_t nbytes = (size_t)s->numel * elem; /* <= stored * 4: no overflow */
    uint64_t limit = g->max_tensor_bytes ? g->max_tensor_bytes : (uint64_t)1 << 30;
    if ((uint64_t)nbytes > limit)
        return spec_fail(s, FROST_E_LIMIT, err, "%zu bytes, over the limit of %llu (max_tensor_bytes)",
                         nbytes, (unsigned long long)limit);
    uint8_t *outb = frost__alloc(&g->alloc, nbytes ? nbytes : 1);
    if (!outb) return spec_fail(s, FROST_E_NOMEM, err, "out of memory");
    if (s->quant == FROST__TFJS_Q_NONE) {
        group_copy(b, off, stored, outb);
        if (s->tf_dtype == FROST_TF__DATA_TYPE__DT_BOOL)
            for (size_t i = 0; i < nbytes; i++) outb[i] = outb[i] != 0;
    } else {
        /* Quantized: read the raw values in chunks, so a straddling weight needs no extra copy. */
        uint8_t chunk[4096];
        size_t qsize = s->quant == FROST__TFJS_Q_UINT8 ? 1 : 2;
        for (size_t done = 0; done < stored;) {
            size_t k = FROST_MIN(sizeof chunk, stored - done);
            group_copy(b, off + done, k, chunk);
            for (size_t j = 0; j < k; j += qsize) {
                size_t i = (done + j) / qsize;
                uint32_t q = qsize == 1 ? chunk[j] : (uint32_t)chunk[j] | (uint32_t)chunk[j + 1] << 8;
                if (s->quant == FROST__TFJS_Q_FLOAT16) {
                    float f = half_to_float((uint16_t)q);
                    memcpy(outb + 4 * i, &f, 4);
                } else if (s->tf_dtype == FROST_TF__DATA_TYPE__DT_INT32) {
                    int32_t v = js_round_to_int32(dequant(q, s->scale, s->min));
                    memcpy(outb + 4 * i, &v, 4);
                } else {
                    float f = (float)dequant(q, s->scale, s->min);
                    memcpy(outb + 4 * i, &f, 4);
                }
            }
            done += k;
        }
    }
    w->data = outb;
    w->nbytes = nbytes;
    return FROST_OK;
}

/* ==== The manifest =========================================================================== */

static uint64_t hash_name(const char *s) {
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++) h = (h ^ (uint8_t)*s) * 1099511628211ull;
    return h;
}

static frost_status index_names(frost__graph *g, frost__tfjs_weights *w) {
    size_t cap = 16;
    while (cap < (size_t)w->n * 2) cap *= 2;
    w->hash = frost__calloc(&g->alloc, cap, sizeof *w->hash);
    if (!w->hash) return FROST_E_NOMEM;
    w->hash_mask = cap - 1;
    for (int k = 0; k < w->n; k++) {
        size_t i = (size_t)hash_name(w->w[k].name) & w->hash_mask;
        while (w->hash[i] && strcmp(w->w[w->hash[i] - 1].name, w->w[k].name) != 0)
            i = (i + 1) & w->hash_mask;
        w->hash[i] = k + 1; /* a repeated name: the later weight wins, as in TF.js */
    }
    return FROST_OK;
}

frost__tfjs_weight *frost__tfjs_find_weight(const frost__tfjs_weights *w, const char *name) {
    if (!w->hash || !name) return NULL;
    size_t i = (size_t)hash_name(name) & w->hash_mask;
    while (w->hash[i]) {
        frost__tfjs_weight *x = &w->w[w->hash[i] - 1];
        if (!strcmp(x->name, name)) return x;
        i = (i + 1) & w->hash_mask;
    }
    return NULL;
}

frost_status frost__tfjs_read_weights(frost__graph *g, const frost__json *manifest,
                                      const frost__tfjs_shard_source *src,
                                      frost__tfjs_weights *out, frost_error *err) {
    memset(out, 0, sizeof *out);
    if (frost__json_is_null(manifest)) return FROST_OK;
    if (!frost__json_is_array(manifest))
        return frost__fail(err, FROST_E_FORMAT, NULL, NULL, -1,
                           "model.json: 'weightsManifest' is not a list");
    int64_t total = 0;
    for (const frost__json *grp = frost__json_first(manifest); grp; grp = frost__json_next(grp))
        total += frost__json_len(frost__json_get(grp, "weights"));
    int64_t max_nodes = g->max_nodes > 0 ? g->max_nodes : 1000000;
    if (total > max_nodes)
        return frost__fail(err, FROST_E_LIMIT, NULL, NULL, -1,
                           "model.json: the weightsManifest lists %lld weights, over the limit of "
                           "%lld (max_nodes)", (long long)total, (long long)max_nodes);
    out->w = frost__calloc(&g->alloc, (size_t)total + 1, sizeof *out->w);
    if (!out->w) return frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
    int gi = 0;
    for (const frost__json *grp = frost__json_first(manifest); grp;
         grp = frost__json_next(grp), gi++) {
        if (!frost__json_is_object(grp))
            return frost__fail(err, FROST_E_FORMAT, NULL, NULL, -1,
                               "model.json: weightsManifest group %d is not an object", gi);
        const frost__json *weights = frost__json_get(grp, "weights");
        if (!frost__json_is_array(weights))
            return frost__fail(err, FROST_E_FORMAT, NULL, NULL, -1,
                               "model.json: weightsManifest group %d has no 'weights' list", gi);
        group_bytes b;
        frost_status st = group_load(g, frost__json_get(grp, "paths"), gi, src, out, &b, err);
        size_t off = 0;
        int wi = 0;
        for (const frost__json *wj = frost__json_first(weights); wj && st == FROST_OK;
             wj = frost__json_next(wj), wi++) {
            spec s;
            memset(&s, 0, sizeof s);
            s.group = gi;
            s.index = wi;
            size_t stored = 0;
            st = read_spec(wj, &s, err);
            if (st == FROST_OK) st = stored_bytes(&s, &b, off, &stored, err);
            if (st == FROST_OK) st = decode(g, &s, &b, off, stored, &out->w[out->n], err);
            if (st == FROST_OK) {
                out->n_quant[s.quant]++;
                out->n++;
                off += stored;
            }
        }
        group_free(g, &b);
        if (st != FROST_OK) return st;
    }
    if (index_names(g, out) != FROST_OK)
        return frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
    return FROST_OK;
}

void frost__tfjs_weights_free(frost__graph *g, frost__tfjs_weights *w) {
    for (int i = 0; i < w->n; i++) frost__free(&g->alloc, w->w[i].data);
    frost__free(&g->alloc, w->w);
    frost__free(&g->alloc, w->hash);
    memset(w, 0, sizeof *w);
}
