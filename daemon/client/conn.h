/* SPDX-License-Identifier: MIT */
/*
 * One TCP connection to the daemon, for the rest of client/: found by
 * address or name, connected within the connect timeout, read through a
 * buffer by lines or bytes under the read timeout, written whole. Errors are
 * -errno with a sentence naming the daemon's URL in struct rl_err.
 */
#ifndef RINGLAB_DAEMON_CLIENT_CONN_H
#define RINGLAB_DAEMON_CLIENT_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "url.h"
#include "util/err.h"

#define RL_CLIENT_CONN_BUF 16384

struct rl_client_conn {
	int fd;			/* -1 when not open */
	const struct rl_client_target *t;
	size_t pos, len;	/* unread bytes are buf[pos..len) */
	char buf[RL_CLIENT_CONN_BUF];
};

/*
 * rl_client_conn_open() - connect @c to @t, trying each address the name
 * has. Returns 0, -EHOSTUNREACH (name not resolved), -ETIMEDOUT, or the
 * connect() errno (-ECONNREFUSED: "is ringlabd running?"); @c->fd is -1
 * on failure.
 */
int rl_client_conn_open(struct rl_client_conn *c, const struct rl_client_target *t,
			struct rl_err *err);

/*
 * rl_client_unreachable() - whether request error @ret means no daemon
 * answered: refused, no route or no such name, or no answer in time
 * (-ETIMEDOUT, connecting or reading). The CLI exits 2 for it, as for a bad
 * --url: nothing was learnt about runs, so it must not read as a failed one.
 */
bool rl_client_unreachable(int ret);

/* rl_client_conn_close() - close @c's socket if it is open. */
void rl_client_conn_close(struct rl_client_conn *c);

/*
 * rl_client_conn_line() - one line without its CR LF into @out (@size
 * bytes); @what names the part of the answer in errors. Returns its length,
 * -EPROTO when the stream ends first or the line does not fit, or -errno.
 */
int rl_client_conn_line(struct rl_client_conn *c, char *out, size_t size, const char *what,
			struct rl_err *err);

/* rl_client_conn_read() - up to @size bytes. Returns the count, 0 at the end of the stream, or -errno. */
ssize_t rl_client_conn_read(struct rl_client_conn *c, char *out, size_t size, struct rl_err *err);

/* rl_client_conn_send() - all @n bytes at @p. Returns 0 or -errno (-ETIMEDOUT when the peer stalls). */
int rl_client_conn_send(struct rl_client_conn *c, const char *p, size_t n, struct rl_err *err);

#endif
