/* serve.h — the contract between the parts of `frost serve` (tools/serve): the response buffer,
 * the JSON reader, tensor codecs, the session pool, the model repository, inference, routing,
 * protocol handlers, metrics and the HTTP front end. Everything here uses only frost's public API
 * (frost.h). Not installed; not part of libfrost. */
#ifndef FROST_SERVE_H
#define FROST_SERVE_H

#include "frost.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A model served here has at most this many inputs and outputs (checked at load). */
#define SERVE_MAX_IO 64
/* Model names: bytes, and how many distinct models one server keeps (slots are never reused). */
#define SERVE_NAME_MAX 128
#define SERVE_MAX_MODELS 256

/* ==== Errors: an HTTP status and one line naming the problem =================================== */

typedef struct serve_error {
    int status;           /* 400, 404, 405, 413, 500, 503 */
    char message[512];
} serve_error;

/* Fills `e` and returns false, so that `return serve_fail(...)` reads naturally. */
bool serve_fail(serve_error *e, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* ==== Growing byte buffer (responses) ========================================================== */

typedef struct serve_buf {
    char *data;
    size_t len, cap;
    bool oom;             /* an allocation failed: the contents are incomplete */
} serve_buf;

void serve_buf_free(serve_buf *b);
bool serve_buf_reserve(serve_buf *b, size_t extra);
void serve_buf_put(serve_buf *b, const void *data, size_t n);
void serve_buf_puts(serve_buf *b, const char *s);
void serve_buf_printf(serve_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A JSON string literal, quotes included; bytes that are not valid UTF-8 become U+FFFD. */
void serve_buf_json_string(serve_buf *b, const char *s, size_t n);
/* Takes the bytes out of the buffer (the caller frees them); the buffer is left empty. */
char *serve_buf_take(serve_buf *b, size_t *len);

/* ==== JSON reader (json_reader.c) ============================================================== */

typedef enum serve_jkind { JV_NULL, JV_FALSE, JV_TRUE, JV_NUMBER, JV_STRING, JV_ARRAY, JV_OBJECT } serve_jkind;

/* One JSON value. Strings and numbers point into the request body (not copied, escapes intact);
 * arrays and objects link their members through `next`; object members carry their key. */
typedef struct serve_jv serve_jv;
struct serve_jv {
    serve_jkind kind;
    bool escaped;           /* string: has backslash escapes */
    bool key_escaped;
    uint32_t len;           /* string/number: bytes of text; array/object: member count */
    uint32_t key_len;
    const char *text;       /* string (between the quotes) or number text */
    const char *key;        /* object member: its key (between the quotes) */
    serve_jv *child;        /* array/object: first member */
    serve_jv *next;         /* next member of the enclosing array/object */
};

/* Per-thread node storage, reused from request to request (no allocation once warm). */
void serve_json_arena_reset(void);
/* Releases this thread's node storage (at thread exit, or in tests). */
void serve_json_arena_release(void);

#define SERVE_JSON_MAX_DEPTH 64
/* Parses one JSON text (RFC 8259, strict: no comments, trailing commas or NaN; whitespace around
 * it allowed). The nodes live in this thread's arena until the next serve_json_arena_reset. On
 * error returns false and names the byte offset and what was expected. */
bool serve_json_parse(const char *text, size_t len, serve_jv **out, serve_error *e);
/* A blank node from this thread's arena (for arrays assembled from other nodes); NULL when the
 * request already holds too many values or memory ran out. */
serve_jv *serve_jv_new(void);
/* Object member by key (NULL if absent or `obj` is not an object). */
const serve_jv *serve_jv_get(const serve_jv *obj, const char *key);
/* String equality with a C string (escapes decoded). False for non-strings. */
bool serve_jv_string_is(const serve_jv *v, const char *s);
/* Decodes a string (escapes resolved, UTF-8) into buf; false if it does not fit or is not a string. */
bool serve_jv_string_copy(const serve_jv *v, char *buf, size_t cap, size_t *out_len);
/* A string's key as decoded text, for error messages: copies at most cap-1 bytes. */
void serve_jv_key_copy(const serve_jv *v, char *buf, size_t cap);
/* "object", "array", "string", "number", "true", "false", "null" */
const char *serve_jkind_name(serve_jkind k);
/* An integer-valued JSON number that fits int64 ("3", "-2"); false for fractions and exponents. */
bool serve_jv_int64(const serve_jv *v, int64_t *out);
/* JSON boolean (true/false); false for anything else. */
bool serve_jv_bool(const serve_jv *v, bool *out);

/* ==== Number text -> binary (numbers.c), exact ================================================== */

/* Each parses one valid JSON number token of `len` bytes. f32/f64: correctly rounded; false when the
 * value is out of the type's finite range. Integers: false for fractions, exponents or overflow. */
bool serve_number_f32(const char *s, size_t len, float *out);
bool serve_number_f64(const char *s, size_t len, double *out);
bool serve_number_i64(const char *s, size_t len, int64_t *out);
bool serve_number_u64(const char *s, size_t len, uint64_t *out);

/* ==== Tensors as JSON (tensor_json.c) ========================================================== */

/* Open Inference Protocol names ("FP32", "INT64", "BOOL") and back; FROST_DTYPE_INVALID if unknown. */
const char *serve_oip_dtype_name(frost_dtype t);
frost_dtype serve_oip_dtype_parse(const char *name, size_t len);
/* TensorFlow names ("DT_FLOAT") for TF Serving metadata. */
const char *serve_tf_dtype_name(frost_dtype t);
/* dtypes the JSON codec reads and writes (not F16/BF16/STRING). */
bool serve_json_dtype_ok(frost_dtype t);

/* The shape of nested JSON arrays (a scalar has rank 0). Fails on ragged or too deep nesting. */
bool serve_json_shape(const serve_jv *v, int *rank, int64_t *dims, const char *what, serve_error *e);
/* Writes the leaves of `v` (nested arrays or a flat array, row-major) as `count` elements of `t`
 * into dst. Fails naming the element index when a leaf has the wrong type or range, or when the
 * count differs. */
bool serve_json_decode(const serve_jv *v, frost_dtype t, void *dst, int64_t count, const char *what,
                       serve_error *e);
/* Appends `count` elements as a flat JSON array, or nested by `dims` (rank >= 0). */
void serve_json_encode_flat(serve_buf *b, frost_dtype t, const void *data, int64_t count);
void serve_json_encode_nested(serve_buf *b, frost_dtype t, const void *data, int rank,
                              const int64_t *dims);
/* One element at index i, as JSON. */
void serve_json_encode_element(serve_buf *b, frost_dtype t, const void *data, int64_t i);

/* ==== Session pool (pool.c) ==================================================================== */

/* A session and the input shapes it is planned for. */
typedef struct serve_slot {
    frost_session *session;
    int rank[SERVE_MAX_IO];
    int64_t dims[SERVE_MAX_IO][FROST_MAX_RANK];
} serve_slot;

typedef struct serve_pool {
    pthread_mutex_t lock;
    pthread_cond_t freed;
    int size, n_free;
    serve_slot *slots;
    int *free_list;       /* indexes of free slots, a stack */
} serve_pool;

/* Creates `size` sessions with `model_threads` threads each, planned and warmed for the model's
 * default shapes. */
bool serve_pool_init(serve_pool *p, const frost_model *m, int size, int model_threads,
                     serve_error *e);
void serve_pool_destroy(serve_pool *p);
/* Takes a free session, waiting while all are in use. The lock is held only to pop/push. */
serve_slot *serve_pool_acquire(serve_pool *p);
void serve_pool_release(serve_pool *p, serve_slot *s);

/* ==== Metrics (metrics.c) ====================================================================== */

enum { SERVE_API_V2 = 0, SERVE_API_V1 = 1, SERVE_API_COUNT };
#define SERVE_LATENCY_BUCKETS 16

typedef struct serve_histogram {
    atomic_uint_fast64_t bucket[SERVE_LATENCY_BUCKETS + 1];  /* last: +Inf */
    atomic_uint_fast64_t count;
    atomic_uint_fast64_t sum_ns;
} serve_histogram;

/* The server's own time per request (whole request minus the model run), finer buckets. */
#define SERVE_OVERHEAD_BUCKETS 12
typedef struct serve_overhead_histogram {
    atomic_uint_fast64_t bucket[SERVE_OVERHEAD_BUCKETS + 1];
    atomic_uint_fast64_t count;
    atomic_uint_fast64_t sum_ns;
} serve_overhead_histogram;

typedef struct serve_model_metrics {
    atomic_uint_fast64_t requests[SERVE_API_COUNT];
    atomic_uint_fast64_t errors[SERVE_API_COUNT];
    serve_histogram request_seconds;    /* whole request: parse, wait for a session, run, encode */
    serve_histogram inference_seconds;  /* frost_session_run only */
    serve_overhead_histogram overhead_seconds;  /* request_seconds minus inference_seconds, per request */
    atomic_uint_fast64_t loads, load_failures;
} serve_model_metrics;

void serve_histogram_observe(serve_histogram *h, uint64_t ns);
void serve_overhead_observe(serve_overhead_histogram *h, uint64_t ns);
/* frost_session_run time of the last inference on this thread (infer.c sets it). */
extern _Thread_local uint64_t serve_last_run_ns;
/* When that run started (CLOCK_MONOTONIC ns); 0 until a model runs on this thread. */
extern _Thread_local uint64_t serve_last_run_start_ns;
/* HTTP responses by status code, for every route. */
void serve_metrics_count_response(int status);
void serve_metrics_in_flight(int delta);
struct serve_repo;
/* The Prometheus text exposition (version 0.0.4) of every metric. */
void serve_metrics_render(serve_buf *b, struct serve_repo *repo);

/* ==== Model repository (repository.c) ========================================================== */

/* One loaded version of a model: immutable after load, shared by requests through `refs`. */
typedef struct serve_version {
    struct serve_model *owner;
    int64_t number;
    char *path;                          /* the model file */
    frost_model *model;
    serve_pool pool;
    int n_inputs, n_outputs;
    frost_tensor_info inputs[SERVE_MAX_IO], outputs[SERVE_MAX_IO];
    atomic_int refs;                     /* the repository's own reference + requests */
} serve_version;

typedef enum serve_version_state { SERVE_VS_LOADING, SERVE_VS_AVAILABLE, SERVE_VS_UNLOADED,
                                   SERVE_VS_FAILED } serve_version_state;

/* A name the repository has seen. Slots live as long as the server (metrics point at them). */
typedef struct serve_model {
    char name[SERVE_NAME_MAX];
    serve_version *current;              /* NULL while none is loaded; under the repo lock */
    serve_model_metrics metrics;
    /* What the poller last tried, for TF Serving's status and the logs. Under the repo lock. */
    int64_t status_version;
    serve_version_state status_state;
    char status_error[512];
    bool wanted;                         /* the last scan found a version to serve */
    /* Poller-private: the directory signature seen at the previous poll, per candidate. */
    int64_t seen_version;
    uint64_t seen_signature;
    int64_t failed_version;
    uint64_t failed_signature;
} serve_model;

typedef struct serve_repo_options {
    const char *repository;              /* NAME/VERSION/model.* ; NULL in single-model mode */
    const char *single_model;            /* frost serve MODEL --name NAME */
    const char *single_name;
    int sessions_per_model;
    int model_threads;
    double poll_seconds;                 /* <= 0: no polling */
    bool quiet;
    const frost_allocator *allocator;    /* NULL: frost's default (tests count allocations) */
} serve_repo_options;

typedef struct serve_repo {
    serve_repo_options opts;
    pthread_mutex_t lock;
    serve_model *models;                 /* SERVE_MAX_MODELS slots */
    atomic_int n_models;
    atomic_bool ready;                   /* the first scan has finished */
    atomic_bool stop;
    pthread_t poller;
    bool poller_running;
    pthread_mutex_t poll_lock;
    pthread_cond_t poll_wake;
} serve_repo;

bool serve_repo_open(serve_repo *r, const serve_repo_options *o, serve_error *e);
/* Scans the repository once: loads new versions and swaps them in, unloads removed ones. */
void serve_repo_scan(serve_repo *r);
/* Starts the poller thread (scan every poll_seconds). */
bool serve_repo_start_polling(serve_repo *r, serve_error *e);
void serve_repo_close(serve_repo *r);
/* The version to serve a request: `version` < 0 means the served (highest) one. 404 with the names
 * or versions there are when missing. Release it with serve_version_release. */
serve_version *serve_repo_acquire(serve_repo *r, const char *name, size_t name_len, int64_t version,
                                  serve_model **model_out, serve_error *e);
/* The metrics slot of a model name, or NULL. */
serve_model *serve_repo_find(serve_repo *r, const char *name, size_t name_len);
void serve_version_release(serve_version *v);
/* True when every model found by the first scan has a version loaded. */
bool serve_repo_ready(serve_repo *r);
/* "onnx_onnxv1", "tensorflow_graphdef", ... */
const char *serve_platform_name(frost_format f);

/* ==== Inference (infer.c): protocol-independent ================================================= */

typedef struct serve_input {
    int index;                           /* the model input */
    int rank;
    int64_t dims[FROST_MAX_RANK];
    const serve_jv *json;                /* JSON data (flat or nested) ... */
    const void *raw;                     /* ... or raw little-endian bytes (binary extension) */
    size_t raw_bytes;
    char what[300];                      /* names the input in errors: "input 'x'", "instances" */
} serve_input;

typedef struct serve_request {
    serve_version *version;
    int n_inputs;
    serve_input inputs[SERVE_MAX_IO];
} serve_request;

/* Called once with every output while the session is held (the data are the session's buffers);
 * false (with `e` filled) fails the request. */
typedef bool (*serve_emit_fn)(void *ctx, int n_outputs, const frost_tensor_info *infos,
                              const void *const *datas, serve_error *e);

/* Checks every input against the model (dtype, rank, fixed dims, element count), takes a session,
 * sets shapes, decodes the data straight into the session's input buffers, runs, emits, releases. */
bool serve_infer(serve_request *rq, serve_emit_fn emit, void *ctx, serve_model_metrics *mm,
                 serve_error *e);
/* Index of a model input/output by name (exact, then any name frost accepts); -1 if absent. */
int serve_find_input(const serve_version *v, const char *name, size_t len);
int serve_find_output(const serve_version *v, const char *name, size_t len);
/* "'a', 'b'" */
void serve_list_names(char *buf, size_t cap, const frost_tensor_info *t, int n);
/* "[-1, 1, 28, 28]" */
void serve_format_dims(char *buf, size_t cap, int rank, const int64_t *dims);
int64_t serve_numel(int rank, const int64_t *dims);

/* ==== Routing and handlers (router.c, oip.c, tfserving.c, handle.c) ============================= */

typedef enum serve_route_kind {
    ROUTE_NOT_FOUND,
    ROUTE_V2_LIVE, ROUTE_V2_READY, ROUTE_V2_SERVER, ROUTE_V2_MODEL, ROUTE_V2_MODEL_READY,
    ROUTE_V2_INFER,
    ROUTE_V1_STATUS, ROUTE_V1_METADATA, ROUTE_V1_PREDICT, ROUTE_V1_UNSUPPORTED_VERB,
    ROUTE_METRICS,
    ROUTE_BAD_VERSION
} serve_route_kind;

typedef struct serve_route {
    serve_route_kind kind;
    const char *model;                   /* points into the path */
    size_t model_len;
    int64_t version;                     /* -1: not given */
    const char *method_wanted;           /* "GET" or "POST" */
    const char *detail;                  /* the offending text for BAD_VERSION / UNSUPPORTED_VERB */
    size_t detail_len;
} serve_route;

void serve_route_parse(const char *path, serve_route *out);

typedef struct serve_http_request {
    const char *method;
    const char *path;
    const char *body;
    size_t body_len;
    int64_t inference_header_len;        /* Inference-Header-Content-Length, -1 when absent */
    bool header_len_invalid;             /* present but not a number */
} serve_http_request;

typedef struct serve_http_response {
    int status;
    serve_buf body;
    const char *content_type;            /* static string */
    int64_t inference_header_len;        /* -1: none */
    const char *allow;                   /* 405: the method the path takes */
} serve_http_response;

typedef struct serve_context {
    serve_repo *repo;
    atomic_bool draining;
} serve_context;

/* Answers one request (any route): fills `resp`. Never fails: errors become JSON bodies. */
void serve_handle(serve_context *ctx, const serve_http_request *rq, serve_http_response *resp);
void serve_http_response_free(serve_http_response *r);
/* {"error": "..."} with the status. */
void serve_reply_error(serve_http_response *resp, const serve_error *e);

/* The binary tensor data extension (tensor_binary.c). */
typedef struct serve_binary_cursor {
    const unsigned char *data;
    size_t len, used;
} serve_binary_cursor;
/* Splits the body at Inference-Header-Content-Length (all JSON when the header is absent). */
bool serve_binary_split(const serve_http_request *rq, const char **json, size_t *json_len,
                        serve_binary_cursor *bin, serve_error *e);
/* The next `size` bytes for an input that declared binary_data_size. */
bool serve_binary_claim(serve_binary_cursor *bin, int64_t size, const char *what, const void **out,
                        serve_error *e);
/* Every byte must belong to an input. */
bool serve_binary_finish(const serve_binary_cursor *bin, serve_error *e);

/* Open Inference Protocol v2 and TF Serving handlers: route already matched, model acquired. */
void serve_oip_health(serve_context *ctx, const serve_route *rt, serve_http_response *resp);
void serve_oip_server_metadata(serve_http_response *resp);
void serve_oip_model_metadata(serve_version *v, serve_http_response *resp);
void serve_oip_model_ready(serve_version *v, serve_http_response *resp);
bool serve_oip_infer(serve_version *v, const serve_http_request *rq, serve_http_response *resp,
                     serve_error *e);
void serve_tf_status(serve_model *m, int64_t version, serve_http_response *resp);
void serve_tf_metadata(serve_version *v, serve_http_response *resp);
bool serve_tf_predict(serve_version *v, const serve_http_request *rq, serve_http_response *resp,
                      serve_error *e);

/* ==== HTTP front end (http.c) and the server's life cycle (server.c) ============================ */

typedef struct serve_options {
    const char *repository;
    const char *single_model;
    const char *name;
    const char *host;
    int port;                             /* 0: any free port (printed) */
    int threads;                          /* HTTP workers = sessions per model */
    int model_threads;
    size_t max_body_bytes;
    double poll_seconds;
    double drain_seconds;
    int idle_timeout_seconds;
    bool quiet;
    bool timing_header;                   /* --timing-header: stamps in each response (http.c) */
} serve_options;

struct serve_http;
struct serve_http *serve_http_start(serve_context *ctx, const serve_options *o, int *bound_port,
                                    serve_error *e);
/* Stops accepting connections; requests already received are still answered. */
void serve_http_quiesce(struct serve_http *h);
int serve_http_in_flight(struct serve_http *h);
void serve_http_stop(struct serve_http *h);

/* Runs until SIGTERM/SIGINT, then drains. Returns the process exit code. */
int serve_main(const serve_options *o);

/* Monotonic nanoseconds. */
uint64_t serve_now_ns(void);

#endif
