/* SPDX-License-Identifier: MIT */
/*
 * Error context: a negative errno travels up the call chain, and the message
 * that goes with it ("file X, key Y: must be ...") travels in struct rl_err.
 * Only the programs' edges print it.
 */
#ifndef RINGLAB_DAEMON_UTIL_ERR_H
#define RINGLAB_DAEMON_UTIL_ERR_H

#include <errno.h>

#define RL_ERR_MSG_MAX 512

struct rl_err {
	char msg[RL_ERR_MSG_MAX];
};

/*
 * rl_err_set() - record a message for @err (a negative errno).
 * Returns @err unchanged, so callers can write `return rl_err_set(e, -EINVAL, ...)`.
 * @e may be NULL.
 */
int rl_err_set(struct rl_err *e, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * rl_err_prefix() - prepend "PREFIX: " to the message already in @e
 * (used by loaders to add the file name). Returns @err.
 */
int rl_err_prefix(struct rl_err *e, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Wrap a libc return value: -errno on failure, the value otherwise. */
static inline int rl_neg_errno(int ret)
{
	return ret < 0 ? -errno : ret;
}

#endif
