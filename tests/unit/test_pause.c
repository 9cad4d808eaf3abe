/* SPDX-License-Identifier: MIT */
/* test_pause: a pause ends at its deadline on the clock however late each nap wakes (a loaded machine, a stopped process), ends early on a stop, and periodic deadlines keep their phase without bursts. */
#include <stdio.h>

#include "util/clock.h"
#include "util/pause.h"
#include "../lib/check.h"

#define MS 1000000ull
#define STEP (100 * MS)

/* A clock that only naps move: each nap lasts @late times what it asked, the @jump'th one @jump_ns more. */
struct fake {
	uint64_t now, late, jump_ns;
	int naps, jump, stop_after;
	atomic_bool *stop;
};

static uint64_t fake_now(void *ctx)
{
	return ((struct fake *)ctx)->now;
}

static void fake_nap(void *ctx, uint64_t ns)
{
	struct fake *f = ctx;

	f->now += ns * f->late;
	if (++f->naps == f->jump)
		f->now += f->jump_ns;
	if (f->stop && f->naps == f->stop_after)
		atomic_store(f->stop, true);
}

/* Pause 1 s from t = 5 s on the fake clock @f; returns what rl_pause_until() said. */
static bool pause_1s(struct fake *f, atomic_bool *stop)
{
	const struct rl_pause_clock c = { fake_now, fake_nap, f };

	f->now = 5000 * MS;
	return rl_pause_until(6000 * MS, STEP, stop, &c);
}

static void test_slow_naps(void)
{
	atomic_bool stop = false;
	struct fake f = { .late = 3 };
	bool came = pause_1s(&f, &stop);

	/* Counting ten 100 ms naps, each 300 ms long, would end at t = 8 s. */
	CHECK(came && f.now >= 6000 * MS && f.now < 6000 * MS + f.late * STEP,
	      "naps three times late: the pause ended at %llu ms, deadline 6000 ms",
	      (unsigned long long)(f.now / MS));
	CHECK(f.naps <= 4, "%d naps of a 1 s pause 3x late", f.naps);
}

static void test_stopped_process(void)
{
	atomic_bool stop = false;
	/* SIGSTOP for 20 s during the second nap: the clock moved on, the pause ends at SIGCONT. */
	struct fake f = { .late = 1, .jump = 2, .jump_ns = 20000 * MS };

	CHECK(pause_1s(&f, &stop) && f.naps == 2, "stopped 20 s: %d naps after the deadline", f.naps);
}

static void test_stop(void)
{
	atomic_bool stop = false;
	struct fake f = { .late = 1, .stop = &stop, .stop_after = 3 };

	CHECK(!pause_1s(&f, &stop) && f.naps == 3 && f.now < 6000 * MS,
	      "a stop after 3 naps: %d naps, at %llu ms", f.naps, (unsigned long long)(f.now / MS));
	f = (struct fake){ .late = 1 };
	CHECK(!pause_1s(&f, &stop) && !f.naps, "stopped before: %d naps", f.naps);
}

static void test_real_clock(void)
{
	atomic_bool stop = false;
	uint64_t deadline = rl_now_ns() + 30 * MS;

	CHECK(rl_pause_until(deadline, 10 * MS, &stop, NULL) && rl_now_ns() >= deadline,
	      "CLOCK_MONOTONIC: ended before its deadline");
}

static void test_next(void)
{
	const uint64_t p = 1000 * MS;

	CHECK(rl_pause_next(0, p, 300 * MS) == p, "a round of 300 ms moves the next one");
	CHECK(rl_pause_next(0, p, 1500 * MS) == 2 * p, "an overrun of 500 ms");
	/* Stopped 20.5 periods: one round at once, then back in phase, no burst of 20. */
	CHECK(rl_pause_next(0, p, 20500 * MS) == 21 * p, "20 missed rounds: %llu ms",
	      (unsigned long long)(rl_pause_next(0, p, 20500 * MS) / MS));
	CHECK(rl_pause_next(0, p, p) == 2 * p, "at the deadline itself");
	CHECK(rl_pause_next(7, 0, 42) == 42, "a period of 0");
}

int main(void)
{
	test_slow_naps();
	test_stopped_process();
	test_stop();
	test_real_clock();
	test_next();
	return check_exit();
}
