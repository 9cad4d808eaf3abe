/* SPDX-License-Identifier: MIT */
/* test_hist: bucket bounds, percentile accuracy, merge, mean and edge cases of the latency histogram. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/hist.h"
#include "../lib/check.h"

static const double percentiles[] = { 1, 10, 25, 49.9, 50, 50.1, 75, 90, 99, 99.9 };
#define NPCT (sizeof(percentiles) / sizeof(percentiles[0]))

/* Deterministic values for the test itself (splitmix64). */
static uint64_t test_rand(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

static struct rl_hist *hist_new(void)
{
	struct rl_hist *h = malloc(sizeof(*h));

	if (!h) {
		perror("malloc");
		exit(1);
	}
	rl_hist_init(h);
	return h;
}

static void test_bucket_bounds(void)
{
	unsigned idx, last = RL_HIST_BUCKETS - 1;
	uint64_t low, high;

	CHECK(rl_hist_bucket_low(0) == 0, "bucket 0 does not start at 0");
	CHECK(rl_hist_bucket_high(last) == UINT64_MAX, "last bucket does not end at UINT64_MAX");
	for (idx = 0; idx <= last; idx++) {
		low = rl_hist_bucket_low(idx);
		high = rl_hist_bucket_high(idx);
		CHECK(low <= high, "bucket %u: low %" PRIu64 " > high %" PRIu64, idx, low, high);
		CHECK(rl_hist_index(low) == idx, "bucket %u: index(low %" PRIu64 ") = %u",
		      idx, low, rl_hist_index(low));
		CHECK(rl_hist_index(high) == idx, "bucket %u: index(high %" PRIu64 ") = %u",
		      idx, high, rl_hist_index(high));
		if (idx == last)
			break;
		CHECK(rl_hist_bucket_low(idx + 1) == high + 1,
		      "bucket %u: next low %" PRIu64 " != high + 1 %" PRIu64,
		      idx, rl_hist_bucket_low(idx + 1), high + 1);
		CHECK(rl_hist_index(high + 1) == idx + 1, "bucket %u: index(high + 1) = %u",
		      idx, rl_hist_index(high + 1));
	}
}

/* Nearest-rank percentile of a sorted array, written independently of hist.c. */
static uint64_t exact_percentile(const uint64_t *sorted, size_t n, double p)
{
	size_t rank = (size_t)ceil(p / 100.0 * (double)n);

	if (rank < 1)
		rank = 1;
	return sorted[rank - 1];
}

/* Fill a histogram from @v (sorted afterwards) and compare every percentile. */
static void check_distribution(const char *name, uint64_t *v, size_t n)
{
	struct rl_hist *h = hist_new();
	uint64_t got, want;
	size_t i;

	for (i = 0; i < n; i++)
		rl_hist_add(h, v[i]);
	qsort(v, n, sizeof(*v), cmp_u64);
	CHECK(h->count == n, "%s: count %" PRIu64 " != %zu", name, h->count, n);
	for (i = 0; i < NPCT; i++) {
		got = rl_hist_percentile(h, percentiles[i]);
		want = exact_percentile(v, n, percentiles[i]);
		CHECK(fabs((double)got - (double)want) <= (double)want / 32.0,
		      "%s: p%g = %" PRIu64 ", exact %" PRIu64 " (beyond 1/32)",
		      name, percentiles[i], got, want);
	}
	CHECK(rl_hist_percentile(h, 0) == v[0], "%s: p0 %" PRIu64 " != min %" PRIu64,
	      name, rl_hist_percentile(h, 0), v[0]);
	CHECK(rl_hist_percentile(h, 100) == v[n - 1], "%s: p100 %" PRIu64 " != max %" PRIu64,
	      name, rl_hist_percentile(h, 100), v[n - 1]);
	free(h);
}

static void test_distributions(void)
{
	size_t n = 1000000, i;
	uint64_t *v = malloc(n * sizeof(*v)), seed = 42;

	if (!v) {
		perror("malloc");
		exit(1);
	}
	/* Uniform 1..1e6. */
	for (i = 0; i < n; i++)
		v[i] = i + 1;
	check_distribution("uniform", v, n);

	for (i = 0; i < 1000; i++)
		v[i] = 12345;
	check_distribution("constant", v, 1000);

	/* Two modes far apart, as a cache hit vs a blocking allocation would give. */
	for (i = 0; i < 20000; i++)
		v[i] = i % 2 ? 5000000 + test_rand(&seed) % 1000000 : 1000 + test_rand(&seed) % 1000;
	check_distribution("bimodal", v, 20000);
	free(v);
}

static void test_merge(void)
{
	struct rl_hist *all = hist_new(), *a = hist_new(), *b = hist_new(), *c = hist_new();
	uint64_t seed = 7, v;
	unsigned i;

	for (i = 0; i < 50000; i++) {
		v = test_rand(&seed) % (i % 3 ? 100000 : 100000000000ull);
		rl_hist_add(all, v);
		rl_hist_add(i % 2 ? a : b, v);
	}
	rl_hist_merge(a, b);
	CHECK(memcmp(a, all, sizeof(*a)) == 0, "merge of two halves differs from one histogram");
	CHECK(a->count == 50000, "merged count %" PRIu64, a->count);

	/* Merging into an empty histogram copies it, min included. */
	rl_hist_merge(c, all);
	CHECK(memcmp(c, all, sizeof(*c)) == 0, "merge into an empty histogram is not a copy");
	free(all);
	free(a);
	free(b);
	free(c);
}

static void test_ends_and_mean(void)
{
	static const uint64_t vals[] = { 1000, 5000, 1234567 };
	struct rl_hist *h = hist_new();
	uint64_t mid;
	unsigned i;

	CHECK(h->min == UINT64_MAX && h->max == 0 && h->count == 0 && h->sum == 0,
	      "init: min %" PRIu64 " max %" PRIu64, h->min, h->max);
	CHECK(rl_hist_percentile(h, 0) == 0, "empty: p0 != 0");
	CHECK(rl_hist_percentile(h, 50) == 0, "empty: p50 != 0");
	CHECK(rl_hist_percentile(h, 100) == 0, "empty: p100 != 0");
	CHECK(rl_hist_mean(h) == 0, "empty: mean != 0");

	/* None of these is a bucket midpoint, so p0/p100 must come from min/max. */
	for (i = 0; i < 3; i++)
		rl_hist_add(h, vals[i]);
	CHECK(rl_hist_percentile(h, 0) == 1000, "p0 %" PRIu64 " != 1000", rl_hist_percentile(h, 0));
	CHECK(rl_hist_percentile(h, 100) == 1234567, "p100 %" PRIu64 " != 1234567",
	      rl_hist_percentile(h, 100));
	CHECK(rl_hist_percentile(h, 99.99) <= 1234567, "p99.99 above max");
	CHECK(rl_hist_mean(h) == (1000 + 5000 + 1234567) / 3, "mean %" PRIu64, rl_hist_mean(h));

	/* Inside the range, a percentile is the midpoint of its bucket. */
	rl_hist_init(h);
	for (i = 0; i < 99; i++)
		rl_hist_add(h, 1024);
	rl_hist_add(h, 4096);
	mid = rl_hist_bucket_low(rl_hist_index(1024));
	mid += (rl_hist_bucket_high(rl_hist_index(1024)) - mid) / 2;
	CHECK(mid > 1024 && rl_hist_percentile(h, 50) == mid, "p50 %" PRIu64 " != midpoint %" PRIu64,
	      rl_hist_percentile(h, 50), mid);

	/* Values past the last group land in the last bucket and keep max exact. */
	rl_hist_add(h, UINT64_MAX - 1);
	CHECK(h->buckets[RL_HIST_BUCKETS - 1] == 1, "huge value not in the last bucket");
	CHECK(rl_hist_percentile(h, 100) == UINT64_MAX - 1, "p100 of a huge value");
	CHECK(rl_hist_percentile(h, 99.9) == UINT64_MAX - 1, "p99.9 of a huge value is not max");
	free(h);
}

int main(void)
{
	test_bucket_bounds();
	test_distributions();
	test_merge();
	test_ends_and_mean();
	return check_exit();
}
