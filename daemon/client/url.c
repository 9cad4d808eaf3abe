/* SPDX-License-Identifier: MIT */
/* The daemon's address: an http:// URL taken apart and checked once, and escaping for paths and queries. */
#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "url.h"

static int bad_url(struct rl_err *err, const char *url, const char *why)
{
	return rl_err_set(err, -EINVAL, "url '%.200s': %s", url, why);
}

bool rl_client_unsafe_text(const char *s, size_t n)
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
	if (rl_client_unsafe_text(token ? token : "", n))
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
	if (rl_client_unsafe_text(url, n))
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
