/* cli.c — helpers shared by the frost subcommands (see cli.h): option parsing, error printing,
 * and formatting. Errors always go to stderr so stdout stays clean for --json and pipes; nothing
 * here exits the process — commands return exit codes so they can clean up. */
#include "cli.h"

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

bool cli_load_model(const char *cmd, const char *path, const frost_allocator *allocator,
                    frost_model **out) {
    frost_load_options opts = {0};
    opts.struct_size = sizeof opts;
    opts.allocator = allocator;
    frost_error err = {0};
    err.file_offset = -1;
    if (frost_model_load_file(path, &opts, out, &err) == FROST_OK) return true;
    char what[1100];
    snprintf(what, sizeof what, "cannot load '%s'", path);
    cli_print_error(cmd, what, &err);
    return false;
}

const char *cli_format_title(frost_format f) {
    switch (f) {
    case FROST_FORMAT_TF_GRAPHDEF: return "TensorFlow GraphDef";
    case FROST_FORMAT_ONNX: return "ONNX";
    case FROST_FORMAT_KERAS_H5: return "Keras HDF5";
    case FROST_FORMAT_KERAS_V3: return "Keras v3";
    case FROST_FORMAT_TFJS_LAYERS: return "TensorFlow.js layers";
    case FROST_FORMAT_TFJS_GRAPH: return "TensorFlow.js graph";
    default: return "unknown";
    }
}

const char *cli_format_id(frost_format f) {
    switch (f) {
    case FROST_FORMAT_TF_GRAPHDEF: return "tf_graphdef";
    case FROST_FORMAT_ONNX: return "onnx";
    case FROST_FORMAT_KERAS_H5: return "keras_h5";
    case FROST_FORMAT_KERAS_V3: return "keras_v3";
    case FROST_FORMAT_TFJS_LAYERS: return "tfjs_layers";
    case FROST_FORMAT_TFJS_GRAPH: return "tfjs_graph";
    default: return "unknown";
    }
}

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

void cli_json_shape(FILE *f, const frost_tensor_info *t) {
    if (t->rank < 0 || t->rank > FROST_MAX_RANK) {
        fputs("null", f);
        return;
    }
    fputc('[', f);
    for (int i = 0; i < t->rank; i++) {
        if (i) fputs(", ", f);
        if (t->dims[i] < 0)
            fputs("null", f);
        else
            fprintf(f, "%" PRId64, t->dims[i]);
    }
    fputc(']', f);
}

void cli_json_string(FILE *f, const char *s) {
    if (!s) {
        fputs("null", f);
        return;
    }
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': fputs("\\\"", f); break;
        case '\\': fputs("\\\\", f); break;
        case '\n': fputs("\\n", f); break;
        case '\r': fputs("\\r", f); break;
        case '\t': fputs("\\t", f); break;
        default:
            if (*p < 0x20)
                fprintf(f, "\\u%04x", *p);
            else
                fputc(*p, f);
        }
    }
    fputc('"', f);
}

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
