/* SPDX-License-Identifier: MIT */
/* ISO 8601 UTC times with nanoseconds, both ways. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* timegm */
#endif

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "time_fmt.h"

int rl_time_iso(int64_t ns, char *buf, size_t len)
{
	int64_t sec = ns / 1000000000, frac = ns % 1000000000;
	struct tm tm;
	time_t t;
	int n;

	/* Division truncates toward zero; times before 1970 borrow a second. */
	if (frac < 0) {
		frac += 1000000000;
		sec--;
	}
	t = (time_t)sec;
	if (!gmtime_r(&t, &tm))
		return -EOVERFLOW;
	n = snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ", tm.tm_year + 1900,
		     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (long)frac);
	if (n < 0 || (size_t)n >= len)
		return -ENOSPC;
	return n;
}

int rl_time_parse_iso(const char *s, int64_t *ns)
{
	struct tm tm = { 0 };
	int64_t frac = 0, scale = 100000000, v;
	time_t t;
	int n = 0;

	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
		   &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &n) != 6 || !n)
		return -EINVAL;
	s += n;
	if (*s == '.') {
		for (s++; *s >= '0' && *s <= '9'; s++) {
			frac += (*s - '0') * scale;
			scale /= 10;
		}
	}
	if (strcmp(s, "Z") != 0)
		return -EINVAL;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	t = timegm(&tm);
	/* Nanoseconds in an int64_t end in 1677 and 2262; %4d reads years up to 9999. */
	if (__builtin_mul_overflow((int64_t)t, (int64_t)1000000000, &v) ||
	    __builtin_add_overflow(v, frac, &v))
		return -ERANGE;
	*ns = v;
	return 0;
}
