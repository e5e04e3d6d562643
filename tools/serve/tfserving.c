/* tfserving.c — TensorFlow Serving's REST API: model status (GET /v1/models/NAME[/versions/V]),
 * signature metadata (.../metadata) and predict (POST ...:predict) in both request formats: row
 * ("instances": one entry per example, answered as "predictions") and columnar ("inputs": one
 * tensor per input, answered as "outputs"). As in TF Serving, dtypes come from the model and shapes
 * from the nesting of the JSON arrays; unlike the v2 protocol there is no explicit shape. Errors are
 * {"error": "..."}. Only the "serving_default" signature exists here; another name is an error,
 * never silently ignored. */
#include "serve.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static const char *state_name(serve_version_state s) {
    switch (s) {
    case SERVE_VS_LOADING: return "LOADING";
    case SERVE_VS_AVAILABLE: return "AVAILABLE";
    default: return "END";
    }
}

void serve_tf_status(serve_model *m, int64_t version, serve_http_response *resp) {
    /* read under the repository's lock by the caller (handle.c): plain copies here */
    serve_buf *b = &resp->body;
    int64_t shown = m->status_version;
    serve_version_state st = m->status_state;
    const char *err = m->status_error;
    int64_t serving = m->current ? m->current->number : -1;
    if (version >= 0 && version != shown && version != serving) {
        serve_error e;
        serve_fail(&e, 404, "model '%s' has no version %" PRId64 "; version %" PRId64 " is served", m->name,
                   version, serving);
        serve_reply_error(resp, &e);
        return;
    }
    serve_buf_puts(b, "{\"model_version_status\":[");
    bool first = true;
    /* the version serving, and the one the last scan tried when it is another (loading or failed) */
    if (serving > 0 && (version < 0 || version == serving)) {
        serve_buf_printf(b, "{\"version\":\"%" PRId64 "\",\"state\":\"AVAILABLE\",\"status\":{\"error_code\":\"OK\","
                         "\"error_message\":\"\"}}", serving);
        first = false;
    }
    if (shown > 0 && shown != serving && (version < 0 || version == shown)) {
        bool failed = st == SERVE_VS_FAILED;
        serve_buf_printf(b, "%s{\"version\":\"%" PRId64 "\",\"state\":\"%s\",\"status\":{\"error_code\":\"%s\","
                         "\"error_message\":", first ? "" : ",", shown, state_name(st), failed ? "UNKNOWN" : "OK");
        serve_buf_json_string(b, err, strlen(err));
        serve_buf_puts(b, "}}");
    }
    serve_buf_puts(b, "]}");
}

static void signature_tensors(serve_buf *b, const frost_tensor_info *t, int n) {
    serve_buf_puts(b, "{");
    for (int i = 0; i < n; i++) {
        if (i) serve_buf_puts(b, ",");
        serve_buf_json_string(b, t[i].name, strlen(t[i].name));
        serve_buf_printf(b, ":{\"dtype\":\"%s\",\"tensor_shape\":{", serve_tf_dtype_name(t[i].dtype));
        if (t[i].rank < 0) {
            serve_buf_puts(b, "\"dim\":[],\"unknown_rank\":true}");
        } else {
            serve_buf_puts(b, "\"dim\":[");
            for (int d = 0; d < t[i].rank; d++)
                serve_buf_printf(b, "%s{\"size\":\"%" PRId64 "\",\"name\":\"\"}", d ? "," : "",
                                 t[i].dims[d] < 0 ? -1 : t[i].dims[d]);
            serve_buf_puts(b, "],\"unknown_rank\":false}");
        }
        serve_buf_puts(b, ",\"name\":");
        serve_buf_json_string(b, t[i].name, strlen(t[i].name));
        serve_buf_puts(b, "}");
    }
    serve_buf_puts(b, "}");
}

void serve_tf_metadata(serve_version *v, serve_http_response *resp) {
    serve_buf *b = &resp->body;
    serve_buf_puts(b, "{\"model_spec\":{\"name\":");
    serve_buf_json_string(b, v->owner->name, strlen(v->owner->name));
    serve_buf_printf(b, ",\"signature_name\":\"\",\"version\":\"%" PRId64 "\"},\"metadata\":{\"signature_def\":"
                     "{\"signature_def\":{\"serving_default\":{\"inputs\":", v->number);
    signature_tensors(b, v->inputs, v->n_inputs);
    serve_buf_puts(b, ",\"outputs\":");
    signature_tensors(b, v->outputs, v->n_outputs);
    serve_buf_puts(b, ",\"method_name\":\"tensorflow/serving/predict\"}}}}}");
}

/* ---- predict ---- */

/* Sets an input's JSON and its shape from the nesting. */
static bool bind_json(serve_request *rq, int index, const serve_jv *data, const char *what, serve_error *e) {
    for (int i = 0; i < rq->n_inputs; i++)
        if (rq->inputs[i].index == index)
            return serve_fail(e, 400, "input '%s' is given twice", rq->version->inputs[index].name);
    serve_input *in = &rq->inputs[rq->n_inputs];
    memset(in, 0, sizeof *in);
    in->index = index;
    snprintf(in->what, sizeof in->what, "%s", what);
    if (!serve_json_shape(data, &in->rank, in->dims, in->what, e)) return false;
    in->json = data;
    rq->n_inputs++;
    return true;
}

static int input_by_key(serve_version *v, const serve_jv *member, serve_error *e) {
    char key[256];
    serve_jv_key_copy(member, key, sizeof key);
    int i = serve_find_input(v, key, strlen(key));
    if (i < 0) {
        char names[400];
        serve_list_names(names, sizeof names, v->inputs, v->n_inputs);
        serve_fail(e, 400, "the model has no input named '%s'; its inputs are %s", key, names);
    }
    return i;
}

/* "instances": [{"a": row, "b": row}, ...] becomes one array per input, assembled from copies of
 * the rows' nodes (the request's own nodes keep their links). */
static bool instances_named(serve_version *v, const serve_jv *inst, serve_request *rq, serve_error *e) {
    serve_jv *cols[SERVE_MAX_IO] = {0};
    serve_jv *tails[SERVE_MAX_IO] = {0};
    for (int i = 0; i < v->n_inputs; i++) {
        cols[i] = serve_jv_new();
        if (!cols[i]) return serve_fail(e, 413, "the request holds too many values");
        cols[i]->kind = JV_ARRAY;
    }
    int row = 0;
    for (const serve_jv *it = inst->child; it; it = it->next, row++) {
        if (it->kind != JV_OBJECT)
            return serve_fail(e, 400, "instances[%d] is %s; with named inputs every instance is an object",
                              row, serve_jkind_name(it->kind));
        if (it->len != (uint32_t)v->n_inputs) {
            char names[400];
            serve_list_names(names, sizeof names, v->inputs, v->n_inputs);
            return serve_fail(e, 400, "instances[%d] has %u members; the model's inputs are %s", row, it->len, names);
        }
        for (const serve_jv *m = it->child; m; m = m->next) {
            int k = input_by_key(v, m, e);
            if (k < 0) return false;
            if (cols[k]->len != (uint32_t)row)
                return serve_fail(e, 400, "instances[%d] gives input '%s' twice", row, v->inputs[k].name);
            serve_jv *copy = serve_jv_new();
            if (!copy) return serve_fail(e, 413, "the request holds too many values");
            *copy = *m;
            copy->next = NULL;
            copy->key = NULL;
            if (tails[k]) tails[k]->next = copy;
            else cols[k]->child = copy;
            tails[k] = copy;
            cols[k]->len++;
        }
    }
    for (int i = 0; i < v->n_inputs; i++) {
        char what[160];
        snprintf(what, sizeof what, "input '%s' (instances)", v->inputs[i].name);
        if (!bind_json(rq, i, cols[i], what, e)) return false;
    }
    return true;
}

typedef struct tf_emit {
    serve_version *v;
    serve_buf *b;
    bool rows;   /* "predictions" (rows) or "outputs" (columns) */
} tf_emit;

static bool emit_predictions(void *ctxp, int n, const frost_tensor_info *t, const void *const *data,
                             serve_error *e) {
    tf_emit *c = ctxp;
    serve_buf *b = c->b;
    for (int o = 0; o < n; o++)
        if (!serve_json_dtype_ok(t[o].dtype))
            return serve_fail(e, 400, "output '%s' is %s, which JSON cannot carry", t[o].name,
                              serve_oip_dtype_name(t[o].dtype));
    if (!c->rows) {
        serve_buf_puts(b, "{\"outputs\":");
        if (n == 1) {
            serve_json_encode_nested(b, t[0].dtype, data[0], t[0].rank, t[0].dims);
        } else {
            serve_buf_puts(b, "{");
            for (int o = 0; o < n; o++) {
                if (o) serve_buf_puts(b, ",");
                serve_buf_json_string(b, t[o].name, strlen(t[o].name));
                serve_buf_puts(b, ":");
                serve_json_encode_nested(b, t[o].dtype, data[o], t[o].rank, t[o].dims);
            }
            serve_buf_puts(b, "}");
        }
        serve_buf_puts(b, "}");
        return true;
    }
    /* rows: every output must have the batch as its first dimension */
    int64_t batch = n > 0 && t[0].rank > 0 ? t[0].dims[0] : -1;
    for (int o = 0; o < n; o++)
        if (t[o].rank < 1 || t[o].dims[0] != batch)
            return serve_fail(e, 400, "output '%s' has no batch dimension shared with the other outputs: "
                              "use the columnar \"inputs\" format", t[o].name);
    serve_buf_puts(b, "{\"predictions\":");
    if (n == 1) {
        serve_json_encode_nested(b, t[0].dtype, data[0], t[0].rank, t[0].dims);
    } else {
        serve_buf_puts(b, "[");
        for (int64_t r = 0; r < batch; r++) {
            serve_buf_puts(b, r ? ",{" : "{");
            for (int o = 0; o < n; o++) {
                int64_t row = serve_numel(t[o].rank - 1, t[o].dims + 1);
                const unsigned char *p = data[o];
                if (o) serve_buf_puts(b, ",");
                serve_buf_json_string(b, t[o].name, strlen(t[o].name));
                serve_buf_puts(b, ":");
                serve_json_encode_nested(b, t[o].dtype, p + (size_t)(r * row) * frost_dtype_size(t[o].dtype),
                                         t[o].rank - 1, t[o].dims + 1);
            }
            serve_buf_puts(b, "}");
        }
        serve_buf_puts(b, "]");
    }
    serve_buf_puts(b, "}");
    return true;
}

bool serve_tf_predict(serve_version *v, const serve_http_request *hr, serve_http_response *resp,
                      serve_error *e) {
    serve_jv *root;
    if (!serve_json_parse(hr->body, hr->body_len, &root, e)) return false;
    if (root->kind != JV_OBJECT)
        return serve_fail(e, 400, "the request must be a JSON object, not %s", serve_jkind_name(root->kind));
    const serve_jv *sig = serve_jv_get(root, "signature_name");
    if (sig && !serve_jv_string_is(sig, "serving_default") && !serve_jv_string_is(sig, ""))
        return serve_fail(e, 400, "signature_name: frost serves only \"serving_default\"");
    const serve_jv *inst = serve_jv_get(root, "instances"), *cols = serve_jv_get(root, "inputs");
    if (inst && cols) return serve_fail(e, 400, "give either 'instances' or 'inputs', not both");
    if (!inst && !cols) return serve_fail(e, 400, "the request has neither 'instances' nor 'inputs'");

    static _Thread_local serve_request rq;
    rq.version = v;
    rq.n_inputs = 0;
    if (inst) {
        if (inst->kind != JV_ARRAY)
            return serve_fail(e, 400, "'instances' must be an array, not %s", serve_jkind_name(inst->kind));
        if (inst->len == 0) return serve_fail(e, 400, "'instances' is empty");
        if (inst->child->kind == JV_OBJECT) {
            if (!instances_named(v, inst, &rq, e)) return false;
        } else {
            if (v->n_inputs != 1)
                return serve_fail(e, 400, "the model has %d inputs: each instance must be an object "
                                  "naming them", v->n_inputs);
            char what[160];
            snprintf(what, sizeof what, "input '%s' (instances)", v->inputs[0].name);
            if (!bind_json(&rq, 0, inst, what, e)) return false;
        }
    } else if (cols->kind == JV_OBJECT) {
        for (const serve_jv *m = cols->child; m; m = m->next) {
            int k = input_by_key(v, m, e);
            if (k < 0) return false;
            char what[160];
            snprintf(what, sizeof what, "input '%s'", v->inputs[k].name);
            if (!bind_json(&rq, k, m, what, e)) return false;
        }
    } else {
        if (v->n_inputs != 1)
            return serve_fail(e, 400, "the model has %d inputs: 'inputs' must be an object naming them",
                              v->n_inputs);
        char what[160];
        snprintf(what, sizeof what, "input '%s'", v->inputs[0].name);
        if (!bind_json(&rq, 0, cols, what, e)) return false;
    }
    tf_emit c = {v, &resp->body, inst != NULL};
    return serve_infer(&rq, emit_predictions, &c, &v->owner->metrics, e);
}
