/* conformance.c — runs ONNX's own backend test suite (Debian's libonnx-testdata: data/node,
 * data/simple, data/pytorch-converted, data/pytorch-operator) through frost's public API and prints
 * one line per test: pass, fail (with the largest error) or unsupported (with frost's message
 * naming the op or attribute), then a summary per category.
 *
 * Exit status: 0 when every test whose ops frost supports passes (tests listed in the known-
 * failures file, each with a reason, excepted), 1 otherwise, 77 (skip) when the suite is absent.
 * Each test runs in a child process, so a crash is reported as that test's failure and the run
 * goes on. It must never write anywhere but stdout. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "frost.h"
#include "import/import.h"
#include "import/onnx/onnx_internal.h"

/* Paths here are the test suite's own short layout joined to a folder that fits in PATH_MAX; a
 * truncated one would just fail to open, so GCC's truncation warnings add nothing. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wformat-truncation"
#endif

#define DEFAULT_DATA "/usr/share/libonnx-testdata/data"
static const char *const categories[] = {"node", "simple", "pytorch-converted", "pytorch-operator"};

enum { R_PASS = 0, R_FAIL = 1, R_UNSUPPORTED = 2 };

/* What frost reports as a limit rather than a wrong answer: an unsupported op, attribute or
 * dtype, or a shape operand (Reshape's shape, Slice's starts, ...) fed as run-time data, which
 * frost's plan-once engine requires at plan time. */
static int classify(frost_status st, const char *msg) {
    if (st == FROST_E_UNSUPPORTED) return R_UNSUPPORTED;
    if (strstr(msg, "not known at plan time") || strstr(msg, "is not known")) return R_UNSUPPORTED;
    if (st == FROST_E_DTYPE && (strstr(msg, "only f32 is supported") || strstr(msg, "does not support")))
        return R_UNSUPPORTED;
    return R_FAIL;
}

static double g_rtol = 1e-3, g_atol = 1e-5;

static void *read_all(const char *path, size_t *size) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    if (fseek(f, 0, SEEK_END) != 0) {
        fclose(f);
        return NULL;
    }
    long n = ftell(f);
    rewind(f);
    void *buf = malloc(n > 0 ? (size_t)n : 1);
    if (buf && n > 0 && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    if (buf) *size = (size_t)(n > 0 ? n : 0);
    return buf;
}

static bool exists(const char *path) {
    struct stat st;
    return stat(path, &st) == 0;
}

typedef struct tensor {
    char name[256];
    frost_dtype dtype;
    frost__shape shape;
    void *data;
    size_t nbytes;
} tensor;

/* Reads a TensorProto .pb. Returns a status; unsupported dtypes give FROST_E_UNSUPPORTED. */
static frost_status read_tensor(const char *path, tensor *t, frost_error *err) {
    memset(t, 0, sizeof *t);
    size_t size;
    void *bytes = read_all(path, &size);
    if (!bytes) {
        snprintf(err->message, sizeof err->message, "cannot read %s", path);
        return err->code = FROST_E_IO;
    }
    FrostOnnx__TensorProto *tp = frost_onnx__tensor_proto__unpack(NULL, size, bytes);
    free(bytes);
    if (!tp) {
        snprintf(err->message, sizeof err->message, "%s is not a TensorProto (a sequence or map?)",
                 path);
        return err->code = FROST_E_UNSUPPORTED;
    }
    if (tp->name) snprintf(t->name, sizeof t->name, "%s", tp->name);
    frost_status st = frost__onnx_decode_tensor(tp, frost__default_allocator(), 0, t->name,
                                                &t->dtype, &t->shape, &t->data, &t->nbytes, err);
    frost_onnx__tensor_proto__free_unpacked(tp, NULL);
    return st;
}

static void free_tensor(tensor *t) {
    frost__free(frost__default_allocator(), t->data);
    t->data = NULL;
}

/* Largest |got - want| scaled by the tolerance; <= 1 passes. NaN must match NaN. */
static double compare(const tensor *want, const void *got, frost_dtype dt, double *max_abs) {
    int64_t n = frost__shape_numel(&want->shape);
    double worst = 0;
    *max_abs = 0;
    for (int64_t i = 0; i < n; i++) {
        double a = frost__read_double(dt, got, i), b = frost__read_double(want->dtype, want->data, i);
        if (isnan(a) || isnan(b)) {
            if (!(isnan(a) && isnan(b))) {
                *max_abs = INFINITY;
                return INFINITY;
            }
            continue;
        }
        if (isinf(a) || isinf(b)) {
            if (a != b) {
                *max_abs = INFINITY;
                return INFINITY;
            }
            continue;
        }
        double d = fabs(a - b);
        if (d > *max_abs) *max_abs = d;
        bool exact = !frost__dtype_is_float(want->dtype);
        double tol = exact ? 0 : g_atol + g_rtol * fabs(b);
        double r = d == 0 ? 0 : tol == 0 ? INFINITY : d / tol;
        if (r > worst) worst = r;
    }
    return worst;
}

/* Runs one test (model + every test_data_set_*). Prints its line; returns R_*. */
static int run_test(const char *cat, const char *dir, const char *name) {
    char path[4400];
    snprintf(path, sizeof path, "%s/model.onnx", dir);
    frost_error err;
    memset(&err, 0, sizeof err);
    frost_load_options lo;
    memset(&lo, 0, sizeof lo);
    lo.struct_size = sizeof lo;
    lo.format = FROST_FORMAT_ONNX;
    lo.onnx_feedable_initializers = 1; /* the suite may feed what the spec lets callers override */
    frost_model *m = NULL;
    frost_status st = frost_model_load_file(path, &lo, &m, &err);
    if (st != FROST_OK) {
        bool unsup = classify(st, err.message) == R_UNSUPPORTED;
        printf("%s/%s: %s (%s)\n", cat, name, unsup ? "unsupported" : "fail", err.message);
        return unsup ? R_UNSUPPORTED : R_FAIL;
    }
    int result = R_PASS;
    double worst_abs = 0;
    char why[600] = "";
    int n_sets = 0;
    for (int set = 0; result == R_PASS; set++) {
        char sdir[4200];
        snprintf(sdir, sizeof sdir, "%s/test_data_set_%d", dir, set);
        if (!exists(sdir)) break;
        n_sets++;
        frost_session *s = NULL;
        st = frost_session_create(m, NULL, &s, &err);
        if (st != FROST_OK) {
            result = classify(st, err.message);
            snprintf(why, sizeof why, "session: %s", err.message);
            break;
        }
        /* Inputs, by name when the .pb names them, else by position. */
        for (int k = 0; result == R_PASS; k++) {
            snprintf(path, sizeof path, "%s/input_%d.pb", sdir, k);
            if (!exists(path)) break;
            tensor t;
            st = read_tensor(path, &t, &err);
            if (st != FROST_OK) {
                result = classify(st, err.message);
                snprintf(why, sizeof why, "input %d: %s", k, err.message);
                break;
            }
            int idx = k;
            if (t.name[0] && frost_session_input_index(s, t.name, &idx, NULL) != FROST_OK) {
                /* frost prunes graph inputs nothing needs (CastLike's 'like', Dropout's ratio) */
                free_tensor(&t);
                continue;
            }
            frost_tensor_info info;
            if (frost_session_input_info(s, idx, &info) != FROST_OK) {
                result = R_FAIL;
                snprintf(why, sizeof why, "input %d ('%s') is not an input of the model", k, t.name);
            } else if (info.dtype != t.dtype) {
                result = R_FAIL;
                snprintf(why, sizeof why, "input '%s' is %s in the model, %s in the test", info.name,
                         frost_dtype_name(info.dtype), frost_dtype_name(t.dtype));
            } else if ((st = frost_session_set_input_shape(s, idx, t.shape.rank, t.shape.d, &err)) !=
                           FROST_OK ||
                       (st = frost_session_set_input(s, idx, t.data, t.nbytes, &err)) != FROST_OK) {
                result = classify(st, err.message);
                snprintf(why, sizeof why, "input '%s': %s", info.name, err.message);
            }
            free_tensor(&t);
        }
        if (result == R_PASS && (st = frost_session_run(s, &err)) != FROST_OK) {
            result = classify(st, err.message);
            snprintf(why, sizeof why, "run: %s", err.message);
        }
        for (int k = 0; result == R_PASS; k++) {
            snprintf(path, sizeof path, "%s/output_%d.pb", sdir, k);
            if (!exists(path)) break;
            tensor t;
            st = read_tensor(path, &t, &err);
            if (st != FROST_OK) {
                result = classify(st, err.message);
                snprintf(why, sizeof why, "output %d: %s", k, err.message);
                break;
            }
            int idx = k;
            if (t.name[0] && frost_session_output_index(s, t.name, &idx, NULL) != FROST_OK) idx = k;
            frost_tensor_info info;
            const void *got = frost_session_output_data(s, idx, &info);
            bool same_shape = got && info.rank == t.shape.rank;
            for (int i = 0; same_shape && i < info.rank; i++) same_shape = info.dims[i] == t.shape.d[i];
            if (!got) {
                result = R_FAIL;
                snprintf(why, sizeof why, "output %d missing", k);
            } else if (!same_shape) {
                char a[96], b[96];
                frost__shape gs = frost__shape_make(info.rank, info.dims);
                result = R_FAIL;
                snprintf(why, sizeof why, "output '%s' has shape %s, want %s", info.name,
                         frost__shape_str(&gs, a, sizeof a), frost__shape_str(&t.shape, b, sizeof b));
            } else if ((frost__dtype_is_float(info.dtype) != frost__dtype_is_float(t.dtype)) ||
                       (!frost__dtype_is_float(t.dtype) && info.dtype != t.dtype &&
                        !(info.dtype == FROST_DTYPE_BOOL || t.dtype == FROST_DTYPE_BOOL))) {
                result = R_FAIL;
                snprintf(why, sizeof why, "output '%s' is %s, want %s", info.name,
                         frost_dtype_name(info.dtype), frost_dtype_name(t.dtype));
            } else if (info.dtype != t.dtype) {
                result = R_FAIL;
                snprintf(why, sizeof why, "output '%s' is %s, want %s", info.name,
                         frost_dtype_name(info.dtype), frost_dtype_name(t.dtype));
            } else {
                double max_abs, r = compare(&t, got, info.dtype, &max_abs);
                if (max_abs > worst_abs) worst_abs = max_abs;
                if (r > 1) {
                    result = R_FAIL;
                    snprintf(why, sizeof why, "output '%s' max error %.3g", info.name, max_abs);
                }
            }
            free_tensor(&t);
        }
        frost_session_free(s);
    }
    frost_model_free(m);
    if (result == R_PASS)
        printf("%s/%s: pass (max error %.2g, %d data set%s)\n", cat, name, worst_abs, n_sets,
               n_sets == 1 ? "" : "s");
    else
        printf("%s/%s: %s (%s)\n", cat, name, result == R_UNSUPPORTED ? "unsupported" : "fail", why);
    return result;
}

/* --dump MODEL: the graph as imported (before the load passes), one node per line. */
static int dump(const char *path) {
    size_t size;
    void *bytes = read_all(path, &size);
    if (!bytes) {
        fprintf(stderr, "cannot read %s\n", path);
        return 1;
    }
    frost__graph g;
    frost_error err;
    frost__graph_init(&g, NULL, &err);
    frost_status st = frost__import_onnx(bytes, size, &g, &err);
    free(bytes);
    if (st != FROST_OK) printf("import failed: %s\n", err.message);
    for (int i = 0; i < g.n_values; i++) {
        const frost__value *v = &g.values[i];
        char sb[96];
        if (v->kind == FROST__VAL_NODE) continue;
        printf("%s %s %s %s\n", v->kind == FROST__VAL_CONST ? "const" : "input", v->name,
               frost_dtype_name(v->dtype), frost__shape_str(&v->shape, sb, sizeof sb));
    }
    for (int i = 0; i < g.n_nodes; i++) {
        const frost__node *n = &g.nodes[i];
        printf("%s = %s[%s](", n->name, frost__op_name(n->op), n->src_op);
        for (int k = 0; k < n->n_in; k++)
            printf("%s%s", k ? ", " : "", n->in[k] >= 0 ? g.values[n->in[k]].name : "-");
        char sb[96];
        printf(") -> %s %s\n", frost_dtype_name(g.values[n->out[0]].dtype),
               frost__shape_str(&g.values[n->out[0]].shape, sb, sizeof sb));
    }
    frost__graph_free(&g);
    return st == FROST_OK ? 0 : 1;
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Known failures: "category/test_name  reason" per line; '#' starts a comment. */
typedef struct known { char name[256]; } known;
static known *g_known;
static int g_n_known;

static void load_known(const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) return;
    char line[1024];
    while (fgets(line, sizeof line, f)) {
        char *p = line;
        while (*p == ' ' || *p == '\t') p++;
        if (*p == '#' || *p == '\n' || !*p) continue;
        char nm[256];
        if (sscanf(p, "%255s", nm) != 1) continue;
        known *k = realloc(g_known, (size_t)(g_n_known + 1) * sizeof *k);
        if (!k) break;
        g_known = k;
        snprintf(g_known[g_n_known++].name, sizeof g_known[0].name, "%s", nm);
    }
    fclose(f);
}

static bool is_known(const char *cat, const char *name) {
    char full[512];
    snprintf(full, sizeof full, "%s/%s", cat, name);
    for (int i = 0; i < g_n_known; i++)
        if (strcmp(g_known[i].name, full) == 0) return true;
    return false;
}

int main(int argc, char **argv) {
    const char *data = DEFAULT_DATA, *filter = NULL, *known_path = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--data") == 0 && i + 1 < argc) data = argv[++i];
        else if (strcmp(argv[i], "--filter") == 0 && i + 1 < argc) filter = argv[++i];
        else if (strcmp(argv[i], "--known") == 0 && i + 1 < argc) known_path = argv[++i];
        else if (strcmp(argv[i], "--dump") == 0 && i + 1 < argc) return dump(argv[++i]);
        else {
            fprintf(stderr,
                    "usage: %s [--data DIR] [--filter SUBSTRING] [--known FILE] | --dump MODEL\n",
                    argv[0]);
            return 2;
        }
    }
    if (!exists(data)) {
        printf("skipped: ONNX backend test data not found at %s (apt-get install libonnx-testdata)\n",
               data);
        return 77;
    }
    if (known_path) load_known(known_path);
    int totals[4][4] = {{0}}; /* category x {pass, fail, unsupported, known} */
    int unexpected = 0, known_passing = 0;
    for (size_t ci = 0; ci < FROST_ARRAY_LEN(categories); ci++) {
        char cdir[4096];
        snprintf(cdir, sizeof cdir, "%s/%s", data, categories[ci]);
        DIR *d = opendir(cdir);
        if (!d) continue;
        char **names = NULL;
        int n = 0;
        struct dirent *e;
        while ((e = readdir(d))) {
            if (e->d_name[0] == '.') continue;
            if (filter && !strstr(e->d_name, filter)) continue;
            char **nn = realloc(names, (size_t)(n + 1) * sizeof *nn);
            if (!nn) break;
            names = nn;
            names[n++] = strdup(e->d_name);
        }
        closedir(d);
        if (n > 1) qsort(names, (size_t)n, sizeof *names, cmp_str);
        for (int i = 0; i < n; i++) {
            char tdir[4400], model[4600];
            snprintf(tdir, sizeof tdir, "%s/%s", cdir, names[i]);
            snprintf(model, sizeof model, "%s/model.onnx", tdir);
            if (!exists(model)) {
                free(names[i]);
                continue;
            }
            fflush(stdout);
            pid_t pid = fork();
            int result;
            if (pid == 0) {
                int r = run_test(categories[ci], tdir, names[i]);
                fflush(stdout);
                exit(r); /* exit, not _exit: the leak checker runs at exit and fails the test */
            } else if (pid < 0) {
                printf("%s/%s: fail (fork: %s)\n", categories[ci], names[i], strerror(errno));
                result = R_FAIL;
            } else {
                int status = 0;
                waitpid(pid, &status, 0);
                if (WIFEXITED(status) && WEXITSTATUS(status) <= R_UNSUPPORTED) {
                    result = WEXITSTATUS(status);
                } else {
                    printf("%s/%s: fail (crashed: %s %d)\n", categories[ci], names[i],
                           WIFSIGNALED(status) ? "signal" : "exit",
                           WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
                    result = R_FAIL;
                }
            }
            bool kn = is_known(categories[ci], names[i]);
            if (result == R_FAIL && kn) {
                totals[ci][3]++;
            } else {
                totals[ci][result]++;
                if (result == R_FAIL) unexpected++;
                if (result == R_PASS && kn) {
                    printf("  note: %s/%s is in the known-failures list but passes now\n",
                           categories[ci], names[i]);
                    known_passing++;
                }
            }
            free(names[i]);
        }
        free(names);
    }
    printf("\n| category | pass | fail | known failure | unsupported |\n|---|---|---|---|---|\n");
    int all[4] = {0};
    for (size_t ci = 0; ci < FROST_ARRAY_LEN(categories); ci++) {
        printf("| %s | %d | %d | %d | %d |\n", categories[ci], totals[ci][0], totals[ci][1],
               totals[ci][3], totals[ci][2]);
        for (int k = 0; k < 4; k++) all[k] += totals[ci][k];
    }
    printf("| total | %d | %d | %d | %d |\n\n", all[0], all[1], all[3], all[2]);
    printf("onnx conformance: %d passed, %d failed\n", all[0], unexpected);
    free(g_known);
    (void)known_passing;
    return unexpected ? 1 : 0;
}
