/* SPDX-License-Identifier: MIT */
/* test_stats: median, bootstrap ratio interval, verdicts, and EAGAIN rates judged by repetition (spread, unstable, interval of the difference). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "stats/bootstrap.h"
#include "stats/rates.h"
#include "../lib/check.h"

#define ITER 10000
#define CONF 0.95
#define THRESH 0.05
#define MIN_REPS 3
#define N5 5

/* Multiplicative noise of +/-1% and +/-40%, in two different orders per side. */
static const double low_noise_a[N5] = { 1.00, 1.01, 0.99, 1.005, 0.995 };
static const double low_noise_b[N5] = { 0.99, 1.005, 1.00, 0.995, 1.01 };
static const double high_noise_a[N5] = { 0.6, 1.4, 1.0, 0.8, 1.2 };
static const double high_noise_b[N5] = { 1.2, 0.6, 1.0, 1.4, 0.8 };

static void scale(double *out, const double *noise, size_t n, double level)
{
	size_t i;

	for (i = 0; i < n; i++)
		out[i] = level * noise[i];
}

/* Bootstrap base ~ @b_level and head ~ @h_level; fails the test on an error. */
static int boot(const double *b_noise, double b_level, const double *h_noise, double h_level,
		size_t n, uint64_t seed, struct rl_ratio_ci *ci)
{
	double base[16], head[16];
	int ret;

	scale(base, b_noise, n, b_level);
	scale(head, h_noise, n, h_level);
	ret = rl_bootstrap_ratio(base, n, head, n, ITER, CONF, seed, ci);
	CHECK(ret == 0, "rl_bootstrap_ratio(%g vs %g) = %d", b_level, h_level, ret);
	return ret;
}

static void test_median(void)
{
	double odd[] = { 3, 1, 2 }, even[] = { 4, 1, 3, 2 }, one[] = { 7 };

	CHECK(rl_median(odd, 3) == 2.0, "median of 3,1,2 = %g", rl_median(odd, 3));
	CHECK(odd[0] == 1 && odd[1] == 2 && odd[2] == 3, "rl_median did not sort in place");
	CHECK(rl_median(even, 4) == 2.5, "median of 4,1,3,2 = %g", rl_median(even, 4));
	CHECK(rl_median(one, 1) == 7.0, "median of one value");
	CHECK(isnan(rl_median(NULL, 0)), "median of nothing is not NAN");
}

static void test_identical(void)
{
	struct rl_ratio_ci ci;

	if (boot(low_noise_a, 1000, low_noise_a, 1000, N5, 1, &ci))
		return;
	CHECK(ci.ratio == 1.0, "identical: ratio %g", ci.ratio);
	/* Resampling either side moves the ratio both ways, so 1 is strictly inside. */
	CHECK(ci.lo < 1.0 && ci.hi > 1.0, "identical: CI [%g, %g] does not contain 1", ci.lo, ci.hi);
	CHECK(ci.n_base == N5 && ci.n_head == N5, "identical: n %u/%u", ci.n_base, ci.n_head);
	CHECK(rl_verdict_ratio(&ci, THRESH, true, MIN_REPS) == RL_VERDICT_UNCHANGED,
	      "identical: IOPS verdict not unchanged");
	CHECK(rl_verdict_ratio(&ci, THRESH, false, MIN_REPS) == RL_VERDICT_UNCHANGED,
	      "identical: latency verdict not unchanged");
}

static void test_shift(void)
{
	struct rl_ratio_ci ci;

	/* IOPS drop by 20%: a regression; for a latency the same numbers improve. */
	if (!boot(low_noise_a, 1000, low_noise_b, 800, N5, 1, &ci)) {
		CHECK(fabs(ci.ratio - 0.8) < 1e-9, "drop: ratio %g", ci.ratio);
		CHECK(ci.lo < ci.ratio && ci.ratio < ci.hi, "drop: ratio %g not inside (%g, %g)",
		      ci.ratio, ci.lo, ci.hi);
		CHECK(ci.hi < 1.0 - THRESH, "drop: hi %g not below 0.95", ci.hi);
		CHECK(rl_verdict_ratio(&ci, THRESH, true, MIN_REPS) == RL_VERDICT_REGRESSED,
		      "drop: IOPS verdict %s", rl_verdict_name(rl_verdict_ratio(&ci, THRESH, true, MIN_REPS)));
		CHECK(rl_verdict_ratio(&ci, THRESH, false, MIN_REPS) == RL_VERDICT_IMPROVED,
		      "drop: latency verdict %s", rl_verdict_name(rl_verdict_ratio(&ci, THRESH, false, MIN_REPS)));
	}
	/* IOPS rise by 20%: an improvement; a latency rise is a regression. */
	if (!boot(low_noise_a, 1000, low_noise_b, 1200, N5, 1, &ci)) {
		CHECK(ci.lo > 1.0 + THRESH, "rise: lo %g not above 1.05", ci.lo);
		CHECK(rl_verdict_ratio(&ci, THRESH, true, MIN_REPS) == RL_VERDICT_IMPROVED,
		      "rise: IOPS verdict %s", rl_verdict_name(rl_verdict_ratio(&ci, THRESH, true, MIN_REPS)));
		CHECK(rl_verdict_ratio(&ci, THRESH, false, MIN_REPS) == RL_VERDICT_REGRESSED,
		      "rise: latency verdict %s", rl_verdict_name(rl_verdict_ratio(&ci, THRESH, false, MIN_REPS)));
	}
}

static void test_noise_and_threshold(void)
{
	static const double tiny_a[N5] = { 1.0, 1.001, 0.999, 1.0005, 0.9995 };
	struct rl_ratio_ci ci;

	/* +3% under +/-40% noise: the interval straddles 1, nothing to report. */
	if (!boot(high_noise_a, 1000, high_noise_b, 1030, N5, 1, &ci)) {
		CHECK(ci.lo < 1.0 && ci.hi > 1.0, "noisy: CI [%g, %g] does not contain 1", ci.lo, ci.hi);
		CHECK(rl_verdict_ratio(&ci, THRESH, true, MIN_REPS) == RL_VERDICT_UNCHANGED,
		      "noisy: verdict %s", rl_verdict_name(rl_verdict_ratio(&ci, THRESH, true, MIN_REPS)));
	}
	/* -3% with almost no noise: 1 is excluded, but not by the 5% threshold. */
	if (!boot(tiny_a, 1000, tiny_a, 970, N5, 1, &ci)) {
		CHECK(ci.hi < 1.0, "small shift: hi %g not below 1", ci.hi);
		CHECK(rl_verdict_ratio(&ci, THRESH, true, MIN_REPS) == RL_VERDICT_UNCHANGED,
		      "small shift, 5%%: verdict %s", rl_verdict_name(rl_verdict_ratio(&ci, THRESH, true, MIN_REPS)));
		CHECK(rl_verdict_ratio(&ci, 0.01, true, MIN_REPS) == RL_VERDICT_REGRESSED,
		      "small shift, 1%%: verdict %s", rl_verdict_name(rl_verdict_ratio(&ci, 0.01, true, MIN_REPS)));
	}
	/* The same for +3%. */
	if (!boot(tiny_a, 1000, tiny_a, 1030, N5, 1, &ci)) {
		CHECK(ci.lo > 1.0, "small rise: lo %g not above 1", ci.lo);
		CHECK(rl_verdict_ratio(&ci, THRESH, true, MIN_REPS) == RL_VERDICT_UNCHANGED,
		      "small rise, 5%%: verdict %s", rl_verdict_name(rl_verdict_ratio(&ci, THRESH, true, MIN_REPS)));
		CHECK(rl_verdict_ratio(&ci, 0.01, true, MIN_REPS) == RL_VERDICT_IMPROVED,
		      "small rise, 1%%: verdict %s", rl_verdict_name(rl_verdict_ratio(&ci, 0.01, true, MIN_REPS)));
	}
}

static void test_insufficient(void)
{
	double base[3] = { 1000, 1001, 999 }, head[3] = { 500, 501, 499 };
	struct rl_ratio_ci ci;
	int ret;

	/* A clear 50% drop, but two repetitions are not enough to call it. */
	ret = rl_bootstrap_ratio(base, 2, head, 2, ITER, CONF, 1, &ci);
	CHECK(ret == 0, "2 reps: %d", ret);
	CHECK(rl_verdict_ratio(&ci, THRESH, true, MIN_REPS) == RL_VERDICT_INSUFFICIENT,
	      "2 vs 2 reps: verdict %s", rl_verdict_name(rl_verdict_ratio(&ci, THRESH, true, MIN_REPS)));
	ret = rl_bootstrap_ratio(base, 3, head, 2, ITER, CONF, 1, &ci);
	CHECK(ret == 0, "3 vs 2 reps: %d", ret);
	CHECK(rl_verdict_ratio(&ci, THRESH, true, MIN_REPS) == RL_VERDICT_INSUFFICIENT,
	      "3 vs 2 reps: verdict %s", rl_verdict_name(rl_verdict_ratio(&ci, THRESH, true, MIN_REPS)));
	ret = rl_bootstrap_ratio(base, 2, head, 3, ITER, CONF, 1, &ci);
	CHECK(ret == 0, "2 vs 3 reps: %d", ret);
	CHECK(rl_verdict_ratio(&ci, THRESH, true, MIN_REPS) == RL_VERDICT_INSUFFICIENT,
	      "2 vs 3 reps: verdict %s", rl_verdict_name(rl_verdict_ratio(&ci, THRESH, true, MIN_REPS)));
	ret = rl_bootstrap_ratio(base, 3, head, 3, ITER, CONF, 1, &ci);
	CHECK(ret == 0, "3 vs 3 reps: %d", ret);
	CHECK(rl_verdict_ratio(&ci, THRESH, true, MIN_REPS) == RL_VERDICT_REGRESSED,
	      "3 vs 3 reps: verdict %s", rl_verdict_name(rl_verdict_ratio(&ci, THRESH, true, MIN_REPS)));
	CHECK(rl_verdict_ratio(NULL, THRESH, true, MIN_REPS) == RL_VERDICT_INSUFFICIENT,
	      "NULL interval not insufficient");
}

static void test_reproducible(void)
{
	double base[30], head[30];
	struct rl_ratio_ci a, b, c;
	bool differs = false;
	uint64_t seed;
	int i;

	for (i = 0; i < 30; i++) {
		base[i] = 1000 + 37 * ((i * 7) % 30);
		head[i] = 1050 + 41 * ((i * 11) % 30);
	}
	CHECK(rl_bootstrap_ratio(base, 30, head, 30, 1000, CONF, 99, &a) == 0, "seed 99 run 1");
	CHECK(rl_bootstrap_ratio(base, 30, head, 30, 1000, CONF, 99, &b) == 0, "seed 99 run 2");
	CHECK(a.lo == b.lo && a.hi == b.hi, "same seed: [%.17g, %.17g] vs [%.17g, %.17g]",
	      a.lo, a.hi, b.lo, b.hi);
	/* The seed must be used: some other seed moves an end of the interval. */
	for (seed = 100; seed < 120 && !differs; seed++) {
		CHECK(rl_bootstrap_ratio(base, 30, head, 30, 1000, CONF, seed, &c) == 0, "seed %lu",
		      (unsigned long)seed);
		differs = c.lo != a.lo || c.hi != a.hi;
	}
	CHECK(differs, "20 other seeds all gave the interval of seed 99");
}

static void test_bootstrap_invalid(void)
{
	double ok[3] = { 1, 2, 3 }, zeros[3] = { 0, 0, 0 }, neg[3] = { 1, -2, 3 };
	double bad[3] = { 1, NAN, 3 }, inf[3] = { 1, INFINITY, 3 };
	struct rl_ratio_ci ci;

	CHECK(rl_bootstrap_ratio(ok, 0, ok, 3, ITER, CONF, 1, &ci) == -EINVAL, "empty base accepted");
	CHECK(rl_bootstrap_ratio(ok, 3, ok, 0, ITER, CONF, 1, &ci) == -EINVAL, "empty head accepted");
	CHECK(rl_bootstrap_ratio(zeros, 3, ok, 3, ITER, CONF, 1, &ci) == -EINVAL, "zero base median accepted");
	CHECK(rl_bootstrap_ratio(neg, 3, ok, 3, ITER, CONF, 1, &ci) == -EINVAL, "negative value accepted");
	CHECK(rl_bootstrap_ratio(ok, 3, bad, 3, ITER, CONF, 1, &ci) == -EINVAL, "NAN accepted");
	CHECK(rl_bootstrap_ratio(ok, 3, inf, 3, ITER, CONF, 1, &ci) == -EINVAL, "INFINITY accepted");
	CHECK(rl_bootstrap_ratio(ok, 3, ok, 3, 0, CONF, 1, &ci) == -EINVAL, "0 iterations accepted");
	CHECK(rl_bootstrap_ratio(ok, 3, ok, 3, ITER, 0.0, 1, &ci) == -EINVAL, "confidence 0 accepted");
	CHECK(rl_bootstrap_ratio(ok, 3, ok, 3, ITER, 1.0, 1, &ci) == -EINVAL, "confidence 1 accepted");
	CHECK(rl_bootstrap_ratio(ok, 3, ok, 3, ITER, CONF, 1, NULL) == -EINVAL, "NULL out accepted");
	/* A zero head median is a valid answer (nothing completed): ratio 0. */
	CHECK(rl_bootstrap_ratio(ok, 3, zeros, 3, ITER, CONF, 1, &ci) == 0 && ci.ratio == 0.0 &&
	      ci.hi == 0.0, "zero head: ratio %g hi %g", ci.ratio, ci.hi);
}

static void test_verdict_names(void)
{
	static const char *const want[RL_VERDICT_MAX] = {
		"unchanged", "improved", "regressed", "insufficient", "corrupt", "eagain-changed",
		"unstable"
	};
	int v;

	for (v = 0; v < RL_VERDICT_MAX; v++)
		CHECK(strcmp(rl_verdict_name(v), want[v]) == 0, "verdict %d named %s", v,
		      rl_verdict_name(v));
	CHECK(strcmp(rl_verdict_name(RL_VERDICT_MAX), "unknown") == 0, "out-of-range verdict name");
}

static void test_rate_spread(void)
{
	const double cold[3] = { 1.0, 0.0, 1.0 }, timing[3] = { 0.40, 0.55, 0.47 };
	const double same[3] = { 0.016, 0.016, 0.016 }, bad[2] = { 0.5, 1.5 };
	const double nan_[2] = { 0.5, NAN }, edge[2] = { 0.3, 0.5 };
	struct rl_rate_spread sp;

	CHECK(rl_rate_spread(cold, 3, &sp) == 0, "spread of 1, 0, 1");
	CHECK(fabs(sp.mean - 2.0 / 3.0) < 1e-12 && sp.min == 0.0 && sp.max == 1.0 && sp.n == 3,
	      "1, 0, 1: mean %g min %g max %g", sp.mean, sp.min, sp.max);
	CHECK(fabs(sp.sd - sqrt(1.0 / 3.0)) < 1e-12, "1, 0, 1: sd %g", sp.sd);
	CHECK(rl_rate_unstable(&sp), "100/0/100%% is not unstable");
	CHECK(rl_rate_spread(timing, 3, &sp) == 0 && !rl_rate_unstable(&sp),
	      "40/55/47%%: a 15-point spread is unstable");
	CHECK(rl_rate_spread(same, 3, &sp) == 0 && sp.sd == 0.0 && !rl_rate_unstable(&sp),
	      "equal reps: sd %g", sp.sd);
	CHECK(rl_rate_spread(edge, 2, &sp) == 0 && !rl_rate_unstable(&sp),
	      "a spread of exactly the threshold is unstable");
	CHECK(rl_rate_spread(cold, 1, &sp) == 0 && !rl_rate_unstable(&sp) && sp.sd == 0.0,
	      "one rep is never unstable");
	CHECK(rl_rate_spread(cold, 0, &sp) == -EINVAL, "no reps accepted");
	CHECK(rl_rate_spread(bad, 2, &sp) == -EINVAL, "a rate of 1.5 accepted");
	CHECK(rl_rate_spread(nan_, 2, &sp) == -EINVAL, "a NaN rate accepted");
	CHECK(rl_rate_spread(cold, 3, NULL) == -EINVAL, "NULL out accepted");
}

static void test_rate_diff(void)
{
	const double all[3] = { 1, 1, 1 }, none[3] = { 0, 0, 0 };
	const double tb[3] = { 0.40, 0.55, 0.47 }, th[3] = { 0.50, 0.45, 0.58 };
	const double small_b[3] = { 0.016, 0.016, 0.016 };
	struct rl_rate_diff d, d2;
	double lo, hi;

	CHECK(rl_rate_diff(all, 3, all, 3, ITER, 0.99, 7, &d) == 0, "100%% vs 100%%");
	CHECK(d.diff_pp == 0.0 && d.lo_pp == 0.0 && d.hi_pp == 0.0 && !rl_rate_clears(&d, 5.0),
	      "100%% vs 100%%: %g [%g, %g]", d.diff_pp, d.lo_pp, d.hi_pp);
	CHECK(rl_rate_diff(none, 3, all, 3, ITER, 0.99, 7, &d) == 0, "0%% vs 100%%");
	CHECK(d.diff_pp == 100.0 && d.lo_pp == 100.0 && rl_rate_clears(&d, 5.0),
	      "0%% vs 100%%: %g [%g, %g]", d.diff_pp, d.lo_pp, d.hi_pp);
	CHECK(rl_rate_diff(all, 3, none, 3, ITER, 0.99, 7, &d) == 0 && rl_rate_clears(&d, 5.0) &&
	      d.hi_pp == -100.0, "100%% vs 0%%: a fall is a change too");
	/* Timing noise: the interval holds 0. */
	CHECK(rl_rate_diff(tb, 3, th, 3, ITER, 0.99, 7, &d) == 0, "timing noise");
	CHECK(d.lo_pp < 0.0 && d.hi_pp > 0.0 && !rl_rate_clears(&d, 5.0),
	      "timing noise: [%g, %g] excludes 0", d.lo_pp, d.hi_pp);
	/* 1.6% every time vs 0% every time: real, but below the 5-point margin. */
	CHECK(rl_rate_diff(small_b, 3, none, 3, ITER, 0.99, 7, &d) == 0 && !rl_rate_clears(&d, 5.0)
	      && rl_rate_clears(&d, 1.0), "1.6 points: [%g, %g]", d.lo_pp, d.hi_pp);
	CHECK(rl_rate_diff(tb, 3, th, 3, ITER, 0.99, 7, &d2) == 0, "same seed");
	CHECK(rl_rate_diff(tb, 3, th, 3, ITER, 0.99, 7, &d) == 0 && d.lo_pp == d2.lo_pp &&
	      d.hi_pp == d2.hi_pp, "same seed, other interval");
	CHECK(rl_rate_diff(tb, 0, th, 3, ITER, 0.99, 7, &d) == -EINVAL, "empty base accepted");
	CHECK(rl_rate_diff(tb, 3, th, 3, 0, 0.99, 7, &d) == -EINVAL, "0 iterations accepted");
	CHECK(rl_bootstrap_mean_diff(tb, 3, th, 3, ITER, 1.0, 7, &lo, &hi) == -EINVAL,
	      "confidence 1 accepted");
	CHECK(rl_bootstrap_mean_diff(tb, 3, th, 3, ITER, 0.9, 7, NULL, &hi) == -EINVAL,
	      "NULL lo accepted");
}

/* Informational, not asserted: what one compare cell costs. */
static void report_runtime(void)
{
	double base[N5], head[N5], ms;
	struct timespec t0, t1;
	struct rl_ratio_ci ci;

	scale(base, low_noise_a, N5, 1000);
	scale(head, low_noise_b, N5, 900);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK(rl_bootstrap_ratio(base, N5, head, N5, ITER, CONF, 1, &ci) == 0, "timed bootstrap");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	printf("bootstrap, %d iterations, 5+5 samples: %.3f ms\n", ITER, ms);
}

static void pooled_samples(double *b, double *h)
{
	for (int i = 0; i < 41; i++)
		b[i] = 1000.0 + (double)((i * 37) % 13) * 12.5;
	for (int i = 0; i < 40; i++)
		h[i] = 1040.0 + (double)((i * 11) % 17) * 9.25;
}

/*
 * Sides of up to 16 values (one run's repetitions, a few runs pooled)
 * resample as they always did: the intervals are to the bit those the
 * code before the median's law and the 32-bit draws gave (the numbers
 * were printed by it, from the same seeds).
 */
static void test_few_same_as_before(void)
{
	static const struct {
		size_t nb, nh;
		uint64_t seed;
		double ratio, lo, hi;
	} want[] = {
		{ 3, 3, 10, 0.97640449438202248, 0.91428571428571426, 1.14175 },
		{ 5, 4, 11, 1.024367816091954, 0.95494505494505499, 1.1181176470588234 },
		{ 16, 16, 12, 1.0345664739884393, 0.98192090395480225, 1.0894610778443115 },
	};
	static const struct {
		size_t nb, nh;
		uint64_t seed;
		double lo, hi;
	} mean[] = {
		{ 3, 3, 21, -0.29999999999999999, 0.27777777777777773 },
		{ 5, 4, 22, -0.23999999999999999, 0.33500000000000002 },
	};
	double b[41], h[40], rb[5], rh[5], lo, hi;
	struct rl_ratio_ci ci;

	pooled_samples(b, h);
	for (size_t k = 0; k < sizeof(want) / sizeof(want[0]); k++) {
		CHECK(rl_bootstrap_ratio(b, want[k].nb, h, want[k].nh, ITER, CONF, want[k].seed, &ci) == 0,
		      "%zu vs %zu", want[k].nb, want[k].nh);
		CHECK(ci.ratio == want[k].ratio && ci.lo == want[k].lo && ci.hi == want[k].hi,
		      "%zu vs %zu: %.17g [%.17g, %.17g], want %.17g [%.17g, %.17g]", want[k].nb,
		      want[k].nh, ci.ratio, ci.lo, ci.hi, want[k].ratio, want[k].lo, want[k].hi);
	}
	for (int i = 0; i < 5; i++) {
		rb[i] = ((i * 7) % 10) / 20.0;
		rh[i] = ((i * 3) % 11) / 18.0;
	}
	for (size_t k = 0; k < sizeof(mean) / sizeof(mean[0]); k++) {
		CHECK(rl_bootstrap_mean_diff(rb, mean[k].nb, rh, mean[k].nh, ITER, 0.99, mean[k].seed,
					     &lo, &hi) == 0, "mean %zu vs %zu", mean[k].nb, mean[k].nh);
		CHECK(lo == mean[k].lo && hi == mean[k].hi,
		      "mean %zu vs %zu: [%.17g, %.17g], want [%.17g, %.17g]", mean[k].nb, mean[k].nh,
		      lo, hi, mean[k].lo, mean[k].hi);
	}
}

/*
 * Pooled sides (more than 16 values) draw their medians from the median's
 * law and their indices 32 bits at a time: the same resampling law, other
 * draws. The interval the earlier code gave (printed by it, drawing each
 * value and counting ranks) must lie where a 10,000-resample estimate of
 * the same quantile lies: within the new resamples' quantiles @spread
 * either side of it (for the ratio at 2.5%, 1.25 points: 8 standard errors
 * of a quantile estimate's rank, sqrt(10000 * 0.025 * 0.975) ~ 16 ranks).
 * The same seed gives the same resamples at every confidence, so the
 * quantiles come from asking at a wider and a narrower confidence.
 */
static void test_pooled_within_noise(void)
{
	static const struct {
		size_t nb, nh;
		uint64_t seed;
		double lo, hi;
	} before[] = {
		{ 41, 40, 7, 1.0001136363636363, 1.070235294117647 },
		{ 41, 3, 8, 0.95632183908045976, 1.0745882352941176 },
		{ 5, 40, 9, 0.97527472527472525, 1.1140000000000001 },
	}, mean_before[] = {
		{ 40, 40, 23, -0.04847638888888893, 0.13819930555555485 },
		{ 3, 40, 24, -0.10833333333333328, 0.29999999999999993 },
	};
	struct rl_ratio_ci wide, narrow;
	double b[41], h[40], rb[40], rh[40], wlo, whi, nlo, nhi;

	pooled_samples(b, h);
	for (size_t k = 0; k < sizeof(before) / sizeof(before[0]); k++) {
		CHECK(rl_bootstrap_ratio(b, before[k].nb, h, before[k].nh, ITER, CONF + 0.025,
					 before[k].seed, &wide) == 0 &&
		      rl_bootstrap_ratio(b, before[k].nb, h, before[k].nh, ITER, CONF - 0.025,
					 before[k].seed, &narrow) == 0, "pooled %zu vs %zu", before[k].nb,
		      before[k].nh);
		CHECK(wide.lo <= before[k].lo && before[k].lo <= narrow.lo &&
		      narrow.hi <= before[k].hi && before[k].hi <= wide.hi,
		      "pooled %zu vs %zu: before [%.17g, %.17g], now lo in [%.17g, %.17g], hi in [%.17g, %.17g]",
		      before[k].nb, before[k].nh, before[k].lo, before[k].hi, wide.lo, narrow.lo,
		      narrow.hi, wide.hi);
	}
	for (int i = 0; i < 40; i++) {
		rb[i] = ((i * 7) % 10) / 20.0;
		rh[i] = ((i * 3) % 11) / 18.0;
	}
	/* At 99%: 0.5% +/- 0.4 points, 6 standard errors of the rank (7 ranks). */
	for (size_t k = 0; k < sizeof(mean_before) / sizeof(mean_before[0]); k++) {
		size_t nb = mean_before[k].nb, nh = mean_before[k].nh;

		CHECK(rl_bootstrap_mean_diff(rb, nb, rh, nh, ITER, 0.998, mean_before[k].seed, &wlo,
					     &whi) == 0 &&
		      rl_bootstrap_mean_diff(rb, nb, rh, nh, ITER, 0.982, mean_before[k].seed, &nlo,
					     &nhi) == 0, "mean %zu vs %zu", nb, nh);
		CHECK(wlo <= mean_before[k].lo && mean_before[k].lo <= nlo &&
		      nhi <= mean_before[k].hi && mean_before[k].hi <= whi,
		      "mean %zu vs %zu: before [%.17g, %.17g], now lo in [%.17g, %.17g], hi in [%.17g, %.17g]",
		      nb, nh, mean_before[k].lo, mean_before[k].hi, wlo, nlo, nhi, whi);
	}
}

int main(void)
{
	test_median();
	test_few_same_as_before();
	test_pooled_within_noise();
	test_identical();
	test_shift();
	test_noise_and_threshold();
	test_insufficient();
	test_reproducible();
	test_bootstrap_invalid();
	test_verdict_names();
	test_rate_spread();
	test_rate_diff();
	report_runtime();
	return check_exit();
}
