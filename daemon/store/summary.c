/* SPDX-License-Identifier: MIT */
/*
 * Cell summaries: one narrow row per cell with what comparisons, history and
 * listings read (counts, IOPS, p99, verification, expectation, the EAGAIN
 * causes' counts), so that none of them has to unpack a run's cells. The
 * cell itself, every field, is in run_details (detail.c). A summary row is
 * written with its cell: by rl_store_cell_add(), by an import, and by the
 * migration to schema 5 for the cells stored before it.
 *
 * A run read from its summaries ("light") has cells holding only those
 * fields; rl_cell_summary() and rl_compare_runs() give on it what they give
 * on the whole run.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RL_STORE_INTERNAL
#include "store.h"
#include "sql.h"

/* The summary columns after run_id, seq and workload_id, in bind_row()'s order. */
#define SUMMARY_COLS "jobs, rep, attempts, ops, eagain, iops, bw, elapsed_s, p99_ns, verify," \
	" expect, failed, errors, nowait, timing, causes, cause_counts, found"
#define NSUMMARY_COLS 18
/* Portable upsert: a name stored once, whichever cell brings it first. */
#define NAME_UPSERT "INSERT INTO workload_names (name) VALUES (?) ON CONFLICT (name) DO NOTHING"
/*
 * Their parameters, then run_id's and seq's. p99_ns and causes may be NULL,
 * bound as text: the CAST gives PostgreSQL their type.
 */
#define SUMMARY_PARAMS "?, ?, ?, ?, ?, ?, ?, ?, CAST(? AS INTEGER), ?, ?, ?, ?, ?, ?," \
	" CAST(? AS INTEGER), ?, ?, ?, ?"

/* cause_counts: the causes' counts in enum order, then unattributed. */
#define NCAUSE_COUNTS (RL_CAUSE_MAX + 1)
_Static_assert(RL_CAUSE_MAX == 10, "cause_counts holds 10 causes, then unattributed: a new"
	       " cause needs a migration putting its 0 before unattributed in every row");

/* What the run's workload says about a cell: NOWAIT first attempts, a timing-dependent rate. */
void rl_store_wflags_of(const struct rl_run *run, const char *workload, bool *nowait,
			bool *timing)
{
	const struct rl_workload *w = rl_run_workload(run, workload);

	/* As rl_cell_summary(): without the workload any first attempt may have been NOWAIT. */
	*nowait = !w || w->nowait;
	*timing = w && w->nowait && w->eagain_policy == RL_EAGAIN_RETRY_BLOCKING;
}

/*
 * @v as the cell's JSON keeps it: cJSON prints a number in 15 digits when
 * they read back within its epsilon, so a run read whole may hold a value a
 * bit off the measured one, and its summary must hold that same value for
 * comparisons to answer alike.
 */
static double as_stored(double v)
{
	double t, max;
	char buf[32];

	/* As cJSON prints it: 15 digits when they read back within its epsilon, else 17 (exact). */
	snprintf(buf, sizeof(buf), "%1.15g", v);
	t = strtod(buf, NULL);
	max = fabs(t) > fabs(v) ? fabs(t) : fabs(v);
	return fabs(t - v) <= max * DBL_EPSILON ? t : v;
}

/* NaN is stored as NULL; an infinity, which no measurement gives, too. */
static void bind_double_or_null(struct rl_sql_stmt *q, int i, double v)
{
	rl_sql_bind_double(q, i, isfinite(v) ? as_stored(v) : NAN);
}

/* Whether column @i of the row @q is on is NULL (by its type: reading a REAL as text prints it). */
static bool col_null(struct rl_sql_stmt *q, int i)
{
	return rl_sql_col_null(q, i);
}

/* Room for counts_text() of @n counts. */
#define COUNTS_TEXT_MAX(n) ((n) * 21 + 1)

/* The texts a row binds, which must live until the statement is stepped. */
struct row_text {
	char found[COUNTS_TEXT_MAX(RL_FOUND_MAX)];
	char causes[COUNTS_TEXT_MAX(NCAUSE_COUNTS)];
};

/*
 * A list of counts as a column keeps it (found, cause_counts): "N,N,..." in
 * the order of their enum, written into @buf (COUNTS_TEXT_MAX(@n) bytes).
 * Returns @buf, or NULL when every count is 0.
 */
static const char *counts_text(const uint64_t *v, int n, char *buf)
{
	size_t len = 0;
	int k;

	/* Most cells trace nothing: nothing to print. */
	for (k = 0; k < n && !v[k]; k++)
		;
	if (k == n)
		return NULL;
	for (k = 0; k < n; k++)
		len += (size_t)snprintf(buf + len, COUNTS_TEXT_MAX(n) - len, "%s%llu", k ? "," : "",
					(unsigned long long)v[k]);
	return buf;
}

/*
 * counts_text()'s @text back into @v (@n counts; a list written with fewer
 * kinds leaves the later ones 0). Returns false, @v all 0, when @text is
 * NULL or not such a list.
 */
static bool counts_read(const char *text, uint64_t *v, int n)
{
	char *end;
	int k;

	memset(v, 0, (size_t)n * sizeof(*v));
	for (k = 0; text && k < n; k++, text = end + 1) {
		v[k] = strtoull(text, &end, 10);
		if (end == text || (*end != ',' && *end != '\0')) {
			memset(v, 0, (size_t)n * sizeof(*v));
			return false;
		}
		if (!*end)
			return true;
	}
	return text != NULL;
}

/*
 * What a failed verification's bad blocks hold, for a compare's verdict: the
 * counts by kind, NULL when none was counted.
 */
static void bind_found(struct rl_sql_stmt *q, int i, const struct rl_found_counts *f, char *buf)
{
	rl_sql_bind_text(q, i, f->valid ? counts_text(f->n, RL_FOUND_MAX, buf) : NULL);
}

/* bind_found()'s column back into @f; not valid when NULL or unreadable. */
static void read_found(const char *text, struct rl_found_counts *f)
{
	memset(f, 0, sizeof(*f));
	f->valid = counts_read(text, f->n, RL_FOUND_MAX);
}

/* The EAGAIN causes' counts and unattributed, NULL when all are 0 (as in every untraced cell). */
static void bind_causes(struct rl_sql_stmt *q, int i, const struct rl_eagain_causes *c, char *buf)
{
	uint64_t v[NCAUSE_COUNTS];

	memcpy(v, c->counts, sizeof(c->counts));
	v[RL_CAUSE_MAX] = c->unattributed;
	rl_sql_bind_text(q, i, counts_text(v, NCAUSE_COUNTS, buf));
}

/* bind_causes()'s column back into @c's counts. */
static void read_causes(const char *text, struct rl_eagain_causes *c)
{
	uint64_t v[NCAUSE_COUNTS];

	counts_read(text, v, NCAUSE_COUNTS);
	memcpy(c->counts, v, sizeof(c->counts));
	c->unattributed = v[RL_CAUSE_MAX];
}

/*
 * Parameters @i..@i + NSUMMARY_COLS - 1 of @q: cell @c's summary; @text
 * holds text bound, until the step.
 */
static void bind_row(struct rl_sql_stmt *q, int i, const struct rl_cell *c, bool nowait,
		     bool timing, struct row_text *text)
{
	uint64_t errors = 0;

	for (uint32_t e = 0; e < c->nerrors && e < RL_ERRNO_SLOTS; e++)
		errors += c->errors[e].count;
	rl_sql_bind_i64(q, i++, c->jobs);
	rl_sql_bind_i64(q, i++, c->rep);
	rl_sql_bind_i64(q, i++, (int64_t)c->attempts);
	rl_sql_bind_i64(q, i++, (int64_t)c->ops);
	rl_sql_bind_i64(q, i++, (int64_t)c->eagain);
	bind_double_or_null(q, i++, c->iops);
	bind_double_or_null(q, i++, c->bw_bytes_s);
	bind_double_or_null(q, i++, c->elapsed_s);
	if (c->lat.valid)
		rl_sql_bind_i64(q, i++, (int64_t)c->lat.p99);
	else
		rl_sql_bind_text(q, i++, NULL);
	rl_sql_bind_i64(q, i++, c->verify.status);
	rl_sql_bind_i64(q, i++, c->expect);
	rl_sql_bind_i64(q, i++, c->failed);
	rl_sql_bind_i64(q, i++, (int64_t)errors);
	rl_sql_bind_i64(q, i++, nowait);
	rl_sql_bind_i64(q, i++, timing);
	if (c->causes.valid)
		rl_sql_bind_i64(q, i++, c->causes.status);
	else
		rl_sql_bind_text(q, i++, NULL);
	bind_causes(q, i++, &c->causes, text->causes);
	bind_found(q, i++, &c->verify.found_blocks, text->found);
}

int rl_store_summary_begin(struct rl_store *s, struct rl_store_summary_writer *w,
			   struct rl_err *err)
{
	int ret;

	memset(w, 0, sizeof(*w));
	ret = rl_store_prepare(s, NAME_UPSERT, &w->name, err);
	if (!ret)
		ret = rl_store_prepare(s, "INSERT INTO cell_summaries (" SUMMARY_COLS ", run_id, seq,"
				       " workload_id) VALUES (" SUMMARY_PARAMS ","
				       " (SELECT id FROM workload_names WHERE name = ?))", &w->row, err);
	if (ret < 0)
		rl_store_summary_end(w);
	return ret;
}

int rl_store_summary_add(struct rl_store *s, struct rl_store_summary_writer *w, int64_t id,
			 uint32_t seq, const struct rl_cell *c, bool nowait, bool timing,
			 struct rl_err *err)
{
	struct row_text text;
	int ret;

	rl_sql_reset(w->name);
	rl_sql_bind_text(w->name, 1, c->workload);
	ret = rl_store_step_done(s, w->name, err, "workload name");
	if (ret < 0)
		return rl_err_prefix(err, ret, "run %lld, cell %u", (long long)id, seq);
	rl_sql_reset(w->row);
	bind_row(w->row, 1, c, nowait, timing, &text);
	rl_sql_bind_i64(w->row, NSUMMARY_COLS + 1, id);
	rl_sql_bind_i64(w->row, NSUMMARY_COLS + 2, seq);
	rl_sql_bind_text(w->row, NSUMMARY_COLS + 3, c->workload);
	ret = rl_store_step_done(s, w->row, err, "cell summary");
	if (ret < 0)
		return rl_err_prefix(err, ret, "run %lld, cell %u", (long long)id, seq);
	return 0;
}

void rl_store_summary_end(struct rl_store_summary_writer *w)
{
	rl_sql_finalize(w->name);
	rl_sql_finalize(w->row);
	memset(w, 0, sizeof(*w));
}

int rl_store_summary_count(struct rl_store *s, int64_t id, int64_t n, int64_t failed,
			   struct rl_err *err)
{
	struct rl_sql_stmt *q;
	int ret;

	ret = rl_store_prepare(s, "UPDATE runs SET ncells = ncells + ?,"
			       " failed_cells = failed_cells + ? WHERE id = ?", &q, err);
	if (ret < 0)
		return ret;
	rl_sql_bind_i64(q, 1, n);
	rl_sql_bind_i64(q, 2, failed);
	rl_sql_bind_i64(q, 3, id);
	ret = rl_store_step_done(s, q, err, "count cells");
	rl_sql_finalize(q);
	return ret < 0 ? rl_err_prefix(err, ret, "run %lld", (long long)id) : 0;
}

/* ---- an import's rows ------------------------------------------------------ */

/*
 * Summary rows an import writes a statement: 21 parameters each, 5376 for
 * a batch, below either backend's cap (SQLite's 32766). A statement is a
 * round trip to PostgreSQL and an executor start: a 192-cell run takes one.
 */
#define IMPORT_BATCH 256
/* Workload names whose ids a connection keeps; a store with more looks the others up. */
#define NAMES_KEPT 4096
/* Names an import may add to the store and still look up without a statement. */
#define NAMES_NEW 256

struct name_id {
	char name[RL_NAME_MAX];
	int64_t id;
};

/* An INSERT of @n rows, kept prepared. */
struct kept_batch {
	struct rl_sql_stmt *q;
	size_t n;
};

/*
 * What imports keep between calls on one connection: the INSERT of
 * IMPORT_BATCH rows and the one of the last smaller batch (a suite's runs
 * have one number of cells), each prepared once, and the ids of workload
 * names stored before (ids never change and names are never deleted, so
 * only a name an import added itself, which its rollback would take back,
 * is not kept).
 */
struct rl_store_summary_cache {
	struct kept_batch full, tail;
	struct name_id *names;
	size_t nnames, cap, hint;
};

/* The names one import added to workload_names, until it commits. */
struct names_new {
	struct name_id v[NAMES_NEW];
	size_t n, hint;
	bool full;	/* more than NAMES_NEW: keep no id found by this import */
};

void rl_store_summary_cache_free(struct rl_store *s)
{
	if (!s->summary)
		return;
	rl_sql_finalize(s->summary->full.q);
	rl_sql_finalize(s->summary->tail.q);
	free(s->summary->names);
	free(s->summary);
	s->summary = NULL;
}

static int workload_id(struct rl_store *s, const char *name, int64_t *id, struct rl_err *err);

/* @name's id in the @n names of @v, from @hint (the last found, cells of one workload come together). */
static bool find_name(const struct name_id *v, size_t n, size_t *hint, const char *name,
		      int64_t *id)
{
	for (size_t k = 0; k < n; k++) {
		size_t i = (*hint + k) % n;

		if (!strcmp(v[i].name, name)) {
			*hint = i;
			*id = v[i].id;
			return true;
		}
	}
	return false;
}

/* Keep @name's @id in @v (of @n, room for @max); nothing when full. */
static void keep_name(struct name_id *v, size_t *n, size_t max, const char *name, int64_t id)
{
	if (*n >= max)
		return;
	snprintf(v[*n].name, sizeof(v[*n].name), "%s", name);
	v[(*n)++].id = id;
}

/* Keep a name the store held before this import, growing @c's list up to NAMES_KEPT. */
static void keep_stored(struct rl_store_summary_cache *c, const char *name, int64_t id)
{
	struct name_id *v;
	size_t cap;

	if (c->nnames == c->cap && c->cap < NAMES_KEPT) {
		cap = c->cap ? c->cap * 2 : 64;
		v = realloc(c->names, cap * sizeof(*v));
		if (!v)
			return;	/* not kept: looked up again next time */
		c->names = v;
		c->cap = cap;
	}
	keep_name(c->names, &c->nnames, c->cap, name, id);
}

/* The id of workload @name, added to workload_names when new. Returns 0 or -errno. */
static int name_id(struct rl_store *s, struct names_new *added, const char *name, int64_t *id,
		   struct rl_err *err)
{
	struct rl_store_summary_cache *c = s->summary;
	struct rl_sql_stmt *q;
	int ret;

	if (find_name(c->names, c->nnames, &c->hint, name, id) ||
	    find_name(added->v, added->n, &added->hint, name, id))
		return 0;
	ret = workload_id(s, name, id, err);
	/* Not added by this import (that would be in @added): committed, so kept. */
	if (!ret && *id && !added->full)
		keep_stored(c, name, *id);
	if (ret < 0 || *id)
		return ret;
	ret = rl_store_prepare(s, NAME_UPSERT, &q, err);
	if (ret < 0)
		return ret;
	rl_sql_bind_text(q, 1, name);
	ret = rl_store_step_done(s, q, err, "workload name");
	rl_sql_finalize(q);
	if (!ret)
		ret = workload_id(s, name, id, err);
	if (!ret && !*id)
		ret = rl_err_set(err, -EIO, "workload %s: no id after it was stored", name);
	if (!ret) {
		added->full |= added->n == NAMES_NEW;
		keep_name(added->v, &added->n, NAMES_NEW, name, *id);
	}
	return ret;
}

/* The types of SUMMARY_COLS, run_id, seq and workload_id, as migration 9 made them. */
static const enum rl_sql_type import_types[] = {
	RL_SQL_INT, RL_SQL_INT, RL_SQL_INTEGER, RL_SQL_INTEGER, RL_SQL_INTEGER,	/* jobs..eagain */
	RL_SQL_REAL, RL_SQL_REAL, RL_SQL_REAL,					/* iops, bw, elapsed_s */
	RL_SQL_INTEGER, RL_SQL_SMALLINT, RL_SQL_SMALLINT, RL_SQL_SMALLINT,	/* p99_ns..failed */
	RL_SQL_INTEGER, RL_SQL_SMALLINT, RL_SQL_SMALLINT, RL_SQL_SMALLINT,	/* errors..causes */
	RL_SQL_TEXT, RL_SQL_TEXT,						/* cause_counts, found */
	RL_SQL_INTEGER, RL_SQL_INT, RL_SQL_INT,					/* run_id, seq, workload_id */
};
_Static_assert(sizeof(import_types) / sizeof(import_types[0]) == NSUMMARY_COLS + 3,
	       "a type for each column an import writes");

static const struct rl_sql_rows import_rows = {
	.table = "cell_summaries", .cols = SUMMARY_COLS ", run_id, seq, workload_id",
	.types = import_types, .ncols = NSUMMARY_COLS + 3,
};

/* Cells @from..@from + @n - 1 of @run in one INSERT. Returns 0 or -errno. */
static int insert_batch(struct rl_store *s, int64_t id, const struct rl_run *run, size_t from,
			size_t n, struct names_new *added, struct rl_err *err)
{
	struct kept_batch *kb = n == IMPORT_BATCH ? &s->summary->full : &s->summary->tail;
	struct row_text *text = malloc(n * sizeof(*text));
	struct rl_sql_stmt *q = NULL;
	bool nowait, timing;
	int64_t wid;
	int ret = 0, col;

	if (!text)
		return rl_err_set(err, -ENOMEM, "run %lld: cell summaries: out of memory", (long long)id);
	/* Parsing thousands of parameters costs more than the rows: the INSERT is kept. */
	if (!kb->q || kb->n != n) {
		rl_sql_finalize(kb->q);
		kb->q = NULL;
		ret = rl_store_prepare_rows(s, &import_rows, (int)n, &kb->q, err);
		kb->n = n;
	}
	q = kb->q;
	for (size_t k = 0; !ret && k < n; k++) {
		const struct rl_cell *c = &run->cells[from + k];

		ret = name_id(s, added, c->workload, &wid, err);
		if (ret < 0)
			break;
		rl_store_wflags_of(run, c->workload, &nowait, &timing);
		col = (int)k * (NSUMMARY_COLS + 3) + 1;
		bind_row(q, col, c, nowait, timing, &text[k]);
		rl_sql_bind_i64(q, col + NSUMMARY_COLS, id);
		rl_sql_bind_i64(q, col + NSUMMARY_COLS + 1, (int64_t)(from + k));
		rl_sql_bind_i64(q, col + NSUMMARY_COLS + 2, wid);
	}
	if (!ret)
		ret = rl_store_step_done(s, q, err, "cell summaries");
	if (q)
		rl_sql_reset(q);
	free(text);
	return ret < 0 ? rl_err_prefix(err, ret, "run %lld, cells %zu..%zu", (long long)id, from,
				       from + n - 1) : 0;
}

int rl_store_summaries_import(struct rl_store *s, int64_t id, const struct rl_run *run,
			      struct rl_err *err)
{
	struct names_new *added;
	size_t n;
	int ret = 0;

	if (!s->summary)
		s->summary = calloc(1, sizeof(*s->summary));
	added = calloc(1, sizeof(*added));
	if (!s->summary || !added) {
		free(added);
		return rl_err_set(err, -ENOMEM, "run %lld: cell summaries: out of memory", (long long)id);
	}
	for (size_t i = 0; !ret && i < run->ncells; i += n) {
		n = run->ncells - i < IMPORT_BATCH ? run->ncells - i : IMPORT_BATCH;
		ret = insert_batch(s, id, run, i, n, added, err);
	}
	free(added);
	return ret;
}

/* ---- reading -------------------------------------------------------------- */

/*
 * The value first: SQLite gives a REAL read as text 15 digits, and a later
 * read as a double may then see those digits rather than the stored bits.
 */
static double col_double_or_nan(struct rl_sql_stmt *q, int i)
{
	double v = rl_sql_col_double(q, i);

	return col_null(q, i) ? NAN : v;
}

/*
 * The light cell of the row @q is on, whose columns from @col are
 * SUMMARY_COLS; its workload name is column @name_col. The workload's
 * flags go to @nowait and @timing.
 */
static void read_row(struct rl_sql_stmt *q, int name_col, int col, struct rl_cell *c, bool *nowait,
		     bool *timing)
{
	int i = col;

	memset(c, 0, sizeof(*c));
	if (name_col >= 0)
		rl_store_col_str(q, name_col, c->workload, sizeof(c->workload));
	c->jobs = (uint32_t)rl_sql_col_i64(q, i++);
	c->rep = (uint32_t)rl_sql_col_i64(q, i++);
	c->attempts = (uint64_t)rl_sql_col_i64(q, i++);
	c->ops = (uint64_t)rl_sql_col_i64(q, i++);
	c->eagain = (uint64_t)rl_sql_col_i64(q, i++);
	c->iops = col_double_or_nan(q, i++);
	c->bw_bytes_s = col_double_or_nan(q, i++);
	c->elapsed_s = col_double_or_nan(q, i++);
	c->lat.p99 = (uint64_t)rl_sql_col_i64(q, i);
	c->lat.valid = !col_null(q, i++);
	c->verify.status = (enum rl_verify_status)(int)rl_sql_col_i64(q, i++);
	c->expect = (enum rl_expect_status)(int)rl_sql_col_i64(q, i++);
	c->failed = (int)rl_sql_col_i64(q, i++) != 0;
	c->errors[0].count = (uint64_t)rl_sql_col_i64(q, i++);
	c->nerrors = c->errors[0].count ? 1 : 0;
	*nowait = (int)rl_sql_col_i64(q, i++) != 0;
	*timing = (int)rl_sql_col_i64(q, i++) != 0;
	c->causes.status = (enum rl_causes_status)(int)rl_sql_col_i64(q, i);
	c->causes.valid = !col_null(q, i++);
	read_causes(rl_sql_col_text(q, i++), &c->causes);
	read_found(rl_sql_col_text(q, i++), &c->verify.found_blocks);
	c->eagain_rate = c->attempts ? (double)c->eagain / (double)c->attempts : 0;
	c->es_cached_extents = -1;
}

/*
 * Room for run @id's cells at once: a cell is 2880 bytes, and growing a
 * pool's runs cell by cell (200 of them for two label: sides) touched each
 * run's pages twice over. Returns 0 or -errno.
 */
static int reserve_cells(struct rl_store *s, int64_t id, struct rl_run *run, struct rl_err *err)
{
	struct rl_sql_stmt *q;
	struct rl_cell *cells;
	int64_t n;
	int ret;

	ret = rl_store_prepare(s, "SELECT count(*) FROM cell_summaries WHERE run_id = ?", &q, err);
	if (ret < 0)
		return ret;
	rl_sql_bind_i64(q, 1, id);
	ret = rl_store_query_i64(s, q, &n, err, "run %lld: count cells", (long long)id);
	if (ret < 0 || n <= (int64_t)run->cells_cap)
		return ret;
	cells = realloc(run->cells, (size_t)n * sizeof(*cells));
	if (!cells)
		return rl_err_set(err, -ENOMEM, "run %lld: out of memory", (long long)id);
	run->cells = cells;
	run->cells_cap = (size_t)n;
	return 0;
}

int rl_store_summaries_load(struct rl_store *s, int64_t id, struct rl_run *run,
			    struct rl_err *err)
{
	struct rl_cell c;
	struct rl_sql_stmt *q;
	bool nowait, timing;
	int ret, more;

	ret = reserve_cells(s, id, run, err);
	if (ret < 0)
		return ret;
	ret = rl_store_prepare(s, "SELECT w.name, " SUMMARY_COLS " FROM cell_summaries s"
			       " JOIN workload_names w ON w.id = s.workload_id"
			       " WHERE s.run_id = ? ORDER BY s.seq", &q, err);
	if (ret < 0)
		return ret;
	rl_sql_bind_i64(q, 1, id);
	while ((more = rl_sql_step(q, err)) > 0) {
		read_row(q, 0, 1, &c, &nowait, &timing);
		if (rl_run_add_cell(run, &c) < 0) {
			ret = rl_err_set(err, -ENOMEM, "run %lld: out of memory", (long long)id);
			break;
		}
	}
	if (!ret && more < 0)
		ret = rl_err_prefix(err, more, "run %lld: cell summaries", (long long)id);
	rl_sql_finalize(q);
	return ret;
}

/* ---- history ---------------------------------------------------------------- */

#define HISTORY_PAGE 100	/* done runs read at a time, newest first */

/* A stand-in workload with what rl_cell_summary() asks of it: NOWAIT and the policy. */
static void flag_workload(struct rl_workload *w, const char *name, bool nowait, bool timing)
{
	rl_workload_defaults(w);
	snprintf(w->name, sizeof(w->name), "%s", name);
	w->nowait = nowait;
	w->eagain_policy = timing ? RL_EAGAIN_RETRY_BLOCKING : RL_EAGAIN_COUNT;
}

struct history_scan {
	const char *workload;
	uint32_t jobs;
	int64_t workload_id;
	struct rl_store_history_point *pts;
	int max, n;
	/* The run being read: its point and its cells of the workload x jobs. */
	struct rl_store_history_point cur;
	struct rl_run run;
	struct rl_workload w;
};

/* The run in @h->cur ends: a point when it measured the cell. Returns 0 or -ENOMEM. */
static int history_flush(struct history_scan *h)
{
	int ret = 0;

	if (h->run.ncells && h->n < h->max) {
		ret = rl_cell_summary(&h->run, h->workload, h->jobs, &h->cur.sum);
		if (ret > 0 && h->cur.sum.measured)
			h->pts[h->n++] = h->cur;
	}
	free(h->run.cells);
	h->run.cells = NULL;
	h->run.ncells = h->run.cells_cap = 0;
	return ret < 0 ? ret : 0;
}

/*
 * Prepare @head, then the done runs @f's label, kernel tag and host select,
 * then @tail; bind those filters. Returns the next parameter's index or -errno.
 */
static int history_prepare(struct rl_store *s, const struct rl_store_filter *f, const char *head,
			   const char *tail, struct rl_sql_stmt **q, struct rl_err *err)
{
	bool label = f->label && *f->label, tag = f->kernel_tag && *f->kernel_tag;
	bool host = f->host && *f->host;
	char sql[1024];
	int ret, idx = 1;

	snprintf(sql, sizeof(sql), "%s FROM runs WHERE status = 'done'%s%s%s%s", head,
		 label ? " AND label = ?" : "", tag ? " AND kernel_tag = ?" : "",
		 host ? " AND host = ?" : "", tail);
	ret = rl_store_prepare(s, sql, q, err);
	if (ret < 0)
		return ret;
	if (label)
		rl_sql_bind_text(*q, idx++, f->label);
	if (tag)
		rl_sql_bind_text(*q, idx++, f->kernel_tag);
	if (host)
		rl_sql_bind_text(*q, idx++, f->host);
	return idx;
}

/* How many runs a scan may look at: @scan, or fewer when fewer are done. */
static int history_runs(struct rl_store *s, const struct rl_store_filter *f, int *scan,
			struct rl_err *err)
{
	struct rl_sql_stmt *q;
	int64_t n;
	int ret;

	ret = history_prepare(s, f, "SELECT count(*)", "", &q, err);
	if (ret < 0)
		return ret;
	ret = rl_store_query_i64(s, q, &n, err, "history: count runs");
	if (!ret && n < *scan)
		*scan = (int)n;
	return ret;
}

/* One page of @h's scan from @offset. Returns the rows read (0: no run had the cell), or -errno. */
static int history_page(struct rl_store *s, struct rl_sql_stmt *q, int idx, int offset,
			int runs, struct history_scan *h, struct rl_err *err)
{
	struct rl_cell c;
	bool nowait, timing;
	int more = 0, ret = 0, rows = 0;

	rl_sql_reset(q);
	rl_sql_bind_i64(q, idx, runs);
	rl_sql_bind_i64(q, idx + 1, offset);
	rl_sql_bind_i64(q, idx + 2, h->workload_id);
	rl_sql_bind_i64(q, idx + 3, h->jobs);
	while (h->n < h->max && (more = rl_sql_step(q, err)) > 0) {
		rows++;
		if (rl_sql_col_i64(q, 0) != h->cur.run_id) {
			ret = history_flush(h);
			if (ret < 0)
				return ret;
			memset(&h->cur, 0, sizeof(h->cur));
			h->cur.run_id = rl_sql_col_i64(q, 0);
			h->cur.started_ns = rl_sql_col_i64(q, 1);
			rl_store_col_str(q, 2, h->cur.kernel_release, sizeof(h->cur.kernel_release));
			rl_store_col_str(q, 3, h->cur.kernel_tag, sizeof(h->cur.kernel_tag));
			rl_store_col_str(q, 4, h->cur.label, sizeof(h->cur.label));
			rl_store_col_str(q, 5, h->cur.host, sizeof(h->cur.host));
		}
		read_row(q, -1, 6, &c, &nowait, &timing);
		snprintf(c.workload, sizeof(c.workload), "%s", h->workload);
		flag_workload(&h->w, h->workload, nowait, timing);
		if (rl_run_add_cell(&h->run, &c) < 0)
			return -ENOMEM;
	}
	if (more < 0)
		return rl_err_prefix(err, more, "history");
	ret = history_flush(h);
	h->cur.run_id = 0;
	return ret < 0 ? ret : rows;
}

/* The id of workload @name, 0 when no cell ever had it. */
static int workload_id(struct rl_store *s, const char *name, int64_t *id, struct rl_err *err)
{
	struct rl_sql_stmt *q;
	int ret;

	/* MAX of none is NULL, read as 0: one row either way. */
	ret = rl_store_prepare(s, "SELECT MAX(id) FROM workload_names WHERE name = ?", &q, err);
	if (ret < 0)
		return ret;
	rl_sql_bind_text(q, 1, name);
	return rl_store_query_i64(s, q, id, err, "workload %s", name);
}

static int history_read(struct rl_store *s, const struct rl_store_filter *f,
			struct history_scan *h, int scan, struct rl_err *err)
{
	struct rl_sql_stmt *q = NULL;
	int ret, idx, offset;

	ret = workload_id(s, h->workload, &h->workload_id, err);
	if (ret < 0 || !h->workload_id)
		return ret;	/* no run ever had the workload */
	ret = history_runs(s, f, &scan, err);
	if (ret < 0)
		return ret;
	/* The newest runs a page at a time, each with its cells of the workload x jobs. */
	idx = history_prepare(s, f, "SELECT r.id, r.started, r.kernel_release, r.kernel_tag,"
			      " r.label, r.host, " SUMMARY_COLS " FROM (SELECT id, created, started,"
			      " kernel_release, kernel_tag, label, host",
			      " ORDER BY created DESC, id DESC LIMIT ? OFFSET ?) r"
			      " JOIN cell_summaries s ON s.run_id = r.id"
			      " WHERE s.workload_id = ? AND s.jobs = ?"
			      " ORDER BY r.created DESC, r.id DESC, s.seq", &q, err);
	if (idx < 0)
		return idx;
	h->run.workloads = &h->w;
	h->run.nworkloads = 1;
	for (offset = 0, ret = 0; !ret && h->n < h->max && offset < scan; offset += HISTORY_PAGE) {
		ret = history_page(s, q, idx, offset,
				   scan - offset < HISTORY_PAGE ? scan - offset : HISTORY_PAGE, h, err);
		ret = ret < 0 ? ret : 0;
	}
	rl_sql_finalize(q);
	free(h->run.cells);
	return ret;
}

int rl_store_history(struct rl_store *s, const struct rl_store_filter *f, const char *workload,
		     uint32_t jobs, int scan, struct rl_store_history_point *pts, int max,
		     struct rl_err *err)
{
	static const struct rl_store_filter all;
	struct history_scan *h;
	int ret;

	if (!workload || !*workload || max < 1 || scan < 1)
		return rl_err_set(err, -EINVAL, "history: a workload, room for a point and runs to scan needed");
	h = calloc(1, sizeof(*h));
	if (!h)
		return rl_err_set(err, -ENOMEM, "history: out of memory");
	h->workload = workload;
	h->jobs = jobs;
	h->pts = pts;
	h->max = max;
	/* One read transaction: every page from one snapshot. */
	ret = rl_store_begin(s, false, err);
	if (!ret)
		ret = rl_store_end(s, history_read(s, f ? f : &all, h, scan, err), err);
	if (ret == -ENOMEM)
		rl_err_set(err, ret, "history: out of memory");
	if (!ret)
		ret = h->n;
	free(h);
	return ret;
}
