/* SPDX-License-Identifier: MIT */
/*
 * One cell's numbers, for compare.c only: a side's repetitions pooled over
 * its runs, the IOPS and p99 ratios with their intervals and verdicts, the
 * EAGAIN test and the wall-time speedup.
 */
#ifndef RINGLAB_DAEMON_COMPARE_CELL_STATS_H
#define RINGLAB_DAEMON_COMPARE_CELL_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "compare.h"

/* One side's runs, and scratch for one cell's repetitions on that side. */
struct rl_cmp_side {
	const struct rl_run *const *runs;
	size_t nruns;
	double *iops, *p99, *elapsed;		/* room for every cell of the side */
	size_t niops, np99, nelapsed;
	uint32_t reps, verify_failed;
	uint64_t eagain, attempts;
};

/* rl_cmp_side_init() - @s for @runs[0..n-1], its scratch allocated. Returns 0 or -ENOMEM. */
int rl_cmp_side_init(struct rl_cmp_side *s, const struct rl_run *const *runs, size_t n);

/* rl_cmp_side_free() - release the scratch of @s. */
void rl_cmp_side_free(struct rl_cmp_side *s);

/*
 * rl_cmp_cell_fill() - compare cell (@workload, @jobs) of @b against @h with
 * @c's method into @cell: its repetitions, IOPS and p99 ratios and verdicts,
 * EAGAIN test, wall times, and its verdict (the IOPS one, or corrupt). The
 * bootstrap seed derives from the workload and jobs. Returns 0 or -ENOMEM.
 */
int rl_cmp_cell_fill(struct rl_cmp_side *b, struct rl_cmp_side *h, const char *workload,
		     uint32_t jobs, const struct rl_comparison *c, struct rl_cmp_cell *cell);

#endif
