/* test_shape.c — the view ops (IDENTITY, RESHAPE, SQUEEZE, EXPAND_DIMS, FLATTEN) and SHAPE: shape
 * inference against hand-computed expectations, with -1 / 0-copy reshape entries, negative axes,
 * unknown dims and ranks at load, unknown operands (unknown output at load, an error when
 * planning), and the errors bad operands must produce. Views share bytes, so eval copies them:
 * the data must come through unchanged. */
#include "hook_bench.h"

static void test_reshape(void) {
    float x[24];
    for (int i = 0; i < 24; i++) x[i] = (float)i;
    frost__params p = {.reshape = {false}};
    h_reset();
    int ins[2] = {h_val(FROST_DTYPE_F32, 3, H_DIMS(2, 3, 4), x), h_i32_vec(2, H_I32(-1, 6))};
    if (CHECK_OK(h_run(FROST__OP_RESHAPE, &p, 2, ins, 1), &H.err)) {
        CHECK_SHAPE(0, 2, 4, 6);
        CHECK(memcmp(h_data(0), x, sizeof x) == 0);
    }
    /* TF: 0 is a real zero-size dim; ONNX (zero_is_copy): 0 copies the input dim */
    h_reset();
    ins[0] = h_val(FROST_DTYPE_F32, 3, H_DIMS(2, 3, 4), x);
    ins[1] = h_i64_vec(3, H_I64(0, -1, 2));
    p.reshape.zero_is_copy = true;
    if (CHECK_OK(h_run(FROST__OP_RESHAPE, &p, 2, ins, 1), &H.err)) CHECK_SHAPE(0, 3, 2, 6, 2);
    h_reset();
    ins[0] = h_val(FROST_DTYPE_F32, 2, H_DIMS(0, 3), x);
    ins[1] = h_i64_vec(2, H_I64(3, 0));
    p.reshape.zero_is_copy = false;
    if (CHECK_OK(h_run(FROST__OP_RESHAPE, &p, 2, ins, 1), &H.err)) CHECK_SHAPE(0, 2, 3, 0);
    /* to a scalar and back */
    h_reset();
    ins[0] = h_val(FROST_DTYPE_F32, 2, H_DIMS(1, 1), x);
    ins[1] = h_val(FROST_DTYPE_I32, 1, H_DIMS(0), NULL);
    H.data[ins[1]] = (void *)x; /* 0 entries: any non-NULL pointer */
    if (CHECK_OK(h_run(FROST__OP_RESHAPE, &p, 2, ins, 1), &H.err)) CHECK_SHAPE(0, 0, 0);
    /* errors */
    h_reset();
    ins[0] = h_val(FROST_DTYPE_F32, 3, H_DIMS(2, 3, 4), x);
    ins[1] = h_i32_vec(2, H_I32(5, -1));
    CHECK_FAILS(h_run(FROST__OP_RESHAPE, &p, 2, ins, 1), FROST_E_SHAPE, &H.err, "test_node");
    h_reset();
    ins[0] = h_val(FROST_DTYPE_F32, 3, H_DIMS(2, 3, 4), x);
    ins[1] = h_i32_vec(2, H_I32(5, 5));
    CHECK_FAILS(h_run(FROST__OP_RESHAPE, &p, 2, ins, 1), FROST_E_SHAPE, &H.err, "24 elements");
    h_reset();
    ins[0] = h_val(FROST_DTYPE_F32, 3, H_DIMS(2, 3, 4), x);
    ins[1] = h_i32_vec(3, H_I32(-1, -1, 4));
    CHECK_FAILS(h_run(FROST__OP_RESHAPE, &p, 2, ins, 1), FROST_E_SHAPE, &H.err, "more than one");
    h_reset();
    ins[0] = h_val(FROST_DTYPE_F32, 3, H_DIMS(2, 3, 4), x);
    ins[1] = h_i32_vec(2, H_I32(-2, 12));
    CHECK_FAILS(h_run(FROST__OP_RESHAPE, &p, 2, ins, 1), FROST_E_SHAPE, &H.err, NULL);
    h_reset();
    ins[0] = h_val(FROST_DTYPE_F32, 1, H_DIMS(24), x);
    ins[1] = h_val(FROST_DTYPE_F32, 1, H_DIMS(1), x);
    CHECK_FAILS(h_run(FROST__OP_RESHAPE, &p, 2, ins, 1), FROST_E_DTYPE, &H.err, "integer");
    /* load time: unknown batch with -1, unknown shape operand, unknown rank */
    h_reset();
    ins[0] = h_val(FROST_DTYPE_F32, 4, H_DIMS(-1, 7, 7, 64), NULL);
    ins[1] = h_i32_vec(2, H_I32(-1, 3136));
    if (CHECK_OK(h_infer(FROST__OP_RESHAPE, &p, 2, ins, 1, false), &H.err)) CHECK_SHAPE(0, 2, -1, 3136);
    h_reset();
    ins[0] = h_val(FROST_DTYPE_F32, 2, H_DIMS(4, 6), NULL);
    ins[1] = h_val(FROST_DTYPE_I32, 1, H_DIMS(3), NULL);
    if (CHECK_OK(h_infer(FROST__OP_RESHAPE, &p, 2, ins, 1, false), &H.err)) CHECK_SHAPE(0, 3, -1, -1, -1);
    CHECK_FAILS(h_infer(FROST__OP_RESHAPE, &p, 2, ins, 1, true), FROST_E_SHAPE, &H.err, "plan time");
    h_reset();
    p.reshape.zero_is_copy = true;
    ins[0] = h_val(FROST_DTYPE_F32, -1, NULL, NULL);
    ins[1] = h_i32_vec(2, H_I32(0, 5));
    if (CHECK_OK(h_infer(FROST__OP_RESHAPE, &p, 2, ins, 1, false), &H.err)) CHECK_SHAPE(0, 2, -1, 5);
}

static void test_squeeze_expand_flatten(void) {
    float x[6] = {1, 2, 3, 4, 5, 6};
    h_reset();
    int ins[2] = {h_val(FROST_DTYPE_F32, 4, H_DIMS(1, 2, 1, 3), x), -1};
    if (CHECK_OK(h_run(FROST__OP_SQUEEZE, NULL, 1, ins, 1), &H.err)) {
        CHECK_SHAPE(0, 2, 2, 3);
        CHECK(memcmp(h_data(0), x, sizeof x) == 0);
    }
    h_reset();
    ins[0] = h_val(FROST_DTYPE_F32, 4, H_DIMS(1, 2, 1, 3), x);
    ins[1] = h_i32_vec(1, H_I32(-2));
    if (CHECK_OK(h_run(FROST__OP_SQUEEZE, NULL, 2, ins, 1), &H.err)) CHECK_SHAPE(0, 3, 1, 2, 3);
    h_reset();
    ins[0] = h_val(FROST_DTYPE_F32, 4, H_DIMS(1, 2, 1, 3), x);
    ins[1] = h_i64_vec(2, H_I64(0, 2));
    if (CHECK_OK(h_run(FROST__OP_SQUEEZE, NULL, 2, ins, 1), &H.err)) CHECK_SHAPE(0, 2, 2, 3);
    /* the explicit absent optional input (-1) */
    h_reset();
    ins[0] = h_val(FROST_DTYPE_F32, 3, H_DIMS(1, 1, 1), x);
    ins[1] = -1;
    if (CHECK_OK(h_run(FROST__OP_SQUEEZE, NULL, 2, ins, 1), &H.err)) CHECK_SHAPE(0, 0, 0);
    h_reset();
    ins[0] = h_val(FROST_DTYPE_F32, 2, H_DIMS(2, 3), x);
    ins[1] = h_i32_vec(1, H_I32(1));
    CHECK_FAILS(h_run(FROST__OP_SQUEEZE, NULL, 2, ins, 1), FROST_E_SHAPE, &H.err, "size 3");
    h_reset();
    ins[0] = h_val(FROST_DTYPE_F32, 2, H_DIMS(2, 3), x);
    ins[1] = h_i32_vec(1, H_I32(2));
    CHECK_FAILS(h_run(FROST__OP_SQUEEZE, NULL, 2, ins, 1), FROST_E_SHAPE, &H.err, "out of range");
    /* unknown dims: squeezing everything has an unknown rank; an explicit axis is fine */
    h_reset();
    ins[0] = h_val(FROST_DTYPE_F32, 3, H_DIMS(-1, 1, 5), NULL);
    if (CHECK_OK(h_infer(FROST__OP_SQUEEZE, NULL, 1, ins, 1, false), &H.err)) CHECK(h_shape(0)->rank == -1);
    h_reset();
    ins[0] = h_val(FROST_DTYPE_F32, 3, H_DIMS(-1, 1, 5), NULL);
    ins[1] = h_i32_vec(1, H_I32(1));
    if (CHECK_OK(h_infer(FROST__OP_SQUEEZE, NULL, 2, ins, 1, false), &H.err)) CHECK_SHAPE(0, 2, -1, 5);

    /* ExpandDims: TF scalar axis, negative axis, ONNX Unsqueeze with several axes */
    h_reset();
    ins[0] = h_val(FROST_DTYPE_F32, 2, H_DIMS(2, 3), x);
    ins[1] = h_i32_scalar(0);
    if (CHECK_OK(h_run(FROST__OP_EXPAND_DIMS, NULL, 2, ins, 1), &H.err)) {
        CHECK_SHAPE(0, 3, 1, 2, 3);
        CHECK(memcmp(h_data(0), x, sizeof x) == 0);
    }
    h_reset();
    ins[0] = h_val(FROST_DTYPE_F32, 2, H_DIMS(2, 3), x);
    ins[1] = h_i32_scalar(-1);
    if (CHECK_OK(h_run(FROST__OP_EXPAND_DIMS, NULL, 2, ins, 1), &H.err)) CHECK_SHAPE(0, 3, 2, 3, 1);
    h_reset();
    ins[0] = h_val(FROST_DTYPE_F32, 2, H_DIMS(2, 3), x);
    ins[1] = h_i64_vec(3, H_I64(0, 4, 2));
    if (CHECK_OK(h_run(FROST__OP_EXPAND_DIMS, NULL, 2, ins, 1), &H.err)) CHECK_SHAPE(0, 5, 1, 2, 1, 3, 1);
    h_reset();
    ins[0] = h_val(FROST_DTYPE_F32, 0, NULL, x);
    ins[1] = h_i32_scalar(0);
    if (CHECK_OK(h_run(FROST__OP_EXPAND_DIMS, NULL, 2, ins, 1), &H.err)) CHECK_SHAPE(0, 1, 1);
    h_reset();
    ins[0] = h_val(FROST_DTYPE_F32, 2, H_DIMS(2, 3), x);
    ins[1] = h_i32_scalar(4);
    CHECK_FAILS(h_run(FROST__OP_EXPAND_DIMS, NULL, 2, ins, 1), FROST_E_SHAPE, &H.err, "out of range");
    h_reset();
    ins[0] = h_val(FROST_DTYPE_F32, 2, H_DIMS(2, 3), x);
    ins[1] = h_i64_vec(2, H_I64(1, -3));
    CHECK_FAILS(h_run(FROST__OP_EXPAND_DIMS, NULL, 2, ins, 1), FROST_E_SHAPE, &H.err, "repeated");
    h_reset();
    ins[0] = h_val(FROST_DTYPE_F32, 2, H_DIMS(2, 3), NULL);
    ins[1] = h_val(FROST_DTYPE_I32, 0, NULL, NULL);
    if (CHECK_OK(h_infer(FROST__OP_EXPAND_DIMS, NULL, 2, ins, 1, false), &H.err)) CHECK(h_shape(0)->rank == -1);
    CHECK_FAILS(h_infer(FROST__OP_EXPAND_DIMS, NULL, 2, ins, 1, true), FROST_E_SHAPE, &H.err, "axes");

    /* Flatten */
    frost__params p = {.flatten = {1}};
    h_reset();
    ins[0] = h_val(FROST_DTYPE_F32, 3, H_DIMS(1, 2, 3), x);
    if (CHECK_OK(h_run(FROST__OP_FLATTEN, &p, 1, ins, 1), &H.err)) CHECK_SHAPE(0, 2, 1, 6);
    p.flatten.axis = 0;
    h_reset();
    ins[0] = h_val(FROST_DTYPE_F32, 3, H_DIMS(1, 2, 3), x);
    if (CHECK_OK(h_run(FROST__OP_FLATTEN, &p, 1, ins, 1), &H.err)) CHECK_SHAPE(0, 2, 1, 6);
    p.flatten.axis = -1;
    h_reset();
    ins[0] = h_val(FROST_DTYPE_F32, 3, H_DIMS(1, 2, 3), x);
    if (CHECK_OK(h_run(FROST__OP_FLATTEN, &p, 1, ins, 1), &H.err)) CHECK_SHAPE(0, 2, 2, 3);
    p.flatten.axis = 3;
    h_reset();
    ins[0] = h_val(FROST_DTYPE_F32, 3, H_DIMS(1, 2, 3), x);
    if (CHECK_OK(h_run(FROST__OP_FLATTEN, &p, 1, ins, 1), &H.err)) CHECK_SHAPE(0, 2, 6, 1);
    p.flatten.axis = 1;
    h_reset();
    ins[0] = h_val(FROST_DTYPE_F32, 4, H_DIMS(-1, 7, 7, 2), NULL);
    if (CHECK_OK(h_infer(FROST__OP_FLATTEN, &p, 1, ins, 1, false), &H.err)) CHECK_SHAPE(0, 2, -1, 98);
    p.flatten.axis = 5;
    CHECK_FAILS(h_infer(FROST__OP_FLATTEN, &p, 1, ins, 1, false), FROST_E_SHAPE, &H.err, "axis");

    /* Identity */
    h_reset();
    ins[0] = h_val(FROST_DTYPE_I32, 1, H_DIMS(2), H_I32(4, 5));
    if (CHECK_OK(h_run(FROST__OP_IDENTITY, NULL, 1, ins, 1), &H.err)) {
        CHECK_SHAPE(0, 1, 2);
        CHECK(h_dtype(0) == FROST_DTYPE_I32 && ((int32_t *)h_data(0))[1] == 5);
    }
    const frost__op_def *d = frost__op_get(FROST__OP_RESHAPE);
    CHECK(d && (d->flags & FROST__OPF_VIEW) && !d->prepare);
}

static void test_shape_op(void) {
    frost__params p = {.shape = {FROST_DTYPE_I32, 0, 0}};
    h_reset();
    int in = h_val(FROST_DTYPE_F32, 4, H_DIMS(2, 7, 5, 3), NULL);
    if (CHECK_OK(h_run(FROST__OP_SHAPE, &p, 1, &in, 1), &H.err)) {
        CHECK_SHAPE(0, 1, 4);
        CHECK(h_dtype(0) == FROST_DTYPE_I32);
        CHECK(h_ints_eq(h_data(0), FROST_DTYPE_I32, H_I64(2, 7, 5, 3), 4));
    }
    p.shape.out_dtype = FROST_DTYPE_I64;
    p.shape.start = 1;
    p.shape.end = -1;
    h_reset();
    in = h_val(FROST_DTYPE_F32, 4, H_DIMS(2, 7, 5, 3), NULL);
    if (CHECK_OK(h_run(FROST__OP_SHAPE, &p, 1, &in, 1), &H.err)) {
        CHECK_SHAPE(0, 1, 2);
        CHECK(h_dtype(0) == FROST_DTYPE_I64);
        CHECK(h_ints_eq(h_data(0), FROST_DTYPE_I64, H_I64(7, 5), 2));
    }
    p.shape.start = -10; /* clamps */
    p.shape.end = 100;
    h_reset();
    in = h_val(FROST_DTYPE_F32, 2, H_DIMS(2, 7), NULL);
    if (CHECK_OK(h_run(FROST__OP_SHAPE, &p, 1, &in, 1), &H.err)) CHECK_SHAPE(0, 1, 2);
    p = (frost__params){.shape = {0, 0, 0}};
    h_reset();
    in = h_val(FROST_DTYPE_F32, 0, NULL, NULL);
    if (CHECK_OK(h_run(FROST__OP_SHAPE, &p, 1, &in, 1), &H.err)) {
        CHECK_SHAPE(0, 1, 0);
        CHECK(h_dtype(0) == FROST_DTYPE_I32);
    }
    h_reset();
    in = h_val(FROST_DTYPE_F32, 3, H_DIMS(-1, 5, -1), NULL);
    if (CHECK_OK(h_infer(FROST__OP_SHAPE, &p, 1, &in, 1, false), &H.err)) CHECK_SHAPE(0, 1, 3);
    h_reset();
    in = h_val(FROST_DTYPE_F32, -1, NULL, NULL);
    if (CHECK_OK(h_infer(FROST__OP_SHAPE, &p, 1, &in, 1, false), &H.err)) CHECK_SHAPE(0, 1, -1);
    CHECK(frost__op_get(FROST__OP_SHAPE)->flags & FROST__OPF_SHAPE_ONLY);
}

int main(void) {
    test_reshape();
    test_squeeze_expand_flatten();
    test_shape_op();
    h_reset();
    return frost_test_finish();
}
