/* SPDX-License-Identifier: MIT */
/*
 * The data pattern. Byte o of a file is byte (o & 7) of the little-endian
 * word rl_pattern_word(key, o & ~7, gen), so any byte range can be produced
 * on its own and a range equals the concatenation of its pieces.
 */
#include <endian.h>
#include <string.h>

#include "pattern.h"

#define FNV_OFFSET 0xcbf29ce484222325ull
#define FNV_PRIME 0x100000001b3ull

/* splitmix64's finaliser: spreads every input bit over the whole word. */
static uint64_t mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	x ^= x >> 31;
	return x;
}

uint64_t rl_pattern_key(uint64_t seed, const char *name)
{
	uint64_t h = FNV_OFFSET;

	for (; name && *name; name++) {
		h ^= (uint8_t)*name;
		h *= FNV_PRIME;
	}
	return mix64(h ^ mix64(seed));
}

/* The inverse of the offset multiplier mod 2^64, by Newton's iteration. */
static uint64_t offset_inverse(void)
{
	uint64_t x = RL_PATTERN_OFFSET_MUL;	/* right to 3 bits; each step doubles that */

	for (int i = 0; i < 5; i++)
		x *= 2 - RL_PATTERN_OFFSET_MUL * x;
	return x;
}

bool rl_pattern_locate(uint64_t key, uint64_t word, uint32_t gen, uint64_t limit, uint64_t *off)
{
	uint64_t inv = offset_inverse(), w = le64toh(word);
	uint64_t rest = (w & ~RL_PATTERN_LOW_BITS) ^ key ^ rl_pattern_gen_term(gen);

	if ((w & RL_PATTERN_LOW_BITS) != RL_PATTERN_LOW_BITS)
		return false;	/* a word the pattern never makes */
	/* The low bit of each byte was lost to the OR: try all 256 originals. */
	for (uint32_t mask = 0; mask < 256; mask++) {
		uint64_t v = rest, idx;

		for (int i = 0; i < 8; i++)
			v ^= (uint64_t)(mask >> i & 1) << (8 * i);
		idx = v * inv;
		if (idx < limit / 8) {
			*off = idx * 8;
			return true;
		}
	}
	return false;
}

static inline uint8_t pattern_byte(uint64_t key, uint64_t off, uint32_t gen)
{
	return (uint8_t)(rl_pattern_word(key, off & ~7ull, gen) >> ((off & 7) * 8));
}

void rl_pattern_fill(void *buf, size_t len, uint64_t key, uint64_t off, uint32_t gen)
{
	uint8_t *p = buf;
	uint64_t word;

	/* Unaligned head: byte-wise up to the next 8-aligned file offset. */
	while (len && (off & 7)) {
		*p++ = pattern_byte(key, off++, gen);
		len--;
	}
	/* memcpy of 8 bytes compiles to one store, aligned @p or not. */
	while (len >= 8) {
		word = htole64(rl_pattern_word(key, off, gen));
		memcpy(p, &word, 8);
		p += 8;
		off += 8;
		len -= 8;
	}
	while (len--)
		*p++ = pattern_byte(key, off++, gen);
}
