/* SPDX-License-Identifier: MIT */
/*
 * Matching the two sides: the (workload, jobs) keys of each, those common to
 * both in the base's order, those on one side only, and whether a workload's
 * definition is the same on both sides.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "pairing.h"

/* ---- keys --------------------------------------------------------------- */

static struct rl_cmp_key *key_find(const struct rl_cmp_keys *ks, const char *workload,
				   uint32_t jobs)
{
	size_t i;

	for (i = 0; i < ks->n; i++)
		if (ks->v[i].jobs == jobs && strcmp(ks->v[i].workload, workload) == 0)
			return &ks->v[i];
	return NULL;
}

static int key_add(struct rl_cmp_keys *ks, const char *workload, uint32_t jobs)
{
	struct rl_cmp_key *v;
	size_t cap;

	if (key_find(ks, workload, jobs))
		return 0;
	if (ks->n == ks->cap) {
		cap = ks->cap ? 2 * ks->cap : 64;
		v = realloc(ks->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		ks->v = v;
		ks->cap = cap;
	}
	ks->v[ks->n++] = (struct rl_cmp_key){ .workload = workload, .jobs = jobs };
	return 0;
}

static bool key_is(const struct rl_cmp_keys *ks, size_t i, const struct rl_cell *c)
{
	return i < ks->n && ks->v[i].jobs == c->jobs && !strcmp(ks->v[i].workload, c->workload);
}

int rl_cmp_keys_collect(const struct rl_run *const *runs, size_t n, struct rl_cmp_keys *ks)
{
	const struct rl_cell *c;
	size_t r, i, last = 0;
	int ret;

	for (r = 0; r < n; r++) {
		for (i = 0; i < runs[r]->ncells; i++) {
			c = &runs[r]->cells[i];
			/* Runs of one suite list their cells alike: the key is the last one or the next. */
			if (key_is(ks, last, c))
				continue;
			if (key_is(ks, last + 1, c)) {
				last++;
				continue;
			}
			ret = key_add(ks, c->workload, c->jobs);
			if (ret < 0)
				return ret;
			last = (size_t)(key_find(ks, c->workload, c->jobs) - ks->v);
		}
	}
	return 0;
}

/* Where workload @name first appears in @ks: orders workloads as the base lists them. */
static size_t workload_rank(const struct rl_cmp_keys *ks, const char *name)
{
	size_t i;

	for (i = 0; i < ks->n; i++)
		if (strcmp(ks->v[i].workload, name) == 0)
			break;
	return i;
}

static int key_cmp(const void *a, const void *b)
{
	const struct rl_cmp_key *x = a, *y = b;

	if (x->order != y->order)
		return x->order < y->order ? -1 : 1;
	return (x->jobs > y->jobs) - (x->jobs < y->jobs);
}

static bool key_set_has_workload(const struct rl_cmp_keys *ks, const char *name)
{
	size_t i;

	for (i = 0; i < ks->n; i++)
		if (strcmp(ks->v[i].workload, name) == 0)
			return true;
	return false;
}

/*
 * "A, B" for the workloads of @ks; with @other given, a workload both sides
 * have gets its JOBS ("A (JOBS 1,2)"), since then the jobs are what differ.
 */
static void list_workloads(const struct rl_cmp_keys *ks, const struct rl_cmp_keys *other,
			   char *buf, size_t len)
{
	size_t i, j, k, used = 0;

	buf[0] = '\0';
	for (i = 0; i < ks->n && used < len; i++) {
		for (j = 0; j < i; j++)
			if (strcmp(ks->v[j].workload, ks->v[i].workload) == 0)
				break;
		if (j < i)
			continue;
		used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? ", " : "",
					 ks->v[i].workload);
		if (used >= len || !key_set_has_workload(other, ks->v[i].workload))
			continue;
		for (k = i; k < ks->n && used < len; k++) {
			if (strcmp(ks->v[k].workload, ks->v[i].workload))
				continue;
			used += (size_t)snprintf(buf + used, len - used, "%s%u",
						 k == i ? " (JOBS " : ",", ks->v[k].jobs);
		}
		if (used < len)
			used += (size_t)snprintf(buf + used, len - used, ")");
	}
	if (!ks->n)
		snprintf(buf, len, "no cells");
}

int rl_cmp_no_common_cells(const struct rl_cmp_keys *b, const struct rl_cmp_keys *h,
			   struct rl_err *err)
{
	char bl[200], hl[200];

	list_workloads(b, h, bl, sizeof(bl));
	list_workloads(h, b, hl, sizeof(hl));
	return rl_err_set(err, -EINVAL, "no common cells: base has workloads %s; head has %s",
			  bl, hl);
}

int rl_cmp_keys_common(const struct rl_cmp_keys *b, const struct rl_cmp_keys *h,
		       struct rl_cmp_keys *out)
{
	size_t i;
	int ret;

	for (i = 0; i < b->n; i++) {
		if (!key_find(h, b->v[i].workload, b->v[i].jobs))
			continue;
		ret = key_add(out, b->v[i].workload, b->v[i].jobs);
		if (ret < 0)
			return ret;
		out->v[out->n - 1].order = workload_rank(b, b->v[i].workload);
	}
	if (out->n)
		qsort(out->v, out->n, sizeof(*out->v), key_cmp);
	return 0;
}

/* Keys of @from missing in @other, appended to c->unpaired. */
void rl_cmp_add_unpaired(struct rl_comparison *c, const struct rl_cmp_keys *from,
			 const struct rl_cmp_keys *other, bool in_base)
{
	struct rl_cmp_unpaired *u;
	size_t i;

	for (i = 0; i < from->n; i++) {
		if (key_find(other, from->v[i].workload, from->v[i].jobs))
			continue;
		u = &c->unpaired[c->nunpaired++];
		snprintf(u->workload, sizeof(u->workload), "%s", from->v[i].workload);
		u->jobs = from->v[i].jobs;
		u->in_base = in_base;
	}
}

/* ---- workload compatibility ---------------------------------------------- */

/* Workload keys that do not change what is measured, or that pairing itself handles. */
static const char *const ignored_keys[] = {
	"name", "description", "repetitions", "expect", "jobs", NULL
};

static bool key_ignored(const char *key)
{
	const char *const *k;

	for (k = ignored_keys; *k; k++)
		if (strcmp(*k, key) == 0)
			return true;
	return false;
}

/* The JSON text of @item, into @buf ("8192", "\"WU\""). */
static void item_text(const cJSON *item, char *buf, size_t len)
{
	char *s = item ? cJSON_PrintUnformatted(item) : NULL;

	snprintf(buf, len, "%s", s ? s : "(absent)");
	free(s);
}

/*
 * Compare the parameters of @a (run scale @sa) and @b (scale @sb). Returns 0
 * when equal, 1 with the first differing field and both values, or -ENOMEM.
 * The schema's field table drives it through the JSON form, so a field added
 * to the workload is compared without touching this file.
 */
static int workload_diff(const struct rl_workload *a, double sa, const struct rl_workload *b,
			 double sb, char *field, size_t flen, char *va, char *vb, size_t vlen)
{
	cJSON *ja, *jb, *x;
	int ret = 0;

	if (sa != sb) {
		snprintf(field, flen, "scale");
		snprintf(va, vlen, "%g", sa);
		snprintf(vb, vlen, "%g", sb);
		return 1;
	}
	/*
	 * The same bytes write the same JSON: the runs of a pool mostly carry
	 * copies of one parsed definition, so most pairs end here.
	 */
	if (!memcmp(a, b, sizeof(*a)))
		return 0;
	ja = rl_workload_to_json(a);
	jb = rl_workload_to_json(b);
	if (!ja || !jb) {
		ret = -ENOMEM;
		goto out;
	}
	cJSON_ArrayForEach(x, ja) {
		cJSON *y = cJSON_GetObjectItemCaseSensitive(jb, x->string);

		if (key_ignored(x->string) || (y && cJSON_Compare(x, y, true)))
			continue;
		snprintf(field, flen, "%s", x->string);
		item_text(x, va, vlen);
		item_text(y, vb, vlen);
		ret = 1;
		break;
	}
out:
	cJSON_Delete(ja);
	cJSON_Delete(jb);
	return ret;
}

/*
 * The definition of workload @name on one side: the first run that carries
 * it, checked against every other run of the side. Returns 0 (*@ref NULL
 * when no run carries it), 1 with the mismatch in @field/@why, or -ENOMEM.
 */
static int side_reference(const struct rl_run *const *runs, size_t n, const char *name,
			  const char *side, const struct rl_workload **ref, double *scale,
			  char *field, size_t flen, char *why, size_t wlen)
{
	char va[96], vb[96];
	const struct rl_workload *w;
	size_t r;
	int ret;

	*ref = NULL;
	for (r = 0; r < n; r++) {
		w = rl_run_workload(runs[r], name);
		if (!w)
			continue;
		if (!*ref) {
			*ref = w;
			*scale = runs[r]->scale;
			continue;
		}
		ret = workload_diff(*ref, *scale, w, runs[r]->scale, field, flen, va, vb,
				    sizeof(va));
		if (ret == 1)
			snprintf(why, wlen, "%s differs between %s runs: %s vs %s", field, side,
				 va, vb);
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * Whether workload @name means the same thing on both sides. Returns 0, 1
 * when not (field and reason filled), or -ENOMEM. A side whose runs carry no
 * definition (an imported run) cannot be checked and is taken as it is.
 * *@def is set to a definition found (base first), or NULL.
 */
int rl_cmp_check_compat(const struct rl_run *const *base, size_t nbase,
			const struct rl_run *const *head, size_t nhead, const char *name,
			const struct rl_workload **def, char *field, size_t flen,
			char *why, size_t wlen)
{
	const struct rl_workload *bw = NULL, *hw = NULL;
	double bs = 0, hs = 0;
	char vb[96], vh[96];
	int ret;

	ret = side_reference(base, nbase, name, "base", &bw, &bs, field, flen, why, wlen);
	if (!ret)
		ret = side_reference(head, nhead, name, "head", &hw, &hs, field, flen, why, wlen);
	*def = bw ? bw : hw;
	if (ret || !bw || !hw)
		return ret;
	ret = workload_diff(bw, bs, hw, hs, field, flen, vb, vh, sizeof(vb));
	if (ret == 1)
		snprintf(why, wlen, "%.40s: base %.60s, head %.60s", field, vb, vh);
	return ret;
}

