/* SPDX-License-Identifier: MIT */
/*
 * Runs submitted to the fleet (schema version 6): queued rows in a store
 * many daemons share, each taken by one daemon under a lease it renews
 * while the run lasts. A lease that runs out (its daemon died or lost the
 * database) puts the run back in the queue for another daemon. No
 * scheduler of our own: the database's row locks decide who takes what.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <cJSON.h>
#include <stdio.h>
#include <string.h>

#define RL_STORE_INTERNAL
#include "store.h"
#include "sql.h"
#include "util/clock.h"
#include "util/json.h"

/*
 * A run asking for a kernel goes only to a daemon that boots it: its
 * kernels fill ?3.. (RL_STORE_FLEET_KERNELS_MAX of them, the rest bound
 * NULL, which matches nothing), so the statement's text stays one.
 */
#define FLEET_PICK								\
	"SELECT id FROM runs WHERE status = 'queued' AND fleet_host IN ('any', ?1)"	\
	" AND lease_owner IS NULL AND (fleet_target IS NULL OR fleet_target = ?2)"	\
	" AND (fleet_kernel IS NULL OR fleet_kernel IN (?3, ?4, ?5, ?6, ?7, ?8, ?9,"	\
	" ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18))"				\
	" ORDER BY created, id LIMIT 1"

_Static_assert(RL_STORE_FLEET_KERNELS_MAX == 16, "FLEET_PICK names 16 kernels");

/*
 * One of the store's two PostgreSQL-only clauses (lock_expired() has the
 * other). On PostgreSQL, daemons on other machines pick at the same
 * moment: FOR UPDATE SKIP LOCKED makes
 * each skip a row another is taking instead of queueing behind its lock
 * (and then finding it taken). SQLite has one writer at a time (BEGIN
 * IMMEDIATE), so the plain pick is already alone.
 */
static const char *pick_sql(const struct rl_store *s)
{
	return s->kind == RL_STORE_POSTGRESQL ? FLEET_PICK " FOR UPDATE SKIP LOCKED" : FLEET_PICK;
}

/*
 * The database's clock, in ns since the epoch: every lease is set and
 * judged by it, so daemons whose clocks disagree still agree on which
 * lease has run out. SQLite's is this machine's; its julianday has
 * millisecond steps, which a lease of seconds does not mind.
 */
static int db_now(struct rl_store *s, int64_t *now, struct rl_err *err)
{
	struct rl_sql_stmt *q;
	int ret;

	ret = rl_store_prepare(s, s->kind == RL_STORE_POSTGRESQL ?
			       "SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000000000 AS BIGINT)" :
			       "SELECT CAST((julianday('now') - 2440587.5) * 86400000000000.0 AS INTEGER)",
			       &q, err);
	if (ret < 0)
		return ret;
	return rl_store_query_i64(s, q, now, err, "the database's clock");
}

/* Inside the write transaction: pick the oldest matching run and lease it. */
static int claim(struct rl_store *s, const struct rl_store_lease *l, const char *target,
		 int64_t *id, struct rl_err *err)
{
	struct rl_sql_stmt *q;
	int64_t changed, now;
	int ret;

	ret = db_now(s, &now, err);
	if (ret < 0)
		return ret;
	ret = rl_store_prepare(s, pick_sql(s), &q, err);
	if (ret < 0)
		return ret;
	rl_sql_bind_text(q, 1, l->host);
	rl_sql_bind_text(q, 2, target);
	for (size_t i = 0; i < RL_STORE_FLEET_KERNELS_MAX; i++)
		rl_sql_bind_text(q, 3 + (int)i, i < l->nkernels ? l->kernels[i] : NULL);
	ret = rl_sql_step(q, err);
	if (ret > 0)
		*id = rl_sql_col_i64(q, 0);
	rl_sql_finalize(q);
	if (ret <= 0)
		return ret < 0 ? rl_err_prefix(err, ret, "fleet queue") : -ENOENT;
	/* The claim itself: one UPDATE that only an unleased queued row passes. */
	ret = rl_store_prepare(s, "UPDATE runs SET target = ?, lease_owner = ?, lease_expires = ?"
			       " WHERE id = ? AND status = 'queued' AND lease_owner IS NULL", &q, err);
	if (ret < 0)
		return ret;
	rl_sql_bind_text(q, 1, target);
	rl_sql_bind_text(q, 2, l->owner);
	rl_sql_bind_i64(q, 3, now + l->lease_ns);
	rl_sql_bind_i64(q, 4, *id);
	ret = rl_store_step_done(s, q, err, "claim a fleet run");
	changed = rl_sql_changes(q);
	rl_sql_finalize(q);
	return ret < 0 ? ret : changed == 1 ? 0 : -ENOENT;
}

int rl_store_fleet_claim(struct rl_store *s, const struct rl_store_lease *l, const char *target,
			 int64_t *id, struct rl_err *err)
{
	int ret;

	if (l->nkernels > RL_STORE_FLEET_KERNELS_MAX)
		return rl_err_set(err, -EINVAL, "fleet claim: %zu kernels, at most %d", l->nkernels,
				  RL_STORE_FLEET_KERNELS_MAX);
	ret = rl_store_begin(s, true, err);
	if (!ret)
		ret = rl_store_end(s, claim(s, l, target, id, err), err);
	if (ret == -ENOENT)
		rl_err_set(err, -ENOENT, "no fleet run for target %s", target);
	return ret;
}

/* Inside the write transaction: move the lease on, and read any cancel request. */
static int renew(struct rl_store *s, const struct rl_store_lease *l, int64_t id, char *cancel,
		 size_t len, struct rl_err *err)
{
	struct rl_sql_stmt *q;
	int64_t now;
	int ret = db_now(s, &now, err);

	if (ret < 0)
		return ret;
	ret = rl_store_prepare(s, "UPDATE runs SET lease_expires = ? WHERE id = ? AND lease_owner = ?"
			       " AND status IN ('queued', 'running') RETURNING COALESCE(cancel_request, '')",
			       &q, err);
	if (ret < 0)
		return ret;
	rl_sql_bind_i64(q, 1, now + l->lease_ns);
	rl_sql_bind_i64(q, 2, id);
	rl_sql_bind_text(q, 3, l->owner);
	ret = rl_sql_step(q, err);
	if (ret > 0 && cancel)
		rl_store_col_str(q, 0, cancel, len);
	rl_sql_finalize(q);
	if (ret < 0)
		return rl_err_prefix(err, ret, "renew a lease");
	if (!ret)
		return rl_err_set(err, -ESTALE, "run %lld: the lease of %s is gone", (long long)id,
				  l->owner);
	return cancel && cancel[0] ? 1 : 0;
}

int rl_store_fleet_renew_cancel(struct rl_store *s, const struct rl_store_lease *l, int64_t id,
				char *cancel, size_t len, struct rl_err *err)
{
	int ret;

	if (cancel && len)
		cancel[0] = '\0';
	ret = rl_store_begin(s, true, err);
	if (!ret)
		ret = rl_store_end(s, renew(s, l, id, cancel, len, err), err);
	return ret;
}

int rl_store_fleet_renew(struct rl_store *s, const struct rl_store_lease *l, int64_t id,
			 struct rl_err *err)
{
	return rl_store_fleet_renew_cancel(s, l, id, NULL, 0, err);
}

/* A queued fleet run nobody holds ends at once: no daemon would read a request. */
static int cancel_unheld(struct rl_store *s, int64_t id, const char *why, struct rl_err *err)
{
	struct rl_sql_stmt *q;
	int64_t changed;
	int ret;

	ret = rl_store_prepare(s, "UPDATE runs SET status = 'aborted', error = ?, finished = ?"
			       " WHERE id = ? AND fleet_host IS NOT NULL AND status = 'queued'"
			       " AND lease_owner IS NULL", &q, err);
	if (ret < 0)
		return ret;
	rl_sql_bind_text(q, 1, why);
	rl_sql_bind_i64(q, 2, rl_wall_ns());
	rl_sql_bind_i64(q, 3, id);
	ret = rl_store_step_done(s, q, err, "cancel a queued fleet run");
	changed = rl_sql_changes(q);
	rl_sql_finalize(q);
	if (ret < 0 || !changed)
		return ret;
	ret = rl_store_detail_pack(s, id, err);
	return ret < 0 ? ret : 1;
}

/* The request on a held run's row, for its holder's next renewal. */
static int cancel(struct rl_store *s, int64_t id, const char *why, struct rl_err *err)
{
	struct rl_sql_stmt *q;
	int64_t changed;
	int ret = cancel_unheld(s, id, why, err);

	if (ret)
		return ret;
	ret = rl_store_prepare(s, "UPDATE runs SET cancel_request = ? WHERE id = ?"
			       " AND fleet_host IS NOT NULL AND status IN ('queued', 'running')", &q, err);
	if (ret < 0)
		return ret;
	rl_sql_bind_text(q, 1, why);
	rl_sql_bind_i64(q, 2, id);
	ret = rl_store_step_done(s, q, err, "request a cancel");
	changed = rl_sql_changes(q);
	rl_sql_finalize(q);
	if (!ret && !changed)
		ret = rl_store_state_err(s, id, "a cancel request", "a queued or running fleet", err);
	return ret;
}

int rl_store_fleet_cancel(struct rl_store *s, int64_t id, const char *why, struct rl_err *err)
{
	int ret = rl_store_begin(s, true, err);

	if (!ret)
		ret = rl_store_end(s, cancel(s, id, why, err), err);
	return ret;
}

#define EXPIRED "SELECT id FROM runs WHERE status IN ('queued', 'running')"	\
	" AND fleet_host IS NOT NULL AND lease_expires < ?1"

/* What a run wrote while leased goes; the run is as it was submitted. */
static const char *const requeue_sql[] = {
	"DELETE FROM cells WHERE run_id IN (" EXPIRED ")",
	"DELETE FROM cell_summaries WHERE run_id IN (" EXPIRED ")",
	"DELETE FROM run_details WHERE run_id IN (" EXPIRED ")",
	"DELETE FROM progress WHERE run_id IN (" EXPIRED ")",
	/* Asked to stop while its holder was gone: it ends here, aborted as asked. */
	"UPDATE runs SET status = 'aborted', error = cancel_request, finished = ?1,"
	" ncells = 0, failed_cells = 0, lease_owner = NULL"
	" WHERE cancel_request IS NOT NULL AND id IN (" EXPIRED ")",
	"UPDATE runs SET status = 'queued', started = NULL, env = NULL, ncells = 0, failed_cells = 0,"
	" kernel_release = NULL, host = NULL, machine_id = NULL, cpu_model = NULL,"
	" device_model = NULL, guest_host = NULL, error = NULL,"
	" target = COALESCE(fleet_target, 'any'), lease_owner = NULL, lease_expires = NULL"
	" WHERE id IN (" EXPIRED ")",
};

/*
 * On PostgreSQL the expired rows are locked before anything of them goes:
 * a holder renewing its lease or writing a kept cell at that moment waits
 * for this transaction and then finds the run re-queued (-ESTALE), rather
 * than land between its statements (its cells deleted, the row not reset
 * yet: a cell written then would stay in the re-queued run). SQLite's one
 * writer at a time has no such between.
 */
static int lock_expired(struct rl_store *s, int64_t now, struct rl_err *err)
{
	struct rl_sql_stmt *q;
	int ret;

	if (s->kind != RL_STORE_POSTGRESQL)
		return 0;
	ret = rl_store_prepare(s, EXPIRED " FOR UPDATE", &q, err);
	if (ret < 0)
		return ret;
	rl_sql_bind_i64(q, 1, now);
	while ((ret = rl_sql_step(q, err)) > 0)
		;
	rl_sql_finalize(q);
	return ret < 0 ? rl_err_prefix(err, ret, "lock expired leases") : 0;
}

static int requeue(struct rl_store *s, int *n, struct rl_err *err)
{
	struct rl_sql_stmt *q;
	int64_t now;
	int ret = db_now(s, &now, err);

	if (!ret)
		ret = lock_expired(s, now, err);
	for (size_t i = 0; !ret && i < sizeof(requeue_sql) / sizeof(requeue_sql[0]); i++) {
		ret = rl_store_prepare(s, requeue_sql[i], &q, err);
		if (ret < 0)
			return ret;
		rl_sql_bind_i64(q, 1, now);
		ret = rl_store_step_done(s, q, err, "re-queue expired leases");
		*n = (int)rl_sql_changes(q);
		rl_sql_finalize(q);
	}
	return ret;
}

/* @count (a counting step) in its own transaction, a write one when @write. Returns *@n or -errno. */
static int counted(struct rl_store *s, bool write,
		   int (*count)(struct rl_store *s, int *n, struct rl_err *err), int *n,
		   struct rl_err *err)
{
	int ret = rl_store_begin(s, write, err);

	*n = 0;
	if (!ret)
		ret = rl_store_end(s, count(s, n, err), err);
	return ret < 0 ? ret : *n;
}

int rl_store_fleet_requeue(struct rl_store *s, int *n, struct rl_err *err)
{
	return counted(s, true, requeue, n, err);
}

static int count_expired(struct rl_store *s, int *n, struct rl_err *err)
{
	struct rl_sql_stmt *q;
	int64_t now, count = 0;
	int ret = db_now(s, &now, err);

	if (!ret)
		ret = rl_store_prepare(s, "SELECT count(*) FROM (" EXPIRED ") AS expired", &q, err);
	if (ret < 0)
		return ret;
	rl_sql_bind_i64(q, 1, now);
	ret = rl_store_query_i64(s, q, &count, err, "expired leases");
	*n = (int)count;
	return ret;
}

int rl_store_fleet_expired(struct rl_store *s, int *n, struct rl_err *err)
{
	return counted(s, false, count_expired, n, err);
}

void rl_store_set_lease_owner(struct rl_store *s, const char *owner)
{
	snprintf(s->lease_owner, sizeof(s->lease_owner), "%s", owner ? owner : "");
}

int rl_store_lease_err(struct rl_store *s, int64_t id, struct rl_err *err)
{
	struct rl_sql_stmt *q;
	char owner[RL_STORE_OWNER_MAX];
	int ret;

	ret = rl_store_prepare(s, "SELECT COALESCE(lease_owner, '') FROM runs"
			       " WHERE id = ? AND fleet_host IS NOT NULL", &q, err);
	if (ret < 0)
		return ret;
	rl_sql_bind_i64(q, 1, id);
	ret = rl_sql_step(q, err);
	if (ret > 0)
		rl_store_col_str(q, 0, owner, sizeof(owner));
	rl_sql_finalize(q);
	if (ret < 0)
		return rl_err_prefix(err, ret, "run %lld: its lease", (long long)id);
	if (!ret || !strcmp(owner, s->lease_owner))
		return 0;
	return rl_err_set(err, -ESTALE, "run %lld: its lease is %s%s, not %s", (long long)id,
			  owner[0] ? "held by " : "", owner[0] ? owner : "no one's",
			  s->lease_owner[0] ? s->lease_owner : "this connection's (it holds none)");
}

/* The fleet's columns of the row @q stands on, as an object; NULL when out of memory. */
static cJSON *fleet_obj(struct rl_sql_stmt *q)
{
	struct rl_jb b = rl_jb_new(cJSON_CreateObject());
	const char *owner = rl_sql_col_text(q, 2);

	rl_jb_str_or_null(&b, "host", rl_sql_col_text(q, 0));
	rl_jb_str_or_null(&b, "target", rl_sql_col_text(q, 1));
	rl_jb_str_or_null(&b, "kernel", rl_sql_col_text(q, 4));
	rl_jb_str_or_null(&b, "lease_owner", owner);
	rl_jb_put(&b, "lease_expires", owner ? rl_json_iso_time(rl_sql_col_i64(q, 3))
					     : cJSON_CreateNull());
	return rl_jb_end(&b);
}

int rl_store_run_fleet_json(struct rl_store *s, int64_t id, cJSON *obj, struct rl_err *err)
{
	struct rl_sql_stmt *q;
	cJSON *f = NULL;
	int ret;

	ret = rl_store_prepare(s, "SELECT fleet_host, fleet_target, lease_owner, lease_expires,"
			       " fleet_kernel FROM runs WHERE id = ? AND fleet_host IS NOT NULL", &q, err);
	if (ret < 0)
		return ret;
	rl_sql_bind_i64(q, 1, id);
	ret = rl_sql_step(q, err);
	if (ret > 0)
		f = fleet_obj(q);
	rl_sql_finalize(q);
	if (ret < 0)
		return rl_err_prefix(err, ret, "run %lld: fleet columns", (long long)id);
	if ((ret > 0 && !f) || !cJSON_AddItemToObject(obj, "fleet", f ? f : cJSON_CreateNull())) {
		cJSON_Delete(f);
		return rl_err_set(err, -ENOMEM, "run %lld: out of memory", (long long)id);
	}
	return 0;
}
