/* SPDX-License-Identifier: MIT */
/*
 * A JSON text into the cJSON tree cJSON would build from it, faster: an
 * import's 300 KB spent a third of its request time in cJSON's parse, most
 * of it reading numbers (a copy, the locale's decimal point and strtod for
 * each) and allocating. This parse takes strict RFC 8259 text only and
 * reads a number of at most 15 significant digits and a small exponent
 * exactly with one multiplication or division (Clinger's fast path: both
 * operands are exact doubles, so the one rounding is strtod's). Anything
 * else (a \u escape, a control byte in a string, a byte order mark, a
 * lenient number, a syntax error, nesting past cJSON's limit) it leaves to
 * cJSON: its caller parses such a text with cJSON, whose tree or error is
 * then the answer, as before.
 *
 * The nodes are cJSON's (cJSON_malloc, freed by cJSON_Delete), linked as
 * cJSON links them: the first child's prev is the last child.
 */
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json_fast.h"

/* cJSON's CJSON_NESTING_LIMIT: deeper texts are its to refuse. */
#define NESTING_MAX 1000
/* cJSON reads a number from at most 63 characters. */
#define NUMBER_MAX 63

struct reader {
	const char *p;
	unsigned int depth;
};

static cJSON *parse_value(struct reader *r);

static void skip_blanks(struct reader *r)
{
	while (*r->p == ' ' || *r->p == '\n' || *r->p == '\r' || *r->p == '\t')
		r->p++;
}

static cJSON *new_item(int type)
{
	cJSON *item = cJSON_malloc(sizeof(*item));

	if (item) {
		memset(item, 0, sizeof(*item));
		item->type = type;
	}
	return item;
}

static const double pow10_exact[] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

/*
 * The number at @r as strtod reads it, in @out. Returns false (nothing
 * read) for a text RFC 8259 does not allow or longer than cJSON reads.
 */
static bool read_number(struct reader *r, double *out)
{
	const char *s = r->p, *p = s;
	uint64_t m = 0;
	int digits = 0, e10 = 0, e = 0, esign = 1;
	char buf[NUMBER_MAX + 1];

	if (*p == '-')
		p++;
	if (*p == '0')
		p++;
	else if (*p >= '1' && *p <= '9')
		for (; *p >= '0' && *p <= '9'; p++, digits++)
			m = m * 10 + (uint64_t)(*p - '0');
	else
		return false;
	if (*p == '.') {
		if (!(p[1] >= '0' && p[1] <= '9'))
			return false;
		for (p++; *p >= '0' && *p <= '9'; p++, e10--) {
			m = m * 10 + (uint64_t)(*p - '0');
			/* Leading zeros of 0.000x are not significant digits. */
			digits += digits || *p != '0';
		}
	}
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			esign = *p++ == '-' ? -1 : 1;
		if (!(*p >= '0' && *p <= '9'))
			return false;
		for (; *p >= '0' && *p <= '9'; p++)
			if (e < 10000)
				e = e * 10 + (*p - '0');
	}
	if (p - s > NUMBER_MAX)
		return false;
	r->p = p;
	e10 += esign * e;
	/* At most 15 digits: m is exact in a double, as is a power of ten to 22. */
	if (digits <= 15 && e10 >= -22 && e10 <= 22) {
		*out = e10 < 0 ? (double)m / pow10_exact[-e10] : (double)m * pow10_exact[e10];
		if (*s == '-')
			*out = -*out;
		return true;
	}
	memcpy(buf, s, (size_t)(p - s));
	buf[p - s] = '\0';
	*out = strtod(buf, NULL);
	return true;
}

static cJSON *parse_number(struct reader *r)
{
	cJSON *item;
	double d;

	if (!read_number(r, &d))
		return NULL;
	item = new_item(cJSON_Number);
	if (!item)
		return NULL;
	item->valuedouble = d;
	/* As cJSON sets it. */
	if (d >= INT_MAX)
		item->valueint = INT_MAX;
	else if (d <= (double)INT_MIN)
		item->valueint = INT_MIN;
	else
		item->valueint = (int)d;
	return item;
}

/* What a byte is inside a string: most are none of these. */
enum { PLAIN, QUOTE, ESCAPE, CONTROL };

static const unsigned char in_string[256] = {
	[0 ... 0x1f] = CONTROL, ['"'] = QUOTE, ['\\'] = ESCAPE,
};

/* The string at @r (its '"'), unescaped and malloc'd by cJSON_malloc, or NULL (left to cJSON). */
static char *read_string(struct reader *r)
{
	const char *p = r->p + 1, *end = p;
	size_t escapes = 0, len;
	char *out, *o;

	/* Its length first; a \u escape or a control byte is cJSON's to read. */
	for (;; end++) {
		while (!in_string[(unsigned char)*end])
			end++;
		if (*end == '"')
			break;
		if (*end != '\\' || !end[1] || !strchr("\"\\/bfnrt", end[1]))
			return NULL;
		end++;
		escapes++;
	}
	len = (size_t)(end - p) - escapes;
	out = cJSON_malloc(len + 1);
	if (!out)
		return NULL;
	r->p = end + 1;
	if (!escapes) {
		memcpy(out, p, len);
		out[len] = '\0';
		return out;
	}
	for (o = out; p < end; p++) {
		if (*p != '\\') {
			*o++ = *p;
			continue;
		}
		switch (*++p) {
		case 'b': *o++ = '\b'; break;
		case 'f': *o++ = '\f'; break;
		case 'n': *o++ = '\n'; break;
		case 'r': *o++ = '\r'; break;
		case 't': *o++ = '\t'; break;
		default: *o++ = *p; break;	/* " \ / */
		}
	}
	*o = '\0';
	return out;
}

/* Append @item to @parent's children, @last the last one so far (NULL: none). */
static void append(cJSON *parent, cJSON **last, cJSON *item)
{
	if (*last) {
		(*last)->next = item;
		item->prev = *last;
	} else {
		parent->child = item;
	}
	*last = item;
	parent->child->prev = item;
}

/* The members or elements of the object or array at @r (its '{' or '['). */
static cJSON *parse_container(struct reader *r, bool object)
{
	cJSON *c = new_item(object ? cJSON_Object : cJSON_Array), *last = NULL, *item;
	char close = object ? '}' : ']', *key = NULL;

	if (!c || ++r->depth > NESTING_MAX)
		goto fail;
	r->p++;
	skip_blanks(r);
	if (*r->p == close)
		goto done;
	for (;;) {
		if (object) {
			if (*r->p != '"' || !(key = read_string(r)))
				goto fail;
			skip_blanks(r);
			if (*r->p++ != ':')
				goto fail;
			skip_blanks(r);
		}
		item = parse_value(r);
		if (!item)
			goto fail;
		item->string = key;
		key = NULL;
		append(c, &last, item);
		skip_blanks(r);
		if (*r->p == close)
			break;
		if (*r->p++ != ',')
			goto fail;
		skip_blanks(r);
	}
done:
	r->p++;
	r->depth--;
	return c;
fail:
	cJSON_free(key);
	cJSON_Delete(c);
	return NULL;
}

static cJSON *literal(struct reader *r, const char *word, int type)
{
	size_t n = strlen(word);
	cJSON *item;

	if (strncmp(r->p, word, n))
		return NULL;
	item = new_item(type);
	if (item) {
		r->p += n;
		item->valueint = type == cJSON_True;
	}
	return item;
}

static cJSON *parse_value(struct reader *r)
{
	cJSON *item;

	switch (*r->p) {
	case '{':
		return parse_container(r, true);
	case '[':
		return parse_container(r, false);
	case '"':
		item = new_item(cJSON_String);
		if (item && !(item->valuestring = read_string(r))) {
			cJSON_Delete(item);
			item = NULL;
		}
		return item;
	case 't':
		return literal(r, "true", cJSON_True);
	case 'f':
		return literal(r, "false", cJSON_False);
	case 'n':
		return literal(r, "null", cJSON_NULL);
	default:
		return parse_number(r);
	}
}

cJSON *rl_json_parse_fast(const char *text)
{
	struct reader r = { .p = text };
	cJSON *root;

	skip_blanks(&r);
	root = parse_value(&r);
	if (!root)
		return NULL;
	skip_blanks(&r);
	if (*r.p) {
		cJSON_Delete(root);
		return NULL;
	}
	return root;
}
