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

/* Ops frost knows and refuses, with the reason in the report. */
static const char *const refusals[] = {
    "dynamic control flow: tf.while_loop runs a body a data-dependent number of times",
    "dynamic control flow: a TensorList grows and shrinks at run time (tf.while_loop)",
    "dynamic control flow: a TensorArray grows at run time (tf.while_loop)",
};
static frost_status b_refuse(frost__tf_node *c, const frost__tf_op_row *e) {
    return frost__tf_unsupported(c, refusals[e->fn]);
}
#define REFUSE(name, why) {name, b_refuse, why, 0, FROST__TF_ANY_INPUTS, 0}

const frost__tf_op_row frost__tf_more_ops[] = {
    {"Prelu", b_prelu, 0, 2, 2, 0},
    REFUSE("While", 0), REFUSE("StatelessWhile", 0), REFUSE("Enter", 0), REFUSE("Exit", 0),
    REFUSE("NextIteration", 0), REFUSE("LoopCond", 0),
    REFUSE("EmptyTensorList", 1), REFUSE("TensorListReserve", 1), REFUSE("TensorListFromTensor", 1),
    REFUSE("TensorListGetItem", 1), REFUSE("TensorListSetItem", 1), REFUSE("TensorListStack", 1),
    REFUSE("TensorListGather", 1), REFUSE("TensorListScatter", 1), REFUSE("TensorListScatterV2", 1),
    REFUSE("TensorListPushBack", 1), REFUSE("TensorListPopBack", 1), REFUSE("TensorListLength", 1),
    REFUSE("TensorListConcat", 1), REFUSE("TensorListConcatV2", 1), REFUSE("TensorListSplit", 1),
    REFUSE("TensorListResize", 1), REFUSE("TensorListElementShape", 1),
    REFUSE("TensorArrayV3", 2), REFUSE("TensorArrayReadV3", 2), REFUSE("TensorArrayWriteV3", 2),
    REFUSE("TensorArrayGatherV3", 2), REFUSE("TensorArrayScatterV3", 2),
    REFUSE("TensorArraySizeV3", 2), REFUSE("TensorArrayConcatV3", 2), REFUSE("TensorArraySplitV3", 2),
    REFUSE("TensorArrayCloseV3", 2),
};
const size_t frost__tf_more_ops_count = FROST_ARRAY_LEN(frost__tf_more_ops);
