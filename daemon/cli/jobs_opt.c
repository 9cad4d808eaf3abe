/* SPDX-License-Identifier: MIT */
/* --jobs LIST, for run and submit. */
#include <stdio.h>
#include <string.h>

#include "engine/workload.h"
#include "jobs_opt.h"
#include "util/options.h"

int rl_jobs_opt(const char *arg, uint32_t jobs[RL_JOBS_LIST_MAX], uint32_t *njobs,
		struct rl_err *err)
{
	char buf[256], *save = NULL, *tok;

	snprintf(buf, sizeof(buf), "%s", arg);
	*njobs = 0;
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (*njobs == RL_JOBS_LIST_MAX)
			return rl_err_set(err, -EINVAL, "option --jobs: at most %d values",
					  RL_JOBS_LIST_MAX);
		if (rl_opt_u32("jobs", tok, 1, 256, &jobs[(*njobs)++], err) < 0)
			return -EINVAL;
	}
	if (!*njobs)
		return rl_err_set(err, -EINVAL, "option --jobs: empty list");
	/* Said here, as the option's, not later as a key of every workload it replaces. */
	if (rl_jobs_repeated(jobs, *njobs))
		return rl_err_set(err, -EINVAL, "option --jobs: %u appears twice",
				  rl_jobs_repeated(jobs, *njobs));
	return 0;
}
