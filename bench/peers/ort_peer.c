/* ort_peer.c — ONNX Runtime through its C API (ort_api.c: the library, its verified OrtApi table,
 * the session) on the founding benchmark's single-call loop.
 *
 * Inputs and outputs are pre-created OrtValues over our own buffers (no allocation in the timed
 * loop on our side); graph optimisation ORT_ENABLE_ALL, sequential execution, --threads intra-op
 * threads. The session must report one input and one output. It must never batch images or reuse
 * a previous result.
 */
#include "peer_common.h"
#include "ort_api.h"

typedef struct {
    const ort_runtime *rt;
    void *input, *output;
    float *in_buf, out_buf[10];
} ort_ctx;

static int ort_predict(void *opaque, const float *image)
{
    ort_ctx *c = (ort_ctx *)opaque;
    static const char *in_names[] = {"input"}, *out_names[] = {"softmax"};
    memcpy(c->in_buf, image, 784 * sizeof(float));
    ort_status *st = ORT_CALL(c->rt->api, ORT_Run,
                              ort_status *(*)(void *, const void *, const char *const *,
                                              const void *const *, size_t, const char *const *,
                                              size_t, void **))(
        c->rt->session, NULL, in_names, (const void *const *)&c->input, 1, out_names, 1, &c->output);
    ort_check(c->rt, st, "Run");
    return peer_argmax10(c->out_buf);
}

int main(int argc, char **argv)
{
    peer_args a = peer_parse(argc, argv, "onnxruntime");
    if (!a.lib) peer_die("--lib path/to/libonnxruntime.so.1 is required", NULL);
    peer_data d = peer_load_data(a.data_dir, a.n);
    ort_runtime rt;
    ort_open(&rt, "peer onnxruntime", a.lib, a.model, a.threads);
    if (rt.n_inputs != 1 || rt.n_outputs != 1) {
        fprintf(stderr, "peer onnxruntime %s: session reports %zu inputs, %zu outputs (want 1, 1)\n",
                rt.version, rt.n_inputs, rt.n_outputs);
        return 3;
    }
    static float in_buf[784];
    ort_ctx c = {.rt = &rt, .in_buf = in_buf};
    int64_t flat[2] = {1, 784}, nchw[4] = {1, 1, 28, 28}, out_shape[2] = {1, 10};
    c.input = ort_tensor(&rt, in_buf, sizeof in_buf, a.nchw ? nchw : flat, a.nchw ? 4 : 2, ORT_FLOAT,
                         "CreateTensorWithDataAsOrtValue(input)");
    c.output = ort_tensor(&rt, c.out_buf, sizeof c.out_buf, out_shape, 2, ORT_FLOAT,
                          "CreateTensorWithDataAsOrtValue(output)");

    char label[64];
    snprintf(label, sizeof label, "%s (C API v%u)", rt.version, rt.api_version);
    peer_run(&a, &d, ort_predict, &c, label);

    ort_release_value(&rt, c.input);
    ort_release_value(&rt, c.output);
    ort_close(&rt);
    free(d.pixels);
    free(d.labels);
    return 0;
}
