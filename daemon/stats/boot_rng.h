/* SPDX-License-Identifier: MIT */
/*
 * The bootstrap's own PRNG, for stats/ only: xoshiro256** seeded through
 * splitmix64, so an interval is reproducible from its seed whatever libc's
 * rand() does. Inline: a pooled side draws millions of values.
 */
#ifndef RINGLAB_DAEMON_STATS_BOOT_RNG_H
#define RINGLAB_DAEMON_STATS_BOOT_RNG_H

#include <stddef.h>
#include <stdint.h>

struct boot_rng {
	uint64_t s[4];
	uint64_t half;		/* the unused high half of the last 64 bits, for boot_below32() */
	int have_half;
};

static inline uint64_t boot_splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static inline void boot_rng_seed(struct boot_rng *r, uint64_t seed)
{
	for (unsigned i = 0; i < 4; i++)
		r->s[i] = boot_splitmix64(&seed);
	r->have_half = 0;
}

static inline uint64_t boot_rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static inline uint64_t boot_next(struct boot_rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = boot_rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = boot_rotl(s[3], 45);
	return result;
}

/*
 * Uniform in [0, n) without modulo bias (multiply-shift with rejection). A
 * low half of at least @n is never rejected, so the division that finds the
 * threshold is only needed below it.
 */
static inline size_t boot_below(struct boot_rng *r, size_t n)
{
	uint64_t bound = (uint64_t)n, threshold;
	unsigned __int128 m = (unsigned __int128)boot_next(r) * bound;

	if ((uint64_t)m < bound) {
		threshold = -bound % bound;
		while ((uint64_t)m < threshold)
			m = (unsigned __int128)boot_next(r) * bound;
	}
	return (size_t)(m >> 64);
}

/* 32 random bits: each 64-bit draw serves two calls, low half first. */
static inline uint32_t boot_next32(struct boot_rng *r)
{
	uint64_t x;

	if (r->have_half) {
		r->have_half = 0;
		return (uint32_t)r->half;
	}
	x = boot_next(r);
	r->half = x >> 32;
	r->have_half = 1;
	return (uint32_t)x;
}

/* As boot_below() for @n < 2^32, on 32 bits: half the generator's work per value. */
static inline uint32_t boot_below32(struct boot_rng *r, uint32_t n)
{
	uint64_t m = (uint64_t)boot_next32(r) * n;
	uint32_t threshold;

	if ((uint32_t)m < n) {
		threshold = -n % n;
		while ((uint32_t)m < threshold)
			m = (uint64_t)boot_next32(r) * n;
	}
	return (uint32_t)(m >> 32);
}

/* Uniform in [0, 1), 53 bits. */
static inline double boot_uniform(struct boot_rng *r)
{
	return (double)(boot_next(r) >> 11) * 0x1.0p-53;
}

#endif
