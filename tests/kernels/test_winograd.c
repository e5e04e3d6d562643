/* test_winograd.c — the two Winograd convolutions, F(4x4, 5x5) and F(4x4, 3x3), against a naive
 * correlation written here (double sums), two ways each:
 *   1. the kernels composed by hand (filter transform, input transform, the 64 or 36 GEMMs on the
 *      AVX-512 family, output transform), over tiles split into blocks at odd places;
 *   2. CONV2D through its op hooks (pack, prepare, run) on shapes that take the Winograd path, with
 *      1 to 3 threads, so the workspace slices and the block split are exercised.
 * Shapes: images smaller than a tile and not multiples of 4 (partial tiles), SAME / VALID / explicit
 * asymmetric padding (patches hanging over every edge), 3x3 dilations 2 and 5 (run as interleaved
 * sub-grids; the output a multiple of the dilation), channel counts off the 16-lane vector (masked
 * tails), bias or none, relu (on registers) and sigmoid (the ref tail), outputs pre-filled with
 * NaN so an unwritten pixel shows. Skipped without AVX-512. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/winograd.h"
#include "op_harness.h"
#include "test.h"

/* One Winograd scheme: its filter size, transform points and kernels. */
typedef struct scheme {
    const char *name;
    int k;      /* filter size */
    int points; /* elementwise products per tile: 64 for F(4x4,5x5), 36 for F(4x4,3x3) */
    void (*filter)(const float *hwio, int cin, int cout, float *u);
    int64_t (*tiles)(const frost__conv_geom *g);
    void (*input)(const frost__conv_geom *g, const float *x, int64_t t0, int64_t nt, float *V);
    void (*output)(const frost__conv_geom *g, const float *M, const float *bias,
                   const frost__act_params *act, int64_t t0, int64_t nt, float *y);
} scheme;

static const scheme WINO45 = {"wino45", 5, 64, frost_k_wino45_filter__ref, frost_wino45_tiles,
                              frost_k_wino45_input__avx512, frost_k_wino45_output__avx512};
static const scheme WINO43 = {"wino43", 3, 36, frost_k_wino43_filter__ref, frost_wino43_tiles,
                              frost_k_wino43_input__avx512, frost_k_wino43_output__avx512};

typedef struct wcase {
    const scheme *s;
    int n, h, w, cin, cout, dil;
    frost__padding pad;
    int pt, pb, pl, pr;
    bool bias;
    frost__act act;
    int threads;
} wcase;

static double act_of(double v, frost__act a) {
    if (a == FROST__ACT_RELU) return v < 0 ? 0 : v;
    if (a == FROST__ACT_SIGMOID) return 1.0 / (1.0 + exp(-v));
    return v;
}

/* The geometry, or false when the output is empty or the scheme cannot run it (F(4x4,3x3): an
 * output not a multiple of the dilation; F(4x4,5x5): any dilation). */
static bool geometry(const wcase *c, frost__conv_geom *g) {
    memset(g, 0, sizeof *g);
    const int k = c->s->k, eff = (k - 1) * c->dil + 1;
    g->n = c->n, g->in_h = c->h, g->in_w = c->w, g->in_c = c->cin, g->out_c = c->cout;
    g->k_h = g->k_w = k;
    g->stride_h = g->stride_w = 1;
    g->dil_h = g->dil_w = c->dil;
    g->groups = 1;
    if (c->pad == FROST__PAD_VALID) {
        g->out_h = c->h - eff + 1, g->out_w = c->w - eff + 1;
    } else if (c->pad == FROST__PAD_SAME_UPPER) {
        g->out_h = c->h, g->out_w = c->w, g->pad_top = g->pad_left = (eff - 1) / 2;
    } else {
        g->out_h = c->h + c->pt + c->pb - eff + 1, g->out_w = c->w + c->pl + c->pr - eff + 1;
        g->pad_top = c->pt, g->pad_left = c->pl;
    }
    if (g->out_h <= 0 || g->out_w <= 0) return false;
    return c->s == &WINO43 ? frost_wino43_fits(g) : c->dil == 1;
}

static void naive(const frost__conv_geom *g, const float *x, const float *f, const float *bias,
                  frost__act act, float *y) {
    const int k = (int)g->k_h;
    for (int64_t n = 0; n < g->n; n++)
        for (int64_t oh = 0; oh < g->out_h; oh++)
            for (int64_t ow = 0; ow < g->out_w; ow++)
                for (int64_t co = 0; co < g->out_c; co++) {
                    double s = bias ? bias[co] : 0;
                    for (int kh = 0; kh < k; kh++)
                        for (int kw = 0; kw < k; kw++) {
                            const int64_t ih = oh - g->pad_top + kh * g->dil_h;
                            const int64_t iw = ow - g->pad_left + kw * g->dil_w;
                            if (ih < 0 || ih >= g->in_h || iw < 0 || iw >= g->in_w) continue;
                            for (int64_t ci = 0; ci < g->in_c; ci++)
                                s += (double)x[((n * g->in_h + ih) * g->in_w + iw) * g->in_c + ci] *
                                     f[((kh * k + kw) * g->in_c + ci) * g->out_c + co];
                        }
                    y[((n * g->out_h + oh) * g->out_w + ow) * g->out_c + co] = (float)act_of(s, act);
                }
}

/* The transforms have coefficients up to 8 and 1/90 (5x5) or 1/24 (3x3): the error grows like a
 * sum's, with the square root of the terms (k * k * cin products, here of values in [-1, 1]), and
 * is ~20x the direct sum's. Measured max |error| 2.3e-4 at 5x5, cin = 40 (outputs of magnitude
 * ~10). */
static double tolerance(const wcase *c) { return 5e-5 * sqrt((double)c->s->k * c->s->k * c->cin); }

static float *rnd(size_t n) {
    float *p = malloc((n ? n : 1) * sizeof *p);
    frost_test_fill(p, n, -1.0f, 1.0f);
    return p;
}

static void label_of(const wcase *c, char *buf, size_t cap) {
    snprintf(buf, cap, "%s n%d %dx%dx%d->%d d%d pad%d(%d,%d,%d,%d) bias%d act%d t%d", c->s->name,
             c->n, c->h, c->w, c->cin, c->cout, c->dil, (int)c->pad, c->pt, c->pb, c->pl, c->pr,
             c->bias, (int)c->act, c->threads);
}

/* 1. The kernels by hand, tiles in blocks of `block`. */
static void kernels_case(const frost__gemm_kernel *k, const wcase *c, int64_t block) {
    frost__conv_geom g;
    if (!geometry(c, &g)) return;
    const scheme *s = c->s;
    const int taps = s->k * s->k, points = s->points;
    const size_t nx = (size_t)(c->n * c->h * c->w * c->cin), nf = (size_t)(taps * c->cin * c->cout);
    const size_t ny = (size_t)(g.n * g.out_h * g.out_w * g.out_c);
    float *x = rnd(nx), *f = rnd(nf), *b = rnd((size_t)c->cout);
    float *y = malloc(ny * sizeof *y), *ref = malloc(ny * sizeof *ref);
    for (size_t i = 0; i < ny; i++) y[i] = NAN; /* every pixel must be written */
    const size_t plane = (size_t)c->cin * c->cout;
    float *u = malloc((size_t)points * plane * sizeof *u);
    s->filter(f, c->cin, c->cout, u);
    const size_t stride = (k->packed_bytes(c->cin, c->cout) + 63) & ~(size_t)63;
    unsigned char *U = aligned_alloc(64, (size_t)points * stride);
    for (int xi = 0; xi < points; xi++)
        k->pack(c->cin, c->cout, u + xi * plane, c->cout, false, U + xi * stride);
    const int64_t tiles = s->tiles(&g);
    float *V = malloc((size_t)(points * block * c->cin) * sizeof *V);
    float *M = malloc((size_t)(points * block * c->cout) * sizeof *M);
    const frost__act_params act = {c->act, 0, 0, false, 0, 0}, none = {FROST__ACT_NONE, 0, 0, false, 0, 0};
    for (int64_t n = 0; n < c->n; n++)
        for (int64_t t0 = 0; t0 < tiles; t0 += block) {
            const int64_t nt = tiles - t0 < block ? tiles - t0 : block;
            s->input(&g, x + n * c->h * c->w * c->cin, t0, nt, V);
            for (int xi = 0; xi < points; xi++)
                k->run((int)nt, c->cout, c->cin, V + xi * nt * c->cin, c->cin, U + xi * stride,
                       NULL, M + xi * nt * c->cout, c->cout, &none, 0, c->cout);
            s->output(&g, M, c->bias ? b : NULL, &act, t0, nt, y + n * g.out_h * g.out_w * g.out_c);
        }
    naive(&g, x, f, c->bias ? b : NULL, c->act, ref);
    char label[160];
    label_of(c, label, sizeof label);
    frost_test_close(y, ref, ny, tolerance(c), 1e-4,
                     frost_test_fmt("%s block %lld", label, (long long)block));
    free(x), free(f), free(b), free(y), free(ref), free(u), free(U), free(V), free(M);
}

/* 2. CONV2D through the op hooks. */
static void op_case(const wcase *c) {
    frost__conv_geom g;
    if (!geometry(c, &g)) return;
    const int k = c->s->k;
    const int64_t xd[4] = {c->n, c->h, c->w, c->cin}, fd[4] = {k, k, c->cin, c->cout},
                  bd[1] = {c->cout};
    float *x = rnd((size_t)(c->n * c->h * c->w * c->cin)), *f = rnd((size_t)(k * k * c->cin * c->cout));
    float *b = rnd((size_t)c->cout);
    frost__params p;
    memset(&p, 0, sizeof p);
    p.conv.w = (frost__window){1, 1, c->dil, c->dil, c->pad, c->pt, c->pb, c->pl, c->pr};
    p.conv.groups = 1;
    p.conv.act.act = c->act;
    oh_in ins[3] = {oh_var(oh_f32(x, 4, xd)), oh_f32(f, 4, fd), c->bias ? oh_f32(b, 1, bd) : oh_absent()};
    char label[160];
    label_of(c, label, sizeof label);
    oh_out out;
    frost_error err;
    if (CHECK_MSG(oh_run(FROST__OP_CONV2D, &p, 3, ins, 1, true, c->threads, &out, &err) == FROST_OK,
                  "%s: %s", label, err.message)) {
        const size_t ny = (size_t)(g.n * g.out_h * g.out_w * g.out_c);
        CHECK_MSG(out.shape.rank == 4 && out.shape.d[1] == g.out_h && out.shape.d[2] == g.out_w,
                  "%s: shape", label);
        float *ref = malloc(ny * sizeof *ref);
        naive(&g, x, f, c->bias ? b : NULL, c->act, ref);
        frost_test_close(out.data, ref, ny, tolerance(c), 1e-4, label);
        free(ref);
        oh_free(&out, 1);
    }
    free(x), free(f), free(b);
}

/* Every image size x channel pair x dilation x padding (SAME, VALID, explicit: top 1, bottom
 * pb_per_dil * dil + pb_extra, left 0, right pr_per_dil * dil), blocks of `block` and, every third
 * case, `small_block` tiles. */
static void sweep(const frost__gemm_kernel *k, const scheme *s, const int (*hw)[2], size_t n_hw,
                  const int (*chans)[2], size_t n_chans, const int *dils, size_t n_dils,
                  int pb_per_dil, int pb_extra, int pr_per_dil, int64_t block, int64_t small_block) {
    int i = 0;
    for (size_t sz = 0; sz < n_hw; sz++)
        for (size_t ch = 0; ch < n_chans; ch++)
            for (size_t d = 0; d < n_dils; d++)
                for (int pad = 0; pad < 3; pad++, i++) {
                    wcase c = {.s = s, .n = 1 + i % 2, .h = hw[sz][0], .w = hw[sz][1],
                               .cin = chans[ch][0], .cout = chans[ch][1], .dil = dils[d],
                               .bias = i % 3 != 0,
                               .act = i % 4 == 3 ? FROST__ACT_SIGMOID
                                      : i % 2  ? FROST__ACT_RELU
                                               : FROST__ACT_NONE,
                               .threads = 1 + i % 3};
                    if (pad == 0) {
                        c.pad = FROST__PAD_SAME_UPPER;
                    } else if (pad == 1) {
                        c.pad = FROST__PAD_VALID;
                    } else {
                        c.pad = FROST__PAD_EXPLICIT;
                        c.pt = 1, c.pb = pb_per_dil * c.dil + pb_extra, c.pl = 0, c.pr = pr_per_dil * c.dil;
                    }
                    kernels_case(k, &c, block);
                    if (i % 3 == 0) kernels_case(k, &c, small_block);
                    op_case(&c);
                }
}

int main(void) {
    (void)oh_infer;
    frost_test_seed(45);
    const frost__cpu *cpu = frost__cpu_get();
    const frost__gemm_kernel *k = frost__gemm_pick(cpu);
    if (!cpu->avx512f || strcmp(k->name, "avx512") != 0)
        frost_test_skip("Winograd runs on the AVX-512 GEMM family; this CPU (or FROST_MAX_ISA) has none");
    static const int hw45[][2] = {{14, 14}, {5, 5}, {7, 9}, {1, 1}, {13, 17}, {4, 4}, {8, 3}, {28, 28}};
    static const int chans45[][2] = {{32, 64}, {16, 16}, {17, 23}, {40, 33}};
    static const int undilated[] = {1};
    sweep(k, &WINO45, hw45, FROST_ARRAY_LEN(hw45), chans45, FROST_ARRAY_LEN(chans45), undilated, 1,
          3, 0, 4, 32, 3);
    static const int hw43[][2] = {{14, 14}, {5, 5}, {7, 9}, {1, 1}, {13, 17}, {4, 4}, {20, 10}};
    static const int chans43[][2] = {{32, 64}, {16, 16}, {17, 23}};
    static const int dils43[] = {1, 2, 5};
    sweep(k, &WINO43, hw43, FROST_ARRAY_LEN(hw43), chans43, FROST_ARRAY_LEN(chans43), dils43,
          FROST_ARRAY_LEN(dils43), 3, -1, 2, 30, 7);
    return frost_test_finish();
}
