/* make_keras_seeds.c — writes seed files for fuzz_keras_h5, fuzz_keras_v3 and fuzz_run: each TF.js
 * fixture under tests/data/keras/tfjs (Keras config + float32 weight shards) rewritten as a Keras 2
 * style .h5 and as .keras archives (metadata saying Keras 2 and Keras 3), through the same builders
 * the importer tests use (tests/import/keras_builder.h). Only a seed maker: it trusts its input,
 * skips what it cannot convert, and must never write anywhere but the two output folders.
 *
 * usage: make_keras_seeds TFJS_FIXTURES_DIR OUT_H5_DIR OUT_KERAS_DIR */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#include "keras_builder.h"
#pragma GCC diagnostic pop

#include <cjson/cJSON.h>
#include <dirent.h>

static char *slurp(const char *path, size_t *size) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    if (fread(buf, 1, (size_t)n, f) != (size_t)n) n = 0;
    buf[n] = 0;
    fclose(f);
    *size = (size_t)n;
    return buf;
}

static void spit(const char *dir, const char *name, const char *ext, const void *data, size_t size) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s%s", dir, name, ext);
    FILE *f = fopen(path, "wb");
    if (!f) return;
    fwrite(data, 1, size, f);
    fclose(f);
}

static void convert(const char *fixtures, const char *name, const char *out_h5, const char *out_keras) {
    char path[1024];
    size_t jsize;
    snprintf(path, sizeof path, "%s/%s/model.json", fixtures, name);
    char *text = slurp(path, &jsize);
    if (!text) return;
    cJSON *root = cJSON_Parse(text);
    cJSON *topo = cJSON_GetObjectItem(root, "modelTopology");
    cJSON *cfg = cJSON_GetObjectItem(topo, "model_config");
    char *config = cJSON_PrintUnformatted(cfg ? cfg : topo);
    /* One group per fixture: its shards joined. */
    cJSON *group = cJSON_GetArrayItem(cJSON_GetObjectItem(root, "weightsManifest"), 0);
    unsigned char *bytes = NULL;
    size_t nbytes = 0;
    cJSON *p;
    cJSON_ArrayForEach(p, cJSON_GetObjectItem(group, "paths")) {
        size_t n;
        snprintf(path, sizeof path, "%s/%s/%s", fixtures, name, p->valuestring);
        char *shard = slurp(path, &n);
        if (!shard) continue;
        bytes = realloc(bytes, nbytes + n);
        memcpy(bytes + nbytes, shard, n);
        nbytes += n;
        free(shard);
    }
    kb_weight w[256];
    char layers[256][128], names[256][128];
    int nw = 0;
    size_t off = 0;
    cJSON *e;
    cJSON_ArrayForEach(e, cJSON_GetObjectItem(group, "weights")) {
        if (nw == 256) break;
        const char *full = cJSON_GetObjectItem(e, "name")->valuestring;
        const char *slash = strrchr(full, '/');
        cJSON *shape = cJSON_GetObjectItem(e, "shape");
        int rank = cJSON_GetArraySize(shape);
        size_t numel = 1;
        for (int i = 0; i < rank && i < 4; i++) numel *= (size_t)cJSON_GetArrayItem(shape, i)->valuedouble;
        if (off + numel * 4 > nbytes || rank > 4 || !slash) break;
        /* The layer is the component before the weight's own name ("block/conv/kernel": conv). */
        const char *start = slash;
        while (start > full && start[-1] != '/') start--;
        snprintf(layers[nw], sizeof layers[nw], "%.*s", (int)(slash - start), start);
        snprintf(names[nw], sizeof names[nw], "%s", slash + 1);
        w[nw].layer = layers[nw];
        w[nw].name = names[nw];
        w[nw].rank = rank;
        for (int i = 0; i < rank; i++) w[nw].dims[i] = (hsize_t)cJSON_GetArrayItem(shape, i)->valuedouble;
        w[nw].data = (const float *)(bytes + off);
        off += numel * 4;
        nw++;
    }
    size_t size;
    void *h5 = kb_h5(config, w, nw, &size);
    spit(out_h5, name, ".h5", h5, size);
    free(h5);
    size_t wn;
    void *weights = kb_v3_weights(w, nw, &wn);
    const char *metas[] = {"{\"keras_version\": \"3.1.1\"}", "{\"keras_version\": \"2.15.0\"}"};
    const char *suffix[] = {"_k3.keras", "_k2.keras"};
    for (int i = 0; i < 2; i++) {
        const char *members[] = {"metadata.json", "config.json", "model.weights.h5"};
        const void *data[] = {metas[i], config, weights};
        size_t sizes[] = {strlen(metas[i]), strlen(config), wn};
        void *z = kb_zip(members, data, sizes, 3, &size);
        spit(out_keras, name, suffix[i], z, size);
        free(z);
    }
    free(weights);
    free(bytes);
    cJSON_free(config);
    cJSON_Delete(root);
    free(text);
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: make_keras_seeds TFJS_FIXTURES_DIR OUT_H5_DIR OUT_KERAS_DIR\n");
        return 2;
    }
    DIR *d = opendir(argv[1]);
    if (!d) {
        perror(argv[1]);
        return 1;
    }
    struct dirent *de;
    while ((de = readdir(d)))
        if (de->d_name[0] != '.') convert(argv[1], de->d_name, argv[2], argv[3]);
    closedir(d);
    return 0;
}
