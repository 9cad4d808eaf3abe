/* SPDX-License-Identifier: MIT */
/*
 * The statement layer under the store: one connection to SQLite or to
 * PostgreSQL behind one ops table, so that every query of daemon/store is
 * written once. Shared by the files of daemon/store only (store.h is the
 * store's public face); neither sqlite3.h nor libpq-fe.h leaks past the
 * backend that includes it.
 *
 * SQL is written in the subset both understand: `?` and `?N` placeholders
 * (the PostgreSQL backend numbers them $N the way SQLite does: a bare `?`
 * is one more than the largest number before it), INSERT ... RETURNING id,
 * ON CONFLICT ... DO UPDATE/NOTHING, CASE WHEN EXISTS rather than a bare
 * boolean, json_valid() (SQLite's; the PostgreSQL backend defines it).
 * Schema text (migrate.c) is SQLite's; the PostgreSQL backend translates
 * its type names in one table (sql_dialect.c). A new migration keeps to
 * types in that table: INTEGER, REAL, TEXT, BLOB.
 *
 * Errors: -errno with the backend's message in @err, mapped alike:
 *   -EEXIST  a unique key violated
 *   -EINVAL  another constraint (CHECK, NOT NULL, a foreign key) or a bad value
 *   -EBUSY   locked by another connection past the wait
 *   -ENOTCONN  the server cannot be reached (PostgreSQL only; the next call reconnects)
 *   -ENOTSUP  the store is at a newer schema than this code knows (PostgreSQL
 *            only: found when a statement failed as a changed schema makes
 *            one fail, at a reconnection, or asked; every statement after)
 *   -EIO     anything else: I/O, corruption, SQL only a broken schema causes
 */
#ifndef RINGLAB_DAEMON_STORE_SQL_H
#define RINGLAB_DAEMON_STORE_SQL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"
#include "util/err.h"

struct rl_sql_ops;
struct rl_sql_stmt_ops;

/* A connection; each backend's struct begins with this one. */
struct rl_sql {
	const struct rl_sql_ops *ops;
	/*
	 * The schema version this code knows, set once the store is open (0
	 * before: a migration's errors are its own), and 0 or the newer one a
	 * shared store was found at since (another daemon migrated it): from
	 * then on the backend refuses every statement (rl_sql_newer_err()).
	 * Only the PostgreSQL backend looks: an SQLite store is one daemon's.
	 */
	int known, newer;
};

/* A prepared statement; each backend's struct begins with this one. */
struct rl_sql_stmt {
	const struct rl_sql_stmt_ops *ops;
};

/*
 * A column's type as the schema declares it, for a write of many rows:
 * PostgreSQL's binary COPY sends each value in its column's own width.
 * INTEGER is 64-bit (PostgreSQL's BIGINT), INT 32, SMALLINT 16; REAL a double.
 */
enum rl_sql_type {
	RL_SQL_SMALLINT,
	RL_SQL_INT,
	RL_SQL_INTEGER,
	RL_SQL_REAL,
	RL_SQL_TEXT,
};

/* Rows for rl_sql_ops.prepare_rows: @ncols columns of @table, named in @cols ("a, b, c"). */
struct rl_sql_rows {
	const char *table;
	const char *cols;
	const enum rl_sql_type *types;	/* @ncols of them, in @cols' order */
	int ncols;
};

struct rl_sql_ops {
	void (*close)(struct rl_sql *c);
	/* Statements without parameters or rows, ";"-separated (schema scripts). */
	int (*exec)(struct rl_sql *c, const char *sql, struct rl_err *err);
	/* @write: a transaction that will write (SQLite: BEGIN IMMEDIATE); else a snapshot read. */
	int (*begin)(struct rl_sql *c, bool write, struct rl_err *err);
	int (*commit)(struct rl_sql *c, struct rl_err *err);
	void (*rollback)(struct rl_sql *c);
	int (*prepare)(struct rl_sql *c, const char *sql, struct rl_sql_stmt **q,
		       struct rl_err *err);
	/*
	 * A statement writing @nrows rows of @r, bound as parameters 1 to
	 * @nrows * r->ncols, row after row, and written at the first step (no
	 * rows come back; changes() counts them): one INSERT on SQLite, a
	 * binary COPY on PostgreSQL, whose server then evaluates no expression
	 * per value. A value that does not fit its column's type fails the
	 * step with -EINVAL.
	 */
	int (*prepare_rows)(struct rl_sql *c, const struct rl_sql_rows *r, int nrows,
			    struct rl_sql_stmt **q, struct rl_err *err);
	/* The schema version stored in the database (0: none yet), and storing it. */
	int (*get_version)(struct rl_sql *c, int *version, struct rl_err *err);
	int (*set_version)(struct rl_sql *c, int version, struct rl_err *err);
	/* Before the first migration: refuse a database of another application. */
	int (*check_app)(struct rl_sql *c, struct rl_err *err);
	/* Inside a write transaction, before reading the version: one migrator at a time. */
	int (*migrate_lock)(struct rl_sql *c, struct rl_err *err);
	/* A read of every table (SQLite's quick_check; PostgreSQL: the server answers). */
	int (*check)(struct rl_sql *c, struct rl_err *err);
	/* After the version check, before migrating: what opening writes (SQLite: WAL). */
	int (*setup)(struct rl_sql *c, struct rl_err *err);
};

struct rl_sql_stmt_ops {
	/* Parameters count from 1; text is referenced, not copied, until the step. */
	void (*bind_i64)(struct rl_sql_stmt *q, int i, int64_t v);
	void (*bind_double)(struct rl_sql_stmt *q, int i, double v);	/* NaN: NULL */
	void (*bind_text)(struct rl_sql_stmt *q, int i, const char *v);	/* NULL: NULL */
	void (*bind_blob)(struct rl_sql_stmt *q, int i, const void *v, size_t n);
	/* 1 on a row, 0 when done, or -errno with the message in @err. */
	int (*step)(struct rl_sql_stmt *q, struct rl_err *err);
	/* Back to before the first step, bindings kept, for the next set of parameters. */
	void (*reset)(struct rl_sql_stmt *q);
	/* Rows the last INSERT, UPDATE or DELETE of @q changed. */
	int64_t (*changes)(struct rl_sql_stmt *q);
	int64_t (*col_i64)(struct rl_sql_stmt *q, int i);	/* NULL: 0 */
	double (*col_double)(struct rl_sql_stmt *q, int i);	/* NULL: 0 */
	/* NULL for SQL NULL; valid until the next step, reset or finalize. */
	const char *(*col_text)(struct rl_sql_stmt *q, int i);
	/* The bytes of a blob (NULL for SQL NULL, with @n 0); valid as col_text. */
	const void *(*col_blob)(struct rl_sql_stmt *q, int i, size_t *n);
	/* Whether the column is SQL NULL, without converting it (col_text prints a REAL). */
	bool (*col_null)(struct rl_sql_stmt *q, int i);
	void (*finalize)(struct rl_sql_stmt *q);
};

/*
 * The ops tables, filled the same way by each backend from its file-local
 * functions named as the members (conn_ for a connection's): one list of
 * members to keep in step with the structs above.
 */
#define RL_SQL_OPS(prepare_fn, prepare_rows_fn) {				\
	.close = conn_close, .exec = conn_exec, .begin = conn_begin,			\
	.commit = conn_commit, .rollback = conn_rollback, .prepare = (prepare_fn),	\
	.prepare_rows = (prepare_rows_fn),						\
	.get_version = conn_get_version, .set_version = conn_set_version,		\
	.check_app = conn_check_app, .migrate_lock = conn_migrate_lock,		\
	.check = conn_check, .setup = conn_setup,					\
}

#define RL_SQL_STMT_OPS {							\
	.bind_i64 = bind_i64, .bind_double = bind_double, .bind_text = bind_text,	\
	.bind_blob = bind_blob, .step = step, .reset = reset, .changes = changes,	\
	.col_i64 = col_i64, .col_double = col_double, .col_text = col_text,		\
	.col_blob = col_blob, .col_null = col_null, .finalize = finalize,		\
}

/*
 * rl_sql_sqlite_open() - the SQLite file @path, configured (WAL, foreign
 * keys, busy timeout). Returns 0 with the connection in @out, or -errno as
 * rl_store_open().
 */
int rl_sql_sqlite_open(const char *path, struct rl_sql **out, struct rl_err *err);

/*
 * rl_sql_pg_open() - a PostgreSQL connection to @conninfo, with @password
 * (NULL: libpq's own, PGPASSWORD or ~/.pgpass). Returns 0 with it in @out,
 * or -EINVAL for a bad conninfo or one holding a password, -EACCES when the
 * login is refused, -ENOTCONN when the server cannot be reached, -ENOTSUP
 * for a server older than PostgreSQL 10.
 */
int rl_sql_pg_open(const char *conninfo, const char *password, struct rl_sql **out,
		   struct rl_err *err);

/*
 * rl_sql_pg_translate() - @sql for PostgreSQL (sql_dialect.c): $N for ? and
 * ?N outside quotes, SQLite's type names as in the dialect table. Returns a
 * malloc'd string with the number of parameters in @nparams, or NULL when out
 * of memory.
 */
char *rl_sql_pg_translate(const char *sql, int *nparams);

/* libpq's version as "15.18" (sql_pg.c), for /api/v1/system. */
const char *rl_sql_pg_lib_version(void);
/* SQLite's (sql_sqlite.c). */
const char *rl_sql_sqlite_lib_version(void);

/* A statement refused: the store is at schema @c->newer, past @c->known. Returns -ENOTSUP. */
static inline int rl_sql_newer_err(const struct rl_sql *c, struct rl_err *err)
{
	return rl_err_set(err, -ENOTSUP, "store is at schema %d, this ringlabd knows %d: upgrade ringlabd",
			  c->newer, c->known);
}

/* The calls through the ops table, so that queries read as before. */
static inline int rl_sql_step(struct rl_sql_stmt *q, struct rl_err *err)
{
	return q->ops->step(q, err);
}

static inline void rl_sql_bind_i64(struct rl_sql_stmt *q, int i, int64_t v)
{
	q->ops->bind_i64(q, i, v);
}

static inline void rl_sql_bind_double(struct rl_sql_stmt *q, int i, double v)
{
	q->ops->bind_double(q, i, v);
}

static inline void rl_sql_bind_text(struct rl_sql_stmt *q, int i, const char *v)
{
	q->ops->bind_text(q, i, v);
}

static inline void rl_sql_bind_blob(struct rl_sql_stmt *q, int i, const void *v, size_t n)
{
	q->ops->bind_blob(q, i, v, n);
}

static inline const void *rl_sql_col_blob(struct rl_sql_stmt *q, int i, size_t *n)
{
	return q->ops->col_blob(q, i, n);
}

static inline void rl_sql_reset(struct rl_sql_stmt *q)
{
	q->ops->reset(q);
}

static inline int64_t rl_sql_changes(struct rl_sql_stmt *q)
{
	return q->ops->changes(q);
}

static inline int64_t rl_sql_col_i64(struct rl_sql_stmt *q, int i)
{
	return q->ops->col_i64(q, i);
}

static inline double rl_sql_col_double(struct rl_sql_stmt *q, int i)
{
	return q->ops->col_double(q, i);
}

static inline const char *rl_sql_col_text(struct rl_sql_stmt *q, int i)
{
	return q->ops->col_text(q, i);
}

static inline bool rl_sql_col_null(struct rl_sql_stmt *q, int i)
{
	return q->ops->col_null(q, i);
}

/* Finalize @q; NULL is fine. */
static inline void rl_sql_finalize(struct rl_sql_stmt *q)
{
	if (q)
		q->ops->finalize(q);
}

#endif
