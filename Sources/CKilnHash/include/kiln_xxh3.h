#ifndef KILN_XXH3_H
#define KILN_XXH3_H

// XXH3, 64-bit (seed 0, the default secret): the checksum `ImageSeal` keeps of each image. On
// x86-64 the loop over inputs above 240 bytes runs in AVX2 where the processor has it (~55 GB/s
// here, against ~13 GB/s for XXH64), else in SSE2 (~30 GB/s); elsewhere in what the compiler
// makes of the portable code.
#include <stddef.h>
#include <stdint.h>

uint64_t kiln_xxh3_64(const void *bytes, size_t count);

// The same value, never from the AVX2 loop: for tests that both loops agree.
uint64_t kiln_xxh3_64_portable(const void *bytes, size_t count);

#endif
