/* SPDX-License-Identifier: MIT */
/*
 * The store's connection, whichever backend holds it: opening (the
 * PostgreSQL password read from its file), the version check, setup and
 * migrations in order, transactions, and closing. The backends are
 * sql_sqlite.c and sql_pg.c; the statement helpers are in query.c.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RL_STORE_INTERNAL
#include "store.h"
#include "sql.h"
#include "util/fileio.h"

static const char *const kind_names[] = { "sqlite", "postgresql" };

_Static_assert(sizeof(kind_names) / sizeof(kind_names[0]) == RL_STORE_KIND_MAX, "store kinds");

const char *rl_store_kind_name(enum rl_store_kind k)
{
	return k < RL_STORE_KIND_MAX ? kind_names[k] : "?";
}

enum rl_store_kind rl_store_kind(const struct rl_store *s)
{
	return s->kind;
}

const char *rl_store_lib_version(enum rl_store_kind k)
{
	return k == RL_STORE_POSTGRESQL ? rl_sql_pg_lib_version() : rl_sql_sqlite_lib_version();
}

int rl_store_exec(struct rl_store *s, const char *sql, struct rl_err *err)
{
	return s->db->ops->exec(s->db, sql, err);
}

int rl_store_begin(struct rl_store *s, bool write, struct rl_err *err)
{
	return s->db->ops->begin(s->db, write, err);
}

int rl_store_end(struct rl_store *s, int ret, struct rl_err *err)
{
	int rc;

	if (ret < 0) {
		s->db->ops->rollback(s->db);
		/* The rollback read the version a failed statement's SQLSTATE hinted at. */
		return s->db->newer ? rl_sql_newer_err(s->db, err) : ret;
	}
	rc = s->db->ops->commit(s->db, err);
	if (!rc)
		return ret;
	s->db->ops->rollback(s->db);
	return rc;
}

static int connect(const struct rl_store_conf *c, struct rl_sql **db, struct rl_err *err)
{
	char password[256] = "";
	int ret;

	if (c->kind == RL_STORE_SQLITE) {
		if (!c->path || !*c->path)
			return rl_err_set(err, -EINVAL, "database: no path given");
		return rl_sql_sqlite_open(c->path, db, err);
	}
	if (c->kind != RL_STORE_POSTGRESQL)
		return rl_err_set(err, -EINVAL, "store: unknown kind %d", (int)c->kind);
	if (!c->conninfo || !*c->conninfo)
		return rl_err_set(err, -EINVAL, "store: postgresql needs a conninfo");
	if (c->password_file && *c->password_file) {
		/* The first line, as a token_file's. */
		ret = rl_read_token_file(c->password_file, "password", password, sizeof(password), err);
		if (ret < 0)
			return rl_err_prefix(err, ret, "store: password_file");
	}
	ret = rl_sql_pg_open(c->conninfo, password, db, err);
	explicit_bzero(password, sizeof(password));
	return ret < 0 ? rl_err_prefix(err, ret, "store") : ret;
}

/* What opening does once connected: nothing is written before the version check. */
static int configure(struct rl_store *s, struct rl_err *err)
{
	int ret = rl_store_check_version(s, err);

	if (!ret)
		ret = s->db->ops->setup(s->db, err);
	if (!ret)
		ret = rl_store_migrate(s, err);
	return ret;
}

int rl_store_open_conf(const struct rl_store_conf *c, struct rl_store **out, struct rl_err *err)
{
	struct rl_store *s;
	int ret;

	*out = NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return rl_err_set(err, -ENOMEM, "store: out of memory");
	s->kind = c->kind;
	ret = connect(c, &s->db, err);
	if (!ret)
		ret = configure(s, err);
	/* From now on a newer schema is another daemon's migration, not this open's. */
	if (!ret)
		s->db->known = rl_store_schema_version();
	if (ret < 0) {
		if (c->kind == RL_STORE_SQLITE && s->db)
			rl_err_prefix(err, ret, "database %s", c->path);
		else if (s->db)
			rl_err_prefix(err, ret, "store");
		rl_store_close(s);
		return ret;
	}
	*out = s;
	return 0;
}

int rl_store_open(const char *path, struct rl_store **out, struct rl_err *err)
{
	const struct rl_store_conf c = { .kind = RL_STORE_SQLITE, .path = path };

	return rl_store_open_conf(&c, out, err);
}

void rl_store_close(struct rl_store *s)
{
	if (!s)
		return;
	/* Its statements first: a connection closes with none left. */
	rl_store_summary_cache_free(s);
	if (s->db)
		s->db->ops->close(s->db);
	rl_store_cache_free(s);
	free(s);
}

int rl_store_newer(const struct rl_store *s)
{
	return s->db->newer;
}

void rl_store_set_newer(struct rl_store *s, int version)
{
	if (s->db->known && version > s->db->known)
		s->db->newer = version;
}

int rl_store_recheck(struct rl_store *s, int *version, struct rl_err *err)
{
	int ret;

	*version = s->db->newer;
	if (s->db->newer)
		return rl_sql_newer_err(s->db, err);
	ret = s->db->ops->get_version(s->db, version, err);
	if (ret < 0)
		return ret;
	rl_store_set_newer(s, *version);
	return s->db->newer ? rl_sql_newer_err(s->db, err) : 0;
}

int rl_store_quick_check(struct rl_store *s, struct rl_err *err)
{
	return s->db->ops->check(s->db, err);
}
