/* SPDX-License-Identifier: MIT */
/*
 * The store's connection: opening the file, its pragmas, transactions, and
 * turning SQLite's result codes into -errno with the message kept. The
 * statement helpers are in query.c.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <sqlite3.h>

#define RL_STORE_INTERNAL
#include "store.h"
#include "util/clock.h"

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

int rl_store_sqlerr(struct rl_store *s, int rc, struct rl_err *err, const char *fmt, ...)
{
	char what[RL_ERR_MSG_MAX / 2];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return rl_err_set(err, errno_of(rc), "%s: %s", what,
			  s && s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
}

int rl_store_exec(struct rl_store *s, const char *sql, struct rl_err *err)
{
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : rl_store_sqlerr(s, rc, err, "%.60s", sql);
}

int rl_store_begin(struct rl_store *s, bool write, struct rl_err *err)
{
	/* IMMEDIATE takes the write lock now, waiting in the busy handler; a
	 * deferred transaction that upgrades later fails at once in WAL mode. */
	int ret = rl_store_exec(s, write ? "BEGIN IMMEDIATE" : "BEGIN", err);

	if (ret == -EBUSY)
		rl_err_prefix(err, ret, "another connection held the write lock for over %d ms",
			      RL_STORE_BUSY_TIMEOUT_MS);
	return ret;
}

int rl_store_end(struct rl_store *s, int ret, struct rl_err *err)
{
	int rc;

	if (ret < 0) {
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return ret;
	}
	rc = sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		return ret;
	ret = rl_store_sqlerr(s, rc, err, "commit");
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return ret;
}

/*
 * Open, creating, the SQLite way. ringlab never opens the file itself:
 * closing any descriptor of the database drops every POSIX lock this
 * process holds on it, those of its other connections included, and an
 * outside sqlite3 that then finds the file unlocked checkpoints and deletes
 * the live -wal and -shm under them. SQLite creates the file 0644 less the
 * umask; the read bit for others goes at once, before anything is written
 * (the -wal and -shm take the database's mode).
 */
static int open_db(struct rl_store *s, const char *path, struct rl_err *err)
{
	char dir[PATH_MAX];
	struct stat st;
	bool existed = stat(path, &st) == 0;
	int rc, e;

	rc = sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc != SQLITE_OK) {
		e = s->db ? sqlite3_system_errno(s->db) : 0;
		if (e == ENOENT) {
			snprintf(dir, sizeof(dir), "%s", path);
			return rl_err_set(err, -ENOENT, "database %s: directory %s does not exist",
					  path, dirname(dir));
		}
		if (e)
			return rl_err_set(err, -e, "database %s: %s", path, strerror(e));
		return rl_store_sqlerr(s, rc, err, "database %s", path);
	}
	if (!existed && stat(path, &st) == 0 && (st.st_mode & 07777) != (st.st_mode & 0640) &&
	    chmod(path, st.st_mode & 0640) < 0)
		return rl_err_set(err, -errno, "database %s: chmod: %s", path, strerror(errno));
	return 0;
}

/* The one text row a pragma answers, into @buf. Returns 0 or -errno. */
static int pragma_text(struct rl_store *s, const char *sql, char *buf, size_t len,
		       struct rl_err *err)
{
	sqlite3_stmt *q;
	const char *got;
	int ret, rc;

	ret = rl_store_prepare(s, sql, &q, err);
	if (ret < 0)
		return ret;
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		got = (const char *)sqlite3_column_text(q, 0);
		snprintf(buf, len, "%s", got ? got : "nothing");
	} else {
		ret = rl_store_sqlerr(s, rc, err, "%s", sql);
	}
	sqlite3_finalize(q);
	return ret;
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
static int set_wal(struct rl_store *s, struct rl_err *err)
{
	uint64_t deadline = rl_now_ns() + RL_STORE_BUSY_TIMEOUT_MS * 1000000ull;
	struct timespec pause = { 0, 1000000 };
	char mode[16];
	int ret;

	ret = pragma_text(s, "PRAGMA journal_mode", mode, sizeof(mode), err);
	if (ret < 0 || !strcmp(mode, "wal"))
		return ret;
	for (;;) {
		ret = pragma_text(s, "PRAGMA journal_mode = WAL", mode, sizeof(mode), err);
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

static int configure(struct rl_store *s, const char *path, struct rl_err *err)
{
	int ret;

	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_timeout(s->db, RL_STORE_BUSY_TIMEOUT_MS);
	/* Before journal_mode, which writes the file header. */
	ret = rl_store_check_version(s, err);
	if (!ret)
		ret = set_wal(s, err);
	if (!ret)
		ret = rl_store_exec(s, "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON", err);
	if (!ret)
		ret = rl_store_migrate(s, err);
	if (ret < 0)
		rl_err_prefix(err, ret, "database %s", path);
	return ret;
}

int rl_store_open(const char *path, struct rl_store **out, struct rl_err *err)
{
	struct rl_store *s;
	int ret;

	*out = NULL;
	if (!path || !*path)
		return rl_err_set(err, -EINVAL, "database: no path given");
	s = calloc(1, sizeof(*s));
	if (!s)
		return rl_err_set(err, -ENOMEM, "database %s: out of memory", path);
	ret = open_db(s, path, err);
	if (ret < 0)
		goto fail;
	ret = configure(s, path, err);
	if (ret < 0)
		goto fail;
	*out = s;
	return 0;
fail:
	rl_store_close(s);
	return ret;
}

void rl_store_close(struct rl_store *s)
{
	if (!s)
		return;
	/* Every statement is finalized by its user, so close cannot be refused. */
	sqlite3_close(s->db);
	rl_store_cache_free(s);
	free(s);
}

int rl_store_integrity_check(struct rl_store *s, struct rl_err *err)
{
	sqlite3_stmt *q;
	const char *got;
	int ret, rc;

	ret = rl_store_prepare(s, "PRAGMA integrity_check", &q, err);
	if (ret < 0)
		return ret;
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		got = (const char *)sqlite3_column_text(q, 0);
		if (!got || strcmp(got, "ok") != 0)
			ret = rl_err_set(err, -EIO, "integrity check: %s", got ? got : "no answer");
	} else {
		ret = rl_store_sqlerr(s, rc, err, "integrity check");
	}
	sqlite3_finalize(q);
	return ret;
}
