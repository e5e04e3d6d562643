/* synth_input.c — see synth_input.h. A splitmix64 start from (seed, FNV-1a of the name, sample),
 * then xorshift64 per element, top 24 bits as the fraction. Never allocates. */
#include "synth_input.h"

static uint64_t splitmix64(uint64_t x) {
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

static uint64_t start_state(const char *name, uint64_t seed, uint64_t sample) {
    uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)(name ? name : ""); *p; p++)
        h = (h ^ *p) * 0x100000001b3ull;
    const uint64_t state = splitmix64(splitmix64(seed ^ h) + sample);
    return state ? state : 1; /* xorshift's one fixed point */
}

static uint64_t next(uint64_t *state) {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    return *state;
}

void synth_fill_f32(float *x, size_t n, const char *name, uint64_t seed, uint64_t sample) {
    uint64_t state = start_state(name, seed, sample);
    for (size_t i = 0; i < n; i++) x[i] = (float)(next(&state) >> 40) / (float)(1 << 24);
}

void synth_fill_bytes(unsigned char *x, size_t n, const char *name, uint64_t seed, uint64_t sample) {
    uint64_t state = start_state(name, seed, sample);
    for (size_t i = 0; i < n; i++) x[i] = (unsigned char)(next(&state) >> 56);
}
