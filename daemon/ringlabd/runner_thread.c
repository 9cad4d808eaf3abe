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
#include <unistd.h>

#include "daemon.h"
#include "engine/suite.h"
#include "log.h"
#include "submit.h"
#include "util/clock.h"

#define PROGRESS_STORE_EVERY_NS (500ull * 1000 * 1000)
#define END_TRIES 3			/* recording a run's end, before it is kept pending */
#define END_RETRY_MS 500

struct run_ctx {
	struct rl_daemon_target *dt;
	int64_t id;
	bool started;
	uint32_t seq;
	uint64_t last_store_ns;
	int store_error;
	char store_msg[RL_ERR_MSG_MAX];	/* why, kept from the cancel that follows */
	struct rl_err err;
};

/* A store write of the run failed: the run fails for it rather than lose results silently. */
static void store_failed(struct run_ctx *c, const char *what)
{
	if (!c->store_error)
		snprintf(c->store_msg, sizeof(c->store_msg), "%s: %.480s", what, c->err.msg);
	c->store_error = -EIO;
	atomic_store(&c->dt->cancel, true);
}

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

/*
 * The run is planned: its cell count is known before its first cell
 * reports progress, so a reader never sees a running run of 0 cells.
 */
static void set_planned(struct rl_daemon_target *dt, const struct rl_run *run)
{
	size_t ncells = 0;

	for (size_t i = 0; i < run->nworkloads; i++)
		ncells += (size_t)run->workloads[i].njobs * run->workloads[i].repetitions;
	pthread_mutex_lock(&dt->lock);
	dt->live.p.ncells = ncells;
	pthread_mutex_unlock(&dt->lock);
}

static void on_started(void *arg, const struct rl_run *run)
{
	struct run_ctx *c = arg;

	if (rl_store_run_start(c->dt->store, c->id, &run->env, run->workloads, run->nworkloads,
			       &c->err) < 0) {
		store_failed(c, "storing its start");
		return;
	}
	c->started = true;
	set_planned(c->dt, run);
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

	if (c->started && rl_store_cell_add(c->dt->store, c->id, c->seq, cell, &c->err) < 0)
		store_failed(c, "storing a cell");
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

/* Errors that trying again will not change: the run is not running (any more), or gone. */
static bool final_error(int ret)
{
	return ret == -EINVAL || ret == -ENOENT;
}

/*
 * Record the end of a run, trying END_TRIES times. When the store still
 * fails (its filesystem full, an I/O error) the end is kept in the target's
 * end file for the next start, and the caller keeps it in memory for
 * retry_end(). Returns 0, or -errno when it is to be kept.
 */
static int record_end(struct rl_daemon_target *dt, struct rl_run_end *end)
{
	struct rl_err err = { "" };
	int ret = 0;

	for (int i = 0; i < END_TRIES; i++) {
		if (i) {
			struct timespec pause = { 0, END_RETRY_MS * 1000000L };

			nanosleep(&pause, NULL);
		}
		ret = rl_store_run_finish_at(dt->store, end->id, end->status, end->error,
					     end->finished_ns, &err);
		if (!ret || final_error(ret))
			break;
	}
	if (final_error(ret))
		rl_log(LOG_ERR, "run %lld: recording its end: %s", (long long)end->id, err.msg);
	if (!ret || final_error(ret))
		return 0;
	snprintf(end->store_error, sizeof(end->store_error), "%s", err.msg);
	rl_log(LOG_ERR, "run %lld: the store cannot record its end (%s): %s; retrying",
	       (long long)end->id, rl_run_status_name(end->status), err.msg);
	if (dt->end_fd < 0 || rl_run_end_write(dt->end_fd, end) < 0)
		rl_log(LOG_ERR, "run %lld: its end is in memory only: a restart would call it interrupted",
		       (long long)end->id);
	return ret;
}

/*
 * Try again to record the target's pending end, if it has one. Returns
 * true when none is left (recorded now, or not recordable at all).
 */
static bool retry_end(struct rl_daemon_target *dt)
{
	struct rl_err err = { "" };
	struct rl_run_end end;
	int ret;

	pthread_mutex_lock(&dt->lock);
	end = dt->end;
	pthread_mutex_unlock(&dt->lock);
	if (!end.id)
		return true;
	ret = rl_store_run_finish_at(dt->store, end.id, end.status, end.error, end.finished_ns, &err);
	if (ret < 0 && !final_error(ret))
		return false;
	if (ret < 0)
		rl_log(LOG_ERR, "run %lld: recording its end: %s", (long long)end.id, err.msg);
	else
		rl_log(LOG_INFO, "run %lld: its end (%s) recorded", (long long)end.id,
		       rl_run_status_name(end.status));
	if (dt->end_fd >= 0)
		rl_run_end_write(dt->end_fd, NULL);
	pthread_mutex_lock(&dt->lock);
	memset(&dt->end, 0, sizeof(dt->end));
	pthread_mutex_unlock(&dt->lock);
	rl_daemon_bump(dt->d);
	return true;
}

/*
 * A fleet run whose lease is gone, or that this daemon's stopping cut
 * short, goes back to the queue through its lease rather than end here:
 * another daemon runs it. Returns true when its end is not to be recorded.
 */
static bool fleet_handed_back(struct rl_daemon_target *dt, int64_t id, enum rl_run_status st)
{
	bool fleet = atomic_load(&dt->fleet_run) == id, drop = false;

	if (fleet && (atomic_load(&dt->lease_lost) || !rl_daemon_fleet_held(dt, id))) {
		rl_log(LOG_ERR, "run %lld: its lease was lost; the fleet queue has it again, this end is dropped",
		       (long long)id);
		drop = true;
	} else if (fleet && st == RL_RUN_ABORTED && atomic_load(&dt->d->stopping)) {
		rl_log(LOG_WARNING, "run %lld: left to its lease: another daemon takes it when it expires",
		       (long long)id);
		drop = true;
	}
	atomic_store(&dt->fleet_run, 0);
	return drop;
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
	struct rl_run_end end;
	enum rl_run_status st;
	bool pending;
	int ret;

	atomic_store(&dt->cancel, false);
	pthread_mutex_lock(&dt->lock);
	memset(&dt->live, 0, sizeof(dt->live));
	dt->live.run_id = id;
	/* Running from here on, but its cells are not planned before on_started(). */
	snprintf(dt->live.phase, sizeof(dt->live.phase), "prepare");
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
		if (req.kernel[0])
			ret = rl_daemon_guest_run(dt, id, &req, &o.hooks, &run, &c.err);
		else
			ret = rl_run_suite(&suite, &o, &run, &c.err);
	}
	st = ret == -ECANCELED ? RL_RUN_ABORTED : ret < 0 ? RL_RUN_FAILED : run.status;
	if (c.store_error) {
		st = RL_RUN_FAILED;
		memcpy(c.err.msg, c.store_msg, sizeof(c.err.msg));
	} else if (st == RL_RUN_ABORTED && atomic_load(&dt->d->stopping))
		snprintf(c.err.msg, sizeof(c.err.msg), "ringlabd stopping");
	else if (st == RL_RUN_ABORTED)
		snprintf(c.err.msg, sizeof(c.err.msg), "cancelled");
	else if (st == RL_RUN_FAILED && !c.err.msg[0])
		snprintf(c.err.msg, sizeof(c.err.msg), "%s", run.error[0] ? run.error : "a cell failed");
	else if (st == RL_RUN_DONE)
		c.err.msg[0] = '\0';
	if (c.started && rl_store_run_env(dt->store, id, &run.env, &env_err) < 0)
		rl_log(LOG_ERR, "run %lld: recording its environment: %s", (long long)id, env_err.msg);
	end = (struct rl_run_end){ .id = id, .status = st, .finished_ns = rl_wall_ns() };
	memcpy(end.error, c.err.msg, sizeof(end.error));
	rl_log(LOG_INFO, "run %lld: %s%s%s", (long long)id, rl_run_status_name(st),
	       c.err.msg[0] ? ": " : "", c.err.msg);
	pending = !fleet_handed_back(dt, id, st) && record_end(dt, &end) < 0;
	rl_run_free(&run);
	rl_suite_free(&suite);
	/* One step, so that a reader sees the run live or its end pending, never neither. */
	pthread_mutex_lock(&dt->lock);
	if (pending)
		dt->end = end;
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
		int ret;

		/* The store still has the last run running until its end is recorded. */
		if (!retry_end(dt)) {
			wait_for_work(d);
			continue;
		}
		ret = rl_store_next_queued(dt->store, dt->t.cfg.name, &id, &err);
		/* Its own queue first: runs submitted to this daemon, then the fleet's. */
		if (ret == -ENOENT)
			ret = rl_daemon_fleet_claim(dt, &id, &err);

		if (ret == -ENOENT || (ret < 0 && ret != -ENOENT)) {
			if (ret != -ENOENT)
				rl_log(LOG_ERR, "target %s: reading the queue: %s", dt->t.cfg.name, err.msg);
			wait_for_work(d);
			continue;
		}
		execute(dt, id);
		atomic_store(&dt->fleet_run, 0);
	}
	return NULL;
}

int rl_daemon_runner_start(struct rl_daemon *d, struct rl_err *err)
{
	struct rl_err end_err = { "" };
	int ret = rl_daemon_guest_init(d, err);

	if (ret < 0)
		return ret;
	for (uint32_t i = 0; i < d->ntargets; i++) {
		struct rl_daemon_target *dt = &d->targets[i];

		dt->d = d;
		ret = rl_store_open_conf(&d->store_conf, &dt->store, err);
		if (ret < 0)
			return ret;
		dt->end_fd = rl_run_end_open(d->cfg.state_dir, dt->t.cfg.name, &end_err);
		if (dt->end_fd < 0)
			rl_log(LOG_WARNING, "target %s: no end file (%s): a run whose end the store cannot take would be called interrupted after a restart",
			       dt->t.cfg.name, end_err.msg);
		ret = -pthread_create(&dt->thread, NULL, target_main, dt);
		if (ret)
			return rl_err_set(err, ret, "target %s: runner thread: %s", dt->t.cfg.name,
					  strerror(-ret));
		dt->thread_started = true;
	}
	return rl_daemon_fleet_start(d, err);
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
		if (dt->store && !retry_end(dt) && dt->end_fd >= 0)
			rl_log(LOG_ERR, "run %lld: its end stays in %s/" RL_RUN_END_PREFIX "%s, recorded at the next start",
			       (long long)dt->end.id, d->cfg.state_dir, dt->t.cfg.name);
		else if (dt->end.id)
			rl_log(LOG_ERR, "run %lld: its end is lost: the next start will call it interrupted",
			       (long long)dt->end.id);
		rl_store_close(dt->store);
		dt->store = NULL;
		if (dt->end_fd >= 0)
			close(dt->end_fd);
		dt->end_fd = -1;
	}
	rl_daemon_fleet_stop(d);
}
