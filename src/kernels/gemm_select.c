/* gemm_select.c — chooses the packed-GEMM kernel family for a CPU.
 *
 * The per-ISA families live in src/kernels/x86/gemm_<isa>.c, compiled with their own -m flags;
 * this file is compiled for baseline x86-64 (or any architecture) and only compares flags, so it is
 * safe to call on any CPU. Must never return a kernel whose instructions the CPU (after the
 * FROST_MAX_ISA cap in cpu->max_isa) does not allow. Non-x86 builds only know the ref kernel. */
#include "kernels/gemm.h"

#if defined(__x86_64__)
extern const frost__gemm_kernel frost__gemm_avx2;
extern const frost__gemm_kernel frost__gemm_avx512;
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

const frost__gemm_kernel *frost__gemm_pick_for_weights(const frost__cpu *cpu, int precision,
                                                       long long K, long long N) {
    /* int8 sums stay exact in int32 up to K = 66,000 (127 x 255 per product). */
    if (precision == 2 && N >= 16 && K >= 64 && K <= 60000) {
        const frost__gemm_kernel *k = frost__gemm_pick_int8(cpu);
        if (k) return k;
    }
    if (precision >= 1 && N >= 16 && K >= 64) {
        const frost__gemm_kernel *k = frost__gemm_pick_bf16(cpu);
        if (k) return k;
    }
    return frost__gemm_pick(cpu);
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
