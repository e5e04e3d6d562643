/* op.h — the contract between the engine and an op implementation.
 *
 * Each op has three hooks, found through frost__op_def(id):
 *   infer   — output dtypes and shapes from input dtypes, shapes and (when known) input values.
 *             Runs at load with possibly unknown dims (-1) or ranks (-1), and at plan time with
 *             everything known. Never allocates.
 *   prepare — at plan time, with every shape known: validate, compute the op's private state
 *             (padding, broadcast strides, chosen kernel), request workspace bytes, set st->run.
 *             Never allocates; may read input values that are known at plan time (pc->in_data).
 *   run     — compute. Never allocates, never blocks except on the session's own thread pool.
 *             Returns FROST_OK, or a status with ex->err filled for data-dependent errors
 *             (a gather index out of range).
 * Flags: VIEW ops (Reshape, Squeeze, ...) make output 0 share input 0's bytes; the planner aliases
 * them and never calls run. SHAPE_ONLY ops (Shape) read only their input's shape, so their output
 * is known at plan time even when the input's data is not.
 *
 * An op file (src/ops/<family>.c) defines `const frost__op_def frost__op_<ID>` for each of its ops. */
#ifndef FROST_OPS_OP_H
#define FROST_OPS_OP_H

#include "core/graph.h"
#include "platform/cpu.h"
#include "platform/pool.h"

enum {
    FROST__OPF_VIEW = 1u << 0,
    FROST__OPF_SHAPE_ONLY = 1u << 1,
};

typedef struct frost__infer_ctx {
    const frost__node *node;
    int n_in;
    const frost_dtype *in_dtype;     /* [n_in]; INVALID for an absent optional input             */
    const frost__shape *in_shape;    /* [n_in]                                                   */
    const void *const *in_data;      /* [n_in]; bytes when known now (constant), else NULL        */
    int n_out;
    frost_dtype *out_dtype;          /* [n_out] to fill                                          */
    frost__shape *out_shape;         /* [n_out] to fill                                          */
    bool planning;                   /* plan time: all shapes known; shape operands must be known */
    frost_error *err;
} frost__infer_ctx;

struct frost__step;
struct frost__exec;
typedef frost_status (*frost__run_fn)(const struct frost__step *st, const struct frost__exec *ex);

typedef struct frost__step {
    const frost__node *node;
    frost__run_fn run;
    size_t ws_bytes;                 /* workspace requested by prepare                           */
    size_t ws_offset;                /* where the planner put it in the arena                    */
    size_t weight_bytes;             /* packed weights a run reads (0: all of node->packed_bytes) */
    /* How prepare chose to compute it ("3x3/2 depthwise avx512"), for profiles; "" says nothing
     * more than the op's name. Set with frost__step_label. */
    char label[56];
    /* If branches (ops/branches.h): the step runs only when the n_guards conditions the planner
     * listed from guard_at on (outermost first) all select its side. 0: it always runs. */
    int n_guards, guard_at;
    /* Op-private plan state, filled by prepare. 64-byte aligned, fixed size: no allocation. */
    union {
        unsigned char bytes[1024];
        int64_t i64[128];
        double f64[128];
        void *ptr[128];
    } state __attribute__((aligned(64)));
} frost__step;

typedef struct frost__prepare_ctx {
    const frost__node *node;
    const frost_dtype *in_dtype, *out_dtype;   /* indexed like node->in / node->out            */
    const frost__shape *in_shape, *out_shape;
    const void *const *in_data;                /* known at plan time, else NULL               */
    const frost__cpu *cpu;
    int n_threads;
    /* frost_session_options.deterministic: the work must be cut into the same kernel calls
     * whatever n_threads is (threads only choose who runs each piece), so results are the same to
     * the bit. n_threads then sizes per-worker workspace only. */
    bool deterministic;
    frost_error *err;
} frost__prepare_ctx;

/* Rows per kernel call when the split must not depend on the thread count (deterministic). */
#define FROST__FIXED_ROWS 40
/* Work units a deterministic split aims for, whatever the thread count. */
#define FROST__FIXED_UNITS 8

typedef struct frost__exec {
    void *const *ptr;                /* data pointer per value id                                */
    const frost__shape *shape;       /* shape per value id                                       */
    const frost_dtype *dtype;        /* dtype per value id                                       */
    unsigned char *arena;            /* base for st->ws_offset                                   */
    frost__pool *pool;               /* NULL: the caller's thread only                           */
    frost_error *err;
} frost__exec;

/* Helpers for run(): the i-th input/output pointer and shape of a step. */
#define FROST_IN(st, ex, i) ((ex)->ptr[(st)->node->in[i]])
#define FROST_OUT(st, ex, i) ((ex)->ptr[(st)->node->out[i]])
#define FROST_IN_SHAPE(st, ex, i) (&(ex)->shape[(st)->node->in[i]])
#define FROST_OUT_SHAPE(st, ex, i) (&(ex)->shape[(st)->node->out[i]])
/* NULL when the step has no workspace (the arena itself may be NULL then). */
#define FROST_WS(st, ex) ((st)->ws_bytes ? (void *)((ex)->arena + (st)->ws_offset) : NULL)

typedef struct frost__op_def {
    const char *name;
    unsigned flags;
    frost_status (*infer)(frost__infer_ctx *c);
    frost_status (*prepare)(frost__step *st, const frost__prepare_ctx *pc);
    /* Optional, at load after the passes: repack constant operands (weights) into n->packed for
     * the kernel this CPU will use. Shapes of constant inputs are known; activations may not be. */
    frost_status (*pack)(frost__graph *g, frost__node *n, const frost__cpu *cpu, frost_error *err);
} frost__op_def;

/* The definition of op `id`, or NULL when no op file implements it (yet). */
const frost__op_def *frost__op_get(int id);
/* The canonical op name from ops.def ("Conv2D"); "?" for a bad id. */
const char *frost__op_name(int id);

/* Writes st->label (truncating): what kernel and shape a profile shows for the step. */
void frost__step_label(frost__step *st, const char *fmt, ...) FROST_PRINTF(2, 3);

/* Errors from op hooks name the node and its source op. */
frost_status frost__op_fail(const frost__node *n, frost_error *err, frost_status code,
                            const char *fmt, ...) FROST_PRINTF(4, 5);

/* True when input i of n is present (optional inputs are -1 when absent). */
static inline bool frost__has_input(const frost__node *n, int i) { return i < n->n_in && n->in[i] >= 0; }

/* An operand needed to infer the outputs (a shape, axes, a perm) is not known: the outputs are
 * unknown at load, and it is an error at plan time. */
frost_status frost__op_operand_unknown(frost__infer_ctx *c, const char *what);

/* Normalizes a possibly negative axis against rank; false if out of range. */
static inline bool frost__norm_axis(int64_t axis, int rank, int *out) {
    if (axis < 0) axis += rank;
    if (axis < 0 || axis >= rank) return false;
    *out = (int)axis;
    return true;
}

/* Reads an int operand (0-D or 1-D) known at infer/prepare time into vals (cap entries).
 * Returns the count, or -1 if the operand is unknown, not an integer, or has more than cap. */
int frost__read_int_operand(frost_dtype t, const frost__shape *s, const void *data,
                            int64_t *vals, int cap);

#endif /* FROST_OPS_OP_H */
