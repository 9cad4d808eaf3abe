/* SPDX-License-Identifier: MIT */
/*
 * ringlabd's HTTP listener: libmicrohttpd, one thread per connection (so a
 * Server-Sent Events stream may block waiting for progress without stalling
 * other requests), serving the JSON API of daemon/http/API.md, /metrics and
 * the dashboard's static files.
 */
#ifndef RINGLAB_DAEMON_HTTP_SERVER_H
#define RINGLAB_DAEMON_HTTP_SERVER_H

#include <stdint.h>

#include "ringlabd/daemon.h"
#include "util/err.h"

struct rl_http;

/*
 * rl_http_start() - listen on d->cfg.listen:d->cfg.port (port 0: a free one,
 * see rl_http_port()) with the connection limits of d->cfg, and serve until
 * rl_http_stop(). @d must outlive the listener. Returns 0 with the listener
 * in @out, or -errno with "http: ..." in @err (-EINVAL for an address that
 * does not parse, -EADDRINUSE, ...).
 */
int rl_http_start(struct rl_daemon *d, struct rl_http **out, struct rl_err *err);

/* rl_http_port() - the TCP port actually bound. */
uint16_t rl_http_port(const struct rl_http *h);

/*
 * rl_http_stop() - close the listener and every connection, waiting for
 * their threads; NULL is fine. Set d->stopping and call rl_daemon_bump()
 * first, so that event streams end at once instead of at their next poll.
 */
void rl_http_stop(struct rl_http *h);

#endif
