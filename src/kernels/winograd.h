/* winograd.h — Winograd F(4x4, 5x5) convolution pieces for stride-1, undilated, ungrouped 5x5
 * convolutions on NHWC data (the founding CNN's conv2: 14x14x32 -> 14x14x64).
 *
 * Each 4x4 block of output pixels ("tile") comes from an 8x8 input patch. With the 8 interpolation
 * points 0, 1, -1, 2, -2, 1/2, -1/2 and infinity, the 5x5 correlation becomes, per tile,
 *   Y = AT · [ (G g G^T) ⊙ (BT d BT^T) ] · AT^T
 * so the 64 elementwise products, summed over input channels, are 64 independent GEMMs of
 * [tiles x cin] · [cin x cout]: 64 x cin x cout multiply-adds per 16 outputs instead of 25 x 16,
 * 6.25x fewer (4.8x on 14x14, whose 4x4 tiles cover 16x16). The matrices were derived exactly (with
 * rationals) and checked in fp32; products stay within ~2e-7 of the direct sum on unit data.
 *
 * Layouts: U (filter) is 64 packed GEMM operands, one per position xi = 8*i + j of the 8x8 domain,
 * each `stride` bytes apart; V (input) is [64][tiles][cin]; M (products) is [64][tiles][cout].
 * Nothing here allocates. */
#ifndef FROST_KERNELS_WINOGRAD_H
#define FROST_KERNELS_WINOGRAD_H

#include <stddef.h>
#include <stdint.h>

#include "kernels/conv.h"
#include "kernels/gemm.h"

#define FROST_WINO_ALPHA 8 /* patch size                                                  */
#define FROST_WINO_M 4     /* output tile size                                            */
#define FROST_WINO_R 5     /* filter size                                                 */

/* Filter transform on the host precision (double): u[64][cin][cout] = G g G^T for every (ci, co)
 * of an HWIO [5,5,cin,cout] filter. */
void frost_k_wino45_filter__ref(const float *hwio, int cin, int cout, float *u);

/* Tiles of one image: row-major over ceil(out_h/4) x ceil(out_w/4). */
static inline int64_t frost_wino45_tiles(const frost__conv_geom *g) {
    return ((g->out_h + 3) / 4) * ((g->out_w + 3) / 4);
}

/* Input transform of tiles [t0, t0+nt) of image `x` (NHWC, one image) into V [64][nt][cin]. */
void frost_k_wino45_input__avx512(const frost__conv_geom *g, const float *x, int64_t t0,
                                  int64_t nt, float *V);
/* Output transform of M [64][nt][cout] for tiles [t0, t0+nt): y = act(AT M AT^T + bias), only
 * pixels inside the image written. */
void frost_k_wino45_output__avx512(const frost__conv_geom *g, const float *M, const float *bias,
                                   const frost__act_params *act, int64_t t0, int64_t nt, float *y);

/* ---- F(4x4, 3x3): 3x3 convolutions --------------------------------------------------------------
 * The same scheme with the 6 points 0, 1, -1, 2, -2 and infinity: each 4x4 tile comes from a 6x6
 * patch, and the 36 elementwise products are 36 GEMMs [tiles x cin] · [cin x cout]: 36 multiply-
 * adds per 16 outputs instead of 9 x 16, 4x fewer. BT, G and AT are Lavin and Gray's (checked
 * exactly against the direct correlation). U is 36 packed operands (xi = 6*i + j), V
 * [36][tiles][cin], M [36][tiles][cout]; tiles as frost_wino45_tiles. */
#define FROST_WINO43_ALPHA 6

/* Dilated 3x3 filters (dilation d, with out_h and out_w multiples of d) run as d x d interleaved
 * undilated convolutions: output pixels whose row is a (mod d) and column b (mod d) read only
 * input pixels of the same residues, so each residue class is tiled on its own sub-grid. Tiles
 * are numbered residue class by residue class, row-major within each. */
static inline int64_t frost_wino43_tiles(const frost__conv_geom *g) {
    const int64_t sh = g->out_h / g->dil_h, sw = g->out_w / g->dil_w;
    return (int64_t)g->dil_h * g->dil_w * ((sh + 3) / 4) * ((sw + 3) / 4);
}
static inline bool frost_wino43_fits(const frost__conv_geom *g) {
    return g->dil_h >= 1 && g->dil_w >= 1 && g->out_h % g->dil_h == 0 && g->out_w % g->dil_w == 0;
}

/* u[36][cin][cout] = G g G^T for an HWIO [3,3,cin,cout] filter, in double. */
void frost_k_wino43_filter__ref(const float *hwio, int cin, int cout, float *u);
/* Input transform of tiles [t0, t0+nt) of one image into V [36][nt][cin]. */
void frost_k_wino43_input__avx512(const frost__conv_geom *g, const float *x, int64_t t0,
                                  int64_t nt, float *V);
/* Output transform of M [36][nt][cout]: y = act(AT M AT^T + bias), pixels inside the image. */
void frost_k_wino43_output__avx512(const frost__conv_geom *g, const float *M, const float *bias,
                                   const frost__act_params *act, int64_t t0, int64_t nt, float *y);

#endif
