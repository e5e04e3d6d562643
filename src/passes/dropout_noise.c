/* dropout_noise.c — TF1's tf.nn.dropout draws a mask as floor(keep_prob + U) with U uniform in
 * [0, 1) (RandomUniform, scaled and shifted by constants), so with keep_prob fixed to 1 at load
 * (--set keep_prob=1) the mask is 1 everywhere whatever U is. This pass follows the range of the
 * noise through the constant Add/Sub/Mul steps to the Floor; when the whole range floors to one
 * integer k, the Floor becomes Fill(shape of the noise, k) and the RandomUniform, now unused, is
 * pruned, so it no longer blocks the load.
 *
 * It must never change a value: only a Floor whose every possible input floors to the same k is
 * replaced, only over constants of one element that cannot widen the noise's shape, and the Fill
 * has exactly the noise's shape. Anything else keeps the RandomUniform for the supported-ops check
 * to name. */
#include "passes/passes.h"

#include <math.h>
#include <stdio.h>

/* A constant of one element (its rank no more than max_rank, so it cannot widen a broadcast). */
static bool one_const(const frost__graph *g, int v, int max_rank, double *x) {
    if (v < 0) return false;
    const frost__value *c = &g->values[v];
    if (c->kind != FROST__VAL_CONST || c->shape.rank < 0 || c->shape.rank > max_rank ||
        frost__shape_numel(&c->shape) != 1 || !frost__dtype_is_float(c->dtype))
        return false;
    *x = frost__read_double(c->dtype, c->data, 0);
    return isfinite(*x);
}

/* The range [lo, hi) of value v when it is uniform noise moved by constants; *noise receives the
 * RandomUniform node. */
static bool noise_range(const frost__graph *g, int v, int depth, double *lo, double *hi,
                        int *noise) {
    int p = frost__graph_producer(g, v);
    if (p < 0 || depth > 8) return false;
    const frost__node *n = &g->nodes[p];
    if (n->op == FROST__OP_UNSUPPORTED && strcmp(n->src_op, "RandomUniform") == 0) {
        if (n->n_in < 1 || n->in[0] < 0) return false;
        *lo = 0;
        *hi = 1; /* TensorFlow's RandomUniform: [0, 1) */
        *noise = p;
        return true;
    }
    if (n->op != FROST__OP_BINARY || n->n_in != 2) return false;
    int fn = n->p.binary.fn;
    if (fn != FROST__BIN_ADD && fn != FROST__BIN_SUB && fn != FROST__BIN_MUL) return false;
    for (int side = 0; side < 2; side++) {
        int other = n->in[1 - side];
        double c;
        /* The noise's rank bounds the constant's: the noise is the shape of the result. */
        if (!noise_range(g, n->in[side], depth + 1, lo, hi, noise)) continue;
        const frost__value *shape_of_noise = &g->values[g->nodes[*noise].in[0]];
        int max_rank = shape_of_noise->shape.rank == 1 ? (int)shape_of_noise->shape.d[0] : 0;
        if (!one_const(g, other, max_rank < 0 ? 0 : max_rank, &c)) return false;
        if (fn == FROST__BIN_ADD) {
            *lo += c;
            *hi += c;
        } else if (fn == FROST__BIN_SUB) {
            if (side == 1) return false; /* c - noise flips the half-open end */
            *lo -= c;
            *hi -= c;
        } else {
            if (!(c > 0)) return false;
            *lo *= c;
            *hi *= c;
        }
        return true;
    }
    return false;
}

frost_status frost__pass_dropout_noise(frost__graph *g, frost_error *err) {
    for (int i = 0; i < g->n_nodes; i++) {
        frost__node *n = &g->nodes[i];
        if (n->dead || n->op != FROST__OP_UNARY || n->p.unary.fn != FROST__UN_FLOOR || n->n_in != 1)
            continue;
        double lo, hi;
        int noise = -1;
        if (!noise_range(g, n->in[0], 0, &lo, &hi, &noise)) continue;
        double k = floor(lo);
        if (!(hi <= k + 1)) continue; /* the range spans more than one integer */
        frost_dtype dt = g->values[n->out[0]].dtype;
        if (!frost__dtype_is_float(dt)) continue;
        int *in = frost__alloc(&g->alloc, 2 * sizeof(int));
        if (!in) return frost__fail(err, FROST_E_NOMEM, NULL, NULL, -1, "out of memory");
        char name[600];
        snprintf(name, sizeof name, "%s/mask_value", n->name);
        for (int j = 2; frost__graph_lookup(g, name) >= 0; j++)
            snprintf(name, sizeof name, "%s/mask_value_%d", n->name, j);
        unsigned char bytes[8];
        frost__shape scalar = frost__shape_make(0, NULL);
        frost__write_double(dt, bytes, 0, k);
        int value = frost__graph_add_const(g, name, dt, &scalar, bytes, frost_dtype_size(dt), err);
        if (value < 0) {
            frost__free(&g->alloc, in);
            return err ? err->code : FROST_E_NOMEM;
        }
        in[0] = g->nodes[noise].in[0];
        in[1] = value;
        frost__free(&g->alloc, n->in);
        n->in = in;
        n->n_in = 2;
        n->op = FROST__OP_FILL;
        memset(&n->p, 0, sizeof n->p);
        frost__graph_report(g, "dropout mask '%s' floors values in [%g, %g): %g everywhere, "
                            "filled at load; its RandomUniform '%s' is no longer needed", n->name,
                            lo, hi, k, g->nodes[noise].name);
    }
    return FROST_OK;
}
