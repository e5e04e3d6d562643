/* oip.c — the Open Inference Protocol v2 (KServe, Triton, Seldon) over REST: health, server and
 * model metadata, model readiness, and inference with JSON tensors (flat or nested data),
 * requested outputs, the request "id" echoed, and the binary tensor data extension both ways.
 * Every field is checked before anything runs, and a bad one is a 400 naming it; unknown
 * parameters are ignored as the protocol allows, except ones that would change the answer
 * ("classification"), which are refused rather than silently dropped. */
#include "serve.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

void serve_oip_health(serve_context *ctx, const serve_route *rt, serve_http_response *resp) {
    if (rt->kind == ROUTE_V2_LIVE) {
        serve_buf_puts(&resp->body, "{\"live\":true}");
        return;
    }
    bool ready = !atomic_load(&ctx->draining) && serve_repo_ready(ctx->repo);
    /* The protocol: 200 when ready, a 4xx when not. */
    resp->status = ready ? 200 : 400;
    serve_buf_puts(&resp->body, ready ? "{\"ready\":true}" : "{\"ready\":false}");
}

void serve_oip_server_metadata(serve_http_response *resp) {
    serve_buf_printf(&resp->body, "{\"name\":\"frost\",\"version\":\"%s\",\"extensions\":[\"binary_tensor_data\"]}",
                     frost_version());
}

static void tensor_meta(serve_buf *b, const frost_tensor_info *t) {
    serve_buf_puts(b, "{\"name\":");
    serve_buf_json_string(b, t->name, strlen(t->name));
    serve_buf_printf(b, ",\"datatype\":\"%s\",\"shape\":[", serve_oip_dtype_name(t->dtype));
    if (t->rank < 0) serve_buf_puts(b, "-1");   /* not even the rank is known */
    for (int d = 0; d < t->rank; d++) serve_buf_printf(b, "%s%" PRId64, d ? "," : "", t->dims[d] < 0 ? -1 : t->dims[d]);
    serve_buf_puts(b, "]}");
}

void serve_oip_model_metadata(serve_version *v, serve_http_response *resp) {
    serve_buf *b = &resp->body;
    serve_buf_puts(b, "{\"name\":");
    serve_buf_json_string(b, v->owner->name, strlen(v->owner->name));
    serve_buf_printf(b, ",\"versions\":[\"%" PRId64 "\"],\"platform\":\"%s\",\"inputs\":[", v->number,
                     serve_platform_name(frost_model_format(v->model)));
    for (int i = 0; i < v->n_inputs; i++) {
        if (i) serve_buf_puts(b, ",");
        tensor_meta(b, &v->inputs[i]);
    }
    serve_buf_puts(b, "],\"outputs\":[");
    for (int i = 0; i < v->n_outputs; i++) {
        if (i) serve_buf_puts(b, ",");
        tensor_meta(b, &v->outputs[i]);
    }
    serve_buf_puts(b, "]}");
}

void serve_oip_model_ready(serve_version *v, serve_http_response *resp) {
    serve_buf_puts(&resp->body, "{\"name\":");
    serve_buf_json_string(&resp->body, v->owner->name, strlen(v->owner->name));
    serve_buf_puts(&resp->body, ",\"ready\":true}");
}

/* ---- inference ---- */

typedef struct oip_output {
    int index;
    bool binary;
} oip_output;

typedef struct oip_emit {
    serve_version *v;
    serve_buf *json;
    serve_buf bin;             /* binary outputs, appended after the JSON */
    int n;
    oip_output want[SERVE_MAX_IO];
} oip_emit;

static bool emit_outputs(void *ctxp, int n_outputs, const frost_tensor_info *infos,
                         const void *const *datas, serve_error *e) {
    oip_emit *c = ctxp;
    serve_buf *b = c->json;
    serve_buf_puts(b, ",\"outputs\":[");
    for (int k = 0; k < c->n; k++) {
        int o = c->want[k].index;
        if (o >= n_outputs) return serve_fail(e, 500, "output %d was not computed", o);
        const frost_tensor_info *t = &infos[o];
        int64_t count = serve_numel(t->rank, t->dims);
        if (count < 0) return serve_fail(e, 500, "output '%s' has no known shape after the run", t->name);
        if (!c->want[k].binary && !serve_json_dtype_ok(t->dtype))
            return serve_fail(e, 400, "output '%s' is %s, which JSON cannot carry: ask for it with "
                              "\"parameters\": {\"binary_data\": true}", t->name, serve_oip_dtype_name(t->dtype));
        if (k) serve_buf_puts(b, ",");
        serve_buf_puts(b, "{\"name\":");
        serve_buf_json_string(b, t->name, strlen(t->name));
        serve_buf_printf(b, ",\"datatype\":\"%s\",\"shape\":[", serve_oip_dtype_name(t->dtype));
        for (int d = 0; d < t->rank; d++) serve_buf_printf(b, "%s%" PRId64, d ? "," : "", t->dims[d]);
        serve_buf_puts(b, "]");
        size_t bytes = (size_t)count * frost_dtype_size(t->dtype);
        if (c->want[k].binary) {
            serve_buf_printf(b, ",\"parameters\":{\"binary_data_size\":%zu}}", bytes);
            serve_buf_put(&c->bin, datas[o], bytes);
        } else {
            serve_buf_puts(b, ",\"data\":");
            serve_json_encode_flat(b, t->dtype, datas[o], count);
            serve_buf_puts(b, "}");
        }
    }
    serve_buf_puts(b, "]}");
    return true;
}

/* A member that must be a string: copies it into buf. */
static bool get_string(const serve_jv *obj, const char *key, const char *where, char *buf, size_t cap,
                       bool required, serve_error *e) {
    const serve_jv *v = serve_jv_get(obj, key);
    buf[0] = 0;
    if (!v) return required ? serve_fail(e, 400, "%s: '%s' is missing", where, key) : true;
    if (v->kind != JV_STRING)
        return serve_fail(e, 400, "%s: '%s' must be a string, not %s", where, key, serve_jkind_name(v->kind));
    if (!serve_jv_string_copy(v, buf, cap, NULL))
        return serve_fail(e, 400, "%s: '%s' is longer than %zu bytes", where, key, cap - 1);
    return true;
}

static bool parse_shape(const serve_jv *obj, serve_input *in, serve_error *e) {
    const serve_jv *s = serve_jv_get(obj, "shape");
    if (!s) return serve_fail(e, 400, "%s: 'shape' is missing", in->what);
    if (s->kind != JV_ARRAY)
        return serve_fail(e, 400, "%s: 'shape' must be an array of integers, not %s", in->what,
                          serve_jkind_name(s->kind));
    if (s->len > FROST_MAX_RANK)
        return serve_fail(e, 400, "%s: 'shape' has %u dimensions; at most %d", in->what, s->len, FROST_MAX_RANK);
    in->rank = 0;
    for (const serve_jv *d = s->child; d; d = d->next) {
        int64_t x;
        if (!serve_jv_int64(d, &x) || x < 0)
            return serve_fail(e, 400, "%s: 'shape' dimension %d must be a non-negative integer", in->what,
                              in->rank);
        in->dims[in->rank++] = x;
    }
    return true;
}

static bool parse_params_bool(const serve_jv *obj, const char *key, const char *where, bool *out,
                              serve_error *e) {
    const serve_jv *p = serve_jv_get(obj, "parameters");
    if (!p) return true;
    if (p->kind != JV_OBJECT)
        return serve_fail(e, 400, "%s: 'parameters' must be an object, not %s", where, serve_jkind_name(p->kind));
    const serve_jv *v = serve_jv_get(p, key);
    if (v && !serve_jv_bool(v, out))
        return serve_fail(e, 400, "%s: parameter '%s' must be true or false", where, key);
    return true;
}

static bool parse_inputs(serve_version *v, const serve_jv *root, serve_binary_cursor *bin,
                         serve_request *rq, serve_error *e) {
    const serve_jv *inputs = serve_jv_get(root, "inputs");
    if (!inputs) return serve_fail(e, 400, "the request has no 'inputs'");
    if (inputs->kind != JV_ARRAY)
        return serve_fail(e, 400, "'inputs' must be an array, not %s", serve_jkind_name(inputs->kind));
    if (inputs->len > SERVE_MAX_IO)
        return serve_fail(e, 400, "'inputs' has %u entries; the model has %d inputs", inputs->len, v->n_inputs);
    int k = 0;
    for (const serve_jv *it = inputs->child; it; it = it->next, k++) {
        serve_input *in = &rq->inputs[rq->n_inputs];
        memset(in, 0, sizeof *in);
        snprintf(in->what, sizeof in->what, "inputs[%d]", k);
        if (it->kind != JV_OBJECT)
            return serve_fail(e, 400, "%s must be an object, not %s", in->what, serve_jkind_name(it->kind));
        char name[256], dtype[32];
        if (!get_string(it, "name", in->what, name, sizeof name, true, e)) return false;
        snprintf(in->what, sizeof in->what, "input '%s'", name);
        in->index = serve_find_input(v, name, strlen(name));
        if (in->index < 0) {
            char names[400];
            serve_list_names(names, sizeof names, v->inputs, v->n_inputs);
            return serve_fail(e, 400, "the model has no input named '%s'; its inputs are %s", name, names);
        }
        if (!get_string(it, "datatype", in->what, dtype, sizeof dtype, true, e)) return false;
        frost_dtype t = serve_oip_dtype_parse(dtype, strlen(dtype));
        frost_dtype want = v->inputs[in->index].dtype;
        if (t == FROST_DTYPE_INVALID)
            return serve_fail(e, 400, "%s: unknown datatype '%s' (the model takes %s)", in->what, dtype,
                              serve_oip_dtype_name(want));
        if (t != want)
            return serve_fail(e, 400, "%s: datatype %s, but the model takes %s", in->what, dtype,
                              serve_oip_dtype_name(want));
        if (!parse_shape(it, in, e)) return false;
        const serve_jv *params = serve_jv_get(it, "parameters");
        const serve_jv *bsize = params && params->kind == JV_OBJECT ? serve_jv_get(params, "binary_data_size") : NULL;
        if (params && params->kind != JV_OBJECT)
            return serve_fail(e, 400, "%s: 'parameters' must be an object", in->what);
        const serve_jv *data = serve_jv_get(it, "data");
        if (bsize) {
            int64_t size;
            if (!serve_jv_int64(bsize, &size))
                return serve_fail(e, 400, "%s: binary_data_size must be an integer", in->what);
            if (data) return serve_fail(e, 400, "%s has both 'data' and binary_data_size", in->what);
            if (!serve_binary_claim(bin, size, in->what, &in->raw, e)) return false;
            in->raw_bytes = (size_t)size;
        } else {
            if (!data) return serve_fail(e, 400, "%s has no 'data' (and no binary_data_size)", in->what);
            if (data->kind != JV_ARRAY)
                return serve_fail(e, 400, "%s: 'data' must be an array, not %s", in->what, serve_jkind_name(data->kind));
            in->json = data;
        }
        rq->n_inputs++;
    }
    return serve_binary_finish(bin, e);
}

static bool parse_outputs(serve_version *v, const serve_jv *root, oip_emit *c, serve_error *e) {
    bool all_binary = false;
    if (!parse_params_bool(root, "binary_data_output", "the request", &all_binary, e)) return false;
    const serve_jv *p = serve_jv_get(root, "parameters");
    if (p && serve_jv_get(p, "classification"))
        return serve_fail(e, 400, "the 'classification' parameter is not supported");
    const serve_jv *outs = serve_jv_get(root, "outputs");
    if (!outs) {
        for (int i = 0; i < v->n_outputs; i++) c->want[i] = (oip_output){i, all_binary};
        c->n = v->n_outputs;
        return true;
    }
    if (outs->kind != JV_ARRAY)
        return serve_fail(e, 400, "'outputs' must be an array, not %s", serve_jkind_name(outs->kind));
    if (outs->len > (uint32_t)v->n_outputs)
        return serve_fail(e, 400, "'outputs' asks for %u outputs; the model has %d", outs->len, v->n_outputs);
    int k = 0;
    for (const serve_jv *it = outs->child; it; it = it->next, k++) {
        char where[300], name[256];
        snprintf(where, sizeof where, "outputs[%d]", k);
        if (it->kind != JV_OBJECT)
            return serve_fail(e, 400, "%s must be an object, not %s", where, serve_jkind_name(it->kind));
        if (!get_string(it, "name", where, name, sizeof name, true, e)) return false;
        int o = serve_find_output(v, name, strlen(name));
        if (o < 0) {
            char names[400];
            serve_list_names(names, sizeof names, v->outputs, v->n_outputs);
            return serve_fail(e, 400, "the model has no output named '%s'; its outputs are %s", name, names);
        }
        for (int j = 0; j < c->n; j++)
            if (c->want[j].index == o) return serve_fail(e, 400, "output '%s' is asked for twice", name);
        snprintf(where, sizeof where, "output '%s'", name);
        bool binary = all_binary;
        if (!parse_params_bool(it, "binary_data", where, &binary, e)) return false;
        const serve_jv *op = serve_jv_get(it, "parameters");
        if (op && serve_jv_get(op, "classification"))
            return serve_fail(e, 400, "%s: the 'classification' parameter is not supported", where);
        c->want[c->n++] = (oip_output){o, binary};
    }
    return true;
}

bool serve_oip_infer(serve_version *v, const serve_http_request *hr, serve_http_response *resp,
                     serve_error *e) {
    const char *json;
    size_t json_len;
    serve_binary_cursor bin;
    if (!serve_binary_split(hr, &json, &json_len, &bin, e)) return false;
    serve_jv *root;
    if (!serve_json_parse(json, json_len, &root, e)) {
        if (hr->inference_header_len < 0 && strstr(e->message, "expected the end of the body")) {
            size_t n = strlen(e->message);
            snprintf(e->message + n, sizeof e->message - n,
                     " (binary tensor data after the JSON needs the Inference-Header-Content-Length header)");
        }
        return false;
    }
    if (root->kind != JV_OBJECT)
        return serve_fail(e, 400, "the request must be a JSON object, not %s", serve_jkind_name(root->kind));
    const serve_jv *id = serve_jv_get(root, "id");
    if (id && id->kind != JV_STRING)
        return serve_fail(e, 400, "'id' must be a string, not %s", serve_jkind_name(id->kind));
    char idbuf[1024];
    size_t id_len = 0;
    if (id && !serve_jv_string_copy(id, idbuf, sizeof idbuf, &id_len))
        return serve_fail(e, 400, "'id' is longer than %zu bytes", sizeof idbuf - 1);
    const serve_jv *params = serve_jv_get(root, "parameters");
    if (params && params->kind != JV_OBJECT)
        return serve_fail(e, 400, "'parameters' must be an object, not %s", serve_jkind_name(params->kind));

    static _Thread_local serve_request rq;   /* 60 KB: kept off the worker's stack */
    rq.version = v;
    rq.n_inputs = 0;
    if (!parse_inputs(v, root, &bin, &rq, e)) return false;
    oip_emit c = {.v = v, .json = &resp->body};
    if (!parse_outputs(v, root, &c, e)) return false;

    serve_buf *b = &resp->body;
    serve_buf_reserve(b, 512);
    serve_buf_puts(b, "{\"model_name\":");
    serve_buf_json_string(b, v->owner->name, strlen(v->owner->name));
    serve_buf_printf(b, ",\"model_version\":\"%" PRId64 "\"", v->number);
    if (id) {
        serve_buf_puts(b, ",\"id\":");
        serve_buf_json_string(b, idbuf, id_len);
    }
    if (!serve_infer(&rq, emit_outputs, &c, &v->owner->metrics, e)) {
        serve_buf_free(&c.bin);
        return false;
    }
    if (c.bin.len || c.bin.oom) {
        resp->inference_header_len = (int64_t)b->len;
        resp->content_type = "application/octet-stream";
        serve_buf_put(b, c.bin.data, c.bin.len);
        if (c.bin.oom) b->oom = true;
    } else {
        /* binary asked for but every binary output was empty: still the binary layout */
        for (int k = 0; k < c.n; k++)
            if (c.want[k].binary) {
                resp->inference_header_len = (int64_t)b->len;
                resp->content_type = "application/octet-stream";
                break;
            }
    }
    serve_buf_free(&c.bin);
    return true;
}
