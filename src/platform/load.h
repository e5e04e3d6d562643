/* load.h — how many of the machine's CPUs other work leaves free right now (platform/load.c), for
 * the thread pool's choice whether to try its workers again. */
#ifndef FROST_PLATFORM_LOAD_H
#define FROST_PLATFORM_LOAD_H

/* CPUs online minus the tasks running or waiting to run (the caller's thread among them), at this
 * moment; -1 when the system does not say (not Linux, /proc unreadable). About 10 µs: call it
 * rarely. */
int frost__cpus_free_now(void);

#endif
