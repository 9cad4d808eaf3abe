/* SPDX-License-Identifier: MIT */
/* What the two files of the SQLite backend share (sql_sqlite.c, sql_sqlite_stmt.c). */
#ifndef RINGLAB_DAEMON_STORE_SQL_SQLITE_H
#define RINGLAB_DAEMON_STORE_SQL_SQLITE_H

#include <sqlite3.h>

#include "sql.h"

struct sqlite_conn {
	struct rl_sql base;
	sqlite3 *db;
};

/* rl_sql_sqlite_err() - SQLite result @rc as -errno, "WHAT: SQLite's message" in @err (@what NULL: the message). */
int rl_sql_sqlite_err(sqlite3 *db, int rc, struct rl_err *err, const char *what);

/* rl_sql_sqlite_prepare_rows() - the ops' prepare_rows: one INSERT of @nrows rows. Returns 0 or -errno. */
int rl_sql_sqlite_prepare_rows(struct rl_sql *c, const struct rl_sql_rows *r, int nrows,
			       struct rl_sql_stmt **q, struct rl_err *err);

/* rl_sql_sqlite_prepare() - the ops' prepare. Returns 0 or -errno. */
int rl_sql_sqlite_prepare(struct rl_sql *c, const char *sql, struct rl_sql_stmt **q,
			  struct rl_err *err);

#endif
