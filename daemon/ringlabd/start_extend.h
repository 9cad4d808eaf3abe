/* SPDX-License-Identifier: MIT */
/*
 * Start-up work that may take minutes (a schema migration of a large
 * store: the v5 one took ten minutes on a store of a thousand runs) must not
 * run into systemd's TimeoutStartSec: while it lasts, a thread asks systemd
 * for more time (EXTEND_TIMEOUT_USEC) every RL_EXTEND_EVERY_S, each time for
 * RL_EXTEND_BY_S, and says what the daemon is doing in STATUS. Outside
 * systemd (no NOTIFY_SOCKET) the messages go nowhere.
 */
#ifndef RINGLAB_DAEMON_RINGLABD_START_EXTEND_H
#define RINGLAB_DAEMON_RINGLABD_START_EXTEND_H

#include <pthread.h>
#include <stdbool.h>

#include "util/err.h"

#define RL_EXTEND_EVERY_S 20
#define RL_EXTEND_BY_S 60

struct rl_start_extend {
	pthread_t thread;
	bool started;
	pthread_mutex_t lock;
	pthread_cond_t done_cond;
	bool done;
	char status[128];
};

/*
 * rl_start_extend_begin() - ask for more start-up time now and every
 * RL_EXTEND_EVERY_S until rl_start_extend_end(), with STATUS=@status.
 * Returns 0, or -errno when the thread cannot start (nothing is asked then).
 */
int rl_start_extend_begin(struct rl_start_extend *x, const char *status, struct rl_err *err);

/* rl_start_extend_end() - stop asking; joins the thread. Fine after a failed begin. */
void rl_start_extend_end(struct rl_start_extend *x);

#endif
