/* dilated_conv.c — TensorFlow writes a dilated (atrous) convolution as
 *   SPACE_TO_BATCH(x, block, paddings) -> conv (stride 1, dilation 1, VALID) -> BATCH_TO_SPACE(
 *   ., block, crops)
 * (tf.nn.convolution / Keras dilation_rate > 1). This pass turns the three into one conv with
 * dilation = block and explicit padding (top, bottom) = paddings - crops per spatial dim, which
 * reads the activation once instead of shuffling it into and out of block_h * block_w batches.
 *
 * Why it is exact: the batch-side image of block phase (i, j) holds padded[y*b + i, x*b + j];
 * a VALID k-tap conv on it and BATCH_TO_SPACE give row r = y*b + i the sum over taps t of
 * padded[r + t*b], which is the VALID dilation-b conv of the padded input; the crops then drop
 * `crop_before` rows at the start and `crop_after` at the end, i.e. reduce the padding there.
 *
 * Matches only: constant block_shape (1 or 2 entries, the spatial dims of an NHWC tensor),
 * paddings and crops; the same block on both ends; paddings >= crops; a CONV2D or
 * DEPTHWISE_CONV2D reading the SPACE_TO_BATCH output with stride 1, dilation 1 and no padding,
 * followed (before the BATCH_TO_SPACE) only by Identities, unary ops and binary ops with a
 * per-channel constant (its bias and activation), each the sole consumer of the one before. Each
 * of those works element by element on channels, so it commutes with the batch-to-space shuffle.
 * Every intermediate must be used once and not be a graph output. Anything else stays as
 * SPACE_TO_BATCH / BATCH_TO_SPACE (ops/space_batch.c), which compute the same thing. */
#include "passes/passes.h"

static bool is_output(const frost__graph *g, int v) {
    for (int i = 0; i < g->n_outputs; i++)
        if (g->outputs[i] == v) return true;
    return false;
}

/* Reads a constant int operand into vals (count n); false when not constant or too long. */
static bool const_ints(const frost__graph *g, int v, int64_t *vals, int cap, int *n) {
    if (v < 0) return false;
    const frost__value *val = &g->values[v];
    if (val->kind != FROST__VAL_CONST || !frost__dtype_is_int(val->dtype) || !val->data) return false;
    int64_t cnt = frost__shape_numel(&val->shape);
    if (cnt < 0 || cnt > cap) return false;
    for (int64_t i = 0; i < cnt; i++) vals[i] = frost__read_int(val->dtype, val->data, i);
    *n = (int)cnt;
    return true;
}

/* The block and paddings/crops of a SPACE_TO_BATCH or BATCH_TO_SPACE node that this pass can fold
 * (1 or 2 block dims, as [2] each with 1 for a missing W, and pads as [top, bottom, left, right]). */
static bool read_block(const frost__graph *g, const frost__node *n, int64_t block[2], int64_t pads[4]) {
    int64_t b[2], p[4];
    int nb, np;
    if (n->n_in != 3 || n->n_out != 1 || !const_ints(g, n->in[1], b, 2, &nb) ||
        !const_ints(g, n->in[2], p, 4, &np) || np != 2 * nb || g->values[n->in[2]].shape.rank != 2)
        return false;
    block[0] = b[0];
    block[1] = nb == 2 ? b[1] : 1;
    pads[0] = p[0], pads[1] = p[1];
    pads[2] = nb == 2 ? p[2] : 0, pads[3] = nb == 2 ? p[3] : 0;
    for (int i = 0; i < 2; i++)
        if (block[i] < 1 || block[i] > 4096) return false;
    for (int i = 0; i < 4; i++)
        if (pads[i] < 0 || pads[i] > (1 << 20)) return false;
    return true;
}

/* An op between the conv and BATCH_TO_SPACE that works on each element with at most a
 * per-channel constant: Identity, a unary op, a binary op with a constant of rank <= 1 or of
 * shape [1, ..., 1, C]. Returns the input index that carries the chain, or -1. */
static int channelwise_input(const frost__graph *g, const frost__node *n) {
    if (n->n_out != 1) return -1;
    if ((n->op == FROST__OP_IDENTITY || n->op == FROST__OP_UNARY) && n->n_in == 1) return 0;
    if (n->op != FROST__OP_BINARY || n->n_in != 2) return -1;
    for (int k = 0; k < 2; k++) {
        const frost__value *c = &g->values[n->in[1 - k]];
        if (c->kind != FROST__VAL_CONST || c->shape.rank < 0) continue;
        bool per_channel = true;
        for (int d = 0; d + 1 < c->shape.rank; d++)
            if (c->shape.d[d] != 1) per_channel = false;
        if (c->shape.rank <= 4 && per_channel) return k;
    }
    return -1;
}

frost_status frost__pass_dilated_convs(frost__graph *g, frost_error *err) {
    if (g->n_nodes == 0) return FROST_OK;
    int *uses = frost__graph_use_counts(g);
    int *producer = frost__alloc(&g->alloc, sizeof(int) * (size_t)(g->n_values > 0 ? g->n_values : 1));
    if (!uses || !producer) {
        frost__free(&g->alloc, uses);
        frost__free(&g->alloc, producer);
        return frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
    }
    for (int v = 0; v < g->n_values; v++) producer[v] = -1;
    for (int i = 0; i < g->n_nodes; i++)
        if (!g->nodes[i].dead)
            for (int k = 0; k < g->nodes[i].n_out; k++) producer[g->nodes[i].out[k]] = i;
#define SOLE(v) ((v) >= 0 && uses[v] == 1 && !is_output(g, v) && producer[v] >= 0)
    int folded = 0;
    for (int i = 0; i < g->n_nodes; i++) {
        frost__node *b2s = &g->nodes[i];
        int64_t block[2], crops[4], block2[2], pads[4];
        if (b2s->dead || b2s->op != FROST__OP_BATCH_TO_SPACE || !read_block(g, b2s, block, crops))
            continue;
        if (g->values[b2s->in[0]].shape.rank != 4) continue;
        /* Back from BATCH_TO_SPACE through the channelwise ops to the conv. */
        int v = b2s->in[0], steps = 0;
        frost__node *conv = NULL;
        while (SOLE(v) && steps++ < 16) {
            frost__node *p = &g->nodes[producer[v]];
            if (p->op == FROST__OP_CONV2D || p->op == FROST__OP_DEPTHWISE_CONV2D) {
                conv = p;
                break;
            }
            int k = channelwise_input(g, p);
            if (k < 0) break;
            v = p->in[k];
        }
        if (!conv) continue;
        frost__window *w = &conv->p.conv.w;
        bool unpadded = w->padding == FROST__PAD_VALID ||
                        (w->padding == FROST__PAD_EXPLICIT && !w->pad_top && !w->pad_bottom &&
                         !w->pad_left && !w->pad_right);
        if (!unpadded || w->stride_h != 1 || w->stride_w != 1 || w->dilation_h != 1 ||
            w->dilation_w != 1 || conv->p.conv.groups > 1 || conv->n_in < 2)
            continue;
        /* Back from the conv's input through Identities to SPACE_TO_BATCH. */
        int x = conv->in[0];
        while (SOLE(x) && g->nodes[producer[x]].op == FROST__OP_IDENTITY) x = g->nodes[producer[x]].in[0];
        if (!SOLE(x)) continue;
        frost__node *s2b = &g->nodes[producer[x]];
        if (s2b->op != FROST__OP_SPACE_TO_BATCH || !read_block(g, s2b, block2, pads) ||
            block2[0] != block[0] || block2[1] != block[1] ||
            g->values[s2b->in[0]].shape.rank != 4)
            continue;
        int64_t top = pads[0] - crops[0], bottom = pads[1] - crops[1];
        int64_t left = pads[2] - crops[2], right = pads[3] - crops[3];
        if (top < 0 || bottom < 0 || left < 0 || right < 0) continue;
        /* The conv reads x itself (any Identities in between are left to the Identity pass). */
        uses[conv->in[0]]--;
        conv->in[0] = s2b->in[0];
        uses[s2b->in[0]]++;
        w->padding = FROST__PAD_EXPLICIT;
        w->pad_top = (int)top, w->pad_bottom = (int)bottom;
        w->pad_left = (int)left, w->pad_right = (int)right;
        w->dilation_h = (int)block[0], w->dilation_w = (int)block[1];
        /* BATCH_TO_SPACE forwards the chain's end; the Identity pass removes it and keeps its name. */
        b2s->op = FROST__OP_IDENTITY;
        b2s->n_in = 1;
        folded++;
    }
#undef SOLE
    frost__free(&g->alloc, producer);
    frost__free(&g->alloc, uses);
    if (!folded) return FROST_OK;
    frost__pass_prune(g);
    frost__graph_report(g, "folded %d SpaceToBatch -> conv -> BatchToSpace into dilated convs", folded);
    /* The conv and the ops after it now see the undivided batch: their shapes change. */
    return frost__pass_infer(g, err);
}
