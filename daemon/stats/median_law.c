/* SPDX-License-Identifier: MIT */
/*
 * The resampled median drawn from its law. Number the sorted sample's
 * values 1..n (ties keep their own numbers: equal values, so the median's
 * value is the same whichever of them is picked). A resample draws n
 * numbers uniformly; C_i, how many fall at or below i, is Binomial(n, i/n).
 *
 *   odd n, m = (n + 1) / 2: the median is number M, P(M <= i) = P(C_i >= m).
 *   even n, m = n / 2: the lower middle L has P(L <= i) = P(C_i >= m); the
 *     upper middle U is L itself unless exactly m draws fall at or below L
 *     (and not all m below it): P(L = i, U > i) = P(C_i = m) (1 - ((i-1)/i)^m).
 *     Then the other n - m draws are uniform over i+1..n and U is their
 *     least: P(U > j) = ((n - j) / (n - i))^(n - m).
 *
 * These are exact; the tables hold them to about 1e-14 (the binomial tails
 * are summed until a term adds less than 1e-17 of the sum), so a uniform
 * picks another rank than the exact law would with probability below 1e-13
 * a draw. The arithmetic is IEEE doubles and libm's exp, log1p, expm1 and
 * pow: a machine whose libm rounds one of them otherwise may move a table
 * entry by an ulp, which changes a draw with probability about 1e-16.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "median_law.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* log(k!) for k = 0..n into @lf (n + 1 entries): sums of logs, no lgamma (not thread-safe). */
static void log_factorials(double *lf, size_t n)
{
	lf[0] = 0.0;
	for (size_t k = 1; k <= n; k++)
		lf[k] = lf[k - 1] + log((double)k);
}

/* P(Binomial(n, p) = k), 0 < p < 1. */
static double binom_pmf(const double *lf, size_t n, double p, size_t k)
{
	return exp(lf[n] - lf[k] - lf[n - k] + (double)k * log(p) + (double)(n - k) * log1p(-p));
}

/*
 * P(Binomial(n, p) >= m), 1 <= m <= n. The smaller side of the mode is
 * summed, from the term next to the mode outwards: the terms fall from
 * there, so the sum stops once a term no longer counts.
 */
static double binom_tail(const double *lf, size_t n, double p, size_t m)
{
	double q = 1.0 - p, t, sum = 0.0;
	size_t k;

	if (p >= 1.0)
		return 1.0;
	if (p <= 0.0)
		return 0.0;
	if ((double)m > (double)n * p) {
		/* Terms k >= m fall: (n - k) p < (k + 1) q once k + 1 > (n + 1) p. */
		for (k = m, t = binom_pmf(lf, n, p, k); k <= n; k++) {
			sum += t;
			if (t == 0.0 || t < sum * 1e-17)
				break;
			t *= (double)(n - k) / (double)(k + 1) * p / q;
		}
		return sum;
	}
	/* Terms k <= m - 1 fall going down: k q < (n - k + 1) p once k < (n + 1) p. */
	for (k = m - 1, t = binom_pmf(lf, n, p, k);; k--) {
		sum += t;
		if (!k || t == 0.0 || t < sum * 1e-17)
			break;
		t *= (double)k / (double)(n - k + 1) * q / p;
	}
	return 1.0 - sum;
}

/* cdf[i] = P(rank of the (lower) middle <= i), monotone, the last exactly 1. */
static void fill_cdf(struct rl_median_law *l, const double *lf, size_t m)
{
	size_t n = l->n;

	for (size_t i = 0; i < n; i++) {
		l->cdf[i] = binom_tail(lf, n, (double)(i + 1) / (double)n, m);
		if (i && l->cdf[i] < l->cdf[i - 1])
			l->cdf[i] = l->cdf[i - 1];
	}
	l->cdf[n - 1] = 1.0;
}

/* Even n: split[i] = P(U > L | L = i), from P(L = i, U > i) over P(L = i) (ranks from 1 above). */
static void fill_split(struct rl_median_law *l, const double *lf, size_t m)
{
	size_t n = l->n;
	double joint, p_l;

	for (size_t i = 1; i <= n; i++) {
		p_l = l->cdf[i - 1] - (i > 1 ? l->cdf[i - 2] : 0.0);
		if (i == n || p_l <= 0.0) {
			l->split[i - 1] = 0.0;
			continue;
		}
		/* 1 - ((i-1)/i)^m without cancelling: -expm1(m log1p(-1/i)). */
		joint = binom_pmf(lf, n, (double)i / (double)n, m) *
			(i == 1 ? 1.0 : -expm1((double)m * log1p(-1.0 / (double)i)));
		l->split[i - 1] = fmin(joint / p_l, 1.0);
	}
}

void rl_median_law_free(struct rl_median_law *l)
{
	free(l->sorted);
	free(l->cdf);
	free(l->split);
	memset(l, 0, sizeof(*l));
}

int rl_median_law_init(struct rl_median_law *l, const double *v, size_t n)
{
	double *lf;

	memset(l, 0, sizeof(*l));
	l->n = n;
	l->sorted = malloc(n * sizeof(*l->sorted));
	l->cdf = malloc(n * sizeof(*l->cdf));
	l->split = n % 2 ? NULL : malloc(n * sizeof(*l->split));
	lf = malloc((n + 1) * sizeof(*lf));
	if (!l->sorted || !l->cdf || (!(n % 2) && !l->split) || !lf) {
		free(lf);
		rl_median_law_free(l);
		return -ENOMEM;
	}
	memcpy(l->sorted, v, n * sizeof(*v));
	qsort(l->sorted, n, sizeof(*l->sorted), cmp_double);
	log_factorials(lf, n);
	fill_cdf(l, lf, n % 2 ? (n + 1) / 2 : n / 2);
	if (!(n % 2))
		fill_split(l, lf, n / 2);
	free(lf);
	return 0;
}

/* The least rank i with u < cdf[i]; cdf's last entry is 1, so there is one. */
static size_t rank_of(const double *cdf, size_t n, double u)
{
	size_t lo = 0, hi = n - 1, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (u < cdf[mid])
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

double rl_median_law_draw(const struct rl_median_law *l, struct boot_rng *r)
{
	size_t n = l->n, i = rank_of(l->cdf, n, boot_uniform(r)), u, m = n / 2;
	double t, at;

	if (n % 2)
		return l->sorted[i];
	u = i;
	if (boot_uniform(r) < l->split[i]) {
		/* The least of n - m uniform draws over ranks i+1..n-1 (from 0): invert its tail. */
		t = pow(1.0 - boot_uniform(r), 1.0 / (double)(n - m));
		at = ceil((double)n - (double)(n - i - 1) * t) - 1.0;
		u = at < (double)(i + 1) ? i + 1 : at > (double)(n - 1) ? n - 1 : (size_t)at;
	}
	/* As rl_median(): the mean of the two middle values, (x + x) / 2 being x. */
	return (l->sorted[i] + l->sorted[u]) / 2.0;
}
