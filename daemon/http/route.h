/* SPDX-License-Identifier: MIT */
/*
 * The route table { method, pattern, handler } and its lookup: which
 * handler a request reaches, or why none does (404 no such path, 405 no
 * such method there). The lookup is pure, so the unit test runs it on
 * tables of its own without a socket.
 */
#ifndef RINGLAB_DAEMON_HTTP_ROUTE_H
#define RINGLAB_DAEMON_HTTP_ROUTE_H

#include <stdbool.h>
#include <stddef.h>

struct rl_http_req;

/*
 * A handler answers through one of the rl_http_reply_*() helpers and returns
 * 0, or a negative errno when it could not even build an answer (the
 * server then sends a 500).
 */
typedef int (*rl_route_fn)(struct rl_http_req *r);

enum rl_route_flags {
	RL_ROUTE_JSON_BODY = 1 << 0,	/* the body must be a JSON document: parsed into r->json */
	RL_ROUTE_LARGE_BODY = 1 << 1,	/* a whole run or report: the body may reach RL_HTTP_LARGE_BODY */
	/*
	 * The handler reads its own query parameters and refuses those it does
	 * not know (rl_http_query_check()). Every other route takes none: a
	 * query there is 400 before the body is read, so that a parameter the
	 * client meant (POST /api/v1/runs?label=v3) is never dropped unsaid.
	 */
	RL_ROUTE_QUERY = 1 << 2,
};

/*
 * The body cap of RL_ROUTE_LARGE_BODY routes (an imported run of the seed
 * suite is about 1 MiB; the cap leaves room for large sweeps), or max_body
 * when that is larger. Every other route is held to max_body.
 */
#define RL_HTTP_LARGE_BODY (16u << 20)

/*
 * One row per method and path. Patterns are literal segments, "{name}"
 * segments (a path parameter: one non-empty segment) and a final "*" (the
 * rest of the path, possibly empty). The first row whose pattern matches the
 * path names the resource; the rows with that same pattern are its methods.
 * A row with a NULL handler claims its pattern as a namespace with nothing
 * in it: 404 for every method (so /api/v1/nope is not left to the static
 * files). The table ends with a row whose pattern is NULL.
 */
struct rl_route {
	const char *method;
	const char *pattern;
	rl_route_fn handler;
	unsigned int flags;
};

/* ringlabd's table (route.c): the API of API.md, /metrics and the dashboard. */
extern const struct rl_route rl_http_routes[];

#define RL_HTTP_PARAMS_MAX 4
#define RL_HTTP_PARAM_LEN 128
#define RL_HTTP_ALLOW_LEN 64

struct rl_http_params {
	unsigned int n;
	struct {
		char name[32];
		char value[RL_HTTP_PARAM_LEN];
	} p[RL_HTTP_PARAMS_MAX];
};

/*
 * rl_route_match() - whether @path matches @pattern; "{name}" segments are
 * captured into @params (may be NULL). Returns false for a parameter longer
 * than RL_HTTP_PARAM_LEN - 1 or more than RL_HTTP_PARAMS_MAX of them.
 */
bool rl_route_match(const char *pattern, const char *path, struct rl_http_params *params);

/*
 * rl_route_find() - the row of @table for @method (HEAD is served by GET)
 * and @path. Returns 0 with the row in @out and its parameters in @params;
 * -ENOENT when no resource has that path (404); -EOPNOTSUPP when the path
 * exists but not the method (405), with the methods that exist in @allow
 * ("GET, HEAD, POST", at most @allow_len bytes).
 */
int rl_route_find(const struct rl_route *table, const char *method, const char *path,
		  const struct rl_route **out, struct rl_http_params *params, char *allow,
		  size_t allow_len);

/*
 * rl_route_list_add() - append @item to the ", "-separated list in @list
 * (@len bytes, NUL-terminated; what does not fit is cut).
 */
void rl_route_list_add(char *list, size_t len, const char *item);

/*
 * rl_route_resolve() - find @r's row in rl_http_routes into r->route and
 * r->params. Returns 0, or -ENOENT (404) or -EOPNOTSUPP (405, with Allow)
 * after replying.
 */
int rl_route_resolve(struct rl_http_req *r);

/*
 * rl_route_check_query() - a route without RL_ROUTE_QUERY was sent no
 * query parameter. Returns 0, or -EINVAL after replying 400 naming it.
 */
int rl_route_check_query(struct rl_http_req *r);

/*
 * rl_route_call() - run r->route's handler; when it fails without having
 * replied, reply 500 naming the errno.
 */
void rl_route_call(struct rl_http_req *r);

#endif
