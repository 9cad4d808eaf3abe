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
#include <malloc.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include "schema/fields.h"
#include "ringlabd/log.h"
#include "util/clock.h"
#include "util/json.h"
#include "conn_limits.h"
#include "guard.h"
#include "routes.h"
#include "server.h"

struct rl_http {
	struct rl_daemon *d;
	struct MHD_Daemon *mhd;
	uint16_t port;
	atomic_bool large_busy;		/* a request holds the slot for a body past max_body */
	struct rl_http_conns *conns;	/* connection limits and the header deadline */
};

/* Seconds a request refused for want of the large-body slot is told to wait. */
#define LARGE_RETRY_AFTER "5"

/*
 * An answer or a kept request body this large (a run of thousands of cells;
 * a body's JSON tree is some 7 times the text) is worth giving back at once;
 * trimming after every smaller one made each 200 KB import fault its pages
 * in again.
 */
#define TRIM_AFTER_BYTES (1u << 20)
/*
 * A refused body is read and dropped, up to this many times its cap, so
 * that a client which sends its whole body before reading (most do) reads
 * the 413 or 503 rather than a broken pipe; beyond that it is cut off.
 */
#define DRAIN_CAPS 2

/* ---- query numbers and bodies ------------------------------------------------- */

bool rl_http_int_canonical(const char *s)
{
	const char *d = s + (*s == '-');
	size_t n = strspn(d, "0123456789");

	return n && !d[n] && (d[0] != '0' || (n == 1 && d == s));
}

int rl_http_parse_int(const char *name, const char *text, int64_t min, int64_t max, int64_t def,
		      int64_t *out, struct rl_err *err)
{
	long long v;

	if (!text || !*text) {
		*out = def;
		return 0;
	}
	/* One spelling a number: "01" naming run 1 would be a second name for it. */
	if (!rl_http_int_canonical(text))
		return rl_err_set(err, -EINVAL,
				  "query %s: '%.32s' is not an integer in decimal (no '+', blanks or leading zeros)",
				  name, text);
	errno = 0;
	v = strtoll(text, NULL, 10);
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

size_t rl_http_json_values_cap(const struct rl_route *route, const struct rl_config *cfg)
{
	return rl_http_body_cap(route, cfg) / RL_HTTP_BYTES_PER_VALUE;
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
	uint64_t seen;			/* bit i: known[i] met */
	char unknown[64], twice[64];
};

static enum MHD_Result query_key(void *cls, enum MHD_ValueKind kind, const char *key,
				 const char *value)
{
	struct query_scan *q = cls;

	for (size_t i = 0; q->known[i]; i++) {
		if (strcmp(q->known[i], key))
			continue;
		/* limit=1&limit=1000: which one counts is a reader's guess, as for a JSON key given twice. */
		if (i < 64 && (q->seen & (1ull << i))) {
			snprintf(q->twice, sizeof(q->twice), "%s", key);
			return MHD_NO;
		}
		q->seen |= i < 64 ? 1ull << i : 0;
		return MHD_YES;
	}
	snprintf(q->unknown, sizeof(q->unknown), "%s", key);
	return MHD_NO;
}

int rl_http_query_check(struct rl_http_req *r, const char *const *known)
{
	struct query_scan q = { .known = known };
	char list[256] = "";

	MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, query_key, &q);
	if (q.twice[0]) {
		rl_http_reply_error(r, 400, NULL, "query parameter '%s' is given more than once",
				    q.twice);
		return -EINVAL;
	}
	if (!q.unknown[0])
		return 0;
	for (size_t i = 0; known[i]; i++)
		rl_route_list_add(list, sizeof(list), known[i]);
	rl_http_reply_error(r, 400, NULL, "query parameter '%s' is unknown (known: %s)", q.unknown,
			    list[0] ? list : "none");
	return -EINVAL;
}

/* ---- replies ------------------------------------------------------------------------ */

/*
 * On every answer, the dashboard's files and the JSON alike: the dashboard
 * loads scripts, styles and data from the daemon only (its icon is a data:
 * URL), nothing may frame it, a browser never guesses a type, and no page
 * of it leaks its URL (run ids, labels) to another site.
 */
static const struct {
	const char *name, *value;
} security_headers[] = {
	{ "Content-Security-Policy", "default-src 'self'; img-src 'self' data:; object-src 'none'; "
				     "base-uri 'none'; form-action 'self'; frame-ancestors 'none'" },
	{ "X-Content-Type-Options", "nosniff" },
	{ "Referrer-Policy", "no-referrer" },
	{ "X-Frame-Options", "DENY" },	/* frame-ancestors for browsers that predate it */
};

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
	for (size_t i = 0; i < sizeof(security_headers) / sizeof(security_headers[0]); i++)
		MHD_add_response_header(resp, security_headers[i].name, security_headers[i].value);
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
	r->trim |= len >= TRIM_AFTER_BYTES;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
	return rl_http_reply(r, status, resp);
}

char *rl_http_json_text(cJSON *o)
{
	return rl_json_print_compact(o);
}

int rl_http_reply_json(struct rl_http_req *r, unsigned int status, cJSON *body)
{
	char *text = body ? rl_http_json_text(body) : NULL, *copy = NULL;
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
	/* A message may quote the request ("%ff" in a path, a Host header): answers are UTF-8. */
	rl_utf8_scrub(msg);
	if (cJSON_IsString(detail))
		rl_utf8_scrub(detail->valuestring);
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
	case -ENOTCONN:	/* the store's server cannot be reached */
	case -ENOTSUP: status = 503; break;	/* the store is past this ringlabd's schema */
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
 * One request at a time may have a body past max_body (a run to import, a
 * nightly report): each costs up to 16 MiB of text, its JSON tree and what
 * the handler builds from it, and four at once cost four times that.
 * Returns true when @r holds the slot (or already did), false when another
 * request does.
 */
static bool take_large_slot(struct rl_http_req *r)
{
	bool free_slot = false;

	if (!r->large) {
		r->large = atomic_compare_exchange_strong(&r->h->large_busy, &free_slot, true);
		r->large_since_ns = rl_now_ns();
	}
	return r->large;
}

/* A config made in C (a test's, the fuzzer's) may leave it 0: the table's default then. */
static unsigned int body_timeout_s(const struct rl_config *cfg)
{
	return cfg->body_timeout_s ? cfg->body_timeout_s : 300;
}

static int reply_busy(struct rl_http_req *r)
{
	int ret = rl_http_reply_error(r, 503, NULL,
				      "request body: another request over max_body (%u bytes) is being handled, and they go one at a time; retry in " LARGE_RETRY_AFTER " s",
				      r->d->cfg.max_body);

	rl_http_add_header(r, MHD_HTTP_HEADER_RETRY_AFTER, LARGE_RETRY_AFTER);
	return ret;
}

struct framing {
	unsigned int content_length, transfer_encoding;
};

static enum MHD_Result count_framing(void *cls, enum MHD_ValueKind kind, const char *key,
				     const char *value)
{
	struct framing *f = cls;

	if (!strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH))
		f->content_length++;
	else if (!strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING))
		f->transfer_encoding++;
	return MHD_YES;
}

/*
 * Where the body ends must be beyond doubt: libmicrohttpd takes the first
 * Content-Length and lets Transfer-Encoding win, a proxy in front may take
 * another, and the bytes between are a second request smuggled past it.
 * Returns 0, or -EINVAL after replying 400.
 */
static int check_framing(struct rl_http_req *r)
{
	struct framing f = { 0 };
	const char *te;

	MHD_get_connection_values(r->conn, MHD_HEADER_KIND, count_framing, &f);
	te = rl_http_header_in(r, MHD_HTTP_HEADER_TRANSFER_ENCODING);
	if (f.content_length > 1)
		rl_http_reply_error(r, 400, NULL, "request: %u Content-Length headers; send one",
				    f.content_length);
	else if (f.content_length && f.transfer_encoding)
		rl_http_reply_error(r, 400, NULL,
				    "request: both Content-Length and Transfer-Encoding; send one");
	else if (f.transfer_encoding > 1 || (te && strcasecmp(te, "chunked")))
		rl_http_reply_error(r, 400, NULL, "request: Transfer-Encoding must be one 'chunked'");
	return r->resp ? -EINVAL : 0;
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
	if (check_framing(r) || rl_http_guard_host(r) || rl_route_resolve(r) ||
	    rl_http_guard_mutation(r) || rl_route_check_query(r))
		return 1;
	clen = rl_http_header_in(r, MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (clen && strtoull(clen, NULL, 10) > rl_http_body_cap(r->route, &r->d->cfg)) {
		/* A body not far past the cap is drained, so the client reads the 413. */
		r->too_large = true;
		return strtoull(clen, NULL, 10) > DRAIN_CAPS * (uint64_t)rl_http_body_cap(r->route, &r->d->cfg);
	}
	/*
	 * Drained unkept, then 503: a client that reads no answer before it has
	 * sent its whole body (most do) would otherwise see only a broken pipe.
	 */
	if (clen && strtoull(clen, NULL, 10) > r->d->cfg.max_body && !take_large_slot(r))
		r->busy = true;
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

/* A refusal decided before the body was read (413) or kept (413, 503). */
static void reply_refusal(struct rl_http_req *r)
{
	if (r->too_large)
		reply_too_large(r);
	else if (r->busy)
		reply_busy(r);
}

static int parse_body(struct rl_http_req *r)
{
	struct rl_json_limits lim = {
		.max_values = rl_http_json_values_cap(r->route, &r->d->cfg),
		.max_depth = RL_HTTP_JSON_DEPTH_MAX,
	};
	struct rl_err err = { "" };
	int ret;

	if (!r->body.len)
		return rl_http_reply_error(r, 400, NULL, "request body: expected a JSON object, got nothing");
	if (strlen(r->body.data) != r->body.len)
		return rl_http_reply_error(r, 400, NULL, "request body: contains a NUL byte");
	/* Counted before cJSON builds a node for each: the tree, not the text, is what costs. */
	ret = rl_json_scan(r->body.data, r->body.len, &lim, &err);
	if (ret == -EFBIG)
		return rl_http_reply_error(r, 413, NULL,
					   "request body: %s, the most %s takes (one per %d bytes of its %zu-byte cap)",
					   err.msg, r->route->pattern, RL_HTTP_BYTES_PER_VALUE,
					   rl_http_body_cap(r->route, &r->d->cfg));
	if (ret < 0)
		return rl_http_reply_error(r, 400, NULL, "request body: %s", err.msg);
	if (rl_json_parse(r->body.data, &r->json, &err) < 0)
		return rl_http_reply_error(r, 400, NULL, "request body: %s", err.msg);
	ret = rl_json_unique_keys(r->json, &err);
	if (ret == -ENOMEM)
		return ret;
	if (ret < 0)
		return rl_http_reply_error(r, 400, NULL, "request body: %s", err.msg);
	return 0;
}

/* The whole body is in: answer 413, 503, or its JSON's 400, or what the handler says. */
static void dispatch(struct rl_http_req *r)
{
	if (r->too_large || r->busy) {
		reply_refusal(r);
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
 * past the cap they are drained and the answer is a 413. Returns 0, or
 * -ENOMEM or -EFBIG (more than DRAIN_CAPS caps drained): the connection is
 * dropped.
 */
static int take_body(struct rl_http_req *r, const char *data, size_t len)
{
	size_t max = rl_http_body_cap(r->route, &r->d->cfg);
	int ret = 0;

	if (r->too_large || r->busy) {
		r->drained += len;
		return r->drained > DRAIN_CAPS * (uint64_t)max ? -EFBIG : 0;
	}
	/*
	 * A client trickling a byte at a time, each within connection_timeout_s,
	 * would hold the one slot for ever, and every import and nightly report
	 * after it would be refused: cut off, its turn is over.
	 */
	if (r->large && rl_now_ns() - r->large_since_ns > body_timeout_s(&r->d->cfg) * 1000000000ull) {
		rl_log(LOG_WARNING, "http: %s %s: a body over max_body not all in after %u s (body_timeout_s): connection closed",
		       r->method, r->url, body_timeout_s(&r->d->cfg));
		return -ETIMEDOUT;
	}
	if ((r->route->flags & RL_ROUTE_JSON_BODY) && r->body.len + len > r->d->cfg.max_body &&
	    r->body.len + len <= max && !take_large_slot(r)) {
		/* A chunked body past max_body: its turn is taken, so it is drained, not kept. */
		r->busy = true;
		free(r->body.data);
		r->body = (struct rl_http_body){ 0 };
		return 0;
	}
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
		rl_http_conns_request(conn);
		if (!admit(r))
			return MHD_YES;
		reply_refusal(r);
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
	struct rl_http *h = cls;
	struct rl_http_req *r = *con_cls;
	bool large, trim;

	rl_http_conns_idle(conn);
	if (!r)
		return;
	large = r->large;
	trim = r->trim || r->body.cap >= TRIM_AFTER_BYTES;
	if (r->resp)
		MHD_destroy_response(r->resp);
	cJSON_Delete(r->json);
	free(r->body.data);
	free(r);
	*con_cls = NULL;
	/* Each connection thread has its own malloc arena, which keeps what it freed. */
	if (trim)
		malloc_trim(0);
	if (large)
		atomic_store(&h->large_busy, false);
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

/*
 * libmicrohttpd logs one line per connection it closes on an error, which
 * a client that opens and drops connections turns into a flood: at most
 * LOG_BURST lines per LOG_WINDOW_NS, then one line saying how many were
 * dropped.
 */
#define LOG_BURST 20
#define LOG_WINDOW_NS (10 * 1000000000ull)

static bool log_allowed(void)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	static uint64_t window_ns;
	static unsigned int logged, dropped;
	uint64_t now = rl_now_ns();
	bool ok;

	pthread_mutex_lock(&lock);
	if (!window_ns || now - window_ns >= LOG_WINDOW_NS) {
		if (dropped)
			rl_log(LOG_WARNING, "http: %u more libmicrohttpd messages not logged", dropped);
		window_ns = now;
		logged = dropped = 0;
	}
	ok = logged < LOG_BURST;
	logged += ok;
	dropped += !ok;
	pthread_mutex_unlock(&lock);
	return ok;
}

/* libmicrohttpd's printf-style messages; the attribute tells clang fmt is a format. */
__attribute__((format(printf, 2, 0)))
static void on_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];
	size_t len;

	if (!log_allowed())
		return;
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
	unsigned int max;
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
	ret = rl_http_conns_start(cfg, &h->conns, err);
	if (ret < 0) {
		freeaddrinfo(ai);
		free(h);
		return ret;
	}
	max = cfg->max_connections ? cfg->max_connections : 64;
	errno = 0;
	/*
	 * The logger goes first, or libmicrohttpd logs the options before it its
	 * own way. Its limits are twice ours: conn_limits.c keeps ours and, when
	 * full, lets a newcomer in while a slow connection it displaced closes.
	 */
	h->mhd = MHD_start_daemon(daemon_flags(ai), (uint16_t)cfg->port,
		rl_http_conns_accept, h->conns, on_request, h,
		MHD_OPTION_EXTERNAL_LOGGER, on_log, h,
		MHD_OPTION_SOCK_ADDR, ai->ai_addr,
		MHD_OPTION_CONNECTION_LIMIT, 2 * max,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT, 2 * (unsigned int)cfg->per_ip_connections,
		MHD_OPTION_NOTIFY_CONNECTION, rl_http_conns_notify, h->conns,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)cfg->connection_timeout_s,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT,
		(size_t)(cfg->memory_limit ? cfg->memory_limit : 128 * 1024),
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, h,
		MHD_OPTION_UNESCAPE_CALLBACK, unescape, NULL,
		MHD_OPTION_END);
	e = errno;
	freeaddrinfo(ai);
	if (!h->mhd) {
		rl_http_conns_stop(h->conns);
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
	rl_http_conns_stop(h->conns);
	free(h);
}
