/* main.c — the frost command-line tool: dispatches to one file per subcommand (inspect, run,
 * bench). It must stay small: no command logic here, and nothing but usage text on stdout. */
#include "cli.h"

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} commands[] = {
    {"inspect", cmd_inspect, "show a model's inputs, outputs, ops, parameters and load report"},
    {"run", cmd_run, "run a model on .npy inputs and write or print its outputs"},
    {"bench", cmd_bench, "time one prediction at a time on MNIST-format data"},
    {"check", cmd_check, "list every problem that keeps a model from loading or planning"},
    {"serve", cmd_serve, "serve models over HTTP (KServe v2 and TF Serving REST APIs)"},
    {"freeze", cmd_freeze, "write a SavedModel's or checkpoint's frozen GraphDef (.pb)"},
};
#define COMMAND_COUNT (sizeof commands / sizeof commands[0])

static void usage(FILE *f) {
    fprintf(f, "usage: frost <command> [options]\n\ncommands:\n");
    for (size_t i = 0; i < COMMAND_COUNT; i++)
        fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\n'frost <command> --help' describes a command. 'frost --version' prints %s.\n"
               "Exit codes: 0 success, 1 runtime failure, 2 usage error.\n",
            frost_version());
}

int main(int argc, char **argv) {
    if (argc < 2) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (cli_is_help(cmd) || strcmp(cmd, "help") == 0) {
        if (strcmp(cmd, "help") == 0 && argc > 2) {
            /* "frost help run" is "frost run --help" */
            for (size_t i = 0; i < COMMAND_COUNT; i++)
                if (strcmp(argv[2], commands[i].name) == 0) {
                    char *args[] = {argv[2], "--help", NULL};
                    return commands[i].run(2, args);
                }
            return cli_usage_error(NULL, "unknown command '%s'", argv[2]);
        }
        usage(stdout);
        return CLI_EXIT_OK;
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0) {
        printf("frost %s\n", frost_version());
        return CLI_EXIT_OK;
    }
    for (size_t i = 0; i < COMMAND_COUNT; i++)
        if (strcmp(cmd, commands[i].name) == 0) return commands[i].run(argc - 1, argv + 1);
    return cli_usage_error(NULL, "unknown command '%s'", cmd);
}
