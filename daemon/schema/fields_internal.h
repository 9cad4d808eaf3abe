/* SPDX-License-Identifier: MIT */
/* What the walker's own files share, and nobody else includes: walk state, key paths, messages. */
#ifndef RINGLAB_DAEMON_SCHEMA_FIELDS_INTERNAL_H
#define RINGLAB_DAEMON_SCHEMA_FIELDS_INTERNAL_H

#include "fields.h"

/*
 * A key's path in messages and docs ("targets[1].name"). Far longer than any
 * real one; keys longer than this are never suggested as "did you mean".
 */
#define RL_KEY_PATH_MAX 128

/*
 * One application of a table: what is read and where errors go. Inputs and
 * records differ in which keys must be present, how far values are checked
 * and how messages read; everything else is shared. A record's messages are
 * those of the results' former reader, word for word: /api/v1/runs/import
 * answers carry them ("field run: cells[1].iops: expected a number") and
 * clients and tests match on them.
 */
struct rl_walk {
	enum rl_apply_mode mode;
	struct rl_err *err;
};

static inline bool rl_walk_record(const struct rl_walk *w)
{
	return w->mode == RL_APPLY_RECORD || w->mode == RL_APPLY_RECORD_CHECKED;
}

/* Inputs say "key K: ..."; records just "K: ...", as ringlab-run-1 readers always have. */
static inline const char *rl_walk_key(const struct rl_walk *w)
{
	return rl_walk_record(w) ? "" : "key ";
}

static inline void *rl_field_ptr(const struct rl_field *f, void *base)
{
	return (char *)base + f->offset;
}

static inline const void *rl_field_cptr(const struct rl_field *f, const void *base)
{
	return (const char *)base + f->offset;
}

/* rl_key_path() - "@prefix.@key" into @buf (RL_KEY_PATH_MAX bytes), or @key at the top. */
void rl_key_path(char *buf, const char *prefix, const char *key);

/*
 * rl_field_format_number() - @d as messages and docs print it: sizes as
 * "64M", integers exactly up to 2^53, others as "1.6e+74". Returns @buf.
 */
char *rl_field_format_number(const struct rl_field *f, double d, char *buf, size_t len);

/* rl_field_enum_count() - how many values an ENUM row names (0..count-1). */
int rl_field_enum_count(const struct rl_field *f);

/* rl_field_enum_name() - the name of value @v (0 <= @v < count) of an ENUM row. */
const char *rl_field_enum_name(const struct rl_field *f, int v);

/* rl_json_type_name() - "a number", "an object", ... for messages. */
const char *rl_json_type_name(const cJSON *v);

/*
 * rl_field_type_error() - "key K: expected @expected, got a string", or a
 * record's "K: expected @expected". Returns -EINVAL.
 */
int rl_field_type_error(const struct rl_walk *w, const char *path, const char *expected,
			const cJSON *v);

/*
 * rl_field_check_array() - what every list row checks: an array of at most
 * f->size entries, not empty when RL_FF_NONEMPTY. Returns 0 or -EINVAL.
 */
int rl_field_check_array(const struct rl_field *f, const cJSON *v, const char *path,
			 const struct rl_walk *w);

/*
 * rl_field_set_value() - check JSON value @v for row @f (any type but the
 * objects, lists of objects and PASS, which fields.c walks) and store it in
 * @base; a bad value stores nothing. Returns 0 or -EINVAL with @path in
 * w->err.
 */
int rl_field_set_value(const struct rl_field *f, const cJSON *v, void *base,
		       const char *path, const struct rl_walk *w);

#endif
