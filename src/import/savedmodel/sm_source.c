/* sm_source.c — the companion files of a SavedModel or checkpoint (variables.index, the data
 * shards, a TF1 `checkpoint` file): read from the model's directory, or looked up by relative name
 * among the files a caller of frost_model_load_memory handed over. Never reads outside the model's
 * directory by choice: names come from the model's own layout ("variables/variables.index") or a
 * TF1 `checkpoint` file, and names with ".." components or absolute paths are refused. */
#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>

#include "import/savedmodel/sm_internal.h"

static bool safe_name(const char *name) {
    if (!name[0] || name[0] == '/') return false;
    for (const char *p = name; *p;) {
        const char *slash = strchr(p, '/');
        size_t len = slash ? (size_t)(slash - p) : strlen(p);
        if (len == 2 && p[0] == '.' && p[1] == '.') return false;
        p += len;
        if (*p == '/') p++;
    }
    return true;
}

static const frost_memory_file *memory_file(const sm_source *s, const char *name) {
    for (int i = 0; i < s->n_files; i++) {
        const char *n = s->files[i].name;
        if (!n) continue;
        if (n[0] == '.' && n[1] == '/') n += 2;
        if (strcmp(n, name) == 0) return &s->files[i];
    }
    return NULL;
}

static bool path_of(const sm_source *s, const char *name, char *buf, size_t cap) {
    int n = snprintf(buf, cap, "%s/%s", s->dir, name);
    return n > 0 && (size_t)n < cap;
}

bool sm_source_exists(const sm_source *s, const char *name) {
    if (!safe_name(name)) return false;
    if (s->files) return memory_file(s, name) != NULL;
    if (!s->dir) return false;
    char path[4096];
    struct stat sb;
    return path_of(s, name, path, sizeof path) && stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

static frost_status missing(const sm_source *s, const char *name, frost_error *err) {
    if (s->files)
        return frost__fail(err, FROST_E_IO, NULL, NULL, -1,
                           "the model needs the file '%s', which is not among the %d files given "
                           "(frost_load_options.files)",
                           name, s->n_files);
    return frost__fail(err, FROST_E_IO, NULL, NULL, -1, "the model needs '%s/%s': %s",
                       s->dir ? s->dir : ".", name, strerror(errno ? errno : ENOENT));
}

frost_status sm_source_read_all(const sm_source *s, const char *name, void **out, size_t *size,
                                frost_error *err) {
    *out = NULL;
    *size = 0;
    if (!safe_name(name))
        return frost__fail(err, FROST_E_FORMAT, NULL, NULL, -1,
                           "the model names the file '%s', outside its own directory", name);
    uint64_t max = s->max_file_bytes ? s->max_file_bytes : (uint64_t)2 << 30;
    if (s->files) {
        const frost_memory_file *m = memory_file(s, name);
        if (!m || (!m->data && m->size)) return missing(s, name, err);
        if (m->size > max)
            return frost__fail(err, FROST_E_LIMIT, NULL, NULL, -1,
                               "'%s' is %zu bytes, over the limit of %llu (max_file_bytes)", name,
                               m->size, (unsigned long long)max);
        *out = frost__alloc(s->a, m->size ? m->size : 1);
        if (!*out) return frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
        if (m->size) memcpy(*out, m->data, m->size);
        *size = m->size;
        return FROST_OK;
    }
    char path[4096];
    if (!s->dir || !path_of(s, name, path, sizeof path)) return missing(s, name, err);
    errno = 0;
    FILE *f = fopen(path, "rb");
    if (!f) return missing(s, name, err);
    struct stat sb;
    if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode)) {
        fclose(f);
        return frost__fail(err, FROST_E_IO, NULL, NULL, -1, "'%s' is not a regular file", path);
    }
    if ((uint64_t)sb.st_size > max) {
        fclose(f);
        return frost__fail(err, FROST_E_LIMIT, NULL, NULL, -1,
                           "'%s' is %lld bytes, over the limit of %llu (max_file_bytes)", path,
                           (long long)sb.st_size, (unsigned long long)max);
    }
    size_t n = (size_t)sb.st_size;
    void *buf = frost__alloc(s->a, n ? n : 1);
    if (!buf) {
        fclose(f);
        return frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory reading '%s'", path);
    }
    size_t got = n ? fread(buf, 1, n, f) : 0;
    fclose(f);
    if (got != n) {
        frost__free(s->a, buf);
        return frost__fail(err, FROST_E_IO, NULL, NULL, (int64_t)got, "short read of '%s'", path);
    }
    *out = buf;
    *size = n;
    return FROST_OK;
}

frost_status sm_source_read_range(const sm_source *s, const char *name, uint64_t offset, size_t n,
                                  void *buf, size_t *got, frost_error *err) {
    *got = 0;
    if (!safe_name(name))
        return frost__fail(err, FROST_E_FORMAT, NULL, NULL, -1,
                           "the model names the file '%s', outside its own directory", name);
    if (s->files) {
        const frost_memory_file *m = memory_file(s, name);
        if (!m || (!m->data && m->size)) return missing(s, name, err);
        if (offset >= m->size) return FROST_OK;
        size_t avail = m->size - (size_t)offset;
        *got = avail < n ? avail : n;
        memcpy(buf, (const char *)m->data + offset, *got);
        return FROST_OK;
    }
    char path[4096];
    if (!s->dir || !path_of(s, name, path, sizeof path)) return missing(s, name, err);
    errno = 0;
    FILE *f = fopen(path, "rb");
    if (!f) return missing(s, name, err);
    struct stat sb;
    if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode)) {
        fclose(f);
        return frost__fail(err, FROST_E_IO, NULL, NULL, -1, "'%s' is not a regular file", path);
    }
    if (offset < (uint64_t)sb.st_size) {
        if (fseeko(f, (off_t)offset, SEEK_SET) != 0) {
            fclose(f);
            return frost__fail(err, FROST_E_IO, NULL, NULL, -1, "cannot seek in '%s'", path);
        }
        *got = fread(buf, 1, n, f);
    }
    fclose(f);
    return FROST_OK;
}
