/* layout_ref.c — portable data movement: the N-D strided copy behind transpose, slicing, tile and
 * broadcast, and padding. Pure index arithmetic over caller-validated plans: never allocates, and
 * reads only src elements the plan addresses. */
#include "kernels/layout.h"

#include "core/params.h"

void frost__copy_plan_simplify(frost__copy_plan *p) {
    int k = 0;
    p->numel = 1;
    for (int i = 0; i < p->rank; i++) p->numel *= p->dims[i];
    for (int i = 0; i < p->rank; i++) {
        int64_t d = p->dims[i], s = p->strides[i];
        if (d == 1) continue;
        if (k > 0 && p->strides[k - 1] == s * d) {
            p->dims[k - 1] *= d;
            p->strides[k - 1] = s;
            continue;
        }
        p->dims[k] = d;
        p->strides[k] = s;
        k++;
    }
    p->rank = k;
}

/* The innermost row: contiguous rows are one memcpy, others a typed strided loop. */
#define ROW_COPY(T)                                                       \
    do {                                                                  \
        const T *s_ = (const T *)src + off;                               \
        T *d_ = (T *)dst + o;                                             \
        for (int64_t i = 0; i < inner; i++) d_[i] = s_[i * istride];      \
    } while (0)

void frost_k_strided_copy__ref(const frost__copy_plan *p, const void *src, void *dst,
                               int64_t row0, int64_t row1) {
    size_t es = p->es;
    if (p->numel == 0) return;
    if (p->rank == 0) {
        if (row0 < row1) memcpy(dst, (const unsigned char *)src + (size_t)p->offset * es, es);
        return;
    }
    int r = p->rank;
    int64_t inner = p->dims[r - 1], istride = p->strides[r - 1];
    int64_t idx[FROST_COPY_MAX_RANK];
    int64_t rem = row0, off = p->offset;
    for (int i = r - 2; i >= 0; i--) {
        idx[i] = rem % p->dims[i];
        rem /= p->dims[i];
        off += idx[i] * p->strides[i];
    }
    for (int64_t row = row0; row < row1; row++) {
        int64_t o = row * inner;
        if (istride == 1) {
            memcpy((unsigned char *)dst + (size_t)o * es,
                   (const unsigned char *)src + (size_t)off * es, (size_t)inner * es);
        } else {
            switch (es) {
            case 1: ROW_COPY(uint8_t); break;
            case 2: ROW_COPY(uint16_t); break;
            case 4: ROW_COPY(uint32_t); break;
            default: ROW_COPY(uint64_t); break;
            }
        }
        for (int i = r - 2; i >= 0; i--) {
            idx[i]++;
            off += p->strides[i];
            if (idx[i] < p->dims[i]) break;
            off -= p->strides[i] * p->dims[i];
            idx[i] = 0;
        }
    }
}
#undef ROW_COPY

#define TILE 16

int frost__copy_plan_tile_dim(const frost__copy_plan *p) {
    int r = p->rank;
    if (r < 2 || p->strides[r - 1] == 1 || p->dims[r - 1] < TILE / 2) return -1;
    for (int j = r - 2; j >= 0; j--)
        if (p->strides[j] == 1 && p->dims[j] >= TILE / 2) return j;
    return -1;
}

int64_t frost__copy_plan_tile_outer(const frost__copy_plan *p, int j) {
    int64_t n = 1;
    for (int i = 0; i < p->rank - 1; i++)
        if (i != j) n *= p->dims[i];
    return n;
}

/* dst[a * dj + b] = src[a + b * sl] over one tile-able 2-D slab */
#define TILED(T)                                                                               \
    do {                                                                                       \
        const T *s_ = (const T *)src + soff;                                                   \
        T *d_ = (T *)dst + doff;                                                               \
        for (int64_t a0 = 0; a0 < na; a0 += TILE)                                              \
            for (int64_t b0 = 0; b0 < nb; b0 += TILE) {                                        \
                int64_t a1 = a0 + TILE < na ? a0 + TILE : na, b1 = b0 + TILE < nb ? b0 + TILE : nb; \
                for (int64_t a = a0; a < a1; a++)                                              \
                    for (int64_t b = b0; b < b1; b++) d_[a * dj + b] = s_[a + b * sl];         \
            }                                                                                  \
    } while (0)

void frost_k_tiled_copy__ref(const frost__copy_plan *p, int j, const void *src, void *dst,
                             int64_t o0, int64_t o1) {
    int r = p->rank;
    int64_t dstr[FROST_COPY_MAX_RANK];
    int64_t st = 1;
    for (int i = r - 1; i >= 0; i--) {
        dstr[i] = st;
        st *= p->dims[i];
    }
    int64_t na = p->dims[j], nb = p->dims[r - 1], dj = dstr[j], sl = p->strides[r - 1];
    for (int64_t o = o0; o < o1; o++) {
        /* o indexes the dims other than j and the last, row-major */
        int64_t rem = o, soff = p->offset, doff = 0;
        for (int i = r - 2; i >= 0; i--) {
            if (i == j) continue;
            int64_t c = rem % p->dims[i];
            rem /= p->dims[i];
            soff += c * p->strides[i];
            doff += c * dstr[i];
        }
        switch (p->es) {
        case 1: TILED(uint8_t); break;
        case 2: TILED(uint16_t); break;
        case 4: TILED(uint32_t); break;
        default: TILED(uint64_t); break;
        }
    }
}
#undef TILED

/* Source index of output index i along a dim of size n padded by `before`, or -1 when the
 * element is the constant. */
static int64_t pad_source(int64_t i, int64_t before, int64_t n, int mode) {
    int64_t j = i - before;
    if (j >= 0 && j < n) return j;
    if (n <= 0) return -1;
    switch (mode) {
    case FROST__PADMODE_REFLECT: {
        /* reflection repeats with period 2(n-1); modular arithmetic keeps huge pads O(1) */
        if (n == 1) return 0;
        int64_t period = 2 * (n - 1);
        j = (j < 0 ? -j : j) % period;
        return j < n ? j : period - j;
    }
    case FROST__PADMODE_SYMMETRIC: {
        int64_t period = 2 * n;
        j = (j < 0 ? -j - 1 : j) % period;
        return j < n ? j : period - 1 - j;
    }
    case FROST__PADMODE_EDGE:
        return j < 0 ? 0 : n - 1;
    default:
        return -1;
    }
}

static void fill_elems(unsigned char *dst, const void *value, int64_t n, size_t es) {
    switch (es) {
    case 1: memset(dst, *(const uint8_t *)value, (size_t)n); return;
    case 2: { uint16_t v; memcpy(&v, value, 2); for (int64_t i = 0; i < n; i++) ((uint16_t *)dst)[i] = v; return; }
    case 4: { uint32_t v; memcpy(&v, value, 4); for (int64_t i = 0; i < n; i++) ((uint32_t *)dst)[i] = v; return; }
    default: { uint64_t v; memcpy(&v, value, 8); for (int64_t i = 0; i < n; i++) ((uint64_t *)dst)[i] = v; return; }
    }
}

/* Output elements [x0, x1) of a row padded by `before` = b from an input row of n_in elements,
 * one at a time (reflect, symmetric and edge modes read the input at mirrored places). */
static void pad_row_span(unsigned char *o, const unsigned char *in_row, int64_t x0, int64_t x1,
                         int64_t b, int64_t n_in, int mode, const void *value, size_t es) {
    for (int64_t x = x0; x < x1; x++) {
        int64_t j = pad_source(x, b, n_in, mode);
        if (j < 0) fill_elems(o + (size_t)x * es, value, 1, es);
        else memcpy(o + (size_t)x * es, in_row + (size_t)j * es, es);
    }
}

void frost_k_pad__ref(int rank, const int64_t *in_dims, const int64_t *before,
                      const int64_t *out_dims, int mode, const void *value, const void *src,
                      void *dst, size_t es) {
    int64_t numel = 1;
    for (int i = 0; i < rank; i++) numel *= out_dims[i];
    if (numel == 0) return;
    const unsigned char *s = src;
    unsigned char *d = dst;
    if (rank == 0) {
        memcpy(d, s, es);
        return;
    }
    int64_t in_strides[FROST_MAX_RANK];
    int64_t st = 1;
    for (int i = rank - 1; i >= 0; i--) {
        in_strides[i] = st;
        st *= in_dims[i];
    }
    int last = rank - 1;
    int64_t w = out_dims[last], n_in = in_dims[last], b = before[last];
    /* the part of the row that maps straight onto the input row */
    int64_t mid0 = b < 0 ? 0 : (b > w ? w : b);
    int64_t mid1 = b + n_in < mid0 ? mid0 : (b + n_in > w ? w : b + n_in);
    int64_t idx[FROST_MAX_RANK] = {0};
    int64_t rows = numel / w;
    for (int64_t row = 0; row < rows; row++) {
        unsigned char *o = d + (size_t)(row * w) * es;
        int64_t off = 0;
        bool outside = false;
        for (int i = 0; i < last; i++) {
            int64_t j = pad_source(idx[i], before[i], in_dims[i], mode);
            if (j < 0) {
                outside = true;
                break;
            }
            off += j * in_strides[i];
        }
        if (outside) {
            fill_elems(o, value, w, es);
        } else {
            const unsigned char *in_row = s + (size_t)off * es;
            if (mode == FROST__PADMODE_CONSTANT) {
                /* Left of mid0 and right of mid1 is all the value: two fills, not one call per
                 * element (a channel pad of an NHWC image pads every pixel's short row). */
                fill_elems(o, value, mid0, es);
                fill_elems(o + (size_t)mid1 * es, value, w - mid1, es);
            } else {
                pad_row_span(o, in_row, 0, mid0, b, n_in, mode, value, es);
                pad_row_span(o, in_row, mid1, w, b, n_in, mode, value, es);
            }
            if (mid1 > mid0)
                memcpy(o + (size_t)mid0 * es, in_row + (size_t)(mid0 - b) * es,
                       (size_t)(mid1 - mid0) * es);
        }
        for (int i = last - 1; i >= 0; i--) {
            if (++idx[i] < out_dims[i]) break;
            idx[i] = 0;
        }
    }
}
