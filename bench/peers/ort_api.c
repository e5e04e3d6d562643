/* ort_api.c — loading ONNX Runtime's library, checking its OrtApi table and making the session
 * every peer uses (ort_api.h says why the table is checked). Exits on any failure: a peer that
 * cannot trust the runtime must not produce a number. */
#include "ort_api.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { ORT_FAIL_CODE = 1, ORT_LOG_ERROR = 3, ORT_SEQUENTIAL = 0, ORT_ENABLE_ALL = 99,
       ORT_ARENA_ALLOCATOR = 1, ORT_MEM_DEFAULT = 0 };

typedef struct {
    const void *(*get_api)(uint32_t version);
    const char *(*get_version_string)(void);
} ort_api_base;

static void mismatch(const ort_runtime *rt, const char *what, const char *detail) {
    fprintf(stderr, "%s: ONNX Runtime %s: %s%s%s\n", rt->who, rt->version ? rt->version : "", what,
            detail ? ": " : "", detail ? detail : "");
    exit(3);
}

void ort_check(const ort_runtime *rt, ort_status *st, const char *what) {
    if (!st) return;
    fprintf(stderr, "%s: %s: %s\n", rt->who, what,
            ORT_CALL(rt->api, ORT_GetErrorMessage, const char *(*)(const ort_status *))(st));
    ORT_CALL(rt->api, ORT_ReleaseStatus, void (*)(ort_status *))(st);
    exit(2);
}

/* The library's OrtApi table, verified. */
static void load_api(ort_runtime *rt, const char *lib_path) {
    void *lib = dlopen(lib_path, RTLD_NOW | RTLD_LOCAL);
    if (!lib) mismatch(rt, "cannot load the library", dlerror());
    const ort_api_base *(*get_base)(void);
    *(void **)&get_base = dlsym(lib, "OrtGetApiBase");
    if (!get_base) mismatch(rt, "no OrtGetApiBase in", lib_path);
    const ort_api_base *base = get_base();
    rt->version = base ? base->get_version_string() : NULL;
    unsigned major = 0, minor = 0;
    if (!rt->version || sscanf(rt->version, "%u.%u", &major, &minor) != 2 || major != 1 || minor < 1)
        mismatch(rt, "unexpected version string", rt->version ? rt->version : "(null)");
    rt->api_version = minor;
    rt->api = (const ort_fn *)base->get_api(minor);
    if (!rt->api) mismatch(rt, "GetApi refused its own version", NULL);
    for (int i = 0; i < ORT_SLOTS_USED; i++)
        if (!rt->api[i]) mismatch(rt, "an OrtApi slot this peer uses is empty", NULL);
    const ort_fn *api = rt->api;
    ort_status *probe = ORT_CALL(api, ORT_CreateStatus, ort_status *(*)(int, const char *))(
        ORT_FAIL_CODE, "frost-probe");
    if (!probe || ORT_CALL(api, ORT_GetErrorCode, int (*)(const ort_status *))(probe) != ORT_FAIL_CODE ||
        strcmp(ORT_CALL(api, ORT_GetErrorMessage, const char *(*)(const ort_status *))(probe),
               "frost-probe"))
        mismatch(rt, "the OrtApi table does not match the declared layout", NULL);
    ORT_CALL(api, ORT_ReleaseStatus, void (*)(ort_status *))(probe);
}

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}

void ort_open(ort_runtime *rt, const char *who, const char *lib_path, const char *model, int threads) {
    memset(rt, 0, sizeof *rt);
    rt->who = who;
    load_api(rt, lib_path);
    const ort_fn *api = rt->api;
    ort_check(rt, ORT_CALL(api, ORT_CreateEnv, ort_status *(*)(int, const char *, void **))(
                      ORT_LOG_ERROR, "frost-bench", &rt->env), "CreateEnv");
    ort_check(rt, ORT_CALL(api, ORT_CreateSessionOptions, ort_status *(*)(void **))(&rt->options),
              "CreateSessionOptions");
    ort_check(rt, ORT_CALL(api, ORT_SetSessionExecutionMode, ort_status *(*)(void *, int))(
                      rt->options, ORT_SEQUENTIAL), "SetSessionExecutionMode");
    ort_check(rt, ORT_CALL(api, ORT_SetSessionGraphOptimizationLevel, ort_status *(*)(void *, int))(
                      rt->options, ORT_ENABLE_ALL), "SetSessionGraphOptimizationLevel");
    ort_check(rt, ORT_CALL(api, ORT_SetIntraOpNumThreads, ort_status *(*)(void *, int))(rt->options, threads),
              "SetIntraOpNumThreads");
    ort_check(rt, ORT_CALL(api, ORT_SetInterOpNumThreads, ort_status *(*)(void *, int))(rt->options, 1),
              "SetInterOpNumThreads");
    const double t0 = now_ms();
    ort_check(rt, ORT_CALL(api, ORT_CreateSession, ort_status *(*)(void *, const char *, void *, void **))(
                      rt->env, model, rt->options, &rt->session), "CreateSession");
    rt->session_ms = now_ms() - t0;
    ort_check(rt, ORT_CALL(api, ORT_SessionGetInputCount, ort_status *(*)(void *, size_t *))(
                      rt->session, &rt->n_inputs), "SessionGetInputCount");
    ort_check(rt, ORT_CALL(api, ORT_SessionGetOutputCount, ort_status *(*)(void *, size_t *))(
                      rt->session, &rt->n_outputs), "SessionGetOutputCount");
    ort_check(rt, ORT_CALL(api, ORT_CreateCpuMemoryInfo, ort_status *(*)(int, int, void **))(
                      ORT_ARENA_ALLOCATOR, ORT_MEM_DEFAULT, &rt->mem), "CreateCpuMemoryInfo");
}

void *ort_tensor(const ort_runtime *rt, void *data, size_t bytes, const int64_t *dims, size_t rank,
                 int onnx_type, const char *what) {
    void *value = NULL;
    ort_check(rt, ORT_CALL(rt->api, ORT_CreateTensorWithDataAsOrtValue,
                           ort_status *(*)(const void *, void *, size_t, const int64_t *, size_t, int,
                                           void **))(rt->mem, data, bytes, dims, rank, onnx_type, &value),
              what);
    return value;
}

void ort_release_value(const ort_runtime *rt, void *value) {
    if (value) ORT_CALL(rt->api, ORT_ReleaseValue, void (*)(void *))(value);
}

void ort_close(ort_runtime *rt) {
    const ort_fn *api = rt->api;
    if (!api) return;
    if (rt->mem) ORT_CALL(api, ORT_ReleaseMemoryInfo, void (*)(void *))(rt->mem);
    if (rt->session) ORT_CALL(api, ORT_ReleaseSession, void (*)(void *))(rt->session);
    if (rt->options) ORT_CALL(api, ORT_ReleaseSessionOptions, void (*)(void *))(rt->options);
    if (rt->env) ORT_CALL(api, ORT_ReleaseEnv, void (*)(void *))(rt->env);
    memset(rt, 0, sizeof *rt);
}
