/* gemm_select.c — chooses the packed-GEMM kernel family for a CPU.
 *
 * The per-ISA families live in src/kernels/x86/gemm_<isa>.c, compiled with their own -m flags;
 * this file is compiled for baseline x86-64 (or any architecture) and only compares flags, so it is
 * safe to call on any CPU. Must never return a kernel whose instructions the CPU (after the
 * FROST_MAX_ISA cap in cpu->max_isa) does not allow. Non-x86 builds only know the ref kernel.
 * A build with a CBLAS (FROST_WITH_CBLAS) routes the f32 weight GEMMs to it; frost__gemm_pick
 * itself stays built-in (Winograd, ConvTranspose and activation x activation MatMul use it). */
#include "kernels/gemm.h"

#include <stdlib.h>
#include <string.h>

#if defined(FROST_WITH_CBLAS)
extern const frost__gemm_kernel frost__gemm_cblas;
#endif
#if defined(__x86_64__)
extern const frost__gemm_kernel frost__gemm_avx2;
extern const frost__gemm_kernel frost__gemm_avx512;
extern const frost__gemm_kernel frost__gemm_avx512_sparse;
extern const frost__gemm_kernel frost__gemm_avx512bf16;
extern const frost__gemm_kernel frost__gemm_avx512vnni;
#endif

const frost__gemm_kernel *frost__gemm_pick(const frost__cpu *cpu) {
    if (!cpu) cpu = frost__cpu_get();
#if defined(__x86_64__)
    if (cpu->max_isa >= 2 && cpu->avx512f) return &frost__gemm_avx512;
    if (cpu->max_isa >= 1 && cpu->avx2_fma) return &frost__gemm_avx2;
#endif
    return &frost__gemm_ref;
}

const frost__gemm_kernel *frost__gemm_pick_bf16(const frost__cpu *cpu) {
    if (!cpu) cpu = frost__cpu_get();
#if defined(__x86_64__)
    if (cpu->max_isa >= 2 && cpu->avx512_bf16) return &frost__gemm_avx512bf16;
#endif
    return NULL;
}

const frost__gemm_kernel *frost__gemm_pick_int8(const frost__cpu *cpu) {
    if (!cpu) cpu = frost__cpu_get();
#if defined(__x86_64__)
    if (cpu->max_isa >= 2 && cpu->avx512_vnni) return &frost__gemm_avx512vnni;
#endif
    return NULL;
}

const frost__gemm_kernel *frost__gemm_pick_cblas(void) {
#if defined(FROST_WITH_CBLAS)
    return &frost__gemm_cblas;
#else
    return NULL;
#endif
}

/* Whether a K x N f32 operand goes to the CBLAS family (a build with one). Small ones stay
 * built-in; measured per call with bias + ReLU, one thread pinned, this 2-core Zen 4 VM, built-in
 * avx512 vs OpenBLAS 0.3.21 / BLIS 0.9.0 (both through gemm_cblas.c):
 * - narrow outputs (N < 16, classifier heads): 1x10x784 0.20 us vs 1.43 / 1.91 us, 1x10x1024
 *   0.36 vs 1.86 / 2.46 us. Not the call itself: the BLASes' sgemv on a K x 10 row-major matrix
 *   walks 40-byte rows. It would double the beginner model's time per prediction.
 * - small products (K x N < 4096 weights): the fixed cost of a call (argument checks, dispatch,
 *   BLIS's sgemm setup) is as big as the work: 1x32x25 0.033 vs 0.051 / 0.100 us, 1x16x64 0.043
 *   vs 0.109 / 0.189 us, 16x16x16 0.094 vs 0.19 / 0.57 us.
 * Past that the BLAS is within 1.0-1.35x of built-in (1x256x256 1.03 / 1.10x, 196x64x800 1.19 /
 * 1.03x, 1x1024x3136 0.98 / 1.12x). M is not known at pack time (it is the batch, or the pixels
 * of a conv), so the test is on the weights alone. route 2 (all) routes every f32 operand (for
 * measuring), 1 (off) none. */
static bool route_to_cblas(int route, long long K, long long N) {
    if (!frost__gemm_pick_cblas()) return false;
    if (route == 1) return false;
    if (route == 2) return true;
    return N >= 16 && K * N >= 4096;
}

const frost__gemm_kernel *frost__gemm_pick_for_weights(const frost__cpu *cpu, int precision,
                                                       int cblas_route, long long K, long long N) {
    /* int8 sums stay exact in int32 up to K = 66,000 (127 x 255 per product). */
    if (precision == 2 && N >= 16 && K >= 64 && K <= 60000) {
        const frost__gemm_kernel *k = frost__gemm_pick_int8(cpu);
        if (k) return k;
    }
    if (precision >= 1 && N >= 16 && K >= 64) {
        const frost__gemm_kernel *k = frost__gemm_pick_bf16(cpu);
        if (k) return k;
    }
    if (route_to_cblas(cblas_route, K, N)) return frost__gemm_pick_cblas();
    return frost__gemm_pick(cpu);
}

const frost__gemm_kernel *frost__gemm_for_zero_rich_input(const frost__gemm_kernel *k) {
#if defined(__x86_64__)
    if (k == &frost__gemm_avx512) return &frost__gemm_avx512_sparse;
#endif
    return k;
}

void frost__gemm_reads(const frost__gemm_kernel *k, int M, int K, int N, size_t total,
                       size_t *offset, size_t *bytes) {
    *offset = 0;
    *bytes = total;
    if (k && k->reads) k->reads(M, K, N, offset, bytes);
}

void frost__cache_warm(const void *p, size_t bytes) {
    /* Past a last-level cache the first bytes would be evicted by the last: not worth a pass. */
    if (!p || bytes > ((size_t)32 << 20)) return;
    /* One pass was not enough on Zen 4 (its L3 fills with what L2 evicts): after one pass the
     * Fashion expert's first call took 2.7x a steady one (its 12.8 MB dense weights), after two
     * 1.7x, after four 1.25x. Four passes cost ~2 ms once, at plan time. */
    const volatile unsigned char *b = p;
    unsigned sum = 0;
    for (int pass = 0; pass < 4; pass++)
        for (size_t i = 0; i < bytes; i += 64) sum += b[i];
    if (bytes) sum += b[bytes - 1];
    __asm__ volatile("" : : "r"(sum)); /* the loads are the point: keep them */
}
