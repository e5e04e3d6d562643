/* handle.c — answers one HTTP request, independent of the HTTP library: matches the route, checks
 * the method, takes a reference on the model version the route names (so a swap can't free it
 * mid-request), calls the protocol's handler, turns any failure into a JSON error body, and counts
 * requests, errors and latency per model. It must always produce a response, and always release
 * what it acquired. */
#include "serve.h"

#include <stdio.h>
#include <string.h>

void serve_http_response_free(serve_http_response *r) { serve_buf_free(&r->body); }

void serve_reply_error(serve_http_response *resp, const serve_error *e) {
    resp->status = e->status ? e->status : 500;
    resp->body.len = 0;
    resp->body.oom = false;
    resp->content_type = "application/json";
    resp->inference_header_len = -1;
    serve_buf_puts(&resp->body, "{\"error\":");
    serve_buf_json_string(&resp->body, e->message, strlen(e->message));
    serve_buf_puts(&resp->body, "}");
}

static bool method_is(const char *m, const char *want) {
    return strcmp(m, want) == 0 || (strcmp(want, "GET") == 0 && strcmp(m, "HEAD") == 0);
}

/* Routes that name a model: acquire it, run the handler, count. */
static void model_route(serve_context *ctx, const serve_route *rt, const serve_http_request *rq,
                        serve_http_response *resp) {
    serve_error e = {0};
    bool v1 = rt->kind == ROUTE_V1_STATUS || rt->kind == ROUTE_V1_METADATA || rt->kind == ROUTE_V1_PREDICT;
    if (rt->kind == ROUTE_V1_STATUS) {
        serve_model *m = serve_repo_find(ctx->repo, rt->model, rt->model_len);
        if (!m) {
            serve_version *v = serve_repo_acquire(ctx->repo, rt->model, rt->model_len, -1, NULL, &e);
            serve_version_release(v);   /* only for its 404 message naming the models */
            if (!v) serve_reply_error(resp, &e);
            return;
        }
        pthread_mutex_lock(&ctx->repo->lock);
        serve_tf_status(m, rt->version, resp);
        pthread_mutex_unlock(&ctx->repo->lock);
        return;
    }
    uint64_t t0 = serve_now_ns();
    serve_model *m = NULL;
    serve_version *v = serve_repo_acquire(ctx->repo, rt->model, rt->model_len, rt->version, &m, &e);
    bool infer = rt->kind == ROUTE_V2_INFER || rt->kind == ROUTE_V1_PREDICT;
    bool ok = v != NULL;
    if (v) {
        switch (rt->kind) {
        case ROUTE_V2_MODEL: serve_oip_model_metadata(v, resp); break;
        case ROUTE_V2_MODEL_READY: serve_oip_model_ready(v, resp); break;
        case ROUTE_V2_INFER: ok = serve_oip_infer(v, rq, resp, &e); break;
        case ROUTE_V1_METADATA: serve_tf_metadata(v, resp); break;
        case ROUTE_V1_PREDICT: ok = serve_tf_predict(v, rq, resp, &e); break;
        default: break;
        }
        serve_version_release(v);
    }
    if (!ok) serve_reply_error(resp, &e);
    if (infer && m) {
        int api = v1 ? SERVE_API_V1 : SERVE_API_V2;
        atomic_fetch_add_explicit(&m->metrics.requests[api], 1, memory_order_relaxed);
        if (!ok) atomic_fetch_add_explicit(&m->metrics.errors[api], 1, memory_order_relaxed);
        else {
            uint64_t ns = serve_now_ns() - t0;
            serve_histogram_observe(&m->metrics.request_seconds, ns);
            serve_overhead_observe(&m->metrics.overhead_seconds, ns > serve_last_run_ns ? ns - serve_last_run_ns : 0);
        }
    }
}

void serve_handle(serve_context *ctx, const serve_http_request *rq, serve_http_response *resp) {
    memset(resp, 0, sizeof *resp);
    resp->status = 200;
    resp->content_type = "application/json";
    resp->inference_header_len = -1;
    serve_json_arena_reset();
    serve_route rt;
    serve_route_parse(rq->path, &rt);
    serve_error e = {0};
    if (rt.kind == ROUTE_NOT_FOUND) {
        serve_fail(&e, 404, "no such endpoint: %s %.200s (try GET /v2, /v2/models/NAME, POST "
                   "/v2/models/NAME/infer or /v1/models/NAME:predict)", rq->method, rq->path);
        serve_reply_error(resp, &e);
        return;
    }
    if (rt.kind == ROUTE_BAD_VERSION) {
        serve_fail(&e, 400, "model version '%.*s' is not a number", (int)(rt.detail_len > 64 ? 64 : rt.detail_len),
                   rt.detail);
        serve_reply_error(resp, &e);
        return;
    }
    if (!method_is(rq->method, rt.method_wanted)) {
        serve_fail(&e, 405, "%s takes %s, not %s", rq->path, rt.method_wanted, rq->method);
        serve_reply_error(resp, &e);
        resp->allow = rt.method_wanted;
        return;
    }
    switch (rt.kind) {
    case ROUTE_V2_LIVE:
    case ROUTE_V2_READY: serve_oip_health(ctx, &rt, resp); break;
    case ROUTE_V2_SERVER: serve_oip_server_metadata(resp); break;
    case ROUTE_METRICS:
        resp->content_type = "text/plain; version=0.0.4; charset=utf-8";
        serve_metrics_render(&resp->body, ctx->repo);
        break;
    case ROUTE_V1_UNSUPPORTED_VERB:
        serve_fail(&e, 400, "':%.*s' is not supported; frost serve answers ':predict'",
                   (int)(rt.detail_len > 64 ? 64 : rt.detail_len), rt.detail);
        serve_reply_error(resp, &e);
        break;
    default: model_route(ctx, &rt, rq, resp); break;
    }
    if (resp->body.oom) {
        serve_buf_free(&resp->body);
        resp->body.oom = false;
        serve_fail(&e, 500, "out of memory writing the response");
        serve_reply_error(resp, &e);
    }
}
