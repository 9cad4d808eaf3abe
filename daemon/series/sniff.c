/* SPDX-License-Identifier: MIT */
/* Telling an mbox, a mail and a diff from a web page of a thread, by the first lines. */
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "mbox.h"
#include "message.h"
#include "sniff.h"

#define GET_ONE "get the thread as an mbox with `b4 mbox MSGID`, or from lore as the " \
		"thread's URL plus t.mbox.gz (then gunzip it), or the commits with `git format-patch`"

static bool starts(const char *p, const char *end, const char *prefix)
{
	size_t n = strlen(prefix);

	return (size_t)(end - p) >= n && !memcmp(p, prefix, n);
}

static const char *line_end(const char *p, const char *end)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));

	return nl ? nl : end;
}

/*
 * Whether a header block starts at @p: header and continuation lines up to a
 * blank line (CRLF or LF), with From: or Subject:.
 */
static bool header_block(const char *p, const char *end)
{
	bool mail = false;

	while (p < end && *p != '\n' && !(*p == '\r' && p + 1 < end && p[1] == '\n')) {
		const char *nl = line_end(p, end);
		size_t n = rl_header_name_len(p, (size_t)(nl - p));

		if (!n && *p != ' ' && *p != '\t')
			return false;
		if ((n == 4 && !strncasecmp(p, "From", 4)) || (n == 7 && !strncasecmp(p, "Subject", 7)))
			mail = true;
		p = nl + 1;
	}
	return mail;
}

static bool diff_start(const char *p, const char *end)
{
	const char *next = line_end(p, end) + 1;

	return starts(p, end, "diff --git ") || starts(p, end, "diff -") || starts(p, end, "Index: ") ||
	       (starts(p, end, "--- ") && next < end && starts(next, end, "+++ "));
}

enum rl_text_kind rl_sniff(const char *buf, size_t len, unsigned int *skipped)
{
	const char *p = buf, *end = buf + len;

	*skipped = 0;
	while (p < end && *p == '\n')
		p++, ++*skipped;
	if (p == end)
		return RL_TEXT_UNKNOWN;
	if (rl_mbox_is_separator(p, p, end))
		return RL_TEXT_MBOX;
	if (header_block(p, end))
		return RL_TEXT_MESSAGE;
	if (diff_start(p, end))
		return RL_TEXT_DIFF;
	return RL_TEXT_UNKNOWN;
}

/* What the text looks like, as a clause for the error, or "". */
static const char *looks_like(const char *buf, size_t len)
{
	if (memmem(buf, len, "permalink", 9) || memmem(buf, len, "[PATCH", 6))
		return "; it looks like a mail archive's page of a thread saved as text, "
		       "whose headers and white space are lost, so its patches cannot apply";
	return "";
}

int rl_sniff_refuse(const char *file, const char *buf, size_t len, struct rl_err *err)
{
	const char *p = buf, *end = buf + len, *nl;
	unsigned int line = 1;

	if (len >= 2 && (unsigned char)buf[0] == 0x1f && (unsigned char)buf[1] == 0x8b)
		return rl_err_set(err, -EINVAL, "%.200s: gzip-compressed (as lore's t.mbox.gz is): "
				  "gunzip it first", file);
	while (p < end && *p == '\n')
		p++, line++;
	if (p == end)
		return rl_err_set(err, -EINVAL, "%.200s: empty: not an mbox, a mail or a patch", file);
	nl = line_end(p, end);
	return rl_err_set(err, -EINVAL,
			  "%.120s: not an mbox, a mail or a patch (line %u: \"%.*s\")%s; %s", file,
			  line, (int)(nl - p > 40 ? 40 : nl - p), p, looks_like(buf, len), GET_ONE);
}
