/* test_tf_run.c — handcrafted GraphDefs (tests/data/tf/) loaded and run through the public API:
 * the MLP against a reference computed here, the Keras learning-phase pattern (unfed, dropout
 * branch pruned), NCHW convolution/pooling against NHWC and a naive reference, and one graph per
 * op translation (ops_run.pbtxt) against values worked out by hand from x = [[0..5], [6..11]].
 * These check the importer's mapping (input order, attributes, constants it adds) end to end. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"

static const char *fixture(const char *name) { return frost_test_data(name); }

static double elem(frost_dtype t, const void *p, int64_t i) {
    switch (t) {
    case FROST_DTYPE_F32: return ((const float *)p)[i];
    case FROST_DTYPE_F64: return ((const double *)p)[i];
    case FROST_DTYPE_I32: return ((const int32_t *)p)[i];
    case FROST_DTYPE_I64: return (double)((const int64_t *)p)[i];
    case FROST_DTYPE_U8: case FROST_DTYPE_BOOL: return ((const uint8_t *)p)[i];
    default: return NAN;
    }
}

static int64_t numel(const frost_tensor_info *t) {
    int64_t n = 1;
    for (int i = 0; i < t->rank; i++) n *= t->dims[i];
    return n;
}

/* ==== MLP ==================================================================================== */

static void test_mlp(void) {
    frost_model *m = NULL;
    frost_session *s = NULL;
    frost_error err;
    if (!CHECK_OK(frost_model_load_file(fixture("tf/mlp.pb"), NULL, &m, &err), &err)) return;
    CHECK(frost_model_input_count(m) == 1 && frost_model_output_count(m) == 1);
    frost_tensor_info info;
    CHECK_OK(frost_model_output_info(m, 0, &info), NULL);
    CHECK(!strcmp(info.name, "probs"));
    if (!CHECK_OK(frost_session_create(m, NULL, &s, &err), &err)) goto done;
    const int64_t shape[2] = {3, 3};
    CHECK_OK(frost_session_set_input_shape(s, 0, 2, shape, &err), &err);
    const float x[9] = {0.5f, -1, 2, 0, 0, 0, -3, 1, 0.25f};
    CHECK_OK(frost_session_set_input(s, 0, x, sizeof x, &err), &err);
    if (!CHECK_OK(frost_session_run(s, &err), &err)) goto done;
    const float *y = frost_session_output_data(s, 0, &info);
    CHECK(y && info.rank == 2 && info.dims[0] == 3 && info.dims[1] == 2);
    const float W[3][2] = {{1, -1}, {0.5f, 2}, {-2, 0.25f}}, V[2][2] = {{1, 2}, {3, 4}};
    for (int r = 0; r < 3 && y; r++) {
        double h[2], l[2];
        for (int j = 0; j < 2; j++) {
            h[j] = 0.5;
            for (int k = 0; k < 3; k++) h[j] += x[r * 3 + k] * W[k][j];
            h[j] = h[j] > 0 ? h[j] : 0;
        }
        for (int j = 0; j < 2; j++) l[j] = h[0] * V[0][j] + h[1] * V[1][j];
        double mx = fmax(l[0], l[1]), e0 = exp(l[0] - mx), e1 = exp(l[1] - mx);
        CHECK_MSG(fabs(y[r * 2] - e0 / (e0 + e1)) < 1e-5 &&
                      fabs(y[r * 2 + 1] - e1 / (e0 + e1)) < 1e-5,
                  "row %d: got %g %g want %g %g", r, y[r * 2], y[r * 2 + 1], e0 / (e0 + e1),
                  e1 / (e0 + e1));
    }
done:
    frost_session_free(s);
    frost_model_free(m);
}

/* ==== Learning phase ========================================================================= */

static void test_learning_phase(void) {
    frost_model *m = NULL;
    frost_session *s = NULL;
    frost_error err;
    if (!CHECK_OK(frost_model_load_file(fixture("tf/learning_phase.pb"), NULL, &m, &err), &err))
        return;
    CHECK(frost_model_input_count(m) == 1);
    for (int i = 0; i < frost_model_node_count(m); i++) {
        frost_node_info ni;
        frost_model_node_info(m, i, &ni);
        CHECK_MSG(strcmp(ni.op, "RandomUniform") && strcmp(ni.op, "Switch") &&
                      strcmp(ni.op, "Merge"),
                  "node %s (%s) survived", ni.name, ni.op);
    }
    if (!CHECK_OK(frost_session_create(m, NULL, &s, &err), &err)) goto done;
    const int64_t shape[2] = {2, 4};
    CHECK_OK(frost_session_set_input_shape(s, 0, 2, shape, &err), &err);
    const float x[8] = {-1, 2, -3, 4, 0.5f, -0.5f, 7, -7};
    CHECK_OK(frost_session_set_input(s, 0, x, sizeof x, &err), &err);
    if (!CHECK_OK(frost_session_run(s, &err), &err)) goto done;
    frost_tensor_info info;
    const float *y = frost_session_output_data(s, 0, &info);
    CHECK(y && numel(&info) == 8);
    for (int i = 0; i < 8 && y; i++) CHECK(y[i] == (x[i] > 0 ? x[i] : 0));
done:
    frost_session_free(s);
    frost_model_free(m);
}

/* ==== NCHW vs NHWC =========================================================================== */

static void test_layout(void) {
    const char *outs[] = {"max_nhwc", "out_max_nchw", "avg_nhwc", "out_avg_nchw", "bias_nhwc"};
    frost_load_options o = {.struct_size = sizeof o, .outputs = outs, .n_outputs = 5};
    frost_model *m = NULL;
    frost_session *s = NULL;
    frost_error err;
    if (!CHECK_OK(frost_model_load_file(fixture("tf/layout.pb"), &o, &m, &err), &err)) return;
    if (!CHECK_OK(frost_session_create(m, NULL, &s, &err), &err)) goto done;
    float x[50];
    for (int i = 0; i < 50; i++) x[i] = (float)((i * 7) % 11) / 5.0f - 1.0f;
    CHECK_OK(frost_session_set_input(s, 0, x, sizeof x, &err), &err);
    if (!CHECK_OK(frost_session_run(s, &err), &err)) goto done;
    frost_tensor_info a, b;
    const float *max_a = frost_session_output_data(s, 0, &a),
                *max_b = frost_session_output_data(s, 1, &b);
    CHECK(max_a && max_b && numel(&a) == 2 * 2 * 3 && numel(&b) == numel(&a));
    if (max_a && max_b)
        frost_test_close(max_b, max_a, (size_t)numel(&a), 1e-6, 1e-6, "NCHW max pool");
    const float *avg_a = frost_session_output_data(s, 2, &a),
                *avg_b = frost_session_output_data(s, 3, &b);
    CHECK(avg_a && avg_b && numel(&a) == 2 * 2 * 3 && numel(&b) == numel(&a));
    if (avg_a && avg_b)
        frost_test_close(avg_b, avg_a, (size_t)numel(&a), 1e-6, 1e-6, "NCHW avg pool");
    /* Naive reference for the NHWC conv + bias: 5x5x2 input, 3x3x2x3 filter, stride 2, SAME
     * (output 3x3, padding 1 on each side). */
    const float *conv = frost_session_output_data(s, 4, &a);
    CHECK(conv && a.rank == 4 && a.dims[1] == 3 && a.dims[2] == 3 && a.dims[3] == 3);
    float w[54];
    for (int i = 0; i < 54; i++) w[i] = (float)(round(sin(i * 0.7) * 0.5 * 1e4) / 1e4);
    const float bias[3] = {0.1f, -0.2f, 0.3f};
    float want[27];
    for (int oy = 0; oy < 3; oy++)
        for (int ox = 0; ox < 3; ox++)
            for (int co = 0; co < 3; co++) {
                double acc = bias[co];
                for (int ky = 0; ky < 3; ky++)
                    for (int kx = 0; kx < 3; kx++) {
                        int iy = oy * 2 + ky - 1, ix = ox * 2 + kx - 1;
                        if (iy < 0 || iy >= 5 || ix < 0 || ix >= 5) continue;
                        for (int ci = 0; ci < 2; ci++)
                            acc += x[(iy * 5 + ix) * 2 + ci] * w[((ky * 3 + kx) * 2 + ci) * 3 + co];
                    }
                want[(oy * 3 + ox) * 3 + co] = (float)acc;
            }
    if (conv) frost_test_close(conv, want, 27, 1e-5, 1e-5, "NHWC conv + bias vs naive");
done:
    frost_session_free(s);
    frost_model_free(m);
}

/* ==== One op at a time ======================================================================= */

static float X[12];

/* Loads ops_run.pb for output `name`, feeds X, and compares with want (n values, shape dims). */
static void expect(const char *name, int rank, const int64_t *dims, const double *want) {
    const char *outs[1] = {name};
    frost_load_options o = {.struct_size = sizeof o, .outputs = outs, .n_outputs = 1};
    frost_model *m = NULL;
    frost_session *s = NULL;
    frost_error err;
    if (!CHECK_OK(frost_model_load_file(fixture("tf/ops_run.pb"), &o, &m, &err), &err)) {
        printf("  (output %s)\n", name);
        return;
    }
    frost_tensor_info info;
    const void *y = NULL;
    if (CHECK_OK(frost_session_create(m, NULL, &s, &err), &err) &&
        (frost_session_input_count(s) == 0 || /* outputs folded to constants need no x */
         CHECK_OK(frost_session_set_input(s, 0, X, sizeof X, &err), &err)) &&
        CHECK_OK(frost_session_run(s, &err), &err))
        y = frost_session_output_data(s, 0, &info);
    if (y) {
        bool shape_ok = info.rank == rank;
        for (int i = 0; shape_ok && i < rank; i++) shape_ok = info.dims[i] == dims[i];
        CHECK_MSG(shape_ok, "%s: rank %d [%lld,%lld,...], want rank %d", name, info.rank,
                  (long long)info.dims[0], (long long)(info.rank > 1 ? info.dims[1] : 0), rank);
        int64_t n = 1;
        for (int i = 0; i < rank; i++) n *= dims[i];
        for (int64_t i = 0; shape_ok && i < n; i++) {
            double g = elem(info.dtype, y, i);
            if (!CHECK_MSG(fabs(g - want[i]) <= 1e-5 + 1e-5 * fabs(want[i]),
                           "%s[%lld] = %g, want %g", name, (long long)i, g, want[i]))
                break;
        }
    } else {
        printf("  (output %s)\n", name);
    }
    frost_session_free(s);
    frost_model_free(m);
}

#define D(...) ((const int64_t[]){__VA_ARGS__})
#define V(...) ((const double[]){__VA_ARGS__})

static void test_ops(void) {
    for (int i = 0; i < 12; i++) X[i] = (float)i;
    double w[64];
    expect("concat_old", 2, D(2, 12),
           V(0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 6, 7, 8, 9, 10, 11));
    expect("split:1", 2, D(2, 2), V(2, 3, 8, 9));
    expect("splitv:1", 2, D(2, 4), V(2, 3, 4, 5, 8, 9, 10, 11));
    for (int i = 0; i < 12; i++) w[i] = i;
    expect("squeeze", 2, D(2, 6), w);
    expect("gather_old", 2, D(1, 6), V(6, 7, 8, 9, 10, 11));
    expect("gather_v2", 2, D(2, 2), V(5, 0, 11, 6));
    expect("slice", 2, D(2, 3), V(1, 2, 3, 7, 8, 9));
    expect("strided", 2, D(2, 3), V(0, 2, 4, 6, 8, 10));
    expect("strided_shrink", 1, D(6), V(6, 7, 8, 9, 10, 11));
    for (int r = 0; r < 3; r++)
        for (int c = 0; c < 7; c++) w[r * 7 + c] = (r == 0 || c == 6) ? 0 : X[(r - 1) * 6 + c];
    expect("pad", 2, D(3, 7), w);
    for (int i = 0; i < 21; i++)
        if (i < 7 || i % 7 == 6) w[i] = -1;
    expect("pad_v2", 2, D(3, 7), w);
    for (int r = 0; r < 2; r++)
        for (int c = 0; c < 8; c++) {
            int src = c == 0 ? 1 : c == 7 ? 4 : c - 1; /* REFLECT: edge not repeated */
            w[r * 8 + c] = X[r * 6 + src];
        }
    expect("mirror_pad", 2, D(2, 8), w);
    expect("mean_keep", 2, D(2, 1), V(2.5, 8.5));
    expect("sum_all", 0, D(0), V(66));
    expect("max_rows", 1, D(2), V(5, 11));
    expect("argmax", 1, D(6), V(1, 1, 1, 1, 1, 1));
    expect("cast", 1, D(6), V(1, 1, 1, 1, 1, 1));
    for (int i = 0; i < 12; i++) w[i] = 0;
    expect("zeros_like", 2, D(2, 6), w);
    for (int i = 0; i < 12; i++) w[i] = 1;
    expect("ones_like", 2, D(2, 6), w);
    expect("fill", 2, D(2, 2), V(3.5, 3.5, 3.5, 3.5));
    expect("tile", 2, D(2, 12),
           V(0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 6, 7, 8, 9, 10, 11));
    expect("transpose", 2, D(6, 2), V(0, 6, 1, 7, 2, 8, 3, 9, 4, 10, 5, 11));
    for (int r = 0; r < 2; r++)
        for (int k = 0; k < 2; k++)
            for (int c = 0; c < 6; c++) w[(r * 2 + k) * 6 + c] = X[r * 6 + c];
    expect("pack", 3, D(2, 2, 6), w);
    expect("unpack:1", 1, D(6), V(6, 7, 8, 9, 10, 11));
    for (int i = 0; i < 12; i++) w[i] = X[i] > 5 ? X[i] : -X[i];
    expect("select_v2", 2, D(2, 6), w);
    expect("select_v1_same", 2, D(2, 6), w);
    for (int i = 0; i < 12; i++) w[i] = i < 6 ? X[i] : -X[i]; /* rank-1 cond picks rows */
    expect("select_v1_rows", 2, D(2, 6), w);
    for (int i = 0; i < 12; i++) w[i] = X[i] + 10 * (i % 6); /* NCHW on 2-D: channels are axis 1 */
    expect("bias_nchw_2d", 2, D(2, 6), w);
    for (int i = 0; i < 12; i++) w[i] = X[i] + 100 * (i / 4);
    expect("bias_nchw_4d", 4, D(1, 3, 2, 2), w);
    expect("one_hot", 2, D(2, 3), V(1, 0, 0, 0, 0, 1));
    expect("range", 1, D(3), V(0, 2, 4));
    for (int i = 0; i < 12; i++) w[i] = 3 * X[i];
    expect("add_n", 2, D(2, 6), w);
    for (int i = 0; i < 12; i++) w[i] = X[i] - 5.5 > 0 ? X[i] - 5.5 : 0.1 * (X[i] - 5.5);
    expect("leaky", 2, D(2, 6), w);
    for (int i = 0; i < 12; i++) w[i] = fmin(fmax(X[i], 2), 9);
    expect("clip", 2, D(2, 6), w);
    for (int i = 0; i < 12; i++) w[i] = (X[i] - 3) * (X[i] - 3);
    expect("sqdiff", 2, D(2, 6), w);
    for (int i = 0; i < 12; i++) w[i] = (X[i] - 6) - 4 * floor((X[i] - 6) / 4);
    expect("floor_mod", 2, D(2, 6), w);
    for (int i = 0; i < 12; i++) w[i] = floor((X[i] - 6) / 4);
    expect("floor_div", 2, D(2, 6), w);
    for (int i = 0; i < 12; i++) w[i] = (X[i] - 1) / 2.0 * (1 + i % 3) + 0.5;
    expect("batch_norm", 4, D(1, 2, 2, 3), w);
    for (int r = 0; r < 4; r++)
        for (int c = 0; c < 12; c++) w[r * 12 + c] = X[(r / 2) * 6 + c / 2];
    expect("resize_nn", 4, D(1, 4, 12, 1), w);
    for (int b = 0; b < 2; b++)
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 2; j++) {
                double acc = 0;
                for (int k = 0; k < 3; k++) acc += X[b * 6 + i * 3 + k] * X[b * 6 + k * 2 + j];
                w[(b * 2 + i) * 2 + j] = acc;
            }
    expect("batch_matmul", 3, D(2, 2, 2), w);
    /* matmul_tt = x^T (6x2)^T... = (x^T)^T-free: transpose_a on x [2,6] gives [6,2]; transpose_b on
     * transpose [6,2] gives [2,6]: out[i][j] = sum_k x[k][i] * x[k][j]. */
    for (int i = 0; i < 6; i++)
        for (int j = 0; j < 6; j++) w[i * 6 + j] = X[i] * X[j] + X[6 + i] * X[6 + j];
    expect("matmul_tt", 2, D(6, 6), w);
    for (int i = 0; i < 12; i++) w[i] = -X[i];
    expect("identity_n", 2, D(2, 6), w);
    for (int i = 0; i < 12; i++) w[i] = X[i];
    expect("identity_n:1", 2, D(2, 6), w);
    expect("shape", 1, D(2), V(2, 6));
    for (int r = 0; r < 2; r++) {
        double z = 0;
        for (int c = 0; c < 6; c++) z += exp(X[r * 6 + c] - X[r * 6 + 5]);
        for (int c = 0; c < 6; c++) {
            w[r * 6 + c] = exp(X[r * 6 + c] - X[r * 6 + 5]) / z;
            w[16 + r * 6 + c] = X[r * 6 + c] - X[r * 6 + 5] - log(z);
        }
    }
    expect("softmax", 2, D(2, 6), w);
    expect("log_softmax", 2, D(2, 6), w + 16);
    /* Conv2DBackpropInput, stride 2 VALID with a 2x2 filter: each dy value stamps the filter. */
    for (int r = 0; r < 4; r++)
        for (int c = 0; c < 4; c++)
            w[r * 4 + c] = (1 + (r / 2) * 2 + c / 2) * pow(10, (r % 2) * 2 + c % 2);
    expect("deconv", 4, D(1, 4, 4, 1), w);
    /* Depthwise 1x1, multiplier 2: out[..., 2c+k] = x[..., c] * f[c][k]. */
    static const double f[3][2] = {{1, -1}, {2, -2}, {3, -3}};
    for (int p = 0; p < 4; p++)
        for (int c = 0; c < 3; c++)
            for (int k = 0; k < 2; k++) w[p * 6 + c * 2 + k] = X[p * 3 + c] * f[c][k];
    expect("depthwise", 4, D(1, 2, 2, 6), w);
    /* ResizeBilinear of the 2x6 image to 3x9, half-pixel centers, then align_corners. */
    for (int mode = 0; mode < 2; mode++) {
        for (int r = 0; r < 3; r++)
            for (int c = 0; c < 9; c++) {
                double sy = mode == 0 ? (r + 0.5) * 2.0 / 3 - 0.5 : r * 1.0 / 2;
                double sx = mode == 0 ? (c + 0.5) * 6.0 / 9 - 0.5 : c * 5.0 / 8;
                sy = fmax(sy, 0);
                sx = fmax(sx, 0);
                int y0 = (int)floor(sy), x0 = (int)floor(sx);
                int y1 = y0 + 1 < 2 ? y0 + 1 : 1, x1 = x0 + 1 < 6 ? x0 + 1 : 5;
                double dy = sy - y0, dx = sx - x0;
                double top = X[y0 * 6 + x0] * (1 - dx) + X[y0 * 6 + x1] * dx;
                double bot = X[y1 * 6 + x0] * (1 - dx) + X[y1 * 6 + x1] * dx;
                w[r * 9 + c] = top * (1 - dy) + bot * dy;
            }
        expect(mode == 0 ? "resize_bilinear" : "resize_bilinear_ac", 4, D(1, 3, 9, 1), w);
    }
    expect("rank", 0, D(0), V(4));
    expect("size", 0, D(0), V(12));
    for (int c = 0; c < 5; c++) w[c] = X[c + 7]; /* 2x2 max over a row pair: the lower row wins */
    expect("max_pool_v2", 4, D(1, 1, 5, 1), w);
    for (int p = 0; p < 4; p++)
        w[p] = fmax(0, X[p * 3] - X[p * 3 + 1] + 0.5 * X[p * 3 + 2] - 2);
    expect("fused_conv", 4, D(1, 2, 2, 1), w);
    for (int i = 0; i < 12; i++) w[i] = (X[i] - 1) / 2.0 + 0.5; /* scale_after_normalization off */
    expect("bn_global", 4, D(1, 2, 2, 3), w);
}

int main(void) {
    test_mlp();
    test_learning_phase();
    test_layout();
    test_ops();
    return frost_test_finish();
}
