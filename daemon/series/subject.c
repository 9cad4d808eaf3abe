/* SPDX-License-Identifier: MIT */
/* Subject tags: reply prefixes, then bracket groups, then the title. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "subject.h"

static const char *skip_space(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* A reply prefix at @p ("Re:", "RE:", "Aw:", "Re[2]:"): returns what follows it, or NULL. */
static const char *reply_prefix(const char *p)
{
	if (strncasecmp(p, "re", 2) && strncasecmp(p, "aw", 2))
		return NULL;
	p += 2;
	if (*p == '[') {
		while (isdigit((unsigned char)*++p))
			;
		if (*p++ != ']')
			return NULL;
	}
	return *p == ':' ? p + 1 : NULL;
}

/* A number as read, or one past the largest allowed: rl_subject_parse() then refuses it. */
static unsigned int clamp(unsigned long v)
{
	return v > RL_SUBJECT_NUMBER_MAX ? RL_SUBJECT_NUMBER_MAX + 1 : (unsigned int)v;
}

/* Whether @tok (@len bytes) is a version: "v3", "V3", or "PATCHv3". Sets *@v. */
static bool version_token(const char *tok, size_t len, unsigned int *v)
{
	unsigned long val;
	char *end;

	if (len > 5 && !strncasecmp(tok, "PATCH", 5)) {
		tok += 5;
		len -= 5;
		if (*tok == '-')
			tok++, len--;
	}
	if (len < 2 || (tok[0] != 'v' && tok[0] != 'V') || !isdigit((unsigned char)tok[1]))
		return false;
	val = strtoul(tok + 1, &end, 10);
	if (end != tok + len)
		return false;
	*v = clamp(val);
	return true;
}

/* Whether @tok is "N/M". Sets *@n and *@m. */
static bool number_token(const char *tok, size_t len, unsigned int *n, unsigned int *m)
{
	unsigned long a, b;
	char *end;

	if (!isdigit((unsigned char)tok[0]))
		return false;
	a = strtoul(tok, &end, 10);
	if (*end != '/' || !isdigit((unsigned char)end[1]))
		return false;
	b = strtoul(end + 1, &end, 10);
	if (end != tok + len)
		return false;
	*n = clamp(a);
	*m = clamp(b);
	return true;
}

static bool word_is(const char *tok, size_t len, const char *word)
{
	return len == strlen(word) && !strncasecmp(tok, word, len);
}

/* One token of a bracket group; returns whether it makes the group a patch tag. */
static bool tag_token(const char *tok, size_t len, struct rl_subject *s)
{
	if (word_is(tok, len, "PATCH"))
		return true;
	if (word_is(tok, len, "RFC")) {
		s->rfc = true;
		return true;
	}
	if (word_is(tok, len, "RESEND"))
		s->resend = true;
	else if (version_token(tok, len, &s->version))
		return !strncasecmp(tok, "PATCH", 5);
	else
		number_token(tok, len, &s->number, &s->total);
	return false;
}

/* The bracket group from @open to @close: whether it is a patch tag; fills @s if so. */
static bool bracket_group(const char *open, const char *close, struct rl_subject *s)
{
	struct rl_subject t = { .version = 1 };
	const char *p = open + 1;
	bool patch = false;

	while (p < close) {
		size_t len = strcspn(p, " \t,]");

		if (p + len > close)
			len = (size_t)(close - p);
		if (len)
			patch |= tag_token(p, len, &t);
		p += len ? len : 1;
	}
	if (patch) {
		t.reply = s->reply;
		*s = t;
		s->tagged = true;
	}
	return patch;
}

int rl_subject_parse(const char *subject, struct rl_subject *s, struct rl_err *err)
{
	const char *p = skip_space(subject), *next;

	*s = (struct rl_subject){ .version = 1 };
	while ((next = reply_prefix(p))) {
		s->reply = true;
		p = skip_space(next);
	}
	while (*p == '[') {
		const char *close = strchr(p, ']');

		if (!close)
			break;
		/* The first patch tag counts; "[External]" and the like are skipped. */
		if (!s->tagged)
			bracket_group(p, close, s);
		p = skip_space(close + 1);
		while (!s->tagged && (next = reply_prefix(p))) {
			s->reply = true;
			p = skip_space(next);
		}
	}
	s->title = p;
	if (s->version > RL_SUBJECT_NUMBER_MAX || s->total > RL_SUBJECT_NUMBER_MAX)
		return rl_err_set(err, -EINVAL, "\"%.80s\": a number past %u, longer than any series",
				  subject, RL_SUBJECT_NUMBER_MAX);
	if (s->total ? s->number > s->total : s->number)
		return rl_err_set(err, -EINVAL, "\"%.80s\": patch %u of %u is impossible", subject,
				  s->number, s->total);
	return 0;
}
