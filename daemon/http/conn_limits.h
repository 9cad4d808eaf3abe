/* SPDX-License-Identifier: MIT */
/*
 * How many connections ringlabd keeps, and for how long one may take to
 * say what it wants: a client that opens connections and never finishes
 * their headers (slowloris) must not lock the CLI and the dashboard out.
 *
 * - A connection has header_timeout_s to send its request headers, counted
 *   from when it opened or its previous answer went out; trickling bytes
 *   does not reset it (libmicrohttpd's connection_timeout_s is an idle
 *   timeout, which trickling does). A watchdog thread closes the late ones.
 * - One address may hold per_ip_connections, and addresses other than
 *   loopback together max_connections minus a reserve, so the local CLI
 *   and dashboard always find a slot (127.0.0.0/8 and ::1 may use all
 *   max_connections).
 * - When a limit would refuse a newcomer, the connection that has waited
 *   longest for its headers (at least a second: real clients send them at
 *   once) gives up its slot instead, from the newcomer's own address when
 *   that address is at its limit.
 *
 * The decision is a pure function of counts, unit-tested; the rest keeps
 * the counts: libmicrohttpd's accept policy and connection notifications,
 * and the request's start and end (server.c).
 */
#ifndef RINGLAB_DAEMON_HTTP_CONN_LIMITS_H
#define RINGLAB_DAEMON_HTTP_CONN_LIMITS_H

#include <stdbool.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include "ringlabd/daemon_config.h"
#include "util/err.h"

struct rl_http_conns;

/* Slots of max_connections only loopback may use: at most this, and a quarter of them. */
#define RL_HTTP_LOOPBACK_RESERVE 8
/* How long a connection may wait for its headers before a newcomer may take its slot. */
#define RL_HTTP_DISPLACE_AFTER_MS 1000

/* What a newcomer's connection means to the limits. */
enum rl_conn_verdict {
	RL_CONN_ACCEPT,			/* a slot is free */
	RL_CONN_DISPLACE_SAME_ADDR,	/* its address is at per_ip_connections */
	RL_CONN_DISPLACE_NOT_LOOPBACK,	/* non-loopback addresses fill their share */
	RL_CONN_DISPLACE_ANY,		/* every slot is taken */
	RL_CONN_VERDICT_MAX
};

struct rl_conn_counts {
	unsigned int total;		/* connections held, not counting those being closed */
	unsigned int not_loopback;	/* of which from addresses other than loopback */
	unsigned int same_addr;		/* of which from the newcomer's address */
	bool loopback;			/* the newcomer is */
};

/*
 * rl_http_conn_verdict() - whether a newcomer with @n fits under
 * @max_connections and @per_ip (the config's keys), or which connection
 * would have to make room: see enum rl_conn_verdict.
 */
enum rl_conn_verdict rl_http_conn_verdict(const struct rl_conn_counts *n,
					  unsigned int max_connections, unsigned int per_ip);

/*
 * rl_http_sockaddr_loopback() - whether @sa is 127.0.0.0/8, ::1 or
 * ::ffff:127.0.0.0/104.
 */
bool rl_http_sockaddr_loopback(const struct sockaddr *sa, socklen_t len);

/*
 * rl_http_conns_start() - the limits of @cfg, and the watchdog thread that
 * enforces the header deadline. Returns 0 with the state in @out, or
 * -errno with "http: ..." in @err.
 */
int rl_http_conns_start(const struct rl_config *cfg, struct rl_http_conns **out,
			struct rl_err *err);

/* rl_http_conns_stop() - stop the watchdog and free @c; after libmicrohttpd stopped. NULL is fine. */
void rl_http_conns_stop(struct rl_http_conns *c);

/*
 * The libmicrohttpd callbacks, with @cls the struct rl_http_conns:
 * MHD_OPTION_ACCEPT_POLICY (rl_http_conns_accept: MHD_YES or MHD_NO, after
 * making room when it can) and MHD_OPTION_NOTIFY_CONNECTION
 * (rl_http_conns_notify: counts a connection from start to close).
 */
enum MHD_Result rl_http_conns_accept(void *cls, const struct sockaddr *addr, socklen_t len);
void rl_http_conns_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
			  enum MHD_ConnectionNotificationCode code);

/* rl_http_conns_request() - @conn's request headers are in: its header clock stops. */
void rl_http_conns_request(struct MHD_Connection *conn);

/* rl_http_conns_idle() - @conn's answer is out: its clock starts again for the next request. */
void rl_http_conns_idle(struct MHD_Connection *conn);

#endif
