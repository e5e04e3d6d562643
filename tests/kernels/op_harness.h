/* op_harness.h — runs one op node through its real hooks (pack, infer, prepare, run) outside a
 * session, for the math-op tests in this folder (test_gemm/conv/pool/reduce/softmax/norm.c): builds
 * a one-node graph, plans it like the engine does (optionally with a thread pool, so the threaded
 * splits are exercised), and hands back the outputs. Header-only (static functions): each test
 * executable includes it once. */
#ifndef FROST_TEST_OP_HARNESS_H
#define FROST_TEST_OP_HARNESS_H

#include <stdlib.h>
#include <string.h>

#include "core/graph.h"
#include "ops/eval.h"
#include "platform/pool.h"
#include "ops/op.h"
#include "test.h"

typedef struct oh_in {
    frost_dtype dt;          /* FROST_DTYPE_INVALID: absent optional input (-1)                  */
    int rank;
    int64_t dims[FROST_MAX_RANK];
    const void *data;        /* NULL: a graph input whose value is unknown at load               */
    bool variable;           /* data given but fed as a graph input (not a constant)             */
} oh_in;

typedef struct oh_out {
    frost_dtype dt;
    frost__shape shape;
    void *data;              /* malloc'd; free with oh_free                                      */
} oh_out;

static inline oh_in oh_f32(const float *data, int rank, const int64_t *dims) {
    oh_in in;
    memset(&in, 0, sizeof in);
    in.dt = FROST_DTYPE_F32;
    in.rank = rank;
    for (int i = 0; i < rank; i++) in.dims[i] = dims[i];
    in.data = data;
    return in;
}

static inline oh_in oh_typed(frost_dtype dt, const void *data, int rank, const int64_t *dims) {
    oh_in in = oh_f32(data, rank, dims);
    in.dt = dt;
    return in;
}

static inline oh_in oh_var(oh_in in) {
    in.variable = true;
    return in;
}

static inline oh_in oh_absent(void) {
    oh_in in;
    memset(&in, 0, sizeof in);
    return in;
}

static inline size_t oh_bytes(frost_dtype dt, const frost__shape *s) {
    size_t b = 0;
    frost__tensor_bytes(dt, s, &b);
    return b;
}

/* Builds the graph: one value per present input, then the node (index 0). */
static frost_status oh_build(frost__graph *g, int op, const frost__params *p, int n_in,
                             const oh_in *ins, int n_out, frost_error *err) {
    FROST_TRY(frost__graph_init(g, NULL, err));
    int ids[16];
    for (int i = 0; i < n_in; i++) {
        char name[32];
        snprintf(name, sizeof name, "in%d", i);
        frost__shape s = frost__shape_make(ins[i].rank, ins[i].dims);
        if (ins[i].dt == FROST_DTYPE_INVALID) {
            ids[i] = -1;
            continue;
        }
        if (ins[i].data && !ins[i].variable)
            ids[i] = frost__graph_add_const(g, name, ins[i].dt, &s, ins[i].data,
                                            oh_bytes(ins[i].dt, &s), err);
        else
            ids[i] = frost__graph_add_input(g, name, ins[i].dt, &s, err);
        if (ids[i] < 0) return err ? err->code : FROST_E_INTERNAL;
    }
    if (frost__graph_add_node(g, "node", NULL, op, n_in, ids, n_out, p, err) < 0)
        return err ? err->code : FROST_E_INTERNAL;
    return FROST_OK;
}

/* Load-time inference only: inputs may have unknown dims (-1), unknown rank (-1) or no data. */
static frost_status oh_infer(int op, const frost__params *p, int n_in, const oh_in *ins, int n_out,
                             oh_out *outs, frost_error *err) {
    frost__graph g;
    frost_status st = oh_build(&g, op, p, n_in, ins, n_out, err);
    if (st == FROST_OK) {
        const int nv = g.n_values;
        frost_dtype *dt = calloc((size_t)nv, sizeof *dt);
        frost__shape *sh = calloc((size_t)nv, sizeof *sh);
        void **data = calloc((size_t)nv, sizeof *data);
        for (int v = 0; v < nv; v++) {
            dt[v] = g.values[v].dtype;
            sh[v] = g.values[v].shape;
            data[v] = g.values[v].kind == FROST__VAL_CONST ? g.values[v].data : NULL;
        }
        const frost__node *n = &g.nodes[0];
        st = frost__infer_node(n, dt, sh, data, false, err);
        for (int k = 0; k < n_out && st == FROST_OK; k++) {
            outs[k].dt = dt[n->out[k]];
            outs[k].shape = sh[n->out[k]];
            outs[k].data = NULL;
        }
        free(dt);
        free(sh);
        free(data);
    }
    frost__graph_free(&g);
    return st;
}

/* Plans and runs the node with `threads` threads (1: no pool). pack: call the op's pack hook
 * first, as the loader does for constant weights. */
static frost_status oh_run(int op, const frost__params *p, int n_in, const oh_in *ins, int n_out,
                           bool pack, int threads, oh_out *outs, frost_error *err) {
    frost__graph g;
    memset(outs, 0, sizeof *outs * (size_t)n_out);
    frost_status st = oh_build(&g, op, p, n_in, ins, n_out, err);
    if (st != FROST_OK) {
        frost__graph_free(&g);
        return st;
    }
    const frost__op_def *def = frost__op_get(op);
    frost__node *n = &g.nodes[0];
    if (pack && def && def->pack) st = def->pack(&g, n, frost__cpu_get(), err);
    const int nv = g.n_values;
    frost_dtype *dt = calloc((size_t)nv, sizeof *dt);
    frost__shape *sh = calloc((size_t)nv, sizeof *sh);
    void **data = calloc((size_t)nv, sizeof *data);
    for (int v = 0; v < nv; v++) {
        dt[v] = g.values[v].dtype;
        sh[v] = g.values[v].shape;
        data[v] = g.values[v].data;
    }
    for (int i = 0; i < n_in; i++) {
        const int v = n->in[i];
        if (v >= 0 && !data[v]) data[v] = (void *)ins[i].data;
    }
    if (st == FROST_OK) st = frost__infer_node(n, dt, sh, data, true, err);
    frost__step *step = calloc(1, sizeof *step);
    void *ws = NULL;
    frost__pool *pool = NULL;
    for (int k = 0; k < n_out && st == FROST_OK; k++) {
        const int v = n->out[k];
        data[v] = calloc(1, oh_bytes(dt[v], &sh[v]) + 1);
    }
    if (st == FROST_OK) {
        frost_dtype idt[16], odt[16];
        frost__shape ish[16], osh[16];
        const void *idata[16];
        for (int i = 0; i < n_in; i++) {
            const int v = n->in[i];
            idt[i] = v >= 0 ? dt[v] : FROST_DTYPE_INVALID;
            ish[i] = v >= 0 ? sh[v] : frost__shape_unknown();
            /* Like the planner: only constants are known at plan time. */
            idata[i] = v >= 0 && g.values[v].kind == FROST__VAL_CONST ? data[v] : NULL;
        }
        for (int k = 0; k < n_out; k++) {
            odt[k] = dt[n->out[k]];
            osh[k] = sh[n->out[k]];
        }
        frost__prepare_ctx pc = {
            .node = n, .in_dtype = idt, .out_dtype = odt, .in_shape = ish, .out_shape = osh,
            .in_data = idata, .cpu = frost__cpu_get(), .n_threads = threads, .err = err,
        };
        step->node = n;
        st = def->prepare(step, &pc);
    }
    if (st == FROST_OK && step->ws_bytes) {
        ws = malloc(step->ws_bytes);
        /* Poison: a kernel must never depend on the workspace's previous contents. */
        memset(ws, 0x7f, step->ws_bytes);
    }
    if (st == FROST_OK && threads > 1)
        st = frost__pool_create(&g.alloc, threads, 50, false, &pool, err);
    if (st == FROST_OK) {
        frost__exec ex = {.ptr = data, .shape = sh, .dtype = dt, .arena = ws, .pool = pool,
                          .err = err};
        step->ws_offset = 0;
        st = step->run(step, &ex);
    }
    for (int k = 0; k < n_out; k++) {
        const int v = n->out[k];
        if (st == FROST_OK) {
            outs[k].dt = dt[v];
            outs[k].shape = sh[v];
            outs[k].data = data[v];
        } else {
            free(data[v]);
        }
    }
    frost__pool_free(pool);
    free(ws);
    free(step);
    free(dt);
    free(sh);
    free(data);
    frost__graph_free(&g);
    return st;
}

static inline void oh_free(oh_out *outs, int n) {
    for (int k = 0; k < n; k++) {
        free(outs[k].data);
        outs[k].data = NULL;
    }
}

#endif
