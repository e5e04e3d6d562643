/* fuzz_common.h — what every libFuzzer target in tests/fuzz shares: load options with small limits
 * (so a hostile file can only make frost refuse it, never allocate gigabytes), an allocator that
 * aborts when frost asks for more than those limits allow (proving each limit is enforced before
 * allocating), sanitizer defaults, and the "load, plan, run on zeros" driver.
 *
 * A target must never write outside its own temporary folder and never keep state between inputs
 * except that folder's name. */
#ifndef FROST_FUZZ_COMMON_H
#define FROST_FUZZ_COMMON_H

#include "frost.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Limits the fuzzers load with: far below the defaults, so a mutated dimension hits them fast. */
#define FUZZ_MAX_TENSOR_BYTES ((uint64_t)16 << 20)
#define FUZZ_MAX_ARENA_BYTES ((uint64_t)64 << 20)
#define FUZZ_MAX_NODES 20000
#define FUZZ_MAX_ATTR_LEN 100000
/* No single allocation frost makes may exceed this: the largest legitimate ones are a copy of the
 * file (max_file_bytes), one tensor, the arena, or a decompressed .keras member (4 x tensor). */
#define FUZZ_MAX_ONE_ALLOC ((size_t)160 << 20)

/* libzip allocates with plain malloc from sizes a corrupted file declares; a real malloc returns
 * NULL on absurd sizes and the library reports an error. Make AddressSanitizer do the same instead
 * of reporting the request (frost's own requests go through fuzz_alloc below). */
const char *__asan_default_options(void);
const char *__asan_default_options(void) {
    return "allocator_may_return_null=1:max_allocation_size_mb=1024:detect_odr_violation=0";
}

static void *fuzz_alloc(void *user, size_t bytes, size_t align) {
    (void)user;
    if (bytes > FUZZ_MAX_ONE_ALLOC) {
        fprintf(stderr, "fuzz: frost asked for %zu bytes in one allocation: a limit is not enforced "
                        "before allocating\n", bytes);
        abort();
    }
    if (align < sizeof(void *)) align = sizeof(void *);
    void *p = NULL;
    if (posix_memalign(&p, align, bytes ? bytes : 1) != 0) return NULL;
    return p;
}
static void fuzz_free(void *user, void *p) {
    (void)user;
    free(p);
}
static const frost_allocator fuzz_allocator = {fuzz_alloc, fuzz_free, NULL};

static frost_load_options fuzz_options(frost_format format) {
    frost_load_options o;
    memset(&o, 0, sizeof o);
    o.struct_size = sizeof o;
    o.format = format;
    o.allocator = &fuzz_allocator;
    o.max_file_bytes = (uint64_t)64 << 20;
    o.max_tensor_bytes = FUZZ_MAX_TENSOR_BYTES;
    o.max_nodes = FUZZ_MAX_NODES;
    o.max_arena_bytes = FUZZ_MAX_ARENA_BYTES;
    o.max_attr_len = FUZZ_MAX_ATTR_LEN;
    return o;
}

/* Every failure must say something: an empty message or an out-of-range status is a bug. */
static void fuzz_check_error(frost_status st, const frost_error *err) {
    /* FROST_FUZZ_VERBOSE=1 (replaying one file): say how far the input got. */
    if (getenv("FROST_FUZZ_VERBOSE"))
        fprintf(stderr, "fuzz: %s %s\n", frost_status_name(st), st ? err->message : "");
    if (st == FROST_OK) return;
    if ((int)st < 0 || st > FROST_E_INTERNAL || err->code != st || err->message[0] == 0) {
        fprintf(stderr, "fuzz: status %d with error code %d and message '%s'\n", (int)st,
                (int)err->code, err->message);
        abort();
    }
    if (memchr(err->message, 0, sizeof err->message) == NULL) abort();
}

/* Touches what introspection returns, so bad names or shapes surface under ASan. */
static void fuzz_introspect(const frost_model *m) {
    volatile size_t sink = 0;
    for (int i = 0; i < frost_model_input_count(m); i++) {
        frost_tensor_info info;
        if (frost_model_input_info(m, i, &info) == FROST_OK) sink += strlen(info.name) + (size_t)info.rank;
    }
    for (int i = 0; i < frost_model_output_count(m); i++) {
        frost_tensor_info info;
        if (frost_model_output_info(m, i, &info) == FROST_OK) sink += strlen(info.name) + (size_t)info.rank;
    }
    for (int i = 0; i < frost_model_node_count(m); i++) {
        frost_node_info n;
        if (frost_model_node_info(m, i, &n) == FROST_OK) sink += strlen(n.name) + strlen(n.op);
    }
    for (int i = 0; i < frost_model_report_count(m); i++) sink += strlen(frost_model_report_line(m, i));
    (void)sink;
}

/* Plans a session (unknown dims = 1; frost_session_plan, so its warm run is fuzzed too), fills
 * every input with zeros, runs, reads every output. */
static void fuzz_run_zeros(const frost_model *m) {
    frost_error err;
    frost_session *s = NULL;
    frost_status st = frost_session_create(m, NULL, &s, &err);
    fuzz_check_error(st, &err);
    if (st != FROST_OK) return;
    st = frost_session_plan(s, &err);
    fuzz_check_error(st, &err);
    bool ok = st == FROST_OK;
    for (int i = 0; i < frost_session_input_count(s) && ok; i++) {
        frost_tensor_info info;
        if (frost_session_input_info(s, i, &info) != FROST_OK) { ok = false; break; }
        size_t n = frost_dtype_size(info.dtype);
        for (int d = 0; d < info.rank; d++) n *= (size_t)(info.dims[d] > 0 ? info.dims[d] : 0);
        void *x = frost_session_input_data(s, i);
        if (!x) { ok = false; break; }
        memset(x, 0, n);
    }
    if (ok) {
        st = frost_session_run(s, &err);
        fuzz_check_error(st, &err);
        if (st == FROST_OK) {
            volatile unsigned char sink = 0;
            for (int i = 0; i < frost_session_output_count(s); i++) {
                frost_tensor_info info;
                const unsigned char *y = frost_session_output_data(s, i, &info);
                if (!y) continue;
                size_t n = frost_dtype_size(info.dtype);
                for (int d = 0; d < info.rank; d++) n *= (size_t)(info.dims[d] > 0 ? info.dims[d] : 0);
                for (size_t k = 0; k < n; k += 61) sink ^= y[k];
                if (n) sink ^= y[n - 1];
            }
            (void)sink;
        }
    }
    frost_session_free(s);
}

/* Loads from memory as `format`; with `run`, also plans and runs the model. */
__attribute__((unused)) static void fuzz_load_memory(const uint8_t *data, size_t size, frost_format format, bool run) {
    frost_load_options o = fuzz_options(format);
    frost_model *m = NULL;
    frost_error err;
    frost_status st = frost_model_load_memory(size ? data : (const uint8_t *)"", size, &o, &m, &err);
    fuzz_check_error(st, &err);
    if (st != FROST_OK) {
        if (m) abort(); /* out-parameters are NULL on failure */
        return;
    }
    fuzz_introspect(m);
    if (run) fuzz_run_zeros(m);
    frost_model_free(m);
}

#endif
