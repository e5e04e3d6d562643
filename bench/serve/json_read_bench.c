/* json_read_bench.c — reading the expert model's v2 request (784 pixels of the first Fashion-MNIST
 * test image as JSON numbers) into a float buffer: cJSON (parse, then walk the array) against
 * frost serve's reader (tools/serve/json_reader.c + numbers.c). Best and median of 20,000 rounds
 * each; both results are compared bit for bit. The reason frost serve does not use cJSON for
 * request bodies (docs/serving.md).
 *   json_read_bench [t10k-images-idx3-ubyte.gz] */
#include "serve.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define ROUNDS 20000

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    const char *path = argc > 1 ? argv[1] : "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz";
    gzFile f = gzopen(path, "rb");
    unsigned char head[16], px[784];
    if (!f || gzread(f, head, 16) != 16 || gzread(f, px, 784) != 784) {
        fprintf(stderr, "json_read_bench: cannot read %s\n", path);
        return 1;
    }
    gzclose(f);
    static char body[65536];
    size_t n = (size_t)snprintf(body, sizeof body, "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,1,28,28],"
                                "\"datatype\":\"FP32\",\"data\":[");
    for (int k = 0; k < 784; k++) n += (size_t)snprintf(body + n, sizeof body - n, "%s%.9g", k ? "," : "", (double)(px[k] / 255.0f));
    n += (size_t)snprintf(body + n, sizeof body - n, "]}]}");
    static float a[784], b[784];
    static double t_cjson[ROUNDS], t_frost[ROUNDS];
    for (int r = 0; r < ROUNDS; r++) {
        uint64_t t0 = serve_now_ns();
        cJSON *j = cJSON_ParseWithLength(body, n);
        cJSON *data = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j, "inputs"), 0), "data");
        int k = 0;
        const cJSON *e;
        cJSON_ArrayForEach(e, data) if (k < 784) a[k++] = (float)e->valuedouble;
        cJSON_Delete(j);
        uint64_t t1 = serve_now_ns();
        serve_json_arena_reset();
        serve_jv *root;
        serve_error err;
        if (!serve_json_parse(body, n, &root, &err)) return fprintf(stderr, "%s\n", err.message), 1;
        const serve_jv *d = serve_jv_get(serve_jv_get(root, "inputs")->child, "data");
        if (!serve_json_decode(d, FROST_DTYPE_F32, b, 784, "data", &err)) return fprintf(stderr, "%s\n", err.message), 1;
        uint64_t t2 = serve_now_ns();
        t_cjson[r] = (double)(t1 - t0) / 1e3;
        t_frost[r] = (double)(t2 - t1) / 1e3;
    }
    /* cJSON's double rounded to float can differ from the float nearest the text in rare cases;
     * frost's reader is exact: count differences rather than fail */
    int differ = 0;
    for (int k = 0; k < 784; k++) differ += memcmp(&a[k], &b[k], 4) != 0;
    qsort(t_cjson, ROUNDS, sizeof(double), cmp);
    qsort(t_frost, ROUNDS, sizeof(double), cmp);
    printf("%zu-byte request, 784 numbers, %d rounds\n", n, ROUNDS);
    printf("cJSON parse + walk:              best %6.1f us, median %6.1f us\n", t_cjson[0], t_cjson[ROUNDS / 2]);
    printf("frost serve reader + decode:     best %6.1f us, median %6.1f us\n", t_frost[0], t_frost[ROUNDS / 2]);
    printf("values that differ between the two: %d\n", differ);
    serve_json_arena_release();
    return 0;
}
