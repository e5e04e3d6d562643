/* test_gemm_isa.c — every packed-GEMM kernel family this CPU can run (ref, avx2, avx512, and the
 * CBLAS one in a build configured with -DFROST_CBLAS=openblas|blis) against a
 * naive double-precision reference written here, across tile-boundary shapes (M, N, K around the
 * micro-tile sizes 6/10 rows, 8/16/32 columns, and the founding models' 784/800/3136), with and
 * without bias, every fused activation the kernels handle on registers plus ones they hand to the
 * ref tail, transposed and plain B, lda/ldc wider than the matrix, and column ranges [n0, n1) split
 * at n_align boundaries (and off them) with sentinels checking nothing outside the range is written.
 * Also checks that cpu probing honours FROST_MAX_ISA (in forked children, before the parent probes).
 * ISAs the host lacks are skipped. */
#include "test.h"

#include "kernels/gemm.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const float SENTINEL = -12345.5f;

static double act_only(double x, const frost__act_params *a);

/* The activation, then the clamp some carry after it (params.h). */
static double act_ref(double x, const frost__act_params *a) {
    x = act_only(x, a);
    if (a->clamp) x = x < a->lo ? a->lo : x > a->hi ? a->hi : x;
    return x;
}

static double act_only(double x, const frost__act_params *a) {
    switch (a->act) {
    case FROST__ACT_RELU: return x > 0 ? x : 0;
    case FROST__ACT_RELU6: return x < 0 ? 0 : x > 6 ? 6 : x;
    case FROST__ACT_CLIP: return x < a->alpha ? a->alpha : x > a->beta ? a->beta : x;
    case FROST__ACT_LEAKY_RELU: return x < 0 ? a->alpha * x : x;
    case FROST__ACT_SIGMOID: return 1.0 / (1.0 + exp(-x));
    case FROST__ACT_TANH: return tanh(x);
    case FROST__ACT_ELU: return x < 0 ? a->alpha * (exp(x) - 1) : x;
    default: return x;
    }
}

static const frost__act_params ACTS[] = {
    {FROST__ACT_NONE, 0, 0, false, 0, 0},          {FROST__ACT_RELU, 0, 0, false, 0, 0},       {FROST__ACT_RELU6, 0, 0, false, 0, 0},
    {FROST__ACT_CLIP, -0.5f, 0.75f, false, 0, 0},  {FROST__ACT_LEAKY_RELU, 0.1f, 0, false, 0, 0}, {FROST__ACT_SIGMOID, 0, 0, false, 0, 0},
    {FROST__ACT_TANH, 0, 0, false, 0, 0},          {FROST__ACT_ELU, 1.0f, 0, false, 0, 0},
    /* A constant Max/Min folded after the activation (passes/fuse.c): on registers for leaky
     * ReLU, composed into the bounds for a clamp, after the store for the others. */
    {FROST__ACT_LEAKY_RELU, 0.2f, 0, true, -0.4f, INFINITY},
    {FROST__ACT_LEAKY_RELU, 0.1f, 0, true, -0.05f, 0.6f},
    {FROST__ACT_RELU, 0, 0, true, -1.0f, 0.5f},
    {FROST__ACT_SIGMOID, 0, 0, true, 0.3f, 0.6f},
};
#define N_ACTS ((int)FROST_ARRAY_LEN(ACTS))

typedef struct problem {
    int M, N, K, lda, ldb, ldc;
    bool trans_b, has_bias;
    float *A, *B, *bias;
    double *want, *bound;   /* exact result before activation; sum |terms| for the tolerance */
} problem;

static void problem_reference(problem *p);

static void problem_make(problem *p, int M, int N, int K, bool trans_b, bool has_bias) {
    memset(p, 0, sizeof *p);
    p->M = M; p->N = N; p->K = K;
    p->lda = K + (M % 3);           /* sometimes wider than K */
    p->ldc = N + 3;
    p->trans_b = trans_b;
    p->ldb = trans_b ? K + 1 : N + 2;
    p->has_bias = has_bias;
    /* A sized exactly to its last element so a read past K in the last row is out of bounds. */
    size_t a_n = (size_t)(M - 1) * p->lda + K + 1;
    p->A = malloc(a_n * sizeof(float));
    for (size_t i = 0; i < a_n; i++) p->A[i] = NAN;   /* padding poisons any stray read */
    for (int i = 0; i < M; i++) frost_test_fill(p->A + (size_t)i * p->lda, (size_t)K, -1, 1);
    size_t b_n = trans_b ? (size_t)N * p->ldb : (size_t)K * p->ldb;
    p->B = malloc((b_n + 1) * sizeof(float));
    frost_test_fill(p->B, b_n + 1, -1, 1);
    if (has_bias) {
        p->bias = malloc((size_t)N * sizeof(float));
        frost_test_fill(p->bias, (size_t)N, -1, 1);
    }
    p->want = malloc((size_t)M * N * sizeof(double));
    p->bound = malloc((size_t)M * N * sizeof(double));
    problem_reference(p);
}

/* The exact (double) products, for A and B as they are now. */
static void problem_reference(problem *p) {
    const int M = p->M, N = p->N, K = p->K;
    const bool trans_b = p->trans_b, has_bias = p->has_bias;
    for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++) {
            double s = has_bias ? p->bias[j] : 0, b = fabs(s);
            for (int k = 0; k < K; k++) {
                double bv = trans_b ? p->B[(size_t)j * p->ldb + k] : p->B[(size_t)k * p->ldb + j];
                double t = (double)p->A[(size_t)i * p->lda + k] * bv;
                s += t;
                b += fabs(t);
            }
            p->want[(size_t)i * N + j] = s;
            p->bound[(size_t)i * N + j] = b;
        }
}

static void problem_free(problem *p) {
    free(p->A); free(p->B); free(p->bias); free(p->want); free(p->bound);
}

/* Runs kernel k on p over the given column splits and checks every element of C. */
static bool check_run(const frost__gemm_kernel *k, const problem *p, const void *packed,
                      const frost__act_params *act, const int *cuts, int n_cuts, const char *what) {
    const size_t c_n = (size_t)p->M * p->ldc;
    float *C = malloc(c_n * sizeof(float));
    for (size_t i = 0; i < c_n; i++) C[i] = SENTINEL;
    /* Splits are run in reverse so a kernel writing past n1 would clobber a finished range. */
    for (int s = n_cuts - 2; s >= 0; s--)
        k->run(p->M, p->N, p->K, p->A, p->lda, packed, p->bias, C, p->ldc, act, cuts[s],
               cuts[s + 1]);
    bool ok = true;
    const int lo = cuts[0], hi = cuts[n_cuts - 1];
    for (int i = 0; i < p->M && ok; i++)
        for (int j = 0; j < p->ldc; j++) {
            float got = C[(size_t)i * p->ldc + j];
            if (j < lo || j >= hi) {
                if (got != SENTINEL) {
                    ok = CHECK_MSG(false, "%s %s: wrote C[%d,%d] outside [%d,%d)", k->name, what,
                                   i, j, lo, hi);
                    break;
                }
                continue;
            }
            double want = act_ref(p->want[(size_t)i * p->N + j], act);
            double tol = 2e-6 * p->bound[(size_t)i * p->N + j] + 1e-6;
            if (isnan(want) ? !isnan(got) : !(fabs(got - want) <= tol)) {
                ok = CHECK_MSG(false, "%s %s: C[%d,%d] = %.7g, want %.7g (tol %.2g)", k->name,
                               what, i, j, got, want, tol);
                break;
            }
        }
    free(C);
    return ok;
}

static int n_cases;

static void run_case(const frost__gemm_kernel *k, int M, int N, int K, bool trans_b,
                     bool has_bias, int act_i, bool splits) {
    problem p;
    problem_make(&p, M, N, K, trans_b, has_bias);
    size_t pb = k->packed_bytes(K, N);
    unsigned char *packed = malloc(pb ? pb : 1);
    memset(packed, 0xff, pb ? pb : 1);   /* NaN garbage: pack must write every byte it reads */
    k->pack(K, N, p.B, p.ldb, trans_b, packed);
    char what[96];
    snprintf(what, sizeof what, "M=%d N=%d K=%d%s%s act=%d", M, N, K, trans_b ? " tB" : "",
             has_bias ? " bias" : "", (int)ACTS[act_i].act);

    int whole[2] = {0, N};
    bool ok = check_run(k, &p, packed, &ACTS[act_i], whole, 2, what);
    if (ok && splits && N > 1) {
        /* Column ranges at n_align multiples, as the thread pool splits them. */
        int cuts[64], n = 0;
        for (int c = 0; c < N && n < 62; c += k->n_align) cuts[n++] = c;
        cuts[n++] = N;
        if (n > 2) ok = check_run(k, &p, packed, &ACTS[act_i], cuts, n, what);
        /* A sub-range off the alignment grid: kernels must still respect it. */
        if (ok && N > 2) {
            int odd[3] = {1, N / 2 + 1 < N ? N / 2 + 1 : N - 1, N - 1};
            if (odd[1] <= odd[0]) odd[1] = odd[0] + 1;
            if (odd[2] < odd[1]) odd[2] = odd[1];
            check_run(k, &p, packed, &ACTS[act_i], odd, 3, what);
        }
    }
    free(packed);
    problem_free(&p);
    n_cases++;
}

static void test_kernel(const frost__gemm_kernel *k) {
    static const int Ms[] = {1, 2, 3, 5, 6, 7, 10, 11, 13, 14, 15, 16, 17, 20, 21, 28, 29, 33, 64, 100};
    static const int Ns[] = {1, 2, 3, 7, 8, 9, 10, 15, 16, 17, 20, 24, 31, 32, 33, 36, 40, 48, 64, 100};
    static const int Ks[] = {1, 2, 3, 4, 5, 16, 17, 25, 33, 64, 100, 127, 129, 200, 784};
    int counter = 0;
    for (size_t mi = 0; mi < FROST_ARRAY_LEN(Ms); mi++)
        for (size_t ni = 0; ni < FROST_ARRAY_LEN(Ns); ni++)
            for (size_t ki = 0; ki < FROST_ARRAY_LEN(Ks); ki++) {
                int M = Ms[mi], N = Ns[ni], K = Ks[ki];
                /* Keep the cross product affordable under sanitizers: big cases are sampled. */
                if ((long)M * N * K > 60000 && (counter++ % 7) != 0) continue;
                int h = (int)(mi * 31 + ni * 17 + ki * 7);
                run_case(k, M, N, K, h % 5 == 0, h % 3 != 0, h % N_ACTS, h % 4 == 0);
            }
    /* Every activation, with splits, on shapes hitting both layouts and every edge. */
    static const int act_shapes[][3] = {{15, 33, 17}, {1, 10, 784}, {29, 48, 25}, {1, 100, 64},
                                        {3, 5, 200}};
    for (size_t s = 0; s < FROST_ARRAY_LEN(act_shapes); s++)
        for (int a = 0; a < N_ACTS; a++)
            run_case(k, act_shapes[s][0], act_shapes[s][1], act_shapes[s][2], a & 1, a != 2, a,
                     true);
    /* The founding models' layers. */
    run_case(k, 1, 10, 784, false, true, 0, true);      /* beginner Dense 784->10 */
    run_case(k, 784, 32, 25, false, true, 1, true);     /* conv1 as im2col         */
    run_case(k, 196, 64, 800, false, true, 1, true);    /* conv2 as im2col         */
    run_case(k, 1, 1024, 3136, false, true, 1, true);   /* dense 3136->1024        */
    run_case(k, 1, 10, 1024, true, true, 0, true);      /* dense 1024->10          */
    run_case(k, 3, 1024, 3136, false, false, 4, false); /* a small batch           */
}

/* Inputs with exact zeros, as after a ReLU: the batch-1 path of big layers skips the weight rows
 * they multiply (avx512's wide layout), which must change nothing, not even where a skipped row
 * holds an inf (0 * inf is NaN, so the sum is NaN) or an input is NaN or -0. */
static void run_zeros_case(const frost__gemm_kernel *k, int M, int N, int K, bool trans_b,
                           int nonfinite, int act_i) {
    problem p;
    problem_make(&p, M, N, K, trans_b, true);
    for (int i = 0; i < M; i++)
        for (int kk = 0; kk < K; kk++) {
            float *a = &p.A[(size_t)i * p.lda + kk];
            if ((kk * 7 + i) % 5 < 2) *a = (kk % 3) ? 0.0f : -0.0f; /* 40% zeros            */
            if (kk < 40 && kk % 4 == 0) *a = 0.0f;                  /* a run at the start     */
            if (kk >= K - 33) *a = 0.0f;                            /* and at the end         */
        }
    if (nonfinite == 1) { /* an inf weight met by a zero input: column 5 must come out NaN */
        const int kk = 8, j = 5;
        p.B[trans_b ? (size_t)j * p.ldb + kk : (size_t)kk * p.ldb + j] = INFINITY;
    } else if (nonfinite == 2) { /* a NaN input: its row is read like any nonzero one */
        p.A[3] = NAN;
    }
    problem_reference(&p);
    size_t pb = k->packed_bytes(K, N);
    unsigned char *packed = malloc(pb);
    memset(packed, 0xff, pb);
    k->pack(K, N, p.B, p.ldb, trans_b, packed);
    char what[96];
    snprintf(what, sizeof what, "zeros in A, M=%d N=%d K=%d%s nonfinite=%d", M, N, K,
             trans_b ? " tB" : "", nonfinite);
    int whole[2] = {0, N};
    check_run(k, &p, packed, &ACTS[act_i], whole, 2, what);
    int cuts[64], n = 0;
    for (int c = 0; c < N && n < 62; c += k->n_align) cuts[n++] = c;
    cuts[n++] = N;
    check_run(k, &p, packed, &ACTS[act_i], cuts, n, what);
    int odd[4] = {0, 17, N / 2 + 5, N};
    check_run(k, &p, packed, &ACTS[act_i], odd, 4, what);
    free(packed);
    problem_free(&p);
    n_cases++;
}

/* A layout with two copies (avx512's wide one) must say which one a run reads: plan-time cache
 * warming and the cost report count only that part. */
static void test_reads(const frost__gemm_kernel *k) {
    static const int shapes[][2] = {{3136, 1024}, {784, 10}, {800, 64}, {2000, 300}, {512, 256}};
    for (size_t s = 0; s < FROST_ARRAY_LEN(shapes); s++) {
        const int K = shapes[s][0], N = shapes[s][1];
        const size_t total = k->packed_bytes(K, N);
        size_t off1, len1, off4, len4;
        frost__gemm_reads(k, 1, K, N, total, &off1, &len1);
        frost__gemm_reads(k, 4, K, N, total, &off4, &len4);
        CHECK_MSG(off1 + len1 <= total && off4 + len4 <= total, "%s reads past K=%d N=%d",
                  k->name, K, N);
        CHECK(len1 >= (size_t)K * (size_t)N * sizeof(float) && len4 >= (size_t)K * N * sizeof(float));
        if (len1 != total) /* two copies: batch 1 and batches read disjoint parts */
            CHECK_MSG(off1 + len1 <= off4 || off4 + len4 <= off1, "%s K=%d N=%d", k->name, K, N);
        /* Only the zero-skipping variant keeps two copies, and only of big layers. */
        const bool two = len1 != total;
        CHECK_MSG(two == (strcmp(k->name, "avx512-sparse") == 0 && N >= 256 && K >= 512),
                  "%s K=%d N=%d: %s copies", k->name, K, N, two ? "two" : "one");
    }
}

static void test_zeros(const frost__gemm_kernel *k) {
    test_reads(k);
    run_zeros_case(k, 1, 1024, 3136, false, 0, 1); /* the expert's dense 3136->1024 after ReLU */
    run_zeros_case(k, 1, 300, 2000, true, 0, 4);   /* a last block of 44 columns, leaky       */
    run_zeros_case(k, 1, 256, 2048, false, 0, 5);  /* exactly one block; sigmoid tail         */
    run_zeros_case(k, 1, 256, 512, true, 0, 1);    /* the smallest wide layer                 */
    run_zeros_case(k, 1, 255, 512, false, 0, 1);   /* one column short of it: panels          */
    run_zeros_case(k, 1, 300, 2000, false, 1, 0);  /* inf weight behind a zero               */
    run_zeros_case(k, 1, 300, 2000, false, 2, 0);  /* NaN input                              */
    run_zeros_case(k, 1, 272, 4099, false, 0, 0);  /* K off the vector grid                  */
    run_zeros_case(k, 4, 300, 2000, false, 1, 0);  /* a batch on the same layout             */
    run_zeros_case(k, 13, 520, 1100, true, 0, 1);  /* row tiles and column blocks            */
    run_zeros_case(k, 1, 10, 784, false, 0, 0);    /* narrow: the dot layout                 */
}

/* The CBLAS family (a build with -DFROST_CBLAS=...): the same cases as the built-in families, and
 * which weights frost__gemm_pick_for_weights routes to it (the cblas_route argument: 0 default, 1 none, 2 all). */
static void test_cblas(const frost__cpu *cpu) {
    const frost__gemm_kernel *blas = frost__gemm_pick_cblas();
    const frost__gemm_kernel *builtin = frost__gemm_pick(cpu);
    if (!blas) {
        printf("skip cblas: not built (configure with -DFROST_CBLAS=openblas or blis)\n");
        CHECK(frost__gemm_pick_for_weights(cpu, 0, 0, 3136, 1024) == builtin);
        CHECK(frost__gemm_pick_for_weights(cpu, 0, 2, 3136, 1024) == builtin);
        return;
    }
    CHECK(strcmp(blas->name, "openblas") == 0 || strcmp(blas->name, "blis") == 0);
    CHECK(blas->n_align > 0);
    CHECK(blas->packed_bytes(3, 5) == 3 * 5 * sizeof(float));
    int before = frost_test_failed;
    n_cases = 0;
    test_kernel(blas);
    /* A K = 0 product is all bias (BLASes reject lda = 0, so run must not call them). */
    float bias[4] = {1, -2, 3, -4}, C[8];
    const frost__act_params relu = {FROST__ACT_RELU, 0, 0, false, 0, 0};
    blas->run(2, 4, 0, NULL, 0, NULL, bias, C, 4, &relu, 0, 4);
    CHECK(C[0] == 1 && C[1] == 0 && C[2] == 3 && C[3] == 0 && C[4] == 1 && C[7] == 0);
    printf("%s: %d cases, %s\n", blas->name, n_cases,
           frost_test_failed == before ? "all match" : "MISMATCHES");

    /* Routing: f32 weights with >= 16 columns go to the BLAS; narrow heads stay built-in unless
     * FROST_CBLAS_ROUTE=all; =off keeps everything built-in; reduced precision never goes. */
    int route = 0;
    CHECK(frost__gemm_pick_for_weights(cpu, 0, route, 3136, 1024) == blas); /* expert dense   */
    CHECK(frost__gemm_pick_for_weights(cpu, 0, route, 800, 64) == blas);    /* conv2 im2col    */
    CHECK(frost__gemm_pick_for_weights(cpu, 0, route, 784, 10) == builtin); /* beginner dense  */
    CHECK(frost__gemm_pick_for_weights(cpu, 0, route, 25, 32) == builtin);  /* conv1: tiny     */
    const frost__gemm_kernel *bf16 = frost__gemm_pick_bf16(cpu);
    if (bf16) CHECK(frost__gemm_pick_for_weights(cpu, 1, route, 3136, 1024) == bf16);
    route = 2;
    CHECK(frost__gemm_pick_for_weights(cpu, 0, route, 784, 10) == blas);
    CHECK(frost__gemm_pick_for_weights(cpu, 0, route, 1, 1) == blas);
    route = 1;
    CHECK(frost__gemm_pick_for_weights(cpu, 0, route, 3136, 1024) == builtin);
    route = 0;
    CHECK(frost__gemm_pick_for_weights(cpu, 0, route, 3136, 1024) == blas);
}

/* Forks a child that sets FROST_MAX_ISA before its first probe and reports the cap it got. */
static int probe_with_cap(const char *cap) {
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        setenv("FROST_MAX_ISA", cap, 1);
        const frost__cpu *c = frost__cpu_get();
        int code = c->max_isa;
        if (c->max_isa < 2 && (c->avx512f || c->avx512_bf16 || c->avx512_vnni)) code = 10;
        if (c->max_isa < 1 && c->avx2_fma) code = 11;
        if (frost__gemm_pick(c) != frost__gemm_pick(c)) code = 12;
        _exit(code);
    }
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) return -1;
    return WEXITSTATUS(status);
}

int main(void) {
    /* Before this process probes: children inherit an unprobed state. */
    const char *env = getenv("FROST_MAX_ISA");
    if (!env || !*env) {
        int r = probe_with_cap("ref");
        CHECK_MSG(r == 0, "FROST_MAX_ISA=ref gave max_isa %d", r);
        int a2 = probe_with_cap("avx2");
        CHECK_MSG(a2 == 0 || a2 == 1, "FROST_MAX_ISA=avx2 gave max_isa %d", a2);
        int junk = probe_with_cap("bogus");
        CHECK_MSG(junk >= 0 && junk <= 2, "FROST_MAX_ISA=bogus gave %d", junk);
    }

    const frost__cpu *cpu = frost__cpu_get();
    CHECK(cpu == frost__cpu_get());
    CHECK(cpu->max_isa >= 0 && cpu->max_isa <= 2);
    printf("cpu: avx2_fma=%d avx512f=%d bf16=%d vnni=%d max_isa=%d; picked %s\n", cpu->avx2_fma,
           cpu->avx512f, cpu->avx512_bf16, cpu->avx512_vnni, cpu->max_isa,
           frost__gemm_pick(cpu)->name);

    static const char *names[] = {"ref", "avx2", "avx512"};
    for (int isa = 0; isa <= 2; isa++) {
        frost__cpu c = *cpu;
        c.max_isa = isa;
        const frost__gemm_kernel *k = frost__gemm_pick(&c);
        CHECK(k != NULL);
        if (isa > cpu->max_isa) {
            /* Must never pick above what the CPU has. */
            CHECK(k == frost__gemm_pick(cpu));
            printf("skip %s: not available (host lacks it, or FROST_MAX_ISA caps it)\n", names[isa]);
            continue;
        }
        CHECK_MSG(strcmp(k->name, names[isa]) == 0, "max_isa %d picked %s", isa, k->name);
        CHECK(k->n_align > 0);
        CHECK(k->packed_bytes(0, 5) == 0 || k->packed_bytes(0, 5) < 64);
        int before = frost_test_failed;
        n_cases = 0;
        test_kernel(k);
        test_zeros(k);
        printf("%s: %d cases, %s\n", k->name, n_cases,
               frost_test_failed == before ? "all match" : "MISMATCHES");
        /* The variant for inputs full of zeros (after a ReLU): the same cases, its own layouts. */
        const frost__gemm_kernel *z = frost__gemm_for_zero_rich_input(k);
        CHECK(z != NULL && frost__gemm_for_zero_rich_input(z) == z);
        if (z != k) {
            CHECK(strcmp(z->name, "avx512-sparse") == 0 && isa == 2);
            before = frost_test_failed;
            n_cases = 0;
            test_kernel(z);
            test_zeros(z);
            printf("%s: %d cases, %s\n", z->name, n_cases,
                   frost_test_failed == before ? "all match" : "MISMATCHES");
        }
    }
    test_cblas(cpu);
    return frost_test_finish();
}
