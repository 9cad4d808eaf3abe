/* SPDX-License-Identifier: MIT */
/* test_http_client: the CLI's HTTP client against canned answers from a server thread on 127.0.0.1 (URLs, framing, errors, timeouts, SSE). */
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "client/args.h"
#include "client/http.h"
#include "client/sse.h"
#include "client/url.h"
#include "../lib/check.h"

/* --- the server ------------------------------------------------------------ */

struct server {
	int lfd, port;
	pthread_t thread;
	pthread_mutex_t lock;
	char request[8192];	/* the last request: head and body as received */
};

static void put(int fd, const char *s)
{
	size_t n = strlen(s);

	while (n) {
		ssize_t w = send(fd, s, n, MSG_NOSIGNAL);

		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

/* Send @parts one by one with a pause, so the client sees them in separate reads. */
static void put_slowly(int fd, const char *const *parts)
{
	int one = 1;

	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	for (; *parts; parts++) {
		put(fd, *parts);
		usleep(3000);
	}
}

static void put_json(int fd, const char *status, const char *body)
{
	char buf[4096];

	snprintf(buf, sizeof(buf),
		 "HTTP/1.1 %s\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
		 "Location: /api/v1/runs/12\r\n\r\n%s",
		 status, strlen(body), body);
	put(fd, buf);
}

/* How often the /api/v1/busy-* paths were asked (the server thread counts). */
static atomic_uint busy_hits;

/* 503 with @retry_after ("" for no Retry-After header). */
static void put_503(int fd, const char *retry_after)
{
	static const char body[] = "{\"error\": \"one at a time\"}";
	char buf[512];

	snprintf(buf, sizeof(buf),
		 "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n%s%s%s"
		 "Content-Length: %zu\r\n\r\n%s",
		 *retry_after ? "Retry-After: " : "", retry_after, *retry_after ? "\r\n" : "",
		 strlen(body), body);
	put(fd, buf);
}

/* busy-once: 503 first, then free; -always: 503 "retry at once"; -long: in an hour; -plain: no Retry-After. */
static void answer_busy(int fd, const char *kind)
{
	unsigned int n = atomic_fetch_add(&busy_hits, 1);

	if (!strcmp(kind, "once") && n)
		put_json(fd, "201 Created", "{\"id\": 3}");
	else
		put_503(fd, !strcmp(kind, "once") ? "1" : !strcmp(kind, "always") ? "0" :
			    !strcmp(kind, "long") ? "3600" : "");
}

/* The head, then the body by Content-Length. Returns the bytes kept in @buf. */
static size_t read_request(int fd, char *buf, size_t size)
{
	size_t len = 0, want = 0;
	char *end = NULL, *cl;

	while (len < size - 1) {
		ssize_t n = recv(fd, buf + len, size - 1 - len, 0);

		if (n <= 0)
			break;
		len += (size_t)n;
		buf[len] = '\0';
		if (!end) {
			end = strstr(buf, "\r\n\r\n");
			if (end) {
				cl = strcasestr(buf, "Content-Length:");
				want = (size_t)(end + 4 - buf) + (cl ? strtoul(cl + 15, NULL, 10) : 0);
			}
		}
		if (end && len >= want)
			break;
	}
	buf[len] = '\0';
	return len;
}

/* The data of each chunk of the event stream. */
static const char *const sse_chunks[] = {
	/* A comment, then an event whose CR LF pairs straddle chunk boundaries. */
	": keep-alive\n\n", "event: progress\r", "\ndata: {\"cel", "l\":0}\r\n\r",
	"\nevent: done\r\ndata: line1\r\ndata: line2\r\n\r\n",
	/* Broken off before its blank line: must not be delivered. */
	"event: lost\ndata: x\n", NULL,
};

/* An event stream in chunked encoding, one chunk per write. */
static void put_sse(int fd)
{
	const char *const *c;
	char buf[256];
	int one = 1;

	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	put(fd, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
		"Transfer-Encoding: chunked\r\n\r\n");
	for (c = sse_chunks; *c; c++) {
		snprintf(buf, sizeof(buf), "%zx\r\n%s\r\n", strlen(*c), *c);
		put(fd, buf);
		usleep(3000);
	}
	put(fd, "0\r\n\r\n");
}

static const char *const chunked_parts[] = {
	"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
	"5\r\n{\"a\":", "\r\n7;ext=1\r\n [1,2]}\r\n", "0\r\nX-Trailer: yes\r\n\r\n", NULL,
};

static void answer(int fd, const char *path)
{
	char buf[8192];

	if (!strcmp(path, "/api/v1/len")) {
		put_json(fd, "200 OK", "{\"hello\": \"world\"}");
	} else if (!strcmp(path, "/api/v1/chunked")) {
		put_slowly(fd, chunked_parts);
	} else if (!strcmp(path, "/api/v1/close")) {
		put(fd, "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end");
	} else if (!strcmp(path, "/api/v1/continue")) {
		put(fd, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
	} else if (!strcmp(path, "/api/v1/busy")) {
		put_json(fd, "409 Conflict", "{\"error\": \"target default is busy\", \"detail\": \"default\"}");
	} else if (!strncmp(path, "/api/v1/busy-", 13)) {
		answer_busy(fd, path + 13);
	} else if (!strcmp(path, "/api/v1/detail")) {
		put_json(fd, "400 Bad Request", "{\"error\": \"field scale: must be > 0\", \"detail\": \"got -1\"}");
	} else if (!strcmp(path, "/api/v1/object")) {
		put_json(fd, "400 Bad Request", "{\"error\": \"bad body\", \"detail\": {\"line\": 1}}");
	} else if (!strcmp(path, "/api/v1/html")) {
		put(fd, "HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\nContent-Length: 5\r\n\r\n<h1/>");
	} else if (!strcmp(path, "/api/v1/truncated")) {
		put(fd, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789");
	} else if (!strcmp(path, "/api/v1/big")) {
		memset(buf, 'x', 5000);
		buf[5000] = '\0';
		put(fd, "HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n");
		put(fd, buf);
	} else if (!strcmp(path, "/api/v1/escapes")) {
		put_json(fd, "200 OK", "{\"label\": \"a\\u001b[2Jb\\u009bc\\nd\\te\\u007f\\u00e9\"}");
	} else if (!strcmp(path, "/api/v1/escapes-400")) {
		put_json(fd, "400 Bad Request", "{\"error\": \"label '\\u001b]0;x\\u0007'\", \"detail\": null}");
	} else if (!strcmp(path, "/api/v1/notjson")) {
		put(fd, "HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\nnot json");
	} else if (!strcmp(path, "/api/v1/garbage")) {
		put(fd, "SSH-2.0-OpenSSH_9.2\r\n");
	} else if (!strcmp(path, "/api/v1/runs")) {
		put_json(fd, "202 Accepted", "{\"id\": 12, \"status\": \"queued\"}");
	} else if (!strcmp(path, "/api/v1/events")) {
		put_sse(fd);
	} else if (!strcmp(path, "/api/v1/events-404")) {
		put_json(fd, "404 Not Found", "{\"error\": \"no run 99\", \"detail\": null}");
	} else if (!strcmp(path, "/api/v1/events-json")) {
		put_json(fd, "200 OK", "{}");
	} else if (!strcmp(path, "/api/v1/slow")) {
		sleep(2);
		put_json(fd, "200 OK", "{}");
	} else {
		put_json(fd, "404 Not Found", "{\"error\": \"no such path\", \"detail\": null}");
	}
}

static void *serve(void *arg)
{
	struct server *s = arg;
	struct timeval tv = { .tv_sec = 5 };
	char req[8192], path[512];

	for (;;) {
		int fd = accept4(s->lfd, NULL, NULL, SOCK_CLOEXEC);

		if (fd < 0)
			break;
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		read_request(fd, req, sizeof(req));
		pthread_mutex_lock(&s->lock);
		memcpy(s->request, req, sizeof(req));
		pthread_mutex_unlock(&s->lock);
		path[0] = '\0';
		sscanf(req, "%*s %511s", path);
		/* The prefix test's requests land here too. */
		answer(fd, strncmp(path, "/pfx/", 5) ? path : path + 4);
		close(fd);
	}
	return NULL;
}

static int server_start(struct server *s)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);

	memset(s, 0, sizeof(*s));
	pthread_mutex_init(&s->lock, NULL);
	s->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s->lfd < 0 || bind(s->lfd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    listen(s->lfd, 16) < 0 || getsockname(s->lfd, (struct sockaddr *)&a, &len) < 0)
		return -1;
	s->port = ntohs(a.sin_port);
	return pthread_create(&s->thread, NULL, serve, s) ? -1 : 0;
}

static void server_stop(struct server *s)
{
	/* shutdown() wakes the accept() the thread sleeps in. */
	shutdown(s->lfd, SHUT_RDWR);
	pthread_join(s->thread, NULL);
	close(s->lfd);
}

static void last_request(struct server *s, char *out, size_t size)
{
	pthread_mutex_lock(&s->lock);
	snprintf(out, size, "%s", s->request);
	pthread_mutex_unlock(&s->lock);
}

/* --- URLs ------------------------------------------------------------------ */

struct url_case {
	const char *url;
	const char *host, *port, *prefix, *host_header;	/* host NULL: must fail ... */
	const char *why;				/* ... with this in the message */
};

static const struct url_case url_cases[] = {
	{ "http://127.0.0.1:7117", "127.0.0.1", "7117", "", "127.0.0.1:7117", NULL },
	{ "HTTP://127.0.0.1:7117//", "127.0.0.1", "7117", "", "127.0.0.1:7117", NULL },
	{ "http://[::1]:8080/ringlab/", "::1", "8080", "/ringlab", "[::1]:8080", NULL },
	{ "http://[fe80::1]", "fe80::1", "80", "", "[fe80::1]", NULL },
	{ "http://lab.example", "lab.example", "80", "", "lab.example", NULL },
	{ "http://lab.example:/a/b", "lab.example", "80", "/a/b", "lab.example", NULL },
	{ "http://lab.example:80", "lab.example", "80", "", "lab.example", NULL },
	{ "https://lab.example", NULL, NULL, NULL, NULL, "only http:// is supported" },
	{ "ftp://lab.example", NULL, NULL, NULL, NULL, "only http:// is supported" },
	{ "127.0.0.1:7117", NULL, NULL, NULL, NULL, "must start with http://" },
	{ "", NULL, NULL, NULL, NULL, "must start with http://" },
	{ "http://", NULL, NULL, NULL, NULL, "no host" },
	{ "http://:7117/x", NULL, NULL, NULL, NULL, "no host" },
	{ "http://[::1:7117", NULL, NULL, NULL, NULL, "unterminated [IPv6]" },
	{ "http://[::1]7117", NULL, NULL, NULL, NULL, "after the ']'" },
	{ "http://[not:v6]:80", NULL, NULL, NULL, NULL, "not an IPv6 address" },
	{ "http://::1:7117", NULL, NULL, NULL, NULL, "IPv6 addresses go in brackets" },
	{ "http://host:0", NULL, NULL, NULL, NULL, "port must be a number" },
	{ "http://host:65536", NULL, NULL, NULL, NULL, "port must be a number" },
	{ "http://host:7x", NULL, NULL, NULL, NULL, "port must be a number" },
	{ "http://me@host", NULL, NULL, NULL, NULL, "user names" },
	{ "http://host/x?y=1", NULL, NULL, NULL, NULL, "query or fragment" },
	{ "http://ho st", NULL, NULL, NULL, NULL, "space or control" },
};

static void test_urls(void)
{
	struct rl_client_target t;
	struct rl_err err = { "" };
	size_t i;
	int ret;

	for (i = 0; i < sizeof(url_cases) / sizeof(url_cases[0]); i++) {
		const struct url_case *c = &url_cases[i];

		err.msg[0] = '\0';
		ret = rl_client_target_init(&t, c->url, NULL, &err);
		if (!c->host) {
			CHECK(ret == -EINVAL, "url '%s': got %d, want -EINVAL", c->url, ret);
			CHECK(strstr(err.msg, c->why) && strstr(err.msg, "url '"),
			      "url '%s': message '%s' lacks '%s'", c->url, err.msg, c->why);
			continue;
		}
		CHECK(ret == 0, "url '%s': %s", c->url, err.msg);
		if (ret)
			continue;
		CHECK(!strcmp(t.host, c->host), "url '%s': host '%s'", c->url, t.host);
		CHECK(!strcmp(t.port, c->port), "url '%s': port '%s'", c->url, t.port);
		CHECK(!strcmp(t.prefix, c->prefix), "url '%s': prefix '%s'", c->url, t.prefix);
		CHECK(!strcmp(t.host_header, c->host_header), "url '%s': Host '%s'", c->url,
		      t.host_header);
		CHECK(t.url[strlen(t.url) - 1] != '/', "url '%s': kept as '%s'", c->url, t.url);
	}
	ret = rl_client_target_init(&t, "http://h", "a\r\nX-Evil: 1", &err);
	CHECK(ret == -EINVAL && strstr(err.msg, "token"), "a token with CR LF: %d %s", ret, err.msg);
	ret = rl_client_target_init(&t, "http://h", "", &err);
	CHECK(ret == 0 && !t.token[0], "an empty token means none: %d", ret);
}

static void test_escape(void)
{
	char out[64];
	int n;

	n = rl_client_escape("a b/c&d=\xc3\xa9~x_y.z-", out, sizeof(out));
	CHECK(n > 0 && !strcmp(out, "a%20b%2Fc%26d%3D%C3%A9~x_y.z-"), "escape: %d '%s'", n, out);
	n = rl_client_escape("abcdef", out, 6);
	CHECK(n == -ENAMETOOLONG, "escape into a short buffer: %d", n);
	n = rl_client_escape("", out, 1);
	CHECK(n == 0 && !out[0], "escape of '': %d", n);

	snprintf(out, sizeof(out), "/api/v1/runs");
	n = rl_client_query_add(out, sizeof(out), "label", "v3 rc1");
	n = n ? n : rl_client_query_add(out, sizeof(out), "status", NULL);
	n = n ? n : rl_client_query_add(out, sizeof(out), "limit", "100");
	CHECK(n == 0 && !strcmp(out, "/api/v1/runs?label=v3%20rc1&limit=100"), "query: %d '%s'", n, out);
	n = rl_client_query_add(out, 40, "kernel", "x");
	CHECK(n == -ENAMETOOLONG && !strcmp(out, "/api/v1/runs?label=v3%20rc1&limit=100"),
	      "query overflow: %d '%s'", n, out);
}

static void test_args(void)
{
	char path[] = "/tmp/test_http_client_tokenXXXXXX";
	struct rl_client_conn_args a = { 0 };
	struct rl_client_target t;
	struct rl_err err = { "" };
	int fd, ret;

	setenv("RINGLAB_URL", "http://10.0.2.2:9000/lab", 1);
	setenv("RINGLAB_TOKEN", "from-env", 1);
	ret = rl_client_target_from_args(&t, &a, &err);
	CHECK(ret == 0 && !strcmp(t.host, "10.0.2.2") && !strcmp(t.port, "9000") &&
	      !strcmp(t.prefix, "/lab") && !strcmp(t.token, "from-env"),
	      "environment defaults: %d %s host %s token %s", ret, err.msg, t.host, t.token);
	a.url = "http://[::1]:1";
	a.token = "from-option";
	ret = rl_client_target_from_args(&t, &a, &err);
	CHECK(ret == 0 && !strcmp(t.host, "::1") && !strcmp(t.token, "from-option"),
	      "options win over the environment: %d %s", ret, t.token);
	unsetenv("RINGLAB_URL");
	unsetenv("RINGLAB_TOKEN");
	a = (struct rl_client_conn_args){ 0 };
	ret = rl_client_target_from_args(&t, &a, &err);
	CHECK(ret == 0 && !strcmp(t.url, RL_CLIENT_DEFAULT_URL) && !t.token[0],
	      "built-in default: %d %s", ret, t.url);

	fd = mkstemp(path);
	CHECK(fd >= 0, "mkstemp: %s", strerror(errno));
	if (fd < 0)
		return;
	CHECK(write(fd, "  s3cret \nsecond line\n", 22) == 22, "write token file");
	close(fd);
	a.token_file = path;
	ret = rl_client_target_from_args(&t, &a, &err);
	CHECK(ret == 0 && !strcmp(t.token, "s3cret"), "token file: %d %s '%s'", ret, err.msg, t.token);
	a.token = "x";
	ret = rl_client_target_from_args(&t, &a, &err);
	CHECK(ret == -EINVAL && strstr(err.msg, "not both"), "--token and --token-file: %d %s", ret,
	      err.msg);
	a.token = NULL;
	unlink(path);
	ret = rl_client_target_from_args(&t, &a, &err);
	CHECK(ret == -ENOENT && strstr(err.msg, path), "missing token file: %d %s", ret, err.msg);
}

/* --- requests -------------------------------------------------------------- */

static void target(struct rl_client_target *t, int port, const char *suffix, const char *token)
{
	char url[128];
	struct rl_err err = { "" };

	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", port, suffix);
	if (rl_client_target_init(t, url, token, &err) < 0) {
		fprintf(stderr, "FAIL target %s: %s\n", url, err.msg);
		exit(1);
	}
}

static void test_framing(struct server *s)
{
	struct rl_client_target t;
	struct rl_client_response r;
	struct rl_err err = { "" };
	char req[8192], want[128];
	int ret;

	target(&t, s->port, "", NULL);
	ret = rl_client_request(&t, "GET", "/api/v1/len", NULL, &r, &err);
	CHECK(ret == 0 && r.status == 200 && !strcmp(r.body, "{\"hello\": \"world\"}") &&
	      r.body_len == 18 && !strcmp(r.content_type, "application/json"),
	      "Content-Length: %d %s status %d body '%s'", ret, err.msg, r.status, r.body);
	CHECK(!strcmp(r.location, "/api/v1/runs/12"), "Location '%s'", r.location);
	rl_client_response_free(&r);
	last_request(s, req, sizeof(req));
	snprintf(want, sizeof(want), "\r\nHost: 127.0.0.1:%d\r\n", s->port);
	CHECK(!strncmp(req, "GET /api/v1/len HTTP/1.1\r\n", 26), "request line: %.40s", req);
	CHECK(strstr(req, want), "no '%s' in:\n%s", want + 2, req);
	CHECK(strstr(req, "\r\nConnection: close\r\n"), "no Connection: close in:\n%s", req);
	CHECK(!strstr(req, "Authorization:"), "Authorization without a token:\n%s", req);

	ret = rl_client_request(&t, "GET", "/api/v1/chunked", NULL, &r, &err);
	CHECK(ret == 0 && r.status == 200 && !strcmp(r.body, "{\"a\": [1,2]}") && r.body_len == 12,
	      "chunked: %d %s body '%s'", ret, err.msg, r.body);
	rl_client_response_free(&r);

	ret = rl_client_request(&t, "GET", "/api/v1/close", NULL, &r, &err);
	CHECK(ret == 0 && r.status == 200 && !strcmp(r.body, "until the end"),
	      "until close: %d %s body '%s'", ret, err.msg, r.body);
	rl_client_response_free(&r);

	ret = rl_client_request(&t, "GET", "/api/v1/continue", NULL, &r, &err);
	CHECK(ret == 0 && r.status == 200 && !strcmp(r.body, "ok"), "after 100 Continue: %d %s %d",
	      ret, err.msg, r.status);
	rl_client_response_free(&r);

	ret = rl_client_request(&t, "GET", "/api/v1/truncated", NULL, &r, &err);
	CHECK(ret == -EPROTO && strstr(err.msg, "closed in the middle of the body"),
	      "truncated body: %d %s", ret, err.msg);
	rl_client_response_free(&r);

	t.body_max = 1000;
	ret = rl_client_request(&t, "GET", "/api/v1/big", NULL, &r, &err);
	CHECK(ret == -EFBIG && strstr(err.msg, "larger than 1000 bytes"), "over the cap: %d %s", ret,
	      err.msg);
	rl_client_response_free(&r);
	t.body_max = RL_CLIENT_BODY_MAX;

	ret = rl_client_request(&t, "GET", "/api/v1/garbage", NULL, &r, &err);
	CHECK(ret == -EPROTO && strstr(err.msg, "not an HTTP/1.x answer"), "not HTTP: %d %s", ret,
	      err.msg);
	rl_client_response_free(&r);

	ret = rl_client_request(&t, "GET", "no-slash", NULL, &r, &err);
	CHECK(ret == -EINVAL && strstr(err.msg, "must start with '/'"), "bad path: %d %s", ret,
	      err.msg);
	rl_client_response_free(&r);
}

static void test_errors(struct server *s)
{
	struct rl_client_target t;
	struct rl_client_response r;
	struct rl_err err = { "" };
	cJSON *j = NULL;
	char want[128];
	int ret;

	target(&t, s->port, "", NULL);
	ret = rl_client_request(&t, "GET", "/api/v1/busy", NULL, &r, &err);
	CHECK(ret == -EBUSY && r.status == 409 && !strcmp(err.msg, "target default is busy (HTTP 409)"),
	      "409: %d status %d '%s'", ret, r.status, err.msg);
	CHECK(r.body && strstr(r.body, "busy"), "409 body kept: %s", r.body ? r.body : "(null)");
	rl_client_response_free(&r);

	ret = rl_client_request(&t, "GET", "/api/v1/detail", NULL, &r, &err);
	CHECK(ret == -EINVAL && !strcmp(err.msg, "field scale: must be > 0: got -1 (HTTP 400)"),
	      "400 with detail: %d '%s'", ret, err.msg);
	rl_client_response_free(&r);

	ret = rl_client_request(&t, "GET", "/api/v1/object", NULL, &r, &err);
	CHECK(ret == -EINVAL && !strcmp(err.msg, "bad body: {\"line\":1} (HTTP 400)"),
	      "400 with an object detail: %d '%s'", ret, err.msg);
	rl_client_response_free(&r);

	ret = rl_client_request(&t, "GET", "/api/v1/html", NULL, &r, &err);
	snprintf(want, sizeof(want), "GET http://127.0.0.1:%d/api/v1/html: HTTP 404 Not Found", s->port);
	CHECK(ret == -ENOENT && !strcmp(err.msg, want), "404 without JSON: %d '%s'", ret, err.msg);
	rl_client_response_free(&r);

	ret = rl_client_get_json(&t, "/api/v1/notjson", &j, &err);
	CHECK(ret == -EPROTO && !j && strstr(err.msg, "not JSON"), "not JSON: %d %s", ret, err.msg);

	ret = rl_client_get_json(&t, "/api/v1/len", &j, &err);
	CHECK(ret == 0 && cJSON_IsString(cJSON_GetObjectItem(j, "hello")), "get_json: %d %s", ret,
	      err.msg);
	cJSON_Delete(j);

	/* What a daemon relays from other clients reaches no terminal as an escape sequence. */
	ret = rl_client_get_json(&t, "/api/v1/escapes", &j, &err);
	CHECK(ret == 0 && !strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(j, "label")),
				  "a?[2Jb?c\nd\te?\xc3\xa9"),
	      "control characters in an answer: %d '%s'", ret,
	      cJSON_GetStringValue(cJSON_GetObjectItem(j, "label")));
	cJSON_Delete(j);
	ret = rl_client_request(&t, "GET", "/api/v1/escapes-400", NULL, &r, &err);
	CHECK(ret == -EINVAL && !strcmp(err.msg, "label '?]0;x?' (HTTP 400)"),
	      "control characters in an error: %d '%s'", ret, err.msg);
	rl_client_response_free(&r);
}

/* A 503 with Retry-After is sent again after that many seconds, a bounded number of times. */
static void test_retry_503(struct server *s)
{
	struct rl_client_target t;
	struct rl_err err = { "" };
	struct timespec t0, t1;
	cJSON *j = NULL, *body = cJSON_CreateObject();
	double waited;
	char req[8192];
	int ret;

	target(&t, s->port, "", NULL);
	atomic_store(&busy_hits, 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ret = rl_client_post_json(&t, "/api/v1/busy-once", body, &j, &err);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	waited = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	CHECK(ret == 0 && j && cJSON_GetObjectItem(j, "id") && atomic_load(&busy_hits) == 2,
	      "503 then 201: %d after %u requests: %s", ret, atomic_load(&busy_hits), err.msg);
	CHECK(waited >= 0.95, "Retry-After: 1 honoured: waited only %.2f s", waited);
	last_request(s, req, sizeof(req));
	CHECK(strstr(req, "\r\n\r\n{}") != NULL, "the retry sends the body again: %s", req);
	cJSON_Delete(j);
	cJSON_Delete(body);

	atomic_store(&busy_hits, 0);
	ret = rl_client_get_json(&t, "/api/v1/busy-always", &j, &err);
	CHECK(ret == -EIO && strstr(err.msg, "one at a time") &&
	      atomic_load(&busy_hits) == 1 + RL_CLIENT_RETRIES_503,
	      "always 503: %d after %u requests (want %d): %s", ret, atomic_load(&busy_hits),
	      1 + RL_CLIENT_RETRIES_503, err.msg);

	atomic_store(&busy_hits, 0);
	ret = rl_client_get_json(&t, "/api/v1/busy-long", &j, &err);
	CHECK(ret == -EIO && atomic_load(&busy_hits) == 1,
	      "Retry-After: 3600 is not waited for: %d after %u requests", ret,
	      atomic_load(&busy_hits));

	atomic_store(&busy_hits, 0);
	ret = rl_client_get_json(&t, "/api/v1/busy-plain", &j, &err);
	CHECK(ret == -EIO && atomic_load(&busy_hits) == 1,
	      "503 without Retry-After is not retried: %d after %u requests", ret,
	      atomic_load(&busy_hits));
}

static void test_post(struct server *s)
{
	struct rl_client_target t;
	struct rl_err err = { "" };
	cJSON *body = cJSON_CreateObject(), *out = NULL;
	char req[8192];
	int ret;

	target(&t, s->port, "/pfx/", "s3cret");
	cJSON_AddStringToObject(body, "suite", "seed");
	ret = rl_client_post_json(&t, "/api/v1/runs", body, &out, &err);
	CHECK(ret == 0 && cJSON_GetNumberValue(cJSON_GetObjectItem(out, "id")) == 12,
	      "POST: %d %s", ret, err.msg);
	last_request(s, req, sizeof(req));
	CHECK(!strncmp(req, "POST /pfx/api/v1/runs HTTP/1.1\r\n", 32), "prefixed request line: %.40s",
	      req);
	CHECK(strstr(req, "\r\nAuthorization: Bearer s3cret\r\n"), "no bearer token in:\n%s", req);
	CHECK(strstr(req, "\r\nContent-Type: application/json\r\n"), "no Content-Type in:\n%s", req);
	CHECK(strstr(req, "\r\nContent-Length: 16\r\n"), "no Content-Length: 16 in:\n%s", req);
	CHECK(strstr(req, "\r\n\r\n{\"suite\":\"seed\"}"), "body not sent:\n%s", req);
	cJSON_Delete(out);
	cJSON_Delete(body);

	ret = rl_client_post_json(&t, "/api/v1/runs", NULL, NULL, &err);
	last_request(s, req, sizeof(req));
	CHECK(ret == 0 && strstr(req, "\r\nContent-Length: 0\r\n") && !strstr(req, "Content-Type"),
	      "POST without a body: %d %s\n%s", ret, err.msg, req);
}

/* An IPv6 literal reaches connect() as such: refused, not a bad address. */
static void test_refused_v6(void)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	socklen_t len = sizeof(a);
	struct rl_client_target t;
	struct rl_client_response r = { 0 };
	struct rl_err err = { "" };
	char url[64], want[160];
	int fd, ret;

	fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &len) < 0) {
		fprintf(stderr, "note: no IPv6 loopback here; IPv6 connect test skipped\n");
		if (fd >= 0)
			close(fd);
		return;
	}
	close(fd);
	snprintf(url, sizeof(url), "http://[::1]:%d", ntohs(a.sin6_port));
	ret = rl_client_target_init(&t, url, NULL, &err);
	ret = ret ? ret : rl_client_request(&t, "GET", "/", NULL, &r, &err);
	snprintf(want, sizeof(want), "cannot connect to %s: Connection refused (is ringlabd running?)",
		 url);
	CHECK(ret == -ECONNREFUSED && !strcmp(err.msg, want), "IPv6 refused: %d '%s'", ret, err.msg);
	rl_client_response_free(&r);
}

static void test_connect(struct server *s)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	struct rl_client_target t;
	struct rl_client_response r;
	struct rl_err err = { "" };
	struct addrinfo *ai;
	char want[160], req[8192];
	int fd, ret;

	/* A port that was just free: bound, never listened on, closed. */
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHECK(fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
	      getsockname(fd, (struct sockaddr *)&a, &len) == 0, "a free port: %s", strerror(errno));
	close(fd);
	target(&t, ntohs(a.sin_port), "", NULL);
	ret = rl_client_request(&t, "GET", "/api/v1/health", NULL, &r, &err);
	snprintf(want, sizeof(want),
		 "cannot connect to http://127.0.0.1:%d: Connection refused (is ringlabd running?)",
		 ntohs(a.sin_port));
	CHECK(ret == -ECONNREFUSED && r.status == 0 && !strcmp(err.msg, want),
	      "refused: %d '%s'", ret, err.msg);
	rl_client_response_free(&r);

	test_refused_v6();

	ret = rl_client_target_init(&t, "http://no-such-host.invalid:7117", NULL, &err);
	ret = ret ? ret : rl_client_request(&t, "GET", "/", NULL, &r, &err);
	CHECK(ret == -EHOSTUNREACH && strstr(err.msg, "cannot resolve 'no-such-host.invalid'"),
	      "unresolvable: %d %s", ret, err.msg);
	rl_client_response_free(&r);

	/* A name, resolved: localhost may list ::1 first, where nothing listens. */
	if (getaddrinfo("localhost", NULL, NULL, &ai) != 0) {
		fprintf(stderr, "note: localhost does not resolve here; name test skipped\n");
		return;
	}
	freeaddrinfo(ai);
	snprintf(want, sizeof(want), "http://localhost:%d", s->port);
	rl_client_target_init(&t, want, NULL, &err);
	ret = rl_client_request(&t, "GET", "/api/v1/len", NULL, &r, &err);
	CHECK(ret == 0 && r.status == 200, "via localhost: %d %s", ret, err.msg);
	rl_client_response_free(&r);
	last_request(s, req, sizeof(req));
	snprintf(want, sizeof(want), "\r\nHost: localhost:%d\r\n", s->port);
	CHECK(strstr(req, want), "no '%s' in:\n%s", want + 2, req);
}

/* --- Server-Sent Events ------------------------------------------------------ */

struct events {
	int n, stop_with;
	char type[4][32], data[4][64];
};

static int on_event(void *ctx, const char *event, const char *data)
{
	struct events *e = ctx;

	if (e->n < 4) {
		snprintf(e->type[e->n], sizeof(e->type[0]), "%s", event);
		snprintf(e->data[e->n], sizeof(e->data[0]), "%s", data);
	}
	e->n++;
	return e->stop_with;
}

static void test_sse(struct server *s)
{
	struct rl_client_target t;
	struct rl_err err = { "" };
	struct events e = { 0 };
	char req[8192];
	int ret;

	target(&t, s->port, "", "tok");
	ret = rl_client_sse(&t, "/api/v1/events", on_event, &e, &err);
	CHECK(ret == 0, "sse: %d %s", ret, err.msg);
	CHECK(e.n == 2, "sse: %d events, want 2 (comment and broken-off event skipped)", e.n);
	CHECK(!strcmp(e.type[0], "progress") && !strcmp(e.data[0], "{\"cell\":0}"),
	      "first event: %s '%s'", e.type[0], e.data[0]);
	CHECK(!strcmp(e.type[1], "done") && !strcmp(e.data[1], "line1\nline2"),
	      "second event: %s '%s'", e.type[1], e.data[1]);
	last_request(s, req, sizeof(req));
	CHECK(strstr(req, "\r\nAccept: text/event-stream\r\n") &&
	      strstr(req, "\r\nAuthorization: Bearer tok\r\n"), "sse request:\n%s", req);

	e = (struct events){ .stop_with = 7 };
	ret = rl_client_sse(&t, "/api/v1/events", on_event, &e, &err);
	CHECK(ret == 7 && e.n == 1, "stopped by the callback: %d after %d events", ret, e.n);

	e = (struct events){ 0 };
	ret = rl_client_sse(&t, "/api/v1/events-404", on_event, &e, &err);
	CHECK(ret == -ENOENT && !strcmp(err.msg, "no run 99 (HTTP 404)") && e.n == 0,
	      "sse 404: %d '%s'", ret, err.msg);
	ret = rl_client_sse(&t, "/api/v1/events-json", on_event, &e, &err);
	CHECK(ret == -EPROTO && strstr(err.msg, "not an event stream"), "sse of JSON: %d %s", ret,
	      err.msg);
}

static void test_timeout(struct server *s)
{
	struct rl_client_target t;
	struct rl_client_response r;
	struct rl_err err = { "" };
	struct timespec a, b;
	double took;
	int ret;

	target(&t, s->port, "", NULL);
	t.read_timeout_ms = 300;
	clock_gettime(CLOCK_MONOTONIC, &a);
	ret = rl_client_request(&t, "GET", "/api/v1/slow", NULL, &r, &err);
	clock_gettime(CLOCK_MONOTONIC, &b);
	took = (double)(b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
	CHECK(ret == -ETIMEDOUT && strstr(err.msg, "no answer within 0.3 s"), "slow: %d %s", ret,
	      err.msg);
	CHECK(took > 0.25 && took < 1.5, "the timeout took %.2f s, want about 0.3", took);
	rl_client_response_free(&r);
}

int main(void)
{
	struct server s;

	test_urls();
	test_escape();
	test_args();
	if (server_start(&s) < 0) {
		fprintf(stderr, "FAIL cannot start the test server: %s\n", strerror(errno));
		return 1;
	}
	test_framing(&s);
	test_errors(&s);
	test_post(&s);
	test_retry_503(&s);
	test_connect(&s);
	test_sse(&s);
	test_timeout(&s);	/* last: the server sleeps through it */
	server_stop(&s);
	return check_exit();
}
