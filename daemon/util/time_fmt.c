/* SPDX-License-Identifier: MIT */
/* ISO 8601 UTC times with nanoseconds, both ways. */
#include <errno.h>
#include <stdbool.h>
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

/* The number written by the @n digits at @s (checked to be digits). */
static int digits(const char *s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

static int days_in_month(int year, int month)
{
	static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

	return days[month - 1] + (month == 2 && leap);
}

/* Days from 1970-01-01 to @y-@m-@d in the proleptic Gregorian calendar. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

int rl_time_parse_iso(const char *s, int64_t *ns)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:dd";
	int year, mon, day, hour, min, sec;
	int64_t frac = 0, scale = 100000000, t;

	for (size_t i = 0; i < sizeof(shape) - 1; i++)
		if (!s[i] || (shape[i] == 'd' ? s[i] < '0' || s[i] > '9' : s[i] != shape[i]))
			return -EINVAL;
	year = digits(s, 4);
	mon = digits(s + 5, 2);
	day = digits(s + 8, 2);
	hour = digits(s + 11, 2);
	min = digits(s + 14, 2);
	sec = digits(s + 17, 2);
	s += sizeof(shape) - 1;
	if (*s == '.') {
		for (s++; *s >= '0' && *s <= '9'; s++) {
			frac += (*s - '0') * scale;
			scale /= 10;
		}
	}
	if (strcmp(s, "Z") != 0)
		return -EINVAL;
	/* No normalising: "February 30" is a mistake, not March 2. */
	if (mon < 1 || mon > 12 || day < 1 || day > days_in_month(year, mon) || hour > 23 ||
	    min > 59 || sec > 59)
		return -EDOM;
	t = (days_from_civil(year, mon, day) * 24 + hour) * 3600 + min * 60 + sec;
	/* Borrow the fraction before 1970, so the first second of 1677's range fits. */
	if (t < 0 && frac) {
		t++;
		frac -= 1000000000;
	}
	/* int64 nanoseconds end in 1677 and 2262. */
	if (__builtin_mul_overflow(t, (int64_t)1000000000, &t) ||
	    __builtin_add_overflow(t, frac, &t))
		return -ERANGE;
	*ns = t;
	return 0;
}
