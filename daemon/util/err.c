/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "err.h"

int rl_err_set(struct rl_err *e, int err, const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return err;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return err;
}

int rl_err_prefix(struct rl_err *e, int err, const char *fmt, ...)
{
	char prefix[RL_ERR_MSG_MAX];
	char old[RL_ERR_MSG_MAX];
	va_list ap;

	if (!e)
		return err;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, e->msg, sizeof(old));
	snprintf(e->msg, sizeof(e->msg), "%.200s: %.300s", prefix, old);
	return err;
}
