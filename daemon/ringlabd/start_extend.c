/* SPDX-License-Identifier: MIT */
/* The start-up timeout extended while the store opens (see start_extend.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <systemd/sd-daemon.h>

#include "start_extend.h"

static void *extend_main(void *arg)
{
	struct rl_start_extend *x = arg;
	struct timespec until;

	pthread_mutex_lock(&x->lock);
	while (!x->done) {
		sd_notifyf(0, "EXTEND_TIMEOUT_USEC=%llu\nSTATUS=%s",
			   (unsigned long long)RL_EXTEND_BY_S * 1000000, x->status);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += RL_EXTEND_EVERY_S;
		while (!x->done && pthread_cond_timedwait(&x->done_cond, &x->lock, &until) != ETIMEDOUT)
			;
	}
	pthread_mutex_unlock(&x->lock);
	return NULL;
}

int rl_start_extend_begin(struct rl_start_extend *x, const char *status, struct rl_err *err)
{
	int ret;

	memset(x, 0, sizeof(*x));
	pthread_mutex_init(&x->lock, NULL);
	pthread_cond_init(&x->done_cond, NULL);
	snprintf(x->status, sizeof(x->status), "%s", status);
	ret = -pthread_create(&x->thread, NULL, extend_main, x);
	if (ret)
		return rl_err_set(err, ret, "start-up timeout thread: %s", strerror(-ret));
	x->started = true;
	return 0;
}

void rl_start_extend_end(struct rl_start_extend *x)
{
	if (!x->started)
		return;
	pthread_mutex_lock(&x->lock);
	x->done = true;
	pthread_cond_broadcast(&x->done_cond);
	pthread_mutex_unlock(&x->lock);
	pthread_join(x->thread, NULL);
	x->started = false;
}
