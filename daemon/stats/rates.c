/* SPDX-License-Identifier: MIT */
/*
 * EAGAIN rates judged by repetition: a handful of values a side (3 to 10),
 * so the interval of the difference of means comes from resampling the
 * repetitions, never from counting every write as a trial.
 */
#include <errno.h>
#include <math.h>

#include "bootstrap.h"
#include "rates.h"

static bool rates_valid(const double *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!(v[i] >= 0.0 && v[i] <= 1.0))
			return false;
	return true;
}

int rl_rate_spread(const double *v, size_t n, struct rl_rate_spread *out)
{
	double sum = 0.0, sq = 0.0;

	if (!v || !n || !out || !rates_valid(v, n))
		return -EINVAL;
	out->n = (unsigned)n;
	out->min = out->max = v[0];
	for (size_t i = 0; i < n; i++) {
		sum += v[i];
		out->min = fmin(out->min, v[i]);
		out->max = fmax(out->max, v[i]);
	}
	out->mean = sum / (double)n;
	for (size_t i = 0; i < n; i++)
		sq += (v[i] - out->mean) * (v[i] - out->mean);
	out->sd = n > 1 ? sqrt(sq / (double)(n - 1)) : 0.0;
	return 0;
}

bool rl_rate_unstable(const struct rl_rate_spread *s)
{
	/* A hair of tolerance so 0.2 exactly, computed in doubles, is not unstable. */
	return s->n >= 2 && s->max - s->min > RL_RATE_UNSTABLE_SPREAD + 1e-9;
}

int rl_rate_diff(const double *base, size_t nb, const double *head, size_t nh,
		 unsigned iterations, double confidence, uint64_t seed, struct rl_rate_diff *out)
{
	double lo, hi;
	int ret;

	if (!out)
		return -EINVAL;
	ret = rl_rate_spread(base, nb, &out->base);
	if (!ret)
		ret = rl_rate_spread(head, nh, &out->head);
	if (!ret)
		ret = rl_bootstrap_mean_diff(base, nb, head, nh, iterations, confidence, seed,
					     &lo, &hi);
	if (ret)
		return ret;
	out->diff_pp = (out->head.mean - out->base.mean) * 100.0;
	out->lo_pp = lo * 100.0;
	out->hi_pp = hi * 100.0;
	return 0;
}

bool rl_rate_clears(const struct rl_rate_diff *d, double margin_pp)
{
	return d->lo_pp > margin_pp || d->hi_pp < -margin_pp;
}
