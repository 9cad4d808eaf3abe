/* SPDX-License-Identifier: MIT */
/*
 * One value of one row: is it the right JSON type, within the row's bounds,
 * length and character set, one of its names, and then stored. The walk
 * over objects and lists of objects is fields.c's.
 */
#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fields_internal.h"

/* Integers above this lose precision in a JSON number (a double). */
#define RL_JSON_INT_MAX 9007199254740991.0
/* The largest double below 2^64: anything above does not convert to uint64_t. */
#define RL_U64_DOUBLE_MAX 18446744073709549568.0

const char *rl_json_type_name(const cJSON *v)
{
	if (cJSON_IsBool(v))
		return "a boolean";
	if (cJSON_IsNull(v))
		return "null";
	if (cJSON_IsNumber(v))
		return "a number";
	if (cJSON_IsString(v))
		return "a string";
	if (cJSON_IsArray(v))
		return "an array";
	if (cJSON_IsObject(v))
		return "an object";
	return "an invalid value";
}

/* "key K: expected a number, got a string"; a record's "K: expected a number". */
int rl_field_type_error(const struct rl_walk *w, const char *path, const char *expected,
			const cJSON *v)
{
	if (rl_walk_record(w))
		return rl_err_set(w->err, -EINVAL, "%s: expected %s", path, expected);
	return rl_err_set(w->err, -EINVAL, "key %s: expected %s, got %s", path, expected,
			  rl_json_type_name(v));
}

static bool is_integer_type(enum rl_field_type t)
{
	return t == RL_FT_U32 || t == RL_FT_U64 || t == RL_FT_SIZE ||
	       t == RL_FT_U32_LIST || t == RL_FT_INT;
}

/* Upper bound of what the C type behind @f can hold, for inputs. */
static double type_limit(const struct rl_field *f)
{
	switch (f->type) {
	case RL_FT_U32:
	case RL_FT_U32_LIST:
		return UINT32_MAX;
	case RL_FT_U64:
		return RL_JSON_INT_MAX;
	case RL_FT_SIZE:
		return RL_U64_DOUBLE_MAX;
	case RL_FT_INT:
		return INT_MAX;
	default:
		return INFINITY;
	}
}

int rl_field_enum_count(const struct rl_field *f)
{
	int n = 0;

	if (!f->names)
		return (int)f->max + 1;
	while (f->names[n])
		n++;
	return n;
}

const char *rl_field_enum_name(const struct rl_field *f, int v)
{
	return f->names ? f->names[v] : f->name_of(v);
}

int rl_charset_match(const char *charset, const char *s)
{
	int i;

	for (i = 0; s[i]; i++) {
		unsigned char c = s[i];
		const char *p = charset;
		bool ok = false;

		while (*p && !ok) {
			if (p[1] == '-' && p[2]) {
				ok = c >= (unsigned char)p[0] && c <= (unsigned char)p[2];
				p += 3;
			} else {
				ok = c == (unsigned char)*p;
				p++;
			}
		}
		if (!ok)
			return i;
	}
	return -1;
}

char *rl_field_format_number(const struct rl_field *f, double d, char *buf, size_t len)
{
	/* Out-of-range values are printed too (in messages): convert only what fits. */
	if (f->type == RL_FT_SIZE && d >= 0 && d <= RL_U64_DOUBLE_MAX && d == floor(d))
		return rl_format_size((uint64_t)d, buf, len);
	if (d == floor(d) && fabs(d) <= RL_JSON_INT_MAX)
		snprintf(buf, len, "%.0f", d);
	else
		snprintf(buf, len, "%g", d);
	return buf;
}

static int check_number(const struct rl_field *f, double d, const char *path,
			struct rl_err *err)
{
	char v[32], lo[32], hi[32];

	if ((f->flags & RL_FF_NONE_NEG1) && d == -1)
		return 0;
	if (d < f->min || d > f->max || d > type_limit(f))
		return rl_err_set(err, -EINVAL, "key %s: %s is out of range %s..%s%s", path,
				  rl_field_format_number(f, d, v, sizeof(v)),
				  rl_field_format_number(f, f->min, lo, sizeof(lo)),
				  rl_field_format_number(f, f->max, hi, sizeof(hi)),
				  f->flags & RL_FF_NONE_NEG1 ? " (or -1 for none)" : "");
	if (!is_integer_type(f->type))
		return 0;
	if ((f->flags & RL_FF_POW2) && (d < 1 || ((uint64_t)d & ((uint64_t)d - 1))))
		return rl_err_set(err, -EINVAL, "key %s: must be a power of two (got %s)",
				  path, rl_field_format_number(f, d, v, sizeof(v)));
	if ((f->flags & RL_FF_MUL512) && (uint64_t)d % 512)
		return rl_err_set(err, -EINVAL, "key %s: must be a multiple of 512 (got %s)",
				  path, rl_field_format_number(f, d, v, sizeof(v)));
	return 0;
}

/*
 * A checked record's number flagged RL_FF_RECORD_BOUNDS: outside min..max it
 * is impossible, whoever measured it. Returns 0 or -EINVAL.
 */
static int record_bounds(const struct rl_field *f, double d, const char *path,
			 const struct rl_walk *w)
{
	char v[32], lim[32];

	if (d < f->min)
		return rl_err_set(w->err, -EINVAL, "%s: %s is below its minimum %s", path,
				  rl_field_format_number(f, d, v, sizeof(v)),
				  rl_field_format_number(f, f->min, lim, sizeof(lim)));
	if (d > f->max)
		return rl_err_set(w->err, -EINVAL, "%s: %s is above its maximum %s", path,
				  rl_field_format_number(f, d, v, sizeof(v)),
				  rl_field_format_number(f, f->max, lim, sizeof(lim)));
	return 0;
}

/*
 * A record's number only has to fit its C type: a measurement has no
 * policy bounds, and a counter may exceed 2^53 (it then is approximate).
 * Only impossible values (RL_FF_RECORD_BOUNDS) are refused, and only in
 * records from outside (RL_APPLY_RECORD_CHECKED).
 */
static int record_number(const struct rl_field *f, const cJSON *v, const char *path,
			 double *out, const struct rl_walk *w)
{
	double d = v->valuedouble, cap;

	if (f->type == RL_FT_INT) {
		if (!cJSON_IsNumber(v) || !(fabs(d) <= INT_MAX) || d != (double)(int)d)
			return rl_err_set(w->err, -EINVAL, "%s: expected an integer", path);
		*out = d;
		return 0;
	}
	if (!cJSON_IsNumber(v))
		return rl_field_type_error(w, path, "a number", v);
	if (is_integer_type(f->type)) {
		cap = f->type == RL_FT_U32 || f->type == RL_FT_U32_LIST ?
		      4294967296.0 : 18446744073709551616.0;
		if (!(d >= 0) || d >= cap || (double)(uint64_t)d != d)
			return rl_err_set(w->err, -EINVAL, "%s: expected an integer 0..%.0f",
					  path, cap - 1);
	}
	*out = d;
	if (w->mode == RL_APPLY_RECORD_CHECKED && (f->flags & RL_FF_RECORD_BOUNDS))
		return record_bounds(f, d, path, w);
	return 0;
}

/* A JSON number as a double; integral when the field needs an integer. */
static int get_number(const struct rl_field *f, const cJSON *v, const char *path,
		      double *out, const struct rl_walk *w)
{
	double d;

	if (rl_walk_record(w))
		return record_number(f, v, path, out, w);
	if (!cJSON_IsNumber(v))
		return rl_field_type_error(w, path, "a number", v);
	d = v->valuedouble;
	if (!isfinite(d))
		return rl_err_set(w->err, -EINVAL, "key %s: not a finite number", path);
	if (is_integer_type(f->type) && d != floor(d))
		return rl_err_set(w->err, -EINVAL, "key %s: expected an integer, got %g",
				  path, d);
	*out = d;
	return check_number(f, d, path, w->err);
}

static int set_number(const struct rl_field *f, const cJSON *v, void *base,
		      const char *path, const struct rl_walk *w)
{
	void *p = rl_field_ptr(f, base);
	double d;
	int ret;

	if (f->type == RL_FT_DOUBLE && (f->flags & RL_FF_NULL_NAN) && cJSON_IsNull(v)) {
		*(double *)p = NAN;
		return 0;
	}
	ret = get_number(f, v, path, &d, w);
	if (ret)
		return ret;
	if (f->type == RL_FT_U32)
		*(uint32_t *)p = (uint32_t)d;
	else if (f->type == RL_FT_U64)
		*(uint64_t *)p = (uint64_t)d;
	else if (f->type == RL_FT_INT)
		*(int *)p = (int)d;
	else
		*(double *)p = d;
	return 0;
}

/*
 * Length and character set of string @s for a STRING or STRING_LIST row; a
 * record's string only has to fit its buffer.
 */
static int check_string(const struct rl_field *f, const char *s, size_t cap,
			const char *path, const struct rl_walk *w)
{
	size_t len = strlen(s);
	int bad;

	if (rl_walk_record(w))
		return len < cap ? 0 : rl_err_set(w->err, -EINVAL, "%s: longer than %zu bytes",
						  path, cap - 1);
	if (len < f->min || len > f->max || len >= cap)
		return rl_err_set(w->err, -EINVAL,
				  "key %s: must be %.0f..%.0f characters long (got %zu)",
				  path, f->min, f->max, len);
	bad = f->charset ? rl_charset_match(f->charset, s) : -1;
	if (bad >= 0) {
		unsigned char c = s[bad];

		if (isprint(c))
			return rl_err_set(w->err, -EINVAL,
					  "key %s: character '%c' is not allowed (only [%s])",
					  path, c, f->charset);
		return rl_err_set(w->err, -EINVAL,
				  "key %s: character 0x%02x is not allowed (only [%s])",
				  path, c, f->charset);
	}
	return 0;
}

static int set_string(const struct rl_field *f, const cJSON *v, void *base,
		      const char *path, const struct rl_walk *w)
{
	char *dst = rl_field_ptr(f, base);
	int ret;

	if (!cJSON_IsString(v))
		return rl_field_type_error(w, path, "a string", v);
	ret = check_string(f, v->valuestring, f->size, path, w);
	if (ret)
		return ret;
	/* Zero the tail so equal values give byte-identical structs. */
	memset(dst, 0, f->size);
	memcpy(dst, v->valuestring, strlen(v->valuestring));
	return 0;
}

static int hex_nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int set_hex(const struct rl_field *f, const cJSON *v, void *base,
		   const char *path, const struct rl_walk *w)
{
	const char *s = cJSON_GetStringValue(v);
	uint8_t *dst = rl_field_ptr(f, base);
	size_t i;

	if (!s || strlen(s) != 2 * f->size)
		goto bad;
	for (i = 0; i < 2 * f->size; i++)
		if (hex_nibble(s[i]) < 0)
			goto bad;
	for (i = 0; i < f->size; i++)
		dst[i] = (uint8_t)(hex_nibble(s[2 * i]) << 4 | hex_nibble(s[2 * i + 1]));
	return 0;
bad:
	return rl_err_set(w->err, -EINVAL, "%s%s: expected %zu hex digits", rl_walk_key(w), path,
			  2 * f->size);
}

static void enum_list(const struct rl_field *f, char *buf, size_t len)
{
	int i, n = rl_field_enum_count(f);
	size_t used;

	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		used = strlen(buf);
		snprintf(buf + used, len - used, "%s%s", i ? ", " : "", rl_field_enum_name(f, i));
	}
}

static int set_enum(const struct rl_field *f, const cJSON *v, void *base,
		    const char *path, const struct rl_walk *w)
{
	int i, n = rl_field_enum_count(f);
	char names[256];

	for (i = 0; cJSON_IsString(v) && i < n; i++) {
		if (!strcmp(rl_field_enum_name(f, i), v->valuestring)) {
			*(int *)rl_field_ptr(f, base) = i;
			return 0;
		}
	}
	enum_list(f, names, sizeof(names));
	if (rl_walk_record(w) && !cJSON_IsString(v))
		return rl_err_set(w->err, -EINVAL, "%s: expected a string, one of %s", path, names);
	if (rl_walk_record(w))
		return rl_err_set(w->err, -EINVAL, "%s: unknown value \"%s\" (expected one of %s)",
				  path, v->valuestring, names);
	if (!cJSON_IsString(v))
		return rl_field_type_error(w, path, "a string", v);
	return rl_err_set(w->err, -EINVAL, "key %s: '%.64s' is not one of %s",
			  path, v->valuestring, names);
}

static int set_size(const struct rl_field *f, const cJSON *v, void *base,
		    const char *path, const struct rl_walk *w)
{
	uint64_t bytes;
	double d;
	int ret;

	if (cJSON_IsNumber(v)) {
		ret = get_number(f, v, path, &d, w);
		if (ret)
			return ret;
		*(uint64_t *)rl_field_ptr(f, base) = (uint64_t)d;
		return 0;
	}
	if (!cJSON_IsString(v))
		return rl_field_type_error(w, path, "a number or a size string", v);
	ret = rl_parse_size(v->valuestring, &bytes);
	if (ret == -ERANGE)
		return rl_err_set(w->err, -EINVAL, "%s%s: '%.64s' is too large",
				  rl_walk_key(w), path, v->valuestring);
	if (ret)
		return rl_err_set(w->err, -EINVAL,
				  "%s%s: '%.64s' is not a size (bytes, or digits with a K, M, G or T suffix)",
				  rl_walk_key(w), path, v->valuestring);
	ret = rl_walk_record(w) ? 0 : check_number(f, (double)bytes, path, w->err);
	if (ret)
		return ret;
	*(uint64_t *)rl_field_ptr(f, base) = bytes;
	return 0;
}

/* The checks every list row shares: an array, no more than f->size entries. */
int rl_field_check_array(const struct rl_field *f, const cJSON *v, const char *path,
			 const struct rl_walk *w)
{
	size_t n;

	if (!cJSON_IsArray(v))
		return rl_field_type_error(w, path, "an array", v);
	n = cJSON_GetArraySize(v);
	if (n > f->size && rl_walk_record(w))
		return rl_err_set(w->err, -EINVAL, "%s: more than %zu entries", path, f->size);
	if (n > f->size)
		return rl_err_set(w->err, -EINVAL, "key %s: %zu entries, at most %zu allowed",
				  path, n, f->size);
	if (!n && (f->flags & RL_FF_NONEMPTY))
		return rl_err_set(w->err, -EINVAL, "%s%s: must not be empty", rl_walk_key(w), path);
	return 0;
}

/* Bytes of one entry of a U32_LIST or STRING_LIST row. */
static size_t entry_size(const struct rl_field *f)
{
	return f->type == RL_FT_U32_LIST ? sizeof(uint32_t) : f->elem_size;
}

static int check_entry(const struct rl_field *f, const cJSON *e, const char *path,
		       const struct rl_walk *w)
{
	double d;

	if (f->type == RL_FT_U32_LIST)
		return get_number(f, e, path, &d, w);
	if (!cJSON_IsString(e))
		return rl_field_type_error(w, path, "a string", e);
	return check_string(f, e->valuestring, f->elem_size, path, w);
}

/* U32_LIST, STRING_LIST: every entry checked before any is stored; a bad list changes nothing. */
static int set_list(const struct rl_field *f, const cJSON *v, void *base,
		    const char *path, const struct rl_walk *w)
{
	char *dst = rl_field_ptr(f, base);
	char epath[RL_KEY_PATH_MAX];
	const cJSON *e;
	size_t n = 0;
	int ret;

	ret = rl_field_check_array(f, v, path, w);
	if (ret)
		return ret;
	cJSON_ArrayForEach(e, v) {
		snprintf(epath, sizeof(epath), "%s[%zu]", path, n++);
		ret = check_entry(f, e, epath, w);
		if (ret)
			return ret;
	}
	memset(dst, 0, f->size * entry_size(f));
	n = 0;
	cJSON_ArrayForEach(e, v) {
		if (f->type == RL_FT_U32_LIST)
			((uint32_t *)dst)[n] = (uint32_t)e->valuedouble;
		else
			memcpy(dst + n * f->elem_size, e->valuestring, strlen(e->valuestring));
		n++;
	}
	*(uint32_t *)((char *)base + f->count_offset) = n;
	return 0;
}

int rl_field_set_value(const struct rl_field *f, const cJSON *v, void *base,
		       const char *path, const struct rl_walk *w)
{
	switch (f->type) {
	case RL_FT_STRING:
		return set_string(f, v, base, path, w);
	case RL_FT_BOOL:
		if (!cJSON_IsBool(v))
			return rl_field_type_error(w, path, "true or false", v);
		*(bool *)rl_field_ptr(f, base) = cJSON_IsTrue(v);
		return 0;
	case RL_FT_U32:
	case RL_FT_U64:
	case RL_FT_INT:
	case RL_FT_DOUBLE:
		return set_number(f, v, base, path, w);
	case RL_FT_SIZE:
		return set_size(f, v, base, path, w);
	case RL_FT_ENUM:
		return set_enum(f, v, base, path, w);
	case RL_FT_HEX:
		return set_hex(f, v, base, path, w);
	case RL_FT_U32_LIST:
	case RL_FT_STRING_LIST:
		return set_list(f, v, base, path, w);
	default:
		return rl_err_set(w->err, -EINVAL, "%s%s: not a value row", rl_walk_key(w), path);
	}
}

int rl_control_at(const char *s)
{
	for (int i = 0; s[i]; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return i;
	return -1;
}
