/* SPDX-License-Identifier: MIT */
/*
 * The one verdict vocabulary: what comparing a base and a head concluded,
 * for one measure (rl_verdict_ratio() in bootstrap.h draws the first four)
 * or one cell (compare/ sets corrupt, eagain-changed and unstable from the
 * EAGAIN rates, and marks a cell whose sides measured different things
 * RL_CMP_INCOMPATIBLE, one past these). The names are the words the API,
 * the text tables and the nightly reports print.
 */
#ifndef RINGLAB_DAEMON_STATS_VERDICT_H
#define RINGLAB_DAEMON_STATS_VERDICT_H

enum rl_verdict {
	RL_VERDICT_UNCHANGED,
	RL_VERDICT_IMPROVED,
	RL_VERDICT_REGRESSED,
	RL_VERDICT_INSUFFICIENT,	/* too few repetitions to say */
	RL_VERDICT_CORRUPT,		/* set by callers: verification failed */
	RL_VERDICT_EAGAIN,		/* "eagain-changed": the EAGAIN rate moved */
	RL_VERDICT_UNSTABLE,		/* a side's repetitions disagree on the EAGAIN rate */
	RL_VERDICT_MAX
};

/*
 * rl_verdict_name() - "unchanged", "improved", "regressed", "insufficient",
 * "corrupt", "eagain-changed" or "unstable"; "unknown" for a value out of
 * range. Never NULL.
 */
const char *rl_verdict_name(enum rl_verdict v);

#endif
