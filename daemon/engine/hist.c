/* SPDX-License-Identifier: MIT */
/*
 * Log-linear histogram: merging, bucket bounds and percentiles. Adding a
 * value is inline in hist.h because it sits on the completion path.
 */
#include <stdint.h>
#include <string.h>

#include "hist.h"

void rl_hist_init(struct rl_hist *h)
{
	memset(h, 0, sizeof(*h));
	/* So the first rl_hist_add() or rl_hist_merge() sets it. */
	h->min = UINT64_MAX;
}

void rl_hist_merge(struct rl_hist *dst, const struct rl_hist *src)
{
	unsigned i;

	for (i = 0; i < RL_HIST_BUCKETS; i++)
		dst->buckets[i] += src->buckets[i];
	dst->count += src->count;
	dst->sum += src->sum;
	if (src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
}

/*
 * rl_hist_bucket_low() - the smallest value rl_hist_index() maps to @idx.
 * Bucket @idx of group g >= 1 holds values with their top bit at
 * g + RL_HIST_SUB_BITS - 1, so it starts at (RL_HIST_SUB + sub) << (g - 1).
 * Returns 0 for an @idx past the last bucket.
 */
uint64_t rl_hist_bucket_low(unsigned idx)
{
	unsigned group = idx / RL_HIST_SUB, sub = idx % RL_HIST_SUB;

	if (idx >= RL_HIST_BUCKETS)
		return 0;
	if (group == 0)
		return idx;
	return (uint64_t)(RL_HIST_SUB + sub) << (group - 1);
}

/*
 * rl_hist_bucket_high() - the largest value rl_hist_index() maps to @idx;
 * the last bucket also takes every value too large for the groups, so its
 * bound is UINT64_MAX. Returns 0 for an @idx past the last bucket.
 */
uint64_t rl_hist_bucket_high(unsigned idx)
{
	if (idx >= RL_HIST_BUCKETS)
		return 0;
	if (idx == RL_HIST_BUCKETS - 1)
		return UINT64_MAX;
	return rl_hist_bucket_low(idx + 1) - 1;
}

/* rl_hist_mean() - the arithmetic mean (rounded down); 0 when empty. */
uint64_t rl_hist_mean(const struct rl_hist *h)
{
	return h->count ? h->sum / h->count : 0;
}

/* The 1-based rank of percentile @p (0 < p < 100) among @count values. */
static uint64_t hist_rank(uint64_t count, double p)
{
	double r = p / 100.0 * (double)count;
	uint64_t rank = (uint64_t)r;

	/* Nearest rank: the smallest rank covering p percent of the values. */
	if ((double)rank < r)
		rank++;
	if (rank < 1)
		rank = 1;
	if (rank > count)
		rank = count;
	return rank;
}

static uint64_t hist_clamp(const struct rl_hist *h, uint64_t v)
{
	if (v < h->min)
		return h->min;
	if (v > h->max)
		return h->max;
	return v;
}

uint64_t rl_hist_percentile(const struct rl_hist *h, double p)
{
	uint64_t rank, seen = 0, low, high;
	unsigned i;

	if (!h->count)
		return 0;
	/* The ends are known exactly; no need to guess from a bucket. */
	if (!(p > 0.0))
		return h->min;
	if (p >= 100.0)
		return h->max;

	rank = hist_rank(h->count, p);
	for (i = 0; i < RL_HIST_BUCKETS; i++) {
		seen += h->buckets[i];
		if (seen >= rank)
			break;
	}
	/*
	 * The last bucket also holds everything too large for the groups, so
	 * its midpoint means nothing; max is in it and exact.
	 */
	if (i >= RL_HIST_BUCKETS - 1)
		return h->max;
	low = rl_hist_bucket_low(i);
	high = rl_hist_bucket_high(i);
	return hist_clamp(h, low + (high - low) / 2);
}
