/* SPDX-License-Identifier: MIT */
/*
 * /api/v1/runs: submit, list, one run, cancel, progress. Handlers read the
 * store (under the store lock) and the live snapshot; they never wait on a run.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ringlabd/submit.h"
#include "util/json.h"
#include "routes.h"

#define ID_DIGITS_MAX 18	/* below INT64_MAX, whatever the digits */

int rl_http_path_id(struct rl_http_req *r, const char *noun, int64_t *id)
{
	const char *s = rl_http_param(r, "id");

	*id = 0;
	if (rl_http_int_canonical(s) && strlen(s) <= ID_DIGITS_MAX)
		*id = strtoll(s, NULL, 10);
	if (*id > 0)
		return 0;
	/* Digits spelled otherwise: say how, rather than that no such id exists. */
	if (strpbrk(s, "0123456789") && !rl_http_int_canonical(s)) {
		rl_http_reply_error(r, 400, NULL,
				    "%s id '%.64s': write ids in decimal without '+', blanks or leading zeros",
				    noun, s);
		return -EINVAL;
	}
	rl_http_reply_error(r, 404, NULL, "no %s '%.64s': %s ids are positive integers", noun, s,
			    noun);
	return -ENOENT;
}

int rl_http_run_id(struct rl_http_req *r, int64_t *id)
{
	return rl_http_path_id(r, "run", id);
}

/* ---- progress --------------------------------------------------------------- */

static cJSON *str_or_null(const char *s)
{
	return s && *s ? cJSON_CreateString(s) : cJSON_CreateNull();
}

static void add_progress(cJSON *o, uint32_t cell, uint32_t ncells, const char *workload,
			 uint32_t jobs, uint32_t rep, uint32_t reps, const char *phase,
			 double fraction, double run_fraction, double live_iops)
{
	cJSON_AddNumberToObject(o, "cell", cell);
	cJSON_AddNumberToObject(o, "ncells", ncells);
	cJSON_AddItemToObject(o, "workload", str_or_null(workload));
	cJSON_AddNumberToObject(o, "jobs", jobs);
	cJSON_AddNumberToObject(o, "rep", rep);
	cJSON_AddNumberToObject(o, "reps", reps);
	cJSON_AddItemToObject(o, "phase", str_or_null(phase));
	cJSON_AddNumberToObject(o, "fraction", fraction);
	cJSON_AddNumberToObject(o, "run_fraction", run_fraction);
	cJSON_AddNumberToObject(o, "live_iops", live_iops);
}

/* Not running, or running but not planned yet: what is known from the status alone. */
static void add_idle(cJSON *o, enum rl_run_status st)
{
	static const char *const keys[] = { "cell", "ncells", "workload", "jobs", "rep", "reps",
					     "phase", "fraction" };

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		cJSON_AddNullToObject(o, keys[i]);
	if (st == RL_RUN_QUEUED)
		cJSON_AddNumberToObject(o, "run_fraction", 0);
	else if (st == RL_RUN_DONE)
		cJSON_AddNumberToObject(o, "run_fraction", 1);
	else
		cJSON_AddNullToObject(o, "run_fraction");
	cJSON_AddNullToObject(o, "live_iops");
}

int rl_http_progress_json(struct rl_daemon *d, int64_t id, cJSON **out,
			  enum rl_run_status *status, struct rl_err *err)
{
	struct rl_store_run_meta m;
	struct rl_store_progress sp;
	struct rl_run_end end;
	struct rl_live live;
	struct rl_store *store;
	bool is_live, ended, has_row = false;
	cJSON *o;
	int ret;

	*out = NULL;
	is_live = rl_daemon_live(d, id, &live) == 0;
	ended = !is_live && rl_daemon_run_end(d, id, &end) == 0;
	store = rl_daemon_store_lock(d);
	ret = rl_store_run_get(store, id, NULL, &m, err);
	if (!ret && !is_live && !ended && m.status == RL_RUN_RUNNING)
		has_row = rl_store_progress_get(store, id, &sp, err) == 0;
	rl_daemon_store_unlock(d);
	if (ret < 0)
		return ret;
	if (is_live)
		m.status = RL_RUN_RUNNING;
	else if (ended)
		m.status = end.status;
	o = cJSON_CreateObject();
	if (!o)
		return rl_err_set(err, -ENOMEM, "out of memory");
	cJSON_AddNumberToObject(o, "id", (double)id);
	cJSON_AddStringToObject(o, "status", rl_run_status_name(m.status));
	if (is_live && !live.p.ncells) {
		/* Taken from the queue, its target and workloads still being checked. */
		add_idle(o, m.status);
		cJSON_ReplaceItemInObject(o, "phase", cJSON_CreateString(live.phase));
		cJSON_ReplaceItemInObject(o, "run_fraction", cJSON_CreateNumber(0));
	} else if (is_live)
		add_progress(o, (uint32_t)live.p.cell, (uint32_t)live.p.ncells, live.workload,
			     live.p.jobs, live.p.rep, live.p.reps, live.phase, live.p.cell_fraction,
			     live.p.run_fraction, live.p.live_iops);
	else if (has_row)
		add_progress(o, sp.cell, sp.ncells, sp.workload, sp.jobs, sp.rep, sp.reps, sp.phase,
			     sp.fraction, sp.run_fraction, sp.live_iops);
	else
		add_idle(o, m.status);
	if (status)
		*status = m.status;
	*out = o;
	return 0;
}

int rl_route_run_progress(struct rl_http_req *r)
{
	struct rl_err err = { "" };
	cJSON *o;
	int64_t id;
	int ret;

	if (rl_http_run_id(r, &id))
		return 0;
	ret = rl_http_progress_json(r->d, id, &o, NULL, &err);
	if (ret < 0)
		return rl_http_reply_errno(r, ret, &err);
	return rl_http_reply_json(r, 200, o);
}

/*
 * A run the store still calls running whose end it could not record: show
 * the end as it was, and why the store does not have it ("store_error").
 */
static void add_run_end(struct rl_daemon *d, cJSON *run)
{
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(run, "id");
	const cJSON *st = cJSON_GetObjectItemCaseSensitive(run, "status");
	struct rl_run_end end;

	if (!cJSON_IsNumber(id) || !cJSON_IsString(st) || strcmp(st->valuestring, "running") ||
	    rl_daemon_run_end(d, (int64_t)id->valuedouble, &end) < 0)
		return;
	cJSON_ReplaceItemInObjectCaseSensitive(run, "status",
					       cJSON_CreateString(rl_run_status_name(end.status)));
	cJSON_ReplaceItemInObjectCaseSensitive(run, "error", str_or_null(end.error));
	/* The end knows when it came: not "finished": null while the store lacks it. */
	if (end.finished_ns > 0 && cJSON_HasObjectItem(run, "finished") &&
	    cJSON_HasObjectItem(run, "finished_ns")) {
		cJSON_ReplaceItemInObjectCaseSensitive(run, "finished",
						       rl_json_iso_time(end.finished_ns));
		cJSON_ReplaceItemInObjectCaseSensitive(run, "finished_ns",
						       cJSON_CreateNumber((double)end.finished_ns));
	}
	cJSON_AddStringToObject(run, "store_error", end.store_error);
}

/* ---- submit ------------------------------------------------------------------ */

/*
 * rl_suite_resolve() also takes paths; a client names suites and workloads
 * from the catalog, never files of the host.
 */
static bool is_plain_name(const char *what)
{
	size_t len = strlen(what);

	return what[0] != '.' && !strchr(what, '/') && !(len > 5 && !strcmp(what + len - 5, ".json"));
}

static int reply_submit_error(struct rl_http_req *r, int ret, const struct rl_submit *req,
			      const struct rl_err *err)
{
	struct rl_daemon_target *dt;

	switch (ret) {
	case -ENOENT:
	case -EINVAL:
		/* The URL exists: an unknown suite or target is a bad field of the body. */
		return rl_http_reply_error(r, 400, NULL, "%s", err->msg);
	case -EBUSY:
		dt = rl_daemon_target_find(r->d, req->target);
		return rl_http_reply_error(r, 409, dt ? cJSON_CreateString(dt->t.cfg.name) : NULL,
					   "%s", err->msg);
	case -EAGAIN:
		/* The store failed; the runner is trying again. */
	case -ENOTSUP:
		/* A newer daemon migrated the store: this one takes no run until upgraded. */
		return rl_http_reply_error(r, 503, NULL, "%s", err->msg);
	}
	return rl_http_reply_error(r, 500, NULL, "%s", err->msg[0] ? err->msg : strerror(-ret));
}

int rl_route_runs_create(struct rl_http_req *r)
{
	struct rl_err err = { "" };
	struct rl_submit req;
	int64_t id;
	int ret;

	ret = rl_submit_from_json(r->json, &req, &err);
	if (ret == -ENOMEM)
		return ret;
	if (ret < 0)
		return rl_http_reply_error(r, 400, NULL, "%s", err.msg);
	if (!is_plain_name(req.what))
		return rl_http_reply_error(r, 400, NULL, "field %s: '%s' must be a suite or workload name, not a path",
					   cJSON_HasObjectItem(r->json, "suite") ? "suite" : "workload",
					   req.what);
	ret = rl_daemon_submit(r->d, &req, &id, &err);
	if (ret < 0)
		return reply_submit_error(r, ret, &req, &err);
	return rl_http_reply_created(r, 202, "/api/v1/runs", id, "queued");
}

/* ---- list -------------------------------------------------------------------- */

static const char *const list_keys[] = {
	"label", "kernel", "release", "status", "what", "host", "group", "limit", "offset", NULL,
};

static int fetch_runs(struct rl_http_req *r, struct rl_store *s, int limit, int offset,
		      cJSON **items, int *total, struct rl_err *err)
{
	struct rl_store_filter f;
	int ret = rl_http_runs_filter(r, &f, err);

	f.limit = limit;
	f.offset = offset;
	if (!ret)
		ret = rl_store_runs_list(s, &f, items, total, err);

	if (ret < 0)
		return ret;
	for (cJSON *run = (*items)->child, *next; run; run = next) {
		next = run->next;
		add_run_end(r->d, run);
		/* Asked for running runs: one that has ended is not one. */
		if (f.status && f.status[0] &&
		    strcmp(cJSON_GetObjectItemCaseSensitive(run, "status")->valuestring, f.status)) {
			cJSON_Delete(cJSON_DetachItemViaPointer(*items, run));
			(*total)--;
		}
	}
	return 0;
}

int rl_route_runs_list(struct rl_http_req *r)
{
	return rl_http_reply_listing(r, list_keys, "runs", fetch_runs);
}

/* ---- one run ------------------------------------------------------------------- */

/* The list's ncells and failed_cells, which the stored run JSON does not carry. */
static void add_cell_counts(cJSON *run)
{
	const cJSON *cells = cJSON_GetObjectItemCaseSensitive(run, "cells"), *c;
	int n = 0, failed = 0;

	cJSON_ArrayForEach(c, cells) {
		n++;
		failed += cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c, "failed"));
	}
	if (!cJSON_HasObjectItem(run, "ncells"))
		cJSON_AddNumberToObject(run, "ncells", n);
	if (!cJSON_HasObjectItem(run, "failed_cells"))
		cJSON_AddNumberToObject(run, "failed_cells", failed);
}

int rl_route_run_get(struct rl_http_req *r)
{
	struct rl_err err = { "" };
	struct rl_store *store;
	enum rl_run_status st;
	cJSON *run = NULL, *progress;
	int64_t id;
	int ret;

	if (rl_http_run_id(r, &id))
		return 0;
	store = rl_daemon_store_lock(r->d);
	ret = rl_store_run_json(store, id, &run, &err);
	rl_daemon_store_unlock(r->d);
	if (ret < 0)
		return rl_http_reply_errno(r, ret, &err);
	add_cell_counts(run);
	add_run_end(r->d, run);
	if (rl_http_progress_json(r->d, id, &progress, &st, &err) == 0) {
		if (st == RL_RUN_RUNNING)
			cJSON_AddItemToObject(run, "progress", progress);
		else
			cJSON_Delete(progress);
	}
	return rl_http_reply_json(r, 200, run);
}

/* ---- cancel ----------------------------------------------------------------------- */

int rl_route_run_cancel(struct rl_http_req *r)
{
	struct rl_store_run_meta m;
	struct rl_err err = { "" };
	struct rl_store *store;
	cJSON *o;
	int64_t id;
	int ret;

	if (rl_http_run_id(r, &id))
		return 0;
	ret = rl_daemon_cancel(r->d, id, &err);
	if (ret < 0)
		return rl_http_reply_errno(r, ret, &err);
	store = rl_daemon_store_lock(r->d);
	ret = rl_store_run_get(store, id, NULL, &m, &err);
	rl_daemon_store_unlock(r->d);
	if (ret < 0)
		return rl_http_reply_errno(r, ret, &err);
	o = cJSON_CreateObject();
	if (!o)
		return -ENOMEM;
	cJSON_AddNumberToObject(o, "id", (double)id);
	cJSON_AddStringToObject(o, "status", rl_run_status_name(m.status));
	return rl_http_reply_json(r, 202, o);
}
