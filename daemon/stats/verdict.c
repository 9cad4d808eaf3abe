/* SPDX-License-Identifier: MIT */
/* The verdicts' names: the words every output prints. */
#include "verdict.h"

static const char *const verdict_names[RL_VERDICT_MAX] = {
	[RL_VERDICT_UNCHANGED] = "unchanged",
	[RL_VERDICT_IMPROVED] = "improved",
	[RL_VERDICT_REGRESSED] = "regressed",
	[RL_VERDICT_INSUFFICIENT] = "insufficient",
	[RL_VERDICT_CORRUPT] = "corrupt",
	[RL_VERDICT_EAGAIN] = "eagain-changed",
	[RL_VERDICT_UNSTABLE] = "unstable",
};

const char *rl_verdict_name(enum rl_verdict v)
{
	if ((unsigned)v >= RL_VERDICT_MAX)
		return "unknown";
	return verdict_names[v];
}
