/* SPDX-License-Identifier: MIT */
/*
 * What a bad block holds. The pattern is a function of (file key, offset,
 * generation), so a block that differs can be decoded: zeros, an older
 * generation of the same offset, the data of a write that returned -EAGAIN,
 * this file's data from another offset, or nothing this file ever held.
 */
#ifndef RINGLAB_DAEMON_ENGINE_VERIFY_FOUND_H
#define RINGLAB_DAEMON_ENGINE_VERIFY_FOUND_H

#include <stdint.h>

#include "result.h"
#include "verify.h"

/* rl_found_kind_name() - the JSON key of @k ("refused_write"); "unknown" out of range. */
const char *rl_found_kind_name(enum rl_found_kind k);
/* rl_found_kind_text() - what @k means, for a verdict ("data of NOWAIT writes that ..."). */
const char *rl_found_kind_text(enum rl_found_kind k);

/* What classifying needs once per file: the spec, the file's size, the newest generation. */
struct rl_found_ctx {
	const struct rl_verify_spec *spec;
	uint64_t file_bytes;
	uint32_t max_gen;
};

/* rl_found_init() - prepare @ctx for @spec (walks its generation maps once). */
void rl_found_init(struct rl_found_ctx *ctx, const struct rl_verify_spec *spec);

/*
 * rl_found_classify() - decode the word @word (its 8 bytes as read, memcpy'd)
 * found at the 8-aligned file offset @off, where the verification expected
 * something else, against what the spec says was written there. Fills @f:
 * the kind, and for pattern kinds the generation and the offset whose data
 * it is.
 */
void rl_found_classify(const struct rl_found_ctx *ctx, uint64_t off, uint64_t word,
		       struct rl_found *f);

/*
 * rl_found_summary() - one sentence for a failed verification from its bad
 * blocks counted by what they hold (@blocks[RL_FOUND_MAX], as in
 * rl_verify_result.found_blocks.n), the most common first, e.g. "32 blocks
 * hold data of NOWAIT writes that returned -EAGAIN (...)". Writes at most
 * @len bytes into @buf (always terminated; "" when nothing was counted).
 * Returns @buf.
 */
const char *rl_found_summary(const uint64_t *blocks, char *buf, size_t len);

#endif
