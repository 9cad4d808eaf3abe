/* SPDX-License-Identifier: MIT */
/*
 * For stats/ only: the law of the median of a bootstrap resample, drawn
 * directly. A resample of n values (n draws with replacement from the
 * sample) has its median at a rank whose distribution follows from the
 * binomial counts of draws at or below each rank; drawing that rank from
 * its distribution gives a median with the same law as drawing n values
 * and counting them, in one or two uniforms instead of n.
 */
#ifndef RINGLAB_DAEMON_STATS_MEDIAN_LAW_H
#define RINGLAB_DAEMON_STATS_MEDIAN_LAW_H

#include <stddef.h>

#include "boot_rng.h"

struct rl_median_law {
	double *sorted;		/* the sample, ascending */
	/*
	 * cdf[i]: P(the resample's lower middle value has rank <= i), ranks
	 * from 0 in sorted; the last is 1.
	 */
	double *cdf;
	/* Even n: split[i]: P(the upper middle rank > i | the lower one is i). */
	double *split;
	size_t n;
};

/*
 * rl_median_law_init() - the law of @v[0..n-1]'s resampled median into @l
 * (@n >= 1; O(n sqrt(n)) work). Release with rl_median_law_free().
 * Returns 0 or -ENOMEM (@l then holds nothing to free).
 */
int rl_median_law_init(struct rl_median_law *l, const double *v, size_t n);

/* rl_median_law_free() - release @l; a zeroed @l is fine. */
void rl_median_law_free(struct rl_median_law *l);

/*
 * rl_median_law_draw() - one resample's median, drawn from @l with @r: the
 * middle value, or the mean of the two middle values for an even n, as
 * rl_median() of the n drawn values would give.
 */
double rl_median_law_draw(const struct rl_median_law *l, struct boot_rng *r);

#endif
