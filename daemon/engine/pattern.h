/* SPDX-License-Identifier: MIT */
/*
 * The data pattern: every byte ringlab writes is a function of (file key,
 * offset, generation), so a read-back can tell what each byte should be and
 * recognise a lost write (zeros), a stale one (older generation) or a misplaced
 * one (another offset's word). Generation 0 is the layout's own W blocks;
 * workload writes use generations from 1.
 */
#ifndef RINGLAB_DAEMON_ENGINE_PATTERN_H
#define RINGLAB_DAEMON_ENGINE_PATTERN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RL_PATTERN_OFFSET_MUL 0x9E3779B97F4A7C15ull	/* odd: invertible mod 2^64 */
#define RL_PATTERN_LOW_BITS 0x0101010101010101ull

/* What the generation adds to every word. */
static inline uint64_t rl_pattern_gen_term(uint32_t gen)
{
	return ((uint64_t)gen << 40) ^ ((uint64_t)gen * 0xD6E8FEB86659FD93ull);
}

/* The 8-byte word stored at the 8-aligned file offset @off. */
static inline uint64_t rl_pattern_word(uint64_t key, uint64_t off, uint32_t gen)
{
	uint64_t w = (off >> 3) * RL_PATTERN_OFFSET_MUL;

	w ^= key ^ rl_pattern_gen_term(gen);
	return w | RL_PATTERN_LOW_BITS;	/* no zero byte: a zeroed range reads as one range */
}

/*
 * rl_pattern_locate() - where in a file of key @key the 8-byte word @word
 * (as read, little-endian) is the generation-@gen pattern. Every byte's low
 * bit is forced to 1, so 256 offsets could have made it: the one below
 * @limit is taken. Returns true and sets *@off (8-aligned) when one is; a
 * word of random data matches with odds of about 2^-56 * @limit.
 */
bool rl_pattern_locate(uint64_t key, uint64_t word, uint32_t gen, uint64_t limit, uint64_t *off);

/* rl_pattern_key() - the key of a file, from the workload seed and file name. */
uint64_t rl_pattern_key(uint64_t seed, const char *name);

/*
 * rl_pattern_fill() - fill @len bytes of @buf with the pattern of file bytes
 * [@off, @off + @len). Any @off; fastest when @off and @buf are 8-aligned.
 */
void rl_pattern_fill(void *buf, size_t len, uint64_t key, uint64_t off, uint32_t gen);

#endif
