/* pad_fold.c — a zero Pad of the spatial dimensions right before a convolution becomes the
 * convolution's own padding: MobileNet-style exports write `Pad -> Conv(VALID)` for TF's
 * asymmetric SAME padding of stride-2 layers, and the Pad is a full copy of the activation. The
 * conv kernels pad by skipping taps (or with zeros they make themselves), so nothing is copied.
 *
 * Only a constant-mode Pad of value 0 (or no value), constant paddings, nothing padded on the
 * batch or channel axis of the NHWC input, whose one consumer is a CONV2D or DEPTHWISE_CONV2D
 * reading it as its input and padding VALID or EXPLICIT. Never changes what the graph computes. */
#include "passes/passes.h"

static bool is_output(const frost__graph *g, int v) {
    for (int i = 0; i < g->n_outputs; i++)
        if (g->outputs[i] == v) return true;
    return false;
}

/* The four spatial pads of a foldable PAD node (top, bottom, left, right), or false. */
static bool spatial_zero_pads(const frost__graph *g, const frost__node *n, int64_t pads[4]) {
    if (n->op != FROST__OP_PAD || n->p.pad.mode != FROST__PADMODE_CONSTANT || n->n_in < 2 ||
        n->n_out != 1)
        return false;
    if (n->n_in > 2 && n->in[2] >= 0) {
        const frost__value *cv = &g->values[n->in[2]];
        if (cv->kind != FROST__VAL_CONST || cv->dtype != FROST_DTYPE_F32 || cv->nbytes != sizeof(float) ||
            *(const float *)cv->data != 0.0f)
            return false;
    }
    const frost__value *x = &g->values[n->in[0]], *pv = &g->values[n->in[1]];
    if (x->dtype != FROST_DTYPE_F32 || x->shape.rank != 4 || pv->kind != FROST__VAL_CONST ||
        !frost__dtype_is_int(pv->dtype) || pv->shape.rank != 2 || pv->shape.d[0] != 4 ||
        pv->shape.d[1] != 2)
        return false;
    int64_t p[8];
    for (int i = 0; i < 8; i++) p[i] = frost__read_int(pv->dtype, pv->data, i);
    if (p[0] || p[1] || p[6] || p[7]) return false;
    for (int i = 2; i < 6; i++)
        if (p[i] < 0 || p[i] > 1024) return false;
    pads[0] = p[2], pads[1] = p[3], pads[2] = p[4], pads[3] = p[5];
    return true;
}

frost_status frost__pass_fold_pads(frost__graph *g, frost_error *err) {
    int *uses = frost__graph_use_counts(g);
    if (!uses) return frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
    int folded = 0;
    for (int i = 0; i < g->n_nodes; i++) {
        frost__node *pad = &g->nodes[i];
        int64_t pads[4];
        if (pad->dead || !spatial_zero_pads(g, pad, pads)) continue;
        const int y = pad->out[0];
        if (uses[y] != 1 || is_output(g, y)) continue;
        for (int j = i + 1; j < g->n_nodes; j++) {
            frost__node *c = &g->nodes[j];
            if (c->dead || c->n_in < 1 || c->in[0] != y) continue;
            if (c->op != FROST__OP_CONV2D && c->op != FROST__OP_DEPTHWISE_CONV2D) break;
            frost__window *w = &c->p.conv.w;
            if (w->padding != FROST__PAD_VALID && w->padding != FROST__PAD_EXPLICIT) break;
            if (w->padding == FROST__PAD_VALID)
                w->pad_top = w->pad_bottom = w->pad_left = w->pad_right = 0;
            w->padding = FROST__PAD_EXPLICIT;
            w->pad_top += (int)pads[0];
            w->pad_bottom += (int)pads[1];
            w->pad_left += (int)pads[2];
            w->pad_right += (int)pads[3];
            c->in[0] = pad->in[0];
            uses[pad->in[0]]++;
            pad->dead = true;
            folded++;
            break;
        }
    }
    frost__free(&g->alloc, uses);
    if (folded) frost__graph_report(g, "folded %d zero Pads into the convolutions after them", folded);
    return FROST_OK;
}
