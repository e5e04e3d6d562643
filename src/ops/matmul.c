/* matmul.c — MATMUL: numpy/TF matrix product of a [..,M,K] and b [..,K,N] with broadcast batch
 * dims, transpose flags, an optional bias [N] and a fused activation (Dense, Gemm, BatchMatMul).
 *
 * Two paths:
 * - packed: b is a constant 2-D matrix (Dense weights). `pack` packs it once at load for the GEMM
 *   kernel this CPU uses; run then hands every row of a to that kernel, bias and activation fused.
 *   This is the hot path of most models: run does nothing but split the work and call the kernel.
 * - general: both operands vary (attention's Q·K^T). Per batch, b is packed into the workspace for
 *   the fast kernel when there are enough rows to repay it, or the reference GEMM runs directly.
 * Never allocates in prepare or run; pack allocates n->packed through the graph's allocator. */
#include <limits.h>

#include "kernels/gemm.h"
#include "ops/op.h"

/* Below this many multiply-adds per task a thread hand-off costs more than it saves. */
#define MATMUL_MIN_TASK_FLOPS 32768

typedef struct matmul_plan {
    int M, N, K;   /* per batch                                               */
    int rows;      /* packed path: every row of a, batches collapsed          */
    int64_t batch; /* general path: number of output matrices                 */
    int batch_rank;
    int64_t bdims[FROST_MAX_RANK];     /* output batch dims                                       */
    int64_t a_bstride[FROST_MAX_RANK]; /* element step of a / b per batch index; 0: broadcast     */
    int64_t b_bstride[FROST_MAX_RANK];
    bool ta, tb, has_bias, packed_path, pack_general;
    bool fixed_split; /* deterministic: the same kernel calls for any thread count           */
    const frost__gemm_kernel *kernel; /* packed path: n->kernel; general: the kernel to pack for */
    frost__act_params act;
} matmul_plan;
_Static_assert(sizeof(matmul_plan) <= sizeof(((frost__step *)0)->state), "matmul plan too big");

static bool has_input(const frost__node *n, int i) { return i < n->n_in && n->in[i] >= 0; }

/* Splits a's rank into batch dims and the matrix (a 1-D operand is a vector: no batch dims). */
static int batch_rank_of(const frost__shape *s) { return s->rank >= 2 ? s->rank - 2 : 0; }

static frost_status matmul_infer(frost__infer_ctx *c) {
    const frost__node *n = c->node;
    if (c->n_in < 2 || c->n_out != 1)
        return frost__op_fail(n, c->err, FROST_E_FORMAT,
                              "needs inputs a, b (and optional bias) and one output");
    for (int i = 0; i < 3 && i < c->n_in; i++) {
        if (!has_input(n, i)) continue;
        if (c->in_dtype[i] != FROST_DTYPE_F32 && c->in_dtype[i] != FROST_DTYPE_INVALID)
            return frost__op_fail(n, c->err, FROST_E_DTYPE, "input %d is %s; only f32 is supported",
                                  i, frost_dtype_name(c->in_dtype[i]));
    }
    c->out_dtype[0] = FROST_DTYPE_F32;
    const frost__shape *sa = &c->in_shape[0], *sb = &c->in_shape[1];
    if (sa->rank == 0 || sb->rank == 0)
        return frost__op_fail(
            n, c->err, FROST_E_SHAPE, "operands must have rank >= 1, got a %s and b %s",
            sa->rank == 0 ? "scalar" : "tensor", sb->rank == 0 ? "scalar" : "tensor");
    if (sa->rank < 0 || sb->rank < 0) {
        c->out_shape[0] = frost__shape_unknown();
        return FROST_OK;
    }
    const bool ta = n->p.matmul.transpose_a, tb = n->p.matmul.transpose_b;
    const int ra = sa->rank, rb = sb->rank;
    int64_t ka, kb, m = -1, nn = -1;
    if (ra == 1)
        ka = sa->d[0];
    else {
        ka = ta ? sa->d[ra - 2] : sa->d[ra - 1];
        m = ta ? sa->d[ra - 1] : sa->d[ra - 2];
    }
    if (rb == 1)
        kb = sb->d[0];
    else {
        kb = tb ? sb->d[rb - 1] : sb->d[rb - 2];
        nn = tb ? sb->d[rb - 2] : sb->d[rb - 1];
    }
    char sas[96], sbs[96];
    if (ka >= 0 && kb >= 0 && ka != kb)
        return frost__op_fail(n, c->err, FROST_E_SHAPE,
                              "inner dimensions differ: a %s%s gives K=%lld, b %s%s gives K=%lld",
                              frost__shape_str(sa, sas, sizeof sas), ta ? " (transposed)" : "",
                              (long long)ka, frost__shape_str(sb, sbs, sizeof sbs),
                              tb ? " (transposed)" : "", (long long)kb);
    frost__shape ba = frost__shape_make(batch_rank_of(sa), sa->d);
    frost__shape bb = frost__shape_make(batch_rank_of(sb), sb->d);
    frost__shape out;
    if (!frost__shape_broadcast(&ba, &bb, &out))
        return frost__op_fail(
            n, c->err, FROST_E_SHAPE, "batch dimensions of a %s and b %s do not broadcast",
            frost__shape_str(sa, sas, sizeof sas), frost__shape_str(sb, sbs, sizeof sbs));
    if (ra >= 2) out.d[out.rank++] = m;
    if (rb >= 2) out.d[out.rank++] = nn;
    if (has_input(n, 2)) {
        const frost__shape *sc = &c->in_shape[2];
        int64_t bn;
        if (frost__shape_numel_ok(sc, &bn) && nn >= 0 && bn != nn && !(rb == 1 && bn == 1))
            return frost__op_fail(
                n, c->err, FROST_E_SHAPE, "bias %s has %lld values, expected N=%lld",
                frost__shape_str(sc, sas, sizeof sas), (long long)bn, (long long)nn);
    }
    c->out_shape[0] = out;
    return FROST_OK;
}

/* ---- run ------------------------------------------------------------------------------------ */

typedef struct packed_task {
    const frost__gemm_kernel *k;
    int M, N, K;
    const float *A;
    const void *packed;
    const float *bias;
    float *C;
    const frost__act_params *act;
    int col_block; /* > 0: tasks are column blocks of this width; 0: rows     */
    int unit_rows; /* > 0: each task item is a fixed block of this many rows, one kernel call */
} packed_task;

static void packed_task_fn(void *arg, int64_t begin, int64_t end, int worker) {
    (void)worker;
    const packed_task *t = arg;
    if (t->unit_rows) {
        for (int64_t u = begin; u < end; u++) {
            const int64_t r0 = u * t->unit_rows;
            const int rows = (int)FROST_MIN((int64_t)t->unit_rows, (int64_t)t->M - r0);
            t->k->run(rows, t->N, t->K, t->A + r0 * t->K, t->K, t->packed, t->bias,
                      t->C + r0 * t->N, t->N, t->act, 0, t->N);
        }
        return;
    }
    if (t->col_block) {
        int n0 = (int)(begin * t->col_block);
        int n1 = (int)FROST_MIN(end * t->col_block, (int64_t)t->N);
        t->k->run(t->M, t->N, t->K, t->A, t->K, t->packed, t->bias, t->C, t->N, t->act, n0, n1);
    } else {
        t->k->run((int)(end - begin), t->N, t->K, t->A + begin * t->K, t->K, t->packed, t->bias,
                  t->C + begin * t->N, t->N, t->act, 0, t->N);
    }
}

/* C[M,N] = act(A[M,K] · packed + bias), split over the pool by rows when there are enough of them,
 * else by column blocks (a single prediction: M == 1). */
static void run_packed(frost__pool *pool, const frost__gemm_kernel *k, int M, int N, int K,
                       const float *A, const void *packed, const float *bias, float *C,
                       const frost__act_params *act, bool fixed_split) {
    if (M <= 0 || N <= 0) return;
    packed_task t = {k, M, N, K, A, packed, bias, C, act, 0, 0};
    if (fixed_split) {
        /* Deterministic: blocks of FROST__FIXED_ROWS rows, or column blocks for one row, cut the
         * same way for any thread count (the kernel's one-row path sums in another order than
         * its tiles, so a row must never land alone in a call by chance of the split). */
        if (M == 1) {
            const int align = k->n_align > 0 ? k->n_align : 1;
            int64_t width = ((int64_t)N + FROST__FIXED_UNITS - 1) / FROST__FIXED_UNITS;
            t.col_block = (int)FROST_MAX((int64_t)align, (width + align - 1) / align * align);
            frost__parallel_for(pool, (N + t.col_block - 1) / t.col_block, 1, packed_task_fn, &t);
        } else {
            t.unit_rows = FROST__FIXED_ROWS;
            frost__parallel_for(pool, (M + t.unit_rows - 1) / t.unit_rows, 1, packed_task_fn, &t);
        }
        return;
    }
    const int threads = frost__pool_threads(pool);
    const int64_t flops = (int64_t)M * N * (K > 0 ? K : 1);
    if (threads <= 1 || flops < 2 * MATMUL_MIN_TASK_FLOPS) {
        packed_task_fn(&t, 0, M, 0);
        return;
    }
    const int64_t row_flops = (int64_t)N * (K > 0 ? K : 1);
    if (M >= 4 * threads) {
        int64_t grain = FROST_MAX((int64_t)1, MATMUL_MIN_TASK_FLOPS / row_flops);
        frost__parallel_for(pool, M, grain, packed_task_fn, &t);
        return;
    }
    const int align = k->n_align > 0 ? k->n_align : 1;
    t.col_block = align;
    const int64_t blocks = (N + align - 1) / align;
    const int64_t block_flops = (int64_t)M * align * (K > 0 ? K : 1);
    int64_t grain = FROST_MAX((int64_t)1, MATMUL_MIN_TASK_FLOPS / block_flops);
    frost__parallel_for(pool, blocks, grain, packed_task_fn, &t);
}

static void add_bias_act(float *C, int M, int N, const float *bias, const frost__act_params *act) {
    for (int i = 0; i < M; i++) {
        float *c = C + (size_t)i * N;
        if (bias)
            for (int j = 0; j < N; j++) c[j] += bias[j];
        if (act->act != FROST__ACT_NONE) frost_k_f32_act__ref(c, (size_t)N, act);
    }
}

typedef struct general_task {
    const matmul_plan *p;
    const float *a, *b, *bias;
    float *c;
} general_task;

/* Offsets of batch `idx` into a and b (row-major decomposition over the output batch dims). */
static void batch_offsets(const matmul_plan *p, int64_t idx, int64_t *ao, int64_t *bo) {
    int64_t a = 0, b = 0;
    for (int d = p->batch_rank - 1; d >= 0; d--) {
        const int64_t i = idx % p->bdims[d];
        idx /= p->bdims[d];
        a += i * p->a_bstride[d];
        b += i * p->b_bstride[d];
    }
    *ao = a;
    *bo = b;
}

static void general_ref_task(void *arg, int64_t begin, int64_t end, int worker) {
    (void)worker;
    const general_task *t = arg;
    const matmul_plan *p = t->p;
    const int lda = p->ta ? p->M : p->K, ldb = p->tb ? p->K : p->N;
    for (int64_t bi = begin; bi < end; bi++) {
        int64_t ao, bo;
        batch_offsets(p, bi, &ao, &bo);
        float *C = t->c + bi * p->M * p->N;
        frost_k_f32_gemm__ref(p->M, p->N, p->K, t->a + ao, lda, p->ta, t->b + bo, ldb, p->tb, C,
                              p->N, false);
        add_bias_act(C, p->M, p->N, t->bias, &p->act);
    }
}

static frost_status matmul_run(const frost__step *st, const frost__exec *ex) {
    const matmul_plan *p = (const matmul_plan *)st->state.bytes;
    const float *a = FROST_IN(st, ex, 0), *b = FROST_IN(st, ex, 1);
    const float *bias = p->has_bias ? FROST_IN(st, ex, 2) : NULL;
    float *c = FROST_OUT(st, ex, 0);
    if (p->packed_path) {
        run_packed(ex->pool, p->kernel, p->rows, p->N, p->K, a, st->node->packed, bias, c, &p->act,
                   p->fixed_split);
        return FROST_OK;
    }
    if (p->pack_general) {
        /* One workspace for the packed b: batches go one after another, each split over threads. */
        void *ws = FROST_WS(st, ex);
        for (int64_t bi = 0; bi < p->batch; bi++) {
            int64_t ao, bo;
            batch_offsets(p, bi, &ao, &bo);
            p->kernel->pack(p->K, p->N, b + bo, p->tb ? p->K : p->N, p->tb, ws);
            run_packed(ex->pool, p->kernel, p->M, p->N, p->K, a + ao, ws, bias,
                       c + bi * p->M * p->N, &p->act, p->fixed_split);
        }
        return FROST_OK;
    }
    general_task t = {p, a, b, bias, c};
    const int64_t per_batch = (int64_t)p->M * p->N * FROST_MAX(p->K, 1);
    int64_t grain = FROST_MAX((int64_t)1, MATMUL_MIN_TASK_FLOPS / FROST_MAX(per_batch, (int64_t)1));
    if (p->batch > 1)
        frost__parallel_for(ex->pool, p->batch, grain, general_ref_task, &t);
    else
        general_ref_task(&t, 0, p->batch, 0);
    return FROST_OK;
}

/* ---- prepare / pack ------------------------------------------------------------------------- */

static bool fits_int(int64_t v) { return v >= 0 && v <= INT_MAX; }

static frost_status matmul_prepare(frost__step *st, const frost__prepare_ctx *pc) {
    const frost__node *n = pc->node;
    matmul_plan *p = (matmul_plan *)st->state.bytes;
    memset(p, 0, sizeof *p);
    const frost__shape *sa = &pc->in_shape[0], *sb = &pc->in_shape[1], *so = &pc->out_shape[0];
    if (pc->in_dtype[0] != FROST_DTYPE_F32 || pc->in_dtype[1] != FROST_DTYPE_F32)
        return frost__op_fail(n, pc->err, FROST_E_DTYPE, "only f32 operands are supported");
    p->ta = sa->rank >= 2 && n->p.matmul.transpose_a;
    p->tb = sb->rank >= 2 && n->p.matmul.transpose_b;
    p->act = n->p.matmul.act;
    p->has_bias = has_input(n, 2);
    p->fixed_split = pc->deterministic;
    const int ra = sa->rank, rb = sb->rank;
    int64_t M = ra == 1 ? 1 : (p->ta ? sa->d[ra - 1] : sa->d[ra - 2]);
    int64_t K = ra == 1 ? sa->d[0] : (p->ta ? sa->d[ra - 2] : sa->d[ra - 1]);
    int64_t N = rb == 1 ? 1 : (p->tb ? sb->d[rb - 2] : sb->d[rb - 1]);
    if (p->has_bias) {
        int64_t bn;
        if (pc->in_dtype[2] != FROST_DTYPE_F32 || !frost__shape_numel_ok(&pc->in_shape[2], &bn) ||
            bn != N)
            return frost__op_fail(n, pc->err, FROST_E_SHAPE, "bias must hold N=%lld f32 values",
                                  (long long)N);
    }
    int64_t out_numel;
    if (!frost__shape_numel_ok(so, &out_numel) || !fits_int(M) || !fits_int(N) || !fits_int(K))
        return frost__op_fail(n, pc->err, FROST_E_LIMIT,
                              "matrix sizes exceed the GEMM kernel's int range");
    p->M = (int)M;
    p->N = (int)N;
    p->K = (int)K;

    /* Batch broadcast: output batch dims, and how far each index steps a and b. */
    p->batch_rank = so->rank - (ra >= 2) - (rb >= 2);
    const int bra = batch_rank_of(sa), brb = batch_rank_of(sb);
    int64_t a_step = M * K, b_step = K * N;
    for (int d = p->batch_rank - 1; d >= 0; d--) {
        p->bdims[d] = so->d[d];
        const int ia = d - (p->batch_rank - bra), ib = d - (p->batch_rank - brb);
        const int64_t da = ia >= 0 ? sa->d[ia] : 1, db = ib >= 0 ? sb->d[ib] : 1;
        p->a_bstride[d] = da == 1 ? 0 : a_step;
        p->b_bstride[d] = db == 1 ? 0 : b_step;
        a_step *= da;
        b_step *= db;
    }
    p->batch = 1;
    for (int d = 0; d < p->batch_rank; d++) p->batch *= p->bdims[d];

    /* The packed path needs b to be the very constant that pack saw: unbatched, rows of a plain. */
    if (n->packed && n->kernel && rb == 2 && !p->ta) {
        const int64_t rows = K > 0 ? frost__shape_numel(sa) / K : 0; /* pack refuses K == 0 */
        if (!fits_int(rows))
            return frost__op_fail(n, pc->err, FROST_E_LIMIT,
                                  "%lld rows exceed the GEMM kernel's range", (long long)rows);
        p->packed_path = true;
        p->kernel = n->kernel;
        p->rows = (int)rows;
        size_t off, len;
        frost__gemm_reads(n->kernel, p->rows, (int)K, (int)N, n->packed_bytes, &off, &len);
        st->weight_bytes = len;
        frost__cache_warm((const unsigned char *)n->packed + off, len);
    } else {
        const frost__gemm_kernel *k = pc->cpu ? frost__gemm_pick(pc->cpu) : &frost__gemm_ref;
        /* Packing b costs K*N; it pays off once a few rows reuse it, and only for a kernel faster
         * than the reference loops (which read b in place). */
        if (k && k != &frost__gemm_ref && !p->ta && M >= 4 && K > 0) {
            p->pack_general = true;
            p->kernel = k;
            st->ws_bytes = k->packed_bytes((int)K, (int)N);
        }
    }
    st->run = matmul_run;
    return FROST_OK;
}

/* Whether value v comes out of a ReLU (fused into a MatMul or conv, or on its own), possibly
 * through views, transposes and max pooling, which keep its exact zeros. */
static bool after_relu(const frost__graph *g, int v) {
    for (int hops = 0; hops < 16; hops++) {
        const int p = frost__graph_producer(g, v);
        if (p < 0) return false;
        const frost__node *n = &g->nodes[p];
        switch (n->op) {
        case FROST__OP_IDENTITY: case FROST__OP_RESHAPE: case FROST__OP_SQUEEZE:
        case FROST__OP_EXPAND_DIMS: case FROST__OP_FLATTEN: case FROST__OP_TRANSPOSE:
            v = n->in[0];
            continue;
        case FROST__OP_POOL2D:
            if (!n->p.pool.is_max) return false;
            v = n->in[0];
            continue;
        case FROST__OP_MATMUL: return n->p.matmul.act.act == FROST__ACT_RELU ||
                                      n->p.matmul.act.act == FROST__ACT_RELU6;
        case FROST__OP_CONV2D: case FROST__OP_DEPTHWISE_CONV2D:
            return n->p.conv.act.act == FROST__ACT_RELU || n->p.conv.act.act == FROST__ACT_RELU6;
        case FROST__OP_UNARY: return n->p.unary.fn == FROST__ACT_RELU || n->p.unary.fn == FROST__ACT_RELU6;
        default: return false;
        }
    }
    return false;
}

static frost_status matmul_pack(frost__graph *g, frost__node *n, const frost__cpu *cpu,
                                frost_error *err) {
    if (n->n_in < 2 || n->in[1] < 0 || n->p.matmul.transpose_a) return FROST_OK;
    const frost__value *b = &g->values[n->in[1]];
    if (b->kind != FROST__VAL_CONST || b->dtype != FROST_DTYPE_F32 || b->shape.rank != 2 ||
        !b->data)
        return FROST_OK;
    const bool tb = n->p.matmul.transpose_b;
    const int64_t K = tb ? b->shape.d[1] : b->shape.d[0], N = tb ? b->shape.d[0] : b->shape.d[1];
    if (!fits_int(K) || !fits_int(N) || K == 0 || N == 0) return FROST_OK;
    const frost__gemm_kernel *k = frost__gemm_pick_for_weights(cpu, g->weights_precision, g->cblas_route, K, N);
    if (!k) return FROST_OK;
    if (after_relu(g, n->in[0])) k = frost__gemm_for_zero_rich_input(k);
    size_t bytes = k->packed_bytes((int)K, (int)N);
    void *packed = frost__alloc(&g->alloc, bytes ? bytes : 1);
    if (!packed)
        return frost__op_fail(n, err, FROST_E_NOMEM, "out of memory packing %zu bytes of weights",
                              bytes);
    k->pack((int)K, (int)N, b->data, (int)b->shape.d[1], tb, packed);
    frost__free(&g->alloc, n->packed);
    n->packed = packed;
    n->packed_bytes = bytes;
    n->kernel = k;
    return FROST_OK;
}

const frost__op_def frost__op_MATMUL = {
    .name = "MatMul",
    .infer = matmul_infer,
    .prepare = matmul_prepare,
    .pack = matmul_pack,
};
