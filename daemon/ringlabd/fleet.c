/* SPDX-License-Identifier: MIT */
/*
 * This daemon as one of a fleet on one PostgreSQL store: claiming fleet
 * runs for its targets, and the lease thread that keeps the claims alive
 * and returns other daemons' expired claims to the queue. The queue is
 * the runs table itself (store/fleet.c); no daemon schedules another.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "daemon.h"
#include "engine/env.h"
#include "log.h"
#include "util/clock.h"
#include "util/pause.h"

/* How soon the lease thread notices the daemon stopping. */
#define TICK_NS 100000000ull

void rl_daemon_fleet_init(struct rl_daemon *d)
{
	struct rl_env_host h;

	rl_env_host_probe(&h);
	snprintf(d->fleet.host, sizeof(d->fleet.host), "%s", h.hostname);
	snprintf(d->fleet.owner, sizeof(d->fleet.owner), "%s/%s/%ld", h.hostname,
		 h.machine_id[0] ? h.machine_id : "-", (long)getpid());
	d->fleet.lease_ns = (int64_t)d->cfg.fleet.lease_s * 1000000000;
	d->fleet.enabled = d->cfg.store.kind == RL_STORE_POSTGRESQL;
}

const char *rl_daemon_queue_host(const struct rl_daemon *d)
{
	return d->fleet.enabled ? d->fleet.host : NULL;
}

_Static_assert(RL_VM_KERNELS_MAX <= RL_STORE_FLEET_KERNELS_MAX, "a claim names every kernel");

static struct rl_store_lease lease_of(const struct rl_daemon *d)
{
	return (struct rl_store_lease){ .owner = d->fleet.owner, .host = d->fleet.host,
					.lease_ns = d->fleet.lease_ns, .kernels = d->fleet.kernels,
					.nkernels = d->cfg.vm.nkernels };
}

int rl_daemon_fleet_claim(struct rl_daemon_target *dt, int64_t *id, struct rl_err *err)
{
	struct rl_store_lease l = lease_of(dt->d);
	int ret;

	if (!dt->d->fleet.enabled)
		return -ENOENT;
	ret = rl_store_fleet_claim(dt->store, &l, dt->t.cfg.name, id, err);
	if (ret < 0)
		return ret;
	atomic_store(&dt->lease_lost, false);
	atomic_store(&dt->fleet_run, *id);
	rl_log(LOG_INFO, "run %lld: claimed from the fleet queue for target %s (lease %s)",
	       (long long)*id, dt->t.cfg.name, dt->d->fleet.owner);
	return 0;
}

bool rl_daemon_fleet_held(struct rl_daemon_target *dt, int64_t id)
{
	struct rl_store_lease l = lease_of(dt->d);
	struct rl_err err = { "" };

	return rl_store_fleet_renew(dt->store, &l, id, &err) != -ESTALE;
}

/* A cancel of fleet run @id was asked for through some daemon: stop it, saying so once. */
static void cancel_asked(struct rl_daemon_target *dt, int64_t id, const char *why)
{
	bool first;

	pthread_mutex_lock(&dt->lock);
	first = !dt->cancel_why[0];
	if (first)
		snprintf(dt->cancel_why, sizeof(dt->cancel_why), "%s", why);
	pthread_mutex_unlock(&dt->lock);
	if (first)
		rl_log(LOG_WARNING, "run %lld: %s; stopping it", (long long)id, why);
	atomic_store(&dt->cancel, true);
}

/*
 * Renew what each target holds; a lease another daemon took cancels the
 * run, and so does a cancel asked for through any daemon. Returns
 * -ENOTCONN when the database could not be reached for one, else 0.
 */
static int renew(struct rl_daemon *d, const struct rl_store_lease *l)
{
	char why[RL_ERR_MSG_MAX];
	struct rl_err err = { "" };
	int unreachable = 0;

	for (uint32_t i = 0; i < d->ntargets; i++) {
		struct rl_daemon_target *dt = &d->targets[i];
		int64_t id = atomic_load(&dt->fleet_run);
		int ret;

		if (!id)
			continue;
		ret = rl_store_fleet_renew_cancel(d->fleet.store, l, id, why, sizeof(why), &err);
		if (ret == 1 && atomic_load(&dt->fleet_run) == id) {
			cancel_asked(dt, id, why);
		} else if (ret == -ESTALE && atomic_load(&dt->fleet_run) == id) {
			rl_log(LOG_ERR, "run %lld: %s; stopping it here", (long long)id, err.msg);
			atomic_store(&dt->lease_lost, true);
			atomic_store(&dt->cancel, true);
		} else if (ret < 0 && ret != -ESTALE) {
			rl_log(LOG_WARNING, "run %lld: renewing its lease: %s", (long long)id, err.msg);
			unreachable = ret == -ENOTCONN ? ret : unreachable;
		}
	}
	return unreachable;
}

/* Expired leases back to the queue. Returns 0 or the store's -errno. */
static int requeue(struct rl_daemon *d)
{
	struct rl_err err = { "" };
	int n = 0, ret = rl_store_fleet_requeue(d->fleet.store, &n, &err);

	if (ret < 0) {
		rl_log(LOG_WARNING, "fleet: re-queueing expired leases: %s", err.msg);
		return ret;
	}
	if (!n)
		return 0;
	rl_log(LOG_WARNING, "fleet: %d run%s whose lease expired back in the queue", n,
	       n == 1 ? "" : "s");
	pthread_mutex_lock(&d->wake_lock);
	pthread_cond_broadcast(&d->wake);
	pthread_mutex_unlock(&d->wake_lock);
	return 0;
}

/*
 * The database answers again after this daemon could not reach it: every
 * daemon probably lost it too, and their leases ran out meanwhile. Expired
 * leases are left to their holders for one lease length (their renewal
 * comes within a third of one): a holder that is alive takes its run back
 * with its kept cells, rather than see it run again elsewhere from the
 * start. Only reads meanwhile. Returns 0 or the store's -errno.
 */
static int leave_to_holders(struct rl_daemon *d, bool first)
{
	struct rl_err err = { "" };
	int n = 0, ret = rl_store_fleet_expired(d->fleet.store, &n, &err);

	if (ret >= 0 && first)
		rl_log(LOG_WARNING, "fleet: the database answers again: %d expired lease%s left to %s holder%s for %u s",
		       n, n == 1 ? "" : "s", n == 1 ? "its" : "their", n == 1 ? "" : "s",
		       d->cfg.fleet.lease_s);
	return ret < 0 ? ret : 0;
}

/*
 * The store's schema read again each round (one query): once a newer
 * daemon migrated it, this one renews and sweeps nothing more (its fleet
 * runs go back to the queue when their leases run out, for upgraded
 * daemons). Returns true then.
 */
static bool schema_moved(struct rl_daemon *d)
{
	struct rl_err err = { "" };
	int v;

	if (rl_daemon_store_moved(d, d->fleet.store))
		return true;
	if (rl_store_recheck(d->fleet.store, &v, &err) != -ENOTSUP)
		return false;
	rl_daemon_store_newer(d, v);
	return true;
}

static void *lease_main(void *arg)
{
	struct rl_daemon *d = arg;
	struct rl_store_lease l = lease_of(d);
	/* A third of a lease: two renewals can fail before the lease runs out. */
	uint64_t every_ns = (uint64_t)d->fleet.lease_ns / 3;
	/*
	 * When this round was due. Renewals keep to the clock: counting naps
	 * made them later the more the machine was loaded (1.5 s of a 3 s
	 * lease at load 20), and the lease ran out under its holder.
	 */
	uint64_t due = rl_now_ns();
	/* Since when the database answers again (CLOCK_MONOTONIC); 0: it never stopped. */
	uint64_t back_ns = 0;
	bool lost = false;

	while (!atomic_load(&d->stopping)) {
		uint64_t now = rl_now_ns();
		bool settled = !back_ns || now - back_ns >= (uint64_t)d->fleet.lease_ns;
		int ret = schema_moved(d) ? -ENOTSUP : renew(d, &l);

		/* Its own leases first: after an outage they are renewed before any sweep. */
		if (ret != -ENOTCONN && ret != -ENOTSUP)
			ret = settled && !lost ? requeue(d) : leave_to_holders(d, lost);
		if (ret == -ENOTCONN) {
			lost = true;
		} else if (lost) {
			lost = false;
			back_ns = now;
		}
		due = rl_pause_next(due, every_ns, rl_now_ns());
		rl_pause_until(due, TICK_NS, &d->stopping, NULL);
	}
	return NULL;
}

int rl_daemon_fleet_start(struct rl_daemon *d, struct rl_err *err)
{
	int ret;

	if (!d->fleet.enabled)
		return 0;
	ret = rl_store_open_conf(&d->store_conf, &d->fleet.store, err);
	if (ret < 0)
		return ret;
	ret = -pthread_create(&d->fleet.thread, NULL, lease_main, d);
	if (ret)
		return rl_err_set(err, ret, "fleet lease thread: %s", strerror(-ret));
	d->fleet.thread_started = true;
	rl_log(LOG_INFO, "fleet: host %s, lease owner %s, lease %us", d->fleet.host, d->fleet.owner,
	       d->cfg.fleet.lease_s);
	return 0;
}

void rl_daemon_fleet_stop(struct rl_daemon *d)
{
	if (d->fleet.thread_started)
		pthread_join(d->fleet.thread, NULL);
	d->fleet.thread_started = false;
	rl_store_close(d->fleet.store);
	d->fleet.store = NULL;
}
