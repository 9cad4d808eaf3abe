/* SPDX-License-Identifier: MIT */
/* Host allowlist, Origin check and bearer token: who may reach ringlabd's API. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <microhttpd.h>

#include "guard.h"
#include "routes.h"
#include "server.h"

/*
 * A Host value ("name", "name:port", "[v6]", "[v6]:port") split into its
 * name (into @name) and port (0 when it names none); false when it is
 * malformed (then nothing matches it).
 */
static bool host_split(const char *host, char *name, size_t len, unsigned int *port)
{
	const char *end, *p;
	size_t n;

	if (host[0] == '[') {
		end = strchr(host, ']');
		if (!end)
			return false;
		p = end + 1;
		n = (size_t)(p - host);
	} else {
		p = strchr(host, ':');
		n = p ? (size_t)(p - host) : strlen(host);
		p = p ? p : host + n;
	}
	*port = 0;
	if (*p) {
		if (*p != ':' || !p[1] || strlen(p + 1) > 5 || strspn(p + 1, "0123456789") != strlen(p + 1))
			return false;
		*port = (unsigned int)atoi(p + 1);
		if (!*port || *port > 65535)
			return false;
	}
	if (!n || n >= len)
		return false;
	memcpy(name, host, n);
	name[n] = '\0';
	return true;
}

static bool host_name(const char *host, char *name, size_t len)
{
	unsigned int port;

	return host_split(host, name, len, &port);
}

static bool listen_name_is(const char *listen, const char *name)
{
	char buf[80];

	if (!listen[0])
		return false;
	if (strchr(listen, ':')) {
		snprintf(buf, sizeof(buf), "[%s]", listen);
		return !strcasecmp(buf, name);
	}
	return !strcasecmp(listen, name);
}

/* The names that always reach the daemon: loopback's, and its listen address. */
static bool own_name(const char *name, const struct rl_config *cfg)
{
	static const char *const loopback[] = { "localhost", "127.0.0.1", "[::1]", NULL };

	for (uint32_t i = 0; loopback[i]; i++)
		if (!strcasecmp(loopback[i], name))
			return true;
	return listen_name_is(cfg->listen, name);
}

bool rl_http_host_allowed(const char *host, const struct rl_config *cfg)
{
	char name[256];
	uint32_t i;

	if (!host)
		return true;
	if (!host_name(host, name, sizeof(name)))
		return false;
	if (own_name(name, cfg))
		return true;
	for (i = 0; i < cfg->nallowed_hosts && i < RL_HOSTS_MAX; i++) {
		const char *a = cfg->allowed_hosts[i];

		if (a[0] && (!strcasecmp(a, name) || !strcasecmp(a, host)))
			return true;
	}
	return false;
}

/* An allowed_hosts entry that names a port ("lab1.example.org:443") matching @name and @port. */
static bool entry_with_port(const struct rl_config *cfg, const char *name, unsigned int port)
{
	char ename[256];
	unsigned int eport;

	for (uint32_t i = 0; i < cfg->nallowed_hosts && i < RL_HOSTS_MAX; i++)
		if (host_split(cfg->allowed_hosts[i], ename, sizeof(ename), &eport) && eport &&
		    eport == port && !strcasecmp(ename, name))
			return true;
	return false;
}

bool rl_http_origin_allowed(const char *origin, const struct rl_config *cfg, unsigned int port)
{
	unsigned int oport;
	const char *rest;
	char name[256];
	bool https;

	if (!origin)
		return true;
	https = !strncasecmp(origin, "https://", 8);
	if (https)
		rest = origin + 8;
	else if (!strncasecmp(origin, "http://", 7))
		rest = origin + 7;
	else
		return false;
	if (!*rest || strchr(rest, '/') || strchr(rest, '@') || !host_split(rest, name, sizeof(name), &oport))
		return false;
	if (!oport)
		oport = https ? 443 : 80;
	/* A name:port entry is how clients reach the daemon, maybe through a TLS proxy. */
	if (entry_with_port(cfg, name, oport))
		return true;
	/* Else the page must come from the daemon itself: plain http on its own port. */
	return !https && oport == port && rl_http_host_allowed(name, cfg);
}

bool rl_http_token_ok(const char *token, const char *auth)
{
	size_t tlen = token ? strlen(token) : 0, vlen, i;
	volatile unsigned char diff;
	const char *v;

	if (!auth || !tlen || strncasecmp(auth, "Bearer ", 7))
		return false;
	v = auth + 7;
	while (*v == ' ')
		v++;
	vlen = strlen(v);
	while (vlen && v[vlen - 1] == ' ')
		vlen--;
	/* Every byte of the offered value is compared, whatever matched before. */
	diff = vlen != tlen;
	for (i = 0; i < vlen; i++)
		diff |= (unsigned char)v[i] ^ (unsigned char)token[i % tlen];
	return diff == 0;
}

bool rl_http_method_mutates(const char *method)
{
	return !strcmp(method, "POST") || !strcmp(method, "PUT") || !strcmp(method, "PATCH") ||
	       !strcmp(method, "DELETE");
}

int rl_http_guard_host(struct rl_http_req *r)
{
	const char *host = rl_http_header_in(r, MHD_HTTP_HEADER_HOST);
	bool ok;

	rl_daemon_cfg_rdlock(r->d);
	ok = rl_http_host_allowed(host, &r->d->cfg);
	rl_daemon_cfg_unlock(r->d);
	if (ok)
		return 0;
	rl_http_reply_error(r, 421, cJSON_CreateString(host),
			    "Host '%.200s' is not allowed: add it to allowed_hosts", host);
	return -EPERM;
}

int rl_http_guard_mutation(struct rl_http_req *r)
{
	const char *origin, *auth;
	bool origin_ok, token_ok;

	if (!rl_http_method_mutates(r->method))
		return 0;
	/* A browser page elsewhere may not drive the API: CSRF on a token-less loopback daemon. */
	origin = rl_http_header_in(r, MHD_HTTP_HEADER_ORIGIN);
	auth = rl_http_header_in(r, MHD_HTTP_HEADER_AUTHORIZATION);
	rl_daemon_cfg_rdlock(r->d);
	origin_ok = rl_http_origin_allowed(origin, &r->d->cfg, rl_http_port(r->h));
	token_ok = !r->d->token[0] || rl_http_token_ok(r->d->token, auth);
	rl_daemon_cfg_unlock(r->d);
	if (!origin_ok) {
		rl_http_reply_error(r, 403, cJSON_CreateString(origin),
				    "Origin '%.200s' is not allowed: only http://HOST:%u pages of this daemon (or an allowed_hosts entry with its port)",
				    origin, rl_http_port(r->h));
		return -EPERM;
	}
	if (token_ok)
		return 0;
	rl_http_reply_error(r, 401, NULL, "%s", auth ? "wrong bearer token" :
			    "this request needs Authorization: Bearer TOKEN");
	rl_http_add_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer realm=\"ringlab\"");
	return -EACCES;
}
