/* SPDX-License-Identifier: MIT */
/*
 * Decoding a bad block: which generation of which offset of this file the
 * word holds, set against what the jobs recorded for that offset (the
 * generation of the last completed write, and of the last write refused
 * with -EAGAIN), gives the kind of damage in the verdict's words.
 */
#include <endian.h>
#include <stdio.h>
#include <string.h>

#include "pattern.h"
#include "verify_found.h"

/* Misplaced data is looked for in this many generations from 0 (each costs 256 tries). */
#define MISPLACED_GENS 64
/* Generations of the same offset tried past the newest recorded one (writes nobody recorded). */
#define UNRECORDED_GENS 1024

static const char *const kind_names[RL_FOUND_MAX] = {
	[RL_FOUND_UNCLASSIFIED] = "unclassified",
	[RL_FOUND_LAYOUT_LOST] = "layout_lost",
	[RL_FOUND_WRITE_LOST] = "write_lost",
	[RL_FOUND_LAYOUT] = "layout_data",
	[RL_FOUND_OLDER_WRITE] = "older_write",
	[RL_FOUND_REFUSED_WRITE] = "refused_write",
	[RL_FOUND_UNRECORDED] = "unrecorded_write",
	[RL_FOUND_MISPLACED] = "misplaced",
	[RL_FOUND_FOREIGN] = "foreign",
};

/* Each follows "N blocks hold". */
static const char *const kind_texts[RL_FOUND_MAX] = {
	[RL_FOUND_UNCLASSIFIED] = "data that was not classified",
	[RL_FOUND_LAYOUT_LOST] = "zeros where the layout wrote data (layout data lost)",
	[RL_FOUND_WRITE_LOST] = "zeros where a completed write's data belongs (a lost write)",
	[RL_FOUND_LAYOUT] = "the layout's data where a completed write's belongs (a lost write)",
	[RL_FOUND_OLDER_WRITE] = "an earlier write's data where the last completed write's belongs",
	[RL_FOUND_REFUSED_WRITE] = "data of NOWAIT writes that returned -EAGAIN (written although refused)",
	[RL_FOUND_UNRECORDED] = "a write generation never recorded for that offset",
	[RL_FOUND_MISPLACED] = "this file's data from another offset (misdirected I/O)",
	[RL_FOUND_FOREIGN] = "data this file never held (stale blocks or another file's data)",
};

const char *rl_found_kind_name(enum rl_found_kind k)
{
	return (unsigned)k < RL_FOUND_MAX ? kind_names[k] : "unknown";
}

const char *rl_found_kind_text(enum rl_found_kind k)
{
	return (unsigned)k < RL_FOUND_MAX ? kind_texts[k] : "data of an unknown kind";
}

/* What the jobs recorded for the offset: the last I/O range covering it wins, as in verify.c. */
struct recorded {
	bool covered;
	uint32_t gen, refused;
};

static void record_at(const struct rl_verify_spec *spec, uint64_t off, struct recorded *r)
{
	const struct rl_workload *w = spec->w;
	bool interleave = w->sharing == RL_SHARE_INTERLEAVE;
	uint32_t jobs = interleave ? spec->jobs : 1;
	uint64_t sb = rl_workload_stripe_bytes(w), nstripes, reach, s;

	memset(r, 0, sizeof(*r));
	if (!sb || !spec->gens || w->op != RL_OP_WRITE)
		return;
	nstripes = interleave ? spec->stripes_per_job : spec->jobs * spec->stripes_per_job;
	reach = w->io_offset + (uint64_t)jobs * w->io_size;
	for (s = off > reach ? (off - reach) / sb : 0; s < nstripes && s * sb <= off; s++) {
		for (uint32_t j = 0; j < jobs; j++) {
			uint64_t start = s * sb + w->io_offset + (uint64_t)j * w->io_size;
			uint32_t job = interleave ? j : (uint32_t)(s / spec->stripes_per_job);
			uint64_t k = interleave ? s : s % spec->stripes_per_job;

			if (off < start || off >= start + w->io_size)
				continue;
			r->covered = true;
			r->gen = spec->gens[job][k];
			r->refused = spec->refused ? spec->refused[job][k] : 0;
		}
	}
}

static bool is_written_block(const struct rl_verify_spec *spec, uint64_t off)
{
	const struct rl_workload *w = spec->w;
	uint32_t nb = w->block_size ? rl_workload_stripe_bytes(w) / w->block_size : 0;

	return !w->extend && nb && w->stripe[(off / w->block_size) % nb] == RL_BLOCK_WRITTEN;
}

/* A generation of this very offset: set against what was recorded. */
static enum rl_found_kind same_offset(const struct recorded *r, uint32_t g)
{
	uint32_t expected = r->covered ? r->gen : 0;

	if (g == 0)
		return expected ? RL_FOUND_LAYOUT : RL_FOUND_UNRECORDED;
	if (r->covered && g == r->refused)
		return RL_FOUND_REFUSED_WRITE;
	if (expected && g < expected)
		return RL_FOUND_OLDER_WRITE;
	return RL_FOUND_UNRECORDED;
}

void rl_found_init(struct rl_found_ctx *ctx, const struct rl_verify_spec *spec)
{
	const struct rl_workload *w = spec->w;
	uint64_t nstripes = w->sharing == RL_SHARE_INTERLEAVE ? spec->stripes_per_job
							      : spec->jobs * spec->stripes_per_job;

	memset(ctx, 0, sizeof(*ctx));
	ctx->spec = spec;
	ctx->file_bytes = nstripes * rl_workload_stripe_bytes(w);
	for (uint32_t j = 0; spec->gens && j < spec->jobs; j++) {
		for (uint64_t k = 0; k < spec->stripes_per_job; k++) {
			if (spec->gens[j][k] != RL_GEN_UNKNOWN && spec->gens[j][k] > ctx->max_gen)
				ctx->max_gen = spec->gens[j][k];
			if (spec->refused && spec->refused[j][k] > ctx->max_gen)
				ctx->max_gen = spec->refused[j][k];
		}
	}
}

void rl_found_classify(const struct rl_found_ctx *ctx, uint64_t off, uint64_t word,
		       struct rl_found *f)
{
	const struct rl_verify_spec *spec = ctx->spec;
	uint64_t w = le64toh(word), at;
	struct recorded r;
	uint32_t g;

	memset(f, 0, sizeof(*f));
	record_at(spec, off, &r);
	if (!w) {
		f->kind = r.covered && r.gen ? RL_FOUND_WRITE_LOST : RL_FOUND_LAYOUT_LOST;
		if (!r.covered && !is_written_block(spec, off))
			f->kind = RL_FOUND_UNCLASSIFIED;	/* zeros expected: cannot be bad */
		return;
	}
	for (g = 0; g <= ctx->max_gen + UNRECORDED_GENS && g < RL_GEN_UNKNOWN; g++) {
		if (w == rl_pattern_word(spec->key, off, g)) {
			f->kind = same_offset(&r, g);
			f->gen = g;
			f->offset = off;
			return;
		}
	}
	for (g = 0; g <= ctx->max_gen && g < MISPLACED_GENS; g++) {
		if (rl_pattern_locate(spec->key, word, g, ctx->file_bytes, &at)) {
			f->kind = RL_FOUND_MISPLACED;
			f->gen = g;
			f->offset = at;
			return;
		}
	}
	f->kind = RL_FOUND_FOREIGN;
}

const char *rl_found_summary(const uint64_t *blocks, char *buf, size_t len)
{
	bool used[RL_FOUND_MAX] = { false };
	size_t n = 0;

	if (!len)
		return buf;
	buf[0] = '\0';
	for (;;) {
		int best = -1;

		for (int k = 0; k < RL_FOUND_MAX; k++)
			if (!used[k] && blocks[k] && (best < 0 || blocks[k] > blocks[best]))
				best = k;
		if (best < 0 || n >= len)
			break;
		used[best] = true;
		n += (size_t)snprintf(buf + n, len - n, "%s%llu block%s hold%s %s", n ? "; " : "",
				      (unsigned long long)blocks[best], blocks[best] == 1 ? "" : "s",
				      blocks[best] == 1 ? "s" : "", kind_texts[best]);
	}
	return buf;
}
