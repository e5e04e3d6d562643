/* fpenv.c — denormal mode per thread (fpenv.h). On x86-64, MXCSR's FTZ (bit 15) and DAZ (bit 6);
 * other architectures keep their default IEEE behaviour and these calls do nothing. */
#include "platform/fpenv.h"

#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>

enum { FTZ_DAZ = 0x8040 };

frost__fpenv frost__fpenv_enter(bool flush_denormals) {
    frost__fpenv old = {_mm_getcsr()};
    unsigned want = flush_denormals ? (old.saved | FTZ_DAZ) : (old.saved & ~(unsigned)FTZ_DAZ);
    if (want != old.saved) _mm_setcsr(want);
    return old;
}

void frost__fpenv_leave(frost__fpenv saved) {
    if (_mm_getcsr() != saved.saved) _mm_setcsr(saved.saved);
}
#else
frost__fpenv frost__fpenv_enter(bool flush_denormals) {
    (void)flush_denormals;
    frost__fpenv old = {0};
    return old;
}

void frost__fpenv_leave(frost__fpenv saved) { (void)saved; }
#endif
