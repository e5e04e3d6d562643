/* conv.c — CONV2D, DEPTHWISE_CONV2D and CONV2D_TRANSPOSE on NHWC activations (TensorFlow
 * semantics: HWIO filters, DepthwiseConv2dNative [kh,kw,cin,mult] filters, Conv2DBackpropInput
 * [kh,kw,cout,cin] filters), with fused bias and activation.
 *
 * CONV2D lowers to the packed GEMM: an HWIO filter is exactly a [kh*kw*cin, cout] matrix (per
 * group), packed once at load by `pack`. The output pixels are cut into row tiles; each tile is
 * gathered by im2col into its worker's slice of the step workspace and multiplied. A 1x1 stride-1
 * unpadded conv needs no im2col: the input already is the A matrix. A grouped conv with one input
 * channel per group is a depthwise conv and takes that direct loop instead. On AVX-512 CPUs two
 * shapes take faster paths, their filters prepared at load after the im2col one in n->packed:
 * 5x5 stride-1 convs with >= 16 channels run as Winograd F(4x4,5x5) (6.25x fewer multiplies), and
 * narrow convs (small K, <= 32 outputs: a CNN's first layer) run directly on a zero-padded copy of
 * the image, without im2col (docs/benchmarks-speed.md has the measurements).
 * CONV2D_TRANSPOSE multiplies each image by the packed filter into the workspace (one row of
 * kh*kw*cout products per input pixel), then gathers those products into output pixels (col2im).
 * Padding (SAME_UPPER / SAME_LOWER / VALID / EXPLICIT) is resolved at prepare from the real input
 * size. Never allocates in prepare or run; only pack allocates (n->packed, from the graph's
 * allocator). */
#include <limits.h>

#include "kernels/conv.h"
#include "kernels/gemm.h"
#include "kernels/select.h"
#include "kernels/winograd.h"
#include "ops/op.h"

/* Below this many multiply-adds a thread hand-off costs more than it saves. */
#define CONV_MIN_TASK_FLOPS 32768
/* im2col tile target: about this many floats per worker, so a tile stays in L2. */
#define CONV_TILE_FLOATS 65536

typedef enum conv_mode {
    CONV_GEMM_PACKED, /* filter packed at load                                              */
    CONV_GEMM_REF,    /* filter not constant: reference GEMM straight from the filter        */
    CONV_DEPTHWISE,   /* direct loops                                                        */
    CONV_DIRECT,      /* grouped, few channels per group: direct loops                       */
    CONV_TRANSPOSE,
    CONV_WINOGRAD,    /* 5x5 stride 1: Winograd F(4x4,5x5), filter transformed at load       */
    CONV_NARROW,      /* small K, <= 32 outputs: direct on a padded copy of the image        */
    CONV_DWPW,        /* a fused depthwise conv, then this 1x1 conv, tile by tile            */
} conv_mode;

typedef struct conv_plan {
    frost__conv_geom g;
    conv_mode mode;
    bool direct_a; /* A is the input itself, rows a_stride floats apart: 1x1 stride 1 unpadded,
                      or one output row of 1-high windows (a 1-D conv: an STFT's frames) */
    int64_t a_stride;
    bool has_bias;
    int K, cout_g;       /* GEMM sizes per group (transpose: K = cin, cout_g = kh*kw*cout)       */
    int64_t rows;        /* output pixels (transpose: input pixels per image)                   */
    int64_t tile_m;      /* rows per im2col tile when the step gets the pool                    */
    int64_t tile_m_one;  /* ... and when it runs on one thread (no pool: the one-thread plan's)  */
    int slots;           /* workspace slices: one per worker                                    */
    size_t group_stride; /* bytes between the groups' packed filters                            */
    const frost__gemm_kernel *kernel;
    frost__act_params act;
    const frost__conv_kernels *kern; /* this CPU's conv kernels (kernels/select.h)            */
    frost__im2col_fn im2col;
    /* Winograd: tiles per image, tiles per work unit, where U starts in n->packed and the bytes
     * between its 64 packed matrices, and the fp32 GEMM family they were packed for. */
    int64_t wino_tiles, wino_block;
    int wino_alpha;      /* patch size: 6 (3x3 filters) or 8 (5x5); alpha^2 GEMMs               */
    size_t wino_offset, wino_stride;
    const frost__gemm_kernel *wino_kernel;
    /* Narrow direct conv: padded image size, where the K x 32 filter starts in n->packed. */
    int64_t narrow_hp, narrow_wp;
    size_t narrow_offset;
    /* y = act(...) * post_scale + post_shift (params.h), applied where the output is still hot. */
    bool post;
    float post_scale, post_shift;
    /* y = act(conv + bias + residual): the kernels run with `act` NONE and the tail below adds
     * the residual (input 3) and applies tail_act, tile by tile while the output is hot. */
    bool residual;
    frost__act_params tail_act;
    frost__f32_residual_fn residual_fn; /* this CPU's loops for the tails (kernels/select.h) */
    frost__f32_scale_shift_fn scale_shift_fn;
    bool fixed_split;    /* deterministic: tiles, blocks and column splits never depend on the
                            thread count (ops/op.h)                                            */
    /* CONV_DWPW: the depthwise conv's geometry (its output is this conv's input), activation and
     * post-affine, and how many of its output rows one tile holds. */
    frost__conv_geom dw_g;
    frost__act_params dw_act;
    bool dw_post;
    float dw_post_scale, dw_post_shift;
    int64_t dw_tile_rows, dw_tile_rows_one; /* with the pool, on one thread                   */
    int64_t wino_block_one;                 /* Winograd tiles per unit on one thread           */
} conv_plan;

/* Whether anything runs after the kernels' own epilogue. */
static bool has_tail(const conv_plan *p) { return p->post || p->residual; }

/* The tail on rows x cols floats of y (ld apart), r the matching residual rows (same ld) or NULL:
 * y = act(y + r) * post_scale + post_shift. The residual add runs in this CPU's vector loop
 * (kernels/eltwise.h), over whole tiles at once when their rows are contiguous. */
static void apply_tail(const conv_plan *p, float *y, const float *r, int64_t rows, int64_t cols,
                       int64_t ld) {
    if (rows == 1 || cols == ld) {
        cols *= rows;
        rows = 1;
    }
    const float a = p->post_scale, b = p->post_shift;
    for (int64_t i = 0; i < rows; i++) {
        float *row = y + i * ld;
        if (p->residual) p->residual_fn(row, r + i * ld, cols, &p->tail_act);
        if (p->post) p->scale_shift_fn(row, cols, a, b);
    }
}
_Static_assert(sizeof(conv_plan) <= sizeof(((frost__step *)0)->state), "conv plan too big");

static bool has_input(const frost__node *n, int i) { return i < n->n_in && n->in[i] >= 0; }

/* With this few output channels per group the packed GEMM mostly multiplies its own padding and the
 * direct loops are faster (measured: 2 and 4 per group; at 8 the GEMM wins by 2x). */
static bool grouped_direct(int groups, int64_t cout_g) { return groups > 1 && cout_g <= 4; }

static bool fits_int(int64_t v) { return v >= 0 && v <= INT_MAX; }
static size_t round_up64(size_t v) { return (v + 63) & ~(size_t)63; }

/* Strides and dilations of 0 mean "not set" (a zeroed params struct): 1. */
static int or_one(int v) { return v == 0 ? 1 : v; }

/* The narrow direct conv (conv1 of a CNN: 5x5 over 1 channel, 32 outputs) skips im2col, whose
 * 5-float copies cost as much as the GEMM (7.8 vs 11.3 us). Ungrouped, K <= 64 (or K <= 128 over
 * at most 4 channels: BlazeFace's 5x5/2 RGB stem, 660 -> 430 us, K = 75), cout <= 32, on CPUs
 * where the AVX-512 families run. Not for 1x1 stride-1 convs: they need no im2col either, and the
 * GEMM reads their input in place where this path would copy it. */
static bool narrow_ok(const frost__node *n, const frost__cpu *cpu, int64_t kh, int64_t kw,
                      int64_t cin, int64_t cout) {
    const int groups = n->p.conv.groups <= 0 ? 1 : n->p.conv.groups;
    const frost__window *w = &n->p.conv.w;
    const bool pointwise = kh == 1 && kw == 1 && or_one(w->stride_h) == 1 && or_one(w->stride_w) == 1;
    const int64_t K = kh * kw * cin;
    return groups == 1 && frost__conv_kernels_pick(cpu)->narrow && (K <= 64 || (cin <= 4 && K <= 128)) &&
           cout >= 1 && cout <= 32 && kh >= 1 && kw >= 1 && cin >= 1 && !pointwise;
}

/* Winograd F(4x4,5x5) replaces im2col + GEMM for ungrouped, stride-1, undilated 5x5 convs with
 * enough input channels to make its 64 GEMMs worth running (conv1 of a CNN, one channel, stays on
 * im2col), on CPUs where the AVX-512 fp32 GEMM runs them. The GEMM family for U; NULL: not here. */
static const frost__gemm_kernel *winograd_kernel(const frost__node *n, const frost__cpu *cpu,
                                                 int64_t kh, int64_t kw, int64_t cin, int64_t cout) {
    const frost__window *w = &n->p.conv.w;
    const int groups = n->p.conv.groups <= 0 ? 1 : n->p.conv.groups;
    const frost__conv_kernels *k = frost__conv_kernels_pick(cpu);
    const bool five = kh == FROST_WINO_R && kw == FROST_WINO_R;
    const bool three = kh == 3 && kw == 3 && k->wino43_input;
    /* 3x3 also when dilated (prepare checks the output divides by the dilation). */
    const bool undilated = or_one(w->dilation_h) == 1 && or_one(w->dilation_w) == 1;
    if (groups != 1 || !(five || three) || or_one(w->stride_h) != 1 ||
        or_one(w->stride_w) != 1 || (five && !undilated) || cin < 16 || cout < 16 ||
        !fits_int(cin) || !fits_int(cout))
        return NULL;
    return k->wino_gemm;
}

/* Winograd's patch size for a k x k filter: F(4x4,3x3) 6, F(4x4,5x5) 8. */
static int wino_alpha(int64_t k) { return k == 3 ? FROST_WINO43_ALPHA : FROST_WINO_ALPHA; }


static frost_status check_window(const frost__node *n, const frost__window *w, frost_error *err) {
    if (w->stride_h < 0 || w->stride_w < 0 || w->dilation_h < 0 || w->dilation_w < 0)
        return frost__op_fail(n, err, FROST_E_FORMAT, "negative stride or dilation (%d,%d / %d,%d)",
                              w->stride_h, w->stride_w, w->dilation_h, w->dilation_w);
    if (w->padding < FROST__PAD_VALID || w->padding > FROST__PAD_EXPLICIT)
        return frost__op_fail(n, err, FROST_E_FORMAT, "unknown padding mode %d", (int)w->padding);
    if (w->padding == FROST__PAD_EXPLICIT &&
        (w->pad_top < 0 || w->pad_bottom < 0 || w->pad_left < 0 || w->pad_right < 0))
        return frost__op_fail(n, err, FROST_E_FORMAT, "negative padding (%d,%d,%d,%d)", w->pad_top,
                              w->pad_bottom, w->pad_left, w->pad_right);
    return FROST_OK;
}

/* Output length of a forward window over `in` (-1 when in is unknown). May be <= 0: the caller
 * reports it. */
static int64_t window_out(int64_t in, int k, int s, int d, frost__padding mode, int pb, int pe) {
    if (in < 0) return -1;
    const int64_t eff = (int64_t)d * (k - 1) + 1;
    switch (mode) {
    case FROST__PAD_SAME_UPPER:
    case FROST__PAD_SAME_LOWER: return (in + s - 1) / s;
    case FROST__PAD_EXPLICIT:
        in += pb + pe;
        /* fallthrough */
    default: return in >= eff ? (in - eff) / s + 1 : 0;
    }
}

/* Leading padding of a forward window producing `out` from `in`. */
static int window_pad_begin(int64_t in, int64_t out, int k, int s, int d, frost__padding mode,
                            int explicit_begin) {
    if (mode == FROST__PAD_EXPLICIT) return explicit_begin;
    if (mode == FROST__PAD_VALID) return 0;
    int64_t total = (out - 1) * s + (int64_t)d * (k - 1) + 1 - in;
    if (total < 0) total = 0;
    return (int)(mode == FROST__PAD_SAME_UPPER ? total / 2 : total - total / 2);
}

static frost_status check_f32_inputs(const frost__node *n, const frost_dtype *dt, int n_in,
                                     frost_error *err) {
    for (int i = 0; i < n_in && i < 3; i++) {
        if (!has_input(n, i)) continue;
        if (dt[i] != FROST_DTYPE_F32 && dt[i] != FROST_DTYPE_INVALID)
            return frost__op_fail(n, err, FROST_E_DTYPE, "input %d is %s; only f32 is supported", i,
                                  frost_dtype_name(dt[i]));
    }
    return FROST_OK;
}

static frost_status check_rank4(const frost__node *n, const frost__shape *s, const char *what,
                                frost_error *err) {
    char sb[96];
    if (s->rank >= 0 && s->rank != 4)
        return frost__op_fail(n, err, FROST_E_SHAPE, "%s must have rank 4, got %s", what,
                              frost__shape_str(s, sb, sizeof sb));
    return FROST_OK;
}

static frost_status check_bias(const frost__node *n, const frost__shape *s, int64_t cout,
                               frost_error *err) {
    int64_t bn;
    char sb[96];
    if (cout >= 0 && frost__shape_numel_ok(s, &bn) && bn != cout)
        return frost__op_fail(n, err, FROST_E_SHAPE, "bias %s has %lld values, expected %lld",
                              frost__shape_str(s, sb, sizeof sb), (long long)bn, (long long)cout);
    return FROST_OK;
}

/* ---- infer ---------------------------------------------------------------------------------- */

static frost_status conv_infer_common(frost__infer_ctx *c, int64_t filter_cin, int64_t cout,
                                      int groups, const frost__window *w, bool depthwise) {
    const frost__node *n = c->node;
    const frost__shape *x = &c->in_shape[0], *f = &c->in_shape[1];
    c->out_dtype[0] = FROST_DTYPE_F32;
    if (x->rank < 0) {
        frost__shape o = frost__shape_unknown();
        o.rank = 4;
        for (int i = 0; i < 4; i++) o.d[i] = -1;
        o.d[3] = cout;
        c->out_shape[0] = o;
        return FROST_OK;
    }
    const int64_t C = x->d[3];
    if (C >= 0 && filter_cin >= 0 && C != filter_cin * (depthwise ? 1 : groups)) {
        char sx[96], sf[96];
        if (depthwise || groups == 1)
            return frost__op_fail(n, c->err, FROST_E_SHAPE,
                                  "input %s has %lld channels but the filter %s expects %lld",
                                  frost__shape_str(x, sx, sizeof sx), (long long)C,
                                  frost__shape_str(f, sf, sizeof sf), (long long)filter_cin);
        return frost__op_fail(
            n, c->err, FROST_E_SHAPE,
            "input %s has %lld channels but the filter %s expects %lld x %d groups",
            frost__shape_str(x, sx, sizeof sx), (long long)C, frost__shape_str(f, sf, sizeof sf),
            (long long)filter_cin, groups);
    }
    frost__shape o;
    memset(&o, 0, sizeof o);
    o.rank = 4;
    o.d[0] = x->d[0];
    if (f->rank == 4 && f->d[0] >= 0 && f->d[1] >= 0) {
        if (!fits_int(f->d[0]) || !fits_int(f->d[1]))
            return frost__op_fail(n, c->err, FROST_E_LIMIT, "filter window too large");
        const int kh = (int)f->d[0], kw = (int)f->d[1];
        o.d[1] = window_out(x->d[1], kh, or_one(w->stride_h), or_one(w->dilation_h), w->padding,
                            w->pad_top, w->pad_bottom);
        o.d[2] = window_out(x->d[2], kw, or_one(w->stride_w), or_one(w->dilation_w), w->padding,
                            w->pad_left, w->pad_right);
    } else {
        o.d[1] = o.d[2] = -1;
    }
    o.d[3] = cout;
    if (o.d[1] == 0 || o.d[2] == 0) {
        char sx[96], sf[96];
        return frost__op_fail(
            n, c->err, FROST_E_SHAPE,
            "input %s is smaller than the filter %s's dilated window: empty output",
            frost__shape_str(x, sx, sizeof sx), frost__shape_str(f, sf, sizeof sf));
    }
    c->out_shape[0] = o;
    return FROST_OK;
}

/* Input 3, when present, is a residual added before the activation (passes/fuse.c puts it there
 * from an Add after the conv): f32, exactly the output's shape. */
static frost_status check_residual(frost__infer_ctx *c) {
    const frost__node *n = c->node;
    if (!has_input(n, 3)) return FROST_OK;
    char sr[96], so[96];
    if (c->in_dtype[3] != FROST_DTYPE_F32 && c->in_dtype[3] != FROST_DTYPE_INVALID)
        return frost__op_fail(n, c->err, FROST_E_DTYPE, "the residual input is %s, not f32",
                              frost_dtype_name(c->in_dtype[3]));
    const frost__shape *r = &c->in_shape[3], *o = &c->out_shape[0];
    bool same = r->rank < 0 || o->rank < 0 || r->rank == o->rank;
    for (int d = 0; same && r->rank >= 0 && o->rank >= 0 && d < r->rank; d++)
        same = r->d[d] < 0 || o->d[d] < 0 || r->d[d] == o->d[d];
    if (!same || (c->planning && !frost__shape_equal(r, o)))
        return frost__op_fail(n, c->err, FROST_E_SHAPE,
                              "the residual input %s does not have the output's shape %s",
                              frost__shape_str(r, sr, sizeof sr), frost__shape_str(o, so, sizeof so));
    return FROST_OK;
}

static frost_status conv2d_infer(frost__infer_ctx *c) {
    const frost__node *n = c->node;
    if (c->n_in < 2 || c->n_out != 1)
        return frost__op_fail(n, c->err, FROST_E_FORMAT,
                              "needs inputs x, filter (and optional bias)");
    FROST_TRY(check_f32_inputs(n, c->in_dtype, c->n_in, c->err));
    FROST_TRY(check_window(n, &n->p.conv.w, c->err));
    FROST_TRY(check_rank4(n, &c->in_shape[0], "input", c->err));
    FROST_TRY(check_rank4(n, &c->in_shape[1], "filter (HWIO)", c->err));
    const int groups = n->p.conv.groups <= 0 ? 1 : n->p.conv.groups;
    const frost__shape *f = &c->in_shape[1];
    const int64_t cin_g = f->rank == 4 ? f->d[2] : -1, cout = f->rank == 4 ? f->d[3] : -1;
    if (cout >= 0 && cout % groups != 0)
        return frost__op_fail(n, c->err, FROST_E_SHAPE,
                              "%lld output channels do not split into %d groups", (long long)cout,
                              groups);
    if (has_input(n, 2)) FROST_TRY(check_bias(n, &c->in_shape[2], cout, c->err));
    if (n->p.conv.dw) {
        /* A fused depthwise conv first: its output t, then this 1x1 conv on t. */
        if (!has_input(n, 4))
            return frost__op_fail(n, c->err, FROST_E_FORMAT, "fused depthwise conv without a filter");
        FROST_TRY(check_window(n, &n->p.conv.dw_w, c->err));
        FROST_TRY(check_rank4(n, &c->in_shape[4], "depthwise filter [kh,kw,cin,1]", c->err));
        const frost__shape *df = &c->in_shape[4];
        const int64_t dc = df->rank == 4 ? df->d[2] : -1;
        frost__shape shapes[2] = {c->in_shape[0], *df};
        frost__infer_ctx d = *c;
        d.in_shape = shapes;
        FROST_TRY(conv_infer_common(&d, dc, dc, 1, &n->p.conv.dw_w, true));
        shapes[0] = c->out_shape[0];
        shapes[1] = *f;
        FROST_TRY(conv_infer_common(&d, cin_g, cout, groups, &n->p.conv.w, false));
        return check_residual(c);
    }
    FROST_TRY(conv_infer_common(c, cin_g, cout, groups, &n->p.conv.w, false));
    return check_residual(c);
}

static frost_status depthwise_infer(frost__infer_ctx *c) {
    const frost__node *n = c->node;
    if (c->n_in < 2 || c->n_out != 1)
        return frost__op_fail(n, c->err, FROST_E_FORMAT,
                              "needs inputs x, filter (and optional bias)");
    FROST_TRY(check_f32_inputs(n, c->in_dtype, c->n_in, c->err));
    FROST_TRY(check_window(n, &n->p.conv.w, c->err));
    FROST_TRY(check_rank4(n, &c->in_shape[0], "input", c->err));
    FROST_TRY(check_rank4(n, &c->in_shape[1], "filter [kh,kw,cin,multiplier]", c->err));
    const frost__shape *f = &c->in_shape[1];
    int64_t cin = f->rank == 4 ? f->d[2] : -1, cout = -1;
    if (f->rank == 4 && f->d[2] >= 0 && f->d[3] >= 0) cout = f->d[2] * f->d[3];
    if (has_input(n, 2)) FROST_TRY(check_bias(n, &c->in_shape[2], cout, c->err));
    FROST_TRY(conv_infer_common(c, cin, cout, 1, &n->p.conv.w, true));
    return check_residual(c);
}

/* Transposed conv output length; -1 when unknown. */
static int64_t deconv_out(int64_t in, int k, int s, int d, int out_pad, int explicit_size,
                          const frost__window *w, bool rows) {
    if (explicit_size > 0) return explicit_size;
    if (in < 0) return -1;
    const int64_t eff = (int64_t)d * (k - 1) + 1;
    switch (w->padding) {
    case FROST__PAD_SAME_UPPER:
    case FROST__PAD_SAME_LOWER: return in * s;
    case FROST__PAD_EXPLICIT:
        return (in - 1) * s + out_pad + eff -
               (rows ? w->pad_top + w->pad_bottom : w->pad_left + w->pad_right);
    default: return (in - 1) * s + eff + out_pad;
    }
}

static frost_status deconv_infer(frost__infer_ctx *c) {
    const frost__node *n = c->node;
    if (c->n_in < 2 || c->n_out != 1)
        return frost__op_fail(n, c->err, FROST_E_FORMAT,
                              "needs inputs x, filter (and optional bias)");
    FROST_TRY(check_f32_inputs(n, c->in_dtype, c->n_in, c->err));
    const frost__window *w = &n->p.deconv.w;
    FROST_TRY(check_window(n, w, c->err));
    FROST_TRY(check_rank4(n, &c->in_shape[0], "input", c->err));
    FROST_TRY(check_rank4(n, &c->in_shape[1], "filter [kh,kw,cout,cin]", c->err));
    const frost__shape *x = &c->in_shape[0], *f = &c->in_shape[1];
    const int64_t cout = f->rank == 4 ? f->d[2] : -1, cin = f->rank == 4 ? f->d[3] : -1;
    if (has_input(n, 2)) FROST_TRY(check_bias(n, &c->in_shape[2], cout, c->err));
    c->out_dtype[0] = FROST_DTYPE_F32;
    frost__shape o;
    memset(&o, 0, sizeof o);
    o.rank = 4;
    o.d[0] = x->rank == 4 ? x->d[0] : -1;
    o.d[3] = cout;
    if (x->rank == 4 && x->d[3] >= 0 && cin >= 0 && x->d[3] != cin) {
        char sx[96], sf[96];
        return frost__op_fail(n, c->err, FROST_E_SHAPE,
                              "input %s has %lld channels but the filter %s expects %lld",
                              frost__shape_str(x, sx, sizeof sx), (long long)x->d[3],
                              frost__shape_str(f, sf, sizeof sf), (long long)cin);
    }
    const bool fk = f->rank == 4 && fits_int(f->d[0]) && fits_int(f->d[1]);
    const int kh = fk ? (int)f->d[0] : 1, kw = fk ? (int)f->d[1] : 1;
    const int64_t ih = x->rank == 4 && fk ? x->d[1] : -1, iw = x->rank == 4 && fk ? x->d[2] : -1;
    o.d[1] = deconv_out(ih, kh, or_one(w->stride_h), or_one(w->dilation_h), n->p.deconv.out_pad_h,
                        n->p.deconv.out_h, w, true);
    o.d[2] = deconv_out(iw, kw, or_one(w->stride_w), or_one(w->dilation_w), n->p.deconv.out_pad_w,
                        n->p.deconv.out_w, w, false);
    if (has_input(n, 3)) {
        /* The output size as an operand (TF's input_sizes computed in the graph): NHWC. */
        int64_t size[4];
        if (frost__read_int_operand(c->in_dtype[3], &c->in_shape[3], c->in_data[3], size, 4) != 4)
            return frost__op_operand_unknown(c, "output size");
        o.d[1] = size[1];
        o.d[2] = size[2];
    }
    if ((o.d[1] >= 0 && o.d[1] < 1) || (o.d[2] >= 0 && o.d[2] < 1))
        return frost__op_fail(n, c->err, FROST_E_SHAPE,
                              "padding leaves an empty output (%lld x %lld)", (long long)o.d[1],
                              (long long)o.d[2]);
    c->out_shape[0] = o;
    return FROST_OK;
}

/* ---- run: GEMM-lowered conv ----------------------------------------------------------------- */

typedef struct gemm_conv_task {
    const conv_plan *p;
    const frost__node *node;
    const float *x, *filter, *bias, *res;
    float *y;
    float *ws;
    int64_t tile_m, tiles, col_blocks;
    int col_width;
} gemm_conv_task;

/* One unit: columns block `cb` of group `grp` for output rows of tile `tile`. */
static void gemm_conv_unit(const gemm_conv_task *t, int64_t unit, int worker) {
    const conv_plan *p = t->p;
    const frost__conv_geom *g = &p->g;
    const int64_t cb = unit % t->col_blocks;
    const int64_t tile = (unit / t->col_blocks) % t->tiles;
    const int grp = (int)(unit / (t->col_blocks * t->tiles));
    const int64_t r0 = tile * t->tile_m;
    const int rows = (int)FROST_MIN(t->tile_m, p->rows - r0);
    const int cin_g = (int)(g->in_c / g->groups);
    const int n0 = (int)(cb * t->col_width);
    const int n1 = (int)FROST_MIN((int64_t)n0 + t->col_width, (int64_t)p->cout_g);
    if (rows <= 0 || n1 <= n0) return;

    const float *A;
    int lda;
    if (p->direct_a) {
        A = t->x + r0 * p->a_stride + (int64_t)grp * cin_g;
        lda = (int)p->a_stride;
    } else {
        float *col = t->ws + (size_t)worker * ((size_t)t->tile_m * (size_t)p->K + FROST_IM2COL_SLACK);
        p->im2col(g, t->x, grp, r0, rows, col);
        A = col;
        lda = p->K;
    }
    const int64_t ldc = g->out_c;
    float *C = t->y + r0 * ldc + (int64_t)grp * p->cout_g;
    const float *bias = t->bias ? t->bias + (int64_t)grp * p->cout_g : NULL;
    if (p->mode == CONV_GEMM_PACKED) {
        const void *packed = (const unsigned char *)t->node->packed + (size_t)grp * p->group_stride;
        p->kernel->run(rows, p->cout_g, p->K, A, lda, packed, bias, C, (int)ldc, &p->act, n0, n1);
        if (has_tail(p))
            apply_tail(p, C + n0, t->res ? t->res + (C - t->y) + n0 : NULL, rows, n1 - n0, ldc);
        return;
    }
    /* Reference: B is the group's column slice of the HWIO filter, read in place. */
    const float *B = t->filter + (int64_t)grp * p->cout_g + n0;
    frost_k_f32_gemm__ref(rows, n1 - n0, p->K, A, lda, false, B, (int)g->out_c, false, C + n0,
                          (int)ldc, false);
    for (int i = 0; i < rows; i++) {
        float *c = C + (int64_t)i * ldc + n0;
        if (bias)
            for (int j = 0; j < n1 - n0; j++) c[j] += bias[n0 + j];
        if (p->act.act != FROST__ACT_NONE) frost_k_f32_act__ref(c, (size_t)(n1 - n0), &p->act);
    }
    if (has_tail(p))
        apply_tail(p, C + n0, t->res ? t->res + (C - t->y) + n0 : NULL, rows, n1 - n0, ldc);
}

static void gemm_conv_task_fn(void *arg, int64_t begin, int64_t end, int worker) {
    for (int64_t u = begin; u < end; u++) gemm_conv_unit(arg, u, worker);
}

static frost__pool *usable_pool(const conv_plan *p, frost__pool *pool) {
    /* The workspace has one slice per worker prepare knew of; a bigger pool would overrun it. */
    return frost__pool_threads(pool) <= p->slots ? pool : NULL;
}

static void run_gemm_conv(const frost__step *st, const frost__exec *ex, const conv_plan *p) {
    frost__pool *pool = usable_pool(p, ex->pool);
    const int threads = frost__pool_threads(pool);
    gemm_conv_task t = {
        .p = p,
        .node = st->node,
        .x = FROST_IN(st, ex, 0),
        .filter = FROST_IN(st, ex, 1),
        .bias = p->has_bias ? FROST_IN(st, ex, 2) : NULL,
        .res = p->residual ? FROST_IN(st, ex, 3) : NULL,
        .y = FROST_OUT(st, ex, 0),
        .ws = st->ws_bytes ? FROST_WS(st, ex) : NULL,
    };
    /* Tiles cut for the pool's threads only when they share the work: alone, the one-thread
     * plan's (a run the pool gives to the caller must be a one-thread run). */
    t.tile_m = threads > 1 ? p->tile_m : p->tile_m_one;
    t.tiles = (p->rows + t.tile_m - 1) / t.tile_m;
    t.col_blocks = 1;
    t.col_width = p->cout_g;
    const int64_t units_rows = t.tiles * p->g.groups;
    const int64_t flops = p->rows * (int64_t)p->K * p->g.out_c;
    /* Deterministic: columns cut as for a fixed thread count (each output column sums the same
     * way in any block, but the split stays independent of the pool anyway). */
    const int split = p->fixed_split ? FROST__FIXED_UNITS : threads;
    if (split > 1 && units_rows < split && flops >= 2 * CONV_MIN_TASK_FLOPS) {
        /* Few row tiles (a small late layer, one image): split the output channels too. */
        const int align =
            p->mode == CONV_GEMM_PACKED && p->kernel->n_align > 0 ? p->kernel->n_align : 8;
        const int64_t want = (split + units_rows - 1) / units_rows;
        const int64_t max_blocks = (p->cout_g + align - 1) / align;
        t.col_blocks = FROST_MAX((int64_t)1, FROST_MIN(want, max_blocks));
        int64_t width = (p->cout_g + t.col_blocks - 1) / t.col_blocks;
        width = (width + align - 1) / align * align;
        t.col_width = (int)width;
        t.col_blocks = (p->cout_g + width - 1) / width;
    }
    const int64_t units = units_rows * t.col_blocks;
    if (threads <= 1 || units == 1 || flops < 2 * CONV_MIN_TASK_FLOPS)
        gemm_conv_task_fn(&t, 0, units, 0);
    else
        frost__parallel_for(pool, units, 1, gemm_conv_task_fn, &t);
}

/* ---- run: Winograd F(4x4, 5x5) -------------------------------------------------------------- */

typedef struct wino_task {
    const conv_plan *p;
    const unsigned char *U;
    const float *x, *bias;
    float *y, *ws;
    int64_t block, blocks; /* tiles per unit, units per image */
} wino_task;

/* One unit: a block of tiles of one image, start to finish in the worker's workspace slice, so the
 * transformed input and the products stay in its L2. */
static void wino_unit(const wino_task *t, int64_t unit, int worker) {
    static const frost__act_params none = {.act = FROST__ACT_NONE};
    const conv_plan *p = t->p;
    const frost__conv_geom *g = &p->g;
    const int64_t img = unit / t->blocks, t0 = (unit % t->blocks) * t->block;
    const int64_t nt = FROST_MIN(t->block, p->wino_tiles - t0);
    if (nt <= 0) return;
    const int cin = (int)g->in_c, cout = (int)g->out_c;
    const int n_xi = p->wino_alpha * p->wino_alpha;
    float *V = t->ws + (size_t)worker * (size_t)(n_xi * t->block * (g->in_c + g->out_c));
    float *M = V + (size_t)n_xi * (size_t)nt * (size_t)cin;
    const float *x = t->x + img * g->in_h * g->in_w * g->in_c;
    const bool three = p->wino_alpha == FROST_WINO43_ALPHA;
    (three ? p->kern->wino43_input : p->kern->wino_input)(g, x, t0, nt, V);
    for (int xi = 0; xi < n_xi; xi++)
        p->wino_kernel->run((int)nt, cout, cin, V + (size_t)xi * (size_t)nt * (size_t)cin, cin,
                            t->U + (size_t)xi * p->wino_stride, NULL,
                            M + (size_t)xi * (size_t)nt * (size_t)cout, cout, &none, 0, cout);
    (three ? p->kern->wino43_output : p->kern->wino_output)(
        g, M, t->bias, &p->act, t0, nt, t->y + img * g->out_h * g->out_w * g->out_c);
}

static void wino_task_fn(void *arg, int64_t begin, int64_t end, int worker) {
    for (int64_t u = begin; u < end; u++) wino_unit(arg, u, worker);
}

static void run_winograd(const frost__step *st, const frost__exec *ex, const conv_plan *p) {
    frost__pool *pool = usable_pool(p, ex->pool);
    const int64_t block = frost__pool_threads(pool) > 1 ? p->wino_block : p->wino_block_one;
    wino_task t = {p,
                   (const unsigned char *)st->node->packed + p->wino_offset,
                   FROST_IN(st, ex, 0),
                   p->has_bias ? FROST_IN(st, ex, 2) : NULL,
                   FROST_OUT(st, ex, 0),
                   FROST_WS(st, ex),
                   block,
                   (p->wino_tiles + block - 1) / block};
    const int64_t units = p->g.n * t.blocks;
    if (frost__pool_threads(pool) <= 1 || units == 1)
        wino_task_fn(&t, 0, units, 0);
    else
        frost__parallel_for(pool, units, 1, wino_task_fn, &t);
}

/* ---- run: narrow direct conv ---------------------------------------------------------------- */

typedef struct narrow_task {
    const conv_plan *p;
    const float *w32, *xpad, *bias, *res;
    float *y;
} narrow_task;

static void narrow_task_fn(void *arg, int64_t begin, int64_t end, int worker) {
    (void)worker;
    const narrow_task *t = arg;
    const conv_plan *p = t->p;
    const frost__conv_geom *g = &p->g;
    const size_t pad_floats = (size_t)(p->narrow_hp * p->narrow_wp * g->in_c);
    for (int64_t r = begin; r < end;) {
        const int64_t img = r / g->out_h, oh0 = r % g->out_h;
        const int64_t oh1 = FROST_MIN(g->out_h, oh0 + (end - r));
        p->kern->narrow(g, t->xpad + (size_t)img * pad_floats, p->narrow_wp, t->w32, t->bias,
                        &p->act, t->y + img * g->out_h * g->out_w * g->out_c, oh0, oh1);
        if (has_tail(p)) {
            const int64_t row = g->out_w * g->out_c;
            apply_tail(p, t->y + r * row, t->res ? t->res + r * row : NULL, 1, (oh1 - oh0) * row, 0);
        }
        r += oh1 - oh0;
    }
}

static void run_narrow(const frost__step *st, const frost__exec *ex, const conv_plan *p) {
    const frost__conv_geom *g = &p->g;
    const float *x = FROST_IN(st, ex, 0);
    float *xpad = FROST_WS(st, ex);
    const int64_t C = g->in_c, hp = p->narrow_hp, wp = p->narrow_wp;
    /* The padded copy: every pixel the windows read, zeros outside the image. */
    for (int64_t img = 0; img < g->n; img++) {
        float *dst = xpad + img * hp * wp * C;
        const float *src = x + img * g->in_h * g->in_w * C;
        memset(dst, 0, (size_t)(hp * wp * C) * sizeof *dst);
        const int64_t w_in = FROST_MIN(g->in_w, wp - g->pad_left);
        for (int64_t ih = 0; ih < g->in_h && ih + g->pad_top < hp; ih++)
            if (w_in > 0)
                memcpy(dst + ((ih + g->pad_top) * wp + g->pad_left) * C, src + ih * g->in_w * C,
                       (size_t)(w_in * C) * sizeof *dst);
    }
    narrow_task t = {p, (const float *)((const unsigned char *)st->node->packed + p->narrow_offset),
                     xpad, p->has_bias ? FROST_IN(st, ex, 2) : NULL,
                     p->residual ? FROST_IN(st, ex, 3) : NULL, FROST_OUT(st, ex, 0)};
    const int64_t rows = g->n * g->out_h;
    const int64_t row_flops = FROST_MAX((int64_t)1, g->out_w * g->out_c * g->k_h * g->k_w * C);
    frost__parallel_for(ex->pool, rows, FROST_MAX((int64_t)1, CONV_MIN_TASK_FLOPS / row_flops),
                        narrow_task_fn, &t);
}

/* ---- run: depthwise and direct -------------------------------------------------------------- */

typedef struct dw_task {
    const conv_plan *p;
    const frost__conv_geom *g;
    const float *x, *filter, *bias, *res;
    const frost__act_params *act;
    float *y;
    frost__depthwise_fn depthwise; /* NULL: the grouped direct loops */
} dw_task;

static void dw_task_fn(void *arg, int64_t begin, int64_t end, int worker) {
    (void)worker;
    const dw_task *t = arg;
    if (!t->depthwise)
        frost_k_f32_conv_direct__ref(t->g, t->x, t->filter, t->bias, t->act, t->y, begin, end);
    else
        t->depthwise(t->g, t->x, t->filter, t->bias, t->act, t->y, begin, end);
    if (has_tail(t->p)) {
        const int64_t row = t->g->out_w * t->g->out_c;
        apply_tail(t->p, t->y + begin * row, t->res ? t->res + begin * row : NULL, 1,
                   (end - begin) * row, 0);
    }
}

static void run_depthwise(const frost__step *st, const frost__exec *ex, const conv_plan *p) {
    dw_task t = {p,
                 &p->g,
                 FROST_IN(st, ex, 0),
                 FROST_IN(st, ex, 1),
                 p->has_bias ? FROST_IN(st, ex, 2) : NULL,
                 p->residual ? FROST_IN(st, ex, 3) : NULL,
                 &p->act,
                 FROST_OUT(st, ex, 0),
                 p->mode == CONV_DIRECT ? NULL : p->kern->depthwise};
    const int64_t rows = p->g.n * p->g.out_h;
    const int64_t cin_per_out = p->mode == CONV_DIRECT ? p->g.in_c / p->g.groups : 1;
    const int64_t row_flops =
        FROST_MAX((int64_t)1, p->g.out_w * p->g.out_c * p->g.k_h * p->g.k_w * cin_per_out);
    frost__parallel_for(ex->pool, rows, FROST_MAX((int64_t)1, CONV_MIN_TASK_FLOPS / row_flops),
                        dw_task_fn, &t);
}

/* ---- run: transposed conv ------------------------------------------------------------------- */

typedef struct deconv_task {
    const conv_plan *p;
    const void *packed;
    const float *x, *filter, *bias;
    float *cols, *y;
} deconv_task;

static void deconv_gemm_rows(const deconv_task *t, int64_t begin, int64_t end);

static void deconv_gemm_fn(void *arg, int64_t begin, int64_t end, int worker) {
    (void)worker;
    const deconv_task *t = arg;
    if (!t->p->fixed_split) {
        deconv_gemm_rows(t, begin, end);
        return;
    }
    /* Deterministic: items are blocks of FROST__FIXED_ROWS input pixels, one kernel call each. */
    for (int64_t u = begin; u < end; u++)
        deconv_gemm_rows(t, u * FROST__FIXED_ROWS, FROST_MIN((u + 1) * FROST__FIXED_ROWS, t->p->rows));
}

static void deconv_gemm_rows(const deconv_task *t, int64_t begin, int64_t end) {
    const conv_plan *p = t->p;
    const int rows = (int)(end - begin);
    const float *A = t->x + begin * p->K;
    float *C = t->cols + begin * p->cout_g;
    if (p->kernel) {
        static const frost__act_params none = {.act = FROST__ACT_NONE};
        p->kernel->run(rows, p->cout_g, p->K, A, p->K, t->packed, NULL, C, p->cout_g, &none, 0,
                       p->cout_g);
    } else {
        frost_k_f32_gemm__ref(rows, p->cout_g, p->K, A, p->K, false, t->filter, p->K, true, C,
                              p->cout_g, false);
    }
}

static void deconv_col2im_fn(void *arg, int64_t begin, int64_t end, int worker) {
    (void)worker;
    const deconv_task *t = arg;
    frost_k_f32_col2im__ref(&t->p->g, t->cols, t->bias, &t->p->act, t->y, begin, end);
}

static void run_deconv(const frost__step *st, const frost__exec *ex, const conv_plan *p) {
    const frost__conv_geom *g = &p->g;
    const float *x = FROST_IN(st, ex, 0);
    float *y = FROST_OUT(st, ex, 0);
    deconv_task t = {p,
                     st->node->packed,
                     NULL,
                     FROST_IN(st, ex, 1),
                     p->has_bias ? FROST_IN(st, ex, 2) : NULL,
                     FROST_WS(st, ex),
                     NULL};
    const int64_t row_flops = FROST_MAX((int64_t)1, (int64_t)p->K * p->cout_g);
    const int64_t out_row = FROST_MAX((int64_t)1, g->out_w * g->out_c * g->k_h * g->k_w);
    for (int64_t img = 0; img < g->n; img++) {
        t.x = x + img * g->in_h * g->in_w * g->in_c;
        t.y = y + img * g->out_h * g->out_w * g->out_c;
        if (p->fixed_split)
            frost__parallel_for(ex->pool, (p->rows + FROST__FIXED_ROWS - 1) / FROST__FIXED_ROWS, 1,
                                deconv_gemm_fn, &t);
        else
            frost__parallel_for(ex->pool, p->rows,
                                FROST_MAX((int64_t)1, CONV_MIN_TASK_FLOPS / row_flops),
                                deconv_gemm_fn, &t);
        frost__parallel_for(ex->pool, g->out_h,
                            FROST_MAX((int64_t)1, CONV_MIN_TASK_FLOPS / out_row), deconv_col2im_fn,
                            &t);
    }
}

/* ---- run: depthwise then 1x1, tile by tile ---------------------------------------------------- */

typedef struct dwpw_task {
    const conv_plan *p;
    const frost__node *node;
    const float *x, *dw_filter, *dw_bias, *filter, *bias, *res;
    float *y, *ws;
    int64_t tile_rows, tiles_per_image;
} dwpw_task;

/* One unit: rows [t0, t1) of the depthwise output of one image, into the worker's workspace slice,
 * then the 1x1 conv of those rows (whole output rows: the GEMM's M), then the tail. */
static void dwpw_unit(const dwpw_task *t, int64_t unit, int worker) {
    const conv_plan *p = t->p;
    const frost__conv_geom *d = &p->dw_g, *g = &p->g;
    const int64_t img = unit / t->tiles_per_image, tile = unit % t->tiles_per_image;
    const int64_t r0 = tile * t->tile_rows, r1 = FROST_MIN(r0 + t->tile_rows, d->out_h);
    if (r1 <= r0) return;
    const int64_t row = d->out_w * d->out_c;
    float *tmp = t->ws + (size_t)worker * (size_t)(t->tile_rows * row + 16);
    /* The depthwise rows [r0, r1) as rows [0, r1 - r0) of a one-image geometry shifted up. */
    frost__conv_geom dg = *d;
    dg.n = 1;
    dg.out_h = r1 - r0;
    dg.pad_top = (int)(d->pad_top - r0 * d->stride_h);
    p->kern->depthwise(&dg, t->x + img * d->in_h * d->in_w * d->in_c, t->dw_filter, t->dw_bias,
                       &p->dw_act, tmp, 0, r1 - r0);
    const int64_t n_floats = (r1 - r0) * row;
    if (p->dw_post) p->scale_shift_fn(tmp, n_floats, p->dw_post_scale, p->dw_post_shift);
    const int rows = (int)((r1 - r0) * g->out_w);
    const int64_t first = (img * g->out_h + r0) * g->out_w; /* output pixel of the tile's start */
    float *C = t->y + first * g->out_c;
    const int ldc = (int)g->out_c;
    if (p->kernel) {
        p->kernel->run(rows, p->cout_g, p->K, tmp, p->K, t->node->packed, t->bias, C, ldc, &p->act,
                       0, p->cout_g);
    } else {
        frost_k_f32_gemm__ref(rows, p->cout_g, p->K, tmp, p->K, false, t->filter, p->cout_g, false, C,
                              ldc, false);
        for (int i = 0; i < rows; i++) {
            float *c = C + (int64_t)i * ldc;
            if (t->bias)
                for (int j = 0; j < p->cout_g; j++) c[j] += t->bias[j];
            if (p->act.act != FROST__ACT_NONE) frost_k_f32_act__ref(c, (size_t)p->cout_g, &p->act);
        }
    }
    if (has_tail(p)) apply_tail(p, C, t->res ? t->res + first * g->out_c : NULL, rows, g->out_c, ldc);
}

static void dwpw_task_fn(void *arg, int64_t begin, int64_t end, int worker) {
    for (int64_t u = begin; u < end; u++) dwpw_unit(arg, u, worker);
}

static void run_dwpw(const frost__step *st, const frost__exec *ex, const conv_plan *p) {
    frost__pool *pool = usable_pool(p, ex->pool);
    const int64_t tile_rows = frost__pool_threads(pool) > 1 ? p->dw_tile_rows : p->dw_tile_rows_one;
    dwpw_task t = {
        .p = p,
        .node = st->node,
        .x = FROST_IN(st, ex, 0),
        .filter = FROST_IN(st, ex, 1),
        .bias = p->has_bias ? FROST_IN(st, ex, 2) : NULL,
        .res = p->residual ? FROST_IN(st, ex, 3) : NULL,
        .dw_filter = FROST_IN(st, ex, 4),
        .dw_bias = has_input(st->node, 5) ? FROST_IN(st, ex, 5) : NULL,
        .y = FROST_OUT(st, ex, 0),
        .ws = FROST_WS(st, ex),
        .tile_rows = tile_rows,
        .tiles_per_image = (p->dw_g.out_h + tile_rows - 1) / tile_rows,
    };
    const int64_t units = p->g.n * t.tiles_per_image;
    if (frost__pool_threads(pool) <= 1 || units == 1)
        dwpw_task_fn(&t, 0, units, 0);
    else
        frost__parallel_for(pool, units, 1, dwpw_task_fn, &t);
}

typedef struct post_task {
    const conv_plan *p;
    float *y;
    const float *res;
    int64_t row;
} post_task;

static void post_task_fn(void *arg, int64_t begin, int64_t end, int worker) {
    (void)worker;
    const post_task *t = arg;
    apply_tail(t->p, t->y + begin * t->row, t->res ? t->res + begin * t->row : NULL, 1,
               (end - begin) * t->row, 0);
}

static frost_status conv_run(const frost__step *st, const frost__exec *ex) {
    const conv_plan *p = (const conv_plan *)st->state.bytes;
    bool post_done = true;
    switch (p->mode) {
    case CONV_DEPTHWISE:
    case CONV_DIRECT: run_depthwise(st, ex, p); break;
    case CONV_TRANSPOSE: run_deconv(st, ex, p); post_done = false; break;
    case CONV_WINOGRAD: run_winograd(st, ex, p); post_done = false; break;
    case CONV_NARROW: run_narrow(st, ex, p); break;
    case CONV_DWPW: run_dwpw(st, ex, p); break;
    default: run_gemm_conv(st, ex, p); break;
    }
    if (has_tail(p) && !post_done) {
        /* These kernels write scattered tiles: one more pass over the output, by rows. */
        post_task t = {p, FROST_OUT(st, ex, 0), p->residual ? FROST_IN(st, ex, 3) : NULL,
                       p->g.out_w * p->g.out_c};
        frost__parallel_for(ex->pool, p->g.n * p->g.out_h, 16, post_task_fn, &t);
    }
    return FROST_OK;
}

/* ---- prepare -------------------------------------------------------------------------------- */

static frost_status fill_forward_geom(const frost__prepare_ctx *pc, const frost__window *w,
                                      int groups, conv_plan *p) {
    const frost__shape *x = &pc->in_shape[0], *f = &pc->in_shape[1], *o = &pc->out_shape[0];
    frost__conv_geom *g = &p->g;
    g->n = x->d[0];
    g->in_h = x->d[1];
    g->in_w = x->d[2];
    g->in_c = x->d[3];
    g->out_h = o->d[1];
    g->out_w = o->d[2];
    g->out_c = o->d[3];
    if (!fits_int(f->d[0]) || !fits_int(f->d[1]) || f->d[0] == 0 || f->d[1] == 0)
        return frost__op_fail(pc->node, pc->err, FROST_E_SHAPE, "filter has an empty window");
    g->k_h = (int)f->d[0];
    g->k_w = (int)f->d[1];
    g->stride_h = or_one(w->stride_h);
    g->stride_w = or_one(w->stride_w);
    g->dil_h = or_one(w->dilation_h);
    g->dil_w = or_one(w->dilation_w);
    g->pad_top =
        window_pad_begin(g->in_h, g->out_h, g->k_h, g->stride_h, g->dil_h, w->padding, w->pad_top);
    g->pad_left =
        window_pad_begin(g->in_w, g->out_w, g->k_w, g->stride_w, g->dil_w, w->padding, w->pad_left);
    g->groups = groups;
    p->has_bias = has_input(pc->node, 2);
    p->rows = g->n * g->out_h * g->out_w;
    if (g->out_h <= 0 || g->out_w <= 0)
        return frost__op_fail(pc->node, pc->err, FROST_E_SHAPE, "empty output");
    return FROST_OK;
}

/* A depthwise conv fused in front of this 1x1 conv (params.h conv.dw): its geometry from input 0
 * and the depthwise filter (input 4), this conv's from that output; tiles of whole depthwise output
 * rows sized to stay in L2 with their GEMM output. */
static frost_status dwpw_choose(frost__step *st, const frost__prepare_ctx *pc) {
    const frost__node *n = pc->node;
    conv_plan *p = (conv_plan *)st->state.bytes;
    const frost__shape *x = &pc->in_shape[0], *df = &pc->in_shape[4], *f = &pc->in_shape[1];
    const frost__shape *o = &pc->out_shape[0];
    frost__conv_geom *d = &p->dw_g, *g = &p->g;
    if (df->rank != 4 || df->d[3] != 1 || df->d[2] != x->d[3] || f->rank != 4 || f->d[0] != 1 ||
        f->d[1] != 1 || f->d[2] != x->d[3] || !fits_int(df->d[0]) || !fits_int(df->d[1]))
        return frost__op_fail(n, pc->err, FROST_E_SHAPE, "fused depthwise and 1x1 filters do not fit");
    const frost__window *w = &n->p.conv.dw_w;
    d->n = x->d[0], d->in_h = x->d[1], d->in_w = x->d[2], d->in_c = x->d[3], d->out_c = x->d[3];
    d->k_h = (int)df->d[0], d->k_w = (int)df->d[1];
    d->stride_h = or_one(w->stride_h), d->stride_w = or_one(w->stride_w);
    d->dil_h = or_one(w->dilation_h), d->dil_w = or_one(w->dilation_w);
    d->out_h = o->d[1], d->out_w = o->d[2], d->groups = (int)x->d[3];
    d->pad_top = window_pad_begin(d->in_h, d->out_h, d->k_h, d->stride_h, d->dil_h, w->padding, w->pad_top);
    d->pad_left = window_pad_begin(d->in_w, d->out_w, d->k_w, d->stride_w, d->dil_w, w->padding, w->pad_left);
    g->n = d->n, g->in_h = d->out_h, g->in_w = d->out_w, g->in_c = d->out_c;
    g->out_h = o->d[1], g->out_w = o->d[2], g->out_c = o->d[3];
    g->k_h = g->k_w = 1, g->stride_h = g->stride_w = g->dil_h = g->dil_w = 1, g->groups = 1;
    if (!fits_int(g->in_c) || !fits_int(g->out_c) || !fits_int(g->out_h * g->out_w) ||
        g->out_h <= 0 || g->out_w <= 0)
        return frost__op_fail(n, pc->err, FROST_E_LIMIT, "conv sizes exceed the kernels' range");
    p->dw_act = n->p.conv.dw_act;
    p->dw_post = n->p.conv.dw_post;
    p->dw_post_scale = n->p.conv.dw_post_scale;
    p->dw_post_shift = n->p.conv.dw_post_shift;
    p->act = n->p.conv.act;
    p->has_bias = has_input(n, 2);
    p->K = (int)g->in_c;
    p->cout_g = (int)g->out_c;
    p->rows = g->n * g->out_h * g->out_w;
    p->mode = CONV_DWPW;
    if (n->packed && n->kernel &&
        n->packed_bytes >= ((const frost__gemm_kernel *)n->kernel)->packed_bytes(p->K, p->cout_g)) {
        p->kernel = n->kernel;
        frost__cache_warm(n->packed, n->packed_bytes);
    }
    /* ~96 KB of depthwise output per tile (and its GEMM output beside it in L2), at least a row. */
    const int64_t row = d->out_w * d->out_c;
    p->dw_tile_rows = FROST_MAX((int64_t)1, FROST_MIN(d->out_h, (int64_t)24576 / FROST_MAX(row, (int64_t)1)));
    p->dw_tile_rows_one = p->dw_tile_rows;
    p->slots = pc->n_threads > 1 ? pc->n_threads : 1;
    p->fixed_split = pc->deterministic;
    /* One image with more threads than tiles: smaller tiles, so each thread gets one (what the
     * unfused 1x1 conv's row split gave them). Deterministic runs keep tiles thread-independent. */
    if (!p->fixed_split && p->slots > 1 && d->n == 1)
        p->dw_tile_rows = FROST_MIN(p->dw_tile_rows, (d->out_h + p->slots - 1) / p->slots);
    size_t bytes;
    if (!frost__size_mul_ok((size_t)p->slots, ((size_t)(p->dw_tile_rows * row) + 16) * sizeof(float),
                            &bytes))
        return frost__op_fail(n, pc->err, FROST_E_LIMIT, "workspace overflows");
    /* A run on one thread uses one slice of the one-thread tile. */
    st->ws_bytes = FROST_MAX(bytes, ((size_t)(p->dw_tile_rows_one * row) + 16) * sizeof(float));
    st->run = conv_run;
    return FROST_OK;
}

static frost_status conv2d_choose(frost__step *st, const frost__prepare_ctx *pc) {
    const frost__node *n = pc->node;
    conv_plan *p = (conv_plan *)st->state.bytes;
    memset(p, 0, sizeof *p);
    p->kern = frost__conv_kernels_pick(pc->cpu);
    if (n->p.conv.dw) return dwpw_choose(st, pc);
    const int groups = n->p.conv.groups <= 0 ? 1 : n->p.conv.groups;
    FROST_TRY(fill_forward_geom(pc, &n->p.conv.w, groups, p));
    p->act = n->p.conv.act;
    frost__conv_geom *g = &p->g;
    const int64_t cin_g = pc->in_shape[1].d[2];
    if (cin_g * groups != g->in_c || g->out_c % groups)
        return frost__op_fail(n, pc->err, FROST_E_SHAPE,
                              "channels do not match the filter and groups");
    st->run = conv_run;
    if (groups > 1 && cin_g == 1) {
        /* [kh,kw,1,cin*mult] HWIO is byte for byte the depthwise filter [kh,kw,cin,mult]. */
        p->mode = CONV_DEPTHWISE;
        return FROST_OK;
    }
    const int64_t K = (int64_t)g->k_h * g->k_w * cin_g;
    const int64_t cout_g = g->out_c / groups;
    if (grouped_direct(groups, cout_g)) {
        p->mode = CONV_DIRECT;
        return FROST_OK;
    }
    if (!fits_int(K) || !fits_int(cout_g) || !fits_int(g->out_c) || !fits_int(g->in_c) ||
        !fits_int(p->rows))
        return frost__op_fail(n, pc->err, FROST_E_LIMIT,
                              "conv sizes exceed the GEMM kernel's int range");
    p->K = (int)K;
    p->cout_g = (int)cout_g;
    p->mode = CONV_GEMM_REF;
    if (n->packed && n->kernel) {
        const frost__gemm_kernel *k = n->kernel;
        frost__cache_warm(n->packed, n->packed_bytes);
        p->group_stride = round_up64(k->packed_bytes(p->K, p->cout_g));
        if (n->packed_bytes >=
            p->group_stride * (size_t)(groups - 1) + k->packed_bytes(p->K, p->cout_g)) {
            p->mode = CONV_GEMM_PACKED;
            p->kernel = k;
        }
    }
    if (p->mode == CONV_GEMM_PACKED &&
        narrow_ok(n, pc->cpu, g->k_h, g->k_w, g->in_c, g->out_c) &&
        n->packed_bytes == round_up64(p->group_stride) + (size_t)K * 32 * sizeof(float)) {
        /* Padded extent: exactly the pixels the windows cover. */
        const int64_t hp = (g->out_h - 1) * g->stride_h + (int64_t)(g->k_h - 1) * g->dil_h + 1;
        const int64_t wp = (g->out_w - 1) * g->stride_w + (int64_t)(g->k_w - 1) * g->dil_w + 1;
        size_t bytes;
        if (frost__size_mul_ok((size_t)(hp * wp * g->in_c), (size_t)g->n * sizeof(float), &bytes) &&
            bytes <= ((size_t)64 << 20)) {
            p->mode = CONV_NARROW;
            p->narrow_hp = hp;
            p->narrow_wp = wp;
            p->narrow_offset = round_up64(p->group_stride);
            st->ws_bytes = bytes;
            return FROST_OK;
        }
    }
    if (p->mode == CONV_GEMM_PACKED) {
        /* Winograd when pack stored U after the im2col filter (same test as pack, same sizes). */
        const frost__gemm_kernel *wk =
            winograd_kernel(n, pc->cpu, g->k_h, g->k_w, g->in_c, g->out_c);
        if (wk && g->k_h == 3 && !frost_wino43_fits(g)) wk = NULL;
        if (wk) {
            const int alpha = wino_alpha(g->k_h), n_xi = alpha * alpha;
            const size_t off = round_up64(p->group_stride);
            const size_t stride = round_up64(wk->packed_bytes((int)g->in_c, (int)g->out_c));
            if (n->packed_bytes == off + (size_t)n_xi * stride) {
                p->mode = CONV_WINOGRAD;
                p->wino_kernel = wk;
                p->wino_alpha = alpha;
                p->wino_offset = off;
                p->wino_stride = stride;
                p->wino_tiles = alpha == FROST_WINO43_ALPHA ? frost_wino43_tiles(g) : frost_wino45_tiles(g);
                p->slots = pc->n_threads > 1 ? pc->n_threads : 1;
                /* 5x5: blocks of at most 32 tiles (V and M of a block: 64 x 32 x (cin + cout)
                 * floats). 3x3: as many tiles as keep V and M within ~400 KB (in L2), in tens
                 * (the GEMM's 10-row micro-tile), 10 to 60. At least one block per thread for a
                 * single image. */
                int64_t most = 32;
                if (alpha == FROST_WINO43_ALPHA) {
                    most = (int64_t)(400 << 10) / (n_xi * (g->in_c + g->out_c) * (int64_t)sizeof(float));
                    most = FROST_MAX((int64_t)10, FROST_MIN((int64_t)60, most / 10 * 10));
                }
                /* Deterministic: the block never depends on the thread count. */
                const int64_t split = pc->deterministic ? FROST__FIXED_UNITS : p->slots;
                p->wino_block = FROST_MIN(most, (p->wino_tiles + split - 1) / split);
                p->wino_block = FROST_MAX(p->wino_block, (int64_t)1);
                p->wino_block_one = pc->deterministic ? p->wino_block
                                                      : FROST_MAX(FROST_MIN(most, p->wino_tiles), (int64_t)1);
                p->fixed_split = pc->deterministic;
                size_t bytes;
                const int64_t held = FROST_MAX(p->wino_block * p->slots, p->wino_block_one); /* tiles in flight */
                if (!frost__size_mul_ok((size_t)n_xi * (size_t)held,
                                        (size_t)(g->in_c + g->out_c) * sizeof(float), &bytes))
                    return frost__op_fail(n, pc->err, FROST_E_LIMIT, "Winograd workspace overflows");
                st->ws_bytes = bytes;
                return FROST_OK;
            }
        }
    }
    p->im2col = p->kern->im2col;
    p->direct_a = g->k_h == 1 && g->k_w == 1 && g->stride_h == 1 && g->stride_w == 1 &&
                  g->pad_top == 0 && g->pad_left == 0 && g->out_h == g->in_h && g->out_w == g->in_w;
    p->a_stride = g->in_c;
    /* One output row of unpadded 1-high windows: window ow is the K = k_w * in_c floats from
     * pixel ow * stride_w on, so row ow of A starts stride_w * in_c floats after row ow - 1 (the
     * rows overlap when the windows do; the GEMM only reads A). */
    if (!p->direct_a && groups == 1 && g->n * g->out_h == 1 && g->k_h == 1 &&
        (g->dil_w == 1 || g->k_w == 1) && g->pad_top == 0 && g->pad_left == 0 &&
        (g->out_w - 1) * g->stride_w + g->k_w <= g->in_w && K == (int64_t)g->k_w * g->in_c &&
        fits_int((int64_t)g->stride_w * g->in_c)) {
        p->direct_a = true;
        p->a_stride = (int64_t)g->stride_w * g->in_c;
    }
    int64_t tile = CONV_TILE_FLOATS / FROST_MAX(K, (int64_t)1);
    tile = FROST_MAX((int64_t)32, FROST_MIN((int64_t)1024, tile));
    p->tile_m = FROST_MIN(tile, FROST_MAX(p->rows, (int64_t)1));
    p->tile_m_one = p->tile_m;
    p->slots = pc->n_threads > 1 ? pc->n_threads : 1;
    /* Balance the threads: a whole number of equal tiles per thread, 4 tiles over 3 threads
     * would leave one thread doing half the work again. */
    const int64_t tiles = (p->rows + p->tile_m - 1) / p->tile_m;
    const int64_t conv_flops = p->rows * K * cout_g * groups;
    p->fixed_split = pc->deterministic;
    if (!p->fixed_split && p->slots > 1 && tiles % p->slots &&
        (tiles >= p->slots || conv_flops >= 2 * CONV_MIN_TASK_FLOPS * p->slots)) {
        /* One tile (conv1 of a small CNN: 784 rows, K = 25) would run on one thread while the
         * other waits: cut it into a tile per thread when each gets enough work. */
        const int64_t balanced = (tiles + p->slots - 1) / p->slots * p->slots;
        p->tile_m = (p->rows + balanced - 1) / balanced;
    }
    if (!p->direct_a) {
        size_t bytes;
        /* One slice per worker, each with the AVX-512 im2col's slack after it. */
        if (!frost__size_mul_ok((size_t)p->slots,
                                ((size_t)p->tile_m * (size_t)K + FROST_IM2COL_SLACK) * sizeof(float),
                                &bytes))
            return frost__op_fail(n, pc->err, FROST_E_LIMIT, "im2col workspace overflows");
        /* A run on one thread uses one slice of the one-thread tile. */
        st->ws_bytes = FROST_MAX(bytes, ((size_t)p->tile_m_one * (size_t)K + FROST_IM2COL_SLACK) *
                                            sizeof(float));
    }
    return FROST_OK;
}

/* The profile's description of the chosen path: window/stride, algorithm, kernel family. */
static void label_step(frost__step *st, const conv_plan *p) {
    const frost__conv_geom *g = &p->g;
    static const char *const modes[] = {
        [CONV_GEMM_PACKED] = "gemm", [CONV_GEMM_REF] = "gemm ref", [CONV_DEPTHWISE] = "depthwise",
        [CONV_DIRECT] = "grouped direct", [CONV_TRANSPOSE] = "transposed",
        [CONV_WINOGRAD] = "winograd", [CONV_NARROW] = "narrow direct", [CONV_DWPW] = "dw+1x1",
    };
    const char *how = modes[p->mode];
    if (p->mode == CONV_DWPW) {
        const frost__conv_geom *d = &p->dw_g;
        frost__step_label(st, "dw %dx%d/%d + 1x1 gemm %s %lldx%lldx%lld>%lld", d->k_h, d->k_w,
                          d->stride_h, p->kernel ? p->kernel->name : "ref", (long long)g->out_h,
                          (long long)g->out_w, (long long)g->in_c, (long long)g->out_c);
        return;
    }
    if (p->mode == CONV_GEMM_PACKED) how = p->direct_a ? "gemm (no im2col)" : "im2col+gemm";
    const frost__gemm_kernel *k = p->mode == CONV_WINOGRAD ? p->wino_kernel : p->kernel;
    const char *isa = k ? k->name : p->mode == CONV_DEPTHWISE && p->kern ? p->kern->name : "";
    frost__step_label(st, "%dx%d/%d %s%s%s %lldx%lldx%lld>%lld", g->k_h, g->k_w, g->stride_h, how,
                      isa[0] ? " " : "", isa, (long long)g->out_h, (long long)g->out_w,
                      (long long)g->in_c, (long long)g->out_c);
}

/* The tail after the kernels (see conv_plan); called once the mode is chosen. */
static void set_post(conv_plan *p, const frost__node *n, const frost__cpu *cpu) {
    p->residual_fn = frost__f32_residual_pick(cpu);
    p->scale_shift_fn = frost__f32_scale_shift_pick(cpu);
    p->post = n->p.conv.post_affine;
    p->post_scale = n->p.conv.post_scale;
    p->post_shift = n->p.conv.post_shift;
    p->residual = has_input(n, 3);
    if (p->residual) {
        p->tail_act = p->act;
        p->act = (frost__act_params){.act = FROST__ACT_NONE}; /* the clamp too: after the add */
    }
}

static frost_status conv2d_prepare(frost__step *st, const frost__prepare_ctx *pc) {
    FROST_TRY(conv2d_choose(st, pc));
    set_post((conv_plan *)st->state.bytes, pc->node, pc->cpu);
    label_step(st, (const conv_plan *)st->state.bytes);
    return FROST_OK;
}

static frost_status depthwise_prepare(frost__step *st, const frost__prepare_ctx *pc) {
    const frost__node *n = pc->node;
    conv_plan *p = (conv_plan *)st->state.bytes;
    memset(p, 0, sizeof *p);
    FROST_TRY(fill_forward_geom(pc, &n->p.conv.w, 1, p));
    const frost__shape *f = &pc->in_shape[1];
    if (f->d[2] != p->g.in_c || f->d[2] * f->d[3] != p->g.out_c)
        return frost__op_fail(n, pc->err, FROST_E_SHAPE, "channels do not match the filter");
    p->act = n->p.conv.act;
    p->mode = CONV_DEPTHWISE;
    p->kern = frost__conv_kernels_pick(pc->cpu);
    set_post(p, n, pc->cpu);
    st->run = conv_run;
    label_step(st, p);
    return FROST_OK;
}

static frost_status deconv_prepare(frost__step *st, const frost__prepare_ctx *pc) {
    const frost__node *n = pc->node;
    conv_plan *p = (conv_plan *)st->state.bytes;
    memset(p, 0, sizeof *p);
    const frost__window *w = &n->p.deconv.w;
    const frost__shape *x = &pc->in_shape[0], *f = &pc->in_shape[1], *o = &pc->out_shape[0];
    frost__conv_geom *g = &p->g;
    g->n = x->d[0];
    g->in_h = x->d[1];
    g->in_w = x->d[2];
    g->in_c = x->d[3];
    g->out_h = o->d[1];
    g->out_w = o->d[2];
    g->out_c = o->d[3];
    if (!fits_int(f->d[0]) || !fits_int(f->d[1]) || f->d[0] == 0 || f->d[1] == 0 ||
        f->d[3] != g->in_c)
        return frost__op_fail(n, pc->err, FROST_E_SHAPE, "filter does not match the input");
    g->k_h = (int)f->d[0];
    g->k_w = (int)f->d[1];
    g->stride_h = or_one(w->stride_h);
    g->stride_w = or_one(w->stride_w);
    g->dil_h = or_one(w->dilation_h);
    g->dil_w = or_one(w->dilation_w);
    g->groups = 1;
    /* The padding of the forward conv that maps the output back onto the input. */
    if (w->padding == FROST__PAD_EXPLICIT) {
        g->pad_top = w->pad_top;
        g->pad_left = w->pad_left;
    } else if (w->padding == FROST__PAD_VALID) {
        g->pad_top = g->pad_left = 0;
    } else {
        int64_t th = (g->in_h - 1) * g->stride_h + n->p.deconv.out_pad_h +
                     (int64_t)g->dil_h * (g->k_h - 1) + 1 - g->out_h;
        int64_t tw = (g->in_w - 1) * g->stride_w + n->p.deconv.out_pad_w +
                     (int64_t)g->dil_w * (g->k_w - 1) + 1 - g->out_w;
        th = FROST_MAX(th, (int64_t)0);
        tw = FROST_MAX(tw, (int64_t)0);
        const bool upper = w->padding == FROST__PAD_SAME_UPPER;
        g->pad_top = (int)(upper ? th / 2 : th - th / 2);
        g->pad_left = (int)(upper ? tw / 2 : tw - tw / 2);
    }
    const int64_t cols = (int64_t)g->k_h * g->k_w * g->out_c;
    p->rows = g->in_h * g->in_w;
    if (!fits_int(cols) || !fits_int(g->in_c) || !fits_int(p->rows))
        return frost__op_fail(n, pc->err, FROST_E_LIMIT,
                              "sizes exceed the GEMM kernel's int range");
    p->K = (int)g->in_c;
    p->cout_g = (int)cols;
    p->has_bias = has_input(n, 2);
    p->act = n->p.deconv.act;
    p->mode = CONV_GEMM_REF;
    if (n->packed && n->kernel &&
        n->packed_bytes >= ((const frost__gemm_kernel *)n->kernel)->packed_bytes(p->K, p->cout_g)) {
        p->mode = CONV_GEMM_PACKED;
        p->kernel = n->kernel;
    }
    size_t bytes;
    if (!frost__size_mul_ok((size_t)p->rows, (size_t)cols * sizeof(float), &bytes))
        return frost__op_fail(n, pc->err, FROST_E_LIMIT, "workspace overflows");
    st->ws_bytes = bytes;
    const conv_mode chosen = p->mode;
    p->mode = CONV_TRANSPOSE;
    p->fixed_split = pc->deterministic;
    /* The GEMM half still needs to know packed vs reference: kept in `kernel` (NULL: reference). */
    if (chosen != CONV_GEMM_PACKED) p->kernel = NULL;
    st->run = conv_run;
    label_step(st, p);
    return FROST_OK;
}

/* ---- pack ----------------------------------------------------------------------------------- */

static const frost__value *const_filter(const frost__graph *g, const frost__node *n) {
    if (n->n_in < 2 || n->in[1] < 0) return NULL;
    const frost__value *f = &g->values[n->in[1]];
    if (f->kind != FROST__VAL_CONST || f->dtype != FROST_DTYPE_F32 || f->shape.rank != 4 ||
        !f->data || !frost__shape_known(&f->shape))
        return NULL;
    return f;
}

static frost_status store_packed(frost__graph *g, frost__node *n, void *packed, size_t bytes,
                                 const frost__gemm_kernel *k) {
    frost__free(&g->alloc, n->packed);
    n->packed = packed;
    n->packed_bytes = bytes;
    n->kernel = k;
    return FROST_OK;
}

static frost_status conv2d_pack(frost__graph *g, frost__node *n, const frost__cpu *cpu,
                                frost_error *err) {
    const frost__value *f = const_filter(g, n);
    if (!f) return FROST_OK;
    const int groups = n->p.conv.groups <= 0 ? 1 : n->p.conv.groups;
    const int64_t cin_g = f->shape.d[2], cout = f->shape.d[3];
    if (groups > 1 && cin_g == 1) return FROST_OK; /* runs as depthwise, straight from f */
    if (cout % groups) return FROST_OK;            /* infer reports it */
    const int64_t K = f->shape.d[0] * f->shape.d[1] * cin_g, cout_g = cout / groups;
    if (grouped_direct(groups, cout_g)) return FROST_OK; /* direct loops read f in place */
    if (!fits_int(K) || !fits_int(cout) || K == 0 || cout_g == 0) return FROST_OK;
    /* int8 is for Dense weight streams (per-row activation scales would cost a conv per pixel):
     * a conv asked for int8 gets bf16. */
    const int precision = g->weights_precision > 1 ? 1 : g->weights_precision;
    const frost__gemm_kernel *k = frost__gemm_pick_for_weights(cpu, precision, g->cblas_route, K, cout_g);
    if (!k) return FROST_OK;
    const size_t one = k->packed_bytes((int)K, (int)cout_g), stride = round_up64(one);
    size_t bytes;
    if (!frost__size_mul_ok(stride, (size_t)groups, &bytes))
        return frost__op_fail(n, err, FROST_E_LIMIT, "packed filter size overflows");
    /* Winograd's U (64 packed [cin x cout] matrices) goes after the im2col filter, which stays for
     * shapes prepare may still send that way. */
    const frost__gemm_kernel *wk =
        winograd_kernel(n, cpu, f->shape.d[0], f->shape.d[1], cin_g, cout);
    size_t wino_off = 0, wino_stride = 0, narrow_off = 0;
    const int n_xi = wino_alpha(f->shape.d[0]) * wino_alpha(f->shape.d[0]);
    if (wk) {
        wino_off = round_up64(bytes);
        wino_stride = round_up64(wk->packed_bytes((int)cin_g, (int)cout));
        if (wino_stride > (SIZE_MAX - wino_off) / (size_t)n_xi) wk = NULL;
        else bytes = wino_off + (size_t)n_xi * wino_stride;
    }
    /* The narrow direct conv's K x 32 filter, likewise after the im2col one. */
    const bool narrow = !wk && narrow_ok(n, cpu, f->shape.d[0], f->shape.d[1], cin_g, cout);
    if (narrow) {
        narrow_off = round_up64(bytes);
        bytes = narrow_off + (size_t)K * 32 * sizeof(float);
    }
    void *packed = frost__alloc(&g->alloc, bytes ? bytes : 1);
    if (!packed)
        return frost__op_fail(n, err, FROST_E_NOMEM, "out of memory packing %zu bytes of filter",
                              bytes);
    for (int grp = 0; grp < groups; grp++)
        k->pack((int)K, (int)cout_g, (const float *)f->data + (int64_t)grp * cout_g, (int)cout,
                false, (unsigned char *)packed + (size_t)grp * stride);
    if (wk) {
        const size_t plane = (size_t)cin_g * (size_t)cout;
        float *u = frost__alloc(&g->alloc, (size_t)n_xi * plane * sizeof(float));
        if (!u) {
            frost__free(&g->alloc, packed);
            return frost__op_fail(n, err, FROST_E_NOMEM, "out of memory transforming the filter");
        }
        if (n_xi == 36) frost_k_wino43_filter__ref(f->data, (int)cin_g, (int)cout, u);
        else frost_k_wino45_filter__ref(f->data, (int)cin_g, (int)cout, u);
        for (int xi = 0; xi < n_xi; xi++)
            wk->pack((int)cin_g, (int)cout, u + (size_t)xi * plane, (int)cout, false,
                     (unsigned char *)packed + wino_off + (size_t)xi * wino_stride);
        frost__free(&g->alloc, u);
    }
    if (narrow) {
        float *w32 = (float *)((unsigned char *)packed + narrow_off);
        for (int64_t kk = 0; kk < K; kk++)
            for (int64_t co = 0; co < 32; co++)
                w32[kk * 32 + co] = co < cout ? ((const float *)f->data)[kk * cout + co] : 0.0f;
    }
    return store_packed(g, n, packed, bytes, k);
}

static frost_status deconv_pack(frost__graph *g, frost__node *n, const frost__cpu *cpu,
                                frost_error *err) {
    const frost__value *f = const_filter(g, n);
    if (!f) return FROST_OK;
    /* Filter [kh,kw,cout,cin] read as the transpose of a [kh*kw*cout, cin] matrix: B = [cin, cols]. */
    const int64_t cin = f->shape.d[3], cols = f->shape.d[0] * f->shape.d[1] * f->shape.d[2];
    if (!fits_int(cin) || !fits_int(cols) || cin == 0 || cols == 0) return FROST_OK;
    const frost__gemm_kernel *k = frost__gemm_pick(cpu);
    if (!k) return FROST_OK;
    const size_t bytes = k->packed_bytes((int)cin, (int)cols);
    void *packed = frost__alloc(&g->alloc, bytes ? bytes : 1);
    if (!packed)
        return frost__op_fail(n, err, FROST_E_NOMEM, "out of memory packing %zu bytes of filter",
                              bytes);
    k->pack((int)cin, (int)cols, f->data, (int)cin, true, packed);
    return store_packed(g, n, packed, bytes, k);
}

const frost__op_def frost__op_CONV2D = {
    .name = "Conv2D",
    .infer = conv2d_infer,
    .prepare = conv2d_prepare,
    .pack = conv2d_pack,
};

const frost__op_def frost__op_DEPTHWISE_CONV2D = {
    .name = "DepthwiseConv2D",
    .infer = depthwise_infer,
    .prepare = depthwise_prepare,
};

const frost__op_def frost__op_CONV2D_TRANSPOSE = {
    .name = "Conv2DTranspose",
    .infer = deconv_infer,
    .prepare = deconv_prepare,
    .pack = deconv_pack,
};
