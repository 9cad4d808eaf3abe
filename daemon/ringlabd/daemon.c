/* SPDX-License-Identifier: MIT */
/* Submitting, cancelling and watching runs: what the HTTP handlers call. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "daemon.h"
#include "engine/suite.h"
#include "engine/workload_path.h"
#include "log.h"

void rl_daemon_store_newer(struct rl_daemon *d, int version)
{
	int was = 0;

	if (version > 0 && atomic_compare_exchange_strong(&d->store_newer, &was, version))
		rl_log(LOG_ERR, "the store (%s) is at schema %d, this ringlabd knows %d: upgrade ringlabd. "
		       "Until then it writes nothing there, starts no run, and keeps a running run's finished cells in %s/" RL_SPOOL_PREFIX "TARGET",
		       d->store_where, version, rl_store_schema_version(), d->cfg.state_dir);
}

bool rl_daemon_store_moved(struct rl_daemon *d, struct rl_store *s)
{
	int v = atomic_load(&d->store_newer);

	/* What one connection found holds for all: they share one database. */
	if (v)
		rl_store_set_newer(s, v);
	else
		rl_daemon_store_newer(d, rl_store_newer(s));
	return rl_store_newer(s) != 0;
}

/* 0, or -ENOTSUP with the store's words once it was found past this ringlabd's schema (no query). */
static int store_current(struct rl_daemon *d, struct rl_err *err)
{
	struct rl_store *s;
	int v, ret;

	if (!atomic_load(&d->store_newer))
		return 0;
	s = rl_daemon_store_lock(d);
	ret = rl_store_recheck(s, &v, err);
	rl_daemon_store_unlock(d);
	return ret;
}

struct rl_store *rl_daemon_store_lock(struct rl_daemon *d)
{
	pthread_mutex_lock(&d->store_lock);
	rl_daemon_store_moved(d, d->store);
	return d->store;
}

void rl_daemon_store_unlock(struct rl_daemon *d)
{
	/* An HTTP request's failed statement may have found the store migrated on. */
	rl_daemon_store_moved(d, d->store);
	pthread_mutex_unlock(&d->store_lock);
}

struct rl_daemon_target *rl_daemon_target_find(struct rl_daemon *d, const char *name)
{
	if (!name || !name[0])
		return d->ntargets ? &d->targets[0] : NULL;
	for (uint32_t i = 0; i < d->ntargets; i++)
		if (!strcmp(d->targets[i].t.cfg.name, name))
			return &d->targets[i];
	return NULL;
}

void rl_daemon_cfg_rdlock(struct rl_daemon *d)
{
	pthread_rwlock_rdlock(&d->cfg_lock);
}

void rl_daemon_cfg_unlock(struct rl_daemon *d)
{
	pthread_rwlock_unlock(&d->cfg_lock);
}

void rl_daemon_reload(struct rl_daemon *d, const struct rl_config *next, const char *token)
{
	pthread_rwlock_wrlock(&d->cfg_lock);
	rl_config_copy_reloadable(&d->cfg, next);
	snprintf(d->token, sizeof(d->token), "%s", token);
	pthread_rwlock_unlock(&d->cfg_lock);
}

const char *const *rl_daemon_workload_dirs(struct rl_daemon *d)
{
	/* A copy: a SIGHUP may change workloads_dir while the caller walks the path. */
	static _Thread_local char dir[RL_PATH_MAX];
	static _Thread_local struct rl_workload_path wp;

	rl_daemon_cfg_rdlock(d);
	memcpy(dir, d->cfg.workloads_dir, sizeof(dir));
	rl_daemon_cfg_unlock(d);
	return rl_workload_path_configured(&wp, dir);
}

/* The overrides of a request, applied as the runner will apply them, then checked. */
static int check_request(struct rl_daemon *d, const struct rl_submit *req, double *scale,
			 struct rl_err *err)
{
	struct rl_suite s = { 0 };
	int ret = rl_suite_resolve(req->what, rl_daemon_workload_dirs(d), &s, err);

	if (ret < 0)
		return ret == -EINVAL ? -EINVAL : -ENOENT;
	for (size_t i = 0; i < s.nworkloads && !ret; i++) {
		struct rl_workload w = s.workloads[i];

		if (req->njobs) {
			memcpy(w.jobs, req->jobs, sizeof(w.jobs));
			w.njobs = req->njobs;
		}
		if (req->repeat)
			w.repetitions = req->repeat;
		ret = rl_workload_check(&w, err);
		if (ret < 0)
			rl_err_prefix(err, ret, "workload %s", w.name);
	}
	*scale = req->scale > 0 ? req->scale : s.scale;
	rl_suite_free(&s);
	return ret;
}

static void wake_runners(struct rl_daemon *d)
{
	pthread_mutex_lock(&d->wake_lock);
	pthread_cond_broadcast(&d->wake);
	pthread_mutex_unlock(&d->wake_lock);
}

int rl_daemon_target_end(struct rl_daemon_target *dt, int64_t id, struct rl_run_end *out)
{
	int ret = -ENOENT;

	pthread_mutex_lock(&dt->lock);
	if (dt->end.id && (!id || dt->end.id == id)) {
		*out = dt->end;
		ret = 0;
	}
	pthread_mutex_unlock(&dt->lock);
	return ret;
}

int rl_daemon_run_end(struct rl_daemon *d, int64_t id, struct rl_run_end *out)
{
	for (uint32_t i = 0; i < d->ntargets; i++)
		if (rl_daemon_target_end(&d->targets[i], id, out) == 0)
			return 0;
	return -ENOENT;
}

/*
 * A run for the fleet's queue (a PostgreSQL store): whichever daemon on
 * host @req->host ("any": every host) with target @req->target ("": any
 * target) is idle first takes it. Its target may be another machine's,
 * so only what it runs is checked here.
 */
static int submit_fleet(struct rl_daemon *d, const struct rl_submit *req, int64_t *id,
			struct rl_err *err)
{
	struct rl_store_run_req sr;
	struct rl_store *store;
	double scale;
	int ret = check_request(d, req, &scale, err);

	if (ret < 0)
		return ret;
	sr = (struct rl_store_run_req){
		.what = req->what, .target = req->target[0] ? req->target : "any",
		.label = req->label, .kernel_tag = req->kernel_tag, .scale = scale,
		.request_json = req->request_json[0] ? req->request_json : NULL,
		.fleet_host = req->host, .fleet_kernel = req->kernel,
	};
	store = rl_daemon_store_lock(d);
	ret = rl_store_run_create(store, &sr, id, err);
	rl_daemon_store_unlock(d);
	if (ret < 0 && ret != -EINVAL && ret != -ENOTSUP)
		return -EIO;
	if (!ret)
		wake_runners(d);
	return ret;
}

int rl_daemon_submit(struct rl_daemon *d, const struct rl_submit *req, int64_t *id,
		     struct rl_err *err)
{
	struct rl_daemon_target *dt;
	struct rl_store_run_req sr = { 0 };
	struct rl_run_end end;
	struct rl_store *store;
	bool busy = false;
	double scale;
	int ret;

	/* Before a pending end's story: this daemon takes no run until it is upgraded. */
	ret = store_current(d, err);
	if (ret < 0)
		return ret;
	if (req->host[0] && d->fleet.enabled)
		return submit_fleet(d, req, id, err);
	/* On SQLite the fleet is this machine: "any" and its own name run here. */
	if (req->host[0] && strcmp(req->host, "any") && strcmp(req->host, d->fleet.host))
		return rl_err_set(err, -EINVAL,
				  "field host: '%s' is not this machine (%s): fleet scheduling needs the PostgreSQL store (this daemon keeps its runs in SQLite)",
				  req->host, d->fleet.host);
	/* A run of this daemon's own queue: only a kernel it boots. */
	if (req->kernel[0] && !rl_daemon_boots(d, req->kernel))
		return rl_err_set(err, -EINVAL,
				  "field kernel: this daemon boots no '%s' (not in its \"vm\": {\"kernels\"})%s",
				  req->kernel, d->fleet.enabled ? "; send \"host\": \"any\" for the fleet's" : "");
	dt = rl_daemon_target_find(d, req->target);
	if (!dt)
		return rl_err_set(err, -ENOENT, "target: no target named '%s'", req->target);
	/* Its last run's end first: the store would still call the target busy. */
	if (rl_daemon_target_end(dt, 0, &end) == 0)
		return rl_err_set(err, -EAGAIN,
				  "target %s: run %lld ended (%s) but the store has not recorded it: %s; retrying",
				  dt->t.cfg.name, (long long)end.id, rl_run_status_name(end.status),
				  end.store_error);
	ret = check_request(d, req, &scale, err);
	if (ret < 0)
		return ret;
	sr = (struct rl_store_run_req){
		.what = req->what, .target = dt->t.cfg.name, .label = req->label,
		.kernel_tag = req->kernel_tag, .scale = scale,
		.request_json = req->request_json[0] ? req->request_json : NULL,
		.fleet_kernel = req->kernel, .host = rl_daemon_queue_host(d),
	};
	store = rl_daemon_store_lock(d);
	ret = rl_store_target_busy(store, dt->t.cfg.name, rl_daemon_queue_host(d), &busy, err);
	if (!ret && busy && !req->queue)
		ret = rl_err_set(err, -EBUSY, "target %s is busy with another run (send \"queue\": true to wait)",
				 dt->t.cfg.name);
	if (!ret)
		ret = rl_store_run_create(store, &sr, id, err);
	rl_daemon_store_unlock(d);
	if (ret == -EINVAL || ret == -ENOENT || ret == -EBUSY || ret == -EAGAIN || ret == -ENOTSUP)
		return ret;
	if (ret < 0)
		return -EIO;
	wake_runners(d);
	return 0;
}

/* Whether one of this daemon's targets runs @id now; with @stop, tell it to stop. */
static bool running_here(struct rl_daemon *d, int64_t id, bool stop)
{
	bool found = false;

	for (uint32_t i = 0; i < d->ntargets; i++) {
		struct rl_daemon_target *dt = &d->targets[i];

		pthread_mutex_lock(&dt->lock);
		if (dt->live.run_id == id) {
			found = true;
			if (stop)
				atomic_store(&dt->cancel, true);
		}
		pthread_mutex_unlock(&dt->lock);
	}
	return found;
}

/*
 * A fleet run this daemon does not run: ended now when nobody holds it,
 * else asked of its holder. Returns 0, -EINVAL when @id is no fleet run
 * (or has ended), or -errno.
 */
static int cancel_fleet(struct rl_daemon *d, struct rl_store *store, int64_t id,
			struct rl_err *err)
{
	struct rl_run_end end;
	char why[128];
	int ret;

	/* Run here, or ended here with its end pending: this daemon's to answer. */
	if (!d->fleet.enabled || running_here(d, id, false) || rl_daemon_run_end(d, id, &end) == 0)
		return -EINVAL;
	snprintf(why, sizeof(why), "cancelled through %s", d->fleet.host);
	ret = rl_store_fleet_cancel(store, id, why, err);
	return ret < 0 ? ret : 0;
}

int rl_daemon_cancel(struct rl_daemon *d, int64_t id, struct rl_err *err)
{
	struct rl_store_run_meta meta;
	struct rl_run_end end;
	struct rl_store *store;
	int ret, fleet = -EINVAL;

	store = rl_daemon_store_lock(d);
	ret = rl_store_run_get(store, id, NULL, &meta, err);
	if (!ret && (meta.status == RL_RUN_QUEUED || meta.status == RL_RUN_RUNNING))
		fleet = cancel_fleet(d, store, id, err);
	if (!ret && fleet == -EINVAL && meta.status == RL_RUN_QUEUED)
		ret = rl_store_run_finish(store, id, RL_RUN_ABORTED, "cancelled before it started", err);
	rl_daemon_store_unlock(d);
	if (ret < 0)
		return ret;
	if (fleet != -EINVAL || meta.status == RL_RUN_QUEUED)
		return fleet == -EINVAL ? 0 : fleet;
	if (meta.status == RL_RUN_RUNNING && rl_daemon_run_end(d, id, &end) == 0)
		return rl_err_set(err, -EALREADY,
				  "run %lld already finished (%s); the store has not recorded it yet: %s",
				  (long long)id, rl_run_status_name(end.status), end.store_error);
	if (meta.status != RL_RUN_RUNNING)
		return rl_err_set(err, -EALREADY, "run %lld already finished (%s)", (long long)id,
				  rl_run_status_name(meta.status));
	/* On a shared store a run of another daemon's own queue is that daemon's to stop. */
	if (!running_here(d, id, true) && d->fleet.enabled)
		return rl_err_set(err, -EBUSY,
				  "run %lld runs on target %s of another daemon, not from the fleet's queue: cancel it through that daemon",
				  (long long)id, meta.target);
	return 0;
}

int rl_daemon_live(struct rl_daemon *d, int64_t id, struct rl_live *out)
{
	for (uint32_t i = 0; i < d->ntargets; i++) {
		struct rl_daemon_target *dt = &d->targets[i];
		int found;

		pthread_mutex_lock(&dt->lock);
		found = id && dt->live.run_id == id;
		if (found) {
			*out = dt->live;
			out->p.workload = out->workload;
			out->p.phase = out->phase;
		}
		pthread_mutex_unlock(&dt->lock);
		if (found)
			return 0;
	}
	return -ENOENT;
}

uint64_t rl_daemon_wait_change(struct rl_daemon *d, uint64_t seq, int timeout_ms)
{
	struct timespec until;
	uint64_t now;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += timeout_ms / 1000;
	until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&d->progress_lock);
	while (d->progress_seq == seq && !atomic_load(&d->stopping))
		if (pthread_cond_timedwait(&d->progress_cond, &d->progress_lock, &until) == ETIMEDOUT)
			break;
	now = d->progress_seq;
	pthread_mutex_unlock(&d->progress_lock);
	return now;
}

void rl_daemon_bump(struct rl_daemon *d)
{
	pthread_mutex_lock(&d->progress_lock);
	d->progress_seq++;
	pthread_cond_broadcast(&d->progress_cond);
	pthread_mutex_unlock(&d->progress_lock);
}
