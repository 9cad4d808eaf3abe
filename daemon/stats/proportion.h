/* SPDX-License-Identifier: MIT */
/*
 * Comparing two rates (EAGAIN answers per first attempt) between a base and a
 * head kernel: the pooled two-proportion z-test.
 */
#ifndef RINGLAB_DAEMON_STATS_PROPORTION_H
#define RINGLAB_DAEMON_STATS_PROPORTION_H

#include <stdbool.h>
#include <stdint.h>

struct rl_prop_test {
	double p_base, p_head;
	double diff_pp;		/* (p_head - p_base) * 100, percentage points */
	double z, p_value;	/* two-sided, pooled two-proportion z-test */
	bool significant;	/* p_value < alpha */
};

/*
 * rl_two_proportion() - test whether @x_head / @n_head differs from
 * @x_base / @n_base and fill @out. When the pooled proportion is 0 or 1 (both
 * sides all-or-nothing alike) there is no variance and no difference: z 0,
 * p 1, not significant.
 * Returns 0; -EINVAL if a count exceeds its n, an n is 0, @alpha is not in
 * (0, 1) or @out is NULL.
 */
int rl_two_proportion(uint64_t x_base, uint64_t n_base, uint64_t x_head, uint64_t n_head,
		      double alpha, struct rl_prop_test *out);

#endif
