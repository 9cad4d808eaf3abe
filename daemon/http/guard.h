/* SPDX-License-Identifier: MIT */
/*
 * Who may talk to ringlabd: the Host allowlist (against DNS rebinding), the
 * Origin check on mutating requests (against cross-site requests from a
 * browser page elsewhere) and the bearer token. The decisions are pure
 * functions of a header and the config, unit-tested without a socket; the
 * rl_http_guard_*() calls apply them to a request and answer a refusal.
 */
#ifndef RINGLAB_DAEMON_HTTP_GUARD_H
#define RINGLAB_DAEMON_HTTP_GUARD_H

#include <stdbool.h>

#include "ringlabd/daemon_config.h"

struct rl_http_req;

/*
 * rl_http_host_allowed() - the Host header (or an Origin's host[:port])
 * @host may reach this daemon: localhost, 127.0.0.1, [::1], the listen
 * address and @cfg->allowed_hosts (as "name" for any port, or "name:port"),
 * case-insensitively; any port unless the entry names one. NULL (an
 * HTTP/1.0 request without Host) is allowed: browsers always send one.
 */
bool rl_http_host_allowed(const char *host, const struct rl_config *cfg);

/*
 * rl_http_origin_allowed() - whether a page of Origin @origin
 * ("scheme://host[:port]") may send mutating requests: one the daemon
 * served itself, i.e. scheme http, a host rl_http_host_allowed() takes and
 * the daemon's own @port (80 when the Origin names none); or one whose
 * host and port (80 for http, 443 for https when not named) are an
 * allowed_hosts entry that names a port, the address clients use through a
 * proxy. NULL (no Origin: not a browser's cross-site request) is allowed;
 * "null", other schemes, paths and user info are not.
 */
bool rl_http_origin_allowed(const char *origin, const struct rl_config *cfg, unsigned int port);

/*
 * rl_http_token_ok() - whether the Authorization header @auth is
 * "Bearer @token" (scheme case-insensitive). The token is compared in time
 * independent of where it differs. NULL @auth is false.
 */
bool rl_http_token_ok(const char *token, const char *auth);

/* rl_http_method_mutates() - POST, PUT, PATCH and DELETE need the token. */
bool rl_http_method_mutates(const char *method);

/*
 * rl_http_guard_host() - whether @r's Host header may reach the daemon.
 * Returns 0, or -EPERM after replying 421.
 */
int rl_http_guard_host(struct rl_http_req *r);

/*
 * rl_http_guard_mutation() - for a mutating method, the Origin must be
 * allowed and, when the daemon has a token, the bearer token right; other
 * methods pass. Returns 0, -EPERM after replying 403 (Origin) or -EACCES
 * after replying 401 with WWW-Authenticate (token).
 */
int rl_http_guard_mutation(struct rl_http_req *r);

#endif
