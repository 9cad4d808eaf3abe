/* SPDX-License-Identifier: MIT */
/*
 * For compare.c only: every cell's numbers (rl_cmp_cell_fill()) on up to
 * RL_CMP_FILL_THREADS threads. Each cell draws from its own seed, so the
 * result is the same whichever thread fills it, and in whatever order.
 */
#ifndef RINGLAB_DAEMON_COMPARE_CELLS_FILL_H
#define RINGLAB_DAEMON_COMPARE_CELLS_FILL_H

#include <stddef.h>

#include "cell_stats.h"
#include "pairing.h"

#define RL_CMP_FILL_THREADS 4	/* at most; no more than the CPUs online */

/*
 * rl_cmp_cells_fill() - rl_cmp_cell_fill() of @keys->v[i] into @cells[i]
 * for every i, with @c's method, from the sides @b and @h (whose scratch
 * one thread uses; the others get their own). Returns 0 or -ENOMEM.
 */
int rl_cmp_cells_fill(const struct rl_cmp_side *b, const struct rl_cmp_side *h,
		      const struct rl_cmp_keys *keys, const struct rl_comparison *c,
		      struct rl_cmp_cell *cells);

#endif
