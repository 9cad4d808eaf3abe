/* SPDX-License-Identifier: MIT */
/* test_median_law: the resampled median's law equals the median of every possible resample, counted out, and its draws follow it. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "stats/median_law.h"
#include "../lib/check.h"

#define NMAX 8

/*
 * Every resample of ranks 0..n-1 (n^n of them, as odometer digits): how
 * often the lower middle rank is i and the upper one j.
 */
static void enumerate(size_t n, double joint[NMAX][NMAX])
{
	unsigned digit[NMAX] = { 0 }, count[NMAX];
	uint64_t hits[NMAX][NMAX] = { { 0 } };
	double total = pow((double)n, (double)n);
	size_t k, seen, lo, hi, m = (n - 1) / 2;

	for (;;) {
		memset(count, 0, sizeof(count));
		for (k = 0; k < n; k++)
			count[digit[k]]++;
		/* Ranks at positions m and n / 2 of the sorted resample (the same one for odd n). */
		for (lo = 0, seen = count[0]; seen <= m; seen += count[++lo])
			;
		for (hi = 0, seen = count[0]; seen <= n / 2; seen += count[++hi])
			;
		hits[lo][hi]++;
		for (k = 0; k < n && ++digit[k] == n; k++)
			digit[k] = 0;
		if (k == n)
			break;
	}
	/* Counted in integers: 8^8 additions of a fraction would lose the last digits. */
	for (lo = 0; lo < NMAX; lo++)
		for (hi = 0; hi < NMAX; hi++)
			joint[lo][hi] = (double)hits[lo][hi] / total;
}

static void check_tables(size_t n)
{
	double joint[NMAX][NMAX], v[NMAX], cdf = 0.0, p_l, p_up;
	struct rl_median_law l;

	for (size_t i = 0; i < n; i++)
		v[i] = (double)(n - i);	/* descending: the law sorts */
	CHECK(rl_median_law_init(&l, v, n) == 0, "n %zu: init", n);
	enumerate(n, joint);
	for (size_t i = 0; i < n; i++) {
		p_l = p_up = 0.0;
		for (size_t j = 0; j < n; j++) {
			p_l += joint[i][j];
			p_up += j > i ? joint[i][j] : 0.0;
		}
		cdf += p_l;
		CHECK(l.sorted[i] == (double)(i + 1), "n %zu: sorted[%zu] = %g", n, i, l.sorted[i]);
		CHECK(fabs(l.cdf[i] - cdf) < 1e-12, "n %zu: cdf[%zu] %.15g, counted %.15g", n, i,
		      l.cdf[i], cdf);
		if (n % 2 == 0 && p_l > 0)
			CHECK(fabs(l.split[i] - p_up / p_l) < 1e-12, "n %zu: split[%zu] %.15g, counted %.15g",
			      n, i, l.split[i], p_up / p_l);
	}
	rl_median_law_free(&l);
}

/* The draws: each median value as often as the counted law says, within 5 standard errors. */
static void check_draws(size_t n, unsigned draws)
{
	double joint[NMAX][NMAX], v[NMAX], want[2 * NMAX] = { 0 }, got[2 * NMAX] = { 0 };
	struct rl_median_law l;
	struct boot_rng r;

	for (size_t i = 0; i < n; i++)
		v[i] = (double)i;
	CHECK(rl_median_law_init(&l, v, n) == 0, "n %zu: init", n);
	enumerate(n, joint);
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < n; j++)
			want[i + j] += joint[i][j];
	boot_rng_seed(&r, 5);
	for (unsigned k = 0; k < draws; k++)
		got[(size_t)(2.0 * rl_median_law_draw(&l, &r))] += 1.0 / draws;
	for (size_t s = 0; s < 2 * n; s++)
		CHECK(fabs(got[s] - want[s]) <= 5.0 * sqrt(want[s] * (1 - want[s]) / draws) + 1e-9,
		      "n %zu: median %g drawn %.5f of the time, counted %.5f", n, s / 2.0, got[s],
		      want[s]);
	rl_median_law_free(&l);
}

int main(void)
{
	for (size_t n = 1; n <= NMAX; n++)
		check_tables(n);
	check_draws(5, 200000);
	check_draws(6, 200000);
	check_draws(8, 200000);
	return check_exit();
}
