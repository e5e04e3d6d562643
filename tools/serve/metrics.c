/* metrics.c — counters and latency histograms, and GET /metrics in the Prometheus text format
 * (0.0.4): HTTP responses by status code, requests in flight, and per model: inference requests
 * and errors per API, whole-request and model-run latency histograms, loads and load failures,
 * the version served. Updating is a relaxed atomic add: no lock on the request path. Model labels
 * are repository folder names (letters, digits, '_', '-', '.'), never text a client sent. */
#include "serve.h"

#include <inttypes.h>
#include <string.h>

static const uint64_t bucket_ns[SERVE_LATENCY_BUCKETS] = {
    50000,    100000,   250000,    500000,    1000000,    2500000,    5000000,    10000000,
    25000000, 50000000, 100000000, 250000000, 500000000, 1000000000, 2500000000, 10000000000};
static const char *const bucket_le[SERVE_LATENCY_BUCKETS] = {
    "5e-05", "0.0001", "0.00025", "0.0005", "0.001", "0.0025", "0.005", "0.01",
    "0.025", "0.05",   "0.1",     "0.25",   "0.5",   "1",      "2.5",   "10"};

static const uint64_t overhead_ns[SERVE_OVERHEAD_BUCKETS] = {5000,   10000,  15000,  20000,  30000,   50000,
                                                              100000, 200000, 500000, 1000000, 5000000, 50000000};
static const char *const overhead_le[SERVE_OVERHEAD_BUCKETS] = {"5e-06",  "1e-05",  "1.5e-05", "2e-05", "3e-05", "5e-05",
                                                               "0.0001", "0.0002", "0.0005",  "0.001", "0.005", "0.05"};

static atomic_uint_fast64_t responses[600];
static atomic_int in_flight;

void serve_histogram_observe(serve_histogram *h, uint64_t ns) {
    int b = 0;
    while (b < SERVE_LATENCY_BUCKETS && ns > bucket_ns[b]) b++;
    atomic_fetch_add_explicit(&h->bucket[b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&h->count, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&h->sum_ns, ns, memory_order_relaxed);
}

void serve_overhead_observe(serve_overhead_histogram *h, uint64_t ns) {
    int b = 0;
    while (b < SERVE_OVERHEAD_BUCKETS && ns > overhead_ns[b]) b++;
    atomic_fetch_add_explicit(&h->bucket[b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&h->count, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&h->sum_ns, ns, memory_order_relaxed);
}

void serve_metrics_count_response(int status) {
    if (status >= 100 && status < 600) atomic_fetch_add_explicit(&responses[status], 1, memory_order_relaxed);
}

void serve_metrics_in_flight(int delta) { atomic_fetch_add_explicit(&in_flight, delta, memory_order_relaxed); }

static void header(serve_buf *b, const char *name, const char *type, const char *help) {
    serve_buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void histogram(serve_buf *b, const char *name, const char *model, serve_histogram *h) {
    uint64_t cum = 0;
    for (int i = 0; i <= SERVE_LATENCY_BUCKETS; i++) {
        cum += atomic_load_explicit(&h->bucket[i], memory_order_relaxed);
        serve_buf_printf(b, "%s_bucket{model=\"%s\",le=\"%s\"} %" PRIu64 "\n", name, model,
                         i < SERVE_LATENCY_BUCKETS ? bucket_le[i] : "+Inf", cum);
    }
    serve_buf_printf(b, "%s_sum{model=\"%s\"} %.9f\n%s_count{model=\"%s\"} %" PRIu64 "\n", name, model,
                     (double)atomic_load(&h->sum_ns) / 1e9, name, model, (uint64_t)atomic_load(&h->count));
}

void serve_metrics_render(serve_buf *b, serve_repo *repo) {
    static const char *const api[SERVE_API_COUNT] = {"v2", "v1"};
    header(b, "frost_serve_http_responses_total", "counter", "HTTP responses by status code, every route.");
    for (int c = 100; c < 600; c++) {
        uint64_t n = atomic_load_explicit(&responses[c], memory_order_relaxed);
        if (n) serve_buf_printf(b, "frost_serve_http_responses_total{code=\"%d\"} %" PRIu64 "\n", c, n);
    }
    header(b, "frost_serve_in_flight_requests", "gauge", "Requests received and not yet answered.");
    serve_buf_printf(b, "frost_serve_in_flight_requests %d\n", atomic_load(&in_flight));

    int n = atomic_load(&repo->n_models);
    header(b, "frost_serve_requests_total", "counter", "Inference requests per model and API (v2: Open Inference Protocol, v1: TF Serving).");
    for (int i = 0; i < n; i++)
        for (int a = 0; a < SERVE_API_COUNT; a++)
            serve_buf_printf(b, "frost_serve_requests_total{model=\"%s\",api=\"%s\"} %" PRIu64 "\n",
                             repo->models[i].name, api[a], (uint64_t)atomic_load(&repo->models[i].metrics.requests[a]));
    header(b, "frost_serve_request_errors_total", "counter", "Inference requests answered with an error status.");
    for (int i = 0; i < n; i++)
        for (int a = 0; a < SERVE_API_COUNT; a++)
            serve_buf_printf(b, "frost_serve_request_errors_total{model=\"%s\",api=\"%s\"} %" PRIu64 "\n",
                             repo->models[i].name, api[a], (uint64_t)atomic_load(&repo->models[i].metrics.errors[a]));
    header(b, "frost_serve_request_duration_seconds", "histogram",
           "Inference request time in the server: body parsed, session taken, model run, response encoded.");
    for (int i = 0; i < n; i++)
        histogram(b, "frost_serve_request_duration_seconds", repo->models[i].name, &repo->models[i].metrics.request_seconds);
    header(b, "frost_serve_inference_duration_seconds", "histogram", "frost_session_run time alone.");
    for (int i = 0; i < n; i++)
        histogram(b, "frost_serve_inference_duration_seconds", repo->models[i].name, &repo->models[i].metrics.inference_seconds);
    header(b, "frost_serve_server_overhead_seconds", "histogram",
           "Per inference request, the server's own time: the whole request minus the model run.");
    for (int i = 0; i < n; i++) {
        serve_overhead_histogram *h = &repo->models[i].metrics.overhead_seconds;
        uint64_t cum = 0;
        for (int k = 0; k <= SERVE_OVERHEAD_BUCKETS; k++) {
            cum += atomic_load_explicit(&h->bucket[k], memory_order_relaxed);
            serve_buf_printf(b, "frost_serve_server_overhead_seconds_bucket{model=\"%s\",le=\"%s\"} %" PRIu64 "\n",
                             repo->models[i].name, k < SERVE_OVERHEAD_BUCKETS ? overhead_le[k] : "+Inf", cum);
        }
        serve_buf_printf(b, "frost_serve_server_overhead_seconds_sum{model=\"%s\"} %.9f\n"
                         "frost_serve_server_overhead_seconds_count{model=\"%s\"} %" PRIu64 "\n",
                         repo->models[i].name, (double)atomic_load(&h->sum_ns) / 1e9, repo->models[i].name,
                         (uint64_t)atomic_load(&h->count));
    }
    header(b, "frost_serve_model_loads_total", "counter", "Model version loads attempted.");
    for (int i = 0; i < n; i++)
        serve_buf_printf(b, "frost_serve_model_loads_total{model=\"%s\"} %" PRIu64 "\n", repo->models[i].name,
                         (uint64_t)atomic_load(&repo->models[i].metrics.loads));
    header(b, "frost_serve_model_load_failures_total", "counter", "Model version loads that failed.");
    for (int i = 0; i < n; i++)
        serve_buf_printf(b, "frost_serve_model_load_failures_total{model=\"%s\"} %" PRIu64 "\n", repo->models[i].name,
                         (uint64_t)atomic_load(&repo->models[i].metrics.load_failures));
    header(b, "frost_serve_model_version", "gauge", "The version served (0: none).");
    pthread_mutex_lock(&repo->lock);
    for (int i = 0; i < n; i++)
        serve_buf_printf(b, "frost_serve_model_version{model=\"%s\"} %" PRId64 "\n", repo->models[i].name,
                         repo->models[i].current ? repo->models[i].current->number : 0);
    pthread_mutex_unlock(&repo->lock);
}
