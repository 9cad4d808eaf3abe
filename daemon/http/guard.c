/* SPDX-License-Identifier: MIT */
/* Host allowlist, Origin check and bearer token: who may reach ringlabd's API. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <microhttpd.h>

#include "guard.h"
#include "routes.h"

/*
 * The host part of a Host value ("name", "name:port", "[v6]", "[v6]:port")
 * into @name; false when it is malformed (then nothing matches it).
 */
static bool host_name(const char *host, char *name, size_t len)
{
	const char *end, *port;
	size_t n;

	if (host[0] == '[') {
		end = strchr(host, ']');
		if (!end)
			return false;
		port = end + 1;
		n = (size_t)(port - host);
	} else {
		port = strchr(host, ':');
		n = port ? (size_t)(port - host) : strlen(host);
		port = port ? port : host + n;
	}
	if (*port) {
		if (*port != ':' || !port[1] || strspn(port + 1, "0123456789") != strlen(port + 1))
			return false;
	}
	if (!n || n >= len)
		return false;
	memcpy(name, host, n);
	name[n] = '\0';
	return true;
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

bool rl_http_host_allowed(const char *host, const struct rl_config *cfg)
{
	static const char *const loopback[] = { "localhost", "127.0.0.1", "[::1]", NULL };
	char name[256];
	uint32_t i;

	if (!host)
		return true;
	if (!host_name(host, name, sizeof(name)))
		return false;
	for (i = 0; loopback[i]; i++)
		if (!strcasecmp(loopback[i], name))
			return true;
	if (listen_name_is(cfg->listen, name))
		return true;
	for (i = 0; i < cfg->nallowed_hosts && i < RL_HOSTS_MAX; i++) {
		const char *a = cfg->allowed_hosts[i];

		if (a[0] && (!strcasecmp(a, name) || !strcasecmp(a, host)))
			return true;
	}
	return false;
}

bool rl_http_origin_allowed(const char *origin, const struct rl_config *cfg)
{
	const char *rest;

	if (!origin)
		return true;
	if (!strncasecmp(origin, "http://", 7))
		rest = origin + 7;
	else if (!strncasecmp(origin, "https://", 8))
		rest = origin + 8;
	else
		return false;
	if (!*rest || strchr(rest, '/'))
		return false;
	return rl_http_host_allowed(rest, cfg);
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
	origin_ok = rl_http_origin_allowed(origin, &r->d->cfg);
	token_ok = !r->d->token[0] || rl_http_token_ok(r->d->token, auth);
	rl_daemon_cfg_unlock(r->d);
	if (!origin_ok) {
		rl_http_reply_error(r, 403, cJSON_CreateString(origin),
				    "Origin '%.200s' is not allowed", origin);
		return -EPERM;
	}
	if (token_ok)
		return 0;
	rl_http_reply_error(r, 401, NULL, "%s", auth ? "wrong bearer token" :
			    "this request needs Authorization: Bearer TOKEN");
	rl_http_add_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer realm=\"ringlab\"");
	return -EACCES;
}
