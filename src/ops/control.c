/* control.c — ops that never run: TF1 control flow (Switch/Merge), resolved at load when the
 * predicate is constant, and UNSUPPORTED nodes that carry an unknown op to the supported-ops check.
 * They have definitions so the registry knows them; their missing hooks mean "cannot run". */
#include "ops/op.h"

const frost__op_def frost__op_SWITCH = {"Switch", 0, NULL, NULL, NULL};
const frost__op_def frost__op_MERGE = {"Merge", 0, NULL, NULL, NULL};
const frost__op_def frost__op_UNSUPPORTED = {"Unsupported", 0, NULL, NULL, NULL};
