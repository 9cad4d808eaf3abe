/* SPDX-License-Identifier: MIT */
/*
 * The field-table walker: defaults, and applying a cJSON object to a struct
 * key by key (inputs: unknown keys rejected) or row by row (records), down
 * nested objects and lists of objects. One value is checked and stored by
 * fields_value.c; writing is fields_write.c, docs fields_doc.c. All follow
 * the same rows, so they cannot disagree.
 */
#include <stdlib.h>
#include <string.h>

#include "fields_internal.h"

#define RL_SUGGEST_DIST 2

/* Written for every row a walk visits, so by hand: snprintf() was a tenth of reading a run. */
void rl_key_path(char *buf, const char *prefix, const char *key)
{
	size_t lp = strnlen(prefix, RL_KEY_PATH_MAX - 1), lk, n = 0;

	memcpy(buf, prefix, lp);
	n = lp;
	if (lp && n < RL_KEY_PATH_MAX - 1)
		buf[n++] = '.';
	lk = strnlen(key, RL_KEY_PATH_MAX - 1 - n);
	memcpy(buf + n, key, lk);
	buf[n + lk] = '\0';
}

static int apply_table(const struct rl_field *table, const cJSON *obj, void *base,
		       const char *prefix, const struct rl_walk *w);
static int field_default(const struct rl_field *f, void *base, struct rl_err *err);

/*
 * Each entry is a complete object: it starts from the table's defaults and
 * must carry its required keys (a record's entries are records). Entries are
 * built in a scratch copy so a bad entry leaves the list as it was.
 */
static int set_object_list(const struct rl_field *f, const cJSON *v, void *base,
			   const char *path, const struct rl_walk *w)
{
	struct rl_walk entry_w = {
		.mode = rl_walk_record(w) ? w->mode : RL_APPLY_FULL, .err = w->err,
	};
	char epath[RL_KEY_PATH_MAX];
	const cJSON *e;
	size_t n = 0;
	char *tmp;
	int ret;

	ret = rl_field_check_array(f, v, path, w);
	if (ret)
		return ret;
	tmp = calloc(f->size, f->elem_size);
	if (!tmp)
		return rl_err_set(w->err, -ENOMEM, "%s%s: out of memory", rl_walk_key(w), path);
	cJSON_ArrayForEach(e, v) {
		char *entry = tmp + n * f->elem_size;

		snprintf(epath, sizeof(epath), "%s[%zu]", path, n++);
		ret = rl_fields_defaults(f->sub, entry, w->err);
		if (!ret)
			ret = apply_table(f->sub, e, entry, epath, &entry_w);
		if (ret)
			goto out;
	}
	memcpy(rl_field_ptr(f, base), tmp, f->size * f->elem_size);
	*(uint32_t *)((char *)base + f->count_offset) = n;
out:
	free(tmp);
	return ret;
}

/* null: not valid (zeroed); an object: valid, its keys applied. */
static int set_opt_object(const struct rl_field *f, const cJSON *v, void *base,
			  const char *path, const struct rl_walk *w)
{
	void *p = rl_field_ptr(f, base);

	if (cJSON_IsNull(v)) {
		memset(p, 0, f->size);
		return 0;
	}
	if (!cJSON_IsObject(v))
		return rl_field_type_error(w, path, "an object", v);
	*(bool *)p = true;
	return apply_table(f->sub, v, p, path, w);
}

static int field_set(const struct rl_field *f, const cJSON *v, void *base,
		     const char *path, const struct rl_walk *w)
{
	if (f->flags & RL_FF_WRITE_ONLY)
		return 0;
	switch (f->type) {
	case RL_FT_OBJECT_LIST:
		return set_object_list(f, v, base, path, w);
	case RL_FT_OBJECT:
		return apply_table(f->sub, v, rl_field_ptr(f, base), path, w);
	case RL_FT_OPT_OBJECT:
		return set_opt_object(f, v, base, path, w);
	case RL_FT_PASS:
	case RL_FT_MAX:
		return 0;
	default:
		return rl_field_set_value(f, v, base, path, w);
	}
}

const struct rl_field *rl_field_find(const struct rl_field *table, const char *name)
{
	for (; table->name; table++)
		if (!strcmp(table->name, name))
			return table;
	return NULL;
}

/* Levenshtein distance, for "did you mean"; long keys are never close. */
static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	size_t row[RL_KEY_PATH_MAX + 1], prev_diag, tmp;

	if (la > RL_KEY_PATH_MAX || lb > RL_KEY_PATH_MAX)
		return SIZE_MAX;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		prev_diag = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t best = prev_diag + (a[i - 1] != b[j - 1]);

			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			tmp = row[j];
			row[j] = best;
			prev_diag = tmp;
		}
	}
	return row[lb];
}

static int unknown_key(const struct rl_field *table, const char *key,
		       const char *prefix, struct rl_err *err)
{
	const struct rl_field *best = NULL;
	size_t best_dist = RL_SUGGEST_DIST + 1;

	for (; table->name; table++) {
		size_t d = edit_distance(key, table->name);

		if (d < best_dist) {
			best_dist = d;
			best = table;
		}
	}
	if (best)
		return rl_err_set(err, -EINVAL, "unknown key '%s%s%.64s' (did you mean '%s%s%s'?)",
				  prefix, *prefix ? "." : "", key,
				  prefix, *prefix ? "." : "", best->name);
	return rl_err_set(err, -EINVAL, "unknown key '%s%s%.64s'",
			  prefix, *prefix ? "." : "", key);
}

/* The rows of @table. */
static size_t table_rows(const struct rl_field *table)
{
	size_t n = 0;

	while (table[n].name)
		n++;
	return n;
}

/*
 * The row named @key, tried first at *@hint, the row after the one found
 * last: documents ringlab wrote come in table order, so a walk over their
 * keys finds each row at once instead of comparing names with every row.
 */
static const struct rl_field *find_row(const struct rl_field *table, size_t *hint,
				       const char *key)
{
	const struct rl_field *f = table + *hint;

	if (!key)
		return NULL;
	if (!f->name || strcmp(f->name, key))
		f = rl_field_find(table, key);
	if (f)
		*hint = (size_t)(f - table) + 1;
	return f;
}

/* Room for one pointer per row of a table: on the stack for the tables there are. */
#define ROWS_ON_STACK 96

struct row_slots {
	const cJSON *stack[ROWS_ON_STACK];
	const cJSON **at;	/* the member of each row, NULL: none yet */
};

/* @s for @n rows, all empty. Returns 0 or -ENOMEM. */
static int slots_init(struct row_slots *s, size_t n)
{
	s->at = n <= ROWS_ON_STACK ? s->stack : calloc(n, sizeof(*s->at));
	if (s->at == s->stack)
		memset(s->stack, 0, n * sizeof(*s->at));
	return s->at ? 0 : -ENOMEM;
}

static void slots_free(struct row_slots *s)
{
	if (s->at != s->stack)
		free(s->at);
}

/* Every required row of @table has its member in @at (one per row, NULL: none). */
static int check_required(const struct rl_field *table, const cJSON *const *at,
			  const char *prefix, struct rl_err *err)
{
	for (size_t i = 0; table[i].name; i++)
		if ((table[i].flags & RL_FF_REQUIRED) && !at[i])
			return rl_err_set(err, -EINVAL, "missing required key '%s%s%s'",
					  prefix, *prefix ? "." : "", table[i].name);
	return 0;
}

/* An input, key by key in document order: every key must be a row, once. */
static int apply_keys(const struct rl_field *table, const cJSON *obj, void *base,
		      const char *prefix, const struct rl_walk *w)
{
	char path[RL_KEY_PATH_MAX];
	const struct rl_field *f;
	struct row_slots seen;
	size_t hint = 0;
	const cJSON *c;
	int ret = 0;

	if (slots_init(&seen, table_rows(table)) < 0)
		return rl_err_set(w->err, -ENOMEM, "%s: out of memory", *prefix ? prefix : "object");
	for (c = obj->child; c && !ret; c = c->next) {
		f = find_row(table, &hint, c->string);
		if (!f) {
			ret = unknown_key(table, c->string ? c->string : "", prefix, w->err);
			break;
		}
		rl_key_path(path, prefix, f->name);
		/* A key is a row's name: a row met twice is a key given twice. */
		if (seen.at[f - table]) {
			ret = rl_err_set(w->err, -EINVAL, "key %s: given more than once", path);
			break;
		}
		seen.at[f - table] = c;
		ret = field_set(f, c, base, path, w);
	}
	if (!ret && w->mode == RL_APPLY_FULL)
		ret = check_required(table, seen.at, prefix, w->err);
	slots_free(&seen);
	return ret;
}

static void field_zero(const struct rl_field *f, void *base);

/*
 * A record, row by row in table order: every row is there (the first of
 * duplicate keys counts), other keys are annotations and ignored.
 */
static int apply_rows(const struct rl_field *table, const cJSON *obj, void *base,
		      const char *prefix, const struct rl_walk *w)
{
	char path[RL_KEY_PATH_MAX];
	const struct rl_field *f;
	struct row_slots rows;
	size_t hint = 0;
	const cJSON *c, *v;
	int ret = 0;

	/* Each row's member, the first of its name, in one pass over the members. */
	if (slots_init(&rows, table_rows(table)) < 0)
		return rl_err_set(w->err, -ENOMEM, "%s: out of memory", *prefix ? prefix : "record");
	for (c = obj->child; c; c = c->next) {
		f = find_row(table, &hint, c->string);
		if (f && !rows.at[f - table])
			rows.at[f - table] = c;
	}
	for (f = table; f->name && !ret; f++) {
		if (f->type == RL_FT_PASS || (f->flags & RL_FF_WRITE_ONLY))
			continue;
		rl_key_path(path, prefix, f->name);
		v = rows.at[f - table];
		if (!v && (f->flags & RL_FF_RECORD_OPTIONAL))
			ret = field_default(f, base, w->err);
		else if (!v)
			ret = rl_err_set(w->err, -EINVAL, "%s: missing", path);
		else
			ret = field_set(f, v, base, path, w);
	}
	slots_free(&rows);
	return ret;
}

static int apply_table(const struct rl_field *table, const cJSON *obj, void *base,
		       const char *prefix, const struct rl_walk *w)
{
	if (!cJSON_IsObject(obj)) {
		if (*prefix)
			return rl_field_type_error(w, prefix, "an object", obj);
		if (rl_walk_record(w))
			return rl_err_set(w->err, -EINVAL, "expected a JSON object");
		return rl_err_set(w->err, -EINVAL, "expected a JSON object, got %s",
				  rl_json_type_name(obj));
	}
	if (rl_walk_record(w))
		return apply_rows(table, obj, base, prefix, w);
	return apply_keys(table, obj, base, prefix, w);
}

int rl_fields_apply_at(const struct rl_field *table, const cJSON *obj, void *base,
		       enum rl_apply_mode mode, const char *path, struct rl_err *err)
{
	struct rl_walk w = { .mode = mode, .err = err };

	return apply_table(table, obj, base, path, &w);
}

int rl_fields_apply(const struct rl_field *table, const cJSON *obj, void *base,
		    enum rl_apply_mode mode, struct rl_err *err)
{
	return rl_fields_apply_at(table, obj, base, mode, "", err);
}

static void field_zero(const struct rl_field *f, void *base)
{
	void *p = rl_field_ptr(f, base);

	switch (f->type) {
	case RL_FT_STRING:
	case RL_FT_HEX:
	case RL_FT_OPT_OBJECT:
		memset(p, 0, f->size);
		break;
	case RL_FT_BOOL:
		*(bool *)p = false;
		break;
	case RL_FT_U32:
		*(uint32_t *)p = 0;
		break;
	case RL_FT_U64:
	case RL_FT_SIZE:
		*(uint64_t *)p = 0;
		break;
	case RL_FT_DOUBLE:
		*(double *)p = 0;
		break;
	case RL_FT_ENUM:
	case RL_FT_INT:
		*(int *)p = 0;
		break;
	case RL_FT_U32_LIST:
		memset(p, 0, f->size * sizeof(uint32_t));
		*(uint32_t *)((char *)base + f->count_offset) = 0;
		break;
	case RL_FT_STRING_LIST:
	case RL_FT_OBJECT_LIST:
		memset(p, 0, f->size * f->elem_size);
		*(uint32_t *)((char *)base + f->count_offset) = 0;
		break;
	case RL_FT_OBJECT:
	case RL_FT_PASS:
	case RL_FT_MAX:
		break;
	}
}

/* Zero the row @f of @base, then apply its default (a nested table's defaults). */
static int field_default(const struct rl_field *f, void *base, struct rl_err *err)
{
	struct rl_walk w = { .mode = RL_APPLY_FULL, .err = err };
	cJSON *v;
	int ret;

	if (f->type == RL_FT_OBJECT)
		return rl_fields_defaults(f->sub, rl_field_ptr(f, base), err);
	field_zero(f, base);
	if (!f->def)
		return 0;
	/* Defaults are JSON text so they go through the same checks as input. */
	ret = rl_json_parse(f->def, &v, err);
	if (!ret) {
		ret = field_set(f, v, base, f->name, &w);
		cJSON_Delete(v);
	}
	return ret ? rl_err_prefix(err, ret, "default of %s", f->name) : 0;
}

int rl_fields_defaults(const struct rl_field *table, void *base, struct rl_err *err)
{
	int ret;

	for (; table->name; table++) {
		/* A write-only row is derived from another row's storage: nothing of its own. */
		if (table->flags & RL_FF_WRITE_ONLY)
			continue;
		ret = field_default(table, base, err);
		if (ret)
			return ret;
	}
	return 0;
}
