/* SPDX-License-Identifier: MIT */
/* What the two files of the PostgreSQL backend share (sql_pg.c, sql_pg_stmt.c). */
#ifndef RINGLAB_DAEMON_STORE_SQL_PG_H
#define RINGLAB_DAEMON_STORE_SQL_PG_H

#include <stdbool.h>

#include <libpq-fe.h>

#include "sql.h"

struct pg_conn {
	struct rl_sql base;
	PGconn *pg;
	bool in_txn;	/* a lost connection is reconnected only outside a transaction */
};

/*
 * rl_sql_pg_err() - what failed, as -errno from @res's SQLSTATE (or the
 * connection's state when there is no @res), "WHAT: PostgreSQL's message"
 * in @err (@what NULL: the message).
 */
int rl_sql_pg_err(struct pg_conn *c, const PGresult *res, struct rl_err *err, const char *what);

/*
 * rl_sql_pg_ready() - the connection, reconnected if it was lost and no
 * transaction was open on it. Returns 0, or -ENOTCONN with the reason.
 */
int rl_sql_pg_ready(struct pg_conn *c, struct rl_err *err);

/* rl_sql_pg_prepare() - the ops' prepare (no round trip: errors come at the step). */
int rl_sql_pg_prepare(struct rl_sql *c, const char *sql, struct rl_sql_stmt **q,
		      struct rl_err *err);

#endif
