/* SPDX-License-Identifier: MIT */
/*
 * The HTTP server: libmicrohttpd with a thread per connection, and the
 * order every request goes through before its handler: the Host allowlist
 * (guard.c), the route lookup (route.c), the Origin check and the bearer
 * token for mutating requests (guard.c), then the body, accumulated up to
 * max_body and parsed once when the route takes JSON. Here too are the
 * request accessors and the replies handlers answer through. Per-request
 * state lives in struct rl_http_req and is freed in the completion callback.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include "schema/fields.h"
#include "ringlabd/log.h"
#include "guard.h"
#include "routes.h"
#include "server.h"

struct rl_http {
	struct rl_daemon *d;
	struct MHD_Daemon *mhd;
	uint16_t port;
};

/* ---- query numbers and bodies ------------------------------------------------- */

int rl_http_parse_int(const char *name, const char *text, int64_t min, int64_t max, int64_t def,
		      int64_t *out, struct rl_err *err)
{
	char *end;
	long long v;

	if (!text || !*text) {
		*out = def;
		return 0;
	}
	if (!isdigit((unsigned char)text[0]) && !(text[0] == '-' && isdigit((unsigned char)text[1])))
		return rl_err_set(err, -EINVAL, "query %s: '%.32s' is not an integer", name, text);
	errno = 0;
	v = strtoll(text, &end, 10);
	if (*end)
		return rl_err_set(err, -EINVAL, "query %s: '%.32s' is not an integer", name, text);
	if (errno == ERANGE || v < min || v > max)
		return rl_err_set(err, -EINVAL, "query %s: %.32s is out of range %" PRId64 "..%" PRId64,
				  name, text, min, max);
	*out = v;
	return 0;
}

int rl_http_query_paging(struct rl_http_req *r, const char *const *known, int64_t *limit,
			 int64_t *offset)
{
	struct rl_err err = { "" };

	if (rl_http_query_check(r, known))
		return -EINVAL;
	if (rl_http_parse_int("limit", rl_http_query(r, "limit"), 1, RL_STORE_LIST_MAX,
			      RL_STORE_LIST_DEFAULT, limit, &err) < 0 ||
	    rl_http_parse_int("offset", rl_http_query(r, "offset"), 0, INT_MAX, 0, offset, &err) < 0) {
		rl_http_reply_error(r, 400, NULL, "%s", err.msg);
		return -EINVAL;
	}
	return 0;
}

size_t rl_http_body_cap(const struct rl_route *route, const struct rl_config *cfg)
{
	if (route && (route->flags & RL_ROUTE_LARGE_BODY) && cfg->max_body < RL_HTTP_LARGE_BODY)
		return RL_HTTP_LARGE_BODY;
	return cfg->max_body;
}

int rl_http_body_append(struct rl_http_body *b, const char *data, size_t len, size_t max)
{
	size_t need, cap;
	char *p;

	if (b->len > max || len > max - b->len)
		return -EFBIG;
	need = b->len + len + 1;
	if (need > b->cap) {
		cap = b->cap ? b->cap : 1024;
		while (cap < need)
			cap *= 2;
		if (cap > max + 1)
			cap = max + 1;
		p = realloc(b->data, cap);
		if (!p)
			return -ENOMEM;
		b->data = p;
		b->cap = cap;
	}
	memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
	return 0;
}

/* ---- request accessors ----------------------------------------------------------- */

const char *rl_http_param(const struct rl_http_req *r, const char *name)
{
	for (unsigned int i = 0; i < r->params.n; i++)
		if (!strcmp(r->params.p[i].name, name))
			return r->params.p[i].value;
	return "";
}

const char *rl_http_query(struct rl_http_req *r, const char *key)
{
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, key);
}

const char *rl_http_header_in(struct rl_http_req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

struct query_scan {
	const char *const *known;
	char unknown[64];
};

static enum MHD_Result query_key(void *cls, enum MHD_ValueKind kind, const char *key,
				 const char *value)
{
	struct query_scan *q = cls;

	for (size_t i = 0; q->known[i]; i++)
		if (!strcmp(q->known[i], key))
			return MHD_YES;
	snprintf(q->unknown, sizeof(q->unknown), "%s", key);
	return MHD_NO;
}

int rl_http_query_check(struct rl_http_req *r, const char *const *known)
{
	struct query_scan q = { .known = known };
	char list[256] = "";

	MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, query_key, &q);
	if (!q.unknown[0])
		return 0;
	for (size_t i = 0; known[i]; i++)
		rl_route_list_add(list, sizeof(list), known[i]);
	rl_http_reply_error(r, 400, NULL, "query parameter '%s' is unknown (known: %s)", q.unknown,
			    list[0] ? list : "none");
	return -EINVAL;
}

/* ---- replies ------------------------------------------------------------------------ */

int rl_http_reply(struct rl_http_req *r, unsigned int status, struct MHD_Response *resp)
{
	if (!resp)
		return -ENOMEM;
	if (r->resp)
		MHD_destroy_response(r->resp);
	r->resp = resp;
	r->status = status;
	if (!MHD_get_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL))
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	return 0;
}

int rl_http_reply_text(struct rl_http_req *r, unsigned int status, const char *content_type,
		       char *text, size_t len)
{
	struct MHD_Response *resp;

	if (!text)
		return -ENOMEM;
	resp = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(text);
		return -ENOMEM;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
	return rl_http_reply(r, status, resp);
}

int rl_http_reply_json(struct rl_http_req *r, unsigned int status, cJSON *body)
{
	char *text = body ? cJSON_PrintUnformatted(body) : NULL, *copy = NULL;
	size_t len = 0;

	cJSON_Delete(body);
	if (text) {
		/* Copied so that libmicrohttpd's free() matches whatever cJSON allocates with. */
		len = strlen(text);
		copy = malloc(len + 2);
		if (copy) {
			memcpy(copy, text, len);
			copy[len++] = '\n';
			copy[len] = '\0';
		}
		cJSON_free(text);
	}
	return rl_http_reply_text(r, status, "application/json; charset=utf-8", copy, len);
}

int rl_http_reply_error(struct rl_http_req *r, unsigned int status, cJSON *detail,
			const char *fmt, ...)
{
	char msg[RL_ERR_MSG_MAX + 128];
	cJSON *body = cJSON_CreateObject();
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!detail)
		detail = cJSON_CreateNull();
	if (!body || !detail || !cJSON_AddStringToObject(body, "error", msg)) {
		cJSON_Delete(body);
		cJSON_Delete(detail);
		return -ENOMEM;
	}
	cJSON_AddItemToObject(body, "detail", detail);
	return rl_http_reply_json(r, status, body);
}

int rl_http_reply_errno(struct rl_http_req *r, int ret, const struct rl_err *err)
{
	unsigned int status;

	switch (ret) {
	case -ENOENT: status = 404; break;
	case -EINVAL: status = 400; break;
	case -EBUSY:
	case -EALREADY: status = 409; break;
	default: status = 500; break;
	}
	if (err && err->msg[0])
		return rl_http_reply_error(r, status, NULL, "%s", err->msg);
	return rl_http_reply_error(r, status, NULL, "%s", strerror(-ret));
}

void rl_http_add_header(struct rl_http_req *r, const char *name, const char *value)
{
	if (r->resp)
		MHD_add_response_header(r->resp, name, value);
}

int rl_http_reply_created(struct rl_http_req *r, unsigned int status, const char *base,
			  int64_t id, const char *state)
{
	char url[64];
	cJSON *o;
	int ret;

	snprintf(url, sizeof(url), "%s/%lld", base, (long long)id);
	o = cJSON_CreateObject();
	if (!o)
		return -ENOMEM;
	cJSON_AddNumberToObject(o, "id", (double)id);
	cJSON_AddStringToObject(o, "status", state);
	cJSON_AddStringToObject(o, "url", url);
	ret = rl_http_reply_json(r, status, o);
	rl_http_add_header(r, MHD_HTTP_HEADER_LOCATION, url);
	return ret;
}

int rl_http_reply_listing(struct rl_http_req *r, const char *const *known, const char *key,
			  rl_http_list_fn fetch)
{
	struct rl_err err = { "" };
	int64_t limit, offset;
	cJSON *items = NULL, *o;
	int total = 0, ret;

	if (rl_http_query_paging(r, known, &limit, &offset))
		return 0;
	ret = fetch(r, rl_daemon_store_lock(r->d), (int)limit, (int)offset, &items, &total, &err);
	rl_daemon_store_unlock(r->d);
	if (ret < 0)
		return rl_http_reply_errno(r, ret, &err);
	o = cJSON_CreateObject();
	if (!o) {
		cJSON_Delete(items);
		return -ENOMEM;
	}
	cJSON_AddItemToObject(o, key, items);
	cJSON_AddNumberToObject(o, "total", total);
	cJSON_AddNumberToObject(o, "limit", (double)limit);
	cJSON_AddNumberToObject(o, "offset", (double)offset);
	return rl_http_reply_json(r, 200, o);
}

/* ---- the request's path through the server ------------------------------------------- */

static void count_status(struct rl_daemon *d, unsigned int status)
{
	unsigned int cls = status / 100;

	atomic_fetch_add(&d->http_requests[cls >= 1 && cls <= 5 ? cls : 0], 1);
}

static enum MHD_Result respond(struct rl_http_req *r)
{
	enum MHD_Result ret;

	if (!r->resp && rl_http_reply_error(r, 500, NULL, "internal error: out of memory") < 0)
		return MHD_NO;
	ret = MHD_queue_response(r->conn, r->status, r->resp);
	MHD_destroy_response(r->resp);
	r->resp = NULL;
	count_status(r->d, r->status);
	return ret;
}

/*
 * Everything decided from the request line and headers alone, before the
 * body is read: a refusal here is answered without waiting for the body.
 * Returns 0 to go on, or 1 when a reply was made (or could not be).
 */
static int admit(struct rl_http_req *r)
{
	const char *clen;

	/* In this order: a foreign Host learns nothing, not even which paths exist. */
	if (rl_http_guard_host(r) || rl_route_resolve(r) || rl_http_guard_mutation(r))
		return 1;
	clen = rl_http_header_in(r, MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (clen && strtoull(clen, NULL, 10) > rl_http_body_cap(r->route, &r->d->cfg)) {
		r->too_large = true;
		return 1;
	}
	return 0;
}

static int reply_too_large(struct rl_http_req *r)
{
	size_t cap = rl_http_body_cap(r->route, &r->d->cfg);

	if (cap == r->d->cfg.max_body)
		return rl_http_reply_error(r, 413, NULL, "request body: larger than max_body (%zu bytes)",
					   cap);
	return rl_http_reply_error(r, 413, NULL, "request body: larger than %zu bytes, the cap of %s",
				   cap, r->route->pattern);
}

static int parse_body(struct rl_http_req *r)
{
	struct rl_err err = { "" };

	if (!r->body.len)
		return rl_http_reply_error(r, 400, NULL, "request body: expected a JSON object, got nothing");
	if (strlen(r->body.data) != r->body.len)
		return rl_http_reply_error(r, 400, NULL, "request body: contains a NUL byte");
	if (rl_json_parse(r->body.data, &r->json, &err) < 0)
		return rl_http_reply_error(r, 400, NULL, "request body: %s", err.msg);
	return 0;
}

/* The whole body is in: answer 413, or its JSON's 400, or what the handler says. */
static void dispatch(struct rl_http_req *r)
{
	if (r->too_large) {
		reply_too_large(r);
		return;
	}
	if (r->route->flags & RL_ROUTE_JSON_BODY) {
		parse_body(r);
		if (r->resp)
			return;
	}
	rl_route_call(r);
}

/*
 * Body bytes: kept for JSON routes, counted (and dropped) for the others;
 * past max_body they are drained and the answer is a 413. Returns 0, or
 * -ENOMEM (the connection is dropped).
 */
static int take_body(struct rl_http_req *r, const char *data, size_t len)
{
	size_t max = rl_http_body_cap(r->route, &r->d->cfg);
	int ret = 0;

	if (r->too_large)
		return 0;
	if (r->route->flags & RL_ROUTE_JSON_BODY)
		ret = rl_http_body_append(&r->body, data, len, max);
	else if (len > max - r->body.len)
		ret = -EFBIG;
	else
		r->body.len += len;
	if (ret == -EFBIG) {
		r->too_large = true;
		free(r->body.data);
		r->body = (struct rl_http_body){ 0 };
		ret = 0;
	}
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_data_size,
				  void **con_cls)
{
	struct rl_http *h = cls;
	struct rl_http_req *r = *con_cls;

	if (!r) {
		r = calloc(1, sizeof(*r));
		if (!r)
			return MHD_NO;
		*r = (struct rl_http_req){ .d = h->d, .h = h, .conn = conn, .method = method,
					   .url = url };
		*con_cls = r;
		if (!admit(r))
			return MHD_YES;
		if (r->too_large)
			reply_too_large(r);
		return respond(r);
	}
	if (!r->route)
		return MHD_NO;	/* refused by admit(): libmicrohttpd does not call again */
	if (*upload_data_size) {
		if (take_body(r, upload_data, *upload_data_size) < 0)
			return MHD_NO;
		*upload_data_size = 0;
		return MHD_YES;
	}
	dispatch(r);
	return respond(r);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct rl_http_req *r = *con_cls;

	if (!r)
		return;
	if (r->resp)
		MHD_destroy_response(r->resp);
	cJSON_Delete(r->json);
	free(r->body.data);
	free(r);
	*con_cls = NULL;
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/*
 * libmicrohttpd's unescaping, except that "%00" stays as it is: a decoded
 * NUL would silently cut the path short ("/index.html%00.png").
 */
static size_t unescape(void *cls, struct MHD_Connection *conn, char *s)
{
	char *w = s, *p = s;
	int hi, lo;

	while (*p) {
		if (p[0] == '%' && (hi = hex_value(p[1])) >= 0 && (lo = hex_value(p[2])) >= 0 &&
		    (hi | lo)) {
			*w++ = (char)(hi << 4 | lo);
			p += 3;
		} else {
			*w++ = *p++;
		}
	}
	*w = '\0';
	return (size_t)(w - s);
}

/* libmicrohttpd's printf-style messages; the attribute tells clang fmt is a format. */
__attribute__((format(printf, 2, 0)))
static void on_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];
	size_t len;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	len = strlen(msg);
	while (len && msg[len - 1] == '\n')
		msg[--len] = '\0';
	rl_log(LOG_WARNING, "http: %s", msg);
}

/* ---- start and stop --------------------------------------------------------------------- */

static int resolve(const struct rl_config *cfg, struct addrinfo **ai, struct rl_err *err)
{
	struct addrinfo hints = { .ai_flags = AI_PASSIVE | AI_NUMERICSERV,
				  .ai_socktype = SOCK_STREAM };
	char port[16];
	int rc;

	if (cfg->port > 65535)
		return rl_err_set(err, -EINVAL, "http: port %u: must be 0..65535", cfg->port);
	snprintf(port, sizeof(port), "%u", cfg->port);
	rc = getaddrinfo(cfg->listen[0] ? cfg->listen : NULL, port, &hints, ai);
	if (rc)
		return rl_err_set(err, -EINVAL, "http: listen address '%s': %s", cfg->listen,
				  gai_strerror(rc));
	return 0;
}

static unsigned int daemon_flags(const struct addrinfo *ai)
{
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
			     MHD_USE_POLL | MHD_USE_ERROR_LOG;
	const struct sockaddr_in6 *a6;

	if (ai->ai_family != AF_INET6)
		return flags;
	a6 = (const struct sockaddr_in6 *)ai->ai_addr;
	/* "::" serves IPv4 too; a specific IPv6 address only itself. */
	return flags | (IN6_IS_ADDR_UNSPECIFIED(&a6->sin6_addr) ? MHD_USE_DUAL_STACK : MHD_USE_IPv6);
}

int rl_http_start(struct rl_daemon *d, struct rl_http **out, struct rl_err *err)
{
	const struct rl_config *cfg = &d->cfg;
	const union MHD_DaemonInfo *info;
	struct addrinfo *ai = NULL;
	struct rl_http *h;
	int ret, e;

	*out = NULL;
	ret = resolve(cfg, &ai, err);
	if (ret < 0)
		return ret;
	h = calloc(1, sizeof(*h));
	if (!h) {
		freeaddrinfo(ai);
		return rl_err_set(err, -ENOMEM, "http: out of memory");
	}
	h->d = d;
	errno = 0;
	/* The logger goes first, or libmicrohttpd logs the options before it its own way. */
	h->mhd = MHD_start_daemon(daemon_flags(ai), (uint16_t)cfg->port, NULL, NULL, on_request, h,
		MHD_OPTION_EXTERNAL_LOGGER, on_log, h,
		MHD_OPTION_SOCK_ADDR, ai->ai_addr,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned int)(cfg->max_connections ? cfg->max_connections : 64),
		MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)cfg->per_ip_connections,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)cfg->connection_timeout_s,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT,
		(size_t)(cfg->memory_limit ? cfg->memory_limit : 128 * 1024),
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, h,
		MHD_OPTION_UNESCAPE_CALLBACK, unescape, NULL,
		MHD_OPTION_END);
	e = errno;
	freeaddrinfo(ai);
	if (!h->mhd) {
		free(h);
		e = e ? e : EIO;
		return rl_err_set(err, -e, "http: cannot listen on %s port %u: %s", cfg->listen,
				  cfg->port, strerror(e));
	}
	info = MHD_get_daemon_info(h->mhd, MHD_DAEMON_INFO_BIND_PORT);
	h->port = info && info->port ? info->port : (uint16_t)cfg->port;
	*out = h;
	return 0;
}

uint16_t rl_http_port(const struct rl_http *h)
{
	return h ? h->port : 0;
}

void rl_http_stop(struct rl_http *h)
{
	if (!h)
		return;
	MHD_stop_daemon(h->mhd);
	free(h);
}
