/* roofline.c — the two physical limits bench/compare's table is read against, on one core: peak
 * fp32 FLOP/s and read bandwidth for buffers of the sizes given on the command line (a model's
 * weights are re-read on every prediction, so the buffer size decides which cache level feeds
 * them). The measurement itself is tools/common/machine_peak.c, the same one `frost bench` and the
 * kernel micro-benchmarks use; bench/compare builds this file with it.
 *
 * usage: roofline [BYTES...]   prints one JSON object: {"isa", "peak_gflops", "read_gbps": {BYTES: GB/s}}
 * It must never report a figure it did not measure. */
#include <stdio.h>
#include <stdlib.h>

#include "machine_peak.h"

int main(int argc, char **argv) {
    const char *what = "none";
    const double gflops = machine_fma_gflops(&what);
    printf("{\"isa\": \"%s\", \"peak_gflops\": %.1f, \"read_gbps\": {", what, gflops);
    for (int a = 1; a < argc; a++) {
        size_t bytes = strtoull(argv[a], NULL, 10);
        if (bytes < 4096) bytes = 4096;
        const double gbs = machine_read_gbs(bytes);
        if (gbs <= 0) {
            fprintf(stderr, "roofline: out of memory for %zu bytes\n", bytes);
            return 2;
        }
        printf("%s\"%s\": %.1f", a > 1 ? ", " : "", argv[a], gbs);
    }
    printf("}}\n");
    return 0;
}
