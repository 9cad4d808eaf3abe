/* SPDX-License-Identifier: MIT */
/*
 * One runner thread per target: take the oldest queued run, run it through
 * the engine with hooks that write the store as it goes, finish it, repeat.
 */
#include <cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
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
#define SPOOL_RETRY_NS (1000ull * 1000 * 1000)	/* kept cells: how often to try the store again */

struct run_ctx {
	struct rl_daemon_target *dt;
	int64_t id;
	bool started;
	uint32_t seq;
	uint64_t last_store_ns;
	uint64_t spool_try_ns;		/* when the kept cells were last offered to the store */
	/* -EIO (store_msg says why), -ENOTCONN (lost_why) or -ENOTSUP (store_msg: migrated on) */
	int store_error;
	char store_msg[RL_ERR_MSG_MAX];	/* why, kept from the cancel that follows */
	char lost_why[64];		/* store_error -ENOTCONN: why the kept cells failed the run */
	struct rl_err err;		/* the run's: what failed it */
	struct rl_err cb_err;		/* the callbacks' store writes', which must not overwrite it */
};

/* A store write of the run failed: the run fails for it rather than lose results silently. */
static void store_failed(struct run_ctx *c, const char *what)
{
	if (!c->store_error) {
		snprintf(c->store_msg, sizeof(c->store_msg), "%s: %.480s", what, c->cb_err.msg);
		c->store_error = -EIO;
	}
	atomic_store(&c->dt->cancel, true);
}

/* Why a run fails while its cells wait in @dt's spool: the store, @why, how many, where. */
static void lost_msg(struct rl_daemon_target *dt, const char *why, char *buf, size_t len)
{
	snprintf(buf, len, "the store (%.150s) %.60s: %u cells kept in %.200s, written when it is back",
		 dt->d->store_where, why, rl_spool_count(&dt->spool), dt->spool.path);
}

/* The store's server is still gone past the bound, or the spool is full: the run fails. */
static void db_lost_failed(struct run_ctx *c, const char *why)
{
	struct rl_daemon_target *dt = c->dt;

	/* The message is made when the run has stopped: its last cells are kept too by then. */
	if (!c->store_error) {
		snprintf(c->lost_why, sizeof(c->lost_why), "%s", why);
		c->store_error = -ENOTCONN;
	}
	atomic_store(&dt->cancel, true);
}

/*
 * The store's words when another daemon migrated it past this ringlabd
 * (what any of the daemon's connections found counts), into @err. Returns
 * false while it did not. No query once it was found.
 */
static bool moved_words(struct rl_daemon_target *dt, struct rl_err *err)
{
	int v;

	return rl_daemon_store_moved(dt->d, dt->store) &&
	       rl_store_recheck(dt->store, &v, err) == -ENOTSUP;
}

/*
 * A newer daemon migrated the store: this one's writes would be the old
 * schema's. The run stops now rather than fail cell by cell; the cells it
 * finished wait in the spool, its end behind them, for the upgraded
 * ringlabd's start to write.
 */
static void store_moved(struct run_ctx *c)
{
	struct rl_err err = { "" };

	if (!c->store_error && moved_words(c->dt, &err)) {
		snprintf(c->store_msg, sizeof(c->store_msg), "%s", err.msg);
		c->store_error = -ENOTSUP;
	}
	atomic_store(&c->dt->cancel, true);
}

/* The fleet run's lease is another daemon's: stop, and write nothing more of it. */
static void lease_gone(struct run_ctx *c)
{
	rl_log(LOG_ERR, "%s; stopping run %lld here", c->cb_err.msg, (long long)c->id);
	atomic_store(&c->dt->lease_lost, true);
	atomic_store(&c->dt->cancel, true);
}

/*
 * @dt's kept lines cannot go to the store (@why): their run is over or
 * gone, or another daemon holds its lease now. They are never written into
 * another daemon's run, nor dropped unsaid: they are set aside for a human,
 * and the log says which run, how many cells, and where they are.
 */
static void spool_aside(struct rl_daemon_target *dt, const char *why)
{
	struct rl_spool *sp = &dt->spool;
	unsigned int cells = rl_spool_count(sp), ends = rl_spool_waiting(sp) - cells;
	char where[RL_PATH_MAX + 40];
	struct rl_err err = { "" };
	long long id = (long long)sp->run_id;

	if (!cells && !ends)
		return;
	if (rl_spool_set_aside(sp, true, where, sizeof(where), &err) == 0) {
		rl_log(LOG_ERR, "run %lld: %s: %u kept cell%s%s not written; set aside in %s", id, why,
		       cells, cells == 1 ? "" : "s", ends ? " and its end" : "", where);
		return;
	}
	rl_spool_set_aside(sp, false, NULL, 0, &err);
	rl_log(LOG_ERR, "run %lld: %s: %u kept cell%s%s discarded: setting them aside failed: %s", id,
	       why, cells, cells == 1 ? "" : "s", ends ? " and its end" : "", err.msg);
}

/*
 * Offer @dt's kept lines to the store. Lines it will not take (the run is
 * over or gone, its lease another daemon's) are set aside. Returns as
 * rl_spool_flush().
 */
static int spool_write(struct rl_daemon_target *dt, struct rl_err *err)
{
	int ret = rl_spool_flush(&dt->spool, dt->store, err);

	if (ret > 0)
		rl_log(LOG_WARNING, "target %s: the store is back: %d kept cell%s written from %s",
		       dt->t.cfg.name, ret, ret == 1 ? "" : "s", dt->spool.path);
	if (ret == -EINVAL || ret == -ENOENT || ret == -ESTALE)
		spool_aside(dt, err->msg);
	return ret;
}

/* Seconds the oldest kept cell has waited for the store. */
static uint64_t spool_waited_s(struct rl_daemon_target *dt)
{
	return (rl_now_ns() - (uint64_t)dt->spool.since_ns) / 1000000000ull;
}

/* "cannot be reached for N s", the bound, into @buf. */
static const char *overdue(struct rl_daemon_target *dt, char *buf, size_t len)
{
	snprintf(buf, len, "cannot be reached for %u s", dt->d->cfg.store.unreachable_max_s);
	return buf;
}

/*
 * While cells wait in the spool: offer them to the store (at once when
 * @now, else once a second), and fail the run once the server has been
 * gone longer than the configuration allows.
 */
static void spool_tick(struct run_ctx *c, bool now)
{
	struct rl_daemon_target *dt = c->dt;
	uint64_t t = rl_now_ns();
	char why[64];
	int ret;

	if (!rl_spool_waiting(&dt->spool) || (!now && t - c->spool_try_ns < SPOOL_RETRY_NS))
		return;
	c->spool_try_ns = t;
	ret = spool_write(dt, &c->cb_err);
	if (ret == -ESTALE)
		lease_gone(c);
	else if (ret == -ENOTSUP)
		store_moved(c);
	else if (ret < 0 && ret != -ENOTCONN)
		store_failed(c, "writing the kept cells");
	if (!rl_spool_count(&dt->spool) || spool_waited_s(dt) < dt->d->cfg.store.unreachable_max_s)
		return;
	db_lost_failed(c, overdue(dt, why, sizeof(why)));
}

/*
 * Cell @c->seq to the store, or, while its server is gone or after it was
 * migrated past this ringlabd, to the spool behind the others.
 */
static void store_cell(struct run_ctx *c, const struct rl_cell *cell)
{
	struct rl_daemon_target *dt = c->dt;
	int ret = -ENOTCONN;

	/* Another daemon holds the run now: nothing more of it is this one's to write. */
	if (atomic_load(&dt->lease_lost))
		return;
	/* What another of the daemon's connections found: this one writes nothing either. */
	rl_daemon_store_moved(dt->d, dt->store);
	if (!rl_spool_waiting(&dt->spool))
		ret = rl_store_cell_add(dt->store, c->id, c->seq, cell, &c->cb_err);
	if (ret == -ESTALE)
		lease_gone(c);
	if (ret == -ENOTSUP)
		store_moved(c);
	if (ret != -ENOTCONN && ret != -ENOTSUP) {
		if (ret < 0 && ret != -ESTALE)
			store_failed(c, "storing a cell");
		return;
	}
	if (ret == -ENOTSUP && !rl_spool_waiting(&dt->spool))
		rl_log(LOG_ERR, "run %lld: %s: stopping it; its finished cells are kept in %s for an upgraded ringlabd to write",
		       (long long)c->id, c->cb_err.msg, dt->spool.path);
	else if (!rl_spool_waiting(&dt->spool))
		rl_log(LOG_WARNING, "run %lld: the store cannot be reached (%s): its cells are kept in %s until it is back",
		       (long long)c->id, c->cb_err.msg, dt->spool.path);
	ret = rl_spool_add(&dt->spool, c->id, c->seq, cell, &c->cb_err);
	if (ret == -ENOSPC)
		db_lost_failed(c, "cannot be reached and the spool is full");
	else if (ret < 0)
		store_failed(c, "keeping a cell");
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
	/* When it began: a guest's run is stored when the guest is over. */
	int ret = rl_store_run_start_at(c->dt->store, c->id, &run->env, run->workloads,
					run->nworkloads, run->started_ns, &c->cb_err);

	if (ret == -ESTALE)
		lease_gone(c);
	if (ret == -ENOTSUP)
		store_moved(c);
	if (ret < 0) {
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
	/* Found by another connection (the lease thread, /health): stop before the next cell. */
	if (atomic_load(&c->dt->d->store_newer) && !c->store_error)
		store_moved(c);
	if (c->started)
		spool_tick(c, false);
	if (!c->started || now - c->last_store_ns < PROGRESS_STORE_EVERY_NS)
		return;
	c->last_store_ns = now;
	snprintf(sp.workload, sizeof(sp.workload), "%s", p->workload);
	snprintf(sp.phase, sizeof(sp.phase), "%s", p->phase);
	rl_store_progress_set(c->dt->store, c->id, &sp, &c->cb_err);
}

static void on_cell(void *arg, const struct rl_run *run, const struct rl_cell *cell)
{
	struct run_ctx *c = arg;

	if (c->started) {
		spool_tick(c, true);	/* the cells kept before go first */
		store_cell(c, cell);
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

/*
 * Errors that trying again will not change: the run is not running (any
 * more), or gone, or its fleet lease is another daemon's.
 */
static bool final_error(int ret)
{
	return ret == -EINVAL || ret == -ENOENT || ret == -ESTALE;
}

/*
 * The store cannot take @end now: keep it with its environment @env in the
 * end file for the next start, and in memory for retry_end().
 */
static int keep_end(struct rl_daemon_target *dt, const struct rl_run_end *end, const char *env)
{
	rl_log(LOG_ERR, "run %lld: the store cannot record its end (%s): %s; retrying",
	       (long long)end->id, rl_run_status_name(end->status), end->store_error);
	free(dt->end_env);
	dt->end_env = env ? strdup(env) : NULL;
	if (dt->end_fd < 0 || rl_run_end_write(dt->end_fd, end, env) < 0)
		rl_log(LOG_ERR, "run %lld: its end is in memory only: a restart would call it interrupted",
		       (long long)end->id);
	return -ENOTCONN;
}

/*
 * The store cannot take @end now, for its cells wait in the spool or its
 * server is gone: keep it there behind them, with the run's environment at
 * the end @env, to be written as it is when the server is back (also by
 * the next start). Returns -ENOTCONN: the end is pending.
 */
static int spool_end(struct rl_daemon_target *dt, struct rl_run_end *end, const char *env)
{
	struct rl_spool *sp = &dt->spool;
	unsigned int cells = rl_spool_count(sp);
	struct rl_err err = { "" };

	if (moved_words(dt, &err))
		snprintf(end->store_error, sizeof(end->store_error),
			 "%.200s: the run's end waits in %.200s behind %u kept cell%s, written when an upgraded ringlabd starts",
			 err.msg, sp->path, cells, cells == 1 ? "" : "s");
	else
		snprintf(end->store_error, sizeof(end->store_error),
			 "the store (%.200s) cannot be reached: the run's end waits in %.200s behind %u kept cell%s, written when it is back",
			 dt->d->store_where, sp->path, cells, cells == 1 ? "" : "s");
	if (rl_spool_add_end(sp, end, env, &err) == 0) {
		end->spooled = true;
		rl_log(LOG_WARNING, "run %lld: %s (%s)", (long long)end->id, end->store_error,
		       rl_run_status_name(end->status));
		return -ENOTCONN;
	}
	rl_log(LOG_ERR, "run %lld: keeping its end in the spool: %s", (long long)end->id, err.msg);
	return keep_end(dt, end, env);
}

/*
 * Record the end of a run with its environment at the end @env (NULL: the
 * one stored at its start stays), trying END_TRIES times. While its cells
 * wait in the spool, or the server stays gone, the end is kept in the
 * spool behind them; when the store fails otherwise (its filesystem full,
 * an I/O error) it is kept in the target's end file for the next start.
 * The caller keeps it in memory for retry_end() either way. Returns 0, or
 * -errno when it is kept.
 */
static int record_end(struct rl_daemon_target *dt, struct rl_run_end *end, const char *env)
{
	struct rl_err err = { "" };
	int ret = 0;

	/* Behind its kept cells: the end packs the cells, and then takes no more. */
	if (rl_spool_waiting(&dt->spool))
		return spool_end(dt, end, env);
	for (int i = 0; i < END_TRIES; i++) {
		if (i) {
			struct timespec pause = { 0, END_RETRY_MS * 1000000L };

			nanosleep(&pause, NULL);
		}
		ret = rl_store_run_end_json(dt->store, end->id, end->status, end->error,
					    end->finished_ns, env, &err);
		if (!ret || ret == -EEXIST || ret == -ENOTSUP || final_error(ret))
			break;
	}
	if (final_error(ret))
		rl_log(LOG_ERR, "run %lld: recording its end: %s", (long long)end->id, err.msg);
	if (!ret || ret == -EEXIST || final_error(ret))
		return 0;
	if (ret == -ENOTCONN || ret == -ENOTSUP)
		return spool_end(dt, end, env);
	snprintf(end->store_error, sizeof(end->store_error), "%s", err.msg);
	return keep_end(dt, end, env);
}

/* Forget the pending end: recorded, or not ours to record. */
static void end_cleared(struct rl_daemon_target *dt)
{
	if (dt->end_fd >= 0)
		rl_run_end_write(dt->end_fd, NULL, NULL);
	free(dt->end_env);
	dt->end_env = NULL;
	atomic_store(&dt->fleet_run, 0);
	pthread_mutex_lock(&dt->lock);
	memset(&dt->end, 0, sizeof(dt->end));
	pthread_mutex_unlock(&dt->lock);
	rl_daemon_bump(dt->d);
}

/*
 * The kept lines before the pending end: write them (the end with them,
 * when it is kept there too). Returns 1 when none waits any more, 0 while
 * the server is still gone, -1 when they were set aside (the run is over,
 * or another daemon holds its lease now).
 */
static int spool_before_end(struct rl_daemon_target *dt)
{
	struct rl_err err = { "" };
	int ret = spool_write(dt, &err);

	if (ret == -EINVAL || ret == -ENOENT || ret == -ESTALE)
		return -1;
	return !rl_spool_waiting(&dt->spool);
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
	ret = rl_spool_waiting(&dt->spool) ? spool_before_end(dt) : 1;
	if (!ret)
		return false;
	/* Kept in the spool: written with it, or set aside with it. */
	if (end.spooled && ret > 0)
		rl_log(LOG_INFO, "run %lld: its end (%s) recorded from %s", (long long)end.id,
		       rl_run_status_name(end.status), dt->spool.path);
	if (end.spooled) {
		end_cleared(dt);
		return true;
	}
	ret = rl_store_run_end_json(dt->store, end.id, end.status, end.error, end.finished_ns,
				    dt->end_env, &err);
	if (ret < 0 && ret != -EEXIST && !final_error(ret))
		return false;
	if (ret < 0 && ret != -EEXIST)
		rl_log(LOG_ERR, "run %lld: recording its end: %s", (long long)end.id, err.msg);
	else
		rl_log(LOG_INFO, "run %lld: its end (%s) recorded", (long long)end.id,
		       rl_run_status_name(end.status));
	end_cleared(dt);
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
	if (drop) {
		spool_aside(dt, "its lease is another daemon's, or will be");
		atomic_store(&dt->fleet_run, 0);
	}
	return drop;
}

/* Why a run was cancelled: through another daemon (its words), or here. */
static void cancelled_why(struct rl_daemon_target *dt, char *buf, size_t len)
{
	pthread_mutex_lock(&dt->lock);
	snprintf(buf, len, "%s", dt->cancel_why[0] ? dt->cancel_why : "cancelled");
	pthread_mutex_unlock(&dt->lock);
}

static void execute(struct rl_daemon_target *dt, int64_t id)
{
	struct run_ctx c = { .dt = dt, .id = id };
	struct rl_run_opts o = {
		.dir = dt->t.dir, .engine = &rl_engine_uring, .cancel = &dt->cancel,
		.dev = dt->t.dev, .ino = dt->t.ino,
		.hooks = { .ctx = &c, .started = on_started, .progress = on_progress,
			   .cell_done = on_cell },
	};
	struct rl_suite suite = { 0 };
	struct rl_submit req;
	struct rl_run run = { 0 };
	struct rl_run_end end;
	enum rl_run_status st;
	char *env = NULL;
	bool pending;
	int ret;

	atomic_store(&dt->cancel, false);
	pthread_mutex_lock(&dt->lock);
	dt->cancel_why[0] = '\0';
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
	if (c.started)
		spool_tick(&c, true);
	st = ret == -ECANCELED ? RL_RUN_ABORTED : ret < 0 ? RL_RUN_FAILED : run.status;
	if (c.store_error == -ENOTSUP) {
		st = RL_RUN_FAILED;
		snprintf(c.err.msg, sizeof(c.err.msg), "%.150s; %u finished cells kept in %.250s, written when an upgraded ringlabd starts",
			 c.store_msg, rl_spool_count(&dt->spool), dt->spool.path);
	} else if (c.store_error == -ENOTCONN) {
		st = RL_RUN_FAILED;
		lost_msg(dt, c.lost_why, c.err.msg, sizeof(c.err.msg));
	} else if (c.store_error) {
		st = RL_RUN_FAILED;
		memcpy(c.err.msg, c.store_msg, sizeof(c.err.msg));
	} else if (st == RL_RUN_ABORTED && atomic_load(&dt->lease_lost))
		snprintf(c.err.msg, sizeof(c.err.msg), "its lease went to another daemon");
	else if (st == RL_RUN_ABORTED && atomic_load(&dt->d->stopping))
		snprintf(c.err.msg, sizeof(c.err.msg), "ringlabd stopping");
	else if (st == RL_RUN_ABORTED)
		cancelled_why(dt, c.err.msg, sizeof(c.err.msg));
	else if (st == RL_RUN_FAILED && !c.err.msg[0])
		snprintf(c.err.msg, sizeof(c.err.msg), "%s", run.error[0] ? run.error : "a cell failed");
	else if (st == RL_RUN_DONE)
		c.err.msg[0] = '\0';
	/* What only the end knows (the io_uring setup flags and opcodes used) goes with the end. */
	if (c.started && !(env = rl_run_end_env_text(&run.env)))
		rl_log(LOG_ERR, "run %lld: its environment at the end: out of memory", (long long)id);
	end = (struct rl_run_end){ .id = id, .status = st, .finished_ns = rl_wall_ns() };
	memcpy(end.error, c.err.msg, sizeof(end.error));
	rl_log(LOG_INFO, "run %lld: %s%s%s", (long long)id, rl_run_status_name(st),
	       c.err.msg[0] ? ": " : "", c.err.msg);
	pending = !fleet_handed_back(dt, id, st) && record_end(dt, &end, env) < 0;
	/* A fleet run's lease is renewed until its end is recorded. */
	if (!pending)
		atomic_store(&dt->fleet_run, 0);
	free(env);
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

/*
 * Before run @id starts: the store's schema read again (one query a run),
 * for a newer daemon may have migrated it since. Returns false when one
 * did: the run is not started here (a queued run stays queued, a fleet
 * run claimed goes back when its lease, renewed no more, runs out); true
 * otherwise, also when the version cannot be read (the run's writes will
 * tell).
 */
static bool schema_current(struct rl_daemon_target *dt, int64_t id)
{
	struct rl_err err = { "" };
	int v;

	if (rl_store_recheck(dt->store, &v, &err) != -ENOTSUP)
		return true;
	rl_daemon_store_newer(dt->d, v);
	rl_log(LOG_ERR, "run %lld: not started on target %s: %s", (long long)id, dt->t.cfg.name,
	       err.msg);
	atomic_store(&dt->fleet_run, 0);
	return false;
}

static void *target_main(void *arg)
{
	struct rl_daemon_target *dt = arg;
	struct rl_daemon *d = dt->d;
	struct rl_err err = { "" };

	while (!atomic_load(&d->stopping)) {
		int64_t id;
		int ret;

		/*
		 * The store still has the last run running until its end is
		 * recorded; and nothing starts on a store a newer daemon
		 * migrated: an upgraded one runs it.
		 */
		if (!retry_end(dt) || rl_daemon_store_moved(d, dt->store)) {
			wait_for_work(d);
			continue;
		}
		ret = rl_store_next_queued(dt->store, dt->t.cfg.name, rl_daemon_queue_host(d), &id,
					   &err);
		/* A lease lost before is no business of a run of this daemon's own. */
		if (!ret)
			atomic_store(&dt->lease_lost, false);
		/* Its own queue first: runs submitted to this daemon, then the fleet's. */
		if (ret == -ENOENT)
			ret = rl_daemon_fleet_claim(dt, &id, &err);

		if (ret == -ENOENT || (ret < 0 && ret != -ENOENT)) {
			if (ret != -ENOENT)
				rl_log(LOG_ERR, "target %s: reading the queue: %s", dt->t.cfg.name, err.msg);
			wait_for_work(d);
			continue;
		}
		if (schema_current(dt, id))
			execute(dt, id);
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
		/* Its writes of a fleet run land only while it holds the run's lease. */
		if (d->fleet.enabled)
			rl_store_set_lease_owner(dt->store, d->fleet.owner);
		if (rl_spool_open(&dt->spool, d->cfg.state_dir, dt->t.cfg.name, d->cfg.store.spool_max,
				  &end_err) < 0)
			rl_log(LOG_WARNING, "target %s: no cells spool (%s): a run fails when the store cannot be reached",
			       dt->t.cfg.name, end_err.msg);
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
		if (dt->store && !retry_end(dt) && dt->end.spooled)
			rl_log(LOG_ERR, "run %lld: its end stays in %s behind its cells, recorded at the next start",
			       (long long)dt->end.id, dt->spool.path);
		else if (dt->end.id && dt->end_fd >= 0)
			rl_log(LOG_ERR, "run %lld: its end stays in %s/" RL_RUN_END_PREFIX "%s, recorded at the next start",
			       (long long)dt->end.id, d->cfg.state_dir, dt->t.cfg.name);
		else if (dt->end.id)
			rl_log(LOG_ERR, "run %lld: its end is lost: the next start will call it interrupted",
			       (long long)dt->end.id);
		if (rl_spool_count(&dt->spool))
			rl_log(LOG_ERR, "target %s: %u cells stay in %s, written at the next start",
			       dt->t.cfg.name, rl_spool_count(&dt->spool), dt->spool.path);
		free(dt->end_env);
		dt->end_env = NULL;
		rl_spool_close(&dt->spool);
		rl_store_close(dt->store);
		dt->store = NULL;
		if (dt->end_fd >= 0)
			close(dt->end_fd);
		dt->end_fd = -1;
	}
	rl_daemon_fleet_stop(d);
}
