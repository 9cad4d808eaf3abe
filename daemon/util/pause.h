/* SPDX-License-Identifier: MIT */
/*
 * Sleeping until a deadline of CLOCK_MONOTONIC, in short naps that notice a
 * stop request: a periodic thread (the fleet's lease renewals) keeps its
 * period however late each nap wakes, rather than counting naps.
 */
#ifndef RINGLAB_DAEMON_UTIL_PAUSE_H
#define RINGLAB_DAEMON_UTIL_PAUSE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

/* The clock and the nap a pause uses; tests give a fake pair. */
struct rl_pause_clock {
	uint64_t (*now_ns)(void *ctx);		/* monotonic ns */
	void (*nap_ns)(void *ctx, uint64_t ns);	/* sleep about @ns; may wake late */
	void *ctx;
};

/*
 * rl_pause_until() - nap in steps of at most @step_ns until @clock (NULL:
 * CLOCK_MONOTONIC and nanosleep) reads @deadline_ns or later, or until
 * *@stop is set. Returns true when the deadline came, false when stopped.
 */
bool rl_pause_until(uint64_t deadline_ns, uint64_t step_ns, const atomic_bool *stop,
		    const struct rl_pause_clock *clock);

/*
 * rl_pause_next() - the deadline after @prev_ns for a period of @period_ns
 * at time @now_ns: the first @prev_ns + k * @period_ns (k >= 1) after
 * @now_ns. Rounds keep their phase however long each takes; the ones
 * missed (a round that overran, a process stopped meanwhile) are skipped,
 * not run in a burst. A @period_ns of 0 gives @now_ns.
 */
uint64_t rl_pause_next(uint64_t prev_ns, uint64_t period_ns, uint64_t now_ns);

#endif
