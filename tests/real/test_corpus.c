/* test_corpus.c — the real-model corpus (corpus/models.tsv, fetched by scripts/fetch-corpus.sh,
 * references by scripts/corpus-references.mjs), run the way a user runs frost: for every model
 * with a reference, `frost run MODEL -i NAME=in.npy ... -o NAME=out.npy ...` as a child process,
 * then every written output is compared with the reference runtime's within the manifest's
 * tolerance, shapes and dtypes equal: |frost - ref| <= atol * max(1, max |ref|) + rtol * |ref|
 * (atol is relative to the output's own scale, so an upscaler's 0..255 pixels and a detector's
 * logits are held to the same number of significant digits).
 *
 * Each model's outcome must be the one tests/real/corpus_expect.tsv states for it:
 *   match             every output within tolerance
 *   refused: TEXT     the load failed and frost's message contains TEXT
 *   error: TEXT       the model loaded but the run failed with a message containing TEXT
 *   mismatch          a known wrong answer (listed loudly; the table in docs/models.md has it)
 * A crash, a sanitizer report, a time-out or a model without an expectation always fails, and so
 * does a model doing better than expected (update the file: node scripts/corpus-status.mjs --write).
 * Models whose package is not in the cache, or whose runtime could not make a reference, are
 * listed and not counted. Skips (exit 77) when the cache has no references at all.
 *
 * Environment: FROST_CORPUS_DIR (the cache), FROST_CORPUS_ONLY (only ids containing it),
 * FROST_CORPUS_TIMEOUT (seconds per model, default 300), FROST_CORPUS_FROST (another executable).
 * Writes one line per model to FROST_CORPUS_REPORT (default corpus_report.tsv beside this test's
 * executable in the build tree) for scripts/corpus-status.mjs. Never loads a model in-process:
 * everything goes through the CLI. */
#define _POSIX_C_SOURCE 200809L
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "npy.h"
#include "test.h"

#ifndef FROST_CORPUS_REPORT_DEFAULT
#define FROST_CORPUS_REPORT_DEFAULT "corpus_report.tsv"
#endif
#ifndef FROST_CLI
#error "FROST_CLI (the path of the frost executable) must be defined by the build"
#endif

enum outcome { O_MATCH, O_MISMATCH, O_REFUSED, O_ERROR, O_CRASH, O_TIMEOUT };
static const char *const outcome_words[] = {"match", "mismatch", "refused", "error", "crash",
                                            "timeout"};

typedef struct result {
    enum outcome outcome;
    double max_abs_err;     /* over every output (match / mismatch) */
    char detail[1024];      /* frost's message, or where the worst error is */
    double seconds;
} result;

/* snprintf through a function, so long paths are cut without -Wformat-truncation guessing. */
static void fmt(char *buf, size_t cap, const char *f, ...) __attribute__((format(printf, 3, 4)));
static void fmt(char *buf, size_t cap, const char *f, ...) {
    va_list ap;
    va_start(ap, f);
    vsnprintf(buf, cap, f, ap);
    va_end(ap);
}

/* The same default as scripts/test.sh and scripts/fetch-corpus.sh: a per-user cache outside the
 * clone, so fresh clones on one machine share it. */
static const char *cache_dir(void) {
    static char buf[4096];
    const char *env = getenv("FROST_CORPUS_DIR");
    if (env && *env) return env;
    const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    if (xdg && *xdg) fmt(buf, sizeof buf, "%s/frost/corpus", xdg);
    else fmt(buf, sizeof buf, "%s/.cache/frost/corpus", home && *home ? home : ".");
    return buf;
}

static char *read_text(const char *path) {
    size_t n = 0;
    char *s = frost_test_read_file(path, &n);
    if (!s) return NULL;
    char *t = realloc(s, n + 1);
    if (!t) { free(s); return NULL; }
    t[n] = 0;
    return t;
}

static bool is_dir(const char *p) {
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* ---- expectations: "id<TAB>expectation" lines ---- */
typedef struct expect { char *id, *text; bool seen; } expect;
static expect *expects;
static int n_expects;

static void load_expectations(const char *path) {
    char *s = read_text(path);
    if (!s) return;
    for (char *line = strtok(s, "\n"); line; line = strtok(NULL, "\n")) {
        if (line[0] == '#' || !line[0]) continue;
        char *tab = strchr(line, '\t');
        if (!tab) continue;
        *tab = 0;
        expect *e = realloc(expects, (size_t)(n_expects + 1) * sizeof *e);
        if (!e) break;
        expects = e;
        expects[n_expects++] = (expect){strdup(line), strdup(tab + 1), false};
    }
    free(s);
}

static expect *find_expectation(const char *id) {
    for (int i = 0; i < n_expects; i++)
        if (!strcmp(expects[i].id, id)) return &expects[i];
    return NULL;
}

/* ---- inputs fixed at load: "NAME=set:V" recipes of a models.tsv row ---- */
enum { MAX_FIXED = 8 };
typedef struct fixed_inputs { int n; char arg[MAX_FIXED][256]; /* "NAME=V" for --set */ } fixed_inputs;

/* Reads the inputs column (the fifth) of a models.tsv row. Such an input is given to frost as
 * `--set NAME=V` (fixed at load, its branches resolved) instead of `-i`; its reference was made
 * with V fed as an ordinary input. */
static void read_fixed_inputs(const char *row, fixed_inputs *f) {
    f->n = 0;
    const char *col = row;
    for (int k = 0; k < 4 && col; k++) {
        col = strchr(col, '\t');
        if (col) col++;
    }
    if (!col) return;
    size_t len = strcspn(col, "\t");
    for (const char *part = col; part < col + len && f->n < MAX_FIXED;) {
        size_t plen = strcspn(part, ";\t");
        if (plen > (size_t)(col + len - part)) plen = (size_t)(col + len - part);
        const char *eq = memchr(part, '=', plen);
        if (eq && (size_t)(part + plen - eq) > 5 && !strncmp(eq + 1, "set:", 4)) {
            const char *v = eq + 5;
            size_t vlen = strcspn(v, "@;\t");
            if (vlen > (size_t)(part + plen - v)) vlen = (size_t)(part + plen - v);
            fmt(f->arg[f->n++], sizeof f->arg[0], "%.*s=%.*s", (int)(eq - part), part, (int)vlen, v);
        }
        part += plen + 1;
    }
}

/* The "NAME=V" of input `name` when the row fixes it at load, else NULL. */
static const char *fixed_value(const fixed_inputs *f, const char *name) {
    size_t n = strlen(name);
    for (int i = 0; i < f->n; i++)
        if (!strncmp(f->arg[i], name, n) && f->arg[i][n] == '=') return f->arg[i];
    return NULL;
}

/* ---- running the CLI ---- */

/* Runs argv with stdout+stderr into `log`, killing it after `limit` seconds. Returns O_CRASH (a
 * signal: *exit_code = -signal), O_TIMEOUT, or O_ERROR for "exited" with *exit_code set (126: it
 * could not be started). */
static enum outcome run_child(char *const argv[], const char *log, double limit, int *exit_code,
                              double *seconds) {
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pid_t pid = fork();
    if (pid < 0) {
        *exit_code = 126;
        *seconds = 0;
        return O_ERROR;
    }
    if (pid == 0) {
        int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
            close(fd);
        }
        execv(argv[0], argv);
        _exit(126);
    }
    int status = 0;
    for (;;) {
        pid_t w = waitpid(pid, &status, WNOHANG);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        *seconds = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
        if (w == pid) break;
        if (w < 0 && errno != EINTR) return O_CRASH;
        if (*seconds > limit) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            return O_TIMEOUT;
        }
        struct timespec nap = {0, 20 * 1000 * 1000};
        nanosleep(&nap, NULL);
    }
    if (WIFSIGNALED(status)) {
        *exit_code = -WTERMSIG(status);
        return O_CRASH;
    }
    *exit_code = WEXITSTATUS(status);
    return O_ERROR;
}

/* The first line of the log that says what went wrong, without the model's path. */
static void first_message(const char *log_text, const char *model_path, char *out, size_t cap) {
    const char *line = log_text;
    const char *hit = strstr(log_text, "frost run: ");
    if (hit) line = hit + strlen("frost run: ");
    size_t n = strcspn(line, "\n");
    char buf[2048];
    fmt(buf, sizeof buf, "%.*s", (int)(n < sizeof buf - 1 ? n : sizeof buf - 1), line);
    /* "cannot load 'PATH': ..." and messages quoting the file: PATH becomes MODEL. */
    char *p;
    size_t plen = strlen(model_path);
    while (plen && (p = strstr(buf, model_path)) != NULL) {
        memmove(p + 5, p + plen, strlen(p + plen) + 1);
        memcpy(p, "MODEL", 5);
    }
    /* Tabs would break the report's columns. */
    for (char *q = buf; *q; q++)
        if (*q == '\t') *q = ' ';
    fmt(out, cap, "%s", buf);
}

static bool sanitizer_report(const char *log_text) {
    return strstr(log_text, "AddressSanitizer") || strstr(log_text, "LeakSanitizer") ||
           strstr(log_text, "UndefinedBehaviorSanitizer") || strstr(log_text, "runtime error: ") ||
           strstr(log_text, "ThreadSanitizer");
}

/* ---- comparing outputs ---- */
static double half_to_double(uint16_t h) {
    int e = (h >> 10) & 31, m = h & 1023;
    double v = e == 0 ? ldexp(m, -24) : e == 31 ? (m ? NAN : INFINITY) : ldexp(m + 1024, e - 25);
    return (h & 0x8000) ? -v : v;
}

static double element(const npy_array *a, size_t i) {
    switch (a->dtype) {
    case FROST_DTYPE_F32: return ((const float *)a->data)[i];
    case FROST_DTYPE_F64: return ((const double *)a->data)[i];
    case FROST_DTYPE_F16: return half_to_double(((const uint16_t *)a->data)[i]);
    case FROST_DTYPE_I8: return ((const int8_t *)a->data)[i];
    case FROST_DTYPE_I16: return ((const int16_t *)a->data)[i];
    case FROST_DTYPE_I32: return ((const int32_t *)a->data)[i];
    case FROST_DTYPE_I64: return (double)((const int64_t *)a->data)[i];
    case FROST_DTYPE_U8:
    case FROST_DTYPE_BOOL: return ((const uint8_t *)a->data)[i];
    case FROST_DTYPE_U16: return ((const uint16_t *)a->data)[i];
    case FROST_DTYPE_U32: return ((const uint32_t *)a->data)[i];
    case FROST_DTYPE_U64: return (double)((const uint64_t *)a->data)[i];
    default: return NAN;
    }
}

/* Compares one output; false (with the reason in r->detail) when it is outside tolerance. */
static bool compare_output(const char *name, const char *got_path, const char *want_path,
                           double atol, double rtol, result *r) {
    npy_array got = {0}, want = {0};
    frost_error err;
    bool ok = false;
    if (npy_read_file(want_path, &want, &err) != FROST_OK) {
        fmt(r->detail, sizeof r->detail, "reference %s unreadable: %s", want_path, err.message);
        r->max_abs_err = INFINITY;
        return false;
    }
    if (npy_read_file(got_path, &got, &err) != FROST_OK) {
        fmt(r->detail, sizeof r->detail, "output '%s' not written: %s", name, err.message);
        r->max_abs_err = INFINITY;
        goto done;
    }
    bool same_shape = got.rank == want.rank;
    for (int d = 0; same_shape && d < got.rank; d++) same_shape = got.dims[d] == want.dims[d];
    if (!same_shape || got.dtype != want.dtype) {
        char gs[128] = "", ws[128] = "";
        for (int d = 0; d < got.rank; d++)
            fmt(gs + strlen(gs), sizeof gs - strlen(gs), "%s%lld", d ? "," : "", (long long)got.dims[d]);
        for (int d = 0; d < want.rank; d++)
            fmt(ws + strlen(ws), sizeof ws - strlen(ws), "%s%lld", d ? "," : "", (long long)want.dims[d]);
        fmt(r->detail, sizeof r->detail, "output '%s' is %s [%s], the reference %s [%s]", name,
                 frost_dtype_name(got.dtype), gs, frost_dtype_name(want.dtype), ws);
        r->max_abs_err = INFINITY;
        goto done;
    }
    size_t n = want.bytes / (frost_dtype_size(want.dtype) ? frost_dtype_size(want.dtype) : 1);
    double scale = 1;
    for (size_t i = 0; i < n; i++) {
        double w = fabs(element(&want, i));
        if (w > scale && isfinite(w)) scale = w;
    }
    double worst_excess = 0, worst_abs = 0;
    size_t at = 0;
    ok = true;
    for (size_t i = 0; i < n; i++) {
        double g = element(&got, i), w = element(&want, i);
        if (isnan(w) && isnan(g)) continue;
        double d = fabs(g - w);
        if (isnan(d)) d = INFINITY;
        if (d > worst_abs) worst_abs = d;
        double excess = d - (atol * scale + rtol * fabs(w));
        if (excess > 0 && (ok || excess > worst_excess)) {
            if (ok || excess > worst_excess) {
                worst_excess = excess;
                at = i;
            }
            if (ok)
                fmt(r->detail, sizeof r->detail, "output '%s'[%zu] = %.7g, reference %.7g", name,
                         i, g, w);
            ok = false;
        }
    }
    if (!ok)
        fmt(r->detail, sizeof r->detail, "output '%s'[%zu] = %.7g, reference %.7g (max abs err %.3g)",
                 name, at, element(&got, at), element(&want, at), worst_abs);
    if (worst_abs > r->max_abs_err) r->max_abs_err = worst_abs;
done:
    npy_free(&got);
    npy_free(&want);
    return ok;
}

/* ---- one model ---- */
static void run_model(const char *id, const char *cache, const char *out_dir, double limit,
                      const fixed_inputs *fixed, result *r) {
    char path[4096], model[4096], log[4096];
    memset(r, 0, sizeof *r);
    fmt(path, sizeof path, "%s/refs/%s/manifest.json", cache, id);
    char *text = read_text(path);
    cJSON *m = text ? cJSON_Parse(text) : NULL;
    free(text);
    const cJSON *inputs = cJSON_GetObjectItemCaseSensitive(m, "inputs");
    const cJSON *outputs = cJSON_GetObjectItemCaseSensitive(m, "outputs");
    const cJSON *model_rel = cJSON_GetObjectItemCaseSensitive(m, "model");
    if (!cJSON_IsString(model_rel) || !cJSON_IsArray(inputs) || !cJSON_IsArray(outputs)) {
        r->outcome = O_ERROR;
        fmt(r->detail, sizeof r->detail, "malformed manifest %s", path);
        cJSON_Delete(m);
        return;
    }
    fmt(model, sizeof model, "%s/%s", cache, model_rel->valuestring);
    double atol = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(m, "atol"));
    double rtol = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(m, "rtol"));
    if (isnan(atol)) atol = 1e-4;
    if (isnan(rtol)) rtol = 1e-3;

    /* argv: frost run MODEL (-i NAME=FILE | --set NAME=V)... (-o NAME=FILE)... */
    int n_in = cJSON_GetArraySize(inputs), n_out = cJSON_GetArraySize(outputs);
    int argc = 0, cap = 4 + 2 * (n_in + n_out);
    char **argv = calloc((size_t)cap, sizeof *argv);
    char **owned = calloc((size_t)(n_in + n_out + 1), sizeof *owned);
    int n_owned = 0;
    const char *cli = getenv("FROST_CORPUS_FROST");   /* another frost executable to hold to it */
    argv[argc++] = (char *)(cli && *cli ? cli : FROST_CLI);
    argv[argc++] = "run";
    argv[argc++] = model;
    for (int k = 0; k < n_in + n_out; k++) {
        const cJSON *t = cJSON_GetArrayItem(k < n_in ? inputs : outputs, k < n_in ? k : k - n_in);
        const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(t, "name"));
        const char *file = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(t, "file"));
        if (!name || !file) continue;
        const char *set = k < n_in ? fixed_value(fixed, name) : NULL;
        if (set) {
            argv[argc++] = "--set";
            argv[argc++] = (char *)set;
            continue;
        }
        size_t len = strlen(name) + strlen(cache) + strlen(id) + strlen(out_dir) + strlen(file) + 32;
        char *b = malloc(len);
        if (k < n_in) fmt(b, len, "%s=%s/refs/%s/%s", name, cache, id, file);
        else fmt(b, len, "%s=%s/%s", name, out_dir, file);
        owned[n_owned++] = b;
        argv[argc++] = k < n_in ? "-i" : "-o";
        argv[argc++] = b;
    }
    argv[argc] = NULL;
    fmt(log, sizeof log, "%s/frost.log", out_dir);
    int code = -1;
    enum outcome o = run_child(argv, log, limit, &code, &r->seconds);
    char *log_text = read_text(log);
    if (!log_text) log_text = strdup("");
    if (o == O_TIMEOUT) {
        r->outcome = O_TIMEOUT;
        fmt(r->detail, sizeof r->detail, "frost run did not finish in %.3g s", limit);
    } else if (o == O_CRASH || sanitizer_report(log_text) || (code != 0 && code != 1)) {
        r->outcome = O_CRASH;
        const char *san = strstr(log_text, "ERROR: ");
        if (!san) san = strstr(log_text, "runtime error: ");
        fmt(r->detail, sizeof r->detail, "frost run %s %d: %.600s",
            o == O_CRASH ? "was killed by signal" : "exited with", o == O_CRASH ? -code : code,
            san ? san : log_text);
        for (char *q = r->detail; *q; q++)
            if (*q == '\t' || *q == '\n') *q = ' ';
    } else if (code == 1) {
        first_message(log_text, model, r->detail, sizeof r->detail);
        r->outcome = strstr(r->detail, "cannot load") ? O_REFUSED : O_ERROR;
    } else {
        r->outcome = O_MATCH;
        for (int k = 0; k < n_out; k++) {
            const cJSON *t = cJSON_GetArrayItem(outputs, k);
            const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(t, "name"));
            const char *file = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(t, "file"));
            char got[4096], want[4096];
            fmt(got, sizeof got, "%s/%s", out_dir, file);
            fmt(want, sizeof want, "%s/refs/%s/%s", cache, id, file);
            result one = *r;
            if (!compare_output(name, got, want, atol, rtol, &one) && r->outcome == O_MATCH) {
                r->outcome = O_MISMATCH;
                fmt(r->detail, sizeof r->detail, "%s", one.detail);
            }
            if (one.max_abs_err > r->max_abs_err) r->max_abs_err = one.max_abs_err;
            unlink(got);
        }
    }
    unlink(log);
    free(log_text);
    for (int i = 0; i < n_owned; i++) free(owned[i]);
    free(owned);
    free(argv);
    cJSON_Delete(m);
}

/* Does the outcome satisfy the expectation text? */
static bool as_expected(const result *r, const char *want) {
    if (r->outcome == O_CRASH || r->outcome == O_TIMEOUT) return false;
    if (!strcmp(want, "match")) return r->outcome == O_MATCH;
    if (!strcmp(want, "mismatch")) return r->outcome == O_MISMATCH;
    if (!strncmp(want, "refused: ", 9)) return r->outcome == O_REFUSED && strstr(r->detail, want + 9);
    if (!strncmp(want, "error: ", 7)) return r->outcome == O_ERROR && strstr(r->detail, want + 7);
    return false;
}

int main(void) {
    const char *cache = cache_dir();
    char refs[4096];
    fmt(refs, sizeof refs, "%s/refs", cache);
    if (!is_dir(refs))
        frost_test_skip(frost_test_fmt("no corpus references in %s: run scripts/fetch-corpus.sh and "
                                       "node scripts/corpus-references.mjs (or set FROST_CORPUS_DIR)",
                                       cache));
    load_expectations(FROST_SOURCE_DIR "/tests/real/corpus_expect.tsv");
    const char *limit_env = getenv("FROST_CORPUS_TIMEOUT");
    double limit = limit_env && atof(limit_env) > 0 ? atof(limit_env) : 300;
    const char *only = getenv("FROST_CORPUS_ONLY");   /* run the models whose id contains this */
    if (only && !*only) only = NULL;

    char out_dir[] = "/tmp/frost-corpus-XXXXXX";
    if (!mkdtemp(out_dir)) frost_test_skip("cannot make a temporary directory");
    const char *report_path = getenv("FROST_CORPUS_REPORT");
    FILE *report = fopen(report_path && *report_path ? report_path : FROST_CORPUS_REPORT_DEFAULT, "w");
    if (report) fprintf(report, "id\toutcome\tmax_abs_err\tseconds\tdetail\n");

    char *list = read_text(FROST_SOURCE_DIR "/corpus/models.tsv");
    CHECK_MSG(list != NULL, "corpus/models.tsv not found");
    int counts[6] = {0}, not_fetched = 0, no_reference = 0;
    for (char *save = NULL, *line = list ? strtok_r(list, "\n", &save) : NULL; line;
         line = strtok_r(NULL, "\n", &save)) {
        if (line[0] == '#' || !line[0]) continue;
        fixed_inputs fixed;
        read_fixed_inputs(line, &fixed);
        line[strcspn(line, "\t")] = 0;
        const char *id = line;
        if (only && !strstr(id, only)) continue;
        char mpath[4096];
        fmt(mpath, sizeof mpath, "%s/refs/%s/manifest.json", cache, id);
        char *mtext = read_text(mpath);
        if (!mtext) {
            printf("%-10s %-44s package not fetched or no reference made yet\n", "absent", id);
            not_fetched++;
            continue;
        }
        cJSON *mj = cJSON_Parse(mtext);
        free(mtext);
        const char *ref_error = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(mj, "error"));
        if (ref_error) {
            printf("%-10s %-44s its runtime made no reference: %s\n", "no-ref", id, ref_error);
            if (report) fprintf(report, "%s\tno-reference\t\t\t%s\n", id, ref_error);
            no_reference++;
            cJSON_Delete(mj);
            continue;
        }
        cJSON_Delete(mj);

        result r;
        run_model(id, cache, out_dir, limit, &fixed, &r);
        counts[r.outcome]++;
        expect *e = find_expectation(id);
        if (e) e->seen = true;
        bool ok = e && as_expected(&r, e->text);
        char err[32] = "", shown[1100], verdict[600] = "";
        if (r.outcome == O_MATCH || r.outcome == O_MISMATCH) fmt(err, sizeof err, "%.3g", r.max_abs_err);
        if (r.outcome == O_MATCH) fmt(shown, sizeof shown, "max abs err %s", err);
        else fmt(shown, sizeof shown, "%s", r.detail);
        if (!e) fmt(verdict, sizeof verdict, "   <-- NO EXPECTATION in tests/real/corpus_expect.tsv");
        else if (!ok) fmt(verdict, sizeof verdict, "   <-- EXPECTED %s", e->text);
        printf("%-10s %-44s %6.2fs %s%s\n", outcome_words[r.outcome], id, r.seconds, shown, verdict);
        if (report)
            fprintf(report, "%s\t%s\t%s\t%.2f\t%s\n", id, outcome_words[r.outcome], err, r.seconds,
                    r.outcome == O_MATCH ? "" : r.detail);
        /* Doing better than expected fails too, so the table in docs/models.md stays true. */
        CHECK_MSG(ok, "%s: %s, expected %s (progress? node scripts/corpus-status.mjs --write)", id,
                  outcome_words[r.outcome], e ? e->text : "nothing");
        fflush(stdout);
    }
    free(list);
    if (report) fclose(report);
    rmdir(out_dir);
    printf("corpus: %d match, %d mismatch, %d refused, %d error, %d crash, %d timeout; "
           "%d without a reference from their runtime, %d not in the cache\n",
           counts[O_MATCH], counts[O_MISMATCH], counts[O_REFUSED], counts[O_ERROR], counts[O_CRASH],
           counts[O_TIMEOUT], no_reference, not_fetched);
    for (int i = 0; i < n_expects; i++) {
        free(expects[i].id);
        free(expects[i].text);
    }
    free(expects);
    return frost_test_finish();
}
