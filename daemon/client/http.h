/* SPDX-License-Identifier: MIT */
/*
 * The CLI's HTTP/1.1 client for ringlabd's API, hand-written on plain
 * sockets. What it supports: http:// only, one request per connection
 * (Connection: close), bodies framed by Content-Length, chunked encoding or
 * the end of the connection, a size cap, connect and read timeouts, a bearer
 * token, IPv4/IPv6 literals and names, and a streaming reader for
 * Server-Sent Events (sse.h). What it does not: TLS, proxies, redirects,
 * keep-alive, compression, HTTP/2. It is for the lab: ringlabd listens on
 * loopback or a lab network, and a remote daemon is reached through a TLS
 * proxy or an SSH tunnel to its loopback port.
 *
 * Why not libcurl: the static `ringlab` built with --enable-static-ringlab
 * for VM guests links the whole CLI and so client/. A static libcurl needs
 * static archives of its whole chain (TLS, HTTP/2, IDN, Kerberos, ...), not
 * all of which Debian ships, so libcurl would mean a second CLI without
 * client/ for the guest, which never speaks HTTP. The API needs none of
 * what curl adds over the ~750 lines of conn.c, exchange.c and http.c, and
 * curl would still leave the SSE parser and the mapping of the API's errors
 * to us. tests/unit/test_http_client covers the framing, the caps,
 * the timeouts and SSE against a canned server.
 *
 * Nothing here prints: errors come back as -errno with a sentence in struct
 * rl_err that names the daemon's URL. HTTP errors (status >= 400) map to
 * errnos so callers can tell them from transport failures: 400 -EINVAL, 401
 * -EACCES, 403/421 -EPERM, 404 -ENOENT, 405 -EOPNOTSUPP, 409 -EBUSY, 413
 * -E2BIG, other 4xx -EINVAL, 5xx -EIO; the message is the API's JSON "error"
 * (and "detail" when it is a string). Transport failures are -ECONNREFUSED
 * and friends from connect(), -EHOSTUNREACH (name not resolved),
 * -ETIMEDOUT, -ECONNRESET, -EPROTO (the peer broke the protocol or closed
 * mid-response) and -EFBIG (over the cap).
 */
#ifndef RINGLAB_DAEMON_CLIENT_HTTP_H
#define RINGLAB_DAEMON_CLIENT_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include <cJSON.h>

#include "url.h"
#include "util/err.h"

struct rl_client_response {
	int status;		/* 0 until a status line was read */
	char reason[64];
	char content_type[128];
	char location[512];
	bool retry_after;	/* the answer had Retry-After in seconds: ... */
	unsigned int retry_after_s;	/* ... this many (capped at a day) */
	char *body;		/* NUL-terminated, never NULL after a response; free with ..._free() */
	size_t body_len;
};

/*
 * A 503 with Retry-After (ringlabd busy with another large body) is sent
 * again, at most this many times, after the seconds it names when they are
 * at most RL_CLIENT_RETRY_WAIT_MAX_S: a longer wait, or a 503 without
 * Retry-After, is the caller's error at once.
 */
#define RL_CLIENT_RETRIES_503 4
#define RL_CLIENT_RETRY_WAIT_MAX_S 30

/*
 * rl_client_request() - send @method @path (starting with '/', already
 * percent-escaped, after t->prefix) with @body (NULL for none; sent as
 * application/json) and read the whole response into @r, which is reset
 * first and must be released with rl_client_response_free() whatever the
 * return. A 503 with Retry-After is retried as RL_CLIENT_RETRIES_503 says.
 * Returns 0 for a status below 400, the errno of the status for 400 and
 * above (r->status says which, r->body has the body; the last answer after
 * retries), or a transport error with r->status 0. See the top of this file.
 */
int rl_client_request(const struct rl_client_target *t, const char *method, const char *path,
		    const char *body, struct rl_client_response *r, struct rl_err *err);

/* rl_client_response_free() - free @r's body and zero it; a zeroed @r is fine. */
void rl_client_response_free(struct rl_client_response *r);

/*
 * rl_client_get_json() / rl_client_post_json() - a request whose answer is a
 * JSON document, parsed into *@out (cJSON_Delete it). @body may be NULL; @out
 * may be NULL for POST when the answer does not matter. Return 0, -EPROTO
 * when the answer is not JSON, or the errors of rl_client_request().
 */
int rl_client_get_json(const struct rl_client_target *t, const char *path, cJSON **out,
		     struct rl_err *err);
int rl_client_post_json(const struct rl_client_target *t, const char *path, const cJSON *body,
		      cJSON **out, struct rl_err *err);

#endif
