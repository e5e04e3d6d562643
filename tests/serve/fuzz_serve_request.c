/* fuzz_serve_request.c — libFuzzer target for what frost serve reads from clients: the fuzzer's
 * bytes are a request body (first byte: which endpoint and whether the binary extension header is
 * set and where) handed to serve_handle with a real model loaded once (tests/data/onnx
 * mlp_dynamic_op13.onnx). Any crash, leak, hang or sanitizer report is a bug; every answer must be
 * a JSON object. Built only with -DFROST_FUZZ=ON (clang):
 *   ./build-fuzz/fuzz/fuzz_serve_request -max_total_time=60 -max_len=4096 */
#include "serve.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static serve_repo repo;
static serve_context ctx;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    serve_error e;
    serve_repo_options o = {.single_model = FROST_TEST_DATA "/onnx/mlp_dynamic_op13.onnx", .single_name = "m",
                            .sessions_per_model = 1, .model_threads = 1, .quiet = true};
    if (!serve_repo_open(&repo, &o, &e)) abort();
    serve_repo_scan(&repo);
    if (!repo.models[0].current) abort();
    ctx.repo = &repo;
    return 0;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size) {
    static const char *const paths[] = {"/v2/models/m/infer", "/v1/models/m:predict",
                                        "/v2/models/m/versions/1/infer", "/v1/models/m/versions/1:predict"};
    if (size < 2) return 0;
    unsigned sel = data[0], cut = data[1];
    const char *body = (const char *)data + 2;
    size_t len = size - 2;
    serve_http_request rq = {"POST", paths[sel & 3], body, len, -1, false};
    if (sel & 4) rq.inference_header_len = (int64_t)(cut <= len ? cut : len);
    serve_http_response r;
    serve_handle(&ctx, &rq, &r);
    if (r.body.len < 2 || r.body.data[0] != '{') abort();
    serve_http_response_free(&r);
    return 0;
}
