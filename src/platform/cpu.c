/* cpu.c — what the processor we run on can do, probed once per process.
 *
 * On x86-64 the features come from cpuid, and the AVX / AVX-512 ones count only when the OS saves
 * the matching register state (XCR0 via xgetbv): a CPU that has AVX-512 under a kernel or
 * hypervisor that does not enable it must be treated as if it had none, or the first zmm
 * instruction faults. FROST_MAX_ISA=ref|avx2|avx512 in the environment caps the result (tests,
 * reproducible benchmarks); a cap also clears every flag above it, so no kernel picker can slip past
 * it. Other architectures report no features and max_isa 0 (the portable kernels).
 *
 * Must never: execute an instruction it has not proven available, allocate, or fail — an unknown
 * FROST_MAX_ISA value is ignored. The probe runs once (pthread_once), so concurrent first calls
 * from several sessions are safe and cheap afterwards. */
#include "platform/cpu.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>

static unsigned long long read_xcr0(void) {
    unsigned eax, edx;
    /* xgetbv with ecx=0; written as bytes-free inline asm so this file needs no -mxsave. */
    __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    return ((unsigned long long)edx << 32) | eax;
}

static void probe_x86(frost__cpu *c) {
    unsigned a, b, cx, d;
    if (!__get_cpuid(1, &a, &b, &cx, &d)) return;
    const bool fma = cx & (1u << 12), osxsave = cx & (1u << 27), avx = cx & (1u << 28),
               f16c = cx & (1u << 29);
    if (!osxsave || !avx) return;
    const unsigned long long xcr0 = read_xcr0();
    const bool os_ymm = (xcr0 & 0x6) == 0x6;            /* SSE + AVX state              */
    const bool os_zmm = (xcr0 & 0xe6) == 0xe6;          /* + opmask, ZMM_Hi256, Hi16_ZMM */
    if (!os_ymm) return;
    if (__get_cpuid_max(0, NULL) < 7) return;
    __cpuid_count(7, 0, a, b, cx, d);
    const bool avx2 = b & (1u << 5), avx512f = b & (1u << 16), avx512dq = b & (1u << 17),
               avx512bw = b & (1u << 30), avx512vl = b & (1u << 31),
               vnni = cx & (1u << 11);
    unsigned a1 = 0, b1 = 0, c1 = 0, d1 = 0;
    __cpuid_count(7, 1, a1, b1, c1, d1);
    const bool bf16 = a1 & (1u << 5);

    c->avx2_fma = avx2 && fma && f16c;
    c->avx512f = c->avx2_fma && os_zmm && avx512f && avx512dq && avx512bw && avx512vl;
    c->avx512_bf16 = c->avx512f && bf16;
    c->avx512_vnni = c->avx512f && vnni;
    c->max_isa = c->avx512f ? 2 : c->avx2_fma ? 1 : 0;
}
#endif

static frost__cpu g_cpu, g_capped[FROST__ISA_AVX512 + 1];
static pthread_once_t g_once = PTHREAD_ONCE_INIT;

static void cap_at(frost__cpu *c, int limit) {
    if (c->max_isa > limit) c->max_isa = limit;
    if (c->max_isa < FROST__ISA_AVX512) c->avx512f = c->avx512_bf16 = c->avx512_vnni = false;
    if (c->max_isa < FROST__ISA_AVX2) c->avx2_fma = false;
}

static void apply_cap(frost__cpu *c, const char *cap) {
    if (!cap || !*cap) return;
    if (!strcasecmp(cap, "ref") || !strcasecmp(cap, "none") || !strcasecmp(cap, "baseline"))
        cap_at(c, FROST__ISA_REF);
    else if (!strcasecmp(cap, "avx2")) cap_at(c, FROST__ISA_AVX2);
    else if (!strcasecmp(cap, "avx512")) cap_at(c, FROST__ISA_AVX512);
}

static void probe(void) {
    frost__cpu c;
    memset(&c, 0, sizeof c);
#if defined(__x86_64__) || defined(__i386__)
    probe_x86(&c);
#endif
    apply_cap(&c, getenv("FROST_MAX_ISA"));
    g_cpu = c;
    for (int level = FROST__ISA_REF; level <= FROST__ISA_AVX512; level++) {
        g_capped[level] = c;
        cap_at(&g_capped[level], level);
    }
}

const frost__cpu *frost__cpu_get(void) {
    pthread_once(&g_once, probe);
    return &g_cpu;
}

const frost__cpu *frost__cpu_capped(int max_isa) {
    pthread_once(&g_once, probe);
    if (max_isa < FROST__ISA_REF) max_isa = FROST__ISA_REF;
    if (max_isa > FROST__ISA_AVX512) max_isa = FROST__ISA_AVX512;
    return &g_capped[max_isa];
}
