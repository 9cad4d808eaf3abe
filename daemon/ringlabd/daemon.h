/* SPDX-License-Identifier: MIT */
/*
 * The daemon's state shared by its HTTP threads and its per-target runner
 * threads: configuration, targets, the store, and the live progress of the
 * run on each target. HTTP handlers never block on a run: they read the
 * store and the live snapshot, and submit or cancel through these calls.
 */
#ifndef RINGLAB_DAEMON_RINGLABD_DAEMON_H
#define RINGLAB_DAEMON_RINGLABD_DAEMON_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "daemon_config.h"
#include "engine/runner.h"
#include "run_end.h"
#include "spool.h"
#include "store/store.h"
#include "targets.h"

/* What a running run is doing right now (memory only; the store has the rest). */
struct rl_live {
	int64_t run_id;			/* 0: idle */
	struct rl_progress p;		/* p.workload points into workload[] */
	char workload[RL_NAME_MAX];
	char phase[16];
	uint64_t seq;			/* bumps on every change */
	size_t ncells_done;
};

struct rl_daemon_target {
	struct rl_target t;
	pthread_t thread;
	bool thread_started;
	atomic_bool cancel;		/* the running run is to stop */
	pthread_mutex_t lock;		/* guards live */
	struct rl_live live;
	struct rl_daemon *d;
	struct rl_store *store;		/* the runner thread's own connection */
	struct rl_run_end end;		/* a run ended that the store has not recorded; id 0: none (lock) */
	char *end_env;			/* its environment at the end, unless end.spooled; runner only */
	int end_fd;			/* its end file (run_end.h); -1: none */
	struct rl_spool spool;		/* cells (and an end) kept while the store's server is gone (spool.h) */
	atomic_int_fast64_t fleet_run;	/* the fleet run it holds a lease on, till its end is recorded; 0: none */
	atomic_bool lease_lost;		/* that lease went to another daemon: drop the run */
	char cancel_why[RL_ERR_MSG_MAX];	/* a fleet cancel's error ("cancelled through HOST"; lock) */
};

/* This daemon as one of a fleet on a shared store (fleet.c). */
struct rl_daemon_fleet {
	bool enabled;			/* the store is PostgreSQL: claim and renew fleet runs */
	char host[65];			/* gethostname(): what "host": NAME asks for */
	char owner[192];		/* "host/machine-id/pid": the lease_owner of its runs */
	int64_t lease_ns;
	pthread_t thread;		/* renews leases, re-queues expired ones */
	bool thread_started;
	struct rl_store *store;		/* that thread's own connection */
	const char *kernels[RL_VM_KERNELS_MAX];	/* cfg.vm.kernels, as claims name them */
};

struct rl_daemon {
	/*
	 * Fixed once the daemon runs, except the keys SIGHUP reloads
	 * (rl_config_key_reloadable()) and token: read those only under
	 * rl_daemon_cfg_rdlock().
	 */
	struct rl_config cfg;
	pthread_rwlock_t cfg_lock;
	char config_path[RL_PATH_MAX];	/* "" when running on defaults */
	char db_path[RL_PATH_MAX];	/* sqlite: state_dir/ringlab.db */
	struct rl_store_conf store_conf;	/* what every connection opens (points into cfg) */
	char store_where[RL_PATH_MAX + 16];	/* "sqlite PATH", "postgresql CONNINFO": logs, /health */
	char token[128];		/* effective token (cfg.token or token_file) */
	int64_t started_ns;
	struct rl_daemon_target targets[RL_TARGETS_MAX];
	uint32_t ntargets;
	struct rl_store *store;		/* for HTTP threads: rl_daemon_store_lock() */
	pthread_mutex_t store_lock;
	char store_check[RL_ERR_MSG_MAX];	/* what quick_check found at start-up, "" if
						 * nothing; set before any thread starts */
	pthread_mutex_t wake_lock;	/* runner threads wait here for work */
	pthread_cond_t wake;
	pthread_mutex_t progress_lock;	/* SSE readers wait here for changes */
	pthread_cond_t progress_cond;
	uint64_t progress_seq;
	struct rl_daemon_fleet fleet;
	char vm_ringlab[RL_PATH_MAX];	/* the ringlab whose `vm run` boots guests (guest.c) */
	atomic_bool stopping;
	/* 0, or the schema a newer daemon migrated the store to: rl_daemon_store_newer() */
	atomic_int store_newer;
	atomic_uint_fast64_t http_requests[6];	/* by status class 1xx..5xx, [0] other */
};

struct rl_submit {
	char what[RL_NAME_MAX];		/* suite or workload name */
	char target[64];		/* "" = the first target (a fleet run: any) */
	char host[65];			/* "" = this daemon; "any" or a host name: the fleet's queue */
	char kernel[64];		/* "" = the daemon's own kernel; a VM variant: a guest boots it */
	char label[128];
	char kernel_tag[64];
	double scale;			/* 0 = the suite's */
	uint32_t repeat;		/* 0 = the workloads' */
	uint32_t jobs[RL_JOBS_LIST_MAX];
	uint32_t njobs;
	bool queue;			/* queue behind a busy target instead of 409 */
	char request_json[4096];	/* as received, stored with the run */
};

/*
 * rl_daemon_submit() - validate @req (the suite/workload exists and its
 * workloads check out, the target exists) and store a queued run, then wake
 * the target's runner. Returns 0 and the id, -ENOENT (unknown suite,
 * workload or target; @err names it), -EINVAL (bad field), -EBUSY (target
 * has a queued or running run and !req->queue), -EAGAIN (the end of the
 * target's last run is not recorded yet: the store failed), -ENOTSUP (a
 * newer daemon migrated the store: rl_daemon_store_newer()), or -EIO (store).
 */
int rl_daemon_submit(struct rl_daemon *d, const struct rl_submit *req, int64_t *id,
		     struct rl_err *err);

/*
 * rl_daemon_cancel() - a queued run is aborted at once; a running one is
 * told to stop and becomes aborted when its runner returns. A fleet run
 * another daemon holds (a PostgreSQL store) gets a cancel request its
 * holder reads at its next lease renewal; it ends aborted "cancelled
 * through HOST", this daemon's host name. Returns 0, -ENOENT, -EALREADY
 * when the run has already finished (its end recorded or not), or -EBUSY
 * for a run another daemon runs from its own queue.
 */
int rl_daemon_cancel(struct rl_daemon *d, int64_t id, struct rl_err *err);

/*
 * rl_daemon_run_end() - the end of run @id (0: of any run) when the run has
 * finished but the store could not record it yet: the store still says
 * running. Returns 0 with it in @out, or -ENOENT.
 */
int rl_daemon_run_end(struct rl_daemon *d, int64_t id, struct rl_run_end *out);

/* rl_daemon_target_end() - rl_daemon_run_end() on target @dt only. Returns 0 or -ENOENT. */
int rl_daemon_target_end(struct rl_daemon_target *dt, int64_t id, struct rl_run_end *out);

/*
 * rl_daemon_live() - copy the live progress of run @id. Returns 0, or
 * -ENOENT when @id is not running right now.
 */
int rl_daemon_live(struct rl_daemon *d, int64_t id, struct rl_live *out);

/*
 * rl_daemon_wait_change() - wait until the daemon-wide progress sequence
 * differs from @seq or @timeout_ms passes. Returns the current sequence.
 */
uint64_t rl_daemon_wait_change(struct rl_daemon *d, uint64_t seq, int timeout_ms);

/* rl_daemon_bump() - a run changed: wake whoever waits in rl_daemon_wait_change(). */
void rl_daemon_bump(struct rl_daemon *d);

/*
 * rl_daemon_runner_start() - start the runner thread of every target; each
 * takes the oldest queued run of its target, one at a time. Returns 0 or -errno.
 */
int rl_daemon_runner_start(struct rl_daemon *d, struct rl_err *err);

/* rl_daemon_runner_stop() - cancel what runs (it ends aborted) and join the threads. */
void rl_daemon_runner_stop(struct rl_daemon *d);

/*
 * rl_daemon_fleet_init() - who this daemon is to the fleet (host name,
 * lease owner), from the machine and d->cfg; before any submit. Cannot fail.
 */
void rl_daemon_fleet_init(struct rl_daemon *d);

/*
 * rl_daemon_queue_host() - the host name this daemon's own runs are kept
 * under on a store other machines share (their targets may be named like
 * ours), or NULL on its own SQLite file.
 */
const char *rl_daemon_queue_host(const struct rl_daemon *d);

/*
 * rl_daemon_fleet_start() - on a PostgreSQL store, the lease thread: every
 * third of a lease it renews the leases of the runs this daemon holds
 * (one lost cancels its run) and re-queues every expired lease of the
 * store. Nothing on SQLite. Returns 0 or -errno.
 */
int rl_daemon_fleet_start(struct rl_daemon *d, struct rl_err *err);

/* rl_daemon_fleet_stop() - join the lease thread (after the runners) and close its store. */
void rl_daemon_fleet_stop(struct rl_daemon *d);

/*
 * rl_daemon_fleet_claim() - on a PostgreSQL store, lease the oldest fleet
 * run @dt may take and mark it held. Returns 0 with its id in @id, -ENOENT
 * when there is none (or the store is SQLite), or -errno.
 */
int rl_daemon_fleet_claim(struct rl_daemon_target *dt, int64_t *id, struct rl_err *err);

/*
 * rl_daemon_fleet_held() - whether @dt still holds the lease of fleet run
 * @id, renewing it: asked just before recording the run's end, which is
 * another daemon's to record once the run went back to the queue. Returns
 * true also when the store cannot answer (the end's own write then fails
 * and waits as any does).
 */
bool rl_daemon_fleet_held(struct rl_daemon_target *dt, int64_t id);

/*
 * rl_daemon_boots() - whether @kernel (a VM variant's name) is among the
 * kernels this daemon boots in guests (its "vm": {"kernels"}).
 */
bool rl_daemon_boots(const struct rl_daemon *d, const char *kernel);

/*
 * rl_daemon_guest_init() - before the runners start: the kernels a claim
 * names, and when there are any, vm-run.sh in vm.kernel_patches_dir, each
 * kernel's manifest there (variants/NAME.json, families/FAMILY.json) and
 * the ringlab that runs `vm run` (vm.ringlab, else beside ringlabd).
 * Returns 0, or -errno with "key vm.K: PATH: reason" in @err.
 */
int rl_daemon_guest_init(struct rl_daemon *d, struct rl_err *err);

/*
 * rl_daemon_guest_run() - run @id, whose request @req asks for kernel
 * @req->kernel, in a QEMU guest: `ringlab vm run KERNEL SUITE` with the
 * request's scale, repeat and jobs, the daemon's workloads and vm keys,
 * stopped when @dt->cancel is set or after vm.timeout_s +
 * vm.kernel_timeout_s. The run the guest sends back goes into @run (label
 * and kernel tag from @req; free it with rl_run_free()) and through @h into
 * the store, whatever its status. Returns 0 when the guest ran and exited
 * 0; -ECANCELED when stopped; -EIO with "kernel K on HOST: reason" in
 * @err when it failed (its run, if one came back, stored all the same:
 * the run is failed for the reason); or -errno from loading the run.
 */
int rl_daemon_guest_run(struct rl_daemon_target *dt, int64_t id, const struct rl_submit *req,
			const struct rl_run_hooks *h, struct rl_run *run, struct rl_err *err);

/*
 * rl_daemon_store_lock() - take d->store, the connection the HTTP threads
 * share, for a store call or a few; hold it no longer (a comparison loads
 * its runs one lock at a time). Returns the store, never NULL; give it back
 * with rl_daemon_store_unlock() before replying or waiting on anything.
 */
struct rl_store *rl_daemon_store_lock(struct rl_daemon *d);

/* rl_daemon_store_unlock() - give back what rl_daemon_store_lock() took. */
void rl_daemon_store_unlock(struct rl_daemon *d);

/*
 * rl_daemon_store_newer() - a connection of @d found the shared store at
 * schema @version, past this ringlabd's (rl_store_newer()): the first time,
 * log it and keep it in d->store_newer, which every connection then follows
 * (rl_daemon_store_moved()). Nothing for @version 0. Any thread.
 */
void rl_daemon_store_newer(struct rl_daemon *d, int version);

/*
 * rl_daemon_store_moved() - bring @s, one of @d's connections, and @d in
 * step: what @d knows @s refuses too, what @s found @d learns. Returns true
 * when the store is past this ringlabd's schema (then @s writes nothing).
 * No query; the caller's thread owns @s.
 */
bool rl_daemon_store_moved(struct rl_daemon *d, struct rl_store *s);

/* rl_daemon_target_find() - the target called @name ("" = the first), or NULL. */
struct rl_daemon_target *rl_daemon_target_find(struct rl_daemon *d, const char *name);

/*
 * rl_daemon_workload_dirs() - the daemon's workload search path: the
 * workloads_dir of the moment, and the build tree only when ringlabd runs
 * from it (rl_workload_path_configured()). The array and its strings are
 * the calling thread's until its next call.
 */
const char *const *rl_daemon_workload_dirs(struct rl_daemon *d);

/*
 * rl_daemon_cfg_rdlock() - hold the reloadable keys of d->cfg and d->token
 * steady while reading them; a SIGHUP waits. Give back with
 * rl_daemon_cfg_unlock() at once: never hold it across I/O or the store.
 */
void rl_daemon_cfg_rdlock(struct rl_daemon *d);
void rl_daemon_cfg_unlock(struct rl_daemon *d);

/*
 * rl_daemon_reload() - swap in the reloadable keys of @next and the token
 * @token they give, all at once under cfg_lock, leaving every other key as
 * the daemon started with it. @next must have passed rl_config_check().
 */
void rl_daemon_reload(struct rl_daemon *d, const struct rl_config *next, const char *token);

#endif
