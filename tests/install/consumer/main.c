/* consumer.c — a program outside the frost tree, built against an installed frost (find_package or
 * pkg-config, shared or static): loads a model, runs it once on zeros, prints the argmax. */
#include <frost.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: consumer MODEL\n");
        return 2;
    }
    frost_model *m = NULL;
    frost_session *s = NULL;
    frost_error err;
    if (frost_model_load_file(argv[1], NULL, &m, &err) != FROST_OK ||
        frost_session_create(m, NULL, &s, &err) != FROST_OK) {
        fprintf(stderr, "consumer: %s\n", err.message);
        frost_model_free(m);
        return 1;
    }
    frost_tensor_info in;
    frost_session_input_info(s, 0, &in);
    size_t n = 1;
    for (int d = 0; d < in.rank; d++) n *= (size_t)in.dims[d];
    float *x = calloc(n, sizeof *x);
    int rc = 1;
    if (x && frost_session_set_input(s, 0, x, n * sizeof *x, &err) == FROST_OK &&
        frost_session_run(s, &err) == FROST_OK) {
        frost_tensor_info out;
        const float *y = frost_session_output_data(s, 0, &out);
        int best = 0;
        for (int i = 1; i < (int)out.dims[out.rank - 1]; i++)
            if (y[i] > y[best]) best = i;
        printf("frost %s (%d): argmax %d\n", frost_version(), frost_version_number(), best);
        rc = 0;
    } else {
        fprintf(stderr, "consumer: %s\n", err.message);
    }
    free(x);
    frost_session_free(s);
    frost_model_free(m);
    return rc;
}
