/* SPDX-License-Identifier: MIT */
/*
 * Percentile bootstrap of a ratio of medians. Repetitions are few (3 to 10),
 * so no distribution is assumed: the interval comes from resampling.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/cleanup.h"
#include "bootstrap.h"

/*
 * xoshiro256** seeded through splitmix64: a PRNG of our own so an interval
 * is reproducible from its seed, whatever libc's rand() does.
 */
struct boot_rng {
	uint64_t s[4];
};

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void rng_seed(struct boot_rng *r, uint64_t seed)
{
	unsigned i;

	for (i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
}

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t rng_next(struct boot_rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

/*
 * Uniform in [0, n) without modulo bias (multiply-shift with rejection). A
 * low half of at least @n is never rejected, so the division that finds the
 * threshold is only needed below it: the same draws, without a division on
 * nearly every call (pooled sides draw millions).
 */
static size_t rng_below(struct boot_rng *r, size_t n)
{
	uint64_t bound = (uint64_t)n, threshold;
	unsigned __int128 m = (unsigned __int128)rng_next(r) * bound;

	if ((uint64_t)m < bound) {
		threshold = -bound % bound;
		while ((uint64_t)m < threshold)
			m = (unsigned __int128)rng_next(r) * bound;
	}
	return (size_t)(m >> 64);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Insertion sort: resamples hold a few values, where qsort's overhead dominates. */
static void sort_doubles(double *v, size_t n)
{
	size_t i, j;
	double x;

	if (n > 16) {
		qsort(v, n, sizeof(*v), cmp_double);
		return;
	}
	for (i = 1; i < n; i++) {
		x = v[i];
		for (j = i; j > 0 && v[j - 1] > x; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

static double median_sorted(const double *v, size_t n)
{
	if (!n)
		return NAN;
	if (n % 2)
		return v[n / 2];
	return (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

double rl_median(double *v, size_t n)
{
	sort_doubles(v, n);
	return median_sorted(v, n);
}

/* Quantile @q of sorted @v, interpolating between neighbouring order statistics. */
static double quantile_sorted(const double *v, size_t n, double q)
{
	double pos = q * (double)(n - 1), frac;
	size_t i = (size_t)pos;

	if (i + 1 >= n)
		return v[n - 1];
	frac = pos - (double)i;
	/* Infinite ratios must not turn into NaN (inf - inf, or inf * 0). */
	if (frac == 0.0 || v[i] == v[i + 1])
		return v[i];
	return v[i] + (v[i + 1] - v[i]) * frac;
}

/* Ratios and medians only make sense for non-negative, finite measures. */
static bool values_valid(const double *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!isfinite(v[i]) || v[i] < 0.0)
			return false;
	return true;
}

static double median_of_copy(const double *v, size_t n, double *scratch)
{
	memcpy(scratch, v, n * sizeof(*v));
	return rl_median(scratch, n);
}

static double resampled_median(struct boot_rng *r, const double *v, size_t n,
			       double *scratch)
{
	size_t i;

	for (i = 0; i < n; i++)
		scratch[i] = v[rng_below(r, n)];
	return rl_median(scratch, n);
}

/*
 * One side's resampling. A resample of many values (pooled runs: hundreds)
 * is not sorted: each value's rank in the sorted sample is known, so
 * counting how often each rank is drawn finds the median in one pass,
 * the same value sorting the resample gives, from the same draws.
 */
struct sampler {
	const double *v;
	size_t n;
	double *scratch;	/* few values: the resample, sorted */
	double *sorted;		/* many: the sample sorted ... */
	uint32_t *rank;		/* ... v[i] is sorted[rank[i]] ... */
	uint32_t *count;	/* ... and how often each rank was drawn */
};

#define FEW 16	/* as sort_doubles(): up to this many, sorting is cheap */

struct ranked {
	double v;
	size_t i;
};

static int cmp_ranked(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;

	if (x->v != y->v)
		return (x->v > y->v) - (x->v < y->v);
	return (x->i > y->i) - (x->i < y->i);
}

static void sampler_free(struct sampler *s)
{
	free(s->scratch);
	free(s->sorted);
	free(s->rank);
	free(s->count);
}

/* Returns 0 or -ENOMEM (@s freed). */
static int sampler_init(struct sampler *s, const double *v, size_t n)
{
	_cleanup_free_ struct ranked *r = NULL;

	*s = (struct sampler){ .v = v, .n = n };
	if (n <= FEW) {
		s->scratch = malloc(n * sizeof(*s->scratch));
		return s->scratch ? 0 : -ENOMEM;
	}
	r = malloc(n * sizeof(*r));
	s->sorted = malloc(n * sizeof(*s->sorted));
	s->rank = malloc(n * sizeof(*s->rank));
	s->count = malloc(n * sizeof(*s->count));
	if (!r || !s->sorted || !s->rank || !s->count) {
		sampler_free(s);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++)
		r[i] = (struct ranked){ v[i], i };
	qsort(r, n, sizeof(*r), cmp_ranked);
	for (size_t k = 0; k < n; k++) {
		s->sorted[k] = r[k].v;
		s->rank[r[k].i] = (uint32_t)k;
	}
	return 0;
}

/* The value at position @pos (from 0) of the resample @s->count describes. */
static double counted_at(const struct sampler *s, size_t pos)
{
	size_t k, seen = 0;

	for (k = 0; k < s->n; k++) {
		seen += s->count[k];
		if (seen > pos)
			break;
	}
	return s->sorted[k < s->n ? k : s->n - 1];
}

static double sample_median(struct boot_rng *r, struct sampler *s)
{
	size_t n = s->n;

	if (n <= FEW)
		return resampled_median(r, s->v, n, s->scratch);
	memset(s->count, 0, n * sizeof(*s->count));
	for (size_t i = 0; i < n; i++)
		s->count[s->rank[rng_below(r, n)]]++;
	if (n % 2)
		return counted_at(s, n / 2);
	return (counted_at(s, n / 2 - 1) + counted_at(s, n / 2)) / 2.0;
}

static double ratio_of(double head, double base)
{
	if (base > 0.0)
		return head / base;
	return head > 0.0 ? INFINITY : 1.0;
}

int rl_bootstrap_ratio(const double *base, size_t nb, const double *head, size_t nh,
		       unsigned iterations, double confidence, uint64_t seed,
		       struct rl_ratio_ci *out)
{
	_cleanup_free_ double *scratch = NULL;
	_cleanup_free_ double *ratios = NULL;
	struct sampler sb, sh;
	double bm, hm, alpha;
	struct boot_rng rng;
	unsigned i;

	if (!base || !head || !out || !nb || !nh || !iterations)
		return -EINVAL;
	if (!(confidence > 0.0 && confidence < 1.0))
		return -EINVAL;
	if (!values_valid(base, nb) || !values_valid(head, nh))
		return -EINVAL;

	scratch = malloc((nb > nh ? nb : nh) * sizeof(*scratch));
	ratios = malloc((size_t)iterations * sizeof(*ratios));
	if (!scratch || !ratios)
		return -ENOMEM;

	bm = median_of_copy(base, nb, scratch);
	hm = median_of_copy(head, nh, scratch);
	if (!(bm > 0.0))
		return -EINVAL;

	if (sampler_init(&sb, base, nb) < 0)
		return -ENOMEM;
	if (sampler_init(&sh, head, nh) < 0) {
		sampler_free(&sb);
		return -ENOMEM;
	}
	rng_seed(&rng, seed);
	for (i = 0; i < iterations; i++) {
		double b = sample_median(&rng, &sb);
		double h = sample_median(&rng, &sh);

		ratios[i] = ratio_of(h, b);
	}
	sampler_free(&sb);
	sampler_free(&sh);
	sort_doubles(ratios, iterations);

	alpha = 1.0 - confidence;
	out->base_median = bm;
	out->head_median = hm;
	out->ratio = hm / bm;
	out->lo = quantile_sorted(ratios, iterations, alpha / 2.0);
	out->hi = quantile_sorted(ratios, iterations, 1.0 - alpha / 2.0);
	out->n_base = (unsigned)nb;
	out->n_head = (unsigned)nh;
	return 0;
}

static double resampled_mean(struct boot_rng *r, const double *v, size_t n)
{
	double sum = 0.0;
	size_t i;

	for (i = 0; i < n; i++)
		sum += v[rng_below(r, n)];
	return sum / (double)n;
}

static bool all_finite(const double *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!isfinite(v[i]))
			return false;
	return true;
}

int rl_bootstrap_mean_diff(const double *base, size_t nb, const double *head, size_t nh,
			   unsigned iterations, double confidence, uint64_t seed,
			   double *lo, double *hi)
{
	_cleanup_free_ double *diffs = NULL;
	struct boot_rng rng;
	double alpha;
	unsigned i;

	if (!base || !head || !lo || !hi || !nb || !nh || !iterations)
		return -EINVAL;
	if (!(confidence > 0.0 && confidence < 1.0))
		return -EINVAL;
	if (!all_finite(base, nb) || !all_finite(head, nh))
		return -EINVAL;
	diffs = malloc((size_t)iterations * sizeof(*diffs));
	if (!diffs)
		return -ENOMEM;
	rng_seed(&rng, seed);
	for (i = 0; i < iterations; i++) {
		double b = resampled_mean(&rng, base, nb);

		diffs[i] = resampled_mean(&rng, head, nh) - b;
	}
	sort_doubles(diffs, iterations);
	alpha = 1.0 - confidence;
	*lo = quantile_sorted(diffs, iterations, alpha / 2.0);
	*hi = quantile_sorted(diffs, iterations, 1.0 - alpha / 2.0);
	return 0;
}

enum rl_verdict rl_verdict_ratio(const struct rl_ratio_ci *ci, double threshold,
				 bool higher_is_better, unsigned min_reps)
{
	if (!ci || ci->n_base < min_reps || ci->n_head < min_reps)
		return RL_VERDICT_INSUFFICIENT;
	if (ci->lo > 1.0 + threshold)
		return higher_is_better ? RL_VERDICT_IMPROVED : RL_VERDICT_REGRESSED;
	if (ci->hi < 1.0 - threshold)
		return higher_is_better ? RL_VERDICT_REGRESSED : RL_VERDICT_IMPROVED;
	return RL_VERDICT_UNCHANGED;
}
