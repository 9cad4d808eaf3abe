/* SPDX-License-Identifier: MIT */
/* Sleeping until a CLOCK_MONOTONIC deadline in naps that notice a stop (pause.h). */
#include <time.h>

#include "clock.h"
#include "pause.h"

static uint64_t mono_now(void *ctx)
{
	(void)ctx;
	return rl_now_ns();
}

static void mono_nap(void *ctx, uint64_t ns)
{
	struct timespec ts = { (time_t)(ns / 1000000000), (long)(ns % 1000000000) };

	(void)ctx;
	nanosleep(&ts, NULL);
}

static const struct rl_pause_clock monotonic = { mono_now, mono_nap, NULL };

bool rl_pause_until(uint64_t deadline_ns, uint64_t step_ns, const atomic_bool *stop,
		    const struct rl_pause_clock *clock)
{
	const struct rl_pause_clock *c = clock ? clock : &monotonic;
	uint64_t now;

	/* The clock, not the naps, says when: a nap that wakes late costs no more than its lateness. */
	while ((now = c->now_ns(c->ctx)) < deadline_ns) {
		if (atomic_load(stop))
			return false;
		c->nap_ns(c->ctx, deadline_ns - now < step_ns ? deadline_ns - now : step_ns);
	}
	return !atomic_load(stop);
}

uint64_t rl_pause_next(uint64_t prev_ns, uint64_t period_ns, uint64_t now_ns)
{
	if (!period_ns)
		return now_ns;
	if (prev_ns + period_ns > now_ns)
		return prev_ns + period_ns;
	return prev_ns + ((now_ns - prev_ns) / period_ns + 1) * period_ns;
}
