/* load.c — the machine's free CPUs at this moment: online CPUs minus the scheduler's runnable
 * tasks, the fourth field of Linux's /proc/loadavg ("running/total"). The pool asks before it
 * probes its workers again: when another process keeps a core busy, a split run would wait on a
 * worker sharing that core. Reads with open/read/close only (no stdio buffer, no allocation). */
#define _POSIX_C_SOURCE 200809L
#include "platform/load.h"

#include <fcntl.h>
#include <stdbool.h>
#include <unistd.h>

int frost__cpus_free_now(void) {
    const long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    const int fd = open("/proc/loadavg", O_RDONLY | O_CLOEXEC);
    if (cpus < 1 || fd < 0) {
        if (fd >= 0) close(fd);
        return -1;
    }
    char buf[128];
    const ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) return -1;
    buf[n] = 0;
    /* "0.94 1.43 2.61 2/150 12345": the number before the '/' */
    const char *p = buf;
    for (int field = 0; field < 3; field++) {
        while (*p && *p != ' ') p++;
        while (*p == ' ') p++;
    }
    long running = 0;
    bool digits = false;
    for (; *p >= '0' && *p <= '9' && running < 1000000; p++, digits = true)
        running = running * 10 + (*p - '0');
    if (!digits || *p != '/') return -1;
    return (int)(cpus - running);
}
