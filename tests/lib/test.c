/* test.c — the test harness (see test.h). */
#include "test.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int frost_test_passed, frost_test_failed;

const char *frost_test_fmt(const char *fmt, ...) {
    static char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return buf;
}

bool frost_test_check(bool ok, const char *expr, const char *file, int line, const char *msg) {
    if (ok) {
        frost_test_passed++;
        return true;
    }
    frost_test_failed++;
    fprintf(stderr, "FAIL %s:%d: %s%s%s\n", file, line, expr, msg ? " -- " : "", msg ? msg : "");
    return false;
}

bool frost_test_check_ok(frost_status st, const char *expr, const char *file, int line,
                         const frost_error *err) {
    if (st == FROST_OK) return frost_test_check(true, expr, file, line, NULL);
    return frost_test_check(false, expr, file, line,
                            frost_test_fmt("%s: %s", frost_status_name(st), err ? err->message : ""));
}

bool frost_test_check_fails(frost_status st, frost_status want, const char *expr, const char *file,
                            int line, const frost_error *err, const char *needle) {
    if (st != want)
        return frost_test_check(false, expr, file, line,
                                frost_test_fmt("got %s (%s), want %s", frost_status_name(st),
                                               err ? err->message : "", frost_status_name(want)));
    if (needle && err && !strstr(err->message, needle))
        return frost_test_check(false, expr, file, line,
                                frost_test_fmt("message '%s' lacks '%s'", err->message, needle));
    return frost_test_check(true, expr, file, line, NULL);
}

int frost_test_finish(void) {
    printf("%d passed, %d failed\n", frost_test_passed, frost_test_failed);
    return frost_test_failed ? 1 : 0;
}

_Noreturn void frost_test_skip(const char *why) {
    printf("SKIP: %s\n", why);
    exit(77);
}

double frost_test_max_abs_diff(const float *a, const float *b, size_t n, size_t *where) {
    double worst = 0;
    size_t at = 0;
    for (size_t i = 0; i < n; i++) {
        double d = fabs((double)a[i] - (double)b[i]);
        if (d > worst || d != d) {
            worst = d != d ? INFINITY : d;
            at = i;
        }
    }
    if (where) *where = at;
    return worst;
}

bool frost_test_close(const float *got, const float *want, size_t n, double atol, double rtol,
                      const char *what) {
    for (size_t i = 0; i < n; i++) {
        double g = got[i], w = want[i];
        bool ok = fabs(g - w) <= atol + rtol * fabs(w);
        if (isnan(w)) ok = isnan(g);
        if (!ok) {
            frost_test_failed++;
            fprintf(stderr, "FAIL %s: element %zu of %zu: got %.9g want %.9g (|d|=%.3g)\n", what, i,
                    n, g, w, fabs(g - w));
            return false;
        }
    }
    frost_test_passed++;
    return true;
}

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
void frost_test_seed(uint64_t seed) { rng_state = seed ? seed : 1; }
float frost_test_uniform(float lo, float hi) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    double u = (double)(rng_state >> 11) / (double)(1ull << 53);
    return (float)(lo + (hi - lo) * u);
}
void frost_test_fill(float *x, size_t n, float lo, float hi) {
    for (size_t i = 0; i < n; i++) x[i] = frost_test_uniform(lo, hi);
}

const char *frost_test_shared(const char *rel) {
    static char buf[4096];
    struct stat st;
    if (stat(FROST_SHARED_DIR, &st) != 0 || !S_ISDIR(st.st_mode)) return NULL;
    snprintf(buf, sizeof buf, "%s/%s", FROST_SHARED_DIR, rel);
    return buf;
}

const char *frost_test_corpus(const char *rel) {
    static char buf[4096];
    const char *env = getenv("FROST_CORPUS_DIR"), *home = getenv("HOME");
    if (env && *env) snprintf(buf, sizeof buf, "%s/pkgs/%s", env, rel);
    else snprintf(buf, sizeof buf, "%s/.cache/frost/corpus/pkgs/%s", home && *home ? home : ".", rel);
    struct stat st;
    return stat(buf, &st) == 0 && S_ISREG(st.st_mode) ? buf : NULL;
}

const char *frost_test_data(const char *rel) {
    static char buf[4096];
    snprintf(buf, sizeof buf, "%s/%s", FROST_TEST_DATA, rel);
    return buf;
}

void *frost_test_read_file(const char *path, size_t *size) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    void *p = malloc(n > 0 ? (size_t)n : 1);
    if (p && n > 0 && fread(p, 1, (size_t)n, f) != (size_t)n) {
        free(p);
        p = NULL;
    }
    fclose(f);
    if (p && size) *size = (size_t)n;
    return p;
}

static void *counting_alloc(void *user, size_t bytes, size_t align) {
    frost_test_counting *c = user;
    c->calls++;
    if (c->fail_at > 0 && c->calls == c->fail_at) return NULL;
    void *p = NULL;
    if (align < sizeof(void *)) align = sizeof(void *);
    if (posix_memalign(&p, align, bytes ? bytes : 1) != 0) return NULL;
    c->allocs++;
    return p;
}
static void counting_free(void *user, void *p) {
    frost_test_counting *c = user;
    if (p) c->frees++;
    free(p);
}
void frost_test_counting_init(frost_test_counting *c) {
    memset(c, 0, sizeof *c);
    c->a.alloc = counting_alloc;
    c->a.free = counting_free;
    c->a.user = c;
}
