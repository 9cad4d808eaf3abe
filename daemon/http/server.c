/* SPDX-License-Identifier: MIT */
/*
 * The HTTP server: libmicrohttpd with a thread per connection, the route
 * table, and what every request goes through before its handler: the Host
 * allowlist (DNS rebinding), the route lookup (404/405), the Origin check and
 * the bearer token for mutating requests, and the body, accumulated up to
 * max_body and parsed once when the route takes JSON. Per-request state
 * lives in struct rl_http_req and is freed in the completion callback.
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
#include <strings.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include "schema/fields.h"
#include "ringlabd/log.h"
#include "routes.h"
#include "server.h"

struct rl_http {
	struct rl_daemon *d;
	struct MHD_Daemon *mhd;
	uint16_t port;
};

const struct rl_route rl_http_routes[] = {
	{ "GET", "/api/v1/health", rl_route_health, 0 },
	{ "GET", "/api/v1/system", rl_route_system, 0 },
	{ "GET", "/api/v1/workloads", rl_route_workloads, 0 },
	{ "GET", "/api/v1/runs", rl_route_runs_list, 0 },
	{ "POST", "/api/v1/runs", rl_route_runs_create, RL_ROUTE_JSON_BODY },
	/* Before runs/{id}, which would take "import" for an id. */
	{ "POST", "/api/v1/runs/import", rl_route_runs_import,
	  RL_ROUTE_JSON_BODY | RL_ROUTE_LARGE_BODY },
	{ "GET", "/api/v1/runs/{id}", rl_route_run_get, 0 },
	{ "POST", "/api/v1/runs/{id}/cancel", rl_route_run_cancel, 0 },
	{ "GET", "/api/v1/runs/{id}/progress", rl_route_run_progress, 0 },
	{ "GET", "/api/v1/runs/{id}/events", rl_route_run_events, 0 },
	{ "GET", "/api/v1/compare", rl_route_compare, 0 },
	{ "GET", "/api/v1/history", rl_route_history, 0 },
	{ "GET", "/api/v1/nightly", rl_route_nightly_list, 0 },
	{ "POST", "/api/v1/nightly", rl_route_nightly_create,
	  RL_ROUTE_JSON_BODY | RL_ROUTE_LARGE_BODY },
	{ "GET", "/api/v1/nightly/latest", rl_route_nightly_latest, 0 },
	{ "GET", "/api/v1/nightly/{id}", rl_route_nightly_get, 0 },
	{ "GET", "/metrics", rl_route_metrics, 0 },
	/* Everything else under /api is a 404, never a dashboard file. */
	{ NULL, "/api/*", NULL, 0 },
	{ "GET", "/*", rl_route_static, 0 },
	{ NULL, NULL, NULL, 0 },
};

/* ---- route lookup ---------------------------------------------------------- */

static bool capture(struct rl_http_params *params, const char *name, size_t name_len,
		    const char *value, size_t value_len)
{
	if (!params)
		return true;
	if (params->n == RL_HTTP_PARAMS_MAX || value_len >= RL_HTTP_PARAM_LEN ||
	    name_len >= sizeof(params->p[0].name))
		return false;
	memcpy(params->p[params->n].name, name, name_len);
	params->p[params->n].name[name_len] = '\0';
	memcpy(params->p[params->n].value, value, value_len);
	params->p[params->n].value[value_len] = '\0';
	params->n++;
	return true;
}

bool rl_route_match(const char *pattern, const char *path, struct rl_http_params *params)
{
	const char *p = pattern, *s = path;

	if (params)
		params->n = 0;
	while (*p) {
		size_t plen, slen;

		if (*p != '/' || *s != '/')
			return false;
		p++;
		s++;
		if (p[0] == '*' && p[1] == '\0')
			return true;
		plen = strcspn(p, "/");
		slen = strcspn(s, "/");
		if (plen >= 2 && p[0] == '{' && p[plen - 1] == '}') {
			if (!slen || !capture(params, p + 1, plen - 2, s, slen))
				return false;
		} else if (plen != slen || strncmp(p, s, plen)) {
			return false;
		}
		p += plen;
		s += slen;
	}
	return *s == '\0';
}

static bool method_is(const char *row, const char *method)
{
	return !strcmp(row, method) || (!strcmp(method, "HEAD") && !strcmp(row, "GET"));
}

static void allow_add(char *allow, size_t len, const char *method)
{
	size_t used = strlen(allow);

	snprintf(allow + used, len - used, "%s%s", used ? ", " : "", method);
}

int rl_route_find(const struct rl_route *table, const char *method, const char *path,
		  const struct rl_route **out, struct rl_http_params *params, char *allow,
		  size_t allow_len)
{
	const struct rl_route *row, *m;

	*out = NULL;
	if (allow_len)
		allow[0] = '\0';
	for (row = table; row->pattern; row++)
		if (rl_route_match(row->pattern, path, params))
			break;
	if (!row->pattern || !row->handler)
		return -ENOENT;
	for (m = row; m->pattern; m++) {
		if (strcmp(m->pattern, row->pattern) || !m->handler)
			continue;
		if (method_is(m->method, method)) {
			*out = m;
			return 0;
		}
		if (allow_len) {
			allow_add(allow, allow_len, m->method);
			if (!strcmp(m->method, "GET"))
				allow_add(allow, allow_len, "HEAD");
		}
	}
	return -EOPNOTSUPP;
}

/* ---- Host, Origin, token ------------------------------------------------------ */

/*
 * The host part of a Host value ("name", "name:port", "[v6]", "[v6]:port")
 * into @name; false when it is malformed (then nothing matches it).
 */
static bool host_name(const char *host, char *name, size_t len)
{
	const char *end, *port;
	size_t n;

	if (host[0] == '[') {
		end = strchr(host, ']');
		if (!end)
			return false;
		port = end + 1;
		n = (size_t)(port - host);
	} else {
		port = strchr(host, ':');
		n = port ? (size_t)(port - host) : strlen(host);
		port = port ? port : host + n;
	}
	if (*port) {
		if (*port != ':' || !port[1] || strspn(port + 1, "0123456789") != strlen(port + 1))
			return false;
	}
	if (!n || n >= len)
		return false;
	memcpy(name, host, n);
	name[n] = '\0';
	return true;
}

static bool listen_name_is(const char *listen, const char *name)
{
	char buf[80];

	if (!listen[0])
		return false;
	if (strchr(listen, ':')) {
		snprintf(buf, sizeof(buf), "[%s]", listen);
		return !strcasecmp(buf, name);
	}
	return !strcasecmp(listen, name);
}

bool rl_http_host_allowed(const char *host, const struct rl_config *cfg)
{
	static const char *const loopback[] = { "localhost", "127.0.0.1", "[::1]", NULL };
	char name[256];
	uint32_t i;

	if (!host)
		return true;
	if (!host_name(host, name, sizeof(name)))
		return false;
	for (i = 0; loopback[i]; i++)
		if (!strcasecmp(loopback[i], name))
			return true;
	if (listen_name_is(cfg->listen, name))
		return true;
	for (i = 0; i < cfg->nallowed_hosts && i < RL_HOSTS_MAX; i++) {
		const char *a = cfg->allowed_hosts[i];

		if (a[0] && (!strcasecmp(a, name) || !strcasecmp(a, host)))
			return true;
	}
	return false;
}

bool rl_http_origin_allowed(const char *origin, const struct rl_config *cfg)
{
	const char *rest;

	if (!origin)
		return true;
	if (!strncasecmp(origin, "http://", 7))
		rest = origin + 7;
	else if (!strncasecmp(origin, "https://", 8))
		rest = origin + 8;
	else
		return false;
	if (!*rest || strchr(rest, '/'))
		return false;
	return rl_http_host_allowed(rest, cfg);
}

bool rl_http_token_ok(const char *token, const char *auth)
{
	size_t tlen = token ? strlen(token) : 0, vlen, i;
	volatile unsigned char diff;
	const char *v;

	if (!auth || !tlen || strncasecmp(auth, "Bearer ", 7))
		return false;
	v = auth + 7;
	while (*v == ' ')
		v++;
	vlen = strlen(v);
	while (vlen && v[vlen - 1] == ' ')
		vlen--;
	/* Every byte of the offered value is compared, whatever matched before. */
	diff = vlen != tlen;
	for (i = 0; i < vlen; i++)
		diff |= (unsigned char)v[i] ^ (unsigned char)token[i % tlen];
	return diff == 0;
}

bool rl_http_method_mutates(const char *method)
{
	return !strcmp(method, "POST") || !strcmp(method, "PUT") || !strcmp(method, "PATCH") ||
	       !strcmp(method, "DELETE");
}

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

int rl_http_query_paging(struct rl_http_req *r, int64_t *limit, int64_t *offset)
{
	struct rl_err err = { "" };

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
		allow_add(list, sizeof(list), known[i]);
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

static int reject_route(struct rl_http_req *r, int ret, const char *allow)
{
	if (ret == -ENOENT)
		return rl_http_reply_error(r, 404, cJSON_CreateString(r->url), "no such path: %s",
					   r->url);
	ret = rl_http_reply_error(r, 405, cJSON_CreateString(allow),
				  "method %s is not allowed on %s (allowed: %s)", r->method, r->url,
				  allow);
	rl_http_add_header(r, MHD_HTTP_HEADER_ALLOW, allow);
	return ret;
}

static int reject_auth(struct rl_http_req *r)
{
	const char *auth = rl_http_header_in(r, MHD_HTTP_HEADER_AUTHORIZATION);
	int ret;

	ret = rl_http_reply_error(r, 401, NULL, "%s", auth ? "wrong bearer token" :
			"this request needs Authorization: Bearer TOKEN");
	rl_http_add_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer realm=\"ringlab\"");
	return ret;
}

/*
 * Everything decided from the request line and headers alone, before the
 * body is read: a refusal here is answered without waiting for the body.
 * Returns 0 to go on, or 1 when a reply was made (or could not be).
 */
static int admit(struct rl_http_req *r)
{
	const struct rl_config *cfg = &r->d->cfg;
	const char *host = rl_http_header_in(r, MHD_HTTP_HEADER_HOST);
	const char *origin, *clen;
	char allow[RL_HTTP_ALLOW_LEN];
	int ret;

	if (!rl_http_host_allowed(host, cfg)) {
		rl_http_reply_error(r, 421, cJSON_CreateString(host),
				    "Host '%.200s' is not allowed: add it to allowed_hosts", host);
		return 1;
	}
	ret = rl_route_find(rl_http_routes, r->method, r->url, &r->route, &r->params, allow,
			    sizeof(allow));
	if (ret < 0) {
		reject_route(r, ret, allow);
		return 1;
	}
	if (rl_http_method_mutates(r->method)) {
		/* A browser page elsewhere may not drive the API: CSRF on a token-less loopback daemon. */
		origin = rl_http_header_in(r, MHD_HTTP_HEADER_ORIGIN);
		if (!rl_http_origin_allowed(origin, cfg)) {
			rl_http_reply_error(r, 403, cJSON_CreateString(origin),
					    "Origin '%.200s' is not allowed", origin);
			return 1;
		}
		if (r->d->token[0] &&
		    !rl_http_token_ok(r->d->token, rl_http_header_in(r, MHD_HTTP_HEADER_AUTHORIZATION))) {
			reject_auth(r);
			return 1;
		}
	}
	clen = rl_http_header_in(r, MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (clen && strtoull(clen, NULL, 10) > rl_http_body_cap(r->route, cfg)) {
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

static void dispatch(struct rl_http_req *r)
{
	int ret;

	if (r->too_large) {
		reply_too_large(r);
		return;
	}
	if (r->route->flags & RL_ROUTE_JSON_BODY) {
		parse_body(r);
		if (r->resp)
			return;
	}
	ret = r->route->handler(r);
	if (ret < 0 && !r->resp)
		rl_http_reply_error(r, 500, NULL, "internal error: %s", strerror(-ret));
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
