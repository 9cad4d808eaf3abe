/* SPDX-License-Identifier: MIT */
/*
 * Field tables: one row per JSON key of a struct (name, type, offset, bounds,
 * default, help), and one walker that applies a cJSON object to the struct,
 * writes it back out, fills defaults and prints the table as markdown. The
 * workload schema, suites and the daemon's config are all tables, so every
 * input is validated the same way and the documentation cannot drift.
 */
#ifndef RINGLAB_DAEMON_SCHEMA_FIELDS_H
#define RINGLAB_DAEMON_SCHEMA_FIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cJSON.h>

#include "util/err.h"

enum rl_field_type {
	RL_FT_STRING,	/* char[size]; min/max bound the length; charset optional */
	RL_FT_BOOL,	/* bool */
	RL_FT_U32,	/* uint32_t from an integral JSON number */
	RL_FT_U64,	/* uint64_t from an integral JSON number (<= 2^53 - 1) */
	RL_FT_SIZE,	/* uint64_t from a number or "64M" (K/M/G/T, binary) */
	RL_FT_DOUBLE,	/* double */
	RL_FT_ENUM,	/* int, from one of names[] */
	RL_FT_U32_LIST,	/* uint32_t[size] + uint32_t count at count_offset */
	RL_FT_OBJECT,	/* nested struct at offset, described by sub[] */
	RL_FT_PASS,	/* accepted key, left to the caller (e.g. a suite's "set") */
	RL_FT_STRING_LIST,	/* char[size][elem_size] + uint32_t count at count_offset;
				 * min/max and charset apply to each string */
	RL_FT_OBJECT_LIST,	/* size structs of elem_size bytes, each described by sub[],
				 * + uint32_t count at count_offset */
	RL_FT_MAX
};

enum rl_field_flag {
	RL_FF_REQUIRED = 1 << 0,	/* the key must be present (full applies only) */
	RL_FF_POW2 = 1 << 1,		/* integer must be a power of two */
	RL_FF_MUL512 = 1 << 2,		/* integer must be a multiple of 512 */
	RL_FF_NONEMPTY = 1 << 3,	/* list must have at least one entry */
	RL_FF_NONE_NEG1 = 1 << 4,	/* number: -1 means "none", else min..max */
};

struct rl_field {
	const char *name;		/* JSON key; NULL ends a table */
	enum rl_field_type type;
	size_t offset;			/* offsetof() into the target struct */
	size_t size;			/* STRING: buffer bytes; *_LIST: max entries */
	size_t count_offset;		/* *_LIST: offsetof() its uint32_t count */
	size_t elem_size;		/* STRING_LIST: bytes per string; OBJECT_LIST: per struct */
	double min, max;		/* numbers, list entries; STRING: length */
	const char *def;		/* default as JSON text; NULL: zero */
	const char *const *names;	/* ENUM: NULL-terminated, index = value */
	const char *charset;		/* STRING: allowed chars, "a-z0-9._-" style */
	const struct rl_field *sub;	/* OBJECT, OBJECT_LIST: the nested table */
	unsigned int flags;		/* enum rl_field_flag */
	const char *help;
};

/* How rl_fields_apply() treats keys the object does not mention. */
enum rl_apply_mode {
	RL_APPLY_FULL,		/* a complete document: RL_FF_REQUIRED keys must be present */
	RL_APPLY_OVERRIDE,	/* a partial one applied on top (suite "set", --jobs) */
};

/*
 * rl_fields_defaults() - zero every field of @base described by @table, then
 * apply each row's default (nested tables too). Returns 0, or -EINVAL when a
 * default in the table is itself invalid (a table bug; tests check for it).
 */
int rl_fields_defaults(const struct rl_field *table, void *base, struct rl_err *err);

/*
 * rl_fields_apply() - apply the keys of JSON object @obj to @base. Fields the
 * object does not mention keep their value. Rejects a non-object, unknown and
 * duplicate keys (suggesting the closest known key), wrong types, non-integers,
 * out-of-range values and violated flags. Returns 0 or -EINVAL with
 * "key K: reason" in @err (nested keys as "key expect.tolerance: ...", list
 * entries as "key targets[1].name: ..."); -ENOMEM when out of memory. A list
 * replaces the whole list, each object entry starting from its table's
 * defaults with its RL_FF_REQUIRED keys checked (whatever @mode), and a list
 * with a bad entry changes nothing. On failure @base may be partly updated.
 */
int rl_fields_apply(const struct rl_field *table, const cJSON *obj, void *base,
		    enum rl_apply_mode mode, struct rl_err *err);

/*
 * rl_fields_to_json() - @base as a new JSON object, one key per row (PASS rows
 * are skipped). Returns the object (caller frees with cJSON_Delete) or NULL
 * when out of memory.
 */
cJSON *rl_fields_to_json(const struct rl_field *table, const void *base);

/*
 * rl_fields_markdown() - write @table as a markdown table (key, type,
 * default, range/values, description) to @out; nested tables as "parent.key",
 * entries of an object list as "parent[].key".
 */
void rl_fields_markdown(const struct rl_field *table, FILE *out);

/* rl_field_find() - the row of @table named @name, or NULL. */
const struct rl_field *rl_field_find(const struct rl_field *table, const char *name);

/*
 * rl_json_parse() - parse @text (NUL-terminated) into *@out. Returns 0, or
 * -EINVAL with "line L, column C: malformed JSON near '...'" in @err.
 */
int rl_json_parse(const char *text, cJSON **out, struct rl_err *err);

/*
 * rl_json_load_file() - read @path (at most 4 MiB) and parse it. Returns 0,
 * -errno from open/read (-EFBIG when too large), or -EINVAL; @err starts with
 * @path either way ("x.json: No such file or directory").
 */
int rl_json_load_file(const char *path, cJSON **out, struct rl_err *err);

/*
 * rl_format_size() - @bytes as "64M" when an exact binary multiple, else the
 * plain number, into @buf. Returns @buf.
 */
char *rl_format_size(uint64_t bytes, char *buf, size_t len);

/*
 * rl_parse_size() - "4096", "64M", "1g" (K/M/G/T, powers of 1024) to bytes.
 * Returns 0, or -EINVAL for anything else, -ERANGE on overflow.
 */
int rl_parse_size(const char *s, uint64_t *bytes);

/*
 * rl_charset_match() - whether every character of @s is allowed by @charset
 * ("a-z0-9._-": ranges X-Y and literals; a '-' last is literal). Returns the
 * first offending character's index, or -1 when all match.
 */
int rl_charset_match(const char *charset, const char *s);

#endif
