/* SPDX-License-Identifier: MIT */
/*
 * A small HTTP/1.1 client for ringlabd's API, written on plain sockets so the
 * static ringlab of VM guests needs no libcurl: one request per connection
 * (Connection: close), bodies framed by Content-Length, chunked encoding or
 * the end of the connection, a size cap, connect and read timeouts, and a
 * streaming reader for Server-Sent Events. Nothing here prints: errors come
 * back as -errno with a sentence in struct rl_err that names the daemon's URL.
 *
 * HTTP errors (status >= 400) map to errnos so callers can tell them from
 * transport failures: 400 -EINVAL, 401 -EACCES, 403/421 -EPERM, 404 -ENOENT,
 * 405 -EOPNOTSUPP, 409 -EBUSY, 413 -E2BIG, other 4xx -EINVAL, 5xx -EIO; the
 * message is the API's JSON "error" (and "detail" when it is a string).
 * Transport failures are -ECONNREFUSED and friends from connect(),
 * -EHOSTUNREACH (name not resolved), -ETIMEDOUT, -ECONNRESET, -EPROTO (the
 * peer broke the protocol or closed mid-response) and -EFBIG (over the cap).
 */
#ifndef RINGLAB_DAEMON_CLIENT_HTTP_H
#define RINGLAB_DAEMON_CLIENT_HTTP_H

#include <stddef.h>

#include <cJSON.h>

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

struct rl_client_response {
	int status;		/* 0 until a status line was read */
	char reason[64];
	char content_type[128];
	char location[512];
	char *body;		/* NUL-terminated, never NULL after a response; free with ..._free() */
	size_t body_len;
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
 * rl_client_request() - send @method @path (starting with '/', already
 * percent-escaped, after t->prefix) with @body (NULL for none; sent as
 * application/json) and read the whole response into @r, which is reset
 * first and must be released with rl_client_response_free() whatever the
 * return. Returns 0 for a status below 400, the errno of the status for
 * 400 and above (r->status says which, r->body has the body), or a
 * transport error with r->status 0. See the top of this file.
 */
int rl_client_request(const struct rl_client_target *t, const char *method, const char *path,
		    const char *body, struct rl_client_response *r, struct rl_err *err);

/* rl_client_response_free() - free @r's body and zero it; a zeroed @r is fine. */
void rl_client_response_free(struct rl_client_response *r);

/*
 * rl_client_sse() - GET @path as a Server-Sent Events stream and call
 * @on_event for each event with its type ("message" when the stream names
 * none) and its data (data lines joined by '\n'). Comment lines and events
 * without data are skipped; an event the stream breaks off is dropped.
 * Returns 0 when the server ends the stream, the callback's value when it
 * returns non-zero (a positive value stops without error), or -errno as for
 * rl_client_request() (also when the answer is not text/event-stream).
 */
int rl_client_sse(const struct rl_client_target *t, const char *path,
		int (*on_event)(void *ctx, const char *event, const char *data), void *ctx,
		struct rl_err *err);

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

/*
 * How the CLI finds the daemon: the option rows below, shared by every
 * command that talks to ringlabd, filled into struct rl_client_conn_args by
 * rl_client_conn_opt(), then resolved with the environment's defaults.
 */
enum { RL_CLIENT_OPT_URL = 0x1000, RL_CLIENT_OPT_TOKEN, RL_CLIENT_OPT_TOKEN_FILE };

#define RL_CLIENT_OPT_ROWS                                                                    \
	{ "url", RL_CLIENT_OPT_URL, "URL",                                                    \
	  "ringlabd's address (default $RINGLAB_URL, else " RL_CLIENT_DEFAULT_URL ")" },      \
	{ "token", RL_CLIENT_OPT_TOKEN, "TOKEN",                                              \
	  "bearer token for requests that change things (default $RINGLAB_TOKEN)" },       \
	{ "token-file", RL_CLIENT_OPT_TOKEN_FILE, "FILE", "read the token from FILE's first line" }

struct rl_client_conn_args {
	const char *url, *token, *token_file;	/* NULL: not given */
};

/* rl_client_conn_opt() - take option @key if it is one of RL_CLIENT_OPT_ROWS. Returns 1 if taken, else 0. */
int rl_client_conn_opt(struct rl_client_conn_args *a, int key, const char *arg);

/*
 * rl_client_target_from_args() - rl_client_target_init() with --url or
 * $RINGLAB_URL or RL_CLIENT_DEFAULT_URL, and --token, the first line of
 * --token-file, or $RINGLAB_TOKEN. Returns 0, -EINVAL (bad URL, both --token
 * and --token-file, an empty token file), or -errno reading the file.
 */
int rl_client_target_from_args(struct rl_client_target *t, const struct rl_client_conn_args *a,
			     struct rl_err *err);

#endif
