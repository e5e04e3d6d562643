/* fuzz_tfjs.c — libFuzzer target for the TensorFlow.js layers importer, which reads a path: each
 * input is split at its first NUL byte into model.json (before) and one weight shard, weights.bin
 * (after), both written into this process's own temporary folder, then loaded from there. Models
 * that load are also planned and run on zeros (TF.js models cannot reach fuzz_run.c, which loads
 * from memory). Seeds (scripts/fuzz.sh) are the fixtures with their shards joined into weights.bin.
 *
 * It must never write outside its temporary folder, which it removes at exit. */
#include "fuzz_common.h"

#include <unistd.h>

static char fuzz_dir[256];
static char json_path[300];
static char shard_path[300];

static void remove_dir(void) {
    unlink(json_path);
    unlink(shard_path);
    rmdir(fuzz_dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    const char *tmp = getenv("TMPDIR");
    snprintf(fuzz_dir, sizeof fuzz_dir, "%s/frost-fuzz-tfjs-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(fuzz_dir)) {
        perror("mkdtemp");
        abort();
    }
    snprintf(json_path, sizeof json_path, "%s/model.json", fuzz_dir);
    snprintf(shard_path, sizeof shard_path, "%s/weights.bin", fuzz_dir);
    atexit(remove_dir);
    return 0;
}

static void write_file(const char *path, const uint8_t *data, size_t size) {
    FILE *f = fopen(path, "wb");
    if (!f) abort();
    if (size && fwrite(data, 1, size, f) != size) abort();
    fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const uint8_t *nul = size ? memchr(data, 0, size) : NULL;
    size_t json_size = nul ? (size_t)(nul - data) : size;
    write_file(json_path, data, json_size);
    write_file(shard_path, nul ? nul + 1 : data, nul ? size - json_size - 1 : 0);

    frost_load_options o = fuzz_options(FROST_FORMAT_TFJS_LAYERS);
    frost_model *m = NULL;
    frost_error err;
    frost_status st = frost_model_load_file(json_path, &o, &m, &err);
    fuzz_check_error(st, &err);
    if (st != FROST_OK) {
        if (m) abort();
        return 0;
    }
    fuzz_introspect(m);
    fuzz_run_zeros(m);
    frost_model_free(m);
    return 0;
}
