/* test_profile.c — the session profile (frost_session_options.profile, frost_session_profile_*)
 * through the public API, on the committed ONNX CNN fixture (dynamic batch): one entry per step of the plan, every
 * run counted, times that add up and a fastest run no slower than the mean, node / op / kernel
 * strings, FLOPs that sum to frost_session_cost's, reset, a re-plan (new batch) starting over, no
 * allocation in profiled runs, and the errors: no profile (FROST_E_STATE), bad index, NULL. */
#include <stdlib.h>
#include <string.h>

#include "frost.h"
#include "test.h"

static long allocs;
static void *count_alloc(void *user, size_t bytes, size_t align) {
    (void)user;
    __atomic_fetch_add(&allocs, 1, __ATOMIC_RELAXED);
    void *p = NULL;
    return posix_memalign(&p, align < sizeof(void *) ? sizeof(void *) : align, bytes ? bytes : 1) ? NULL : p;
}
static void count_free(void *user, void *p) {
    (void)user;
    free(p);
}

int main(void) {
    const frost_allocator counting = {count_alloc, count_free, NULL};
    frost_load_options lo = {0};
    lo.struct_size = sizeof lo;
    lo.allocator = &counting;
    frost_model *m = NULL;
    frost_error err;
    if (!CHECK_OK(frost_model_load_file(frost_test_data("onnx/cnn_dynamic_op13.onnx"), &lo, &m, &err), &err))
        return frost_test_finish();

    /* Without the option: no profile. */
    frost_session *plain = NULL;
    CHECK_OK(frost_session_create(m, NULL, &plain, &err), &err);
    frost_step_profile sp;
    CHECK(frost_session_profile_count(plain) == 0);
    CHECK(frost_session_profile_step(plain, 0, &sp) == FROST_E_STATE);
    frost_session_profile_reset(plain); /* a no-op, never a crash */
    frost_session_free(plain);
    CHECK(frost_session_profile_count(NULL) == 0);
    CHECK(frost_session_profile_step(NULL, 0, &sp) == FROST_E_INVALID_ARG);
    frost_session_profile_reset(NULL);

    frost_session_options so = {0};
    so.struct_size = sizeof so;
    so.profile = 1;
    frost_session *s = NULL;
    if (!CHECK_OK(frost_session_create(m, &so, &s, &err), &err)) {
        frost_model_free(m);
        return frost_test_finish();
    }
    CHECK_OK(frost_session_plan(s, &err), &err);
    const int n = frost_session_profile_count(s);
    CHECK_MSG(n > 0 && n <= frost_model_node_count(m), "%d steps for %d nodes", n,
              frost_model_node_count(m));
    CHECK(frost_session_profile_step(s, n, &sp) == FROST_E_INVALID_ARG);
    CHECK(frost_session_profile_step(s, -1, &sp) == FROST_E_INVALID_ARG);
    CHECK(frost_session_profile_step(s, 0, NULL) == FROST_E_INVALID_ARG);
    /* The plan's warm run is not counted. */
    CHECK(frost_session_profile_step(s, 0, &sp) == FROST_OK && sp.runs == 0 && sp.total_us == 0);

    float *x = frost_session_input_data(s, 0);
    frost_tensor_info in;
    frost_session_input_info(s, 0, &in);
    int64_t numel = 1;
    for (int d = 0; d < in.rank; d++) numel *= in.dims[d];
    for (int64_t i = 0; i < numel; i++) x[i] = (float)(i % 13) / 13.0f;
    const long before = __atomic_load_n(&allocs, __ATOMIC_RELAXED);
    for (int r = 0; r < 5; r++) CHECK_OK(frost_session_run(s, &err), &err);
    CHECK_MSG(__atomic_load_n(&allocs, __ATOMIC_RELAXED) == before, "profiled runs allocated");

    frost_cost cost;
    CHECK_OK(frost_session_cost(s, &cost, &err), &err);
    double flops = 0, total = 0;
    for (int i = 0; i < n; i++) {
        if (!CHECK_OK(frost_session_profile_step(s, i, &sp), NULL)) break;
        CHECK_MSG(sp.runs == 5, "step %d: %lld runs", i, (long long)sp.runs);
        CHECK_MSG(sp.node && sp.op && sp.kernel && sp.kernel[0], "step %d: strings", i);
        CHECK_MSG(sp.total_us >= 0 && sp.min_us >= 0 && sp.min_us <= sp.total_us / 5 + 1e-9,
                  "step %d: total %g, fastest %g", i, sp.total_us, sp.min_us);
        flops += sp.flops;
        total += sp.total_us;
    }
    CHECK_MSG(total > 0, "no time measured");
    CHECK_MSG(flops > 0.999 * cost.flops && flops < 1.001 * cost.flops, "step FLOPs %g vs cost %g",
              flops, cost.flops);
    /* The conv steps name their kernel. */
    bool conv_named = false;
    for (int i = 0; i < n; i++) {
        frost_step_profile p;
        frost_session_profile_step(s, i, &p);
        conv_named |= strstr(p.op, "Conv") && strchr(p.kernel, '/') != NULL;
    }
    CHECK_MSG(conv_named, "no conv step says which kernel it runs");

    frost_session_profile_reset(s);
    CHECK(frost_session_profile_step(s, 0, &sp) == FROST_OK && sp.runs == 0 && sp.total_us == 0 &&
          sp.min_us == 0);
    CHECK_OK(frost_session_run(s, &err), &err);
    CHECK(frost_session_profile_step(s, 0, &sp) == FROST_OK && sp.runs == 1);

    /* A new batch re-plans: the timings start over. */
    if (in.rank >= 1) {
        in.dims[0] = 3;
        CHECK_OK(frost_session_set_input_shape(s, 0, in.rank, in.dims, &err), &err);
        CHECK_OK(frost_session_plan(s, &err), &err);
        CHECK(frost_session_profile_step(s, 0, &sp) == FROST_OK && sp.runs == 0);
        CHECK_OK(frost_session_run(s, &err), &err);
        CHECK(frost_session_profile_step(s, 0, &sp) == FROST_OK && sp.runs == 1);
    }
    frost_session_free(s);
    frost_model_free(m);
    return frost_test_finish();
}
