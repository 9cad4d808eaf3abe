/* SPDX-License-Identifier: MIT */
/* The JSON of a selection: built from the same structs the text is, no counting here. */
#include <stdbool.h>

#include "series_json.h"
#include "summary.h"

static const char *const skip_keys[RL_SKIP_MAX] = {
	[RL_SKIP_COVER] = "cover_letters",
	[RL_SKIP_REPLY] = "replies",
	[RL_SKIP_OLDER] = "older_versions",
	[RL_SKIP_DUPLICATE] = "earlier_copies",
	[RL_SKIP_UNNUMBERED] = "unnumbered",
};

static bool add_str(cJSON *o, const char *key, const char *v)
{
	return v ? cJSON_AddStringToObject(o, key, v) != NULL : cJSON_AddNullToObject(o, key) != NULL;
}

static bool add_uints(cJSON *o, const char *key, const unsigned int *v, size_t n)
{
	cJSON *a = cJSON_AddArrayToObject(o, key);

	for (size_t i = 0; a && i < n; i++)
		if (!cJSON_AddItemToArray(a, cJSON_CreateNumber(v[i])))
			return false;
	return a != NULL;
}

static bool add_skipped(cJSON *o, const struct rl_series_sel *sel)
{
	cJSON *s = cJSON_AddObjectToObject(o, "skipped"), *older;
	bool ok = s != NULL;

	for (int r = 0; ok && r < RL_SKIP_MAX; r++)
		ok = cJSON_AddNumberToObject(s, skip_keys[r], (double)sel->skipped[r]) != NULL;
	older = ok ? cJSON_AddArrayToObject(s, "older") : NULL;
	for (size_t i = 0; older && i < sel->nolder; i++) {
		cJSON *v = cJSON_CreateObject();

		if (!cJSON_AddItemToArray(older, v) ||
		    !cJSON_AddNumberToObject(v, "version", sel->older[i].version) ||
		    !cJSON_AddNumberToObject(v, "count", (double)sel->older[i].count))
			return false;
	}
	return older != NULL;
}

static bool add_files(cJSON *o, const struct rl_diff *d)
{
	cJSON *a = cJSON_AddArrayToObject(o, "files");

	for (size_t i = 0; a && i < d->nfiles; i++) {
		const char *p = d->files[i].path ?: d->files[i].old_path;

		if (!cJSON_AddItemToArray(a, cJSON_CreateString(p ?: "")))
			return false;
	}
	return a != NULL;
}

static bool add_damage(cJSON *o, const struct rl_msg *m)
{
	cJSON *d;

	if (!m->diff.damaged_line)
		return cJSON_AddNullToObject(o, "damage") != NULL;
	d = cJSON_AddObjectToObject(o, "damage");
	return d && cJSON_AddNumberToObject(d, "line", rl_msg_file_line(m, m->diff.damaged_line)) &&
	       cJSON_AddNumberToObject(d, "body_line", m->diff.damaged_line) &&
	       add_str(d, "reason", m->diff.damage);
}

static bool add_check(cJSON *o, const struct rl_check *c)
{
	cJSON *j = cJSON_AddObjectToObject(o, "check");

	return j && add_str(j, "verdict", rl_check_verdict_name(c->verdict)) &&
	       add_str(j, "file", c->file[0] ? c->file : NULL) &&
	       add_str(j, "hunk", c->hunk[0] ? c->hunk : NULL) &&
	       add_str(j, "reason", c->reason[0] ? c->reason : NULL);
}

static bool add_patch(cJSON *a, const struct rl_series_patch *p, const struct rl_check *c)
{
	const struct rl_msg *m = p->msg;
	cJSON *o = cJSON_CreateObject();

	return cJSON_AddItemToArray(a, o) && cJSON_AddNumberToObject(o, "number", p->number) &&
	       add_str(o, "subject", m->hdr[RL_HDR_SUBJECT]) && add_str(o, "title", m->subj.title) &&
	       add_str(o, "from", m->hdr[RL_HDR_FROM]) && add_str(o, "date", m->hdr[RL_HDR_DATE]) &&
	       add_str(o, "message_id", m->hdr[RL_HDR_MESSAGE_ID]) && add_str(o, "file", m->file) &&
	       cJSON_AddNumberToObject(o, "message", m->index) &&
	       cJSON_AddNumberToObject(o, "line", m->line) && add_files(o, &m->diff) &&
	       add_damage(o, m) && (!c || add_check(o, c));
}

static bool add_numbers(cJSON *o, const struct rl_series_sel *sel)
{
	unsigned int nums[sel->ntaken + 1];

	for (size_t i = 0; i < sel->ntaken; i++)
		nums[i] = sel->taken[i].number;
	return add_uints(o, "taken", nums, sel->ntaken) &&
	       add_uints(o, "missing", sel->missing, sel->nmissing);
}

cJSON *rl_series_to_json(const char *source, const struct rl_series_input *in,
			 const struct rl_series_sel *sel, const struct rl_check *checks)
{
	cJSON *o = cJSON_CreateObject(), *patches;
	char summary[1024];
	bool ok;

	ok = o && add_str(o, "format", RL_SERIES_FORMAT) && add_str(o, "source", source) &&
	     add_str(o, "kind", rl_series_kind_name(in->kind)) &&
	     cJSON_AddNumberToObject(o, "version", sel->version) &&
	     cJSON_AddBoolToObject(o, "rfc", sel->rfc) &&
	     cJSON_AddNumberToObject(o, "total", sel->total) &&
	     add_numbers(o, sel) && add_skipped(o, sel) &&
	     add_str(o, "summary", rl_series_summary(sel, summary, sizeof(summary)));
	patches = ok ? cJSON_AddArrayToObject(o, "patches") : NULL;
	for (size_t i = 0; patches && i < sel->ntaken; i++)
		if (!add_patch(patches, &sel->taken[i], checks ? &checks[i] : NULL))
			patches = NULL;
	if (!patches) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}
