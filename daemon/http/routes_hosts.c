/* SPDX-License-Identifier: MIT */
/*
 * The hosts runs ran on: GET /api/v1/hosts groups the runs a listing's
 * filters select by host, and the runs listing's filters are read here once
 * for both.
 */
#include <errno.h>
#include <string.h>

#include "routes.h"

int rl_http_runs_filter(struct rl_http_req *r, struct rl_store_filter *f, struct rl_err *err)
{
	const char *group = rl_http_query(r, "group");

	memset(f, 0, sizeof(*f));
	f->label = rl_http_query(r, "label");
	f->kernel_tag = rl_http_query(r, "kernel");
	f->kernel_release = rl_http_query(r, "release");
	f->what = rl_http_query(r, "what");
	f->status = rl_http_query(r, "status");
	f->host = rl_http_query(r, "host");
	if (group && *group && strcmp(group, "host"))
		return rl_err_set(err, -EINVAL, "query group: '%.32s' is not host (the only grouping)",
				  group);
	f->by_host = group && *group;
	return 0;
}

static const char *const hosts_keys[] = {
	"label", "kernel", "release", "status", "what", "host", NULL,
};

int rl_route_hosts(struct rl_http_req *r)
{
	struct rl_store_filter f;
	struct rl_err err = { "" };
	cJSON *hosts = NULL, *o;
	int ret;

	if (rl_http_query_check(r, hosts_keys))
		return 0;
	ret = rl_http_runs_filter(r, &f, &err);
	if (!ret) {
		ret = rl_store_runs_hosts(rl_daemon_store_lock(r->d), &f, &hosts, &err);
		rl_daemon_store_unlock(r->d);
	}
	if (ret < 0)
		return ret == -ENOMEM ? ret : rl_http_reply_errno(r, ret, &err);
	o = cJSON_CreateObject();
	if (!o) {
		cJSON_Delete(hosts);
		return -ENOMEM;
	}
	cJSON_AddItemToObject(o, "hosts", hosts);
	return rl_http_reply_json(r, 200, o);
}
