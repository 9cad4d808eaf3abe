/* SPDX-License-Identifier: MIT */
/*
 * Server-Sent Events from the daemon (GET /api/v1/runs/ID/events): the
 * stream is cut into events (event type, data lines joined) and handed to a
 * callback until the server ends it, the callback stops it, or it breaks.
 * Resuming a broken stream is the caller's choice (ringlab watch does).
 */
#ifndef RINGLAB_DAEMON_CLIENT_SSE_H
#define RINGLAB_DAEMON_CLIENT_SSE_H

#include "url.h"
#include "util/err.h"

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

#endif
