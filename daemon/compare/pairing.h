/* SPDX-License-Identifier: MIT */
/*
 * Matching the two sides of a comparison, for compare.c only: which
 * (workload, jobs) cells pair, which are found on one side only, and whether
 * a workload means the same thing on both sides.
 */
#ifndef RINGLAB_DAEMON_COMPARE_PAIRING_H
#define RINGLAB_DAEMON_COMPARE_PAIRING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compare.h"

/* A (workload, jobs) key; the name points into a run's cell, which outlives the comparison. */
struct rl_cmp_key {
	const char *workload;
	uint32_t jobs;
	size_t order;		/* where the workload first appears in the base */
};

/* A set of keys, each once, in the order first seen; free v when done. */
struct rl_cmp_keys {
	struct rl_cmp_key *v;
	size_t n, cap;
};

/* rl_cmp_keys_collect() - add the key of every cell of @runs to @ks. Returns 0 or -ENOMEM. */
int rl_cmp_keys_collect(const struct rl_run *const *runs, size_t n, struct rl_cmp_keys *ks);

/*
 * rl_cmp_keys_common() - the keys of @b also in @h into @out, ordered by the
 * base's workload order, then jobs. Returns 0 or -ENOMEM.
 */
int rl_cmp_keys_common(const struct rl_cmp_keys *b, const struct rl_cmp_keys *h,
		       struct rl_cmp_keys *out);

/*
 * rl_cmp_add_unpaired() - append the keys of @from missing in @other to
 * c->unpaired, which has room for them.
 */
void rl_cmp_add_unpaired(struct rl_comparison *c, const struct rl_cmp_keys *from,
			 const struct rl_cmp_keys *other, bool in_base);

/*
 * rl_cmp_no_common_cells() - the error for sides without a common key:
 * -EINVAL with "no common cells: base has workloads A, B; head has C".
 */
int rl_cmp_no_common_cells(const struct rl_cmp_keys *b, const struct rl_cmp_keys *h,
			   struct rl_err *err);

/*
 * rl_cmp_check_compat() - whether workload @name means the same thing on
 * both sides (its parameters and the runs' scale). A side whose runs carry no
 * definition (an imported run) cannot be checked and is taken as it is.
 * *@def is set to a definition found (base first), or NULL. Returns 0, 1
 * when not (the first differing field in @field, the reason in @why), or
 * -ENOMEM.
 */
int rl_cmp_check_compat(const struct rl_run *const *base, size_t nbase,
			const struct rl_run *const *head, size_t nhead, const char *name,
			const struct rl_workload **def, char *field, size_t flen,
			char *why, size_t wlen);

#endif
