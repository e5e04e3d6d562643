/* fpenv.h — the floating-point environment a run computes in. Denormal flushing (FTZ/DAZ on x86)
 * changes results, so every thread that runs part of a step — the caller's and each worker — must
 * compute in the same mode, or the same input would give different outputs depending on which
 * thread ran a chunk. */
#ifndef FROST_PLATFORM_FPENV_H
#define FROST_PLATFORM_FPENV_H

#include <stdbool.h>

typedef struct frost__fpenv {
    unsigned saved;   /* the thread's previous control word */
} frost__fpenv;

/* Puts this thread in frost's mode (flush denormals or keep them) and returns what it was. A few
 * cycles: no system call, no lock. */
frost__fpenv frost__fpenv_enter(bool flush_denormals);
/* Restores what enter saved. */
void frost__fpenv_leave(frost__fpenv saved);

#endif
