/* SPDX-License-Identifier: MIT */
/*
 * One cell's numbers, for compare.c only: a side's repetitions pooled over
 * its runs, the IOPS and p99 ratios with their intervals and verdicts, the
 * EAGAIN verdict of the repetitions' rates and the wall-time speedup.
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
	/*
	 * Every cell of the runs by (workload, jobs), in the runs' order
	 * within a key: a cell's repetitions are found without scanning
	 * every run (pooled sides hold 100 runs of 192 cells).
	 */
	const struct rl_cell **by_key;
	size_t ncells;
	const struct rl_cell *const *key_cells;	/* the cell being filled: its repetitions */
	size_t nkey_cells;
	double *iops, *p99, *elapsed, *rates;	/* room for every cell of the side */
	size_t niops, np99, nelapsed, nrates;	/* IOPS, p99: repetitions that completed I/O */
	uint32_t reps, measured, verify_failed;
	uint64_t eagain, attempts;
	uint64_t found_blocks[RL_FOUND_MAX];	/* bad blocks by what they hold, all reps */
};

/* rl_cmp_side_init() - @s for @runs[0..n-1], its index and scratch allocated. Returns 0 or -ENOMEM. */
int rl_cmp_side_init(struct rl_cmp_side *s, const struct rl_run *const *runs, size_t n);

/* rl_cmp_side_free() - release the index and scratch of @s. */
void rl_cmp_side_free(struct rl_cmp_side *s);

/*
 * rl_cmp_side_scratch() - new scratch for @s (a copy of a side, for another
 * thread: the runs and their index shared). Returns 0 or -ENOMEM (@s then
 * has none). rl_cmp_side_scratch_free() releases only the scratch.
 */
int rl_cmp_side_scratch(struct rl_cmp_side *s);
void rl_cmp_side_scratch_free(struct rl_cmp_side *s);

/*
 * rl_cmp_cell_fill() - compare cell (@workload, @jobs) of @b against @h with
 * @c's method into @cell (whose nowait and timing_dependent the caller set):
 * its repetitions, IOPS and p99 ratios and verdicts (n/a when a side
 * completed nothing), EAGAIN verdict, wall times, and its verdict (see
 * struct rl_cmp_cell). The bootstrap seeds derive from the workload and
 * jobs. Returns 0 or -ENOMEM.
 */
int rl_cmp_cell_fill(struct rl_cmp_side *b, struct rl_cmp_side *h, const char *workload,
		     uint32_t jobs, const struct rl_comparison *c, struct rl_cmp_cell *cell);

#endif
