/* fpenv.h — the floating-point environment a run computes in. Denormal flushing (FTZ/DAZ on x86)
 * changes results, so every thread that runs part of a step — the caller's and each worker — must
 * compute in the same mode, or the same input would give different outputs depending on which
 * thread ran a chunk. Inline: a small model's whole call is ~200 ns, and reading MXCSR twice plus
 * two calls cost ~19 ns of it (perf, the Fashion beginner); now one read, and a write only when
 * the mode has to change. */
#ifndef FROST_PLATFORM_FPENV_H
#define FROST_PLATFORM_FPENV_H

#include <stdbool.h>

typedef struct frost__fpenv {
    unsigned saved;   /* the thread's previous control word */
    unsigned set;     /* the control word enter left in place */
} frost__fpenv;

#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>

enum { FROST__FTZ_DAZ = 0x8040 }; /* MXCSR's FTZ (bit 15) and DAZ (bit 6) */

/* Puts this thread in frost's mode (flush denormals or keep them) and returns what it was. A few
 * cycles: no system call, no lock. */
static inline frost__fpenv frost__fpenv_enter(bool flush_denormals) {
    const unsigned old = _mm_getcsr();
    const unsigned want = flush_denormals ? (old | FROST__FTZ_DAZ) : (old & ~(unsigned)FROST__FTZ_DAZ);
    if (want != old) _mm_setcsr(want);
    frost__fpenv env = {old, want};
    return env;
}

/* Restores what enter saved (frost's code never changes the mode in between). */
static inline void frost__fpenv_leave(frost__fpenv env) {
    if (env.set != env.saved) _mm_setcsr(env.saved);
}
#else
/* Other architectures keep their default IEEE behaviour: nothing to do. */
static inline frost__fpenv frost__fpenv_enter(bool flush_denormals) {
    (void)flush_denormals;
    frost__fpenv env = {0, 0};
    return env;
}

static inline void frost__fpenv_leave(frost__fpenv env) { (void)env; }
#endif

#endif
