/* cmd_check.c — `frost check MODEL [--json] [--strict] [--max-* N]`: loads a model and plans a
 * session for it (never runs it) and lists every problem found, one per line or as JSON, with an
 * exit code a script can branch on: 0 the model loads and plans, 1 it has problems, 2 usage error.
 *
 * Problems: the load error (format damage, dangling or duplicate names, cycles, shape and dtype
 * errors), each unsupported op or layer on its own line, every limit the model breaks (checked
 * against the given limits, then again with frost's defaults to find what lies behind the
 * first one), and planning errors. Warnings (exit 0 unless --strict): training-only leftovers the
 * load-time passes removed or neutralised, and inputs the outputs don't need. It only uses the
 * public API; it never runs a model and never writes files. */
#include "cli.h"

#include <inttypes.h>
#include <stdlib.h>

static const char check_help[] =
    "usage: frost check MODEL [--json] [--strict] [--max-file-bytes N] [--max-tensor-bytes N]\n"
    "                         [--max-nodes N] [--max-arena-bytes N] [--max-attr-len N]\n"
    "\n"
    "Loads MODEL and plans a session for it without running it, then lists every problem:\n"
    "  damaged files, names without producers, duplicate names, cycles, unsupported ops or layers,\n"
    "  limit violations (frost's defaults or the --max-* values), shape and dtype errors, and as\n"
    "  warnings the training-only leftovers the load removed (learning phase, dropout, random ops).\n"
    "\n"
    "  --json     print one JSON object instead of text\n"
    "  --strict   warnings count as problems\n"
    "  --max-*    check against these limits (frost_load_options) instead of the defaults\n"
    "  --signature NAME, --tag TAG, --outputs NAME[,NAME]   what of a SavedModel to load\n"
    "\n"
    "Exit codes: 0 loads and plans (warnings allowed), 1 problems found, 2 usage error.\n";

typedef struct problem {
    const char *severity;   /* "error" or "warning" */
    const char *kind;       /* "format", "unsupported", "limit", "name", "shape", "dtype", ... */
    char message[600];
    char node[128], op[64];
    int64_t offset;
} problem;

typedef struct findings {
    problem items[64];
    int n, errors, warnings;
} findings;

static void add(findings *f, const char *severity, const char *kind, const char *message,
                const char *node, const char *op, int64_t offset) {
    if (f->n == (int)(sizeof f->items / sizeof f->items[0])) return;
    /* The same problem found by the relaxed second load is listed once. */
    for (int i = 0; i < f->n; i++)
        if (strcmp(f->items[i].message, message) == 0) return;
    problem *p = &f->items[f->n++];
    p->severity = severity;
    p->kind = kind;
    snprintf(p->message, sizeof p->message, "%s", message);
    snprintf(p->node, sizeof p->node, "%s", node ? node : "");
    snprintf(p->op, sizeof p->op, "%s", op ? op : "");
    p->offset = offset;
    if (strcmp(severity, "error") == 0) f->errors++;
    else f->warnings++;
}

/* What kind of problem a load or plan error is, from its status and wording. */
static const char *kind_of(const frost_error *err) {
    switch (err->code) {
    case FROST_E_UNSUPPORTED: return "unsupported";
    case FROST_E_LIMIT: return "limit";
    case FROST_E_SHAPE: return "shape";
    case FROST_E_DTYPE: return "dtype";
    case FROST_E_IO: return "io";
    case FROST_E_NOMEM: return "memory";
    case FROST_E_FORMAT:
        if (strstr(err->message, "names no") || strstr(err->message, "produced by no") ||
            strstr(err->message, "no layer produces") || strstr(err->message, "is not a graph input"))
            return "dangling-name";
        if (strstr(err->message, "duplicate") || strstr(err->message, "already produced") ||
            strstr(err->message, "two initializers"))
            return "duplicate-name";
        if (strstr(err->message, "cycle")) return "cycle";
        return "format";
    default: return "internal";
    }
}

/* "3 unsupported ops: A x1 ('a'); B x2 ('b', 'c')" becomes one problem per op. */
static void add_error(findings *f, const frost_error *err) {
    const char *colon = strstr(err->message, "unsupported op");
    colon = colon ? strstr(colon, ": ") : NULL;
    if (err->code == FROST_E_UNSUPPORTED && colon) {
        char list[512];
        snprintf(list, sizeof list, "%s", colon + 2);
        char *save = NULL;
        for (char *item = strtok_r(list, ";", &save); item; item = strtok_r(NULL, ";", &save)) {
            while (*item == ' ') item++;
            char msg[600];
            snprintf(msg, sizeof msg, "unsupported op or layer: %s", item);
            add(f, "error", "unsupported", msg, NULL, NULL, -1);
        }
        return;
    }
    add(f, "error", kind_of(err), err->message, err->node, err->op, err->file_offset);
}

static bool has_word(const char *line, const char *const *words) {
    for (int i = 0; words[i]; i++)
        if (strstr(line, words[i])) return true;
    return false;
}

/* Warnings from a loaded model: what the passes say they removed for inference, and training-only
 * layers still present (run as identities). */
static void add_warnings(findings *f, const frost_model *m) {
    static const char *const training_ops[] = {
        "Dropout", "RandomUniform", "RandomStandardNormal", "TruncatedNormal", "RandomNormal",
        "GaussianNoise", "GaussianDropout", "AlphaDropout", "ActivityRegularization", "Assign",
        "Apply", "SaveV2", "RestoreV2", "VariableV2", "VarHandleOp", "gradients", "keras_learning_phase",
        NULL};
    for (int i = 0; i < frost_model_report_count(m); i++) {
        const char *line = frost_model_report_line(m, i);
        if (!line) continue;
        bool training = strncmp(line, "learning phase", 14) == 0 ||
                        (strncmp(line, "resolved", 8) == 0 && strstr(line, "Switch")) ||
                        (strncmp(line, "pruned", 6) == 0 && has_word(line, training_ops));
        if (training) {
            char msg[600];
            snprintf(msg, sizeof msg, "training-only leftover handled at load: %s", line);
            add(f, "warning", "training-leftover", msg, NULL, NULL, -1);
        } else if (strncmp(line, "input '", 7) == 0 && strstr(line, "not needed")) {
            add(f, "warning", "unused-input", line, NULL, NULL, -1);
        }
    }
    for (int i = 0; i < frost_model_node_count(m); i++) {
        frost_node_info n;
        if (frost_model_node_info(m, i, &n) != FROST_OK || !has_word(n.op, training_ops)) continue;
        char msg[600];
        snprintf(msg, sizeof msg, "node '%s' (%s) only matters in training; inference runs it as "
                                  "an identity", cli_text(n.name), cli_text(n.op));
        add(f, "warning", "training-leftover", msg, n.name, n.op, -1);
    }
}

/* Whether any input has a dimension (or rank) the model leaves to the caller. */
static bool has_unknown_dims(const frost_model *m) {
    for (int i = 0; i < frost_model_input_count(m); i++) {
        frost_tensor_info t;
        if (frost_model_input_info(m, i, &t) != FROST_OK) continue;
        if (t.rank < 0) return true;
        for (int d = 0; d < t.rank; d++)
            if (t.dims[d] < 0) return true;
    }
    return false;
}

/* Plans a session with the model's own shapes: shape and arena problems. Unknown dims stand in as 1;
 * a model that cannot run at that size is not broken (its real inputs decide), so that is a
 * warning naming the problem, not an error. */
static void check_plan(findings *f, const frost_model *m) {
    frost_session *s = NULL;
    frost_error err = {0};
    err.file_offset = -1;
    if (frost_session_create(m, NULL, &s, &err) != FROST_OK) {
        add_error(f, &err);
        return;
    }
    if (frost_session_plan(s, &err) != FROST_OK) {
        if (has_unknown_dims(m)) {
            char msg[700];
            snprintf(msg, sizeof msg, "with every unknown input dimension set to 1 the model "
                                      "does not plan (%s): give real shapes", err.message);
            add(f, "warning", "needs-input-shapes", msg, err.node, err.op, -1);
        } else {
            add_error(f, &err);
        }
    }
    frost_session_free(s);
}

int cmd_check(int argc, char **argv) {
    const char *path = NULL;
    bool json = false, strict = false;
    frost_load_options opts;
    cli_load_flags load = {0};
    memset(&opts, 0, sizeof opts);
    opts.struct_size = sizeof opts;
    for (int i = 1; i < argc; i++) {
        const char *v = NULL;
        long long n;
        int r;
        if (cli_is_help(argv[i])) {
            fputs(check_help, stdout);
            return CLI_EXIT_OK;
        }
        if (strcmp(argv[i], "--json") == 0) { json = true; continue; }
        if (strcmp(argv[i], "--strict") == 0) { strict = true; continue; }
#define LIMIT_OPTION(flag, field)                                                           \
        if ((r = cli_option("check", argc, argv, &i, flag, NULL, &v)) != 0) {               \
            if (r < 0 || !cli_parse_int("check", flag, v, 1, INT64_MAX, &n))                \
                return CLI_EXIT_USAGE;                                                      \
            opts.field = n;                                                                 \
            continue;                                                                       \
        }
        LIMIT_OPTION("--max-file-bytes", max_file_bytes)
        LIMIT_OPTION("--max-tensor-bytes", max_tensor_bytes)
        LIMIT_OPTION("--max-nodes", max_nodes)
        LIMIT_OPTION("--max-arena-bytes", max_arena_bytes)
        LIMIT_OPTION("--max-attr-len", max_attr_len)
#undef LIMIT_OPTION
        if ((r = cli_load_flag("check", argc, argv, &i, &load)) != 0) {
            if (r < 0) return CLI_EXIT_USAGE;
            continue;
        }
        if (argv[i][0] == '-' && argv[i][1])
            return cli_usage_error("check", "unknown option '%s'", argv[i]);
        if (path) return cli_usage_error("check", "one model at a time ('%s' and '%s')", path, argv[i]);
        path = argv[i];
    }
    if (!path) return cli_usage_error("check", "no MODEL given");
    {
        frost_load_options limits = opts;
        cli_load_options(&load, &opts);
        opts.max_file_bytes = limits.max_file_bytes;
        opts.max_tensor_bytes = limits.max_tensor_bytes;
        opts.max_nodes = limits.max_nodes;
        opts.max_arena_bytes = limits.max_arena_bytes;
        opts.max_attr_len = limits.max_attr_len;
    }

    findings *f = calloc(1, sizeof *f);
    if (!f) return CLI_EXIT_RUNTIME;
    frost_error err = {0};
    err.file_offset = -1;
    frost_model *m = NULL;
    frost_format format = FROST_FORMAT_AUTO;
    if (frost_model_load_file(path, &opts, &m, &err) != FROST_OK) {
        add_error(f, &err);
        /* A limit tighter than frost's default hides what lies behind it: load again with the
         * defaults (never beyond them: they are what keeps a hostile file from exhausting memory). */
        bool tightened = opts.max_file_bytes || opts.max_tensor_bytes || opts.max_nodes ||
                         opts.max_arena_bytes || opts.max_attr_len;
        if (err.code == FROST_E_LIMIT && tightened) {
            frost_load_options lifted = opts;
            lifted.max_file_bytes = lifted.max_tensor_bytes = lifted.max_arena_bytes = 0;
            lifted.max_nodes = lifted.max_attr_len = 0;
            frost_error err2 = {0};
            err2.file_offset = -1;
            if (frost_model_load_file(path, &lifted, &m, &err2) != FROST_OK) add_error(f, &err2);
        }
    }
    if (m) {
        format = frost_model_format(m);
        add_warnings(f, m);
        if (f->errors == 0) check_plan(f, m);
    }
    bool ok = f->errors == 0 && !(strict && f->warnings > 0);

    if (json) {
        printf("{\n  \"model\": ");
        cli_json_string(stdout, path);
        printf(",\n  \"format\": ");
        cli_json_string(stdout, m ? cli_format_id(format) : NULL);
        printf(",\n  \"ok\": %s,\n  \"errors\": %d,\n  \"warnings\": %d,\n  \"problems\": [",
               ok ? "true" : "false", f->errors, f->warnings);
        for (int i = 0; i < f->n; i++) {
            const problem *p = &f->items[i];
            printf("%s\n    {\"severity\": \"%s\", \"kind\": \"%s\", \"message\": ", i ? "," : "",
                   p->severity, p->kind);
            cli_json_string(stdout, p->message);
            printf(", \"node\": ");
            cli_json_string(stdout, p->node[0] ? p->node : NULL);
            printf(", \"op\": ");
            cli_json_string(stdout, p->op[0] ? p->op : NULL);
            if (p->offset >= 0) printf(", \"file_offset\": %" PRId64 "}", p->offset);
            else printf(", \"file_offset\": null}");
        }
        printf("%s]\n}\n", f->n ? "\n  " : "");
    } else {
        printf("%s: %s\n", path, m ? cli_format_title(format) : "not loaded");
        for (int i = 0; i < f->n; i++) {
            const problem *p = &f->items[i];
            printf("  %-7s %-18s %s", p->severity, p->kind, p->message);
            if (p->node[0] && !strstr(p->message, p->node)) printf(" [node %s]", cli_text(p->node));
            if (p->offset >= 0) printf(" [file offset %" PRId64 "]", p->offset);
            printf("\n");
        }
        printf("%s: %d error%s, %d warning%s\n", ok ? "ok" : "problems", f->errors,
               f->errors == 1 ? "" : "s", f->warnings, f->warnings == 1 ? "" : "s");
    }
    frost_model_free(m);
    free(f);
    return ok ? CLI_EXIT_OK : CLI_EXIT_RUNTIME;
}
