/* SPDX-License-Identifier: MIT */
/*
 * The PostgreSQL backend's prepared statements: each SQL text (with its
 * parameter types) is parsed once per connection with PQprepare and run
 * with PQexecPrepared after, so the server neither re-parses it nor, once
 * it settles on a generic plan, re-plans it. An import's 64-row INSERT of
 * 2000 parameters spent as long in parse and plan as in inserting. The
 * cache is the connection's: a reconnect (a new session, its statements
 * gone) empties it, and past CACHE_MAX texts the least recently used one
 * is deallocated, so that SQL built per call cannot grow the server's.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sql_pg.h"

#define CACHE_MAX 128

struct pg_prepared {
	char *sql;
	Oid *types;
	int nparams;
	uint64_t hash;
	uint64_t used;	/* the connection's tick at its last use */
	char name[24];
};

/* FNV-1a of the text and the types: most lookups then skip the strcmp. */
static uint64_t hash_of(const char *sql, int nparams, const Oid *types)
{
	uint64_t h = 14695981039346656037ULL;
	const unsigned char *p;

	for (p = (const unsigned char *)sql; *p; p++)
		h = (h ^ *p) * 1099511628211ULL;
	for (int i = 0; i < nparams; i++)
		h = (h ^ types[i]) * 1099511628211ULL;
	return h;
}

static void forget(struct pg_prepared *p)
{
	free(p->sql);
	free(p->types);
	memset(p, 0, sizeof(*p));
}

void rl_sql_pg_cache_clear(struct pg_conn *c)
{
	for (size_t i = 0; i < c->ncached; i++)
		forget(&c->cached[i]);
	free(c->cached);
	c->cached = NULL;
	c->ncached = 0;
}

/* @p out of the cache, the last entry moved into its place. */
static void drop(struct pg_conn *c, struct pg_prepared *p)
{
	forget(p);
	*p = c->cached[--c->ncached];
	memset(&c->cached[c->ncached], 0, sizeof(*p));
}

static struct pg_prepared *find(struct pg_conn *c, const char *sql, int nparams,
				const Oid *types, uint64_t h)
{
	for (size_t i = 0; i < c->ncached; i++) {
		struct pg_prepared *p = &c->cached[i];

		if (p->hash == h && p->nparams == nparams && !strcmp(p->sql, sql) &&
		    !memcmp(p->types, types, (size_t)nparams * sizeof(Oid)))
			return p;
	}
	return NULL;
}

/* A free entry: a new one, or the least recently used deallocated on the server. */
static struct pg_prepared *slot_for_new(struct pg_conn *c)
{
	struct pg_prepared *p;
	char sql[48];

	if (!c->cached) {
		c->cached = calloc(CACHE_MAX, sizeof(*c->cached));
		if (!c->cached)
			return NULL;
	}
	if (c->ncached < CACHE_MAX)
		return &c->cached[c->ncached++];
	p = &c->cached[0];
	for (size_t i = 1; i < c->ncached; i++)
		if (c->cached[i].used < p->used)
			p = &c->cached[i];
	/* Failing (an aborted transaction) leaves one statement on the server until it disconnects. */
	snprintf(sql, sizeof(sql), "DEALLOCATE %s", p->name);
	PQclear(PQexec(c->pg, sql));
	forget(p);
	return p;
}

int rl_sql_pg_prepared(struct pg_conn *c, const char *sql, int nparams, const Oid *types,
		       const char **name, struct rl_err *err)
{
	uint64_t h = hash_of(sql, nparams, types);
	struct pg_prepared *p = find(c, sql, nparams, types, h);
	PGresult *res;
	int ret = 0;

	if (p) {
		p->used = ++c->tick;
		*name = p->name;
		return 0;
	}
	p = slot_for_new(c);
	if (!p)
		return rl_err_set(err, -ENOMEM, "prepare: out of memory");
	p->sql = strdup(sql);
	p->types = malloc((size_t)(nparams ? nparams : 1) * sizeof(Oid));
	if (!p->sql || !p->types) {
		drop(c, p);
		return rl_err_set(err, -ENOMEM, "prepare: out of memory");
	}
	memcpy(p->types, types, (size_t)nparams * sizeof(Oid));
	p->nparams = nparams;
	p->hash = h;
	snprintf(p->name, sizeof(p->name), "rl%llu", (unsigned long long)++c->names);
	res = PQprepare(c->pg, p->name, sql, nparams, types);
	if (!res || PQresultStatus(res) != PGRES_COMMAND_OK)
		ret = rl_sql_pg_err(c, res, err, NULL);
	PQclear(res);
	if (ret < 0) {
		/* Not on the server: the entry is dropped, the next try prepares again. */
		drop(c, p);
		return ret;
	}
	p->used = ++c->tick;
	*name = p->name;
	return 0;
}
