/* nms.c — NON_MAX_SUPPRESSION, the padded form of TF's NonMaxSuppressionV4/V5: boxes [n, 4]
 * (y1, x1, y2, x2, either corner first), scores [n], max_output_size, iou_threshold,
 * score_threshold, soft_nms_sigma -> selected_indices [max_output_size] (int32), selected_scores
 * [max_output_size] (f32) and valid_outputs (int32 scalar); the rows past valid_outputs are 0.
 * Only the padded form has a shape known before running, so only it is an op (the importer refuses
 * the others by name).
 *
 * The selection is TF.js's: candidates above score_threshold, best score first (equal scores: lower
 * index first); a candidate overlapping a kept box by IoU >= iou_threshold is dropped; with
 * soft_nms_sigma > 0 its score decays by exp(-0.5 iou^2 / sigma) per kept box instead, and it is
 * put back in line. Arithmetic in double, as in JavaScript. run never allocates: the candidate list
 * lives in the step's workspace. */
#include <math.h>
#include <stdlib.h>

#include "ops/op.h"

static bool read_scalar(frost_dtype t, const frost__shape *s, const void *data, double *out) {
    if (!data || frost__shape_numel(s) != 1) return false;
    *out = frost__read_double(t, data, 0);
    return true;
}

static frost_status nms_infer(frost__infer_ctx *c) {
    const frost__node *n = c->node;
    const frost__shape *boxes = &c->in_shape[0], *scores = &c->in_shape[1];
    if (c->n_out != 3)
        return frost__op_fail(n, c->err, FROST_E_FORMAT, "needs 3 outputs, has %d", c->n_out);
    if ((c->in_dtype[0] != FROST_DTYPE_F32 && c->in_dtype[0] != FROST_DTYPE_INVALID) ||
        (c->in_dtype[1] != FROST_DTYPE_F32 && c->in_dtype[1] != FROST_DTYPE_INVALID))
        return frost__op_fail(n, c->err, FROST_E_DTYPE, "boxes and scores must be f32");
    if (boxes->rank >= 0 && (boxes->rank != 2 || (boxes->d[1] >= 0 && boxes->d[1] != 4)))
        return frost__op_fail(n, c->err, FROST_E_SHAPE, "boxes must be [n, 4]");
    if (scores->rank >= 0 && scores->rank != 1)
        return frost__op_fail(n, c->err, FROST_E_SHAPE, "scores must be [n]");
    if (boxes->rank == 2 && scores->rank == 1 && boxes->d[0] >= 0 && scores->d[0] >= 0 &&
        boxes->d[0] != scores->d[0])
        return frost__op_fail(n, c->err, FROST_E_SHAPE, "%lld boxes but %lld scores",
                              (long long)boxes->d[0], (long long)scores->d[0]);
    c->out_dtype[0] = FROST_DTYPE_I32;
    c->out_dtype[1] = FROST_DTYPE_F32;
    c->out_dtype[2] = FROST_DTYPE_I32;
    int64_t max_out[1];
    int k = frost__read_int_operand(c->in_dtype[2], &c->in_shape[2], c->in_data[2], max_out, 1);
    if (k < 0) return frost__op_operand_unknown(c, "max_output_size");
    if (k != 1 || max_out[0] < 0 || max_out[0] > INT32_MAX)
        return frost__op_fail(n, c->err, FROST_E_SHAPE, "max_output_size must be one integer >= 0");
    c->out_shape[0] = c->out_shape[1] = frost__shape_make(1, max_out);
    c->out_shape[2] = frost__shape_make(0, NULL);
    return FROST_OK;
}

typedef struct nms_cand {
    double score;
    int32_t index;
    int32_t suppress_begin;  /* kept boxes before this one were already applied to it        */
} nms_cand;

typedef struct nms_state {
    int64_t n, max_out;
} nms_state;

/* Ascending by score, equal scores by descending index: the best is last. */
static int by_rank(const void *pa, const void *pb) {
    const nms_cand *a = pa, *b = pb;
    if (a->score != b->score) return a->score < b->score ? -1 : 1;
    return (a->index < b->index) - (a->index > b->index);
}

static double iou(const float *boxes, int64_t i, int64_t j) {
    const float *a = boxes + 4 * i, *b = boxes + 4 * j;
    double ay0 = fmin(a[0], a[2]), ax0 = fmin(a[1], a[3]), ay1 = fmax(a[0], a[2]), ax1 = fmax(a[1], a[3]);
    double by0 = fmin(b[0], b[2]), bx0 = fmin(b[1], b[3]), by1 = fmax(b[0], b[2]), bx1 = fmax(b[1], b[3]);
    double area_a = (ay1 - ay0) * (ax1 - ax0), area_b = (by1 - by0) * (bx1 - bx0);
    if (area_a <= 0 || area_b <= 0) return 0.0;
    double ih = fmax(fmin(ay1, by1) - fmax(ay0, by0), 0.0);
    double iw = fmax(fmin(ax1, bx1) - fmax(ax0, bx0), 0.0);
    double inter = ih * iw;
    return inter / (area_a + area_b - inter);
}

static frost_status nms_run(const frost__step *st, const frost__exec *ex) {
    const nms_state *s = (const nms_state *)st->state.bytes;
    const frost__node *node = st->node;
    const float *boxes = FROST_IN(st, ex, 0), *scores = FROST_IN(st, ex, 1);
    int32_t *sel = FROST_OUT(st, ex, 0);
    float *sel_scores = FROST_OUT(st, ex, 1);
    int32_t *valid = FROST_OUT(st, ex, 2);
    double iou_thr = 0, score_thr = -INFINITY, sigma = 0;
    read_scalar(ex->dtype[node->in[3]], &ex->shape[node->in[3]], FROST_IN(st, ex, 3), &iou_thr);
    if (frost__has_input(node, 4))
        read_scalar(ex->dtype[node->in[4]], &ex->shape[node->in[4]], FROST_IN(st, ex, 4), &score_thr);
    if (frost__has_input(node, 5))
        read_scalar(ex->dtype[node->in[5]], &ex->shape[node->in[5]], FROST_IN(st, ex, 5), &sigma);
    nms_cand *cand = FROST_WS(st, ex);
    int64_t n_cand = 0, n_sel = 0;
    for (int64_t i = 0; i < s->n; i++)
        if ((double)scores[i] > score_thr) cand[n_cand++] = (nms_cand){scores[i], (int32_t)i, 0};
    qsort(cand, (size_t)n_cand, sizeof *cand, by_rank);
    const double scale = sigma > 0 ? -0.5 / sigma : 0.0;
    while (n_sel < s->max_out && n_cand > 0) {
        nms_cand c = cand[--n_cand];
        const double original = c.score;
        if (original < score_thr) break;
        bool ignore = false;
        for (int64_t j = n_sel - 1; j >= c.suppress_begin; j--) {
            double o = iou(boxes, c.index, sel[j]);
            if (o >= iou_thr) {
                ignore = true;
                break;
            }
            c.score *= o <= iou_thr ? exp(scale * o * o) : 0.0;
            if (c.score <= score_thr) break;
        }
        c.suppress_begin = (int32_t)n_sel;
        if (ignore) continue;
        if (c.score == original) {
            sel[n_sel] = c.index;
            sel_scores[n_sel] = (float)c.score;
            n_sel++;
        } else if (c.score > score_thr) {
            /* Decayed but still in the running: back in line, by rank. */
            int64_t at = n_cand;
            while (at > 0 && by_rank(&cand[at - 1], &c) > 0) at--;
            memmove(cand + at + 1, cand + at, (size_t)(n_cand - at) * sizeof *cand);
            cand[at] = c;
            n_cand++;
        }
    }
    *valid = (int32_t)n_sel;
    for (int64_t j = n_sel; j < s->max_out; j++) {
        sel[j] = 0;
        sel_scores[j] = 0.0f;
    }
    return FROST_OK;
}

static frost_status nms_prepare(frost__step *st, const frost__prepare_ctx *pc) {
    nms_state *s = (nms_state *)st->state.bytes;
    s->n = pc->in_shape[0].d[0];
    s->max_out = pc->out_shape[0].d[0];
    if (s->n > INT32_MAX)
        return frost__op_fail(pc->node, pc->err, FROST_E_LIMIT, "%lld boxes", (long long)s->n);
    for (int i = 3; i < 6 && i < pc->node->n_in; i++)
        if (frost__has_input(pc->node, i) && frost__shape_numel(&pc->in_shape[i]) != 1)
            return frost__op_fail(pc->node, pc->err, FROST_E_SHAPE, "input %d must be a scalar", i);
    st->ws_bytes = (size_t)(s->n > 0 ? s->n : 1) * sizeof(nms_cand);
    st->run = nms_run;
    return FROST_OK;
}

const frost__op_def frost__op_NON_MAX_SUPPRESSION = {"NonMaxSuppression", 0, nms_infer, nms_prepare,
                                                     NULL};
