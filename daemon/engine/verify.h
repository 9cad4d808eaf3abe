/* SPDX-License-Identifier: MIT */
/*
 * Verification: read the file back and compare every byte with what the
 * layout and the completed writes put there.
 */
#ifndef RINGLAB_DAEMON_ENGINE_VERIFY_H
#define RINGLAB_DAEMON_ENGINE_VERIFY_H

#include <stdatomic.h>
#include <stdint.h>

#include "result.h"
#include "workload.h"

/* Per-stripe generation written by a job; 0 = never written by the workload. */
#define RL_GEN_UNKNOWN UINT16_MAX	/* a short or failed write: bytes uncertain */

/*
 * What was written. Regions: job j owns stripes [j * stripes_per_job,
 * (j + 1) * stripes_per_job) and gens[j][k] is the generation of its k-th
 * stripe. Interleave: every job writes every stripe s of the file (nstripes =
 * stripes_per_job), at io_offset + j * io_size, and gens[j][s] is its generation.
 */
struct rl_verify_spec {
	const struct rl_workload *w;
	uint64_t key;
	uint32_t jobs;
	uint64_t stripes_per_job;
	uint16_t *const *gens;		/* [jobs][stripes_per_job] */
	const atomic_bool *cancel;	/* checked between chunks; NULL: never */
	/*
	 * Optional (NULL: none recorded), same shape: the generation of the last
	 * NOWAIT write to the stripe that returned -EAGAIN and was not retried,
	 * 0 for none. Only read to say what a bad block holds.
	 */
	uint16_t *const *refused;
};

/*
 * rl_verify_expected() - fill @buf with the expected content of file bytes
 * [@off, @off + @len) and @skip (may be NULL) with 1 where the content is
 * uncertain. Exported for tests and for the corruption report.
 */
void rl_verify_expected(const struct rl_verify_spec *spec, uint64_t off, uint32_t len,
			uint8_t *buf, uint8_t *skip);

/*
 * rl_verify_file() - read @fd back (in large chunks; O_DIRECT if the fd has it)
 * over the whole laid-out size and fill @out: bytes checked, skipped and bad,
 * and the first RL_MISMATCH_MAX mismatch ranges: runs of consecutive blocks
 * (w->block_size) holding a differing byte, each with its bytes that differ,
 * the first of them, the expected and found bytes from there, whether
 * every differing byte read zero and what its first bad block holds; and
 * every bad block counted by what it holds (verify_found.h). Bytes past EOF
 * read as zero.
 * Returns 0 whether or not the data matched (see out->status), -ECANCELED
 * when @spec->cancel was set (out->status stays RL_VERIFY_SKIPPED), or -errno
 * if the file could not be read.
 */
int rl_verify_file(int fd, const struct rl_verify_spec *spec, struct rl_verify_result *out,
		   struct rl_err *err);

#endif
