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
#include <sqlite3.h>

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

int rl_route_health(struct rl_http_req *r)
{
	struct rl_daemon *d = r->d;
	struct rl_store_counts c;
	struct rl_err err = { "" };
	struct rl_store *store;
	unsigned int running = 0;
	cJSON *o;
	int ret;

	store = rl_daemon_store_lock(d);
	ret = rl_store_counts(store, &c, &err);
	rl_daemon_store_unlock(d);
	/* Counting reads no cell page: a corruption found at start-up is reported too. */
	if (!ret && d->store_check[0])
		ret = rl_err_set(&err, -EIO, "%s", d->store_check);
	for (uint32_t i = 0; i < d->ntargets; i++)
		running += target_run(&d->targets[i]) != 0;
	o = cJSON_CreateObject();
	if (!o)
		return -ENOMEM;
	cJSON_AddStringToObject(o, "status", ret < 0 ? "degraded" : "ok");
	cJSON_AddStringToObject(o, "version", PACKAGE_VERSION);
	cJSON_AddNumberToObject(o, "uptime_s", (double)(rl_wall_ns() - d->started_ns) / 1e9);
	cJSON_AddStringToObject(o, "store", ret < 0 ? err.msg : "ok");
	cJSON_AddStringToObject(o, "store_check", d->store_check[0] ? d->store_check : "ok");
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
	cJSON_AddStringToObject(o, "sqlite", sqlite3_libversion());
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
		rl_store_target_busy(store, dt->t.cfg.name, &busy, &err);
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

struct catalog {
	struct rl_daemon *d;
	cJSON *suites, *workloads;
	int ret;
	struct rl_err err;
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

static void catalog_entry(void *ctx, const char *kind, const char *name, const char *description)
{
	struct catalog *c = ctx;
	struct rl_suite s = { 0 };
	cJSON *item;

	if (c->ret < 0)
		return;
	c->ret = rl_suite_resolve(name, rl_daemon_workload_dirs(c->d), &s, &c->err);
	if (c->ret < 0)
		return;
	if (!strcmp(kind, "suite"))
		cJSON_AddItemToArray(c->suites, suite_json(&s));
	else if (s.nworkloads == 1 && (item = rl_workload_to_json(&s.workloads[0])))
		cJSON_AddItemToArray(c->workloads, item);
	rl_suite_free(&s);
}

int rl_route_workloads(struct rl_http_req *r)
{
	struct catalog c = { .d = r->d };
	cJSON *o = cJSON_CreateObject();
	int ret;

	if (!o)
		return -ENOMEM;
	c.suites = cJSON_AddArrayToObject(o, "suites");
	c.workloads = cJSON_AddArrayToObject(o, "workloads");
	if (!c.suites || !c.workloads) {
		cJSON_Delete(o);
		return -ENOMEM;
	}
	ret = rl_catalog_list(rl_daemon_workload_dirs(r->d), catalog_entry, &c, &c.err);
	if (ret >= 0)
		ret = c.ret;
	if (ret < 0) {
		cJSON_Delete(o);
		/* A broken file in the workloads directory: the server's fault, named. */
		return rl_http_reply_error(r, 500, NULL, "workloads: %s", c.err.msg);
	}
	return rl_http_reply_json(r, 200, o);
}
