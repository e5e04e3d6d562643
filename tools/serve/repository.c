/* repository.c — the model repository: DIR/NAME/VERSION/model.{onnx,pb,h5,keras,tflite,json} or a
 * SavedModel (saved_model.pb) in the version directory, the highest version served, like TF
 * Serving. A poller rescans it: a new version is loaded beside the one serving (its sessions
 * created and planned), then swapped in under the lock; requests already holding the old version
 * finish on it, and it is freed when the last one lets go, so no request fails during a swap. A
 * version that appears while the scan runs is loaded only once its files stopped changing for one
 * poll; one that fails to load is retried only when its files change. It must never hold the lock
 * while loading, and never free a version a request still holds. */
#include "serve.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static const char *const model_files[] = {"model.onnx", "model.pb",     "model.h5",      "model.keras",
                                          "model.tflite", "model.json", "saved_model.pb"};

const char *serve_platform_name(frost_format f) {
    switch (f) {
    case FROST_FORMAT_TF_GRAPHDEF: return "tensorflow_graphdef";
    case FROST_FORMAT_ONNX: return "onnx_onnxv1";
    case FROST_FORMAT_KERAS_H5: return "keras_h5";
    case FROST_FORMAT_KERAS_V3: return "keras_keras";
    case FROST_FORMAT_TFJS_LAYERS: return "tensorflowjs_layers";
    case FROST_FORMAT_TFJS_GRAPH: return "tensorflowjs_graph";
    case FROST_FORMAT_TFLITE: return "tensorflow_tflite";
    case FROST_FORMAT_SAVED_MODEL: return "tensorflow_savedmodel";
    default: return "frost";
    }
}

static void logf_(const serve_repo *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void logf_(const serve_repo *r, const char *fmt, ...) {
    if (r->opts.quiet) return;
    va_list ap;
    va_start(ap, fmt);
    fputs("frost serve: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

static bool is_dir(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool is_file(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* The model file inside a version directory, or false. */
static bool find_model_file(const char *dir, char *out, size_t cap) {
    for (size_t i = 0; i < sizeof model_files / sizeof model_files[0]; i++) {
        int n = snprintf(out, cap, "%s/%s", dir, model_files[i]);
        if (n > 0 && (size_t)n < cap && is_file(out)) return true;
    }
    return false;
}

/* A version directory's name: decimal digits only, a positive int64. */
static bool parse_version(const char *s, int64_t *out) {
    if (!*s || *s == '0') return false;
    int64_t v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || v > (INT64_MAX - 9) / 10) return false;
        v = v * 10 + (*s - '0');
    }
    *out = v;
    return true;
}

static bool valid_model_name(const char *s) {
    size_t n = strlen(s);
    if (n == 0 || n >= SERVE_NAME_MAX || s[0] == '.') return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '_' || *s == '-' || *s == '.'))
            return false;
    return true;
}

/* FNV-1a over names, sizes and modification times of the files under `dir` (depth <= 3): changes
 * while a version is being copied in. */
static uint64_t fnv(uint64_t h, const void *p, size_t n) {
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 0x100000001b3ull;
    return h;
}

static uint64_t dir_signature(const char *dir, int depth, uint64_t h, int *budget) {
    DIR *d = opendir(dir);
    if (!d) return fnv(h, "?", 1);
    struct dirent *de;
    while ((de = readdir(d)) && --*budget > 0) {
        if (de->d_name[0] == '.' && (!de->d_name[1] || (de->d_name[1] == '.' && !de->d_name[2])))
            continue;
        char path[4096];
        if (snprintf(path, sizeof path, "%s/%s", dir, de->d_name) >= (int)sizeof path) continue;
        struct stat st;
        if (stat(path, &st) != 0) continue;
        h = fnv(h, de->d_name, strlen(de->d_name));
        if (S_ISDIR(st.st_mode)) {
            if (depth < 3) h = dir_signature(path, depth + 1, h, budget);
        } else {
            int64_t sz = st.st_size, mt = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
            h = fnv(h, &sz, sizeof sz);
            h = fnv(h, &mt, sizeof mt);
        }
    }
    closedir(d);
    return h;
}

static double now_ms(void) { return (double)serve_now_ns() / 1e6; }

static serve_version *load_version(serve_repo *r, serve_model *m, int64_t number, const char *path,
                                   serve_error *e) {
    serve_version *v = calloc(1, sizeof *v);
    if (!v) {
        serve_fail(e, 500, "out of memory");
        return NULL;
    }
    v->owner = m;
    v->number = number;
    v->path = strdup(path);
    frost_error err;
    frost_load_options lo = {.struct_size = sizeof lo, .allocator = r->opts.allocator};
    if (!v->path || frost_model_load_file(path, &lo, &v->model, &err) != FROST_OK) {
        serve_fail(e, 500, "%s", v->path ? err.message : "out of memory");
        free(v->path);
        free(v);
        return NULL;
    }
    v->n_inputs = frost_model_input_count(v->model);
    v->n_outputs = frost_model_output_count(v->model);
    if (v->n_inputs > SERVE_MAX_IO || v->n_outputs > SERVE_MAX_IO) {
        serve_fail(e, 500, "the model has %d inputs and %d outputs; frost serve takes up to %d each",
                   v->n_inputs, v->n_outputs, SERVE_MAX_IO);
        goto fail;
    }
    for (int i = 0; i < v->n_inputs; i++) frost_model_input_info(v->model, i, &v->inputs[i]);
    for (int i = 0; i < v->n_outputs; i++) frost_model_output_info(v->model, i, &v->outputs[i]);
    if (!serve_pool_init(&v->pool, v->model, r->opts.sessions_per_model, r->opts.model_threads, e))
        goto fail;
    atomic_init(&v->refs, 1);
    return v;
fail:
    frost_model_free(v->model);
    free(v->path);
    free(v);
    return NULL;
}

void serve_version_release(serve_version *v) {
    if (!v || atomic_fetch_sub(&v->refs, 1) != 1) return;
    serve_pool_destroy(&v->pool);
    frost_model_free(v->model);
    free(v->path);
    free(v);
}

/* The slot for a name, created when missing (the scan thread is the only creator). */
static serve_model *slot_for(serve_repo *r, const char *name) {
    int n = atomic_load(&r->n_models);
    for (int i = 0; i < n; i++)
        if (strcmp(r->models[i].name, name) == 0) return &r->models[i];
    if (n == SERVE_MAX_MODELS) return NULL;
    serve_model *m = &r->models[n];
    snprintf(m->name, sizeof m->name, "%s", name);
    m->status_version = -1;
    m->seen_version = m->failed_version = -1;
    atomic_store(&r->n_models, n + 1);   /* published after the name is written */
    return m;
}

static void set_status(serve_repo *r, serve_model *m, int64_t version, serve_version_state st,
                       const char *error) {
    pthread_mutex_lock(&r->lock);
    m->status_version = version;
    m->status_state = st;
    snprintf(m->status_error, sizeof m->status_error, "%s", error ? error : "");
    pthread_mutex_unlock(&r->lock);
}

static void swap_in(serve_repo *r, serve_model *m, serve_version *v) {
    pthread_mutex_lock(&r->lock);
    serve_version *old = m->current;
    m->current = v;
    if (v) {
        m->status_version = v->number;
        m->status_state = SERVE_VS_AVAILABLE;
        m->status_error[0] = 0;
    } else if (old) {
        m->status_version = old->number;
        m->status_state = SERVE_VS_UNLOADED;
    }
    pthread_mutex_unlock(&r->lock);
    serve_version_release(old);   /* freed now, or by the last request holding it */
}

/* Brings one model to its highest version. `stable_wait`: a version not seen at the previous poll
 * waits one more poll before it loads (it may still be being copied in). */
static void sync_model(serve_repo *r, serve_model *m, int64_t best, const char *best_path,
                       uint64_t sig, bool stable_wait) {
    pthread_mutex_lock(&r->lock);
    m->wanted = best > 0;
    int64_t cur = m->current ? m->current->number : -1;
    pthread_mutex_unlock(&r->lock);
    if (best <= 0) {
        if (cur > 0) {
            logf_(r, "model '%s': no version left in the repository; unloading version %" PRId64, m->name, cur);
            swap_in(r, m, NULL);
        }
        return;
    }
    if (best == cur) return;
    if (best == m->failed_version && sig == m->failed_signature) return;
    if (stable_wait && (best != m->seen_version || sig != m->seen_signature)) {
        m->seen_version = best;
        m->seen_signature = sig;
        return;
    }
    set_status(r, m, best, SERVE_VS_LOADING, NULL);
    double t0 = now_ms();
    serve_error e = {0};
    serve_version *v = load_version(r, m, best, best_path, &e);
    atomic_fetch_add(&m->metrics.loads, 1);
    if (!v) {
        atomic_fetch_add(&m->metrics.load_failures, 1);
        m->failed_version = best;
        m->failed_signature = sig;
        logf_(r, "model '%s' version %" PRId64 ": cannot load '%s': %s%s", m->name, best, best_path,
              e.message, cur > 0 ? " (the version serving stays)" : "");
        set_status(r, m, best, SERVE_VS_FAILED, e.message);
        if (cur > 0) {   /* status shows the failure; the old version keeps serving */
            pthread_mutex_lock(&r->lock);
            m->status_version = best;
            pthread_mutex_unlock(&r->lock);
        }
        return;
    }
    logf_(r, "model '%s' version %" PRId64 " loaded from '%s' (%s, %d sessions, %.0f ms)%s", m->name, best,
          best_path, serve_platform_name(frost_model_format(v->model)), v->pool.size, now_ms() - t0,
          cur > 0 ? ", swapped in" : "");
    swap_in(r, m, v);
}

static void scan_repository(serve_repo *r, bool stable_wait) {
    DIR *d = opendir(r->opts.repository);
    if (!d) {
        logf_(r, "cannot read the model repository '%s': %s", r->opts.repository, strerror(errno));
        return;
    }
    bool seen[SERVE_MAX_MODELS] = {0};
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.') continue;
        char mdir[4096];
        if (snprintf(mdir, sizeof mdir, "%s/%s", r->opts.repository, de->d_name) >= (int)sizeof mdir ||
            !is_dir(mdir))
            continue;
        if (!valid_model_name(de->d_name)) continue;
        serve_model *m = slot_for(r, de->d_name);
        if (!m) {
            logf_(r, "more than %d models: '%s' is not served", SERVE_MAX_MODELS, de->d_name);
            continue;
        }
        seen[m - r->models] = true;
        /* the highest numbered version directory that holds a model file */
        int64_t best = -1;
        char best_path[4096] = "", best_dir[4096] = "";
        DIR *vd = opendir(mdir);
        struct dirent *ve;
        while (vd && (ve = readdir(vd))) {
            int64_t num;
            char vdir[4096], file[4096];
            if (!parse_version(ve->d_name, &num) || num <= best) continue;
            if (snprintf(vdir, sizeof vdir, "%s/%s", mdir, ve->d_name) >= (int)sizeof vdir ||
                !is_dir(vdir) || !find_model_file(vdir, file, sizeof file))
                continue;
            best = num;
            memcpy(best_path, file, sizeof file);
            memcpy(best_dir, vdir, sizeof vdir);
        }
        if (vd) closedir(vd);
        int budget = 10000;
        uint64_t sig = best > 0 ? dir_signature(best_dir, 0, 0xcbf29ce484222325ull, &budget) : 0;
        sync_model(r, m, best, best_path, sig, stable_wait);
    }
    closedir(d);
    int n = atomic_load(&r->n_models);
    for (int i = 0; i < n; i++)
        if (!seen[i]) sync_model(r, &r->models[i], -1, NULL, 0, false);   /* its folder is gone */
}

void serve_repo_scan(serve_repo *r) {
    bool first = !atomic_load(&r->ready);
    if (r->opts.single_model) {
        serve_model *m = slot_for(r, r->opts.single_name);
        if (m && !m->current) sync_model(r, m, 1, r->opts.single_model, 0, false);
    } else {
        scan_repository(r, !first);
    }
    atomic_store(&r->ready, true);
}

bool serve_repo_open(serve_repo *r, const serve_repo_options *o, serve_error *e) {
    memset(r, 0, sizeof *r);
    r->opts = *o;
    if (o->repository && !is_dir(o->repository))
        return serve_fail(e, 400, "the model repository '%s' is not a directory", o->repository);
    if (o->single_model && !valid_model_name(o->single_name))
        return serve_fail(e, 400, "model name '%s': use letters, digits, '_', '-' and '.' (up to %d)",
                          o->single_name, SERVE_NAME_MAX - 1);
    r->models = calloc(SERVE_MAX_MODELS, sizeof *r->models);
    if (!r->models) return serve_fail(e, 500, "out of memory");
    pthread_mutex_init(&r->lock, NULL);
    pthread_mutex_init(&r->poll_lock, NULL);
    pthread_cond_init(&r->poll_wake, NULL);
    return true;
}

static void *poller(void *arg) {
    serve_repo *r = arg;
    for (;;) {
        pthread_mutex_lock(&r->poll_lock);
        if (!atomic_load(&r->stop)) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            double s = r->opts.poll_seconds;
            ts.tv_sec += (time_t)s;
            ts.tv_nsec += (long)((s - (double)(time_t)s) * 1e9);
            if (ts.tv_nsec >= 1000000000) ts.tv_sec++, ts.tv_nsec -= 1000000000;
            pthread_cond_timedwait(&r->poll_wake, &r->poll_lock, &ts);
        }
        pthread_mutex_unlock(&r->poll_lock);
        if (atomic_load(&r->stop)) return NULL;
        serve_repo_scan(r);
    }
}

bool serve_repo_start_polling(serve_repo *r, serve_error *e) {
    if (!r->opts.repository || r->opts.poll_seconds <= 0) return true;
    if (pthread_create(&r->poller, NULL, poller, r) != 0)
        return serve_fail(e, 500, "cannot start the repository poller thread");
    r->poller_running = true;
    return true;
}

void serve_repo_close(serve_repo *r) {
    if (!r->models) return;
    if (r->poller_running) {
        pthread_mutex_lock(&r->poll_lock);
        atomic_store(&r->stop, true);
        pthread_cond_signal(&r->poll_wake);
        pthread_mutex_unlock(&r->poll_lock);
        pthread_join(r->poller, NULL);
    }
    int n = atomic_load(&r->n_models);
    for (int i = 0; i < n; i++) serve_version_release(r->models[i].current);
    free(r->models);
    pthread_mutex_destroy(&r->lock);
    pthread_mutex_destroy(&r->poll_lock);
    pthread_cond_destroy(&r->poll_wake);
    memset(r, 0, sizeof *r);
}

serve_model *serve_repo_find(serve_repo *r, const char *name, size_t name_len) {
    int n = atomic_load(&r->n_models);
    for (int i = 0; i < n; i++)
        if (strlen(r->models[i].name) == name_len && memcmp(r->models[i].name, name, name_len) == 0)
            return &r->models[i];
    return NULL;
}

/* "'a', 'b'" of the models that have a version loaded; call under the lock. */
static void list_models(serve_repo *r, char *buf, size_t cap) {
    size_t o = 0;
    buf[0] = 0;
    int n = atomic_load(&r->n_models), shown = 0;
    for (int i = 0; i < n && o + 1 < cap; i++) {
        if (!r->models[i].current) continue;
        int k = snprintf(buf + o, cap - o, "%s'%s'", shown++ ? ", " : "", r->models[i].name);
        if (k < 0 || (size_t)k >= cap - o) break;
        o += (size_t)k;
    }
    if (!shown) snprintf(buf, cap, "none");
}

serve_version *serve_repo_acquire(serve_repo *r, const char *name, size_t name_len, int64_t version,
                                  serve_model **model_out, serve_error *e) {
    char shown[SERVE_NAME_MAX + 8];
    size_t sn = name_len < SERVE_NAME_MAX ? name_len : SERVE_NAME_MAX;
    memcpy(shown, name, sn);
    shown[sn] = 0;
    if (name_len > SERVE_NAME_MAX) strcpy(shown + sn, "...");
    serve_model *m = serve_repo_find(r, name, name_len);
    if (model_out) *model_out = m;
    pthread_mutex_lock(&r->lock);
    serve_version *v = m ? m->current : NULL;
    if (!v) {
        char names[256];
        list_models(r, names, sizeof names);
        if (m && m->status_state == SERVE_VS_FAILED)
            serve_fail(e, 404, "model '%s' has no version loaded: version %" PRId64 " failed to load: %s",
                       shown, m->status_version, m->status_error);
        else if (m && m->status_state == SERVE_VS_LOADING)
            serve_fail(e, 404, "model '%s' is still loading", shown);
        else
            serve_fail(e, 404, "model '%s' not found; models served: %s", shown, names);
        pthread_mutex_unlock(&r->lock);
        return NULL;
    }
    if (version >= 0 && version != v->number) {
        serve_fail(e, 404, "model '%s' has no version %" PRId64 " loaded; version %" PRId64 " is served",
                   shown, version, v->number);
        pthread_mutex_unlock(&r->lock);
        return NULL;
    }
    atomic_fetch_add(&v->refs, 1);
    pthread_mutex_unlock(&r->lock);
    return v;
}

bool serve_repo_ready(serve_repo *r) {
    if (!atomic_load(&r->ready)) return false;
    bool ok = true;
    pthread_mutex_lock(&r->lock);
    int n = atomic_load(&r->n_models);
    for (int i = 0; i < n; i++)
        if (r->models[i].wanted && !r->models[i].current) ok = false;
    pthread_mutex_unlock(&r->lock);
    return ok;
}
