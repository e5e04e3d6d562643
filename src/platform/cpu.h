/* cpu.h — what the processor can do, probed once per process (platform/cpu.c). Kernel selection
 * (the kernels' *_select.c files) reads it; nothing else looks at instruction sets. */
#ifndef FROST_PLATFORM_CPU_H
#define FROST_PLATFORM_CPU_H

#include "core/common.h"

/* The ISA levels of frost__cpu.max_isa and FROST_MAX_ISA. */
enum { FROST__ISA_REF = 0, FROST__ISA_AVX2 = 1, FROST__ISA_AVX512 = 2 };

typedef struct frost__cpu {
    bool avx2_fma;      /* AVX2 + FMA + F16C                                                     */
    bool avx512f;       /* AVX-512 F + BW + DQ + VL                                              */
    bool avx512_bf16;
    bool avx512_vnni;
    int max_isa;        /* FROST__ISA_* after FROST_MAX_ISA capping                              */
} frost__cpu;

/* The process-wide CPU description, probed once. FROST_MAX_ISA=ref|avx2|avx512 in the environment
 * caps it (testing, reproducibility). */
const frost__cpu *frost__cpu_get(void);
/* The same description capped at `max_isa` (a FROST__ISA_*): what a model loaded with
 * frost_load_options.max_isa packs and plans for. Static storage, one per level. */
const frost__cpu *frost__cpu_capped(int max_isa);

#endif
