/* sm_util.c — what counts as a variable op (the nodes the freezer replaces by checkpoint
 * values). */
#include "import/savedmodel/sm_internal.h"

bool sm_is_variable_op(const char *op) {
    return strcmp(op, "VarHandleOp") == 0 || strcmp(op, "VariableV2") == 0 ||
           strcmp(op, "Variable") == 0;
}
