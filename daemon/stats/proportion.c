/* SPDX-License-Identifier: MIT */
/*
 * Pooled two-proportion z-test. EAGAIN counts run into the thousands per cell,
 * where the normal approximation is sound; the degenerate all-or-nothing case
 * (the common "100% EAGAIN on both kernels") is handled explicitly.
 */
#include <errno.h>
#include <math.h>

#include "proportion.h"

int rl_two_proportion(uint64_t x_base, uint64_t n_base, uint64_t x_head, uint64_t n_head,
		      double alpha, struct rl_prop_test *out)
{
	double pooled, se;

	if (!out || !n_base || !n_head || x_base > n_base || x_head > n_head)
		return -EINVAL;
	if (!(alpha > 0.0 && alpha < 1.0))
		return -EINVAL;

	out->p_base = (double)x_base / (double)n_base;
	out->p_head = (double)x_head / (double)n_head;
	out->diff_pp = (out->p_head - out->p_base) * 100.0;

	pooled = ((double)x_base + (double)x_head) / ((double)n_base + (double)n_head);
	se = sqrt(pooled * (1.0 - pooled) * (1.0 / (double)n_base + 1.0 / (double)n_head));
	if (!(se > 0.0)) {
		/* Pooled 0 or 1: both sides are identical, nothing to test. */
		out->z = 0.0;
		out->p_value = 1.0;
		out->significant = false;
		return 0;
	}

	out->z = (out->p_head - out->p_base) / se;
	/* Two-sided tail of the standard normal: P(|Z| > |z|) = erfc(|z| / sqrt 2). */
	out->p_value = erfc(fabs(out->z) / M_SQRT2);
	out->significant = out->p_value < alpha;
	return 0;
}
