/* SPDX-License-Identifier: MIT */
/*
 * Log-linear histogram: values up to 2^RL_HIST_GROUPS, each power of two cut
 * into 2^RL_HIST_SUB_BITS linear buckets, so a percentile is within 1/32 of
 * the truth and no per-I/O array is kept.
 */
#ifndef RINGLAB_DAEMON_ENGINE_HIST_H
#define RINGLAB_DAEMON_ENGINE_HIST_H

#include <stdint.h>

#define RL_HIST_SUB_BITS 5
#define RL_HIST_SUB (1u << RL_HIST_SUB_BITS)
#define RL_HIST_GROUPS 42
#define RL_HIST_BUCKETS ((RL_HIST_GROUPS + 1) * RL_HIST_SUB)

struct rl_hist {
	uint64_t count, sum, min, max;
	uint64_t buckets[RL_HIST_BUCKETS];
};

static inline unsigned rl_hist_index(uint64_t v)
{
	unsigned msb, group;

	if (v < RL_HIST_SUB)
		return (unsigned)v;
	msb = 63 - (unsigned)__builtin_clzll(v);
	group = msb - RL_HIST_SUB_BITS + 1;
	if (group > RL_HIST_GROUPS)
		return RL_HIST_BUCKETS - 1;
	return group * RL_HIST_SUB + (unsigned)((v >> (msb - RL_HIST_SUB_BITS)) & (RL_HIST_SUB - 1));
}

static inline void rl_hist_add(struct rl_hist *h, uint64_t v)
{
	h->buckets[rl_hist_index(v)]++;
	h->count++;
	h->sum += v;
	if (v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
}

void rl_hist_init(struct rl_hist *h);
void rl_hist_merge(struct rl_hist *dst, const struct rl_hist *src);

/*
 * rl_hist_percentile() - the value at percentile @p (0..100, nearest rank):
 * the midpoint of the bucket holding it, clamped to [min, max]. p <= 0 (or NaN)
 * gives min and p >= 100 gives max exactly; the last bucket, which also holds
 * values beyond the groups, gives max. 0 for an empty histogram.
 */
uint64_t rl_hist_percentile(const struct rl_hist *h, double p);

/*
 * rl_hist_bucket_low(), rl_hist_bucket_high() - the inclusive bounds of
 * bucket @idx: the values rl_hist_index() maps to it. The last bucket ends at
 * UINT64_MAX. Both return 0 for an @idx >= RL_HIST_BUCKETS.
 */
uint64_t rl_hist_bucket_low(unsigned idx);
uint64_t rl_hist_bucket_high(unsigned idx);

/* rl_hist_mean() - sum / count, rounded down; 0 for an empty histogram. */
uint64_t rl_hist_mean(const struct rl_hist *h);

#endif
