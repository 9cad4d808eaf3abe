/* SPDX-License-Identifier: MIT */
/* test_store_pg: the PostgreSQL store's own behaviour: migrations (fresh, concurrent, a newer schema and a foreign database refused untouched), a session the server ended replaced before the next transaction, a store another daemon migrated past this code found and refused, statements prepared once per session, binary-safe blobs and int64. Run by tests/pg/store_units.sh; 77 without RL_TEST_STORE=postgresql. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/sql.h"
#include "../lib/check.h"
#include "../lib/store_test.h"

#define OPENERS 4

static char conninfo[4400];

/* @sql on the database the test was given. Returns whether it worked. */
static bool on_base(const char *sql)
{
	PGconn *c = PQconnectdb(store_test_conninfo());
	PGresult *r = PQexec(c, sql);
	bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;

	CHECK(ok, "%s: %s", sql, PQerrorMessage(c));
	PQclear(r);
	PQfinish(c);
	return ok;
}

/* A fresh database @name on the test's server; conninfo[] then names it. */
static bool fresh_db(const char *name)
{
	char sql[128];

	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s", name);
	on_base(sql);
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s", name);
	if (!on_base(sql))
		return false;
	/* A keyword given twice: the last one counts. */
	snprintf(conninfo, sizeof(conninfo), "%s dbname=%s", store_test_conninfo(), name);
	return true;
}

/* The one integer @sql answers on conninfo[]'s database, or -1. */
static long long value(const char *sql)
{
	PGconn *c = PQconnectdb(conninfo);
	PGresult *r = PQexec(c, sql);
	long long v = -1;

	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
		v = atoll(PQgetvalue(r, 0, 0));
	else
		CHECK(0, "%s: %s", sql, PQerrorMessage(c));
	PQclear(r);
	PQfinish(c);
	return v;
}

static bool on_db(const char *sql)
{
	PGconn *c = PQconnectdb(conninfo);
	PGresult *r = PQexec(c, sql);
	bool ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;

	CHECK(ok, "%s: %s", sql, PQerrorMessage(c));
	PQclear(r);
	PQfinish(c);
	return ok;
}

static int open_pg(struct rl_store **s, struct rl_err *err)
{
	const struct rl_store_conf c = { .kind = RL_STORE_POSTGRESQL, .conninfo = conninfo };

	return rl_store_open_conf(&c, s, err);
}

struct opener {
	int ret;
	struct rl_err err;
};

static pthread_barrier_t start_line;

static void *open_thread(void *arg)
{
	struct opener *o = arg;
	struct rl_store *s = NULL;

	pthread_barrier_wait(&start_line);
	o->ret = open_pg(&s, &o->err);
	rl_store_close(s);
	return NULL;
}

/* Daemons starting together on an empty database: every one opens, each migration runs once. */
static void test_concurrent_migrations(void)
{
	struct opener o[OPENERS] = { 0 };
	pthread_t t[OPENERS];
	int i;

	if (!fresh_db("rl_concurrent"))
		return;
	pthread_barrier_init(&start_line, NULL, OPENERS);
	for (i = 0; i < OPENERS; i++)
		pthread_create(&t[i], NULL, open_thread, &o[i]);
	for (i = 0; i < OPENERS; i++) {
		pthread_join(t[i], NULL);
		CHECK(o[i].ret == 0, "opener %d: %d (%s)", i, o[i].ret, o[i].err.msg);
	}
	pthread_barrier_destroy(&start_line);
	CHECK(value("SELECT count(*) FROM ringlab_schema") == 1, "one version row");
	CHECK(value("SELECT version FROM ringlab_schema") == rl_store_schema_version(),
	      "schema at version %d", rl_store_schema_version());
	CHECK(value("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == 8,
	      "runs, cells, progress, nightly_reports, ringlab_schema, workload_names,"
	      " cell_summaries and run_details");
}

/* A newer schema and another application's tables are refused, and nothing is written. */
static void test_refused(void)
{
	struct rl_store *s = (struct rl_store *)1;
	struct rl_err err = { "" };

	if (!fresh_db("rl_newer") || open_pg(&s, &err) < 0)
		return;
	rl_store_close(s);
	on_db("UPDATE ringlab_schema SET version = 99");
	CHECK(open_pg(&s, &err) == -ENOTSUP && strstr(err.msg, "newer") && strstr(err.msg, "database"),
	      "a newer schema: %s", err.msg);
	CHECK(value("SELECT version FROM ringlab_schema") == 99, "the newer version left alone");
	if (!fresh_db("rl_foreign") || !on_db("CREATE TABLE runs (x int)"))
		return;
	CHECK(open_pg(&s, &err) == -EINVAL && strstr(err.msg, "not a ringlab database"),
	      "another application's runs table: %s", err.msg);
	CHECK(value("SELECT count(*) FROM pg_tables WHERE tablename = 'ringlab_schema'") == 0,
	      "nothing created in a foreign database");
}

/*
 * The server ends an idle session (a restart, pg_terminate_backend): the
 * next call finds it ended before it runs anything and reconnects, rather
 * than failing on a server that answers.
 */
static void test_reconnect(void)
{
	const struct rl_store_run_req req = { .what = "seed", .target = "t", .scale = 1 };
	struct rl_store *s = NULL;
	struct rl_err err = { "" };
	int64_t id = 0;
	int ret;

	if (!fresh_db("rl_reconnect") || open_pg(&s, &err) < 0) {
		CHECK(0, "open: %s", err.msg);
		return;
	}
	on_db("SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity"
	      " WHERE application_name = 'ringlabd' AND datname = 'rl_reconnect'");
	ret = rl_store_quick_check(s, &err);
	CHECK(ret == 0, "the call after the session ended reconnects: %d (%s)", ret, err.msg);
	ret = rl_store_run_create(s, &req, &id, &err);
	CHECK(ret == 0 && id > 0, "and the next one writes: %d (%s)", ret, err.msg);
	CHECK(rl_store_quick_check(s, &err) == 0, "check after the reconnect: %s", err.msg);
	rl_store_close(s);
}

/*
 * Another daemon migrates the store past this code while its connections
 * are open: a statement that fails as the change makes it fail finds out
 * (-ENOTSUP, both versions named) and so does a reconnection and a
 * recheck; every call after is refused. A failure of the same kind on a
 * store still at this code's version stays what it was.
 */
static void test_moved(void)
{
	const struct rl_store_run_req req = { .what = "seed", .target = "t", .scale = 1 };
	struct rl_store *s = NULL, *gone = NULL, *idle = NULL;
	struct rl_err err = { "" };
	char words[128];
	int64_t id = 0;
	int ret, v = 0;

	if (!fresh_db("rl_moved") || open_pg(&s, &err) < 0 || open_pg(&gone, &err) < 0 ||
	    open_pg(&idle, &err) < 0) {
		CHECK(0, "open: %s", err.msg);
		goto out;
	}
	on_db("ALTER TABLE runs RENAME COLUMN label TO label_v10");
	ret = rl_store_run_create(s, &req, &id, &err);
	CHECK(ret < 0 && ret != -ENOTSUP && strstr(err.msg, "label") && !rl_store_newer(s),
	      "a renamed column at this code's version is an error as before: %d (%s)", ret, err.msg);
	on_db("UPDATE ringlab_schema SET version = 10");
	snprintf(words, sizeof(words), "store is at schema 10, this ringlabd knows %d: upgrade ringlabd",
		 rl_store_schema_version());
	ret = rl_store_run_create(s, &req, &id, &err);
	CHECK(ret == -ENOTSUP && !strcmp(err.msg, words) && rl_store_newer(s) == 10,
	      "the failed statement finds schema 10: %d (%s)", ret, err.msg);
	ret = rl_store_quick_check(s, &err);
	CHECK(ret == -ENOTSUP && !strcmp(err.msg, words), "every call after is refused: %d (%s)", ret,
	      err.msg);
	ret = rl_store_recheck(idle, &v, &err);
	CHECK(ret == -ENOTSUP && v == 10 && !strcmp(err.msg, words), "a recheck finds schema 10: %d, %d (%s)",
	      ret, v, err.msg);
	on_db("SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity"
	      " WHERE application_name = 'ringlabd' AND datname = 'rl_moved'");
	/* The idle session the server ended is replaced before the call, not failed by it. */
	ret = rl_store_quick_check(gone, &err);
	CHECK(ret == -ENOTSUP && rl_store_newer(gone) == 10, "the reconnection finds schema 10: %d (%s)",
	      ret, err.msg);
	CHECK(value("SELECT count(*) FROM runs") == 0, "nothing written");
out:
	rl_store_close(s);
	rl_store_close(gone);
	rl_store_close(idle);
}

/* Bytes with NULs and high bits, and integers past 2^32, come back as they went. */
static void test_types(void)
{
	static const unsigned char bytes[] = { 0, 1, 0xff, 0, '\\', 'x', 0x80, 0 };
	const int64_t big = 1790000000123456789LL;
	struct rl_sql_stmt *q = NULL;
	struct rl_err err = { "" };
	struct rl_sql *c = NULL;
	const void *got;
	size_t n = 0;

	if (!fresh_db("rl_types") || rl_sql_pg_open(conninfo, NULL, &c, &err) < 0) {
		CHECK(0, "open: %s", err.msg);
		return;
	}
	CHECK(c->ops->exec(c, "CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER, b BLOB, d REAL)",
			   &err) == 0, "create: %s", err.msg);
	CHECK(c->ops->prepare(c, "INSERT INTO t (n, b, d) VALUES (?, ?, ?)", &q, &err) == 0,
	      "prepare: %s", err.msg);
	rl_sql_bind_i64(q, 1, big);
	rl_sql_bind_blob(q, 2, bytes, sizeof(bytes));
	rl_sql_bind_double(q, 3, 0.1 + 0.2);
	CHECK(rl_sql_step(q, &err) == 0 && rl_sql_changes(q) == 1, "insert: %s", err.msg);
	rl_sql_finalize(q);
	CHECK(c->ops->prepare(c, "SELECT n, b, d FROM t WHERE n = ?", &q, &err) == 0,
	      "prepare: %s", err.msg);
	rl_sql_bind_i64(q, 1, big);
	CHECK(rl_sql_step(q, &err) == 1, "select: %s", err.msg);
	CHECK(rl_sql_col_i64(q, 0) == big, "int64 back: %lld", (long long)rl_sql_col_i64(q, 0));
	got = rl_sql_col_blob(q, 1, &n);
	CHECK(got && n == sizeof(bytes) && !memcmp(got, bytes, n), "blob back: %zu bytes", n);
	CHECK(rl_sql_col_double(q, 2) == 0.1 + 0.2, "double back: %.17g", rl_sql_col_double(q, 2));
	CHECK(rl_sql_step(q, &err) == 0, "one row only");
	rl_sql_finalize(q);
	c->ops->close(c);
}

/* The one integer @sql (with ?1 bound to @arg) answers on @c, or -1 with a CHECK failed. */
static long long answer(struct rl_sql *c, const char *sql, int64_t arg)
{
	struct rl_sql_stmt *q = NULL;
	struct rl_err err = { "" };
	long long v = -1;
	int ret;

	if (c->ops->prepare(c, sql, &q, &err) < 0) {
		CHECK(0, "prepare %s: %s", sql, err.msg);
		return -1;
	}
	rl_sql_bind_i64(q, 1, arg);
	ret = rl_sql_step(q, &err);
	if (ret == 1)
		v = rl_sql_col_i64(q, 0);
	else
		CHECK(0, "%s: %d (%s)", sql, ret, err.msg);
	rl_sql_finalize(q);
	return v;
}

/*
 * A statement run again is the session's prepared one, parsed once; a
 * reconnect (a new session) prepares it again; past the cache's 128 texts
 * the oldest are deallocated on the server.
 */
static void test_prepared(void)
{
	const char *count = "SELECT count(*) + 0 * ?1 FROM pg_prepared_statements"
			    " WHERE statement LIKE 'SELECT $1 + 1%'";
	struct rl_err err = { "" };
	struct rl_sql *c = NULL;
	char sql[64];

	if (!fresh_db("rl_prepared") || rl_sql_pg_open(conninfo, NULL, &c, &err) < 0) {
		CHECK(0, "open: %s", err.msg);
		return;
	}
	for (int i = 0; i < 3; i++)
		CHECK(answer(c, "SELECT ?1 + 1", i) == i + 1, "run %d of the statement", i);
	CHECK(answer(c, count, 0) == 1, "one prepared statement for three runs of a text");
	on_db("SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity"
	      " WHERE application_name = 'ringlabd' AND datname = 'rl_prepared'");
	CHECK(c->ops->check(c, &err) == 0, "the call after the session ended reconnects: %s", err.msg);
	CHECK(answer(c, "SELECT ?1 + 1", 41) == 42, "the statement after a reconnect");
	for (int i = 0; i < 200; i++) {
		snprintf(sql, sizeof(sql), "SELECT ?1 + %d", i + 2);
		CHECK(answer(c, sql, 1) == i + 3, "%s", sql);
	}
	CHECK(answer(c, "SELECT count(*) + 0 * ?1 FROM pg_prepared_statements", 0) <= 128,
	      "at most 128 statements kept on the server");
	CHECK(answer(c, "SELECT ?1 + 1", 1) == 2, "an evicted statement prepared again");
	c->ops->close(c);
}

int main(void)
{
	if (!store_test_pg()) {
		fprintf(stderr, "SKIP: needs RL_TEST_STORE=postgresql and RL_TEST_PG_CONNINFO (tests/pg/store_units.sh)\n");
		return 77;
	}
	test_concurrent_migrations();
	test_refused();
	test_reconnect();
	test_moved();
	test_types();
	test_prepared();
	return check_exit();
}
