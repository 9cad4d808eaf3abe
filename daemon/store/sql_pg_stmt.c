/* SPDX-License-Identifier: MIT */
/*
 * The PostgreSQL backend's statements: sql.h's statement ops on libpq. A
 * statement is its translated SQL and its parameters, typed as bound (int8,
 * float8, text, bytea; a NULL keeps its type; numbers and blobs go in
 * binary, which neither side prints or parses), run at the first step as the
 * session's prepared statement of that text and those types (sql_pg_cache.c);
 * the rows come back whole and the steps walk them. Text comes
 * back as text, blobs as bytea unescaped.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <endian.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sql_pg.h"

/* PostgreSQL's own limit on the parameters of one statement. */
#define PARAMS_MAX 65535
/* The type oids of pg_type.h, which libpq-dev does not install. */
#define INT8OID 20
#define TEXTOID 25
#define FLOAT8OID 701
#define BYTEAOID 17

/* A number bound, in binary: PostgreSQL's int8 and float8 are 8 bytes, big-endian. */
struct num {
	uint64_t be;
};

struct pg_stmt {
	struct rl_sql_stmt base;
	struct pg_conn *c;
	char *sql;
	int nparams;
	/* nparams of each, in one allocation after the struct. */
	Oid *types;
	const char **values;
	int *lengths, *formats;
	struct num *num;
	PGresult *res;
	int row, nrows;
	unsigned char *blob;	/* the last blob column read, unescaped */
};

static struct pg_stmt *stmt_of(struct rl_sql_stmt *q)
{
	return (struct pg_stmt *)q;
}

/* Parameter @i's index from 0, typed @type and NULL; -1 past the statement's (ignored). */
static int slot(struct pg_stmt *s, int i, Oid type)
{
	if (i < 1 || i > s->nparams)
		return -1;
	s->types[i - 1] = type;
	s->values[i - 1] = NULL;
	s->lengths[i - 1] = 0;
	s->formats[i - 1] = 0;
	return i - 1;
}

/* Parameter @k's 8 bytes @bits, sent as they are (int8send's and float8send's format). */
static void bind_bits(struct pg_stmt *s, int k, uint64_t bits)
{
	s->num[k].be = htobe64(bits);
	s->values[k] = (const char *)&s->num[k].be;
	s->lengths[k] = 8;
	s->formats[k] = 1;
}

static void bind_i64(struct rl_sql_stmt *q, int i, int64_t v)
{
	struct pg_stmt *s = stmt_of(q);
	int k = slot(s, i, INT8OID);

	if (k >= 0)
		bind_bits(s, k, (uint64_t)v);
}

/* NaN stays NULL, as SQLite stores it; the infinities go as they are. */
static void bind_double(struct rl_sql_stmt *q, int i, double v)
{
	struct pg_stmt *s = stmt_of(q);
	int k = slot(s, i, FLOAT8OID);
	uint64_t bits;

	if (k < 0 || isnan(v))
		return;
	_Static_assert(sizeof(bits) == sizeof(v), "float8 is 8 bytes");
	memcpy(&bits, &v, sizeof(bits));
	bind_bits(s, k, bits);
}

static void bind_text(struct rl_sql_stmt *q, int i, const char *v)
{
	struct pg_stmt *s = stmt_of(q);
	int k = slot(s, i, TEXTOID);

	if (k >= 0)
		s->values[k] = v;
}

static void bind_blob(struct rl_sql_stmt *q, int i, const void *v, size_t n)
{
	struct pg_stmt *s = stmt_of(q);
	int k = slot(s, i, BYTEAOID);

	if (k < 0 || !v)
		return;
	/* Binary format: the bytes as they are, NULs included. */
	s->values[k] = v;
	s->lengths[k] = (int)n;
	s->formats[k] = 1;
}

static void clear(struct pg_stmt *s)
{
	PQclear(s->res);
	s->res = NULL;
	PQfreemem(s->blob);
	s->blob = NULL;
}

static int execute(struct pg_stmt *s, struct rl_err *err)
{
	ExecStatusType st;
	const char *name;
	int ret = rl_sql_pg_ready(s->c, err);

	if (ret < 0)
		return ret;
	ret = rl_sql_pg_prepared(s->c, s->sql, s->nparams, s->types, &name, err);
	if (ret < 0)
		return ret;
	s->res = PQexecPrepared(s->c->pg, name, s->nparams, s->values, s->lengths, s->formats, 0);
	st = s->res ? PQresultStatus(s->res) : PGRES_FATAL_ERROR;
	if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
		ret = rl_sql_pg_err(s->c, s->res, err, NULL);
		clear(s);
		return ret;
	}
	s->nrows = st == PGRES_TUPLES_OK ? PQntuples(s->res) : 0;
	s->row = -1;
	return 0;
}

static int step(struct rl_sql_stmt *q, struct rl_err *err)
{
	struct pg_stmt *s = stmt_of(q);
	int ret;

	if (!s->res) {
		ret = execute(s, err);
		if (ret < 0)
			return ret;
	}
	if (s->row < s->nrows)
		s->row++;
	return s->row < s->nrows;
}

static void reset(struct rl_sql_stmt *q)
{
	clear(stmt_of(q));
}

static int64_t changes(struct rl_sql_stmt *q)
{
	struct pg_stmt *s = stmt_of(q);

	return s->res ? strtoll(PQcmdTuples(s->res), NULL, 10) : 0;
}

/* Column @i of the current row, or NULL for SQL NULL (or no row). */
static const char *value(struct pg_stmt *s, int i)
{
	if (!s->res || s->row < 0 || s->row >= s->nrows || i < 0 || i >= PQnfields(s->res) ||
	    PQgetisnull(s->res, s->row, i))
		return NULL;
	return PQgetvalue(s->res, s->row, i);
}

static int64_t col_i64(struct rl_sql_stmt *q, int i)
{
	const char *v = value(stmt_of(q), i);

	return v ? strtoll(v, NULL, 10) : 0;
}

static double col_double(struct rl_sql_stmt *q, int i)
{
	const char *v = value(stmt_of(q), i);

	return v ? strtod(v, NULL) : 0;
}

static const char *col_text(struct rl_sql_stmt *q, int i)
{
	return value(stmt_of(q), i);
}

static const void *col_blob(struct rl_sql_stmt *q, int i, size_t *n)
{
	struct pg_stmt *s = stmt_of(q);
	const char *v = value(s, i);

	*n = 0;
	PQfreemem(s->blob);
	s->blob = v ? PQunescapeBytea((const unsigned char *)v, n) : NULL;
	return s->blob;
}

static bool col_null(struct rl_sql_stmt *q, int i)
{
	return value(stmt_of(q), i) == NULL;
}

static void finalize(struct rl_sql_stmt *q)
{
	struct pg_stmt *s = stmt_of(q);

	clear(s);
	free(s->sql);
	free(s);
}

static const struct rl_sql_stmt_ops stmt_ops = RL_SQL_STMT_OPS;

int rl_sql_pg_prepare(struct rl_sql *c, const char *sql, struct rl_sql_stmt **q,
		      struct rl_err *err)
{
	size_t each = sizeof(Oid) + sizeof(char *) + 2 * sizeof(int) + sizeof(struct num);
	struct pg_stmt *s;
	char *text;
	int n;

	*q = NULL;
	text = rl_sql_pg_translate(sql, &n);
	if (!text)
		return rl_err_set(err, -ENOMEM, "prepare: out of memory");
	if (n > PARAMS_MAX) {
		free(text);
		return rl_err_set(err, -E2BIG, "prepare \"%.60s\": more than %d parameters", sql,
				  PARAMS_MAX);
	}
	/* The pointers and the 8-byte numbers first, then the ints: each array stays aligned. */
	s = calloc(1, sizeof(*s) + (size_t)n * each);
	if (!s) {
		free(text);
		return rl_err_set(err, -ENOMEM, "prepare: out of memory");
	}
	s->sql = text;
	s->nparams = n;
	s->values = (const char **)(s + 1);
	s->num = (struct num *)(s->values + n);
	s->types = (Oid *)(s->num + n);
	s->lengths = (int *)(s->types + n);
	s->formats = s->lengths + n;
	/* Unbound parameters are NULL, as in SQLite. */
	for (int i = 0; i < s->nparams; i++)
		s->types[i] = TEXTOID;
	s->base.ops = &stmt_ops;
	s->c = (struct pg_conn *)c;
	*q = &s->base;
	return 0;
}
