/* SPDX-License-Identifier: MIT */
/*
 * The verdict of a nightly report ("ringlab-nightly-1", written by
 * `ringlab nightly`, stored and served by ringlabd): shared by the CLI that
 * writes reports and the store that checks them, so both spell it alike.
 */
#ifndef RINGLAB_DAEMON_SCHEMA_NIGHTLY_FORMAT_H
#define RINGLAB_DAEMON_SCHEMA_NIGHTLY_FORMAT_H

#include <string.h>

#define RL_NIGHTLY_FORMAT "ringlab-nightly-1"

/*
 * In rising order of severity, so the verdict of a night is the largest of
 * its parts: a run that failed (no kernel, a panic, a failed ringlab) is news,
 * a changed EAGAIN fingerprint more so (it gates like a regression), an IOPS
 * regression more, corruption most.
 */
enum rl_nightly_status {
	RL_NIGHTLY_OK,
	RL_NIGHTLY_FAILED,
	RL_NIGHTLY_EAGAIN,	/* "eagain-changed": an EAGAIN rate moved, either way */
	RL_NIGHTLY_REGRESSED,
	RL_NIGHTLY_CORRUPT,
	RL_NIGHTLY_STATUS_MAX
};

/* rl_nightly_status_name() - "ok" ... "corrupt"; "?" out of range. */
static inline const char *rl_nightly_status_name(enum rl_nightly_status s)
{
	static const char *const names[RL_NIGHTLY_STATUS_MAX] = {
		"ok", "failed", "eagain-changed", "regressed", "corrupt",
	};

	return s < RL_NIGHTLY_STATUS_MAX ? names[s] : "?";
}

/* rl_nightly_status_parse() - the status named @name, or -1. */
static inline int rl_nightly_status_parse(const char *name)
{
	for (int i = 0; name && i < RL_NIGHTLY_STATUS_MAX; i++)
		if (!strcmp(name, rl_nightly_status_name((enum rl_nightly_status)i)))
			return i;
	return -1;
}

#endif
