/* cost.c — what one run of a session's plan computes and reads (frost_session_cost), for the
 * rooflines `frost bench` prints. FLOPs count a multiply-add as 2 and convolutions as the direct
 * algorithm does them (Winograd does fewer, so its "effective" rate can pass the FMA peak); the
 * recurrent op counts its steps' matrix products, the STFT its FFTs; the other ops that are not
 * matrix products count one FLOP per output element (pooling: one per window element). Bytes are
 * the least one run must move: every constant operand once (as packed for its kernel), the inputs
 * read and the outputs written; activations are assumed to stay in cache. */
#include "engine/session.h"

#include <math.h>

static double numel(const frost__shape *s) {
    const int64_t n = frost__shape_numel(s);
    return n > 0 ? (double)n : 0.0;
}

double frost__node_flops(const frost_session *s, const frost__node *n) {
    const frost__shape *out = &s->shape[n->out[0]];
    const frost__shape *x = n->n_in > 0 && n->in[0] >= 0 ? &s->shape[n->in[0]] : NULL;
    const frost__shape *w = n->n_in > 1 && n->in[1] >= 0 ? &s->shape[n->in[1]] : NULL;
    switch (n->op) {
    case FROST__OP_MATMUL: {
        if (!x || x->rank < 2) return 0;
        const int64_t k = n->p.matmul.transpose_a ? x->d[x->rank - 2] : x->d[x->rank - 1];
        return 2.0 * numel(out) * (double)k;
    }
    case FROST__OP_CONV2D: { /* filter [kh, kw, cin/groups, cout] */
        double f = w && w->rank == 4 ? 2.0 * numel(out) * (double)(w->d[0] * w->d[1] * w->d[2]) : 0;
        /* A fused depthwise conv in front (filter [kh, kw, C, 1], input 4): its output has this
         * conv's pixels and C channels. */
        const frost__shape *dw = n->p.conv.dw && n->n_in > 4 && n->in[4] >= 0 ? &s->shape[n->in[4]] : NULL;
        if (dw && dw->rank == 4 && w && w->rank == 4 && w->d[3] > 0)
            f += 2.0 * numel(out) / (double)w->d[3] * (double)dw->d[2] * (double)(dw->d[0] * dw->d[1]);
        return f;
    }
    case FROST__OP_DEPTHWISE_CONV2D: /* filter [kh, kw, cin, multiplier] */
        return w && w->rank == 4 ? 2.0 * numel(out) * (double)(w->d[0] * w->d[1]) : 0;
    case FROST__OP_CONV2D_TRANSPOSE: /* every input pixel scatters kh x kw x cout products */
        return x && w && w->rank == 4 ? 2.0 * numel(x) * (double)(w->d[0] * w->d[1] * w->d[2]) : 0;
    case FROST__OP_POOL2D:
        return numel(out) * (double)n->p.pool.k_h * (double)n->p.pool.k_w;
    /* Quantized (TFLite layouts): integer multiply-adds count like float ones. */
    case FROST__OP_QCONV2D: /* filter [cout, kh, kw, cin/groups] */
        return w && w->rank == 4 ? 2.0 * numel(out) * (double)(w->d[1] * w->d[2] * w->d[3]) : 0;
    case FROST__OP_QDEPTHWISE_CONV2D: /* filter [1, kh, kw, cin * multiplier] */
        return w && w->rank == 4 ? 2.0 * numel(out) * (double)(w->d[1] * w->d[2]) : 0;
    case FROST__OP_QFULLY_CONNECTED: /* weights [units, inputs] */
        return w && w->rank == 2 ? 2.0 * numel(out) * (double)w->d[1] : 0;
    case FROST__OP_RECURRENT: { /* x [T, B, I], w [D, G*H, I], r [D, G*H, H]: every step's products */
        const frost__shape *r = n->n_in > 2 && n->in[2] >= 0 ? &s->shape[n->in[2]] : NULL;
        if (!x || x->rank != 3 || !w || !r) return 0;
        return 2.0 * (double)x->d[0] * (double)x->d[1] * (numel(w) + numel(r));
    }
    case FROST__OP_STFT: { /* per frame: the window, a radix-2 FFT of K/2 complex points (5 M log2 M
                            * FLOPs), the split into K/2 + 1 real-transform bins */
        const int K = n->p.stft.frame;
        const double M = K / 2.0, frames = out->rank > 0 && n->p.stft.out_ch[0] > 0
                                                ? numel(out) / (double)n->p.stft.out_ch[0] : 0;
        return frames * ((double)K + 5.0 * M * log2(M > 1 ? M : 2) + 8.0 * (M + 1));
    }
    default: {
        double sum = 0;
        for (int k = 0; k < n->n_out; k++) sum += numel(&s->shape[n->out[k]]);
        return sum;
    }
    }
}

static double value_bytes(const frost_session *s, int v) {
    size_t bytes = 0;
    return frost__tensor_bytes(s->dtype[v], &s->shape[v], &bytes) ? (double)bytes : 0.0;
}

frost_status frost_session_cost(frost_session *s, frost_cost *out, frost_error *err) {
    if (!s || !out)
        return frost__fail(err, FROST_E_INVALID_ARG, NULL, NULL, -1, "session or out is NULL");
    FROST_TRY(frost_session_plan(s, err));
    memset(out, 0, sizeof *out);
    const frost__graph *g = &s->m->g;
    bool *seen = frost__calloc(&s->alloc, (size_t)(g->n_values ? g->n_values : 1), sizeof(bool));
    if (!seen) return frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
    for (int i = 0; i < s->n_steps; i++) {
        const frost__node *n = s->steps[i].node;
        if (!n) continue;
        out->flops += frost__node_flops(s, n);
        if (n->packed) { /* the kernel reads its own copy, not the constants it came from */
            const size_t read = s->steps[i].weight_bytes;
            out->weight_bytes += (double)(read ? read : n->packed_bytes);
            /* ... and a fused depthwise conv's filter and bias, read as they are */
            for (int k = 4; n->op == FROST__OP_CONV2D && n->p.conv.dw && k < n->n_in && k < 6; k++)
                if (n->in[k] >= 0 && g->values[n->in[k]].kind == FROST__VAL_CONST)
                    out->weight_bytes += (double)g->values[n->in[k]].nbytes;
            continue;
        }
        for (int k = 0; k < n->n_in; k++) {
            const int v = n->in[k];
            if (v < 0 || seen[v] || g->values[v].kind != FROST__VAL_CONST) continue;
            seen[v] = true;
            out->weight_bytes += (double)g->values[v].nbytes;
        }
    }
    frost__free(&s->alloc, seen);
    for (int i = 0; i < g->n_inputs; i++) out->io_bytes += value_bytes(s, g->inputs[i]);
    for (int i = 0; i < s->n_out; i++) out->io_bytes += value_bytes(s, s->out_vals[i]);
    return FROST_OK;
}

/* ---- which steps get the thread pool ---------------------------------------------------------
 * Handing a step to the workers costs about a microsecond on a quiet machine (publish the job,
 * a worker sees it, the caller waits for the last chunk) and much more when a worker's core is
 * shared with another process. A step split over the pool only when its estimated time on one
 * thread is several times that (SPLIT_MIN_NS): the estimate is the larger of its arithmetic and its traffic at
 * rates a little above what the small layers of the real-model suite reach on one Zen 5 core
 * (1x1 convs ~180 FLOP/ns, depthwise ~40, element-wise and copies 50-110 B/ns), so that on a
 * slower core the estimate errs towards running the step alone. */
#define SPLIT_GEMM_FLOPS_PER_NS 200.0
#define SPLIT_DEPTHWISE_FLOPS_PER_NS 60.0
#define SPLIT_BYTES_PER_NS 100.0
#define SPLIT_MIN_NS 4000.0
/* And a run splits only when its steps worth splitting add up to this: a split run can save at most
 * about half of that, while between split steps the worker polls a core (with another process on
 * the cores, the caller's own thread then shares one) and a worker descheduled mid-step holds the
 * caller up for a scheduler slice. Measured with a spinner on one of 2 cores: the openWakeWord
 * head (7 µs a run) had a 2-thread mean 1.5x its 1-thread mean, Silero VAD (25 µs) 1.45x. */
#define SPLIT_RUN_MIN_NS 50000.0

static bool is_depthwise(const frost_session *s, const frost__node *n) {
    if (n->op == FROST__OP_DEPTHWISE_CONV2D || n->op == FROST__OP_QDEPTHWISE_CONV2D) return true;
    if (n->op != FROST__OP_CONV2D || n->n_in < 2 || n->in[1] < 0) return false;
    const frost__shape *w = &s->shape[n->in[1]];
    return w->rank == 4 && w->d[2] == 1; /* one input channel per group */
}

double frost__step_split_ns(const frost_session *s, int i) {
    const frost__node *n = s->steps[i].node;
    if (!n) return 0;
    double bytes = 0, flops_ns = 0;
    for (int k = 0; k < n->n_in; k++)
        if (n->in[k] >= 0) bytes += value_bytes(s, n->in[k]);
    for (int k = 0; k < n->n_out; k++)
        if (n->out[k] >= 0) bytes += value_bytes(s, n->out[k]);
    switch (n->op) {
    case FROST__OP_MATMUL:
    case FROST__OP_CONV2D:
    case FROST__OP_DEPTHWISE_CONV2D:
    case FROST__OP_CONV2D_TRANSPOSE:
    case FROST__OP_QCONV2D:
    case FROST__OP_QDEPTHWISE_CONV2D:
    case FROST__OP_QFULLY_CONNECTED:
        flops_ns = frost__node_flops(s, n) /
                   (is_depthwise(s, n) ? SPLIT_DEPTHWISE_FLOPS_PER_NS : SPLIT_GEMM_FLOPS_PER_NS);
        break;
    default: break;
    }
    const double ns = flops_ns > bytes / SPLIT_BYTES_PER_NS ? flops_ns : bytes / SPLIT_BYTES_PER_NS;
    return ns >= SPLIT_MIN_NS ? ns : 0;
}

bool frost__run_worth_splitting(double split_ns) { return split_ns >= SPLIT_RUN_MIN_NS; }
