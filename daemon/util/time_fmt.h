/* SPDX-License-Identifier: MIT */
/*
 * Wall-clock times as text: ISO 8601 UTC with nanoseconds
 * ("2026-06-26T08:35:00.123456789Z"). Results, comparisons and the store's
 * API all write times this way, and read them back through the same parser,
 * so a time round-trips to the nanosecond.
 */
#ifndef RINGLAB_DAEMON_UTIL_TIME_FMT_H
#define RINGLAB_DAEMON_UTIL_TIME_FMT_H

#include <stddef.h>
#include <stdint.h>

/* Room for any time rl_time_iso() writes (30 characters and the NUL). */
#define RL_TIME_ISO_MAX 32

/*
 * rl_time_iso() - write @ns (nanoseconds since the epoch, UTC) into @buf as
 * "YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ". 0 is the epoch like any other value:
 * callers for whom 0 means "not set" check it first.
 * Returns the length written (without the NUL), -EOVERFLOW when the year
 * cannot be represented, or -ENOSPC when @len is too small (@buf then holds a
 * truncated, NUL-terminated string when @len > 0).
 */
int rl_time_iso(int64_t ns, char *buf, size_t len);

/*
 * rl_time_parse_iso() - the inverse: parse "YYYY-MM-DDTHH:MM:SS[.fraction]Z"
 * into @ns. Fraction digits past the ninth are ignored.
 * Returns 0, -EINVAL when @s is not of that form, or -ERANGE when it is
 * outside what nanoseconds in an int64_t reach (1677-09-21 to 2262-04-11);
 * @ns is untouched on failure.
 */
int rl_time_parse_iso(const char *s, int64_t *ns);

#endif
