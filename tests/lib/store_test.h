/* SPDX-License-Identifier: MIT */
/*
 * The store a store test works on: the SQLite file it names, or, with
 * RL_TEST_STORE=postgresql, the PostgreSQL database RL_TEST_PG_CONNINFO
 * names (tests/pg/store_units.sh starts a server and makes one database per
 * test). Also SQL run beside the store, in each backend's own dialect.
 */
#ifndef RINGLAB_TESTS_LIB_STORE_TEST_H
#define RINGLAB_TESTS_LIB_STORE_TEST_H

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpq-fe.h>
#include <sqlite3.h>

#include "store/store.h"
#include "check.h"
#include "store_undo.h"

/*
 * OK(call): check that @call returns >= 0, printing its rl_err; E inside
 * @call names that rl_err. Evaluates to the call's return value.
 */
#define OK(call)                                                                        \
	({                                                                              \
		struct rl_err e_ = { "" };                                              \
		int r_ = (call);                                                        \
		CHECK(r_ >= 0, "%s: %d (%s)", #call, r_, e_.msg);                       \
		r_;                                                                     \
	})
#define E (&e_)

/* Remove the SQLite file @db_path with its WAL, and the test's directory @dir. */
static inline void store_test_remove(const char *dir, const char *db_path)
{
	const char *suffix[] = { "", "-wal", "-shm", "-journal" };
	char path[4200];

	for (size_t i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
		snprintf(path, sizeof(path), "%s%s", db_path, suffix[i]);
		unlink(path);
	}
	CHECK(rmdir(dir) == 0, "temporary directory %s left behind", dir);
}

static inline bool store_test_pg(void)
{
	const char *kind = getenv("RL_TEST_STORE");

	return kind && !strcmp(kind, "postgresql");
}

static inline const char *store_test_conninfo(void)
{
	const char *c = getenv("RL_TEST_PG_CONNINFO");

	return c ? c : "";
}

/* rl_store_open() on @path, or on the test's PostgreSQL database. */
static inline int store_test_open(const char *path, struct rl_store **s, struct rl_err *err)
{
	struct rl_store_conf c = { .kind = RL_STORE_SQLITE, .path = path };

	if (store_test_pg()) {
		c.kind = RL_STORE_POSTGRESQL;
		c.conninfo = store_test_conninfo();
	}
	return rl_store_open_conf(&c, s, err);
}

/*
 * The temporary directory @dir (a mkdtemp() template, made in place), the
 * path of its database in @db_path (@size bytes) and the store opened there
 * (store_test_open()). Returns 0, or -1 with nothing left behind.
 */
static inline int store_test_begin(char *dir, char *db_path, size_t size, struct rl_store **s)
{
	struct rl_err err = { "" };

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return -1;
	}
	snprintf(db_path, size, "%s/ringlab.db", dir);
	if (store_test_open(db_path, s, &err) < 0) {
		CHECK(0, "open the store %s: %s", db_path, err.msg);
		store_test_remove(dir, db_path);
		return -1;
	}
	return 0;
}

/* Run @sqlite on the file @path, or @pg on the test's database. Returns whether it worked. */
static inline bool store_test_raw(const char *path, const char *sqlite, const char *pg)
{
	sqlite3 *db = NULL;
	PGconn *conn;
	PGresult *res;
	char *msg = NULL;
	bool ok;
	int rc;

	if (store_test_pg()) {
		conn = PQconnectdb(store_test_conninfo());
		res = PQexec(conn, pg);
		ok = PQresultStatus(res) == PGRES_COMMAND_OK || PQresultStatus(res) == PGRES_TUPLES_OK;
		CHECK(ok, "%s: %s", pg, PQerrorMessage(conn));
		PQclear(res);
		PQfinish(conn);
		return ok;
	}
	rc = sqlite3_open(path, &db);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, sqlite, NULL, NULL, &msg);
	CHECK(rc == SQLITE_OK, "%s: %s", sqlite, msg ? msg : sqlite3_errstr(rc));
	sqlite3_free(msg);
	sqlite3_close(db);
	return rc == SQLITE_OK;
}

/* The first column of @sql's first row on the file @path or the test's database; -1 on error. */
static inline long long store_test_int(const char *path, const char *sql)
{
	sqlite3_stmt *q = NULL;
	sqlite3 *db = NULL;
	PGconn *conn;
	PGresult *res;
	long long v = -1;

	if (store_test_pg()) {
		conn = PQconnectdb(store_test_conninfo());
		res = PQexec(conn, sql);
		if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) > 0)
			v = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
		CHECK(v >= 0, "%s: %s", sql, PQerrorMessage(conn));
		PQclear(res);
		PQfinish(conn);
		return v;
	}
	if (sqlite3_open(path, &db) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, sql, -1, &q, NULL) == SQLITE_OK && sqlite3_step(q) == SQLITE_ROW)
		v = sqlite3_column_int64(q, 0);
	CHECK(v >= 0, "%s: %s", sql, sqlite3_errmsg(db));
	sqlite3_finalize(q);
	sqlite3_close(db);
	return v;
}

/*
 * Check that the per-host cell counts (/metrics' ringlab_cells_total) equal
 * the cell rows of each host's runs in the store at @path. Returns the
 * number of hosts with cells.
 */
static inline int store_test_check_host_cells(struct rl_store *s, const char *path)
{
	static const char count[] = "SELECT count(*) FROM cell_summaries c JOIN runs r"
				    " ON r.id = c.run_id WHERE COALESCE(r.host, '') = '%s'"
				    " AND c.failed %s 0";
	struct rl_store_host_counts v;
	struct rl_err err = { "" };
	long long ok, failed, all = 0, seen = 0;
	char sql[512];
	int hosts = 0;

	if (rl_store_host_counts(s, &v, &err) < 0) {
		CHECK(0, "host counts: %s", err.msg);
		return 0;
	}
	for (size_t i = 0; i < v.n; i++) {
		snprintf(sql, sizeof(sql), count, v.hosts[i].host, "=");
		ok = store_test_int(path, sql);
		snprintf(sql, sizeof(sql), count, v.hosts[i].host, "<>");
		failed = store_test_int(path, sql);
		CHECK(ok == (long long)v.hosts[i].cells_ok && failed == (long long)v.hosts[i].cells_failed,
		      "host '%s': %llu cells ok, %llu failed counted; %lld, %lld stored",
		      v.hosts[i].host, (unsigned long long)v.hosts[i].cells_ok,
		      (unsigned long long)v.hosts[i].cells_failed, ok, failed);
		hosts += ok + failed > 0;
		seen += ok + failed;
	}
	all = store_test_int(path, "SELECT count(*) FROM cell_summaries");
	CHECK(all == seen, "%lld cell rows, %lld of them on a counted host", all, seen);
	rl_store_host_counts_free(&v);
	return hosts;
}

/* A connection holding what blocks every writer of runs: SQLite's write lock, a PostgreSQL table lock. */
struct store_test_lock {
	sqlite3 *db;
	PGconn *pg;
};

/* Take it on @path (or the test's database). Returns whether it is held. */
static inline bool store_test_lock_hold(const char *path, struct store_test_lock *l)
{
	PGresult *res;
	bool ok;

	memset(l, 0, sizeof(*l));
	if (store_test_pg()) {
		l->pg = PQconnectdb(store_test_conninfo());
		res = PQexec(l->pg, "BEGIN; LOCK TABLE runs IN EXCLUSIVE MODE");
		ok = PQresultStatus(res) == PGRES_COMMAND_OK;
		CHECK(ok, "cannot lock table runs: %s", PQerrorMessage(l->pg));
		PQclear(res);
		return ok;
	}
	ok = sqlite3_open(path, &l->db) == SQLITE_OK &&
	     sqlite3_exec(l->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK;
	CHECK(ok, "cannot hold the write lock: %s", sqlite3_errmsg(l->db));
	return ok;
}

/* Commit and close; the lock is released. */
static inline void store_test_lock_release(struct store_test_lock *l)
{
	if (l->pg) {
		PQclear(PQexec(l->pg, "COMMIT"));
		PQfinish(l->pg);
	}
	if (l->db) {
		sqlite3_exec(l->db, "COMMIT", NULL, NULL, NULL);
		sqlite3_close(l->db);
	}
	memset(l, 0, sizeof(*l));
}

#endif
