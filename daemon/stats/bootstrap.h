/* SPDX-License-Identifier: MIT */
/*
 * Comparing a measure (IOPS, a latency percentile) between a base and a head
 * kernel over a handful of repetitions: the ratio of medians, a percentile
 * bootstrap confidence interval for it, and the verdict drawn from that.
 */
#ifndef RINGLAB_DAEMON_STATS_BOOTSTRAP_H
#define RINGLAB_DAEMON_STATS_BOOTSTRAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "verdict.h"

struct rl_ratio_ci {
	double base_median, head_median;
	double ratio;		/* head_median / base_median */
	double lo, hi;		/* bootstrap confidence interval of the ratio */
	unsigned n_base, n_head;
};

/*
 * rl_median() - the median of @v[0..n-1]: the middle value, or the mean of the
 * two middle values for an even @n. Sorts @v in place (ascending).
 * Returns NAN for @n == 0.
 */
double rl_median(double *v, size_t n);

/*
 * rl_bootstrap_ratio() - fill @out with the medians of @base and @head, their
 * ratio (head / base) and a percentile bootstrap interval at @confidence
 * (e.g. 0.95): @iterations times, each side is resampled with replacement and
 * the ratio of the resampled medians kept; @lo and @hi are the (1 - c) / 2 and
 * (1 + c) / 2 quantiles of those ratios. The same @seed gives the same
 * interval on every machine (own PRNG). A side of more than 16 values draws
 * each resample's median from that median's law (median_law.h) rather than
 * drawing its values: the same distribution, other draws, so its interval
 * differs from a value-by-value one by the resampling's noise only (about
 * 16 of 10,000 ranks at 2.5%). A resampled base median of 0 gives a
 * ratio of +inf (1 when the head median is 0 too).
 * Returns 0; -EINVAL if a side is empty, a value is negative or not finite,
 * the base median is 0, @iterations is 0 or @confidence is not in (0, 1);
 * -ENOMEM.
 */
int rl_bootstrap_ratio(const double *base, size_t nb, const double *head, size_t nh,
		       unsigned iterations, double confidence, uint64_t seed,
		       struct rl_ratio_ci *out);

/*
 * rl_bootstrap_mean_diff() - a percentile bootstrap interval at @confidence
 * of mean(@head) - mean(@base): @iterations times each side is resampled
 * with replacement and the difference of the resampled means kept; *@lo and
 * *@hi are its (1 - c) / 2 and (1 + c) / 2 quantiles. Values may be any
 * finite numbers. The same @seed gives the same interval on every machine.
 * A side of more than 16 values draws its indices 32 bits at a time (the
 * same uniform law), a side whose values are all alike none (its mean is
 * fixed); a side of up to 16 draws as it always did.
 * Returns 0; -EINVAL if a side is empty, a value is not finite, @iterations
 * is 0 or @confidence is not in (0, 1); -ENOMEM.
 */
int rl_bootstrap_mean_diff(const double *base, size_t nb, const double *head, size_t nh,
			   unsigned iterations, double confidence, uint64_t seed,
			   double *lo, double *hi);

/*
 * rl_verdict_ratio() - judge @ci: RL_VERDICT_INSUFFICIENT if either side has
 * fewer than @min_reps values (or @ci is NULL); a change only when the whole
 * interval lies beyond 1 +/- @threshold (lo > 1 + t: head is higher; hi < 1 - t:
 * head is lower), an improvement or a regression by @higher_is_better (IOPS:
 * true, latency: false); RL_VERDICT_UNCHANGED otherwise. Never returns
 * RL_VERDICT_CORRUPT: only the caller knows about verification.
 */
enum rl_verdict rl_verdict_ratio(const struct rl_ratio_ci *ci, double threshold,
				 bool higher_is_better, unsigned min_reps);

#endif
