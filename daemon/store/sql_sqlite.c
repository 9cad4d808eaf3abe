/* SPDX-License-Identifier: MIT */
/*
 * The SQLite backend of sql.h: opening the file, its pragmas and WAL,
 * transactions, the schema version in PRAGMA user_version, quick_check, and
 * SQLite's result codes as -errno with the message kept. Its statements are
 * in sql_sqlite_stmt.c.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <sqlite3.h>

#include "sql.h"
#include "sql_sqlite.h"
#include "util/clock.h"

/* PRAGMA application_id of a ringlab database: "RLAB". */
#define RL_STORE_APPLICATION_ID 0x524c4142
#define BANNER "*** in database main ***"

static int set_wal(struct rl_sql *c, struct rl_err *err);

static struct sqlite_conn *conn_of(struct rl_sql *c)
{
	return (struct sqlite_conn *)c;
}

static int errno_of(int rc)
{
	switch (rc) {
	case SQLITE_CONSTRAINT_UNIQUE:
	case SQLITE_CONSTRAINT_PRIMARYKEY:
		return -EEXIST;
	}
	switch (rc & 0xff) {
	case SQLITE_OK:
		return 0;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
	case SQLITE_PROTOCOL:
		return -EBUSY;
	case SQLITE_CONSTRAINT:
	case SQLITE_MISMATCH:
	case SQLITE_RANGE:
		return -EINVAL;
	case SQLITE_NOTFOUND:
		return -ENOENT;
	case SQLITE_NOMEM:
		return -ENOMEM;
	case SQLITE_READONLY:
		return -EROFS;
	case SQLITE_PERM:
	case SQLITE_AUTH:
		return -EACCES;
	case SQLITE_FULL:
		return -ENOSPC;
	case SQLITE_TOOBIG:
		return -E2BIG;
	case SQLITE_INTERRUPT:
		return -EINTR;
	case SQLITE_CANTOPEN:
		return -ENOENT;
	default:	/* IOERR, CORRUPT, NOTADB, and SQL errors that only a broken schema causes */
		return -EIO;
	}
}

/* SQLite's errors about the file itself, where the reader needs its name and the system's errno. */
static bool file_error(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_FULL:
	case SQLITE_IOERR:
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
	case SQLITE_READONLY:
	case SQLITE_CANTOPEN:
	case SQLITE_PERM:
		return true;
	}
	return false;
}

int rl_sql_sqlite_err(sqlite3 *db, int rc, struct rl_err *err, const char *what)
{
	const char *msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
	const char *file = db ? sqlite3_db_filename(db, "main") : NULL;
	int e = db ? sqlite3_system_errno(db) : 0;

	if (!what)
		what = "store";
	/* "database or disk is full" says neither which database nor what the disk said. */
	if (!file_error(rc) || !file || !*file || strstr(what, file))
		return rl_err_set(err, errno_of(rc), "%s: %s", what, msg);
	return rl_err_set(err, errno_of(rc), "%s: database %.200s: %s%s%s%s", what, file, msg,
			  e ? " (" : "", e ? strerror(e) : "", e ? ")" : "");
}

static int conn_exec(struct rl_sql *c, const char *sql, struct rl_err *err)
{
	char what[80];
	int rc = sqlite3_exec(conn_of(c)->db, sql, NULL, NULL, NULL);

	if (rc == SQLITE_OK)
		return 0;
	snprintf(what, sizeof(what), "%.60s", sql);
	return rl_sql_sqlite_err(conn_of(c)->db, rc, err, what);
}

static int conn_begin(struct rl_sql *c, bool write, struct rl_err *err)
{
	/* IMMEDIATE takes the write lock now, waiting in the busy handler; a
	 * deferred transaction that upgrades later fails at once in WAL mode. */
	int ret = conn_exec(c, write ? "BEGIN IMMEDIATE" : "BEGIN", err);

	if (ret == -EBUSY)
		rl_err_prefix(err, ret, "another connection held the write lock for over %d ms",
			      RL_STORE_BUSY_TIMEOUT_MS);
	return ret;
}

static void conn_rollback(struct rl_sql *c)
{
	sqlite3_exec(conn_of(c)->db, "ROLLBACK", NULL, NULL, NULL);
}

static int conn_commit(struct rl_sql *c, struct rl_err *err)
{
	int rc = sqlite3_exec(conn_of(c)->db, "COMMIT", NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : rl_sql_sqlite_err(conn_of(c)->db, rc, err, "commit");
}

/* The one row a pragma answers, as text into @buf. Returns 0 or -errno. */
static int pragma_text(struct rl_sql *c, const char *sql, char *buf, size_t len,
		       struct rl_err *err)
{
	struct rl_sql_stmt *q;
	const char *got;
	int ret;

	ret = c->ops->prepare(c, sql, &q, err);
	if (ret < 0)
		return ret;
	ret = rl_sql_step(q, err);
	if (ret > 0) {
		got = rl_sql_col_text(q, 0);
		snprintf(buf, len, "%s", got ? got : "nothing");
		ret = 0;
	} else if (!ret) {
		ret = rl_err_set(err, -EIO, "%s: no answer", sql);
	} else {
		rl_err_prefix(err, ret, "%s", sql);
	}
	rl_sql_finalize(q);
	return ret;
}

static int pragma_int(struct rl_sql *c, const char *sql, int *v, struct rl_err *err)
{
	char buf[32];
	int ret = pragma_text(c, sql, buf, sizeof(buf), err);

	*v = ret < 0 ? 0 : atoi(buf);
	return ret;
}

static int conn_get_version(struct rl_sql *c, int *version, struct rl_err *err)
{
	return pragma_int(c, "PRAGMA user_version", version, err);
}

static int conn_set_version(struct rl_sql *c, int version, struct rl_err *err)
{
	char sql[96];

	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d; PRAGMA application_id = %d",
		 version, RL_STORE_APPLICATION_ID);
	return conn_exec(c, sql, err);
}

static int conn_check_app(struct rl_sql *c, struct rl_err *err)
{
	int app = 0, ret = pragma_int(c, "PRAGMA application_id", &app, err);

	/* 0: a new file, or one written before the first migration committed. */
	if (!ret && app && app != RL_STORE_APPLICATION_ID)
		ret = rl_err_set(err, -EINVAL,
				 "not a ringlab database (SQLite application_id 0x%08x)", app);
	return ret;
}

/* BEGIN IMMEDIATE already holds the one write lock. */
static int conn_migrate_lock(struct rl_sql *c, struct rl_err *err)
{
	return 0;
}

/* A complaint for a log line and /health: its lines joined with "; ", SQLite's banner dropped. */
static void one_line(char *out, size_t len, const char *row)
{
	size_t n = 0;

	if (!strncmp(row, BANNER, strlen(BANNER)))
		row += strlen(BANNER);
	row += strspn(row, "\n");
	for (; *row && n + 3 < len; row++) {
		if (*row != '\n') {
			out[n++] = *row;
		} else if (row[1]) {
			out[n++] = ';';
			out[n++] = ' ';
		}
	}
	out[n] = '\0';
}

/*
 * Opening reads the schema and start-up reads the runs table; a page of
 * cells can be corrupt and nothing notices until someone asks for that run.
 * PRAGMA quick_check reads every page of every table (not the indexes
 * against them, which integrity_check does at many times the cost).
 */
static int conn_check(struct rl_sql *c, struct rl_err *err)
{
	char first[200] = "";
	struct rl_sql_stmt *q;
	const char *row;
	int ret, more = 0;

	ret = c->ops->prepare(c, "PRAGMA quick_check", &q, err);
	if (ret < 0)
		return ret;
	while ((ret = rl_sql_step(q, err)) > 0) {
		row = rl_sql_col_text(q, 0);
		if (row && !strcmp(row, "ok"))
			continue;
		if (first[0])
			more++;
		else
			one_line(first, sizeof(first), row ? row : "no answer");
	}
	if (ret < 0)
		rl_err_prefix(err, ret, "quick_check");
	else if (first[0] && more)
		ret = rl_err_set(err, -EIO, "quick_check: %s (and %d more)", first, more);
	else if (first[0])
		ret = rl_err_set(err, -EIO, "quick_check: %s", first);
	rl_sql_finalize(q);
	return ret;
}

/* After the version check: journal_mode writes the file header. */
static int conn_setup(struct rl_sql *c, struct rl_err *err)
{
	int ret = set_wal(c, err);

	return ret < 0 ? ret : conn_exec(c, "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON",
					 err);
}

static void conn_close(struct rl_sql *c)
{
	if (!c)
		return;
	/* Every statement is finalized by its user, so close cannot be refused. */
	sqlite3_close(conn_of(c)->db);
	free(c);
}

static const struct rl_sql_ops sqlite_ops = RL_SQL_OPS(rl_sql_sqlite_prepare, rl_sql_sqlite_prepare_rows);

/*
 * Open, creating, the SQLite way. ringlab never opens the file itself:
 * closing any descriptor of the database drops every POSIX lock this
 * process holds on it, those of its other connections included, and an
 * outside sqlite3 that then finds the file unlocked checkpoints and deletes
 * the live -wal and -shm under them. SQLite creates the file 0644 less the
 * umask; the read bit for others goes at once, before anything is written
 * (the -wal and -shm take the database's mode).
 */
static int open_db(struct sqlite_conn *c, const char *path, struct rl_err *err)
{
	char dir[PATH_MAX], what[PATH_MAX + 16];
	struct stat st;
	bool existed = stat(path, &st) == 0;
	int rc, e;

	rc = sqlite3_open_v2(path, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc != SQLITE_OK) {
		e = c->db ? sqlite3_system_errno(c->db) : 0;
		if (e == ENOENT) {
			snprintf(dir, sizeof(dir), "%s", path);
			return rl_err_set(err, -ENOENT, "database %s: directory %s does not exist",
					  path, dirname(dir));
		}
		if (e)
			return rl_err_set(err, -e, "database %s: %s", path, strerror(e));
		snprintf(what, sizeof(what), "database %s", path);
		return rl_sql_sqlite_err(c->db, rc, err, what);
	}
	if (!existed && stat(path, &st) == 0 && (st.st_mode & 07777) != (st.st_mode & 0640) &&
	    chmod(path, st.st_mode & 0640) < 0)
		return rl_err_set(err, -errno, "database %s: chmod: %s", path, strerror(errno));
	return 0;
}

/*
 * WAL is a property of the file: set once, by whichever connection finds a
 * new file first, and every later open only reads it. Switching takes the
 * write lock from inside the read that looked at the header, and when
 * another connection holds the write lock SQLite answers that upgrade
 * SQLITE_BUSY at once, without the busy handler (two connections upgrading
 * would wait for each other): two connections opening a new file together
 * made one fail "database is locked". So the switch is tried again, from
 * scratch with no lock held, until the busy timeout.
 */
static int set_wal(struct rl_sql *c, struct rl_err *err)
{
	uint64_t deadline = rl_now_ns() + RL_STORE_BUSY_TIMEOUT_MS * 1000000ull;
	struct timespec pause = { 0, 1000000 };
	char mode[16];
	int ret;

	ret = pragma_text(c, "PRAGMA journal_mode", mode, sizeof(mode), err);
	if (ret < 0 || !strcmp(mode, "wal"))
		return ret;
	for (;;) {
		ret = pragma_text(c, "PRAGMA journal_mode = WAL", mode, sizeof(mode), err);
		if (ret != -EBUSY || rl_now_ns() > deadline)
			break;
		nanosleep(&pause, NULL);
		if (pause.tv_nsec < 32000000)
			pause.tv_nsec *= 2;
	}
	if (!ret && strcmp(mode, "wal"))
		ret = rl_err_set(err, -ENOTSUP, "PRAGMA journal_mode = WAL: answered %s, expected wal",
				 mode);
	return ret;
}

int rl_sql_sqlite_open(const char *path, struct rl_sql **out, struct rl_err *err)
{
	struct sqlite_conn *c;
	int ret;

	*out = NULL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return rl_err_set(err, -ENOMEM, "database %s: out of memory", path);
	c->base.ops = &sqlite_ops;
	ret = open_db(c, path, err);
	if (ret < 0)
		goto fail;
	sqlite3_extended_result_codes(c->db, 1);
	sqlite3_busy_timeout(c->db, RL_STORE_BUSY_TIMEOUT_MS);
	*out = &c->base;
	return 0;
fail:
	conn_close(&c->base);
	return ret;
}

const char *rl_sql_sqlite_lib_version(void)
{
	return sqlite3_libversion();
}
