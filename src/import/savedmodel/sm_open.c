/* sm_open.c — finding and parsing a SavedModel (saved_model.pb, variables/) or a TF1 checkpoint
 * (a .meta MetaGraphDef, the `checkpoint` file naming the latest <prefix>, <prefix>.index), choosing
 * the MetaGraph by tag, reading the variables index, and describing it all for `frost inspect`.
 * Tensor data is not read here (sm_variables.c reads what the frozen graph needs).
 *
 * Never trusts the files: protobuf parsing goes through protobuf-c with the model's allocator and
 * every refusal names the file; a MetaGraph without a graph, unknown tags and a `checkpoint` file
 * that names no checkpoint give messages saying what exists instead. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "import/savedmodel/sm_internal.h"
#include "import/tf/tf_internal.h"

const char *frost__sm_tf_dtype_name(int t) {
    if (t > 100 && t < 200) t -= 100;
    const ProtobufCEnumValue *v =
        protobuf_c_enum_descriptor_get_value(&frost_tf__data_type__descriptor, t);
    return v ? v->name : "DT_<unknown>";
}

static void *pb_alloc(void *user, size_t size) {
    const frost_allocator *a = user;
    return a->alloc(a->user, size ? size : 1, size >= 256 ? 64 : 16);
}

static void pb_free(void *user, void *p) {
    const frost_allocator *a = user;
    if (p) a->free(a->user, p);
}

static bool ends_with(const char *s, const char *suffix) {
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

static bool is_dir(const char *path) {
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

static bool is_file(const char *path) {
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

static bool dir_has(const char *dir, const char *name) {
    char p[4096];
    int n = snprintf(p, sizeof p, "%s/%s", dir, name);
    return n > 0 && (size_t)n < sizeof p && is_file(p);
}

static const char *base_name(const char *path) {
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* "<prefix>.meta" names a TF1 checkpoint's graph; the prefix alone ("model.ckpt-7") means it. */
static bool meta_beside(const char *path) {
    char p[4096];
    int n = snprintf(p, sizeof p, "%s.meta", path);
    return n > 0 && (size_t)n < sizeof p && !is_file(path) && !is_dir(path) && is_file(p);
}

bool frost__sm_is_path(const char *path) {
    if (!path) return false;
    if (is_dir(path)) return dir_has(path, "saved_model.pb") || dir_has(path, "checkpoint");
    return strcmp(base_name(path), "saved_model.pb") == 0 || ends_with(path, ".meta") ||
           meta_beside(path);
}

/* model_checkpoint_path: "..." of a TF1 `checkpoint` text file, as a name relative to its folder
 * (TensorFlow often writes an absolute path there: only the last component is kept). */
static char *checkpoint_prefix(frost__tf_arena *ar, const char *text, size_t n) {
    const char *key = "model_checkpoint_path:";
    size_t kl = strlen(key);
    for (size_t i = 0; i + kl < n; i++) {
        if (memcmp(text + i, key, kl) != 0 || (i && text[i - 1] != '\n')) continue;
        size_t j = i + kl;
        while (j < n && (text[j] == ' ' || text[j] == '\t')) j++;
        if (j >= n || text[j] != '"') return NULL;
        size_t start = ++j;
        while (j < n && text[j] != '"' && text[j] != '\n') j++;
        if (j >= n || text[j] != '"' || j == start) return NULL;
        char *full = frost__tf_strndup(ar, text + start, j - start);
        return full ? (char *)base_name(full) : NULL;
    }
    return NULL;
}

static frost_status parse_fail(frost__sm *sm, const char *what, size_t size, frost_error *err) {
    (void)sm;
    return frost__fail(err, FROST_E_FORMAT, NULL, NULL, -1,
                       "'%s' (%zu bytes) is not a valid %s: protobuf parsing failed (truncated or "
                       "corrupt)",
                       what, size, ends_with(what, ".meta") ? "MetaGraphDef" : "SavedModel");
}

/* Does the MetaGraph carry every tag of the comma-separated list? */
static bool has_tags(const FrostTf__MetaGraphDef *mg, const char *tags) {
    const FrostTf__MetaGraphDef__MetaInfoDef *mi = mg->meta_info_def;
    for (const char *p = tags; *p;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        bool found = false;
        for (size_t i = 0; mi && i < mi->n_tags && !found; i++)
            found = mi->tags[i] && strlen(mi->tags[i]) == len && strncmp(mi->tags[i], p, len) == 0;
        if (len && !found) return false;
        p += len;
        if (*p == ',') p++;
    }
    return true;
}

static const char *tag_list(frost__tf_arena *ar, const FrostTf__MetaGraphDef *mg) {
    const FrostTf__MetaGraphDef__MetaInfoDef *mi = mg->meta_info_def;
    char buf[512] = "";
    size_t at = 0;
    for (size_t i = 0; mi && i < mi->n_tags && at < sizeof buf; i++)
        at += (size_t)snprintf(buf + at, sizeof buf - at, "%s%s", i ? "," : "", mi->tags[i]);
    return frost__tf_strndup(ar, buf, strlen(buf));
}

static frost_status choose_meta_graph(frost__sm *sm, const char *tag, frost_error *err) {
    const FrostTf__SavedModel *s = sm->saved;
    if (s->n_meta_graphs == 0)
        return frost__fail(err, FROST_E_FORMAT, NULL, NULL, -1, "'%s' holds no MetaGraph", sm->what);
    const char *want = tag && tag[0] ? tag : "serve";
    for (size_t i = 0; i < s->n_meta_graphs; i++)
        if (s->meta_graphs[i] && has_tags(s->meta_graphs[i], want)) {
            sm->mg = s->meta_graphs[i];
            return FROST_OK;
        }
    if (!(tag && tag[0]) && s->n_meta_graphs == 1) {
        sm->mg = s->meta_graphs[0];
        return FROST_OK;
    }
    char list[600] = "";
    size_t at = 0;
    for (size_t i = 0; i < s->n_meta_graphs && at < sizeof list; i++)
        at += (size_t)snprintf(list + at, sizeof list - at, "%s[%s]", i ? " " : "",
                               tag_list(&sm->arena, s->meta_graphs[i]));
    return frost__fail(err, FROST_E_NOT_FOUND, NULL, NULL, -1,
                       "'%s' has no MetaGraph tagged '%s'; its MetaGraphs are tagged: %s (--tag)",
                       sm->what, want, list);
}

static void convert_tensor(const FrostTf__SignatureDef__TensorEntry *te, frost__sm_tensor *out) {
    memset(out, 0, sizeof *out);
    out->key = te->key ? te->key : "";
    const FrostTf__TensorInfo *ti = te->value;
    out->name = ti && ti->name ? ti->name : "";
    out->tf_dtype = ti ? (int)ti->dtype : 0;
    out->dtype = frost__tf_dtype(out->tf_dtype);
    out->rank = -1;
    if (ti && ti->tensor_shape && !ti->tensor_shape->unknown_rank &&
        ti->tensor_shape->n_dim <= FROST_MAX_RANK) {
        out->rank = (int)ti->tensor_shape->n_dim;
        for (int d = 0; d < out->rank; d++) {
            int64_t v = ti->tensor_shape->dim[d] ? ti->tensor_shape->dim[d]->size : -1;
            out->dims[d] = v < 0 ? -1 : v;
        }
    }
}

static frost_status build_info(frost__sm *sm, frost_error *err) {
    frost__tf_arena *ar = &sm->arena;
    frost__sm_info *in = &sm->info;
    const FrostTf__MetaGraphDef *mg = sm->mg;
    const FrostTf__MetaGraphDef__MetaInfoDef *mi = mg->meta_info_def;
    in->kind = sm->saved ? "SavedModel" : "TF1 checkpoint";
    in->tf_version = mi && mi->tensorflow_version ? mi->tensorflow_version : "";
    in->tags = mi ? (const char *const *)mi->tags : NULL;
    in->n_tags = mi ? (int)mi->n_tags : 0;
    in->n_meta_graphs = sm->saved ? (int)sm->saved->n_meta_graphs : 1;
    const char **all = frost__tf_alloc(ar, (size_t)in->n_meta_graphs * sizeof *all + 1);
    if (!all) return frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
    for (int i = 0; i < in->n_meta_graphs; i++)
        all[i] = tag_list(ar, sm->saved ? sm->saved->meta_graphs[i] : mg);
    in->all_tags = all;
    in->n_signatures = (int)mg->n_signature_def;
    frost__sm_signature *sigs = frost__tf_alloc(ar, (mg->n_signature_def + 1) * sizeof *sigs);
    if (!sigs) return frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
    for (size_t i = 0; i < mg->n_signature_def; i++) {
        const FrostTf__MetaGraphDef__SignatureEntry *se = mg->signature_def[i];
        frost__sm_signature *s = &sigs[i];
        s->key = se->key ? se->key : "";
        const FrostTf__SignatureDef *sd = se->value;
        s->method = sd && sd->method_name ? sd->method_name : "";
        s->n_inputs = sd ? (int)sd->n_inputs : 0;
        s->n_outputs = sd ? (int)sd->n_outputs : 0;
        s->inputs = frost__tf_alloc(ar, (size_t)(s->n_inputs + 1) * sizeof *s->inputs);
        s->outputs = frost__tf_alloc(ar, (size_t)(s->n_outputs + 1) * sizeof *s->outputs);
        if (!s->inputs || !s->outputs)
            return frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
        for (int k = 0; k < s->n_inputs; k++) convert_tensor(sd->inputs[k], &s->inputs[k]);
        for (int k = 0; k < s->n_outputs; k++) convert_tensor(sd->outputs[k], &s->outputs[k]);
    }
    in->signatures = sigs;
    if (sm->bundle) {
        frost__sm_variable *vars =
            frost__tf_alloc(ar, (size_t)(sm->bundle->n_entries + 1) * sizeof *vars);
        if (!vars) return frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
        for (int i = 0; i < sm->bundle->n_entries; i++) {
            const frost__bundle_entry *e = &sm->bundle->entries[i];
            vars[i] = (frost__sm_variable){e->name, e->tf_dtype, e->shape, e->size};
        }
        in->variables = vars;
        in->n_variables = sm->bundle->n_entries;
        in->n_shards = sm->bundle->num_shards;
    }
    const FrostTf__GraphDefWithLibrary *gd = mg->graph_def;
    in->n_graph_nodes = gd ? (int)gd->n_node : 0;
    in->n_functions = gd && gd->library ? (int)gd->library->n_function : 0;
    return FROST_OK;
}

/* Reads the index of the checkpoint at sm->ckpt_prefix, when it exists. */
static frost_status open_bundle(frost__sm *sm, frost_error *err) {
    char *index = frost__tf_printf(&sm->arena, "%s.index", sm->ckpt_prefix);
    if (!index) return frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
    if (!sm_source_exists(&sm->src, index)) return FROST_OK;
    void *data;
    size_t size;
    FROST_TRY(sm_source_read_all(&sm->src, index, &data, &size, err));
    frost_status st = frost__bundle_read_index(data, size, index, &sm->alloc, &sm->bundle, err);
    frost__free(&sm->alloc, data);
    return st;
}

/* The checkpoint prefix of a TF1 model: <meta stem> when <stem>.index exists, else what the
 * `checkpoint` file names. */
static frost_status tf1_prefix(frost__sm *sm, const char *meta_name, frost_error *err) {
    if (meta_name && ends_with(meta_name, ".meta")) {
        char *stem = frost__tf_strndup(&sm->arena, meta_name, strlen(meta_name) - 5);
        char *index = stem ? frost__tf_printf(&sm->arena, "%s.index", stem) : NULL;
        if (!index) return frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
        if (sm_source_exists(&sm->src, index)) {
            sm->ckpt_prefix = stem;
            return FROST_OK;
        }
    }
    if (sm_source_exists(&sm->src, "checkpoint")) {
        void *text;
        size_t n;
        FROST_TRY(sm_source_read_all(&sm->src, "checkpoint", &text, &n, err));
        char *prefix = checkpoint_prefix(&sm->arena, text, n);
        frost__free(&sm->alloc, text);
        if (!prefix)
            return frost__fail(err, FROST_E_FORMAT, NULL, NULL, -1,
                               "the 'checkpoint' file names no model_checkpoint_path");
        sm->ckpt_prefix = prefix;
        return FROST_OK;
    }
    /* In memory: the one *.index among the files. */
    for (int i = 0; sm->src.files && i < sm->src.n_files; i++) {
        const char *nm = sm->src.files[i].name;
        if (nm && ends_with(nm, ".index")) {
            sm->ckpt_prefix = frost__tf_strndup(&sm->arena, nm, strlen(nm) - 6);
            return FROST_OK;
        }
    }
    sm->ckpt_prefix =
        meta_name ? frost__tf_strndup(&sm->arena, meta_name, strlen(meta_name) - 5) : "model";
    return FROST_OK;  /* no checkpoint: only a graph without variables will freeze */
}

frost_status frost__sm_open(const char *path, const void *data, size_t size,
                            const frost_load_options *opts, frost__sm **out, frost_error *err) {
    *out = NULL;
    const frost_allocator *a =
        opts && opts->allocator ? opts->allocator : frost__default_allocator();
    frost__sm *sm = frost__calloc(a, 1, sizeof *sm);
    if (!sm) return frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
    sm->alloc = *a;
    sm->arena.a = &sm->alloc;
    sm->src.a = &sm->alloc;
    sm->pa.alloc = pb_alloc;
    sm->pa.free = pb_free;
    sm->pa.allocator_data = &sm->alloc;
    sm->ckpt_prefix = "variables/variables";
    bool has_ext = opts && (opts->struct_size == 0 ||
                            opts->struct_size >= offsetof(frost_load_options, n_files) + sizeof(int));
    if (opts) {
        sm->src.max_file_bytes = opts->max_file_bytes;
        sm->max_tensor_bytes = opts->max_tensor_bytes;
        sm->max_nodes = opts->max_nodes;
        sm->outputs = opts->outputs;
        sm->n_outputs = opts->n_outputs;
    }
    const char *tag = has_ext ? opts->tag : NULL;
    sm->signature = has_ext ? opts->signature : NULL;
    frost_status st = FROST_OK;
    void *owned = NULL;
    const char *meta_name = NULL;   /* a TF1 .meta, relative to the directory */
    bool tf1 = false;
    if (path) {
        const char *file = NULL;
        if (is_dir(path)) {
            sm->dir_copy = frost__strdup(a, path);
            if (dir_has(path, "saved_model.pb")) {
                file = "saved_model.pb";
            } else {
                tf1 = true;
            }
        } else {
            const char *b = base_name(path);
            sm->dir_copy = b == path ? frost__strdup(a, ".") : frost__strndup(a, path, (size_t)(b - path - 1));
            if (b != path && b - path == 1) {
                frost__free(a, sm->dir_copy);
                sm->dir_copy = frost__strdup(a, "/");
            }
            file = b;
            if (meta_beside(path)) file = frost__tf_printf(&sm->arena, "%s.meta", b);
            if (!file) goto oom;
            tf1 = ends_with(file, ".meta");
            if (tf1) meta_name = file;
        }
        if (!sm->dir_copy) {
            st = frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
            goto fail;
        }
        sm->src.dir = sm->dir_copy;
        if (tf1 && !meta_name) {  /* a checkpoint directory: the `checkpoint` file names it */
            if ((st = tf1_prefix(sm, NULL, err)) != FROST_OK) goto fail;
            meta_name = frost__tf_printf(&sm->arena, "%s.meta", sm->ckpt_prefix);
            if (!meta_name) goto oom;
            file = meta_name;
        }
        sm->what = frost__tf_strndup(&sm->arena, file, strlen(file));
        if (!sm->what) goto oom;
        if ((st = sm_source_read_all(&sm->src, file, &owned, &size, err)) != FROST_OK) goto fail;
        data = owned;
    } else {
        sm->src.files = has_ext ? opts->files : NULL;
        sm->src.n_files = has_ext ? opts->n_files : 0;
        bool has_variables = false;
        for (int i = 0; i < sm->src.n_files; i++)
            has_variables |= sm->src.files[i].name &&
                             strncmp(sm->src.files[i].name, "variables/", 10) == 0;
        /* A SavedModel starts with its schema version (field 1, varint: 0x08) or carries a
         * variables/ folder; otherwise the bytes are tried as a .meta first, then as a SavedModel
         * (both start with length-delimited fields). */
        tf1 = !has_variables && !(size >= 1 && ((const uint8_t *)data)[0] == 0x08);
        if (tf1) {
            FrostTf__MetaGraphDef *mg = frost_tf__meta_graph_def__unpack(&sm->pa, size, data);
            bool graph = mg && mg->graph_def && mg->graph_def->n_node > 0;
            if (mg) frost_tf__meta_graph_def__free_unpacked(mg, &sm->pa);
            if (!graph) tf1 = false;
        }
        sm->what = tf1 ? "model.meta" : "saved_model.pb";
    }
    if (!tf1) {
        sm->saved = frost_tf__saved_model__unpack(&sm->pa, size, data);
        if (!sm->saved) {
            st = parse_fail(sm, sm->what, size, err);
            goto fail;
        }
        if ((st = choose_meta_graph(sm, tag, err)) != FROST_OK) goto fail;
    } else {
        sm->meta_alone = frost_tf__meta_graph_def__unpack(&sm->pa, size, data);
        if (!sm->meta_alone) {
            st = parse_fail(sm, path ? sm->what : "model.meta", size, err);
            goto fail;
        }
        sm->mg = sm->meta_alone;
        if (!path && (st = tf1_prefix(sm, NULL, err)) != FROST_OK) goto fail;
        if (path && meta_name && strcmp(sm->ckpt_prefix, "variables/variables") == 0 &&
            (st = tf1_prefix(sm, meta_name, err)) != FROST_OK)
            goto fail;
    }
    if (!sm->mg->graph_def || sm->mg->graph_def->n_node == 0) {
        st = frost__fail(err, FROST_E_FORMAT, NULL, NULL, -1,
                         "'%s': the chosen MetaGraph holds no graph", sm->what);
        goto fail;
    }
    if ((st = open_bundle(sm, err)) != FROST_OK) goto fail;
    if ((st = build_info(sm, err)) != FROST_OK) goto fail;
    frost__free(a, owned);
    *out = sm;
    return FROST_OK;
oom:
    st = frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
fail:
    frost__free(a, owned);
    frost__sm_close(sm);
    return st;
}

void frost__sm_close(frost__sm *sm) {
    if (!sm) return;
    if (sm->saved) frost_tf__saved_model__free_unpacked(sm->saved, &sm->pa);
    if (sm->meta_alone) frost_tf__meta_graph_def__free_unpacked(sm->meta_alone, &sm->pa);
    frost__bundle_free(sm->bundle);
    frost__tf_arena_free(&sm->arena);
    frost_allocator a = sm->alloc;
    frost__free(&a, sm->dir_copy);
    frost__free(&a, sm);
}

void frost__sm_describe(const frost__sm *sm, frost__sm_info *out) { *out = sm->info; }
