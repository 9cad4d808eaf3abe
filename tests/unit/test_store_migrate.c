/* SPDX-License-Identifier: MIT */
/* test_store_migrate: schema versions: fresh, reopened, newer or foreign (refused untouched), failed migration rolled back, concurrent opens and a writer during the switch to WAL, version 2 nightly reports kept by version 3 (eagain-changed). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store/store.h"
#include "../lib/check.h"
#include "../lib/store_undo.h"

static char dir[] = "/tmp/test_store_migrate.XXXXXX";

static void db_file(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/%s", dir, name);
}

/* Run @sql on @path with plain SQLite (no store); false on error. */
static bool raw_exec(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	bool ok;

	ok = sqlite3_open(path, &db) == SQLITE_OK &&
	     sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK;
	CHECK(ok, "%s on %s: %s", sql, path, sqlite3_errmsg(db));
	sqlite3_close(db);
	return ok;
}

/* The first column of the first row of @sql, as an int (-1 on error). */
static int raw_int(const char *path, const char *sql)
{
	sqlite3_stmt *q = NULL;
	sqlite3 *db = NULL;
	int v = -1;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, sql, -1, &q, NULL) == SQLITE_OK &&
	    sqlite3_step(q) == SQLITE_ROW)
		v = sqlite3_column_int(q, 0);
	else
		CHECK(0, "%s on %s: %s", sql, path, sqlite3_errmsg(db));
	sqlite3_finalize(q);
	sqlite3_close(db);
	return v;
}

/* The whole file, for "left untouched"; NULL on error. */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rbe");
	char *buf = NULL;
	long n;

	if (f && fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)n + 1);
		if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		}
		*len = (size_t)n;
	}
	if (f)
		fclose(f);
	CHECK(buf != NULL, "cannot read %s", path);
	return buf;
}

static bool same_bytes(const char *path, const char *before, size_t len)
{
	size_t now_len = 0;
	char *now = slurp(path, &now_len);
	bool same = now && before && now_len == len && memcmp(now, before, len) == 0;

	free(now);
	return same;
}

static void test_fresh_and_reopen(void)
{
	const int latest = rl_store_schema_version();
	struct rl_store *s = NULL;
	struct rl_err err = { "" };
	char path[4200];
	char *before;
	size_t len = 0;

	db_file(path, sizeof(path), "fresh.db");
	CHECK(latest >= 1, "schema version %d", latest);
	CHECK(rl_store_open(path, &s, &err) == 0, "fresh open: %s", err.msg);
	rl_store_close(s);
	CHECK(raw_int(path, "PRAGMA user_version") == latest, "fresh database not at version %d",
	      latest);
	CHECK(raw_int(path, "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
		      " AND name IN ('runs', 'cells', 'progress')") == 3, "tables missing");
	CHECK(raw_int(path, "SELECT count(*) FROM sqlite_master WHERE type = 'index'"
		      " AND name LIKE 'runs_%'") >= 5, "listing indexes missing");
	CHECK(raw_int(path, "SELECT 1 FROM pragma_table_info('runs') WHERE name = 'kernel_release'")
	      == 1, "runs.kernel_release missing");

	before = slurp(path, &len);
	/* Header bytes 18 and 19 (file format write/read versions) are 2 in WAL mode. */
	CHECK(before && len > 19 && before[18] == 2 && before[19] == 2, "not in WAL mode");
	s = NULL;
	CHECK(rl_store_open(path, &s, &err) == 0, "reopen: %s", err.msg);
	rl_store_close(s);
	CHECK(raw_int(path, "PRAGMA user_version") == latest, "reopen changed user_version");
	CHECK(same_bytes(path, before, len), "reopening changed the database file");
	free(before);
}

/* A database from a newer ringlab (or another program) is refused, byte for byte untouched. */
static void test_refused(const char *name, const char *setup, int want, const char *msg)
{
	struct rl_store *s = NULL;
	struct rl_err err = { "" };
	char path[4200];
	char *before;
	size_t len = 0;
	int ret;

	db_file(path, sizeof(path), name);
	if (!raw_exec(path, setup))
		return;
	before = slurp(path, &len);
	ret = rl_store_open(path, &s, &err);
	CHECK(ret == want, "%s: open returned %d (%s), want %d", name, ret, err.msg, want);
	CHECK(s == NULL, "%s: a store came back", name);
	CHECK(strstr(err.msg, msg) != NULL, "%s: message \"%s\" lacks \"%s\"", name, err.msg, msg);
	CHECK(strstr(err.msg, path) != NULL, "%s: message \"%s\" lacks the path", name, err.msg);
	CHECK(same_bytes(path, before, len), "%s: the refused database was changed", name);
	free(before);
	rl_store_close(s);
}

/* A migration that fails leaves the database at the version before it, with nothing half-made. */
static void test_failed_migration(void)
{
	struct rl_store *s = NULL;
	struct rl_err err = { "" };
	char path[4200];
	int ret;

	db_file(path, sizeof(path), "clash.db");
	/* A table the first migration creates last: everything before it must roll back. */
	if (!raw_exec(path, "CREATE TABLE progress (x)"))
		return;
	ret = rl_store_open(path, &s, &err);
	CHECK(ret < 0 && s == NULL, "open over a clashing table: %d", ret);
	CHECK(strstr(err.msg, "migration to version 1") != NULL, "message: %s", err.msg);
	CHECK(raw_int(path, "PRAGMA user_version") == 0, "user_version moved");
	CHECK(raw_int(path, "SELECT count(*) FROM sqlite_master WHERE name IN ('runs', 'cells')")
	      == 0, "a failed migration left tables behind");
}

static void test_not_a_database(void)
{
	struct rl_store *s = NULL;
	struct rl_err err = { "" };
	char path[4200], junk[4096];
	FILE *f;
	int ret;

	db_file(path, sizeof(path), "junk.db");
	memset(junk, 'j', sizeof(junk));
	f = fopen(path, "we");
	if (!f || fwrite(junk, 1, sizeof(junk), f) != sizeof(junk)) {
		CHECK(0, "cannot write %s", path);
		if (f)
			fclose(f);
		return;
	}
	fclose(f);
	ret = rl_store_open(path, &s, &err);
	CHECK(ret == -EIO, "open of a non-database: %d (%s)", ret, err.msg);
	CHECK(same_bytes(path, junk, sizeof(junk)), "the non-database was changed");
}

#define NOPENERS 8

static pthread_barrier_t start_line;

struct opener {
	const char *path;
	int ret;
	struct rl_err err;
};

static void *open_thread(void *arg)
{
	struct opener *o = arg;
	struct rl_store *s = NULL;

	/* All at once, so several find version 0 before the first migration commits. */
	pthread_barrier_wait(&start_line);
	o->ret = rl_store_open(o->path, &s, &o->err);
	rl_store_close(s);
	return NULL;
}

/* Two daemons' connections migrating one new file at once: both succeed, once. */
static void test_concurrent_open(void)
{
	struct opener o[NOPENERS];
	pthread_t t[NOPENERS];
	char path[4200];
	int i;

	db_file(path, sizeof(path), "race.db");
	pthread_barrier_init(&start_line, NULL, NOPENERS);
	for (i = 0; i < NOPENERS; i++) {
		o[i] = (struct opener){ .path = path, .ret = 1 };
		if (pthread_create(&t[i], NULL, open_thread, &o[i])) {
			/* The barrier would never open: give up on the whole test. */
			fprintf(stderr, "pthread_create failed\n");
			exit(1);
		}
	}
	for (i = 0; i < NOPENERS; i++) {
		pthread_join(t[i], NULL);
		CHECK(o[i].ret == 0, "concurrent open %d: %d (%s)", i, o[i].ret, o[i].err.msg);
	}
	pthread_barrier_destroy(&start_line);
	CHECK(raw_int(path, "PRAGMA user_version") == rl_store_schema_version(),
	      "concurrently opened database not at the latest version");
}

/* Ends the writer's transaction after a while, from another thread. */
static void *end_write(void *arg)
{
	const struct timespec hold = { 0, 300 * 1000000L };

	nanosleep(&hold, NULL);
	sqlite3_exec(arg, "COMMIT", NULL, NULL, NULL);
	return NULL;
}

/*
 * Another connection is writing to a file not yet in WAL mode while a store
 * opens it (as a second opener of a new file is, switching it): switching
 * to WAL takes the write lock from inside a read, an upgrade for which
 * SQLite answers "database is locked" at once and calls no busy handler,
 * so the open must wait for the writer itself. This is what made
 * test_concurrent_open fail about once in 60 runs.
 */
static void test_wal_switch_waits_for_writer(void)
{
	struct rl_store *s = NULL;
	struct rl_err err = { "" };
	sqlite3 *writer = NULL;
	char path[4200], *head;
	size_t len = 0;
	pthread_t t;
	int ret;

	db_file(path, sizeof(path), "writer.db");
	if (!raw_exec(path, "CREATE TABLE t (x)"))
		return;
	CHECK(sqlite3_open(path, &writer) == SQLITE_OK &&
	      sqlite3_exec(writer, "BEGIN IMMEDIATE; INSERT INTO t VALUES (1)", NULL, NULL,
			   NULL) == SQLITE_OK, "writer: %s", sqlite3_errmsg(writer));
	if (pthread_create(&t, NULL, end_write, writer)) {
		fprintf(stderr, "pthread_create failed\n");
		exit(1);
	}
	ret = rl_store_open(path, &s, &err);
	pthread_join(t, NULL);
	CHECK(ret == 0, "open beside a writer: %d (%s)", ret, err.msg);
	rl_store_close(s);
	sqlite3_close(writer);
	head = slurp(path, &len);
	CHECK(head && len > 19 && head[18] == 2 && head[19] == 2, "not switched to WAL");
	free(head);
}

/*
 * Version 4 adds the host columns to a version 3 database's runs, which keep
 * their rows (host NULL: not recorded), and indexes host. The v3 database is
 * today's with versions 4 and 5 taken out again.
 */
static void test_v4_hosts(void)
{
	struct rl_store *s = NULL;
	struct rl_err err = { "" };
	char path[4200];

	db_file(path, sizeof(path), "v3.db");
	CHECK(rl_store_open(path, &s, &err) == 0, "v3: create: %s", err.msg);
	rl_store_close(s);
	s = NULL;
	if (!raw_exec(path, "INSERT INTO runs (id, created, status, what, target, scale)"
		      " VALUES (5, 1, 'done', 'seed', 'vm', 1);"
		      STORE_TEST_UNDO_V8 STORE_TEST_UNDO_V7 STORE_TEST_UNDO_V6 STORE_TEST_UNDO_V5 STORE_TEST_UNDO_V4 "PRAGMA user_version = 3"))
		return;
	CHECK(rl_store_open(path, &s, &err) == 0, "v3 open: %s", err.msg);
	rl_store_close(s);
	CHECK(raw_int(path, "PRAGMA user_version") == rl_store_schema_version(),
	      "v3 not migrated to %d", rl_store_schema_version());
	CHECK(raw_int(path, "SELECT count(*) FROM runs WHERE id = 5 AND host IS NULL"
		      " AND machine_id IS NULL AND guest_host IS NULL") == 1, "v3 run lost or given a host");
	CHECK(raw_int(path, "SELECT count(*) FROM sqlite_master WHERE type = 'index'"
		      " AND name IN ('runs_host', 'runs_machine_id', 'cells_run_failed')") == 3,
	      "host indexes missing");
}

static void cleanup(void)
{
	static const char *const names[] = { "fresh.db", "newer.db", "foreign.db", "clash.db",
					     "junk.db", "race.db", "writer.db", "v2.db", "v3.db" };
	static const char *const suffix[] = { "", "-wal", "-shm", "-journal" };
	char path[4300];
	size_t i, j;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		for (j = 0; j < sizeof(suffix) / sizeof(suffix[0]); j++) {
			snprintf(path, sizeof(path), "%s/%s%s", dir, names[i], suffix[j]);
			unlink(path);
		}
	CHECK(rmdir(dir) == 0, "temporary directory %s left behind", dir);
}

/* A version 2 database keeps its nightly reports and takes an eagain-changed night after 3. */
static void test_v3_nightly_status(void)
{
	struct rl_store *s = NULL;
	struct rl_err err = { "" };
	char path[4200];

	db_file(path, sizeof(path), "v2.db");
	/* A version 2 database has runs and cells too, as later migrations change them. */
	if (!raw_exec(path, "CREATE TABLE runs (id INTEGER PRIMARY KEY, created INTEGER NOT NULL,"
		      " status TEXT, workloads TEXT);"
		      "CREATE TABLE cells (run_id INTEGER NOT NULL, seq INTEGER, failed INTEGER NOT NULL,"
		      " json TEXT);"
		      "CREATE TABLE nightly_reports ("
		      " id INTEGER PRIMARY KEY, created INTEGER NOT NULL, started INTEGER NOT NULL,"
		      " finished INTEGER NOT NULL CHECK (finished >= started),"
		      " status TEXT NOT NULL CHECK (status IN ('ok', 'failed', 'regressed', 'corrupt')),"
		      " label TEXT, summary TEXT NOT NULL, report TEXT NOT NULL CHECK (json_valid(report)));"
		      "CREATE INDEX nightly_reports_created ON nightly_reports (created);"
		      "INSERT INTO nightly_reports VALUES (7, 1, 1, 2, 'regressed', 'n1', 's', '{}');"
		      "PRAGMA application_id = 1380729154; PRAGMA user_version = 2"))
		return;
	CHECK(rl_store_open(path, &s, &err) == 0, "v2 open: %s", err.msg);
	rl_store_close(s);
	CHECK(raw_int(path, "PRAGMA user_version") >= 3, "v2 not migrated");
	CHECK(raw_int(path, "SELECT count(*) FROM nightly_reports WHERE id = 7 AND status = 'regressed'"
		      " AND label = 'n1'") == 1, "v2 report lost in the migration");
	raw_exec(path, "INSERT INTO nightly_reports VALUES (8, 1, 1, 2, 'eagain-changed', NULL, 's',"
		 " '{}')");
	CHECK(raw_int(path, "SELECT count(*) FROM nightly_reports") == 2,
	      "an eagain-changed night is refused");
	CHECK(raw_int(path, "SELECT count(*) FROM sqlite_master WHERE type = 'index'"
		      " AND name = 'nightly_reports_created'") == 1, "index lost in the migration");
}

int main(void)
{
	char newer[160];

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	test_fresh_and_reopen();
	snprintf(newer, sizeof(newer), "CREATE TABLE runs (id INTEGER PRIMARY KEY);"
		 " PRAGMA user_version = %d", rl_store_schema_version() + 1);
	test_refused("newer.db", newer, -ENOTSUP, "newer");
	test_refused("foreign.db", "CREATE TABLE t (x); PRAGMA application_id = 4660", -EINVAL,
		     "not a ringlab database");
	test_failed_migration();
	test_not_a_database();
	test_concurrent_open();
	test_wal_switch_waits_for_writer();
	test_v3_nightly_status();
	test_v4_hosts();
	cleanup();
	return check_exit();
}
