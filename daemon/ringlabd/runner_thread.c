/* SPDX-License-Identifier: MIT */
/*
 * One runner thread per target: take the oldest queued run, run it through
 * the engine with hooks that write the store as it goes, finish it, repeat.
 */
#include <cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "daemon.h"
#include "engine/suite.h"
#include "log.h"
#include "submit.h"
#include "util/clock.h"

#define PROGRESS_STORE_EVERY_NS (500ull * 1000 * 1000)

struct run_ctx {
	struct rl_daemon_target *dt;
	int64_t id;
	bool started;
	uint32_t seq;
	uint64_t last_store_ns;
	int store_error;
	struct rl_err err;
};

static void set_live(struct rl_daemon_target *dt, const struct rl_progress *p, size_t cells_done)
{
	pthread_mutex_lock(&dt->lock);
	if (p) {
		dt->live.p = *p;
		snprintf(dt->live.workload, sizeof(dt->live.workload), "%s", p->workload);
		snprintf(dt->live.phase, sizeof(dt->live.phase), "%s", p->phase);
	}
	dt->live.ncells_done = cells_done;
	dt->live.seq++;
	pthread_mutex_unlock(&dt->lock);
	rl_daemon_bump(dt->d);
}

static void on_started(void *arg, const struct rl_run *run)
{
	struct run_ctx *c = arg;

	if (rl_store_run_start(c->dt->store, c->id, &run->env, run->workloads, run->nworkloads,
			       &c->err) < 0) {
		c->store_error = -EIO;
		atomic_store(&c->dt->cancel, true);
		return;
	}
	c->started = true;
	set_live(c->dt, NULL, 0);
}

static void on_progress(void *arg, const struct rl_progress *p)
{
	struct run_ctx *c = arg;
	struct rl_store_progress sp = {
		.cell = (uint32_t)p->cell, .ncells = (uint32_t)p->ncells, .jobs = p->jobs,
		.rep = p->rep, .reps = p->reps, .fraction = p->cell_fraction,
		.run_fraction = p->run_fraction, .live_iops = p->live_iops,
	};
	uint64_t now = rl_now_ns();

	set_live(c->dt, p, c->seq);
	if (!c->started || now - c->last_store_ns < PROGRESS_STORE_EVERY_NS)
		return;
	c->last_store_ns = now;
	snprintf(sp.workload, sizeof(sp.workload), "%s", p->workload);
	snprintf(sp.phase, sizeof(sp.phase), "%s", p->phase);
	rl_store_progress_set(c->dt->store, c->id, &sp, &c->err);
}

static void on_cell(void *arg, const struct rl_run *run, const struct rl_cell *cell)
{
	struct run_ctx *c = arg;

	/* A cell that cannot be kept makes the run fail rather than lose it silently. */
	if (c->started && rl_store_cell_add(c->dt->store, c->id, c->seq, cell, &c->err) < 0) {
		c->store_error = -EIO;
		atomic_store(&c->dt->cancel, true);
	}
	c->seq++;
	set_live(c->dt, NULL, c->seq);
}

/* The run's request, as stored: what to run, and with which overrides. */
static int load_request(struct rl_daemon_target *dt, int64_t id, struct rl_submit *req,
			struct rl_err *err)
{
	struct rl_store_run_meta meta;
	cJSON *body = NULL;
	int ret = rl_store_run_request(dt->store, id, &body, &meta, err);

	if (ret < 0)
		return ret;
	if (body)
		ret = rl_submit_from_json(body, req, err);
	else
		memset(req, 0, sizeof(*req));
	cJSON_Delete(body);
	snprintf(req->what, sizeof(req->what), "%s", meta.what);
	snprintf(req->label, sizeof(req->label), "%s", meta.label);
	snprintf(req->kernel_tag, sizeof(req->kernel_tag), "%s", meta.kernel_tag);
	req->scale = meta.scale;
	return ret;
}

static void execute(struct rl_daemon_target *dt, int64_t id)
{
	struct run_ctx c = { .dt = dt, .id = id };
	struct rl_run_opts o = {
		.dir = dt->t.dir, .engine = &rl_engine_uring, .cancel = &dt->cancel,
		.dev = dt->t.dev,
		.hooks = { .ctx = &c, .started = on_started, .progress = on_progress,
			   .cell_done = on_cell },
	};
	struct rl_suite suite = { 0 };
	struct rl_submit req;
	struct rl_run run = { 0 };
	struct rl_err env_err = { "" };
	enum rl_run_status st;
	int ret;

	atomic_store(&dt->cancel, false);
	pthread_mutex_lock(&dt->lock);
	memset(&dt->live, 0, sizeof(dt->live));
	dt->live.run_id = id;
	pthread_mutex_unlock(&dt->lock);
	ret = load_request(dt, id, &req, &c.err);
	if (!ret)
		ret = rl_suite_resolve(req.what, rl_daemon_workload_dirs(dt->d), &suite, &c.err);
	if (!ret) {
		o.scale = req.scale;
		o.repeat = req.repeat;
		o.njobs = req.njobs;
		memcpy(o.jobs, req.jobs, sizeof(o.jobs));
		o.label = req.label;
		o.kernel_tag = req.kernel_tag;
		rl_log(LOG_INFO, "run %lld: %s on target %s", (long long)id, req.what, dt->t.cfg.name);
		ret = rl_run_suite(&suite, &o, &run, &c.err);
	}
	st = ret == -ECANCELED ? RL_RUN_ABORTED : ret < 0 ? RL_RUN_FAILED : run.status;
	if (c.store_error)
		st = RL_RUN_FAILED;
	if (st == RL_RUN_ABORTED && atomic_load(&dt->d->stopping))
		snprintf(c.err.msg, sizeof(c.err.msg), "ringlabd stopping");
	else if (st == RL_RUN_ABORTED)
		snprintf(c.err.msg, sizeof(c.err.msg), "cancelled");
	else if (st == RL_RUN_FAILED && !c.err.msg[0])
		snprintf(c.err.msg, sizeof(c.err.msg), "%s", run.error[0] ? run.error : "a cell failed");
	else if (st == RL_RUN_DONE)
		c.err.msg[0] = '\0';
	if (c.started && rl_store_run_env(dt->store, id, &run.env, &env_err) < 0)
		rl_log(LOG_ERR, "run %lld: recording its environment: %s", (long long)id, env_err.msg);
	if (rl_store_run_finish(dt->store, id, st, c.err.msg, &c.err) < 0)
		rl_log(LOG_ERR, "run %lld: recording its end: %s", (long long)id, c.err.msg);
	rl_log(LOG_INFO, "run %lld: %s%s%s", (long long)id, rl_run_status_name(st),
	       c.err.msg[0] ? ": " : "", c.err.msg);
	rl_run_free(&run);
	rl_suite_free(&suite);
	pthread_mutex_lock(&dt->lock);
	memset(&dt->live, 0, sizeof(dt->live));
	pthread_mutex_unlock(&dt->lock);
	rl_daemon_bump(dt->d);
}

static void wait_for_work(struct rl_daemon *d)
{
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 1;
	pthread_mutex_lock(&d->wake_lock);
	if (!atomic_load(&d->stopping))
		pthread_cond_timedwait(&d->wake, &d->wake_lock, &until);
	pthread_mutex_unlock(&d->wake_lock);
}

static void *target_main(void *arg)
{
	struct rl_daemon_target *dt = arg;
	struct rl_daemon *d = dt->d;
	struct rl_err err = { "" };

	while (!atomic_load(&d->stopping)) {
		int64_t id;
		int ret = rl_store_next_queued(dt->store, dt->t.cfg.name, &id, &err);

		if (ret == -ENOENT || (ret < 0 && ret != -ENOENT)) {
			if (ret != -ENOENT)
				rl_log(LOG_ERR, "target %s: reading the queue: %s", dt->t.cfg.name, err.msg);
			wait_for_work(d);
			continue;
		}
		execute(dt, id);
	}
	return NULL;
}

int rl_daemon_runner_start(struct rl_daemon *d, struct rl_err *err)
{
	for (uint32_t i = 0; i < d->ntargets; i++) {
		struct rl_daemon_target *dt = &d->targets[i];
		int ret;

		dt->d = d;
		ret = rl_store_open(d->db_path, &dt->store, err);
		if (ret < 0)
			return ret;
		ret = -pthread_create(&dt->thread, NULL, target_main, dt);
		if (ret)
			return rl_err_set(err, ret, "target %s: runner thread: %s", dt->t.cfg.name,
					  strerror(-ret));
		dt->thread_started = true;
	}
	return 0;
}

void rl_daemon_runner_stop(struct rl_daemon *d)
{
	atomic_store(&d->stopping, true);
	for (uint32_t i = 0; i < d->ntargets; i++)
		atomic_store(&d->targets[i].cancel, true);
	pthread_mutex_lock(&d->wake_lock);
	pthread_cond_broadcast(&d->wake);
	pthread_mutex_unlock(&d->wake_lock);
	rl_daemon_bump(d);
	for (uint32_t i = 0; i < d->ntargets; i++) {
		struct rl_daemon_target *dt = &d->targets[i];

		if (dt->thread_started)
			pthread_join(dt->thread, NULL);
		dt->thread_started = false;
		rl_store_close(dt->store);
		dt->store = NULL;
	}
}
