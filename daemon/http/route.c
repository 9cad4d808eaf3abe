/* SPDX-License-Identifier: MIT */
/*
 * ringlabd's route table, the lookup that picks a row for a request (or
 * answers 404 / 405 with Allow), and the call of the row's handler.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <microhttpd.h>

#include "routes.h"

const struct rl_route rl_http_routes[] = {
	{ "GET", "/api/v1/health", rl_route_health, 0 },
	{ "GET", "/api/v1/system", rl_route_system, 0 },
	{ "GET", "/api/v1/workloads", rl_route_workloads, 0 },
	{ "GET", "/api/v1/runs", rl_route_runs_list, RL_ROUTE_QUERY },
	{ "POST", "/api/v1/runs", rl_route_runs_create, RL_ROUTE_JSON_BODY },
	/* Before runs/{id}, which would take "import" for an id. */
	{ "POST", "/api/v1/runs/import", rl_route_runs_import,
	  RL_ROUTE_JSON_BODY | RL_ROUTE_LARGE_BODY },
	{ "GET", "/api/v1/runs/{id}", rl_route_run_get, 0 },
	{ "POST", "/api/v1/runs/{id}/cancel", rl_route_run_cancel, 0 },
	{ "GET", "/api/v1/runs/{id}/progress", rl_route_run_progress, 0 },
	{ "GET", "/api/v1/runs/{id}/events", rl_route_run_events, 0 },
	{ "GET", "/api/v1/compare", rl_route_compare, RL_ROUTE_QUERY },
	{ "GET", "/api/v1/history", rl_route_history, RL_ROUTE_QUERY },
	{ "GET", "/api/v1/hosts", rl_route_hosts, RL_ROUTE_QUERY },
	{ "GET", "/api/v1/nightly", rl_route_nightly_list, RL_ROUTE_QUERY },
	{ "POST", "/api/v1/nightly", rl_route_nightly_create,
	  RL_ROUTE_JSON_BODY | RL_ROUTE_LARGE_BODY },
	{ "GET", "/api/v1/nightly/latest", rl_route_nightly_latest, 0 },
	{ "GET", "/api/v1/nightly/{id}", rl_route_nightly_get, 0 },
	{ "GET", "/metrics", rl_route_metrics, 0 },
	/* Everything else under /api is a 404, never a dashboard file. */
	{ NULL, "/api/*", NULL, 0 },
	/* Files: a query (a cache-buster's ?v=2) does not change which one. */
	{ "GET", "/*", rl_route_static, RL_ROUTE_QUERY },
	{ NULL, NULL, NULL, 0 },
};

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

void rl_route_list_add(char *list, size_t len, const char *item)
{
	size_t used = strlen(list);

	snprintf(list + used, len - used, "%s%s", used ? ", " : "", item);
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
			rl_route_list_add(allow, allow_len, m->method);
			if (!strcmp(m->method, "GET"))
				rl_route_list_add(allow, allow_len, "HEAD");
		}
	}
	return -EOPNOTSUPP;
}

int rl_route_resolve(struct rl_http_req *r)
{
	char allow[RL_HTTP_ALLOW_LEN];
	int ret;

	ret = rl_route_find(rl_http_routes, r->method, r->url, &r->route, &r->params, allow,
			    sizeof(allow));
	if (ret == -ENOENT) {
		rl_http_reply_error(r, 404, cJSON_CreateString(r->url), "no such path: %s", r->url);
	} else if (ret < 0) {
		rl_http_reply_error(r, 405, cJSON_CreateString(allow),
				    "method %s is not allowed on %s (allowed: %s)", r->method, r->url,
				    allow);
		rl_http_add_header(r, MHD_HTTP_HEADER_ALLOW, allow);
	}
	return ret;
}

int rl_route_check_query(struct rl_http_req *r)
{
	static const char *const none[] = { NULL };

	return r->route->flags & RL_ROUTE_QUERY ? 0 : rl_http_query_check(r, none);
}

void rl_route_call(struct rl_http_req *r)
{
	int ret = r->route->handler(r);

	if (ret < 0 && !r->resp)
		rl_http_reply_error(r, 500, NULL, "internal error: %s", strerror(-ret));
}
