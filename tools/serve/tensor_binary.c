/* tensor_binary.c — the Open Inference Protocol's binary tensor data extension: a request body is
 * a JSON header of Inference-Header-Content-Length bytes followed by the raw tensors of the inputs
 * that declare "binary_data_size", in the order they are listed (little-endian, row-major, no
 * padding); outputs asked for with "binary_data" are appended the same way after the response's
 * JSON. This file splits and claims those byte ranges; it never trusts a size it has not checked
 * against the bytes actually there. */
#include "serve.h"

#include <inttypes.h>

bool serve_binary_split(const serve_http_request *rq, const char **json, size_t *json_len,
                        serve_binary_cursor *bin, serve_error *e) {
    *json = rq->body;
    *json_len = rq->body_len;
    bin->data = NULL;
    bin->len = bin->used = 0;
    if (rq->header_len_invalid)
        return serve_fail(e, 400, "Inference-Header-Content-Length is not a non-negative integer");
    if (rq->inference_header_len < 0) return true;
    if ((uint64_t)rq->inference_header_len > rq->body_len)
        return serve_fail(e, 400, "Inference-Header-Content-Length is %" PRId64 " but the body has %zu bytes",
                          rq->inference_header_len, rq->body_len);
    *json_len = (size_t)rq->inference_header_len;
    bin->data = (const unsigned char *)rq->body + *json_len;
    bin->len = rq->body_len - *json_len;
    return true;
}

bool serve_binary_claim(serve_binary_cursor *bin, int64_t size, const char *what, const void **out,
                        serve_error *e) {
    if (size < 0) return serve_fail(e, 400, "%s: binary_data_size is negative", what);
    if (!bin->data)
        return serve_fail(e, 400, "%s has binary_data_size but the request has no "
                          "Inference-Header-Content-Length header", what);
    if ((uint64_t)size > bin->len - bin->used)
        return serve_fail(e, 400, "%s: binary_data_size %" PRId64 " but only %zu bytes of binary data are left",
                          what, size, bin->len - bin->used);
    *out = bin->data + bin->used;
    bin->used += (size_t)size;
    return true;
}

bool serve_binary_finish(const serve_binary_cursor *bin, serve_error *e) {
    if (bin->used != bin->len)
        return serve_fail(e, 400, "%zu bytes of binary data after the JSON header belong to no input",
                          bin->len - bin->used);
    return true;
}
