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

#endif
