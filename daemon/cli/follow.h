/* SPDX-License-Identifier: MIT */
/*
 * Following one of ringlabd's runs to its end on a terminal: its events as
 * the progress line and the cell lines `ringlab run` prints, the stream
 * resumed when it breaks, then a one-line summary. `ringlab watch` and
 * `ringlab submit --wait` both use it.
 */
#ifndef RINGLAB_DAEMON_CLI_FOLLOW_H
#define RINGLAB_DAEMON_CLI_FOLLOW_H

#include <stdint.h>
#include <stdio.h>

#include "client/url.h"
#include "remote.h"

/*
 * rl_follow_run() - watch run @id at @t to its end on @out and print its
 * summary there; errors are printed as @cmd's. Returns RL_EXIT_OK when it
 * ended done, RL_EXIT_FAIL when failed or aborted, or an error's exit
 * status (rl_remote_failed()).
 */
int rl_follow_run(const struct rl_remote_cmd *cmd, const struct rl_client_target *t, int64_t id,
		  FILE *out);

#endif
