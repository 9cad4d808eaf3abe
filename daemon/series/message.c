/* SPDX-License-Identifier: MIT */
/* One mail taken apart: headers from a table, unfolded; a decoded body; its subject and diff. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "decode.h"
#include "message.h"

static const char *const hdr_names[RL_HDR_MAX] = {
	[RL_HDR_FROM] = "From",
	[RL_HDR_DATE] = "Date",
	[RL_HDR_SUBJECT] = "Subject",
	[RL_HDR_MESSAGE_ID] = "Message-ID",
	[RL_HDR_IN_REPLY_TO] = "In-Reply-To",
	[RL_HDR_CTE] = "Content-Transfer-Encoding",
	[RL_HDR_CONTENT_TYPE] = "Content-Type",
};

size_t rl_header_name_len(const char *line, size_t len)
{
	size_t i = 0;

	while (i < len && line[i] > ' ' && line[i] < 127 && line[i] != ':')
		i++;
	return i && i < len && line[i] == ':' ? i : 0;
}

static __attribute__((format(printf, 4, 5))) int
msg_err(struct rl_err *err, int ret, const struct rl_msg_origin *o, const char *fmt, ...)
{
	char what[RL_ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return rl_err_set(err, ret, "%.200s: message %u (line %u): %.280s", o->file, o->index, o->line,
			  what);
}

static enum rl_hdr hdr_lookup(const char *name, size_t len)
{
	for (int i = 0; i < RL_HDR_MAX; i++)
		if (strlen(hdr_names[i]) == len && !strncasecmp(name, hdr_names[i], len))
			return (enum rl_hdr)i;
	return RL_HDR_MAX;
}

/* @line (a continuation, leading white space and all) added to *@value after one space. */
static int unfold(char **value, const char *line, size_t len)
{
	size_t old = strlen(*value);
	char *v;

	while (len && (*line == ' ' || *line == '\t'))
		line++, len--;
	v = realloc(*value, old + len + 2);
	if (!v)
		return -ENOMEM;
	v[old] = ' ';
	memcpy(v + old + 1, line, len);
	v[old + 1 + len] = '\0';
	*value = v;
	return 0;
}

/* Store the header on @line if the table wants it; *@cur says which one a continuation extends. */
static int header_line(struct rl_msg *m, const char *line, size_t len, size_t name_len,
		       enum rl_hdr *cur)
{
	const char *v = line + name_len + 1;

	*cur = hdr_lookup(line, name_len);
	if (*cur == RL_HDR_MAX || m->raw[*cur]) {
		*cur = RL_HDR_MAX;	/* not kept, or a repeat: the first one counts */
		return 0;
	}
	while (v < line + len && (*v == ' ' || *v == '\t'))
		v++;
	m->raw[*cur] = strndup(v, (size_t)(line + len - v));
	return m->raw[*cur] ? 0 : -ENOMEM;
}

/* The header block of @text: fills m->raw[]; *@body_off and *@lines say where the body starts. */
static int parse_headers(const char *text, size_t len, struct rl_msg *m, size_t *body_off,
			 unsigned int *lines, const struct rl_msg_origin *o, struct rl_err *err)
{
	const char *p = text, *end = text + len;
	enum rl_hdr cur = RL_HDR_MAX;
	bool any = false;
	int ret = 0;

	for (*lines = 0; p < end && !ret; p++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)) ?: end;
		size_t n = (size_t)(nl - p), name_len;

		++*lines;
		if (!n) {
			p = nl;
			break;
		}
		/* Header values are C strings: a NUL would silently cut one short. */
		if (memchr(p, '\0', n))
			return msg_err(err, -EINVAL, o, "line %u: a NUL byte in a header line",
				       o->line + *lines - 1);
		if (*p == ' ' || *p == '\t') {
			if (!any)
				return msg_err(err, -EINVAL, o, "line %u: a continuation line before any header",
					       o->line + *lines - 1);
			ret = cur < RL_HDR_MAX ? unfold(&m->raw[cur], p, n) : 0;
		} else if ((name_len = rl_header_name_len(p, n))) {
			any = true;
			ret = header_line(m, p, n, name_len, &cur);
		} else {
			return msg_err(err, -EINVAL, o, "line %u: a header line without a colon: \"%.60s\"",
				       o->line + *lines - 1, p);
		}
		p = nl;
	}
	*body_off = p < end ? (size_t)(p + 1 - text) : len;
	return ret;
}

/* White space in a header's text: a CR or LF left there (CR CR LF, an encoded =0D) too. */
static bool is_hdr_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Decoded copies of the raw headers, white space runs made one space. */
static int decode_headers(struct rl_msg *m)
{
	for (int i = 0; i < RL_HDR_MAX; i++) {
		char *w, *r;

		if (!m->raw[i])
			continue;
		m->hdr[i] = rl_header_decode(m->raw[i]);
		if (!m->hdr[i])
			return -ENOMEM;
		for (w = r = m->hdr[i]; *r; r++)
			if (!is_hdr_space(*r) || (w > m->hdr[i] && w[-1] != ' '))
				*w++ = is_hdr_space(*r) ? ' ' : *r;
		while (w > m->hdr[i] && w[-1] == ' ')
			w--;
		*w = '\0';
	}
	return 0;
}

/* The body copied with mboxrd's ">From " escapes undone (one '>' off each ">>*From " line). */
static char *unescape_body(const char *b, size_t len, bool mboxrd, size_t *out_len)
{
	char *out = malloc(len + 1), *w = out;
	const char *p = b, *end = b + len;

	if (!out)
		return NULL;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);
		size_t gt = strspn(p, ">");

		if (mboxrd && gt && gt < n && n - gt >= 5 && !memcmp(p + gt, "From ", 5))
			p++, n--;
		memcpy(w, p, n);
		w += n;
		p += n;
	}
	*w = '\0';
	*out_len = (size_t)(w - out);
	return out;
}

/* Undo the Content-Transfer-Encoding on m->body. Returns 0, -ENOMEM or -EINVAL (bad base64). */
static int decode_body(struct rl_msg *m)
{
	const char *cte = m->hdr[RL_HDR_CTE];
	ssize_t n;

	if (!cte || (strcasecmp(cte, "quoted-printable") && strcasecmp(cte, "base64")))
		return 0;
	m->body_line = 0;	/* decoded lines no longer match the file's */
	if (!strcasecmp(cte, "base64")) {
		n = rl_b64_decode(m->body, m->body_len, m->body);
		if (n < 0)
			return (int)n;
	} else {
		n = (ssize_t)rl_qp_decode(m->body, m->body_len, m->body, false);
	}
	m->body_len = (size_t)n;
	m->body[n] = '\0';
	return 0;
}

/* What every message gets after its headers and body: subject tags and the diff scan. */
static int classify(struct rl_msg *m, const struct rl_msg_origin *o, struct rl_err *err)
{
	int ret = rl_subject_parse(m->hdr[RL_HDR_SUBJECT] ?: "", &m->subj, err);

	if (ret)
		return rl_err_prefix(err, ret, "%.200s: message %u (line %u): Subject", o->file,
				     o->index, o->line);
	return rl_diff_scan(m->body, m->body_len, &m->diff);
}

int rl_msg_parse(const char *text, size_t len, const struct rl_msg_origin *o, struct rl_msg *m,
		 struct rl_err *err)
{
	unsigned int lines;
	size_t body_off = 0;
	int ret;

	*m = (struct rl_msg){ .file = o->file, .index = o->index, .line = o->line, .mail = true };
	ret = parse_headers(text, len, m, &body_off, &lines, o, err);
	if (!ret)
		ret = decode_headers(m);
	if (!ret) {
		m->body_line = o->line + lines;
		m->body = unescape_body(text + body_off, len - body_off, o->mboxrd, &m->body_len);
		ret = m->body ? decode_body(m) : -ENOMEM;
		if (ret == -EINVAL)
			msg_err(err, ret, o, "its base64 body does not decode");
	}
	if (!ret)
		ret = classify(m, o, err);
	if (ret == -ENOMEM)
		msg_err(err, ret, o, "out of memory");
	if (ret)
		rl_msg_free(m);
	return ret;
}

int rl_msg_from_diff(const char *text, size_t len, const char *title,
		     const struct rl_msg_origin *o, struct rl_msg *m)
{
	*m = (struct rl_msg){ .file = o->file, .index = o->index, .line = o->line,
			      .body_line = o->line, .body_len = len };
	m->raw[RL_HDR_SUBJECT] = strdup(title);
	m->hdr[RL_HDR_SUBJECT] = strdup(title);
	/* Every byte, a NUL too (strndup() would stop there, short of body_len). */
	m->body = malloc(len + 1);
	if (m->body) {
		memcpy(m->body, text, len);
		m->body[len] = '\0';
	}
	if (!m->raw[RL_HDR_SUBJECT] || !m->hdr[RL_HDR_SUBJECT] || !m->body ||
	    rl_diff_scan(m->body, m->body_len, &m->diff)) {
		rl_msg_free(m);
		return -ENOMEM;
	}
	/* A file name has no N/M to get wrong: the title is all there is. */
	if (rl_subject_parse(m->hdr[RL_HDR_SUBJECT], &m->subj, NULL))
		m->subj = (struct rl_subject){ .version = 1, .title = m->hdr[RL_HDR_SUBJECT] };
	return 0;
}

unsigned int rl_msg_file_line(const struct rl_msg *m, unsigned int body_line)
{
	return m->body_line && body_line ? m->body_line + body_line - 1 : 0;
}

void rl_msg_free(struct rl_msg *m)
{
	for (int i = 0; i < RL_HDR_MAX; i++) {
		free(m->raw[i]);
		free(m->hdr[i]);
	}
	free(m->body);
	rl_diff_free(&m->diff);
	*m = (struct rl_msg){ 0 };
}
