/* test_layout.c — CONCAT, PACK, UNPACK, SPLIT, TRANSPOSE, PAD, STRIDED_SLICE, SLICE, TILE, EXPAND
 * and GATHER against naive references and hand-computed expectations: random permutations of
 * ranks 1-6 at element sizes 1/2/4/8, every pad mode, StridedSlice mask combinations (begin/end,
 * ellipsis, new axis, shrink, negative strides and indices), ONNX Slice clamping, Gather with
 * negative indices, batch_dims and an out-of-range index (an error naming the node, not a crash),
 * and inference with unknown operands. */
#include <stdlib.h>

#include "hook_bench.h"

static float *iota_f(int64_t n) {
    float *p = malloc((size_t)(n ? n : 1) * sizeof *p);
    for (int64_t i = 0; i < n; i++) p[i] = (float)i;
    return p;
}

static bool floats_eq(const float *got, const float *want, int64_t n, const char *what) {
    for (int64_t i = 0; i < n; i++)
        if (got[i] != want[i]) {
            CHECK_MSG(false, "%s: element %lld is %g, want %g", what, (long long)i, got[i], want[i]);
            return false;
        }
    CHECK(true);
    return true;
}

/* ==== Transpose =============================================================================== */

static void check_transpose(int rank, const int64_t *dims, const int *perm, frost_dtype t) {
    frost__shape s = frost__shape_make(rank, dims);
    int64_t n = frost__shape_numel(&s), st[8];
    frost__shape_strides(&s, st);
    size_t es = frost_dtype_size(t);
    unsigned char *x = malloc((size_t)n * es + 1);
    for (int64_t i = 0; i < n * (int64_t)es; i++) x[i] = (unsigned char)(i * 131 + 7);
    int32_t pv[8];
    for (int i = 0; i < rank; i++) pv[i] = perm[i];
    h_reset();
    int ins[2] = {h_val(t, rank, dims, x), h_i32_vec(rank, pv)};
    if (CHECK_OK(h_run(FROST__OP_TRANSPOSE, NULL, 2, ins, 1), &H.err)) {
        const unsigned char *y = h_data(0);
        int64_t od[8];
        for (int i = 0; i < rank; i++) od[i] = dims[perm[i]];
        CHECK(h_shape_is(0, rank, od));
        int64_t idx[8] = {0};
        bool ok = true;
        for (int64_t o = 0; o < n && ok; o++) {
            int64_t src = 0;
            for (int i = 0; i < rank; i++) src += idx[i] * st[perm[i]];
            ok = memcmp(y + o * es, x + src * es, es) == 0;
            for (int i = rank - 1; i >= 0; i--) {
                if (++idx[i] < od[i]) break;
                idx[i] = 0;
            }
        }
        CHECK_MSG(ok, "transpose rank %d %s", rank, frost_dtype_name(t));
    }
    free(x);
}

static void test_transpose(void) {
    frost_dtype types[] = {FROST_DTYPE_U8, FROST_DTYPE_I16, FROST_DTYPE_F32, FROST_DTYPE_I64};
    for (int rank = 1; rank <= 6; rank++)
        for (int trial = 0; trial < 6; trial++) {
            int64_t dims[8];
            int perm[8];
            for (int i = 0; i < rank; i++) {
                dims[i] = 1 + (int64_t)frost_test_uniform(0, rank <= 3 ? 9 : 4);
                perm[i] = i;
            }
            for (int i = rank - 1; i > 0; i--) {
                int j = (int)frost_test_uniform(0, (float)i + 0.999f);
                int tmp = perm[i];
                perm[i] = perm[j];
                perm[j] = tmp;
            }
            check_transpose(rank, dims, perm, types[(rank + trial) % 4]);
        }
    check_transpose(4, H_DIMS(2, 5, 7, 3), (int[]){0, 3, 1, 2}, FROST_DTYPE_F32); /* NHWC->NCHW */
    check_transpose(2, H_DIMS(67, 129), (int[]){1, 0}, FROST_DTYPE_F32);
    /* tiled paths: NCHW <-> NHWC with odd sizes, every element size */
    for (size_t t = 0; t < FROST_ARRAY_LEN(types); t++) {
        check_transpose(4, H_DIMS(2, 21, 30, 17), (int[]){0, 2, 3, 1}, types[t]);
        check_transpose(4, H_DIMS(2, 21, 30, 17), (int[]){0, 3, 1, 2}, types[t]);
        check_transpose(3, H_DIMS(9, 33, 8), (int[]){2, 1, 0}, types[t]);
    }
    check_transpose(3, H_DIMS(4, 1, 3), (int[]){1, 0, 2}, FROST_DTYPE_F32); /* size-1 moves */
    /* absent perm reverses; negative perm entries count from the end */
    float x[6] = {0, 1, 2, 3, 4, 5};
    h_reset();
    int in = h_val(FROST_DTYPE_F32, 2, H_DIMS(2, 3), x);
    if (CHECK_OK(h_run(FROST__OP_TRANSPOSE, NULL, 1, &in, 1), &H.err)) {
        CHECK_SHAPE(0, 2, 3, 2);
        floats_eq(h_data(0), H_F32(0, 3, 1, 4, 2, 5), 6, "reversed");
    }
    h_reset();
    int ins[2] = {h_val(FROST_DTYPE_F32, 2, H_DIMS(2, 3), x), h_i32_vec(2, H_I32(0, 0))};
    CHECK_FAILS(h_run(FROST__OP_TRANSPOSE, NULL, 2, ins, 1), FROST_E_SHAPE, &H.err, "permutation");
    h_reset();
    ins[0] = h_val(FROST_DTYPE_F32, 3, H_DIMS(-1, 4, 5), NULL);
    ins[1] = h_i32_vec(3, H_I32(2, 0, 1));
    if (CHECK_OK(h_infer(FROST__OP_TRANSPOSE, NULL, 2, ins, 1, false), &H.err)) CHECK_SHAPE(0, 3, 5, -1, 4);
}

/* ==== Concat, Pack, Unpack, Split ============================================================= */

static void test_concat_pack(void) {
    float *a = iota_f(12), *b = iota_f(8);
    for (int i = 0; i < 8; i++) b[i] += 100;
    /* [2,3,2] ++ [2,2,2] along axis 1 (given as -2) */
    h_reset();
    int ins[4] = {h_val(FROST_DTYPE_F32, 3, H_DIMS(2, 3, 2), a), h_val(FROST_DTYPE_F32, 3, H_DIMS(2, 2, 2), b),
                  h_i32_scalar(-2)};
    if (CHECK_OK(h_run(FROST__OP_CONCAT, NULL, 3, ins, 1), &H.err)) {
        CHECK_SHAPE(0, 3, 2, 5, 2);
        floats_eq(h_data(0),
                  H_F32(0, 1, 2, 3, 4, 5, 100, 101, 102, 103, 6, 7, 8, 9, 10, 11, 104, 105, 106, 107),
                  20, "concat axis 1");
    }
    /* shape arithmetic: concat of i32 vectors, one empty */
    h_reset();
    ins[0] = h_i32_vec(1, H_I32(-1));
    ins[1] = h_val(FROST_DTYPE_I32, 1, H_DIMS(0), H_I32(0));
    ins[2] = h_i32_vec(2, H_I32(7, 3));
    ins[3] = h_i32_scalar(0);
    if (CHECK_OK(h_run(FROST__OP_CONCAT, NULL, 4, ins, 1), &H.err)) {
        CHECK_SHAPE(0, 1, 3);
        CHECK(h_ints_eq(h_data(0), FROST_DTYPE_I32, H_I64(-1, 7, 3), 3));
    }
    /* errors and inference */
    h_reset();
    ins[0] = h_val(FROST_DTYPE_F32, 2, H_DIMS(2, 3), a);
    ins[1] = h_val(FROST_DTYPE_F32, 2, H_DIMS(3, 3), a);
    ins[2] = h_i32_scalar(1);
    CHECK_FAILS(h_run(FROST__OP_CONCAT, NULL, 3, ins, 1), FROST_E_SHAPE, &H.err, "dim 0");
    h_reset();
    ins[0] = h_val(FROST_DTYPE_F32, 2, H_DIMS(-1, 3), NULL);
    ins[1] = h_val(FROST_DTYPE_F32, 2, H_DIMS(4, 5), NULL);
    ins[2] = h_i32_scalar(1);
    if (CHECK_OK(h_infer(FROST__OP_CONCAT, NULL, 3, ins, 1, false), &H.err)) CHECK_SHAPE(0, 2, 4, 8);
    h_reset();
    ins[0] = h_val(FROST_DTYPE_F32, 2, H_DIMS(2, 3), NULL);
    ins[1] = h_val(FROST_DTYPE_F32, 2, H_DIMS(2, 5), NULL);
    ins[2] = h_val(FROST_DTYPE_I32, 0, NULL, NULL);
    if (CHECK_OK(h_infer(FROST__OP_CONCAT, NULL, 3, ins, 1, false), &H.err)) CHECK(h_shape(0)->rank == -1);
    CHECK_FAILS(h_infer(FROST__OP_CONCAT, NULL, 3, ins, 1, true), FROST_E_SHAPE, &H.err, "axis");

    /* Pack: scalars into a vector (the shape-building case), and a middle axis */
    frost__params p = {.pack = {0}};
    h_reset();
    ins[0] = h_i32_scalar(-1);
    ins[1] = h_i32_scalar(28);
    ins[2] = h_i32_scalar(3);
    if (CHECK_OK(h_run(FROST__OP_PACK, &p, 3, ins, 1), &H.err)) {
        CHECK_SHAPE(0, 1, 3);
        CHECK(h_ints_eq(h_data(0), FROST_DTYPE_I32, H_I64(-1, 28, 3), 3));
    }
    p.pack.axis = -2;
    h_reset();
    ins[0] = h_val(FROST_DTYPE_F32, 2, H_DIMS(2, 2), a);
    ins[1] = h_val(FROST_DTYPE_F32, 2, H_DIMS(2, 2), b);
    if (CHECK_OK(h_run(FROST__OP_PACK, &p, 2, ins, 1), &H.err)) {
        CHECK_SHAPE(0, 3, 2, 2, 2);
        floats_eq(h_data(0), H_F32(0, 1, 100, 101, 2, 3, 102, 103), 8, "pack axis 1");
    }
    /* Unpack along axis 1 */
    p.pack.axis = 1;
    h_reset();
    ins[0] = h_val(FROST_DTYPE_F32, 2, H_DIMS(2, 3), a);
    if (CHECK_OK(h_run(FROST__OP_UNPACK, &p, 1, ins, 3), &H.err)) {
        for (int k = 0; k < 3; k++) {
            CHECK_SHAPE(k, 1, 2);
            const float *y = h_data(k);
            CHECK(y[0] == (float)k && y[1] == (float)(3 + k));
        }
    }
    h_reset();
    ins[0] = h_val(FROST_DTYPE_F32, 2, H_DIMS(2, 3), a);
    CHECK_FAILS(h_run(FROST__OP_UNPACK, &p, 1, ins, 2), FROST_E_SHAPE, &H.err, "outputs");
    free(a);
    free(b);
}

static void test_split(void) {
    float *x = iota_f(20);
    /* equal parts along axis 1 */
    h_reset();
    int ins[3] = {h_val(FROST_DTYPE_F32, 2, H_DIMS(2, 10), x), h_i32_scalar(-1), -1};
    if (CHECK_OK(h_run(FROST__OP_SPLIT, NULL, 2, ins, 2), &H.err)) {
        CHECK_SHAPE(0, 2, 2, 5);
        CHECK_SHAPE(1, 2, 2, 5);
        floats_eq(h_data(1), H_F32(5, 6, 7, 8, 9, 15, 16, 17, 18, 19), 10, "split half");
    }
    /* sizes with -1 (SplitV) */
    h_reset();
    ins[0] = h_val(FROST_DTYPE_F32, 2, H_DIMS(2, 10), x);
    ins[1] = h_i32_scalar(1);
    ins[2] = h_i64_vec(3, H_I64(2, -1, 3));
    if (CHECK_OK(h_run(FROST__OP_SPLIT, NULL, 3, ins, 3), &H.err)) {
        CHECK_SHAPE(0, 2, 2, 2);
        CHECK_SHAPE(1, 2, 2, 5);
        CHECK_SHAPE(2, 2, 2, 3);
        floats_eq(h_data(2), H_F32(7, 8, 9, 17, 18, 19), 6, "splitv last");
        floats_eq(h_data(1), H_F32(2, 3, 4, 5, 6, 12, 13, 14, 15, 16), 10, "splitv middle");
    }
    /* uneven: the last part is smaller (ONNX 18); zero-size parts */
    h_reset();
    ins[0] = h_val(FROST_DTYPE_F32, 1, H_DIMS(7), x);
    ins[1] = h_i32_scalar(0);
    if (CHECK_OK(h_run(FROST__OP_SPLIT, NULL, 2, ins, 3), &H.err)) {
        CHECK_SHAPE(0, 1, 3);
        CHECK_SHAPE(2, 1, 1);
        CHECK(((float *)h_data(2))[0] == 6);
    }
    h_reset();
    ins[0] = h_val(FROST_DTYPE_F32, 1, H_DIMS(4), x);
    ins[1] = h_i32_scalar(0);
    ins[2] = h_i32_vec(3, H_I32(0, 4, 0));
    if (CHECK_OK(h_run(FROST__OP_SPLIT, NULL, 3, ins, 3), &H.err)) CHECK_SHAPE(0, 1, 0);
    h_reset();
    ins[0] = h_val(FROST_DTYPE_F32, 1, H_DIMS(4), x);
    ins[1] = h_i32_scalar(0);
    ins[2] = h_i32_vec(2, H_I32(1, 2));
    CHECK_FAILS(h_run(FROST__OP_SPLIT, NULL, 3, ins, 2), FROST_E_SHAPE, &H.err, "add to");
    free(x);
}

/* ==== Pad ===================================================================================== */

static int64_t ref_pad_index(int64_t i, int64_t before, int64_t n, int mode) {
    int64_t j = i - before;
    if (j >= 0 && j < n) return j;
    switch (mode) {
    case FROST__PADMODE_REFLECT: return j < 0 ? -j : 2 * (n - 1) - j;
    case FROST__PADMODE_SYMMETRIC: return j < 0 ? -j - 1 : 2 * n - 1 - j;
    case FROST__PADMODE_EDGE: return j < 0 ? 0 : n - 1;
    default: return -1;
    }
}

static void check_pad(int rank, const int64_t *dims, const int64_t *pads, int mode, bool with_value) {
    frost__shape s = frost__shape_make(rank, dims);
    int64_t n = frost__shape_numel(&s), st[8], od[8], on = 1;
    frost__shape_strides(&s, st);
    float *x = iota_f(n);
    int32_t pv[16];
    for (int i = 0; i < 2 * rank; i++) pv[i] = (int32_t)pads[i];
    for (int i = 0; i < rank; i++) {
        od[i] = dims[i] + pads[2 * i] + pads[2 * i + 1];
        on *= od[i];
    }
    float value = -5.5f;
    frost__params p = {.pad = {mode}};
    h_reset();
    int ins[3] = {h_val(FROST_DTYPE_F32, rank, dims, x), h_val(FROST_DTYPE_I32, 2, H_DIMS(rank, 2), pv),
                  h_val(FROST_DTYPE_F32, 0, NULL, &value)};
    if (CHECK_OK(h_run(FROST__OP_PAD, &p, with_value ? 3 : 2, ins, 1), &H.err)) {
        CHECK(h_shape_is(0, rank, od));
        const float *y = h_data(0);
        int64_t idx[8] = {0};
        bool ok = true;
        for (int64_t o = 0; o < on && ok; o++) {
            int64_t src = 0;
            bool outside = false;
            for (int i = 0; i < rank; i++) {
                int64_t j = ref_pad_index(idx[i], pads[2 * i], dims[i], mode);
                if (j < 0) outside = true;
                else src += j * st[i];
            }
            float w = outside ? (with_value ? value : 0.0f) : x[src];
            if (y[o] != w) {
                ok = false;
                CHECK_MSG(false, "pad mode %d rank %d at %lld: %g want %g", mode, rank, (long long)o,
                          y[o], w);
            }
            for (int i = rank - 1; i >= 0; i--) {
                if (++idx[i] < od[i]) break;
                idx[i] = 0;
            }
        }
        if (ok) CHECK(true);
    }
    free(x);
}

static void test_pad(void) {
    for (int mode = 0; mode < 4; mode++) {
        check_pad(1, H_DIMS(5), H_DIMS(2, 3), mode, false);
        check_pad(2, H_DIMS(3, 4), H_DIMS(1, 2, 3, 0), mode, mode == 0);
        check_pad(4, H_DIMS(2, 3, 3, 2), H_DIMS(0, 0, 2, 2, 1, 2, 0, 1), mode, false);
        check_pad(3, H_DIMS(2, 1, 3), H_DIMS(1, 0, 0, 0, 0, 2), mode == 1 ? 3 : mode, false);
    }
    /* pads wider than the dim fold periodically (numpy), in O(1) per element */
    float v3[3] = {0, 1, 2};
    for (int mode = FROST__PADMODE_REFLECT; mode <= FROST__PADMODE_SYMMETRIC; mode++) {
        frost__params pm = {.pad = {mode}};
        h_reset();
        int pin[2] = {h_val(FROST_DTYPE_F32, 1, H_DIMS(3), v3), h_val(FROST_DTYPE_I32, 2, H_DIMS(1, 2), H_I32(5, 5))};
        if (CHECK_OK(h_run(FROST__OP_PAD, &pm, 2, pin, 1), &H.err))
            floats_eq(h_data(0),
                      mode == FROST__PADMODE_REFLECT ? H_F32(1, 0, 1, 2, 1, 0, 1, 2, 1, 0, 1, 2, 1)
                                                     : H_F32(1, 2, 2, 1, 0, 0, 1, 2, 2, 1, 0, 0, 1),
                      13, "wide pad");
    }
    /* negative pads crop (ONNX) */
    check_pad(2, H_DIMS(4, 5), H_DIMS(-1, 1, 2, -2), FROST__PADMODE_CONSTANT, true);
    check_pad(0, NULL, NULL, FROST__PADMODE_CONSTANT, false);
    /* the pad value must match x's dtype; paddings must be [rank, 2] */
    float x[4] = {1, 2, 3, 4};
    int32_t iv = 3;
    frost__params p = {.pad = {0}};
    h_reset();
    int ins[3] = {h_val(FROST_DTYPE_F32, 1, H_DIMS(4), x), h_val(FROST_DTYPE_I32, 2, H_DIMS(1, 2), H_I32(1, 1)),
                  h_val(FROST_DTYPE_I32, 0, NULL, &iv)};
    CHECK_FAILS(h_run(FROST__OP_PAD, &p, 3, ins, 1), FROST_E_SHAPE, &H.err, "pad value");
    h_reset();
    ins[0] = h_val(FROST_DTYPE_F32, 1, H_DIMS(4), x);
    ins[1] = h_i32_vec(2, H_I32(1, 1));
    CHECK_FAILS(h_run(FROST__OP_PAD, &p, 2, ins, 1), FROST_E_SHAPE, &H.err, "[1, 2]");
    h_reset();
    ins[0] = h_val(FROST_DTYPE_F32, 2, H_DIMS(-1, 4), NULL);
    ins[1] = h_val(FROST_DTYPE_I32, 2, H_DIMS(2, 2), H_I32(0, 0, 1, 2));
    if (CHECK_OK(h_infer(FROST__OP_PAD, &p, 2, ins, 1, false), &H.err)) CHECK_SHAPE(0, 2, -1, 7);
}

/* ==== StridedSlice ============================================================================ */

typedef struct ss_case {
    const char *what;
    int n;
    int32_t begin[6], end[6], strides[6];
    int32_t bm, em, elm, nam, sam;
    int rank;
    int64_t dims[6];
    int n_out;
    float want[24];
} ss_case;

static void test_strided_slice(void) {
    /* x = arange(24).reshape(2, 3, 4): x[i,j,k] = 12i + 4j + k */
    float *x = iota_f(24);
    static const ss_case cases[] = {
        {"x[1]", 1, {1}, {2}, {1}, 0, 0, 0, 0, 1, 2, {3, 4}, 12,
         {12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23}},
        {"x[:, 1:3, ::2]", 3, {0, 1, 0}, {0, 3, 0}, {1, 1, 2}, 5, 5, 0, 0, 0, 3, {2, 2, 2}, 8,
         {4, 6, 8, 10, 16, 18, 20, 22}},
        {"x[..., ::-1] on row 0", 2, {0, 0}, {0, 0}, {1, -1}, 2, 2, 1, 0, 0, 3, {2, 3, 4}, 4,
         {3, 2, 1, 0}},
        {"x[:, newaxis, -1]", 3, {0, 0, -1}, {0, 0, 0}, {1, 1, 1}, 1, 1, 0, 2, 4, 3, {2, 1, 4}, 8,
         {8, 9, 10, 11, 20, 21, 22, 23}},
        {"x[-1:, -2:-4:-1, 1]", 3, {-1, -2, 1}, {0, -4, 2}, {1, -1, 1}, 0, 1, 0, 0, 4, 2, {1, 2}, 2,
         {17, 13}},
        {"x[5:10] clamps to empty", 1, {5}, {10}, {1}, 0, 0, 0, 0, 0, 3, {0, 3, 4}, 0, {0}},
        {"x[newaxis, ..., 0]", 3, {0, 0, 0}, {0, 0, 1}, {1, 1, 1}, 0, 0, 2, 1, 4, 3, {1, 2, 3}, 6,
         {0, 4, 8, 12, 16, 20}},
        {"x[1, ..., 2]", 3, {1, 0, 2}, {2, 0, 3}, {1, 1, 1}, 0, 0, 2, 0, 5, 1, {3}, 3, {14, 18, 22}},
        {"x[:, :, 1:3] with a no-op ellipsis first", 4, {0, 0, 0, 1}, {0, 0, 0, 3}, {1, 1, 1, 1},
         6, 6, 1, 0, 0, 3, {2, 3, 2}, 12, {1, 2, 5, 6, 9, 10, 13, 14, 17, 18, 21, 22}},
        {"x[::-1, -1, -1]", 3, {0, -1, -1}, {0, 0, 0}, {-1, 1, 1}, 1, 1, 0, 0, 6, 1, {2}, 2, {23, 11}},
        {"x[0, 0, 1:] implicit rest", 3, {0, 0, 1}, {1, 1, 0}, {1, 1, 1}, 0, 4, 0, 0, 3, 1, {3}, 3,
         {1, 2, 3}},
        {"x[0, 2] keeps the last dim", 2, {0, 2}, {1, 3}, {1, 1}, 0, 0, 0, 0, 3, 1, {4}, 4,
         {8, 9, 10, 11}},
        {"x[:, -1:-100:-2]", 2, {0, -1}, {0, -100}, {1, -2}, 1, 1, 0, 0, 0, 3, {2, 2, 4}, 16,
         {8, 9, 10, 11, 0, 1, 2, 3, 20, 21, 22, 23, 12, 13, 14, 15}},
    };
    for (size_t k = 0; k < FROST_ARRAY_LEN(cases); k++) {
        const ss_case *c = &cases[k];
        frost__params p = {.strided_slice = {c->bm, c->em, c->elm, c->nam, c->sam}};
        h_reset();
        int ins[4] = {h_val(FROST_DTYPE_F32, 3, H_DIMS(2, 3, 4), x), h_i32_vec(c->n, c->begin),
                      h_i32_vec(c->n, c->end), h_i32_vec(c->n, c->strides)};
        if (!CHECK_OK(h_run(FROST__OP_STRIDED_SLICE, &p, 4, ins, 1), &H.err)) {
            fprintf(stderr, "  case %s\n", c->what);
            continue;
        }
        char sb[96];
        CHECK_MSG(h_shape_is(0, c->rank, c->dims), "%s: shape %s", c->what,
                  frost__shape_str(h_shape(0), sb, sizeof sb));
        if (c->n_out) floats_eq(h_data(0), c->want, c->n_out, c->what);
    }
    /* 1-D mask cases on [0..5] */
    struct { const char *what; int32_t b, e, s, bm, em; int n; float want[6]; } v[] = {
        {"x[2:]", 2, 0, 1, 0, 1, 4, {2, 3, 4, 5}},
        {"x[:-2]", 0, -2, 1, 1, 0, 4, {0, 1, 2, 3}},
        {"x[-2::-1]", -2, 0, -1, 0, 1, 5, {4, 3, 2, 1, 0}},
        {"x[::-2]", 0, 0, -2, 1, 1, 3, {5, 3, 1}},
        {"x[4:1:-1]", 4, 1, -1, 0, 0, 3, {4, 3, 2}},
        {"x[1:4:5]", 1, 4, 5, 0, 0, 1, {1}},
        {"x[3:3]", 3, 3, 1, 0, 0, 0, {0}},
        {"x[-100:100]", -100, 100, 1, 0, 0, 6, {0, 1, 2, 3, 4, 5}},
        {"x[100:-100:-1]", 100, -100, -1, 0, 0, 6, {5, 4, 3, 2, 1, 0}},
    };
    for (size_t k = 0; k < FROST_ARRAY_LEN(v); k++) {
        frost__params p = {.strided_slice = {v[k].bm, v[k].em, 0, 0, 0}};
        h_reset();
        int ins[4] = {h_val(FROST_DTYPE_F32, 1, H_DIMS(6), x), h_i32_vec(1, &v[k].b), h_i32_vec(1, &v[k].e),
                      h_i32_vec(1, &v[k].s)};
        if (!CHECK_OK(h_run(FROST__OP_STRIDED_SLICE, &p, 4, ins, 1), &H.err)) continue;
        CHECK_MSG(h_shape_is(0, 1, (int64_t[]){v[k].n}), "%s: shape", v[k].what);
        if (v[k].n) floats_eq(h_data(0), v[k].want, v[k].n, v[k].what);
    }
    /* the shape-graph idiom: Shape -> StridedSlice(shrink) -> scalar int32 */
    int32_t shp[4] = {7, 28, 28, 3};
    frost__params p = {.strided_slice = {0, 0, 0, 0, 1}};
    h_reset();
    int ins[4] = {h_i32_vec(4, shp), h_i32_vec(1, H_I32(0)), h_i32_vec(1, H_I32(1)), h_i32_vec(1, H_I32(1))};
    if (CHECK_OK(h_run(FROST__OP_STRIDED_SLICE, &p, 4, ins, 1), &H.err)) {
        CHECK_SHAPE(0, 0, 0);
        CHECK(*(int32_t *)h_data(0) == 7);
    }
    p.strided_slice = (typeof(p.strided_slice)){0, 1, 0, 0, 0};
    h_reset();
    ins[0] = h_i32_vec(4, shp);
    ins[1] = h_i32_vec(1, H_I32(1));
    ins[2] = h_i32_vec(1, H_I32(0));
    ins[3] = h_i32_vec(1, H_I32(1));
    if (CHECK_OK(h_run(FROST__OP_STRIDED_SLICE, &p, 4, ins, 1), &H.err))
        CHECK(h_ints_eq(h_data(0), FROST_DTYPE_I32, H_I64(28, 28, 3), 3));
    /* errors */
    p.strided_slice = (typeof(p.strided_slice)){0, 0, 0, 0, 1};
    h_reset();
    ins[0] = h_val(FROST_DTYPE_F32, 1, H_DIMS(6), x);
    ins[1] = h_i32_vec(1, H_I32(6));
    ins[2] = h_i32_vec(1, H_I32(7));
    ins[3] = h_i32_vec(1, H_I32(1));
    CHECK_FAILS(h_run(FROST__OP_STRIDED_SLICE, &p, 4, ins, 1), FROST_E_SHAPE, &H.err, "out of bounds");
    p.strided_slice.shrink_axis_mask = 0;
    h_reset();
    ins[0] = h_val(FROST_DTYPE_F32, 1, H_DIMS(6), x);
    ins[1] = h_i32_vec(1, H_I32(0));
    ins[2] = h_i32_vec(1, H_I32(3));
    ins[3] = h_i32_vec(1, H_I32(0));
    CHECK_FAILS(h_run(FROST__OP_STRIDED_SLICE, &p, 4, ins, 1), FROST_E_SHAPE, &H.err, "stride");
    h_reset();
    ins[0] = h_val(FROST_DTYPE_F32, 1, H_DIMS(6), x);
    ins[1] = h_i32_vec(2, H_I32(0, 0));
    ins[2] = h_i32_vec(2, H_I32(1, 1));
    ins[3] = h_i32_vec(2, H_I32(1, 1));
    CHECK_FAILS(h_run(FROST__OP_STRIDED_SLICE, &p, 4, ins, 1), FROST_E_SHAPE, &H.err, "rank");
    /* load time: unknown batch stays unknown; unknown begin gives an unknown shape */
    p.strided_slice = (typeof(p.strided_slice)){1, 1, 0, 0, 0};
    h_reset();
    ins[0] = h_val(FROST_DTYPE_F32, 2, H_DIMS(-1, 10), NULL);
    ins[1] = h_i32_vec(2, H_I32(0, 2));
    ins[2] = h_i32_vec(2, H_I32(0, 5));
    ins[3] = h_i32_vec(2, H_I32(1, 1));
    if (CHECK_OK(h_infer(FROST__OP_STRIDED_SLICE, &p, 4, ins, 1, false), &H.err)) CHECK_SHAPE(0, 2, -1, 3);
    h_reset();
    ins[0] = h_val(FROST_DTYPE_F32, 2, H_DIMS(4, 10), NULL);
    ins[1] = h_val(FROST_DTYPE_I32, 1, H_DIMS(2), NULL);
    ins[2] = h_i32_vec(2, H_I32(0, 5));
    ins[3] = h_i32_vec(2, H_I32(1, 1));
    if (CHECK_OK(h_infer(FROST__OP_STRIDED_SLICE, &p, 4, ins, 1, false), &H.err)) CHECK(h_shape(0)->rank == -1);
    CHECK_FAILS(h_infer(FROST__OP_STRIDED_SLICE, &p, 4, ins, 1, true), FROST_E_SHAPE, &H.err, "plan time");
    free(x);
}

/* ==== ONNX Slice ============================================================================== */

static void test_slice(void) {
    float *x = iota_f(24); /* [2,3,4] */
    struct {
        const char *what;
        int n;
        int64_t starts[3], ends[3], axes[3], steps[3];
        bool has_axes, has_steps;
        int rank;
        int64_t dims[3];
        int n_out;
        float want[24];
    } c[] = {
        {"last axis 1:INT64_MAX", 1, {1}, {INT64_MAX}, {-1}, {1}, true, false, 3, {2, 3, 3}, 6, {1, 2, 3, 5, 6, 7}},
        {"axes 0,2 negative starts", 2, {-1, -2}, {100, 4}, {0, 2}, {1, 1}, true, false, 3, {1, 3, 2}, 6,
         {14, 15, 18, 19, 22, 23}},
        {"reverse axis 1", 1, {-1}, {INT64_MIN}, {1}, {-1}, true, true, 3, {2, 3, 4}, 8,
         {8, 9, 10, 11, 4, 5, 6, 7}},
        {"step 2 without axes", 3, {0, 0, 1}, {2, 3, 4}, {0}, {1, 2, 2}, false, true, 3, {2, 2, 2}, 8,
         {1, 3, 9, 11, 13, 15, 21, 23}},
        {"empty", 1, {3}, {1}, {2}, {1}, true, false, 3, {2, 3, 0}, 0, {0}},
        {"step -2 from the end", 1, {INT64_MAX}, {-INT64_MAX}, {2}, {-2}, true, true, 3, {2, 3, 2}, 4,
         {3, 1, 7, 5}},
    };
    for (size_t k = 0; k < FROST_ARRAY_LEN(c); k++) {
        h_reset();
        int ins[5] = {h_val(FROST_DTYPE_F32, 3, H_DIMS(2, 3, 4), x), h_i64_vec(c[k].n, c[k].starts),
                      h_i64_vec(c[k].n, c[k].ends), c[k].has_axes ? h_i64_vec(c[k].n, c[k].axes) : -1,
                      c[k].has_steps ? h_i64_vec(c[k].n, c[k].steps) : -1};
        if (!CHECK_OK(h_run(FROST__OP_SLICE, NULL, 5, ins, 1), &H.err)) continue;
        char sb[96];
        CHECK_MSG(h_shape_is(0, c[k].rank, c[k].dims), "%s: shape %s", c[k].what,
                  frost__shape_str(h_shape(0), sb, sizeof sb));
        if (c[k].n_out) floats_eq(h_data(0), c[k].want, c[k].n_out, c[k].what);
    }
    h_reset();
    int ins[5] = {h_val(FROST_DTYPE_F32, 3, H_DIMS(2, 3, 4), x), h_i64_vec(1, H_I64(0)), h_i64_vec(1, H_I64(1)),
                  h_i64_vec(1, H_I64(0)), h_i64_vec(1, H_I64(0))};
    CHECK_FAILS(h_run(FROST__OP_SLICE, NULL, 5, ins, 1), FROST_E_SHAPE, &H.err, "step");
    h_reset();
    ins[0] = h_val(FROST_DTYPE_F32, 3, H_DIMS(2, 3, 4), x);
    ins[1] = h_i64_vec(2, H_I64(0, 0));
    ins[2] = h_i64_vec(2, H_I64(1, 1));
    ins[3] = h_i64_vec(2, H_I64(1, -2));
    CHECK_FAILS(h_run(FROST__OP_SLICE, NULL, 4, ins, 1), FROST_E_SHAPE, &H.err, "axis");
    free(x);
}

/* ==== Tile, Expand ============================================================================ */

static void test_tile_expand(void) {
    float *x = iota_f(6); /* [2,3] */
    h_reset();
    int ins[2] = {h_val(FROST_DTYPE_F32, 2, H_DIMS(2, 3), x), h_i32_vec(2, H_I32(2, 2))};
    if (CHECK_OK(h_run(FROST__OP_TILE, NULL, 2, ins, 1), &H.err)) {
        CHECK_SHAPE(0, 2, 4, 6);
        const float *y = h_data(0);
        bool ok = true;
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 6; j++) ok &= y[i * 6 + j] == x[(i % 2) * 3 + j % 3];
        CHECK(ok);
    }
    h_reset();
    ins[0] = h_val(FROST_DTYPE_F32, 2, H_DIMS(2, 3), x);
    ins[1] = h_i64_vec(2, H_I64(1, 0));
    if (CHECK_OK(h_run(FROST__OP_TILE, NULL, 2, ins, 1), &H.err)) CHECK_SHAPE(0, 2, 2, 0);
    h_reset();
    ins[0] = h_val(FROST_DTYPE_F32, 2, H_DIMS(2, 3), x);
    ins[1] = h_i64_vec(1, H_I64(2));
    CHECK_FAILS(h_run(FROST__OP_TILE, NULL, 2, ins, 1), FROST_E_SHAPE, &H.err, "multiples");

    /* Expand [3,1] to [2,3,4]; bidirectional [1,3] with [2,1] -> [2,3] */
    h_reset();
    ins[0] = h_val(FROST_DTYPE_F32, 2, H_DIMS(3, 1), x);
    ins[1] = h_i64_vec(3, H_I64(2, 3, 4));
    if (CHECK_OK(h_run(FROST__OP_EXPAND, NULL, 2, ins, 1), &H.err)) {
        CHECK_SHAPE(0, 3, 2, 3, 4);
        const float *y = h_data(0);
        bool ok = true;
        for (int i = 0; i < 24; i++) ok &= y[i] == x[(i / 4) % 3];
        CHECK(ok);
    }
    h_reset();
    ins[0] = h_val(FROST_DTYPE_F32, 2, H_DIMS(1, 3), x);
    ins[1] = h_i64_vec(2, H_I64(2, 1));
    if (CHECK_OK(h_run(FROST__OP_EXPAND, NULL, 2, ins, 1), &H.err)) {
        CHECK_SHAPE(0, 2, 2, 3);
        floats_eq(h_data(0), H_F32(0, 1, 2, 0, 1, 2), 6, "expand bidirectional");
    }
    h_reset();
    ins[0] = h_val(FROST_DTYPE_F32, 1, H_DIMS(3), x);
    ins[1] = h_i64_vec(1, H_I64(4));
    CHECK_FAILS(h_run(FROST__OP_EXPAND, NULL, 2, ins, 1), FROST_E_SHAPE, &H.err, "broadcast");
    free(x);
}

/* ==== Gather ================================================================================== */

static void test_gather(void) {
    float *x = iota_f(24); /* [2,3,4] */
    /* axis 1, 2-D indices with a negative one */
    int32_t idx[4] = {2, -3, 1, 1};
    h_reset();
    int ins[3] = {h_val(FROST_DTYPE_F32, 3, H_DIMS(2, 3, 4), x), h_val(FROST_DTYPE_I32, 2, H_DIMS(2, 2), idx),
                  h_i32_scalar(1)};
    if (CHECK_OK(h_run(FROST__OP_GATHER, NULL, 3, ins, 1), &H.err)) {
        CHECK_SHAPE(0, 4, 2, 2, 2, 4);
        const float *y = h_data(0);
        bool ok = true;
        for (int i = 0; i < 2; i++)
            for (int m = 0; m < 4; m++)
                for (int k = 0; k < 4; k++) {
                    int j = idx[m] < 0 ? idx[m] + 3 : idx[m];
                    ok &= y[(i * 4 + m) * 4 + k] == x[i * 12 + j * 4 + k];
                }
        CHECK(ok);
    }
    /* scalar index drops the axis; the last axis (element gather); i64 indices */
    int64_t one = 1;
    h_reset();
    ins[0] = h_val(FROST_DTYPE_F32, 3, H_DIMS(2, 3, 4), x);
    ins[1] = h_val(FROST_DTYPE_I64, 0, NULL, &one);
    ins[2] = h_i32_scalar(-1);
    if (CHECK_OK(h_run(FROST__OP_GATHER, NULL, 3, ins, 1), &H.err)) {
        CHECK_SHAPE(0, 2, 2, 3);
        floats_eq(h_data(0), H_F32(1, 5, 9, 13, 17, 21), 6, "gather last axis");
    }
    /* the shape-graph idiom: Gather(shape, [0]) on int32, absent axis = 0 */
    h_reset();
    ins[0] = h_i32_vec(4, H_I32(7, 28, 28, 3));
    ins[1] = h_i32_vec(2, H_I32(3, 0));
    if (CHECK_OK(h_run(FROST__OP_GATHER, NULL, 2, ins, 1), &H.err))
        CHECK(h_ints_eq(h_data(0), FROST_DTYPE_I32, H_I64(3, 7), 2));
    /* batch_dims 1: x [2,3,4] gathered on axis 2 with indices [2,2] */
    frost__params p = {.gather = {1}};
    h_reset();
    ins[0] = h_val(FROST_DTYPE_F32, 3, H_DIMS(2, 3, 4), x);
    ins[1] = h_val(FROST_DTYPE_I32, 2, H_DIMS(2, 2), H_I32(3, 0, 1, 2));
    ins[2] = h_i32_scalar(2);
    if (CHECK_OK(h_run(FROST__OP_GATHER, &p, 3, ins, 1), &H.err)) {
        CHECK_SHAPE(0, 3, 2, 3, 2);
        floats_eq(h_data(0), H_F32(3, 0, 7, 4, 11, 8, 13, 14, 17, 18, 21, 22), 12, "batch_dims 1");
    }
    /* out of range at run time: an error naming the node, no crash */
    h_reset();
    ins[0] = h_val(FROST_DTYPE_F32, 3, H_DIMS(2, 3, 4), x);
    ins[1] = h_i32_vec(2, H_I32(0, 3));
    ins[2] = h_i32_scalar(1);
    CHECK_FAILS(h_run(FROST__OP_GATHER, NULL, 3, ins, 1), FROST_E_INVALID_ARG, &H.err, "test_node");
    CHECK(strstr(H.err.node, "test_node") != NULL);
    h_reset();
    ins[0] = h_val(FROST_DTYPE_F32, 3, H_DIMS(2, 3, 4), x);
    ins[1] = h_i32_vec(1, H_I32(-4));
    ins[2] = h_i32_scalar(1);
    CHECK_FAILS(h_run(FROST__OP_GATHER, NULL, 3, ins, 1), FROST_E_INVALID_ARG, &H.err, "out of range");
    /* float indices are refused; unknown dims propagate */
    h_reset();
    ins[0] = h_val(FROST_DTYPE_F32, 3, H_DIMS(2, 3, 4), x);
    ins[1] = h_val(FROST_DTYPE_F32, 1, H_DIMS(1), x);
    CHECK_FAILS(h_run(FROST__OP_GATHER, NULL, 2, ins, 1), FROST_E_DTYPE, &H.err, "integer");
    h_reset();
    ins[0] = h_val(FROST_DTYPE_F32, 2, H_DIMS(1000, 64), NULL);
    ins[1] = h_val(FROST_DTYPE_I32, 2, H_DIMS(-1, 5), NULL);
    if (CHECK_OK(h_infer(FROST__OP_GATHER, NULL, 2, ins, 1, false), &H.err)) CHECK_SHAPE(0, 3, -1, 5, 64);
    free(x);
}

int main(void) {
    frost_test_seed(11);
    test_transpose();
    test_concat_pack();
    test_split();
    test_pad();
    test_strided_slice();
    test_slice();
    test_tile_expand();
    test_gather();
    h_reset();
    return frost_test_finish();
}
