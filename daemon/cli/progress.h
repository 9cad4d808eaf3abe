/* SPDX-License-Identifier: MIT */
/* Progress of a run on the terminal: one updating line on a tty, a line per cell otherwise. */
#ifndef RINGLAB_DAEMON_CLI_PROGRESS_H
#define RINGLAB_DAEMON_CLI_PROGRESS_H

#include <stdbool.h>
#include <stdio.h>

#include "engine/runner.h"

struct rl_term_progress {
	FILE *out;
	bool tty;
	bool quiet;
	bool line_open;		/* a \r line is on screen */
};

/* rl_term_progress_hooks() - hooks for rl_run_opts that write to @p->out. */
struct rl_run_hooks rl_term_progress_hooks(struct rl_term_progress *p);

/* rl_term_progress_end() - finish an open progress line. */
void rl_term_progress_end(struct rl_term_progress *p);

#endif
