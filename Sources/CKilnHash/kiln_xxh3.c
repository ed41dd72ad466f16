// XXH3 (64-bit, seed 0, the default secret), written from the xxHash specification
// (doc/xxhash_spec.md in github.com/Cyan4973/xxHash, "XXH3 Algorithm Description"). Checked
// against the reference library's values in Tests/KilnCoreTests/XXH3Tests.swift.
#include "kiln_xxh3.h"
#include <stdint.h>
#include <string.h>

static const uint64_t P32_1 = 0x9E3779B1U, P32_2 = 0x85EBCA77U, P32_3 = 0xC2B2AE3DU;
static const uint64_t P64_1 = 0x9E3779B185EBCA87ULL, P64_2 = 0xC2B2AE3D27D4EB4FULL, P64_3 = 0x165667B19E3779F9ULL;
static const uint64_t P64_4 = 0x85EBCA77C2B2AE63ULL, P64_5 = 0x27D4EB2F165667C5ULL;
static const uint64_t MX1 = 0x165667919E3779F9ULL, MX2 = 0x9FB21C651E98DF25ULL;

// The specification's default secret (192 bytes).
static const uint8_t secret[192] = {
  0xb8, 0xfe, 0x6c, 0x39, 0x23, 0xa4, 0x4b, 0xbe, 0x7c, 0x01, 0x81, 0x2c, 0xf7, 0x21, 0xad, 0x1c,
  0xde, 0xd4, 0x6d, 0xe9, 0x83, 0x90, 0x97, 0xdb, 0x72, 0x40, 0xa4, 0xa4, 0xb7, 0xb3, 0x67, 0x1f,
  0xcb, 0x79, 0xe6, 0x4e, 0xcc, 0xc0, 0xe5, 0x78, 0x82, 0x5a, 0xd0, 0x7d, 0xcc, 0xff, 0x72, 0x21,
  0xb8, 0x08, 0x46, 0x74, 0xf7, 0x43, 0x24, 0x8e, 0xe0, 0x35, 0x90, 0xe6, 0x81, 0x3a, 0x26, 0x4c,
  0x3c, 0x28, 0x52, 0xbb, 0x91, 0xc3, 0x00, 0xcb, 0x88, 0xd0, 0x65, 0x8b, 0x1b, 0x53, 0x2e, 0xa3,
  0x71, 0x64, 0x48, 0x97, 0xa2, 0x0d, 0xf9, 0x4e, 0x38, 0x19, 0xef, 0x46, 0xa9, 0xde, 0xac, 0xd8,
  0xa8, 0xfa, 0x76, 0x3f, 0xe3, 0x9c, 0x34, 0x3f, 0xf9, 0xdc, 0xbb, 0xc7, 0xc7, 0x0b, 0x4f, 0x1d,
  0x8a, 0x51, 0xe0, 0x4b, 0xcd, 0xb4, 0x59, 0x31, 0xc8, 0x9f, 0x7e, 0xc9, 0xd9, 0x78, 0x73, 0x64,
  0xea, 0xc5, 0xac, 0x83, 0x34, 0xd3, 0xeb, 0xc3, 0xc5, 0x81, 0xa0, 0xff, 0xfa, 0x13, 0x63, 0xeb,
  0x17, 0x0d, 0xdd, 0x51, 0xb7, 0xf0, 0xda, 0x49, 0xd3, 0x16, 0x55, 0x26, 0x29, 0xd4, 0x68, 0x9e,
  0x2b, 0x16, 0xbe, 0x58, 0x7d, 0x47, 0xa1, 0xfc, 0x8f, 0xf8, 0xb8, 0xd1, 0x7a, 0xd0, 0x31, 0xce,
  0x45, 0xcb, 0x3a, 0x8f, 0x95, 0x16, 0x04, 0x28, 0xaf, 0xd7, 0xfb, 0xca, 0xbb, 0x4b, 0x40, 0x7e,
};
enum { SECRET = 192, STRIPE = 64, STRIPES_PER_BLOCK = (SECRET - 64) / 8, BLOCK = STRIPE * STRIPES_PER_BLOCK };

// Little-endian reads (the specification reads every word little-endian).
static inline uint64_t r64(const uint8_t *p) {
    uint64_t v; memcpy(&v, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    return v;
}
static inline uint32_t r32(const uint8_t *p) {
    uint32_t v; memcpy(&v, p, 4);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap32(v);
#endif
    return v;
}
static inline uint64_t rotl64(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }
// The 128-bit product of a and b, its halves xor-ed.
static inline uint64_t fold128(uint64_t a, uint64_t b) {
#if defined(__SIZEOF_INT128__) && !defined(KILN_XXH3_NO_INT128)
    __uint128_t m = (__uint128_t)a * b;
    return (uint64_t)m ^ (uint64_t)(m >> 64);
#else
    // Where there is no 128-bit type (32-bit targets): four 32×32-bit products.
    uint64_t lolo = (a & 0xFFFFFFFFULL) * (b & 0xFFFFFFFFULL), hilo = (a >> 32) * (b & 0xFFFFFFFFULL);
    uint64_t lohi = (a & 0xFFFFFFFFULL) * (b >> 32), hihi = (a >> 32) * (b >> 32);
    uint64_t cross = (lolo >> 32) + (hilo & 0xFFFFFFFFULL) + lohi;
    uint64_t upper = (hilo >> 32) + (cross >> 32) + hihi;
    uint64_t lower = (cross << 32) | (lolo & 0xFFFFFFFFULL);
    return lower ^ upper;
#endif
}
static inline uint64_t avalanche(uint64_t x) { x ^= x >> 37; x *= MX1; return x ^ (x >> 32); }
static inline uint64_t avalanche64(uint64_t x) {
    x ^= x >> 33; x *= P64_2; x ^= x >> 29; x *= P64_3; return x ^ (x >> 32);
}
static inline uint64_t mix16(const uint8_t *p, size_t s) {
    return fold128(r64(p) ^ r64(secret + s), r64(p + 8) ^ r64(secret + s + 8));
}

static uint64_t upTo16(const uint8_t *p, size_t n) {
    if (n > 8) {
        uint64_t lo = (r64(secret + 24) ^ r64(secret + 32)) ^ r64(p);
        uint64_t hi = (r64(secret + 40) ^ r64(secret + 48)) ^ r64(p + n - 8);
        return avalanche(n + __builtin_bswap64(lo) + hi + fold128(lo, hi));
    }
    if (n >= 4) {
        uint64_t combined = (uint64_t)r32(p + n - 4) | ((uint64_t)r32(p) << 32);
        uint64_t v = (r64(secret + 8) ^ r64(secret + 16)) ^ combined;
        v ^= rotl64(v, 49) ^ rotl64(v, 24);
        v *= MX2;
        v ^= (v >> 35) + n;
        v *= MX2;
        return v ^ (v >> 28);
    }
    if (n > 0) {
        uint32_t combined = (uint32_t)p[n - 1] | ((uint32_t)n << 8) | ((uint32_t)p[0] << 16) | ((uint32_t)p[n >> 1] << 24);
        return avalanche64((uint64_t)(r32(secret) ^ r32(secret + 4)) ^ combined);
    }
    return avalanche64(r64(secret + 56) ^ r64(secret + 64));
}

static uint64_t upTo240(const uint8_t *p, size_t n) {
    uint64_t acc = n * P64_1;
    if (n <= 128) {
        for (int i = (int)((n - 1) >> 5); i >= 0; i--) {
            acc += mix16(p + 16 * i, 32 * i);
            acc += mix16(p + n - 16 * i - 16, 32 * i + 16);
        }
        return avalanche(acc);
    }
    for (size_t i = 0; i < 8; i++) acc += mix16(p + 16 * i, 16 * i);
    acc = avalanche(acc);
    for (size_t i = 8; i < n / 16; i++) acc += mix16(p + 16 * i, 16 * (i - 8) + 3);
    acc += mix16(p + n - 16, 119);
    return avalanche(acc);
}

// The large-input loop over four-lane vectors (two per stripe): the compiler turns them into
// SSE2 pairs by default, and into AVX2 registers in the copy built for AVX2 below.
typedef uint64_t lanes __attribute__((vector_size(32), aligned(8)));

static inline __attribute__((always_inline)) void load(lanes *v, const uint8_t *p) {
    memcpy(v, p, 32);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    for (int i = 0; i < 4; i++) (*v)[i] = __builtin_bswap64((*v)[i]);
#endif
}

static inline __attribute__((always_inline)) void accumulate(lanes acc[2], const uint8_t *stripe, size_t s) {
    for (int j = 0; j < 2; j++) {
        lanes data, key;
        load(&data, stripe + 32 * j);
        load(&key, secret + s + 32 * j);
        lanes keyed = data ^ key;
        acc[j] += __builtin_shufflevector(data, data, 1, 0, 3, 2) + (keyed & 0xFFFFFFFFULL) * (keyed >> 32);
    }
}

static inline __attribute__((always_inline)) void scramble(lanes acc[2]) {
    for (int j = 0; j < 2; j++) {
        lanes a = acc[j], key;
        load(&key, secret + SECRET - 64 + 32 * j);
        a ^= a >> 47;
        a ^= key;
        acc[j] = a * P32_1;
    }
}

static inline __attribute__((always_inline)) void longLoop(uint64_t out[8], const uint8_t *p, size_t n) {
    lanes acc[2] = {{P32_3, P64_1, P64_2, P64_3}, {P64_4, P32_2, P64_5, P32_1}};
    size_t blocks = (n - 1) / BLOCK;
    for (size_t b = 0; b < blocks; b++) {
        for (size_t s = 0; s < STRIPES_PER_BLOCK; s++) accumulate(acc, p + b * BLOCK + s * STRIPE, s * 8);
        scramble(acc);
    }
    const uint8_t *last = p + blocks * BLOCK;
    size_t stripes = (n - blocks * BLOCK - 1) / STRIPE;
    for (size_t s = 0; s < stripes; s++) accumulate(acc, last + s * STRIPE, s * 8);
    accumulate(acc, p + n - STRIPE, SECRET - 71);
    memcpy(out, acc, 64);
}

static void longPortable(uint64_t out[8], const uint8_t *p, size_t n) { longLoop(out, p, n); }

// Not on Apple's x86-64: `__builtin_cpu_supports` needs `__cpu_model`, which its runtime lacks.
#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__)) && !defined(__APPLE__)
#define KILN_XXH3_AVX2 1
__attribute__((target("avx2"))) static void longAVX2(uint64_t out[8], const uint8_t *p, size_t n) { longLoop(out, p, n); }
#endif

static uint64_t large(const uint8_t *p, size_t n, int vectors) {
    uint64_t acc[8];
#ifdef KILN_XXH3_AVX2
    if (vectors && __builtin_cpu_supports("avx2")) longAVX2(acc, p, n); else longPortable(acc, p, n);
#else
    (void)vectors;
    longPortable(acc, p, n);
#endif
    uint64_t result = n * P64_1;
    for (int i = 0; i < 4; i++) result += fold128(acc[2 * i] ^ r64(secret + 11 + 16 * i), acc[2 * i + 1] ^ r64(secret + 19 + 16 * i));
    return avalanche(result);
}

static uint64_t hash(const void *bytes, size_t count, int vectors) {
    const uint8_t *p = bytes;
    if (count <= 16) return upTo16(p, count);
    if (count <= 240) return upTo240(p, count);
    return large(p, count, vectors);
}

uint64_t kiln_xxh3_64(const void *bytes, size_t count) { return hash(bytes, count, 1); }

uint64_t kiln_xxh3_64_portable(const void *bytes, size_t count) { return hash(bytes, count, 0); }
