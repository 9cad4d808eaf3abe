/* SPDX-License-Identifier: MIT */
/* What the two files of the PostgreSQL backend share (sql_pg.c, sql_pg_stmt.c). */
#ifndef RINGLAB_DAEMON_STORE_SQL_PG_H
#define RINGLAB_DAEMON_STORE_SQL_PG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "sql.h"

struct pg_conn {
	struct rl_sql base;
	PGconn *pg;
	bool in_txn;	/* a lost connection is reconnected only outside a transaction */
	/* A statement of the open transaction failed as a newer schema makes one: the rollback reads the version. */
	bool suspect;
	/* The statements prepared on this session (sql_pg_cache.c). */
	struct pg_prepared *cached;
	size_t ncached;
	uint64_t tick, names;
};

/*
 * rl_sql_pg_err() - what failed, as -errno from @res's SQLSTATE (or the
 * connection's state when there is no @res), "WHAT: PostgreSQL's message"
 * in @err (@what NULL: the message). A SQLSTATE a newer schema causes has
 * the store's version read (outside a transaction now, else at its
 * rollback): -ENOTSUP with rl_sql_newer_err()'s words when it moved on.
 */
int rl_sql_pg_err(struct pg_conn *c, const PGresult *res, struct rl_err *err, const char *what);

/*
 * rl_sql_pg_ready() - the connection, reconnected if it was lost and no
 * transaction was open on it (then the store's schema version read again).
 * Returns 0, -ENOTCONN with the reason, or -ENOTSUP once the store was
 * found at a newer schema than this code knows (rl_sql_newer_err()).
 */
int rl_sql_pg_ready(struct pg_conn *c, struct rl_err *err);

/* rl_sql_pg_prepare() - the ops' prepare (no round trip: errors come at the step). */
int rl_sql_pg_prepare(struct rl_sql *c, const char *sql, struct rl_sql_stmt **q,
		      struct rl_err *err);

/* rl_sql_pg_prepare_rows() - the ops' prepare_rows: a binary COPY (sql_pg_copy.c). */
int rl_sql_pg_prepare_rows(struct rl_sql *c, const struct rl_sql_rows *r, int nrows,
			   struct rl_sql_stmt **q, struct rl_err *err);

/*
 * rl_sql_pg_prepared() - the name of @sql with @types prepared on @c's
 * session: PQprepare'd on its first use, found in the cache after. Returns
 * 0 with the name (valid until the cache is cleared or the next call) in
 * @name, or -errno as rl_sql_pg_err() (a bad SQL text, the connection lost).
 */
int rl_sql_pg_prepared(struct pg_conn *c, const char *sql, int nparams, const Oid *types,
		       const char **name, struct rl_err *err);

/* rl_sql_pg_cache_clear() - forget @c's prepared statements: its session is gone. */
void rl_sql_pg_cache_clear(struct pg_conn *c);

#endif
