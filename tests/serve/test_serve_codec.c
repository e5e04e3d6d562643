/* test_serve_codec.c — the parts of frost serve that read what clients send, without HTTP:
 * number conversion against the C library (bit for bit, random floats in many formats), the JSON
 * reader's accept/reject cases, tensor decoding with every dtype's range, and a bounded
 * randomized malformed-request run through serve_handle on a real model (tests/data/onnx
 * mlp_dynamic_op13.onnx, and the two-input TF.js fixture functional_merge): every answer must
 * be a JSON object with a 2xx/4xx status, never a crash (the ASan build runs it too). */
#include "serve.h"

#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;
#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            failures++;                                                                            \
            fprintf(stderr, "%s:%d: FAILED %s: ", __FILE__, __LINE__, #cond);                      \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
        }                                                                                          \
    } while (0)

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint64_t next_rand(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void test_numbers(void) {
    static const char *const ffmt[] = {"%.9g", "%.6g", "%.3e", "%.12g", "%.8f", "%.1f", "%.17g", "%.20e"};
    int checked = 0;
    for (int i = 0; i < 300000; i++) {
        uint32_t bits = (uint32_t)next_rand();
        float f;
        memcpy(&f, &bits, 4);
        if (!isfinite(f)) continue;
        if (i % 3 == 0) f = (float)((double)(next_rand() % 256) / 255.0);   /* pixels */
        char text[128];
        snprintf(text, sizeof text, ffmt[i % 8], (double)f);
        float want = strtof(text, NULL), got = 0;
        bool ok = serve_number_f32(text, strlen(text), &got);
        if (isinf(want)) {
            CHECK(!ok, "'%s' is out of float range but was accepted", text);
            continue;
        }
        CHECK(ok && memcmp(&want, &got, 4) == 0, "'%s': %.9g, strtof %.9g", text, (double)got, (double)want);
        double dw = strtod(text, NULL), dg = 0;
        CHECK(serve_number_f64(text, strlen(text), &dg) && memcmp(&dw, &dg, 8) == 0, "'%s' as double", text);
        checked++;
    }
    CHECK(checked > 200000, "only %d numbers checked", checked);
    /* values on and near float midpoints, and the range ends */
    const char *edge[] = {"16777217", "16777219", "1.000000059604644775390625", "1.00000005960464478",
                          "3.4028235e38", "3.40282356e38", "1.17549435e-38", "1e-45", "1e-50", "-0",
                          "0.1", "9007199254740993", "4.9e-324", "2.2250738585072011e-308"};
    for (size_t i = 0; i < sizeof edge / sizeof edge[0]; i++) {
        float want = strtof(edge[i], NULL), got;
        CHECK(serve_number_f32(edge[i], strlen(edge[i]), &got) && memcmp(&want, &got, 4) == 0, "%s", edge[i]);
        double dw = strtod(edge[i], NULL), dg;
        CHECK(serve_number_f64(edge[i], strlen(edge[i]), &dg) && memcmp(&dw, &dg, 8) == 0, "%s", edge[i]);
    }
    float f;
    CHECK(!serve_number_f32("3.5e38", 6, &f), "3.5e38 fits no float");
    double d;
    CHECK(!serve_number_f64("1e400", 5, &d), "1e400 fits no double");
    int64_t i64;
    uint64_t u64;
    CHECK(serve_number_i64("-9223372036854775808", 20, &i64) && i64 == INT64_MIN, "INT64_MIN");
    CHECK(!serve_number_i64("9223372036854775808", 19, &i64), "INT64_MAX + 1");
    CHECK(serve_number_u64("18446744073709551615", 20, &u64) && u64 == UINT64_MAX, "UINT64_MAX");
    CHECK(!serve_number_u64("18446744073709551616", 20, &u64), "UINT64_MAX + 1");
    CHECK(!serve_number_i64("1.0", 3, &i64), "a fraction is not an integer");
    CHECK(!serve_number_i64("1e3", 3, &i64), "an exponent is not an integer");
    CHECK(!serve_number_u64("-1", 2, &u64), "negative unsigned");
}

static bool parses(const char *text) {
    serve_json_arena_reset();
    serve_jv *v;
    serve_error e;
    return serve_json_parse(text, strlen(text), &v, &e);
}

static void test_json_reader(void) {
    const char *good[] = {"{}", "[]", " [1, -2.5e+3, 0, -0.0, 1E-2] ", "\"\\u00e9\\ud83d\\ude00\\n\"", "true",
                          "null", "{\"a\":{\"b\":[[],[{}]]}}", "[\"\\\"\\\\\\/\\b\\f\\r\\t\"]"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) CHECK(parses(good[i]), "rejected %s", good[i]);
    const char *bad[] = {"", " ", "[1,]", "{\"a\":1,}", "01", "[NaN]", "[Infinity]", "-", "1.", ".5", "1e",
                         "[1 2]", "{\"a\" 1}", "{a:1}", "\"abc", "\"\\x\"", "\"\\u12\"", "\"a\nb\"", "tru",
                         "nul", "[1]]", "{} {}", "[1,2", "{\"a\":}", "'a'", "[-]", "+1", "[1e+]", "// c\n1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) CHECK(!parses(bad[i]), "accepted '%s'", bad[i]);
    char deep[200];
    for (int n = 64; n <= 66; n++) {
        memset(deep, '[', (size_t)n);
        memset(deep + n, ']', (size_t)n);
        deep[2 * n] = 0;
        CHECK(parses(deep) == (n <= SERVE_JSON_MAX_DEPTH + 1), "depth %d", n);
    }
    serve_json_arena_reset();
    serve_jv *v;
    serve_error e;
    const char *s = "{\"k\\u0065y\":\"v\\u00e9\\ud83d\\ude00\",\"key\":2}";
    CHECK(serve_json_parse(s, strlen(s), &v, &e), "%s", e.message);
    const serve_jv *k = serve_jv_get(v, "key");   /* the last of two equal keys wins */
    CHECK(k && k->kind == JV_NUMBER && k->len == 1 && k->text[0] == '2', "duplicate key");
    char buf[32];
    size_t n;
    CHECK(serve_jv_string_copy(v->child, buf, sizeof buf, &n) && n == 7 && memcmp(buf, "v\xC3\xA9\xF0\x9F\x98\x80", 7) == 0,
          "unicode escapes decode to UTF-8");
    /* the error names the byte */
    serve_json_arena_reset();
    CHECK(!serve_json_parse("[1,,2]", 6, &v, &e) && strstr(e.message, "byte 3"), "%s", e.message);
}

static void test_decode(void) {
    serve_json_arena_reset();
    serve_jv *v;
    serve_error e;
    const char *t = "[[1,2,3],[4,5,6]]";
    CHECK(serve_json_parse(t, strlen(t), &v, &e), "%s", e.message);
    int rank;
    int64_t dims[FROST_MAX_RANK];
    CHECK(serve_json_shape(v, &rank, dims, "x", &e) && rank == 2 && dims[0] == 2 && dims[1] == 3, "shape");
    int8_t i8[6];
    CHECK(serve_json_decode(v, FROST_DTYPE_I8, i8, 6, "x", &e) && i8[5] == 6, "%s", e.message);
    float f[6];
    CHECK(!serve_json_decode(v, FROST_DTYPE_F32, f, 5, "x", &e) && strstr(e.message, "more than the 5"), "%s", e.message);
    const char *ragged[] = {"[[1,2],[3]]", "[[1,2],3]", "[[1],[[2]]]", "[1,[2]]"};
    for (int i = 0; i < 4; i++) {
        serve_json_arena_reset();
        CHECK(serve_json_parse(ragged[i], strlen(ragged[i]), &v, &e), "parse %s", ragged[i]);
        bool shape_ok = serve_json_shape(v, &rank, dims, "x", &e);
        CHECK(!shape_ok, "ragged %s accepted", ragged[i]);
    }
    struct {
        const char *json;
        frost_dtype t;
        bool ok;
    } cases[] = {
        {"[127,-128]", FROST_DTYPE_I8, true},       {"[128]", FROST_DTYPE_I8, false},
        {"[255,0]", FROST_DTYPE_U8, true},          {"[-1]", FROST_DTYPE_U8, false},
        {"[65535]", FROST_DTYPE_U16, true},         {"[2147483648]", FROST_DTYPE_I32, false},
        {"[4294967295]", FROST_DTYPE_U32, true},    {"[1.5]", FROST_DTYPE_I64, false},
        {"[true,false]", FROST_DTYPE_BOOL, true},   {"[1]", FROST_DTYPE_BOOL, false},
        {"[\"1\"]", FROST_DTYPE_F32, false},        {"[null]", FROST_DTYPE_F64, false},
        {"[1e39]", FROST_DTYPE_F32, false},         {"[1e39]", FROST_DTYPE_F64, true},
        {"[1]", FROST_DTYPE_F16, false},            {"[18446744073709551615]", FROST_DTYPE_U64, true},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        serve_json_arena_reset();
        CHECK(serve_json_parse(cases[i].json, strlen(cases[i].json), &v, &e), "parse");
        uint64_t out[4];
        bool ok = serve_json_decode(v, cases[i].t, out, v->len, "x", &e);
        CHECK(ok == cases[i].ok, "%s as %s: %s", cases[i].json, serve_oip_dtype_name(cases[i].t), ok ? "accepted" : e.message);
    }
}

/* ---- randomized malformed requests through serve_handle ---- */

typedef struct seed {
    const char *method, *path, *body;
    int64_t header_len;
} seed;

static char *mutate(const char *src, size_t len, size_t *out_len) {
    size_t cap = len * 2 + 64;
    char *b = malloc(cap);
    memcpy(b, src, len);
    size_t n = len;
    int edits = 1 + (int)(next_rand() % 4);
    for (int k = 0; k < edits; k++) {
        size_t at = n ? (size_t)(next_rand() % n) : 0;
        switch (next_rand() % 7) {
        case 0: if (n) b[at] = (char)next_rand(); break;                       /* random byte */
        case 1: n = at; break;                                                 /* truncate */
        case 2: if (n) memmove(b + at, b + at + 1, n - at - 1), n--; break;   /* delete */
        case 3: {                                                              /* insert a token */
            static const char *tok[] = {"[", "]", "{", "}", ",", "\"", "-1", "1e999", "null", "[[[[", "\\u0000",
                                        "99999999999999999999", "\"shape\":[0]", "\"datatype\":\"INT8\"", "true"};
            const char *t = tok[next_rand() % 15];
            size_t tl = strlen(t);
            if (n + tl < cap) memmove(b + at + tl, b + at, n - at), memcpy(b + at, t, tl), n += tl;
            break;
        }
        case 4: if (n) b[at] = (char)('0' + next_rand() % 10); break;          /* digit */
        case 5: if (n > 1) { size_t l = next_rand() % (n - at); if (n + l < cap) memmove(b + at + l, b + at, n - at), n += l; } break;  /* repeat */
        default: if (n) b[at] = "[]{},:\""[next_rand() % 7]; break;           /* structure */
        }
    }
    *out_len = n;
    return b;
}

static void test_random_requests(const char *model, const seed *seeds, int n_seeds, int iterations) {
    serve_repo repo;
    serve_error e = {0};
    serve_repo_options o = {.single_model = model, .single_name = "m", .sessions_per_model = 1,
                            .model_threads = 1, .quiet = true};
    CHECK(serve_repo_open(&repo, &o, &e), "%s", e.message);
    serve_repo_scan(&repo);
    CHECK(repo.models[0].current != NULL, "model %s loaded", model);
    if (!repo.models[0].current) {
        serve_repo_close(&repo);
        return;
    }
    serve_context ctx = {.repo = &repo};
    int ok = 0, status_count[6] = {0};
    for (int s = 0; s < n_seeds; s++) {   /* every seed as given must succeed */
        serve_http_request rq = {seeds[s].method, seeds[s].path, seeds[s].body, strlen(seeds[s].body),
                                 seeds[s].header_len, false};
        serve_http_response r;
        serve_handle(&ctx, &rq, &r);
        CHECK(r.status == 200, "seed %d: %d %.*s", s, r.status, (int)r.body.len, r.body.data);
        serve_http_response_free(&r);
    }
    for (int i = 0; i < iterations; i++) {
        const seed *sd = &seeds[next_rand() % (uint64_t)n_seeds];
        size_t blen;
        char *body = mutate(sd->body, strlen(sd->body), &blen);
        int64_t hl = sd->header_len;
        if (hl >= 0 && next_rand() % 4 == 0) hl = (int64_t)(next_rand() % (blen + 8)) - 2;
        serve_http_request rq = {sd->method, sd->path, body, blen, hl < 0 ? -1 : hl, hl < -1};
        serve_http_response r;
        serve_handle(&ctx, &rq, &r);
        bool shape = r.body.len > 1 && r.body.data[0] == '{';
        CHECK(shape && (r.status == 200 || r.status == 400 || r.status == 404 || r.status == 413),
              "mutated request %d: status %d body %.*s", i, r.status, (int)(r.body.len > 200 ? 200 : r.body.len),
              r.body.data ? r.body.data : "");
        if (r.status >= 200 && r.status < 600) status_count[r.status / 100]++;
        ok += r.status == 200;
        serve_http_response_free(&r);
        free(body);
    }
    printf("%s: %d mutated requests: %d answered 200, %d 4xx\n", model, iterations, status_count[2], status_count[4]);
    CHECK(status_count[4] > iterations / 4, "most mutations should be refused");
    serve_repo_close(&repo);
}

/* ---- frost allocates nothing while serving same-shaped requests ---- */

static atomic_long frost_allocs;
static void *count_alloc(void *user, size_t bytes, size_t align) {
    (void)user;
    atomic_fetch_add(&frost_allocs, 1);
    void *p = NULL;
    return posix_memalign(&p, align < sizeof(void *) ? sizeof(void *) : align, bytes ? bytes : 1) ? NULL : p;
}
static void count_free(void *user, void *p) {
    (void)user;
    free(p);
}

static void test_no_allocations(const char *model, const char *json_body, const char *binary_body, size_t binary_len,
                                int64_t header_len, const char *batch_body) {
    static const frost_allocator counting = {count_alloc, count_free, NULL};
    serve_repo repo;
    serve_error e = {0};
    serve_repo_options o = {.single_model = model, .single_name = "m", .sessions_per_model = 2,
                            .model_threads = 1, .quiet = true, .allocator = &counting};
    CHECK(serve_repo_open(&repo, &o, &e), "%s", e.message);
    serve_repo_scan(&repo);
    serve_context ctx = {.repo = &repo};
    serve_http_request json = {"POST", "/v2/models/m/infer", json_body, strlen(json_body), -1, false};
    serve_http_request bin = {"POST", "/v2/models/m/infer", binary_body, binary_len, header_len, false};
    serve_http_request batch = {"POST", "/v2/models/m/infer", batch_body, strlen(batch_body), -1, false};
    serve_http_response r;
    for (int i = 0; i < 4; i++) {   /* warm: every session has served this shape */
        serve_handle(&ctx, &json, &r);
        serve_http_response_free(&r);
    }
    long before = atomic_load(&frost_allocs);
    int ok = 0;
    for (int i = 0; i < 500; i++) {
        serve_handle(&ctx, i % 2 ? &json : &bin, &r);
        ok += r.status == 200;
        serve_http_response_free(&r);
    }
    long during = atomic_load(&frost_allocs) - before;
    CHECK(ok == 500 && during == 0, "%d of 500 requests answered 200; frost allocated %ld times", ok, during);
    /* the counter works: a new batch size makes the session re-plan, which allocates */
    before = atomic_load(&frost_allocs);
    serve_handle(&ctx, &batch, &r);
    CHECK(r.status == 200 && atomic_load(&frost_allocs) > before, "a new batch size re-plans (status %d)", r.status);
    serve_http_response_free(&r);
    printf("frost allocations during 500 steady requests (JSON and binary): %ld\n", during);
    serve_repo_close(&repo);
}

int main(void) {
    test_numbers();
    test_json_reader();
    test_decode();

    char mlp[1024], merge[1024];
    snprintf(mlp, sizeof mlp, "%s/onnx/mlp_dynamic_op13.onnx", FROST_TEST_DATA);
    snprintf(merge, sizeof merge, "%s/keras/tfjs/functional_merge/model.json", FROST_TEST_DATA);
    static char oip[8192], tf_rows[8192], tf_cols[8192], bin[8192];
    size_t o = (size_t)snprintf(oip, sizeof oip, "{\"id\":\"r1\",\"inputs\":[{\"name\":\"input\",\"shape\":[2,16],\"datatype\":\"FP32\",\"data\":[");
    for (int i = 0; i < 32; i++) o += (size_t)snprintf(oip + o, sizeof oip - o, "%s%.3f", i ? "," : "", i / 32.0);
    snprintf(oip + o, sizeof oip - o, "]}],\"outputs\":[{\"name\":\"output\"}]}");
    o = (size_t)snprintf(tf_rows, sizeof tf_rows, "{\"instances\":[[");
    for (int i = 0; i < 16; i++) o += (size_t)snprintf(tf_rows + o, sizeof tf_rows - o, "%s%.2f", i ? "," : "", i / 7.0);
    snprintf(tf_rows + o, sizeof tf_rows - o, "]]}");
    o = (size_t)snprintf(tf_cols, sizeof tf_cols, "{\"inputs\":{\"input\":[[");
    for (int i = 0; i < 16; i++) o += (size_t)snprintf(tf_cols + o, sizeof tf_cols - o, "%s%d", i ? "," : "", i);
    snprintf(tf_cols + o, sizeof tf_cols - o, "]]}}");
    /* binary: JSON header then 64 bytes of f32 (1 x 16), the output as binary too */
    const char *hdr = "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,16],\"datatype\":\"FP32\",\"parameters\":"
                      "{\"binary_data_size\":64}}],\"outputs\":[{\"name\":\"output\",\"parameters\":{\"binary_data\":true}}]}";
    size_t hl = strlen(hdr);
    memcpy(bin, hdr, hl);
    for (int i = 0; i < 16; i++) {
        float x = (float)i / 16.0f;
        memcpy(bin + hl + 4 * i, &x, 4);
    }
    /* the binary seed's bytes include zeros: keep it NUL-free by using a text-safe payload */
    for (size_t i = hl; i < hl + 64; i++)
        if (bin[i] == 0) bin[i] = 0x3c;   /* still a valid float pattern */
    bin[hl + 64] = 0;
    seed mlp_seeds[] = {
        {"POST", "/v2/models/m/infer", oip, -1},
        {"POST", "/v1/models/m:predict", tf_rows, -1},
        {"POST", "/v1/models/m/versions/1:predict", tf_cols, -1},
        {"POST", "/v2/models/m/versions/1/infer", bin, (int64_t)hl},
    };
    char batch[512];
    snprintf(batch, sizeof batch, "{\"inputs\":[{\"name\":\"input\",\"shape\":[3,16],\"datatype\":\"FP32\",\"data\":[%s]}]}",
             "0,1,2,3,4,5,6,7,8,9,0,1,2,3,4,5,0,1,2,3,4,5,6,7,8,9,0,1,2,3,4,5,0,1,2,3,4,5,6,7,8,9,0,1,2,3,4,5");
    char one[1024];
    o = (size_t)snprintf(one, sizeof one, "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,16],\"datatype\":\"FP32\",\"data\":[");
    for (int i = 0; i < 16; i++) o += (size_t)snprintf(one + o, sizeof one - o, "%s%.3f", i ? "," : "", i / 9.0);
    snprintf(one + o, sizeof one - o, "]}]}");
    test_no_allocations(mlp, one, bin, hl + 64, (int64_t)hl, batch);
    test_random_requests(mlp, mlp_seeds, 4, 6000);
    seed merge_seeds[] = {
        {"POST", "/v2/models/m/infer",
         "{\"inputs\":[{\"name\":\"a\",\"shape\":[1,8],\"datatype\":\"FP32\",\"data\":[[1,2,3,4,5,6,7,8]]},"
         "{\"name\":\"b\",\"shape\":[1,8],\"datatype\":\"FP32\",\"data\":[1,2,3,4,5,6,7,8]}]}", -1},
        {"POST", "/v1/models/m:predict",
         "{\"instances\":[{\"a\":[1,2,3,4,5,6,7,8],\"b\":[0,0,0,0,1,1,1,1]},{\"b\":[1,2,3,4,5,6,7,8],\"a\":[8,7,6,5,4,3,2,1]}]}", -1},
        {"POST", "/v1/models/m:predict", "{\"inputs\":{\"a\":[[1,2,3,4,5,6,7,8]],\"b\":[[1,2,3,4,5,6,7,8]]}}", -1},
    };
    test_random_requests(merge, merge_seeds, 3, 4000);
    serve_json_arena_release();
    if (failures) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    puts("serve codec: all checks passed");
    return 0;
}
