/* layout.h — data movement kernels: an N-D strided gather into a contiguous output (transpose,
 * slices, tile, broadcast all reduce to it), padding with the four pad modes, and gather along an
 * axis. Element sizes are 1, 2, 4 or 8 bytes; the data type never matters. Kernels never allocate
 * and never read outside the strides they are given. */
#ifndef FROST_KERNELS_LAYOUT_H
#define FROST_KERNELS_LAYOUT_H

#include "core/common.h"

/* Up to 2*FROST_MAX_RANK: tile views each dim as (repeat, dim). */
#define FROST_COPY_MAX_RANK (2 * FROST_MAX_RANK)

/* dst (contiguous, row-major over dims) [i0..] = src[sum_k i_k * src_strides[k]] (element
 * strides, possibly 0 or negative). */
typedef struct frost__copy_plan {
    int rank;
    int64_t dims[FROST_COPY_MAX_RANK];
    int64_t strides[FROST_COPY_MAX_RANK];
    int64_t offset;        /* element offset of index 0 in src                               */
    size_t es;             /* element size in bytes                                          */
    int64_t numel;
} frost__copy_plan;

/* Drops size-1 dims and merges dims that continue each other; call after filling a plan. */
void frost__copy_plan_simplify(frost__copy_plan *p);
/* Copies output rows [row0, row1) of the plan (a row is the innermost dim). */
void frost_k_strided_copy__ref(const frost__copy_plan *p, const void *src, void *dst,
                               int64_t row0, int64_t row1);
static inline int64_t frost__copy_plan_rows(const frost__copy_plan *p) {
    return p->rank == 0 || p->numel == 0 ? (p->numel ? 1 : 0) : p->numel / p->dims[p->rank - 1];
}

/* Transposing plans (the output's last dim strided in src, an earlier dim `j` contiguous in src)
 * copied in square tiles over (j, last) so reads and writes both stay in cache. Returns the dim j,
 * or -1 when the plan is not worth tiling. */
int frost__copy_plan_tile_dim(const frost__copy_plan *p);
/* Number of tile jobs (the product of the dims other than j and the last). */
int64_t frost__copy_plan_tile_outer(const frost__copy_plan *p, int j);
/* Copies outer jobs [o0, o1) of a tiled plan. */
void frost_k_tiled_copy__ref(const frost__copy_plan *p, int j, const void *src, void *dst,
                             int64_t o0, int64_t o1);

/* Pads src (in_dims) into dst (out_dims = in + before + after, entries may be negative: crop).
 * mode: frost__pad_mode; `value` points at one element used by CONSTANT. */
void frost_k_pad__ref(int rank, const int64_t *in_dims, const int64_t *before,
                      const int64_t *out_dims, int mode, const void *value, const void *src,
                      void *dst, size_t es);

#endif /* FROST_KERNELS_LAYOUT_H */
