/* SPDX-License-Identifier: MIT */
/*
 * The PostgreSQL backend's writes of many rows: a binary COPY. An INSERT of
 * 192 rows of 21 parameters had the server set up and evaluate an
 * expression per value, a third of its time on an import; COPY hands it
 * each value in its column's binary form, which it stores as it comes.
 *
 * The statement keeps what is bound, parameter by parameter, and at the
 * first step writes PostgreSQL's binary copy format: a header, each row's
 * field count and each field as its length (-1: NULL) and big-endian
 * bytes, then -1 for the end.
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

enum kind { NUL, I64, F64, TEXT, BLOB };

struct value {
	enum kind kind;
	union {
		int64_t i;
		double d;
		const char *s;
	} v;
};

struct pg_copy {
	struct rl_sql_stmt base;
	struct pg_conn *c;
	char *sql;			/* COPY table (cols) FROM STDIN (FORMAT binary) */
	char *cols;			/* the column names, for errors */
	enum rl_sql_type *types;
	int ncols, nrows;
	struct value *v;		/* ncols * nrows, row after row */
	unsigned char *buf;		/* the data sent */
	size_t len, cap;
	int64_t changed;
	bool done;
};

static const char header[] = "PGCOPY\n\377\r\n";	/* and its NUL: 11 bytes */

static struct pg_copy *copy_of(struct rl_sql_stmt *q)
{
	return (struct pg_copy *)q;
}

static void set(struct rl_sql_stmt *q, int i, enum kind kind, struct value v)
{
	struct pg_copy *s = copy_of(q);

	if (i < 1 || i > s->ncols * s->nrows)
		return;
	v.kind = kind;
	s->v[i - 1] = v;
}

static void bind_i64(struct rl_sql_stmt *q, int i, int64_t v)
{
	set(q, i, I64, (struct value){ .v.i = v });
}

/* NaN is NULL, as on SQLite and in the other statements. */
static void bind_double(struct rl_sql_stmt *q, int i, double v)
{
	set(q, i, isnan(v) ? NUL : F64, (struct value){ .v.d = v });
}

static void bind_text(struct rl_sql_stmt *q, int i, const char *v)
{
	set(q, i, v ? TEXT : NUL, (struct value){ .v.s = v });
}

/* No table written in rows has a blob column: bound, it fails the step. */
static void bind_blob(struct rl_sql_stmt *q, int i, const void *v, size_t n)
{
	(void)n;
	set(q, i, v ? BLOB : NUL, (struct value){ .v.s = v });
}

/* Room for @more bytes. Returns 0 or -ENOMEM. */
static int room(struct pg_copy *s, size_t more)
{
	unsigned char *b;
	size_t cap;

	if (s->len + more <= s->cap)
		return 0;
	cap = (s->len + more) * 2;
	b = realloc(s->buf, cap);
	if (!b)
		return -ENOMEM;
	s->buf = b;
	s->cap = cap;
	return 0;
}

static void put(struct pg_copy *s, const void *p, size_t n)
{
	memcpy(s->buf + s->len, p, n);
	s->len += n;
}

static void put16(struct pg_copy *s, int16_t v)
{
	uint16_t be = htobe16((uint16_t)v);

	put(s, &be, sizeof(be));
}

static void put32(struct pg_copy *s, int32_t v)
{
	uint32_t be = htobe32((uint32_t)v);

	put(s, &be, sizeof(be));
}

static void put64(struct pg_copy *s, uint64_t v)
{
	uint64_t be = htobe64(v);

	put(s, &be, sizeof(be));
}

/* Column @k's name (of the list "a, b, c") into @name. */
static void col_name(const struct pg_copy *s, int k, char *name, size_t len)
{
	const char *p = s->cols;
	size_t n;

	for (int i = 0; i < k && p; i++) {
		p = strchr(p, ',');
		p = p ? p + 1 + strspn(p + 1, " ") : NULL;
	}
	n = p ? strcspn(p, ",") : 0;
	snprintf(name, len, "%.*s", (int)n, p ? p : "?");
}

static int bad_value(const struct pg_copy *s, int row, int k, const char *why,
		     struct rl_err *err)
{
	char name[64];

	col_name(s, k, name, sizeof(name));
	return rl_err_set(err, -EINVAL, "row %d, column %s: %s", row + 1, name, why);
}

/* Value @v of row @row into column @k's binary form. Returns 0, -EINVAL or -ENOMEM. */
static int put_value(struct pg_copy *s, int row, int k, const struct value *v,
		     struct rl_err *err)
{
	enum rl_sql_type t = s->types[k];
	size_t n;

	if (v->kind == NUL) {
		put32(s, -1);
		return 0;
	}
	switch (t) {
	case RL_SQL_SMALLINT:
	case RL_SQL_INT:
	case RL_SQL_INTEGER:
		if (v->kind != I64)
			return bad_value(s, row, k, "an integer column bound to another type", err);
		if (t == RL_SQL_SMALLINT && (v->v.i < INT16_MIN || v->v.i > INT16_MAX))
			return bad_value(s, row, k, "out of range for a SMALLINT", err);
		if (t == RL_SQL_INT && (v->v.i < INT32_MIN || v->v.i > INT32_MAX))
			return bad_value(s, row, k, "out of range for an INT", err);
		if (t == RL_SQL_SMALLINT) {
			put32(s, 2);
			put16(s, (int16_t)v->v.i);
		} else if (t == RL_SQL_INT) {
			put32(s, 4);
			put32(s, (int32_t)v->v.i);
		} else {
			put32(s, 8);
			put64(s, (uint64_t)v->v.i);
		}
		return 0;
	case RL_SQL_REAL: {
		double d = v->kind == I64 ? (double)v->v.i : v->v.d;
		uint64_t bits;

		if (v->kind != I64 && v->kind != F64)
			return bad_value(s, row, k, "a REAL column bound to another type", err);
		memcpy(&bits, &d, sizeof(bits));
		put32(s, 8);
		put64(s, bits);
		return 0;
	}
	case RL_SQL_TEXT:
		if (v->kind != TEXT)
			return bad_value(s, row, k, "a TEXT column bound to another type", err);
		n = strlen(v->v.s);
		if (n > INT32_MAX || room(s, n + 4) < 0)
			return rl_err_set(err, -ENOMEM, "copy: out of memory");
		put32(s, (int32_t)n);
		put(s, v->v.s, n);
		return 0;
	}
	return bad_value(s, row, k, "a column of no known type", err);
}

/* Every row bound, in the copy format, into s->buf. Returns 0, -EINVAL or -ENOMEM. */
static int encode(struct pg_copy *s, struct rl_err *err)
{
	int ret = 0;

	s->len = 0;
	if (room(s, sizeof(header) + 8) < 0)
		return rl_err_set(err, -ENOMEM, "copy: out of memory");
	put(s, header, sizeof(header));
	put32(s, 0);	/* flags */
	put32(s, 0);	/* no header extension */
	for (int r = 0; r < s->nrows && !ret; r++) {
		/* A field's length and its widest number; text makes its own room. */
		if (room(s, 2 + (size_t)s->ncols * 12 + 2) < 0)
			return rl_err_set(err, -ENOMEM, "copy: out of memory");
		put16(s, (int16_t)s->ncols);
		for (int k = 0; k < s->ncols && !ret; k++)
			ret = put_value(s, r, k, &s->v[r * s->ncols + k], err);
	}
	if (!ret)
		put16(s, -1);
	return ret;
}

/* The COPY started, s->buf sent and ended; its count in s->changed. Returns 0 or -errno. */
static int send_copy(struct pg_copy *s, struct rl_err *err)
{
	PGresult *res;
	int ret = 0;

	res = PQexec(s->c->pg, s->sql);
	if (!res || PQresultStatus(res) != PGRES_COPY_IN) {
		ret = rl_sql_pg_err(s->c, res, err, "copy");
		PQclear(res);
		return ret;
	}
	PQclear(res);
	if (PQputCopyData(s->c->pg, (const char *)s->buf, (int)s->len) != 1 ||
	    PQputCopyEnd(s->c->pg, NULL) != 1)
		ret = rl_sql_pg_err(s->c, NULL, err, "copy");
	/* The COPY's result, then the end of its results, whatever happened. */
	while ((res = PQgetResult(s->c->pg))) {
		if (!ret && PQresultStatus(res) != PGRES_COMMAND_OK)
			ret = rl_sql_pg_err(s->c, res, err, "copy");
		else if (!ret)
			s->changed = strtoll(PQcmdTuples(res), NULL, 10);
		PQclear(res);
	}
	return ret;
}

static int step(struct rl_sql_stmt *q, struct rl_err *err)
{
	struct pg_copy *s = copy_of(q);
	int ret;

	if (s->done)
		return 0;
	ret = rl_sql_pg_ready(s->c, err);
	if (!ret)
		ret = encode(s, err);
	if (!ret)
		ret = send_copy(s, err);
	s->done = !ret;
	return ret;
}

static void reset(struct rl_sql_stmt *q)
{
	copy_of(q)->done = false;
}

static int64_t changes(struct rl_sql_stmt *q)
{
	return copy_of(q)->changed;
}

/* A COPY gives no rows: every column reads as NULL. */
static int64_t col_i64(struct rl_sql_stmt *q, int i)
{
	return 0;
}

static double col_double(struct rl_sql_stmt *q, int i)
{
	return 0;
}

static const char *col_text(struct rl_sql_stmt *q, int i)
{
	return NULL;
}

static const void *col_blob(struct rl_sql_stmt *q, int i, size_t *n)
{
	*n = 0;
	return NULL;
}

static bool col_null(struct rl_sql_stmt *q, int i)
{
	return true;
}

static void finalize(struct rl_sql_stmt *q)
{
	struct pg_copy *s = copy_of(q);

	free(s->sql);
	free(s->cols);
	free(s->types);
	free(s->v);
	free(s->buf);
	free(s);
}

static const struct rl_sql_stmt_ops copy_ops = RL_SQL_STMT_OPS;

int rl_sql_pg_prepare_rows(struct rl_sql *c, const struct rl_sql_rows *r, int nrows,
			   struct rl_sql_stmt **q, struct rl_err *err)
{
	struct pg_copy *s;
	size_t n;

	*q = NULL;
	if (r->ncols < 1 || r->ncols > INT16_MAX || nrows < 1 || nrows > INT32_MAX / r->ncols)
		return rl_err_set(err, -EINVAL, "copy into %s: %d rows of %d columns", r->table,
				  nrows, r->ncols);
	s = calloc(1, sizeof(*s));
	if (!s)
		return rl_err_set(err, -ENOMEM, "prepare: out of memory");
	n = strlen(r->table) + strlen(r->cols) + 48;
	s->sql = malloc(n);
	s->cols = strdup(r->cols);
	s->types = malloc((size_t)r->ncols * sizeof(*s->types));
	/* Unbound parameters are NULL, as in the other statements. */
	s->v = calloc((size_t)r->ncols * (size_t)nrows, sizeof(*s->v));
	if (!s->sql || !s->cols || !s->types || !s->v) {
		finalize(&s->base);
		return rl_err_set(err, -ENOMEM, "prepare: out of memory");
	}
	snprintf(s->sql, n, "COPY %s (%s) FROM STDIN (FORMAT binary)", r->table, r->cols);
	memcpy(s->types, r->types, (size_t)r->ncols * sizeof(*s->types));
	s->ncols = r->ncols;
	s->nrows = nrows;
	s->base.ops = &copy_ops;
	s->c = (struct pg_conn *)c;
	*q = &s->base;
	return 0;
}
