/* libtorch_peer.cpp — libtorch C++ (Debian libtorch-dev) on the founding benchmark's single-call loop.
 *
 * Loads the TorchScript module bench/compare derives from the same ONNX file (train_fashion.py
 * torchscript), at::set_num_threads(--threads), and per image wraps our buffer with from_blob (no
 * copy) and calls forward once under c10::InferenceMode. It must never batch images or reuse a
 * previous result; the loop and the result line are peer_common.h's.
 */
#include "peer_common.h"

#include <ATen/Parallel.h>
#include <torch/script.h>
#include <torch/version.h>

struct torch_ctx {
    torch::jit::script::Module module;
    std::vector<int64_t> shape;
};

static int torch_predict(void *opaque, const float *image)
{
    torch_ctx *c = static_cast<torch_ctx *>(opaque);
    at::Tensor in = torch::from_blob(const_cast<float *>(image), c->shape, torch::kFloat32);
    at::Tensor out = c->module.forward({in}).toTensor().contiguous();
    if (out.numel() != 10) peer_die("libtorch returned an output that is not 10 floats", NULL);
    return peer_argmax10(out.data_ptr<float>());
}

int main(int argc, char **argv)
{
    peer_args a = peer_parse(argc, argv, "libtorch");
    peer_data d = peer_load_data(a.data_dir, a.n);
    torch_ctx c;
    try {
        at::set_num_threads(a.threads);
        c10::InferenceMode guard;
        c.module = torch::jit::load(a.model);
        c.module.eval();
        c.shape = a.nchw ? std::vector<int64_t>{1, 1, 28, 28} : std::vector<int64_t>{1, 784};
        peer_run(&a, &d, torch_predict, &c, TORCH_VERSION);
    } catch (const std::exception &e) {
        peer_die("libtorch", e.what());
    }
    free(d.pixels);
    free(d.labels);
    return 0;
}
