/* SPDX-License-Identifier: MIT */
/* Quoted-printable, base64 and RFC 2047 header decoding, without a mail library. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "decode.h"

static int hex_value(char c)
{
	static const char digits[] = "0123456789abcdef";
	const char *p = c ? strchr(digits, tolower((unsigned char)c)) : NULL;

	return p ? (int)(p - digits) : -1;
}

size_t rl_qp_decode(const char *in, size_t len, char *out, bool header)
{
	size_t i = 0, n = 0;

	while (i < len) {
		char c = in[i];

		if (c == '=' && i + 1 < len && in[i + 1] == '\n') {
			i += 2;		/* soft line break */
		} else if (c == '=' && i + 2 < len && hex_value(in[i + 1]) >= 0 &&
			   hex_value(in[i + 2]) >= 0) {
			out[n++] = (char)(hex_value(in[i + 1]) * 16 + hex_value(in[i + 2]));
			i += 3;
		} else {
			out[n++] = header && c == '_' ? ' ' : c;
			i++;
		}
	}
	return n;
}

static int b64_value(char c)
{
	static const char alphabet[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *p = c ? strchr(alphabet, c) : NULL;

	return p ? (int)(p - alphabet) : -1;
}

ssize_t rl_b64_decode(const char *in, size_t len, char *out)
{
	unsigned int acc = 0, bits = 0;
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		int v;

		if (in[i] == '\n' || in[i] == '\r' || in[i] == ' ' || in[i] == '\t')
			continue;
		if (in[i] == '=')
			break;
		v = b64_value(in[i]);
		if (v < 0)
			return -EINVAL;
		acc = (acc << 6) | (unsigned int)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[n++] = (char)((acc >> bits) & 0xff);
		}
	}
	return (ssize_t)n;
}

/* ISO-8859-1 bytes @in (@len) appended to @out as UTF-8. Returns the bytes written. */
static size_t latin1_to_utf8(const unsigned char *in, size_t len, char *out)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		if (in[i] < 0x80) {
			out[n++] = (char)in[i];
		} else {
			out[n++] = (char)(0xc0 | (in[i] >> 6));
			out[n++] = (char)(0x80 | (in[i] & 0x3f));
		}
	}
	return n;
}

enum charset { CS_UTF8, CS_LATIN1, CS_OTHER };

/* The charset name from @cs up to @end; "*LANG" (RFC 2231) is ignored. */
static enum charset charset_of(const char *cs, const char *end)
{
	const char *star = memchr(cs, '*', (size_t)(end - cs));
	size_t len = (size_t)((star ? star : end) - cs);

	if ((len == 5 && !strncasecmp(cs, "utf-8", 5)) || (len == 8 && !strncasecmp(cs, "us-ascii", 8)))
		return CS_UTF8;
	if ((len == 10 && !strncasecmp(cs, "iso-8859-1", 10)) ||
	    (len == 6 && !strncasecmp(cs, "latin1", 6)))
		return CS_LATIN1;
	return CS_OTHER;
}

/*
 * Decode the encoded-word at @p ("=?cs?X?text?=") onto @out. Returns the
 * bytes written and sets *@end past the word, or -1 when @p is no word we decode.
 */
static ssize_t decode_word(const char *p, const char **end, char *out)
{
	const char *cs = p + 2, *q, *text, *stop;
	enum charset set;
	char enc, *tmp;
	ssize_t n;

	q = strchr(cs, '?');
	if (!q || q == cs || !q[1] || q[2] != '?')
		return -1;
	enc = q[1];
	text = q + 3;
	stop = strstr(text, "?=");
	if (!stop || memchr(cs, ' ', (size_t)(stop - cs)) || memchr(cs, '\t', (size_t)(stop - cs)))
		return -1;
	set = charset_of(cs, q);
	if (set == CS_OTHER || !strchr("QqBb", enc))
		return -1;
	tmp = malloc((size_t)(stop - text) + 1);
	if (!tmp)
		return -1;
	if (enc == 'Q' || enc == 'q')
		n = (ssize_t)rl_qp_decode(text, (size_t)(stop - text), tmp, true);
	else
		n = rl_b64_decode(text, (size_t)(stop - text), tmp);
	if (n >= 0 && set == CS_LATIN1)
		n = (ssize_t)latin1_to_utf8((const unsigned char *)tmp, (size_t)n, out);
	else if (n >= 0)
		memcpy(out, tmp, (size_t)n);
	free(tmp);
	if (n >= 0)
		*end = stop + 2;
	return n;
}

char *rl_header_decode(const char *in)
{
	size_t len = strlen(in), n = 0, gap = 0;
	bool after_word = false;
	char *out = malloc(2 * len + 1);	/* Latin-1 at most doubles */
	const char *p = in;

	if (!out)
		return NULL;
	while (*p) {
		const char *end;
		ssize_t w = -1;

		/* White space between two words goes: the next one is written over it. */
		size_t at = after_word ? gap : n;

		if (p[0] == '=' && p[1] == '?')
			w = decode_word(p, &end, out + at);
		if (w >= 0) {
			n = at + (size_t)w;
			p = end;
			after_word = true;
			gap = n;
			continue;
		}
		if (*p != ' ' && *p != '\t')
			after_word = false;
		out[n++] = *p++;
	}
	out[n] = '\0';
	return out;
}
