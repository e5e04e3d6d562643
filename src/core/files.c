/* files.c — reading files and companion files (files.h). The only place in the library that opens
 * a file; nothing here interprets the bytes. */
#include "core/files.h"

#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>

frost_status frost__read_file(const char *path, const frost_allocator *a, uint64_t max,
                              void **data, size_t *size, frost_error *err) {
    *data = NULL;
    *size = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return frost__fail(err, FROST_E_IO, NULL, NULL, -1, "cannot open '%s': %s", path,
                           strerror(errno));
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
    unsigned char *buf = frost__alloc(a, n + 1);
    if (!buf) {
        fclose(f);
        return frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory reading '%s'", path);
    }
    size_t got = n ? fread(buf, 1, n, f) : 0;
    fclose(f);
    if (got != n) {
        frost__free(a, buf);
        return frost__fail(err, FROST_E_IO, NULL, NULL, (int64_t)got, "short read of '%s'", path);
    }
    buf[n] = 0;
    *data = buf;
    *size = n;
    return FROST_OK;
}

bool frost__files_name_ok(const char *p) {
    if (!p || !*p || p[0] == '/' || strchr(p, '\\') || strchr(p, ':')) return false;
    for (const char *c = p;;) {
        const char *e = strchr(c, '/');
        size_t len = e ? (size_t)(e - c) : strlen(c);
        if (len == 0 || (len == 2 && c[0] == '.' && c[1] == '.')) return false;
        if (!e) return true;
        c = e + 1;
    }
}

static const frost_memory_file *in_memory(const frost__files *f, const char *name) {
    for (int i = 0; i < f->n_mem; i++)
        if (f->mem[i].name && strcmp(f->mem[i].name, name) == 0) return &f->mem[i];
    return NULL;
}

static bool join(const frost__files *f, const char *name, char *out, size_t cap) {
    return (size_t)snprintf(out, cap, "%s%s", f->dir, name) < cap;
}

frost_status frost__files_read(const frost__files *f, const char *name, const frost_allocator *a,
                               void **data, size_t *size, frost_error *err) {
    *data = NULL;
    *size = 0;
    if (!frost__files_name_ok(name))
        return frost__fail(err, FROST_E_FORMAT, NULL, NULL, -1,
                           "companion file '%s' must be a plain relative name inside the model's "
                           "folder", name ? name : "(null)");
    const frost_memory_file *m = in_memory(f, name);
    if (m) {
        if (!m->data && m->size)
            return frost__fail(err, FROST_E_INVALID_ARG, NULL, NULL, -1,
                               "frost_load_options.files: '%s' has no data", name);
        if ((uint64_t)m->size > f->max_bytes)
            return frost__fail(err, FROST_E_LIMIT, NULL, NULL, -1,
                               "'%s' is %zu bytes, over the limit of %llu (max_file_bytes)",
                               name, m->size,
                               (unsigned long long)f->max_bytes);
        unsigned char *buf = frost__alloc(a, m->size + 1);
        if (!buf) return frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
        if (m->size) memcpy(buf, m->data, m->size);
        buf[m->size] = 0;
        *data = buf;
        *size = m->size;
        return FROST_OK;
    }
    if (!f->dir)
        return frost__fail(err, FROST_E_IO, NULL, NULL, -1,
                           "the model needs its companion file '%s': loading from memory, pass it "
                           "in frost_load_options.files", name);
    char path[4096];
    if (!join(f, name, path, sizeof path))
        return frost__fail(err, FROST_E_LIMIT, NULL, NULL, -1, "path of '%s' too long", name);
    return frost__read_file(path, a, f->max_bytes, data, size, err);
}

bool frost__files_exist(const frost__files *f, const char *name) {
    if (!frost__files_name_ok(name)) return false;
    if (in_memory(f, name)) return true;
    char path[4096];
    struct stat sb;
    return f->dir && join(f, name, path, sizeof path) && stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}
