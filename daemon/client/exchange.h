/* SPDX-License-Identifier: MIT */
/*
 * One HTTP/1.1 exchange, for http.c (whole answers) and sse.c (event
 * streams): connect, send the request, read the answer's head, then read its
 * body as it comes or whole. Errors are -errno with a sentence naming the
 * daemon's URL in struct rl_err; see http.h for which.
 */
#ifndef RINGLAB_DAEMON_CLIENT_EXCHANGE_H
#define RINGLAB_DAEMON_CLIENT_EXCHANGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "conn.h"
#include "http.h"
#include "util/err.h"

/* How the answer's body ends. */
enum rl_client_framing {
	RL_CLIENT_FRAMING_NONE,		/* HEAD, 204, 304 */
	RL_CLIENT_FRAMING_LENGTH,	/* Content-Length */
	RL_CLIENT_FRAMING_CHUNKED,	/* overrides Content-Length */
	RL_CLIENT_FRAMING_CLOSE,	/* until the connection closes */
	RL_CLIENT_FRAMING_MAX,
};

struct rl_client_exchange {
	struct rl_client_conn conn;
	enum rl_client_framing framing;
	uint64_t left;		/* LENGTH: bytes still to come; CHUNKED: of the current chunk */
	bool chunk_crlf;	/* CHUNKED: a chunk's data ended, its CR LF comes next */
	bool done;		/* the body was read to its end */
};

/*
 * rl_client_exchange_start() - connect to @t, send @method @path (after
 * t->prefix) asking for @accept, with @body (NULL for none) as
 * application/json, and read the answer's head into @r, which is reset
 * first. Returns 0 whatever the status (r->status says it), or a transport
 * error. Call rl_client_exchange_close() on @x whatever the return.
 */
int rl_client_exchange_start(struct rl_client_exchange *x, const struct rl_client_target *t,
			     const char *method, const char *path, const char *accept,
			     const char *body, struct rl_client_response *r, struct rl_err *err);

/*
 * rl_client_exchange_read() - up to @size bytes of the body. Returns the
 * count, 0 at its end, or -errno (-EPROTO when the peer breaks the framing).
 */
ssize_t rl_client_exchange_read(struct rl_client_exchange *x, char *out, size_t size,
				struct rl_err *err);

/*
 * rl_client_exchange_read_all() - the rest of the body into r->body
 * (NUL-terminated). Returns 0, -EFBIG when it is larger than @max, or -errno.
 */
int rl_client_exchange_read_all(struct rl_client_exchange *x, struct rl_client_response *r,
				size_t max, struct rl_err *err);

/* rl_client_exchange_close() - close @x's connection if it is open. */
void rl_client_exchange_close(struct rl_client_exchange *x);

/*
 * rl_client_answer_error() - the errno for @r's status (>= 400), with the
 * API's {"error", "detail"} from r->body as the message in @err, else the
 * status line. Returns that errno (see http.h for the mapping).
 */
int rl_client_answer_error(const struct rl_client_target *t, const char *method,
			   const char *path, const struct rl_client_response *r,
			   struct rl_err *err);

#endif
