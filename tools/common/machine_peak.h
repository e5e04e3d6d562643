/* machine_peak.h — this machine's limits, measured on the spot by `frost bench` (its roofline line),
 * every micro-benchmark in bench/ and bench/peers/roofline.c, so their "% of peak" figures mean
 * the same thing:
 *   - FMA peak: a register-only loop of independent FMAs on the widest vectors the CPU has,
 *   - read bandwidth: summing a buffer of a chosen size (in L2, in L3, or far past the caches).
 * Times are per-thread CPU time: on a shared machine the time the thread was descheduled does not
 * count. Cache interference from neighbours still shows, so every figure is the best of several
 * runs. The ISA-specific loops are compiled through target attributes and only called when the CPU
 * has the ISA, so a benchmark runs on any x86-64 (and builds elsewhere without them). */
#ifndef FROST_TOOLS_MACHINE_PEAK_H
#define FROST_TOOLS_MACHINE_PEAK_H

#include <stddef.h>

/* CPU time of the calling thread, in seconds. */
double bench_now_s(void);

/* Written by the measuring loops (and benchmarks) so the compiler cannot drop their work. */
extern volatile float bench_sink;

/* Both measure the machine, not the kernels allowed: FROST_MAX_ISA does not change them. */

/* Single-thread fp32 FMA peak in GFLOP/s (0 without AVX2/AVX-512); *what names the loop. */
double machine_fma_gflops(const char **what);

/* Single-thread read bandwidth in GB/s over a buffer of `bytes`: the best pass of the fastest
 * read loop the CPU runs (the first pass, which pulls the buffer into cache, not counted). 0 when
 * the buffer cannot be allocated. */
double machine_read_gbs(size_t bytes);

#endif
