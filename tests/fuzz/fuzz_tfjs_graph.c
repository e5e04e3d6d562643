/* fuzz_tfjs_graph.c — libFuzzer target for the TensorFlow.js graph-model loader (model.json whose
 * modelTopology is a GraphDef in JSON, plus weight shards). Each input is split at its first NUL
 * byte into the JSON (before) and the shard bytes (after). The shard bytes are offered three ways,
 * so a manifest may name any of them: whole as weights.bin, and cut in two at their middle as
 * w1.bin and w2.bin (a weight may then straddle two shards). The model is loaded twice — from the
 * files in this process's temporary folder, and from memory with the same shards in
 * frost_load_options.files — and both loads must agree on the status; a model that loads is
 * planned and run on zeros. Seeds (scripts/fuzz.sh) are the fixtures of tests/data/tfjs_graph with
 * their shards joined into weights.bin.
 *
 * It must never write outside its temporary folder, which it removes at exit. */
#include "fuzz_common.h"

#include <unistd.h>

static char fuzz_dir[256];
static char json_path[300];
static char shard_path[3][300];
static const char *const shard_names[3] = {"weights.bin", "w1.bin", "w2.bin"};

static void remove_dir(void) {
    unlink(json_path);
    for (int i = 0; i < 3; i++) unlink(shard_path[i]);
    rmdir(fuzz_dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    const char *tmp = getenv("TMPDIR");
    snprintf(fuzz_dir, sizeof fuzz_dir, "%s/frost-fuzz-tfjs-graph-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(fuzz_dir)) {
        perror("mkdtemp");
        abort();
    }
    snprintf(json_path, sizeof json_path, "%s/model.json", fuzz_dir);
    for (int i = 0; i < 3; i++)
        snprintf(shard_path[i], sizeof shard_path[i], "%s/%s", fuzz_dir, shard_names[i]);
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
    const uint8_t *shards = nul ? nul + 1 : data + size;
    size_t shards_size = nul ? size - json_size - 1 : 0, half = shards_size / 2;
    write_file(json_path, data, json_size);
    write_file(shard_path[0], shards, shards_size);
    write_file(shard_path[1], shards, half);
    write_file(shard_path[2], shards + half, shards_size - half);

    frost_load_options o = fuzz_options(FROST_FORMAT_TFJS_GRAPH);
    frost_model *m = NULL;
    frost_error err;
    frost_status st = frost_model_load_file(json_path, &o, &m, &err);
    fuzz_check_error(st, &err);
    if (st != FROST_OK && m) abort();

    /* The same model from memory, the folder's files given in memory: the same verdict (a shard
     * missing from the folder is FROST_E_IO, missing from the files FROST_E_NOT_FOUND). */
    frost_memory_file files[4] = {
        {shard_names[0], shards, shards_size}, {shard_names[1], shards, half},
        {shard_names[2], shards + half, shards_size - half}, {"model.json", data, json_size},
    };
    o.files = files;
    o.n_files = 4;
    frost_model *mm = NULL;
    frost_error err2;
    frost_status st2 = frost_model_load_memory(json_size ? data : (const uint8_t *)"", json_size, &o,
                                               &mm, &err2);
    fuzz_check_error(st2, &err2);
    if (st2 != FROST_OK && mm) abort();
    bool missing = (st == FROST_E_IO || st == FROST_E_NOT_FOUND) &&
                   (st2 == FROST_E_IO || st2 == FROST_E_NOT_FOUND);
    if (st != st2 && !missing) {
        fprintf(stderr, "fuzz: from a file: %s (%s); from memory: %s (%s)\n", frost_status_name(st),
                st ? err.message : "", frost_status_name(st2), st2 ? err2.message : "");
        abort();
    }
    frost_model_free(mm);
    if (st != FROST_OK) return 0;
    fuzz_introspect(m);
    fuzz_run_zeros(m);
    frost_model_free(m);
    return 0;
}
