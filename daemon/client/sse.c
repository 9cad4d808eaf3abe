/* SPDX-License-Identifier: MIT */
/* Server-Sent Events: a GET whose answer is read as it comes, cut into events for a callback. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "exchange.h"
#include "sse.h"

struct sse {
	int (*on_event)(void *ctx, const char *event, const char *data);
	void *ctx;
	const struct rl_client_target *t;
	struct rl_err *err;
	char *line, *data;
	size_t line_len, line_cap, data_len, data_cap;
	char event[64];
	bool skip_lf;		/* the last line ended in CR: a LF right after belongs to it */
};

/* Make room for @need bytes plus a NUL in *@buf, up to the target's cap. */
static int sse_room(struct sse *s, char **buf, size_t *cap, size_t need)
{
	size_t ncap = *cap ? *cap : 256;
	char *p;

	if (need + 1 <= *cap)
		return 0;
	if (need > s->t->body_max)
		return rl_err_set(s->err, -EFBIG, "%s: an event is larger than %zu bytes", s->t->url,
				  s->t->body_max);
	while (ncap < need + 1)
		ncap *= 2;
	p = realloc(*buf, ncap);
	if (!p)
		return rl_err_set(s->err, -ENOMEM, "out of memory");
	*buf = p;
	*cap = ncap;
	return 0;
}

static int sse_dispatch(struct sse *s)
{
	int ret = 0;

	/* Each data line added a '\n'; the last one is not part of the data. */
	if (s->data_len) {
		s->data[--s->data_len] = '\0';
		ret = s->on_event(s->ctx, s->event[0] ? s->event : "message", s->data);
	}
	s->data_len = 0;
	s->event[0] = '\0';
	return ret;
}

/* One complete line in s->line: a field, a comment, or the blank line that ends an event. */
static int sse_line(struct sse *s)
{
	char *field = s->line, *value;
	size_t n;
	int ret;

	if (!s->line_len)
		return sse_dispatch(s);
	if (field[0] == ':')
		return 0;
	value = strchr(field, ':');
	if (value) {
		*value++ = '\0';
		if (*value == ' ')
			value++;
	} else {
		value = field + s->line_len;
	}
	/* "id" and "retry" serve browsers that reconnect by themselves; callers here do that. */
	if (!strcmp(field, "event")) {
		snprintf(s->event, sizeof(s->event), "%s", value);
	} else if (!strcmp(field, "data")) {
		n = strlen(value);
		ret = sse_room(s, &s->data, &s->data_cap, s->data_len + n + 1);
		if (ret < 0)
			return ret;
		memcpy(s->data + s->data_len, value, n);
		s->data_len += n;
		s->data[s->data_len++] = '\n';
		s->data[s->data_len] = '\0';
	}
	return 0;
}

/* Lines end in CR LF, LF or CR alone (the SSE grammar allows all three). */
static int sse_feed(struct sse *s, const char *p, size_t n)
{
	size_t i;
	int ret;

	for (i = 0; i < n; i++) {
		char ch = p[i];

		if (s->skip_lf) {
			s->skip_lf = false;
			if (ch == '\n')
				continue;
		}
		if (ch == '\r' || ch == '\n') {
			s->skip_lf = ch == '\r';
			s->line[s->line_len] = '\0';
			ret = sse_line(s);
			s->line_len = 0;
			if (ret)
				return ret;
			continue;
		}
		ret = sse_room(s, &s->line, &s->line_cap, s->line_len + 1);
		if (ret < 0)
			return ret;
		s->line[s->line_len++] = ch;
	}
	return 0;
}

static int sse_check_answer(const struct rl_client_target *t, const char *path,
			    struct rl_client_exchange *x, struct rl_client_response *r,
			    struct rl_err *err)
{
	int ret;

	if (r->status >= 400) {
		ret = rl_client_exchange_read_all(x, r, 1 << 20, err);
		return ret < 0 ? ret : rl_client_answer_error(t, "GET", path, r, err);
	}
	if (r->status != 200)
		return rl_err_set(err, -EPROTO, "GET %s%s: expected 200 for an event stream, got %d %s",
				  t->url, path, r->status, r->reason);
	if (strncasecmp(r->content_type, "text/event-stream", 17) != 0)
		return rl_err_set(err, -EPROTO, "GET %s%s: not an event stream (Content-Type '%s')",
				  t->url, path, r->content_type);
	return 0;
}

int rl_client_sse(const struct rl_client_target *t, const char *path,
		int (*on_event)(void *ctx, const char *event, const char *data), void *ctx,
		struct rl_err *err)
{
	struct sse s = { .on_event = on_event, .ctx = ctx, .t = t, .err = err };
	struct rl_client_exchange *x = malloc(sizeof(*x));
	struct rl_client_response r;
	char buf[4096];
	ssize_t n;
	int ret;

	if (!x)
		return rl_err_set(err, -ENOMEM, "out of memory");
	ret = rl_client_exchange_start(x, t, "GET", path, "text/event-stream", NULL, &r, err);
	if (!ret)
		ret = sse_check_answer(t, path, x, &r, err);
	if (!ret)
		ret = sse_room(&s, &s.line, &s.line_cap, 0);
	while (!ret) {
		n = rl_client_exchange_read(x, buf, sizeof(buf), err);
		if (n <= 0) {
			ret = (int)n;
			break;
		}
		ret = sse_feed(&s, buf, (size_t)n);
	}
	rl_client_exchange_close(x);
	free(x);
	free(s.line);
	free(s.data);
	rl_client_response_free(&r);
	return ret;
}
