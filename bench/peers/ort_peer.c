/* ort_peer.c — ONNX Runtime through its C API on the founding benchmark's single-call loop.
 *
 * The npm package onnxruntime-node ships libonnxruntime.so.1 but not onnxruntime_c_api.h, so this
 * file declares the few entry points it uses itself, from the published C API: OrtGetApiBase()
 * returns {GetApi(version), GetVersionString()}, and GetApi returns the OrtApi table — a struct of
 * function pointers that ONNX Runtime only ever appends to, so every slot used here (all present
 * since API version 1) has the same index in every release. We ask for exactly the library's own
 * API version (the minor number of its version string), then verify the table before trusting
 * it: a status made by CreateStatus must read back its code and message through GetErrorCode and
 * GetErrorMessage, and the session must report one input and one output. If any check fails the
 * peer refuses to run (exit 3) rather than call through a guessed pointer.
 *
 * Inputs and outputs are pre-created OrtValues over our own buffers (no allocation in the timed
 * loop on our side); graph optimisation ORT_ENABLE_ALL, sequential execution, --threads intra-op
 * threads. It must never batch images or reuse a previous result.
 */
#include "peer_common.h"

#include <dlfcn.h>

/* Slot numbers in struct OrtApi (onnxruntime_c_api.h, unchanged since API version 1). */
enum {
    ORT_CreateStatus = 0,
    ORT_GetErrorCode = 1,
    ORT_GetErrorMessage = 2,
    ORT_CreateEnv = 3,
    ORT_CreateSession = 7,
    ORT_Run = 9,
    ORT_CreateSessionOptions = 10,
    ORT_SetSessionExecutionMode = 13,
    ORT_SetSessionGraphOptimizationLevel = 23,
    ORT_SetIntraOpNumThreads = 24,
    ORT_SetInterOpNumThreads = 25,
    ORT_SessionGetInputCount = 30,
    ORT_SessionGetOutputCount = 31,
    ORT_CreateTensorWithDataAsOrtValue = 49,
    ORT_CreateCpuMemoryInfo = 69,
    ORT_ReleaseEnv = 92,
    ORT_ReleaseStatus = 93,
    ORT_ReleaseMemoryInfo = 94,
    ORT_ReleaseSession = 95,
    ORT_ReleaseValue = 96,
    ORT_ReleaseSessionOptions = 100,
    ORT_SLOTS_USED = 101
};

typedef void (*ort_fn)(void);
typedef struct ort_status ort_status; /* opaque handles */
typedef struct ort_env ort_env;
typedef struct ort_options ort_options;
typedef struct ort_session ort_session;
typedef struct ort_meminfo ort_meminfo;
typedef struct ort_value ort_value;

typedef struct {
    const void *(*get_api)(uint32_t version);
    const char *(*get_version_string)(void);
} ort_api_base;

enum { ORT_FAIL_CODE = 1, ORT_LOG_WARNING = 2, ORT_SEQUENTIAL = 0, ORT_ENABLE_ALL = 99,
       ORT_ARENA_ALLOCATOR = 1, ORT_MEM_DEFAULT = 0, ORT_FLOAT = 1 };

typedef struct {
    const ort_fn *api;
    ort_session *session;
    ort_value *input, *output;
    float *in_buf, out_buf[10];
} ort_ctx;

#define ORT_CALL(api, slot, type) ((type)(api)[slot])

static void ort_check(const ort_fn *api, ort_status *st, const char *what)
{
    if (!st) return;
    fprintf(stderr, "peer onnxruntime: %s: %s\n", what,
            ORT_CALL(api, ORT_GetErrorMessage, const char *(*)(const ort_status *))(st));
    ORT_CALL(api, ORT_ReleaseStatus, void (*)(ort_status *))(st);
    exit(2);
}

static int ort_predict(void *opaque, const float *image)
{
    ort_ctx *c = (ort_ctx *)opaque;
    static const char *in_names[] = {"input"}, *out_names[] = {"softmax"};
    memcpy(c->in_buf, image, 784 * sizeof(float));
    ort_status *st = ORT_CALL(c->api, ORT_Run,
                              ort_status *(*)(ort_session *, const void *, const char *const *,
                                              const ort_value *const *, size_t, const char *const *,
                                              size_t, ort_value **))(
        c->session, NULL, in_names, (const ort_value *const *)&c->input, 1, out_names, 1, &c->output);
    ort_check(c->api, st, "Run");
    return peer_argmax10(c->out_buf);
}

int main(int argc, char **argv)
{
    peer_args a = peer_parse(argc, argv, "onnxruntime");
    if (!a.lib) peer_die("--lib path/to/libonnxruntime.so.1 is required", NULL);
    void *lib = dlopen(a.lib, RTLD_NOW | RTLD_LOCAL);
    if (!lib) peer_die("cannot load ONNX Runtime", dlerror());
    const ort_api_base *(*get_base)(void);
    *(void **)&get_base = dlsym(lib, "OrtGetApiBase");
    if (!get_base) peer_die("no OrtGetApiBase in", a.lib);
    const ort_api_base *base = get_base();
    const char *version = base ? base->get_version_string() : NULL;
    unsigned major = 0, minor = 0;
    if (!version || sscanf(version, "%u.%u", &major, &minor) != 2 || major != 1 || minor < 1) {
        fprintf(stderr, "peer onnxruntime: unexpected version string '%s'\n", version ? version : "(null)");
        return 3;
    }
    const ort_fn *api = (const ort_fn *)base->get_api(minor);
    if (!api) {
        fprintf(stderr, "peer onnxruntime %s: GetApi(%u) refused\n", version, minor);
        return 3;
    }
    for (int i = 0; i < ORT_SLOTS_USED; i++)
        if (!api[i]) {
            fprintf(stderr, "peer onnxruntime %s: OrtApi slot %d is empty\n", version, i);
            return 3;
        }
    /* The table check: a status must round-trip through the three status slots. */
    ort_status *probe = ORT_CALL(api, ORT_CreateStatus, ort_status *(*)(int, const char *))(
        ORT_FAIL_CODE, "frost-probe");
    if (!probe || ORT_CALL(api, ORT_GetErrorCode, int (*)(const ort_status *))(probe) != ORT_FAIL_CODE ||
        strcmp(ORT_CALL(api, ORT_GetErrorMessage, const char *(*)(const ort_status *))(probe), "frost-probe")) {
        fprintf(stderr, "peer onnxruntime %s: the OrtApi table does not match the declared layout\n", version);
        return 3;
    }
    ORT_CALL(api, ORT_ReleaseStatus, void (*)(ort_status *))(probe);

    peer_data d = peer_load_data(a.data_dir, a.n);

    ort_env *env = NULL;
    ort_check(api, ORT_CALL(api, ORT_CreateEnv, ort_status *(*)(int, const char *, ort_env **))(
                       ORT_LOG_WARNING, "frost-bench", &env), "CreateEnv");
    ort_options *opt = NULL;
    ort_check(api, ORT_CALL(api, ORT_CreateSessionOptions, ort_status *(*)(ort_options **))(&opt),
              "CreateSessionOptions");
    ort_check(api, ORT_CALL(api, ORT_SetSessionExecutionMode, ort_status *(*)(ort_options *, int))(
                       opt, ORT_SEQUENTIAL), "SetSessionExecutionMode");
    ort_check(api, ORT_CALL(api, ORT_SetSessionGraphOptimizationLevel, ort_status *(*)(ort_options *, int))(
                       opt, ORT_ENABLE_ALL), "SetSessionGraphOptimizationLevel");
    ort_check(api, ORT_CALL(api, ORT_SetIntraOpNumThreads, ort_status *(*)(ort_options *, int))(opt, a.threads),
              "SetIntraOpNumThreads");
    ort_check(api, ORT_CALL(api, ORT_SetInterOpNumThreads, ort_status *(*)(ort_options *, int))(opt, 1),
              "SetInterOpNumThreads");
    ort_ctx c;
    memset(&c, 0, sizeof c);
    c.api = api;
    ort_check(api, ORT_CALL(api, ORT_CreateSession,
                            ort_status *(*)(const ort_env *, const char *, const ort_options *, ort_session **))(
                       env, a.model, opt, &c.session), "CreateSession");
    size_t n_in = 0, n_out = 0;
    ort_check(api, ORT_CALL(api, ORT_SessionGetInputCount, ort_status *(*)(const ort_session *, size_t *))(
                       c.session, &n_in), "SessionGetInputCount");
    ort_check(api, ORT_CALL(api, ORT_SessionGetOutputCount, ort_status *(*)(const ort_session *, size_t *))(
                       c.session, &n_out), "SessionGetOutputCount");
    if (n_in != 1 || n_out != 1) {
        fprintf(stderr, "peer onnxruntime %s: session reports %zu inputs, %zu outputs (want 1, 1)\n",
                version, n_in, n_out);
        return 3;
    }
    ort_meminfo *mem = NULL;
    ort_check(api, ORT_CALL(api, ORT_CreateCpuMemoryInfo, ort_status *(*)(int, int, ort_meminfo **))(
                       ORT_ARENA_ALLOCATOR, ORT_MEM_DEFAULT, &mem), "CreateCpuMemoryInfo");
    static float in_buf[784];
    c.in_buf = in_buf;
    int64_t flat[2] = {1, 784}, nchw[4] = {1, 1, 28, 28}, out_shape[2] = {1, 10};
    typedef ort_status *(*create_tensor_fn)(const ort_meminfo *, void *, size_t, const int64_t *, size_t, int,
                                            ort_value **);
    ort_check(api, ORT_CALL(api, ORT_CreateTensorWithDataAsOrtValue, create_tensor_fn)(
                       mem, in_buf, sizeof in_buf, a.nchw ? nchw : flat, a.nchw ? 4 : 2, ORT_FLOAT, &c.input),
              "CreateTensorWithDataAsOrtValue(input)");
    ort_check(api, ORT_CALL(api, ORT_CreateTensorWithDataAsOrtValue, create_tensor_fn)(
                       mem, c.out_buf, sizeof c.out_buf, out_shape, 2, ORT_FLOAT, &c.output),
              "CreateTensorWithDataAsOrtValue(output)");

    char label[64];
    snprintf(label, sizeof label, "%s (C API v%u)", version, minor);
    peer_run(&a, &d, ort_predict, &c, label);

    ORT_CALL(api, ORT_ReleaseValue, void (*)(ort_value *))(c.input);
    ORT_CALL(api, ORT_ReleaseValue, void (*)(ort_value *))(c.output);
    ORT_CALL(api, ORT_ReleaseMemoryInfo, void (*)(ort_meminfo *))(mem);
    ORT_CALL(api, ORT_ReleaseSession, void (*)(ort_session *))(c.session);
    ORT_CALL(api, ORT_ReleaseSessionOptions, void (*)(ort_options *))(opt);
    ORT_CALL(api, ORT_ReleaseEnv, void (*)(ort_env *))(env);
    free(d.pixels);
    free(d.labels);
    return 0;
}
