/* winograd_ref.c — the load-time half of Winograd F(4x4, 5x5) and F(4x4, 3x3) (see
 * kernels/winograd.h): the filter transform U = G g G^T, computed in double so the only fp32
 * rounding is the final store. Portable; never allocates. */
#include "kernels/winograd.h"

/* G for the points 0, 1, -1, 2, -2, 1/2, -1/2, infinity: row j is [1, p, p^2, p^3, p^4] / N_j with
 * N_j = prod_{l != j} (p_j - p_l); the infinity row keeps the top coefficient. */
static const double WINO_G[8][5] = {
    {-1.0, 0, 0, 0, 0},
    {-2.0 / 9, -2.0 / 9, -2.0 / 9, -2.0 / 9, -2.0 / 9},
    {-2.0 / 9, 2.0 / 9, -2.0 / 9, 2.0 / 9, -2.0 / 9},
    {1.0 / 90, 2.0 / 90, 4.0 / 90, 8.0 / 90, 16.0 / 90},
    {1.0 / 90, -2.0 / 90, 4.0 / 90, -8.0 / 90, 16.0 / 90},
    {64.0 / 90, 32.0 / 90, 16.0 / 90, 8.0 / 90, 4.0 / 90},
    {64.0 / 90, -32.0 / 90, 16.0 / 90, -8.0 / 90, 4.0 / 90},
    {0, 0, 0, 0, 1.0},
};

void frost_k_wino45_filter__ref(const float *hwio, int cin, int cout, float *u) {
    const size_t plane = (size_t)cin * (size_t)cout;
    for (int ci = 0; ci < cin; ci++)
        for (int co = 0; co < cout; co++) {
            double gk[5][5], t[8][5];
            for (int a = 0; a < 5; a++)
                for (int b = 0; b < 5; b++)
                    gk[a][b] = hwio[((size_t)(a * 5 + b) * cin + ci) * cout + co];
            for (int i = 0; i < 8; i++)
                for (int b = 0; b < 5; b++) {
                    double s = 0;
                    for (int a = 0; a < 5; a++) s += WINO_G[i][a] * gk[a][b];
                    t[i][b] = s;
                }
            for (int i = 0; i < 8; i++)
                for (int j = 0; j < 8; j++) {
                    double s = 0;
                    for (int b = 0; b < 5; b++) s += t[i][b] * WINO_G[j][b];
                    u[(size_t)(i * 8 + j) * plane + (size_t)ci * cout + co] = (float)s;
                }
        }
}

/* G of F(4x4, 3x3) for the points 0, 1, -1, 2, -2, infinity. */
static const double WINO43_G[6][3] = {
    {1.0 / 4, 0, 0},
    {-1.0 / 6, -1.0 / 6, -1.0 / 6},
    {-1.0 / 6, 1.0 / 6, -1.0 / 6},
    {1.0 / 24, 1.0 / 12, 1.0 / 6},
    {1.0 / 24, -1.0 / 12, 1.0 / 6},
    {0, 0, 1.0},
};

void frost_k_wino43_filter__ref(const float *hwio, int cin, int cout, float *u) {
    const size_t plane = (size_t)cin * (size_t)cout;
    for (int ci = 0; ci < cin; ci++)
        for (int co = 0; co < cout; co++) {
            double gk[3][3], t[6][3];
            for (int a = 0; a < 3; a++)
                for (int b = 0; b < 3; b++)
                    gk[a][b] = hwio[((size_t)(a * 3 + b) * cin + ci) * cout + co];
            for (int i = 0; i < 6; i++)
                for (int b = 0; b < 3; b++) {
                    double s = 0;
                    for (int a = 0; a < 3; a++) s += WINO43_G[i][a] * gk[a][b];
                    t[i][b] = s;
                }
            for (int i = 0; i < 6; i++)
                for (int j = 0; j < 6; j++) {
                    double s = 0;
                    for (int b = 0; b < 3; b++) s += t[i][b] * WINO43_G[j][b];
                    u[(size_t)(i * 6 + j) * plane + (size_t)ci * cout + co] = (float)s;
                }
        }
}
