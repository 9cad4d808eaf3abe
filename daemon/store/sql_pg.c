/* SPDX-License-Identifier: MIT */
/*
 * The PostgreSQL backend of sql.h: connecting through libpq (the password
 * never in the conninfo), reconnecting a lost connection between
 * transactions, transactions (a read is a REPEATABLE READ snapshot, as
 * SQLite's read transaction is), the schema version in table ringlab_schema,
 * migrations one at a time under an advisory lock, SQLSTATEs as -errno, and
 * the store found migrated past this code by another daemon (on an error or
 * a reconnection). Its statements are in sql_pg_stmt.c.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sql_pg.h"

/* pg_advisory_xact_lock() key of ringlab's migrations: "RLAB". */
#define MIGRATE_LOCK "1380729154"
#define APPLICATION "ringlab"

static struct pg_conn *conn_of(struct rl_sql *c)
{
	return (struct pg_conn *)c;
}

static int errno_of_state(const char *st)
{
	static const struct {
		const char *prefix;
		int err;
	} states[] = {
		{ "23505", -EEXIST },	/* unique_violation */
		{ "23", -EINVAL },	/* integrity: CHECK, NOT NULL, foreign key */
		{ "22", -EINVAL },	/* data exception: a bad value, invalid JSON */
		{ "40", -EBUSY },	/* serialization failure, deadlock */
		{ "55P03", -EBUSY },	/* lock_not_available: lock_timeout */
		{ "08", -ENOTCONN },	/* connection exception */
		{ "57P", -ENOTCONN },	/* the server shutting down */
		{ "28", -EACCES },	/* invalid authorization */
		{ "42501", -EACCES },	/* insufficient privilege */
		{ "53100", -ENOSPC },	/* disk full */
		{ "53200", -ENOMEM },
		{ "3D000", -ENOENT },	/* no such database */
	};

	for (size_t i = 0; st && i < sizeof(states) / sizeof(states[0]); i++)
		if (!strncmp(st, states[i].prefix, strlen(states[i].prefix)))
			return states[i].err;
	return -EIO;
}

/* @msg without its trailing newlines, into @buf. */
static const char *trimmed(const char *msg, char *buf, size_t len)
{
	size_t n;

	snprintf(buf, len, "%s", msg && *msg ? msg : "no message");
	n = strlen(buf);
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return buf;
}

/*
 * The errors a statement of this code gets once another daemon migrated the
 * store past it: a table or column renamed or dropped, a type changed
 * (class 42), a prepared statement whose result changed shape (0A000), a
 * new NOT NULL column or CHECK its rows do not fill (23502, 23514).
 */
static bool schema_state(const char *st)
{
	static const char *const states[] = { "42", "0A000", "23502", "23514" };

	for (size_t i = 0; st && i < sizeof(states) / sizeof(states[0]); i++)
		if (!strncmp(st, states[i], strlen(states[i])))
			return true;
	return false;
}

/*
 * The version the store records, read outside any transaction, and kept
 * in c->base.newer when it is past what this code knows. A read that fails
 * finds nothing: the caller's own error stands. Returns c->base.newer.
 */
static int note_version(struct pg_conn *c)
{
	PGresult *res = PQexec(c->pg, "SELECT max(version) FROM ringlab_schema");

	if (res && PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 &&
	    !PQgetisnull(res, 0, 0) && atoi(PQgetvalue(res, 0, 0)) > c->base.known)
		c->base.newer = atoi(PQgetvalue(res, 0, 0));
	PQclear(res);
	return c->base.newer;
}

int rl_sql_pg_err(struct pg_conn *c, const PGresult *res, struct rl_err *err, const char *what)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	char buf[RL_ERR_MSG_MAX / 2];
	int e = errno_of_state(state);

	/* Only on an error, so the statements that succeed cost nothing more. */
	if (c->base.known && schema_state(state)) {
		if (c->in_txn)
			c->suspect = true;
		else if (note_version(c))
			return rl_sql_newer_err(&c->base, err);
	}
	if (PQstatus(c->pg) == CONNECTION_BAD) {
		e = -ENOTCONN;
		msg = PQerrorMessage(c->pg);
	} else if (!msg) {
		msg = PQerrorMessage(c->pg);
	}
	trimmed(msg, buf, sizeof(buf));
	if (!what)
		return rl_err_set(err, e, "%s", buf);
	return rl_err_set(err, e, "%s: %s", what, buf);
}

/*
 * Whether the server spoke on an idle session: it says nothing unasked
 * between transactions (ringlab LISTENs to nothing) except when it ends the
 * session (a restart's "terminating connection"), which libpq would only
 * find by failing the next statement.
 */
static bool idle_session_ended(struct pg_conn *c)
{
	struct pollfd p = { .fd = PQsocket(c->pg), .events = POLLIN };

	return !c->in_txn && p.fd >= 0 && poll(&p, 1, 0) > 0;
}

int rl_sql_pg_ready(struct pg_conn *c, struct rl_err *err)
{
	char buf[RL_ERR_MSG_MAX / 2];

	if (c->base.newer)
		return rl_sql_newer_err(&c->base, err);
	if (PQstatus(c->pg) == CONNECTION_OK && !idle_session_ended(c))
		return 0;
	/* What the transaction wrote before is gone: the caller must not go on. */
	if (c->in_txn)
		return rl_err_set(err, -ENOTCONN, "PostgreSQL: connection lost inside a transaction");
	/* A new session: the statements prepared on the old one are gone with it. */
	rl_sql_pg_cache_clear(c);
	PQreset(c->pg);
	/* A newer daemon may have migrated the store while this one could not reach it. */
	if (PQstatus(c->pg) == CONNECTION_OK)
		return c->base.known && note_version(c) ? rl_sql_newer_err(&c->base, err) : 0;
	return rl_err_set(err, -ENOTCONN, "PostgreSQL: cannot reconnect: %s",
			  trimmed(PQerrorMessage(c->pg), buf, sizeof(buf)));
}

/* @sql (no parameters), translated unless @raw; rows it answers are dropped. */
static int run(struct pg_conn *c, const char *sql, bool raw, struct rl_err *err)
{
	ExecStatusType st;
	PGresult *res;
	char *text = NULL, what[80];
	int n, ret = rl_sql_pg_ready(c, err);

	if (ret < 0)
		return ret;
	if (!raw) {
		text = rl_sql_pg_translate(sql, &n);
		if (!text)
			return rl_err_set(err, -ENOMEM, "out of memory");
	}
	res = PQexec(c->pg, text ? text : sql);
	st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		snprintf(what, sizeof(what), "%.60s", sql);
		ret = rl_sql_pg_err(c, res, err, what);
	}
	PQclear(res);
	free(text);
	return ret;
}

static int conn_exec(struct rl_sql *c, const char *sql, struct rl_err *err)
{
	return run(conn_of(c), sql, false, err);
}

static int conn_begin(struct rl_sql *c, bool write, struct rl_err *err)
{
	/* A read sees one snapshot throughout, as SQLite's read transaction does. */
	int ret = run(conn_of(c), write ? "BEGIN" :
		      "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", true, err);

	conn_of(c)->in_txn = !ret;
	return ret;
}

static int conn_commit(struct rl_sql *c, struct rl_err *err)
{
	struct pg_conn *p = conn_of(c);
	PGresult *res;
	int ret = 0;

	res = PQexec(p->pg, "COMMIT");
	if (!res || PQresultStatus(res) != PGRES_COMMAND_OK)
		ret = rl_sql_pg_err(p, res, err, "commit");
	/* A failed transaction's COMMIT answers ROLLBACK, not an error. */
	else if (strcmp(PQcmdStatus(res), "COMMIT"))
		ret = rl_err_set(err, -EIO, "commit: the transaction was rolled back");
	PQclear(res);
	p->in_txn = false;
	return ret;
}

static void conn_rollback(struct rl_sql *c)
{
	struct pg_conn *p = conn_of(c);

	if (PQstatus(p->pg) == CONNECTION_OK)
		PQclear(PQexec(p->pg, "ROLLBACK"));
	p->in_txn = false;
	/* Outside the transaction, which its error aborted: the version can be read now. */
	if (p->suspect && PQstatus(p->pg) == CONNECTION_OK)
		note_version(p);
	p->suspect = false;
}

/* The one value @sql answers, into @buf ("" for none or NULL). Returns 0 or -errno. */
static int query_text(struct pg_conn *c, const char *sql, char *buf, size_t len,
		      struct rl_err *err)
{
	PGresult *res;
	int ret = rl_sql_pg_ready(c, err);

	buf[0] = '\0';
	if (ret < 0)
		return ret;
	res = PQexec(c->pg, sql);
	if (!res || PQresultStatus(res) != PGRES_TUPLES_OK)
		ret = rl_sql_pg_err(c, res, err, sql);
	else if (PQntuples(res) > 0 && !PQgetisnull(res, 0, 0))
		snprintf(buf, len, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	return ret;
}

static int conn_get_version(struct rl_sql *c, int *version, struct rl_err *err)
{
	char buf[32];
	int ret = query_text(conn_of(c), "SELECT to_regclass('ringlab_schema') IS NOT NULL", buf,
			     sizeof(buf), err);

	*version = 0;
	if (ret < 0 || strcmp(buf, "t"))
		return ret;
	ret = query_text(conn_of(c), "SELECT max(version) FROM ringlab_schema", buf, sizeof(buf),
			 err);
	*version = atoi(buf);
	return ret;
}

static int conn_set_version(struct rl_sql *c, int version, struct rl_err *err)
{
	char sql[256];

	snprintf(sql, sizeof(sql), "CREATE TABLE IF NOT EXISTS ringlab_schema"
		 " (application TEXT NOT NULL, version INTEGER NOT NULL);"
		 " DELETE FROM ringlab_schema;"
		 " INSERT INTO ringlab_schema VALUES ('" APPLICATION "', %d)", version);
	return run(conn_of(c), sql, false, err);
}

/* A database with ringlab's tables but no ringlab_schema, or another application's row, is not ours. */
static int conn_check_app(struct rl_sql *c, struct rl_err *err)
{
	char buf[64];
	int ret;

	ret = query_text(conn_of(c), "SELECT CASE WHEN to_regclass('ringlab_schema') IS NOT NULL"
			 " THEN 'schema' WHEN to_regclass('runs') IS NOT NULL THEN 'runs' END",
			 buf, sizeof(buf), err);
	if (ret < 0)
		return ret;
	if (!strcmp(buf, "runs"))
		return rl_err_set(err, -EINVAL,
				  "not a ringlab database (a table runs but no ringlab_schema)");
	if (strcmp(buf, "schema"))
		return 0;
	ret = query_text(conn_of(c), "SELECT string_agg(DISTINCT application, ',')"
			 " FROM ringlab_schema", buf, sizeof(buf), err);
	if (!ret && buf[0] && strcmp(buf, APPLICATION))
		ret = rl_err_set(err, -EINVAL, "not a ringlab database (ringlab_schema names %s)",
				 buf);
	return ret;
}

/*
 * Daemons starting together on one database migrate one at a time: the
 * lock is held to the end of the transaction, and the migrator re-reads the
 * version after taking it. The lock is waited for as long as the other's
 * migration takes (minutes on a large store; systemd's start-up timeout is
 * extended meanwhile), not the session's lock_timeout, which would make the
 * waiter give up and exit; the migration's own statements keep that bound.
 * SQLite's json_valid(), which the schema's CHECKs call, is defined here as
 * a cast that fails on anything but JSON.
 */
static int conn_migrate_lock(struct rl_sql *c, struct rl_err *err)
{
	return run(conn_of(c), "SET LOCAL lock_timeout = 0;"
		   "SELECT pg_advisory_xact_lock(" MIGRATE_LOCK ");"
		   "RESET lock_timeout;"
		   "CREATE OR REPLACE FUNCTION json_valid(text) RETURNS boolean"
		   " LANGUAGE sql IMMUTABLE AS 'SELECT $1::json IS NOT NULL'", true, err);
}

/* The server keeps its own pages: what there is to check is that it answers. */
static int conn_check(struct rl_sql *c, struct rl_err *err)
{
	char buf[8];

	return query_text(conn_of(c), "SELECT 1", buf, sizeof(buf), err);
}

static int conn_setup(struct rl_sql *c, struct rl_err *err)
{
	return 0;
}

static void conn_close(struct rl_sql *c)
{
	if (!c)
		return;
	PQfinish(conn_of(c)->pg);
	rl_sql_pg_cache_clear(conn_of(c));
	free(c);
}

static const struct rl_sql_ops pg_ops = RL_SQL_OPS(rl_sql_pg_prepare, rl_sql_pg_prepare_rows);

/* A password belongs in password_file or PGPASSWORD, where a log line or a config dump cannot show it. */
static int check_conninfo(const char *conninfo, struct rl_err *err)
{
	PQconninfoOption *opts, *o;
	char *msg = NULL, buf[RL_ERR_MSG_MAX / 2];
	int ret = 0;

	opts = PQconninfoParse(conninfo, &msg);
	if (!opts) {
		ret = rl_err_set(err, msg ? -EINVAL : -ENOMEM, "conninfo: %s",
				 msg ? trimmed(msg, buf, sizeof(buf)) : "out of memory");
		PQfreemem(msg);
		return ret;
	}
	for (o = opts; o->keyword; o++)
		if (!strcmp(o->keyword, "password") && o->val && *o->val)
			ret = rl_err_set(err, -EINVAL,
					 "conninfo: holds a password; put it in password_file or PGPASSWORD instead");
	PQconninfoFree(opts);
	return ret;
}

/* Why a connection failed, as -errno: a refused login, a missing database, or no server. */
static int connect_errno(PGconn *pg)
{
	const char *msg = PQerrorMessage(pg);

	if (strstr(msg, "password") || strstr(msg, "authentication") || strstr(msg, "role"))
		return -EACCES;
	if (strstr(msg, "database") && strstr(msg, "does not exist"))
		return -ENOENT;
	return -ENOTCONN;
}

/* Ignored: CREATE ... IF NOT EXISTS tells libpq's default processor, which prints to stderr. */
static void no_notice(void *arg, const char *message)
{
}

int rl_sql_pg_open(const char *conninfo, const char *password, struct rl_sql **out,
		   struct rl_err *err)
{
	/*
	 * Keywords before dbname are overridden by the conninfo's own, those
	 * after it win. A server that stops answering (a cable, not a refusal)
	 * would hold the store's lock, and every HTTP thread behind it, for as
	 * long as TCP retries: keepalives and a user timeout bound that.
	 */
	const char *keys[] = { "application_name", "connect_timeout", "keepalives_idle",
			       "tcp_user_timeout", "options", "dbname", "password", NULL };
	const char *vals[] = { "ringlabd", "10", "30", "60000",
			       "-c lock_timeout=5000 -c client_min_messages=warning", conninfo,
			       password && *password ? password : NULL, NULL };
	char buf[RL_ERR_MSG_MAX / 2];
	struct pg_conn *c;
	int ret;

	*out = NULL;
	ret = check_conninfo(conninfo, err);
	if (ret < 0)
		return ret;
	c = calloc(1, sizeof(*c));
	if (!c)
		return rl_err_set(err, -ENOMEM, "PostgreSQL: out of memory");
	c->base.ops = &pg_ops;
	c->pg = PQconnectdbParams(keys, vals, 1);
	if (!c->pg) {
		free(c);
		return rl_err_set(err, -ENOMEM, "PostgreSQL: out of memory");
	}
	PQsetNoticeProcessor(c->pg, no_notice, NULL);
	if (PQstatus(c->pg) != CONNECTION_OK)
		ret = rl_err_set(err, connect_errno(c->pg), "PostgreSQL: %s",
				 trimmed(PQerrorMessage(c->pg), buf, sizeof(buf)));
	else if (PQserverVersion(c->pg) < 100000)
		ret = rl_err_set(err, -ENOTSUP, "PostgreSQL %d: ringlab needs 10 or newer",
				 PQserverVersion(c->pg) / 10000);
	if (ret < 0) {
		conn_close(&c->base);
		return ret;
	}
	*out = &c->base;
	return 0;
}

static char lib_version[16];

static void format_lib_version(void)
{
	int n = PQlibVersion();

	snprintf(lib_version, sizeof(lib_version), "%d.%d", n / 10000, n % 10000);
}

const char *rl_sql_pg_lib_version(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	/* HTTP threads ask at once: the text is written once. */
	pthread_once(&once, format_lib_version);
	return lib_version;
}
