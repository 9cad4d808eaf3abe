/* SPDX-License-Identifier: MIT */
/*
 * Run details: what only opening one run reads, packed (pack.c) in table
 * run_details: the workloads the run executed (a JSON array, written when it
 * starts or is imported) and its cells (the JSON array of every cell, whole,
 * written when it ends). While a run runs its cells are rows of table cells,
 * one short transaction each so that a crash keeps them; its end packs them
 * into the run's details and deletes the rows. Reading a run reads both, so
 * a run that a crash left unpacked reads as well as a packed one.
 *
 * A run's workloads repeat from run to run of a suite: the last ones parsed
 * are kept with the bytes they came from, and a run with the same bytes
 * gets a copy without parsing them again.
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
#include "engine/result_json.h"

/* A workloads blob and what it parsed to. */
struct parsed {
	unsigned char *blob;
	size_t nblob;
	struct rl_workload *w;
	size_t nw;
};

/* What a connection keeps between calls. */
struct rl_store_cache {
	struct parsed last;		/* the workloads parsed last */
	struct parsed packed;		/* the workloads packed last, for the suite's next run */
	int64_t flags_run;		/* the run rl_store_cell_add() adds cells to ... */
	struct rl_workload *fw;		/* ... and its workloads, for its cells' flags */
	size_t nfw;
};

void rl_store_cache_free(struct rl_store *s)
{
	if (!s->cache)
		return;
	free(s->cache->last.blob);
	free(s->cache->last.w);
	free(s->cache->packed.blob);
	free(s->cache->packed.w);
	free(s->cache->fw);
	free(s->cache);
	s->cache = NULL;
}

static struct rl_store_cache *cache_of(struct rl_store *s)
{
	if (!s->cache)
		s->cache = calloc(1, sizeof(*s->cache));
	return s->cache;
}

/*
 * Upsert column @col (a name of ours, never input) of run @id's details with
 * @n bytes of @blob, and its workloads with @w unless NULL: an import's row
 * in one INSERT, not an INSERT and an UPDATE leaving PostgreSQL a dead row.
 */
static int store_blob(struct rl_store *s, int64_t id, const char *col, const void *blob,
		      size_t n, const struct rl_store_blob *w, struct rl_err *err)
{
	struct rl_sql_stmt *q;
	char sql[200];
	int ret;

	if (w)
		snprintf(sql, sizeof(sql), "INSERT INTO run_details (run_id, %s, workloads)"
			 " VALUES (?, ?, ?) ON CONFLICT (run_id) DO UPDATE SET %s = excluded.%s,"
			 " workloads = excluded.workloads", col, col, col);
	else
		snprintf(sql, sizeof(sql), "INSERT INTO run_details (run_id, %s) VALUES (?, ?)"
			 " ON CONFLICT (run_id) DO UPDATE SET %s = excluded.%s", col, col, col);
	ret = rl_store_prepare(s, sql, &q, err);
	if (ret < 0)
		return ret;
	rl_sql_bind_i64(q, 1, id);
	rl_sql_bind_blob(q, 2, blob, n);
	if (w)
		rl_sql_bind_blob(q, 3, w->buf, w->len);
	ret = rl_store_step_done(s, q, err, "run details");
	rl_sql_finalize(q);
	return ret < 0 ? rl_err_prefix(err, ret, "run %lld: %s", (long long)id, col) : 0;
}

/*
 * After @ret (0 or -errno) of filling @p: finish it and store it as @col
 * (with workloads @w unless NULL), when @store; end it.
 */
static int store_packed(struct rl_store *s, int64_t id, const char *col,
			struct rl_store_packer *p, int ret, bool store,
			const struct rl_store_blob *w, struct rl_err *err)
{
	if (!ret && store)
		ret = rl_store_packer_finish(p, err);
	if (!ret && store)
		ret = store_blob(s, id, col, p->buf, p->len, w, err);
	rl_store_packer_end(p);
	return ret;
}

int rl_store_detail_put_workloads(struct rl_store *s, int64_t id, const char *text,
				  struct rl_err *err)
{
	struct rl_store_packer p;
	int ret;

	ret = rl_store_packer_begin(&p, err);
	if (!ret)
		ret = rl_store_packer_add(&p, text, strlen(text), err);
	return store_packed(s, id, "workloads", &p, ret, true, NULL, err);
}

static char *workloads_text(const struct rl_workload *w, size_t nw)
{
	cJSON *arr = cJSON_CreateArray(), *item;
	size_t i;

	for (i = 0; arr && i < nw; i++) {
		item = rl_workload_to_json(&w[i]);
		if (!item) {
			cJSON_Delete(arr);
			return NULL;
		}
		cJSON_AddItemToArray(arr, item);
	}
	return rl_store_json_text(arr);
}

/* @text packed into @c->packed, made from @nw workloads @w. Returns 0 or -errno. */
static int pack_workloads(struct rl_store_cache *c, const struct rl_workload *w, size_t nw,
			  const char *text, struct rl_err *err)
{
	struct rl_store_packer p;
	struct parsed n = { .nw = nw };
	int ret;

	ret = rl_store_packer_begin(&p, err);
	if (!ret)
		ret = rl_store_packer_add(&p, text, strlen(text), err);
	if (!ret)
		ret = rl_store_packer_finish(&p, err);
	if (!ret) {
		n.blob = malloc(p.len);
		n.w = malloc(nw ? nw * sizeof(*w) : 1);
		if (!n.blob || !n.w)
			ret = rl_err_set(err, -ENOMEM, "workloads: out of memory");
	}
	if (!ret) {
		memcpy(n.blob, p.buf, p.len);
		n.nblob = p.len;
		if (nw)
			memcpy(n.w, w, nw * sizeof(*w));
		free(c->packed.blob);
		free(c->packed.w);
		c->packed = n;
	} else {
		free(n.blob);
		free(n.w);
	}
	rl_store_packer_end(&p);
	return ret;
}

int rl_store_detail_pack_workloads(struct rl_store *s, const struct rl_workload *w, size_t nw,
				   struct rl_store_blob *out, struct rl_err *err)
{
	struct rl_store_cache *c = cache_of(s);
	char *text;
	int ret = 0;

	if (!c)
		return rl_err_set(err, -ENOMEM, "workloads: out of memory");
	/* The same bytes print the same text: a suite's runs print and pack it once. */
	if (!c->packed.blob || c->packed.nw != nw ||
	    (nw && memcmp(c->packed.w, w, nw * sizeof(*w)))) {
		text = workloads_text(w, nw);
		ret = text ? pack_workloads(c, w, nw, text, err) :
			     rl_err_set(err, -ENOMEM, "workloads: out of memory");
		free(text);
	}
	if (!ret)
		*out = (struct rl_store_blob){ c->packed.blob, c->packed.nblob };
	return ret;
}

int rl_store_detail_put_workloads_blob(struct rl_store *s, int64_t id,
				       const struct rl_store_blob *b, struct rl_err *err)
{
	return store_blob(s, id, "workloads", b->buf, b->len, NULL, err);
}

/* Add the JSON array element @text (the @i-th) to @p, whose "[" is in. */
static int add_element(struct rl_store_packer *p, size_t i, const char *text, struct rl_err *err)
{
	int ret = i ? rl_store_packer_add(p, ",", 1, err) : 0;

	return ret < 0 ? ret : rl_store_packer_add(p, text, strlen(text), err);
}

int rl_store_detail_put_cells(struct rl_store *s, int64_t id, const struct rl_run *run,
			      const struct rl_store_blob *workloads, struct rl_err *err)
{
	struct rl_store_packer p;
	char *text;
	int ret;

	/* One cell's JSON at a time: a 16000-cell import never holds them all. */
	ret = rl_store_packer_begin(&p, err);
	if (!ret)
		ret = rl_store_packer_add(&p, "[", 1, err);
	for (size_t i = 0; !ret && i < run->ncells; i++) {
		text = rl_store_json_text(rl_cell_to_json(&run->cells[i]));
		ret = text ? add_element(&p, i, text, err) :
			     rl_err_set(err, -ENOMEM, "run %lld: cells: out of memory", (long long)id);
		free(text);
	}
	if (!ret)
		ret = rl_store_packer_add(&p, "]", 1, err);
	return store_packed(s, id, "cells", &p, ret, true, workloads, err);
}

int rl_store_detail_put_cells_packing(struct rl_store *s, int64_t id,
				      struct rl_store_pack_job *job,
				      const struct rl_store_blob *workloads, struct rl_err *err)
{
	int ret = rl_store_pack_wait(job, err);

	return ret < 0 ? ret : store_blob(s, id, "cells", job->p.buf, job->p.len, workloads, err);
}

/* ---- packing a run's cell rows at its end ------------------------------------ */

/* Run @id's cell rows (each stored whole) into @p as a JSON array, in seq order; their count in @nrows. */
static int pack_rows(struct rl_store *s, int64_t id, struct rl_store_packer *p, size_t *nrows,
		     struct rl_err *err)
{
	struct rl_sql_stmt *q;
	int ret, more = 0;

	*nrows = 0;
	ret = rl_store_prepare(s, "SELECT json FROM cells WHERE run_id = ? ORDER BY seq", &q, err);
	if (ret < 0)
		return ret;
	rl_sql_bind_i64(q, 1, id);
	ret = rl_store_packer_add(p, "[", 1, err);
	while (!ret && (more = rl_sql_step(q, err)) > 0)
		ret = add_element(p, (*nrows)++, rl_sql_col_text(q, 0), err);
	if (!ret && more < 0)
		ret = rl_err_prefix(err, more, "run %lld: cells", (long long)id);
	rl_sql_finalize(q);
	if (!ret)
		ret = rl_store_packer_add(p, "]", 1, err);
	return ret;
}

int rl_store_detail_pack(struct rl_store *s, int64_t id, struct rl_err *err)
{
	struct rl_store_packer p;
	struct rl_sql_stmt *q;
	size_t nrows = 0;
	int ret;

	ret = rl_store_packer_begin(&p, err);
	if (!ret)
		ret = pack_rows(s, id, &p, &nrows, err);
	ret = store_packed(s, id, "cells", &p, ret, nrows > 0, NULL, err);
	if (ret < 0 || !nrows)
		return ret;
	ret = rl_store_prepare(s, "DELETE FROM cells WHERE run_id = ?", &q, err);
	if (ret < 0)
		return ret;
	rl_sql_bind_i64(q, 1, id);
	ret = rl_store_step_done(s, q, err, "pack cells");
	rl_sql_finalize(q);
	return ret;
}

/* ---- reading -------------------------------------------------------------------- */

/*
 * Column @col of run @id's details unpacked into @text (NULL when the run has
 * none). Returns 0 or -errno; with @blob set, the packed bytes are also
 * copied there (to compare with the cache).
 */
static int get_packed(struct rl_store *s, int64_t id, const char *col, char **text,
		      unsigned char **blob, size_t *nblob, struct rl_err *err)
{
	struct rl_sql_stmt *q;
	const void *b;
	char sql[96];
	size_t n = 0;
	int ret;

	*text = NULL;
	snprintf(sql, sizeof(sql), "SELECT %s FROM run_details WHERE run_id = ?", col);
	ret = rl_store_prepare(s, sql, &q, err);
	if (ret < 0)
		return ret;
	rl_sql_bind_i64(q, 1, id);
	ret = rl_sql_step(q, err);
	b = ret > 0 ? rl_sql_col_blob(q, 0, &n) : NULL;
	if (ret < 0)
		rl_err_prefix(err, ret, "run %lld: %s", (long long)id, col);
	ret = ret < 0 ? ret : 0;
	if (b && blob) {
		*blob = malloc(n + 1);
		*nblob = n;
		if (*blob)
			memcpy(*blob, b, n);
		else
			ret = rl_err_set(err, -ENOMEM, "run %lld: out of memory", (long long)id);
	}
	if (b && !ret) {
		ret = rl_store_unpack(b, n, text, err);
		if (ret < 0)
			rl_err_prefix(err, ret, "run %lld: stored %s", (long long)id, col);
	}
	rl_sql_finalize(q);
	return ret;
}

static int parse_workloads(const char *text, struct rl_workload **out, size_t *nout,
			   int64_t id, struct rl_err *err)
{
	cJSON *arr = cJSON_Parse(text), *item;
	struct rl_workload *w = NULL;
	size_t n = 0;
	int ret = 0;

	if (!cJSON_IsArray(arr)) {
		cJSON_Delete(arr);
		return rl_err_set(err, -EIO, "run %lld: stored workloads: not a JSON array",
				  (long long)id);
	}
	if (cJSON_GetArraySize(arr)) {
		w = calloc((size_t)cJSON_GetArraySize(arr), sizeof(*w));
		if (!w)
			ret = rl_err_set(err, -ENOMEM, "run %lld: out of memory", (long long)id);
	}
	cJSON_ArrayForEach(item, arr) {
		if (ret)
			break;
		ret = rl_workload_parse(item, &w[n], err);
		if (ret < 0)
			rl_err_prefix(err, ret == -ENOMEM ? ret : -EIO,
				      "run %lld: stored workloads[%zu]", (long long)id, n);
		else
			n++;
	}
	cJSON_Delete(arr);
	if (ret < 0) {
		free(w);
		return ret == -ENOMEM ? ret : -EIO;
	}
	*out = w;
	*nout = n;
	return 0;
}

/* Copy the cache's workloads into @run. Returns 0 or -ENOMEM. */
static int copy_cached(const struct rl_store_cache *c, struct rl_run *run)
{
	if (!c->last.nw)
		return 0;
	run->workloads = malloc(c->last.nw * sizeof(*run->workloads));
	if (!run->workloads)
		return -ENOMEM;
	memcpy(run->workloads, c->last.w, c->last.nw * sizeof(*run->workloads));
	run->nworkloads = c->last.nw;
	return 0;
}

int rl_store_detail_get_workloads(struct rl_store *s, int64_t id, struct rl_run *run,
				  struct rl_err *err)
{
	struct rl_store_cache *c = cache_of(s);
	unsigned char *blob = NULL;
	struct rl_workload *w = NULL;
	size_t nblob = 0, nw = 0;
	char *text;
	int ret;

	if (!c)
		return rl_err_set(err, -ENOMEM, "run %lld: out of memory", (long long)id);
	ret = get_packed(s, id, "workloads", &text, &blob, &nblob, err);
	if (ret < 0 || !text) {
		free(blob);
		return ret;
	}
	if (!c->last.blob || c->last.nblob != nblob || memcmp(c->last.blob, blob, nblob)) {
		ret = parse_workloads(text, &w, &nw, id, err);
		if (ret < 0) {
			free(blob);
			free(text);
			return ret;
		}
		free(c->last.blob);
		free(c->last.w);
		c->last = (struct parsed){ .blob = blob, .nblob = nblob, .w = w, .nw = nw };
		blob = NULL;
	}
	free(blob);
	free(text);
	if (copy_cached(c, run) < 0)
		return rl_err_set(err, -ENOMEM, "run %lld: out of memory", (long long)id);
	return 0;
}

/* Past blanks and one @sep (0: none) at @p. */
static const char *skip(const char *p, char sep)
{
	while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
		p++;
	if (sep && *p == sep)
		p++;
	while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
		p++;
	return p;
}

/*
 * Append the cells of the JSON array @text to @run, parsed one element at a
 * time so that a run of 16000 cells never holds the JSON tree of all of them.
 * Returns 0 or -errno.
 */
static int parse_cells(const char *text, struct rl_run *run, int64_t id, struct rl_err *err)
{
	const char *p = skip(text, '\0'), *end;
	struct rl_cell c;
	cJSON *item;
	size_t i = 0;
	int ret = 0;

	if (*p != '[')
		return rl_err_set(err, -EIO, "run %lld: stored cells: not a JSON array", (long long)id);
	for (p = skip(p + 1, '\0'); *p && *p != ']' && !ret; p = skip(end, ',')) {
		item = cJSON_ParseWithOpts(p, &end, false);
		if (!item)
			return rl_err_set(err, -EIO, "run %lld: stored cell %zu: not JSON", (long long)id, i);
		ret = rl_cell_from_json(item, &c, err);
		cJSON_Delete(item);
		if (ret < 0)
			return rl_err_prefix(err, ret == -ENOMEM ? ret : -EIO, "run %lld: stored cell %zu",
					     (long long)id, i);
		if (rl_run_add_cell(run, &c) < 0)
			return rl_err_set(err, -ENOMEM, "run %lld: out of memory", (long long)id);
		i++;
	}
	if (*p != ']')
		return rl_err_set(err, -EIO, "run %lld: stored cells: the array does not end", (long long)id);
	return 0;
}

int rl_store_detail_get_cells(struct rl_store *s, int64_t id, struct rl_run *run,
			      struct rl_err *err)
{
	char *text;
	int ret;

	ret = get_packed(s, id, "cells", &text, NULL, NULL, err);
	if (!ret && text)
		ret = parse_cells(text, run, id, err);
	free(text);
	/* Cells a run that ran wrote as rows, not packed yet (running, or a crash at its end). */
	return ret < 0 ? ret : rl_store_cells_load(s, id, run, err);
}

/* ---- the running run's flags --------------------------------------------------- */

int rl_store_run_wflags(struct rl_store *s, int64_t id, const char *workload, bool *nowait,
			bool *timing, struct rl_err *err)
{
	struct rl_store_cache *c = cache_of(s);
	struct rl_run *run = calloc(1, sizeof(*run));
	int ret = 0;

	if (!c || !run) {
		free(run);
		return rl_err_set(err, -ENOMEM, "run %lld: out of memory", (long long)id);
	}
	/* The cells of one run come one after another: its workloads are read once. */
	if (c->flags_run != id) {
		ret = rl_store_detail_get_workloads(s, id, run, err);
		if (!ret) {
			free(c->fw);
			c->fw = run->workloads;
			c->nfw = run->nworkloads;
			c->flags_run = id;
		} else {
			free(run->workloads);
		}
	}
	if (!ret) {
		run->workloads = c->fw;
		run->nworkloads = c->nfw;
		rl_store_wflags_of(run, workload, nowait, timing);
	}
	free(run);
	return ret;
}
