/* SPDX-License-Identifier: MIT */
/* test_pattern: fills compose at any cut, differ by key/gen/offset, hold no zero word. */
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
	free(a);
	free(b);
	return check_exit();
}
