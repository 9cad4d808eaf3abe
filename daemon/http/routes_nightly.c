/* SPDX-License-Identifier: MIT */
/*
 * /api/v1/nightly: the reports `ringlab nightly` posts after each night
 * (which kernel variants ran, how each compares with the base, the verdict),
 * kept in the store and listed newest first.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "routes.h"

int rl_route_nightly_create(struct rl_http_req *r)
{
	struct rl_err err = { "" };
	struct rl_store *store;
	const cJSON *status;
	int64_t id;
	int ret;

	store = rl_daemon_store_lock(r->d);
	ret = rl_store_nightly_add(store, r->json, &id, &err);
	rl_daemon_store_unlock(r->d);
	if (ret == -ENOMEM)
		return ret;
	if (ret < 0)
		return rl_http_reply_errno(r, ret, &err);
	status = cJSON_GetObjectItemCaseSensitive(r->json, "status");
	return rl_http_reply_created(r, 201, "/api/v1/nightly", id, cJSON_GetStringValue(status));
}

static const char *const list_keys[] = { "limit", "offset", NULL };

static int fetch_reports(struct rl_http_req *r, struct rl_store *s, int limit, int offset,
			 cJSON **items, int *total, struct rl_err *err)
{
	return rl_store_nightly_list(s, limit, offset, items, total, err);
}

int rl_route_nightly_list(struct rl_http_req *r)
{
	return rl_http_reply_listing(r, list_keys, "reports", fetch_reports);
}

/* Report @id (RL_STORE_NIGHTLY_LATEST: the newest), or its 404. */
static int reply_report(struct rl_http_req *r, int64_t id)
{
	struct rl_err err = { "" };
	struct rl_store *store;
	cJSON *o = NULL;
	int ret;

	store = rl_daemon_store_lock(r->d);
	ret = rl_store_nightly_get(store, id, &o, &err);
	rl_daemon_store_unlock(r->d);
	if (ret < 0)
		return ret == -ENOMEM ? ret : rl_http_reply_errno(r, ret, &err);
	return rl_http_reply_json(r, 200, o);
}

int rl_route_nightly_latest(struct rl_http_req *r)
{
	return reply_report(r, RL_STORE_NIGHTLY_LATEST);
}

int rl_route_nightly_get(struct rl_http_req *r)
{
	int64_t id;

	if (rl_http_path_id(r, "nightly report", &id))
		return 0;
	return reply_report(r, id);
}
