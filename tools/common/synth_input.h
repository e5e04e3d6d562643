/* synth_input.h — the seeded synthetic inputs `frost bench` feeds without --data, written so that
 * any program can make the same bytes: bench/peers' ONNX Runtime peer fills its inputs with this
 * file too, so both runtimes of a comparison compute on identical data. Plain C, no frost header. */
#ifndef FROST_SYNTH_INPUT_H
#define FROST_SYNTH_INPUT_H

#include <stddef.h>
#include <stdint.h>

/* Fills x[0..n) with uniform floats in [0, 1) (multiples of 2^-24) from a stream that depends only
 * on the seed, the input's name and `sample` (the index of the distinct input in a pool). */
void synth_fill_f32(float *x, size_t n, const char *name, uint64_t seed, uint64_t sample);

/* Fills x[0..n) with uniform bytes from the same kind of stream: the raw values of 8- and 16-bit
 * integer inputs (a quantized model's image), where every bit pattern is a valid value. */
void synth_fill_bytes(unsigned char *x, size_t n, const char *name, uint64_t seed, uint64_t sample);

#endif
