/* SPDX-License-Identifier: MIT */
/*
 * One HTTP/1.1 exchange on a connection of its own: the request head
 * written, the response's status line and headers read (1xx answers
 * skipped), the body read through its framing (Content-Length, chunked, or
 * until the connection closes), and an error answer (status >= 400) turned
 * into -errno with the API's message.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cJSON.h>

#include "exchange.h"
#include "util/cleanup.h"
#include "util/json.h"

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "unknown"
#endif

#define HEAD_LINE_MAX 8192	/* one status or header line */
#define HEADERS_MAX 100
#define MIN(a, b) ((a) < (b) ? (a) : (b))

/* --- the request ------------------------------------------------------------ */

static bool method_has_body(const char *method)
{
	return !strcmp(method, "POST") || !strcmp(method, "PUT") || !strcmp(method, "PATCH");
}

static int check_request(const char *method, const char *path, struct rl_err *err)
{
	const char *m;

	for (m = method; *m; m++)
		if (*m < 'A' || *m > 'Z')
			break;
	if (!*method || *m)
		return rl_err_set(err, -EINVAL, "bad HTTP method '%.32s'", method);
	if (path[0] != '/' || rl_client_unsafe_text(path, strlen(path)))
		return rl_err_set(err, -EINVAL,
				  "request path '%.200s': must start with '/' and be escaped", path);
	return 0;
}

static int send_request(struct rl_client_conn *c, const char *method, const char *path,
			const char *accept, const char *body, struct rl_err *err)
{
	const struct rl_client_target *t = c->t;
	size_t size = strlen(path) + sizeof(*t) + 512;
	_cleanup_free_ char *head = malloc(size);
	char length[64] = "";
	int n, ret;

	ret = check_request(method, path, err);
	if (ret < 0)
		return ret;
	if (!head)
		return rl_err_set(err, -ENOMEM, "out of memory");
	if (body || method_has_body(method))
		snprintf(length, sizeof(length), "Content-Length: %zu\r\n", body ? strlen(body) : 0);
	n = snprintf(head, size,
		     "%s %s%s HTTP/1.1\r\nHost: %s\r\nUser-Agent: ringlab/%s\r\nAccept: %s\r\n"
		     "Connection: close\r\n%s%s%s%s%s\r\n",
		     method, t->prefix, path, t->host_header, PACKAGE_VERSION, accept,
		     t->token[0] ? "Authorization: Bearer " : "", t->token, t->token[0] ? "\r\n" : "",
		     body ? "Content-Type: application/json\r\n" : "", length);
	if (n < 0 || (size_t)n >= size)
		return rl_err_set(err, -ENAMETOOLONG, "request path too long");
	ret = rl_client_conn_send(c, head, (size_t)n, err);
	if (!ret && body)
		ret = rl_client_conn_send(c, body, strlen(body), err);
	return ret;
}

/* --- the answer's head ------------------------------------------------------ */

struct head_info {
	bool chunked, have_length;
	uint64_t length;
};

/* "HTTP/1.1 200 OK" */
static int parse_status(const char *line, struct rl_client_response *r)
{
	int i;

	if (strncmp(line, "HTTP/1.", 7) || !isdigit((unsigned char)line[7]) || line[8] != ' ')
		return -EPROTO;
	for (i = 9; i < 12; i++)
		if (!isdigit((unsigned char)line[i]))
			return -EPROTO;
	if (line[12] && line[12] != ' ')
		return -EPROTO;
	r->status = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
	snprintf(r->reason, sizeof(r->reason), "%.*s", (int)sizeof(r->reason) - 1, line[12] ? line + 13 : "");
	return 0;
}

static char *trim(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
		*--end = '\0';
	return s;
}

static int parse_length(const char *v, uint64_t *out)
{
	uint64_t n = 0;
	const char *p;

	if (!*v || strlen(v) > 18)
		return -EPROTO;
	for (p = v; *p; p++) {
		if (!isdigit((unsigned char)*p))
			return -EPROTO;
		n = n * 10 + (uint64_t)(*p - '0');
	}
	*out = n;
	return 0;
}

/* "gzip, chunked": only a last coding of chunked frames the body by chunks. */
static bool last_coding_is_chunked(const char *v)
{
	const char *last = strrchr(v, ',');

	last = last ? last + 1 : v;
	while (*last == ' ' || *last == '\t')
		last++;
	return !strcasecmp(last, "chunked");
}

/* Retry-After as delay-seconds; an HTTP-date (which ringlabd never sends) is ignored. */
static void parse_retry_after(const char *v, struct rl_client_response *r)
{
	unsigned int s = 0;

	if (!*v)
		return;
	for (; *v; v++) {
		if (*v < '0' || *v > '9')
			return;
		s = s * 10 + (unsigned int)(*v - '0');
		if (s > 86400)
			s = 86400;
	}
	r->retry_after = true;
	r->retry_after_s = s;
}

/* One "Name: value" line: only the headers the client acts on are kept. */
static int parse_header(char *line, struct rl_client_response *r, struct head_info *h)
{
	char *colon = strchr(line, ':'), *v;
	uint64_t len;

	if (!colon || colon == line)
		return -EPROTO;
	*colon = '\0';
	v = trim(colon + 1);
	if (!strcasecmp(line, "content-length")) {
		if (parse_length(v, &len) < 0 || (h->have_length && len != h->length))
			return -EPROTO;
		h->have_length = true;
		h->length = len;
	} else if (!strcasecmp(line, "transfer-encoding")) {
		h->chunked = last_coding_is_chunked(v);
	} else if (!strcasecmp(line, "content-type")) {
		snprintf(r->content_type, sizeof(r->content_type), "%s", v);
	} else if (!strcasecmp(line, "location")) {
		snprintf(r->location, sizeof(r->location), "%s", v);
	} else if (!strcasecmp(line, "retry-after")) {
		parse_retry_after(v, r);
	}
	return 0;
}

static int read_one_head(struct rl_client_conn *c, struct rl_client_response *r,
			 struct head_info *h, struct rl_err *err)
{
	char line[HEAD_LINE_MAX];
	int n, i;

	memset(h, 0, sizeof(*h));
	n = rl_client_conn_line(c, line, sizeof(line), "the status line", err);
	if (n < 0)
		return n;
	if (parse_status(line, r) < 0)
		return rl_err_set(err, -EPROTO, "%s: not an HTTP/1.x answer: '%.60s'", c->t->url,
				  line);
	for (i = 0;; i++) {
		n = rl_client_conn_line(c, line, sizeof(line), "the headers", err);
		if (n <= 0)
			return n;
		if (i == HEADERS_MAX)
			return rl_err_set(err, -EPROTO, "%s: more than %d headers", c->t->url,
					  HEADERS_MAX);
		if (parse_header(line, r, h) < 0)
			return rl_err_set(err, -EPROTO, "%s: bad header '%.60s'", c->t->url, line);
	}
}

/* Status line and headers (skipping 1xx interim answers), and how the body is framed. */
static int read_head(struct rl_client_exchange *x, const char *method,
		     struct rl_client_response *r, struct rl_err *err)
{
	struct head_info h;
	int ret;

	do {
		ret = read_one_head(&x->conn, r, &h, err);
		if (ret < 0)
			return ret;
	} while (r->status < 200);
	x->chunk_crlf = false;
	x->done = false;
	if (!strcmp(method, "HEAD") || r->status == 204 || r->status == 304)
		x->framing = RL_CLIENT_FRAMING_NONE;
	else if (h.chunked)
		x->framing = RL_CLIENT_FRAMING_CHUNKED;	/* it overrides Content-Length (RFC 7230 3.3.3) */
	else if (h.have_length)
		x->framing = RL_CLIENT_FRAMING_LENGTH;
	else
		x->framing = RL_CLIENT_FRAMING_CLOSE;
	x->left = h.have_length ? h.length : 0;
	return 0;
}

/* --- the answer's body ------------------------------------------------------ */

static int parse_chunk_size(const char *line, uint64_t *out)
{
	uint64_t n = 0;
	const char *p;

	for (p = line; isxdigit((unsigned char)*p); p++) {
		if (p - line == 15)
			return -EPROTO;
		n = n * 16 + (uint64_t)(isdigit((unsigned char)*p) ? *p - '0'
								   : tolower((unsigned char)*p) - 'a' + 10);
	}
	/* Chunk extensions (";name=value") carry nothing this client needs. */
	if (p == line || (*p && *p != ';' && *p != ' ' && *p != '\t'))
		return -EPROTO;
	*out = n;
	return 0;
}

static int skip_trailers(struct rl_client_conn *c, struct rl_err *err)
{
	char line[HEAD_LINE_MAX];
	int n, i;

	for (i = 0; i <= HEADERS_MAX; i++) {
		n = rl_client_conn_line(c, line, sizeof(line), "the trailers", err);
		if (n <= 0)
			return n;
	}
	return rl_err_set(err, -EPROTO, "%s: more than %d trailers", c->t->url, HEADERS_MAX);
}

/* Position @x at data: past the previous chunk's CR LF and the next size line. */
static int next_chunk(struct rl_client_exchange *x, struct rl_err *err)
{
	char line[1024];
	int n;

	if (x->chunk_crlf) {
		n = rl_client_conn_line(&x->conn, line, sizeof(line), "a chunk", err);
		if (n < 0)
			return n;
		if (n)
			return rl_err_set(err, -EPROTO, "%s: a chunk is longer than its size says",
					  x->conn.t->url);
		x->chunk_crlf = false;
	}
	n = rl_client_conn_line(&x->conn, line, sizeof(line), "a chunk size", err);
	if (n < 0)
		return n;
	if (parse_chunk_size(line, &x->left) < 0)
		return rl_err_set(err, -EPROTO, "%s: bad chunk size '%.40s'", x->conn.t->url, line);
	if (x->left) {
		x->chunk_crlf = true;
		return 0;
	}
	x->done = true;
	return skip_trailers(&x->conn, err);
}

static ssize_t body_read_counted(struct rl_client_exchange *x, char *out, size_t size,
				 const char *what, struct rl_err *err)
{
	ssize_t n = rl_client_conn_read(&x->conn, out, (size_t)MIN((uint64_t)size, x->left), err);

	if (n == 0)
		return rl_err_set(err, -EPROTO, "%s: the connection closed in the middle of %s",
				  x->conn.t->url, what);
	if (n > 0)
		x->left -= (uint64_t)n;
	return n;
}

ssize_t rl_client_exchange_read(struct rl_client_exchange *x, char *out, size_t size,
				struct rl_err *err)
{
	ssize_t n;
	int ret;

	if (x->done || !size)
		return 0;
	switch (x->framing) {
	case RL_CLIENT_FRAMING_NONE:
	case RL_CLIENT_FRAMING_MAX:
		break;
	case RL_CLIENT_FRAMING_CLOSE:
		n = rl_client_conn_read(&x->conn, out, size, err);
		if (n == 0)
			x->done = true;
		return n;
	case RL_CLIENT_FRAMING_LENGTH:
		if (x->left)
			return body_read_counted(x, out, size, "the body", err);
		break;
	case RL_CLIENT_FRAMING_CHUNKED:
		if (!x->left) {
			ret = next_chunk(x, err);
			if (ret < 0)
				return ret;
			if (x->done)
				return 0;
		}
		return body_read_counted(x, out, size, "a chunk", err);
	}
	x->done = true;
	return 0;
}

int rl_client_exchange_read_all(struct rl_client_exchange *x, struct rl_client_response *r,
				size_t max, struct rl_err *err)
{
	const char *url = x->conn.t->url;
	size_t cap = 0;
	ssize_t n;

	if (x->framing == RL_CLIENT_FRAMING_LENGTH && x->left > max)
		goto too_big;
	do {
		if (cap - r->body_len < 4097) {
			size_t ncap = cap ? cap * 2 : 8192;
			char *p = realloc(r->body, ncap);

			if (!p)
				return rl_err_set(err, -ENOMEM, "out of memory");
			r->body = p;
			cap = ncap;
		}
		n = rl_client_exchange_read(x, r->body + r->body_len, cap - r->body_len - 1, err);
		if (n < 0)
			return (int)n;
		r->body_len += (size_t)n;
		r->body[r->body_len] = '\0';
		if (r->body_len > max)
			goto too_big;
	} while (n > 0);
	return 0;
too_big:
	return rl_err_set(err, -EFBIG, "%s: the answer is larger than %zu bytes", url, max);
}

static int status_errno(int status)
{
	switch (status) {
	case 400: return -EINVAL;
	case 401: return -EACCES;
	case 403: return -EPERM;
	case 404: return -ENOENT;
	case 405: return -EOPNOTSUPP;
	case 409: return -EBUSY;
	case 413: return -E2BIG;
	case 421: return -EPERM;
	}
	return status >= 500 ? -EIO : -EINVAL;
}

int rl_client_answer_error(const struct rl_client_target *t, const char *method,
			   const char *path, const struct rl_client_response *r,
			   struct rl_err *err)
{
	cJSON *j = r->body ? cJSON_ParseWithLength(r->body, r->body_len) : NULL;
	const cJSON *msg = cJSON_GetObjectItemCaseSensitive(j, "error");
	const cJSON *detail = cJSON_GetObjectItemCaseSensitive(j, "detail");
	char *detail_text = NULL;
	int e = status_errno(r->status);

	/* An error quotes what a client sent (a label, a path): printed, it must not hold escapes. */
	rl_json_printable(j);

	if (cJSON_IsObject(detail) || cJSON_IsArray(detail))
		detail_text = cJSON_PrintUnformatted(detail);
	else if (cJSON_IsString(detail) && detail->valuestring[0])
		detail_text = strdup(detail->valuestring);
	/* A detail the message already names (409: the busy target) would only stutter. */
	if (detail_text && cJSON_IsString(msg) && strstr(msg->valuestring, detail_text)) {
		free(detail_text);
		detail_text = NULL;
	}
	if (cJSON_IsString(msg) && msg->valuestring[0])
		rl_err_set(err, e, "%.300s%s%.150s (HTTP %d)", msg->valuestring,
			   detail_text ? ": " : "", detail_text ? detail_text : "", r->status);
	else
		rl_err_set(err, e, "%s %s%s: HTTP %d %s", method, t->url, path, r->status, r->reason);
	free(detail_text);
	cJSON_Delete(j);
	return e;
}

/* --- the exchange ----------------------------------------------------------- */

int rl_client_exchange_start(struct rl_client_exchange *x, const struct rl_client_target *t,
			     const char *method, const char *path, const char *accept,
			     const char *body, struct rl_client_response *r, struct rl_err *err)
{
	int ret;

	memset(r, 0, sizeof(*r));
	ret = rl_client_conn_open(&x->conn, t, err);
	if (!ret)
		ret = send_request(&x->conn, method, path, accept, body, err);
	if (!ret)
		ret = read_head(x, method, r, err);
	return ret;
}

void rl_client_exchange_close(struct rl_client_exchange *x)
{
	rl_client_conn_close(&x->conn);
}
