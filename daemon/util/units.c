/* SPDX-License-Identifier: MIT */
/* Sizes with binary suffixes, read and written so that one reads back the other. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>

#include "units.h"

/* Largest unit first, so rl_format_size() picks the shortest exact form. */
static const struct {
	char suffix;
	unsigned int shift;
} units[] = {
	{ 'T', 40 }, { 'G', 30 }, { 'M', 20 }, { 'K', 10 },
};

#define NUNITS (sizeof(units) / sizeof(units[0]))

char *rl_format_size(uint64_t bytes, char *buf, size_t len)
{
	size_t i;

	for (i = 0; bytes && i < NUNITS; i++) {
		if (bytes % (1ull << units[i].shift) == 0) {
			snprintf(buf, len, "%llu%c",
				 (unsigned long long)(bytes >> units[i].shift), units[i].suffix);
			return buf;
		}
	}
	snprintf(buf, len, "%llu", (unsigned long long)bytes);
	return buf;
}

/* The shift of suffix @c (either case), 0 for none, or -1 when @c is no unit. */
static int suffix_shift(char c)
{
	size_t i;

	if (!c)
		return 0;
	for (i = 0; i < NUNITS; i++)
		if (toupper((unsigned char)c) == units[i].suffix)
			return (int)units[i].shift;
	return -1;
}

int rl_parse_size(const char *s, uint64_t *bytes)
{
	uint64_t v = 0;
	const char *p;
	int shift;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	for (p = s; isdigit((unsigned char)*p); p++) {
		unsigned int d = *p - '0';

		if (v > (UINT64_MAX - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	shift = suffix_shift(*p);
	if (shift < 0)
		return -EINVAL;
	if (shift)
		p++;
	if (*p)
		return -EINVAL;
	if (shift && v > (UINT64_MAX >> shift))
		return -ERANGE;
	*bytes = v << shift;
	return 0;
}
