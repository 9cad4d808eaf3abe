/* SPDX-License-Identifier: MIT */
/*
 * What the handlers see: the per-request state they work on, the request
 * accessors and reply helpers every handler answers through (server.c),
 * the helpers handlers share, and the handlers themselves, which the route
 * table (route.h) names. The pure pieces (query numbers, body cap) are
 * unit-tested without a socket.
 */
#ifndef RINGLAB_DAEMON_HTTP_ROUTES_H
#define RINGLAB_DAEMON_HTTP_ROUTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cJSON.h>

#include "ringlabd/daemon_config.h"
#include "ringlabd/daemon.h"
#include "route.h"
#include "util/err.h"

struct MHD_Connection;
struct MHD_Response;
struct rl_http;
struct rl_http_req;

/* A request body as it arrives, bounded by max_body. */
struct rl_http_body {
	char *data;		/* NUL-terminated once anything arrived */
	size_t len, cap;
};

struct rl_http_req {
	struct rl_daemon *d;
	struct rl_http *h;
	struct MHD_Connection *conn;
	const char *method, *url;	/* owned by libmicrohttpd for the request's life */
	const struct rl_route *route;
	struct rl_http_params params;
	struct rl_http_body body;
	bool too_large;			/* the body went past max_body: 413 once it is drained */
	uint64_t drained;		/* bytes of a refused body read and dropped */
	bool large;			/* holds the one slot for a body past max_body */
	uint64_t large_since_ns;	/* since when: the body must be in body_timeout_s later */
	bool busy;			/* another request held it: 503 once the body is drained */
	bool trim;			/* a large answer: give the memory back when done */
	cJSON *json;			/* RL_ROUTE_JSON_BODY: the parsed body */
	struct MHD_Response *resp;	/* the answer, queued by server.c after the handler */
	unsigned int status;
};

/* ---- query numbers and bodies (server.c), unit-tested ------------------------ */

/*
 * rl_http_int_canonical() - whether @s is an integer as the API writes one:
 * decimal digits, '-' before a negative one, no '+', blank or leading zero.
 */
bool rl_http_int_canonical(const char *s);

/*
 * rl_http_parse_int() - query parameter @name's value @text as an integer
 * in [@min, @max], written canonically (rl_http_int_canonical()); NULL or ""
 * gives @def. Returns 0, or -EINVAL with "query NAME: ..." in @err.
 */
int rl_http_parse_int(const char *name, const char *text, int64_t min, int64_t max, int64_t def,
		      int64_t *out, struct rl_err *err);

/*
 * rl_http_query_paging() - the query of a listing: every parameter one of
 * @known (as rl_http_query_check(); it names "limit" and "offset" too),
 * then "limit" (1..RL_STORE_LIST_MAX, default RL_STORE_LIST_DEFAULT) and
 * "offset" (0..INT_MAX). Returns 0, or -EINVAL after replying 400 naming
 * the parameter.
 */
int rl_http_query_paging(struct rl_http_req *r, const char *const *known, int64_t *limit,
			 int64_t *offset);

/*
 * rl_http_body_cap() - the largest request body @route (may be NULL: no
 * route) accepts under @cfg: cfg->max_body, or RL_HTTP_LARGE_BODY for
 * RL_ROUTE_LARGE_BODY routes when that is larger.
 */
size_t rl_http_body_cap(const struct rl_route *route, const struct rl_config *cfg);

/*
 * The JSON a body may hold, counted before it is parsed (rl_json_scan()):
 * cJSON spends some 100 bytes on every value, so 16 MiB of [0,0,...] would
 * cost 800 MB. One value per RL_HTTP_BYTES_PER_VALUE bytes of the body cap
 * fits every real document (a run's cells print at 15 bytes a value at
 * their densest) and bounds the tree near 7 times the cap.
 */
#define RL_HTTP_BYTES_PER_VALUE 16
#define RL_HTTP_JSON_DEPTH_MAX 64	/* runs and nightly reports nest under 10 deep */

/*
 * rl_http_json_values_cap() - the most JSON values a body of @route (may be
 * NULL) may hold under @cfg: rl_http_body_cap() / RL_HTTP_BYTES_PER_VALUE.
 */
size_t rl_http_json_values_cap(const struct rl_route *route, const struct rl_config *cfg);

/*
 * rl_http_body_append() - add @len bytes to @b, keeping it NUL-terminated.
 * Returns 0, -EFBIG when the body would pass @max bytes (nothing is added),
 * or -ENOMEM.
 */
int rl_http_body_append(struct rl_http_body *b, const char *data, size_t len, size_t max);

/* ---- request accessors and replies (server.c) ----------------------------- */

/* rl_http_param() - path parameter @name of the matched route, or "" when there is none. */
const char *rl_http_param(const struct rl_http_req *r, const char *name);

/* rl_http_query() - query parameter @key, or NULL when absent. */
const char *rl_http_query(struct rl_http_req *r, const char *key);

/* rl_http_header_in() - request header @name, or NULL when absent. */
const char *rl_http_header_in(struct rl_http_req *r, const char *name);

/*
 * rl_http_query_check() - every query parameter is one of the NULL-terminated
 * @known (a typo must not silently widen a filter), given once (which of two
 * counts would be a guess). Returns 0, or -EINVAL after replying 400 naming
 * the parameter.
 */
int rl_http_query_check(struct rl_http_req *r, const char *const *known);

/*
 * rl_http_reply() - answer @status with @resp (taken over; NULL: -ENOMEM).
 * The response gets Cache-Control: no-store unless it already has one, and
 * the security headers every answer carries (Content-Security-Policy with
 * frame-ancestors 'none', X-Content-Type-Options: nosniff, Referrer-Policy).
 * Returns 0 or -ENOMEM.
 */
int rl_http_reply(struct rl_http_req *r, unsigned int status, struct MHD_Response *resp);

/*
 * rl_http_json_text() - @o as the API prints JSON: compact, and integers of
 * 16 digits and more (the _ns times) as integers, not 1.79e+18 (@o is
 * changed to print so). Returns the text (free with cJSON_free()) or NULL
 * when out of memory.
 */
char *rl_http_json_text(cJSON *o);

/*
 * rl_http_reply_json() - answer @status with @body (taken over and freed)
 * printed compactly, as application/json; charset=utf-8. Returns 0 or -ENOMEM.
 */
int rl_http_reply_json(struct rl_http_req *r, unsigned int status, cJSON *body);

/*
 * rl_http_reply_error() - answer {"error": MESSAGE, "detail": @detail}
 * (@detail taken over; NULL: null). Returns 0 or -ENOMEM.
 */
int rl_http_reply_error(struct rl_http_req *r, unsigned int status, cJSON *detail,
			const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/*
 * rl_http_reply_errno() - answer a daemon or store error: -ENOENT 404,
 * -EINVAL 400, -EBUSY and -EALREADY 409, anything else 500; the message is
 * @err's. Returns 0 or -ENOMEM.
 */
int rl_http_reply_errno(struct rl_http_req *r, int ret, const struct rl_err *err);

/*
 * rl_http_reply_text() - answer @status with @text (@len bytes, malloc'd,
 * taken over) as @content_type. Returns 0 or -ENOMEM.
 */
int rl_http_reply_text(struct rl_http_req *r, unsigned int status, const char *content_type,
		       char *text, size_t len);

/* rl_http_add_header() - add a header to the reply already made; no-op without one. */
void rl_http_add_header(struct rl_http_req *r, const char *name, const char *value);

/*
 * rl_http_reply_created() - answer @status (201 for a stored resource, 202
 * for a queued run) with {"id": @id, "status": @state, "url": "@base/ID"}
 * and Location: the url; a NULL @state has no "status". Returns 0 or -ENOMEM.
 */
int rl_http_reply_created(struct rl_http_req *r, unsigned int status, const char *base,
			  int64_t id, const char *state);

/* One page of a listing from the store, which rl_http_reply_listing() holds locked. */
typedef int (*rl_http_list_fn)(struct rl_http_req *r, struct rl_store *s, int limit, int offset,
			       cJSON **items, int *total, struct rl_err *err);

/*
 * rl_http_reply_listing() - a listing's whole answer: the query checked
 * (every key in @known, limit and offset as rl_http_query_paging() reads
 * them), @fetch called on the locked store, then 200 with {@key: the items,
 * "total", "limit", "offset"}, or the fetch's error as rl_http_reply_errno()
 * answers it. Returns 0 or -ENOMEM.
 */
int rl_http_reply_listing(struct rl_http_req *r, const char *const *known, const char *key,
			  rl_http_list_fn fetch);

/* ---- shared between handlers ---------------------------------------------- */

/*
 * rl_http_path_id() - the {id} path parameter as the id of a @noun ("run"):
 * a positive integer in canonical decimal. Returns 0 with the id, -EINVAL
 * after replying 400 for a number spelled otherwise ("01", "+1", " 1": a
 * second name for one id), or -ENOENT after replying 404 for no number, 0
 * or one beyond any id.
 */
int rl_http_path_id(struct rl_http_req *r, const char *noun, int64_t *id);

/* rl_http_run_id() - rl_http_path_id() for a run. Returns as it does. */
int rl_http_run_id(struct rl_http_req *r, int64_t *id);

/*
 * rl_http_progress_json() - the progress object of run @id (API.md's
 * GET /api/v1/runs/ID/progress): from the live snapshot while it runs, else
 * from the store. @status (may be NULL) gets the run's status. Returns 0 with
 * a new object in @out, or -errno as rl_store_run_get() with @err set.
 */
int rl_http_progress_json(struct rl_daemon *d, int64_t id, cJSON **out,
			  enum rl_run_status *status, struct rl_err *err);

/* ---- handlers -------------------------------------------------------------- */

/* routes_system.c */
int rl_route_health(struct rl_http_req *r);
int rl_route_system(struct rl_http_req *r);
int rl_route_workloads(struct rl_http_req *r);

/* routes_runs.c */
int rl_route_runs_create(struct rl_http_req *r);
int rl_route_runs_list(struct rl_http_req *r);
/* GET /api/v1/hosts: the runs listing's filters, grouped by host (routes_hosts.c). */
int rl_route_hosts(struct rl_http_req *r);

/*
 * rl_http_runs_filter() - the runs listing's filters from the query (label,
 * kernel, release, status, what, host; group=host orders by host) into @f,
 * which points into the query. Returns 0, or -EINVAL with "query group: ..."
 * in @err for a grouping other than host.
 */
int rl_http_runs_filter(struct rl_http_req *r, struct rl_store_filter *f, struct rl_err *err);
int rl_route_run_get(struct rl_http_req *r);
int rl_route_run_cancel(struct rl_http_req *r);
int rl_route_run_progress(struct rl_http_req *r);

/* routes_import.c */
int rl_route_runs_import(struct rl_http_req *r);

/* routes_events.c */
int rl_route_run_events(struct rl_http_req *r);

/* routes_metrics.c */
int rl_route_metrics(struct rl_http_req *r);

/* routes_compare.c */
int rl_route_compare(struct rl_http_req *r);
int rl_route_history(struct rl_http_req *r);

/* routes_nightly.c */
int rl_route_nightly_create(struct rl_http_req *r);
int rl_route_nightly_list(struct rl_http_req *r);
int rl_route_nightly_latest(struct rl_http_req *r);
int rl_route_nightly_get(struct rl_http_req *r);

/* static.c */
int rl_route_static(struct rl_http_req *r);

#endif
