/* SPDX-License-Identifier: MIT */
/* One TCP connection to the daemon: connect within a timeout, buffered reads under the read timeout, whole writes. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "conn.h"

#define MIN(a, b) ((a) < (b) ? (a) : (b))

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

int rl_client_conn_open(struct rl_client_conn *c, const struct rl_client_target *t,
			struct rl_err *err)
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

bool rl_client_unreachable(int ret)
{
	switch (ret) {
	case -ECONNREFUSED: case -EHOSTUNREACH: case -ENETUNREACH: case -EADDRNOTAVAIL:
	case -ETIMEDOUT:
		return true;
	}
	return false;
}

static int io_error(const struct rl_client_conn *c, int e, const char *doing, struct rl_err *err)
{
	if (e == EAGAIN || e == EWOULDBLOCK)
		return rl_err_set(err, -ETIMEDOUT, "%s: no answer within %g s while %s", c->t->url,
				  secs(c->t->read_timeout_ms), doing);
	return rl_err_set(err, -e, "%s: %s while %s", c->t->url, strerror(e), doing);
}

/* Read more into the buffer. Returns the bytes added, 0 at the end of the stream, or -errno. */
static ssize_t conn_fill(struct rl_client_conn *c, struct rl_err *err)
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

int rl_client_conn_line(struct rl_client_conn *c, char *out, size_t size, const char *what,
			struct rl_err *err)
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

ssize_t rl_client_conn_read(struct rl_client_conn *c, char *out, size_t size, struct rl_err *err)
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

void rl_client_conn_close(struct rl_client_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

int rl_client_conn_send(struct rl_client_conn *c, const char *p, size_t n, struct rl_err *err)
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

