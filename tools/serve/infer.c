/* infer.c — one inference, whatever the protocol: checks the request's inputs against the model
 * (every input given once, dtype by the caller, rank and fixed dimensions, element counts) before
 * touching a session, then takes a session from the pool, sets shapes only when they changed (so a
 * steady stream of same-shaped requests never re-plans, and frost allocates nothing), decodes the
 * data straight into the session's input buffers, runs, hands each output to the protocol's
 * encoder while the session is held, and gives the session back. It must never plan a session for
 * a shape whose data has not been checked to be there (that would let a small request make frost
 * allocate a huge arena). */
#include "serve.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

_Thread_local uint64_t serve_last_run_ns;
_Thread_local uint64_t serve_last_run_start_ns;

int64_t serve_numel(int rank, const int64_t *dims) {
    int64_t n = 1;
    for (int i = 0; i < rank; i++) {
        if (dims[i] < 0) return -1;
        if (dims[i] != 0 && n > INT64_MAX / dims[i]) return -1;
        n *= dims[i];
    }
    return n;
}

void serve_format_dims(char *buf, size_t cap, int rank, const int64_t *dims) {
    if (rank < 0) {
        snprintf(buf, cap, "(unknown rank)");
        return;
    }
    size_t o = 0;
    int k = snprintf(buf, cap, "[");
    if (k > 0) o = (size_t)k;
    for (int i = 0; i < rank && o < cap; i++) {
        k = snprintf(buf + o, cap - o, "%s%" PRId64, i ? ", " : "", dims[i]);
        if (k < 0) break;
        o += (size_t)k;
    }
    if (o < cap) snprintf(buf + o, cap - o, "]");
}

void serve_list_names(char *buf, size_t cap, const frost_tensor_info *t, int n) {
    size_t o = 0;
    buf[0] = 0;
    for (int i = 0; i < n && o + 1 < cap; i++) {
        int k = snprintf(buf + o, cap - o, "%s'%s'", i ? ", " : "", t[i].name);
        if (k < 0 || (size_t)k >= cap - o) break;
        o += (size_t)k;
    }
}

static int find_name(const frost_model *m, const frost_tensor_info *t, int n, const char *name,
                     size_t len) {
    for (int i = 0; i < n; i++)
        if (strlen(t[i].name) == len && memcmp(t[i].name, name, len) == 0) return i;
    /* any other name frost knows for the same tensor ("input:0", a Keras layer name) */
    char z[512];
    if (len >= sizeof z) return -1;
    memcpy(z, name, len);
    z[len] = 0;
    frost_tensor_info info;
    if (frost_model_find(m, z, &info, NULL) != FROST_OK) return -1;
    for (int i = 0; i < n; i++)
        if (strcmp(t[i].name, info.name) == 0) return i;
    return -1;
}

int serve_find_input(const serve_version *v, const char *name, size_t len) {
    return find_name(v->model, v->inputs, v->n_inputs, name, len);
}

int serve_find_output(const serve_version *v, const char *name, size_t len) {
    return find_name(v->model, v->outputs, v->n_outputs, name, len);
}

/* Elements the JSON data holds: a flat array's length, or the product of a nested one's shape. */
static bool json_count(const serve_input *in, int64_t *out, serve_error *e) {
    const serve_jv *j = in->json;
    if (j->kind != JV_ARRAY) {
        *out = 1;
        return true;
    }
    if (!j->child || j->child->kind != JV_ARRAY) {
        *out = j->len;   /* flat (a stray array inside is caught while decoding) */
        return true;
    }
    int rank;
    int64_t dims[FROST_MAX_RANK];
    if (!serve_json_shape(j, &rank, dims, in->what, e)) return false;
    *out = serve_numel(rank, dims);
    return true;
}

static bool check_input(const serve_version *v, const serve_input *in, serve_error *e) {
    const frost_tensor_info *t = &v->inputs[in->index];
    char want[160], got[160];
    serve_format_dims(want, sizeof want, t->rank, t->dims);
    serve_format_dims(got, sizeof got, in->rank, in->dims);
    if (t->rank >= 0 && in->rank != t->rank)
        return serve_fail(e, 400, "%s has shape %s; the model takes %s %s", in->what, got,
                          serve_oip_dtype_name(t->dtype), want);
    for (int d = 0; d < in->rank; d++) {
        if (in->dims[d] < 0)
            return serve_fail(e, 400, "%s has a negative dimension in shape %s", in->what, got);
        if (t->rank >= 0 && t->dims[d] >= 0 && t->dims[d] != in->dims[d])
            return serve_fail(e, 400, "%s has shape %s; the model takes %s %s (dimension %d must be %" PRId64 ")",
                              in->what, got, serve_oip_dtype_name(t->dtype), want, d, t->dims[d]);
    }
    int64_t count = serve_numel(in->rank, in->dims);
    size_t es = frost_dtype_size(t->dtype);
    if (count < 0 || (es && (uint64_t)count > (uint64_t)INT64_MAX / es))
        return serve_fail(e, 400, "%s: shape %s is too large", in->what, got);
    if (in->raw) {
        if ((uint64_t)count * es != in->raw_bytes)
            return serve_fail(e, 400, "%s: %zu bytes of binary data, but %s %s takes %" PRId64 " bytes",
                              in->what, in->raw_bytes, serve_oip_dtype_name(t->dtype), got,
                              count * (int64_t)es);
        return true;
    }
    int64_t have;
    if (!json_count(in, &have, e)) return false;
    if (have != count)
        return serve_fail(e, 400, "%s: %" PRId64 " elements given, shape %s holds %" PRId64, in->what,
                          have, got, count);
    if (!serve_json_dtype_ok(t->dtype))
        return serve_fail(e, 400, "%s: %s data cannot be sent as JSON numbers; use the binary tensor "
                          "data extension", in->what, serve_oip_dtype_name(t->dtype));
    return true;
}

static int frost_http_status(frost_status s) {
    switch (s) {
    case FROST_E_SHAPE:
    case FROST_E_DTYPE:
    case FROST_E_INVALID_ARG:
    case FROST_E_NOT_FOUND: return 400;
    case FROST_E_LIMIT: return 413;
    default: return 500;
    }
}

static bool same_shape(const serve_slot *s, const serve_input *in) {
    return s->rank[in->index] == in->rank &&
           memcmp(s->dims[in->index], in->dims, sizeof(int64_t) * (size_t)in->rank) == 0;
}

bool serve_infer(serve_request *rq, serve_emit_fn emit, void *ctx, serve_model_metrics *mm,
                 serve_error *e) {
    serve_version *v = rq->version;
    bool given[SERVE_MAX_IO] = {0};
    for (int i = 0; i < rq->n_inputs; i++) {
        serve_input *in = &rq->inputs[i];
        if (given[in->index])
            return serve_fail(e, 400, "input '%s' is given twice", v->inputs[in->index].name);
        given[in->index] = true;
        if (!check_input(v, in, e)) return false;
    }
    for (int i = 0; i < v->n_inputs; i++)
        if (!given[i]) {
            char dims[160];
            serve_format_dims(dims, sizeof dims, v->inputs[i].rank, v->inputs[i].dims);
            return serve_fail(e, 400, "input '%s' (%s %s) is missing", v->inputs[i].name,
                              serve_oip_dtype_name(v->inputs[i].dtype), dims);
        }

    serve_slot *slot = serve_pool_acquire(&v->pool);
    frost_session *s = slot->session;
    frost_error err;
    bool ok = false, reshaped = false;
    for (int i = 0; i < rq->n_inputs; i++) {
        serve_input *in = &rq->inputs[i];
        if (same_shape(slot, in)) continue;
        reshaped = true;
        slot->rank[in->index] = -2;   /* unknown until set succeeds */
        if (frost_session_set_input_shape(s, in->index, in->rank, in->dims, &err) != FROST_OK) {
            serve_fail(e, frost_http_status(err.code), "%s: %s", in->what, err.message);
            goto done;
        }
        slot->rank[in->index] = in->rank;
        memcpy(slot->dims[in->index], in->dims, sizeof(int64_t) * (size_t)in->rank);
    }
    if (reshaped && frost_session_plan(s, &err) != FROST_OK) {
        serve_fail(e, frost_http_status(err.code), "%s", err.message);
        goto done;
    }
    for (int i = 0; i < rq->n_inputs; i++) {
        serve_input *in = &rq->inputs[i];
        const frost_tensor_info *t = &v->inputs[in->index];
        void *dst = frost_session_input_data(s, in->index);
        if (!dst) {
            serve_fail(e, 500, "%s: the session has no buffer for it", in->what);
            goto done;
        }
        int64_t count = serve_numel(in->rank, in->dims);
        if (in->raw) memcpy(dst, in->raw, in->raw_bytes);
        else if (!serve_json_decode(in->json, t->dtype, dst, count, in->what, e)) goto done;
    }
    uint64_t t0 = serve_now_ns();
    frost_status st = frost_session_run(s, &err);
    serve_last_run_start_ns = t0;
    serve_last_run_ns = serve_now_ns() - t0;
    if (mm) serve_histogram_observe(&mm->inference_seconds, serve_last_run_ns);
    if (st != FROST_OK) {
        serve_fail(e, frost_http_status(st), "the model failed: %s", err.message);
        goto done;
    }
    int n_out = frost_session_output_count(s);
    frost_tensor_info infos[SERVE_MAX_IO];
    const void *datas[SERVE_MAX_IO];
    for (int o = 0; o < n_out && o < SERVE_MAX_IO; o++) {
        datas[o] = frost_session_output_data(s, o, &infos[o]);
        if (!datas[o]) {
            serve_fail(e, 500, "output %d has no data", o);
            goto done;
        }
    }
    ok = emit(ctx, n_out < SERVE_MAX_IO ? n_out : SERVE_MAX_IO, infos, datas, e);
done:
    serve_pool_release(&v->pool, slot);
    return ok;
}
