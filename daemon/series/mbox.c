/* SPDX-License-Identifier: MIT */
/* Splitting an mbox (mboxo, mboxrd, format-patch --stdout) at its separators. */
#include <ctype.h>
#include <stdbool.h>
#include <string.h>

#include "mbox.h"
#include "message.h"

/* Whether @line..@nl holds a time "hh:mm:ss", as every mbox "From " line's date does. */
static bool has_time(const char *line, const char *nl)
{
	for (const char *p = line; p + 8 <= nl; p++)
		if (isdigit((unsigned char)p[0]) && isdigit((unsigned char)p[1]) && p[2] == ':' &&
		    isdigit((unsigned char)p[3]) && isdigit((unsigned char)p[4]) && p[5] == ':' &&
		    isdigit((unsigned char)p[6]) && isdigit((unsigned char)p[7]))
			return true;
	return false;
}

int rl_mbox_like_separator(const char *p, const char *end)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p)) ?: end;

	return (size_t)(end - p) >= 5 && !memcmp(p, "From ", 5) && has_time(p, nl);
}

int rl_mbox_is_separator(const char *buf, const char *p, const char *end)
{
	const char *nl, *next, *next_nl;

	if (!rl_mbox_like_separator(p, end))
		return 0;
	if (p > buf && !(p - buf >= 2 && p[-1] == '\n' && p[-2] == '\n'))
		return 0;
	nl = memchr(p, '\n', (size_t)(end - p));
	if (!nl)
		return 0;
	next = nl + 1;
	next_nl = memchr(next, '\n', (size_t)(end - next)) ?: end;
	return rl_header_name_len(next, (size_t)(next_nl - next)) > 0;
}

/* Emit the message from @start to @stop (the next separator, or the end). */
static int emit(const char *start, const char *stop, unsigned int line, rl_mbox_fn fn, void *ctx)
{
	size_t len = (size_t)(stop - start);

	if (len >= 2 && start[len - 1] == '\n' && start[len - 2] == '\n')
		len--;		/* the separator's blank line */
	return fn(ctx, start, len, line);
}

int rl_mbox_split(const char *buf, size_t len, rl_mbox_fn fn, void *ctx)
{
	const char *p = buf, *end = buf + len, *start = NULL;
	unsigned int lineno = 1, start_line = 0;
	int ret = 0;

	while (p < end && !ret) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *next = nl ? nl + 1 : end;

		if (rl_mbox_is_separator(buf, p, end)) {
			if (start)
				ret = emit(start, p, start_line, fn, ctx);
			start = next;
			start_line = lineno + 1;
		}
		p = next;
		lineno++;
	}
	if (!ret && start)
		ret = emit(start, end, start_line, fn, ctx);
	return ret;
}
