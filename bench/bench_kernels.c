/* bench_kernels.c — micro-benchmark of every kernel family other than the packed GEMMs (those are
 * bench_gemm.c's, bf16 and int8 included): convolution (im2col + GEMM, the narrow direct conv,
 * Winograd F(4x4,5x5), the direct and depthwise loops), im2col alone, pooling, softmax, the
 * elementwise unary (activation) and binary loops, normalization, reductions, layout copies and the
 * plain activation x activation GEMM, on the Fashion expert CNN's shapes, one thread.
 *
 * For each kernel and ISA variant the CPU supports (ref, avx2, avx512; FROST_MAX_ISA caps them) it
 * prints the median time per call over 15 samples (and the best), GFLOP/s and GB/s from the median,
 * and the fraction of this machine's limits measured at start (machine_peak.h): the FMA peak and
 * the read bandwidth of a 256 KB buffer (L2; every working set here fits the L2).
 *   - Convolutions count the FLOPs of the direct algorithm (2 per tap, padding taps included, as
 *     the GEMM computes them) whatever the path, so Winograd's figure is an "effective" GFLOP/s and
 *     may pass the FMA peak. Max pooling counts one max per tap after the first, relu one per
 *     element, adds one, batch-norm apply two; kernels whose FLOPs mean little (exp-based
 *     functions, softmax, copies) show "-".
 *   - GB/s counts the bytes that must move at least once per call: inputs, the original (HWIO)
 *     filter and bias, outputs — the same for every path of one shape, so it compares paths too.
 * Before timing, every kernel's output (pre-filled with NaN) is checked once against the ref
 * kernel's, and the ref convolution against a naive double-precision one written here: a kernel
 * that differs by more than its tolerance is shown as WRONG without rates, and the exit status is
 * 1. A '*' marks the conv path the Conv2D op itself takes on this CPU (after the cap).
 * Usage: bench_kernels [--quick] [family-or-variant-substring] */
#include "kernels/conv.h"
#include "kernels/eltwise.h"
#include "kernels/select.h"
#include "kernels/gemm.h"
#include "kernels/layout.h"
#include "kernels/norm.h"
#include "kernels/pool.h"
#include "kernels/reduce.h"
#include "kernels/softmax.h"
#include "kernels/winograd.h"
#include "machine_peak.h"
#include "core/params.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static double g_min_time = 0.3; /* seconds of repetitions per kernel */
#define N_SAMPLES 15

static const frost__cpu *g_cpu;
static double g_peak_gflops, g_bw_l2;
static const char *g_only;
static int g_wrong;

/* ---- buffers and data ------------------------------------------------------------------------- */

static void *xalloc(size_t bytes) {
    void *p = aligned_alloc(64, (bytes + 63) / 64 * 64);
    if (!p) {
        fprintf(stderr, "bench_kernels: out of memory (%zu bytes)\n", bytes);
        exit(2);
    }
    return p;
}

static float *floats(size_t n) { return xalloc(n * sizeof(float)); }

/* Deterministic values in [-1, 1). */
static void fill(float *x, size_t n, unsigned seed) {
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1664525u + 1013904223u;
        x[i] = (float)((seed >> 8) & 0xffff) / 32768.0f - 1.0f;
    }
}

/* ---- one benchmarked kernel ------------------------------------------------------------------- */

typedef struct bench_case {
    const char *family, *shape, *variant;
    void (*run)(const void *ctx);
    const void *ctx;
    double flops, bytes;  /* per call; flops 0: not counted ("-")                          */
    float *out;           /* what run writes, checked against want before timing           */
    size_t n_out;
    const float *want;    /* NULL: this kernel is the oracle of its family                  */
    double tol;           /* max |out - want| allowed, relative to max |want|              */
    bool op_path;         /* the path the op takes on this CPU: marked '*'                  */
} bench_case;

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Max |out - want| over max |want|; infinite when out has a NaN where want has none. */
static double rel_error(const float *out, const float *want, size_t n) {
    double scale = 0, err = 0;
    for (size_t i = 0; i < n; i++) scale = fmax(scale, fabs((double)want[i]));
    for (size_t i = 0; i < n; i++) {
        double d = fabs((double)out[i] - (double)want[i]);
        if (d != d) return INFINITY;
        err = fmax(err, d);
    }
    return scale > 0 ? err / scale : err;
}

/* Seconds per call: median and best of N_SAMPLES, each sample ~g_min_time / N_SAMPLES. */
static void time_case(const bench_case *c, double *median, double *best) {
    c->run(c->ctx); /* warm: caches, page faults */
    long reps = 1;
    for (;;) {
        double t0 = bench_now_s();
        for (long r = 0; r < reps; r++) c->run(c->ctx);
        double dt = bench_now_s() - t0;
        if (dt > g_min_time / 20 || reps > (1L << 28)) {
            reps = (long)((double)reps * (g_min_time / N_SAMPLES) / (dt > 0 ? dt : 1e-9)) + 1;
            break;
        }
        reps *= 4;
    }
    double samples[N_SAMPLES];
    for (int i = 0; i < N_SAMPLES; i++) {
        double t0 = bench_now_s();
        for (long r = 0; r < reps; r++) c->run(c->ctx);
        samples[i] = (bench_now_s() - t0) / (double)reps;
    }
    qsort(samples, N_SAMPLES, sizeof samples[0], cmp_double);
    *median = samples[N_SAMPLES / 2];
    *best = samples[0];
}

static bool selected(const bench_case *c) {
    return !g_only || strstr(c->family, g_only) || strstr(c->variant, g_only) ||
           strstr(c->shape, g_only);
}

static void bench(const bench_case *c) {
    if (!selected(c)) return;
    /* Correctness first: NaN-filled output, one call, compared with the oracle. */
    char check[32];
    bool wrong = false;
    for (size_t i = 0; i < c->n_out; i++) c->out[i] = NAN;
    c->run(c->ctx);
    if (!c->want) {
        snprintf(check, sizeof check, "oracle");
    } else {
        double err = rel_error(c->out, c->want, c->n_out);
        wrong = !(err <= c->tol);
        snprintf(check, sizeof check, "%s %.0e", wrong ? "WRONG" : "ok", err);
    }
    double med, best;
    time_case(c, &med, &best);
    char variant[40], gflops[16] = "-", fpeak[16] = "-", gbs[16] = "-", bw[16] = "-";
    snprintf(variant, sizeof variant, "%s%s", c->variant, c->op_path ? " *" : "");
    if (!wrong) {
        if (c->flops > 0) {
            snprintf(gflops, sizeof gflops, "%.1f", c->flops / med / 1e9);
            if (g_peak_gflops > 0)
                snprintf(fpeak, sizeof fpeak, "%.0f%%", 100 * c->flops / med / 1e9 / g_peak_gflops);
        }
        snprintf(gbs, sizeof gbs, "%.1f", c->bytes / med / 1e9);
        if (g_bw_l2 > 0) snprintf(bw, sizeof bw, "%.0f%%", 100 * c->bytes / med / 1e9 / g_bw_l2);
    } else {
        g_wrong++;
    }
    printf("%-9s %-22s %-26s %10.3f %10.3f %8s %6s %7s %6s  %s\n", c->family, c->shape, variant,
           med * 1e6, best * 1e6, gflops, fpeak, gbs, bw, check);
    fflush(stdout);
}

/* ---- convolution ------------------------------------------------------------------------------ */

/* Everything one conv shape's paths need; each run_* reads the fields of its own path. */
typedef struct conv_ctx {
    frost__conv_geom g;
    const float *x, *hwio, *bias;
    frost__act_params act;
    float *y;
    /* im2col + packed GEMM, in row tiles as the op cuts them (L2-sized) */
    void (*im2col)(const frost__conv_geom *, const float *, int, int64_t, int64_t, float *);
    const frost__gemm_kernel *gemm;
    const void *packed;
    float *col;
    int64_t tile_m;
    int K;
    /* narrow direct (AVX-512): the zero-padded image and the K x 32 filter */
    float *xpad;
    int64_t hp, wp;
    const float *w32;
    /* Winograd: U as 64 packed GEMM operands, V and M for one block of tiles */
    const unsigned char *U;
    size_t u_stride;
    float *V, *M;
    int64_t tiles, block;
} conv_ctx;

static void run_conv_im2col_gemm(const void *arg) {
    const conv_ctx *c = arg;
    const frost__conv_geom *g = &c->g;
    const int64_t rows = g->out_h * g->out_w;
    const int cout = (int)g->out_c;
    for (int64_t r0 = 0; r0 < rows; r0 += c->tile_m) {
        const int m = (int)(rows - r0 < c->tile_m ? rows - r0 : c->tile_m);
        c->im2col(g, c->x, 0, r0, m, c->col);
        c->gemm->run(m, cout, c->K, c->col, c->K, c->packed, c->bias, c->y + r0 * cout, cout,
                     &c->act, 0, cout);
    }
}

static void run_im2col(const void *arg) {
    const conv_ctx *c = arg;
    const int64_t rows = c->g.out_h * c->g.out_w;
    c->im2col(&c->g, c->x, 0, 0, rows, c->col);
}

static void run_conv_direct(const void *arg) {
    const conv_ctx *c = arg;
    frost_k_f32_conv_direct__ref(&c->g, c->x, c->hwio, c->bias, &c->act, c->y, 0,
                                 c->g.n * c->g.out_h);
}

#if defined(__x86_64__)
/* The op's narrow path per call: the padded copy of the image, then the direct kernel. */
static void run_conv_narrow(const void *arg) {
    const conv_ctx *c = arg;
    const frost__conv_geom *g = &c->g;
    const int64_t C = g->in_c;
    memset(c->xpad, 0, (size_t)(c->hp * c->wp * C) * sizeof(float));
    for (int64_t ih = 0; ih < g->in_h; ih++)
        memcpy(c->xpad + ((ih + g->pad_top) * c->wp + g->pad_left) * C, c->x + ih * g->in_w * C,
               (size_t)(g->in_w * C) * sizeof(float));
    frost_k_f32_conv_narrow__avx512(g, c->xpad, c->wp, c->w32, c->bias, &c->act, c->y, 0,
                                    g->out_h);
}

static void run_conv_winograd(const void *arg) {
    static const frost__act_params none = {FROST__ACT_NONE, 0, 0, false, 0, 0};
    const conv_ctx *c = arg;
    const frost__conv_geom *g = &c->g;
    const int cin = (int)g->in_c, cout = (int)g->out_c;
    for (int64_t t0 = 0; t0 < c->tiles; t0 += c->block) {
        const int64_t nt = c->tiles - t0 < c->block ? c->tiles - t0 : c->block;
        frost_k_wino45_input__avx512(g, c->x, t0, nt, c->V);
        for (int xi = 0; xi < 64; xi++)
            c->gemm->run((int)nt, cout, cin, c->V + (size_t)xi * (size_t)(nt * cin), cin,
                         c->U + (size_t)xi * c->u_stride, NULL,
                         c->M + (size_t)xi * (size_t)(nt * cout), cout, &none, 0, cout);
        frost_k_wino45_output__avx512(g, c->M, c->bias, &c->act, t0, nt, c->y);
    }
}
#endif

/* The oracle of the oracle: the convolution straight from its definition, in double. */
static void conv_naive(const frost__conv_geom *g, const float *x, const float *hwio,
                       const float *bias, float *y) {
    for (int64_t oh = 0; oh < g->out_h; oh++)
        for (int64_t ow = 0; ow < g->out_w; ow++)
            for (int64_t co = 0; co < g->out_c; co++) {
                double s = bias[co];
                for (int kh = 0; kh < g->k_h; kh++)
                    for (int kw = 0; kw < g->k_w; kw++) {
                        const int64_t ih = oh - g->pad_top + kh, iw = ow - g->pad_left + kw;
                        if (ih < 0 || ih >= g->in_h || iw < 0 || iw >= g->in_w) continue;
                        for (int64_t ci = 0; ci < g->in_c; ci++)
                            s += (double)x[(ih * g->in_w + iw) * g->in_c + ci] *
                                 hwio[((kh * g->k_w + kw) * g->in_c + ci) * g->out_c + co];
                    }
                y[(oh * g->out_w + ow) * g->out_c + co] = (float)(s > 0 ? s : 0); /* relu */
            }
}

/* Rows per im2col tile, as the Conv2D op chooses them for one thread (~64K floats, 32..1024). */
static int64_t conv_tile_rows(int64_t rows, int64_t K) {
    int64_t t = 65536 / (K > 0 ? K : 1);
    t = t < 32 ? 32 : t > 1024 ? 1024 : t;
    return t < rows ? t : rows;
}

/* One 'same' 5x5 stride-1 conv with bias + relu on one image: every path this build has. */
static void bench_conv(const char *shape, int64_t hw, int64_t cin, int64_t cout) {
    conv_ctx c;
    memset(&c, 0, sizeof c);
    frost__conv_geom *g = &c.g;
    *g = (frost__conv_geom){.n = 1, .in_h = hw, .in_w = hw, .in_c = cin, .out_h = hw, .out_w = hw,
                            .out_c = cout, .k_h = 5, .k_w = 5, .stride_h = 1, .stride_w = 1,
                            .dil_h = 1, .dil_w = 1, .pad_top = 2, .pad_left = 2, .groups = 1};
    const int64_t K = 25 * cin, rows = hw * hw;
    float *x = floats((size_t)(rows * cin)), *w = floats((size_t)(K * cout));
    float *bias = floats((size_t)cout), *y = floats((size_t)(rows * cout));
    float *want = floats((size_t)(rows * cout));
    fill(x, (size_t)(rows * cin), 11);
    fill(w, (size_t)(K * cout), 12);
    fill(bias, (size_t)cout, 13);
    for (int64_t i = 0; i < K * cout; i++) w[i] *= 0.2f; /* keep sums O(1): relu sees both signs */
    conv_naive(g, x, w, bias, want);
    c.x = x, c.hwio = w, c.bias = bias, c.y = y, c.K = (int)K;
    c.act = (frost__act_params){FROST__ACT_RELU, 0, 0, false, 0, 0};
    c.tile_m = conv_tile_rows(rows, K);
    /* The whole im2col matrix (for the im2col-alone line) plus the AVX-512 copy's slack. */
    c.col = floats((size_t)(rows * K) + FROST_IM2COL_SLACK);

    const double flops = 2.0 * (double)rows * (double)cout * (double)K;
    const double bytes = 4.0 * (double)(rows * cin + K * cout + cout + rows * cout);
    const double tol = 1e-5;
    const bool narrow = g_cpu->avx512f && K <= 64 && cout <= 32;
    const bool wino = g_cpu->avx512f && cin >= 16 && cout >= 16;

    /* im2col + GEMM: one line per GEMM family the CPU allows; AVX-512 CPUs use the AVX-512 im2col
     * (bit-identical to the ref). */
    for (int isa = 0; isa <= g_cpu->max_isa; isa++) {
        frost__cpu capped = *g_cpu;
        capped.max_isa = isa;
        c.gemm = frost__gemm_pick(&capped);
        if (!c.gemm || (isa > 0 && strcmp(c.gemm->name, isa == 1 ? "avx2" : "avx512") != 0))
            continue;
        void *packed = xalloc(c.gemm->packed_bytes((int)K, (int)cout));
        c.gemm->pack((int)K, (int)cout, w, (int)cout, false, packed);
        c.packed = packed;
        c.im2col = frost_k_f32_im2col__ref;
        const char *im2col_name = "ref";
#if defined(__x86_64__)
        if (isa == 2) c.im2col = frost_k_f32_im2col__avx512, im2col_name = "avx512";
#endif
        char variant[48];
        snprintf(variant, sizeof variant, "im2col %s+gemm %s", im2col_name, c.gemm->name);
        const bool op = isa == g_cpu->max_isa && !(isa == 2 && (narrow || wino));
        bench(&(bench_case){"conv", shape, variant, run_conv_im2col_gemm, &c, flops, bytes, y,
                            (size_t)(rows * cout), want, tol, op});
        free(packed);
    }
    bench(&(bench_case){"conv", shape, "direct ref", run_conv_direct, &c, flops, bytes, y,
                        (size_t)(rows * cout), want, tol, false});
#if defined(__x86_64__)
    if (narrow) {
        c.hp = hw + 4, c.wp = hw + 4;
        c.xpad = floats((size_t)(c.hp * c.wp * cin));
        float *w32 = floats((size_t)(K * 32));
        for (int64_t k = 0; k < K; k++)
            for (int64_t co = 0; co < 32; co++) w32[k * 32 + co] = co < cout ? w[k * cout + co] : 0;
        c.w32 = w32;
        bench(&(bench_case){"conv", shape, "narrow direct avx512", run_conv_narrow, &c, flops,
                            bytes, y, (size_t)(rows * cout), want, tol, true});
        free(w32);
        free(c.xpad);
    }
    if (wino) {
        frost__cpu capped = *g_cpu;
        capped.max_isa = 2;
        c.gemm = frost__gemm_pick(&capped);
        /* Load time, not timed: U = G g G^T per (ci, co), packed as 64 GEMM operands. */
        const size_t plane = (size_t)(cin * cout);
        float *u = floats(64 * plane);
        frost_k_wino45_filter__ref(w, (int)cin, (int)cout, u);
        c.u_stride = (c.gemm->packed_bytes((int)cin, (int)cout) + 63) / 64 * 64;
        unsigned char *U = xalloc(64 * c.u_stride);
        for (int xi = 0; xi < 64; xi++)
            c.gemm->pack((int)cin, (int)cout, u + (size_t)xi * plane, (int)cout, false,
                         U + (size_t)xi * c.u_stride);
        free(u);
        c.U = U;
        c.tiles = frost_wino45_tiles(g);
        c.block = c.tiles < 32 ? c.tiles : 32; /* the op's block for one thread */
        c.V = floats((size_t)(64 * c.block * cin));
        c.M = floats((size_t)(64 * c.block * cout));
        bench(&(bench_case){"conv", shape, "winograd avx512 (eff.)", run_conv_winograd, &c, flops,
                            bytes, y, (size_t)(rows * cout), want, tol, true});
        free(c.V);
        free(c.M);
        free(U);
    }
#endif
    /* im2col alone: the data movement the GEMM path adds (bytes: input read + matrix written). */
    float *col_want = floats((size_t)(rows * K));
    frost_k_f32_im2col__ref(g, x, 0, 0, rows, col_want);
    const double col_bytes = 4.0 * (double)(rows * cin + rows * K);
    c.im2col = frost_k_f32_im2col__ref;
    bench(&(bench_case){"im2col", shape, "ref", run_im2col, &c, 0, col_bytes, c.col,
                        (size_t)(rows * K), NULL, 0, false});
#if defined(__x86_64__)
    if (g_cpu->avx512f) {
        c.im2col = frost_k_f32_im2col__avx512;
        bench(&(bench_case){"im2col", shape, "avx512", run_im2col, &c, 0, col_bytes, c.col,
                            (size_t)(rows * K), col_want, 0, false});
    }
#endif
    free(col_want);
    free(c.col);
    free(x), free(w), free(bias), free(y), free(want);
}

/* Depthwise 3x3 'same' (MobileNet-style; no AVX path: one ref line). */
static void run_depthwise(const void *arg) {
    const conv_ctx *c = arg;
    frost_k_f32_depthwise__ref(&c->g, c->x, c->hwio, c->bias, &c->act, c->y, 0,
                               c->g.n * c->g.out_h);
}

static void bench_depthwise(void) {
    conv_ctx c;
    memset(&c, 0, sizeof c);
    const int64_t hw = 14, ch = 64;
    c.g = (frost__conv_geom){.n = 1, .in_h = hw, .in_w = hw, .in_c = ch, .out_h = hw, .out_w = hw,
                             .out_c = ch, .k_h = 3, .k_w = 3, .stride_h = 1, .stride_w = 1,
                             .dil_h = 1, .dil_w = 1, .pad_top = 1, .pad_left = 1, .groups = (int)ch};
    float *x = floats((size_t)(hw * hw * ch)), *f = floats(9 * ch), *b = floats(ch);
    float *y = floats((size_t)(hw * hw * ch));
    fill(x, (size_t)(hw * hw * ch), 21), fill(f, 9 * ch, 22), fill(b, ch, 23);
    c.x = x, c.hwio = f, c.bias = b, c.y = y;
    c.act = (frost__act_params){FROST__ACT_RELU, 0, 0, false, 0, 0};
    bench(&(bench_case){"conv", "14x14x64 dw 3x3", "depthwise ref", run_depthwise, &c,
                        2.0 * hw * hw * ch * 9, 4.0 * (2 * hw * hw * ch + 10 * ch), y,
                        (size_t)(hw * hw * ch), NULL, 0, false});
    free(x), free(f), free(b), free(y);
}

/* ---- pooling ---------------------------------------------------------------------------------- */

typedef struct pool_ctx {
    frost__pool_geom g;
    void (*kernel)(const frost__pool_geom *, const float *, float *, int64_t, int64_t);
    const float *x;
    float *y;
} pool_ctx;

static void run_pool(const void *arg) {
    const pool_ctx *p = arg;
    p->kernel(&p->g, p->x, p->y, 0, p->g.n * p->g.out_h);
}

/* 2x2 stride-2 max pool over hw x hw x c (bit-exact across ISAs). */
static void bench_pool(const char *shape, int64_t hw, int64_t ch) {
    pool_ctx p = {.g = {.n = 1, .in_h = hw, .in_w = hw, .c = ch, .out_h = hw / 2, .out_w = hw / 2,
                        .k_h = 2, .k_w = 2, .stride_h = 2, .stride_w = 2, .dil_h = 1, .dil_w = 1,
                        .is_max = true}};
    const size_t n_in = (size_t)(hw * hw * ch), n_out = n_in / 4;
    float *x = floats(n_in), *y = floats(n_out), *want = floats(n_out);
    fill(x, n_in, 31);
    p.x = x;
    frost_k_f32_pool2d__ref(&p.g, x, want, 0, p.g.out_h);
    const double flops = 3.0 * (double)n_out, bytes = 4.0 * (double)(n_in + n_out);
    p.kernel = frost_k_f32_pool2d__ref, p.y = y;
    bench(&(bench_case){"maxpool", shape, "ref", run_pool, &p, flops, bytes, y, n_out, NULL, 0,
                        !g_cpu->avx512f});
#if defined(__x86_64__)
    if (g_cpu->avx512f) {
        p.kernel = frost_k_f32_pool2d__avx512;
        bench(&(bench_case){"maxpool", shape, "avx512", run_pool, &p, flops, bytes, y, n_out, want,
                            0, true});
    }
#endif
    free(x), free(y), free(want);
}

/* ---- softmax ---------------------------------------------------------------------------------- */

typedef struct softmax_ctx {
    void (*kernel)(const float *, float *, int64_t, int64_t, int64_t, float, bool);
    const float *x;
    float *y;
    int64_t rows, len;
} softmax_ctx;

static void run_softmax(const void *arg) {
    const softmax_ctx *s = arg;
    s->kernel(s->x, s->y, s->rows, s->len, 1, 1.0f, false);
}

static void bench_softmax(const char *shape, int64_t rows, int64_t len) {
    const size_t n = (size_t)(rows * len);
    float *x = floats(n), *y = floats(n), *want = floats(n);
    fill(x, n, 41);
    for (size_t i = 0; i < n; i++) x[i] *= 8; /* logits, not all near 0 */
    frost_k_f32_softmax__ref(x, want, rows, len, 1, 1.0f, false);
    softmax_ctx s = {frost_k_f32_softmax__ref, x, y, rows, len};
    bench(&(bench_case){"softmax", shape, "ref", run_softmax, &s, 0, 8.0 * (double)n, y, n, NULL, 0,
                        !g_cpu->avx512f});
#if defined(__x86_64__)
    if (g_cpu->avx512f) {
        s.kernel = frost_k_f32_softmax__avx512;
        /* The AVX-512 exp is ~1e-6 relative to the ref's (softmax.h). */
        bench(&(bench_case){"softmax", shape, "avx512", run_softmax, &s, 0, 8.0 * (double)n, y, n,
                            want, 1e-5, true});
    }
#endif
    free(x), free(y), free(want);
}

/* ---- elementwise ------------------------------------------------------------------------------ */

typedef struct unary_ctx {
    frost__f32_unary_fn kernel;
    int fn;
    const float *x;
    float *y;
    int64_t n;
} unary_ctx;

static void run_unary(const void *arg) {
    const unary_ctx *u = arg;
    u->kernel(u->fn, u->x, u->y, u->n, 0.0f, 0.0f);
}

/* The activations and exp over conv1's output (28x28x32), for each unary build the CPU allows. */
static void bench_unary(void) {
    static const struct { int fn; const char *name; double flops_per; } FNS[] = {
        {FROST__ACT_RELU, "relu", 1},       {FROST__ACT_SIGMOID, "sigmoid", 0},
        {FROST__ACT_TANH, "tanh", 0},       {FROST__ACT_GELU, "gelu", 0},
        {FROST__UN_EXP, "exp", 0},
    };
    const int64_t n = 28 * 28 * 32;
    float *x = floats((size_t)n), *y = floats((size_t)n), *want = floats((size_t)n);
    fill(x, (size_t)n, 51);
    for (int64_t i = 0; i < n; i++) x[i] *= 4;
    const frost__f32_unary_fn picked = frost__f32_unary_pick(g_cpu);
    for (size_t f = 0; f < sizeof FNS / sizeof FNS[0]; f++) {
        char shape[32];
        snprintf(shape, sizeof shape, "%s 28x28x32", FNS[f].name);
        frost_k_f32_unary__ref(FNS[f].fn, x, want, n, 0.0f, 0.0f);
        struct { frost__f32_unary_fn k; const char *name; bool ok; } V[] = {
            {frost_k_f32_unary__ref, "ref", true},
#if defined(__x86_64__)
            {frost_k_f32_unary__avx2, "avx2", g_cpu->avx2_fma},
            {frost_k_f32_unary__avx512, "avx512", g_cpu->avx512f},
#endif
        };
        for (size_t v = 0; v < sizeof V / sizeof V[0]; v++) {
            if (!V[v].ok) continue;
            unary_ctx u = {V[v].k, FNS[f].fn, x, y, n};
            /* Same source compiled wider: equal up to FMA contraction. */
            bench(&(bench_case){"unary", shape, V[v].name, run_unary, &u, FNS[f].flops_per * n,
                                8.0 * n, y, (size_t)n, v == 0 ? NULL : want, 1e-5,
                                V[v].k == picked});
        }
    }
    free(x), free(y), free(want);
}

typedef struct binary_ctx {
    frost__bcast plan;
    frost__binary_loop loop;
    const float *a, *b;
    float *out;
    int64_t rows, inner;
} binary_ctx;

static void run_binary_rows(const void *arg) {
    const binary_ctx *c = arg;
    frost_k_binary_rows__ref(&c->plan, c->loop, c->a, 4, c->b, 4, c->out, 4, 0, c->rows);
}

static void run_binary_short(const void *arg) {
    const binary_ctx *c = arg;
    frost_k_binary_short_rows__ref(c->loop, c->a, 4, c->b, 4, c->out, 4, c->inner, true, 0,
                                   c->rows);
}

/* Add of two 28x28x32 tensors, and a [64] bias over 14x14x64 (rows loop vs short-row tiling). */
static void bench_binary(void) {
    const int64_t n = 28 * 28 * 32;
    float *a = floats((size_t)n), *b = floats((size_t)n), *out = floats((size_t)n);
    float *want = floats((size_t)n);
    fill(a, (size_t)n, 61), fill(b, (size_t)n, 62);
    binary_ctx c = {.loop = frost_k_binary_loop(FROST__BIN_ADD, FROST_DTYPE_F32), .a = a, .b = b,
                    .out = out};
    const frost__shape full = {4, {1, 28, 28, 32}};
    frost__bcast_plan(&full, &full, &full, &c.plan);
    c.rows = c.plan.numel / c.plan.dims[c.plan.rank - 1];
    bench(&(bench_case){"binary", "add 28x28x32", "ref", run_binary_rows, &c, (double)n,
                        12.0 * n, out, (size_t)n, NULL, 0, true});

    const frost__shape act = {4, {1, 14, 14, 64}}, vec = {1, {64}};
    frost__bcast_plan(&act, &vec, &act, &c.plan);
    c.rows = 14 * 14, c.inner = 64;
    const int64_t m = 14 * 14 * 64;
    for (int64_t i = 0; i < m; i++) want[i] = a[i] + b[i % 64];
    bench(&(bench_case){"binary", "bias 14x14x64 + [64]", "ref rows", run_binary_rows, &c,
                        (double)m, 4.0 * (2 * m + 64), out, (size_t)m, want, 0, false});
    bench(&(bench_case){"binary", "bias 14x14x64 + [64]", "ref short rows", run_binary_short, &c,
                        (double)m, 4.0 * (2 * m + 64), out, (size_t)m, want, 0, true});
    free(a), free(b), free(out), free(want);
}

/* ---- normalization, reductions ---------------------------------------------------------------- */

typedef struct norm_ctx {
    const float *x, *mul, *add;
    float *y;
    int64_t rows, d;
} norm_ctx;

static void run_bn_apply(const void *arg) {
    const norm_ctx *c = arg;
    frost_k_f32_bn_apply__ref(c->x, c->y, c->rows, c->d, 1, c->mul, c->add);
}

static void run_layernorm(const void *arg) {
    const norm_ctx *c = arg;
    frost_k_f32_layernorm__ref(c->x, c->y, c->rows, c->d, c->mul, c->d, c->add, c->d, 1e-5f, NULL,
                               NULL);
}

typedef struct reduce_ctx {
    frost__reduce_plan plan;
    const float *x;
    float *y;
} reduce_ctx;

static void run_reduce_mean(const void *arg) {
    const reduce_ctx *c = arg;
    frost_k_f32_reduce__ref(&c->plan, FROST__RED_MEAN, c->x, c->y, NULL);
}

static void bench_norm_reduce(void) {
    const int64_t hw = 14 * 14, ch = 64, rows = 64, d = 1000;
    float *x = floats((size_t)(rows * d)), *y = floats((size_t)(rows * d));
    float *mul = floats((size_t)d), *add = floats((size_t)d);
    fill(x, (size_t)(rows * d), 71), fill(mul, (size_t)d, 72), fill(add, (size_t)d, 73);
    norm_ctx bn = {x, mul, add, y, hw, ch};
    bench(&(bench_case){"norm", "batchnorm 14x14x64", "ref", run_bn_apply, &bn, 2.0 * hw * ch,
                        4.0 * (2 * hw * ch + 2 * ch), y, (size_t)(hw * ch), NULL, 0, true});
    norm_ctx ln = {x, mul, add, y, rows, d};
    bench(&(bench_case){"norm", "layernorm 64x1000", "ref", run_layernorm, &ln, 0,
                        4.0 * (2 * rows * d + 2 * d), y, (size_t)(rows * d), NULL, 0, true});

    reduce_ctx r = {.x = x, .y = y};
    const frost__shape s = {4, {1, 14, 14, 64}};
    const bool axes[4] = {false, true, true, false};
    frost__reduce_plan_make(&s, axes, &r.plan);
    bench(&(bench_case){"reduce", "mean HW of 14x14x64", "ref", run_reduce_mean, &r,
                        (double)(hw * ch), 4.0 * (hw * ch + ch), y, (size_t)ch, NULL, 0, true});
    free(x), free(y), free(mul), free(add);
}

/* ---- layout ----------------------------------------------------------------------------------- */

typedef struct copy_ctx {
    frost__copy_plan plan;
    int tile_dim;
    const float *src;
    float *dst;
    /* pad */
    int64_t in_dims[3], before[3], out_dims[3];
} copy_ctx;

static void run_strided_copy(const void *arg) {
    const copy_ctx *c = arg;
    frost_k_strided_copy__ref(&c->plan, c->src, c->dst, 0, frost__copy_plan_rows(&c->plan));
}

static void run_tiled_copy(const void *arg) {
    const copy_ctx *c = arg;
    frost_k_tiled_copy__ref(&c->plan, c->tile_dim, c->src, c->dst, 0,
                            frost__copy_plan_tile_outer(&c->plan, c->tile_dim));
}

static void run_pad(const void *arg) {
    static const float zero = 0;
    const copy_ctx *c = arg;
    frost_k_pad__ref(3, c->in_dims, c->before, c->out_dims, FROST__PADMODE_CONSTANT, &zero, c->src,
                     c->dst, 4);
}

static void bench_layout(void) {
    const int64_t hw = 14, ch = 64, n = hw * hw * ch;
    float *src = floats((size_t)(32 * 32 * 32)), *dst = floats((size_t)(32 * 32 * 32));
    float *want = floats((size_t)n);
    fill(src, 32 * 32 * 32, 81);
    /* NHWC -> NCHW of 14x14x64: dst[c][h][w] = src[h][w][c]. */
    copy_ctx c = {.plan = {.rank = 3, .dims = {ch, hw, hw}, .strides = {1, hw * ch, ch}, .es = 4,
                           .numel = n},
                  .src = src, .dst = dst};
    frost__copy_plan_simplify(&c.plan);
    c.tile_dim = frost__copy_plan_tile_dim(&c.plan);
    for (int64_t k = 0; k < ch; k++)
        for (int64_t i = 0; i < hw * hw; i++) want[k * hw * hw + i] = src[i * ch + k];
    bench(&(bench_case){"layout", "NHWC->NCHW 14x14x64", "strided ref", run_strided_copy, &c, 0,
                        8.0 * n, dst, (size_t)n, want, 0, c.tile_dim < 0});
    if (c.tile_dim >= 0)
        bench(&(bench_case){"layout", "NHWC->NCHW 14x14x64", "tiled ref", run_tiled_copy, &c, 0,
                            8.0 * n, dst, (size_t)n, want, 0, true});
    /* Zero padding of conv2's input by 2 on each side, as a 'same' 5x5 would need it. */
    copy_ctx p = {.src = src, .dst = dst, .in_dims = {14, 14, 32}, .before = {2, 2, 0},
                  .out_dims = {18, 18, 32}};
    bench(&(bench_case){"layout", "pad 14x14x32 by 2", "ref", run_pad, &p, 0,
                        4.0 * (14 * 14 * 32 + 18 * 18 * 32), dst, 18 * 18 * 32, NULL, 0, true});
    free(src), free(dst), free(want);
}

/* ---- general GEMM (both operands activations: BatchMatMul, attention) ------------------------- */

typedef struct gemm_ctx {
    const float *a, *b;
    float *c;
    int n;
} gemm_ctx;

static void run_gemm_general(const void *arg) {
    const gemm_ctx *g = arg;
    frost_k_f32_gemm__ref(g->n, g->n, g->n, g->a, g->n, false, g->b, g->n, false, g->c, g->n, false);
}

static void bench_gemm_general(void) {
    const int n = 64;
    float *a = floats((size_t)n * n), *b = floats((size_t)n * n), *c = floats((size_t)n * n);
    fill(a, (size_t)n * n, 91), fill(b, (size_t)n * n, 92);
    gemm_ctx g = {a, b, c, n};
    bench(&(bench_case){"gemm", "64x64x64 act x act", "ref", run_gemm_general, &g, 2.0 * n * n * n,
                        12.0 * n * n, c, (size_t)n * n, NULL, 0, true});
    free(a), free(b), free(c);
}

/* ---- main ------------------------------------------------------------------------------------- */

int main(int argc, char **argv) {
    bool quick = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--quick")) quick = true;
        else g_only = argv[i];
    }
    if (quick) g_min_time = 0.02;
    g_cpu = frost__cpu_get();
    const char *fma_what;
    g_peak_gflops = machine_fma_gflops(&fma_what);
    g_bw_l2 = machine_read_gbs(256u << 10);
    const double bw_l3 = quick ? 0 : machine_read_gbs(13u << 20);
    printf("machine: FMA peak %.1f GFLOP/s (%s, 1 thread); read 256 KB %.1f GB/s, 13 MB %.1f GB/s; "
           "max ISA %s\n",
           g_peak_gflops, fma_what, g_bw_l2, bw_l3,
           g_cpu->max_isa == 2 ? "avx512" : g_cpu->max_isa == 1 ? "avx2" : "ref");
    printf("%-9s %-22s %-26s %10s %10s %8s %6s %7s %6s  %s\n", "family", "shape", "variant",
           "median us", "best us", "GFLOP/s", "%fma", "GB/s", "%bwL2", "check");

    bench_conv("28x28x1->32 5x5 same", 28, 1, 32);
    bench_conv("14x14x32->64 5x5 same", 14, 32, 64);
    bench_depthwise();
    bench_pool("2x2 max 28x28x32", 28, 32);
    bench_pool("2x2 max 14x14x64", 14, 64);
    bench_softmax("1x10", 1, 10);
    bench_softmax("64x1000", 64, 1000);
    bench_unary();
    bench_binary();
    bench_norm_reduce();
    bench_layout();
    bench_gemm_general();

    if (g_wrong) {
        fprintf(stderr, "bench_kernels: %d kernel(s) gave WRONG results (rates not shown)\n",
                g_wrong);
        return 1;
    }
    return 0;
}
