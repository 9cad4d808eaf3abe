/* SPDX-License-Identifier: MIT */
/*
 * Walking a JSON text that cJSON already accepted, to find where one of its
 * values lies: strings, brackets and separators are all a valid text needs
 * told apart, so the walk is a byte loop that builds nothing. Blanks are what
 * cJSON skips: every byte up to a space, outside strings.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "json_span.h"

static bool blank(char c)
{
	return (unsigned char)c <= ' ' && c != '\0';
}

static const char *skip_blanks(const char *p)
{
	while (blank(*p))
		p++;
	return p;
}

/* Past the string that starts at @p (its '"'); a backslash and the next byte are a pair, as for cJSON. */
static const char *skip_string(const char *p)
{
	p++;
	for (;;) {
		/* A request's cells are some 150 KB of this: the library's scan, not a byte loop. */
		p += strcspn(p, "\"\\");
		if (*p != '\\')
			break;
		if (!p[1])
			return p + 1;
		p += 2;
	}
	return *p ? p + 1 : p;
}

/* What a byte is to a walk through arrays and objects: most are none of these. */
enum walk_class { OTHER, QUOTE, OPEN, CLOSE, END };

static const unsigned char walk[256] = {
	['"'] = QUOTE, ['{'] = OPEN, ['['] = OPEN, ['}'] = CLOSE, [']'] = CLOSE, ['\0'] = END,
};

/* Past the value that starts at @p (no blank before it). */
static const char *skip_value(const char *p)
{
	int depth = 0;

	if (*p != '{' && *p != '[') {
		if (*p == '"')
			return skip_string(p);
		/* A number, true, false or null: up to the separator or blank after it. */
		while (*p && *p != ',' && *p != ']' && *p != '}' && !blank(*p))
			p++;
		return p;
	}
	for (;;) {
		while (!walk[(unsigned char)*p])
			p++;
		switch (walk[(unsigned char)*p]) {
		case QUOTE:
			p = skip_string(p);
			continue;
		case OPEN:
			depth++;
			break;
		case CLOSE:
			if (--depth == 0)
				return p + 1;
			break;
		default:
			return p;
		}
		p++;
	}
}

/* @child's place among @parent's members or elements, or -1 when it is not one of them. */
static long position(const cJSON *parent, const cJSON *child)
{
	const cJSON *c;
	long i = 0;

	for (c = parent->child; c; c = c->next, i++)
		if (c == child)
			return i;
	return -1;
}

/*
 * From @p, the start of an object or array, to the start of its member or
 * element number @k (for a member: its value, past the key). NULL when the
 * text does not have it.
 */
static const char *descend(const char *p, bool object, long k)
{
	if (*p != (object ? '{' : '['))
		return NULL;
	p = skip_blanks(p + 1);
	for (long i = 0; ; i++) {
		if (object) {
			if (*p != '"')
				return NULL;
			p = skip_blanks(skip_string(p));
			if (*p != ':')
				return NULL;
			p = skip_blanks(p + 1);
		}
		if (i == k)
			return *p ? p : NULL;
		p = skip_blanks(skip_value(p));
		if (*p != ',')
			return NULL;
		p = skip_blanks(p + 1);
	}
}

int rl_json_span_of(const char *text, const cJSON *const *chain, size_t n,
		    struct rl_json_span *out)
{
	const char *p = text;
	long k;

	if (!text || !n || !chain[0])
		return -EINVAL;
	/* cJSON skips a UTF-8 byte order mark before the value. */
	if (!strncmp(p, "\xEF\xBB\xBF", 3))
		p += 3;
	p = skip_blanks(p);
	for (size_t i = 1; i < n; i++) {
		k = position(chain[i - 1], chain[i]);
		if (k < 0 || !(cJSON_IsObject(chain[i - 1]) || cJSON_IsArray(chain[i - 1])))
			return -EINVAL;
		p = descend(p, cJSON_IsObject(chain[i - 1]), k);
		if (!p)
			return -EINVAL;
	}
	/* The value found must at least open as the item does. */
	if ((cJSON_IsObject(chain[n - 1]) && *p != '{') ||
	    (cJSON_IsArray(chain[n - 1]) && *p != '[') ||
	    (cJSON_IsString(chain[n - 1]) && *p != '"'))
		return -EINVAL;
	out->text = p;
	out->len = (size_t)(skip_value(p) - p);
	return out->len ? 0 : -EINVAL;
}

/* Bytes the compaction stops at: a string's start and the blanks cJSON skips (every byte up to a space). */
static const unsigned char stop[256] = {
	[1 ... ' '] = 1, ['"'] = 1,
};

size_t rl_json_compact(const struct rl_json_span *in, char *out)
{
	const char *p = in->text, *end = in->text + in->len, *s;
	size_t n = 0;

	while (p < end) {
		/* A run of bytes kept as they are, copied at once. */
		for (s = p; s < end && !stop[(unsigned char)*s]; s++)
			;
		memcpy(out + n, p, (size_t)(s - p));
		n += (size_t)(s - p);
		p = s;
		if (p >= end)
			break;
		if (*p == '"') {
			s = skip_string(p);
			if (s > end)
				s = end;
			memcpy(out + n, p, (size_t)(s - p));
			n += (size_t)(s - p);
			p = s;
			continue;
		}
		p++;	/* a blank */
	}
	return n;
}
