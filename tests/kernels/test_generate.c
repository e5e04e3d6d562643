/* test_generate.c — FILL, FILL_LIKE, RANGE and ONE_HOT against hand-computed expectations: dtypes,
 * empty results, negative deltas, float ranges computed in float like TF, unknown operands at
 * load and at plan time, out-of-range one-hot indices, and the errors bad operands produce. */
#include <math.h>

#include "hook_bench.h"

static void test_fill(void) {
    float v = 2.5f;
    h_reset();
    int ins[2] = {h_i32_vec(2, H_I32(2, 3)), h_val(FROST_DTYPE_F32, 0, NULL, &v)};
    if (CHECK_OK(h_run(FROST__OP_FILL, NULL, 2, ins, 1), &H.err)) {
        CHECK_SHAPE(0, 2, 2, 3);
        CHECK(h_dtype(0) == FROST_DTYPE_F32);
        const float *y = h_data(0);
        bool ok = true;
        for (int i = 0; i < 6; i++) ok &= y[i] == 2.5f;
        CHECK(ok);
    }
    int64_t iv = -7;
    h_reset();
    ins[0] = h_i64_vec(1, H_I64(5));
    ins[1] = h_val(FROST_DTYPE_I64, 0, NULL, &iv);
    if (CHECK_OK(h_run(FROST__OP_FILL, NULL, 2, ins, 1), &H.err))
        CHECK(h_ints_eq(h_data(0), FROST_DTYPE_I64, H_I64(-7, -7, -7, -7, -7), 5));
    /* ConstantOfShape: value and dtype from the params */
    frost__params p = {.fill = {3.0, FROST_DTYPE_I32}};
    h_reset();
    ins[0] = h_i64_vec(2, H_I64(1, 2));
    if (CHECK_OK(h_run(FROST__OP_FILL, &p, 1, ins, 1), &H.err)) {
        CHECK(h_dtype(0) == FROST_DTYPE_I32);
        CHECK(h_ints_eq(h_data(0), FROST_DTYPE_I32, H_I64(3, 3), 2));
    }
    /* empty and scalar */
    h_reset();
    ins[0] = h_i32_vec(2, H_I32(0, 3));
    ins[1] = h_val(FROST_DTYPE_F32, 0, NULL, &v);
    if (CHECK_OK(h_run(FROST__OP_FILL, NULL, 2, ins, 1), &H.err)) CHECK_SHAPE(0, 2, 0, 3);
    h_reset();
    ins[0] = h_val(FROST_DTYPE_I32, 1, H_DIMS(0), &iv);
    ins[1] = h_val(FROST_DTYPE_F32, 0, NULL, &v);
    if (CHECK_OK(h_run(FROST__OP_FILL, NULL, 2, ins, 1), &H.err)) {
        CHECK_SHAPE(0, 0, 0);
        CHECK(*(float *)h_data(0) == 2.5f);
    }
    /* errors; unknown dims at load keep the rank */
    h_reset();
    ins[0] = h_i32_vec(2, H_I32(2, -3));
    ins[1] = h_val(FROST_DTYPE_F32, 0, NULL, &v);
    CHECK_FAILS(h_run(FROST__OP_FILL, NULL, 2, ins, 1), FROST_E_SHAPE, &H.err, "test_node");
    h_reset();
    ins[0] = h_val(FROST_DTYPE_I32, 1, H_DIMS(3), NULL);
    ins[1] = h_val(FROST_DTYPE_F32, 0, NULL, NULL);
    if (CHECK_OK(h_infer(FROST__OP_FILL, NULL, 2, ins, 1, false), &H.err)) CHECK_SHAPE(0, 3, -1, -1, -1);
    CHECK_FAILS(h_infer(FROST__OP_FILL, NULL, 2, ins, 1, true), FROST_E_SHAPE, &H.err, "dims");

    /* FillLike: ZerosLike keeps the dtype, OnesLike too; an explicit dtype wins */
    int32_t xi[4] = {5, 6, 7, 8};
    p = (frost__params){.fill = {1.0, 0}};
    h_reset();
    ins[0] = h_val(FROST_DTYPE_I32, 2, H_DIMS(2, 2), xi);
    if (CHECK_OK(h_run(FROST__OP_FILL_LIKE, &p, 1, ins, 1), &H.err)) {
        CHECK(h_dtype(0) == FROST_DTYPE_I32);
        CHECK_SHAPE(0, 2, 2, 2);
        CHECK(h_ints_eq(h_data(0), FROST_DTYPE_I32, H_I64(1, 1, 1, 1), 4));
    }
    p = (frost__params){.fill = {0.0, FROST_DTYPE_F32}};
    h_reset();
    ins[0] = h_val(FROST_DTYPE_I32, 1, H_DIMS(4), NULL); /* data unknown: shape is all it needs */
    if (CHECK_OK(h_run(FROST__OP_FILL_LIKE, &p, 1, ins, 1), &H.err)) {
        CHECK(h_dtype(0) == FROST_DTYPE_F32);
        const float *y = h_data(0);
        CHECK(y[0] == 0 && y[3] == 0);
    }
}

static void test_range(void) {
    struct { int32_t s, l, d; int n; int32_t want[8]; } ic[] = {
        {0, 5, 1, 5, {0, 1, 2, 3, 4}},
        {3, 18, 4, 4, {3, 7, 11, 15}},
        {5, 0, -2, 3, {5, 3, 1}},
        {0, 0, 1, 0, {0}},
        {3, 1, 1, 0, {0}},
        {-3, 3, 3, 2, {-3, 0}},
    };
    for (size_t k = 0; k < FROST_ARRAY_LEN(ic); k++) {
        h_reset();
        int ins[3] = {h_i32_scalar(ic[k].s), h_i32_scalar(ic[k].l), h_i32_scalar(ic[k].d)};
        if (!CHECK_OK(h_run(FROST__OP_RANGE, NULL, 3, ins, 1), &H.err)) continue;
        CHECK_MSG(h_shape_is(0, 1, (int64_t[]){ic[k].n}), "range case %zu", k);
        CHECK(h_dtype(0) == FROST_DTYPE_I32);
        if (ic[k].n) CHECK(memcmp(h_data(0), ic[k].want, sizeof(int32_t) * (size_t)ic[k].n) == 0);
    }
    /* float: the count is computed in float like TF; values are start + i * delta */
    float s = 0, l = 1, d = 0.1f;
    h_reset();
    int ins[3] = {h_val(FROST_DTYPE_F32, 0, NULL, &s), h_val(FROST_DTYPE_F32, 0, NULL, &l),
                  h_val(FROST_DTYPE_F32, 0, NULL, &d)};
    if (CHECK_OK(h_run(FROST__OP_RANGE, NULL, 3, ins, 1), &H.err)) {
        CHECK_MSG(h_shape_is(0, 1, (int64_t[]){(int64_t)ceilf((l - s) / d)}), "float range count");
        const float *y = h_data(0);
        CHECK(y[0] == 0 && fabsf(y[9] - 0.9f) < 1e-6f);
    }
    float s2 = 1.5f, l2 = -1.0f, d2 = -0.5f;
    h_reset();
    ins[0] = h_val(FROST_DTYPE_F32, 0, NULL, &s2);
    ins[1] = h_val(FROST_DTYPE_F32, 0, NULL, &l2);
    ins[2] = h_val(FROST_DTYPE_F32, 0, NULL, &d2);
    if (CHECK_OK(h_run(FROST__OP_RANGE, NULL, 3, ins, 1), &H.err)) {
        CHECK_SHAPE(0, 1, 5);
        const float *y = h_data(0);
        CHECK(y[0] == 1.5f && y[4] == -0.5f);
    }
    /* i64 with 1-element vectors; delta 0 fails; unknown at load */
    h_reset();
    ins[0] = h_i64_vec(1, H_I64(10));
    ins[1] = h_i64_vec(1, H_I64(13));
    ins[2] = h_i64_vec(1, H_I64(1));
    if (CHECK_OK(h_run(FROST__OP_RANGE, NULL, 3, ins, 1), &H.err))
        CHECK(h_ints_eq(h_data(0), FROST_DTYPE_I64, H_I64(10, 11, 12), 3));
    h_reset();
    ins[0] = h_i32_scalar(0);
    ins[1] = h_i32_scalar(4);
    ins[2] = h_i32_scalar(0);
    CHECK_FAILS(h_run(FROST__OP_RANGE, NULL, 3, ins, 1), FROST_E_SHAPE, &H.err, "delta");
    h_reset();
    ins[0] = h_i32_scalar(0);
    ins[1] = h_val(FROST_DTYPE_I32, 0, NULL, NULL);
    ins[2] = h_i32_scalar(1);
    if (CHECK_OK(h_infer(FROST__OP_RANGE, NULL, 3, ins, 1, false), &H.err)) CHECK_SHAPE(0, 1, -1);
    h_reset();
    ins[0] = h_i32_scalar(0);
    ins[1] = h_val(FROST_DTYPE_I64, 0, NULL, NULL);
    ins[2] = h_i32_scalar(1);
    CHECK_FAILS(h_infer(FROST__OP_RANGE, NULL, 3, ins, 1, false), FROST_E_DTYPE, &H.err, "dtype");
}

static void test_one_hot(void) {
    float on = 1.0f, off = 0.0f;
    int32_t idx[4] = {0, 2, -1, 3}; /* -1 and 3 (== depth) give rows of off, as TF */
    frost__params p = {.one_hot = {-1}};
    h_reset();
    int ins[4] = {h_i32_vec(4, idx), h_i32_scalar(3), h_val(FROST_DTYPE_F32, 0, NULL, &on),
                  h_val(FROST_DTYPE_F32, 0, NULL, &off)};
    if (CHECK_OK(h_run(FROST__OP_ONE_HOT, &p, 4, ins, 1), &H.err)) {
        CHECK_SHAPE(0, 2, 4, 3);
        float want[12] = {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0};
        CHECK(memcmp(h_data(0), want, sizeof want) == 0);
    }
    /* axis 0 on a [2,2] index tensor, i64 indices, int32 on/off */
    int64_t idx2[4] = {1, 0, 0, 1};
    int32_t on2 = 5, off2 = -1;
    p.one_hot.axis = 0;
    h_reset();
    ins[0] = h_val(FROST_DTYPE_I64, 2, H_DIMS(2, 2), idx2);
    ins[1] = h_i32_scalar(2);
    ins[2] = h_val(FROST_DTYPE_I32, 0, NULL, &on2);
    ins[3] = h_val(FROST_DTYPE_I32, 0, NULL, &off2);
    if (CHECK_OK(h_run(FROST__OP_ONE_HOT, &p, 4, ins, 1), &H.err)) {
        CHECK_SHAPE(0, 3, 2, 2, 2);
        /* out[d, i, j] = idx[i, j] == d */
        CHECK(h_ints_eq(h_data(0), FROST_DTYPE_I32, H_I64(-1, 5, 5, -1, 5, -1, -1, 5), 8));
    }
    /* middle axis */
    p.one_hot.axis = 1;
    h_reset();
    ins[0] = h_val(FROST_DTYPE_I64, 2, H_DIMS(2, 2), idx2);
    ins[1] = h_i32_scalar(2);
    ins[2] = h_val(FROST_DTYPE_I32, 0, NULL, &on2);
    ins[3] = h_val(FROST_DTYPE_I32, 0, NULL, &off2);
    if (CHECK_OK(h_run(FROST__OP_ONE_HOT, &p, 4, ins, 1), &H.err)) {
        CHECK_SHAPE(0, 3, 2, 2, 2);
        /* out[i, d, j] = idx[i, j] == d */
        CHECK(h_ints_eq(h_data(0), FROST_DTYPE_I32, H_I64(-1, 5, 5, -1, 5, -1, -1, 5), 8));
    }
    p.one_hot.axis = 3;
    h_reset();
    ins[0] = h_i32_vec(4, idx);
    ins[1] = h_i32_scalar(3);
    ins[2] = h_val(FROST_DTYPE_F32, 0, NULL, &on);
    ins[3] = h_val(FROST_DTYPE_F32, 0, NULL, &off);
    CHECK_FAILS(h_run(FROST__OP_ONE_HOT, &p, 4, ins, 1), FROST_E_SHAPE, &H.err, "axis");
}

int main(void) {
    test_fill();
    test_range();
    test_one_hot();
    h_reset();
    return frost_test_finish();
}
