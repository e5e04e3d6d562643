/* stft_conv.c — finds the strided Conv1d(s) over one input channel whose filters are a windowed
 * DFT basis (w[n] cos(2 pi f n / K) and w[n] sin(2 pi f n / K), either sign: how PyTorch STFT front
 * ends such as openWakeWord's melspectrogram and Silero VAD export their spectrogram) and replaces
 * them with one STFT node (ops/spectral.c) that computes them by a real FFT per frame. Sibling convs
 * reading the same input with the same frame and hop (the real and the imaginary part) become one
 * node with one output each, so the FFT runs once.
 *
 * It must never change what the graph computes beyond float rounding: every filter element must
 * equal its basis value within 1e-6 of the window's peak (float32 rounding of exactly computed
 * bases is about 6e-8; a basis computed with float32 angles is off by far more and is left alone),
 * and anything else (a bias, an activation, padding, dilation, groups, a non-constant filter, a
 * frame that is not a power of two) leaves the conv as it is. */
#include "passes/passes.h"

#include <math.h>
#include <stdio.h>

enum { MAX_SIBLINGS = 4 };

typedef struct dft_conv {
    int node, x, K, hop, O;
    const float *filter; /* HWIO [1, K, 1, O]: element (k, o) at k * O + o */
} dft_conv;

static bool is_pow2(int64_t v) { return v >= 4 && (v & (v - 1)) == 0; }

/* Whether node i is a conv this pass can take; fills *d. */
static bool candidate(const frost__graph *g, int i, dft_conv *d) {
    const frost__node *n = &g->nodes[i];
    if (n->dead || n->op != FROST__OP_CONV2D || n->n_in < 2 || n->n_out != 1 ||
        (n->n_in > 2 && n->in[2] >= 0) || n->n_in > 3 || n->p.conv.groups > 1 ||
        n->p.conv.act.act != FROST__ACT_NONE || n->p.conv.post_affine || n->p.conv.dw)
        return false;
    const frost__window *w = &n->p.conv.w;
    if (w->dilation_h > 1 || w->dilation_w > 1 || w->stride_w < 1) return false;
    if (w->padding != FROST__PAD_VALID &&
        !(w->padding == FROST__PAD_EXPLICIT && !w->pad_top && !w->pad_bottom && !w->pad_left &&
          !w->pad_right))
        return false;
    const frost__value *f = &g->values[n->in[1]], *x = &g->values[n->in[0]];
    if (f->kind != FROST__VAL_CONST || !f->data || f->dtype != FROST_DTYPE_F32 ||
        f->shape.rank != 4 || f->shape.d[0] != 1 || f->shape.d[2] != 1 || !is_pow2(f->shape.d[1]) ||
        f->shape.d[1] < 16 || f->shape.d[1] > 8192 || f->shape.d[3] < 1 || f->shape.d[3] > 65536)
        return false;
    if (x->dtype != FROST_DTYPE_F32 || x->shape.rank != 4 || x->shape.d[1] != 1 ||
        x->shape.d[3] != 1)
        return false;
    d->node = i;
    d->x = n->in[0];
    d->K = (int)f->shape.d[1];
    d->hop = w->stride_w;
    d->O = (int)f->shape.d[3];
    d->filter = f->data;
    return true;
}

/* The code (ops/spectral.c) of channel o of d's filter for window w, or -1 when it is no windowed
 * basis vector. cs/sn: cos and sin of 2 pi t / K for t < K. */
static int32_t classify(const dft_conv *d, int o, const float *w, const double *cs,
                        const double *sn, double tol) {
    const int K = d->K, half = K / 2;
    for (int pass = 0; pass < 2; pass++) {
        /* The usual order first (channel o is bin o of its half), then every bin. */
        const int f0 = pass == 0 ? o % (half + 1) : 0, f1 = pass == 0 ? f0 + 1 : half + 1;
        for (int f = f0; f < f1; f++)
            for (int kind = 0; kind < 2; kind++)
                for (int neg = 0; neg < 2; neg++) {
                    const double s = neg ? -1.0 : 1.0;
                    const double *trig = kind ? sn : cs;
                    int k = 0;
                    for (; k < K; k++) {
                        const double basis = s * w[k] * trig[(int64_t)f * k % K];
                        if (fabs(d->filter[(int64_t)k * d->O + o] - basis) > tol) break;
                    }
                    if (k == K) return f * 4 + kind * 2 + neg;
                }
    }
    return -1;
}

/* Codes for every channel of the n convs with window w, or false. */
static bool classify_all(const dft_conv *convs, int n, const float *w, const double *cs,
                         const double *sn, int32_t *codes) {
    float peak = 0;
    for (int k = 0; k < convs[0].K; k++) peak = fmaxf(peak, fabsf(w[k]));
    if (!(peak > 0)) return false;
    const double tol = 1e-6 * peak;
    int at = 0;
    for (int i = 0; i < n; i++)
        for (int o = 0; o < convs[i].O; o++) {
            int32_t c = classify(&convs[i], o, w, cs, sn, tol);
            if (c < 0) return false;
            codes[at++] = c;
        }
    return true;
}

/* Whether values a and b hold the same tensor: the same value, or the same view (a reshape, squeeze
 * or expand-dims: ONNX's Conv1d gets its own, and the layout pass may add one) of the same tensor
 * with the same operand. */
static bool same_tensor(const frost__graph *g, int a, int b, int depth) {
    if (a == b) return true;
    if (depth > 4) return false;
    const int pa = g->values[a].producer, pb = g->values[b].producer;
    if (pa < 0 || pb < 0) return false;
    const frost__node *na = &g->nodes[pa], *nb = &g->nodes[pb];
    if (na->op != nb->op || na->n_in != 2 || nb->n_in != 2 ||
        !same_tensor(g, na->in[0], nb->in[0], depth + 1) ||
        (na->op != FROST__OP_EXPAND_DIMS && na->op != FROST__OP_SQUEEZE && na->op != FROST__OP_RESHAPE))
        return false;
    const frost__value *oa = &g->values[na->in[1]], *ob = &g->values[nb->in[1]];
    if (na->in[1] == nb->in[1]) return true;
    return oa->kind == FROST__VAL_CONST && ob->kind == FROST__VAL_CONST && oa->data && ob->data &&
           oa->dtype == ob->dtype && oa->nbytes == ob->nbytes &&
           memcmp(oa->data, ob->data, oa->nbytes) == 0 &&
           memcmp(&na->p, &nb->p, sizeof na->p) == 0;
}

/* Replaces convs[0..n) (same input, frame and hop) by one STFT node when their filters are a
 * windowed DFT basis. 1 replaced, 0 not, -1 error. */
static int replace(frost__graph *g, const dft_conv *convs, int n, frost_error *err) {
    const frost_allocator *a = &g->alloc;
    const int K = convs[0].K;
    int total = 0;
    for (int i = 0; i < n; i++) total += convs[i].O;
    /* Per frame the FFT costs about c K log2 K, the GEMM K x channels multiply-adds. Measured on
     * AVX-512 (the FFT's lane loops are plain C): openWakeWord's 514 channels of 512 samples took
     * 94 µs by FFT against 232 by GEMM (97 frames), a ratio c of about 24; Silero's 258 of 256
     * (3 frames) 3.5 against 3.4. */
    int lg = 0;
    while ((1 << lg) < K) lg++;
    if (total < 24 * lg) return 0;
    double *cs = frost__alloc(a, (size_t)K * 2 * sizeof(double));
    float *w = frost__alloc(a, (size_t)K * sizeof(float));
    int32_t *codes = frost__alloc(a, (size_t)total * sizeof(int32_t));
    if (!cs || !w || !codes) {
        frost__free(a, cs);
        frost__free(a, w);
        frost__free(a, codes);
        frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
        return -1;
    }
    double *sn = cs + K;
    for (int t = 0; t < K; t++) {
        cs[t] = cos(2.0 * 3.14159265358979323846 * t / K);
        sn[t] = sin(2.0 * 3.14159265358979323846 * t / K);
    }
    /* The window is a bin-0 cosine channel: try each conv's first channel. */
    bool found = false;
    for (int i = 0; i < n && !found; i++) {
        for (int k = 0; k < K; k++) w[k] = convs[i].filter[(int64_t)k * convs[i].O];
        found = classify_all(convs, n, w, cs, sn, codes);
    }
    frost__free(a, cs);
    if (!found) {
        frost__free(a, w);
        frost__free(a, codes);
        return 0;
    }
    const frost__node *first = &g->nodes[convs[0].node];
    char name[512];
    snprintf(name, sizeof name, "%s/window", first->name);
    int64_t kk = K, tt = total;
    frost__shape ws = frost__shape_make(1, &kk), cshape = frost__shape_make(1, &tt);
    int wv = frost__graph_add_const_owned(g, name, FROST_DTYPE_F32, &ws, w, (size_t)K * sizeof(float), err);
    if (wv < 0) {
        frost__free(a, codes);
        return -1;
    }
    snprintf(name, sizeof name, "%s/dft_bins", g->nodes[convs[0].node].name);
    int cv = frost__graph_add_const_owned(g, name, FROST_DTYPE_I32, &cshape, codes,
                                          (size_t)total * sizeof(int32_t), err);
    if (cv < 0) return -1;
    frost__params p;
    memset(&p, 0, sizeof p);
    p.stft.frame = K;
    p.stft.hop = convs[0].hop;
    p.stft.n_outs = n;
    for (int i = 0; i < n; i++) p.stft.out_ch[i] = convs[i].O;
    snprintf(name, sizeof name, "%s/stft", g->nodes[convs[0].node].name);
    char src[128];
    snprintf(src, sizeof src, "%s", g->nodes[convs[0].node].src_op);
    int in[3] = {convs[0].x, wv, cv};
    int nn = frost__graph_add_node(g, name, src, FROST__OP_STFT, 3, in, n, &p, err);
    if (nn < 0) return -1;
    for (int i = 0; i < n; i++) {
        frost__node *old = &g->nodes[convs[i].node];
        int y_old = old->out[0], y_new = g->nodes[nn].out[i];
        g->values[y_new].dtype = g->values[y_old].dtype;
        g->values[y_new].shape = g->values[y_old].shape;
        frost__graph_replace_uses(g, y_old, y_new, true);
        old->dead = true;
    }
    /* The STFT takes the first conv's place in the node order: its input comes before that, and
     * every consumer of the convs after it. */
    const int at = convs[0].node;
    frost__node tmp = g->nodes[at];
    g->nodes[at] = g->nodes[nn];
    g->nodes[nn] = tmp;
    for (int k = 0; k < g->nodes[at].n_out; k++) g->values[g->nodes[at].out[k]].producer = at;
    for (int k = 0; k < g->nodes[nn].n_out; k++) g->values[g->nodes[nn].out[k]].producer = nn;
    return 1;
}

frost_status frost__pass_stft_convs(frost__graph *g, frost_error *err) {
    frost_error local;
    if (!err) err = &local;
    int convs_replaced = 0, nodes_added = 0;
    const int n_nodes = g->n_nodes; /* nodes added here are STFTs, not candidates */
    for (int i = 0; i < n_nodes; i++) {
        dft_conv group[MAX_SIBLINGS];
        if (!candidate(g, i, &group[0])) continue;
        int n = 1;
        for (int j = i + 1; j < n_nodes && n < MAX_SIBLINGS; j++) {
            dft_conv d;
            if (candidate(g, j, &d) && same_tensor(g, d.x, group[0].x, 0) && d.K == group[0].K &&
                d.hop == group[0].hop)
                group[n++] = d;
        }
        int r = replace(g, group, n, err);
        if (r < 0) return err->code ? err->code : FROST_E_INTERNAL;
        if (r == 0 && n > 1) r = replace(g, group, 1, err); /* siblings of other kinds */
        if (r < 0) return err->code ? err->code : FROST_E_INTERNAL;
        if (r > 0) {
            nodes_added++;
            convs_replaced += g->nodes[group[0].node].n_out; /* the STFT, in the first's place */
        }
    }
    if (nodes_added)
        frost__graph_report(g, "stft: %d strided Conv1d with a windowed DFT basis -> %d real-FFT "
                            "node%s", convs_replaced, nodes_added, nodes_added == 1 ? "" : "s");
    return FROST_OK;
}
