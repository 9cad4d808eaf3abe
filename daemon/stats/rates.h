/* SPDX-License-Identifier: MIT */
/*
 * EAGAIN rates over repetitions. The -EAGAIN answers of one repetition are
 * not independent trials (they cluster: a lock decision or a timestamp
 * tick refuses a whole batch), so a rate is judged by its repetitions, each
 * one value: their spread, whether they disagree too much to be one
 * fingerprint, and a bootstrap interval of the difference of their means.
 */
#ifndef RINGLAB_DAEMON_STATS_RATES_H
#define RINGLAB_DAEMON_STATS_RATES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Repetitions of one cell whose rates span more than this (max - min, as a
 * fraction) disagree: one cold cell at 0% and 100% is two states, not a rate.
 */
#define RL_RATE_UNSTABLE_SPREAD 0.20

/* The repetitions' rates of one side, as fractions in [0, 1]. */
struct rl_rate_spread {
	unsigned n;
	double mean, min, max;
	double sd;		/* sample standard deviation; 0 for one value */
};

/*
 * rl_rate_spread() - mean, min, max and sample standard deviation of
 * @v[0..n-1] into @out.
 * Returns 0; -EINVAL when @n is 0, @out is NULL or a value is not in [0, 1].
 */
int rl_rate_spread(const double *v, size_t n, struct rl_rate_spread *out);

/*
 * rl_rate_unstable() - whether the repetitions of @s disagree: at least two
 * of them, spanning more than RL_RATE_UNSTABLE_SPREAD.
 */
bool rl_rate_unstable(const struct rl_rate_spread *s);

/* The difference of two sides' mean rates, in percentage points. */
struct rl_rate_diff {
	struct rl_rate_spread base, head;
	double diff_pp;		/* (head.mean - base.mean) * 100 */
	double lo_pp, hi_pp;	/* bootstrap interval of diff_pp */
};

/*
 * rl_rate_diff() - the spreads of @base and @head and a percentile
 * bootstrap interval at @confidence of the difference of their mean rates
 * (each side resampled with replacement @iterations times); the same @seed
 * gives the same interval on every machine.
 * Returns 0; -EINVAL for an empty side, a value outside [0, 1], 0
 * iterations or a confidence outside (0, 1); -ENOMEM.
 */
int rl_rate_diff(const double *base, size_t nb, const double *head, size_t nh,
		 unsigned iterations, double confidence, uint64_t seed, struct rl_rate_diff *out);

/*
 * rl_rate_clears() - whether the whole interval of @d lies beyond
 * +/- @margin_pp percentage points: a change, not noise.
 */
bool rl_rate_clears(const struct rl_rate_diff *d, double margin_pp);

#endif
