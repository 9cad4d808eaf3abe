/* SPDX-License-Identifier: MIT */
/*
 * Schema migrations, as data: version N's SQL takes a database from N - 1 to
 * N, on SQLite and on PostgreSQL alike (sql_dialect.c translates the type
 * names; write the rest in the subset both read). The backend keeps the
 * version a database is at (SQLite: PRAGMA user_version; PostgreSQL: table
 * ringlab_schema); the migrations a database lacks run in one write
 * transaction together with their version bumps, so a failed one leaves the
 * database at the version it had when opened (not half way to the newest),
 * and two daemons opening one database at once apply each migration once.
 *
 * Never edit a released migration: add the next one. Older daemons may
 * still run on a shared PostgreSQL store once it is migrated: they find
 * the new version when one of their statements fails as a changed schema
 * makes one fail, and otherwise only at their next run start, lease round
 * or /health (store.h, rl_store_newer()). A migration that changes what
 * older code writes should make their statements fail (a table or column
 * renamed, a NOT NULL column without default) rather than take their rows.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>

#define RL_STORE_INTERNAL
#include "store.h"
#include "sql.h"
#include "util/clock.h"

struct migration {
	int version;
	const char *sql;
	/*
	 * NULL, or the data conversion, in its transaction ... It is today's
	 * code and writes today's tables (summary.c's rows, detail.c's blobs),
	 * so it runs after the SQL of every migration the store lacks, not
	 * only this one's: a migration from 4 converts once the tables are at
	 * the newest version.
	 */
	int (*convert)(struct rl_store *s, struct rl_err *err);
	const char *sql_after;	/* ... and then this (NULL: nothing) */
	bool rewrites;		/* rewrites most of the store: SQLite is VACUUMed after it */
};

/*
 * Times are ns since the epoch, NULL until they happen. Labels, tags and
 * errors are NULL when there are none. JSON columns hold rl_env_to_json(),
 * rl_workload_to_json() (an array) and rl_cell_to_json() text. cells.json is
 * the cell; the other cells columns copy what listing and comparing filter on.
 */
static const char schema_v1[] =
	"CREATE TABLE runs ("
	" id INTEGER PRIMARY KEY,"
	" created INTEGER NOT NULL,"
	" started INTEGER,"
	" finished INTEGER,"
	" status TEXT NOT NULL DEFAULT 'queued'"
	"  CHECK (status IN ('queued', 'running', 'done', 'failed', 'aborted')),"
	" error TEXT,"
	" what TEXT NOT NULL CHECK (what <> ''),"
	" target TEXT NOT NULL CHECK (target <> ''),"
	" label TEXT,"
	" kernel_tag TEXT,"
	" kernel_release TEXT,"
	" scale REAL NOT NULL CHECK (scale > 0),"
	" request TEXT CHECK (request IS NULL OR json_valid(request)),"
	" env TEXT CHECK (env IS NULL OR json_valid(env)),"
	" workloads TEXT CHECK (workloads IS NULL OR json_valid(workloads))"
	");"
	"CREATE INDEX runs_created ON runs (created);"
	"CREATE INDEX runs_label ON runs (label, created);"
	"CREATE INDEX runs_kernel_tag ON runs (kernel_tag, created);"
	"CREATE INDEX runs_kernel_release ON runs (kernel_release, created);"
	"CREATE INDEX runs_status ON runs (status, created);"
	"CREATE INDEX runs_target ON runs (target, status, created);"
	"CREATE TABLE cells ("
	" run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,"
	" seq INTEGER NOT NULL CHECK (seq >= 0),"
	" workload TEXT NOT NULL,"
	" jobs INTEGER NOT NULL,"
	" rep INTEGER NOT NULL,"
	" iops REAL,"
	" eagain_rate REAL,"
	" verify TEXT NOT NULL CHECK (verify IN ('skipped', 'ok', 'failed')),"
	" failed INTEGER NOT NULL CHECK (failed IN (0, 1)),"
	" json TEXT NOT NULL CHECK (json_valid(json)),"
	" UNIQUE (run_id, seq)"
	");"
	"CREATE TABLE progress ("
	" run_id INTEGER PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,"
	" cell INTEGER NOT NULL,"
	" ncells INTEGER NOT NULL,"
	" workload TEXT NOT NULL,"
	" jobs INTEGER NOT NULL,"
	" rep INTEGER NOT NULL,"
	" reps INTEGER NOT NULL,"
	" phase TEXT NOT NULL,"
	" fraction REAL,"
	" run_fraction REAL,"
	" live_iops REAL,"
	" updated INTEGER NOT NULL"
	");";

/*
 * Version 2: the reports of `ringlab nightly` ("ringlab-nightly-1" JSON, kept
 * whole in report); the columns copy what listing shows. created is when
 * ringlabd stored it, started and finished when the night ran.
 */
static const char schema_v2[] =
	"CREATE TABLE nightly_reports ("
	" id INTEGER PRIMARY KEY,"
	" created INTEGER NOT NULL,"
	" started INTEGER NOT NULL,"
	" finished INTEGER NOT NULL CHECK (finished >= started),"
	" status TEXT NOT NULL CHECK (status IN ('ok', 'failed', 'regressed', 'corrupt')),"
	" label TEXT,"
	" summary TEXT NOT NULL,"
	" report TEXT NOT NULL CHECK (json_valid(report))"
	");"
	"CREATE INDEX nightly_reports_created ON nightly_reports (created);";

/*
 * Version 3: a night may end "eagain-changed" (an EAGAIN rate moved: it
 * gates like a regression). SQLite cannot alter a CHECK, so the table is
 * rebuilt with every report in it.
 */
static const char schema_v3[] =
	"CREATE TABLE nightly_reports_v3 ("
	" id INTEGER PRIMARY KEY,"
	" created INTEGER NOT NULL,"
	" started INTEGER NOT NULL,"
	" finished INTEGER NOT NULL CHECK (finished >= started),"
	" status TEXT NOT NULL"
	"  CHECK (status IN ('ok', 'failed', 'eagain-changed', 'regressed', 'corrupt')),"
	" label TEXT,"
	" summary TEXT NOT NULL,"
	" report TEXT NOT NULL CHECK (json_valid(report))"
	");"
	"INSERT INTO nightly_reports_v3 (id, created, started, finished, status, label, summary,"
	" report) SELECT id, created, started, finished, status, label, summary, report"
	" FROM nightly_reports;"
	"DROP TABLE nightly_reports;"
	"ALTER TABLE nightly_reports_v3 RENAME TO nightly_reports;"
	"CREATE INDEX nightly_reports_created ON nightly_reports (created);";

/*
 * Version 4: the machine a run ran on (the lab host for a guest run), in
 * columns so that listings filter and group on them and /metrics counts per
 * host; the env keeps the rest. NULL for runs stored before, and for
 * queued runs (set when a run starts or is imported). cells_run_failed lets
 * /metrics count cells per host and outcome from an index instead of
 * reading every cell's JSON. Plain SQL, as any backend takes it.
 */
static const char schema_v4[] =
	"ALTER TABLE runs ADD COLUMN host TEXT;"
	"ALTER TABLE runs ADD COLUMN machine_id TEXT;"
	"ALTER TABLE runs ADD COLUMN cpu_model TEXT;"
	"ALTER TABLE runs ADD COLUMN device_model TEXT;"
	"ALTER TABLE runs ADD COLUMN guest_host TEXT;"
	"CREATE INDEX runs_host ON runs (host, created);"
	"CREATE INDEX runs_machine_id ON runs (machine_id, created);"
	"CREATE INDEX cells_run_failed ON cells (run_id, failed);";

/*
 * Version 5: a history that stays fast. What comparisons, history and
 * listings read moves out of the cells' JSON into narrow rows of
 * cell_summaries (one per cell, the workload name by id, the causes'
 * counts as columns; enum values as in engine/result.h and
 * engine/eagain_cause.h: verify 0 skipped, 1 ok, 2 failed; expect 0 none,
 * 1 met, 2 unmet; causes NULL not traced, 0 ok, 1 partial, 2 unavailable;
 * found: a failed verification's bad blocks counted by kind, "N,N,..." in
 * the order of enum rl_found_kind, NULL when none),
 * and runs count their cells. What only opening a run reads moves to
 * run_details, packed (pack.c): the workloads (from runs.workloads) and,
 * once the run ended, its cells; table cells keeps only the rows of a run
 * that is running. rl_store_migrate_v5() converts the runs stored before.
 * Plain SQL that PostgreSQL reads too.
 */
static const char schema_v5[] =
	"CREATE TABLE workload_names ("
	" id INTEGER PRIMARY KEY,"
	" name TEXT NOT NULL UNIQUE"
	");"
	"CREATE TABLE cell_summaries ("
	" run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,"
	" seq INTEGER NOT NULL CHECK (seq >= 0),"
	" workload_id INTEGER NOT NULL REFERENCES workload_names (id),"
	" jobs INTEGER NOT NULL,"
	" rep INTEGER NOT NULL,"
	" attempts INTEGER NOT NULL,"
	" ops INTEGER NOT NULL,"
	" eagain INTEGER NOT NULL,"
	" iops REAL,"
	" bw REAL,"
	" elapsed_s REAL,"
	" p99_ns INTEGER,"
	" verify INTEGER NOT NULL CHECK (verify IN (0, 1, 2)),"
	" expect INTEGER NOT NULL CHECK (expect IN (0, 1, 2)),"
	" failed INTEGER NOT NULL CHECK (failed IN (0, 1)),"
	" errors INTEGER NOT NULL,"
	" nowait INTEGER NOT NULL CHECK (nowait IN (0, 1)),"
	" timing INTEGER NOT NULL CHECK (timing IN (0, 1)),"
	" causes INTEGER CHECK (causes IN (0, 1, 2)),"
	" inode_lock INTEGER NOT NULL,"
	" timestamp_update INTEGER NOT NULL,"
	" extent_cache_miss INTEGER NOT NULL,"
	" allocation INTEGER NOT NULL,"
	" unaligned_zeroing INTEGER NOT NULL,"
	" extending_write INTEGER NOT NULL,"
	" invalidation INTEGER NOT NULL,"
	" journal_start INTEGER NOT NULL,"
	" other INTEGER NOT NULL,"
	" unknown INTEGER NOT NULL,"
	" unattributed INTEGER NOT NULL,"
	" found TEXT"
	");"
	"CREATE INDEX cell_summaries_run ON cell_summaries (run_id, workload_id, jobs, seq);"
	"CREATE TABLE run_details ("
	" run_id INTEGER PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,"
	" workloads BLOB,"
	" cells BLOB"
	");"
	"ALTER TABLE runs ADD COLUMN ncells INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE runs ADD COLUMN failed_cells INTEGER NOT NULL DEFAULT 0;";

/* After the conversion: the workloads live in run_details now. */
static const char schema_v5_after[] = "ALTER TABLE runs DROP COLUMN workloads;";

/*
 * Version 6: runs submitted to the fleet (a PostgreSQL store many daemons
 * share). fleet_host is NULL for a run of the daemon that stored it, else
 * "any" or the host name that is to run it; fleet_target the target asked
 * for (NULL: any), while target says "any" until a daemon claims the run
 * and names its own. lease_owner ("host/machine-id/pid") and lease_expires
 * (ns since the epoch) are the claim: the owner's heartbeat moves
 * lease_expires on, and a lease past it puts the run back in the queue
 * (store/fleet.c). Plain SQL, as any backend takes it.
 */
static const char schema_v6[] =
	"ALTER TABLE runs ADD COLUMN fleet_host TEXT;"
	"ALTER TABLE runs ADD COLUMN fleet_target TEXT;"
	"ALTER TABLE runs ADD COLUMN lease_owner TEXT;"
	"ALTER TABLE runs ADD COLUMN lease_expires INTEGER;"
	"CREATE INDEX runs_fleet ON runs (status, fleet_host, created);"
	"CREATE INDEX runs_lease ON runs (lease_owner, lease_expires);";

/*
 * Version 7: a fleet run asked to stop through any daemon. cancel_request
 * is NULL, or the error the run is to end with ("cancelled through HOST"):
 * its holder reads it at its next lease renewal (store/fleet.c).
 */
static const char schema_v7[] = "ALTER TABLE runs ADD COLUMN cancel_request TEXT;";

/*
 * Version 8: a fleet run may ask for a kernel, the name of a VM variant
 * (kernel-patches/variants/NAME.json or FAMILY:VERSION) that the daemon
 * taking it boots in a QEMU guest; NULL for a run on the daemon's own
 * kernel. Only a daemon whose "vm": {"kernels"} names it claims it
 * (store/fleet.c).
 */
static const char schema_v8[] = "ALTER TABLE runs ADD COLUMN fleet_kernel TEXT;";

/*
 * Version 9: cell_summaries rebuilt narrower, for PostgreSQL, where each
 * column was 8 bytes and a row 273 (52 KB of a 192-cell run's 80). Types
 * as narrow as the values (the 0..2 flags SMALLINT, seq, jobs, rep and the
 * workload id INT; SQLite reads both as integers, PostgreSQL keeps 2 and 4
 * bytes), the 8-byte columns first so that PostgreSQL pads nothing between
 * them, and the EAGAIN causes' 11 counts (64-bit, read per cell, never
 * filtered on) in one column, cause_counts: "N,N,..." in the order of enum
 * rl_eagain_cause then unattributed, as found keeps its counts, NULL when
 * all are 0 (every cell of a workload that traces nothing).
 *
 * No foreign keys and no CHECKs: PostgreSQL checked both keys with a query
 * per row and spent over a third of an import on them. The rows are written
 * by summary.c alone, in the transaction that writes their run (which
 * exists) and with a workload id it just looked up or stored (names are
 * never deleted), the flags from enums the cell's parser checked. Nothing
 * deletes a run (ON DELETE CASCADE never fired); what takes a run's cells
 * back deletes its summaries itself (fleet.c's re-queue). A run deleted by
 * hand must take its summaries with it.
 *
 * The index stays as it was: one run's rows in seq order for loading a
 * run, and a history page's runs each with only its rows of one workload x
 * jobs (on (run_id, seq) alone PostgreSQL planned a history page as a scan
 * of the whole table: 52 ms at 1000 runs rather than 1.5).
 */
static const char schema_v9[] =
	"CREATE TABLE cell_summaries_v9 ("
	" run_id INTEGER NOT NULL,"
	" attempts INTEGER NOT NULL,"
	" ops INTEGER NOT NULL,"
	" eagain INTEGER NOT NULL,"
	" errors INTEGER NOT NULL,"
	" p99_ns INTEGER,"
	" iops REAL,"
	" bw REAL,"
	" elapsed_s REAL,"
	" seq INT NOT NULL,"
	" workload_id INT NOT NULL,"
	" jobs INT NOT NULL,"
	" rep INT NOT NULL,"
	" verify SMALLINT NOT NULL,"
	" expect SMALLINT NOT NULL,"
	" failed SMALLINT NOT NULL,"
	" nowait SMALLINT NOT NULL,"
	" timing SMALLINT NOT NULL,"
	" causes SMALLINT,"
	" cause_counts TEXT,"
	" found TEXT"
	");"
	"INSERT INTO cell_summaries_v9 (run_id, attempts, ops, eagain, errors, p99_ns, iops, bw,"
	" elapsed_s, seq, workload_id, jobs, rep, verify, expect, failed, nowait, timing, causes,"
	" cause_counts, found)"
	" SELECT run_id, attempts, ops, eagain, errors, p99_ns, iops, bw, elapsed_s, seq,"
	" workload_id, jobs, rep, verify, expect, failed, nowait, timing, causes,"
	" CASE WHEN inode_lock = 0 AND timestamp_update = 0 AND extent_cache_miss = 0"
	" AND allocation = 0 AND unaligned_zeroing = 0 AND extending_write = 0"
	" AND invalidation = 0 AND journal_start = 0 AND other = 0 AND unknown = 0"
	" AND unattributed = 0 THEN NULL"
	" ELSE CAST(inode_lock AS TEXT) || ',' || CAST(timestamp_update AS TEXT) || ','"
	" || CAST(extent_cache_miss AS TEXT) || ',' || CAST(allocation AS TEXT) || ','"
	" || CAST(unaligned_zeroing AS TEXT) || ',' || CAST(extending_write AS TEXT) || ','"
	" || CAST(invalidation AS TEXT) || ',' || CAST(journal_start AS TEXT) || ','"
	" || CAST(other AS TEXT) || ',' || CAST(unknown AS TEXT) || ','"
	" || CAST(unattributed AS TEXT) END,"
	" found FROM cell_summaries;"
	"DROP TABLE cell_summaries;"
	"ALTER TABLE cell_summaries_v9 RENAME TO cell_summaries;"
	"CREATE INDEX cell_summaries_run ON cell_summaries (run_id, workload_id, jobs, seq);";

static const struct migration migrations[] = {
	{ 1, schema_v1, NULL, NULL, false },
	{ 2, schema_v2, NULL, NULL, false },
	{ 3, schema_v3, NULL, NULL, false },
	{ 4, schema_v4, NULL, NULL, false },
	{ 5, schema_v5, rl_store_migrate_v5, schema_v5_after, true },
	{ 6, schema_v6, NULL, NULL, false },
	{ 7, schema_v7, NULL, NULL, false },
	{ 8, schema_v8, NULL, NULL, false },
	{ 9, schema_v9, NULL, NULL, true },
};

#define NMIGRATIONS (sizeof(migrations) / sizeof(migrations[0]))

int rl_store_schema_version(void)
{
	return migrations[NMIGRATIONS - 1].version;
}

/* A store at @version, newer than this code: 0, or -ENOTSUP saying so. */
static int refuse_newer(struct rl_store *s, int version, struct rl_err *err)
{
	if (version <= rl_store_schema_version())
		return 0;
	return rl_err_set(err, -ENOTSUP,
			  "schema version %d is newer than this ringlab knows (%d); "
			  "left untouched: run a newer ringlabd, or use another %s",
			  version, rl_store_schema_version(),
			  s->kind == RL_STORE_SQLITE ? "state directory" : "database");
}

int rl_store_check_version(struct rl_store *s, struct rl_err *err)
{
	int version = 0, ret;

	ret = s->db->ops->check_app(s->db, err);
	if (!ret)
		ret = s->db->ops->get_version(s->db, &version, err);
	return ret < 0 ? ret : refuse_newer(s, version, err);
}

/*
 * Apply @m's SQL unless a concurrent opener did already; the caller holds
 * the write transaction. A newer daemon that migrated the store past this
 * code while this one waited for the lock gets the refusal of the version
 * check. Returns 1 when applied, 0 when it was, or -errno.
 */
static int apply(struct rl_store *s, const struct migration *m, struct rl_err *err)
{
	int version, ret;

	ret = s->db->ops->migrate_lock(s->db, err);
	if (!ret)
		ret = s->db->ops->get_version(s->db, &version, err);
	if (!ret)
		ret = refuse_newer(s, version, err);
	if (ret < 0 || version >= m->version)
		return ret;
	ret = rl_store_exec(s, m->sql, err);
	if (!ret)
		ret = s->db->ops->set_version(s->db, m->version, err);
	return ret < 0 ? ret : 1;
}

/* @m's conversion and the SQL after it, once every migration's SQL ran. Returns 0 or -errno. */
static int convert(struct rl_store *s, const struct migration *m, struct rl_err *err)
{
	int ret = m->convert ? m->convert(s, err) : 0;

	if (!ret && m->sql_after)
		ret = rl_store_exec(s, m->sql_after, err);
	return ret < 0 ? rl_err_prefix(err, ret, "schema migration to version %d", m->version) : 0;
}

/* The SQLite file's size as its pages count it; -errno. */
static int64_t file_bytes(struct rl_store *s, struct rl_err *err)
{
	struct rl_sql_stmt *q;
	int64_t v = 0;
	int ret;

	ret = rl_store_prepare(s, "SELECT page_count * page_size FROM pragma_page_count(),"
			       " pragma_page_size()", &q, err);
	if (ret < 0)
		return ret;
	ret = rl_store_query_i64(s, q, &v, err, "the database's size");
	return ret < 0 ? ret : v;
}

/*
 * A migration rewrote most of an SQLite store: the pages it freed stay in
 * the file until a VACUUM gives them back (v5 packed the cells to a tenth
 * of their size). Outside any transaction, after the migration committed.
 */
static int vacuum(struct rl_store *s, struct rl_err *err)
{
	struct rl_store_migrated *m = &s->migrated;
	uint64_t t0 = rl_now_ns();
	int64_t before = file_bytes(s, err), after;
	int ret;

	if (before < 0)
		return (int)before;
	ret = rl_store_exec(s, "VACUUM", err);
	if (ret < 0)
		return rl_err_prefix(err, ret, "VACUUM after the schema migration");
	after = file_bytes(s, err);
	if (after < 0)
		return (int)after;
	m->vacuumed = true;
	m->bytes_before = before;
	m->bytes_after = after;
	m->vacuum_ns = (int64_t)(rl_now_ns() - t0);
	return 0;
}

/*
 * A migration rebuilt tables of a PostgreSQL store: the planner's
 * statistics of the new ones are empty until autovacuum gets to them, and
 * it would plan the first queries on tables it thinks empty. ANALYZE gives
 * them now (VACUUM, which cannot run in a transaction, is not needed: a
 * rebuilt table has no dead rows).
 */
static int analyze(struct rl_store *s, struct rl_err *err)
{
	int ret = rl_store_exec(s, "ANALYZE", err);

	return ret < 0 ? rl_err_prefix(err, ret, "ANALYZE after the schema migration") : 0;
}

int rl_store_migrate(struct rl_store *s, struct rl_err *err)
{
	uint64_t t0 = rl_now_ns();
	bool rewrites = false, any = false, applied[NMIGRATIONS] = { false };
	int version, ret;
	size_t i;

	ret = s->db->ops->get_version(s->db, &version, err);
	s->migrated.from = s->migrated.to = version;
	if (ret < 0 || version >= rl_store_schema_version())
		return ret;
	ret = rl_store_begin(s, true, err);
	if (ret < 0)
		return ret;
	for (i = 0; !ret && i < NMIGRATIONS; i++) {
		if (migrations[i].version <= version)
			continue;
		ret = apply(s, &migrations[i], err);
		applied[i] = ret > 0;
		any |= applied[i];
		rewrites |= applied[i] && migrations[i].rewrites;
		if (ret < 0)
			rl_err_prefix(err, ret, "schema migration to version %d",
				      migrations[i].version);
		ret = ret < 0 ? ret : 0;
	}
	for (i = 0; !ret && i < NMIGRATIONS; i++)
		if (applied[i])
			ret = convert(s, &migrations[i], err);
	ret = rl_store_end(s, ret, err);
	if (ret < 0)
		return ret;
	/* Another daemon migrated it while this one waited for the lock: nothing done here. */
	if (!any)
		return 0;
	s->migrated.to = rl_store_schema_version();
	s->migrated.migrate_ns = (int64_t)(rl_now_ns() - t0);
	/* A new store (version 0) has nothing to give back. */
	if (!rewrites || !version)
		return 0;
	return s->kind == RL_STORE_SQLITE ? vacuum(s, err) : analyze(s, err);
}

void rl_store_migration(const struct rl_store *s, struct rl_store_migrated *out)
{
	*out = s->migrated;
}
