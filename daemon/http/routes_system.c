/* SPDX-License-Identifier: MIT */
/* GET /api/v1/health, /api/v1/system and /api/v1/workloads. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <liburing.h>
#include <microhttpd.h>

#include "engine/engine.h"
#include "engine/env.h"
#include "engine/suite.h"
#include "routes.h"
#include "util/clock.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "unknown"
#endif

static cJSON *str_or_null(const char *s)
{
	return s && *s ? cJSON_CreateString(s) : cJSON_CreateNull();
}

static int64_t target_run(struct rl_daemon_target *dt)
{
	int64_t id;

	pthread_mutex_lock(&dt->lock);
	id = dt->live.run_id;
	pthread_mutex_unlock(&dt->lock);
	return id;
}

/* ---- health ------------------------------------------------------------------ */

/*
 * The runs that ended but whose end the store could not record, into
 * @list; the first one's story in @msg. Returns how many there are.
 */
static int unrecorded_runs(struct rl_daemon *d, cJSON *list, char *msg, size_t len)
{
	struct rl_run_end end;
	int n = 0;

	for (uint32_t i = 0; i < d->ntargets; i++) {
		cJSON *item;

		if (rl_daemon_target_end(&d->targets[i], 0, &end) < 0)
			continue;
		if (!n++)
			snprintf(msg, len, "run %lld ended (%s) but the store cannot record it: %.400s",
				 (long long)end.id, rl_run_status_name(end.status), end.store_error);
		item = cJSON_CreateObject();
		if (!item)
			continue;
		cJSON_AddNumberToObject(item, "id", (double)end.id);
		cJSON_AddStringToObject(item, "target", d->targets[i].t.cfg.name);
		cJSON_AddStringToObject(item, "status", rl_run_status_name(end.status));
		cJSON_AddItemToObject(item, "error", str_or_null(end.error));
		cJSON_AddStringToObject(item, "store_error", end.store_error);
		cJSON_AddItemToArray(list, item);
	}
	return n;
}

/* Cells kept while the store could not be reached, not written yet; the first spool's story in @msg. */
static unsigned int cells_waiting(struct rl_daemon *d, char *msg, size_t len)
{
	unsigned int n = 0;

	for (uint32_t i = 0; i < d->ntargets; i++) {
		struct rl_spool *sp = &d->targets[i].spool;
		unsigned int k = rl_spool_count(sp);

		if (k && !n)
			snprintf(msg, len, "%u finished cells wait in %.300s for the store", k, sp->path);
		n += k;
	}
	return n;
}

int rl_route_health(struct rl_http_req *r)
{
	struct rl_daemon *d = r->d;
	struct rl_store_counts c;
	struct rl_err err = { "" };
	struct rl_store *store;
	unsigned int running = 0;
	char held_up[RL_ERR_MSG_MAX], kept[RL_ERR_MSG_MAX];
	unsigned int waiting;
	cJSON *o, *unrecorded;
	int ret, schema = -1;

	store = rl_daemon_store_lock(d);
	ret = rl_store_counts(store, &c, &err);
	/* One query more (none once found): a newer ringlabd may have migrated a shared store. */
	if (!ret || ret == -ENOTSUP)
		ret = rl_store_recheck(store, &schema, &err);
	rl_daemon_store_unlock(d);
	/* Counting reads no cell page: a corruption found at start-up is reported too. */
	if (!ret && d->store_check[0])
		ret = rl_err_set(&err, -EIO, "%s", d->store_check);
	for (uint32_t i = 0; i < d->ntargets; i++)
		running += target_run(&d->targets[i]) != 0;
	o = cJSON_CreateObject();
	unrecorded = cJSON_CreateArray();
	if (!o || !unrecorded) {
		cJSON_Delete(o);
		cJSON_Delete(unrecorded);
		return -ENOMEM;
	}
	/* A store that reads but cannot write is not "ok": say which run it holds up. */
	waiting = cells_waiting(d, kept, sizeof(kept));
	if (unrecorded_runs(d, unrecorded, held_up, sizeof(held_up)) && ret >= 0)
		ret = rl_err_set(&err, -EIO, "%s", held_up);
	if (waiting && ret >= 0)
		ret = rl_err_set(&err, -EIO, "%s", kept);
	cJSON_AddStringToObject(o, "status", ret < 0 ? "degraded" : "ok");
	cJSON_AddStringToObject(o, "version", PACKAGE_VERSION);
	cJSON_AddNumberToObject(o, "uptime_s", (double)(rl_wall_ns() - d->started_ns) / 1e9);
	cJSON_AddStringToObject(o, "store", ret < 0 ? err.msg : "ok");
	cJSON_AddStringToObject(o, "store_kind", rl_store_kind_name(d->store_conf.kind));
	cJSON_AddStringToObject(o, "store_check", d->store_check[0] ? d->store_check : "ok");
	cJSON_AddNumberToObject(o, "schema", rl_store_schema_version());
	cJSON_AddItemToObject(o, "store_schema",
			      schema >= 0 ? cJSON_CreateNumber(schema) : cJSON_CreateNull());
	cJSON_AddItemToObject(o, "unrecorded_runs", unrecorded);
	cJSON_AddNumberToObject(o, "cells_waiting", waiting);
	cJSON_AddNumberToObject(o, "targets", d->ntargets);
	cJSON_AddNumberToObject(o, "running", running);
	return rl_http_reply_json(r, ret < 0 ? 503 : 200, o);
}

/* ---- system ------------------------------------------------------------------- */

/* "A,B,C" as ["A", "B", "C"]. */
static cJSON *name_list(const char *csv)
{
	cJSON *a = cJSON_CreateArray();
	const char *p = csv;

	while (a && *p) {
		size_t n = strcspn(p, ",");
		char name[64];

		if (n && n < sizeof(name)) {
			memcpy(name, p, n);
			name[n] = '\0';
			cJSON_AddItemToArray(a, cJSON_CreateString(name));
		}
		p += n + (p[n] == ',');
	}
	return a;
}

static cJSON *uring_json(void)
{
	struct rl_engine_info info = { 0 };
	cJSON *o = cJSON_CreateObject();
	char buf[512];
	int ret = rl_uring_probe(&info);

	if (!o)
		return NULL;
	if (ret < 0) {
		cJSON_AddStringToObject(o, "error", strerror(-ret));
		return o;
	}
	rl_uring_setup_names(info.setup_flags, buf, sizeof(buf));
	cJSON_AddItemToObject(o, "setup_flags", name_list(buf));
	rl_uring_feature_names(info.features, buf, sizeof(buf));
	cJSON_AddItemToObject(o, "features", name_list(buf));
	rl_engine_opcode_names(&info, buf, sizeof(buf));
	cJSON_AddItemToObject(o, "opcodes", name_list(buf));
	return o;
}

static cJSON *versions_json(void)
{
	cJSON *o = cJSON_CreateObject();
	char uring[32] = "unknown";

#if defined(IO_URING_VERSION_MAJOR)
	snprintf(uring, sizeof(uring), "%d.%d", IO_URING_VERSION_MAJOR, IO_URING_VERSION_MINOR);
#elif defined(LIBURING_VERSION)
	snprintf(uring, sizeof(uring), "%s", LIBURING_VERSION);
#endif
	if (!o)
		return NULL;
	cJSON_AddStringToObject(o, "ringlab", PACKAGE_VERSION);
	cJSON_AddStringToObject(o, "liburing", uring);
	cJSON_AddStringToObject(o, "sqlite", rl_store_lib_version(RL_STORE_SQLITE));
	cJSON_AddStringToObject(o, "libpq", rl_store_lib_version(RL_STORE_POSTGRESQL));
	cJSON_AddStringToObject(o, "microhttpd", MHD_get_version());
	cJSON_AddStringToObject(o, "cjson", cJSON_Version());
	return o;
}

static cJSON *target_json(struct rl_daemon *d, struct rl_daemon_target *dt)
{
	struct rl_env env = { 0 };
	struct rl_err err = { "" };
	struct rl_store *store;
	char sb[RL_NAME_MAX];
	int64_t run = target_run(dt);
	bool busy = run != 0;
	cJSON *o = cJSON_CreateObject();
	dev_t dev;

	if (!o)
		return NULL;
	rl_env_probe(dt->t.dir, &env, &dev, sb, &err);
	if (!busy) {
		store = rl_daemon_store_lock(d);
		rl_store_target_busy(store, dt->t.cfg.name, rl_daemon_queue_host(d), &busy, &err);
		rl_daemon_store_unlock(d);
	}
	cJSON_AddStringToObject(o, "name", dt->t.cfg.name);
	cJSON_AddStringToObject(o, "kind", rl_target_kind_name(dt->t.cfg.kind));
	cJSON_AddStringToObject(o, "path", dt->t.cfg.path);
	cJSON_AddStringToObject(o, "dir", dt->t.dir);
	cJSON_AddItemToObject(o, "fs_type", str_or_null(env.fs_type));
	cJSON_AddItemToObject(o, "device", str_or_null(dt->t.device[0] ? dt->t.device : env.device));
	cJSON_AddBoolToObject(o, "busy", busy);
	if (run)
		cJSON_AddNumberToObject(o, "current_run", (double)run);
	else
		cJSON_AddNullToObject(o, "current_run");
	return o;
}

static void add_kernel(cJSON *o, const struct rl_env *env)
{
	cJSON *k = cJSON_AddObjectToObject(o, "kernel");

	if (!k)
		return;
	cJSON_AddStringToObject(k, "release", env->kernel_release);
	cJSON_AddStringToObject(k, "version", env->kernel_version);
	cJSON_AddStringToObject(k, "cmdline", env->cmdline);
}

int rl_route_system(struct rl_http_req *r)
{
	struct rl_daemon *d = r->d;
	struct rl_env env = { 0 };
	struct rl_err err = { "" };
	char sb[RL_NAME_MAX];
	cJSON *o, *targets;
	dev_t dev;

	/* The kernel and machine part of a run's environment, probed the same way. */
	rl_env_probe(d->ntargets ? d->targets[0].t.dir : "/", &env, &dev, sb, &err);
	o = cJSON_CreateObject();
	if (!o)
		return -ENOMEM;
	add_kernel(o, &env);
	cJSON_AddStringToObject(o, "hostname", env.hostname);
	cJSON_AddStringToObject(o, "machine", env.machine);
	cJSON_AddNumberToObject(o, "cpus", env.cpus);
	cJSON_AddStringToObject(o, "ringlab_version", PACKAGE_VERSION);
	cJSON_AddItemToObject(o, "io_uring", uring_json());
	cJSON_AddItemToObject(o, "versions", versions_json());
	targets = cJSON_AddArrayToObject(o, "targets");
	for (uint32_t i = 0; targets && i < d->ntargets; i++)
		cJSON_AddItemToArray(targets, target_json(d, &d->targets[i]));
	return rl_http_reply_json(r, 200, o);
}

/* ---- workloads ------------------------------------------------------------------ */

/*
 * The catalog: every suite and workload in the daemon's search path, and
 * the files that do not load, skipped and named under "errors". Their
 * messages quote no text of the file (suite.c reads catalog files so) and
 * no file is read through a link out of its directory.
 */
struct catalog {
	const char *const *dirs;
	cJSON *suites, *workloads, *errors;
};

static cJSON *suite_json(const struct rl_suite *s)
{
	cJSON *o = cJSON_CreateObject(), *names;

	if (!o)
		return NULL;
	cJSON_AddStringToObject(o, "name", s->name);
	cJSON_AddStringToObject(o, "description", s->description);
	cJSON_AddNumberToObject(o, "scale", s->scale);
	names = cJSON_AddArrayToObject(o, "workloads");
	for (size_t i = 0; names && i < s->nworkloads; i++)
		cJSON_AddItemToArray(names, cJSON_CreateString(s->workloads[i].name));
	return o;
}

static void catalog_error(struct catalog *c, const char *key, const char *what, const char *msg)
{
	cJSON *o = cJSON_CreateObject();

	if (o && cJSON_AddStringToObject(o, key, what) && cJSON_AddStringToObject(o, "error", msg))
		cJSON_AddItemToArray(c->errors, o);
	else
		cJSON_Delete(o);
}

static void catalog_bad(void *ctx, const char *path, int ret, const struct rl_err *err)
{
	catalog_error(ctx, "file", path, err->msg);
}

static void catalog_entry(void *ctx, const char *kind, const char *name, const char *description)
{
	struct catalog *c = ctx;
	struct rl_err err = { "" };
	struct rl_suite s = { 0 };
	cJSON *item;

	/* Listed a moment ago, so a failure here is a file changed since: reported the same way. */
	if (rl_suite_resolve(name, c->dirs, &s, &err) < 0) {
		catalog_error(c, "name", name, err.msg);
		return;
	}
	if (!strcmp(kind, "suite"))
		cJSON_AddItemToArray(c->suites, suite_json(&s));
	else if (s.nworkloads == 1 && (item = rl_workload_to_json(&s.workloads[0])))
		cJSON_AddItemToArray(c->workloads, item);
	rl_suite_free(&s);
}

int rl_route_workloads(struct rl_http_req *r)
{
	struct catalog c = { .dirs = rl_daemon_workload_dirs(r->d) };
	struct rl_err err = { "" };
	cJSON *o = cJSON_CreateObject();
	int ret;

	if (!o)
		return -ENOMEM;
	c.suites = cJSON_AddArrayToObject(o, "suites");
	c.workloads = cJSON_AddArrayToObject(o, "workloads");
	c.errors = cJSON_AddArrayToObject(o, "errors");
	if (!c.suites || !c.workloads || !c.errors) {
		cJSON_Delete(o);
		return -ENOMEM;
	}
	ret = rl_catalog_list_all(c.dirs, catalog_entry, catalog_bad, &c, &err);
	if (ret < 0) {
		cJSON_Delete(o);
		/* A directory that cannot be read: the server's fault, named. */
		return ret == -ENOMEM ? ret : rl_http_reply_error(r, 500, NULL, "workloads: %s", err.msg);
	}
	return rl_http_reply_json(r, 200, o);
}
