/* SPDX-License-Identifier: MIT */
/* The SQLite backend's statements: sql.h's statement ops on sqlite3_stmt. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sql_sqlite.h"

struct sqlite_stmt {
	struct rl_sql_stmt base;
	sqlite3 *db;
	sqlite3_stmt *st;
};

static sqlite3_stmt *st_of(struct rl_sql_stmt *q)
{
	return ((struct sqlite_stmt *)q)->st;
}

static void bind_i64(struct rl_sql_stmt *q, int i, int64_t v)
{
	sqlite3_bind_int64(st_of(q), i, v);
}

static void bind_double(struct rl_sql_stmt *q, int i, double v)
{
	/* SQLite stores a NaN as NULL; said here so both backends agree. */
	if (isnan(v))
		sqlite3_bind_null(st_of(q), i);
	else
		sqlite3_bind_double(st_of(q), i, v);
}

static void bind_text(struct rl_sql_stmt *q, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(st_of(q), i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st_of(q), i);
}

static void bind_blob(struct rl_sql_stmt *q, int i, const void *v, size_t n)
{
	if (v)
		sqlite3_bind_blob64(st_of(q), i, v, n, SQLITE_STATIC);
	else
		sqlite3_bind_null(st_of(q), i);
}

static int step(struct rl_sql_stmt *q, struct rl_err *err)
{
	struct sqlite_stmt *s = (struct sqlite_stmt *)q;
	int rc = sqlite3_step(s->st);

	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	/* Before any finalize: SQLite's message belongs to the statement's step. */
	return rl_sql_sqlite_err(s->db, rc, err, NULL);
}

static void reset(struct rl_sql_stmt *q)
{
	sqlite3_reset(st_of(q));
}

static int64_t changes(struct rl_sql_stmt *q)
{
	return sqlite3_changes(((struct sqlite_stmt *)q)->db);
}

static int64_t col_i64(struct rl_sql_stmt *q, int i)
{
	return sqlite3_column_int64(st_of(q), i);
}

static double col_double(struct rl_sql_stmt *q, int i)
{
	return sqlite3_column_double(st_of(q), i);
}

static const char *col_text(struct rl_sql_stmt *q, int i)
{
	return (const char *)sqlite3_column_text(st_of(q), i);
}

static const void *col_blob(struct rl_sql_stmt *q, int i, size_t *n)
{
	const void *v = sqlite3_column_blob(st_of(q), i);

	*n = v ? (size_t)sqlite3_column_bytes(st_of(q), i) : 0;
	return v;
}

static bool col_null(struct rl_sql_stmt *q, int i)
{
	return sqlite3_column_type(st_of(q), i) == SQLITE_NULL;
}

static void finalize(struct rl_sql_stmt *q)
{
	sqlite3_finalize(st_of(q));
	free(q);
}

static const struct rl_sql_stmt_ops stmt_ops = RL_SQL_STMT_OPS;

int rl_sql_sqlite_prepare(struct rl_sql *c, const char *sql, struct rl_sql_stmt **q,
			  struct rl_err *err)
{
	sqlite3 *db = ((struct sqlite_conn *)c)->db;
	struct sqlite_stmt *s;
	char what[80];
	int rc;

	*q = NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return rl_err_set(err, -ENOMEM, "prepare: out of memory");
	rc = sqlite3_prepare_v2(db, sql, -1, &s->st, NULL);
	if (rc != SQLITE_OK) {
		free(s);
		snprintf(what, sizeof(what), "prepare \"%.60s\"", sql);
		return rl_sql_sqlite_err(db, rc, err, what);
	}
	s->base.ops = &stmt_ops;
	s->db = db;
	*q = &s->base;
	return 0;
}

int rl_sql_sqlite_prepare_rows(struct rl_sql *c, const struct rl_sql_rows *r, int nrows,
			       struct rl_sql_stmt **q, struct rl_err *err)
{
	size_t row = 2 + (size_t)r->ncols * 3, len;
	char *sql, *p;
	int ret;

	*q = NULL;
	len = strlen(r->table) + strlen(r->cols) + 32 + (size_t)nrows * row;
	sql = malloc(len);
	if (!sql)
		return rl_err_set(err, -ENOMEM, "prepare: out of memory");
	p = sql + sprintf(sql, "INSERT INTO %s (%s) VALUES ", r->table, r->cols);
	for (int i = 0; i < nrows; i++) {
		p += sprintf(p, "%s(", i ? ", " : "");
		for (int k = 0; k < r->ncols; k++)
			p += sprintf(p, "%s?", k ? ", " : "");
		*p++ = ')';
	}
	*p = '\0';
	ret = rl_sql_sqlite_prepare(c, sql, q, err);
	free(sql);
	return ret;
}
