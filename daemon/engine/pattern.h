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

#include <stddef.h>
#include <stdint.h>

/* The 8-byte word stored at the 8-aligned file offset @off. */
static inline uint64_t rl_pattern_word(uint64_t key, uint64_t off, uint32_t gen)
{
	uint64_t w = (off >> 3) * 0x9E3779B97F4A7C15ull;

	w ^= key ^ ((uint64_t)gen << 40) ^ ((uint64_t)gen * 0xD6E8FEB86659FD93ull);
	return w | 0x0101010101010101ull;	/* no zero byte: a zeroed range reads as one range */
}

/* rl_pattern_key() - the key of a file, from the workload seed and file name. */
uint64_t rl_pattern_key(uint64_t seed, const char *name);

/*
 * rl_pattern_fill() - fill @len bytes of @buf with the pattern of file bytes
 * [@off, @off + @len). Any @off; fastest when @off and @buf are 8-aligned.
 */
void rl_pattern_fill(void *buf, size_t len, uint64_t key, uint64_t off, uint32_t gen);

#endif
