/* SPDX-License-Identifier: MIT */
/* ringlab watch ID: follow one of ringlabd's runs until it ends. */
#include <stdio.h>

#include "cli.h"
#include "follow.h"
#include "remote.h"

static int watch(const struct rl_remote *r)
{
	return rl_follow_run(r->cmd, &r->t, r->id, stdout);
}

static const struct rl_remote_cmd watch_cmd = {
	.name = "watch",
	.usage = "ringlab watch ID [OPTIONS]",
	.summary = "Follow a run until it ends: an updating progress line on a terminal, a line\n"
		   "per finished cell otherwise. Exit 0 if it ends done, 1 if failed or aborted,\n"
		   "2 for bad usage, an unknown run, or a ringlabd that cannot be reached.",
	.opts = rl_remote_conn_opts,
	.operand = RL_REMOTE_RUN_ID,
	.run = watch,
};

int rl_cmd_watch(int argc, char **argv)
{
	return rl_remote_main(&watch_cmd, NULL, argc, argv);
}
