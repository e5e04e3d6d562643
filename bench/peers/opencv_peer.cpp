/* opencv_peer.cpp — OpenCV DNN (Debian libopencv-dnn-dev) on the founding benchmark's single-call loop.
 *
 * readNetFromONNX, OpenCV's own CPU backend and target, cv::setNumThreads(--threads); per image one
 * setInput over our buffer (no copy on our side) and one forward of the `softmax` output. It must
 * never batch images or reuse a previous result; the loop and the result line are peer_common.h's.
 */
#include "peer_common.h"

#include <opencv2/core.hpp>
#include <opencv2/core/utility.hpp>
#include <opencv2/dnn.hpp>

struct cv_ctx {
    cv::dnn::Net net;
    std::vector<int> shape;
};

static int cv_predict(void *opaque, const float *image)
{
    cv_ctx *c = static_cast<cv_ctx *>(opaque);
    cv::Mat blob((int)c->shape.size(), c->shape.data(), CV_32F, const_cast<float *>(image));
    c->net.setInput(blob, "input");
    cv::Mat out = c->net.forward("softmax");
    if (out.total() != 10 || out.type() != CV_32F) peer_die("OpenCV returned an output that is not 10 floats", NULL);
    return peer_argmax10(out.ptr<float>());
}

int main(int argc, char **argv)
{
    peer_args a = peer_parse(argc, argv, "opencv-dnn");
    peer_data d = peer_load_data(a.data_dir, a.n);
    cv_ctx c;
    try {
        cv::setNumThreads(a.threads);
        c.net = cv::dnn::readNetFromONNX(a.model);
        c.net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
        c.net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
        c.shape = a.nchw ? std::vector<int>{1, 1, 28, 28} : std::vector<int>{1, 784};
        peer_run(&a, &d, cv_predict, &c, CV_VERSION);
    } catch (const cv::Exception &e) {
        peer_die("OpenCV", e.what());
    }
    free(d.pixels);
    free(d.labels);
    return 0;
}
