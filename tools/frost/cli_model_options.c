/* cli_model_options.c — the options that choose what of a multi-model file to load, shared by
 * run, bench, check, inspect and freeze: --tag and --signature (TensorFlow SavedModels) and
 * --outputs (the tensors to compute, for models without a signature such as a TF1 .meta, or to
 * cut a model short). They are kept here once per process (one command runs per process) and
 * applied to the load options wherever a command loads its model. */
#include "cli.h"

static struct {
    const char *tag, *signature;
    const char *outputs[64];
    int n_outputs;
    char outputs_text[4096];
} chosen;

int cli_model_option(const char *cmd, int argc, char **argv, int *i, bool allow_outputs) {
    const char *v = NULL;
    int r;
    if ((r = cli_option(cmd, argc, argv, i, "--tag", NULL, &v)) != 0) {
        if (r > 0) chosen.tag = v;
        return r;
    }
    if ((r = cli_option(cmd, argc, argv, i, "--signature", NULL, &v)) != 0) {
        if (r > 0) chosen.signature = v;
        return r;
    }
    if (allow_outputs && (r = cli_option(cmd, argc, argv, i, "--outputs", NULL, &v)) != 0) {
        if (r < 0) return r;
        size_t len = strlen(v);
        if (len == 0 || len >= sizeof chosen.outputs_text) {
            cli_usage_error(cmd, "--outputs wants NAME[,NAME...]");
            return -1;
        }
        memcpy(chosen.outputs_text, v, len + 1);
        chosen.n_outputs = 0;
        for (char *p = chosen.outputs_text; p && *p;) {
            char *comma = strchr(p, ',');
            if (comma) *comma = 0;
            if (*p) {
                if (chosen.n_outputs == 64) {
                    cli_usage_error(cmd, "--outputs names more than 64 tensors");
                    return -1;
                }
                chosen.outputs[chosen.n_outputs++] = p;
            }
            p = comma ? comma + 1 : NULL;
        }
        return 1;
    }
    return 0;
}

void cli_apply_model_options(frost_load_options *opts) {
    opts->tag = chosen.tag;
    opts->signature = chosen.signature;
    if (chosen.n_outputs) {
        opts->outputs = chosen.outputs;
        opts->n_outputs = chosen.n_outputs;
    }
}
