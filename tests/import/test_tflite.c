/* test_tflite.c — the .tflite importer through the public API, against TFLite itself:
 *   - every fixture in tests/data/tflite (made by scripts/gen_tflite_fixtures.py) against the
 *     outputs LiteRT computed for it (scripts/tflite_reference.mjs): float models to 1e-4, quantized
 *     ones to one quantization step (LiteRT's XNNPACK rounds requantization in float);
 *   - the signature's short keys as aliases, a dynamic batch resized, quantization parameters
 *     through frost_model_quantization, refusals naming every unsupported op at once;
 *   - the real files of ../shared/testdata/real/tflite when present: tflite-micro's golden int16
 *     outputs bit for bit, hello_world against sin(x), person_detect and MobileNet's labels (LiteRT
 *     comparisons of those files: docs/tflite.md). */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "npy.h"
#include "test.h"

static const char *const fixtures[] = {"conv_float", "fc_pool_float", "eltwise_float", "layout_float",
                                       "transpose_conv_float", "float16_weights", "external_signature",
                                       "int8_convnet", "int8_eltwise", "int8_concat_pool", "quantize_roundtrip",
                                       "uint8_convnet", "if_then", "if_else", "densify", "space_batch_float"};

static size_t numel(const npy_array *a) {
    size_t n = 1;
    for (int i = 0; i < a->rank; i++) n *= (size_t)a->dims[i];
    return n;
}

/* One quantization step of the integer tensor a float output was dequantized from, or 0. */
static double step_of(const frost_model *m, const char *out_name) {
    char base[512];
    size_t n = strlen(out_name);
    frost_quantization q;
    if (n > 6 && strcmp(out_name + n - 6, "_float") == 0 && n - 6 < sizeof base) {
        memcpy(base, out_name, n - 6);
        base[n - 6] = 0;
        if (frost_model_quantization(m, base, &q, NULL) == FROST_OK && q.count == 1) return q.scale[0];
    }
    snprintf(base, sizeof base, "%s_q", out_name);
    if (frost_model_quantization(m, base, &q, NULL) == FROST_OK && q.count == 1) return q.scale[0];
    return 0;
}

static void check_fixture(const char *name) {
    char rel[256];
    snprintf(rel, sizeof rel, "tflite/%s.ref.json", name);
    size_t jn;
    char *json = frost_test_read_file(frost_test_data(rel), &jn);
    if (!CHECK_MSG(json != NULL, "%s: no reference (run scripts/tflite_reference.mjs)", name)) return;
    cJSON *ref = cJSON_ParseWithLength(json, jn);
    free(json);
    if (!CHECK_MSG(ref != NULL, "%s: bad ref.json", name)) return;
    frost_error err;
    frost_model *m = NULL;
    frost_session *s = NULL;
    snprintf(rel, sizeof rel, "tflite/%s.tflite", name);
    const cJSON *outs = cJSON_GetObjectItem(ref, "outputs"), *ins = cJSON_GetObjectItem(ref, "inputs");
    const char *out_names[16];
    int n_out = 0;
    const cJSON *o;
    cJSON_ArrayForEach(o, outs) if (n_out < 16) out_names[n_out++] = cJSON_GetObjectItem(o, "name")->valuestring;
    if (!CHECK_OK(frost_model_load_file(frost_test_data(rel), NULL, &m, &err), &err)) goto done;
    CHECK(frost_model_format(m) == FROST_FORMAT_TFLITE);
    frost_session_options so = {.struct_size = sizeof so, .outputs = out_names, .n_outputs = n_out};
    if (!CHECK_OK(frost_session_create(m, &so, &s, &err), &err)) goto done;
    int k = 0;
    const cJSON *in;
    cJSON_ArrayForEach(in, ins) {
        npy_array a;
        snprintf(rel, sizeof rel, "tflite/%s.in%d.npy", name, k++);
        if (!CHECK_OK(npy_read_file(frost_test_data(rel), &a, &err), &err)) goto done;
        int idx = -1;
        const char *iname = cJSON_GetObjectItem(in, "name")->valuestring;
        if (CHECK_OK(frost_session_input_index(s, iname, &idx, &err), &err)) {
            CHECK_OK(frost_session_set_input_shape(s, idx, a.rank, a.dims, &err), &err);
            CHECK_OK(frost_session_set_input(s, idx, a.data, a.bytes, &err), &err);
        }
        npy_free(&a);
    }
    if (!CHECK_OK(frost_session_run(s, &err), &err)) goto done;
    k = 0;
    cJSON_ArrayForEach(o, outs) {
        npy_array want;
        frost_tensor_info info;
        snprintf(rel, sizeof rel, "tflite/%s", cJSON_GetObjectItem(o, "file")->valuestring);
        if (!CHECK_OK(npy_read_file(frost_test_data(rel), &want, &err), &err)) break;
        const void *got = frost_session_output_data(s, k, &info);
        const char *oname = out_names[k++];
        size_t n = numel(&want);
        if (CHECK_MSG(got && info.dtype == want.dtype, "%s output %s: dtype %s, LiteRT %s", name,
                      oname, frost_dtype_name(info.dtype), frost_dtype_name(want.dtype))) {
            if (want.dtype == FROST_DTYPE_F32) {
                double step = step_of(m, oname);
                if (step > 0) /* within one quantization step, plus float rounding */
                    frost_test_close(got, want.data, n, step * 1.001 + 1e-6, 0, frost_test_fmt("%s %s", name, oname));
                else
                    frost_test_close(got, want.data, n, 1e-5, 1e-4, frost_test_fmt("%s %s", name, oname));
            } else {
                int worst = 0;
                for (size_t i = 0; i < n; i++) {
                    int d = abs((int)((const uint8_t *)got)[i] - (int)((const uint8_t *)want.data)[i]);
                    if (want.dtype == FROST_DTYPE_I8)
                        d = abs((int)((const int8_t *)got)[i] - (int)((const int8_t *)want.data)[i]);
                    worst = d > worst ? d : worst;
                }
                CHECK_MSG(worst <= 1, "%s %s: differs from LiteRT by %d steps", name, oname, worst);
            }
        }
        npy_free(&want);
    }
done:
    frost_session_free(s);
    frost_model_free(m);
    cJSON_Delete(ref);
}

/* The signature key "x" names the same input as the tensor name; the batch dim is dynamic. */
static void check_signature_and_resize(void) {
    frost_error err;
    frost_model *m = NULL;
    if (!CHECK_OK(frost_model_load_file(frost_test_data("tflite/external_signature.tflite"), NULL, &m, &err), &err))
        return;
    frost_tensor_info a, b;
    CHECK_OK(frost_model_find(m, "x", &a, &err), &err);
    CHECK_OK(frost_model_find(m, "serving_default_x:0", &b, &err), &err);
    CHECK(a.name == b.name && strcmp(a.name, "serving_default_x:0") == 0);
    CHECK(a.rank == 2 && a.dims[0] == -1 && a.dims[1] == 6);
    CHECK_OK(frost_model_find(m, "y", &a, &err), &err);
    CHECK(strcmp(a.name, "StatefulPartitionedCall:0") == 0);
    npy_array x, y;
    frost_session *s = NULL;
    if (CHECK_OK(npy_read_file(frost_test_data("tflite/external_signature.in0.npy"), &x, &err), &err) &&
        CHECK_OK(npy_read_file(frost_test_data("tflite/external_signature.out0.npy"), &y, &err), &err) &&
        CHECK_OK(frost_session_create(m, NULL, &s, &err), &err)) {
        float batch[3 * 6];
        for (int r = 0; r < 3; r++) memcpy(batch + 6 * r, x.data, 6 * sizeof(float));
        CHECK_OK(frost_session_set_input_shape(s, 0, 2, (int64_t[]){3, 6}, &err), &err);
        CHECK_OK(frost_session_set_input(s, 0, batch, sizeof batch, &err), &err);
        if (CHECK_OK(frost_session_run(s, &err), &err)) {
            frost_tensor_info info;
            const float *out = frost_session_output_data(s, 0, &info);
            CHECK(info.rank == 2 && info.dims[0] == 3 && info.dims[1] == 3);
            for (int r = 0; r < 3; r++)
                frost_test_close(out + 3 * r, y.data, 3, 1e-5, 1e-4, "resized batch row");
        }
        npy_free(&x);
        npy_free(&y);
    }
    frost_session_free(s);
    frost_model_free(m);
}

static void check_quantization_api(void) {
    frost_error err;
    frost_model *m = NULL;
    if (!CHECK_OK(frost_model_load_file(frost_test_data("tflite/int8_convnet.tflite"), NULL, &m, &err), &err))
        return;
    frost_quantization q;
    CHECK_OK(frost_model_quantization(m, "input", &q, &err), &err);
    CHECK(q.count == 1 && fabsf(q.scale[0] - 0.02f) < 1e-9f && q.zero_point[0] == -3);
    CHECK_OK(frost_model_quantization(m, "input_float", &q, &err), &err);
    CHECK(q.count == 0);
    CHECK_FAILS(frost_model_quantization(m, "no_such_tensor", &q, &err), FROST_E_NOT_FOUND, &err, "no_such_tensor");
    CHECK_FAILS(frost_model_quantization(NULL, "input", &q, &err), FROST_E_INVALID_ARG, &err, NULL);
    frost_model_free(m);
}

static void check_refusals(void) {
    frost_error err;
    frost_model *m = NULL;
    frost_status st = frost_model_load_file(frost_test_data("tflite/unsupported.tflite"), NULL, &m, &err);
    CHECK_FAILS(st, FROST_E_UNSUPPORTED, &err, "MaxUnpooling2D");
    CHECK_MSG(strstr(err.message, "SVDF") && strstr(err.message, "UNIDIRECTIONAL_SEQUENCE_LSTM"),
              "not every op named: %s", err.message);
    CHECK(m == NULL);
}

/* MediaPipe's custom Convolution2DTransposeBias, read from the corpus' selfie segmentation model
 * (its output is checked against LiteRT's by real_corpus): its 12 bytes of custom options
 * (TfLiteTransposeConvParams: padding 1, stride 2x2) are patched in memory, and each bad value must
 * be refused naming the operator and what is wrong. */
static void check_custom_transpose_conv(void) {
    const char *path = frost_test_corpus(
        "@mediapipe+selfie_segmentation@0.1.1675465747/selfie_segmentation.tflite");
    if (!path) {
        printf("note: the corpus cache has no selfie_segmentation.tflite (scripts/fetch-corpus.sh): "
               "Convolution2DTransposeBias checks skipped\n");
        return;
    }
    size_t n;
    unsigned char *bytes = frost_test_read_file(path, &n);
    if (!CHECK(bytes != NULL)) return;
    static const unsigned char options[16] = {12, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0};
    size_t at = 0;
    while (at + sizeof options <= n && memcmp(bytes + at, options, sizeof options) != 0) at++;
    if (!CHECK_MSG(at + sizeof options <= n, "no custom options {1, 2, 2} in %s", path)) {
        free(bytes);
        return;
    }
    static const struct { int at; unsigned char value; const char *why; } bad[] = {
        {4, 7, "padding 7 is neither SAME (1) nor VALID (2)"},
        {8, 0, "stride 2x0"},
        {0, 8, "custom options have 8 bytes; expected 12"},
    };
    frost_load_options o = {.struct_size = sizeof o, .format = FROST_FORMAT_TFLITE};
    for (size_t k = 0; k <= sizeof bad / sizeof bad[0]; k++) {
        unsigned char saved = 0;
        if (k < sizeof bad / sizeof bad[0]) {
            saved = bytes[at + (size_t)bad[k].at];
            bytes[at + (size_t)bad[k].at] = bad[k].value;
        }
        frost_error err;
        frost_model *m = NULL;
        frost_status st = frost_model_load_memory(bytes, n, &o, &m, &err);
        if (k == sizeof bad / sizeof bad[0]) {
            CHECK_MSG(st == FROST_OK, "selfie_segmentation: %s", err.message);
        } else {
            CHECK_FAILS(st, FROST_E_FORMAT, &err, bad[k].why);
            CHECK_MSG(strstr(err.message, "Convolution2DTransposeBias") != NULL, "op not named: %s",
                      err.message);
            bytes[at + (size_t)bad[k].at] = saved;
        }
        frost_model_free(m);
    }
    free(bytes);
}

/* Truncations and byte flips of every fixture: a clear error or a model, never a crash. */
static void check_corrupt(void) {
    frost_test_seed(7);
    for (size_t f = 0; f < sizeof fixtures / sizeof fixtures[0]; f++) {
        size_t n;
        char *bytes = frost_test_read_file(frost_test_data(frost_test_fmt("tflite/%s.tflite", fixtures[f])), &n);
        if (!CHECK(bytes != NULL)) continue;
        char *copy = malloc(n);
        for (int trial = 0; trial < 60; trial++) {
            memcpy(copy, bytes, n);
            size_t len = n;
            if (trial < 20) len = (size_t)(frost_test_uniform(0, 1) * (float)n);
            else
                for (int k = 0; k < 1 + trial % 4; k++)
                    copy[(size_t)(frost_test_uniform(0, 1) * (float)n) % n] ^= (char)(1 + trial);
            frost_error err;
            frost_model *m = NULL;
            frost_load_options o = {.struct_size = sizeof o, .format = FROST_FORMAT_TFLITE};
            frost_status st = frost_model_load_memory(copy, len, &o, &m, &err);
            if (st != FROST_OK &&
                !CHECK_MSG(err.message[0] != 0 && m == NULL, "%s trial %d: %s %s", fixtures[f], trial,
                           frost_status_name(st), err.message) && getenv("FROST_TEST_KEEP")) {
                FILE *kf = fopen(getenv("FROST_TEST_KEEP"), "wb");
                if (kf) fwrite(copy, 1, len, kf), fclose(kf);
            }
            frost_model_free(m);
        }
        free(copy);
        free(bytes);
    }
}

/* ---- ../shared --------------------------------------------------------------------------------- */

static int16_t *read_csv16(const char *path, size_t want) {
    size_t n;
    char *text = frost_test_read_file(path, &n);
    if (!text) return NULL;
    int16_t *v = malloc(want * sizeof *v);
    size_t k = 0;
    for (char *p = text; p < text + n && k < want;) {
        char *end;
        long x = strtol(p, &end, 10);
        if (end == p) {
            p++;
            continue;
        }
        v[k++] = (int16_t)x;
        p = end;
    }
    free(text);
    if (k != want) {
        free(v);
        return NULL;
    }
    return v;
}

/* Runs a model with inputs given by index, returns output 0 (session kept in *s). */
static const void *run_model(const char *path, int n_in, const void *const *in, const size_t *bytes,
                             frost_model **m, frost_session **s) {
    frost_error err;
    *m = NULL;
    *s = NULL;
    if (!CHECK_OK(frost_model_load_file(path, NULL, m, &err), &err)) return NULL;
    if (!CHECK_OK(frost_session_create(*m, NULL, s, &err), &err)) return NULL;
    for (int i = 0; i < n_in; i++) CHECK_OK(frost_session_set_input(*s, i, in[i], bytes[i], &err), &err);
    if (!CHECK_OK(frost_session_run(*s, &err), &err)) return NULL;
    return frost_session_output_data(*s, 0, NULL);
}

static void check_seanet_golden(const char *dir) {
    char p0[1024], p1[1024], pg[1024], pm[1024];
    /* add0: two [1,1,5,64] inputs */
    snprintf(p0, sizeof p0, "%.900s/add0_input0_int16.csv", dir);
    snprintf(p1, sizeof p1, "%.900s/add0_input1_int16.csv", dir);
    snprintf(pg, sizeof pg, "%.900s/add0_golden_int16.csv", dir);
    snprintf(pm, sizeof pm, "%.900s/add0.tflite", dir);
    int16_t *a = read_csv16(p0, 320), *b = read_csv16(p1, 320), *g = read_csv16(pg, 320);
    frost_model *m;
    frost_session *s;
    if (CHECK(a && b && g)) {
        const void *in[2] = {a, b};
        size_t bytes[2] = {640, 640};
        const int16_t *y = run_model(pm, 2, in, bytes, &m, &s);
        CHECK_MSG(y && memcmp(y, g, 640) == 0, "add0 differs from the golden output");
        frost_session_free(s);
        frost_model_free(m);
    }
    free(a);
    free(b);
    free(g);
    /* conv0: [1,8,166,2] -> [1,2,160,8] */
    snprintf(p0, sizeof p0, "%.900s/conv0_input0_int16.csv", dir);
    snprintf(pg, sizeof pg, "%.900s/conv0_golden_int16.csv", dir);
    snprintf(pm, sizeof pm, "%.900s/conv0.tflite", dir);
    a = read_csv16(p0, 8 * 166 * 2);
    g = read_csv16(pg, 2 * 160 * 8);
    if (CHECK(a && g)) {
        const void *in[1] = {a};
        size_t bytes[1] = {8 * 166 * 2 * 2};
        const int16_t *y = run_model(pm, 1, in, bytes, &m, &s);
        CHECK_MSG(y && memcmp(y, g, 2 * 160 * 8 * 2) == 0, "conv0 differs from the golden output");
        frost_session_free(s);
        frost_model_free(m);
    }
    free(a);
    free(g);
}

static void check_hello_world(const char *dir) {
    const float xs[4] = {0, 1, 3, 5};
    char path[1024];
    frost_model *m;
    frost_session *s;
    frost_error err;
    for (int q = 0; q < 2; q++) {
        snprintf(path, sizeof path, "%.900s/hello_world_%s.tflite", dir, q ? "int8" : "float");
        for (int i = 0; i < 4; i++) {
            float y;
            if (!q) {
                const void *in[1] = {&xs[i]};
                size_t bytes[1] = {4};
                const float *o = run_model(path, 1, in, bytes, &m, &s);
                y = o ? *o : NAN;
            } else {
                /* quantize with the input's own parameters, dequantize with the output's */
                if (!CHECK_OK(frost_model_load_file(path, NULL, &m, &err), &err)) return;
                frost_quantization qi, qo;
                CHECK_OK(frost_model_quantization(m, "serving_default_dense_input:0", &qi, &err), &err);
                CHECK_OK(frost_model_quantization(m, "StatefulPartitionedCall:0", &qo, &err), &err);
                int v = (int)lroundf(xs[i] / qi.scale[0]) + (int)qi.zero_point[0];
                int8_t xq = (int8_t)(v < -128 ? -128 : v > 127 ? 127 : v);
                float sc = qo.scale[0];
                float zp = (float)qo.zero_point[0];
                frost_model_free(m);
                const void *in[1] = {&xq};
                size_t bytes[1] = {1};
                const int8_t *o = run_model(path, 1, in, bytes, &m, &s);
                y = o ? sc * ((float)*o - zp) : NAN;
            }
            CHECK_MSG(fabsf(y - sinf(xs[i])) <= 0.05f, "hello_world_%s(%g) = %g, sin = %g",
                      q ? "int8" : "float", xs[i], y, sinf(xs[i]));
            frost_session_free(s);
            frost_model_free(m);
        }
    }
}

/* An 8-bit grayscale BMP's pixels, top row first (what upstream feeds, reinterpreted as int8). */
static bool read_bmp96(const char *path, int8_t *px) {
    size_t n;
    unsigned char *b = frost_test_read_file(path, &n);
    if (!b || n < 54) {
        free(b);
        return false;
    }
    uint32_t off = b[10] | b[11] << 8 | b[12] << 16 | (uint32_t)b[13] << 24;
    int32_t h = (int32_t)(b[22] | b[23] << 8 | b[24] << 16 | (uint32_t)b[25] << 24);
    bool ok = off + 96 * 96 <= n;
    for (int r = 0; ok && r < 96; r++) memcpy(px + 96 * r, b + off + 96 * (h > 0 ? 95 - r : r), 96);
    free(b);
    return ok;
}

static void check_person_and_mobilenet(const char *micro, const char *nn) {
    char path[1024], img[1024];
    frost_model *m;
    frost_session *s;
    snprintf(path, sizeof path, "%.900s/person_detect.tflite", micro);
    for (int person = 0; person < 2; person++) {
        int8_t px[96 * 96];
        snprintf(img, sizeof img, "%.900s/%s.bmp", micro, person ? "person" : "no_person");
        if (!CHECK(read_bmp96(img, px))) continue;
        const void *in[1] = {px};
        size_t bytes[1] = {sizeof px};
        const int8_t *y = run_model(path, 1, in, bytes, &m, &s);
        CHECK_MSG(y && (person ? y[1] > y[0] : y[0] > y[1]), "person_detect on %s: [%d, %d]", img,
                  y ? y[0] : 0, y ? y[1] : 0);
        frost_session_free(s);
        frost_model_free(m);
    }
    snprintf(path, sizeof path, "%.900s/mobilenet_v2_1.0_224_quant.tflite", nn);
    snprintf(img, sizeof img, "%.900s/orange.raw", nn);
    size_t n;
    void *raw = frost_test_read_file(img, &n);
    if (CHECK(raw && n == 224 * 224 * 3)) {
        const void *in[1] = {raw};
        size_t bytes[1] = {n};
        const uint8_t *y = run_model(path, 1, in, bytes, &m, &s);
        int best = 0;
        for (int i = 1; y && i < 1001; i++) best = y[i] > y[best] ? i : best;
        CHECK_MSG(y && best == 951, "mobilenet_v2 quant: top-1 %d, expected 951 (orange)", best);
        frost_session_free(s);
        frost_model_free(m);
    }
    free(raw);
}

int main(void) {
    for (size_t i = 0; i < sizeof fixtures / sizeof fixtures[0]; i++) check_fixture(fixtures[i]);
    check_signature_and_resize();
    check_quantization_api();
    check_refusals();
    check_custom_transpose_conv();
    check_corrupt();
    const char *seanet = frost_test_shared("testdata/real/tflite/tflite_micro_seanet");
    if (seanet) {
        char micro[1024], nn[1024];
        check_seanet_golden(seanet);
        snprintf(micro, sizeof micro, "%s", frost_test_shared("testdata/real/tflite/tflite_micro"));
        snprintf(nn, sizeof nn, "%s", frost_test_shared("testdata/real/tflite/nnstreamer"));
        check_hello_world(micro);
        check_person_and_mobilenet(micro, nn);
    } else {
        printf("note: ../shared/testdata/real/tflite is absent: the real-file checks were skipped\n");
    }
    return frost_test_finish();
}
