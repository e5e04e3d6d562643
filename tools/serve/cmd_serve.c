/* cmd_serve.c — `frost serve`: reads the command line into serve_options and runs the server
 * (server.c). Only option parsing lives here; a bad option is a usage error (exit 2) before
 * anything is loaded or bound. */
#include "cli.h"
#include "serve.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

static const char serve_help[] =
    "usage: frost serve --model-repository DIR [options]\n"
    "       frost serve MODEL [--name NAME] [options]\n"
    "\n"
    "Serves models over HTTP/1.1 with two APIs: KServe's Open Inference Protocol v2 (REST, with the\n"
    "binary tensor data extension) and TensorFlow Serving's REST API. DIR holds NAME/VERSION/model.*\n"
    "(onnx, pb, h5, keras, tflite, json) or a SavedModel (saved_model.pb) per version; the highest\n"
    "version serves, and a new version directory is loaded and swapped in while serving.\n"
    "\n"
    "  --model-repository DIR   the repository (rescanned every --poll-seconds)\n"
    "  --name NAME              the model's name with a single MODEL (default: the file's stem)\n"
    "  --host ADDR              address to listen on (default 127.0.0.1; 0.0.0.0 in containers)\n"
    "  --port N                 TCP port (default 8000; 0 picks a free one, printed on stdout)\n"
    "  --threads N              HTTP worker threads and sessions per model (default: CPU count)\n"
    "  --model-threads N        threads each session runs a model with (default 1)\n"
    "  --max-body-bytes B       largest request body (default 67108864); larger gets 413\n"
    "  --poll-seconds S         repository rescan interval (default 2; 0 disables)\n"
    "  --drain-seconds S        on SIGTERM, how long in-flight requests may take (default 30)\n"
    "  --idle-timeout S         close keep-alive connections idle this long (default 60)\n"
    "  --quiet                  no log lines on stderr\n"
    "  --timing-header          add a Frost-Timing header to each response: when the server got the\n"
    "                           request, its body, started and ended the model run, and replied\n"
    "                           (CLOCK_MONOTONIC ns; for latency breakdowns on the same host)\n"
    "\n"
    "Endpoints: GET /v2/health/live, /v2/health/ready, /v2, /v2/models/NAME[/versions/V][/ready],\n"
    "POST /v2/models/NAME[/versions/V]/infer; GET /v1/models/NAME[/versions/V][/metadata],\n"
    "POST /v1/models/NAME[/versions/V]:predict; GET /metrics (Prometheus).\n";

static bool parse_seconds(const char *opt, const char *text, double max, double *out) {
    char *end = NULL;
    errno = 0;
    double v = strtod(text, &end);
    if (errno || end == text || *end || !(v >= 0 && v <= max)) {
        cli_usage_error("serve", "%s wants seconds from 0 to %g, not '%s'", opt, max, text);
        return false;
    }
    *out = v;
    return true;
}

/* "models/expert.onnx" -> "expert"; ".../beginner/model.json" -> "beginner" */
static void default_name(const char *path, char *out, size_t cap) {
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t n = strcspn(base, ".");
    if ((n == 5 && strncmp(base, "model", 5) == 0) || (n == 11 && strncmp(base, "saved_model", 11) == 0)) {
        /* the folder names it */
        const char *end = base > path ? base - 1 : path;
        const char *start = end;
        while (start > path && start[-1] != '/') start--;
        if (end > start) {
            snprintf(out, cap, "%.*s", (int)(end - start), start);
            return;
        }
    }
    snprintf(out, cap, "%.*s", (int)n, base);
}

int cmd_serve(int argc, char **argv) {
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    serve_options o = {.host = "127.0.0.1", .port = 8000, .threads = cpus > 0 ? (int)cpus : 1,
                       .model_threads = 1, .max_body_bytes = (size_t)64 << 20, .poll_seconds = 2,
                       .drain_seconds = 30, .idle_timeout_seconds = 60};
    char name[SERVE_NAME_MAX];
    for (int i = 1; i < argc; i++) {
        const char *v = NULL, *a = argv[i];
        long long n;
        int r;
        if (cli_is_help(a)) {
            fputs(serve_help, stdout);
            return CLI_EXIT_OK;
        }
        if ((r = cli_option("serve", argc, argv, &i, "--model-repository", NULL, &v))) {
            if (r < 0) return CLI_EXIT_USAGE;
            o.repository = v;
        } else if ((r = cli_option("serve", argc, argv, &i, "--name", NULL, &v))) {
            if (r < 0) return CLI_EXIT_USAGE;
            o.name = v;
        } else if ((r = cli_option("serve", argc, argv, &i, "--host", NULL, &v))) {
            if (r < 0) return CLI_EXIT_USAGE;
            o.host = v;
        } else if ((r = cli_option("serve", argc, argv, &i, "--port", NULL, &v))) {
            if (r < 0 || !cli_parse_int("serve", "--port", v, 0, 65535, &n)) return CLI_EXIT_USAGE;
            o.port = (int)n;
        } else if ((r = cli_option("serve", argc, argv, &i, "--threads", NULL, &v))) {
            if (r < 0 || !cli_parse_int("serve", "--threads", v, 1, 1024, &n)) return CLI_EXIT_USAGE;
            o.threads = (int)n;
        } else if ((r = cli_option("serve", argc, argv, &i, "--model-threads", NULL, &v))) {
            if (r < 0 || !cli_parse_int("serve", "--model-threads", v, 1, 256, &n)) return CLI_EXIT_USAGE;
            o.model_threads = (int)n;
        } else if ((r = cli_option("serve", argc, argv, &i, "--max-body-bytes", NULL, &v))) {
            if (r < 0 || !cli_parse_int("serve", "--max-body-bytes", v, 1, (long long)1 << 40, &n))
                return CLI_EXIT_USAGE;
            o.max_body_bytes = (size_t)n;
        } else if ((r = cli_option("serve", argc, argv, &i, "--poll-seconds", NULL, &v))) {
            if (r < 0 || !parse_seconds("--poll-seconds", v, 86400, &o.poll_seconds)) return CLI_EXIT_USAGE;
        } else if ((r = cli_option("serve", argc, argv, &i, "--drain-seconds", NULL, &v))) {
            if (r < 0 || !parse_seconds("--drain-seconds", v, 86400, &o.drain_seconds)) return CLI_EXIT_USAGE;
        } else if ((r = cli_option("serve", argc, argv, &i, "--idle-timeout", NULL, &v))) {
            if (r < 0 || !cli_parse_int("serve", "--idle-timeout", v, 1, 86400, &n)) return CLI_EXIT_USAGE;
            o.idle_timeout_seconds = (int)n;
        } else if (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0) {
            o.quiet = true;
        } else if (strcmp(a, "--timing-header") == 0) {
            o.timing_header = true;
        } else if (a[0] == '-' && a[1]) {
            return cli_usage_error("serve", "unknown option '%s'", a);
        } else if (o.single_model) {
            return cli_usage_error("serve", "one MODEL at a time (or --model-repository DIR for several)");
        } else {
            o.single_model = a;
        }
    }
    if (o.repository && o.single_model)
        return cli_usage_error("serve", "give either MODEL or --model-repository DIR, not both");
    if (!o.repository && !o.single_model) return cli_usage_error("serve", "no MODEL or --model-repository DIR given");
    if (o.name && !o.single_model) return cli_usage_error("serve", "--name goes with a single MODEL");
    if (o.single_model && !o.name) {
        default_name(o.single_model, name, sizeof name);
        o.name = name;
    }
    return serve_main(&o) == 0 ? CLI_EXIT_OK : CLI_EXIT_RUNTIME;
}
