/* SPDX-License-Identifier: MIT */
/* --jobs LIST: the JOBS sweep that `ringlab run` and `ringlab submit` take, parsed one way. */
#ifndef RINGLAB_DAEMON_CLI_JOBS_OPT_H
#define RINGLAB_DAEMON_CLI_JOBS_OPT_H

#include <stdint.h>

#include "engine/workload.h"
#include "util/err.h"

/*
 * rl_jobs_opt() - parse @arg ("1,2,4,8", each 1..256, at most
 * RL_JOBS_LIST_MAX) into @jobs and *@njobs. Returns 0, or -EINVAL with
 * "option --jobs: reason" in @err.
 */
int rl_jobs_opt(const char *arg, uint32_t jobs[RL_JOBS_LIST_MAX], uint32_t *njobs,
		struct rl_err *err);

#endif
