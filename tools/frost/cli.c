/* cli.c — helpers shared by the frost subcommands (see cli.h): option parsing, error printing,
 * and formatting. Errors always go to stderr so stdout stays clean for --json and pipes; nothing
 * here exits the process — commands return exit codes so they can clean up. */
#include "cli.h"
#include "inspect_json.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>

int cli_usage_error(const char *cmd, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "frost%s%s: ", cmd ? " " : "", cmd ? cmd : "");
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'frost%s%s --help'.\n", cmd ? " " : "", cmd ? cmd : "");
    return CLI_EXIT_USAGE;
}

void cli_print_error(const char *cmd, const char *what, const frost_error *err) {
    fprintf(stderr, "frost %s: %s%s%s [%s]\n", cmd, what ? what : "", what ? ": " : "",
            err->message[0] ? err->message : "(no message)", frost_status_name(err->code));
    if (err->node[0]) fprintf(stderr, "  node:        %s\n", err->node);
    if (err->op[0]) fprintf(stderr, "  op:          %s\n", err->op);
    if (err->file_offset >= 0)
        fprintf(stderr, "  file offset: %" PRId64 " (0x%" PRIx64 ")\n", err->file_offset,
                (uint64_t)err->file_offset);
}

int cli_option(const char *cmd, int argc, char **argv, int *i, const char *name, const char *alias,
               const char **value) {
    const char *arg = argv[*i];
    const char *names[2] = {name, alias};
    for (int k = 0; k < 2; k++) {
        const char *n = names[k];
        if (!n) continue;
        size_t len = strlen(n);
        if (strncmp(arg, n, len) != 0) continue;
        if (arg[len] == '=' && n[1] == '-') {   /* only long options take "=VALUE" */
            *value = arg + len + 1;
            return 1;
        }
        if (arg[len] != 0) continue;
        if (*i + 1 >= argc) {
            cli_usage_error(cmd, "option %s needs a value", n);
            return -1;
        }
        *value = argv[++*i];
        return 1;
    }
    return 0;
}

bool cli_parse_int(const char *cmd, const char *option, const char *text, long long min,
                   long long max, long long *out) {
    char *end = NULL;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (errno || end == text || *end != 0 || v < min || v > max) {
        cli_usage_error(cmd, "%s wants an integer from %lld to %lld, not '%s'", option, min, max,
                        text);
        return false;
    }
    *out = v;
    return true;
}

/* "1", "0.5", "true", "false" (booleans as TF and Python spell them). */
static bool parse_scalar(const char *text, double *out) {
    if (strcmp(text, "true") == 0 || strcmp(text, "True") == 0) return *out = 1, true;
    if (strcmp(text, "false") == 0 || strcmp(text, "False") == 0) return *out = 0, true;
    char *end = NULL;
    errno = 0;
    *out = strtod(text, &end);
    return end != text && *end == 0 && errno == 0;
}

int cli_load_flag(const char *cmd, int argc, char **argv, int *i, cli_load_flags *f) {
    const char *v = NULL;
    int r;
    if ((r = cli_option(cmd, argc, argv, i, "--set", NULL, &v)) != 0) {
        if (r < 0) return -1;
        const char *eq = strchr(v, '=');
        double value;
        if (!eq || eq == v) {
            cli_usage_error(cmd, "--set wants NAME=VALUE, not '%s'", v);
            return -1;
        }
        if (!parse_scalar(eq + 1, &value)) {
            cli_usage_error(cmd, "--set %s: '%s' is not a number, true or false", v, eq + 1);
            return -1;
        }
        if (f->n_sets == CLI_MAX_SETS) {
            cli_usage_error(cmd, "more than %d --set", CLI_MAX_SETS);
            return -1;
        }
        /* The name is argv's own text up to '=', cut there in place (argv outlives the load). */
        *(char *)eq = 0;
        f->sets[f->n_sets].name = v;
        f->sets[f->n_sets].value = value;
        f->n_sets++;
        return 1;
    }
    if ((r = cli_option(cmd, argc, argv, i, "--precision", NULL, &v)) != 0) {
        if (r < 0) return -1;
        if (strcmp(v, "f32") == 0) f->precision = FROST_PRECISION_F32;
        else if (strcmp(v, "bf16") == 0) f->precision = FROST_PRECISION_BF16;
        else if (strcmp(v, "int8") == 0) f->precision = FROST_PRECISION_INT8;
        else {
            cli_usage_error(cmd, "--precision wants f32, bf16 or int8, not '%s'", v);
            return -1;
        }
        return 1;
    }
    if ((r = cli_option(cmd, argc, argv, i, "--tag", NULL, &v)) != 0) {
        if (r < 0) return -1;
        f->tag = v;
        return 1;
    }
    if ((r = cli_option(cmd, argc, argv, i, "--signature", NULL, &v)) != 0) {
        if (r < 0) return -1;
        f->signature = v;
        return 1;
    }
    if ((r = cli_option(cmd, argc, argv, i, "--outputs", NULL, &v)) != 0) {
        if (r < 0) return -1;
        size_t len = strlen(v);
        if (len == 0 || len >= sizeof f->outputs_text) {
            cli_usage_error(cmd, "--outputs wants NAME[,NAME...]");
            return -1;
        }
        memcpy(f->outputs_text, v, len + 1);
        f->n_outputs = 0;
        for (char *p = f->outputs_text; p && *p;) {
            char *comma = strchr(p, ',');
            if (comma) *comma = 0;
            if (*p) {
                if (f->n_outputs == 64) {
                    cli_usage_error(cmd, "--outputs names more than 64 tensors");
                    return -1;
                }
                f->outputs[f->n_outputs++] = p;
            }
            p = comma ? comma + 1 : NULL;
        }
        return 1;
    }
    return 0;
}

void cli_load_options(const cli_load_flags *f, frost_load_options *out) {
    memset(out, 0, sizeof *out);
    out->struct_size = sizeof *out;
    if (!f) return;
    out->fixed_inputs = f->n_sets ? f->sets : NULL;
    out->n_fixed_inputs = f->n_sets;
    out->weights_precision = f->precision;
    out->tag = f->tag;
    out->signature = f->signature;
    out->outputs = f->n_outputs ? f->outputs : NULL;
    out->n_outputs = f->n_outputs;
}

bool cli_load_model(const char *cmd, const char *path, const cli_load_flags *flags,
                    const frost_allocator *allocator, const char *const *outputs, int n_outputs,
                    frost_model **out) {
    frost_load_options opts;
    cli_load_options(flags, &opts);
    opts.allocator = allocator;
    if (n_outputs > 0) {
        opts.outputs = outputs;
        opts.n_outputs = n_outputs;
    }
    frost_error err = {0};
    err.file_offset = -1;
    if (frost_model_load_file(path, &opts, out, &err) == FROST_OK) return true;
    char what[1100];
    snprintf(what, sizeof what, "cannot load '%s'", path);
    cli_print_error(cmd, what, &err);
    return false;
}

const char *cli_format_title(frost_format f) { return inspect_format_title(f); }

const char *cli_format_id(frost_format f) { return inspect_format_id(f); }

const char *cli_shape(const frost_tensor_info *t, char *buf, size_t cap) {
    if (t->rank < 0 || t->rank > FROST_MAX_RANK) {
        snprintf(buf, cap, "?");
        return buf;
    }
    size_t n = 0;
    n += (size_t)snprintf(buf, cap, "[");
    for (int i = 0; i < t->rank && n < cap; i++) {
        if (t->dims[i] < 0)
            n += (size_t)snprintf(buf + n, cap - n, "%s?", i ? ", " : "");
        else
            n += (size_t)snprintf(buf + n, cap - n, "%s%" PRId64, i ? ", " : "", t->dims[i]);
    }
    if (n < cap) snprintf(buf + n, cap - n, "]");
    return buf;
}

void cli_json_shape(FILE *f, const frost_tensor_info *t) { inspect_json_shape(f, t); }

void cli_json_string(FILE *f, const char *s) { inspect_json_string(f, s); }

const char *cli_bytes(int64_t bytes, char *buf, size_t cap) {
    const char *units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = (double)bytes;
    int u = 0;
    while (v >= 1024 && u < 4) {
        v /= 1024;
        u++;
    }
    if (u == 0)
        snprintf(buf, cap, "%" PRId64 " B", bytes);
    else
        snprintf(buf, cap, "%.1f %s", v, units[u]);
    return buf;
}

const char *cli_thousands(int64_t v, char *buf, size_t cap) {
    char digits[32];
    snprintf(digits, sizeof digits, "%" PRId64, v < 0 ? -v : v);
    size_t len = strlen(digits), n = 0;
    if (v < 0 && n + 1 < cap) buf[n++] = '-';
    for (size_t i = 0; i < len && n + 2 < cap; i++) {
        if (i && (len - i) % 3 == 0) buf[n++] = ',';
        buf[n++] = digits[i];
    }
    buf[n] = 0;
    return buf;
}

int64_t cli_numel(const frost_tensor_info *t) {
    if (t->rank < 0 || t->rank > FROST_MAX_RANK) return -1;
    int64_t n = 1;
    for (int i = 0; i < t->rank; i++) {
        if (t->dims[i] < 0 || __builtin_mul_overflow(n, t->dims[i], &n)) return -1;
    }
    return n;
}

const char *cli_text(const char *s) {
    static char bufs[8][1024];
    static unsigned next;
    char *b = bufs[next++ % 8];
    frost_escape_text(b, sizeof bufs[0], s ? s : "?");
    return b;
}
