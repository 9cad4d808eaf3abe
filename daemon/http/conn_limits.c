/* SPDX-License-Identifier: MIT */
/*
 * Connection limits and the header deadline (see conn_limits.h). Every
 * connection libmicrohttpd holds is on one list, from its start
 * notification to its close notification, both of which libmicrohttpd
 * sends from its listening thread before it closes the socket; the
 * watchdog and the accept policy shut a connection down (shutdown(2), so
 * its own thread sees the end and libmicrohttpd closes it as usual) only
 * under the list's lock, so the fd is still the connection's.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "conn_limits.h"
#include "ringlabd/log.h"
#include "util/clock.h"

#define NS_PER_MS 1000000ull
#define NS_PER_S 1000000000ull
/* Refusals and displacements are logged at most this often: an attack must not flood the log. */
#define LOG_EVERY_NS (10 * NS_PER_S)

struct conn {
	struct conn *prev, *next;
	struct rl_http_conns *owner;
	int fd;
	struct in6_addr addr;		/* IPv4 as ::ffff:a.b.c.d */
	bool loopback;
	uint64_t waiting_since_ns;	/* waiting for request headers since; 0 while one is handled */
	bool closing;			/* shut down here: its slot is free again */
};

struct rl_http_conns {
	pthread_mutex_t lock;
	pthread_cond_t wake;
	struct conn *head;
	unsigned int max, per_ip;
	uint64_t header_timeout_ns;
	uint64_t logged_ns;
	pthread_t watchdog;
	bool stop;
};

enum rl_conn_verdict rl_http_conn_verdict(const struct rl_conn_counts *n,
					  unsigned int max_connections, unsigned int per_ip)
{
	unsigned int reserve = max_connections / 4 < RL_HTTP_LOOPBACK_RESERVE ?
			       max_connections / 4 : RL_HTTP_LOOPBACK_RESERVE;

	if (n->same_addr >= per_ip)
		return RL_CONN_DISPLACE_SAME_ADDR;
	if (!n->loopback && n->not_loopback >= max_connections - reserve)
		return RL_CONN_DISPLACE_NOT_LOOPBACK;
	if (n->total >= max_connections)
		return RL_CONN_DISPLACE_ANY;
	return RL_CONN_ACCEPT;
}

/* @sa as an IPv6 address (IPv4 mapped), so one comparison serves both; false for other families. */
static bool addr_key(const struct sockaddr *sa, socklen_t len, struct in6_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (sa && sa->sa_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
		out->s6_addr[10] = out->s6_addr[11] = 0xff;
		memcpy(&out->s6_addr[12], &((const struct sockaddr_in *)sa)->sin_addr, 4);
		return true;
	}
	if (sa && sa->sa_family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
		*out = ((const struct sockaddr_in6 *)sa)->sin6_addr;
		return true;
	}
	return false;
}

static bool key_loopback(const struct in6_addr *a)
{
	return IN6_IS_ADDR_LOOPBACK(a) || (IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127);
}

bool rl_http_sockaddr_loopback(const struct sockaddr *sa, socklen_t len)
{
	struct in6_addr a;

	return addr_key(sa, len, &a) && key_loopback(&a);
}

static const char *key_text(const struct in6_addr *a, char *buf, socklen_t len)
{
	if (IN6_IS_ADDR_V4MAPPED(a))
		return inet_ntop(AF_INET, &a->s6_addr[12], buf, len);
	return inet_ntop(AF_INET6, a, buf, len);
}

/* Under c->lock: whether a line may be logged now, and if so, that one was. */
static bool may_log(struct rl_http_conns *c, uint64_t now)
{
	if (c->logged_ns && now - c->logged_ns < LOG_EVERY_NS)
		return false;
	c->logged_ns = now;
	return true;
}

/* Under c->lock: free @e's slot now; libmicrohttpd closes it when its thread sees the end. */
static void shut(struct conn *e)
{
	e->closing = true;
	shutdown(e->fd, SHUT_RDWR);
}

static void count(const struct rl_http_conns *c, const struct in6_addr *addr, bool loopback,
		  struct rl_conn_counts *n)
{
	*n = (struct rl_conn_counts){ .loopback = loopback };
	for (const struct conn *e = c->head; e; e = e->next) {
		if (e->closing)
			continue;
		n->total++;
		n->not_loopback += !e->loopback;
		n->same_addr += !memcmp(&e->addr, addr, sizeof(*addr));
	}
}

/* Under c->lock: the connection longest waiting for its headers that @v allows to make room, or NULL. */
static struct conn *oldest_waiting(struct rl_http_conns *c, enum rl_conn_verdict v,
				   const struct in6_addr *addr, uint64_t now)
{
	struct conn *best = NULL;

	for (struct conn *e = c->head; e; e = e->next) {
		if (e->closing || !e->waiting_since_ns ||
		    now - e->waiting_since_ns < RL_HTTP_DISPLACE_AFTER_MS * NS_PER_MS)
			continue;
		if (v == RL_CONN_DISPLACE_SAME_ADDR && memcmp(&e->addr, addr, sizeof(*addr)))
			continue;
		if (v == RL_CONN_DISPLACE_NOT_LOOPBACK && e->loopback)
			continue;
		if (!best || e->waiting_since_ns < best->waiting_since_ns)
			best = e;
	}
	return best;
}

enum MHD_Result rl_http_conns_accept(void *cls, const struct sockaddr *sa, socklen_t len)
{
	static const char *const why[] = { "", "its address is at per_ip_connections",
		"addresses other than loopback fill their share of max_connections",
		"max_connections are open" };
	struct rl_http_conns *c = cls;
	struct rl_conn_counts n;
	struct in6_addr addr;
	enum rl_conn_verdict v;
	struct conn *victim = NULL;
	uint64_t now = rl_now_ns();
	char text[INET6_ADDRSTRLEN] = "?";

	addr_key(sa, len, &addr);
	pthread_mutex_lock(&c->lock);
	count(c, &addr, key_loopback(&addr), &n);
	v = rl_http_conn_verdict(&n, c->max, c->per_ip);
	if (v != RL_CONN_ACCEPT) {
		victim = oldest_waiting(c, v, &addr, now);
		if (victim)
			shut(victim);
		if (may_log(c, now))
			rl_log(LOG_WARNING, "http: a connection from %s: %s; %s", key_text(&addr, text, sizeof(text)),
			       why[v], victim ? "took the slot of the one longest waiting for its headers" :
			       "refused, none is waiting for its headers");
	}
	pthread_mutex_unlock(&c->lock);
	return v == RL_CONN_ACCEPT || victim ? MHD_YES : MHD_NO;
}

static void conn_started(struct rl_http_conns *c, struct MHD_Connection *conn, void **ctx)
{
	const union MHD_ConnectionInfo *fd = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	const union MHD_ConnectionInfo *sa = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	struct conn *e = calloc(1, sizeof(*e));

	/* Untracked when this fails: it still has libmicrohttpd's own limits and timeout. */
	if (!e || !fd || !sa) {
		free(e);
		return;
	}
	e->owner = c;
	e->fd = fd->connect_fd;
	addr_key(sa->client_addr, sizeof(struct sockaddr_in6), &e->addr);
	e->loopback = key_loopback(&e->addr);
	e->waiting_since_ns = rl_now_ns();
	pthread_mutex_lock(&c->lock);
	e->next = c->head;
	if (c->head)
		c->head->prev = e;
	c->head = e;
	pthread_mutex_unlock(&c->lock);
	*ctx = e;
}

static void conn_closed(struct rl_http_conns *c, void **ctx)
{
	struct conn *e = *ctx;

	if (!e)
		return;
	pthread_mutex_lock(&c->lock);
	if (e->prev)
		e->prev->next = e->next;
	else
		c->head = e->next;
	if (e->next)
		e->next->prev = e->prev;
	pthread_mutex_unlock(&c->lock);
	free(e);
	*ctx = NULL;
}

void rl_http_conns_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
			  enum MHD_ConnectionNotificationCode code)
{
	if (code == MHD_CONNECTION_NOTIFY_STARTED)
		conn_started(cls, conn, socket_context);
	else if (code == MHD_CONNECTION_NOTIFY_CLOSED)
		conn_closed(cls, socket_context);
}

static void set_waiting(struct MHD_Connection *conn, uint64_t since)
{
	const union MHD_ConnectionInfo *info = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	struct conn *e = info ? info->socket_context : NULL;

	if (!e)
		return;
	pthread_mutex_lock(&e->owner->lock);
	e->waiting_since_ns = since;
	pthread_mutex_unlock(&e->owner->lock);
}

void rl_http_conns_request(struct MHD_Connection *conn)
{
	set_waiting(conn, 0);
}

void rl_http_conns_idle(struct MHD_Connection *conn)
{
	set_waiting(conn, rl_now_ns());
}

/* Under c->lock: shut every connection whose headers are late; log how many once. */
static void enforce_deadline(struct rl_http_conns *c, uint64_t now)
{
	char text[INET6_ADDRSTRLEN] = "?";
	const struct conn *one = NULL;
	unsigned int n = 0;

	for (struct conn *e = c->head; e; e = e->next) {
		if (e->closing || !e->waiting_since_ns || now - e->waiting_since_ns < c->header_timeout_ns)
			continue;
		shut(e);
		one = e;
		n++;
	}
	if (n)
		rl_log(LOG_WARNING, "http: closed %u connection%s (one from %s) that sent no complete request headers in %llu s (header deadline, header_timeout_s)",
		       n, n == 1 ? "" : "s", key_text(&one->addr, text, sizeof(text)),
		       (unsigned long long)(c->header_timeout_ns / NS_PER_S));
}

static void *watchdog(void *arg)
{
	struct rl_http_conns *c = arg;
	struct timespec until;

	pthread_mutex_lock(&c->lock);
	while (!c->stop) {
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += 1;
		pthread_cond_timedwait(&c->wake, &c->lock, &until);
		enforce_deadline(c, rl_now_ns());
	}
	pthread_mutex_unlock(&c->lock);
	return NULL;
}

int rl_http_conns_start(const struct rl_config *cfg, struct rl_http_conns **out,
			struct rl_err *err)
{
	struct rl_http_conns *c = calloc(1, sizeof(*c));
	pthread_condattr_t attr;
	int ret;

	*out = NULL;
	if (!c)
		return rl_err_set(err, -ENOMEM, "http: out of memory");
	c->max = cfg->max_connections ? cfg->max_connections : 64;
	c->per_ip = cfg->per_ip_connections ? cfg->per_ip_connections : c->max;
	c->header_timeout_ns = (uint64_t)(cfg->header_timeout_s ? cfg->header_timeout_s : 10) * NS_PER_S;
	pthread_mutex_init(&c->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&c->wake, &attr);
	pthread_condattr_destroy(&attr);
	ret = pthread_create(&c->watchdog, NULL, watchdog, c);
	if (ret) {
		pthread_cond_destroy(&c->wake);
		pthread_mutex_destroy(&c->lock);
		free(c);
		return rl_err_set(err, -ret, "http: cannot start the header watchdog: %s", strerror(ret));
	}
	*out = c;
	return 0;
}

void rl_http_conns_stop(struct rl_http_conns *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&c->lock);
	c->stop = true;
	pthread_cond_signal(&c->wake);
	pthread_mutex_unlock(&c->lock);
	pthread_join(c->watchdog, NULL);
	pthread_cond_destroy(&c->wake);
	pthread_mutex_destroy(&c->lock);
	free(c);
}
