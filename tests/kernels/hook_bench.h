/* hook_bench.h — a tiny bench for testing op hooks by hand in tests/kernels/test_*.c: values
 * (dtype, shape, bytes) indexed by id like the engine's arrays, one node at a time through
 * frost__infer_node / frost__eval_node, or through prepare + run with a thread pool. Header-only
 * (static functions) so each test stays one file. */
#ifndef FROST_TEST_HOOK_BENCH_H
#define FROST_TEST_HOOK_BENCH_H

#include <stdlib.h>
#include <string.h>

#include "ops/eval.h"
#include "ops/op.h"
#include "test.h"

#define H_MAX_VALUES 256

typedef struct h_bench {
    frost_dtype dt[H_MAX_VALUES];
    frost__shape sh[H_MAX_VALUES];
    void *data[H_MAX_VALUES];
    bool owned[H_MAX_VALUES];   /* allocated by eval (outputs): freed by h_reset */
    int nv;
    frost__node node;
    int in[64], out[64];
    frost_error err;
} h_bench;

static h_bench H;

static inline void h_reset(void) {
    for (int i = 0; i < H.nv; i++)
        if (H.owned[i]) frost__free(frost__default_allocator(), H.data[i]);
    memset(&H, 0, sizeof H);
}

/* A value with known shape; data may be NULL (value unknown). The bytes are borrowed. */
static inline int h_val(frost_dtype dt, int rank, const int64_t *dims, const void *data) {
    int id = H.nv++;
    H.dt[id] = dt;
    H.sh[id] = rank < 0 ? frost__shape_unknown() : frost__shape_make(rank, dims);
    H.data[id] = (void *)data;
    H.owned[id] = false;
    return id;
}

#define H_DIMS(...) ((const int64_t[]){__VA_ARGS__})
#define H_I32(...) ((const int32_t[]){__VA_ARGS__})
#define H_I64(...) ((const int64_t[]){__VA_ARGS__})
#define H_F32(...) ((const float[]){__VA_ARGS__})

/* Scalars (0-D). The bytes live in a small static pool. */
static inline int h_i32_scalar(int32_t v) {
    static int32_t pool[256];
    static int at;
    int32_t *p = &pool[at++ % 256];
    *p = v;
    return h_val(FROST_DTYPE_I32, 0, NULL, p);
}
static inline int h_i64_vec(int n, const int64_t *v) { return h_val(FROST_DTYPE_I64, 1, (int64_t[]){n}, v); }
static inline int h_i32_vec(int n, const int32_t *v) { return h_val(FROST_DTYPE_I32, 1, (int64_t[]){n}, v); }

static inline void h_node(int op, const frost__params *p, int n_in, const int *ins, int n_out) {
    memset(&H.node, 0, sizeof H.node);
    H.node.name = "test_node";
    H.node.src_op = "TestOp";
    H.node.op = op;
    H.node.n_in = n_in;
    H.node.n_out = n_out;
    memcpy(H.in, ins, sizeof(int) * (size_t)n_in);
    for (int k = 0; k < n_out; k++) {
        int id = H.nv++;
        H.dt[id] = FROST_DTYPE_INVALID;
        H.sh[id] = frost__shape_unknown();
        H.data[id] = NULL;
        H.out[k] = id;
    }
    H.node.in = H.in;
    H.node.out = H.out;
    if (p) H.node.p = *p;
}

/* Infers + runs a node. Output k is value H.out[k]. */
static inline frost_status h_run(int op, const frost__params *p, int n_in, const int *ins, int n_out) {
    h_node(op, p, n_in, ins, n_out);
    memset(&H.err, 0, sizeof H.err);
    frost_status st = frost__eval_node(&H.node, frost__default_allocator(), H.dt, H.sh, H.data,
                                       NULL, &H.err);
    if (st == FROST_OK)
        for (int k = 0; k < n_out; k++) H.owned[H.out[k]] = true;
    return st;
}

/* Infers only (planning false: load time). */
static inline frost_status h_infer(int op, const frost__params *p, int n_in, const int *ins, int n_out,
                            bool planning) {
    h_node(op, p, n_in, ins, n_out);
    memset(&H.err, 0, sizeof H.err);
    return frost__infer_node(&H.node, H.dt, H.sh, H.data, planning, &H.err);
}

static const frost__shape *h_shape(int k) { return &H.sh[H.out[k]]; }
static inline frost_dtype h_dtype(int k) { return H.dt[H.out[k]]; }
static void *h_data(int k) { return H.data[H.out[k]]; }

static inline bool h_shape_is(int k, int rank, const int64_t *dims) {
    const frost__shape *s = h_shape(k);
    if (s->rank != rank) return false;
    for (int i = 0; i < rank; i++)
        if (s->d[i] != dims[i]) return false;
    return true;
}

#define CHECK_SHAPE(k, rank, ...)                                                          \
    do {                                                                                   \
        char sb_[96];                                                                      \
        CHECK_MSG(h_shape_is((k), (rank), (const int64_t[]){__VA_ARGS__}), "got %s",        \
                  frost__shape_str(h_shape(k), sb_, sizeof sb_));                          \
    } while (0)

static inline bool h_ints_eq(const void *got, frost_dtype t, const int64_t *want, int64_t n) {
    for (int64_t i = 0; i < n; i++)
        if (frost__read_int(t, got, i) != want[i]) {
            fprintf(stderr, "  element %lld: got %lld want %lld\n", (long long)i,
                    (long long)frost__read_int(t, got, i), (long long)want[i]);
            return false;
        }
    return true;
}

#endif
