/* SPDX-License-Identifier: MIT */
/*
 * The versions x cells matrix of a series family, one per suite: a column
 * per version run this night (in the family's order), a row per (workload,
 * jobs), and in each entry what the comparisons with FAMILY:base and with
 * the version before it said of that cell. The entries are copied from the
 * comparisons' own JSON (ringlab-compare-1), key for key, so the matrix
 * cannot say anything the comparison did not.
 */
#include <string.h>

#include "nightly.h"
#include "util/json.h"

/* What an entry keeps of a comparison's cell: the IOPS and the EAGAIN verdicts and their numbers. */
static const char *const entry_keys[] = {
	"verdict", "iops_verdict", "ratio", "ci_lo", "ci_hi", "base_iops_median",
	"head_iops_median", "eagain_verdict", "eagain_base_rate", "eagain_head_rate",
	"eagain_diff_pp", "timing_dependent", NULL,
};

static int variant_at(const struct rl_nightly_cfg *cfg, const char *family, const char *version)
{
	char name[RL_NIGHTLY_VARIANT_NAME_MAX + RL_NIGHTLY_VERSION_MAX];

	snprintf(name, sizeof(name), "%s:%s", family, version);
	for (uint32_t i = 0; i < cfg->nvariants; i++)
		if (!strcmp(cfg->v[i].name, name))
			return (int)i;
	return -1;
}

static void put_run_id(struct rl_jb *b, const char *key, int64_t id)
{
	rl_jb_put(b, key, id > 0 ? cJSON_CreateNumber((double)id) : cJSON_CreateNull());
}

/* Column of variant @vi: its run and those it is compared with; the statuses come later. */
static cJSON *column(const struct rl_nightly_night *n, uint32_t vi, uint32_t si)
{
	const struct rl_nightly_variant *v = &n->cfg->v[vi];
	struct rl_jb b = rl_jb_new(cJSON_CreateObject());
	struct rl_nightly_result *r = &n->results[vi * n->cfg->nsuites + si];

	rl_jb_put(&b, "variant", cJSON_CreateString(v->name));
	rl_jb_put(&b, "version", cJSON_CreateString(v->version));
	put_run_id(&b, "run_id", r->run_id);
	rl_jb_str_or_null(&b, "previous", v->previous >= 0 ? n->cfg->v[v->previous].name : NULL);
	put_run_id(&b, "previous_run_id",
		   v->previous >= 0 ? n->results[v->previous * n->cfg->nsuites + si].run_id : 0);
	rl_jb_put(&b, "status", cJSON_CreateNull());
	rl_jb_put(&b, "previous_status", cJSON_CreateNull());
	return rl_jb_end(&b);
}

cJSON *rl_nightly_matrix_new(const struct rl_nightly_night *n, uint32_t fi, uint32_t si,
			     bool *oom)
{
	const struct rl_nightly_family *f = &n->cfg->families[fi];
	int base = variant_at(n->cfg, f->name, "base"), vi;
	cJSON *cols, *col;
	struct rl_jb b;

	*oom = false;
	if (base < 0)
		return NULL;	/* versions are compared with FAMILY:base only: none tonight */
	cols = cJSON_CreateArray();
	for (uint32_t k = 0; cols && k < f->nversions; k++) {
		vi = variant_at(n->cfg, f->name, f->versions[k]);
		if (vi < 0)
			continue;
		col = column(n, (uint32_t)vi, si);
		if (!col || !cJSON_AddItemToArray(cols, col)) {
			cJSON_Delete(col);
			cJSON_Delete(cols);
			cols = NULL;
		}
	}
	if (cols && !cols->child) {
		cJSON_Delete(cols);
		return NULL;	/* no version runs tonight: nothing to show */
	}
	b = rl_jb_new(cJSON_CreateObject());
	rl_jb_put(&b, "family", cJSON_CreateString(f->name));
	rl_jb_put(&b, "suite", cJSON_CreateString(n->cfg->suites[si]));
	rl_jb_put(&b, "base", cJSON_CreateString(n->cfg->v[base].name));
	put_run_id(&b, "base_run_id", n->results[(uint32_t)base * n->cfg->nsuites + si].run_id);
	rl_jb_put(&b, "columns", cols);
	rl_jb_put(&b, "rows", cJSON_CreateArray());
	col = rl_jb_end(&b);
	*oom = !col;
	return col;
}

/* The index of @variant's column, or -1. */
static int column_of(const cJSON *m, const char *variant)
{
	const cJSON *c;
	int i = 0;

	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(m, "columns")) {
		if (!strcmp(rl_json_str(c, "variant", ""), variant))
			return i;
		i++;
	}
	return -1;
}

/* A row with an empty entry for each column. */
static cJSON *new_row(const cJSON *m, const cJSON *cell)
{
	int ncols = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(m, "columns"));
	struct rl_jb b = rl_jb_new(cJSON_CreateObject()), e;
	cJSON *cells = cJSON_CreateArray(), *entry;

	for (int i = 0; cells && i < ncols; i++) {
		e = rl_jb_new(cJSON_CreateObject());
		rl_jb_put(&e, "vs_base", cJSON_CreateNull());
		rl_jb_put(&e, "vs_previous", cJSON_CreateNull());
		entry = rl_jb_end(&e);
		if (!entry || !cJSON_AddItemToArray(cells, entry)) {
			cJSON_Delete(entry);
			cJSON_Delete(cells);
			cells = NULL;
		}
	}
	rl_jb_put(&b, "workload", cJSON_CreateString(rl_json_str(cell, "workload", "")));
	rl_jb_num(&b, "jobs", rl_json_num(cell, "jobs", 0));
	rl_jb_put(&b, "cells", cells);
	return rl_jb_end(&b);
}

/* The row of @cell's (workload, jobs), made at the end when there is none. NULL: out of memory. */
static cJSON *row_of(cJSON *m, const cJSON *cell)
{
	cJSON *rows = cJSON_GetObjectItemCaseSensitive(m, "rows"), *row;
	const char *w = rl_json_str(cell, "workload", "");
	double jobs = rl_json_num(cell, "jobs", 0);

	cJSON_ArrayForEach(row, rows)
		if (!strcmp(rl_json_str(row, "workload", ""), w) && rl_json_num(row, "jobs", -1) == jobs)
			return row;
	row = new_row(m, cell);
	if (row && cJSON_AddItemToArray(rows, row))
		return row;
	cJSON_Delete(row);
	return NULL;
}

static cJSON *entry_of(const cJSON *cell)
{
	cJSON *e = cJSON_CreateObject(), *v;

	for (size_t k = 0; e && entry_keys[k]; k++) {
		v = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(cell, entry_keys[k]), true);
		if (!v || !cJSON_AddItemToObject(e, entry_keys[k], v)) {
			cJSON_Delete(v);
			cJSON_Delete(e);
			e = NULL;
		}
	}
	return e;
}

int rl_nightly_matrix_add(cJSON *m, const char *variant, const char *side, const cJSON *cmp)
{
	const cJSON *w, *cell;
	cJSON *row, *slot, *e;
	int col = column_of(m, variant);

	if (col < 0)
		return 0;
	cJSON_ArrayForEach(w, cJSON_GetObjectItemCaseSensitive(cmp, "workloads")) {
		cJSON_ArrayForEach(cell, cJSON_GetObjectItemCaseSensitive(w, "cells")) {
			row = row_of(m, cell);
			slot = row ? cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(row, "cells"),
							col) : NULL;
			e = slot ? entry_of(cell) : NULL;
			if (!e || !cJSON_ReplaceItemInObjectCaseSensitive(slot, side, e)) {
				cJSON_Delete(e);
				return -ENOMEM;
			}
		}
	}
	return 0;
}

void rl_nightly_matrix_status(cJSON *m, const char *variant, const char *status,
			      const char *previous_status)
{
	cJSON *c = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(m, "columns"),
				      column_of(m, variant));

	if (!c)
		return;
	cJSON_ReplaceItemInObjectCaseSensitive(c, "status", cJSON_CreateString(status));
	if (previous_status)
		cJSON_ReplaceItemInObjectCaseSensitive(c, "previous_status",
						       cJSON_CreateString(previous_status));
}
