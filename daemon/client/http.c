/* SPDX-License-Identifier: MIT */
/*
 * HTTP/1.1 over one TCP connection per request. The reading side is three
 * layers: a buffered connection (lines and bytes, with the read timeout),
 * the message head (status line and the few headers that matter), and a body
 * reader that undoes the framing (Content-Length, chunked, or until close);
 * whole responses and Server-Sent Events are both built on the body reader.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "http.h"
#include "util/cleanup.h"
#include "util/fileio.h"

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "unknown"
#endif

#define HEAD_LINE_MAX 8192	/* one status or header line */
#define HEADERS_MAX 100
#define CONN_BUF 16384
#define MIN(a, b) ((a) < (b) ? (a) : (b))

/* --- the daemon's address ----------------------------------------------- */

static int bad_url(struct rl_err *err, const char *url, const char *why)
{
	return rl_err_set(err, -EINVAL, "url '%.200s': %s", url, why);
}

static bool has_ctl_or_space(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] <= ' ' || s[i] == 0x7f)
			return true;
	return false;
}

/* "" means the scheme's default; otherwise 1..65535 in decimal. */
static int parse_port(const char *s, size_t n, char out[6])
{
	unsigned long v = 0;
	size_t i;

	if (!n) {
		memcpy(out, "80", 3);
		return 0;
	}
	if (n > 5)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -EINVAL;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v < 1 || v > 65535)
		return -EINVAL;
	snprintf(out, 6, "%lu", v);
	return 0;
}

/* Split "host[:port]" or "[v6][:port]" (@a, @n bytes) into @t. */
static int parse_authority(struct rl_client_target *t, const char *a, size_t n, const char *url,
			   struct rl_err *err)
{
	const char *host = a, *after, *end = a + n;
	bool v6 = false;
	size_t hlen;

	if (memchr(a, '@', n))
		return bad_url(err, url, "user names in the URL are not supported; use --token");
	if (n && a[0] == '[') {
		const char *close = memchr(a, ']', n);

		if (!close)
			return bad_url(err, url, "unterminated [IPv6] literal");
		host = a + 1;
		hlen = (size_t)(close - host);
		after = close + 1;
		if (after < end && *after != ':')
			return bad_url(err, url, "expected ':PORT' or '/' after the ']'");
		v6 = true;
	} else {
		const char *colon = memchr(a, ':', n);

		if (colon && memchr(colon + 1, ':', (size_t)(end - colon - 1)))
			return bad_url(err, url, "IPv6 addresses go in brackets: http://[::1]:7117");
		hlen = colon ? (size_t)(colon - a) : n;
		after = colon ? colon : end;
	}
	if (!hlen)
		return bad_url(err, url, "no host");
	if (hlen >= sizeof(t->host))
		return bad_url(err, url, "host name too long");
	memcpy(t->host, host, hlen);
	t->host[hlen] = '\0';
	if (v6) {
		struct in6_addr in6;

		if (inet_pton(AF_INET6, t->host, &in6) != 1)
			return bad_url(err, url, "not an IPv6 address between the brackets");
	}
	if (parse_port(after < end ? after + 1 : after, after < end ? (size_t)(end - after - 1) : 0,
		       t->port) < 0)
		return bad_url(err, url, "the port must be a number 1..65535");
	/* Like curl: the default port stays out of Host, so allowlists need not list both. */
	snprintf(t->host_header, sizeof(t->host_header), "%s%s%s%s%s", v6 ? "[" : "", t->host,
		 v6 ? "]" : "", strcmp(t->port, "80") ? ":" : "", strcmp(t->port, "80") ? t->port : "");
	return 0;
}

static int set_token(struct rl_client_target *t, const char *token, struct rl_err *err)
{
	size_t n = token ? strlen(token) : 0;

	if (n >= sizeof(t->token))
		return rl_err_set(err, -EINVAL, "token: longer than %zu characters",
				  sizeof(t->token) - 1);
	/* It goes into a header line: a newline in it would forge headers. */
	if (has_ctl_or_space(token ? token : "", n))
		return rl_err_set(err, -EINVAL, "token: contains a space or control character");
	if (n)
		memcpy(t->token, token, n + 1);
	return 0;
}

int rl_client_target_init(struct rl_client_target *t, const char *url, const char *token,
			struct rl_err *err)
{
	const char *p, *slash;
	size_t n;
	int ret;

	memset(t, 0, sizeof(*t));
	t->connect_timeout_ms = RL_CLIENT_CONNECT_TIMEOUT_MS;
	t->read_timeout_ms = RL_CLIENT_READ_TIMEOUT_MS;
	t->body_max = RL_CLIENT_BODY_MAX;
	if (!url)
		url = "";
	if (strncasecmp(url, "http://", 7) != 0)
		return bad_url(err, url, strstr(url, "://")
			? "only http:// is supported (put a TLS proxy in front of ringlabd for https)"
			: "must start with http://, e.g. " RL_CLIENT_DEFAULT_URL);
	n = strlen(url);
	while (n > 7 && url[n - 1] == '/')
		n--;
	if (n >= sizeof(t->url))
		return bad_url(err, url, "too long");
	if (has_ctl_or_space(url, n))
		return bad_url(err, url, "contains a space or control character");
	if (strpbrk(url, "?#"))
		return bad_url(err, url, "a query or fragment has no place in the daemon's address");
	memcpy(t->url, url, n);
	t->url[n] = '\0';
	p = t->url + 7;
	slash = strchr(p, '/');
	ret = parse_authority(t, p, slash ? (size_t)(slash - p) : strlen(p), url, err);
	if (ret < 0)
		return ret;
	if (slash && strlen(slash) >= sizeof(t->prefix))
		return bad_url(err, url, "path prefix too long");
	if (slash)
		strcpy(t->prefix, slash);
	return set_token(t, token, err);
}

/* --- connections ---------------------------------------------------------- */

struct conn {
	int fd;
	const struct rl_client_target *t;
	size_t pos, len;	/* unread bytes are buf[pos..len) */
	char buf[CONN_BUF];
};

static double secs(int ms)
{
	return ms / 1000.0;
}

static int resolve(const struct rl_client_target *t, struct addrinfo **res, struct rl_err *err)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV };
	int ret = getaddrinfo(t->host, t->port, &hints, res);

	if (!ret)
		return 0;
	return rl_err_set(err, -EHOSTUNREACH, "cannot connect to %s: cannot resolve '%s': %s",
			  t->url, t->host, ret == EAI_SYSTEM ? strerror(errno) : gai_strerror(ret));
}

/*
 * An address literal, without the resolver: a static ringlab in a VM guest
 * has no NSS modules, and guests name the host by address anyway. Returns
 * true when @t->host is one, with @ai pointing into @ss.
 */
static bool literal_addr(const struct rl_client_target *t, struct sockaddr_storage *ss,
			 struct addrinfo *ai)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	uint16_t port = htons((uint16_t)atoi(t->port));

	memset(ss, 0, sizeof(*ss));
	memset(ai, 0, sizeof(*ai));
	ai->ai_addr = (struct sockaddr *)ss;
	if (inet_pton(AF_INET, t->host, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = port;
		ai->ai_family = AF_INET;
		ai->ai_addrlen = sizeof(*in4);
		return true;
	}
	if (inet_pton(AF_INET6, t->host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = port;
		ai->ai_family = AF_INET6;
		ai->ai_addrlen = sizeof(*in6);
		return true;
	}
	return false;
}

/* One address, bounded by @timeout_ms. Returns a blocking fd or -errno. */
static int connect_one(const struct addrinfo *ai, int timeout_ms)
{
	struct pollfd pfd;
	socklen_t len = sizeof(int);
	int fd, soerr = 0, ret;

	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
		if (errno != EINPROGRESS) {
			ret = -errno;
			goto fail;
		}
		pfd = (struct pollfd){ .fd = fd, .events = POLLOUT };
		do
			ret = poll(&pfd, 1, timeout_ms);
		while (ret < 0 && errno == EINTR);
		if (ret <= 0) {
			ret = ret ? -errno : -ETIMEDOUT;
			goto fail;
		}
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0 || soerr) {
			ret = soerr ? -soerr : -errno;
			goto fail;
		}
	}
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0) {
		ret = -errno;
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return ret;
}

static int set_timeouts(int fd, int ms)
{
	struct timeval tv = { .tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000 };

	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0)
		return -errno;
	return 0;
}

static int conn_open(struct conn *c, const struct rl_client_target *t, struct rl_err *err)
{
	struct addrinfo *res = NULL, *ai, literal;
	struct sockaddr_storage ss;
	int fd = -ECONNREFUSED, ret;

	c->fd = -1;
	c->t = t;
	c->pos = c->len = 0;
	if (literal_addr(t, &ss, &literal)) {
		ai = &literal;
	} else {
		ret = resolve(t, &res, err);
		if (ret < 0)
			return ret;
		ai = res;
	}
	/* "localhost" may be ::1 and 127.0.0.1: the daemon listens on one of them. */
	for (; ai; ai = ai->ai_next) {
		fd = connect_one(ai, t->connect_timeout_ms);
		if (fd >= 0)
			break;
	}
	if (res)
		freeaddrinfo(res);
	if (fd == -ETIMEDOUT)
		return rl_err_set(err, fd, "cannot connect to %s: no answer within %g s", t->url,
				  secs(t->connect_timeout_ms));
	if (fd < 0)
		return rl_err_set(err, fd, "cannot connect to %s: %s%s", t->url, strerror(-fd),
				  fd == -ECONNREFUSED ? " (is ringlabd running?)" : "");
	ret = set_timeouts(fd, t->read_timeout_ms);
	if (ret < 0) {
		close(fd);
		return rl_err_set(err, ret, "%s: setting socket timeouts: %s", t->url, strerror(-ret));
	}
	c->fd = fd;
	return 0;
}

static int io_error(const struct conn *c, int e, const char *doing, struct rl_err *err)
{
	if (e == EAGAIN || e == EWOULDBLOCK)
		return rl_err_set(err, -ETIMEDOUT, "%s: no answer within %g s while %s", c->t->url,
				  secs(c->t->read_timeout_ms), doing);
	return rl_err_set(err, -e, "%s: %s while %s", c->t->url, strerror(e), doing);
}

/* Read more into the buffer. Returns the bytes added, 0 at the end of the stream, or -errno. */
static ssize_t conn_fill(struct conn *c, struct rl_err *err)
{
	ssize_t n;

	if (c->pos == c->len) {
		c->pos = c->len = 0;
	} else if (c->pos) {
		memmove(c->buf, c->buf + c->pos, c->len - c->pos);
		c->len -= c->pos;
		c->pos = 0;
	}
	do
		n = recv(c->fd, c->buf + c->len, sizeof(c->buf) - c->len, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return io_error(c, errno, "reading the answer", err);
	c->len += (size_t)n;
	return n;
}

/* One line without its CR LF into @out. Returns its length or -errno (-EPROTO at the end of the stream). */
static int conn_line(struct conn *c, char *out, size_t size, const char *what, struct rl_err *err)
{
	for (;;) {
		char *start = c->buf + c->pos, *nl = memchr(start, '\n', c->len - c->pos);
		ssize_t got;

		if (nl) {
			size_t n = (size_t)(nl - start);

			if (n && start[n - 1] == '\r')
				n--;
			if (n >= size)
				break;
			memcpy(out, start, n);
			out[n] = '\0';
			c->pos += (size_t)(nl - start) + 1;
			return (int)n;
		}
		if (c->len - c->pos > size)
			break;
		got = conn_fill(c, err);
		if (got < 0)
			return (int)got;
		if (!got)
			return rl_err_set(err, -EPROTO, "%s: the connection closed in the middle of %s",
					  c->t->url, what);
	}
	return rl_err_set(err, -EPROTO, "%s: a line of %s is longer than %zu bytes", c->t->url, what,
			  size - 1);
}

/* Up to @size bytes. Returns the count, 0 at the end of the stream, or -errno. */
static ssize_t conn_read(struct conn *c, char *out, size_t size, struct rl_err *err)
{
	size_t n;

	if (c->pos == c->len) {
		ssize_t got = conn_fill(c, err);

		if (got <= 0)
			return got;
	}
	n = MIN(size, c->len - c->pos);
	memcpy(out, c->buf + c->pos, n);
	c->pos += n;
	return (ssize_t)n;
}

static int send_all(struct conn *c, const char *p, size_t n, struct rl_err *err)
{
	while (n) {
		ssize_t w = send(c->fd, p, n, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return io_error(c, errno, "sending the request", err);
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* --- requests -------------------------------------------------------------- */

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
	if (path[0] != '/' || has_ctl_or_space(path, strlen(path)))
		return rl_err_set(err, -EINVAL,
				  "request path '%.200s': must start with '/' and be escaped", path);
	return 0;
}

static int send_request(struct conn *c, const char *method, const char *path, const char *accept,
			const char *body, struct rl_err *err)
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
	ret = send_all(c, head, (size_t)n, err);
	if (!ret && body)
		ret = send_all(c, body, strlen(body), err);
	return ret;
}

/* --- responses: the head --------------------------------------------------- */

enum framing { BODY_NONE, BODY_LENGTH, BODY_CHUNKED, BODY_CLOSE };

struct body {
	struct conn *c;
	enum framing framing;
	uint64_t left;		/* LENGTH: bytes still to come; CHUNKED: of the current chunk */
	bool chunk_crlf;	/* CHUNKED: a chunk's data ended, its CR LF comes next */
	bool done;
};

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
	}
	return 0;
}

static int read_one_head(struct conn *c, struct rl_client_response *r, struct head_info *h,
			 struct rl_err *err)
{
	char line[HEAD_LINE_MAX];
	int n, i;

	memset(h, 0, sizeof(*h));
	n = conn_line(c, line, sizeof(line), "the status line", err);
	if (n < 0)
		return n;
	if (parse_status(line, r) < 0)
		return rl_err_set(err, -EPROTO, "%s: not an HTTP/1.x answer: '%.60s'", c->t->url,
				  line);
	for (i = 0;; i++) {
		n = conn_line(c, line, sizeof(line), "the headers", err);
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
static int read_head(struct conn *c, const char *method, struct rl_client_response *r,
		     struct body *b, struct rl_err *err)
{
	struct head_info h;
	int ret;

	do {
		ret = read_one_head(c, r, &h, err);
		if (ret < 0)
			return ret;
	} while (r->status < 200);
	memset(b, 0, sizeof(*b));
	b->c = c;
	if (!strcmp(method, "HEAD") || r->status == 204 || r->status == 304)
		b->framing = BODY_NONE;
	else if (h.chunked)
		b->framing = BODY_CHUNKED;	/* it overrides Content-Length (RFC 7230 3.3.3) */
	else if (h.have_length)
		b->framing = BODY_LENGTH;
	else
		b->framing = BODY_CLOSE;
	b->left = h.have_length ? h.length : 0;
	return 0;
}

/* --- responses: the body --------------------------------------------------- */

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

static int skip_trailers(struct conn *c, struct rl_err *err)
{
	char line[HEAD_LINE_MAX];
	int n, i;

	for (i = 0; i <= HEADERS_MAX; i++) {
		n = conn_line(c, line, sizeof(line), "the trailers", err);
		if (n <= 0)
			return n;
	}
	return rl_err_set(err, -EPROTO, "%s: more than %d trailers", c->t->url, HEADERS_MAX);
}

/* Position @b at data: past the previous chunk's CR LF and the next size line. */
static int next_chunk(struct body *b, struct rl_err *err)
{
	char line[1024];
	int n;

	if (b->chunk_crlf) {
		n = conn_line(b->c, line, sizeof(line), "a chunk", err);
		if (n < 0)
			return n;
		if (n)
			return rl_err_set(err, -EPROTO, "%s: a chunk is longer than its size says",
					  b->c->t->url);
		b->chunk_crlf = false;
	}
	n = conn_line(b->c, line, sizeof(line), "a chunk size", err);
	if (n < 0)
		return n;
	if (parse_chunk_size(line, &b->left) < 0)
		return rl_err_set(err, -EPROTO, "%s: bad chunk size '%.40s'", b->c->t->url, line);
	if (b->left) {
		b->chunk_crlf = true;
		return 0;
	}
	b->done = true;
	return skip_trailers(b->c, err);
}

static ssize_t body_read_counted(struct body *b, char *out, size_t size, const char *what,
				 struct rl_err *err)
{
	ssize_t n = conn_read(b->c, out, (size_t)MIN((uint64_t)size, b->left), err);

	if (n == 0)
		return rl_err_set(err, -EPROTO, "%s: the connection closed in the middle of %s",
				  b->c->t->url, what);
	if (n > 0)
		b->left -= (uint64_t)n;
	return n;
}

/* Up to @size bytes of the body. Returns the count, 0 at its end, or -errno. */
static ssize_t body_read(struct body *b, char *out, size_t size, struct rl_err *err)
{
	ssize_t n;
	int ret;

	if (b->done || !size)
		return 0;
	switch (b->framing) {
	case BODY_NONE:
		break;
	case BODY_CLOSE:
		n = conn_read(b->c, out, size, err);
		if (n == 0)
			b->done = true;
		return n;
	case BODY_LENGTH:
		if (b->left)
			return body_read_counted(b, out, size, "the body", err);
		break;
	case BODY_CHUNKED:
		if (!b->left) {
			ret = next_chunk(b, err);
			if (ret < 0)
				return ret;
			if (b->done)
				return 0;
		}
		return body_read_counted(b, out, size, "a chunk", err);
	}
	b->done = true;
	return 0;
}

static int read_all(struct body *b, struct rl_client_response *r, size_t max, struct rl_err *err)
{
	const char *url = b->c->t->url;
	size_t cap = 0;
	ssize_t n;

	if (b->framing == BODY_LENGTH && b->left > max)
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
		n = body_read(b, r->body + r->body_len, cap - r->body_len - 1, err);
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

/* The API's {"error": ..., "detail": ...} as the message, or the status line when there is none. */
static int api_error(const struct rl_client_target *t, const char *method, const char *path,
		     const struct rl_client_response *r, struct rl_err *err)
{
	cJSON *j = r->body ? cJSON_ParseWithLength(r->body, r->body_len) : NULL;
	const cJSON *msg = cJSON_GetObjectItemCaseSensitive(j, "error");
	const cJSON *detail = cJSON_GetObjectItemCaseSensitive(j, "detail");
	char *detail_text = NULL;
	int e = status_errno(r->status);

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

/* --- the public calls ------------------------------------------------------ */

void rl_client_response_free(struct rl_client_response *r)
{
	free(r->body);
	memset(r, 0, sizeof(*r));
}

/* Connect, send, read the head: the start of every exchange. */
static int exchange(struct conn *c, const struct rl_client_target *t, const char *method,
		    const char *path, const char *accept, const char *body,
		    struct rl_client_response *r, struct body *b, struct rl_err *err)
{
	int ret;

	memset(r, 0, sizeof(*r));
	ret = conn_open(c, t, err);
	if (!ret)
		ret = send_request(c, method, path, accept, body, err);
	if (!ret)
		ret = read_head(c, method, r, b, err);
	return ret;
}

int rl_client_request(const struct rl_client_target *t, const char *method, const char *path,
		    const char *body, struct rl_client_response *r, struct rl_err *err)
{
	struct conn *c = malloc(sizeof(*c));
	struct body b;
	int ret;

	memset(r, 0, sizeof(*r));
	if (!c)
		return rl_err_set(err, -ENOMEM, "out of memory");
	ret = exchange(c, t, method, path, "application/json", body, r, &b, err);
	if (!ret)
		ret = read_all(&b, r, t->body_max, err);
	if (c->fd >= 0)
		close(c->fd);
	free(c);
	if (ret < 0)
		return ret;
	if (r->status >= 400)
		return api_error(t, method, path, r, err);
	return 0;
}

static int parse_answer(const struct rl_client_target *t, const char *path,
			const struct rl_client_response *r, cJSON **out, struct rl_err *err)
{
	cJSON *j = cJSON_ParseWithLength(r->body, r->body_len);

	if (!j)
		return rl_err_set(err, -EPROTO, "%s%s: the answer is not JSON", t->url, path);
	*out = j;
	return 0;
}

int rl_client_get_json(const struct rl_client_target *t, const char *path, cJSON **out,
		     struct rl_err *err)
{
	struct rl_client_response r;
	int ret;

	*out = NULL;
	ret = rl_client_request(t, "GET", path, NULL, &r, err);
	if (!ret)
		ret = parse_answer(t, path, &r, out, err);
	rl_client_response_free(&r);
	return ret;
}

int rl_client_post_json(const struct rl_client_target *t, const char *path, const cJSON *body,
		      cJSON **out, struct rl_err *err)
{
	struct rl_client_response r;
	char *text = NULL;
	int ret;

	if (out)
		*out = NULL;
	if (body) {
		text = cJSON_PrintUnformatted(body);
		if (!text)
			return rl_err_set(err, -ENOMEM, "out of memory");
	}
	ret = rl_client_request(t, "POST", path, text, &r, err);
	if (!ret && out)
		ret = parse_answer(t, path, &r, out, err);
	rl_client_response_free(&r);
	cJSON_free(text);
	return ret;
}

int rl_client_escape(const char *s, char *out, size_t size)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = 0;

	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		bool plain = isalnum(ch) || ch == '-' || ch == '.' || ch == '_' || ch == '~';

		if (n + (plain ? 1 : 3) >= size)
			return -ENAMETOOLONG;
		if (plain) {
			out[n++] = (char)ch;
		} else {
			out[n++] = '%';
			out[n++] = hex[ch >> 4];
			out[n++] = hex[ch & 15];
		}
	}
	if (!size)
		return -ENAMETOOLONG;
	out[n] = '\0';
	return (int)n;
}

int rl_client_query_add(char *path, size_t size, const char *key, const char *value)
{
	size_t len = strlen(path);
	char esc[1024];
	int n;

	if (!value)
		return 0;
	if (rl_client_escape(value, esc, sizeof(esc)) < 0)
		return -ENAMETOOLONG;
	n = snprintf(path + len, size - len, "%c%s=%s", strchr(path, '?') ? '&' : '?', key, esc);
	if (n < 0 || (size_t)n >= size - len) {
		path[len] = '\0';
		return -ENAMETOOLONG;
	}
	return 0;
}

/* --- Server-Sent Events ----------------------------------------------------- */

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

static int sse_check_answer(const struct rl_client_target *t, const char *path, struct body *b,
			    struct rl_client_response *r, struct rl_err *err)
{
	int ret;

	if (r->status >= 400) {
		ret = read_all(b, r, 1 << 20, err);
		return ret < 0 ? ret : api_error(t, "GET", path, r, err);
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
	struct conn *c = malloc(sizeof(*c));
	struct rl_client_response r;
	char buf[4096];
	struct body b;
	ssize_t n;
	int ret;

	if (!c)
		return rl_err_set(err, -ENOMEM, "out of memory");
	ret = exchange(c, t, "GET", path, "text/event-stream", NULL, &r, &b, err);
	if (!ret)
		ret = sse_check_answer(t, path, &b, &r, err);
	if (!ret)
		ret = sse_room(&s, &s.line, &s.line_cap, 0);
	while (!ret) {
		n = body_read(&b, buf, sizeof(buf), err);
		if (n <= 0) {
			ret = (int)n;
			break;
		}
		ret = sse_feed(&s, buf, (size_t)n);
	}
	if (c->fd >= 0)
		close(c->fd);
	free(c);
	free(s.line);
	free(s.data);
	rl_client_response_free(&r);
	return ret;
}

/* --- the CLI's view: options and the environment ---------------------------- */

int rl_client_conn_opt(struct rl_client_conn_args *a, int key, const char *arg)
{
	switch (key) {
	case RL_CLIENT_OPT_URL: a->url = arg; return 1;
	case RL_CLIENT_OPT_TOKEN: a->token = arg; return 1;
	case RL_CLIENT_OPT_TOKEN_FILE: a->token_file = arg; return 1;
	}
	return 0;
}

int rl_client_target_from_args(struct rl_client_target *t, const struct rl_client_conn_args *a,
			     struct rl_err *err)
{
	char file_token[sizeof(t->token)];
	const char *url = a->url, *token = a->token;
	int ret;

	if (a->token && a->token_file)
		return rl_err_set(err, -EINVAL, "give --token or --token-file, not both");
	if (!url || !*url)
		url = getenv("RINGLAB_URL");
	if (!url || !*url)
		url = RL_CLIENT_DEFAULT_URL;
	if (a->token_file) {
		ret = rl_read_token_file(a->token_file, file_token, sizeof(file_token), err);
		if (ret < 0)
			return ret;
		token = file_token;
	}
	if (!token)
		token = getenv("RINGLAB_TOKEN");
	return rl_client_target_init(t, url, token, err);
}
