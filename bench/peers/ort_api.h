/* ort_api.h — ONNX Runtime's C API as frost's peer benchmarks call it (ort_peer.c: the founding
 * MNIST loop; ort_model.c: any model of the real-network suite).
 *
 * The npm package onnxruntime-node ships libonnxruntime.so.1 but not onnxruntime_c_api.h, so the
 * few entry points used are declared here from the published C API: OrtGetApiBase() returns
 * {GetApi(version), GetVersionString()}, and GetApi returns the OrtApi table, a struct of function
 * pointers that ONNX Runtime only ever appends to, so every slot below has the same index in every
 * release. ort_open asks for exactly the library's own API version (the minor number of its version
 * string) and verifies the table before trusting it: a status made by CreateStatus must read back
 * its code and message. A peer never calls through a guessed pointer: on a mismatch it exits 3; a
 * failed call prints ONNX Runtime's message and exits 2. */
#ifndef FROST_BENCH_ORT_API_H
#define FROST_BENCH_ORT_API_H

#include <stddef.h>
#include <stdint.h>

/* Slot numbers in struct OrtApi (onnxruntime_c_api.h). */
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
    ORT_GetTensorMutableData = 51,
    ORT_GetTensorElementType = 60,
    ORT_GetDimensionsCount = 61,
    ORT_GetDimensions = 62,
    ORT_GetTensorShapeElementCount = 64,
    ORT_GetTensorTypeAndShape = 65,
    ORT_CreateCpuMemoryInfo = 69,
    ORT_ReleaseEnv = 92,
    ORT_ReleaseStatus = 93,
    ORT_ReleaseMemoryInfo = 94,
    ORT_ReleaseSession = 95,
    ORT_ReleaseValue = 96,
    ORT_ReleaseTensorTypeAndShapeInfo = 99,
    ORT_ReleaseSessionOptions = 100,
    ORT_SLOTS_USED = 101
};

enum { ORT_FLOAT = 1 }; /* ONNX's element type number of float32 */

typedef void (*ort_fn)(void);
typedef struct ort_status ort_status; /* opaque */

#define ORT_CALL(api, slot, type) ((type)(api)[slot])

/* A loaded library and one session on one model. */
typedef struct ort_runtime {
    const char *who;      /* the peer's name, first word of its messages                        */
    const ort_fn *api;    /* the verified OrtApi table                                          */
    const char *version;  /* ONNX Runtime's version string                                      */
    unsigned api_version; /* the table's version (the library's minor number)                   */
    void *env, *options, *session, *mem; /* mem: CPU memory info for tensors over our buffers  */
    size_t n_inputs, n_outputs;          /* the session's                                       */
    double session_ms;    /* time CreateSession took                                            */
} ort_runtime;

/* Loads lib_path, verifies the table, makes a session on model with graph optimisation
 * ORT_ENABLE_ALL, sequential execution, `threads` intra-op threads and one inter-op thread. Exits
 * (3: API mismatch, 2: a failed call) with a message starting with who. */
void ort_open(ort_runtime *rt, const char *who, const char *lib_path, const char *model, int threads);
/* A call's status: returns when it is success (NULL), else prints its message and exits 2. */
void ort_check(const ort_runtime *rt, ort_status *st, const char *what);
/* An OrtValue tensor over caller-owned memory (the caller keeps it alive and releases the value). */
void *ort_tensor(const ort_runtime *rt, void *data, size_t bytes, const int64_t *dims, size_t rank,
                 int onnx_type, const char *what);
void ort_release_value(const ort_runtime *rt, void *value);
/* Releases the session, options, memory info and environment. */
void ort_close(ort_runtime *rt);

#endif /* FROST_BENCH_ORT_API_H */
