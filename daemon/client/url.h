/* SPDX-License-Identifier: MIT */
/*
 * Where the daemon is: its http:// URL taken apart once (host, port, the
 * Host header, a path prefix), the bearer token, the timeouts and the size
 * cap every exchange uses; and percent-escaping for the paths and queries
 * the callers build.
 */
#ifndef RINGLAB_DAEMON_CLIENT_URL_H
#define RINGLAB_DAEMON_CLIENT_URL_H

#include <stdbool.h>
#include <stddef.h>

#include "util/err.h"

#define RL_CLIENT_DEFAULT_URL "http://127.0.0.1:7117"
#define RL_CLIENT_CONNECT_TIMEOUT_MS 5000
#define RL_CLIENT_READ_TIMEOUT_MS 30000
#define RL_CLIENT_BODY_MAX ((size_t)64 << 20)

/* Where the daemon is; filled by rl_client_target_init(), timeouts adjustable after. */
struct rl_client_target {
	char url[512];		/* "http://host:port/prefix" as given, minus trailing '/' */
	char host[256];		/* for the resolver: IPv6 literals without brackets */
	char port[6];		/* "80" when the URL names none */
	char host_header[272];	/* "host[:port]", IPv6 in brackets, as RFC 7230 5.4 wants */
	char prefix[256];	/* "" or "/a/b": prepended to every request path */
	char token[256];	/* "" = send no Authorization header */
	int connect_timeout_ms;
	int read_timeout_ms;	/* per read, also between Server-Sent Events */
	size_t body_max;	/* larger response bodies (or one SSE event) fail -EFBIG */
};

/*
 * rl_client_target_init() - parse @url ("http://HOST[:PORT][/prefix]", HOST a
 * name, an IPv4 address or an [IPv6] literal) and set @token (NULL or "" for
 * none) and the default timeouts and cap. Returns 0, or -EINVAL with the
 * reason in @err ("url 'https://x': only http:// is supported ...").
 */
int rl_client_target_init(struct rl_client_target *t, const char *url, const char *token,
			struct rl_err *err);

/*
 * rl_client_unsafe_text() - true when the @n bytes at @s hold a space or a
 * control character: text that would break a request line or forge a
 * header. URLs, tokens and request paths are refused with it.
 */
bool rl_client_unsafe_text(const char *s, size_t n);

/*
 * rl_client_escape() - percent-encode @s for a query value or path segment
 * (everything but A-Z a-z 0-9 - . _ ~) into @out. Returns the length, or
 * -ENAMETOOLONG when @size is too small.
 */
int rl_client_escape(const char *s, char *out, size_t size);

/*
 * rl_client_query_add() - append "?KEY=VALUE", or "&KEY=VALUE" once @path has
 * a query, with VALUE escaped; a NULL @value appends nothing. Returns 0, or
 * -ENAMETOOLONG when @path (of @size bytes) cannot hold it (left unchanged).
 */
int rl_client_query_add(char *path, size_t size, const char *key, const char *value);

#endif
