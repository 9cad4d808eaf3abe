/* SPDX-License-Identifier: MIT */
/*
 * test_pattern: fills compose at any cut, differ by key/gen/offset, hold no
 * zero word, and a word read back can be traced to its offset.
 */
#include <endian.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/pattern.h"
#include "../lib/check.h"

#define SPAN 65536

static uint64_t rng_state = 0x1234567887654321ull;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* The definition, byte by byte: byte (o & 7) of the LE word at o & ~7. */
static uint8_t ref_byte(uint64_t key, uint64_t o, uint32_t gen)
{
	return (uint8_t)(rl_pattern_word(key, o & ~7ull, gen) >> ((o & 7) * 8));
}

static void test_definition(uint8_t *buf)
{
	uint64_t key = rl_pattern_key(7, "def");
	uint64_t off = 1000003;	/* unaligned */
	size_t i;

	rl_pattern_fill(buf + 3, 4093, key, off, 5);
	for (i = 0; i < 4093; i++) {
		if (buf[3 + i] != ref_byte(key, off + i, 5)) {
			CHECK(0, "byte %zu of an unaligned fill differs from the definition", i);
			return;
		}
	}
}

static void test_cuts(uint8_t *whole, uint8_t *pieces)
{
	uint64_t key = rl_pattern_key(42, "cuts");
	uint64_t base = 4096 * 3 + 5;
	int round;

	rl_pattern_fill(whole, SPAN, key, base, 3);
	for (round = 0; round < 200; round++) {
		size_t pos = 0;

		memset(pieces, 0xa5, SPAN + 16);
		while (pos < SPAN) {
			size_t n = 1 + rng() % 777;
			/* An odd buffer address too, to leave the aligned path. */
			size_t shift = rng() % 8;
			uint8_t tmp[800 + 8];

			if (n > SPAN - pos)
				n = SPAN - pos;
			rl_pattern_fill(tmp + shift, n, key, base + pos, 3);
			memcpy(pieces + pos, tmp + shift, n);
			pos += n;
		}
		if (memcmp(whole, pieces, SPAN)) {
			CHECK(0, "round %d: fill of [%" PRIu64 ", +%d) differs from its pieces",
			      round, base, SPAN);
			return;
		}
		CHECK(pieces[SPAN] == 0xa5, "a piece wrote past the end");
	}
}

static void test_differs(uint8_t *a, uint8_t *b)
{
	uint64_t k1 = rl_pattern_key(1, "file"), k2 = rl_pattern_key(2, "file");
	uint64_t k3 = rl_pattern_key(1, "filf");

	CHECK(k1 != k2, "keys of seeds 1 and 2 are equal");
	CHECK(k1 != k3, "keys of names 'file' and 'filf' are equal");
	CHECK(rl_pattern_key(1, "file") == k1, "the key is not deterministic");

	rl_pattern_fill(a, 4096, k1, 0, 0);
	rl_pattern_fill(b, 4096, k1, 0, 1);
	CHECK(memcmp(a, b, 4096), "generations 0 and 1 give the same block");
	rl_pattern_fill(b, 4096, k2, 0, 0);
	CHECK(memcmp(a, b, 4096), "keys 1 and 2 give the same block");
	rl_pattern_fill(b, 4096, k1, 4096, 0);
	CHECK(memcmp(a, b, 4096), "offsets 0 and 4096 give the same block");
	rl_pattern_fill(b, 4096, k1, 512, 0);
	CHECK(memcmp(a, b, 512), "offsets 0 and 512 give the same sector");
	/* The same content twice must still compare equal. */
	rl_pattern_fill(b, 4096, k1, 0, 0);
	CHECK(!memcmp(a, b, 4096), "the same fill twice differs");
}

static void test_no_zero_word(uint8_t *buf)
{
	uint64_t key;
	uint32_t gen;
	size_t i;

	for (gen = 0; gen < 4; gen++) {
		key = rl_pattern_key(gen * 977, "zeros");
		rl_pattern_fill(buf, SPAN, key, 0, gen);
		for (i = 0; i < SPAN; i += 8) {
			uint64_t w;

			memcpy(&w, buf + i, 8);
			if (!w || !buf[i] || !buf[i + 7]) {
				CHECK(0, "gen %u: word at %zu is zero or has a zero end byte",
				      gen, i);
				return;
			}
		}
	}
	/* Adversarial key: cancel the offset term of word 0. */
	CHECK(rl_pattern_word(0, 0, 0) != 0, "word(0, 0, 0) is zero");
}

/* rl_pattern_locate() finds the offset a word was written for, and nothing else. */
static void test_locate(uint8_t *buf)
{
	uint64_t key = rl_pattern_key(1, "nw-holes-aligned@hot,fresh,count"), off, w, at;
	uint32_t gen, hits = 0, wrong = 0;

	for (int i = 0; i < 2000; i++) {
		off = (rng() % (16384000 / 8)) * 8;
		gen = (uint32_t)(rng() % 70);
		rl_pattern_fill(buf, 8, key, off, gen);
		memcpy(&w, buf, 8);
		if (!rl_pattern_locate(key, w, gen, 16384000, &at))
			continue;
		hits++;
		wrong += at != off;
	}
	CHECK(hits == 2000 && wrong == 0, "locate: %u of 2000 words found, %u at the wrong offset",
	      hits, wrong);
	/* Past the limit, another key or generation, random words: not found. */
	rl_pattern_fill(buf, 8, key, 1ull << 30, 3);
	memcpy(&w, buf, 8);
	CHECK(!rl_pattern_locate(key, w, 3, 1ull << 29, &at), "locate: found past the limit");
	CHECK(!rl_pattern_locate(key ^ 1ull << 20, w, 3, 1ull << 31, &at),
	      "locate: found under another key");
	CHECK(!rl_pattern_locate(key, w, 4, 1ull << 31, &at), "locate: found at another gen");
	hits = 0;
	for (int i = 0; i < 2000; i++)
		hits += rl_pattern_locate(key, rng() | 0x0101010101010101ull, 0, 1ull << 40, &at);
	CHECK(hits == 0, "locate: %u random words taken for pattern", hits);
	w = htole64(0xabababababababa0ull);	/* a byte with its low bit clear */
	CHECK(!rl_pattern_locate(key, w, 0, UINT64_MAX, &at), "locate: a non-pattern word found");
}

int main(void)
{
	uint8_t *a = malloc(SPAN + 16), *b = malloc(SPAN + 16);

	if (!a || !b) {
		fprintf(stderr, "out of memory\n");
		return 1;
	}
	test_definition(a);
	test_cuts(a, b);
	test_differs(a, b);
	test_no_zero_word(a);
	test_locate(a);
	free(a);
	free(b);
	return check_exit();
}
