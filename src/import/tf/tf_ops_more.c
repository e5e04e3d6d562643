/* tf_ops_more.c — TF ops that published TF.js graph models use beyond tf_ops.c's table (face,
 * hand and body detectors and landmark models, segmenters, classifiers): each row maps one TF op
 * to canonical ops with every attribute honoured, or refuses the attribute values it cannot honour
 * by turning the node UNSUPPORTED with the reason. Fails only on malformed nodes, naming them. */
#include <stdio.h>

#include "import/tf/tf_build.h"

/* Prelu(x, alpha) = x < 0 ? alpha * x : x, alpha broadcast against x. */
static frost_status b_prelu(frost__tf_node *c, const frost__tf_op_row *e) {
    (void)e;
    frost__params p;
    memset(&p, 0, sizeof p);
    p.binary.fn = FROST__BIN_PRELU;
    return frost__tf_emit(c, frost__tf_add_node(c, c->nd->name, FROST__OP_BINARY, 2, c->in, 1, &p));
}

const frost__tf_op_row frost__tf_more_ops[] = {
    {"Prelu", b_prelu, 0, 2, 2, 0},
};
const size_t frost__tf_more_ops_count = FROST_ARRAY_LEN(frost__tf_more_ops);
