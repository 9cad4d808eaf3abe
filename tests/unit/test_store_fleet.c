/* SPDX-License-Identifier: MIT */
/* test_store_fleet: fleet runs (schema 6) on two connections: the local queue never hands one out; a claim matches host and target and leases the run to one owner only; a renewal by another owner is refused; an expired lease puts the run back as submitted (cells dropped) for the next daemon; the old holder's cell, progress, environment and end are then refused in the statement that writes (-ESTALE) and change nothing; a connection holding no lease ends an unleased queued fleet run but not a held one; a cancel through any connection ends a queued fleet run nobody holds at once, reaches a held one's holder at its renewal, and ends a run whose lease ran out with it, aborted; a starting daemon's recovery leaves fleet runs to their leases; a run asking for a kernel (schema 8) is taken only by a daemon that boots it. */
#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/result.h"
#include "store/store.h"
#include "../lib/check.h"
#include "../lib/store_test.h"

#define LEASE_NS (60LL * 1000000000)

static char dir[] = "/tmp/test_store_fleet.XXXXXX";
static char db_path[4096];

static const struct rl_store_lease one = { .owner = "h1/m1/11", .host = "h1", .lease_ns = LEASE_NS };
static const struct rl_store_lease two = { .owner = "h2/m2/22", .host = "h2", .lease_ns = LEASE_NS };

static int64_t create(struct rl_store *s, const char *target, const char *fleet_host)
{
	const struct rl_store_run_req req = {
		.what = "seed", .target = target, .scale = 1, .fleet_host = fleet_host,
	};
	struct rl_err err = { "" };
	int64_t id = 0;

	CHECK(rl_store_run_create(s, &req, &id, &err) == 0, "create %s/%s: %s", target,
	      fleet_host ? fleet_host : "local", err.msg);
	return id;
}

/* Claim for @target as @l; returns the id, 0 for -ENOENT. */
static int64_t claim(struct rl_store *s, const struct rl_store_lease *l, const char *target)
{
	struct rl_err err = { "" };
	int64_t id = 0;
	int ret = rl_store_fleet_claim(s, l, target, &id, &err);

	CHECK(ret == 0 || ret == -ENOENT, "claim %s as %s: %d (%s)", target, l->owner, ret, err.msg);
	return ret ? 0 : id;
}

static struct rl_store_run_meta meta_of(struct rl_store *s, int64_t id, size_t *ncells)
{
	struct rl_store_run_meta m = { 0 };
	struct rl_run run = { 0 };
	struct rl_err err = { "" };

	CHECK(rl_store_run_get(s, id, &run, &m, &err) == 0, "get %lld: %s", (long long)id, err.msg);
	if (ncells)
		*ncells = run.ncells;
	rl_run_free(&run);
	return m;
}

/* Run @id started as host h1 with one cell, as a daemon holding it would store it. */
static void start_with_cell(struct rl_store *s, int64_t id)
{
	struct rl_env env = { 0 };
	struct rl_cell c = { 0 };
	struct rl_err err = { "" };

	snprintf(env.hostname, sizeof(env.hostname), "h1");
	snprintf(c.workload, sizeof(c.workload), "seed");
	c.jobs = c.rep = 1;
	c.verify.status = RL_VERIFY_OK;
	CHECK(rl_store_run_start(s, id, &env, NULL, 0, &err) == 0, "start %lld: %s", (long long)id,
	      err.msg);
	CHECK(rl_store_cell_add(s, id, 0, &c, &err) == 0, "cell of %lld: %s", (long long)id, err.msg);
}

/* h1 (@a) lost run @id to h2 (@b), which stored one cell: nothing of h1's lands any more. */
static void old_holder_refused(struct rl_store *a, struct rl_store *b, int64_t id)
{
	struct rl_store_progress p = { .ncells = 9, .phase = "run" };
	struct rl_env env = { 0 };
	struct rl_cell c = { 0 };
	struct rl_err err = { "" };
	size_t ncells = 0;
	int ret;

	snprintf(c.workload, sizeof(c.workload), "seed");
	c.jobs = c.rep = 1;
	ret = rl_store_cell_add(a, id, 1, &c, &err);
	CHECK(ret == -ESTALE && strstr(err.msg, two.owner), "the old holder's cell: %d (%s)", ret, err.msg);
	ret = rl_store_progress_set(a, id, &p, &err);
	CHECK(ret == -ESTALE, "the old holder's progress: %d (%s)", ret, err.msg);
	ret = rl_store_run_env(a, id, &env, &err);
	CHECK(ret == -ESTALE, "the old holder's environment: %d (%s)", ret, err.msg);
	ret = rl_store_run_finish(a, id, RL_RUN_DONE, NULL, &err);
	CHECK(ret == -ESTALE, "the old holder's end: %d (%s)", ret, err.msg);
	CHECK(meta_of(b, id, &ncells).status == RL_RUN_RUNNING && ncells == 1,
	      "after the old holder's writes: status %d, %zu cells", meta_of(b, id, NULL).status, ncells);
	CHECK(rl_store_cell_add(b, id, 1, &c, &err) == 0, "the holder's own cell: %s", err.msg);
}

/* A connection holding no lease (an API's) ends a queued fleet run nobody holds, not a held one. */
static void no_lease_ends(struct rl_store *a, struct rl_store *b)
{
	struct rl_err err = { "" };
	int64_t free_run = create(a, "any", "h3"), held = create(a, "any", "h2");
	int ret;

	rl_store_set_lease_owner(a, NULL);
	CHECK(claim(b, &two, "t5") == held, "h2 did not claim run %lld", (long long)held);
	ret = rl_store_run_finish(a, held, RL_RUN_ABORTED, "cancelled", &err);
	CHECK(ret == -ESTALE, "ending a held fleet run without its lease: %d (%s)", ret, err.msg);
	ret = rl_store_run_finish(a, free_run, RL_RUN_ABORTED, "cancelled", &err);
	CHECK(ret == 0, "ending an unleased queued fleet run: %d (%s)", ret, err.msg);
	rl_store_set_lease_owner(a, one.owner);
}

/* Cancels through @a, a connection of another daemon than h2 (@b), which holds what it claims. */
static void cancels(struct rl_store *a, struct rl_store *b)
{
	char why[64], sql[160];
	struct rl_err err = { "" };
	int64_t unheld = create(a, "any", "h4"), held = create(a, "any", "h2");
	int64_t local = create(a, "t1", NULL);
	int n = -1, ret;

	ret = rl_store_fleet_cancel(a, unheld, "cancelled through h1", &err);
	CHECK(ret == 1, "cancel of a queued fleet run nobody holds: %d (%s)", ret, err.msg);
	CHECK(meta_of(a, unheld, NULL).status == RL_RUN_ABORTED &&
	      !strcmp(meta_of(a, unheld, NULL).error, "cancelled through h1"), "not aborted as asked");
	CHECK(rl_store_fleet_cancel(a, local, "x", &err) == -EINVAL, "a cancel request on a local run");
	CHECK(claim(b, &two, "t6") == held, "h2 did not claim run %lld", (long long)held);
	CHECK(rl_store_fleet_renew_cancel(b, &two, held, why, sizeof(why), &err) == 0 && !why[0],
	      "a request before any: '%s'", why);
	ret = rl_store_fleet_cancel(a, held, "cancelled through h1", &err);
	CHECK(ret == 0 && meta_of(a, held, NULL).status == RL_RUN_QUEUED, "cancel of a held run: %d (%s)",
	      ret, err.msg);
	ret = rl_store_fleet_renew_cancel(b, &two, held, why, sizeof(why), &err);
	CHECK(ret == 1 && !strcmp(why, "cancelled through h1"), "the holder's renewal: %d '%s' (%s)",
	      ret, why, err.msg);
	/* Its holder gone before it stopped the run: the lease's end ends it, as asked. */
	snprintf(sql, sizeof(sql), "UPDATE runs SET lease_expires = 1 WHERE id = %lld", (long long)held);
	if (!store_test_raw(db_path, sql, sql))
		return;
	CHECK(rl_store_fleet_requeue(a, &n, &err) >= 0, "re-queue: %s", err.msg);
	CHECK(meta_of(a, held, NULL).status == RL_RUN_ABORTED &&
	      !strcmp(meta_of(a, held, NULL).error, "cancelled through h1"),
	      "an expired lease with a cancel request: status %d", meta_of(a, held, NULL).status);
}

static void test_fleet(struct rl_store *a, struct rl_store *b)
{
	struct rl_err err = { "" };
	int64_t local, any, for_h2, id = 0;
	struct rl_store_run_meta m;
	size_t ncells = 9;
	char sql[128];
	int n = -1;

	local = create(a, "t1", NULL);
	any = create(a, "any", "any");
	for_h2 = create(a, "t9", "h2");
	/* The local queue is this daemon's runs only. */
	CHECK(rl_store_next_queued(a, "t1", NULL, &id, &err) == 0 && id == local, "local queue: %lld",
	      (long long)id);
	CHECK(rl_store_next_queued(a, "any", NULL, &id, &err) == -ENOENT, "a fleet run in the local queue");
	/* One owner per run: h1 takes the any-host run, h2 then finds only its own. */
	CHECK(claim(a, &one, "t1") == any, "h1 did not claim run %lld", (long long)any);
	m = meta_of(a, any, NULL);
	CHECK(!strcmp(m.target, "t1") && m.status == RL_RUN_QUEUED, "claimed: target %s, status %d",
	      m.target, m.status);
	CHECK(claim(b, &two, "t2") == 0, "h2 took a leased run, or one for target t9, as t2");
	CHECK(claim(b, &two, "t9") == for_h2, "h2 did not claim its run %lld", (long long)for_h2);
	CHECK(claim(a, &one, "t1") == 0, "h1 took h2's run or the same run twice");
	CHECK(rl_store_fleet_renew(b, &two, any, &err) == -ESTALE, "h2 renewed h1's lease");
	CHECK(rl_store_fleet_renew(a, &one, any, &err) == 0, "h1's renewal: %s", err.msg);

	/* h1 dies mid-run: once its lease is past, the run is back as submitted. */
	start_with_cell(a, any);
	CHECK(store_test_check_host_cells(a, db_path) == 1, "the leased run's cell not counted");
	CHECK(rl_store_fleet_requeue(b, &n, &err) == 0 && n == 0, "a live lease re-queued (%d)", n);
	snprintf(sql, sizeof(sql), "UPDATE runs SET lease_expires = 1 WHERE id = %lld", (long long)any);
	if (!store_test_raw(db_path, sql, sql))
		return;
	/* Ran out, not re-queued yet: still h1's, whose renewal takes it back. */
	CHECK(rl_store_fleet_expired(b, &n, &err) == 1 && n == 1, "expired leases: %d (%s)", n, err.msg);
	CHECK(rl_store_fleet_renew(a, &one, any, &err) == 0, "h1 did not take its lease back: %s", err.msg);
	CHECK(rl_store_fleet_expired(b, &n, &err) == 0 && n == 0, "renewed, still expired: %d", n);
	CHECK(rl_store_fleet_requeue(b, &n, &err) == 0 && n == 0, "a renewed lease re-queued (%d)", n);
	if (!store_test_raw(db_path, sql, sql))
		return;
	CHECK(rl_store_fleet_requeue(b, &n, &err) == 1 && n == 1, "expired lease: %d (%s)", n, err.msg);
	m = meta_of(b, any, &ncells);
	CHECK(m.status == RL_RUN_QUEUED && !strcmp(m.target, "any") && !m.started_ns && !ncells,
	      "re-queued: status %d, target %s, started %lld, %zu cells", m.status, m.target,
	      (long long)m.started_ns, ncells);
	/* Re-queued, its cell gone with its counts: /metrics counts no cells. */
	CHECK(store_test_check_host_cells(b, db_path) == 0, "a re-queued run's cells still counted");
	CHECK(rl_store_fleet_renew(a, &one, any, &err) == -ESTALE, "h1 renewed a lease it lost");
	CHECK(claim(b, &two, "t2") == any, "h2 did not take the re-queued run");
	start_with_cell(b, any);
	old_holder_refused(a, b, any);
	no_lease_ends(a, b);
	cancels(a, b);
	/* h2 restarting on its target t2 aborts its local runs only. */
	CHECK(rl_store_recover_targets(b, NULL, (const char *const[]){ "t2" }, 1, &n, &err) == 0 && !n,
	      "recovery aborted %d runs (%s)", n, err.msg);
	CHECK(meta_of(b, any, NULL).status == RL_RUN_RUNNING, "recovery ended the fleet run");
}

/*
 * A run asking for a kernel (schema 7) goes only to a daemon whose lease
 * names it; a run asking for none to any. Host h3 only: test_fleet's
 * daemons never see these runs, and each ends claimed or aborted.
 */
static void test_kernels(struct rl_store *a)
{
	static const char *const boots[] = { "base", "fam:v3" };
	const char *many[RL_STORE_FLEET_KERNELS_MAX + 1];
	struct rl_store_lease bare = { .owner = "h3/m3/33", .host = "h3", .lease_ns = LEASE_NS };
	struct rl_store_lease vm = bare;
	struct rl_store_run_req req = { .what = "seed", .target = "any", .scale = 1,
					.fleet_host = "h3", .fleet_kernel = "fam:v3" };
	struct rl_err err = { "" };
	int64_t v3 = 0, plain, id = 0;
	cJSON *j;

	vm.kernels = boots;
	vm.nkernels = 2;
	CHECK(rl_store_run_create(a, &req, &v3, &err) == 0, "create a fam:v3 run: %s", err.msg);
	plain = create(a, "any", "h3");
	CHECK(claim(a, &bare, "t3") == plain, "a daemon booting nothing did not take the plain run");
	CHECK(claim(a, &bare, "t3") == 0, "a daemon booting nothing took the fam:v3 run");
	vm.kernels = (const char *const[]){ "base" };
	vm.nkernels = 1;
	CHECK(claim(a, &vm, "t3") == 0, "a daemon booting base took the fam:v3 run");
	vm.kernels = boots;
	vm.nkernels = 2;
	j = cJSON_CreateObject();
	CHECK(rl_store_run_fleet_json(a, v3, j, &err) == 0 &&
	      !strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "fleet"), "kernel")), "fam:v3"),
	      "the run's fleet JSON does not name its kernel: %s", err.msg);
	cJSON_Delete(j);
	CHECK(claim(a, &vm, "t3") == v3, "a daemon booting fam:v3 did not take its run");
	for (size_t i = 0; i < RL_STORE_FLEET_KERNELS_MAX + 1; i++)
		many[i] = "base";
	vm.kernels = many;
	vm.nkernels = RL_STORE_FLEET_KERNELS_MAX + 1;
	CHECK(rl_store_fleet_claim(a, &vm, "t3", &id, &err) == -EINVAL, "a claim naming %d kernels",
	      RL_STORE_FLEET_KERNELS_MAX + 1);
	req.fleet_kernel = "a-kernel-name-longer-than-a-kernel-tag-may-ever-be-in-the-store-of-runs";
	CHECK(rl_store_run_create(a, &req, &id, &err) == -EINVAL && strstr(err.msg, "kernel"),
	      "a kernel name too long: %s", err.msg);
}

int main(void)
{
	static const char *const suffix[] = { "", "-wal", "-shm", "-journal" };
	struct rl_store *a = NULL, *b = NULL;
	struct rl_err err = { "" };

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(db_path, sizeof(db_path), "%s/ringlab.db", dir);
	CHECK(store_test_open(db_path, &a, &err) == 0, "open a: %s", err.msg);
	if (a)
		CHECK(store_test_open(db_path, &b, &err) == 0, "open b: %s", err.msg);
	if (a && b) {
		/* Each connection writes as the daemon it stands for. */
		rl_store_set_lease_owner(a, one.owner);
		rl_store_set_lease_owner(b, two.owner);
		test_kernels(a);
		test_fleet(a, b);
	}
	rl_store_close(b);
	rl_store_close(a);
	for (size_t i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
		char p[4200];

		snprintf(p, sizeof(p), "%s%s", db_path, suffix[i]);
		unlink(p);
	}
	CHECK(rmdir(dir) == 0, "temporary directory %s left behind", dir);
	return check_exit();
}
