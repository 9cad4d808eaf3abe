/* SPDX-License-Identifier: MIT */
/*
 * Field tables: one row per JSON key of a struct (name, type, offset, bounds,
 * default, help), and one walker that applies a cJSON object to the struct,
 * writes it back out, fills defaults and prints the table as markdown. The
 * workload schema, suites, the daemon's and the nightly's configs and the
 * results (engine/result_json.c) are all tables, so every input is validated
 * the same way and the documentation cannot drift.
 *
 * Callers read documents with fields_json.h and sizes with util/units.h
 * nearly always alongside a table, so this header brings both.
 */
#ifndef RINGLAB_DAEMON_SCHEMA_FIELDS_H
#define RINGLAB_DAEMON_SCHEMA_FIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cJSON.h>

#include "util/err.h"
#include "util/units.h"
#include "fields_json.h"

enum rl_field_type {
	RL_FT_STRING,	/* char[size]; min/max bound the length; charset optional */
	RL_FT_BOOL,	/* bool */
	RL_FT_U32,	/* uint32_t from an integral JSON number */
	RL_FT_U64,	/* uint64_t from an integral JSON number (<= 2^53 - 1) */
	RL_FT_SIZE,	/* uint64_t from a number or "64M" (K/M/G/T, binary) */
	RL_FT_DOUBLE,	/* double */
	RL_FT_ENUM,	/* int, from one of names[] (or name_of(0..max)) */
	RL_FT_U32_LIST,	/* uint32_t[size] + uint32_t count at count_offset */
	RL_FT_OBJECT,	/* nested struct at offset, described by sub[] */
	RL_FT_PASS,	/* accepted key, left to the caller (e.g. a suite's "set") */
	RL_FT_STRING_LIST,	/* char[size][elem_size] + uint32_t count at count_offset;
				 * min/max and charset apply to each string */
	RL_FT_OBJECT_LIST,	/* size structs of elem_size bytes, each described by sub[],
				 * + uint32_t count at count_offset */
	RL_FT_INT,	/* int from an integral JSON number */
	RL_FT_HEX,	/* uint8_t[size], as 2 * size hex digits */
	RL_FT_OPT_OBJECT,	/* struct of size bytes whose first member is bool valid,
				 * the rest described by sub[]: null when not valid */
	RL_FT_MAX
};

enum rl_field_flag {
	RL_FF_REQUIRED = 1 << 0,	/* the key must be present (full applies only) */
	RL_FF_POW2 = 1 << 1,		/* integer must be a power of two */
	RL_FF_MUL512 = 1 << 2,		/* integer must be a multiple of 512 */
	RL_FF_NONEMPTY = 1 << 3,	/* list must have at least one entry */
	RL_FF_NONE_NEG1 = 1 << 4,	/* number: -1 means "none", else min..max */
	RL_FF_NULL_NAN = 1 << 5,	/* DOUBLE: JSON null means NaN (not measured); NaN and
					 * infinities are written as null */
	RL_FF_WRITE_ONLY = 1 << 6,	/* derived when written (an errno's name); never read, so
					 * never missing and never stored */
	RL_FF_U64_AS_DOUBLE = 1 << 7,	/* U64: written as a plain JSON double, as results always
					 * were, not as exact digits above 10^15 */
	RL_FF_RECORD_BOUNDS = 1 << 8,	/* number: RL_APPLY_RECORD_CHECKED holds a record to
					 * min..max too: outside it the value is impossible
					 * (a rate above 1, a negative IOPS, 0 jobs) */
	RL_FF_RECORD_OPTIONAL = 1 << 9,	/* a record may lack the key (written before it existed):
					 * then the row's default is taken */
};

struct rl_field {
	const char *name;		/* JSON key; NULL ends a table */
	enum rl_field_type type;
	size_t offset;			/* offsetof() into the target struct */
	size_t size;			/* STRING: buffer bytes; *_LIST: max entries; HEX, OBJECT, OPT_OBJECT: bytes */
	size_t count_offset;		/* *_LIST: offsetof() its uint32_t count */
	size_t elem_size;		/* STRING_LIST: bytes per string; OBJECT_LIST: per struct */
	double min, max;		/* numbers, list entries; STRING: length; ENUM by name_of: 0..max */
	const char *def;		/* default as JSON text; NULL: zero */
	const char *const *names;	/* ENUM: NULL-terminated, index = value */
	const char *(*name_of)(int value);	/* ENUM without names: the name of a value */
	const char *charset;		/* STRING: allowed chars, "a-z0-9._-" style */
	const struct rl_field *sub;	/* OBJECT, OPT_OBJECT, OBJECT_LIST: the nested table */
	unsigned int flags;		/* enum rl_field_flag */
	const char *help;
};

/* How rl_fields_apply() treats keys the object does or does not mention. */
enum rl_apply_mode {
	RL_APPLY_FULL,		/* a complete document: RL_FF_REQUIRED keys must be present */
	RL_APPLY_OVERRIDE,	/* a partial one applied on top (suite "set", --jobs) */
	/*
	 * A record this program wrote (a result read back from a file, the store
	 * or a VM guest): every row but write-only, PASS and RL_FF_RECORD_OPTIONAL
	 * ones must be present,
	 * unknown keys are ignored so readers tolerate annotations (an API adds
	 * "id"), values are checked against their C type only (bounds are policy
	 * for inputs, not for what was measured), and errors read "path: reason"
	 * as ringlab-run-1 readers always have.
	 */
	RL_APPLY_RECORD,
	/*
	 * A record from outside (an import, a file): as RL_APPLY_RECORD, and
	 * rows flagged RL_FF_RECORD_BOUNDS must lie within their min..max.
	 * What the store wrote itself is read as RL_APPLY_RECORD, so a record
	 * stored before a bound existed stays readable.
	 */
	RL_APPLY_RECORD_CHECKED,
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
 * RL_APPLY_RECORD reads differently, see there.
 */
int rl_fields_apply(const struct rl_field *table, const cJSON *obj, void *base,
		    enum rl_apply_mode mode, struct rl_err *err);

/*
 * rl_fields_apply_at() - rl_fields_apply() of an object that sits at @path
 * of a larger document ("env", "cells[3]"), which messages then name: a
 * reader that walks the document's outer parts itself. Same returns.
 */
int rl_fields_apply_at(const struct rl_field *table, const cJSON *obj, void *base,
		       enum rl_apply_mode mode, const char *path, struct rl_err *err);

/*
 * rl_fields_write() - add one key per row of @table (PASS rows skipped) to
 * JSON object @obj, in table order. Returns 0, or -ENOMEM (@obj may then
 * hold some of the keys).
 */
int rl_fields_write(cJSON *obj, const struct rl_field *table, const void *base);

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
 * rl_charset_match() - whether every character of @s is allowed by @charset
 * ("a-z0-9._-": ranges X-Y and literals; a '-' last is literal). Returns the
 * first offending character's index, or -1 when all match.
 */
int rl_charset_match(const char *charset, const char *s);

/*
 * rl_control_at() - the index of @s's first control character (C0 or DEL:
 * a newline, an escape), or -1. A name holding one breaks or recolours
 * every listing that prints it.
 */
int rl_control_at(const char *s);

#endif
