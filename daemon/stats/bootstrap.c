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
#include "boot_rng.h"
#include "bootstrap.h"
#include "median_law.h"

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

static inline void swap_doubles(double *v, size_t i, size_t j)
{
	double t = v[i];

	v[i] = v[j];
	v[j] = t;
}

/*
 * Order statistic @k (from 0) of @v[0..n-1], by selection with a
 * three-way partition (below, equal to, above the middle element):
 * afterwards v[0..k-1] <= v[k] <= v[k+1..n-1]. The value is the one
 * sorting gives, in O(n). Resampled ratios of a few repetitions take only
 * a handful of values, so a pass that lands in the equal run ends it.
 */
static double select_kth(double *v, size_t n, size_t k)
{
	size_t lo = 0, hi = n - 1, lt, gt, i;
	double pivot;

	while (lo < hi) {
		pivot = v[lo + (hi - lo) / 2];
		lt = lo;
		gt = hi;
		i = lo;
		/* v[lo..lt-1] < pivot, v[lt..i-1] == pivot, v[gt+1..hi] > pivot. */
		while (i <= gt) {
			if (v[i] < pivot) {
				swap_doubles(v, lt++, i++);
			} else if (v[i] > pivot) {
				swap_doubles(v, i, gt);
				if (!gt--)
					break;
			} else {
				i++;
			}
		}
		if (k < lt)
			hi = lt - 1;
		else if (k > gt)
			lo = gt + 1;
		else
			return v[k];
	}
	return v[k];
}

/*
 * Quantile @q of @v, interpolating between neighbouring order statistics
 * as if @v were sorted (it is reordered): v[i] by selection, v[i + 1] the
 * least of what selection left above it. v[0..*done-1] are the smallest
 * values, in place (0: nothing known); the selection starts above them
 * and leaves *done past v[i], so a higher quantile's search is shorter.
 */
static double quantile_from(double *v, size_t n, double q, size_t *done)
{
	double pos = q * (double)(n - 1), frac, lo, hi;
	size_t i = (size_t)pos, at = *done;

	if (i + 1 >= n)
		i = n - 1;
	if (i + 1 == at)
		lo = v[i];	/* in place already */
	else if (i >= at)
		lo = select_kth(v + at, n - at, i - at);
	else
		lo = select_kth(v, n, i);
	*done = i + 1;
	frac = pos - (double)i;
	if (i + 1 >= n || frac == 0.0)
		return lo;
	hi = v[i + 1];
	for (size_t k = i + 2; k < n; k++)
		hi = v[k] < hi ? v[k] : hi;
	/* Infinite ratios must not turn into NaN (inf - inf, or inf * 0). */
	if (lo == hi)
		return lo;
	return lo + (hi - lo) * frac;
}

/* The quantiles @qlo <= @qhi of @v into *@lo and *@hi; @v is reordered. */
static void quantile_pair(double *v, size_t n, double qlo, double qhi, double *lo, double *hi)
{
	size_t done = 0;

	*lo = quantile_from(v, n, qlo, &done);
	*hi = quantile_from(v, n, qhi, &done);
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

/* The middle of three: the value sorting them puts in the middle. */
static inline double middle_of_3(double a, double b, double c)
{
	double lo = a < b ? a : b, hi = a < b ? b : a;

	return c < lo ? lo : c > hi ? hi : c;
}

/*
 * Three values (a run's usual repetitions) need no sort: their middle is
 * the median; the draws are the same either way.
 */
static double resampled_median(struct boot_rng *r, const double *v, size_t n,
			       double *scratch)
{
	size_t i;

	if (n == 3) {
		double a = v[boot_below(r, 3)], b = v[boot_below(r, 3)];

		return middle_of_3(a, b, v[boot_below(r, 3)]);
	}
	for (i = 0; i < n; i++)
		scratch[i] = v[boot_below(r, n)];
	return rl_median(scratch, n);
}

/*
 * One side's resampling. A side of a few values (one run's repetitions)
 * draws them and sorts the resample. A side of many (pooled runs: hundreds)
 * draws its resample's median from that median's law (median_law.c): the
 * same distribution as drawing its n values, from one or two uniforms
 * instead of n, so the interval is the same up to the resampling's own
 * noise (see rl_bootstrap_ratio()).
 */
struct sampler {
	const double *v;
	size_t n;
	double *scratch;		/* few values: the resample, sorted */
	struct rl_median_law law;	/* many */
};

#define FEW 16	/* as sort_doubles(): up to this many, sorting is cheap */

static void sampler_free(struct sampler *s)
{
	free(s->scratch);
	rl_median_law_free(&s->law);
}

/* Returns 0 or -ENOMEM (@s freed). */
static int sampler_init(struct sampler *s, const double *v, size_t n)
{
	*s = (struct sampler){ .v = v, .n = n };
	if (n > FEW)
		return rl_median_law_init(&s->law, v, n);
	s->scratch = malloc(n * sizeof(*s->scratch));
	return s->scratch ? 0 : -ENOMEM;
}

static double sample_median(struct boot_rng *r, struct sampler *s)
{
	if (s->n <= FEW)
		return resampled_median(r, s->v, s->n, s->scratch);
	return rl_median_law_draw(&s->law, r);
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
	boot_rng_seed(&rng, seed);
	for (i = 0; i < iterations; i++) {
		double b = sample_median(&rng, &sb);
		double h = sample_median(&rng, &sh);

		ratios[i] = ratio_of(h, b);
	}
	sampler_free(&sb);
	sampler_free(&sh);

	alpha = 1.0 - confidence;
	out->base_median = bm;
	out->head_median = hm;
	out->ratio = hm / bm;
	quantile_pair(ratios, iterations, alpha / 2.0, 1.0 - alpha / 2.0, &out->lo, &out->hi);
	out->n_base = (unsigned)nb;
	out->n_head = (unsigned)nh;
	return 0;
}

static double resampled_mean(struct boot_rng *r, const double *v, size_t n)
{
	double sum = 0.0;
	size_t i;

	for (i = 0; i < n; i++)
		sum += v[boot_below(r, n)];
	return sum / (double)n;
}

/*
 * A side of many values (pooled runs) draws its indices 32 bits at a time,
 * two from each of the generator's outputs, and adds them on four lanes
 * (one running sum waits on each addition): the same uniform law, a
 * quarter of the time. A side of few draws as it always did, so one run
 * against another keeps its interval to the bit.
 */
static double resampled_mean_many(struct boot_rng *r, const double *v, size_t n)
{
	double lane[4] = { 0.0, 0.0, 0.0, 0.0 };
	uint32_t i;

	for (i = 0; i < (uint32_t)n; i++)
		lane[i & 3] += v[boot_below32(r, (uint32_t)n)];
	return ((lane[0] + lane[1]) + (lane[2] + lane[3])) / (double)n;
}

/* One side of a difference of means. */
struct mean_side {
	const double *v;
	size_t n;
	/*
	 * Every value alike: every resample has this one mean, so no draw is
	 * needed (as resampling it gives, to the bit: the same additions).
	 */
	bool fixed;
	double mean;
};

static bool all_alike(const double *v, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (v[i] != v[0])
			return false;
	return true;
}

static double side_mean(struct boot_rng *r, const struct mean_side *s)
{
	if (s->fixed)
		return s->mean;
	if (s->n <= FEW)
		return resampled_mean(r, s->v, s->n);
	return resampled_mean_many(r, s->v, s->n);
}

/*
 * A side of many alike values draws nothing; a side of few only when the
 * other draws nothing either, so that a few-value side's draws stay those
 * it always had.
 */
static void mean_sides(const double *base, size_t nb, const double *head, size_t nh,
		       struct mean_side *b, struct mean_side *h)
{
	bool bc = all_alike(base, nb), hc = all_alike(head, nh);
	struct boot_rng any;

	boot_rng_seed(&any, 0);
	*b = (struct mean_side){ .v = base, .n = nb, .fixed = bc && (nb > FEW || hc) };
	*h = (struct mean_side){ .v = head, .n = nh, .fixed = hc && (nh > FEW || bc) };
	b->mean = b->fixed ? side_mean(&any, &(struct mean_side){ .v = base, .n = nb }) : 0.0;
	h->mean = h->fixed ? side_mean(&any, &(struct mean_side){ .v = head, .n = nh }) : 0.0;
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
	struct mean_side sb, sh;
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
	mean_sides(base, nb, head, nh, &sb, &sh);
	boot_rng_seed(&rng, seed);
	for (i = 0; i < iterations; i++) {
		double b = side_mean(&rng, &sb);

		diffs[i] = side_mean(&rng, &sh) - b;
	}
	alpha = 1.0 - confidence;
	quantile_pair(diffs, iterations, alpha / 2.0, 1.0 - alpha / 2.0, lo, hi);
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
